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
from ptofix.pto.race_model import RaceModel
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


def removed(src: str, race_model: RaceModel = RaceModel.SAME_ACCESS_CHAINS) -> list[bool]:
    """Whether each candidate barrier was removed (a pipe_barrier the model does not read as
    PIPE_V's is reported, kept, but no candidate), under the opt-in race model
    (--same-access-chains) unless ``race_model`` says otherwise: it removes every barrier the
    default does and the chains besides, so a kept barrier here is kept by both, and the chain
    rule these kernels attack is in play."""
    model = parse_cpp(SourceText(src, "adversary.cpp"))
    return [d.removed for d in BarrierAnalysis(model, race_model=race_model).run({"auto"}) if not d.unread]


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
    # -- casts that construct an object (its constructor may issue vector work) ----------------
    "static_cast to a class type": "  TASSIGN(b, 65536);",
    "C cast to a local alias of a class type": "  TASSIGN(b, 65536);",
    "reinterpret_cast to a class reference": "  TASSIGN(b, 65536);",
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
    "static_cast to a class type": ("TADD(a, a, a);", "int64_t w = static_cast<Work>(1).v;"),
    "C cast to a local alias of a class type": ("TADD(a, a, a);", "using uint64_t = Work;\n  auto w = (uint64_t) 1;"),
    "reinterpret_cast to a class reference": ("TADD(a, a, a);", "int64_t w = reinterpret_cast<Work&>(n).Apply();"),
}

HELPERS = {
    "address passed to a function": "void set_it(int64_t* p);",
    "tile reference parameter helper": f"static AICORE void rebind({TILE}& t) {{\n  TASSIGN(t, 4096);\n}}",
}
# A class whose constructor issues vector work on a (at UB 0, where TADD(a, a, a) works).
_WORK = f"struct Work {{\n  int64_t v;\n  AICORE Work(int64_t x) : v(x) {{\n    {TILE} t;\n    TASSIGN(t, 0);\n" \
        "    TMUL(t, t, t);\n  }\n  AICORE int64_t Apply() { return v; }\n};"
HELPERS.update(dict.fromkeys(["static_cast to a class type", "C cast to a local alias of a class type",
                              "reinterpret_cast to a class reference"], _WORK))


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
    # A V -> S pair and its S -> V return: the flag round trip the vendor's rule counts.
    paired = kernel(setup, before="TADD(c, c, c);\n  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n"
                    "  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  set_flag(PIPE_S, PIPE_V, EVENT_ID0);\n"
                    "  wait_flag(PIPE_S, PIPE_V, EVENT_ID0);", after="TMUL(a, a, a);")
    assert removed(paired) == [True]
    # The V -> S half alone orders nothing for the rule (tests/cpp/test_v_to_s_flag_drain.py).
    one_way = kernel(setup, before="TADD(c, c, c);\n  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n"
                     "  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);", after="TMUL(a, a, a);")
    assert removed(one_way) == [False]
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


