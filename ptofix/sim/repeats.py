"""An element-wise vector op run repeat by repeat, from its walk (ptofix.pto.walks: the kind of walk
pto-isa's implementation takes for the op and its operand types, and the bytes of each repeat).

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

from ..pto.derived_facts import ROW_BY_ROW
from ..pto.same_access_chain import cvt_reads_source_in_order
from ..pto.walks import COL_EXPAND_OPS, ROW_EXPAND_OPS, TileWalk, walk_kind, walk_pieces
from .memory import Memory, SimTileType, TileView, dtype_of
from .ops_numpy import build_steps, row_expand_range

# One repeat: the element ranges [first, end) it touches, as flat indices ``row * Cols + col`` of
# every operand (all operands of a walked op share one type).
Repeat = tuple[tuple[int, int], ...]


@dataclass
class RepeatWalk:
    """The walk of one issued vector step. ``args``/``template_args``: the op call's evaluated
    operands, to build the op on the views of a run of repeats."""

    op: str
    args: list
    template_args: list
    repeats: list[Repeat]
    elem_bytes: int
    reads: list[TileView]          # operands walked like the destination
    writes: list[TileView]
    # Operands read per column, row 0 under every row (a TCOLEXPAND*'s src1): no byte of theirs
    # belongs to one repeat, so the scheduler never pipelines a pair through them.
    broadcast: list[TileView] = field(default_factory=list)
    # A TROWEXPAND*'s per-row operand (src1 of 32 bytes a row, or its vbrcb broadcast): row r's
    # first element under row r. Like ``broadcast``, never a pipelined pair through it.
    per_row: TileView | None = None
    observed: dict[int, bytes] = field(default_factory=dict)   # repeat -> identities it read
    # A repeat reads bytes an earlier repeat of the op wrote (a destination a little past a
    # source): run repeat by repeat, in the reference too, so both runs give the op one meaning.
    self_feeding: bool = False
    _bounds: np.ndarray | None = None      # per repeat, where its read offsets start in _offsets
    _offsets: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __len__(self) -> int:
        return len(self.repeats)

    def byte_repeats(self, view: TileView) -> np.ndarray:
        """For each byte of ``view``'s footprint the repeat that touches it (-1: none)."""
        out = np.full(view.hi - view.lo, -1, np.int32)
        size = _size(view)
        for k, ranges in enumerate(self.repeats):
            for first, end in ranges:
                out[first * size:end * size] = k
        return out

    def _capture(self, mem: Memory, first: int, end: int) -> None:
        """Record what repeats ``[first, end)`` read, as they would read it now."""
        if self._bounds is None:
            cols = self.writes[0].type.cols
            parts = [[view.addr + np.arange(lo, hi, dtype=np.int64) * _size(view)
                      for view in self.reads for lo, hi in ranges]
                     + [view.addr + np.arange(lo % cols, lo % cols + hi - lo, dtype=np.int64) * _size(view)
                        for view in self.broadcast for lo, hi in ranges]
                     + [self._per_row_offset(lo // cols) for lo, _hi in ranges if self.per_row is not None]
                     for ranges in self.repeats]
            counts = [sum(len(x) for x in per) for per in parts]
            self._bounds = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])
            flat = [x for per in parts for x in per]
            self._offsets = np.concatenate(flat) if flat else np.zeros(0, np.int64)
        bounds = self._bounds
        seen = mem.ub_vid[self._offsets[bounds[first]:bounds[end]]]
        base = bounds[first]
        for k in range(first, end):
            self.observed[k] = seen[bounds[k] - base:bounds[k + 1] - base].tobytes()

    def _per_row_offset(self, row: int) -> np.ndarray:
        view = self.per_row
        assert view is not None
        return np.array([view.addr + row * view.type.cols * _size(view)], np.int64)

    def digest(self) -> int:
        """What the step read, repeat by repeat (memory.py's value identities); the record of it
        is dropped (a step done is kept only in hazard reports, which need none of it)."""
        value = hash(tuple(self.observed.get(k, b"") for k in range(len(self.repeats))))
        self.observed = {}
        self._bounds = None
        self._offsets = np.zeros(0, np.int64)
        return value

    def run(self, mem: Memory, stmt: int, first: int, end: int, whole) -> None:
        """Run repeats ``[first, end)``: the op's own step ``whole`` when that is all of them. An op
        one of whose repeats reads what an earlier one wrote runs one repeat at a time, always."""
        if self.self_feeding:
            for k in range(first, end):
                self._capture(mem, k, k + 1)
                self._run_ranges(mem, stmt, list(self.repeats[k]))
            return
        self._capture(mem, first, end)
        if first == 0 and end >= len(self.repeats):
            whole(mem, stmt)
            return
        ranges: list[tuple[int, int]] = []
        cols = self.writes[0].type.cols
        for k in range(first, end):
            for lo, hi in self.repeats[k]:
                if ranges and ranges[-1][1] == lo and (not (self.broadcast or self.per_row)
                                                       or ranges[-1][0] // cols == lo // cols):
                    ranges[-1] = (ranges[-1][0], hi)
                else:
                    ranges.append((lo, hi))
        self._run_ranges(mem, stmt, ranges)

    def _run_ranges(self, mem: Memory, stmt: int, ranges: list[tuple[int, int]]) -> None:
        cols = self.writes[0].type.cols
        if self.per_row is not None:
            for lo, hi in ranges:
                row_expand_range(mem, stmt, self.op, self.writes[0], self.reads[0], self.per_row, lo, hi - lo)
            return
        for lo, hi in ranges:
            args = [_slice(a, lo % cols if a in self.broadcast else lo, hi - lo)
                    if isinstance(a, TileView) else a for a in self.args]
            for step in build_steps(self.op, args, self.template_args):
                step.fn(mem, stmt)


def _size(view: TileView) -> int:
    return dtype_of(view.type.elem)[0].itemsize


def _slice(view: TileView, first: int, count: int) -> TileView:
    """``count`` elements of ``view`` from flat RowMajor index ``first``, as a one-row tile."""
    t = view.type
    row = SimTileType(t.loc, t.elem, 1, count, "RowMajor", 1, count, t.slayout, t.pad)
    return TileView(view.name, row, view.addr + first * _size(view), 1, count)


def _cvt_pieces(reads: list, dst: TileView) -> list[tuple[int, int]] | None:
    """TCVT's walk in bytes of its wider element: one vconv a valid row (pto-isa a2a3 TCvt.hpp
    TCvtHead), repeats of 256 / max(element sizes) elements, when it is one vconv over whole
    repeats (ptofix.pto.same_access_chain.cvt_reads_source_in_order); None otherwise."""
    if len(reads) != 1:
        return None
    src = reads[0]
    if not cvt_reads_source_in_order(src.type.elem, dst.type.elem, dst.valid_cols):
        return None
    wide = max(_size(src), _size(dst))
    t = dst.type
    tile = TileWalk(t.rows, t.cols, wide, t.blayout, dst.valid_rows, dst.valid_cols, type_contiguous=False)
    return walk_pieces(ROW_BY_ROW, tile)


def step_walk(op: str, args: list, template_args: list, reads: list, writes: list,
              has_tmp: bool) -> RepeatWalk | None:
    """The walk of a one-step vector op whose tile operands are ``reads`` and ``writes``, or None
    when it is not known (the scheduler then runs the op as one unit that no repeat order protects)."""
    if has_tmp or not writes:
        return None
    views = [*reads, *writes]
    if not all(isinstance(v, TileView) for v in views):
        return None
    # (A TROWEXPAND*'s op step reads the vbrcb broadcast of src1, not src1: it runs on its own
    # operands, row_expand_range.)
    if op not in ROW_EXPAND_OPS and any(isinstance(a, TileView) and a not in views for a in args):
        return None
    first = writes[0]
    t = first.type
    if t.blayout != "RowMajor":
        return None
    broadcast: list[TileView] = []
    per_row: TileView | None = None
    converting = op == "TCVT"
    for v in views:
        u = v.type
        if (u.rows, u.cols, u.blayout, u.valid_rows, u.valid_cols) == \
                (t.rows, t.cols, t.blayout, t.valid_rows, t.valid_cols) \
                and (u.elem == t.elem or converting) \
                and (v.valid_rows, v.valid_cols) == (first.valid_rows, first.valid_cols):
            continue
        # A TROWEXPAND*'s per-row operand (TRowExpandBinOp.hpp): row r's first element under row r.
        if op in ROW_EXPAND_OPS and v in reads and v not in writes and per_row is None and u.elem == t.elem \
                and u.blayout == "RowMajor" and u.cols * _size(v) == 32 and v.valid_rows >= first.valid_rows:
            per_row = v
            continue
        # A TCOLEXPAND*'s per-column operand: its row 0 read under every row (TColExpandBinOp.hpp).
        if op in COL_EXPAND_OPS and v in reads and v not in writes and u.elem == t.elem \
                and u.blayout == "RowMajor" and v.valid_cols == first.valid_cols and u.cols >= first.valid_cols:
            broadcast.append(v)
            continue
        return None
    size = dtype_of(t.elem)[0].itemsize
    # pto-isa's compile-time test: every operand's type has Cols == ValidCol (a static ValidCol;
    # -1 never equals) or one static row.
    static_cols = t.valid_cols if t.valid_cols is not None else -1
    static_rows = t.valid_rows if t.valid_rows is not None else -1
    tile = TileWalk(t.rows, t.cols, size, t.blayout, first.valid_rows, first.valid_cols,
                    type_contiguous=static_cols == t.cols or t.rows == 1, valid_col_in_type=static_cols >= 0,
                    dtype=t.elem, valid_in_type=static_cols >= 0 and static_rows >= 0)
    if converting:
        pieces = _cvt_pieces(reads, first)
    else:
        kind, _why = walk_kind(op, tile, producing=True)
        pieces = walk_pieces(kind, tile)
    unit = max(_size(v) for v in views) if converting else size      # the element size of the pieces
    if pieces is None or any(lo % unit or hi % unit for lo, hi in pieces):
        return None
    repeats: list[Repeat] = [((lo // unit, hi // unit),) for lo, hi in pieces]
    if (broadcast or per_row is not None) and any(lo // t.cols != (hi - 1) // t.cols for ((lo, hi),) in repeats):
        return None       # (a repeat across rows would read two pieces of the per-column operand)
    walk = RepeatWalk(op, list(args), list(template_args), repeats, size,
                      [v for v in reads if v not in broadcast and v is not per_row], list(writes), broadcast,
                      per_row=per_row)
    if per_row is not None and len(walk.reads) != 1:
        return None
    # A source that shares some but not all of the destination's bytes: where a repeat reads a byte
    # an earlier repeat wrote, which repeats run together would change the result.
    for w in writes:
        for r in walk.reads:
            lo, hi = max(w.lo, r.lo), min(w.hi, r.hi)
            if (r.addr == w.addr and _size(r) == _size(w)) or lo >= hi:
                continue
            written = walk.byte_repeats(w)[lo - w.lo:hi - w.lo]
            read = walk.byte_repeats(r)[lo - r.lo:hi - r.lo]
            both = (written >= 0) & (read >= 0)
            if both.any() and int((read[both] - written[both]).max()) > 0:
                walk.self_feeding = True
    return walk
