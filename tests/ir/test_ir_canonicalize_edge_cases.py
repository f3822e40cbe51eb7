"""canonicalize's edge cases, each pinning a decision no other test exercised (found by mutation testing):
errors the pass must locate, forms it must keep or convert, and sidecar values.
"""
from __future__ import annotations

import pytest
from test_ir_canonicalize import run

from ptofix.frontends import PARSERS
from ptofix.ir.versions import resolve
from ptofix.pass_manager import build_pass, run_pipeline
from ptofix.source import PtofixError, SourceText

# --- Regression tests from mutation testing (round M4): decisions no test exercised before. ---


def _error_of(text, target, to="custom"):
    with pytest.raises(PtofixError) as info:
        run(text, target, to)
    return info.value.format()


def test_an_l2g2l_init_with_its_keys_out_of_order_is_reprinted_in_the_fixed_order():
    """The l2g2l custom form is the ODS literal format: its keys come in one fixed order, and
    ptoas v0.45 refuses `{slot_size, dir_mask, ...}` ("expected 'dir_mask'"). canonicalize
    reprints the op in that order even though no attribute changes."""
    text = "%p = pto.initialize_l2g2l_pipe {slot_size = 64, dir_mask = 1, slot_num = 8}(%g : !pto.ptr<f32>) -> !pto.pipe\n"
    for target in ("v0.36", "v0.45"):
        out = run(text, target)
        assert out.text == ("%p = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 64, slot_num = 8}"
                            "(%g : !pto.ptr<f32>) -> !pto.pipe\n")
        assert [(r["from"], r["to"]) for r in out.reports[0]["rewritten"]] == [("custom", "custom")]
        assert run(out.text, target).text == out.text


def test_a_frontend_init_in_any_key_order_is_kept_from_v035_and_put_in_order_before():
    """From v0.35 the frontend init has a custom parser that takes its keys and operand clauses in
    any order, so canonicalize keeps such an op byte for byte. Before v0.35 it is the ODS format with
    a fixed order: both the attribute keys and the operand clauses are put in the spec's order."""
    unordered_keys = ("pto.aic_initialize_pipe {dir_mask = 1, id = 0, slot_size = 64}"
                      "(c2v_consumer_buf = %a : i32, v2c_consumer_buf = %b : i32)\n")
    unordered_clauses = ("pto.aic_initialize_pipe {id = 0, dir_mask = 1, slot_size = 64}"
                         "(v2c_consumer_buf = %b : i32, c2v_consumer_buf = %a : i32)\n")
    ordered = ("pto.aic_initialize_pipe {id = 0, dir_mask = 1, slot_size = 64}"
               "(c2v_consumer_buf = %a : i32, v2c_consumer_buf = %b : i32)\n")
    for target in ("v0.35", "v0.36", "v0.45"):
        for text in (unordered_keys, unordered_clauses):
            out = run(text, target)
            assert out.text == text and out.reports[0]["rewritten"] == [], target
    for text in (unordered_keys, unordered_clauses):
        out = run(text, "v0.31")
        assert out.text == ordered
        assert run(out.text, "v0.31").text == ordered


def test_an_index_attribute_on_an_op_ptofix_does_not_know_is_warned_where_it_is():
    """Like an i64, an `index`-typed integer attribute is one that pto ops do not take: on an op
    with no spec it is kept as written, with a warning at the attribute."""
    text = '"pto.frobnicate"() {n = 3 : index} : () -> ()\n'
    out = run(text, "v0.45")
    assert out.text == text
    assert out.warnings == ["in.mlir:1:21: warning: 'pto.frobnicate' is not an op ptofix knows; its 'n = 3 : index' "
                            "is kept as written, and ptoas may refuse it (pto ops take 8- or 32-bit integer attributes)"]


def test_only_0_and_1_are_read_as_a_bool_attribute():
    """A bool attribute written as an integer is read as false/true only for 0 and 1: any other
    integer is refused at the attribute, never turned into `true`."""
    generic = ('%p = "pto.initialize_l2g2l_pipe"(%g) {dir_mask = 1 : i8, slot_size = 64 : i32, slot_num = 8 : i32, '
               'nosplit = NOSPLIT : i8} : (!pto.ptr<f32>) -> !pto.pipe\n')
    assert _error_of(generic.replace("NOSPLIT", "2"), "v0.45") == \
        "in.mlir:1:100: error: 'pto.initialize_l2g2l_pipe': attribute 'nosplit' must be true/false"
    for value, word in (("0", "false"), ("1", "true")):
        assert f"nosplit = {word}, " in run(generic.replace("NOSPLIT", value), "v0.45", "generic").text


