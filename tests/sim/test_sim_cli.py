"""``ptofix simulate`` command line: exit statuses, defaults, errors naming the statement."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_sim_hazard import chain

REPO = Path(__file__).resolve().parents[2]


def sim(*args: str):
    return subprocess.run([sys.executable, "-m", "ptofix", "simulate", *args], capture_output=True, text=True,
                          cwd=REPO)


@pytest.mark.slow   # (2 s of CPU or more, measured: CI's full tier runs it)
def test_equal_difference_and_json(tmp_path):
    a, b = tmp_path / "a.cpp", tmp_path / "b.cpp"
    a.write_text(chain(4, 64, True))
    b.write_text(chain(4, 64, False))
    ok = sim(str(a), str(a), "--seeds", "3")
    assert ok.returncode == 0 and "equal on 3 seed(s)" in ok.stdout
    bad = sim(str(a), str(b))
    assert bad.returncode == 1
    assert "difference on seed" in bad.stdout and f"{b}:" in bad.stdout and "RAW" in bad.stdout
    js = sim(str(a), str(b), "--report", "json")
    [data] = json.loads(js.stdout)["files"]
    assert js.returncode == 1 and data["equal"] is False and "TMUL" in data["difference"]["actual_origin"]


def test_unknown_op_is_exit_2_naming_the_statement(tmp_path):
    a = tmp_path / "a.cpp"
    a.write_text(chain(4, 64, True, "TFROBNICATE(c, b);"))
    r = sim(str(a), str(a))
    assert r.returncode == 2
    assert "error: cannot simulate: unknown op or function 'TFROBNICATE'" in r.stderr
    assert f"{a}:" in r.stderr and "TFROBNICATE(c, b)" in r.stderr


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
def test_scalar_arguments_defaults_and_overrides(tmp_path):
    text = chain(4, 64, True).replace("__gm__ float* y)", "__gm__ float* y, int32_t n)")
    text = text.replace("  TADD(b, a, a);", "  if (n > 16) {\n    TFROBNICATE(b);\n  };\n  TADD(b, a, a);")
    a = tmp_path / "a.cpp"
    a.write_text(text)
    assert sim(str(a), str(a)).returncode == 0                 # default n = 16
    r = sim(str(a), str(a), "--arg", "n=17")
    assert r.returncode == 2 and "TFROBNICATE" in r.stderr
    r = sim(str(a), str(a), "--arg", "m=1")
    assert r.returncode == 2 and "no parameter named 'm'" in r.stderr
    # 2**32 + 16 would wrap to 16 in an int32_t and run the default path: refused instead.
    r = sim(str(a), str(a), "--arg", f"n={2 ** 32 + 16}")
    assert r.returncode == 2 and "out of range for i32 (-2147483648..2147483647)" in r.stderr
    assert sim(str(a), str(a), "--arg", "n=-2147483648").returncode == 0


def test_tile_outside_ub_is_exit_2(tmp_path):
    a = tmp_path / "a.cpp"
    a.write_text(chain(4, 64, True).replace("TASSIGN(c, 65536)", "TASSIGN(c, 196608)"))
    r = sim(str(a), str(a))
    assert r.returncode == 2 and "outside the 196608-byte UB" in r.stderr
    assert sim(str(a), str(a), "--ub-size", "256K").returncode == 0


def test_help_names_the_options_and_the_page_the_defaults():
    r = subprocess.run([sys.executable, "-m", "ptofix", "simulate", "--help"], capture_output=True, text=True,
                       cwd=REPO)
    assert r.returncode == 0
    for word in ("--seeds", "--arg", "exit status:", "--subblocks", "docs/commands/simulate.md"):
        assert word in r.stdout
    page = (REPO / "docs" / "commands" / "simulate.md").read_text(encoding="utf-8")
    assert "| integer scalars | 16 |" in page and "| float scalars | 1.0 |" in page


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
def test_gm_fill_sets_integer_ranges_and_rejects_bad_modes_and_names(tmp_path):
    from ptofix.sim.memory import parse_fill, random_bytes
    ints = random_bytes("int32_t", 4096, [1, 2, 3], "ints:300:400").view("int32")
    assert ints.min() >= 300 and ints.max() < 400
    floats = random_bytes("float", 4096, [1, 2, 3], "ints:-2:2").view("float32")
    assert set(floats.tolist()) <= {-2.0, -1.0, 0.0, 1.0}
    assert parse_fill("zero") == ("zero", 0, 8)
    for bad in ("ints:5:1", "ints:a:b", "ones"):
        try:
            parse_fill(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
    a = tmp_path / "a.cpp"
    a.write_text(chain(4, 64, True))
    assert sim(str(a), str(a), "--seeds", "1", "--gm-fill", "x=ints:0:4").returncode == 0
    r = sim(str(a), str(a), "--gm-fill", "x=ones")
    assert r.returncode == 2 and "is not random, zero or ints:LO:HI" in r.stderr
    r = sim(str(a), str(a), "--gm-fill", "z=zero")
    assert r.returncode == 2 and "--gm-fill z:" in r.stderr and "pointer parameters: x, y" in r.stderr


RACY_ORIGINAL = """\
#include "pto/pto-inst.hpp"
using namespace pto;

