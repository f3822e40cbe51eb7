"""Red team red4: hand-written adversarial kernels against the PIPE_V barrier proof, each hiding an
order two vector ops need behind one construct: jumps (zero-trip loops, break/continue, switch
fall-through, case labels and labels inside #if groups or nested statements, gotos, early returns),
addresses that change per path or iteration (ping-pong phases, ternaries, shadowed and copied tiles,
wrapping and promoted integer arithmetic, loop counters a break leaves behind), helpers (a drain on
some paths only, entry and exit barriers whose callers are not all clean, recursion, function
pointers, lambdas, macros), flag pairs that are no V -> S -> V round trip (reversed, interleaved,
mismatched ids, a set pending from before, through MTE2 without V's wait), mask and raw-intrinsic
code, and kernel entries named elsewhere.

msSanitizer's a2/a3 rule (Ascend/mssanitizer `csrc/race_sanitizer/alg_framework/
single_pipe_race_alg_impl.cpp`): two PIPE_V instructions whose UB bytes overlap race unless a
`pipe_barrier(PIPE_V)` or a flag round trip orders them. Geometry (float 16 x 128 tiles, 8 KiB): a at
UB 0, b at 4096 (a partial overlap), c at 65536 (disjoint); x and y are bound by the case. A line
marked `// NEED` holds a barrier some path needs: it must stay. Of the lines marked `// ONE` (a
caller's barrier and its helper's), at least one must stay. The kernels in REMOVABLE lose a barrier
(the controls: each test can fail), and `// DISJOINT` marks a loop whose counter's exact walk keeps
the tiles apart. Every removal these kernels see was judged by hand against the rule; the ones with
internal and trailing drains also by `run --verify-trace` (tests/trace/test_internal_drain_trace.py).
"""
from __future__ import annotations

import re

import pytest

from ptofix.api import fix_cpp

T = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>"
HEAD = '#include "pto/pto-inst.hpp"\nusing namespace pto;\n\n'


def k(body: str, helpers: str = "", params: str = "__gm__ float* v1, int32_t n, int32_t m") -> str:
    """A kernel entry with the tiles a, b, c bound and x, y declared, drained before and after ``body``."""
    return (HEAD + helpers + f"__global__ AICORE void kern({params}) {{\n"
            f"  {T} a;\n  TASSIGN(a, 0);\n  {T} b;\n  TASSIGN(b, 4096);\n  {T} c;\n  TASSIGN(c, 65536);\n"
            f"  {T} x;\n  {T} y;\n"
            "  pipe_barrier(PIPE_ALL);\n" + body + "  pipe_barrier(PIPE_ALL);\n}\n")


