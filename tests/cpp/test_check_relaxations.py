"""Adversarial kernels against the relaxations that let `check` verify the real kernels (issue 68),
and the helpers of the files that test each: templates the file never instantiates
(templates.never_instantiated) and a call isolated from a caller whose boundary is not clean
(races._isolated_call) here; a header's block-id accessor proven a scalar read:
tests/cpp/test_header_scalar_functions.py; local unions and braced initialisers:
tests/cpp/test_local_aggregates.py; stores to the file's own integer variables:
tests/cpp/test_integer_globals.py; the default race model and op facts against a changed checkout:
tests/pto/test_race_model_aliased_chains.py, tests/pto/test_op_sources_stale_headers.py.

Each kernel is valid C++ (g++ -fsyntax-only against pto-isa's host cost-model build; skipped
without g++ or the checkout). The entry writes b (UB 65536), then `pipe_barrier(PIPE_V)`, then the
construct under test, then writes a (UB 0): the barrier is needed exactly when the construct may
write b. An adversarial construct hides such a write: its barrier (// GUARD) must stay under
`run --pattern auto`, and `check` must not exit 0. Its control, the same construct without the
hidden write, is verified (`check` exits 0) and its barrier (// FREE) goes.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from test_file_scope_classes import (
    ALIAS,
    HEAD,
    host_include,  # noqa: F401  (a fixture)
    marked_lines,
    run_auto,
)

from ptofix.cli import main

GUARD = "pipe_barrier(PIPE_V);  // GUARD"
FREE = "pipe_barrier(PIPE_V);  // FREE"
ENTRY = 'extern "C" __global__ AICORE void kernel_entry(__gm__ int64_t* args, int64_t n)'
SETUP = """  T16 a;
  TASSIGN(a, 0x0);
  T16 b;
  TASSIGN(b, 65536);
  pipe_barrier(PIPE_ALL);
