#!/usr/bin/env python3
"""Cycles of the flash-attention workload in pto-isa's Perf-Sim, before (``fa.cpp`` as shipped) and
after ``ptofix run --pattern auto``, at each sequence length S1 (= 128 x the entry's ``s1Tiles``
parameter, ``v7``), under both barrier models: the table of kernels/flash_attention/README.md.

Two steps, so that the table is regenerated without running Perf-Sim again:

    # run Perf-Sim (niced; each length and model once; what is recorded is kept and skipped):
    .venv/bin/python scripts/perf_fa.py measure --pto-isa ../shared/pto-isa/f35e7f60 --lengths 1024,2048
    # write the README's section between its markers from the recorded numbers (--check: compare only):
    .venv/bin/python scripts/perf_fa.py readme

The numbers are recorded in kernels/flash_attention/perf_fa.json with what they were measured on:
the SHA-256 of fa.cpp and of ``run --pattern auto``'s output, the checkout, and each run's wall time.
A record measured on other kernel texts is measured again, never mixed in.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FA_DIR = REPO / "kernels" / "flash_attention"
FA = FA_DIR / "fa.cpp"
RECORD = FA_DIR / "perf_fa.json"
README = FA_DIR / "README.md"
BEGIN = "<!-- perf_fa.py table: begin (scripts/perf_fa.py readme writes what is between these markers) -->"
END = "<!-- perf_fa.py table: end -->"
TILE_ROWS = 128
LENGTHS = [1024 * 2 ** k for k in range(8)]        # 1024 ... 131072
MODELS = ("pto-isa", "restart")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def auto_text(ptofix: list[str]) -> str:
    """``run --pattern auto``'s output for the shipped fa.cpp."""
    with tempfile.TemporaryDirectory(prefix="perf-fa-") as scratch:
        out = Path(scratch) / "fa.auto.cpp"
        subprocess.run([*ptofix, "run", "--pattern", "auto", "-q", str(FA), "-o", str(out)], check=True)
        return out.read_text(encoding="utf-8")


def load(path: Path = RECORD) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"runs": []}


def save(record: dict, path: Path = RECORD) -> None:
    record["runs"].sort(key=lambda run: (run["s1"], MODELS.index(run["barrier_model"])))
    path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def measure(args: argparse.Namespace) -> int:
    ptofix = [args.ptofix]
    base = FA.read_text(encoding="utf-8")
    auto = auto_text(ptofix)
    record = load(args.record)
    kernels = {"fa.cpp": sha256(base), "fa.auto.cpp": sha256(auto)}
    if record.get("kernels") != kernels:
        if record["runs"]:
            print("perf_fa.py: the kernels differ from the recorded ones: every length is measured again",
                  file=sys.stderr)
        record = {"kernels": kernels, "runs": []}
    record["pto_isa"] = os.path.basename(os.path.normpath(args.pto_isa))
    done = {(run["s1"], run["barrier_model"]) for run in record["runs"]}
    with tempfile.TemporaryDirectory(prefix="perf-fa-") as scratch:
        files = [Path(scratch) / "fa.cpp", Path(scratch) / "fa.auto.cpp"]
        files[0].write_text(base, encoding="utf-8")
        files[1].write_text(auto, encoding="utf-8")
        for length in (int(x) for x in args.lengths.split(",")):
            if length % TILE_ROWS:
                sys.exit(f"perf_fa.py: S1 = {length} is not a multiple of {TILE_ROWS}")
            for model in args.models.split(","):
                if (length, model) in done and not args.again:
                    continue
                start = time.monotonic()
                proc = subprocess.run(["nice", *ptofix, "perf", *map(str, files), "--pto-isa", args.pto_isa,
                                       "--arg", f"v7={length // TILE_ROWS}", "--barrier-model", model,
                                       "--report", "json", "-q", "--timeout", str(args.timeout)],
                                      capture_output=True, text=True, check=False)
                seconds = time.monotonic() - start
                if proc.returncode != 0:
                    print(f"perf_fa.py: S1 = {length}, {model}: perf failed after {seconds:.0f} s:\n{proc.stderr}",
                          file=sys.stderr)
                    return 1
                report = json.loads(proc.stdout)
                before, after = report["files"]
                record["runs"] = [run for run in record["runs"] if (run["s1"], run["barrier_model"]) != (length, model)]
                record["runs"].append({
                    "s1": length, "barrier_model": model, "wall_seconds": round(seconds, 1),
                    "run_seconds": round(before["run_seconds"] + after["run_seconds"], 2),
                    "before": {key: before[key] for key in ("total_cycles", "vec_critical", "vec_busy", "cube_busy")},
                    "after": {key: after[key] for key in ("total_cycles", "vec_critical", "vec_busy", "cube_busy")}})
                save(record, args.record)
                print(f"S1 = {length}, {model}: {before['total_cycles']:,} -> {after['total_cycles']:,} cycles "
                      f"({seconds:.0f} s)", flush=True)
    return 0


