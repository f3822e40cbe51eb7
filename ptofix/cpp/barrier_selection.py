"""Which barriers BarrierAnalysis removes together: the greedy pass by weight, the selection that swaps
removals for more weight (improve_selection), and the joint proof of a set of removals. A
BarrierSelection holds the proof it asks (a ``Prover``: BarrierAnalysis, barriers.py, which
creates one as its ``selection``); this module knows the proof only by that protocol, so it
imports nothing of barriers.py."""
from __future__ import annotations

from typing import Protocol

from .analysis_part import AnalysisPart
from .barrier_decisions import PATTERNS, Cause, CauseKind, Decision
from .barrier_flags import AT_BOUNDARY
from .barrier_sites import IN_HEADER, header_barrier_offsets, macro_barrier, unread_barrier, v_barrier_offsets
from .cfg_events import Event
from .model import OpaqueStmt, SimpleStmt
from .weights import statement_weights

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Final

    from .model import CppFile, Function
    from .semantics import FileContext
    from .vector_cfg import FunctionCFG

# Work bound of the search for a better set of removals than the greedy pass's (proofs tried, a
# count rather than a time, so the outcome is deterministic): past it the best set found so far
# stands, every removal of it proved. A changed set is completed and proved jointly at most
# SELECTION_ROUNDS times (another round only when a joint proof gave up a removal).
SELECTION_PROOFS_PER_CANDIDATE: Final = 4
SELECTION_MIN_PROOFS: Final = 64
SELECTION_ROUNDS: Final = 4
MAX_GIVEN_BACK: Final = 4          # removals one swap may give back together
PROOFS_KEPT_PER_BARRIER: Final = 4     # the selection search's proofs remembered per barrier, latest first


class Prover(Protocol):
    """What the selection asks of the proof (BarrierAnalysis, barriers.py)."""

    model: CppFile
    functions: list[Function]
    ctx: FileContext
    barrier_macros: frozenset[str]
    removed: set[int]             # id(barrier Event) treated as gone: the selection sets it
    reached: set[int] | None      # barriers the walks reach, while a proof is recorded
    cycles_of: Callable[[Decision], int] | None

    def cfg(self, fn: Function) -> FunctionCFG: ...

    def context(self, fn: Function, stmt: SimpleStmt) -> tuple[str, str]: ...

    def decide(self, fn: Function, stmt: SimpleStmt, pattern: str | None) -> Decision: ...

    def ops_in_flight(self, cfg: FunctionCFG, start: Event, backward: bool, proven_only: bool = False,
                      crossed: set[int] | None = None) -> tuple[list[tuple[Event, bool]], bool]: ...

    def may_hold_v_barrier(self, fn: Function) -> bool: ...

    def forget_boundaries(self) -> None: ...

    def release(self, keep_asts: bool = False) -> None: ...


