"""canonicalize pass: generic/mixed PTO IR -> target form; errors; sidecar; idempotence."""
import json
import os
import subprocess
import sys

import pytest

from ptofix.frontends import PARSERS
from ptofix.ir.opspecs import SPECS
from ptofix.ir.versions import VERSIONS, resolve
from ptofix.pass_manager import build_pass, run_pipeline
from ptofix.source import PtofixError, SourceText

FIX = os.path.join(os.path.dirname(__file__), "..", "fixtures", "ir")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))


def run(text, target, to="custom"):
    source = SourceText(text, "in.mlir")
    outcome = run_pipeline(source, [build_pass("canonicalize", {"target-ptoas": target, "to": to})], PARSERS)
    return outcome


def fixture(name):
    with open(os.path.join(FIX, name), encoding="utf-8", newline="") as handle:
        return handle.read()


def test_versions_ordered_and_aliases():
    assert [v.rank for v in VERSIONS] == sorted(v.rank for v in VERSIONS)
    assert resolve("hw-head") is resolve("2026-04-17")
    assert resolve("v0.60") is resolve("newest") is resolve("2026-08-21")
    assert resolve("v0.40").name == "v0.36" and resolve("2026-05-30").name == "v0.36"
    with pytest.raises(PtofixError, match="unknown ptoas version"):
        resolve("v0.1")


def test_specs_cover_pipe_ops_with_widths():
    for name in ["pto.aic_initialize_pipe", "pto.aiv_initialize_pipe", "pto.initialize_l2g2l_pipe",
                 "pto.initialize_l2l_pipe", "pto.tpush", "pto.tpop", "pto.tfree", "pto.talloc",
                 "pto.talloc_to_aiv", "pto.talloc_to_aic", "pto.tpush_to_aiv", "pto.tpush_to_aic",
                 "pto.tpop_from_aic", "pto.tpop_from_aiv", "pto.tfree_from_aic", "pto.tfree_from_aiv",
                 "pto.declare_global", "pto.reserve_buffer", "pto.import_reserved_buffer", "pto.tload", "pto.tmov"]:
        assert name in SPECS
    init = SPECS["pto.aic_initialize_pipe"]
    assert init.attr("dir_mask").type == "i8" and init.attr("slot_size").type == "i32"
    assert not init.has_segments("v0.31") and init.has_segments("v0.35")
    assert [o.name for o in init.operands_at("newest")] == ["gm_slot_buffer", "gm_slot_tensor", "c2v_consumer_buf",
                                                           "v2c_consumer_buf"]
    assert SPECS["pto.tpop_from_aic"].segment_layouts() == {2: ["valid_row", "valid_col"],
                                                            3: ["valid_row", "valid_col", "aiv_subblockid"]}
    assert not SPECS["pto.talloc_to_aiv"].available("v0.31") and SPECS["pto.talloc_to_aiv"].available("v0.35")


def test_mixed_module_to_custom_then_idempotent():
    text = fixture("mixed_v031_binding.mlir")
    out = run(text, "v0.36")
    assert '"pto.' not in out.text.replace('"pto.target_arch"', "")
    assert "pto.aic_initialize_pipe {id = 3, dir_mask = 1, slot_size = 1024}(gm_slot_tensor = %tv : !pto.tensor_view<16x16xf32>)" in out.text
    assert "%entry = pto.talloc_to_aiv {id = 3, split = 0} -> !pto.tensor_view<16x16xf32>" in out.text
    assert "pto.tfree_from_aic(%e : !pto.tensor_view<16x16xf32>) {id = 3, split = 0}" in out.text
    # every untouched line is byte-identical
    changed = [i for i, (a, b) in enumerate(zip(text.splitlines(), out.text.splitlines(), strict=True)) if a != b]
    assert changed == [8, 9, 17, 19]
    sidecar = out.reports[0]["sidecar"]["pipes"]
    assert [(p["func"], p["kernel_kind"], p["local_slot_num"], p["id"], p["line"]) for p in sidecar] == \
        [("vector_kernel", "vector", 2, 3, 18)]
    assert out.warnings and "local_slot_num = 2" in out.warnings[0]
    again = run(out.text, "v0.36")
    assert again.text == out.text and again.reports[0]["sidecar"]["pipes"] == []


def test_generic_output_is_exact_and_idempotent():
    text = fixture("generic_module.mlir")
    out = run(text, "v0.36", to="generic")
    assert ('%1 = "pto.reserve_buffer"() <{autoAlloc = true, location = #pto.address_space<mat>, name = "v2c_fifo", '
            'size = 4096 : i32}> : () -> i32') in out.text
    assert ('%3 = "pto.initialize_l2g2l_pipe"(%arg0) <{dir_mask = 1 : i8, flag_base = 4 : i32, operandSegmentSizes = '
            'array<i32: 1, 0, 0>, slot_num = 8 : i32, slot_size = 2048 : i32}> : (!pto.ptr<f32>) -> !pto.pipe loc("fa.py":12:3)') in out.text
    assert run(out.text, "v0.36", to="generic").text == out.text
    # custom round: back to custom and again generic gives the same generic text
    custom = run(out.text, "v0.36").text
    assert run(custom, "v0.36", to="generic").text == out.text


def test_segments_follow_target_version():
    text = '"pto.tpop_from_aic"(%r, %c) <{operandSegmentSizes = array<i32: 1, 1>, split = 0 : i8}> : (index, index) -> !pto.tile_buf<vec, 16x16xf32>\n'
    text = "%t = " + text
    assert "array<i32: 1, 1, 0>" in run(text, "newest", "generic").text
    assert "array<i32: 1, 1>, split = 0 : i8}>" in run(text, "v0.36", "generic").text
    assert run(text, "v0.36").text == "%t = pto.tpop_from_aic(%r, %c) {split = 0} -> !pto.tile_buf<vec, 16x16xf32>\n"


def test_nothing_to_do_is_byte_identical():
    text = fixture("mixed_v031_binding.mlir")
    out = run(text, "v0.36").text
    assert run(out, "newest").text == out


