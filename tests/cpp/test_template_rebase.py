"""A template text read again at another offset (stmt_parser._template: `T<...> v = T<...>(args);`
spells its type twice) gets the AST a fresh parse at that offset gives, every offset exact.

The reused path moves the first parse's offsets; these tests pin it equal to _parse_template at
the new offset on generated template texts (nested templates, negative and binary atoms, builtin
type words, literals, qualified names, blanks, texts the fast path refuses) and on whole
statements, against the statement parser without its fast paths."""
import pytest
from conftest import ast_shape
from hypothesis import given, settings
from hypothesis import strategies as st

from ptofix.cpp import stmt_parser

ATOMS = ["1", "128", "-1", "-3", "0x10", "1.5e-3", "a + 1", "b * 2", "v - c", "true", "false", "nullptr",
         "half", "float", "int32_t", "pto::Layout::ND", "::pto::x", "N", "_v1", "1e+5", "-x", "a +", "",
         "é", "int*", "(1)", "a.b", " 7 ", "x<y"]
NAMES = ["T", "Tile", "GlobalTensor", "pto::Shape", "pto::Stride", "::pto::TileType", "1T", "T::"]


def template_texts(depth=2):
    arg = st.sampled_from(ATOMS)
    if depth > 0:
        arg = st.one_of(arg, template_texts(depth - 1))
    return st.builds(lambda name, args, blank: f"{name}<{(',' + blank).join(args)}>",
                     st.sampled_from(NAMES), st.lists(arg, min_size=1, max_size=5), st.sampled_from(["", " ", "  "]))


def fresh(text, start):
    return ast_shape(stmt_parser._parse_template(text, start))


@pytest.fixture(autouse=True)
def _clean_tables():
    stmt_parser.forget_all_statements()
    yield
    stmt_parser.forget_all_statements()


@settings(max_examples=500, deadline=None)
@given(template_texts(), st.lists(st.integers(0, 300), min_size=1, max_size=6))
def test_a_text_read_again_elsewhere_is_parsed_as_there(text, starts):
    stmt_parser.forget_all_statements()
    for start in starts:
        assert ast_shape(stmt_parser._template(text, start)) == fresh(text, start)
    # The nested templates read inside it, at their own offsets, too.
    for start in starts:
        assert ast_shape(stmt_parser._template(text, start + 1)) == fresh(text, start + 1)


def test_the_moved_ast_is_a_new_one_and_the_first_is_unchanged():
    text = "GlobalTensor<half, pto::Shape<1, -1, a + 2>, pto::Stride<float, true>>"
    first = stmt_parser._template(text, 0)
    before = ast_shape(first)
    moved = stmt_parser._template(text, 17)
    assert moved is not first and moved.start == 17 and moved.end == 17 + len(text)
    assert ast_shape(moved) == fresh(text, 17)
    assert ast_shape(first) == before
    assert stmt_parser._template(text, 17) is moved       # shared at its offset, as before


def test_a_refused_text_is_refused_at_every_offset():
    text = "T<a.b, (1)>"
    assert stmt_parser._template(text, 0) is None
    assert stmt_parser._template(text, 9) is None
    assert stmt_parser._parse_template(text, 9) is None


STATEMENT_NAMES = ["v", "v42", "tensor_long_name", "x"]


@settings(max_examples=300, deadline=None)
@given(template_texts(), st.sampled_from(STATEMENT_NAMES), st.sampled_from(["", " "]),
       st.sampled_from(["p + 8", "p", "", "a, b + 1"]))
def test_templated_declarations_match_the_statement_parser(text, name, blank, args):
    stmt_parser.forget_all_statements()
    for statement in (f"{text} {name} = {text}({args});", f"{text} {name}{blank}={blank}{text}({args});",
                      f"{text} {name}({args});"):
        fast = stmt_parser.parse_statement(statement)
        plain = stmt_parser.parse_statement(statement, fast=False)
        if fast is not None and plain is not None:
            assert ast_shape(fast) == ast_shape(plain), statement


def test_a_nested_template_is_shared_with_its_reading_at_that_offset():
    """As a fresh parse's nested templates are (_template by text and offset): moving the outer
    one does not copy them (a copy per statement would hold ~5 MiB more at 5 MB of input)."""
    inner = "pto::Shape<1, 1, 128>"
    text = f"GlobalTensor<half, {inner}>"
    stmt_parser._template(text, 0)
    shared = stmt_parser._template(inner, 40 + text.index(inner))
    moved = stmt_parser._template(text, 40)
    assert moved.args[1] is shared
    assert ast_shape(moved) == fresh(text, 40)


MUTATIONS = [lambda t, i: t[:i] + " " + t[i:], lambda t, i: t[:i] + t[i + 1:],
             lambda t, i: t[:i] + ("2" if t[i:i + 1] != "2" else "3") + t[i + 1:],
             lambda t, i: t[:i] + "/*c*/" + t[i:], lambda t, i: t[:i] + "// c\n" + t[i:]]


@settings(max_examples=400, deadline=None)
@given(template_texts(), st.data())
def test_near_miss_texts_read_in_turn_are_each_parsed_as_there(text, data):
    """Texts one character or one blank apart, or with a comment inside, read in any order at any
    offsets: each is its own parse (the reuse is keyed by the exact text), never the other's moved."""
    stmt_parser.forget_all_statements()
    at = data.draw(st.integers(0, len(text)))
    near = data.draw(st.sampled_from(MUTATIONS))(text, at)
    reads = data.draw(st.lists(st.tuples(st.sampled_from([text, near]), st.integers(0, 200)), min_size=2, max_size=8))
    for which, start in reads:
        assert ast_shape(stmt_parser._template(which, start)) == fresh(which, start), (which, start)


@settings(max_examples=200, deadline=None)
@given(template_texts(depth=1), st.sampled_from(["/*c*/", "/* > , < */", "// x\n"]), st.data())
def test_a_comment_inside_a_repeated_template_reads_as_the_statement_parser_reads_it(text, comment, data):
    at = data.draw(st.sampled_from([i for i, ch in enumerate(text) if ch in ",<>"] or [0]))
    commented = text[:at] + comment + text[at:]
    stmt_parser.forget_all_statements()
    for statement in (f"{text} v = {text}(a);", f"{commented} v = {commented}(a);", f"{text} w = {commented}(a);",
                      f"{commented} v42 = {text}(a, b);"):
        fast = stmt_parser.parse_statement(statement)
        plain = stmt_parser.parse_statement(statement, fast=False)
        if fast is not None and plain is not None:     # (as above: the fast path reads a few more)
            assert ast_shape(fast) == ast_shape(plain), statement
