"""Hand-written kernels' file-scope declarations (issue 57): the forms ptofix now reads exactly
(a variable whose parentheses sit in its copy-initializer, `static_assert`, an explicit
instantiation, an alias template of plain parameters, a function template with default template
arguments, helpers in a plain file-scope `namespace pto`) leave the file modelled, and each
adversary below, built to make one of them change what a statement means, keeps the barrier.

The kernel is test_fail_closed's: `TADD(a, a, a)` on a at UB [0, 8192), `pipe_barrier(PIPE_V)`,
`TMUL(b, b, b)` on b at 65536 (no overlap: removable) unless a case says otherwise.
"""
from __future__ import annotations

import pytest

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText

TILE = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"


def kernel(declarations: str, b_decl: str = f"{TILE} b;", b_addr: str = "65536") -> str:
    return f"""#include <pto/pto-inst.hpp>
using namespace pto;
{declarations}
__global__ AICORE void k(__gm__ float* x, int64_t n) {{
  {TILE} a;
  TASSIGN(a, 0);
  {b_decl}
  TASSIGN(b, {b_addr});
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  pipe_barrier(PIPE_V);
  TMUL(b, b, b);
}}
"""


def decisions(src: str) -> list:
    return BarrierAnalysis(parse_cpp(SourceText(src, "hand.cpp"))).run({"auto"})


def removed(src: str) -> list[bool]:
    """Whether each barrier was removed (one not read as PIPE_V's counts as kept)."""
    return [d.removed for d in decisions(src)]


def test_control_overlap_keeps_the_barrier():
    assert removed(kernel("", b_addr="4096")) == [False]


# Declarations read exactly that declare nothing the kernel's statements read: the barrier goes.
READ = {
    "nothing": "",
    "constexpr with sizeof": "constexpr unsigned STRIDE = 12288 * sizeof(half);",
    "constexpr in a namespace": "namespace UbLayout {\nconstexpr unsigned BASE = 2 * sizeof(float);\n}",
    "static_assert": 'constexpr unsigned SZ = 4;\nstatic_assert(SZ <= 196608, "UB (overflow)");',
    "alias template": "template <typename T, uint32_t C>\nusing RowTile = Tile<TileType::Vec, T, 1, C, "
                      "BLayout::RowMajor, -1, -1>;",
    "explicit instantiation": "template <typename T>\nAICORE void helper(T* p) {}\ntemplate void helper<float>(float* p);",
    "using-declarations of pto's names": "using pto::BLayout;\nusing ::pto::TMUL;",
    "plain struct": "namespace {\nstruct TileWork {\n  uint32_t gm_offset, sample_count, elements;\n  int pad[4];\n};\n}",
    "defaulted template helper": "template <bool init = false, int N>\nAICORE inline void helper(int x) {}",
    "namespace pto helper": "namespace pto {\nconstexpr AICORE inline float fa_inv_scale(float x) { return 1.0f / x; }\n"
                            "template <int N = 1>\nAICORE inline void fa_helper(int x) {}\n}",
}


@pytest.mark.parametrize("name", sorted(READ))
def test_declaration_read_exactly_leaves_the_barrier_removable(name):
    assert removed(kernel(READ[name])) == [True]