"""
WRITES_B = "T16 w; TASSIGN(w, 65536); pto::TMUL(w, w, w);"
# A class whose conversion to bool, to an integer and assignment from one write b's bytes.
EVIL = f"""struct Evil {{
  int64_t v;
  AICORE operator bool() const {{ {WRITES_B} return v != 0; }}
  AICORE operator int32_t() const {{ {WRITES_B} return 1; }}
  AICORE Evil& operator=(int64_t x) {{ {WRITES_B} v = x; return *this; }}
}};
"""


def kernel(mark: str, stmt: str = "", defs: str = "", includes: str = "", entry: str = ENTRY) -> str:
    return (HEAD + includes + ALIAS + defs + f"{entry}\n{{\n{SETUP}  TADD(b, b, b);\n  {mark}\n{stmt}"
            "  TMUL(a, a, a);\n  pipe_barrier(PIPE_ALL);\n}\n")


def check_status(tmp_path: Path, text: str) -> tuple[int, str]:
    kernel_file = tmp_path / "k.cpp"
    kernel_file.write_text(text)
    report = tmp_path / "check.json"
    status = main(["check", "-q", "--report", "json", "--report-file", str(report), str(kernel_file)])
    return status, report.read_text()


def guard_kept(tmp_path: Path, text: str, include: list[str] | None) -> str:
    """The GUARD stays code with a reason, and check does not call the kernel verified."""
    by_line, output = run_auto(tmp_path, text, include)
    [line] = marked_lines(text, "// GUARD")
    assert output.splitlines()[line - 1].lstrip().startswith("pipe_barrier(PIPE_V);"), output
    assert by_line[line]["decision"] == "kept", by_line
    status, report = check_status(tmp_path, text)
    assert status in (1, 4), (status, report)
    return report


def free_removed(tmp_path: Path, text: str, include: list[str] | None) -> None:
    """The control: the FREE barrier goes and check verifies the kernel (exit 0)."""
    by_line, _ = run_auto(tmp_path, text, include)
    [line] = marked_lines(text, "// FREE")
    assert by_line[line]["decision"] == "removed", by_line
    status, report = check_status(tmp_path, text)
    assert status == 0, report


def with_header(tmp_path: Path, header: str, include: list[str] | None) -> list[str] | None:
    (tmp_path / "rt.h").write_text(header)
    return None if include is None else [*include, "-I", str(tmp_path)]


# -- templates the file never instantiates ---------------------------------------------------------
TEMPLATE = """template <typename P>
AICORE inline void lane_helper(P p) {
  if (p) { pipe_barrier(PIPE_ALL); }
}
"""


def test_control_a_template_never_instantiated_is_no_code(tmp_path, host_include):  # noqa: F811
    """Its parameter may be any class, but nothing instantiates it: nothing of it runs."""
    free_removed(tmp_path, kernel(FREE, defs=TEMPLATE), host_include)


def test_a_template_called_with_a_class_object_is_analysed(tmp_path, host_include):  # noqa: F811
    """Called (its argument deduced) with a class whose operator bool writes b: `if (p)` runs it."""
    report = guard_kept(tmp_path, kernel(GUARD, "  Evil e{1};\n  lane_helper(e);\n", EVIL + TEMPLATE), host_include)
    assert "lane_helper" in report


def test_a_template_called_through_a_pasted_name_is_analysed(tmp_path, host_include):  # noqa: F811
    """`CAT(lane_, helper)(e)` names it once in the text, pasted: its instantiation is not seen."""
    defs = EVIL + TEMPLATE + "#define CAT(x, y) x##y\n"
    report = guard_kept(tmp_path, kernel(GUARD, "  Evil e{1};\n  CAT(lane_, helper)(e);\n", defs), host_include)
    assert "lane_helper" in report


def test_an_explicit_specialization_called_keeps_the_guard(tmp_path, host_include):  # noqa: F811
    """`template <> void lane_helper<int>(int)` writes b, and the entry calls it."""
    defs = TEMPLATE + f"template <>\nAICORE inline void lane_helper<int>(int p) {{ {WRITES_B} }}\n"
    guard_kept(tmp_path, kernel(GUARD, "  lane_helper(3);\n", defs), host_include)


def test_a_template_a_header_calls_is_analysed(tmp_path, host_include):  # noqa: F811
    """A header's template calls it by argument-dependent lookup where the kernel instantiates the
    header's template: the kernel's text names it once, but it is instantiated."""
    header = "#pragma once\ntemplate <typename T> AICORE inline void relay(T t) { lane_helper(t); }\n"
    include = with_header(tmp_path, header, host_include)
    text = kernel(GUARD, "  Evil e{1};\n  relay(e);\n", EVIL + TEMPLATE, includes='#include "rt.h"\n')
    report = guard_kept(tmp_path, text, include)
    assert "lane_helper" in report


# -- a call from a caller whose boundary is not clean ---------------------------------------------
PLAIN_ENTRY = 'extern "C" AICORE void kernel_entry(__gm__ int64_t* args, int64_t n)'


def helper(first: str) -> str:
    return (f"static AICORE inline void work()\n{{\n  T16 a;\n  TASSIGN(a, 0x0);\n  {first}\n"
            "  TADD(a, a, a);\n  pipe_barrier(PIPE_ALL);\n}\n")


def test_control_a_helper_called_from_a_plain_entry(tmp_path):
    """A function not declared `__global__` (simpler's `kernel_entry`) may start with work of
    another file in flight, which `check` does not judge (the same ops written in the entry itself
    are verified): its call of a function of the file whose work nothing of the caller can meet
    is verified as those ops are."""
    for body in ("  work();\n", "  T16 a;\n  TASSIGN(a, 0x0);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_ALL);\n"):
        text = HEAD + ALIAS + helper("") + f"{PLAIN_ENTRY}\n{{\n{body}}}\n"
        status, report = check_status(tmp_path, text)
        assert status == 0, (body, report)


@pytest.mark.parametrize("body", [
    # The caller's own TMUL of a's bytes may still run when the callee's TADD writes them.
    "  T16 a;\n  TASSIGN(a, 0x0);\n  TMUL(a, a, a);\n  work();\n",
    # After the call, the caller's TMUL may meet the callee's last TADD (no drain at its end).
    "  work();\n  T16 a;\n  TASSIGN(a, 0x0);\n  TMUL(a, a, a);\n",
    # In a loop: the callee's TADD of one iteration may meet the next one's.
    "  for (int64_t i = 0; i < n; ++i) {\n    work();\n  }\n",
])
def test_a_call_the_caller_s_work_may_meet_is_not_verified(tmp_path, body):
    callee = ("static AICORE inline void work()\n{\n  T16 a;\n  TASSIGN(a, 0x0);\n  TADD(a, a, a);\n}\n")
    text = HEAD + ALIAS + callee + f"{PLAIN_ENTRY}\n{{\n{body}}}\n"
    status, report = check_status(tmp_path, text)
    assert status in (1, 4), report


# -- where the note points ------------------------------------------------------------------------
def test_the_caret_is_on_the_call_that_is_not_modelled(tmp_path, capsys):
    """`int32_t idx = 3 + mystery(args);`: the note's column is the call's, not `int32_t`'s."""
    text = HEAD + ALIAS + f"{ENTRY}\n{{\n  T16 a;\n  TASSIGN(a, 0x0);\n  int32_t idx = 3 + mystery(args);\n" \
                          "  TADD(a, a, a);\n  pipe_barrier(PIPE_ALL);\n}\n"
    kernel_file = tmp_path / "k.cpp"
    kernel_file.write_text(text)
    assert main(["check", "--color", "never", str(kernel_file)]) == 4
    err = capsys.readouterr().err
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "mystery" in row)
    column = text.splitlines()[line - 1].index("mystery") + 1
    assert f"k.cpp:{line}:{column}: note: 'kernel_entry' is unverified: call to 'mystery'" in err, err
    assert f"{' ' * (column - 1)}^~~~~~~" in err, err


