"""The parser's token test that spares a statement the declarator split
(parser.commas_only_in_groups: no comment or literal, every comma inside parentheses or brackets
of the statement's own) is right whenever it spares one: declarator_lists.declarator_statements
reads no declaration of several declarators there. Generated statement lists nest every kind of
bracket, template arguments, commas at every level, comments and literals holding commas, braced
initializers and declarations that do split."""
from bisect import bisect_left

from hypothesis import given, settings
from hypothesis import strategies as st

from ptofix.cpp import parser
from ptofix.cpp.declarator_lists import declarator_statements
from ptofix.cpp.model import DeclaratorStmt, SimpleStmt
from ptofix.cpp.tokens import scan_tokens
from ptofix.source import PtofixError, SourceText

_WORDS = st.sampled_from(["T", "int", "a", "b1", "x", "f", "Tile<a, b>", "pto::S<1, 2>", "const", "=", "+", "-", "*",
                          "/", "->", "<", ">", "1", "::", "é"])
_NOISE = st.sampled_from([",", ", ", " ", "\n", "/* , */", "// ,\n", '","', "','", "'a'", '"s"'])


def _group(inner):
    return st.tuples(st.sampled_from(["()", "[]", "{}", "<>"]), inner).map(lambda p: p[0][0] + p[1] + p[0][1])


_ATOMS = st.recursive(st.one_of(_WORDS, _NOISE),
                      lambda inner: st.one_of(_group(st.lists(inner, max_size=5).map(" ".join)),
                                              st.lists(inner, max_size=4).map("".join)), max_leaves=12)
_STATEMENT = st.lists(st.one_of(_ATOMS, _WORDS), min_size=1, max_size=8).map(" ".join).map(lambda s: s + ";")
_BODIES = st.lists(st.one_of(_STATEMENT, st.sampled_from(["int a, b;", "T<a, b> c, d = f(x, y);", "f(a, b);",
                                                          "int a = 1, b(2), c{3};", "x[a, b] = 1, 2;"])),
                   min_size=1, max_size=6).map("\n  ".join)


def _statements(model):
    for fn in model.functions:
        yield from fn.body.walk()


def check(body):
    text = "void k() {\n  " + body + "\n}\n"
    try:
        model = parser.parse_cpp(SourceText(text, "t.cpp"))
    except PtofixError:
        return 0, 0
    tokens = scan_tokens(SourceText(text, "t.cpp"))
    closing, _ = parser._pair_brackets(tokens)
    assert closing is not None
    spared = split = 0
    for stmt in _statements(model):
        if stmt.__class__ not in (SimpleStmt, DeclaratorStmt):
            continue
        start, end = stmt.span
        first = bisect_left(tokens.starts, start)
        after = bisect_left(tokens.ends, end) + 1
        assert tokens.starts[first] == start and tokens.ends[after - 1] == end
        if stmt.__class__ is DeclaratorStmt:
            split += 1
            assert not parser.commas_only_in_groups(tokens, closing.__getitem__, first, after), text
        elif parser.commas_only_in_groups(tokens, closing.__getitem__, first, after) and stmt.spells(","):
            spared += 1
            assert declarator_statements(stmt) is None, (text, stmt.text)
    return spared, split


@settings(max_examples=600, deadline=None)
@given(_BODIES)
def test_a_statement_the_token_test_spares_lists_no_declarators(body):
    check(body)


def test_the_property_is_not_vacuous():
    # Spared statements with commas and statements split into declarators both occur.
    assert check("f(a, b);\n  x[a, g(b, c)] = h(1, 2);\n  int a, b;\n  T<a, b> c, d = f(x, y);") == (2, 4)
    assert check('g(a, "b, c");\n  h(/* , */ a);') == (0, 0)       # (a literal or comment: asked)


def test_statements_with_a_top_level_comma_are_asked():
    text = "void k() {\n  T<a, b> c;\n  a = 1, b = 2;\n  int x = {1, 2};\n}\n"
    tokens = scan_tokens(SourceText(text, "t.cpp"))
    closing, _ = parser._pair_brackets(tokens)
    semis = [i for i, mark in enumerate(tokens.marks) if mark == ";"]
    first = tokens.marks.index("{") + 1
    for semi in semis:
        assert not parser.commas_only_in_groups(tokens, closing.__getitem__, first, semi + 1)
        first = semi + 1
