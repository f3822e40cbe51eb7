"""Fail closed: a barrier that is really needed is kept whatever C++ construct hides the overlap.

Every kernel below has two vector ops around one `pipe_barrier(PIPE_V)`: `TADD(a, a, a)` on the
tile `a` at UB [0, 8192) and `TMUL(b, b, b)` on a tile `b` that really sits at 4096 (a partial
overlap, so no same-access chain applies). A `pipe_barrier(PIPE_ALL)` after the set-up drains
whatever the set-up issued, so only the value (or binding) it leaves behind matters. Each case hides the address of `b`, the identity of a
tile, an extra vector op or a drain behind one construct; a model that reads it as "no effect"
would remove the barrier. The control kernel shows the barrier *is* removed when `b` is provably
at 65536, so each test can fail.
"""
from __future__ import annotations

import pytest

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText

TILE = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"
ROW = "Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 16, 1, SLayout::NoneBox, 512, PadValue::Null>"


def kernel(setup: str, before: str = "TADD(a, a, a);", after: str = "TMUL(b, b, b);", helpers: str = "",
           head: str = "__global__ AICORE void k(__gm__ float* x, int64_t n)", b_decl: str = f"{TILE} b;") -> str:
    return f"""{helpers}
{head} {{
  {TILE} a;
  TASSIGN(a, 0);
  {b_decl}
{setup}
  pipe_barrier(PIPE_ALL);
  {before}
  pipe_barrier(PIPE_V);
  {after}
}}
"""


def removed(src: str) -> list[bool]:
    model = parse_cpp(SourceText(src, "adversary.cpp"))
    return [d.removed for d in BarrierAnalysis(model).run({"auto"})]


def test_control_barrier_is_removed_when_b_is_provably_elsewhere():
    assert removed(kernel("  TASSIGN(b, 65536);")) == [True]


def test_control_barrier_is_kept_for_the_plain_overlap():
    assert removed(kernel("  TASSIGN(b, 4096);")) == [False]