@pytest.mark.parametrize("value, ok", [(2147483647, True), (2147483648, False), (4294967295, False)])
def test_flag_base_must_fit_a_signed_32_bit_value(value, ok):
    """flag_base is an I32Attr: 2**31 and above read as negative to the verifier, so they are
    refused at the attribute; 2**31 - 1 is the largest value kept."""
    text = ('%p = "pto.initialize_l2g2l_pipe"(%g) {dir_mask = 1 : i8, slot_size = 64 : i32, slot_num = 8 : i32, '
            f'flag_base = {value} : i32}} : (!pto.ptr<f32>) -> !pto.pipe\n')
    if ok:
        assert f"flag_base = {value} : i32" in run(text, "v0.45").text
    else:
        assert _error_of(text, "v0.45") == (
            f"in.mlir:1:100: error: 'pto.initialize_l2g2l_pipe' has flag_base = {value}: every ptoas expects "
            "a non-negative flag_base (a signed 32-bit value)")


def test_a_two_way_frontend_init_without_slot_num_has_4_slots_for_local_slot_num():
    """Without an explicit slot_num a DIR_BOTH (dir_mask = 3) pipe has 4 slots, a one-way pipe 8:
    local_slot_num = 6 is refused on the two-way pipe and accepted on the one-way one."""
    text = ("pto.aic_initialize_pipe {id = 0, dir_mask = DIR, slot_size = 64, local_slot_num = 6}"
            "(c2v_consumer_buf = %a : i32, v2c_consumer_buf = %b : i32)\n")
    assert _error_of(text.replace("DIR", "3"), "v0.36") == (
        "in.mlir:1:64: error: 'pto.aic_initialize_pipe' has local_slot_num = 6 but slot_num 4: every ptoas expects "
        "local_slot_num <= slot_num")
    assert run(text.replace("DIR", "1"), "v0.36").text == text.replace("DIR", "1")


def test_an_l2g2l_peer_local_addr_without_local_addr_is_refused():
    """operandSegmentSizes [gm, local, peer] = [1, 0, 1] gives a peer_local_addr but no local_addr:
    ptoas refuses it, and the custom form could only print the peer in the local_addr place."""
    text = ('%p = "pto.initialize_l2g2l_pipe"(%g, %a) <{dir_mask = 1 : i8, slot_size = 64 : i32, slot_num = 8 : i32, '
            'operandSegmentSizes = array<i32: 1, 0, 1>}> : (!pto.ptr<f32>, i32) -> !pto.pipe\n')
    for to in ("custom", "generic"):
        assert _error_of(text, "v0.45", to) == \
            "in.mlir:1:1: error: 'pto.initialize_l2g2l_pipe': peer_local_addr without local_addr"


def test_a_frontend_init_with_both_gm_slot_tensor_and_gm_slot_buffer_is_refused():
    """The verifier refuses gm_slot_tensor together with gm_slot_buffer (docs/reference/pto-ir.md)."""
    text = ("pto.aic_initialize_pipe {id = 0, dir_mask = 1, slot_size = 64}(gm_slot_buffer = %g : !pto.ptr<f32>, "
            "gm_slot_tensor = %tv : !pto.tensor_view<16x16xf32>)\n")
    for target in ("v0.45", "newest"):
        assert _error_of(text, target) == \
            "in.mlir:1:1: error: 'pto.aic_initialize_pipe': 'gm_slot_tensor' cannot be combined with 'gm_slot_buffer'"


def test_frontend_init_slot_num_is_refused_before_v045():
    """The frontend init's slot_num came with v0.45 (PTOAS f82d8467): v0.36 refuses it, at the key."""
    text = ("pto.aic_initialize_pipe {id = 0, dir_mask = 1, slot_size = 64, slot_num = 8}"
            "(c2v_consumer_buf = %a : i32, v2c_consumer_buf = %b : i32)\n")
    assert _error_of(text, "v0.36") == (
        "in.mlir:1:64: error: attribute 'slot_num' of 'pto.aic_initialize_pipe' is not accepted by ptoas v0.36 "
        "(first version that has it: v0.45)")
    assert run(text, "v0.45").text == text


