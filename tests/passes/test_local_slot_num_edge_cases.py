"""LocalSlotNum's edge cases, each pinning a decision no other test exercised (found by mutation testing):
sidecar values against the IR's, pipe objects the pass must refuse to rewrite, flag bases and maps, short
forms and argument orders.
"""
from __future__ import annotations

import argparse
import json
import os

import pytest
from test_local_slot_num import INPUTS, kernel, pass_of, run

from ptofix.commands.arguments import add_local_slot_arguments
from ptofix.source import PtofixError


# ---- regression tests from mutation testing (each pins a decision no other test exercised) ---------
def cube(body: str, params: str = "__gm__ float* v1") -> str:
    """A cube_kernel (the function name the IR and sidecar inputs below use) holding ``body``."""
    return f"AICORE void cube_kernel({params}) {{\n  int32_t v4 = 0;\n{body}  return;\n}}\n"


C2V_1024 = "TPipe<0, Direction::DIR_C2V, 1024, 8, 8, false>"
ONE_C2V = cube(f"  auto v5 = {C2V_1024}(v1, v4, v4);\n")
GTX = "GlobalTensor<float, pto::Shape<1, 1, 1, 16, 16>, pto::Stride<256, 256, 256, 16, 1>, pto::Layout::ND>"


def _write(tmp_path, name: str, content) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return str(path)


def _entry(**fields) -> dict:
    """A sidecar entry of a cube_kernel C2V frontend init (1024 bytes, 8 slots), fields overridden."""
    entry = {"func": "cube_kernel", "kernel_kind": "cube", "op": "pto.aic_initialize_pipe", "id": 0, "flag_base": 0,
             "flag_base_explicit": True, "dir_mask": 1, "slot_size": 1024, "slot_num": 8, "local_slot_num": 2,
             "line": 3}
    entry.update(fields)
    return entry


def _sidecar(*entries, **top) -> dict:
    return {"version": 1, "target_ptoas": "v0.45", **top, "pipes": list(entries)}


def test_the_ir_value_wins_over_the_sidecar_value(tmp_path):
    """Intent per pipe, first match wins: map > ir > sidecar > default. The IR says 4, the sidecar 2."""
    ir = _write(tmp_path, "k.pto", """module {
  func.func @cube_kernel(%arg0: !pto.tensor_view<16x16xf32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    pto.aic_initialize_pipe{id = 0, dir_mask = 1, slot_size = 1024, slot_num = 8, local_slot_num = 4} (gm_slot_tensor = %arg0 : !pto.tensor_view<16x16xf32>)
    return
  }
}
""")
    sidecar = _write(tmp_path, "k.slots.json", _sidecar(_entry(local_slot_num=2)))
    text, report, _ = run(ONE_C2V, ir=ir, sidecar=sidecar)
    assert text == ONE_C2V.replace(C2V_1024, "TPipe<0, Direction::DIR_C2V, 1024, 8, 4, false>")
    assert report["pipes"][0]["intent"]["source"] == "ir"


def test_an_order_only_run_is_refused_when_a_tpipe_type_is_not_tied_to_a_pipe():
    """--tpipe-order rewrites pipes too: an in-function alias of an old-order type would stay old (its
    `false` read as LocalSlotNum 0 under a new-order header), so the run is refused at the alias."""
    text = kernel("  using P2 = TPipe<2, Direction::DIR_V2C, 512, 8, false, 8>;\n"
                  "  auto v5 = TPipe<0, Direction::DIR_C2V, 1024, 8, true, 8>(v1, v2, v2);\n")
    with pytest.raises(PtofixError, match="cannot change LocalSlotNum consistently: TPipe type is not a pipe "
                                          "object") as caught:
        run(text, tpipe_order="new")
    assert caught.value.format().startswith("t.cpp:3:14: error:")


def test_unit_flag_looks_at_every_occurrence_not_only_the_init():
    """The init has EN_UNIT_FLAG = true, its TPUSH (the only op it affects) not: --unit-flag 0 must not
    leave the TPUSH false; the occurrences disagree beyond LocalSlotNum, so it is refused there."""
    text = cube(f"  auto v5 = TPipe<0, Direction::DIR_C2V, 1024, 8, 8, false, true>(v1, v4, v4);\n"
                f"  {GTX} v8(nullptr);\n"
                f"  TPUSH<{C2V_1024}, {GTX}, TileSplitAxis::TILE_NO_SPLIT>(v5, v8);\n")
    with pytest.raises(PtofixError, match=r"cannot rewrite pipe 'v5': TPUSH type 'TPipe<0, Direction::DIR_C2V, "
                                          r"1024, 8, 8, false>' differs from the type of pipe 'v5'") as caught:
        run(text, unit_flag="0")
    assert caught.value.format().startswith("t.cpp:5:9: error:")


