"""Fail closed on control flow and scope: callers and jumps the model once read too kindly, state unbound
on some path, constructs outside the statement (scopes, lambdas, loops), code a class or macro runs where the
statement shows only a value, a call or a name, misread declarations, and a for loop's step.

Kernels and geometry as in tests/cpp/test_fail_closed.py: each needed barrier must stay; the controls show
the same kernels lose it when the construct is harmless.
"""
from __future__ import annotations

import pytest
from test_fail_closed import AB, CALLERS, CLEAN_CALLER, DIRTY, HELPER, TILE, _decisions, _pair, removed
from test_fail_closed_chains import COL, F16x128, _chain
from test_fail_closed_op_effects import _tile

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText

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
