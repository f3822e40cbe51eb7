"""C++'s integer rules (ptofix/cpp/integers.py) as the proof's value model and the simulator's
interpreter apply them: both agree with a reference written here from the standard (Python's
unbounded integers reduced modulo 2**bits), on generated literals, types and operators."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptofix.cpp import integers
from ptofix.cpp.c_types import literal_type as proof_literal_type
from ptofix.cpp.parser import parse_cpp
from ptofix.cpp.semantics import analyse_function
from ptofix.cpp.stmt_parser import parse_statement
from ptofix.pto.tiles import UB_BYTES
from ptofix.sim import memory as sim_memory
from ptofix.sim.c_values import CVal, number
from ptofix.sim.fifo import FifoState
from ptofix.sim.interp import Interpreter, KernelConfig, StatementTable
from ptofix.sim.memory import SimError
from ptofix.sim.schedule import Scheduler
from ptofix.source import SourceText

# The reference: (bits, signed) of each type name, LP64.
TYPES = {"int8_t": (8, True), "uint8_t": (8, False), "int16_t": (16, True), "uint16_t": (16, False),
         "int32_t": (32, True), "uint32_t": (32, False), "int64_t": (64, True), "uint64_t": (64, False),
         "bool": (1, False)}
NAMES = {kind: name for name, kind in TYPES.items()}
OPERATORS = ["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", "<", ">", "<=", ">=", "==", "!=", "&&", "||"]


def reduce(value: int, kind: tuple[int, bool]) -> int:
    bits, signed = kind
    if bits == 1:
        return int(value != 0)
    value %= 1 << bits
    return value - (1 << bits) if signed and value >= 1 << (bits - 1) else value


def promoted(kind: tuple[int, bool]) -> tuple[int, bool]:
    return (32, True) if kind[0] < 32 else kind


def common(a: tuple[int, bool], b: tuple[int, bool]) -> tuple[int, bool]:
    a, b = promoted(a), promoted(b)
    if a[0] != b[0]:
        return max(a, b)
    return (a[0], a[1] and b[1])


def reference(op: str, x: int, a: tuple[int, bool], y: int, b: tuple[int, bool]) -> tuple[int, tuple] | None:
    """(value, type) of `x op y`, None where C++ leaves it undefined."""
    if op in ("&&", "||"):
        return int(bool(x) and bool(y) if op == "&&" else bool(x) or bool(y)), (1, False)
    if op in ("<<", ">>"):
        kind = promoted(a)
        if not 0 <= y < kind[0]:
            return None
        return reduce(x << y if op == "<<" else x >> y, kind), kind
    kind = common(a, b)
    x, y = reduce(x, kind), reduce(y, kind)
    if op in ("<", ">", "<=", ">=", "==", "!="):
        return int(eval(f"x {op} y")), (1, False)
    if op in ("/", "%"):
        if y == 0:
            return None
        quotient = abs(x) // abs(y) * (1 if (x < 0) == (y < 0) else -1)     # truncates toward zero
        return reduce(quotient if op == "/" else x - quotient * y, kind), kind
    return reduce(eval(f"x {op} y"), kind), kind


def initializer(value: int) -> str:
    """``value`` as C++ spells it (a decimal literal of 2**63 or more has no type)."""
    if value == -2**63:
        return "(-9223372036854775807 - 1)"
    return hex(value) if value >= 2**63 else str(value)


def literal(value: int, base: str, suffix: str) -> str:
    return (hex(value) if base == "hex" else f"0{value:o}" if base == "oct" and value else str(value)) + suffix


def reference_literal_type(value: int, base: str, suffix: str) -> tuple[int, bool] | None:
    """[lex.icon]'s table: the first type of the list that holds the value."""
    unsigned, long_ = "u" in suffix.lower(), "l" in suffix.lower()
    if unsigned:
        ladder = [(64, False)] if long_ else [(32, False), (64, False)]
    elif base == "dec":
        ladder = [(64, True)] if long_ else [(32, True), (64, True)]
    else:
        ladder = [(64, True), (64, False)] if long_ else [(32, True), (32, False), (64, True), (64, False)]
    return next((kind for kind in ladder if value < 1 << (kind[0] - 1 if kind[1] else kind[0])), None)


VALUES = st.one_of(st.integers(0, 300), st.sampled_from([2**7, 2**8 - 1, 2**15, 2**16 - 1, 2**31 - 1, 2**31,
                                                         2**32 - 1, 2**32, 2**63 - 1, 2**63, 2**64 - 1]),
                   st.integers(0, 2**64 - 1))