# Names that only look like pto's: a local variable, parameter, lambda, file-scope declaration
# or file-defined function of that name is what the C++ compiler resolves (or may pick in overload
# resolution), so the statement is Unknown. (helpers, setup, before, after); `b` overlaps `a`
# (4096) where pto's reading keeps the barrier anyway, so only a fail-open reading removes it.
SHADOW_CASES = {
    "local variable named PIPE_V: a fake drain": (
        "", "  TASSIGN(b, 4096);",
        "TADD(a, a, a);\n  {\n    auto PIPE_V = PIPE_MTE2;\n    pipe_barrier(PIPE_V);\n  }", "TMUL(b, b, b);"),
    "parameter named PIPE_V: a fake drain": (
        "", "  TASSIGN(b, 4096);", "TADD(a, a, a);\n  pipe_barrier(PIPE_V);", "TMUL(b, b, b);"),
    "file-scope constant named PIPE_V: a fake drain": (
        "namespace cfg {\nconstexpr pipe_t PIPE_V = PIPE_MTE2;\n}", "  TASSIGN(b, 4096);",
        "TADD(a, a, a);\n  pipe_barrier(cfg::PIPE_V);\n  pipe_barrier(PIPE_V);", "TMUL(b, b, b);"),
    "local variable named PIPE_V: a fake V->S flag pair": (
        "", "  TASSIGN(b, 4096);\n  auto PIPE_V = PIPE_MTE2;",
        "TADD(a, a, a);\n  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);",
        "TMUL(b, b, b);"),
    "file-scope event id: set and wait may not pair": (
        "static constexpr event_t EVENT_ID0 = EVENT_ID1;", "  TASSIGN(b, 4096);",
        "TADD(a, a, a);\n  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  wait_flag(PIPE_V, PIPE_S, ::EVENT_ID0);",
        "TMUL(b, b, b);"),
    "lambda named like an op": (
        "", "  TASSIGN(b, 65536);\n  auto TMUL = [&](auto& x, auto& y, auto& z) { TADD(a, a, a); };",
        "TADD(a, a, a);", "TMUL(b, b, b);"),
    "member function named like an op": (
        "struct Ops {\n  static AICORE void TMUL(int x, int y, int z);\n};\n"
        "AICORE void Ops::TMUL(int x, int y, int z) {\n  return;\n}", "  TASSIGN(b, 4096);",
        "TADD(a, a, a);", "TMUL(b, b, b);"),
    "member function spelled with spaces": (
        "AICORE void Ops :: TMUL(int x, int y, int z) {\n  return;\n}", "  TASSIGN(b, 4096);",
        "TADD(a, a, a);", "TMUL(b, b, b);"),
    "file template named like an op competes in overload resolution": (
        "template <typename T>\nAICORE void TMUL(T& d, T& s, T& t) {\n  return;\n}", "  TASSIGN(b, 4096);",
        "TADD(a, a, a);", "TMUL(b, b, b);"),
    "prototype named like an op": (
        "AICORE void TMUL(Ops& d, Ops& s, Ops& t);", "  TASSIGN(b, 65536);", "TADD(a, a, a);", "TMUL(b, b, b);"),
    "local variable named like a pure function": (
        "", "  TASSIGN(b, 65536);\n  auto get_block_idx = [&]() { TMUL(a, a, a); return 0; };",
        "TADD(a, a, a);", "int64_t i = get_block_idx();"),
}


@pytest.mark.parametrize("name", sorted(SHADOW_CASES))
def test_names_that_only_look_like_pto_are_unknown(name):
    helpers, setup, before, after = SHADOW_CASES[name]
    head = "__global__ AICORE void k(__gm__ float* x, pipe_t PIPE_V)" if "parameter" in name else \
        "__global__ AICORE void k(__gm__ float* x, int64_t n)"
    src = kernel(setup, before, after, helpers, head=head)
    model = parse_cpp(SourceText(src, "adversary.cpp"))
    decisions = BarrierAnalysis(model).run({"auto"})
    # Where the shadow covers the kernel's own `pipe_barrier(PIPE_V);` too, it is no candidate.
    assert all(not d.removed for d in decisions), src


def test_pto_names_read_as_pto_when_nothing_shadows_them():
    # The controls of the shadow cases: qualified or unshadowed, the same statements drain.
    setup = "  TASSIGN(b, 4096);"
    real_drain = kernel(setup, "TADD(a, a, a);\n  {\n    auto PIPE_W = PIPE_MTE2;\n    pipe_barrier(PIPE_V);\n  }",
                        "TMUL(b, b, b);")
    assert removed(real_drain) == [True, False]     # two barriers in a row: one goes
    real_pair = kernel(setup, "TADD(a, a, a);\n  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n"
                       "  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  set_flag(PIPE_S, PIPE_V, EVENT_ID0);\n"
                       "  wait_flag(PIPE_S, PIPE_V, EVENT_ID0);", "TMUL(b, b, b);")
    assert removed(real_pair) == [True]
    # A class whose members are all declared in its braces (a traits class, read exactly:
    # declaration_forms.traits_class) declares a member TMUL in its own scope only: `pto::TMUL` is still
    # pto's, while an unqualified `TMUL` is kept (every word of a file-scope declaration may shadow).
    member = kernel("  TASSIGN(b, 65536);", "TADD(a, a, a);", "pto::TMUL(b, b, b);",
                    "struct Ops {\n  static AICORE void TMUL(int x, int y, int z);\n};")
    assert removed(member) == [True]
    assert removed(member.replace("pto::TMUL(b, b, b);", "TMUL(b, b, b);")) == [False]


