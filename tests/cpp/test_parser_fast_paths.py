"""The C++ front end's fast paths give what the plain code they replace gave.

Each fast path is checked against a reference written the plain way (the code it replaced) on
generated inputs built from the pieces the tokenizer and the scans treat specially: comments,
strings, directives, line splices, `#if` sections, digits before letters, non-ASCII word
characters, keywords inside words and declarators.
"""
import glob
import os
import re
from collections import Counter

import pytest
from conftest import ast_shape
from hypothesis import given, settings
from hypothesis import strategies as st

from ptofix import regex_cache
from ptofix.cpp import lexical, parser, tokens
from ptofix.cpp.lexical import count_identifiers, identifiers, identifiers_among
from ptofix.cpp.model import Compound, ForStmt, GotoStmt, LabelStmt, OpaqueStmt, SimpleStmt
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
    """The token loop _token_spans replaced: finditer of the pattern with a group a kind (and an
    'o' character), stopping at the first gap; the kinds and marks read from the group numbers."""
    groups, starts, ends, pos = bytearray(), [], [], 0
    for match in tokens._TOKEN_RE.finditer(text):
        if match.start() != pos:
            break
        pos = match.end()
        groups.append(match.lastindex)
        starts.append(match.start(match.lastindex))
        ends.append(pos)
    return (groups.translate(tokens._KIND_OF_GROUP).decode("ascii"), groups.translate(tokens._MARK_OF_GROUP).decode("ascii"),
            starts, ends)


def check_token_spans(text):
    # (_token_spans reads the tokens with one group and their kinds from their first characters.)
    kinds, marks, starts, ends = tokens._token_spans(text)
    assert (kinds, marks, list(starts), list(ends)) == reference_token_spans(text)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_token_spans_are_those_of_a_plain_finditer_loop(text):
    check_token_spans(text)


@pytest.mark.parametrize("tail", ["", "  ", " \"open", " /* open", " \xa0 x;", " \ufeff", "$;"])
def test_token_spans_across_match_blocks(tail):
    # More tokens than one block of matches holds, then a bad character or none.
    body = "TADD(v1, v2, /* c */ v3); // x\n" * (regex_cache.MATCH_BLOCK // 3)
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


def reference_identifiers(text, start=0, end=None):
    return re.findall(r"[A-Za-z_]\w*", text[start:end])


@settings(max_examples=400, deadline=None)
@given(texts, st.integers(0, 80), st.integers(0, 80))
def test_identifiers_ascii_and_unicode_scans_agree_with_the_plain_one(text, a, b):
    a, b = sorted((min(a, len(text)), min(b, len(text))))
    assert identifiers(text) == reference_identifiers(text)
    assert identifiers(text, a, b) == reference_identifiers(text, a, b)
    assert identifiers(text, a) == reference_identifiers(text, a)


NAMES = ["x", "TADD", "int", "v12", "x1F", "e5", "_a", "a", "é", "aé", "using", "1abc", "", "a b", "١"]


@settings(max_examples=400, deadline=None)
@given(texts, st.sets(st.sampled_from(NAMES), max_size=12), st.integers(0, 80), st.integers(0, 80))
def test_identifiers_among_few_or_many_names_is_the_plain_intersection(text, names, a, b):
    a, b = sorted((min(a, len(text)), min(b, len(text))))
    # Few names take str.find; more than _FEW_NAMES the scan of every word.
    many = names | {f"filler{k}" for k in range(lexical._FEW_NAMES)}
    for chosen in (names, frozenset(names), many):
        assert identifiers_among(text, chosen) == set(chosen) & set(reference_identifiers(text))
        assert identifiers_among(text, chosen, a, b) == set(chosen) & set(reference_identifiers(text, a, b))
    counted = Counter(word for word in reference_identifiers(text) if word in names)
    assert count_identifiers(text, names) == dict(counted)


@settings(max_examples=400, deadline=None)
@given(texts, st.sets(st.sampled_from(NAMES), max_size=12))
def test_a_files_identifiers_from_its_word_index_are_the_plain_intersection(text, names):
    from ptofix.cpp.lexical import file_identifiers_among
    encoded = frozenset(name.encode("ascii") for name in names if name.isascii())
    assert file_identifiers_among(SourceText(text), frozenset(names), encoded) == \
        set(names) & set(reference_identifiers(text))


def test_identifiers_among_across_chunks_with_a_range():
    text = ("v1 = v2 + 0x1F; // x1F\n" * 9000) + " TADD 1TADD aTADD TADD1 éTADD"
    for names in ({"TADD", "x1F", "v2"}, {"TADD", "x1F", "v2"} | {f"n{k}" for k in range(20)}):
        for start, end in ((0, len(text)), (5, len(text) - 3), (len(text) - 30, len(text) - 26)):
            assert identifiers_among(text, names, start, end) == names & set(reference_identifiers(text, start, end))


DECLARATION_PIECES = PIECES + ["typedef struct S { int a; } T;", "using namespace pto;", "using T = int;",
                               "namespace a::b {", "class C : public B {", "template <typename T, class U>",
                               "enum class E : int {", "concept K = true;", "struct", " typedef ", "::S", "S::"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(DECLARATION_PIECES), max_size=40).map("".join))
