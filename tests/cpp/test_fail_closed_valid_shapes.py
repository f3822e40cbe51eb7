"""Fail closed on valid shapes: a tile copy takes its source's valid shapes, GetValidRow reads them, only
run-time inputs are taken to fit, an unknown shape joins the known ones, and answers that change while the
model reads (kept parts, bounds reached).

Kernels and geometry as in tests/cpp/test_fail_closed.py.
"""
from __future__ import annotations

import pytest
from test_fail_closed import _HEAD, TILE, kernel, removed

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText

DYN = TILE.replace("16, 128, SLayout", "-1, -1, SLayout")


@pytest.mark.parametrize("copy", [f"  {DYN} d = s;", "  auto d = s;", f"  {DYN} d(16, 128);\n  TASSIGN(d, 65536);\n  d = s;"])
def test_a_tile_copy_takes_the_valid_shape_of_its_source(copy):
    # s has 32 valid rows on a 16-row tile: its copy walks 32 rows too, over a at [8192, 16384).
    src = (f"__global__ AICORE void k(int64_t n) {{\n  {TILE} a;\n  TASSIGN(a, 8192);\n  {DYN} s(ROWS, 128);\n"
           f"  TASSIGN(s, 0);\n{copy}\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n"
           "  TMUL(d, d, d);\n  pipe_barrier(PIPE_ALL);\n}\n")
    assert removed(src.replace("ROWS", "32")) == [False]
    assert removed(src.replace("ROWS", "16")) == [True]


@pytest.mark.parametrize("later", ["  d = s;", "  TMUL(d, d, d);\n  d = s;"])
def test_a_later_copy_adds_to_the_valid_shapes_and_replaces_none(later):
    # d(32, 128) walks 32 rows whatever a later `d = s;` (16 rows) gives it afterwards.
    src = (f"__global__ AICORE void k(int64_t n) {{\n  {TILE} a;\n  TASSIGN(a, 8192);\n  {DYN} s(16, 128);\n"
           f"  TASSIGN(s, 65536);\n  {DYN} d(ROWS, 128);\n  TASSIGN(d, 0);\n  pipe_barrier(PIPE_ALL);\n"
           f"  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  TMUL(d, d, d);\n  pipe_barrier(PIPE_ALL);\n{later}\n}}\n")
    assert removed(src.replace("ROWS", "32")) == [False]
    assert removed(src.replace("ROWS", "16")) == [True]


def test_a_copy_takes_the_shapes_its_source_gets_later_in_a_loop():
    # s = part; then part.SetValidShape(n, 128): from the second iteration on s has part's new
    # shape, which the walk meets only after the copy.
    src = (f"__global__ AICORE void k(int64_t n) {{\n  {TILE} a;\n  TASSIGN(a, 8192);\n  {DYN} part(16, 128);\n"
           f"  TASSIGN(part, 0);\n  {DYN} s(16, 128);\n  TASSIGN(s, 0);\n"
           "  for (int32_t i = 0; i < n; i += 1) {\n    s = part;\n    pipe_barrier(PIPE_ALL);\n"
           "    TADD(a, a, a);\n    pipe_barrier(PIPE_V);\n    TMUL(s, s, s);\n    pipe_barrier(PIPE_ALL);\n"
           "    part.SetValidShape(ROWS, 128);\n  }\n}\n")
    assert removed(src.replace("ROWS", "32")) == [False]
    assert removed(src.replace("ROWS", "16")) == [True]


@pytest.mark.parametrize("rows, plain", [("s.GetValidRow()", None), ("d.GetValidRow() + 16", None),
                                         ("(s.GetValidRow() + 1) / 2", True)])
def test_get_valid_row_reads_the_tiles_valid_rows(rows, plain):
    # s has SROWS valid rows: d.SetValidShape(s.GetValidRow(), 128) gives d as many. A tile whose
    # shape reads its own is unknown (and taken to fit, as other unknown values are).
    src = (f"__global__ AICORE void k(int64_t n) {{\n  {TILE} a;\n  TASSIGN(a, 8192);\n"
           f"  {DYN.replace('16, 128, BLayout', '32, 128, BLayout')} s(SROWS, 128);\n  TASSIGN(s, 65536);\n"
           f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n  d.SetValidShape({rows}, 128);\n  pipe_barrier(PIPE_ALL);\n"
           "  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  TMUL(d, d, d);\n  pipe_barrier(PIPE_ALL);\n}\n")
    if rows.startswith("d."):
        # A shape computed from itself may grow past the tile (16 + 16 here): walked as unknown.
        assert removed(src.replace("SROWS", "32")) == [False]
    elif plain is None:
        assert removed(src.replace("SROWS", "32")) == [False]
        assert removed(src.replace("SROWS", "16")) == [True]
    else:
        assert removed(src.replace("SROWS", "32")) == [plain]


