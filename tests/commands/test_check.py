"""`ptofix check`: the PIPE_V races ptoas leaves in, and `--fix`."""
from __future__ import annotations

import glob
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ptofix.cpp.races import find_races
from ptofix.frontends import PARSERS, parse_cpp
from ptofix.pass_manager import build_pass, run_pipeline
from ptofix.source import PtofixError, SourceText

REPO = Path(__file__).resolve().parents[2]

# Races found in ../shared/corpus (relative path -> count); a change in the model shows here.
CORPUS_RACES = {
    "ptoas-2026-04-17/samples/Addc/addc.cpp": 1,
    "ptoas-2026-04-17/samples/ControlFlow/control_flow_mixed_pipe.cpp": 1,
    "ptoas-2026-08-21/lit/pto/issue646_pipev_repeat_prune.pto.l3.cpp": 2,
    "ptoas-2026-08-21/lit/tile_fusion/fusion_plan_treshape_boundary.pto.cpp": 1,
    "ptoas-2026-08-21/lit/tile_fusion/fusion_region_internal_dead_omission.pto.cpp": 1,
    "ptoas-2026-08-21/lit/tile_fusion/op_scheduling_split_nested_region.pto.cpp": 4,
    "ptoas-2026-08-21/lit/tile_fusion/op_scheduling_treshape.pto.cpp": 2,
    "ptoas-2026-08-21/samples/DeepseekV4DecodeA3/kernels/aiv/comb_sinkhorn.pto.l3.cpp": 2,
    "ptoas-2026-08-21/samples/DeepseekV4DecodeA3/kernels/aiv/hc_head_reduce.pto.l3.cpp": 1,
    "ptoas-2026-08-21/samples/DeepseekV4DecodeA3/kernels/aiv/kv_rms_norm_rope.pto.l3.cpp": 1,
    "ptoas-2026-08-21/samples/DeepseekV4DecodeA3/kernels/aiv/mix_x.pto.l3.cpp": 6,
    "ptoas-2026-08-21/samples/DeepseekV4DecodeA3/kernels/aiv/scatter_softmax_pool.pto.l3.cpp": 3,
    "ptoas-2026-08-21/samples/FFN/ffn_full_tiled.pto.cpp": 13,
    "ptoas-2026-08-21/samples/FlashAttention/flash_attention-pto-new.pto.cpp": 27,
    "ptoas-2026-08-21/samples/FlashAttention/flash_attention_full_intermediate.pto.cpp": 27,
    "ptoas-2026-08-21/samples/FlashAttention/flash_attention_full_tiled.pto.cpp": 27,
    "ptoas-2026-08-21/samples/FlashAttention/flash_attention_softmax.pto.cpp": 27,
    "ptoas-2026-08-21/samples/GQA/gqa-pto-new.pto.cpp": 33,
    "ptoas-2026-08-21/samples/GQA/gqa_full_tiled.pto.cpp": 23,
    "ptoas-2026-08-21/samples/GQA/gqa_softmax.pto.cpp": 33,
    "ptoas-2026-08-21/samples/PyPTOIRParser/paged_attention_example_kernel_softmax_prepare.pto.cpp": 3,
    "ptoas-2026-08-21/samples/Qwen3DecodeA3/kernels/aiv/online_softmax.pto.l3.cpp": 2,
    "ptoas-2026-08-21/samples/Qwen3DecodeA3/kernels/aiv/rope_kv_cache.pto.l3.cpp": 5,
    "ptoas-2026-08-21/samples/Qwen3DecodeA3/kernels/down_proj_residual.pto.l3.cpp": 1,
    "ptoas-2026-08-21/samples/Qwen3_14BDecodeA3/kernels/aiv/silu.pto.l3.cpp": 2,
    "ptoas-2026-08-21/samples/Qwen3_14BPrefillA3/kernels/aiv/rope_kv_cache.pto.l3.cpp": 1,
    "ptoas-2026-08-21/samples/Qwen3_14BPrefillA3/kernels/aiv/silu.pto.l3.cpp": 1,
    "ptoas-2026-08-21/samples/SCF/scf_for_break_like.pto.cpp": 2,
    "ptoas-2026-08-21/samples/SCF/scf_while_break.pto.cpp": 2,
    "ptoas-2026-08-21/samples/Sync/decode_projection_incore_0.pto.l3.cpp": 1,
    "ptoas-v0.45/samples/Addc/addc.pto.cpp": 1,
    "ptoas-v0.45/samples/ControlFlow/control_flow_mixed_pipe.pto.cpp": 1,
    "ptoas-v0.45/samples/FFN/ffn_full_tiled.pto.cpp": 13,
    "ptoas-v0.45/samples/FlashAttention/flash_attention-pto-new.pto.cpp": 27,
    "ptoas-v0.45/samples/FlashAttention/flash_attention_full_intermediate.pto.cpp": 27,
    "ptoas-v0.45/samples/FlashAttention/flash_attention_full_tiled.pto.cpp": 27,
    "ptoas-v0.45/samples/FlashAttention/flash_attention_softmax.pto.cpp": 27,
    "real/03_fa_splitpipe_call_both.cpp": 15,
    "real/19_attention_update.cpp": 2,
    "real/21_fas_dense_attention_row_softmax.cpp": 1,
    "real/24_gqa_softmax_block.cpp": 45,
    "real/26_tpushpop_test6_scope3_incore.cpp": 12,
}
# Races of their own category (docs/reference/pto-facts.md §2.4): both row-expands broadcast the
# same, unchanged per-row tile, so the second vbrcb rewrites the scratch with identical bytes, and
# msSanitizer flags the pair. (real/44_silu_a2a3.cpp has two more, with -I real/include.)
SAME_BROADCAST = [
    "ptoas-2026-08-21/samples/Qwen3_14BDecodeA3/kernels/aiv/silu.pto.l3.cpp",
]
# Files whose every race is of the multi-pipe-chain category: two vector ops ordered only by a flag
# chain through two or more other pipes (tests/commands/test_check_multi_pipe_chain.py).
MULTI_PIPE_CHAIN_FILES = [
    "ptoas-2026-04-17/samples/ControlFlow/control_flow_mixed_pipe.cpp",
    "ptoas-2026-08-21/samples/DeepseekV4DecodeA3/kernels/aiv/kv_rms_norm_rope.pto.l3.cpp",
    "ptoas-2026-08-21/samples/DeepseekV4DecodeA3/kernels/aiv/scatter_softmax_pool.pto.l3.cpp",
    "ptoas-2026-08-21/samples/Qwen3DecodeA3/kernels/aiv/rope_kv_cache.pto.l3.cpp",
    "ptoas-2026-08-21/samples/Qwen3DecodeA3/kernels/down_proj_residual.pto.l3.cpp",
    "ptoas-2026-08-21/samples/Qwen3_14BPrefillA3/kernels/aiv/rope_kv_cache.pto.l3.cpp",
    "ptoas-2026-08-21/samples/Qwen3_14BPrefillA3/kernels/aiv/silu.pto.l3.cpp",
    "ptoas-2026-08-21/samples/Sync/decode_projection_incore_0.pto.l3.cpp",
    "ptoas-v0.45/samples/ControlFlow/control_flow_mixed_pipe.pto.cpp",
    "real/21_fas_dense_attention_row_softmax.cpp",
]

