"""`check -I ../shared/corpus/real/include FILE` as a gate on the 31 real kernels (issue 68 item 4:
exit 4, unverified, on at most 6 for what the model does not know). The exit-4 set (with the
unverified kernels that race too, exit 1) is pinned exactly, so a relaxation that verifies one
more or a model change that loses one shows here, with each kernel's first reason. Three kinds:

Gaps of the model (issue 68's bound of 6 counts these):
- 05_fa_fused_aiv: `v36.cons.setEntryOffset(...)`, a TPipe method (pto-isa's A5 path shifts the
  TPOP's UB address by it);
- 38_qr_rms_norm_quant: a TMP_UB scratch use that depends on a path the model cannot tell;
- 41_exp_gate_up_act: ptoas's PTOAS__DCCI_SINGLE_CACHE_LINE template reads a parameter of a
  deduced (class?) type.

Ops whose operands may share UB bytes the model does not know (op_events._operands_share_bytes:
pto-isa issues the op as several vector instructions with no barrier between, so a shared byte is a
race inside the op; unknown bytes are not taken to be apart). What the model does not know, so
issue 68's bound counts these too:
- 04_fa_fused_aic, 07_softmax: a TFILLPAD whose source's valid columns are a `min` of 128 (256) and
  a difference of run-time values that may be negative (`v43 - v42 * 128` with v43 read from GM;
  `v7 - v28 * v17` with v7 a parameter), so its walk may pass the tile;
- 29_gate_1_aiv: a TROWEXPANDMUL whose operands' valid shapes are 0 x 0 (`v19 = 0`), but whose
  walk bound (tile_accesses._bound_walks) takes the per-row source, a 16 x 1 ColMajor tile of the
  destination's valid shape, as a full-shape one walked as far as the largest shape the model
  allows the other source after its TPOP, 16 x 16: past its end, bytes unknown.

Ops whose own instructions race by msSanitizer's rule, which no barrier of the kernel can order
(known, not a gap; docs/commands/check.md):
- 31_comb_sinkhorn_unformatted, 33_route_extract_top2: TFILLPAD's own vcopy and vector_dup write
  row 0 with no barrier between (pto-isa a2a3 TFillPad.hpp; `check --trace` sees the WAW);
- 08_rope_qkv (11 x 128), 09_rope_qkv_generated_a2a3 (5 x 128), 40_rmsnorm_rope (16 x 64): a TCVT
  of float to bf16 in place. pto-isa a2a3 TCvt.hpp's TCvtHead issues one vconv a row with no
  barrier between, so row 1's bf16 write lands on bytes row 0's vconv read (a WAR).

08_rope_qkv also races: two pairs of vector ops only a flag chain through two other pipes orders
(V -> MTE3 -> MTE2 -> V; msSanitizer's single-pipe check credits pipe_barrier alone, `check --trace`
reports both), so its exit status is the race's, 1; it stays unverified as above.
"""
from __future__ import annotations

import os

import pytest

from ptofix.cli import main

MODEL_GAPS = {
    "05_fa_fused_aiv.cpp": "method call '.setEntryOffset()' not modelled",
    "38_qr_rms_norm_quant.cpp": "conflict if the hidden TMP_UB scratch is used",
    "41_exp_gate_up_act.cpp": "'ptr' has a class type",
}
_TCVT = "TCVT in place: its destination shares UB bytes with its source of another element size"
_TFILLPAD = "TFILLPAD: pto-isa's TFillPad pads row 0"
OP_RACES_ITSELF = {
    "08_rope_qkv.cpp": _TCVT,
    "09_rope_qkv_generated_a2a3.cpp": _TCVT,
    "31_comb_sinkhorn_unformatted.cpp": _TFILLPAD,
    "33_route_extract_top2.cpp": _TFILLPAD,
    "40_rmsnorm_rope.cpp": _TCVT,
}
BYTES_UNKNOWN = {
    "04_fa_fused_aic.cpp": "TFILLPAD: 'v50' may share UB bytes with 'v48', which it also reads, for the model "
                           "does not know where they lie ('v48' may have a valid shape past its",
    "07_softmax.cpp": "TFILLPAD: 'v41' may share UB bytes with 'v34', which it also reads, for the model does not "
                      "know where they lie ('v34' may have a valid shape past its",
    "29_gate_1_aiv.cpp": "TROWEXPANDMUL: 'v102' may share UB bytes with 'v99', which it also reads, for the model "
                         "does not know where they lie (TROWEXPANDMUL walks 16 x 16 elements over 'v99', a 16 x 1 "
                         "tile: past its end)",
}
UNVERIFIED = MODEL_GAPS | BYTES_UNKNOWN | OP_RACES_ITSELF
# Unverified kernels that also show a race (exit 1, the more severe status).
RACES_TOO = {"08_rope_qkv.cpp"}


@pytest.mark.slow
def test_check_leaves_at_most_six_real_kernels_unverified_by_model_gaps(corpus_dir, capsys):
    real = os.path.join(corpus_dir, "real")
    include = os.path.join(real, "include")
    found: dict[str, str] = {}
    for name in sorted(n for n in os.listdir(real) if n.endswith(".cpp")):
        status = main(["check", "--color", "never", "-I", include, os.path.join(real, name)])
        err = capsys.readouterr().err
        assert status in (0, 1, 4), (name, err)
        if status == 4 or name in RACES_TOO:
            assert status == (1 if name in RACES_TOO else 4), (name, err)
            found[name] = next(line for line in err.splitlines() if "is unverified" in line)
    assert sorted(found) == sorted(UNVERIFIED), found
    for name, why in UNVERIFIED.items():
        assert why in found[name], found[name]
    # (What the model does not know, bytes included, counts; an op shown to race with itself does not.)
    gaps = [name for name, line in found.items() if not any(r in line for r in (_TCVT, _TFILLPAD))]
    assert sorted(gaps) == sorted(MODEL_GAPS | BYTES_UNKNOWN), gaps
    assert len(gaps) <= 6, gaps
