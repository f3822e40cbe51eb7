"""TSORT32's effects (pto-isa a2a3 TSort32.hpp at f35e7f60) as ptofix/pto/ops.py states them
(sort32_reach, sort32_drains): the bytes each form reaches, the barriers they decide, what stays
Unknown, and the simulator's run of it. Adversaries: a tile on the (value, index) pairs TSORT32
writes past the source's element count, a tmp on another tile's bytes, run-time valid shapes, a
source that is the destination; controls: the bytes it provably leaves alone."""
from __future__ import annotations

import numpy as np
import pytest
from sim_kernels import gm, src, tile, unary_kernel

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.pto.ops import Sort32Reach, sort32_drains, sort32_reach, sort32_row_intervals
from ptofix.sim.runner import SimOptions, run_kernel
from ptofix.source import SourceText


@pytest.mark.parametrize("elem, has_tmp, rows, cols, idx_rows, pitches, reach", [
    # 64 floats: 2 repeats a row, 256 bytes of pairs each; idx read by every row.
    (4, False, 4, 64, 4, (512, 256, 256), Sort32Reach(4, 512, 256, 256, 512, 256, 256, 0)),
    # idx with one valid row: read again for every row (pitch 0).
    (4, False, 4, 64, 1, (512, 256, 256), Sort32Reach(4, 512, 256, 0, 512, 256, 256, 0)),
    # A tail without a tmp: only the whole blocks are sorted (one repeat of 40 columns).
    (4, False, 2, 40, 2, (512, 256, 256), Sort32Reach(2, 512, 256, 256, 256, 128, 128, 0)),
    # A tail with a tmp: the row (whole 32-byte blocks) into tmp, padded to 2 blocks of 32, sorted.
    (4, True, 2, 40, 2, (512, 256, 256), Sort32Reach(2, 512, 256, 256, 512, 160, 256, 256)),
    (2, True, 1, 40, 1, (512, 128, 256), Sort32Reach(1, 512, 128, 0, 512, 96, 256, 128)),
    (2, True, 1, 2040, 1, (16384, 4096, 8192), Sort32Reach(1, 16384, 4096, 0, 64 * 256, 4096, 64 * 128, 4096)),
    # A tmp and no tail: the no-tmp path, tmp untouched.
    (2, True, 3, 64, 3, (1024, 128, 256), Sort32Reach(3, 1024, 128, 256, 512, 128, 256, 0)),
    (4, False, 0, 64, 4, (512, 256, 256), Sort32Reach(0, 0, 0, 0, 0, 0, 0, 0)),
])
def test_reach(elem, has_tmp, rows, cols, idx_rows, pitches, reach):
    assert sort32_reach(elem, has_tmp, rows, cols, idx_rows, pitches) == reach


@pytest.mark.parametrize("elem, has_tmp, cols", [
    (4, False, 31),             # no whole block: vbitsort with no repeat
    (4, True, 0),
    (4, False, 32 * 256),       # more than 255 repeats a row: several instructions, not followed
    (4, True, 32 * 255 + 1),    # a tail past MAX_UB_TMP: LargeTmpBufferImpl, not followed
    (2, True, 2041),            # past MAX_UB_TMP / 4: LargeTmpBufferImpl before pto-isa 6c4f75d3
    (1, False, 64),             # no element type it takes
])
def test_paths_it_does_not_follow(elem, has_tmp, cols):
    assert sort32_reach(elem, has_tmp, 2, cols, 2, (4096, 4096, 4096)) is None


def test_row_intervals_merge_touching_rows_and_read_one_idx_row_once():
    assert sort32_row_intervals(100, 3, 256, 256) == [(100, 868)]
    assert sort32_row_intervals(0, 3, 512, 256) == [(0, 256), (512, 768), (1024, 1280)]
    assert sort32_row_intervals(64, 5, 0, 128) == [(64, 192)]


def test_drain_needs_a_valid_row():
    assert sort32_drains(1) and not sort32_drains(0)


def _tile(dtype: str, rows: int, cols: int, valid: tuple | None = None) -> str:
    vr, vc = valid or (rows, cols)
    return (f"Tile<TileType::Vec, {dtype}, {rows}, {cols}, BLayout::RowMajor, {vr}, {vc}, SLayout::NoneBox, 512, "
            "PadValue::Null>")


# name -> (dtype, rows, cols, UB address[, (valid rows, valid cols)]): src s (one row of 64 floats,
# valid 64), idx i, dst d (2 floats a source element: 512 bytes), tmp t, and a far tile x.
TILES = {"s": ("float", 1, 64, 0), "i": ("uint32_t", 1, 64, 256), "d": ("float", 1, 128, 512),
         "t": ("float", 1, 64, 1024), "x": ("float", 1, 64, 8192)}


