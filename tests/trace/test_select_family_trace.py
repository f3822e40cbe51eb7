"""Red team trace8: barriers next to the select family (TSEL, TSELS, TPRELU, TREM, TREMS), judged by
pto-isa's host cost model now that the trace follows set_cmpmask and vsel (ptofix/trace/select.py).

The fixtures (tests/fixtures/select_family/) put each case between `pipe_barrier(PIPE_ALL)`s:
select_probes_float.cpp, select_probes_mixed.cpp and select_probes_dynamic.cpp (run-time valid
shapes, traced at five) put a 32-byte TEXPANDS on one block at an operand's edge (sources, dst, mask
rows, tmp; before, at and past each) after a barrier after the op, and before a barrier before it; select_pairs.cpp puts a select op next to another one (sharing
a tmp, a tmp inside the other's mask), a compare rewriting the mask, an add rewriting a source, and
probes of a 300-column mask row past its first block; the barriers the trace needs are marked
NEEDED there (tests/cpp/test_select_family_barriers.py: the proof keeps each, for that conflict).
`run --pattern auto` never removes one of them: `run --verify-trace` traces input and
output and refuses an output with a race (msSanitizer's a2/a3 rule) the input has not, and the
NEEDED marks are the run's own (ptofix/trace/reach.py: a barrier is needed when leaving it out
opens a race). Each fixture's first line gives its removal count and the scalar arguments of its
run. The removals are pinned: a change of the proof that removes more must be traced again.

What red team trace8 found: no wrong removal (114 of 605 barriers removed, each agreed by the
trace in every run); the proof keeps most of the barriers the trace shows unneeded before a TSEL or
TSELS (their own pipe_barrier(PIPE_V) after the vector_dup or set_cmpmask orders what came before,
except their tmp) and around TPRELU, TREM and TREMS (their tmp's bytes are unknown to it). By
msSanitizer's rule pto-isa's own TSEL races with itself over more than one row
(test_tsel_races_with_itself_by_the_vendor_rule).
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_trace import PTO_ISA, in_perfsim  # (the perfsim marks every trace test shares)

from ptofix.api import fix_cpp
from ptofix.compile_env import CompileEnvironment
from ptofix.trace.check import TraceOptions, trace_texts
from ptofix.trace.reach import kernel_barrier_sites, unneeded_barriers

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "select_family"
HEADERS = FIXTURES / "include"
KERNELS = sorted(p.name for p in FIXTURES.glob("*.cpp"))
PAIRS = FIXTURES / "select_pairs.cpp"


def first_line(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8").split("\n", 1)[0]


def removals_promised(name: str) -> int:
    return int(re.search(r"run --pattern auto removes (\d+) of", first_line(name)).group(1))


def removed_lines(text: str) -> set[int]:
    return {d.line for d in fix_cpp(text, patterns="auto", include_dirs=[str(HEADERS)]).decisions
            if d.decision == "removed"}


def test_there_are_four_fixtures():
    assert KERNELS == ["select_pairs.cpp", "select_probes_dynamic.cpp", "select_probes_float.cpp",
                       "select_probes_mixed.cpp"]


@pytest.mark.parametrize("name", KERNELS)
def test_the_removals_stay_as_traced(name):
    text = (FIXTURES / name).read_text(encoding="utf-8")
    assert len(removed_lines(text)) == removals_promised(name)
    assert text.count("pipe_barrier(PIPE_V);") == int(re.search(r"removes \d+ of (\d+)", first_line(name)).group(1))


@in_perfsim
@pytest.mark.slow
@pytest.mark.parametrize("name", KERNELS)
def test_the_trace_judge_finds_no_race_the_removals_made(name, tmp_path):
    path = FIXTURES / name
    out = tmp_path / "out.cpp"
    for run in re.search(r"ARGS (.*)$", first_line(name)).group(1).split():      # (runs; a run's args: a,b)
        args = [x for arg in run.split(",") for x in ("--arg", arg)]
        done = subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", "--verify-trace",
                               "--pto-isa", str(PTO_ISA), "--cache-dir", str(tmp_path / "cache"), "-I", str(HEADERS),
                               *args, str(path), "-o", str(out)],
                              capture_output=True, text=True, cwd=ROOT, check=False)
        assert done.returncode == 0, (run, done.stderr)
        assert "cannot trace" not in done.stderr, (run, done.stderr)
        assert "cannot compare" not in done.stderr, (run, done.stderr)
        assert out.read_text(encoding="utf-8").count("ptofix: removed") == removals_promised(name)


@in_perfsim
@pytest.mark.slow
def test_the_barriers_marked_needed_are_the_ones_the_trace_needs(tmp_path):
    text = PAIRS.read_text(encoding="utf-8")
    options = TraceOptions(CompileEnvironment(pto_isa=str(PTO_ISA)), args=(("n", "1"),), cache_dir=tmp_path / "cache")
    result = trace_texts({str(PAIRS): text}, options)[str(PAIRS)]
    assert result.error is None and result.recording is not None and result.judgement is not None
    assert result.judgement.cannot_judge is None, result.judgement.cannot_judge
    recording = result.recording
    unneeded = set(unneeded_barriers(recording))
    needed = {recording.sites[site].line for site in kernel_barrier_sites(recording) if site not in unneeded}
    marked = {number for number, line in enumerate(text.split("\n"), 1) if "// NEEDED" in line}
    assert needed == marked


KERNEL = """#include "pto/pto-inst.hpp"
using namespace pto;
__global__ AICORE void k(__gm__ float* x, int rows) {
  Tile<TileType::Vec, float, 4, 64, BLayout::RowMajor, -1, -1, SLayout::NoneBox, 512, PadValue::Null> d(rows, 40);
  TASSIGN(d, 0x0);
  Tile<TileType::Vec, float, 4, 64, BLayout::RowMajor, -1, -1, SLayout::NoneBox, 512, PadValue::Null> a(rows, 40);
  TASSIGN(a, 0x400);
  Tile<TileType::Vec, float, 4, 64, BLayout::RowMajor, -1, -1, SLayout::NoneBox, 512, PadValue::Null> b(rows, 40);
  TASSIGN(b, 0x800);
  Tile<TileType::Vec, uint8_t, 4, 32, BLayout::RowMajor, 4, 32, SLayout::NoneBox, 512, PadValue::Null> m;
  TASSIGN(m, 0xC00);
  Tile<TileType::Vec, uint8_t, 1, 32, BLayout::RowMajor, 1, 32, SLayout::NoneBox, 512, PadValue::Null> t;
  TASSIGN(t, 0xD00);
  Tile<TileType::Vec, float, 2, 64, BLayout::RowMajor, 2, 64, SLayout::NoneBox, 512, PadValue::Null> rt;
  TASSIGN(rt, 0x1000);
  Tile<TileType::Vec, uint8_t, 8, 32, BLayout::RowMajor, 8, 32, SLayout::NoneBox, 512, PadValue::Null> pt;
  TASSIGN(pt, 0x1200);
  TSEL(d, m, a, b, t);
  pipe_barrier(PIPE_ALL);
  TSELS(d, m, a, t, 2.0f);
  pipe_barrier(PIPE_ALL);
  TREM(d, a, b, rt);
  pipe_barrier(PIPE_ALL);
  TREMS(d, a, 3.0f, rt);
  pipe_barrier(PIPE_ALL);
  TPRELU(d, a, b, pt);
}
"""


@in_perfsim
@pytest.mark.slow
def test_tsel_races_with_itself_by_the_vendor_rule(tmp_path):
    """Every select-family op is judged; over two rows TSEL's row-0 vsel loads the tmp (msSanitizer's
    CMPMASK load) and its row-1 vector_dup rewrites it with no barrier between, in TSEL and in
    TPRELU's TSEL; over one row nothing races."""
    kernel = tmp_path / "select.cpp"
    kernel.write_text(KERNEL)

    def check(rows: int) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "ptofix", "check", "--trace", "--pto-isa", str(PTO_ISA),
                               "--cache-dir", str(tmp_path / "cache"), "-I", str(HEADERS), "--arg", f"rows={rows}",
                               str(kernel)], capture_output=True, text=True, cwd=ROOT, check=False)
    two = check(2)
    assert "cannot be judged" not in two.stderr, two.stderr
    assert two.returncode == 1, two.stderr
    found = re.findall(r"select\.cpp:(\d+):3: warning: (\w+) race in the trace: (\w+)'s vector_dup writes UB "
                       r"\[0xd00, 0xd08\), which \w+'s vsel \(CMPMASK load\) \(line (\d+)\) read", two.stderr)
    assert found == [("18", "WAR", "TSEL", "18")], two.stderr
    assert re.search(r"warning: WAR race in the trace: TPRELU's vector_dup writes UB \[0x1240, 0x1248\), which "
                     r"TPRELU's vsel \(CMPMASK load\) \(line 26\) read", two.stderr), two.stderr
    assert "2 races, 0 broken placements, 0 unverified functions in 1 file (trace)" in two.stderr, two.stderr
    one = check(1)
    assert one.returncode == 0, one.stderr
    assert "0 races, 0 broken placements, 0 unverified functions in 1 file (trace)" in one.stderr, one.stderr


