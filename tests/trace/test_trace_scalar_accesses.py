"""``check --trace`` and the scalar unit's accesses of UB (a tile's GetValue/SetValue, TCI, a store
through a ``__ubuf__`` pointer). The cost model records none of them, and the trace used to say
nothing of them: a silent "no race" between them and the vector pipe. msSanitizer judges them
(Ascend/mssanitizer csrc/core/framework/record_parse.cpp ParseScalarOpRecord: a load or store on its
PIPE_S_CAL; ReplacePipeScalar: a set_flag on PIPE_S fires after them), and so does the trace now:
the run records each access with its address, size and place (record.py), cross_pipe.py judges the
sized ones, and an access whose size the run could not learn is listed as not judged, with the count
and the place of the first."""
from __future__ import annotations

import json

from test_trace import PTO_ISA, ROOT, in_perfsim, ptofix

from ptofix.located import Place
from ptofix.pto.pipe_codes import PIPE_ALL, PIPE_S, PIPE_V
from ptofix.source import SourceText
from ptofix.trace.check import SCALAR_NOT_JUDGED, SCALAR_NOT_WATCHED, result_of, unjudged_scalar
from ptofix.trace.cross_pipe import SCALAR_READ, SCALAR_WRITE, judge_streams
from ptofix.trace.footprint import UB_BIAS
from ptofix.trace.instrument import CallSite, instrument
from ptofix.trace.record import SCALAR_ACCESS, SCALAR_UNWATCHED, Call, Recording

FIXTURE = ROOT / "tests" / "fixtures" / "trace" / "scalar_access.cpp"


def test_each_argument_of_a_tiles_get_and_set_value_marks_its_line():
    text = "void k() {\n  float x = a.GetValue(3);\n  p->SetValue(i, TROWMAX(q));\n}\n"
    out, sites = instrument(SourceText(text, "k.cpp"))
    assert out.count("\n") == text.count("\n")
    assert [(s.name, s.line, s.column) for s in sites] == [("TROWMAX", 3, 18), ("GetValue", 2, 15), ("SetValue", 3, 6)]
    assert "a.GetValue(ptofix_trace_then(1, 3))" in out
    assert "p->SetValue(ptofix_trace_then(2, i),ptofix_trace_then(2,  (ptofix_trace_at(0), TROWMAX(q))))" in out


# --- the rule on hand-made streams --------------------------------------------------------------

DUP = [Call("ptofix_element", (4,), 0), Call("vector_dup", (UB_BIAS, 0, 1, 1, 1, 8, 0), 0)]   # writes [0, 256)


def _read(address: int, size: int = 4) -> Call:
    return Call(SCALAR_ACCESS, (0, UB_BIAS + address, size), 1)


def _write(address: int, size: int = 4) -> Call:
    return Call(SCALAR_ACCESS, (1, UB_BIAS + address, size), 1)


def _kinds(calls: list[Call]) -> list[tuple[str, str, str, tuple[int, int]]]:
    judgement = judge_streams(calls)
    assert judgement.cannot_judge is None
    return [(race.kind, race.earlier.name, race.later.name, race.overlap) for race in judgement.races]


def test_a_vector_write_then_a_scalar_read_of_its_bytes_races_unless_a_v_to_s_flag_orders_them():
    assert _kinds([*DUP, _read(12)]) == [("RAW", "vector_dup", SCALAR_READ, (12, 16))]
    flag = [Call("set_flag", (PIPE_V, PIPE_S, 0), 0), Call("wait_flag", (PIPE_V, PIPE_S, 0), 0)]
    assert _kinds([*DUP, *flag, _read(12)]) == []
    assert _kinds([*DUP, Call("pipe_barrier", (PIPE_ALL,), 0), _read(12)]) == []
    # A PIPE_V barrier orders the vector pipe only; other bytes do not conflict.
    assert _kinds([*DUP, Call("pipe_barrier", (PIPE_V,), 0), _read(12)]) == [("RAW", "vector_dup", SCALAR_READ,
                                                                              (12, 16))]
    assert _kinds([*DUP, _read(256)]) == []


def test_a_scalar_write_then_a_vector_read_races_unless_an_s_to_v_flag_orders_them():
    dup_after = [Call("ptofix_element", (4,), 2), Call("vadds", (UB_BIAS + 0x100, UB_BIAS, 0, 1, 1, 1, 8, 8), 2)]
    assert _kinds([_write(4), *dup_after]) == [("RAW", SCALAR_WRITE, "vadds", (4, 8))]
    # set_flag(PIPE_S, PIPE_V) fires after the stores issued before it (msSanitizer's PIPE_S_CAL).
    flag = [Call("set_flag", (PIPE_S, PIPE_V, 0), 1), Call("wait_flag", (PIPE_S, PIPE_V, 0), 1)]
    assert _kinds([_write(4), *flag, *dup_after]) == []
    # ... not a store issued after it.
    assert _kinds([*flag, _write(4), *dup_after]) == [("RAW", SCALAR_WRITE, "vadds", (4, 8))]


def _recording(calls: list[Call]) -> Recording:
    sites = [CallSite("TEXPANDS", 5, 3), CallSite("GetValue", 6, 15)]
    return Recording("k.cpp", calls, sites, "k", {})


