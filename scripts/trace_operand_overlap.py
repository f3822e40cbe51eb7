"""A sweep of ops whose destination shares UB bytes with another of their operands, judged twice:
by `ptofix check` (the static model) and by `check --trace` (pto-isa's host cost model, judged by
msSanitizer's a2/a3 rule in ptofix/trace, which reads the recorded instructions, not the model's
rule). A case is MISSED when the trace finds a race inside the op and `check` calls the function
verified (exit 0): that is a race `check` does not report. "cautious" cases (check unverified, the
trace clean) are the model's fail-closed over-approximation.

Families: element-wise (TADD, TMUL, TMAX, TDIV with either source), unary (TEXP, TABS, TRECIP,
TSQRT, TRSQRT, TNEG, TRELU, TMOV), scalar (TADDS, TMULS, TMAXS) over five float shapes (full rows,
valid columns short of the row, rows not whole repeats, more than REPEAT_MAX repeats) with the
destination shifted by 0, +-32 bytes, +-a row and +4 rows; row reductions with their destination or
tmp over the source, TROWEXPANDMUL/ADD with the column inside the destination or the destination
over the source, TROWEXPAND, TCOLEXPANDMUL with the row inside the destination or over the source.
All cases go into one kernel, `pipe_barrier(PIPE_ALL)` around each op, so one build traces them all.

    python scripts/trace_operand_overlap.py [--pto-isa DIR] [--work DIR] [--limit N] [--only REGEX]

Prints one line per case and the counts; exits 1 when a case is MISSED.
tests/cpp/test_operands_share_bytes.py and tests/trace/test_operands_share_bytes_trace.py pin cases
of it.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ptofix.cli import main  # noqa: E402

PTO_ISA = ROOT.parent / "shared" / "pto-isa" / "f35e7f60"
BASE = 0x8000
Case = tuple[str, list[tuple[str, str, int]], str]


def tile(rows: int, cols: int, valid_rows: int, valid_cols: int) -> str:
    return (f"Tile<TileType::Vec, float, {rows}, {cols}, BLayout::RowMajor, {valid_rows}, {valid_cols}, "
            "SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>")


def element_cases() -> list[Case]:
    cases: list[Case] = []
    for rows, cols, valid_cols in ((16, 64, 64), (16, 64, 48), (8, 128, 128), (128, 128, 128), (4, 256, 200)):
        row = cols * 4
        t = tile(rows, cols, rows, valid_cols)
        for shift in (0, row, -row, 32, -32, 4 * row):
            at = f"{rows}x{cols}v{rows}x{valid_cols}@{shift:+d}"
            two = [(t, "d", BASE + shift), (t, "s", BASE), (t, "o", 0x20000)]
            one = two[:2]
            for op in ("TADD", "TMUL", "TMAX", "TDIV"):
                cases += [(f"{op} {at}", two, f"{op}(d, s, o);"), (f"{op}-src1 {at}", two, f"{op}(d, o, s);")]
            cases += [(f"{op} {at}", one, f"{op}(d, s);")
                      for op in ("TEXP", "TABS", "TRECIP", "TSQRT", "TRSQRT", "TNEG", "TRELU", "TMOV")]
            cases += [(f"{op} {at}", one, f"{op}(d, s, 2.0f);") for op in ("TADDS", "TMULS", "TMAXS")]
    return cases


def broadcast_cases() -> list[Case]:
    cases: list[Case] = []
    for rows, cols, valid_cols in ((16, 64, 64), (16, 64, 48), (8, 128, 128), (4, 256, 200), (64, 64, 64)):
        row = cols * 4
        t = tile(rows, cols, rows, valid_cols)
        column = tile(rows, 8, rows, 1)
        line = tile(1, cols, 1, cols)
        other = 0xC000 if rows == 64 else 0x14000
        for shift in (0, 32, row, (rows - 1) * row, -32):
            at = f"{rows}x{cols}v{rows}x{valid_cols}@{shift:+d}"
            for op in ("TROWSUM", "TROWMAX"):
                cases += [(f"{op}-dst {at}", [(t, "s", BASE), (column, "c", BASE + shift), (t, "t", 0x20000)],
                           f"{op}(c, s, t);"),
                          (f"{op}-tmp {at}", [(t, "s", BASE), (column, "c", 0x1C000), (t, "t", BASE + shift)],
                           f"{op}(c, s, t);")]
            for op in ("TROWEXPANDMUL", "TROWEXPANDADD"):
                cases += [(f"{op}-col {at}", [(t, "d", BASE), (t, "s", other), (column, "c", BASE + shift)],
                           f"{op}(d, s, c);"),
                          (f"{op}-src {at}", [(t, "d", BASE + shift), (t, "s", BASE), (column, "c", 0x1F000)],
                           f"{op}(d, s, c);")]
            cases.append((f"TROWEXPAND {at}", [(t, "d", BASE), (column, "c", BASE + shift)], "TROWEXPAND(d, c);"))
            cases += [(f"TCOLEXPANDMUL-row {at}", [(t, "d", BASE), (t, "s", other), (line, "r", BASE + shift)],
                       "TCOLEXPANDMUL(d, s, r);"),
                      (f"TCOLEXPANDMUL-src {at}", [(t, "d", BASE + shift), (t, "s", BASE), (line, "r", 0x1F000)],
                       "TCOLEXPANDMUL(d, s, r);")]
    return cases


def kernel(cases: list[Case]) -> tuple[str, dict[int, str]]:
    """The kernel text and, for each op's line, its case."""
    out = ["#include <pto/pto-inst.hpp>", "using namespace pto;", 'extern "C" __global__ AICORE void k()', "{"]
    lines: dict[int, str] = {}
    for name, decls, call in cases:
        out.append("  {")
        out += [f"    {t} {n}; TASSIGN({n}, 0x{at:x});" for t, n, at in decls]
        out += ["    pipe_barrier(PIPE_ALL);", "    " + call]
        lines[len(out)] = name
        out += ["    pipe_barrier(PIPE_ALL);", "  }"]
    out.append("}")
    return "\n".join(out) + "\n", lines


