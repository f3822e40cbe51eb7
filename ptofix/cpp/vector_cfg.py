"""Control-flow model of the vector pipe for one function.

Each statement becomes zero or more *events*: a PIPE_V op with its byte accesses, a drain
(something that waits for every earlier PIPE_V instruction), an unknown op ("reads and writes
everything"), or nothing. Events are linked along the function's control flow: sequences,
``if/else``, ``#if`` sections (any branch or none), and ``for`` with a back-edge.

Drains (issue #2, pto_isa_facts.md §2, §2.1): ``pipe_barrier(PIPE_V)``, ``pipe_barrier(PIPE_ALL)``,
``wait_flag(PIPE_V, PIPE_S, ...)``, and the internal trailing barrier of TROWSUM/TROWMAX/TROWMIN,
TCOLMAX/TCOLMIN and TCOLSUM with tmp; TROWEXPAND* with a non-RowMajor src1 and no tmp is
``vbrcb(scratch <- src1); barrier; op`` (a leading internal drain, §2).
"""
from __future__ import annotations

import re
from typing import Optional

from ..record import Record
from . import stmt_parser as A
from .memory import FunctionMemory
from .model import (Comment, Compound, Directive, ForStmt, Function, IfStmt, OpaqueStmt, PPIfStmt,
                    SimpleStmt, Stmt)
from .ops import HIDDEN_SCRATCH, OPS, PIPE_FIFO_OPS, PIPE_V, SCALAR_CALLS, move_pipe


class Access(Record):
    name: str                       # variable or "<hidden scratch>"
    write: bool
    space: Optional[str]            # None = any space
    intervals: Optional[list]       # [(lo, hi)], None = unknown (whole space)
    exact: Optional[tuple] = None   # key for the same-access rule, None if not provable
    tmp: bool = False
    contiguous_repeats: int = 0     # producer repeat count when contiguous (for §5.3), else 0
    elementwise: bool = False       # op walks this operand element-for-element like its dst

    def overlaps(self, other: "Access") -> bool:
        if self.space is not None and other.space is not None and self.space != other.space:
            return False
        if self.intervals is None or other.intervals is None:
            return True
        return any(a < d and c < b for a, b in self.intervals for c, d in other.intervals)

    def describe(self) -> str:
        where = "unknown bytes" if self.intervals is None else ", ".join(f"[{a}, {b})" for a, b in self.intervals)
        return f"{self.name} ({self.space or 'any space'} {where})"


class Event(Record):
    kind: str                        # "op" | "drain" | "barrier" | "unknown" | "nop"
    stmt: Optional[Stmt] = None
    op: str = ""
    accesses: list = []
    why: str = ""                    # for unknown events / drains
    succ: list = []   # [(Event, is_back_edge)]
    pred: list = []
    order: int = 0


_TYPE_CTORS = {"Tile", "pto::Tile", "GlobalTensor", "pto::GlobalTensor", "pto::Shape", "pto::Stride", "Shape",
               "Stride", "TPipe", "reinterpret_cast", "static_cast", "const_cast", "sizeof", "data"}
_CALL_NAME = re.compile(r"([A-Za-z_][\w:]*)\s*(?:<[^;(]*>)?\s*\(")
_CASTS = {"int8_t", "uint8_t", "int16_t", "uint16_t", "int32_t", "uint32_t", "int64_t", "uint64_t", "size_t",
          "unsigned", "int", "float", "half", "bool", "bfloat16_t"}
_BENIGN_OPAQUE_CALLS = {"set_flag", "wait_flag", "switch", "case", "if", "while", "for", "return"}


