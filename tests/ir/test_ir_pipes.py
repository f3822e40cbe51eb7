"""Pipe inventory and ptoas's flag_base rule (docs/reference/pto-ir.md §2, docs/reference/pto-facts.md §4.3)."""
import pytest

from ptofix.ir.parser import parse_ir_text
from ptofix.ir.pipes import (
    assign_flag_bases,
    effective_local_slot_num,
    effective_slot_num,
    pipe_inits,
    tpipe_token,
)
from ptofix.ir.versions import resolve
from ptofix.sidecar import sidecar_problem
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


# ---- decisions found untested by mutation testing -------------------------------------------------
# Expected values marked "ptoas v0.45" are what ptoas v0.45 (tonibohnlein/PTOAS 393929e9) printed for
# the module, compiled with `ptoas --pto-arch=<arch> IN.pto -o OUT.cpp`; the others follow the docs.

_GM_VIEW = """    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %t = pto.make_tensor_view %g, shape = [%c16, %c16], strides = [%c16, %c1] : !pto.tensor_view<16x16xf32>"""
_T = "!pto.tensor_view<16x16xf32>"


def _cube_vector(cube_body, vector_body):
    return parse_ir_text(f"""module {{
  func.func @cu(%g: !pto.ptr<f32>) attributes {{pto.kernel_kind = #pto.kernel_kind<cube>}} {{
    %c0 = arith.constant 0 : i32
{_GM_VIEW}
{cube_body}
    return
  }}
  func.func @ve(%g: !pto.ptr<f32>) attributes {{pto.kernel_kind = #pto.kernel_kind<vector>}} {{
    %c0 = arith.constant 0 : i32
{_GM_VIEW}
{vector_body}
    return
  }}
}}
""")


def _tokens(module, version, arch):
    inits = pipe_inits(module)
    bases = assign_flag_bases(inits, resolve(version), arch)
    return [(p.func, tpipe_token(p, bases[i], version, arch=arch)) for i, p in enumerate(inits)]


def test_frontend_slot_num_is_honoured_from_v045_and_global_tensor_keys_carry_the_direction():
    # as ptoas v0.45 (tonibohnlein/PTOAS 393929e9) printed them (--pto-arch=a3): the vector init's
    # slot_num = 2 is used (v0.45 is the first version that honours it), and it shares frontend id 1
    # with the cube's id-1 init but not its direction, so it is a pipe of its own and takes flag 0.
    m = _cube_vector(
        f"""    pto.aic_initialize_pipe {{id = 0, dir_mask = 1, slot_size = 1024}}(gm_slot_tensor = %t : {_T})
    pto.aic_initialize_pipe {{id = 1, dir_mask = 1, slot_size = 1024}}(gm_slot_tensor = %t : {_T})""",
        f"""    pto.aiv_initialize_pipe {{id = 1, dir_mask = 2, slot_size = 1024, slot_num = 2}}(gm_slot_tensor = %t : {_T})""")
    assert effective_slot_num(pipe_inits(m)[2], "v0.45") == 2
    assert _tokens(m, "v0.45", "a3") == [("cu", "TPipe<0, Direction::DIR_C2V, 1024, 8, 8, false>"),
                                         ("cu", "TPipe<2, Direction::DIR_C2V, 1024, 8, 8, false>"),
                                         ("ve", "TPipe<0, Direction::DIR_V2C, 1024, 2, 2, false>")]


def test_a_frontend_init_without_id_is_id_0():
    # as ptoas v0.45 (tonibohnlein/PTOAS 393929e9) printed them (--pto-arch=a3): the id-less cube and
    # vector inits are one global-tensor pipe (id 0, C2V): flag 0 in both functions; the vector's id-1
    # pipe, created between them, takes 2.
    m = _cube_vector(
        f"""    pto.aic_initialize_pipe {{dir_mask = 1, slot_size = 1024}}(gm_slot_tensor = %t : {_T})""",
        f"""    pto.aiv_initialize_pipe {{id = 1, dir_mask = 1, slot_size = 1024}}(gm_slot_tensor = %t : {_T})
    pto.aiv_initialize_pipe {{dir_mask = 1, slot_size = 1024}}(gm_slot_tensor = %t : {_T})""")
    assert [p.frontend_id for p in pipe_inits(m)] == [0, 1, 0]
    assert assign_flag_bases(pipe_inits(m), resolve("v0.45"), "a3") == {0: 0, 1: 2, 2: 0}


