"""The tokenizer's pattern for a text without U+FEFF (tokens._NO_BOM_TOKEN_RE, its blanks one
possessive run of ASCII whitespace) reads every such text into the tokens the general pattern
(tokens._TOKEN_RE, whose blanks also take U+FEFF) reads, and stops where it stops; so does the
pattern for an ASCII text (tokens._ASCII_TOKEN_RE, its word characters a set of characters, not a
negated `\\s`); a text with U+FEFF is read by the general one."""
import glob
import os
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from test_parser_fast_paths import PIECES, check_token_spans

from ptofix.cpp import tokens


def _matches(pattern, text):
    """(start, end) of each token the pattern reads from the text's start on, up to the first
    place no token starts at (the kinds: check_token_spans compares them)."""
    return [(m.start(m.lastindex), m.end()) for m in iter(pattern.scanner(text).match, None)]


def check_same_tokens(text):
    assert "\ufeff" not in text
    assert _matches(tokens._NO_BOM_TOKEN_RE, text) == _matches(tokens._TOKEN_RE, text)
    if text.isascii():
        assert _matches(tokens._ASCII_TOKEN_RE, text) == _matches(tokens._TOKEN_RE, text)


_NO_BOM_PIECES = [piece for piece in PIECES if "\ufeff" not in piece]


@settings(max_examples=1500, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(_NO_BOM_PIECES), max_size=60).map("".join),
                 st.text(alphabet="ab1/*\\\"'#\n\r \t\f\v;{}()[]\u00a0\u2028\x1c.é", max_size=40),
                 st.text(alphabet=st.characters(max_codepoint=127), max_size=40)))
def test_a_text_without_a_byte_order_mark_is_read_as_the_general_pattern_reads_it(text):
    check_same_tokens(text)
    check_token_spans(text)


def test_the_places_the_two_patterns_could_part_are_read_alike():
    # Blanks before a token, before a bad character (an open quote, a `/*` never closed, a
    # Unicode blank that is no ASCII whitespace), and trailing; the general pattern may give
    # back blanks it took, the possessive one never does.
    for text in ["  a", " \t\n;", "a \"b", "a /* b", "x\u00a0y", "x \u2028 y", "a  \n", "  ", "", " /", "a/ *b",
                 "#if 0\n'\n#endif\n", "\f\v{", "a\x1cb", "a\x1f;", "\x00a", "a\x7f\x1d"]:
        check_same_tokens(text)
        check_token_spans(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_a_text_with_a_byte_order_mark_is_read_by_the_general_pattern(text):
    text = "\ufeff" + text + " \ufeff"
    check_token_spans(text)


def test_the_corpus_is_read_alike(corpus_dir):
    paths = sorted(glob.glob(os.path.join(corpus_dir, "**", "*.cpp"), recursive=True))[::5]
    for path in paths:
        text = open(path, encoding="utf-8", errors="replace").read()
        if "\ufeff" not in text:
            assert _matches(tokens._NO_BOM_TOKEN_RE, text) == _matches(tokens._TOKEN_RE, text), path
        if text.isascii():
            assert _matches(tokens._ASCII_TOKEN_RE, text) == _matches(tokens._TOKEN_RE, text), path
    assert len(paths) > 20


_UNSUPPORTED_PAIR = re.compile(r'R"|<:|:>|<%|%[:>]')


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet='R"<:>%x \n', max_size=30))
def test_the_gate_of_unsupported_lexemes_finds_every_pair_one_search_finds(text):
    # (tokens._may_spell_unsupported_lexeme: each pair searched apart, as one alternation finds them.)
    assert tokens._may_spell_unsupported_lexeme(text) == (_UNSUPPORTED_PAIR.search(text) is not None)


def test_the_gate_of_unsupported_lexemes_reads_each_pair():
    for text in ['R"x"', '"R"', 'a<:b', 'a:>b', '<%', '%:', '%>', 'x::y<T>', '"a"', 'R "', '<', ':', '>:<', '%']:
        assert tokens._may_spell_unsupported_lexeme(text) == (_UNSUPPORTED_PAIR.search(text) is not None), text


# -- the compiled build's byte loop (tokens._ascii_token_spans) --------------------------------

def check_byte_loop(text):
    """The byte loop reads an ASCII text into the tokens one match a token reads (kinds, marks,
    starts and ends), and stops where it stops."""
    assert text.isascii()
    code = "q"
    starts, ends, first = tokens._ascii_token_spans(text, code)
    kinds = first.translate(tokens._KIND_OF_ASCII_FIRST).decode("ascii")
    marks = first.translate(tokens._MARK_OF_ASCII_FIRST).decode("ascii")
    assert (kinds, marks, list(starts), list(ends)) == \
        tuple(list(part) if not isinstance(part, str) else part for part in tokens._matched_token_spans(text, code))


_ASCII_PIECES = [piece for piece in PIECES if piece.isascii()] + ["a/b", "a/", "/a", "a//b\n", "a/*b*/", "x /y",
                                                                  "\x1c", "\x1f", "\x7f", "\x01", "#x\\\ny\n",
                                                                  "// a\\\nb\n", "//x\r\n", "//\\ \n", "/**/", "/*/",
                                                                  "*/", "/* a\n*/", "//"]


@settings(max_examples=1500, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(_ASCII_PIECES), max_size=60).map("".join),
                 st.text(alphabet="ab1/*\\\"'#\n\r \t\f\v;{}()[]\x1c\x1f\x00.", max_size=40),
                 st.text(alphabet=st.characters(max_codepoint=127), max_size=40)))
def test_the_byte_loop_reads_the_tokens_one_match_a_token_reads(text):
    check_byte_loop(text)


def test_the_byte_loop_at_its_edges():
    for text in ["", " ", "a", "a ", ";", "a/", "a/b", "a//", "a/*", "a/* b */c", "/", "//", "#", "'", '"', "a\x1cb",
                 "x;\x1d", "  \n", "a\"b\"c", "a'b'", "f(a)/2;", "{[()]}", "a" * 5000 + "/" + "b;" * 5000]:
        check_byte_loop(text)
    # More tokens than the loop holds in its lists at once.
    check_byte_loop("TADD(v1, v2, /* c */ v3); // x\n" * 3000 + "a /* open")


def test_the_byte_loop_classes_are_the_patterns_character_sets():
    # A blank is what the ASCII pattern's blanks take; a word character what its word alternative
    # takes after a letter; a bracket or ';' a token of its own; every other character one at
    # which the loop leaves the reading to the pattern.
    for code in range(128):
        ch = chr(code)
        blank = re.fullmatch(r"[ \t\r\n\f\v]", ch) is not None
        match = tokens._ASCII_TOKEN_RE.match("a" + ch)
        word = not blank and match is not None and match.end() == 2 and ch != "/"
        bracket = ch in ";{}()[]"
        expected = tokens._BLANK if blank else tokens._WORD if word else tokens._BRACKET if bracket else 3
        assert tokens._ASCII_CLASSES[code] == expected, repr(ch)


def test_the_corpus_is_read_alike_by_the_byte_loop(corpus_dir):
    paths = sorted(glob.glob(os.path.join(corpus_dir, "**", "*.cpp"), recursive=True))[::3]
    read = 0
    for path in paths:
        text = open(path, encoding="utf-8", errors="replace").read()
        if text.isascii():
            check_byte_loop(text)
            read += 1
    assert read > 20
