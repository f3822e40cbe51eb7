"""``class X(NamedTuple): field: type = default`` without importing :mod:`typing`.

Importing typing costs every ``ptofix`` run ~3 ms of start-up, and the run path needs nothing
else from it at run time (annotations are strings; the type checker reads ``typing`` itself
through ``if TYPE_CHECKING:``). This is typing.NamedTuple's class syntax as Python 3.11 builds
it: a :func:`collections.namedtuple` with the annotated fields, their defaults, ``__annotations__``
and the class body's methods (tests/test_ntuple.py compares both). Modules use it as::

    TYPE_CHECKING = False
    if TYPE_CHECKING:
        from typing import NamedTuple
    else:
        from .ntuple import NamedTuple
"""
from __future__ import annotations

from collections import namedtuple

# As in typing: attributes the class body may not set, and those it sets that are not copied.
_PROHIBITED = frozenset({"__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults",
                         "_make", "_replace", "_asdict", "_source"})
_SPECIAL = frozenset({"__module__", "__name__", "__annotations__"})


class _NamedTupleMeta(type):
    def __new__(mcls, typename: str, bases: tuple, ns: dict):
        for base in bases:
            if base is not _NamedTuple:
                raise TypeError("can only inherit from a NamedTuple type")
        types = ns.get("__annotations__", {})
        default_names: list[str] = []
        for field_name in types:
            if field_name in ns:
                default_names.append(field_name)
            elif default_names:
                raise TypeError(f"Non-default namedtuple field {field_name} cannot follow default field"
                                f"{'s' if len(default_names) > 1 else ''} {', '.join(default_names)}")
        defaults = [ns[name] for name in default_names]
        cls = namedtuple(typename, list(types), defaults=defaults, module=ns["__module__"])  # type: ignore[misc]
        cls.__annotations__ = cls.__new__.__annotations__ = dict(types)
        for key in ns:
            if key in _PROHIBITED:
                raise AttributeError("Cannot overwrite NamedTuple attribute " + key)
            if key not in _SPECIAL and key not in cls._fields:
                setattr(cls, key, ns[key])
        return cls


_NamedTuple = type.__new__(_NamedTupleMeta, "NamedTuple", (), {})


def NamedTuple(*args: object, **kwargs: object) -> None:
    """Only the class syntax is supported (``NamedTuple("X", [...])`` is typing's)."""
    raise TypeError("ptofix.ntuple.NamedTuple supports the class syntax only")


NamedTuple.__mro_entries__ = lambda bases: (_NamedTuple,)  # type: ignore[attr-defined]
