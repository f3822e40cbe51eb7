"""Red team red10: barriers after flag snippets between PIPE_V and another pipe, decided by the proof
and judged by pto-isa's host cost model (tests/fixtures/flag_orders/).

flag_round_trips.cpp: each section writes a tile with one TEXP, runs a flag snippet, has the barrier, and reads
the tile with another TEXP (a PIPE_ALL barrier closes the section). The vendor's rule orders the two only
through the barrier or a V -> X -> V flag round trip (msSanitizer's a2/a3 rule; ptofix/trace/judge.py):
the S -> V set issued after the V -> S wait, both sets issued after the earlier op and waited before the
later one. `run --pattern auto` removes the barrier after a proper V -> S -> V round trip, straight or in
a loop, and keeps it after a misordered round trip (the S -> V set before the V -> S wait), a V -> S or
S -> V half alone, a V -> S set issued before the earlier op, a round trip in one branch only, a V -> S
wait in one branch only (its set then pending on the other path), a V -> MTE3 -> V round trip (the
proof credits round trips through the scalar unit only: kept, the trace shows it unneeded) and a V -> S
set issued twice before one wait (a flag is one bit: not allowed, kept; the judge's oldest-set matching
shows it unneeded). The trace shows every other kept barrier needed: without it the two TEXPs race in
the run that executes the section (v3=0 for the branch sections).

flag_event_spellings.cpp: flags that do not pair as spelled, all kept: a V -> S wait whose event variable
changed since the set (it consumes no set: needed), an S -> V set whose wait on V is MTE2's flag or
another event's (needed), a PIPE_S barrier then an S -> V pair (the scalar unit waits for no V work),
and two proper round trips the proof does not trust, one through a const event variable and one after
the variable event (an event that may vary may be any: no V -> S pair of the function is
trusted); the trace shows these two unneeded.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_trace import PTO_ISA, in_perfsim  # (the perfsim marks every trace test shares)
from test_trace_fuzz import fuzz

from ptofix.api import fix_cpp

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "flag_orders"


def marked(name: str) -> dict[int, tuple[str, str]]:
    """line -> (KEEP or DROP, label) of each barrier of the fixture."""
    out = {}
    for number, line in enumerate((FIXTURES / name).read_text(encoding="utf-8").split("\n"), 1):
        found = re.fullmatch(r"\s*pipe_barrier\(PIPE_V\);\s*// (KEEP|DROP) (.*)", line)
        if found:
            out[number] = (found.group(1), found.group(2))
    return out


# What the trace says of each barrier left out alone, per run (v3=0, v3=1): needed (a race without it)
# or unneeded. A KEEP the trace calls unneeded in every run is kept for the proof's own reasons (above).
TRACE: dict[str, dict[str, tuple[str, str]]] = {"flag_round_trips.cpp": {
    "round trip": ("unneeded", "unneeded"),
    "misordered": ("needed", "needed"),
    "V->S only": ("needed", "needed"),
    "S->V only": ("needed", "needed"),
    "set before the op": ("needed", "needed"),
    "one branch": ("needed", "unneeded"),
    "wait in one branch": ("needed", "unneeded"),
    "MTE3 round trip": ("unneeded", "unneeded"),
    "loop, before the round trip": ("needed", "needed"),
    "loop, after the round trip": ("unneeded", "unneeded"),
    "set twice": ("unneeded", "unneeded"),
}, "flag_event_spellings.cpp": {
    "event changed": ("needed", "needed"),
    "const event": ("unneeded", "unneeded"),
    "wait of another pipe": ("needed", "needed"),
    "other event": ("needed", "needed"),
    "scalar barrier": ("needed", "needed"),
    "after a variable event": ("unneeded", "unneeded"),
}}
NAMES = sorted(TRACE)


def test_the_fixtures_mark_every_barrier():
    assert sorted(p.name for p in FIXTURES.glob("*.cpp")) == NAMES
    for name in NAMES:
        barriers = marked(name)
        text = (FIXTURES / name).read_text(encoding="utf-8")
        assert text.count("pipe_barrier(PIPE_V);") == len(barriers) == len(TRACE[name])
        assert sorted(label for _, label in barriers.values()) == sorted(TRACE[name])


@pytest.mark.parametrize("name", NAMES)
def test_the_proof_drops_only_after_a_round_trip_through_the_scalar_unit(name):
    fixed = fix_cpp((FIXTURES / name).read_text(encoding="utf-8"), patterns="auto")
    decided = {d.line: d for d in fixed.decisions}
    barriers = marked(name)
    assert sorted(decided) == sorted(barriers)
    for line, (mark, label) in barriers.items():
        decision = decided[line]
        assert decision.decision == ("removed" if mark == "DROP" else "kept"), (line, label)
        if mark == "KEEP":
            # kept with its reason: the two TEXPs' bytes of x overlap and nothing the proof counts orders them
            assert decision.cause is not None and decision.cause.kind == "overlap", (line, label, decision.cause)
            assert decision.cause.hazard in ("RAW", "WAR"), (line, label)


@in_perfsim
@pytest.mark.parametrize("name", NAMES)
def test_the_trace_agrees_with_every_decision(name, tmp_path):
    from ptofix.api import compile_environment
    from ptofix.trace.check import TraceOptions, new_races, result_of, trace_texts

    path = FIXTURES / name
    text = path.read_text(encoding="utf-8")
    environment = compile_environment([], (), str(PTO_ISA))
    fixed = fix_cpp(text, patterns="auto", environment=environment, path=str(path))
    removed = {d.line for d in fixed.decisions if d.decision == "removed"}
    barriers = marked(name)
    for index, value in enumerate(("0", "1")):
        options = TraceOptions(environment, args=(("v3", value),), cache_dir=tmp_path / "cache", jobs=1)
        result = trace_texts({str(path): text}, options)[str(path)]
        assert result.error is None, result.error.format()
        assert result.judgement is not None and result.judgement.cannot_judge is None
        recording = result.recording
        assert recording is not None
        # the output (every removal made) has no race the input has not
        found = new_races(result, result_of(fuzz.without_barriers(recording, removed)))
        assert found == [], (value, found)
        for line, (_mark, label) in barriers.items():
            alone = new_races(result, result_of(fuzz.without_barriers(recording, {line})))
            assert not isinstance(alone, str), alone
            verdict = "needed" if alone else "unneeded"     # (the judge places reduction results itself)
            assert verdict == TRACE[name][label][index], (value, line, label)
