"""Patterns rewritten so that their search is linear on long tokens give what the patterns they
replace gave.

Each rewrite (a scan from a word's end instead of a search anchored at the text's end; atomic
groups and possessive repeats where a failing match was retried in every way of reading it) is
checked against the replaced pattern, kept here, on generated strings built from the pieces
the patterns treat specially.
"""
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptofix.cpp import declaration_forms, lexical
from ptofix.cpp.lexical import SPLICE, trailing_identifier_start, trailing_word_start

WORD_PIECES = ["a", "Z", "_", "q1", "0", "9", "é", "ß", "١", "$", "*", "&", ":", "::", ".", "-", "+", "~", " ", "\n",
               "<", ">", "@", "\u00b2", "\u2160"]
words = st.lists(st.sampled_from(WORD_PIECES), max_size=30).map("".join)

OLD_TRAILING_IDENT = re.compile(r"([A-Za-z_]\w*)\Z")
OLD_TRAILING_NAME = re.compile(r"(\w+)\Z")


@settings(max_examples=500, deadline=None)
@given(words)
def test_trailing_identifier_is_the_one_the_anchored_search_found(word):
    found = OLD_TRAILING_IDENT.search(word)
    assert trailing_identifier_start(word) == (found.start() if found else -1)


@settings(max_examples=500, deadline=None)
@given(words)
def test_trailing_word_is_the_one_the_anchored_search_found(word):
    found = OLD_TRAILING_NAME.search(word)
    assert trailing_word_start(word) == (found.start() if found else len(word))


def test_member_owner_reads_the_trailing_word():
    assert declaration_forms.member_owner("void K::run()", "run") == "K"
    assert declaration_forms.member_owner("void b::c<T>::g()", "g") == "c"
    assert declaration_forms.member_owner("void " + "q" * 5000 + "* ::run()", "run") == "?"
    assert declaration_forms.member_owner("void x* " + "K" * 5000 + "::run()", "run") == "K" * 5000


_OLD_PARAM = r"(?:typename|class|[A-Za-z_]\w*(?:\s*::\s*[A-Za-z_]\w*)*)(?:\s*\.\.\.)?\s+[A-Za-z_]\w*"
OLD_TEMPLATE_HEADS = re.compile(rf"\s*(?:template\s*<\s*(?:{_OLD_PARAM}(?:\s*,\s*{_OLD_PARAM})*)?\s*>\s*)+")
HEAD_PIECES = ["template", "<", ">", ",", " ", "  ", "\n", "typename", "class", "T", "N", "x1", "int", "unsigned",
               "::", ":", "...", "..", "=", "0", "*", "&", "typenamex", "classT", "(", ")", "{", "}"]
heads = st.lists(st.sampled_from(HEAD_PIECES), max_size=24).map("".join)


def check_template_heads(decl):
    old = OLD_TEMPLATE_HEADS.match(decl)
    new = declaration_forms.PLAIN_TEMPLATE_HEADS.match(decl)
    assert (new.end() if new else None) == (old.end() if old else None)


@pytest.mark.slow   # (2 s of CPU or more, measured: CI's full tier runs it)
@settings(max_examples=1500, deadline=None)
@given(heads)
def test_plain_template_heads_match_what_the_backtracking_pattern_matched(decl):
    check_template_heads(decl)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["typename T", "class C", "int N", "a::b c", "typename... Ts", "unsigned int N",
                                 "T", "int N = 1", "x :: y z"]), min_size=0, max_size=6),
       st.sampled_from(["", " ", ">", " > ", "> template<> ", ">template <typename U> void"]))
def test_plain_template_heads_on_parameter_lists(params, tail):
    check_template_heads("template <" + ", ".join(params) + tail)


def test_a_long_template_list_that_fails_at_its_end_is_read_once():
    # Each parameter is read one way: with the replaced pattern, 40 parameters took days.
    params = ", ".join(f"typename T{i}" for i in range(40))
    assert declaration_forms.template_heads(f"template <{params}, unsigned int N> void") == (None, "")
    read, rest = declaration_forms.template_heads(f"template <{params}> void")
    assert read == tuple(("typename", f"T{i}") for i in range(40)) and rest == "void"


