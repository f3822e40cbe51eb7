"""A block-scope declaration of several declarators (`T a, b;`, issue 57: simpler's
`TileScalarDN mijDN, lijDN, miDN, liDN;`) is read as the declarations it is equivalent to
([dcl.decl]/3: each init-declarator as if in a declaration by itself), one statement a declarator
(ptofix/cpp/declarator_lists.py). Each adversary below is built to make a split misread what the
declaration declares, or to hide something in a declarator: its barrier stays.

The kernel: `TADD(a, a, a)` on a at UB [0, 8192), `pipe_barrier(PIPE_V)`, `TMUL(b, b, b)` on b at
65536 (no overlap: removable) unless a case says otherwise.
"""
from __future__ import annotations

import pytest

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.declarator_lists import declarator_texts
from ptofix.cpp.model import DeclaratorStmt, SimpleStmt
from ptofix.cpp.parser import parse_cpp
from ptofix.cpp.stmt_parser import parse_statement
from ptofix.source import SourceText

TILE = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"


def kernel(declarations: str, bind: str = "TASSIGN(a, 0);\n  TASSIGN(b, 65536);", head: str = "") -> str:
    return f"""#include <pto/pto-inst.hpp>
using namespace pto;
{head}
__global__ AICORE void k(__gm__ float* x, int64_t n) {{
  {declarations}
  {bind}
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  pipe_barrier(PIPE_V);
  TMUL(b, b, b);
}}
"""


def decisions(src: str) -> list:
    return BarrierAnalysis(parse_cpp(SourceText(src, "hand.cpp"))).run({"auto"})


def removed(src: str) -> list[bool]:
    return [d.removed for d in decisions(src)]


def test_controls():
    assert removed(kernel(f"{TILE} a;\n  {TILE} b;")) == [True]
    assert removed(kernel(f"{TILE} a;\n  {TILE} b;", bind="TASSIGN(a, 0);\n  TASSIGN(b, 4096);")) == [False]


# Lists read as their declarations: the tiles are known, the barrier goes.
READ = {
    "two tiles": f"{TILE} a, b;",
    "three tiles over lines": f"{TILE} a,\n      c,  // a spare\n      b;",
    "an alias type": f"using T = {TILE};\n  T a, b;",
    "a scalar list first": f"int64_t i = 0, j = i + 1;\n  {TILE} a, b;",
    "a tile between scalars": f"{TILE} a;\n  int r = 2, s = 3;\n  {TILE} b;",
    # (Only c is an array: each declarator is read alone, with the type.)
    "an array declarator first": f"{TILE} c[2], a, b;",
}


@pytest.mark.parametrize("name", sorted(READ))
def test_declarator_list_read_as_its_declarations(name):
    assert removed(kernel(READ[name])) == [True]


def test_the_list_still_sees_the_overlap():
    assert removed(kernel(f"{TILE} a, b;", bind="TASSIGN(a, 0);\n  TASSIGN(b, 4096);")) == [False]


def test_a_tile_of_the_list_used_before_its_binding_stays_unknown():
    # b's first state (no address) is one more possibility when TMUL may run before TASSIGN binds it.
    src = kernel(f"{TILE} a, b;", bind="TASSIGN(a, 0);\n  if (n) {\n    TASSIGN(b, 65536);\n  }")
    assert removed(src) == [False]


