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
from hypothesis import given, settings
from hypothesis import strategies as st

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
                       "  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);", "TMUL(b, b, b);")
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
    guarded = "#ifndef KERNEL_HPP\n#define KERNEL_HPP\n" + src.replace("#endif\n", "", 1) + "#endif\n"
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


# Control flow and callers the model once read too kindly (a third red-team round).
CONTROL_KERNELS = {
    # Duff's device: `case 1:` inside a block of the switch is a jump target that skips the inner
    # barrier, so TADD's write of a may still be in flight at TMUL.
    "case label nested in a block of a switch": _pair(
        AB + "  TASSIGN(b, 65536);\n  " + TILE + " c;\n  TASSIGN(c, 32768);", "TADD(a, b, b);",
        "switch (n) {\n  case 0: {\n    pipe_barrier(PIPE_V);\n  case 1:\n    TMUL(c, a, a);\n  }\n  }"),
}
CALLERS.update({
    # k's goto skips its barrier before the call: TADD may be in flight when h starts.
    "goto in the caller": HELPER.format(static="static ")
    + f"__global__ AICORE void k(int32_t n) {{\n  {TILE} a;\n  TASSIGN(a, 0);\n  TMULS(a, a, 2.0f);\n"
    "  if (n) goto done;\n  pipe_barrier(PIPE_V);\ndone:\n  helper();\n}\n",
    # A macro pastes the name together: the call is in no name count.
    "name pasted by a macro": "#define CAT(p, q) p##q\n" + HELPER.format(static="static ") + CLEAN_CALLER
    + f"__global__ AICORE void k2() {{\n{DIRTY}  CAT(help, er)();\n}}\n",
    # A line splice inside a statement the model cannot read hides the name from a plain scan.
    "static only in a comment": HELPER.format(static="/* static */ ") + CLEAN_CALLER,
    "static only in a string": HELPER.format(static='__attribute__((annotate("static"))) ') + CLEAN_CALLER,
    "static defined away": "#define static\n" + HELPER.format(static="static ") + CLEAN_CALLER,
})


@pytest.mark.parametrize("name", sorted(CONTROL_KERNELS))
def test_control_flow_barrier_is_kept(name):
    decisions = _decisions(CONTROL_KERNELS[name])
    assert decisions and not any(d.removed for d in decisions), CONTROL_KERNELS[name]


@pytest.mark.parametrize("name", ["goto in the caller", "name pasted by a macro",
                                  "static only in a comment",
                                  "static only in a string", "static defined away"])
def test_more_hidden_callers_keep_the_helper_entry_barrier(name):
    decisions = [d for d in _decisions(CALLERS[name]) if d.fn.name == "helper"]
    assert decisions and not any(d.removed for d in decisions), CALLERS[name]


# A tile declared without an address (a static one sits at 0) or a scalar without a value is bound
# on every path only if the next statement naming it binds it.
UNBOUND_KERNELS = {
    "static tile bound in a branch": _pair(
        f"  {TILE} a;\n  TASSIGN(a, 0);\n  static {TILE} b;\n  if (n > 0) {{\n    TASSIGN(b, 65536);\n  }}",
        "TADD(a, a, a);", "TMUL(b, b, b);"),
    "tile bound after its use": _pair(f"  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} b;", "TADD(a, a, a);",
                                      "TMUL(b, b, b);\n  TASSIGN(b, 65536);"),
    "tile bound in a loop that may not run": _pair(
        f"  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} b;\n  for (int64_t i = 0; i < n; i += 1) {{\n    TASSIGN(b, 65536);\n  }}",
        "TADD(a, a, a);", "TMUL(b, b, b);"),
    "static scalar set in a branch": _pair(
        f"  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} b;\n  static int64_t q;\n  if (n > 0) {{\n    q = 65536;\n  }}\n"
        "  TASSIGN(b, q);", "TADD(a, a, a);", "TMUL(b, b, b);"),
}


@pytest.mark.parametrize("name", sorted(UNBOUND_KERNELS))
def test_unbound_first_state_keeps_the_barrier(name):
    decisions = _decisions(UNBOUND_KERNELS[name])
    assert decisions and not any(d.removed for d in decisions), UNBOUND_KERNELS[name]


def test_a_tile_bound_right_after_its_declaration_is_bound():
    # The control: ptoas declares, computes the address, then TASSIGNs (or TRESHAPEs) it.
    src = _pair(f"  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} b;\n  int64_t q;\n  q = 65536;\n  TASSIGN(b, q);",
                "TADD(a, a, a);", "TMUL(b, b, b);")
    assert [d.removed for d in _decisions(src)] == [True]


# -- Constructs a model reading only what is written at each statement misses ---------------------
# Each kernel needs its barrier; the CONTROLS below are the same kernels with the construct made
# harmless, where the barrier goes (so each case can fail).
DYN = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, -1, -1, SLayout::NoneBox, 512, PadValue::Null>"
TMP32 = "Tile<TileType::Vec, float, 16, 32, BLayout::RowMajor, 16, 32, SLayout::NoneBox, 512, PadValue::Null>"
ROWC = "Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 16, 1, SLayout::NoneBox, 512, PadValue::Null>"
VEC_WORK = f"static AICORE void work() {{\n  {TILE} w;\n  TASSIGN(w, 0);\n  TMUL(w, w, w);\n}}\n"
# s is built with valid (16, 64), where TROWSUM(r, s, t) ends with a barrier; at (16, 100) with the
# 32-column tmp it returns early and issues nothing, so TADD(x, ...) twice is a WAW without B.
ROWSUM_TAIL = (f"  {TILE} x;\n  TASSIGN(x, 65536);\n  {TILE} y;\n  TASSIGN(y, 73728);\n  {TMP32} t;\n"
               f"  TASSIGN(t, 81920);\n  {ROWC} r;\n  TASSIGN(r, 90112);\n  pipe_barrier(PIPE_ALL);\n"
               "  TADD(x, a, a);\n  TROWSUM(r, s, t);\n  pipe_barrier(PIPE_V);\n  TADD(x, y, y);\n")


def _entry(body: str, helpers: str = "", head: str = "__global__ AICORE void k(int32_t n)") -> str:
    return f"{helpers}{head} {{\n  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} b;\n{body}}}\n"


AB_TAIL = "  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n"
SCOPE_KERNELS = {
    "reference behind an alias": _entry("  using R = int64_t&;\n  int64_t q = 65536;\n  R r = q;\n  r = 4096;\n"
                                        "  TASSIGN(b, q);\n" + AB_TAIL),
    "variable of template-parameter type": _entry(
        "  int64_t q = 65536;\n  R r = q;\n  r = 4096;\n  TASSIGN(b, q);\n" + AB_TAIL + "  pipe_barrier(PIPE_ALL);\n",
        head="template <typename R>\nstatic AICORE void h(int32_t n)") + "__global__ AICORE void k() {\n  h<int64_t&>(0);\n}\n",
    "template-typed parameter written": _entry(
        "  int64_t q = 65536;\n  setq(q);\n  TASSIGN(b, q);\n" + AB_TAIL,
        helpers="template <typename T>\nstatic AICORE void setq(T&& v) {\n  int64_t s = 4096;\n  v = s;\n}\n"),
    "valid shape set by a helper": _entry(
        f"  {DYN} s(16, 64);\n  TASSIGN(s, 12288);\n  widen(s);\n" + ROWSUM_TAIL,
        helpers=f"static AICORE void widen({DYN}& v) {{\n  v.SetValidShape(16, 100);\n}}\n"),
    "valid shape set through a reference": _entry(
        f"  {DYN} s(16, 64);\n  TASSIGN(s, 12288);\n  auto& rs = s;\n  rs.SetValidShape(16, 100);\n" + ROWSUM_TAIL),
    "valid shape copied over": _entry(
        f"  {DYN} s(16, 64);\n  TASSIGN(s, 12288);\n  {DYN} s2(16, 100);\n  TASSIGN(s2, 12288);\n  s = s2;\n"
        + ROWSUM_TAIL),
    "TPipe copied over": _entry(
        "  auto p = TPipe<2, Direction::DIR_C2V, 16384, 8, 2, false>(x, 65536, 0);\n"
        "  auto p0 = TPipe<2, Direction::DIR_C2V, 16384, 8, 2, false>(x, 0, 0);\n  p = p0;\n"
        f"  {TILE} c;\n  TPOP<TPipe<2, Direction::DIR_C2V, 16384, 8, 2, false>, {TILE}, TileSplitAxis::TILE_UP_DOWN>(p, c);\n"
        "  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  TMUL(c, c, c);\n",
        head="__global__ AICORE void k(__gm__ float* x)"),
    "break spelled by a macro": "#define BRK break\n" + _entry(
        "  TASSIGN(b, 4096);\n  pipe_barrier(PIPE_ALL);\n  for (int32_t i = 0; i < n; i = i + 1) {\n    TADD(a, a, a);\n"
        "    if (i == 3) BRK;\n    pipe_barrier(PIPE_ALL);\n  }\n  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n"),
    "case label spelled by a macro": "#define CASE1 case 1:\n" + _entry(
        "  TASSIGN(b, 4096);\n  pipe_barrier(PIPE_ALL);\n  switch (n) {\n  case 0:\n    TADD(a, a, a);\n"
        "    pipe_barrier(PIPE_ALL);\n  CASE1\n    pipe_barrier(PIPE_V);\n    TMUL(b, b, b);\n  }\n"),
    "local type alias hides a variable": _entry(
        "  int64_t T = 65536;\n  {\n    using T = uint16_t;\n    TASSIGN(b, (T) + 4096);\n  }\n" + AB_TAIL),
    "default argument runs code": _entry(
        "  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  h();\n",
        helpers=VEC_WORK.replace("void work", "int32_t work").replace("TMUL(w, w, w);", "TMUL(w, w, w);\n  return 0;")
        + "static AICORE void h(int32_t x = work()) {\n  return;\n}\n"),
    "destructor at scope exit": _entry(
        "  Guard g;\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n",
        helpers=VEC_WORK + "struct Guard {\n  AICORE ~Guard() { work(); }\n};\n"),
    "cleanup attribute": _entry(
        "  int32_t g __attribute__((cleanup(release))) = 0;\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n"
        "  pipe_barrier(PIPE_V);\n",
        helpers=VEC_WORK + "static AICORE void release(int32_t* p) {\n  work();\n}\n"),
    "destructor before a return": _entry(
        "  {\n    Guard g;\n    pipe_barrier(PIPE_ALL);\n    TADD(a, a, a);\n    pipe_barrier(PIPE_V);\n"
        "    if (n > 0) {\n      return;\n    }\n    pipe_barrier(PIPE_ALL);\n  }\n",
        helpers=VEC_WORK + "struct Guard {\n  AICORE ~Guard() { work(); }\n};\n"),
    "object of template-parameter type": _entry(
        "  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  T g;\n  pipe_barrier(PIPE_ALL);\n",
        helpers=VEC_WORK + "struct Work {\n  AICORE Work() { work(); }\n};\n",
        head="template <typename T>\nstatic AICORE void h()") + "__global__ AICORE void k() {\n  h<Work>();\n}\n",
    "non-type template parameter named PIPE_ALL": _entry(
        "  TASSIGN(b, 4096);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_ALL);\n  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n"
        "  pipe_barrier(PIPE_V);\n",
        head="template <pipe_t PIPE_ALL>\nstatic AICORE void h()") + "__global__ AICORE void k() {\n  h<PIPE_MTE2>();\n}\n",
    # `>=` and `->` in a template head: which `>` ends the list is not read, every word may name a
    # parameter.
    "template parameter PIPE_ALL after a '>=' in its list": _entry(
        "  TASSIGN(b, 4096);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_ALL);\n  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n"
        "  pipe_barrier(PIPE_V);\n",
        head="template <int N, std::enable_if_t<N >= 1, pipe_t> PIPE_ALL>\nstatic AICORE void h()")
    + "__global__ AICORE void k() {\n  h<1, PIPE_MTE2>();\n}\n",
    "__global__ defined away": "#define __global__\n" + _entry(
        "  TASSIGN(b, 4096);\n  pipe_barrier(PIPE_V);\n  TMUL(a, b, b);\n", head="__global__ AICORE void h()")
        + f'extern "C" AICORE void entry() {{\n  {TILE} a;\n  TASSIGN(a, 0);\n  TMULS(a, a, 2.0f);\n  h();\n}}\n',
    "unreadable typedef redefines an element type": _entry(
        "  typedef float int16_t, *int16_p;\n  pipe_barrier(PIPE_ALL);\n"
        "  Tile<TileType::Vec, int16_t, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null> h;\n"
        "  TASSIGN(h, 65536);\n  TASSIGN(b, 73728);\n  TADDS(b, b, 1.0f);\n  pipe_barrier(PIPE_V);\n  TEXPANDS(h, 2.0f);\n"
        "  pipe_barrier(PIPE_ALL);\n"),
}
# The same kernels with the construct made harmless: the barrier goes.
SCOPE_CONTROLS = {
    "reference behind an alias": ("using R = int64_t&;", "using R = int64_t;"),
    "valid shape set by a helper": ("v.SetValidShape(16, 100);", "return;"),
    "valid shape copied over": ("  s = s2;\n", ""),
    # (A class at file scope leaves the file unmodelled: the control drops it too.)
    "destructor at scope exit": [("  Guard g;\n", "  int32_t g = 0;\n"),
                                 ("struct Guard {\n  AICORE ~Guard() { work(); }\n};\n", "")],
    "default argument runs code": ("int32_t x = work()", "int32_t x = 0"),
    "break spelled by a macro": ("if (i == 3) BRK;", "if (i == 3) n = 0;"),
    "unreadable typedef redefines an element type": ("typedef float int16_t, *int16_p;", "typedef float f32_t;"),
    "non-type template parameter named PIPE_ALL": ("<pipe_t PIPE_ALL>", "<pipe_t P>"),
    "template parameter PIPE_ALL after a '>=' in its list": ("pipe_t> PIPE_ALL>", "pipe_t> P>"),
}


