"""Objects of the file's structs of plain scalar members (FileContext._plain_structs, issue 57:
pto-kernels' fast_hadamard `struct TileWork { uint32_t gm_offset, sample_count, elements; };`):
such a class has only trivial constructors, copies and destructor and no conversion function
([class.prop], [class.conv.fct]), so declaring, copying or reading one runs no code. Each adversary
is a struct that does run code (a conversion operator, a member of class type, an initializer) or a
name that may be another class: the barrier stays.

The kernel: `TADD(a, a, a)` on a at UB [0, 8192), the struct's use, `pipe_barrier(PIPE_V)`,
`TMUL(b, b, b)` on b at 65536 (no overlap: removable unless the use is not understood).
"""
from __future__ import annotations

import pytest

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.cpp.semantics import FileContext
from ptofix.source import SourceText

TILE = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"
WORK = "struct TileWork {\n  uint32_t gm_offset, sample_count;\n  float *scale;\n  int pad[4];\n};"
USE = "TileWork w;\n  TileWork v = w;\n  int64_t total = w.sample_count + v.gm_offset;\n  w = v;"


def kernel(declarations: str, use: str = USE, local: str = "") -> str:
    return f"""#include <pto/pto-inst.hpp>
using namespace pto;
{declarations}
__global__ AICORE void k(__gm__ float* x, int64_t n) {{
  {local}
  {TILE} a;
  TASSIGN(a, 0);
  {TILE} b;
  TASSIGN(b, 65536);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  {use}
  pipe_barrier(PIPE_V);
  TMUL(b, b, b);
}}
"""


def removed(src: str) -> list[bool]:
    return [d.removed for d in BarrierAnalysis(parse_cpp(SourceText(src, "hand.cpp"))).run({"auto"})]


def test_plain_struct_objects_run_no_code():
    assert removed(kernel(WORK)) == [True]
    assert removed(kernel("namespace {\n" + WORK + "\n}")) == [True]


def test_control_the_struct_does_not_hide_the_overlap():
    assert removed(kernel(WORK).replace("TASSIGN(b, 65536)", "TASSIGN(b, 4096)")) == [False]


ADVERSARIES = {
    "conversion operator": "struct TileWork {\n  uint32_t sample_count, gm_offset;\n  operator int() const "
                           "{ TMUL_IMPL(); return 0; }\n};",
    "member of class type": "struct Guard {\n  ~Guard() {}\n};\nstruct TileWork {\n  Guard g;\n  uint32_t "
                            "sample_count, gm_offset;\n};",
    "member of an aliased type": "using u32 = Tile<TileType::Vec, float, 1, 8>;\nstruct TileWork {\n  u32 "
                                 "sample_count, gm_offset;\n};",
    "builtin name aliased": "struct Guard {\n  ~Guard() {}\n};\ntypedef Guard uint32_t;\nstruct TileWork {\n  "
                           "uint32_t sample_count, gm_offset;\n};",
    "default member initializer": "struct TileWork {\n  uint32_t sample_count = 4, gm_offset;\n};",
    "a base": "struct B {\n  ~B() {}\n};\nstruct TileWork : B {\n  uint32_t sample_count, gm_offset;\n};",
    "declared twice": "namespace one {\nstruct TileWork {\n  uint32_t sample_count, gm_offset;\n};\n}\n" + WORK,
    "a macro of its name": "#define TileWork Guard\nstruct Guard {\n  ~Guard() {}\n  uint32_t sample_count, "
                           "gm_offset;\n};",
    "a union": "union TileWork {\n  uint32_t sample_count, gm_offset;\n};",
    "forward declaration only": "struct TileWork;",
}


@pytest.mark.parametrize("name", sorted(ADVERSARIES))
def test_plain_struct_adversary_keeps_the_barrier(name):
    assert removed(kernel(ADVERSARIES[name])) == [False]


def test_an_array_of_it_is_not_read():
    use = "TileWork w[2];\n  int64_t k = w[0].sample_count;"
    assert removed(kernel(WORK, use=use)) == [False]


def test_which_structs_are_plain():
    model = parse_cpp(SourceText(WORK + "\nstruct Odd {\n  uint32_t a, b c;\n};\nAICORE void f() {}\n", "h.cpp"))
    assert FileContext(model).plain_structs == frozenset({"TileWork"})
