"""The trace's side of pto/ops.py's unmasked operands (tests/cpp/test_unmasked_operands.py has the
proof's): pto-isa f35e7f60's host cost model issues 16-bit instructions for the ops
SIXTEEN_BIT_ON_BYTE_TILES exempts on 1-byte tiles, and the trace judge (msSanitizer's ranges)
refuses the output that removes the barriers the proof now keeps next to TCVT's unmasked side, and
accepts the proof's output."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from test_trace import PTO_ISA, in_perfsim  # (the perfsim marks every trace test shares)

from ptofix.api import compile_environment
from ptofix.pto.ops import SIXTEEN_BIT_ON_BYTE_TILES
from ptofix.trace.check import TraceOptions, trace_texts
from ptofix.trace.footprint import NOT_VECTOR

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "unmasked_operands"
SIXTEEN = FIXTURES / "sixteen_bit_on_byte_tiles.cpp"
NARROW = FIXTURES / "cvt_narrow_side.cpp"


def test_the_fixture_runs_every_exempt_op():
    ops = set(re.findall(r"^\s+(T[A-Z]+)\(", SIXTEEN.read_text(encoding="utf-8"), re.M)) - {"TASSIGN"}
    assert ops == SIXTEEN_BIT_ON_BYTE_TILES


@in_perfsim
def test_the_exempt_ops_issue_no_one_byte_vector_instruction(tmp_path):
    environment = compile_environment((), (), str(PTO_ISA))
    results = trace_texts({str(SIXTEEN): SIXTEEN.read_text(encoding="utf-8")},
                          TraceOptions(environment=environment, cache_dir=tmp_path / "cache"))
    recording = results[str(SIXTEEN)].recording
    assert recording is not None
    size = 0
    vector = []
    for call in recording.calls:
        if call.name == "ptofix_element":
            size = call.args[0]
        elif call.name not in NOT_VECTOR and not call.name.startswith("set_"):
            vector.append((call.name, size))
    assert vector, "the trace recorded no vector instruction"
    assert all(element >= 2 for _, element in vector), vector


def run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ptofix", *argv], capture_output=True, text=True, cwd=ROOT,
                          check=False)


@in_perfsim
def test_the_trace_refuses_the_removals_the_proof_now_keeps(tmp_path):
    text = NARROW.read_text(encoding="utf-8")
    lines = text.split("\n")
    for line in (22, 30):        # the barriers test_unmasked_operands.KEPT keeps
        assert lines[line - 1].strip() == "pipe_barrier(PIPE_V);"
        lines[line - 1] = "  /* removed */"
    stripped = tmp_path / "stripped.cpp"
    stripped.write_text("\n".join(lines), encoding="utf-8")
    common = ("--pto-isa", str(PTO_ISA), "--cache-dir", str(tmp_path / "cache"))
    done = run("check", "--trace", *common, str(stripped))
    assert re.findall(r":(\d+):\d+: warning: WAW race in the trace", done.stderr) == ["23", "31"], done.stderr
    done = run("run", "--pattern", "auto", "--verify-trace", *common, str(NARROW), "-o", str(tmp_path / "out.cpp"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.cpp").read_text(encoding="utf-8").count("ptofix: removed") == 2