@pytest.mark.parametrize("header", ["for (SyncPipe(PIPE_V) = PIPE_MTE2; n > 0; )", "if (SyncPipe(PIPE_V) = PIPE_MTE2)"])
def test_a_condition_with_a_parenthesized_declarator_declares_its_name(header):
    # The condition declares a PIPE_V equal to PIPE_MTE2: only `::PIPE_V` orders TADD(a) before
    # TMUL(b), which overlap on [4096, 8192).
    body = f"  {header} {{\n    TADD(a, a, a);\n    pipe_barrier(PIPE_V);\n    pipe_barrier(::PIPE_V);\n" \
           "    TMUL(b, b, b);\n" + ("    break;\n" if header.startswith("for") else "") + "  }"
    src = kernel("  TASSIGN(b, 4096);", "", body, helpers="using SyncPipe = const pipe_t;")
    src = src.replace("  pipe_barrier(PIPE_V);\n  " + body, "  " + body)     # only the header's barriers
    assert "::PIPE_V" in src and not any(removed(src)), src


def test_a_call_of_an_undeclared_name_inside_an_expression_may_hide_a_jump():
    src = kernel("  TASSIGN(b, 65536);", "TADD(a, a, a);\n  int64_t q = (int64_t)SKIP_IF(n);")
    (decision,) = BarrierAnalysis(parse_cpp(SourceText(src, "adversary.cpp"))).run({"auto"})
    assert not decision.removed and "'SKIP_IF(...)' may be a macro that hides a jump" in decision.reason


@pytest.mark.parametrize("directive, modelled", [
    ("using namespace pto;", True), ("using namespace ::pto;", True), ("using namespace std;", True),
    ("namespace app {\n}\nusing namespace app;", True),
    # pto::comm declares TGATHER/TSCATTER overloads of its own (a ping-pong form more specialized
    # than pto's); other nested namespaces are not read at all.
    ("using namespace pto::comm;", False), ("using namespace pto::detail;", False)])
def test_a_using_directive_is_read_only_for_namespaces_whose_names_the_model_knows(directive, modelled):
    src = kernel("  TASSIGN(b, 65536);", helpers=directive)
    model = parse_cpp(SourceText(src, "adversary.cpp"))
    (decision,) = BarrierAnalysis(model).run({"auto"})
    assert decision.removed == modelled, decision.reason
    if not modelled:
        assert "using-directive" in decision.reason and "adversary.cpp:1:1" in decision.reason


# Whole kernels whose every barrier is needed (or not provably redundant); each hides that behind
# one construct the model once read as "no effect". HALF is a 4096-byte tile.
HALF = "Tile<TileType::Vec, half, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"
ROW8 = "Tile<TileType::Vec, float, 16, 8, {layout}, 16, 1, SLayout::NoneBox, 512, PadValue::Null>"


def _pair(setup: str, first: str, second: str, head: str = "__global__ AICORE void k(int32_t n)",
          helpers: str = "") -> str:
    return f"""{helpers}
{head} {{
{setup}
  pipe_barrier(PIPE_ALL);
  {first}
  pipe_barrier(PIPE_V);
  {second}
}}
"""


