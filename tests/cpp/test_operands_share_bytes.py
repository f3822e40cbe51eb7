"""An op whose destination shares UB bytes with another of its operands at another placement races
with itself: pto-isa a2a3 issues it as several vector instructions (a row at a time when the valid
columns fall short of the row, a head and a tail when a row is not whole repeats, one per row or
column stripe for TROWEXPAND*/TCOLEXPAND*, a copy_ubuf_to_ubuf a row for TMOV) with no
pipe_barrier(PIPE_V) between them, so a later one reads bytes an earlier one wrote (or writes bytes
it read), a pair msSanitizer's rule flags and no barrier of the kernel can order. A sweep of 845
placements (element-wise, scalar, unary, TMOV, row reductions, TROWEXPAND*, TCOLEXPANDMUL; shifted
by a block, a row, a tile's rows; broadcast operands inside the destination) found 86 that the
trace (`check --trace`) flags and `check` called verified. `check` now leaves the function
unverified (exit 4, the note on the op); the same operand twice, two operands at one placement and
disjoint operands stay verified, and so do an element-wise, scalar or unary op that issues one
linear instruction (op_events.one_linear_instruction) and a TEXTRACT that issues one copy. tests/trace/test_operands_share_bytes_trace.py has the trace say the
same of each case. The racing cases fail before the change (exit 0, verified)."""
from __future__ import annotations

import pytest

from ptofix.cli import main

KERNEL = """#include <pto/pto-inst.hpp>
using namespace pto;
using T = Tile<TileType::Vec, float, ROWS, COLS, BLayout::RowMajor, ROWS, VCOLS, SLayout::NoneBox, 512,
               PadValue::Null, CompactMode::Null>;
using C = Tile<TileType::Vec, float, ROWS, 8, BLayout::RowMajor, ROWS, 1, SLayout::NoneBox, 512,
               PadValue::Null, CompactMode::Null>;
using R = Tile<TileType::Vec, float, 1, COLS, BLayout::RowMajor, 1, VCOLS, SLayout::NoneBox, 512,
               PadValue::Null, CompactMode::Null>;
extern "C" __global__ AICORE void k()
{
  T d; TASSIGN(d, DST);
  T s; TASSIGN(s, 0x8000);
  OTHER; TASSIGN(o, AT);
  pipe_barrier(PIPE_ALL);
  CALL;
  pipe_barrier(PIPE_ALL);
}
"""
CALL_LINE = 15

# (rows, cols, valid cols, dst's address, the third operand's type and address, the call, whether
# the op races with itself). s is at 0x8000.
CASES = {
    "TMOV a row over its source, 48 of 64 columns": (16, 64, 48, "0x8100", "T o", "0x10000", "TMOV(d, s)", True),
    "TMOV a row under its source, 48 of 64 columns": (16, 64, 48, "0x7f00", "T o", "0x10000", "TMOV(d, s)", True),
    "TEXP a row over its source, 200 of 256 columns": (4, 256, 200, "0x8400", "T o", "0x10000", "TEXP(d, s)", True),
    "TADDS a row under its source, 200 of 256 columns": (4, 256, 200, "0x7c00", "T o", "0x10000",
                                                         "TADDS(d, s, 2.0f)", True),
    "TADD a row over its second source": (4, 256, 200, "0x10400", "T o", "0x10000", "TADD(d, s, o)", True),
    "TROWEXPANDMUL's column at dst": (8, 128, 128, "0x10000", "C o", "0x10000", "TROWEXPANDMUL(d, s, o)", True),
    "TROWEXPANDMUL's column a block into dst": (8, 128, 128, "0x10000", "C o", "0x10020",
                                                "TROWEXPANDMUL(d, s, o)", True),
    "TCOLEXPANDMUL's row at dst": (16, 64, 48, "0x10000", "R o", "0x10000", "TCOLEXPANDMUL(d, s, o)", True),
    "TADD in place": (4, 256, 200, "0x8000", "T o", "0x10000", "TADD(d, s, o)", False),
    "TADD in place, the same operand twice": (4, 256, 200, "0x8000", "T o", "0x10000", "TADD(d, d, o)", False),
    "TEXP in place": (4, 256, 200, "0x8000", "T o", "0x10000", "TEXP(d, s)", False),
    "TROWEXPANDMUL, disjoint": (8, 128, 128, "0x10000", "C o", "0x18000", "TROWEXPANDMUL(d, s, o)", False),
    "TMOV, disjoint": (16, 64, 48, "0x10000", "T o", "0x18000", "TMOV(d, s)", False),
    # One linear instruction (pto/walks.py: full rows, 16 whole repeats): no pair of its own.
    "TADD of full rows a row over its source, one instruction": (16, 64, 64, "0x8100", "T o", "0x10000",
                                                                 "TADD(d, s, o)", False),
    "TMULS of full rows a block under its source, one instruction": (16, 64, 64, "0x7fe0", "T o", "0x10000",
                                                                     "TMULS(d, s, 2.0f)", False),
    # pto-isa a2a3 TExtract.hpp: one copy_ubuf_to_ubuf when the valid columns are whole blocks.
    "TEXTRACT of the first row onto it, whole blocks": (4, 256, 200, "0x10000", "R o", "0x8000",
                                                        "TEXTRACT(o, s, 0, 0)", False),
}


def kernel(case: str) -> str:
    rows, cols, vcols, dst, other, at, call, _ = CASES[case]
    return (KERNEL.replace("VCOLS", str(vcols)).replace("ROWS", str(rows)).replace("COLS", str(cols))
            .replace("DST", dst).replace("OTHER", other).replace("AT", at).replace("CALL", call))


@pytest.mark.parametrize("case", sorted(CASES))
def test_check_leaves_an_op_over_its_own_operand_unverified(case, tmp_path, capsys):
    path = tmp_path / "k.cpp"
    path.write_text(kernel(case), encoding="utf-8")
    status = main(["check", "--color", "never", str(path)])
    err = capsys.readouterr().err
    if CASES[case][-1]:
        assert status == 4, err
        op = CASES[case][6].split("(")[0]
        assert f"k.cpp:{CALL_LINE}:3: note: 'k' is unverified: {op}: '" in err, err
        assert "at another placement" in err, err
    else:
        assert status == 0, err
        assert "0 races, 0 broken placements, 0 unverified functions" in err


@pytest.mark.parametrize("case", ["TADD a row over its second source", "TROWEXPANDMUL's column at dst"])
def test_check_leaves_the_input_alone(case, tmp_path, capsys):
    path = tmp_path / "k.cpp"
    text = kernel(case)
    path.write_text(text, encoding="utf-8")
    assert main(["check", "--color", "never", str(path)]) == 4
    assert path.read_text(encoding="utf-8") == text