def test_declaration_matches_are_those_of_finditer(text):
    keywords = frozenset(identifiers_among(text, parser._DECLARING_KEYWORDS))
    found = [(m.start(), m.end(), m.groups()) for m in parser._declarations(text, keywords)]
    assert found == [(m.start(), m.end(), m.groups()) for m in parser._DECLARING.finditer(text)]


def nested(depth, opening, closing, inner="x;"):
    return "void f() {\n" + opening * depth + inner + closing * depth + "\n}\nvoid g() { y; }\n"


@pytest.mark.parametrize(("opening", "closing"), [("{", "}"), ("if (c) ", ""), ("for (;;) ", ""),
                                                  ("if (c) y; else ", ""), ("switch (c) { case 1: ", "}"),
                                                  ("\n#if A\n", "\n#endif\n")])
@pytest.mark.parametrize("inner", ["x;", "{ }", "lbl:", "// c\nx;"])
def test_nesting_limit_counts_every_statement_and_if_section(opening, closing, inner):
    # Statements and #if sections count alike: what 199 of them hold is read, what 200 of them
    # hold is refused (a simple statement, a comment or a label too), and the next function is
    # read as before.
    for depth, structured in ((199, True), (200, False)):
        model = parse_cpp(SourceText(nested(depth, opening, closing, inner), "k.cpp"))
        body = model.functions[0].body
        if structured:
            assert isinstance(body, Compound)
        else:
            assert isinstance(body, OpaqueStmt) and "nested deeper than 200 levels" in body.reason
        assert isinstance(model.functions[1].body, Compound)


@pytest.mark.parametrize(("statement", "kind", "reason"), [
    ("lbl:", LabelStmt, "label"), ("default:", OpaqueStmt, "label"), ("x::y;", SimpleStmt, None),
    ("a: b;", LabelStmt, "label"), ("for;", SimpleStmt, None), ("if;", SimpleStmt, None),
    ("switch (c) x;", OpaqueStmt, "'switch' is not modelled"), ("while (c) x;", ForStmt, None),
    ("goto out;", GotoStmt, "'goto' is not modelled"), ("goto *p;", OpaqueStmt, "'goto' is not modelled"),
    ("goto default;", OpaqueStmt, "'goto' is not modelled"), ("try { x; }", OpaqueStmt, "'try' is not modelled"),
    ("format(x);", SimpleStmt, None), ("iff(x);", SimpleStmt, None), ("do_it();", SimpleStmt, None),
])
def test_statements_by_their_first_word(statement, kind, reason):
    body = parse_cpp(SourceText("void f() {\n  " + statement + "\n}\n", "k.cpp")).functions[0].body
    stmt = body.body[0]
    assert type(stmt) is kind
    if reason is not None:
        assert stmt.reason == reason