def ptofix(*argv: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(list(argv))
    return status, err.getvalue()


def run(args: argparse.Namespace) -> int:
    cases = [case for case in element_cases() + broadcast_cases()
             if args.only is None or re.search(args.only, case[0])][:args.limit]
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    static: dict[str, int] = {}
    for index, case in enumerate(cases):
        path = work / f"case{index}.cpp"
        path.write_text(kernel([case])[0], encoding="utf-8")
        static[case[0]] = ptofix("check", "--color", "never", str(path))[0]
    text, lines = kernel(cases)
    path = work / "all.cpp"
    path.write_text(text, encoding="utf-8")
    status, err = ptofix("check", "--trace", "--color", "never", "--pto-isa", args.pto_isa,
                         "--cache-dir", str(work / "cache"), str(path))
    if status not in (0, 1):
        print(err, file=sys.stderr)
        return 2
    traced: dict[str, set[str]] = {}
    for match in re.finditer(r":(\d+):\d+: warning: (RAW|WAR|WAW) race in the trace", err):
        if int(match.group(1)) in lines:
            traced.setdefault(lines[int(match.group(1))], set()).add(match.group(2))
    counts: Counter[str] = Counter()
    for name, _, _ in cases:
        kinds = traced.get(name)
        verdict = ("MISSED" if kinds and static[name] == 0 else "caught" if kinds else
                   "cautious" if static[name] else "clean")
        counts[verdict] += 1
        print(f"{verdict:9} {name:40} check={static[name]} trace={','.join(sorted(kinds)) if kinds else '-'}")
    print(f"{len(cases)} cases: " + ", ".join(f"{counts[k]} {k}" for k in ("MISSED", "caught", "cautious", "clean")))
    return 1 if counts["MISSED"] else 0


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--pto-isa", default=str(PTO_ISA))
    parser.add_argument("--work", default="operand-overlap", help="where the kernels and the build cache go")
    parser.add_argument("--limit", type=int, default=None, help="only the first N cases")
    parser.add_argument("--only", default=None, help="only the cases whose name this regular expression finds")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(run(parse(None)))
