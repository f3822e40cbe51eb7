"""A ``pipe_barrier(PIPE_V)`` written in the header of a loop or branch (a ``for`` initialiser or step,
an ``if``/``while``/``switch`` condition, through a comma expression or a lambda called there): the
model reads a header as text, never as barrier events, and such a barrier used to be missing from
the run's decisions altogether (red4's note): counted in no total, listed nowhere. Each one is now a
kept, unread decision at its own place, with the reason."""
from __future__ import annotations

from ptofix.cpp.barrier_sites import IN_HEADER
from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText

KERNEL = """\
__global__ AICORE void k(int32_t n) {
  Row a; TASSIGN(a, 0x0);
  Row b; TASSIGN(b, 0x100);
  Row c; TASSIGN(c, 0x200);
  TADDS(a, b, 1.0f);
  pipe_barrier(PIPE_V);
  TADDS(c, b, 2.0f);
  for (int i = (pipe_barrier(PIPE_V), 0); i < n; ++i) {
    TADDS(b, a, 1.0f);
  }
  for (int i = 0; i < n; pipe_barrier(PIPE_V), ++i) {
    TADDS(b, a, 1.0f);
  }
  if ((pipe_barrier(PIPE_V), n > 2)) {
    TADDS(a, c, 1.0f);
  }
  while ((pipe_barrier(PIPE_V), n-- > 0)) {
    TADDS(c, a, 1.0f);
  }
  switch ((pipe_barrier(PIPE_MTE2), pipe_barrier(PIPE_V), n)) {
  default:
    TADDS(a, c, 3.0f);
  }
  if ([&] { pipe_barrier(PIPE_V); return n > 0; }()) {
    TADDS(b, c, 1.0f);
  }
  if (n > 0) {
    pipe_barrier(PIPE_MTE2);
  }
}
"""
USING = ("using Row = Tile<TileType::Vec, float, 1, 64, BLayout::RowMajor, 1, 64, SLayout::NoneBox, 512, "
         "PadValue::Null, CompactMode::Null>;\n")


def test_every_barrier_in_a_header_is_listed_kept_where_it_is():
    text = USING + KERNEL
    decisions = BarrierAnalysis(parse_cpp(SourceText(text, "k.cpp"))).run({"auto"})
    source = SourceText(text, "k.cpp")
    places = {source.line_col(d.at if d.at >= 0 else d.stmt.span.start): d for d in decisions}
    # (the switch's PIPE_MTE2 barrier too: in an expression, its pipe is not read)
    expected = [(9, 17), (12, 26), (15, 8), (18, 11), (21, 12), (21, 37), (25, 13)]
    assert sorted(places) == sorted([(7, 3), *expected])
    for place in expected:
        d = places[place]
        assert d.unread and not d.removed, place
        assert IN_HEADER in d.reason, (place, d.reason)


def test_the_reason_a_header_leaves_control_flow_unread_names_the_header_s_statement():
    """`pipe_barrier` in a header is a call the model does not read, which may be a macro hiding a
    jump: the function's control flow is not modelled, and the reason said where the first statement
    of the loop's body was (10:5), not the loop (9:3)."""
    text = USING + KERNEL
    decisions = BarrierAnalysis(parse_cpp(SourceText(text, "k.cpp"))).run({"auto"})
    (first,) = [d for d in decisions if not d.unread]
    assert "k.cpp:9:3: 'pipe_barrier(...)' may be a macro that hides a jump" in first.reason, first.reason
