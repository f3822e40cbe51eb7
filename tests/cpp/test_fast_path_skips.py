"""stmt_parser's templated fast paths skip a regex whose match the statement's text rules out: a
skipped pattern must not be one that would have matched (else the statement would read otherwise).

_FAST_TEMPLATED_CALL is skipped when _templated_call_may_match says no ('=' before any '(' and no
leading `auto`), _FAST_TILE when the text holds a '('. These tests try both patterns on generated
texts built to sit next to their shapes (an `auto` head, '=' on either side of the '(', a '(' or
'=' inside the template, blanks and comments) and require every match to be one the skips let
through; and whole statements read with the fast paths as the statement parser reads them."""
from conftest import ast_shape
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ptofix.cpp import stmt_parser

PIECES = ["auto", "auto ", " ", "v", "v1", "Tile", "T", "pto::S", "<", ">", "(", ")", "=", " = ", ",", ";", "a",
          "1", "-1", "TileType::Vec", "float", "/* = ( */", "\n", "autox", "==", "x(", "<a=1>"]


@st.composite
def near_texts(draw):
    head = draw(st.sampled_from(["", "auto v = ", "auto  w=", "autov = ", "Tile", "T", " auto v = "]))
    body = draw(st.lists(st.sampled_from(PIECES), max_size=12))
    return head + "".join(body)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(near_texts(), st.text(alphabet="auto Tile<>(),=;v1:x\n", max_size=30)))
@example("auto v = T<1>(a);")
@example("T<1>(a = b);")
@example("T<(a)>(b);")
@example("Tile<a, 1> v;")
@example("Tile<a, 1> v = Tile<a, 1>(x);")
def test_a_skipped_pattern_would_not_have_matched(text):
    if stmt_parser._FAST_TEMPLATED_CALL.match(text):
        assert "(" in text and stmt_parser._templated_call_may_match(text), text
    if stmt_parser._FAST_TILE.match(text):
        assert "(" not in text, text


def test_the_skips_take_the_declarations_they_are_for():
    decl = "Tile<TileType::Vec, float, 1, 8> v12 = Tile<TileType::Vec, float, 1, 8>(v3, v4);"
    assert not stmt_parser._templated_call_may_match(decl)
    assert stmt_parser._templated_call_may_match("auto v = TPipe<1, true>(a, b);")
    assert stmt_parser._templated_call_may_match("TLOAD<T<1>>(v1, v2);")
    assert stmt_parser._templated_call_may_match("f<a>(b == c);")      # the '=' after the '('


STATEMENTS = ["auto v = TPipe<1, Direction::DIR_BOTH, 2>(a, b);", "TFREE<TPipe<1, true>, X::Y>(v);",
              "Tile<TileType::Vec, float, 1, 8> v12 = Tile<TileType::Vec, float, 1, 8>(v3, v4);",
              "Tile<TileType::Vec, float, 1, 8> v12;", "Tile<TileType::Vec, float, 1, 8> v(v3, v4);",
              "T<a>(b == c);", "T<1> v = T<1>(x == y);", "auto v = T<1>();", "autov = T<1>(a);",
              "Tile<a, 1> v = f(x);", "Tile<a, 1> v = Tile<a, 1>();", "T<1>(a);", "v = T<1>(a);"]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(STATEMENTS), st.sampled_from(["", " ", "  "]), st.sampled_from(["", "\n"]))
def test_statements_read_as_the_statement_parser_reads_them(statement, blank, newline):
    text = statement.replace(" = ", f"{blank} ={blank} ").replace(", ", f",{newline} ")
    stmt_parser.forget_all_statements()
    fast = stmt_parser.parse_statement(text)
    plain = stmt_parser.parse_statement(text, fast=False)
    assert ast_shape(fast) == ast_shape(plain), text