@pytest.mark.parametrize("name", sorted(SCOPE_KERNELS))
def test_construct_outside_the_statement_keeps_the_barrier(name):
    src = SCOPE_KERNELS[name]
    assert not any(removed(src)), src


@pytest.mark.parametrize("name", sorted(SCOPE_CONTROLS))
def test_construct_made_harmless_lets_the_barrier_go(name):
    changes = SCOPE_CONTROLS[name]
    src = SCOPE_KERNELS[name]
    for old, new in changes if isinstance(changes, list) else [changes]:
        assert old in src
        src = src.replace(old, new)
    assert any(removed(src)), src


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
    from ptofix.pto.same_access_chain import chain_order_holds
    from ptofix.pto.walks import COLUMN_CHUNKS, LINEAR, TileWalk, walk_pieces
    walk = TileWalk(16, 128, 4, "RowMajor", 16, 128, False)
    linear, chunks = walk_pieces(LINEAR, walk), walk_pieces(COLUMN_CHUNKS, walk)
    assert linear is not None and chunks is not None and len(linear) == len(chunks) == 32
    assert chain_order_holds(linear, linear) == chain_order_holds(chunks, chunks) == ""
    assert "repeat 1" in chain_order_holds(chunks, linear)       # row 0's second chunk: producer repeat 16
    assert "repeat 1" in chain_order_holds(linear, chunks)       # row 1's first chunk: producer repeat 2
    short = walk_pieces(LINEAR, TileWalk(7, 128, 4, "RowMajor", 7, 128, True))
    assert short is not None and "fewer than 16" in chain_order_holds(short, short)


# -- Code a class runs where the statement shows only a value, a call or a name --------------------
CONV = VEC_WORK + ("struct Conv {\n  int64_t v;\n  AICORE Conv(int64_t x) : v(x) { work(); }\n"
                   "  AICORE operator int64_t() const { work(); return v; }\n  AICORE ~Conv() { work(); }\n};\n")
GUARD = VEC_WORK + "struct Guard {\n  AICORE ~Guard() { work(); }\n};\n"
# TADD(a, a, a) in flight across B; the statement after B runs work() (TMUL on UB 0) in C++.
AFTER_B = "  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n{stmt}\n  pipe_barrier(PIPE_ALL);\n"


def _after(stmt: str, helpers: str = CONV, setup: str = "", head: str = "__global__ AICORE void k(int32_t n)") -> str:
    return _entry(setup + AFTER_B.format(stmt=stmt), helpers=helpers, head=head)


HIDDEN_CODE_KERNELS = {
    "conversion operator": _after("  int64_t q = c;", setup="  Conv c(1);\n"),
    "conversion in an if condition": _after("  if (c) {\n  }", setup="  Conv c(1);\n"),
    "default argument naming an object": _after("  h();", helpers=CONV + "static Conv gconv(1);\n"
                                                "static AICORE void h(int64_t x = gconv) {\n}\n"),
    "temporary for a const reference parameter": _after("  h(5);", helpers=CONV + "static AICORE void h(const Conv& x) {\n}\n"),
    "class returned by value": _after("  mk();", helpers=CONV + "static AICORE Conv mk() {\n  return 1;\n}\n"),
    "braceless if declares an object": _after("  if (n > 0) auto g = *p;", helpers=GUARD,
                                              head="__global__ AICORE void k(int32_t n, Guard* p)"),
    "template parameter spelled like a pto type": _after(
        "", helpers=GUARD + "template <typename Shape>\nstatic AICORE void h() {\n  Shape g;\n}\n") .replace(
        "  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n", "  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  h<Guard>();\n"),
    "comment inside the template head": _after(
        "  h<Guard>();", helpers=GUARD + "using T = int64_t;\ntemplate <typename /* any */ T>\nstatic AICORE void h() {\n"
        "  T g;\n}\n"),
    "struct spelled like int64_t": _after(
        "  int64_t g;", helpers=VEC_WORK + "struct int64_t {\n  AICORE ~int64_t() { work(); }\n};\n"),
    "template head behind a macro": "#define TPL template <pipe_t PIPE_ALL>\n" + _entry(
        "  TASSIGN(b, 4096);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_ALL);\n  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n",
        head="TPL\nstatic AICORE void h()") + "__global__ AICORE void k() {\n  h<PIPE_MTE2>();\n}\n",
    "macro in a case label": "#define ONE 1: TMUL(b, b, b); case 7\n" + _entry(
        "  TASSIGN(b, 4096);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  switch (n) {\n"
        "  case ONE:\n    break;\n  }\n"),
    "break inside a statement expression": _entry(
        "  TASSIGN(b, 4096);\n  pipe_barrier(PIPE_ALL);\n  for (int32_t i = 0; i < n; i = i + 1) {\n    TADD(a, a, a);\n"
        "    ({ if (i == 3) break; 0; });\n    pipe_barrier(PIPE_ALL);\n  }\n  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n"),
    "function-like macro from a header": _entry(
        "  TASSIGN(b, 4096);\n  pipe_barrier(PIPE_ALL);\n  for (int32_t i = 0; i < n; i = i + 1) {\n    TADD(a, a, a);\n"
        "    BREAK_IF(i == 3);\n    pipe_barrier(PIPE_ALL);\n  }\n  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n"),
    "explicit specialization": _after(
        "  h<int32_t>();", helpers=VEC_WORK + "template <typename T>\nstatic AICORE void h() {\n}\n"
        "template <>\nAICORE void h<int32_t>() {\n  work();\n}\n"),
}


@pytest.mark.parametrize("name", sorted(HIDDEN_CODE_KERNELS))
def test_code_a_class_or_macro_runs_keeps_the_barrier(name):
    src = HIDDEN_CODE_KERNELS[name]
    assert not any(removed(src)), src


def test_plain_values_and_ptos_functions_stay_precise():
    # The same shapes with nothing hidden: a scalar read, a scalar-returning helper, pto's own
    # instruction functions, a template call with a scalar argument.
    plain = _after("  int64_t q = c;\n  int32_t r = mk();\n  h(q);", setup="  int64_t c = 1;\n",
                   helpers="static AICORE int32_t mk() {\n  return 1;\n}\ntemplate <typename T>\n"
                           "static AICORE void h(T x) {\n}\n")
    # (h(q) passes a template-typed parameter by value: it may be a class, so that one is Unknown.)
    assert removed(plain.replace("\n  h(q);", "")) == [True]
    # A pto instruction in a form the effects table does not describe (soft SYNCALL): Unknown.
    assert removed(_after("  SYNCALL<SyncAllMode::Soft, SyncCoreType::Mix>(0);", helpers="")) == [False]
    assert removed(_after("  SYNCALL<SyncCoreType::Mix>();", helpers="")) == [True]     # hard SYNCALL: no V work
    assert not any(removed(plain))


# A declaration the grammar reads as an expression, a header's macro used as a value, and a
# chain over valid rows fewer than the tile's.
MISREAD_KERNELS = {
    "second declarator of a class type": _entry(
        "  {\n    Guard *p, g;\n    pipe_barrier(PIPE_ALL);\n  }\n  pipe_barrier(PIPE_V);\n  TMUL(a, a, a);\n",
        helpers=GUARD),
    "parenthesised declarator": _entry(
        "  {\n    Guard (g);\n    pipe_barrier(PIPE_ALL);\n  }\n  pipe_barrier(PIPE_V);\n  TMUL(a, a, a);\n",
        helpers=GUARD),
    "header macro used as a value": _entry(
        "  TASSIGN(b, 4096);\n  pipe_barrier(PIPE_ALL);\n  for (int32_t i = 0; i < n; i = i + 1) {\n    TADD(a, a, a);\n"
        "    int32_t q = BRK_VAL;\n    pipe_barrier(PIPE_ALL);\n  }\n  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n"),
    "header macro called with template arguments": _entry(
        "  TASSIGN(b, 4096);\n  pipe_barrier(PIPE_ALL);\n  for (int32_t i = 0; i < n; i = i + 1) {\n    TADD(a, a, a);\n"
        "    SKIP<1>(i);\n    pipe_barrier(PIPE_ALL);\n  }\n  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n"),
    # 8 valid rows of a 16-row tile, two chunks a row: 9 repeats apart, under 16.
    "column chunks over fewer valid rows": _chain(_tile("float", 16, 128, "8, 128"), "TADD(x, y, y);",
                                                  "TCOLEXPANDMUL(z, x, c);", COL),
}


@pytest.mark.parametrize("name", sorted(MISREAD_KERNELS))
def test_misread_declarations_macros_and_valid_rows_keep_the_barrier(name):
    assert not any(removed(MISREAD_KERNELS[name])), MISREAD_KERNELS[name]


def test_pto_functions_and_literals_are_no_header_macros():
    # SYNCALL is one of pto's instruction functions; true/false are literals: the barrier's fate
    # then rests on the ops alone (disjoint here).
    src = _chain(F16x128, "TADD(x, y, y);\n  SYNCALL<SyncCoreType::Mix>();\n  bool t = true;", "TEXP(z, z);")
    decisions = BarrierAnalysis(parse_cpp(SourceText(src, "k.cpp"))).run({"auto"})
    assert "macro" not in decisions[0].reason