AB = f"  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} b;\n"
KERNELS = {
    "hex literal is unsigned int and wraps": _pair(AB + "  TASSIGN(b, 0xFFFFF000 + 0x2000);", "TADD(a, a, a);",
                                                   "TMUL(b, b, b);"),
    "address past 32 bits": _pair(AB + "  TASSIGN(b, 0x100000000);", "TADD(a, a, a);", "TMUL(b, b, b);"),
    "template parameter hides a file alias": _pair(
        "  Tile<TileType::Vec, T, 16, 128, BLayout::RowMajor, 16, 128> a;\n  TASSIGN(a, 0);\n"
        "  Tile<TileType::Vec, T, 16, 128, BLayout::RowMajor, 16, 128> b;\n  TASSIGN(b, 4096);",
        "TADD(a, a, a);", "TMUL(b, b, b);", head="template <typename T>\nstatic AICORE void k()",
        helpers="using T = half;") + "__global__ AICORE void entry() {\n  k<float>();\n}\n",
    "one alias name in two namespaces": _pair(
        "  Tile<TileType::Vec, T, 16, 128, BLayout::RowMajor, 16, 128> a;\n  TASSIGN(a, 0);\n"
        "  Tile<TileType::Vec, T, 16, 128, BLayout::RowMajor, 16, 128> b;\n  TASSIGN(b, 4096);",
        "TADD(a, a, a);", "TMUL(b, b, b);", helpers="namespace one {\nusing T = float;\n}\n"
        "namespace two {\nusing T = half;\n}\nusing namespace one;"),
    "cast to a local alias": _pair(AB + "  using U = uint8_t;\n  TASSIGN(b, (const U) 65792);", "TADD(a, a, a);",
                                   "TMUL(b, b, b);", helpers="using U = uint32_t;"),
    "declaration inside #if shadows the outer one": _pair(
        AB + "  TASSIGN(b, 65536);\n  {\n#if 1\n  " + TILE + " b;\n  TASSIGN(b, 4096);\n#endif\n",
        "TADD(a, a, a);", "TMUL(b, b, b);\n  }"),
    "macro used as a type word": _pair(
        f"  {HALF} a;\n  TASSIGN(a, 0);\n  {HALF} b;\n  TASSIGN(b, 4096);", "TADD(a, a, a);", "TMUL(b, b, b);",
        helpers="#define half float"),
    "macro in an if condition": _pair(AB + "  TASSIGN(b, 4096);", "TADD(a, a, a);", "if (READY) {\n  }",
                                      helpers="#define READY (TMUL(b, b, b), true)"),
    "#include inside the body": _pair(AB + "  TASSIGN(b, 65536);", "TADD(a, a, a);",
                                      "\n#include \"more_vector_work.inc\"\n"),
    "#define spelled across a line splice": _pair(
        AB + "  TASSIGN(b, 4096);", "TADD(a, a, a);\n  pipe_barrier(PIPE_ALL);", "TMUL(b, b, b);",
        helpers="#\\\ndefine PIPE_ALL PIPE_MTE2"),
    "#define with a comment before its name": _pair(
        AB + "  TASSIGN(b, 4096);", "TADD(a, a, a);\n  pipe_barrier(PIPE_ALL);", "TMUL(b, b, b);",
        helpers="# /* note */ define PIPE_ALL PIPE_MTE2"),
    "tile copy construction": _pair(f"  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} b(a);", "TADD(a, a, a);",
                                    "TMUL(b, b, b);\n  TASSIGN(b, 65536);"),
    "per-row layout through a constant": _pair(
        AB + "  TASSIGN(b, 65536);\n  " + ROW8.format(layout="RM") + " r;\n  TASSIGN(r, 98304);",
        "TADD(a, a, a);", "TROWEXPANDMUL(b, a, r);", helpers="constexpr BLayout RM = BLayout::RowMajor;"),
    "one event spelled as a number and as an enumerator": _pair(
        AB + "  TASSIGN(b, 4096);", "set_flag(PIPE_V, PIPE_S, 0);\n  TADD(a, a, a);\n"
        "  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);", "TMUL(b, b, b);"),
    "event id that may vary": _pair(
        AB + "  TASSIGN(b, 4096);", "set_flag(PIPE_V, PIPE_S, n);\n  TADD(a, a, a);\n"
        "  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);", "TMUL(b, b, b);"),
    "file-scope Tile alias template": _pair(AB + "  TASSIGN(b, 65536);", "TADD(a, a, a);", "TMUL(b, b, b);",
                                            helpers="template <int R>\nusing Tile = pto::Tile<TileType::Vec, "
                                            "float, 32, 128, BLayout::RowMajor, 32, 128>;"),
    # [temp.names]: after a template's name '<' opens its arguments, however it is spaced.
    "spaced template arguments call a local template": _pair(
        AB + "  TASSIGN(b, 65536);", "TADD(a, a, a);", "h < 1 > (a, n);\n  TMUL(b, b, b);",
        helpers=f"template <int N>\nstatic AICORE void h({TILE}& t, int32_t k) {{\n  TMUL(t, t, t);\n}}"),
    # The vector unit's mode outlives the kernel: another kernel of the file may leave count mode.
    "another kernel writes the control register": _pair(
        AB + "".join(f"  Tile<TileType::Vec, float, 2, 64, BLayout::RowMajor, 2, 64> {name};\n  TASSIGN({name}, {at});\n"
                     for name, at in (("p", 8192), ("q", 8704), ("r", 65536), ("s", 131072))),
        "TADD(p, r, r);", "TADD(s, q, q);",
        helpers="__global__ AICORE void k0() {\n  set_ctrl(sbitset1(get_ctrl(), 56));\n}"),
    "reference behind a type alias": _pair(
        AB + "  TASSIGN(b, 65536);\n  rebind(b);", "TADD(a, a, a);", "TMUL(b, b, b);",
        helpers=f"using TileRef = {TILE}&;\nstatic AICORE void rebind(TileRef t) {{\n  TASSIGN(t, 4096);\n}}"),
}

