"""The values of a for loop's counter, and a tile's address computed from it, built to break.

The value model walks a counter that only its loop's header writes (`for (T i = a; cond; step)`)
from its start through every value the condition admits, so `TASSIGN(b, base + i * size)` gives
b one known address per iteration (ValueModel._induction_values). Each kernel below has
`TADD(a, a, a)` on the tile a at UB [0, 8192), a barrier, then `TMUL(b, b, b)` with b bound in the
loop: the control kernels' b never meets a, each adversary's b does in one iteration, or its
counter is not the header's alone. A model that reads the loop wrongly (misses the last
iteration, a write in the body, a wrap, a bound that changes) removes the barrier.
"""
from __future__ import annotations

import pytest

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText

TILE = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"
DYNAMIC = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, -1, -1, SLayout::NoneBox, 512, PadValue::Null>"


def loop_kernel(header: str, bind: str = "TASSIGN(b, 65536 - i * 8192);", body_before: str = "",
                helpers: str = "", outer: str = "") -> str:
    return f"""{helpers}
__global__ AICORE void k(__gm__ float* x, int64_t n) {{
  {TILE} a;
  TASSIGN(a, 0);
{outer}
  for ({header}) {{
    {TILE} b;
    {TILE} c;
{body_before}
    {bind}
    pipe_barrier(PIPE_ALL);
    TADD(a, a, a);
    pipe_barrier(PIPE_V);
    TMUL(b, b, b);
  }}
}}
"""


def removed(src: str) -> list[bool]:
    model = parse_cpp(SourceText(src, "adversary.cpp"))
    return [d.removed for d in BarrierAnalysis(model).run({"auto"}) if not d.unread]


@pytest.mark.parametrize("header", [
    "int64_t i = 0; i < 8; i += 1",            # b at 65536 down to 8192: never a's bytes
    "int64_t i = 0; i < 8; ++i",
    "int64_t i = 0; i <= 7; i++",
    "int64_t i = 7; i >= 0; --i",
    "int64_t i = 0; 8 > i; i = i + 1",
    "int32_t i = 0; i < 8; i += 2",
])
def test_control_counter_that_never_reaches_a_is_removed(header):
    assert removed(loop_kernel(header)) == [True]


ADVERSARIES = {
    # The last iteration puts b at 0, over a.
    "one iteration more": dict(header="int64_t i = 0; i < 9; ++i"),
    "inclusive bound": dict(header="int64_t i = 0; i <= 8; ++i"),
    "counting down from the start": dict(header="int64_t i = 9; i > 0; --i", bind="TASSIGN(b, 73728 - i * 8192);"),
    "a step that lands on the bound's far side": dict(header="int64_t i = 0; i < 9; i += 4"),
    # The body writes the counter: it takes values its header never steps to.
    "assigned in the body": dict(header="int64_t i = 0; i < 4; ++i", body_before="    if (n) i = 8;"),
    "incremented in the body": dict(header="int64_t i = 0; i < 8; ++i", body_before="    if (n) i++;"),
    "compound-assigned in the body": dict(header="int64_t i = 0; i < 8; ++i", body_before="    i += n;"),
    "written through its address": dict(header="int64_t i = 0; i < 4; ++i",
                                        body_before="    int64_t* p = &i;\n    *p = 8;"),
    "written through a reference": dict(header="int64_t i = 0; i < 4; ++i",
                                        body_before="    int64_t& r = i;\n    r = 8;"),
    "written by a helper taking a reference": dict(
        header="int64_t i = 0; i < 4; ++i", body_before="    bump(i);",
        helpers="AICORE inline void bump(int64_t& v) { v = 8; }"),
    "written in a nested block": dict(header="int64_t i = 0; i < 4; ++i", body_before="    { if (n) { i = 8; } }"),
    "written by a lambda": dict(header="int64_t i = 0; i < 4; ++i", body_before="    [&]() { i = 8; }();"),
    "written by a macro": dict(header="int64_t i = 0; i < 4; ++i", body_before="    BUMP(i);",
                               helpers="#define BUMP(v) v = 8"),
    "written in an #if section": dict(header="int64_t i = 0; i < 4; ++i",
                                      body_before="#if defined(SOME_FLAG)\n    i = 8;\n#endif"),
    # A static counter is not read as one (and here it reaches 8 anyway).
    "a static counter": dict(header="static int64_t i = 0; i < 9; ++i"),
    # What bounds or steps it is not known, or changes inside the loop.
    "bound from a parameter": dict(header="int64_t i = 0; i < n; ++i"),
    "step from a parameter": dict(header="int64_t i = 0; i < 8; i += n"),
    "start from a parameter": dict(header="int64_t i = n; i < 8; ++i"),
    "bound raised in the body": dict(header="int64_t i = 0; i < lim; ++i", outer="  int64_t lim = 4;",
                                     body_before="    lim = 9;"),
    "bound from a call": dict(header="int64_t i = 0; i < limit(); ++i",
                              helpers="AICORE inline int64_t limit() { return 9; }"),
    # The step wraps: an 8-bit counter from 250 passes 255 to 0 (b at 65536 - 0 * 8192 is fine,
    # but 250 * 256 = 64000 and 0..3 * 256 lie in a's bytes once the address is i * 256).
    "an 8-bit counter that wraps": dict(header="uint8_t i = 250; i != 4; ++i", bind="TASSIGN(b, i * 256);"),
    # A counter declared before the loop: its value before the loop is one more possibility.
    "declared outside the header": dict(header="i = 0; i < 4; ++i", outer="  int64_t i = 8;"),
    # The condition reads a variable computed from the counter: what the walk computed for it with
    # i fixed must not stand for its values (b at 65536 - 8192 - 7 * 8192 = 0 in the last pass).
    "a condition reading a variable of the counter": dict(
        header="int64_t i = 0; i < 8 + x * 0; ++i", outer="  int64_t x = 0;",
        body_before="    x = i * 8192;\n    TASSIGN(c, 65536 + i * 0);", bind="TASSIGN(b, 57344 - x);"),
    # Never stops (i != 7 with a step of 2): more values than the model keeps.
    "a bound the step jumps over": dict(header="int64_t i = 0; i != 7; i += 2"),
}


