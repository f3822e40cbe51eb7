"""TSELS's mask as msSanitizer reads it: 16 bytes (half) or 8 bytes (float) from the start of each
valid row (ops.SANITIZER_SELECT_MASK_BLOCK, Ascend/mssanitizer csrc/plugin/ccec/calc_instructions/
vsel.cpp, mode 1). A column-major mask's rows are one element apart (pto_tile.hpp RowStride), so
the last row's block passes the tile's end: a PIPE_V write to the bytes after the tile races with
TSELS unless the barrier stays. The model before the fix read the mask tile only and removed it.
"""
from __future__ import annotations

import pytest

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.pto.race_model import RaceModel
from ptofix.source import SourceText


def _tile(dt: str, rows: int, cols: int, layout: str = "RowMajor", valid: str = "") -> str:
    valid = valid or f"{rows}, {cols}"
    return f"Tile<TileType::Vec, {dt}, {rows}, {cols}, BLayout::{layout}, {valid}, SLayout::NoneBox, 512, PadValue::Null>"


def kernel(dt: str, mask: str, x_at: int) -> str:
    """x written by TEXPANDS before the barrier; TSELS after it over 32 valid rows of 8 columns,
    its mask m at 4096."""
    data = _tile(dt, 32, 32 // (2 if dt == "half" else 4) * 2, valid="32, 8")
    row = _tile(dt, 1, 32 // (2 if dt == "half" else 4))
    return (f'#include "pto/pto-inst.hpp"\nusing namespace pto;\n__global__ AICORE void k(__gm__ {dt}* p) {{\n'
            f"  {data} d;\n  TASSIGN(d, 0);\n  {data} a;\n  TASSIGN(a, 16384);\n"
            f"  {mask} m;\n  TASSIGN(m, 4096);\n  {row} x;\n  TASSIGN(x, {x_at});\n  {row} t;\n  TASSIGN(t, 32768);\n"
            f"  TEXPANDS(x, ({dt})0);\n  pipe_barrier(PIPE_V);\n  TSELS(d, m, a, t, ({dt})1);\n}}\n")


def decisions(src: str) -> list:
    model = parse_cpp(SourceText(src, "k.cpp"))
    return [(d.removed, d.reason) for rm in RaceModel
            for d in BarrierAnalysis(model, race_model=rm).run({"auto"})]


COL_MAJOR_MASK = _tile("uint8_t", 32, 1, "ColMajor")


@pytest.mark.parametrize("dt,reach", [("half", 4096 + 31 + 16), ("float", 4096 + 31 + 8)])
def test_a_write_past_a_column_major_mask_that_tsels_reads_keeps_the_barrier(dt, reach):
    # Row 31 of m is read at [4127, 4127 + block): x at 4128 holds its last 15 (half) or 7
    # (float) bytes.
    found = decisions(kernel(dt, COL_MAJOR_MASK, 4128))
    assert [removed for removed, _ in found] == [False, False]
    assert all(f"TSELS read m [4096,{reach})" in reason for _, reason in found), found


@pytest.mark.parametrize("dt", ["half", "float"])
def test_a_write_past_msanitizers_reach_lets_the_barrier_go(dt):
    found = decisions(kernel(dt, COL_MAJOR_MASK, 4160))
    assert [removed for removed, _ in found] == [True, True], found


@pytest.mark.parametrize("dt", ["half", "float"])
def test_a_row_major_mask_is_read_inside_its_tile(dt):
    # Rows of 32 bytes: 16 (or 8) from each row's start stay in the tile; x right after it.
    found = decisions(kernel(dt, _tile("uint8_t", 32, 32), 4096 + 1024))
    assert [removed for removed, _ in found] == [True, True], found
