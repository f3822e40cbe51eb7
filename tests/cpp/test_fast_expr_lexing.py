"""The statement parser's (fast_expr.py) hand-written lexing shortcuts against the regexes they
stand for: name_end against ``[A-Za-z_]\\w*+`` at every character Python's Unicode ``\\w`` may or
may not take, and _Parser.skip's one-space shortcut against the blank-and-comment regex at every
position of texts where a blank is followed by more blanks, a comment or a lone '/'."""
import re
import sys

import pytest

from ptofix.cpp import fast_expr
from ptofix.cpp.fast_expr import name_end

NAME = re.compile(r"[A-Za-z_]\w*+")
SKIP = re.compile(r"(?:[ \t\f\r\n]++|//[^\r\n]*+|/\*(?:[^*]++|\*(?!/))*+\*/)*+")


def _reference_end(text: str, pos: int) -> int:
    match = NAME.match(text, pos)
    return -1 if match is None else match.end()


def test_name_end_takes_every_character_the_regex_takes():
    # Each code point after a name's first letter, and as its first character (only ASCII
    # letters and '_' start one): the loop's test (isalnum or '_') must be \w's, character by character.
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        for text in ("a" + char + "b", char + "a"):
            assert name_end(text, 0) == _reference_end(text, 0), (hex(code), text)


@pytest.mark.parametrize("text", [
    "", "a", "_", "9a", "a9", "v12 + v3", "pto::TADD(a)", "x$y", "a\u0663b", "x\u00b2", "caf\u00e9 = 1",
    "a\u200db", "  name", "TROWEXPANDMUL<T>(a, b)", "(unsigned) v8", "a.b->c", "__aicore__ void",
])
def test_name_end_at_every_position(text):
    for pos in range(len(text) + 2):
        assert name_end(text, pos) == _reference_end(text, pos), (text, pos)


@pytest.mark.parametrize("text", [
    "a + b", "a  + b", "a \t+ b", "a \n b", "a //c\nb", "a /*x*/ b", "a / b", "a /b", "a ", " ", "a  ",
    "f(a, /* c */ b)", "x /* open", "a \r\nb", "a \f b", "a//x", "a /", "( v1 + v2 ) * v3",
])
def test_skip_agrees_with_the_blank_and_comment_regex(text):
    for pos in range(len(text) + 1):
        parser = fast_expr._Parser(text)
        assert parser.skip(pos) == SKIP.match(text, pos).end(), (text, pos)
        assert parser.skip(pos) == SKIP.match(text, pos).end(), (text, pos)      # (asked again: the kept answer)