# Every flagged file, by what the simulator (4 seeds) says about the original on its own.
# "original races": confirmed (bytes or data flow differ between schedules of the original).
# "cannot run": the statement the simulator stops at.
SIMULATOR = {
    "ptoas-2026-08-21/samples/DeepseekV4DecodeA3/kernels/aiv/hc_head_reduce.pto.l3.cpp": "original races",
    "ptoas-2026-08-21/samples/DeepseekV4DecodeA3/kernels/aiv/mix_x.pto.l3.cpp": "original races",
    "ptoas-2026-08-21/samples/PyPTOIRParser/paged_attention_example_kernel_softmax_prepare.pto.cpp": "original races",
    "ptoas-2026-08-21/samples/Qwen3DecodeA3/kernels/aiv/online_softmax.pto.l3.cpp": "original races",
    "real/03_fa_splitpipe_call_both.cpp": "original races",
    # The per-row tiles both hold 1.0 in every row (Sinkhorn normalises the rows first), so the
    # bytes agree; the data flow shows the op reading the other op's broadcast.
    "ptoas-2026-08-21/samples/DeepseekV4DecodeA3/kernels/aiv/comb_sinkhorn.pto.l3.cpp": "original races",
    # TADDS in the loop and TADDS after it: leaving the loop passes its back-edge, so no chain.
    "ptoas-2026-08-21/samples/SCF/scf_for_break_like.pto.cpp": "original races",
    "real/24_gqa_softmax_block.cpp": "original races",
    "ptoas-2026-08-21/samples/SCF/scf_while_break.pto.cpp": "cannot run: 'goto' is not modelled",
    "ptoas-2026-08-21/lit/tile_fusion/fusion_region_internal_dead_omission.pto.cpp": "cannot run: parameter",
    "ptoas-2026-08-21/lit/tile_fusion/op_scheduling_treshape.pto.cpp": "cannot run: parameter",
    "real/26_tpushpop_test6_scope3_incore.cpp": "cannot run: boxed (fractal) layout",
    # Flagged since the chain rule by repeats (issue 55): the column-chunk / count-mode write read
    # linearly races in the simulator too, and --fix simulates equal.
    "ptoas-2026-08-21/samples/FFN/ffn_full_tiled.pto.cpp": "original races",
    "ptoas-2026-08-21/samples/FlashAttention/flash_attention-pto-new.pto.cpp": "original races",
    "ptoas-2026-08-21/samples/FlashAttention/flash_attention_full_intermediate.pto.cpp": "original races",
    "ptoas-2026-08-21/samples/FlashAttention/flash_attention_full_tiled.pto.cpp": "original races",
    "ptoas-2026-08-21/samples/FlashAttention/flash_attention_softmax.pto.cpp": "original races",
    "ptoas-2026-08-21/samples/GQA/gqa-pto-new.pto.cpp": "original races",
    "ptoas-2026-08-21/samples/GQA/gqa_full_tiled.pto.cpp": "original races",
    "ptoas-2026-08-21/samples/GQA/gqa_softmax.pto.cpp": "original races",
    "ptoas-v0.45/samples/FlashAttention/flash_attention_softmax.pto.cpp": "original races",
    # Two broadcasts of the same per-row tile (pto-facts §2.4), flagged since check follows
    # msSanitizer there too: the scratch holds the same bytes either way, so the simulator sees no
    # difference (neither in bytes nor in data flow: the flow compares values read, which agree).
    "ptoas-2026-08-21/samples/Qwen3_14BDecodeA3/kernels/aiv/silu.pto.l3.cpp": "equal",
    # Flagged since msSanitizer's a2/a3 rule became the default race model (issue 66): unbarriered
    # PTOAS #674 same-access chains. The simulator does not confirm Addc's TADD -> TADD chain of 16
    # repeats on 4 seeds (its two steps stay in order there): a gap to look into, not a confirmation.
    "ptoas-2026-04-17/samples/Addc/addc.cpp": "equal",
    # Flagged since a TCVT's narrower side is read as msSanitizer reads it, with no mask (ops.
    # unmasked_repeat_bytes): the hardware's mask keeps the TCVT inside the valid columns, so the
    # simulator sees no difference.
    "real/19_attention_update.cpp": "equal",
    "ptoas-v0.45/samples/Addc/addc.pto.cpp": "equal",
    "ptoas-2026-08-21/lit/pto/issue646_pipev_repeat_prune.pto.l3.cpp": "cannot run: several kernel functions",
    "ptoas-2026-08-21/lit/tile_fusion/fusion_plan_treshape_boundary.pto.cpp": "cannot run: parameter",
    "ptoas-2026-08-21/lit/tile_fusion/op_scheduling_split_nested_region.pto.cpp": "cannot run: several kernel functions",
    # Flagged since check credits no flag chain through two or more other pipes (V -> MTE3 -> MTE2
    # -> V: msSanitizer's single-pipe check credits pipe_barrier alone, ptofix's contract a direct
    # round trip too): each pipe runs in order, so the chain does order the pair on the hardware,
    # and the simulator sees no difference where it runs.
    "ptoas-2026-08-21/samples/DeepseekV4DecodeA3/kernels/aiv/scatter_softmax_pool.pto.l3.cpp": "equal",
    "ptoas-2026-08-21/samples/Qwen3DecodeA3/kernels/down_proj_residual.pto.l3.cpp": "equal",
    "ptoas-2026-08-21/samples/Sync/decode_projection_incore_0.pto.l3.cpp": "equal",
    "real/21_fas_dense_attention_row_softmax.cpp": "equal",
    "ptoas-2026-04-17/samples/ControlFlow/control_flow_mixed_pipe.cpp":
        "cannot run: TLOAD of a Mat tile is not on the vector side",
    "ptoas-v0.45/samples/ControlFlow/control_flow_mixed_pipe.pto.cpp":
        "cannot run: TLOAD of a Mat tile is not on the vector side",
    "ptoas-2026-08-21/samples/DeepseekV4DecodeA3/kernels/aiv/kv_rms_norm_rope.pto.l3.cpp":
        "cannot run: unknown op or function 'TGATHER'",
    "ptoas-2026-08-21/samples/Qwen3DecodeA3/kernels/aiv/rope_kv_cache.pto.l3.cpp": "cannot run: GM buffer 'v2'",
    "ptoas-2026-08-21/samples/Qwen3_14BPrefillA3/kernels/aiv/rope_kv_cache.pto.l3.cpp":
        "cannot run: nothing to compare",
    "ptoas-2026-08-21/samples/Qwen3_14BPrefillA3/kernels/aiv/silu.pto.l3.cpp": "cannot run: nothing to compare",
    # The simulator stops at these v0.45 files' TLOAD of a Mat (cube-side) tile.
    "ptoas-v0.45/samples/FFN/ffn_full_tiled.pto.cpp": "cannot run: TLOAD of a Mat tile is not on the vector side",
    "ptoas-v0.45/samples/FlashAttention/flash_attention-pto-new.pto.cpp":
        "cannot run: TLOAD of a Mat tile is not on the vector side",
    "ptoas-v0.45/samples/FlashAttention/flash_attention_full_intermediate.pto.cpp":
        "cannot run: TLOAD of a Mat tile is not on the vector side",
    "ptoas-v0.45/samples/FlashAttention/flash_attention_full_tiled.pto.cpp":
        "cannot run: TLOAD of a Mat tile is not on the vector side",
}
SIM_OPTIONS: dict[str, dict] = {}


def corpus_kernels(corpus_dir: str):
    for path in sorted(glob.glob(os.path.join(corpus_dir, "**", "*.cpp"), recursive=True)):
        text = open(path, encoding="utf-8", errors="replace").read()
        try:
            model = parse_cpp(SourceText(text, path))
        except PtofixError:
            continue
        yield os.path.relpath(path, corpus_dir), text, model


@pytest.mark.slow
def test_corpus_race_list(corpus_dir):
    found = {}
    for rel, _text, model in corpus_kernels(corpus_dir):
        races, _ = find_races(model)
        if races:
            found[rel] = len(races)
    assert found == CORPUS_RACES


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
def test_fix_makes_every_corpus_file_check_clean_and_the_proof_keeps_the_barriers(corpus_dir):
    for rel in CORPUS_RACES:
        path = os.path.join(corpus_dir, rel)
        source = SourceText(open(path, encoding="utf-8").read(), path)
        fixed = run_pipeline(source, [build_pass("pipe-v-barrier-insert", {})], PARSERS)
        inserted = fixed.text.count("/* ptofix: ")
        assert 0 < inserted <= CORPUS_RACES[rel], rel
        again = SourceText(fixed.text, path)
        assert find_races(parse_cpp(again))[0] == [], rel
        assert run_pipeline(again, [build_pass("pipe-v-barrier-insert", {})], PARSERS).text == fixed.text
        after = run_pipeline(again, [build_pass("pipe-v-barrier", {"pattern": "auto"})], PARSERS).text
        lines = [line for line in after.splitlines() if "/* ptofix: " in line and "*/ pipe_barrier(PIPE_V);" in line]
        # No inserted barrier is one the proof finds redundant (real/26's race around the loop
        # back-edge once got its own, behind one already on its way).
        assert len(lines) == inserted, rel


def _sim_status(path: str, text: str, rel: str) -> str:
    from ptofix.sim.runner import SimOptions, simulate
    options = SimOptions(ub_size=512 * 1024, **SIM_OPTIONS.get(rel, {}))
    try:
        return simulate(SourceText(text, path), SourceText(text, path), 4, options).status
    except PtofixError as exc:
        return "cannot run: " + str(exc)


