#!/usr/bin/env python3
"""Cycles of the flash-attention workload in pto-isa's Perf-Sim: as ptoas emitted it, after
``run --pattern gu`` and ``--pattern auto``, and with the upstream report's single epilogue
barrier (``pipe_barrier(PIPE_V)`` before ``TROWEXPANDDIV``) inserted and then removed, at each
sequence length (S1 = 128 x the entry's ``s1Tiles`` parameter, ``v7``), under both barrier models.

Prints a Markdown table (the one in docs/commands/perf.md and kernels/flash_attention/README.md)
and how long one perf run took, built and cached.

    .venv/bin/python scripts/perf_fa.py --pto-isa ../shared/pto-isa/f35e7f60 [--lengths 1024,2048,8192]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FA = REPO / "kernels" / "flash_attention" / "fa.cpp"
# The shipped fa.cpp's epilogue: ptoas v0.45 already pruned the barrier the upstream report removed.
EPILOGUE = "  TADD(v45, v45, v43);\n  TROWEXPANDDIV(v45, v45, v49);\n"
WITH_BARRIER = "  TADD(v45, v45, v43);\n  pipe_barrier(PIPE_V);\n  TROWEXPANDDIV(v45, v45, v49);\n"
TILE_ROWS = 128


def variants(work: Path, ptofix: list[str]) -> dict[str, Path]:
    """fa.cpp, its gu and auto rewrites, and the epilogue-barrier pair."""
    text = FA.read_text(encoding="utf-8")
    if text.count(EPILOGUE) != 1:
        sys.exit("fa.cpp's epilogue is not the one this script knows (TADD then TROWEXPANDDIV)")
    files = {"fa.cpp": work / "fa.cpp"}
    files["fa.cpp"].write_text(text, encoding="utf-8")
    for pattern in ("gu", "auto"):
        files[f"fa.{pattern}.cpp"] = work / f"fa.{pattern}.cpp"
        subprocess.run([*ptofix, "run", "--pattern", pattern, str(files["fa.cpp"]), "-o",
                        str(files[f"fa.{pattern}.cpp"])], check=True, stderr=subprocess.DEVNULL)
    files["fa.epilogue-barrier.cpp"] = work / "fa.epilogue-barrier.cpp"
    files["fa.epilogue-barrier.cpp"].write_text(text.replace(EPILOGUE, WITH_BARRIER), encoding="utf-8")
    return files


def perf(ptofix: list[str], files: list[Path], pto_isa: str, tiles: int, model: str) -> tuple[list[int], float]:
    start = time.monotonic()
    done = subprocess.run([*ptofix, "perf", *map(str, files), "--pto-isa", pto_isa, "--arg", f"v7={tiles}",
                           "--barrier-model", model], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(done.stderr)
    cycles = [int(line.split(": ", 1)[1].split(" cycles", 1)[0].replace(",", ""))
              for line in done.stdout.splitlines()]
    return cycles, time.monotonic() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pto-isa", default=str(REPO.parent / "shared" / "pto-isa" / "f35e7f60"))
    parser.add_argument("--lengths", default="1024,2048,8192", help="sequence lengths S1 (multiples of 128)")
    parser.add_argument("--ptofix", default=str(Path(sys.executable).with_name("ptofix")))
    args = parser.parse_args()
    ptofix = [args.ptofix]
    lengths = [int(x) for x in args.lengths.split(",")]
    with tempfile.TemporaryDirectory(prefix="perf-fa-") as scratch:
        files = variants(Path(scratch), ptofix)
        order = ["fa.cpp", "fa.gu.cpp", "fa.auto.cpp", "fa.epilogue-barrier.cpp"]
        print("| S1 | barrier model | fa.cpp | fa.gu.cpp | fa.auto.cpp | epilogue barrier added | its removal |")
        print("|---|---|---|---|---|---|---|")
        timings = []
        for length in lengths:
            for model in ("pto-isa", "restart"):
                cycles, seconds = perf(ptofix, [files[name] for name in order], args.pto_isa,
                                       length // TILE_ROWS, model)
                timings.append(seconds)
                base, gu, auto, barrier = cycles

                def cell(value: int, against: int) -> str:
                    return f"{value:,} ({100 * (value - against) / against:+.1f}%)"
                print(f"| {length} | {model} | {base:,} | {cell(gu, base)} | {cell(auto, base)} | "
                      f"{barrier:,} | {cell(base, barrier)} |")
        print(f"\nperf runs of 4 kernels: first {timings[0]:.1f} s, then {min(timings):.1f} s to "
              f"{max(timings[1:] or timings):.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