class BarrierSelection(AnalysisPart[Prover]):
    """Which barriers of a proof's functions are removed together (``run``): the greedy pass, the
    search for a better set (``improve_selection``) and the joint proof (``prove_jointly``). Holds
    the proof it asks (``analysis``, let go of by ``detach``) and the search's own state: its
    budget of proofs and the proofs it recorded."""

    def __init__(self, analysis: Prover) -> None:
        super().__init__(analysis)
        self.budget = 0       # proofs left to the selection search (improve_selection)
        # The selection search's latest proofs, by barrier: (decision, the removed barriers its
        # walks crossed, the kept ones they stopped at). A proof reads ``analysis.removed`` only at
        # the barriers its walks reach, so it holds again while those are as they were: the search
        # and the joint proof ask the same barrier again and again with removals far from it
        # changed, and a proof read back costs a few set operations, not two walks and their
        # pairs (what kept decide_by_groups linear with a small constant: issue #60).
        self.proofs: dict[tuple, list[tuple[Decision, frozenset, frozenset]]] = {}

    def run(self, patterns: set[str], force: bool = False, weights: dict[int, int] | None = None,
            independent: bool = False, selection_proofs: int | None = None) -> list[Decision]:
        """Decide every selected barrier. Removals interact (a removed barrier is no drain for the
        next proof), so candidates are tried by how often they run, most first (``weights``: the
        user's per-line overrides); the decisions come back in file order. ``independent``: decide
        each barrier with every other one in place (what a one-by-one count measures; the
        decisions then do not combine, and no pass uses it). ``selection_proofs``: the budget of
        improve_selection (default: by the number of candidates; 0: the greedy pass's set)."""
        slots: list[Decision | None] = []
        candidates = []
        source = self.analysis.model.source
        for fn in self.analysis.functions:
            if not self.analysis.may_hold_v_barrier(fn):
                continue      # no barrier to decide: modelled only if a decision reads it
            cfg = self.analysis.cfg(fn)
            counts = statement_weights(fn, cfg.sem)
            for stmt in fn.statements():
                if id(stmt) not in cfg.barrier_events or not isinstance(stmt, SimpleStmt):
                    unread = unread_barrier(cfg, stmt) or macro_barrier(stmt, self.analysis.barrier_macros)
                    # Inside an opaque construct: one for each barrier it spells, where it is; in a
                    # loop's or branch's header, each one there.
                    at = [stmt.span.start + offset for offset in v_barrier_offsets(stmt.text)] \
                        if unread and isinstance(stmt, (OpaqueStmt, SimpleStmt)) else []
                    if not unread:
                        at = header_barrier_offsets(source.text, stmt)
                        unread = IN_HEADER if at else ""
                    if unread:
                        for offset in at or [stmt.span.start]:
                            d = Decision(fn, stmt, None, False, unread=True, at=offset)
                            d.explain(Cause(CauseKind.UNREAD, why=unread, function=fn.name,
                                            construct=stmt.reason if isinstance(stmt, OpaqueStmt) else ""), source)
                            d.weight = counts.get(id(stmt), 1)
                            slots.append(d)
                    continue
                before, after = self.analysis.context(fn, stmt)
                line = self.analysis.model.source.line_col(stmt.span.start)[0]
                weight = (weights or {}).get(line, counts.get(id(stmt), 1))
                pattern = None
                for name in sorted(patterns - {"auto"}):
                    if PATTERNS[name] == (before, after):
                        pattern = name
                        break
                if pattern is None and "auto" in patterns:
                    pattern = "auto"
                if pattern is None:
                    d = Decision(fn, stmt, None, False, context=(before, after))
                    d.explain(Cause(CauseKind.NOT_SELECTED, function=fn.name), source)
                    d.weight = weight
                    slots.append(d)
                    continue
                candidates.append((-weight, len(slots), fn, stmt, pattern, weight))
                slots.append(None)
        tried: list[Decision] = []
        places: list[int] = []
        for _neg, index, fn, stmt, pattern, weight in sorted(candidates, key=lambda c: (c[0], c[1])):
            d = self.analysis.decide(fn, stmt, pattern)
            d.weight = weight
            if d.removable or force:
                d.removed = True
                if not independent:
                    self.analysis.removed.add(id(self.event_of(d)))
            tried.append(d)
            places.append(index)
        if not (force or independent) and len(tried) > 1:
            budget = SELECTION_PROOFS_PER_CANDIDATE * len(tried) + SELECTION_MIN_PROOFS
            tried = self.improve_selection(tried, budget if selection_proofs is None else selection_proofs)
        for index, d in zip(places, tried, strict=True):
            slots[index] = d
        return [d for d in slots if d is not None]


    def event_of(self, d: Decision) -> Event:
        return self.analysis.cfg(d.fn).barrier_events[id(d.stmt)]


    def decide_with(self, d: Decision, removed: set[int]) -> Decision:
        """``d``'s barrier decided again with the barriers of the events ``removed`` gone (and
        only those): a proof of the selection search, counted against its budget."""
        stmt = d.stmt
        assert isinstance(stmt, SimpleStmt)
        self.budget -= 1
        key = (id(stmt), d.pattern)
        known = self.proofs.setdefault(key, [])
        if not self.analysis.ctx.exhausted():
            for proof, crossed, stopped in known:
                if crossed <= removed and stopped.isdisjoint(removed):
                    fresh = _copy_decision(proof)
                    fresh.weight = d.weight
                    return fresh
        saved = self.analysis.removed
        self.analysis.removed = removed
        reached: set[int] = set()
        self.analysis.reached = reached
        try:
            fresh = self.analysis.decide(d.fn, stmt, d.pattern)
        finally:
            self.analysis.removed = saved
            self.analysis.reached = None
        # (A walk that reached the function's entry or exit read what its callers leave in
        # flight, which other barriers' removals change: such a proof is not kept.)
        if AT_BOUNDARY not in reached and not self.analysis.ctx.exhausted():
            known.insert(0, (_copy_decision(fresh), frozenset(reached & removed), frozenset(reached - removed)))
            del known[PROOFS_KEPT_PER_BARRIER:]
        fresh.weight = d.weight
        return fresh


    def decide_without(self, d: Decision, given_back: set[int]) -> Decision:
        """``d``'s barrier decided again with the removals ``given_back`` made undone (and the
        others in place), as ``_decide_with(d, self.analysis.removed - given_back)`` but without copying
        ``self.analysis.removed``: the joint proof and the selection search ask this once per removal, and
        a copy each time would make them quadratic in the number of barriers."""
        back = given_back & self.analysis.removed
        self.analysis.removed -= back
        try:
            return self.decide_with(d, self.analysis.removed)
        finally:
            self.analysis.removed |= back


    def removals_in_window(self, d: Decision) -> set[int]:
        """The removed barriers (event ids) the walks from ``d``'s barrier cross: the only ones
        whose drains it may need. (Counted against the search's budget as a proof is.)"""
        self.budget -= 1
        cfg = self.analysis.cfg(d.fn)
        event = cfg.barrier_events.get(id(d.stmt))
        crossed: set[int] = set()
        if event is not None and not cfg.unstructured:
            self.analysis.ops_in_flight(cfg, event, backward=True, crossed=crossed)
            self.analysis.ops_in_flight(cfg, event, backward=False, crossed=crossed)
        return crossed


    def improve_selection(self, decisions: list[Decision], budget: int) -> list[Decision]:
        """Better the greedy pass's removals: ``decisions`` are in the order it tried them
        (heaviest first), ``self.analysis.removed`` holds its removals. A barrier kept only because
        removed ones no longer drain is "blocked"; where giving back one removed barrier (or the
        few a blocked one needs all of) lets blocked ones of more weight (or as much and more
        barriers) be proved, that swap is made (_better_swap), and again until none is better or
        the budget of proofs is spent (a count, so the outcome is deterministic). A changed set
        is completed (every kept candidate tried with all removals made) and proved again as a
        whole (prove_jointly), so no kept barrier is removable given the others: a second run
        removes nothing more. Should that leave less than the greedy pass, its set stands. Each
        blocked barrier's reason names the removals that made it needed. ``budget``: the proofs
        the search may try. Returns the decisions in the same order."""
        self.budget = budget
        greedy, greedy_removed = decisions, set(self.analysis.removed)
        current = decisions
        needs = self.blocked(current)
        swapped = False
        while self.budget > 0:
            better = self.better_swap(current, needs)
            if better is None:
                break
            current, swapped = better, True
            needs = self.blocked(current)
        if swapped:
            for _round in range(SELECTION_ROUNDS):
                current = self.complete(current)
                current, dropped = self.prove_jointly(current)
                if not dropped:
                    break
            if _removal_score(current, self.analysis.cycles_of) < _removal_score(greedy, self.analysis.cycles_of):
                current = greedy
                self.analysis.removed = greedy_removed
            needs = self.blocked(current)
        self.explain_blocked(current, needs)
        return current


    def blocked(self, decisions: list[Decision]) -> dict[int, tuple[list[int], bool]]:
        """For each kept decision (by index) that becomes removable once the removed barriers its
        walks cross are given back: (the indices of those of them that free it each on its own,
        True), or (all of them, False) when none does alone."""
        position = {id(self.event_of(d)): i for i, d in enumerate(decisions) if d.removed}
        out: dict[int, tuple[list[int], bool]] = {}
        for i, d in enumerate(decisions):
            if d.removed or self.budget <= 0:
                continue
            crossed = sorted(position[e] for e in self.removals_in_window(d) if e in position)
            if not crossed:
                continue
            events = [id(self.event_of(decisions[j])) for j in crossed]
            if not self.decide_without(d, set(events)).removable:
                continue
            if len(crossed) == 1:
                out[i] = (crossed, True)
                continue
            # (Charged as the proofs of each removal given back alone, whatever the search below
            # spends: the budget runs out where it always did.)
            budget = self.budget - len(crossed)
            alone = self.freeing_alone(d, list(zip(crossed, events, strict=True)), True)
            self.budget = budget
            out[i] = (alone, True) if alone else (crossed, False)
        return out


    def freeing_alone(self, d: Decision, run: list[tuple[int, int]], frees_together: bool) -> list[int]:
        """The indices of the removals of ``run`` ((index, event id) pairs, in order) that free
        kept ``d`` each given back on its own, in order. ``frees_together``: giving back the whole
        run is known to free it. A proof is monotone in the drains given back: with more of them
        the walks reach a subset of the states (the same ops or fewer, fewer barriers crossed,
        no boundary they did not reach), so what the proof finds is a subset of the pairs, events
        and crossings it found with fewer. Where giving back a whole run does not free ``d``, no
        removal of it does alone: one proof rules out the run, and a barrier blocked on both sides
        of a long window costs a few proofs, not one per removal its walks cross."""
        if len(run) == 1:
            return [run[0][0]] if self.decide_without(d, {run[0][1]}).removable else []
        if len(run) > 2 and not frees_together \
                and not self.decide_without(d, {event for _, event in run}).removable:
            return []
        half = len(run) // 2
        return self.freeing_alone(d, run[:half], False) + self.freeing_alone(d, run[half:], False)


    def better_swap(self, decisions: list[Decision],
                     needs: dict[int, tuple[list[int], bool]]) -> list[Decision] | None:
        """The first removals to give back (one that alone frees a blocked barrier, or the few a
        blocked barrier needs all of, fewest first, then in greedy order) after which the blocked
        barriers they free, tried heaviest first, and then the given-back ones again, save more
        executions than before, or as many with more barriers: the decisions after that swap
        (``self.analysis.removed`` updated), or None."""
        options: list[tuple[int, ...]] = []
        for i in sorted(needs):
            blockers, alone = needs[i]
            if alone:
                options.extend((j,) for j in blockers)
            elif len(blockers) <= MAX_GIVEN_BACK:
                options.append(tuple(blockers))
        # (Work per option grows with the barriers it touches, not with the file: the blocked
        # barriers an option may free are found through their blockers, and the score of a swap
        # is the score before it plus what its changed decisions add.)
        blocked_by: dict[int, list[int]] = {}
        for i in sorted(needs):
            for j in needs[i][0]:
                blocked_by.setdefault(j, []).append(i)
        before = _removal_score(decisions, self.analysis.cycles_of)
        for given in sorted(set(options), key=lambda g: (len(g), g)):
            if self.budget <= 0:
                return None
            freed = sorted({i for j in given for i in blocked_by.get(j, ()) if _frees(needs[i], given)})
            # (self.analysis.removed is changed in place and undone should the swap not pay: a copy per
            # option would make the search quadratic in the number of barriers.)
            removed = self.analysis.removed
            back = {id(self.event_of(decisions[j])) for j in given} & removed
            removed -= back
            added: list[int] = []
            made: list[tuple[int, Decision]] = []
            for i in freed + list(given):
                d = self.decide_with(decisions[i], removed)
                if d.removable:
                    d.removed = True
                    event = id(self.event_of(d))
                    if event not in removed:
                        removed.add(event)
                        added.append(event)
                made.append((i, d))
            changed = {i: d for i, d in made}
            after = _removal_score([d for d in changed.values()], self.analysis.cycles_of)
            undone = _removal_score([decisions[i] for i in changed], self.analysis.cycles_of)
            if (before[0] - undone[0] + after[0], before[1] - undone[1] + after[1],
                    before[2] - undone[2] + after[2]) <= before:
                removed.difference_update(added)
                removed |= back
                continue
            out = list(decisions)
            for i, d in made:
                out[i] = d
            return out
        return None


    def complete(self, decisions: list[Decision]) -> list[Decision]:
        """Every kept decision decided again, in order, with the removals made so far (each one
        proved with all earlier removals in place, as in the greedy pass)."""
        out = list(decisions)
        for i, d in enumerate(out):
            if d.removed:
                continue
            fresh = self.decide_with(d, self.analysis.removed)
            if fresh.removable:
                fresh.removed = True
                self.analysis.removed.add(id(self.event_of(fresh)))
            out[i] = fresh
        return out


    def prove_jointly(self, decisions: list[Decision]) -> tuple[list[Decision], bool]:
        """Prove the removals of ``decisions`` together: each is decided again with every other
        one made. One that no longer holds is kept (the last in the list first: the lightest) and
        the others are proved again, until all hold. Returns the decisions (the removed ones
        replaced by their joint proofs) and whether any removal was given up; ``self.analysis.removed``
        ends as the proved set."""
        # (What a caller's walk found at a call site was read with another set of removals.)
        self.analysis.forget_boundaries()
        out = list(decisions)
        members = [i for i, d in enumerate(out) if d.removed]
        self.analysis.removed = {id(self.event_of(out[i])) for i in members}
        dropped = False
        while True:
            failed = -1
            for i in reversed(members):
                event = id(self.event_of(out[i]))
                d = self.decide_without(out[i], {event})
                d.removed = d.removable
                out[i] = d
                if not d.removable:
                    failed = i
                    self.analysis.removed.discard(event)
                    self.name_removals_in_window(d)
                    break
            if failed < 0:
                return out, dropped
            members.remove(failed)
            dropped = True


    def name_removals_in_window(self, d: Decision) -> None:
        """Say in kept ``d``'s cause the removals (of ``analysis.removed``) its walks cross."""
        crossed = self.removals_in_window(d)
        offsets = [event.stmt.span.start for event in self.analysis.cfg(d.fn).barrier_events.values()
                   if id(event) in crossed and event.stmt is not None]
        if offsets:
            d.explain(d.cause.with_needed_once(offsets, False), self.analysis.model.source)

    def explain_blocked(self, decisions: list[Decision], needs: dict[int, tuple[list[int], bool]]) -> None:
        """Say in each blocked barrier's cause which removals made it needed."""
        for i, (blockers, alone) in needs.items():
            d = decisions[i]
            cause = d.cause
            if d.removed or cause.needed_once or (cause.kind is CauseKind.NOT_ANALYSED and not cause.unknown):
                continue       # (a proof the work bound ended, or one that names its removals already)
            offsets = [decisions[j].stmt.span.start for j in blockers]
            d.explain(cause.with_needed_once(offsets, alone), self.analysis.model.source)


def _copy_decision(d: Decision) -> Decision:
    """A decision of its own (a recorded proof handed out again gets its weight, removal and
    reason set by the search)."""
    return Decision(**{name: getattr(d, name) for name in Decision._fields})


def _frees(need: tuple[list[int], bool], given: tuple[int, ...]) -> bool:
    """Whether giving back the removals ``given`` may free a blocked barrier of this need."""
    blockers, alone = need
    if alone:
        return any(j in given for j in blockers)
    return all(j in given for j in blockers)


def _removal_score(decisions: list[Decision], cycles_of: Callable[[Decision], int] | None) -> tuple[int, int, int]:
    """What a set of removals saves: cycles per call (``cycles_of``: a removal's cycles per
    execution, run --pto-isa; else none counted), then barrier executions by weight, then barriers."""
    removed = [d for d in decisions if d.removed]
    cycles = 0 if cycles_of is None else sum(d.weight * cycles_of(d) for d in removed)
    return cycles, sum(d.weight for d in removed), len(removed)
