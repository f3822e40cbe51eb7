"""A function template's barriers are decided once per instantiation its own file makes
(ptofix/cpp/templates.py, template_decisions.py): a barrier goes only when every instantiation's
proof removes it, and only when the set of instantiations is known exactly. Each adversarial case
below would remove a needed barrier if the model took an instantiation set for complete (or an
argument for a constant) when it is not; the positive cases show the barrier does go, so each
test can fail."""
from __future__ import annotations

import pytest

from ptofix.api import check, check_report, fix_cpp
from ptofix.compile_env import CompileEnvironment
from ptofix.source import SourceText

TILE = "Tile<TileType::Vec, float, R, 128, BLayout::RowMajor, R, 128>"


def body(head: str = "template <int R>", name: str = "body", b_at: str = "8192", extra: str = "") -> str:
    """a = [0, R*512), b = [b_at, ...): disjoint for R = 16 at 8192, overlapping for R = 32."""
    return f"""#include <pto/pto-inst.hpp>
using namespace pto;
{head}
static AICORE void {name}(__gm__ float* x) {{
  {TILE} a;
  {TILE} b;
  TASSIGN(a, 0);
  TASSIGN(b, {b_at});
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  pipe_barrier(PIPE_V);
  TMUL(b, b, b);
  pipe_barrier(PIPE_ALL);{extra}
}}
"""


def entry(calls: str) -> str:
    return f"""
__global__ AICORE void k(__gm__ float* x, int64_t n) {{
  if (n) {{
{calls}
  }}
}}
"""


def decisions(src: str, path: str = "kernel.cpp", same_access_chains: bool = False) -> list:
    result = fix_cpp(src, patterns="auto", path=path, same_access_chains=same_access_chains)
    return [d for d in result.decisions if d.decision in ("removed", "kept")]


def template_barrier(src: str, path: str = "kernel.cpp", same_access_chains: bool = False):
    found = [d for d in decisions(src, path, same_access_chains) if d.line == src[:src.index("pipe_barrier(PIPE_V)")].count("\n") + 1]
    assert len(found) == 1
    return found[0]


def test_one_instantiation_with_disjoint_bytes_removes_it():
    d = template_barrier(body() + entry("    body<16>(x);"))
    assert d.decision == "removed", d.reason


def test_every_instantiation_disjoint_removes_it():
    d = template_barrier(body(b_at="65536") + entry("    body<16>(x);\n    body<32>(x);\n    body<64>(x);"))
    assert d.decision == "removed", d.reason


def test_same_access_chain_in_every_instantiation_removes_it():
    src = body(b_at="0").replace("TMUL(b, b, b)", "TMUL(a, a, a)") + entry("    body<16>(x);\n    body<32>(x);")
    d = template_barrier(src, same_access_chains=True)
    assert d.decision == "removed", d.reason
    assert "PTOAS #674 same-access chain; msSanitizer's race check flags this pair" in d.reason
    # msSanitizer's rule (the default, fix_cpp's without same_access_chains) keeps it.
    d = template_barrier(src)
    assert d.decision == "kept" and "not credited: msSanitizer's race check flags this pair" in d.reason


def test_two_instantiations_where_only_one_overlaps_keep_it_and_name_it():
    d = template_barrier(body() + entry("    body<16>(x);\n    body<32>(x);"))
    assert d.decision == "kept"
    assert "in body<32>:" in d.reason


def test_sizeof_of_a_name_the_function_aliases_is_unknown():
    # b at 4096 * 8 / sizeof(half): 4096 (inside a) for the local `half` (double); taken for pto's
    # 2-byte half it would be 16384, clear of a.
    src = body(b_at="kOff").replace("  TASSIGN(a, 0);",
                                    "  using half = double;\n  constexpr int kOff = 4096 * 8 / sizeof(half);\n"
                                    "  TASSIGN(a, 0);")
    assert template_barrier(src + entry("    body<16>(x);")).decision == "kept"
    assert template_barrier(src.replace("  using half = double;\n", "") + entry("    body<16>(x);")).decision \
        == "removed"


def test_constexpr_and_sizeof_evaluate_under_the_binding():
    src = body(b_at="kOff").replace("  TASSIGN(a, 0);",
                                    "  constexpr int kOff = R * 128 * sizeof(float);\n  TASSIGN(a, 0);")
    assert template_barrier(src + entry("    body<16>(x);\n    body<32>(x);")).decision == "removed"
    # kOff at exactly a's end: one more row would overlap.
    bad = src.replace("R * 128 * sizeof(float)", "R * 128 * sizeof(float) - 512")
    assert template_barrier(bad + entry("    body<16>(x);")).decision == "kept"


