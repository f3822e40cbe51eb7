"""The base of the model's fixed-field classes (statements, AST nodes, events, decisions).

Each subclass spells out its ``__slots__``, its field annotations, ``_fields`` (every field,
inherited ones first, in constructor order) and an explicit ``__init__``. That is what mypyc
compiles into a native class: attributes in a C struct, a constructor with no dictionary and no
generated code (a class built at import by a decorator or a metaclass stays a slow Python class).
Interpreted, the slots keep instances as small and as closed to new attributes as the native
ones. ``tests/test_structs.py`` checks that the four spellings of each class agree.

``_fields`` also drives ``__repr__`` and generic walks (the tests compare statement trees by it);
``_hidden`` names the fields ``__repr__`` leaves out.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar


class Struct:
    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _hidden: ClassVar[frozenset[str]] = frozenset()

    def __repr__(self) -> str:
        parts = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields if name not in self._hidden)
        return f"{type(self).__name__}({parts})"
