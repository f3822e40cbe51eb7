"""Which of the file's function names each function's text holds (barrier_sites.local_mentions) is
read from the word index (WordIndex.mentions: the parser's one scan of the words, issue #70 items
7 and 8), not by a second scan of each function's text. The index must answer as that scan did,
``identifiers_among(text, names, fn.span.start, fn.span.end)``: compared as an oracle over
generated text (comments, literals, directives, line splices, non-ASCII words, U+FEFF, a name held
after a word's leading digits, spans that overlap or whose edges lie inside a word) and over the
corpus; the word counts read in the same scan stay those of the whole text."""
from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from conftest import CORPUS, FA_CPP
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from ptofix.cpp.barrier_sites import local_mentions
from ptofix.cpp.lexical import identifiers, identifiers_among, strip_comments
from ptofix.cpp.model import Compound, CppFile, Function
from ptofix.cpp.parser import parse_cpp
from ptofix.cpp.statement_forms import has_splice, join_splices
from ptofix.cpp.tokens import scan_tokens
from ptofix.cpp.word_index import read_word_index
from ptofix.source import PtofixError, SourceText, Span


def scanned_mentions(model: CppFile) -> dict[int, set[str]]:
    """What local_mentions answered before the index held the mentions: a scan of each span."""
    text = model.source.text
    names = {fn.name for fn in model.functions}
    return {id(fn): identifiers_among(text, names, fn.span.start, fn.span.end) for fn in model.functions}


def functions_at(spans: list[tuple[str, int, int]]) -> list[Function]:
    return [Function(name, Span(start, end), Compound(Span(start, end))) for name, start, end in spans]


def same_mentions(text: str, spans: list[tuple[str, int, int]]) -> bool:
    """Assert that the index read with functions at ``spans`` (name, start, end) answers each one's
    mentions as the scan of its span does, and that its words and counts are the index's read
    without them; False when the tokenizer refuses the text."""
    try:
        tokens = scan_tokens(SourceText(text, "t.cpp"))
    except PtofixError:
        return False
    functions = functions_at(spans)
    index = read_word_index(tokens, functions)
    plain = read_word_index(tokens)
    assert index.words == plain.words
    assert (index.lexeme_kinds, index.lexeme_starts, index.lexeme_ends) == \
        (plain.lexeme_kinds, plain.lexeme_starts, plain.lexeme_ends)
    model = CppFile(SourceText(text, "t.cpp"), functions)
    model.word_index = index
    names = {fn.name for fn in functions}
    # The counts of the functions' names read in the same split are the scans' (FileFacts.name_count).
    if index.counts_known(names):
        joined = join_splices(text) if has_splice(text) else text
        every, code = Counter(identifiers(joined)), Counter(identifiers(strip_comments(joined)))
        assert {name: index.name_count(name) for name in names} == {name: every[name] for name in names}
        assert {name: index.code_name_count(name) for name in names} == {name: code[name] for name in names}
    else:
        assert index.code is None and plain.code is None
    assert set(index.mentions_of(names)) == {fn.span for fn in functions}      # (every function read)
    assert local_mentions(model) == scanned_mentions(model)
    return True


NAMES = ["f", "g1", "x1F", "a_b", "_y", "F", "main", "f0", "e5", "aé", "éf", "A::f", "1f", "kernel", "helper", "z"]
FRAGMENTS = st.sampled_from([
    "f", "g1", "x1F", "0x1F", "a_b", "_y", "F", "main", "f0", "1e5", "e5", "1f", "9f", "z", "zz", "kernel",
    "helper", "éf", "aé", "wörd", "\ufeff", " ", "\t", "\n", "\r\n", ";", "{", "}", "(", ")", "[", "]", "+",
    "*", "/", "=", ",", ":", "::", "->", ".", "<", ">", "#define ", "#if 0\n", "#endif\n", "\\\n", "\\ \n",
    '"f g1"', "'c'", "'\\''", '"\\"f"', '"//"', '"/*"', "/* f main */", "/* x1F\n*/", "// helper f\n",
    "u8\"w\"", "L'z'", "_Pragma(\"f\")", '"é f"', "// éf ¹f\n",
])


@st.composite
def texts_and_spans(draw: st.DrawFn) -> tuple[str, list[tuple[str, int, int]]]:
    text = "".join(draw(st.lists(FRAGMENTS, max_size=40)))
    offsets = st.integers(0, len(text))
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=12))
    spans = []
    for name in names:
        start, end = sorted((draw(offsets), draw(offsets)))
        spans.append((name, start, end))
    return text, spans


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts_and_spans())
def test_generated_text_and_spans(case):
    # Any spans: overlapping ones, the same span twice, empty ones, and edges inside words.
    same_mentions(*case)


@st.composite
def disjoint_spans(draw: st.DrawFn) -> tuple[str, list[tuple[str, int, int]]]:
    """Text and spans in file order that do not overlap (as the parser's functions lie)."""
    text = "".join(draw(st.lists(FRAGMENTS, min_size=1, max_size=60)))
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), min_size=2, max_size=20))))
    names = st.sampled_from(NAMES)
    return text, [(draw(names), start, end) for start, end in zip(cuts[::2], cuts[1::2], strict=False)]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(disjoint_spans())
def test_generated_text_and_disjoint_spans(case):
    same_mentions(*case)


