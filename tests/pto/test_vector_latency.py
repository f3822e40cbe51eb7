"""What a PIPE_V barrier costs in cycles (ptofix/pto/vector_latency.py): pto-isa's calibrated head
and tail, read from the checkout's cost-model headers on every run, and `run --pto-isa`'s reports.

The parser's fixtures are this file's own headers in the shape of pto-isa's cost model; the
checkout tests read ../shared/pto-isa/f35e7f60 ($PTOFIX_PTO_ISA), skipped without it."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from ptofix.cli import main
from ptofix.pto.vector_latency import COST_MODEL_DIR, LatencyTable, parse_latencies

ROOT = Path(__file__).resolve().parents[2]
PTO_ISA = Path(os.environ.get("PTOFIX_PTO_ISA") or ROOT.parent / "shared" / "pto-isa" / "f35e7f60")
needs_checkout = pytest.mark.skipif(not (PTO_ISA / COST_MODEL_DIR).is_dir(),
                                    reason="../shared/pto-isa/f35e7f60 (a pto-isa checkout) is not present")

CORE = """
inline uint64_t EstimateLinearCycles(::pto::mocker::evaluator::PipeKey pipe, uint64_t repeat, uint64_t head = 6,
                                     uint64_t slope = 2, uint64_t tail = 0)
{ return slope * repeat; }
inline uint64_t EstimateLinearCycles(uint64_t repeat, uint64_t head = 6, uint64_t slope = 2, uint64_t tail = 0)
{ return EstimateLinearCycles(::pto::mocker::evaluator::PipeKey::VECTOR, repeat, head, slope, tail); }
inline uint64_t EstimateWrapped(uint64_t repeat)
{
    constexpr uint64_t kHead = 14;
    constexpr uint64_t kTail = 13;
    return EstimateLinearCycles(repeat, kHead, 1, kTail);
}
inline void vstub(...)
{}
"""


def intrinsic(name: str, cycles: str, pipe: str = "VECTOR") -> str:
    return (f"inline void {name}(auto dst, auto repeat)\n{{\n    const uint64_t cycles = {cycles};\n"
            f"    ::pto::mocker::RecordCceCall(::pto::mocker::evaluator::PipeKey::{pipe}, \"{name}\", cycles, dst);\n}}\n")


def test_head_and_tail_are_read_as_the_cost_model_computes_them():
    compute = "".join([
        intrinsic("vlit", "EstimateLinearCycles(repeat, 10, 2, 14) + EstimateCountModeFloor()"),
        intrinsic("vdefault", "EstimateLinearCycles(repeat)"),                  # head 6, tail 0: the defaults
        intrinsic("vnamed", "EstimateLinearCycles(repeat, /*head=*/20, /*slope=*/16)"),
        intrinsic("vwrapped", "EstimateWrapped(repeat)"),
        intrinsic("vbits", "EstimateLinearCycles(ExtractBits(config, 0, 0xffULL), 20, 78)"),
        intrinsic("vcommented", "EstimateLinearCycles(repeat, 3 /* was 30, 40 */, 2, 4) // , 99)"),
    ])
    table = parse_latencies({"core.hpp": CORE, "compute.hpp": compute})
    assert {name: (lat.head, lat.tail) for name, lat in table.items()} == {
        "vlit": (10, 14), "vdefault": (6, 0), "vnamed": (20, 0), "vwrapped": (14, 13), "vbits": (20, 0),
        "vcommented": (3, 4)}
    assert table["vlit"].where == "compute.hpp:1"


def test_what_the_parser_cannot_read_exactly_has_no_number():
    """Fail closed: no head or tail is guessed."""
    compute = "".join([
        intrinsic("vub", "EstimateBandwidthCycles(bytes, ::pto::mocker::evaluator::PipeKey::UB_TO_UB)", "UB_TO_UB"),
        intrinsic("vvar", "EstimateLinearCycles(repeat, head, 2, 14)"),           # not a constant
        intrinsic("vtwo", "EstimateLinearCycles(repeat, 1, 2, 3) + EstimateLinearCycles(repeat, 4, 5, 6)"),
        intrinsic("vconst", "EstimateConstCycles(7)"),
        intrinsic("vdup", "EstimateLinearCycles(repeat, 1, 2, 3)"),
        intrinsic("vdup", "EstimateLinearCycles(repeat, 9, 2, 3)"),              # two definitions that disagree
        intrinsic("vok", "EstimateLinearCycles(repeat, 1, 2, 3)"),
    ])
    assert set(parse_latencies({"core.hpp": CORE, "compute.hpp": compute})) == {"vok"}
    # Declarations of EstimateLinearCycles whose defaults disagree, or none: nothing is known.
    other = CORE.replace("uint64_t repeat, uint64_t head = 6, uint64_t slope", "uint64_t repeat, uint64_t head = 7, "
                         "uint64_t slope", 1)
    assert parse_latencies({"core.hpp": other, "compute.hpp": compute}) == {}
    assert parse_latencies({"compute.hpp": compute}) == {}


def test_a_barrier_costs_the_largest_tail_before_plus_the_largest_head_after():
    table = LatencyTable(parse_latencies({"core.hpp": CORE, "c.hpp": intrinsic("vadd", "EstimateLinearCycles("
                                                                            "repeat, 10, 2, 14)")
                                          + intrinsic("vexp", "EstimateLinearCycles(repeat, 13, 2, 18)")
                                          + intrinsic("vbrcb", "EstimateLinearCycles(repeat, 0, 0, 18)")}), "DIR")
    cost = table.barrier_cost(["TADD"], ["TEXP"])
    assert (cost.cycles, cost.tail, cost.head) == (14 + 13, ("TADD", "vadd", 14), ("TEXP", "vexp", 13))
    cost = table.barrier_cost(["TADD", "TEXP"], ["TADD", "TEXP"])   # several ops may be in flight: the largest
    assert (cost.cycles, cost.tail[0], cost.head[0]) == (18 + 13, "TEXP", "TEXP")
    # An op step names its intrinsic (TROWEXPANDMUL.vbrcb); an op the trace does not issue any
    # intrinsic of the table for has no number, with the reason.
    assert table.barrier_cost(["TROWEXPANDMUL.vbrcb"], ["TADD"]).cycles == 18 + 10
    assert table.barrier_cost(["TADD"], ["TMOV"]) == table.barrier_cost(["TADD"], ["TMOV"])
    missing = table.barrier_cost(["TADD"], ["TMOV"])
    assert missing.cycles is None and missing.why == ("TMOV's copy_ubuf_to_ubuf has no calibrated vector head and "
                                                      "tail in the checkout")
    assert table.barrier_cost([], ["TADD"]).why == "no vector op before it is known"
    assert LatencyTable.read("/nonexistent").latencies == {}


@needs_checkout
def test_the_checkout_s_numbers_are_its_headers_lines():
    """Each number is on the line the table names: the header text says it, not a copy."""
    table = LatencyTable.read(str(PTO_ISA))
    assert (table.of("vmax").head, table.of("vmax").tail) == (10, 14)
    assert (table.of("vexp").head, table.of("vexp").tail) == (13, 18)
    assert table.of("copy_ubuf_to_ubuf") is None      # (the UB_TO_UB pipe, costed by bandwidth)
    for name in ("vadd", "vmax", "vexp", "vmuls", "vcadd"):
        latency = table.of(name)
        file, line = latency.where.split(":")
        lines = (PTO_ISA / COST_MODEL_DIR / file).read_text(encoding="utf-8").splitlines()
        body = "\n".join(lines[int(line) - 1:int(line) + 12])
        assert f"inline void {name}(" in lines[int(line) - 1]
        assert re.search(rf"EstimateLinearCycles\(repeat, {latency.head}, \d+, {latency.tail}\)", body), body


def kernel() -> str:
    tile = ("Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, "
            "CompactMode::Null>")
    return f"""#include "pto/pto-inst.hpp"
