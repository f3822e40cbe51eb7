"""Pass `pipe-v-barrier-insert`: add the `pipe_barrier(PIPE_V);` statements a race needs.

The races are those `ptofix check` reports (ptofix/cpp/races.py): vector ops that may run together
and conflict in UB bytes. The fewest barriers that separate every race are inserted, each after a
`/* ptofix: ... */` comment naming the hazard. A second run finds no race and changes nothing, and
the barrier proof never removes an inserted barrier (it separates a real hazard).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ptofix.pass_manager import Pass, PassResult
from ptofix.source import Edit, SourceText


@dataclass
class PipeVBarrierInsertPass(Pass):
    name: ClassVar[str] = "pipe-v-barrier-insert"
    kind: ClassVar[str] = "cpp"
    summary: ClassVar[str] = "insert the fewest pipe_barrier(PIPE_V) that separate every PIPE_V race"

    def apply(self, model, source: SourceText) -> PassResult:
        from ptofix.cpp.barriers import BarrierAnalysis
        from ptofix.cpp.races import barrier_positions, describe, find_races

        analysis = BarrierAnalysis(model, lenient_flags=True)
        races, unverified = find_races(model, analysis)
        edits = []
        inserted = []
        for stmt, covered in barrier_positions(races, analysis):
            first = covered[0].hazard
            access = first.later_access or first.earlier_access
            operand = access.name if access is not None else "UB"
            line, _ = source.line_col(first.earlier.stmt.span.start) if first.earlier.stmt is not None else (0, 0)
            start = stmt.span.start
            line_start = source.text.rfind("\n", 0, start) + 1
            indent = source.text[line_start:start]
            indent = indent if not indent.strip() else " "
            text = (f"/* ptofix: {first.kind} on {operand} with {first.earlier.op} at line {line} */ "
                    f"pipe_barrier(PIPE_V);\n{indent}")
            edits.append(Edit(start, start, text, f"separates {len(covered)} race(s)"))
            inserted.append({"location": source.location(start), "races": [describe(r, source)[0] for r in covered]})
        report = {"races": len(races), "inserted": inserted,
                  "unverified": [f.name for f in {id(u.fn): u.fn for u in unverified}.values()]}
        return PassResult(edits, report, [])


PASS = PipeVBarrierInsertPass
