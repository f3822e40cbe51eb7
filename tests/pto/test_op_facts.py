"""The row-reduction facts (pto-isa a2a3 TRowReduceOps.hpp, TRowSum.hpp, TColSum.hpp at 3186c381),
TCONCAT's walk, TPRINT's and SYNCALL's effects, as ptofix/pto/ops.py states them for the proof and
the simulator."""
from __future__ import annotations

import pytest

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.pto.ops import concat_row_bytes, reduce_tmp_bytes, row_reduce_drains
from ptofix.source import SourceText


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


@pytest.mark.parametrize("elem, col0, col1, reach", [
    (4, 64, 64, (256, 256, 512)),      # whole blocks: src1's block copy lands at column 64
    (4, 128, 896, (512, 3584, 4096)),  # the rope kernels' 128 + 896 floats into 1024
    (4, 4, 8, (32, 32, 48)),           # src0 not whole blocks: src1 by the scalar unit at column 4
    (2, 16, 5, (32, 32, 64)),          # older pto-isa copies src0's block count from src1
    (4, 64, 8, (256, 256, 512)),       # ... past an 8-column src1
    (4, 0, 8, (0, 32, 32)),
])
def test_tconcat_row_reach(elem, col0, col1, reach):
    assert concat_row_bytes(elem, col0, col1) == reach


def _tile(rows: int, cols: int, dtype: str = "float", layout: str = "RowMajor") -> str:
    return (f"Tile<TileType::Vec, {dtype}, {rows}, {cols}, BLayout::{layout}, {rows}, {cols}, SLayout::NoneBox, 512, "
            "PadValue::Null, CompactMode::Null>")


def _decisions(tiles: list[tuple], body: str) -> list[str]:
    """The barriers' decisions ('removed'/'kept' and the reason) of a kernel with ``tiles`` (name,
    rows, cols, UB address[, element type[, layout]]) and ``body``."""
    lines = ['extern "C" __global__ AICORE void k(__gm__ float* g) {']
    for name, rows, cols, addr, *kind in tiles:
        lines += [f"  {_tile(rows, cols, *kind)} {name};", f"  TASSIGN({name}, {addr});"]
    text = "\n".join(lines + ["  " + body.replace("\n", "\n  "), "}"]) + "\n"
    decisions = BarrierAnalysis(parse_cpp(SourceText(text, "k.cpp"))).run({"auto"})
    return [("removed " if d.removed else "kept ") + d.reason for d in decisions]


CONCAT_TILES = [("d", 8, 128, 0), ("a", 8, 64, 4096), ("b", 8, 64, 6144), ("x", 8, 64, 8192)]


@pytest.mark.parametrize("body, removed", [
    ("TEXP(x, x);\npipe_barrier(PIPE_V);\nTCONCAT(d, a, b);", True),     # disjoint
    ("TEXP(b, b);\npipe_barrier(PIPE_V);\nTCONCAT(d, a, b);", False),    # src1 written before
    ("TCONCAT(d, a, b);\npipe_barrier(PIPE_V);\nTEXP(a, a);", False),    # src0 read before written
    ("TCONCAT(d, a, b);\npipe_barrier(PIPE_V);\nTEXP(x, x);", True),
    # The index form reads its counts from UB with the scalar unit: Unknown.
    ("TEXP(x, x);\npipe_barrier(PIPE_V);\nTCONCAT(d, a, b, x, x);", False),
])
def test_tconcat_footprint_decides_the_barrier(body, removed):
    assert [decision.startswith("removed") for decision in _decisions(CONCAT_TILES, body)] == [removed]


def test_tconcat_past_its_tiles_has_unknown_bytes():
    # dst of 8 x 96 floats: 64 + 64 columns of a and b do not fit its rows.
    tiles = [("d", 8, 96, 0), ("a", 8, 64, 4096), ("b", 8, 64, 6144), ("x", 8, 64, 8192)]
    [decision] = _decisions(tiles, "TEXP(x, x);\npipe_barrier(PIPE_V);\nTCONCAT(d, a, b);")
    assert decision.startswith("kept") and "TCONCAT walks 8 rows of 512 bytes over 'd'" in decision