def test_accesses_of_unknown_size_are_listed_as_not_judged_with_count_and_first_place():
    calls = [*DUP, _read(12), Call(SCALAR_ACCESS, (1, UB_BIAS + 256, 0), 1), Call(SCALAR_ACCESS, (0, UB_BIAS + 260, 0), 0)]
    entry = unjudged_scalar(_recording(calls))
    assert entry is not None
    assert entry["cause"] == SCALAR_NOT_JUDGED
    assert (entry["count"], entry["reads"], entry["writes"]) == (2, 1, 1)
    assert entry["location"] == Place("k.cpp", 6, 15)
    assert "2 scalar-unit accesses of UB of unknown size" in entry["why"]
    assert "the first, a write, in or after GetValue here" in entry["why"]
    result = result_of(_recording(calls))
    assert result.report["unverified"] == [entry]
    assert any("note: 2 scalar-unit accesses" in line for line in result.lines)
    # The sized read is judged: a race, not an unverified entry.
    assert [race["later"]["intrinsic"] for race in result.report["races"]] == [SCALAR_READ]


def test_a_run_without_unsized_accesses_lists_nothing_and_an_unwatched_run_says_so():
    assert unjudged_scalar(_recording([*DUP, _read(12)])) is None
    entry = unjudged_scalar(_recording([Call(SCALAR_UNWATCHED, (), -1)]))
    assert entry is not None and entry["cause"] == SCALAR_NOT_WATCHED and "neither shown nor ruled out" in entry["why"]


# --- built against the cost model ---------------------------------------------------------------


def _check(which: int) -> tuple[int, str, dict]:
    done = ptofix("check", "--trace", "--pto-isa", str(PTO_ISA), "--arg", f"which={which}", "--report", "json",
                  str(FIXTURE))
    return done.returncode, done.stderr, json.loads(done.stdout)["files"][0]


def _races(report: dict) -> list[tuple[str, int, str, int, str, list]]:
    return [(race["kind"], int(race["earlier"]["location"].split(":")[-2]), race["earlier"]["intrinsic"],
             int(race["later"]["location"].split(":")[-2]), race["later"]["intrinsic"], race["bytes"])
            for race in report["races"]]


@in_perfsim
def test_get_and_set_value_unordered_with_the_vector_pipe_race_as_msSanitizer_says():
    status, stderr, report = _check(1)
    assert _races(report) == [("RAW", 29, "vector_dup", 32, SCALAR_READ, [[12, 16]]),
                              ("WAR", 32, SCALAR_READ, 47, "vadds", [[12, 16]]),
                              ("RAW", 32, SCALAR_WRITE, 47, "vadds", [[256, 260]])], stderr
    assert {race["category"] for race in report["races"]} == {"cross-pipe"}
    assert report["unverified"] == [] and status == 1, stderr
    assert "scalar_access.cpp:32:21: warning: RAW race in the trace: GetValue's scalar read reads UB [0xc, 0x10)" \
           in stderr


@in_perfsim
def test_flags_through_pipe_s_order_them_and_a_kernel_without_scalar_access_is_unchanged():
    for which in (0, 2):
        status, stderr, report = _check(which)
        assert report["races"] == [] and report["unverified"] == [] and status == 0, (which, stderr)


@in_perfsim
def test_tci_s_scalar_loop_is_judged():
    status, stderr, report = _check(3)
    assert _races(report) == [("RAW", 40, SCALAR_WRITE, 41, "vadds", [[0x200, 0x204]])], stderr
    assert report["races"][0]["occurrences"] == 64 and status == 1
    assert "which a scalar write in or after TCI (line 40) wrote (64 times in this run)" in stderr


@in_perfsim
def test_an_access_of_unknown_size_is_not_called_race_free():
    status, stderr, report = _check(4)
    assert report["races"] == []
    (entry,) = report["unverified"]
    assert entry["cause"] == SCALAR_NOT_JUDGED and entry["count"] >= 1 and entry["writes"] == entry["count"]
    assert "scalar-unit access" in stderr and "of UB of unknown size" in stderr
    assert status == 4, stderr                                         # unverified, not "no race"


@in_perfsim
def test_a_struct_copied_through_ub_is_judged_whole():
    """g++ announces the 32 bytes of each side once (__tsan_read_range, __tsan_write_range) and moves
    them in several instructions: each fault inside is that access, not one of unknown size."""
    status, stderr, report = _check(5)
    assert report["unverified"] == [], stderr
    assert sorted(_races(report)) == sorted([("RAW", 29, "vector_dup", 30, SCALAR_READ, [[0, 32]]),
                                             ("RAW", 30, SCALAR_WRITE, 47, "vadds", [[0x100, 0x120]]),
                                             ("WAR", 30, SCALAR_READ, 47, "vadds", [[0, 32]])]), stderr
    # Placed at the last marked call (pipe_barrier at 30:3), which they follow: said so, as data and in words.
    scalar_sides = [side for race in report["races"] for side in (race["earlier"], race["later"])
                    if side["intrinsic"] in (SCALAR_READ, SCALAR_WRITE)]
    assert scalar_sides and all(side.get("in_or_after") is True for side in scalar_sides)
    assert "a scalar read in or after pipe_barrier reads UB [0x0, 0x20)" in stderr


def test_run_verify_trace_says_when_a_side_has_accesses_it_did_not_judge(monkeypatch):
    """``run --verify-trace`` compares the races of the input's and the output's traces: accesses of
    unknown size in either are said in a note (the comparison cannot show a race they make)."""
    from ptofix.commands import trace_options
    from ptofix.trace import check as trace_check
    unsized = Call(SCALAR_ACCESS, (1, UB_BIAS + 256, 0), 1)

    def traced(texts, options):
        return {name: result_of(_recording([*DUP, unsized])) for name in texts}

    monkeypatch.setattr(trace_check, "trace_texts", traced)
    allowed, lines = trace_options.verify("k.cpp", "before", "after", options=None)
    assert allowed
    notes = [line for line in lines if "scalar-unit access of UB of unknown size" in line]
    assert [note.split(": the ")[1].split("'s trace")[0] for note in notes] == ["input", "output"], lines
