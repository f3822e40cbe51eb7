"""FA check: the vector kernel against a numpy cube model and flash-attention reference, and
simulation of the barrier pass's rewrites (gu / auto) and of a forced unsafe removal."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from test_sim_hazard import chain

from ptofix.sim.fa import FA_TOLERANCE, fa_check
from ptofix.sim.runner import SimOptions, simulate

REPO = Path(__file__).resolve().parents[2]
FA_SAMPLE = REPO / "kernels" / "flash_attention" / "fa.cpp"
CORPUS_FA = REPO.parent / "shared" / "corpus" / "real" / "02_fa_call_both.cpp"
needs_corpus_fa = pytest.mark.skipif(not CORPUS_FA.exists(), reason="corpus FA kernel (shared/corpus/real) not present")
needs_sample = pytest.mark.skipif(not FA_SAMPLE.exists(), reason="kernels/flash_attention/fa.cpp not present")
# 02_fa_call_both places tiles up to 449.5 KiB: run it with a larger UB; one query block (128 rows)
# per block, both vector subblocks.
FA02 = dict(block_num=16, block=0, ub_size=512 * 1024)
FA02_OPTS = SimOptions(block_num=16, blocks=[0], subblock_num=2, ub_size=512 * 1024)


def ptofix_run(path: Path, *flags: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "ptofix", "run", *flags, str(path)], capture_output=True,
                          text=True, cwd=REPO)
    if proc.returncode != 0 and "No module" in proc.stderr:
        pytest.skip("ptofix run is not available")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def removed(text: str) -> int:
    return text.count("ptofix: removed")


@pytest.mark.slow
@needs_corpus_fa
def test_fa_vector_output_matches_numpy_reference():
    r = fa_check(CORPUS_FA, "v6", head_dim=128, **FA02)
    assert r.tiles == 16 and r.o.shape == (128, 128)
    assert r.ok, f"max abs error {r.max_abs_err}"
    assert r.max_abs_err < FA_TOLERANCE["atol"]
    # The check can fail: a wrong scale moves O far outside the tolerance.
    bad = fa_check(CORPUS_FA, "v6", head_dim=128, scale=0.05, **FA02)
    assert not bad.ok


@pytest.mark.slow
@needs_corpus_fa
def test_fa_rewrite_by_the_pass_is_confirmed(tmp_path):
    # (auto only: gu removes nothing here, its chains run over tiles past the 192 KiB UB.)
    out = ptofix_run(CORPUS_FA, "--pattern", "auto")
    assert removed(out) >= 1
    rewritten = tmp_path / "fa.cpp"
    rewritten.write_text(out)
    rep = simulate(CORPUS_FA, rewritten, 3, FA02_OPTS)
    assert rep.difference is None
    r = fa_check(rewritten, "v6", head_dim=128, schedule_seed=2, **FA02)
    assert r.ok


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
@needs_corpus_fa
def test_fa_unsafe_removal_is_detected(tmp_path):
    # TEXP(p, p) -> TROWSUM(sum, p, tmp): a real RAW the static proof keeps (docs/reference/pto-facts.md §6.3).
    lines = CORPUS_FA.read_text().split("\n")
    for i, line in enumerate(lines):
        if line.strip() == "pipe_barrier(PIPE_V);" and lines[i - 1].strip().startswith("TEXP(v51"):
            lines[i] = line.replace("pipe_barrier(PIPE_V);", "/* forced */")
    bad = tmp_path / "fa_bad.cpp"
    bad.write_text("\n".join(lines))
    rep = simulate(CORPUS_FA, bad, 4, FA02_OPTS)
    assert rep.difference is not None
    assert any("TEXP(v51, v51)" in h and "TROWSUM" in h for h in rep.difference.hazards)


# The real ptoas v0.45 output prunes TEXP -> TROWSUM (an exact same-access chain; v0.45's
# InsertSyncAnalysis::CanPrunePipeVBarrier does not look at the consumer's tmp operand), which the
# simulator's chain rule (no tmp) treats as a race. So the sample itself differs under an overlapped
# schedule; a rewrite is confirmed when it adds no out-of-order pair of its own.
# (Not `gu`: the one barrier it removed, TROWEXPANDMUL(v45, ...) -> TADD(v45, ...), is a column-chunk
# walk read linearly, which since issue #55's chain rule by repeats the proof keeps.)
@needs_sample
@pytest.mark.parametrize("pattern", ["auto"])
def test_fa_sample_rewrites_are_confirmed(pattern, tmp_path):
    out = ptofix_run(FA_SAMPLE, "--pattern", pattern)
    assert removed(out) >= 1
    rewritten = tmp_path / "fa.cpp"
    rewritten.write_text(out)
    rep = simulate(FA_SAMPLE, rewritten, 4, SimOptions(args={"v7": "4"}, subblock_num=2))
    # the simulation ran the kernel (both subblocks, 4 tiles): more steps than the vector function has statements (the loop ran)
    vector_stmts = FA_SAMPLE.read_text().split("void vector_kernel", 1)[1].split("\n}\n", 1)[0].count(";")
    assert rep.runs >= 2 and rep.steps > vector_stmts
    assert rep.difference is None or (rep.difference.original_also_differs
                                      and rep.rewritten_hazards <= rep.original_hazards), rep.difference


@needs_sample
def test_fa_sample_forced_unsafe_removal_is_detected(tmp_path):
    # Removing every PIPE_V barrier of the sample (the proof would refuse most) must show.
    text = FA_SAMPLE.read_text().replace("pipe_barrier(PIPE_V);", "/* forced */")
    bad = tmp_path / "fa_bad.cpp"
    bad.write_text(text)
    options = SimOptions(args={"v7": "4"}, subblock_num=2)
    rep = simulate(FA_SAMPLE, bad, 4, options)
    if rep.difference is None:
        # Every seed's schedule shows the sample's own races (check reports two): compared against
        # check --fix of the sample, as `ptofix simulate` does.
        from ptofix.sim.race_fix import fix_both
        from ptofix.sim.runner import load
        fixed = fix_both(load(FA_SAMPLE), load(bad))
        assert not isinstance(fixed, str), fixed
        rep = simulate(fixed.original, fixed.rewritten, 4, options)
    assert rep.difference is not None and rep.rewritten_hazards > rep.original_hazards


@pytest.mark.slow   # (2 s of CPU or more, measured: CI's full tier runs it)
def test_forced_removal_on_crafted_kernel_exits_1(tmp_path):
    orig = tmp_path / "k.cpp"
    orig.write_text(chain(4, 64, True))
    proc = subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", "--force", str(orig)],
                          capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0 and ("invalid choice" in proc.stderr or "unrecognized" in proc.stderr):
        pytest.skip("ptofix run --force not available")
    assert proc.returncode == 0, proc.stderr
    assert "pipe_barrier(PIPE_V);" not in proc.stdout.replace("removed pipe_barrier(PIPE_V)", "")
    rew = tmp_path / "k.forced.cpp"
    rew.write_text(proc.stdout)
    sim = subprocess.run([sys.executable, "-m", "ptofix", "simulate", str(orig), str(rew)], capture_output=True,
                         text=True, cwd=REPO)
    assert sim.returncode == 1, sim.stdout + sim.stderr
    assert "TMUL(c, b, b)" in sim.stdout
    # Without --force the proof keeps that barrier and the simulation agrees.
    safe = subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", str(orig)],
                          capture_output=True, text=True, cwd=REPO)
    rew.write_text(safe.stdout)
    sim = subprocess.run([sys.executable, "-m", "ptofix", "simulate", str(orig), str(rew)], capture_output=True,
                         text=True, cwd=REPO)
    assert sim.returncode == 0, sim.stdout


@needs_sample
@pytest.mark.parametrize("tiles", [1, 4])
def test_fa_sample_output_matches_numpy_reference(tiles):
    """The shipped FA sample (entry fa_kernel, O = v5, tile count = v7) against fp32 attention."""
    r = fa_check(FA_SAMPLE, "v5", head_dim=128, args={"v7": str(tiles)}, function="fa_kernel")
    assert r.tiles == tiles and r.o.shape == (64, 128)   # both subblocks x 32 rows
    assert r.ok and r.max_abs_err < FA_TOLERANCE["atol"], r.max_abs_err
    bad = fa_check(FA_SAMPLE, "v5", head_dim=128, args={"v7": str(tiles)}, function="fa_kernel", scale=0.05)
    assert not bad.ok
