"""The statement fast paths (stmt_parser._fast_parse, _rhs) try some patterns only when a cheap test
of the text says they may match: _FAST_ASSIGN when the first '=' follows a leading name and
blanks, _FAST_BARE_DECL when the text holds no '=', _FAST_SCALAR when it holds one,
_FAST_DATA_RHS when it ends with `.data()`. Each test must hold wherever its pattern matches
(else a statement the fast path read would go to the slower parser, or read otherwise): checked on
every statement of the shipped FA kernel and on texts made to sit at each test's edge."""
import os

import pytest
from conftest import ROOT

from ptofix.cpp import stmt_parser
from ptofix.cpp.model import SimpleStmt
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText

FA = os.path.join(ROOT, "kernels", "flash_attention", "fa.cpp")

EDGES = [
    "v = x;", "v=x;", "v =x;", "v \t= 4096;", "v\u00a0= x;", "v\u2003=\u2003x;", "v\u00e9 = x;", "_v1 = v2;",
    "v == x;", "v <= x;", "v += x;", "x.y = 1;", "a[1] = 2;", " v = x;", "=v;", "int32_t v = x;", "int32_t v;",
    "const int32_t v;", "const int v = 3;", "int v = (int32_t) 3;", "float v = reinterpret_cast<float>(x);",
    "T v;", "T v ;", "T v = x.data();", "v = x.data();", "x.data()", "y.data ()", "v5 = v4.data();",
    "int64_t v = -1;", "uint16_t v = 0x10;", "unsigned v;", "bool b = true;", "v = 1e+5;",
]


def _statement_texts(path):
    text = open(path, encoding="utf-8").read()
    model = parse_cpp(SourceText(text, path))
    return [stmt.text for fn in model.functions for stmt in fn.statements() if isinstance(stmt, SimpleStmt)]


TEXTS = EDGES + _statement_texts(FA)


def _pieces(text):
    """The text and its right-hand sides (what _rhs reads: after the first '=', without the ';')."""
    yield text
    if "=" in text:
        yield text.split("=", 1)[1].strip().rstrip(";").strip()


@pytest.mark.parametrize("text", TEXTS)
def test_a_pattern_is_skipped_only_where_it_cannot_match(text):
    assert stmt_parser._FAST_ASSIGN.match(text) is None or stmt_parser._assign_may_match(text)
    assert stmt_parser._FAST_BARE_DECL.match(text) is None or "=" not in text
    assert stmt_parser._FAST_SCALAR.match(text) is None or "=" in text
    for piece in _pieces(text):
        assert stmt_parser._FAST_DATA_RHS.match(piece) is None or piece.endswith(".data()")


def test_the_edges_reach_every_pattern():
    # (The texts above exercise each prefilter where its pattern does match, not only where it does not.)
    assert sum(stmt_parser._FAST_ASSIGN.match(t) is not None for t in EDGES) >= 6
    assert sum(stmt_parser._FAST_BARE_DECL.match(t) is not None for t in EDGES) >= 3
    assert sum(stmt_parser._FAST_SCALAR.match(t) is not None for t in EDGES) >= 4
    assert sum(stmt_parser._FAST_DATA_RHS.match(p) is not None for t in EDGES for p in _pieces(t)) >= 2


# (Not the texts with a non-ASCII blank: _FAST_ASSIGN's \s takes one, the statement parser does
# not; both before these prefilters and after, as _assign_may_match takes what \s takes.)
@pytest.mark.parametrize("text", [t for t in EDGES if t.isascii()])
def test_the_fast_path_reads_as_the_statement_parser(text):
    fast = stmt_parser.fast_parse(text)
    assert repr(fast) == repr(stmt_parser.parse_statement(text, fast=False))


# Statements each of these patterns reads (tests/cpp/test_parser_fast_paths.py compares the ASTs
# with the statement parser's): a prefilter that turned one away would leave it to that parser.
FAST_SHAPED = ["v = x;", "v=x;", "v \t= 4096;", "_v1 = v2;", "int32_t v;", "const int32_t v;", "T v ;",
               "int32_t v = x;", "const int v = 3;", "int v = (int32_t) 3;", "int64_t v = -1;", "bool b = true;"]


@pytest.mark.parametrize("text", FAST_SHAPED)
def test_the_fast_path_reads_what_its_patterns_match(text):
    assert stmt_parser._fast_parse(text) is not stmt_parser.FALLBACK


@pytest.mark.parametrize("text", ["v4.data()", "x.data()", "_g.data()"])
def test_a_data_call_is_read_by_the_right_hand_side_fast_path(text):
    node = stmt_parser._rhs(text, 0)
    assert isinstance(node, stmt_parser.Call) and node.func.field == "data"
