"""TFILLPAD's own instructions race (pto-isa a2a3 TFillPad.hpp at f35e7f60): its count-mode vcopy
writes row 0 of dst, then a vector_dup writes row 0's pad with no pipe_barrier(PIPE_V) between
them, whenever src's valid columns fall short of its Cols. No barrier of the kernel orders that
WAW, so `check` does not verify a kernel holding such a TFILLPAD (exit 4, the note on the op),
while the same op on full rows, and TFILLPAD_INPLACE (no vcopy), stay verified. The trace
(`check --trace`, the vendor's rule on what pto-isa issues) finds the WAW exactly in the first.
"""
from __future__ import annotations

import pytest
from test_trace import in_perfsim, ptofix, warnings

from ptofix.cli import main

KERNEL = """#include <pto/pto-inst.hpp>
using namespace pto;
using S = Tile<TileType::Vec, float, 16, 8, BLayout::RowMajor, -1, -1, SLayout::NoneBox, 512, PadValue::Null>;
using D = Tile<TileType::Vec, float, 16, 8, BLayout::RowMajor, -1, -1, SLayout::NoneBox, 512, PadValue::Min>;
extern "C" __global__ AICORE void k(__gm__ float* x)
{
  S s(16, VALID);
  TASSIGN(s, 0x0);
  D d(16, 8);
  TASSIGN(d, 1024);
  pipe_barrier(PIPE_ALL);
  OP(d, s);
  pipe_barrier(PIPE_ALL);
}
"""


def kernel(op: str, valid: int) -> str:
    return KERNEL.replace("VALID", str(valid)).replace("OP", op)


def test_a_short_row_keeps_tfillpad_unverified_with_the_caret_on_it(tmp_path, capsys):
    path = tmp_path / "k.cpp"
    text = kernel("TFILLPAD", 4)
    path.write_text(text)
    assert main(["check", "--color", "never", str(path)]) == 4
    err = capsys.readouterr().err
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "TFILLPAD(" in row)
    assert f"k.cpp:{line}:3: note: 'k' is unverified: TFILLPAD: pto-isa's TFillPad pads row 0 with a " \
           "vector_dup over bytes its own vcopy wrote" in err, err
    assert "  ^~~~~~~~" in err, err


@pytest.mark.parametrize("op, valid", [("TFILLPAD", 8), ("TFILLPAD_INPLACE", 4), ("TFILLPAD_INPLACE", 8)])
def test_full_rows_and_the_inplace_form_stay_verified(tmp_path, op, valid):
    path = tmp_path / "k.cpp"
    path.write_text(kernel(op, valid))
    assert main(["check", "-q", str(path)]) == 0


@in_perfsim
@pytest.mark.parametrize("valid, raced", [(4, True), (8, False)])
def test_the_trace_sees_the_waw_exactly_there(tmp_path, valid, raced):
    path = tmp_path / "k.cpp"
    text = kernel("TFILLPAD", valid)
    path.write_text(text)
    from test_trace import PTO_ISA
    run = ptofix("check", "--trace", "--pto-isa", str(PTO_ISA), str(path))
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "TFILLPAD(" in row)
    found = warnings(run.stderr)
    # The overlap as msSanitizer reads vcopy in count mode: the count for each repeat too
    # (mssanitizer@ffce6d2 record_parse.cpp:2329, ptofix/trace/footprint.py per_repeat_count), so
    # the vcopy's span runs to 0x600; the hardware's own reading overlaps at [0x400, 0x420).
    assert found == ([(line, "WAW", "[0x400, 0x600)")] if raced else []), run.stderr
