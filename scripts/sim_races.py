"""Do `ptofix check` and `ptofix simulate` agree? For every race check reports on a corpus file the
simulator can run, look for an overlapped schedule of the original that shows it.

For each corpus C++ file (and the FA sample) with races, the original runs in program order and
overlapped (the schedule of each seed, as `simulate ORIGINAL ORIGINAL` does). A race (a pair of
statements) is

* shown:          on some seed the overlapped run differs from the in-order one (bytes, or data
                  flow) and the pair is among the steps it ran out of order;
* overlapped only: the pair ran out of order on some seed, but no seed's bytes or data flow
                  differ (the values cannot differ: e.g. two broadcasts of the same value);
* not reordered:  no seed ran the pair out of order (too far apart for the schedule's window, in
                  a loop iteration the inputs skip, or ordered by something check does not read).

Prints one line per race that is not shown and the totals. Asserts nothing.
Usage: python scripts/sim_races.py [--seeds N] [--verbose] [FILE...]
"""
from __future__ import annotations

import argparse
import glob
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def race_verdicts(path: str, seeds: int, options=None) -> list[tuple[str, tuple, str]] | None:
    """(kind, statement lines, verdict) for every race check reports in ``path``; None when the
    simulator cannot run the file (a PtofixError is raised for it)."""
    from ptofix.cpp.parser import parse_cpp
    from ptofix.cpp.races import find_races
    from ptofix.interpreter import recursion_headroom
    from ptofix.sim.runner import SimOptions, compare, compare_flow, run_kernel
    from ptofix.source import SourceText

    options = options or SimOptions(ub_size=512 * 1024)   # some corpus kernels place tiles above 192 KiB
    source = SourceText(open(path, encoding="utf-8", newline="").read(), path)
    model = parse_cpp(source)
    with recursion_headroom():
        races, _ = find_races(model)
    if not races:
        return []
    shown: set = set()
    overlapped: set = set()
    for seed in range(1, seeds + 1):
        ref = run_kernel(model, seed, None, options)
        cand = run_kernel(model, seed, seed, options)
        differs = (compare(ref, cand) or compare_flow(ref, cand)) is not None
        for hazard in cand.hazards:
            first = cand.table.info[hazard.first.stmt].line
            second = cand.table.info[hazard.second.stmt].line
            (shown if differs else overlapped).add((min(first, second), max(first, second)))
    out = []
    for race in races:
        lines = tuple(source.line_col(event.stmt.span.start)[0] for event in (race.earlier, race.later)
                      if event.stmt is not None)
        key = (min(lines), max(lines)) if len(lines) == 2 else None
        verdict = "shown" if key in shown else "overlapped only" if key in overlapped else "not reordered"
        out.append((race.hazard.kind, lines, verdict))
    return out


def main() -> int:
    sys.path.insert(0, ROOT)
    from ptofix.source import PtofixError

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--verbose", action="store_true", help="print every race and why a file cannot run")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    files = args.files or sorted(glob.glob(os.path.join(ROOT, "..", "shared", "corpus", "**", "*.cpp"),
                                           recursive=True))
    if not args.files:
        files.append(os.path.join(ROOT, "kernels", "flash_attention", "fa.cpp"))
    totals = {"files with races": 0, "files run": 0, "files confirmed": 0, "races": 0, "shown": 0,
              "overlapped only": 0, "not reordered": 0}
    start = time.time()
    for path in files:
        try:
            verdicts = race_verdicts(path, args.seeds)
        except PtofixError as exc:
            # (A file whose races check cannot read is skipped too: it has none to compare.)
            if args.verbose:
                print(f"cannot run: {exc.format().splitlines()[0]}")
            if "cannot simulate" in str(exc):
                totals["files with races"] += 1
            continue
        except Exception as exc:  # noqa: BLE001 - a simulator bug: printed, the sweep goes on
            print(f"INTERNAL ERROR: {os.path.relpath(path, ROOT)}: {type(exc).__name__}: {exc}")
            continue
        if not verdicts:
            continue
        totals["files with races"] += 1
        totals["files run"] += 1
        totals["files confirmed"] += all(verdict == "shown" for _, _, verdict in verdicts)
        for kind, lines, verdict in verdicts:
            totals["races"] += 1
            totals[verdict] += 1
            if args.verbose or verdict != "shown":
                print(f"{os.path.relpath(path, ROOT)}: {kind} lines {'/'.join(map(str, lines))}: {verdict}")
    print(f"{len(files)} files, {args.seeds} seeds, {time.time() - start:.0f} s: "
          + ", ".join(f"{k} {v}" for k, v in totals.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
