"""ptofix/cpp/stmt_ast.py is generated from ptofix/cpp/stmt_ast.cfg by scripts/gen_stmt_ast.py: it is
byte for byte what the script writes from the spec, and the spec says each node's fields once."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _generator():
    spec = importlib.util.spec_from_file_location("gen_stmt_ast", REPO / "scripts" / "gen_stmt_ast.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_stmt_ast", module)
    spec.loader.exec_module(module)
    return module


gen = _generator()


def test_stmt_ast_is_what_the_spec_generates():
    generated = gen.generate(gen.SPEC.read_text(encoding="utf-8"))
    assert gen.TARGET.read_text(encoding="utf-8") == generated, \
        "ptofix/cpp/stmt_ast.py differs from its spec: run python scripts/gen_stmt_ast.py"
    assert gen.main(["--check"]) == 0


def test_the_check_fails_on_a_difference(capsys):
    """A field added to the spec (or an edit of the generated file) is a difference."""
    spec = gen.SPEC.read_text(encoding="utf-8")
    edited = spec.replace("SizeOf\n    arg*: Node\n", "SizeOf\n    arg*: Node\n    pack: bool = False\n")
    assert edited != spec
    generated = gen.generate(edited)
    assert generated != gen.TARGET.read_text(encoding="utf-8")
    assert '"start", "end", "arg", "pack")' in generated and "self.arg, self.pack = " in generated


def test_every_node_of_the_spec_is_a_class_with_its_fields():
    from ptofix.cpp import stmt_ast
    nodes = gen.read_spec(gen.SPEC.read_text(encoding="utf-8"))
    assert len(nodes) > 20
    for node in nodes:
        cls = getattr(stmt_ast, node.name)
        assert issubclass(cls, stmt_ast.Node)
        assert cls._fields == ("start", "end", *(f.name for f in node.own))
        assert cls._children == tuple(f.name for f in node.own if f.child)


def test_push_children_visits_the_children_in_field_order():
    """The generated push_children pushes what the fields hold, in order, a list's nodes in order
    (None and non-node items skipped), as a walk over ``_children`` read by name would."""
    from ptofix.cpp import stmt_ast as A
    a, b, c = A.Name(0, 1, "a"), A.Name(2, 3, "b"), A.Number(4, 5, "1")
    for node, expected in [
        (A.Call(0, 9, a, [b, "x", c]), [a, b, c]),
        (A.Decl(0, 9, A.TypeRef(0, 1, "int"), "v", None, [b, c]), ["type", b, c]),
        (A.Decl(0, 9, A.TypeRef(0, 1, "int"), "v", a, None), ["type", a]),
        (A.TypeRef(0, 1, "T"), []),
        (A.Ternary(0, 9, a, b, c), [a, b, c]),
        (A.ReturnStmt(0, 1), []),
        (A.Comma(0, 9, [a, c]), [a, c]),
    ]:
        stack: list = []
        node.push_children(stack)
        by_name: list = []
        for name in node._children:
            value = getattr(node, name)
            if isinstance(value, A.Node):
                by_name.append(value)
            elif type(value) is list:
                by_name.extend(item for item in value if isinstance(item, A.Node))
        assert stack == by_name
        assert [("type" if isinstance(x, A.TypeRef) else x) for x in stack] == expected


@pytest.mark.parametrize("spec,message", [
    ("Name\nbad name\n", "a node's name"),
    ("    id: str\n", "before any node"),
    ("Name\n    id str\n", "not a field"),
    ("Name\n    a: str = ''\n    b: str\n", "no default"),
    ("Name\n    _cache*: Node\n", "cache slot"),
    ("Name\n    id: str\n    \"\"\"late\"\"\"\n", "docstring comes first"),
])
def test_a_bad_spec_is_refused_with_its_line(spec, message):
    with pytest.raises(gen.SpecError, match=message):
        gen.read_spec(spec)
