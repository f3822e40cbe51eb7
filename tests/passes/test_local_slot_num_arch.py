"""LocalSlotNum's FlagID model assumes an arch: it must be the C++'s (A2/A3 or A5, GM-staged pipes of
both directions), else the run refuses.
"""
from __future__ import annotations

import json
import os
import re

import pytest
from test_local_slot_num import ROOT, inventory, kernel, run

from ptofix.source import PtofixError, SourceText

# ---- the arch the FlagID model assumes must be the C++'s ------------------------------------------
A5_KERNEL = kernel("  auto v5 = TPipe<2, Direction::DIR_V2C_GM, 1024, 8, 8, true>(v1, v2, v2);\n"
                   "  auto v6 = TPipe<0, Direction::DIR_V2C, 1024, 8, 2, true>(v2, v2);\n", name="vk")
A5_IR = """module {
  func.func @vk(%gm: memref<256xf32, #pto.address_space<gm>>) attributes {pto.kernel_kind = #pto.kernel_kind<vector>} {
    %p = "pto.initialize_l2g2l_pipe"(%gm) <{dir_mask = 2 : i8, local_slot_num = 4 : i32, operandSegmentSizes = array<i32: 1, 0, 0>, slot_num = 8 : i32, slot_size = 1024 : i32}> : (memref<256xf32, #pto.address_space<gm>>) -> !pto.pipe
    return
  }
}
"""


@pytest.mark.parametrize("arch, refused", [("", True), ('attributes {pto.target_arch = "a5"} ', False)])
def test_ir_intents_for_another_arch_than_the_cpp_are_refused(tmp_path, arch, refused):
    """A DIR_*_GM pipe is A5 C++: ptoas allocates an A5 module's l2l pipes first, so an IR read as
    a3 would predict the FlagIDs of another arch (and give the l2l pipe the GM pipe's intent)."""
    ir = tmp_path / "k.pto"
    ir.write_text(A5_IR.replace("module {", f"module {arch}{{", 1))
    if refused:
        with pytest.raises(PtofixError, match=r"holds the A5 pipe 'v5' \(DIR_V2C_GM\) but the PTO IR .* is for a3"):
            run(A5_KERNEL, ir=str(ir), target_ptoas="v0.45")
    else:
        text, _, _ = run(A5_KERNEL, ir=str(ir), target_ptoas="v0.45")
        assert "TPipe<2, Direction::DIR_V2C_GM, 1024, 8, 4, true>" in text
        assert "TPipe<0, Direction::DIR_V2C, 1024, 8, 2, true>" in text


@pytest.mark.parametrize("arch, refused", [(None, True), ("a3", True), ("a5", False)])
def test_sidecar_predictions_for_another_arch_than_the_cpp_are_refused(tmp_path, arch, refused):
    entry = {"func": "vk", "kernel_kind": "vector", "op": "pto.initialize_l2g2l_pipe", "id": None, "flag_base": 2,
             "flag_base_explicit": False, "dir_mask": 2, "slot_size": 1024, "slot_num": 8, "local_slot_num": 4,
             "line": 3, "reason": "GM-only"}
    sidecar = {"version": 1, "source": "k.pto", "target_ptoas": "v0.45", "pipes": [entry]}
    if arch is not None:
        sidecar["arch"] = arch
    path = tmp_path / "k.slots.json"
    path.write_text(json.dumps(sidecar))
    if refused:
        with pytest.raises(PtofixError, match="holds the A5 pipe 'v5'"):
            run(A5_KERNEL, sidecar=str(path))
    else:
        text, _, _ = run(A5_KERNEL, sidecar=str(path))
        assert "TPipe<2, Direction::DIR_V2C_GM, 1024, 8, 4, true>" in text