def test_a_patch_version_is_the_version_it_patches():
    """`v0.45.1` is a v0.45 ptoas (not the version before it): it takes the frontend slot_num."""
    assert resolve("v0.45.1") is resolve("v0.45") and resolve("0.36.2") is resolve("v0.36")
    text = ("pto.aic_initialize_pipe {id = 0, dir_mask = 1, slot_size = 64, slot_num = 8}"
            "(c2v_consumer_buf = %a : i32, v2c_consumer_buf = %b : i32)\n")
    assert run(text, "v0.45.1").text == text


_GM_L2G2L = "%p = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 64, slot_num = 8}(%g : !pto.ptr<f32>)"


@pytest.mark.parametrize("trailing, kept", [
    (" {local_slot_num = 2 : i32, foo.x = 1}", " {foo.x = 1}"),
    (" {foo.x = 1, local_slot_num = 2 : i32}", " {foo.x = 1}"),
    (" {local_slot_num = 1 : i32}", ""),
])
def test_a_stripped_local_slot_num_in_a_trailing_dictionary_takes_only_its_own_text(trailing, kept):
    """On a GM-only l2g2l pipe ptoas v0.45 refuses local_slot_num, so it is removed from the op's
    trailing attr-dict: the other (discardable) entries stay, and a dictionary left empty goes with
    the space before it."""
    out = run(f"{_GM_L2G2L}{trailing} -> !pto.pipe\n", "v0.45")
    assert out.text == f"{_GM_L2G2L}{kept} -> !pto.pipe\n"
    assert len(out.reports[0]["sidecar"]["pipes"]) == 1


def test_a_double_underscore_key_without_properties_is_discardable():
    """MLIR treats `__`-prefixed names as discardable: in a generic op's only dictionary such a key
    is carried over beside the inherent attributes, not refused as an unknown attribute."""
    text = '"pto.tpush_to_aiv"(%t) {__x = 1, split = 0 : i8} : (!pto.tile_buf<acc, 16x16xf32>) -> ()\n'
    assert run(text, "v0.45").text == "pto.tpush_to_aiv(%t : !pto.tile_buf<acc, 16x16xf32>) {split = 0} {__x = 1}\n"
    assert run(text, "v0.45", "generic").text == \
        '"pto.tpush_to_aiv"(%t) <{split = 0 : i8}> {__x = 1} : (!pto.tile_buf<acc, 16x16xf32>) -> ()\n'


def test_an_attribute_given_twice_is_refused_at_the_second():
    """As in ptoas v0.45 ("duplicate key 'split' in dictionary attribute", at the second key)."""
    text = '"pto.tpush_to_aiv"(%t) {split = 0 : i8, split = 1 : i8} : (!pto.tile_buf<acc, 16x16xf32>) -> ()\n'
    assert _error_of(text, "v0.45") == "in.mlir:1:41: error: 'pto.tpush_to_aiv': duplicate attribute 'split'"


@pytest.mark.parametrize("to", ["custom", "generic"])
def test_a_generic_op_with_a_result_its_op_does_not_have_is_refused(to):
    """tpush_to_aiv has no result: a generic one written `-> i32` is refused, not printed without it."""
    text = '%r = "pto.tpush_to_aiv"(%t) {split = 0 : i8} : (!pto.tile_buf<acc, 16x16xf32>) -> i32\n'
    assert _error_of(text, "v0.45", to) == "in.mlir:1:1: error: 'pto.tpush_to_aiv' has no results, got 1"


def test_a_tpop_from_with_valid_row_alone_has_no_custom_form():
    """The custom tpop_from writes `(%valid_row, %valid_col)` or nothing: a generic op giving only
    valid_row is refused cleanly (a PtofixError at the op) when printed in custom form."""
    text = ('%t = "pto.tpop_from_aic"(%r) <{operandSegmentSizes = array<i32: 1, 0>, split = 0 : i8}> '
            ': (index) -> !pto.tile_buf<vec, 16x16xf32>\n')
    assert _error_of(text, "v0.36") == \
        "in.mlir:1:1: error: 'pto.tpop_from_aic': valid_row and valid_col must be given together"


