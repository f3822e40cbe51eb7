"""The events of one vector op statement (OpEvents, which a FunctionCFG holds): its reads and writes,
the scratch tiles the row-expand, reduce and merge-sort ops use, and the UB writes of other pipes'
ops (TLOAD, the scalar TCI) the proof may read as rewriting bytes."""
from __future__ import annotations

from ..located import Located
from ..pto.count_mode import MASK_PATTERN_EVERY, fillpad_reach, gather_by_pattern_reach
from ..pto.derived_facts import LINEAR
from ..pto.ops import (
    ARG_REDUCE,
    BLOCK_BYTES,
    HIDDEN_SCRATCH_UNLESS_FLOAT,
    MRGSORT_ELEMENT_BYTES,
    NEVER,
    PIPE_V,
    REDUCE_TMP_OPS,
    ROW_REDUCE,
    SCALAR_TCI,
    SORT32_INDEX_BYTES,
    WINDOW_OPS,
    lacks_tmp,
    move_pipe,
    mrgsort_copy_bytes,
    mrgsort_list_bytes,
    mrgsort_single_bytes,
    reduce_tmp_bytes,
    row_expand_tmp_bytes,
    row_reduce_drains,
    scalar_tci_accepts,
    sort32_drains,
    sort32_reach,
    sort32_row_intervals,
    spec_for,
    trailing_drain_holds,
)
from ..pto.tiles import FLOAT_TYPES, HIDDEN_SCRATCH, REPEAT_BYTES, REPEAT_MAX, TileType, bytes_in_space, dtype_size
from ..pto.walks import BINARY_OPS, SCALAR_OPS, UNARY_OPS, TileWalk, walk_kind
from . import stmt_parser as A
from .c_types import expr_type
from .cfg_events import (
    INTERNAL_BARRIER,
    SCRATCH_ACCESS_NAME,
    UB_SPACE,
    Access,
    Event,
    EventKind,
    outside_space,
    rebuilt,
    unknown_bytes,
)
from .count_mode import scalar_tci_call
from .integers import IntType
from .model import SimpleStmt, Stmt
from .symbols import PtrType, StmtInfo, Symbol
from .tile_accesses import TileAccesses, tile_operand

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

    from ..pto.ops import OpSpec
    from .semantics import FunctionSemantics


