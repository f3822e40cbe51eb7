"""Fail closed on hand-written PTO C++: adversaries against the relaxations of issue 57's hand set
(exclusive definitions, template instances, declarator lists, expression macros, plain structs).

Each kernel hides a real conflict across one `pipe_barrier(PIPE_V);  // GUARD` behind one construct:
- a function (or function template) defined in several `#if` groups, with `#elif` chains, `#ifdef`
  against `#if`, headers that `#undef` a command-line macro, include guards, and -D/-U picking an arm;
- a function template instantiated in a way a text scan may miss (a fold over a parameter pack, a
  variable template, a non-type template argument `call<impl<32, 128>>`, a default argument, a
  class template's member, `P::template impl<...>`, namespace aliases, digit separators, ...);
- declarator lists, expression macros (DIV_ROUNDUP-like) and structs of plain scalar members
  (unions, static members, reference members, operators behind macros, member pointers, ...).
Geometry as in tests/cpp/test_fail_closed_hand.py: `a` at UB [0, 8192), `c` at 4096 (overlaps a), `b`
at 65536; template bodies place `a` at 0 and `b` at 8192 (disjoint for <16, 128>, overlapping for
<32, 128>). Every case runs `ptofix run --pattern auto` and `--pattern gu` with the pto-isa
checkout (so macros pto never reads are not a reason to keep anything) and asserts the guard is
kept with a reason; the controls show the same geometry without the adversary loses its barrier,
so these tests can fail. A slow test compiles every case with g++ against pto-isa's host build
(-fsyntax-only): each is valid C++.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from test_fail_closed_hand import ENTRY, GUARD, HEAD, T16, TEMPLATE, TILES, TMN, guard_lines, write

from ptofix.cli import main

PTO_ISA = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "pto-isa", "f35e7f60"))
needs_checkout = pytest.mark.skipif(not os.path.isdir(os.path.join(PTO_ISA, "include")),
                                    reason="../shared/pto-isa/f35e7f60 (the pto-isa checkout) is not present")

# -- templates: instantiations a name scan may miss ------------------------------------------------
TWO = f"{ENTRY} {{\n  impl<16, 128>(x);\n  {{}}\n}}\n"


def second(call: str) -> str:
    """The kernel calling impl<16, 128> (disjoint) and then ``call`` (an overlapping instance)."""
    return f"{ENTRY} {{\n  impl<16, 128>(x);\n{call}}}\n"


TEMPLATE_CASES: dict[str, str] = {
    "fold over a parameter pack":
        TEMPLATE + "template <int... Ms>\nstatic AICORE void all(__gm__ float* x) {\n  (impl<Ms, 128>(x), ...);\n}\n"
        + second("  all<16, 32>(x);\n"),
    "argument from sizeof... of a pack":
        TEMPLATE + "template <typename... Ts>\nstatic AICORE void all(__gm__ float* x) {\n"
        "  impl<sizeof...(Ts) * 16, 128>(x);\n}\n" + second("  all<int, int>(x);\n"),
    "digit separator in the argument": TEMPLATE + second("  impl<3'2, 128>(x);\n"),
    "binary literal with a digit separator": TEMPLATE + second("  impl<0b10'0000, 128>(x);\n"),
    "conditional operator in the argument": TEMPLATE + second("  impl<(16 < 32) ? 32 : 16, 128>(x);\n"),
    "character escape as the argument": TEMPLATE + second("  impl<'\\x20', 128>(x);\n"),
    "narrowing cast wraps the argument": TEMPLATE + second("  impl<(unsigned char)288, 128>(x);\n"),
    "shift by a bool": TEMPLATE + second("  impl<16 << true, 128>(x);\n"),
    "alignof in the argument": TEMPLATE + second("  impl<alignof(double) * 4, 128>(x);\n"),
    "comment inside the argument list": TEMPLATE + second("  impl</*16*/32, 128>(x);\n"),
    "name pasted by a macro": "#define CAT(a, b) a##b\n" + TEMPLATE + second("  CAT(im, pl)<32, 128>(x);\n"),
    "non-type template argument of another template":
        TEMPLATE + "template <void (*F)(__gm__ float*)>\nstatic AICORE void call(__gm__ float* x) {\n  F(x);\n}\n"
        + second("  call<impl<32, 128>>(x);\n"),
    "variable template holding an instance":
        TEMPLATE + "template <int M>\nconstexpr auto fp = impl<M, 128>;\n" + second("  fp<32>(x);\n"),
    "member of a class template":
        TEMPLATE + "template <int M>\nstruct R {\n  static AICORE void go(__gm__ float* x) {\n    impl<M, 128>(x);\n  }\n};\n"
        + second("  R<32>::go(x);\n"),
    "default argument of a helper":
        TEMPLATE + "static AICORE void g(__gm__ float* x, void (*f)(__gm__ float*) = impl<32, 128>) {\n  f(x);\n}\n"
        + second("  g(x);\n"),
    "argument from a local constexpr": TEMPLATE + second("  constexpr int R = 32;\n  impl<R, 128>(x);\n"),
    "argument from a static member":
        "struct S {\n  static constexpr int R = 32;\n};\n" + TEMPLATE + second("  impl<S::R, 128>(x);\n"),
    "argument from an integral_constant":
        TEMPLATE + second("  using R = std::integral_constant<int, 32>;\n  impl<R::value, 128>(x);\n"),
    "auto template parameters": TEMPLATE.replace("template <int M, int N>", "template <auto M, auto N>")
        + second("  impl<32, 128>(x);\n"),
    "decltype of a call to an auto function":
        TEMPLATE.replace("static AICORE void impl", "static AICORE auto impl")
        + second("  using U = decltype(impl<32, 128>(x));\n"),
    "template keyword disambiguation":
        "struct Q {\n" + TEMPLATE.replace("static AICORE", "  static AICORE") + "};\n"
        "template <typename P>\nstatic AICORE void outer(__gm__ float* x) {\n  P::template impl<32, 128>(x);\n}\n"
        + f"{ENTRY} {{\n  Q::impl<16, 128>(x);\n  outer<Q>(x);\n}}\n",
    "returned from a lambda":
        TEMPLATE + second("  auto l = [](__gm__ float* y) { return impl<32, 128>(y); };\n  l(x);\n"),
    "using namespace inside the kernel":
        "namespace A {\n" + TEMPLATE + "}\n" + f"{ENTRY} {{\n  A::impl<16, 128>(x);\n  using namespace A;\n"
        "  impl<32, 128>(x);\n}\n",
    "using-declaration": "namespace A {\n" + TEMPLATE + "}\nusing A::impl;\n"
        + f"{ENTRY} {{\n  A::impl<16, 128>(x);\n  impl<32, 128>(x);\n}}\n",
    "namespace alias": "namespace A {\n" + TEMPLATE + "}\nnamespace B = A;\n"
        + f"{ENTRY} {{\n  A::impl<16, 128>(x);\n  B::impl<32, 128>(x);\n}}\n",
}
# (name -> the -D/-U the run and the compile take)
TEMPLATE_FLAGS: dict[str, tuple[str, ...]] = {}
TEMPLATE_CASES["instance under an #if the command line enables"] = \
    TEMPLATE + second("#if WIDE\n  impl<32, 128>(x);\n#endif\n")
TEMPLATE_FLAGS["instance under an #if the command line enables"] = ("-DWIDE=1",)
TEMPLATE_CASES["instance under an #elif the command line enables"] = \
    TEMPLATE + second("#if 0\n#elif WIDE\n  impl<32, 128>(x);\n#endif\n")
TEMPLATE_FLAGS["instance under an #elif the command line enables"] = ("-DWIDE",)

# -- one function in several #if groups, and overloads the parser must not refuse ----------------
PURE = f"static AICORE void h({T16}& t) {{\n}}\n"
VEC = f"static AICORE void h({T16}& t) {{\n  TMUL(t, t, t);\n}}\n"


def calls_h(pre: str) -> str:
    return HEAD + pre + f"{ENTRY} {{\n{TILES}  TADD(a, a, a);\n  {GUARD}\n  h(c);\n}}\n"


def impl_def(params: str, body: str, head: str = "template <int M, int N>\n") -> str:
    return f"{head}static AICORE void impl({params}) {{\n  {TMN} t;\n  TASSIGN(t, 4096);\n{body}  pipe_barrier(PIPE_ALL);\n}}\n"


def helper_def(params: str, body: str) -> str:
    return f"static AICORE void h({params}) {{\n  {T16} t;\n  TASSIGN(t, 4096);\n{body}  pipe_barrier(PIPE_ALL);\n}}\n"


NOTHING = "  pipe_barrier(PIPE_ALL);\n"
MUL = "  TMUL(t, t, t);\n"
CALL_IMPL = f"{ENTRY} {{\n{TILES}  TADD(a, a, a);\n  {GUARD}\n  impl<16, 128>(x);\n}}\n"
CALL_H = f"{ENTRY} {{\n{TILES}  TADD(a, a, a);\n  {GUARD}\n  h(x);\n}}\n"
PLAIN_MUL = f"static AICORE void impl(__gm__ float* x) {{\n  {T16} t;\n  TASSIGN(t, 4096);\n{MUL}  pipe_barrier(PIPE_ALL);\n}}\n"

# name -> (files, flags); the kernel is k.cpp.
GROUP_CASES: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    "a header #undefs the command line's macro": (
        {"k.cpp": calls_h('#include "h.h"\n#ifdef USE_FAST\n' + PURE + "#else\n" + VEC + "#endif\n"),
         "h.h": "#pragma once\n#undef USE_FAST\n"}, ("-DUSE_FAST",)),
    "a header redefines the command line's macro as 0": (
        {"k.cpp": calls_h('#include "h.h"\n#if USE_FAST\n' + PURE + "#else\n" + VEC + "#endif\n"),
         "h.h": "#pragma once\n#undef USE_FAST\n#define USE_FAST 1\n#undef USE_FAST\n#define USE_FAST 0\n"},
        ("-DUSE_FAST=1",)),
    "a header defines the macro the command line undefines": (
        {"k.cpp": calls_h('#include "h.h"\n#ifndef USE_FAST\n' + PURE + "#else\n" + VEC + "#endif\n"),
         "h.h": "#pragma once\n#define USE_FAST 1\n"}, ("-UUSE_FAST",)),
    "the command line's value is a macro of the file": (
        {"k.cpp": calls_h("#define FOO 1\n#if USE_FAST\n" + VEC + "#else\n" + PURE + "#endif\n")}, ("-DUSE_FAST=FOO",)),
    "the command line's value is a macro of a header": (
        {"k.cpp": calls_h('#include "h.h"\n#if USE_FAST\n' + VEC + "#else\n" + PURE + "#endif\n"),
         "h.h": "#pragma once\n#define FOO 1\n"}, ("-DUSE_FAST=FOO",)),
    "-U then -D: the last one counts": (
        {"k.cpp": calls_h("#ifdef USE_FAST\n" + VEC + "#else\n" + PURE + "#endif\n")}, ("-UUSE_FAST", "-DUSE_FAST")),
    "-D then -U: the last one counts": (
        {"k.cpp": calls_h("#ifdef USE_FAST\n" + PURE + "#else\n" + VEC + "#endif\n")}, ("-DUSE_FAST", "-UUSE_FAST")),
    "-D twice: the last value counts": (
        {"k.cpp": calls_h("#if USE_FAST == 2\n" + VEC + "#else\n" + PURE + "#endif\n")}, ("-DUSE_FAST=1", "-DUSE_FAST=2")),
    "#ifdef of a macro defined as 0": (
        {"k.cpp": calls_h("#ifdef USE_FAST\n" + VEC + "#else\n" + PURE + "#endif\n")}, ("-DUSE_FAST=0",)),
    "#if/#elif/#else with the #if decided false": (
        {"k.cpp": calls_h("#if XA\n" + PURE + "#elif XB\n" + VEC + "#else\n" + PURE + "#endif\n")}, ("-DXA=0",)),
    "#if/#elif/#else with only the #elif's macro given": (
        {"k.cpp": calls_h("#if XA\n" + PURE + "#elif XB\n" + VEC + "#else\n" + PURE + "#endif\n")}, ("-DXB=1",)),
    "nested groups, the outer decided": (
        {"k.cpp": calls_h("#ifdef XA\n#ifdef XB\n" + PURE + "#else\n" + VEC + "#endif\n#else\n" + VEC + "#endif\n")},
        ("-DXA",)),
    "defined without parentheses": (
        {"k.cpp": calls_h("#if defined USE_FAST && !defined(SLOW)\n" + PURE + "#else\n" + VEC + "#endif\n")},
        ("-DUSE_FAST",)),
    "the condition built by a pasting macro": (
        {"k.cpp": calls_h("#define CAT(a, b) a##b\n#if CAT(US, E_FAST)\n" + PURE + "#else\n" + VEC + "#endif\n")},
        ("-DUSE_FAST=1",)),
    "__has_include of a header that is there": (
        {"k.cpp": calls_h('#if __has_include("cfg.h")\n' + VEC + "#else\n" + PURE + "#endif\n"), "cfg.h": "\n"}, ()),
    "__has_include <...> of a header in -I": (
        {"k.cpp": calls_h("#if __has_include(<cfg.h>)\n" + VEC + "#else\n" + PURE + "#endif\n"), "cfg.h": "\n"}, ()),
    "two headers of one include guard, the empty one first": (
        {"k.cpp": calls_h('#include "h.h"\n#include "h2.h"\n'), "h.h": "#ifndef HG\n#define HG\n" + VEC + "#endif\n",
         "h2.h": "#ifndef HG\n#define HG\n" + PURE + "#endif\n"}, ()),
    "a header's arms, the kernel #undefs the macro first": (
        {"k.cpp": calls_h('#undef USE_FAST\n#include "h.h"\n'),
         "h.h": "#pragma once\n#ifdef USE_FAST\n" + PURE + "#else\n" + VEC + "#endif\n"}, ("-DUSE_FAST",)),
    "a declaration in a group, the definition outside": (
        {"k.cpp": calls_h(f"#ifdef USE_FAST\nstatic AICORE void h({T16}& t);\n#endif\n" + VEC)}, ()),
    "template arms whose parameters are spelled apart": (
        {"k.cpp": HEAD + "#ifdef USE_FAST\n" + impl_def("__gm__ float* x", NOTHING) + "#else\n"
         + impl_def("__gm__ float *x", MUL) + "#endif\n" + CALL_IMPL}, ()),
    "template arms whose parameters are named apart": (
        {"k.cpp": HEAD + "#ifdef USE_FAST\n" + impl_def("__gm__ float* x", NOTHING) + "#else\n"
         + impl_def("__gm__ float* y", MUL) + "#endif\n" + CALL_IMPL}, ()),
    "template arms, one parameter unnamed": (
        {"k.cpp": HEAD + "#ifdef USE_FAST\n" + impl_def("__gm__ float* x", NOTHING) + "#else\n"
         + impl_def("__gm__ float*", MUL) + "#endif\n" + CALL_IMPL}, ()),
    "template arms, one parameter const": (
        {"k.cpp": HEAD + "#ifdef USE_FAST\n" + impl_def("__gm__ float* x", NOTHING) + "#else\n"
         + impl_def("__gm__ float* const x", MUL) + "#endif\n" + CALL_IMPL}, ()),
    "function arms, the parameter through an alias": (
        {"k.cpp": HEAD + "using P = __gm__ float*;\n#ifdef USE_FAST\n" + helper_def("__gm__ float* x", NOTHING)
         + "#else\n" + helper_def("P x", MUL) + "#endif\n" + CALL_H}, ()),
    "function in two groups of opposite tests": (
        {"k.cpp": HEAD + "#ifdef USE_FAST\n" + helper_def("__gm__ float* x", NOTHING) + "#endif\n#ifndef USE_FAST\n"
         + helper_def("__gm__ float* y", MUL) + "#endif\n" + CALL_H}, ()),
    # C++23 `#elifdef`/`#elifndef` (g++ 12, -std=c++2b) start a group: main read the two arms as
    # one and refused the file as a redefinition (exit 2).
    "#ifdef/#elifdef/#else arms": (
        {"k.cpp": calls_h("#ifdef XA\n" + PURE + "#elifdef XB\n" + VEC + "#else\n" + PURE + "#endif\n")}, ()),
    "#ifdef/#elifdef arms, the command line picks the #elifdef": (
        {"k.cpp": calls_h("#ifdef XA\n" + PURE + "#elifdef XB\n" + VEC + "#else\n" + PURE + "#endif\n")},
        ("-UXA", "-DXB")),
    "#ifdef/#elifndef arms": (
        {"k.cpp": calls_h("#ifdef XA\n" + PURE + "#elifndef XB\n" + VEC + "#endif\n")}, ()),
    "#elifdef inside the body enables the overlapping op": (
        {"k.cpp": HEAD + f"{ENTRY} {{\n{TILES}  TADD(a, a, a);\n  {GUARD}\n#ifndef XA\n#elifdef XB\n  TMUL(c, c, c);\n"
         "#endif\n}\n"}, ("-DXA", "-DXB")),
    "one helper in an unnamed namespace, one static beside it": (
        {"k.cpp": HEAD + "namespace {\n" + VEC.replace("static ", "") + "}\n" + PURE
         + f"{ENTRY} {{\n{TILES}  TADD(a, a, a);\n  {GUARD}\n  ::h(c);\n}}\n"}, ()),
    # Valid C++ main refused as a redefinition (exit 2): a template and a plain function of one
    # name and parameters, or templates of other template heads, are distinct functions.
    "a function template beside a plain function of its parameters": (
        {"k.cpp": HEAD + impl_def("__gm__ float* x", NOTHING) + PLAIN_MUL
         + f"{ENTRY} {{\n{TILES}  TADD(a, a, a);\n  {GUARD}\n  impl(x);\n}}\n"}, ()),
    "a function template beside a plain function, the template called": (
        {"k.cpp": HEAD + impl_def("__gm__ float* x", NOTHING) + PLAIN_MUL + CALL_IMPL}, ()),
    "two function templates of other template heads": (
        {"k.cpp": HEAD + impl_def("__gm__ float* x", NOTHING)
         + impl_def("__gm__ float* x", MUL, "template <int M>\n").replace(TMN, T16)
         + f"{ENTRY} {{\n{TILES}  TADD(a, a, a);\n  {GUARD}\n  impl<16>(x);\n}}\n"}, ()),
}

# -- declarator lists, expression macros, structs of plain scalar members --------------------------
PLACE_D = f"  {T16} d;\n  TASSIGN(d, off);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"
PLACE_S = PLACE_D.replace("TASSIGN(d, off)", "TASSIGN(d, s.at)")
PLACE_STRUCT = "struct Place {\n  int64_t at;\n};\n"


def body(pre: str, code: str, use: str = PLACE_D) -> str:
    return HEAD + pre + f"{ENTRY} {{\n{TILES}{code}{use}}}\n"


DECL_CASES: dict[str, dict[str, str]] = {
    "expression macro #undef'd by a header that defines a function of its name": {
        "k.cpp": body('#define PLACE(x) ((x) + 0)\n#include "h.h"\n', "  int64_t off = 65536;\n  int64_t unused = PLACE(off);\n"),
        "h.h": "#pragma once\n#undef PLACE\nstatic AICORE int64_t PLACE(int64_t& x) {\n  x = 4096;\n  return x;\n}\n"},
    "expression macro #undef'd by a header, the function in the kernel": {
        "k.cpp": body('#define PLACE(x) ((x) + 0)\n#include "h.h"\nstatic AICORE int64_t PLACE(int64_t& x) {\n'
                      "  x = 4096;\n  return x;\n}\n", "  int64_t off = 65536;\n  int64_t unused = PLACE(off);\n"),
        "h.h": "#pragma once\n#undef PLACE\n"},
    "expression macro redefined inside the function": {
        "k.cpp": body("#define PLACE(x) ((x) + 0)\nstatic AICORE int64_t place_fn(int64_t& x) {\n  x = 4096;\n  return x;\n}\n",
                      "  int64_t off = 65536;\n#undef PLACE\n#define PLACE place_fn\n  int64_t unused = PLACE(off);\n")},
    "expression macro passed to another macro": {
        "k.cpp": body("#define DIV(x, y) (((x) + (y) - 1) / (y))\n#define APPLY(m, v) m(v, 1)\n",
                      "  int64_t off = 4096;\n  int64_t q = APPLY(DIV, off);\n")},
    "expression macro's argument assigns": {
        "k.cpp": body("#define DIV(x, y) (((x) + (y) - 1) / (y))\n",
                      "  int64_t off = 65536;\n  int64_t q = DIV(off, off -= 61440);\n")},
    "expression macro beside an assignment in one expression": {
        "k.cpp": body("#define DIV(x, y) (((x) + (y) - 1) / (y))\n",
                      "  int64_t off = 65536;\n  int64_t q = DIV(off, 1) + (off = 4096);\n")},
    "expression macro's argument increments, evaluated twice": {
        "k.cpp": body("#define TWICE(x) ((x) + (x))\n", "  int64_t off = 4094;\n  int64_t q = TWICE(off++);\n")},
    "declarator list whose macro holds the comma": {
        "k.cpp": body("#define TWO off = 65536, o2\n", "  int64_t TWO = 4096;\n  int64_t off2 = off;\n")},
    "declarator list in an inner block shadows": {
        "k.cpp": body("", "  int64_t off = 4096;\n  {\n    int64_t off = 65536, e = off;\n  }\n")},
    "declarator list with a reference to an earlier one": {
        "k.cpp": body("", "  int64_t off = 65536, &r = off;\n  r = 4096;\n")},
    "declarator list with a pointer to an earlier one": {
        "k.cpp": body("", "  int64_t off = 65536, *p = &off;\n  *p = 4096;\n")},
    "declarator list, an array's initializer assigns": {
        "k.cpp": body("", "  int64_t off = 65536, arr[1] = {off = 4096};\n")},
    "declarator list, a lambda's initializer assigns": {
        "k.cpp": body("", "  int64_t off = 65536, q = [&] { off = 4096; return 0; }();\n")},
    "declarator list, a comma expression assigns": {
        "k.cpp": body("", "  int64_t off = 65536, q = (off = 4096, 1);\n")},
    "declarator list, a braced initializer assigns": {
        "k.cpp": body("", "  int64_t off{65536}, q{off = 4096};\n")},
    "declarator list, a conditional assigns": {
        "k.cpp": body("", "  int64_t off = 65536, q = n ? off = 4096 : 0;\n")},
    "declarator list, a less-than before a compound assignment": {
        "k.cpp": body("", "  int64_t off = 65536, q = n<3, r = (off -= 61440);\n")},
    "declarator list of statics": {
        "k.cpp": body("", "  static int64_t off = 65536, q = 0;\n  off = off == 65536 ? 65536 : 4096;\n")},
    "union members share bytes": {
        "k.cpp": body("union Place {\n  uint32_t at;\n  uint16_t h[2];\n};\n", "  Place s;\n  s.at = 65536;\n  s.h[1] = 0;\n",
                      PLACE_S)},
    "union of two scalars": {
        "k.cpp": body("union Place {\n  uint32_t at;\n  uint32_t other;\n};\n", "  Place s;\n  s.at = 65536;\n"
                      "  s.other = 4096;\n", PLACE_S)},
    "anonymous union in a struct": {
        "k.cpp": body("struct Place {\n  union {\n    int64_t at;\n    int64_t alt;\n  };\n};\n",
                      "  Place s;\n  s.at = 65536;\n  s.alt = 4096;\n", PLACE_S)},
    "static data member shared by every object": {
        "k.cpp": body("struct Place {\n  static int64_t at;\n  int64_t x;\n};\nint64_t Place::at = 0;\n",
                      "  Place s;\n  s.at = 65536;\n  Place t;\n  t.at = 4096;\n", PLACE_S)},
    "static inline data member": {
        "k.cpp": body("struct Place {\n  static inline int64_t at = 0;\n  int64_t x;\n};\n",
                      "  Place s;\n  s.at = 65536;\n  Place t;\n  t.at = 4096;\n", PLACE_S)},
    "reference member": {
        "k.cpp": body("struct Place {\n  int64_t& at;\n};\n", "  int64_t v = 65536;\n  Place s{v};\n  v = 4096;\n", PLACE_S)},
    "assignment operator behind a macro": {
        "k.cpp": body("#define PLACE_OPS AICORE Place& operator=(const Place& o) { at = 4096; return *this; }\n"
                      "struct Place {\n  int64_t at;\n  PLACE_OPS\n};\n",
                      "  Place s;\n  s.at = 65536;\n  Place t;\n  t.at = 65536;\n  s = t;\n", PLACE_S)},
    "conversion operator behind a macro": {
        "k.cpp": body("#define PLACE_OPS AICORE operator int64_t() const { return 4096; }\n"
                      "struct Place {\n  int64_t at;\n  PLACE_OPS\n};\n", "  Place s;\n  s.at = 65536;\n",
                      PLACE_S.replace("TASSIGN(d, s.at)", "TASSIGN(d, static_cast<int64_t>(s))"))},
    "member type behind a macro": {
        "k.cpp": body("#define I64 int64_t\nstruct Place {\n  I64 at;\n};\n",
                      "  Place s;\n  s.at = 65536;\n  Place* p = &s;\n  p->at = 4096;\n", PLACE_S)},
    "designated initializer leaves a defaulted member": {
        "k.cpp": body("struct Place {\n  int64_t far;\n  int64_t at = 4096;\n};\n", "  Place s{.far = 65536};\n", PLACE_S)},
    "braced initializer leaves a member zero": {
        "k.cpp": body("struct Place {\n  int64_t far;\n  int64_t at;\n};\n", "  Place s{65536};\n", PLACE_S)},
    "base member hidden by a derived one": {
        "k.cpp": body("struct Base {\n  int64_t at;\n};\nstruct Place : Base {\n  int64_t at;\n};\n",
                      "  Place s;\n  s.at = 65536;\n  s.Base::at = 4096;\n",
                      PLACE_S.replace("TASSIGN(d, s.at)", "TASSIGN(d, s.Base::at)"))},
    "base member written through a base reference": {
        "k.cpp": body("struct Base {\n  int64_t at;\n};\nstruct Place : Base {\n  int64_t x;\n};\n",
                      "  Place s;\n  s.at = 65536;\n  Base& br = s;\n  br.at = 4096;\n", PLACE_S)},
    "member written through its address": {
        "k.cpp": body(PLACE_STRUCT, "  Place s;\n  s.at = 65536;\n  *(&s.at) = 4096;\n", PLACE_S)},
    "struct copied by memcpy": {
        "k.cpp": body(PLACE_STRUCT, "  Place s;\n  s.at = 65536;\n  Place t;\n  t.at = 4096;\n"
                      "  __builtin_memcpy(&s, &t, sizeof(s));\n", PLACE_S)},
    "structured binding by reference": {
        "k.cpp": body(PLACE_STRUCT, "  Place s;\n  s.at = 65536;\n  auto& [r] = s;\n  r = 4096;\n", PLACE_S)},
    "pointer to member": {
        "k.cpp": body(PLACE_STRUCT, "  Place s;\n  s.at = 65536;\n  int64_t Place::*mp = &Place::at;\n  s.*mp = 4096;\n",
                      PLACE_S)},
    "a namespace's struct of the same name": {
        "k.cpp": body(PLACE_STRUCT + "namespace inner {\nstruct Place {\n  uint16_t at;\n};\n}\nusing namespace inner;\n",
                      "  ::Place s0;\n  inner::Place s;\n  s.at = 69632;\n", PLACE_S)},
    "elaborated type specifier and a pointer": {
        "k.cpp": body(PLACE_STRUCT, "  struct Place s;\n  s.at = 65536;\n  struct Place* q = &s;\n  (*q).at = 4096;\n",
                      PLACE_S)},
    "member of a parenthesized object": {
        "k.cpp": body(PLACE_STRUCT, "  Place s;\n  s.at = 65536;\n  (s).at = 4096;\n", PLACE_S)},
    "member through the object's address": {
        "k.cpp": body(PLACE_STRUCT, "  Place s;\n  s.at = 65536;\n  (&s)->at = 4096;\n", PLACE_S)},
    "compound assignment of a member": {
        "k.cpp": body(PLACE_STRUCT, "  Place s;\n  s.at = 65536;\n  s.at -= 61440;\n", PLACE_S)},
    "std::swap of two structs": {
        "k.cpp": body(PLACE_STRUCT, "  Place s;\n  s.at = 65536;\n  Place t;\n  t.at = 4096;\n  std::swap(s, t);\n",
                      PLACE_S)},
    "member of a conditional lvalue": {
        "k.cpp": body(PLACE_STRUCT, "  Place s;\n  s.at = 65536;\n  Place t;\n  t.at = 65536;\n  (n ? s : t).at = 4096;\n",
                      PLACE_S)},
    "conditional lvalue of a member": {
        "k.cpp": body(PLACE_STRUCT, "  Place s;\n  s.at = 65536;\n  int64_t z = 0;\n  (n ? s.at : z) = 4096;\n", PLACE_S)},
    "comma lvalue of a member": {
        "k.cpp": body(PLACE_STRUCT, "  Place s;\n  s.at = 65536;\n  (n, s.at) = 4096;\n", PLACE_S)},
    "chained member assignments": {
        "k.cpp": body(PLACE_STRUCT, "  Place s;\n  Place t;\n  t.at = s.at = 65536;\n  s.at = t.at = 4096;\n", PLACE_S)},
    "member assigned inside an initializer": {
        "k.cpp": body(PLACE_STRUCT, "  Place s;\n  s.at = 65536;\n  int64_t q = s.at = 4096;\n", PLACE_S)},
    "signed bit-field wraps negative": {
        "k.cpp": body("struct Place {\n  int32_t at : 18;\n};\n", "  Place s;\n  s.at = 65536 + 131072;\n",
                      PLACE_S.replace("TASSIGN(d, s.at)", "TASSIGN(d, s.at + 131072 + 4096)"))},
    "bool member holds 1": {
        "k.cpp": body("struct Place {\n  bool at;\n};\n", "  Place s;\n  s.at = 2;\n",
                      PLACE_S.replace("TASSIGN(d, s.at)", "TASSIGN(d, s.at * 4096)"))},
}

# Controls: the same geometry without the adversary loses its barrier (tagged FREE, not GUARD).
CONTROLS: dict[str, str] = {
    "template whose only instance is disjoint": TEMPLATE + f"{ENTRY} {{\n  impl<16, 128>(x);\n}}\n",
    "a call of a vector-free helper": PURE + f"{ENTRY} {{\n{TILES}  TADD(a, a, a);\n  {GUARD}\n  h(c);\n}}\n",
    "a call of a vector-free template instance": impl_def("__gm__ float* x", NOTHING) + CALL_IMPL,
    # (main reads no struct member's value yet: the struct cases guard the relaxation to come.)
    "a scalar address read exactly": f"{ENTRY} {{\n{TILES}  int64_t off = 65536;\n{PLACE_D}}}\n",
    "a declarator list read exactly": f"{ENTRY} {{\n{TILES}  int64_t q = 4096, off = 65536;\n{PLACE_D}}}\n",
    "an expression macro read exactly": "#define DIV(x, y) (((x) + (y) - 1) / (y))\n"
        f"{ENTRY} {{\n{TILES}  int64_t off = 65536;\n  int64_t q = DIV(off, 64);\n{PLACE_D}}}\n",
}

ALL: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    **{f"template: {k}": ({"k.cpp": HEAD + v}, TEMPLATE_FLAGS.get(k, ())) for k, v in TEMPLATE_CASES.items()},
    **{f"groups: {k}": v for k, v in GROUP_CASES.items()},
    **{f"declarations: {k}": (v, ()) for k, v in DECL_CASES.items()},
}


def run(tmp_path: Path, files: dict[str, str], flags: tuple[str, ...], pattern: str) -> tuple[int, list[dict], str]:
    """`ptofix run --pattern <pattern> --pto-isa <checkout> -I <dir> <flags> k.cpp`: (status, the
    pipe-v-barrier decisions, the output text)."""
    write(tmp_path, files)
    out, report = tmp_path / "out.cpp", tmp_path / "report.json"
    status = main(["run", "--pattern", pattern, "-q", "--pto-isa", PTO_ISA, "-I", str(tmp_path), *flags,
                   "--report", "json", "--report-file", str(report), str(tmp_path / "k.cpp"), "-o", str(out)])
    if status != 0:
        return status, [], ""
    [entry] = json.loads(report.read_text())["files"]
    decisions = [d for p in entry.get("passes", []) if p["pass"] == "pipe-v-barrier" for d in p["decisions"]]
    return status, decisions, out.read_text()


@needs_checkout
@pytest.mark.parametrize("pattern", ["auto", "gu"])
@pytest.mark.parametrize("name", sorted(ALL))
def test_guard_is_kept_with_a_reason(tmp_path, name, pattern):
    files, flags = ALL[name]
    status, decisions, output = run(tmp_path, files, flags, pattern)
    # Valid C++ is never refused (main exited 2 on a template beside a plain function).
    assert status == 0
    lines = guard_lines(files["k.cpp"])
    assert len(lines) == 1
    [line] = lines
    assert output.splitlines()[line - 1].lstrip().startswith("pipe_barrier(PIPE_V);"), output
    [decision] = [d for d in decisions if d["line"] == line]
    assert decision["decision"] == "kept" and decision["reason"], decision
    assert not decision["reason"].startswith("proved"), decision


@needs_checkout
@pytest.mark.parametrize("name", sorted(CONTROLS))
def test_control_without_the_adversary_is_removed(tmp_path, name):
    text = HEAD + CONTROLS[name].replace(GUARD, "pipe_barrier(PIPE_V);  // FREE")
    status, decisions, output = run(tmp_path, {"k.cpp": text}, (), "auto")
    assert status == 0
    [line] = [i for i, row in enumerate(text.splitlines(), 1) if "// FREE" in row]
    [decision] = [d for d in decisions if d["line"] == line]
    assert decision["decision"] == "removed", decision
    assert not output.splitlines()[line - 1].lstrip().startswith("pipe_barrier(PIPE_V);")


def test_same_signature_overloads_are_unknown_not_a_redefinition(tmp_path, capsys):
    # Distinct functions of one name and parameters (valid C++) are each Unknown; the same head
    # twice in one group stays an error.
    # (A removable barrier in the template's body: only the Unknown keeps it.)
    text = HEAD + impl_def("__gm__ float* x", "  TMUL(t, t, t);\n  pipe_barrier(PIPE_V);\n") + PLAIN_MUL \
        + CALL_IMPL.replace(GUARD, "pipe_barrier(PIPE_V);")
    path = tmp_path / "k.cpp"
    path.write_text(text)
    assert main(["run", "--pattern", "auto", "--report", "text", "-i", str(path)]) == 0
    assert path.read_text() == text
    err = capsys.readouterr().err
    assert "whose template heads, return types or qualifiers ptofix does not tell apart" in err
    twice = HEAD + PLAIN_MUL + PLAIN_MUL
    path.write_text(twice)
    assert main(["run", "--pattern", "auto", "-i", str(path)]) == 2
    assert path.read_text() == twice and "error: redefinition of 'impl'" in capsys.readouterr().err


# -- every case is valid C++ -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def host_include(tmp_path_factory) -> Path:
    """pto-isa's include/ with its formula headers generated (ptofix perf's prepared copy)."""
    if shutil.which("g++") is None:
        pytest.skip("g++ is not installed")
    if not os.path.isdir(os.path.join(PTO_ISA, "include")):
        pytest.skip("../shared/pto-isa/f35e7f60 (the pto-isa checkout) is not present")
    from ptofix.perf.build import prepare_checkout
    include, _ = prepare_checkout(PTO_ISA, tmp_path_factory.mktemp("pto-isa-cache"))
    return include


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(ALL) + [f"control: {k}" for k in sorted(CONTROLS)])
def test_case_compiles_against_pto_isa(tmp_path, host_include, name):
    from ptofix.perf.build import BASE_FLAGS, SIDES
    if name.startswith("control: "):
        files, flags = {"k.cpp": HEAD + CONTROLS[name.removeprefix("control: ")]}, ()
    else:
        files, flags = ALL[name]
    write(tmp_path, files)
    done = subprocess.run(["g++", "-fsyntax-only", *BASE_FLAGS, *SIDES["aiv"], *flags, "-I", str(host_include),
                           "-I", str(tmp_path), str(tmp_path / "k.cpp")], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]


def test_const_overloads_of_a_member_are_not_a_redefinition(tmp_path, capsys):
    # `int S::get()` and `int S::get() const` are two functions (main exited 2 on them).
    text = HEAD + ("struct S {\n  AICORE int64_t get();\n  AICORE int64_t get() const;\n};\n"
                   "AICORE int64_t S::get() {\n  return 1;\n}\nAICORE int64_t S::get() const {\n  return 2;\n}\n")
    path = tmp_path / "k.cpp"
    path.write_text(text)
    assert main(["run", "--pattern", "auto", "-i", str(path)]) == 0
    assert path.read_text() == text and "redefinition" not in capsys.readouterr().err
