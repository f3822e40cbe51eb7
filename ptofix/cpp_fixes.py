"""The C++ fixes of ptoas output as a library: the pass pipeline `run`-style options select, running
it, and the text report. Used by the `run` and `build` commands."""
from __future__ import annotations

from . import regex_cache
from .compile_env import NO_COMMAND_LINE, CompileEnvironment
from .frontends import parsers
from .local_slot_options import LocalSlotOptions, local_slot_pass
from .located import Located
from .pass_manager import PipelineOutcome, build_pass, run_pipeline
from .pto.tiles import UB_BYTES
from .records import Frozen, field

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .side_files import ReadRecord
    from .source import UnreadableInput

# The barrier analysis (cpp.barriers, ~14 ms interpreted with what it imports) is imported in the
# functions that use it: every command's parser imports this module, and `--help` or a usage error
# need not wait for the proof (tests/test_startup.py).


class CppFixOptions(Frozen):
    """What the C++ fixes of one `run` or `build` do: the pipe-v-barrier patterns (none: no barrier
    pass) with their options, and the LocalSlotNum settings."""
    pattern: str | None = None
    force: bool = False
    weight: str = ""
    # False: another file #includes the fixed one (build's caller), so both are one translation unit.
    translation_unit: bool = True
    local_slot: LocalSlotOptions = field(default_factory=LocalSlotOptions)
    # The race model's opt-in (pto/race_model.py): credit PTOAS #674 same-access chains.
    same_access_chains: bool = False


def cpp_passes(options: CppFixOptions) -> list:
    """The C++ pass pipeline ``options`` select (a list of passes, which pickles for `-j` workers)."""
    from .cpp.barrier_decisions import normalize_patterns
    passes: list = []
    # LocalSlotNum first: it moves the Tile-form TPOP ring slots, so the barrier proof must read
    # the pipes the output will have (raised after the proof, a slot may land on a tile the proof
    # took as disjoint).
    slot_pass = local_slot_pass(options.local_slot)
    if slot_pass is not None:
        passes.append(slot_pass)
    if options.pattern and normalize_patterns(options.pattern):
        # (The text options read by the pass's own readers, as a pipeline's are.)
        passes.append(build_pass("pipe-v-barrier", {"pattern": options.pattern, "weight": options.weight},
                                 force=options.force, translation_unit=options.translation_unit,
                                 same_access_chains=options.same_access_chains))
    return passes


def fix_cpp(source, passes: list, model=None, environment: CompileEnvironment = NO_COMMAND_LINE,
            reads: ReadRecord | None = None):
    """Run the C++ passes on ``source`` read with ``environment``'s command line (``model``'s when
    given: the model of ``source`` already read), the files read besides noted in the job's record
    ``reads`` (the model's); returns a PipelineOutcome (text, reports, warnings)."""
    if not passes:
        return PipelineOutcome(source.text, [], [])
    if model is not None:
        environment, reads = model.environment, model.reads
    return run_pipeline(source, passes, parsers(environment, reads), {"cpp": model} if model is not None else None)


# A barrier as the text spells it, for a file the model does not read (unread_file_report): the
# report lists where they are, each kept.
_SPELLED_BARRIER = regex_cache.compile(r"(?<![\w$])pipe_barrier\s*\(\s*PIPE_V\s*\)")


def unread_outcome(source, unread: UnreadableInput, passes: list) -> tuple[list[dict], str]:
    """What the C++ passes give a file the model does not read (valid C++ the tokens cannot follow:
    source.UnreadableInput): each pass's report (unread_file_report) and the note that says so on
    stderr. The file is left as it is, every barrier kept: Unknown as a whole, never refused (`run`,
    and the Python API's fix_cpp, which returns what `run` writes)."""
    why = unread.diagnostic.message
    offset = unread.diagnostic.offset
    where = source.location(offset) if offset is not None else source.path
    line, column = source.line_col(offset) if offset is not None else (1, 1)
    reports = [unread_file_report(pass_.name, source, f"{line}:{column}", why, sorted(getattr(pass_, "pattern", ())))
               for pass_ in passes]
    # (What was asked and not done is named: a LocalSlotNum the run was to set stays as ptoas wrote it.)
    slots = ", no LocalSlotNum set" if any(pass_.name == "local-slot-num" for pass_ in passes) else ""
    note = (f"{where}: note: {why}: the file is left as it is, every barrier kept{slots} (valid C++ that "
            "ptofix cannot read as the compiler does)")
    return reports, note