# Each of these declares something other than what a split into `T D;` pieces of one type would
# say, or hides a write, a name or a macro in a declarator: the barrier stays.
ADVERSARIES = {
    # The `*` belongs to the first declarator only: b is a Tile, the list is left unread.
    "pointer first declarator": (f"{TILE} *p, b;\n  {TILE} a;", "TASSIGN(a, 0);\n  TASSIGN(b, 4096);"),
    "pointer later declarator": (f"{TILE} a, *p;\n  {TILE} b;", "TASSIGN(a, 0);\n  TASSIGN(b, 4096);"),
    # b copies a (the declarator just before it is in scope): b is at a's address.
    "copy of the previous declarator": (f"{TILE} a, b = a;", "TASSIGN(a, 0);"),
    "direct-initialized from the previous": (f"{TILE} a, b(a);", "TASSIGN(a, 0);"),
    # A later declarator's initializer rebinds b over a.
    "initializer rebinds a tile": (f"{TILE} a, b;\n  int64_t s = 0, t = (TASSIGN(b, 4096), 0);",
                                   "TASSIGN(a, 0);\n  TASSIGN(b, 65536);\n  s = t;"),
    # A declarator shadows pto's names the barrier and the ops are read by.
    "declarator named PIPE_V": (f"{TILE} a, b;\n  int s = 0, PIPE_V = 2;", None),
    "declarator named like the op": (f"{TILE} a, b;\n  int s = 0, TMUL = 2;", None),
    "declarator named pipe_barrier": (f"{TILE} a, b;\n  int s = 0, pipe_barrier = 2;", None),
    # `n<4` reads as template arguments left open: no split, the statement may declare PIPE_V.
    "angle left open": (f"{TILE} a, b;\n  int s = n<4, PIPE_V = 2;", None),
    "comparison with blanks": (f"{TILE} a, b;\n  int s = n < 4, PIPE_V = 2;", None),
    # A macro in a declarator (its expansion may be anything).
    "macro declarator": (f"{TILE} a, B_TILE;", None),
    # A list whose declarators are not all of one form the grammar reads: left unread.
    "braced declarator": (f"{TILE} a, b{{}};", None),
    "macro type": ("B_TYPE a, b;", None),
}


@pytest.mark.parametrize("name", sorted(ADVERSARIES))
def test_declarator_list_adversary_keeps_the_barrier(name):
    declarations, bind = ADVERSARIES[name]
    head = {"macro declarator": "#define B_TILE b", "macro type": f"#define B_TYPE {TILE}"}.get(name, "")
    src = kernel(declarations, head=head) if bind is None else kernel(declarations, bind=bind, head=head)
    assert True not in removed(src)


def test_array_declarator_list_keeps_each_declarators_type():
    # `T c[2], a;`: only c is an array (each declarator is read alone, with the type T).
    texts = declarator_texts(f"{TILE} c[2], a;", parse_statement)
    assert texts is not None
    first, second = (parse_statement(text) for text in texts)
    assert first.array and first.name == "c"
    assert not second.array and second.name == "a"


# declarator_texts itself: what it refuses.
REFUSED = {
    "a call with arguments": "TADD(a, b, c);",
    "a comma expression": "a = 1, b = 2;",
    "a single declaration": f"{TILE} a;",
    "template arguments only": f"{TILE} a(1, 2);",
    "pointer first": "int *p, q;",
    "reference later": "int p = 0, &q = p;",
    "typedef list": "typedef int A, B;",
    "return with a comma": "return a, b;",
    "unclosed template bracket": "int s = n<4, t = 2;",
    "unbalanced parenthesis": "int s = (1, t = 2;",
    "a comma in a comment only": "int s /* , t */;",
    "a comma in a literal only": "char s = ',';",
    "a function declarator": "int s, f();",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_declarator_texts_refuses(name):
    text = REFUSED[name]
    texts = declarator_texts(text, parse_statement)
    if name == "a function declarator" and texts is not None:
        # (`int f();` reads as a declaration with constructor arguments: the same statement as written
        # alone, which the model reads as it reads that one.)
        assert parse_statement(texts[1]).ctor_args == []
        return
    assert texts is None


def test_pieces_keep_offsets_and_lines():
    text = f"{TILE} a,\n    b = 4;"
    texts = declarator_texts(text, parse_statement)
    assert texts is not None and all(len(piece) == len(text) for piece in texts)
    assert all(piece.count("\n") == 1 for piece in texts)
    second = parse_statement(texts[1])
    assert texts[1][second.start:second.end].split()[-3:] == ["b", "=", "4"]


def test_the_model_has_a_statement_a_declarator():
    model = parse_cpp(SourceText(kernel(f"{TILE} a, b;"), "hand.cpp"))
    body = model.functions[0].body.body
    pieces = [stmt for stmt in body if isinstance(stmt, DeclaratorStmt)]
    assert [piece.ast.name for piece in pieces] == ["a", "b"]
    assert pieces[0].span == pieces[1].span
    assert not any(type(stmt) is SimpleStmt and stmt.ast is None and "," in stmt.text for stmt in body)
