"""Red-team red3: near misses of a function template's known instantiations (templates.py).

`body<N>` binds b at N (or reads its element type from E) beside a at [0, 8192), so some
instantiation the C++ makes overlaps a: the barrier between `TADD(a, a, a)` and `TMUL(b, b, b)` must
stay. The arguments are spelled so that a reading by spelling would take another value: a file
constant shadowed by a local const, constexpr or enumerator, a macro, hex beside decimal, a call in
`#if 0`, in a lambda or through the address of an instantiation, a type alias (file-scope or local
`half`), `::body`, a namespace's same-named template, `sizeof` of a local type or of a variable, a
char literal, bool arithmetic, a conditional, an unsigned parameter, a call from another template.
None was removed wrongly when these were written.
"""
from __future__ import annotations

import pytest

from ptofix.api import fix_cpp


def template_file(tmpl_head, body_tiles, calls, pre=""):
    return (f'#include "pto/pto-inst.hpp"\nusing namespace pto;\n{pre}{tmpl_head}\nAICORE void body(__gm__ float* g) {{\n{body_tiles}'
            "  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V);  // B\n  TMUL(b, b, b);\n  pipe_barrier(PIPE_ALL);\n}\n"
            f"__global__ AICORE void k(__gm__ float* g, int n) {{\n{calls}}}\n")
TI = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"
ADDR = f"  {TI} a;\n  TASSIGN(a, 0);\n  {TI} b;\n  TASSIGN(b, N);\n"
TT = "  Tile<TileType::Vec, E, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null> a;\n  TASSIGN(a, 0);\n" \
     f"  {TI} b;\n  TASSIGN(b, 4096);\n"
CASES = {  # b overlaps a ([0, 8192)) in some instantiation
 "shadowed_const": template_file("template <int N>", ADDR, "  const int K = 4096;\n  body<K>(g);\n  body<8192>(g);\n", pre="constexpr int K = 8192;\n"),
 "shadowed_constexpr": template_file("template <int N>", ADDR, "  constexpr int K = 4096;\n  body<K>(g);\n", pre="constexpr int K = 8192;\n"),
 "enum_shadow": template_file("template <int N>", ADDR, "  enum { K = 4096 };\n  body<K>(g);\n", pre="constexpr int K = 8192;\n"),
 "macro_arg": template_file("template <int N>", ADDR, "  body<K>(g);\n", pre="#define K 4096\n"),
 "two_calls_one_small": template_file("template <int N>", ADDR, "  body<8192>(g);\n  body<4096>(g);\n"),
 "call_in_if0": template_file("template <int N>", ADDR, "#if 0\n  body<4096>(g);\n#endif\n  body<8192>(g);\n"),
 "call_in_lambda": template_file("template <int N>", ADDR, "  auto l = [&]() { body<4096>(g); };\n  l();\n  body<8192>(g);\n"),
 "addr_of_inst": template_file("template <int N>", ADDR, "  auto p = &body<4096>;\n  p(g);\n  body<8192>(g);\n"),
 "hex_and_dec": template_file("template <int N>", ADDR, "  body<0x2000>(g);\n  body<0x1000>(g);\n"),
 "type_alias_E": template_file("template <typename E>", TT, "  body<H>(g);\n", pre="using H = float;\n"),
 "type_local_alias_E": template_file("template <typename E>", TT, "  using half = float;\n  body<half>(g);\n"),
 "type_half": template_file("template <typename E>", TT, "  body<float>(g);\n"),
 "qualified_call": template_file("template <int N>", ADDR, "  ::body<4096>(g);\n  body<8192>(g);\n"),
 "ns_same_name": template_file("template <int N>", ADDR, "  body<8192>(g);\n  q::body<4096>(g);\n", pre="namespace q { template <int N> AICORE void body(__gm__ float* g) {} }\n"),
 "sizeof_arg": template_file("template <int N>", ADDR, "  body<sizeof(float) * 1024>(g);\n"),
 "sizeof_local_type": template_file("template <int N>", ADDR, "  struct S { char c[4096]; };\n  body<sizeof(S)>(g);\n"),
 "unsigned_param": template_file("template <unsigned N>", ADDR, "  body<4096u>(g);\n"),
 "decltype_arg": template_file("template <int N>", ADDR, "  int z = 4096;\n  body<sizeof(z) * 1024>(g);\n"),
 "char_arg": template_file("template <int N>", ADDR, "  body<'A' * 64>(g);\n"),
 "bool_arith": template_file("template <int N>", ADDR, "  body<(true + true) * 2048>(g);\n"),
 "ternary_arg": template_file("template <int N>", ADDR, "  body<(1 ? 4096 : 8192)>(g);\n"),
 "nested_template_call": template_file("template <int N>", ADDR, "  body<8192>(g);\n", pre="template <int N> AICORE void body(__gm__ float* g);\ntemplate <int M> AICORE void outer(__gm__ float* g) { body<M>(g); }\n") ,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_an_instantiation_that_overlaps_keeps_the_barrier(name):
    # (fix_cpp: `run`'s whole decision, the per-instantiation proofs included)
    fixed = fix_cpp(CASES[name], patterns="auto")
    assert "  pipe_barrier(PIPE_V);  // B" in fixed.text, fixed.warnings


def test_the_control_removes_it():
    text = template_file("template <int N>", ADDR, "  body<8192>(g);\n  body<16384>(g);\n")
    fixed = fix_cpp(text, patterns="auto")
    assert "  pipe_barrier(PIPE_V);  // B" not in fixed.text and "// B" in fixed.text, fixed.text