def unread_file_report(name: str, source, where: str, why: str, patterns: list[str]) -> dict:
    """The report of pass ``name`` on a file no model reads (valid C++ the tokens cannot follow:
    source.UnreadableInput; ``where``: `line:col` of the cause): nothing done, and for
    pipe-v-barrier each `pipe_barrier(PIPE_V)` the text spells (comments included: a count for
    the report, never a decision) kept as unread."""
    report: dict = {"pass": name, "unread": f"{source.path}:{where}: {why}"}
    if name != "pipe-v-barrier":
        return report
    from .cpp.barrier_decisions import Cause, CauseKind, Reason
    decisions = []
    cause = Cause(CauseKind.UNREAD, why=f"the file is not read ({where}: {why}): not analysed")
    reason = Reason(cause.fields(source))
    for match in _SPELLED_BARRIER.finditer(source.text):
        line, col = source.line_col(match.start())
        decisions.append({
            "location": f"{source.path}:{line}:{col}", "line": line, "column": col, "function": None,
            "before_op": None, "after_op": None, "pattern": None, "decision": "kept", "proved": False,
            "reason": reason, "unread": True, "cause": cause.json()})
    report.update({"patterns": patterns, "barriers": len(decisions), "removed": 0, "statements_not_parsed": 0,
                   "dynamic_barriers": {}, "not_parsed": [], "decisions": decisions})
    return report


# In a decision's line, where the nearest vector op before or after the barrier would be named:
# none is next to it on straight-line code (a branch or join, a loop edge, another barrier or drain,
# a call or code ptofix does not understand, or the function's entry or exit comes first).
NO_NEIGHBOUR = "[no op on straight-line code]"


def text_report(reports: list[dict]) -> list[str]:
    lines: list[str] = []
    for rep in reports:
        if rep.get("pass") == "pipe-v-barrier":
            for d in rep["decisions"]:
                # (Each reason worded here, once (barrier_decisions.Reason), its places kept as
                # data, located.Located: reports.text_lines_for_file writes those in the file `line:col`.)
                unread, selected = d.get("unread"), d["pattern"] is not None
                if not unread and not selected:
                    continue
                reason = d["reason"].text()
                if unread:
                    lines.append(Located(f"{d['location']}: kept (a pipe_barrier the model does not read): ",
                                         reason))
                if not selected:
                    continue
                around = f"{d['before_op'] or NO_NEIGHBOUR} -> {d['after_op'] or NO_NEIGHBOUR}"
                lines.append(Located(f"{d['location']}: {d['decision']} ({d['pattern']}, {around}{cycle_words(d)}): ",
                                     reason))
            for where in rep.get("not_parsed", []):
                lines.append(f"{where}: note: statement not understood by the grammar (treated as unknown)")
            for name, counts in rep.get("dynamic_barriers", {}).items():
                lines.append(f"pipe-v-barrier: {name}: estimated {counts['before']} -> {counts['after']} "
                             "barrier executions per call")
            lines.append(f"pipe-v-barrier: {rep['removed']} of {rep['barriers']} PIPE_V barriers removed"
                         f" ({rep.get('statements_not_parsed', 0)} statement(s) not parsed)")
            if "cycles" in rep:
                totals = rep["cycles"]["per_call"]
                unknown = totals["without_cost"]
                lines.append(f"pipe-v-barrier: cycles per call, at most: ~{totals['removed']:,} saved by the removed "
                             f"barriers, ~{totals['kept']:,} cost by the kept ones"
                             + (f" ({unknown} barrier(s) without a cost)" if unknown else "")
                             + f"; {rep['cycles']['model']}; from {rep['cycles']['source']}")
        else:
            for item in rep.get("lines", []):
                lines.append(item)
    return lines


def cycle_words(d: dict) -> str:
    """``; ~24 cycles/execution, ~384/call at most: ...`` for a decision with a cost (run --pto-isa)."""
    cost = d.get("cycles")
    if cost is None:
        return ""
    from .pto.vector_latency import cost_words
    return "; " + cost_words(cost)


