"""``check --trace`` and ``run --verify-trace``: the vendor's A2/A3 race rule on what pto-isa's host
cost model issues (ptofix/trace/).

The first tests read the tool's own logic without a compiler (the instrumented copy, footprints,
the rule on hand-made streams). The ``perfsim`` ones build against ../shared/pto-isa/f35e7f60 (a C++
compiler and the checkout; skipped without either) and are ``slow``: three kernels are built, once
each a session (tests/fixtures/trace/families.cpp serves every case through its `which` argument)."""
from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ptofix.source import SourceText
from ptofix.trace.footprint import UB_BIAS, CannotJudge, MaskState, decode
from ptofix.trace.instrument import instrument
from ptofix.trace.judge import judge
from ptofix.trace.record import Call

ROOT = Path(__file__).resolve().parents[2]
PTO_ISA = Path(os.environ.get("PTOFIX_PTO_ISA") or ROOT.parent / "shared" / "pto-isa" / "f35e7f60")
FA = ROOT / "kernels" / "flash_attention" / "fa.cpp"
FAMILIES = ROOT / "tests" / "fixtures" / "trace" / "families.cpp"
CXX = os.environ.get("CXX") or "g++"

NEEDS_PERFSIM = (
    pytest.mark.perfsim,
    pytest.mark.slow,
    pytest.mark.skipif(not (PTO_ISA / "include" / "pto" / "costmodel" / "perf_sim" / "launch.hpp").is_file(),
                       reason="../shared/pto-isa/f35e7f60 (a pto-isa checkout with the host cost model) is not present"),
    pytest.mark.skipif(shutil.which(CXX) is None, reason=f"no C++ compiler ({CXX}; set $CXX)"),
)


def in_perfsim(test):
    for mark in NEEDS_PERFSIM:
        test = mark(test)
    return test


def ptofix(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ptofix", *argv], capture_output=True, text=True, cwd=ROOT,
                          check=False)


def warnings(stderr: str) -> list[tuple[int, str, str]]:
    """(line, kind, byte range) of each trace warning."""
    return [(int(m.group(1)), m.group(2), m.group(3)) for m in
            re.finditer(r":(\d+):\d+: warning: (RAW|WAR|WAW) race in the trace: .*? UB (\[[^)]*\))", stderr)]


# --- the instrumented copy --------------------------------------------------------------------


def test_the_instrumented_copy_keeps_every_line_and_marks_each_pto_call():
    text = ("void helper(int x);\nvoid TFOO(int x);\n__global__ void k() {\n  TADD(a, b, c);  // TSUB(x)\n"
            "  if (x) pipe_barrier(PIPE_V);\n  auto e = pto::TEXP<T>(a, b);\n  TASSIGN(v, 0x100);\n"
            "  s.TADD(q);\n  const char *n = \"TMUL(a)\";\n}\n")
    out, sites = instrument(SourceText(text, "k.cpp"))
    assert out.count("\n") == text.count("\n")
    assert [(s.name, s.line, s.column) for s in sites] == [
        ("TADD", 4, 3), ("pipe_barrier", 5, 10), ("TEXP", 6, 12), ("TASSIGN", 7, 3)]
    assert "void TFOO(int x);" in out                              # a declaration is left alone
    assert "(ptofix_trace_at(2), pto::TEXP<T>(a, b))" in out
    assert "(ptofix_trace_at(3), TASSIGN(v, ptofix_trace_ub( 0x100)))" in out
    assert "s.TADD(q)" in out and '"TMUL(a)"' in out and "// TSUB(x)" in out


# --- footprints ------------------------------------------------------------------------------


def test_a_strided_footprint_is_block_b_of_repeat_r_at_addr_plus_r_rep_stride_plus_b_blk_stride():
    # vadds(dst, src, scalar, repeat=2, dstBlkStride=2, srcBlkStride=1, dstRepStride=16, srcRepStride=8)
    accesses = decode("vadds", (UB_BIAS + 0x1000, UB_BIAS, 0, 2, 2, 1, 16, 8), MaskState(), 4)
    read, write = accesses
    assert read.ranges == ((0, 512),) and not read.write
    assert write.write and write.ranges == tuple(
        (0x1000 + r * 16 * 32 + b * 2 * 32, 0x1000 + r * 16 * 32 + b * 2 * 32 + 32) for r in range(2) for b in range(8))