# A static helper with a barrier right at its entry, and the kernels that call it with vector work
# in flight in a way the model once missed.
HELPER = (f"{{static}}AICORE void helper() {{{{\n  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} c;\n  TASSIGN(c, 8192);\n"
          "  pipe_barrier(PIPE_V);\n  TADD(a, c, c);\n}}\n")
CLEAN_CALLER = "__global__ AICORE void k1() {\n  pipe_barrier(PIPE_ALL);\n  helper();\n}\n"
DIRTY = f"  {TILE} c;\n  TASSIGN(c, 8192);\n  TMULS(c, c, 2.0f);\n"
CALLERS = {
    "address taken": HELPER.format(static="static ") + CLEAN_CALLER
    + f"__global__ AICORE void k2() {{\n{DIRTY}  auto f = &helper;\n  f();\n}}\n",
    "caller the parser cannot read": HELPER.format(static="static ") + CLEAN_CALLER
    + f"template <>\nAICORE void run<float>() {{\n{DIRTY}  helper();\n}}\n",
    "not static: another translation unit may call it": HELPER.format(static="") + CLEAN_CALLER,
    "__global__ under #if 0": "#if 0\n__global__\n#endif\n" + HELPER.format(static="")
    + f"__global__ AICORE void k() {{\n{DIRTY}  helper();\n}}\n",
    # Left to right, dirty()'s work would precede helper(); C++ may as well run it after helper(),
    # whose trailing barrier then keeps TMULS from overwriting the c that TADD still reads.
    "two calls in one statement (order open)": f"static AICORE int32_t helper() {{\n  {TILE} a;\n  TASSIGN(a, 0);\n"
    f"  {TILE} c;\n  TASSIGN(c, 8192);\n  pipe_barrier(PIPE_V);\n  TADD(a, c, c);\n  pipe_barrier(PIPE_V);\n"
    "  return 0;\n}\n"
    f"static AICORE int32_t dirty() {{\n{DIRTY}  return 1;\n}}\n"
    "__global__ AICORE void k() {\n  pipe_barrier(PIPE_ALL);\n  int32_t x = dirty() + helper();\n}\n",
}