def kept_notes(path: str, reports: list[dict], details: list[dict] | None = None) -> list[str]:
    """One GCC-style note for a file whose pipe-v-barrier run kept barriers its patterns selected:
    how many of how many, and why, grouped by cause (the decisions' ``cause``), so that a run that
    removes less than asked says so (``run`` and ``build`` print it on stderr unless ``-q``).
    ``details``: the passes' details (PipelineOutcome.details: each decision's cause fields)."""
    from .cpp.barrier_decisions import CauseKind
    phrases = {
        CauseKind.PAST_UB.value: f"for tiles placed past the {UB_BYTES // 1024} KiB UB",
        CauseKind.PAST_SPACE.value: "for tiles placed past their memory space",
        CauseKind.OVERLAP.value: "for a RAW/WAR/WAW byte overlap (needed)",
        CauseKind.CONFLICT.value: "needed once other barriers are removed (each removable alone)",
        CauseKind.UNKNOWN_BYTES.value: "for tiles whose UB bytes are not known",
        CauseKind.NOT_UNDERSTOOD.value: "for code ptofix does not understand",
        CauseKind.BOUNDARY.value: "for vector work outside their functions that may be in flight",
        CauseKind.UNMODELLED.value: "for control flow ptofix does not model",
        CauseKind.NOT_ANALYSED.value: "for a work bound (not analysed)",
        CauseKind.UNREAD.value: "for barriers not read as PIPE_V's",
    }
    notes = []
    for rep, detail in zip(reports, details if details is not None else [{} for _ in reports], strict=True):
        if rep.get("pass") != "pipe-v-barrier":
            continue
        patterns = rep.get("patterns", [])
        selected = [d for d in rep["decisions"]
                    if d["pattern"] is not None or (d.get("unread") and "auto" in patterns)]
        kept = [d for d in selected if d["decision"] == "kept"]
        if not kept:
            continue
        counts: dict[str, int] = {}
        names: dict[str, list[str]] = {}
        for d in kept:
            kind = d.get("cause", {}).get("kind", CauseKind.NOT_UNDERSTOOD.value)
            counts[kind] = counts.get(kind, 0) + 1
            listed = names.setdefault(kind, [])
            for name in d.get("cause", {}).get("names", []):
                if name not in listed:
                    listed.append(name)
        causes = []
        for kind in sorted(counts, key=lambda k: (-counts[k], list(phrases).index(k) if k in phrases else 99)):
            shown = names[kind][:3] + (["..."] if len(names[kind]) > 3 else [])
            causes.append(f"{counts[kind]} {phrases.get(kind, kind)}" + (f" ({', '.join(shown)})" if shown else ""))
        which = "PIPE_V" if "auto" in patterns else "/".join(patterns)
        notes.append(f"{path}: note: kept {len(kept)} of {len(selected)} {which} barriers: {'; '.join(causes)} "
                     "(see --report text)")
        causes = detail.get("causes") or [None] * len(rep["decisions"])
        kept_fields = [fields for d, fields in zip(rep["decisions"], causes, strict=True)
                       if fields is not None and d["decision"] == "kept"
                       and (d["pattern"] is not None or (d.get("unread") and "auto" in patterns))]
        # A header not found is the one cause a user fixes with a flag: named once, with how (the
        # cause's ``missing_header``, headers.HeaderSummary.missing as it travelled).
        missing: dict[str, int] = {}
        for fields in kept_fields:
            name = fields.get("missing_header", "")
            if name:
                missing[name] = missing.get(name, 0) + 1
        for name, count in missing.items():
            notes.append(f"{path}: note: header '{name}' not found, so {count} barrier(s) are kept: give its "
                         "directory with -I DIR (the directories bisheng searches, e.g. the CANN toolkit's "
                         "include directory for its runtime headers)")
        notes.extend(_exclusive_definition_notes(path, [fields.get("construct", "") for fields in kept_fields]))
    return notes


def _exclusive_definition_notes(path: str, constructs: list[str]) -> list[str]:
    """The note for barriers kept because their function is defined in several `#if` groups the
    command line does not decide between (the construct that holds them): the other cause a user
    fixes with a flag."""
    from .cpp.parser import EXCLUSIVE_DEFINITIONS
    count = constructs.count(EXCLUSIVE_DEFINITIONS)
    if not count:
        return []
    return [f"{path}: note: {count} barrier(s) kept in functions defined in several #if groups, as which "
            "one is compiled is not known: give the compiler's -D/-U to decide it"]
