"""Pass `pipe-v-barrier`: remove `pipe_barrier(PIPE_V);` statements the tile-dependency proof allows.

Patterns only select candidates (by the nearest vector op before/after); the proof in
ptofix/cpp/barriers.py decides. A removed barrier becomes a comment on the same line, so line
numbers stay stable and a second run finds nothing to do.
"""
from __future__ import annotations

from functools import partial
from typing import ClassVar, Literal  # at run time: the options' types Literal (pass_manager.option_fields)

from ptofix.pass_manager import Pass, PassResult
from ptofix.pto.race_model import SAME_ACCESS_CHAINS_HELP, RaceModel
from ptofix.records import field
from ptofix.source import Edit, SourceText

# The proof (ptofix.cpp) is imported where the pass runs, not here: `ptofix run --help` generates
# its options from this class's fields without loading the proof (about 0.3 s to import,
# interpreted). The pto-isa checkout is no option of the pass: the model's CompileEnvironment
# holds it, identified once by the command (isa_version.with_checkout).

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from ptofix.cpp.model import Function


# The patterns a barrier may be selected by (docs/commands/run.md); "auto": every barrier.
BarrierPattern = Literal["gu", "softmax-exp-sum", "softmax-sum-add", "auto"]


def read_patterns(text: str) -> tuple[BarrierPattern, ...]:
    """A comma list of patterns, their aliases or ``none`` (nothing), as the patterns it names in
    the order given."""
    from ptofix.cpp.barrier_decisions import normalize_patterns
    if not text.replace(",", "").strip():
        # (Never silent, as `run --pattern ''`: an empty value selected nothing and said nothing.)
        raise ValueError(f"{text!r} names no pattern (give gu, softmax-exp-sum, softmax-sum-add, auto, or none "
                         "to select nothing)")
    names: list = []
    for part in text.split(","):
        for name in normalize_patterns(part):
            if name not in names:
                names.append(name)
    return tuple(names)