def _decisions(body: str, tiles: dict | None = None, params: str = "int32_t n") -> list[str]:
    lines = [f'extern "C" __global__ AICORE void k({params}) {{']
    for name, (dtype, rows, cols, addr, *valid) in {**TILES, **(tiles or {})}.items():
        declared = _tile(dtype, rows, cols, valid[0] if valid else None)
        lines += [f"  {declared} {name};" if not valid or -1 not in valid[0] else
                  f"  {declared} {name}(n);", f"  TASSIGN({name}, {addr});"]
    lines += ["  pipe_barrier(PIPE_ALL);", "  " + body.replace("\n", "\n  "), "}"]
    decisions = BarrierAnalysis(parse_cpp(SourceText("\n".join(lines) + "\n", "k.cpp"))).run({"auto"})
    return [("removed " if d.removed else "kept ") + d.reason for d in decisions]


def _removed(body: str, **kwargs) -> list[bool]:
    return [decision.startswith("removed") for decision in _decisions(body, **kwargs)]


BARRIER = "\npipe_barrier(PIPE_V);\n"


@pytest.mark.parametrize("before, call, removed", [
    ("TEXP(x, x);", "TSORT32(d, s, i);", True),         # control: nothing it touches
    ("TEXP(s, s);", "TSORT32(d, s, i);", False),        # its source
    ("TEXP(d, d);", "TSORT32(d, s, i);", False),        # its destination
    ("TEXP(x, x);", "TSORT32(d, s, i, t);", True),      # a tmp: no tail, so the tmp is untouched
    ("TEXP(t, t);", "TSORT32(d, s, i, t);", True),
])
def test_barrier_before_it(before, call, removed):
    assert _removed(before + BARRIER + call) == [removed]


def test_idx_is_read_so_a_read_of_it_before_needs_no_barrier_but_a_write_does():
    reader = {"w": ("uint32_t", 1, 64, 256)}        # w is idx's bytes
    assert _removed("TMOV(x, x);" + BARRIER + "TSORT32(d, s, i);") == [True]
    assert _removed("TADD(w, w, w);" + BARRIER + "TSORT32(d, s, i);", tiles=reader) == [False]


def test_the_pairs_past_the_source_s_element_count_are_written():
    """dst holds 32 floats (valid 32: the source's count), but 64 source elements make 64 pairs
    of 8 bytes, 512 bytes from dst's start: a tile h on the last 128 of them (the index half
    of the last pairs) is written over, so an op on h before the call keeps its barrier; one just
    past the 512 bytes does not."""
    small = {"d": ("float", 1, 32, 512)}
    assert _removed("TEXP(h, h);" + BARRIER + "TSORT32(d, s, i);",
                    tiles={**small, "h": ("float", 1, 32, 896)}) == [False]
    assert _removed("TEXP(h, h);" + BARRIER + "TSORT32(d, s, i);",
                    tiles={**small, "h": ("float", 1, 32, 1024)}) == [True]


def test_only_the_whole_blocks_of_the_source_are_read_without_a_tmp():
    """40 valid columns and no tmp: one vbitsort repeat reads 32 elements (128 bytes) and writes
    256 bytes of dst; the tail is not read, the dst bytes past 256 not written."""
    tiles = {"s": ("float", 1, 64, 0, (1, 40)), "x": ("float", 1, 32, 128), "y": ("float", 1, 64, 768)}
    assert _removed("TEXP(x, x);" + BARRIER + "TSORT32(d, s, i);", tiles=tiles) == [True]
    assert _removed("TEXP(y, y);" + BARRIER + "TSORT32(d, s, i);", tiles=tiles) == [True]
    # With a tmp, the tail is copied (whole 32-byte blocks: 160 bytes) and two blocks are sorted.
    assert _removed("TEXP(x, x);" + BARRIER + "TSORT32(d, s, i, t);", tiles=tiles) == [False]
    assert _removed("TEXP(y, y);" + BARRIER + "TSORT32(d, s, i, t);", tiles=tiles) == [False]


def test_a_tmp_on_another_tile_s_bytes_keeps_the_barrier_when_the_tail_path_writes_it():
    """The tmp t sits on the bytes of dst's far half, which an earlier op writes: with a tail
    (40 columns) TSORT32 writes 256 bytes of t; without one it never touches t."""
    tiles = {"t": ("float", 1, 64, 768), "s": ("float", 1, 64, 0, (1, 40)), "d": ("float", 1, 64, 512)}
    assert _removed("TEXP(x, x);" + BARRIER + "TSORT32(d, s, i, t);",
                    tiles={**tiles, "x": ("float", 1, 64, 768)}) == [False]
    whole = {**tiles, "s": ("float", 1, 64, 0), "x": ("float", 1, 64, 1024)}
    assert _removed("TEXP(x, x);" + BARRIER + "TSORT32(d, s, i, t);", tiles=whole) == [True]


