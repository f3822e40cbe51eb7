"""The trace judge's footprints against msSanitizer's own per-instruction memory ranges
(ptofix/trace/footprint.py; Ascend/mssanitizer at ffce6d2be195: csrc/core/framework/record_parse.cpp,
csrc/plugin/record_calc_instructions.h, csrc/plugin/ccec/calc_instructions/*.cpp,
csrc/race_sanitizer/alg_framework/mem_event_checker.cpp SplitMem).

Each case is one where the judge used to take fewer bytes than msSanitizer does, so that a barrier
removal msSanitizer reports as a race passed the trace as safe; and the reductions' results, which
the judge used to span a block a repeat, now lie where msSanitizer places them, a neighbour at the
next result's slot still a race.
"""
from __future__ import annotations

import pytest

from ptofix.trace.footprint import UB_BIAS, CannotJudge, MaskState, decode
from ptofix.trace.judge import judge
from ptofix.trace.record import Call

B = UB_BIAS


def _count(n: int) -> MaskState:
    return MaskState(count_mode=True, high=0, low=n, known=True)


def _mask(low: int, high: int = 0) -> MaskState:
    return MaskState(high=high, low=low, known=True)


def _ranges(name: str, args: tuple[int, ...], state: MaskState, element: int) -> list[tuple[tuple[int, int], ...]]:
    return [a.ranges for a in decode(name, args, state, element)]


# --- norm mode: msSanitizer's mask reading (MaskNormalProcess) -------------------------------------

def test_a_sparse_mask_covers_every_element_up_to_its_highest_bit():
    # f32 element 40 only (block 5): msSanitizer takes elements 0..40, blocks 0..5.
    read, write = _ranges("vexp", (B + 0x1000, B, 1, 1, 1, 8, 8), _mask(1 << 40), 4)
    assert read == ((0, 6 * 32),) and write == ((0x1000, 0x1000 + 6 * 32),)
    # Mask bit 127, past a f32 repeat's 64 elements: msSanitizer walks on, 128 elements, 16 blocks.
    read, _ = _ranges("vexp", (B + 0x1000, B, 1, 1, 1, 8, 8), _mask(1, 1 << 63), 4)
    assert read == ((0, 16 * 32),)
    # A prefix mask is what it was: its blocks.
    read, _ = _ranges("vexp", (B + 0x1000, B, 1, 1, 1, 8, 8), _mask((1 << 9) - 1), 4)
    assert read == ((0, 64),)


def test_a_write_below_a_sparse_masks_highest_element_races():
    calls = [Call("ptofix_element", (4,), 0), Call("vadds", (B, B + 0x400, 0, 1, 1, 1, 8, 8), 0),
             Call("set_vector_mask", (0, 1 << 40), 1), Call("ptofix_element", (4,), 1),
             Call("vexp", (B + 0x800, B, 1, 1, 1, 8, 8), 1)]
    found = judge(calls)
    assert found.cannot_judge is None
    assert [(race.kind, race.overlap) for race in found.races] == [("RAW", (0, 6 * 32))]


def test_a_conversions_narrower_side_ignores_a_partial_mask():
    # vconv f16 -> f32, element 0 only: the f16 source is 4 blocks a repeat, which msSanitizer does not
    # mask; the f32 destination (8 blocks) is masked, block 0.
    read, write = _ranges("vconv_f162f32", (B + 0x1000, B, 1, 1, 1, 8, 4), _mask(1), 0)
    assert read == ((0, 128),) and write == ((0x1000, 0x1020),)


# --- count mode: vcopy's count is each repeat's in msSanitizer (MaskCountProcessByRepeat) ----------

def test_vcopy_in_count_mode_also_takes_the_count_for_every_repeat():
    read, write = _ranges("vcopy", (B + 0x1000, B, 2, 1, 1, 8, 8), _count(16), 4)
    assert read == ((0, 64), (256, 320)) and write == ((0x1000, 0x1040), (0x1100, 0x1140))


# --- compares: no mask, the repeat argument, vcmpv's dst stride in its own bits --------------------

def test_a_compares_sources_are_whole_repeats_and_its_bits_lie_dst_repeat_stride_times_their_size_apart():
    # vcmpv_lt f16, repeat 2, dstRepeatStride 3: msSanitizer's 16-byte results at 0 and 48.
    src0, src1, dst = _ranges("vcmpv_lt", (B + 0x1000, B, B + 0x400, 2, 1, 1, 1, 3, 8, 8), _mask(1), 2)
    assert src0 == ((0, 512),) and src1 == ((0x400, 0x600),)
    # (with the bits packed, [0, 32), and a block a repeat 3 blocks apart, [0, 32) and [96, 128))
    assert dst == ((0x1000, 0x1020), (0x1030, 0x1040), (0x1060, 0x1080))
    # vcmpvs in count mode with a repeat argument past the counted repeats: msSanitizer's packed bits
    # for every repeat the argument says.
    _src, dst = _ranges("vcmpvs_gt", (B + 0x1000, B, 0, 4, 1, 1, 1, 8), _count(64), 4)
    assert dst == ((0x1000, 0x1000 + 4 * 32),)


# --- reductions: msSanitizer's placement of the results (ParseRecordReduceOp, ParseOrder) -----------

def test_vcgadd_reads_its_source_at_its_repeat_stride_not_its_block_stride():
    # vcgadd(dst, src, repeat 2, dstRepeatStride 1, srcBlockStride 1, srcRepeatStride 8), f16.
    read, write = _ranges("vcgadd", (B + 0x1000, B, 2, 1, 1, 8), MaskState(), 2)
    assert read == ((0, 512),)
    assert write == ((0x1000, 0x1000 + 2 * 16),)        # 8 halves a repeat, one repeat's 16 bytes apart


