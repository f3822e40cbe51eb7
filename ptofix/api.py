"""ptofix as a Python library: the three things a kernel build script does with it, on text.

    from ptofix.api import canonicalize, check, fix_cpp

    ir, sidecar = canonicalize(open("fa.mlir").read(), target="v0.45")
    ...                                   # ptoas turns `ir` into fa.cpp
    fixed = fix_cpp(open("fa.cpp").read(), patterns="gu", local_slot_num="0=2,4=2")
    races = check(fixed.text)

Each function takes and returns text (nothing is read or written besides the headers the kernel
includes, found in ``include_dirs``) and returns frozen, typed results. Bad input raises
:class:`InputError` (its ``str()`` is the ``file:line:col: error: ...`` line the command prints);
valid C++ the model cannot read (a raw string literal, no function definition) is not bad input:
``fix_cpp`` gives it back unchanged, every barrier kept, with the command's note, and ``check_report``
lists it as unverified. Text that is not a ``str`` raises ``TypeError``.
The functions run the same pipelines as ``ptofix canonicalize``, ``ptofix run`` and ``ptofix
check`` (docs/commands/), with the same results; ``path`` only names the text in messages.

A call's settings (``include_dirs``, ``defines``, ``pto_isa``) become one frozen value, the
compile environment (ptofix/compile_env.py), made by the constructor the command line uses
(compile_settings.environment_of); :func:`compile_environment` makes one to pass as
``environment=`` instead. The call hands it to the parser and passes it explicitly: nothing is
kept in the process between calls, so calls with different settings do not see each other's. (A
pto-isa checkout's facts are read once per checkout and process, and the C++ parser keeps a
per-process cache of statement ASTs: calls from several threads at once are not supported.)
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from .source import PtofixError, bounded_source

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .compile_env import CompileEnvironment

__all__ = ["BarrierCause", "BarrierDecision", "Canonicalized", "FixResult", "HazardSide", "InputError", "Race",
           "canonicalize", "check", "check_report", "compile_environment", "fix_cpp"]

InputError = PtofixError
"""Bad input or a bad setting: what the commands report as ``error:`` with exit status 2."""


class Canonicalized(NamedTuple):
    """``canonicalize``'s result; unpacks as ``(text, sidecar)``."""

    text: str
    """The IR in the form the target ptoas parses."""
    sidecar: Mapping[str, Any] | None
    """The ``local_slot_num`` values the target rejects, for the C++ side (the JSON document
    ``ptofix canonicalize`` writes as ``STEM.slots.json``); None when there are none. (The
    command's warnings about them say what this records.)"""


@dataclass(frozen=True)
class HazardSide:
    """One op of the pair of a hazard (or the construct the model does not understand)."""

    op: str                 # the op, or what stands for the unknown construct
    location: str | None    # `path:line:col`; None: a function boundary
    operand: str            # the tile; "*" for an unknown construct (it may touch any UB byte)
    access: Literal["read", "write"] | None    # None: an unknown construct
    byte_ranges: tuple[tuple[int, int], ...] | None   # [start, end) bytes; None: not known


@dataclass(frozen=True)
class BarrierCause:
    """Why ``fix_cpp`` removed or kept a barrier, as data (the fields the report's ``reason`` is
    written from: ptofix/cpp/barrier_decisions.py Cause)."""

    kind: str
    """``redundant``/``proved`` (removable), ``overlap``, ``past-ub``, ``past-space``,
    ``unknown-bytes``, ``not-understood``, ``not-analysed``, ``boundary``, ``unmodelled``,
    ``unread``, ``not-a-barrier`` or ``not-selected``."""
    summary_kind: str        # the report's ``cause.kind`` of a kept barrier (``conflict``: needed once others go)
    names: tuple[str, ...]   # the tiles or function the summary names
    hazard: Literal["RAW", "WAR", "WAW", "unknown"] | None
    earlier: HazardSide | None
    later: HazardSide | None
    across_loop_back_edge: bool
    same_access_chain: bool  # the pair is a PTOAS #674 same-access chain the race model does not credit
    chain_refused: str       # why an exact same access is no same-access chain ('' if none)
    not_understood: tuple[tuple[str | None, str], ...]   # (location, why) of each unknown construct
    why: str                 # unmodelled: why; not-analysed: the bound; unread: why
    function: str
    pairs_checked: int
    same_access_chains: int
    rewritten: int
    needed_once: tuple[str, ...]   # `line:col` of the removed barriers that make it needed
    instantiation: str       # the function template instantiation that keeps it (`f<16, 128>`)
    notes: tuple[str, ...]


