"""The structure parser hands declarator_lists only the statements that may list declarators: one
whose every comma is inside its brackets and that holds no comment or literal is set aside
(parser._StructureParser._simple), as declarator_texts returns None for it. A function body's
statements are those the parser read before the gate: each statement with a comma split into its
declarators exactly when declarator_texts splits it."""
from hypothesis import given, settings
from hypothesis import strategies as st

from ptofix.cpp.declarator_lists import declarator_texts
from ptofix.cpp.model import Compound, DeclaratorStmt, SimpleStmt
from ptofix.cpp.parser import parse_cpp
from ptofix.cpp.stmt_parser import parse_statement
from ptofix.source import PtofixError, SourceText

_PIECES = ["T", " a", " b", ",", ", ", "(", ")", "[", "]", "<", ">", "1", " = ", "f", "::", "/* , */", "','",
           '","', "x", "Tile<T, 16>", " *", "&", "{1, 2}", ")", ",c"]


def _body(statement: str) -> list:
    model = parse_cpp(SourceText("void k() {\n" + statement + "\n}\n", "gate.cpp"))
    body = model.functions[0].body
    return body.body if isinstance(body, Compound) else []     # (an unstructured body: no statements)


def check_statement(statement: str) -> None:
    """Each statement of the body that is not split lists no declarators; the declarators of each
    one split are those declarator_texts reads from its text."""
    try:
        body = _body(statement)
    except PtofixError:       # (a statement the parser refuses: no gate to compare)
        return
    split: dict[int, list[str]] = {}
    for stmt in body:
        if isinstance(stmt, DeclaratorStmt):
            split.setdefault(stmt.packed_span, []).append(stmt.text)
        elif isinstance(stmt, SimpleStmt):
            assert declarator_texts(stmt.text, parse_statement) is None, statement
    for stmt in body:
        if isinstance(stmt, DeclaratorStmt):
            whole = stmt.file_text[stmt.span.start:stmt.span.end]        # (the declaration's own text)
            assert split[stmt.packed_span] == declarator_texts(whole, parse_statement)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=10).map(lambda parts: "".join(parts) + ";"))
def test_a_statement_is_split_into_declarators_exactly_when_declarator_texts_splits_it(statement):
    check_statement(statement)


def test_calls_are_set_aside_and_declarations_still_split():
    for statement, count in [("int a, b;", 2), ("T a(1, 2), b;", 2), ("Tile<T, 16, 16> a, b;", 2),
                             ("T a, b(f(x, y)), c;", 3), ("T a = 1, b;", 2)]:
        body = _body(statement)
        assert len(body) == count and all(isinstance(stmt, DeclaratorStmt) for stmt in body), statement
        assert [stmt.text for stmt in body] == declarator_texts(statement, parse_statement)
    for statement in ["TADD(a, b, c);", "x = f(a, b);", "T a[2] = {1, 2};", "f(',');", "g(/* , */ a);",
                      "int a /* , b */;"]:
        body = _body(statement)
        assert not any(isinstance(stmt, DeclaratorStmt) for stmt in body), statement
        assert declarator_texts(statement, parse_statement) is None