@pytest.mark.parametrize("text,target,message", [
    ('%e = "pto.talloc_to_aiv"() {id = 0 : i64, split = 0 : i64} : () -> !pto.tensor_view<16x16xf32>\n', "v0.31",
     "'pto.talloc_to_aiv' is not available in ptoas v0.31 (first version that has it: v0.35)"),
    ('%e = "pto.talloc_to_aiv"(%p) {split = 1 : i64} : (!pto.pipe) -> !pto.tensor_view<16x16xf32>\n', "newest",
     "the pipe is selected by the 'id' attribute"),
    ('"pto.tpush_to_aiv"(%t) {id = 2 : i64, split = 0 : i64} : (!pto.tile_buf<acc, 16x16xf32>) -> ()\n', "hw-head",
     "attribute 'id' of 'pto.tpush_to_aiv' is not accepted by ptoas 2026-04-17 (first version that has it: v0.31)"),
    ('"pto.tpush_to_aiv"(%t) {bogus = 1, split = 0 : i64} : (!pto.tile_buf<acc, 16x16xf32>) -> ()\n', "newest",
     "has no attribute 'bogus'"),
    ('"pto.tpush_to_aiv"(%t) {split = 300 : i64} : (!pto.tile_buf<acc, 16x16xf32>) -> ()\n', "newest",
     "does not fit i8"),
    ('"pto.tpop_from_aiv"(%a) <{operandSegmentSizes = array<i32: 1, 1>, split = 0 : i8}> : (index) -> !pto.tile_buf<mat, 16x16xf32>\n',
     "newest", "operandSegmentSizes sums to 2 but the op has 1 operands"),
    ('"pto.tpush_to_aiv"(%t) {split = true} : (!pto.tile_buf<acc, 16x16xf32>) -> ()\n', "newest",
     "attribute 'split' must be an integer (i8), got 'true'"),
    # The printers write no regions: rewriting would drop this one.
    ('"pto.tfree"(%p) ({ ^bb0(%x: index): "pto.tfree"(%p) {split = 1 : i64} : (!pto.pipe) -> () }) {split = 1 : i64}'
     ' : (!pto.pipe) -> ()\n', "v0.45", "'pto.tfree' with a region is not an op ptoas defines"),
    # Split 3 and 4 are newest's only (every older verifySplitAttr takes 0 to 2).
    ('"pto.tpush_to_aiv"(%t) {split = 3 : i64} : (!pto.tile_buf<acc, 16x16xf32>) -> ()\n', "v0.45",
     "'pto.tpush_to_aiv' has split = 3: ptoas v0.45 takes 0 to 2 (3 is accepted from ptoas newest)"),
    ('"pto.tpush_to_aiv"(%t) {split = 5 : i64} : (!pto.tile_buf<acc, 16x16xf32>) -> ()\n', "newest",
     "'pto.tpush_to_aiv' has split = 5: ptoas newest takes 0 to 4"),
    # A GM-tensor frontend init: no consumer buffer before newest, only c2v with dir_mask 1 there.
    ('"pto.aic_initialize_pipe"(%g, %c) <{dir_mask = 1 : i8, id = 0 : i32, operandSegmentSizes = array<i32: 0, 1, 1, 0>,'
     ' slot_size = 1024 : i32}> : (!pto.tensor_view<16x16xf32>, i32) -> ()\n', "v0.45",
     "ptoas v0.45 takes 'gm_slot_tensor' with no consumer buffer (with 'c2v_consumer_buf' and dir_mask 1 from "
     "ptoas newest)"),
    ('"pto.aic_initialize_pipe"(%g, %c) <{dir_mask = 2 : i8, id = 0 : i32, operandSegmentSizes = array<i32: 0, 1, 1, 0>,'
     ' slot_size = 1024 : i32}> : (!pto.tensor_view<16x16xf32>, i32) -> ()\n', "newest",
     "with 'gm_slot_tensor', ptoas newest takes only 'c2v_consumer_buf' and dir_mask 1"),
    ('"pto.aic_initialize_pipe"(%g) <{dir_mask = 1 : i8, id = -1 : i32, operandSegmentSizes = array<i32: 0, 1, 0, 0>,'
     ' slot_size = 1024 : i32}> : (!pto.tensor_view<16x16xf32>) -> ()\n', "v0.45",
     "'pto.aic_initialize_pipe' has id = -1: every ptoas expects a non-negative pipe id"),
    ('#dm = 1 : i8\n"pto.aic_initialize_pipe"(%g) <{dir_mask = #dm, id = 0 : i32, operandSegmentSizes = array<i32: 0, 1, 0, 0>,'
     ' slot_size = 1024 : i32}> : (!pto.tensor_view<16x16xf32>) -> ()\n', "v0.45",
     "attribute 'dir_mask' is the alias '#dm' (= 1 : i8): ptofix does not read attribute aliases"),
    ('%e = "pto.talloc_to_aiv"() <{id = 4294967295 : i32, split = 0 : i8}> : () -> !pto.tensor_view<16x16xf32>\n',
     "v0.45", "has id = 4294967295: every ptoas expects a non-negative pipe id"),
    ('"pto.aic_initialize_pipe"(%g) <{dir_mask = 1 : i8, id = 0 : i32, operandSegmentSizes = array<i32: 0, 1, 0, 0>,'
     ' slot_size = 0 : i32}> : (!pto.tensor_view<16x16xf32>) -> ()\n', "v0.45", "has slot_size = 0"),
    ('module attributes {pto.target_arch = "a5"} {\n"pto.aic_initialize_pipe"(%g) <{dir_mask = 1 : i8, id = 0 : i32, '
     'operandSegmentSizes = array<i32: 0, 1, 0, 0>, slot_size = 1024 : i32}> : (!pto.tensor_view<16x16xf32>) -> ()\n}\n',
     "v0.45", "ptoas v0.45 takes 'gm_slot_tensor' only for a2/a3, and the module is for a5"),
    ('%p = "pto.initialize_l2g2l_pipe"(%g) <{dir_mask = 1 : i8, flag_base = -2 : i32, operandSegmentSizes = '
     'array<i32: 1, 0, 0>, slot_num = 8 : i32, slot_size = 1024 : i32}> : (memref<256xf32, #pto.address_space<gm>>) -> '
     '!pto.pipe\n', "v0.45", "has flag_base = -2: every ptoas expects a non-negative flag_base"),
    ('"pto.aic_initialize_pipe"(%g, %c) <{dir_mask = 1 : i8, id = 0 : i32, local_slot_num = 9 : i32, '
     'operandSegmentSizes = array<i32: 1, 0, 1, 0>, slot_size = 1024 : i32}> : (!pto.ptr<f32>, i32) -> ()\n', "v0.45",
     "has local_slot_num = 9 but slot_num 8: every ptoas expects local_slot_num <= slot_num"),
    ('"pto.aic_initialize_pipe"(%g, %c) <{dir_mask = 1 : i8, id = 0 : i32, local_slot_num = 0 : i32, '
     'operandSegmentSizes = array<i32: 1, 0, 1, 0>, slot_size = 1024 : i32}> : (!pto.ptr<f32>, i32) -> ()\n', "v0.45",
     "has local_slot_num = 0: every ptoas expects it greater than 0"),
])
def test_errors(text, target, message):
    with pytest.raises(PtofixError) as info:
        run(text, target)
    assert message in info.value.format()
    assert info.value.format().startswith(f"in.mlir:{text.rstrip(chr(10)).count(chr(10)) + 1 - text.endswith(chr(10) + '}' + chr(10))}:")


