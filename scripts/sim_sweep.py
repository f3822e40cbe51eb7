"""Second line of defence over the corpus: simulate every `ptofix run --pattern auto` rewrite.

For each corpus C++ file (and the FA sample) where the pass removes barriers, run the original
and the rewrite on the numpy UB model (`ptofix.sim`) with several seeds. Kernels whose original
already differs from itself under the overlapped schedule (ptoas output that races under the
model, e.g. two no-tmp TROWEXPAND* sharing the hidden scratch) are compared again against
`check --fix` of the original, as `ptofix simulate` does; those still racy are reported apart: a
difference there says nothing about the removal. Kernels the simulator cannot run (it fails closed on any
statement it does not interpret exactly) count as "cannot run"; an exception inside the simulator
counts as "internal error" and is printed. Prints numbers; asserts nothing.
Usage: python scripts/sim_sweep.py [--seeds N] [--pattern auto] [--verbose]
"""
from __future__ import annotations

import argparse
import glob
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main() -> int:
    sys.path.insert(0, ROOT)
    from ptofix.frontends import PARSERS
    from ptofix.pass_manager import build_pass, run_pipeline
    from ptofix.sim.race_fix import fix_both
    from ptofix.sim.runner import SimOptions, load, simulate
    from ptofix.source import PtofixError, SourceText

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--pattern", default="auto")
    parser.add_argument("--verbose", action="store_true", help="print the error of every kernel that cannot run")
    args = parser.parse_args()
    files = sorted(glob.glob(os.path.join(ROOT, "..", "shared", "corpus", "**", "*.cpp"), recursive=True))
    files.append(os.path.join(ROOT, "kernels", "flash_attention", "fa.cpp"))
    options = SimOptions(ub_size=512 * 1024)   # some corpus kernels place tiles above 192 KiB
    counts = {"rewritten": 0, "confirmed": 0, "confirmed against check --fix": 0, "racy original": 0,
              "cannot run": 0, "internal error": 0, "DIFFERENT": 0}
    reasons: dict[str, int] = {}
    removals = 0
    start = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            text = open(path, encoding="utf-8", newline="").read()
            out = run_pipeline(SourceText(text, path), [build_pass("pipe-v-barrier", {"pattern": args.pattern})],
                               PARSERS)
            removed = out.reports[0]["removed"]
            if not removed:
                continue
            counts["rewritten"] += 1
            rewritten = os.path.join(tmp, os.path.basename(path))
            with open(rewritten, "w", encoding="utf-8", newline="") as handle:
                handle.write(out.text)
            # The whole kernel from its entry; failing that (e.g. a pypto wrapper unpacking a
            # Tensor struct), each function that lost a barrier, with generated arguments.
            decisions = out.reports[0]["decisions"]
            functions = [None] + sorted({d["function"] for d in decisions if d["decision"] == "removed"})
            report = None
            internal = None
            first_error = None
            for function in functions:
                opts = SimOptions(ub_size=options.ub_size, function=function)
                try:
                    report = simulate(path, rewritten, args.seeds, opts)
                    break
                except PtofixError as exc:       # the interpreter cannot run this kernel this way
                    first_error = first_error or exc
                    continue
                except Exception as exc:  # noqa: BLE001 - a simulator bug: counted apart
                    internal = exc
                    break
            if internal is not None:
                counts["internal error"] += 1
                print(f"INTERNAL ERROR: {os.path.relpath(path, ROOT)}: {type(internal).__name__}: {internal}")
                continue
            if report is None:
                counts["cannot run"] += 1
                if first_error is not None:
                    msg = first_error.diagnostic.message
                    key = msg.split(" (in `")[0][:90]
                    reasons[key] = reasons.get(key, 0) + 1
                    if args.verbose:
                        print(f"cannot run: {first_error.format().splitlines()[0]}")
                continue
            if report.difference is None and report.racy_original is None:
                counts["confirmed"] += 1
                removals += removed
                continue
            if report.difference is None:
                # As `ptofix simulate` does: compare against check --fix of the original.
                fixed = fix_both(load(path), load(rewritten))
                if isinstance(fixed, str):
                    counts["racy original"] += 1
                    if args.verbose:
                        print(f"racy original, not fixed: {os.path.relpath(path, ROOT)}: {fixed}")
                    continue
                report = simulate(fixed.original, fixed.rewritten, args.seeds, opts)
                if report.difference is None and report.racy_original is None:
                    counts["confirmed against check --fix"] += 1
                    removals += removed
                    continue
                if report.difference is None:
                    counts["racy original"] += 1
                    continue
            counts["DIFFERENT"] += 1
            print(f"DIFFERENT: {os.path.relpath(path, ROOT)}: {report.difference}")
    if reasons:
        print("cannot run, by first reason:")
        for key, n in sorted(reasons.items(), key=lambda kv: -kv[1]):
            print(f"  {n:3d}  {key}")
    print(f"{len(files)} files, pattern {args.pattern}, {args.seeds} seeds, {time.time() - start:.0f} s: "
          + ", ".join(f"{k} {v}" for k, v in counts.items()) + f"; {removals} removals confirmed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
