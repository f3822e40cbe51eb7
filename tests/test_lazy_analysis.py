"""The removal pass models only the groups of functions that may hold a PIPE_V barrier
(``decide_by_groups``); its decisions must be those of the analysis of every function, on the
corpus, on the fail-closed kernels and on random multi-function files."""
from __future__ import annotations

import glob
import os
import random

import pytest
from test_fail_closed import CASES, HELPERS, LOCAL_HELPER_CASES, OPS, TILE, kernel

from ptofix.cpp.barriers import BarrierAnalysis, candidate_groups, decide_by_groups, independent_groups
from ptofix.cpp.parser import parse_cpp
from ptofix.source import PtofixError, SourceText


def _key(d) -> tuple:
    return (d.fn.name, d.stmt.span.start, d.pattern, d.removable, d.removed, d.reason, d.weight, d.context,
            d.pairs_checked, d.same_access_pairs)


def modelled(src: str) -> list[str]:
    model = parse_cpp(SourceText(src, "x.cpp"))
    return [fn.name for group in candidate_groups(model, independent_groups(model)) for fn in group]


def outcome(src: str, lazy: bool, patterns: frozenset = frozenset({"auto"})):
    """The decisions, and the unparsed statements of the modelled functions (for the full
    analysis: of the functions the lazy one models)."""
    model = parse_cpp(SourceText(src, "x.cpp"))
    if lazy:
        kept, unparsed = decide_by_groups(model, set(patterns), _key)
        return kept, [stmt.span.start for stmt in unparsed]
    names = set(modelled(src))
    analysis = BarrierAnalysis(model)
    decisions = [_key(d) for d in analysis.run(set(patterns))]
    spans = [(fn.span.start, fn.span.end) for fn in model.functions if fn.name in names]
    return decisions, [stmt.span.start for stmt in analysis.unparsed_statements()
                       if any(lo <= stmt.span.start < hi for lo, hi in spans)]


def test_corpus_decisions_equal_the_full_analysis(corpus_dir):
    files = sorted(glob.glob(os.path.join(corpus_dir, "**", "*.cpp"), recursive=True))
    compared = 0
    for path in files:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        try:
            full = outcome(text, False)
        except PtofixError:
            continue
        assert outcome(text, True) == full, path
        compared += 1
    assert compared > 100


def _fail_closed_kernels():
    for name in sorted(CASES):
        before, after = OPS.get(name, ("TADD(a, a, a);", "TMUL(b, b, b);"))
        yield kernel(CASES[name].replace("{TILE}", TILE), before, after, HELPERS.get(name, ""))
    for name in sorted(LOCAL_HELPER_CASES):
        helpers, after = LOCAL_HELPER_CASES[name]
        helpers = helpers.format(TILE=TILE)
        if after is None:
            yield kernel("  int64_t q = 65536;\n  h(q);\n  TASSIGN(b, q);", helpers=helpers)
        else:
            yield kernel("  TASSIGN(b, 65536);", after=after, helpers=helpers)


@pytest.mark.parametrize("src", list(_fail_closed_kernels()))
def test_fail_closed_kernels_decide_alike(src):
    assert outcome(src, True) == outcome(src, False)


HELPER = f"static AICORE void helper({TILE}& t) {{\n  TMUL(t, t, t);\n}}\n"
UNRELATED = "static AICORE void unrelated(int64_t n) {\n  n = n + ;\n  pipe_barrier(PIPE_ALL);\n}\n"


def test_components_follow_callees_and_callers_and_skip_the_rest():
    src = HELPER + UNRELATED + kernel("  TASSIGN(b, 65536);", after="helper(a);")
    assert modelled(src) == ["helper", "k"]
    decisions, unparsed = outcome(src, True)
    assert (decisions, unparsed) == outcome(src, False)
    assert not unparsed and not decisions[0][4]     # unrelated() is not modelled; helper()'s TMUL kept it
    model = parse_cpp(SourceText(src, "x.cpp"))
    assert len(BarrierAnalysis(model).unparsed_statements()) == 1
    # A caller without a barrier decides the entry state of its callee's barrier.
    callee = f"static AICORE void callee({TILE}& t) {{\n  pipe_barrier(PIPE_V);\n  TMUL(t, t, t);\n}}\n"
    caller = f"static AICORE void caller({TILE}& t) {{\n  TADD(t, t, t);\n  callee(t);\n}}\n"
    entry = f"__global__ AICORE void entry() {{\n  {TILE} a;\n  TASSIGN(a, 0);\n  caller(a);\n}}\n"
    src = callee + caller + UNRELATED + entry
    assert modelled(src) == ["callee", "caller", "entry"]
    assert outcome(src, True) == outcome(src, False)
    assert outcome(src, True)[0][0][4] is False


@pytest.mark.parametrize("barrier", ["pipe_barrier(/* ; */ PIPE_V);", "pipe_barrier(::PIPE_V);",
                                     "pto::pipe_barrier(pto::PIPE_V);", "pipe_barrier(PIPE_V) ;",
                                     "pipe_barrier(\n    PIPE_V);", "pipe_barrier(V_PIPE);"])
def test_any_spelling_that_may_be_a_v_barrier_is_modelled(barrier):
    src = UNRELATED + f"static AICORE void worker({TILE}& t) {{\n  TADD(t, t, t);\n  {barrier}\n  TADD(t, t, t);\n}}\n"
    assert modelled(src) == ["worker"]
    assert outcome(src, True) == outcome(src, False)


def test_a_line_splice_models_every_function():
    src = UNRELATED + "#define X \\\n  1\n" + kernel("  TASSIGN(b, 65536);")
    assert modelled(src) == ["unrelated", "k"]


STATEMENTS = ["TADD(t, t, t);", "TMUL(s, s, s);", "pipe_barrier(PIPE_V);", "pipe_barrier(PIPE_ALL);",
              "pipe_barrier(PIPE_MTE3);", "set_flag(PIPE_V, PIPE_S, EVENT_ID0);",
              "wait_flag(PIPE_V, PIPE_S, EVENT_ID0);", "n = n + ;", "TASSIGN(s, 4096);", "mystery(t);"]


def random_file(rng: random.Random) -> str:
    count = rng.randint(2, 6)
    parts = []
    for index in range(count):
        body = []
        for _ in range(rng.randint(1, 7)):
            if rng.random() < 0.25:
                callee = rng.randrange(count)
                body.append(f"f{callee}(t, s, n);" if callee < index else f"// mentions f{callee}")
            else:
                body.append(rng.choice(STATEMENTS))
        head = "__global__ AICORE void" if index == count - 1 and rng.random() < 0.7 else "static AICORE void"
        lines = "\n  ".join(body)
        parts.append(f"{head} f{index}({TILE}& t, {TILE}& s, int64_t n) {{\n  {lines}\n}}\n")
    return "".join(parts)


def test_random_files_decide_alike():
    rng = random.Random(20261123)
    skipped = 0
    for _ in range(300):
        src = random_file(rng)
        skipped += len(parse_cpp(SourceText(src, "x.cpp")).functions) - len(modelled(src))
        for patterns in (frozenset({"auto"}), frozenset({"gu"})):
            assert outcome(src, True, patterns) == outcome(src, False, patterns), src
    assert skipped > 50          # the generator does produce functions outside every component
