"""declarator_lists.declarator_texts reads a statement's commas before its declaration head (the
order that costs least on the statements that reach it); a text whose head may list no
declarators (may_list_declarators False) still lists none, in whatever shape its commas are."""
from hypothesis import given, settings
from hypothesis import strategies as st

from ptofix.cpp.declarator_lists import declarator_texts, may_list_declarators
from ptofix.cpp.stmt_parser import parse_statement

_PIECES = st.sampled_from(["T", "int", "a", "b1", "x", "f", "Tile<a, b>", "pto::S<1, 2>", "const", "=", "+", "*",
                           "/", "->", "<", ">", "1", "::", ",", ", ", " ", "(", ")", "[", "]", "{", "}", "/* , */",
                           '","', "'a'", "\n"])
_STATEMENTS = st.lists(_PIECES, min_size=1, max_size=14).map("".join).map(lambda s: s + ";")


@settings(max_examples=800, deadline=None)
@given(st.one_of(_STATEMENTS, st.sampled_from(["int a, b;", "T<a, b> c, d = f(x, y);", "f(a, b);", "a = 1, b = 2;",
                                                "int a = 1, b(2);", " ::T a, b;", "T<a, (b, c)> d, e;"])))
def test_a_statement_without_a_declaration_head_lists_no_declarators(text):
    texts = declarator_texts(text, parse_statement)
    if not may_list_declarators(text):
        assert texts is None
    if texts is not None:
        assert len(texts) >= 2 and all(len(piece) == len(text) for piece in texts)


def test_declarations_of_several_declarators_are_still_split():
    assert len(declarator_texts("int a, b;", parse_statement)) == 2
    assert len(declarator_texts("Tile<TileType::Vec, float, 16, 16> a, b, c;", parse_statement)) == 3
    assert declarator_texts("f(a, b);", parse_statement) is None
    assert declarator_texts("a = 1, b = 2;", parse_statement) is None