def _decisions(src: str) -> list:
    return BarrierAnalysis(parse_cpp(SourceText(src, "adversary.cpp"))).run({"auto"})


@pytest.mark.parametrize("name", sorted(KERNELS))
def test_kernel_barrier_is_kept(name):
    decisions = _decisions(KERNELS[name])
    assert decisions and not any(d.removed for d in decisions), KERNELS[name]


@pytest.mark.parametrize("name", sorted(CALLERS))
def test_helper_entry_barrier_is_kept(name):
    decisions = [d for d in _decisions(CALLERS[name]) if d.fn.name == "helper"]
    assert decisions and not any(d.removed for d in decisions), CALLERS[name]


def test_helper_entry_barrier_goes_when_every_caller_is_clean():
    # The control of CALLERS: static, called only from a clean point of a kernel.
    decisions = [d for d in _decisions(HELPER.format(static="static ") + CLEAN_CALLER) if d.fn.name == "helper"]
    assert [d.removed for d in decisions] == [True]


def test_helper_stub_under_a_file_scope_if_is_not_the_callee():
    src = ("#ifdef HOST_STUBS\nstatic AICORE void work() {\n}\n#endif\n"
           + _pair(AB + "  TASSIGN(b, 65536);", "work();", "TMUL(b, b, b);"))
    decisions = _decisions(src)
    assert decisions and not any(d.removed for d in decisions)
    # Both inside one guard around the whole file: the stub is the callee whenever the kernel is.
    guarded = "#ifndef KERNEL_HPP\n#define KERNEL_HPP\n" + src.replace("#ifdef HOST_STUBS\n", "", 1).replace("#endif\n", "", 1) \
        + "#endif\n"
    assert [d.removed for d in _decisions(guarded)] == [True]


@pytest.mark.parametrize("text, message", [
    ('static_assert(true, R"d(");\n  pipe_barrier(PIPE_ALL);\n  set_mask_norm(")d");', "raw string"),
    ("%:define PIPE_ALL PIPE_MTE2", "digraph"),
    # `<%`/`%>` are braces: a body the structure would not see (`if (n) <% TMUL(b, b, b); %>`).
    ("if (n > 0) <% pipe_barrier(PIPE_ALL); %>", "digraph '<%'"),
    ("int64_t q<:2:> = {0, 0};", "digraph '<:'"),
    # A trigraph is replaced before anything else in C++14 and earlier: `??/` splices the comment on.
    ("// ends here??/\n  TMUL(b, b, b);", "trigraph '\\?\\?/'"),
])
def test_lexemes_the_tokenizer_cannot_split_are_rejected(text, message):
    from ptofix.source import PtofixError
    with pytest.raises(PtofixError, match=message):
        parse_cpp(SourceText(f"__global__ AICORE void k() {{\n  {text}\n}}\n", "adversary.cpp"))


def test_template_arguments_starting_with_a_scope_are_no_digraph():
    # `<::` followed by a name is `<` then `::` (C++11), as in `Tile<::pto::...>`.
    src = kernel("  TASSIGN(b, 65536);").replace(f"{TILE} a;", "::pto::" + TILE.replace("Tile<", "Tile<::pto::", 1) + " a;")
    assert removed(src) == [True]


def test_a_barrier_in_a_function_the_model_does_not_read_is_reported_kept(tmp_path, capsys):
    from ptofix.cli import main
    path = tmp_path / "k.cpp"
    text = ("#include \"pto/pto-inst.hpp\"\nusing namespace pto;\n"
            "[[gnu::always_inline]] static inline void h() {\n  pipe_barrier(PIPE_V);\n}\n"
            "struct S { void f() { pipe_barrier(PIPE_V); /* pipe_barrier(PIPE_V) */ pipe_barrier(PIPE_MTE2); } };\n"
            "__global__ AICORE void k() {\n  pipe_barrier(PIPE_V);\n  h();\n}\n")
    path.write_text(text)
    assert main(["run", "--pattern", "auto", "--report", "json", str(path), "-o", str(tmp_path / "o.cpp")]) == 0
    import json
    [report] = json.loads(capsys.readouterr().out)["files"]          # (stdout is free beside -o)
    decisions = report["passes"][0]["decisions"]
    assert report["passes"][0]["barriers"] == 3
    assert [(d["line"], d["column"], d["decision"], d["function"]) for d in decisions] == [
        (4, 3, "kept", None), (6, 23, "kept", None), (8, 3, "kept", "k")]
    assert "file-scope text ptofix does not read as a function" in decisions[0]["reason"]
    assert (tmp_path / "o.cpp").read_text() == text


