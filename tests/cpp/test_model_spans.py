"""A statement's span (model.Stmt.span, built from its packed offsets without the NamedTuple's
own constructor) is the Span of its start and end: the same type, fields, equality and hash."""
from hypothesis import given, settings
from hypothesis import strategies as st

from ptofix.cpp.model import Compound, OpaqueStmt, SimpleStmt, pack_span
from ptofix.source import Span


@settings(max_examples=500, deadline=None)
@given(st.integers(0, 2 ** 40), st.integers(0, 2 ** 40))
def test_a_statements_span_is_the_span_of_its_offsets(start, end):
    for stmt in (SimpleStmt(pack_span(start, end), ""), Compound(pack_span(start, end), []),
                 OpaqueStmt(Span(start, end), "", "r"), SimpleStmt(Span(start, end))):
        span = stmt.span
        assert type(span) is Span
        assert span == Span(start, end) and hash(span) == hash(Span(start, end))
        assert (span.start, span.end) == (start, end) and span[0] == start and span[1] == end
        assert span._replace(end=end + 1) == Span(start, end + 1)
        assert repr(span) == repr(Span(start, end))


@settings(max_examples=500, deadline=None)
@given(st.integers(0, 2 ** 40), st.integers(0, 2 ** 40))
def test_a_statements_offsets_are_its_spans(start, end):
    # (start_offset and offsets read the packed span without building it: near offsets packed in
    # one int, far ones in the other form.)
    for stmt in (SimpleStmt(pack_span(start, end), ""), Compound(pack_span(start, end), []),
                 OpaqueStmt(Span(start, end), "", "r"), SimpleStmt(Span(start, end))):
        assert stmt.start_offset() == stmt.span.start == start
        assert stmt.offsets() == (stmt.span.start, stmt.span.end) == (start, end)