@pytest.mark.parametrize("dir_mask", [0, 4, -1, 255])
def test_a_dir_mask_that_is_no_direction_is_an_error_at_the_op(tmp_path, dir_mask):
    # The sidecar's readers refuse such a dir_mask: canonicalize must not write a sidecar they refuse.
    text = ("module {\n  func.func @vec(%fifo: !pto.ptr<f32>) attributes {pto.kernel_kind = #pto.kernel_kind<vector>} {\n"
            f'    %p = "pto.initialize_l2g2l_pipe"(%fifo) {{dir_mask = {dir_mask} : i64, flag_base = 0 : i64, '
            "local_slot_num = 2 : i64, slot_num = 8 : i64, slot_size = 4096 : i64} : (!pto.ptr<f32>) -> !pto.pipe\n"
            "    return\n  }\n}\n")
    (tmp_path / "a.mlir").write_text(text)
    proc = subprocess.run([sys.executable, "-m", "ptofix", "canonicalize", "--target-ptoas", "v0.45", "a.mlir",
                           "-o", "a.pto"], capture_output=True, text=True, cwd=tmp_path,
                          env=dict(os.environ, PYTHONPATH=ROOT))
    assert proc.returncode == 2
    assert proc.stderr == (f"a.mlir:3:46: error: 'pto.initialize_l2g2l_pipe' has dir_mask {dir_mask}: only 1 (C2V), "
                           "2 (V2C) and 3 (both) name a pipe direction\n")
    assert sorted(os.listdir(tmp_path)) == ["a.mlir"]
    custom = ("%p = pto.initialize_l2g2l_pipe {dir_mask = 0, slot_size = 64, slot_num = 8}"
              "(%g : !pto.ptr<f32>) -> !pto.pipe\n")
    with pytest.raises(PtofixError) as caught:
        run(custom, "v0.45", "generic")
    assert caught.value.format() == ("in.mlir:1:33: error: 'pto.initialize_l2g2l_pipe' has dir_mask 0: only 1 (C2V), "
                                     "2 (V2C) and 3 (both) name a pipe direction")


def test_id_zero_dropped_for_id_less_target():
    text = '"pto.tpush_to_aiv"(%t) {id = 0 : i64, split = 0 : i64} : (!pto.tile_buf<acc, 16x16xf32>) -> ()\n'
    assert run(text, "hw-head").text == "pto.tpush_to_aiv(%t : !pto.tile_buf<acc, 16x16xf32>) {split = 0}\n"


def test_custom_local_slot_num_removed_minimally():
    # without flag_base the custom form still parses after the removal: only the clause goes
    text = ("module {\n  func.func @k(%g: !pto.ptr<f32>) {\n"
            "    %p = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 64, slot_num = 8, local_slot_num = 1}"
            "(%g : !pto.ptr<f32>) -> !pto.pipe\n    return\n  }\n}\n")
    out = run(text, "v0.36")
    assert out.text == text.replace(", local_slot_num = 1", "")
    entry = out.reports[0]["sidecar"]["pipes"][0]
    assert (entry["func"], entry["slot_num"], entry["dir_mask"], entry["line"]) == ("k", 8, 1, 3)


def test_custom_local_slot_num_with_flag_base_becomes_generic():
    # `slot_num = 8, flag_base = 2` does not parse in ptoas (the parser commits to local_slot_num after
    # the comma), and local_slot_num is rejected on a GM-only pipe: only the generic form is accepted.
    text = ("module {\n  func.func @k(%g: !pto.ptr<f32>) {\n"
            "    %p = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 64, slot_num = 8, local_slot_num = 1, flag_base = 2}"
            "(%g : !pto.ptr<f32>) -> !pto.pipe\n    return\n  }\n}\n")
    for target in ("v0.36", "v0.45"):
        out = run(text, target)
        line = out.text.splitlines()[2]
        assert line == ('    %p = "pto.initialize_l2g2l_pipe"(%g) <{dir_mask = 1 : i8, flag_base = 2 : i32, '
                        'operandSegmentSizes = array<i32: 1, 0, 0>, slot_num = 8 : i32, slot_size = 64 : i32}> '
                        ': (!pto.ptr<f32>) -> !pto.pipe'), line
        entry = out.reports[0]["sidecar"]["pipes"][0]
        assert (entry["func"], entry["flag_base"], entry["slot_num"], entry["dir_mask"], entry["line"]) == ("k", 2, 8, 1, 3)
        assert out.reports[0]["rewritten"][0]["to"] == "generic"
        assert any(c.startswith("printed generic:") for c in out.reports[0]["rewritten"][0]["changes"])
        assert run(out.text, target).text == out.text          # idempotent: stays generic
    # hw-head has no GM-only l2g2l at all (local_addr required)
    with pytest.raises(PtofixError, match="needs operand 'local_addr'"):
        run(text, "hw-head")


@pytest.mark.parametrize("present, ok", [
    ((), True), (("local_slot_num",), True), (("local_slot_num", "flag_base"), True),
    (("local_slot_num", "flag_base", "nosplit"), True), (("flag_base",), False), (("nosplit",), False),
    (("local_slot_num", "nosplit"), False), (("flag_base", "nosplit"), False)])
def test_l2g2l_custom_printability_rule(present, ok):
    spec = SPECS["pto.initialize_l2g2l_pipe"]
    for v in VERSIONS:
        assert (spec.custom_blocker(set(present) | {"dir_mask", "slot_size", "slot_num"}, v) is None) == ok
    l2l = SPECS["pto.initialize_l2l_pipe"]
    assert l2l.custom_blocker({"flag_base", "nosplit"}, "v0.45") is None
    assert "generic" in l2l.custom_blocker({"nosplit"}, "v0.45")
    assert SPECS["pto.tpush"].custom_blocker({"split"}, "v0.45") is None


