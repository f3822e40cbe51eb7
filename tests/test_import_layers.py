"""The package's modules import each other without a circle, import no ``_``-prefixed name of one
another, the pre-build library imports no command, and the hardware facts import nothing of the C++
model.

The import graph is read from the sources with ``ast`` (every ``import`` statement, at the top of a
module or inside a function: a function-local import that closes a circle still ties the modules
together), and its strongly connected components are its circles. An import under ``if TYPE_CHECKING:``
loads nothing, but it is an edge of every check: a module that names its caller's class for an
annotation still depends on it (a collaborator takes what it needs, or a Protocol of its own, as
sim/pto_calls.Evaluator does).
"""
from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# No circle is allowed, type-only imports counted, and no module imports another's private name
# (issue #70 item 3; the branches that took the last circles and private imports apart merged).
KNOWN_CIRCLES: list[frozenset[str]] = []


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


def type_checking_blocks(tree: ast.AST) -> set[int]:
    """The ids of the import nodes inside an ``if TYPE_CHECKING:`` block of ``tree``."""
    return {id(sub) for node in ast.walk(tree) if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
            for stmt in node.body for sub in ast.walk(stmt)}


def imported_modules(name: str, path: Path, known: set[str], type_only: bool = True) -> set[str]:
    """The package modules ``name`` imports: ``from X import Y`` counts as X.Y when that is a module.
    ``type_only``: count the imports under ``if TYPE_CHECKING:`` too."""
    is_package = path.name == "__init__.py"
    base = name.split(".") if is_package else name.split(".")[:-1]
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skipped = set() if type_only else type_checking_blocks(tree)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
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


def import_graph(type_only: bool = True) -> dict[str, set[str]]:
    files = module_files()
    known = set(files)
    return {name: imported_modules(name, path, known, type_only) for name, path in files.items()}


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
    assert "ptofix.commands.help_format" in graph["ptofix.cli"]          # (in build_parser)


