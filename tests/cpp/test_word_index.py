"""The word index read from the parser's tokens (ptofix/cpp/word_index.py) gives the answers of
the raw-text scans it replaced, compared as an oracle over the corpus, pto-isa's headers and
generated text: the distinct words of the raw text (source.ascii_words), each identifier's count
with line splices joined (``count_identifiers(join_splices(text))``: FileFacts.name_count) and
outside comments (``count_identifiers(strip_comments(join_splices(text)))``: code_name_count)."""
from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from conftest import CORPUS, FA_CPP, SHARED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ptofix
from ptofix.cpp.file_facts import FileFacts
from ptofix.cpp.lexical import code_only, identifiers, masked_literals, strip_comments
from ptofix.cpp.model import Compound, CppFile, Function, WordIndex
from ptofix.cpp.parser import parse_cpp
from ptofix.cpp.statement_forms import has_splice, join_splices
from ptofix.cpp.tokens import scan_tokens
from ptofix.cpp.word_index import code_between, code_source, masked_source, masked_tokens_text, read_word_index
from ptofix.source import PtofixError, SourceText, Span, ascii_words


def old_scans(text: str) -> tuple[set[bytes] | None, Counter[str], Counter[str]]:
    """What the raw-text scans answered: the words, every identifier's count and its count in code."""
    joined = join_splices(text) if has_splice(text) else text
    words = ascii_words(text, 0, len(text)) if text.isascii() else None
    return words, Counter(identifiers(joined)), Counter(identifiers(strip_comments(joined)))


def index_of(text: str) -> WordIndex | None:
    """The index read with a function (of an empty span) named after each identifier of the text
    (and a few names it does not hold): the names it counts."""
    try:
        tokens = scan_tokens(SourceText(text, "t.cpp"))
    except PtofixError:        # (UnreadableInput too: the model is Unknown, no index is read)
        return None
    names = sorted(set(old_scans(text)[1]) | {"x", "f", "absent"})
    return read_word_index(tokens, [Function(name, Span(0, 0), Compound(Span(0, 0))) for name in names])


def same_answers(text: str) -> bool:
    """Assert that the index of ``text`` answers as the scans did; False when the tokenizer
    refuses the text (no index) or the index cannot tell the counts."""
    index = index_of(text)
    if index is None:
        return False
    assert masked_tokens_text(scan_tokens(SourceText(text, "t.cpp"))) == masked_literals(text)
    words, every, code = old_scans(text)
    assert index.words == words
    # The text the code alone makes, rebuilt from the tokens, is code_only's and masked_literals'.
    model = CppFile(SourceText(text, "t.cpp"), [])
    model.word_index = index
    assert code_source(model) == code_only(text)
    assert masked_source(model) == masked_literals(text)
    # A range's code (a function's body or head) is its slice's, wherever the range falls.
    tokens = scan_tokens(SourceText(text, "t.cpp"))
    cuts = sorted({0, len(text) // 3, len(text) // 2, 2 * len(text) // 3, len(text), *tokens.starts[:6],
                   *tokens.ends[-3:]})
    for start in cuts:
        for end in cuts:
            if start <= end:
                assert code_between(model, start, end) == code_only(text[start:end]), (start, end)
    if not index.counts_known(set(every)):
        assert index.name_count("x") is None and index.code_name_count("x") is None
        assert index.lexeme_kinds is None       # (then rebuilt by the scans themselves)
        return False
    assert index.comments is not None and index.code is not None
    assert {name: index.name_count(name) for name in every} == dict(every)
    assert {name: index.code_name_count(name) for name in every if name in code} == dict(code)
    # (No name the scans did not find: every count the index holds is one of theirs.)
    assert {name.decode() for name, count in index.code.items() if count} <= set(code)
    assert {name.decode() for name, count in index.comments.items() if count} <= set(every)
    return True


def shared_files() -> list[Path]:
    found = sorted(Path(CORPUS).rglob("*.cpp")) + sorted(Path(CORPUS).rglob("*.h"))
    found += sorted(Path(SHARED, "pto-isa").rglob("*.hpp"))
    return found


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir(CORPUS), reason="../shared/corpus is not present")
def test_the_index_answers_as_the_scans_over_the_corpus_and_headers():
    compared = counted = 0
    for path in shared_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        if index_of(text) is not None:
            compared += 1
            counted += same_answers(text)
    assert compared > 800 and counted > 800      # (the files were read: most tokenize)


def test_fa_cpp():
    assert same_answers(FA_CPP.read_text(encoding="utf-8"))


@pytest.mark.parametrize("text", [
    "int a; // a b c\nint b;\n",
    "/* x y */ int z = 0x1F + 1e5f + 12u;\n",
    'const char *s = "a // b /* c */ d"; char c = \'x\'; char d = \'"\';\n',
    "#define M(a) \\\n  f(a) /* a \\ b */ // g\nint h;\n",
    "#define Q(x) \"x // y\" /* z\n  w */ q\nint v;\n",
    "#define S 'a /* b */ c\nint k;\n",           # (an unclosed character literal in a directive)
    "#define T \"a // b\nint m;\n",                 # (an unclosed string in a directive)
    "#define U a\\\\\nint n;\n",                      # (a splice after an escaped backslash)
    "#' // e g1 a\\\\\n",             # (the literal's `\\\\` ends the token; its last backslash splices)
    "#// e g1 a\\\\ \\\n\nint\n",       # (joined, the comment ends in `\\ `: a splice to the scans)
    "#define V a \\  \n  b\nint o;\n",               # (blanks between the backslash and the line end)
    "#error don't /* x */ y\nint p;\n",
    "// é comment wörd x\nint aé;\n",                # (non-ASCII: \\w words; the tokenizer refuses aé)
    "// é comment wörd x\nint a1_;\n",
    'auto s = "é x";\nint q;\n',
    "x/**/y//z\n/*a*/b\n",
    "#if 0\nisn't\n#endif\n",
    "#define W u8\"x\" L'y' 0x1Fu\n",
    '#define R "a\\\n b"\n',                          # (a splice in a directive's string)
    "#define J a\\\nb /* c\\\nd */ e//f\\\ng\nint ab;\n",   # (splices join words)
])
def test_examples(text):
    same_answers(text)


