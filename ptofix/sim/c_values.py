"""The interpreter's values: C scalars with their type (CVal; wrap-around, integer promotion and the
usual arithmetic conversions), UB pointers, valid shapes, and the exception that carries an
interpreter error."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..cpp import integers
from ..exit_status import internal_error
from ..pto.tiles import LOCAL_POINTER_LIMIT
from .memory import SimError, bf16_to_f32, dtype_of, f32_to_bf16
from .ops_numpy import Sym


def type_code(ctype: integers.IntType) -> str:
    return "bool" if ctype.bits == 1 else f"{'i' if ctype.signed else 'u'}{ctype.bits}"


INT_TYPES = {type_code(integers.IntType(bits, signed)): integers.IntType(bits, signed)
             for bits, signed in integers.INTEGER_TYPES.values()}
CTYPE = {name: type_code(integers.IntType(bits, signed)) for name, (bits, signed) in integers.INTEGER_TYPES.items()}



@dataclass(frozen=True)
class CVal:
    """A C scalar: Python int/float plus its type code (i32, u64, f32, ...)."""

    v: Any          # int or float
    t: str

    def __int__(self) -> int:
        return int(self.v)

    def __float__(self) -> float:
        return float(self.v)

    def __index__(self) -> int:
        return int(self.v)


def wrap(value, t: str):
    if t in ("f32", "f16"):
        with np.errstate(all="ignore"):      # overflow to inf is the C result, not a warning
            return float(np.float32(value)) if t == "f32" else float(np.float16(value))
    if t == "f64":
        return float(value)
    if t == "bool":
        return 1 if value else 0
    if isinstance(value, float):
        if value != value:
            value = 0
        elif value in (float("inf"), float("-inf")):
            raise SimError(f"conversion of {value} to an integer (undefined in C)")
        value = int(value)
    return integers.wrap(value, INT_TYPES[t])


def conv(x: CVal, t: str) -> CVal:
    return CVal(wrap(x.v, t), t)


def to_scalar_type(x: CVal, type_name: str) -> CVal:
    """``x`` converted to the C++ scalar type ``type_name``: a bfloat16_t is computed with as a
    float (f32) but holds only what bf16 holds, so the value is rounded to it."""
    value = conv(x, CTYPE[type_name])
    if type_name == "bfloat16_t":
        with np.errstate(all="ignore"):
            rounded = bf16_to_f32(f32_to_bf16(np.array([value.v], np.float32)))
        value = CVal(float(rounded[0]), "f32")
    return value


def promote(t: str) -> str:
    return type_code(integers.promote(INT_TYPES[t])) if t in INT_TYPES else t


def common_type(a: str, b: str) -> str:
    if a[0] == "f" or b[0] == "f":
        if "f64" in (a, b):
            return "f64"
        return "f32"
    return type_code(integers.common_type(INT_TYPES[a], INT_TYPES[b]))


def number(text: str) -> CVal:
    low = text.lower()
    if not low.startswith(("0x", "0b")) and (any(c in low for c in ".e") or low.endswith("f")):
        is_f = low.endswith("f")
        fv = float(low.rstrip("fl"))
        return CVal(wrap(fv, "f32") if is_f else fv, "f32" if is_f else "f64")
    digits = low.rstrip("ul")
    if len(digits) > integers.MAX_LITERAL_DIGITS:
        raise SimError(f"integer literal with {len(digits)} digits is too large")
    value, ctype = integers.literal_value(text), integers.literal_type(text)
    if value is None:
        raise SimError(f"integer literal '{text}' not understood")
    if ctype is None:
        raise SimError(f"integer literal {value} fits no integer type")
    return CVal(value, type_code(ctype))


@dataclass(frozen=True)
class UBPtr:
    """A ``__ubuf__ T*`` value (``tile.data()``): a UB byte address."""

    addr: int
    elem: str

    def __post_init__(self) -> None:
        if not 0 <= self.addr < LOCAL_POINTER_LIMIT:
            # A 32-bit local pointer may cut it (pto/tiles.py): the proof reads it as unknown too.
            raise SimError(f"UB pointer value {self.addr} does not fit 32 bits")

    def add(self, count: int) -> UBPtr:
        return UBPtr(self.addr + int(count) * dtype_of(self.elem)[0].itemsize, self.elem)


def as_int(value, what: str = "value") -> int:
    """An integer operand (Python/numpy int or integer CVal); anything else cannot be run."""
    if isinstance(value, CVal):
        if value.t[0] == "f":
            raise SimError(f"{what} must be an integer, got a {value.t} value")
        return int(value.v)
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    raise SimError(f"{what} must be an integer, got {describe(value)}")


def describe(value) -> str:
    if isinstance(value, CVal):
        return f"a {value.t} value"
    if isinstance(value, Sym):
        return f"'{value.name}'"
    if value is None:
        return "nothing (void)"
    return f"a {type(value).__name__}"


@dataclass
class ShapeVal:
    kind: str          # Shape / Stride
    dims: tuple


class InternalError(Exception):
    """An exception inside the simulator itself (not the user's input): exit status 3."""

    def __init__(self, error: BaseException, location: str = ""):
        super().__init__(f"{type(error).__name__}: {error}")
        self.error = error
        self.location = location

    def format(self) -> str:
        # The one wording of an internal error (exit_status.internal_error).
        return internal_error(str(self), self.location or None)
