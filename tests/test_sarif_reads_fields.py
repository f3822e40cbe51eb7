"""SARIF (ptofix/sarif.py) reads a finding's message and place as data (ptofix/located.py), never
cut out of the rendered text: no split, partition, slice or regex of a message, warning, note or
location value in sarif.py, and a record whose line is a plain string is refused, not parsed."""
from __future__ import annotations

import ast
import json
import pickle
from pathlib import Path

import pytest

from ptofix.located import DiagnosticLine, Place
from ptofix.sarif import results_of

REPO = Path(__file__).resolve().parent.parent
TEXT_FIELDS = ("message", "warning", "note", "location", "line")
CUTS = {"partition", "rpartition", "split", "rsplit", "find", "rfind", "index", "rindex", "startswith",
        "endswith", "removeprefix", "removesuffix", "strip", "lstrip", "rstrip"}
REGEX_MODULES = {"re", "regex", "regex_cache"}


def _names(node: ast.AST) -> set[str]:
    """Every name, attribute and string key an expression mentions (lower case)."""
    out = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            out.add(sub.id.lower())
        elif isinstance(sub, ast.Attribute):
            out.add(sub.attr.lower())
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            out.add(sub.value.lower())
    return out


def _textual(node: ast.AST) -> bool:
    return any(field in name for name in _names(node) for field in TEXT_FIELDS)


def text_cuts(source: str) -> list[str]:
    """Where ``source`` cuts a message/warning/note/location value apart: a string method that
    splits or searches it, a slice of it, or any regular expression (imported or called)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in CUTS and _textual(node.func.value):
                found.append(f"line {node.lineno}: .{node.func.attr}() of a text value")
            if isinstance(node.func.value, ast.Name) and node.func.value.id in REGEX_MODULES:
                found.append(f"line {node.lineno}: {node.func.value.id}.{node.func.attr}()")
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice) and _textual(node.value):
            found.append(f"line {node.lineno}: a slice of a text value")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            modules = [alias.name for alias in node.names] + ([node.module] if isinstance(node, ast.ImportFrom)
                                                              and node.module else [])
            names = {part for module in modules for part in module.split(".")}
            if names & REGEX_MODULES:
                found.append(f"line {node.lineno}: imports a regex module")
    return found


def test_sarif_cuts_no_rendered_text():
    assert text_cuts((REPO / "ptofix" / "sarif.py").read_text(encoding="utf-8")) == []


# sarif.py as it was before it read the fields: the scan must see each of its cuts.
PARSING_SARIF = '''
def _place(location):
    path, line, column = location.rsplit(":", 2)
    return {"region": {"startLine": int(line), "startColumn": int(column)}}

def _message_of(line):
    for severity in (": warning: ", ": error: ", ": note: "):
        head, found, text = line.partition(severity)
    return line

def later(race):
    return race["warning"][race["warning"].find(": ") + 2:]

from . import regex_cache
'''


def test_the_scan_sees_a_parse_of_rendered_text():
    found = text_cuts(PARSING_SARIF)
    assert any(".rsplit()" in cut for cut in found)
    assert any(".partition()" in cut for cut in found)
    assert any("slice" in cut for cut in found)
    assert any("regex" in cut for cut in found)


def test_a_diagnostic_line_is_its_text_and_keeps_its_parts():
    place = Place("d/k.cpp", 12, 3)
    line = DiagnosticLine(place, "warning", "RAW race: x")
    assert (line, place) == ("d/k.cpp:12:3: warning: RAW race: x", "d/k.cpp:12:3")
    assert json.dumps({"warning": line, "location": place}) == \
        '{"warning": "d/k.cpp:12:3: warning: RAW race: x", "location": "d/k.cpp:12:3"}'
    back = pickle.loads(pickle.dumps(line))       # (a -j worker's report)
    assert (back, back.text, back.severity) == (line, "RAW race: x", "warning")
    assert isinstance(back.at, Place) and (back.at.path, back.at.line, back.at.column) == ("d/k.cpp", 12, 3)


def test_sarif_reads_the_parts_not_the_words():
    # The text says one place and message, the fields another: SARIF follows the fields.
    place = Place("k.cpp", 7, 2)
    message = DiagnosticLine(place, "error", "tile x past the UB")
    record = {"severity": "error", "location": place, "message": message}
    (result,) = results_of({"file": "k.cpp", "placements": [record]})
    assert result["message"] == {"text": "tile x past the UB"} and result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 7, "startColumn": 2}
    unverified = {"function": "f", "location": Place("k.cpp", 1, 1), "why": "w"}
    (note,) = results_of({"file": "k.cpp", "unverified": [unverified]})
    assert note["locations"][0]["physicalLocation"]["region"] == {"startLine": 1, "startColumn": 1}


def test_a_record_of_plain_text_is_refused_not_parsed():
    record = {"severity": "warning", "location": "k.cpp:7:2", "message": "k.cpp:7:2: warning: tile x"}
    with pytest.raises(TypeError, match="DiagnosticLine"):
        results_of({"file": "k.cpp", "placements": [record]})
    with pytest.raises(TypeError, match="Place"):
        results_of({"file": "k.cpp", "unverified": [{"function": "f", "location": "k.cpp:1:1", "why": "w"}]})
