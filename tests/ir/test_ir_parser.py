"""PTO IR front end: spans, generic ops, pipe/FIFO custom clauses, errors, corpus round trip."""
import glob
import os
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptofix.ir.model import check_spans
from ptofix.ir.parser import parse_ir_text
from ptofix.source import PtofixError, SourceText

HERE = os.path.dirname(__file__)
CORPUS = os.path.abspath(os.path.join(HERE, "..", "..", "..", "shared", "corpus"))


def test_generic_op_parsed_exactly():
    text = ('%r:2 = "test.op"(%a, %b#1)[^bb1, ^bb2] <{k = 1 : i8, s = "x\\"y", arr = array<i32: 1, 0>, d = dense<[1, 2]> : tensor<2xi32>}>'
            ' ({\n  "test.yield"() : () -> ()\n}) {u, t = #pto.address_space<gm>, f = 1.5 : f32, sym = @foo, l = [1, 2]}'
            ' : (memref<4xf32, #pto.address_space<gm>>, !pto.tile_buf<loc=vec, dtype=f32>) -> (i32, i32) loc("a.py":1:2)\n')
    m = parse_ir_text(text)
    op = m.ops[0]
    assert op.is_generic and op.name == "test.op"
    assert [r.name for r in op.results] == ["%r"] and op.results[0].count == 2
    assert [v.name for v in op.operands] == ["%a", "%b#1"]
    assert op.successors == ["^bb1", "^bb2"]
    assert op.properties.names() == ["k", "s", "arr", "d"]
    k = op.properties.get("k")
    assert (k.kind, k.value, k.type_text, k.int_width) == ("int", 1, "i8", 8)
    assert op.properties.get("s").value == 'x"y'
    assert op.properties.get("arr").value == [1, 0]
    assert op.properties.get("d").type_text == "tensor<2xi32>"
    assert op.attributes.get("u").kind == "unit"
    assert op.attributes.get("sym").value == "foo"
    assert op.attributes.get("f").kind == "float"
    assert op.operand_types == ["memref<4xf32, #pto.address_space<gm>>", "!pto.tile_buf<loc=vec, dtype=f32>"]
    assert op.result_types == ["i32", "i32"]
    assert text[op.loc_span.start:op.loc_span.end] == 'loc("a.py":1:2)'
    assert len(op.regions) == 1 and op.regions[0].ops[0].name == "test.yield"
    assert text[k.span.start:k.span.end] == "k = 1 : i8"
    assert op.span == op.span.__class__(0, len(text) - 1)


def test_pipe_custom_clauses_any_order_and_multiline():
    text = """pto.aic_initialize_pipe {local_slot_num = 1, dir_mask = 2, id = 0, slot_size = 1024}
  (v2c_consumer_buf = %v : i32,
   gm_slot_buffer = %g : !pto.ptr<f32>,  // the GM FIFO
   c2v_consumer_buf = %c : i32) {extra = 1 : i32}
%e = pto.tpop_from_aic(%vr, %vc) {id = 0, split = 2} aiv_subblockid(%sb) -> !pto.tile_buf<vec, 16x16xf32>
pto.tfree(%e, %pipe : !pto.tensor_view<16x16xf32>, !pto.pipe) {split = 0}
"""
    m = parse_ir_text(text)
    init, pop, free = m.ops
    assert init.keyword_attrs.names() == ["local_slot_num", "dir_mask", "id", "slot_size"]
    assert init.int_attr("dir_mask") == 2 and init.attributes.get("extra").int_width == 32
    assert [(c.keyword, c.value.name, c.type_text) for c in init.operand_clauses] == [
        ("v2c_consumer_buf", "%v", "i32"), ("gm_slot_buffer", "%g", "!pto.ptr<f32>"), ("c2v_consumer_buf", "%c", "i32")]
    assert text[init.span.start:init.span.end].endswith("{extra = 1 : i32}")
    assert pop.calls["aiv_subblockid"][0].name == "%sb" and pop.result_type == "!pto.tile_buf<vec, 16x16xf32>"
    assert [c.type_text for c in free.operand_clauses] == ["!pto.tensor_view<16x16xf32>", "!pto.pipe"]