def test_type_only_imports_are_edges_of_the_graph(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("TYPE_CHECKING = False\nif TYPE_CHECKING:\n    from .b import B\nfrom .c import C\n", encoding="utf-8")
    known = {"p.a", "p.b", "p.c"}
    assert imported_modules("p.a", sample, known) == {"p.b", "p.c"}
    assert imported_modules("p.a", sample, known, type_only=False) == {"p.c"}


def unexpected_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The circles of ``graph`` not within one of KNOWN_CIRCLES."""
    return [sorted(c) for c in circles(graph) if not any(c <= known for known in KNOWN_CIRCLES)]


def test_a_circle_through_any_modules_is_unexpected():
    inside = ["ptofix.cpp.barrier_selection", "ptofix.cpp.barriers"]
    assert unexpected_circles({inside[0]: {inside[1]}, inside[1]: {inside[0]}}) == [inside]
    assert unexpected_circles({inside[0]: {"ptofix.cpp.races"}, "ptofix.cpp.races": set()}) == []


def test_no_import_circle_in_the_package():
    """Type-only imports count: a module that names its caller's class for an annotation is still
    in a circle with it (the free functions taking another class's ``self`` did that)."""
    graph = import_graph()
    unexpected = unexpected_circles(graph)
    assert unexpected == [], f"modules that import each other in a circle: {unexpected}"
    # (What used to close a circle only for type checking: the collaborators import no caller.)
    assert "ptofix.cpp.vector_cfg" not in graph["ptofix.cpp.op_events"] | graph["ptofix.cpp.tile_accesses"]
    assert "ptofix.sim.interp" not in graph["ptofix.sim.pto_calls"]


def private_imports(name: str, path: Path, known: set[str]) -> list[str]:
    """Each ``from M import _x`` in module ``name`` (at its top, in a function or for type checking)
    whose M is a module of the package, as "name:line M._x"; a dunder name (``__version__``) is
    no private one. ``from . import _m`` of a package's private module counts too."""
    is_package = path.name == "__init__.py"
    base = name.split(".") if is_package else name.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            anchor = base[: len(base) - (node.level - 1)]
            origin = ".".join(anchor + ([node.module] if node.module else []))
        else:
            origin = node.module or ""
        if origin not in known:
            continue
        found += [f"{name}:{node.lineno} {origin}.{alias.name}" for alias in node.names
                  if alias.name.startswith("_") and not alias.name.startswith("__")]
    return found


def test_the_private_import_scanner_finds_a_planted_one(tmp_path):
    sample = tmp_path / "a.py"
    sample.write_text("import os\nfrom os import _exit\nfrom .b import B, _hidden\nfrom . import __version__\n"
                      "TYPE_CHECKING = False\nif TYPE_CHECKING:\n    from .c import _Typed\n"
                      "def f():\n    from ..q import _late\n    from .b import public as _alias\n", encoding="utf-8")
    known = {"p.s", "p.s.a", "p.s.b", "p.s.c", "p.q"}
    assert private_imports("p.s.a", sample, known) == ["p.s.a:3 p.s.b._hidden", "p.s.a:7 p.s.c._Typed",
                                                        "p.s.a:9 p.q._late"]


def test_no_module_imports_another_modules_private_name():
    """A name two modules share is public; a name one module uses lives in it (ptofix/ and passes/)."""
    files = module_files()
    known = set(files)
    found = [hit for name, path in sorted(files.items()) for hit in private_imports(name, path, known)]
    assert found == [], f"_-prefixed names imported from another module: {found}"


def test_the_prebuild_library_imports_no_command():
    """ptofix/prebuild/ (the pipeline `ptofix build` runs) is a library the command calls."""
    graph = import_graph()
    build_modules = [name for name in graph if name == "ptofix.prebuild" or name.startswith("ptofix.prebuild.")]
    assert {"ptofix.prebuild.config", "ptofix.prebuild.stages"} <= set(build_modules)
    commands = {f"{name} -> {target}" for name in build_modules for target in graph[name]
                if target.startswith("ptofix.commands")}
    assert commands == set(), f"the pre-build library imports command modules: {sorted(commands)}"


def layer_violations(graph: dict[str, set[str]], lower: str, upper: str) -> set[str]:
    """Every import from package ``lower`` (or its modules) into package ``upper`` (or its modules)."""
    def within(name: str, package: str) -> bool:
        return name == package or name.startswith(package + ".")
    return {f"{name} -> {target}" for name, targets in graph.items() if within(name, lower)
            for target in targets if within(target, upper)}


def test_the_layer_check_sees_an_import_into_the_layer_above():
    graph = {"p.pto.a": {"p.cpp.b", "p.source"}, "p.pto": set(), "p.cpp.b": {"p.pto.a"}, "p.ptox": {"p.cpp"}}
    assert layer_violations(graph, "p.pto", "p.cpp") == {"p.pto.a -> p.cpp.b"}
    assert layer_violations(graph, "p.cpp", "p.pto") == {"p.cpp.b -> p.pto.a"}


def test_the_hardware_facts_import_nothing_of_the_cpp_model():
    """ptofix/pto/ holds the facts proof and simulator import: it depends on no front end (what
    both need of the C++ language is in ptofix/cxx_lexicon.py, below both)."""
    graph = import_graph()
    assert "ptofix.pto.header_words" in graph and "ptofix.cxx_lexicon" in graph["ptofix.pto.header_words"]
    assert layer_violations(graph, "ptofix.pto", "ptofix.cpp") == set()


# The command layer turns parsed arguments into typed settings; the library takes those.
NAMESPACE_ALLOWED = {"ptofix.cli",
                     # CommaListAction is an argparse Action: argparse itself calls it with its Namespace.
                     "ptofix.commands.help_format"}


def names_namespace(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "Namespace" \
        and isinstance(node.value, ast.Name) and node.value.id == "argparse"


def namespace_uses(path: Path) -> list[int]:
    """The lines where ``path`` names ``argparse.Namespace`` (in code or an annotation, quoted or not)
    or imports it."""
    lines = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if names_namespace(node):
            lines.add(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "argparse" \
                and any(alias.name == "Namespace" for alias in node.names):
            lines.add(node.lineno)
        annotations = [node.annotation] if isinstance(node, (ast.arg, ast.AnnAssign)) and node.annotation else []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
            annotations.append(node.returns)
        for annotation in annotations:
            if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str) \
                    and any(names_namespace(n) for n in ast.walk(ast.parse(annotation.value, mode="eval"))):
                lines.add(annotation.lineno)
    return sorted(lines)


def test_namespace_uses_are_found(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('import argparse\nfrom argparse import Namespace\n\ndef f(a: argparse.Namespace) -> None:\n'
                      '    """Takes an argparse.Namespace.\n\n    (a docstring, not a use)"""\n\n'
                      'def g(a: "argparse.Namespace") -> "argparse.Namespace | None": ...\n', encoding="utf-8")
    assert namespace_uses(sample) == [2, 4, 9]
    sample.write_text('"""No argparse.Namespace here."""\nimport argparse\n\nclass Namespace: ...\n', encoding="utf-8")
    assert namespace_uses(sample) == []


def test_library_code_never_sees_an_argparse_namespace():
    found = {name: namespace_uses(path) for name, path in module_files().items()
             if not name.startswith("ptofix.commands") and name not in NAMESPACE_ALLOWED}
    assert {name: lines for name, lines in found.items() if lines} == {}


def _imports_lark(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else \
            [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
        if any(name == "lark" or name.startswith("lark.") for name in names):
            return True
    return False


def test_only_the_ir_front_end_imports_lark():
    """C++ statements have one parser, hand-written (its lark grammar is a test's specification)."""
    importers = sorted(name for name, path in module_files().items() if _imports_lark(path))
    assert importers and all(name.startswith("ptofix.ir.") for name in importers), importers


# argparse belongs to the command layer: the library takes typed values (a CompileEnvironment, an
# OutputOptions, a pass's fields) and its value readers raise OptionValueError, which the command
# layer shows at the option (commands/arguments.py argument_type).
ARGPARSE_ALLOWED = {"ptofix.cli"}


def imports_argparse(path: Path) -> list[int]:
    """The lines where ``path`` imports argparse (at the top, in a function or for type checking)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import) and any(alias.name.split(".")[0] == "argparse" for alias in node.names):
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "argparse" and not node.level:
            lines.append(node.lineno)
    return lines


def test_imports_of_argparse_are_found(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('"""argparse in a docstring."""\nimport os\nif False:\n    import argparse\n'
                      'def f():\n    from argparse import ArgumentTypeError\n', encoding="utf-8")
    assert imports_argparse(sample) == [4, 6]


def test_argparse_is_imported_by_the_command_layer_only():
    found = {name: imports_argparse(path) for name, path in module_files().items()
             if not name.startswith("ptofix.commands") and name not in ARGPARSE_ALLOWED}
    assert {name: lines for name, lines in found.items() if lines} == {}
