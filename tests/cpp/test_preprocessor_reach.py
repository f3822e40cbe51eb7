"""How far what ptofix cannot read reaches: `if constexpr`, macros that may declare anything,
braces inside parentheses, `#if` groups that cross a brace, headers not found. Each relaxation
reads only the function a construct may affect as unknown; every case below is built to break it
(the kernels of tests/cpp/test_fail_closed.py: `TADD(a, a, a)` on [0, 8192), then `TMUL(b, b, b)`
across the barrier, `b` at 4096 overlapping it unless the control puts it at 65536)."""
from __future__ import annotations

import pytest

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText, UnreadableInput

TILE = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"


def body(setup: str, before: str = "TADD(a, a, a);", after: str = "TMUL(b, b, b);") -> str:
    return f"""  {TILE} a;
  TASSIGN(a, 0);
  {TILE} b;
  {TILE} c;
  TASSIGN(c, 131072);
{setup}
  pipe_barrier(PIPE_ALL);
  {before}
  pipe_barrier(PIPE_V);
  {after}
"""


def decisions(src: str) -> list[tuple[bool, str]]:
    """(removed, reason) of each candidate barrier, in order; a file ptofix leaves as it is (valid
    C++ it cannot read) keeps its one barrier."""
    try:
        model = parse_cpp(SourceText(src, "adversary.cpp"))
    except UnreadableInput as exc:
        return [(False, str(exc))]
    return [(d.removed, d.reason) for d in BarrierAnalysis(model).run({"auto"}) if not d.unread]


def removed(src: str) -> list[bool]:
    return [done for done, _ in decisions(src)]


# -- if constexpr -----------------------------------------------------------------------------
@pytest.mark.parametrize(("before", "b_at", "expected"), [
    ("if constexpr (K) { TADD(c, c, c); } else { TADD(c, c, c); }", 65536, True),   # control: read
    # Either branch may be the instantiated one: the discarded branch's write of a is no proof.
    ("if constexpr (K) { TADD(c, c, c); } else { TADD(a, a, a); }", 4096, False),
    ("if constexpr (!K) { TADD(a, a, a); }", 4096, False),
    ("if constexpr (sizeof(int) == 4) { TADD(a, a, a); } else { TADD(c, c, c); }", 4096, False),
    # A drain in one branch only drains that instantiation.
    ("TADD(a, a, a);\n  if constexpr (K) { pipe_barrier(PIPE_V); }", 4096, False),
])
def test_if_constexpr_is_read_as_an_if_either_branch_of_which_may_run(before, b_at, expected):
    src = f"template <bool K>\n__global__ AICORE void k() {{\n{body(f'  TASSIGN(b, {b_at});', before=before)}}}\n"
    assert removed(src)[-1:] == [expected]


# -- a macro that may declare anything, used only inside function bodies ------------------------
def _with_helper(macros: str, helper_body: str, b_at: int = 65536, before: str = "TADD(a, a, a);",
                 head: str = "__global__ AICORE void k()", after_macros: str = "") -> str:
    return (f"{macros}{after_macros}AICORE void h(int n) {{\n{helper_body}\n}}\n"
            f"{head} {{\n{body(f'  TASSIGN(b, {b_at});', before=before)}}}\n")


CASE_MACRO = "#define CASE(N) case N: n += N; break;\n"


def test_a_declaring_macro_used_in_one_function_leaves_the_others_read():
    # Control: `CASE` holds `case`, `break` and ';', used in h only: k is read, its barrier goes.
    src = _with_helper(CASE_MACRO, "  switch (n) {\n  CASE(1)\n  CASE(2)\n  default: break;\n  }")
    assert removed(src) == [True]
    # The same macro used in k: k is unknown.
    inside = _with_helper(CASE_MACRO, "", before="TADD(a, a, a);\n  switch (0) { CASE(1) default: break; }")
    assert removed(inside) == [False]
    assert "the function uses the macro 'CASE'" in decisions(inside)[0][1]


@pytest.mark.parametrize(("macros", "helper_body", "after_macros"), [
    # Its replacement closes h's block and defines a function of an op's name at file scope.
    ("#define CLOSE } AICORE void TMUL(int x) {\n", "  CLOSE", ""),
    ("#define CLOSE %> AICORE void TMUL(int x) <%\n", "  CLOSE", ""),          # digraphs
    ("#define OPEN { int m;\n", "  OPEN", "AICORE void g() { OPEN }\n"),           # a brace left open
    # `##` with a parameter may paste `<` and `%` into `{`.
    ("#define P(x, y) x ## y\n", "  int P(v, w) = 0;", ""),
    # A macro whose replacement names it, used at file scope.
    (CASE_MACRO + "#define ALL CASE(1) CASE(2)\n", "  switch (n) { CASE(3) default: break; }",
     "struct T { int f(int n) { switch (n) { ALL default: break; } return n; } };\n"),
    # Used at file scope, or in a function's head.
    (CASE_MACRO, "  switch (n) { CASE(3) default: break; }", "static const int q = sizeof(\"CASE\") + CASE;\n"),
    (CASE_MACRO, "  switch (n) { CASE(3) default: break; }", "AICORE void g(int n = CASE) {}\n"),
    # A header included after its definition may use it.
    (CASE_MACRO, "  switch (n) { CASE(3) default: break; }", '#include <cstdint>\n'),
    # Its name spelled across a line splice at file scope.
    ("#define ST ; struct TADD {\n", "  int z = 0 ST };", "S\\\nT int y;\n"),
    # `_Pragma` in it may change how later code compiles.
    ("#define PK _Pragma(\"pack(1)\") ;\n", "  PK", ""),
])
def test_a_declaring_macro_that_may_act_outside_function_bodies_keeps_the_file_unknown(macros, helper_body,
                                                                                        after_macros):
    src = _with_helper(macros, helper_body, after_macros=after_macros)
    assert removed(src) == [False], decisions(src)