@pytest.mark.parametrize("expected_gm, cpp, refused", [
    ({"vk": 1}, A5_KERNEL, False),
    ({"vk": 2}, A5_KERNEL, True),             # one GM-staged pipe of the IR is missing: other IR or arch
    ({"vk": 0}, kernel("  auto v3 = TPipe<0, Direction::DIR_BOTH, 1024, 4, 4, false>(v1, v2, v2);\n", name="vk"),
     False),                                  # DIR_BOTH has no _GM variant on A5
    ({"vk": 1}, kernel("  auto v5 = TPipe<2, Direction::DIR_V2C, 1024, 8, 8, true>(v1, v2, v2);\n", name="vk"),
     True),                                   # an A5 IR's GM-staged pipe printed as a3's
])
def test_an_a5_model_needs_each_functions_gm_staged_pipes_in_the_cpp(expected_gm, cpp, refused):
    from passes.local_slot_num import check_cpp_arch
    inv = inventory(cpp)
    if refused:
        with pytest.raises(PtofixError, match="looks compiled for another arch"):
            check_cpp_arch(inv, "a5", expected_gm, "the IR", SourceText(cpp, "t.cpp"))
    else:
        check_cpp_arch(inv, "a5", expected_gm, "the IR", SourceText(cpp, "t.cpp"))


def test_a_flag_id_the_unstated_arch_decides_is_refused():
    """No pto.target_arch and no GM-staged pipe: on A5 the frontend init lowers to l2l and takes
    FlagID 0 before the explicit l2l; on a3 it lowers to l2g2l and comes after it (FlagID 2)."""
    cpp = kernel("  auto v6 = TPipe<0, Direction::DIR_C2V, 1024, 8, 2, true>(v1, v2, v2);\n"
                 "  auto v7 = TPipe<2, Direction::DIR_C2V, 1024, 8, 2, false>(v1, v2, v2);\n", name="cube_kernel")
    ir = os.path.join(ROOT, "tests", "fixtures", "ir", "frontend_and_l2l_no_arch.pto")
    with pytest.raises(PtofixError, match="FlagID is 2 if the C\\+\\+ was compiled for a3 and 0 for a5"):
        run(cpp, ir=ir, target_ptoas="v0.45")



def test_a_sidecar_for_a3_is_refused_on_a5_cpp_even_with_explicit_flags(tmp_path):
    # The a3 sidecar's l2g2l entry reads DIR_V2C; on A5 that pipe prints DIR_V2C_GM (v5), and the
    # plain DIR_V2C pipe v6 is another one: no entry of an a3 sidecar may be matched here.
    entry = {"func": "vk", "kernel_kind": "vector", "op": "pto.initialize_l2g2l_pipe", "id": None, "flag_base": 2,
             "flag_base_explicit": True, "dir_mask": 2, "slot_size": 1024, "slot_num": 8, "local_slot_num": 4,
             "line": 3, "reason": "GM-only"}
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"version": 1, "target_ptoas": "v0.45", "arch": "a3", "pipes": [entry]}))
    with pytest.raises(PtofixError, match="holds the A5 pipe 'v5'"):
        run(A5_KERNEL, sidecar=str(path))


def test_a_sidecar_of_another_module_is_said_and_a_version_must_be_the_integer_one(tmp_path):
    entry = {"func": "other", "op": "pto.initialize_l2g2l_pipe", "flag_base": 0, "flag_base_explicit": True,
             "dir_mask": 2, "slot_size": 1024, "slot_num": 8, "local_slot_num": 4, "line": 3}
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"version": 1, "arch": "a5", "pipes": [entry]}))
    text, _, warnings = run(A5_KERNEL, sidecar=str(path))
    assert text == A5_KERNEL and any("none of which is a function of this file" in w for w in warnings)
    path.write_text(json.dumps({"version": True, "pipes": [entry]}))
    with pytest.raises(PtofixError, match="not a sidecar"):
        run(A5_KERNEL, sidecar=str(path))


def test_a_command_line_value_that_overrides_an_ir_value_is_said(tmp_path):
    ir = tmp_path / "k.pto"
    ir.write_text(A5_IR.replace("module {", 'module attributes {pto.target_arch = "a5"} {', 1))
    text, _, warnings = run(A5_KERNEL, ir=str(ir), target_ptoas="v0.45", map="2=3")
    assert "TPipe<2, Direction::DIR_V2C_GM, 1024, 8, 3, true>" in text
    assert any("local-slot-num 3 for 'v5' overrides local_slot_num = 4 from the ir" in w for w in warnings)


