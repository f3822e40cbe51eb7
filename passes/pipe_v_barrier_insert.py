"""Pass `pipe-v-barrier-insert`: add the `pipe_barrier(PIPE_V);` statements a race needs.

The races are those `ptofix check` reports (ptofix/cpp/races.py): vector ops that may run together
and conflict in UB bytes. Few barriers separate every race (races.barrier_positions: the fewest for
the races within one statement list; a race around a loop back-edge gets its own unless another
inserted barrier already lies on its way), each after a `/* ptofix: <kind> on <operand> with input
line N */` comment naming the first race it separates (N is the line of the earlier op in the
input: every inserted barrier moves the lines after it). A second run finds no race and changes
nothing.
"""
from __future__ import annotations

from typing import ClassVar

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.model import CppFile
from ptofix.cpp.parser import parse_cpp
from ptofix.cpp.races import barrier_positions, comment, describe, find_races
from ptofix.located import Place
from ptofix.pass_manager import Pass, PassResult
from ptofix.pto.race_model import SAME_ACCESS_CHAINS_HELP, RaceModel
from ptofix.records import field
from ptofix.source import Edit, SourceText, apply_edits, line_end_near, line_start


class PipeVBarrierInsertPass(Pass):
    name: ClassVar[str] = "pipe-v-barrier-insert"
    kind: ClassVar[str] = "cpp"
    summary: ClassVar[str] = "insert the fewest pipe_barrier(PIPE_V) that separate every PIPE_V race"
    reads_slot_numbers: ClassVar[bool] = True

    # (The pto-isa checkout's version facts are the model's: CompileEnvironment.isa.)
    # The race model (ptofix/pto/race_model.py), as pipe-v-barrier's: by default an unbarriered
    # PTOAS #674 same-access chain is a race and gets a barrier.
    same_access_chains: bool = field(default=False, metadata={"help": SAME_ACCESS_CHAINS_HELP})

    def apply(self, model, source: SourceText) -> PassResult:
        race_model = RaceModel.of(self.same_access_chains)
        analysis = BarrierAnalysis(model, lenient_flags=True, isa=model.environment.isa,
                                   race_model=race_model)
        races, unverified = find_races(model, analysis)
        # One entry per inserted barrier: (index of its function, its edits, its report entry).
        planned: list[tuple[int, list[Edit], dict]] = []
        for stmt, covered in barrier_positions(races, analysis):
            start = stmt.span.start
            indent = source.text[line_start(source.text, start):start]
            # On a line of its own when the statement starts one, else on the statement's line.
            sep = line_end_near(source.text, start) + indent if not indent.strip() else " "
            barrier = f"{comment(covered[0], source)} pipe_barrier(PIPE_V);"
            if analysis.cfg(covered[0].fn).position.get(id(stmt)) is None:
                # The body of a braceless if/for/else: a block keeps the barrier inside it.
                edits = [Edit(start, start, "{ " + barrier + " ", f"separates {len(covered)} race(s)"),
                         Edit(stmt.span.end, stmt.span.end, " }", "closes the block")]
            else:
                edits = [Edit(start, start, barrier + sep, f"separates {len(covered)} race(s)")]
            planned.append((_function_index(model, covered[0].fn), edits,
                            {"location": Place(source.path, *source.line_col(start)),   # (html_report reads its line)
                             "races": [describe(r, source, analysis)[0] for r in covered]}))
        stuck = _still_racing(source, [edit for _, edits, _ in planned for edit in edits], model, race_model)
        warnings, unfixed = [], []
        for index in sorted(stuck):
            # A barrier the model would not read as one there (`pipe_barrier` may be declared anew
            # by a statement it cannot read): it would not end the race, and every run would add
            # another. The function is left as it is, with a warning.
            fn = model.functions[index]
            where = source.location(fn.span.start)
            warnings.append(f"{where}: warning: cannot fix the races in '{fn.name}': a pipe_barrier(PIPE_V) "
                            "inserted there would not be read as a drain; nothing inserted")
            unfixed.append({"function": fn.name, "location": where})
        planned = [entry for entry in planned if entry[0] not in stuck]
        report = {"races": len(races), "inserted": [entry for _, _, entry in planned], "unfixed": unfixed,
                  "unverified": [f.name for f in {id(u.fn): u.fn for u in unverified}.values()]}
        return PassResult([edit for _, edits, _ in planned for edit in edits], report, warnings)


def _function_index(model, fn) -> int:
    return next(i for i, other in enumerate(model.functions) if other is fn)


def _still_racing(source: SourceText, edits: list[Edit], model: CppFile, race_model: RaceModel) -> set[int]:
    """Indices of the functions that still race once ``edits`` are applied to the file of ``model``
    (read as it was: its environment, its job's record; inserting statements adds no function, so
    the indices are the input's)."""
    if not edits:
        return set()
    fixed = parse_cpp(SourceText(apply_edits(source.text, edits), source.path), model.environment, model.reads)
    races, _ = find_races(fixed, race_model=race_model)
    return {_function_index(fixed, race.fn) for race in races}


PASS = PipeVBarrierInsertPass