def test_generic_gm_only_init_with_flag_base_stays_generic_for_v045():
    # the mixed form an older binding prints: i64 widths, `{}` dictionary
    text = ("module {\n  func.func @k(%g: !pto.ptr<f32>) {\n"
            '    %p = "pto.initialize_l2g2l_pipe"(%g) {dir_mask = 1 : i64, flag_base = 4 : i64, '
            "local_slot_num = 2 : i64, slot_num = 8 : i64, slot_size = 64 : i64} : (!pto.ptr<f32>) -> !pto.pipe\n"
            "    return\n  }\n}\n")
    out = run(text, "v0.45")
    assert '<{dir_mask = 1 : i8, flag_base = 4 : i32, operandSegmentSizes = array<i32: 1, 0, 0>, ' \
           'slot_num = 8 : i32, slot_size = 64 : i32}>' in out.text
    assert "pto.initialize_l2g2l_pipe {" not in out.text
    assert out.reports[0]["sidecar"]["pipes"][0]["local_slot_num"] == 2


def test_opt_style_options_and_command(tmp_path):
    src = tmp_path / "in.mlir"
    src.write_text(fixture("mixed_v031_binding.mlir"))
    out = tmp_path / "out.mlir"
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.run([sys.executable, "-m", "ptofix", "canonicalize", "--target-ptoas", "v0.36", str(src),
                           "-o", str(out)], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "warning: removed local_slot_num = 2" in proc.stderr
    data = json.loads((tmp_path / "out.mlir.slots.json").read_text())
    assert data["version"] == 1 and data["target_ptoas"] == "v0.36" and data["source"] == str(src)
    assert data["pipes"][0]["op"] == "pto.aiv_initialize_pipe"
    # error: no output written, input untouched, exit 2
    bad = tmp_path / "bad.mlir"
    bad.write_text('"pto.talloc_to_aiv"() {split = 0 : i64} : () -> !pto.tensor_view<4xf32>\n')
    proc = subprocess.run([sys.executable, "-m", "ptofix", "canonicalize", "--target-ptoas", "hw-head", str(bad),
                           "-o", str(tmp_path / "x.mlir")], capture_output=True, text=True, env=env)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"{bad}:1:1: error:")
    assert not (tmp_path / "x.mlir").exists()


def test_a_generic_op_already_in_target_form_stays_byte_for_byte():
    # Spaced over several lines with its attributes in another order than the printer's: the same op
    # to MLIR's generic parser, so nothing applies and the text is left as it is.
    text = ('%pipe = "pto.initialize_l2g2l_pipe"(%gm) <{\n  dir_mask = 1 : i8,\n  slot_size = 1024 : i32,\n'
            '  slot_num = 8 : i32,\n  flag_base = 0 : i32,\n  operandSegmentSizes = array<i32: 1, 0, 0>\n'
            '}> : (!pto.tensor_view<16x16xf32>) -> !pto.pipe\n')
    for target, to in (("v0.45", "custom"), ("v0.45", "generic")):
        outcome = run(text, target, to)
        assert outcome.text == text and outcome.reports[0]["rewritten"] == []
    changed = text.replace("slot_num = 8", "slot_num = 8 : i32, local_slot_num = 2")
    assert run(changed, "v0.45").text != changed


def test_a_comment_inside_a_rewritten_op_is_kept():
    text = ('%t = "pto.tpop_from_aic"(%r, %c) // the slot\n    <{operandSegmentSizes = array<i32: 1, 1>, split = 0 : i8}>'
            ' : (index, index) -> !pto.tile_buf<vec, 16x16xf32>\n')
    out = run(text, "v0.36").text
    assert out.startswith("%t = pto.tpop_from_aic(") and out.rstrip("\n").endswith("// the slot")
    assert run(out, "v0.36").text == out
    with pytest.raises(PtofixError, match="comment inside this op would be lost"):
        run("module {\n" + text.replace("16x16xf32>\n", "16x16xf32> }\n"), "v0.36")   # code after the op


def test_stdout_output_says_the_stripped_local_slot_num_went_nowhere(tmp_path):
    import subprocess
    import sys
    text = ('%p = "pto.initialize_l2g2l_pipe"(%g) {dir_mask = 1 : i8, slot_size = 1024 : i32, slot_num = 8 : i32,'
            ' local_slot_num = 2 : i32, flag_base = 0 : i32} : (!pto.tensor_view<16x16xf32>) -> !pto.pipe\n')
    path = tmp_path / "in.mlir"
    path.write_text(text)
    for out in (["-o", "-"], ["--diff"]):
        proc = subprocess.run([sys.executable, "-m", "ptofix", "canonicalize", "--target-ptoas", "v0.45", str(path),
                               *out], capture_output=True, text=True)
        assert proc.returncode == 0 and "removed local_slot_num = 2" in proc.stderr
        assert "NOT recorded" in proc.stderr and "recorded in the sidecar" not in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "ptofix", "canonicalize", "--target-ptoas", "v0.45", str(path),
                           "-o", str(tmp_path / "out.mlir")], capture_output=True, text=True)
    assert proc.returncode == 0 and "recorded in the sidecar" in proc.stderr
    assert (tmp_path / "out.mlir.slots.json").exists()


@pytest.mark.slow   # (2 s of CPU or more, measured: CI's full tier runs it)
def test_opt_canonicalize_on_stdout_says_the_stripped_local_slot_num_went_nowhere(tmp_path):
    text = ('%p = "pto.initialize_l2g2l_pipe"(%g) {dir_mask = 1 : i8, slot_size = 1024 : i32, slot_num = 8 : i32,'
            ' local_slot_num = 4 : i32, flag_base = 0 : i32} : (!pto.tensor_view<16x16xf32>) -> !pto.pipe\n')
    (tmp_path / "in.mlir").write_text(text)
    pipeline = ["-m", "ptofix", "opt", "-p", "canonicalize{target-ptoas=v0.45}"]
    not_recorded = ("in.mlir:1:102: warning: removed local_slot_num = 4 from 'pto.initialize_l2g2l_pipe' "
                    "('local_slot_num' is only allowed when 'local_addr' is present (GM-only pipe)); NOT recorded: "
                    "no sidecar is written for this output (give -o OUT or -i: it goes to OUT.slots.json or "
                    "FILE.slots.json)\n")
    for out in ([], ["-o", "-"], ["--diff"]):
        proc = subprocess.run([sys.executable, *pipeline, "in.mlir", *out], capture_output=True, text=True,
                              cwd=tmp_path, env=dict(os.environ, PYTHONPATH=ROOT))
        assert (proc.returncode, proc.stderr) == (0, not_recorded)
        assert sorted(os.listdir(tmp_path)) == ["in.mlir"]
    proc = subprocess.run([sys.executable, *pipeline, "in.mlir", "-o", "out.mlir"], capture_output=True, text=True,
                          cwd=tmp_path, env=dict(os.environ, PYTHONPATH=ROOT))
    assert proc.returncode == 0 and proc.stderr.endswith("; recorded in the sidecar for the C++ side\n")
    assert json.loads((tmp_path / "out.mlir.slots.json").read_text())["pipes"][0]["local_slot_num"] == 4