def test_a_sidecar_of_ir_with_another_number_of_pipe_inits_is_refused(tmp_path):
    # ptoas declares one TPipe per pipe init: a sidecar whose IR had 3 inits in 'vk' is not this
    # C++'s (the IR was edited since), and its FlagIDs would not hold.
    entry = {"func": "vk", "op": "pto.initialize_l2g2l_pipe", "flag_base": 2, "flag_base_explicit": True,
             "dir_mask": 2, "slot_size": 1024, "slot_num": 8, "local_slot_num": 4, "line": 3}
    path = tmp_path / "s.json"
    for counts, refused in (({"vk": 3}, True), ({"vk": 2}, False), ({"other": 7}, False)):
        path.write_text(json.dumps({"version": 1, "arch": "a5", "gm_pipes": {"vk": 1}, "init_counts": counts,
                                    "pipes": [entry]}))
        if refused:
            with pytest.raises(PtofixError, match="written for IR with 3 pipe init"):
                run(A5_KERNEL, sidecar=str(path))
        else:
            assert "DIR_V2C_GM, 1024, 8, 4, true" in run(A5_KERNEL, sidecar=str(path))[0]


def test_a_dir_mask_no_direction_has_is_refused_before_the_arch_is_read(tmp_path):
    """With no pto.target_arch the pass compares the a3 and A5 FlagIDs of the inits, which needs
    each init's direction: a dir_mask of none (4) is the input's error, not an internal one."""
    ir = tmp_path / "k.pto"
    ir.write_text("module {\n  func.func @k(%arg0: !pto.tensor_view<16x16xf32>) {\n"
                  "    pto.aic_initialize_pipe{id = 0, dir_mask = 4, slot_size = 1024, slot_num = 8, "
                  "local_slot_num = 4} (gm_slot_tensor = %arg0 : !pto.tensor_view<16x16xf32>)\n"
                  "    return\n  }\n}\n")
    text = kernel("  auto v3 = TPipe<0, Direction::DIR_C2V, 1024, 8, 8, false>(v1, v2, v2);\n")
    with pytest.raises(PtofixError, match=r"has dir_mask 4: only 1 \(C2V\), 2 \(V2C\) and 3 \(both\)") as caught:
        run(text, ir=str(ir))
    assert "k.pto:3:5: error:" in caught.value.format()


A5_LOCAL_ONLY_IR = """module attributes {pto.target_arch = "a5"} {
  func.func @k(%gm: !pto.ptr<f32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %c0_i32 = arith.constant 0 : i32
    %c2v0 = pto.import_reserved_buffer {name = "c2v_fifo0", peer_func = @vk} -> i32
    pto.aic_initialize_pipe {id = 0, dir_mask = 1, slot_size = 1024, local_slot_num = 4}
      (gm_slot_buffer = %gm : !pto.ptr<f32>, c2v_consumer_buf = %c2v0 : i32, v2c_consumer_buf = %c0_i32 : i32)
    return
  }
}
"""
# An A5 kernel with the IR's one local pipe and a DIR_C2V_GM pipe the IR does not have.
A5_EXTRA_GM_PIPE = kernel("  auto v3 = TPipe<0, Direction::DIR_C2V, 1024, 8, 2, false>(v1, v2, v2);\n"
                          "  auto v4 = TPipe<2, Direction::DIR_C2V_GM, 512, 8, 8, false>(v1, v2, v2);\n")