@pytest.mark.parametrize("name, mode, element, repeat, drs, expected", [
    ("vcadd", 0, 2, 4, 1, ((0, 8),)),                       # one half a repeat, packed
    ("vcadd", 0, 4, 3, 2, ((0, 4), (8, 12), (16, 20))),       # drs in results
    ("vcmax", 1, 4, 3, 1, ((0, 24),)),                        # VALUE_INDEX: pairs, drs in pairs
    ("vcmin", 1, 2, 2, 2, ((0, 4), (8, 12))),
    ("vcmax", 0, 2, 2, 2, ((0, 6), (8, 12))),                 # ONLY_VALUE (2 bytes) or ONLY_INDEX (4)
    ("vcmin", 0, 4, 2, 1, ((0, 8),)),
])
def test_a_reductions_results_lie_where_mssanitizer_places_them(name, mode, element, repeat, drs, expected):
    read, write = _ranges(name, (B + 0x1000, B, repeat, drs, 1, 8, mode), MaskState(), element)
    assert read == ((0, repeat * 256),)
    assert write == tuple((0x1000 + lo, 0x1000 + hi) for lo, hi in expected)


def test_a_reduction_in_count_mode_takes_mssanitizers_result_count_when_it_is_larger():
    # vcmax VALUE_INDEX f32, 64 counted (one repeat): msSanitizer divides the count by 256 / 2 / 8 = 16.
    _read, write = _ranges("vcmax", (B + 0x1000, B, 0, 1, 1, 8, 1), _count(64), 4)
    assert write == ((0x1000, 0x1000 + 4 * 8),)
    # vcadd f16, 300 counted: 3 repeats, 3 results.
    _read, write = _ranges("vcadd", (B + 0x1000, B, 0, 1, 1, 8, 0), _count(300), 2)
    assert write == ((0x1000, 0x1006),)


def test_a_mode_mssanitizer_does_not_place_keeps_the_span():
    _read, write = _ranges("vcadd", (B + 0x1000, B, 2, 1, 1, 8, 1), MaskState(), 2)
    assert write == ((0x1000, 0x1000 + 64),)


def _pair(first: Call, second: Call, element: int) -> list[tuple[str, tuple[int, int]]]:
    found = judge([Call("ptofix_element", (element,), 0), first, Call("ptofix_element", (element,), 1), second])
    assert found.cannot_judge is None
    return [(race.kind, race.overlap) for race in found.races]


@pytest.mark.parametrize("offset, races", [(4, False), (8, True), (12, False), (16, True)])
def test_a_write_at_the_next_result_slot_races_and_one_in_the_gap_does_not(offset, races):
    # vcadd f32, 3 results 2 apart: [0, 4), [8, 12), [16, 20); a one-result vcadd at dst + offset.
    first = Call("vcadd", (B + 0x1000, B, 3, 2, 1, 8, 0), 0)
    second = Call("vcadd", (B + 0x1000 + offset, B + 0x400, 1, 1, 1, 8, 0), 1)
    found = _pair(first, second, 4)
    assert bool(found) == races
    if races:
        assert found == [("WAW", (0x1000 + offset, 0x1000 + offset + 4))]


@pytest.mark.parametrize("offset, races", [(12, True), (16, False)])
def test_a_write_over_the_last_pairs_index_races(offset, races):
    # vcmax VALUE_INDEX f32, 2 pairs packed: [0, 16); the second pair's index is [12, 16).
    first = Call("vcmax", (B + 0x1000, B, 2, 1, 1, 8, 1), 0)
    second = Call("vcadd", (B + 0x1000 + offset, B + 0x400, 1, 1, 1, 8, 0), 1)
    assert bool(_pair(first, second, 4)) == races


# --- gathers and vreducev2 ----------------------------------------------------------------------

def test_a_gathers_offsets_and_destination_as_mssanitizer_takes_them():
    # vgather to u16: 128 offsets of 4 bytes a repeat.
    _all, offsets, _dst = _ranges("vgather", (B + 0x2000, B + 0x1000, 0, 8, 1), MaskState(), 2)
    assert offsets == ((0x1000, 0x1200),)
    # vgatherb: the destination's blocks dstBlockStride apart.
    _all, _offsets, dst = _ranges("vgatherb", (B + 0x2000, B + 0x1000, 0, 8, 2, 1), MaskState(), 4)
    assert dst == ((0x2000, 0x2000 + 7 * 64 + 32),)
    # count mode: the counted offsets and elements, however many repeats.
    _all, offsets, dst = _ranges("vgather", (B + 0x2000, B + 0x1000, 0, 8, 1), _count(128), 4)
    assert offsets == ((0x1000, 0x1200),) and dst == ((0x2000, 0x2200),)


def test_vreducev2_reads_every_repeats_count_and_a_pattern_operand_it_cannot_place_is_no_pass():
    read = _ranges("vreducev2", (B + 0x2000, B, B + 0x1000, 2, 1, 1, 8, 0), _count(16), 4)[0]
    assert read == ((0, 64), (256, 320))
    with pytest.raises(CannotJudge, match="no UB address"):
        decode("vreducev2", (B + 0x2000, B, 1 << 50, 1, 1, 0, 8, 0), MaskState(), 4)
    # A built-in pattern does not read src1 (msSanitizer): whatever it holds is no matter.
    assert decode("vreducev2", (B + 0x2000, B, 1 << 50, 1, 1, 1, 8, 0), MaskState(), 4)