KEPT = {
    "explicit specialization with another body":
        body() + "template <>\nstatic AICORE void body<32>(__gm__ float* x) {}\n" + entry("    body<16>(x);"),
    "the name as a function pointer":
        body() + entry("    body<16>(x);\n    auto p = &body<32>;\n    p(x);"),
    "a call with a non-constant argument":
        body() + entry("    body<16>(x);\n    const int r = n;\n    body<r>(x);"),
    "a call from another template with a dependent argument":
        body() + "template <int Q>\nstatic AICORE void outer(__gm__ float* x) {\n  body<Q>(x);\n}\n"
        + entry("    body<16>(x);\n    outer<32>(x);"),
    "an overload":
        body() + "static AICORE void body(__gm__ float* x, int y) {}\n" + entry("    body<16>(x);"),
    "a call inside an expression":
        body() + entry("    body<16>(x);\n    (void)(body<32>(x), 0);"),
    "a call from a macro":
        "#define RUN(r) body<r>(x)\n" + body() + entry("    body<16>(x);\n    RUN(32);"),
    "a default template argument":
        body(head="template <int R = 32>") + entry("    body<16>(x);\n    body<>(x);"),
    "a type parameter bound to a class":
        body(head="template <int R, typename T>") + entry("    body<16, float>(x);\n    body<32, Foo>(x);"),
    "a prototype": "template <int R> static AICORE void body(__gm__ float* x);\n" + body() + entry("    body<16>(x);"),
}


@pytest.mark.parametrize("case", sorted(KEPT))
def test_an_unknown_instantiation_set_keeps_the_barrier(case):
    d = template_barrier(KEPT[case])
    assert d.decision == "kept", d.reason


def test_a_template_in_a_header_keeps_its_barrier():
    d = template_barrier(body() + entry("    body<16>(x);"), path="kernel.hpp")
    assert d.decision == "kept"
    assert "header" in d.reason


def test_a_template_never_instantiated_keeps_its_barrier():
    d = template_barrier(body(b_at="65536") + entry("    (void)x;"))
    assert d.decision == "kept"
    assert "never instantiated" in d.reason


def test_a_type_parameter_bound_to_an_element_type():
    src = body(head="template <int R, typename T>").replace("Tile<TileType::Vec, float,", "Tile<TileType::Vec, T,")
    assert template_barrier(src + entry("    body<16, float>(x);")).decision == "removed"
    assert template_barrier(src + entry("    body<16, float>(x);\n    body<32, float>(x);")).decision == "kept"
    # half elements are 2 bytes: a = [0, 8192) for R = 32 too, clear of b at 8192.
    assert template_barrier(src + entry("    body<16, float>(x);\n    body<32, half>(x);")).decision == "removed"


# -- `ptofix check`: the races of each instantiation ---------------------------------------------
def _unbarriered(calls: str) -> str:
    return body().replace("  pipe_barrier(PIPE_V);\n", "") + entry(calls)


def test_check_shows_the_race_only_one_instantiation_has():
    assert check(_unbarriered("    body<16>(x);\n    body<32>(x);"))
    races = check_report(_unbarriered("    body<16>(x);\n    body<32>(x);"))["races"]
    assert len(races) == 1 and races[0]["kind"] == "WAW"


def test_check_verifies_each_instantiation():
    report = check_report(_unbarriered("    body<16>(x);"))
    assert not report["races"]
    assert not [u for u in report["unverified"] if u["function"] == "body"]


def test_check_leaves_a_template_with_an_unknown_instantiation_unverified():
    report = check_report(_unbarriered("    body<16>(x);\n    body<n>(x);"))
    assert not report["races"]
    assert [u for u in report["unverified"] if u["function"] == "body"]


# -- the template's entry: its callers are the file's call statements -----------------------------
CALLED_FIRST = """
__global__ AICORE void k(__gm__ float* x, int64_t n) {
%s  if (n) {
    body<16>(x);
  } else {
    body<32>(x);
  }
}
"""
NO_ENTRY_DRAIN = body(b_at="65536").replace("  pipe_barrier(PIPE_ALL);\n  TADD", "  TADD")


def test_a_window_reaching_the_entry_is_clean_when_every_call_site_is():
    assert template_barrier(NO_ENTRY_DRAIN + CALLED_FIRST % "").decision == "removed"


def test_vector_work_of_the_caller_in_flight_at_the_call_keeps_it():
    # c sits where the template's b does: the caller's TEXP may still write it when b is written.
    caller = "  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128> c;\n  TASSIGN(c, 65536);\n" \
             "  TEXP(c, c);\n"
    d = template_barrier(NO_ENTRY_DRAIN + CALLED_FIRST % caller)
    assert d.decision == "kept"
    assert "function boundary" in d.reason


def test_a_parameter_naming_a_template_parameter_keeps_the_call_unknown():
    src = NO_ENTRY_DRAIN.replace("static AICORE void body(__gm__ float* x)",
                                 "static AICORE void body(__gm__ float* x, int r = R)") + CALLED_FIRST % ""
    d = template_barrier(src)
    assert d.decision == "kept"