def test_an_a5_function_whose_inits_are_all_local_may_hold_no_gm_pipe(tmp_path):
    """On A5 each function holds as many DIR_*_GM pipes as its GM-staged inits, none included."""
    ir = tmp_path / "k.pto"
    ir.write_text(A5_LOCAL_ONLY_IR)
    with pytest.raises(PtofixError, match=r"gives 'k' 0 DIR_\*_GM pipe\(s\), but t.cpp has 1 there"):
        run(A5_EXTRA_GM_PIPE, ir=str(ir))
    text, _, _ = run(A5_EXTRA_GM_PIPE.replace("  auto v4 = TPipe<2, Direction::DIR_C2V_GM, 512, 8, 8, false>"
                                              "(v1, v2, v2);\n", ""), ir=str(ir))
    assert "TPipe<0, Direction::DIR_C2V, 1024, 8, 4, false>" in text
    # A sidecar of that IR (one without the counts of newer sidecars) likewise.
    entry = {"func": "k", "kernel_kind": "cube", "op": "pto.aic_initialize_pipe", "id": 0, "flag_base": 0,
             "flag_base_explicit": False, "dir_mask": 1, "slot_size": 1024, "slot_num": 8, "local_slot_num": 4,
             "line": 5, "reason": "frontend"}
    sidecar = tmp_path / "k.slots.json"
    sidecar.write_text(json.dumps({"version": 1, "source": "k.pto", "target_ptoas": "v0.45", "arch": "a5",
                                   "pipes": [entry]}))
    with pytest.raises(PtofixError, match=r"gives 'k' 0 DIR_\*_GM pipe\(s\), but t.cpp has 1 there"):
        run(A5_EXTRA_GM_PIPE, sidecar=str(sidecar))


def test_raising_the_ring_a_tile_form_pop_uses_warns_whatever_the_init_says():
    """The Tile-form TPOP's own TPipe type gives its ring: init 4, TPOP 2, set to 4 raises it."""
    text = kernel(
        "  auto v3 = TPipe<0, Direction::DIR_C2V, 1024, 8, 4, false>(v1, v2, v2);\n"
        "  TPOP<TPipe<0, Direction::DIR_C2V, 1024, 8, 2, false>, Tile<TileType::Vec, float, 8, 16>, "
        "TileSplitAxis::TILE_UP_DOWN>(v3, v2);\n")
    out, _, warnings = run(text, map="4")
    assert out.count(", 8, 4, false>") == 2
    assert any("raising LocalSlotNum of pipe 'v3' from 2 to 4" in w for w in warnings), warnings


def test_an_ir_value_wins_over_a_sidecar_value_and_says_so(tmp_path):
    """Intent order: command line, then the PTO IR, then a sidecar. Where the IR and the sidecar
    disagree about a pipe, the IR's value is written and the sidecar's is said to be overridden."""
    ir = tmp_path / "k.pto"
    ir.write_text("module {\n  func.func @k(%arg0: !pto.tensor_view<16x16xf32>) {\n"
                  "    pto.aic_initialize_pipe{id = 0, dir_mask = 1, slot_size = 1024, slot_num = 8, "
                  "local_slot_num = 4} (gm_slot_tensor = %arg0 : !pto.tensor_view<16x16xf32>)\n"
                  "    return\n  }\n}\n")
    entry = {"func": "k", "kernel_kind": "cube", "op": "pto.aic_initialize_pipe", "id": 0, "flag_base": 0,
             "flag_base_explicit": True, "dir_mask": 1, "slot_size": 1024, "slot_num": 8, "local_slot_num": 2,
             "line": 3}
    sidecar = tmp_path / "k.slots.json"
    sidecar.write_text(json.dumps({"version": 1, "target_ptoas": "v0.45", "pipes": [entry]}))
    text = kernel("  auto v3 = TPipe<0, Direction::DIR_C2V, 1024, 8, 8, false>(v1, v2, v2);\n")
    out, _, warnings = run(text, ir=str(ir), sidecar=str(sidecar))
    assert "TPipe<0, Direction::DIR_C2V, 1024, 8, 4, false>" in out
    assert any(re.search(r"t\.cpp:3:3: warning: local_slot_num = 4 for 'v3' from the PTO IR \(.*k\.pto:3.*\) "
                         r"overrides local_slot_num = 2 from the sidecar", w) for w in warnings), warnings
    sidecar.write_text(json.dumps({"version": 1, "target_ptoas": "v0.45", "pipes": [{**entry, "local_slot_num": 4}]}))
    _, _, warnings = run(text, ir=str(ir), sidecar=str(sidecar))
    assert not any("overrides" in w for w in warnings), warnings
