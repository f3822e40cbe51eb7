"""A hazard is put into words in one module, cpp/hazard_words.py (issue #70: each rendering in one
place): the kept decision's text reason (Hazard.summary), check's warning and note (which SARIF's
message reuses) and the HTML page all read the hazard's described fields through it."""
from __future__ import annotations

import ast
from pathlib import Path

from ptofix import html_report
from ptofix.cpp import hazard_words
from ptofix.cpp.barrier_decisions import Reason
from ptofix.located import Place
from ptofix.pto.race_model import CHAIN_NOT_CREDITED, CHAIN_RACE_NOTE

REPO = Path(__file__).resolve().parents[2]
HOME = REPO / "ptofix" / "cpp" / "hazard_words.py"

# Words only a hazard's rendering writes: a second module spelling one of them phrases a hazard
# again.
PHRASES = ("loop back-edge", "no same-access chain", "still in flight from", "races with the later",
           "here; no PIPE_V drain", "may still", "does not understand (line", "(PTOAS #674 same-access chain)")


def _strings(tree: ast.AST) -> list[str]:
    """The literal text of ``tree``: string constants and the literal parts of f-strings, docstrings
    and comments aside."""
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_hazard_words_are_written_in_one_module():
    found = []
    for root in (REPO / "ptofix", REPO / "passes"):
        for path in sorted(root.rglob("*.py")):
            if path == HOME:
                continue
            for text in _strings(ast.parse(path.read_text(encoding="utf-8"))):
                found.extend(f"{path.relative_to(REPO)}: {phrase!r}" for phrase in PHRASES if phrase in text)
    assert found == []
    home = " ".join(_strings(ast.parse(HOME.read_text(encoding="utf-8"))))
    assert all(phrase in home for phrase in PHRASES if phrase != "loop back-edge")


def test_the_chain_notes_are_named_only_by_the_words_module():
    """The race model's notes on a same-access chain are part of a hazard's words."""
    users = []
    for root in (REPO / "ptofix", REPO / "passes"):
        for path in sorted(root.rglob("*.py")):
            if path in (HOME, REPO / "ptofix" / "pto" / "race_model.py"):
                continue
            text = path.read_text(encoding="utf-8")
            users.extend(f"{path.relative_to(REPO)}: {name}" for name in ("CHAIN_NOT_CREDITED", "CHAIN_RACE_NOTE")
                         if name in text)
    assert users == []


def _side(op: str, access: str | None, operand: str, location: Place, bytes_: list | None) -> dict:
    """A side as Hazard.describe gives it: its place a located.Place (line_of reads its fields)."""
    side: dict = {"location": location, "statement": f"{op}(...);", "op": op, "operand": operand}
    if access is None:
        side["operand"] = "*"
        side["why"] = "a call ptofix does not model"
    else:
        side.update({"access": access, "space": "VEC", "bytes": bytes_})
    return side


HAZARD = {"kind": "RAW", "earlier": _side("TMAX", "write", "v59", Place("k.cpp", 356, 5), [[0, 64]]),
          "later": _side("TSUB", "read", "v59", Place("k.cpp", 358, 5), [[0, 64], [128, 192]]),
          "across_loop_back_edge": True, "same_access_chain": True}


def test_each_rendering_is_built_from_the_same_pieces():
    reason = hazard_words.reason(HAZARD, "the producer runs 2 repeats")
    assert reason == ("RAW: TMAX write v59 [0,64) at k.cpp:356:5 -> TSUB read v59 [0,64),[128,192) at k.cpp:358:5"
                      " (across loop back-edge); no same-access chain: the producer runs 2 repeats; "
                      + CHAIN_NOT_CREDITED)
    warning, note = hazard_words.race_lines(HAZARD, [(0, 64)], hazard_words.path_words(True, False),
                                            "k.cpp:358:5", "k.cpp:356:5", 356)
    assert warning == ("k.cpp:358:5: warning: RAW race (PTOAS #674 same-access chain): TSUB reads v59 [0, 64), "
                       "which TMAX (line 356) may still write")
    assert note == ("k.cpp:356:5: note: TMAX writes v59 [0, 64) here; no PIPE_V drain between them across the loop "
                    f"back-edge; {CHAIN_RACE_NOTE}")
    assert hazard_words.page_words(HAZARD) == ("RAW on v59 [0, 64) across the loop back-edge: TMAX (line 356) writes "
                                               "it, then TSUB (line 358) reads it")


def test_the_page_reads_the_hazard_through_the_words_module():
    """The HTML row of a kept barrier is the words module's, framed by the cause's own fields."""
    fields = {"hazard": HAZARD, "needed_once": ["k.cpp:300:3"], "chain_refused": "the producer runs 2 repeats"}
    assert html_report._kept_words(fields, {}, "k.cpp", {}) == (
        f"needed once the barrier at k.cpp:300:3 is removed: {hazard_words.page_words(HAZARD)}; "
        f"{'; '.join(hazard_words.qualifiers(HAZARD, 'the producer runs 2 repeats'))}")
    unknown = {"kind": "WAW", "earlier": _side("TADD", None, "", Place("k.cpp", 11, 3), None),
               "later": _side("TSUB", "write", "v2", Place("k.cpp", 12, 3), [[0, 32]]), "across_loop_back_edge": False}
    decision = {"reason": Reason({"kind": "not-understood", "why": "why"})}
    assert html_report._kept_words({"hazard": unknown, "unknown": [{}]}, decision, "k.cpp", {}) == (
        "needed: WAW on * : code ptofix does not understand (line 11: a call ptofix does not model), then TSUB "
        "(line 12) writes it; why")
