"""Pipe inventory and ptoas's flag_base rule (docs/reference/pto-ir.md §2, docs/reference/pto-facts.md §4.3)."""
import pytest

from ptofix.ir.parser import parse_ir_text
from ptofix.ir.pipes import assign_flag_bases, effective_local_slot_num, effective_slot_num, pipe_inits, tpipe_token
from ptofix.source import PtofixError


def _frontend_module(specs, kind="cube"):
    """One function with global-only frontend inits: specs = [(id, dir_mask), ...]."""
    op = "pto.aic_initialize_pipe" if kind == "cube" else "pto.aiv_initialize_pipe"
    lines = [f'module {{\n  func.func @k(%t: !pto.tensor_view<16x16xf32>) attributes {{pto.kernel_kind = #pto.kernel_kind<{kind}>}} {{']
    for pid, dm in specs:
        lines.append(f"    {op} {{id = {pid}, dir_mask = {dm}, slot_size = 1024}}(gm_slot_tensor = %t : !pto.tensor_view<16x16xf32>)")
    lines.append("    return\n  }\n}\n")
    return parse_ir_text("\n".join(lines))


def test_reference_example_ids_0_2_1():
    # resolve_reserved_buffers_globaltensor_frontend_id_order_a5.pto: ids 0 (dir 1), 2 (dir 1), 1 (dir 2) -> 0, 4, 2
    inits = pipe_inits(_frontend_module([(0, 1), (2, 1), (1, 2)]))
    assert [p.id for p in inits] == [0, 2, 1]
    assert all(p.global_only and not p.has_local_addr for p in inits)
    assert assign_flag_bases(inits, "newest") == {0: 0, 1: 4, 2: 2}
    # Before PTOAS dfee92e1 (after v0.45) components were allocated in creation order.
    assert assign_flag_bases(inits, "v0.36") == {0: 0, 1: 2, 2: 4}
    assert assign_flag_bases(inits, "v0.45") == {0: 0, 1: 2, 2: 4}


def test_old_era_value_or_zero():
    inits = pipe_inits(_frontend_module([(0, 1), (2, 1), (1, 2)]))
    assert assign_flag_bases(inits, "2026-04-17") == {0: 0, 1: 0, 2: 0}


def test_dir_both_takes_width_four_and_even_alignment():
    inits = pipe_inits(_frontend_module([(0, 3), (1, 1), (2, 3)]))
    assert assign_flag_bases(inits, "newest") == {0: 0, 1: 4, 2: 6}


def test_explicit_flag_base_is_reserved():
    m = parse_ir_text("""module {
  func.func @k(%g: !pto.ptr<f32>) {
    %a = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 64, slot_num = 8, flag_base = 0}(%g : !pto.ptr<f32>) -> !pto.pipe
    %b = pto.initialize_l2g2l_pipe {dir_mask = 2, slot_size = 64, slot_num = 8, flag_base = 2}(%g : !pto.ptr<f32>) -> !pto.pipe
    %c = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 64, slot_num = 8}(%g : !pto.ptr<f32>) -> !pto.pipe
    return
  }
}
""")
    inits = pipe_inits(m)
    assert [p.flag_base for p in inits] == [0, 2, None]
    assert assign_flag_bases(inits, "newest") == {0: 0, 1: 2, 2: 4}