class PipeVBarrierPass(Pass):
    """Removes the PIPE_V barriers its patterns select that the tile-dependency proof shows redundant."""

    name: ClassVar[str] = "pipe-v-barrier"
    kind: ClassVar[str] = "cpp"
    summary: ClassVar[str] = ("remove provably redundant pipe_barrier(PIPE_V) "
                              "(pattern=gu|softmax-exp-sum|softmax-sum-add|auto)")
    reads_slot_numbers: ClassVar[bool] = True

    pattern: tuple[BarrierPattern, ...] = field(default=("auto",), metadata={
        "read": read_patterns, "metavar": "P[,P...]",
        "help": "barrier candidates to try: gu, softmax-exp-sum, softmax-sum-add, auto, none"})
    force: bool = field(default=False, metadata={
        "help": "also remove selected barriers the proof rejects (prints a warning naming the hazard)"})
    # (line, count): how often the barrier on that line runs, overriding the estimate.
    weight: tuple[tuple[int, int], ...] = field(default=(), metadata={
        "metavar": "LINE=N[,...]",
        "help": "how often the barrier on LINE runs, overriding the estimate (loop trip counts) that decides "
                "which of two conflicting removals is made"})
    # false: another file #includes this one (ptofix build's caller), so it may call the file's
    # static functions too: none counts as called only where the file shows.
    translation_unit: bool = True

    # The race model (ptofix/pto/race_model.py): false, msSanitizer's a2/a3 rule (every unbarriered
    # overlap is a race); true, PTOAS #674's same-access chains are credited too.
    same_access_chains: bool = field(default=False, metadata={"help": SAME_ACCESS_CHAINS_HELP})

    @property
    def race_model(self) -> RaceModel:
        return RaceModel.of(self.same_access_chains)

    def __post_init__(self) -> None:
        super().__post_init__()
        negative = next((pair for pair in self.weight if min(pair) < 0), None)
        if negative is not None:
            raise ValueError(f"weight {negative[0]}={negative[1]}: a line and a count are not negative")

    def apply(self, model, source: SourceText) -> PassResult:
        from ptofix.cpp.barrier_sites import file_scope_barriers
        from ptofix.cpp.barriers import decide_by_groups
        # The checkout's facts, those the model was read with (its CompileEnvironment: every
        # version's unless the command, the API or build was given the checkout).
        environment = model.environment
        pto_isa, isa, isa_notes = environment.pto_isa, environment.isa, environment.isa_notes

        patterns: set[str] = set(self.pattern)
        overrides = dict(self.weight)
        # Each decision is turned into what the report keeps as soon as its group of functions is
        # decided, so the analysis can free that group's models before the next (memory).
        # Which statements of a function sit outside a statement list: read only for a function
        # with a removed barrier (most keep every barrier, and the walk visits every statement of
        # the function), once each.
        outside: dict[int, set[int]] = {}

        def outside_lists(fn: Function) -> set[int]:
            found = outside.get(id(fn))
            if found is None:
                found = outside[id(fn)] = _outside_statement_lists([fn])
            return found

        labels = _function_labels(model, source)
        costs = None
        if pto_isa:
            # (Each barrier's drain-and-refill cycles, by the checkout's own calibration: read each run.)
            from ptofix.pto.vector_latency import LatencyTable
            costs = LatencyTable.read(pto_isa)
        kept, unparsed = decide_by_groups(model, patterns, lambda d: _keep(d, source, outside_lists, labels, costs),
                                          force=self.force, weights=overrides,
                                          translation_unit=self.translation_unit, isa=isa,
                                          race_model=self.race_model,
                                          cycles_of=None if costs is None else partial(_cycles_per_execution, costs))
        # Barriers in file-scope text the model does not read as a function: kept, and listed.
        outside_functions = [_file_scope_entry(source, offset) for offset in file_scope_barriers(model)]
        if outside_functions:
            kept = sorted(kept + outside_functions, key=lambda item: (item[0]["line"], item[0]["column"]))
        edits: list[Edit] = [edit for _, edit, _, _, _ in kept if edit is not None]
        warnings: list[str] = [warning for _, _, warning, _, _ in kept if warning is not None]
        entries = [entry for entry, _, _, _, _ in kept]
        barrier_lines = {entry["line"] for entry in entries}
        for line in sorted(set(overrides) - barrier_lines):
            # (A line number that moved since the weights were written weighs nothing: say so.)
            warnings.append(f"{source.path}: warning: --weight {line}={overrides[line]}: there is no "
                            "pipe_barrier(PIPE_V) on that line")
        for note in isa_notes:
            warnings.append(f"{source.path}: warning: pto-isa {pto_isa}: {note}")
        for note in isa.stale_notes(source.text):
            warnings.append(f"{source.path}: warning: pto-isa {pto_isa or isa.checkout}: {note}")
        removed = sum(1 for _, _, _, (_, _, gone), _ in kept if gone)
        dynamic: dict[str, dict[str, int]] = {}
        for _, _, _, (name, weight, gone), _ in kept:
            counts = dynamic.setdefault(name, {"before": 0, "after": 0})
            counts["before"] += weight
            counts["after"] += 0 if gone else weight
        report = {"patterns": sorted(patterns), "barriers": len(kept), "removed": removed,
                  "statements_not_parsed": len(unparsed),
                  "dynamic_barriers": dynamic,
                  "not_parsed": [source.location(stmt.span.start) for stmt in unparsed],
                  "decisions": entries}
        report["race_model"] = self.race_model.value
        if pto_isa:
            report["pto_isa"] = {"facts": isa.described, "notes": list(isa_notes)}
        if costs is not None:
            report["cycles"] = _cycle_totals(entries, costs)
        # (Beside the report: the HTML page and the API read every field of each decision's cause.)
        return PassResult(edits, report, warnings, {"causes": [fields for _, _, _, _, fields in kept]})


