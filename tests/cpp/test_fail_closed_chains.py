"""Fail closed on same-access chains: both ops must walk the shared tile in an order the consumer trails
(repeat by repeat, multi-cycle producers chain nothing), a run-time valid shape chains only where one value
is known, and a conversion consumes a chain only when it walks it in order.

Kernels and geometry as in tests/cpp/test_fail_closed.py.
"""
from __future__ import annotations

import pytest
from test_fail_closed import _pair, removed
from test_fail_closed_op_effects import _tile

from ptofix.pto.race_model import RaceModel

# -- The same-access chain needs both ops to walk the shared tile in an order the consumer trails ---
F8x128 = _tile("float", 8, 128, "8, 128")
F16x128 = _tile("float", 16, 128, "16, 128")


def _chain(shape: str, first: str, second: str, extra: str = "") -> str:
    return _pair(f"  {shape} x;\n  TASSIGN(x, 0);\n  {shape} y;\n  TASSIGN(y, 16384);\n  {shape} z;\n"
                 f"  TASSIGN(z, 32768);\n{extra}", first, second)


ROW8 = f"  {_tile('float', 8, 1, '8, 1', 'ColMajor')} r;\n  TASSIGN(r, 65536);\n"
ROW16 = f"  {_tile('float', 16, 1, '16, 1', 'ColMajor')} r;\n  TASSIGN(r, 65536);\n"
COL = f"  {_tile('float', 1, 128, '1, 128')} c;\n  TASSIGN(c, 65536);\n"
I32 = _tile("int32_t", 16, 64, "16, 64")
CHAIN_KERNELS = {
    # Column chunks (8 rows, 2 chunks) against 256-byte repeats: 9 repeats apart at the closest.
    "column-chunk consumer": _chain(F8x128, "TADD(x, y, y);", "TCOLEXPANDMUL(z, x, c);", COL),
    "column-chunk producer": _chain(F8x128, "TROWEXPANDMUL(x, x, r);", "TADD(z, x, x);", ROW8),
    # An operand of another shape sends the unary op column chunk by column chunk.
    "unary op with a wider destination": _pair(
        f"  {F16x128} x;\n  TASSIGN(x, 0);\n  {_tile('float', 16, 256, '16, 128')} w;\n  TASSIGN(w, 16384);\n"
        f"  {F16x128} y;\n  TASSIGN(y, 65536);", "TADD(x, y, y);", "TEXP(w, x);"),
    # int32 bitwise ops take a rows-then-tails path.
    "int32 TAND": _pair(f"  {I32} x;\n  TASSIGN(x, 0);\n  {I32} y;\n  TASSIGN(y, 8192);\n  {I32} z;\n"
                        "  TASSIGN(z, 16384);", "TAND(x, y, y);", "TADD(z, x, x);"),
    # A ubuf-to-ubuf copy burst: its pace against vector repeats is not documented.
    "TMOV consumer": _chain(F16x128, "TADD(x, y, y);", "TMOV(z, x);"),
    # TROWEXPANDEXPDIF ends with TEXP(x, x): linear repeats, which the column chunks trail by 9.
    "exp-dif producer, column-chunk consumer": _chain(F8x128, "TROWEXPANDEXPDIF(x, x, r);",
                                                      "TCOLEXPANDMUL(z, x, c);", ROW8 + COL),
}


@pytest.mark.parametrize("name", sorted(CHAIN_KERNELS))
def test_chain_needs_a_consumer_that_trails_the_producer(name):
    assert removed(CHAIN_KERNELS[name]) == [False], CHAIN_KERNELS[name]


def test_chain_holds_where_the_consumer_trails():
    # Two 256-byte-repeat walks of one 16x128 float tile: 32 repeats apart.
    assert removed(_chain(F16x128, "TADD(x, y, y);", "TEXP(z, x);")) == [True]
    # Two column-chunk walks of one tile (TROWEXPANDMUL on its vbrcb path, then TCOLEXPANDMUL): the
    # same order, each repeat behind the producer's.
    assert removed(_chain(F16x128, "TROWEXPANDMUL(x, x, r);", "TCOLEXPANDMUL(z, x, c);", ROW16 + COL)) == [True]


def test_a_linear_consumer_of_a_column_chunk_producer_runs_ahead():
    # The FA pair (TROWEXPANDMUL on its vbrcb path, then TADD) on 16 rows of two chunks: TADD's
    # repeat 1 reads row 0's second chunk, which TROWEXPANDMUL writes in its repeat 16. Wrong (the
    # rule before issue 55): counting the repeats issued between the write and the read (17).
    assert removed(_chain(F16x128, "TROWEXPANDMUL(x, x, r);", "TADD(x, x, y);", ROW16)) == [False]


