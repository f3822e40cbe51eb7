"""``ptofix perf``: kernels built against pto-isa's Perf-Sim (../shared/pto-isa/f35e7f60) and run there.

The ``perfsim`` tests compile (a C++ compiler and the checkout; skipped without either) and are
``slow``: about 8 s of g++ per kernel half on one core, shared through the session's cache. The
others read the tool's own logic without a compiler."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ptofix.cli import main
from ptofix.perf.build import compile_error, entry_call, half_source
from ptofix.perf.measure import scalar_arguments, scalar_value
from ptofix.source import PtofixError

ROOT = Path(__file__).resolve().parents[2]
# CI lays shared/ beside the clone; $PTOFIX_PTO_ISA names another checkout (a worktree elsewhere).
PTO_ISA = Path(os.environ.get("PTOFIX_PTO_ISA") or ROOT.parent / "shared" / "pto-isa" / "f35e7f60")
FA = ROOT / "kernels" / "flash_attention" / "fa.cpp"
CXX = os.environ.get("CXX") or "g++"

NEEDS_PERFSIM = (
    pytest.mark.perfsim,
    pytest.mark.slow,
    pytest.mark.skipif(not (PTO_ISA / "include" / "pto" / "costmodel" / "perf_sim" / "launch.hpp").is_file(),
                       reason="../shared/pto-isa/f35e7f60 (a pto-isa checkout with Perf-Sim) is not present"),
    pytest.mark.skipif(shutil.which(CXX) is None, reason=f"no C++ compiler ({CXX}; set $CXX)"),
)


def in_perfsim(test):
    """Marked ``perfsim`` and ``slow``; skipped without the checkout or a C++ compiler."""
    for mark in NEEDS_PERFSIM:
        test = mark(test)
    return test

TILE = ("Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, "
        "CompactMode::Null>")


def vector_kernel(between: str, loop_body_tail: str = "TADD(v3, v2, v2);") -> str:
    """A vector kernel in ptoas's shape: TADD into tile a, then (after ``between``) an unrelated
    TADD, n times. The barrier between them orders nothing: the second op touches no byte of a."""
    return f"""#include "pto/pto-inst.hpp"
using namespace pto;

extern "C" __global__ AICORE void add_kernel(__gm__ float* v0, int32_t n) {{
  #if defined(__DAV_VEC__)
  set_mask_norm();
  set_vector_mask(-1, -1);
  {TILE} v1;
  TASSIGN(v1, (uint64_t) 0);
  {TILE} v2;
  TASSIGN(v2, (uint64_t) 16384);
  {TILE} v3;
  TASSIGN(v3, (uint64_t) 32768);
  for (int32_t i = 0; i < n; i += 1) {{
    TADD(v1, v1, v1);
    {between}
    {loop_body_tail}
  }}
  #endif // __DAV_VEC__
  return;
}}
"""


def perf(*argv: str, capsys) -> tuple[int, str, str]:
    status = main(["perf", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def cycles(out: str) -> dict[str, int]:
    found = {}
    lines = out.splitlines()
    assert lines[-1].startswith("note: Perf-Sim runs the vector half after the whole cube half"), out
    for line in lines[:-1]:
        m = re.match(r"(.*): ([\d,]+) cycles \(", line)
        assert m, line
        found[Path(m.group(1)).name] = int(m.group(2).replace(",", ""))
    return found


# ---- without a compiler ------------------------------------------------------------------------------------------

def test_scalar_values_read_as_the_program_reads_them():
    assert scalar_value("16") == "16"
    assert scalar_value("0x10") == "16"
    assert scalar_value("true") == "1"
    assert scalar_value("0.5") == "0.5"
    with pytest.raises(PtofixError, match="not a number"):
        scalar_value("eight")


def test_entry_and_its_parameters_come_from_the_kernel():
    call = entry_call("k.cpp", vector_kernel(""), None)
    assert call.name == "add_kernel"
    assert call.parameters == ("v0", "n")
    assert call.pointers == (True, False)
    assert call.c_linkage == ("add_kernel",)
    fa = entry_call(str(FA), FA.read_text(encoding="utf-8"), None)
    assert fa.name == "fa_kernel" and fa.parameters[-1] == "v7" and fa.pointers == (True,) * 6 + (False,)


STRUCT_KERNEL = """#include "pto/pto-inst.hpp"
using namespace pto;

