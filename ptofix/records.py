"""Frozen value classes for the settings and results a run builds once (OutputOptions,
CompileEnvironment, FilePasses, ...), without ``dataclasses`` at import.

A ``@dataclass`` writes its ``__init__``, ``__repr__``, ``__eq__``, ``__hash__`` and the frozen
``__setattr__`` as source text and compiles each with ``exec`` when its module is imported:
~0.4-1 ms of CPU a class, ~6 ms of a one-kernel ``ptofix run`` for the ten such classes it
imports (issue #70: the FA run's whole process within 3x the line-regex patcher). A subclass of
``Frozen`` writes its ``__init__`` (each field set with ``object.__setattr__``) and names its
fields in ``field_names``, in the constructor's order; it then behaves as
``@dataclass(frozen=True, eq=False, repr=False)`` did: assigning or deleting an attribute raises
``dataclasses.FrozenInstanceError``, equality and hash are the object's identity. A subclass of
``Value`` behaves as ``@dataclass(frozen=True)``: ``repr`` shows ``shown_fields`` (default every field),
``==`` and ``hash`` read ``compared_fields`` (default every field) as a tuple, and only between objects
of the same class. ``replace`` is ``dataclasses.replace``'s (a copy with some fields changed),
``field_names`` stands for ``dataclasses.fields``. Instances pickle and copy as a dataclass's do
(their attributes are in ``__dict__``). tests/test_records.py compares each with the dataclass it
replaced.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, TypeVar

    _F = TypeVar("_F", bound="Frozen")


class Frozen:
    """Attributes set once, in ``__init__`` (``object.__setattr__``); no value equality."""

    field_names: ClassVar[tuple[str, ...]] = ()

    def __setattr__(self, name: str, value: object) -> None:
        from dataclasses import FrozenInstanceError  # (only on this error: dataclasses is ~1.3 ms of imports)
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        from dataclasses import FrozenInstanceError
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def replace(self: _F, **changes: Any) -> _F:
        """A copy with ``changes`` (field name: value) made, as ``dataclasses.replace``."""
        unknown = [name for name in changes if name not in self.field_names]
        if unknown:
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword argument {unknown[0]!r}")
        return type(self)(**{name: changes[name] if name in changes else getattr(self, name)
                             for name in self.field_names})


class Value(Frozen):
    """A ``Frozen`` compared, hashed and shown by its fields."""

    compared_fields: ClassVar[tuple[str, ...] | None] = None     # None: every field
    shown_fields: ClassVar[tuple[str, ...] | None] = None        # None: every field

    def _key(self) -> tuple[object, ...]:
        names = self.field_names if self.compared_fields is None else self.compared_fields
        return tuple([getattr(self, name) for name in names])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            assert isinstance(other, Value)
            return self._key() == other._key()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        names = self.field_names if self.shown_fields is None else self.shown_fields
        parts = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{type(self).__qualname__}({parts})"
