"""A helper that holds no PIPE_V barrier and names no other function of the file (ptoas's
``ptoas_auto_sync_tail``, which every kernel of a file calls) joins each group of functions that
names it instead of joining them all into one (barriers.independent_groups): the groups' models
are not alive together. The decisions must stay those of the analysis of every function at once,
whatever the helper does (vector work, flags, barriers of other pipes, a parse it fails), and a
helper a decision could see through is not shared."""
from __future__ import annotations

import random

import pytest
from test_fail_closed import TILE
from test_lazy_analysis import STATEMENTS, outcome

from ptofix.cpp.barriers import independent_groups
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText


def groups(src: str) -> list[list[str]]:
    return [[fn.name for fn in group] for group in independent_groups(parse_cpp(SourceText(src, "x.cpp")))]


def kernel_calling(name: str, call: str, work: str = "TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);",
                   head: str = "__global__ AICORE void") -> str:
    return (f"{head} {name}(__gm__ float* x, int64_t n) {{\n  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} b;\n"
            f"  TASSIGN(b, 65536);\n  pipe_barrier(PIPE_ALL);\n  {work}\n  {call}\n}}\n")


# What a shared helper may do: each decides the kernels' barriers somehow (the call is nothing, or
# unknown work, or a flag the kernel's window meets), and the grouped run must decide alike.
HELPER_BODIES = {
    "scalar": "int64_t m = 1;\n  m = m + 1;",
    "vector work": f"{TILE} t;\n  TASSIGN(t, 0);\n  TMUL(t, t, t);",
    "barrier of all pipes": "pipe_barrier(PIPE_ALL);",
    "MTE3 to S flag (ptoas's tail)": "set_flag(PIPE_MTE3, PIPE_S, EVENT_ID0);\n  wait_flag(PIPE_MTE3, PIPE_S, EVENT_ID0);",
    "V to S flag set": "set_flag(PIPE_V, PIPE_S, EVENT_ID0);",
    "V to S flag waited": "wait_flag(PIPE_V, PIPE_S, EVENT_ID0);",
    "V to S flag pair": "set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);",
    "statement the grammar cannot parse": "n = n + ;",
    "unknown call": "mystery(n);",
}


def helper(body: str, head: str = "static AICORE void") -> str:
    return f"{head} tail(int64_t n) {{\n  {body}\n}}\n"


def test_a_helper_every_kernel_calls_joins_each_kernels_group():
    src = helper("pipe_barrier(PIPE_ALL);") + "".join(kernel_calling(f"k{i}", "tail(n);") for i in range(3))
    assert groups(src) == [["tail", "k0"], ["tail", "k1"], ["tail", "k2"]]
    # Two functions are no file worth splitting: as before.
    assert groups(helper("pipe_barrier(PIPE_ALL);") + kernel_calling("k0", "tail(n);")) == [["tail", "k0"]]


@pytest.mark.parametrize("what", [
    "a PIPE_V barrier", "a call of another function", "an overload", "a template", "a barrier macro"])
def test_a_helper_a_decision_may_read_through_is_not_shared(what):
    body, extra, head = "pipe_barrier(PIPE_ALL);", "", "static AICORE void"
    if what == "a PIPE_V barrier":
        body = "pipe_barrier(PIPE_V);"
    elif what == "a call of another function":
        extra, body = "static AICORE void inner(int64_t n) {\n  n = n + 1;\n}\n", "inner(n);"
    elif what == "an overload":
        extra = "static AICORE void tail(float x) {\n  x = x + 1;\n}\n"
    elif what == "a template":
        head = "template <typename T>\nstatic AICORE void"
    else:
        extra, body = "#define SYNC_V pipe_barrier(PIPE_V)\n", "SYNC_V;"
    src = extra + helper(body, head) + "".join(kernel_calling(f"k{i}", "tail(n);") for i in range(2))
    joined = [group for group in groups(src) if "k0" in group]
    assert len(joined) == 1 and "k1" in joined[0]


@pytest.mark.parametrize("name", sorted(HELPER_BODIES))
@pytest.mark.parametrize("static", [True, False])
def test_kernels_sharing_a_helper_decide_as_the_whole_file(name, static):
    head = "static AICORE void" if static else "AICORE void"
    src = helper(HELPER_BODIES[name], head)
    # The call before the barrier's window, in it, after it; one kernel calls it twice, one never.
    src += kernel_calling("k0", "tail(n);")
    src += kernel_calling("k1", "", work="TADD(a, a, a);\n  tail(n);\n  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);")
    src += kernel_calling("k2", "tail(n);", work="tail(n);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  TMUL(a, a, a);")
    src += kernel_calling("k3", "")
    # A helper of one kernel, called by it alone (a caller of the shared helper too).
    src += f"static AICORE void own({TILE}& t, int64_t n) {{\n  TADD(t, t, t);\n  pipe_barrier(PIPE_V);\n  tail(n);\n}}\n"
    src += kernel_calling("k4", "own(a, n);")
    assert len(independent_groups(parse_cpp(SourceText(src, "x.cpp")))) == 5
    for patterns in (frozenset({"auto"}), frozenset({"gu"})):
        assert outcome(src, True, patterns) == outcome(src, False, patterns), src


def random_shared_file(rng: random.Random) -> str:
    """Leaf helpers (random statements, no calls) and kernels and helpers calling them."""
    leaves = rng.randint(1, 3)
    parts = []
    for index in range(leaves):
        body = "\n  ".join(rng.choice(STATEMENTS) for _ in range(rng.randint(1, 4))).replace("pipe_barrier(PIPE_V);", "")
        head = "static AICORE void" if rng.random() < 0.8 else "AICORE void"
        parts.append(f"{head} leaf{index}({TILE}& t, {TILE}& s, int64_t n) {{\n  {body}\n}}\n")
    count = rng.randint(2, 5)
    for index in range(count):
        body = []
        for _ in range(rng.randint(1, 7)):
            roll = rng.random()
            if roll < 0.3:
                body.append(f"leaf{rng.randrange(leaves)}(t, s, n);")
            elif roll < 0.4 and index:
                body.append(f"f{rng.randrange(index)}(t, s, n);")
            else:
                body.append(rng.choice(STATEMENTS))
        head = "__global__ AICORE void" if rng.random() < 0.6 else "static AICORE void"
        lines = "\n  ".join(body)
        parts.append(f"{head} f{index}({TILE}& t, {TILE}& s, int64_t n) {{\n  {lines}\n}}\n")
    return "".join(parts)


@pytest.mark.slow   # (several seconds of CPU)
def test_random_files_with_shared_helpers_decide_as_the_whole_file():
    rng = random.Random(20261127)
    shared = 0
    for _ in range(200):
        src = random_shared_file(rng)
        grouped = groups(src)
        shared += sum(1 for name in {n for g in grouped for n in g} if sum(name in g for g in grouped) > 1)
        for patterns in (frozenset({"auto"}), frozenset({"gu"})):
            assert outcome(src, True, patterns) == outcome(src, False, patterns), src
    assert shared > 50           # the generator does share helpers