def test_peer_components_share_a_base_across_functions():
    m = parse_ir_text("""module {
  func.func @cube(%g: !pto.ptr<f32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %c0 = arith.constant 0 : i32
    %imp = pto.import_reserved_buffer {name = "c2v", peer_func = @vec} -> i32
    pto.aic_initialize_pipe {id = 5, dir_mask = 1, slot_size = 1024}(gm_slot_buffer = %g : !pto.ptr<f32>, c2v_consumer_buf = %imp : i32, v2c_consumer_buf = %c0 : i32)
    return
  }
  func.func @vec(%g: !pto.ptr<f32>) attributes {pto.kernel_kind = #pto.kernel_kind<vector>} {
    %c0 = arith.constant 0 : i32
    %r0 = pto.reserve_buffer {name = "other", size = 4096, location = #pto.address_space<vec>, auto = true} -> i32
    pto.aiv_initialize_pipe {id = 1, dir_mask = 1, slot_size = 512}(gm_slot_buffer = %g : !pto.ptr<f32>, c2v_consumer_buf = %r0 : i32, v2c_consumer_buf = %c0 : i32)
    %r = pto.reserve_buffer {name = "c2v", size = 8192, location = #pto.address_space<vec>, auto = true} -> i32
    pto.aiv_initialize_pipe {id = 5, dir_mask = 1, slot_size = 1024, local_slot_num = 2}(gm_slot_buffer = %g : !pto.ptr<f32>, c2v_consumer_buf = %r : i32, v2c_consumer_buf = %c0 : i32)
    return
  }
}
""")
    inits = pipe_inits(m)
    assert [(p.func, p.kernel_kind, p.id) for p in inits] == [("cube", "cube", 5), ("vec", "vector", 1), ("vec", "vector", 5)]
    assert inits[0].peer_keys == inits[2].peer_keys == [("vec", "c2v", 1)]
    assert inits[2].local_slot_num == 2 and inits[2].has_local_addr and not inits[2].global_only
    # id 1 (vec only) sorts first -> 0; the id-5 peer pair gets 2 in both functions
    assert assign_flag_bases(inits, "newest") == {0: 2, 1: 0, 2: 2}


def test_sixteen_flag_limit():
    inits = pipe_inits(_frontend_module([(i, 3) for i in range(5)]))
    with pytest.raises(ValueError, match="16"):
        assign_flag_bases(inits, "newest")


def test_effective_slot_nums_and_token():
    m = parse_ir_text("""module {
  func.func @k(%t: !pto.tensor_view<16x16xf32>, %g: !pto.ptr<f32>, %l: i32) attributes {pto.kernel_kind = #pto.kernel_kind<vector>} {
    pto.aiv_initialize_pipe {id = 0, dir_mask = 3, slot_size = 256}(gm_slot_tensor = %t : !pto.tensor_view<16x16xf32>)
    pto.aiv_initialize_pipe {id = 1, dir_mask = 2, slot_size = 256, slot_num = 2}(gm_slot_tensor = %t : !pto.tensor_view<16x16xf32>)
    %p = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 64, slot_num = 8, local_slot_num = 1, flag_base = 4, nosplit = true}(%g : !pto.ptr<f32>, %l : i32) -> !pto.pipe
    %q = "pto.initialize_l2l_pipe"(%l) <{dir_mask = 1 : i8, slot_num = 8 : i32, slot_size = 512 : i32}> : (i32) -> !pto.pipe
    return
  }
}
""")
    a, b, c, d = pipe_inits(m)
    assert effective_slot_num(a, "newest") == 4
    assert effective_slot_num(b, "newest") == 2 and effective_slot_num(b, "v0.36") == 8
    assert c.nosplit is True and c.line == 5 and c.has_local_addr
    assert effective_local_slot_num(c) == 1 and effective_local_slot_num(d) == 2
    assert tpipe_token(c, 4) == "TPipe<4, Direction::DIR_C2V, 64, 8, 1, true>"
    assert d.op == "pto.initialize_l2l_pipe" and d.slot_size == 512 and d.span.start > c.span.start