# The token pattern as written before its runs were made possessive (each character of a comment,
# directive or literal one alternation, `/* */` found by a lazy `.*?`): the possessive one must
# read every text into the same tokens, and stop at the same place when a text has a bad token.
_PLAIN_TOKEN_PATTERN = r"""
    [ \t\r\n\f\v\ufeff]*
  (?:
    (?P<w>@W+(?:/(?![/*])@W*)*|/(?![/*])@W*(?:/(?![/*])@W*)*)
  | (?P<o>[;{}()\[\]])
  | (?P<c>//(?:@S|[^\r\n])*|/\*.*?\*/)
  | (?P<p>\#(?:@S|"(?:@S|\\.|[^"\\\r\n])*"?|'(?:@S|\\.|[^'\\\r\n])*'?|//(?:@S|[^\r\n])*|/\*.*?\*/|[^\r\n])*)
  | (?P<s>"(?:\\.|[^"\\\r\n])*"|'(?:\\.|[^'\\\r\n])*')
  )
"""


def _token_matches(pattern, text):
    """(kind letter or an 'o' token's character, start, end) of each token the pattern reads."""
    def mark(m):
        if pattern is _PLAIN_TOKEN_RE:
            kind = " wocps"[m.lastindex]
            return text[m.start(m.lastindex)] if kind == "o" else kind
        return chr(tokens._MARK_OF_GROUP[m.lastindex])
    return [(mark(m), m.start(m.lastindex), m.end()) for m in iter(pattern.scanner(text).match, None)]


_PLAIN_TOKEN_RE = re.compile(_PLAIN_TOKEN_PATTERN.replace("@W", tokens._WORD_CHARS).replace("@S", lexical.SPLICE),
                             re.S | re.X)


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
@settings(max_examples=3000, deadline=None)
@given(st.one_of(texts, st.text(alphabet="ab1/*\\\"'#\n\r \t\f;{}()[]\ufeff.é", max_size=40)))
def test_the_possessive_token_pattern_reads_text_as_the_plain_one(text):
    assert _token_matches(tokens._TOKEN_RE, text) == _token_matches(_PLAIN_TOKEN_RE, text)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=" \t\r\n\f\v\ufeff\u00a0\u2028a;", max_size=30), st.integers(0, 5))
def test_the_blanks_are_read_as_the_plain_set_reads_them(text, pos):
    # _BLANKS spells the set with U+FEFF apart (a set holding it compiles into a 64 Ki-character
    # bitmap): the same run of blanks from any place.
    assert tokens._SPACE_RE.match(text, pos).end() == re.compile(r"[ \t\r\n\f\v\ufeff]*").match(text, pos).end()


def test_the_possessive_token_pattern_reads_the_corpus_as_the_plain_one(corpus_dir):
    paths = sorted(glob.glob(os.path.join(corpus_dir, "**", "*.cpp"), recursive=True))[::7]
    for path in paths:
        text = open(path, encoding="utf-8", errors="replace").read()
        assert _token_matches(tokens._TOKEN_RE, text) == _token_matches(_PLAIN_TOKEN_RE, text), path
    assert len(paths) > 20


# The statement fast paths' atom as written before its runs were made possessive: every fast-path
# pattern built on it must match (groups and spans) where and as the plain one does.
_PLAIN_ATOM = r"-?[A-Za-z_0-9](?:[\w:.]|(?<=\d[eE])[+-])*"
_ATOM_PIECES = ["a", "E", "e", "1", "0x1F", "+", "-", "*", ".", ",", " ", "  ", "(", ")", "_", ";", ":", "::", "\n",
                "é", "v12", "1e+5", "reinterpret_cast<int32_t>(", "(uint64_t)", "const ", "int32_t ", " = ", "f("]


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_ATOM_PIECES), max_size=14).map("".join))
def test_the_fast_paths_possessive_atom_matches_as_the_plain_one(body):
    from ptofix.cpp import stmt_parser as A
    for name in ("_FAST_CALL", "_FAST_ASSIGN", "_BINARY_ATOMS", "_FAST_SCALAR", "_FAST_CAST_RHS"):
        fast = getattr(A, name)
        plain = re.compile(fast.pattern.replace(A._ATOM, _PLAIN_ATOM).replace(r"\w*+)\(", r"\w*)\("), fast.flags)
        assert plain.pattern != fast.pattern
        for text in (body, "f(" + body + ");", "x = " + body + ";", "const int x = " + body + ";",
                     "reinterpret_cast<int32_t>(" + body + ")"):
            got, want = fast.match(text), plain.match(text)
            assert (got and (got.groups(), got.span())) == (want and (want.groups(), want.span())), (name, text)