# -- what the compiler reads differently from the tokens (a splice, a '#' mid-line, a digit
# separator, a universal character name), what an unread header or a keyword macro may change ----
@pytest.mark.parametrize("body, message", [
    # A `//` comment continued over the drain: the compiler sees no pipe_barrier(PIPE_ALL).
    ("  TASSIGN(b, 65536);  // set b \\\n  pipe_barrier(PIPE_ALL);\n", "line splice"),
    # The same with blanks after the backslash (gcc, clang, C++23).
    ("  TASSIGN(b, 65536);  // set b \\  \n  pipe_barrier(PIPE_ALL);\n", "line splice"),
    # A comment's opener and closer spelled across a splice.
    ("  TASSIGN(b, 65536); /\\\n* pipe_barrier(PIPE_ALL); */\n", "line splice"),
    ("  TASSIGN(b, 65536); /* x *\\\n/ TASSIGN(b, 4096); /* */\n", "line splice"),
    # A raw string's prefix across a splice.
    ('  static_assert(true, R\\\n"d(");\n  pipe_barrier(PIPE_ALL);\n  set_mask_norm(")d");\n', "line splice"),
    # `; #endif` mid-line ends nothing: the `#if 0` group runs to the next line's #endif.
    ("#if 0\n  { ; #endif\n  TASSIGN(b, 65536); pipe_barrier(PIPE_ALL); { ; #if 1\n#endif\n  }\n", "not at the start"),
    # `1'0` is one number; read as a character literal it would hide code (or show a comment).
    ("  { int64_t q = 1'0; } //'; } pipe_barrier(PIPE_ALL);\n", "digit separators"),
    # ...and with no quote after it on the line, no character literal ends there: still a separator.
    ("  TASSIGN(b, 4'096);\n", "digit separators"),
    ("  TASSIGN(b, 0x1'000);\n", "digit separators"),
    # A name split by a splice (`help\<newline>er()` calls helper()).
    ("  int32_t arr[2] = {0, (help\\\ner(), 0)};\n", "line splice"),
    # `b\u00c9` names the tile `bÉ`.
    ("  TASSIGN(b\\u00c9, 4096);\n", "universal character names"),
])
def test_lexemes_read_otherwise_by_the_compiler_are_rejected_where_they_are(body, message):
    from ptofix.source import PtofixError
    src = _entry(body + AB_TAIL)
    with pytest.raises(PtofixError, match=message) as caught:
        parse_cpp(SourceText(src, "adversary.cpp"))
    assert caught.value.diagnostic.offset is not None


def _drain_between(between: str) -> str:
    """b overlaps a; ``between`` sits between TADD(a) and the barrier before TMUL(b)."""
    return _entry("  TASSIGN(b, 4096);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n" + between
                  + "  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n")


BOTH_BRANCHES_DRAIN = "  if (n) {\n    pipe_barrier(PIPE_ALL);\n  } else {\n    pipe_barrier(PIPE_ALL);\n  }\n"


def test_a_splice_inside_a_directive_is_joined():
    # `#\ <newline>define PIPE_ALL PIPE_MTE2` is a #define: PIPE_ALL is the file's macro, no drain.
    src = "#\\ \ndefine PIPE_ALL PIPE_MTE2\n" + _entry("  TASSIGN(b, 65536);\n" + AB_TAIL.replace(
        "  TADD(a, a, a);\n", "  TADD(a, a, a);\n  pipe_barrier(PIPE_ALL);\n  TASSIGN(b, 4096);\n"))
    assert removed(src) == [False]


def test_a_lone_carriage_return_ends_a_comment_inside_a_statement():
    # gcc and clang end a `//` comment at a lone CR: the argument is not PIPE_ALL.
    src = _drain_between("  pipe_barrier(PIPE_ALL // note\r== PIPE_ALL ? PIPE_MTE2 : PIPE_MTE2\n  );\n")
    assert removed(src) == [False]
    decisions = BarrierAnalysis(parse_cpp(SourceText(src, "k.cpp"))).run({"auto"})
    assert [d.unread for d in decisions] == [True, False]      # that one may be any pipe's: reported


@pytest.mark.parametrize("prelude", [
    '#include "defs.h"\n',                       # may `#define PIPE_ALL PIPE_MTE2`
    "#include <kernel_operator.h>\n",
    "#define HEADER \"pto/pto-inst.hpp\"\n#include HEADER\n",
    "#define else else if (0)\n",                # both branches' drains become one
    '#include "pto/../defs.h"\n',                # a pto-looking path that leaves pto's directory
    '#include "cstdint"\n',                      # the quoted form looks beside the kernel first
])
def test_an_unread_header_or_a_keyword_macro_leaves_the_file_unverified(prelude):
    src = prelude + _drain_between(BOTH_BRANCHES_DRAIN)
    decisions = BarrierAnalysis(parse_cpp(SourceText(src, "k.cpp"))).run({"auto"})
    assert [d.removed for d in decisions] == [False]
    assert "header" in decisions[0].reason or "keyword" in decisions[0].reason


def test_pto_and_standard_headers_are_trusted():
    src = ('#include "pto/pto-inst.hpp"\n#include <pto/comm/pto_comm_inst.hpp>\n#include <cstdint>\n'
           + _drain_between(BOTH_BRANCHES_DRAIN))
    assert removed(src) == [True]


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


# -- names the model read as the file's or as pto's when C++ picks the other -------------------------
def test_a_local_function_named_like_a_pto_function_may_lose_overload_resolution():
    # pto::TADD_IMPL(Tile&, ...) reached through `using namespace pto` or argument-dependent lookup.
    src = _entry("  TASSIGN(b, 4096);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n"
                 "  TADD_IMPL(b, b, b);\n",
                 helpers="static AICORE void TADD_IMPL(int d, int s0, int s1) {\n  return;\n}\n\n")
    decisions = BarrierAnalysis(parse_cpp(SourceText(src, "k.cpp"))).run({"auto"})
    assert [d.removed for d in decisions] == [False] and "pto-isa declares" in decisions[0].reason
    assert removed(src.replace("TADD_IMPL", "my_helper")) == [True]


def test_a_braced_variable_at_namespace_scope_hides_the_op_of_its_name():
    # `TCOLMAX(d, d)` runs the empty functor: no op and no trailing drain.
    helpers = ("namespace cfg {\nstruct NoOp {\n  template <typename D, typename S>\n"
               "  AICORE void operator()(D& d, S& s) const {\n  }\n};\nconstexpr NoOp TCOLMAX{};\n")
    src = helpers + _entry(f"  TASSIGN(b, 4096);\n  {TILE} d;\n  TASSIGN(d, 131072);\n  pipe_barrier(PIPE_ALL);\n"
                           "  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  TCOLMAX(d, d);\n  TMUL(b, b, b);\n") + "}\n"
    assert removed(src) == [False]


@pytest.mark.parametrize("name, prelude, kernel_head", [
    # ::uint16_t is the kernel's; helpers::uint16_t is not: 69632 wraps to 4096, b overlaps a.
    ("alias in another namespace", "namespace helpers {\nusing uint16_t = unsigned long;\n}\n", ""),
    ("alias under #if 0", "#if 0\nusing uint16_t = unsigned long;\n#endif\n", ""),
    ("alias after the kernel", "", "using uint16_t = unsigned long;\n"),
])
def test_a_file_scope_alias_not_every_function_sees_is_no_known_type(name, prelude, kernel_head):
    src = prelude + _entry("  uint16_t q = 69632;\n  TASSIGN(b, q);\n" + AB_TAIL) + kernel_head
    assert removed(src) == [False], name
    # Where every function sees it, the alias holds (the control).
    seen = "using uint16_t = unsigned long;\n" + _entry("  uint16_t q = 69632;\n  TASSIGN(b, q);\n" + AB_TAIL)
    assert removed(seen) == [True]


def test_an_out_of_line_member_reads_names_of_its_class_first():
    # In K::run, int64_t is K::int64_t (uint16_t): 69632 wraps to 4096.
    src = ("struct K {\n  using int64_t = uint16_t;\n  static AICORE void run();\n};\n\n"
           + _entry("  int64_t q = 69632;\n  TASSIGN(b, q);\n" + AB_TAIL + "  pipe_barrier(PIPE_ALL);\n",
                    head="AICORE void K::run()")
           + "__global__ AICORE void k() {\n  K::run();\n}\n")
    decisions = BarrierAnalysis(parse_cpp(SourceText(src, "k.cpp"))).run({"auto"})
    # (The class itself already leaves the file unmodelled; either reason keeps the barrier.)
    assert [d.removed for d in decisions] == [False]
    assert "class scope" in decisions[0].reason or "file-scope declaration" in decisions[0].reason


@pytest.mark.parametrize("prelude, body", [
    # An alias in an inline namespace the kernel is not in: the kernel's int64_t is the builtin.
    ("namespace kern {\ninline namespace v1 {\nusing int64_t = uint16_t;\n}\n",
     "  int64_t q = 69632;\n  TASSIGN(b, q);\n" + AB_TAIL),
    # A TMUL of the file, in an inline namespace, is what the kernel's TMUL(b, b, b) calls.
    ("namespace kern {\ninline namespace v1 {\nAICORE void TMUL(int d, int s0, int s1) {\n}\n}\n",
     "  TASSIGN(b, 4096);\n" + AB_TAIL),
])
def test_inline_namespaces_are_namespaces(prelude, body):
    assert removed(prelude + _entry(body) + "}\n") == [False]


def test_an_explicit_specialization_of_an_op_makes_its_name_the_files():
    src = ("template <>\nAICORE void TMUL<Tile<TileType::Vec, float, 16, 128>>(int d) {\n}\n"
           + _entry("  TASSIGN(b, 4096);\n" + AB_TAIL))
    assert removed(src) == [False]



@pytest.mark.parametrize("alias", [
    "typedef uint16_t offset_t, int64_t;\n", "uint16_t typedef int64_t;\n", "typedef short unsigned int64_t;\n",
    "using int64_t [[maybe_unused]] = uint16_t;\n", "using int64_t = ::uint16_t;\n",
])
def test_a_file_scope_alias_the_grammar_cannot_read_makes_its_names_unknown_types(alias):
    assert removed(alias + _entry("  int64_t q = 69632;\n  TASSIGN(b, q);\n" + AB_TAIL)) == [False]


def test_a_member_of_a_class_named_like_a_namespace_is_not_modelled():
    src = ("namespace other {\nnamespace K {\n}\n}\nstruct alignas(8) K {\n  using int64_t = uint16_t;\n"
           "  static AICORE void run();\n};\n"
           + _entry("  int64_t q = 69632;\n  TASSIGN(b, q);\n" + AB_TAIL + "  pipe_barrier(PIPE_ALL);\n",
                    head="AICORE void K::run()")
           + "__global__ AICORE void k() {\n  K::run();\n}\n")
    assert removed(src) == [False]


def test_a_comment_opened_on_a_directive_line_runs_on_to_its_close():
    # The drain between the two #defines is inside the comment: the compiler sees no drain.
    src = _drain_between("#define NOTE /* the drain below is commented out\n  pipe_barrier(PIPE_ALL);\n"
                         "#define END */\n")
    assert removed(src) == [False]


def test_a_digit_separator_after_an_exponent_sign_is_rejected():
    from ptofix.source import PtofixError
    with pytest.raises(PtofixError, match="digit separators"):
        parse_cpp(SourceText(_entry("  double q = 1e+'0; //';\n" + AB_TAIL), "k.cpp"))


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


# -- Names whose meaning C++ fixed elsewhere: alias targets, macros, pto's names redeclared ---------
def _a_then_b(prelude: str, a_decl: str, b_decl: str, inner: str = "", tail: str = "",
              head: str = "__global__ AICORE void k(__gm__ float* x, int32_t n)") -> str:
    """TADD(a, a, a) then TMUL(b, b, b) across the barrier; b overlaps a in C++ in every case."""
    return (f"{prelude}{head} {{\n{a_decl}{b_decl}{inner}"
            f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n{tail}}}\n")


ELEMENT = TILE.replace("float", "E")
# ::mine::TMUL works on UB 0, where a is.
MINE = (f"namespace mine {{\nAICORE inline void TMUL({TILE}& d, {TILE}& s0, {TILE}& s1) {{\n  {TILE} w;\n"
        "  TASSIGN(w, 0);\n  TADD(w, w, w);\n}\n}\n")