CASES = {
    # -- scalar definitions --------------------------------------------------------------------
    "chained assignment": "  int64_t q = 65536;\n  int64_t r = 65536;\n  q = r = 4096;\n  TASSIGN(b, r);",
    "chained assignment, outer": "  int64_t q = 65536;\n  int64_t r = 65536;\n  q = r = 4096;\n  TASSIGN(b, q);",
    "comma assignment": "  int64_t q = 65536;\n  q = 65536, q = 4096;\n  TASSIGN(b, q);",
    "assignment in if condition": "  int64_t q = 65536;\n  if ((q = 4096) == 1) {\n  }\n  TASSIGN(b, q);",
    "assignment in for condition": "  int64_t q = 65536;\n  for (int64_t i = 0; (q = 4096) < 0; i += 1) {\n  }\n  TASSIGN(b, q);",
    "post increment": "  int64_t q = 4095;\n  q++;\n  TASSIGN(b, q);",
    "pre decrement": "  int64_t q = 4097;\n  --q;\n  TASSIGN(b, q);",
    "compound assignment": "  int64_t q = 65536;\n  q -= 61440;\n  TASSIGN(b, q);",
    "write through pointer": "  int64_t q = 65536;\n  int64_t* p = &q;\n  *p = 4096;\n  TASSIGN(b, q);",
    "write through reference": "  int64_t q = 65536;\n  int64_t& r = q;\n  r = 4096;\n  TASSIGN(b, q);",
    "address passed to a function": "  int64_t q = 65536;\n  set_it(&q);\n  TASSIGN(b, q);",
    "definition inside while": "  int64_t q = 65536;\n  while (n > 0) {\n    q = 4096;\n    n = n - 1;\n  }\n  TASSIGN(b, q);",
    "definition inside do": "  int64_t q = 65536;\n  do {\n    q = 4096;\n  } while (0);\n  TASSIGN(b, q);",
    "definition inside switch": "  int64_t q = 65536;\n  switch (n) {\n  case 1:\n    q = 4096;\n    break;\n  default:\n    break;\n  }\n  TASSIGN(b, q);",
    "definition inside lambda": "  int64_t q = 65536;\n  auto f = [&]() { q = 4096; };\n  f();\n  TASSIGN(b, q);",
    "several declarators": "  int64_t q = 65536, r = 4096;\n  TASSIGN(b, r);",
    "parameter reassigned": "  n = 65536;\n  TASSIGN(b, n);",
    "volatile variable": "  volatile int64_t q = 65536;\n  TASSIGN(b, q);",
    "comma in for step": "  int64_t q = 65536;\n  for (int64_t i = 0; i < 1; i += 1, q -= 61440) {\n  }\n  TASSIGN(b, q);",
    "if constexpr": "  int64_t q = 65536;\n  if constexpr (true) {\n    q = 4096;\n  }\n  TASSIGN(b, q);",
    # -- integer semantics ---------------------------------------------------------------------
    "uint16 wraps": "  uint16_t q = 69632;\n  TASSIGN(b, q);",
    "int32 product wraps": "  int32_t q = 65536 * 65537;\n  TASSIGN(b, (int64_t) q - 61440);",
    "uint32 subtraction wraps": "  uint32_t q = 0;\n  uint32_t r = q - 4294963200u;\n  TASSIGN(b, r);",
    "cast truncates": "  int64_t q = 4294971392;\n  TASSIGN(b, (uint32_t) q);",
    "half pointer arithmetic": "  __ubuf__ half* p = (__ubuf__ half*) 0;\n  TASSIGN(b, reinterpret_cast<uint64_t>(p + 2048));",
    "auto pointer from data()": "  auto p = a.data();\n  TASSIGN(b, reinterpret_cast<uint64_t>(p + 1024));",
    "typedef pointee": "  typedef half H;\n  __ubuf__ H* p = (__ubuf__ H*) 0;\n  TASSIGN(b, reinterpret_cast<uint64_t>(p + 2048));",
    # -- tile bindings -------------------------------------------------------------------------
    "tile copy assignment": "  TASSIGN(b, 65536);\n  {TILE} c;\n  TASSIGN(c, 4096);\n  b = c;",
    "auto tile copy": "  TASSIGN(b, 65536);\n  {TILE} c;\n  TASSIGN(c, 4096);\n  auto d = c;\n  b = d;",
    "qualified TASSIGN": "  pto::TASSIGN(b, 4096);",
    "template TASSIGN": "  TASSIGN<4096>(b);",
    "TASSIGN through a reference": "  TASSIGN(b, 65536);\n  auto& rb = b;\n  TASSIGN(rb, 4096);",
    "tile reference parameter helper": "  TASSIGN(b, 65536);\n  rebind(b);",
    "nested redeclaration": "  TASSIGN(b, 4096);\n  {\n    {TILE} b;\n    TASSIGN(b, 65536);\n  }",
    "unknown call rebinds": "  TASSIGN(b, 65536);\n  some_library_call(b);",
    # -- vector ops anywhere in a statement ---------------------------------------------------
    "op in comma expression": "  TASSIGN(b, 65536);\n  {TILE} c;\n  TASSIGN(c, 4096);",
    "op in return expression": "  TASSIGN(b, 65536);",
    "macro without parentheses": "  TASSIGN(b, 65536);",
    "method call": "  TASSIGN(b, 65536);",
    "unknown function": "  TASSIGN(b, 65536);",
    "void cast": "  TASSIGN(b, 65536);",
    "operator on tiles": "  TASSIGN(b, 65536);",
    "tile read through a pointer": f"  TASSIGN(b, 65536);\n  {TILE}* pa = &a;",
    "event id variable changes between set and wait": "  TASSIGN(b, 65536);\n  {TILE} c;\n  TASSIGN(c, 4096);\n  int32_t e = 0;",
    "TCVT writes its tmp": "  TASSIGN(b, 65536);\n  {TILE} c;\n  TASSIGN(c, 4096);\n"
                           "  Tile<TileType::Vec, half, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null> h;\n"
                           "  TASSIGN(h, 131072);",
    # -- drains --------------------------------------------------------------------------------
    "wait_flag covers only work before its set_flag": "  TASSIGN(b, 65536);\n  {TILE} c;\n  TASSIGN(c, 4096);",
    "TCOLMAX with a dynamic valid shape is no drain": "  TASSIGN(b, 65536);\n  {TILE} c;\n  TASSIGN(c, 4096);",
    "second set_flag before the wait": "  TASSIGN(b, 65536);\n  {TILE} c;\n  TASSIGN(c, 4096);",
}

