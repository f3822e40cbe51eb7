"""kernels/flash_attention/README.md's Perf-Sim table is what scripts/perf_fa.py writes from the
numbers it recorded (kernels/flash_attention/perf_fa.json), and those numbers are of today's
kernels: fa.cpp as shipped and ``run --pattern auto``'s output of it (their SHA-256). Perf-Sim is not
run here (tests/perf/test_perf_page.py measures S1 = 1024 again in its perfsim tier)."""
from __future__ import annotations

import hashlib
import importlib.util
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SPEC = importlib.util.spec_from_file_location("perf_fa", REPO / "scripts" / "perf_fa.py")
assert SPEC is not None and SPEC.loader is not None
perf_fa = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(perf_fa)


def test_the_readme_table_is_what_the_script_writes_from_its_record():
    readme = perf_fa.README.read_text(encoding="utf-8")
    record = perf_fa.load()
    assert perf_fa.readme_text(readme, record) == readme
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "perf_fa.py"), "readme", "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_every_length_the_issue_asks_for_was_measured_under_both_models():
    runs = perf_fa.load()["runs"]
    assert sorted({(run["s1"], run["barrier_model"]) for run in runs}) == sorted(
        (length, model) for length in perf_fa.LENGTHS for model in perf_fa.MODELS)
    assert perf_fa.LENGTHS[0] == 1024 and perf_fa.LENGTHS[-1] == 131072
    for run in runs:
        assert run["before"]["vec_critical"] < run["before"]["total_cycles"]
        if run["barrier_model"] == "pto-isa":      # (the checkout charges no barrier between PTO ops)
            assert run["after"] == run["before"]


def test_the_recorded_numbers_are_of_today_s_fa_cpp_and_auto_output(tmp_path):
    kernels = perf_fa.load()["kernels"]
    fa = perf_fa.FA.read_text(encoding="utf-8")
    assert kernels["fa.cpp"] == hashlib.sha256(fa.encode()).hexdigest()
    out = tmp_path / "fa.auto.cpp"
    subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", "-q", str(perf_fa.FA), "-o", str(out)],
                   check=True)
    assert kernels["fa.auto.cpp"] == hashlib.sha256(out.read_bytes()).hexdigest(), (
        "run --pattern auto's output changed: measure again (scripts/perf_fa.py measure --again)")


def test_a_readme_without_the_markers_is_refused():
    import pytest
    with pytest.raises(SystemExit, match="markers"):
        perf_fa.readme_text("no markers here\n", perf_fa.load())