REDECLARED_KERNELS = {
    # C++ binds E inside TT where TT is declared: b is a float tile, [0, 8192), not a half one.
    "alias target named by a later local alias": _a_then_b(
        f"using E = float;\nusing TT = {ELEMENT};\n", "  TT a;\n  TASSIGN(a, 4096);\n",
        "  using E = half;\n  TT b;\n  TASSIGN(b, 0);\n"),
    "alias target named by an alias of an inner block": _a_then_b(
        "", f"  using E = float;\n  using TT = {ELEMENT};\n  TT a;\n  TASSIGN(a, 4096);\n",
        "  {\n    using E = half;\n    TT b;\n    TASSIGN(b, 0);\n").replace("TMUL(b, b, b);\n", "TMUL(b, b, b);\n  }\n"),
    # U2 is ::U1, uint16_t: 69632 wraps to 4096.
    "file-scope alias chain hidden by a local alias": _a_then_b(
        "using U1 = uint16_t;\nusing U2 = U1;\n", f"  {TILE} a;\n  TASSIGN(a, 0);\n",
        f"  using U1 = int64_t;\n  U2 q = 69632;\n  {TILE} b;\n  TASSIGN(b, q);\n"),
    "macro inside a file-scope tile alias": _a_then_b(
        f"#define half float\nusing TH = {TILE.replace('float', 'half')};\n", f"  {TILE} a;\n  TASSIGN(a, 4096);\n",
        "  TH b;\n  TASSIGN(b, 0);\n"),
    "macro inside a file-scope scalar alias": _a_then_b(
        "#define int64_t uint16_t\nusing Offset = int64_t;\n", f"  {TILE} a;\n  TASSIGN(a, 0);\n",
        f"  Offset q = 69632;\n  {TILE} b;\n  TASSIGN(b, q);\n"),
    # pto::TMUL is ::mine::TMUL, which works on UB 0.
    "namespace alias named pto": MINE + "namespace app {\nnamespace pto = ::mine;\n" + _a_then_b(
        "", f"  {TILE} a;\n  TASSIGN(a, 0);\n", f"  {TILE} b;\n  TASSIGN(b, 65536);\n").replace(
        "TMUL(b, b, b)", "pto::TMUL(b, b, b)") + "}\n",
    "block-scope namespace alias named pto": _a_then_b(
        MINE, f"  namespace pto = ::mine;\n  {TILE} a;\n  TASSIGN(a, 0);\n",
        f"  {TILE} b;\n  TASSIGN(b, 65536);\n", tail="  pipe_barrier(PIPE_ALL);\n").replace(
        "TMUL(b, b, b)", "pto::TMUL(b, b, b)"),
    # TileType::Mat is the constant TileType::Vec of app's own namespace TileType.
    "namespace named TileType": "namespace app {\nnamespace TileType {\nconstexpr ::pto::TileType Mat = "
        "::pto::TileType::Vec;\n}\n" + _a_then_b(
            "", f"  {TILE.replace('TileType::Vec', '::pto::TileType::Vec')} a;\n  TASSIGN(a, 0);\n",
            f"  {TILE.replace('Vec', 'Mat')} b;\n  TASSIGN(b, 4096);\n") + "}\n",
    # CmpMode::G is a tile of app's own namespace CmpMode, not a mode constant.
    "tile operand spelled like a mode constant": f"namespace app {{\nnamespace CmpMode {{\n{TILE} G;\n}}\n"
        + _a_then_b("", f"  {TILE} a;\n  TASSIGN(a, 0);\n", f"  {TILE} b;\n  TASSIGN(b, 65536);\n",
                    "  TASSIGN(CmpMode::G, 4096);\n").replace("TMUL(b, b, b)", "TMUL(b, b, CmpMode::G)") + "}\n",
    # app::Shape's constructor runs vector work; built in an initializer after the barrier.
    "file's own Shape built in an initializer": "namespace app {\ntemplate <int N>\nstruct Shape {\n  int v;\n"
        f"  AICORE Shape(int x) : v(x) {{\n    {TILE} w;\n    TASSIGN(w, 0);\n    TMULS(w, w, 2.0f);\n  }}\n}};\n"
        + _a_then_b("", f"  {TILE} a;\n  TASSIGN(a, 0);\n", "").replace(
            "TMUL(b, b, b);", "auto s = Shape<1>(5);\n  pipe_barrier(PIPE_ALL);") + "}\n",
    # A pasted name: cfg::PIPE_V is PIPE_MTE2, so the second barrier drains nothing of PIPE_V.
    "token-pasting macro declares PIPE_V": "#define PIPE_CONST(x) constexpr pipe_t PIPE_##x = PIPE_MTE2;\n"
        "namespace cfg {\nPIPE_CONST(V)\n}\nnamespace app {\nnamespace pto = ::cfg;\n" + _a_then_b(
            "", f"  {TILE} a;\n  TASSIGN(a, 0);\n", f"  {TILE} b;\n  TASSIGN(b, 4096);\n").replace(
            "  TMUL(b, b, b);", "  pipe_barrier(pto::PIPE_V);\n  TMUL(b, b, b);") + "}\n",
    "macro whose body declares a namespace": MINE + "#define ALIAS(n, t) namespace n = t;\nnamespace app {\n"
        "ALIAS(pto, ::mine)\n" + _a_then_b("", f"  {TILE} a;\n  TASSIGN(a, 0);\n", f"  {TILE} b;\n  TASSIGN(b, 65536);\n").replace(
            "TMUL(b, b, b)", "pto::TMUL(b, b, b)") + "}\n",
}


@pytest.mark.parametrize("name", sorted(REDECLARED_KERNELS))
def test_names_bound_or_redeclared_elsewhere_keep_the_barrier(name):
    assert not any(removed(REDECLARED_KERNELS[name])), REDECLARED_KERNELS[name]


def test_aliases_and_pto_names_nothing_redeclares_stay_precise():
    # The same kernels without the shadowing declaration: b provably at 65536 (or a float tile where
    # a sits at 8192), so the barrier goes.
    assert removed(_a_then_b(f"using E = float;\nusing TT = {ELEMENT};\n", "  TT a;\n  TASSIGN(a, 8192);\n",
                             "  using F = half;\n  TT b;\n  TASSIGN(b, 0);\n")) == [True]
    assert removed(_a_then_b("using U1 = int64_t;\nusing U2 = U1;\n", f"  {TILE} a;\n  TASSIGN(a, 0);\n",
                             f"  using U3 = int64_t;\n  U2 q = 69632;\n  {TILE} b;\n  TASSIGN(b, q);\n")) == [True]
    assert removed("namespace app {\nusing namespace pto;\n" + _a_then_b(
        "", f"  {TILE} a;\n  TASSIGN(a, 0);\n", f"  {TILE} b;\n  TASSIGN(b, 65536);\n").replace(
        "TMUL(b, b, b)", "pto::TMUL(b, b, b)") + "}\n") == [True]


def test_declared_names_are_read_from_declarations_only():
    from ptofix.cpp.parser import parse_cpp as parse
    model = parse(SourceText(
        "using namespace pto;\n// namespace Shape\nconst char* s = \"struct Tile\";\n#include <cstdint>\n"
        "template <typename T, class... Q> struct S : pto::Stride<1> {};\nenum class Mode : int { A };\n"
        "typedef pto::Tile<TileType::Vec, float> TT, *TP;\nusing pto::TADD;\nnamespace a::b { }\n"
        "void f() { namespace c = ::a; }\n", "names.cpp"))
    # (Every plain word of a typedef counts, `float` too: an over-approximation. `using pto::TADD;`
    # names pto's own TADD: no name of the file's.)
    assert model.declared_names == {"T", "Q", "S", "Mode", "class", "float", "TT", "TP", "a", "b", "c"}


@pytest.mark.parametrize("define", ["#define __PTO_AUTO__", "#define TCVT_HPP", "#define EOF (-2)",
                                    # pto's headers pick the a2a3 vector code by these.
                                    "#undef __DAV_VEC__", "# undef PTO_NPU_ARCH_A2A3"])
def test_a_macro_defined_or_undefined_before_ptos_header_leaves_the_file_unverified(define):
    body = kernel("  TASSIGN(b, 65536);")
    assert removed(f"{define}\n#include <pto/pto-inst.hpp>\n{body}") == [False]
    # The same macro after the header, or the qualifiers ptoas defines before it, change no pto code.
    assert removed(f"#include <pto/pto-inst.hpp>\n{define}\n{body}") == [True]
    assert removed(f"#ifndef __gm__\n#define __gm__\n#endif\n#define PIPE_FIX PIPE_M\n"
                   f"#include <pto/pto-inst.hpp>\n{body}") == [True]


@pytest.mark.parametrize("local_class, plain", [
    # ptoas unpacks scalar arguments through unions of plain members: no code of their own.
    ("union {\n    uint64_t u64;\n    int64_t val;\n  } conv;\n  conv.u64 = 1;", True),
    ("struct P { int32_t rows, cols; float* p[2]; };", True),
    ("enum class Mode : int { A, B };", True),
    ("struct G { AICORE G() {} };\n  G g{};", False),
    ("struct G { AICORE G(const G&) {} int x; };", False),
    ("struct G { int32_t x = 4; };", False),              # a default member initializer runs code
    ("struct B0 { int x; };\n  struct G : B0 { int y; };", False),
    ("struct G final { int x; };", False),
    ("struct alignas(8) G { int x; };", False),
    ("auto f = [&]() { struct G { AICORE ~G() {} }; G g; };", False),
])
def test_a_block_scope_class_with_code_of_its_own_leaves_the_file_unverified(local_class, plain):
    # Its constructors, copies and conversions run wherever its objects are made or copied, in
    # the function or in a template it passes them to: no statement of the model names them.
    # (In a block of its own: an unread statement's scope exit is in no window then.)
    assert removed(kernel(f"  TASSIGN(b, 65536);\n  {{\n  {local_class}\n  }}")) == [plain]


@pytest.mark.parametrize("before", ["(void) TEXP < ExpAlgorithm::DEFAULT > (a, a);",
                                    "n = n + TEXP < ExpAlgorithm::DEFAULT > (a, a);"])
def test_a_template_name_right_before_less_than_may_open_template_arguments(before):
    # `(void) TEXP < X > (a, a)` groups as ((void) TEXP < X) > (a, a) in the grammar, but to the
    # compiler the '<' after a template's name opens its arguments: a TEXP call.
    assert removed(kernel("  TASSIGN(b, 65536);", after=f"{before}\n  TMUL(b, b, b);")) == [False]


@pytest.mark.parametrize("helpers, plain", [
    ("using TT2 = /* TEXP */ float;", False),     # a comment declares nothing
    ("namespace other { constexpr int32_t TEXP = 1; }", False),   # not the kernel's namespace
    ("#ifndef NO_SCALE\ntemplate <int N> AICORE void TEXP(int a) {}\n#endif", False),
])
def test_only_a_file_scope_variable_every_function_sees_makes_less_than_a_comparison(helpers, plain):
    src = kernel("  TASSIGN(b, 65536);", after="bool c = TEXP < 2 > (n);\n  TMUL(b, b, b);",
                 helpers=helpers)
    assert removed(src) == [plain]


def test_a_name_an_unread_statement_may_declare_is_no_file_scope_constant():
    # `Wrap guard{};` is not read: guard may be any object there, whose copy runs code.
    src = (f"constexpr int32_t guard = 0;\n__global__ AICORE void k() {{\n  {TILE} a;\n  TASSIGN(a, 0);\n"
           f"  {TILE} b;\n  TASSIGN(b, 65536);\n  Wrap guard{{}};\n  pipe_barrier(PIPE_ALL);\n  {{\n"
           "    TADD(a, a, a);\n    pipe_barrier(PIPE_V);\n    int32_t h = guard;\n    TMUL(b, b, b);\n  }\n"
           "  pipe_barrier(PIPE_ALL);\n}\n")
    assert removed(src) == [False]
    assert removed(src.replace("  Wrap guard{};\n", "")) == [True]


