"""declarator_lists.declarator_texts sets aside a statement that starts with a word and '('
(`TADD(a, b, c);`) before it masks the text and reads its commas: such a text never has a
declaration head (may_list_declarators False), so it lists no declarators whatever follows."""
from hypothesis import given, settings
from hypothesis import strategies as st

from ptofix.cpp.declarator_lists import _CALL_HEAD, _DECLARATION_HEAD, declarator_texts, may_list_declarators
from ptofix.cpp.stmt_parser import parse_statement

_HEADS = st.lists(st.sampled_from(["a", "T", "_", "b1", "::", ":", "pto", "é", "1", " ", "\t", "\n", "<", ">",
                                   "(", "*", ","]), min_size=1, max_size=8).map("".join)
_RESTS = st.lists(st.sampled_from(["(", ")", "a", "b", " ", ",", "<", ">", "{", "}", "x y", "1", ";", '","']),
                  max_size=10).map("".join)


@settings(max_examples=1500, deadline=None)
@given(_HEADS, _RESTS)
def test_a_call_head_is_never_a_declaration_head(head, rest):
    text = head + rest
    if _CALL_HEAD.match(text) is not None:
        assert _DECLARATION_HEAD.match(text) is None
        assert not may_list_declarators(text + ",")


def test_calls_with_commas_list_no_declarators_and_declarations_still_split():
    for text in ["TADD(a, b, c);", "  pto::TMUL (x, y);", "f(a, b), g(c, d);", "set_flag(PIPE_V, PIPE_MTE3, e0);"]:
        assert _CALL_HEAD.match(text) is not None
        assert declarator_texts(text, parse_statement) is None
    for text, count in [("int a, b;", 2), ("Tile<TileType::Vec, float, 16, 16> a, b(c, d);", 2),
                        ("::T a, b, c;", 3)]:
        assert _CALL_HEAD.match(text) is None
        assert len(declarator_texts(text, parse_statement)) == count
    # (`T (a), b;` declares a and b, but its head is none _DECLARATION_HEAD reads: unread before too)
    assert not may_list_declarators("T (a), b;") and declarator_texts("T (a), b;", parse_statement) is None