C: dict[str, str] = {}
C["if_one_arm_drain"] = k("  TADD(a, a, a);\n  if (n) {\n    pipe_barrier(PIPE_V);\n  }\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["loop_zero_trip_drain"] = k("  TADD(a, a, a);\n  for (int64_t i = 0; i < n; i += 1) {\n    pipe_barrier(PIPE_V);\n    TMUL(c, c, c);\n  }\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["loop_const_zero_trip"] = k("  const int64_t z = 0;\n  TADD(a, a, a);\n  for (int64_t i = 0; i < z; i += 1) {\n    pipe_barrier(PIPE_V);\n    TMUL(c, c, c);\n  }\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["loop_break_before_drain"] = k("  TADD(a, a, a);\n  for (int64_t i = 0; i < 4; i += 1) {\n    if (n) break;\n    pipe_barrier(PIPE_V);\n    TMUL(c, c, c);\n  }\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["loop_continue_skips"] = k("  for (int64_t i = 0; i < 4; i += 1) {\n    TADD(a, a, a);\n    if (n) continue;\n    pipe_barrier(PIPE_V);\n    TMUL(c, c, c);\n  }\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["while_break"] = k("  TADD(a, a, a);\n  while (n > 0) {\n    n = n - 1;\n    if (m) break;\n    pipe_barrier(PIPE_V);\n  }\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["do_while"] = k("  TADD(a, a, a);\n  do {\n    if (m) break;\n    pipe_barrier(PIPE_V);\n  } while (n);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["switch_fallthrough"] = k("  TADD(a, a, a);\n  switch (n) {\n  case 0:\n    pipe_barrier(PIPE_V);\n  case 1:\n    TMUL(c, c, c);\n    break;\n  }\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["switch_no_default"] = k("  TADD(a, a, a);\n  switch (n) {\n  case 0:\n    pipe_barrier(PIPE_V);\n    break;\n  case 1:\n    pipe_barrier(PIPE_V);\n    break;\n  }\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["switch_default_breaks_early"] = k("  TADD(a, a, a);\n  switch (n) {\n  default:\n    if (m) break;\n    pipe_barrier(PIPE_V);\n    break;\n  }\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["early_return_in_if"] = k("  TADD(a, a, a);\n  if (n) {\n    pipe_barrier(PIPE_V);\n    TMUL(c, c, c);\n    return;\n  }\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["goto_skips_drain"] = k("  TADD(a, a, a);\n  if (n) goto label1;\n  pipe_barrier(PIPE_V);\nlabel1:\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["goto_back_loop"] = k("  int64_t i = 0;\nlabel2:\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(c, c, c);\n  i = i + 1;\n  if (i < n) goto label2;\n  TMUL(b, b, b);\n")
C["nested_inner_barrier_only_order"] = k("  for (int64_t i = 0; i < n; i += 1) {\n    TMUL(b, b, b);\n    for (int64_t j = 0; j < m; j += 1) {\n      pipe_barrier(PIPE_V); // NEED\n      TMUL(c, c, c);\n    }\n    TADD(a, a, a);\n  }\n")
C["ternary_ops"] = k("  TADD(a, a, a);\n  n ? TMUL(c, c, c) : TMUL(b, b, b);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["andand_op"] = k("  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  (void)(n && (TMUL(b, b, b), true));\n")
C["op_in_for_step"] = k("  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  for (int64_t i = 0; i < n; TMUL(b, b, b), i += 1) {\n  }\n")
C["op_as_init"] = k("  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  auto ev = TMUL(b, b, b);\n  (void)ev;\n")
C["ifdef_drain"] = k("  TADD(a, a, a);\n#ifdef FASTPATH\n  pipe_barrier(PIPE_V);\n#endif\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["ifdef_else_op"] = k("  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n#ifdef FASTPATH\n  TMUL(c, c, c);\n#else\n  TMUL(b, b, b);\n#endif\n")
C["define_barrier_away"] = "#define pipe_barrier(x)\n" + k("  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["tassign_after_op_in_loop_if"] = k("  TASSIGN(x, 0);\n  TASSIGN(y, 8192);\n  for (int64_t i = 0; i < n; i += 1) {\n    TADD(x, x, x);\n    pipe_barrier(PIPE_V); // NEED\n    TMUL(y, y, y);\n    if (m) {\n      TASSIGN(x, 8192);\n    }\n  }\n")
C["tassign_nested_inner"] = k("  TASSIGN(x, 0);\n  TASSIGN(y, 8192);\n  for (int64_t i = 0; i < n; i += 1) {\n    TADD(x, x, x);\n    pipe_barrier(PIPE_V); // NEED\n    TMUL(y, y, y);\n    for (int64_t j = 0; j < m; j += 1) {\n      TASSIGN(x, 8192);\n    }\n  }\n")
C["tassign_skipped_by_continue"] = k("  TASSIGN(y, 8192);\n  for (int64_t i = 0; i < n; i += 1) {\n    TASSIGN(x, 0);\n    if (m) continue;\n    TASSIGN(x, 8192);\n    pipe_barrier(PIPE_V);\n  }\n  TADD(y, y, y);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(x, x, x);\n")
C["tassign_skipped_by_break"] = k("  TASSIGN(y, 8192);\n  for (int64_t i = 0; i < n; i += 1) {\n    TASSIGN(x, 0);\n    if (m) break;\n    TASSIGN(x, 8192);\n  }\n  TADD(y, y, y);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(x, x, x);\n")
C["pingpong_xor"] = k("  int64_t ph = 0;\n  TASSIGN(y, 0);\n  for (int64_t i = 0; i < n; i += 1) {\n    TASSIGN(x, ph);\n    TADD(x, x, x);\n    pipe_barrier(PIPE_V); // NEED\n    TMUL(y, y, y);\n    ph = ph ^ 8192;\n  }\n")
C["pingpong_xor_assign"] = k("  int64_t ph = 8192;\n  TASSIGN(y, 0);\n  for (int64_t i = 0; i < n; i += 1) {\n    TASSIGN(x, ph);\n    TADD(x, x, x);\n    pipe_barrier(PIPE_V); // NEED\n    TMUL(y, y, y);\n    ph ^= 8192;\n  }\n")
C["ternary_addr"] = k("  TASSIGN(y, 0);\n  TASSIGN(x, m ? 8192 : 0);\n  TADD(x, x, x);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(y, y, y);\n")
C["cross_iteration_swap"] = k("  for (int64_t i = 0; i < 2; i += 1) {\n    TASSIGN(x, i * 8192);\n    TASSIGN(y, 8192 - i * 8192);\n    TADD(x, x, x);\n    pipe_barrier(PIPE_V); // NEED\n    TMUL(y, y, y);\n  }\n")
C["cross_iteration_swap_var"] = k("  int64_t p = 0;\n  int64_t q = 8192;\n  for (int64_t i = 0; i < 2; i += 1) {\n    TASSIGN(x, p);\n    TASSIGN(y, q);\n    TADD(x, x, x);\n    pipe_barrier(PIPE_V); // NEED\n    TMUL(y, y, y);\n    int64_t t = p;\n    p = q;\n    q = t;\n  }\n")
C["induction_from_param"] = k("  TASSIGN(y, 0);\n  for (int64_t i = n; i < n + 2; i += 1) {\n    TASSIGN(x, i * 8192);\n    TADD(x, x, x);\n  }\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(y, y, y);\n")
C["wrap32_addr"] = k("  TASSIGN(y, 0);\n  uint32_t q = 4294967295u;\n  q = q + 1;\n  TASSIGN(x, q);\n  TADD(x, x, x);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(y, y, y);\n")
C["uint16_wrap"] = k("  TASSIGN(y, 0);\n  uint16_t q = 65535;\n  q = q + 1;\n  TASSIGN(x, q);\n  TADD(x, x, x);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(y, y, y);\n")
C["uint8_loop_wrap"] = k("  TASSIGN(y, 0);\n  for (uint8_t i = 250; i != 2; i += 1) {\n    TASSIGN(x, 8192 + i * 32);\n    TADD(x, x, x);\n  }\n  pipe_barrier(PIPE_V); // DISJOINT\n  TMUL(y, y, y);\n")
C["char_signed"] = k("  TASSIGN(y, 0);\n  char q = 200;\n  int64_t r = 8192 + q * 32;\n  TASSIGN(x, r);\n  TADD(x, x, x);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(y, y, y);\n")
C["div_trunc_neg"] = k("  TASSIGN(y, 0);\n  int64_t q = -8191 / 2;\n  q = q + 8192;\n  TASSIGN(x, q);\n  TADD(x, x, x);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(y, y, y);\n")
C["global_addr2"] = k("  TASSIGN(y, 0);\n  setg();\n  TASSIGN(x, g_off);\n  TADD(x, x, x);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(y, y, y);\n", helpers="static int64_t g_off = 8192;\nstatic AICORE void setg() { g_off = 0; }\n")
C["nested_scope_shadow"] = k("  TASSIGN(y, 0);\n  int64_t q = 8192;\n  {\n    int64_t q = 0;\n    TASSIGN(x, q);\n  }\n  TADD(x, x, x);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(y, y, y);\n")
C["for_init_shadow"] = k("  TASSIGN(y, 0);\n  int64_t q = 8192;\n  for (int64_t q = 0; q < 1; q += 1) {\n    TASSIGN(x, q);\n  }\n  TADD(x, x, x);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(y, y, y);\n")
C["counter_break_value"] = k("  TASSIGN(y, 0);\n  for (int64_t i = 2; i < 4; i += 1) {\n    TASSIGN(x, i * 4096);\n    if (m) break;\n  }\n  TADD(x, x, x);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(y, y, y);\n")
C["counter_over64"] = k("  TASSIGN(y, 0);\n  for (int64_t i = 200; i >= 0; i -= 1) {\n    TASSIGN(x, 8192 - i * 32 + 6400);\n    TADD(x, x, x);\n  }\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(y, y, y);\n")
C["counter_unsigned_down"] = k("  TASSIGN(y, 0);\n  for (uint32_t i = 2; i >= 1; i -= 1) {\n    TASSIGN(x, 8192 + (i - 1) * 4096);\n    TADD(x, x, x);\n  }\n  pipe_barrier(PIPE_V); // DISJOINT\n  TMUL(y, y, y);\n")
H_OP = f"static AICORE inline void vop({T}& t) {{\n  TMUL(t, t, t);\n}}\n"
H_MAYBE = "static AICORE inline void maybe_drain(int32_t n) {\n  if (n) {\n    pipe_barrier(PIPE_V);\n  }\n}\n"
C["helper_maybe_drain"] = k("  TADD(a, a, a);\n  maybe_drain(n);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n", helpers=H_MAYBE)
H_RET = "static AICORE inline void early(int32_t n) {\n  if (n) return;\n  pipe_barrier(PIPE_V);\n}\n"
C["helper_early_return"] = k("  TADD(a, a, a);\n  early(n);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n", helpers=H_RET)
H_DRAIN = "static AICORE inline void drain() {\n  pipe_barrier(PIPE_V);\n}\n"
H_LOOPDRAIN = "static AICORE inline void ldrain(int32_t n) {\n  for (int32_t i = 0; i < n; i += 1) {\n    pipe_barrier(PIPE_V);\n  }\n}\n"
C["helper_loop_drain"] = k("  TADD(a, a, a);\n  ldrain(n);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n", helpers=H_LOOPDRAIN)
H_ENTRY = f"static AICORE inline void useb({T}& t) {{\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(t, t, t);\n}}\n"
C["helper_entry_barrier"] = k("  TADD(a, a, a);\n  useb(b);\n", helpers=H_ENTRY)
H_EXIT = f"static AICORE inline void wr({T}& t) {{\n  TMUL(t, t, t);\n  pipe_barrier(PIPE_V); // NEED\n}}\n"
H_ADDR = f"static AICORE inline void at(int64_t addr) {{\n  {T} t;\n  TASSIGN(t, addr);\n  TMUL(t, t, t);\n}}\n"
H_EXIT2 = f"static AICORE inline void wr2({T}& t) {{\n  TMUL(t, t, t);\n  pipe_barrier(PIPE_V); // NEED\n}}\n"
H_REC = f"static AICORE void rec({T}& t, int32_t d) {{\n  TMUL(t, t, t);\n  if (d > 0) {{\n    pipe_barrier(PIPE_V); // NEED\n    rec(t, d - 1);\n  }}\n}}\n"
C["recursion"] = k("  rec(a, n);\n", helpers=H_REC)
H_FP = f"static AICORE void fa({T}& t) {{\n  TMUL(t, t, t);\n}}\n"
C["function_pointer"] = k(f"  void (*fp)({T}&) = fa;\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  fp(b);\n", helpers=H_FP)
C["lambda_op"] = k("  auto f = [&]() { TMUL(b, b, b); };\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  f();\n")
C["macro_op"] = "#define DO_MUL(t) TMUL(t, t, t)\n" + k("  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  DO_MUL(b);\n")
H_TPL = "template <typename TT>\nstatic AICORE inline void tv(TT& t) {\n  TMUL(t, t, t);\n}\n"
H_TPL_B = "template <typename TT>\nstatic AICORE inline void tvb(TT& t) {\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(t, t, t);\n}\n"
C["template_helper_entry"] = k("  TADD(a, a, a);\n  tvb(b);\n", helpers=H_TPL_B)
H_NONSTATIC = f"AICORE inline void ns({T}& t) {{\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(t, t, t);\n}}\n"
H_INLINE_NS = f"namespace {{\nAICORE inline void anon({T}& t) {{\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(t, t, t);\n}}\n}}\n"
H_REF = f"static AICORE inline {T}& pick({T}& p, {T}& q, int32_t n) {{\n  return n ? p : q;\n}}\n"
C["ref_returning_helper"] = k("  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(pick(c, b, n), c, c);\n", helpers=H_REF)
H_VAL = "static AICORE inline int64_t addr_of(int32_t n) {\n  return n ? 65536 : 4096;\n}\n"
H_VAL2 = "static AICORE inline int64_t addr_of2() {\n  return 4096;\n}\n"
H_OUT = "static AICORE inline void setq(int64_t& q) {\n  q = 4096;\n}\n"
C["addr_out_param"] = k("  int64_t q = 65536;\n  setq(q);\n  TASSIGN(x, q);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(x, x, x);\n", helpers=H_OUT)
H_TILE_OUT = f"static AICORE inline void bindt({T}& t) {{\n  TASSIGN(t, 4096);\n}}\n"
C["tile_bound_in_helper"] = k("  TASSIGN(x, 65536);\n  bindt(x);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(x, x, x);\n", helpers=H_TILE_OUT)
HE = f"static AICORE inline void useb({T}& t) {{\n  pipe_barrier(PIPE_V); // ONE\n  TMUL(t, t, t);\n}}\n"
C["entry_vs_caller"] = k("  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // ONE\n  useb(b);\n", helpers=HE)
C["entry_vs_caller_loop"] = k("  for (int32_t i = 0; i < n; i += 1) {\n    TADD(a, a, a);\n    pipe_barrier(PIPE_V); // ONE\n    useb(b);\n  }\n", helpers=HE)
C["entry_two_calls_b"] = k("  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // ONE\n  useb(c);\n  useb(b);\n", helpers=HE)
HX = f"static AICORE inline void wr({T}& t) {{\n  TMUL(t, t, t);\n  pipe_barrier(PIPE_V); // ONE\n}}\n"
C["exit_vs_caller"] = k("  wr(a);\n  pipe_barrier(PIPE_V); // ONE\n  TADD(b, b, b);\n", helpers=HX)
C["exit_two_calls_loop"] = k("  for (int32_t i = 0; i < n; i += 1) {\n    wr(a);\n    wr(c);\n  }\n  pipe_barrier(PIPE_V);\n  TADD(b, b, b);\n", helpers=HX)
HM = f"static AICORE inline void mid({T}& t, {T}& u) {{\n  TMUL(t, t, t);\n  pipe_barrier(PIPE_V); // ONE\n  TMUL(u, u, u);\n}}\n"
HI = f"static AICORE inline void inner({T}& t) {{\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(t, t, t);\n}}\nstatic AICORE inline void outer({T}& s, {T}& t) {{\n  TADD(s, s, s);\n  inner(t);\n}}\n"
C["nested_helpers"] = k("  outer(a, b);\n", helpers=HI)
HI2 = f"static AICORE inline void inner2({T}& t) {{\n  pipe_barrier(PIPE_V); // ONE\n  TMUL(t, t, t);\n}}\nstatic AICORE inline void outer2({T}& t) {{\n  inner2(t);\n}}\n"
C["nested_helpers_caller_work"] = k("  TADD(a, a, a);\n  outer2(b);\n", helpers=HI2)
C["nested_helpers_caller_work_drained"] = k("  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // ONE\n  outer2(b);\n", helpers=HI2)
HR = f"static AICORE inline int32_t wrv({T}& t) {{\n  TMUL(t, t, t);\n  return 1;\n}}\n"
HF = "static AICORE inline void rt(int32_t n) {\n  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  if (n) return;\n  set_flag(PIPE_S, PIPE_V, EVENT_ID0);\n  wait_flag(PIPE_S, PIPE_V, EVENT_ID0);\n}\n"
C["helper_roundtrip_partial"] = k("  TADD(a, a, a);\n  rt(n);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n", helpers=HF)
VS = "  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);\n"
SV = "  set_flag(PIPE_S, PIPE_V, EVENT_ID1);\n  wait_flag(PIPE_S, PIPE_V, EVENT_ID1);\n"
C["rt_control"] = k("  TADD(a, a, a);\n" + VS + SV + "  pipe_barrier(PIPE_V); // CONTROL\n  TMUL(b, b, b);\n")
C["rt_reversed"] = k("  TADD(a, a, a);\n" + SV + VS + "  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["rt_interleaved"] = k("  TADD(a, a, a);\n  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  set_flag(PIPE_S, PIPE_V, EVENT_ID1);\n  wait_flag(PIPE_S, PIPE_V, EVENT_ID1);\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["rt_interleaved2"] = k("  TADD(a, a, a);\n  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  set_flag(PIPE_S, PIPE_V, EVENT_ID1);\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  wait_flag(PIPE_S, PIPE_V, EVENT_ID1);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["rt_mismatched_id"] = k("  TADD(a, a, a);\n  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID2);\n" + SV + "  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  set_flag(PIPE_V, PIPE_S, EVENT_ID2);\n")
C["rt_prior_pending_set"] = k("  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  TADD(a, a, a);\n  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);\n" + SV + "  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);\n")
C["rt_wait_before_set"] = k("  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  TADD(a, a, a);\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n" + SV + "  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);\n")
C["rt_sv_pending"] = k("  set_flag(PIPE_S, PIPE_V, EVENT_ID1);\n  TADD(a, a, a);\n" + VS + "  set_flag(PIPE_S, PIPE_V, EVENT_ID1);\n  wait_flag(PIPE_S, PIPE_V, EVENT_ID1);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n  wait_flag(PIPE_S, PIPE_V, EVENT_ID1);\n")
C["rt_vs_in_branch"] = k("  TADD(a, a, a);\n  if (n) {\n" + VS + "  }\n" + SV + "  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["rt_mte2_not_waiting_v"] = k("  TADD(a, a, a);\n  set_flag(PIPE_V, PIPE_MTE2, EVENT_ID0);\n  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);\n  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n  wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID0);\n")
C["rt_loop_pending"] = k("  for (int32_t i = 0; i < n; i += 1) {\n    TADD(a, a, a);\n    set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n    if (m) continue;\n    wait_flag(PIPE_V, PIPE_S, EVENT_ID0);\n" + SV + "    pipe_barrier(PIPE_V); // NEED\n    TMUL(b, b, b);\n  }\n")
C["rt_entry_pending"] = k("  TADD(a, a, a);\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);\n" + SV + "  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n")
C["rt_ops_between_vs_sv"] = k("  TADD(a, a, a);\n" + VS + "  TMUL(b, b, b);\n" + SV + "  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["mask_count_before_op"] = k("  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  set_mask_count();\n  set_vector_mask(0, 4096);\n  TMUL(c, c, c);\n  set_mask_norm();\n")
C["raw_vadd"] = k("  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  vadd((__ubuf__ float*)4096, (__ubuf__ float*)4096, (__ubuf__ float*)4096, 1, 1, 1, 1, 8, 8, 8);\n")
C["raw_vadd_before"] = k("  vadd((__ubuf__ float*)4096, (__ubuf__ float*)4096, (__ubuf__ float*)4096, 1, 1, 1, 1, 8, 8, 8);\n  pipe_barrier(PIPE_V); // NEED\n  TADD(a, a, a);\n")
C["define_pipe_v"] = "#define PIPE_V PIPE_MTE2\n" + k("  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["define_tassign"] = "#define TASSIGN(t, x) pto::TASSIGN(t, 4096)\n" + k("  TASSIGN(x, 65536);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(x, x, x);\n")
C["define_number_later"] = "#define OFF 65536\n" + k("#undef OFF\n#define OFF 4096\n  TASSIGN(x, OFF);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(x, x, x);\n")
C["ifdef_tassign"] = k("#ifdef FOO\n  TASSIGN(x, 65536);\n#else\n  TASSIGN(x, 4096);\n#endif\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(x, x, x);\n")
C["if_zero_tassign2"] = k("  TASSIGN(x, 4096);\n#if 0\n  TASSIGN(x, 65536);\n#endif\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(x, x, x);\n")
C["if_macro_value"] = "#define MODE 2\n" + k("#if MODE == 2\n  TASSIGN(x, 4096);\n#else\n  TASSIGN(x, 65536);\n#endif\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(x, x, x);\n")
C["shadow_inner_tile"] = k(f"  TASSIGN(x, 65536);\n  {{\n    {T} x;\n    TASSIGN(x, 0);\n    TADD(x, x, x);\n  }}\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["shadow_inner_tile2"] = k(f"  TASSIGN(x, 0);\n  {{\n    {T} x;\n    TASSIGN(x, 65536);\n  }}\n  TADD(x, x, x);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["shadow_for_tile"] = k(f"  TASSIGN(x, 65536);\n  for (int32_t i = 0; i < n; i += 1) {{\n    {T} x;\n    TASSIGN(x, 0);\n    TADD(x, x, x);\n  }}\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["tile_copy_assign_in_if"] = k("  TASSIGN(x, 65536);\n  if (n) x = b;\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(x, x, x);\n")
C["tile_array"] = k(f"  {T} arr[2];\n  TASSIGN(arr[0], 65536);\n  TASSIGN(arr[1], 4096);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(arr[n], arr[n], arr[n]);\n")
C["tile_ref"] = k(f"  {T}& r = x;\n  TASSIGN(x, 65536);\n  TASSIGN(r, 4096);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(x, x, x);\n")
C["addr_from_data"] = k("  TASSIGN(x, (uint64_t) b.data());\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(x, x, x);\n")
C["tile_assignData"] = k("  TASSIGN(x, 65536);\n  x.assignData((__ubuf__ float*) 4096);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(x, x, x);\n")
C["valid_shape_dyn_huge"] = k("  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, -1, -1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> d(n, m);\n  TASSIGN(d, 8192);\n  d.SetValidShape(32, 128);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED (valid 32 rows run past the 16-row tile)\n  TMUL(d, d, d);\n")
C["case_in_ifdef"] = k("  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  switch (n) {\n  case 0:\n    pipe_barrier(PIPE_V);\n#ifdef X\n  case 1:\n#endif\n    TMUL(b, b, b);\n  }\n")
C["case_in_if1"] = k("  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  switch (n) {\n  case 0:\n    pipe_barrier(PIPE_V);\n#if 1\n  case 1:\n#endif\n    TMUL(b, b, b);\n  }\n")
C["default_in_ifdef"] = k("  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  switch (n) {\n  case 0:\n    pipe_barrier(PIPE_V);\n#ifndef X\n  default:\n#endif\n    TMUL(b, b, b);\n  }\n")
C["label_in_ifdef"] = k("  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  if (n) goto label1;\n  pipe_barrier(PIPE_V);\n#ifndef X\nlabel1:\n#endif\n  TMUL(b, b, b);\n")
C["break_in_ifdef"] = k("  for (int32_t i = 0; i < n; i += 1) {\n    TADD(a, a, a);\n#ifdef X\n    if (m) break;\n#endif\n    pipe_barrier(PIPE_V);\n  }\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["return_in_ifdef"] = k("  TADD(a, a, a);\n#ifdef X\n  if (m) return;\n#endif\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["case_in_nested_if"] = k("  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  switch (n) {\n  case 0:\n    pipe_barrier(PIPE_V);\n    if (m) {\n  case 1:\n      TMUL(b, b, b);\n    }\n  }\n")
C["case_in_for"] = k("  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  switch (n) {\n  case 0:\n    pipe_barrier(PIPE_V);\n    for (int32_t i = 0; i < m; i += 1) {\n  case 1:\n      TMUL(b, b, b);\n    }\n  }\n")
C["case_in_braceless_if"] = k("  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  switch (n) {\n  case 0:\n    pipe_barrier(PIPE_V);\n    if (m)\n  case 1:\n      TMUL(b, b, b);\n  }\n")
C["case_after_label"] = k("  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  switch (n) {\n  case 0:\n    pipe_barrier(PIPE_V);\n  label1:\n  case 1:\n    TMUL(b, b, b);\n  }\n")
C["asm_write"] = k("  int64_t q = 65536;\n  asm volatile(\"\" : \"=r\"(q));\n  TASSIGN(x, q);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(x, x, x);\n")
C["structured_binding"] = k("  int64_t q = 65536;\n  int64_t arr[2] = {4096, 4096};\n  auto [q2, r2] = arr;\n  TASSIGN(x, q2);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(x, x, x);\n")
C["range_for"] = k("  int64_t arr[2] = {4096, 65536};\n  for (int64_t q : arr) {\n    TASSIGN(x, q);\n    TADD(a, a, a);\n    pipe_barrier(PIPE_V); // NEED\n    TMUL(x, x, x);\n  }\n")
C["for_step_var"] = k("  int64_t s = 8192;\n  for (int64_t i = 65536; i < 81920; i += s) {\n    TASSIGN(x, i - 61440);\n    TADD(a, a, a);\n    pipe_barrier(PIPE_V); // NEED\n    TMUL(x, x, x);\n    s = 4096;\n  }\n")
C["for_cond_var2"] = k("  int64_t lim = 16385;\n  for (int64_t i = 16384; i < lim; i += 8192) {\n    TASSIGN(x, i);\n    TADD(a, a, a);\n    pipe_barrier(PIPE_V); // NEED\n    TMUL(x, x, x);\n    lim = 32768;\n  }\n")
C["array_elem"] = k("  int64_t arr[2] = {65536, 65536};\n  arr[n] = 4096;\n  TASSIGN(x, arr[0]);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(x, x, x);\n")
C["struct_member"] = k("  struct { int64_t q; } s;\n  s.q = 65536;\n  int64_t* p = &s.q;\n  *p = 4096;\n  TASSIGN(x, s.q);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(x, x, x);\n")
C["int_promotion_short"] = k("  int16_t q = 32767;\n  int64_t r = q + 1;\n  TASSIGN(x, r - 28672);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(x, x, x);\n")
C["uint_neg"] = k("  uint32_t q = -4096;\n  uint64_t r = (uint64_t) q + 8192 - 4294967296ull;\n  TASSIGN(x, r);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(x, x, x);\n")
C["signed_shift"] = k("  int64_t q = -1;\n  uint64_t r = ((uint64_t) q >> 52);\n  TASSIGN(x, r);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(x, x, x);\n")
C["mixed_sign_compare_ternary"] = k("  int32_t q = -1;\n  uint32_t u = 1;\n  int64_t r = (q < u) ? 65536 : 4096;\n  TASSIGN(x, r);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(x, x, x);\n")
C["shortcircuit"] = k("  int64_t q = 65536;\n  bool t = (n > 100) && ((q = 4096) != 0);\n  TASSIGN(x, q);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(x, x, x);\n")
HX = f"static AICORE inline void wr({T}& t) {{\n  TMUL(t, t, t);\n  pipe_barrier(PIPE_V); // NEED\n}}\n"
C["exit_loop_tail"] = k("  for (int32_t i = 0; i < n; i += 1) {\n    pipe_barrier(PIPE_V);\n    TMUL(c, c, c);\n    wr(a);\n  }\n  TMUL(b, b, b);\n", helpers=HX)
C["exit_switch_fall"] = k("  switch (n) {\n  case 0:\n    wr(a);\n  case 1:\n    TMUL(b, b, b);\n  }\n", helpers=HX)
C["exit_goto"] = k("  wr(a);\n  if (n) goto label1;\n  pipe_barrier(PIPE_V);\nlabel1:\n  TMUL(b, b, b);\n", helpers=HX)
C["exit_break"] = k("  for (int32_t i = 0; i < n; i += 1) {\n    wr(a);\n    if (m) break;\n    pipe_barrier(PIPE_V);\n  }\n  TMUL(b, b, b);\n", helpers=HX)
C["exit_early_return_helper"] = k("  wr2(a, n);\n  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n", helpers=f"static AICORE inline void wr2({T}& t, int32_t n) {{\n  TMUL(t, t, t);\n  if (n) return;\n  pipe_barrier(PIPE_V); // NEED-ish\n}}\n")
HE = f"static AICORE inline void rd({T}& t) {{\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(t, t, t);\n}}\n"
C["entry_loop_head"] = k("  for (int32_t i = 0; i < n; i += 1) {\n    rd(b);\n    TADD(a, a, a);\n    if (m) continue;\n    pipe_barrier(PIPE_V);\n  }\n", helpers=HE)
C["entry_after_switch"] = k("  switch (n) {\n  case 0:\n    pipe_barrier(PIPE_V);\n    break;\n  case 1:\n    TADD(a, a, a);\n  }\n  rd(b);\n", helpers=HE)
C["entry_two_kernels"] = k("  pipe_barrier(PIPE_V);\n  rd(b);\n", helpers=HE) + f"__global__ AICORE void kern2(int32_t n) {{\n  {T} a;\n  TASSIGN(a, 0);\n  {T} b;\n  TASSIGN(b, 4096);\n  TADD(a, a, a);\n  rd(b);\n}}\n"
C["entry_called_in_for_step"] = k("  for (int32_t i = 0; i < n; i += rdv(b)) {\n    TADD(a, a, a);\n  }\n", helpers=f"static AICORE inline int32_t rdv({T}& t) {{\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(t, t, t);\n  return 1;\n}}\n")
C["entry_called_in_return_value"] = k("  TADD(a, a, a);\n  return wrap(b);\n", helpers=f"static AICORE inline void rdx({T}& t) {{\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(t, t, t);\n}}\nstatic AICORE inline void wrap({T}& t) {{\n  return rdx(t);\n}}\n")
E = f"  {T} a;\n  TASSIGN(a, 0);\n  {T} b;\n  TASSIGN(b, 4096);\n"
C["template_global_entry"] = HEAD + f"template <int N>\n__global__ AICORE void kern(int32_t n) {{\n{E}  pipe_barrier(PIPE_V); // NEED (no clean entry known)\n  TMUL(b, b, b);\n}}\ntemplate __global__ AICORE void kern<1>(int32_t);\n"
C["entry_head_barrier"] = HEAD + f"__global__ AICORE void kern(int32_t n) {{\n{E}  pipe_barrier(PIPE_V); // clean entry: removable\n  TMUL(b, b, b);\n}}\n"
C["entry_overloads"] = HEAD + f"__global__ AICORE void kern(int32_t n) {{\n{E}  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n}}\n__global__ AICORE void kern(int32_t n, int32_t m) {{\n{E}  TADD(a, a, a);\n  kern(n);\n}}\n"
C["entry_fn_ptr_taken"] = HEAD + f"__global__ AICORE void kern(int32_t n) {{\n{E}  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n}}\nAICORE void other() {{\n{E}  TADD(a, a, a);\n  auto f = &kern;\n  f(0);\n}}\n"
C["entry_friend_call_ns"] = HEAD + f"namespace nsx {{\n__global__ AICORE void kern(int32_t n) {{\n{E}  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n}}\n}}\nAICORE void other() {{\n{E}  TADD(a, a, a);\n  nsx::kern(0);\n}}\n"
C["entry_reference_alias"] = HEAD + f"__global__ AICORE void kern(int32_t n) {{\n{E}  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n}}\nstatic auto& kref = kern;\nAICORE void other() {{\n{E}  TADD(a, a, a);\n  kref(0);\n}}\n"
C["entry_paren_call"] = HEAD + f"__global__ AICORE void kern(int32_t n) {{\n{E}  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n}}\nAICORE void other() {{\n{E}  TADD(a, a, a);\n  (kern)(0);\n}}\n"
# Constant conditions: the proof follows both ways of every condition (no branch is pruned).
C["if_const_zero"] = k("  const int32_t z = 0;\n  TADD(a, a, a);\n  if (z) {\n    pipe_barrier(PIPE_V);\n  }\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["if_const_else"] = k("  const int32_t z = 0;\n  TADD(a, a, a);\n  if (z == 0) {\n  } else {\n    pipe_barrier(PIPE_V);\n  }\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["while_const_zero"] = k("  const int32_t z = 0;\n  TADD(a, a, a);\n  while (z) {\n    pipe_barrier(PIPE_V);\n  }\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["switch_const"] = k("  const int32_t z = 0;\n  TADD(a, a, a);\n  switch (z) {\n  case 1:\n    pipe_barrier(PIPE_V);\n    break;\n  default:\n    break;\n  }\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["while_true_break"] = k("  TADD(a, a, a);\n  while (true) {\n    if (n) break;\n    pipe_barrier(PIPE_V);\n    break;\n  }\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["for_ever_break"] = k("  TADD(a, a, a);\n  for (;;) {\n    if (n) break;\n    pipe_barrier(PIPE_V);\n    break;\n  }\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["if_var_reassigned"] = k("  int32_t z = 1;\n  TADD(a, a, a);\n  if (n) z = 0;\n  if (z) {\n    pipe_barrier(PIPE_V);\n  }\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["for_const_count_zero"] = k("  TADD(a, a, a);\n  for (int32_t i = 5; i < 5; i += 1) {\n    pipe_barrier(PIPE_V);\n  }\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(b, b, b);\n")
C["ternary_const_cond_addr"] = k("  const int32_t z = 0;\n  TASSIGN(x, z ? 65536 : 4096);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(x, x, x);\n")
# Helpers of one name: overloads, a default argument, a namespace's, a member's, a template's call.
OV = f"static AICORE inline void h({T}& t) {{\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(t, t, t);\n}}\nstatic AICORE inline void h(int32_t q) {{\n}}\n"
C["overload_dirty_tile_clean_int"] = k("  TADD(a, a, a);\n  h(b);\n  pipe_barrier(PIPE_ALL);\n  h(0);\n", helpers=OV)
OV2 = f"static AICORE inline void h(int32_t q) {{\n}}\nstatic AICORE inline void h({T}& t) {{\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(t, t, t);\n}}\n"
C["overload_reversed_order"] = k("  TADD(a, a, a);\n  h(b);\n  pipe_barrier(PIPE_ALL);\n  h(0);\n", helpers=OV2)
OV3 = f"static AICORE inline void h({T}& t, int32_t q = 0) {{\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(t, t, t);\n}}\n"
C["default_arg_helper"] = k("  pipe_barrier(PIPE_ALL);\n  h(b, 1);\n  TADD(a, a, a);\n  h(b);\n", helpers=OV3)
NS = f"namespace q1 {{\nstatic AICORE inline void h({T}& t) {{\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(t, t, t);\n}}\n}}\nstatic AICORE inline void h({T}& t) {{\n  TMUL(t, t, t);\n}}\nusing namespace q1;\n"
C["namespace_same_name"] = k("  TADD(a, a, a);\n  q1::h(b);\n", helpers=NS)
TP = f"static AICORE inline void h({T}& t) {{\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(t, t, t);\n}}\ntemplate <int N>\nstatic AICORE void tw({T}& s, {T}& t) {{\n  TADD(s, s, s);\n  h(t);\n}}\n"
C["helper_called_from_template"] = k("  pipe_barrier(PIPE_ALL);\n  h(b);\n  pipe_barrier(PIPE_ALL);\n  tw<1>(a, b);\n", helpers=TP)
C["helper_called_from_uninstantiated_template"] = k("  pipe_barrier(PIPE_ALL);\n  h(b);\n", helpers=TP)
ST = f"struct S {{\n  AICORE void h({T}& t) {{\n    TMUL(t, t, t);\n  }}\n}};\nstatic AICORE inline void h({T}& t) {{\n  pipe_barrier(PIPE_V); // NEED\n  TMUL(t, t, t);\n}}\n"
C["member_same_name"] = k("  pipe_barrier(PIPE_ALL);\n  h(b);\n  S s;\n  TADD(a, a, a);\n  s.h(b);\n  h(b);\n", helpers=ST)

REMOVABLE = {"rt_control", "entry_head_barrier", "nested_helpers_caller_work_drained", "counter_unsigned_down",
             "uint8_loop_wrap", "case_after_label", "exit_early_return_helper", "entry_vs_caller", "exit_vs_caller"}
NEED = re.compile(r"// NEED(\s|$)")


def decisions(name: str) -> list[tuple[str, str]]:
    """(the barrier's source line, 'removed' or 'kept') for each PIPE_V barrier of the kernel."""
    src = C[name]
    lines = src.split("\n")
    return [(lines[d.line - 1], d.decision) for d in fix_cpp(src, patterns="auto", path=f"{name}.cpp").decisions]


@pytest.mark.parametrize("name", sorted(C))
def test_a_needed_barrier_stays(name):
    found = decisions(name)
    needed = [decision for line, decision in found if NEED.search(line)]
    assert all(decision == "kept" for decision in needed), (found, C[name])
    ones = [decision for line, decision in found if "// ONE" in line]
    assert not ones or "kept" in ones, (found, C[name])


@pytest.mark.parametrize("name", sorted(REMOVABLE))
def test_the_controls_lose_a_barrier(name):
    found = decisions(name)
    assert any(decision == "removed" for _, decision in found), (found, C[name])


def test_every_case_marks_what_it_checks():
    for name, src in C.items():
        assert NEED.search(src) or "// ONE" in src or name in REMOVABLE, name
