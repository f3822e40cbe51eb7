"""How far what ptofix cannot read reaches: `if constexpr`, macros that may declare anything,
braces inside parentheses, `#if` groups that cross a brace, headers not found. Each relaxation
reads only the function a construct may affect as unknown; every case below is built to break it
(the kernels of tests/test_fail_closed.py: `TADD(a, a, a)` on [0, 8192), then `TMUL(b, b, b)`
across the barrier, `b` at 4096 overlapping it unless the control puts it at 65536)."""
from __future__ import annotations

import pytest

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText

TILE = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"


def body(setup: str, before: str = "TADD(a, a, a);", after: str = "TMUL(b, b, b);") -> str:
    return f"""  {TILE} a;
  TASSIGN(a, 0);
  {TILE} b;
  {TILE} c;
  TASSIGN(c, 131072);
{setup}
  pipe_barrier(PIPE_ALL);
  {before}
  pipe_barrier(PIPE_V);
  {after}
"""


def decisions(src: str) -> list[tuple[bool, str]]:
    """(removed, reason) of each candidate barrier, in order."""
    model = parse_cpp(SourceText(src, "adversary.cpp"))
    return [(d.removed, d.reason) for d in BarrierAnalysis(model).run({"auto"}) if not d.unread]


def removed(src: str) -> list[bool]:
    return [done for done, _ in decisions(src)]


# -- if constexpr -----------------------------------------------------------------------------
@pytest.mark.parametrize(("before", "b_at", "expected"), [
    ("if constexpr (K) { TADD(c, c, c); } else { TADD(c, c, c); }", 65536, True),   # control: read
    # Either branch may be the instantiated one: the discarded branch's write of a is no proof.
    ("if constexpr (K) { TADD(c, c, c); } else { TADD(a, a, a); }", 4096, False),
    ("if constexpr (!K) { TADD(a, a, a); }", 4096, False),
    ("if constexpr (sizeof(int) == 4) { TADD(a, a, a); } else { TADD(c, c, c); }", 4096, False),
    # A drain in one branch only drains that instantiation.
    ("TADD(a, a, a);\n  if constexpr (K) { pipe_barrier(PIPE_V); }", 4096, False),
])
def test_if_constexpr_is_read_as_an_if_either_branch_of_which_may_run(before, b_at, expected):
    src = f"template <bool K>\n__global__ AICORE void k() {{\n{body(f'  TASSIGN(b, {b_at});', before=before)}}}\n"
    assert removed(src)[-1:] == [expected]
