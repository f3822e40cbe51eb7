"""``ptofix check`` on one file as a library: the PIPE_V races and the broken tile placements of a
ptoas C++ kernel, with ``--fix``'s barriers inserted (in a worker process with ``-j``)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from .batch import Processed
from .compile_env import NO_COMMAND_LINE, CompileEnvironment
from .cpp.barriers import BarrierAnalysis
from .cpp.placement import find_placements
from .cpp.races import UNDECIDED, describe, find_races, to_json
from .frontends import parse_cpp, parsers
from .interpreter import recursion_headroom
from .located import Located, Place
from .pass_manager import Pass, run_pipeline
from .pto.race_model import DEFAULT_RACE_MODEL, RaceModel
from .side_files import ReadRecord
from .source import SourceText, UnreadableInput, read_source


@dataclass(frozen=True)
class RaceCheck:
    """What ``check`` does to each of its files."""

    insert: Pass | None = None    # --fix: the pipe-v-barrier-insert pass, built once
    functions: bool = False       # the report draws the input's functions (--report html)
    # The report is for an HTML page (--report html; run's page of the input's races): each
    # unverified note carries ``undecided`` (html_report), which the JSON report leaves out.
    page: bool = False
    # The compiler's command line every file is read with, the pto-isa checkout and its facts
    # (those of every version when no checkout is known; with one, each PIPE_V barrier's cost by
    # its calibrated vector head and tail) and the kernel's arch (for tile placements).
    environment: CompileEnvironment = NO_COMMAND_LINE
    # Which unbarriered overlaps are races (pto/race_model.py): --same-access-chains credits PTOAS
    # #674's chains; by default they are races of their own category.
    race_model: RaceModel = DEFAULT_RACE_MODEL
    # With a checkout in the environment, each PIPE_V barrier's cost in cycles is reported (check);
    # False: not computed (run's report of the input's races, which keeps none of it).
    barrier_cycles: bool = True

    def process(self, path: str) -> Processed:
        """The races, unverified functions and broken placements of ``path``, as diagnostic lines and
        the report; with ``insert``, the text with the barriers it inserts."""
        return self.process_source(read_source(path))

    def process_source(self, source: SourceText) -> Processed:
        """``process`` of a text already read (the Python API's ``check``)."""
        # The files this file's job reads besides it (headers; the pto-isa checkout's): returned
        # with the result (Processed.depends), so that no output replaces one.
        reads = ReadRecord(self.environment.isa_files)
        try:
            model = parse_cpp(source, self.environment, reads)
        except UnreadableInput as unread:
            # Valid C++ the model cannot read: unverified as a whole, never refused.
            offset = unread.diagnostic.offset
            where = _place(source, offset if offset is not None else 0)
            why = unread.diagnostic.message
            line = f"{where}: note: the file is unverified: {why} (races in it are neither shown nor ruled out)"
            return Processed(source, source.text, {"file": source.path, "races": [], "by_kind": {}, "by_category": {},
                                                   "unverified": [{"function": None, "location": where, "why": why}],
                                                   "placements": [], "unread": why}, [line], [], [],
                             reads.sorted())
        lines: list[str] = []
        placements: list[dict[str, Any]] = []
        with recursion_headroom():
            analysis = BarrierAnalysis(model, lenient_flags=True, isa=self.environment.isa,
                                       race_model=self.race_model)
            # Broken placements first: they fault or corrupt data whatever the synchronisation.
            for placement in find_placements(model, analysis, self.environment.arch):
                where = _place(source, placement.stmt.span.start)
                user = source.place(placement.user.span.start) if placement.user is not None else None
                lines.append(placement.message(where, user))
                placements.append(placement.to_json(where, user))
            races, unverified = find_races(model, analysis)
            for race in races:
                lines.extend(describe(race, source, analysis))
            pto_isa = self.environment.pto_isa
            costs = _barrier_costs(analysis, source, pto_isa) if pto_isa and self.barrier_cycles else None
        notes: list[dict[str, Any]] = []
        for item in {id(u.fn): u for u in unverified}.values():
            event = item.event
            start = event.stmt.span.start if event.stmt is not None else item.fn.span.start
            if event.stmt is not None:
                # The caret on the construct that is not modelled (a call inside the initializer),
                # not on the statement's first word.
                why_at = analysis.ctx.construct_at.get(id(event.stmt))
                if why_at is not None and event.why == why_at[0]:
                    start = why_at[1]
            where = _place(source, start)
            why = event.why or "control flow not modelled"
            # (A reason that already says nothing is shown or ruled out is not told so twice.)
            undecided = event.tag == UNDECIDED
            consequence = "" if undecided else " (races through it are neither shown nor ruled out)"
            lines.append(Located(where, f": note: '{item.fn.name}' is unverified: ", why, consequence))
            note: dict[str, Any] = {"function": item.fn.name, "location": where, "why": why}
            if self.page or self.functions:
                note["undecided"] = undecided
            notes.append(note)
        kinds = dict(Counter(race.hazard.kind for race in races))
        categories = dict(Counter(race.category for race in races))
        report: dict[str, Any] = {"file": source.path, "races": [to_json(r, source, analysis) for r in races],
                                  "by_kind": kinds, "by_category": categories, "race_model": self.race_model.value,
                                  "unverified": notes, "placements": placements}
        text = source.text
        warnings: list[str] = []
        if self.insert is not None and races:
            outcome = run_pipeline(source, [self.insert], parsers(model.environment, reads), {"cpp": model})
            text = outcome.text
            report["inserted"] = outcome.reports[0]["inserted"]
            report["unfixed"] = outcome.reports[0]["unfixed"]
            warnings = list(outcome.warnings)
        if costs is not None:
            from .pto.vector_latency import MODEL, cost_words
            report["barrier_cycles"] = {"model": MODEL, "barriers": costs}
            for entry in costs:
                around = f"{entry['before_op'] or '[no op on straight-line code]'} -> " \
                         f"{entry['after_op'] or '[no op on straight-line code]'}"
                lines.append(f"{entry['location']}: note: pipe_barrier(PIPE_V) ({around}): "
                             f"{cost_words(entry['cycles'])}")
        if self.functions:
            from .html_report import strips  # (1.6 ms of imports, only for --report html)
            report["functions"] = strips(model)
        return Processed(source, text, report, lines, warnings, [], reads.sorted())


def _place(source: SourceText, offset: int) -> Place:
    """Where ``offset`` is, ``path:line:col`` with its parts (SARIF reads them, sarif.py)."""
    line, column = source.line_col(offset)
    return Place(source.path, line, column)


def _barrier_costs(analysis: BarrierAnalysis, source: SourceText, pto_isa: str) -> list[dict[str, Any]]:
    """Each PIPE_V barrier's drain-and-refill cycles (pto/vector_latency.py) per execution and per
    call (its estimated executions, cpp/weights.py), as `run --pto-isa` reports them."""
    from .cpp.model import SimpleStmt
    from .cpp.weights import statement_weights
    from .pto.vector_latency import LatencyTable
    table = LatencyTable.read(pto_isa)
    out: list[dict[str, Any]] = []
    for fn in analysis.functions:
        cfg = analysis.cfg(fn)
        counts = statement_weights(fn, cfg.sem)
        for stmt in fn.statements():
            event = cfg.barrier_events.get(id(stmt))
            if event is None or not isinstance(stmt, SimpleStmt):
                continue
            before_op, after_op = analysis.context(fn, stmt)
            before = [before_op] if before_op else []
            after = [after_op] if after_op else []
            if not cfg.unstructured and not (before and after):
                # (No neighbour on straight-line code: every op that may be in flight across it.)
                walked = [[e.op or e.kind.value for e, _ in analysis.ops_in_flight(cfg, event, backward=way)[0]]
                          for way in (True, False)]
                before, after = before or walked[0], after or walked[1]
            line, column = source.line_col(stmt.span.start)
            weight = counts.get(id(stmt), 1)
            out.append({"location": f"{source.path}:{line}:{column}", "line": line, "column": column,
                        "function": fn.name, "before_op": before_op or None, "after_op": after_op or None,
                        "weight": weight, "cycles": table.cycles_entry(before, after, weight)})
    return sorted(out, key=lambda entry: (entry["line"], entry["column"]))


