"""A reason or report line that names places keeps them as data (ptofix/located.py's Located and
Place: a cause's reason, an unknown event's place, a not-modelled function's why, a report line),
and each rendering writes them once, in its own way: JSON, SARIF, stderr and the API in full
(``path:line:col``), the text report ``line:col`` in its file (reports.text_lines_for_file), the
page ``line N:C`` (html_report). No module cuts ``path:`` out of finished text or replaces it
there: a path written as plain text stays as written. The tests marked so fail on the code that
cut (reports._without_path, html_report._barrier_row's ``replace``)."""
from __future__ import annotations

import ast
import json
import pickle
import re
from pathlib import Path

import pytest

from ptofix import api
from ptofix.cli import main
from ptofix.cpp.barrier_decisions import Reason
from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.model import SimpleStmt
from ptofix.frontends import parse_cpp
from ptofix.html_report import _barrier_row
from ptofix.located import DiagnosticLine, Located, Place, within
from ptofix.race_check import RaceCheck
from ptofix.reports import text_lines_for_file
from ptofix.source import SourceText

REPO = Path(__file__).resolve().parent.parent
CUTTING = {"replace", "split", "rsplit", "partition", "rpartition", "removeprefix", "sub"}

# A kernel that includes a header found nowhere (every function after it is not modelled, its
# barriers kept, check's note says so) and a kernel whose window holds a statement the model does
# not understand (its reason lists the event's place).
MISSING_HEADER = """#include "pto/pto-inst.hpp"
#include "tensor_missing.h"
using namespace pto;
__global__ AICORE void k(__gm__ float *a) {
  pipe_barrier(PIPE_V);
}
"""
UNKNOWN_IN_WINDOW = """#include "pto/pto-inst.hpp"
using namespace pto;
using T = Tile<TileType::Vec, float, 16, 16, BLayout::RowMajor, 16, 16, SLayout::NoneBox, 512, PadValue::Null>;
__global__ AICORE void k(__gm__ float *a) {
  T v1;
  TASSIGN(v1, (uint64_t) 0);
  T v2;
  TASSIGN(v2, (uint64_t) 1024);
  TADD(v1, v1, v1);
  pipe_barrier(PIPE_V);
  *a = 1;
  TADD(v2, v2, v2);
}
"""