@settings(max_examples=4000, deadline=None)
@given(st.lists(st.sampled_from(["and", "or", "not", "compl", "bit", "xor", "_eq", "a", "x", "1", "$", " ", "(", "::",
                                 "é", "١", "_", "RowMajor", "Layout", "bitand", "bitor", "n", "o", "c"]),
                max_size=10).map("".join))
@pytest.mark.slow
def test_the_alternative_token_search_is_skipped_only_where_it_finds_none(text):
    from ptofix.cpp import stmt_parser as A
    assert A._may_spell_alternative_token(text) == (A._ALTERNATIVE_TOKEN.search(text) is not None)


_STATEMENT_PIECES = ["GlobalTensor<float, pto::Shape<1, 32>, pto::Layout::ND>", "Tile<TileType::Vec, float, 1, 8>",
                     "TLOAD<T>", "auto", " ", " v1", " v2", "=", " = ", "==", "(", ")", "(v1, v2)", "(v1 + (v2))",
                     ", ", "<", ">", "a", "1", ";", "\n", "::", "TADD"]


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_STATEMENT_PIECES), max_size=10).map("".join).map(lambda t: t + ";"))
def test_the_templated_call_pattern_that_skips_an_equals_sign_parses_as_the_plain_one(text):
    """A templated call's template text holding '=' was matched, then refused by _template; now it
    is not matched. _fast_parse must give the same AST (or fall back) either way."""
    from ptofix.cpp import stmt_parser as A
    plain = re.compile(A._FAST_TEMPLATED_CALL.pattern.replace("<[^=]*>", "<.*>"), A._FAST_TEMPLATED_CALL.flags)
    assert plain.pattern != A._FAST_TEMPLATED_CALL.pattern
    fast = A._FAST_TEMPLATED_CALL
    A.forget_all_statements()
    got = A._fast_parse(text)
    try:
        A._FAST_TEMPLATED_CALL = plain
        A.forget_all_statements()
        want = A._fast_parse(text)
    finally:
        A._FAST_TEMPLATED_CALL = fast
        A.forget_all_statements()
    assert (got is A.FALLBACK) == (want is A.FALLBACK)
    assert ast_shape(got) == ast_shape(want)


def test_many_names_are_looked_for_in_a_small_range_in_time_of_the_range():
    """A file's function names are looked for in each function's text: walking every name for each
    function took time quadratic in the file (20 MB of kernels: 34x the time of 1 MB). The smaller
    side is walked; the answers stay the plain intersection."""
    import time
    names = {f"f{i}" for i in range(400_000)}
    text = "void g() { f1(); f2 (); }\n" * 2500
    line = len("void g() { f1(); f2 (); }\n")
    start = time.process_time()
    for at in range(0, len(text), line):
        assert identifiers_among(text, names, at, at + line) == {"f1", "f2"}
    assert time.process_time() - start < 10       # (walking the names: about a minute)


@pytest.mark.parametrize("text", ["intx = 5;", "floaty = v1 + 2;", "constint32_tv = 0;", "unsignedw;"])
def test_the_declaration_fast_path_splits_no_word_in_two(text):
    # `intx = 5;` assigns intx: a declaration's type and name are whole words, as the grammar reads them
    # (a pattern that could split a word also tried every split of a long one: quadratic time).
    from ptofix.cpp import stmt_parser as A
    fast, grammar = A.parse_statement(text), A.parse_statement(text, fast=False)
    assert ast_shape(fast) == ast_shape(grammar)
    assert type(fast).__name__ != "Decl"


_PLAIN_NUMBER = re.compile(r"-?(0[xX][0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[uUlLfF]*\Z")
@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(list("0123456789xXeE.+-uUlLfFa_ :()$") + ["0x", "1e", "::", "\n"]),
                max_size=12).map("".join))
def test_the_possessive_number_patterns_read_as_the_plain_ones(text):
    from ptofix.cpp import stmt_parser as A
    got, want = A._NUMBER_RE.match(text), _PLAIN_NUMBER.match(text)
    assert (got and (got.span(), got.groups())) == (want and (want.span(), want.groups()))


def test_a_long_run_of_digits_before_a_letter_is_refused():
    from ptofix.cpp import fast_expr
    assert fast_expr.parse_expression("1" * 300 + "x", 0) is fast_expr.FALLBACK
