"""A Vec -> Vec TEXTRACT (or TINSERT) between RowMajor tiles whose column offset may not be a whole
number of 32-byte blocks fails closed.

pto-isa a2a3 (f35e7f60) starts the copy at the source's (TINSERT: the destination's) address plus the
column offset's elements, and asks for whole blocks only by a PTO_ASSERT that a release build
compiles out (TExtract.hpp TExtractVecToVecNDDispatch, tinsert_common.hpp TInsertVecToVecNDDispatch).
The cost model then issues the same copy_ubuf_to_ubuf (or a tail's vcopy) at an address off the UB's
block grid (tests/trace/test_extract_column_offset_trace.py), which the CCE copy does not take: which
bytes the hardware touches is not known. So every operand's bytes are unknown (`run` keeps the
barriers around the op, its reason naming the offset) and `check` leaves the function unverified,
the op alone included. A run-time offset the model cannot show to be whole blocks is the same.

Whole-block offsets (a literal, the loop counter times a block, a row offset), the 1 x 1 scalar path
and NZ tiles (the offset rounded down to whole stripes) stay as precise as before. Every unaligned
case fails on the code before this change (the barrier removed, or `check` verified, or the reason
another)."""
from __future__ import annotations

import pytest

from ptofix.api import fix_cpp
from ptofix.cli import main


def _tile(dtype: str, rows: int, cols: int, valid: str, layout: str = "RowMajor", fractal: str = "NoneBox") -> str:
    return (f"Tile<TileType::Vec, {dtype}, {rows}, {cols}, BLayout::{layout}, {valid}, SLayout::{fractal}, 512, "
            "PadValue::Null>")


F_SRC = _tile("float", 8, 64, "8, 64")            # s at 0: 8 rows of 256 bytes
H_SRC = _tile("half", 8, 64, "8, 64")             # s at 0: 8 rows of 128 bytes
F_WIN = _tile("float", 4, 8, "4, 8")              # d at 0x4000: 4 rows of one block
F_WIN3 = _tile("float", 4, 8, "4, 3")             # 3 valid columns: the vcopy tail path
F_WIN_DYN = _tile("float", 4, 8, "-1, -1")
F_WIN1 = _tile("float", 1, 8, "1, 1")             # the scalar path
H_WIN = _tile("half", 4, 16, "4, 16")
NZ_SRC = _tile("float", 32, 16, "32, 16", "ColMajor", "RowMajor")
NZ_WIN = _tile("float", 16, 8, "16, 8", "ColMajor", "RowMajor")

KERNEL = """#include <pto/pto-inst.hpp>
using namespace pto;
__global__ AICORE void k(int32_t c)
{{
  {src} s;
  TASSIGN(s, 0x0);
  {win} d{ctor};
  TASSIGN(d, 0x4000);
  {win} e{ctor};
  TASSIGN(e, 0x5000);
  {n} n;
  TASSIGN(n, 0x8000);
  pipe_barrier(PIPE_ALL);
  {call}
{barrier}  TMULS(n, n, 2.0f);
}}
"""
N = _tile("float", 4, 8, "4, 8")
# (PIPE_ALL orders each iteration's TEXTRACT into d after the one before; the last is in flight past the loop.)
LOOP3 = "for (int32_t i = 0; i < 3; ++i) {{\n    pipe_barrier(PIPE_ALL);\n    TEXTRACT(d, s, 0, {col});\n  }}"

# name: (source type, window type, the call, the reason's words)
UNALIGNED = {
    "3 floats": (F_SRC, F_WIN, "TEXTRACT(d, s, 0, 3);", "TEXTRACT column offset 3 (12 bytes) is not a whole"),
    "7 floats at row 1": (F_SRC, F_WIN, "TEXTRACT(d, s, 1, 7);", "TEXTRACT column offset 7 (28 bytes)"),
    "1 half": (H_SRC, H_WIN, "TEXTRACT(d, s, 0, 1);", "TEXTRACT column offset 1 (2 bytes)"),
    "7 halves": (H_SRC, H_WIN, "TEXTRACT(d, s, 0, 7);", "TEXTRACT column offset 7 (14 bytes)"),
    "3 floats into 3 valid columns": (F_SRC, F_WIN3, "TEXTRACT(d, s, 0, 3);", "TEXTRACT column offset 3 (12 bytes)"),
    "3 floats into a run-time valid shape": (F_SRC, F_WIN_DYN, "TEXTRACT(d, s, 0, 3);",
                                             "TEXTRACT column offset 3 (12 bytes)"),
    "a named constant": (F_SRC, F_WIN, "const uint16_t col = 5;\n  TEXTRACT(d, s, 0, col);",
                         "TEXTRACT column offset 5 (20 bytes)"),
    "the loop counter": (F_SRC, F_WIN, LOOP3.format(col="i"), "TEXTRACT column offset 1 (4 bytes)"),
    "a kernel parameter": (F_SRC, F_WIN, "TEXTRACT(d, s, 0, c);",
                           "TEXTRACT column offset c: ptofix cannot tell that it is a whole number of 32-byte "
                           "blocks (its values are not known)"),
    "two destinations": (F_SRC, F_WIN, "TEXTRACT(d, e, s, 0, 8, 1, 3);", "TEXTRACT column offset 3 (12 bytes)"),
    "TINSERT at 3 floats": (F_SRC, F_WIN, "TINSERT(s, d, 0, 3);", "TINSERT column offset 3 (12 bytes)"),
}
ALIGNED = {
    "8 floats": (F_SRC, F_WIN, "TEXTRACT(d, s, 0, 8);"),
    "16 halves at row 2": (H_SRC, H_WIN, "TEXTRACT(d, s, 2, 16);"),
    "the loop counter times a block": (F_SRC, F_WIN, LOOP3.format(col="i * 8")),
    "the scalar path at column 3": (F_SRC, F_WIN1, "TEXTRACT(d, s, 1, 3);"),
    "NZ tiles at column 3": (NZ_SRC, NZ_WIN, "TEXTRACT(d, s, 0, 3);"),
    "TINSERT at 8 floats": (F_SRC, F_WIN, "TINSERT(s, d, 1, 8);"),
}