@dataclass(frozen=True)
class BarrierDecision:
    """What ``fix_cpp`` did with one ``pipe_barrier(PIPE_V);`` of the input."""

    line: int
    column: int
    function: str
    decision: Literal["removed", "kept"]
    selected: bool          # a pattern selected it (False: "not selected by --pattern", kept)
    pattern: str | None     # the pattern that selected it
    before_op: str | None   # the vector op before it, and after it
    after_op: str | None
    reason: str             # in words: the proof, or the hazard that keeps it
    cause: BarrierCause | None = None     # the same, as data (None: a file the model does not read)


@dataclass(frozen=True)
class FixResult:
    """``fix_cpp``'s result."""

    text: str
    """The fixed C++ (the input, byte for byte, when nothing applies)."""
    decisions: tuple[BarrierDecision, ...]
    """One per PIPE_V barrier of the input, in order (empty without ``patterns``)."""
    warnings: tuple[str, ...]
    """The warning and note lines the command prints on stderr (kept barriers, ``--force``)."""
    changed: bool
    """Whether ``text`` differs from the input."""

    @property
    def removed(self) -> tuple[BarrierDecision, ...]:
        """The decisions that removed their barrier."""
        return tuple(d for d in self.decisions if d.decision == "removed")


@dataclass(frozen=True)
class Race:
    """A PIPE_V race ``check`` reports: two vector ops that may run at once and conflict in UB bytes."""

    kind: Literal["RAW", "WAR", "WAW"]
    line: int               # the later op
    column: int
    op: str
    earlier_line: int       # the earlier op, still in flight
    earlier_column: int
    earlier_op: str
    operand: str
    byte_ranges: tuple[tuple[int, int], ...]   # [start, end) UB byte ranges both touch
    message: str            # the warning line the command prints
    # "same-access-chain": an unbarriered PTOAS #674 same-access chain (ptoas prunes its barrier,
    # Ascend's msSanitizer flags the pair); "same-rebroadcast": two row-expands broadcasting the same
    # unchanged per-row tile through the hidden scratch (the same bytes either way, pto-facts §2.4;
    # msSanitizer flags the pair); "multi-pipe-chain": a pair only a set_flag/wait_flag chain through
    # two or more other pipes orders (msSanitizer's single-pipe check credits pipe_barrier alone,
    # ptofix's contract a direct round trip V -> X -> V too); "overlap": any other race.
    category: Literal["overlap", "same-access-chain", "same-rebroadcast", "multi-pipe-chain"] = "overlap"


def _side(side: dict[str, Any]) -> HazardSide:
    ranges = side.get("bytes")
    return HazardSide(op=side["op"], location=side["location"] if side["location"] != "function boundary" else None,
                      operand=side["operand"], access=side.get("access"),
                      byte_ranges=None if ranges is None else tuple((a, b) for a, b in ranges))


def _barrier_cause(fields: dict[str, Any]) -> BarrierCause:
    """The API's record of a decision's cause, from its fields (Cause.fields: those at their
    default are left out)."""
    hazard = fields.get("hazard")
    return BarrierCause(
        kind=fields["kind"], summary_kind=fields["summary_kind"], names=tuple(fields.get("names", ())),
        hazard=hazard["kind"] if hazard is not None else None,
        earlier=_side(hazard["earlier"]) if hazard is not None else None,
        later=_side(hazard["later"]) if hazard is not None else None,
        across_loop_back_edge=bool(hazard and hazard["across_loop_back_edge"]),
        same_access_chain=bool(hazard and hazard.get("same_access_chain")),
        chain_refused=fields.get("chain_refused", ""),
        not_understood=tuple((event["location"], event["why"]) for event in fields.get("unknown", ())),
        why=fields.get("why", ""), function=fields.get("function", ""), pairs_checked=fields.get("pairs", 0),
        same_access_chains=fields.get("chains", 0), rewritten=fields.get("rewritten", 0),
        needed_once=tuple(fields.get("needed_once", ())), instantiation=fields.get("instantiation", ""),
        notes=tuple(fields.get("notes", ())))


def compile_environment(include_dirs: Sequence[str] = (), defines: Sequence[str] = (), pto_isa: str | None = None,
                        arch: str | None = None) -> CompileEnvironment:
    """The compile environment of a call, made by the constructor the command line uses
    (compile_settings.environment_of): its include directories (as ``-I``), command-line macros
    (``"NAME=VALUE"`` as ``-D``; ``"-DNAME"`` and ``"-UNAME"`` as written), the pto-isa checkout
    (identified here, once: isa_version.with_checkout) and the NPU arch (``"a3"``, ``"a5"``: as
    check's ``--arch``). Pass it to :func:`fix_cpp`, :func:`check` or :func:`check_report` as
    ``environment=`` to analyse several kernels with one setting. Raises :class:`InputError` for
    an include directory that does not exist or a path that is no pto-isa checkout."""
    from .compile_settings import environment_of
    from .cpp.command_line import macro_flag
    for name, value in (("include_dirs", include_dirs), ("defines", defines)):
        if isinstance(value, (str, bytes)):
            # (A string is a sequence of one-character strings: "/opt/inc" would be read as the
            # directories "/", "o", "p", ...; the error would name "o".)
            raise InputError(f"{name} is a list of strings, not one string: give [{value!r}]")
    flags = [macro_flag(flag[:2], flag[2:]) if flag.startswith(("-D", "-U")) else macro_flag("-D", flag)
             for flag in defines]
    return environment_of(include_dirs, flags, pto_isa, arch, include_option="include directory")


