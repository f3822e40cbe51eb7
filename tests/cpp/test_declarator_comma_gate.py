"""The one-match test for a statement with no top-level comma (declarator_lists's
_NO_TOP_LEVEL_COMMA) agrees with the character loop it spares (_top_level_commas): where it
matches, the loop finds no comma outside brackets and template arguments, so no declaration of
several declarators is missed. Generated texts nest every kind of bracket, angles after a word or
not, `->`, comments and literals; the named ones are each built to fool a gate that read angles or
brackets otherwise."""
from __future__ import annotations

import random

import pytest

from ptofix.cpp import declarator_lists
from ptofix.cpp.lexical import masked_literals


def gate(text: str) -> bool:
    return declarator_lists._NO_TOP_LEVEL_COMMA.match(masked_literals(text)) is not None


def loop_commas(text: str) -> list[int] | None:
    return declarator_lists._top_level_commas(masked_literals(text))


@pytest.mark.parametrize("text", [
    "T<a, b> c, d",              # the template list closes: the second comma is at top level
    "a < b, c > d",              # `<` after a blank opens no template list
    "x(a] , b[c)",               # brackets of any kind pair with any kind (as the loop counts them)
    "T<a>> b, c",                # a `>` too many
    "f(g(h(i(j, k))))), m",      # deeper than the gate reads, and unbalanced
    "T<U<V<W<a, b>>>> c, d",     # four levels of template arguments
])
def test_code_with_a_top_level_comma_or_beyond_its_shapes_is_left_to_the_loop(text):
    assert not gate(text)


@pytest.mark.parametrize("text", [
    "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128> v12",
    "GlobalTensor<float, pto::Shape<1, 1, 1, 16, 16>, pto::Stride<256, 256, 256, 16, 1>> v7 = "
    "GlobalTensor<float, pto::Shape<1, 1, 1, 16, 16>, pto::Stride<256, 256, 256, 16, 1>>(v1 + (v3 * v4), v5, v6)",
    'T<a> x = f("a, b", /* c, d */ e)',
])
def test_the_statements_of_ptoas_kernels_are_read_by_the_gate(text):
    assert gate(text)
    assert not loop_commas(text)


def _generated(rng: random.Random, depth: int = 0) -> str:
    out = []
    for _ in range(rng.randint(0, 5)):
        roll = rng.random()
        if roll < 0.35 and depth < 5:
            pair = rng.choice(["()", "[]", "{}", "<>", "<>", "(]", "[}"])
            out.append(rng.choice(["a", " ", "-", "_", "", "\u00e9"]) + pair[0] + _generated(rng, depth + 1)
                       + rng.choice(["", "-", " "]) + pair[1])
        elif roll < 0.5:
            out.append(rng.choice([",", ", ", ">", "<", ")", "(", "]", "-", "{", "}"]))
        else:
            out.append(rng.choice(["a", "b1", " ", "_", "x y", "-", "/*,*/", '","', "'<'", "//,\n"]))
    return "".join(out)


def test_where_the_gate_matches_the_loop_finds_no_top_level_comma():
    rng = random.Random(70)
    matched = split = 0
    for _ in range(20000):
        text = _generated(rng)
        commas = loop_commas(text)
        split += bool(commas)
        if gate(text):
            matched += 1
            assert not commas, text
    # (Both kinds are generated in numbers: the property is not vacuous.)
    assert matched > 5000 and split > 500


# -- the compiled build's byte loop (declarator_lists._ascii_top_level_commas) ---------------

def general_commas(text: str) -> list[int] | None:
    """declarator_lists.listed_commas as the interpreted build reads them (the gate, then the loop)."""
    code = masked_literals(text)
    if declarator_lists._NO_TOP_LEVEL_COMMA.match(code) is not None or not declarator_lists.may_list_declarators(text):
        return None
    return declarator_lists._top_level_commas(code)


def byte_loop_commas(text: str) -> list[int] | None:
    """listed_commas as the compiled build reads an ASCII text's."""
    code = masked_literals(text)
    commas = declarator_lists._ascii_top_level_commas(code)
    return commas if commas and declarator_lists.may_list_declarators(text) else None


def test_the_byte_loop_reads_the_commas_the_character_loop_reads():
    rng = random.Random(71)
    listed = split = 0
    for _ in range(20000):
        text = _generated(rng).replace("\u00e9", "e")
        code = masked_literals(text)
        commas = declarator_lists._top_level_commas(code)
        assert declarator_lists._ascii_top_level_commas(code) == commas, text
        fast, general = byte_loop_commas(text), general_commas(text)
        assert (fast or None) == (general or None), text      # (None and [] both: not split)
        listed += bool(general)
        split += bool(commas)
    assert listed > 20 and split > 500


@pytest.mark.parametrize("text", [
    "T<a, b> c, d", "a < b, c > d", "x(a] , b[c)", "T<a>> b, c", "f(g(h(i(j, k))))), m", "T<U<V<W<a, b>>>> c, d",
    "<a, b", "a->b, c", "T<a->b, c> d, e", "int a, b", ",", "", ">", "_<x, y> z, w", "9<x, y> z, w",
    "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128> v12, v13",
])
def test_the_byte_loop_at_its_edges(text):
    code = masked_literals(text)
    assert declarator_lists._ascii_top_level_commas(code) == declarator_lists._top_level_commas(code)
    assert (byte_loop_commas(text) or None) == (general_commas(text) or None)


def test_listed_commas_reads_as_the_general_path():
    for text in ["int a, b", "T<a, b> c", "TADD(a, b, c)", "float x = 1, y = 2", "T<a> x, *y"]:
        assert (declarator_lists.listed_commas(masked_literals(text), text) or None) == (general_commas(text) or None)
