"""Which statement parser reads which statement: counts and CPU time per path.

Prints numbers, asserts nothing. Over every distinct simple statement, `for`/`if` header clause
and function parameter of the kernels under the given directories (default: ../shared/corpus,
kernels/ and tests/fixtures/), it reports how many each path of the statement parser reads:
the regex fast paths and the statement parser (with, for comparison, the lark grammar that
specifies it in the tests), and how many each refuses; and the CPU time each path spends on its
statements (each timed on a cold cache, best of --repeat runs).

    python scripts/parser_paths.py [--repeat N] [DIR ...]
"""
from __future__ import annotations

import argparse
import glob
import os
import sys
import time
from collections.abc import Callable

from ptofix.cpp import stmt_parser as A
from ptofix.cpp.model import ForStmt, IfStmt, SimpleStmt
from ptofix.cpp.parser import parse_cpp
from ptofix.source import PtofixError, SourceText

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DIRS = [os.path.join(ROOT, "..", "shared", "corpus"), os.path.join(ROOT, "kernels"),
                os.path.join(ROOT, "tests", "fixtures")]


def collect(dirs: list[str]) -> tuple[list[str], list[str], list[str], list[str], int]:
    """Distinct statements, conditions/steps, for-init clauses and parameters; files read."""
    statements: dict[str, None] = {}
    conditions: dict[str, None] = {}
    inits: dict[str, None] = {}
    params: dict[str, None] = {}
    files = 0
    for folder in dirs:
        for path in sorted(glob.glob(os.path.join(folder, "**", "*.cpp"), recursive=True)):
            with open(path, encoding="utf-8", errors="replace", newline="") as handle:
                text = handle.read()
            try:
                model = parse_cpp(SourceText(text, path))
            except PtofixError:
                continue
            files += 1
            for fn in model.functions:
                for text in (param.text for param in fn.parameters if param.text):
                    params[text] = None
                for stmt in fn.statements():
                    if isinstance(stmt, SimpleStmt):
                        statements[stmt.text] = None
                    elif isinstance(stmt, ForStmt):
                        for clause in (stmt.cond, stmt.step):
                            if clause.strip():
                                conditions[clause] = None
                        if stmt.init.strip():
                            inits[stmt.init] = None
                    elif isinstance(stmt, IfStmt) and stmt.cond.strip():
                        conditions[stmt.cond] = None
    return list(statements), list(conditions), list(inits), list(params), files


def timed(func: Callable[[str], object], texts: list[str], repeat: int) -> float:
    """Best CPU seconds of ``func`` over ``texts``, the statement tables emptied before each run."""
    best = float("inf")
    for _ in range(repeat):
        A.forget_all_statements()
        start = time.process_time()
        for text in texts:
            func(text)
        best = min(best, time.process_time() - start)
    return best


def statement_paths(statements: list[str], repeat: int) -> None:
    from ptofix.cpp import fast_expr
    regex: list[str] = []
    regex_refused: list[str] = []
    rest: list[str] = []
    prefiltered: list[str] = []
    for text in statements:
        if A._may_spell_alternative_token(text) or A._brackets_too_deep(text):
            prefiltered.append(text)
            continue
        node = A._fast_parse(text)
        if node is None:
            regex_refused.append(text)
        else:
            (rest if node is A.FALLBACK else regex).append(text)
    parsed = [text for text in rest if fast_expr.parse_statement(text) is not A.FALLBACK]
    print(f"statements: {len(statements)} distinct")
    print(f"  refused before parsing (alternative token, brackets too deep): {len(prefiltered)}")
    print(f"  regex fast paths: {len(regex)} read, {len(regex_refused)} refused")
    print(f"  statement parser, on the {len(rest)} the regexes left: {len(parsed)} read, "
          f"{len(rest) - len(parsed)} refused")
    grammar = _grammar()
    if grammar is not None:
        refused = [text for text in rest if fast_expr.parse_statement(text) is A.FALLBACK]
        spec_read = [text for text in refused if grammar(text, "start") is not None]
        print(f"  the grammar (tests/cpp_stmt.lark) on those refused: {len(spec_read)} read")
    print(f"  CPU time (best of {repeat}, cold statement tables):")
    print(f"    regex fast paths on their {len(regex)}: {timed(A._fast_parse, regex, repeat) * 1000:.1f} ms")
    print(f"    statement parser on the {len(rest)} left to it: "
          f"{timed(fast_expr.parse_statement, rest, repeat) * 1000:.1f} ms")
    print(f"    statement parser on all {len(statements) - len(prefiltered)}: "
          f"{timed(fast_expr.parse_statement, regex + regex_refused + rest, repeat) * 1000:.1f} ms")
    print(f"    parse_statement (regexes, then the parser; cached by text) on all {len(statements)}: "
          f"{timed(A.parse_statement, statements, repeat) * 1000:.1f} ms")
    if grammar is not None:
        def uncached(text: str) -> object:
            return grammar.__wrapped__(text, "start")  # type: ignore[attr-defined]
        print(f"    the lark grammar on all {len(statements)} (uncached, once): "
              f"{timed(uncached, statements, 1) * 1000:.1f} ms")


def _grammar() -> Callable[[str, str], object] | None:
    """The grammar's parse (tests/lark_spec.py), or None where lark is not importable."""
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    try:
        from lark_spec import parse
    except ImportError:
        return None
    return parse


def header_paths(conditions: list[str], inits: list[str], params: list[str]) -> None:
    for label, texts, parse in (("conditions and steps", conditions, A.parse_condition),
                                ("for-init clauses", inits, A.parse_for_init),
                                ("parameters", params, A.parse_parameter)):
        read = sum(parse(text) is not None for text in texts)
        print(f"{label}: {len(texts)} distinct, {read} read, {len(texts) - read} refused")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("dirs", nargs="*", default=DEFAULT_DIRS)
    args = parser.parse_args()
    start = time.process_time()
    statements, conditions, inits, params, files = collect([d for d in args.dirs if os.path.isdir(d)])
    print(f"{files} files read in {time.process_time() - start:.1f} s CPU")
    statement_paths(statements, args.repeat)
    header_paths(conditions, inits, params)
    return 0


if __name__ == "__main__":
    sys.exit(main())