def test_a_top_level_generic_op_without_a_dialect_is_still_mlir():
    """The "not MLIR" refusal is for text that is no operation at all; a generic op is MLIR
    whatever its name, and an op ptofix does not know is kept as written."""
    for text in ('"foo"() : () -> ()\n', 'module {\n}\n"foo"() : () -> ()\n'):
        assert run(text, "v0.45").text == text


def test_only_generic_ops_without_a_custom_form_are_reported_as_kept_generic():
    """The report lists the generic ops kept because ptofix prints no custom form for them; the
    same op in custom form is no such op."""
    tile = "!pto.tile_buf<vec, 16x16xf32>"
    text = f'pto.tmov ins(%a : {tile}) outs(%b : {tile})\n"pto.tmov"(%a, %b) : ({tile}, {tile}) -> ()\n'
    out = run(text, "v0.45")
    assert out.text == text
    assert out.reports[0]["kept_generic"] == [{"op": "pto.tmov", "line": 2}]


@pytest.mark.parametrize("target, ok", [("v0.35", False), ("v0.36", False), ("v0.45", False), ("newest", True)])
def test_a_frontend_init_with_one_consumer_buffer_needs_newest(target, ok):
    """v0.35 to v0.45 verify a local frontend init with both consumer buffers; only newest takes
    the one its direction uses."""
    text = "pto.aic_initialize_pipe {id = 0, dir_mask = 1, slot_size = 64}(c2v_consumer_buf = %a : i32)\n"
    if ok:
        assert run(text, target).text == text
    else:
        assert _error_of(text, target) == (
            f"in.mlir:1:1: error: 'pto.aic_initialize_pipe' needs both 'c2v_consumer_buf' and 'v2c_consumer_buf' "
            f"for ptoas {target} (or 'gm_slot_tensor')")


@pytest.mark.parametrize("target, kept", [("v0.35", True), ("v0.36", True), ("v0.45", False)])
def test_a5_frontend_local_slot_num_is_stripped_from_v045_only(target, kept):
    """ptoas rejects a frontend local_slot_num on A5 from 046f0db9 (2026-05-28, in v0.45, not in
    v0.35/v0.36): only for v0.45 on is it moved to the sidecar."""
    text = ('module attributes {pto.target_arch = "a5"} {\n  pto.aic_initialize_pipe {id = 0, dir_mask = 1, '
            "slot_size = 64, local_slot_num = 2}(c2v_consumer_buf = %a : i32, v2c_consumer_buf = %b : i32)\n}\n")
    out = run(text, target)
    if kept:
        assert out.text == text and out.reports[0]["sidecar"]["pipes"] == []
    else:
        assert out.text == text.replace(", local_slot_num = 2", "")
        assert [p["local_slot_num"] for p in out.reports[0]["sidecar"]["pipes"]] == [2]


def test_a_custom_location_without_its_dialect_prefix_gets_it_in_generic_form():
    """The generic form of reserve_buffer writes location as a full `#pto.address_space<...>`
    attribute, also when the custom text gave the short `<vec>`."""
    text = '%r = pto.reserve_buffer {name = "x", size = 8192, location = <vec>, auto = true} -> i32\n'
    assert run(text, "v0.45", "generic").text == (
        '%r = "pto.reserve_buffer"() <{autoAlloc = true, location = #pto.address_space<vec>, name = "x", '
        'size = 8192 : i32}> : () -> i32\n')


@pytest.mark.parametrize("to", ["custom", "generic"])
def test_a_segment_of_two_on_a_single_operand_is_refused(to):
    """gm_addr is one operand: a segment of 2 is refused. (ptoas v0.45 takes such an op and
    silently uses only the first value: its C++ is the one for `array<i32: 1, 0, 0>`.)"""
    text = ('%p = "pto.initialize_l2g2l_pipe"(%g, %h) <{dir_mask = 1 : i8, operandSegmentSizes = array<i32: 2, 0, 0>, '
            'slot_num = 8 : i32, slot_size = 64 : i32}> : (!pto.ptr<f32>, !pto.ptr<f32>) -> !pto.pipe\n')
    assert _error_of(text, "v0.45", to) == \
        "in.mlir:1:1: error: 'pto.initialize_l2g2l_pipe': segment 'gm_addr' has size 2"


