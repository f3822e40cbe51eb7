"""Hazard model: a deterministic, seed-driven schedule of the vector pipe between drains.

Between two PIPE_V drains (``pipe_barrier(PIPE_V)``/``PIPE_ALL``, the internal barriers of §2
ops; ``wait_flag(PIPE_V, PIPE_S, e)`` drains only the steps issued before its matching set, and a
scalar access to GM drains none: ptofix.pto.ordering) the vector pipe may overlap its instructions: a later op may
read bytes an earlier op has not written yet (RAW), an earlier op's write may land after a later
op's (WAW), and a later write may land before an earlier read (WAR). The model keeps the issued
steps of the current *epoch* pending and, at the next drain, executes them in an order drawn from
the seed. A step whose walk is known (sim/repeats.py, from ptofix.pto.repeat_walks) runs repeat
by repeat; any other step is one atomic unit.

Besides the byte hazards, every executed step records which writes it read (``flow``, see
memory.py), so a reordering whose values happen to coincide is still visible.

Orders that the hardware guarantees are kept, and no others:

* steps of other pipes (TLOAD, TSTORE, FIFO copies) stay in program order among themselves and
  relative to every vector step they share UB bytes with (cross-pipe set/wait flags are not what
  ``ptofix run`` rewrites, so they are trusted; a rewrite that issues other ones than its original
  is refused: runner.flags_differ);
* a flag round trip ``set_flag(PIPE_V, X)`` ... ``wait_flag(PIPE_V, X)`` ... ``set_flag(X, PIPE_V)``
  ... ``wait_flag(X, PIPE_V)``, or a chain through more pipes (X waits, then signals Y, ..., which
  signals V), completes every vector step issued before the first set_flag before any later
  vector step starts (``drain_before``; tracked by the interpreter). Such a wait holds back no
  step issued after that set: a pipelined successor of a step it completes may run along with it
  (``_issued_successors``);
* only under the opt-in race model (``--same-access-chains``, ptofix/pto/race_model.py; the default,
  msSanitizer's a2/a3 rule, gives no credit for instruction distance or repeat order): in-order
  issue of the vector pipe, repeat by repeat (``PIPELINED``, the same-access chain rule of
  ptofix/pto/same_access_chain.py): of two conflicting vector
  steps A, B issued in that order with no drain between, both with a known walk, A of at least
  ``IN_ORDER_DISTANCE`` repeats and built on an instruction that lands within them
  (``same_access_chain.chain_producer``), no loop back-edge taken between the issues, and B reading every
  byte of A's it overwrites, B's repeat k runs only after A's repeats 0..k. A's later repeats
  may still be in flight: the schedule runs B's repeat k right after A's repeat k (a lag of 0, the
  worst case, on every fourth seed) or up to 15 repeats later, so a B that reads (or writes) bytes
  A touches in a later repeat than B's own sees the stale bytes. This is a model of the pipe, not
  a rule about op names: it is as strict as each op's walk.

Every other conflicting pair of vector steps has no order at all: the schedule may run either
first, whole. A step is overtaken only by steps less than ``window`` positions after it (and at
most ``window - 1`` times in a row). With ``rng=None`` the schedule is program order (the
in-order reference).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..pto.race_model import DEFAULT_RACE_MODEL, RaceModel

# The pipe's in-order guarantee between two instructions' repeats, under the opt-in race model,
# holds once the earlier one runs this many repeats (PTOAS PR 674's pipeline depth).
from ..pto.same_access_chain import CHAIN_MIN_REPEATS as IN_ORDER_DISTANCE
from ..pto.same_access_chain import chain_producer
from .memory import Memory, SimError, TileView
from .repeats import RepeatWalk

# Steps a run may issue: every step keeps a record for the comparison (~0.4 KB) and a long one
# costs ~0.1 ms, so a loop the statement cap lets through with large tiles (dozens of steps a
# statement) would otherwise run for hours and exhaust memory.
MAX_STEPS = 1_000_000
MAX_EPOCH = 512          # steps kept pending at most; a longer epoch is executed in two parts


@dataclass
class IssuedStep:
    seq: int
    stmt: int
    label: str
    vector: bool
    reads: list            # TileView or (lo, hi) tuples
    writes: list
    fn: Callable[[Memory, int], None]
    stamp: tuple = ()      # ((loop_uid, iteration), ...) of the enclosing loops
    tmp: bool = False
    back: int = 0          # loop back-edges taken before this step was issued
    walk: RepeatWalk | None = None   # its repeats, when known (else one atomic unit)


def _rng(x) -> tuple[int, int]:
    return (x.lo, x.hi) if isinstance(x, TileView) else x


def _repeat_count(rec: IssuedStep) -> int:
    """The repeats a step runs as (1: one atomic unit, its walk not known)."""
    return len(rec.walk) if rec.walk is not None else 1


def _overlap(a, b) -> bool:
    alo, ahi = _rng(a)
    blo, bhi = _rng(b)
    return alo < bhi and blo < ahi


@dataclass
class ScheduleHazard:
    first: IssuedStep      # issued first
    second: IssuedStep     # issued later, executed earlier
    kind: str              # RAW / WAR / WAW
    lo: int
    hi: int


class StepError(Exception):
    """A step failed while the epoch executed; carries the record (its statement) and the error."""

    def __init__(self, record: IssuedStep, error: Exception):
        super().__init__(str(error))
        self.record = record
        self.original = error      # a SimError is the input's fault; anything else is a simulator bug
        self.error = error if not isinstance(error, (ValueError, IndexError, TypeError)) else \
            f"{type(error).__name__}: {error}"


class Scheduler:
    def __init__(self, mem: Memory, rng: np.random.Generator | None = None, window: int = 4,
                 p_in_order: float = 0.5, latest_first: bool = False,
                 race_model: RaceModel = DEFAULT_RACE_MODEL):
        self.mem = mem
        # Whether a pair may be kept in repeat order (``pipelined``): only under the opt-in model.
        self.race_model = race_model
        self.rng = rng
        # Pick the latest step that may run next, every time (no draw): the most reordered
        # schedule the window allows, which overtakes every pair a draw may leave in order.
        self.latest_first = latest_first
        self.window = max(1, window)
        self.p_in_order = p_in_order
        self.pending: list[IssuedStep] = []
        self.seq = 0
        self.hazards: list[ScheduleHazard] = []     # conflicting pairs that executed out of order
        self.steps_run = 0
        self.vector_steps_run = 0    # of those, vector ops' steps (none: the run compared nothing)
        # issue number -> (digest of the value identities the step read, statement, label);
        # see memory.py: equal flows mean equal values on every input.
        self.flow: dict[int, tuple] = {}
        # issue number -> the number of the flush that executed the step: two steps of one flush
        # were between the same two drains, so the schedule may overlap them.
        self.flush_of: dict[int, int] = {}
        self.flushes = 0

    # -- issue --------------------------------------------------------------------------------
    def issue(self, stmt: int, label: str, vector: bool, reads: list, writes: list, fn,
              stamp: tuple = (), tmp: bool = False, back: int = 0, walk: RepeatWalk | None = None) -> None:
        if self.seq >= MAX_STEPS:
            raise SimError(f"more than {MAX_STEPS} pipe steps issued (a loop too long to simulate)")
        self.pending.append(IssuedStep(self.seq, stmt, label, vector, reads, writes, fn, stamp, tmp, back, walk))
        self.seq += 1
        if len(self.pending) >= MAX_EPOCH:
            self._flush(self.pending[:MAX_EPOCH // 2])
            self.pending = self.pending[MAX_EPOCH // 2:]

    def drain_before(self, seq: int) -> None:
        """Complete every pending step issued before ``seq`` (a wait on a flag whose set covered
        those steps). Steps issued since may complete with them, in the schedule's order."""
        if self.pending and self.pending[0].seq < seq:
            self.pending = self._flush(self.pending, lambda rec: rec.seq < seq)

    def complete_other_pipes(self) -> None:
        """Complete every pending step of another pipe than V (what a scalar access to GM sees
        done: the model trusts their flags), with whatever the schedule runs before them; the
        vector steps after them stay pending (the access does not wait for V)."""
        if any(not rec.vector for rec in self.pending):
            self.pending = self._flush(self.pending, lambda rec: not rec.vector)

    def drain(self) -> None:
        """A PIPE_V drain: every pending step completes."""
        if self.pending:
            self._flush(self.pending)
            self.pending = []

    # -- ordering -----------------------------------------------------------------------------
    @staticmethod
    def conflicts(a: IssuedStep, b: IssuedStep) -> list[tuple[str, object, object]]:
        """(kind, operand of a, operand of b) for every overlapping pair with a write (a first)."""
        out = []
        for w in a.writes:
            for r in b.reads:
                if _overlap(w, r):
                    out.append(("RAW", w, r))
            for w2 in b.writes:
                if _overlap(w, w2):
                    out.append(("WAW", w, w2))
        for r in a.reads:
            for w in b.writes:
                if _overlap(r, w):
                    out.append(("WAR", r, w))
        return out

    @staticmethod
    def same_iteration(a: IssuedStep, b: IssuedStep) -> bool:
        """No loop back-edge was taken between the two issues: the pair is not "across a loop
        back-edge" (§5.3). This matches the proof's control-flow graph, where leaving a loop after
        an iteration also passes its back-edge (the exit is at the loop header)."""
        inner = dict(a.stamp)
        for uid, it in b.stamp:
            if uid in inner and inner[uid] != it:
                return False
        return a.back == b.back

    @classmethod
    def pipelined(cls, a: IssuedStep, b: IssuedStep, conflicts) -> bool:
        """The pipe's in-order issue orders b's repeat k after a's repeats 0..k (see the module
        docstring): both vector steps with known walks, a long enough and built on an instruction
        whose result lands within that distance (same_access_chain.chain_producer: not vdiv, vln,
        vsqrt or vrec), no back-edge between them,
        no tmp, and every byte b overwrites of a's also read by b (a write that lands without a
        read of a's result may overtake a's write)."""
        if not (a.vector and b.vector) or a.walk is None or b.walk is None or a.tmp or b.tmp:
            return False
        if len(a.walk) < IN_ORDER_DISTANCE or not chain_producer(a.label) or not cls.same_iteration(a, b):
            return False
        for kind, x, y in conflicts:
            if any(x is v for v in a.walk.broadcast) or any(y is v for v in b.walk.broadcast) \
                    or x is a.walk.per_row or y is b.walk.per_row:
                return False      # a per-column operand: no repeat of its own (repeats.py)
            if kind == "WAW":
                lo, hi = max(_rng(x)[0], _rng(y)[0]), min(_rng(x)[1], _rng(y)[1])
                if not any(_rng(r)[0] <= lo and hi <= _rng(r)[1] for r in b.reads):
                    return False
        return True

    @staticmethod
    def repeats_ahead(a: IssuedStep, b: IssuedStep, conflicts) -> int:
        """The most repeats by which b touches a byte of a conflict before a does: b's repeat k and
        a's repeat j on one byte with j - k = the result. (Both walked.)"""
        assert a.walk is not None and b.walk is not None
        ahead = -(1 << 30)
        for _kind, x, y in conflicts:
            lo, hi = max(_rng(x)[0], _rng(y)[0]), min(_rng(x)[1], _rng(y)[1])
            ra = a.walk.byte_repeats(x)[lo - x.lo:hi - x.lo]
            rb = b.walk.byte_repeats(y)[lo - y.lo:hi - y.lo]
            both = (ra >= 0) & (rb >= 0)
            if both.any():
                ahead = max(ahead, int((ra[both] - rb[both]).max()))
        return ahead

    def _order(self, recs: list[IssuedStep]) -> tuple[list[int], dict, set]:
        """The step order of a flush, every conflicting pair (i, j) (i issued first) with its
        operands, and the pairs the pipe keeps in repeat order (``pipelined``)."""
        n = len(recs)
        conf: dict[tuple[int, int], list] = {}
        piped: set[tuple[int, int]] = set()
        if self.rng is None or n < 2:
            return list(range(n)), conf, piped
        preds: list[set[int]] = [set() for _ in range(n)]
        w = self.window
        lows = np.array([min((_rng(x)[0] for x in (*r.reads, *r.writes)), default=0) for r in recs])
        highs = np.array([max((_rng(x)[1] for x in (*r.reads, *r.writes)), default=0) for r in recs])
        near = (lows[:, None] < highs[None, :]) & (lows[None, :] < highs[:, None])
        for j in range(n):
            for i in np.flatnonzero(near[:j, j]).tolist():
                a, b = recs[i], recs[j]
                c = self.conflicts(a, b)
                if not c:
                    continue
                conf[(i, j)] = c
                # (A step is never overtaken by one that far behind: such a pair stays in order
                # anyway, but a pipelined one still overlaps its repeats.)
                if not a.vector or not b.vector:
                    preds[j].add(i)   # cross-pipe dependency: flags are trusted
                elif self.race_model.credits_same_access_chains and self.pipelined(a, b, c):
                    preds[j].add(i)
                    piped.add((i, j))
            for i in range(max(0, j - w + 1), j):
                if not recs[i].vector and not recs[j].vector:
                    preds[j].add(i)
        done = [False] * n
        remaining = list(range(n))
        order: list[int] = []
        skipped = 0
        rng = self.rng
        while remaining:
            head = remaining[0]
            if skipped >= w - 1 or (not self.latest_first and rng.random() < self.p_in_order):
                pick = 0
            else:
                cands = [k for k, idx in enumerate(remaining[:w])
                         if idx < head + w and all(done[p] for p in preds[idx])]
                pick = cands[-1] if self.latest_first else cands[int(rng.integers(len(cands)))]
            idx = remaining.pop(pick)
            if idx == head:
                skipped = 0
            else:
                skipped += 1
            done[idx] = True
            order.append(idx)
        return order, conf, piped

    def _units(self, recs: list[IssuedStep], order: list[int], conf: dict, piped: set) -> tuple[list, dict]:
        """The repeat-level schedule of the steps in ``order``: (step, first repeat, end repeat)
        batches in execution order, and each step's start round. A step in a pipelined pair runs
        one repeat a round from its start round; any other step is one unit. A step starts after
        every conflicting step before it in ``order`` has finished (steps of other pipes: after
        every earlier one), except a pipelined successor, which starts with (lag 0) or up to 15
        rounds after its predecessor: its repeat k then runs right after the predecessor's repeat
        k at the earliest."""
        in_pair = {i for pair in piped for i in pair}
        units = {i: max(1, _repeat_count(recs[i])) if i in in_pair else 1 for i in order}
        pos = {idx: k for k, idx in enumerate(order)}
        start: dict[int, int] = {}
        for idx in order:
            begin = 0
            lag = 0
            if not self.latest_first and self.rng is not None and any((i, idx) in piped for i in start):
                lag = int(self.rng.integers(0, IN_ORDER_DISTANCE))
            for other in start:
                pair = (min(other, idx), max(other, idx))
                both_other_pipes = not recs[other].vector and not recs[idx].vector
                if pair in piped:
                    begin = max(begin, start[other] + lag)
                elif pair in conf or both_other_pipes:
                    begin = max(begin, start[other] + units[other] - 1)
            start[idx] = begin
        timeline = sorted((start[idx] + r, pos[idx], r, idx) for idx in order for r in range(units[idx]))
        batches: list[list[int]] = []
        for _round, _pos, r, idx in timeline:
            if batches and batches[-1][0] == idx and batches[-1][2] == r:
                batches[-1][2] = r + 1
            else:
                batches.append([idx, r, r + 1])
        for batch in batches:
            if units[batch[0]] == 1:
                batch[2] = _repeat_count(recs[batch[0]])      # one unit: all its repeats
        return batches, start

    def _issued_successors(self, prefix: list[int], rest: list[int], conf: dict, piped: set) -> list[int]:
        """Of the steps ``rest`` a partial flush leaves pending, those that run along with it:
        the pipelined successors (``pipelined``) of a step it executes, in ``rest``'s order.

        A wait that completes only the steps issued before its set (``drain_before``) does not
        hold back a step issued since: the pipe may already run it repeat by repeat behind its
        predecessor, and ahead of that predecessor's later repeats. Left pending, such a step
        would run only after its predecessor had finished, which hides exactly that overlap
        (issue #66: ``wait_flag`` for an earlier event, then a TMULS reading what a TADDS before
        it writes). It joins the flush on half of the draws (``latest_first``: always), so the
        schedules where it runs later, alongside the steps after the wait, are drawn too."""
        if self.rng is None or not piped:
            return []
        joined: list[int] = []
        done = set(prefix)
        for idx in rest:
            if not any((i, idx) in piped for i in done):
                continue
            # (Every step it conflicts with that was issued before it runs in this flush too.)
            if any(j == idx and i not in done for i, j in conf):
                continue
            if not self.latest_first and self.rng.random() < 0.5:
                continue
            joined.append(idx)
            done.add(idx)
        return joined

    def _flush(self, recs: list[IssuedStep], must: Callable[[IssuedStep], bool] | None = None) -> list[IssuedStep]:
        """Execute ``recs`` in the schedule's order; with ``must``, only the order's prefix up to
        the last step ``must`` selects. Returns the steps left pending (in issue order); one left
        behind that conflicts with a later step executed here has been overtaken by it: a hazard."""
        self.flushes += 1
        order, conf, piped = self._order(recs)
        if must is not None:
            last = max((k for k, idx in enumerate(order) if must(recs[idx])), default=-1)
            order = order[:last + 1] + self._issued_successors(order[:last + 1], order[last + 1:], conf, piped)
        if self.rng is None:
            batches = [[idx, 0, _repeat_count(recs[idx])] for idx in order]
            start = {idx: k for k, idx in enumerate(order)}
        else:
            batches, start = self._units(recs, order, conf, piped)
        first_at: dict[int, int] = {}
        last_at: dict[int, int] = {}
        for t, (idx, _first, _end) in enumerate(batches):
            first_at.setdefault(idx, t)
            last_at[idx] = t
        for (i, j), pairs in conf.items():
            if j not in first_at:
                continue
            if i not in first_at:
                reversed_pair = True
            elif (i, j) in piped:
                reversed_pair = self.repeats_ahead(recs[i], recs[j], pairs) > start[j] - start[i]
            else:
                reversed_pair = first_at[j] < last_at[i]
            if reversed_pair:
                kind, x, y = pairs[0]
                lo = max(_rng(x)[0], _rng(y)[0])
                hi = min(_rng(x)[1], _rng(y)[1])
                self.hazards.append(ScheduleHazard(recs[i], recs[j], kind, lo, hi))
        mem = self.mem
        for idx, first, end in batches:
            rec = recs[idx]
            self.flush_of[rec.seq] = self.flushes
            mem.cur_vid = rec.seq + 1
            mem.observed = []
            try:
                if rec.walk is not None:
                    rec.walk.run(mem, rec.stmt, first, end, rec.fn)
                else:
                    rec.fn(mem, rec.stmt)
            except StepError:
                raise
            except Exception as exc:     # noqa: BLE001 - reported with the statement
                raise StepError(rec, exc) from None
            if rec.walk is None:
                self.flow[rec.seq] = (hash(tuple(mem.observed)), rec.stmt, rec.label)
            elif end >= len(rec.walk):
                self.flow[rec.seq] = (rec.walk.digest(), rec.stmt, rec.label)
        self.steps_run += len(order)
        self.vector_steps_run += sum(1 for idx in order if recs[idx].vector)
        if len(order) == len(recs):
            return []
        executed = set(order)
        return [rec for k, rec in enumerate(recs) if k not in executed]