__global__ AICORE void k() {
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null> a;
  TASSIGN(a, 0);
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null> b;
  TASSIGN(b, 4096);
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null> c;
  TASSIGN(c, 65536);
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null> d;
  TASSIGN(d, 98304);
  TADD(a, a, a);
  TLOG(a, a);
  TADD(c, b, b);
  pipe_barrier(PIPE_V);
  TEXP(c, c);
  pipe_barrier(PIPE_V);
  TADD(d, c, c);
  TMULS(c, a, 2.0f);
  pipe_barrier(PIPE_V);
  TEXP(b, c);
  TMULS(a, c, 2.0f);
}
"""


def without_barrier(text: str, line: int) -> str:
    lines = text.splitlines(keepends=True)
    assert lines[line - 1] == "  pipe_barrier(PIPE_V);\n"
    lines[line - 1] = "  /* ptofix: removed pipe_barrier(PIPE_V) (auto) */\n"
    return "".join(lines)


# The three tests below remove the barrier at line 16, an exact same-access chain (PTOAS #674): they
# run under --same-access-chains, where the pipe keeps such a pair in repeat order.
@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
def test_a_difference_only_through_the_originals_own_races_is_exit_4(tmp_path):
    # The original races (19/20 WAR, 22/23 WAW: no drain between them). Removing the barrier at line
    # 16 (TADD(c, b, b) -> TEXP(c, c), an exact same-access chain) adds no pair the original keeps
    # apart; the rewrite's overlapped run on seed 2 differs only through 19/20 and 22/23, while the
    # original's own run on that seed happens to stay in order. (Line 14 is TLOG, built on vln, which
    # lands too late for the pipe's in-order issue to order it before TADD(c, b, b)'s repeats: that
    # race of the original shows on some seeds only, as the test needs.)
    orig, fixed = tmp_path / "orig.cpp", tmp_path / "fixed.cpp"
    orig.write_text(RACY_ORIGINAL)
    fixed.write_text(without_barrier(RACY_ORIGINAL, 16))
    for seeds in ("2", "8"):
        r = sim("--same-access-chains", str(orig), str(fixed), "--seeds", seeds, "--no-fix-original")
        assert r.returncode == 4, r.stdout
        assert r.stdout.startswith(f"simulate: the original already races: {fixed} differs on seed 2 (UB of vector "
                                   f"core block 0 subblock 0, byte offset 4100), but every pair its overlapped run "
                                   f"executed out of order is between the same two drains in {orig}, which may "
                                   f"overlap them too; the comparison says nothing about the rewrite there\n")
        assert "difference on" not in r.stdout.splitlines()[0]
    js = sim("--same-access-chains", str(orig), str(fixed), "--seeds", "2", "--report", "json", "--no-fix-original")
    [data] = json.loads(js.stdout)["files"]
    assert js.returncode == 4 and data["status"] == "original races" and data["difference"] is None
    assert data["racy_original"]["original_pairs_only"] is True


def test_a_difference_through_a_pair_the_original_keeps_apart_is_still_exit_1(tmp_path):
    # The barrier at line 21 separates TMULS(c, a) from TEXP(b, c) and TMULS(a, c) (RAW on c; TMULS(a, c) also
    # overwrites a, which TMULS(c, a) only reads: no same-access chain): removing it is the rewrite's race.
    orig, bad = tmp_path / "orig.cpp", tmp_path / "bad.cpp"
    orig.write_text(RACY_ORIGINAL)
    bad.write_text(without_barrier(RACY_ORIGINAL, 21))
    r = sim("--same-access-chains", str(orig), str(bad), "--seeds", "2")
    assert r.returncode == 1, r.stdout
    assert r.stdout.startswith("difference on seed 2: ")
    # TEXP(b, c)'s repeat k overwrites b's bytes [4096, 8192) (a's second half) before TMULS(c, a)'s
    # repeat k + 16 reads them: the pipe's in-order issue does not order that pair.
    assert f"RAW on UB [65536, 73728): {bad}:20: TMULS(c, a, 2.0f); (TMULS)  <->  {bad}:22: TEXP(b, c); " \
        "(TEXP)" in r.stdout


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
def test_a_racy_original_is_replaced_by_check_fix_of_it(tmp_path):
    # The same pair as above without --no-fix-original: check --fix separates the original's races
    # (14/15: TLOG writes a, which overlaps b; 19/20; 22/23), the same barriers go into the rewrite, and the comparison answers about the
    # removal at line 16 (an exact same-access chain: equal), saying so on stderr and in the report.
    orig, rew = tmp_path / "orig.cpp", tmp_path / "rew.cpp"
    orig.write_text(RACY_ORIGINAL)
    rew.write_text(without_barrier(RACY_ORIGINAL, 16))
    r = sim("--same-access-chains", str(orig), str(rew), "--seeds", "8")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stderr.startswith(f"simulate: {orig} races on its own; simulating the rewrite against `ptofix check "
                               f"--fix` of it instead: the 3 pipe_barrier(PIPE_V) check inserts ({orig}:15:3, "
                               f"{orig}:20:3, {orig}:23:3) added to both kernels\n")
    assert r.stdout.startswith("simulate: equal on 8 seed(s)")
    assert f"compared with `ptofix check --fix` of {orig}" in r.stdout
    js = sim("--same-access-chains", str(orig), str(rew), "--seeds", "8", "--report", "json")
    [data] = json.loads(js.stdout)["files"]
    assert js.returncode == 0 and data["status"] == "equal"
    assert data["check_fix"]["applied"] is True and data["check_fix"]["races"] >= 3
    assert data["check_fix"]["inserted"] == [f"{orig}:15:3", f"{orig}:20:3", f"{orig}:23:3"]
    # msSanitizer's rule (the default, without --same-access-chains): the chain's removal is a race
    # of its own, a difference against check --fix of the original.
    r = sim(str(orig), str(rew), "--seeds", "8")
    assert r.returncode == 1 and r.stdout.startswith("difference on seed "), r.stdout + r.stderr
    # A removal the fixed original needs is still a difference: the barrier at line 21 (TMULS(c, a) -> TEXP(b, c)).
    rew.write_text(without_barrier(RACY_ORIGINAL, 21))
    r = sim("--same-access-chains", str(orig), str(rew), "--seeds", "8")
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout.startswith("difference on seed ")


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
def test_fa_sample_rewrites_are_judged(tmp_path):
    # The shipped FA sample races on its own (TEXP -> TROWSUM, two row-expands on the hidden scratch):
    # its gu and auto rewrites are compared against check --fix of it, not left at exit 4.
    sample = REPO / "kernels" / "flash_attention" / "fa.cpp"
    for pattern in ("gu", "auto"):
        out = tmp_path / f"fa.{pattern}.cpp"
        run = subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", pattern, str(sample), "-o", str(out)],
                             capture_output=True, text=True, cwd=REPO)
        assert run.returncode == 0, run.stderr
        r = sim(str(sample), str(out), "--seeds", "2")
        assert r.returncode == 0, r.stdout + r.stderr
        assert "races on its own; simulating the rewrite against `ptofix check --fix` of it" in r.stderr
        assert r.stdout.startswith("simulate: equal on 2 seed(s)")
    assert sim(str(sample), str(out), "--seeds", "2", "--no-fix-original").returncode == 4


@pytest.mark.slow   # (2 s of CPU or more, measured: CI's full tier runs it)
def test_pto_ir_is_refused_naming_the_command_that_reads_it(tmp_path):
    # The one-line error `run` gives, not the C++ parser's first complaint about the IR.
    a, ir = tmp_path / "a.cpp", tmp_path / "k.pto"
    a.write_text(chain(4, 64, True))
    ir.write_text("module {\n  func.func @k() {\n    return\n  }\n}\n")
    for files in ((ir, a), (a, ir)):
        r = sim(*map(str, files))
        run = subprocess.run([sys.executable, "-m", "ptofix", "run", str(ir)], capture_output=True, text=True)
        assert r.returncode == run.returncode == 2 and r.stdout == ""
        assert r.stderr == run.stderr and r.stderr.count("\n") == 1
        assert f"{ir}:1:1: error: this is PTO IR (MLIR)" in r.stderr and "ptofix canonicalize" in r.stderr
