"""The modules of the C++ semantic model (semantics.py and the readers it is composed of) import each
other without a circle even counting the imports under ``if TYPE_CHECKING:``, import no
``_``-prefixed name of another module, and define no module function taking another class's
``self`` (issue 70, item 3). Read from the sources with ``ast`` (test_import_layers's graph)."""
from __future__ import annotations

import ast

from test_import_layers import circles, import_graph, module_files

CLUSTER = {f"ptofix.cpp.{name}" for name in (
    "semantics", "file_facts", "function_state", "c_types", "call_statements", "count_mode", "ctrl_preservation",
    "declarations", "expressions", "file_scope_classes", "header_policy", "headers", "statement_forms", "templates",
    "tile_history", "value_model")}


def test_the_cluster_modules_exist():
    assert CLUSTER <= set(module_files())


def test_no_circle_through_the_semantic_model_counting_type_only_imports():
    found = [sorted(c) for c in circles(import_graph(type_only=True)) if c & CLUSTER]
    assert found == []


def test_the_circle_check_counts_a_type_only_import_back_to_the_caller():
    graph = import_graph(type_only=True)
    graph["ptofix.cpp.expressions"] = graph["ptofix.cpp.expressions"] | {"ptofix.cpp.semantics"}
    assert any("ptofix.cpp.expressions" in c and "ptofix.cpp.semantics" in c for c in circles(graph))


def private_imports(path) -> list[str]:
    """``module.name`` for each ``_``-prefixed name ``path`` imports from another module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{node.module}.{alias.name}" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
            for alias in node.names if alias.name.startswith("_") and not alias.name.startswith("__")]


def test_private_imports_are_found(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from .b import _hidden, shown\nfrom .c import __all__\n", encoding="utf-8")
    assert private_imports(sample) == ["b._hidden"]


def test_no_private_name_crosses_into_the_semantic_model():
    files = module_files()
    found = {name: private_imports(files[name]) for name in sorted(CLUSTER)}
    assert {name: imports for name, imports in found.items() if imports} == {}


def test_no_module_function_of_the_semantic_model_takes_self():
    files = module_files()
    found = [f"{name}.{node.name}" for name in sorted(CLUSTER)
             for node in ast.parse(files[name].read_text(encoding="utf-8")).body
             if isinstance(node, ast.FunctionDef) and node.args.args and node.args.args[0].arg == "self"]
    assert found == []
