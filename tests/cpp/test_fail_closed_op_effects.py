"""Fail closed on what an op touches: op effects, tiles past the UB or off its grid, a tmp past the UB,
the values of addresses, operands walked past their tiles, broadcasts, compares and count mode, vector ops
on tiles of other spaces and values where an overload takes a tile.

Kernels and geometry as in tests/cpp/test_fail_closed.py: each needed barrier must stay.
"""
from __future__ import annotations

import pytest
from test_fail_closed import TILE, _decisions, _pair, kernel, removed

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText


def _tile(dt: str, rows: int, cols: int, valid: str, layout: str = "RowMajor") -> str:
    return f"Tile<TileType::Vec, {dt}, {rows}, {cols}, BLayout::{layout}, {valid}, SLayout::NoneBox, 512, PadValue::Null>"


F16x64 = _tile("float", 16, 64, "16, 64")
# What the op effects once got wrong, each a needed barrier (pto-isa a2a3 at 3186c381).
OP_KERNELS = {
    # TROWEXPAND* picks its per-row source from the valid shapes: s1 is wider but s0's valid shape
    # differs from d's, so s0 (ColMajor) is broadcast through the scratch at [184 KiB, 192 KiB).
    "row-expand roles follow the valid shapes": _pair(
        f"  {F16x64} d;\n  TASSIGN(d, 0);\n  {_tile('float', 16, 64, '16, 1', 'ColMajor')} s0;\n  TASSIGN(s0, 4096);\n"
        f"  {_tile('float', 32, 64, '16, 64')} s1;\n  TASSIGN(s1, 8192);\n  {F16x64} y;\n  TASSIGN(y, 188416);\n"
        f"  {F16x64} x;\n  TASSIGN(x, 20480);", "TADD(x, y, y);", "TROWEXPANDMUL(d, s0, s1);"),
    # float row reduction, E < validCol < 2E with a tmp narrower than a repeat: returns having
    # issued nothing, so no trailing barrier; x is then overwritten while TADD may still write it.
    "row reduction that returns early has no trailing barrier": _pair(
        f"  {F16x64} a;\n  TASSIGN(a, 0);\n  {F16x64} x;\n  TASSIGN(x, 4096);\n  {F16x64} y;\n  TASSIGN(y, 8192);\n"
        f"  {_tile('float', 16, 128, '16, 100')} s;\n  TASSIGN(s, 12288);\n  {_tile('float', 16, 32, '16, 32')} t;\n"
        f"  TASSIGN(t, 20480);\n  {_tile('float', 16, 1, '16, 1', 'ColMajor')} r;\n  TASSIGN(r, 22528);",
        "TADD(x, a, a);\n  TROWSUM(r, s, t);", "TADD(x, y, y);"),
    # int row reductions drain through V->S->V flags once per row: none when the valid rows are 0.
    "int row reduction over rows that may be none": _pair(
        f"  {F16x64} a;\n  TASSIGN(a, 0);\n  {F16x64} x;\n  TASSIGN(x, 4096);\n  {F16x64} y;\n  TASSIGN(y, 8192);\n"
        f"  {_tile('int32_t', 16, 64, '-1, -1')} s(n, 64);\n  TASSIGN(s, 12288);\n"
        f"  {_tile('int32_t', 16, 64, '16, 64')} t;\n  TASSIGN(t, 16384);\n"
        f"  {_tile('int32_t', 16, 1, '-1, 1', 'ColMajor')} r(n, 1);\n  TASSIGN(r, 20480);",
        "TADD(x, a, a);\n  TROWSUM(r, s, t);", "TADD(x, y, y);"),
    # The binary TCOLSUM writes validRow/2 rows at the tmp's row stride: past a 1-row tmp, into z.
    "binary TCOLSUM writes past its tmp": _pair(
        f"  {F16x64} s;\n  TASSIGN(s, 0);\n  {_tile('float', 1, 64, '1, 64')} d;\n  TASSIGN(d, 4096);\n"
        f"  {_tile('float', 1, 64, '1, 64')} tmp;\n  TASSIGN(tmp, 8192);\n  {_tile('float', 1, 64, '1, 64')} z;\n"
        f"  TASSIGN(z, 8448);\n  {_tile('float', 1, 64, '1, 64')} w;\n  TASSIGN(w, 12288);",
        "TADD(w, z, z);", "TCOLSUM(d, s, tmp, true);"),
    # A qualified operand is a tile unless its scope is one of pto's mode enumerations.
    "qualified tile operand": _pair(
        f"  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} x;\n  TASSIGN(x, 8192);\n  {TILE} y;\n  TASSIGN(y, 65536);\n"
        "  TASSIGN(ns::g, 8192);", "TADD(ns::g, a, a);", "TADD(y, x, x);",
        helpers=f"namespace ns {{\n{TILE} g;\n}}"),
    # TROWARGMAX(dstVal, dstIdx, src, tmp) writes dstIdx and tmp (the 3-operand form's roles differ).
    "4-operand TROWARGMAX writes its index and tmp": _pair(
        f"  {F16x64} s;\n  TASSIGN(s, 0);\n  {_tile('float', 16, 1, '16, 1', 'ColMajor')} dv;\n  TASSIGN(dv, 4096);\n"
        f"  {_tile('int32_t', 16, 1, '16, 1', 'ColMajor')} di;\n  TASSIGN(di, 4160);\n  {F16x64} t;\n  TASSIGN(t, 8192);\n"
        f"  {F16x64} x;\n  TASSIGN(x, 12288);", "TADDS(x, t, 1.0f);", "TROWARGMAX(dv, di, s, t);"),
    "4-operand TCOLARGMAX writes its index": _pair(
        f"  {F16x64} s;\n  TASSIGN(s, 0);\n  {_tile('float', 1, 64, '1, 64')} dv;\n  TASSIGN(dv, 4096);\n"
        f"  {_tile('int32_t', 1, 64, '1, 64')} di;\n  TASSIGN(di, 4352);\n  {F16x64} t;\n  TASSIGN(t, 8192);\n"
        f"  {_tile('int32_t', 1, 64, '1, 64')} y;\n  TASSIGN(y, 12288);", "TADD(y, di, di);", "TCOLARGMAX(dv, di, s, t);"),
    # TEXTRACT(dst0, dst1, src, r0, c0, r1, c1) writes both destinations.
    "two-destination TEXTRACT writes dst1": _pair(
        f"  {F16x64} s;\n  TASSIGN(s, 0);\n  {F16x64} d0;\n  TASSIGN(d0, 4096);\n  {F16x64} d1;\n"
        f"  TASSIGN(d1, 8192);\n  {F16x64} y;\n  TASSIGN(y, 12288);", "TADD(y, d1, d1);",
        "TEXTRACT(d0, d1, s, 0, 0, 0, 32);"),
    # TCOLSUM steps through its tmp by the tmp's own row pitch: a float tmp under a half src.
    "TCOLSUM tmp of another element type": _pair(
        f"  {_tile('half', 16, 64, '16, 64')} s;\n  TASSIGN(s, 0);\n  {_tile('half', 1, 64, '1, 64')} d;\n"
        f"  TASSIGN(d, 2048);\n  {_tile('float', 1, 64, '1, 64')} tmp;\n  TASSIGN(tmp, 4096);\n"
        f"  {_tile('float', 1, 64, '1, 64')} z;\n  TASSIGN(z, 5120);\n  {_tile('float', 1, 64, '1, 64')} w;\n"
        "  TASSIGN(w, 12288);", "TADDS(w, z, 1.0f);", "TCOLSUM(d, s, tmp, true);"),
    # int32 TREM converts its sources in place: src1 is written.
    "TREM writes its sources": _pair(
        f"  {_tile('int32_t', 16, 64, '16, 64')} d;\n  TASSIGN(d, 0);\n  {_tile('int32_t', 16, 64, '16, 64')} s0;\n"
        f"  TASSIGN(s0, 4096);\n  {_tile('int32_t', 16, 64, '16, 64')} s1;\n  TASSIGN(s1, 8192);\n"
        f"  {_tile('int32_t', 16, 64, '16, 64')} t;\n  TASSIGN(t, 65536);\n  {_tile('int32_t', 16, 64, '16, 64')} y;\n"
        "  TASSIGN(y, 12288);", "TADD(y, s1, s1);", "TREM(d, s0, s1, t);"),
    # TCVT's tmp form writes past its tmp tile (fp32 -> int16 without saturation), unchecked.
    "TCVT writes past its tmp": _pair(
        f"  {F16x64} s;\n  TASSIGN(s, 0);\n  {_tile('int16_t', 16, 64, '16, 64')} d;\n  TASSIGN(d, 4096);\n"
        f"  {_tile('float', 1, 64, '1, 64')} t;\n  TASSIGN(t, 8192);\n  {F16x64} z;\n  TASSIGN(z, 8448);",
        "TADDS(z, z, 1.0f);", "TCVT(d, s, t, RoundMode::CAST_RINT);"),
    # A RowMajor per-row TROWEXPAND* walks dst column chunk by column chunk (validRow repeats per
    # chunk), ahead of a row-ordered producer: no same-access chain, whatever the repeat count.
    "row-expand with a RowMajor per-row operand is no same-access chain": _pair(
        f"  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} b;\n  TASSIGN(b, 8192);\n"
        f"  {_tile('float', 16, 8, '16, 8')} r;\n  TASSIGN(r, 16384);", "TADD(a, b, b);", "TROWEXPANDMUL(a, a, r);"),
    # A run-time valid shape is not checked against the tile's shape at construction: 32 rows of a
    # 16-row tile reach into y. (And -1 becomes a huge unsigned count.)
    "valid rows past the tile's rows": _pair(
        f"  {_tile('float', 16, 64, '-1, -1')} d(32, 64);\n  TASSIGN(d, 0);\n  {F16x64} y;\n  TASSIGN(y, 4096);",
        "TADDS(y, y, 1.0f);", "TEXPANDS(d, 2.0f);"),
    "negative valid rows": _pair(
        f"  {_tile('float', 16, 64, '-1, 64')} d(-1);\n  TASSIGN(d, 0);\n  {F16x64} y;\n  TASSIGN(y, 4096);",
        "TADDS(y, y, 1.0f);", "TEXPANDS(d, 2.0f);"),
    # PTOAS's same-access exception needs the consumer to read the access: a pure WAW is no chain.
    "overwrite without a read is no same-access chain": _pair(
        f"  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} x;\n  TASSIGN(x, 8192);\n  {TILE} b;\n  TASSIGN(b, 16384);",
        "TADD(x, a, a);", "TMULS(x, b, 2.0f);"),
}


