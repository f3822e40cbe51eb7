"""The model's fixed-field classes (ptofix.structs.Struct) spell each field four times: a slot, an
annotation, an entry of ``_fields`` and a constructor parameter stored as it is (mypyc needs them
spelled out). These tests read the sources and check that the spellings agree, class by class."""
from __future__ import annotations

import ast
import importlib
import os

import pytest

from ptofix.structs import Struct

MODULES = ["ptofix.cpp.model", "ptofix.cpp.stmt_ast", "ptofix.cpp.semantics", "ptofix.cpp.symbols",
           "ptofix.cpp.vector_cfg", "ptofix.cpp.cfg_events",
           "ptofix.cpp.barrier_decisions",
           "ptofix.cpp.barriers", "ptofix.cpp.races", "ptofix.pto.tiles"]
# Field annotations that never hold an AST node (the walks skip such fields).
SCALAR_ANNOTATIONS = {"str", "bool", "int", "tuple", "object"}


def _struct_classes():
    for name in MODULES:
        module = importlib.import_module(name)
        # The source beside the module (which may be its compiled extension).
        path = os.path.join(os.path.dirname(module.__file__), name.rsplit(".", 1)[1] + ".py")
        with open(path, encoding="utf-8") as handle:
            tree = ast.parse(handle.read())
        defs = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
        for class_name, node in defs.items():
            cls = getattr(module, class_name)
            if isinstance(cls, type) and issubclass(cls, Struct):
                yield pytest.param(cls, node, id=f"{name}.{class_name}")


def _class_body(node: ast.ClassDef):
    slots, annotations, init = (), {}, None
    for item in node.body:
        if isinstance(item, ast.Assign) and [t.id for t in item.targets if isinstance(t, ast.Name)] == ["__slots__"]:
            slots = ast.literal_eval(item.value)
        elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            if "ClassVar" not in ast.unparse(item.annotation):
                assert item.value is None, f"{node.name}.{item.target.id}: a default belongs in __init__"
                annotations[item.target.id] = ast.unparse(item.annotation)
        elif isinstance(item, ast.FunctionDef) and item.name == "__init__":
            init = item
    return slots, annotations, init


CLASSES = list(_struct_classes())
BODIES = {param.values[0]: _class_body(param.values[1]) for param in CLASSES}


@pytest.mark.parametrize("cls,node", CLASSES)
def test_slots_annotations_fields_and_constructor_agree(cls, node):
    slots, annotations, init = _class_body(node)
    inherited = [f for base in cls.__mro__[1:] for f in getattr(base, "_fields", ())]
    own_fields = [f for f in cls._fields if f not in inherited]
    # Every new field has a slot and an annotation; other slots are annotated caches.
    assert [s for s in slots if s in cls._fields] == own_fields
    assert set(annotations) == set(slots)
    assert list(cls._fields[:len(dict.fromkeys(inherited))]) == list(dict.fromkeys(inherited))
    if init is None:
        assert not own_fields, f"{cls.__name__} adds fields without a constructor"
        return
    params = [a.arg for a in init.args.args[1:]]
    assert params == list(cls._fields) and not init.args.kwonlyargs and init.args.vararg is None
    stores = [(t.attr, ast.unparse(value)) for stmt in init.body if isinstance(stmt, ast.Assign)
              for t, value in _stored_pairs(stmt) if isinstance(t, ast.Attribute)]
    # A slot that is no field (a cache) starts as None; every field is stored as given, or a fresh
    # copy of a mutable default, or (a shared read-only default) a module constant for None; a
    # statement's span is stored packed (model._packed: a Span given packs into the one int the
    # field holds, so a compiled Stmt keeps it unboxed; tests/cpp/test_memory.py reads it back).
    caches = [attr for attr, value in stores if attr not in cls._fields]
    assert all(value == "None" for attr, value in stores if attr in caches)
    # (From the sources: a compiled class keeps no __slots__ at run time.)
    all_slots = [slot for base in cls.__mro__ if base in BODIES for slot in BODIES[base][0]]
    assert all(attr in all_slots for attr in caches)
    assert [attr for attr, _ in stores if attr not in caches] == params
    for attr, value in stores:
        if attr not in caches:
            assert value == attr or value.endswith(f"if {attr} is None else {attr}") \
                or (attr, value) == ("packed_span", "_packed(packed_span)")
    assert all(isinstance(stmt, ast.Assign) for stmt in init.body)


def _stored_pairs(stmt: ast.Assign) -> list[tuple[ast.expr, ast.expr]]:
    """(target, value) of each store of ``stmt``: ``self.a, self.b = a, b`` (stmt_ast.py's) stores two."""
    target = stmt.targets[0]
    if isinstance(target, ast.Tuple) and isinstance(stmt.value, ast.Tuple) and len(stmt.targets) == 1:
        return list(zip(target.elts, stmt.value.elts, strict=True))
    return [(t, stmt.value) for t in stmt.targets]


def test_ast_children_are_the_fields_that_may_hold_nodes():
    from ptofix.cpp import stmt_parser as A
    nodes = [param.values[0] for param in CLASSES if issubclass(param.values[0], A.Node)]
    assert len(nodes) > 20
    for cls in nodes:
        notes = {}
        for klass in reversed(cls.__mro__):
            if klass in BODIES:
                notes.update(BODIES[klass][1])
        scalar = {f for f in cls._fields if notes.get(f) in SCALAR_ANNOTATIONS}
        assert cls._children == tuple(f for f in cls._fields if f not in scalar), cls.__name__
