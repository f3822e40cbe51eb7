"""The select family in the trace (ptofix/trace/select.py): set_cmpmask, vsel and the CMPMASK register
between them, judged by msSanitizer's rule on hand-made recorded streams.

msSanitizer (Ascend/mssanitizer csrc/plugin/ccec/calc_instructions/vsel.cpp RecordCmpMaskLoad): a
vsel first loads, as a PIPE_V record of its own, 32 / sizeof(T) bytes (mode 0), sizeof(T) (mode 1) or
8 (mode 2) at the address the last set_cmpmask gave; mode 1's mask (src1) is one block of 32 /
sizeof(T) bytes a repeat. What the trace adds as the hardware does it: set_cmpmask's own 16-byte load
when it runs, every mask bit a vsel runs over, and mode 2's mask at the address the register holds
(known only from a vector_dup of this run). Before, a stream with a set_cmpmask could not be judged
(``no footprint is known for the intrinsic set_cmpmask``): every test here fails on that code.
"""
from __future__ import annotations

import pytest

from ptofix.trace.check import race_keys
from ptofix.trace.footprint import FULL, UB_BIAS
from ptofix.trace.judge import Judgement, judge
from ptofix.trace.record import Call
from ptofix.trace.select import CMPMASK_LOAD

B = UB_BIAS
FLOAT, HALF = 4, 2


def vsel(dst: int, s0: int, s1: int, mode: int, element: int = FLOAT, site: int = 0) -> list[Call]:
    return [Call("ptofix_element", (element,), site),
            Call("vsel", (B + dst, B + s0, B + s1, 1, 1, 1, 1, 8, 8, 8, mode), site)]


def dup(dst: int, value: int, count: int, element: int = 4, site: int = 0) -> list[Call]:
    """TSEL's ``vector_dup(tmp, (uint32_t)mask_row, ...)`` under a count of ``count``."""
    return [Call("set_mask_count", (), site), Call("set_vector_mask", (0, count), site),
            Call("ptofix_element", (element,), site), Call("vector_dup", (B + dst, value, 1, 1, 1, 8, 0), site)]


def count(elements: int, site: int = 0) -> list[Call]:
    return [Call("set_mask_count", (), site), Call("set_vector_mask", (0, elements), site)]


def norm(site: int = 0) -> list[Call]:
    return [Call("set_mask_norm", (), site), Call("set_vector_mask", (FULL, FULL), site)]


def barrier(site: int = 0) -> Call:
    return Call("pipe_barrier", (1,), site)


def setmask(address: int, site: int = 0) -> Call:
    return Call("set_cmpmask", (B + address,), site)


def accesses(found: Judgement, name: str) -> list[list[tuple[bool, tuple[tuple[int, int], ...]]]]:
    return [[(each.write, each.ranges) for each in instruction.accesses]
            for instruction in found.instructions if instruction.name == name]


def tsel_row(tmp: int, mask_row: int, dst: int, s0: int, s1: int, cols: int, site: int = 0) -> list[Call]:
    """One row of pto-isa a2a3 TSEL (TSel.hpp at f35e7f60), float data."""
    return [*dup(tmp, mask_row, 2, site=site), barrier(site), setmask(tmp, site), barrier(site),
            Call("set_vector_mask", (0, cols), site), *vsel(dst, s0, s1, 2, site=site)]


def test_set_cmpmask_loads_its_16_bytes_and_each_vsel_msSanitizers_bytes_by_mode_and_type():
    for mode, element, loaded in ((0, FLOAT, 8), (0, HALF, 16), (1, FLOAT, 4), (1, HALF, 2)):
        found = judge([*norm(), setmask(0x100), barrier(), *vsel(0x400, 0x800, 0xC00, mode, element)])
        assert found.cannot_judge is None, found.cannot_judge
        assert accesses(found, "set_cmpmask") == [[(False, ((0x100, 0x110),))]]
        assert accesses(found, CMPMASK_LOAD) == [[(False, ((0x100, 0x100 + loaded),))]], (mode, element)


