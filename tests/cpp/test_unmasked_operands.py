"""Operands msSanitizer reads with no mask (pto/ops.py unmasked_repeat_bytes): TCVT's narrower side
and 1-byte elements count whole repeats, so a row's last repeat may pass the tile's end, and a
barrier between such an op and one on the bytes past it stays (the default race model is
msSanitizer's). The fixture's pairs: a bf16 TCVT destination of 3 x 48 (valid 40 columns) writes
128 bytes of its last row, 32 past the tile; an int8 one of 2 x 32 writes 128 bytes of its last
row, 96 past. The trace judge (ptofix/trace/footprint.py, msSanitizer's MaskNormalProcess) flags
both removals; the bytes one block further are touched by neither reading, and those barriers go.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from ptofix.api import fix_cpp
from ptofix.pto.ops import unmasked_reach, unmasked_repeat_bytes

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "unmasked_operands" / "cvt_narrow_side.cpp"

# barrier line -> (kind, earlier op, its operand and bytes, later operand) the proof keeps it for
KEPT = {
    22: ("WAW", "TCVT", "d4", "9472,9792", "past"),      # 0x2500 + 2 rows of 96 + one repeat of 128
    30: ("WAW", "TCVT", "d8", "16384,16544", "next8"),   # 0x4000 + 1 row of 32 + one repeat of 128
}
CONFLICT = re.compile(r"^(RAW|WAR|WAW): (\w+) (?:read|write) (\w+) \[(\d+,\d+)\) at \S+ -> \w+ (?:read|write) (\w+) ")


def decisions() -> dict:
    return {d.line: d for d in fix_cpp(FIXTURE.read_text(encoding="utf-8"), patterns="auto").decisions}


def test_a_barrier_before_bytes_past_the_tile_that_an_unmasked_repeat_reaches_is_kept():
    found = decisions()
    for line, conflict in KEPT.items():
        assert found[line].decision == "kept", (line, found[line].reason)
        match = CONFLICT.match(found[line].reason)
        assert match is not None and match.groups() == conflict, (line, found[line].reason)


def test_a_barrier_before_bytes_past_the_unmasked_reach_is_removed():
    assert sorted(line for line, d in decisions().items() if d.decision == "removed") == [26, 34]


@pytest.mark.parametrize(("op", "size", "widest", "expected"), [
    ("TCVT", 2, 4, 128),     # float -> half/bf16: 64 elements a repeat, 4 blocks of the half side
    ("TCVT", 1, 2, 128),     # half -> int8: 128 elements a repeat
    ("TCVT", 1, 4, 64),      # float -> int8: 64 elements a repeat
    ("TCVT", 4, 4, None),    # the wider side (and equal sizes) is masked
    ("TCVT", 4, 2, None),
    ("TMOV", 1, 1, 256),     # 1-byte elements: never masked
    ("TEXPANDS", 1, 1, None),  # ... but these issue 16-bit instructions on 1-byte tiles
    ("TAND", 1, 1, None),
    ("TADD", 2, 2, None),
])
def test_which_operands_are_read_unmasked(op, size, widest, expected):
    assert unmasked_repeat_bytes(op, size, widest) == expected


def test_the_reach_is_the_larger_of_a_walk_by_rows_and_one_run():
    assert unmasked_reach(3, 40, 96, 2, 128) == 2 * 96 + 128          # by rows: 320
    assert unmasked_reach(2, 48, 96, 2, 128) == 256                    # one run of 96 elements: 2 repeats
    assert unmasked_reach(1, 130, 260, 2, 128) == 3 * 128
    assert unmasked_reach(0, 40, 96, 2, 128) == 0
