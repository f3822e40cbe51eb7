"""Fail closed on names: names the model read as the file's or as pto's where C++ picks the other, alias
targets, macros and pto's names redeclared elsewhere, template names before `<`, file-scope constants,
lookup of the file's functions, enumerations and namespaces.

Kernels and geometry as in tests/cpp/test_fail_closed.py.
"""
from __future__ import annotations

import pytest
from test_fail_closed import TILE, _decisions, kernel, removed
from test_fail_closed_control_and_scope import AB_TAIL, _entry
from test_fail_closed_declarations import _template_function
from test_fail_closed_lexemes_and_macros import _drain_between

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText


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
    from ptofix.cpp.statement_forms import variable_bound
    assert variable_bound("int32_t f[h() /* at most f[8] */];")
    assert variable_bound('int32_t f[g("[8]")];')
    assert not variable_bound("int32_t f[8]; // f[n]")
    assert code_only('a["x]"] /* [1] */ + \'[\'') == 'a[""]   + \'\''


def test_a_template_parameter_name_is_read_past_its_attributes():
    from ptofix.cpp.declaration_forms import template_heads as _template_heads
    from ptofix.cpp.statement_forms import template_value_params
    assert "PIPE_V" in template_value_params(_template_function("template <pipe_t PIPE_V __attribute__((unused))> "
                                                                 "void f"))
    # Attributes, brackets and parentheses are not plain parameters: not read exactly.
    assert _template_heads("template <int N [[maybe_unused]], typename T> void ") == (None, "")
    assert _template_heads("template <int (*F)(int)> void ") == (None, "")


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
    from ptofix.cpp.header_policy import only_names_the_enumeration
    from ptofix.cpp.lexical import code_only
    code = code_only("enum class Mode : int { kA = 0 };\n" + elsewhere)
    assert only_names_the_enumeration(code, "Mode") is only


def test_a_namespace_inside_an_anonymous_one_is_not_the_global_one_of_its_name():
    from ptofix.frontends import PARSERS
    from ptofix.source import SourceText
    text = ("namespace { namespace app { void h() {} } void g() {} }\n"
            "namespace app { void k() {} }\ninline namespace v1 { namespace app { void m() {} } }\n")
    spaces = {fn.name: fn.namespace for fn in PARSERS["cpp"](SourceText(text, "t.cpp")).functions}
    assert spaces == {"h": ("<anonymous>", "app"), "g": (), "k": ("app",), "m": ("app",)}