def test_dir_both_frontend_init_is_joined_through_its_v2c_buffer():
    # as ptoas v0.45 (tonibohnlein/PTOAS 393929e9) printed them (--pto-arch=a3): the cube's DIR_BOTH
    # init has no reserved C2V buffer (0); only its own V2C reserve_buffer, imported by the vector
    # side, joins it to the vector's DIR_BOTH init, so both take 2 (the cube's global pipe has 0).
    m = _cube_vector(
        f"""    pto.aic_initialize_pipe {{id = 2, dir_mask = 1, slot_size = 1024}}(gm_slot_tensor = %t : {_T})
    %r = pto.reserve_buffer {{name = "v2c", size = 4096, location = #pto.address_space<mat>, auto = true}} -> i32
    pto.aic_initialize_pipe {{id = 0, dir_mask = 3, slot_size = 1024}}(gm_slot_buffer = %g : !pto.ptr<f32>, c2v_consumer_buf = %c0 : i32, v2c_consumer_buf = %r : i32)""",
        """    %r = pto.reserve_buffer {name = "c2v", size = 4096, location = #pto.address_space<vec>, auto = true} -> i32
    %i = pto.import_reserved_buffer {name = "v2c", peer_func = @cu} -> i32
    pto.aiv_initialize_pipe {id = 0, dir_mask = 3, slot_size = 1024}(gm_slot_buffer = %g : !pto.ptr<f32>, c2v_consumer_buf = %r : i32, v2c_consumer_buf = %i : i32)""")
    inits = pipe_inits(m)
    assert inits[1].peer_keys == [("cu", "v2c", 2)] and inits[1].has_local_addr
    assert _tokens(m, "v0.45", "a3") == [("cu", "TPipe<0, Direction::DIR_C2V, 1024, 8, 8, false>"),
                                         ("cu", "TPipe<2, Direction::DIR_BOTH, 1024, 4, 4, false>"),
                                         ("ve", "TPipe<2, Direction::DIR_BOTH, 1024, 4, 4, false>")]


def _one_function(body):
    return parse_ir_text(f"""module {{
  func.func @cu(%g: !pto.ptr<f32>, %mm: memref<256xf32, #pto.address_space<gm>>, %buf: i32) attributes {{pto.kernel_kind = #pto.kernel_kind<cube>}} {{
{_GM_VIEW}
{body}
    return
  }}
}}
""")


def _gm_only(name, dir_mask, flag_base=None, slot_num=8):
    fb = f"flag_base = {flag_base} : i32, " if flag_base is not None else ""
    return (f'    {name} = "pto.initialize_l2g2l_pipe"(%t) <{{dir_mask = {dir_mask} : i8, {fb}operandSegmentSizes = '
            f'array<i32: 1, 0, 0>, slot_num = {slot_num} : i32, slot_size = 1024 : i32}}> : ({_T}) -> !pto.pipe')


def test_overlapping_explicit_flag_bases_of_two_pipes_are_refused():
    # ptoas v0.45 (tonibohnlein/PTOAS 393929e9) rejects this module: "conflicting flag_base across
    # peer pipe init components in the same function" (DIR_BOTH at 0 covers flags 0..3, C2V at 2).
    m = _one_function(_gm_only("%a", 3, 0, 4) + "\n" + _gm_only("%b", 1, 2))
    with pytest.raises(ValueError, match="conflicting flag_base 2"):
        assign_flag_bases(pipe_inits(m), resolve("v0.45"), "a3")


def test_an_odd_explicit_flag_base_pushes_the_next_pipe_to_an_even_base():
    # as ptoas v0.45 (tonibohnlein/PTOAS 393929e9) printed them (--pto-arch=a3): FlagIDs 1 and 4.
    m = _one_function(_gm_only("%a", 1, 1) + "\n" + _gm_only("%b", 1))
    assert assign_flag_bases(pipe_inits(m), resolve("v0.45"), "a3") == {0: 1, 1: 4}


_ARG_BUFFER_NO_FLAG_BASE = ('    %pe = "pto.initialize_l2g2l_pipe"(%mm, %buf) <{dir_mask = 1 : i8, operandSegmentSizes = '
                            'array<i32: 1, 1, 0>, slot_num = 8 : i32, slot_size = 1024 : i32}> : '
                            '(memref<256xf32, #pto.address_space<gm>>, i32) -> !pto.pipe')


def test_an_init_on_an_argument_buffer_without_flag_base_is_refused():
    # ptoas v0.45 (tonibohnlein/PTOAS 393929e9): "requires local_addr to come from pto.reserve_buffer
    # or pto.import_reserved_buffer when 'flag_base' is not explicit".
    with pytest.raises(ValueError):
        assign_flag_bases(pipe_inits(_one_function(_ARG_BUFFER_NO_FLAG_BASE)), resolve("v0.45"), "a3")


