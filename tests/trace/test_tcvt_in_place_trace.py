"""The trace (pto-isa's cost model judged by msSanitizer's rule: ptofix/trace, which reads the
recorded vconvs, not the static model's rule) on tests/cpp/test_tcvt_in_place.py's kernels: a race
inside the TCVT exactly where `check` leaves the function unverified, none where it verifies it."""
from __future__ import annotations

import pytest
from test_tcvt_in_place import CASES, kernel
from test_trace import PTO_ISA, in_perfsim, ptofix, warnings


@in_perfsim
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_trace_finds_a_race_inside_the_tcvt_exactly_in_place(case, tmp_path):
    path = tmp_path / "k.cpp"
    path.write_text(kernel(case), encoding="utf-8")
    done = ptofix("check", "--trace", "--pto-isa", str(PTO_ISA), "--cache-dir", str(tmp_path / "cache"), str(path))
    found = warnings(done.stderr)
    if CASES[case][3]:
        assert done.returncode == 1, done.stderr
        assert found and {line for line, _, _ in found} == {12}, done.stderr
        assert "TCVT's vconv" in done.stderr
    else:
        assert done.returncode == 0, done.stderr
        assert found == []
