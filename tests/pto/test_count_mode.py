"""The bytes of the ops that run the vector unit in count mode (TFILLPAD, the mask-pattern
TGATHER): computed from static shapes where pto-isa's walk is fixed by them, and a barrier
next to such an op is removed only when none of those bytes overlap the other side; where the
walk is not modelled the op still writes unknown UB bytes."""
from __future__ import annotations

import pytest

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.pto.count_mode import count_mode_end, fillpad_reach, gather_by_pattern_reach
from ptofix.source import SourceText


def _tile(rows: int, cols: int, dtype: str = "float", valid: str = "", pad: str = "Null") -> str:
    valid = valid or f"{rows}, {cols}"
    return (f"Tile<TileType::Vec, {dtype}, {rows}, {cols}, BLayout::RowMajor, {valid}, SLayout::NoneBox, 512, "
            f"PadValue::{pad}>")


def kernel(decls: str, before: str, after: str) -> str:
    return f"""__global__ AICORE void k(__gm__ float* x) {{
{decls}
  pipe_barrier(PIPE_ALL);
  {before}
  pipe_barrier(PIPE_V);
  {after}
}}
"""


def decisions(src: str) -> list:
    model = parse_cpp(SourceText(src, "count_mode.cpp"))
    return [d for d in BarrierAnalysis(model).run({"auto"}) if not d.unread]


def removed(src: str) -> list[bool]:
    return [d.removed for d in decisions(src)]


# -- the walk ---------------------------------------------------------------------------------

def test_a_count_mode_walk_steps_a_repeat_stride_each_256_bytes():
    assert count_mode_end(64, 64) == 64             # one repeat
    assert count_mode_end(512, 512) == 768          # a 512-byte row: the second repeat is a row on
    assert count_mode_end(512, 256) == 512          # a stride of one repeat: contiguous
    assert count_mode_end(600, 64) == 64 * 1 + 256  # overlapping repeats: the one before the last ends later
    assert count_mode_end(0, 512) == 0              # a count of 0: nothing


def test_fillpad_of_one_short_row_stays_in_its_tile():
    # 1 x 16 floats, 2 valid columns: copy, block pad, row pad all inside the 64 bytes.
    assert fillpad_reach(4, 1, 16, 1, 16, 1, 1, [2]) == (0, 64, 0, 64)


def test_fillpad_of_one_long_row_runs_into_the_next_row():
    # 1 x 128 floats (512 bytes a row): the copy's second repeat lands a row further, at 512..768.
    reach = fillpad_reach(4, 1, 128, 1, 128, 1, 1, [128])
    assert reach is not None and reach.write_hi == 768 and reach.src_read_hi == 768


def test_fillpad_of_full_rows_stays_in_its_tile():
    # Valid columns == Cols: the pad counts are 0, nothing is padded to the right.
    reach = fillpad_reach(4, 4, 16, 4, 16, 4, 4, [16])
    assert reach == (0, 4 * 64, 0, 64)


def test_fillpad_with_no_valid_column_may_write_a_block_before_dst():
    reach = fillpad_reach(4, 2, 16, 2, 16, 2, 2, [0, 8])
    assert reach is not None and reach.write_lo == -32


@pytest.mark.parametrize("args", [
    (1, 1, 16, 1, 16, 1, 1, [2]),          # 1-byte elements: scalar stores, not modelled
    (4, 300, 16, 300, 16, 300, 300, [2]),  # more than 255 rows: the copy loops
    (4, 1, 16, 1, 32, 1, 1, [2]),          # shapes TFILLPAD rejects
    (4, 1, 16, 1, 16, 1, 1, [17]),         # a valid column past the tile
    (4, 2, 16, 2, 16, 3, 2, [2]),          # valid rows past the tile
])
def test_fillpad_paths_not_modelled_are_none(args):
    assert fillpad_reach(*args) is None