def test_a_pipe_object_redeclared_in_an_inner_block_is_refused():
    """The TPUSH after the block names the outer v5; the inventory links it by name, so it cannot
    tell which v5 it is: refused at the second declaration instead of editing the init alone."""
    text = cube(f"  auto v5 = {C2V_1024}(v1, v4, v4);\n  {GTX} v8(nullptr);\n"
                "  {\n    auto v5 = TPipe<2, Direction::DIR_C2V, 512, 8, 8, false>(v2, v4, v4);\n  }\n"
                f"  TPUSH<{C2V_1024}, {GTX}, TileSplitAxis::TILE_NO_SPLIT>(v5, v8);\n",
                params="__gm__ float* v1, __gm__ float* v2")
    with pytest.raises(PtofixError, match="cannot rewrite pipe 'v5': pipe object 'v5' declared again in "
                                          "'cube_kernel'") as caught:
        run(text, map="0=4")
    assert caught.value.format().startswith("t.cpp:6:5: error:")


def test_a_use_through_a_reference_with_an_unwritten_type_is_refused():
    """`TPUSH<QkPipe, ...>(q, ...)` with q a reference to v5: the type is not a written-out TPipe<...>
    and would keep the old LocalSlotNum while the init changes."""
    text = cube(f"  auto v5 = {C2V_1024}(v1, v4, v4);\n  auto& q = v5;\n  {GTX} v8(nullptr);\n"
                f"  TPUSH<QkPipe, {GTX}, TileSplitAxis::TILE_NO_SPLIT>(q, v8);\n")
    with pytest.raises(PtofixError, match="cannot rewrite pipe 'v5': TPUSH at t.cpp:6:9 takes 'q' with the type "
                                          "'QkPipe', not a written-out TPipe") as caught:
        run(text, map="0=4")
    assert caught.value.format().startswith("t.cpp:6:9: error:")


TWO_IR_INITS_FLAG0 = """module attributes {pto.target_arch = "a3"} {
  func.func @cube_kernel(%gm: !pto.ptr<f32>, %loc: i32) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %p0 = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 1024, slot_num = 8, local_slot_num = 2, flag_base = 0}(%gm : !pto.ptr<f32>, %loc : i32) -> !pto.pipe
    %p1 = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 1024, slot_num = 8, local_slot_num = 4, flag_base = 0}(%gm : !pto.ptr<f32>, %loc : i32) -> !pto.pipe
    return
  }
}
"""


@pytest.mark.parametrize("given", ["ir", "sidecar"])
def test_two_inits_that_give_one_pipe_different_values_are_refused(tmp_path, given):
    """Two IR inits (or two sidecar entries) matched to v5 by flag_base 0 say 2 and 4: refused, never
    the last one silently."""
    if given == "ir":
        options = {"ir": _write(tmp_path, "k.pto", TWO_IR_INITS_FLAG0)}
        message, where = r"two PTO IR inits give pipe 'v5' different local_slot_num \(2 and 4\)", "k.pto:4:5: error:"
    else:
        options = {"sidecar": _write(tmp_path, "k.slots.json", _sidecar(
            _entry(local_slot_num=2), _entry(id=1, local_slot_num=4, line=4), arch="a3"))}
        message, where = r"two sidecar entries give pipe 'v5' different local_slot_num \(2: .*; 4: ", "t.cpp:3:13: error:"
    with pytest.raises(PtofixError, match=message) as caught:
        run(ONE_C2V, **options)
    assert where in caught.value.format()


def test_a_sidecar_entry_placed_by_flag_base_must_have_the_pipes_slot_size(tmp_path):
    """flag_base 0 names v5, but the entry's slot_size 2048 is not v5's 1024: a sidecar of other IR."""
    sidecar = _write(tmp_path, "k.slots.json", _sidecar(
        _entry(op="pto.initialize_l2g2l_pipe", id=None, slot_size=2048), arch="a3"))
    with pytest.raises(PtofixError, match=r"pipe #0 \(cube_kernel, IR line 3\): no TPipe in 'cube_kernel' matches it "
                                          r"by flag_base 0 \(dir_mask 1, slot_size 2048, slot_num 8\)"):
        run(ONE_C2V, sidecar=sidecar)
    assert "1024, 8, 2, false>" in run(ONE_C2V, sidecar=_write(tmp_path, "ok.slots.json", _sidecar(
        _entry(op="pto.initialize_l2g2l_pipe", id=None), arch="a3")))[0]