@pytest.mark.parametrize("producer", ["TLOG(x, y);", "TSQRT(x, y);", "TRECIP(x, y);",
                                      "TDIV(x, y, y);", "TDIVS(x, y, 2.0f);"])
def test_a_multi_cycle_producer_chains_nothing(producer):
    # 32 repeats apart like TADD -> TEXP above, but the producer's vdiv/vln/vsqrt results land
    # later by an undocumented latency, and no hardware run without the barrier stands behind them
    # (TEXP has one: pto-isa's FA softmax).
    assert removed(_chain(F16x128, producer, "TADD(z, x, x);")) == [False]


@pytest.mark.parametrize("producer", ["TADD(x, y, y);", "TMULS(x, y, 2.0f);", "TMAX(x, y, y);", "TABS(x, y);",
                                      "TEXP(x, y);"])
def test_a_producer_a_hardware_run_stands_behind_chains(producer):
    # (The control of the test above: the same shapes, a single-cycle producer.)
    assert removed(_chain(F16x128, producer, "TADD(z, x, x);")) == [True]
    # Only under --same-access-chains: msSanitizer's rule (the default) keeps every chain barrier.
    assert removed(_chain(F16x128, producer, "TADD(z, x, x);"), RaceModel.MSSANITIZER_A2A3) == [False]


def test_the_exp_dif_expand_ends_with_a_multi_cycle_exp():
    # TROWEXPANDEXPDIF ends with TEXP(x, x): two linear walks 32 repeats apart, but no chain.
    assert removed(_chain(F16x128, "TROWEXPANDEXPDIF(x, x, r);", "TADD(x, x, y);", ROW16)) == [False]
    # (TROWEXPANDSUB writes in column chunks, TADD reads linearly: no chain either, see above.)
    assert removed(_chain(F16x128, "TROWEXPANDSUB(x, x, r);", "TADD(x, x, y);", ROW16)) == [False]
    assert removed(_chain(F16x128, "TROWEXPANDEXPDIF(x, x, r);", "TEXP(x, x);", ROW16)) == [False]


def test_chain_order_is_checked_repeat_by_repeat():
    from ptofix.pto.derived_facts import COLUMN_CHUNKS, LINEAR
    from ptofix.pto.same_access_chain import chain_order_holds
    from ptofix.pto.walks import TileWalk, walk_pieces
    walk = TileWalk(16, 128, 4, "RowMajor", 16, 128, False)
    linear, chunks = walk_pieces(LINEAR, walk), walk_pieces(COLUMN_CHUNKS, walk)
    assert linear is not None and chunks is not None and len(linear) == len(chunks) == 32
    assert chain_order_holds(linear, linear) == chain_order_holds(chunks, chunks) == ""
    assert "repeat 1" in chain_order_holds(chunks, linear)       # row 0's second chunk: producer repeat 16
    assert "repeat 1" in chain_order_holds(linear, chunks)       # row 1's first chunk: producer repeat 2
    short = walk_pieces(LINEAR, TileWalk(7, 128, 4, "RowMajor", 7, 128, True))
    assert short is not None and "fewer than 16" in chain_order_holds(short, short)


# -- A run-time valid shape the model knows one value of walks as that static shape ---------------
DYN16x128 = _tile("float", 16, 128, "-1, -1")


def _dynamic_chain(rows: str, cols: str, first: str, second: str, extra: str = "") -> str:
    made = f"{DYN16x128}({rows}, {cols})"
    return _pair(f"  const int64_t r = 16;\n  const int64_t c = 128;\n"
                 f"  {DYN16x128} x = {made};\n  TASSIGN(x, 0);\n  {DYN16x128} y = {made};\n  TASSIGN(y, 16384);\n"
                 f"  {DYN16x128} z = {made};\n  TASSIGN(z, 32768);\n{extra}", first, second)


def test_a_run_time_valid_shape_of_one_known_value_chains_as_the_static_one():
    # PyPTO's kernels construct -1 x -1 tiles from constants: the ops walk them as 16 x 128.
    assert removed(_dynamic_chain("r", "c", "TADD(x, y, y);", "TADD(z, x, x);")) == [True]
    # TMULS tests the *type* (TBinSOp.hpp tileDataContinue): on -1 x -1 it walks column chunks, so
    # a second TMULS trails it and TEXP (which tests the run-time shape: linear) does not. Wrong
    # (the rule before issue 55): taking the pinned shape as a static type for every op.
    assert removed(_dynamic_chain("16", "128", "TMULS(x, y, 2.0f);", "TMULS(z, x, 3.0f);")) == [True]
    assert removed(_dynamic_chain("16", "128", "TMULS(x, y, 2.0f);", "TEXP(z, x);")) == [False]


