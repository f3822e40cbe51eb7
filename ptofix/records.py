"""Frozen value classes for the settings and results a run builds once (OutputOptions,
CompileEnvironment, FilePasses, ...), without ``dataclasses`` at import.

A ``@dataclass`` writes its ``__init__``, ``__repr__``, ``__eq__``, ``__hash__`` and the frozen
``__setattr__`` as source text and compiles each with ``exec`` when its module is imported:
~0.4-1 ms of CPU a class, ~6 ms of a one-kernel ``ptofix run`` for the ten such classes it
imports (issue #70: the FA run's whole process within 3x the line-regex patcher).

A subclass of ``Frozen`` declares its fields once, as a dataclass does: an annotation each, in the
constructor's order, with its default (or ``field(...)``, for a factory or a field left out of the
comparison or the repr) beside it. ``Frozen.__init_subclass__`` reads them into ``field_names``
and one shared ``__init__`` takes them, positionally or by name, with the dataclass's errors; mypy
reads the same declarations through ``dataclass_transform`` (PEP 681), so calls are type-checked
against them. It then behaves as ``@dataclass(frozen=True, eq=False, repr=False)`` did: assigning or
deleting an attribute raises ``dataclasses.FrozenInstanceError``, equality and hash are the
object's identity. A subclass of ``Value`` behaves as ``@dataclass(frozen=True)``: ``repr`` shows
the fields not declared ``repr=False``, ``==`` and ``hash`` read those not declared
``compare=False``, as a tuple, and only between objects of the same class. ``replace`` is
``dataclasses.replace``'s (a copy with some fields changed). Instances pickle and copy as a
dataclass's do (their attributes are in ``__dict__``). tests/test_records.py compares each class
with the dataclass it replaced.

As a dataclass's, the constructor (and ``replace``) then calls ``__post_init__``, which checks the
values; ``field(metadata=...)`` keeps what a class's readers want to know of a field, and
``field_specs`` gives each field's name, default, metadata and (``resolved_type``) its type: the
passes are ``Value`` classes whose fields are their options (ptofix/pass_manager.py reads them).
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any, ClassVar, TypeVar

    from typing_extensions import dataclass_transform

    _F = TypeVar("_F", bound="Frozen")
else:
    def dataclass_transform(**_: object):
        """(For mypy only: at run time, the class as it is.)"""
        return lambda cls: cls

_NO_DEFAULT = object()


class FieldSpec:
    """A field's declaration beyond its annotation, as ``dataclasses.field`` gives it."""

    __slots__ = ("default", "default_factory", "compare", "repr", "metadata", "name", "annotation", "owner")

    def __init__(self, default: object, default_factory: Callable[[], object] | None, compare: bool,
                 repr: bool, metadata: Mapping[str, Any] | None = None) -> None:  # noqa: A002 (dataclasses.field's name)
        self.default = default
        self.default_factory = default_factory
        self.compare = compare
        self.repr = repr
        self.metadata: Mapping[str, Any] = {} if metadata is None else metadata
        # Set by the class that declares it: its name, its annotation (text) and that class.
        self.name = ""
        self.annotation: object = None
        self.owner: type | None = None

    @property
    def has_default(self) -> bool:
        return self.default is not _NO_DEFAULT

    def resolved_type(self) -> Any:
        """The annotation evaluated in its class's module (as ``typing.get_type_hints`` does)."""
        if not isinstance(self.annotation, str):
            return self.annotation
        import sys
        assert self.owner is not None
        return eval(self.annotation, vars(sys.modules[self.owner.__module__]), dict(vars(self.owner)))  # noqa: S307


def field(*, default: Any = _NO_DEFAULT, default_factory: Callable[[], Any] | None = None, compare: bool = True,
          repr: bool = True, metadata: Mapping[str, Any] | None = None) -> Any:  # noqa: A002 (dataclasses.field's name)
    """A field's default, factory, whether ``==``/``hash`` and ``repr`` read it (a ``Value``'s), and
    its ``metadata`` (what else its class's readers want to know of it, as ``dataclasses.field``'s)."""
    return FieldSpec(default, default_factory, compare, repr, metadata)


