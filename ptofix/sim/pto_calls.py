"""The pto calls the interpreter runs (PtoCalls, which an Interpreter holds): set/wait flags, tile
methods, TASSIGN, vector ops (through the simulator's op semantics), TCI's scalar form, TLOAD/TSTORE
and the TPipe FIFO ops. What they read of the interpreter running them is an Evaluator."""
from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from ..cpp import stmt_parser as sp
from ..pto import tpipe
from ..pto.ops import (
    PIPE_NAMES,
    SCALAR_TCI,
    SCALAR_TCI_DESCENDING_ARG,
    SCALAR_TCI_NARGS,
    scalar_tci_accepts,
    scalar_tci_values,
)
from ..pto.ordering import EVENT_IDS, ROW_EXPAND_SCALAR_EVENT, event_number, wait_orders_up_to_its_set
from .c_values import CVal, UBPtr, as_int, describe
from .fifo import Pipe, PushRecord
from .memory import GlobalTensor, GMPtr, Memory, SimError, TileVar, TileView, dtype_of
from .ops_numpy import ExecutedCounts, Sym, build_steps
from .repeats import step_walk

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .fifo import FifoState
    from .schedule import Scheduler

MAX_SLOT_BYTES = 1 << 20
MAX_PUSHED_BYTES = 256 << 20


class Evaluator(Protocol):
    """What a pto call reads of the interpreter running it: the values of expressions and template
    arguments, where it is (the statement's id, the loop iterations around it) and how many loop
    back-edges it has taken."""

    back_edges: int

    def eval(self, node: Any) -> Any: ...

    def targ_value(self, node: Any) -> Any: ...

    def statement_id(self) -> int: ...

    def stamp(self) -> tuple: ...


