"""``check --trace`` and plain ``check`` agree on the real kernels whose vector ops only a flag chain
through two other pipes orders (V -> MTE3 -> MTE2 -> V): the trace judge (ptofix/trace/judge.py)
credits a barrier or a direct round trip V -> X -> V, as msSanitizer's single-pipe check credits
pipe_barrier alone; the static check follows the same rule now (ptofix/cpp/flag_chains.py). Before,
check reported none of these races (0 on each kernel) while the trace reported 1 and 3.

Slow (one cost-model build per kernel); kept to these two kernels."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ptofix import api

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
PTO_ISA = Path(os.environ.get("PTOFIX_PTO_ISA") or ROOT.parent / "shared" / "pto-isa" / "f35e7f60")
CXX = os.environ.get("CXX") or "g++"

# The op pairs (earlier line, later line) the trace reports, RAW each; and those the static check
# adds: in 36 the inner loop (lines 111-160) may run no iteration as far as the model knows (it reads
# no trip count), so TEXPANDS (line 110) reaches TMULS past it, ordered only by the same chain.
TRACE_PAIRS = {"36_gate_dot_0.cpp": {(159, 179)}, "46_qk_norm.cpp": {(229, 112), (229, 273), (390, 273)}}
STATIC_ONLY = {"36_gate_dot_0.cpp": {(110, 179)}, "46_qk_norm.cpp": set()}


def _line(location) -> int:
    return location.line if hasattr(location, "line") else int(str(location).rsplit(":", 2)[-2])


@pytest.mark.slow
@pytest.mark.perfsim
@pytest.mark.corpus
@pytest.mark.skipif(not (CORPUS / "real" / "include").is_dir(), reason="../shared/corpus is not present")
@pytest.mark.skipif(not (PTO_ISA / "include").is_dir(), reason="../shared/pto-isa/f35e7f60 is not present")
@pytest.mark.skipif(shutil.which(CXX) is None, reason="no C++ compiler")
@pytest.mark.parametrize("name", sorted(TRACE_PAIRS))
def test_check_and_its_trace_report_the_same_pairs(name):
    path = CORPUS / "real" / name
    include = str(CORPUS / "real" / "include")
    proc = subprocess.run([sys.executable, "-m", "ptofix", "check", "--trace", "--pto-isa", str(PTO_ISA), "-I",
                           include, "--report", "json", str(path)], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    traced = json.loads(proc.stdout)["files"][0]["races"]
    assert {(_line(r["earlier"]["location"]), _line(r["later"]["location"])) for r in traced} == TRACE_PAIRS[name]
    assert {(r["kind"], r["category"]) for r in traced} == {("RAW", "overlap")}
    report = api.check_report(path.read_text(encoding="utf-8"), [include], path=str(path))
    static = {(_line(r["earlier"]["location"]), _line(r["later"]["location"])) for r in report["races"]}
    assert static == TRACE_PAIRS[name] | STATIC_ONLY[name]
    assert {(r["kind"], r["category"]) for r in report["races"]} == {("RAW", "multi-pipe-chain")}
