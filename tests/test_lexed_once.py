"""The source is lexed once (issue #70 item 8): during one `check` of a kernel, the tokenizer
(cpp/tokens.scan_tokens) reads the whole main source once, and the raw-text scanners of
cpp/lexical.py (code_only, identifiers, strip_comments, masked_literals, ...) and
source.ascii_words never read it whole; the analyses answer their other questions from the
parser's model and the word index read from its tokens (cpp/word_index.py).

Counted with a shim in a fresh interpreted process (PTOFIX_PURE_PYTHON=1): each scanner of the
module is wrapped before any other module imports it, and an entry counts when its text is the
main source's text itself and its range the whole of it (a function body's range is the parser's
span of it, not a re-scan of the file). Nested entries (code_only calling the scan that replaces
comments) count once."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import ROOT

FA = os.path.join(ROOT, "kernels", "flash_attention", "fa.cpp")

SCANNERS = ("identifiers", "replace_comments_and_literals", "strip_comments", "names_macro_stack_pragma",
            "code_only", "masked_literals", "count_identifiers", "identifiers_among", "qualified_only_names",
            "directive_text", "directive_word")

SHIM = r"""
import json, sys
import ptofix.cpp.lexical as lexical
main = {"text": None}
entries = []
depth = [0]


def counting(name, scan):
    def wrapper(text, *args, **kwargs):
        start = args[1] if name == "identifiers_among" and len(args) > 1 else (
            args[0] if name in ("identifiers", "ascii_words") and args else kwargs.get("start", 0))
        end = args[2] if name == "identifiers_among" and len(args) > 2 else (
            args[1] if name in ("identifiers", "ascii_words") and len(args) > 1 else kwargs.get("end"))
        whole = text is main["text"] and start == 0 and end in (None, len(text))
        if whole and depth[0] == 0:
            caller = sys._getframe(1).f_code
            entries.append([name, caller.co_filename.rsplit("ptofix/", 1)[-1], caller.co_name])
        depth[0] += 1
        try:
            return scan(text, *args, **kwargs)
        finally:
            depth[0] -= 1
    return wrapper


for name in SCANNERS:
    setattr(lexical, name, counting(name, getattr(lexical, name)))
import ptofix.source as source_module
import ptofix.cpp.tokens as tokens_module
source_module.ascii_words = counting("ascii_words", source_module.ascii_words)
scan_tokens = tokens_module.scan_tokens


def counting_tokens(source):
    if source.text is main["text"]:
        entries.append(["scan_tokens", "", ""])
    return scan_tokens(source)


tokens_module.scan_tokens = counting_tokens

import ptofix
from ptofix.race_check import RaceCheck
from ptofix.source import read_source

