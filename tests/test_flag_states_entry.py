"""Flag states at simpler's task entry and across the file's own calls (ptofix/cpp/flag_states.py,
issue 68 item 4): `extern "C" __aicore__ void kernel_entry(__gm__ int64_t *args)` starts with no
set pending, as a `__global__` kernel does, when the kernel cannot return with one pending; a
static helper it alone calls starts in its state at the call; a call of one of the file's
functions leaves what the callee's own dataflow gives at its return.

Each kernel is valid C++ (g++ -fsyntax-only against pto-isa's host cost-model build where g++ and
the checkout are there). The helper `work()` writes a, then a V->S flag pair and its S->V return
(EVENT_ID1: a flag round trip, which the vendor's rule counts; the V->S half alone orders nothing,
tests/cpp/test_v_to_s_flag_drain.py), then `pipe_barrier(PIPE_V)`, then writes a again: the barrier
may go only if the round trip drains the first write, which it does only if no set of V->S
EVENT_ID0 is pending when its set is issued. Controls
(// FREE): the barrier goes, and `check` verifies the kernel without it. Adversarial variants
(// GUARD): a set may be pending there (or the entry is not simpler's): the barrier stays, and
`check` of the kernel without it does not exit 0 (the pair alone orders the two writes).
"""
from __future__ import annotations

import pytest
from test_check_relaxations import check_status
from test_file_scope_classes import (
    ALIAS,
    HEAD,
    host_include,  # noqa: F401  (a fixture)
    marked_lines,
    run_auto,
)

AICORE = "#ifndef __aicore__\n#define __aicore__ [aicore]\n#endif\n"
TASK = 'extern "C" __aicore__ __attribute__((always_inline)) void kernel_entry(__gm__ int64_t* args)'
SET_VS = "set_flag(PIPE_V, PIPE_S, EVENT_ID0);"
WAIT_VS = "wait_flag(PIPE_V, PIPE_S, EVENT_ID0);"
RETURN_SV = "set_flag(PIPE_S, PIPE_V, EVENT_ID1);\n  wait_flag(PIPE_S, PIPE_V, EVENT_ID1);"


def work(mark: str, static: str = "static ", end: str = "") -> str:
    return (f"{static}__aicore__ void work()\n{{\n  T16 a;\n  TASSIGN(a, 0x0);\n  pipe_barrier(PIPE_ALL);\n"
            f"  TADD(a, a, a);\n  {SET_VS}\n  {WAIT_VS}\n  {RETURN_SV}\n  {mark}\n  TMUL(a, a, a);\n  pipe_barrier(PIPE_ALL);\n"
            f"{end}}}\n")


def task(mark: str, body: str = "  work();\n", defs: str = "", entry: str = TASK, static: str = "static ",
         before: str = "", end: str = "", after: str = "") -> str:
    return HEAD + AICORE + ALIAS + before + work(mark, static, end) + defs + f"{entry}\n{{\n{body}}}\n" + after


FREE = "pipe_barrier(PIPE_V);  // FREE"
GUARD = "pipe_barrier(PIPE_V);  // GUARD"


def decision(tmp_path, text: str, include, mark: str) -> str:
    by_line, _ = run_auto(tmp_path, text, include)
    [line] = marked_lines(text, mark)
    return by_line[line]["decision"]


def check_without(tmp_path, text: str, mark: str) -> tuple[int, str]:
    """`check` of the kernel with the marked barrier deleted."""
    return check_status(tmp_path, "\n".join(row for row in text.split("\n") if mark not in row))


def test_control_a_helper_of_simpler_s_task_entry_starts_clean(tmp_path, host_include):  # noqa: F811
    text = task(FREE)
    assert decision(tmp_path, text, host_include, "// FREE") == "removed"
    assert check_without(tmp_path, text, "// FREE")[0] == 0


def test_control_comments_naming_the_functions_call_nothing(tmp_path, host_include):  # noqa: F811
    """pypto writes `// Kernel Function: <name>` above the ptoas function: no caller."""
    text = task(FREE, before="// Kernel Function: work\n// kernel_entry forwards to work\n")
    assert decision(tmp_path, text, host_include, "// FREE") == "removed"
    assert check_without(tmp_path, text, "// FREE")[0] == 0


def test_control_a_balanced_flag_helper_after_the_work(tmp_path, host_include):  # noqa: F811
    """ptoas_auto_sync_tail's shape, called at the end of the ptoas function: a helper that
    sets and waits MTE3->S, or V->S in another branch: the kernel returns with none pending
    through two calls' own dataflows."""
    tail = ("static __aicore__ inline void tail(int mode) {\n  if (mode) {\n"
            "    set_flag(PIPE_MTE3, PIPE_S, EVENT_ID0);\n    wait_flag(PIPE_MTE3, PIPE_S, EVENT_ID0);\n"
            f"  }} else {{\n    {SET_VS}\n    {WAIT_VS}\n  }}\n}}\n")
    text = task(FREE, before=tail, end="  tail(1);\n")
    assert decision(tmp_path, text, host_include, "// FREE") == "removed"
    assert check_without(tmp_path, text, "// FREE")[0] == 0


