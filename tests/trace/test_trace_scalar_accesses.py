"""``check --trace`` and the scalar unit's accesses of UB (a tile's GetValue/SetValue, TCI, a store
through a ``__ubuf__`` pointer): the cost model records none of them, and the trace used to say
nothing of them, a silent "no race" between them and the vector pipe (msSanitizer judges them: a
load or store on its PIPE_S_CAL, Ascend/mssanitizer csrc/core/framework/record_parse.cpp
ParseScalarOpRecord). The run now records each one (address, read or write, place) and lists them
as not judged, with their count and the place of the first."""
from __future__ import annotations

import json

from test_trace import PTO_ISA, ROOT, in_perfsim, ptofix

from ptofix.located import Place
from ptofix.source import SourceText
from ptofix.trace.check import SCALAR_NOT_JUDGED, SCALAR_NOT_WATCHED, result_of, unjudged_scalar
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


def _recording(calls: list[Call]) -> Recording:
    sites = [CallSite("TEXPANDS", 5, 3), CallSite("GetValue", 6, 15)]
    return Recording("k.cpp", calls, sites, "k", {})


def test_a_run_with_scalar_accesses_lists_them_as_not_judged_with_count_and_first_place():
    calls = [Call("ptofix_element", (4,), 0), Call("vector_dup", (UB_BIAS, 0, 1, 1, 1, 8, 0), 0),
             Call(SCALAR_ACCESS, (0, UB_BIAS + 12), 1),
             Call(SCALAR_ACCESS, (1, UB_BIAS + 256), 1), Call(SCALAR_ACCESS, (1, UB_BIAS + 260), 0)]
    entry = unjudged_scalar(_recording(calls))
    assert entry is not None
    assert entry["cause"] == SCALAR_NOT_JUDGED
    assert (entry["count"], entry["reads"], entry["writes"]) == (3, 1, 2)
    assert entry["location"] == Place("k.cpp", 6, 15)
    assert "3 scalar-unit accesses of UB" in entry["why"] and "the first, a read by GetValue" in entry["why"]
    result = result_of(_recording(calls))
    assert result.report["unverified"] == [entry]
    assert any("note: 3 scalar-unit accesses" in line for line in result.lines)


def test_a_run_without_scalar_accesses_lists_nothing_and_an_unwatched_run_says_so():
    assert unjudged_scalar(_recording([Call("vector_dup", (UB_BIAS, 0, 1, 1, 1, 8, 0), 0)])) is None
    entry = unjudged_scalar(_recording([Call(SCALAR_UNWATCHED, (), -1)]))
    assert entry is not None and entry["cause"] == SCALAR_NOT_WATCHED and "neither shown nor ruled out" in entry["why"]


def _check(which: int) -> tuple[int, str, dict]:
    done = ptofix("check", "--trace", "--pto-isa", str(PTO_ISA), "--arg", f"which={which}", "--report", "json",
                  str(FIXTURE))
    return done.returncode, done.stderr, json.loads(done.stdout)["files"][0]


@in_perfsim
def test_a_kernel_whose_scalar_unit_reads_and_writes_tiles_is_not_called_race_free():
    status, stderr, report = _check(1)
    assert report["races"] == []
    (entry,) = report["unverified"]
    assert (entry["cause"], entry["count"], entry["reads"], entry["writes"]) == (SCALAR_NOT_JUDGED, 2, 1, 1)
    assert entry["location"].endswith("scalar_access.cpp:17:21")       # a.GetValue(3): the read is first
    assert "scalar_access.cpp:17:21: note: 2 scalar-unit accesses of UB" in stderr
    assert status == 4, stderr                                         # unverified, not "no race"
    status, stderr, report = _check(0)                                 # no scalar access: nothing said
    assert report["unverified"] == [] and status == 0, stderr