@pytest.mark.parametrize("name", sorted(OP_KERNELS))
def test_op_effect_barrier_is_kept(name):
    decisions = _decisions(OP_KERNELS[name])
    assert decisions and not any(d.removed for d in decisions), OP_KERNELS[name]


# The UB is 192 KiB (A2/A3): a tile reaching past it touches bytes the model cannot place, whatever
# its address says (`b` at 192 KiB is [196608, 204800) as written, far from `a` at [0, 8192)).
UB_END = 192 * 1024


@pytest.mark.parametrize("b_at, kept", [(UB_END - 8192, False), (UB_END - 4096, True), (UB_END, True),
                                        (0x40000, True)])
def test_a_tile_past_the_ub_has_unknown_bytes(b_at, kept):
    src = kernel(f"  TASSIGN(b, {b_at});")
    assert removed(src) == [not kept]
    if kept:
        [decision] = _decisions(src)
        assert "outside the 192 KiB Vec space" in decision.reason


@pytest.mark.parametrize("b_at", [65536 + 16, 65536 + 2, 65536 - 8])
def test_a_ub_tile_off_the_32_byte_grid_has_unknown_bytes(b_at):
    # As written b is far from a at [0, 8192); which bytes an op touches off the grid is not known.
    src = kernel(f"  TASSIGN(b, {b_at});")
    assert removed(src) == [False]
    [decision] = _decisions(src)
    assert f"address {b_at} is not on the UB's 32-byte block grid" in decision.reason