def test_a_vsel_with_no_set_cmpmask_in_the_run_loads_nothing_in_modes_0_and_1():
    found = judge([*norm(), *vsel(0x400, 0x800, 0xC00, 0)])
    assert found.cannot_judge is None
    assert accesses(found, CMPMASK_LOAD) == []
    assert accesses(found, "vsel") == [[(False, ((0x800, 0x900),)), (False, ((0xC00, 0xD00),)),
                                        (True, ((0x400, 0x500),))]]


def test_a_mode_1_mask_is_msSanitizers_block_a_repeat_or_every_bit_the_count_runs_over():
    # float, count 40: the block (8 bytes) covers the 5 bytes of bits.
    found = judge([*count(40), setmask(0x100), *vsel(0x400, 0x800, 0xC00, 1)])
    assert accesses(found, "vsel")[0][1] == (False, ((0xC00, 0xC08),))
    # float, count 300: 38 bytes of bits, past the block.
    found = judge([*count(300), setmask(0x100), *vsel(0x2000, 0x3000, 0x5000, 1)])
    assert accesses(found, "vsel")[0][1] == (False, ((0x5000, 0x5026),))
    # half, norm mode, 3 repeats: a 16-byte block each.
    found = judge([*norm(), Call("ptofix_element", (2,), 0),
                   Call("vsel", (B + 0x400, B + 0x800, B + 0xC00, 3, 1, 1, 1, 8, 8, 8, 1), 0)])
    assert accesses(found, "vsel")[0][1] == (False, ((0xC00, 0xC30),))


def test_a_mode_2_vsel_reads_the_mask_row_whose_address_its_vector_dup_wrote():
    found = judge([*tsel_row(0xD00, 0xC20, 0x0, 0x400, 0x800, 40)])
    assert found.cannot_judge is None, found.cannot_judge
    # dst, src0, src1 (count 40 floats), and the mask: 5 bytes of bits at 0xC20.
    assert accesses(found, "vsel") == [[(False, ((0x400, 0x4A0),)), (False, ((0x800, 0x8A0),)),
                                        (False, ((0xC20, 0xC25),)), (True, ((0x0, 0xA0),))]]
    assert accesses(found, CMPMASK_LOAD) == [[(False, ((0xD00, 0xD08),))]]


@pytest.mark.parametrize("between, why", [
    ([], None),
    ([Call("ptofix_element", (4,), 0), Call("vadds", (B + 0xD00, B + 0x400, 0, 1, 1, 1, 8, 8), 0)],
     "were not filled by a vector_dup"),
    ([Call("ptofix_scalar", (1, B + 0xD04, 4), 0)], "were not filled by a vector_dup"),
    ([Call("ptofix_scalar", (1, B + 0x9000, 0), 0)], "were not filled by a vector_dup"),
    ([Call("copy_gm_to_ubuf_align_b32", (B + 0xD00, 0, 0, 1, 32, 0, 0, 0, 0), 0)],
     "were not filled by a vector_dup"),
])
def test_a_mode_2_address_written_since_its_vector_dup_cannot_be_judged(between, why):
    calls = [*dup(0xD00, 0xC20, 2), barrier(), *between, setmask(0xD00), barrier(),
             Call("set_vector_mask", (0, 40), 0), *vsel(0x0, 0x400, 0x800, 2)]
    found = judge(calls)
    if why is None:
        assert found.cannot_judge is None
    else:
        assert found.cannot_judge is not None and why in found.cannot_judge[1], found.cannot_judge
        assert "vsel in mode 2 reads its mask at the UB address the CMPMASK register holds" in found.cannot_judge[1]