def _change(before: int, after: int) -> str:
    return f"{100 * (after - before) / before:+.1f}%" if before else "n/a"


def _seconds(runs: list[dict]) -> str:
    return " and ".join(f"{run['wall_seconds']:,.0f} s" for run in runs)


def table(record: dict) -> str:
    """The README's section: the Markdown table of the recorded runs and what they were run on."""
    lines = ["| S1 | barrier model | total, as shipped | total, `auto` | change | VEC critical, as shipped | "
             "VEC critical, `auto` | change |",
             "|---|---|---|---|---|---|---|---|"]
    for run in record["runs"]:
        b, a = run["before"], run["after"]
        lines.append(f"| {run['s1']:,} | {run['barrier_model']} | {b['total_cycles']:,} | {a['total_cycles']:,} | "
                     f"{_change(b['total_cycles'], a['total_cycles'])} | {b['vec_critical']:,} | "
                     f"{a['vec_critical']:,} | {_change(b['vec_critical'], a['vec_critical'])} |")
    measured = sorted({run["s1"] for run in record["runs"]})
    missing = [length for length in LENGTHS if length not in measured]
    wall = sum(run["wall_seconds"] for run in record["runs"])
    first = [run for run in record["runs"] if run["s1"] == min(measured, default=0)]
    last = [run for run in record["runs"] if run["s1"] == max(measured, default=0)]
    lines.append("")
    lines.append(f"Perf-Sim of pto-isa {record.get('pto_isa', '?')}, one core, `ptofix perf fa.cpp fa.auto.cpp "
                 f"--arg v7=S1/128 --barrier-model MODEL`; `fa.auto.cpp` is `ptofix run --pattern auto fa.cpp`'s "
                 f"output (SHA-256 {record['kernels']['fa.auto.cpp'][:12]}..., fa.cpp "
                 f"{record['kernels']['fa.cpp'][:12]}...). The {len(record['runs'])} perf runs (two kernels each) "
                 f"took {wall:,.0f} s of wall time in all, niced, on a 2-core machine shared with other work"
                 + (f": S1 = {first[0]['s1']:,}, builds included, {_seconds(first)}; S1 = {last[0]['s1']:,}, "
                    f"{_seconds(last)}" if first else "") + ".")
    if missing:
        lines.append(f"Not measured yet: S1 = {', '.join(f'{m:,}' for m in missing)}.")
    return "\n".join(lines) + "\n"


def readme_text(readme: str, record: dict) -> str:
    if readme.count(BEGIN) != 1 or readme.count(END) != 1 or readme.index(BEGIN) > readme.index(END):
        sys.exit(f"perf_fa.py: {README} has not exactly one pair of the table's markers")
    head, rest = readme.split(BEGIN)
    _, tail = rest.split(END)
    return f"{head}{BEGIN}\n{table(record)}{END}{tail}"


def readme(args: argparse.Namespace) -> int:
    text = README.read_text(encoding="utf-8")
    new = readme_text(text, load(args.record))
    if args.check:
        if new != text:
            print(f"perf_fa.py: {README}'s table is not what the recorded numbers give: run scripts/perf_fa.py readme",
                  file=sys.stderr)
            return 1
        return 0
    if new != text:
        README.write_text(new, encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="step", required=True)
    run = sub.add_parser("measure", help="run Perf-Sim and record the numbers in perf_fa.json")
    run.add_argument("--pto-isa", default=str(REPO.parent / "shared" / "pto-isa" / "f35e7f60"))
    run.add_argument("--lengths", default=",".join(map(str, LENGTHS)), help="sequence lengths S1 (multiples of 128)")
    run.add_argument("--models", default=",".join(MODELS))
    run.add_argument("--again", action="store_true", help="measure lengths already recorded again")
    run.add_argument("--timeout", type=int, default=3600, help="perf's --timeout per compile and run")
    run.add_argument("--ptofix", default=shutil.which("ptofix") or str(Path(sys.executable).with_name("ptofix")),
                     help="the ptofix to run (default: the one on PATH)")
    run.add_argument("--record", type=Path, default=RECORD, help=f"where the numbers are kept (default: {RECORD.name})")
    run.set_defaults(handler=measure)
    page = sub.add_parser("readme", help="write the README's table from perf_fa.json")
    page.add_argument("--check", action="store_true", help="compare only: exit 1 when the README differs")
    page.add_argument("--record", type=Path, default=RECORD, help=f"the numbers (default: {RECORD.name})")
    page.set_defaults(handler=readme)
    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