def _call_environment(environment: CompileEnvironment | None, include_dirs: Sequence[str], defines: Sequence[str],
                      pto_isa: str | None = None) -> CompileEnvironment:
    """``environment`` when given (then no other setting may be), else one of the call's settings."""
    if environment is None:
        return compile_environment(include_dirs, defines, pto_isa)
    if include_dirs or defines or pto_isa:
        raise InputError("give the settings either as environment= or as include_dirs, defines and pto_isa, "
                         "not both")
    return environment


def canonicalize(text: str, target: str, *, to: Literal["custom", "generic"] = "custom",
                 path: str = "kernel.mlir") -> Canonicalized:
    """Rewrite the PTO IR ``text`` into the form ptoas ``target`` (e.g. ``"v0.45"``) parses, as
    ``ptofix canonicalize --target-ptoas TARGET`` does; ``to="generic"`` for the reverse.

    Returns ``(text, sidecar)``. Raises :class:`InputError` on bad IR or an
    unknown target."""
    from .frontends import PARSERS
    from .pass_manager import build_pass, run_pipeline
    source = bounded_source(text, path)      # (the command line's input bound: source.MAX_INPUT_BYTES)
    outcome = run_pipeline(source, [build_pass("canonicalize", {"target-ptoas": target, "to": to})], PARSERS)
    sidecar = outcome.reports[0].get("sidecar")
    return Canonicalized(outcome.text, sidecar if sidecar and sidecar.get("pipes") else None)


def fix_cpp(text: str, patterns: str | Sequence[str] | None = None, include_dirs: Sequence[str] = (),
            local_slot_num: str | Mapping[int, int] | None = None, *, force: bool = False,
            defines: Sequence[str] = (), pto_isa: str | None = None, path: str = "kernel.cpp",
            same_access_chains: bool = False, environment: CompileEnvironment | None = None) -> FixResult:
    """Remove the PIPE_V barriers of ptoas C++ ``text`` that ``patterns`` select and the proof shows
    redundant, and set ``LocalSlotNum`` of the ``TPipe``s, as ``ptofix run`` does.

    ``patterns``: ``"gu"``, ``"softmax-exp-sum"``, ``"softmax-sum-add"``, ``"auto"`` (every
    barrier) or several (a list or ``"gu,softmax-sum-add"``); None: no barrier is touched.
    ``include_dirs``: where the headers the kernel includes are (as ``-I``); without them, code
    from a header is unknown and keeps the barriers it may affect. ``local_slot_num``: ``"0=2,4=2"``
    or ``{0: 2, 4: 2}`` (FlagID -> slots), or ``"2"`` for every pipe. ``defines``: ``"NAME=VALUE"``
    macros of the compiler's command line (as ``-D``). ``pto_isa``: the pto-isa checkout the
    kernel compiles with (as ``--pto-isa``): the facts of its version apply, each barrier's cost in
    cycles is reported. ``force`` removes unproven candidates too
    (warns). ``same_access_chains``: also credit PTOAS #674 same-access chains, as ptoas does
    (``--same-access-chains``; Ascend's msSanitizer race check flags such pairs; default: its a2/a3
    rule, every unbarriered overlap is a race). ``environment``: the settings as one value
    (:func:`compile_environment`), instead of ``include_dirs``, ``defines`` and ``pto_isa``. Raises
    :class:`InputError` on bad input; valid C++ the model cannot read comes back unchanged, every
    barrier kept (``cause`` None), the note saying why in ``warnings``, as ``ptofix run`` leaves it."""
    from .cpp_fixes import CppFixOptions, cpp_passes, kept_notes, unread_outcome
    from .cpp_fixes import fix_cpp as run_fixes
    from .frontends import parse_cpp
    from .local_slot_options import LocalSlotOptions
    from .source import UnreadableInput
    pattern = ",".join(patterns) if isinstance(patterns, (list, tuple)) else patterns
    slots = (",".join(f"{flag}={count}" for flag, count in local_slot_num.items())
             if isinstance(local_slot_num, Mapping) else local_slot_num)
    options = CppFixOptions(pattern=pattern if isinstance(pattern, str) else None, force=force,
                            local_slot=LocalSlotOptions(local_slot_num=slots), same_access_chains=same_access_chains)
    source = bounded_source(text, path)      # (the command line's input bound: source.MAX_INPUT_BYTES)
    environment = _call_environment(environment, include_dirs, defines, pto_isa)
    passes = cpp_passes(options)
    try:
        model = parse_cpp(source, environment)
    except UnreadableInput as unread:
        # Valid C++ the model cannot read: the text as it is, every barrier kept, as `run` writes it.
        reports, note = unread_outcome(source, unread, passes)
        return FixResult(text, _decisions(reports, []), (note, *kept_notes(path, reports)), False)
    outcome = run_fixes(source, passes, model)
    notes = kept_notes(path, outcome.reports, outcome.details)
    return FixResult(outcome.text, _decisions(outcome.reports, outcome.details), (*outcome.warnings, *notes),
                     outcome.text != text)