@pytest.mark.parametrize("at, kept", [(UB_END - 8192, False), (UB_END, True)])
def test_a_tile_of_a_space_the_model_cannot_name_is_held_to_the_ub(at, kept):
    # `kLoc` is TileType::Vec, but the model does not evaluate it: the tile may be in the UB.
    src = kernel(f"  {TILE.replace('TileType::Vec', 'kLoc')} m;\n  TASSIGN(m, {at});", after="TADD(m, m, m);",
                 helpers="constexpr TileType kLoc = TileType::Vec;")
    assert removed(src) == [not kept]


def _colsum_tmp_at(tmp_at: int) -> str:
    # The binary TCOLSUM writes validRow/2 = 8 rows at the tmp's row stride, past its one-row tmp.
    row = _tile("float", 1, 64, "1, 64")
    return _pair(f"  {F16x64} s;\n  TASSIGN(s, 0);\n  {row} d;\n  TASSIGN(d, 4096);\n  {row} tmp;\n"
                 f"  TASSIGN(tmp, {tmp_at});\n  {row} w;\n  TASSIGN(w, 12288);", "TADD(w, w, w);",
                 "TCOLSUM(d, s, tmp, true);")


def test_a_tmp_written_past_the_ub_has_unknown_bytes():
    # The tmp tile itself fits (its 256 bytes end at 192 KiB); the rows written past it do not.
    assert [d.removed for d in _decisions(_colsum_tmp_at(8192))] == [True]
    [decision] = _decisions(_colsum_tmp_at(UB_END - 256))
    assert not decision.removed and "writes past its tmp: bytes" in decision.reason