def test_one_i32_of_a_two_way_frontend_init_is_not_guessed():
    text = ('"pto.aic_initialize_pipe"(%p, %d) {dir_mask = 3 : i64, slot_size = 1024 : i64} : (!pto.ptr<f32>, i32) -> ()\n')
    with pytest.raises(PtofixError, match="cannot tell whether it is c2v_consumer_buf or v2c_consumer_buf"):
        run(text, "v0.45")
    one_way = text.replace("dir_mask = 3", "dir_mask = 1")
    assert "c2v_consumer_buf = %d : i32" in run(one_way, "newest").text       # C2V only: the C2V buffer
    # v0.35-v0.45 verify a local init with both buffers (PTO.cpp "to be provided together").
    with pytest.raises(PtofixError, match="needs both 'c2v_consumer_buf' and 'v2c_consumer_buf' for ptoas v0.45"):
        run(one_way, "v0.45")


def test_a_custom_op_the_target_reads_stays_as_written():
    # flag_base after slot_num only parses in the trailing attribute dictionary (CommaChainRule), and
    # that is where it is written: v0.45 reads it, so nothing applies.
    text = ("%p = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 1024, slot_num = 8}(%arg0 : !pto.ptr<f32>)"
            " {flag_base = 0 : i32} -> !pto.pipe\n")
    outcome = run(text, "v0.45")
    assert outcome.text == text and outcome.reports[0]["rewritten"] == []
    in_braces = text.replace("slot_num = 8}(%arg0 : !pto.ptr<f32>) {flag_base = 0 : i32}",
                             "slot_num = 8, flag_base = 0}(%arg0 : !pto.ptr<f32>)")
    assert run(in_braces, "v0.45").text.startswith('%p = "pto.initialize_l2g2l_pipe"')   # generic: no chain


# One frontend pipe init with local_slot_num, which ptoas v0.45 rejects on a5.
_A5_FUNC = '''  func.func @k(%gm: !pto.ptr<f32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %c0 = arith.constant 0 : i32
    %buf = "pto.reserve_buffer"() <{autoAlloc = true, location = #pto.address_space<mat>, name = "f", size = 4096 : i32}> : () -> i32
    "pto.aic_initialize_pipe"(%gm, %c0, %buf) <{dir_mask = 2 : i8, id = 0 : i32, local_slot_num = 1 : i32, operandSegmentSizes = array<i32: 1, 0, 1, 1>, slot_size = 1024 : i32}> : (!pto.ptr<f32>, i32, i32) -> ()
    return
  }
'''


@pytest.mark.parametrize("module", [
    'module attributes {pto.target_arch = "a5"} {\n' + _A5_FUNC + "}\n",
    '"builtin.module"() ({\n' + _A5_FUNC + '}) {pto.target_arch = "a5"} : () -> ()\n',   # generic: dict after the region
])
def test_a5_is_read_from_either_module_form(module):
    outcome = run(module, "v0.45")
    assert "local_slot_num" not in outcome.text
    assert any("only supported for a2/a3" in w for w in outcome.warnings)


@pytest.mark.parametrize("module", [
    'module attributes {pto.target_arch = "A5"} {\n' + _A5_FUNC + "}\n",      # ptoas lower-cases the arch
    '// pto.target_arch = "a5"\nmodule {\n' + _A5_FUNC + "}\n",              # its textual scan reads comments
])
def test_the_arch_is_read_as_ptoas_reads_it(module):
    outcome = run(module, "v0.45")
    assert "local_slot_num" not in outcome.text
    assert any("only supported for a2/a3" in w for w in outcome.warnings)


@pytest.mark.parametrize("module", [
    'module attributes {pto.target_arch = "a2a3"} {\n' + _A5_FUNC + "}\n",   # not a3 or a5: ptoas takes a3
    "module {\n" + _A5_FUNC + "}\n",
])
def test_an_a3_module_keeps_its_local_slot_num(module):
    assert "local_slot_num = 1" in run(module, "v0.45").text


def test_ptoas_arch_normalisation():
    from ptofix.ir.model import compiled_arch, ptoas_arch
    assert [ptoas_arch(v) for v in ("A5", "a3", "a2a3", None, "A3")] == ["a5", "a3", "a3", "a3", "a3"]
    # The declared attribute wins when it names a3 or a5; else the first textual mention.
    assert compiled_arch("a3", '// pto.target_arch = "a5"') == "a3"
    assert compiled_arch("a2a3", 'x pto.target_arch = "a5"') == "a5"
    assert compiled_arch(None, "") == "a3"


def test_a_wrong_width_in_a_custom_ops_trailing_dictionary_is_fixed():
    text = ('module {\n  func.func @k() {\n    %g = pto.declare_global -> !pto.tensor_view<16x16xf32>\n'
            '    %p = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 1024, slot_num = 8}'
            '(%g : !pto.tensor_view<16x16xf32>) {flag_base = 0 : i64} -> !pto.pipe\n    func.return\n  }\n}\n')
    out = run(text, "v0.45").text
    assert "flag_base = 0 : i64" not in out and "flag_base = 0 : i32" in out
    assert run(out, "v0.45").text == out


def test_newest_only_operands_and_attributes_of_lowered_pipe_ops_are_read():
    tpop = ('"pto.tpop"(%t, %p, %sb) <{split = 1 : i8}> : (!pto.tile_buf<vec, 32x128xf16>, !pto.pipe, i64) -> ()\n')
    out = run(tpop, "newest").text
    assert "pto.tpop(%t, %p : !pto.tile_buf<vec, 32x128xf16>, !pto.pipe) {split = 1} aiv_subblockid(%sb)" in out
    with pytest.raises(PtofixError):
        run(tpop, "v0.45")
    l2l = ('%p = "pto.initialize_l2l_pipe"(%l) <{acc_push_epilogue = #pto.acc_push_epilogue<layout = nz2nd, '
           'quant = deqf16_scalar, relu = normal_relu>, dir_mask = 1 : i8, slot_num = 8 : i32, '
           'slot_size = 512 : i32}> : (i32) -> !pto.pipe\n')
    assert "acc_push_epilogue = #pto.acc_push_epilogue<layout = nz2nd" in run(l2l, "newest").text