def test_a_mode_2_address_of_another_element_size_or_no_ub_offset_or_no_set_cmpmask_cannot_be_judged():
    half_dup = judge([*dup(0xD00, 0xC20, 4, element=2), barrier(), setmask(0xD00), barrier(),
                      *vsel(0x0, 0x400, 0x800, 2)])
    assert half_dup.cannot_judge is not None and "were not filled by a vector_dup of at most 16 4-byte elements" \
        in half_dup.cannot_judge[1]
    long_dup = judge([*dup(0xD00, 0xC20, 64), barrier(), setmask(0xD00), barrier(), *vsel(0x0, 0x400, 0x800, 2)])
    assert long_dup.cannot_judge is not None and "were not filled by a vector_dup" in long_dup.cannot_judge[1]
    far = judge([*dup(0xD00, 0x7FFFFFFF, 2), barrier(), setmask(0xD00), barrier(), *vsel(0x0, 0x400, 0x800, 2)])
    assert far.cannot_judge is not None and "is no UB offset" in far.cannot_judge[1]
    unset = judge([*count(40), *vsel(0x0, 0x400, 0x800, 2)])
    assert unset.cannot_judge is not None and "no set_cmpmask ran before it" in unset.cannot_judge[1]


def test_a_select_mode_not_known_cannot_be_judged():
    found = judge([*norm(), setmask(0x100), *vsel(0x400, 0x800, 0xC00, 3)])
    assert found.cannot_judge is not None and "select mode 3" in found.cannot_judge[1]


def test_pto_isas_tsel_row_loop_races_by_msSanitizers_rule():
    """Row i's vsel loads the tmp (its CMPMASK load); row i + 1's vector_dup rewrites it with no
    barrier between: WAR, as msSanitizer reports (the hardware took the tmp into the register at
    set_cmpmask, behind a barrier: by that reading no race)."""
    calls = [*tsel_row(0xD00, 0xC00, 0x0, 0x400, 0x800, 40), *tsel_row(0xD00, 0xC20, 0x100, 0x500, 0x900, 40)]
    found = judge(calls)
    assert found.cannot_judge is None
    assert [(race.kind, race.earlier.name, race.later.name, race.overlap) for race in found.races] == [
        ("WAR", CMPMASK_LOAD, "vector_dup", (0xD00, 0xD08))]


def test_a_vsel_whose_dst_overlaps_its_cmpmask_source_races_with_its_own_load():
    """msSanitizer's load is a record of its own, before the vsel's: a dst over the loaded bytes is a WAR."""
    found = judge([*norm(), setmask(0x400), barrier(), *vsel(0x400, 0x800, 0xC00, 0)])
    assert [(race.kind, race.earlier.name, race.later.name) for race in found.races] == [
        ("WAR", CMPMASK_LOAD, "vsel")]


def test_set_cmpmask_after_a_write_of_its_source_with_no_barrier_races():
    """The load at set_cmpmask (not msSanitizer's: it defers the load to the vsel, behind TSEL's
    barrier) is what the hardware reads: a vector write of the tmp just before it races."""
    calls = [*dup(0xD00, 0xC20, 2), setmask(0xD00), barrier(), Call("set_vector_mask", (0, 40), 0),
             *vsel(0x0, 0x400, 0x800, 2)]
    found = judge(calls)
    assert [(race.kind, race.earlier.name, race.later.name) for race in found.races] == [
        ("RAW", "vector_dup", "set_cmpmask")]


def test_a_race_on_the_load_and_one_on_its_vsel_are_two_races_when_runs_are_compared():
    """The load shares its vsel's stream position: the keys run --verify-trace compares keep the two
    races of one later write apart (keyed by position alone, they were one)."""
    calls = [*norm(), setmask(0x800), barrier(), *vsel(0x400, 0x800, 0xC00, 0),
             Call("ptofix_element", (4,), 1), Call("vadds", (B + 0x800, B + 0x2000, 0, 1, 1, 1, 8, 8), 1)]
    found = judge(calls)
    assert found.cannot_judge is None, found.cannot_judge
    assert sorted((race.kind, race.earlier.name, race.later.name) for race in found.races) == [
        ("WAR", "vsel", "vadds"), ("WAR", CMPMASK_LOAD, "vadds")]
    assert len(race_keys(found)) == 2