def test_custom_other_ops_have_operands_and_regions():
    text = """func.func @k(%a: index) {
  scf.for %i = %a to %a step %a {
    %x = arith.addi %i, %a : index
  } {attr = 1}
  return
}
"""
    m = parse_ir_text(text)
    func = m.ops[0]
    assert func.symbol == "k"
    loop = func.regions[0].ops[0]
    assert loop.name == "scf.for" and [v.name for v in loop.operands] == ["%i", "%a", "%a", "%a"]
    assert loop.regions[0].ops[0].results[0].name == "%x"
    assert text[loop.span.start:loop.span.end].endswith("{attr = 1}")
    assert check_spans(m) == []


@pytest.mark.parametrize("text,message,line,col", [
    ('"pto.x"() {s = "abc} : () -> ()\n', "unterminated string", 1, 16),
    ("%0 = pto.alloc_tile : !pto.tile_buf<loc=vec, dtype=f32\n", "unbalanced '<'", 1, 36),
    ('"pto.x"(%a : () -> ()\n', "unbalanced '('", 1, 8),
    ('"pto.x"() {a = } : () -> ()\n', "cannot parse generic op", 1, 16),
])
def test_errors_have_locations(text, message, line, col):
    with pytest.raises(PtofixError) as info:
        parse_ir_text(text, "bad.mlir")
    formatted = info.value.format()
    assert message in formatted
    assert formatted.startswith(f"bad.mlir:{line}:{col}: error:")


def _corpus_files():
    files = sorted(glob.glob(os.path.join(CORPUS, "real", "*.pto*")))
    files += sorted(glob.glob(os.path.join(CORPUS, "ptoas-*", "**", "*.pto"), recursive=True))
    return files


@pytest.mark.skipif(not os.path.isdir(CORPUS), reason="shared corpus not present")
def test_corpus_parses_and_round_trips():
    from ptofix.source import apply_edits
    files = _corpus_files()
    assert files
    total = 0
    start = time.process_time()
    for path in files:
        with open(path, encoding="utf-8", newline="") as handle:
            text = handle.read()
        total += len(text)
        module = __import__("ptofix.ir.parser", fromlist=["parse_ir"]).parse_ir(SourceText(text, path))
        assert check_spans(module) == [], path
        assert apply_edits(text, []) == text
    elapsed = time.process_time() - start
    assert elapsed < 60, f"{total / 1e6:.2f} MB took {elapsed:.1f} s"


@pytest.mark.skipif(not os.path.isdir(os.path.join(CORPUS, "real")), reason="shared corpus not present")
def test_real_pto_inventory():
    from ptofix.ir.parser import parse_ir
    from ptofix.ir.pipes import assign_flag_bases, pipe_inits
    path = os.path.join(CORPUS, "real", "02_fa_call_both.pto")
    with open(path, encoding="utf-8", newline="") as handle:
        module = parse_ir(SourceText(handle.read(), path))
    inits = pipe_inits(module)
    ids = sorted({p.id for p in inits})
    assert ids and {p.kernel_kind for p in inits} == {"cube", "vector"}
    bases = assign_flag_bases(inits, "newest")
    assert len(bases) == len(inits)
    # peers (same id, cube + vector) share their base
    by_id = {}
    for i, p in enumerate(inits):
        by_id.setdefault(p.id, set()).add(bases[i])
    assert all(len(v) == 1 for v in by_id.values())


# ---- statements the line scanner must not merge or split wrongly ------------------------------
_PUSH = '"pto.tpush_to_aiv"(%t) {id = 0 : i64, split = 0 : i64} : (!pto.tile_buf<acc, 16x16xf32>) -> ()'


@pytest.mark.parametrize("text, column", [
    # Another op after an op in custom form, on its line: refused where it starts, never hidden.
    (f"%z = arith.constant 0 : index {_PUSH}\n", 31),
    ("%z = arith.constant 0 : index pto.tpush_to_aiv(%t) {split = 0} : !pto.tile_buf<acc, 16x16xf32>\n", 31),
    # A line ending in ',' continues the op: the op on the next line would join it.
    ("%z = test.op %a,\n  pto.tfree_from_aiv {id = 0, split = 0}\n", None),
])
def test_a_second_op_in_a_custom_op_statement_is_an_error_where_it_starts(text, column):
    with pytest.raises(PtofixError) as info:
        parse_ir_text(text, "in.mlir")
    message = info.value.format()
    assert "an operation after 'arith.constant'" in message or "an operation after 'test.op'" in message, message
    if column is not None:
        assert message.startswith(f"in.mlir:1:{column}: error:"), message
    else:
        assert message.startswith("in.mlir:2:3: error:"), message