def test_a_splice_the_tokens_end_a_directive_before_leaves_the_counts_unknown():
    # The tokens end the directive's string, and the directive, at `\\` before the line end,
    # which the last backslash splices away: joined, the next line's `/* f */` is a comment, to
    # the tokens it is in a string. The index cannot tell the counts: the caller scans the text.
    text = '#define X "a\\\\\nb" /* f */ "\nint f;\n'
    index = index_of(text)
    assert index is not None and not index.counts_known({"f"})
    assert old_scans(text)[2]["f"] == 1
    same_answers(text)


FRAGMENTS = st.sampled_from([
    "a", "b", "f", "x1", "_y", "0x1F", "1e5", "12u", "0", "é", "wörd", " ", "  ", "\t", "\n", "\r\n",
    ";", "{", "}", "(", ")", "[", "]", "+", "*", "/", "=", ",", ":", "::", "->", ".", "<", ">",
    "//", "/*", "*/", '"', "'", "\\", "\\\n", "\\ \n", "#", "#define ", "#if 0\n", "#endif\n", "#include <a/b.h>\n",
    'R"(', ')"', "<%", "%>", "<:", ":>", "%:", "??=", "$", "\x00",
    '"s t"', "'c'", "'\\''", '"\\""', '"//"', '"/*"', "/* c d */", "// e f\n", "_Pragma(\"p q\")",
    "u8\"w\"", "L'z'", "1'000",
])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FRAGMENTS, max_size=40).map("".join))
def test_generated_text(text):
    same_answers(text)


# Generated text the tokenizer mostly accepts: lines of code, comments, literals and directives.
LINE = st.lists(st.sampled_from([
    "int", "f", "g1", "0x2A", "3.5e1f", "a_b", "(", ")", "{", "}", ";", "+", "/", "*", "=", "<", ">", ",", " ",
    '"str // not /* comment"', "'q'", "'\\\\'", '"esc\\"aped"', "/* c1 f */", "/* multi\nline g1 */",
    "u8\"u\"", "é"]), max_size=12).map("".join)
DIRECTIVE = st.lists(st.sampled_from([
    "#define ", "M", "(x)", " x", " f", " \\\n", " /* d f */", " // e g1", " \"s f\"", " 'c'", " '",
    ' "', " a\\\\", "##", " #x", "\\  \n", "x\\\ny", "/*\\\n*/"]), min_size=1, max_size=8).map(lambda parts: "#" + "".join(parts)[1:]
                                                                       if parts[0] != "#define " else "".join(parts))
FILE = st.lists(st.one_of(LINE, LINE.map(lambda line: line + " // tail f g1"), DIRECTIVE), max_size=12).map(
    lambda lines: "\n".join(lines) + "\n")


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FILE)
def test_generated_files(text):
    same_answers(text)


def test_generated_files_are_mostly_counted():
    # (The generator has teeth: most of its files tokenize and are counted by the index.)
    from hypothesis import find
    counted = find(FILE, lambda text: "\\\n" in text and "/*" in text and same_answers(text),
                   settings=settings(max_examples=2000, database=None))
    assert counted


def test_file_facts_read_the_index_and_fall_back_to_the_scan():
    text = "void f() {}\nvoid g() { f(); /* f */ }\n#define CALL_F \"f\" // f\n"
    model = parse_cpp(SourceText(text, "k.cpp"))
    assert model.word_index is not None and model.word_index.counts_known({"f", "g"})
    # (The counts of the functions' names only: another name's is not known.)
    assert model.word_index.name_count("CALL_F") is None and model.word_index.code_name_count("CALL_F") is None
    assert not model.word_index.counts_known({"f", "CALL_F"})
    facts = FileFacts(model)
    assert (facts.name_count("f"), facts.code_name_count("f")) == (5, 3)
    assert facts.name_count("CALL_F") == 0          # (the count of a function's name only)
    built = parse_cpp(SourceText(text, "k.cpp"))
    built.word_index = None                           # a model built without the parser's tokens
    assert (FileFacts(built).name_count("f"), FileFacts(built).code_name_count("f")) == (5, 3)
    unknown = parse_cpp(SourceText(text, "k.cpp"))
    unknown.word_index = WordIndex(None, None, None)  # tokens that cannot tell the counts
    assert (FileFacts(unknown).name_count("f"), FileFacts(unknown).code_name_count("f")) == (5, 3)


def test_the_parser_gives_the_source_its_words():
    source = SourceText("int alpha; // beta\n#define GAMMA 1\n", "k.cpp")
    parse_cpp(source)
    assert source.word_text() is not None
    assert b" beta " in source.word_text() and b" GAMMA " in source.word_text()
    assert source.identifier_words() == {b"int", b"alpha", b"beta", b"define", b"GAMMA"}


def test_the_word_index_is_compiled_with_the_parser_that_reads_it():
    """parse_cpp (compiled) builds the index of every file it reads: the index's module is on the
    compiled list (ptofix.COMPILED_MODULES, pyproject's mypy override: fully typed), so that in a
    compiled build it runs compiled (tests/test_compiled.py: the two lists agree)."""
    assert {"ptofix.cpp.parser", "ptofix.cpp.word_index"} <= set(ptofix.COMPILED_MODULES)
