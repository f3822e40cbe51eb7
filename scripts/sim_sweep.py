"""Second line of defence over the corpus: simulate every `ptofix run --pattern auto` rewrite.

For each corpus C++ file (and the FA sample) where the pass removes barriers, run the original
and the rewrite on the numpy UB model (`ptofix.sim`) with several seeds. Kernels whose original
already differs from itself under the overlapped schedule (ptoas output that races under the
model, e.g. two no-tmp TROWEXPAND* sharing the hidden scratch) are reported apart: a difference
there says nothing about the removal. Prints numbers; asserts nothing.
Usage: python scripts/sim_sweep.py [--seeds N] [--pattern auto]
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
    from ptofix.sim.runner import SimOptions, simulate
    from ptofix.source import PtofixError, SourceText

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--pattern", default="auto")
    args = parser.parse_args()
    files = sorted(glob.glob(os.path.join(ROOT, "..", "shared", "corpus", "**", "*.cpp"), recursive=True))
    files.append(os.path.join(ROOT, "kernels", "flash_attention", "fa.cpp"))
    options = SimOptions(ub_size=512 * 1024)   # some corpus kernels place tiles above 192 KiB
    counts = {"rewritten": 0, "confirmed": 0, "racy original": 0, "cannot run": 0, "DIFFERENT": 0}
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
            functions = [None] + sorted({d["function"] for d in out.reports[0]["decisions"] if d["decision"] == "removed"})
            report = None
            for function in functions:
                opts = SimOptions(ub_size=options.ub_size, function=function)
                try:
                    report = simulate(path, rewritten, args.seeds, opts)
                    break
                except Exception:  # noqa: BLE001 - the interpreter cannot run this kernel this way
                    continue
            if report is None:
                counts["cannot run"] += 1
                continue
            options_used = opts
            if report.difference is None:
                counts["confirmed"] += 1
                removals += removed
                continue
            if simulate(path, path, args.seeds, options_used).difference is not None:
                counts["racy original"] += 1
                continue
            counts["DIFFERENT"] += 1
            print(f"DIFFERENT: {os.path.relpath(path, ROOT)}: {report.difference}")
    print(f"{len(files)} files, pattern {args.pattern}, {args.seeds} seeds, {time.time() - start:.0f} s: "
          + ", ".join(f"{k} {v}" for k, v in counts.items()) + f"; {removals} removals confirmed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
