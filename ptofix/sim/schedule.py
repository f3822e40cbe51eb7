"""Hazard model: a deterministic, seed-driven schedule of the vector pipe between drains.

Between two PIPE_V drains (``pipe_barrier(PIPE_V)``/``PIPE_ALL``, the internal barriers of §2
ops; ``wait_flag(PIPE_V, PIPE_S, e)`` drains only the steps issued before its matching set, and a
scalar access to GM drains none: ptofix.pto.ordering) the vector pipe may overlap its instructions: a later op may
read bytes an earlier op has not written yet (RAW), an earlier op's write may land after a later
op's (WAW), and a later write may land before an earlier read (WAR). The model keeps the issued
steps of the current *epoch* pending and, at the next drain, executes them in a random order
drawn from the seed. Each step reads and writes atomically, so running step j before step i
(i < j) shows exactly those three hazards between them.

Besides the byte hazards, every executed step records which writes it read (``flow``, see
memory.py), so a reordering whose values happen to coincide is still visible.

Orders that the hardware guarantees are kept:

* steps of other pipes (TLOAD, TSTORE, FIFO copies) stay in program order among themselves and
  relative to every vector step they share UB bytes with (cross-pipe set/wait flags are not what
  ``ptofix run`` rewrites, so they are trusted);
* a flag round trip ``set_flag(PIPE_V, X)`` ... ``wait_flag(PIPE_V, X)`` ... ``set_flag(X, PIPE_V)``
  ... ``wait_flag(X, PIPE_V)``, or a chain through more pipes (X waits, then signals Y, ..., which
  signals V), completes every vector step issued before the first set_flag before any later
  vector step starts (``drain_before``; tracked by the interpreter);
* the *same-access chain* rule (docs/reference/pto-facts.md §5.3, ptofix.pto.ordering): a vector
  producer (one of ``ptofix.pto.ops.CHAIN_PRODUCERS``: single-cycle instructions, and TEXP)
  followed by a vector consumer whose every conflicting operand is the exact same access
  (address, shape, dtype, layout, valid shape) as a producer destination with >= 16 repeats of
  256 B and a contiguous valid region, which the consumer reads, neither step having a tmp
  operand, no loop back-edge taken between the two issues (leaving a loop after an iteration
  takes one, as in the proof's control-flow graph), stays in order. (The proof also asks the
  consumer to walk in an order the chain covers: this rule is the wider one.)

A step is overtaken only by steps less than ``window`` positions after it (and at most
``window - 1`` times in a row), so only pairs closer than the window need checking. With
``rng=None`` the schedule is program order (the in-order reference).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..pto.ops import chain_producer
from ..pto.ordering import chain_repeats_enough, same_access_chain_operand
from .memory import Memory, SimError, TileView

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


def _rng(x) -> tuple[int, int]:
    return (x.lo, x.hi) if isinstance(x, TileView) else x


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
                 p_in_order: float = 0.5, latest_first: bool = False):
        self.mem = mem
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
        # issue number -> (digest of the value identities the step read, statement, label);
        # see memory.py: equal flows mean equal values on every input.
        self.flow: dict[int, tuple] = {}
        # issue number -> the number of the flush that executed the step: two steps of one flush
        # were between the same two drains, so the schedule may overlap them.
        self.flush_of: dict[int, int] = {}
        self.flushes = 0

    # -- issue --------------------------------------------------------------------------------
    def issue(self, stmt: int, label: str, vector: bool, reads: list, writes: list, fn,
              stamp: tuple = (), tmp: bool = False, back: int = 0) -> None:
        if self.seq >= MAX_STEPS:
            raise SimError(f"more than {MAX_STEPS} pipe steps issued (a loop too long to simulate)")
        self.pending.append(IssuedStep(self.seq, stmt, label, vector, reads, writes, fn, stamp, tmp, back))
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
    def chain_safe(cls, a: IssuedStep, b: IssuedStep, conflicts) -> bool:
        """docs/reference/pto-facts.md §5.3: hardware-safe exact same-access chain from a to b. Every
        conflicting operand pair must be one exact access that a writes and b reads
        (ptofix.pto.ordering, the proof's rule): a consumer that only overwrites it is no chain."""
        if not (a.vector and b.vector) or not chain_producer(a.label):
            return False
        across = not cls.same_iteration(a, b)
        for _kind, x, y in conflicts:
            if not (isinstance(x, TileView) and isinstance(y, TileView)):
                return False
            key = x.key
            written = [w for w in a.writes if isinstance(w, TileView) and w.key == key]
            read = any(isinstance(r, TileView) and r.key == key for r in b.reads)
            if not same_access_chain_operand(y.key == key, bool(written), read, a.tmp or b.tmp, across):
                return False
            if not (chain_repeats_enough(written[0].repeats) and written[0].contiguous):
                return False
        return bool(conflicts)

    def ordered(self, a: IssuedStep, b: IssuedStep, conflicts) -> bool:
        if not conflicts:
            return False
        if not a.vector or not b.vector:
            return True           # cross-pipe dependency: flags are trusted
        return self.chain_safe(a, b, conflicts)

    def _order(self, recs: list[IssuedStep]) -> tuple[list[int], dict]:
        n = len(recs)
        conf: dict[tuple[int, int], list] = {}
        if self.rng is None or n < 2:
            return list(range(n)), conf
        preds: list[set[int]] = [set() for _ in range(n)]
        w = self.window
        for j in range(n):
            for i in range(max(0, j - w + 1), j):
                a, b = recs[i], recs[j]
                if not a.vector and not b.vector:
                    preds[j].add(i)
                    continue
                c = self.conflicts(a, b)
                if c:
                    conf[(i, j)] = c
                    if self.ordered(a, b, c):
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
        return order, conf

    def _flush(self, recs: list[IssuedStep], must: Callable[[IssuedStep], bool] | None = None) -> list[IssuedStep]:
        """Execute ``recs`` in the schedule's order; with ``must``, only the order's prefix up to
        the last step ``must`` selects. Returns the steps left pending (in issue order); one left
        behind that conflicts with a later step executed here has been overtaken by it: a hazard."""
        self.flushes += 1
        order, conf = self._order(recs)
        if must is not None:
            last = max((k for k, idx in enumerate(order) if must(recs[idx])), default=-1)
            order = order[:last + 1]
        pos = {idx: k for k, idx in enumerate(order)}
        for (i, j), pairs in conf.items():
            pj = pos.get(j)
            if pj is None:
                continue
            pi = pos.get(i)
            if pi is None or pj < pi:
                kind, x, y = pairs[0]
                lo = max(_rng(x)[0], _rng(y)[0])
                hi = min(_rng(x)[1], _rng(y)[1])
                self.hazards.append(ScheduleHazard(recs[i], recs[j], kind, lo, hi))
        mem = self.mem
        for idx in order:
            rec = recs[idx]
            self.flush_of[rec.seq] = self.flushes
            mem.cur_vid = rec.seq + 1
            mem.observed = []
            try:
                rec.fn(mem, rec.stmt)
            except StepError:
                raise
            except Exception as exc:     # noqa: BLE001 - reported with the statement
                raise StepError(rec, exc) from None
            self.flow[rec.seq] = (hash(tuple(mem.observed)), rec.stmt, rec.label)
        self.steps_run += len(order)
        if len(order) == len(recs):
            return []
        return [rec for k, rec in enumerate(recs) if k not in pos]
