"""The trace's footprint of vreducev2, the mask-pattern TGATHER's one instruction, against the static
model's (ptofix/pto/count_mode.py gather_by_pattern_reach).

Real kernel real/33_route_extract_top2.cpp issues, with no barrier between,
``TGATHER<1x16 f32, 1x32 f32, P0101>`` into UB 0x880 and ``<…, P1010>`` into 0x8c0; the recorded
intrinsics are ``vreducev2(dst, src, src, 1, 1, mode 1 or 2, 4, 0)`` in count mode, count 32. Each
packs 16 elements (64 bytes); the trace used to take a full 256-byte repeat and reported a WAW on
[0x8c0, 0x980) that no hardware write makes. The static model was exact there; the adversarial
cases below check it stays sound where a destination is shorter than what the op packs.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from test_trace import PTO_ISA, in_perfsim, warnings

from ptofix.pto.count_mode import MASK_PATTERN_EVERY, gather_by_pattern_reach
from ptofix.trace.footprint import REDUCE_PATTERNS, UB_BIAS, CannotJudge, MaskState, decode

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "trace" / "gather_pattern.cpp"
MODES = {"P0101": 1, "P1010": 2, "P0001": 3, "P0010": 4, "P0100": 5, "P1000": 6, "P1111": 7}   # type.hpp


def _count(n: int) -> MaskState:
    return MaskState(count_mode=True, high=0, low=n, known=True)


def _written(args: tuple[int, ...], state: MaskState, element: int = 4) -> tuple[tuple[int, int], ...]:
    (write,) = [a for a in decode("vreducev2", args, state, element) if a.write]
    return write.ranges


def test_kernel_33s_two_gathers_write_64_disjoint_bytes_each():
    even = _written((UB_BIAS + 0x880, UB_BIAS + 0x800, UB_BIAS + 0x800, 1, 1, 1, 4, 0), _count(32))
    odd = _written((UB_BIAS + 0x8c0, UB_BIAS + 0x800, UB_BIAS + 0x800, 1, 1, 2, 4, 0), _count(32))
    assert even == ((0x880, 0x8c0),) and odd == ((0x8c0, 0x900),)


def test_each_built_in_pattern_keeps_its_place_of_each_repeat():
    # 100 f32 counted: a repeat of 64, then one of 36; P0001 keeps elements 0, 4, …: 16 + 9.
    assert _written((0, 0x800, 0x800, 1, 1, 3, 8, 0), _count(100)) == ((0, 25 * 4),)
    # An odd count: the first of each two is one more than the second.
    assert _written((0, 0x800, 0x800, 1, 1, 1, 8, 0), _count(33)) == ((0, 17 * 4),)
    assert _written((0, 0x800, 0x800, 1, 1, 2, 8, 0), _count(33)) == ((0, 16 * 4),)
    assert _written((0, 0x800, 0x800, 1, 1, 7, 8, 0), _count(33)) == ((0, 33 * 4),)


def test_the_repeat_argument_is_taken_as_obeyed_in_count_mode_too():
    # TGather passes src's valid rows as the repeat: 4 rows of 32, P0101: 4 x 16 elements.
    assert _written((0, 0x800, 0x800, 4, 1, 1, 4, 0), _count(32)) == ((0, 4 * 16 * 4),)


def test_norm_mode_keeps_what_the_pattern_keeps_of_every_element_the_mask_ignored():
    # msSanitizer ignores the mask of a norm-mode vreducev2 (mssanitizer record_parse.cpp
    # ParseRecordReduceV2, ParseReduceV2WriteElemCount): 64 f32 read a repeat, whatever the mask.
    four = MaskState(high=0, low=0b1111, known=True)
    assert _written((0, 0x800, 0x800, 2, 1, 7, 8, 0), four) == ((0, 2 * 64 * 4),)
    assert _written((0, 0x800, 0x800, 2, 1, 2, 8, 0), four) == ((0, 2 * 32 * 4),)
    (read,) = [a for a in decode("vreducev2", (0, 0x800, 0x800, 2, 1, 2, 8, 0), four, 4) if not a.write][:1]
    assert read.ranges == ((0x800, 0x800 + 2 * 256),)
    # No mask set in the run: a full one; f16 runs 128 elements a repeat, P0101 keeps 64.
    assert _written((0, 0x800, 0x800, 1, 1, 1, 8, 0), MaskState(), 2) == ((0, 128),)


def test_a_pattern_read_from_memory_stays_a_whole_repeat_per_repeat():
    # Mode 0 (TGATHER's compare form): how many it keeps depends on the data.
    assert _written((0, 0x800, 0x1000, 1, 1, 0, 8, 0), _count(32)) == ((0, 256),)
    assert _written((0, 0x800, 0x1000, 1, 1, 9, 8, 0), _count(32)) == ((0, 256),)
    with pytest.raises(CannotJudge, match="count mode with no count"):
        decode("vreducev2", (0, 0x800, 0x800, 1, 1, 1, 8, 0), MaskState(count_mode=True), 4)


@pytest.mark.parametrize("pattern", sorted(MODES))
def test_the_static_reach_is_never_short_of_the_traces_exact_bytes(pattern):
    assert REDUCE_PATTERNS[MODES[pattern]][0] == MASK_PATTERN_EVERY[pattern]
    for size in (2, 4):
        for cols in (1, 7, 16, 31, 32, 64, 65, 100, 128, 200):
            for rows in (1, 3):
                reach = gather_by_pattern_reach(size, 256, rows, cols, MASK_PATTERN_EVERY[pattern])
                assert reach is not None
                (written,) = _written((0, 0x800, 0x800, rows, 1, MODES[pattern], 32, 0), _count(cols), size)
                assert written[1] <= reach[0], (pattern, size, cols, rows)


# --- the static model: exact where the tiles fit, sound where a destination is too short ----------

KERNEL = '''#include "pto/pto-inst.hpp"
using namespace pto;
using Src = Tile<TileType::Vec, float, 1, 32, BLayout::RowMajor, 1, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>;
using Dst = Tile<TileType::Vec, float, 1, COLS, BLayout::RowMajor, 1, COLS, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>;
extern "C" __global__ AICORE void gather_pair() {
#if defined(__DAV_VEC__)
  Src src; TASSIGN(src, 0x800);
  Dst even; TASSIGN(even, 0x880);
  Dst odd; TASSIGN(odd, SECOND);
  set_mask_norm();
  set_vector_mask(-1, -1);
  TEXPANDS(src, 1.0f);
  pipe_barrier(PIPE_V);
  TGATHER<Dst, Src, MaskPattern::P0101>(even, src);
BARRIER  TGATHER<Dst, Src, MaskPattern::P1010>(odd, src);
#endif
}
'''


def _kernel(tmp_path: Path, name: str, cols: int, second: int, barrier: bool) -> Path:
    text = KERNEL.replace("COLS", str(cols)).replace("SECOND", hex(second))
    path = tmp_path / name
    path.write_text(text.replace("BARRIER", "  pipe_barrier(PIPE_V);\n" if barrier else ""))
    return path


def _ptofix(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ptofix", *argv], capture_output=True, text=True, cwd=ROOT,
                          check=False)


def test_check_reports_a_gather_that_overruns_its_short_tile_into_the_next(tmp_path):
    # 1 x 8 destinations 32 bytes apart: P0101 over 32 columns packs 16 elements, [2176, 2240).
    done = _ptofix("check", str(_kernel(tmp_path, "short.cpp", 8, 0x8a0, False)))
    assert "short.cpp:15:3: warning: WAW race: TGATHER writes odd [2208, 2240)" in done.stderr, done.stderr
    assert "short.cpp:14:3: note: TGATHER writes even [2176, 2240) here" in done.stderr
    assert done.returncode == 1, done.stderr
    clean = _ptofix("check", str(_kernel(tmp_path, "disjoint.cpp", 16, 0x8c0, False)))
    assert clean.returncode == 0 and "warning" not in clean.stderr, clean.stderr


def test_run_keeps_the_barrier_between_overrunning_gathers_and_removes_it_between_disjoint_ones(tmp_path):
    short = _kernel(tmp_path, "short.cpp", 8, 0x8a0, True)
    before = short.read_text()
    done = _ptofix("run", "--pattern", "auto", "-i", "--report", "text", str(short))
    assert done.returncode == 0, done.stderr
    assert short.read_text().count("pipe_barrier(PIPE_V);") == 2 == before.count("pipe_barrier(PIPE_V);")
    assert "WAW: TGATHER write even [2176,2240) at 14:3 -> TGATHER write odd [2208,2272) at 16:3" in done.stderr
    disjoint = _kernel(tmp_path, "disjoint.cpp", 16, 0x8c0, True)
    done = _ptofix("run", "--pattern", "auto", "-i", str(disjoint))
    assert done.returncode == 0, done.stderr
    assert disjoint.read_text().count("pipe_barrier(PIPE_V);") == 1


# --- the recorded run ---------------------------------------------------------------------------

@in_perfsim
@pytest.mark.parametrize("which, expected", [(0, []), (1, [(32, "WAW", "[0x8a0, 0x8c0)")])])
def test_the_trace_shows_exactly_the_bytes_each_gather_packs(which, expected):
    done = _ptofix("check", "--trace", "--pto-isa", str(PTO_ISA), "--arg", f"which={which}", str(FIXTURE))
    assert warnings(done.stderr) == expected, done.stderr
    assert done.returncode == (1 if expected else 0), done.stderr