# Cases whose construct sits in the ops rather than in the setup: (before, after) replacements.
OPS = {
    "op in comma expression": ("TADD(a, a, a);", "(TMUL(c, c, c), 0);"),
    "op in return expression": ("TADD(a, a, a);", "return (void) TMUL(a, a, a);"),
    "macro without parentheses": ("TADD(a, a, a);", "VECTOR_WORK;"),
    "method call": ("TADD(a, a, a);", "a.Apply();"),
    "unknown function": ("TADD(a, a, a);", "scale_rows(a);"),
    "void cast": ("TADD(a, a, a);", "(void) TMUL(a, a, a);"),
    "operator on tiles": ("TADD(a, a, a);", "a * b;"),
    "tile read through a pointer": ("TADD(a, a, a);", "TMUL(b, *pa, b);"),
    "event id variable changes between set and wait":
        ("TADD(a, a, a);\n  set_flag(PIPE_V, PIPE_S, e);\n  TADD(c, c, c);\n  e = 1;\n  set_flag(PIPE_V, PIPE_S, e);\n"
         "  wait_flag(PIPE_V, PIPE_S, e);", "TMUL(a, a, a);"),
    "TCVT writes its tmp": ("TCVT(h, b, c, RoundMode::CAST_RINT);", "TMUL(a, a, a);"),
    "wait_flag covers only work before its set_flag":
        ("TADD(a, a, a);\n  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  TADD(c, c, c);\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);",
         "TMUL(a, a, a);"),
    "TCOLMAX with a dynamic valid shape is no drain":
        ("TADD(c, c, c);\n  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, -1, -1, SLayout::NoneBox, 512, PadValue::Null> d"
         " = Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, -1, -1, SLayout::NoneBox, 512, PadValue::Null>(n, n);\n"
         "  TASSIGN(d, 131072);\n  TCOLMAX(d, d);", "TMUL(a, a, a);"),
    "second set_flag before the wait":
        ("set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  TADD(c, c, c);\n  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n"
         "  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);", "TMUL(a, a, a);"),
}