def test_a_sidecar_integer_too_long_to_read_is_located(tmp_path):
    """(Before: "k.slots.json: error: sidecar is not usable JSON: Exceeds the limit (4300 digits) for
    integer string conversion ...; use sys.set_int_max_str_digits() to increase the limit", no
    line: Python's advice, not the file's place.)"""
    import sys
    text = json.dumps(_sidecar(_entry(local_slot_num=2), arch="a3"), indent=1)
    digits = "9" * (sys.get_int_max_str_digits() + 1)
    sidecar = _write(tmp_path, "k.slots.json", text.replace('"local_slot_num": 2', f'"local_slot_num": {digits}'))
    with pytest.raises(PtofixError) as caught:
        run(ONE_C2V, sidecar=sidecar)
    line = text.splitlines().index(next(ln for ln in text.splitlines() if '"local_slot_num"' in ln)) + 1
    column = text.splitlines()[line - 1].index('"local_slot_num"') + len('"local_slot_num": ') + 1
    assert caught.value.format().splitlines()[0] == (
        f"{sidecar}:{line}:{column}: error: sidecar is not usable JSON: an integer of more than "
        f"{sys.get_int_max_str_digits()} digits, more than ptofix reads")


A5_ONE_LOCAL_ONE_GM_IR = """module attributes {pto.target_arch = "a5"} {
  func.func @cube_kernel(%gm: !pto.ptr<f32>, %gm2: !pto.tensor_view<16x16xf32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %c0_i32 = arith.constant 0 : i32
    %c2v0 = pto.import_reserved_buffer {name = "c2v_fifo0", peer_func = @vector_kernel} -> i32
    pto.aic_initialize_pipe {id = 0, dir_mask = 1, slot_size = 1024, local_slot_num = 4}
      (gm_slot_buffer = %gm : !pto.ptr<f32>, c2v_consumer_buf = %c2v0 : i32, v2c_consumer_buf = %c0_i32 : i32)
    %p = "pto.initialize_l2g2l_pipe"(%gm2) <{dir_mask = 2 : i8, slot_size = 512 : i32, slot_num = 8 : i32, flag_base = 2 : i32, operandSegmentSizes = array<i32: 1, 0, 0>}> : (!pto.tensor_view<16x16xf32>) -> !pto.pipe
    return
  }
}
"""


def test_an_a5_function_with_more_gm_pipes_than_the_ir_is_refused(tmp_path):
    """The A5 IR has one GM-staged init in cube_kernel; the C++ has two DIR_*_GM pipes: other IR or
    arch. Exactly that many, not at least that many."""
    ir = _write(tmp_path, "k.pto", A5_ONE_LOCAL_ONE_GM_IR)
    body = (f"  auto v5 = {C2V_1024}(v1, v4, v4);\n"
            "  auto v6 = TPipe<2, Direction::DIR_V2C_GM, 512, 8, 8, false>(v1, v4, v4);\n")
    extra = "  auto v7 = TPipe<4, Direction::DIR_C2V_GM, 512, 8, 8, false>(v1, v4, v4);\n"
    with pytest.raises(PtofixError, match=r"is for A5 and gives 'cube_kernel' 1 DIR_\*_GM pipe\(s\), but t.cpp has 2 "
                                          "there") as caught:
        run(cube(body + extra), ir=ir)
    assert caught.value.format().startswith("t.cpp:3:3: error:")
    assert "TPipe<0, Direction::DIR_C2V, 1024, 8, 4, false>" in run(cube(body), ir=ir)[0]


def test_a_define_naming_only_a_pipe_op_blocks_every_rewrite():
    """A macro that expands to a TPUSH (with a pipe type from elsewhere) is not inventoried: it may
    use a pipe the run changes, even though it names no TPipe."""
    text = ("#define PUSH_QK(pipe, entry) TPUSH<QkPipe, QkEntry, TileSplitAxis::TILE_NO_SPLIT>(pipe, entry)\n"
            + ONE_C2V)
    with pytest.raises(PtofixError, match=r"cannot change LocalSlotNum consistently: a #define names TPipe or "
                                          "TALLOC/TPUSH/TPOP/TFREE") as caught:
        run(text, map="4")
    assert caught.value.format().startswith("t.cpp:1:1: error:")