# Each declaration below may change what a statement of the kernel means, or is not read exactly:
# the barrier stays (whether as unread, unmodelled or not understood).
SHADOWS = {
    # -- variables whose initializer holds parentheses -------------------------------------------
    "variable named PIPE_V": "constexpr int PIPE_V = sizeof(int) * 0;",
    "variable named like an op": "int TMUL = sizeof(int);",
    "second declarator a prototype": "int x = sizeof(int), pipe_barrier(int);",
    "parenthesized declarator": "int (pipe_barrier) = sizeof(int);",
    "prototype with a default": "void TMUL(int x = sizeof(int));",
    "direct-initialized": "int TMUL(sizeof(int));",
    # (An elaborated type specifier in an initializer declares its class in the namespace.)
    "initializer declares a struct named like an op": "constexpr int SZ = sizeof(struct TMUL*);",
    "initializer declares a struct named Tile": "constexpr int SZ = sizeof(struct Tile*);",
    "lambda initializer": "auto f = [](int x) { return x; };\nint TMUL = f(3);",
    # -- static_assert -------------------------------------------------------------------------
    "static_assert then a declaration": "static_assert(sizeof(int) == 4) int TMUL;",
    "static_assert with a lambda": "static_assert([] { return true; }());\nint TMUL;",
    # -- alias templates -----------------------------------------------------------------------
    "alias template named Tile": "template <typename T>\nusing Tile = pto::Tile<TileType::Vec, T, 16, 8192, "
                                 "BLayout::RowMajor, 16, 8192>;",
    "alias template named like an op": "template <typename T>\nusing TMUL = T;",
    "alias template with a default": "template <int C = 128>\nusing RowTile = Tile<TileType::Vec, float, 16, C>;",
    # -- default template arguments ------------------------------------------------------------
    "defaulted template pipe_barrier": "template <int N = 0>\nAICORE inline void pipe_barrier(pipe_t p) {}",
    "defaulted template op": "template <int N = 0, typename T>\nAICORE inline void TMUL(T& d, T& a, T& b) {}",
    "default with a call": "template <int N = sizeof(int)>\nAICORE inline void helper(int x) {}",
    "variable template": "template <int N = 1> int TMUL = N;",
    # -- explicit instantiation and specialization ---------------------------------------------
    "explicit specialization": "template <typename T> AICORE void helper(T x) {}\n"
                               "template <> AICORE void helper<int>(int x) { pipe_barrier(PIPE_V); }\n"
                               "template void helper<float>(float x);",
    # -- plain structs -------------------------------------------------------------------------
    "struct named like an op": "struct TMUL {\n  int x;\n};",
    "struct named Tile": "struct Tile {\n  int x;\n};",
    "struct with a friend op": "struct W {\n  friend struct TMUL;\n  int x;\n};",
    "struct with a base": "struct B {\n  int y;\n};\nstruct W : B {\n  int x;\n};\nW TMUL;",
    "struct declaring a variable": "struct W {\n  int x;\n} TMUL;",
    "struct with a static member": "struct W {\n  static int x;\n};\nint TMUL = W::x;",
    "struct with an initializer": "struct W {\n  int x = 4096;\n};\nint TMUL;",
    # -- using-declarations -------------------------------------------------------------------
    "using-declaration of another namespace's op": "namespace other {\ntemplate <typename T>\nAICORE inline void "
                                                   "TMUL(T& d, T& a, T& b) {}\n}\nusing other::TMUL;",
    "using-declaration of a nested pto namespace's op": "using pto::comm::TMUL;",
    "using-declaration of two names": "namespace other {\nint PIPE_V;\n}\nusing pto::BLayout, other::PIPE_V;",
    # -- namespace pto -------------------------------------------------------------------------
    "namespace pto overloads an op": "namespace pto {\ntemplate <typename T>\nAICORE inline void TMUL(T& d, T& a, "
                                     "T& b) {}\n}",
    "namespace pto defines an IMPL": "namespace pto {\ntemplate <typename T>\nAICORE inline void TMUL_IMPL(T& d, "
                                     "T& a, T& b) {}\n}",
    "namespace pto defines a name pto writes": "namespace pto {\nAICORE inline void TASSIGN(int x) {}\n}",
    "namespace pto nests a namespace": "namespace pto {\nnamespace comm {\nAICORE inline void helper(int x) {}\n}\n}",
    "namespace pto holds a using-directive": "namespace other {\nAICORE inline void TMUL(int x) {}\n}\n"
                                             "namespace pto {\nusing namespace other;\n}",
    "nested namespace named pto": "namespace outer {\nnamespace pto {\nAICORE inline void helper(int x) {}\n}\n}",
    "qualified nested pto": "namespace pto::detail {\nAICORE inline void helper(int x) {}\n}",
    "namespace alias pto": "namespace other {\n}\nnamespace pto = other;",
    "namespace pto declares a struct pto's code may name": "namespace pto {\nstruct TADD_IMPL {\n  int x;\n};\n}",
    "namespace pto declares a class with code": "namespace pto {\nstruct PipeV {\n  PipeV() {}\n};\n}",
    "namespace pto variable shadowing a pto name": "namespace pto {\nconstexpr int PIPE_V = 0;\n}",
}


