"""A for header's parts are parsed once a function (FunctionSemantics.header_ast, #70 item 7): the
walk, the loop counter and the trip counts (weights.trip_count) read the same ASTs. The table is
keyed by the text and the parser: each answer must be what that parser gives that text, for near
misses too (the same text as a for init and as a condition, texts one character apart), and the
values and weights read from it must be those of the loops as written."""
from __future__ import annotations

from ptofix.cpp import stmt_parser as A
from ptofix.cpp.model import ForStmt, SimpleStmt
from ptofix.cpp.parser import parse_cpp
from ptofix.cpp.semantics import FileContext
from ptofix.cpp.weights import UNKNOWN_TRIPS, statement_weights
from ptofix.source import SourceText

TEXTS = ["int32_t i = 0", "int32_t i = 1", "i = 0", "i < 4", "i <= 4", "i < 40", "++i", "i++", "i += 2", "i += 3",
         "i = i + 1", "", "int32_t j = 0, k = 1", "x(", "(i)", "i < n"]


def _semantics(text: str):
    model = parse_cpp(SourceText(text, "loops.cpp"))
    fn = model.functions[0]
    sem = FileContext(model).semantics(fn)
    assert sem is not None
    return fn, sem


def test_each_text_and_parser_gets_what_that_parser_gives():
    _, sem = _semantics("__global__ AICORE void k() {\n}\n")
    for _ in range(2):      # (asked again: read back)
        for text in TEXTS:
            assert repr(sem.header_ast(text, True)) == repr(A.parse_for_init(text)), text
            assert repr(sem.header_ast(text, False)) == repr(A.parse_condition(text)), text
    # The same text read as a for init and as a condition: two entries, two parsers' answers.
    assert repr(A.parse_for_init("i = 0")) != repr(A.parse_condition("int32_t i = 0"))
    assert repr(sem.header_ast("int32_t i = 0", True)) != repr(sem.header_ast("int32_t i = 0", False))


LOOPS = """__global__ AICORE void k(int32_t n) {
  for (int32_t i = 0; i < 4; ++i) {
    x0 = 1;
    for (int32_t j = 0; j < 3; j += 1) {
      x1 = 1;
    }
    for (int32_t j = 0; j < 30; j += 10) {
      x2 = 1;
    }
    for (int32_t j = 0; j <= 3; j += 1) {
      x3 = 1;
    }
    for (int32_t j = 0; j < n; j += 1) {
      x4 = 1;
    }
  }
}
"""


def test_trip_counts_of_near_miss_loops_are_their_own():
    fn, sem = _semantics(LOOPS)
    weights = statement_weights(fn, sem)
    by_target = {stmt.text.split()[0]: weights[id(stmt)] for stmt in fn.statements() if isinstance(stmt, SimpleStmt)}
    assert by_target == {"x0": 4, "x1": 12, "x2": 12, "x3": 16, "x4": 4 * UNKNOWN_TRIPS}
    # Each loop's parts are read from the table: the ASTs the walk parsed.
    loops = [stmt for stmt in fn.statements() if isinstance(stmt, ForStmt)]
    assert len(loops) == 5
    for loop in loops:
        assert sem.header_ast(loop.init, True) is sem.header_ast(loop.init, True)
        assert repr(sem.header_ast(loop.cond, False)) == repr(A.parse_condition(loop.cond))