def test_peer_inits_with_conflicting_explicit_flag_bases_are_refused(tmp_path):
    """The cube and vector inits of one pipe (joined by the buffer c2v_fifo0) say flag_base 0 and 2:
    ptoas v0.45 rejects that IR, so ptofix does not predict FlagIDs from it."""
    ir = _write(tmp_path, "k.pto", """module attributes {pto.target_arch = "a3"} {
  func.func @cube_kernel(%gm: !pto.ptr<f32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %buf = pto.import_reserved_buffer {name = "c2v_fifo0", peer_func = @vector_kernel} -> i32
    %p = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 1024, slot_num = 8, local_slot_num = 2, flag_base = 0}(%gm : !pto.ptr<f32>, %buf : i32) -> !pto.pipe
    return
  }
  func.func @vector_kernel(%gm: !pto.ptr<f32>) attributes {pto.kernel_kind = #pto.kernel_kind<vector>} {
    %buf = pto.reserve_buffer {name = "c2v_fifo0", size = 8192, location = #pto.address_space<vec>, auto = true} -> i32
    %p = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 1024, slot_num = 8, local_slot_num = 2, flag_base = 2}(%gm : !pto.ptr<f32>, %buf : i32) -> !pto.pipe
    return
  }
}
""")
    with pytest.raises(PtofixError, match=r"ptoas newest would reject the pipe inits of this PTO IR: conflicting "
                                          r"explicit flag_base across peer pipe inits: \[0, 2\]") as caught:
        run(ONE_C2V, ir=ir)
    # (Before: "k.pto: error: ...", no line: the error now points at the pipe init it is about.)
    assert caught.value.format().startswith(f"{ir}:4:5: error: ptoas newest would reject")


def test_explicit_flag_bases_of_two_components_that_overlap_are_located(tmp_path):
    """Two GM-only pipes of one function both say flag_base 0: ptoas rejects the IR, and the error
    points at the second init (before: no line and column, only the file)."""
    ir = _write(tmp_path, "k.pto", """module attributes {pto.target_arch = "a3"} {
  func.func @cube_kernel(%a: !pto.ptr<f32>, %b: !pto.ptr<f32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %0 = pto.initialize_l2g2l_pipe{dir_mask = 1, slot_size = 1024, slot_num = 8, local_slot_num = 2, flag_base = 0} (%a : !pto.ptr<f32>) -> !pto.pipe
    %1 = pto.initialize_l2g2l_pipe{dir_mask = 1, slot_size = 1024, slot_num = 8, local_slot_num = 2, flag_base = 0} (%b : !pto.ptr<f32>) -> !pto.pipe
    return
  }
}
""")
    with pytest.raises(PtofixError) as caught:
        run(ONE_C2V, ir=ir)
    assert caught.value.format().startswith(f"{ir}:4:5: error: ptoas newest would reject the pipe inits of this "
                                            "PTO IR: conflicting flag_base 0 across peer pipe init components in "
                                            "@cube_kernel")


def test_a_default_local_slot_num_of_zero_is_a_usage_error(capsys):
    """0 would mean no default: the request would be ignored silently."""
    parser = argparse.ArgumentParser()
    add_local_slot_arguments(parser)
    with pytest.raises(SystemExit):
        parser.parse_args(["--default-local-slot-num", "0"])
    assert "argument --default-local-slot-num: a LocalSlotNum is at least 1, got '0'" in capsys.readouterr().err
    assert pass_of(parser.parse_args(["--default-local-slot-num", "1"])).default == 1


def test_an_a5_gm_staged_both_direction_pipe_prints_dir_both(tmp_path):
    """On A5 an l2g2l init with dir_mask 3 prints Direction::DIR_BOTH (there is no DIR_BOTH_GM for it
    in ptoas's output): it is that pipe, not a missing GM pipe."""
    ir = _write(tmp_path, "k.pto", """module attributes {pto.target_arch = "a5"} {
  func.func @cube_kernel(%arg0: !pto.tensor_view<16x16xf32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %p = "pto.initialize_l2g2l_pipe"(%arg0) <{dir_mask = 3 : i8, slot_size = 1024 : i32, slot_num = 4 : i32, flag_base = 0 : i32, local_slot_num = 2 : i32, operandSegmentSizes = array<i32: 1, 0, 0>}> : (!pto.tensor_view<16x16xf32>) -> !pto.pipe
    return
  }
}
""")
    text = cube("  auto v3 = TPipe<0, Direction::DIR_BOTH, 1024, 4, 4, false>(v1, v4, v4);\n")
    assert run(text, ir=ir)[0] == text.replace("1024, 4, 4, false>", "1024, 4, 2, false>")