extern "C" __global__ AICORE void k(int32_t n,
    pto::MrgSortExecutedNumList done, __gm__ float *out) {
}
"""


def test_an_executed_counts_parameter_is_passed_value_initialised():
    """TMRGSORT's MrgSortExecutedNumList as a parameter: value-initialised in the call (``T{}``),
    taking no command-line value, so the scalar after it still reads argv[0], 1, ..."""
    call = entry_call("k.cpp", STRUCT_KERNEL, None)
    assert call.parameters == ("n", "done", "out")
    assert [call.aggregate(i) for i in range(3)] == [False, True, False]
    assert call.places == ("k.cpp:4:37", "k.cpp:5:5", "k.cpp:5:39")
    unit = half_source("aiv", call)
    assert ("k(ptofix_perf_value<std::tuple_element_t<0, Params>>(ptofix_perf_argv[0]), "
            "std::tuple_element_t<1, Params>{}, nullptr);") in unit
    values, shown, notes = scalar_arguments("k.cpp", call, {"n": "3"})
    assert values == ["3"] and shown == {"n": "3", "done": "pto::MrgSortExecutedNumList{}"} and notes == []


def test_a_value_for_the_executed_counts_or_a_parameter_of_another_type_is_a_located_error():
    call = entry_call("k.cpp", STRUCT_KERNEL, None)
    with pytest.raises(PtofixError) as raised:
        scalar_arguments("k.cpp", call, {"done": "0"})
    assert raised.value.format().startswith("k.cpp:5:5: error: --arg done: parameter 'done' of 'k' has type "
                                            "'pto::MrgSortExecutedNumList', which the run value-initialises")
    other = entry_call("k.cpp", "struct S { int a; };\n"
                       'extern "C" __global__ AICORE void k(S s) {\n}\n', None)
    with pytest.raises(PtofixError) as raised:
        scalar_arguments("k.cpp", other, {})
    assert raised.value.format().startswith("k.cpp:2:37: error: parameter 's' of 'k' has type 'S': the run "
                                            "passes a value only to an integer, bool or floating parameter")


def test_a_file_without_an_entry_names_what_to_do():
    with pytest.raises(PtofixError, match="no __global__ kernel entry: name the function to run with --function"):
        entry_call("k.cpp", "void f(int n) { }\n", None)
    with pytest.raises(PtofixError, match="no function 'g'"):
        entry_call("k.cpp", "void f(int n) { }\n", "g")


def test_the_first_compiler_error_in_a_header_is_located_at_the_kernel_line_that_led_there(tmp_path):
    kernel = tmp_path / "k.cpp"
    kernel.write_text("x\n", encoding="utf-8")
    output = (f"In file included from unit.cpp:6:\n/isa/include/pto/common/arch/memory/tload_common.hpp: In "
              f"instantiation of 'void pto::TLOAD_TILE_IMPL()':\n{kernel}:99:8:   required from here\n"
              f"/isa/include/pto/common/arch/memory/tload_common.hpp:480:111: error: static assertion failed: "
              f"Fix: TLOAD(MatTile, GlobalTensor) only support ND2ND!\n/isa/x.hpp:1:1: error: second\n")
    error = compile_error("k.cpp", output, kernel)
    assert error.format() == ("k.cpp:99:8: error: cannot build for Perf-Sim: static assertion failed: Fix: "
                              "TLOAD(MatTile, GlobalTensor) only support ND2ND! (in tload_common.hpp:480)")


def test_a_missing_checkout_is_an_error(tmp_path, capsys):
    kernel = tmp_path / "k.cpp"
    kernel.write_text(vector_kernel(""), encoding="utf-8")
    status, out, err = perf(str(kernel), "--pto-isa", str(tmp_path / "none"), capsys=capsys)
    assert status == 2 and out == ""
    # (Identified first, as every command's --pto-isa: cli.main, compile_settings.environment_of.)
    assert f"--pto-isa {tmp_path / 'none'}: not a pto-isa checkout (no include/pto directory)" in err
    # A pto-isa checkout without Perf-Sim: refused by perf's own check, before anything is built.
    (tmp_path / "isa" / "include" / "pto").mkdir(parents=True)
    status, out, err = perf(str(kernel), "--pto-isa", str(tmp_path / "isa"), capsys=capsys)
    assert status == 2 and out == ""
    assert "--pto-isa" in err and "perf_sim/launch.hpp" in err


def test_an_unknown_argument_name_is_an_error(tmp_path, capsys):
    kernel = tmp_path / "k.cpp"
    kernel.write_text(vector_kernel(""), encoding="utf-8")
    # (A checkout without Perf-Sim: cli.main identifies --pto-isa first, and the --arg is refused
    # before perf's own check of the checkout, so the test needs no ../shared.)
    (tmp_path / "isa" / "include" / "pto").mkdir(parents=True)
    status, _, err = perf(str(kernel), "--pto-isa", str(tmp_path / "isa"), "--arg", "m=4", capsys=capsys)
    assert status == 2
    assert "--arg m: no parameter of that name in 'add_kernel' (v0, n)" in err


# ---- in Perf-Sim ---------------------------------------------------------------------------------------------------

@in_perfsim
@pytest.mark.parametrize("model", ["restart", "pto-isa"])
def test_a_needless_barrier(tmp_path, capsys, model):
    """With the barrier restarting the vector stream (the start-up latency pto-isa's stream model
    charges), the kernel without the needless barrier takes fewer cycles; with the checkout's model
    unchanged, a barrier between two PTO instructions costs nothing (the same count)."""
    with_barrier = tmp_path / "with.cpp"
    without = tmp_path / "without.cpp"
    with_barrier.write_text(vector_kernel("pipe_barrier(PIPE_V);"), encoding="utf-8")
    without.write_text(vector_kernel(""), encoding="utf-8")
    status, out, err = perf(str(with_barrier), str(without), "--pto-isa", str(PTO_ISA), "--arg", "n=8",
                            "--barrier-model", model, capsys=capsys)
    assert status == 0, err
    found = cycles(out)
    assert found["with.cpp"] > 0
    if model == "restart":
        assert found["without.cpp"] < found["with.cpp"]
        # (a vector-only kernel: the barrier's restart lengthens the vector half, its VEC critical cycles)
        assert re.search(r"without\.cpp: [\d,]+ cycles \(-\d+\.\d%\), VEC critical [\d,]+ \(-\d+\.\d%\), "
                         r"VEC busy [\d,]+, CUBE busy 0", out)
    else:
        assert found["without.cpp"] == found["with.cpp"]


@in_perfsim
def test_progress_shows_a_line_per_stage_on_stderr(tmp_path, capsys):
    """--progress: the compiles (when any) and each run, one line each; -q and a pipe: none."""
    kernel = tmp_path / "p.cpp"
    kernel.write_text(vector_kernel("pipe_barrier(PIPE_V);"), encoding="utf-8")
    cache = str(tmp_path / "cache")
    status, out, err = perf(str(kernel), "--pto-isa", str(PTO_ISA), "--arg", "n=2", "--cache-dir", cache,
                            "--progress", capsys=capsys)
    assert status == 0, err
    lines = err.splitlines()
    assert re.fullmatch(r"ptofix perf: compiling \d+ units for Perf-Sim \(\d+ at a time; cached afterwards\)",
                        lines[0]), err
    assert re.fullmatch(r"ptofix perf: compiled in \d+ s", lines[1]), err
    # (The seconds are the run's own: a loaded machine may take one or more.)
    assert lines[2] == f"ptofix perf: running {kernel} in Perf-Sim", err
    assert re.fullmatch(re.escape(f"ptofix perf: {kernel}: {cycles(out)['p.cpp']:,} cycles in ") + r"\d+ s",
                        lines[3]), err
    assert len(lines) == 4, err
    status, _, err = perf(str(kernel), "--pto-isa", str(PTO_ISA), "--arg", "n=2", "--cache-dir", cache,
                          "--progress", capsys=capsys)
    assert status == 0 and err.splitlines()[0] == f"ptofix perf: running {kernel} in Perf-Sim", err
    for quiet in (["-q"], []):      # (capsys's stderr is no terminal)
        status, _, err = perf(str(kernel), "--pto-isa", str(PTO_ISA), "--arg", "n=2", "--cache-dir", cache,
                              *quiet, capsys=capsys)
        assert status == 0 and "ptofix perf:" not in err, err


@in_perfsim
def test_a_kernel_that_cannot_be_built_is_a_located_error(tmp_path, capsys):
    kernel = tmp_path / "bad.cpp"
    kernel.write_text(vector_kernel("", "TNOSUCHOP(v3, v2, v2);"), encoding="utf-8")
    status, out, err = perf(str(kernel), "--pto-isa", str(PTO_ISA), capsys=capsys)
    assert status == 2 and out == ""
    line = next(i for i, text in enumerate(kernel.read_text().splitlines(), 1) if "TNOSUCHOP" in text)
    assert err.startswith(f"{kernel}:{line}:5: error: cannot build for Perf-Sim: 'TNOSUCHOP' was not declared"), err


@in_perfsim
def test_the_fa_trio_prints_three_cycle_counts(tmp_path):
    """The issue's "done when": fa.cpp, its gu and auto rewrites, three counts from Perf-Sim."""
    ptofix = [sys.executable, "-m", "ptofix"]
    for pattern in ("gu", "auto"):
        subprocess.run([*ptofix, "run", "--pattern", pattern, str(FA), "-o", str(tmp_path / f"fa.{pattern}.cpp")],
                       check=True, capture_output=True)
    done = subprocess.run([*ptofix, "perf", str(FA), str(tmp_path / "fa.gu.cpp"), str(tmp_path / "fa.auto.cpp"),
                           "--pto-isa", str(PTO_ISA), "--arg", "v7=8"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 4
    assert re.fullmatch(r".*fa\.cpp: [\d,]+ cycles \(reference\), VEC critical [\d,]+, VEC busy [\d,]+, "
                        r"CUBE busy [\d,]+", lines[0])
    for line in lines[1:3]:
        assert re.fullmatch(r".*fa\.(gu|auto)\.cpp: [\d,]+ cycles \([+-]\d+\.\d%\), VEC critical [\d,]+ "
                            r"\([+-]\d+\.\d%\), VEC busy [\d,]+, CUBE busy [\d,]+", line), line
    # The vector half is shorter than the whole (the cube half runs first) and at least its VEC pipe's busy time.
    for total, critical in re.findall(r"([\d,]+) cycles .*VEC critical ([\d,]+)", done.stdout):
        assert 0 < int(critical.replace(",", "")) < int(total.replace(",", ""))
    counts = cycles(done.stdout)
    assert all(value > 10_000 for value in counts.values())
    # The cube half ran: its busy cycles are Perf-Sim's, not zero.
    assert all(int(m) > 0 for m in re.findall(r"CUBE busy ([\d,]+)", done.stdout.replace(",", "")))


def test_the_timeline_fragment_draws_each_vector_lane_before_and_after():
    from ptofix.perf.timeline import fragment
    lane = "[AIC-0/AIV-0] VEC"
    data = {"before": {"total_cycles": 200, "vec_busy": 150, "arguments": {"n": "8"},
                       "lanes": {lane: [(0, 100, "TADD(32x128,fp32):3"), (150, 50, "TADD(32x128,fp32):5")]}},
            "after": {"total_cycles": 100, "vec_busy": 100, "arguments": {"n": "8"},
                      "lanes": {lane: [(0, 100, "TADD(32x128,fp32):3")]}}}
    page = fragment({"perf_timeline": data})
    assert "total 200 -> 100 cycles (-50.0%), VEC busy 150 -> 100; scalars n=8" in page
    assert page.count("<rect") == 3
    assert "<title>TADD(32x128,fp32):5: cycles 150..200</title>" in page
    assert fragment({}) == ""
    assert "no timeline: k.cpp: error: x" in fragment({"perf_timeline": {"error": "k.cpp: error: x"}})


@in_perfsim
def test_run_report_html_with_pto_isa_shows_the_vector_timeline(tmp_path, capsys):
    kernel = tmp_path / "k.cpp"
    kernel.write_text(vector_kernel("pipe_barrier(PIPE_V);"), encoding="utf-8")
    page = tmp_path / "page.html"
    status = main(["run", "--pattern", "auto", str(kernel), "-o", str(tmp_path / "out.cpp"), "--report", "html",
                   "--report-file", str(page), "--pto-isa", str(PTO_ISA)])
    err = capsys.readouterr().err
    assert status == 0, err
    text = page.read_text(encoding="utf-8")
    assert "vector pipe in Perf-Sim" in text and "no timeline" not in text
    assert re.search(r"total [\d,]+ -> [\d,]+ cycles \([+-]\d+\.\d%\)", text)
    assert text.count("<rect") >= 2 * 8 * 2      # both sub-blocks' 16 TADDs, before and after


@in_perfsim
def test_a_kernel_that_deadlocks_in_the_model_is_an_error_not_a_number(tmp_path, capsys):
    """A wait no signal meets: Perf-Sim's report still prints a total; perf refuses it."""
    kernel = tmp_path / "stuck.cpp"
    kernel.write_text(vector_kernel("", "wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);"), encoding="utf-8")
    status, out, err = perf(str(kernel), "--pto-isa", str(PTO_ISA), "--arg", "n=2", capsys=capsys)
    assert status == 2 and out == ""
    assert re.fullmatch(rf"{re.escape(str(kernel))}: error: Perf-Sim could not schedule \d+ entries \(a wait that no "
                        r"signal meets: the kernel deadlocks in the model\), so its total is no time\n", err), err


@in_perfsim
def test_an_error_inside_a_pto_isa_header_is_located_at_the_kernel_line_that_led_there(tmp_path, capsys):
    kernel = tmp_path / "dn.cpp"
    view = "GlobalTensor<float, pto::Shape<1, 1, 1, 32, 128>, pto::Stride<4096, 4096, 4096, 1, 32>, pto::Layout::DN>"
    kernel.write_text(vector_kernel(f"{view} v4(v0);", "TLOAD(v3, v4);"), encoding="utf-8")
    status, out, err = perf(str(kernel), "--pto-isa", str(PTO_ISA), capsys=capsys)
    assert status == 2 and out == ""
    line = next(i for i, text in enumerate(kernel.read_text().splitlines(), 1) if "TLOAD(v3, v4)" in text)
    # (the column is the compiler's: g++ points at the call's parenthesis)
    assert re.fullmatch(rf"{re.escape(str(kernel))}:{line}:\d+: error: cannot build for Perf-Sim: static assertion "
                        r"failed: Fix: TLOAD\(VecTile, GlobalTensor\) only support .*\(in tload_common\.hpp:\d+\)\n", err), err


def test_the_json_report_has_the_shape_of_every_report():
    import json

    from ptofix.perf.measure import PerfOptions, PerfResult, format_json
    results = [PerfResult("a.cpp", 1000, 10, [], 600, 300, {"v7": "16"}),
               PerfResult("b.cpp", 900, 9, [], 500, 300, {"v7": "16"}, cached=True)]
    document = json.loads(format_json(results, PerfOptions(pto_isa="DIR", block_dim=2, barrier_model="restart")))
    assert list(document) == ["version", "pto_isa", "block_dim", "barrier_model", "model_note", "files"]
    assert (document["version"], document["pto_isa"], document["block_dim"]) == (2, "DIR", 2)
    assert document["model_note"].startswith("Perf-Sim runs the vector half after the whole cube half (it does not "
                                             "overlap them; the vector-to-cube TPOP wait is dropped)")
    assert [(k["file"], k["total_cycles"], k["change"], k["cached"]) for k in document["files"]] == [
        ("a.cpp", 1000, 0.0, False), ("b.cpp", 900, -0.1, True)]
    assert [(k["vec_critical"], k["vec_critical_change"]) for k in document["files"]] == [(0, 0.0), (0, 0.0)]


SUMMARY = ("op_name,core_id,unit,total_cycles,active_start_cycle,active_end_cycle,active_cycles,busy_cycles,"
           "scalar_cycles,mte2_aic_cycles,mte2_aiv_cycles,mte1_cycles,cube_cycles,fixp_cycles,vec_cycles,mte3_cycles\n"
           "k,0,AIC,5000,0,2000,2000,900,100,200,0,100,400,100,0,0\n"
           "k,0,AIV0,5000,2100,4700,2600,2000,0,0,300,0,0,0,1500,200\n"
           "k,0,AIV1,5000,2100,4900,2800,2100,0,0,300,0,0,0,1600,200\n")


def test_vec_critical_is_the_longest_vector_unit_s_span(tmp_path):
    """Read from Perf-Sim's pipeline summary (the columns pto-isa f35e7f60's reporter_dot_impl.inl
    writes): the longest AIV active span, not the sum of busy cycles nor the AIC's span."""
    from ptofix.perf.measure import OP_NAME, PerfOptions, PerfResult, format_text, read_outputs
    (tmp_path / f"{OP_NAME}_pipeline_summary.csv").write_text(SUMMARY.replace("k,", f"{OP_NAME},"))
    result = read_outputs("k.cpp", tmp_path, "Instructions : 7\nTotal cycles : 5000\n", "", 0.0, False)
    assert (result.total_cycles, result.vec_critical, result.vec_busy, result.cube_busy) == (5000, 2800, 3100, 400)
    faster = PerfResult("f.cpp", 4900, 7, [], 3000, 400, {}, vec_critical=2700)
    text = format_text([result, faster])
    assert text.splitlines()[:2] == [
        "k.cpp: 5,000 cycles (reference), VEC critical 2,800, VEC busy 3,100, CUBE busy 400",
        "f.cpp: 4,900 cycles (-2.0%), VEC critical 2,700 (-3.6%), VEC busy 3,000, CUBE busy 400"]
    assert text.splitlines()[2] == ("note: Perf-Sim runs the vector half after the whole cube half (it does not "
                                    "overlap them; the vector-to-cube TPOP wait is dropped), so the total is not the "
                                    "NPU's overlapped time; VEC critical is the longest vector unit's span in "
                                    "Perf-Sim's pipeline summary, first to last busy cycle of its MTE2, VEC and MTE3 "
                                    "pipes")
    assert PerfOptions(pto_isa="DIR").progress is None
    (tmp_path / f"{OP_NAME}_pipeline_summary.csv").write_text("unit,vec_cycles,cube_cycles\nAIV0,1,0\n")
    with pytest.raises(PtofixError, match=r"^k\.cpp: error: Perf-Sim's pipeline summary has no active_cycles column"):
        read_outputs("k.cpp", tmp_path, "Instructions : 7\nTotal cycles : 5000\n", "", 0.0, False)


def _run_as_written(tmp_path: Path, commands: list[str]) -> list[str]:
    """Shell lines of a page run in a copy of kernels/flash_attention/ with $PTO_ISA the checkout
    and `ptofix` this one: their stdout lines."""
    import shlex
    shutil.copy(FA, tmp_path / "fa.cpp")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "ptofix").write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m ptofix \"$@\"\n")
    (bindir / "ptofix").chmod(0o755)
    env = {**os.environ, "PTO_ISA": str(PTO_ISA), "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}"}
    printed = []
    for command in commands:
        done = subprocess.run(["sh", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True)
        assert done.returncode == 0, (command, done.stderr)
        printed += done.stdout.splitlines()
    return printed


@in_perfsim
def test_the_page_s_example_runs_as_written(tmp_path):
    """docs/commands/perf.md's example, its `$ ` lines run as written: the output is the page's."""
    page = (ROOT / "docs" / "commands" / "perf.md").read_text()
    block = page.split("\n```\n$ ", 1)[1].split("\n```", 1)[0]
    lines = ("$ " + block).splitlines()
    commands = [line[2:] for line in lines if line.startswith("$ ")]
    assert _run_as_written(tmp_path, commands) == [line for line in lines if not line.startswith("$ ")]


@in_perfsim
def test_the_fa_readme_s_perf_lines_run_as_written(tmp_path):
    readme = (ROOT / "kernels" / "flash_attention" / "README.md").read_text()
    block = readme.split("## Cycles in pto-isa's Perf-Sim", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    printed = _run_as_written(tmp_path, block.strip().splitlines())
    assert [line.split(":")[0] for line in printed] == ["fa.cpp", "fa.gu.cpp", "fa.auto.cpp", "note"]
    assert all(" cycles (" in line for line in printed[:3])