@pytest.mark.slow
def test_simulator_on_every_flagged_file(corpus_dir):
    """Every race check reports on a file the simulator runs is confirmed by it, and the --fix
    output of such a file simulates equal."""
    assert set(SIMULATOR) == set(CORPUS_RACES)
    for rel in sorted(CORPUS_RACES):
        path = os.path.join(corpus_dir, rel)
        text = open(path, encoding="utf-8").read()
        seen, want = _sim_status(path, text, rel), SIMULATOR[rel]
        assert seen.startswith(want) or (want.startswith("cannot run") and seen.startswith("cannot run")
                                         and want.split(": ", 1)[1] in seen), (rel, seen)
        if seen.startswith("cannot run"):
            continue
        fixed = run_pipeline(SourceText(text, path), [build_pass("pipe-v-barrier-insert", {})], PARSERS).text
        assert _sim_status(path, fixed, rel) == "equal", rel


def test_same_broadcast_pairs_are_races_of_their_own_category_and_simulate_equal(corpus_dir):
    for rel in SAME_BROADCAST:
        path = os.path.join(corpus_dir, rel)
        text = open(path, encoding="utf-8").read()
        races = find_races(parse_cpp(SourceText(text, path)))[0]
        assert races and {(r.hazard.kind, r.category) for r in races} == {("WAR", "same-rebroadcast")}, rel
        assert _sim_status(path, text, rel) == "equal", rel


def test_multi_pipe_chain_files_race_only_through_their_chains(corpus_dir):
    """(Each had no race on the old code, which took any linked flag chain as ordering.)"""
    for rel in MULTI_PIPE_CHAIN_FILES:
        path = os.path.join(corpus_dir, rel)
        races = find_races(parse_cpp(SourceText(open(path, encoding="utf-8").read(), path)))[0]
        assert len(races) == CORPUS_RACES[rel] and {r.category for r in races} == {"multi-pipe-chain"}, rel
        assert all(len(r.flag_chain) >= 3 and r.flag_chain[0].src == r.flag_chain[-1].dst == "PIPE_V"
                   for r in races), rel


