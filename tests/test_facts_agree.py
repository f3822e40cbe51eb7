"""The simulator keeps its own numpy semantics, but not its own copy of the facts: every op it
executes has an entry in the effects table, element sizes agree, and wherever the static model
counts an op's internal barrier as a drain the simulator drains too."""
from __future__ import annotations

import numpy as np

from ptofix.pto import tpipe
from ptofix.pto.ops import ALWAYS, NEVER, OPS
from ptofix.pto.tiles import ELEMENT_BYTES, HIDDEN_SCRATCH, UB_BYTES
from ptofix.sim import memory as sim_memory
from ptofix.sim.ops_numpy import VECTOR_OPS


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