def test_dot_data_of_a_template_parameter_is_pure_only_in_a_leaf():
    helper = (f"template <typename T>\nstatic AICORE void step(T& t) {{\n  {TILE} a;\n  TASSIGN(a, 0);\n"
              f"  {TILE} b;\n  TASSIGN(b, 65536);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n"
              "  pipe_barrier(PIPE_V);\n  t.data();\n  TMUL(b, b, b);\n}\n")
    # step holds a barrier: a walk from it reads t.data() with no call site to check the argument.
    src = helper + "__global__ AICORE void k(__gm__ float* x) {\n  GlobalTensor<float, S, St> g(x);\n  step(g);\n}\n"
    assert [d.removed for d in _decisions(src) if d.fn.name == "step"] == [False]


def test_a_function_spelled_like_an_enumerator_may_be_a_template():
    src = kernel("  TASSIGN(b, 65536);", after="PIPE_V_scale < 2 > (n);\n  TMUL(b, b, b);",
                 helpers="template <int N>\nAICORE inline void PIPE_V_scale(int64_t x) {}")
    assert removed(src) == [False]
    assert removed(kernel("  TASSIGN(b, 65536);", after="bool c = PIPE_V < n;\n  TMUL(b, b, b);")) == [True]


def test_a_file_scope_constant_before_less_than_is_a_comparison():
    src = kernel("  TASSIGN(b, 65536);", after="bool c = LIM < 2 > (n);\n  TMUL(b, b, b);",
                 helpers="constexpr int32_t LIM = 2;")
    assert removed(src) == [True]


@pytest.mark.parametrize("name", ["Stride", "Shape", "GlobalTensor", "TPipe", "PTOAutoSyncTailMode"])
def test_a_function_named_like_a_pto_type_leaves_the_file_unverified(name):
    # In the kernel's namespace the file's function is found before pto's class template, so
    # `NAME<2>(a, b)` calls it rather than building a value object.
    helper = f"namespace app {{\ntemplate <int N>\nAICORE inline int64_t {name}(int64_t x) {{ return x; }}\n"
    src = helper + kernel("  TASSIGN(b, 65536);") + "}\n"
    assert removed(src) == [False]
    assert removed(src.replace(f"int64_t {name}(", "int64_t Helper(")) == [True]


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


@pytest.mark.parametrize("write", ["  int64_t o = 65536;\n  o xor_eq(69632);", "  int64_t o = 65536;\n  o and_eq(4096);",
                                   "  int64_t o = 65536;\n  if (n > 0 or n < 0) { o = 4096; }"])
def test_alternative_tokens_are_operators(write):
    # `o xor_eq(69632);` is `o ^= 69632;` (o becomes 4096), not a declaration of `xor_eq`.
    # (In a block of its own: a misread declaration's scope exit is in no window then.)
    assert removed(kernel(f"  {{\n{write}\n  TASSIGN(b, o);\n  }}")) == [False]
    assert removed(kernel("  int64_t o = 65536;\n  TASSIGN(b, o);")) == [True]


@pytest.mark.parametrize("helper_at, call, plain", [
    ("before", "vrec(b);", True),         # a tile argument: no built-in function takes one
    ("before", "vrec(x, 2);", False),     # scalars: a built-in `vrec(uint8_t, ...)` may win overloading
    ("after", "vrec(b);", False),         # defined after the caller: not visible at the call
    ("namespace", "vrec(b);", False),     # helpers::vrec is no candidate from ::k
    ("extern C", "vrec(x, 2);", False),   # an extern "C" block is no namespace: built-ins compete
    ("inline", "vrec(x, 2);", False),     # nor is an inline or anonymous namespace
    ("anonymous", "vrec(x, 2);", False),
])
def test_a_call_binds_to_a_file_function_only_where_lookup_finds_it(helper_at, call, plain):
    helper = "static AICORE void vrec(int64_t p, int64_t q) {}\n" if "x," in call else \
        f"static AICORE void vrec({TILE}& t) {{}}\n"
    src = kernel("  TASSIGN(b, 65536);\n  int64_t x = 1;", after=f"{call}\n  TMUL(b, b, b);")
    src = {"before": helper + src, "after": src + helper,
           "namespace": f"namespace helpers {{\n{helper}}}\n" + src,
           "extern C": f"extern \"C\" {{\n{helper}}}\n" + src,
           "inline": f"inline namespace v1 {{\n{helper}}}\n" + src,
           "anonymous": f"namespace {{\n{helper}}}\n" + src}[helper_at]
    assert removed(src) == [plain]



def test_a_call_argument_nested_deeper_than_the_bound_is_not_understood():
    # `h(1 + 1 + ... + 1)`: the argument's expression tree is deeper than the statement parser
    # takes (stmt_parser.MAX_EXPRESSION_NESTING); the statement is Unknown (not a crash), with
    # the reason. A shallower one is read.
    from ptofix.cpp import stmt_parser as A
    from ptofix.cpp.semantics import analyse_function
    for terms, read in ((3000, False), (A.MAX_EXPRESSION_NESTING + 1, False), (A.MAX_EXPRESSION_NESTING // 2, True)):
        deep = " + ".join(["n"] * terms)
        src = kernel("  TASSIGN(b, 65536);", after=f"TADDS(b, b, {deep});\n  TMUL(b, b, b);")
        assert read or removed(src) == [False]
        model = parse_cpp(SourceText(src, "deep.cpp"))
        sem = analyse_function(model, 0)
        too_deep = f"statement nested more than {A.MAX_EXPRESSION_NESTING} levels deep"
        assert any(info.reason == too_deep for info in sem.info.values()) is not read, terms


def test_a_definition_qualified_into_pto_is_seen_whatever_word_comes_before_it():
    from ptofix.cpp.header_policy import _qualified_into_pto
    # Function.qualified has its blanks removed: `PTO_INTERNAL void pto::` reads as below.
    assert _qualified_into_pto("PTO_INTERNALvoidpto::")
    assert _qualified_into_pto("void::pto::")
    assert _qualified_into_pto("voidpto/*x*/::")
    assert not _qualified_into_pto("voidapp::")


def test_comment_and_string_brackets_are_not_an_array_bound():
    from ptofix.cpp.lexical import code_only
    from ptofix.cpp.statement_forms import _variable_bound
    assert _variable_bound("int32_t f[h() /* at most f[8] */];")
    assert _variable_bound('int32_t f[g("[8]")];')
    assert not _variable_bound("int32_t f[8]; // f[n]")
    assert code_only('a["x]"] /* [1] */ + \'[\'') == 'a[""]   + \'\''


def test_a_template_parameter_name_is_read_past_its_attributes():
    from ptofix.cpp.declaration_forms import template_heads as _template_heads
    from ptofix.cpp.statement_forms import _template_value_params
    assert "PIPE_V" in _template_value_params(_template_function("template <pipe_t PIPE_V __attribute__((unused))> "
                                                                 "void f"))
    # Attributes, brackets and parentheses are not plain parameters: not read exactly.
    assert _template_heads("template <int N [[maybe_unused]], typename T> void ") == (None, "")
    assert _template_heads("template <int (*F)(int)> void ") == (None, "")


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


@pytest.mark.parametrize("elsewhere, only", [
    ("", True),
    ("void f(Mode m) { g(Mode::kA); }", True),
    ("void f() { using Mode = pipe_t; }", False),       # a block-scope alias hides it there
    ("typedef pipe_t Mode;", False),
    ("namespace app { namespace Mode { constexpr int kA = 8; } }", False),
    ("int Mode = 3;", False),
    ("/* using Mode = pipe_t; */ const char* s = \"Mode;\";", True),   # comments and strings are no code
    ("int XMode = 3; int $Mode = 4; int M_Mode = 5;", True),          # the tail of a longer name is not it
    ("int XMode = 3, Mode = 4;", False),                              # ... but a use right after one is
    ("int x=-Mode;", False),
    ("using Mode=pipe_t;", False),                                    # no blank before or after
])
def test_a_scoped_enumeration_qualifies_its_enumerators_only_if_nothing_else_takes_its_name(elsewhere, only):
    from ptofix.cpp.header_policy import _only_names_the_enumeration
    from ptofix.cpp.lexical import code_only
    code = code_only("enum class Mode : int { kA = 0 };\n" + elsewhere)
    assert _only_names_the_enumeration(code, "Mode") is only


def test_a_namespace_inside_an_anonymous_one_is_not_the_global_one_of_its_name():
    from ptofix.frontends import PARSERS
    from ptofix.source import SourceText
    text = ("namespace { namespace app { void h() {} } void g() {} }\n"
            "namespace app { void k() {} }\ninline namespace v1 { namespace app { void m() {} } }\n")
    spaces = {fn.name: fn.namespace for fn in PARSERS["cpp"](SourceText(text, "t.cpp")).functions}
    assert spaces == {"h": ("<anonymous>", "app"), "g": (), "k": ("app",), "m": ("app",)}


@pytest.mark.parametrize("text, name", [
    ("__builtin_cce_set_mask_count();", "set_mask_count"),
    ("__builtin_cce_set_ctrl(x);", "set_ctrl"),
    ("TCI_IMPL<A, B, int32_t, 0>(ci, 0, t);", "TCI"),
    ("pto::TCI_b32_normal(ci);", "TCI"),
    ("PadRightSingleRow<D, S>(p, 0, 7, v);", "PadRightSingleRow"),       # pto internals left in count mode
    ("RemOp<float, 512>::RemF32Instr(d, a, b, t, 2, 64);", "RemF32Instr"),
    ('asm volatile("nop");', "asm"),
    ('__asm__ __volatile__("nop");', "__asm__"),
    ("GETCI(x); TASM(y);", ""),        # a word that only ends in TCI or holds 'asm' is none of them
])
def test_a_file_that_may_enter_count_mode_is_found_by_any_spelling(text, name):
    from ptofix.cpp.count_mode import _count_mode_name, _count_mode_name_of
    from ptofix.source import SourceText
    assert _count_mode_name(text) == name
    # From the word index too (with and without a word before, a comment, a '$' word character).
    for spelled in (text, "int x; " + text, "// " + text + "\n", "a$" + text, text.replace("(", " $ (")):
        assert _count_mode_name_of(SourceText(spelled)) == _count_mode_name(spelled), spelled


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(["TCI", "GETCI", "asm", "__asm__", "__asm", "set_ctrl", "set_mask_count", "$", "_",
                                 "1", "x", " ", "\\\n", "\n", "(", ";", "é", "RemF32Instr", "push_macro",
                                 "PTO_DETAIL_CONCAT"]), max_size=12).map("".join))
def test_the_word_index_answers_what_the_text_scans_answer(text):
    from ptofix.cpp.count_mode import _count_mode_name, _count_mode_name_of, _spells
    from ptofix.source import SourceText
    source = SourceText(text)
    assert _count_mode_name_of(source) == _count_mode_name(text)
    for name in ("push_macro", "pop_macro", "PTO_DETAIL_CONCAT", "TCI", "asm"):
        assert _spells(source, name) == (name in text)


def test_a_template_list_of_macros_may_be_an_explicit_specialization():
    from ptofix.cpp.header_policy import _has_specialization
    assert _has_specialization("template <NO_ARGS> void pto::TMUL_IMPL(T&);", frozenset({"NO_ARGS"}))
    assert not _has_specialization("template <NO_ARGS> void f();", frozenset())
    assert _has_specialization("template </* */> void f();")
    assert not _has_specialization("template <typename T> void f();", frozenset({"T2"}))


def _template_function(head: str):
    from ptofix.frontends import PARSERS
    from ptofix.source import SourceText
    fn, = PARSERS["cpp"](SourceText(f"{head}(int n) {{}}\n", "t.cpp")).functions
    return fn


@pytest.mark.parametrize("head, params", [
    ("template <typename T, int N> AICORE void f", {"T", "N"}),
    ("template <typename... Args> AICORE void f", {"Args"}),
    ("template <pipe_t P>\ntemplate <std::size_t K> AICORE void Owner::f", {"P", "K"}),
    ("template <> AICORE void f", set()),
    ("template <typename /* a > b */ T> AICORE void f", {"T"}),
    ("AICORE void f", set()),
])
def test_plain_template_heads_declare_their_parameter_names(head, params):
    from ptofix.cpp.statement_forms import _template_value_params
    assert _template_value_params(_template_function(head)) == params