def test_a_flag_map_may_separate_its_entries_with_spaces():
    text = cube(f"  auto v5 = {C2V_1024}(v1, v4, v4);\n"
                "  auto v6 = TPipe<2, Direction::DIR_C2V, 512, 8, 8, false>(v1, v4, v4);\n")
    out, _, _ = run(text, map="0=2 2=4")
    assert "TPipe<0, Direction::DIR_C2V, 1024, 8, 2, false>" in out
    assert "TPipe<2, Direction::DIR_C2V, 512, 8, 4, false>" in out


@pytest.mark.parametrize("where", ["checkout", "include", "header"])
def test_pto_lib_may_be_the_checkout_its_include_dir_or_the_header(where):
    lib = {"checkout": os.path.join(INPUTS, "pto-isa-new"),
           "include": os.path.join(INPUTS, "pto-isa-new", "include"),
           "header": os.path.join(INPUTS, "pto-isa-new", "include", "pto", "npu", "a2a3", "TPush.hpp")}[where]
    old = cube("  auto v5 = TPipe<0, Direction::DIR_C2V, 1024, 8, true, 8>(v1, v4, v4);\n")
    assert run(old, pto_lib=lib)[0] == old.replace("1024, 8, true, 8>", "1024, 8, 8, true>")


def test_an_init_alone_of_its_shape_needs_no_arch_to_be_matched(tmp_path):
    """No pto.target_arch: the frontend init's FlagID is 2 on a3 and 0 on A5, but it is the only init
    of its shape (C2V, 1024) and v6/v5 the only pipes of it: paired by shape, the FlagID is not needed."""
    ir = _write(tmp_path, "k.pto", """module {
  func.func @cube_kernel(%gm: !pto.ptr<f32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %c0_i32 = arith.constant 0 : i32
    %xa = pto.import_reserved_buffer {name = "x_c2v", peer_func = @vector_kernel} -> i32
    %c2v0 = pto.import_reserved_buffer {name = "c2v_fifo0", peer_func = @vector_kernel} -> i32
    pto.aic_initialize_pipe {id = 0, dir_mask = 1, slot_size = 1024, local_slot_num = 3}
      (gm_slot_buffer = %gm : !pto.ptr<f32>, c2v_consumer_buf = %c2v0 : i32, v2c_consumer_buf = %c0_i32 : i32)
    %xp = pto.initialize_l2l_pipe {dir_mask = 1, slot_size = 2048, slot_num = 8}(%xa : i32) -> !pto.pipe
    return
  }
  func.func @vector_kernel(%gm: !pto.ptr<f32>) attributes {pto.kernel_kind = #pto.kernel_kind<vector>} {
    %c0_i32 = arith.constant 0 : i32
    %xa = pto.reserve_buffer {name = "x_c2v", size = 8192, location = #pto.address_space<vec>, auto = true} -> i32
    %c2v0 = pto.reserve_buffer {name = "c2v_fifo0", size = 8192, location = #pto.address_space<vec>, auto = true} -> i32
    pto.aiv_initialize_pipe {id = 0, dir_mask = 1, slot_size = 1024, local_slot_num = 3}
      (gm_slot_buffer = %gm : !pto.ptr<f32>, c2v_consumer_buf = %c2v0 : i32, v2c_consumer_buf = %c0_i32 : i32)
    %xp = pto.initialize_l2l_pipe {dir_mask = 1, slot_size = 2048, slot_num = 8}(%xa : i32) -> !pto.pipe
    return
  }
}
""")
    pipes = ("  auto v{a} = TPipe<2, Direction::DIR_C2V, 1024, 8, 8, true>(v1, v4, v4);\n"
             "  auto v{b} = TPipe<0, Direction::DIR_C2V, 2048, 8, 2, false>(v1, v4, v4);\n")
    text = cube(pipes.format(a=6, b=7)) + cube(pipes.format(a=5, b=6)).replace("cube_kernel", "vector_kernel")
    out, _, _ = run(text, ir=ir, target_ptoas="v0.45")
    assert out == text.replace("1024, 8, 8, true>", "1024, 8, 3, true>")