@pytest.mark.parametrize("to", ["custom", "generic"])
def test_a_type_alias_names_the_type_it_stands_for(to):
    """`!tv = !pto.tensor_view<...>`: an op's type written as the alias is that type (ptoas takes it)."""
    text = ('!tv = !pto.tensor_view<16x16xf32>\n'
            '%e = "pto.talloc_to_aiv"() <{id = 0 : i32, split = 0 : i8}> : () -> !tv\n'
            '"pto.tpush_to_aiv"(%e) <{id = 0 : i32, split = 0 : i8}> : (!tv) -> ()\n')
    out = run(text, "v0.45", to).text
    assert out.startswith("!tv = !pto.tensor_view<16x16xf32>\n")
    if to == "custom":
        assert "%e = pto.talloc_to_aiv {id = 0, split = 0} -> !tv\n" in out
        assert "pto.tpush_to_aiv(%e : !tv) {id = 0, split = 0}\n" in out
    assert run(out, "v0.45", to).text == out
    with pytest.raises(PtofixError, match="result must be tensor_view"):
        run(text.replace("!tv = !pto.tensor_view<16x16xf32>", "!tv = !pto.pipe"), "v0.45", to)


@pytest.mark.parametrize("text, message, line", [
    ('!tv = !tw\n!tw = !pto.tensor_view<16x16xf32>\n%e = "pto.talloc_to_aiv"() <{id = 0 : i32, split = 0 : i8}> : () -> !tv\n',
     "the alias '!tv' uses '!tw', which is defined after it", 1),
    ('!tv = !pto.tensor_view<16x16xf32>\n!tv = !pto.pipe\n%e = "pto.talloc_to_aiv"() <{id = 0 : i32, split = 0 : i8}> : () -> !tv\n',
     "redefinition of the alias '!tv'", 2),
    ('module {\n  func.func @"cube\\q"() {\n    return\n  }\n}\n', "unknown escape in the string literal", 2),
])
def test_alias_and_symbol_errors_are_where_mlir_puts_them(text, message, line):
    with pytest.raises(PtofixError) as info:
        run(text, "v0.45")
    assert message in info.value.format() and info.value.format().startswith(f"in.mlir:{line}:")


GM_PIPES = """module {
  func.func @cube_push(%gm_a: memref<256xf32, #pto.address_space<gm>>, %gm_b: memref<256xf32, #pto.address_space<gm>>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %pa = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 1024, slot_num = 8, local_slot_num = 2}(%gm_a : memref<256xf32, #pto.address_space<gm>>) -> !pto.pipe
    %pb = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 1024, slot_num = 8, local_slot_num = 6}(%gm_b : memref<256xf32, #pto.address_space<gm>>) -> !pto.pipe
    return
  }
}
"""


def test_a_merged_sidecar_follows_each_pipe_when_the_inits_are_reordered(tmp_path):
    """A GM-only init is known by its result name, not by the FlagID predicted from its place:
    after the user swaps the two inits of the canonical file, %pa keeps 2 and %pb 6, each with
    the FlagID its new place gets."""
    path = tmp_path / "k.pto"
    path.write_text(GM_PIPES)

    def canonicalize():
        proc = subprocess.run([sys.executable, "-m", "ptofix", "canonicalize", "--target-ptoas", "v0.45", "-i",
                               str(path)], capture_output=True, text=True, cwd=ROOT)
        assert proc.returncode == 0, proc.stderr
        return {e["result"]: (e["flag_base"], e["local_slot_num"])
                for e in json.loads((tmp_path / "k.pto.slots.json").read_text())["pipes"]}

    assert canonicalize() == {"%pa": (0, 2), "%pb": (2, 6)}
    lines = path.read_text().split("\n")
    a, b = (next(i for i, line in enumerate(lines) if f"{name} =" in line) for name in ("%pa", "%pb"))
    lines[a], lines[b] = lines[b], lines[a]
    path.write_text("\n".join(lines))
    assert canonicalize() == {"%pa": (2, 2), "%pb": (0, 6)}