def _is_class_var(annotation: object) -> bool:
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return text.startswith(("ClassVar", "typing.ClassVar"))


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
class Frozen:
    """Attributes set once, by the constructor; no value equality."""

    # Each field's name, in the constructor's order (inherited ones first), and its declaration.
    field_names: ClassVar[tuple[str, ...]] = ()
    field_specs: ClassVar[dict[str, FieldSpec]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        specs = dict(cls.field_specs)
        for name, annotation in vars(cls).get("__annotations__", {}).items():
            if _is_class_var(annotation):
                continue
            declared = vars(cls).get(name, _NO_DEFAULT)
            if isinstance(declared, FieldSpec):
                spec = declared
                if spec.default is _NO_DEFAULT:
                    delattr(cls, name)
                else:
                    setattr(cls, name, spec.default)
            else:
                spec = FieldSpec(declared, None, True, True)
            spec.name, spec.annotation, spec.owner = name, annotation, cls
            specs.pop(name, None)
            specs[name] = spec
        seen_default = False
        for name, spec in specs.items():
            if _required(spec) and seen_default:
                raise TypeError(f"non-default argument {name!r} follows default argument")
            seen_default = seen_default or not _required(spec)
        cls.field_specs = specs
        cls.field_names = tuple(specs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = self.field_names
        name_of = type(self).__qualname__
        if len(args) > len(names):
            raise TypeError(f"{name_of}.__init__() takes {len(names) + 1} positional arguments but "
                            f"{len(args) + 1} were given")
        values = self.__dict__
        values.update(zip(names[:len(args)], args, strict=True))
        for name, value in kwargs.items():
            if name not in self.field_specs:
                raise TypeError(f"{name_of}.__init__() got an unexpected keyword argument {name!r}")
            if name in values:
                raise TypeError(f"{name_of}.__init__() got multiple values for argument {name!r}")
            values[name] = value
        if len(values) < len(names):
            missing = []
            for name in names:
                if name in values:
                    continue
                spec = self.field_specs[name]
                if spec.default_factory is not None:
                    values[name] = spec.default_factory()
                elif spec.default is not _NO_DEFAULT:
                    values[name] = spec.default
                else:
                    missing.append(name)
            if missing:
                raise TypeError(f"{name_of}.__init__() missing {len(missing)} required argument"
                                f"{'s' if len(missing) > 1 else ''}: {', '.join(repr(n) for n in missing)}")
        if kwargs and list(values) != list(names):      # (keyword arguments out of order: as a dataclass's)
            ordered = {name: values[name] for name in names}
            values.clear()
            values.update(ordered)
        self.__post_init__()

    def __post_init__(self) -> None:
        """Checks of the values, after the constructor has set them (as a dataclass's)."""

    def __setattr__(self, name: str, value: object) -> None:
        from dataclasses import FrozenInstanceError  # (only on this error: dataclasses is ~1.3 ms of imports)
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        from dataclasses import FrozenInstanceError
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def replace(self: _F, **changes: Any) -> _F:
        """A copy with ``changes`` (field name: value) made, as ``dataclasses.replace``."""
        unknown = [name for name in changes if name not in self.field_specs]
        if unknown:
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword argument {unknown[0]!r}")
        return type(self)(**{name: changes[name] if name in changes else getattr(self, name)
                             for name in self.field_names})


def _required(spec: FieldSpec) -> bool:
    return spec.default is _NO_DEFAULT and spec.default_factory is None


class Value(Frozen):
    """A ``Frozen`` compared, hashed and shown by its fields."""

    compared_fields: ClassVar[tuple[str, ...]] = ()
    shown_fields: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.compared_fields = tuple(name for name, spec in cls.field_specs.items() if spec.compare)
        cls.shown_fields = tuple(name for name, spec in cls.field_specs.items() if spec.repr)

    def _key(self) -> tuple[object, ...]:
        return tuple([getattr(self, name) for name in self.compared_fields])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            assert isinstance(other, Value)
            return self._key() == other._key()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        parts = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.shown_fields)
        return f"{type(self).__qualname__}({parts})"