ARM = f"static __aicore__ inline void arm() {{\n  {SET_VS}\n}}\n"
ADVERSARIAL = {
    # Not simpler's declaration: any caller (another file's) may hold a set pending.
    "no_extern_c": dict(entry="__aicore__ void kernel_entry(__gm__ int64_t* args)"),
    "extern_c_plus_plus": dict(entry='extern "C++" __aicore__ void kernel_entry(__gm__ int64_t* args)'),
    "two_parameters": dict(entry='extern "C" __aicore__ void kernel_entry(__gm__ int64_t* args, int64_t n)'),
    "other_name": dict(entry='extern "C" __aicore__ void kernel_main(__gm__ int64_t* args)'),
    # simpler's core-swimlane tool renames the entry by a macro: then it is another function.
    "renamed_by_macro": dict(before="#define kernel_entry l0_f1_entry\n"),
    # Called in the file too: that caller may hold a set pending.
    "called_in_the_file": dict(after=f"__aicore__ void again() {{\n  {SET_VS}\n  kernel_entry(nullptr);\n"
                                     f"  {WAIT_VS}\n}}\n"),
    # The kernel returns with a set pending: the next task on the core starts with it.
    "returns_with_a_set_pending": dict(body=f"  work();\n  {SET_VS}\n"),
    "a_callee_returns_with_a_set_pending": dict(defs=ARM, body="  work();\n  arm();\n"),
    # A set pending at the helper's call: its own set is a second one.
    "caller_sets_before_the_call": dict(body=f"  {SET_VS}\n  work();\n  {WAIT_VS}\n"),
    "a_callee_sets_before_the_call": dict(defs=ARM, body=f"  arm();\n  work();\n  {WAIT_VS}\n"),
    "a_macro_callee_sets_before_the_call": dict(
        before="#define ARM_VS() set_flag(PIPE_V, PIPE_S, EVENT_ID0)\n",
        defs="static __aicore__ inline void arm() {\n  ARM_VS();\n}\n", body=f"  arm();\n  work();\n  {WAIT_VS}\n"),
    "an_unknown_call_before_the_call": dict(before="extern __aicore__ void mystery();\n",
                                            body="  mystery();\n  work();\n"),
    # The helper has external linkage or another caller whose state is not known.
    "helper_not_static": dict(static=""),
    "helper_also_called_by_an_unknown_caller": dict(defs="__aicore__ void again() {\n  work();\n}\n"),
    # Another kernel of the file may run before the task; its return is not checked.
    "a_global_kernel_in_the_file": dict(defs='extern "C" __global__ __aicore__ void other(__gm__ int64_t* args) '
                                             f"{{\n  {SET_VS}\n}}\n"),
    "a_kernel_behind_a_macro": dict(before="#define KERNEL_ENTRY __global__ __aicore__\n",
                                    defs=f'extern "C" KERNEL_ENTRY void other(__gm__ int64_t* args) {{\n  {SET_VS}\n}}\n'),
}


# Unverified by `check` for what the variant adds first (an unknown call, a macro named as the
# function), before the flag is asked.
UNVERIFIED_FIRST_BY_ANOTHER_CONSTRUCT = {"an_unknown_call_before_the_call", "renamed_by_macro"}


@pytest.mark.parametrize("case", sorted(ADVERSARIAL))
def test_a_set_that_may_be_pending_keeps_the_barrier(tmp_path, host_include, case):  # noqa: F811
    text = task(GUARD, **ADVERSARIAL[case])
    assert decision(tmp_path, text, host_include, "// GUARD") == "kept"
    status, report = check_without(tmp_path, text, "// GUARD")
    assert status == 4, report
    assert case in UNVERIFIED_FIRST_BY_ANOTHER_CONSTRUCT or "not proven to alternate" in report, report


def test_a_recursive_helper_is_followed_no_further(tmp_path, host_include):  # noqa: F811
    """A call cycle between the entry's callees: what the cycle leaves is not known."""
    defs = (f"static __aicore__ void spin(int n);\nstatic __aicore__ void spin(int n) {{\n  if (n > 0) {{\n"
            f"    spin(n - 1);\n  }}\n  {SET_VS}\n}}\n")
    text = task(GUARD, defs=defs, body="  spin(2);\n  work();\n")
    assert decision(tmp_path, text, host_include, "// GUARD") == "kept"
