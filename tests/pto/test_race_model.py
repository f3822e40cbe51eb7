"""The race model (ptofix/pto/race_model.py, issue #66): msSanitizer's a2/a3 rule by default, PTOAS
#674's same-access chains only with ``--same-access-chains``.

Adversarial kernels for the default: chains of every producer family, in place, into a TCVT, of
16 and of many more repeats. Each is a chain the opt-in removes (so the kernel does reach the chain
rule), and the default keeps, naming the chain it does not credit. Then every way the setting
travels: ``run``, ``check`` (and ``--fix``), ``opt``'s pass option, the Python API (``build``'s
config key: tests/prebuild/test_build_settings.py; ``simulate``: tests/sim/test_sim_hazard.py)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ptofix import api
from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.pto.race_model import CHAIN_CREDITED, CHAIN_NOT_CREDITED, DEFAULT_RACE_MODEL, RaceModel
from ptofix.source import SourceText

REPO = Path(__file__).resolve().parents[2]


def _tile(dt: str, rows: int, cols: int, layout: str = "RowMajor") -> str:
    return (f"Tile<TileType::Vec, {dt}, {rows}, {cols}, BLayout::{layout}, {rows}, {cols}, SLayout::NoneBox, 512, "
            "PadValue::Null>")


def _kernel(decls: dict[str, tuple[str, int]], first: str, second: str) -> str:
    body = "".join(f"  {tile} {name};\n  TASSIGN({name}, {at});\n" for name, (tile, at) in decls.items())
    return (f"__global__ AICORE void k(int32_t n) {{\n{body}  pipe_barrier(PIPE_ALL);\n  {first}\n"
            f"  pipe_barrier(PIPE_V);\n  {second}\n}}\n")


F16x128 = _tile("float", 16, 128)        # 32 repeats of 256 bytes
F8x128 = _tile("float", 8, 128)          # 16 repeats: PTOAS #674's least
F64x128 = _tile("float", 64, 128)        # 128 repeats
XYZ = {"x": (F16x128, 0), "y": (F16x128, 16384), "z": (F16x128, 32768)}
ROW = {"r": (_tile("float", 16, 1, "ColMajor"), 65536)}
COL = {"c": (_tile("float", 1, 128), 65600)}

CHAINS = {
    # binary (vadd, vsub, vmul, vmax, vmin)
    **{op: _kernel(XYZ, f"{op}(x, y, y);", "TADD(z, x, x);") for op in ("TADD", "TSUB", "TMUL", "TMAX", "TMIN")},
    # with a scalar
    **{op: _kernel(XYZ, f"{op}(x, y, 2.0f);", "TADD(z, x, x);") for op in ("TADDS", "TSUBS", "TMULS", "TMAXS",
                                                                           "TMINS")},
    # unary, TEXP among them (pto-isa's FA softmax)
    **{op: _kernel(XYZ, f"{op}(x, y);", "TADD(z, x, x);") for op in ("TABS", "TRELU", "TEXP")},
    # a row expand on its vbrcb path into a column expand (both column chunks)
    "TROWEXPANDMUL": _kernel({**XYZ, **ROW, **COL}, "TROWEXPANDMUL(x, x, r);", "TCOLEXPANDMUL(z, x, c);"),
    # in place (the FA softmax's TMULS -> TEXP)
    "in place": _kernel(XYZ, "TMULS(x, x, 2.0f);", "TEXP(x, x);"),
    # a float conversion as the consumer
    "TCVT consumer": _kernel({**XYZ, "h": (_tile("half", 16, 128), 49152)}, "TEXP(x, y);",
                             "TCVT(h, x, RoundMode::CAST_RINT);"),
    # exactly 16 repeats, and 128
    "16 repeats": _kernel({"x": (F8x128, 0), "y": (F8x128, 8192), "z": (F8x128, 16384)}, "TADD(x, y, y);",
                          "TADD(z, x, x);"),
    "128 repeats": _kernel({"x": (F64x128, 0), "y": (F64x128, 32768), "z": (F64x128, 65536)}, "TADD(x, y, y);",
                           "TADD(z, x, x);"),
}


def _decisions(text: str, race_model: RaceModel) -> list:
    model = parse_cpp(SourceText(text, "adversary.cpp"))
    return [d for d in BarrierAnalysis(model, race_model=race_model).run({"auto"}) if not d.unread]


def test_the_default_is_mssanitizers_rule():
    assert DEFAULT_RACE_MODEL is RaceModel.MSSANITIZER_A2A3 and not DEFAULT_RACE_MODEL.credits_same_access_chains
    assert RaceModel.of(True).credits_same_access_chains and RaceModel.of(False) is DEFAULT_RACE_MODEL


@pytest.mark.parametrize("name", sorted(CHAINS))
def test_the_default_removes_no_chain_barrier(name):
    text = CHAINS[name]
    [opted] = _decisions(text, RaceModel.SAME_ACCESS_CHAINS)
    assert opted.removed and opted.same_access_pairs >= 1, opted.reason      # the kernel reaches the rule
    assert CHAIN_CREDITED in opted.reason
    [kept] = _decisions(text, RaceModel.MSSANITIZER_A2A3)
    assert not kept.removed and kept.hazard is not None and kept.hazard.same_access_chain, kept.reason
    assert kept.reason.endswith(CHAIN_NOT_CREDITED)
    # check: a race of its own category under the default, none under the opt-in.
    races = api.check(text.replace("  pipe_barrier(PIPE_V);\n", ""))
    assert races and {r.category for r in races} == {"same-access-chain"}
    assert api.check(text.replace("  pipe_barrier(PIPE_V);\n", ""), same_access_chains=True) == ()


def _ptofix(*argv: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ptofix", *argv], capture_output=True, text=True, input=stdin,
                          cwd=REPO)


def test_run_takes_same_access_chains(tmp_path):
    kernel = tmp_path / "k.cpp"
    kernel.write_text(CHAINS["in place"])
    default = _ptofix("run", "--pattern", "auto", str(kernel))
    assert default.returncode == 0 and default.stdout == kernel.read_text()      # byte-identical
    report = tmp_path / "r.json"
    opted = _ptofix("run", "--pattern", "auto", "--same-access-chains", "--report", "json", "--report-file",
                    str(report), str(kernel))
    assert opted.returncode == 0 and "/* ptofix: removed pipe_barrier(PIPE_V) (auto) */" in opted.stdout
    [entry] = json.loads(report.read_text())["files"]
    [barrier] = [p for p in entry["passes"] if p["pass"] == "pipe-v-barrier"]
    assert barrier["race_model"] == "same-access-chains"
    [decision] = barrier["decisions"]
    assert decision["same_access_chains"] == 1 and CHAIN_CREDITED in decision["reason"]
    help_text = " ".join(_ptofix("run", "--help").stdout.split())
    assert "--same-access-chains" in help_text and "msSanitizer flags such pairs" in help_text


def test_opt_takes_the_pass_option(tmp_path):
    kernel = tmp_path / "k.cpp"
    kernel.write_text(CHAINS["in place"])
    kept = _ptofix("opt", "-p", "pipe-v-barrier{pattern=auto}", str(kernel))
    assert kept.returncode == 0 and kept.stdout == kernel.read_text()
    removed = _ptofix("opt", "-p", "pipe-v-barrier{pattern=auto same-access-chains=1}", str(kernel))
    assert removed.returncode == 0 and "/* ptofix: removed" in removed.stdout
    racy = tmp_path / "racy.cpp"
    racy.write_text(CHAINS["in place"].replace("  pipe_barrier(PIPE_V);\n", ""))
    inserted = _ptofix("opt", "-p", "pipe-v-barrier-insert", str(racy))
    assert inserted.stdout.count("pipe_barrier(PIPE_V);") == 1
    untouched = _ptofix("opt", "-p", "pipe-v-barrier-insert{same-access-chains=1}", str(racy))
    assert untouched.stdout == racy.read_text()


def test_the_api_fix_cpp_takes_same_access_chains():
    text = CHAINS["in place"]
    assert not api.fix_cpp(text, "auto").changed
    fixed = api.fix_cpp(text, "auto", same_access_chains=True)
    assert fixed.changed and len(fixed.removed) == 1 and CHAIN_CREDITED in fixed.removed[0].reason


def _race_keys(report: dict) -> set[tuple]:
    return {(r["kind"], r["earlier"]["location"], r["later"]["location"]) for r in report["races"]}


@pytest.mark.slow
@pytest.mark.corpus
def test_auto_under_the_default_adds_no_race_check_finds_on_the_corpus(corpus_dir):
    """Every corpus file: the races default `check` finds in `run --pattern auto`'s output are races
    of the input (a removed barrier becomes a comment on its own line, so locations are kept), and
    no removal rests on a same-access chain."""
    import glob
    import os

    from ptofix.compile_env import CompileEnvironment
    from ptofix.frontends import parse_cpp, parsers
    from ptofix.pass_manager import build_pass, run_pipeline
    from ptofix.race_check import RaceCheck
    checked = 0
    for folder in sorted(os.listdir(corpus_dir)):
        include = os.path.join(corpus_dir, folder, "include")
        environment = CompileEnvironment((include,) if os.path.isdir(include) else (), ())
        job = RaceCheck(environment=environment)
        for path in sorted(glob.glob(os.path.join(corpus_dir, folder, "**", "*.cpp"), recursive=True)):
            if f"{os.sep}include{os.sep}" in path:
                continue
            source = SourceText(Path(path).read_text(encoding="utf-8", errors="replace"), path)
            try:
                model = parse_cpp(source, environment)
            except api.InputError:
                continue
            outcome = run_pipeline(source, [build_pass("pipe-v-barrier", {"pattern": "auto"})], parsers(environment),
                                   {"cpp": model})
            decisions = outcome.reports[0].get("decisions", [])
            assert not any(d["decision"] == "removed" and d.get("same_access_chains") for d in decisions), path
            if outcome.text != source.text:
                after = job.process_source(SourceText(outcome.text, path)).report
                before = job.process_source(source).report
                assert _race_keys(after) <= _race_keys(before), path
                checked += 1
    assert checked > 0


def test_the_chain_verdict_is_read_once_per_pair_of_signatures():
    """check over a long chain of one op asks the chain rule (and its walks) once per pair of op
    signatures and accesses, not once per pair of ops (issue #69 item 7: 400 x TADD(a, a, a) on a
    64 x 128 tile took a minute)."""
    from ptofix.cpp.races import find_races
    tile = _tile("float", 64, 128)
    body = "".join("  TADD(a, a, a);\n" for _ in range(60))
    model = parse_cpp(SourceText(f"__global__ AICORE void k() {{\n  {tile} a;\n  TASSIGN(a, 0);\n{body}}}\n", "k.cpp"))
    analysis = BarrierAnalysis(model, lenient_flags=True)
    races, _ = find_races(model, analysis)
    assert len(races) > 60 * 10 and all(r.category == "same-access-chain" for r in races)
    # One op signature: its accesses' pairs, with and without a back-edge, at most.
    assert 0 < len(analysis._chain_verdicts) <= 2 * 3 * 3
