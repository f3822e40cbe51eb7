"""Measure ``check --trace`` on a corpus of ptoas C++: which kernels build and run under pto-isa's
host cost model, the trace races each has as shipped, whether ``run --pattern auto`` adds a trace
race, and the reach gap (kernel barriers auto keeps that the trace shows separating no conflicting
pair), per folder.

    python3 scripts/trace_corpus.py --pto-isa ../shared/pto-isa/f35e7f60 ../shared/corpus > trace.tsv
    python3 scripts/trace_corpus.py --summary trace.tsv
    python3 scripts/trace_corpus.py --pto-isa ../shared/pto-isa/f35e7f60 ../shared/corpus/ptoas-v0.45 \
        --only samples/Addc/addc.pto.cpp    # just these kernels (the file column's paths), to update their lines

One TSV line per kernel (resumable with --skip-done FILE): folder, file, status (built: traced;
build-error, run-error, cannot-judge), races as shipped, races auto adds, barriers auto keeps that
the run issues, of those the ones the trace shows unneeded, and a note. Scalar parameters take
perf's default (16) unless --arg gives them.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ptofix.compile_settings import environment_of  # noqa: E402
from ptofix.source import PtofixError  # noqa: E402
from ptofix.trace.check import TraceOptions, new_races, toolchain, trace_texts  # noqa: E402
from ptofix.trace.judge import TraceRace  # noqa: E402
from ptofix.trace.reach import kernel_barrier_sites, unneeded_barriers  # noqa: E402

COLUMNS = ("folder", "file", "status", "races", "auto_added", "kept", "unneeded", "note")


def same_access_chain(race: TraceRace) -> bool:
    """A RAW pair whose later instruction reads exactly the bytes the earlier wrote (PTOAS #674's
    same-access chain, which the proof credits only under ``--same-access-chains`` and the vendor's
    rule never does)."""
    writes = [a.ranges for a in race.earlier.accesses if a.write]
    reads = [a.ranges for a in race.later.accesses if not a.write]
    return race.kind == "RAW" and any(w == r for w in writes for r in reads)


def folder_of(path: Path, root: Path) -> str:
    parts = path.relative_to(root).parts
    return parts[0] if len(parts) > 1 else "."


def auto_output(path: Path, flags: tuple[str, ...] = ()) -> tuple[str | None, str]:
    """``run --pattern auto`` 's output of ``path`` (under the default race model unless ``flags``
    say otherwise, e.g. ``--same-access-chains``), or None and why it failed."""
    done = subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", *flags, "-q", str(path)],
                          capture_output=True, text=True, errors="replace", check=False, cwd=REPO)
    if done.returncode != 0:
        return None, (done.stderr.strip().splitlines() or ["run failed"])[-1]
    return done.stdout, ""


def measure(paths: list[Path], root: Path, options: TraceOptions, out) -> None:
    tools = toolchain(options)
    for path in paths:
        row = {"folder": folder_of(path, root), "file": str(path.relative_to(root)), "status": "", "races": "",
               "auto_added": "", "kept": "", "unneeded": "", "note": ""}
        try:
            text = path.read_text(encoding="utf-8")
            result = trace_texts({str(path): text}, options, tools)[str(path)]
        except (PtofixError, UnicodeDecodeError) as error:
            row.update(status="build-error", note=str(error).splitlines()[0][:200])
            print("\t".join(row[c] for c in COLUMNS), file=out, flush=True)
            continue
        if result.error is not None:
            message = result.error.format().splitlines()[0]
            row.update(status="run-error" if "run" in message and "build" not in message else "build-error",
                       note=message[:200])
        elif result.report["unverified"]:
            row.update(status="cannot-judge", note=result.report["unverified"][0]["why"][:200])
        else:
            row.update(status="built", races=str(len(result.report["races"])))
            if result.judgement is not None and not result.judgement.instructions:
                row["note"] = "no vector instruction in this run"
            output, why = auto_output(path)
            final = result
            if output is None:
                row["note"] = f"auto: {why[:150]}"
            elif output != text:
                after = trace_texts({str(path) + " (auto)": output}, options, tools)[str(path) + " (auto)"]
                found = new_races(result, after)
                if isinstance(found, str):
                    row["note"] = f"auto: {found}"
                else:
                    row["auto_added"] = str(len(found))
                    if found:
                        chains = sum(same_access_chain(race) for race, _count in found)
                        row["note"] = f"same-access chains: {chains} of {len(found)}; " + "; ".join(
                            f"{race.kind} {race.earlier.name}->{race.later.name}" for race, _count in found[:3])
                    final = after
            else:
                row["auto_added"] = "0"
            if final.recording is not None:
                row["kept"] = str(len(kernel_barrier_sites(final.recording)))
                row["unneeded"] = str(len(unneeded_barriers(final.recording)))
        print("\t".join(row[c] for c in COLUMNS), file=out, flush=True)


def read_table(path: Path) -> list[dict[str, str]]:
    """The rows of this script's output, or of tests/trace_corpus.tsv (its lines of several corpora,
    each with a first ``corpus`` column: a row's folder is then ``corpus/folder``)."""
    lines = [line.rstrip("\n") for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    columns = ("corpus", *COLUMNS) if lines and lines[0].startswith("corpus\t") else COLUMNS
    rows = [dict(zip(columns, line.split("\t"), strict=False)) for line in lines
            if not line.startswith(("folder\t", "corpus\t"))]
    for row in rows:
        if "corpus" in row:
            row["folder"] = row["corpus"] if row["folder"] == "." else f"{row['corpus']}/{row['folder']}"
    return rows


def summary(rows: list[dict[str, str]]) -> str:
    folders = sorted({row["folder"] for row in rows})
    lines = ["folder\tkernels\tbuilt\tcannot-judge\traces-as-shipped\tkernels-with-races\tauto-added\tkept\tunneeded"]
    for folder in [*folders, "all"]:
        chosen = [row for row in rows if folder in ("all", row["folder"])]
        built = [row for row in chosen if row["status"] == "built"]
        lines.append("\t".join(str(value) for value in (
            folder, len(chosen), len(built), sum(row["status"] == "cannot-judge" for row in chosen),
            sum(int(row["races"] or 0) for row in built), sum(int(row["races"] or 0) > 0 for row in built),
            sum(int(row["auto_added"] or 0) for row in built), sum(int(row["kept"] or 0) for row in built),
            sum(int(row["unneeded"] or 0) for row in built))))
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", help="a folder of ptoas C++ (every *.cpp under it)")
    parser.add_argument("--pto-isa", help="the pto-isa checkout (e.g. ../shared/pto-isa/f35e7f60)")
    parser.add_argument("--arg", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--skip-done", metavar="TSV", help="leave out the files this earlier output lists")
    parser.add_argument("--summary", metavar="TSV", help="print the per-folder numbers of an earlier output")
    parser.add_argument("--only", nargs="+", metavar="FILE", help="measure just these kernels (paths under the corpus "
                        "folder, as the table's file column gives them) and print their lines under the header")
    parser.add_argument("--rerun", metavar="TSV", help="measure again the kernels of this earlier output that did not "
                        "build, run or judge (or whose added races are not classified), and print the whole table")
    args = parser.parse_args()
    if args.summary:
        sys.stdout.write(summary(read_table(Path(args.summary))))
        return 0
    if not args.corpus or not args.pto_isa:
        parser.error("a corpus folder and --pto-isa are needed")
    root = Path(args.corpus)
    # A corpus folder's own headers (real/include: tensor.h, intrinsic.h), as its kernels are compiled.
    includes = tuple(str(p) for p in [root / "include"] if p.is_dir())
    environment = environment_of(includes, (), args.pto_isa)      # (the checkout's one home)
    if args.rerun:
        lines = Path(args.rerun).read_text(encoding="utf-8").splitlines()
        def redo(line: str) -> bool:
            fields = line.split("\t")
            return fields[2] != "built" or (fields[4] not in ("", "0") and "same-access" not in fields[7])
        kept = [line for line in lines[1:] if not redo(line)]
        again = [root / line.split("\t")[1] for line in lines[1:] if redo(line)]
        print("\t".join(COLUMNS), flush=True)
        for line in kept:
            print(line, flush=True)
        measure(again, root, TraceOptions(environment, timeout=120.0), sys.stdout)
        return 0
    if args.only:
        missing = [name for name in args.only if not (root / name).is_file()]
        if missing:
            parser.error(f"not a file under {root}: {', '.join(missing)}")
        print("\t".join(COLUMNS), flush=True)
        measure([root / name for name in args.only], root,
                TraceOptions(environment, args=tuple(tuple(a.split("=", 1)) for a in args.arg),  # type: ignore[arg-type]
                             timeout=120.0), sys.stdout)
        return 0
    done: set[str] = set()
    if args.skip_done and Path(args.skip_done).is_file():
        done = {line.split("\t")[1] for line in Path(args.skip_done).read_text().splitlines() if "\t" in line}
    paths = [p for p in sorted(root.rglob("*.cpp")) if str(p.relative_to(root)) not in done]
    pairs = tuple(tuple(a.split("=", 1)) for a in args.arg)
    options = TraceOptions(environment, args=pairs, timeout=120.0)  # type: ignore[arg-type]
    if not done:
        print("\t".join(COLUMNS), flush=True)
    measure(paths, root, options, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