# -- templates instantiated without their name spelled twice --------------------------------------
RACY = "T16 r; TASSIGN(r, 0x0); T16 s; TASSIGN(s, 4096); pto::TADD(r, r, r); pto::TMUL(s, s, s);"
TEMPLATE_CASES = {
    # `lane_hel\<newline>per(e)`: one spelling in the text, a call after the line splice.
    "a call through a line splice": ("  Evil e{1};\n  lane_hel\\\nper(e);\n", EVIL + "template <typename P>\n"
                                     "AICORE inline void lane_helper(P p) {\n  if (p) { pipe_barrier(PIPE_ALL); }\n}\n"),
    # A literal operator template, instantiated by `12_w`, which does not spell its name.
    "a user-defined literal": ("  int v = 12_w;\n  (void)v;\n",
                               f"template <char... C>\nAICORE inline int operator\"\"_w() {{ {RACY} return 0; }}\n"),
    # An operator template, instantiated by `1 + g`.
    "an operator template": ("  Tag g;\n  int v = 1 + g;\n  (void)v;\n",
                             f"struct Tag {{}};\ntemplate <typename P>\nAICORE inline int operator+(P p, Tag) {{ {RACY} "
                             "return 0; }\n"),
}


@pytest.mark.parametrize("case", sorted(TEMPLATE_CASES))
def test_a_template_instantiated_without_its_name_is_not_verified(tmp_path, host_include, case):  # noqa: F811
    stmt, defs = TEMPLATE_CASES[case]
    guard_kept(tmp_path, kernel(GUARD, stmt, defs), host_include)


# -- a call isolated from an unclean caller boundary ----------------------------------------------
WORK = "static AICORE inline void work()\n{\n  T16 a;\n  TASSIGN(a, 0x0);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_ALL);\n}\n"
MID = "AICORE void mid()\n{\n  work();\n}\n"
ISOLATED_CASES = {
    # `mid` (no __global__) has an unclean entry, but it is the file's: the kernel's TMUL of a may
    # still run when work's TADD writes a.
    "before, through a plain caller of the file": WORK + MID + f"{ENTRY}\n{{\n  T16 a;\n  TASSIGN(a, 0x0);\n"
                                                  "  TMUL(a, a, a);\n  mid();\n}\n",
    "after, through a plain caller of the file": (
        "static AICORE inline void work()\n{\n  pipe_barrier(PIPE_ALL);\n  T16 a;\n  TASSIGN(a, 0x0);\n"
        "  TADD(a, a, a);\n}\n" + MID + f"{ENTRY}\n{{\n  mid();\n  T16 a;\n  TASSIGN(a, 0x0);\n  TMUL(a, a, a);\n"
        "  pipe_barrier(PIPE_ALL);\n}\n"),
    # The plain entry's own TMUL, at bytes it cannot tell (the address a parameter), or under a
    # condition, or reached through a pointer to the function.
    "before, at an unknown address": (WORK + f"{PLAIN_ENTRY}\n{{\n  T16 u;\n  TASSIGN(u, n);\n  TMUL(u, u, u);\n"
                                      "  work();\n}\n"),
    "before, under a condition": (WORK + f"{PLAIN_ENTRY}\n{{\n  if (n) {{\n    T16 u;\n    TASSIGN(u, 0x0);\n"
                                  "    TMUL(u, u, u);\n  }\n  work();\n}\n"),
    "through a function pointer": (WORK + f"{PLAIN_ENTRY}\n{{\n  T16 u;\n  TASSIGN(u, 0x0);\n  TMUL(u, u, u);\n"
                                   "  void (*f)() = work;\n  f();\n}\n"),
    # Two calls in a plain entry: the second's TADD may meet the first's.
    "twice from a plain entry": ("static AICORE inline void work()\n{\n  T16 a;\n  TASSIGN(a, 0x0);\n  TADD(a, a, a);\n}\n"
                                 f"{PLAIN_ENTRY}\n{{\n  work();\n  work();\n  pipe_barrier(PIPE_ALL);\n}}\n"),
}


@pytest.mark.parametrize("case", sorted(ISOLATED_CASES))
def test_a_call_not_isolated_is_not_verified(tmp_path, case):
    status, report = check_status(tmp_path, HEAD + ALIAS + ISOLATED_CASES[case])
    assert status in (1, 4), report
