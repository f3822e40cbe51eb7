"""Running kernels in Perf-Sim and reading its numbers: total cycles (the physical core's
end-to-end time), each unit's busy cycles per pipe (``<op>_pipeline_summary.csv``), the swimlane
(``<op>.json``, Chrome trace events), and the change against the first kernel."""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..reports import document, json_text
from ..source import PtofixError, read_source
from ..tool_process import run_as_group as _run_as_group
from . import MAX_BLOCK_DIM
from .build import (
    BARRIER_MODELS,
    DEFAULT_TIMEOUT,
    MEMORY_LIMIT,
    EntryCall,
    Toolchain,
    compile_all,
    default_cache_dir,
    entry_call,
    find_compiler,
    link,
    plan_kernel,
    prepare_checkout,
    private_directory,
    prune_cache,
    verified_copy,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

OP_NAME = "ptofix_perf_kernel"     # the function main passes to LAUNCH_KERNEL: Perf-Sim's file names
_TOTAL = re.compile(r"^Total cycles\s*:\s*(\d+)", re.MULTILINE)
_STUCK = re.compile(r"^ptofix perf stuck entries: (\d+)", re.MULTILINE)
_INSTRUCTIONS = re.compile(r"^Instructions\s*:\s*(\d+)", re.MULTILINE)


@dataclass(frozen=True)
class PerfOptions:
    pto_isa: str
    cxx: str | None = None
    function: str | None = None
    args: tuple[tuple[str, str], ...] = ()
    block_dim: int = 1
    barrier_model: str = "pto-isa"
    cache_dir: Path | None = None
    timeout: float = DEFAULT_TIMEOUT   # each compile, link and Perf-Sim run
    jobs: int = 2
    keep_swimlane: bool = False        # keep the swimlane events (the HTML timeline)
    progress: Callable[[str], None] | None = None   # told one line per stage (a build, each run)


@dataclass
class PerfResult:
    path: str
    total_cycles: int
    instructions: int
    units: list[dict[str, int | str]]            # the pipeline summary's rows (AIC, AIV0, AIV1 per core)
    vec_busy: int
    cube_busy: int
    arguments: dict[str, str]
    notes: list[str] = field(default_factory=list)
    build_seconds: float = 0.0
    run_seconds: float = 0.0
    cached: bool = False
    swimlane: list[dict] = field(default_factory=list)
    vec_critical: int = 0       # the longest vector unit's (AIV) span, first to last busy cycle
    # With keep_swimlane: each pipe_barrier the kernel executed, (core, sub-block, Perf-Sim's sequence
    # number, pipe, kernel line), in execution order (shim.hpp item 4).
    barriers: list[tuple[int, int, int, int, int]] = field(default_factory=list)

    def change_against(self, first: PerfResult) -> float:
        return 0.0 if first.total_cycles == 0 else (self.total_cycles - first.total_cycles) / first.total_cycles

    def vec_critical_change_against(self, first: PerfResult) -> float:
        return 0.0 if first.vec_critical == 0 else (self.vec_critical - first.vec_critical) / first.vec_critical


# What the total is, said with every report: pto-isa f35e7f60's LAUNCH_KERNEL (include/pto/costmodel/
# perf_sim/launch.hpp) records each core's cube and vector halves, and the reporter
# (perf_sim/reporter_core_impl.inl, DropCrossCoreSync) drops the cross-core waits before it schedules them.
MODEL_NOTE = ("Perf-Sim runs the vector half after the whole cube half (it does not overlap them; the "
              "vector-to-cube TPOP wait is dropped), so the total is not the NPU's overlapped time; VEC critical "
              "is the longest vector unit's span in Perf-Sim's pipeline summary, first to last busy cycle of its "
              "MTE2, VEC and MTE3 pipes")


def scalar_value(text: str) -> str:
    """A ``--arg`` value as the program reads it (strtoll base 0, or strtod): an integer (decimal,
    0x hex), true/false, or a decimal number; anything else is an error."""
    spelled = text.strip().lower()
    if spelled in ("true", "false"):
        return "1" if spelled == "true" else "0"
    try:
        return str(int(spelled, 0))
    except ValueError:
        pass
    try:
        return repr(float(spelled))
    except ValueError:
        raise PtofixError(f"--arg value '{text}' is not a number (an integer, 0x..., true/false or a decimal)") \
            from None


def typed_value(path: str, call: EntryCall, name: str, type_name: str, text: str) -> str:
    """``text`` as the value the parameter ``name`` of type ``type_name`` takes, checked as `simulate`
    checks it (sim.runner.scalar_arg: an integer of the parameter's range, or a number for a
    floating type; one implementation): a value the type cannot hold is an error, never wrapped
    (strtoll and static_cast would run 4294967299 as 3, 1.9 as 1). The text the program reads."""
    from ..sim.interp import CTYPE  # (with numpy: ~0.1 s, only for a perf run)
    from ..sim.runner import scalar_arg
    ctype = CTYPE.get(type_name)
    if ctype is None:
        raise PtofixError(f"{call.place(name, path)}: error: parameter '{name}' of '{call.name}' has type "
                          f"'{type_name}': the run passes a value only to an integer, bool or floating "
                          f"parameter, or value-initialises one of pto's structs an op stores into "
                          f"(MrgSortExecutedNumList)", plain=True)
    try:
        value = scalar_arg(text, ctype)
    except PtofixError as exc:
        raise PtofixError(f"{path}: {exc} (parameter '{name}' of '{call.name}')") from None
    return repr(float(value.v)) if ctype[0] == "f" else str(int(value.v))


def scalar_arguments(path: str, call: EntryCall, given: dict[str, str]) -> tuple[list[str], dict[str, str], list[str]]:
    values: list[str] = []
    shown: dict[str, str] = {}
    defaulted: list[str] = []
    types = call.types or ("",) * len(call.parameters)
    for index, (name, pointer, type_name) in enumerate(zip(call.parameters, call.pointers, types, strict=True)):
        if pointer:
            continue
        if call.aggregate(index):
            if name in given:
                raise PtofixError(f"{call.place(name, path)}: error: --arg {name}: parameter '{name}' of "
                                  f"'{call.name}' has type '{type_name}', which the run value-initialises "
                                  f"(its counts 0); it takes no value", plain=True)
            shown[name] = f"{type_name}{{}}"
            continue
        if name in given:
            value = given[name]
        else:
            value = "16"            # as `simulate` defaults an integer scalar
            defaulted.append(name)
        value = typed_value(path, call, name, type_name, value)
        values.append(value)
        shown[name] = value
    notes = [f"{path}: note: scalar parameter{'s' if len(defaulted) > 1 else ''} {', '.join(defaulted)} "
             f"of '{call.name}' not given: 16 (--arg NAME=VALUE)"] if defaulted else []
    return values, shown, notes


def _unknown_arguments(calls: dict[str, EntryCall], given: dict[str, str]) -> None:
    for name in given:
        if not any(name in call.parameters for call in calls.values()):
            kernels = ", ".join(f"'{c.name}' ({', '.join(c.parameters) or 'none'})" for c in calls.values())
            raise PtofixError(f"--arg {name}: no parameter of that name in {kernels}")


def toolchain(options: PerfOptions) -> Toolchain:
    if options.barrier_model not in BARRIER_MODELS:
        raise PtofixError(f"--barrier-model {options.barrier_model}: expected one of {', '.join(BARRIER_MODELS)}")
    if not 1 <= options.block_dim <= MAX_BLOCK_DIM:
        raise PtofixError(f"--block-dim {options.block_dim}: must be between 1 and {MAX_BLOCK_DIM}")
    cxx, identity = find_compiler(options.cxx)
    cache = Path(os.path.abspath(options.cache_dir or default_cache_dir()))
    private_directory(cache)
    include, key = prepare_checkout(options.pto_isa, cache, options.timeout)
    prune_cache(cache, keep=(include.parent,))
    return Toolchain(cxx, identity, include, key, cache, options.barrier_model, options.jobs, options.timeout)


def measure(paths: list[str], options: PerfOptions) -> list[PerfResult]:
    """Build every kernel (in parallel, cached), then run each; the first failure is raised."""
    # (read_source: the one reader of inputs, at most source.MAX_INPUT_BYTES; /dev/zero is refused)
    texts = {path: read_source(path).text for path in paths}
    calls = {path: entry_call(path, text, options.function) for path, text in texts.items()}
    given = dict(options.args)
    for value in given.values():
        scalar_value(value)     # (its form: an error before the kernels' types are known)
    _unknown_arguments(calls, given)
    for path in paths:          # (every value checked against its type before anything is built)
        scalar_arguments(path, calls[path], given)
    tell = options.progress or (lambda _line: None)
    tools = toolchain(options)
    start = time.monotonic()
    builds = {path: plan_kernel(tools, path, texts[path], calls[path]) for path in paths}
    jobs = [job for build in builds.values() for job in build.jobs]
    if jobs:
        tell(f"ptofix perf: compiling {len(jobs)} unit{'s' if len(jobs) > 1 else ''} for Perf-Sim "
             f"({tools.jobs} at a time; cached afterwards)")
    failures = compile_all(tools, jobs)
    if jobs:
        tell(f"ptofix perf: compiled in {time.monotonic() - start:.0f} s")
    for path in [*paths, "<perf main>"]:
        if path in failures:
            raise failures[path]
    results = []
    for path in paths:
        build = builds[path]
        link(tools, build.binary, build.objects)
        values, shown, notes = scalar_arguments(path, calls[path], given)
        tell(f"ptofix perf: running {path} in Perf-Sim")
        result = run_binary(path, build.binary, options, values)
        tell(f"ptofix perf: {path}: {result.total_cycles:,} cycles in {result.run_seconds:.0f} s")
        result.arguments = shown
        result.notes = notes + result.notes
        result.cached = not build.jobs
        result.build_seconds = time.monotonic() - start
        results.append(result)
    return results


def run_binary(path: str, binary: Path, options: PerfOptions, values: list[str]) -> PerfResult:
    """Run one built kernel in a scratch directory (Perf-Sim writes ./perf_sim_output/) and read it."""
    work = Path(tempfile.mkdtemp(prefix="ptofix-perf-run-"))
    try:
        program = work / "perf"
        verified_copy(binary, program)       # (the bytes checked are the bytes run)
        start = time.monotonic()
        try:
            done = _run_as_group([str(program), str(options.block_dim), *values], timeout=options.timeout,
                                 cwd=str(work), memory_limit=MEMORY_LIMIT)
        except subprocess.TimeoutExpired:
            raise PtofixError(f"{path}: error: Perf-Sim did not finish within {options.timeout:g} s", plain=True) \
                from None
        seconds = time.monotonic() - start
        stdout = done.stdout.decode("utf-8", "replace")
        stderr = done.stderr.decode("utf-8", "replace")
        if done.returncode != 0:
            why = (stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
            raise PtofixError(f"{path}: error: the Perf-Sim run failed (status {done.returncode}): {why}",
                              plain=True)
        result = read_outputs(path, work / "perf_sim_output", stdout, stderr, seconds, options.keep_swimlane)
        if options.keep_swimlane:
            result.barriers = _read_barriers(path, work / BARRIER_RECORD)
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def read_outputs(path: str, outputs: Path, stdout: str, stderr: str, seconds: float,
                  keep_swimlane: bool) -> PerfResult:
    total = _TOTAL.search(stdout)
    instructions = _INSTRUCTIONS.search(stdout)
    if total is None or instructions is None:
        raise PtofixError(f"{path}: error: Perf-Sim printed no report (is launch.hpp's LAUNCH_KERNEL "
                          f"the one this checkout ships?)", plain=True)
    stuck = _STUCK.search(stdout)
    if stuck is not None and int(stuck.group(1)) > 0:
        raise PtofixError(f"{path}: error: Perf-Sim could not schedule {stuck.group(1)} entries (a wait that no "
                          f"signal meets: the kernel deadlocks in the model), so its total is no time", plain=True)
    if int(instructions.group(1)) == 0:
        raise PtofixError(f"{path}: error: Perf-Sim recorded no PTO instruction: the entry runs no PTO op "
                          f"under __DAV_CUBE__ or __DAV_VEC__", plain=True)
    try:
        with open(outputs / f"{OP_NAME}_pipeline_summary.csv", encoding="utf-8", newline="") as stream:
            rows = [{k: (int(v) if v.isdigit() else v) for k, v in row.items()} for row in csv.DictReader(stream)]
    except OSError as exc:
        raise PtofixError(f"{path}: error: Perf-Sim wrote no pipeline summary: {exc.strerror}", plain=True) \
            from None
    missing = [c for c in ("unit", "active_cycles", "vec_cycles", "cube_cycles") if rows and c not in rows[0]]
    if missing:
        raise PtofixError(f"{path}: error: Perf-Sim's pipeline summary has no {', '.join(missing)} column (is this "
                          f"checkout's reporter the one perf reads?)", plain=True)
    vec = sum(int(row["vec_cycles"]) for row in rows if str(row["unit"]).startswith("AIV"))
    cube = sum(int(row["cube_cycles"]) for row in rows if row["unit"] == "AIC")
    swimlane: list[dict] = []
    if keep_swimlane:
        try:
            events = json.loads((outputs / f"{OP_NAME}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise PtofixError(f"{path}: error: cannot read Perf-Sim's swimlane JSON: {exc}", plain=True) from None
        swimlane = [e for e in events if isinstance(e, dict) and e.get("ph") == "X"]
    critical = max((int(row["active_cycles"]) for row in rows if str(row["unit"]).startswith("AIV")), default=0)
    return PerfResult(path, int(total.group(1)), int(instructions.group(1)), rows, vec, cube, {},
                      _model_notes(path, stderr), run_seconds=seconds, swimlane=swimlane, vec_critical=critical)


BARRIER_RECORD = "ptofix_perf_barriers.txt"     # written by shim.hpp's ptofix_perf_note_barrier


def _read_barriers(path: str, record: Path) -> list[tuple[int, int, int, int, int]]:
    """The kernel's barriers as the run recorded them (none: no file)."""
    try:
        text = record.read_text(encoding="ascii")
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise PtofixError(f"{path}: error: cannot read the run's barrier record: {exc}", plain=True) from None
    out: list[tuple[int, int, int, int, int]] = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) != 5 or not all(f.isdigit() for f in fields):
            raise PtofixError(f"{path}: error: the run's barrier record has a malformed line: {line[:80]!r}",
                              plain=True)
        core, sub, seq, pipe, at = (int(f) for f in fields)
        out.append((core, sub, seq, pipe, at))
    return out


_FALLBACK = re.compile(r"fallback to 0 cycles: [^,]*, (op=\w+)")


def _model_notes(path: str, stderr: str) -> list[str]:
    """Perf-Sim's warnings, one note per kind: an op its formula could not cost counts 0 cycles."""
    counts: dict[str, int] = {}
    other: list[str] = []
    for line in stderr.splitlines():
        found = _FALLBACK.search(line)
        if found:
            counts[found.group(1)] = counts.get(found.group(1), 0) + 1
        elif line.startswith("[WARN]") and line not in other:
            other.append(line)
    notes = [f"{path}: note: Perf-Sim costed {n} {op[3:]} instruction{'s' if n > 1 else ''} at 0 cycles "
             f"(no formula for its shape)" for op, n in sorted(counts.items())]
    return notes + [f"{path}: note: Perf-Sim: {line}" for line in other[:5]]


def format_text(results: list[PerfResult]) -> str:
    lines = []
    first = results[0]
    for result in results:
        change = "reference" if result is first else f"{100 * result.change_against(first):+.1f}%"
        critical = "" if result is first else f" ({100 * result.vec_critical_change_against(first):+.1f}%)"
        lines.append(f"{result.path}: {result.total_cycles:,} cycles ({change}), VEC critical "
                     f"{result.vec_critical:,}{critical}, VEC busy {result.vec_busy:,}, CUBE busy {result.cube_busy:,}")
    lines.append(f"note: {MODEL_NOTE}")
    return "\n".join(lines) + "\n"


def format_json(results: list[PerfResult], options: PerfOptions) -> str:
    first = results[0]
    return json_text(document([{
        "file": r.path, "total_cycles": r.total_cycles, "vec_critical": r.vec_critical, "vec_busy": r.vec_busy,
        "cube_busy": r.cube_busy, "change": round(r.change_against(first), 6),
        "vec_critical_change": round(r.vec_critical_change_against(first), 6), "instructions": r.instructions,
        "arguments": r.arguments, "units": r.units, "cached": r.cached,
        "run_seconds": round(r.run_seconds, 3)} for r in results],
        pto_isa=options.pto_isa, block_dim=options.block_dim, barrier_model=options.barrier_model,
        model_note=MODEL_NOTE))
