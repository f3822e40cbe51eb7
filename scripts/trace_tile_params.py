"""Judge ``run --pattern auto`` on functions whose parameters are tiles, with pto-isa's host cost-model
trace, under several placements of those tiles.

A tile parameter's UB address is whatever the caller assigned: any placement, two parameters at the
same bytes or overlapping ones included. The trace cannot run such a function by itself (no
``__global__`` entry), so for each placement this script appends a wrapper kernel to the file::

    __global__ AICORE void wrap_<name>(<the function's other parameters>) {
      <tile type> p0;
      TASSIGN(p0, (uint64_t) 0x10000);
      ...
      <name>(p0, ..., <the other parameters>);
    }

traces the input and ``auto``'s output with it (``ptofix.trace.check``, as scripts/trace_corpus.py
does) and reports the races the output has and the input has not (``new_races``): under any
placement, a wrong removal.

Placements of the vector (UB) tile parameters: ``disjoint`` (one after another from 0x10000),
``disjoint-at-0`` (from 0, over the function's own low tiles), ``same:pI=pJ`` (each pair of
parameters of one type at one address), and ``shift:pJ=pI+N`` (pJ at pI's address plus 32 bytes,
half a row and a row: a partial overlap). Other buffers' tiles (Mat, Left, Right, Acc...) stay at 0.
Scalar and pointer parameters become the wrapper's own (the trace gives scalars perf's default, 16,
unless --arg says otherwise).

    python3 scripts/trace_tile_params.py --pto-isa ../shared/pto-isa/f35e7f60 ../shared/corpus > tiles.tsv

One TSV line per (function, placement) traced (its races as shipped, the races auto adds, and
``reached``: how many of auto's removals in it the input's run issued, so judged on a path that
runs), and one per function not traced (status ``unchanged``: auto removes no barrier in it, so its
output runs the input's instructions in the input's order, or ``skipped`` with why); a summary on
stderr. Functions whose output equals the input are traced only
with --trace-unchanged (then under the disjoint placement: the wrapper builds and runs).
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ptofix.compile_settings import environment_of  # noqa: E402
from ptofix.frontends import parse_cpp  # noqa: E402
from ptofix.source import PtofixError, SourceText  # noqa: E402
from ptofix.trace.check import TraceOptions, new_races, toolchain, trace_texts  # noqa: E402
from ptofix.trace.reach import kernel_barrier_sites  # noqa: E402

COLUMNS = ("file", "function", "placement", "status", "barriers", "removed", "races", "added", "reached", "note")

# Bytes of an element of each dtype a ptoas tile names (pto-isa include/pto/common/type.hpp's types).
ELEMENT_BYTES = {"float": 4, "float32_t": 4, "int32_t": 4, "uint32_t": 4, "half": 2, "bfloat16_t": 2,
                 "float16_t": 2, "int16_t": 2, "uint16_t": 2, "int8_t": 1, "uint8_t": 1, "int64_t": 8,
                 "uint64_t": 8}
# `Tile<TileType::Vec, float, 16, 16, ...>` (pto-isa include/pto/common/pto_tile.hpp: location,
# element type, rows, columns first).
TILE = re.compile(r"\bTile\s*<\s*(?:pto::)?TileType::(\w+)\s*,\s*(\w+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,")
# Where the disjoint placement starts, and the UB bytes of A2/A3 (pto-isa's host model, 192 KiB).
DISJOINT_BASE = 0x10000
UB_BYTES = 0x30000
ALIGN = 32       # TASSIGN's UB alignment (32-byte blocks)


@dataclass(frozen=True)
class TileParam:
    index: int          # the parameter's position
    type_text: str      # the tile type as declared, without const or &
    space: str          # TileType: Vec is UB
    dtype: str
    rows: int
    cols: int

    @property
    def row_bytes(self) -> int:
        return self.cols * ELEMENT_BYTES[self.dtype]

    @property
    def size(self) -> int:
        return self.rows * self.row_bytes


@dataclass(frozen=True)
class OtherParam:
    index: int
    text: str           # its declaration, forwarded as the wrapper's own parameter


@dataclass(frozen=True)
class Candidate:
    name: str
    params: tuple[TileParam | OtherParam, ...]
    skip: str = ""      # why it cannot be wrapped ('' when it can)

    @property
    def tiles(self) -> list[TileParam]:
        return [p for p in self.params if isinstance(p, TileParam)]


def _tile_param(index: int, param: Any) -> TileParam | str | None:
    """The tile parameter ``param`` declares, None when it is no tile, or why it cannot be placed."""
    decl = param.declarator
    if decl is None or "Tile" not in param.words:
        return None
    found = TILE.search(param.text)
    if found is None:
        return f"parameter '{param.name}': a tile type this script does not read"
    if param.pointer:
        return f"parameter '{param.name}': a pointer to a tile"
    space, dtype, rows, cols = found.groups()
    if dtype not in ELEMENT_BYTES:
        return f"parameter '{param.name}': element type {dtype}"
    start = param.text.find("Tile", 0)
    head = param.text[:start]
    end = param.text.rfind(">") + 1
    type_text = (head.replace("const", "") + param.text[start:end]).strip()
    return TileParam(index, type_text, space, dtype, int(rows), int(cols))


def candidates(text: str, path: str, entries: bool = False) -> list[Candidate]:
    """The functions ``text`` defines with at least one tile parameter; with ``entries``, also (when
    the file defines no ``__global__`` function) each non-static, non-inline one without: a kernel
    entry the trace does not find by itself."""
    out = []
    functions = parse_cpp(SourceText(text, path)).functions
    entries = entries and not any(fn.is_entry for fn in functions)
    for fn in functions:
        params: list[TileParam | OtherParam] = []
        skip = ""
        for index, param in enumerate(fn.parameters):
            tile = _tile_param(index, param)
            if isinstance(tile, str):
                skip = skip or tile
            elif tile is not None:
                params.append(tile)
            elif param.declarator is None or not param.name:
                skip = skip or f"parameter {index + 1}: {param.unread or 'unnamed'}"
            else:
                params.append(OtherParam(index, param.text))
        if not any(isinstance(p, TileParam) for p in params) and not skip and \
                not (entries and not fn.static and "inline" not in fn.declaration.before_name_words):
            continue
        if fn.qualified or fn.namespace or fn.declaration.template_params != ():
            skip = skip or "a member, namespace-qualified or template function"
        if fn.is_entry:
            skip = skip or "a kernel entry (the trace runs it itself)"
        out.append(Candidate(fn.name, tuple(params), skip))
    return out


def _up(value: int, align: int = ALIGN) -> int:
    return -(-value // align) * align


def placements(tiles: list[TileParam]) -> list[tuple[str, dict[int, int]]]:
    """(label, address of each tile parameter by position) for each placement (module docstring)."""
    vector = [t for t in tiles if t.space == "Vec"]
    total = sum(_up(t.size, 512) for t in vector)
    base = DISJOINT_BASE if DISJOINT_BASE + total <= UB_BYTES else max(0, UB_BYTES - total)

    def packed(start: int) -> dict[int, int]:
        at, where = start, {}
        for tile in tiles:
            if tile.space != "Vec":
                where[tile.index] = 0
                continue
            where[tile.index] = at
            at += _up(tile.size, 512)
        return where

    disjoint = packed(base)
    out = [("disjoint", disjoint), ("disjoint-at-0", packed(0))]
    for i, first in enumerate(vector):
        for second in vector[i + 1:]:
            if first.type_text == second.type_text:
                out.append((f"same:p{second.index}=p{first.index}",
                            {**disjoint, second.index: disjoint[first.index]}))
    for first in vector:
        for second in vector:
            if first is second:
                continue
            shifts = sorted({ALIGN, first.row_bytes // 2 // ALIGN * ALIGN, first.row_bytes} - {0})
            for shift in shifts:
                if shift >= first.size:
                    continue
                out.append((f"shift:p{second.index}=p{first.index}+{shift}",
                            {**disjoint, second.index: disjoint[first.index] + shift}))
    return out


def wrapper(candidate: Candidate, where: dict[int, int], label: str = "") -> str:
    """The kernel that places the tile parameters at ``where`` and calls the function."""
    others = [p for p in candidate.params if isinstance(p, OtherParam)]
    lines = [f"// ptofix scripts/trace_tile_params.py: {label}" if label else "// ptofix scripts/trace_tile_params.py",
             f"__global__ AICORE void wrap_{candidate.name}({', '.join(p.text for p in others)}) {{"]
    arguments = []
    for param in candidate.params:
        if isinstance(param, TileParam):
            lines.append(f"  {param.type_text} p{param.index};")
            lines.append(f"  TASSIGN(p{param.index}, (uint64_t) 0x{where[param.index]:x});")
            arguments.append(f"p{param.index}")
        else:
            arguments.append(_forwarded_name(param.text))
    lines.append(f"  {candidate.name}({', '.join(arguments)});")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _forwarded_name(declaration: str) -> str:
    return re.findall(r"\w+", declaration.split("=", 1)[0])[-1]


def with_wrapper(text: str, candidate: Candidate, where: dict[int, int], label: str = "") -> str:
    """``text`` with the wrapper kernel appended. (ptoas 2026-08's `cache_line_t::SINGLE_CACHE_LINE`
    builds as it is: perf's shim, ptofix/perf/shim.hpp item 5, declares the enum.)"""
    return text.rstrip("\n") + "\n\n" + wrapper(candidate, where, label)


def auto_run(path: Path) -> tuple[str | None, dict[str, tuple[int, int, tuple[int, ...]]], str]:
    """``run --pattern auto`` 's output of ``path``, (barriers, removed, the removed ones' lines) of
    each function, and why the run failed ('' when it did not)."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "out.cpp"
        report = Path(scratch) / "report.json"
        done = subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", "-q", "--report", "json",
                               "--report-file", str(report), "-o", str(out), str(path)],
                              capture_output=True, text=True, errors="replace", check=False, cwd=REPO)
        if done.returncode != 0 or not out.is_file() or not report.is_file():
            return None, {}, (done.stderr.strip().splitlines() or ["run failed"])[-1]
        counts: dict[str, tuple[int, int, tuple[int, ...]]] = {}
        for entry in json.loads(report.read_text(encoding="utf-8"))["files"]:
            for done_pass in entry.get("passes", []):
                for decision in done_pass.get("decisions", []):
                    barriers, removed, lines = counts.get(decision["function"], (0, 0, ()))
                    gone = decision["decision"] == "removed"
                    counts[decision["function"]] = (barriers + 1, removed + gone,
                                                    lines + ((decision["line"],) if gone else ()))
        return out.read_text(encoding="utf-8"), counts, ""


def judge(path: Path, shown: str, candidate: Candidate, text: str, output: str, counts: tuple[int, int],
          options: TraceOptions, tools: Any, chosen: list[tuple[str, dict[int, int]]],
          removed_at: tuple[int, ...] = ()) -> list[dict[str, str]]:
    """One row per placement: the input's races, the races auto's output adds under it, and how many
    of the removed barriers (their lines in ``text``: ``removed_at``) the input's run issued."""
    function_options = TraceOptions(options.environment, options.args, f"wrap_{candidate.name}", options.cxx,
                                    options.cache_dir, options.timeout, options.jobs)
    inputs = {f"{path}#{label}": with_wrapper(text, candidate, where, label) for label, where in chosen}
    outputs = {f"{path}#{label} (auto)": with_wrapper(output, candidate, where, label) for label, where in chosen}
    before = trace_texts(inputs, function_options, tools)
    after = trace_texts(outputs, function_options, tools) if output != text else {}
    rows = []
    for label, _where in chosen:
        row = {"file": shown, "function": candidate.name, "placement": label, "status": "", "barriers": str(counts[0]),
               "removed": str(counts[1]), "races": "", "added": "", "reached": "", "note": ""}
        result = before[f"{path}#{label}"]
        if result.error is not None:
            row.update(status="error", note=result.error.format().splitlines()[0][:200])
        elif result.report["unverified"]:
            row.update(status="cannot-judge", note=result.report["unverified"][0]["why"][:200])
        else:
            row.update(status="traced", races=str(len(result.report["races"])))
            if result.recording is not None and removed_at:
                issued = {result.recording.sites[site].line for site in kernel_barrier_sites(result.recording)}
                row["reached"] = str(sum(line in issued for line in removed_at))
            if result.judgement is not None and not result.judgement.instructions:
                row.update(status="empty-run", note="no vector instruction in this run: nothing judged")
            elif not after:
                row["added"] = "0"
            else:
                later = after[f"{path}#{label} (auto)"]
                found = new_races(result, later) if later.error is None else f"auto: {later.error.format()[:150]}"
                if isinstance(found, str):
                    row.update(status="cannot-compare", note=found.splitlines()[0])
                else:
                    row["added"] = str(len(found))
                    if found:
                        row["status"] = "WRONG"
                        row["note"] = "; ".join(f"{race.kind} {race.earlier.name}->{race.later.name} "
                                                f"[0x{race.overlap[0]:x}, 0x{race.overlap[1]:x})"
                                                for race, _count in found[:3])
        rows.append(row)
    return rows


def measure(paths: list[Path], root: Path, options: TraceOptions, out: TextIO, trace_unchanged: bool,
            only: str | None = None, entries: bool = False) -> dict[str, int]:
    totals = {"functions": 0, "placements": 0, "barriers": 0, "removed": 0, "wrong": 0, "not-judged": 0}
    tools = None
    for path in paths:
        shown = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
        text = path.read_text(encoding="utf-8", errors="replace")
        if "Tile" not in text:
            continue
        try:
            found = [c for c in candidates(text, str(path), entries) if only in (None, c.name)]
        except PtofixError as error:
            print("\t".join((shown, "", "", "skipped", "", "", "", "", str(error).splitlines()[0][:200])), file=out)
            continue
        if not found:
            continue
        output, counts, why = auto_run(path)
        for candidate in found:
            totals["functions"] += 1
            barriers, removed, removed_at = counts.get(candidate.name, (0, 0, ()))
            totals["barriers"] += barriers
            totals["removed"] += removed
            base = {"file": shown, "function": candidate.name, "placement": "", "barriers": str(barriers),
                    "removed": str(removed), "races": "", "added": "", "reached": "", "note": ""}
            if candidate.skip or output is None:
                totals["not-judged"] += removed
                print("\t".join({**base, "status": "skipped", "note": candidate.skip or f"auto: {why}"}[c]
                                for c in COLUMNS), file=out, flush=True)
                continue
            if removed == 0 and not trace_unchanged:
                print("\t".join({**base, "status": "unchanged"}[c] for c in COLUMNS), file=out, flush=True)
                continue
            every = placements(candidate.tiles) if candidate.tiles else [("entry", {})]
            chosen = every if removed else every[:1]
            tools = tools or toolchain(options)
            for row in judge(path, shown, candidate, text, output if removed else text, (barriers, removed), options,
                             tools, chosen, removed_at):
                totals["placements"] += 1
                totals["wrong"] += row["status"] == "WRONG"
                if row["status"] not in ("traced", "WRONG") and removed:
                    totals["not-judged"] += 1
                print("\t".join(row[c] for c in COLUMNS), file=out, flush=True)
    return totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help="ptoas C++ files or folders (every *.cpp under them)")
    parser.add_argument("--pto-isa", required=True, help="the pto-isa checkout (e.g. ../shared/pto-isa/f35e7f60)")
    parser.add_argument("--arg", action="append", default=[], metavar="NAME=VALUE",
                        help="a scalar parameter's value (the wrapper forwards the function's own)")
    parser.add_argument("--function", help="only the functions of this name")
    parser.add_argument("--trace-unchanged", action="store_true",
                        help="trace (disjoint placement) the functions auto does not change too")
    parser.add_argument("--entries", action="store_true",
                        help="also the non-static functions of a file without a __global__ one (its kernel entry)")
    parser.add_argument("--jobs", type=int, default=1, help="compile jobs of a trace (default 1)")
    parser.add_argument("--wrapper", action="store_true",
                        help="print each candidate's wrapper under the disjoint placement and stop")
    args = parser.parse_args()
    files: list[tuple[Path, Path]] = []
    for given in map(Path, args.paths):
        if given.is_dir():
            files += [(p, given) for p in sorted(given.rglob("*.cpp"))]
        elif given.is_file():
            files.append((given, given.parent))
        else:
            parser.error(f"not a file or folder: {given}")
    if args.wrapper:
        for path, _root in files:
            text = path.read_text(encoding="utf-8", errors="replace")
            for candidate in candidates(text, str(path)):
                if args.function in (None, candidate.name) and not candidate.skip:
                    sys.stdout.write(wrapper(candidate, placements(candidate.tiles)[0][1], "disjoint"))
        return 0
    print("\t".join(COLUMNS), flush=True)
    totals: dict[str, int] = {}
    for root in dict.fromkeys(root for _path, root in files):
        # A corpus folder's own headers (real/include), as its kernels are compiled.
        includes = tuple(str(p) for p in [root / "include"] if p.is_dir())
        options = TraceOptions(environment_of(includes, (), args.pto_isa),
                               args=tuple(tuple(a.split("=", 1)) for a in args.arg),  # type: ignore[misc]
                               timeout=120.0, jobs=args.jobs)
        found = measure([p for p, r in files if r == root], root, options, sys.stdout, args.trace_unchanged,
                        args.function, args.entries)
        for key, value in found.items():
            totals[key] = totals.get(key, 0) + value
    print("functions {functions}, placements traced {placements}, barriers {barriers}, removed {removed}, "
          "wrong {wrong}, removals not judged {not-judged}".format(**totals), file=sys.stderr)
    return 1 if totals.get("wrong") else 0


if __name__ == "__main__":
    sys.exit(main())