def test_texp_chains_like_the_hand_written_fa_softmax():
    # pto-isa's FA softmax issues TEXP(p, p) and then TCVT over p's bytes with no barrier between.
    assert removed(_dynamic_chain("16", "128", "TEXP(x, y);", "TADD(z, x, x);")) == [True]
    # Fewer than 16 repeats (4 x 128 floats = 8): kept, whatever the producer.
    assert removed(_dynamic_chain("4", "128", "TEXP(x, y);", "TADD(z, x, x);")) == [False]


@pytest.mark.parametrize("rows, cols, extra, first", [
    ("n", "c", "", "TADD(x, y, y);"),                        # a run-time input: fits, but which walk?
    ("r", "c", "  if (n > 0) { x.SetValidShape(8, 128); }\n", "TADD(x, y, y);"),   # two values
    ("r", "c", "", "TSQRT(x, y);"),                          # a multi-cycle producer still chains nothing
    ("r", "c", "", "TRECIP(x, y);"),
])
def test_a_run_time_valid_shape_not_known_to_one_value_chains_nothing(rows, cols, extra, first):
    text = _dynamic_chain(rows, cols, first, "TADD(z, x, x);", extra)
    assert removed(text) == [False], text


# TCVT as the consumer of a same-access chain: pto-isa's FA softmax runs TEXP(p, p) and then a TCVT
# of p's bytes with no barrier. A float conversion is one vconv a row over whole 256-byte repeats.
BF16x128 = _tile("bfloat16_t", 16, 128, "16, 128")
F16x96 = _tile("float", 16, 96, "16, 96")
BF16x96 = _tile("bfloat16_t", 16, 96, "16, 96")
I32x128 = _tile("int32_t", 16, 128, "16, 128")


def _into_cvt(source: str, dest: str, first: str, second: str) -> str:
    return _pair(f"  {source} x;\n  TASSIGN(x, 0);\n  {source} y;\n  TASSIGN(y, 16384);\n  {dest} h;\n"
                 f"  TASSIGN(h, 32768);", first, second)


HALF16x128 = _tile("half", 16, 128, "16, 128")


def test_a_float_conversion_reads_a_chain_in_order():
    assert removed(_into_cvt(F16x128, HALF16x128, "TEXP(x, y);", "TCVT(h, x, RoundMode::CAST_RINT);")) == [True]
    assert removed(_into_cvt(F16x128, HALF16x128, "TMULS(x, y, 2.0f);", "TCVT(h, x, RoundMode::CAST_RINT);")) \
        == [True]


def test_a_conversion_to_bfloat16_keeps_its_barrier():
    # TCvt.hpp's float -> bf16 branch (GenCastCallFp32ToBf16) has no recorded walk: the host
    # cost model traces bfloat16_t as half, so no chain into it is credited (fail closed).
    assert removed(_into_cvt(F16x128, BF16x128, "TEXP(x, y);", "TCVT(h, x, RoundMode::CAST_ROUND);")) == [False]
    assert removed(_into_cvt(F16x128, BF16x128, "TEXP(x, y);", "TCVT(h, x, RoundMode::CAST_RINT);")) == [False]


@pytest.mark.parametrize("source, dest, first, second", [
    # 96 valid columns: one whole repeat a row, then a tail pass over every row (out of order).
    (F16x96, BF16x96, "TEXP(x, y);", "TCVT(h, x, RoundMode::CAST_RINT);"),
    # float -> int32: not one of the single-vconv float conversions.
    (F16x128, I32x128, "TEXP(x, y);", "TCVT(h, x, RoundMode::CAST_RINT);"),
    # A producer no hardware run stands behind.
    (F16x128, BF16x128, "TSQRT(x, y);", "TCVT(h, x, RoundMode::CAST_RINT);"),
    # Fewer than 16 repeats (4 x 128 floats: 8).
    (_tile("float", 4, 128, "4, 128"), _tile("bfloat16_t", 4, 128, "4, 128"), "TEXP(x, y);",
     "TCVT(h, x, RoundMode::CAST_RINT);"),
    # A dst of another valid shape: TCVT walks dst's, not the chained access's.
    (F16x128, _tile("bfloat16_t", 16, 128, "8, 128"), "TEXP(x, y);", "TCVT(h, x, RoundMode::CAST_RINT);"),
    # The conversion writes over the bytes it reads: a WAW/WAR of another access, no chain.
    (F16x128, BF16x128, "TEXP(x, y);", "TCVT(y, x, RoundMode::CAST_RINT);"),
])
def test_a_conversion_chain_not_walked_in_order_keeps_its_barrier(source, dest, first, second):
    assert removed(_into_cvt(source, dest, first, second)) == [False]
