"""A hazard side's place and an inserted barrier's place are typed values (ptofix/located.py's
Place), made where the record is made (cpp/barrier_decisions.Hazard.describe,
passes/pipe_v_barrier_insert.py); the API (api.check), the HTML page (html_report: race rows,
inserted barriers) and cpp/hazard_words.line_of read their fields and never split the text
``path:line:col`` back apart. Each test here fails on the code that did."""
from __future__ import annotations

import ast
from pathlib import Path

from passes.pipe_v_barrier_insert import PipeVBarrierInsertPass
from ptofix import api
from ptofix.cpp.hazard_words import line_of
from ptofix.html_report import _insertions
from ptofix.located import Place
from ptofix.race_check import RaceCheck
from ptofix.source import SourceText

REPO = Path(__file__).resolve().parent.parent
FA_CPP = REPO / "kernels" / "flash_attention" / "fa.cpp"
# The readers of a place; none of them may cut a location apart.
READERS = {"ptofix/api.py": ("check",), "ptofix/html_report.py": ("_insertions", "_file_section"),
           "ptofix/cpp/hazard_words.py": ("line_of", "page_side", "race_page_words")}
CUTS = {"split", "rsplit", "partition", "rpartition", "find", "rfind", "index", "rindex"}


def location_cuts(source: str, functions: tuple[str, ...]) -> list[str]:
    """Where one of ``functions`` in ``source`` splits or searches a string or calls int() on text."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef) or node.name not in functions:
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr in CUTS:
                found.append(f"{node.name}: .{sub.func.attr}() at line {sub.lineno}")
    return found


def test_no_reader_cuts_a_location_apart():
    for path, functions in READERS.items():
        source = (REPO / path).read_text(encoding="utf-8")
        assert {node.name for node in ast.walk(ast.parse(source)) if isinstance(node, ast.FunctionDef)} \
            >= set(functions), path
        assert location_cuts(source, functions) == [], path


# The readers as they were: the scan must see each cut.
PARSING = '''
def _line_col(location):
    _path, line, column = location.rsplit(":", 2)
    return int(line), int(column)

def line_of(location):
    parts = str(location).rsplit(":", 2)
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else 0

def _insertions(report):
    for entry in report.get("inserted", []):
        line = str(entry.get("location", "")).rsplit(":", 2)
'''


def test_the_scan_sees_a_location_split():
    assert len(location_cuts(PARSING, ("_line_col", "line_of", "_insertions"))) == 3


def test_line_of_reads_the_field_not_the_text():
    place = Place("d:1:2/k.cpp", 12, 3)
    assert line_of(place) == 12
    place.line = 40                     # (the field says another line than the text: the field wins)
    assert line_of(place) == 40
    assert line_of("k.cpp:12:3") == 0 and line_of("function boundary") == 0   # (plain text: not parsed)


def test_the_page_places_an_inserted_barrier_by_its_field():
    assert _insertions({"inserted": [{"location": Place("k.cpp", 9, 5), "races": ["b"]},
                                     {"location": Place("k.cpp", 4, 1), "races": ["a", "c"]}]}) \
        == [(4, "a; c"), (9, "b")]
    assert _insertions({"inserted": [{"location": "k.cpp:4:1", "races": ["a"]}]}) == []


def test_the_records_carry_places_where_they_are_made():
    text = FA_CPP.read_text(encoding="utf-8")
    report = api.check_report(text, path="fa.cpp")
    sides = [race[side]["location"] for race in report["races"] for side in ("later", "earlier")]
    assert sides and all(isinstance(place, Place) and place.path == "fa.cpp" for place in sides)
    races = api.check(text, path="fa.cpp")
    assert [(r.line, r.column, r.earlier_line, r.earlier_column) for r in races] == [
        (race["later"]["location"].line, race["later"]["location"].column, race["earlier"]["location"].line,
         race["earlier"]["location"].column) for race in report["races"]]
    assert (races[0].line, races[0].column, races[0].earlier_line) == (330, 3, 328)
    # A kept decision's hazard (the page's kept rows read it through line_of).
    fixed = api.fix_cpp(text, "auto", path="fa.cpp")
    kept = [side.location for d in fixed.decisions if d.cause is not None and d.cause.earlier is not None
            for side in (d.cause.earlier, d.cause.later)]
    assert kept and all(isinstance(place, Place) and place.line > 0 for place in kept)
    # check --fix's inserted barriers.
    found = RaceCheck(insert=PipeVBarrierInsertPass()).process_source(SourceText(text, "fa.cpp"))
    inserted = [entry["location"] for entry in found.report["inserted"]]
    assert len(inserted) == 4 and all(isinstance(place, Place) and place.line > 0 for place in inserted)
