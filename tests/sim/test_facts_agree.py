"""The simulator keeps its own numpy semantics, but not its own copy of the facts: every op it
executes has an entry in the effects table, element sizes agree, and the static model and the
simulator end the same calls with a drain, as the facts' drain table says. Every op the proof
classifies (walk order, chains, scratch) has an entry in the effects table."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptofix.cpp.parser import parse_cpp
from ptofix.cpp.semantics import analyse_function
from ptofix.pto import tpipe
from ptofix.pto.ops import (
    HIDDEN_SCRATCH_UNLESS_FLOAT,
    NEVER,
    OPS,
    REDUCE_TMP_OPS,
    WALKED_AT_DST_ROW_PITCH,
)
from ptofix.pto.ordering import (
    COL_EXPAND_WALKED_BY_CHUNKS,
    WALKED_IN_REPEAT_ORDER,
)
from ptofix.pto.same_access_chain import CHAIN_16BIT_ONLY, CHAIN_PRODUCERS
from ptofix.pto.tiles import ELEMENT_BYTES, HIDDEN_SCRATCH, TILE_ARG, TILE_DEFAULTS, UB_BYTES
from ptofix.sim import memory as sim_memory
from ptofix.sim.fifo import FifoState
from ptofix.sim.interp import Interpreter, KernelConfig, StatementTable
from ptofix.sim.ops_numpy import VECTOR_OPS
from ptofix.sim.schedule import Scheduler
from ptofix.source import SourceText


def test_every_simulated_op_has_an_effects_entry():
    missing = sorted(name for name in VECTOR_OPS if name not in OPS)
    assert not missing, missing


def test_element_sizes_and_memory_layout_agree():
    for name, (dtype, _kind) in sim_memory.DTYPES.items():
        if name in ELEMENT_BYTES:
            assert np.dtype(dtype).itemsize == ELEMENT_BYTES[name], name
    assert sim_memory.UB_SIZE == UB_BYTES
    assert sim_memory.HIDDEN_SCRATCH == HIDDEN_SCRATCH


DRAIN_TILE = "Tile<TileType::Vec, {dtype}, {rows}, {cols}, BLayout::RowMajor, {rows}, {cols}>"
# The operands of one call per op: dst, src[, tmp] (a tmp only where the op takes one).
DRAIN_SHAPES = {"dst": (16, 1), "src": (16, 64), "tmp": (16, 64)}
COL_SHAPES = {"dst": (1, 64), "src": (16, 64), "tmp": (16, 64)}


def _drain_call(op: str, names: list[str] | None = None, shapes: dict[str, tuple[int, int]] | None = None,
                dtype: str = "float") -> tuple[str, dict[str, tuple[int, int]], list[str]]:
    """A kernel with one call of ``op`` on static ``dtype`` tiles (by default non-empty, with a
    tmp where the op's effects name one), its tiles' shapes and the call's operand names."""
    shapes = shapes or (COL_SHAPES if op.startswith("TCOL") else DRAIN_SHAPES)
    names = names or ["dst", "src"] + (["tmp"] if OPS[op].tmp else [])
    lines = ["__global__ AICORE void k() {"]
    for index, name in enumerate(dict.fromkeys(names)):
        rows, cols = shapes[name]
        lines += [f"  {DRAIN_TILE.format(dtype=dtype, rows=rows, cols=cols)} {name};",
                  f"  TASSIGN({name}, {index * 0x4000});"]
    lines += [f"  {op}({', '.join(names)});", "}"]
    return "\n".join(lines) + "\n", shapes, names


def _static_drains(text: str) -> bool:
    from ptofix.cpp.barriers import BarrierAnalysis
    from ptofix.cpp.cfg_events import EventKind
    model = parse_cpp(SourceText(text, "k.cpp"))
    events = BarrierAnalysis(model).cfg(model.functions[0]).events
    kinds = [event.kind for event in events if event.kind is not EventKind.NOP]
    assert EventKind.UNKNOWN not in kinds, [event.why for event in events]
    return kinds[-1] is EventKind.DRAIN


def _simulated_drains(op: str, shapes: dict[str, tuple[int, int]], names: list[str], dtype: str = "float") -> bool:
    from ptofix.sim.memory import SimTileType, TileView
    from ptofix.sim.ops_numpy import build_steps
    views = []
    for name in names:
        rows, cols = shapes[name]
        index = list(dict.fromkeys(names)).index(name)
        views.append(TileView(name, SimTileType("Vec", dtype, rows, cols, "RowMajor", rows, cols),
                              index * 0x4000, rows, cols))
    return build_steps(op, views)[-1].drain_after


@pytest.mark.parametrize("op", sorted(name for name, spec in OPS.items()
                                      if spec.trailing_drain != NEVER and name in VECTOR_OPS))
def test_simulator_drains_where_the_facts_drain(op):
    # The facts' drain table read by the static model and by the simulator decide alike on one
    # call on static, non-empty float shapes (every condition of the table holds there).
    text, shapes, names = _drain_call(op)
    assert _static_drains(text) is True
    assert _simulated_drains(op, shapes, names) is True


# One call each of ops the facts say never end with a drain: (op, extra sources after dst, src[, tmp]).
NEVER_DRAINING_CALLS = [("TROWPROD", []), ("TEXP", []), ("TMOV", []), ("TADD", ["src"])]


@pytest.mark.parametrize("op, extra", NEVER_DRAINING_CALLS)
def test_simulator_drains_nowhere_the_facts_do_not(op, extra):
    assert OPS[op].trailing_drain == NEVER
    names = ["dst", "src"] + (["tmp"] if OPS[op].tmp else []) + extra
    text, shapes, names = _drain_call(op, names)
    assert _static_drains(text) is False
    assert _simulated_drains(op, shapes, names) is False


ONE_ROW = {"dst": (1, 64), "src": (1, 64), "tmp": (1, 64)}


# Calls whose drain depends on the operands (pto-isa a2a3 at 3186c381, docs/reference/pto-facts.md
# §2): (op, operands, shapes, element type, whether the call ends with pipe_barrier(PIPE_V)).
CONDITIONAL_DRAINS = [
    ("TCOLSUM", ["dst", "src"], COL_SHAPES, "float", True),      # the sequential sum's last add, then a barrier
    ("TCOLSUM", ["dst", "src"], ONE_ROW, "float", False),        # one row: a copy and no barrier
    ("TCOLSUM", ["dst", "src", "tmp"], ONE_ROW, "float", True),  # with tmp: the copy and a barrier
    ("TCOLARGMAX", ["dst", "src", "tmp"], COL_SHAPES, "float", True),
    ("TCOLARGMIN", ["dst", "src", "tmp"], ONE_ROW, "float", True),
    # 2-byte data: TColArgMax.hpp (pto-isa for two days of March 2026) ends with a conversion.
    ("TCOLARGMAX", ["dst", "src", "tmp"], COL_SHAPES, "half", False),
    ("TROWARGMAX", ["dst", "src", "tmp"], DRAIN_SHAPES, "half", True),
    ("TROWARGMIN", ["dst", "src", "tmp"], {"dst": (4, 1), "src": (4, 1024), "tmp": (4, 1024)}, "float", True),
]


@pytest.mark.parametrize("op, names, shapes, dtype, drains", CONDITIONAL_DRAINS)
def test_static_model_and_simulator_drain_alike_by_operands(op, names, shapes, dtype, drains):
    text, shapes, names = _drain_call(op, names, shapes, dtype)
    assert _static_drains(text) is drains
    assert _simulated_drains(op, shapes, names, dtype) is drains


def test_simulator_refuses_the_value_and_index_arg_reductions():
    # (dstVal, dstIdx, src, tmp): the simulator models the index-only form only.
    from ptofix.sim.memory import SimError
    shapes = {"val": (16, 1), "dst": (16, 1), "src": (16, 64), "tmp": (16, 64)}
    with pytest.raises(SimError):
        _simulated_drains("TROWARGMAX", shapes, ["val", "dst", "src", "tmp"])


def test_every_op_the_proof_classifies_has_effects():
    classified = {"walked in repeat order": WALKED_IN_REPEAT_ORDER, "16-bit-only chain": CHAIN_16BIT_ONLY,
                  "chain producer": CHAIN_PRODUCERS, "hidden scratch unless float": HIDDEN_SCRATCH_UNLESS_FLOAT,
                  "walked at dst's row pitch": WALKED_AT_DST_ROW_PITCH,
                  "column expand walked by chunks": COL_EXPAND_WALKED_BY_CHUNKS, "tmp reach computed": REDUCE_TMP_OPS}
    for what, names in classified.items():
        assert names <= OPS.keys(), (what, sorted(names - OPS.keys()))
    assert CHAIN_16BIT_ONLY <= WALKED_IN_REPEAT_ORDER
    # Every op walked element for element has a walk the chain rule reads (pto/walks.py): linear
    # over a contiguous static type (but the divisions, no single walk), and the expand families a
    # walk over a -1 x -1 one.
    from ptofix.pto.walks import (
        COLUMN_CHUNKS,
        LINEAR,
        NO_SINGLE_WALK,
        OTHER,
        ROW_BY_ROW,
        WALK_BY_VERSION,
        TileWalk,
        hand_walk,
    )
    for name in WALKED_IN_REPEAT_ORDER:
        static = TileWalk(16, 128, 2, "RowMajor", 16, 128, True, True, "half", True)
        # (TEXPANDS is one count-mode run, whose pace the trace does not record: no walk.)
        expected = OTHER if name in NO_SINGLE_WALK | WALK_BY_VERSION | {"TEXPANDS"} else LINEAR
        assert hand_walk(name, static, True)[0] == hand_walk(name, static, False)[0] == expected, name
    assert COL_EXPAND_WALKED_BY_CHUNKS <= WALKED_AT_DST_ROW_PITCH
    dynamic = TileWalk(16, 128, 4, "RowMajor", 16, 128, False)
    for name in OPS:
        if (OPS[name].row_expand and name != "TROWEXPAND") or name in COL_EXPAND_WALKED_BY_CHUNKS:
            # (A column expand over a -1 x -1 type runs one count-mode instruction a row: no walk.)
            expected_kinds = (OTHER,) if name in COL_EXPAND_WALKED_BY_CHUNKS else (COLUMN_CHUNKS, ROW_BY_ROW)
            assert hand_walk(name, dynamic, False)[0] in expected_kinds, name


def test_tpipe_layout_is_decoded_once():
    assert tpipe.layout([0, "DIR_C2V", 1024, 8, 2, False]).local == 4
    assert tpipe.layout([0, "DIR_C2V", 1024, 8, True, 2]).order == tpipe.OLD
    assert tpipe.layout([0, "DIR_C2V", 1024, 8]).order == tpipe.SHORT


def test_direction_tokens():
    assert [tpipe.direction_token(m) for m in (1, 2, 3)] == ["DIR_C2V", "DIR_V2C", "DIR_BOTH"]
    assert tpipe.direction_token(1, gm=True) == "DIR_C2V_GM"
    assert tpipe.direction_token(3, gm=True) == "DIR_BOTH"      # no DIR_BOTH_GM for one l2g2l pipe
    assert tpipe.base_direction("DIR_V2C_GM") == "DIR_V2C" and tpipe.base_direction(None) is None
    for mask, token in tpipe.MASK_DIRECTIONS.items():
        assert tpipe.DIRECTIONS[token] == mask       # the IR's dir_mask is the Direction enum's value
    with pytest.raises(ValueError):
        tpipe.direction_token(0)
    assert tpipe.flag_width("DIR_BOTH") == 4 and tpipe.flag_width("DIR_C2V_GM") == 2


@pytest.mark.parametrize("values, depths", [
    ([0, "DIR_C2V", 1024, 8], {2}),                       # short: the header default
    ([0, "DIR_C2V", 1024, 8, 4, False], {4}),
    ([0, "DIR_C2V", 1024, 8, 1], {1, 2}),                 # c2d8efbe: IsNoSplit 1, LocalSlotNum 2
    ([0, "DIR_C2V", 1024, 8, 1, True], {1}),              # c2d8efbe: LocalSlotNum true
    ([0, "DIR_C2V", 1024, 8, 1, False], {1}),             # c2d8efbe: LocalSlotNum 0, no valid build
    ([0, "DIR_C2V", 1024, 8, 0, False], None),            # `index % 0`
    ([0, "DIR_C2V", 1024, 8, True, 2], None),             # the old order: not trusted
    ([0, "DIR_C2V", 1024, 8, None, False], None),         # a name
])
def test_tpop_ring_depths_cover_every_header_order(values, depths):
    found = tpipe.ring_depths(values)
    assert (None if found is None else set(found)) == depths


def test_render_round_trips_through_layout():
    for order, local_index, nosplit_index in ((tpipe.NEW, 4, 5), (tpipe.OLD, 5, 4)):
        text = tpipe.render(2, "DIR_V2C", 512, 8, 4, True, order)
        args = [a.strip() for a in text[len("TPipe<"):-1].split(",")]
        values: list = [int(a) if a.isdigit() else {"true": True, "false": False}.get(a, a) for a in args]
        assert tpipe.layout(values) == tpipe.Layout(order, local_index, nosplit_index, None)
        assert values[local_index] == 4 and values[nosplit_index] is True


TILE_DTYPES = ("float", "half", "int8_t", "int32_t")


@st.composite
def tile_templates(draw) -> list[str]:
    """``Tile<...>`` argument lists as ptoas prints them, cut after any argument from Cols on."""
    rows, cols = draw(st.sampled_from((1, 8, 16, 32))), draw(st.sampled_from((1, 16, 64, 128)))
    args = ["TileType::Vec", draw(st.sampled_from(TILE_DTYPES)), str(rows), str(cols),
            "BLayout::" + draw(st.sampled_from(("RowMajor", "ColMajor"))),
            draw(st.sampled_from(("-1", str(rows), str(max(1, rows // 2))))),
            draw(st.sampled_from(("-1", str(cols), str(max(1, cols // 2))))),
            "SLayout::" + draw(st.sampled_from(("NoneBox", "RowMajor"))), "512",
            "PadValue::" + draw(st.sampled_from(("Null", "Zero")))]
    return args[:draw(st.integers(4, len(args)))]


@settings(max_examples=60, deadline=None)
@given(tile_templates())
def test_static_model_and_simulator_read_tile_templates_alike(args):
    # Both sides find each template argument by its TILE_ARGS position and use the same defaults.
    text = f"__global__ AICORE void k() {{\n  Tile<{', '.join(args)}> v1;\n}}\n"
    model = parse_cpp(SourceText(text, "k.cpp"))
    static = analyse_function(model).tile_type("v1")
    decl = next(stmt for _, stmt in model.simple_statements()).ast
    memory = sim_memory.Memory(0, UB_BYTES, core=0)
    interpreter = Interpreter(model, memory, Scheduler(memory, None, 4, 0.5), FifoState(0), KernelConfig(),
                              StatementTable())
    simulated = interpreter.tile_type(decl.type.template)
    assert static is not None
    assert (static.space, static.dtype, static.rows, static.cols, static.blayout) == \
        (simulated.loc, simulated.elem, simulated.rows, simulated.cols, simulated.blayout)
    assert static.nbytes == simulated.nbytes
    # The static model says None where the simulator keeps -1 (valid shape set at run time).
    assert (static.valid_row, static.valid_col) == tuple(
        None if value < 0 else value for value in (simulated.valid_rows, simulated.valid_cols))
    assert simulated.slayout == (args[TILE_ARG["slayout"]].split("::")[1] if len(args) > TILE_ARG["slayout"]
                                 else TILE_DEFAULTS["slayout"])


@pytest.mark.parametrize("shapes", [
    ((8, 128), (8, 64), (8, 64)),
    ((8, 96), (8, 64), (8, 64)),       # dst's rows too short for both
    ((8, 72), (8, 64), (8, 8)),        # src1 narrower than src0's block count
    ((8, 128), (4, 64), (8, 64)),      # src0 with fewer rows than dst's valid rows
    ((8, 16), (8, 4), (8, 12)),        # src0 not whole blocks: src1's part by the scalar unit
])
def test_static_model_and_simulator_bound_tconcat_alike(shapes):
    # ops.concat_row_bytes bounds both: the static model's bytes are unknown exactly when the
    # simulator refuses the call as walking past a tile.
    from ptofix.cpp.barriers import BarrierAnalysis
    from ptofix.cpp.cfg_events import EventKind
    from ptofix.sim.memory import SimError, SimTileType, TileView
    from ptofix.sim.ops_numpy import build_steps
    names = ["d", "a", "b"]
    lines = ["__global__ AICORE void k() {"]
    views = []
    for index, (name, (rows, cols)) in enumerate(zip(names, shapes, strict=True)):
        lines += [f"  {DRAIN_TILE.format(dtype='float', rows=rows, cols=cols)} {name};",
                  f"  TASSIGN({name}, {index * 0x4000});"]
        views.append(TileView(name, SimTileType("Vec", "float", rows, cols, "RowMajor", rows, cols),
                              index * 0x4000, rows, cols))
    model = parse_cpp(SourceText("\n".join(lines + ["  TCONCAT(d, a, b);", "}"]) + "\n", "k.cpp"))
    [event] = [e for e in BarrierAnalysis(model).cfg(model.functions[0]).events if e.kind is EventKind.OP]
    static_unknown = any(access.intervals is None for access in event.accesses)
    try:
        build_steps("TCONCAT", views)
        refused = False
    except SimError:
        refused = True
    assert static_unknown is refused


@pytest.mark.parametrize("valid_rows, chunks", [
    (255, [(0, 255, False)]),
    # From 256 rows on: 240 rows a broadcast, a barrier after each whole one, the rest without.
    (256, [(0, 240, True), (240, 256, False)]),
    (480, [(0, 240, True), (240, 480, True)]),
    (481, [(0, 240, True), (240, 480, True), (480, 481, False)]),
])
def test_row_expand_chunks_as_the_simulator_runs_them(valid_rows, chunks):
    from ptofix.pto.ordering import row_expand_chunks
    from ptofix.sim.memory import SimTileType, TileView
    from ptofix.sim.ops_numpy import build_steps
    assert row_expand_chunks(valid_rows) == chunks
    dst = SimTileType("Vec", "float", valid_rows, 64, "RowMajor", valid_rows, 64)
    col = SimTileType("Vec", "float", valid_rows, 1, "ColMajor", valid_rows, 1)
    views = [TileView("dst", dst, 0, valid_rows, 64), TileView("src0", dst, 0, valid_rows, 64),
             TileView("src1", col, 0x20000, valid_rows, 1)]
    steps = build_steps("TROWEXPANDMUL", views)
    # Each chunk: the broadcast, a barrier, then the op (with or without its barrier).
    assert [step.drain_after for step in steps] == [d for _, _, drains in chunks for d in (True, drains)]


@pytest.mark.parametrize("elem, cols, block_len", [
    ("float", 256, 64), ("float", 1000, 64), ("half", 1024, 64), ("float", 255, 64), ("float", 1024, 1),
    ("float", 1024, 0), ("half", 1024, 3), ("float", 1024, 1 << 30),
])
def test_static_model_and_simulator_bound_the_single_list_tmrgsort_alike(elem, cols, block_len):
    # ops.mrgsort_single_repeats bounds both: the static model's bytes are unknown exactly when
    # the simulator refuses the call, and otherwise both reach the same bytes from src and dst.
    from ptofix.cpp.barriers import BarrierAnalysis
    from ptofix.cpp.cfg_events import EventKind
    from ptofix.sim.memory import SimError, SimTileType, TileView
    from ptofix.sim.ops_numpy import build_steps
    lines = ["__global__ AICORE void k() {"]
    views = []
    for index, name in enumerate(["d", "s"]):
        lines += [f"  {DRAIN_TILE.format(dtype=elem, rows=1, cols=cols)} {name};", f"  TASSIGN({name}, {index * 0x8000});"]
        views.append(TileView(name, SimTileType("Vec", elem, 1, cols, "RowMajor", 1, cols), index * 0x8000, 1, cols))
    model = parse_cpp(SourceText("\n".join(lines + [f"  TMRGSORT(d, s, {block_len});", "}"]) + "\n", "k.cpp"))
    [event] = [e for e in BarrierAnalysis(model).cfg(model.functions[0]).events if e.kind is EventKind.OP]
    static = sorted((a.write, tuple(a.intervals)) for a in event.accesses if a.intervals is not None)
    unknown = any(access.intervals is None for access in event.accesses)
    try:
        [step] = build_steps("TMRGSORT", views + [block_len])
    except SimError:
        assert unknown
        return
    assert not unknown
    simulated = sorted([(False, tuple(step.reads)), (True, tuple(step.writes))])
    # (The proof rounds to whole 32-byte blocks; these reaches are whole blocks already.)
    assert static == simulated


@pytest.mark.parametrize("dst_cols, list_cols", [(512, (128, 128)), (384, (128, 128, 128)), (100, (64, 30, 130, 8)),
                                                 (256, (256, 256))])
def test_static_model_and_simulator_split_the_multi_list_tmrgsort_alike(dst_cols, list_cols):
    # ops.mrgsort_list_bytes and mrgsort_copy_bytes bound both: the merge, a drain, the copy; the
    # static model's bytes are the simulator's rounded up to whole 32-byte blocks.
    from ptofix.cpp.barriers import BarrierAnalysis
    from ptofix.cpp.cfg_events import EventKind
    from ptofix.sim.memory import SimTileType, TileView
    from ptofix.sim.ops_numpy import ExecutedCounts, build_steps
    from ptofix.sim.ops_numpy import sp as sim_ast
    shapes = {"d": dst_cols, "t": 1024, **{f"s{i}": cols for i, cols in enumerate(list_cols)}}
    lines = ["__global__ AICORE void k(pto::MrgSortExecutedNumList e) {"]
    views = {}
    for index, (name, cols) in enumerate(shapes.items()):
        lines += [f"  {DRAIN_TILE.format(dtype='float', rows=1, cols=cols)} {name};", f"  TASSIGN({name}, {index * 0x2000});"]
        views[name] = TileView(name, SimTileType("Vec", "float", 1, cols, "RowMajor", 1, cols), index * 0x2000, 1, cols)
    sources = [f"s{i}" for i in range(len(list_cols))]
    model = parse_cpp(SourceText("\n".join(lines + [f"  TMRGSORT(d, e, t, {', '.join(sources)});", "}"]) + "\n", "k.cpp"))
    events = [e for e in BarrierAnalysis(model).cfg(model.functions[0]).events
              if e.kind in (EventKind.OP, EventKind.DRAIN)]
    assert [e.kind for e in events] == [EventKind.OP, EventKind.DRAIN, EventKind.OP]
    steps = build_steps("TMRGSORT", [views["d"], ExecutedCounts([0] * 4), views["t"], *(views[s] for s in sources)],
                        [sim_ast.Literal(0, 5, False)])
    assert [step.drain_after for step in steps] == [True, False]

    def blocks(ranges):
        return sorted((lo, lo + -(-(hi - lo) // 32) * 32) for lo, hi in ranges)
    for event, step in zip((events[0], events[2]), steps, strict=True):
        assert sorted(x for a in event.accesses if not a.write for x in a.intervals) == blocks(step.reads)
        assert sorted(x for a in event.accesses if a.write for x in a.intervals) == blocks(step.writes)


@pytest.mark.parametrize("elem, rows, valid_cols, idx_rows, with_tmp", [
    ("float", 4, 64, 4, False), ("float", 4, 40, 1, False), ("float", 2, 40, 2, True), ("half", 3, 72, 3, True),
    ("half", 2, 64, 1, True), ("float", 2, 16, 2, False), ("float", 1, 8200, 1, False),
])
def test_static_model_and_simulator_bound_tsort32_alike(elem, rows, valid_cols, idx_rows, with_tmp):
    # ops.sort32_reach bounds both: the static model's bytes are unknown exactly when the simulator
    # refuses the call; otherwise both touch the same bytes of dst, src, idx and tmp, and drain after.
    from ptofix.cpp.barriers import BarrierAnalysis
    from ptofix.cpp.cfg_events import EventKind
    from ptofix.sim.memory import SimError, SimTileType, TileView
    from ptofix.sim.ops_numpy import build_steps
    cols = -(-valid_cols // 32) * 32
    pair = 8 // (4 if elem == "float" else 2)
    shapes = {"d": (elem, rows, cols * pair, (rows, cols * pair)), "s": (elem, rows, cols, (rows, valid_cols)),
              "i": ("uint32_t", idx_rows, cols, (idx_rows, cols)), "t": (elem, 1, cols, (1, cols))}
    names = ["d", "s", "i", "t"] if with_tmp else ["d", "s", "i"]
    lines = ["__global__ AICORE void k() {"]
    views = []
    for index, name in enumerate(names):
        dtype, trows, tcols, (vr, vc) = shapes[name]
        tile = (f"Tile<TileType::Vec, {dtype}, {trows}, {tcols}, BLayout::RowMajor, {vr}, {vc}, SLayout::NoneBox, 512, "
                "PadValue::Null>")
        lines += [f"  {tile} {name};", f"  TASSIGN({name}, {index * 0x8000});"]
        views.append(TileView(name, SimTileType("Vec", dtype, trows, tcols, "RowMajor", vr, vc), index * 0x8000, vr, vc))
    model = parse_cpp(SourceText("\n".join(lines + [f"  TSORT32({', '.join(names)});", "}"]) + "\n", "k.cpp"))
    events = [e for e in BarrierAnalysis(model).cfg(model.functions[0]).events
              if e.kind in (EventKind.OP, EventKind.DRAIN)]
    assert [e.kind for e in events] == [EventKind.OP, EventKind.DRAIN]
    unknown = any(access.intervals is None for access in events[0].accesses)
    try:
        [step] = build_steps("TSORT32", views)
    except SimError:
        assert unknown
        return
    assert not unknown and step.drain_after
    static_reads = sorted(x for a in events[0].accesses if not a.write for x in a.intervals)
    static_writes = sorted(x for a in events[0].accesses if a.write for x in a.intervals)
    assert static_reads == sorted(step.reads) and static_writes == sorted(step.writes)
