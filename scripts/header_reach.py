"""Removals of `run --pattern auto` per corpus folder, without and with include directories.

    python scripts/header_reach.py [CORPUS_DIR] [-I DIR ...] [--per-file] [--causes] [--one-by-one]

For each folder of CORPUS_DIR (default: ../shared/corpus beside the repository) prints the
PIPE_V barriers, those removed without -I and those removed with the given include directories
(default: CORPUS_DIR/real/include), and the files whose include keeps the whole file unmodelled
(the first reason); with --causes, the barriers kept with -I by the kind of their cause (`overlap`:
a dependence the proof sees, `conflict`: removable alone but needed once other removals are made,
`unmodelled`: the function is not modelled, `past-ub`, ...); with
--one-by-one, also the barriers the proof removes one at a time, every other barrier in place (an
upper bound of what any combination of removals reaches: removals interact, and `auto` keeps a
barrier that another removal made needed).
Numbers only: nothing is written.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from ptofix.compile_env import NO_COMMAND_LINE, CompileEnvironment  # noqa: E402
from ptofix.frontends import parse_cpp  # noqa: E402
from ptofix.pass_manager import get_pass_class  # noqa: E402
from ptofix.source import PtofixError, SourceText  # noqa: E402


def removals(path: str, kept: Counter[str] | None = None,
             environment: CompileEnvironment = NO_COMMAND_LINE) -> tuple[int, int, str]:
    """(barriers, removed, why the file is unmodelled or '') of one file; counts the kept barriers
    by the kind of their cause into ``kept``."""
    from ptofix.cpp.semantics import FileContext
    with open(path, encoding="utf-8", newline="") as handle:
        text = handle.read()
    try:
        model = parse_cpp(SourceText(text, path), environment)
    except PtofixError:
        return 0, 0, "not parsed"
    result = get_pass_class("pipe-v-barrier")(pattern=("auto",)).apply(model, model.source)
    why = FileContext(model).unmodelled if result.report["barriers"] else ""
    for decision in result.report["decisions"] if kept is not None else ():
        if decision["decision"] == "kept":
            kept[decision["cause"]["kind"]] += 1
    return result.report["barriers"], result.report["removed"], why


def one_by_one(path: str, environment: CompileEnvironment) -> int:
    """The barriers of one file the proof removes each on its own, all other barriers in place."""
    from ptofix.cpp.barriers import BarrierAnalysis
    with open(path, encoding="utf-8", newline="") as handle:
        text = handle.read()
    try:
        model = parse_cpp(SourceText(text, path), environment)
    except PtofixError:
        return 0
    return sum(1 for d in BarrierAnalysis(model).run({"auto"}, independent=True) if d.removed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=os.path.join(os.path.dirname(ROOT), "shared", "corpus"))
    parser.add_argument("-I", dest="include_dirs", action="append", metavar="DIR")
    parser.add_argument("--per-file", action="store_true")
    parser.add_argument("--causes", action="store_true", help="the kept barriers by the kind of their cause")
    parser.add_argument("--one-by-one", action="store_true",
                        help="also count the barriers removable one at a time (with -I)")
    args = parser.parse_args()
    include = CompileEnvironment(tuple(args.include_dirs or [os.path.join(args.corpus, "real", "include")]))
    for folder in sorted(os.listdir(args.corpus)):
        files = sorted(os.path.join(dirpath, name) for dirpath, _, names in os.walk(os.path.join(args.corpus, folder))
                       for name in names if name.endswith(".cpp"))
        if not files:
            continue
        totals = [0, 0, 0]
        alone = 0
        causes: Counter[str] = Counter()
        kept: Counter[str] = Counter()
        for path in files:
            barriers, without, _ = removals(path)
            _, with_include, why = removals(path, kept, include)
            if args.one_by_one:
                alone += one_by_one(path, include)
            totals[0] += barriers
            totals[1] += without
            totals[2] += with_include
            if why:
                causes[re.sub(r"^\S+:\d+:\d+: ", "", why)[:110]] += barriers
            if args.per_file:
                print(f"  {os.path.relpath(path, args.corpus)}: {barriers} barriers, removed {without} without -I, "
                      f"{with_include} with -I{'; unmodelled: ' + why if why else ''}")
        print(f"{folder}: {len(files)} files, {totals[0]} PIPE_V barriers, removed {totals[1]} without -I, "
              f"{totals[2]} with -I {' '.join(include.include_dirs)}")
        if args.one_by_one:
            print(f"    removable one at a time with -I: {alone}")
        for cause, count in causes.most_common(5):
            print(f"    unmodelled ({count} barriers): {cause}")
        if args.causes and kept:
            print("    kept with -I: " + ", ".join(f"{count} {kind}" for kind, count in kept.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
