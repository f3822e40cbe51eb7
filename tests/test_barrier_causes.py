"""A barrier decision's cause is data (ptofix/cpp/barrier_decisions.py Cause): set where the decision is
made, rendered by the text report (the reason), the JSON report (its ``cause``), the HTML page and the
API from the same fields, and never read back from the words. The barrier proof, its selection and the
template decisions import each other in no circle, and no `_`-prefixed name of another module."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

from ptofix.api import fix_cpp
from ptofix.cpp.barrier_decisions import CauseKind
from ptofix.cpp_fixes import CppFixOptions, cpp_passes
from ptofix.file_passes import FilePasses
from ptofix.html_report import _barrier_row

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

TILE = "Tile<TileType::Vec, float, 16, 16, BLayout::RowMajor, 16, 16, SLayout::NoneBox, 512, PadValue::Null> {name};"
HEAD = "__global__ AICORE void k() {\n" + "".join(
    f"  {TILE.format(name=name)}\n  TASSIGN({name}, {1024 * i});\n" for i, name in enumerate("abxyzw")) \
    + "  pipe_barrier(PIPE_ALL);\n"
# Each barrier alone is removable, not all three (test_selection.py's THREE): one is kept, needed
# once the others are removed; one barrier next to an op the model does not read; one proved.
THREE = HEAD + """  TADD(x, a, a);
  pipe_barrier(PIPE_V);
  TADD(y, b, b);
  pipe_barrier(PIPE_V);
  TADD(z, x, x);
  pipe_barrier(PIPE_V);
  TADD(w, y, y);
}
__global__ AICORE void k2() {
  """ + TILE.format(name="q") + """
  TASSIGN(q, 0);
  TADD(q, q, q[3]);
  pipe_barrier(PIPE_V);
  TADD(q, q, q);
}
"""
# A function template kept in one of its instantiations (test_template_instances.py's body()).
TEMPLATE = """#include <pto/pto-inst.hpp>
using namespace pto;
template <int R>
static AICORE void body(__gm__ float* x) {
  Tile<TileType::Vec, float, R, 128, BLayout::RowMajor, R, 128> a;
  Tile<TileType::Vec, float, R, 128, BLayout::RowMajor, R, 128> b;
  TASSIGN(a, 0);
  TASSIGN(b, 8192);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  pipe_barrier(PIPE_V);
  TMUL(b, b, b);
  pipe_barrier(PIPE_ALL);
}
__global__ AICORE void k(__gm__ float* x, int64_t n) {
  if (n) {
    body<16>(x);
    body<32>(x);
  }
}
"""


def _pages(tmp_path: Path, text: str) -> tuple[list, list]:
    """(fix_cpp's decisions, the decision entries of run's HTML report) of ``text``."""
    path = tmp_path / "k.cpp"
    path.write_text(text, encoding="utf-8")
    api = fix_cpp(text, patterns="auto", path=str(path)).decisions
    job = FilePasses(tuple(cpp_passes(CppFixOptions(pattern="auto"))), cpp_input=True, functions=True)
    report = job.process(str(path)).report
    return list(api), report["passes"][0]["decisions"]


def test_each_rendering_reads_the_same_fields(tmp_path):
    for text in (THREE, TEMPLATE):
        api, entries = _pages(tmp_path, text)
        assert len(api) == len(entries) and api
        for d, entry in zip(api, entries, strict=True):
            cause, fields = d.cause, entry["cause_fields"]
            assert cause is not None
            # The API's record and the HTML page's fields are one cause.
            assert (cause.kind, cause.summary_kind, list(cause.names)) == \
                (fields["kind"], fields["summary_kind"], fields.get("names", []))
            assert list(cause.needed_once) == fields.get("needed_once", [])
            assert cause.instantiation == fields.get("instantiation", "")
            # The text (the reason) and the JSON report's cause say what the fields say.
            assert entry["reason"].text() == d.reason
            if entry["decision"] == "kept":
                assert entry["cause"] == {"kind": cause.summary_kind, "names": list(cause.names)}
            else:
                assert cause.kind in ("proved", "redundant") and "cause" not in entry
            for place in cause.needed_once:
                assert place in d.reason
            if cause.instantiation:
                assert d.reason.startswith(f"in {cause.instantiation}: ")
            kind, words = _barrier_row(entry, str(tmp_path / "k.cpp"))
            if cause.hazard in ("RAW", "WAR", "WAW"):
                assert cause.earlier is not None and cause.later is not None
                for rendered in (d.reason, words):
                    assert cause.hazard in rendered and cause.earlier.op in rendered and cause.later.op in rendered
                    for place in cause.needed_once:
                        assert place in rendered
                    if cause.instantiation:
                        assert rendered.startswith(f"in {cause.instantiation}: ")
            for _location, why in cause.not_understood:
                assert why in d.reason and why in words
    api, _ = _pages(tmp_path, THREE)
    kinds = [d.cause.kind for d in api if d.cause is not None]
    assert {CauseKind.PROVED.value, CauseKind.OVERLAP.value, CauseKind.NOT_UNDERSTOOD.value} <= set(kinds)
    assert any(d.cause is not None and d.cause.summary_kind == CauseKind.CONFLICT.value and d.cause.needed_once
               for d in api)
    api, _ = _pages(tmp_path, TEMPLATE)
    assert [d.cause.instantiation for d in api if d.cause is not None and d.decision == "kept"] == ["body<32>"]


# Where words live: a Decision's, a report entry's or a statement's reason, an event's or a note's
# why, a hazard's summary, a cause's notes. An expression is such words when it is one of those
# names, an attribute of that name, a `summary(...)` call, or a subscript or `.get` with that key.
_WORDS = frozenset(["reason", "why", "summary", "note", "notes"])
_PARSING_METHODS = {"startswith", "endswith", "find", "rfind", "index", "rindex", "partition", "rpartition",
                    "split", "rsplit", "removeprefix", "removesuffix", "count"}
_REGEX_METHODS = {"match", "search", "fullmatch", "findall", "finditer", "sub", "subn", "split"}
# Every module of the package and of the passes.
_MODULES = sorted(str(p.relative_to(REPO)) for folder in ("ptofix", "passes") for p in (REPO / folder).rglob("*.py"))
# The places still allowed to read words back, (path, what): none is left. (The last, the note that
# names a header not found, read the name out of the kept reasons with a regex; the name now travels
# as data, headers.HeaderSummary.missing -> header_policy.MissingHeaders -> the Cause's
# missing_header: tests/test_missing_header_cause.py.)
_KNOWN: set[tuple[str, str]] = set()


def _is_words(node: ast.expr, aliases: frozenset[str] = frozenset()) -> bool:
    if isinstance(node, ast.Name):
        return node.id in _WORDS or node.id in aliases
    if isinstance(node, ast.Attribute):
        return node.attr in _WORDS
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "summary":
            return True
        return node.func.attr == "get" and bool(node.args) and isinstance(node.args[0], ast.Constant) \
            and node.args[0].value in _WORDS
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, ast.Constant) and node.slice.value in _WORDS
    return False


def _reason_parsers(path: str, text: str | None = None) -> list[str]:
    """``path:line: call`` of each place in ``path`` (or in ``text``, named so) that reads words
    back: a string method or a regex applied to a reason, a why, a summary or a note, or an ``in``
    test on one."""
    tree = ast.parse((REPO / path).read_text(encoding="utf-8") if text is None else text)
    # A name given words (`text = d["reason"]`, `(why := e.why)`) is words too, in the whole module.
    aliases = frozenset(
        target.id for node in ast.walk(tree) if isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr))
        and node.value is not None and _is_words(node.value)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target]) if isinstance(target, ast.Name))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = node.func.attr
            arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
            if _is_words(node.func.value, aliases) and method in _PARSING_METHODS:
                found.append((f"{method}", node.lineno))
            elif method in _REGEX_METHODS and any(_is_words(arg, aliases) for arg in arguments):
                found.append((f"{ast.unparse(node.func)}", node.lineno))
            elif method in _PARSING_METHODS and node.args and _is_words(node.args[0], aliases) \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "str":
                found.append((f"str.{method}", node.lineno))      # `str.split(d.reason, ":")`
        elif isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
            if any(_is_words(side, aliases) for side in node.comparators):
                found.append(("in", node.lineno))
    return [f"{path}:{line}: {what}" for what, line in sorted(found, key=lambda hit: hit[1])
            if (path, what) not in _KNOWN]


def test_no_code_reads_a_reason_back():
    assert len(_MODULES) > 100 and "ptofix/race_check.py" in _MODULES and "passes/pipe_v_barrier.py" in _MODULES
    found = [hit for path in _MODULES for hit in _reason_parsers(path)]
    assert found == []


def test_no_exception_is_left():
    # (An exception no longer needed is taken off the list, so that it cannot hide a new one: none is.)
    assert _KNOWN == set()


def test_the_scan_finds_a_reason_read_back():
    # (The scan above can fail: each way of reading words back is found in a module written so.)
    probe = ("if d.reason.startswith('needed'):\n    pass\nm = PATTERN.search(d['reason'])\n"
             "x = 'goto' in decision.get('reason', '')\ny = h.summary(source).split(':')\n"
             "z = 'ruled out' in why\nw = event.why.endswith(at[0])\nv = note['why'].removeprefix('a')\n"
             "u = 'x' in summary.names\nt = stmt.reason == 'label'\n")
    assert _reason_parsers("probe.py", probe) == [
        "probe.py:1: startswith", "probe.py:3: PATTERN.search", "probe.py:4: in", "probe.py:5: split",
        "probe.py:6: in", "probe.py:7: endswith", "probe.py:8: removeprefix"]


def test_the_scan_finds_a_regex_over_a_reports_reason():
    # The way the last exception read a header's name back (a regex over a report entry's reason
    # key), and its variants: a keyword argument, a name given the words first, str's methods.
    probe = ("for d in kept:\n    for name in _MISSING_HEADER.findall(d['reason']):\n        pass\n"
             "m = re.findall(r\"header '([^']+)'\", entry.get('reason', ''))\n"
             "n = PATTERN.finditer(string=d['reason'])\n"
             "text = d['reason']\nk = PATTERN.findall(text)\nj = text.partition(':')\n"
             "i = str.split(d['reason'], ':')\nh = 'not found' in text\n"
             "g = PATTERN.findall(d['function'])\nf = d['function'].split(':')\n")
    assert _reason_parsers("probe.py", probe) == [
        "probe.py:2: _MISSING_HEADER.findall", "probe.py:4: re.findall", "probe.py:5: PATTERN.finditer",
        "probe.py:7: PATTERN.findall", "probe.py:8: partition", "probe.py:9: str.split", "probe.py:10: in"]


def test_the_barrier_modules_import_no_caller_and_no_private_name():
    from test_import_layers import circles, import_graph
    mine = {"ptofix.cpp.barriers", "ptofix.cpp.barrier_selection", "ptofix.cpp.template_decisions"}
    assert not [sorted(c) for c in circles(import_graph(type_only=True)) if c & mine]
    for name in sorted(mine):
        tree = ast.parse((REPO / (name.replace(".", "/") + ".py")).read_text(encoding="utf-8"))
        private = [f"{node.module}.{alias.name}" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                   for alias in node.names if alias.name.startswith("_") and alias.name != "__future__"
                   and node.module != "__future__"]
        assert private == [], (name, private)
