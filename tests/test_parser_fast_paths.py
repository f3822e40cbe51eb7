"""The C++ front end's fast paths give what the plain code they replace gave.

Each fast path is checked against a reference written the plain way (the code it replaced) on
generated inputs built from the pieces the tokenizer and the scans treat specially: comments,
strings, directives, line splices, `#if` sections, digits before letters, non-ASCII word
characters, keywords inside words and declarators.
"""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptofix.cpp import parser
from ptofix.cpp.parser import parse_cpp
from ptofix.source import PtofixError, SourceText

# Pieces of C++ and of things that are not: glued at random, they hit every alternative of the
# token regex, its error paths (a quote left open, `/*` never closed, a stray character) and the
# lexical scans' boundaries (a word's leading digits, `\w` letters outside ASCII, `$`).
PIECES = ["int", "x", "v12", "0x1F", "1e5", "_a", "TADD", "é", "ß", "a١", "١", "$", " ", "  ", "\t", "\n", "\r\n",
          "\r", "\f", "\ufeff", "\xa0", ";", "{", "}", "(", ")", "[", "]", ",", ".", ":", "::", "<", ">", "=", "+",
          "*", "/", "//", "/*", "*/", "// c\n", "/* c */", '"s"', '"', "'c'", "'", "\\", "\\\n", "#",
          "\n#define M(a) a\n", "\n#if A\n", "\n#else\n", "\n#endif\n", "\n# include \"h\"\n", "\x00", "typedef",
          "struct", "class", "union", "enum", "namespace", "using", "typename", "concept", "template", "usingx",
          "xusing", "1using", "éusing"]
texts = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)


def reference_token_spans(text):
    """The token loop _token_spans replaced: finditer, stopping at the first gap."""
    groups, starts, ends, pos = bytearray(), [], [], 0
    for match in parser._TOKEN_RE.finditer(text):
        if match.start() != pos:
            break
        pos = match.end()
        groups.append(match.lastindex)
        starts.append(match.start(match.lastindex))
        ends.append(pos)
    return groups, starts, ends


def check_token_spans(text):
    groups, starts, ends = parser._token_spans(text)
    assert (groups, list(starts), list(ends)) == reference_token_spans(text)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_token_spans_are_those_of_a_plain_finditer_loop(text):
    check_token_spans(text)


@pytest.mark.parametrize("tail", ["", "  ", " \"open", " /* open", " \xa0 x;", " \ufeff", "$;"])
def test_token_spans_across_match_blocks(tail):
    # More tokens than one block of matches holds, then a bad character or none.
    body = "TADD(v1, v2, /* c */ v3); // x\n" * (parser._SCAN_BLOCK // 3)
    for cut in (0, 1, 2, 7):
        check_token_spans(body[:len(body) - cut] + tail)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_scan_and_parse_never_fail_otherwise_than_with_a_ptofix_error(text):
    for source in (SourceText(text, "k.cpp"), SourceText("void f() {\n" + text + "\n}\n", "k.cpp")):
        try:
            parse_cpp(source)
        except PtofixError:
            pass
