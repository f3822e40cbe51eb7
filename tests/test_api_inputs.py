"""ptofix.api on inputs the commands treat specially: valid C++ the model cannot read gives what
`ptofix run` writes (the text as it is, every barrier kept, a note), never an error; and text that is
not a str is the caller's mistake, named as such before anything reads it."""
from __future__ import annotations

import subprocess
import sys

import pytest

from ptofix import api

# Valid C++ (a raw string literal, which the tokens cannot follow) with two PIPE_V barriers.
UNREAD = ('#include "pto/pto-inst.hpp"\nusing namespace pto;\nconst char* banner = R"x(a ")x";\n'
          "__global__ AICORE void k() {\n  pipe_barrier(PIPE_V);\n  pipe_barrier(PIPE_V);\n}\n")


def test_fix_cpp_on_a_file_it_cannot_read_returns_what_run_writes(tmp_path):
    kernel = tmp_path / "k.cpp"
    kernel.write_text(UNREAD)
    out = tmp_path / "k.out.cpp"
    run = subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", str(kernel), "-o", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    result = api.fix_cpp(UNREAD, "auto", path=str(kernel))
    assert result.text == out.read_text() == UNREAD and not result.changed
    assert [(d.line, d.column, d.decision, d.cause) for d in result.decisions] == [(5, 3, "kept", None),
                                                                                   (6, 3, "kept", None)]
    assert all("raw string literals are not supported" in d.reason for d in result.decisions)
    # The notes are the command's stderr lines, word for word.
    assert list(result.warnings) == run.stderr.splitlines()
    assert result.warnings[0].startswith(f"{kernel}:3:22: note: raw string literals are not supported")


def test_fix_cpp_without_patterns_on_a_file_it_cannot_read_decides_nothing():
    result = api.fix_cpp(UNREAD)
    assert result.text == UNREAD and result.decisions == () and not result.changed


def test_check_on_a_file_it_cannot_read_reports_it_unverified():
    assert api.check(UNREAD) == ()
    unverified = api.check_report(UNREAD)["unverified"]
    assert unverified == [{"function": None, "location": "kernel.cpp:3:22", "why": "raw string literals are not "
                                                                                   "supported"}]


@pytest.mark.parametrize("text,named", [(UNREAD.encode(), "bytes"), (None, "NoneType"), (5, "int"),
                                        (bytearray(b"x"), "bytearray")])
@pytest.mark.parametrize("call", ["fix_cpp", "check", "check_report", "canonicalize"])
def test_text_that_is_not_a_str_is_a_type_error_naming_it(text, named, call):
    function = getattr(api, call)
    with pytest.raises(TypeError) as raised:
        function(text, "v0.45") if call == "canonicalize" else function(text)
    message = str(raised.value)
    assert f"the text must be a str, not {named}" in message
    assert ("data.decode('utf-8')" in message) == (named in ("bytes", "bytearray"))
