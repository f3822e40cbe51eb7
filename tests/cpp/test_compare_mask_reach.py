"""A compare's mask rows as msSanitizer and the trace judge count them (pto/ops.py compare_row_bytes).

pto-isa a2a3 TCMP/TCMPS write each valid row's bits with one vcmpv/vcmpvs of R repeats and a destination
repeat stride of 8 (TCmp.hpp, TCmps.hpp). msSanitizer records vcmpv's destination as a block of one
repeat's bits (16 bytes for half sources, 8 for float) every 8 such blocks (Ascend/mssanitizer
csrc/plugin/ccec/calc_instructions/vcmpv.cpp), and the trace judge (ptofix/trace/footprint.py) also
takes the stride in 32-byte blocks: with R > 1 the last rows of a mask whose rows are 32 bytes run past
its end. red11's --dtypes fuzz: TCMP(m, a, b) over 100 float columns into an 8 x 32 uint8 mask, then a
TEXPANDS of the tile right after m: the proof removed the barrier between them (the mask's bytes were
its tile's), the trace has a WAW at [0x3100, 0x3120). This test fails on the code before the fix (all
four barriers of the fixture were removed).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from ptofix.api import fix_cpp
from ptofix.pto.ops import compare_row_bytes, mask_row_bytes

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "compare_mask_reach" / "compare_rows_past_mask.cpp"


def decisions() -> dict:
    return {d.line: d.decision for d in fix_cpp(FIXTURE.read_text(encoding="utf-8"), patterns="auto").decisions}


def test_a_barrier_before_a_tile_the_mask_rows_run_into_is_kept():
    found = decisions()
    assert {line: found[line] for line in (20, 24)} == {20: "kept", 24: "kept"}


def test_a_barrier_before_bytes_past_the_rows_reach_is_removed():
    found = decisions()
    assert {line: found[line] for line in (28, 32)} == {28: "removed", 32: "removed"}


@pytest.mark.parametrize(("cols", "size", "expected"), [
    (40, 4, 32),            # one repeat: the trace's block from the row's start
    (100, 4, 256 + 32),     # two float repeats: the second block 8 blocks on
    (64, 4, 32),
    (65, 4, 288),
    (130, 2, 288),          # two half repeats
    (128, 2, 32),
    (200, 4, 3 * 256 + 32),  # four repeats
    (0, 4, 0),
    (40, 1, None),          # no compare takes 1-byte sources
    (40, None, None),
])
def test_the_row_reach_is_the_largest_reading(cols, size, expected):
    assert compare_row_bytes(cols, size) == expected


def test_the_select_masks_keep_their_own_reach():
    assert mask_row_bytes("TSEL", 100, 4) == 13
    assert mask_row_bytes("TSELS", 100, 4) == 13
    assert mask_row_bytes("TSELS", 40, 2) == 16
    assert mask_row_bytes("TCMP", 100, 4) == compare_row_bytes(100, 4)
