"""ptoas 2026-08's kernels under ``check --trace``: the entry without ``__global__``, the ops the cost
model leaves out (TXOR, the TCOLEXPAND family: perf's shim item 2) and the
``cache_line_t`` GM flush (pto-isa f35e7f60's cost model lacks the enum; perf's shim item 5).

Before: every kernel of ``../shared/corpus/ptoas-2026-08-21`` was "no __global__ kernel entry" and,
with --function, "cannot build for Perf-Sim: 'cache_line_t' has not been declared": none was traced."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ptofix.source import PtofixError
from ptofix.trace.entry import choose_entry

ROOT = Path(__file__).resolve().parents[2]
PTO_ISA = Path(os.environ.get("PTOFIX_PTO_ISA") or ROOT.parent / "shared" / "pto-isa" / "f35e7f60")
CXX = os.environ.get("CXX") or "g++"
KERNEL = ROOT / "tests" / "fixtures" / "trace" / "cache_line_entry.cpp"

IN_PERFSIM = (
    pytest.mark.slow,
    pytest.mark.skipif(not (PTO_ISA / "include" / "pto" / "costmodel" / "perf_sim" / "launch.hpp").is_file(),
                       reason=f"no pto-isa checkout with the cost model at {PTO_ISA}"),
    pytest.mark.skipif(shutil.which(CXX) is None, reason=f"no C++ compiler ({CXX}; set $CXX)"),
)


def in_perfsim(test):
    for mark in IN_PERFSIM:
        test = mark(test)
    return test


HEAD = '#include "pto/pto-inst.hpp"\nusing namespace pto;\n'
HELPER = "static AICORE inline void helper(int32_t n) {}\n"


def test_the_one_function_of_external_linkage_is_the_entry_with_a_note():
    call, notes = choose_entry("k.cpp", KERNEL.read_text(encoding="utf-8"), None)
    assert call.name == "flushed"
    assert notes == ["k.cpp: note: no __global__ entry: the trace runs 'flushed', the one function of external "
                     "linkage the file defines (--function NAME to choose)"]


@pytest.mark.parametrize("text", [
    HEAD + HELPER + "AICORE void one(int32_t n) {}\nAICORE void two(int32_t n) {}\n",      # two candidates
    HEAD + HELPER,                                                                          # none
    HEAD + "inline AICORE void one(int32_t n) {}\n",                                        # inline only
    HEAD + "template <int N> AICORE void one(int32_t n) {}\n",                              # a template only
    HEAD + "static AICORE void one(int32_t n) {}\nstatic AICORE void two(int32_t n) {}\n",  # two static ones
])
def test_no_guess_when_the_file_does_not_name_one_entry(text):
    with pytest.raises(PtofixError, match="no __global__ kernel entry: name the function to run with --function"):
        choose_entry("k.cpp", text, None)


def test_without_one_of_external_linkage_the_one_static_kernel_is_the_entry():
    """``static __aicore__ void name(...)`` beside ``static __aicore__ inline`` helpers (some ptoas
    builds); a function of external linkage, where there is one, comes first."""
    text = HEAD + HELPER + "static AICORE void kern(int32_t n) {}\n"
    call, notes = choose_entry("k.cpp", text, None)
    assert call.name == "kern"
    assert notes == ["k.cpp: note: no __global__ entry: the trace runs 'kern', the one function the file defines "
                     "that is not inline, a template or a member (--function NAME to choose)"]
    assert choose_entry("k.cpp", text + "AICORE void ext(int32_t n) {}\n", None)[0].name == "ext"


def test_a_named_function_or_a_global_entry_wins_without_a_note():
    text = HEAD + HELPER + "AICORE void one(int32_t n) {}\n__global__ AICORE void two(int32_t n) {}\n"
    assert choose_entry("k.cpp", text, None)[0].name == "two"
    assert choose_entry("k.cpp", text, None)[1] == []
    assert choose_entry("k.cpp", KERNEL.read_text(encoding="utf-8"), "flush_all")[0].name == "flush_all"


@in_perfsim
def test_a_cache_line_t_flush_builds_and_the_kernel_is_judged(tmp_path):
    """The fixture builds and runs under the cost model; the one pair its barrier orders is clean,
    the unordered TMULS -> TADD pair is the race the trace reports; the flushes touch no UB byte. The
    bare ENTIRE_DATA_CACHE of ptoas v0.45 builds too (it broke when the macros first went)."""
    done = subprocess.run([sys.executable, "-m", "ptofix", "check", "--trace", "--pto-isa", str(PTO_ISA),
                           "--cache-dir", str(tmp_path / "cache"), str(KERNEL)],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert "cache_line_t" not in done.stderr, done.stderr
    assert "the trace runs 'flushed'" in done.stderr
    races = re.findall(r":(\d+):\d+: warning: (RAW|WAR|WAW) race in the trace", done.stderr)
    lines = KERNEL.read_text(encoding="utf-8").splitlines()
    tadd_a = next(i for i, line in enumerate(lines, 1) if "TADD(a, c, c)" in line)
    assert races and {int(line) for line, _ in races} == {tadd_a}, done.stderr
    assert done.returncode == 1, done.stderr


TXOR_KERNEL = ROOT / "tests" / "fixtures" / "trace" / "txor_tmp.cpp"


@in_perfsim
def test_txor_builds_and_the_barrier_before_a_write_of_its_tmp_is_needed(tmp_path):
    """TXOR (perf's shim item 2: the cost model's op list leaves TXor.hpp out; before, 'TXOR_IMPL
    was not declared'): its last instruction reads tmp, so the barrier before the TADD that writes
    tmp orders a WAR pair. The trace shows it as shipped clean and, with the barrier gone, racy;
    `run --pattern auto` keeps it (the static model's TXOR reads tmp, ops.py)."""
    text = TXOR_KERNEL.read_text(encoding="utf-8")
    racy = tmp_path / "racy.cpp"
    racy.write_text(text.replace("  pipe_barrier(PIPE_V);\n", "", 1), encoding="utf-8")
    cache = str(tmp_path / "cache")

    def check(path: Path) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "ptofix", "check", "--trace", "--pto-isa", str(PTO_ISA),
                               "--cache-dir", cache, str(path)], capture_output=True, text=True, cwd=ROOT, check=False)

    shipped, removed = check(TXOR_KERNEL), check(racy)
    assert shipped.returncode == 0, shipped.stderr
    assert removed.returncode == 1, removed.stderr
    assert re.search(r"racy\.cpp:\d+:\d+: warning: WAR race in the trace: TADD's \w+ writes UB \[0x1000, ",
                     removed.stderr), removed.stderr
    out = tmp_path / "auto.cpp"
    done = subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", str(TXOR_KERNEL), "-o", str(out)],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8") == text


