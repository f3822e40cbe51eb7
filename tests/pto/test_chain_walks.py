"""Adversarial kernels against the same-access chain rule checked repeat by repeat (issue 55,
ptofix/pto/walks.py): an op's walk depends on the op *and* on whether pto-isa tests the valid
shape in the tile type or at run time (pto-isa a2a3 f35e7f60 TBinSOp.hpp, TBinOp.hpp,
TUnaryOp.hpp). Each kept barrier is one a consumer running ahead of its producer needs; each
removal shows the rule is not blocked where the walks agree. The rule each test breaks is named."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.pto.derived_facts import COLUMN_CHUNKS, LINEAR, OTHER, ROW_BY_ROW, WALK_KINDS, default_facts
from ptofix.pto.race_model import RaceModel
from ptofix.pto.same_access_chain import chain_order_holds
from ptofix.pto.tiles import ELEMENT_BYTES
from ptofix.pto.walks import TileWalk, hand_walk, walk_kind, walk_pieces
from ptofix.source import SourceText


def _tile(dt: str, rows: int, cols: int, valid: str, layout: str = "RowMajor") -> str:
    return f"Tile<TileType::Vec, {dt}, {rows}, {cols}, BLayout::{layout}, {valid}, SLayout::NoneBox, 512, PadValue::Null>"


def removed(text: str, race_model: RaceModel = RaceModel.SAME_ACCESS_CHAINS) -> list[bool]:
    """The barriers the proof removes, under the opt-in race model (the chain rule this file tests)
    unless ``race_model`` says otherwise."""
    model = parse_cpp(SourceText(text, "adversary.cpp"))
    return [d.removed for d in BarrierAnalysis(model, race_model=race_model).run({"auto"}) if not d.unread]


def _dynamic(dt: str, rows: int, cols: int, names_at: dict[str, int], valid: tuple[int, int] | None = None) -> str:
    """-1 x -1 tiles built from constants, as PyPTO writes them."""
    vr, vc = valid or (rows, cols)
    tile = _tile(dt, rows, cols, "-1, -1")
    return "".join(f"  {tile} {name} = {tile}({vr}, {vc});\n  TASSIGN({name}, {at});\n"
                   for name, at in names_at.items())


def _static(tile: str, names_at: dict[str, int]) -> str:
    return "".join(f"  {tile} {name};\n  TASSIGN({name}, {at});\n" for name, at in names_at.items())


def _ops(decls: str, *ops: str) -> str:
    body = "\n  pipe_barrier(PIPE_V);\n  ".join(ops)
    return f"__global__ AICORE void k(int32_t n) {{\n{decls}  pipe_barrier(PIPE_ALL);\n  {body}\n}}\n"


XYZ = {"x": 0, "y": 32768, "z": 65536}


# ---- the silu chain (PyPTO, 16 x 256 float, -1 x -1): TNEG -> TEXP -> TADDS -> TRECIP ----------

SILU = _ops(_dynamic("float", 16, 256, {"a": 0, "b": 16384, "r": 32768}),
            "TNEG(a, b);", "TEXP(a, a);", "TADDS(a, a, 1.0f);", "TRECIP(r, a);")


def test_the_silu_chain_keeps_its_barriers():
    # TNEG is TMULS(dst, src, -1): on a -1 x -1 type TBinSInstr walks 4 column chunks of 16 rows;
    # TEXP tests the run-time shape and walks linearly: its repeat 1 reads row 0's second chunk,
    # which TNEG writes in its repeat 16. TEXP -> TADDS the other way round: TADDS's repeat 1 reads
    # row 1's first chunk, which TEXP writes in its repeat 4. TRECIP runs vector_dup, a barrier and
    # vdiv per instruction: no single walk. Wrong (before issue 55): a pinned run-time valid shape
    # taken as a static type, every op of WALKED_IN_REPEAT_ORDER linear.
    assert removed(SILU) == [False, False, False]


def test_the_silu_chain_with_static_types_chains_up_to_the_division():
    # The same ops on a static 16 x 256 type: TBinSInstr is tileDataContinue, every walk linear.
    tile = _tile("float", 16, 256, "16, 256")
    text = _ops(_static(tile, {"a": 0, "b": 16384, "r": 32768}),
                "TNEG(a, b);", "TEXP(a, a);", "TADDS(a, a, 1.0f);", "TRECIP(r, a);")
    assert removed(text) == [True, True, False]
    # msSanitizer's a2/a3 rule (the default) credits no chain: every barrier stays.
    assert removed(text, RaceModel.MSSANITIZER_A2A3) == [False, False, False]


def test_the_corpus_silu_kernel_keeps_the_chain_barriers(corpus_dir):
    path = os.path.join(corpus_dir, "real", "44_silu_a2a3.cpp")
    include = os.path.join(corpus_dir, "real", "include")
    done = subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", "--report", "text",
                           "-I", include, path, "-o", os.devnull], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    for line in (210, 220, 312, 322):
        assert f"44_silu_a2a3.cpp:{line}:9: kept" in done.stderr, line


# ---- same-type chains that still go -------------------------------------------------------------

@pytest.mark.parametrize("first, second", [
    ("TADD(x, y, y);", "TEXP(z, x);"),          # BinaryInstrGeneralPath's run-time test, TUnaryOp's
    ("TEXP(x, y);", "TADD(z, x, x);"),
    ("TEXP(x, y);", "TEXP(x, x);"),             # in place
    ("TMULS(x, y, 2.0f);", "TADDS(z, x, 1.0f);"),   # two column-chunk walks of one type
    ("TADDS(x, x, 1.0f);", "TMULS(x, x, 2.0f);"),   # the same, in place both
])
def test_chains_on_one_dynamic_type_whose_walks_agree_go(first, second):
    assert removed(_ops(_dynamic("float", 16, 128, XYZ), first, second)) == [True]


@pytest.mark.parametrize("first, second", [
    ("TEXP(x, y);", "TADDS(z, x, 1.0f);"),      # linear, then column chunks
    ("TADDS(x, y, 1.0f);", "TEXP(z, x);"),      # column chunks, then linear
    ("TADD(x, y, y);", "TMULS(x, x, 2.0f);"),   # in place: the consumer's writes too
    ("TMULS(x, x, 2.0f);", "TADD(x, x, y);"),
    ("TNEG(x, y);", "TABS(z, x);"),
])
def test_a_scalar_op_on_a_dynamic_type_does_not_chain_with_a_linear_one(first, second):
    # Wrong: the scalar ops' walk read from the run-time valid shape (TBinSOp.hpp tests the type).
    assert removed(_ops(_dynamic("float", 16, 128, XYZ), first, second)) == [False]


def test_a_scalar_op_on_a_static_type_walks_linearly_and_chains():
    tile = _tile("float", 16, 128, "16, 128")
    assert removed(_ops(_static(tile, XYZ), "TEXP(x, y);", "TADDS(z, x, 1.0f);")) == [True]
    assert removed(_ops(_static(tile, XYZ), "TMULS(x, y, 2.0f);", "TADD(z, x, x);")) == [True]


def test_one_256_byte_chunk_a_row_walks_like_a_linear_pass():
    # 16 x 64 floats: each row is one 256-byte chunk, so the column-chunk walk is the linear one.
    assert removed(_ops(_dynamic("float", 16, 64, XYZ), "TEXP(x, y);", "TADDS(z, x, 1.0f);")) == [True]
    assert removed(_ops(_dynamic("half", 16, 128, XYZ), "TADDS(x, y, 1.0f);", "TEXP(z, x);")) == [True]
    # ... and two chunks a row do not: 16 x 128 halves are 256 bytes, 16 x 256 halves 512.
    assert removed(_ops(_dynamic("half", 16, 256, XYZ), "TADDS(x, y, 1.0f);", "TEXP(z, x);")) == [False]


def test_a_mixed_pair_of_types_chains_nothing():
    # dst static, src -1 x -1: TBinSInstr's tileDataContinue needs both; ptofix does not guess.
    static, dynamic = _tile("float", 16, 128, "16, 128"), _tile("float", 16, 128, "-1, -1")
    decls = (f"  {static} x;\n  TASSIGN(x, 0);\n  {dynamic} y = {dynamic}(16, 128);\n  TASSIGN(y, 32768);\n"
             f"  {static} z;\n  TASSIGN(z, 65536);\n")
    assert removed(_ops(decls, "TMULS(x, y, 2.0f);", "TMULS(z, x, 2.0f);")) == [False]


# ---- partial valid shapes, 16- vs 32-bit, > 255 repeats -----------------------------------------

def test_partial_valid_columns_chain_nothing_even_where_the_walks_agree():
    # 32 x 256 floats with 128 valid columns: not one run, so TADD and TEXP take the two-level path
    # (column chunks) as TADDS does: the walks agree, but the region is not contiguous, which
    # PTOAS's rule requires (and no hardware run stands behind). Wrong: the order alone.
    text = _ops(_dynamic("float", 32, 256, XYZ, (32, 128)), "TADD(x, y, y);", "TADDS(z, x, 1.0f);")
    assert removed(text) == [False]
    text = _ops(_dynamic("float", 32, 256, XYZ, (32, 128)), "TEXP(x, y);", "TMULS(x, x, 2.0f);")
    assert removed(text) == [False]
    # Rows narrower than a repeat, a row a repeat: 16 repeats, but 16 x 8 floats are 2 repeats of
    # 256 bytes (PTOAS counts those).
    text = _ops(_dynamic("float", 16, 8, XYZ, (16, 4)), "TADD(x, y, y);", "TADD(z, x, x);")
    assert removed(text) == [False]


def test_partial_valid_rows_of_a_full_width_tile_walk_linearly_only_where_tested_at_run_time():
    # 8 of 32 rows valid, full width: TADD/TEXP linear (8 x 2 = 16 repeats), TADDS column chunks.
    assert removed(_ops(_dynamic("float", 32, 128, XYZ, (8, 128)), "TADD(x, y, y);", "TEXP(z, x);")) == [True]
    assert removed(_ops(_dynamic("float", 32, 128, XYZ, (8, 128)), "TADD(x, y, y);", "TADDS(z, x, 1.0f);")) \
        == [False]


def test_fewer_than_16_repeats_chain_nothing_in_any_order():
    assert removed(_ops(_dynamic("float", 7, 128, XYZ), "TADD(x, y, y);", "TEXP(z, x);")) == [False]
    assert removed(_ops(_dynamic("float", 15, 64, XYZ), "TMULS(x, y, 2.0f);", "TMULS(z, x, 2.0f);")) == [False]


def test_more_than_255_repeats():
    # 64 x 256 floats: 256 repeats, one count-mode run linearly (TADD), or 4 column chunks of 64
    # repeats (TADDS on -1 x -1): linear chains with linear, not with the chunks.
    wide = {"x": 0, "y": 65536, "z": 131072}
    assert removed(_ops(_dynamic("float", 64, 256, wide), "TADD(x, y, y);", "TEXP(z, x);")) == [True]
    assert removed(_ops(_dynamic("float", 64, 256, wide), "TADD(x, y, y);", "TADDS(z, x, 1.0f);")) == [False]
    assert removed(_ops(_dynamic("float", 64, 256, wide), "TADDS(x, y, 1.0f);", "TSUBS(z, x, 1.0f);")) == [True]


def test_col_major_tiles_chain_only_on_a_contiguous_type():
    tile = _tile("float", 128, 16, "128, 16", "ColMajor")
    assert removed(_ops(_static(tile, XYZ), "TADD(x, y, y);", "TADDS(z, x, 1.0f);")) == [True]
    dynamic = _tile("float", 128, 16, "-1, -1", "ColMajor")
    decls = "".join(f"  {dynamic} {n} = {dynamic}(128, 16);\n  TASSIGN({n}, {a});\n" for n, a in XYZ.items())
    assert removed(_ops(decls, "TADD(x, y, y);", "TADDS(z, x, 1.0f);")) == [False]


# ---- the walk model itself ----------------------------------------------------------------------

def _walk(rows=16, cols=128, elem=4, valid=None, contiguous=False, layout="RowMajor"):
    vr, vc = valid or (rows, cols)
    return TileWalk(rows, cols, elem, layout, vr, vc, contiguous)


def test_the_kind_names_are_the_trace_tables():
    assert WALK_KINDS == ("linear", "column_chunks", "row_by_row", "other")


@pytest.mark.parametrize("op, walk, kind", [
    ("TADDS", _walk(), COLUMN_CHUNKS),                       # -1 x -1: the type decides
    ("TADDS", _walk(contiguous=True), LINEAR),
    ("TNEG", _walk(), COLUMN_CHUNKS),                         # TMULS(dst, src, -1)
    ("TADD", _walk(), LINEAR),                                # the run-time shape decides
    ("TEXP", _walk(), LINEAR),
    ("TADD", _walk(valid=(16, 64)), COLUMN_CHUNKS),
    ("TADD", _walk(cols=32), ROW_BY_ROW),                     # Bin1LNormModeSmall: a row a repeat
    ("TADDS", _walk(rows=2, cols=256), OTHER),                # few rows: a count-mode instruction a row
    ("TADDS", _walk(rows=300), ROW_BY_ROW),                   # past one instruction's repeats: a row at a time
    ("TADDS", _walk(rows=300, valid=(300, 100)), OTHER),      # ... and a column of masked row tails
    ("TRECIP", _walk(contiguous=True), OTHER),
    ("TDIVS", _walk(), OTHER),
    ("TEXPANDS", _walk(), OTHER),                             # count mode a row (TExpandsVec2D)
    ("TEXPANDS", _walk(contiguous=True), OTHER),              # one count-mode run: its pace is not recorded
    ("TCOLEXPANDMUL", _walk(), OTHER),                        # count mode a row on -1 x -1: no walk
    ("TCOLEXPANDMUL", _walk(contiguous=True), COLUMN_CHUNKS),
    ("TROWEXPANDMUL", _walk(), COLUMN_CHUNKS),
    ("TROWEXPANDMUL", _walk(rows=4, cols=512), OTHER),        # useCountMode: no walk
    ("TADD", _walk(elem=1), OTHER),
])
def test_hand_walks(op, walk, kind):
    assert hand_walk(op, walk, producing=True)[0] == kind


def test_the_exp_dif_expand_writes_last_as_texp():
    assert hand_walk("TROWEXPANDEXPDIF", _walk(), producing=True)[0] == LINEAR
    assert hand_walk("TROWEXPANDEXPDIF", _walk(), producing=False)[0] == COLUMN_CHUNKS


def test_pieces_and_the_rule_in_both_directions():
    walk = _walk(rows=16, cols=64)                     # one chunk a row: the three kinds coincide
    assert walk_pieces(LINEAR, walk) == walk_pieces(COLUMN_CHUNKS, walk) == walk_pieces(ROW_BY_ROW, walk)
    partial = _walk(rows=4, cols=128, valid=(4, 96))   # 384 of 512 bytes a row
    assert walk_pieces(ROW_BY_ROW, partial)[:2] == [(0, 256), (256, 384)]
    assert walk_pieces(COLUMN_CHUNKS, partial)[:2] == [(0, 256), (512, 768)]
    assert walk_pieces(OTHER, partial) is None
    wide = _walk(rows=16, cols=128)
    chunks, linear = walk_pieces(COLUMN_CHUNKS, wide), walk_pieces(LINEAR, wide)
    assert chain_order_holds(chunks, linear) and chain_order_holds(linear, chunks)
    # A consumer touching fewer bytes than the producer, in its order, trails it.
    assert chain_order_holds(linear, linear[:3]) == ""
    # ... one touching a later piece first does not.
    assert chain_order_holds(linear, [linear[5]] + linear) != ""


# ---- the derived table (pto-isa's recorded trace) and the hand-read walks -----------------------

def _point_walk(point: dict) -> TileWalk:
    contiguous = point["rows"] == 1 or (point["valid_static"] and point["valid_cols"] == point["cols"])
    return TileWalk(point["rows"], point["cols"], ELEMENT_BYTES[point["dtype"]], point["layout"], point["valid_rows"],
                    point["valid_cols"], contiguous, point["valid_static"], point["dtype"], point["valid_static"])


def test_every_recorded_walk_is_the_hand_read_one_where_the_hand_reads_one():
    # Where the hand reading names a walk, each recorded grid point's destination walk touches the
    # same bytes per repeat (the kinds coincide on one chunk a row); the hand says other elsewhere.
    table = default_facts()
    compared = 0
    for point in table.table["points"].values():
        if "compile_error" in point or point.get("form") or point.get("walk", {}).get("dst") is None:
            continue
        walk = _point_walk(point)
        hand, _ = hand_walk(point["op"], walk, producing=True)
        if hand == OTHER:
            continue
        compared += 1
        assert walk_pieces(hand, walk) == walk_pieces(point["walk"]["dst"], walk), (point["op"], point["call"])
    assert compared > 300


def _table(kind):
    from ptofix.pto.derived_facts import DerivedFacts, type_class
    key = type_class("float", "RowMajor", False, 16, 128, 16, 128)
    return DerivedFacts({"schema": 1, "pto_isa": {"commit": "test"}, "points": {},
                         "ops": {"TADDS": {key: {"walk": {"dst": kind}, "kind": kind, "barriers": None,
                                                 "count_mode": None, "scratch": False, "points": ["p"]}}}})


def test_the_table_decides_where_it_holds_the_class_and_disagreement_is_no_walk():
    walk = TileWalk(16, 128, 4, "RowMajor", 16, 128, False, False, "float", False)
    assert walk_kind("TADDS", walk, True, _table(COLUMN_CHUNKS)) == (COLUMN_CHUNKS, "")
    kind, why = walk_kind("TADDS", walk, True, _table(LINEAR))       # a table the code contradicts
    assert kind == OTHER and "by hand column_chunks" in why
    assert walk_kind("TADDS", walk, True, _table(None))[0] == OTHER   # its points disagree
    assert walk_kind("TADDS", walk, True, _table(OTHER))[0] == OTHER
    # No entry for the op or the class: the hand reading answers.
    assert walk_kind("TEXP", walk, True, _table(LINEAR)) == (LINEAR, "")
    # 2 x 256 floats fall in the same class, but TBinSOp.hpp runs them one instruction a row (full
    # rows: the bytes of a linear walk): a table saying column chunks for the class is contradicted.
    short = TileWalk(2, 256, 4, "RowMajor", 2, 256, False, False, "float", False)
    # (Few repeats a row: one count-mode instruction a row, whose pace the trace does not record:
    # no walk, whatever the table says.)
    assert walk_kind("TADDS", short, True, _table(LINEAR))[0] == OTHER
    assert walk_kind("TADDS", short, True, _table(COLUMN_CHUNKS))[0] == OTHER


def test_a_column_expand_walks_by_rows_on_a_dynamic_type_and_by_chunks_on_a_static_one():
    # TColExpandBinOp.hpp tests dst's *type*: -1 x -1 -> one count-mode instruction a row (8 rows of
    # 1024 bytes: the bytes of a linear walk, but the pace of a count-mode instruction against
    # 256-byte repeats is not recorded: no chain, fail closed); 8 x 256 static -> 4 column chunks
    # of 8 repeats, which a linear TABS would run ahead of (its repeat 1 reads row 0's second chunk,
    # written in the producer's repeat 8).
    row = _tile("float", 1, 256, "-1, -1")
    decls = _dynamic("float", 8, 256, {"x": 0, "y": 16384, "z": 32768}) + \
        f"  {row} c = {row}(1, 256);\n  TASSIGN(c, 65536);\n"
    assert removed(_ops(decls, "TCOLEXPANDMUL(x, y, c);", "TABS(z, x);")) == [False]
    static, static_row = _tile("float", 8, 256, "8, 256"), _tile("float", 1, 256, "1, 256")
    decls = _static(static, {"x": 0, "y": 16384, "z": 32768}) + f"  {static_row} c;\n  TASSIGN(c, 65536);\n"
    assert removed(_ops(decls, "TCOLEXPANDMUL(x, y, c);", "TABS(z, x);")) == [False]
