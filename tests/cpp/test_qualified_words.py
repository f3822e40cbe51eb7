"""A statement that may be a declaration (`ext::CVT(dst, src, RoundMode::CAST_NONE);`: its head may
name a type) declares none of the words it spells only qualified (`RoundMode`, `CAST_NONE`) or
after `->`: a block's declarator-id is never qualified ([dcl.meaning]). Any word it also spells
unqualified, even once, may still be what it declares (`ext::Obj(BLayout) = ...(pto::BLayout)`).

Each kernel is valid C++ (g++ -fsyntax-only against pto-isa's host cost-model build; skipped
without g++ or the checkout)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_file_scope_classes import assert_valid_cpp, host_include  # noqa: F401  (a fixture)

from ptofix.cli import main
from ptofix.cpp.lexical import qualified_only_names

TILE = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128>"

# A header with a function and a class in a namespace of its own: neither declares a name ptofix
# reads as pto's, so only the statement in the kernel decides.
EXT = """#include <pto/pto-inst.hpp>
namespace ext {
template <typename D, typename S>
AICORE void CVT(D &, S &, pto::RoundMode) {}
struct Obj {
  int v;
  template <typename... A> AICORE void operator()(A &...) const {}
  static AICORE Obj from(int v) { return Obj{v}; }
};
}  // namespace ext
"""


def kernel(statement: str, mark: str) -> str:
    """The barrier between TADD(a) and TMUL(b) (disjoint bytes) marked ``mark``, then
    ``statement`` on a third tile."""
    return f"""#include <pto/pto-inst.hpp>
#include "ext.hpp"
using namespace pto;
extern "C" __global__ AICORE void kernel_entry(__gm__ float* x, int64_t n) {{
  {TILE} a;
  TASSIGN(a, 0x0);
  {TILE} b;
  TASSIGN(b, 65536);
  {TILE} c;
  TASSIGN(c, 131072);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  pipe_barrier(PIPE_V);  // {mark}
  TMUL(b, b, b);
  pipe_barrier(PIPE_ALL);
  {statement}
  pipe_barrier(PIPE_ALL);
}}
"""


def decision(tmp_path: Path, text: str, include: list[str] | None) -> dict:
    (tmp_path / "ext.hpp").write_text(EXT)
    path = tmp_path / "k.cpp"
    path.write_text(text)
    assert_valid_cpp(path, None if include is None else [*include, "-I", str(tmp_path)])
    report, out = tmp_path / "report.json", tmp_path / "out.cpp"
    status = main(["run", "--pattern", "auto", "-q", "-I", str(tmp_path), "--report", "json",
                   "--report-file", str(report), str(path), "-o", str(out)])
    assert status == 0
    [entry] = json.loads(report.read_text())["files"]
    [line] = [i for i, s in enumerate(text.splitlines(), 1) if "// GUARD" in s or "// FREE" in s]
    [found] = [d for p in entry["passes"] if p["pass"] == "pipe-v-barrier" for d in p["decisions"]
               if d["line"] == line]
    kept_in_output = out.read_text().splitlines()[line - 1].lstrip().startswith("pipe_barrier(PIPE_V);")
    assert kept_in_output == (found["decision"] == "kept")
    return found


@pytest.mark.parametrize("statement", [
    "ext::CVT(c, c, RoundMode::CAST_NONE);",                    # the pto-kernels int4 helper's call
    "ext::CVT(c, c, pto::RoundMode::CAST_NONE);",
    "ext::Obj(other) = ext::Obj::from(sizeof(pto::BLayout));",  # declares `other` only
])
def test_a_word_spelled_only_qualified_is_not_declared(tmp_path, host_include, statement):  # noqa: F811
    found = decision(tmp_path, kernel(statement, "FREE"), host_include)
    assert found["decision"] == "removed", found


@pytest.mark.parametrize("statement", [
    # `ext::Obj BLayout = ...`: the local hides pto's BLayout; the qualified spelling in the
    # initializer does not make the declarator qualified.
    "ext::Obj(BLayout) = ext::Obj::from(sizeof(pto::BLayout));",
    "ext::Obj(RoundMode) = ext::Obj::from(sizeof(RoundMode::CAST_NONE));",
    "ext::Obj(pto) = ext::Obj::from(sizeof(pto::BLayout));",
])
def test_a_word_also_spelled_unqualified_may_be_declared(tmp_path, host_include, statement):  # noqa: F811
    found = decision(tmp_path, kernel(statement, "GUARD"), host_include)
    assert found["decision"] == "kept", found
    assert "may be declared in the function" in found["reason"], found


@pytest.mark.parametrize(("text", "expected"), [
    ("ns::F(x, RoundMode::CAST_NONE);", {"ns", "F", "RoundMode", "CAST_NONE"}),
    ("Obj(RoundMode) = Obj::from(RoundMode::X);", {"from", "X"}),
    ("a::b::c(p->x, q.y, args...z);", {"a", "b", "c", "x"}),       # `q.y`: a `.` is not read
    ('T(1.e5, e5, "k::e5", /* q::e5 */ e5);', set()),               # literals and comments blanked
    ("T(a :: /* c */ b);", {"a", "b"}),
    ("T(x);", set()),
    ("T(::x, x);", set()),                                           # once unqualified: may be declared
    ("T(y, ::y);", set()),
])
def test_qualified_only_names(text, expected):
    assert qualified_only_names(text) == expected