COLEXPAND_KERNEL = ROOT / "tests" / "fixtures" / "trace" / "colexpand_mul.cpp"


@in_perfsim
def test_tcolexpandmul_builds_and_the_trace_agrees_with_the_proof(tmp_path):
    """TCOLEXPANDMUL (before: 'TCOLEXPANDMUL_IMPL was not declared'; 19 kernels of
    ptoas-2026-08-21 and real/29, 40, 41 use the family): as shipped clean; `run --pattern auto
    --verify-trace` removes the barrier between disjoint tiles and keeps the one before the read of
    d, and the trace finds no race the output adds; without that second barrier it finds the RAW."""
    cache = str(tmp_path / "cache")

    def ptofix(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "ptofix", *argv], capture_output=True, text=True, cwd=ROOT,
                              check=False)

    shipped = ptofix("check", "--trace", "--pto-isa", str(PTO_ISA), "--cache-dir", cache, str(COLEXPAND_KERNEL))
    assert shipped.returncode == 0, shipped.stderr
    out = tmp_path / "auto.cpp"
    done = ptofix("run", "--pattern", "auto", "--pto-isa", str(PTO_ISA), "--cache-dir", cache, "--verify-trace",
                  str(COLEXPAND_KERNEL), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "cannot trace" not in done.stderr, done.stderr
    kept = out.read_text(encoding="utf-8")
    assert kept.count("pipe_barrier(PIPE_V);") == 1
    assert kept.index("pipe_barrier(PIPE_V);") > kept.index("TCOLEXPANDMUL(d, a, r);")
    racy = tmp_path / "racy.cpp"
    racy.write_text(kept.replace("  pipe_barrier(PIPE_V);\n", "", 1), encoding="utf-8")
    removed = ptofix("check", "--trace", "--pto-isa", str(PTO_ISA), "--cache-dir", cache, str(racy))
    assert removed.returncode == 1, removed.stderr
    assert re.search(r"racy\.cpp:\d+:\d+: warning: RAW race in the trace: TADD's \w+ reads UB \[0x2000, ",
                     removed.stderr), removed.stderr