def test_v035_is_the_first_version_of_the_frontend_local_slot_num_and_the_tfree_from_entry():
    """PR 569 and 23447a4d are in v0.35: its frontend init keeps local_slot_num (v0.31 moves it to
    the sidecar) and tfree_from takes an entry operand (v0.31 refuses it)."""
    init = ("pto.aic_initialize_pipe {id = 0, dir_mask = 1, slot_size = 64, local_slot_num = 2}"
            "(c2v_consumer_buf = %a : i32, v2c_consumer_buf = %b : i32)\n")
    out = run(init, "v0.35")
    assert out.text == init and out.reports[0]["sidecar"]["pipes"] == []
    assert run(init, "v0.31").text == init.replace(", local_slot_num = 2", "")
    tfree = "pto.tfree_from_aic(%e : !pto.tensor_view<16x16xf32>) {split = 0}\n"
    assert run(tfree, "v0.35").text == tfree
    assert "operand 'entry' of 'pto.tfree_from_aic' is not accepted by ptoas v0.31" in _error_of(tfree, "v0.31")


def test_a_generic_l2g2l_has_operand_segments_from_v035():
    """The l2g2l init is AttrSizedOperandSegments from 23447a4d (v0.35): its generic form carries
    operandSegmentSizes from v0.35 on, and none before."""
    text = "%p = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 64, slot_num = 8}(%g : !pto.ptr<f32>, %l : i32) -> !pto.pipe\n"
    generic = ('%p = "pto.initialize_l2g2l_pipe"(%g, %l) <{dir_mask = 1 : i8, SEGMENTSslot_num = 8 : i32, '
               'slot_size = 64 : i32}> : (!pto.ptr<f32>, i32) -> !pto.pipe\n')
    assert run(text, "v0.31", "generic").text == generic.replace("SEGMENTS", "")
    for target in ("v0.35", "v0.36"):
        assert run(text, target, "generic").text == \
            generic.replace("SEGMENTS", "operandSegmentSizes = array<i32: 1, 1, 0>, ")


def test_a_comment_moved_out_of_a_crlf_op_keeps_the_line_ending_whole():
    # The comment inside the generic op goes to the end of the rewritten line; its line's '\r'
    # stays the line's, so the output is a CRLF file the reader (and a second run) accepts.
    text = ('module {\r\n  func.func @k() attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {\r\n'
            '    "pto.tfree_from_aiv"() // free\r\n        {split = 0 : i64} : () -> ()\r\n'
            '    return\r\n  }\r\n}\r\n')
    once = run_pipeline(SourceText(text, "k.mlir"), [build_pass("canonicalize", {"target-ptoas": "v0.45"})],
                        PARSERS).text
    assert "    pto.tfree_from_aiv {split = 0}  // free\r\n" in once
    assert "\r\r" not in once and once.count("\r\n") == once.count("\n")
    twice = run_pipeline(SourceText(once, "k.mlir"), [build_pass("canonicalize", {"target-ptoas": "v0.45"})],
                         PARSERS).text
    assert twice == once


def test_an_affine_constraint_in_a_discardable_attribute_is_kept():
    # `>=` in an affine set is no angle bracket (ptoas accepts the op; it must come through as written).
    attr = "{m = affine_set<(d0) : (d0 - 1 >= 0)>}"
    text = ('module {\n  func.func @k() attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {\n'
            f'    "pto.tfree_from_aiv"() <{{split = 0 : i8}}> {attr} : () -> ()\n    return\n  }}\n}}\n')
    out = run_pipeline(SourceText(text, "k.mlir"), [build_pass("canonicalize", {"target-ptoas": "v0.45"})],
                       PARSERS).text
    assert f"    pto.tfree_from_aiv {{split = 0}} {attr}\n" in out


def test_a_second_op_after_a_generic_op_on_its_line_is_named():
    text = ('module {\n  func.func @k() attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {\n'
            '    "pto.tfree_from_aiv"() <{split = 0 : i8}> : () -> () return\n  }\n}\n')
    with pytest.raises(PtofixError, match="an operation after 'pto.tfree_from_aiv' on the same line"):
        run_pipeline(SourceText(text, "k.mlir"), [build_pass("canonicalize", {"target-ptoas": "v0.45"})], PARSERS)