def kernel(src: str, win: str, call: str, barrier: bool = True) -> str:
    return KERNEL.format(src=src, win=win, ctor="(4, 8)" if "-1, -1" in win else "", n=N, call=call,
                         barrier="  pipe_barrier(PIPE_V);\n" if barrier else "")


@pytest.mark.parametrize("name", sorted(UNALIGNED))
def test_run_keeps_the_barrier_after_an_off_grid_window_and_says_why(name):
    src, win, call, why = UNALIGNED[name]
    result = fix_cpp(kernel(src, win, call), patterns="auto")
    assert [d.decision for d in result.decisions] == ["kept"], result.decisions
    assert why in result.decisions[0].reason, result.decisions[0].reason
    assert "asserts it only in debug builds" in result.decisions[0].reason


@pytest.mark.parametrize("name", sorted(ALIGNED))
def test_run_removes_the_barrier_after_a_window_on_the_grid(name):
    src, win, call = ALIGNED[name]
    result = fix_cpp(kernel(src, win, call), patterns="auto")
    assert [d.decision for d in result.decisions] == ["removed"], result.decisions


@pytest.mark.parametrize("barrier", [True, False])
@pytest.mark.parametrize("name", sorted(UNALIGNED))
def test_check_leaves_a_function_with_an_off_grid_window_unverified(name, barrier, tmp_path, capsys):
    src, win, call, why = UNALIGNED[name]
    path = tmp_path / "k.cpp"
    path.write_text(kernel(src, win, call, barrier), encoding="utf-8")
    status = main(["check", "--color", "never", str(path)])
    err = capsys.readouterr().err
    assert status == 4, err
    assert "note: 'k' is unverified: " in err and why in err, err


@pytest.mark.parametrize("barrier", [True, False])
@pytest.mark.parametrize("name", sorted(ALIGNED))
def test_check_verifies_a_function_with_windows_on_the_grid(name, barrier, tmp_path, capsys):
    src, win, call = ALIGNED[name]
    path = tmp_path / "k.cpp"
    path.write_text(kernel(src, win, call, barrier), encoding="utf-8")
    status = main(["check", "--color", "never", str(path)])
    err = capsys.readouterr().err
    assert status == 0, err
    assert "0 races, 0 broken placements, 0 unverified functions" in err


def test_an_off_grid_window_onto_its_own_source_is_not_one_copy(tmp_path, capsys):
    """op_events._one_copy exempted a TEXTRACT between RowMajor tiles of whole-block valid columns
    from the operands-share-bytes rule (one copy_ubuf_to_ubuf); at column 3 its copy starts off the
    grid: not exempt, and the function is unverified (it was verified before)."""
    row = _tile("float", 1, 256, "1, 200")
    text = KERNEL.format(src=_tile("float", 4, 256, "4, 200"), win=row, ctor="", n=N, barrier="",
                         call="TEXTRACT(d, s, 0, 3);").replace("TASSIGN(d, 0x4000)", "TASSIGN(d, 0x0)")
    path = tmp_path / "k.cpp"
    path.write_text(text, encoding="utf-8")
    assert main(["check", "--color", "never", str(path)]) == 4
    assert "TEXTRACT column offset 3 (12 bytes)" in capsys.readouterr().err
    path.write_text(text.replace("TEXTRACT(d, s, 0, 3)", "TEXTRACT(d, s, 0, 8)"), encoding="utf-8")
    assert main(["check", "--color", "never", str(path)]) == 0