def test_fa_sample_races_and_fix():
    fa = REPO / "kernels" / "flash_attention" / "fa.cpp"
    proc = subprocess.run([sys.executable, "-m", "ptofix", "check", str(fa)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert ("warning: WAR race: TROWEXPANDDIV.vbrcb writes <hidden TMP_UB scratch> [188416, 196608), which "
            "TROWEXPANDMUL (line 411) may still read\n") in proc.stderr
    # Every race shown is fixed, and every function is verified (the entry's calls of the file's own
    # cube_kernel and vector_kernel, which no toolchain header declares, run with nothing in flight).
    fixed = subprocess.run([sys.executable, "-m", "ptofix", "check", "--fix", str(fa)], capture_output=True, text=True)
    assert fixed.returncode == 0 and fixed.stdout.count("/* ptofix: ") >= 1 and "is unverified" not in fixed.stderr
    recheck = subprocess.run([sys.executable, "-m", "ptofix", "check", "-"], input=fixed.stdout, capture_output=True,
                             text=True)
    assert recheck.returncode == 0 and "warning:" not in recheck.stderr, recheck.stderr


def test_bad_input_exits_2(tmp_path):
    bad = tmp_path / "bad.cpp"
    bad.write_text("__global__ AICORE void k() {\n")
    proc = subprocess.run([sys.executable, "-m", "ptofix", "check", str(bad)], capture_output=True, text=True)
    assert proc.returncode == 2 and f"{bad}:1:" in proc.stderr


@pytest.mark.parametrize("kind", ["RAW", "WAR", "WAW"])
def test_each_hazard_kind_is_a_race(kind):
    tile = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"
    ops = {"RAW": ("TADD(a, a, a);", "TMULS(c, b, 2.0f);"), "WAR": ("TADD(c, b, b);", "TMULS(b, a, 2.0f);"),
           "WAW": ("TEXP(a, a);", "TMULS(b, c, 2.0f);")}[kind]
    src = (f"__global__ AICORE void k() {{\n  {tile} a;\n  TASSIGN(a, 0);\n  {tile} b;\n  TASSIGN(b, 4096);\n"
           f"  {tile} c;\n  TASSIGN(c, 65536);\n  {ops[0]}\n  {ops[1]}\n}}\n")
    races, unverified = find_races(parse_cpp(SourceText(src, "k.cpp")))
    assert [r.hazard.kind for r in races] == [kind] and not unverified


TILE = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"
# An in-place chain of 32 repeats (16 x 128 floats) with no barrier: PTOAS #674 prunes its barrier,
# msSanitizer flags the pair.
SAME_ACCESS_CHAIN = (f"__global__ AICORE void k() {{\n  {TILE} a;\n  TASSIGN(a, 0);\n"
         "  TADDS(a, a, 1.0f);\n  TMULS(a, a, 2.0f);\n}\n")


def test_an_unbarriered_same_access_chain_is_a_race_of_its_own_category(tmp_path):
    import json
    kernel = tmp_path / "chain.cpp"
    kernel.write_text(SAME_ACCESS_CHAIN)
    proc = _check("--report", "json", str(kernel))
    assert proc.returncode == 1
    races = json.loads(proc.stdout)["files"][0]["races"]
    assert [(r["kind"], r["category"]) for r in races] == [("WAW", "same-access-chain")]
    assert f"{kernel}:5:3: warning: WAW race (PTOAS #674 same-access chain): TMULS writes a" in proc.stderr
    assert races[0]["note"].endswith("; ptoas prunes this barrier under PTOAS #674; Ascend's msSanitizer flags it")
    assert proc.stderr.splitlines()[-1] == ("1 race (0 overlap, 1 PTOAS #674 same-access chain), 0 broken placements, "
                                            "0 unverified functions in 1 file")
    sarif = json.loads(_check("--report", "sarif", str(kernel)).stdout)
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["pipe-v-race-same-access-chain"]
    # --same-access-chains credits the chain: no race, nothing to insert.
    opted = _check("--same-access-chains", str(kernel))
    assert opted.returncode == 0 and opted.stderr.splitlines() == [
        "0 races, 0 broken placements, 0 unverified functions in 1 file"]
    assert _check("--same-access-chains", "--fix", str(kernel)).stdout == SAME_ACCESS_CHAIN
    # --fix inserts the barrier under the default, and the fixed kernel checks clean.
    fixed = _check("--fix", str(kernel))
    assert fixed.returncode == 0 and fixed.stdout.count("pipe_barrier(PIPE_V);") == 1
    assert "/* ptofix: WAW on a with input line 4 */ pipe_barrier(PIPE_V);" in fixed.stdout
    again = tmp_path / "fixed.cpp"
    again.write_text(fixed.stdout)
    assert _check(str(again)).returncode == 0


def test_the_api_check_takes_the_race_model():
    from ptofix import api
    races = api.check(SAME_ACCESS_CHAIN)
    assert [(r.kind, r.category) for r in races] == [("WAW", "same-access-chain")]
    assert api.check(SAME_ACCESS_CHAIN, same_access_chains=True) == ()
    assert api.check_report(SAME_ACCESS_CHAIN, same_access_chains=True)["race_model"] == "same-access-chains"


RACY = (f"__global__ AICORE void k(int32_t x) {{\n  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} b;\n  TASSIGN(b, 4096);\n"
        "  for (int32_t i = 0; i < 4; i += 1) {\n    TEXP(a, a);\n    TMULS(b, b, 0.5f);\n    pipe_barrier(PIPE_V);\n"
        "    TADD(a, b, b);\n  }\n  if (x) TMULS(b, a, 2.0f);\n  pipe_barrier(PIPE_V);\n  TEXP(b, b);\n}\n")


def test_fix_is_idempotent_and_run_auto_keeps_the_inserted_barriers():
    source = SourceText(RACY, "k.cpp")
    assert find_races(parse_cpp(source))[0]
    fixed = run_pipeline(source, [build_pass("pipe-v-barrier-insert", {})], PARSERS).text
    inserted = fixed.count("/* ptofix: ")
    assert inserted >= 2
    again = SourceText(fixed, "k.cpp")
    assert find_races(parse_cpp(again))[0] == []
    assert run_pipeline(again, [build_pass("pipe-v-barrier-insert", {})], PARSERS).text == fixed
    after = run_pipeline(again, [build_pass("pipe-v-barrier", {"pattern": "auto"})], PARSERS).text
    kept = [line for line in after.splitlines() if "/* ptofix: " in line and "pipe_barrier(PIPE_V);" in line
            and "removed" not in line]
    assert len(kept) == inserted, after


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_fix_inserts_lines_with_the_files_own_line_end(eol):
    source = SourceText(RACY.replace("\n", eol), "k.cpp")
    fixed = run_pipeline(source, [build_pass("pipe-v-barrier-insert", {})], PARSERS).text
    assert fixed.count("/* ptofix: ") >= 2
    others = [e for e in ("\r\n", "\r", "\n") if e != eol]
    assert fixed.replace(eol, "").count(others[0]) == 0 and fixed.replace(eol, "").count(others[1]) == 0
    assert fixed.count(eol) > RACY.count("\n")


def test_fix_inserts_nothing_where_the_barrier_would_not_be_read_as_one(tmp_path):
    # A statement the model cannot read declares `pipe_barrier` anew (a copy of a lambda): an
    # inserted barrier would not end the race, and every run would add one more. The file stays
    # as it is, exit 1.
    racy = tmp_path / "racy.cpp"
    racy.write_text(RACY.replace("{\n  " + TILE + " a;", "{\n  auto l = [&]() {}, pipe_barrier = l;\n  "
                                 + TILE + " a;", 1))
    assert "auto l" in racy.read_text()
    proc = subprocess.run([sys.executable, "-m", "ptofix", "check", "--fix", str(racy)], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == racy.read_text()
    assert "warning: cannot fix the races in 'k'" in proc.stderr
    fixed = run_pipeline(SourceText(racy.read_text(), "k.cpp"), [build_pass("pipe-v-barrier-insert", {})], PARSERS)
    assert fixed.text == racy.read_text() and fixed.reports[0]["unfixed"][0]["function"] == "k"


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
def test_check_cli_several_files_json_and_exit_codes(tmp_path):
    racy = tmp_path / "racy.cpp"
    racy.write_text(RACY)
    clean = tmp_path / "clean.cpp"
    clean.write_text(f"__global__ AICORE void k() {{\n  {TILE} a;\n  TASSIGN(a, 0);\n  TEXP(a, a);\n}}\n")
    run = [sys.executable, "-m", "ptofix", "check"]
    assert subprocess.run(run + [str(clean)], capture_output=True).returncode == 0
    proc = subprocess.run(run + ["-j", "2", str(racy), str(clean)], capture_output=True, text=True)
    assert proc.returncode == 1 and "racy.cpp:" in proc.stderr and "clean.cpp:" not in proc.stderr
    report = tmp_path / "r.json"
    proc = subprocess.run(run + ["--report", "json", "--report-file", str(report), str(racy)], capture_output=True,
                          text=True)
    import json
    [data] = json.loads(report.read_text())["files"]
    assert proc.returncode == 1 and data["races"] and {r["kind"] for r in data["races"]} <= {"RAW", "WAR", "WAW"}
    assert all("bytes" in r and "path" in r for r in data["races"])
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.run(run + ["--fix", "-o", str(out), str(racy), str(clean)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert subprocess.run(run + [str(out / "racy.cpp"), str(out / "clean.cpp")], capture_output=True).returncode == 0


def test_a_line_splice_in_a_statement_is_refused_where_it_is():
    # `pipe_barrier(\<newline>PIPE_V);` is `pipe_barrier(PIPE_V);` to the compiler, but a splice may
    # also move a comment's end or join two words: outside a directive the tokenizer refuses it.
    fa = (REPO / "kernels" / "flash_attention" / "fa.cpp").read_text(encoding="utf-8")
    spliced = fa.replace("pipe_barrier(PIPE_V);", "pipe_barrier(\\ \nPIPE_V);", 1)
    with pytest.raises(PtofixError, match="line splice") as caught:
        parse_cpp(SourceText(spliced, "fa.cpp"))
    assert caught.value.diagnostic.offset == spliced.index("\\ \n")


def test_fix_separates_a_race_that_reaches_round_a_loop_through_a_break():
    # TADD -> break -> next iteration -> case 2 -> TSUB bypasses a barrier before TMUL (case 1): the
    # back-edge race is reported besides the straight-line one, and --fix covers both paths.
    tile = TILE.replace("16, 128, BLayout::RowMajor, 16, 128", "8, 64, BLayout::RowMajor, 8, 64")   # 8 repeats: no chain
    src = (f"__global__ AICORE void k(int32_t n) {{\n  {tile} a;\n  TASSIGN(a, 0);\n  {tile} b;\n  TASSIGN(b, 8192);\n"
           f"  {tile} c;\n  TASSIGN(c, 16384);\n  {tile} d;\n  TASSIGN(d, 24576);\n"
           "  for (int32_t i = 0; i < n; i += 1) {\n    switch (i) {\n    case 0:\n      TADD(a, b, b);\n"
           "      if (n > 5) break;\n    case 1:\n      TMUL(c, a, a);\n    case 2:\n      TSUB(d, a, a);\n"
           "      pipe_barrier(PIPE_V);\n    }\n  }\n}\n")
    races = find_races(parse_cpp(SourceText(src, "k.cpp")))[0]
    assert any(r.hazard.via_back_edge for r in races) and any(not r.hazard.via_back_edge for r in races)
    fixed = run_pipeline(SourceText(src, "k.cpp"), [build_pass("pipe-v-barrier-insert", {})], PARSERS).text
    assert find_races(parse_cpp(SourceText(fixed, "k.cpp")))[0] == []
    assert run_pipeline(SourceText(fixed, "k.cpp"), [build_pass("pipe-v-barrier-insert", {})], PARSERS).text == fixed


def _flagged(flags: str) -> str:
    tile = TILE.replace("16, 128, BLayout::RowMajor, 16, 128", "8, 64, BLayout::RowMajor, 8, 64")   # no chain
    return (f"__global__ AICORE void k(int32_t n) {{\n  {tile} a;\n  TASSIGN(a, 0);\n  {tile} b;\n  TASSIGN(b, 1024);\n"
            f"  TADD(a, a, a);\n{flags}  TMUL(b, b, b);\n}}\n")


@pytest.mark.parametrize("flags, races", [
    ("", 1),
    # V signals MTE2, V waits for MTE3: nothing links the two, the ops are not ordered.
    ("  set_flag(PIPE_V, PIPE_MTE2, EVENT_ID0);\n  wait_flag(PIPE_MTE3, PIPE_V, EVENT_ID0);\n", 1),
    # The same pipe, but MTE3 never waits for V's signal before it signals back.
    ("  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);\n  set_flag(PIPE_MTE3, PIPE_V, EVENT_ID1);\n"
     "  wait_flag(PIPE_MTE3, PIPE_V, EVENT_ID1);\n", 1),
    # MTE3 waits for another event than the one V set.
    ("  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);\n  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID1);\n"
     "  set_flag(PIPE_MTE3, PIPE_V, EVENT_ID1);\n  wait_flag(PIPE_MTE3, PIPE_V, EVENT_ID1);\n", 1),
    # V -> MTE3 -> V, each signal awaited before the next: ordered.
    ("  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);\n  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);\n"
     "  set_flag(PIPE_MTE3, PIPE_V, EVENT_ID1);\n  wait_flag(PIPE_MTE3, PIPE_V, EVENT_ID1);\n", 0),
    # V -> MTE3 -> MTE2 -> V: linked, but through two other pipes. The vendor's rule credits a
    # barrier alone (msSanitizer's single-pipe check), ptofix's contract a direct round trip
    # V -> X -> V too: a race of its own category (tests/commands/test_check_multi_pipe_chain.py).
    ("  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);\n  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);\n"
     "  set_flag(PIPE_MTE3, PIPE_MTE2, EVENT_ID0);\n  wait_flag(PIPE_MTE3, PIPE_MTE2, EVENT_ID0);\n"
     "  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);\n  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);\n", 1),
])
def test_check_takes_only_a_linked_flag_chain_as_ordering(flags, races):
    found, _ = find_races(parse_cpp(SourceText(_flagged(flags), "k.cpp")))
    assert len(found) == races, flags
    # (Only the chain through two other pipes is a race of the multi-pipe category.)
    assert {r.category for r in found} <= ({"multi-pipe-chain"} if "PIPE_MTE3, PIPE_MTE2" in flags else {"overlap"})


def test_two_broadcasts_are_told_apart_by_the_per_row_tile_the_valid_shapes_pick():
    """b's static shape is not dst's but its valid shape is: pto-isa broadcasts a1 and a2 (the
    operands whose valid shape is not dst's) into the scratch, two different tiles, so the second
    vbrcb races with the first op's read of the scratch."""
    def tile(name, rows, cols, layout, vr, vc, addr):
        return (f"  Tile<TileType::Vec, float, {rows}, {cols}, BLayout::{layout}, {vr}, {vc}, SLayout::NoneBox, 512, "
                f"PadValue::Null> {name};\n  TASSIGN({name}, {addr});\n")
    src = ("__global__ AICORE void k() {\n" + tile("d1", 32, 64, "RowMajor", 32, 64, 0)
           + tile("d2", 32, 64, "RowMajor", 32, 64, 8192) + tile("a1", 32, 64, "ColMajor", 32, 1, 16384)
           + tile("a2", 32, 64, "ColMajor", 32, 1, 24576) + tile("b", 32, 128, "RowMajor", 32, 64, 32768)
           + "  pipe_barrier(PIPE_ALL);\n  TROWEXPANDMUL(d1, a1, b);\n  TROWEXPANDMUL(d2, a2, b);\n}\n")
    races, _ = find_races(parse_cpp(SourceText(src, "k.cpp")))
    assert [(r.hazard.kind, "scratch" in r.hazard.earlier_access.name) for r in races] == [("WAR", True)]


@pytest.mark.parametrize("body, plain", [
    ("  TADD(b, a, a);\n  do {\n    TADD(b, a, a);\n  } while (--n > 0);\n", False),
    ("  {\n    TADD(b, a, a);\n    TADD(b, a, a);\n  }\n", True),
])
def test_a_statement_the_model_cannot_read_leaves_its_function_unverified(body, plain):
    # An opaque loop may race inside itself or with an op beside it even when no modelled op
    # follows it: the function is unverified, never "no race".
    tile = "Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64, SLayout::NoneBox, 512, PadValue::Null>"
    src = (f"__global__ AICORE void k(int n) {{\n  {tile} a;\n  TASSIGN(a, 0);\n  {tile} b;\n  TASSIGN(b, 4096);\n"
           f"  pipe_barrier(PIPE_ALL);\n{body}  pipe_barrier(PIPE_ALL);\n}}\n")
    races, unverified = find_races(parse_cpp(SourceText(src, "k.cpp")))
    assert (len(races), len(unverified)) == ((1, 0) if plain else (0, 1))


def test_a_while_loop_is_read_for_its_races():
    # `while (c) S` is read as `for (; c; ) S`: its races are shown (within an iteration and
    # across the back-edge), the function verified.
    tile = "Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64, SLayout::NoneBox, 512, PadValue::Null>"
    src = (f"__global__ AICORE void k(int n) {{\n  {tile} a;\n  TASSIGN(a, 0);\n  {tile} b;\n  TASSIGN(b, 4096);\n"
           "  pipe_barrier(PIPE_ALL);\n  while (n-- > 0) {\n    TADD(b, a, a);\n    TADD(b, a, a);\n  }\n"
           "  pipe_barrier(PIPE_ALL);\n}\n")
    races, unverified = find_races(parse_cpp(SourceText(src, "k.cpp")))
    assert races and not unverified


def test_a_statement_nested_deeper_than_the_stack_is_not_understood(tmp_path):
    # The fast statement parsers recurse per template level: past the interpreter's stack the
    # statement is Unknown (its function unverified), not a file-level error without a location.
    from ptofix.cpp.stmt_parser import parse_statement
    deep = "A<" * 600 + "int" + ">" * 600
    assert parse_statement(f"using T = {deep};") is None
    kernel = tmp_path / "deep.cpp"
    kernel.write_text(f"__global__ AICORE void k() {{\n  using T = {deep};\n  pipe_barrier(PIPE_V);\n}}\n")
    proc = subprocess.run([sys.executable, "-m", "ptofix", "check", str(kernel)], capture_output=True, text=True)
    assert proc.returncode == 4 and "unverified" in proc.stderr and "nested too deeply" not in proc.stderr


def test_an_unverified_function_is_no_clean_bill(tmp_path):
    """A tile address ptofix cannot compute (here from a loop variable bounded by a parameter) leaves its function
    unverified: races through it are unknown, so neither `check` nor `check --fix` exits 0, and
    with several files a race (1) or bad input (2) is still the status."""
    from ptofix.cli import main
    unverified = tmp_path / "unverified.cpp"
    unverified.write_text(f"__global__ AICORE void k(int32_t n) {{\n  {TILE} x;\n  TASSIGN(x, 0);\n  {TILE} e;\n"
                          "  TASSIGN(e, 65536);\n"
                          "  for (int32_t i = 0; i < n; i += 1) {\n    TASSIGN(x, i * 16384);\n"
                          "    pipe_barrier(PIPE_V);\n    TADDS(x, x, 1.0f);\n  }\n  TMULS(e, e, 2.0f);\n}\n")
    clean = tmp_path / "clean.cpp"
    clean.write_text(unverified.read_text().replace("i * 16384", "0"))
    racy = tmp_path / "racy.cpp"
    racy.write_text(clean.read_text().replace("TASSIGN(e, 65536)", "TASSIGN(e, 0)"))
    bad = tmp_path / "bad.cpp"
    bad.write_text("__global__ AICORE void k() {\n")
    assert main(["check", str(clean)]) == 0
    assert main(["check", str(racy)]) == 1
    assert main(["check", str(unverified)]) == 4
    assert main(["check", "--fix", str(unverified), "-o", str(tmp_path / "out.cpp")]) == 4
    assert (tmp_path / "out.cpp").read_text() == unverified.read_text()
    assert main(["check", str(clean), str(unverified)]) == 4
    assert main(["check", str(unverified), str(racy), str(clean)]) == 1
    assert main(["check", str(racy), str(unverified), str(bad)]) == 2


def _ordered_by(prime: str, flags: str) -> str:
    tile = TILE.replace("16, 128, BLayout::RowMajor, 16, 128", "8, 64, BLayout::RowMajor, 8, 64")   # no chain
    return (f"__global__ AICORE void k(int32_t n) {{\n  {tile} a;\n  TASSIGN(a, 0);\n  {tile} b;\n  TASSIGN(b, 1024);\n"
            f"{prime}  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n{flags}  TMUL(a, b, b);\n  pipe_barrier(PIPE_ALL);\n}}\n")


VS = "  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);\n"
CHAIN = ("  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);\n  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);\n"
         "  set_flag(PIPE_MTE3, PIPE_V, EVENT_ID1);\n  wait_flag(PIPE_MTE3, PIPE_V, EVENT_ID1);\n")


SV = "  set_flag(PIPE_S, PIPE_V, EVENT_ID1);\n  wait_flag(PIPE_S, PIPE_V, EVENT_ID1);\n"


@pytest.mark.parametrize("prime, flags, found", [
    ("", VS + SV, (0, 0)),
    ("", CHAIN, (0, 0)),
    # A set still pending before the op: the wait after it consumes that one and orders nothing.
    ("  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n", VS + SV, (0, 1)),
    ("  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);\n", CHAIN, (0, 1)),
    # A V -> S pair without its S -> V return is no round trip: it orders no two V instructions
    # (the vendor's rule; tests/cpp/test_v_to_s_flag_drain.py), however its flags alternate.
    ("", VS, (1, 0)),
    ("  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n", VS, (1, 0)),
])
def test_a_flag_not_proven_to_alternate_leaves_its_function_unverified(prime, flags, found):
    """check reports the races that must exist, taking every flag round trip as ordering; where a
    round trip orders two conflicting ops but its sets and waits are not proven to alternate, the
    race may exist too: the function is unverified, never "no race"."""
    src = _ordered_by(prime, flags)
    races, notes = find_races(parse_cpp(SourceText(src, "k.cpp")))
    assert (len(races), len(notes)) == found, src


def _row_tiles(a_layout: str, a_valid: str) -> str:
    def tile(name, rows, cols, layout, valid, addr):
        return (f"  Tile<TileType::Vec, float, {rows}, {cols}, BLayout::{layout}, {valid}, SLayout::NoneBox, 512, "
                f"PadValue::Null> {name};\n  TASSIGN({name}, {addr});\n")
    return ("__global__ AICORE void k(int32_t n) {\n" + tile("a", 16, 8, a_layout, a_valid, 0)
            + tile("d", 16, 8, "RowMajor", "16, 1", 512) + tile("r", 16, 1, "ColMajor", "16, 1", 1024)
            + tile("s", 16, 128, "RowMajor", "16, 128", 188416)
            + "  pipe_barrier(PIPE_ALL);\n  TROWEXPANDMUL(d, a, r);\n  TEXP(s, s);\n  pipe_barrier(PIPE_ALL);\n}\n")


def test_equal_valid_shapes_pick_the_full_source_by_row_stride():
    """d, a and r all have valid shape 16x1: pto-isa takes src0 as the full operand when its row
    stride (8, RowMajor) is at least src1's (1, ColMajor), so the ColMajor r is broadcast into the
    hidden scratch, which TEXP then overwrites while the op may still read it."""
    races, _ = find_races(parse_cpp(SourceText(_row_tiles("RowMajor", "16, 1"), "k.cpp")))
    assert [(r.hazard.kind, r.later.op) for r in races] == [("WAR", "TEXP")]


def test_a_scratch_use_that_depends_on_an_unknown_path_leaves_the_function_unverified():
    # An integer TCVT may use the hidden scratch (or not): the TEXP that overwrites it may race.
    def tile(name, dtype, addr):
        return (f"  Tile<TileType::Vec, {dtype}, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, "
                f"PadValue::Null> {name};\n  TASSIGN({name}, {addr});\n")
    src = ("__global__ AICORE void k() {\n" + tile("x", "int32_t", 0) + tile("y", "int16_t", 8192)
           + tile("s", "float", 188416) + "  pipe_barrier(PIPE_ALL);\n  TCVT(y, x, RoundMode::CAST_NONE);\n"
           "  TEXP(s, s);\n  pipe_barrier(PIPE_ALL);\n}\n")
    races, notes = find_races(parse_cpp(SourceText(src, "k.cpp")))
    assert (len(races), len(notes)) == (0, 1), src
    assert "hidden TMP_UB scratch" in notes[0].event.why


def _fix(src: str) -> str:
    return run_pipeline(SourceText(src, "k.cpp"), [build_pass("pipe-v-barrier-insert", {})], PARSERS).text


def test_races_into_a_nested_list_share_one_barrier_there():
    """TADD(x) and TADD(y) before an if race with both ops of each branch: one barrier at the start
    of each branch separates both races of that branch (it lies on every path into the list)."""
    body = ("  TADD(x, a, a);\n  TADD(y, a, a);\n  if (n > 0) {\n    TADD(x, b, b);\n    TADD(y, b, b);\n"
            "  } else {\n    TMUL(y, b, b);\n    TMUL(x, b, b);\n  }\n")
    src = (f"__global__ AICORE void k(int32_t n) {{\n  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} b;\n  TASSIGN(b, 65536);\n"
           f"  {TILE} x;\n  TASSIGN(x, 16384);\n  {TILE} y;\n  TASSIGN(y, 32768);\n{body}}}\n")
    assert len(find_races(parse_cpp(SourceText(src, "k.cpp")))[0]) == 4
    fixed = _fix(src)
    assert fixed.count("pipe_barrier(PIPE_V)") == 2
    assert "{\n    /* ptofix: WAW on x with input line 10 */ pipe_barrier(PIPE_V);\n    TADD(x, b, b);" in fixed
    assert find_races(parse_cpp(SourceText(fixed, "k.cpp"))) == ([], [])


SMALL = TILE.replace("16, 128, BLayout::RowMajor, 16, 128", "4, 64, BLayout::RowMajor, 4, 64")   # no chain


def _small_tiles(names: str) -> str:
    return "".join(f"  {SMALL} {name};\n  TASSIGN({name}, {1024 * i});\n" for i, name in enumerate(names))


def test_a_race_around_the_back_edge_shares_a_barrier_already_on_its_way():
    """TADDS(a) at the end of an iteration races with TADDS(d, a) at the start of the next; the
    barrier the TEXP -> TMULS race needs lies between the body's start and TADDS(d, a), on that
    path too: one barrier, and the proof then removes none of it."""
    body = ("  for (int32_t i = 0; i < 4; i += 1) {\n    TEXP(c, e);\n    TMULS(b, c, 2.0f);\n"
            "    TADDS(d, a, 1.0f);\n    pipe_barrier(PIPE_V);\n    TADDS(a, e, 1.0f);\n  }\n")
    src = f"__global__ AICORE void k() {{\n{_small_tiles('abcde')}{body}}}\n"
    races = find_races(parse_cpp(SourceText(src, "k.cpp")))[0]
    assert sorted(race.hazard.via_back_edge for race in races) == [False, True]
    fixed = _fix(src)
    assert fixed.count("/* ptofix: ") == 1 and "pipe_barrier(PIPE_V);\n    TMULS(b, c, 2.0f);" in fixed
    assert find_races(parse_cpp(SourceText(fixed, "k.cpp"))) == ([], [])
    proof = run_pipeline(SourceText(fixed, "k.cpp"), [build_pass("pipe-v-barrier", {"pattern": "auto"})], PARSERS)
    assert proof.text == fixed


def test_a_barrier_before_a_case_label_does_not_separate_a_race_after_it():
    # A path may enter the switch body at any label: the barrier for the op under `case 1` must
    # lie after that label, whatever the op under `case 0` got.
    src = (f"__global__ AICORE void k(int32_t n) {{\n  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} b;\n  TASSIGN(b, 65536);\n"
           f"  {TILE} x;\n  TASSIGN(x, 16384);\n  {TILE} y;\n  TASSIGN(y, 32768);\n"
           "  TADD(x, a, a);\n  TADD(y, a, a);\n  switch (n) {\n  case 0:\n    TMUL(x, b, b);\n  case 1:\n    n = 2;\n"
           "    TMUL(y, b, b);\n    break;\n  default:\n    break;\n  }\n}\n")
    fixed = _fix(src)
    assert fixed.count("pipe_barrier(PIPE_V)") == 2, fixed
    assert "  case 1:\n    n = 2;\n    /* ptofix: WAW on y with input line 11 */ pipe_barrier(PIPE_V);\n" in fixed, fixed
    assert find_races(parse_cpp(SourceText(fixed, "k.cpp"))) == ([], [])


def test_a_window_of_too_many_ops_leaves_the_function_unverified():
    """`check` walks back from each op; past MAX_WINDOW_OPS ops without a drain the walk stops (linear
    work), so the function is reported unverified there, never as free of races."""
    from ptofix.cpp.barriers import MAX_WINDOW_OPS
    tile = "Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null>"

    def kernel(count: int) -> str:
        decls = "".join(f"  {tile} t{i};\n  TASSIGN(t{i}, {64 * i});\n" for i in range(count))
        return ("__global__ AICORE void k() {\n" + decls + "  pipe_barrier(PIPE_ALL);\n"
                + "".join(f"  TADD(t{i}, t{i}, t{i});\n" for i in range(count)) + "}\n")

    races, unverified = find_races(parse_cpp(SourceText(kernel(MAX_WINDOW_OPS + 1), "k.cpp")))
    assert races == [] and not unverified
    races, unverified = find_races(parse_cpp(SourceText(kernel(MAX_WINDOW_OPS + 2), "k.cpp")))
    assert races == [] and len(unverified) == 1
    assert f"more than {MAX_WINDOW_OPS} vector ops in one window" in unverified[0].event.why


def test_a_stricter_walk_stopped_at_its_bound_leaves_the_function_unverified():
    """Flags whose sets and waits are not proven to alternate (an extra set at the start) order the
    ops for the lenient walk, one op apart; the stricter walk back from the last op, which writes
    the first op's tile, crosses them and stops at MAX_WINDOW_OPS before it reaches that op: the
    function is unverified, not free of races. With few ops the conflict itself is noted."""
    from ptofix.cpp.barriers import MAX_WINDOW_OPS
    tile = "Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null>"
    # (A round trip: a V->S pair alone orders no two V instructions, for either walk.)
    flag = ("  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);\n"
            "  set_flag(PIPE_S, PIPE_V, EVENT_ID1);\n  wait_flag(PIPE_S, PIPE_V, EVENT_ID1);\n")

    def kernel(count: int, extra_set: bool) -> str:
        decls = "".join(f"  {tile} t{i};\n  TASSIGN(t{i}, {64 * i});\n" for i in range(count + 1))
        return ("__global__ AICORE void k() {\n" + decls + "  pipe_barrier(PIPE_ALL);\n"
                + ("  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n" if extra_set else "")
                + flag.join(f"  TADD(t{i}, t{i}, t{i});\n" for i in range(count))
                + flag + f"  TADD(t0, t{count}, t{count});\n}}\n")

    for count, extra_set, why in ((10, False, None), (MAX_WINDOW_OPS + 10, False, None),
                                  (10, True, "ordered only by a flag whose sets and waits are not proven"),
                                  (MAX_WINDOW_OPS + 10, True, f"more than {MAX_WINDOW_OPS} vector ops in one window")):
        races, unverified = find_races(parse_cpp(SourceText(kernel(count, extra_set), "k.cpp")))
        assert races == [], (count, extra_set)
        assert [why in u.event.why for u in unverified] == ([] if why is None else [True]), (count, extra_set)


@pytest.mark.parametrize("option", [["-o", "fixed.cpp"], ["-i"], ["--diff"], ["--check"]])
def test_where_to_put_the_fix_needs_fix(option, tmp_path):
    kernel = tmp_path / "fa.cpp"
    kernel.write_bytes((REPO / "kernels" / "flash_attention" / "fa.cpp").read_bytes())
    before = kernel.read_bytes()
    proc = subprocess.run([sys.executable, "-m", "ptofix", "check", *option, str(kernel)], capture_output=True,
                          text=True, cwd=tmp_path)
    assert proc.returncode == 2 and "they need --fix" in proc.stderr
    assert kernel.read_bytes() == before and not (tmp_path / "fixed.cpp").exists()


# ---- check as a gate: summary line, --fix's count, --allow-unverified, the caret view, colour, SARIF ----

FA_CPP = REPO / "kernels" / "flash_attention" / "fa.cpp"


def _check(*argv: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ptofix", "check", *argv], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd)


def _unverified_kernel(tmp_path: Path) -> Path:
    kernel = tmp_path / "unverified.cpp"
    kernel.write_text(f"__global__ AICORE void k(int32_t n) {{\n  {TILE} x;\n  TASSIGN(x, 0);\n  {TILE} e;\n"
                      "  TASSIGN(e, 65536);\n"
                      "  for (int32_t i = 0; i < n; i += 1) {\n    TASSIGN(x, i * 16384);\n"
                      "    pipe_barrier(PIPE_V);\n    TADDS(x, x, 1.0f);\n  }\n  TMULS(e, e, 2.0f);\n}\n")
    return kernel


def test_check_ends_with_a_summary_line_and_shows_each_source_line_with_a_caret():
    proc = _check(str(FA_CPP), env={"NO_COLOR": ""})
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    # Per category: TMULS -> TEXP on v39 (lines 330, 331) is a PTOAS #674 same-access chain.
    assert lines[-1] == ("8 races (7 overlap, 1 PTOAS #674 same-access chain), 0 broken placements, "
                         "0 unverified functions in 1 file")
    first = lines.index(next(line for line in lines if ":332:3: warning: RAW race: TROWSUM reads v39" in line))
    source_line = FA_CPP.read_text().splitlines()[331]
    assert lines[first + 1] == f"  332 | {source_line}"
    assert lines[first + 2] == "      |   ^~~~~~~"            # under TROWSUM, its length
    assert "\x1b[" not in proc.stderr                          # not a terminal: no colour


@pytest.mark.parametrize("argv,env,coloured", [
    (["--color", "always"], {}, True),
    (["--color", "always"], {"NO_COLOR": "1"}, True),         # the flag wins over the variable
    (["--color", "never"], {}, False),
    (["--color", "auto"], {}, False),                          # stderr is a pipe here
])
def test_check_colours_only_when_asked(argv, env, coloured):
    proc = _check(*argv, str(FA_CPP), env=env)
    assert ("\x1b[01;35mwarning:" in proc.stderr) == coloured and ("\x1b[" in proc.stderr) == coloured


def test_use_color_honours_no_color_on_a_terminal(monkeypatch):
    from ptofix import diagnostic_view
    monkeypatch.setattr(diagnostic_view.os, "isatty", lambda fd: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert diagnostic_view.use_color("auto")
    monkeypatch.setenv("NO_COLOR", "1")
    assert not diagnostic_view.use_color("auto") and diagnostic_view.use_color("always")
    monkeypatch.setenv("NO_COLOR", "")                       # empty: not set (no-color.org)
    assert diagnostic_view.use_color("auto") and not diagnostic_view.use_color("never")


def test_check_fix_in_place_says_what_it_inserted(tmp_path):
    kernel = tmp_path / "fa.cpp"
    kernel.write_text(FA_CPP.read_text())
    proc = _check("--fix", "-i", str(kernel))
    assert proc.returncode == 0 and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert f"{kernel}: inserted 4 barriers" in lines
    assert lines[-1] == ("8 races (7 overlap, 1 PTOAS #674 same-access chain), 0 broken placements, "
                         "0 unverified functions in 1 file; inserted 4 barriers")
    assert kernel.read_text().count("/* ptofix: ") == 4
    # The chain's barrier is among them: between TMULS (input line 330) and TEXP.
    assert "/* ptofix: WAW on v39 with input line 330 */ pipe_barrier(PIPE_V);" in kernel.read_text()
    again = _check("--fix", "-i", str(kernel))              # idempotent: nothing left to insert
    assert again.returncode == 0
    assert again.stderr.splitlines() == ["0 races, 0 broken placements, 0 unverified functions in 1 file; "
                                         "inserted 0 barriers"]


def test_allow_unverified_makes_an_unverified_function_a_success(tmp_path):
    kernel = _unverified_kernel(tmp_path)
    plain = _check(str(kernel))
    allowed = _check("--allow-unverified", str(kernel))
    assert plain.returncode == 4 and allowed.returncode == 0
    assert "is unverified" in allowed.stderr                 # still said
    assert allowed.stderr.splitlines()[-1] == "0 races, 0 broken placements, 1 unverified function in 1 file"
    racy = tmp_path / "racy.cpp"
    racy.write_text(FA_CPP.read_text())
    assert _check("--allow-unverified", str(racy), str(kernel)).returncode == 1     # races still fail


def test_an_unverified_note_says_nothing_is_ruled_out_once(tmp_path):
    # A reason that already says so (pair bytes unknown) gets no second "(... ruled out)".
    kernel = tmp_path / "k.cpp"
    kernel.write_text(f"__global__ AICORE void k(int32_t n) {{\n  {TILE} a;\n  TASSIGN(a, n);\n  {TILE} b;\n"
                      "  TASSIGN(b, 0);\n  TADDS(a, a, 1.0f);\n  TADDS(b, b, 1.0f);\n}\n")
    proc = _check(str(kernel))
    notes = [line for line in proc.stderr.splitlines() if "is unverified" in line]
    assert notes and all(line.count("ruled out") == 1 for line in notes), proc.stderr


def _assert_sarif_2_1_0(log: dict) -> None:
    """The structure SARIF 2.1.0 requires of what check writes (sarif-schema-2.1.0.json: sarifLog,
    run, tool, toolComponent, reportingDescriptor, result, location, physicalLocation, region)."""
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-schema-2.1.0.json")
    assert isinstance(log["runs"], list) and len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert isinstance(driver["name"], str) and driver["name"]
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert len(set(rule_ids)) == len(rule_ids) and all(rule["shortDescription"]["text"] for rule in driver["rules"])
    for result in run["results"]:
        assert set(result) <= {"ruleId", "ruleIndex", "level", "message", "locations", "relatedLocations"}
        assert result["level"] in ("none", "note", "warning", "error")
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert isinstance(result["message"]["text"], str) and result["message"]["text"]
        for place in result["locations"] + result.get("relatedLocations", []):
            physical = place["physicalLocation"]
            assert isinstance(physical["artifactLocation"]["uri"], str)
            assert physical["region"]["startLine"] >= 1 and physical["region"]["startColumn"] >= 1
        for index, related in enumerate(result.get("relatedLocations", [])):
            assert related["id"] == index and related["message"]["text"]
    bases = run.get("originalUriBaseIds", {})
    for base in bases.values():                  # 3.14.14: absolute, ending with "/"
        assert _URI_REFERENCE.fullmatch(base["uri"]) and base["uri"].startswith("file:///")
        assert base["uri"].endswith("/")
    places = [artifact["location"] for artifact in run["artifacts"]]
    places += [place["physicalLocation"]["artifactLocation"] for result in run["results"]
               for place in result["locations"] + result.get("relatedLocations", [])]
    for place in places:                         # 3.4.3: a URI reference, relative ones against a base id
        assert _URI_REFERENCE.fullmatch(place["uri"]), place
        if place["uri"].startswith("file:"):
            assert "uriBaseId" not in place and place["uri"].startswith("file:///")
        else:
            assert ":" not in place["uri"].split("/")[0] and place["uriBaseId"] in bases


# RFC 3986: unreserved, reserved and percent-encoded octets only; '#' and '?' only as their delimiters
# (a file's URI has neither).
_URI_REFERENCE = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})*")


def _path_of(place: dict, bases: dict) -> bytes:
    """The file-system path a SARIF artifactLocation names, as bytes."""
    from urllib.parse import unquote_to_bytes, urljoin
    uri = urljoin(bases[place["uriBaseId"]]["uri"], place["uri"]) if "uriBaseId" in place else place["uri"]
    assert uri.startswith("file:///")
    return unquote_to_bytes(uri[len("file://"):])


@pytest.mark.parametrize("name", [b"a b#1.cpp", b"x:y.cpp", b"%41.cpp", b"bad\xff\xfe name.cpp",
                                  "n\u00e4me-\u6838.cpp".encode()])
def test_sarif_names_each_file_by_a_percent_encoded_uri(tmp_path, name):
    import json
    (tmp_path / os.fsdecode(name)).write_text(RACY)
    for argv_name in (name, os.fsencode(tmp_path) + b"/" + name):     # relative, then absolute
        proc = subprocess.run([sys.executable, "-m", "ptofix", "check", "--report", "sarif", argv_name],
                              capture_output=True, cwd=tmp_path)
        assert proc.returncode == 1, proc.stderr
        log = json.loads(proc.stdout)
        _assert_sarif_2_1_0(log)
        run = log["runs"][0]
        bases = run.get("originalUriBaseIds", {})
        places = [run["artifacts"][0]["location"]]
        places += [result["locations"][0]["physicalLocation"]["artifactLocation"] for result in run["results"]]
        assert len(places) > 1
        for place in places:
            assert _path_of(place, bases) == os.fsencode(tmp_path) + b"/" + name
        if argv_name == name:
            assert places[0]["uriBaseId"] == "SRCROOT" and "/" not in places[0]["uri"]
        else:
            assert "originalUriBaseIds" not in run and places[0]["uri"].startswith("file:///")


def test_sarif_uris_of_hostile_names_are_as_rfc_3986_spells_them():
    from ptofix.sarif import artifact_location, sarif_log
    assert artifact_location("a b#1.cpp") == {"uri": "a%20b%231.cpp", "uriBaseId": "SRCROOT"}
    assert artifact_location("x:y.cpp")["uri"] == "x%3Ay.cpp"            # not the scheme "x"
    assert artifact_location("%41.cpp")["uri"] == "%2541.cpp"            # not "A.cpp"
    assert artifact_location(os.fsdecode(b"n\xffx.cpp"))["uri"] == "n%FFx.cpp"   # the raw byte, no surrogate
    assert artifact_location("\u00fc.cpp")["uri"] == "%C3%BC.cpp"       # UTF-8
    assert artifact_location("/t/a b.cpp") == {"uri": "file:///t/a%20b.cpp"}
    log = sarif_log([{"file": "d/k.cpp"}], directory="/w/x y")
    assert log["runs"][0]["originalUriBaseIds"] == {"SRCROOT": {"uri": "file:///w/x%20y/"}}
    assert "originalUriBaseIds" not in sarif_log([{"file": "/abs/k.cpp"}])["runs"][0]


def test_check_writes_a_sarif_log_to_stdout_and_keeps_the_warnings_on_stderr(tmp_path):
    import json
    unverified = _unverified_kernel(tmp_path)
    proc = _check("--report", "sarif", str(FA_CPP), str(unverified))
    assert proc.returncode == 1
    log = json.loads(proc.stdout)
    _assert_sarif_2_1_0(log)
    results = log["runs"][0]["results"]
    races = [r for r in results if r["ruleId"] == "pipe-v-race"]
    assert len(races) == 7 and all(r["level"] == "warning" for r in races)
    # TMULS -> TEXP on v39: an unbarriered PTOAS #674 same-access chain, its own rule and note.
    chains = [r for r in results if r["ruleId"] == "pipe-v-race-same-access-chain"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in chains] == [331]
    assert chains[0]["level"] == "warning" and chains[0]["relatedLocations"][0]["message"]["text"].endswith(
        "ptoas prunes this barrier under PTOAS #674; Ascend's msSanitizer flags it")
    first = races[0]["locations"][0]["physicalLocation"]
    assert first["artifactLocation"]["uri"] == FA_CPP.as_uri() and first["region"] == {"startLine": 330, "startColumn": 3}
    assert races[0]["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 328
    # The TROWSUM's read of v39 (line 332) races with each of the three writes before it.
    trowsum = [r for r in races if r["locations"][0]["physicalLocation"]["region"] == {"startLine": 332,
                                                                                      "startColumn": 3}]
    assert [r["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] for r in trowsum] == [328, 330, 331]
    assert [r["level"] for r in results if r["ruleId"] == "unverified-function"] == ["note"]
    assert "warning: RAW race: TROWSUM reads v39" in proc.stderr and proc.stderr.splitlines()[-1].startswith("8 races")
    # To a file, the same log; stdout stays empty.
    into_file = _check("--report", "sarif", "--report-file", str(tmp_path / "check.sarif"), str(FA_CPP),
                       str(unverified))
    assert into_file.stdout == "" and json.loads((tmp_path / "check.sarif").read_text()) == log


def test_check_json_report_goes_to_stdout_with_the_warnings_on_stderr():
    import json
    proc = _check("--report", "json", str(FA_CPP))
    document = json.loads(proc.stdout)["files"][0]
    assert proc.returncode == 1 and len(document["races"]) == 8
    assert document["by_category"] == {"overlap": 7, "same-access-chain": 1}
    assert document["race_model"] == "mssanitizer-a2a3"
    assert "warning: RAW race: TROWSUM reads v39" in proc.stderr


@pytest.mark.parametrize("report", ["json", "sarif"])
def test_check_fix_puts_a_machine_report_on_stdout_only_when_stdout_is_free(tmp_path, report):
    import json
    kernel = tmp_path / "fa.cpp"
    kernel.write_text(FA_CPP.read_text())
    # Beside the kernel on stdout the report is refused before anything is read or written.
    refused = _check("--fix", "--report", report, str(kernel))
    assert refused.returncode == 2 and refused.stdout == "" and kernel.read_text() == FA_CPP.read_text()
    assert refused.stderr == (f"ptofix: error: --report {report} and the rewritten file both want stdout: "
                              "give -o FILE, -i, or --report-file FILE\n")
    # With -i stdout is free: the report is all of it; stderr keeps the warnings, what was inserted
    # and the summary line.
    proc = _check("--fix", "-i", "--report", report, str(kernel))
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    assert document["version"] == (2 if report == "json" else "2.1.0")
    lines = proc.stderr.splitlines()
    assert '"version"' not in proc.stderr and any(": warning: " in line for line in lines)
    assert f"{kernel}: inserted 4 barriers" in lines and lines[-1].endswith("; inserted 4 barriers")


def test_the_check_pages_example_is_what_check_prints_on_the_fa_sample():
    """docs/commands/check.md shows fa.cpp's first race as check prints it: a short warning line, the
    earlier op and how the two meet on the note, each phrase once."""
    page = (REPO / "docs" / "commands" / "check.md").read_text(encoding="utf-8")
    example = page.split("```\nkernels/flash_attention/fa.cpp:330:3: warning:", 1)[1].split("```", 1)[0]
    example = "kernels/flash_attention/fa.cpp:330:3: warning:" + example
    proc = _check("kernels/flash_attention/fa.cpp", env={"NO_COLOR": "1"}, cwd=REPO)
    assert proc.returncode == 1
    assert proc.stderr.startswith(example)
    warnings = [line for line in proc.stderr.splitlines() if ": warning: " in line or ": note: " in line]
    assert len(warnings) == 16 and max(map(len, warnings)) < 210
    for line in warnings:
        message = line.split(": ", 2)[2]
        phrases = [message[i:i + 20] for i in range(0, len(message) - 20, 5)]
        assert len(phrases) == len(set(phrases)), line      # no phrase said twice