@pytest.mark.parametrize("arch", ["a3", "a5"])
def test_a_dir_mask_no_direction_has_is_refused_with_the_arch_stated(tmp_path, arch):
    """With pto.target_arch given the refusal is the same input error (exit 2), not a crash later."""
    ir = _write(tmp_path, "k.pto", f"""module attributes {{pto.target_arch = "{arch}"}} {{
  func.func @cube_kernel(%arg0: !pto.tensor_view<16x16xf32>) attributes {{pto.kernel_kind = #pto.kernel_kind<cube>}} {{
    pto.aic_initialize_pipe{{id = 0, dir_mask = 4, slot_size = 1024, slot_num = 8, local_slot_num = 4}} (gm_slot_tensor = %arg0 : !pto.tensor_view<16x16xf32>)
    return
  }}
}}
""")
    with pytest.raises(PtofixError, match=r"pto.aic_initialize_pipe has dir_mask 4: only 1 \(C2V\), 2 \(V2C\) and 3 "
                                          r"\(both\) name a TPipe direction") as caught:
        run(ONE_C2V, ir=ir)
    assert "k.pto:3:5: error:" in caught.value.format()


def test_a_v045_sidecar_keeps_the_slot_num_of_a_frontend_entry(tmp_path):
    """ptoas v0.45 honours an explicit slot_num on frontend inits (the default only before v0.45):
    the two SlotNum-4 entries pair with the two SlotNum-4 pipes by shape."""
    text = cube("".join(f"  auto v{5 + i} = TPipe<{2 * i}, Direction::DIR_C2V, 1024, 4, 4, false>(v1, v4, v4);\n"
                        for i in range(2)))
    sidecar = _write(tmp_path, "k.slots.json", _sidecar(
        *(_entry(id=i, flag_base=None, flag_base_explicit=None, slot_num=4, line=3 + i) for i in range(2)),
        arch="a3"))
    assert run(text, sidecar=sidecar)[0] == text.replace("1024, 4, 4, false>", "1024, 4, 2, false>")


def test_a_sidecar_frontend_entry_matches_the_a5_gm_variant_of_its_direction(tmp_path):
    """A frontend entry does not record whether it is GM-staged; on A5 a GM-staged C2V pipe prints
    DIR_C2V_GM, which the entry's plain C2V direction names."""
    text = cube("  auto v5 = TPipe<0, Direction::DIR_C2V_GM, 1024, 8, 8, false>(v1, v4, v4);\n")
    sidecar = _write(tmp_path, "k.slots.json", _sidecar(_entry(), target_ptoas="newest", arch="a5",
                                                        gm_pipes={"cube_kernel": 1}))
    assert run(text, sidecar=sidecar)[0] == text.replace("1024, 8, 8, false>", "1024, 8, 2, false>")


def test_two_pipes_of_one_type_and_flag_id_are_set_together_with_a_warning():
    """They share cross-core flags, but a FlagID map gives both the same value: nothing is ambiguous."""
    text = cube(f"  auto v5 = {C2V_1024}(v1, v4, v4);\n  auto v6 = {C2V_1024}(v1, v4, v4);\n")
    out, _, warnings = run(text, map="0=4")
    assert out == text.replace(C2V_1024, "TPipe<0, Direction::DIR_C2V, 1024, 8, 4, false>")
    assert warnings == ["t.cpp:4:13: warning: pipes 'v5' and 'v6' in 'cube_kernel' have the same type and FlagID 0 "
                        "(they share cross-core flags)"]


def test_tied_sidecar_entries_whose_flag_bases_no_pipe_has_are_paired_by_order(tmp_path):
    """flag_base 6 and 8 are distinct but are not the pipes' FlagIDs (0, 2): the flag rule cannot
    pair them, so shape and order do, each with a warning. (A guess the pass says; pinned so that
    it never becomes an internal error.)"""
    text = cube("".join(f"  auto v{5 + i} = TPipe<{2 * i}, Direction::DIR_C2V, 1024, 4, 4, false>(v1, v4, v4);\n"
                        for i in range(2)))
    sidecar = _write(tmp_path, "k.slots.json", _sidecar(
        _entry(flag_base=6, slot_num=4, local_slot_num=2), _entry(id=1, flag_base=8, slot_num=4, local_slot_num=3,
                                                                  line=4), arch="a3"))
    out, _, warnings = run(text, sidecar=sidecar)
    assert "TPipe<0, Direction::DIR_C2V, 1024, 4, 2, false>" in out
    assert "TPipe<2, Direction::DIR_C2V, 1024, 4, 3, false>" in out
    assert [w.split(" is pipe ", 1)[1] for w in warnings] == [
        "'v5' with FlagID 0 in t.cpp, but flag_base 6; matched by shape and order",
        "'v6' with FlagID 2 in t.cpp, but flag_base 8; matched by shape and order"]


