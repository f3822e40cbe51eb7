"""A file-scope class (template) definition with a base clause (`struct FrontRowSplitLoopTiling :
FrontRowSplitCoreTiling {...};`, pto-isa's kernels/manual dispatch_mega_combine) is read like the
traits classes of test_hand_declarations: it declares its name only, a type of the file whose
objects the model does not read. A base-specifier names a class and declares nothing
([class.derived]) unless an elaborated type specifier sits in it (`: H<struct TMUL*>` declares TMUL
in the namespace): each adversary below, built to leak a name or run code, keeps the barrier.

The kernel: `TADD(a, a, a)` on a at UB [0, 8192), `pipe_barrier(PIPE_V)`, `TMUL(b, b, b)` on b at
65536 (no overlap: removable) unless a case says otherwise.
"""
from __future__ import annotations

import pytest

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText

TILE = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"
BASE = "struct Split {\n  uint32_t need = 0;\n  uint32_t per = 0;\n};\n"


def kernel(declarations: str, statement: str = "") -> str:
    return f"""#include <pto/pto-inst.hpp>
using namespace pto;
{declarations}
__global__ AICORE void k(__gm__ float* x) {{
  {TILE} a;
  TASSIGN(a, 0);
  {TILE} b;
  TASSIGN(b, 65536);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  {statement}
  pipe_barrier(PIPE_V);
  TMUL(b, b, b);
}}
"""


def removed(src: str) -> list[bool]:
    return [d.removed for d in BarrierAnalysis(parse_cpp(SourceText(src, "base.cpp"))).run({"auto"})]


@pytest.mark.parametrize("declarations", [
    BASE + "struct Loop : Split {\n  uint32_t last = 0;\n};\nusing Tiling = Loop;",
    BASE + "template <typename T>\nstruct Loop : public Split {\n  static constexpr uint32_t N = sizeof(T);\n};",
])
def test_class_with_a_base_is_read(declarations):
    assert removed(kernel(declarations)) == [True]


ADVERSARIES = {
    # Names the base clause or the class may leak, or the class's own name.
    "elaborated type in the base": (BASE + "template <typename T> struct H {};\n"
                                    "struct Loop : H<struct TMUL*> {\n  int x;\n};", ""),
    "class in the base's template argument": (BASE + "template <typename T> struct H {};\n"
                                              "struct Loop : H<class pipe_barrier> {\n  int x;\n};", ""),
    "derived class named like an op": (BASE + "struct TMUL : Split {\n  int x;\n};", ""),
    "derived class named Tile": (BASE + "struct Tile : Split {\n  int x;\n};", ""),
    "declarator after the braces": (BASE + "struct Loop : Split {\n  int x;\n} TMUL;", ""),
    "friend in the derived class": (BASE + "struct Loop : Split {\n  friend struct TMUL;\n};", ""),
    "base with a member function body": ("struct B {\n  void f() {}\n};\nstruct Loop : B {\n  int x;\n};", ""),
    "base with a macro": ("#define BASE_OF(x) x\n" + BASE + "struct Loop : BASE_OF(Split) {\n  int x;\n};", ""),
    # Objects of the derived class: its base's constructor and destructor may run vector work.
    "object whose base has a destructor": ("struct B {\n  ~B();\n};\nstruct Loop : B {\n  int x;\n};",
                                           "Loop guard;"),
    "object whose base has a constructor": ("struct B {\n  B();\n};\nstruct Loop : B {\n  int x;\n};",
                                            "Loop guard;"),
    "temporary of the derived class": ("struct B {\n  ~B();\n};\nstruct Loop : B {\n  int x;\n};", "Loop();"),
}


@pytest.mark.parametrize("name", ADVERSARIES)
def test_adversary_keeps_the_barrier(name):
    declarations, statement = ADVERSARIES[name]
    assert True not in removed(kernel(declarations, statement))