using namespace pto;

extern "C" __global__ AICORE void k(__gm__ float* v0) {{
  #if defined(__DAV_VEC__)
  set_mask_norm();
  set_vector_mask(-1, -1);
  {tile} v1;
  TASSIGN(v1, (uint64_t) 0);
  {tile} v2;
  TASSIGN(v2, (uint64_t) 16384);
  for (int32_t i = 0; i < 8; i += 1) {{
    TADD(v1, v1, v1);
    pipe_barrier(PIPE_V);
    TEXP(v2, v1);
    pipe_barrier(PIPE_V);
    TEXP(v2, v2);
  }}
  #endif // __DAV_VEC__
  return;
}}
"""


@needs_checkout
def test_run_reports_each_barrier_s_cycles_in_text_json_and_html(tmp_path, capsys):
    path = tmp_path / "k.cpp"
    path.write_text(kernel(), encoding="utf-8")
    base = ["run", "--pattern", "auto", str(path), "-o", str(tmp_path / "out.cpp")]
    assert main([*base, "--report", "text", "--pto-isa", str(PTO_ISA)]) == 0
    text = capsys.readouterr().err      # (the kernel goes to -o, the text report to stderr)
    # TADD -> TEXP: a RAW on v1, kept; vadd's tail 14 + vexp's head 13, 8 times per call.
    assert re.search(r"k\.cpp:14:5: kept \(auto, TADD -> TEXP; ~27 cycles/execution, ~216/call at most: vadd tail 14 "
                     r"\+ vexp head 13\): RAW", text), text
    assert "k.cpp:16:5: kept (auto, TEXP -> TEXP; ~31 cycles/execution, ~248/call at most: vexp tail 18 + vexp head " \
           "13): " in text, text
    assert "pipe-v-barrier: cycles per call, at most: ~0 saved by the removed barriers, ~464 cost by the kept ones; " \
           "drain-and-refill: " in text
    assert main([*base, "--report", "json", "--report-file", str(tmp_path / "r.json"), "--pto-isa", str(PTO_ISA)]) == 0
    document = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    barrier, = [p for p in document["files"][0]["passes"] if p["pass"] == "pipe-v-barrier"]
    first = barrier["decisions"][0]["cycles"]
    assert (first["per_execution"], first["per_call"], first["bound"]) == (27, 216, "upper")
    assert (first["tail"]["intrinsic"], first["tail"]["cycles"], first["head"]["intrinsic"]) == ("vadd", 14, "vexp")
    assert barrier["cycles"]["per_call"] == {"removed": 0, "kept": 464, "without_cost": 0}
    # The page: a cycles column, the model in its heading.
    from ptofix.compile_env import NO_COMMAND_LINE
    from ptofix.cpp_fixes import CppFixOptions, cpp_passes
    from ptofix.file_passes import FilePasses
    from ptofix.html_report import page
    from ptofix.isa_version import with_checkout
    job = FilePasses(tuple(cpp_passes(CppFixOptions(pattern="auto"))), cpp_input=True, functions=True,
                     environment=with_checkout(NO_COMMAND_LINE, str(PTO_ISA)))
    html = page([job.process(str(path)).report])
    assert "<th>cycles (drain-and-refill: " in html
    assert ("<td class=\"cycles\">at most ~27/execution, ~216/call (TADD&#x27;s vadd tail 14 + TEXP&#x27;s vexp "
            "head 13)</td>") in html
    # Without --pto-isa: no cycles anywhere.
    assert main([*base, "--report", "json", "--report-file", str(tmp_path / "plain.json")]) == 0
    assert "cycles" not in (tmp_path / "plain.json").read_text(encoding="utf-8")
    plain = FilePasses(tuple(cpp_passes(CppFixOptions(pattern="auto"))), cpp_input=True, functions=True)
    assert "class=\"cycles\"" not in page([plain.process(str(path)).report])


@needs_checkout
def test_check_reports_each_barrier_s_cycles_in_text_json_and_html(tmp_path, capsys):
    path = tmp_path / "k.cpp"
    path.write_text(kernel(), encoding="utf-8")
    assert main(["check", str(path), "--pto-isa", str(PTO_ISA)]) == 0
    err = capsys.readouterr().err
    assert f"{path}:14:5: note: pipe_barrier(PIPE_V) (TADD -> TEXP): ~27 cycles/execution, ~216/call at most: vadd " \
           "tail 14 + vexp head 13" in err, err
    assert f"{path}:16:5: note: pipe_barrier(PIPE_V) (TEXP -> TEXP): ~31 cycles/execution, ~248/call at most" in err
    assert main(["check", str(path), "--pto-isa", str(PTO_ISA), "--report", "json", "--report-file",
                 str(tmp_path / "c.json")]) == 0
    document = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    costs = document["files"][0]["barrier_cycles"]
    assert costs["model"].startswith("drain-and-refill: ")
    assert [(b["line"], b["weight"], b["cycles"]["per_execution"], b["cycles"]["per_call"])
            for b in costs["barriers"]] == [(14, 8, 27, 216), (16, 8, 31, 248)]
    assert main(["check", str(path), "--pto-isa", str(PTO_ISA), "--report", "html", "--report-file",
                 str(tmp_path / "c.html")]) == 0
    page = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert "<td class=\"cycles\">at most ~31/execution, ~248/call (TEXP&#x27;s vexp tail 18 + TEXP&#x27;s vexp head " \
           "13)</td>" in page
    capsys.readouterr()
    # Without --pto-isa: nothing of it.
    assert main(["check", str(path), "--report", "json", "--report-file", str(tmp_path / "plain.json")]) == 0
    assert "cycles" not in (tmp_path / "plain.json").read_text(encoding="utf-8")
    assert "cycles/execution" not in capsys.readouterr().err


@needs_checkout
def test_the_documented_fa_lines(tmp_path, capsys):
    """docs/commands/run.md's and check.md's example: fa.cpp's barrier between TMAX and TSUB."""
    fa = ROOT / "kernels" / "flash_attention" / "fa.cpp"
    run_doc = (ROOT / "docs" / "commands" / "run.md").read_text(encoding="utf-8")
    check_doc = (ROOT / "docs" / "commands" / "check.md").read_text(encoding="utf-8")
    assert main(["run", "--pattern", "auto", str(fa), "-o", str(tmp_path / "o.cpp"), "--report", "text",
                 "--pto-isa", str(PTO_ISA)]) == 0
    said = " ".join(capsys.readouterr().err.split())
    shown = "kept (auto, TMAX -> TSUB; ~24 cycles/execution, ~384/call at most: vmax tail 14 + vsub head 10)"
    assert shown in " ".join(run_doc.split()) and f":357:5: {shown}: RAW" in said
    assert main(["check", str(fa), "--pto-isa", str(PTO_ISA)]) == 1      # (its input races)
    said = capsys.readouterr().err
    shown = "note: pipe_barrier(PIPE_V) (TMAX -> TSUB): ~24 cycles/execution, ~384/call at most: "
    assert shown in check_doc and f"fa.cpp:357:5: {shown}vmax tail 14 + vsub head 10\n" in said
