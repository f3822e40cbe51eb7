"""An original that races on its own: compare the rewrite against ``ptofix check --fix`` of it.

A comparison with a racy original says nothing about the rewrite (exit 4). ``check --fix`` inserts
the barriers that separate the original's races (pass ``pipe-v-barrier-insert``); inserting the same
barriers at the same places of the rewrite (a rewrite of that original: its lines map onto the
original's) gives a pair whose original no longer races where check sees a race, so the comparison
answers about what the rewrite changed. The barriers are placed by line: each lies in a stretch of
lines the two files share (``difflib``), else the pair is left as it is, with the reason.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from ..cpp.model import CppFile
from ..interpreter import recursion_headroom
from ..pass_manager import build_pass
from ..pto.race_model import DEFAULT_RACE_MODEL, RaceModel
from ..source import Edit, SourceText, apply_edits


@dataclass
class RaceFix:
    original: SourceText            # the original with check --fix's barriers
    rewritten: SourceText           # the rewrite with the same barriers
    inserted: list[str] = field(default_factory=list)     # where, in the original (file:line:col)
    races: int = 0                  # races check reports in the original

    def as_dict(self) -> dict:
        return {"races": self.races, "inserted": list(self.inserted)}


MAX_DIFFERING_LINES = 5000


def _map_offsets(original: str, rewritten: str, offsets: list[int]) -> list[int] | str:
    """Each offset of ``original`` at the same line and column of ``rewritten``, where its line lies
    in a run of lines the two share; else the reason it cannot be placed."""
    # Lines as the compiler and every diagnostic count them (LF, CRLF or a lone CR ends one: not
    # str.splitlines's, which also ends one at a form feed or U+2028), compared without their
    # ends: a rewrite with CRLF ends of an LF original shares all its lines.
    source_a, source_b = SourceText(original, ""), SourceText(rewritten, "")
    lines_a = [source_a.line_text(n) for n in range(1, source_a.line_count() + 1)]
    lines_b = [source_b.line_text(n) for n in range(1, source_b.line_count() + 1)]
    # (The lines the two begin and end with are matched first, in linear time: difflib's longest
    # matches are quadratic in many equal lines, `#endif` 4,000 times took 12 s, issue #60; it
    # reads only the lines between, and not past MAX_DIFFERING_LINES of them.)
    head = 0
    while head < min(len(lines_a), len(lines_b)) and lines_a[head] == lines_b[head]:
        head += 1
    tail = 0
    while tail < min(len(lines_a), len(lines_b)) - head and lines_a[-1 - tail] == lines_b[-1 - tail]:
        tail += 1
    middle_a, middle_b = lines_a[head:len(lines_a) - tail], lines_b[head:len(lines_b) - tail]
    blocks = [(0, 0, head), (len(lines_a) - tail, len(lines_b) - tail, tail)]
    if middle_a and middle_b:
        if len(middle_a) * len(middle_b) > MAX_DIFFERING_LINES ** 2:
            return (f"the kernels differ in more than {MAX_DIFFERING_LINES} lines: the lines where check --fix "
                    "inserts barriers are not placed in the rewrite")
        blocks += [(head + a, head + b, size) for a, b, size in
                   difflib.SequenceMatcher(None, middle_a, middle_b, autojunk=False).get_matching_blocks()]
    out: list[int] = []
    for offset in offsets:
        line, column = source_a.line_col(offset)
        line -= 1
        for a, b, size in blocks:
            if a <= line < a + size:
                out.append(source_b.line_start(b + line - a + 1) + column - 1)
                break
        else:
            return f"line {line + 1} of the original, where check --fix inserts a barrier, differs in the rewrite"
    return out


def fix_both(original: CppFile, rewritten: CppFile, race_model: RaceModel = DEFAULT_RACE_MODEL) -> RaceFix | str:
    """The pair with check --fix's barriers (under ``race_model``), or why not (no race check can
    fix, a line not shared)."""
    insert = build_pass("pipe-v-barrier-insert", {}, same_access_chains=race_model.credits_same_access_chains)
    with recursion_headroom():
        result = insert.apply(original, original.source)
    edits: list[Edit] = list(result.edits)
    if not edits:
        unfixed = result.report.get("unfixed") or []
        if unfixed:
            return f"check --fix cannot separate the races in '{unfixed[0]['function']}'"
        return "check reports no race it can fix there (the simulator's race is not one check sees)"
    flat = [edit.start for edit in edits] + [edit.end for edit in edits]
    mapped = _map_offsets(original.source.text, rewritten.source.text, flat)
    if isinstance(mapped, str):
        return mapped
    n = len(edits)
    moved = [Edit(mapped[k], mapped[n + k], edit.replacement, edit.reason) for k, edit in enumerate(edits)]
    fixed_original = SourceText(apply_edits(original.source.text, edits),
                                f"{original.source.path} (with check --fix)")
    fixed_rewritten = SourceText(apply_edits(rewritten.source.text, moved),
                                 f"{rewritten.source.path} (with check --fix of the original)")
    inserted = [entry["location"] for entry in result.report.get("inserted", [])]
    return RaceFix(fixed_original, fixed_rewritten, inserted, int(result.report.get("races", 0)))