def test_division_and_ternary_use_the_common_type():
    from ptofix.cpp.semantics import analyse_function
    src = ("__global__ AICORE void k(int32_t c) {\n  int32_t m = -2147483647 - 1;\n  int32_t one = -1;\n"
           "  uint32_t d = 65536;\n  int64_t q = m / d;\n  int64_t r = one % d;\n  int64_t t = (c ? m : 0u) >> 16;\n}\n")
    sem = analyse_function(parse_cpp(SourceText(src, "k.cpp")))
    assert sem.value_set("q") == {32768}            # INT_MIN converts to 2147483648u first
    assert sem.value_set("r") == {65535}
    assert sem.value_set("t") == {32768, 0}          # the ternary is unsigned


def test_octal_literals_have_their_octal_values():
    from ptofix.cpp.semantics import analyse_function
    src = ("__global__ AICORE void k() {\n  int64_t a = 010;\n  int64_t b = 020000u;\n  int64_t c = 00;\n"
           "  int64_t d = 09;\n  int64_t e = 0x10;\n  int64_t f = 10;\n}\n")
    sem = analyse_function(parse_cpp(SourceText(src, "k.cpp")))
    assert [sem.value_set(name) for name in "abcef"] == [{8}, {8192}, {0}, {16}, {10}]
    assert sem.value_set("d") is None      # ill-formed: no value
    # b at 010000 (4096) overlaps a at [0, 8192); at 020000 (8192) it does not.
    assert removed(kernel("  TASSIGN(b, 010000);")) == [False]
    assert removed(kernel("  TASSIGN(b, 020000);")) == [True]