def test_a_source_that_is_the_destination_keeps_the_barrier():
    assert _removed("TEXP(d, d);" + BARRIER + "TSORT32(d, d, i);", tiles={"d": ("float", 1, 128, 512)}) == [False]
    alias = {"a": ("float", 1, 64, 512)}        # a second tile on dst's bytes
    assert _removed("TEXP(a, a);" + BARRIER + "TSORT32(d, a, i);", tiles=alias) == [False]


def test_run_time_valid_shapes_keep_the_barrier():
    """A valid column count the model cannot compute (a kernel parameter) may have no whole
    block: its bytes are unknown. A valid row count it cannot compute may be 0: no drain."""
    cols = {"s": ("float", 1, 64, 0, (1, -1))}
    assert _removed("TEXP(x, x);" + BARRIER + "TSORT32(d, s, i);", tiles=cols) == [False]
    rows = {"d": ("float", 4, 128, 512, (-1, 128)), "x": ("float", 1, 64, 16384)}
    assert _removed("TSORT32(d, s, i);" + BARRIER + "TEXP(x, x);", tiles=rows) == [True]   # disjoint
    assert _removed("TSORT32(d, s, i);" + BARRIER + "TEXP(d, d);", tiles=rows) == [False]  # no drain known


def test_the_barrier_after_it_goes_by_its_trailing_drain():
    decisions = _decisions("TSORT32(d, s, i);" + BARRIER + "TEXP(d, d);")
    assert len(decisions) == 1 and decisions[0].startswith("removed")


def test_operands_it_does_not_read_are_unknown():
    other = {"s": ("half", 1, 64, 0)}           # dst and src of other element types
    assert _removed("TEXP(x, x);" + BARRIER + "TSORT32(d, s, i);", tiles=other) == [False]


# --- the simulator ------------------------------------------------------------------------------
def _run(text: str, schedule_seed: int | None = None):
    return run_kernel(src(text), seed=3, schedule_seed=schedule_seed, options=SimOptions())


IDX = f"  {tile('uint32_t', 1, 64)} i;\n  TASSIGN(i, 131072);\n"


def _sort_kernel(ops: str, elem: str = "float") -> str:
    return unary_kernel(ops, elem=elem, rows=1, cols=64, out_cols=64 * 8 // (4 if elem == "float" else 2),
                        extra_tiles=IDX)


@pytest.mark.parametrize("elem, npelem", [("float", np.float32), ("half", np.float16)])
def test_simulator_sorts_each_block_of_32_into_pairs(elem, npelem):
    result = _run(_sort_kernel("  TSORT32(d, a, i);", elem))
    x = gm(result, "x", npelem, (1, 64)).ravel()
    size = np.dtype(npelem).itemsize
    pairs = gm(result, "y", npelem, (1, 64 * 8 // size)).view(np.uint8).reshape(64, 8)
    values = pairs[:, :size].copy().view(npelem).ravel()
    for block in range(2):
        got = values[block * 32:block * 32 + 32]
        assert np.array_equal(got, np.sort(x[block * 32:block * 32 + 32])[::-1])


def test_simulator_sees_the_race_the_proof_keeps_the_barrier_for():
    raced = _sort_kernel("  TEXP(a, a);\n  TSORT32(d, a, i);")
    ordered = _sort_kernel("  TEXP(a, a);\n  pipe_barrier(PIPE_V);\n  TSORT32(d, a, i);")
    assert any(_run(raced, schedule_seed=seed).hazards for seed in range(6))
    assert not any(_run(ordered, schedule_seed=seed).hazards for seed in range(6))


def test_simulator_drains_after_it():
    after = _sort_kernel("  TSORT32(d, a, i);\n  TEXP(d, d);")
    assert not any(_run(after, schedule_seed=seed).hazards for seed in range(6))


def test_a_later_op_on_the_pairs_past_dst_s_valid_columns_keeps_the_barrier_without_a_drain():
    """dst's valid rows are a run-time value (taken to fit its 4 rows, possibly 0: no drain). Its
    rows hold 32 floats (128 bytes) but each row gets 64 pairs (512 bytes), so the last row writes
    up to 896 bytes from dst's start: a later op reading a tile there keeps its barrier; one past
    them does not (nothing of TSORT32's may still be in flight there)."""
    tiles = {"d": ("float", 4, 32, 512, (-1, 32))}
    assert _removed("TSORT32(d, s, i);" + BARRIER + "TMOV(h, h);",
                    tiles={**tiles, "h": ("float", 1, 32, 512 + 768)}) == [False]
    assert _removed("TSORT32(d, s, i);" + BARRIER + "TMOV(h, h);",
                    tiles={**tiles, "h": ("float", 1, 32, 512 + 896)}) == [True]