TSELS_TWICE = """#include "pto/pto-inst.hpp"
using namespace pto;
using F = Tile<TileType::Vec, float, 4, 64, BLayout::RowMajor, 3, 40, SLayout::NoneBox, 512, PadValue::Null>;
using M = Tile<TileType::Vec, uint8_t, 4, 32, BLayout::RowMajor, 4, 32, SLayout::NoneBox, 512, PadValue::Null>;
using T = Tile<TileType::Vec, uint8_t, 1, 32, BLayout::RowMajor, 1, 32, SLayout::NoneBox, 512, PadValue::Null>;
__global__ AICORE void k(__gm__ float* x, int n) {
  F d1; TASSIGN(d1, 0x0);
  F d2; TASSIGN(d2, 0x400);
  F a; TASSIGN(a, 0x800);
  M m; TASSIGN(m, 0xC00);
  T t; TASSIGN(t, 0xD00);
  TSELS(d1, m, a, t, 1.0f);
  pipe_barrier(PIPE_V);
  TSELS(d2, m, a, t, 2.0f);
}
"""


@in_perfsim
@pytest.mark.slow
def test_two_tsels_sharing_a_tmp_race_across_pipes_whatever_the_vector_barrier(tmp_path):
    """TSELS stores its scalar into the tmp with the scalar unit, ordered after nothing of the vector
    pipe (TSels.hpp: a PIPE_S -> PIPE_V flag after the store only): the first TSELS's vsels still
    load that tmp (msSanitizer's CMPMASK load) and its set_cmpmask read it; a pipe_barrier(PIPE_V)
    orders neither against the scalar unit."""
    kernel = tmp_path / "tsels.cpp"
    kernel.write_text(TSELS_TWICE)
    done = subprocess.run([sys.executable, "-m", "ptofix", "check", "--trace", "--pto-isa", str(PTO_ISA),
                           "--cache-dir", str(tmp_path / "cache"), str(kernel)],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 1, done.stderr
    assert re.search(r"tsels\.cpp:14:3: warning: WAR race in the trace: a scalar write in or after TSELS writes UB "
                     r"\[0xd00, 0xd04\), which TSELS's vsel \(CMPMASK load\) \(line 12\) read \(3 times", done.stderr)
    assert "2 races (0 overlap, 2 across pipes)" in done.stderr, done.stderr