def _decisions(reports: list[dict[str, Any]], details: list[dict[str, Any]]) -> tuple[BarrierDecision, ...]:
    """The barrier pass's decisions in ``reports``, with their causes from ``details`` (none for a
    file the model does not read)."""
    decisions = []
    for index, report in enumerate(reports):
        if report.get("pass") != "pipe-v-barrier":
            continue
        causes = (details[index].get("causes") if index < len(details) else None) or [None] * len(report["decisions"])
        for d, fields in zip(report["decisions"], causes, strict=True):
            decisions.append(BarrierDecision(
                line=d["line"], column=d["column"], function=d.get("function") or "", decision=d["decision"],
                selected=d["pattern"] is not None, pattern=d["pattern"], before_op=d.get("before_op"),
                after_op=d.get("after_op"), reason=d["reason"].text(),
                cause=_barrier_cause(fields) if fields is not None else None))
    return tuple(decisions)


def check(text: str, include_dirs: Sequence[str] = (), *, defines: Sequence[str] = (),
          path: str = "kernel.cpp", same_access_chains: bool = False,
          environment: CompileEnvironment | None = None) -> tuple[Race, ...]:
    """The PIPE_V races of ptoas C++ ``text``, as ``ptofix check`` reports them (a warning at the
    later op). An empty tuple means no race was shown; a function the model cannot read is not
    verified (use :func:`check_report` for those and for broken tile placements).
    ``same_access_chains``: PTOAS #674 same-access chains are no race (``--same-access-chains``);
    by default they are races of category ``"same-access-chain"`` (msSanitizer flags them). Two
    broadcasts of the same unchanged per-row tile through the hidden scratch are races of category
    ``"same-rebroadcast"`` under either model (msSanitizer flags them; pto-facts §2.4). A pair that only
    a set_flag/wait_flag chain through two or more other pipes orders is a race of category
    ``"multi-pipe-chain"`` (msSanitizer's single-pipe check credits pipe_barrier alone, ptofix's
    contract a direct round trip V -> X -> V too).
    ``environment``: the settings as one value (:func:`compile_environment`), instead of
    ``include_dirs`` and ``defines``."""
    report = check_report(text, include_dirs, defines=defines, path=path, same_access_chains=same_access_chains,
                          environment=environment)
    races = []
    for race in report["races"]:
        # (Each op's place is a located.Place, made where the race is described: its fields are read.)
        later, earlier = race["later"]["location"], race["earlier"]["location"]
        races.append(Race(kind=race["kind"], line=later.line, column=later.column, op=race["later"]["op"],
                          earlier_line=earlier.line, earlier_column=earlier.column, earlier_op=race["earlier"]["op"],
                          operand=race["later"]["operand"] or race["earlier"]["operand"] or "UB",
                          byte_ranges=tuple((a, b) for a, b in race["bytes"]), message=race["warning"],
                          category=race["category"]))
    return tuple(races)


def check_report(text: str, include_dirs: Sequence[str] = (), *, defines: Sequence[str] = (),
                 path: str = "kernel.cpp", same_access_chains: bool = False,
                 environment: CompileEnvironment | None = None) -> dict[str, Any]:
    """The report ``ptofix check --report json`` gives ``text`` (its one entry of ``files``):
    ``races``, ``unverified`` functions (each with the reason) and broken tile ``placements``
    (docs/report-format.md). ``environment``: as :func:`check`'s; its arch (``"a3"``, ``"a5"``)
    is the one broken tile placements are checked for, as check's ``--arch``."""
    from .pto.race_model import RaceModel
    from .race_check import RaceCheck
    job = RaceCheck(environment=_call_environment(environment, include_dirs, defines),
                    race_model=RaceModel.of(same_access_chains))
    return job.process_source(bounded_source(text, path)).report