@pytest.mark.parametrize("text", [
    # Dotted words that are no op: attribute keys, types, attributes, symbols, results of scf.for.
    "func.func @k() attributes {pto.entry, llvm.emit_c_interface} {\n  return\n}\n",
    "%c = arith.constant {pto.note = 1 : i32} 0 : index\n",
    "%t = pto.tload ins(%a : !pto.tile_buf<loc=vec, dtype=f32>) outs(%b : #pto.address_space<gm>) loc(#loc1)\n",
    "scf.for %i = %c0 to %c8 step %c1 iter_args(%x = %c0) -> (index) {\n  scf.yield %x : index\n}\n",
    '%c = arith.constant 1.5e3 : f32 loc("a.py":1:2)\n',
])
def test_dotted_words_of_one_custom_op_are_no_second_op(text):
    assert parse_ir_text(text).ops


def test_comment_lines_inside_an_op_are_read_past():
    """A `//` line between an op's lines (after `%x =`, or between its attributes and its operand
    list) neither ends the op nor starts another; ptoas reads both."""
    text = ("pto.aic_initialize_pipe {id = 0, dir_mask = 2, slot_size = 1024}\n  // consumer buffers\n"
            "  (gm_slot_buffer = %g : !pto.ptr<f32>, c2v_consumer_buf = %c : i32, v2c_consumer_buf = %v : i32)\n"
            "%r = // the popped tile\n  pto.tpop_from_aiv {id = 0, split = 0} -> !pto.tile_buf<vec, 16x16xf32>\n"
            "// between ops\npto.tfree_from_aiv {id = 0, split = 0}\n")
    init, pop, free = parse_ir_text(text).ops
    assert [c.keyword for c in init.operand_clauses] == ["gm_slot_buffer", "c2v_consumer_buf", "v2c_consumer_buf"]
    assert pop.name == "pto.tpop_from_aiv" and [r.name for r in pop.results] == ["%r"]
    assert free.name == "pto.tfree_from_aiv" and text[free.span.start:].startswith("pto.tfree_from_aiv")
    check_spans(parse_ir_text(text))


@pytest.mark.parametrize("text, line, column", [
    (f"{_PUSH}\r{_PUSH}\r", 1, len(_PUSH) + 1),
    (f"{_PUSH}\r\n{_PUSH}\r{_PUSH}\r\n", 2, len(_PUSH) + 1),
])
def test_a_cr_line_ending_is_refused_where_it_is(text, line, column):
    """The scanner ends statements at '\\n': after a lone CR the next op would join this one."""
    with pytest.raises(PtofixError) as info:
        parse_ir_text(text, "in.mlir")
    assert info.value.format().startswith(f"in.mlir:{line}:{column}: error: a carriage return"), info.value.format()


def test_crlf_line_endings_are_read():
    ops = parse_ir_text(f"{_PUSH}\r\n{_PUSH}\r\n").ops
    assert len(ops) == 2


# The plain spelling of "a dialect op name after an op in custom form", lookbehind first, that the
# parser's faster spelling (its first letter first) must agree with, span for span.
_PLAIN_SECOND_OP = re.compile(r"(?<![\w$.!#@%^])[A-Za-z_][\w$]*\.[A-Za-z_][\w$.]*(?![\w$.])(?!\s*[=,}])")


@pytest.mark.slow   # (2 s of CPU or more, measured: CI's full tier runs it)
@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(list("ab_$.!#@%^ =,}\t\n1\u00e9") + ["pto.", "scf.for", "x.y", "%0", "\"s\""]),
                max_size=10))
def test_second_op_search_agrees_with_its_plain_spelling(pieces):
    from ptofix.ir.parser import SECOND_OP
    text = "".join(pieces)
    fast, plain = SECOND_OP.search(text), _PLAIN_SECOND_OP.search(text)
    assert (fast and fast.span()) == (plain and plain.span()), text