@pytest.mark.parametrize("name", sorted(ADVERSARIES))
def test_needed_barrier_is_kept(name):
    assert removed(loop_kernel(**ADVERSARIES[name])) == [False], name


def test_inner_counter_of_the_same_name_does_not_stand_for_the_outer():
    # The inner loop's i (0..0) shadows the outer's (0..8); b is bound from the outer one.
    src = loop_kernel("int64_t i = 0; i < 9; ++i",
                      body_before="    for (int64_t i = 0; i < 1; ++i) { }")
    assert removed(src) == [False]


def test_ping_pong_buffers_from_a_counter_are_kept_apart():
    # b alternates between 65536 and 81920 (i % 2): never a's bytes; the barrier goes. The same
    # kernel with its second buffer at 4096 keeps it.
    far = loop_kernel("int64_t i = 0; i < 16; ++i", bind="TASSIGN(b, 65536 + (i % 2) * 16384);")
    near = loop_kernel("int64_t i = 0; i < 16; ++i", bind="TASSIGN(b, 65536 - (i % 2) * 61440);")
    assert removed(far) == [True]
    assert removed(near) == [False]


PIPE = "TPipe<0, Direction::DIR_BOTH, 16384, 4, 4, true>"


def shape_then_bind(first: str, bind: str) -> str:
    return f"""
__global__ AICORE void k(__gm__ float* x, int64_t n) {{
  {TILE} a;
  TASSIGN(a, 0);
  auto p = {PIPE}(x, 65536, 65536);
  {DYNAMIC} b = {DYNAMIC}(16, 128);
  {first}
  {bind}
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  pipe_barrier(PIPE_V);
  TMUL(b, b, b);
}}
"""


POP = f"TPOP<{PIPE}, {DYNAMIC}, TileSplitAxis::TILE_NO_SPLIT>(p, b);"


@pytest.mark.parametrize("bind", ["TASSIGN(b, 65536);", POP])
def test_set_valid_shape_before_the_binding_reads_no_address(bind):
    # pto-isa's SetValidShape only stores the two valid-shape fields (pto_tile.hpp at f35e7f60):
    # b's address is still the binding's (the pop: 65536 + k * 16384, k < 4).
    assert removed(shape_then_bind("b.SetValidShape(16, 64);", bind)) == [True]


@pytest.mark.parametrize("first, bind", [
    ("b.SetValidShape(16, 64);", "if (n) " + POP),             # bound on one path only
    ("b.SetValidShape(16, 64);", "if (n) TASSIGN(b, 65536);"),
    ("TMUL(b, b, b);", POP),                                    # used at its unbound address first
    ("b.SetValidShape(b.GetValidRow(), 64);", POP),             # a shape read from itself
])
def test_a_tile_not_bound_before_its_first_use_stays_unknown(first, bind):
    assert removed(shape_then_bind(first, bind)) == [False]