@pytest.mark.parametrize("head", [
    "template <int N, std::enable_if_t<N >= 1, pipe_t> PIPE_ALL> AICORE void f",
    "template <int N, std::enable_if_t<N >>= 1, pipe_t> PIPE_ALL> AICORE void f",
    "template <int N, std::enable_if_t<bool{N > 0}, pipe_t> PIPE_ALL> AICORE void f",
    "template <int N, std::enable_if_t<N == 1, pipe_t> PIPE_ALL> AICORE void f",
    "template <int N, pipe_t PIPE_ALL PTO_INST_HPP> AICORE void f",
    "template <int N, pipe_t PIPE_ALL __wur> AICORE void f",
    "template <pipe_t __attribute__((unused)) PIPE_ALL> AICORE void f",
    'template <int __attribute__((annotate("f(N)"))) N, std::enable_if_t<N >= 1, pipe_t> PIPE_ALL> AICORE void f',
    "template <PTO_NO_ARGS> template <pipe_t PIPE_ALL> AICORE void f",
])
def test_a_template_head_the_model_does_not_read_exactly_may_declare_any_of_its_words(head):
    """Anything but plain `type name` parameters: which `>` ends a list, or which word is the
    name, is not read as the compiler reads it, so every word may be a parameter, and a call may
    run code for the returned value."""
    from ptofix.cpp.statement_forms import _return_reason, _template_value_params
    fn = _template_function(head)
    assert "PIPE_ALL" in _template_value_params(fn)
    assert _return_reason(fn)


def test_a_comment_between_qualifier_and_name_still_qualifies_the_definition():
    from ptofix.cpp.header_policy import _qualified_into_pto
    from ptofix.frontends import PARSERS
    from ptofix.source import SourceText
    fn, = PARSERS["cpp"](SourceText("void pto::/* spec */TMUL_IMPL(int& d) {}\n", "t.cpp")).functions
    assert fn.qualified and _qualified_into_pto(fn.qualified)


@pytest.mark.parametrize("use", ["MAP_INSTR_IMPL(TSQUARE, a, b);", "(void)PTO_DETAIL_CONCAT(tile_, square)(a, b);"])
def test_a_file_using_a_pasting_macro_of_pto_counts_no_name_completely(use):
    from ptofix.cpp.semantics import FileContext
    from ptofix.frontends import PARSERS
    from ptofix.source import SourceText
    text = f"static AICORE void h() {{}}\n__global__ AICORE void k() {{ {use} }}\n"
    assert FileContext(PARSERS["cpp"](SourceText(text, "t.cpp"))).pastes_tokens
    assert not FileContext(PARSERS["cpp"](SourceText(text.replace(use, "h();"), "t.cpp"))).pastes_tokens


# pto's own macros expand to code the model never sees: a pasted name (`PTO_DETAIL_CONCAT(v, 9)`
# is `v9`), a hidden mode switch, a loop or a return. Each case sets up `b` at 4096 through one,
# before the PIPE_ALL: a model that keeps the spelled effects only would read `b` at 65536.
PTO_MACRO_CASES = {
    "pasted write": "  int64_t v9 = 65536;\n  { PTO_DETAIL_CONCAT(v, 9) = 4096; }\n  TASSIGN(b, v9);",
    "pasted shadowing declaration": "  int64_t v9 = 65536;\n  {\n    int64_t PTO_DETAIL_CONCAT(v, 9) = 4096;\n"
                                    "    TASSIGN(b, v9);\n  }",
    "pasted TASSIGN": "  TASSIGN(b, 65536);\n  { PTO_DETAIL_CONCAT(TASS, IGN)(b, 4096); }",
    "pasted count mode": "  TASSIGN(b, 65536);\n  { PTO_DETAIL_CONCAT(set_mask_, count)(); }\n  set_vector_mask(0, 4096);",
    "pasted through MAP_INSTR_IMPL": "  TASSIGN(b, 65536);\n  { MAP_INSTR_IMPL(TASSIGN, b, 4096); }",
    "pto macro in a file macro": "  TASSIGN(b, 65536);\n  ASSIGN_B();",
    # An include guard only pto-isa 14f761c8 and b9122ec5 define (SyncAll.hpp; renamed since):
    # against them `int64_t SYNCALL_HPP = 0;` is `int64_t = 0;`, which does not compile, and
    # `TN SYNCALL_HPP(t);` declares a new, unassigned t.
    "include guard of an older pto-isa": "  TASSIGN(b, 65536);\n  int64_t SYNCALL_HPP = 0;",
}


@pytest.mark.parametrize("name", sorted(PTO_MACRO_CASES))
def test_a_file_using_a_macro_of_pto_the_model_does_not_read_is_not_modelled(name):
    helpers = "#define ASSIGN_B() PTO_DETAIL_CONCAT(TASS, IGN)(b, 4096)\n" if "file macro" in name else ""
    assert removed(kernel(PTO_MACRO_CASES[name], helpers=helpers)) == [False]


def test_a_macro_of_pto_named_only_in_a_comment_or_string_changes_nothing():
    for setup in ("  TASSIGN(b, 65536); // not PTO_DETAIL_CONCAT(v, 9)",
                  '  TASSIGN(b, 65536);\n  const char* s = "FOR_ROWS";'):
        assert removed(kernel(setup)) == [True]
    # Its NPU names (the compiler's intrinsics, event ids, qualifiers) are read as such.
    assert removed(kernel("  TASSIGN(b, 65536);\n  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n"
                          "  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  dsb((mem_dsb_t)0);")) == [True]


def test_an_alias_declaration_in_a_for_init_is_not_read_as_a_variable():
    from ptofix.cpp.stmt_parser import parse_for_init
    assert parse_for_init("using Off = std::uint16_t") is None
    assert parse_for_init("typedef std::uint16_t Off") is None
    assert parse_for_init("int64_t using_x = 0") is not None


def test_a_conversion_keeps_an_input_in_the_tile_only_if_its_type_holds_the_tile():
    from ptofix.cpp.integers import IntType
    from ptofix.cpp.statement_forms import _holds_dims
    assert _holds_dims(IntType(8, False), 256)           # unsigned: modulo, only smaller
    assert not _holds_dims(IntType(8, True), 256)        # (int8_t) 128 is -128: 0xFFFFFF80 rows
    assert _holds_dims(IntType(8, True), 127)
    assert _holds_dims(IntType(32, True), 256)
    assert not _holds_dims("float", 16) and not _holds_dims(IntType(32, True), None)


BIG = "Tile<TileType::Vec, float, 64, 128, BLayout::RowMajor, 64, 128, SLayout::NoneBox, 512, PadValue::Null>"


@pytest.mark.parametrize("declaration", ["TBig(b);", "TBig(b) = TBig();", "TBig const (b);", "TBig static (b);",
                                         "TBig volatile(b);", "TBig constexpr (b);", "TBig __const (b);",
                                         "TBig __volatile__(b);", "TBig _Atomic (b);", "TBig PTO_INST_HPP (b);",
                                         "PTO_INST_HPP TBig (b);", "__const TBig (b);",
                                         # `Tile` is a word of the file-scope alias, not a variable:
                                         BIG + "(b);", BIG + " (b) = TBig();"])
def test_a_statement_that_may_declare_a_tile_gives_the_name_a_new_unknown_type(declaration):
    # The inner b is a 32 KiB tile at [8192, 40960), over a at [32768, 40960); the outer b's
    # 8 KiB type would put it at [8192, 16384), clear of a.
    src = f"""using TBig = {BIG};
__global__ AICORE void k() {{
  {TILE} a;
  TASSIGN(a, 32768);
  {TILE} b;
  TASSIGN(b, 65536);
  {{
    {declaration}
    TASSIGN(b, 8192);
    pipe_barrier(PIPE_ALL);
    TADD(a, a, a);
    pipe_barrier(PIPE_V);
    TMUL(b, b, b);
  }}
}}
"""
    assert removed(src) == [False]
    assert removed(src.replace(declaration, "")) == [True]      # the outer b: provably clear of a


@pytest.mark.parametrize("text", ["TN const (t);", "TN static(t) = u;", "float volatile = 1;", "TN __ubuf__ (t);",
                                  "TN return (t);"])
def test_a_keyword_is_never_read_as_a_declarators_name(text):
    from ptofix.cpp.stmt_parser import parse_condition, parse_for_init, parse_parameter, parse_statement
    assert parse_statement(text) is None and parse_statement(text, fast=False) is None
    assert parse_for_init(text[:-1]) is None and parse_parameter(text[:-1].split("=")[0]) is None
    assert not isinstance(parse_condition(text[:-1]), type(parse_statement("TN t;")))
    assert parse_statement("const TN t;") is not None and parse_parameter("const TN t") is not None


@pytest.mark.parametrize("text", ["TN __const (t);", "TN PTO_INST_HPP (t);", "PTO_INST_HPP TN (t);", "using T2 = __const TN;",
                                  "typedef TN PTO_INST_HPP;", "TN _Reserved(t);", "TN __restrict (t);", "TN __builtin_x (t);", "TN __wur (t);", "TN __wur;", "__wur TN (t);"])
def test_a_declaration_spelled_with_a_reserved_name_or_a_pto_macro_is_not_read(text):
    from ptofix.cpp.stmt_parser import parse_statement
    assert parse_statement(text) is None and parse_statement(text, fast=False) is None


def test_element_types_pto_defines_as_macros_elsewhere_still_declare():
    from ptofix.cpp.stmt_parser import parse_statement
    from ptofix.pto.ops import pto_macro_names
    assert "bfloat16_t" in pto_macro_names()      # `#define bfloat16_t half` for other targets
    assert parse_statement("bfloat16_t x = 0;") is not None


def test_a_reserved_name_with_an_initializer_is_still_a_declaration():
    from ptofix.cpp.stmt_parser import parse_statement
    # (Generated kernels declare such names; without the name the statement would not compile.)
    assert parse_statement("int64_t __pypto_gm_block_offset = 1;") is not None
    assert parse_statement("int64_t __pypto_gm_block_offset;") is None


FOR_HEADER_CALLS = f"""using TF = {TILE};

static AICORE int step_c(TF &b, TF &c) {{
  pipe_barrier(PIPE_V);
  TMUL(c, b, b);
  pipe_barrier(PIPE_V);
  return 1;
}}

static AICORE bool cond_c(TF &a, TF &c, int i) {{
  pipe_barrier(PIPE_V);
  TADD(a, c, c);
  pipe_barrier(PIPE_V);
  return i < 4;
}}

__global__ AICORE void k(__gm__ float* p) {{
  TF a;
  TASSIGN(a, 0);
  TF b;
  TASSIGN(b, 8192);
  TF c;
  TASSIGN(c, 16384);
  pipe_barrier(PIPE_V);
  for (int i = 0; cond_c(a, c, i); i += step_c(b, c)) {{
    pipe_barrier(PIPE_V);
  }}
  pipe_barrier(PIPE_V);
}}
"""


def test_a_for_step_runs_after_the_body_and_before_the_condition():
    # step_c's TMUL writes c, then (no drain between) cond_c's TADD reads it: step_c's trailing
    # barrier and cond_c's leading one are both needed; step_c's leading barrier follows the
    # body's barrier, cond_c's trailing one precedes the body's barrier or the one after the loop.
    model = parse_cpp(SourceText(FOR_HEADER_CALLS, "adversary.cpp"))
    removed_at = {FOR_HEADER_CALLS.count("\n", 0, d.stmt.span.start) + 1: d.removed
                  for d in BarrierAnalysis(model).run({"auto"})}
    assert removed_at[6] is False and removed_at[11] is False
    assert removed_at[4] is True and removed_at[13] is True


