"""PIPE_V races: pairs of vector ops that may be in flight together and conflict in UB bytes.

The same machinery that proves a barrier redundant (barriers.py) proves one missing: for every
vector op ``c``, walk back to the nearest drains (V->S flag pairs and op-internal barriers
included, loop back-edges followed) and check every op ``p`` found there with the proof's own
hazard rule (RAW/WAR/WAW byte overlap, hidden scratch included, exact same-access chains
excepted). Statements the model does not understand make the function *unverified* (one note),
never a race. ptoas output can race this way: two no-tmp row-expands with a ColMajor per-row
operand share the hidden scratch (docs/reference/pto-facts.md §2.3).
"""
from __future__ import annotations

from ..record import Record
from ..source import SourceText
from .barriers import BarrierAnalysis, Hazard
from .model import CppFile, Function, Stmt
from .vector_cfg import Event, EventKind


class Race(Record):
    fn: Function
    hazard: Hazard

    @property
    def earlier(self) -> Event:
        return self.hazard.earlier

    @property
    def later(self) -> Event:
        return self.hazard.later


class Unverified(Record):
    fn: Function
    event: Event


def find_races(model: CppFile, analysis: BarrierAnalysis | None = None) -> tuple[list[Race], list[Unverified]]:
    # Report only races that must exist: every flag pair is taken to order what it may order.
    analysis = analysis or BarrierAnalysis(model, lenient_flags=True)
    races: list[Race] = []
    unverified: list[Unverified] = []
    for fn in model.functions:
        cfg = analysis.cfg(fn)
        if cfg.unstructured:
            unverified.append(Unverified(fn, cfg.entry))
            continue
        seen: set[tuple] = set()
        first_unknown: Event | None = None
        for c in cfg.events:
            if c.kind is not EventKind.OP:
                continue
            before, _ = analysis._walk(cfg, c, backward=True)
            for p, _back in before:
                if p.kind is EventKind.UNKNOWN:
                    first_unknown = first_unknown or p      # a statement not understood comes first
            for p, back_p in before:
                if p.kind is EventKind.UNKNOWN:
                    continue
                if p.stmt is not None and p.stmt is c.stmt:
                    continue      # two phases of one op, ordered by its internal barrier
                back = back_p or c.order <= p.order
                # The same-access chain is taken as safe across a back-edge too: only races that
                # must exist are reported (the proof keeps its stricter rule).
                hazard, _ = analysis._pair_hazard(p, c, False, cfg)
                if hazard is not None:
                    hazard.via_back_edge = back
                key = (id(p.stmt), id(c.stmt))
                if hazard is not None and not _proven(hazard):
                    first_unknown = first_unknown or Event(EventKind.UNKNOWN, stmt=c.stmt, order=c.order, why=(
                        f"{c.op}: the bytes {p.op} and it touch are not known, so a conflict can be neither "
                        "shown nor ruled out"))
                    continue
                if hazard is not None and key not in seen:
                    seen.add(key)
                    races.append(Race(fn, hazard))
        if first_unknown is not None:
            unverified.append(Unverified(fn, first_unknown))
    return races, unverified


def _proven(hazard: Hazard) -> bool:
    """A race is reported only when both sides' bytes are known (else the region is unverified)."""
    return all(a is not None and a.intervals is not None and a.space is not None
               for a in (hazard.earlier_access, hazard.later_access))


def describe(race: Race, source: SourceText) -> tuple[str, str]:
    """(warning at the later op, note at the earlier one), GCC style."""
    h = race.hazard
    later, earlier = h.later, h.earlier
    la, ea = h.later_access, h.earlier_access

    def where(event: Event) -> str:
        return source.location(event.stmt.span.start) if event.stmt is not None else source.path

    def what(access) -> str:
        if access is None:
            return "unknown bytes"
        span = "unknown bytes" if access.intervals is None else \
            ", ".join(f"[{a}, {b})" for a, b in access.intervals)
        return f"{'writes' if access.write else 'reads'} {access.name} {span}"

    path = " across the loop back-edge" if h.via_back_edge else ""
    warning = (f"{where(later)}: warning: {h.kind} race: {later.op} {what(la)} while {earlier.op} may still "
               f"run (no PIPE_V drain between them{path})")
    note = f"{where(earlier)}: note: {earlier.op} {what(ea)} here"
    return warning, note


def barrier_positions(races: list[Race], analysis: BarrierAnalysis) -> list[tuple[Stmt, list[Race]]]:
    """The fewest statements to put a barrier in front of so that every race is separated.

    Races within one statement list, earlier before later, are intervals: stabbing them greedily
    by their right end is optimal. Any other race (across lists, or around a loop back-edge) gets
    a barrier right before its later op, which every path to it passes.
    """
    chosen: dict[int, tuple[Stmt, list[Race]]] = {}
    intervals = []
    for race in races:
        cfg = analysis.cfg(race.fn)
        pos_p = cfg.position.get(id(race.earlier.stmt))
        pos_c = cfg.position.get(id(race.later.stmt))
        if pos_p and pos_c and pos_p[0] is pos_c[0] and pos_p[1] < pos_c[1] and not race.hazard.via_back_edge:
            intervals.append((pos_c[1], pos_p[1], pos_c[0], race))
        else:
            stmt = race.later.stmt
            assert stmt is not None
            chosen.setdefault(id(stmt), (stmt, []))[1].append(race)
    intervals.sort(key=lambda item: (id(item[2]), item[0]))
    placed: dict[int, list[int]] = {}
    for right, left, stmts, race in intervals:
        marks = placed.setdefault(id(stmts), [])
        if any(left < m <= right for m in marks):
            hit = next(m for m in marks if left < m <= right)
            chosen[id(stmts[hit])][1].append(race)
            continue
        marks.append(right)
        stmt = stmts[right]
        chosen.setdefault(id(stmt), (stmt, []))[1].append(race)
    return sorted(chosen.values(), key=lambda item: item[0].span.start)
