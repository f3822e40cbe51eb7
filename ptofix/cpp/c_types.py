"""C's integer and type rules as the proof applies them: the type of an expression (expr_type), integer
promotion and the usual arithmetic conversions on the target (integers.py), casts, pointer types,
and the type-name sets the statement reading uses."""
from __future__ import annotations

from typing import Protocol

from ..pto.tiles import LOCAL_POINTER_LIMIT, dtype_size
from . import stmt_parser as A
from .integers import INTEGER_TYPES, IntType, common_type, promote, wrap
from .integers import literal_type as integer_literal_type
from .keywords import strip_pto as _strip_pto
from .symbols import PtrType

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Final


class TypeScope(Protocol):
    """What the type of an expression depends on in the function it is read in
    (function_state.FunctionState, and semantics.FunctionSemantics through its state)."""

    @property
    def local_alias_names(self) -> set[str]: ...

    @property
    def template_params(self) -> set[str]: ...

    def file_constant(self, name: str) -> tuple[IntType, int] | None: ...

    def resolve_in_file_scope(self, type_: A.TypeRef) -> A.TypeRef: ...


_INT_TYPES: Final = INTEGER_TYPES
FLOATING_TYPES: Final = {"float", "double", "half", "bfloat16_t", "float16_t", "float32_t"}
# Arithmetic types of no namespace (argument-dependent lookup adds none for them or pointers to
# them); not CCE's `pipe_t`/`event_t`, enumerations of the global namespace.
BUILTIN_ARITHMETIC_TYPES: Final = frozenset(_INT_TYPES) - {"event_t", "pipe_t"} | {"float", "double", "void"}
VALID_DIM_TYPE: Final = IntType(32, False)    # a tile's valid rows and columns (pto-isa: `unsigned`)
VALID_DIM_GETTERS: Final = {"GetValidRow": 0, "GetValidCol": 1}   # tile methods returning them
# Named types whose objects carry no UB binding of their own and whose constructors are plain data
# (pto-isa GlobalTensor/Shape/Stride views, the TPipe object, mode enums, TMRGSORT's
# MrgSortExecutedNumList: an aggregate of four uint16_t, docs/reference/pto-facts.md).
VALUE_OBJECT_TYPES: Final = {"GlobalTensor", "Shape", "Stride", "TPipe", "RoundMode", "SaturationMode", "CmpMode",
                       "Layout", "TileSplitAxis", "PTOAutoSyncTailMode", "MrgSortExecutedNumList"}
TILE_TYPE_NAMES: Final = {"Tile", "pto::Tile", "::pto::Tile"}



# -- value computation ----------------------------------------------------------------------------
def wrap_if_integer(value: int, ctype: object) -> int:
    return wrap(value, ctype) if isinstance(ctype, IntType) else value


def pointer_values(values: frozenset | None) -> frozenset | None:
    """``values`` of a pointer, or None where one of them may not survive a 32-bit pointer
    (pto/tiles.py LOCAL_POINTER_LIMIT)."""
    if values is None or any(not 0 <= v < LOCAL_POINTER_LIMIT for v in values):
        return None
    return values


def _promote(t: object) -> object:
    return promote(t) if isinstance(t, IntType) else t


def _common(a: object, b: object) -> IntType | None:
    return common_type(a, b) if isinstance(a, IntType) and isinstance(b, IntType) else None


def literal_type(node: A.Number) -> IntType | str | None:
    """The C++ type of a number literal: "float" for a floating one, else integers.literal_type
    (None for one no type holds)."""
    if not isinstance(node.value, int):
        return "float"
    return integer_literal_type(node.text)


_SIZE_T: Final = IntType(*INTEGER_TYPES["size_t"])


def expr_type(node: Any, env: dict, sem: TypeScope) -> object:
    """Static C++ type of an expression: IntType, PtrType, "float" or None (unknown)."""
    try:
        return _expr_type(node, env, sem)
    except RecursionError:
        return None