_HEAD = '#include "pto/pto-inst.hpp"\nusing namespace pto;\n'


@pytest.mark.parametrize("code, where", [
    ("struct S { void f() { ::pipe_barrier(PIPE_V); } };\n", [(3, 25)]),
    ("struct S { void f() { pto::pipe_barrier(PIPE_V); } };\n", [(3, 28)]),
    ("struct S { void f() { pto :: pipe_barrier(PIPE_V); } };\n", [(3, 30)]),
    ("#define SYNC pipe_barrier(PIPE_V)\nstruct S { void f() { SYNC; } };\n", [(4, 23)]),
    ("[[gnu::always_inline]] inline void h() { pto::pipe_barrier(PIPE_V); }\n", [(3, 47)]),
    # In the head of a function the model reads: a default argument.
    ("AICORE void h(int x = (pipe_barrier(PIPE_V), 1)) { }\n", [(3, 24)]),
    # In an expression of a function the model reads: each call is listed.
    ("AICORE void h() { pipe_barrier(PIPE_V), pipe_barrier(PIPE_V); }\n", [(3, 19), (3, 41)]),
    # Not barriers: another pipe, a longer name, a comment.
    ("struct S { void f() { pipe_barrier(PIPE_MTE2); my_pipe_barrier(); /* pipe_barrier(PIPE_V) */ } };\n", []),
], ids=["::qualified", "pto::qualified", "spaced qualifier", "barrier macro", "attribute head", "default argument",
        "comma expression", "not a V barrier"])
def test_every_pipe_v_barrier_outside_what_the_model_reads_is_listed(code, where):
    from ptofix.frontends import PARSERS
    from ptofix.pass_manager import build_pass, run_pipeline
    text = _HEAD + code + "__global__ AICORE void k() {\n  pipe_barrier(PIPE_V);\n}\n"
    result = run_pipeline(SourceText(text, "k.cpp"), [build_pass("pipe-v-barrier", {"pattern": "auto"})], PARSERS)
    report = result.reports[0] if hasattr(result, "reports") else result.report
    last = text.count("\n") - 1        # (the kernel's own barrier, which nothing before it needs)
    listed = [d for d in report["decisions"] if d["line"] != last]
    assert [(d["line"], d["column"]) for d in listed] == where, listed
    assert all(d["decision"] == "kept" for d in listed)
    assert result.text.splitlines()[:last - 1] == text.splitlines()[:last - 1]


def test_listing_barriers_outside_functions_reads_only_the_text_between_bodies():
    # (Memory: tokenizing a whole large file into token objects cost ~35 MiB per MB; only the gaps
    # between function bodies that spell a barrier are read.)
    from ptofix.cpp.barrier_sites import barrier_gaps, barrier_macros, file_scope_barriers
    body = "  TADD(a, a, a);\n" * 2000
    text = (_HEAD + "#define SYNC pipe_barrier(PIPE_V)\nstruct S { void f() { SYNC; } };\n"
            f"__global__ AICORE void k() {{\n  {TILE} a;\n  TASSIGN(a, 0);\n{body}  SYNC;\n}}\n")
    model = parse_cpp(SourceText(text, "k.cpp"))
    found = file_scope_barriers(model)
    assert [text[at:at + 4] for at in found] == ["SYNC"] and text.index("void f() { SYNC") + 11 == found[0]
    gaps = barrier_gaps(model, barrier_macros(model))
    assert gaps and sum(end - start for start, end in gaps) < 200