def test_a_function_a_declaring_macro_makes_unknown_is_unknown_to_its_callers():
    # h may run any vector op on any UB byte: k's call to it between the ops keeps the barrier.
    src = _with_helper(CASE_MACRO, "  switch (n) { CASE(1) default: break; }",
                       before="TADD(a, a, a);\n  h(1);")
    assert removed(src) == [False]


# -- a brace or ';' inside parentheses --------------------------------------------------------
@pytest.mark.parametrize(("macros", "helper_body", "expected"), [
    # Control: a braced initializer and a lambda in calls of functions no macro names.
    ("", "  int s = total(n, {1, 2});\n  apply([&] { n += 1; });", True),
    ("#define twice(x) (x) * 2\n", "  int s = total(twice(n), {1, 2});", True),   # a macro, but not around it
    # A function-like macro's arguments carry a block out of h: TMUL defined at file scope.
    ("#define swap(x, y) y x\n", "  swap({ n = 1; } AICORE void TMUL(int) {, })", False),
    # Through a rescan: ID(swap) expands to the macro's name, the next group is its arguments.
    ("#define swap(x, y) y x\n#define ID(x) x\n", "  ID(swap)({ n = 1; } AICORE void TMUL(int) {, })", False),
    # An object-like macro that names a function-like one.
    ("#define swap(x, y) y x\n#define other swap\n", "  other({ n = 1; } AICORE void TMUL(int) {, })", False),
    # A directive between the macro's name and its arguments.
    ("#define swap(x, y) y x\n", "  swap\n#define Q 1\n  ({ n = 1; } AICORE void TMUL(int) {, })", False),
    # A comment between them.
    ("#define swap(x, y) y x\n", "  swap /* x */ ({ n = 1; } AICORE void TMUL(int) {, })", False),
    # A name in capitals may be a -D macro of the compiler's command line ptofix is not told of.
    ("", "  SWAP({ n = 1; } AICORE void TMUL(int) {, })", False),
    # A ';' in them, not a for header's.
    ("#define swap(x, y) y x\n", "  swap(n = 1; n = 2, n);", False),
])
def test_a_brace_inside_parentheses_is_unknown_only_as_a_macros_argument(macros, helper_body, expected):
    src = _with_helper(macros, helper_body)
    assert removed(src) == [expected], decisions(src)


def test_a_brace_inside_the_arguments_of_a_headers_macro(tmp_path):
    (tmp_path / "wrap.h").write_text("#define wrap(x) x\n", encoding="utf-8")
    path = tmp_path / "k.cpp"
    for helper, expected in (("  int s = total(n, {1, 2});", True),
                             ("  wrap({ n = 1; });", False)):
        src = '#include "wrap.h"\n' + _with_helper("", helper)
        path.write_text(src, encoding="utf-8")
        model = parse_cpp(SourceText(src, str(path)))
        assert [d.removed for d in BarrierAnalysis(model).run({"auto"}) if not d.unread] == [expected]


# -- `#if` groups that cut across a function's braces -----------------------------------------
def _crossing(helper: str, b_at: int = 65536, before: str = "TADD(a, a, a);") -> str:
    return f"{helper}__global__ AICORE void k() {{\n{body(f'  TASSIGN(b, {b_at});', before=before)}}}\n"


LOOP_HEADS = ("AICORE void g(int n) {\n#if defined(FOO)\n  for (int i = 0; i < n; ++i) {\n#else\n"
              "  for (int i = 0; i < 4; ++i) {\n#endif\n    n += i;\n  }\n}\n")


def test_a_function_whose_if_groups_cut_across_its_braces_is_unknown_alone():
    # Control: g is unknown, k is read (before: the file was not read at all).
    found = decisions(_crossing(LOOP_HEADS))
    assert [done for done, _ in found] == [True], found
    # k calls g between the ops: g may do anything.
    assert removed(_crossing(LOOP_HEADS, before="TADD(a, a, a);\n  g(2);")) == [False]
    # A barrier inside g is kept, not read.
    inside = LOOP_HEADS.replace("    n += i;\n", "    n += i;\n    pipe_barrier(PIPE_V);\n")
    model = parse_cpp(SourceText(_crossing(inside), "adversary.cpp"))
    unread = [d for d in BarrierAnalysis(model).run({"auto"}) if d.unread]
    assert len(unread) == 1 and not unread[0].removed