class OpEvents:
    """Makes the events of a function's vector op statements, appending each to ``events`` (the
    function's CFG's list, in program order), with the bytes ``tiles`` says each operand touches.
    Keeps the other pipes' UB writes it meets for rewrite_by."""

    def __init__(self, sem: FunctionSemantics, tiles: TileAccesses, events: list[Event]) -> None:
        self.sem = sem
        self.values = sem.values
        self.tiles = tiles
        self.events = events
        self.other_pipe_writes: dict[int, tuple] = {}  # id(stmt) -> (pipe, dst, src, env) of a TLOAD
        # id(op statement) -> why the op's own instructions may race with each other (check reads
        # it: no barrier of the kernel orders them; see _count_mode_reach's TFILLPAD).
        self.internal_races: dict[int, str] = {}

    def _new(self, kind: EventKind, *, stmt: Stmt | None = None, op: str = "", accesses: Sequence[Access] = (),
             why: str = "", tag: str = "", callee: str = "") -> Event:
        # (Event's fields spelled out, not **kw: compiled, a call with **kw builds a dict and goes
        # through Event's Python-level constructor.)
        event = Event(kind, stmt, op, accesses, why, tag, callee)
        event.order = len(self.events)
        self.events.append(event)
        return event

    def op(self, stmt: SimpleStmt, info: StmtInfo) -> list[Event]:
        base, args, env = info.op, info.args, info.env
        spec = spec_for(base, len(args))
        assert spec is not None     # the semantic model reads only names of the table as ops
        stale = self.sem.ctx.isa.stale(base)
        if stale:
            # The checkout's code of the op is not the code its facts were read from (pto/op_sources.py):
            # none of them is applied (issue #66).
            return [self._new(EventKind.UNKNOWN, stmt=stmt, op=base,
                              why=f"{base}: its facts were read from other pto-isa code than --pto-isa's ({stale})")]
        if spec.nargs and len(args) not in spec.nargs:
            return [self._new(EventKind.UNKNOWN, stmt=stmt, op=base,
                              why=f"{base} with {len(args)} operands: a form whose effects ptofix does not model")]
        if lacks_tmp(spec, len(args), lambda index: tile_operand(args[index], env) is not None):
            # (A value where the tmp goes is a missing tmp too: `TSELS(d, m, a, 0.0f)` is an older
            # overload, which stores into the hidden scratch.)
            return [self._new(EventKind.UNKNOWN, stmt=stmt, op=base,
                              why=f"{base} without a tile as its tmp operand: no overload of the pto-isa commits "
                                  "ptofix reads, an older one may write the hidden UB scratch")]
        if base == "TEXTRACT" and len(args) >= 3 and tile_operand(args[2], env) is not None:
            # TEXTRACT(dst0, dst1, src[, r0, c0, r1, c1]): its defaulted offsets make every call
            # with a tile third this overload, which writes both destinations (pto_instr.hpp).
            spec = spec._replace(writes=(0, 1))
        pipe = spec.pipe
        if pipe == "by-type":
            if base == "TSTORE":
                return []   # MTE3 / FIX, never PIPE_V
            dst = tile_operand(args[0], env) if args else None
            src = tile_operand(args[1], env) if len(args) > 1 else None
            moved = move_pipe(dst.tile.space if dst and dst.tile else None,
                              src.tile.space if src and src.tile else None)
            if moved is None:
                return [self._new(EventKind.UNKNOWN, stmt=stmt, op=base,
                                  why=f"{base}: cannot tell its pipe from the tile types")]
            pipe = moved
        if pipe != PIPE_V:
            if base == SCALAR_TCI:
                return self._scalar_tci(stmt, args, env)
            # Not vector work, but its UB writes matter to rule (b) of the proof (rewritten bytes).
            if base == "TLOAD" and len(args) == 2:
                self.other_pipe_writes[id(stmt)] = (pipe, args[0], args[1], env)
            if spec.drains_all_first:
                return [self._new(EventKind.DRAIN, stmt=stmt, why=f"{base} starts with pipe_barrier(PIPE_ALL)")]
            return []
        accesses, problem = self.tiles.accesses(base, spec, args, env)
        if problem:
            return [self._new(EventKind.UNKNOWN, stmt=stmt, op=base, why=problem)]
        other_space = next((a for a in accesses if a.space is not None and a.space != UB_SPACE), None)
        if other_space is not None:
            # pto-isa's vector ops take every operand as a UB pointer whatever the tile's TileType
            # (a2a3 TAdd.hpp: `(__ubuf__ T*)__cce_get_tile_ptr(dst)`, no Loc check): a Bias or Mat
            # tile's bytes are UB bytes at its address, not its own space's. Not modelled: unknown.
            return [self._new(EventKind.UNKNOWN, stmt=stmt, op=base,
                              why=f"{base}: operand '{other_space.name}' is a {other_space.space} tile, which a "
                                  "vector op reads and writes as UB at its address (not modelled)")]
        if base == "TMRGSORT":
            return self._merge_sort(stmt, args, env)
        if base == "TSORT32":
            return self._sort32(stmt, args, env)
        if spec.row_expand and len(args) == 4:
            accesses = self._row_expand_tmp(base, args, env, accesses)
        elif spec.tmp_unbounded:
            # The tmp operand's write may run past the tmp tile: its bytes are unknown.
            accesses = [Access(a.name, a.write, a.space, None, None, True,
                               unknown_why=f"{base} may write past its tmp, how far is not checked")
                        if a.tmp and a.write else a for a in accesses]
        if base in HIDDEN_SCRATCH_UNLESS_FLOAT and not self._float_only(args[:2], env):
            accesses = accesses + [scratch_access(True), scratch_access(False)]
        if spec.hidden_writes:
            counted = self._count_mode_reach(stmt, base, args, env, accesses)
            if counted is not None:
                accesses = counted
            else:
                accesses = accesses + [Access(f"<UB bytes {base} writes outside its operands>", True, UB_SPACE,
                                              None, None, True)]

        if base in REDUCE_TMP_OPS and len(args) > 2:
            accesses = self._reduce_tmp(base, args, env, accesses)
        judged = self._conversion_in_place(stmt, args, env, accesses) if base == "TCVT" else frozenset()
        self._window_off_grid(stmt, base, args, env)
        self._operands_share_bytes(stmt, base, args, env, accesses, judged)
        if spec.row_expand and len(args) == 3:
            return self._row_expand(stmt, base, args, env, accesses)
        event = self._new(EventKind.OP, stmt=stmt, op=base, accesses=accesses)
        if self._drains(base, spec, args, env):
            return [event, self._new(EventKind.DRAIN, stmt=stmt, why=f"{base} ends with pipe_barrier(PIPE_V)",
                                     tag=INTERNAL_BARRIER)]
        return [event]

    def _row_expand(self, stmt: Stmt, base: str, args: Sequence[Any], env: dict,
                    accesses: list) -> list[Event]:
        """3-operand TROWEXPAND*: which source is the per-row one decides the path (pto-isa
        TRowExpandBinOp.hpp): non-RowMajor per-row -> vbrcb into the hidden scratch, internal
        barrier, then the op; RowMajor per-row -> one op, no scratch, no barrier."""
        dst, a, b = (tile_operand(x, env) for x in args)
        per_row = None
        # The implementation picks the per-row source at run time from the valid shapes: src0 is
        # the full one iff its valid shape equals dst's, else src0 is the per-row one; when both
        # equal dst's, src0 is the full one iff its row stride is at least src1's.
        if a is not None and b is not None and dst is not None and a.tile is not None and b.tile is not None:
            a_full = self.values.same_valid_shape(a, dst)
            if a_full is False:
                per_row = 1
            elif a_full:
                b_full = self.values.same_valid_shape(b, dst)
                a_stride, b_stride = row_stride(a.tile), row_stride(b.tile)
                a_wider = a_stride is not None and b_stride is not None and a_stride >= b_stride
                per_row = 2 if b_full is False or a_wider else None
            row_tile = a.tile if per_row == 1 else b.tile
            if per_row is not None and row_tile.blayout not in ("RowMajor", "ColMajor"):
                per_row = None      # a layout the model cannot read: either path
        if per_row is None:
            # Cannot tell the path: every access, the scratch both ways, no internal drain, and no
            # operand counts as walked element for element (no same-access chain).
            for access in accesses:
                access.elementwise = False
            return [self._new(EventKind.OP, stmt=stmt, op=base,
                              accesses=accesses + [scratch_access(True), scratch_access(False)])]
        full_name, row_name = args[3 - per_row].id, args[per_row].id
        for access in accesses:
            # dst and the full-shape source are walked like dst; the per-row source is broadcast.
            access.elementwise = access.name in (args[0].id, full_name) and access.name != row_name and not access.tmp
        row_sym = a if per_row == 1 else b
        assert row_sym is not None and row_sym.tile is not None    # both checked above
        if row_sym.tile.blayout == "RowMajor":
            # One op with no internal barrier, whose narrow-row path walks the tile column chunk by
            # column chunk, not in the repeat order of an elementwise producer: no same-access
            # chain (the chain PTOAS prunes was measured on the vbrcb path, which drains first).
            for access in accesses:
                access.elementwise = False
            return [self._new(EventKind.OP, stmt=stmt, op=base, accesses=accesses)]
        row_reads = [x for x in accesses if x.name == row_name and not x.write]
        main = [x for x in accesses if not (x.name == row_name and not x.write)]
        if row_name in (args[0].id, args[3 - per_row].id):
            main = accesses    # the per-row tile is also another operand: keep every access on the op
        return [self._new(EventKind.OP, stmt=stmt, op=base + ".vbrcb", accesses=row_reads + [scratch_access(True)]),
                self._new(EventKind.DRAIN, stmt=stmt, why=f"{base} internal barrier after vbrcb", tag=INTERNAL_BARRIER),
                self._new(EventKind.OP, stmt=stmt, op=base, accesses=main + [scratch_access(False)])]

    def _merge_sort(self, stmt: Stmt, args: Sequence[Any], env: dict) -> list[Event]:
        """TMRGSORT's events (docs/reference/pto-facts.md §8 "TMRGSORT"). The multi-list form: the
        merge (reads each source's pairs, writes their sum into tmp from its start), its internal
        barrier, then the copy of dst's valid columns from tmp into dst (both in flight after the
        call). The single-list form: one merge from src into dst. Every operand's bytes run from its
        start, as far as pto.ops.mrgsort_* say, in whole 32-byte blocks; unknown where that cannot
        be told or lies past the UB. The scalar work on the struct touches no UB."""
        syms = [tile_operand(arg, env) for arg in args]
        tile_indices = [0, 1] if len(args) == 3 else [0, 2, *range(3, len(args))]
        if any(syms[index] is None for index in tile_indices):
            return [self._new(EventKind.UNKNOWN, stmt=stmt, op="TMRGSORT",
                              why="TMRGSORT: an operand where it takes a tile is not one ptofix knows")]
        if len(args) > 3 and syms[1] is not None:
            return [self._new(EventKind.UNKNOWN, stmt=stmt, op="TMRGSORT",
                              why="a tile where TMRGSORT takes its executed-count struct: no overload ptofix knows")]
        # (pto-isa reads every operand as dst's element type; it static_asserts they agree.)
        sizes: set[int | None] = set()
        for index in tile_indices:
            sym = syms[index]
            tile = sym.tile if sym is not None else None
            sizes.add(dtype_size(tile.dtype) if tile is not None else None)
        elem = next(iter(sizes)) if len(sizes) == 1 else None
        if elem not in MRGSORT_ELEMENT_BYTES:
            elem = None

        def reach(index: int, write: bool, tmp: bool, nbytes: int | None, why: str) -> Access:
            sym = syms[index]
            assert sym is not None      # (checked by the caller)
            access = self.tiles.tile_access(sym, write, tmp)
            if access.intervals is None:
                return access
            if elem is None or nbytes is None:
                return unknown_bytes(access, why if elem is not None else
                                      "TMRGSORT: its operands are not all of one element type, half or float")
            blocks = -(-nbytes // BLOCK_BYTES) * BLOCK_BYTES
            reached = sorted((a, a + blocks) for a, _ in access.intervals)
            if not bytes_in_space(access.space, reached[0][0], reached[-1][1]):
                return unknown_bytes(access, f"TMRGSORT reaches past '{sym.name}': "
                                              + outside_space(access.space, reached))
            return Access(access.name, write, access.space, reached, None, tmp)

        if len(args) == 3:
            src = syms[1]
            assert src is not None
            nbytes = self._merge_sort_single_bytes(src, args[2], env, elem) if elem is not None else None
            why = ("TMRGSORT: how far it merges (src's valid columns, blockLen) is not known, or leaves no "
                   "whole repeat of four blocks")
            return [self._new(EventKind.OP, stmt=stmt, op="TMRGSORT",
                              accesses=[reach(1, False, False, nbytes, why), reach(0, True, False, nbytes, why)])]
        lists = [self._merge_sort_cols(syms[index], elem, mrgsort_list_bytes) for index in range(3, len(args))]
        total = None if None in lists else sum(x for x in lists if x is not None)
        copied = self._merge_sort_cols(syms[0], elem, mrgsort_copy_bytes)
        merge = [reach(index, False, False, nbytes, f"TMRGSORT: the valid columns of '{args[index].id}' are not known")
                 for index, nbytes in zip(range(3, len(args)), lists, strict=True)]
        merge.append(reach(2, True, True, total, "TMRGSORT: how many pairs it merges into tmp is not known"))
        copy_why = "TMRGSORT: dst's valid columns, which its copy from tmp takes, are not known"
        return [self._new(EventKind.OP, stmt=stmt, op="TMRGSORT.vmrgsort4", accesses=merge),
                self._new(EventKind.DRAIN, stmt=stmt, why="TMRGSORT internal barrier before its copy to dst"),
                self._new(EventKind.OP, stmt=stmt, op="TMRGSORT",
                          accesses=[reach(2, False, True, copied, copy_why), reach(0, True, False, copied, copy_why)])]

    def _sort32(self, stmt: Stmt, args: Sequence[Any], env: dict) -> list[Event]:
        """TSORT32(dst, src, idx[, tmp])'s events (docs/reference/pto-facts.md §8 "TSORT32"): one op
        writing dst's and tmp's bytes and reading src's, idx's and tmp's, as far as pto.ops.sort32_reach
        says for every valid shape the model knows the operands may have, then its trailing barrier
        when dst has a valid row whatever its shape (sort32_drains). Unknown bytes where a shape is
        not known (a run-time one), the path is not followed, or the bytes leave the UB."""
        syms = [tile_operand(arg, env) for arg in args]
        has_tmp = len(args) == 4
        if any(sym is None or sym.tile is None for sym in syms):
            return [self._new(EventKind.UNKNOWN, stmt=stmt, op="TSORT32",
                              why="TSORT32: an operand where it takes a tile is not one ptofix knows")]
        tiles = [sym.tile for sym in syms if sym is not None and sym.tile is not None]
        elem = dtype_size(tiles[0].dtype)
        dst, src, idx = syms[0], syms[1], syms[2]
        assert dst is not None and src is not None and idx is not None
        # src's valid columns must be known (a count under 32 takes no repeat); dst's valid rows and
        # idx's, when not known, are taken to fit their tiles as for every op: dst's largest row count
        # walks every smaller one's bytes too, and idx one row or more (both pitches).
        dst_dims, idx_dims = self.tiles.dims(dst), self.tiles.dims(idx)
        dst_rows = self.values.valid_dim_values(dst, 0) or ({dst_dims[2]} if dst_dims else None)
        src_cols = self.values.valid_dim_values(src, 1)
        idx_rows = self.values.valid_dim_values(idx, 0) or ({1, 2} if idx_dims else None)
        row_bytes = [(dtype_size(t.dtype) or 0) * (t.cols or 0) if t.blayout == "RowMajor" else 0 for t in tiles[:3]]
        reaches = []
        if elem is not None and dtype_size(tiles[1].dtype) == elem \
                and dtype_size(tiles[2].dtype) == SORT32_INDEX_BYTES \
                and dst_rows and src_cols and idx_rows and all(row_bytes):
            reaches = [sort32_reach(elem, has_tmp, rows, cols, idx_row, (row_bytes[0], row_bytes[1], row_bytes[2]))
                       for rows in dst_rows for cols in src_cols for idx_row in idx_rows]
        why = ("TSORT32: a valid shape is not known, an operand is not a row-major tile of its element type, or the "
               "path it takes (no repeat, more than 255 a row, LargeTmpBufferImpl) is not modelled")
        known = bool(reaches) and None not in reaches

        def reach(index: int, write: bool, field: str, pitch: str) -> Access:
            sym = syms[index]
            assert sym is not None
            access = self.tiles.tile_access(sym, write, index == 3)
            if access.intervals is None:
                return access
            if not known:
                return unknown_bytes(access, why)
            spans = sorted({span for a, _ in access.intervals for r in reaches if r is not None
                            for span in sort32_row_intervals(a, r.rows if pitch else 1,
                                                             getattr(r, pitch) if pitch else 0, getattr(r, field))})
            if spans and not bytes_in_space(access.space, spans[0][0], max(hi for _, hi in spans)):
                return unknown_bytes(access, f"TSORT32 reaches past '{sym.name}': "
                                             + outside_space(access.space, spans))
            return Access(access.name, write, access.space, spans, None, index == 3)

        accesses = [reach(1, False, "src_bytes", "src_pitch"), reach(2, False, "idx_bytes", "idx_pitch"),
                    reach(0, True, "dst_bytes", "dst_pitch")]
        if has_tmp:
            accesses += [reach(3, True, "tmp_bytes", ""), reach(3, False, "tmp_bytes", "")]
        events = [self._new(EventKind.OP, stmt=stmt, op="TSORT32", accesses=accesses)]
        known_rows = self.values.valid_dim_values(dst, 0)
        if known_rows and all(sort32_drains(rows) for rows in known_rows):
            events.append(self._new(EventKind.DRAIN, stmt=stmt, why="TSORT32 ends with pipe_barrier(PIPE_V)",
                                    tag=INTERNAL_BARRIER))
        return events

    def _merge_sort_cols(self, sym: Symbol | None, elem: int | None,
                         measure: Callable[[int, int], int | None]) -> int | None:
        """The most bytes ``measure(elem, valid cols)`` gives over the valid columns ``sym`` may
        have (unknown ones taken to fit the tile, as for every op); None if one gives None."""
        if sym is None or elem is None or self.tiles.dims(sym) is None:
            return None
        dims = self.tiles.dims(sym)
        assert dims is not None
        values = self.values.valid_dim_values(sym, 1)
        out = 0
        for cols in (sorted(values) if values else [dims[3]]):
            nbytes = measure(elem, cols)
            if nbytes is None:
                return None
            out = max(out, nbytes)
        return out

    def _merge_sort_single_bytes(self, src: Symbol, block_len: Any, env: dict, elem: int) -> int | None:
        """The most bytes TMRGSORT(dst, src, blockLen) reaches over every blockLen and valid
        column count the model knows src may have (pto.ops.mrgsort_single_bytes); None if one of
        them is not pinned down or they are not known."""
        lens = self.values.eval(block_len, env)
        cols = self.values.valid_dim_values(src, 1)
        if lens is None or not cols or self.tiles.dims(src) is None:
            return None
        out = 0
        for length in lens:
            for col in cols:
                nbytes = mrgsort_single_bytes(elem, col, length)
                if nbytes is None:
                    return None
                out = max(out, nbytes)
        return out

    def _row_expand_tmp(self, base: str, args: Sequence[Any], env: dict, accesses: list) -> list:
        """The tmp write of a 4-operand TROWEXPAND*, widened to what its vbrcb writes from the
        tmp's start (pto.ops.row_expand_tmp_bytes), by dst's largest valid rows; unknown bytes
        when those cannot be bounded."""
        dst, tmp = tile_operand(args[0], env), tile_operand(args[3], env)
        dims = self.tiles.dims(dst) if dst is not None else None
        out = []
        for access in accesses:
            if access.tmp and access.write:
                size = tmp.tile.nbytes if tmp is not None and tmp.tile is not None else None
                if dims is None or size is None or access.intervals is None or access.name != args[3].id:
                    access = Access(access.name, access.write, access.space, None, None, True,
                                    unknown_why=f"{base} may write past its tmp, how far is not checked")
                else:
                    reach = max(size, row_expand_tmp_bytes(dims[2]))
                    reached = sorted((a, a + reach) for a, _ in access.intervals)
                    access = Access(access.name, access.write, access.space, reached, None, True)
                    if not bytes_in_space(access.space, reached[0][0], reached[-1][1]):
                        access = unknown_bytes(access, f"{base} writes past its tmp: "
                                                        + outside_space(access.space, reached))
            out.append(access)
        return out

    def _conversion_in_place(self, stmt: SimpleStmt, args: Sequence[Any], env: dict,
                             accesses: list) -> frozenset[str]:
        """A TCVT whose destination shares UB bytes with its source and whose element sizes differ
        races with itself. pto-isa a2a3 TCvt.hpp (f35e7f60) converts a tile with one vconv per row
        (or per group of repeats) and no pipe_barrier(PIPE_V) between them; converted in place, a
        later vconv writes bytes an earlier one read (narrowing: float -> bf16) or reads bytes an
        earlier one wrote (widening). msSanitizer's rule flags the pair (ptoas 2026-08 writes such
        TCVTs: `check --trace` reports "TCVT's vconv_f322f16r writes UB ..., which TCVT's
        vconv_f322f16r (line N) read"), and no barrier of the kernel can order it: the op is
        recorded as an internal race, as TFILLPAD's (the function is not verified). Equal element
        sizes in place keep each vconv on its own row's bytes: no pair. Returns the names of the
        pair it judged (none when the sizes are equal: _operands_share_bytes judges that pair)."""
        if len(args) < 2:
            return frozenset()
        dst, src = tile_operand(args[0], env), tile_operand(args[1], env)
        if dst is None or src is None or dst.tile is None or src.tile is None:
            return frozenset()
        sizes = (dtype_size(dst.tile.dtype), dtype_size(src.tile.dtype))
        if sizes[0] == sizes[1] or None in sizes:
            return frozenset()
        judged = frozenset((dst.name, src.name))
        if self._one_conversion(dst, src, sizes):
            return judged
        pair = next(((write, read) for write in accesses if write.write and write.name == dst.name
                     for read in accesses if not read.write and read.name == src.name and may_share(write, read)),
                    None)
        if pair is None:
            return judged
        unknown = unknown_bytes_why(pair)
        if not unknown:
            self.internal_races[id(stmt)] = (
                "TCVT in place: its destination shares UB bytes with its source of another element size, and "
                "pto-isa's TCvt converts row by row with no pipe_barrier(PIPE_V) between its vconvs (a WAR or RAW "
                "inside the op that no barrier of the kernel orders)")
        else:
            # (Bytes the model does not know may be shared: fail closed, with the operand's reason.)
            self.internal_races[id(stmt)] = Located(
                f"TCVT: its destination '{dst.name}' may share UB bytes with its source '{src.name}' of another "
                "element size (", *unknown, "), and pto-isa's TCvt converts row by row with no pipe_barrier(PIPE_V) "
                "between its vconvs (a WAR or RAW inside the op that no barrier of the kernel orders, if they do)")
        return judged

    def _operands_share_bytes(self, stmt: SimpleStmt, base: str, args: Sequence[Any], env: dict,
                              accesses: Sequence[Access], judged: frozenset[str]) -> None:
        """An op that writes UB bytes another of its operands reads or writes, other than in place
        (the same tile placement: one address, the same rows, columns, element size and layout, so
        that each instruction reads and writes the same elements), is taken to race with itself.
        pto-isa a2a3 issues most ops as several vector instructions with no pipe_barrier(PIPE_V)
        between them: a row at a time when the valid columns fall short of the row (TBinOp.hpp,
        TUnaryOp.hpp, TBinSOp.hpp), a head and a tail when a row is not whole repeats, one per
        REPEAT_MAX repeats, and TROWEXPAND*/TCOLEXPAND* one per row or column stripe
        (TRowExpandBinOp.hpp, TColExpandBinOp.hpp); TMOV between UB tiles a copy_ubuf_to_ubuf a row.
        With the destination shifted over a source, or a broadcast operand inside the destination,
        a later instruction reads bytes an earlier one wrote, or writes bytes it read, and
        msSanitizer's rule flags the pair (`check --trace` reports "TADD's vadd reads UB ..., which
        TADD's vadd (line N) wrote"). No barrier of the kernel can order it: the op is recorded as an
        internal race, as TFILLPAD's and TCVT's are (the function is not verified). The model does
        not tell which forms issue one instruction: every such sharing is taken to race (fail
        closed), and so is every pair of which either's bytes are not known (an address, extent or
        valid shape the model does not know: they may be shared), with that operand's reason
        (Access.unknown_why). The same operand twice, or two operands at the same placement (one
        known address and shape: same_placement), never is, and a TCVT's destination and source of
        other element sizes are _conversion_in_place's (``judged``)."""
        if id(stmt) in self.internal_races:
            return
        for write in accesses:
            if not write.write:
                continue
            for other in accesses:
                if other is write or other.name == write.name:
                    continue
                if frozenset((write.name, other.name)) == judged:
                    continue
                if not may_share(write, other) or same_placement(write, other):
                    continue
                # (Asked only once operands may share bytes: walk_kind reads the op's facts.)
                if (base == "TEXTRACT" and self._one_copy(args, env)) or one_linear_instruction(base, accesses):
                    return
                kind = "write" if other.write else "read"
                unknown = unknown_bytes_why((write, other))
                self.internal_races[id(stmt)] = Located(
                    f"{base}: '{write.name}' ", "may share" if unknown else "shares",
                    f" UB bytes with '{other.name}', which it also {kind}s, ",
                    *(("for the model does not know where they lie (", *unknown, ")") if unknown
                      else ("at another placement",)),
                    ", and pto-isa issues the op as several vector instructions with no pipe_barrier(PIPE_V) "
                    "between them (a RAW, WAR or WAW inside the op that no barrier of the kernel orders",
                    ", if they do)" if unknown else ")")
                return

    def _window_off_grid(self, stmt: SimpleStmt, base: str, args: Sequence[Any], env: dict) -> None:
        """A TEXTRACT or TINSERT whose copy may start off the UB's block grid (TileAccesses.
        window_column_problem): its operands' bytes are unknown already (TileAccesses._bound_window),
        which keeps the barriers around it; what it issues is not known either, so check verifies no
        function that runs it, even with no other op beside it (recorded as an op's own races are)."""
        if base in WINDOW_OPS:
            why = self.tiles.window_column_problem(base, args, env)
            if why:
                self.internal_races[id(stmt)] = why

    def _one_copy(self, args: Sequence[Any], env: dict) -> bool:
        """Whether a TEXTRACT between UB tiles issues one instruction, so that it has no pair of its
        own. pto-isa a2a3 TExtract.hpp (f35e7f60, TEXTRACT_IMPL, TExtractVecToVecNDDispatch):
        between RowMajor (ND: isRowMajor, whatever the SLayout) UB tiles, one copy_ubuf_to_ubuf of
        every valid row (a burst a row, gaps for the strides), then a vcopy a REPEAT_MAX rows for
        the valid columns' bytes past whole 32-byte blocks. One instruction: every valid column
        count dst may have is whole blocks (and not the 1 x 1 scalar path, nor the form with two
        destinations). Its copy must start on the UB's block grid too: a column offset that may not
        be whole blocks has made every operand's bytes unknown already (TileAccesses.
        window_column_problem), and is refused here as well."""
        dst = tile_operand(args[0], env) if args else None
        src = tile_operand(args[1], env) if len(args) > 1 else None
        if dst is None or src is None or dst.tile is None or src.tile is None:
            return False
        if len(args) > 2 and tile_operand(args[2], env) is not None or self.tiles.window_column_problem(
                "TEXTRACT", args, env):
            return False
        if any(t.blayout != "RowMajor" or t.space != UB_SPACE for t in (dst.tile, src.tile)):
            return False
        size = dtype_size(dst.tile.dtype)
        if size is None or size != dtype_size(src.tile.dtype) or (dst.tile.valid_row, dst.tile.valid_col) == (1, 1):
            return False
        cols = self.values.valid_dim_values(dst, 1)
        return cols is not None and bool(cols) and all(col > 0 and col * size % BLOCK_BYTES == 0 for col in cols)

    def _one_conversion(self, dst: Symbol, src: Symbol, sizes: tuple[int | None, int | None]) -> bool:
        """Whether the TCVT issues one vconv, so that it has no pair of its own. pto-isa a2a3
        TCvt.hpp (f35e7f60, TCvtHead / TCvtTail): each valid row's whole repeats (REPEAT_BYTES of
        the wider type each) go in vconvs of up to REPEAT_MAX repeats, a row after another, then
        the columns past them in one vconv repeated over the rows. One vconv: a one-row tile whose
        every possible valid column count is whole repeats (at most REPEAT_MAX) or fewer than one."""
        if None in sizes or dst.tile is None or src.tile is None or src.tile.rows != 1 or dst.tile.rows != 1:
            return False
        per_repeat = REPEAT_BYTES // max(size for size in sizes if size is not None)
        known = self.values.valid_dim_values(src, 1)
        cols = known if known else range(1, (src.tile.cols or 0) + 1) if src.tile.cols else None
        if cols is None:
            return False
        return all(col < per_repeat or (col % per_repeat == 0 and col // per_repeat <= REPEAT_MAX) for col in cols)

    def _reduce_tmp(self, base: str, args: Sequence[Any], env: dict, accesses: list) -> list:
        """The tmp write of a row reduction or TCOLSUM, widened to what the op may write past the
        tmp's own footprint (pto.ops.reduce_tmp_bytes); unknown bytes when that cannot be told."""
        src, tmp = tile_operand(args[1], env), tile_operand(args[2], env)
        if tmp is None or tmp.tile is None or src is None or src.tile is None:
            return accesses
        shapes = self.values.valid_shapes(src)
        whole = (src.tile.rows, src.tile.cols)
        reaches = [reduce_tmp_bytes(base, src.tile.dtype, shape, tmp.tile.cols, tmp.tile.dtype, whole)
                   for shape in shapes or [None]]
        reach = None if None in reaches else max(x for x in reaches if x is not None)
        addrs = self.values.tile_addresses(tmp)
        size = tmp.tile.nbytes
        out = []
        for access in accesses:
            if access.tmp and access.name == tmp.name and access.intervals is not None:
                if reach is None or addrs is None or size is None:
                    access = Access(access.name, access.write, access.space, None, None, True,
                                    unknown_why=f"{base} may write past its tmp, as far as the valid shape says")
                else:
                    reached = sorted((a, a + max(size, reach)) for a in addrs)
                    access = Access(access.name, access.write, access.space, reached, None, True)
                    if not bytes_in_space(access.space, reached[0][0], reached[-1][1]):
                        access = unknown_bytes(access, f"{base} writes past its tmp: "
                                                        + outside_space(access.space, reached))
            out.append(access)
        return out

    def _count_mode_reach(self, stmt: SimpleStmt, base: str, args: Sequence[Any], env: dict,
                          accesses: list) -> list | None:
        """The accesses of a TFILLPAD or a mask-pattern TGATHER, which run in count mode, widened to
        every byte they reach (pto.count_mode); None when that cannot be told: the caller then
        takes the op to write unknown UB bytes."""
        if len(args) != 2:
            return None
        dst, src = tile_operand(args[0], env), tile_operand(args[1], env)
        if dst is None or src is None or dst.tile is None or src.tile is None:
            return None
        size = dtype_size(dst.tile.dtype)
        if size is None or size != dtype_size(src.tile.dtype):
            return None
        dst_dims, src_dims = self.tiles.dims(dst), self.tiles.dims(src)
        if dst_dims is None or src_dims is None:
            return None
        dst_read_hi = 0
        if base in ("TFILLPAD", "TFILLPAD_INPLACE"):
            known_cols = self.values.valid_dim_values(src, 1)
            # (Unknown valid columns are taken to fit the tile, as for every op: any of them.)
            cols = sorted(known_cols) if known_cols else list(range(max(src_dims[1], src_dims[3]) + 1))
            reach = fillpad_reach(size, dst_dims[0], dst_dims[1], src_dims[0], src_dims[1], src_dims[2],
                                  dst_dims[2], cols)
            if reach is None:
                return None
            if base == "TFILLPAD" and any(col != src_dims[1] for col in cols):
                # pto-isa a2a3 TFillPad.hpp (f35e7f60, TFillPad): its count-mode vcopy writes src's
                # Cols elements into row 0, then, with no pipe_barrier(PIPE_V) between, a
                # vector_dup writes row 0's pad: the rest of the 32-byte block after the valid
                # columns when the pad values differ (Handle32BAlignedPad_Other), else from the
                # block-rounded valid columns to the row's end (PadRightSingleRow). A valid column
                # count short of Cols makes one of them write bytes the vcopy wrote: a WAW inside
                # the op, which msSanitizer's rule flags (`check --trace` reports it) and which no
                # barrier of the kernel can order.
                self.internal_races[id(stmt)] = (
                    "TFILLPAD: pto-isa's TFillPad pads row 0 with a vector_dup over bytes its own vcopy wrote, "
                    "with no pipe_barrier(PIPE_V) between them, when src's valid columns fall short of its Cols "
                    "(a WAW inside the op that no barrier of the kernel orders)")
            write_lo, write_hi, dst_read_hi, src_read_hi = reach
        elif base == "TGATHER":
            every = self._gather_pattern(stmt)
            if every is None or dst.tile.blayout != "RowMajor" or src.tile.blayout != "RowMajor":
                return None
            gathered = gather_by_pattern_reach(size, src_dims[1], src_dims[2], src_dims[3], every)
            if gathered is None:
                return None
            write_lo, write_hi, src_read_hi = 0, gathered[0], gathered[1]
        else:
            return None
        out = []
        dst_reads = None
        for access in accesses:
            if access.intervals is None and access.name in (dst.name, src.name):
                return None     # (its bytes are unknown already: so may be the rest)
            if access.name == dst.name and access.write:
                lo, hi = write_lo, max(write_hi, dst.tile.nbytes or 0)
                dst_reads = [(a, a + dst_read_hi) for a, _ in access.intervals]
            elif access.name == src.name and not access.write:
                lo, hi = 0, max(src_read_hi, src.tile.nbytes or 0)
            else:
                out.append(access)
                continue
            reached = sorted((a + lo, a + hi) for a, _ in access.intervals)
            access = rebuilt(access, reached, access.shape)
            if not bytes_in_space(access.space, reached[0][0], reached[-1][1]):
                access = unknown_bytes(access, f"{base} reaches past '{access.name}': "
                                                + outside_space(access.space, reached))
            out.append(access)
        if dst_reads is None:
            return None
        if dst_read_hi:
            out.append(Access(dst.name, False, dst.tile.space, dst_reads))
        return out

    @staticmethod
    def _gather_pattern(stmt: SimpleStmt) -> int | None:
        """One element kept in how many, for `TGATHER<D, S, MaskPattern::P…>(dst, src)` along
        rows (its fourth template argument, when written, GatherAxis::GATHER_ROW); else None."""
        node = stmt.ast
        call = node.expr if isinstance(node, A.ExprStmt) and isinstance(node.expr, A.Call) else None
        template = call.template if call is not None else None
        if template is None or len(template.args) not in (3, 4):
            return None
        words = [_pto_enumerator(arg) for arg in template.args[2:]]
        if words[0][0] != "MaskPattern" or len(words) == 2 and words[1] != ("GatherAxis", "GATHER_ROW"):
            return None
        return MASK_PATTERN_EVERY.get(words[0][1])

    def _drains(self, base: str, spec: OpSpec, args: Sequence[Any], env: dict) -> bool:
        if spec.trailing_drain == NEVER:
            return False
        if spec.trailing_drain == ROW_REDUCE:
            src, tmp = (tile_operand(args[i], env) if len(args) > i else None for i in (1, 2))
            if src is None or src.tile is None:
                return False
            tmp_cols = tmp.tile.cols if tmp is not None and tmp.tile is not None else None
            tmp_dtype = tmp.tile.dtype if tmp is not None and tmp.tile is not None else None
            shapes = self.values.valid_shapes(src)
            empty_drains = self.sem.ctx.isa.empty_row_reduce_drains
            return all(row_reduce_drains(src.tile.dtype, shape, tmp_cols, tmp_dtype, src.tile.cols, empty_drains)
                       for shape in shapes or [None])
        # The other kinds: by the static valid shapes of dst (first) and src (before the tmp).
        src_index = len(args) - 2 if spec.trailing_drain == ARG_REDUCE else 1
        dst, src = (tile_operand(args[i], env) if 0 <= i < len(args) else None for i in (0, src_index))
        dst_tile = dst.tile if dst is not None else None
        dst_valid = (dst_tile.valid_row, dst_tile.valid_col) \
            if dst_tile is not None and dst_tile.static_valid and dst_tile.valid_row is not None \
            and dst_tile.valid_col is not None else None
        src_tile = src.tile if src is not None else None
        shapes = self.values.valid_shapes(src) if src is not None and src_tile is not None \
            and src_tile.static_valid else None
        return all(trailing_drain_holds(base, len(args) > 2, src_tile.dtype if src_tile else None, dst_valid, shape)
                   for shape in shapes or [None])

    def _scalar_tci(self, stmt: SimpleStmt, args: Sequence[Any], env: dict) -> list[Event]:
        """TCI(dst, start), the scalar TCI (ops.SCALAR_TCI_NARGS): the scalar unit's stores into
        row 0 of dst, no vector work and no mask-mode switch. Like every scalar access of UB it is
        no event of the vector pipe, ordered against it by flags only; where it rewrites bytes the
        model knows exactly, rule (b) of the proof may use them (rewrite_by). Operands it does not
        read as a UB tile pto-isa accepts and a value: Unknown."""
        dst = tile_operand(args[0], env)
        tt = dst.tile if dst is not None else None
        start = args[1]
        problem = ""
        if not scalar_tci_call(stmt):
            # (Its statement names another count-mode name: a point where the mode may change,
            # FileContext.count_mode_points, which needs an event.)
            problem = f"{SCALAR_TCI}: a statement that names another count-mode name is not modelled"
        elif dst is None or tt is None:
            problem = f"{SCALAR_TCI}: operand 0 is not a tile ptofix knows"
        elif tt.space != UB_SPACE:
            problem = f"{SCALAR_TCI}: operand '{dst.name}' is a {tt.space} tile, not a UB (Vec) one"
        elif not scalar_tci_accepts(tt.rows, dtype_size(tt.dtype)):
            problem = (f"{SCALAR_TCI}: operand '{dst.name}' is not one row of 2- or 4-byte elements, which pto-isa's "
                       "TCI rejects")
        elif isinstance(start, A.Name):
            sym = env.get(start.id)
            if sym is None or sym.kind != "scalar" or isinstance(sym.ctype, PtrType):
                problem = f"{SCALAR_TCI}: operand '{start.id}' is not a scalar ptofix knows"
        elif not isinstance(start, A.Number) and not isinstance(expr_type(start, env, self.sem), IntType):
            problem = f"{SCALAR_TCI}: operand 1 is an expression ptofix cannot resolve"
        if problem:
            return [self._new(EventKind.UNKNOWN, stmt=stmt, op=SCALAR_TCI, why=problem)]
        self.other_pipe_writes[id(stmt)] = ("PIPE_S", args[0], start, env)
        return []

    def rewrite_by(self, stmt: Stmt) -> tuple | None:
        """(pipe, [Access]) if ``stmt`` is a TLOAD of one known address that rewrites every byte of
        its tile, or a scalar TCI of one known address and valid column count (the bytes it
        stores), else None."""
        entry = self.other_pipe_writes.get(id(stmt))
        if entry is None:
            return None
        pipe, dst, src, env = entry
        if pipe == "PIPE_S":
            return self._scalar_tci_rewrite(dst, env)
        tile = tile_operand(dst, env)
        if tile is None or not self._fully_written(dst, src, env):
            return None
        access = self.tiles.tile_access(tile, True, False)
        if access.intervals is None or len(access.intervals) != 1:
            return None     # a tile of several possible addresses: which bytes it rewrote is not known
        return pipe, [access]

    def _scalar_tci_rewrite(self, dst: Any, env: dict) -> tuple | None:
        """("PIPE_S", [Access]) of the bytes a scalar TCI surely stores: row 0 of its dst up to
        its valid columns, where the tile has one address and one known valid column count."""
        sym = tile_operand(dst, env)
        if sym is None or sym.tile is None:
            return None
        whole = self.tiles.tile_access(sym, True, False)
        walked = sym.tile if sym.tile.static_valid else self.tiles.known_valid_shape(sym, sym.tile)
        size = dtype_size(walked.dtype)
        if whole.intervals is None or len(whole.intervals) != 1 or not walked.static_valid \
                or walked.valid_col is None or size is None:
            return None
        lo = whole.intervals[0][0]
        return "PIPE_S", [Access(sym.name, True, whole.space, [(lo, lo + walked.valid_col * size)], None, False)]

    def _fully_written(self, dst: Any, src: Any, env: dict) -> bool:
        """TLOAD rewrites every byte of ``dst``: static full valid shape equal to the GM view's."""
        tile = tile_operand(dst, env)
        if tile is None or tile.tile is None or not isinstance(src, A.Name):
            return False
        tt = tile.tile
        if tt.valid_row != tt.rows or tt.valid_col != tt.cols or tt.blayout != "RowMajor" or tt.rows is None:
            return False
        return global_tensor_shape(env.get(src.id)) == (tt.rows, tt.cols)

    def _float_only(self, args: Sequence[Any], env: dict) -> bool:
        for arg in args:
            sym = tile_operand(arg, env)
            if sym is None or sym.tile is None or sym.tile.dtype not in FLOAT_TYPES:
                return False
        return True


def scratch_access(write: bool) -> Access:
    return Access(SCRATCH_ACCESS_NAME, write, UB_SPACE, [HIDDEN_SCRATCH], None, True)


def row_stride(tile: TileType) -> int | None:
    """pto-isa's `Tile::RowStride` (elements from one row to the next): Cols for a RowMajor tile,
    1 for a ColMajor one; None for a layout or shape the model does not read."""
    if tile.blayout == "ColMajor":
        return 1
    return tile.cols if tile.blayout == "RowMajor" else None


def global_tensor_shape(sym: Symbol | None) -> tuple | None:
    """(rows, cols) of a GlobalTensor variable from its pto::Shape<1, 1, 1, R, C>, if static."""
    if sym is None or sym.object_type != "GlobalTensor" or sym.type_ref is None or sym.type_ref.template is None:
        return None
    args = sym.type_ref.template.args
    shape = args[1] if len(args) > 1 else None
    if not isinstance(shape, A.TemplateId) or not shape.name.endswith("Shape"):
        return None
    # (Integer literals only: a floating one is no size_t template argument, `1e999` no number.)
    dims = [a.value for a in shape.args if isinstance(a, A.Number) and type(a.value) is int]
    # (All five dimensions written: `pto::Shape<R, C>` binds R and C to the first two of five,
    # the others taking their defaults, not to rows and columns.)
    if len(dims) != len(shape.args) or len(dims) != 5 or any(d != 1 for d in dims[:-2]):
        return None
    return dims[-2], dims[-1]


def _pto_enumerator(node: Any) -> tuple[str, str]:
    """(enumeration, enumerator) of `Enum::X` or `pto::Enum::X`, ('', '') for anything else."""
    if not isinstance(node, A.Name):
        return "", ""
    parts = node.id.removeprefix("::").removeprefix("pto::").split("::")
    return (parts[0], parts[1]) if len(parts) == 2 else ("", "")


def may_share(one: Access, other: Access) -> bool:
    """Whether two accesses may touch one UB byte: bytes the model does not know, of either, may be
    (Access.overlaps); an access of no bytes touches none."""
    return one.intervals != [] and other.intervals != [] and one.overlaps(other)


def unknown_bytes_why(pair: Sequence[Access]) -> list[str]:
    """The reasons the model does not know the bytes of each access of ``pair`` whose bytes it
    does not know (Access.unknown_why, its places kept; a plain one where it has none), joined by
    "; ": empty when it knows both."""
    out: list[str] = []
    for access in pair:
        if access.intervals is None:
            out += ["; "] if out else []
            out.append(access.unknown_why or f"the bytes of '{access.name}' are not known")
    return out


def same_placement(one: Access, other: Access) -> bool:
    """Whether two operands of an op lie at one address with the same rows, columns, element size
    and layout (Access.exact: one known address and a static walk), so that the op's instructions
    read and write each element of one where they do the other's."""
    if one.exact is None or other.exact is None:
        return False
    space, addr, rows, cols, dtype, blayout = one.exact[:6]
    o_space, o_addr, o_rows, o_cols, o_dtype, o_blayout = other.exact[:6]
    return ((space, addr, rows, cols, blayout) == (o_space, o_addr, o_rows, o_cols, o_blayout)
            and dtype_size(dtype) == dtype_size(o_dtype) is not None)


def one_linear_instruction(base: str, accesses: Sequence[Access]) -> bool:
    """Whether an element-wise, scalar or unary op issues one vector instruction, so that it has no
    pair of its own: every operand of a static walk (Access.exact's shape, or Access.shape where
    the address is not one the model knows: the instructions an op issues depend on its tiles'
    shapes, not on where they lie) that pto/walks.py's walk_kind calls ``linear`` (pto-isa a2a3
    TBinOp.hpp's fast path or run-time full rows, TBinSOp.hpp's tileDataContinue, TUnaryOp.hpp's
    isCombined; the table derived from the cost-model trace where it has the type's class), all of
    one element size and valid shape, and the run whole 256-byte repeats (no masked tail
    instruction) of at most REPEAT_MAX (no second instruction). An access whose bytes are unknown
    for another reason (a valid shape that may pass the tile, a walk past it) has no shape: not one
    instruction. tests/trace/test_operands_share_bytes_trace.py and scripts/trace_operand_overlap.py
    check it against the trace."""
    if base not in BINARY_OPS | SCALAR_OPS | UNARY_OPS or not accesses:
        return False
    shapes = set()
    for access in accesses:
        # (rows, cols, dtype, blayout, valid rows, valid cols)
        shape = access.exact[2:8] if access.exact is not None else access.shape
        if access.tmp or shape is None or None in (shape[0], shape[1], shape[4], shape[5]):
            return False
        rows, cols, dtype, blayout, valid_rows, valid_cols = shape
        size = dtype_size(dtype)
        if size is None:
            return False
        walk = TileWalk(rows, cols, size, blayout, valid_rows, valid_cols, access.type_contiguous,
                        access.valid_col_in_type, dtype or "", access.valid_in_type)
        if walk_kind(base, walk, access.write)[0] != LINEAR:
            return False
        shapes.add((size, valid_rows, valid_cols))
    if len(shapes) != 1:
        return False
    size, rows, cols = next(iter(shapes))
    nbytes = rows * cols * size
    return nbytes % REPEAT_BYTES == 0 and 0 < nbytes // REPEAT_BYTES <= REPEAT_MAX