def test_a_valid_shape_known_past_the_tile_counts_even_beside_unknown_ones():
    src = (f"__global__ AICORE void k(int64_t n) {{\n  {TILE} a;\n  TASSIGN(a, 8192);\n  {DYN} d(ROWS, 128);\n"
           "  TASSIGN(d, 0);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n"
           "  TMUL(d, d, d);\n  pipe_barrier(PIPE_ALL);\n  d.SetValidShape(n, 128);\n  TMUL(d, d, d);\n}\n")
    assert removed(src.replace("ROWS", "32")) == [False]
    assert removed(src.replace("ROWS", "16")) == [True]


@pytest.mark.parametrize("setup, rows, fits", [
    ("", "n", True),                                                  # a kernel argument: taken to fit
    ("", "(uint32_t) n", True),
    ("  const int64_t m = n;\n", "n > 16 ? m : 16", True),
    ("  int64_t b = get_block_idx();\n", "b", True),
    ("", "n > 16 ? n : 32", False),                                   # a literal past the tile
    ("", "(uint32_t) n * 2 - 1", False),                              # arithmetic may leave the tile
    ("", "(n & 15) + 32", False),
    ("  n = 32;\n", "n", False),                                      # reassigned: not the input
    ("  int64_t g = x[0];\n", "g", False),                            # memory (the kernel may store it)
    ("", "32.0f", False),                                             # fixed by the file, not evaluated
    ("  float f = 32.5f;\n", "f", False),
    ("  uint32_t r = 16;\n  r = r * 2;\n", "r", False),               # defined from itself
    ("  uint32_t k = 32;\n  uint32_t *p = &k;\n", "*p", False),
    ("", "rows()", False),
])
def test_only_run_time_inputs_are_taken_to_fit_the_tile(setup, rows, fits):
    # d is a 16-row tile at 0: a valid shape past it would reach a at 8192.
    src = (f"AICORE inline uint32_t rows() {{ return 32; }}\n"
           f"__global__ AICORE void k(__gm__ int64_t* x, int64_t n) {{\n  {TILE} a;\n  TASSIGN(a, 8192);\n"
           f"{setup}  {DYN} d({rows}, 128);\n  TASSIGN(d, 0);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n"
           "  pipe_barrier(PIPE_V);\n  TMUL(d, d, d);\n  pipe_barrier(PIPE_ALL);\n}\n")
    assert removed(src) == [fits]


@pytest.mark.parametrize("unknown_first", [
    # (The SetValidShape in a branch: one that dominates the op would set the shape there.)
    "  {DYN} d;\n  TASSIGN(d, 0);\n  if (n) {\n    d.SetValidShape(32, 128);\n  }\n",  # default constructor
    "  {DYN} u;\n  TASSIGN(u, 65536);\n  u.SetValidShape(n, 128);\n  {DYN} d(32, 128);\n  TASSIGN(d, 0);\n"
    "  d = u;\n",                                                                # a copy of unknown shape
])
def test_a_shape_the_model_does_not_know_joins_the_known_ones(unknown_first):
    # The shape the model does not know (a default constructor's unset counts, a copy of one)
    # is no run-time input either: d's bytes are unknown, whatever the known shapes beside it.
    src = (f"__global__ AICORE void k(int64_t n) {{\n  {TILE} a;\n  TASSIGN(a, 8192);\n"
           + unknown_first.replace("{DYN}", DYN) +
           "  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  TMUL(d, d, d);\n"
           "  pipe_barrier(PIPE_ALL);\n}\n")
    assert removed(src) == [False]
    assert removed(src.replace("(32, 128)", "(16, 128)")) == [False]
    # With every shape known and fitting, the barrier goes.
    known = src.replace(f"  {DYN} d;\n", f"  {DYN} d(16, 128);\n").replace(f"  {DYN} u;\n", f"  {DYN} u(16, 128);\n")
    assert removed(known.replace("(32, 128)", "(16, 128)")) == [True]


# ---- answers that change while the model reads (kept parts, bounds reached) --------------------------