def test_pointer_values_a_32_bit_pointer_may_not_hold_are_unknown():
    from ptofix.cpp.semantics import analyse_function
    src = (f"__global__ AICORE void k() {{\n  {TILE} x;\n  TASSIGN(x, 0);\n  {TILE} h;\n"
           "  TASSIGN(h, 0x100000000ull);\n"
           "  uint64_t fits = (uint64_t)(x.data() + 16);\n"
           "  uint64_t high = (uint64_t)h.data();\n"
           "  uint64_t below = (uint64_t)(x.data() - 1);\n"
           "  uint64_t cut = (uint64_t)(__ubuf__ float *)0x100000000ull;\n"
           "  uint64_t named = reinterpret_cast<uint64_t>(reinterpret_cast<__ubuf__ float *>(0x100000010ull));\n"
           "  uint64_t nested = (uint64_t)((__ubuf__ float **)x.data() + 1);\n}\n")
    sem = analyse_function(parse_cpp(SourceText(src, "k.cpp")))
    assert sem.value_set("fits") == {64}
    assert [sem.value_set(name) for name in ("high", "below", "cut", "named", "nested")] == [None] * 5


def test_an_address_read_back_from_a_tile_past_32_bits_is_unknown():
    # With 32-bit pointers h.data() is 0 and b lands on a; read as 64 bits, b is at 65536.
    setup = f"  {TILE} h;\n  TASSIGN(h, {{h}});\n  TASSIGN(b, ((uint64_t)h.data() >> {{shift}}) * 65536);"
    assert removed(kernel(setup.format(h="0x100000000ull", shift=32))) == [False]
    assert removed(kernel(setup.format(h="0x100", shift=8))) == [True]


# -- an operand walked with another operand's shape, offsets into a tile, TEXTRACT's two destinations --
F8x128 = _tile("float", 8, 128, "8, 128")
MASK8x32 = _tile("uint8_t", 8, 32, "8, 32")
MASK16x32 = _tile("uint8_t", 16, 32, "16, 32")


def _walk(decls: str, op: str) -> str:
    """TMUL writes b at 65536; after the barrier ``op`` on tiles declared in ``decls``."""
    return (f"__global__ AICORE void k(int32_t n) {{\n  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} b;\n  TASSIGN(b, 65536);\n"
            f"{decls}  pipe_barrier(PIPE_ALL);\n  TMUL(b, b, b);\n  pipe_barrier(PIPE_V);\n  {op}\n}}\n")


WALK_KERNELS = {
    # TEXP walks dst's 16 valid rows over an 8-row source at 61440: [61440, 69632) reaches b.
    "unary source shorter than dst": _walk(f"  {F8x128} s;\n  TASSIGN(s, 61440);\n", "TEXP(a, s);"),
    "binary source shorter than dst": _walk(f"  {F8x128} s;\n  TASSIGN(s, 61440);\n", "TADD(a, s, s);"),
    # TCMP walks src's 16 rows: mask rows at a 32-byte pitch from 65280 reach b at row 8.
    "mask with fewer rows than its source": _walk(f"  {MASK8x32} m;\n  TASSIGN(m, 65280);\n",
                                                  "TCMP(m, a, a, CmpMode::GT);"),
    # TINSERT writes s's 8 rows into a from row 12: rows 12..19 of a are [6144, 10240).
    "insert window past dst": _walk(f"  {F8x128} s;\n  TASSIGN(s, 131072);\n  {TILE} c;\n  TASSIGN(c, 57344);\n",
                                    "TINSERT(c, s, 12, 0);"),
    "insert at a run-time row": _walk(f"  {F8x128} s;\n  TASSIGN(s, 131072);\n  {TILE} c;\n  TASSIGN(c, 57344);\n",
                                      "TINSERT(c, s, (uint16_t) n, 0);"),
    "extract window past src": _walk(f"  {F8x128} s;\n  TASSIGN(s, 131072);\n  {TILE} c;\n  TASSIGN(c, 57344);\n",
                                     "TEXTRACT(s, c, 12, 0);"),
    # TEXTRACT(dst0, dst1, src): the defaulted offsets make 3 arguments the two-destination form.
    "extract to two destinations": _walk(f"  {TILE} d;\n  TASSIGN(d, 131072);\n", "TEXTRACT(d, b, a);"),
}
WALK_CONTROLS = {
    "same shapes": _walk(f"  {TILE} s;\n  TASSIGN(s, 131072);\n", "TEXP(a, s);"),
    "mask with its source's rows": _walk(f"  {MASK16x32} m;\n  TASSIGN(m, 131072);\n", "TCMP(m, a, a, CmpMode::GT);"),
    "insert window inside dst": _walk(f"  {F8x128} s;\n  TASSIGN(s, 131072);\n  {TILE} c;\n  TASSIGN(c, 139264);\n",
                                      "TINSERT(c, s, 8, 0);"),
}