@pytest.mark.parametrize("helper", [
    # In the #else reading g ends early, and TMUL is then a file-scope function k's TMUL calls.
    "AICORE void g(int n) {\n#if defined(FOO)\n  if (n) { }\n#else\n  }\n"
    f"  AICORE void TMUL({TILE}& d, {TILE}& s0, {TILE}& s1) {{\n#endif\n  n += 1;\n}}\n",
    # The groups open different numbers of braces (one of them closes g later).
    "AICORE void g(int n) {\n#if defined(FOO)\n  if (n) {\n#else\n  if (n) { {\n#endif\n  n += 1;\n  }\n}\n"
    "#if !defined(FOO)\n}\n#endif\n",
    # The function's head is inside the section.
    "#if defined(FOO)\nAICORE void g(int n) {\n#else\nAICORE void g(long n) {\n#endif\n  n += 1;\n}\n",
    # A nested section inside a crossing group whose groups differ.
    "AICORE void g(int n) {\n#if defined(FOO)\n  if (n) {\n#if defined(BAR)\n  {\n#endif\n#else\n  if (n) {\n"
    "#endif\n  n += 1;\n  }\n}\n",
])
def test_if_groups_that_may_move_a_functions_end_keep_the_file_unknown(helper):
    assert removed(_crossing(helper)) == [False]


def test_a_headers_macro_that_names_a_declaring_macro_is_one_of_its_uses(tmp_path):
    # `ALL` of the header expands to the kernel's CASE where the kernel writes it: in a class's
    # member function at file scope, outside every function body the model reads.
    (tmp_path / "cases.h").write_text("#define ALL CASE(1) CASE(2)\n", encoding="utf-8")
    path = tmp_path / "k.cpp"
    use = "struct T { int f(int n) { switch (n) { ALL default: break; } return n; } };\n"
    for after, expected in (("", True), (use, False)):
        src = '#include "cases.h"\n' + _with_helper(CASE_MACRO, "  switch (n) { CASE(3) default: break; }",
                                                     after_macros=after)
        path.write_text(src, encoding="utf-8")
        model = parse_cpp(SourceText(src, str(path)))
        assert [d.removed for d in BarrierAnalysis(model).run({"auto"}) if not d.unread] == [expected], after


# -- a header that cannot be found ------------------------------------------------------------
def _before_missing(helper_head: str = "AICORE void h()", include_at: str = "after", b_at: int = 65536) -> str:
    helper = f"{helper_head} {{\n{body(f'  TASSIGN(b, {b_at});')}  pipe_barrier(PIPE_ALL);\n}}\n"
    include = '#include "not_there.h"\n'
    entry = f"__global__ AICORE void k() {{\n{body('  TASSIGN(b, 65536);')}}}\n"
    return (include if include_at == "before" else "") + helper + (include if include_at == "after" else "") + entry


def test_a_header_not_found_makes_unknown_only_what_comes_after_it(tmp_path):
    path = tmp_path / "k.cpp"

    def outcome(src: str) -> list[tuple[bool, str]]:
        path.write_text(src, encoding="utf-8")
        model = parse_cpp(SourceText(src, str(path)))
        return [(d.removed, d.reason) for d in BarrierAnalysis(model).run({"auto"}) if not d.unread]

    # Control: h, defined before the include, is read (its barrier goes); k, after it, is unknown.
    found = outcome(_before_missing())
    assert [done for done, _ in found] == [True, False], found
    assert "not_there.h" in found[1][1]
    # h's barrier is needed: kept by the overlap, not by the header.
    assert [done for done, _ in outcome(_before_missing(b_at=4096))] == [False, False]
    # Built to break it: the include before h; h a template (its dependent calls are looked up
    # where it is instantiated, after the header).
    assert [done for done, _ in outcome(_before_missing(include_at="before"))] == [False, False]
    assert [done for done, _ in outcome(_before_missing("template <int N>\nAICORE void h()"))] == [False, False]


def test_a_header_not_found_may_call_a_static_function_defined_before_it(tmp_path):
    # h's barrier has nothing in flight before it where the file calls h (after k's drain); the
    # header, after both, may call h with vector work in flight.
    helper = (f"static AICORE void h() {{\n  {TILE} a;\n  TASSIGN(a, 0);\n  pipe_barrier(PIPE_V);\n"
              "  TADD(a, a, a);\n  pipe_barrier(PIPE_ALL);\n}\n"
              "__global__ AICORE void k() {\n  pipe_barrier(PIPE_ALL);\n  h();\n}\n")
    path = tmp_path / "k.cpp"
    for tail, expected in (("", True), ('#include "not_there.h"\n', False)):
        src = helper + tail
        path.write_text(src, encoding="utf-8")
        model = parse_cpp(SourceText(src, str(path)))
        assert [d.removed for d in BarrierAnalysis(model).run({"auto"}) if not d.unread] == [expected], tail