def test_a_continue_in_a_for_loop_runs_the_step_next():
    # Only on the `continue` path does the body's TADD, writing b, reach step_c's TMUL reading b
    # without a drain: step_c's leading barrier is needed.
    src = FOR_HEADER_CALLS.replace("    pipe_barrier(PIPE_V);\n  }\n",
                                   "    TADD(b, a, a);\n    if (i == 2) continue;\n    pipe_barrier(PIPE_V);\n  }\n")
    assert src != FOR_HEADER_CALLS
    model = parse_cpp(SourceText(src, "adversary.cpp"))
    removed_at = {src.count("\n", 0, d.stmt.span.start) + 1: d.removed for d in BarrierAnalysis(model).run({"auto"})}
    assert removed_at[4] is False
    without = src.replace("    if (i == 2) continue;\n", "")
    model = parse_cpp(SourceText(without, "adversary.cpp"))
    assert {without.count("\n", 0, d.stmt.span.start) + 1: d.removed
            for d in BarrierAnalysis(model).run({"auto"})}[4] is True


def test_an_equals_sign_inside_a_template_parameters_type_is_not_its_default():
    from ptofix.cpp import declaration_forms, statement_forms
    assert declaration_forms.template_heads("template <int N, std::enable_if_t<N == 1, pipe_t> PIPE_ALL> void ") == (None, "")
    assert declaration_forms.template_heads("template <decltype(1 <= 2) P> void ") == (None, "")
    assert declaration_forms.template_heads("template <pipe_t P = PIPE_V, int N = 4> void ") == (None, "")
    assert declaration_forms.template_heads("template <pipe_t P, int N> void ") == ((("pipe_t", "P"), ("int", "N")), "void ")
    assert statement_forms._template_heads(_template_function("template <pipe_t P, int N> void f")) == ({"P", "N"}, "void ")
    # A parameter's word that may be a macro: the name may be another word.
    assert statement_forms._template_heads(_template_function("template <pipe_t P __wur, int N> void f")) is None


@pytest.mark.parametrize("head, static, entry", [
    ("static AICORE void h(int x)", True, False),
    ("__attribute__((static)) AICORE void h(int x)", False, False),
    ("AICORE void h(int static_x)", False, False),
    ("__global__ AICORE void h(int x)", False, True),
    ("__attribute__((__global__)) AICORE void h(int x)", False, False),
])
def test_linkage_and_entry_come_from_the_specifiers_before_the_name(head, static, entry):
    fn = parse_cpp(SourceText(head + " {\n}\n", "t.cpp")).functions[0]
    assert (fn.static, fn.is_entry) == (static, entry)


def test_a_return_value_read_only_in_part_shows_no_call_event():
    from ptofix.cpp.barriers import _build_cfg
    from ptofix.cpp.semantics import FileContext
    src = f"""using TF = {TILE};
static AICORE bool wr(TF &c) {{
  TMUL(c, c, c);
  return true;
}}
static AICORE bool k2(TF &a, TF &c) {{
  return wr(c) && ((void)TADD(a, c, c), true);
}}
"""
    model = parse_cpp(SourceText(src, "t.cpp"))
    ctx = FileContext(model)
    cfg = _build_cfg(ctx, model.functions[1])
    assert cfg.local_calls == []


@pytest.mark.parametrize("specifier", ["extern", "thread_local", "register", "mutable", "static thread_local"])
@pytest.mark.parametrize("fast", [True, False])
def test_a_specifier_is_never_read_as_the_type_of_an_object_named_by_the_type(specifier, fast):
    """`extern TN (t);` declares t (of type TN), not an object TN of type `extern`."""
    from ptofix.cpp.stmt_parser import parse_statement
    assert parse_statement(f"{specifier} TN (t);", fast=fast) is None
    assert parse_statement("TN (t);", fast=fast) is not None


@pytest.mark.parametrize("head, refused", [
    ("AICORE inline void body PTO_INST_HPP", True),      # pto's include guard: empty
    ("AICORE inline void body __wur", True),              # a reserved word may be a system macro
    ("AICORE inline void body __attribute_used__", True),
    ("static AICORE inline void PTOAS__DCCI_SINGLE_CACHE_LINE", False),   # no other word can be the name
    ("AICORE inline void body", False),
])
def test_a_function_whose_name_may_be_an_empty_macro_leaves_the_file_unmodelled(head, refused):
    """`void body PTO_INST_HPP (TT& x)` defines body: the word before the parameters is not
    surely the function's name."""
    from ptofix.cpp.header_policy import _unread_declaration
    from ptofix.frontends import PARSERS
    from ptofix.source import SourceText
    model = PARSERS["cpp"](SourceText(f"{head}(int n) {{}}\n", "t.cpp"))
    assert bool(_unread_declaration(model)) is refused


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


# -- A tile's valid shape and address at an op are those that reach it along the control flow ----
# d (16 x 128, run-time valid shape) sits at [0, 8192), a at [8192, 16384): walked with more than
# 16 valid rows, d reaches a and the barrier between TADD(a) and TMUL(d) must stay. g is read from
# memory, so the model cannot tell whether it fits.
_FLOW_HEAD = (f"__global__ AICORE void k(__gm__ int64_t* x, int64_t n) {{\n  {TILE} a;\n  TASSIGN(a, 8192);\n"
              "  int64_t g = x[0];\n")
_FLOW_OP = "  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  TMUL(d, d, d);\n"


def _in_loop(body: str) -> str:
    inner = "".join(f"  {line}\n" for line in body.splitlines())
    return f"  for (int64_t i = 0; i < n; i += 1) {{\n{inner}  }}\n"


def test_a_valid_shape_set_after_the_op_does_not_reach_it():
    # PyPTO's loop bodies (real/41_exp_gate_up_act.cpp): the tile is constructed 16 x 128 each
    # iteration, written, and only then given its run-time valid shape.
    body = f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n{_FLOW_OP}  d.SetValidShape(g, 128);\n"
    assert removed(_FLOW_HEAD + _in_loop(body) + "}\n") == [True]
    assert removed(_FLOW_HEAD + body + "}\n") == [True]
    # Set before the op, the unknown shape reaches it.
    before = f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n  d.SetValidShape(g, 128);\n{_FLOW_OP}"
    assert removed(_FLOW_HEAD + _in_loop(before) + "}\n") == [False]
    assert removed(_FLOW_HEAD + before + "}\n") == [False]


@pytest.mark.parametrize("setup", [
    "  d.SetValidShape(g, 128);\n",                                  # set before the op
    "  if (n > 0) {\n    d.SetValidShape(g, 128);\n  }\n",             # on one path
    "  d.SetValidShape(16, 128);\n  if (n > 0) {\n    d.SetValidShape(g, 128);\n  }\n",
    "  for (int64_t j = 0; j < n; j += 1) {\n    d.SetValidShape(g, 128);\n  }\n",
    "  d.SetValidShape(g, 128);\n  if (n > 0) {\n    d.SetValidShape(16, 128);\n  }\n",   # reset on one path
    "  d.SetValidShape(g, 128);\n  {\n    int64_t m = 16;\n  }\n  if (n > 0)\n    d.SetValidShape(16, 128);\n",
])
def test_an_unknown_valid_shape_that_may_reach_the_op_keeps_the_barrier(setup):
    src = _FLOW_HEAD + f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n" + setup + _FLOW_OP + "}\n"
    assert removed(src) == [False]
    # (Control: the same code with a shape that fits.)
    assert removed(src.replace("SetValidShape(g,", "SetValidShape(8,")) == [True]


