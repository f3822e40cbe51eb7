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