@pytest.mark.parametrize("version", ["v0.45", "newest"])
def test_an_init_on_a_buffer_that_is_no_reserved_buffer_keeps_its_flag_base_and_reserves_nothing(version):
    # ptoas records (keys, allocates, conflict-checks) only inits whose local buffer is a
    # reserve_buffer/import_reserved_buffer, and GM-only ones: E (an argument's buffer, flag_base 0)
    # reserves no flag, so the GM-only P0 and P1 after it take 0 and 2 (checked with ptoas v0.45).
    m = parse_ir_text("""module {
  func.func @cu(%gm: !pto.ptr<f32>, %mm: memref<256xf32, #pto.address_space<gm>>, %buf: i32) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %gs = pto.make_tensor_view %gm, shape = [%c16, %c16], strides = [%c16, %c1] : !pto.tensor_view<16x16xf32>
    %pe = "pto.initialize_l2g2l_pipe"(%mm, %buf) <{dir_mask = 1 : i8, flag_base = 0 : i32, local_slot_num = 7 : i32, operandSegmentSizes = array<i32: 1, 1, 0>, slot_num = 8 : i32, slot_size = 1024 : i32}> : (memref<256xf32, #pto.address_space<gm>>, i32) -> !pto.pipe
    %p0 = "pto.initialize_l2g2l_pipe"(%gs) <{dir_mask = 1 : i8, operandSegmentSizes = array<i32: 1, 0, 0>, slot_num = 8 : i32, slot_size = 1024 : i32}> : (!pto.tensor_view<16x16xf32>) -> !pto.pipe
    %p1 = "pto.initialize_l2g2l_pipe"(%gs) <{dir_mask = 1 : i8, operandSegmentSizes = array<i32: 1, 0, 0>, slot_num = 8 : i32, slot_size = 1024 : i32}> : (!pto.tensor_view<16x16xf32>) -> !pto.pipe
    return
  }
}
""")
    inits = pipe_inits(m)
    assert [(p.global_only, bool(p.peer_keys), p.flag_base) for p in inits] == [(False, False, 0), (True, False, None),
                                                                                 (True, False, None)]
    assert assign_flag_bases(inits, version) == {0: 0, 1: 0, 2: 2}
    # Two such inits on one explicit flag_base conflict in nothing ptoas checks.
    twice = parse_ir_text(str(m.source.text).replace("%p0 = \"pto.initialize_l2g2l_pipe\"(%gs) <{dir_mask = 1 : i8,",
                                                    "%p0 = \"pto.initialize_l2g2l_pipe\"(%mm, %buf) <{dir_mask = 1 : i8, flag_base = 0 : i32,")
                          .replace("array<i32: 1, 0, 0>, slot_num = 8 : i32, slot_size = 1024 : i32}> : (!pto.tensor_view<16x16xf32>) -> !pto.pipe\n    %p1",
                                   "array<i32: 1, 1, 0>, slot_num = 8 : i32, slot_size = 1024 : i32}> : (memref<256xf32, #pto.address_space<gm>>, i32) -> !pto.pipe\n    %p1", 1))
    assert assign_flag_bases(pipe_inits(twice), version) == {0: 0, 1: 0, 2: 0}


def test_a_quoted_peer_func_names_the_same_function():
    # `@"cube_a"` and `@cube_a` are one symbol: the vector side's import joins cube_a's pipe.
    def module(ref):
        return parse_ir_text(f"""module {{
  func.func @cube_a() attributes {{pto.kernel_kind = #pto.kernel_kind<cube>}} {{
    %r = pto.reserve_buffer {{name = "fifo", size = 8192, location = #pto.address_space<vec>, auto = true}} -> i32
    %p = pto.aic_initialize_pipe {{id = 0, dir_mask = 2, slot_size = 1024}}(v2c_consumer_buf = %r : i32)
    return
  }}
  func.func @vec_k() attributes {{pto.kernel_kind = #pto.kernel_kind<vector>}} {{
    %r = pto.import_reserved_buffer {{name = "fifo", peer_func = {ref}}} -> i32
    %p = pto.aiv_initialize_pipe {{id = 0, dir_mask = 2, slot_size = 1024}}(v2c_consumer_buf = %r : i32)
    return
  }}
}}
""")
    plain, quoted = pipe_inits(module("@cube_a")), pipe_inits(module('@"cube_a"'))
    assert [p.peer_keys for p in quoted] == [p.peer_keys for p in plain]
    assert [p.peer_keys for p in pipe_inits(module(r'@"cube\5fa"'))] == [p.peer_keys for p in plain]
    with pytest.raises(PtofixError, match=r"nested symbol reference \(@cube_a::@x\)") as info:
        pipe_inits(module("@cube_a::@x"))
    assert info.value.format().startswith("<string>:8:") or ":8:" in info.value.format().split(" ")[0]
    assert quoted[1].peer_keys and quoted[1].peer_keys[0][0] == "cube_a"
