"""scripts/trace_operand_overlap.py on a few of its cases: a TEXP whose destination lies a row past
its source (4 x 256 floats, 200 valid columns: a head and a tail a row) races inside the op in the
trace, and `check` leaves it unverified ("caught"; before op_events._operands_share_bytes it was
verified: MISSED, exit 1); the same op in place is clean in both."""
from __future__ import annotations

import sys
from pathlib import Path

from test_trace import PTO_ISA, in_perfsim

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import trace_operand_overlap as sweep  # noqa: E402


def test_the_sweep_has_both_families():
    names = [name for name, _, _ in sweep.element_cases() + sweep.broadcast_cases()]
    assert len(names) == len(set(names)) == 845
    assert any(name.startswith("TROWEXPANDMUL-col") for name in names)


@in_perfsim
def test_the_sweep_catches_a_unary_op_a_row_past_its_source(tmp_path, capsys):
    args = sweep.parse(["--pto-isa", str(PTO_ISA), "--work", str(tmp_path),
                        "--only", r"^TEXP 4x256v4x200@(\+0|\+1024)$"])
    assert sweep.run(args) == 0
    out = capsys.readouterr().out
    assert "caught    TEXP 4x256v4x200@+1024" in out, out
    assert "clean     TEXP 4x256v4x200@+0 " in out, out
    assert "2 cases: 0 MISSED, 1 caught, 0 cautious, 1 clean" in out, out