def test_count_mode_is_exact_and_a_norm_mask_counts_whole_blocks():
    count = MaskState(count_mode=True, high=0, low=48, known=True)
    (read, write) = decode("vexp", (UB_BIAS + 0x100, UB_BIAS, 0, 1, 1, 8, 8), count, 4)
    assert read.ranges == ((0, 192),) and write.ranges == ((0x100, 0x100 + 192),)
    mask = MaskState(high=0, low=0b1_0000_0001, known=True)      # f32 elements 0 and 8: blocks 0 and 1
    (read, _write) = decode("vexp", (UB_BIAS + 0x100, UB_BIAS, 1, 1, 1, 8, 8), mask, 4)
    assert read.ranges == ((0, 64),)
    assert decode("vexp", (UB_BIAS, UB_BIAS, 1, 1, 1, 8, 8), MaskState(), 4)[0].ranges == ((0, 256),)
    assert decode("vexp", (UB_BIAS, UB_BIAS, 0, 1, 1, 8, 8), MaskState(), 4)[0].ranges == ()   # repeat 0


def test_what_the_table_does_not_decode_cannot_be_judged():
    with pytest.raises(CannotJudge, match="no footprint is known for the intrinsic scatter_vnchwconv_b16"):
        decode("scatter_vnchwconv_b16", (UB_BIAS, 0, 0, 0), MaskState(), 4)
    # vmrgsort4 with no list addresses recorded (trace_shim.hpp item 1b), a repeat count of 0, a list of 0
    with pytest.raises(CannotJudge, match="vmrgsort4 recorded 4 arguments, 8 expected"):
        decode("vmrgsort4", (UB_BIAS, 0, 0, 0), MaskState(), 4)
    lists = (UB_BIAS, UB_BIAS + 0x200, 0, 0)
    with pytest.raises(CannotJudge, match="not documented"):
        decode("vmrgsort4", (UB_BIAS + 0x400, 0, 64 | 64 << 16, 0b0011 << 8, *lists), MaskState(), 4)
    with pytest.raises(CannotJudge, match="not documented"):
        decode("vmrgsort4", (UB_BIAS + 0x400, 0, 64, 1 | 0b0011 << 8, *lists), MaskState(), 4)
    read, write = decode("vmrgsort4", (UB_BIAS + 0x400, 0, 64 | 64 << 16, 1 | 0b0011 << 8, *lists), MaskState(), 4)
    assert read.ranges == ((0, 0x400),) and write.ranges == ((0x400, 0x800),)
    with pytest.raises(CannotJudge, match="no UB address"):
        decode("vexp", (0x55550000_0000, UB_BIAS, 1, 1, 1, 8, 8), MaskState(), 4)
    with pytest.raises(CannotJudge, match="count mode with no count"):
        decode("vexp", (UB_BIAS, UB_BIAS, 1, 1, 1, 8, 8), MaskState(count_mode=True), 4)


# --- the rule on hand-made streams -----------------------------------------------------------


def _v(name: str, dst: int, src: int) -> list[Call]:
    return [Call("ptofix_element", (4,), 0), Call(name, (UB_BIAS + dst, UB_BIAS + src, 1, 1, 1, 8, 8), 0)]


def _races(*parts: list[Call]) -> list[tuple[str, int, int]]:
    calls = [call for part in parts for call in part]
    return [(r.kind, r.earlier.position, r.later.position) for r in judge(calls).races]


def _c(name: str, *args: int) -> list[Call]:
    return [Call(name, args, 0)]


def test_a_pipe_v_or_all_barrier_orders_a_pair_and_another_pipes_does_not():
    producer, consumer = _v("vexp", 0x100, 0), _v("vabs", 0x200, 0x100)
    assert _races(producer, consumer) == [("RAW", 1, 3)]
    assert _races(producer, _c("pipe_barrier", 1), consumer) == []
    assert _races(producer, _c("pipe_barrier", 6), consumer) == []
    assert _races(producer, _c("pipe_barrier", 3), consumer) == [("RAW", 1, 4)]
    assert _races(_v("vexp", 0x100, 0), _v("vabs", 0x100, 0x300)) == [("WAW", 1, 3)]
    assert _races(_v("vexp", 0x300, 0x100), _v("vabs", 0x100, 0x400)) == [("WAR", 1, 3)]
    assert _races(_v("vexp", 0x300, 0x100), _v("vabs", 0x400, 0x100)) == []     # two reads


