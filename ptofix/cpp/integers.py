"""C++'s integer rules on the target, one home for the proof (``cpp/semantics.py``) and the
simulator (``sim/interp.py``): the integer types by name, the type of an integer literal, the
integral promotions and the usual arithmetic conversions, wrap-around, and the value of every
integer operator, with what C++ leaves undefined (a division by zero, a shift by a negative count
or by the width or more) answered as ``None`` so that each reader fails closed in its own way.

The target is LP64 (bisheng for the AI core: ``int`` 32 bits, ``long`` and ``long long`` 64).
The rules are those of the C++ standard: literal types [lex.icon] (the first type of the
suffix's list that holds the value; an unsuffixed hex, octal or binary literal may be unsigned,
a decimal one only by its suffix), promotions [conv.prom], the usual arithmetic conversions
[expr.arith.conv], truncating division [expr.mul], shifts [expr.shift] (C++20: a left shift
wraps, a right shift of a negative value is arithmetic). Signed overflow of ``+ - *`` is
undefined in C++; both readers take the wrapped value (two's complement, what the compiler's
code computes), so they agree with each other, and the proof reads values only to place tiles.
"""
from __future__ import annotations

from ..structs import Struct

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar, Final


class IntType(Struct):
    """An integer type by its width and signedness (``bool`` is 1 bit, unsigned)."""

    __slots__ = ("bits", "signed")
    bits: int
    signed: bool
    _fields: ClassVar[tuple[str, ...]] = ("bits", "signed")

    def __init__(self, bits: int, signed: bool) -> None:
        self.bits = bits
        self.signed = signed

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IntType) and other.bits == self.bits and other.signed == self.signed

    def __hash__(self) -> int:
        return hash((self.bits, self.signed))


BOOL: Final = IntType(1, False)
INT32: Final = IntType(32, True)
UINT32: Final = IntType(32, False)
INT64: Final = IntType(64, True)
UINT64: Final = IntType(64, False)

# The integer types a kernel spells, by name (CCE's `event_t` and `pipe_t` are enumerations held
# as an int). `char` is not here: whether it is signed is the target's choice.
INTEGER_TYPES: dict[str, tuple[int, bool]] = {
    "int8_t": (8, True), "uint8_t": (8, False), "signed char": (8, True),
    "unsigned char": (8, False), "int16_t": (16, True), "uint16_t": (16, False), "short": (16, True),
    "unsigned short": (16, False), "int32_t": (32, True), "uint32_t": (32, False), "int": (32, True),
    "signed": (32, True), "signed int": (32, True), "unsigned": (32, False), "unsigned int": (32, False),
    "int64_t": (64, True), "uint64_t": (64, False), "long": (64, True), "unsigned long": (64, False),
    "long long": (64, True), "unsigned long long": (64, False), "size_t": (64, False),
    "ssize_t": (64, True), "uintptr_t": (64, False), "intptr_t": (64, True), "bool": (1, False),
    "event_t": (32, True), "pipe_t": (32, True),
}

COMPARISONS: Final = frozenset(["<", ">", "<=", ">=", "==", "!="])
SHIFTS: Final = frozenset(["<<", ">>"])
# Binary operators on integers whose result has the operands' common type.
ARITHMETIC: Final = frozenset(["+", "-", "*", "/", "%", "&", "|", "^"])
MAX_LITERAL_DIGITS: Final = 40     # more than any 128-bit value needs (int() refuses very long strings)


def wrap(value: int, ctype: IntType) -> int:
    """``value`` converted to ``ctype`` (modulo 2**bits [conv.integral]; to bool: whether nonzero)."""
    if ctype.bits == 1:
        return int(bool(value))
    value &= (1 << ctype.bits) - 1
    if ctype.signed and value >= 1 << (ctype.bits - 1):
        value -= 1 << ctype.bits
    return value


def promote(ctype: IntType) -> IntType:
    """The integral promotion: every type narrower than int (bool included) becomes int."""
    return INT32 if ctype.bits < 32 else ctype


def common_type(a: IntType, b: IntType) -> IntType:
    """The usual arithmetic conversions of two integer types: promoted, then the wider one; of
    equal width, unsigned if either is (LP64: a signed type of greater width holds every value of
    the narrower unsigned one, `long` and `unsigned int` give `long`)."""
    a, b = promote(a), promote(b)
    if a.bits == b.bits:
        return IntType(a.bits, a.signed and b.signed)
    return a if a.bits > b.bits else b


def binary_type(op: str, left: IntType, right: IntType) -> IntType:
    """The type of ``left op right``: bool for comparisons and `&&`/`||`, the promoted left
    operand's for shifts, the common type otherwise."""
    if op in COMPARISONS or op in ("&&", "||"):
        return BOOL
    if op in SHIFTS:
        return promote(left)
    return common_type(left, right)