OLD_STRING_OR_SPACE = re.compile(r'"(?:\\.|[^"\\])*"|\s+')
OLD_GENERIC_PIECES = re.compile(r'"(?:\\.|[^"\\])*"|->|[<>(){}\[\],]|[^"<>(){}\[\],-]+|-')
IR_PIECES = ['"', '\\"', "\\", "\\\\", "\\n", "\n", "\r\n", " ", "\t", "\xa0", "a", "x1", "->", "-", "<", ">", "{", "}",
             "(", ")", "[", "]", ",", "=", ":", "// c", "//", "%", "@", "é", '"s"', '"a\\"b"']
ir_texts = st.lists(st.sampled_from(IR_PIECES), max_size=40).map("".join)


@pytest.mark.slow   # (2 s of CPU or more, measured: CI's full tier runs it)
@settings(max_examples=1500, deadline=None)
@given(ir_texts)
def test_generic_key_pieces_are_those_of_the_backtracking_patterns(text):
    from passes import canonicalize
    old_compact = OLD_STRING_OR_SPACE.sub(lambda m: "" if m.group(0).isspace() else m.group(0), text)
    assert canonicalize._compact(text) == old_compact
    assert canonicalize._generic_pieces(old_compact) == OLD_GENERIC_PIECES.findall(old_compact)
    assert canonicalize._generic_pieces(text) == OLD_GENERIC_PIECES.findall(text)


def test_a_comment_of_escaped_quotes_is_read_once():
    from passes import canonicalize
    reads: list[int] = []
    body = canonicalize._STRING_BODY

    class Counted:
        def match(self, text, pos):
            reads.append(pos)
            return body.match(text, pos)
    text = '"pto.x"() {a = 1 : i64, // "' + '\\"' * 5000 + '\n b = 2 : i64} : () -> ()'
    canonicalize._STRING_BODY = Counted()
    try:
        pieces = canonicalize._generic_pieces(canonicalize._compact(text))
    finally:
        canonicalize._STRING_BODY = body
    assert pieces == OLD_GENERIC_PIECES.findall(OLD_STRING_OR_SPACE.sub(
        lambda m: "" if m.group(0).isspace() else m.group(0), text))
    assert len(reads) <= 6       # the op name's string and the comment's quote, in each of two passes


OLD_FAST_PTR_DECL = re.compile(
    r"((?:__\w+__\s+)?)(u?int(?:8|16|32|64)_t|float|half|bfloat16_t|bool|void)(\s*)(\*+)\s*"
    r"([A-Za-z_]\w*)\s*=\s*(.*?)\s*;\Z", re.S)
PTR_PIECES = ["__gm__ ", "__ubuf__  ", "float", "half", "int8_t", "*", "**", " ", "\n", "p", " = ", "=", "x", "(", ")",
              "reinterpret_cast<float*>(", "a + b", ";", " ;", "\t"]


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
@settings(max_examples=1500, deadline=None)
@given(st.tuples(st.sampled_from(["", "__gm__ ", "__ubuf__\t"]), st.sampled_from(["float", "int32_t", "void"]),
                 st.sampled_from(["*", " *", "** "]), st.sampled_from(["p", " p", "v1 "]), st.sampled_from(["=", " = ", ""]),
                 st.lists(st.sampled_from(PTR_PIECES), max_size=12).map("".join),
                 st.sampled_from([";", " ;", "\t;", "", "; "])).map("".join))
def test_pointer_declaration_pattern_matches_as_the_backtracking_one_did(text):
    from ptofix.cpp import stmt_parser
    old, new = OLD_FAST_PTR_DECL.match(text), stmt_parser._FAST_PTR_DECL.match(text)
    assert (new is None) == (old is None)
    if old is not None:
        assert [new.span(g) for g in range(7)] == [old.span(g) for g in range(7)]


