"""An element-wise vector op run repeat by repeat, from its walk (ptofix.pto.repeat_walks).

The hazard scheduler (schedule.py) may interleave the repeats of two ops issued between the same
two drains. For that it needs, per op, which bytes each repeat reads and writes, in issue order,
and a way to run any run of consecutive repeats on the UB model as the hardware would: a repeat
reads its source bytes when it runs and writes its destination bytes then.

A repeat of a walked op touches the same element ranges of every tile operand (all share one type
and valid shape), so running repeats ``[first, end)`` is running the op on one-row views of those
ranges (``build_steps`` on the views: the op's own numpy semantics, nothing re-implemented). The
op's reads and writes of one repeat never overlap another repeat's (every operand is the
destination's exact bytes or shares none of them), so which repeats run together does not change
the result; what each repeat read is recorded per repeat, so the data-flow digest of the step is
the same however its repeats were batched.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..pto.repeat_walks import Repeat, op_walk
from .memory import Memory, SimTileType, TileView, dtype_of
from .ops_numpy import build_steps


@dataclass
class RepeatWalk:
    """The walk of one issued vector step. ``args``/``template_args``: the op call's evaluated
    operands, to build the op on the views of a run of repeats."""

    op: str
    args: list
    template_args: list
    repeats: list[Repeat]
    elem_bytes: int
    reads: list[TileView]
    writes: list[TileView]
    observed: dict[int, bytes] = field(default_factory=dict)   # repeat -> identities it read

    def __len__(self) -> int:
        return len(self.repeats)

    def byte_repeats(self, view: TileView) -> np.ndarray:
        """For each byte of ``view``'s footprint the repeat that touches it (-1: none)."""
        out = np.full(view.hi - view.lo, -1, np.int32)
        size = self.elem_bytes
        for k, ranges in enumerate(self.repeats):
            for first, end in ranges:
                out[first * size:end * size] = k
        return out

    def _read_offsets(self, k: int) -> np.ndarray:
        size = self.elem_bytes
        parts = [view.addr + np.arange(first, end, dtype=np.int64) * size
                 for view in self.reads for first, end in self.repeats[k]]
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    def digest(self) -> int:
        """What the step read, repeat by repeat (memory.py's value identities)."""
        return hash(tuple(self.observed.get(k, b"") for k in range(len(self.repeats))))

    def run(self, mem: Memory, stmt: int, first: int, end: int, whole) -> None:
        """Run repeats ``[first, end)``: the op's own step ``whole`` when that is all of them."""
        for k in range(first, end):
            self.observed[k] = mem.ub_vid[self._read_offsets(k)].tobytes()
        if first == 0 and end >= len(self.repeats):
            whole(mem, stmt)
            return
        ranges: list[list[int]] = []
        for k in range(first, end):
            for lo, hi in self.repeats[k]:
                if ranges and ranges[-1][1] == lo:
                    ranges[-1][1] = hi
                else:
                    ranges.append([lo, hi])
        for lo, hi in ranges:
            args = [_slice(a, lo, hi, self.elem_bytes) if isinstance(a, TileView) else a for a in self.args]
            for step in build_steps(self.op, args, self.template_args):
                step.fn(mem, stmt)


def _slice(view: TileView, first: int, end: int, size: int) -> TileView:
    """Elements [first, end) of ``view`` (flat RowMajor indices) as a one-row tile."""
    t = view.type
    count = end - first
    row = SimTileType(t.loc, t.elem, 1, count, "RowMajor", 1, count, t.slayout, t.pad)
    return TileView(view.name, row, view.addr + first * size, 1, count)


def step_walk(op: str, args: list, template_args: list, reads: list, writes: list,
              has_tmp: bool) -> RepeatWalk | None:
    """The walk of a one-step vector op whose tile operands are ``reads`` and ``writes``, or None
    when it is not known (the scheduler then runs the op as one unit that no repeat order protects)."""
    if has_tmp or not writes:
        return None
    views = [*reads, *writes]
    if not all(isinstance(v, TileView) for v in views):
        return None
    if any(isinstance(a, TileView) and a not in views for a in args):
        return None
    first = views[0]
    t = first.type
    if t.blayout != "RowMajor":
        return None
    for v in views:
        u = v.type
        if (u.rows, u.cols, u.elem, u.blayout, u.valid_rows, u.valid_cols) != \
                (t.rows, t.cols, t.elem, t.blayout, t.valid_rows, t.valid_cols) \
                or (v.valid_rows, v.valid_cols) != (first.valid_rows, first.valid_cols):
            return None
    size = dtype_of(t.elem)[0].itemsize
    type_valid_cols = t.valid_cols if t.valid_cols is not None else -1
    repeats = op_walk(op, t.rows, t.cols, size, type_valid_cols, first.valid_rows, first.valid_cols)
    if repeats is None:
        return None
    walk = RepeatWalk(op, list(args), list(template_args), repeats, size, list(reads), list(writes))
    # A source that shares some but not all of the destination's bytes: fine while no repeat reads
    # a byte an earlier repeat of the op wrote (then which repeats run together changes nothing).
    for w in writes:
        for r in reads:
            lo, hi = max(w.lo, r.lo), min(w.hi, r.hi)
            if r.addr == w.addr or lo >= hi:
                continue
            written = walk.byte_repeats(w)[lo - w.lo:hi - w.lo]
            read = walk.byte_repeats(r)[lo - r.lo:hi - r.lo]
            both = (written >= 0) & (read >= 0)
            if both.any() and int((read[both] - written[both]).max()) > 0:
                return None
    return walk
