"""Every barrier removal `ptofix run --pattern auto` makes on corpus kernels the interpreter can
run is confirmed by simulation (a second, independent line of defence)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ptofix.sim.runner import SimOptions, simulate

pytestmark = pytest.mark.corpus

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"
KERNELS = [
    "real/54_hardswish_kernel.cpp",
    "real/21_fas_dense_attention_row_softmax.cpp",
    "ptoas-2026-04-17/samples/FlashAttention/flash_attention_softmax.cpp",
    "ptoas-2026-04-17/samples/GQA/gqa_softmax.cpp",
    "ptoas-2026-04-17/samples/ControlFlow/control_flow_nested_vec.cpp",
]


@pytest.mark.parametrize("rel", KERNELS)
def test_pass_rewrite_is_confirmed_on_corpus_kernel(rel, tmp_path):
    path = CORPUS / rel
    if not path.exists():
        pytest.skip(f"corpus kernel {rel} not present")
    proc = subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", str(path)],
                          capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    rewritten = tmp_path / path.name
    rewritten.write_text(proc.stdout)
    rep = simulate(path, rewritten, 4, SimOptions())
    assert rep.difference is None, rep.difference.format(str(path), str(rewritten))
    assert rep.steps > 0