class PtoCalls:
    """The pto calls of one core's run: they evaluate their operands with ``evaluator``, touch ``mem``,
    issue their steps to ``sched``, and exchange FIFO slots through ``fifo``. Keeps the pending
    cross-pipe flags."""

    def __init__(self, evaluator: Evaluator, mem: Memory, sched: Scheduler, fifo: FifoState, subblock_id: int) -> None:
        self.evaluator = evaluator
        self.mem = mem
        self.sched = sched
        self.fifo = fifo
        self.subblock_id = subblock_id
        # (src pipe, dst pipe, event) -> V horizons of its pending sets, earliest first
        self.flag_seq: dict[tuple, list[int]] = {}
        self.horizon: dict[str, int] = {}        # pipe -> V steps it has waited for
        # The flags with a pipe other than V and S, in issue order (is a set, src, dst, event): what
        # keeps TLOAD, TSTORE and FIFO copies in place, which the schedule trusts (schedule.py).
        self.trusted_flags: list[tuple[bool, str, str, int]] = []

    def flag(self, name: str, a: list):
        """Cross-pipe flags (ptofix.pto.ordering). A wait consumes the earliest pending set of the
        same pipes and event and orders only what that set covers: ``wait_flag(PIPE_V, PIPE_S, e)``
        completes the V steps issued before its set, not the ones issued since; a wait with no set
        of its own pending orders nothing. A round trip V -> X -> V, or a chain V -> X -> ... -> Y
        -> V (each pipe waiting before it signals), orders the V steps issued before
        ``set_flag(PIPE_V, X)`` before the V steps after ``wait_flag(Y, PIPE_V)``
        (docs/reference/pto-facts.md §8.2)."""
        if not all(isinstance(x, Sym) and x.leaf in PIPE_NAMES and x.leaf != "PIPE_ALL" for x in a[:2]):
            raise SimError(f"{name} between {', '.join(describe(x) for x in a[:2])} not modelled")
        if not isinstance(a[2], (Sym, CVal)):
            raise SimError(f"{name} event {describe(a[2])} not modelled")
        src, dst = a[0].leaf, a[1].leaf
        spelled = a[2].leaf if isinstance(a[2], Sym) else str(as_int(a[2], "event id"))
        ev = event_number(spelled)
        if ev is None:
            raise SimError(f"{name} event {spelled} (pto's events are EVENT_ID0..EVENT_ID{EVENT_IDS - 1})")
        self.flag_op(name == "set_flag", src, dst, ev)
        return None

    def flag_op(self, is_set: bool, src: str, dst: str, ev: int) -> None:
        # horizon[P]: the vector steps issued before it are done once pipe P has passed its waits
        # so far. A set carries the setter's horizon (V's: every step issued so far), a wait
        # hands it to the waiting pipe, so a chain through several pipes (V -> MTE2 -> MTE3 -> V)
        # orders as a direct round trip does.
        key = (src, dst, ev)
        if not {src, dst} <= {"PIPE_V", "PIPE_S"}:
            self.trusted_flags.append((is_set, src, dst, ev))
        if is_set:
            self.flag_seq.setdefault(key, []).append(self.sched.seq if src == "PIPE_V"
                                                     else self.horizon.get(src, 0))
            return
        pending = self.flag_seq.get(key)
        if not pending:
            return          # consumes a set made elsewhere: nothing the kernel shows is ordered
        covered = pending.pop(0)
        if wait_orders_up_to_its_set(src, dst):
            self.sched.drain_before(covered)
        else:
            self.horizon[dst] = max(self.horizon.get(dst, 0), covered)

    def method(self, member: sp.Member, args: list, statement: bool = False):
        f = member.field
        if member.arrow:
            raise SimError(f"method call through a pointer '->{f}()' not modelled")
        obj = self.evaluator.eval(member.obj)
        if f == "data" and not args:
            if isinstance(obj, TileVar):
                if obj.addr is None:
                    raise SimError(f"{obj.name}.data() before TASSIGN")
                return UBPtr(obj.addr, obj.type.elem)
            if isinstance(obj, GlobalTensor):
                return obj.ptr
        if f in ("GetValidRow", "GetValidCol") and isinstance(obj, TileVar) and not args:
            return CVal(obj.valid_rows if f == "GetValidRow" else obj.valid_cols, "i32")
        if f == "SetValidShape" and isinstance(obj, TileVar):
            if not statement:
                raise SimError("'.SetValidShape()' inside an expression (only a call statement is run)")
            if len(args) != 2:
                raise SimError("SetValidShape takes two arguments")
            vals = [as_int(self.evaluator.eval(a), "valid shape") for a in args]
            obj.valid_rows, obj.valid_cols = vals[0], vals[1]
            obj.check_valid_shape()
            return None
        raise SimError(f"method '.{f}()' on {describe(obj)} not modelled")

    def tassign(self, args: list):
        target = self.evaluator.eval(args[0])
        value = self.evaluator.eval(args[1])
        if isinstance(target, TileVar):
            if isinstance(value, GMPtr):
                raise SimError("TASSIGN of a GM address to a tile")
            if isinstance(value, UBPtr):
                value = CVal(value.addr, "u64")
            if not isinstance(value, CVal):
                raise SimError("TASSIGN address must be an integer")
            target.addr = as_int(value, "TASSIGN address")
            return None
        if isinstance(target, GlobalTensor):
            if not isinstance(value, GMPtr):
                raise SimError("TASSIGN of a GlobalTensor needs a __gm__ pointer")
            target.ptr = value.retype(target.elem)
            target.ptr.region.ensure_view(target)
            return None
        raise SimError("TASSIGN target is not a tile or GlobalTensor")

    def _op_args(self, node: sp.Call) -> list:
        out = []
        for a in node.args:
            v = self.evaluator.eval(a)
            if isinstance(v, TileVar):
                view = v.snapshot()
                self.mem.check_tile(view)
                out.append(view)
            elif isinstance(v, CVal):
                out.append(v.v)
            elif isinstance(v, Sym):
                out.append(v)  # type: ignore[arg-type]  # mode constants travel with the operands
            elif isinstance(v, ExecutedCounts):
                out.append(v)  # type: ignore[arg-type]  # TMRGSORT stores into it
            else:
                raise SimError(f"{node.callee}: operand {describe(v)} not modelled")
        return out

    def vector_op(self, name: str, node: sp.Call):
        targs = node.template.args if node.template is not None else []
        if name == "TMOV":
            raw = [self.evaluator.eval(a) for a in node.args[:2]]
            if any(isinstance(r, TileVar) and r.type.loc != "Vec" for r in raw):
                locs = [r.type.loc for r in raw if isinstance(r, TileVar)]
                raise SimError(f"TMOV between {' and '.join(locs)} is not on the vector pipe")
        args = self._op_args(node)
        steps = build_steps(name, args, targs)
        sid = self.evaluator.statement_id()
        stamp = self.evaluator.stamp()
        for step in steps:
            if step.round_trip_before:
                self.flag_op(True, "PIPE_V", "PIPE_S", ROW_EXPAND_SCALAR_EVENT)
                self.flag_op(False, "PIPE_V", "PIPE_S", ROW_EXPAND_SCALAR_EVENT)
            walk = step_walk(name, args, targs, step.reads, step.writes, step.tmp) \
                if step.label == name and (len(steps) == 1 or _row_expand_body(name, steps)) else None
            self.sched.issue(sid, step.label, True, step.reads, step.writes, step.fn, stamp, step.tmp,
                             self.evaluator.back_edges, walk)
            if step.drain_after:
                self.sched.drain()
        return None

    def scalar_tci(self, node: sp.Call, tmpl: sp.TemplateId | None):
        """TCI<TileData, T, descending>(dst, start), pto-isa's scalar TCI (ptofix.pto.ops
        SCALAR_TCI_NARGS): the scalar unit stores start + i (start - i descending), converted to
        dst's element type, into row 0 of dst for i below its valid columns. A step of another
        pipe than V, like TLOAD's: in program order among those and against the vector steps that
        share its bytes (the kernel's flags order them, and the model trusts flags). Its tmp form
        runs vector code in count mode: refused."""
        if len(node.args) != SCALAR_TCI_NARGS:
            raise SimError(f"{SCALAR_TCI} with {len(node.args)} operands is not modelled (only the scalar "
                           f"{SCALAR_TCI}(dst, start); the tmp form runs vector code in count mode)")
        if tmpl is None or len(tmpl.args) <= SCALAR_TCI_DESCENDING_ARG:
            raise SimError(f"{SCALAR_TCI} without its <TileData, T, descending> template arguments")
        descending = self.evaluator.targ_value(tmpl.args[SCALAR_TCI_DESCENDING_ARG])
        if not isinstance(descending, int):
            raise SimError(f"{SCALAR_TCI}'s descending template argument {describe(descending)} "
                           "is not a constant")
        dst, start = self.evaluator.eval(node.args[0]), self.evaluator.eval(node.args[1])
        if not isinstance(dst, TileVar) or not isinstance(start, CVal) or not isinstance(start.v, int):
            raise SimError(f"{SCALAR_TCI} needs a tile and an integer start value")
        view = dst.snapshot()
        self.mem.check_tile(view)
        dt = dtype_of(view.type.elem)[0]
        start_type = self.evaluator.targ_value(tmpl.args[1])
        if not scalar_tci_accepts(view.type.rows, dt.itemsize) or start_type != view.type.elem:
            raise SimError(f"{SCALAR_TCI} of tile '{view.name}' ({view.type.rows} rows of {view.type.elem}, start "
                           f"type {describe(start_type)}): pto-isa's static_asserts reject it")
        if dt.kind not in "iu":
            raise SimError(f"{SCALAR_TCI} of {view.type.elem} tile '{view.name}': only an integer fill is modelled")
        # (C++'s conversions to an integer type of `bits` bits keep the value modulo 2**bits.)
        modulus = 1 << (8 * dt.itemsize)
        values = scalar_tci_values(start.v % modulus, view.valid_cols, descending != 0)
        data = np.array([v % modulus for v in values], np.dtype(f"<u{dt.itemsize}")).view(np.uint8)
        lo = view.lo

        def run(mem: Memory, stmt: int) -> None:
            mem.write_bytes(lo, data, stmt)
        self.sched.issue(self.evaluator.statement_id(), SCALAR_TCI, False, [], [(lo, lo + data.size)], run,
                         self.evaluator.stamp())
        return None

    def load_store(self, name: str, node: sp.Call):
        if len(node.args) < 2:
            raise SimError(f"{name} needs two operands")
        if name == "TLOAD":
            tile_v, gt = self.evaluator.eval(node.args[0]), self.evaluator.eval(node.args[1])
        else:
            gt, tile_v = self.evaluator.eval(node.args[0]), self.evaluator.eval(node.args[1])
        if not isinstance(tile_v, TileVar) or not isinstance(gt, GlobalTensor):
            raise SimError(f"{name} operands must be a tile and a GlobalTensor")
        view = tile_v.snapshot()
        if view.type.loc != "Vec":
            raise SimError(f"{name} of a {view.type.loc} tile is not on the vector side")
        self.mem.check_tile(view)
        if gt.ptr is None:
            raise SimError(f"{name} through a GlobalTensor with no address (nullptr)")
        gt = GlobalTensor(gt.elem, gt.shape, gt.stride, gt.layout, gt.ptr)
        rows, cols = gt.rows_cols()
        if rows > view.type.rows or cols > view.type.cols:
            raise SimError(f"{name}: GlobalTensor [{rows}x{cols}] does not fit tile {view.name} "
                           f"[{view.type.rows}x{view.type.cols}]")
        if dtype_of(gt.elem)[0].itemsize != view.type.size:
            raise SimError(f"{name}: element types differ ({gt.elem} vs {view.type.elem})")
        if gt.ptr is None:
            raise SimError(f"{name}: GlobalTensor without a GM pointer")
        region = gt.ptr.region
        if rows * cols == 0:
            return None            # empty view: nothing moves
        region.ensure_view(gt)
        offsets = gt.element_offsets()
        storage_dt = dtype_of(view.type.elem)[0]
        base = gt.ptr.offset

        if name == "TLOAD":
            def run(mem: Memory, stmt: int) -> None:
                flat = region.data[base:base + (int(offsets.max()) + 1) * storage_dt.itemsize].view(storage_dt)
                block = flat[offsets]
                st = mem.storage(view)
                st[:rows, :cols] = block
                mem.ub_writer[view.lo:view.hi] = stmt
                mem.ub_vid[view.lo:view.hi] = mem.cur_vid
            self.sched.issue(self.evaluator.statement_id(), "TLOAD", False, [], [view], run, self.evaluator.stamp())
        else:
            def run(mem: Memory, stmt: int) -> None:
                st = mem.storage(view)[:rows, :cols]
                mem.observe(view)
                nbytes = (int(offsets.max()) + 1) * storage_dt.itemsize
                flat = region.data[base:base + nbytes].view(storage_dt)
                flat[offsets] = st
                size = storage_dt.itemsize
                byte_idx = (base + offsets.reshape(-1, 1) * size + np.arange(size)).reshape(-1)
                region.writer[byte_idx] = stmt
                # origin: the statement that last wrote the UB bytes being stored
                ub_idx = self._ub_byte_index(view, rows, cols).reshape(-1)
                region.origin[byte_idx] = mem.ub_writer[ub_idx]
            self.sched.issue(self.evaluator.statement_id(), "TSTORE", False, [view], [], run, self.evaluator.stamp())
        return None

    def new_pipe(self, tid: sp.TemplateId, args: list) -> Pipe:
        a = [self.evaluator.targ_value(x) for x in tid.args]
        if len(a) < 4:
            raise SimError("TPipe<> needs <FlagID, Dir, SlotSize, SlotNum, ...>")
        direction: str | None
        if isinstance(a[1], Sym):
            direction = a[1].leaf.replace("DIR_", "")
        else:
            direction = {1: "C2V", 2: "V2C", 3: "BOTH"}.get(a[1])
        # Argument order and defaults come from the one TPipe decoder (ptofix.pto.tpipe).
        shape = tpipe.layout([x.value if type(x) in (sp.Number, sp.Literal) else None for x in tid.args])
        if shape.order not in (tpipe.NEW, tpipe.SHORT):
            raise SimError(f"TPipe argument order '{shape.order}': the LocalSlotNum in effect depends on the "
                           "pto-isa header version")
        local = tpipe.DEFAULT_LOCAL_SLOT_NUM if shape.local is None else as_int(a[shape.local], "TPipe LocalSlotNum")
        if direction is None:
            raise SimError("TPipe direction not understood")
        vals = [self.evaluator.eval(x) for x in args]
        gm = vals[0] if vals and isinstance(vals[0], GMPtr) else None
        c2v = as_int(vals[1], "TPipe c2v buffer") if len(vals) > 1 and isinstance(vals[1], CVal) else 0
        v2c = as_int(vals[2], "TPipe v2c buffer") if len(vals) > 2 and isinstance(vals[2], CVal) else 0
        flag, slot_size = as_int(a[0], "TPipe FlagID"), as_int(a[2], "TPipe SlotSize")
        slot_num = as_int(a[3], "TPipe SlotNum")
        if slot_size > MAX_SLOT_BYTES:
            # Every pop fills and every push records a whole slot: kernels use 8-64 KiB slots.
            raise SimError(f"TPipe SlotSize {slot_size}: slots above {MAX_SLOT_BYTES} bytes are not simulated")
        if flag < 0 or slot_size <= 0 or slot_num <= 0 or local < 0:
            raise SimError(f"TPipe<FlagID {flag}, SlotSize {slot_size}, SlotNum {slot_num}, LocalSlotNum {local}>: "
                           "FlagID and LocalSlotNum must not be negative, SlotSize and SlotNum must be positive")
        return Pipe(flag, direction, slot_size, slot_num, local, gm, c2v, v2c)

    def fifo_op(self, name: str, node: sp.Call):
        tmpl = node.template
        split = "TILE_NO_SPLIT"
        if tmpl is not None:
            for x in tmpl.args:
                v = self.evaluator.targ_value(x) if isinstance(x, sp.Name) else None
                if isinstance(v, Sym) and "TILE_" in v.name:
                    split = v.leaf
        vals = [self.evaluator.eval(a) for a in node.args]
        if not vals or not isinstance(vals[0], Pipe):
            raise SimError(f"{name}: first operand must be a TPipe object")
        pipe = vals[0]
        obj = vals[1] if len(vals) > 1 else None
        sid = self.evaluator.statement_id()
        sub = self.subblock_id
        if name == "TFREE":
            pipe.frees += 1
            return None
        if name == "TALLOC":
            if not isinstance(obj, GlobalTensor):
                raise SimError("TALLOC of a tile is not modelled")
            obj.ptr = pipe.slot(pipe.allocs).retype(obj.elem)
            obj.ptr.region.ensure_view(obj)
            pipe.allocs += 1
            return None
        if name == "TPOP":
            index = pipe.pops
            pipe.pops += 1
            slot = pipe.slot(index)
            elem = obj.elem if isinstance(obj, GlobalTensor) else obj.type.elem if isinstance(obj, TileVar) else "float"
            shape: tuple[int, ...]
            if isinstance(obj, GlobalTensor):
                shape = obj.rows_cols()
            elif isinstance(obj, TileVar):
                shape = (obj.type.rows * (2 if split == "TILE_UP_DOWN" else 1), obj.type.cols)
            else:
                shape = ()
            fifo = self.fifo

            region = slot.region
            region.ensure(slot.offset + pipe.slot_size, slot.offset)

            def fill(mem: Memory, stmt: int, slot=slot, index=index, elem=elem, shape=shape) -> None:
                data = fifo.slot_bytes(pipe, index, elem, shape)
                region.data[slot.offset:slot.offset + data.size] = data
                region.writer[slot.offset:slot.offset + data.size] = -2   # written by the cube side
            self.sched.issue(sid, "TPOP.fill", False, [], [], fill, self.evaluator.stamp())
            if isinstance(obj, GlobalTensor):
                obj.ptr = slot.retype(obj.elem)
                return None
            if isinstance(obj, TileVar):
                if obj.type.loc != "Vec":
                    raise SimError(f"TPOP into a {obj.type.loc} tile is not on the vector side")
                obj.addr = pipe.c2v_buf + (index % max(1, pipe.local_slot_num)) * pipe.slot_size
                view = obj.snapshot()
                self.mem.check_tile(view)
                offset = self._split_offset(split, view, sub)
                self._check_slot_fits(pipe, offset, view)
                self._copy_slot_tile(slot, offset, view, to_ub=True, sid=sid)
                return None
            raise SimError("TPOP operand must be a tile or GlobalTensor")
        if name == "TPUSH":
            index = pipe.pushes
            pipe.pushes += 1
            slot = pipe.slot(index)
            fifo = self.fifo
            if isinstance(obj, TileVar):
                view = obj.snapshot()
                if view.type.loc != "Vec":
                    raise SimError(f"TPUSH of a {view.type.loc} tile is not on the vector side")
                self.mem.check_tile(view)
                offset = self._split_offset(split, view, sub)
                self._check_slot_fits(pipe, offset, view)
                slot.region.ensure(slot.offset + pipe.slot_size, slot.offset)
                self._copy_slot_tile(slot, offset, view, to_ub=False, sid=sid)
                lo, hi = slot.offset + offset, slot.offset + offset + view.type.nbytes
                reads = [view]
            elif isinstance(obj, GlobalTensor) or obj is None:
                lo, hi = slot.offset, slot.offset + pipe.slot_size
                slot.region.ensure(hi, lo)
                reads = []
            else:
                raise SimError("TPUSH operand must be a tile or GlobalTensor")
            region = slot.region
            # Every push's bytes are kept for the comparison of the two runs.
            fifo.pushed_bytes += hi - lo
            if fifo.pushed_bytes > MAX_PUSHED_BYTES:
                raise SimError(f"the pushes of this run would record more than {MAX_PUSHED_BYTES} bytes")

            def record(mem: Memory, stmt: int, lo=lo, hi=hi, index=index) -> None:
                fifo.pushes.append(PushRecord(pipe.flag, index, sub, bytes(region.data[lo:hi]), stmt))
            self.sched.issue(sid, "TPUSH", False, reads, [], record, self.evaluator.stamp())
            return None
        raise SimError(f"{name} not modelled")

    def _copy_slot_tile(self, slot: GMPtr, offset: int, view: TileView, to_ub: bool, sid: int) -> None:
        region = slot.region
        base = slot.offset + offset
        n = view.type.nbytes

        if to_ub:
            def run(mem: Memory, stmt: int) -> None:
                mem.write_bytes(view.lo, region.data[base:base + n].copy(), stmt)
            self.sched.issue(sid, "TPOP.load", False, [], [view], run, self.evaluator.stamp())
        else:
            def run(mem: Memory, stmt: int) -> None:
                region.data[base:base + n] = mem.ub[view.lo:view.hi]
                mem.observe_bytes(view.lo, view.hi)
                region.writer[base:base + n] = stmt
                region.origin[base:base + n] = mem.ub_writer[view.lo:view.hi]
            self.sched.issue(sid, "TPUSH.store", False, [view], [], run, self.evaluator.stamp())

    @staticmethod
    def _ub_byte_index(view: TileView, rows: int, cols: int) -> np.ndarray:
        t = view.type
        r = np.arange(rows)[:, None]
        c = np.arange(cols)[None, :]
        elem = r * t.cols + c if t.blayout == "RowMajor" else c * t.rows + r
        return (view.lo + elem[..., None] * t.size + np.arange(t.size)).reshape(rows, cols * t.size)

    @staticmethod
    def _check_slot_fits(pipe: Pipe, offset: int, view: TileView) -> None:
        if offset + view.type.nbytes > pipe.slot_size:
            raise SimError(f"tile '{view.name}' ({view.type.nbytes} bytes at offset {offset}) does not fit the "
                           f"{pipe.slot_size}-byte slot of FIFO {pipe.flag}")

    @staticmethod
    def _split_offset(split: str, view: TileView, sub: int) -> int:
        if split == "TILE_UP_DOWN":
            return sub * view.type.nbytes
        if split == "TILE_LEFT_RIGHT":
            raise SimError("TILE_LEFT_RIGHT FIFO split is not modelled")
        return 0


def _row_expand_body(name: str, steps: list) -> bool:
    """A binary TROWEXPAND* of one vbrcb broadcast, its drain and the op (fewer than 256 rows: one
    chunk): the op's step walks dst (ops_numpy.OpBuilder._row_expand_binary)."""
    return name.startswith("TROWEXPAND") and name != "TROWEXPANDEXPDIF" and len(steps) == 2 \
        and steps[0].label == name + ".vbrcb" and steps[0].drain_after and not steps[1].drain_after