OLD_ARRAY = re.compile(r"array<\s*([a-z0-9]+)\s*(?::\s*(.*?))?\s*>$", re.DOTALL)
ARRAY_PIECES = ["array<", "i32", "i64", "f32", ":", " ", "\n", "1", "-2", ",", ", ", ">", "<", "x", "\t"]


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
@settings(max_examples=1500, deadline=None)
@given(st.tuples(st.sampled_from(["array<", "array< "]), st.sampled_from(["i32", "i64", "f32", "i32 "]),
                 st.lists(st.sampled_from(ARRAY_PIECES), max_size=14).map("".join),
                 st.sampled_from(["", ">", " >", ">\n", "> \n"])).map("".join))
def test_ir_array_pattern_matches_as_the_backtracking_one_did(text):
    from ptofix.ir import parser as ir_parser
    old, new = OLD_ARRAY.match(text), ir_parser._ARRAY.match(text)
    assert (new is None) == (old is None)
    if old is not None:
        assert [new.span(g) for g in range(3)] == [old.span(g) for g in range(3)]


def old_nested_angle(depth=5):
    string = r'"(?:[^"\\]|\\.)*"'
    inner = r'[^<>"]'
    pattern = "<(?:->|>=|<=|" + string + "|" + inner + ")*>"
    for _ in range(depth - 1):
        pattern = "<(?:->|>=|<=|" + string + "|" + inner + "|" + pattern + ")*>"
    return re.compile(pattern)


ANGLE_PIECES = ["<", ">", "->", "-", ">=", "<=", "=", "i32", " ", "\n", ",", '"', '"s"', '"a>b"', "\\", '\\"', "x",
                "(", ")", "?"]


@pytest.mark.slow   # (2 s of CPU or more, measured: CI's full tier runs it)
@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(ANGLE_PIECES), max_size=24).map("".join))
def test_ir_nested_angle_pattern_matches_as_the_one_char_a_repeat_one_did(text):
    from ptofix.ir import parser as ir_parser
    old, new = old_nested_angle().match("<" + text), re.compile(ir_parser._nested_angle()).match("<" + text)
    assert (new.end() if new else None) == (old.end() if old else None)


def old_starts_a_statement(text, offset):
    import tomllib
    try:
        tomllib.loads(text[:offset])
    except tomllib.TOMLDecodeError:
        return False
    return True


TOML_LINES = ["a = 1", "b = [", "  1,", "  [2, 3],", "]", "[t]", "[[u]]", "[t.v]", 'c = """', 'x ] [ "', '""" ',
              "d = '''", "'''", 'e = "a # [ "', "f = 'b ]'", "# [x]", "g = { h = 1 }", '"k.l" = 2', "m = [ # c",
              "  '''x", "y''', ]", 'n = """a""""', "o = '''b'''''", 'p = "\\\\"', 'q = """\\', '  z"""', "", "  ",
              "r = [", "  { s = 1 },", "  # ]", "]"]
# Whole statements (most of them spanning lines), each key once, and loose lines.
TOML_STATEMENTS = ["a = 1", "b = [\n  1,\n  [2, 3],\n]", '[t]\nc = """\nx ] [ "\n[y]\n"""', "[[u]]\nd = '''\n[z]\n'''",
                   'e = "a # [ "', "f = 'b ]'", "# [x]", "g = { h = 1 }", '"k.l" = 2', "m = [ # c\n  '''x\ny''', ]",
                   'n = """a""""', "o = '''b'''''", 'p = "\\\\"', 'q = """\\\n  z"""', "r = [\n  { s = 1 },\n  # ]\n]",
                   "[t.v]\nw = [\n[1],\n]", "", "  "]
toml_texts = st.one_of(st.lists(st.sampled_from(TOML_LINES), max_size=14),
                       st.lists(st.sampled_from(TOML_STATEMENTS), max_size=10, unique=True)).map("\n".join)


@pytest.mark.slow   # (2 s of CPU or more, measured: CI's full tier runs it)
@settings(max_examples=1500, deadline=None)
@given(toml_texts, st.sampled_from(["\n", "\r\n"]))
def test_toml_statement_starts_are_where_the_text_before_parses(text, newline):
    import tomllib

    from ptofix.prebuild.config import statement_starts
    text = text.replace("\n", newline)
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    starts = statement_starts(text)
    line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    assert [s in starts for s in line_starts] == [old_starts_a_statement(text, s) for s in line_starts]


