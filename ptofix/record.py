"""A light record base class for the passes' options and results (pass_manager.Pass and its
subclasses, PassResult, PipelineOutcome).

``@dataclass`` generates code with ``exec`` for every class at import (and imports inspect),
which cost the CLI's start-up several ms (measured with ``-X importtime``). ``Record`` reads the
field names from the class annotations once at import and generates a class's ``__init__`` only
when the class is first instantiated, so start-up pays nothing for classes a run never builds.
Instances behave like ``@dataclass(eq=False)`` ones (positional or keyword arguments, defaults,
``__post_init__``, repr, ``vars()``). A list, dict or set default is copied per instance.

The compiled model's classes (statements, AST nodes, events) are not Records: mypyc compiles a
class with its fields and constructor spelled out (``ptofix.structs``), not one a base class
completes at run time.
"""
from __future__ import annotations

from types import FunctionType

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, dataclass_transform
else:
    def dataclass_transform(**kwargs):
        """typing.dataclass_transform for the type checker only (importing typing costs start-up)."""
        return lambda cls: cls

_MUTABLE = (list, dict, set)


class _Missing:
    """Default of a parameter that needs work when it is left out (a copied or required field)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()


# Compiled constructors by shape. A constructor's code depends on a field's name only through
# the names it binds and stores, so it is compiled once per shape with placeholder names (a0, f0,
# ...) and each class gets a copy with its own names (code.replace): most node classes share a
# shape (so many fields, plain stores), and compiling each class's own source cost a one-kernel
# run ~3 ms.
_SHAPES: dict[str, Any] = {}


def _generate_init(cls: type) -> Any:
    """``__init__`` for ``cls``: one parameter and one attribute store per field."""
    fields: tuple = cls._fields  # type: ignore[attr-defined]
    defaults: dict = cls._defaults  # type: ignore[attr-defined]
    namespace: dict[str, Any] = {"_MISSING": _MISSING, "_cls": cls}
    params, body, argdefs = ["_self_"], [], []
    seen_default = False
    for i, name in enumerate(fields):
        if name in defaults:
            seen_default = True
            value = defaults[name]
            params.append(f"a{i}")
            if isinstance(value, _MUTABLE):
                namespace[f"_d{i}"] = value
                argdefs.append(_MISSING)
                body.append(f"    _self_.f{i} = _d{i}.copy() if a{i} is _MISSING else a{i}")
                continue
            argdefs.append(value)
        elif seen_default:
            # A required field after a defaulted one: Python's signature cannot say so directly.
            params.append(f"a{i}")
            argdefs.append(_MISSING)
            body.append(f"    if a{i} is _MISSING:\n"
                        f"        raise TypeError(_cls.__name__ + \"() missing argument '{name}'\")")
        else:
            params.append(f"a{i}")
        body.append(f"    _self_.f{i} = a{i}")
    if hasattr(cls, "__post_init__"):
        body.append("    _self_.__post_init__()")      # option checks, as a dataclass does
    source = f"def __init__({', '.join(params)}):\n" + ("\n".join(body) or "    pass") + "\n"
    code = _SHAPES.get(source)
    if code is None:
        scratch: dict[str, Any] = {}
        exec(source, scratch)   # noqa: S102 - the text is built from placeholders and field names
        code = _SHAPES[source] = scratch["__init__"].__code__
    rename = {f"f{i}": name for i, name in enumerate(fields)}
    rename.update((f"a{i}", name) for i, name in enumerate(fields))
    code = code.replace(co_varnames=tuple(rename.get(n, n) for n in code.co_varnames),
                        co_names=tuple(rename.get(n, n) for n in code.co_names))
    init = FunctionType(code, namespace, "__init__", tuple(argdefs) or None)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init._record_generated = True  # type: ignore[attr-defined]
    return init


def fields(record: Record) -> dict[str, Any]:
    """A record's fields and values in declaration order (also for a ``ptofix.structs.Struct``)."""
    return {name: getattr(record, name) for name in record._fields}


@dataclass_transform(eq_default=False)
class Record:
    _fields: ClassVar[tuple] = ()
    _defaults: ClassVar[dict] = {}
    _hidden: ClassVar[frozenset] = frozenset()   # fields left out of repr
    _generated_init: ClassVar[Any] = None         # the class's own constructor, built on first use

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
        inherited = getattr(parent, "__init__", None)
        if "__init__" not in cls.__dict__ and (inherited is Record.__init__
                                               or getattr(inherited, "_record_generated", False)):
            # Every class gets its own stub: an inherited generated __init__ would set the
            # parent's fields only. A hand-written __init__ up the chain is inherited as it is.
            cls.__init__ = Record.__init__  # type: ignore[method-assign]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # First instance of this class: replace the stub by the generated constructor.
        cls = type(self)
        init = cls.__dict__.get("_generated_init")
        if init is None:
            init = _generate_init(cls)
            cls._generated_init = init
            if cls.__dict__.get("__init__") is Record.__init__:
                cls.__init__ = init  # type: ignore[method-assign]
        init(self, *args, **kwargs)

    def __repr__(self) -> str:
        parts = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields if name not in self._hidden)
        return f"{type(self).__name__}({parts})"