def test_only_a_whole_flag_round_trip_orders_a_pair():
    producer, consumer = _v("vexp", 0x100, 0), _v("vabs", 0x200, 0x100)
    trip = [*_c("set_flag", 1, 4, 1), *_c("wait_flag", 1, 4, 1), *_c("set_flag", 4, 1, 2), *_c("wait_flag", 4, 1, 2)]
    assert _races(producer, trip, consumer) == []
    assert _races(producer, trip[:2], consumer) != []                         # V to MTE3 only
    assert _races(producer, trip[2:], consumer) != []                         # MTE3 to V only
    # the set before the producer is what the wait consumes: the round trip does not follow it
    assert _races(_c("set_flag", 1, 4, 1), producer, trip, consumer) != []
    # the return set must come after the wait on that pipe
    assert _races(producer, trip[0:1], trip[2:3], trip[1:2], trip[3:4], consumer) != []


def test_there_is_no_window_a_pair_far_apart_still_races():
    filler = [call for index in range(40) for call in _v("vabs", 0x1000 + 0x100 * index, 0x8000)]
    assert _races(_v("vexp", 0x100, 0), filler, _v("vabs", 0x9000, 0x100)) == [("RAW", 1, 83)]


def test_the_judge_does_not_reuse_the_static_proof():
    """A second opinion must not reuse the rule it judges: nothing in ptofix/trace imports the
    static proof's barrier or race modules."""
    for path in (ROOT / "ptofix" / "trace").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        assert not {m for m in imported if re.search(r"(^|\.)cpp\.(barriers|races|barrier_\w+)$", m)}, path


# --- built against the cost model ------------------------------------------------------------


@in_perfsim
def test_fa_shows_the_races_check_reports():
    done = ptofix("check", "--trace", "--pto-isa", str(PTO_ISA), "--arg", "v7=16", str(FA))
    assert done.returncode == 1, done.stderr
    assert sorted({line for line, _kind, _bytes in warnings(done.stderr)}) == [330, 331, 332, 413, 414]
    assert "kernels/flash_attention/fa.cpp:414:3: warning: WAR race in the trace: TROWEXPANDDIV's vbrcb writes " \
           "UB [0x2e000, 0x2e400), which TROWEXPANDMUL's vmul (line 411) read" in done.stderr
    assert "fa.cpp:411:3: note: TROWEXPANDMUL's vmul reads UB here" in done.stderr
    assert done.stderr.rstrip().endswith("8 races, 0 broken placements, 0 unverified functions in 1 file (trace)")


@in_perfsim
def test_the_check_fix_output_of_fa_under_the_opt_in_keeps_only_the_chain_pair(tmp_path):
    """`check --fix --same-access-chains` credits PTOAS #674 same-access chains: it inserts no
    barrier between TMULS(v39, v39, v10) and TEXP(v39, v39), a pair the vendor's rule (no chain
    credit) calls a race, and the trace finds it. That pair is the only race left."""
    fixed = tmp_path / "fa.fixed.cpp"
    assert ptofix("check", "--fix", "--same-access-chains", str(FA), "-o", str(fixed)).returncode == 0
    done = ptofix("check", "--trace", "--pto-isa", str(PTO_ISA), "--arg", "v7=16", str(fixed))
    lines = fixed.read_text().splitlines()
    found = warnings(done.stderr)
    assert [(lines[line - 1].strip(), kind) for line, kind, _bytes in found] == [("TEXP(v39, v39);", "RAW")]
    assert "which TMULS's vmuls" in done.stderr


@in_perfsim
def test_the_check_fix_output_of_fa_is_clean(tmp_path):
    fixed = tmp_path / "fa.fixed.cpp"
    assert ptofix("check", "--fix", str(FA), "-o", str(fixed)).returncode == 0
    done = ptofix("check", "--trace", "--pto-isa", str(PTO_ISA), "--arg", "v7=16", str(fixed))
    assert done.returncode == 0 and warnings(done.stderr) == []