@pytest.mark.parametrize("name", sorted(WALK_KERNELS))
def test_an_operand_walked_past_its_tile_keeps_the_barrier(name):
    assert removed(WALK_KERNELS[name]) == [False], WALK_KERNELS[name]


@pytest.mark.parametrize("name", sorted(WALK_CONTROLS))
def test_operands_walked_inside_their_tiles_let_the_barrier_go(name):
    assert removed(WALK_CONTROLS[name]) == [True], WALK_CONTROLS[name]


def _after_op(decls: str, op: str, later: str) -> str:
    return (f"__global__ AICORE void k(int64_t n) {{\n{decls}  pipe_barrier(PIPE_ALL);\n  {op}\n"
            f"  pipe_barrier(PIPE_V);\n  {later}\n}}\n")


ROW1x128 = _tile("float", 1, 128, "1, 128")
BROADCAST_KERNELS = {
    # h's valid rows differ from d's: pto-isa walks y (the tile after it is z) in full.
    "column broadcast source walked in full": _after_op(
        f"  {TILE} d;\n  TASSIGN(d, 0);\n  {_tile('float', 16, 128, '8, 128')} h;\n  TASSIGN(h, 8192);\n"
        f"  {ROW1x128} y;\n  TASSIGN(y, 16384);\n  {ROW1x128} z;\n  TASSIGN(z, 16896);\n",
        "TCOLEXPANDADD(d, h, y);", "TADD(z, z, z);"),
    "row broadcast source walked in full": _after_op(
        f"  {TILE} d;\n  TASSIGN(d, 0);\n  {_tile('float', 16, 128, '8, 128')} h;\n  TASSIGN(h, 8192);\n"
        f"  {_tile('float', 16, 8, '16, 8')} y;\n  TASSIGN(y, 16384);\n  {_tile('float', 16, 8, '16, 8')} z;\n"
        "  TASSIGN(z, 16896);\n", "TROWEXPANDMUL(d, h, y);", "TADD(z, z, z);"),
    # A compare reads whole 256-byte repeats a row: 32-byte rows of a reach into z.
    "compare source narrower than a repeat": _after_op(
        f"  {MASK16x32} m;\n  TASSIGN(m, 0);\n  {_tile('float', 16, 8, '16, 8')} a;\n  TASSIGN(a, 16384);\n"
        f"  {_tile('float', 16, 8, '16, 8')} z;\n  TASSIGN(z, 16896);\n", "TCMPS(m, a, 0.0f, CmpMode::GT);",
        "TADD(z, z, z);"),
    # 8 repeats a row over 4 rows: count mode, row by row; the column-chunk consumer trails by 11.
    "row expand in count mode": _after_op(
        f"  {_tile('float', 4, 512, '4, 512')} a;\n  TASSIGN(a, 0);\n"
        f"  {_tile('float', 8, 1, '8, 1', 'ColMajor')} r;\n  TASSIGN(r, 16384);\n"
        f"  {_tile('float', 1, 512, '1, 512')} c;\n  TASSIGN(c, 20480);\n",
        "TROWEXPANDMUL(a, a, r);", "TCOLEXPANDMUL(a, a, c);"),
}