def test_a_constant_declared_after_an_alias_that_names_it_is_not_the_alias_s():
    # C++ binds K in the alias where the alias is declared: the file's K = 16, so a = [0, 8192)
    # overlaps b at 4096. Read with the block's K = 8, a would end at 4096, clear of b.
    src = """#include <pto/pto-inst.hpp>
using namespace pto;
constexpr int K = 16;
__global__ AICORE void k(__gm__ float* x) {
  using T = Tile<TileType::Vec, float, K, 128, BLayout::RowMajor, K, 128>;
  {
    constexpr int K = 8;
    T a;
    TASSIGN(a, 0);
    Tile<TileType::Vec, float, 8, 128, BLayout::RowMajor, 8, 128> b;
    TASSIGN(b, 4096);
    pipe_barrier(PIPE_ALL);
    TADD(a, a, a);
    pipe_barrier(PIPE_V);
    TMUL(b, b, b);
    pipe_barrier(PIPE_ALL);
  }
}
"""
    assert template_barrier(src).decision == "kept"
    # (The control: without the block's K the alias reads 16 rows, and b at 8192 is clear.)
    control = src.replace("    constexpr int K = 8;\n", "").replace("TASSIGN(b, 4096)", "TASSIGN(b, 8192)")
    assert template_barrier(control).decision == "removed"


def test_removals_in_one_instantiation_are_proved_together():
    # a/b and b/c are disjoint, a and c overlap: either barrier alone may go, never both.
    src = f"""#include <pto/pto-inst.hpp>
using namespace pto;
template <int R>
static AICORE void body(__gm__ float* x) {{
  {TILE} a;
  {TILE} b;
  {TILE} c;
  TASSIGN(a, 0);
  TASSIGN(b, 65536);
  TASSIGN(c, 4096);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  pipe_barrier(PIPE_V);
  TMUL(b, b, b);
  pipe_barrier(PIPE_V);
  TSUB(c, c, c);
  pipe_barrier(PIPE_ALL);
}}
""" + entry("    body<16>(x);\n    body<32>(x);")
    found = [d for d in decisions(src) if d.function == "body"]
    assert sorted(d.decision for d in found) == ["kept", "removed"]


def test_a_template_calling_a_helper_with_removed_barriers_keeps_its_generic_decisions():
    helper = """#include <pto/pto-inst.hpp>
using namespace pto;
static AICORE void helper(__gm__ float* x) {
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128> h;
  TASSIGN(h, 131072);
  pipe_barrier(PIPE_ALL);
  TEXP(h, h);
  pipe_barrier(PIPE_V);
  TEXP(h, h);
  pipe_barrier(PIPE_ALL);
}
"""
    src = helper + body().replace("#include <pto/pto-inst.hpp>\nusing namespace pto;\n", "").replace(
        "  pipe_barrier(PIPE_ALL);\n}", "  pipe_barrier(PIPE_ALL);\n  helper(x);\n}") + entry("    body<16>(x);")
    found = {d.function: d for d in decisions(src, same_access_chains=True)}
    assert found["helper"].decision == "removed", found["helper"].reason
    assert found["body"].decision == "kept"
    assert "calls a function with removed barriers" in found["body"].reason


def test_a_call_inside_an_if_group_counts_whether_or_not_it_is_compiled():
    d = template_barrier(body() + entry("    body<16>(x);\n#if defined(BIG)\n    body<32>(x);\n#endif"))
    assert d.decision == "kept"
    assert "in body<32>:" in d.reason
    d = template_barrier(body() + entry("#if defined(BIG)\n    body<32>(x);\n#else\n    body<16>(x);\n#endif"))
    assert "in body<32>:" in d.reason


def test_an_element_type_argument_the_caller_may_redeclare_is_unknown():
    src = body(head="template <int R, typename T>").replace("Tile<TileType::Vec, float,", "Tile<TileType::Vec, T,")
    calls = "    body<16, float>(x);\n    body<32, half>(x);"
    assert template_barrier(src + entry(calls)).decision == "removed"
    # A local `half` that is float: a = [0, 16384) for R = 32 overlaps b at 8192.
    shadowed = src + entry(calls).replace("  if (n) {", "  using half = float;\n  if (n) {")
    d = template_barrier(shadowed)
    assert d.decision == "kept"
    assert "may declare" in d.reason


def test_a_kept_reason_naming_an_instantiation_keeps_its_cause():
    # The report's cause of a barrier kept in one instantiation is read past the name: the
    # overlap's, and an unknown-bytes one for a template whose instantiations are unknown.
    from ptofix.frontends import parsers
    from ptofix.pass_manager import build_pass, run_pipeline

    def causes(src: str) -> list:
        outcome = run_pipeline(SourceText(src, "kernel.cpp"), [build_pass("pipe-v-barrier", {"pattern": "auto"})],
                               parsers(CompileEnvironment()))
        return [(str(d["reason"])[:13], d["cause"]["kind"]) for d in outcome.reports[0]["decisions"]
                if d["decision"] == "kept"]

    assert causes(body() + entry("    body<16>(x);\n    body<32>(x);")) == [("in body<32>: ", "overlap")]
    assert causes(body() + entry("    body<16>(x);\n    body<n>(x);"))[0][1] == "unknown-bytes"
