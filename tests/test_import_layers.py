"""The package's modules import each other without a circle, and the build library imports no command.

The import graph is read from the sources with ``ast`` (every ``import`` statement, at the top of a
module or inside a function: a function-local import that closes a circle still ties the modules
together), and its strongly connected components are its circles.
"""
from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# A known circle in the C++ front end, left for the front-end rework: the statement parser's fast
# paths, the expression parser and the lark tree builder call each other.
KNOWN_CIRCLES = [frozenset({"ptofix.cpp.stmt_parser", "ptofix.cpp.fast_expr", "ptofix.cpp.lark_ast"})]


def module_files() -> dict[str, Path]:
    """The package's modules by dotted name (``passes/`` installs as ``ptofix.passes``)."""
    modules: dict[str, Path] = {}
    for root, package in ((REPO / "ptofix", "ptofix"), (REPO / "passes", "ptofix.passes")):
        for path in root.rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join([package, *parts])] = path
    return modules


def imported_modules(name: str, path: Path, known: set[str]) -> set[str]:
    """The package modules ``name`` imports: ``from X import Y`` counts as X.Y when that is a module."""
    is_package = path.name == "__init__.py"
    base = name.split(".") if is_package else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base[: len(base) - (node.level - 1)]
                origin = ".".join(anchor + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            targets = [f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in known else origin
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:      # `import ptofix.cpp.model as m` names a module
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    files = module_files()
    known = set(files)
    return {name: imported_modules(name, path, known) for name, path in files.items()}


def circles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = lowlink[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = lowlink[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    lowlink[node] = min(lowlink[node], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    lowlink[parent] = min(lowlink[parent], lowlink[node])
                if lowlink[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(frozenset(component))
    return found


def test_the_circle_finder_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert circles(graph) == [frozenset({"a", "b", "c"})]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_relative_and_function_local_imports():
    graph = import_graph()
    assert "ptofix.cpp.model" in graph["ptofix.cpp.parser"]
    assert "ptofix.commands.run" in graph["ptofix.cli"]


def test_no_import_circle_in_the_package():
    unexpected = [sorted(c) for c in circles(import_graph()) if c not in KNOWN_CIRCLES]
    assert unexpected == [], f"modules that import each other in a circle: {unexpected}"


def test_the_build_library_imports_no_command():
    graph = import_graph()
    commands = {name for name in graph["ptofix.build"] if name.startswith("ptofix.commands")}
    assert commands == set(), f"ptofix.build imports the command modules {sorted(commands)}"
