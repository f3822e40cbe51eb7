"""The trace (pto-isa's cost model judged by msSanitizer's rule: ptofix/trace, which reads the
recorded instructions, not the static model's rule) on tests/cpp/test_operands_share_bytes.py's
kernels: a race inside the op exactly where `check` leaves the function unverified, none where it
verifies it."""
from __future__ import annotations

import pytest
from test_operands_share_bytes import CALL_LINE, CASES, kernel
from test_trace import PTO_ISA, in_perfsim, ptofix, warnings


@in_perfsim
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_trace_finds_a_race_inside_the_op_exactly_where_operands_share_bytes(case, tmp_path):
    path = tmp_path / "k.cpp"
    path.write_text(kernel(case), encoding="utf-8")
    done = ptofix("check", "--trace", "--pto-isa", str(PTO_ISA), "--cache-dir", str(tmp_path / "cache"), str(path))
    found = warnings(done.stderr)
    if CASES[case][-1]:
        assert done.returncode == 1, done.stderr
        assert found and {line for line, _, _ in found} == {CALL_LINE}, done.stderr
    else:
        assert done.returncode == 0, done.stderr
        assert found == []
