"""Statement ASTs kept across files: a hit is the AST a fresh parse gives, the table stays bounded,
and no analysis mutates a shared AST (every pass that reads C++ runs over kernels that share them)."""
from __future__ import annotations

import glob
import os

import pytest
from conftest import ROOT

from ptofix.cpp import fast_expr
from ptofix.cpp import stmt_parser as A
from ptofix.frontends import PARSERS
from ptofix.pass_manager import build_pass, run_pipeline
from ptofix.source import PtofixError, SourceText

FA = os.path.join(ROOT, "kernels", "flash_attention", "fa.cpp")
JOBS = [("pipe-v-barrier", {"pattern": "auto"}), ("pipe-v-barrier-insert", {}),
        ("local-slot-num", {"map": "2", "tpipe-order": "new"})]


def fresh(text: str):
    node = A._fast_parse(text)
    if node is A.FALLBACK:
        node = fast_expr.parse_statement(text)
    return None if node is A.FALLBACK else node


def run_all(paths: list[str]) -> None:
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        for name, options in JOBS:
            try:
                run_pipeline(SourceText(text, path), [build_pass(name, options)], PARSERS)
            except PtofixError:
                pass


def test_a_statement_of_an_earlier_file_is_shared_and_equals_a_fresh_parse():
    A.forget_all_statements()
    text = "pipe_barrier(PIPE_V);"
    first = A.parse_statement(text)
    A.forget_statements()                       # the next file starts
    assert A.parse_statement(text) is first and repr(first) == repr(fresh(text))
    A.forget_all_statements()
    assert A.parse_statement(text) is not first


def test_kept_statements_are_bounded_and_most_recent(monkeypatch):
    monkeypatch.setattr(A, "_RECENT_MAX", 3)
    A.forget_all_statements()
    for index in range(5):
        A.parse_statement(f"x{index} = 1;")
        A.forget_statements()
    A.parse_statement("x2 = 1;")                # used again: most recent
    A.forget_statements()
    assert list(A._RECENT) == ["x3 = 1;", "x4 = 1;", "x2 = 1;"]
    A.forget_all_statements()


def test_no_pass_mutates_a_shared_ast(corpus_dir):
    paths = [FA] + sorted(glob.glob(os.path.join(corpus_dir, "**", "*.cpp"), recursive=True))[::15]
    A.forget_all_statements()
    run_all(paths)
    run_all(paths)                             # the second round reads ASTs of the first
    A.forget_statements()
    assert len(A._RECENT) > 500
    for text, node in A._RECENT.items():
        assert repr(node) == repr(fresh(text)), text
    A.forget_all_statements()


def _reference_walk(node):
    """Depth first over every field (``_fields``, read by name): what walk, push_children and
    name_ids must visit, in that order."""
    stack = [node]
    while stack:
        cur = stack.pop()
        yield cur
        for name in cur._fields:
            value = getattr(cur, name)
            if isinstance(value, A.Node):
                stack.append(value)
            elif type(value) is list:
                stack.extend(v for v in value if isinstance(v, A.Node))


def _names_by_walk(node) -> tuple:
    return tuple(dict.fromkeys(n.id for n in _reference_walk(node) if isinstance(n, A.Name)))


@pytest.mark.slow
def test_name_ids_equal_the_generic_walk_on_every_corpus_statement(corpus_dir):
    A.forget_all_statements()
    checked = 0
    for path in sorted(glob.glob(os.path.join(corpus_dir, "**", "*.cpp"), recursive=True)):
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        try:
            model = PARSERS["cpp"](SourceText(text, path))
        except PtofixError:
            continue
        for _fn, stmt in model.simple_statements():
            if stmt.ast is None:
                continue
            assert [id(n) for n in A.walk(stmt.ast)] == [id(n) for n in _reference_walk(stmt.ast)], stmt.text
            for node in A.walk(stmt.ast):            # every sub-node: the analysis asks for those too
                assert A.name_ids(node) == _names_by_walk(node), stmt.text
                checked += 1
    assert checked > 100000
    A.forget_all_statements()


def test_only_fields_that_may_hold_nodes_are_walked():
    assert A.Member._children == ("obj",) and A.Name._children == ()
    assert A.Decl._children == ("type", "init", "ctor_args")


def test_a_file_larger_than_the_kept_table_keeps_its_last_statements(monkeypatch):
    monkeypatch.setattr(A, "_RECENT_MAX", 3)
    A.forget_all_statements()
    for index in range(2):
        A.parse_statement(f"y{index} = 1;")
    A.forget_statements()
    for index in range(5):                      # more than the table holds, one of them seen before
        A.parse_statement(f"x{index} = 1;" if index != 3 else "y1 = 1;")
    A.forget_statements()
    assert list(A._RECENT) == ["x2 = 1;", "y1 = 1;", "x4 = 1;"]
    A.forget_all_statements()
