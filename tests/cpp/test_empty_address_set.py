"""A tile bound only where a loop counter takes no value has no known address, not an empty one (red3).

`for (int i = -4; i < 4u; ++i)` never runs (i converts to 4294967292, not below 4), and neither does
`for (int i = 0; i < 0; ++i)`: ValueModel walks no value for i, so `TASSIGN(t, i * 8192)` gave t an
empty set of addresses, and TileAccesses.tile_access indexed it: `run`, `check` and `simulate` died
with an IndexError (exit 3, "internal error") on valid C++. Now an empty set is no address known
(ValueModel._tile_addresses): the barrier stays, with that reason, and every command reads the file.
"""
from __future__ import annotations

import pytest

from ptofix.api import check, fix_cpp
from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText

TILE = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"
DYN = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, -1, -1, SLayout::NoneBox, 512, PadValue::Null>"


def kernel(head: str, bind: str = "TASSIGN(t, i * 8192);", decl: str = TILE + " t;") -> str:
    return ('#include "pto/pto-inst.hpp"\nusing namespace pto;\n__global__ AICORE void k(__gm__ float* g, int n) {\n'
            f"  {TILE} x;\n  TASSIGN(x, 65536);\n  pipe_barrier(PIPE_ALL);\n  {head} {{\n    {decl}\n    {bind}\n"
            "    TADD(t, t, t);\n    pipe_barrier(PIPE_V);  // B\n    TMUL(x, x, x);\n    pipe_barrier(PIPE_V);\n  }\n"
            "  pipe_barrier(PIPE_ALL);\n}\n")


KERNELS = {
    "signed_against_unsigned": kernel("for (int i = -4; i < 4u; ++i)"),
    "no_trip": kernel("for (int i = 0; i < 0; ++i)"),
    "no_trip_reshape": kernel("for (int i = 0; i < 0; ++i)", bind=(
        "TASSIGN(t, i * 8192);\n    Tile<TileType::Vec, float, 32, 64, BLayout::RowMajor, 32, 64, SLayout::NoneBox, 512, "
        "PadValue::Null> v;\n    TRESHAPE(v, t);\n    TADD(v, v, v);")),
    "no_trip_valid_shape": kernel("for (int i = 0; i < 0; ++i)", decl=f"{DYN} t(i, 16);", bind="TASSIGN(t, 0);"),
}


@pytest.mark.parametrize("name", sorted(KERNELS))
def test_a_tile_with_no_address_value_keeps_the_barrier(name):
    text = KERNELS[name]
    decisions = BarrierAnalysis(parse_cpp(SourceText(text, "k.cpp"))).run({"auto"})
    line = next(i for i, row in enumerate(text.split("\n"), 1) if row.endswith("// B"))
    [marked] = [d for d in decisions if text.count("\n", 0, d.stmt.span.start) + 1 == line]
    if name != "no_trip_valid_shape":
        assert not marked.removed, marked.reason
        assert "no address of " in marked.reason, marked.reason


@pytest.mark.parametrize("name", sorted(KERNELS))
def test_every_command_reads_it(name):
    fixed = fix_cpp(KERNELS[name], patterns="auto")
    assert "// B" in fixed.text
    check(KERNELS[name])
