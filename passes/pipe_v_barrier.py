"""Pass `pipe-v-barrier`: remove `pipe_barrier(PIPE_V);` statements the tile-dependency proof allows.

Patterns only select candidates (by the nearest vector op before/after); the proof in
ptofix/cpp/barriers.py decides. A removed barrier becomes a comment on the same line, so line
numbers stay stable and a second run finds nothing to do.

Only the functions a decision can depend on are modelled: those that may hold a PIPE_V barrier,
with their callers and callees (``barrier_components``). The report's ``not_parsed`` lists the
statements of those functions the grammar cannot parse (each read as unknown by the proof).
"""
from __future__ import annotations

from ptofix.pass_manager import Pass, PassResult
from ptofix.source import Edit, SourceText

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar


class PipeVBarrierPass(Pass):
    name: ClassVar[str] = "pipe-v-barrier"
    kind: ClassVar[str] = "cpp"
    summary: ClassVar[str] = ("remove provably redundant pipe_barrier(PIPE_V) "
                              "(pattern=gu|softmax-exp-sum|softmax-sum-add|auto)")

    pattern: str = "auto"
    force: bool = False
    weight: str = ""          # "LINE=N,LINE=N": how often the barrier on LINE runs (overrides the estimate)

    def apply(self, model, source: SourceText) -> PassResult:
        from ptofix.cpp.barriers import BarrierAnalysis, normalize_patterns
        from ptofix.source import PtofixError

        patterns = normalize_patterns(self.pattern)
        overrides: dict[int, int] = {}
        for item in filter(None, (part.strip() for part in self.weight.split(","))):
            line_text, sep, count = item.partition("=")
            if not sep or not line_text.strip().isdigit() or not count.strip().isdigit():
                raise PtofixError(f"--weight '{item}': expected LINE=COUNT")
            overrides[int(line_text)] = int(count)
        analysis = BarrierAnalysis(model, barrier_components_only=True)
        decisions = analysis.run(patterns, force=self.force, weights=overrides)
        edits: list[Edit] = []
        warnings: list[str] = []
        entries = []
        for d in decisions:
            line, col = source.line_col(d.stmt.span.start)
            entry = {
                "location": f"{source.path}:{line}:{col}", "line": line, "column": col, "function": d.fn.name,
                "before_op": d.context[0] or None, "after_op": d.context[1] or None,
                "pattern": d.pattern,
                "decision": "removed" if d.removed else "kept",
                "proved": d.removable,
                "reason": d.reason,
            }
            if d.pattern is not None:
                entry["weight"] = d.weight
                entry["pairs_checked"] = d.pairs_checked
                entry["same_access_chains"] = d.same_access_pairs
                entry["ops_before"] = [e.op or e.kind.value for e in d.before_ops]
                entry["ops_after"] = [e.op or e.kind.value for e in d.after_ops]
            if d.hazard is not None:
                entry["hazard"] = d.hazard.describe(source)
            if d.unknown_events:
                entry["not_understood"] = [
                    {"location": source.location(e.stmt.span.start) if e.stmt is not None else None, "why": e.why}
                    for e in d.unknown_events]
            entries.append(entry)
            if d.removed:
                tag = d.pattern if d.removable else f"{d.pattern}, FORCED"
                edits.append(Edit(d.stmt.span.start, d.stmt.span.end,
                                  f"/* ptofix: removed pipe_barrier(PIPE_V) ({tag}) */", d.reason))
                if not d.removable:
                    warnings.append(f"{source.path}:{line}:{col}: warning: --force removed an unproven "
                                    f"PIPE_V barrier: {d.reason}")
        removed = sum(1 for d in decisions if d.removed)
        dynamic: dict[str, dict[str, int]] = {}
        for d in decisions:
            counts = dynamic.setdefault(d.fn.name, {"before": 0, "after": 0})
            counts["before"] += d.weight
            counts["after"] += 0 if d.removed else d.weight
        unparsed = analysis.unparsed_statements()
        report = {"patterns": sorted(patterns), "barriers": len(decisions), "removed": removed,
                  "statements_not_parsed": len(unparsed),
                  "dynamic_barriers": dynamic,
                  "not_parsed": [source.location(stmt.span.start) for stmt in unparsed],
                  "decisions": entries}
        return PassResult(edits, report, warnings)


PASS = PipeVBarrierPass
