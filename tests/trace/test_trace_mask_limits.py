"""The trace's footprints at the edges of the vector mask (ptofix/trace/footprint.py): a repeat of
1-byte elements has more elements than the mask has bits, and a count-mode count read from a
norm-mode mask is larger than the UB. Both are judged fail closed: never fewer bytes than the
hardware may touch, never a walk of 2**64 elements (a run that does not return)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ptofix.trace.footprint import FULL, UB_BIAS, CannotJudge, MaskState, decode
from ptofix.trace.judge import judge
from ptofix.trace.record import Call

ROOT = Path(__file__).resolve().parents[2]
PTO_ISA = Path(os.environ.get("PTOFIX_PTO_ISA") or ROOT.parent / "shared" / "pto-isa" / "f35e7f60")
CXX = os.environ.get("CXX") or "g++"


def _vand(state: MaskState, element: int) -> tuple[tuple[int, int], ...]:
    """The bytes vand(dst=0x800, src0=0, src1=0x400, repeat 1, strides 1/8) writes."""
    accesses = decode("vand", (UB_BIAS + 0x800, UB_BIAS, UB_BIAS + 0x400, 1, 1, 1, 1, 8, 8, 8), state, element)
    return accesses[-1].ranges


def test_a_repeat_of_byte_elements_is_never_cut_at_the_masks_128_bits():
    # 256 one-byte elements a repeat, a 128-bit mask: the full mask enables all 256 (8 blocks).
    assert _vand(MaskState(), 1) == ((0x800, 0x900),)
    assert _vand(MaskState(high=FULL, low=FULL, known=True), 1) == ((0x800, 0x900),)
    # msSanitizer does not apply a mask to 1-byte elements (record_parse.cpp MaskNormalProcess): the
    # whole repeat, whichever bits are set.
    assert _vand(MaskState(high=0, low=1, known=True), 1) == ((0x800, 0x900),)
    # Two-byte elements: the mask's 128 bits are the repeat's 128 elements, exactly.
    assert _vand(MaskState(high=0, low=1, known=True), 2) == ((0x800, 0x820),)


def test_a_byte_element_race_in_a_repeats_second_half_is_found():
    """vand writes bytes [0x800, 0x900) (256 one-byte elements); a later vor reads [0x880, 0x900)."""
    calls = [Call("set_vector_mask", (FULL, FULL), 0), Call("ptofix_element", (1,), 0),
             Call("vand", (UB_BIAS + 0x800, UB_BIAS, UB_BIAS + 0x400, 1, 1, 1, 1, 8, 8, 8), 0),
             Call("ptofix_element", (1,), 1),
             Call("vor", (UB_BIAS + 0x1000, UB_BIAS + 0x880, UB_BIAS + 0x880, 1, 1, 1, 1, 8, 8, 8), 1)]
    found = judge(calls)
    assert found.cannot_judge is None
    assert [(race.kind, race.overlap) for race in found.races] == [("RAW", (0x880, 0x900))]


def test_a_count_larger_than_the_ub_cannot_be_judged():
    # 2**20 f32 elements (4 MiB) cannot be in a 192 KiB UB: walked, they were 16384 repeats of ranges.
    with pytest.raises(CannotJudge, match="count of 1048576 elements, more than the UB holds"):
        decode("vexp", (UB_BIAS, UB_BIAS, 1, 1, 1, 8, 8), MaskState(count_mode=True, high=0, low=1 << 20, known=True), 4)
    with pytest.raises(CannotJudge, match="more than the UB holds"):
        decode("vreducev2", (UB_BIAS, UB_BIAS + 0x1000, 0, 1, 1, 1, 8, 8),
               MaskState(count_mode=True, high=0, low=1 << 20, known=True), 4)
    # The largest count the UB holds is walked as before.
    state = MaskState(count_mode=True, high=0, low=0x40000, known=True)
    assert decode("vexp", (UB_BIAS, UB_BIAS, 1, 1, 1, 8, 8), state, 1)[0].ranges == ((0, 0x40000),)


def test_a_norm_mask_then_count_mode_is_a_stream_that_cannot_be_judged():
    """``set_vector_mask(-1, -1); set_mask_count();`` then a vector op: a count of 2**64 - 1, which
    the judge walked repeat by repeat (it did not return)."""
    calls = [Call("set_vector_mask", (FULL, FULL), 0), Call("set_mask_count", (), 0),
             Call("ptofix_element", (4,), 1), Call("vadd", (UB_BIAS + 0x8000, UB_BIAS, UB_BIAS + 0x4000, 16, 1, 1, 1,
                                                             8, 8, 8), 1)]
    found = judge(calls)
    assert found.races == []
    assert found.cannot_judge is not None and found.cannot_judge[0] == 1
    assert "vadd runs in count mode with a count of 18446744073709551615 elements" in found.cannot_judge[1]


KERNEL = """#include "pto/pto-inst.hpp"
using namespace pto;
using F = Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>;
extern "C" __global__ AICORE void counted(int32_t which) {
#if defined(__DAV_VEC__)
  F a; TASSIGN(a, 0x0);
  F b; TASSIGN(b, 0x4000);
  F c; TASSIGN(c, 0x8000);
  set_vector_mask(-1, -1);
  set_mask_count();
  TADD(c, a, b);
#endif
}
"""


@pytest.mark.perfsim
@pytest.mark.slow
@pytest.mark.skipif(not (PTO_ISA / "include" / "pto" / "costmodel" / "perf_sim" / "launch.hpp").is_file(),
                    reason="../shared/pto-isa/f35e7f60 (a pto-isa checkout with the host cost model) is not present")
@pytest.mark.skipif(shutil.which(CXX) is None, reason=f"no C++ compiler ({CXX}; set $CXX)")
def test_check_trace_of_a_norm_mask_read_as_a_count_says_it_cannot_judge(tmp_path):
    kernel = tmp_path / "counted.cpp"
    kernel.write_text(KERNEL)
    done = subprocess.run([sys.executable, "-m", "ptofix", "check", "--trace", "--pto-isa", str(PTO_ISA),
                           "--arg", "which=0", str(kernel)],
                          capture_output=True, text=True, cwd=ROOT, check=False, timeout=300)
    assert done.returncode == 4, done.stderr
    assert re.search(r"counted\.cpp:11:3: note: the trace cannot be judged: vadd runs in count mode with a count "
                     r"of 18446744073709551615 elements, more than the UB holds", done.stderr), done.stderr