def binary_value(op: str, x: int, y: int, left: object, right: object) -> int | None:
    """``x op y`` as C++ computes it, ``x`` of type ``left`` and ``y`` of type ``right``, in the
    result's type (binary_type). None where C++ leaves it undefined (division or remainder by
    zero, a shift count negative or not below the promoted left operand's width), for an operator
    not listed, or where a type it needs is not an IntType (a shift needs only the left one's,
    `&&`/`||` none)."""
    if op == "&&":
        return int(bool(x) and bool(y))
    if op == "||":
        return int(bool(x) or bool(y))
    if not isinstance(left, IntType):
        return None
    if op in SHIFTS:
        result = promote(left)
        if y < 0 or y >= result.bits:
            return None
        return wrap(x << y if op == "<<" else x >> y, result)
    if not isinstance(right, IntType) or (op not in ARITHMETIC and op not in COMPARISONS):
        return None
    common = common_type(left, right)
    a, b = wrap(x, common), wrap(y, common)
    if op in COMPARISONS:
        return int(a < b if op == "<" else a > b if op == ">" else a <= b if op == "<=" else
                   a >= b if op == ">=" else a == b if op == "==" else a != b)
    if op == "+":
        value = a + b
    elif op == "-":
        value = a - b
    elif op == "*":
        value = a * b
    elif op == "&":
        value = a & b
    elif op == "|":
        value = a | b
    elif op == "^":
        value = a ^ b
    else:                     # '/' or '%': the quotient truncates toward zero
        if b == 0:
            return None
        quotient = abs(a) // abs(b)
        if (a >= 0) != (b >= 0):
            quotient = -quotient
        value = quotient if op == "/" else a - quotient * b
    return wrap(value, common)


def unary_type(op: str, operand: IntType) -> IntType:
    """The type of ``op x``: bool for `!`, the promoted operand's for `-`, `+`, `~`."""
    return BOOL if op == "!" else promote(operand)


def unary_value(op: str, x: int, operand: IntType) -> int | None:
    """``op x`` for ``x`` of type ``operand`` (`-`, `+`, `~`, `!`), None for another operator."""
    if op == "!":
        return int(not x)
    result = promote(operand)
    if op == "-":
        return wrap(-x, result)
    if op == "+":
        return wrap(x, result)
    if op == "~":
        return wrap(~x, result)
    return None


def literal_value(text: str) -> int | None:
    """The value of the integer literal ``text`` (decimal, `0x` hex, `0b` binary, a leading 0
    octal, any `u`/`l`/`ll` suffix), None when it is not a well-formed one (a floating literal,
    an 8 or 9 in an octal one, a digit separator, more digits than any type holds)."""
    low = text.lower()
    digits = low.rstrip("ul")
    suffix = low[len(digits):]
    if suffix not in _SUFFIXES or not digits:
        return None
    base = 10
    if digits[:2] == "0x":
        base, digits = 16, digits[2:]
    elif digits[:2] == "0b":
        base, digits = 2, digits[2:]
    elif digits[:1] == "0" and len(digits) > 1:
        base, digits = 8, digits[1:]
    if not digits or len(digits) > MAX_LITERAL_DIGITS or not all(ch in _DIGITS[base] for ch in digits):
        return None
    return int(digits, base)


_DIGITS: Final = {2: "01", 8: "01234567", 10: "0123456789", 16: "0123456789abcdef"}
_SUFFIXES: Final = frozenset(["", "u", "l", "ul", "lu", "ll", "ull", "llu"])


def literal_type(text: str) -> IntType | None:
    """The type of the integer literal ``text`` [lex.icon]: the first of its candidate types that
    holds its value, the candidates set by its base and suffix; None when it is not a well-formed
    integer literal or no type holds it."""
    value = literal_value(text)
    if value is None:
        return None
    low = text.lower()
    suffix = low[len(low.rstrip("ul")):]
    unsigned, long_ = "u" in suffix, "l" in suffix
    decimal = not (low[:1] == "0" and len(low) - len(suffix) > 1)
    candidates: list[IntType]
    if unsigned:
        candidates = [UINT64] if long_ else [UINT32, UINT64]
    elif decimal:
        candidates = [INT64] if long_ else [INT32, INT64]
    else:
        candidates = [INT64, UINT64] if long_ else [INT32, UINT32, INT64, UINT64]
    for ctype in candidates:
        if value < 1 << (ctype.bits - 1 if ctype.signed else ctype.bits):
            return ctype
    return None