@pytest.mark.parametrize("body, removed", [
    ("TEXP(x, x);\npipe_barrier(PIPE_V);\nTPRINT(x);\nTEXP(x, x);", True),           # its PIPE_ALL drains
    ("TEXP(x, x);\nTPRINT(x);\npipe_barrier(PIPE_V);\nTEXP(x, x);", True),
    ("TEXP(x, x);\npipe_barrier(PIPE_V);\nTPRINT(x, g);\nTEXP(x, x);", False),       # tmp form: Unknown
    ("TEXP(x, x);\nSYNCALL<SyncCoreType::AIVOnly>();\npipe_barrier(PIPE_V);\nTEXP(x, x);", False),  # no drain
    ("TEXP(x, x);\nSYNCALL<SyncCoreType::AIVOnly>();\npipe_barrier(PIPE_V);\nTEXP(a, a);", True),
])
def test_tprint_drains_and_syncall_does_nothing_on_v(body, removed):
    assert [decision.startswith("removed") for decision in _decisions(CONCAT_TILES, body)] == [removed]


PART_TILES = [("d", 16, 32, 0), ("a", 16, 32, 2048), ("b", 16, 32, 4096), ("di", 16, 32, 6144),
              ("ai", 16, 32, 8192), ("bi", 16, 32, 10240), ("x", 16, 32, 12288), ("s", 8, 32, 14336)]


@pytest.mark.parametrize("body, removed", [
    ("TEXP(x, x);\npipe_barrier(PIPE_V);\nTPARTARGMAX(d, a, b, di, ai, bi);", True),
    ("TEXP(ai, ai);\npipe_barrier(PIPE_V);\nTPARTARGMAX(d, a, b, di, ai, bi);", False),   # an index source
    ("TPARTARGMIN(d, a, b, di, ai, bi);\npipe_barrier(PIPE_V);\nTEXP(di, di);", False),   # dstIdx written
    ("TEXP(x, x);\npipe_barrier(PIPE_V);\nTPARTARGMIN(d, a, s, di, ai, bi);", False),     # s: 8 of 16 rows
    # The indexed TSCATTER stores where its indices say: unknown bytes; its mask form: Unknown.
    ("TEXP(x, x);\npipe_barrier(PIPE_V);\nTSCATTER(d, a, ai);", False),
    ("TEXP(x, x);\npipe_barrier(PIPE_V);\nTSCATTER<MaskPattern::P0101>(d, a);", False),
])
def test_partial_arg_reductions_and_scatter(body, removed):
    assert [decision.startswith("removed") for decision in _decisions(PART_TILES, body)] == [removed]


def test_partial_arg_reduction_with_wider_indices_is_not_read():
    # half values with uint32_t indices: the index vsel steps in float lanes by the values' repeat.
    tiles = [(name, 16, 32, addr, "half") for name, _, _, addr in PART_TILES[:3]] + \
        [(name, 16, 32, addr, "uint32_t") for name, _, _, addr in PART_TILES[3:6]] + [PART_TILES[6]]
    [decision] = _decisions(tiles, "TEXP(x, x);\npipe_barrier(PIPE_V);\nTPARTARGMAX(d, a, b, di, ai, bi);")
    assert decision.startswith("kept") and "values and indices of different element sizes" in decision


def test_partial_arg_reduction_on_a_column_major_tile_is_not_read():
    # A column-major tile's rows are one element apart, its block copies whole blocks: past it.
    text = _decisions(PART_TILES, "TEXP(x, x);\npipe_barrier(PIPE_V);\nTPARTARGMAX(d, a, b, di, ai, bi);")
    assert text[0].startswith("removed")
    tiles = [("d", 16, 1, 0, "float", "ColMajor")] + PART_TILES[1:]
    [decision] = _decisions(tiles, "TEXP(x, x);\npipe_barrier(PIPE_V);\nTPARTARGMAX(d, a, b, di, ai, bi);")
    assert decision.startswith("kept") and "not row-major" in decision