def test_global_only_init_ignores_local_slot_num():
    # docs/reference/pto-ir.md §2 and pto-facts.md §4.3: a global-only pipe gets no local_slot_num, so
    # LocalSlotNum prints as slot_num. (ptoas v0.45 rejects local_slot_num on such an init: "globaltensor
    # pipe init does not use 'local_slot_num'", "'local_slot_num' is only allowed when 'local_addr' is
    # present"; a prediction must still not take it.)
    m = _one_function(_gm_only("%a", 1).replace("operandSegmentSizes", "local_slot_num = 2 : i32, operandSegmentSizes"))
    (p,) = pipe_inits(m)
    assert p.global_only and p.local_slot_num == 2
    assert effective_local_slot_num(p, "v0.45") == 8 and effective_local_slot_num(p, "newest") == 8


_GM_BACKED = _cube_vector(
    f"""    %ia = pto.import_reserved_buffer {{name = "a", peer_func = @ve}} -> i32
    pto.aic_initialize_pipe {{id = 0, dir_mask = 1, slot_size = 1024}}(gm_slot_tensor = %t : {_T}, c2v_consumer_buf = %ia : i32)
    %ib = pto.import_reserved_buffer {{name = "b", peer_func = @ve}} -> i32
    pto.aic_initialize_pipe {{id = 1, dir_mask = 1, slot_size = 1024}}(c2v_consumer_buf = %ib : i32, v2c_consumer_buf = %c0 : i32)""",
    f"""    %ra = pto.reserve_buffer {{name = "a", size = 8192, location = #pto.address_space<vec>, auto = true}} -> i32
    pto.aiv_initialize_pipe {{id = 1, dir_mask = 1, slot_size = 1024, local_slot_num = 2}}(gm_slot_tensor = %t : {_T}, c2v_consumer_buf = %ra : i32)
    %rb = pto.reserve_buffer {{name = "b", size = 8192, location = #pto.address_space<vec>, auto = true}} -> i32
    pto.aiv_initialize_pipe {{id = 0, dir_mask = 1, slot_size = 1024}}(c2v_consumer_buf = %rb : i32, v2c_consumer_buf = %c0 : i32)""")


def test_gm_backed_tile_init_is_no_global_only_pipe():
    # docs/reference/pto-ir.md §3 (newest): local_slot_num is allowed with gm_slot_tensor +
    # c2v_consumer_buf on dir_mask 1 (GM-backed tile), and rejected only on a global-only init; the
    # pipe is keyed by its reserved buffer like any local pipe. (ptoas v0.45 refuses the operand mix.)
    inits = pipe_inits(_GM_BACKED)
    assert [(p.global_only, p.peer_keys) for p in inits] == [(False, [("ve", "a", 1)]), (False, [("ve", "b", 1)]),
                                                             (False, [("ve", "a", 1)]), (False, [("ve", "b", 1)])]
    assert effective_local_slot_num(inits[2], "newest") == 2


def test_gm_backed_tile_init_is_gm_staged_on_a5():
    # docs/reference/pto-ir.md §2 (newest lowers an init with gm_slot_tensor with gm_addr = that tensor)
    # and pto-facts.md §4.3 (on A5 a GM-staged frontend init lowers to initialize_l2g2l_pipe, printed
    # DIR_C2V_GM, and is created after every l2l init): pipe "a" is GM-staged, pipe "b" local (l2l).
    # Both components have frontend id 0 (min over both sides) and dir_mask 1, so creation order
    # decides: "b" (l2l) first takes 0, "a" takes 2 (pto-ir.md §2).
    toks = _tokens(_GM_BACKED, "newest", "a5")
    assert [t.split(",")[:2] for _f, t in toks] == [["TPipe<2", " Direction::DIR_C2V_GM"], ["TPipe<0", " Direction::DIR_C2V"],
                                                    ["TPipe<2", " Direction::DIR_C2V_GM"], ["TPipe<0", " Direction::DIR_C2V"]]
    # On A3 everything is l2g2l: creation is text order, "a" first.
    assert assign_flag_bases(pipe_inits(_GM_BACKED), "newest", "a3") == {0: 0, 1: 2, 2: 0, 3: 2}