def _cycle_totals(entries: list[dict], costs) -> dict:
    """The per-call cycles of the barriers removed and kept (those with a cost), and how they are costed."""
    totals = {"removed": 0, "kept": 0, "without_cost": 0}
    for entry in entries:
        cost = entry.get("cycles")
        if cost is None:
            continue
        if cost["per_call"] is None:
            totals["without_cost"] += 1
        else:
            totals["removed" if entry["decision"] == "removed" else "kept"] += cost["per_call"]
    from ptofix.pto.vector_latency import MODEL
    return {"model": MODEL, "source": costs.source, "per_call": totals}


def _cycles_per_execution(costs, d) -> int:
    """What removing decision ``d``'s barrier saves per execution (0 when no cost is given): the
    selection's preference among removal sets (cpp/barrier_selection.py _removal_score)."""
    before = [d.context[0]] if d.context[0] else [e.op or e.kind.value for e in d.before_ops]
    after = [d.context[1]] if d.context[1] else [e.op or e.kind.value for e in d.after_ops]
    return costs.barrier_cost(before, after).cycles or 0


def _cycles(d, costs) -> dict:
    """A decision's cost in cycles (the LatencyTable ``costs``): per execution and per call."""
    before = [d.context[0]] if d.context[0] else [e.op or e.kind.value for e in d.before_ops]
    after = [d.context[1]] if d.context[1] else [e.op or e.kind.value for e in d.after_ops]
    return costs.cycles_entry(before, after, d.weight)


def _outside_statement_lists(functions) -> set[int]:
    """ids of the statements of ``functions`` that do not sit in a statement list (a block, a switch
    body not right after a case label, an ``#if`` branch of such a list): the body of a braceless
    ``if``/``else``/``for``, or right after a case label or a goto's label (also one that ends an ``#if`` branch
    before it). A barrier removed there must stay a statement, or the next statement would take
    its place (or the label would end its block): it becomes ``/* ... */;`` (in a list, a plain
    comment)."""
    from ptofix.cpp.model import (
        CaseLabel,
        Comment,
        Compound,
        Directive,
        ForStmt,
        IfStmt,
        LabelStmt,
        PPIfStmt,
        SwitchStmt,
    )

    found: set[int] = set()

    containers = (Compound, ForStmt, IfStmt, SwitchStmt, PPIfStmt)

    def ends_labelled(stmt) -> bool:
        """A label is the last statement of one of the #if section's branches."""
        for branch in stmt.branches:
            last = [item for item in branch.body if not isinstance(item, (Comment, Directive))]
            if last and (isinstance(last[-1], LabelStmt) or isinstance(last[-1], PPIfStmt) and ends_labelled(last[-1])):
                return True
        return False

    def items(stmts, listed: bool, switch: bool = False) -> None:
        after_label = False
        for stmt in stmts:
            if not listed or after_label or isinstance(stmt, containers):
                visit(stmt, listed and not after_label)     # (a listed leaf adds nothing)
            if not isinstance(stmt, (Comment, Directive)):    # (`case 1: /* sync */ stmt`: still labelled)
                after_label = isinstance(stmt, LabelStmt) or (switch and isinstance(stmt, CaseLabel)) \
                    or (isinstance(stmt, PPIfStmt) and ends_labelled(stmt))

    def visit(stmt, listed: bool) -> None:
        if stmt is None:
            return
        if not listed:
            found.add(id(stmt))
        if isinstance(stmt, Compound):
            items(stmt.body, True)
        elif isinstance(stmt, ForStmt):
            visit(stmt.body, False)
        elif isinstance(stmt, IfStmt):
            visit(stmt.then, False)
            visit(stmt.orelse, False)
        elif isinstance(stmt, SwitchStmt):
            items(stmt.body, True, switch=True)
        elif isinstance(stmt, PPIfStmt):
            for branch in stmt.branches:
                items(branch.body, listed)

    for fn in functions:
        visit(fn.body, False)
    return found


