"""Red team red4: removals the proof makes on drains inside pto-isa's ops, judged by the host cost model.

The proof takes the barrier a ColMajor per-row `TROWEXPAND*` issues between its vbrcb and its op, and
the barrier `TROWSUM`/`TROWMAX`/`TCOLMAX`/`TCOLSUM` end with, as drains (docs/design/barrier-proof.md,
"Windows and drains"); two such ops share the hidden scratch. The fixtures put each case between
`pipe_barrier(PIPE_ALL)`s: with static valid shapes, and with the entry's run-time ones, run at
empty, one-element, partial and whole shapes. `run --verify-trace` traces input and output and
refuses an output with a race (msSanitizer's a2/a3 rule, ptofix/trace/judge.py) the input has not.
The first line of each fixture says how many barriers `run --pattern auto` removes and the
arguments of each traced run.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_trace import PTO_ISA, in_perfsim  # (the perfsim marks every trace test shares)

from ptofix.api import fix_cpp

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "internal_drains"
KERNELS = sorted(p.name for p in FIXTURES.glob("*.cpp"))


def first_line(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8").split("\n", 1)[0]


@pytest.mark.parametrize("name", KERNELS)
def test_the_removals_stay_as_traced(name):
    promised = int(re.search(r"removes (\d+) of", first_line(name)).group(1))
    assert len(fix_cpp((FIXTURES / name).read_text(encoding="utf-8"), patterns="auto").removed) == promised


@in_perfsim
@pytest.mark.slow
@pytest.mark.parametrize("name", KERNELS)
def test_the_trace_judge_finds_no_race_the_removals_made(name, tmp_path):
    runs = re.search(r"ARGS (.*)$", first_line(name)).group(1).split()
    for run in runs:
        args = [x for arg in run.split(",") for x in ("--arg", arg)]
        done = subprocess.run([sys.executable, "-m", "ptofix", "run", "-q", "--pattern", "auto", "--verify-trace",
                               "--pto-isa", str(PTO_ISA), "--cache-dir", str(tmp_path / "cache"), *args,
                               str(FIXTURES / name), "-o", str(tmp_path / "out.cpp")],
                              capture_output=True, text=True, cwd=ROOT, check=False)
        assert done.returncode == 0, (run, done.stderr)
        assert "ptofix: removed" in (tmp_path / "out.cpp").read_text(encoding="utf-8")
