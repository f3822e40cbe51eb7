"""`check -I ../shared/corpus/real/include FILE` as a gate on the 31 real kernels (issue 68 item 4:
exit 4, unverified, on at most 6). The exit-4 set is pinned exactly, so a relaxation that verifies
one more or a model change that loses one shows here, with each kernel's first reason:

- 05_fa_fused_aiv: `v36.cons.setEntryOffset(...)`, a TPipe method (pto-isa's A5 path shifts the
  TPOP's UB address by it);
- 31_comb_sinkhorn_unformatted, 33_route_extract_top2: TFILLPAD's own vcopy and vector_dup write
  row 0 with no barrier between (pto-isa a2a3 TFillPad.hpp; `check --trace` sees the WAW);
- 38_qr_rms_norm_quant: a TMP_UB scratch use that depends on a path the model cannot tell;
- 41_exp_gate_up_act: ptoas's PTOAS__DCCI_SINGLE_CACHE_LINE template reads a parameter of a
  deduced (class?) type.
"""
from __future__ import annotations

import os

import pytest

from ptofix.cli import main

UNVERIFIED = {
    "05_fa_fused_aiv.cpp": "method call '.setEntryOffset()' not modelled",
    "31_comb_sinkhorn_unformatted.cpp": "TFILLPAD: pto-isa's TFillPad pads row 0",
    "33_route_extract_top2.cpp": "TFILLPAD: pto-isa's TFillPad pads row 0",
    "38_qr_rms_norm_quant.cpp": "conflict if the hidden TMP_UB scratch is used",
    "41_exp_gate_up_act.cpp": "'ptr' has a class type",
}


@pytest.mark.slow
def test_check_leaves_at_most_six_real_kernels_unverified(corpus_dir, capsys):
    real = os.path.join(corpus_dir, "real")
    include = os.path.join(real, "include")
    found: dict[str, str] = {}
    for name in sorted(n for n in os.listdir(real) if n.endswith(".cpp")):
        status = main(["check", "--color", "never", "-I", include, os.path.join(real, name)])
        err = capsys.readouterr().err
        assert status in (0, 1, 4), (name, err)
        if status == 4:
            found[name] = next(line for line in err.splitlines() if "is unverified" in line)
    assert sorted(found) == sorted(UNVERIFIED), found
    for name, why in UNVERIFIED.items():
        assert why in found[name], found[name]
    assert len(found) <= 6
