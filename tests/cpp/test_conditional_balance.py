"""A file whose `#if` sections do not nest is bad input, refused as the compiler refuses it: GCC's
`unterminated #if`, `#endif without #if`, `#else after #else`, located at the directive, exit 2,
nothing written. (Before, the model closed an open section at the end of the file and dropped a
stray `#endif`, and `run` removed barriers from a file no compiler accepts, exit 0.)"""
from __future__ import annotations

from pathlib import Path

import pytest

from ptofix.cli import main
from ptofix.cpp.parser import parse_cpp
from ptofix.cpp.preprocessor import misplaced_conditional
from ptofix.source import PtofixError, SourceText

REPO = Path(__file__).resolve().parents[2]
FA_CPP = (REPO / "kernels" / "flash_attention" / "fa.cpp").read_text()

# (text before fa.cpp, text after it, the error, its line: fa.cpp has 437 lines, no final newline)
MISPLACED = {
    "unterminated #if": ("#if 1\n", "", "unterminated #if", 1),
    "unterminated #ifdef, nested": ("#ifdef A\n#if 1\n#endif\n", "", "unterminated #ifdef", 1),
    "unterminated inner #ifndef": ("#if 1\n#ifndef B\n", "", "unterminated #ifndef", 2),
    "#endif without #if": ("", "\n#endif\n", "#endif without #if", 438),
    "#else without #if": ("", "\n#else\n", "#else without #if", 438),
    "#elif without #if": ("", "\n#elif 1\n", "#elif without #if", 438),
    "#else after #else": ("#if 0\n#else\n#else\n#endif\n", "", "#else after #else", 3),
    "#elif after #else": ("#if 0\n#else\n#elif 1\n#endif\n", "", "#elif after #else", 3),
    "#else after #else in a skipped group": ("#if 0\n#if 1\n#else\n#else\n#endif\n#endif\n", "",
                                             "#else after #else", 4),
}


@pytest.mark.parametrize("name", sorted(MISPLACED))
def test_a_misplaced_conditional_directive_is_a_located_error(tmp_path, capsys, name):
    before, after, message, line = MISPLACED[name]
    kernel = tmp_path / "k.cpp"
    data = (before + FA_CPP + after).encode()
    kernel.write_bytes(data)
    out = tmp_path / "out.cpp"
    for argv in (["run", "--pattern", "auto", str(kernel), "-o", str(out)], ["check", str(kernel)],
                 ["run", "--pattern", "auto", "-i", str(kernel)]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith(f"{kernel}:{line}:1: error: {message}\n"), err
        assert kernel.read_bytes() == data and not out.exists()


@pytest.mark.parametrize("text", [
    "#if A\n#elif B\n#else\n#endif\n",
    "#ifdef A\n#if 0\n#else\n#endif\n#elif 1\n#endif\n",
    "# if 1\n#  endif\n",
    "#if 0\n#elifdef X\n#elifndef Y\n#else\n#endif\n",
    "#\n#pragma once\n#line 3\n",
])
def test_sections_that_nest_are_no_error(text):
    assert misplaced_conditional([(line, 0, 0) for line in text.splitlines()]) is None


def test_a_header_with_a_misplaced_directive_is_not_read_not_an_error():
    # parse_cpp refuses the text; the header readers that call it turn that into a reason.
    with pytest.raises(PtofixError, match="unterminated #if"):
        parse_cpp(SourceText("#if 1\nvoid f() {}\n", "h.hpp"))