FAMILY_CASES = {
    # which: (family, line of the later op, kind, byte range)
    1: ("elementwise", 42, "RAW", "[0x8000, 0x9000)"),
    2: ("scalar", 46, "RAW", "[0x8000, 0x9000)"),
    3: ("unary", 50, "WAR", "[0x8000, 0x9000)"),
    4: ("broadcast", 54, "WAW", "[0x8000, 0x9000)"),
    5: ("row reduction", 58, "RAW", "[0x8000, 0x9000)"),
    6: ("row expand", 62, "RAW", "[0x14000, 0x14040)"),
    7: ("column reduction", 66, "RAW", "[0x8000, 0x8100)"),
    8: ("conversion", 70, "RAW", "[0xc000, 0xc100)"),
    10: ("masked, overlapping", 84, "WAW", "[0x10, 0x3e0)"),
    12: ("count mode, overlapping", 99, "RAW", "[0xa0, 0xc0)"),
    14: ("half a flag round trip", 113, "RAW", "[0x8000, 0x9000)"),
    15: ("17 instructions apart", 119, "RAW", "[0x8000, 0x9000)"),
}


def _family(which: int) -> subprocess.CompletedProcess:
    return ptofix("check", "--trace", "--pto-isa", str(PTO_ISA), "--arg", f"which={which}", str(FAMILIES))


@in_perfsim
@pytest.mark.parametrize("which", sorted(FAMILY_CASES))
def test_a_removed_barrier_is_reported_with_its_byte_range(which):
    """Per op family of the effects table: the barrier its pair needs is left out."""
    _family_name, line, kind, nbytes = FAMILY_CASES[which]
    done = _family(which)
    assert done.returncode == 1, done.stderr
    assert warnings(done.stderr) == [(line, kind, nbytes)]


@in_perfsim
@pytest.mark.parametrize("which", [0, 9, 11, 13])
def test_ordered_or_disjoint_pairs_are_clean(which):
    """0: every needed barrier; 9: two masked ops on side-by-side columns (their blocks are
    disjoint; whole 256-byte repeats would overlap); 11: a count-mode write of 48 floats and a read
    of the 48 after them (a full repeat would overlap); 13: a whole flag round trip."""
    done = _family(which)
    assert done.returncode == 0, done.stderr
    assert "0 races, 0 broken placements, 0 unverified functions in 1 file (trace)" in done.stderr