def test_the_generators_reach_the_cases():
    # (They have teeth: texts the tokenizer reads with a span whose edge cuts a word, a name held
    # only after a word's leading digits, and spans that overlap.)
    def cuts_a_word(case: tuple[str, list[tuple[str, int, int]]]) -> bool:
        text, spans = case
        return any(0 < at < len(text) and text[at - 1].isalnum() and text[at].isalnum()
                   for _, start, end in spans for at in (start, end)) and same_mentions(text, spans)

    def hidden_name(case: tuple[str, list[tuple[str, int, int]]]) -> bool:
        text, spans = case
        return "0x1F" in text and "x1F" in {name for name, _, _ in spans} and same_mentions(text, spans)

    def overlap(case: tuple[str, list[tuple[str, int, int]]]) -> bool:
        text, spans = case
        return any(a[1] < b[1] < a[2] for a in spans for b in spans) and same_mentions(text, spans)

    quick = settings(max_examples=3000, database=None)
    assert find(disjoint_spans(), cuts_a_word, settings=quick)
    assert find(disjoint_spans(), hidden_name, settings=quick)
    assert find(texts_and_spans(), overlap, settings=quick)


@pytest.mark.parametrize("text", [
    "void f() { g1(); }\nvoid g1() { /* f */ }\nvoid h() { \"f\"; }\n",
    "void x1F() {}\nvoid k() { int v = 0x1F; }\n",                 # (`0x1F` holds x1F)
    "void f() {}\nvoid k() { float v = 1.0f; }\n",                   # (`0f` holds f)
    "void f() {}\nvoid k() {\n#define M f\n}\n",                     # (a directive in a body)
    "void f() {}\nvoid k() {\n#define M \\\n  f\n}\n",               # (a splice in it)
    "\ufeffvoid f() {}\nvoid k() { // éf wörd\n}\n",                  # (U+FEFF, non-ASCII words: `éf` holds f)
    "void f() {}\nvoid k() { const char *s = \"é f\"; }\n",
    "void f() {}void k(){f();}void m(){k();}\n",                      # (spans touching each other)
    "".join(f"void f{n}() {{ f{n + 1}(); f{n + 2}(); }}\n" for n in range(30)),   # (more than a few names)
    # `#if` groups that cut across g's braces: the file is parsed again (parser._parse_crossing_functions),
    # the index read once, by the first parse that knows the functions.
    "void g(int n) {\n#if defined(FOO)\n  for (int i = 0; i < n; ++i) {\n#else\n  for (int i = 0; i < 4; ++i) {\n"
    "#endif\n    n += i;\n  }\n}\nvoid k() { g(2); }\n",
])
def test_parsed_examples(text):
    model = parse_cpp(SourceText(text, "k.cpp"))
    assert len(model.functions) >= 2
    assert model.word_index is not None
    names = {fn.name for fn in model.functions}
    assert set(model.word_index.mentions_of(names)) == {fn.span for fn in model.functions}   # (no scan)
    assert local_mentions(model) == scanned_mentions(model)


def test_a_large_function_is_read_a_piece_at_a_time():
    # (A body of ~300K characters: its words are split ~64K at a time, a name in each piece.)
    body = "".join(f"  v{n} = w{n} + {n};\n" if n % 5000 else f"  f{n}();\n" for n in range(1, 20000))
    text = "void f5000() {}\nvoid f15000() {}\nvoid big() {\n" + body + "}\nvoid f10000() {}\n"
    model = parse_cpp(SourceText(text, "k.cpp"))
    mentions = local_mentions(model)
    big = next(fn for fn in model.functions if fn.name == "big")
    assert mentions[id(big)] == {"big", "f5000", "f10000", "f15000"}
    assert mentions == scanned_mentions(model)


def test_a_model_without_the_index_scans_the_text():
    text = "void f() { g(); }\nvoid g() {}\n"
    model = parse_cpp(SourceText(text, "k.cpp"))
    model.word_index = None
    assert local_mentions(model) == scanned_mentions(model)
    f, g = model.functions
    assert local_mentions(model) == {id(f): {"f", "g"}, id(g): {"g"}}
    # A function the index did not read (another name, another span) is scanned for too.
    other = parse_cpp(SourceText(text, "k.cpp"))
    moved = Function("g", Span(0, 10), Compound(Span(0, 10)))
    other.functions = [other.functions[0], moved]
    assert local_mentions(other) == scanned_mentions(other)


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir(CORPUS), reason="../shared/corpus is not present")
def test_the_corpus():
    read = 0
    for path in sorted(Path(CORPUS).rglob("*.cpp")):
        try:
            model = parse_cpp(SourceText(path.read_text(encoding="utf-8", errors="replace"), str(path)))
        except PtofixError:
            continue
        assert model.word_index is not None
        names = {fn.name for fn in model.functions}
        assert set(model.word_index.mentions_of(names)) == {fn.span for fn in model.functions}, path
        assert local_mentions(model) == scanned_mentions(model), path
        read += bool(model.functions)
    assert read > 400


def test_fa_cpp():
    model = parse_cpp(SourceText(FA_CPP.read_text(encoding="utf-8"), str(FA_CPP)))
    assert len(model.functions) == 5 and local_mentions(model) == scanned_mentions(model)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts_and_spans())
def test_the_oracle_finds_a_few_names_as_the_identifier_scan_does(case):
    # identifiers_among looks for a few names with str.find (lexical._is_identifier_in, which reads
    # an ASCII name as an identifier without the regex): the same names as the scan of every
    # identifier of the range.
    text, spans = case
    names = {name for name, _, _ in spans[:8]}
    for _, start, end in spans:
        assert identifiers_among(text, names, start, end) == names.intersection(identifiers(text, start, end))
