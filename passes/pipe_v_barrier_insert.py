"""Pass `pipe-v-barrier-insert`: add the `pipe_barrier(PIPE_V);` statements a race needs.

The races are those `ptofix check` reports (ptofix/cpp/races.py): vector ops that may run together
and conflict in UB bytes. The fewest barriers that separate every race are inserted, each after a
`/* ptofix: <kind> on <operand> with line N */` comment naming the first race it separates (N is
the line of the earlier op). A second run finds no race and changes nothing, and the barrier proof
never removes an inserted barrier (it separates a real hazard).
"""
from __future__ import annotations

from typing import ClassVar

from ptofix.pass_manager import Pass, PassResult
from ptofix.source import Edit, SourceText, line_start


class PipeVBarrierInsertPass(Pass):
    name: ClassVar[str] = "pipe-v-barrier-insert"
    kind: ClassVar[str] = "cpp"
    summary: ClassVar[str] = "insert the fewest pipe_barrier(PIPE_V) that separate every PIPE_V race"

    def apply(self, model, source: SourceText) -> PassResult:
        from ptofix.cpp.barriers import BarrierAnalysis
        from ptofix.cpp.races import barrier_positions, comment, describe, find_races

        analysis = BarrierAnalysis(model, lenient_flags=True)
        races, unverified = find_races(model, analysis)
        edits = []
        inserted = []
        for stmt, covered in barrier_positions(races, analysis):
            start = stmt.span.start
            indent = source.text[line_start(source.text, start):start]
            # On a line of its own when the statement starts one, else on the statement's line.
            newline = "\r\n" if "\r\n" in source.text else "\n"
            sep = newline + indent if not indent.strip() else " "
            barrier = f"{comment(covered[0], source)} pipe_barrier(PIPE_V);"
            if analysis.cfg(covered[0].fn).position.get(id(stmt)) is None:
                # The body of a braceless if/for/else: a block keeps the barrier inside it.
                edits.append(Edit(start, start, "{ " + barrier + " ", f"separates {len(covered)} race(s)"))
                edits.append(Edit(stmt.span.end, stmt.span.end, " }", "closes the block"))
            else:
                edits.append(Edit(start, start, barrier + sep, f"separates {len(covered)} race(s)"))
            inserted.append({"location": source.location(start),
                             "races": [describe(r, source, analysis)[0] for r in covered]})
        report = {"races": len(races), "inserted": inserted,
                  "unverified": [f.name for f in {id(u.fn): u.fn for u in unverified}.values()]}
        return PassResult(edits, report, [])


PASS = PipeVBarrierInsertPass
