"""A `__global__` kernel the file's code names outside its definition is no clean boundary (red-team red3).

The proof took every declared `__global__` function's entry and exit as clean (nothing of the file in
flight on PIPE_V), whatever the rest of the file did with its name. Calling a kernel from device code
is not supported (CANN's CCE guide, "Kernel函数": no kernel calls a kernel; the Bisheng guide: a
`__global__` function is called only from the host, with <<<>>>), but a compiler that reads `k(...)`
in another function as a plain call runs the caller's vector work straight into it: the host
cost-model build does (-D__COSTMODEL defines `__global__` away, pto/common/cpu_stub.hpp). The
minimal reproducer: kernel `k` opens with `pipe_barrier(PIPE_V); TMUL(a, a, a);`, kernel `k2` runs
`TADD(a, a, a); k(g, n);`. `run --pattern auto` removed k's barrier, and `check --trace --function
k2` of the output reports TADD -> TMUL as a RAW race (the input's trace has none).

Now an entry is clean only when the file's code spells its name nowhere but in its definitions
and no header it includes names it or is unread (BarrierAnalysis.entry_named_only_where_defined): a
call, a prototype, a launch, a header's call or a file that pastes tokens leaves its boundary to the
helper rule (not static: not clean), the reason saying so.
A name in a comment calls nothing. No corpus decision changed (tests/corpus_digest.tsv).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from test_trace import PTO_ISA, in_perfsim  # (the perfsim marks every trace test shares)

from ptofix.compile_env import CompileEnvironment
from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText

ROOT = Path(__file__).resolve().parents[2]

TILE = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"
MARK = "pipe_barrier(PIPE_V);  // B"
KERNEL = (f"__global__ AICORE void k(__gm__ float* g, int n) {{\n  {TILE} a;\n  TASSIGN(a, 0);\n  {MARK}\n"
          "  TMUL(a, a, a);\n  pipe_barrier(PIPE_ALL);\n}\n")
DIRTY = f"  {TILE} a;\n  TASSIGN(a, 0);\n  TADD(a, a, a);\n"


def kernel(before: str = "", after: str = "") -> str:
    return f'#include "pto/pto-inst.hpp"\nusing namespace pto;\n{before}{KERNEL}{after}'


def marked_removed(text: str) -> tuple[bool, str]:
    model = parse_cpp(SourceText(text, "named.cpp"))
    decisions = BarrierAnalysis(model).run({"auto"})
    line = next(i for i, row in enumerate(text.split("\n"), 1) if row.endswith("// B"))
    [decision] = [d for d in decisions if text.count("\n", 0, d.stmt.span.start) + 1 == line]
    return decision.removed, decision.reason


KEPT = {
    # The reproducer: another kernel calls k with its TADD in flight.
    "called_from_a_kernel": kernel(after=f"__global__ AICORE void k2(__gm__ float* g, int n) {{\n{DIRTY}  k(g, n);\n}}\n"),
    "called_from_a_helper": kernel(after=f"static AICORE void h(__gm__ float* g) {{\n{DIRTY}  k(g, 1);\n}}\n"
                                         "__global__ AICORE void k3(__gm__ float* g) {\n  h(g);\n}\n"),
    "called_before_its_definition": kernel(
        before="__global__ AICORE void k(__gm__ float* g, int n);\n"
               f"__global__ AICORE void k2(__gm__ float* g, int n) {{\n{DIRTY}  k(g, n);\n}}\n"),
    "address_taken": kernel(after=f"__global__ AICORE void k2(__gm__ float* g, int n) {{\n{DIRTY}"
                                  "  void (*p)(__gm__ float*, int) = k;\n  p(g, n);\n}\n"),
    "named_in_a_macro": kernel(after=f"#define RUN_K k(g, n)\n__global__ AICORE void k2(__gm__ float* g, int n) {{\n"
                                     f"{DIRTY}  RUN_K;\n}}\n"),
}

REMOVED = {
    "alone": kernel(),
    "named_in_a_comment_only": kernel(after="// k(g, n) is launched from the host\n"),
    "another_kernel_beside_it": kernel(after=f"__global__ AICORE void k2(__gm__ float* g, int n) {{\n{DIRTY}}}\n"),
}


@pytest.mark.parametrize("name", sorted(KEPT))
def test_a_kernel_named_elsewhere_keeps_its_boundary_barrier(name):
    removed, reason = marked_removed(KEPT[name])
    assert not removed, KEPT[name]
    # (A prototype at file scope already leaves the whole file unmodelled.)
    expected = "not modelled" if name == "called_before_its_definition" else \
        "k() is a kernel the file's code or a header it includes names outside its definition"
    assert expected in reason, reason


def test_a_kernel_a_header_calls_keeps_its_boundary_barrier(tmp_path):
    """The file's own text names k only in its definition; the header included after it calls k
    with TADD in flight (ptofix reads the header, but not as code of the file's functions)."""
    (tmp_path / "calls_k.h").write_text(
        f"#pragma once\nstatic AICORE void g3(__gm__ float* g) {{\n{DIRTY}  k(g, 1);\n}}\n", encoding="utf-8")
    path = tmp_path / "kernel.cpp"
    text = kernel(after='#include "calls_k.h"\n__global__ AICORE void k2(__gm__ float* g, int n) {\n  g3(g);\n}\n')
    path.write_text(text, encoding="utf-8")
    model = parse_cpp(SourceText(text, str(path)))
    line = next(i for i, row in enumerate(text.split("\n"), 1) if row.endswith("// B"))
    [decision] = [d for d in BarrierAnalysis(model).run({"auto"}) if text.count("\n", 0, d.stmt.span.start) + 1 == line]
    assert not decision.removed, decision.reason
    assert "or a header it includes names outside its definition" in decision.reason, decision.reason


@pytest.mark.parametrize("name", sorted(REMOVED))
def test_a_kernel_named_only_where_defined_starts_clean(name):
    removed, reason = marked_removed(REMOVED[name])
    assert removed, reason


@in_perfsim
def test_the_trace_judge_sees_the_race_the_removal_made(tmp_path):
    """The second opinion: the host cost-model build takes k(g, n) in k2 as a call; with B deleted its
    trace from k2 has TADD -> TMUL as a RAW race, and with B kept none."""
    text = KEPT["called_from_a_kernel"]
    for keep, status in ((True, 0), (False, 1)):
        path = tmp_path / f"named_{keep}.cpp"
        path.write_text(text if keep else text.replace(MARK, "/* B deleted */"), encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "ptofix", "check", "--trace", "--pto-isa", str(PTO_ISA),
                               "--cache-dir", str(tmp_path / "cache"), "--function", "k2", "--arg", "n=16", str(path)],
                              capture_output=True, text=True, cwd=ROOT, check=False)
        assert done.returncode == status, done.stderr
        if not keep:
            assert "RAW race in the trace: TMUL's vmul reads UB [0x0, 0x2000), which TADD's vadd" in done.stderr