def test_gather_by_pattern_packs_what_it_keeps():
    assert gather_by_pattern_reach(4, 32, 1, 32, 2) == (64, 128)     # P0101 of 32 floats: 16 kept
    assert gather_by_pattern_reach(4, 32, 1, 32, 1) == (128, 128)    # P1111: all kept
    assert gather_by_pattern_reach(2, 32, 1, 31, 4) == (16, 64)      # ceil(31 / 4) halfs
    assert gather_by_pattern_reach(4, 128, 1, 128, 2) == (256, 768)  # src walked a row further each 256 bytes
    assert gather_by_pattern_reach(4, 32, 4, 32, 2) == (256, 512)    # every valid row's worth, were rows obeyed
    assert gather_by_pattern_reach(1, 32, 1, 32, 2) is None


# -- the proof --------------------------------------------------------------------------------

SRC32 = _tile(1, 32)
DST16 = _tile(1, 16)
GATHER_DECLS = f"""  {SRC32} s;
  TASSIGN(s, 0);
  {DST16} g;
  TASSIGN(g, 128);
  {DST16} n;
  TASSIGN(n, 192);"""


def _gather(pattern: str, extra: str = "") -> str:
    return f"TGATHER<{DST16}, {SRC32}, MaskPattern::{pattern}{extra}>(g, s);"


def test_barrier_after_a_mask_pattern_gather_is_removed_when_its_bytes_are_elsewhere():
    src = kernel(GATHER_DECLS, _gather("P0101"), "TMULS(n, n, 2.0f);")
    assert removed(src) == [True]


def test_barrier_after_a_keep_all_gather_is_kept_when_it_packs_past_dst():
    # P1111 keeps all 32 source elements: 128 bytes from g, over n.
    src = kernel(GATHER_DECLS, _gather("P1111"), "TMULS(n, n, 2.0f);")
    assert removed(src) == [False]


def test_gather_along_columns_still_writes_unknown_bytes():
    src = kernel(GATHER_DECLS, _gather("P0101", ", GatherAxis::GATHER_COL"), "TMULS(n, n, 2.0f);")
    assert removed(src) == [False]
    assert "outside its operands" in decisions(src)[0].reason


def test_barrier_before_a_gather_is_kept_for_the_source_it_reads():
    # The source's 32 valid floats are read: a write of its second half still conflicts.
    decls = GATHER_DECLS + f"\n  {DST16} h;\n  TASSIGN(h, 64);"
    src = kernel(decls, "TMULS(h, h, 2.0f);", _gather("P0101"))
    assert removed(src) == [False]


def _fillpad_decls(cols: int, valid_cols: int, next_at: int) -> str:
    row = _tile(1, cols, valid=f"1, {valid_cols}")
    padded = _tile(1, cols, pad="Zero")
    return f"""  {row} q;
  TASSIGN(q, 0);
  {padded} p;
  TASSIGN(p, 4096);
  {_tile(1, 16)} n;
  TASSIGN(n, {next_at});"""


def test_barrier_after_a_fillpad_is_removed_when_its_bytes_are_elsewhere():
    src = kernel(_fillpad_decls(16, 2, 4096 + 64), "TFILLPAD(p, q);", "TMULS(n, n, 2.0f);")
    assert removed(src) == [True]


def test_barrier_after_a_long_row_fillpad_is_kept_for_the_row_after_its_tile():
    # One row of 128 floats: the copy's second repeat writes 4096+512..4096+768, where n is.
    src = kernel(_fillpad_decls(128, 2, 4096 + 512), "TFILLPAD(p, q);", "TMULS(n, n, 2.0f);")
    assert removed(src) == [False]
    assert "TFILLPAD write p [4096,4864)" in decisions(src)[0].reason


def test_barrier_before_a_write_of_the_fillpad_source_is_kept():
    # TFILLPAD reads its source's row (64 bytes of q): rewriting q right after is a WAR.
    src = kernel(_fillpad_decls(16, 2, 65536), "TFILLPAD(p, q);", "TMULS(q, q, 2.0f);")
    assert removed(src) == [False]
    assert decisions(src)[0].reason.startswith("WAR: TFILLPAD read q [0,64)")


def test_fillpad_of_bytes_elements_still_writes_unknown_bytes():
    decls = f"""  {_tile(1, 32, "int8_t", valid="1, 2")} q;
  TASSIGN(q, 0);
  {_tile(1, 32, "int8_t", pad="Zero")} p;
  TASSIGN(p, 4096);
  {_tile(1, 16)} n;
  TASSIGN(n, 65536);"""
    src = kernel(decls, "TFILLPAD(p, q);", "TMULS(n, n, 2.0f);")
    assert removed(src) == [False]


