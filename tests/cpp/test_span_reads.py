"""A statement's ``span`` is made with tuple.__new__ (model._new_span), not by calling the
NamedTuple (whose __new__ is Python code: ~4x slower, and the analysis reads tens of thousands of
spans, #70 item 7). What a caller gets must be the Span the constructor call made: same type, same
fields, equal, same hash, same repr, unpacked alike, for a near span and for a far one (packed as
a negative int)."""
from __future__ import annotations

import pickle

import pytest

from ptofix.cpp.model import SPAN_SHIFT, Compound, SimpleStmt, pack_span
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText, Span


@pytest.mark.parametrize("start, end", [(0, 0), (3, 9), (17, 1 << 20), (1, 1 << SPAN_SHIFT), (2**40, 2**41)])
def test_a_statement_s_span_is_the_span_a_call_makes(start, end):
    for stmt in (SimpleStmt(pack_span(start, end), "x"), Compound(Span(start, end))):
        span = stmt.span
        made = Span(start, end)
        assert type(span) is Span and span == made and hash(span) == hash(made) and repr(span) == repr(made)
        assert (span.start, span.end) == (start, end) and tuple(span) == (start, end) and len(span) == 2
        assert span._asdict() == {"start": start, "end": end} and span._replace(end=end + 1) == Span(start, end + 1)
        assert pickle.loads(pickle.dumps(span)) == made
        first, last = span
        assert (first, last) == (start, end)


def test_every_statement_of_a_kernel_spans_its_text():
    text = "__global__ AICORE void k() {\n  int32_t a = 1;\n  if (a) { TADD(x, x, x); }\n  pipe_barrier(PIPE_V);\n}\n"
    model = parse_cpp(SourceText(text, "k.cpp"))
    stmts = list(model.functions[0].statements())
    assert stmts
    for stmt in stmts:
        span = stmt.span
        assert type(span) is Span and 0 <= span.start <= span.end <= len(text)
        if isinstance(stmt, SimpleStmt):
            assert span.text(model.source) == stmt.text
