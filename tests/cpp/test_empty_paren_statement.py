"""`T();` and `pto::PtoSetWaitFlag<PIPE_V, PIPE_S>();` (pto-isa's kernels/manual dispatch_mega_combine)
are expressions, never declarations: `()` alone is no declarator and a template argument declares
nothing in the block ([dcl.decl], [stmt.ambig]). So such a statement no longer makes its template
arguments (`PIPE_V`) possibly declared names, and a later `pipe_barrier(PIPE_V);` is read as the
barrier (issue 57). Its call, or the temporary it makes, stays as unknown as before: each adversary
below, built to make the statement declare a name or run vector work, keeps the barrier.

The kernel: `TADD(a, a, a)` on a at UB [0, 8192), the statement under test, `pipe_barrier(PIPE_V)`,
`TMUL(b, b, b)` on b at 65536 (no overlap).
"""
from __future__ import annotations

import pytest

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText

TILE = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"


def kernel(before: str, after: str = "") -> str:
    return f"""#include <pto/pto-inst.hpp>
using namespace pto;
using T1 = {TILE};
__global__ AICORE void k(__gm__ float* x) {{
  T1 a;
  TASSIGN(a, 0);
  T1 b;
  TASSIGN(b, 65536);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  {before}
  pipe_barrier(PIPE_V);
  {after}
  TMUL(b, b, b);
}}
"""


def decisions(src: str) -> list:
    return BarrierAnalysis(parse_cpp(SourceText(src, "paren.cpp"))).run({"auto"})


def test_control_without_the_statement_removes_the_barrier():
    (decision,) = decisions(kernel(""))
    assert decision.removed and not decision.unread


@pytest.mark.parametrize("statement", ["pto::PtoSetWaitFlag<PIPE_V, PIPE_S>();", "PtoSetWaitFlag<PIPE_V, PIPE_S>();",
                                       "Helper();"])
def test_an_empty_paren_statement_declares_nothing_but_its_call_stays_unknown(statement):
    (decision,) = decisions(kernel(statement))
    assert not decision.unread, decision.reason          # read as pipe_barrier(PIPE_V) ...
    assert "may be declared" not in decision.reason
    assert not decision.removed                          # ... and kept: the call may issue vector work
    assert "not modelled" in decision.reason


# Adversaries: each one may declare PIPE_V (a parenthesized declarator), issue vector work, or make
# a temporary whose constructor and destructor run: the barrier stays.
ADVERSARIES = {
    "a declarator in parentheses": ("pto::PtoSetWaitFlag<PIPE_V, PIPE_S>(PIPE_V);", ""),
    "a declarator after the empty parentheses' call": ("Helper<PIPE_S>()(PIPE_V);", ""),
    "a call after the barrier": ("", "pto::PtoSetWaitFlag<PIPE_V, PIPE_S>();"),
    "a temporary of a tile alias after the barrier": ("", "T1();"),
    "a temporary of a local alias after the barrier": ("", "using G = T1;\n  G();"),
    "a temporary of a template type after the barrier": ("", "Guard<T1>();"),
}


@pytest.mark.parametrize("name", ADVERSARIES)
def test_adversary_keeps_the_barrier(name):
    before, after = ADVERSARIES[name]
    (decision,) = decisions(kernel(before, after))
    assert not decision.removed, decision.reason


def early(statement: str, declarations: str = "") -> str:
    """The statement before the kernel's PIPE_ALL drain: its call (or temporary, destroyed at the end
    of its full expression) is drained before the window opens."""
    src = kernel("").replace("  pipe_barrier(PIPE_ALL);\n", f"  {statement}\n  pipe_barrier(PIPE_ALL);\n")
    return src.replace("using T1 =", f"{declarations}\nusing T1 =")


def test_a_drained_empty_paren_call_leaves_the_barrier_removable():
    # (The oracle proves it too: its window starts after the PIPE_ALL drain.)
    (decision,) = decisions(early("Maker<PIPE_V, PIPE_S>();"))
    assert decision.removed, decision.reason


@pytest.mark.parametrize("statement, declarations", [
    ("Maker<PIPE_V>();", "#define Maker int PIPE_V = 1; Holder"),            # an object-like macro of the file
    ("Maker<PIPE_V>(PIPE_V);", ""),                                       # a declaration of PIPE_V
    ("Maker<PIPE_V>{}();", ""),                                          # not a plain empty call
])
def test_a_drained_statement_that_may_declare_keeps_the_barrier(statement, declarations):
    assert True not in [d.removed for d in decisions(early(statement, declarations))]
