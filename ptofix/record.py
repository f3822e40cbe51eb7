"""A light record base class for model and AST nodes.

``@dataclass`` generates code with ``exec`` for every class at import, which cost ~25 ms of the
CLI's start-up across the ~40 node classes (measured with ``-X importtime``). ``Record`` reads the
field names from the class annotations once and shares one ``__init__`` that sets positional
arguments with a single ``dict.update`` (generating code per class, as dataclass does, costs ~1 ms a
class with ``exec``). Instances behave like
``@dataclass(eq=False)`` ones (positional or keyword arguments, defaults, repr, ``vars()``).
A list, dict or set default is copied per instance.
"""
from __future__ import annotations

from typing import Any, ClassVar, dataclass_transform

_MUTABLE = (list, dict, set)


@dataclass_transform(eq_default=False)
class Record:
    _fields: ClassVar[tuple] = ()
    _defaults: ClassVar[dict] = {}
    _hidden: ClassVar[frozenset] = frozenset()   # fields left out of repr

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        parent = cls.__mro__[1]
        fields = list(getattr(parent, "_fields", ()))
        defaults = dict(getattr(parent, "_defaults", {}))
        for name, annotation in cls.__dict__.get("__annotations__", {}).items():
            if "ClassVar" in str(annotation):
                continue
            if name not in fields:
                fields.append(name)
            if name in cls.__dict__:
                defaults[name] = cls.__dict__[name]
        cls._fields = tuple(fields)
        cls._defaults = defaults

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = self._fields
        values = self.__dict__
        values.update(zip(fields, args, strict=False))          # positional arguments, set in C
        if not kwargs and len(args) == len(fields):
            return
        if len(args) < len(fields):
            defaults = self._defaults
            for name in fields[len(args):]:
                if name in kwargs:
                    values[name] = kwargs.pop(name)
                elif name in defaults:
                    value = defaults[name]
                    values[name] = value.copy() if isinstance(value, _MUTABLE) else value
                else:
                    raise TypeError(f"{type(self).__name__}() missing argument '{name}'")
        elif len(args) > len(fields):
            raise TypeError(f"{type(self).__name__}() takes at most {len(fields)} arguments")
        if kwargs:
            raise TypeError(f"{type(self).__name__}() got unexpected arguments {sorted(kwargs)}")

    def __repr__(self) -> str:
        parts = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields if name not in self._hidden)
        return f"{type(self).__name__}({parts})"