# The command line's -D/-U decides `#if` groups: a mention of k in a group the compile leaves out
# calls nothing (BarrierAnalysis.entry_named_only_where_defined, parser.skipped_words); one in the
# group it compiles still does.
CALLER_IN_A_GROUP = kernel(after="#ifdef WITH_CALLER\n"
                                 f"__global__ AICORE void k2(__gm__ float* g, int n) {{\n{DIRTY}  k(g, n);\n}}\n"
                                 "#endif\n")


def decided(text: str, *flags: str) -> tuple[bool, str]:
    model = parse_cpp(SourceText(text, "named.cpp"), CompileEnvironment(macro_flags=flags))
    line = next(i for i, row in enumerate(text.split("\n"), 1) if row.endswith("// B"))
    [decision] = [d for d in BarrierAnalysis(model).run({"auto"}) if text.count("\n", 0, d.stmt.span.start) + 1 == line]
    return decision.removed, decision.reason


@pytest.mark.parametrize(("flags", "removed"), [(("-DWITH_CALLER",), False), (("-UWITH_CALLER",), True),
                                                ((), False)])
def test_only_a_compiled_group_s_call_counts(flags, removed):
    # -D compiles k2's call (kept); -U leaves it out (removed); nothing decides it (kept: either
    # group may be compiled).
    assert decided(CALLER_IN_A_GROUP, *flags)[0] is removed


def test_a_call_after_a_skipped_group_still_counts():
    # The skipped group spells k too, but the call below it is compiled: the count stays above the
    # definition's.
    text = kernel(after="#ifdef WITH_CALLER\n// nothing\nvoid unused_k_name_holder(); /* k */ int k_like;\n#endif\n"
                        f"__global__ AICORE void k2(__gm__ float* g, int n) {{\n{DIRTY}  k(g, n);\n}}\n"
                        "#ifdef WITH_CALLER\nstatic int skipped = sizeof(k);\n#endif\n")
    removed, reason = decided(text, "-UWITH_CALLER")
    assert not removed and "names outside its definition" in reason, reason


def test_a_spliced_file_takes_no_group_as_skipped():
    # A line splice anywhere: the skipped words are not counted (a word may span the splice), so a
    # mention in a skipped group still keeps the barrier (conservative).
    text = CALLER_IN_A_GROUP.replace("using namespace pto;\n", "using namespace pto;\n#define ONE_SPLICED (1 + \\\n  0)\n")
    assert decided(text, "-UWITH_CALLER")[0] is False
    assert decided(text.replace("  k(g, n);\n", ""), "-UWITH_CALLER")[0] is True     # (the control)


# Pasting: `a##b` may spell a kernel's name where no count sees it, so a file that pastes in code
# trusts no kernel boundary; `##` or pto's pasting macros named only in a comment or a string
# paste nothing (FileFacts.pastes_in_code).
KK = kernel().replace("void k(", "void kk(")


@pytest.mark.parametrize(("extra", "removed"), [
    (f"#define CAT(a, b) a##b\n__global__ AICORE void k2(__gm__ float* g, int n) {{\n{DIRTY}  CAT(k, k)(g, n);\n}}\n",
     False),
    (f"#define VIA_PTO(a, b) PTO_DETAIL_CONCAT(a, b)\n__global__ AICORE void k2(__gm__ float* g, int n) {{\n{DIRTY}"
     "  VIA_PTO(k, k)(g, n);\n}\n", False),
    (f"__global__ AICORE void k2(__gm__ float* g, int n) {{\n{DIRTY}  PTO_DETAIL_CONCAT(k, k)(g, n);\n}}\n", False),
    ("// PTO_DETAIL_CONCAT(k, k) and a##b, in a comment\n", True),
    ('static const char* note = "PTO_DETAIL_CONCAT ##";\n', True),
])
def test_only_pasting_the_compiler_reads_makes_a_kernel_boundary_unclean(extra, removed):
    text = KK + extra
    model = parse_cpp(SourceText(text, "named.cpp"))
    line = next(i for i, row in enumerate(text.split("\n"), 1) if row.endswith("// B"))
    [decision] = [d for d in BarrierAnalysis(model).run({"auto"}) if text.count("\n", 0, d.stmt.span.start) + 1 == line]
    assert decision.removed is removed, decision.reason