def test_a_pipe_component_may_end_exactly_at_flag_16(tmp_path):
    """The verifier needs flag_base + width <= 16: eight one-direction pipes take FlagIDs 0..14."""
    inits = "".join(f"    pto.aic_initialize_pipe{{id = {i}, dir_mask = 1, slot_size = {1024 * (i + 1)}"
                    f"{', local_slot_num = 2' if i == 7 else ''}}} (gm_slot_tensor = %arg0 : "
                    "!pto.tensor_view<16x16xf32>)\n" for i in range(8))
    ir = _write(tmp_path, "k.pto", 'module attributes {pto.target_arch = "a3"} {\n  func.func @cube_kernel(%arg0: '
                "!pto.tensor_view<16x16xf32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {\n"
                + inits + "    return\n  }\n}\n")
    text = cube("".join(f"  auto v{10 + i} = TPipe<{2 * i}, Direction::DIR_C2V, {1024 * (i + 1)}, 8, 8, false>"
                        "(v1, v4, v4);\n" for i in range(8)))
    assert run(text, ir=ir)[0] == text.replace("TPipe<14, Direction::DIR_C2V, 8192, 8, 8, false>",
                                               "TPipe<14, Direction::DIR_C2V, 8192, 8, 2, false>")


def test_a_dir_both_gm_pipe_uses_four_flags():
    """DIR_BOTH_GM (A5) uses FlagID..FlagID+3 like DIR_BOTH: a C2V pipe at FlagID 2 overlaps it."""
    text = cube("  auto v5 = TPipe<0, Direction::DIR_BOTH_GM, 1024, 4, 4, false>(v1, v4, v4);\n"
                "  auto v6 = TPipe<2, Direction::DIR_C2V, 512, 8, 8, false>(v2, v4, v4);\n",
                params="__gm__ float* v1, __gm__ float* v2")
    _, _, warnings = run(text, default=2)
    assert warnings == ["t.cpp:4:13: warning: pipes 'v5' (FlagID 0, DIR_BOTH_GM) and 'v6' (FlagID 2, DIR_C2V) in "
                        "'cube_kernel' use overlapping cross-core flag ranges"]


def test_setting_the_ring_a_tile_form_pop_already_has_is_no_raise():
    """Init 2, Tile-form TPOP 4, set to 2: the lowest ring an occurrence writes is already 2, so no
    raising warning (only the one about the occurrences that differ in LocalSlotNum)."""
    tile = "Tile<TileType::Vec, half, 8, 16, BLayout::RowMajor, 8, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>"
    text = cube("  auto v5 = TPipe<0, Direction::DIR_C2V, 1024, 8, 2, false>(v1, v4, v4);\n"
                f"  {tile} v10;\n"
                f"  TPOP<TPipe<0, Direction::DIR_C2V, 1024, 8, 4, false>, {tile}, TileSplitAxis::TILE_UP_DOWN>(v5, v10);\n")
    out, _, warnings = run(text, map="2")
    assert out.count("TPipe<0, Direction::DIR_C2V, 1024, 8, 2, false>") == 2
    assert len(warnings) == 1 and warnings[0].endswith("(only LocalSlotNum differs)")
    assert not any("raising" in w for w in warnings)


def test_a_short_form_pipe_given_a_local_slot_num_is_reported_in_the_new_order():
    """TPipe<F, Dir, Size, Num> gets ", 4" appended: the new order, as the report says."""
    text = cube("  auto v5 = TPipe<0, Direction::DIR_C2V, 1024, 8>(v1, v4, v4);\n")
    out, report, _ = run(text, map="4")
    assert out == text.replace("1024, 8>", "1024, 8, 4>")
    (row,) = report["pipes"]
    assert (row["order_before"], row["order_after"]) == ("short", "new")
    assert report["lines"][0].endswith("; order short -> new [1 edits at init and every use]")


def test_a_comment_inside_a_uses_tpipe_arguments_is_refused_as_such():
    """The run gives a LocalSlotNum, so the refusal must name the comment, not a missing value."""
    text = cube(f"  auto v5 = {C2V_1024}(v1, v4, v4);\n  {GTX} v8(nullptr);\n"
                f"  TPUSH<TPipe<0, Direction::DIR_C2V, 1024, 8, /* local */ 8, false>, {GTX}, "
                "TileSplitAxis::TILE_NO_SPLIT>(v5, v8);\n")
    with pytest.raises(PtofixError, match=r"cannot rewrite pipe 'v5': its type is written 'TPipe<0, Direction::DIR_C2V, "
                                          r"1024, 8, /\* local \*/ 8, false>' here but .* at the init t.cpp:3:13; "
                                          r"comments or parentheses inside the TPipe<...> arguments are not "
                                          "supported") as caught:
        run(text, map="0=4")
    assert caught.value.format().startswith("t.cpp:5:9: error:")