@pytest.mark.parametrize("name", sorted(BROADCAST_KERNELS))
def test_broadcasts_compares_and_count_mode_keep_the_barrier(name):
    assert removed(BROADCAST_KERNELS[name]) == [False], BROADCAST_KERNELS[name]


def test_a_broadcast_whose_full_source_is_dst_itself_stays_precise():
    src = _after_op(f"  {TILE} d;\n  TASSIGN(d, 0);\n  {ROW1x128} y;\n  TASSIGN(y, 16384);\n"
                    f"  {ROW1x128} z;\n  TASSIGN(z, 16896);\n", "TCOLEXPANDADD(d, d, y);", "TADD(z, z, z);")
    assert removed(src) == [True]


@pytest.mark.parametrize("space", ["Bias", "Mat", "Acc", "Left", "Right", "Scaling"])
@pytest.mark.parametrize("as_destination", [False, True])
def test_a_vector_op_on_a_tile_of_another_space_touches_ub(space, as_destination):
    """pto-isa's vector ops take each operand as a UB pointer whatever its TileType (a2a3
    TAdd.hpp casts `__cce_get_tile_ptr(dst)` to `__ubuf__`, with no Loc check): TADD on a Bias tile
    at address 0 reads or writes UB [0, 2048), where the first TADD wrote. Spaces must not
    separate it: the op is unknown and the barrier stays."""
    vec = "Tile<TileType::Vec, float, 8, 64, BLayout::RowMajor, 8, 64, SLayout::NoneBox, 512, PadValue::Null>"
    other = vec.replace("TileType::Vec", f"TileType::{space}")
    later = "TADD(o, z, z);" if as_destination else "TADD(z, o, o);"
    src = (f"__global__ AICORE void k() {{\n  {vec} a;\n  TASSIGN(a, 0);\n  {vec} b;\n  TASSIGN(b, 2048);\n"
           f"  {vec} z;\n  TASSIGN(z, 4096);\n  {other} o;\n  TASSIGN(o, 0);\n  TADD(a, b, b);\n"
           f"  pipe_barrier(PIPE_V);\n  {later}\n}}\n")
    decisions = BarrierAnalysis(parse_cpp(SourceText(src, "k.cpp"))).run({"auto"})
    assert [d.removed for d in decisions] == [False]
    assert f"is a {space} tile, which a vector op reads and writes as UB" in decisions[0].reason


# A value where every pto-isa overload takes a tile is no call ptofix knows: the op is Unknown.
# (Where an overload takes a value, it is no access: TADDS's scalar, TDIVS's scalar first.)
@pytest.mark.parametrize("after, is_removed", [
    ("TMUL(b, s, b);", False),
    ("TMUL(b, 2.0f, b);", False),
    ("TMUL(b, b, s * 2.0f);", False),
    ("TEXP(b, s);", False),
    ("TADDS(b, s, b);", False),          # TADDS(dst, src, scalar): the scalar is last
    ("TADDS(b, b, s);", True),
    ("TADDS(b, b, s * 2.0f);", True),
    ("TDIVS(b, s, b);", True),           # TDIVS(dst, scalar, src) is an overload of its own
    ("TEXPANDS(b, s);", True),
])
def test_a_value_is_read_only_where_an_overload_takes_one(after, is_removed):
    src = kernel("  TASSIGN(b, 65536);\n  float s = 2.0f;", after=after)
    assert removed(src) == [is_removed]
    if not is_removed:
        reasons = [d.reason for d in BarrierAnalysis(parse_cpp(SourceText(src, "k.cpp"))).run({"auto"})]
        assert any("is a value where every overload ptofix knows takes a tile" in r
                   or "expression ptofix cannot resolve" in r for r in reasons), reasons