def _function_labels(model, source: SourceText) -> dict[int, str]:
    """id(Function) -> the name the per-function barrier counts are listed under: its name, or for
    a name several functions share (overloads, namespaces) the namespace and the line too."""
    shared: dict[str, int] = {}
    for fn in model.functions:
        shared[fn.name] = shared.get(fn.name, 0) + 1
    labels = {}
    for fn in model.functions:
        label = fn.name
        if shared[fn.name] > 1:
            label = "::".join((*fn.namespace, fn.name)) + f" (line {source.line_col(fn.span.start)[0]})"
        labels[id(fn)] = label
    return labels


FILE_SCOPE = "(file scope)"


def _file_scope_entry(source: SourceText, offset: int) -> tuple:
    """The report entry of a barrier outside every function the model reads (as _keep's)."""
    from ptofix.cpp.barrier_decisions import Cause, CauseKind, Reason
    line, col = source.line_col(offset)
    cause = Cause(CauseKind.UNREAD, why="in file-scope text ptofix does not read as a function (a function head "
                                        "it cannot parse, a class body, a template): not analysed")
    fields = cause.fields(source)
    entry = {
        "location": f"{source.path}:{line}:{col}", "line": line, "column": col, "function": None,
        "before_op": None, "after_op": None, "pattern": None, "decision": "kept", "proved": False,
        "reason": Reason(fields), "unread": True, "cause": cause.json(),
    }
    return entry, None, None, (FILE_SCOPE, 1, False), fields


def _keep(d, source: SourceText, outside_lists: Callable[[Function], set[int]], labels: dict[int, str],
          costs=None) -> tuple:
    """(report entry, edit or None, warning or None, (function, weight, removed), its cause's fields) of
    decision ``d``. Its reason is its cause's fields (barrier_decisions.Reason), worded by the format
    that asks (the report's, a --force warning's)."""
    from ptofix.cpp.barrier_decisions import Reason
    line, col = source.line_col(d.at if d.at >= 0 else d.stmt.span.start)
    hazard = None if d.hazard is None else d.hazard.described(source)
    fields = d.cause.fields(source, hazard)
    reason = Reason(fields)
    entry = {
        "location": f"{source.path}:{line}:{col}", "line": line, "column": col, "function": d.fn.name,
        "before_op": d.context[0] or None, "after_op": d.context[1] or None,
        "pattern": d.pattern,
        "decision": "removed" if d.removed else "kept",
        "proved": d.removable,
        "reason": reason,
    }
    if d.unread:
        entry["unread"] = True
    if not d.removed and (d.unread or d.pattern is not None):
        entry["cause"] = d.cause.json()
    if d.pattern is not None:
        entry["weight"] = d.weight
        entry["pairs_checked"] = d.pairs_checked
        entry["same_access_chains"] = d.same_access_pairs
        entry["ops_before"] = [e.op or e.kind.value for e in d.before_ops]
        entry["ops_after"] = [e.op or e.kind.value for e in d.after_ops]
        if costs is not None:
            entry["cycles"] = _cycles(d, costs)
    if hazard is not None:
        entry["hazard"] = hazard
    if d.unknown_events:
        entry["not_understood"] = [
            {"location": source.place(e.stmt.span.start) if e.stmt is not None else None, "why": e.why}
            for e in d.unknown_events]
    edit = warning = None
    if d.removed:
        from ptofix.cpp.barriers import REMOVED_MARKER
        tag = d.pattern if d.removable else f"{d.pattern}, FORCED"
        text = f"{REMOVED_MARKER} ({tag}) */"
        if id(d.stmt) in outside_lists(d.fn):
            text += ";"
        # (The edit's reason is left empty: the report's entry gives it, worded when asked for.)
        edit = Edit(d.stmt.span.start, d.stmt.span.end, text)
        if not d.removable:
            warning = (f"{source.path}:{line}:{col}: warning: --force removed an unproven "
                       f"PIPE_V barrier: {reason.text()}")
    return entry, edit, warning, (labels[id(d.fn)], d.weight, d.removed), fields


PASS = PipeVBarrierPass