def test_a_pipeline_canonicalizing_for_two_targets_writes_no_sidecar_for_one(tmp_path):
    src = tmp_path / "k.pto"
    src.write_text(GM_PIPES)
    proc = subprocess.run([sys.executable, "-m", "ptofix", "opt", "-p",
                           "canonicalize{target-ptoas=newest to=generic},canonicalize{target-ptoas=v0.45}",
                           str(src), "-o", str(tmp_path / "out.pto")], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and "canonicalize passes name different targets" in proc.stderr
    assert not (tmp_path / "out.pto").exists()


def test_a_sidecar_from_before_result_names_is_merged_not_doubled(tmp_path):
    path = tmp_path / "k.pto"
    path.write_text(GM_PIPES)
    side = tmp_path / "k.slots.json"
    args = [sys.executable, "-m", "ptofix", "canonicalize", "--target-ptoas", "v0.45", str(path), "-o",
            str(tmp_path / "out.pto"), "--sidecar", str(side)]
    assert subprocess.run(args, capture_output=True, cwd=ROOT).returncode == 0
    data = json.loads(side.read_text())
    for entry in data["pipes"]:
        del entry["result"]           # as an older ptofix wrote it
    side.write_text(json.dumps(data))
    assert subprocess.run(args, capture_output=True, cwd=ROOT).returncode == 0
    assert sorted((e["result"], e["local_slot_num"]) for e in json.loads(side.read_text())["pipes"]) == \
        [("%pa", 2), ("%pb", 6)]


def test_canonicalizing_the_original_again_to_another_file_replaces_its_sidecar(tmp_path):
    # The original still holds every value; one the author removed must not live on in the sidecar.
    path = tmp_path / "k.pto"
    path.write_text(GM_PIPES)
    out, side = tmp_path / "out.pto", tmp_path / "out.pto.slots.json"
    args = [sys.executable, "-m", "ptofix", "canonicalize", "--target-ptoas", "v0.45", str(path), "-o", str(out)]
    assert subprocess.run(args, capture_output=True, cwd=ROOT).returncode == 0
    path.write_text(GM_PIPES.replace(", local_slot_num = 6", ""))
    assert subprocess.run(args, capture_output=True, cwd=ROOT).returncode == 0
    assert [(e["result"], e["local_slot_num"]) for e in json.loads(side.read_text())["pipes"]] == [("%pa", 2)]


FRONTEND_GM = """module {
  func.func @cube_kernel(%gm0 : !pto.ptr<f32>, %gm1 : !pto.ptr<f32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %s0 = pto.make_tensor_view %gm0, shape = [%c16, %c16], strides = [%c16, %c1] : !pto.tensor_view<16x16xf32>
EXTRA
    pto.aic_initialize_pipe {id = 0, dir_mask = 1, slot_size = 1024, local_slot_num = 2}(gm_slot_tensor = %s0 : !pto.tensor_view<16x16xf32>)
    pto.aic_initialize_pipe {id = 1, dir_mask = 1, slot_size = 1024, local_slot_num = 4}(gm_slot_tensor = %s0 : !pto.tensor_view<16x16xf32>)
    func.return
  }
}
"""


def _canonicalize_in_place(path) -> dict:
    proc = subprocess.run([sys.executable, "-m", "ptofix", "canonicalize", "--target-ptoas", "v0.45", "-i", str(path)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return {e["id"]: (e["flag_base"], e["local_slot_num"])
            for e in json.loads(open(str(path) + ".slots.json").read())["pipes"]}


def test_a_frontend_init_inserted_before_the_others_moves_their_flag_ids_not_their_intents(tmp_path):
    path = tmp_path / "k.pto"
    path.write_text(FRONTEND_GM.replace("EXTRA\n", ""))
    assert _canonicalize_in_place(path) == {0: (0, 2), 1: (2, 4)}
    text = path.read_text()
    first = text.index("    pto.aic_initialize_pipe")
    path.write_text(text[:first] + "    pto.aic_initialize_pipe {id = 2, dir_mask = 1, slot_size = 1024}"
                    "(gm_slot_tensor = %s0 : !pto.tensor_view<16x16xf32>)\n" + text[first:])
    # v0.45 allocates in creation order: id 2 takes FlagID 0, id 0 takes 2, id 1 takes 4.
    assert _canonicalize_in_place(path) == {0: (2, 2), 1: (4, 4)}


def test_a_sidecar_of_another_module_is_not_merged(tmp_path):
    a, b, shared = tmp_path / "A.pto", tmp_path / "B.pto", tmp_path / "shared.json"
    a.write_text(FRONTEND_GM.replace("EXTRA\n", ""))
    b.write_text(FRONTEND_GM.replace("EXTRA\n", "").replace(", local_slot_num = 2", ""))
    for path, rc in ((a, 0), (b, 2)):
        proc = subprocess.run([sys.executable, "-m", "ptofix", "canonicalize", "--target-ptoas", "v0.45", str(path),
                               "-o", str(path) + ".out", "--sidecar", str(shared)], capture_output=True, text=True,
                              cwd=ROOT)
        assert proc.returncode == rc, proc.stderr
    assert "it belongs to" in proc.stderr and json.loads(shared.read_text())["source"].endswith("A.pto")


def test_an_escaped_generic_op_name_is_the_op_mlir_reads():
    text = ('%p = "pto.initialize\\5fl2g2l_pipe"(%gm) <{dir_mask = 1 : i64, operandSegmentSizes = array<i32: 1, 0, 0>, '
            'slot_num = 8 : i64, slot_size = 1024 : i64}> : (memref<256xf32, #pto.address_space<gm>>) -> !pto.pipe\n')
    assert run(text, "v0.45").text == ("%p = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 1024, slot_num = 8}"
                                       "(%gm : memref<256xf32, #pto.address_space<gm>>) -> !pto.pipe\n")
    with pytest.raises(PtofixError, match="unknown escape in the string literal"):
        run(text.replace("\\5f", "\\q"), "v0.45")


def test_regenerated_ir_with_values_of_its_own_is_not_merged_with_an_old_sidecar(tmp_path):
    """The printer renumbered the pipes: %pa is now a pipe with no value, and the input carries a
    value of its own. Keeping the old %pa entry would give the new %pa the old one's value."""
    path = tmp_path / "k.pto"
    path.write_text(GM_PIPES)
    assert _canonicalize_in_place(path) is not None
    regenerated = GM_PIPES.replace(", local_slot_num = 2", "")
    path.write_text(regenerated)
    proc = subprocess.run([sys.executable, "-m", "ptofix", "canonicalize", "--target-ptoas", "v0.45", "-i", str(path)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and "carries local_slot_num of its own" in proc.stderr
    assert path.read_text() == regenerated


@pytest.mark.parametrize("text, column", [
    ('func.func @k() attributes {"pto.kern\\q" = 1} {\n  return\n}\n', 28),
    ('%r = pto.reserve_buffer {name = "x\\q", size = 8192, location = #pto.address_space<vec>, auto = true} -> i32\n', 33),
])
def test_an_escape_mlir_does_not_read_is_an_error_where_it_is_written(text, column):
    with pytest.raises(PtofixError, match="unknown escape in the string literal") as info:
        run(text, "v0.45")
    assert info.value.format().startswith(f"in.mlir:1:{column}:")


def test_an_arch_given_by_an_attribute_alias_is_read():
    from ptofix.ir.parser import parse_ir_text
    module = parse_ir_text('#arch = "a5"\nmodule attributes {pto.target_arch = #arch} {\n}\n')
    assert module.declared_target_arch() == "a5" and module.target_arch() == "a5"
    with pytest.raises(PtofixError, match="names no arch string"):
        parse_ir_text('#arch = 5\nmodule attributes {pto.target_arch = #arch} {\n}\n').declared_target_arch()


def test_canonical_input_brings_the_values_its_own_sidecar_holds(tmp_path):
    # canonicalize -o moved %pa's and %pb's values to out.pto.slots.json; canonicalizing out.pto to
    # another file (or building it) must carry them along, not write an empty sidecar.
    src, out, again = tmp_path / "k.pto", tmp_path / "out.pto", tmp_path / "again.pto"
    src.write_text(GM_PIPES)
    base = [sys.executable, "-m", "ptofix", "canonicalize", "--target-ptoas", "v0.45"]
    assert subprocess.run(base + [str(src), "-o", str(out)], capture_output=True, cwd=ROOT).returncode == 0
    assert subprocess.run(base + ["--to", "generic", str(out), "-o", str(again)], capture_output=True,
                          cwd=str(tmp_path)).returncode == 0
    values = sorted((e["result"], e["local_slot_num"])
                    for e in json.loads((tmp_path / "again.pto.slots.json").read_text())["pipes"])
    assert values == [("%pa", 2), ("%pb", 6)]
    # The same command from another directory, with relative paths, is the same run.
    sub = tmp_path / "sub"
    sub.mkdir()
    assert subprocess.run(base + ["../k.pto", "-o", "../out.pto"], capture_output=True, cwd=str(sub)).returncode == 0


def test_a_wide_attribute_on_an_op_ptofix_does_not_know_is_warned_where_it_is():
    text = ('"builtin.module"() ({\n  "func.func"() <{function_type = () -> (), sym_name = "k"}> ({\n'
            '    "pto.get_buf"() <{buf_id = 0 : i64, mode = 0 : i32}> {pto.fusion.group_id = 1 : i64} : () -> ()\n'
            '    "pto.rls_buf"() <{buf_id = 0 : i32, mode = 0 : i32}> {pto.fusion.group_id = 1 : i64} : () -> ()\n'
            '    "func.return"() : () -> ()\n  }) : () -> ()\n}) : () -> ()\n')
    out = run(text, "v0.45")
    assert out.text == text                      # kept as written: ptofix has no spec for these ops
    # Only the inherent 64-bit attribute; the dotted discardable one is what ptoas keeps.
    assert [w.split(": warning: ")[0] for w in out.warnings] == ["in.mlir:3:23"]
    assert "'buf_id = 0 : i64' is kept as written" in out.warnings[0]


def test_an_unknown_key_beside_a_properties_dictionary_is_kept_as_discardable():
    # MLIR keeps inherent attributes in `<{...}>`: what stands in the trailing `{...}` beside it is
    # discardable, and ptoas ignores it. (Without `<{...}>` an unknown key may be a newer
    # version's attribute: still an error, see above.)
    text = '"pto.tpush_to_aiv"(%t) <{split = 0 : i8}> {note = "keep"} : (!pto.tile_buf<acc, 16x16xf32>) -> ()\n'
    out = run(text, "v0.45").text
    assert '{note = "keep"}' in out and '"pto.tpush_to_aiv"' not in out
    assert run(out, "v0.45").text == out


# ---- several files, the target from $PTOAS --version, versions ptofix does not list ----------------
_STANDIN_PTOAS = os.path.join(ROOT, "tests", "standins", "ptoas_standin.py")
_FA_MLIR = os.path.join(ROOT, "kernels", "flash_attention", "fa.mlir")


def _canonicalize(*argv, cwd, env=None):
    return subprocess.run([sys.executable, "-m", "ptofix", "canonicalize", *argv], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, **(env or {})})


@pytest.mark.slow   # (2 s of CPU or more, measured: CI's full tier runs it)
def test_canonicalize_takes_several_files_as_one_run_each(tmp_path):
    for name in ("a.mlir", "b.mlir"):
        (tmp_path / name).write_text(open(_FA_MLIR).read())
    (tmp_path / "out").mkdir()
    several = _canonicalize("--target-ptoas", "v0.45", "a.mlir", "b.mlir", "-o", "out", cwd=tmp_path)
    assert several.returncode == 0, several.stderr
    alone = _canonicalize("--target-ptoas", "v0.45", "a.mlir", cwd=tmp_path)
    assert (tmp_path / "out" / "a.mlir").read_text() == alone.stdout
    assert (tmp_path / "out" / "b.mlir").read_text() == alone.stdout
    assert (tmp_path / "out" / "a.mlir.slots.json").is_file() and (tmp_path / "out" / "b.mlir.slots.json").is_file()
    check = _canonicalize("--target-ptoas", "v0.45", "--check", "--report", "json", "a.mlir", "b.mlir", cwd=tmp_path)
    assert check.returncode == 1
    document = json.loads(check.stdout)                  # (stdout is free beside --check)
    assert document["version"] == 2 and [item["file"] for item in document["files"]] == ["a.mlir", "b.mlir"]
    refused = _canonicalize("--target-ptoas", "v0.45", "a.mlir", "b.mlir", cwd=tmp_path)
    assert refused.returncode == 2 and "several input files need" in refused.stderr
    sidecar = _canonicalize("--target-ptoas", "v0.45", "-o", "out", "--sidecar", "s.json", "a.mlir", "b.mlir",
                            cwd=tmp_path)
    assert sidecar.returncode == 2 and "--sidecar names one file" in sidecar.stderr


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
def test_canonicalize_reads_the_target_from_ptoas_version_as_build_does(tmp_path):
    (tmp_path / "a.mlir").write_text(open(_FA_MLIR).read())
    outputs = set()
    for version in ("v0.36", "v0.31"):         # (fa.mlir's local_slot_num is newer than v0.31: an error)
        stated = _canonicalize("--target-ptoas", version, "a.mlir", cwd=tmp_path)
        inferred = _canonicalize("a.mlir", cwd=tmp_path,
                                 env={"PTOAS": _STANDIN_PTOAS, "PTOAS_STANDIN_VERSION": f"ptoas {version[1:]}"})
        assert (inferred.returncode, inferred.stdout) == (stated.returncode, stated.stdout)
        assert f"note: target ptoas {version} (from " in inferred.stderr
        outputs.add((inferred.returncode, inferred.stdout))
    assert len(outputs) == 2                    # the version read decides the output
    mute = _canonicalize("a.mlir", cwd=tmp_path, env={"PTOAS": _STANDIN_PTOAS, "PTOAS_STANDIN_VERSION": ""})
    assert mute.returncode == 2 and "pass --target-ptoas VERSION" in mute.stderr and mute.stdout == ""
    env = {k: v for k, v in os.environ.items() if k != "PTOAS"}
    env["PATH"] = str(tmp_path)                 # no ptoas anywhere
    none = subprocess.run([sys.executable, "-m", "ptofix", "canonicalize", "a.mlir"], capture_output=True, text=True,
                          cwd=tmp_path, env=env)
    assert none.returncode == 2 and "pass --target-ptoas VERSION, or set PTOAS" in none.stderr


@pytest.mark.parametrize("command", [["canonicalize", "--check"], ["opt", "-p", "canonicalize{target-ptoas=v0.99}",
                                                                    "--check"]])
def test_a_version_ptofix_does_not_list_is_a_note_naming_the_one_used(tmp_path, command):
    (tmp_path / "a.mlir").write_text(open(_FA_MLIR).read())
    extra = ["--target-ptoas", "v0.99"] if command[0] == "canonicalize" else []
    proc = subprocess.run([sys.executable, "-m", "ptofix", *command, *extra, "a.mlir"], capture_output=True,
                          text=True, cwd=tmp_path)
    assert proc.returncode == 1
    assert "note: ptoas version 'v0.99' is not one ptofix knows: treated as newest (the newest ptofix knows)" \
        in proc.stderr
    known = subprocess.run([sys.executable, "-m", "ptofix", "canonicalize", "--check", "--target-ptoas", "v0.60",
                            "a.mlir"], capture_output=True, text=True, cwd=tmp_path)
    assert "note:" not in known.stderr


def test_run_notes_a_target_version_it_does_not_list():
    proc = subprocess.run([sys.executable, "-m", "ptofix", "run", "--target-ptoas", "v0.40", "--check",
                           os.path.join(ROOT, "kernels", "flash_attention", "fa.cpp")], capture_output=True, text=True)
    assert proc.returncode == 0 and "'v0.40' is not one ptofix knows: treated as v0.36" in proc.stderr