class FunctionCFG:
    def __init__(self, fn: Function, memory: FunctionMemory, local_functions: dict[str, Function]):
        self.fn = fn
        self.mem = memory
        self.local_functions = local_functions
        self.local_calls: list[Event] = []            # resolved by BarrierAnalysis once purity is known
        self.events: list[Event] = []
        self.entry = self._new("nop", why="entry")
        self.exit = Event("nop", why="exit")
        self.unstructured: Optional[str] = None
        self.barrier_events: dict[int, Event] = {}   # id(stmt) -> barrier event
        self.stmt_events: dict[int, list] = {}
        self.position: dict[int, tuple] = {}          # id(stmt) -> (statement list, index)
        self.other_pipe_writes: dict[int, tuple] = {} # id(stmt) -> (pipe, dst, src) of a TLOAD
        body = fn.body
        if isinstance(body, OpaqueStmt):
            self.unstructured = body.reason
            tails = [self.entry]
        else:
            tails = self._block(body.body if isinstance(body, Compound) else [body], [(self.entry, False)])
        self.exit.order = len(self.events)
        self.events.append(self.exit)
        for tail, back in tails:
            _link(tail, self.exit, back)

    # -- construction ----------------------------------------------------------------------------
    def _new(self, kind: str, **kw) -> Event:
        event = Event(kind, **kw)
        event.order = len(self.events)
        self.events.append(event)
        return event

    def _chain(self, preds: list, events: list[Event]) -> list:
        for event in events:
            for pred, back in preds:
                _link(pred, event, back)
            preds = [(event, False)]
        return preds

    def _block(self, stmts: list[Stmt], preds: list) -> list:
        for index, stmt in enumerate(stmts):
            self.position[id(stmt)] = (stmts, index)
            preds = self._stmt(stmt, preds)
        return preds

    def _stmt(self, stmt: Stmt, preds: list) -> list:
        if isinstance(stmt, (Comment, Directive)):
            return preds
        if isinstance(stmt, Compound):
            return self._block(stmt.body, preds)
        if isinstance(stmt, ForStmt):
            header_text = ";".join((stmt.init, stmt.cond, stmt.step))
            header = self._new("nop" if _benign_text(header_text) else "unknown", stmt=stmt,
                               why="loop header" if _benign_text(header_text) else "loop header calls a function")
            self._chain(preds, [header])
            tails = self._stmt(stmt.body, [(header, False)]) if stmt.body is not None else [(header, False)]
            for tail, _ in tails:
                _link(tail, header, True)
            return [(header, False)]
        if isinstance(stmt, IfStmt):
            benign = _benign_text(stmt.cond)
            cond = self._new("nop" if benign else "unknown", stmt=stmt,
                             why="if" if benign else "if condition calls a function")
            self._chain(preds, [cond])
            out = self._stmt(stmt.then, [(cond, False)])
            out += self._stmt(stmt.orelse, [(cond, False)]) if stmt.orelse is not None else [(cond, False)]
            return out
        if isinstance(stmt, PPIfStmt):
            split = self._new("nop", stmt=stmt, why="#if")
            self._chain(preds, [split])
            out: list = []
            for branch in stmt.branches:
                out += self._block(branch.body, [(split, False)])
            if not stmt.has_else:
                out.append((split, False))
            return out
        if isinstance(stmt, OpaqueStmt):
            if stmt.reason in ("label",) or "goto" in stmt.reason:
                self.unstructured = self.unstructured or f"{stmt.reason} (goto/labels are not modelled)"
                return preds
            if _benign_text(stmt.text):
                return preds
            event = self._new("unknown", stmt=stmt, why=stmt.reason)
            return self._chain(preds, [event])
        if isinstance(stmt, SimpleStmt):
            events = self._simple(stmt)
            self.stmt_events[id(stmt)] = events
            if stmt.kind == "jump" and stmt.head == "return":
                tails = self._chain(preds, events)
                for tail, back in tails:
                    _link(tail, self.exit, back)
                return []
            if stmt.kind == "jump":
                self.unstructured = self.unstructured or f"'{stmt.head}' is not modelled"
            return self._chain(preds, events)
        return preds

    # -- statements -> events ------------------------------------------------------------------
    def _simple(self, stmt: SimpleStmt) -> list[Event]:
        kind, head = stmt.kind, stmt.head
        if kind == "barrier":
            pipe = _first_arg(stmt.text)
            if pipe == "PIPE_V":
                event = self._new("barrier", stmt=stmt, why="pipe_barrier(PIPE_V)")
                self.barrier_events[id(stmt)] = event
                return [event]
            if pipe == "PIPE_ALL":
                return [self._new("drain", stmt=stmt, why="pipe_barrier(PIPE_ALL)")]
            return []
        if kind == "wait_flag":
            args = _args(stmt.text)
            if len(args) >= 2 and args[0] == "PIPE_V" and args[1] == "PIPE_S":
                return [self._new("drain", stmt=stmt, why="wait_flag(PIPE_V, PIPE_S)")]
            return []
        if kind in ("set_flag", "empty", "alias", "jump", "method"):
            return []
        if kind == "call":
            return self._call(stmt)
        # Declarations and assignments: scalar unless they call something that may touch tiles.
        # A cheap text check first; the grammar decides only when the text looks suspicious.
        from .memory import _declared_name
        declared = _declared_name(stmt.text, kind) if kind == "decl" else ""
        if _benign_text(stmt.text, allow_ctors=True, ignore=declared):
            return []
        ast = stmt.ast
        if ast is not None and all(_benign_callee(call) for call in _calls_in(ast)):
            return []
        return [self._new("unknown", stmt=stmt, why="statement calls a function ptofix does not model")]

    def _call(self, stmt: SimpleStmt) -> list[Event]:
        head = stmt.head
        base = head.split("::")[-1]
        if head in SCALAR_CALLS or base in ("TASSIGN", "TRESHAPE"):
            return []
        if base in PIPE_FIFO_OPS:
            return []   # GlobalTensor form: signal only; Tile form: MTE2/MTE3 (not PIPE_V)
        if head in self.local_functions:
            # Becomes "nop" if the callee issues no vector work, "unknown" otherwise (see
            # BarrierAnalysis._resolve_local_calls); both are decided once every function is built.
            event = self._new("call", stmt=stmt, op=head, why=f"call to {head}()")
            self.local_calls.append(event)
            return [event]
        spec = OPS.get(base)
        if spec is None:
            return [self._new("unknown", stmt=stmt, why=f"'{head}' is not in the effects table")]
        ast = stmt.ast
        if ast is None or not isinstance(ast, A.ExprStmt) or not isinstance(ast.expr, A.Call):
            return [self._new("unknown", stmt=stmt, why="statement could not be parsed")]
        args = ast.expr.args
        pipe = spec.pipe
        if pipe == "by-type":
            if base == "TSTORE":
                return []   # MTE3 / FIX, never PIPE_V
            dst = self._tile_space(args[0]) if args else None
            src = self._tile_space(args[1]) if len(args) > 1 else None
            pipe = move_pipe(dst, src)
            if pipe is None:
                return [self._new("unknown", stmt=stmt, why=f"{base}: cannot tell its pipe from the tile types")]
        if pipe != PIPE_V:
            # Not vector work, but its UB writes matter to rule (b) of the proof (rewritten bytes).
            if base == "TLOAD" and len(args) == 2:
                self.other_pipe_writes[id(stmt)] = (pipe, args[0], args[1])   # checked on demand
            return []
        accesses, problem = self._accesses(base, spec, args)
        if problem:
            return [self._new("unknown", stmt=stmt, op=base, why=problem)]
        if base in ("TCVT", "TEXTRACT") and not self._float_only(args[:2]):
            # Integer conversions / the int8 extract path may use the hidden TMP_UB scratch (§2.3).
            accesses = accesses + [_scratch(True), _scratch(False)]
        if spec.row_expand and len(args) == 3:
            src1 = args[2]
            tt = self.mem.tile_type(src1.id) if isinstance(src1, A.Name) else None
            if tt is not None and tt.blayout != "RowMajor":
                # vbrcb(scratch <- src1); pipe_barrier(PIPE_V); op(dst <- src0, scratch)  (§2, §2.3)
                scratch_w = _scratch(True)
                scratch_r = _scratch(False)
                src1_reads = [a for a in accesses if a.name == src1.id and not a.write]
                main = [a for a in accesses if not (a.name == src1.id and not a.write)]
                if any(isinstance(x, A.Name) and x.id == src1.id for x in args[:2]):
                    main = accesses  # src1 also used as src0/dst: keep every access on the main op
                return [self._new("op", stmt=stmt, op=base + ".vbrcb", accesses=src1_reads + [scratch_w]),
                        self._new("drain", stmt=stmt, why=f"{base} internal barrier after vbrcb"),
                        self._new("op", stmt=stmt, op=base, accesses=main + [scratch_r])]
            if tt is None or tt.blayout != "RowMajor":
                accesses = accesses + [_scratch(True), _scratch(False)]
        event = self._new("op", stmt=stmt, op=base, accesses=accesses)
        drains = spec.trailing_drain or (base == "TCOLSUM" and len(args) >= 3)
        if drains:
            return [event, self._new("drain", stmt=stmt, why=f"{base} ends with pipe_barrier(PIPE_V)")]
        return [event]

    def rewrite_by(self, stmt) -> Optional[tuple]:
        """(pipe, [Access]) if ``stmt`` is a TLOAD that rewrites every byte of its tile, else None."""
        entry = self.other_pipe_writes.get(id(stmt))
        if entry is None or not self._fully_written(entry[1], entry[2]):
            return None
        return entry[0], [self._tile_access(entry[1].id, True, False)]

    def _fully_written(self, dst, src) -> bool:
        """TLOAD rewrites every byte of ``dst``: static full valid shape equal to the GM view's."""
        if not (isinstance(dst, A.Name) and isinstance(src, A.Name)):
            return False
        tt = self.mem.tile_type(dst.id)
        if tt is None or tt.valid_row != tt.rows or tt.valid_col != tt.cols or tt.blayout != "RowMajor":
            return False
        return self.mem.global_tensor_shape(src.id) == (tt.rows, tt.cols)

    def _float_only(self, args: list) -> bool:
        for arg in args:
            tt = self.mem.tile_type(arg.id) if isinstance(arg, A.Name) else None
            if tt is None or tt.dtype not in ("float", "half", "bfloat16_t", "float16_t", "float32_t"):
                return False
        return True

    def _tile_space(self, node) -> Optional[str]:
        if isinstance(node, A.Name):
            tt = self.mem.tile_type(node.id)
            return tt.space if tt else None
        return None

    def _accesses(self, op: str, spec, args: list) -> tuple[list, str]:
        out: list[Access] = []
        for index, arg in enumerate(args):
            write = index in spec.writes
            if isinstance(arg, A.Name):
                name = arg.id
                if name.split("::")[0] in ("RoundMode", "SaturationMode", "CmpMode", "pto") or "::" in name:
                    continue
                if self.mem.is_tile(name):
                    access = self._tile_access(name, write, index in spec.tmp)
                    access.elementwise = _elementwise_operand(op, index, spec)
                    out.append(access)
                    continue
                if self.mem.has_scalar(name):
                    continue   # scalar operand
                return [], f"{op}: operand '{name}' is neither a known tile nor a known scalar"
            elif isinstance(arg, (A.Number, A.Literal)):
                continue
            else:
                names = _names_in(arg)
                if any(self.mem.is_tile(n) or not self.mem.has_scalar(n) for n in names):
                    return [], f"{op}: operand {index} is an expression ptofix cannot resolve"
        return out, ""

    def _tile_access(self, name: str, write: bool, tmp: bool) -> Access:
        tt = self.mem.tile_type(name)
        addrs = self.mem.tile_addresses(name)
        if tt is None:
            return Access(name, write, None, None, None, tmp)
        if addrs is None:
            return Access(name, write, tt.space, None, None, tmp)
        size = tt.nbytes
        intervals = sorted((a, a + size) for a in addrs)
        exact = None
        repeats = 0
        if len(addrs) == 1 and tt.valid_row is not None and tt.valid_col is not None:
            exact = (tt.space, next(iter(addrs)), tt.rows, tt.cols, tt.dtype, tt.blayout, tt.valid_row, tt.valid_col)
            contiguous = (tt.valid_col == tt.cols or tt.valid_row == 1) if tt.blayout == "RowMajor" \
                else (tt.valid_row == tt.rows or tt.valid_col == 1)
            if contiguous and tt.elem_size:
                per_repeat = 256 // tt.elem_size
                repeats = -(-(tt.valid_row * tt.valid_col) // per_repeat)
        return Access(name, write, tt.space, intervals, exact, tmp, repeats)


# Ops that walk every operand element-for-element like the destination (same repeats, same
# addresses): only these can form the same-access chain of pto_isa_facts.md §5.3. Reductions,
# broadcasts of a per-row/per-col operand and dtype conversions read with another pattern (§6.3).
_ELEMENTWISE = {"TADD", "TSUB", "TMUL", "TDIV", "TMAX", "TMIN", "TAND", "TOR", "TADDS", "TSUBS", "TMULS",
                "TDIVS", "TMAXS", "TMINS", "TANDS", "TORS", "TEXP", "TLOG", "TSQRT", "TRECIP", "TABS", "TNEG",
                "TRELU", "TNOT", "TEXPANDS", "TMOV"}
_EXPAND_FULL_OPERANDS = (0, 1)   # TROWEXPAND*/TCOLEXPAND*: dst and src0 are full tiles


def _elementwise_operand(op: str, index: int, spec) -> bool:
    if index in spec.tmp:
        return False
    if op in _ELEMENTWISE:
        return True
    if op.startswith(("TROWEXPAND", "TCOLEXPAND")) and op not in ("TROWEXPAND", "TCOLEXPAND"):
        return index in _EXPAND_FULL_OPERANDS
    return False


def _scratch(write: bool) -> Access:
    return Access("<hidden TMP_UB scratch>", write, "Vec", [HIDDEN_SCRATCH], None, True)


def _link(a: Event, b: Event, back: bool) -> None:
    a.succ.append((b, back))
    b.pred.append((a, back))


def _args(text: str) -> list[str]:
    inside = text[text.find("(") + 1:text.rfind(")")]
    return [part.strip() for part in inside.split(",")]


def _first_arg(text: str) -> str:
    args = _args(text)
    return args[0] if args else ""


def _names_in(node) -> set[str]:
    return {n.id for n in A.walk(node) if isinstance(n, A.Name)}


def _calls_in(node) -> list:
    return [n for n in A.walk(node) if isinstance(n, A.Call)]


def _benign_callee(call: "A.Call") -> bool:
    name = call.callee
    base = name.split("::")[-1]
    return name in SCALAR_CALLS or base in SCALAR_CALLS or name in _TYPE_CTORS or base in _TYPE_CTORS


def _benign_text(text: str, allow_ctors: bool = False, ignore: str = "") -> bool:
    """True if every call in ``text`` is a sync/scalar call (or, for declarations, a constructor)."""
    for match in _CALL_NAME.finditer(text):
        name = match.group(1)
        if name == ignore or name in _CASTS:
            continue
        base = name.split("::")[-1]
        if name in _BENIGN_OPAQUE_CALLS or name in SCALAR_CALLS or base in SCALAR_CALLS:
            continue
        if name == "pipe_barrier":
            continue   # may drain; treating it as nothing is the conservative reading
        if allow_ctors and (name in _TYPE_CTORS or base in _TYPE_CTORS):
            continue
        return False
    return True