SUFFIXES = st.sampled_from(["", "u", "U", "l", "L", "ul", "UL", "lu", "ll", "LL", "ull", "ULL", "llu"])
BASES = st.sampled_from(["dec", "hex", "oct"])


@settings(max_examples=300, deadline=None)
@given(VALUES, BASES, SUFFIXES)
def test_literal_types_follow_the_standard_in_the_proof_and_the_simulator(value, base, suffix):
    text = literal(value, base, suffix)
    expected = reference_literal_type(value, base, suffix)
    node = parse_statement(f"x = {text};").value
    proof = proof_literal_type(node)
    assert (None if proof is None else (proof.bits, proof.signed)) == expected
    if expected is None:
        with pytest.raises(SimError, match="fits no integer type"):
            number(text)
    else:
        assert number(text) == CVal(value, ("i" if expected[1] else "u") + str(expected[0]))


@pytest.mark.parametrize("text, kind", [
    ("2147483647", (32, True)), ("2147483648", (64, True)), ("0x7FFFFFFF", (32, True)),
    ("0x80000000", (32, False)), ("0xFFFFFFFFFFFFFFFF", (64, False)), ("4294967296u", (64, False)),
    ("0100000000000", (64, True)), ("020000000000", (32, False)), ("1l", (64, True)), ("0x1LL", (64, True)),
    ("9223372036854775808", None), ("0b101", (32, True)), ("08", None),
])
def test_literal_types_of_the_standards_examples(text, kind):
    ctype = integers.literal_type(text)
    assert (None if ctype is None else (ctype.bits, ctype.signed)) == kind


def _proof_value(source: str, name: str):
    return analyse_function(parse_cpp(SourceText(source, "k.cpp"))).value_set(name)


def _simulated_value(source: str, name: str):
    model = parse_cpp(SourceText(source, "k.cpp"))
    memory = sim_memory.Memory(0, UB_BYTES, core=0)
    interpreter = Interpreter(model, memory, Scheduler(memory, None, 4, 0.5), FifoState(0), KernelConfig(),
                              StatementTable())
    interpreter.scopes.append({})
    interpreter.exec_block(model.functions[0].body.body, new_scope=False)
    return interpreter.lookup(name)


@settings(max_examples=250, deadline=None)
@given(st.sampled_from(sorted(TYPES)), VALUES, st.sampled_from(sorted(TYPES)), VALUES, BASES, SUFFIXES,
       st.sampled_from(OPERATORS), st.booleans())
def test_proof_and_simulator_compute_operators_as_cpp_does(left_type, x, right_type, y, base, suffix, op,
                                                           literal_operand):
    a = reduce(x, TYPES[left_type])
    if literal_operand:      # `a op LITERAL`: the literal's own type takes part in the conversions
        right = literal(y, base, suffix)
        kind = reference_literal_type(y, base, suffix)
        if kind is None:
            return
        b, declarations = y, f"  {left_type} a = {initializer(a)};\n"
    else:
        right, kind = "b", TYPES[right_type]
        b = reduce(y, kind)
        declarations = f"  {left_type} a = {initializer(a)};\n  {right_type} b = {initializer(b)};\n"
    expected = reference(op, a, TYPES[left_type], b, kind)
    result_type = NAMES[expected[1]] if expected is not None else "int64_t"
    source = f"__global__ AICORE void k() {{\n{declarations}  {result_type} r = a {op} {right};\n}}\n"
    proof = _proof_value(source, "r")
    if expected is None:
        assert proof is None
        with pytest.raises(SimError, match="undefined in C|division by zero"):
            _simulated_value(source, "r")
        return
    assert proof == {expected[0]}
    simulated = _simulated_value(source, "r")
    assert (simulated.v, simulated.t) == (expected[0], "bool" if expected[1][0] == 1 else
                                          ("i" if expected[1][1] else "u") + str(expected[1][0]))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(TYPES)), VALUES, st.sampled_from(["-", "~", "!", "+"]))
def test_proof_and_simulator_compute_unary_operators_as_cpp_does(type_name, x, op):
    kind = TYPES[type_name]
    a = reduce(x, kind)
    result = (1, False) if op == "!" else promoted(kind)
    value = reduce({"-": -a, "~": ~a, "!": int(not a), "+": a}[op], result)
    source = f"__global__ AICORE void k() {{\n  {type_name} a = {initializer(a)};\n  {NAMES[result]} r = {op}a;\n}}\n"
    assert _proof_value(source, "r") == {value}
    assert _simulated_value(source, "r").v == value
