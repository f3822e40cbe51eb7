"""The row-reduction facts (pto-isa a2a3 TRowReduceOps.hpp, TRowSum.hpp, TColSum.hpp at 3186c381)
as ptofix/pto/ops.py states them for the proof and the simulator."""
from __future__ import annotations

import pytest

from ptofix.pto.ops import reduce_tmp_bytes, row_reduce_drains


@pytest.mark.parametrize("dtype, valid, tmp_cols, drains", [
    ("float", (16, 64), 8, True),       # one repeat per row: the one-repeat path ends with a barrier
    ("float", (16, 100), 32, False),    # 64 < 100 < 128 and a tmp narrower than a repeat: returns early
    ("float", (16, 100), 64, True),     # the same with a tmp of one repeat: copies, then a barrier
    ("float", (16, 128), 8, True),      # 2E is not inside (E, 2E)
    ("half", (16, 200), 64, False),     # E = 128 for half
    ("float", None, 64, False),         # a valid shape that may be empty: pto-isa before 5a2e8553
    ("float", (0, 64), 64, False),      # returns at once, no barrier
    ("float", (16, 0), 64, False),
    ("float", None, 8, False),
    ("int32_t", (1, 64), 64, True),     # one V->S->V round trip per row
    ("int32_t", (0, 64), 64, False),    # no row, no round trip
    ("int32_t", None, 64, False),
    ("int8_t", (16, 64), 64, False),    # not a path the facts cover
])
def test_row_reduction_trailing_drain(dtype, valid, tmp_cols, drains):
    assert row_reduce_drains(dtype, valid, tmp_cols, dtype, 256) is drains


@pytest.mark.parametrize("valid, drains", [((16, 100), False), (None, False), ((16, 32), True), ((16, 128), True)])
def test_a_source_narrower_than_a_repeat_returns_early(valid, drains):
    # TRowReduceInstr returns having issued nothing when E < validCol < 2E and src's static Cols
    # (here 32 floats, half a repeat) hold less than a repeat, whatever the tmp: a run-time valid
    # shape may pass the tile's Cols.
    assert row_reduce_drains("float", valid, 64, "float", 32) is drains


def test_an_integer_row_reduction_drains_whatever_flags_are_pending():
    # A barrier follows every vector instruction of a row (TRowSum.hpp): a kernel set pending on
    # the EVENT_ID0 of its V->S->V round trip changes nothing for PIPE_V.
    assert row_reduce_drains("int32_t", (1, 64), 64, "int32_t", 64) is True


def test_a_tmp_of_another_element_type_is_read_as_unknown_cols():
    # (16, 100) float drains with a float tmp of 64 Cols; a half tmp's Cols are not float elements.
    assert row_reduce_drains("float", (16, 100), 64, "float", 128) is True
    assert row_reduce_drains("float", (16, 100), 64, "half", 128) is False
    assert reduce_tmp_bytes("TROWMAX", "float", (16, 100), 64, "half") is None


def test_reduction_tmp_reach():
    # validCol <= E: the tmp is not used (the fp32 fast path aside).
    assert reduce_tmp_bytes("TROWMAX", "float", (16, 64), 8, "float") == 0
    assert reduce_tmp_bytes("TROWSUM", "float", (16, 512), 512, "float", (16, 512)) >= 4096
    # One repeat at the start of each of validRow rows of the tmp's stride.
    assert reduce_tmp_bytes("TROWMAX", "float", (16, 100), 64, "float") == 15 * 64 * 4 + 256
    # TROWSUM halves the repeats per row once there are at least two.
    assert reduce_tmp_bytes("TROWSUM", "float", (4, 512), 512, "float") == 3 * 512 * 4 + 4 * 256
    assert reduce_tmp_bytes("TROWSUM", "int32_t", (16, 64), 8, "int32_t") == 32
    # The binary TCOLSUM writes validCol elements in each of validRow/2 rows of the tmp's stride.
    assert reduce_tmp_bytes("TCOLSUM", "float", (16, 64), 64, "float") == 7 * 64 * 4 + 64 * 4
    assert reduce_tmp_bytes("TCOLSUM", "float", None, 64, "float") is None
    # Its rows are the tmp's own row pitch apart: a float tmp of 64 Cols under a half src is 256 B.
    assert reduce_tmp_bytes("TCOLSUM", "half", (16, 64), 64, "float") == 7 * 64 * 4 + 64 * 2
