"""docs/design/change-paths.md stays true to the tree: every `path:Symbol` it names exists, those
of its "before" and "after" columns at the commit the column names (a measurement of that commit;
when this checkout has it), the rest (the hops, the prose) in today's tree, and each table's
`files changed` counts the paths its counted rows name."""
from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "design" / "change-paths.md"
NAME = re.compile(r"`([\w.-]+(?:/[\w.-]+)+\.(?:py|json|md))(?::([A-Za-z_][\w.]*))?`")
HEADER = re.compile(r"(before|after) \(([0-9a-f]{7,40})\)")
COUNT_ROW = "files changed"
UNCOUNTED_ROW = "read, unchanged"


class Table:
    def __init__(self, columns: dict[int, tuple[str, str]]) -> None:
        self.columns = columns                       # cell index -> (side, commit)
        self.names: dict[int, list[tuple[str, str | None]]] = {i: [] for i in columns}
        self.counted: dict[int, set[str]] = {i: set() for i in columns}
        self.counts: dict[int, int] = {}


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def read_doc(text: str) -> tuple[list[Table], list[tuple[str, str | None]]]:
    """The doc's tables, and every name outside their measured columns (prose, hops)."""
    tables: list[Table] = []
    elsewhere: list[tuple[str, str | None]] = []
    table: Table | None = None
    for line in text.splitlines():
        if not line.startswith("|"):
            table = None
            elsewhere.extend(NAME.findall(line))
            continue
        cells = _cells(line)
        if table is None:
            table = Table({i: (m[1], m[2]) for i, cell in enumerate(cells) if (m := HEADER.fullmatch(cell))})
            tables.append(table)
            continue
        if set(line) <= set("|-: "):
            continue
        label = cells[0]
        for index, cell in enumerate(cells):
            names = [(path, symbol or None) for path, symbol in NAME.findall(cell)]
            if index not in table.columns:
                elsewhere.extend(names)
                continue
            if label == COUNT_ROW:
                table.counts[index] = int(cell)
                continue
            side, _commit = table.columns[index]
            table.names[index].extend(names)
            if not label.startswith(UNCOUNTED_ROW):
                table.counted[index].update(path for path, _ in names)
    return tables, elsewhere


def defines(source: str, symbol: str) -> bool:
    """Whether Python ``source`` defines ``symbol`` (`name` at module level, or `Class.member`: a
    method or an annotated or assigned attribute of the class body)."""
    body = ast.parse(source).body
    for part in symbol.split("."):
        found = None
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == part:
                found = node
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == part:
                found = node
            elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == part for t in node.targets):
                found = node
        if found is None:
            return False
        body = found.body if isinstance(found, ast.ClassDef) else []
    return True


def missing_names(names: list[tuple[str, str | None]], read) -> list[str]:
    """The names whose file ``read(path)`` (None: not there) lacks, or whose symbol it does not define."""
    missing = []
    for path, symbol in names:
        source = read(path)
        if source is None or (symbol and not defines(source, symbol)):
            missing.append(f"{path}:{symbol}" if symbol else path)
    return missing


def _tree(path: str) -> str | None:
    file = REPO / path
    return file.read_text(encoding="utf-8") if file.is_file() else None


def _at(commit: str):
    def read(path: str) -> str | None:
        proc = subprocess.run(["git", "show", f"{commit}:{path}"], cwd=REPO, capture_output=True, text=True)
        return proc.stdout if proc.returncode == 0 else None
    return read


def _has_commit(commit: str) -> bool:
    proc = subprocess.run(["git", "cat-file", "-e", f"{commit}^{{commit}}"], cwd=REPO, capture_output=True)
    return proc.returncode == 0


TABLES, ELSEWHERE = read_doc(DOC.read_text(encoding="utf-8"))


def test_the_doc_has_a_before_and_after_table_per_kind():
    assert len(TABLES) == 4
    for table in TABLES:
        assert sorted(side for side, _ in table.columns.values()) == ["after", "before"]
        assert set(table.counts) == set(table.columns)
        assert all(table.names[i] for i in table.columns)


def test_every_name_outside_the_measured_columns_is_in_the_tree():
    assert len(ELSEWHERE) > 10
    assert missing_names(ELSEWHERE, _tree) == []


@pytest.mark.parametrize("side", ["before", "after"])
def test_every_measured_name_was_there_at_its_commit(side):
    commits = {commit for table in TABLES for column_side, commit in table.columns.values() if column_side == side}
    assert len(commits) == 1
    (commit,) = commits
    if not _has_commit(commit):
        pytest.skip(f"this checkout does not have {commit} (a shallow clone)")
    for table in TABLES:
        for index, (column_side, _) in table.columns.items():
            if column_side == side:
                assert missing_names(table.names[index], _at(commit)) == []
