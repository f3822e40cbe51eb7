"""A TCVT whose destination shares UB bytes with its source of another element size races with
itself (pto-isa a2a3 TCvt.hpp: one vconv a row, no pipe_barrier(PIPE_V) between them; msSanitizer's
rule flags the WAR of a narrowing, the RAW of a widening). ptoas 2026-08 writes such TCVTs in place
(float -> bf16 over one buffer); `check --trace` reported them in 11 kernels of
corpus/ptoas-2026-08-21 that `check` called verified. `check` now leaves the function unverified
(exit 4, the note on the TCVT), as for TFILLPAD's internal race; equal element sizes in place and
disjoint tiles stay verified. tests/trace/test_tcvt_in_place_trace.py has the trace say the same of
each case. The in-place cases fail before the change (exit 0, verified)."""
from __future__ import annotations

import pytest

from ptofix.cli import main

KERNEL = """#include <pto/pto-inst.hpp>
using namespace pto;
using F = Tile<TileType::Vec, float, ROWS, COLS, BLayout::RowMajor, ROWS, COLS, SLayout::NoneBox, 512,
               PadValue::Null, CompactMode::Null>;
using N = Tile<TileType::Vec, NARROW, ROWS, COLS, BLayout::RowMajor, ROWS, COLS, SLayout::NoneBox, 512,
               PadValue::Null, CompactMode::Null>;
extern "C" __global__ AICORE void k()
{
  F f; TASSIGN(f, 0x0);
  N n; TASSIGN(n, AT);
  pipe_barrier(PIPE_ALL);
  CALL;
  pipe_barrier(PIPE_ALL);
}
"""

# (other element type, its address, the call, whether the op races with itself, rows, cols). One
# vconv has no pair of its own: a one-row tile of whole repeats (64 floats each) or of less than one.
CASES = {
    "narrowing in place": ("bfloat16_t", "0x0", "TCVT(n, f, RoundMode::CAST_ROUND)", True, 16, 256),
    "widening in place": ("bfloat16_t", "0x0", "TCVT(f, n, RoundMode::CAST_NONE)", True, 16, 256),
    "narrowing over the source's last quarter": ("bfloat16_t", "0x3000", "TCVT(n, f, RoundMode::CAST_ROUND)", True,
                                                 16, 256),
    "half in place": ("half", "0x0", "TCVT(n, f, RoundMode::CAST_ROUND)", True, 16, 256),
    "one row, a repeat and a tail": ("bfloat16_t", "0x0", "TCVT(n, f, RoundMode::CAST_ROUND)", True, 1, 112),
    "one row of whole repeats": ("bfloat16_t", "0x0", "TCVT(n, f, RoundMode::CAST_ROUND)", False, 1, 128),
    "one row under a repeat": ("half", "0x0", "TCVT(f, n, RoundMode::CAST_NONE)", False, 1, 16),
    "same size in place": ("int32_t", "0x0", "TCVT(n, f, RoundMode::CAST_ROUND)", False, 16, 256),
    "disjoint": ("bfloat16_t", "0x4000", "TCVT(n, f, RoundMode::CAST_ROUND)", False, 16, 256),
}


def kernel(case: str) -> str:
    narrow, at, call, _, rows, cols = CASES[case]
    return (KERNEL.replace("NARROW", narrow).replace("AT", at).replace("CALL", call).replace("ROWS", str(rows))
            .replace("COLS", str(cols)))


@pytest.mark.parametrize("case", sorted(CASES))
def test_check_leaves_a_tcvt_in_place_unverified(case, tmp_path, capsys):
    path = tmp_path / "k.cpp"
    path.write_text(kernel(case), encoding="utf-8")
    status = main(["check", "--color", "never", str(path)])
    err = capsys.readouterr().err
    if CASES[case][3]:
        assert status == 4, err
        assert "k.cpp:12:3: note: 'k' is unverified: TCVT in place: its destination shares UB bytes" in err
    else:
        assert status == 0, err
        assert "0 races, 0 broken placements, 0 unverified functions" in err


def test_the_input_is_left_alone(tmp_path):
    path = tmp_path / "k.cpp"
    text = kernel("narrowing in place")
    path.write_text(text, encoding="utf-8")
    assert main(["check", "--color", "never", str(path)]) == 4
    assert path.read_text(encoding="utf-8") == text