def test_a_use_in_the_other_argument_order_is_a_type_mismatch_not_a_local_only_one():
    """Init new order, TPUSH old order (same values): the types differ beyond LocalSlotNum."""
    text = cube("  auto v5 = TPipe<0, Direction::DIR_C2V, 1024, 8, 8, true>(v1, v4, v4);\n"
                f"  {GTX} v8(nullptr);\n"
                f"  TPUSH<TPipe<0, Direction::DIR_C2V, 1024, 8, true, 8>, {GTX}, TileSplitAxis::TILE_NO_SPLIT>(v5, v8);\n")
    with pytest.raises(PtofixError, match=r"^cannot rewrite pipe 'v5': TPUSH type 'TPipe<0, Direction::DIR_C2V, 1024, "
                                          r"8, true, 8>' differs from the type of pipe 'v5' 'TPipe<0, Direction::DIR_C2V, "
                                          r"1024, 8, 8, true>' declared at t.cpp:3:13$") as caught:
        run(text, map="4")
    assert caught.value.format().startswith("t.cpp:5:9: error:")


def test_a_sidecar_entry_placed_by_the_predicted_flag_rule_is_reported_so(tmp_path):
    """flag_base_explicit false: the FlagID came from the ptoas rule, not from an IR flag_base."""
    sidecar = _write(tmp_path, "k.slots.json", _sidecar(
        _entry(flag_base_explicit=False), _entry(id=1, flag_base_explicit=False, line=4), arch="a3"))
    out, report, _ = run(ONE_C2V, sidecar=sidecar)
    assert "TPipe<0, Direction::DIR_C2V, 1024, 8, 2, false>" in out
    assert report["pipes"][0]["matched_by"] == "flag rule"


def test_a_tie_with_any_init_without_flag_base_needs_the_ptoas_version(tmp_path):
    """One tied init has flag_base 2, the other none: which is which still depends on the rule of the
    ptoas that made the C++ (docs/reference/pto-facts.md §4.2), so it is refused without --target-ptoas."""
    ir = _write(tmp_path, "k.pto", """module attributes {pto.target_arch = "a3"} {
  func.func @cube_kernel(%a: !pto.tensor_view<16x16xf32>, %b: !pto.tensor_view<16x16xf32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %p0 = "pto.initialize_l2g2l_pipe"(%a) <{dir_mask = 1 : i8, slot_size = 1024 : i32, slot_num = 8 : i32, local_slot_num = 2 : i32, flag_base = 2 : i32, operandSegmentSizes = array<i32: 1, 0, 0>}> : (!pto.tensor_view<16x16xf32>) -> !pto.pipe
    %p1 = "pto.initialize_l2g2l_pipe"(%b) <{dir_mask = 1 : i8, slot_size = 1024 : i32, slot_num = 8 : i32, local_slot_num = 4 : i32, operandSegmentSizes = array<i32: 1, 0, 0>}> : (!pto.tensor_view<16x16xf32>) -> !pto.pipe
    return
  }
}
""")
    text = cube(f"  auto v5 = {C2V_1024}(v1, v4, v4);\n"
                "  auto v6 = TPipe<2, Direction::DIR_C2V, 1024, 8, 8, false>(v1, v4, v4);\n")
    with pytest.raises(PtofixError, match=r"2 pipe inits and 2 TPipes of shape \(DIR_C2V, SlotSize 1024, SlotNum 8\) "
                                          "in 'cube_kernel' .*pass --target-ptoas VERSION") as caught:
        run(text, ir=ir)
    assert "k.pto:3:5: error:" in caught.value.format()


def test_an_order_run_leaves_a_short_form_pipe_alone():
    """TPipe<F, Dir, Size, Num> reads the same in either order: --tpipe-order new does not change it,
    so a use the pass could not rewrite (through a reference, type QkPipe) does not stop the run."""
    text = cube("  auto v5 = TPipe<0, Direction::DIR_C2V, 1024, 8>(v1, v4, v4);\n  auto& q = v5;\n"
                f"  {GTX} v8(nullptr);\n  TPUSH<QkPipe, {GTX}, TileSplitAxis::TILE_NO_SPLIT>(q, v8);\n")
    out, report, _ = run(text, tpipe_order="new")
    assert out == text
    assert report["changed_pipes"] == 0 and report["edits"] == 0
