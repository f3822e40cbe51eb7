"""``check --trace`` and ``run --verify-trace`` on recorded streams: diagnostics and reports in
``check``'s shapes (ptofix/commands/check.py, ptofix/sarif.py)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..compile_env import CompileEnvironment
from ..located import DiagnosticLine, Place
from ..perf.build import Toolchain, default_cache_dir, find_compiler, prepare_checkout
from ..perf.measure import scalar_value
from ..source import PtofixError
from .cross_pipe import SCALAR_READ, SCALAR_WRITE, judge_streams
from .instrument import SCALAR_CALLS, CallSite
from .judge import Instruction, Judgement, TraceRace
from .record import SCALAR_ACCESS, SCALAR_UNWATCHED, Recording, record


@dataclass(frozen=True)
class TraceOptions:
    # The command line's compile settings (commands/arguments.compile_environment), the one value
    # the analysis reads too: the build compiles with its compiler_flags(), against its pto-isa
    # checkout (``environment.pto_isa``, the setting's one home).
    environment: CompileEnvironment
    args: tuple[tuple[str, str], ...] = ()
    function: str | None = None
    cxx: str | None = None
    cache_dir: Path | None = None
    timeout: float = 600.0
    jobs: int = 2


@dataclass
class TraceResult:
    path: str
    report: dict[str, Any]
    lines: list[str]                         # warnings and notes, check's format
    notes: list[str] = field(default_factory=list)    # what the run assumed (stderr)
    judgement: Judgement | None = None
    recording: Recording | None = None
    error: PtofixError | None = None         # the kernel does not build or run


def toolchain(options: TraceOptions) -> Toolchain:
    cxx, identity = find_compiler(options.cxx)
    cache = options.cache_dir or default_cache_dir()
    include, key = prepare_checkout(options.environment.pto_isa, cache)
    return Toolchain(cxx, identity, include, key, cache, "pto-isa", options.jobs)


def trace_texts(texts: dict[str, str], options: TraceOptions,
                tools: Toolchain | None = None) -> dict[str, TraceResult]:
    """Build, run and judge each kernel (``texts``: its text by the name diagnostics give it)."""
    tools = tools or toolchain(options)
    given = {name: scalar_value(value) for name, value in options.args}
    recordings = record(list(texts), texts, tools, given, options.function, options.environment.compiler_flags(),
                        options.timeout)
    out = {}
    for path, recorded in recordings.items():
        if isinstance(recorded, PtofixError):
            out[path] = TraceResult(path, _empty_report(path), [], error=recorded)
            continue
        out[path] = result_of(recorded)
    return out


def _empty_report(path: str) -> dict[str, Any]:
    return {"file": path, "races": [], "by_kind": {}, "by_category": {}, "unverified": [], "placements": [],
            "trace": True}


def _where(recording: Recording, site: int) -> Place:
    if 0 <= site < len(recording.sites):
        found = recording.sites[site]
        return Place(recording.path, found.line, found.column)
    return Place(recording.path, 1, 1)


def _site(recording: Recording, site: int) -> CallSite | None:
    return recording.sites[site] if 0 <= site < len(recording.sites) else None


def _op(recording: Recording, site: int) -> str:
    found = _site(recording, site)
    return found.name if found is not None else recording.entry


def _bytes(overlap: tuple[int, int]) -> str:
    return f"[0x{overlap[0]:x}, 0x{overlap[1]:x})"


# The category of a trace race between an MTE copy and an access on another pipe (the JSON race's
# "category", SARIF's rule pipe-race-cross-pipe, the summary's count); the static check has none.
CROSS_PIPE = "cross-pipe"

def _who(recording: Recording, instruction: Instruction) -> str:
    """Who issued ``instruction``: ``TEXPANDS's vector_dup``; a scalar access, ``GetValue's scalar
    read`` when a tile's GetValue or SetValue made it, else ``a scalar read in or after TCI`` (the
    last call the copy marks before it: the op whose scalar loop it is, or the kernel's own code
    after that call)."""
    op = _op(recording, instruction.site)
    if in_or_after(recording, instruction):
        return f"a {instruction.name} in or after {op}"
    return f"{op}'s {instruction.name}"


def in_or_after(recording: Recording, instruction: Instruction) -> bool:
    """Whether ``instruction`` is a scalar access placed at the last call marked before it, which it
    may follow rather than belong to (the JSON race side's ``"in_or_after"``)."""
    return instruction.name in (SCALAR_READ, SCALAR_WRITE) and _op(recording, instruction.site) not in SCALAR_CALLS


VERBS = {"RAW": ("reads", "wrote", "writes"), "WAR": ("writes", "read", "reads"), "WAW": ("writes", "wrote", "writes")}


def describe(recording: Recording, race: TraceRace, occurrences: int) -> tuple[DiagnosticLine, DiagnosticLine]:
    """(warning at the later call, note at the earlier one), each keeping its place and text (sarif.py)."""
    later_verb, earlier_verb, earlier_present = VERBS[race.kind]
    earlier_site = _site(recording, race.earlier.site)
    line = earlier_site.line if earlier_site is not None else 0
    again = f" ({occurrences} times in this run)" if occurrences > 1 else ""
    warning = (f"{race.kind} race in the trace: "
               f"{_who(recording, race.later)} {later_verb} UB {_bytes(race.overlap)}, which "
               f"{_who(recording, race.earlier)} (line {line}) {earlier_verb}{again}")
    scalar = {race.earlier.name, race.later.name} & {SCALAR_READ, SCALAR_WRITE}
    order = ("no set_flag/wait_flag chain through PIPE_S or pipe_barrier(PIPE_ALL) orders them (the scalar unit "
             "and a pipe)" if scalar else
             "no set_flag/wait_flag chain or pipe_barrier(PIPE_ALL) orders them (two pipes)" if race.across else
             "no pipe_barrier(PIPE_V) or flag round trip between them in issue order")
    note = f"{_who(recording, race.earlier)} {earlier_present} UB here; {order}"
    return (DiagnosticLine(_where(recording, race.later.site), "warning", warning),
            DiagnosticLine(_where(recording, race.earlier.site), "note", note))


def distinct_races(recording: Recording, judgement: Judgement) -> list[tuple[TraceRace, int]]:
    """One race per (kind, earlier call site and intrinsic, later call site and intrinsic), the
    first in issue order, with how often the run met it."""
    seen: dict[tuple[str, int, str, int, str], list[Any]] = {}
    for race in judgement.races:
        key = (race.kind, race.earlier.site, race.earlier.name, race.later.site, race.later.name)
        if key in seen:
            seen[key][1] += 1
        else:
            seen[key] = [race, 1]
    return [(race, count) for race, count in seen.values()]


# The cause of an unverified entry whose scalar-unit accesses of UB the trace did not judge (the JSON
# entry's "cause"; its "count", "reads" and "writes" say how many).
SCALAR_NOT_JUDGED = "scalar-accesses-not-judged"
SCALAR_NOT_WATCHED = "scalar-accesses-not-watched"


def unjudged_scalar(recording: Recording) -> dict[str, Any] | None:
    """The unverified entry of a run whose scalar unit read or wrote UB (a tile's GetValue or
    SetValue, TCI, a store through a ``__ubuf__`` pointer, a pto-isa op's scalar loop) in accesses
    whose size it did not learn (record.py: code the compiler's instrumentation did not see, caught
    by the stand-in's page faults): those are judged against nothing. None when every access was
    sized (cross_pipe.py judges those as msSanitizer does); an entry too when the host could not
    watch for them (not x86-64 Linux)."""
    if any(call.name == SCALAR_UNWATCHED for call in recording.calls):
        return {"function": recording.entry, "location": Place(recording.path, 1, 1), "cause": SCALAR_NOT_WATCHED,
                "why": "this host cannot catch the scalar unit's reads and writes of UB that the compiler's "
                       "instrumentation does not see (x86-64 Linux only): races between them and the vector or MTE "
                       "pipes are neither shown nor ruled out"}
    accesses = [call for call in recording.calls if call.name == SCALAR_ACCESS and len(call.args) >= 3
                and not call.args[2]]
    if not accesses:
        return None
    writes = sum(1 for call in accesses if call.args and call.args[0])
    first = accesses[0]
    what = "write" if first.args and first.args[0] else "read"
    count = len(accesses)
    why = (f"{count} scalar-unit access{'' if count == 1 else 'es'} of UB of unknown size ({writes} write"
           f"{'' if writes == 1 else 's'}, {count - writes} read{'' if count - writes == 1 else 's'}; the first, a "
           f"{what}, in or after {_op(recording, first.site)} here) {'is' if count == 1 else 'are'} not judged: "
           f"races between them and the vector or MTE pipes are neither shown nor ruled out")
    return {"function": recording.entry, "location": _where(recording, first.site), "cause": SCALAR_NOT_JUDGED,
            "count": count, "reads": count - writes, "writes": writes, "why": why}


def _side(recording: Recording, instruction: Instruction) -> dict[str, Any]:
    """One side of a race in the report: where, the call, the intrinsic (and, for a scalar access the
    call may not have made, ``"in_or_after": true``)."""
    side: dict[str, Any] = {"location": _where(recording, instruction.site), "op": _op(recording, instruction.site),
                            "intrinsic": instruction.name}
    if in_or_after(recording, instruction):
        side["in_or_after"] = True
    return side


def result_of(recording: Recording) -> TraceResult:
    judgement = judge_streams(recording.calls)
    report = _empty_report(recording.path)
    report["arguments"] = recording.arguments
    lines: list[str] = []
    scalar = unjudged_scalar(recording)
    if scalar is not None:
        lines.append(DiagnosticLine(scalar["location"], "note", scalar["why"]))
        report["unverified"].append(scalar)
    if judgement.cannot_judge is not None:
        site, why = judgement.cannot_judge
        where = _where(recording, site)
        lines.append(f"{where}: note: the trace cannot be judged: {why} (races are neither shown nor ruled out)")
        report["unverified"].append({"function": recording.entry, "location": where, "why": why})
        return TraceResult(recording.path, report, lines, list(recording.notes), judgement, recording)
    kinds: dict[str, int] = {}
    categories: dict[str, int] = {}
    for race, count in distinct_races(recording, judgement):
        warning, note = describe(recording, race, count)
        lines += [warning, note]
        kinds[race.kind] = kinds.get(race.kind, 0) + 1
        # (An MTE copy against another pipe's access, cross_pipe.py, or two vector instructions.)
        category = CROSS_PIPE if race.across else "overlap"
        categories[category] = categories.get(category, 0) + 1
        report["races"].append({
            "kind": race.kind, "category": category, "bytes": [list(race.overlap)], "occurrences": count,
            "later": _side(recording, race.later), "earlier": _side(recording, race.earlier),
            "warning": warning, "note": note})
    report["by_kind"] = kinds
    report["by_category"] = categories
    return TraceResult(recording.path, report, lines, list(recording.notes), judgement, recording)


def _judged(judgement: Judgement) -> list[Instruction]:
    """The vector instructions, the copies and the scalar unit's sized accesses of a run."""
    return [*judgement.instructions, *judgement.copies, *judgement.scalars]


def race_keys(judgement: Judgement) -> dict[tuple[str, int, int], TraceRace]:
    """The races of a run keyed by the ordinals of its vector instructions and copies (the same in a kernel and its
    rewrite when the rewrite only removes or adds barriers)."""
    # (Keyed by position and name: a vsel's CMPMASK load shares the vsel's position, select.py.)
    ordinal = {(each.position, each.name): index for index, each in
               enumerate(sorted(_judged(judgement), key=lambda each: each.position))}
    return {(race.kind, ordinal[race.earlier.position, race.earlier.name],
             ordinal[race.later.position, race.later.name]): race
            for race in judgement.races}


def vector_sequence(judgement: Judgement) -> list[tuple[str, tuple[Any, ...]]]:
    return [(instruction.name, instruction.accesses) for instruction in
            sorted(_judged(judgement), key=lambda each: each.position)]


def new_races(before: TraceResult, after: TraceResult) -> list[tuple[TraceRace, int]] | str:
    """The races ``after`` has that ``before`` has not (as ``after``'s distinct races), or why the
    two cannot be compared."""
    if before.judgement is None or after.judgement is None or before.recording is None or after.recording is None:
        return "a run was not traced"
    if before.judgement.cannot_judge is not None or after.judgement.cannot_judge is not None:
        return "a trace cannot be judged"
    if vector_sequence(before.judgement) != vector_sequence(after.judgement):
        return "the output issues other vector instructions than the input"
    old = race_keys(before.judgement)
    added = [race for key, race in race_keys(after.judgement).items() if key not in old]
    fresh = Judgement(after.judgement.instructions, added, after.judgement.barriers, None, after.judgement.copies,
                      after.judgement.scalars)
    return distinct_races(after.recording, fresh)