def test_a_shape_set_later_in_the_loop_reaches_the_op_through_the_back_edge():
    # Declared before the loop: the second iteration's TMUL walks the shape the first one set.
    src = (_FLOW_HEAD + f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n"
           + _in_loop(f"{_FLOW_OP}  d.SetValidShape(g, 128);\n") + "}\n")
    assert removed(src) == [False]
    assert removed(src.replace("SetValidShape(g,", "SetValidShape(8,")) == [True]
    # Constructed anew in the body before the op, it is 16 x 128 again each time.
    inside = (_FLOW_HEAD + f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n"
              + _in_loop(f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n{_FLOW_OP}  d.SetValidShape(g, 128);\n") + "}\n")
    assert removed(inside) == [True]


@pytest.mark.parametrize("change", [
    "  grow(d);\n",                       # this file's function, through a reference
    "  opaque_grow(d);\n",                # a function the model cannot see
    # A reference or a pointer to it: it changes where no statement names it. (In a block of its
    # own: a statement the model cannot read leaves an unknown event at its block's end.)
    "  {\n    DynTile& r = d;\n    r.SetValidShape(32, 128);\n  }\n",
    "  {\n    DynTile& r = d;\n    d.SetValidShape(16, 128);\n    r.SetValidShape(32, 128);\n  }\n",
    "  {\n    DynTile* p = &d;\n    d.SetValidShape(16, 128);\n    p->SetValidShape(32, 128);\n  }\n",
])
def test_a_tile_changed_where_the_model_cannot_follow_stays_unknown(change):
    # Set to a fitting shape first: what follows may change it past the tile, at that statement or
    # (a reference or a pointer kept) at any later one.
    helpers = f"using DynTile = {DYN};\nAICORE void grow({DYN}& t) {{\n  t.SetValidShape(32, 128);\n}}\n"
    src = (helpers + _FLOW_HEAD + f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n  d.SetValidShape(16, 128);\n"
           + change + _FLOW_OP + "}\n")
    assert removed(src) == [False]


@pytest.mark.parametrize("jump", [
    "  switch (n) {\n  case 1:\n    d.SetValidShape(g, 128);\n    break;\n  default:\n    break;\n  }\n",
    "  if (n > 0) {\n    goto later;\n  }\n  d.SetValidShape(g, 128);\nlater:\n",
])
def test_a_shape_set_in_unstructured_control_flow_reaches_the_op(jump):
    src = (_FLOW_HEAD + f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n" + jump + "  d.SetValidShape(16, 128);\n"
           + _FLOW_OP.replace("  TMUL(d, d, d);\n", "  TMUL(d, d, d);\n  d.SetValidShape(g, 128);\n") + "}\n")
    assert removed(src) == [False]


def test_a_copy_then_tassign_is_at_the_tassigned_address():
    # PyPTO's `Tile v42; Tile v43 = v42; TASSIGN(v43, addr);` (real/40_rmsnorm_rope.cpp): v42 has
    # no address, but v43 is at addr wherever it is used after the TASSIGN.
    copy = f"{TILE} s;\n  {TILE} b = s;"
    assert removed(kernel("  TASSIGN(b, 65536);", b_decl=copy)) == [True]
    assert removed(kernel("  TASSIGN(b, 4096);", b_decl=copy)) == [False]
    # The TASSIGN on one path only: b may still have s's (unknown) address.
    assert removed(kernel("  if (n > 0) {\n    TASSIGN(b, 65536);\n  }", b_decl=copy)) == [False]


def test_an_address_assigned_later_in_the_loop_reaches_the_op_through_the_back_edge():
    before = "  TASSIGN(b, 65536);\n  for (int64_t i = 0; i < n; i += 1) {\n"
    body = ("    pipe_barrier(PIPE_ALL);\n    TADD(a, a, a);\n    pipe_barrier(PIPE_V);\n    TMUL(b, b, b);\n"
            "    TASSIGN(b, ADDR);\n  }\n")
    src = f"__global__ AICORE void k(int64_t n) {{\n  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} b;\n" + before + body + "}\n"
    assert removed(src.replace("ADDR", "4096")) == [False]
    assert removed(src.replace("ADDR", "65536")) == [True]
    # Declared and bound in the body before the op: the later TASSIGN never reaches it.
    inside = src.replace("    pipe_barrier(PIPE_ALL);\n", f"    {TILE} b;\n    TASSIGN(b, 65536);\n    pipe_barrier(PIPE_ALL);\n", 1)
    assert removed(inside.replace("ADDR", "4096")) == [True]


def test_a_tile_set_past_the_record_bound_takes_every_shape_of_the_function():
    from ptofix.cpp.tile_flow import MAX_TILE_RECORDS
    # Bounded work: a tile with more records than the bound is read flow-insensitively, so the
    # shape set after the op reaches it again.
    def src(sets: int) -> str:
        body = f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n" + "  d.SetValidShape(16, 128);\n" * sets \
            + f"{_FLOW_OP}  d.SetValidShape(g, 128);\n"
        return _FLOW_HEAD + _in_loop(body) + "}\n"
    assert removed(src(MAX_TILE_RECORDS - 4)) == [True]
    assert removed(src(MAX_TILE_RECORDS)) == [False]


def test_a_run_time_valid_shape_set_after_the_chain_does_not_stop_it():
    # The chain check reads the shape that reaches each op: a SetValidShape after the consumer
    # (PyPTO's loop bodies) leaves both ops walking the constant shape; before the producer, it
    # leaves x with a run-time shape, which chains nothing.
    after = _dynamic_chain("r", "c", "TADD(x, y, y);", "TADD(z, x, x);\n  x.SetValidShape(n, c);")
    assert removed(after) == [True]
    before = _dynamic_chain("r", "c", "TADD(x, y, y);", "TADD(z, x, x);", "  x.SetValidShape(n, c);\n")
    assert removed(before) == [False]


# -- Adversarial cases for the flow-sensitive tile values: each keeps a barrier a wrong reading of
# the control flow would remove (the control beside each shows the same kernel loses it when the
# shape fits or the address is elsewhere, so each case can fail).
def _nested(outer_setup: str, inner_tail: str, outer_tail: str) -> str:
    inner = f"    for (int64_t j = 0; j < n; j += 1) {{\n  {_FLOW_OP.replace(chr(10) + '  ', chr(10) + '    ')}{inner_tail}    }}\n"
    return (_FLOW_HEAD + f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n  d.SetValidShape(8, 128);\n"
            + f"  for (int64_t i = 0; i < n; i += 1) {{\n{outer_setup}{inner}{outer_tail}  }}\n}}\n")


@pytest.mark.parametrize("src", [
    # Set after the inner loop holding the op, in the outer one: the outer back-edge brings it to
    # the op (a reading that follows only the innermost loop's later statements loses it).
    _nested("", "", "    d.SetValidShape(g, 128);\n"),
    # Set in the outer loop before the inner one, then after the op inside the inner one: the inner
    # back-edge brings it round without passing the outer set (a reading that asks whether the set
    # is inside *a* loop around the op, not the innermost one, loses it).
    _nested("    d.SetValidShape(8, 128);\n", "      d.SetValidShape(g, 128);\n", ""),
])
def test_a_shape_set_later_in_an_enclosing_or_inner_loop_reaches_the_op(src):
    assert removed(src) == [False]
    assert removed(src.replace("SetValidShape(g,", "SetValidShape(8,")) == [True]


@pytest.mark.parametrize("decl", [
    f"static {DYN} d(16, 128);",
    f"{DYN} static d(16, 128);",
    "static DynAlias d(16, 128);",           # `static` on a declaration whose type is an alias
    "DynAlias static d(16, 128);",
    "thread_local DynAlias d(16, 128);",
])
def test_a_static_tile_in_a_loop_keeps_the_shape_its_last_iteration_set(decl):
    # Constructed once: the shape set after the op in one iteration is the next iteration's (a
    # reading that takes the declaration as a construction each time it runs loses it).
    helpers = f"using DynAlias = {DYN};\n"
    body = f"  {decl}\n  TASSIGN(d, 0);\n{_FLOW_OP}  d.SetValidShape(g, 128);\n"
    assert removed(helpers + _FLOW_HEAD + _in_loop(body) + "}\n") == [False]
    plain = f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n{_FLOW_OP}  d.SetValidShape(g, 128);\n"
    assert removed(helpers + _FLOW_HEAD + _in_loop(plain) + "}\n") == [True]


def test_a_shape_set_in_a_preprocessor_branch_dominates_only_inside_it():
    # Either branch (or none) is compiled: after `#endif` the earlier run-time shape may still hold.
    setup = f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n  d.SetValidShape(g, 128);\n"
    after = _FLOW_HEAD + setup + "#if FAST\n  d.SetValidShape(8, 128);\n#endif\n" + _FLOW_OP + "}\n"
    assert removed(after) == [False]
    # Inside the branch, after the set, the op walks the set shape.
    inside = _FLOW_HEAD + setup + "#if FAST\n  d.SetValidShape(8, 128);\n" + _FLOW_OP + "#endif\n}\n"
    assert removed(inside) == [True]


@pytest.mark.parametrize("change", [
    # A header of a for or an if, a while or do loop and a declaration's initializer are no
    # statement the history records: the run-time shape set there reaches the op (a history that
    # skipped them would take the earlier fitting shape as the one that reaches it).
    "  for (int64_t i = 0; i < n; d.SetValidShape(g, 128)) {\n    i += 1;\n  }\n",
    "  for (int64_t i = 0; (d.SetValidShape(g, 128), i < n); i += 1) {\n  }\n",
    "  if ((d.SetValidShape(g, 128), n > 0)) {\n  }\n",
    "  int64_t i = 0;\n  while (i < n) {\n    i += 1;\n    d.SetValidShape(g, 128);\n  }\n",
    "  do {\n    d.SetValidShape(g, 128);\n  } while (n < 0);\n",
    "  int64_t z = reshape_rows(d, g);\n",
])
def test_a_shape_set_outside_a_plain_statement_reaches_the_op(change):
    helpers = f"AICORE int64_t reshape_rows({DYN}& t, int64_t rows) {{\n  t.SetValidShape(rows, 128);\n  return 0;\n}}\n"
    head = helpers + _FLOW_HEAD + f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n  d.SetValidShape(8, 128);\n"
    assert removed(head + change + _FLOW_OP + "}\n") == [False]
    assert removed(head + _FLOW_OP + "}\n") == [True]


def test_a_tassign_binds_every_value_its_address_variable_takes():
    # The TASSIGN in the loop dominates the op, but its variable is 4096 from the second iteration
    # on: scalars keep every definition (a value read at the TASSIGN's place in the source, 65536
    # only, would remove the barrier).
    src = (f"__global__ AICORE void k(int64_t n) {{\n  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} b;\n"
           "  int64_t p = 65536;\n  TASSIGN(b, p);\n  for (int64_t i = 0; i < n; i += 1) {\n    TASSIGN(b, p);\n"
           "    pipe_barrier(PIPE_ALL);\n    TADD(a, a, a);\n    pipe_barrier(PIPE_V);\n    TMUL(b, b, b);\n"
           "    p = 4096;\n  }\n}\n")
    assert removed(src) == [False]
    assert removed(src.replace("    p = 4096;\n", "")) == [True]


# Random structured kernels (blocks, if/else, for loops with break and continue, blocks that declare
# their own d) around one barrier: where the barrier goes, no path may bring a run-time valid shape
# of the op's d to the op. The reference below follows every path (each branch, each loop run any
# number of times) and keeps the possible last shapes of each d; ptofix may keep more barriers. (A
# history that lets the latest earlier set stand for every path, or forgets the back-edges, fails.)
_LEAF = st.sampled_from([("fit",), ("runtime",)])


def _flow_tree(children: st.SearchStrategy) -> st.SearchStrategy:
    body = st.lists(children, max_size=3)
    return st.one_of(st.tuples(st.just("if"), body, st.one_of(st.none(), body)), st.tuples(st.just("for"), body),
                     st.tuples(st.just("block"), body), st.tuples(st.just("own d"), body),
                     st.tuples(st.just("jump"), st.sampled_from(["break", "continue"])))


_FLOW_PROGRAMS = st.lists(st.recursive(_LEAF, _flow_tree, max_leaves=10), max_size=4)


def _statement_lists(stmts: list, out: list) -> list:
    out.append(stmts)
    for stmt in stmts:
        if stmt[0] in ("for", "block", "own d", "if"):
            _statement_lists(stmt[1], out)
        if stmt[0] == "if" and stmt[2] is not None:
            _statement_lists(stmt[2], out)
    return out


def _render_flow(stmts: list, depth: int, in_loop: bool) -> str:
    pad = "  " * depth
    out = ""
    for stmt in stmts:
        kind = stmt[0]
        if kind == "fit":
            out += f"{pad}d.SetValidShape(8, 128);\n"
        elif kind == "runtime":
            out += f"{pad}d.SetValidShape(g, 128);\n"
        elif kind == "op":
            out += "".join(f"{pad}{line.strip()}\n" for line in _FLOW_OP.splitlines())
        elif kind == "if":
            out += f"{pad}if (n > {depth}) {{\n{_render_flow(stmt[1], depth + 1, in_loop)}{pad}}}"
            out += f" else {{\n{_render_flow(stmt[2], depth + 1, in_loop)}{pad}}}\n" if stmt[2] is not None else "\n"
        elif kind == "for":
            out += (f"{pad}for (int64_t i{depth} = 0; i{depth} < n; i{depth} += 1) {{\n"
                    f"{_render_flow(stmt[1], depth + 1, True)}{pad}}}\n")
        elif kind == "block":
            out += f"{pad}{{\n{_render_flow(stmt[1], depth + 1, in_loop)}{pad}}}\n"
        elif kind == "own d":
            out += (f"{pad}{{\n{pad}  {DYN} d(16, 128);\n{pad}  TASSIGN(d, 0);\n"
                    f"{_render_flow(stmt[1], depth + 1, in_loop)}{pad}}}\n")
        elif in_loop:       # a jump outside any loop is left out
            out += f"{pad}if (x[{depth}] > 0) {{\n{pad}  {stmt[1]};\n{pad}}}\n"
    return out


def _reaching_shapes(stmts: list, state: frozenset, at_op: set, in_loop: bool) -> tuple:
    """(states after ``stmts``, states at a break, states at a continue) from ``state``: the
    possible last shapes of d ('ctor', 'fit', 'runtime'); ``at_op`` collects those at the op."""
    breaks: set = set()
    continues: set = set()
    for stmt in stmts:
        kind = stmt[0]
        if not state:
            break
        if kind in ("fit", "runtime"):
            state = frozenset([kind])
        elif kind == "op":
            at_op.update(state)
        elif kind == "if":
            then = _reaching_shapes(stmt[1], state, at_op, in_loop)
            orelse = _reaching_shapes(stmt[2], state, at_op, in_loop) if stmt[2] is not None else (state, set(), set())
            state = then[0] | orelse[0]
            breaks |= then[1] | orelse[1]
            continues |= then[2] | orelse[2]
        elif kind == "block":
            state, more_breaks, more_continues = _reaching_shapes(stmt[1], state, at_op, in_loop)
            breaks |= more_breaks
            continues |= more_continues
        elif kind == "own d":
            # Its own d, constructed 16 x 128: the outer d keeps its shape, also where a jump leaves.
            _, inner_breaks, inner_continues = _reaching_shapes(stmt[1], frozenset(["ctor"]), at_op, in_loop)
            breaks |= state if inner_breaks else set()
            continues |= state if inner_continues else set()
        elif kind == "for":
            head, exits = state, set()
            while True:
                after, loop_breaks, loop_continues = _reaching_shapes(stmt[1], head, at_op, True)
                exits |= loop_breaks
                grown = head | after | loop_continues
                if grown == head:
                    break
                head = grown
            state = head | exits
        elif in_loop:       # (taken on some runs only: the state also goes on)
            (breaks if stmt[1] == "break" else continues).update(state)
    return state, breaks, continues


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_FLOW_PROGRAMS, st.data())
def test_a_barrier_goes_only_where_no_run_time_shape_reaches_the_op(program, data):
    lists = _statement_lists(program, [])
    where = lists[data.draw(st.integers(0, len(lists) - 1))]
    where.insert(data.draw(st.integers(0, len(where))), ("op",))
    at_op: set = set()
    _reaching_shapes(program, frozenset(["ctor"]), at_op, False)
    src = _FLOW_HEAD + f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n" + _render_flow(program, 1, False) + "}\n"
    if "runtime" in at_op:
        assert removed(src) == [False]
