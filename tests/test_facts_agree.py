"""The simulator keeps its own numpy semantics, but not its own copy of the facts: every op it
executes has an entry in the effects table, element sizes agree, and wherever the static model
counts an op's internal barrier as a drain the simulator drains too."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptofix.cpp.parser import parse_cpp
from ptofix.cpp.semantics import analyse_function
from ptofix.pto import tpipe
from ptofix.pto.ops import ALWAYS, NEVER, OPS
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


def test_static_drains_are_simulated_drains():
    # Ops the static model treats as ending with a drain whatever their shape: the simulator must
    # end them with one as well (the reverse may differ: the static side may count fewer drains).
    from ptofix.sim.ops_numpy import TRAILING_DRAIN_OPS
    always = {name for name, spec in OPS.items() if spec.trailing_drain == ALWAYS}
    assert always <= TRAILING_DRAIN_OPS, always - TRAILING_DRAIN_OPS
    conditional = {name for name, spec in OPS.items() if spec.trailing_drain not in (ALWAYS, NEVER)}
    assert conditional <= TRAILING_DRAIN_OPS


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