_DYN = "Tile<TileType::Vec, float, {rows}, 16, BLayout::RowMajor, -1, -1>"
_FIXED = "Tile<TileType::Vec, float, {rows}, 16, BLayout::RowMajor, {rows}, 16>"


def _shape_chain(prefix: str, n: int, rows: int) -> str:
    """Tiles {prefix}0..{prefix}n: {prefix}n is built with `rows` valid rows, each other one takes
    the valid rows of the next."""
    dyn = _DYN.format(rows=64)
    out = f"  {dyn} {prefix}{n}({rows}, 16);\n"
    for i in reversed(range(n)):
        out += f"  {dyn} {prefix}{i}(64, 16);\n  {prefix}{i}.SetValidShape({prefix}{i + 1}.GetValidRow(), 16);\n"
    return out


def test_a_valid_shape_past_the_bound_stays_unknown_when_a_later_read_could_compute_it():
    """d may take m0's 64 valid rows (read through 40 tiles: past the nesting bound, unknown) and
    q's; q's read computes the tail of the same chain from less deep and keeps it. The rows
    TEXTRACT walks and whether d may pass its 16 rows must come from one evaluation: one that
    could not compute m0's rows and one that could would each leave the 64 to the other."""
    src = (_HEAD + "__global__ AICORE void k(int64_t c) {\n"
           f"  {_DYN.format(rows=16)} d(16, 16);\n  {_FIXED.format(rows=16)} v;\n  {_FIXED.format(rows=64)} s;\n"
           + _shape_chain("m", 40, 64)
           + f"  {_DYN.format(rows=64)} q(16, 16);\n  q.SetValidShape(m20.GetValidRow() - 48, 16);\n"
           "  TASSIGN(d, 0);\n  TASSIGN(v, 1024);\n  TASSIGN(s, 4096);\n"
           # (Both shapes reach the TEXTRACT: the second is set in a branch.)
           "  d.SetValidShape(m0.GetValidRow(), 16);\n  if (c) {\n    d.SetValidShape(q.GetValidRow(), 16);\n  }\n"
           "  TADD(v, v, v);\n  pipe_barrier(PIPE_V);\n  TEXTRACT(d, s, 0, 0);\n  pipe_barrier(PIPE_V);\n"
           "  TADD(v, v, v);\n}\n")
    assert removed(src) == [False, False]


def _doubling_chain(n: int) -> str:
    """c0 reads its own valid rows; c{i} twice those of c{i-1}: a read of c{n} recomputes the chain
    below it 2**n times (a shape a cycle shaped is kept for no other read)."""
    dyn16 = "Tile<TileType::Vec, float, 16, 16, BLayout::RowMajor, -1, -1>"
    chain = f"  {dyn16} c0(16, 16);\n  c0.SetValidShape(c0.GetValidRow(), 16);\n"
    for i in range(1, n + 1):
        chain += f"  {dyn16} c{i}(16, 16);\n  c{i}.SetValidShape(c{i - 1}.GetValidRow() + c{i - 1}.GetValidRow(), 16);\n"
    return chain


def test_a_tile_that_may_pass_its_end_is_walked_whatever_else_its_shape_costs():
    """t's 64 valid cols come from a1; its other shape costs the value model its whole budget.
    The cols TADD walks and whether t may pass its end come from one evaluation of its entries."""
    dyn16 = "Tile<TileType::Vec, float, 16, 16, BLayout::RowMajor, -1, -1>"
    src = (_HEAD + "__global__ AICORE void k(int p) {\n"
           f"  {dyn16} t(16, 16);\n  Tile<TileType::Vec, float, 16, 16, BLayout::RowMajor, 16, 16> v;\n"
           "  Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, -1, -1> a1(16, 64);\n" + _doubling_chain(16)
           + "  TASSIGN(t, 0);\n  TASSIGN(v, 1024);\n  t.SetValidShape(16, a1.GetValidCol());\n"
           "  t.SetValidShape(16, c16.GetValidRow() ? p : 16);\n"
           "  TADD(v, v, v);\n  pipe_barrier(PIPE_V);\n  TADD(t, t, t);\n  pipe_barrier(PIPE_V);\n  TADD(v, v, v);\n}\n")
    assert removed(src) == [False, False]