@in_perfsim
def test_sarif_and_json_reports(tmp_path):
    done = ptofix("check", "--trace", "--pto-isa", str(PTO_ISA), "--arg", "which=1", "--report", "sarif",
                  str(FAMILIES))
    log = json.loads(done.stdout)
    result = log["runs"][0]["results"][0]
    assert result["ruleId"] == "pipe-v-race"
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 42, "startColumn": 5}
    assert result["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 41
    done = ptofix("check", "--trace", "--pto-isa", str(PTO_ISA), "--arg", "which=1", "--report", "json",
                  str(FAMILIES))
    race = json.loads(done.stdout)["files"][0]["races"][0]
    assert (race["kind"], race["bytes"], race["earlier"]["intrinsic"], race["later"]["intrinsic"]) == (
        "RAW", [[0x8000, 0x9000]], "vmuls", "vadd")


@in_perfsim
def test_a_kernel_that_does_not_build_is_a_located_error(tmp_path):
    kernel = tmp_path / "bad.cpp"
    kernel.write_text('#include "pto/pto-inst.hpp"\nusing namespace pto;\n'
                      'extern "C" __global__ AICORE void k(int32_t n) {\n  TADD(n);\n}\n')
    done = ptofix("check", "--trace", "--pto-isa", str(PTO_ISA), str(kernel))
    assert done.returncode == 2
    assert re.search(r"bad\.cpp:4:\d+: error: cannot build for Perf-Sim", done.stderr), done.stderr


@in_perfsim
def test_run_verify_trace_refuses_an_output_with_a_new_race(tmp_path):
    """Under `--same-access-chains` `--pattern auto` removes the barrier between TMULS(v39, v39, v10)
    and TEXP(v39, v39) in fa.cpp's loop (a same-access chain, PTOAS #674), which the default keeps:
    the trace shows the race it opens."""
    out = tmp_path / "fa.auto.cpp"
    done = ptofix("run", "--pattern", "auto", "--same-access-chains", "--pto-isa", str(PTO_ISA), "--verify-trace", "--arg", "v7=16",
                  str(FA), "-o", str(out))
    assert done.returncode == 1, done.stderr
    assert not out.exists()
    assert "the output has 1 race in the trace that the input has not: nothing written" in done.stderr
    assert "TEXP's vexp reads UB [0xc080, 0x10080), which TMULS's vmuls" in done.stderr


@in_perfsim
def test_run_verify_trace_says_when_it_cannot_trace(tmp_path):
    """The rewrite is written (the trace is a second opinion, not a gate on what it cannot run), and
    stderr says why it was not traced."""
    kernel = tmp_path / "k.cpp"
    kernel.write_text('#include "pto/pto-inst.hpp"\nusing namespace pto;\n'
                      'using F = Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64, SLayout::NoneBox, 512, '
                      'PadValue::Null, CompactMode::Null>;\n'
                      'extern "C" __global__ AICORE void k() {\n  F a; TASSIGN(a, 0x0);\n  F b; TASSIGN(b, 0x4000);\n'
                      '  F c; TASSIGN(c, 0x8000);\n  TADD(b, a, a);\n  pipe_barrier(PIPE_V);\n  TADD(c, a, a);\n}\n')
    out = tmp_path / "k.out.cpp"
    done = ptofix("run", "--pattern", "auto", "--pto-isa", str(PTO_ISA), "--verify-trace", "--function", "nosuch",
                  str(kernel), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "pipe_barrier(PIPE_V);" not in out.read_text()
    assert "cannot trace (input)" in done.stderr and "no function 'nosuch'" in done.stderr


def _documented(page: str, heading: str) -> list[tuple[str, list[str]]]:
    """Each ``ptofix ...`` command block of a section and the output block after it (if any)."""
    text = (ROOT / "docs" / "commands" / page).read_text(encoding="utf-8")
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```\n(.*?)```", section, re.S)
    out = []
    for index, block in enumerate(blocks):
        if block.startswith("$ ptofix ") and "DIR" not in block:
            # (A shell session: the command after its prompt, then what it prints.)
            command, _, shown = block.partition("\n")
            out.append((command[2:].strip(), [line for line in shown.splitlines() if line]))
        elif block.startswith("ptofix ") and "DIR" not in block:
            following = blocks[index + 1] if index + 1 < len(blocks) and not blocks[index + 1].startswith(
                ("ptofix ", "$ ptofix ")) else ""
            out.append((block.strip(), [line for line in following.splitlines() if line]))
    return out


@in_perfsim
@pytest.mark.parametrize("page,heading", [("check.md", "## `--trace`"), ("run.md", "## `--verify-trace`")])
def test_every_documented_trace_example_runs_as_shown(page, heading, tmp_path):
    examples = _documented(page, heading)
    assert examples
    for command, shown in examples:
        argv = command.replace("../shared/pto-isa/f35e7f60", str(PTO_ISA)).split()[1:]
        if "-o" in argv:
            argv[argv.index("-o") + 1] = str(tmp_path / argv[argv.index("-o") + 1])
        done = ptofix(*argv)
        for line in shown:
            assert line in done.stderr, (command, line, done.stderr[-2000:])
        if page == "run.md" and "--same-access-chains" in argv:
            assert done.returncode == 1 and not list(tmp_path.iterdir())
        elif page == "run.md":          # (the default race model's output is trace-clean: written)
            assert done.returncode == 0 and list(tmp_path.iterdir()), done.stderr[-2000:]
            for path in tmp_path.iterdir():
                path.unlink()
        else:
            assert done.returncode == 1


@in_perfsim
def test_the_kernels_own_barriers_and_flags_are_recorded_in_issue_order_with_the_ops():
    """The cost model records an intrinsic only inside a PTO instruction; the trace's outer scope
    keeps the kernel's own pipe_barrier/set_flag/wait_flag, in order, each at its line."""
    from ptofix.compile_settings import environment_of
    from ptofix.trace.check import TraceOptions, trace_texts
    options = TraceOptions(environment_of(pto_isa=str(PTO_ISA)), args=(("which", "13"),))
    result = trace_texts({str(FAMILIES): FAMILIES.read_text()}, options)[str(FAMILIES)]
    assert result.recording is not None
    recording = result.recording
    stream = [(call.name, call.args, recording.sites[call.site].line) for call in recording.calls
              if call.name in ("vmuls", "vadd", "set_flag", "wait_flag", "pipe_barrier") and call.site >= 0
              and recording.sites[call.site].line > 100]
    assert [(name, line) for name, _args, line in stream] == [
        ("vmuls", 102), ("set_flag", 103), ("wait_flag", 104), ("set_flag", 105), ("wait_flag", 106), ("vadd", 107)]
    assert [args for name, args, _line in stream if name.endswith("_flag")] == [(1, 4, 1), (1, 4, 1), (4, 1, 2), (4, 1, 2)]


def _brute_unneeded(recording) -> list[int]:
    """The definition, by brute force: leave out one site's barriers, judge again."""
    from dataclasses import replace

    from ptofix.trace.reach import kernel_barrier_sites
    before = {(r.kind, r.earlier.position, r.later.position) for r in judge(recording.calls).races}
    out = []
    for site in kernel_barrier_sites(recording):
        calls = [replace(c, name="ptofix_removed") if c.name == "pipe_barrier" and c.site == site else c
                 for c in recording.calls]
        if {(r.kind, r.earlier.position, r.later.position) for r in judge(calls).races} <= before:
            out.append(site)
    return out


def test_the_reach_gap_is_the_barriers_whose_removal_adds_no_race():
    from ptofix.trace.instrument import CallSite
    from ptofix.trace.reach import unneeded_barriers
    from ptofix.trace.record import Recording

    def at(site: int, part: list[Call]) -> list[Call]:
        return [Call(c.name, c.args, site) for c in part]

    sites = [CallSite("TEXP", 1, 1), CallSite("pipe_barrier", 2, 1), CallSite("TABS", 3, 1),
             CallSite("pipe_barrier", 4, 1), CallSite("TABS", 5, 1), CallSite("pipe_barrier", 6, 1)]
    barrier = [Call("pipe_barrier", (1,), 0)]
    loop = [*at(0, _v("vexp", 0x100, 0x300)), *at(1, barrier), *at(2, _v("vabs", 0x200, 0x100)), *at(3, barrier),
            *at(4, _v("vabs", 0x300, 0x1000)), *at(5, barrier)]
    calls = loop * 3       # a loop: site 5 separates vabs(0x300) from the next vexp reading it; site 3 nothing
    recording = Recording("k.cpp", calls, sites, "k", {})
    assert (unneeded_barriers(recording), _brute_unneeded(recording)) == ([3], [3])
    # two instances of one site in a row: only their removal together opens the pair
    calls = [*at(0, _v("vexp", 0x100, 0)), *at(1, barrier), *at(1, barrier), *at(2, _v("vabs", 0x200, 0x100))]
    recording = Recording("k.cpp", calls, sites, "k", {})
    assert unneeded_barriers(recording) == _brute_unneeded(recording) == []


@pytest.mark.parametrize("extra,message", [
    (["--fix"], "--fix inserts from the static proof"),
    (["-o", "x.cpp"], "--trace writes none"),
    (["--report", "html"], "--report html is not written for --trace"),
    ([], "--trace and --verify-trace need --pto-isa"),
])
def test_what_trace_does_not_combine_with_is_an_error_before_anything_is_built(extra, message, tmp_path):
    argv = ["check", "--trace", str(FAMILIES), *extra]
    if extra:
        # (A directory the command line takes for a checkout, with nothing to build against.)
        (tmp_path / "include" / "pto").mkdir(parents=True)
        argv += ["--pto-isa", str(tmp_path)]
    done = ptofix(*argv)
    assert done.returncode == 2 and message in done.stderr, done.stderr