def _expr_type(node: Any, env: dict, sem: TypeScope) -> object:
    if isinstance(node, A.Number):
        return literal_type(node)
    if isinstance(node, A.Literal):
        return IntType(1, False) if isinstance(node.value, bool) else PtrType(None)
    if isinstance(node, A.Name):
        sym = env.get(node.id)
        if sym is None:
            constant = sem.file_constant(node.id)
            return None if constant is None else constant[0]
        return sym.ctype if sym.kind == "scalar" else None
    if isinstance(node, A.Cast):
        return cast_type_of(node.type, sem, env)
    if isinstance(node, A.SizeOf):
        # (Its value is read by the value model only for a builtin type: ValueModel._eval.)
        return _SIZE_T
    if isinstance(node, A.Call):
        tmpl = node.template
        if tmpl is not None and _strip_pto(tmpl.name) in ("reinterpret_cast", "static_cast") and tmpl.args \
                and isinstance(tmpl.args[0], A.TypeRef):
            return cast_type_of(tmpl.args[0], sem, env)
        func = node.func
        if isinstance(func, A.Member) and func.field == "data" and isinstance(func.obj, A.Name):
            sym = env.get(func.obj.id)
            if sym is not None and sym.kind == "tile" and sym.tile is not None and sym.tile.dtype:
                return PtrType(dtype_size(sym.tile.dtype))
        if isinstance(func, A.Member) and func.field in VALID_DIM_GETTERS and isinstance(func.obj, A.Name):
            sym = env.get(func.obj.id)
            if sym is not None and sym.kind == "tile":
                return VALID_DIM_TYPE
        return None
    if isinstance(node, A.Unary):
        inner = _expr_type(node.operand, env, sem)
        if node.op in ("-", "+", "~"):
            return _promote(inner) if isinstance(inner, IntType) else inner if inner == "float" else None
        if node.op == "!":
            return IntType(1, False)
        return None
    if isinstance(node, A.Binary):
        left, right = _expr_type(node.left, env, sem), _expr_type(node.right, env, sem)
        if node.op in ("<", ">", "<=", ">=", "==", "!=", "&&", "||"):
            return IntType(1, False)
        if node.op in ("<<", ">>"):
            return _promote(left) if isinstance(left, IntType) else None
        if isinstance(left, PtrType) and isinstance(right, IntType) and node.op in "+-":
            return left
        if isinstance(right, PtrType) and isinstance(left, IntType) and node.op == "+":
            return right
        if left == "float" or right == "float":
            return "float"
        return _common(left, right)
    if isinstance(node, A.Ternary):
        a, b = _expr_type(node.then, env, sem), _expr_type(node.orelse, env, sem)
        return a if a == b else _common(a, b)
    return None


def cast_type_of(type_: A.TypeRef, sem: TypeScope, env: dict) -> object:
    if type_.name in sem.local_alias_names or type_.name in sem.template_params:
        return None
    resolved = sem.resolve_in_file_scope(type_) if type_.template is None else type_
    if resolved.pointer:
        return pointer_type(resolved)
    if resolved.name in _INT_TYPES:
        bits, signed = _INT_TYPES[resolved.name]
        return IntType(bits, signed)
    if resolved.name in FLOATING_TYPES:
        return "float"
    return None


def pointer_type(type_: A.TypeRef) -> PtrType:
    space = "gm" if "__gm__" in type_.quals else "ub" if "__ubuf__" in type_.quals else ""
    # (A pointer to a pointer steps by a pointer's width, 4 or 8 bytes: not known.)
    return PtrType(dtype_size(type_.name) if type_.pointer == 1 else None, space)


def template_key(node: A.TemplateId) -> tuple:
    out = []
    for arg in node.args:
        if isinstance(arg, A.Number):
            out.append(str(arg.value))
        elif isinstance(arg, A.Name):
            out.append(arg.id.split("::")[-1])
        elif isinstance(arg, A.Literal):
            out.append(str(arg.value))
        else:
            out.append(type(arg).__name__)
    return (node.name, tuple(out))