# ---- no module cuts or replaces a path in finished text ----------------------------------------
def path_cuts(source: str) -> list[str]:
    """Where ``source`` cuts or replaces, with a string method, a text built as ``f"{...path}:"``
    (directly, or through a name assigned one)."""
    def names_path(node: ast.AST) -> bool:
        if not isinstance(node, ast.JoinedStr):
            return False
        values = node.values
        for value, after in zip(values, values[1:], strict=False):
            if isinstance(value, ast.FormattedValue) and isinstance(after, ast.Constant) \
                    and str(after.value).startswith(":") and "path" in ast.unparse(value.value):
                return True
        return False

    tree = ast.parse(source)
    prefixes = {target.id for node in ast.walk(tree) if isinstance(node, ast.Assign) and names_path(node.value)
                for target in node.targets if isinstance(target, ast.Name)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CUTTING:
            if any(names_path(arg) or isinstance(arg, ast.Name) and arg.id in prefixes for arg in node.args):
                found.append(f".{node.func.attr}() at line {node.lineno}")
    return found


def test_no_module_cuts_or_replaces_a_path_in_text():
    offenders = {}
    for root in ("ptofix", "passes"):
        for path in sorted((REPO / root).rglob("*.py")):
            cuts = path_cuts(path.read_text(encoding="utf-8"))
            if cuts:
                offenders[str(path.relative_to(REPO))] = cuts
    assert offenders == {}


def test_the_scan_sees_the_cuts_that_were():
    # reports._without_path and html_report._barrier_row as they were.
    old_reports = '''
def text_lines_for_file(lines, path):
    prefix = f"{path}:"
    return [_without_path(line, prefix) for line in lines]

def _without_path(text, prefix):
    parts = text.split(prefix)
'''
    old_page = '''
def _barrier_row(decision, path):
    reason = str(decision.get("reason", "")).replace(f"{path}:", "line ")
'''
    assert path_cuts(old_reports) == [".split() at line 7"]
    assert path_cuts(old_page) == [".replace() at line 3"]


# ---- the renderings of a located text -----------------------------------------------------------
def test_a_located_text_is_its_full_text_and_keeps_its_places():
    here, there = Place("k.cpp", 3, 5), Place("h.hpp", 9, 1)
    text = Located("RAW: TADD write v1 at ", here, " -> ", Located("TMUL read v1 at ", there), "")
    assert text == "RAW: TADD write v1 at k.cpp:3:5 -> TMUL read v1 at h.hpp:9:1"
    assert text.pieces == ("RAW: TADD write v1 at ", here, " -> TMUL read v1 at ", there)
    assert json.dumps({"reason": text}) == json.dumps({"reason": str(text)})
    back = pickle.loads(pickle.dumps(text))          # (-j workers hand their reports back)
    assert type(back) is Located and back.pieces == text.pieces and isinstance(back.pieces[1], Place)
    # Only the places in the file named once are shortened; the text report's and the page's way.
    assert text.within("k.cpp") == "RAW: TADD write v1 at 3:5 -> TMUL read v1 at h.hpp:9:1"
    assert text.within("k.cpp", "line ") == "RAW: TADD write v1 at line 3:5 -> TMUL read v1 at h.hpp:9:1"
    assert text.within("other.cpp") == text


def test_a_line_keeps_its_own_place_in_full():
    line = Located(Place("k.cpp", 1, 1), ": note: 'k' is unverified: ", Located(Place("k.cpp", 2, 1), ": why"))
    assert text_lines_for_file([line], "k.cpp") == ["k.cpp:1:1: note: 'k' is unverified: 2:1: why"]
    diagnostic = DiagnosticLine(Place("k.cpp", 4, 3), "warning", Located("the op at ", Place("k.cpp", 7, 3), " x"))
    assert str(diagnostic) == "k.cpp:4:3: warning: the op at k.cpp:7:3 x"
    assert text_lines_for_file([diagnostic], "k.cpp") == ["k.cpp:4:3: warning: the op at 7:3 x"]
    assert within(diagnostic, "k.cpp", "line ") == "line 4:3: warning: the op at line 7:3 x"
    again = pickle.loads(pickle.dumps(diagnostic))
    assert text_lines_for_file([again], "k.cpp") == ["k.cpp:4:3: warning: the op at 7:3 x"]


def test_a_path_written_as_plain_text_is_left_as_written():
    # (Fails on the code that cut `path:` out of any text: `(k.cpp:2 ...)` became `(2 ...)`.)
    lines = ["k.cpp:1:1: note: a header named (k.cpp:2.h) is not found", "pipe-v-barrier: at k.cpp:3"]
    assert text_lines_for_file(lines, "k.cpp") == ["k.cpp:1:1: note: a header named (k.cpp:2.h) is not found",
                                                   "k.cpp: pipe-v-barrier: at k.cpp:3"]
    decision = {"decision": "removed", "reason": Reason({"kind": "unread", "why": "proved: see k.cpp:4 in the notes"})}
    assert _barrier_row(decision, "k.cpp") == ("removed", "proved: see k.cpp:4 in the notes")
    located = {"decision": "removed",
               "reason": Reason({"kind": "unread", "why": Located("proved: at ", Place("k.cpp", 4, 1))})}
    assert _barrier_row(located, "k.cpp") == ("removed", "proved: at line 4:1")


# ---- where the places are made -------------------------------------------------------------------
def test_an_unknown_events_place_is_data_in_the_reason_and_the_fields():
    source = SourceText(UNKNOWN_IN_WINDOW, "k.cpp")
    analysis = BarrierAnalysis(parse_cpp(source))
    fn = analysis.model.functions[-1]
    decisions = [analysis.decide(fn, stmt, "auto") for stmt in fn.statements()
                 if isinstance(stmt, SimpleStmt) and "pipe_barrier" in stmt.text]
    assert len(decisions) == 1 and not decisions[0].removable
    cause = decisions[0].cause
    assert cause.unknown, cause.kind
    reason = cause.text(source)
    assert isinstance(reason, Located) and "k.cpp:11:3" in reason
    assert Place("k.cpp", 11, 3) in reason.pieces
    assert reason.within("k.cpp") == reason.replace("k.cpp:", "")
    location = cause.fields(source)["unknown"][0]["location"]
    assert isinstance(location, Place) and (location.line, location.column) == (11, 3)


def test_a_not_modelled_functions_why_keeps_its_place(tmp_path, capsys):
    kernel = tmp_path / "k.cpp"
    kernel.write_text(MISSING_HEADER, encoding="utf-8")
    found = RaceCheck().process_source(SourceText(MISSING_HEADER, str(kernel)))
    note, = [line for line in found.text_lines if "unverified" in line]
    assert isinstance(note, Located) and Place(str(kernel), 2, 1) in note.pieces
    why = found.report["unverified"][0]["why"]
    assert f"not modelled ({kernel}:2:1: '#include \"tensor_missing.h\"'" in why
    # the text report writes it in its file, stderr and JSON in full
    assert main(["check", "--report", "text", "--report-file", str(tmp_path / "r.txt"), str(kernel)]) == 4
    report = (tmp_path / "r.txt").read_text(encoding="utf-8")
    assert "is not modelled (2:1: '#include \"tensor_missing.h\"'" in report and report.count(f"{kernel}:") == 1
    assert f"not modelled ({kernel}:2:1:" in capsys.readouterr().err
    assert main(["run", "-q", "--pattern", "auto", "--check", "--report", "text", "--report-file",
                 str(tmp_path / "run.txt"), str(kernel)]) == 0
    run = (tmp_path / "run.txt").read_text(encoding="utf-8")
    assert "control flow of k() is not modelled (2:1: '#include \"tensor_missing.h\"'" in run
    assert main(["run", "-q", "--pattern", "auto", "--check", "--report", "json", "--report-file",
                 str(tmp_path / "run.json"), str(kernel)]) == 0
    decision, = json.loads((tmp_path / "run.json").read_text())["files"][0]["passes"][0]["decisions"]
    assert f"control flow of k() is not modelled ({kernel}:2:1: '#include" in decision["reason"]
    # the API, in full
    fixed = api.fix_cpp(MISSING_HEADER, patterns="auto", path="k.cpp")
    assert "not modelled (k.cpp:2:1: '#include" in fixed.decisions[0].reason


# ---- no report writes a place in its own file as plain text --------------------------------------
def full_places(lines: list[str], path: str) -> list[str]:
    """The lines of a file's text report, as written (text_lines_for_file), that name a place in
    that file in full (``path:line``) after their own place: a place written as plain text, which
    the report cannot write ``line:col`` as it writes the others."""
    pattern = re.compile(re.escape(path) + r":\d")
    return [line for line in lines if pattern.search(line, len(path) + 1)]


def test_the_scan_sees_a_place_written_as_plain_text():
    lines = text_lines_for_file([Located("k.cpp:1:1: kept: RAW at ", Place("k.cpp", 4, 5)),
                                 "k.cpp:1:1: kept: RAW at k.cpp:4:5",
                                 Located("k.cpp:2:1: kept: RAW at ", Place("h.hpp", 4, 5)),
                                 DiagnosticLine(Place("k.cpp", 3, 1), "warning", "k.cpp:3 is plain")], "k.cpp")
    assert full_places(lines, "k.cpp") == ["k.cpp:1:1: kept: RAW at k.cpp:4:5", "k.cpp:3:1: warning: k.cpp:3 is plain"]


# Kernels whose reports name places in many ways: kept reasons (hazards, events not understood,
# removals a barrier is needed for, unread barriers, a header not found), check's races and notes.
KERNELS = sorted((REPO / "lit_tests" / "pipe-v-barrier").glob("*.cpp")) + sorted(
    (REPO / "lit_tests" / "check").glob("*.cpp")) + [REPO / "kernels" / "flash_attention" / "fa.cpp"]


@pytest.mark.slow
def test_no_text_report_writes_a_place_in_its_own_file_as_plain_text(tmp_path, capsys):
    kernels = list(KERNELS)
    for name, text in (("missing.cpp", MISSING_HEADER), ("unknown.cpp", UNKNOWN_IN_WINDOW)):
        kernels.append(tmp_path / name)
        kernels[-1].write_text(text, encoding="utf-8")
    report = tmp_path / "r.txt"
    seen = 0
    for kernel in kernels:
        for command in (["run", "--pattern", "auto", "-o", str(tmp_path / "out.cpp")], ["check"]):
            main([*command, "--report", "text", "--report-file", str(report), str(kernel)])
            lines = report.read_text(encoding="utf-8").splitlines()
            seen += len(lines)
            assert full_places(lines, str(kernel)) == [], (command, kernel)
    capsys.readouterr()
    assert seen > 200