def test_member_function_named_like_an_op_is_scoped_to_its_class():
    # `void TMUL(int)` is W's member ([basic.scope.class]): unqualified lookup in the kernel, which
    # does not name W, never finds it, so `TMUL(b, b, b)` is pto's (file_scope_classes.py reads the
    # class per function since issue #57), and the barrier between disjoint tiles goes; declared
    # as a variable after the brace it keeps the barrier (SHADOWS, "struct declaring a variable").
    assert removed(kernel("struct W {\n  int x;\n  void TMUL(int y) {}\n};")) == [True]


@pytest.mark.parametrize("name", sorted(SHADOWS))
def test_declaration_that_may_change_a_statement_keeps_the_barrier(name):
    # (No decision at all: the file-scope text swallowed the kernel, which is then left as it is.)
    assert True not in removed(kernel(SHADOWS[name]))


def test_alias_template_tile_is_not_read_as_any_shape():
    # The alias template is read (the file stays modelled), but a tile declared through it is of a
    # type the model does not expand: whatever shape it has, the barrier it touches stays.
    alias = "template <uint32_t C>\nusing RowTile = Tile<TileType::Vec, float, 16, C, BLayout::RowMajor, 16, C>;"
    assert removed(kernel(alias, b_decl="RowTile<128> b;")) == [False]
    assert removed(kernel(alias, b_decl="RowTile<8192> b;", b_addr="65536")) == [False]


def test_helper_with_default_template_arguments_is_a_function_whose_barrier_is_decided():
    # The helper's own barrier is read inside a function (not as file-scope text), and the kernel
    # calling it keeps its barrier around the call only where the helper's work may overlap.
    helper = ("template <bool init = false>\nAICORE inline void helper() {\n"
              f"  {TILE} c;\n  TASSIGN(c, 131072);\n  TADD(c, c, c);\n  pipe_barrier(PIPE_V);\n  TMUL(c, c, c);\n}}")
    found = decisions(kernel(helper))
    assert len(found) == 2
    assert all(not d.unread for d in found)


# File-scope integer constants (FileContext.file_constant): b's address from a constant read exactly.
CONSTANTS = "constexpr uint32_t kRows = 16;\nconstexpr uint32_t kBBase = kRows * 128 * sizeof(float) * 8;"


def test_file_scope_constant_gives_the_tile_its_address():
    assert removed(kernel(CONSTANTS, b_addr="kBBase")) == [True]
    # (65536 - 61440 = 4096: the overlap is seen through the constant too.)
    assert removed(kernel(CONSTANTS + "\nconstexpr int64_t kNear = kBBase - 61440;", b_addr="kNear")) == [False]


CONSTANT_ADVERSARIES = {
    "not constexpr (may be written)": "uint32_t kBBase = 65536;\nvoid poke() { kBBase = 4096; }",
    "const only": "const uint32_t kBBase = 65536;",
    "declared twice in two namespaces": "namespace one {\nconstexpr uint32_t kBBase = 65536;\n}\n"
                                        "constexpr uint32_t kBBase = 4096;\nusing namespace one;",
    "also a namespace's name": "namespace inner {\nconstexpr uint32_t kBBase = 4096;\n}\n"
                               "constexpr uint32_t kBBase = 65536;",
    "type aliased": "using uint32_t = uint16_t;\nconstexpr uint32_t kBBase = 65536;",
    "sizeof of an aliased type": "using half = double;\nconstexpr uint32_t kBBase = 4096 * sizeof(half) * 8;",
    "sizeof of a struct": "struct S {\n  char c[16];\n};\nconstexpr uint32_t kBBase = 4096 * sizeof(S);",
    "wraps in its type": "constexpr uint16_t kBBase = 65536 + 4096;",
    "a macro": "#define kBBase 4096\nconstexpr uint32_t kOther = 65536;",
    "under #if": "#if defined(FOO)\nconstexpr uint32_t kBBase = 65536;\n#else\nconstexpr uint32_t kBBase = 4096;\n#endif",
    "float constant": "constexpr float kBBase = 65536.0f;",
    "pointer constant": "constexpr uint32_t* kBBase = nullptr;",
}