def test_once_a_value_model_reaches_its_work_bound_no_barrier_is_removed():
    """Answers computed after the bound may lack what earlier ones had: from then on the file's
    barriers are kept, with the reason (here a barrier between ops on disjoint tiles)."""
    from ptofix.cpp import value_model
    fixed = "Tile<TileType::Vec, float, 16, 16, BLayout::RowMajor, 16, 16>"
    src = (_HEAD + "__global__ AICORE void k(int p) {\n"
           f"  {fixed} v;\n  {fixed} w;\n  Tile<TileType::Vec, float, 16, 16, BLayout::RowMajor, -1, -1> t(16, 16);\n"
           + _doubling_chain(18) + "  TASSIGN(v, 1024);\n  TASSIGN(w, 4096);\n  TASSIGN(t, 8192);\n"
           "  TADD(v, v, v);\n  pipe_barrier(PIPE_V);\n  TADD(w, w, w);\n  pipe_barrier(PIPE_V);\n"
           "  t.SetValidShape(c18.GetValidRow() - 16, 16);\n  TADD(t, t, t);\n}\n")
    model = parse_cpp(SourceText(src, "budget.cpp"))
    decisions = [d for d in BarrierAnalysis(model).run({"auto"}) if not d.unread]
    assert [d.removed for d in decisions] == [False, False]
    assert f"bound of {value_model.MAX_VALUE_STEPS} computations" in decisions[0].reason
    # (Control: without the chain both go.)
    assert removed(src.replace("c18.GetValidRow() - 16", "16")) == [True, True]


def test_a_call_whose_callee_model_is_past_the_nesting_bound_is_not_understood():
    """k -> ycall -> zcall -> dcall -> fdef(int x = hwork()): modelled from k, fdef's model is
    more than MAX_CALLEE_NESTING calls deep; dcall's call of it may run hwork()'s TADDS on u."""
    src = (_HEAD + "static int hwork() {\n  Tile<TileType::Vec, float, 16, 16, BLayout::RowMajor, 16, 16> t;\n"
           "  TASSIGN(t, 0);\n  TADDS(t, t, 1.0f);\n  return 0;\n}\nstatic void fdef(int x = hwork()) {\n}\n"
           "static void dcall() {\n  fdef();\n}\nstatic void zcall() {\n  dcall();\n}\n"
           "static void ycall() {\n  zcall();\n}\n__global__ AICORE void k() {\n"
           "  Tile<TileType::Vec, float, 16, 16, BLayout::RowMajor, 16, 16> u;\n"
           "  Tile<TileType::Vec, float, 16, 16, BLayout::RowMajor, 16, 16> w;\n"
           "  TASSIGN(u, 0);\n  TASSIGN(w, 1024);\n  TADDS(u, u, 2.0f);\n  pipe_barrier(PIPE_V);\n  ycall();\n"
           "  TADDS(w, w, 3.0f);\n}\n")
    assert removed(src) == [False]
    # And a recursive call, whose model is being built, is not understood either.
    recursive = src.replace("static void fdef(int x = hwork()) {\n}\n",
                            "static void fdef(int x = hwork()) {\n  fdef(1);\n}\n").replace("  ycall();\n", "  fdef(2);\n")
    assert removed(recursive) == [False]


@pytest.mark.parametrize("setup, helpers, says", [
    # The operator form, in the code or in a macro, says what a `#pragma` line says.
    ('  _Pragma("push_macro(\\"CHAR_BIT\\")");', "", "saves or restores a macro"),
    ("", '#define RESTORE _Pragma("pop_macro(\\"CHAR_BIT\\")")\n', "saves or restores a macro"),
    ("", '#pragma pop_macro("CHAR_BIT")\n', "saves or restores a macro"),
    # A pragma the operator stringizes from a macro's argument may be any pragma.
    ("", "#define PRAGMA(x) _Pragma(#x)\n", "a pragma operator whose pragma ptofix does not read"),
], ids=["operator in code", "operator in a macro", "pragma line", "stringized operator"])
def test_a_pragma_that_may_save_or_restore_a_macro_keeps_the_barrier(setup, helpers, says):
    model = parse_cpp(SourceText(kernel("  TASSIGN(b, 65536);\n" + setup, helpers=helpers), "adversary.cpp"))
    decisions = [d for d in BarrierAnalysis(model).run({"auto"}) if not d.unread]
    assert decisions and not any(d.removed for d in decisions)
    assert says in decisions[0].reason


def test_a_pragma_that_names_no_macro_stack_is_no_reason_to_keep_the_barrier():
    helpers = '#pragma once\n#define UNROLL _Pragma("unroll 4")\n'
    assert removed(kernel("  TASSIGN(b, 65536);", helpers=helpers)) == [True]
