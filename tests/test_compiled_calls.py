"""In the modules mypyc compiles (ptofix.COMPILED_MODULES), a method is called on its object, not
bound to a local name first (`lookup = scope.lookup` ... `lookup(name)`): compiled, a call of the
bound method object is a Python-level call (~600 instructions, or ~2K through a method's wrapper),
where `scope.lookup(name)` is a direct C call (or a list's own pop and append). Such bindings cost
~35M instructions of ~3,180M on the 1 MB concatenation of scripts/bench.py (issue #70 item 7)."""
import ast
import os

import ptofix

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _bound_method_calls(tree: ast.AST) -> list[tuple[str, str, int]]:
    """(function, local name, line it is bound at) of each call of a name bound to an attribute."""
    found = []
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        bound: dict[str, int] = {}
        for node in ast.walk(fn):
            if isinstance(node, ast.Assign):
                targets = [t for t in node.targets if isinstance(t, ast.Tuple)]
                pairs = [(t, v) for tup in targets if isinstance(node.value, ast.Tuple)
                         for t, v in zip(tup.elts, node.value.elts, strict=False)]
                pairs += [(t, node.value) for t in node.targets if isinstance(t, ast.Name)]
                for target, value in pairs:
                    if isinstance(target, ast.Name) and isinstance(value, ast.Attribute):
                        bound[target.id] = node.lineno
        for node in ast.walk(fn):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in bound:
                found.append((fn.name, node.func.id, bound[node.func.id]))
    return found


# Bound on purpose: methods of objects mypyc does not compile (an array's append, a compiled
# regex's findall), for which the binding saves an attribute lookup a call.
NOT_NATIVE = {("ptofix.source", "_starts", "append"), ("ptofix.cpp.lexical", "_identifier_chunks", "findall")}


def test_no_compiled_module_calls_a_method_bound_to_a_local():
    offenders = {}
    for name in ptofix.COMPILED_MODULES:
        path = os.path.join(ROOT, *name.split(".")) + ".py"
        with open(path, encoding="utf-8") as handle:
            calls = _bound_method_calls(ast.parse(handle.read()))
        calls = [call for call in calls if (name, call[0], call[1]) not in NOT_NATIVE]
        if calls:
            offenders[name] = calls
    assert not offenders, offenders