def test_a_key_is_located_among_many_tables_with_one_scan(monkeypatch):
    import tomllib

    from ptofix.prebuild import config as build
    text = "".join(f"[t{i}]\nx = 1\n" for i in range(3000)) + "[tool]\nptofix = 3\n"
    parses: list[int] = []
    loads = tomllib.loads
    monkeypatch.setattr(tomllib, "loads", lambda t: parses.append(len(t)) or loads(t))
    assert build.locate_key(text, ["tool", "ptofix"]) == text.index("ptofix = 3")
    assert build.locate_key(text, ["t2999", "x"]) == text.index("x = 1", text.index("[t2999]"))
    assert parses == []        # (the text before each table was parsed again: 3,000 parses)


OLD_COMMENT_OR_STRING = re.compile(
    r"""//(?:@S|[^\r\n])*|/\*.*?\*/|"(?:\\.|[^"\\\r\n])*"|'(?:\\.|[^'\\\r\n])*'""".replace("@S", SPLICE), re.S)
LITERAL_PIECES = ['"', "'", "\\", '\\"', "\\'", "\\\\", "/", "//", "/*", "*/", "*", "\n", "\r", "\r\n", "\\\n",
                  "\\ \n", " ", "a", "\t"]
literal_texts = st.lists(st.sampled_from(LITERAL_PIECES), max_size=40).map("".join)


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
@settings(max_examples=3000, deadline=None)
@given(literal_texts)
def test_comments_and_literals_are_the_ones_the_search_found(text):
    def mark(found):
        return f"<{len(found)}:{found}>"

    expected = OLD_COMMENT_OR_STRING.sub(lambda m: mark(m.group()), text)
    assert lexical.replace_comments_and_literals(text, mark) == expected
    # (The scan alone, which reads the texts with an unclosed literal or comment, on every text.)
    assert lexical._replace_by_scan(text, mark) == expected


def test_unclosed_literals_and_comments_are_skipped():
    # (The old search retried the unclosed literals from each quote inside them: quadratic.)
    text = '"' + '\\"' * 20000 + "\n'" + "\\'" * 20000 + "\n" + "/* " * 20000
    assert lexical.replace_comments_and_literals(text, lambda found: "X") == text
    assert lexical.code_only(text + '"x" // c') == text + '""  '
    assert lexical.code_only('x = "a\\"b" /* c */ + \'\\\'\' // d\n') == "x = \"\"   + ''  \n"


# The statement parser's terminals as tests/cpp_stmt.lark spells them (backtracking runs).
PLAIN_TERMINALS = {
    "_TNAME": re.compile(r"(?:::)?[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*(?=<)"),
    "_QNAME": re.compile(r"::[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*|[A-Za-z_]\w*(?:::[A-Za-z_]\w*)+"),
    "_NAME": re.compile(r"[A-Za-z_]\w*"),
    "_NUMBER": re.compile(r"(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)[uUlLfF]*"),
    "_STRING": re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'', re.S),
    "_SKIP": re.compile(r"(?:[ \t\f\r\n]|//[^\r\n]*|/\*(?:.|\n)*?\*/)*"),
}
TERMINAL_PIECES = ["a", "_b", "x1", "::", ":", "<", "0", "0x", "1F", ".", "e", "+", "-", "u", "f", '"', "'", "\\", " ",
                   "\n", "/", "*", "/*", "*/", "//", "é", "$"]


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(TERMINAL_PIECES), max_size=14).map("".join))
def test_the_statement_parsers_possessive_terminals_match_as_the_grammars(text):
    from ptofix.cpp import fast_expr
    for name, plain in PLAIN_TERMINALS.items():
        want = plain.match(text)
        if name == "_NAME":      # (a name is read by fast_expr.name_end's loop, not a pattern)
            end = fast_expr.name_end(text, 0)
            assert ((0, end) if end >= 0 else None) == (want.span() if want else None), (name, text)
            continue
        got = getattr(fast_expr, name).match(text)
        assert (got and got.span()) == (want and want.span()), (name, text)