def test_newest_sorts_components_by_their_minimum_frontend_id_then_dir_mask():
    # docs/reference/pto-ir.md §2 (newest): components are ordered by frontend id (minimum over both
    # sides), then dir_mask, then creation order.
    # "y" (ids 2/2) is created first, "x" (cube id 5, vector id 0: minimum 0) sorts before it.
    m = _cube_vector(
        """    %iy = pto.import_reserved_buffer {name = "y", peer_func = @ve} -> i32
    pto.aic_initialize_pipe {id = 2, dir_mask = 1, slot_size = 1024}(gm_slot_buffer = %g : !pto.ptr<f32>, c2v_consumer_buf = %iy : i32, v2c_consumer_buf = %c0 : i32)
    %ix = pto.import_reserved_buffer {name = "x", peer_func = @ve} -> i32
    pto.aic_initialize_pipe {id = 5, dir_mask = 1, slot_size = 1024}(gm_slot_buffer = %g : !pto.ptr<f32>, c2v_consumer_buf = %ix : i32, v2c_consumer_buf = %c0 : i32)""",
        """    %ry = pto.reserve_buffer {name = "y", size = 8192, location = #pto.address_space<vec>, auto = true} -> i32
    pto.aiv_initialize_pipe {id = 2, dir_mask = 1, slot_size = 1024}(gm_slot_buffer = %g : !pto.ptr<f32>, c2v_consumer_buf = %ry : i32, v2c_consumer_buf = %c0 : i32)
    %rx = pto.reserve_buffer {name = "x", size = 8192, location = #pto.address_space<vec>, auto = true} -> i32
    pto.aiv_initialize_pipe {id = 0, dir_mask = 1, slot_size = 1024}(gm_slot_buffer = %g : !pto.ptr<f32>, c2v_consumer_buf = %rx : i32, v2c_consumer_buf = %c0 : i32)""")
    assert assign_flag_bases(pipe_inits(m), "newest", "a3") == {0: 2, 1: 0, 2: 2, 3: 0}
    # (v0.45 allocates in creation order: "y" first.)
    assert assign_flag_bases(pipe_inits(m), "v0.45", "a3") == {0: 0, 1: 2, 2: 0, 3: 2}
    # Same minimum id 0: the cube-only global V2C pipe (id 0, created first) sorts after the C2V pipe "z"
    # (cube id 3, vector id 0).
    m2 = _cube_vector(
        f"""    pto.aic_initialize_pipe {{id = 0, dir_mask = 2, slot_size = 1024}}(gm_slot_tensor = %t : {_T})
    %iz = pto.import_reserved_buffer {{name = "z", peer_func = @ve}} -> i32
    pto.aic_initialize_pipe {{id = 3, dir_mask = 1, slot_size = 1024}}(gm_slot_buffer = %g : !pto.ptr<f32>, c2v_consumer_buf = %iz : i32, v2c_consumer_buf = %c0 : i32)""",
        """    %rz = pto.reserve_buffer {name = "z", size = 8192, location = #pto.address_space<vec>, auto = true} -> i32
    pto.aiv_initialize_pipe {id = 0, dir_mask = 1, slot_size = 1024}(gm_slot_buffer = %g : !pto.ptr<f32>, c2v_consumer_buf = %rz : i32, v2c_consumer_buf = %c0 : i32)""")
    assert assign_flag_bases(pipe_inits(m2), "newest", "a3") == {0: 2, 1: 0, 2: 0}


def test_april_conflicting_explicit_flag_bases_in_a_peer_group_are_refused():
    m = _cube_vector(
        """    %i = pto.import_reserved_buffer {name = "p", peer_func = @ve} -> i32
    %a = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 64, slot_num = 8, flag_base = 0}(%g, %i : !pto.ptr<f32>, i32) -> !pto.pipe""",
        """    %r = pto.reserve_buffer {name = "p", size = 8192, location = #pto.address_space<vec>, auto = true} -> i32
    %a = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 64, slot_num = 8, flag_base = 2}(%g, %r : !pto.ptr<f32>, i32) -> !pto.pipe""")
    with pytest.raises(ValueError):
        assign_flag_bases(pipe_inits(m), "2026-04-17", "a3")


def test_a5_local_frontend_pipe_prints_local_slot_num_2():
    # as ptoas v0.45 (tonibohnlein/PTOAS 393929e9) printed them (--pto-arch=a5).
    m = _cube_vector(
        """    %ib = pto.import_reserved_buffer {name = "b", peer_func = @ve} -> i32
    pto.aic_initialize_pipe {id = 1, dir_mask = 1, slot_size = 1024}(c2v_consumer_buf = %ib : i32, v2c_consumer_buf = %c0 : i32)""",
        """    %rb = pto.reserve_buffer {name = "b", size = 8192, location = #pto.address_space<vec>, auto = true} -> i32
    pto.aiv_initialize_pipe {id = 0, dir_mask = 1, slot_size = 1024}(c2v_consumer_buf = %rb : i32, v2c_consumer_buf = %c0 : i32)""")
    assert _tokens(m, "v0.45", "a5") == [("cu", "TPipe<0, Direction::DIR_C2V, 1024, 8, 2, false>"),
                                         ("ve", "TPipe<0, Direction::DIR_C2V, 1024, 8, 2, false>")]


def test_sidecar_with_a_negative_flag_base_is_refused():
    entry = {"func": "k", "local_slot_num": 2, "flag_base": 0}
    assert sidecar_problem({"version": 1, "pipes": [entry]}) is None
    assert sidecar_problem({"version": 1, "pipes": [dict(entry, flag_base=-2)]}) == \
        "pipe #0: 'flag_base' must not be negative"