# -- TEXTRACT / TINSERT windows at offsets the model evaluates ----------------------------------

WINDOW_DECLS = f"""  {_tile(16, 128)} s;
  TASSIGN(s, 0);
  {_tile(4, 128)} w;
  TASSIGN(w, 65536);
  {_tile(4, 128)} n;
  TASSIGN(n, 8192);"""


def _extract(offsets: str, setup: str = "") -> str:
    return kernel(WINDOW_DECLS + setup, f"TEXTRACT(w, s, {offsets});", "TMULS(n, n, 2.0f);")


@pytest.mark.parametrize("setup, offsets", [
    ("", "12, 0"),
    ("\n  uint16_t r = 12;", "r, 0"),
    ("\n  const int64_t r = 4;\n  int64_t c = 0;", "r * 3, c"),
])
def test_an_extract_window_at_known_offsets_is_read_inside_its_source(setup, offsets):
    assert removed(_extract(offsets, setup)) == [True]


@pytest.mark.parametrize("setup, offsets", [
    ("", "13, 0"),                                            # rows 13..16 of 16: past the source
    ("\n  int64_t r = 12;\n  if (x) {\n    r = 13;\n  }", "r, 0"),    # one definition past it
    ("\n  int64_t r = 65536 + 12;", "r, 0"),                 # wraps as uint16_t: not read
    ("\n  int64_t r = x[0];", "r, 0"),                       # a value the model does not know
    ("", "0, 12, 100"),                                      # pre-quantization: rows 12.., cols 100..: past s
])
def test_an_extract_window_that_may_pass_its_source_reads_unknown_bytes(setup, offsets):
    src = _extract(offsets, setup)
    assert removed(src) == [False]
    assert "the window at its offsets may lie past 's'" in decisions(src)[0].reason


# -- the tmp of a 4-operand TROWEXPAND* ---------------------------------------------------------

ROW_EXPAND_DECLS = f"""  {_tile(16, 128)} d;
  TASSIGN(d, 0);
  Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 16, 1, SLayout::NoneBox, 512, PadValue::Null> r;
  TASSIGN(r, 65536);
  {_tile(1, 8)} t;
  TASSIGN(t, 98304);
  {_tile(1, 64)} n;
  TASSIGN(n, {{next_at}});"""


def test_row_expand_tmp_reach_is_a_vbrcb_repeat_per_8_rows():
    from ptofix.pto.ops import row_expand_tmp_bytes
    assert row_expand_tmp_bytes(16) == 512
    assert row_expand_tmp_bytes(17) == 768
    assert row_expand_tmp_bytes(0) == 256
    assert row_expand_tmp_bytes(4096) == 8192


@pytest.mark.parametrize("next_at, kept", [(98304 + 512, False), (98304 + 256, True)])
def test_barrier_after_a_row_expand_with_tmp_sees_its_broadcast(next_at, kept):
    # 16 valid rows broadcast 512 bytes from t, a 32-byte tile: n 256 bytes on is written.
    src = kernel(ROW_EXPAND_DECLS.format(next_at=next_at), "TROWEXPANDMUL(d, d, r, t);", "TMULS(n, n, 2.0f);")
    assert removed(src) == [not kept]
    if kept:
        assert decisions(src)[0].reason.startswith("WAW: TROWEXPANDMUL write t [98304,98816)")


def test_fillpad_reach_is_a_tuple_with_names():
    # (A tuple subclass, not a typing.NamedTuple: no annotation objects at import, issue #70 item 7.)
    reach = fillpad_reach(4, 4, 16, 4, 16, 4, 4, [16])
    assert isinstance(reach, tuple) and tuple(reach) == (0, 256, 0, 64)
    assert (reach.write_lo, reach.write_hi, reach.dst_read_hi, reach.src_read_hi) == (0, 256, 0, 64)
    assert repr(reach) == "FillPadReach(write_lo=0, write_hi=256, dst_read_hi=0, src_read_hi=64)"
    assert not hasattr(type(reach), "_fields") and not hasattr(reach, "__dict__")