@pytest.mark.parametrize("name", sorted(CONSTANT_ADVERSARIES))
def test_a_constant_not_read_exactly_leaves_the_address_unknown(name):
    assert True not in removed(kernel(CONSTANT_ADVERSARIES[name], b_addr="kBBase"))


def test_a_parameter_or_local_shadows_a_file_constant():
    src = kernel(CONSTANTS, b_addr="kBBase").replace("int64_t n)", "int64_t kBBase)")
    assert removed(src) == [False]
    src = kernel(CONSTANTS, b_addr="kBBase").replace("  TASSIGN(b,", "  int64_t kBBase = 4096;\n  TASSIGN(b,")
    assert removed(src) == [False]


def test_a_constant_declared_after_the_function_is_not_read_there():
    # (Declared after the kernel: the kernel's kBBase is another name, a header's say.)
    src = kernel("", b_addr="kBBase") + "constexpr uint32_t kBBase = 65536;\n"
    assert True not in removed(src)


def with_statement(statement: str) -> str:
    """The kernel with ``statement`` before its set-up drain."""
    return kernel("struct Holder;").replace("  pipe_barrier(PIPE_ALL);",
                                                                 f"  {statement}\n  pipe_barrier(PIPE_ALL);")


def test_block_alias_the_grammar_does_not_read_declares_its_name_only():
    # (`typename X::DType` is no type the statement grammar reads: the alias is unread, and may
    # declare its own name only.)
    plain = "using T1 = Tile<TileType::Vec, typename Holder::DType, 1, 8>;"
    found = decisions(with_statement(plain))
    assert [d.removed for d in found] == [True]


@pytest.mark.parametrize("statement", [
    "using PIPE_V = typename Holder::DType;",                  # the alias's name is an enumerator
    "using TMUL = typename Holder::DType;",                    # ... an op
    "using T1 = struct TMUL*;",                                        # an elaborated type specifier
    "using T1 = enum PIPE_V_E : int;",
    "using namespace Holder<float>::DType;",                           # no alias-declaration
])
def test_block_alias_that_may_declare_a_pto_name_keeps_the_barrier(statement):
    assert True not in [d.removed for d in decisions(with_statement(statement))]


TRAITS = ("template <int QT>\nstruct PAConfig {\n  static constexpr int SUB_QT = QT / 2;\n"
          "  static constexpr uint32_t SLOT = QT * 128 * sizeof(float);\n  using Row = Tile<TileType::Vec, float, 1, SLOT>;\n};")


def test_traits_class_is_read_as_a_type_of_the_file():
    assert removed(kernel(TRAITS)) == [True]


@pytest.mark.parametrize("declarations, statement", [
    # A class whose constructor or destructor may run vector work: its objects are no plain values.
    ("struct W {\n  W();\n  ~W();\n};", "W w;"),
    ("struct W {\n  W(int x);\n};", "W w(3);"),
    ("struct W {\n  operator int() const;\n  int v;\n};", "W w;\n  int64_t q = w;"),
    (TRAITS, "PAConfig<16>::Row r;\n  TASSIGN(r, 65536 - 4096);\n  TMUL(r, r, r);"),
])
def test_objects_of_a_file_class_keep_the_barrier(declarations, statement):
    src = kernel(declarations).replace("  TADD(a, a, a);\n", f"  TADD(a, a, a);\n  {statement}\n")
    assert True not in removed(src)