HELPERS = {
    "address passed to a function": "void set_it(int64_t* p);",
    "tile reference parameter helper": f"static AICORE void rebind({TILE}& t) {{\n  TASSIGN(t, 4096);\n}}",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_needed_barrier_is_kept(name):
    setup = CASES[name].replace("{TILE}", TILE)
    before, after = OPS.get(name, ("TADD(a, a, a);", "TMUL(b, b, b);"))
    src = kernel(setup, before, after, HELPERS.get(name, ""))
    assert removed(src) == [False], src


LOCAL_HELPER_CASES = {
    "helper issues vector work": ("static AICORE void h({TILE}& t) {{\n  TMUL(t, t, t);\n}}", "h(a);"),
    "helper writes a caller scalar by reference":
        ("static AICORE void h(int64_t& v) {{\n  v = 4096;\n}}", None),
    "overloaded helper": ("static AICORE void h(int x) {{\n  return;\n}}\n"
                          "static AICORE void h({TILE}& t) {{\n  TMUL(t, t, t);\n}}", "h(a);"),
    "local function shadows an op": ("static AICORE void TMUL({TILE}& d, {TILE}& s, {TILE}& t) {{\n  TADD(d, s, t);\n"
                                     "  TADD(s, s, s);\n}}", "TMUL(b, a, b);"),
}


@pytest.mark.parametrize("name", sorted(LOCAL_HELPER_CASES))
def test_local_helpers_are_effect_free_only_when_provably_so(name):
    helpers, after = LOCAL_HELPER_CASES[name]
    helpers = helpers.format(TILE=TILE)
    if after is None:
        src = kernel("  int64_t q = 65536;\n  h(q);\n  TASSIGN(b, q);", helpers=helpers)
    else:
        src = kernel("  TASSIGN(b, 65536);", after=after, helpers=helpers)
    assert removed(src) == [False], src


def test_flag_pair_and_static_colmax_drain_when_they_provably_do():
    setup = f"  TASSIGN(b, 65536);\n  {TILE} c;\n  TASSIGN(c, 4096);"
    paired = kernel(setup, before="TADD(c, c, c);\n  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n"
                    "  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);", after="TMUL(a, a, a);")
    assert removed(paired) == [True]
    colmax = kernel(setup + f"\n  {TILE} d;\n  TASSIGN(d, 131072);", before="TADD(c, c, c);\n  TCOLMAX(d, d);",
                    after="TMUL(a, a, a);")
    assert removed(colmax) == [True]


def test_set_valid_shape_makes_the_valid_shape_dynamic():
    # TCOLMAX drains only with a static, non-empty valid shape; SetValidShape may set 0 at run time.
    setup = (f"  TASSIGN(b, 65536);\n  {TILE} c;\n  TASSIGN(c, 4096);\n  {TILE} d;\n  TASSIGN(d, 131072);\n"
             "  d.SetValidShape(n, n);")
    src = kernel(setup, before="TADD(c, c, c);\n  TCOLMAX(d, d);", after="TMUL(a, a, a);")
    assert removed(src) == [False]


def test_pure_helper_call_is_no_effect():
    helpers = "static AICORE void h(int x) {\n  return;\n}"
    assert removed(kernel("  TASSIGN(b, 65536);\n  h(3);", helpers=helpers)) == [True]


@pytest.mark.parametrize("head", ['extern "C" AICORE void k(__gm__ float* x, int64_t n)',
                                  '/* __global__ */ AICORE void k(__gm__ float* x, int64_t n)'])
def test_only_a_declared_kernel_entry_starts_with_nothing_in_flight(head):
    src = kernel("  TASSIGN(b, 65536);", before="", after="TMUL(a, a, a);", head=head)
    assert removed(src) == [False]
    entry = kernel("  TASSIGN(b, 65536);", before="", after="TMUL(a, a, a);")
    assert removed(entry) == [True]


def test_row_expand_broadcasts_whichever_source_is_per_row():
    # TROWEXPANDMUL(dst, per_row, full): the per-row operand is src0, still broadcast into the
    # hidden scratch; the second op's broadcast overwrites the scratch the first may still read.
    setup = (f"  TASSIGN(b, 65536);\n  {ROW} r;\n  TASSIGN(r, 98304);\n  {TILE} c;\n  TASSIGN(c, 32768);")
    src = kernel(setup, before="TROWEXPANDMUL(a, r, a);", after="TROWEXPANDMUL(c, r, b);")
    assert removed(src) == [False]
    swapped_back = kernel(setup, before="TROWEXPANDMUL(a, a, r);", after="TROWEXPANDMUL(c, b, r);")
    assert removed(swapped_back) == [False]


def test_tgather_writes_outside_its_operands():
    setup = f"  TASSIGN(b, 65536);\n  {TILE} c;\n  TASSIGN(c, 32768);"
    src = kernel(setup, before="TGATHER(c, b, c);", after="TMUL(a, a, a);")
    assert removed(src) == [False]


def test_memory_space_behind_a_macro_may_alias_ub():
    setup = ("  Tile<MY_SPACE, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null> m;\n"
             "  TASSIGN(m, 65536);")
    src = kernel(setup, before="TADD(a, a, a);", after="TMOV(m, m);")
    assert removed(src) == [False]


def test_unknown_reasons_are_reported():
    src = kernel("  TASSIGN(b, 65536);", after="scale_rows(a);")
    model = parse_cpp(SourceText(src, "adversary.cpp"))
    decision = BarrierAnalysis(model).run({"auto"})[0]
    assert not decision.removed
    assert "scale_rows" in decision.reason and "adversary.cpp:" in decision.reason
