"""The trace's side of pto/ops.py compare_row_bytes (tests/cpp/test_compare_mask_reach.py has the
proof's): pto-isa f35e7f60's host cost model, judged by msSanitizer's ranges (ptofix/trace/
footprint.py), flags the two removals the proof now keeps (a TEXPANDS of the tile right after a mask
that a TCMP over 100 float columns, or a TCMPS over 130 half columns, writes past its end), and
accepts the proof's output (the other two removals)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from test_trace import PTO_ISA, in_perfsim  # (the perfsim marks every trace test shares)

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "compare_mask_reach" / "compare_rows_past_mask.cpp"


def run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ptofix", *argv], capture_output=True, text=True, cwd=ROOT,
                          check=False)


@in_perfsim
def test_the_trace_refuses_the_removals_the_proof_now_keeps(tmp_path):
    lines = FIXTURE.read_text(encoding="utf-8").split("\n")
    for line in (20, 24, 28, 32):
        assert lines[line - 1].strip().startswith("pipe_barrier(PIPE_V);")
        lines[line - 1] = "  /* removed */"
    stripped = tmp_path / "stripped.cpp"
    stripped.write_text("\n".join(lines), encoding="utf-8")
    common = ("--pto-isa", str(PTO_ISA), "--cache-dir", str(tmp_path / "cache"))
    done = run("check", "--trace", *common, str(stripped))
    # (each compare's rows also overlap each other, in the input as well: lines 19, 23, 27)
    found = re.findall(r":(\d+):\d+: warning: WAW race in the trace: TEXPANDS", done.stderr)
    assert found == ["21", "25"], done.stderr
    done = run("run", "--pattern", "auto", "--verify-trace", *common, str(FIXTURE), "-o", str(tmp_path / "out.cpp"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.cpp").read_text(encoding="utf-8").count("ptofix: removed") == 2