assert not ptofix.COMPILED
RaceCheck().process_source(read_source(sys.argv[1]))       # (imports, tables read on first use)
source = read_source(sys.argv[1])
main["text"] = source.text
result = RaceCheck().process_source(source)
print(json.dumps({"entries": entries, "races": len(result.report["races"])}))
"""


def whole_source_scans(path: str) -> tuple[list[list[str]], int]:
    env = dict(os.environ, PTOFIX_PURE_PYTHON="1")
    proc = subprocess.run([sys.executable, "-c", SHIM.replace("SCANNERS", repr(SCANNERS)), path],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    return found["entries"], found["races"]


def test_one_check_scans_the_main_source_once():
    entries, races = whole_source_scans(FA)
    assert races > 0                  # (the check ran its analysis: fa.cpp's races are found)
    # The one lexing: the tokenizer's. The words and the counts of each function's name
    # (FileFacts.name_count, code_name_count) are read from its tokens (cpp/word_index.py).
    assert entries == [["scan_tokens", "", ""]]


def test_the_shim_counts_a_scan_of_the_whole_text(tmp_path):
    # The counter has teeth: a kernel that spells `push_macro` in a string (the word index holds
    # it) makes header_policy read the raw text for it, a second whole-text scan.
    text = open(FA, encoding="utf-8").read()
    kernel = tmp_path / "k.cpp"
    kernel.write_text('static const char *note = "push_macro";\n' + text, encoding="utf-8")
    entries, _ = whole_source_scans(str(kernel))
    assert ["names_macro_stack_pragma", "cpp/header_policy.py", "unmodelled_file"] in entries
    assert len(entries) == 2


# The raw-text scanners (cpp/lexical.py, source.ascii_words, vector_latency's comment stripper):
# a call of one outside lexical.py (where they are defined and compose each other) reads text the
# parser has already lexed, so the reason it stays is written beside it: in a comment starting
# RAW_TEXT_SCAN on a line of its statement up to the call's, or in the comment block right above
# the statement (a call on a continued line of a condition is explained above the `if`).
RAW_SCANNERS = frozenset({"strip_comments", "code_only", "identifiers", "count_identifiers", "masked_literals",
                          "ascii_words", "_strip_comments"})
RAW_TEXT_SCAN = "# raw-text scan:"
SCANNERS_HOME = {"ptofix/cpp/lexical.py"}


def _explained(lines: list[str], first: int, lineno: int) -> bool:
    if any(RAW_TEXT_SCAN in line for line in lines[first - 1:lineno]):
        return True
    above = first - 2
    while above >= 0 and lines[above].lstrip().startswith("#"):
        if lines[above].lstrip().startswith(RAW_TEXT_SCAN):
            return True
        above -= 1
    return False


def _calls_of(statement):
    """The calls in ``statement`` itself (not in the statements nested in its body)."""
    import ast
    pending = [child for child in ast.iter_child_nodes(statement) if not isinstance(child, ast.stmt)]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Call):
            yield node
        pending.extend(child for child in ast.iter_child_nodes(node) if not isinstance(child, ast.stmt))


def unexplained_raw_scans(roots: list[str]) -> list[str]:
    """``file:line: name`` of each call of a raw-text scanner (or the scanner passed as a value to
    a call) with no reason written beside it."""
    import ast
    from pathlib import Path
    found: list[tuple[str, int, str]] = []
    for root in roots:
        for path in sorted(Path(ROOT, root).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative in SCANNERS_HOME:
                continue
            text = path.read_text(encoding="utf-8")
            lines = text.splitlines()
            for statement in ast.walk(ast.parse(text)):
                if not isinstance(statement, ast.stmt):
                    continue
                for call in _calls_of(statement):
                    for used in [call.func, *call.args]:
                        name = used.id if isinstance(used, ast.Name) else used.attr \
                            if isinstance(used, ast.Attribute) else None
                        if name in RAW_SCANNERS and not _explained(lines, statement.lineno, used.lineno):
                            found.append((relative, used.lineno, name))
    return [f"{relative}:{line}: {name}" for relative, line, name in sorted(found)]


def test_every_raw_text_scan_says_why_it_stays():
    assert unexplained_raw_scans(["ptofix", "passes"]) == []


def test_an_unexplained_raw_text_scan_is_found(tmp_path, monkeypatch):
    # (The check has teeth: a call without the comment is reported, one with it is not, and so
    # is a scanner passed to map().)
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "m.py").write_text(
        "from ptofix.cpp.lexical import strip_comments, identifiers\n"
        "a = strip_comments(text)\n"
        "# raw-text scan: a reason\n"
        "# (continued)\n"
        "b = identifiers(text)\n"
        "c = identifiers(text)  # raw-text scan: another\n"
        "d = list(map(strip_comments, texts))\n"
        "# a comment that gives no reason\n"
        "e = x.code_only(text)\n"
        "# raw-text scan: the condition's\n"
        "if a and \\\n"
        "        identifiers(b):\n"
        "    f = identifiers(c)\n", encoding="utf-8")
    monkeypatch.setitem(globals(), "ROOT", str(tmp_path))
    assert unexplained_raw_scans(["pkg"]) == ["pkg/m.py:2: strip_comments", "pkg/m.py:7: strip_comments",
                                              "pkg/m.py:9: code_only", "pkg/m.py:13: identifiers"]
