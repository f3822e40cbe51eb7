"""Control-flow model of the vector pipe for one function, built from its semantic model.

Each statement becomes zero or more *events*: a PIPE_V op with its byte accesses, a drain
(something that waits for every earlier PIPE_V instruction), the two halves of a V->S flag pair,
an unknown event ("reads and writes every UB byte"), or nothing. Events are linked along the
function's control flow: sequences, ``if/else``, ``switch``, ``#if`` sections (any branch or
none), ``for`` with a back-edge, ``break``/``continue``/``return``.

Drains (docs/reference/pto-facts.md, "Internal barriers"): ``pipe_barrier(PIPE_V)``,
``pipe_barrier(PIPE_ALL)``, the trailing internal barrier of TROWSUM/TROWMAX/TROWMIN and (with a
static, non-empty valid shape) TCOLMAX/TCOLMIN/TCOLSUM-with-tmp; TROWEXPAND* with a non-RowMajor
per-row operand and no tmp is ``vbrcb(scratch <- per-row); barrier; op`` (a leading internal
drain). ``wait_flag(PIPE_V, PIPE_S, e)`` only drains the V work issued before its matching
``set_flag(PIPE_V, PIPE_S, e)``: the proof's walks track that pairing (barriers.py).
"""
from __future__ import annotations

import enum

from ..pto.count_mode import MASK_PATTERN_EVERY, fillpad_reach, gather_by_pattern_reach
from ..pto.ops import (
    ARG_REDUCE,
    BLOCK_BYTES,
    COL,
    FULL,
    HIDDEN_SCRATCH_UNLESS_FLOAT,
    MASK,
    MODE_ENUMS,
    MRGSORT_ELEMENT_BYTES,
    NEVER,
    PIPE_V,
    REDUCE_TMP_OPS,
    REPEAT_BYTES,
    ROW,
    ROW_REDUCE,
    SCALAR_TCI,
    SHAPED_ELSEWHERE,
    SOURCES_READ_AS_DST_TYPE,
    STRUCT_OUTPUT_TYPES,
    VALUE_ARGUMENTS,
    WALKED_AT_DST_ROW_PITCH,
    concat_row_bytes,
    lacks_tmp,
    move_pipe,
    mrgsort_copy_bytes,
    mrgsort_list_bytes,
    mrgsort_single_bytes,
    operand_walks,
    reduce_tmp_bytes,
    row_expand_tmp_bytes,
    row_reduce_drains,
    scalar_tci_accepts,
    spec_for,
    trailing_drain_holds,
)
from ..pto.ordering import COL_EXPAND_WALKED_BY_CHUNKS, WALKED_IN_REPEAT_ORDER
from ..pto.tiles import (
    FLOAT_TYPES,
    HIDDEN_SCRATCH,
    SPACE_BYTES,
    UB_ALIGN_BYTES,
    TileType,
    bytes_in_space,
    dtype_size,
    on_ub_grid,
    walked_in_address_order,
)
from ..signals import CHECKPOINT_EVERY, checkpoint
from ..structs import Struct
from . import stmt_parser as A
from .c_types import expr_type
from .count_mode import MASK_NORM_CALL, scalar_tci_call
from .integers import IntType
from .lexical import identifiers
from .model import (
    CaseLabel,
    Comment,
    Compound,
    Directive,
    ForStmt,
    Function,
    GotoStmt,
    IfStmt,
    LabelStmt,
    OpaqueStmt,
    PPIfStmt,
    SimpleStmt,
    Stmt,
    SwitchStmt,
)
from .semantics import FunctionSemantics
from .symbols import Kind, PtrType, StmtInfo, Symbol

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any, ClassVar

    from ..pto.ops import OpSpec

UB_SPACE = "Vec"


# The tag of the UNKNOWN event that ends a walk stopped by its bound (barriers.MAX_WINDOW_OPS).
WINDOW_BOUND = "<window bound>"
# What a removed barrier leaves in the file (pipe-v-barrier writes it): a later pass whose edits
# would change a fact the proof read (a pipe's LocalSlotNum) finds it by this text, and the proof
# reads it as a barrier an earlier run removed (a NOP event tagged REMOVED_BARRIER).
REMOVED_MARKER = "/* ptofix: removed pipe_barrier(PIPE_V)"
REMOVED_BARRIER = "<removed barrier>"
# The tag of the NOP event of a `set_mask_norm();` (only where the file tracks the mask mode).
MASK_NORM = "<set_mask_norm>"


class EventKind(enum.Enum):
    OP = "op"                # a PIPE_V instruction (or one phase of one)
    DRAIN = "drain"          # waits for every earlier PIPE_V instruction
    BARRIER = "barrier"      # pipe_barrier(PIPE_V): a drain the pass may remove
    UNKNOWN = "unknown"      # not understood: touches all UB, drains nothing
    CALL = "call"            # call of a local function, resolved to NOP or UNKNOWN later
    SET_VS = "set_vs"        # set_flag(PIPE_V, PIPE_S, e)
    WAIT_VS = "wait_vs"      # wait_flag(PIPE_V, PIPE_S, e)
    # Any other set_flag / wait_flag, tag "SRC>DST:e": a chain of them (V signals X, X waits for it
    # and then signals Y, ..., V waits) orders V's work before it with V's work after it; only
    # `ptofix check` reads chains, the proof does not rely on them.
    FLAG_SET = "flag_set"
    FLAG_WAIT = "flag_wait"
    NOP = "nop"


class Access(Struct):
    __slots__ = ("name", "write", "space", "intervals", "exact", "tmp", "contiguous_repeats", "elementwise", "shape",
                 "unknown_why", "type_contiguous", "valid_col_in_type", "valid_in_type")
    name: str                       # variable or "<hidden scratch>"
    write: bool
    space: str | None            # None = any space
    intervals: list | None       # [(lo, hi)], None = unknown (whole space)
    exact: tuple | None   # key for the same-access rule, None if not provable
    tmp: bool
    contiguous_repeats: int     # producer repeat count when contiguous (same-access rule), else 0
    elementwise: bool       # op walks this operand element-for-element like its dst
    shape: tuple | None      # (rows, cols, dtype, blayout, valid rows, valid cols) when static
    unknown_why: str           # why the bytes are unknown, when that is not the plain reason
    # The tile's *type* is contiguous as pto-isa tests it at compile time (``Cols == ValidCol`` with
    # a static ValidCol, or one row), and whether the type spells ValidCol: which path an op takes
    # may depend on the type, not the run-time valid shape (pto/walks.py).
    type_contiguous: bool
    valid_col_in_type: bool
    valid_in_type: bool          # the type spells both valid dimensions
    _fields: ClassVar[tuple[str, ...]] = ("name", "write", "space", "intervals", "exact", "tmp", "contiguous_repeats",
                                          "elementwise", "shape", "unknown_why", "type_contiguous",
                                          "valid_col_in_type", "valid_in_type")

    def __init__(
            self,
            name: str,
            write: bool,
            space: str | None,
            intervals: list | None,
            exact: tuple | None = None,
            tmp: bool = False,
            contiguous_repeats: int = 0,
            elementwise: bool = False,
            shape: tuple | None = None,
            unknown_why: str = "",
            type_contiguous: bool = False,
            valid_col_in_type: bool = False,
            valid_in_type: bool = False,
    ) -> None:
        self.name = name
        self.write = write
        self.space = space
        self.intervals = intervals
        self.exact = exact
        self.tmp = tmp
        self.contiguous_repeats = contiguous_repeats
        self.elementwise = elementwise
        self.shape = shape
        self.unknown_why = unknown_why
        self.type_contiguous = type_contiguous
        self.valid_col_in_type = valid_col_in_type
        self.valid_in_type = valid_in_type

    def overlaps(self, other: Access) -> bool:
        if self.space is not None and other.space is not None and self.space != other.space:
            return False
        if self.intervals is None or other.intervals is None:
            return True
        return any(a < d and c < b for a, b in self.intervals for c, d in other.intervals)

    def describe(self) -> str:
        where = "unknown bytes" if self.intervals is None else ", ".join(f"[{a}, {b})" for a, b in self.intervals)
        return f"{self.name} ({self.space or 'any space'} {where})"


class Event(Struct):
    __slots__ = ("kind", "stmt", "op", "accesses", "why", "tag", "callee", "succ", "pred", "order")
    kind: EventKind
    stmt: Stmt | None
    op: str
    accesses: Sequence[Access]      # set when made, never changed
    why: str                    # for unknown events / drains
    tag: str                    # SET_VS / WAIT_VS event id; WINDOW_BOUND: an UNKNOWN ending a walk
    callee: str                 # CALL
    succ: list   # [(Event, is_back_edge)]
    pred: list
    order: int
    _fields: ClassVar[tuple[str, ...]] = ("kind", "stmt", "op", "accesses", "why", "tag", "callee", "succ", "pred",
                                          "order")

    def __init__(
            self,
            kind: EventKind,
            stmt: Stmt | None = None,
            op: str = "",
            accesses: Sequence[Access] = (),
            why: str = "",
            tag: str = "",
            callee: str = "",
            succ: list | None = None,
            pred: list | None = None,
            order: int = 0,
    ) -> None:
        self.kind = kind
        self.stmt = stmt
        self.op = op
        self.accesses = accesses
        self.why = why
        self.tag = tag
        self.callee = callee
        self.succ = [] if succ is None else succ
        self.pred = [] if pred is None else pred
        self.order = order


# The event id of a flag whose event is not one constant (a parameter, a cast, a variable that
# changes): it may be any event, so it pairs with none and may set or consume each.
UNKNOWN_EVENT_ID = "?"


class FunctionCFG:
    def __init__(self, fn: Function, sem: FunctionSemantics):
        self.fn = fn
        self.sem = sem
        # (src, dst, event) -> whether that flag's sets and waits alternate on every path
        # (barrier_flags._pair_alternates, computed on first use).
        self.flag_alternation: dict[tuple[str, str, str], bool] = {}
        self.values = sem.values
        self.local_calls: list[Event] = []            # resolved by BarrierAnalysis once purity is known
        self.events: list[Event] = []
        self._statements_read = 0                     # (signals.checkpoint)
        self.entry = self._new(EventKind.NOP, why="entry")
        self.exit = Event(EventKind.NOP, why="exit")
        self.unstructured: str | None = None
        self.barrier_events: dict[int, Event] = {}   # id(stmt) -> barrier event
        self.stmt_events: dict[int, list] = {}
        self.position: dict[int, tuple] = {}          # id(stmt) -> (statement list, index)
        self.other_pipe_writes: dict[int, tuple] = {} # id(stmt) -> (pipe, dst, src, env) of a TLOAD
        self._breaks: list[list] = []                 # innermost loop/switch: break sources
        # Where a `continue` goes: the innermost loop's step, or its condition (None for a switch).
        self._continues: list[Event | None] = []
        self._step_entries: set[int] = set()        # ids of the first events of for steps
        # Declarations in the blocks being built whose destructor (or cleanup) runs when control
        # leaves their block: (declaring statement, why), innermost last.
        self._scope_exits: list[tuple[Stmt, str]] = []
        # Returns and the end of the body go here: an Unknown event first when a parameter may be
        # an object passed by value (its destructor runs as the function returns).
        self._leave = self.exit
        if sem.class_params:
            self._leave = Event(EventKind.UNKNOWN, why=sem.class_params)
        # Labels and gotos (ptoas's EmitC output of unstructured control flow): each label is a
        # NOP event once reached; a goto to a label not reached yet waits in _forward_gotos.
        self._labels: dict[str, Event] = {}
        self._forward_gotos: dict[str, list] = {}
        body = fn.body
        if isinstance(body, OpaqueStmt):
            self.unstructured = body.reason
            tails = [(self.entry, False)]
        else:
            statements = body.body if isinstance(body, Compound) else [body]
            span = body.span
            if sem.ctx.model.source.text.find("goto", span.start, span.end) >= 0:
                self.unstructured = _unmodelled_jump(statements)
            tails = self._block(statements, [(self.entry, False)])
        if sem.hidden_jump:
            self.unstructured = self.unstructured or sem.hidden_jump
        if self._leave is not self.exit:
            self._leave.order = len(self.events)
            self.events.append(self._leave)
            _link(self._leave, self.exit, False)
        self.exit.order = len(self.events)
        self.events.append(self.exit)
        for tail, back in tails:
            _link(tail, self._leave, back)
        if sem.ctx.tracks_mask_mode:
            self._mask_mode()

    def _mask_mode(self) -> None:
        """In a file that may switch the vector unit to count mode, every op or call that may run
        in it becomes an Unknown event (docs/reference/pto-facts.md, "Mask mode"). Two states, norm
        and maybe-count: maybe-count at the entry (a caller, or the kernel launched before, may
        have left it), after a statement that names a count-mode name and after a call of a
        function that may return in it (FileContext.count_mode_functions); norm after a plain
        `set_mask_norm();`. A merge is maybe-count when any way in is; loops go round."""
        ctx = self.sem.ctx
        points = ctx.count_mode_points.get(id(self.fn), [])
        by_stmt = {id(stmt): (name, where) for stmt, name, where in points}
        reason: dict[int, str] = {}       # order -> why the event may run in count mode
        text = ctx.model.source.text
        starts: list[Event] = []
        for event in self.events:
            stmt = event.stmt
            if stmt is None:
                continue
            found = by_stmt.get(id(stmt))
            why = f"may run in count mode after the '{found[0]}' at {found[1]}" if found else ""
            called = ctx.count_mode_functions.intersection(identifiers(text[stmt.span.start:stmt.span.end])) \
                if not why and ctx.count_mode_functions else set()
            if called:
                callee = min(called)
                where = ctx.model.source.location(stmt.span.start)
                why = f"may run in count mode after the call of {callee}() at {where}, which may leave it"
            if why and event.order not in reason:
                reason[event.order] = why
                starts.append(event)
        located = {id(event.stmt) for event in starts}
        missing = [where for stmt, _name, where in points if id(stmt) not in located]
        if missing:
            # (No event shows the statement: where the mode changes cannot be placed.)
            self.unstructured = self.unstructured or f"{missing[0]}: a count-mode name in a statement the " \
                                                     "model shows no event for"
        starts.append(self.entry)
        reason.setdefault(self.entry.order, "may run in count mode: no set_mask_norm() runs before it in this "
                                            f"function, and the file names {ctx.count_mode_named}")
        # Forward from each origin: an event reached is in maybe-count on entry; it passes that on
        # unless it is a set_mask_norm().
        stack = list(starts)
        while stack:
            event = stack.pop()
            why = reason[event.order]
            for succ, _back in event.succ:
                if succ.order in reason:
                    continue
                reason[succ.order] = why
                if succ.tag != MASK_NORM:
                    stack.append(succ)
        for event in self.events:
            why = reason.get(event.order, "")
            if why and event.kind in (EventKind.OP, EventKind.CALL):
                event.kind = EventKind.UNKNOWN
                event.why = why
                event.accesses = ()
        self.local_calls = [call for call in self.local_calls if call.kind is EventKind.CALL]

    # -- construction ----------------------------------------------------------------------------
    def _new(self, kind: EventKind, **kw: Any) -> Event:
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

    def _block(self, stmts: list[Stmt], preds: list, scope: bool = True) -> list:
        """``scope``: the statements form a C++ block (a preprocessor branch does not: what it
        declares lives until the enclosing block ends)."""
        depth = len(self._scope_exits)
        for index, stmt in enumerate(stmts):
            self._statements_read += 1
            if not self._statements_read & (CHECKPOINT_EVERY - 1):
                checkpoint()
            self.position[id(stmt)] = (stmts, index)
            preds = self._stmt(stmt, preds)
            self._note_scope_exit(stmt)
        return self._close_scope(depth, preds) if scope else preds

    def _sub_stmt(self, stmt: Stmt, preds: list) -> list:
        """The body of an if/else/for: a block of its own even without braces (`if (c) Guard g;`
        destroys g at the end of the substatement)."""
        depth = len(self._scope_exits)
        preds = self._stmt(stmt, preds)
        self._note_scope_exit(stmt)
        return self._close_scope(depth, preds)

    def _note_scope_exit(self, stmt: Stmt) -> None:
        why = self.sem.scope_exit.get(id(stmt))
        if why and not isinstance(stmt, (ForStmt, IfStmt, SwitchStmt)):
            self._scope_exits.append((stmt, why))

    def _close_scope(self, depth: int, preds: list) -> list:
        """Leaving a block: what its declarations run at scope exit is one Unknown event."""
        if len(self._scope_exits) <= depth:
            return preds
        stmt, why = self._scope_exits[depth]
        del self._scope_exits[depth:]
        return self._chain(preds, [self._new(EventKind.UNKNOWN, stmt=stmt, why=why)]) if preds else preds

    def _leaving_scopes(self, preds: list) -> list:
        """A jump (break, continue, return) out of blocks with scope-exit code runs it first."""
        if not self._scope_exits or not preds:
            return preds
        stmt, why = self._scope_exits[-1]
        return self._chain(preds, [self._new(EventKind.UNKNOWN, stmt=stmt, why=why)])

    def _header(self, stmt: Stmt, what: str) -> list[Event]:
        info = self.sem.info.get(id(stmt))
        if info is None:
            return [self._new(EventKind.UNKNOWN, stmt=stmt, why=f"{what} not understood")]
        return self._part_events(stmt, info) or [self._new(EventKind.NOP, stmt=stmt, why=what)]

    def _stmt(self, stmt: Stmt, preds: list) -> list:
        # A marker an earlier run left, as a comment or (`if (c) /* ptofix: removed ... */;`, where a
        # statement must stay) the empty statement after one: a removed barrier.
        if (stmt.starts_with(REMOVED_MARKER) if isinstance(stmt, Comment)
                else isinstance(stmt, SimpleStmt) and stmt.is_text(";") and _after_removal_marker(stmt)):
            return self._chain(preds, [self._new(EventKind.NOP, stmt=stmt, tag=REMOVED_BARRIER,
                                                 why="a barrier an earlier run removed")])
        if isinstance(stmt, Comment):
            return preds
        if isinstance(stmt, Directive):
            info = self.sem.info.get(id(stmt))      # only a directive that may change code has one
            if info is None:
                return preds
            return self._chain(preds, [self._new(EventKind.UNKNOWN, stmt=stmt, why=info.reason)])
        if isinstance(stmt, Compound):
            return self._block(stmt.body, preds)
        if isinstance(stmt, (ForStmt, IfStmt, SwitchStmt)):
            # A declaration in the header (`for (Guard g; ...)`, `if (auto g = ...)`) lives
            # until the whole statement ends.
            depth = len(self._scope_exits)
            why = self.sem.scope_exit.get(id(stmt))
            if why:
                self._scope_exits.append((stmt, why))
            return self._close_scope(depth, self._compound_stmt(stmt, preds))
        if isinstance(stmt, PPIfStmt):
            split = self._new(EventKind.NOP, stmt=stmt, why="#if")
            self._chain(preds, [split])
            out: list = []
            for branch in stmt.branches:
                out += self._block(branch.body, [(split, False)], scope=False)
            if not stmt.has_else:
                out.append((split, False))
            return out
        return self._leaf_stmt(stmt, preds)

    def _compound_stmt(self, stmt: ForStmt | IfStmt | SwitchStmt, preds: list) -> list:
        if isinstance(stmt, ForStmt):
            return self._for_loop(stmt, preds)
        if isinstance(stmt, IfStmt):
            head = self._chain(preds, self._header(stmt, "if"))
            tails = self._sub_stmt(stmt.then, head) if stmt.then is not None else head
            tails += self._sub_stmt(stmt.orelse, head) if stmt.orelse is not None else head
            return tails
        # a switch
        head = self._chain(preds, self._header(stmt, "switch"))
        self._breaks.append([])
        self._continues.append(None)
        current: list = []
        has_default = False
        depth = len(self._scope_exits)
        for index, item in enumerate(stmt.body):
            self.position[id(item)] = (stmt.body, index)
            if isinstance(item, CaseLabel):
                current = current + head
                has_default = has_default or item.is_default
                continue
            current = self._stmt(item, current)
            self._note_scope_exit(item)
        breaks = self._breaks.pop()
        self._continues.pop()
        # The switch body is one block: its declarations' scope-exit code runs on the way
        # out (a break already ran it).
        return self._close_scope(depth, current) + breaks + ([] if has_default else head)

    def _for_loop(self, stmt: ForStmt, preds: list) -> list:
        """init; then the condition, before every iteration and once more to leave; the body; the
        step after every iteration (a `continue` goes to it), back to the condition."""
        parts = self.sem.header_parts.get(id(stmt))
        if parts is None:       # (not read: the whole header is one Unknown at the loop head)
            init_events, cond_events, step_events = [], self._header(stmt, "loop header"), []
        else:
            init, cond, step = parts
            init_events = self._part_events(stmt, init)
            cond_events = self._part_events(stmt, cond) or [self._new(EventKind.NOP, stmt=stmt, why="loop header")]
            step_events = self._part_events(stmt, step)
        header = cond_events[0]
        head = self._chain(self._chain(preds, init_events), cond_events)
        step_entry = step_events[0] if step_events else header
        self._breaks.append([])
        self._continues.append(step_entry)
        tails = self._sub_stmt(stmt.body, head) if stmt.body is not None else head
        if step_events:
            self._step_entries.add(id(step_entry))
            for tail, _ in tails:
                _link(tail, step_entry, False)
            tails = self._chain([(step_entry, False)], step_events[1:])
        for tail, _ in tails:
            _link(tail, header, True)
        breaks = self._breaks.pop()
        self._continues.pop()
        return head + breaks

    def _part_events(self, stmt: Stmt, info: StmtInfo | None) -> list[Event]:
        """The events of a header or one part of a for header (none for an empty part). An
        Unknown one shows no call events, as a statement does not: what the model cannot read may
        run before or after them, and a helper called where no event shows it keeps its boundary
        barriers."""
        if info is None:
            return []
        if info.kind is Kind.UNKNOWN:
            return [self._new(EventKind.UNKNOWN, stmt=stmt, why=info.reason)]
        return self._calls(stmt, info)

    def _leaf_stmt(self, stmt: Stmt, preds: list) -> list:
        if isinstance(stmt, (LabelStmt, GotoStmt)) and id(stmt) not in self.sem.info:
            return self._jump(stmt, preds)
        if isinstance(stmt, OpaqueStmt):
            # A label, or a `case`/`default` label or goto anywhere inside a construct the model
            # does not read (a case nested in a block of a switch is a jump target too).
            jumps = {"goto", "case", "default"}.intersection(identifiers(stmt.text))
            if stmt.reason == "label" or "goto" in stmt.reason or jumps:
                what = stmt.reason if stmt.reason == "label" or not jumps \
                    else f"'{sorted(jumps)[0]}' in an opaque statement"
                self.unstructured = self.unstructured or f"{what} (goto/labels are not modelled)"
                return preds
            info = self.sem.info.get(id(stmt))
            event = self._new(EventKind.UNKNOWN, stmt=stmt, why=info.reason if info else stmt.reason)
            return self._chain(preds, [event])
        if isinstance(stmt, SimpleStmt):
            info = self.sem.info.get(id(stmt))
            if info is None:
                events = [self._new(EventKind.UNKNOWN, stmt=stmt, why="statement not in the semantic model")]
                return self._chain(preds, events)
            if info.kind in (Kind.BREAK, Kind.CONTINUE):
                targets = self._breaks if info.kind is Kind.BREAK else self._continues
                if not targets or (info.kind is Kind.CONTINUE and all(t is None for t in targets)):
                    self.unstructured = self.unstructured or f"'{info.kind.value}' outside a loop or switch"
                    return preds
                preds = self._leaving_scopes(preds)
                if info.kind is Kind.BREAK:
                    self._breaks[-1].extend(preds)
                else:
                    header = next(t for t in reversed(self._continues) if t is not None)
                    # (To the step, the iteration is not over yet: the back edge is step -> condition.)
                    back = id(header) not in self._step_entries
                    for pred, _ in preds:
                        _link(pred, header, back)
                return []
            events = self._simple(stmt, info)
            self.stmt_events[id(stmt)] = events
            tails = self._chain(preds, events)
            if info.kind is Kind.RETURN:
                for tail, back in self._leaving_scopes(tails):
                    _link(tail, self._leave, back)
                return []
            return tails
        event = self._new(EventKind.UNKNOWN, stmt=stmt, why=f"{type(stmt).__name__} not modelled")
        return self._chain(preds, [event])

    def _jump(self, stmt: LabelStmt | GotoStmt, preds: list) -> list:
        """A label: a NOP event that the statement before it and every goto to it lead to. A goto
        leaves its blocks (running their scope-exit code) for its label: backward, a back-edge to
        the label's event; forward, an edge once the label is reached. Where a label or goto may
        be is checked beforehand (_unmodelled_jump)."""
        if isinstance(stmt, LabelStmt):
            event = self._new(EventKind.NOP, stmt=stmt, why=f"label '{stmt.name}'")
            self._chain(preds, [event])
            for pred, back in self._forward_gotos.pop(stmt.name, []):
                _link(pred, event, back)
            self._labels[stmt.name] = event
            return [(event, False)]
        preds = self._leaving_scopes(preds)
        target = self._labels.get(stmt.label)
        if target is None:
            self._forward_gotos.setdefault(stmt.label, []).extend(preds)
        else:
            for pred, _ in preds:
                _link(pred, target, True)
        return []

    # -- statements -> events ------------------------------------------------------------------
    def _calls(self, stmt: Stmt, info: StmtInfo | None) -> list[Event]:
        events = []
        for name, _args, _env in (info.local_calls if info is not None else []):
            event = self._new(EventKind.CALL, stmt=stmt, op=name, callee=name,
                              why=f"call to {name}()")
            self.local_calls.append(event)
            events.append(event)
        return events

    def _simple(self, stmt: SimpleStmt, info: StmtInfo) -> list[Event]:
        kind = info.kind
        if kind is Kind.UNKNOWN or (kind is Kind.RETURN and info.then_unknown):
            # No call events: what the model cannot read may run before or after a call (`return
            # h(b, c) && (TADD(a, c, c), true);`), and a helper called where no event shows it
            # keeps its boundary barriers.
            return [self._new(EventKind.UNKNOWN, stmt=stmt, why=info.reason)]
        if info.local_calls and kind not in (Kind.RETURN, Kind.NOP, Kind.LOCAL_CALL):
            # (Every call site must be an event of the graph: a registered call outside it would
            # show nothing around it.)
            return [self._new(EventKind.UNKNOWN, stmt=stmt, why="a call of this file's function inside a "
                                                               f"{kind.value} statement")]
        if kind is Kind.BARRIER:
            event = self._new(EventKind.BARRIER, stmt=stmt, why="pipe_barrier(PIPE_V)")
            self.barrier_events[id(stmt)] = event
            return [event]
        if kind is Kind.DRAIN_ALL:
            return [self._new(EventKind.DRAIN, stmt=stmt, why="pipe_barrier(PIPE_ALL)")]
        if kind in (Kind.SET_FLAG, Kind.WAIT_FLAG):
            src, dst, tag = info.flag
            tag = self.sem.event_value(tag)
            if src == "PIPE_V" and dst == "PIPE_S":
                # tag '' (an event id that may vary) may be any event: see barrier_flags.may_be_same_event.
                flag_kind = EventKind.SET_VS if kind is Kind.SET_FLAG else EventKind.WAIT_VS
                return [self._new(flag_kind, stmt=stmt, tag=tag, why=f"{kind.value}(PIPE_V, PIPE_S, {tag or '?'})")]
            if src != dst:
                # An event id that may vary is UNKNOWN_EVENT_ID: it may be any event of these pipes.
                tag = tag or UNKNOWN_EVENT_ID
                return [self._new(EventKind.FLAG_SET if kind is Kind.SET_FLAG else EventKind.FLAG_WAIT, stmt=stmt,
                                  tag=f"{src}>{dst}:{tag}", why=f"{kind.value}({src}, {dst}, {tag})")]
            return []
        if kind is Kind.VECTOR_OP:
            return self._op(stmt, info)
        if kind is Kind.NOP and info.op == MASK_NORM_CALL and self.sem.ctx.tracks_mask_mode:
            return [self._new(EventKind.NOP, stmt=stmt, tag=MASK_NORM, why=f"{MASK_NORM_CALL}()")]
        return self._calls(stmt, info)

    def _op(self, stmt: SimpleStmt, info: StmtInfo) -> list[Event]:
        base, args, env = info.op, info.args, info.env
        spec = spec_for(base, len(args))
        assert spec is not None     # the semantic model reads only names of the table as ops
        if spec.nargs and len(args) not in spec.nargs:
            return [self._new(EventKind.UNKNOWN, stmt=stmt, op=base,
                              why=f"{base} with {len(args)} operands: a form whose effects ptofix does not model")]
        if lacks_tmp(spec, len(args), lambda index: self.tile_operand(args[index], env) is not None):
            # (A value where the tmp goes is a missing tmp too: `TSELS(d, m, a, 0.0f)` is an older
            # overload, which stores into the hidden scratch.)
            return [self._new(EventKind.UNKNOWN, stmt=stmt, op=base,
                              why=f"{base} without a tile as its tmp operand: no overload of the pto-isa commits "
                                  "ptofix reads, an older one may write the hidden UB scratch")]
        if base == "TEXTRACT" and len(args) >= 3 and self.tile_operand(args[2], env) is not None:
            # TEXTRACT(dst0, dst1, src[, r0, c0, r1, c1]): its defaulted offsets make every call
            # with a tile third this overload, which writes both destinations (pto_instr.hpp).
            spec = spec._replace(writes=(0, 1))
        pipe = spec.pipe
        if pipe == "by-type":
            if base == "TSTORE":
                return []   # MTE3 / FIX, never PIPE_V
            dst = self.tile_operand(args[0], env) if args else None
            src = self.tile_operand(args[1], env) if len(args) > 1 else None
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
        accesses, problem = self._accesses(base, spec, args, env)
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
        if spec.row_expand and len(args) == 4:
            accesses = self._row_expand_tmp(base, args, env, accesses)
        elif spec.tmp_unbounded:
            # The tmp operand's write may run past the tmp tile: its bytes are unknown.
            accesses = [Access(a.name, a.write, a.space, None, None, True,
                               unknown_why=f"{base} may write past its tmp, how far is not checked")
                        if a.tmp and a.write else a for a in accesses]
        if base in HIDDEN_SCRATCH_UNLESS_FLOAT and not self._float_only(args[:2], env):
            accesses = accesses + [_scratch(True), _scratch(False)]
        if spec.hidden_writes:
            counted = self._count_mode_reach(stmt, base, args, env, accesses)
            if counted is not None:
                accesses = counted
            else:
                accesses = accesses + [Access(f"<UB bytes {base} writes outside its operands>", True, UB_SPACE,
                                              None, None, True)]

        if base in REDUCE_TMP_OPS and len(args) > 2:
            accesses = self._reduce_tmp(base, args, env, accesses)
        if spec.row_expand and len(args) == 3:
            return self._row_expand(stmt, base, args, env, accesses)
        event = self._new(EventKind.OP, stmt=stmt, op=base, accesses=accesses)
        if self._drains(base, spec, args, env):
            return [event, self._new(EventKind.DRAIN, stmt=stmt, why=f"{base} ends with pipe_barrier(PIPE_V)")]
        return [event]

    def _row_expand(self, stmt: Stmt, base: str, args: Sequence[Any], env: dict, accesses: list) -> list[Event]:
        """3-operand TROWEXPAND*: which source is the per-row one decides the path (pto-isa
        TRowExpandBinOp.hpp): non-RowMajor per-row -> vbrcb into the hidden scratch, internal
        barrier, then the op; RowMajor per-row -> one op, no scratch, no barrier."""
        dst, a, b = (self.tile_operand(x, env) for x in args)
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
                a_stride, b_stride = _row_stride(a.tile), _row_stride(b.tile)
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
            return [self._new(EventKind.OP, stmt=stmt, op=base, accesses=accesses + [_scratch(True), _scratch(False)])]
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
        return [self._new(EventKind.OP, stmt=stmt, op=base + ".vbrcb", accesses=row_reads + [_scratch(True)]),
                self._new(EventKind.DRAIN, stmt=stmt, why=f"{base} internal barrier after vbrcb"),
                self._new(EventKind.OP, stmt=stmt, op=base, accesses=main + [_scratch(False)])]

    def _merge_sort(self, stmt: Stmt, args: Sequence[Any], env: dict) -> list[Event]:
        """TMRGSORT's events (docs/reference/pto-facts.md §8 "TMRGSORT"). The multi-list form: the
        merge (reads each source's pairs, writes their sum into tmp from its start), its internal
        barrier, then the copy of dst's valid columns from tmp into dst (both in flight after the
        call). The single-list form: one merge from src into dst. Every operand's bytes run from its
        start, as far as pto.ops.mrgsort_* say, in whole 32-byte blocks; unknown where that cannot
        be told or lies past the UB. The scalar work on the struct touches no UB."""
        syms = [self.tile_operand(arg, env) for arg in args]
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
            tile = self._tile_type(syms[index])
            sizes.add(dtype_size(tile.dtype) if tile is not None else None)
        elem = next(iter(sizes)) if len(sizes) == 1 else None
        if elem not in MRGSORT_ELEMENT_BYTES:
            elem = None

        def reach(index: int, write: bool, tmp: bool, nbytes: int | None, why: str) -> Access:
            sym = syms[index]
            assert sym is not None      # (checked by the caller)
            access = self.tile_access(sym, write, tmp)
            if access.intervals is None:
                return access
            if elem is None or nbytes is None:
                return _unknown_bytes(access, why if elem is not None else
                                      "TMRGSORT: its operands are not all of one element type, half or float")
            blocks = -(-nbytes // BLOCK_BYTES) * BLOCK_BYTES
            reached = sorted((a, a + blocks) for a, _ in access.intervals)
            if not bytes_in_space(access.space, reached[0][0], reached[-1][1]):
                return _unknown_bytes(access, f"TMRGSORT reaches past '{sym.name}': "
                                              + _outside_space(access.space, reached))
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

    @staticmethod
    def _tile_type(sym: Symbol | None) -> TileType | None:
        return sym.tile if sym is not None else None

    def _merge_sort_cols(self, sym: Symbol | None, elem: int | None,
                         measure: Callable[[int, int], int | None]) -> int | None:
        """The most bytes ``measure(elem, valid cols)`` gives over the valid columns ``sym`` may
        have (unknown ones taken to fit the tile, as for every op); None if one gives None."""
        if sym is None or elem is None or self._dims(sym) is None:
            return None
        dims = self._dims(sym)
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
        if lens is None or not cols or self._dims(src) is None:
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
        dst, tmp = self.tile_operand(args[0], env), self.tile_operand(args[3], env)
        dims = self._dims(dst) if dst is not None else None
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
                        access = _unknown_bytes(access, f"{base} writes past its tmp: "
                                                        + _outside_space(access.space, reached))
            out.append(access)
        return out

    def _reduce_tmp(self, base: str, args: Sequence[Any], env: dict, accesses: list) -> list:
        """The tmp write of a row reduction or TCOLSUM, widened to what the op may write past the
        tmp's own footprint (pto.ops.reduce_tmp_bytes); unknown bytes when that cannot be told."""
        src, tmp = self.tile_operand(args[1], env), self.tile_operand(args[2], env)
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
                        access = _unknown_bytes(access, f"{base} writes past its tmp: "
                                                        + _outside_space(access.space, reached))
            out.append(access)
        return out

    def _count_mode_reach(self, stmt: SimpleStmt, base: str, args: Sequence[Any], env: dict,
                          accesses: list) -> list | None:
        """The accesses of a TFILLPAD or a mask-pattern TGATHER, which run in count mode, widened to
        every byte they reach (pto.count_mode); None when that cannot be told: the caller then
        takes the op to write unknown UB bytes."""
        if len(args) != 2:
            return None
        dst, src = self.tile_operand(args[0], env), self.tile_operand(args[1], env)
        if dst is None or src is None or dst.tile is None or src.tile is None:
            return None
        size = dtype_size(dst.tile.dtype)
        if size is None or size != dtype_size(src.tile.dtype):
            return None
        dst_dims, src_dims = self._dims(dst), self._dims(src)
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
            access = _rebuilt(access, reached, access.shape)
            if not bytes_in_space(access.space, reached[0][0], reached[-1][1]):
                access = _unknown_bytes(access, f"{base} reaches past '{access.name}': "
                                                + _outside_space(access.space, reached))
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
            src, tmp = (self.tile_operand(args[i], env) if len(args) > i else None for i in (1, 2))
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
        dst, src = (self.tile_operand(args[i], env) if 0 <= i < len(args) else None for i in (0, src_index))
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
        dst = self.tile_operand(args[0], env)
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
        tile = self.tile_operand(dst, env)
        if tile is None or not self._fully_written(dst, src, env):
            return None
        access = self.tile_access(tile, True, False)
        if access.intervals is None or len(access.intervals) != 1:
            return None     # a tile of several possible addresses: which bytes it rewrote is not known
        return pipe, [access]

    def _scalar_tci_rewrite(self, dst: Any, env: dict) -> tuple | None:
        """("PIPE_S", [Access]) of the bytes a scalar TCI surely stores: row 0 of its dst up to
        its valid columns, where the tile has one address and one known valid column count."""
        sym = self.tile_operand(dst, env)
        if sym is None or sym.tile is None:
            return None
        whole = self.tile_access(sym, True, False)
        walked = sym.tile if sym.tile.static_valid else self._known_valid_shape(sym, sym.tile)
        size = dtype_size(walked.dtype)
        if whole.intervals is None or len(whole.intervals) != 1 or not walked.static_valid \
                or walked.valid_col is None or size is None:
            return None
        lo = whole.intervals[0][0]
        return "PIPE_S", [Access(sym.name, True, whole.space, [(lo, lo + walked.valid_col * size)], None, False)]

    def _fully_written(self, dst: Any, src: Any, env: dict) -> bool:
        """TLOAD rewrites every byte of ``dst``: static full valid shape equal to the GM view's."""
        tile = self.tile_operand(dst, env)
        if tile is None or tile.tile is None or not isinstance(src, A.Name):
            return False
        tt = tile.tile
        if tt.valid_row != tt.rows or tt.valid_col != tt.cols or tt.blayout != "RowMajor" or tt.rows is None:
            return False
        return global_tensor_shape(env.get(src.id)) == (tt.rows, tt.cols)

    def flag(self, stmt: Stmt) -> tuple | None:
        """(kind, src, dst, event) if ``stmt`` is a set_flag/wait_flag, else None."""
        info = self.sem.info.get(id(stmt)) if isinstance(stmt, SimpleStmt) else None
        if info is None or info.kind not in (Kind.SET_FLAG, Kind.WAIT_FLAG):
            return None
        return (info.kind.value,) + tuple(info.flag)

    def _float_only(self, args: Sequence[Any], env: dict) -> bool:
        for arg in args:
            sym = self.tile_operand(arg, env)
            if sym is None or sym.tile is None or sym.tile.dtype not in FLOAT_TYPES:
                return False
        return True

    @staticmethod
    def tile_operand(node: Any, env: dict) -> Symbol | None:
        """The tile an op's argument names in ``env`` (a statement's scope), None for anything
        else (a scalar, an expression). Part of the hazards API `check` shares (races.py)."""
        if isinstance(node, A.Name):
            sym = env.get(node.id)
            if sym is not None and sym.kind == "tile":
                return sym
        return None

    def _accesses(self, op: str, spec: OpSpec, args: Sequence[Any], env: dict) -> tuple[list, str]:
        out: list[Access] = []
        operands: list[tuple[int, Symbol, int]] = []     # (argument index, tile, index in out)
        value_indices = VALUE_ARGUMENTS.get(op, ())
        for index, arg in enumerate(args):
            write = index in spec.writes
            if isinstance(arg, A.Name):
                sym = env.get(arg.id)
                if sym is not None and sym.kind == "tile":
                    access = self.tile_access(sym, write, index in spec.tmp)
                    access.elementwise = _elementwise_operand(op, index, spec)
                    operands.append((index, sym, len(out)))
                    out.append(access)
                    continue
                if index in spec.struct_outputs and sym is not None and sym.kind == "object" \
                        and STRUCT_OUTPUT_TYPES.get(sym.object_type) == op:
                    continue    # stored into by the scalar unit: no UB byte (OpSpec.struct_outputs)
                if sym is None:
                    scope, _, _ = arg.id.rpartition("::")
                    if scope.removeprefix("::").removeprefix("pto::") not in MODE_ENUMS:
                        return [], f"{op}: operand '{arg.id}' is not declared in this function"
                    # (else a mode constant such as RoundMode::CAST_RINT)
                elif not (sym.kind == "scalar" and not write and not isinstance(sym.ctype, PtrType)
                          or sym.kind == "object" and sym.object_type in ("RoundMode", "SaturationMode", "CmpMode")):
                    return [], f"{op}: operand '{arg.id}' is neither a tile nor a scalar ptofix knows"
            elif not isinstance(arg, (A.Number, A.Literal)):
                # Any other operand must be an arithmetic expression of scalars (not a pointer, not
                # a dereference, nothing naming a tile).
                ctype = expr_type(arg, env, self.sem)
                if write or not (isinstance(ctype, IntType) or ctype == "float"):
                    return [], f"{op}: operand {index} is an expression ptofix cannot resolve"
            # A value (literal, scalar, mode, scalar expression) is no access, but only where an
            # overload takes one: anywhere else the call is no overload ptofix knows.
            if index not in value_indices:
                return [], f"{op}: operand {index} is a value where every overload ptofix knows takes a tile"
        if op.startswith("TCOLEXPAND"):
            # src0 is the operand walked in full only when its valid shape is dst's: pto-isa swaps
            # the roles at run time otherwise (TColExpandBinOp.hpp, `src0eqdst`), and src0 is then
            # the broadcast row, read once a column chunk (no same-access chain through it).
            tiles = {index: (sym, at) for index, sym, at in operands}
            if 0 in tiles and 1 in tiles and not self._shaped_like(tiles[1][0], tiles[0][0]):
                out[tiles[1][1]].elementwise = False
        if op in ("TEXTRACT", "TINSERT"):
            self._bound_window(op, args, env, operands, out)
        elif op == "TCONCAT":
            self._bound_concat(operands, out)
        elif op not in SHAPED_ELSEWHERE:
            self._bound_walks(op, spec, len(args), operands, out)
        if op in ("TPARTARGMAX", "TPARTARGMIN") and (
                len({dtype_size(sym.tile.dtype) if sym.tile else None for _, sym, _ in operands}) != 1
                or any(sym.tile is None or sym.tile.blayout != "RowMajor" for _, sym, _ in operands)):
            # The index vsel steps by the values' repeat in other units, and a column-major tile's
            # rows are one element apart while its copies take whole blocks (TPartArgOp.hpp): not read.
            out = [_unknown_bytes(a, f"{op}: values and indices of different element sizes, or a tile that is "
                                     "not row-major") for a in out]
        return out, ""

    def _dims(self, sym: Symbol) -> tuple[int, int, int, int] | None:
        """(rows, cols, largest valid rows, largest valid cols) of a tile, or None."""
        tt = sym.tile
        if tt is None or tt.rows is None or tt.cols is None:
            return None
        bounds = []
        for dim, size in ((0, tt.rows), (1, tt.cols)):
            values = self.values.valid_dim_values(sym, dim)
            if self.values.shape_may_pass_tile(sym):
                return None
            # (Unknown values are taken to fit the tile; a known one past it still counts.)
            bounds.append(max(values) if values else max(self.values.known_valid_dim_values(sym, dim) | {size}))
        return tt.rows, tt.cols, bounds[0], bounds[1]

    def _bound_walks(self, op: str, spec: OpSpec, nargs: int, operands: list, out: list) -> None:
        """Make unknown the bytes of an operand the op walks past its own tile (ops.operand_walks)."""
        dims = {index: self._dims(sym) for index, sym, _ in operands if index not in spec.tmp or spec.tmp_iterated}
        syms = {index: sym for index, sym, _ in operands}
        dst_sym = syms.get(0)
        roles = operand_walks(op, nargs, {index: dst_sym is not None and self._shaped_like(sym, dst_sym)
                                          for index, sym in syms.items()})
        full = [d for index, d in dims.items() if roles.get(index, FULL) == FULL]
        if not full or any(d is None for d in dims.values()):
            return      # an operand of unknown shape already has unknown bytes
        rows = max(d[2] for d in full)       # type: ignore[index]
        cols = max(d[3] for d in full)       # type: ignore[index]
        for index, sym, at in operands:
            d = dims.get(index)
            if d is None:
                continue
            role = roles.get(index, FULL)
            size = dtype_size(sym.tile.dtype) if sym.tile else None
            if role == MASK:
                short = d[0] < rows or size is None or d[1] * size < -(-cols // 8)
            elif op in ("TCMP", "TCMPS") and role == FULL:
                # A compare reads its sources with every lane on (set_vector_mask(-1, -1)): whole
                # 256-byte repeats a row at the source's own row pitch (TCmp.hpp, TCmps.hpp).
                short = (sym.tile is None or sym.tile.blayout != "RowMajor" or size is None or d[0] < rows
                         or (rows - 1) * d[1] * size + -(-cols * size // REPEAT_BYTES) * REPEAT_BYTES
                         > d[0] * d[1] * size)
            elif role == ROW:
                short = d[0] < rows
            elif role == COL:
                short = d[1] < cols
            else:
                short = d[0] < rows or d[1] < cols
            if short:
                out[at] = _unknown_bytes(out[at], f"{op} walks {rows} x {cols} elements over '{sym.name}', "
                                                  f"a {d[0]} x {d[1]} tile: past its end")
            elif op in SOURCES_READ_AS_DST_TYPE and index != 0 and not self._same_element_size(sym, dst_sym):
                out[at] = _unknown_bytes(out[at], f"{op} reads '{sym.name}' as elements of its dst's type, "
                                                  "whose size differs from its own (or is unknown)")
            elif op in WALKED_AT_DST_ROW_PITCH and index != 0 and role == FULL \
                    and not self._same_row_pitch(sym, dst_sym):
                out[at] = _unknown_bytes(out[at], f"{op} may walk '{sym.name}' at the row pitch of its dst "
                                                  f"(pto-isa before 9b6f43c9), not its own")

    @staticmethod
    def _same_element_size(sym: Symbol, dst: Symbol | None) -> bool:
        """The element types of ``sym`` and ``dst`` have one known size."""
        a, b = sym.tile, dst.tile if dst is not None else None
        size = dtype_size(a.dtype) if a is not None else None
        return size is not None and b is not None and dtype_size(b.dtype) == size

    @staticmethod
    def _same_row_pitch(sym: Symbol, dst: Symbol | None) -> bool:
        """Rows of ``sym`` and ``dst`` lie the same number of bytes apart, provably."""
        a, b = sym.tile, dst.tile if dst is not None else None
        if a is None or b is None or a.cols is None or a.blayout != "RowMajor" or b.blayout != "RowMajor":
            return False
        size_a, size_b = dtype_size(a.dtype), dtype_size(b.dtype)
        return size_a is not None and size_a * a.cols == (size_b or 0) * (b.cols or 0)

    def _shaped_like(self, sym: Symbol, dst: Symbol) -> bool:
        """``sym`` has dst's rows, cols and valid shape, provably: pto-isa's broadcast ops pick the
        full source by comparing valid shapes at run time (TRowExpandBinOp.hpp, TColExpandBinOp.hpp)."""
        if sym is dst:
            return True
        a, b = sym.tile, dst.tile
        if a is None or b is None or (a.rows, a.cols) != (b.rows, b.cols):
            return False
        mine = self._one_valid_shape(sym)
        return mine is not None and mine == self._one_valid_shape(dst)

    def _one_valid_shape(self, sym: Symbol) -> tuple[int, int] | None:
        """The valid (rows, cols) of a tile where the model knows one value for each (a static
        shape, or every construction, SetValidShape and copy giving the same), else None."""
        rows, cols = self.values.valid_dim_values(sym, 0), self.values.valid_dim_values(sym, 1)
        if rows is None or cols is None or len(rows) != 1 or len(cols) != 1:
            return None
        return next(iter(rows)), next(iter(cols))

    def _bound_window(self, op: str, args: Sequence[Any], env: dict, operands: list, out: list) -> None:
        """TINSERT(dst, src, row, col) writes src's valid shape into dst from (row, col) on, and
        TEXTRACT(dst[, dst1], src, row, col, ...) reads dst's valid shape from src there
        (TInsert.hpp, TExtract.hpp; the bounds are only PTO_ASSERTed): the walked tile's bytes
        are known only when every offset has values the model knows (a literal, or a variable
        whose every definition it evaluates) and the window at the largest of them fits in it.
        An offset is a uint16_t parameter (pto_instr.hpp): a value past its range wraps, and is
        not read. A form with more values than two per window (a pre-quantization scalar) is not
        read either."""
        tiles = list(operands)
        offsets = [arg for index, arg in enumerate(args) if index not in {i for i, _, _ in tiles}]
        if op == "TINSERT":
            walked, windows = tiles[:1], tiles[1:2]
        else:
            walked, windows = tiles[-1:], tiles[:-1]
        largest: list[int] | None = []
        for arg in offsets:
            values = self.values.eval(arg, env)
            if largest is None or not values or min(values) < 0 or max(values) > 0xFFFF:
                largest = None
                break
            largest.append(max(values))
        if largest is not None and len(largest) > 2 * len(windows):
            largest = None
        for _, sym, at in walked:
            d = self._dims(sym)
            fits = largest is not None and d is not None
            for k, (_, window, _) in enumerate(windows):
                w = self._dims(window)
                row = largest[2 * k] if largest is not None and 2 * k < len(largest) else 0
                col = largest[2 * k + 1] if largest is not None and 2 * k + 1 < len(largest) else 0
                fits = fits and w is not None and d is not None and row + w[2] <= d[0] and col + w[3] <= d[1]
            if not fits:
                out[at] = _unknown_bytes(out[at], f"{op}: the window at its offsets may lie past '{sym.name}'")

    def _bound_concat(self, operands: list, out: list) -> None:
        """TCONCAT(dst, src0, src1) walks dst's valid rows of all three, each row as far as
        ops.concat_row_bytes says: an operand walked past its tile's rows or row has unknown bytes."""
        syms = {index: sym for index, sym, _ in operands}
        dims = {index: self._dims(sym) for index, sym in syms.items()}
        sizes = {dtype_size(sym.tile.dtype) if sym.tile is not None else None for sym in syms.values()}
        row_major = all(sym.tile is not None and sym.tile.blayout == "RowMajor" for sym in syms.values())
        dst, src0, src1 = dims.get(0), dims.get(1), dims.get(2)
        elem = next(iter(sizes)) if len(sizes) == 1 else None
        if dst is None or src0 is None or src1 is None or elem is None or not row_major:
            for _, sym, at in operands:
                out[at] = _unknown_bytes(out[at], f"TCONCAT: '{sym.name}' is not a row-major tile of the other "
                                                  "operands' element size and known shape")
            return
        rows = dst[2]
        src0_bytes, src1_bytes, dst_bytes = concat_row_bytes(elem, src0[3], src1[3])
        reach = {0: dst_bytes, 1: src0_bytes, 2: src1_bytes}
        for index, sym, at in operands:
            d = dims[index]
            assert d is not None        # all three checked above
            if d[0] < rows or d[1] * elem < reach[index]:
                out[at] = _unknown_bytes(out[at], f"TCONCAT walks {rows} rows of {reach[index]} bytes over "
                                                  f"'{sym.name}', a {d[0]} x {d[1]} tile: past its end")

    def tile_access(self, sym: Symbol, write: bool, tmp: bool) -> Access:
        """The UB bytes an op's whole-tile operand ``sym`` touches (every address the tile may have),
        or an Access of unknown bytes (with the reason where one is known). Part of the hazards API
        (races.py)."""
        tt = sym.tile
        addrs = self.values.tile_addresses(sym)
        if tt is None:
            return Access(sym.name, write, None, None, None, tmp)
        size = tt.nbytes
        contiguous = tt.rows == 1 or (tt.valid_col is not None and tt.valid_col == tt.cols)
        in_type = tt.valid_col is not None
        # How the op walks this operand depends on its shape only (the same-access chain's check).
        shape = (tt.rows, tt.cols, tt.dtype, tt.blayout, tt.valid_row, tt.valid_col) if tt.static_valid else None
        if addrs is None or size is None:
            why = f"no address of '{sym.name}' is known" if addrs is None else f"the size of '{sym.name}' is not known"
            return Access(sym.name, write, tt.space, None, None, tmp, shape=shape, unknown_why=why,
                          type_contiguous=contiguous, valid_col_in_type=in_type,
                          valid_in_type=tt.static_valid)
        if not tt.static_valid:
            # A run-time valid shape is not checked against the tile's shape when constructed
            # (only SetValidShape asserts, in debug builds): one known to exceed it is walked past
            # the tile's bytes, as far as the op's loops go.
            for dim, bound in ((0, tt.rows), (1, tt.cols)):
                # (A negative value is converted to unsigned: far past the tile. Run-time values
                # the model cannot compute are taken to fit; one it can that does not fit is
                # walked, and so may a value the file fixes but the model does not evaluate, and a
                # shape computed from itself: ValueModel.shape_may_pass_tile.)
                values = self.values.known_valid_dim_values(sym, dim)
                if bound is None or any(v < 0 or v > bound for v in values) or self.values.shape_may_pass_tile(sym):
                    return Access(sym.name, write, tt.space, None, None, tmp, type_contiguous=contiguous,
                                  valid_col_in_type=in_type, valid_in_type=tt.static_valid,
                                  unknown_why=f"'{sym.name}' may have a valid shape past its {bound} "
                                              f"{('rows', 'cols')[dim]}")
        intervals = sorted((a, a + size) for a in addrs)
        if not bytes_in_space(tt.space, intervals[0][0], intervals[-1][1]):
            # Bytes past the tile's memory space (or a negative address) alias what the model
            # cannot tell (pto/tiles.py bytes_in_space).
            return Access(sym.name, write, tt.space, None, None, tmp, unknown_why=_outside_space(tt.space, intervals),
                          type_contiguous=contiguous, valid_col_in_type=in_type,
                          valid_in_type=tt.static_valid)
        off_grid = sorted(a for a in addrs if not on_ub_grid(tt.space, a))
        if off_grid:
            return Access(sym.name, write, tt.space, None, None, tmp, type_contiguous=contiguous,
                          valid_col_in_type=in_type, valid_in_type=tt.static_valid,
                          unknown_why=f"address {off_grid[0]} is not on the UB's {UB_ALIGN_BYTES}-byte block grid")
        walked = tt if tt.static_valid else self._known_valid_shape(sym, tt)
        if walked is not tt:
            shape = (walked.rows, walked.cols, walked.dtype, walked.blayout, walked.valid_row, walked.valid_col)
        exact = None
        repeats = 0
        if len(addrs) == 1 and walked.static_valid and tt.space is not None and tt.blayout in ("RowMajor", "ColMajor"):
            exact = (tt.space, next(iter(addrs)), tt.rows, tt.cols, tt.dtype, tt.blayout, walked.valid_row,
                     walked.valid_col)
            if walked_in_address_order(tt.rows, tt.cols, tt.blayout, walked.valid_row, walked.valid_col):
                repeats = walked.repeats
        return Access(sym.name, write, tt.space, intervals, exact, tmp, repeats, shape=shape,
                      type_contiguous=contiguous, valid_col_in_type=in_type,
                      valid_in_type=tt.static_valid)

    def _known_valid_shape(self, sym: Symbol, tt: TileType) -> TileType:
        """``tt`` with the valid shape its run-time valid rows and cols always have, where the model
        knows one value for each (every construction, SetValidShape and copy gives the same, within
        the tile): the op then walks the tile exactly as one of that static valid shape (pto-isa
        reads the counts only as loop bounds). ``tt`` itself otherwise."""
        shape = self._one_valid_shape(sym)
        if shape is None or self.values.shape_may_pass_tile(sym):
            return tt
        row, col = shape
        if tt.rows is None or tt.cols is None or not (0 <= row <= tt.rows and 0 <= col <= tt.cols):
            return tt
        return TileType(tt.space, tt.dtype, tt.rows, tt.cols, tt.blayout, row, col)


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


_EXPAND_FULL_OPERANDS = (0, 1)   # TROWEXPAND*/TCOLEXPAND*: dst and src0 (when it is the full-shape one)


def _pto_enumerator(node: Any) -> tuple[str, str]:
    """(enumeration, enumerator) of `Enum::X` or `pto::Enum::X`, ('', '') for anything else."""
    if not isinstance(node, A.Name):
        return "", ""
    parts = node.id.removeprefix("::").removeprefix("pto::").split("::")
    return (parts[0], parts[1]) if len(parts) == 2 else ("", "")


def _unknown_bytes(access: Access, why: str) -> Access:
    return _rebuilt(access, None, None, why)


def _rebuilt(access: Access, intervals: list | None, shape: tuple | None, why: str = "") -> Access:
    """``access`` over other bytes (``intervals``; None: unknown, for ``why``), no longer an exact
    access, of ``shape``, with its tile type's flags (how the type tests contiguity: pto/walks.py)."""
    return Access(access.name, access.write, access.space, intervals, None, access.tmp, shape=shape,
                  unknown_why=why, type_contiguous=access.type_contiguous,
                  valid_col_in_type=access.valid_col_in_type, valid_in_type=access.valid_in_type)


def _elementwise_operand(op: str, index: int, spec: OpSpec) -> bool:
    if index in spec.tmp:
        return False
    if op in WALKED_IN_REPEAT_ORDER:
        return True
    # TROWEXPAND* (refined by _row_expand: only on the vbrcb path) and TCOLEXPAND* other than
    # EXPDIF walk dst and the full source by column chunks (barriers.chain_gap models that order).
    return (spec.row_expand or op in COL_EXPAND_WALKED_BY_CHUNKS) and index in _EXPAND_FULL_OPERANDS


SCRATCH_ACCESS_NAME = "<hidden TMP_UB scratch>"


def _after_removal_marker(stmt: SimpleStmt) -> bool:
    """The empty statement right after a removal marker: what a removal leaves where a statement
    must stay (the body of a braceless if/else/for, right after a case label)."""
    start = stmt.span.start
    before = stmt.file_text[max(0, start - 256):start].rstrip()     # (the marker is ~70 characters)
    return before.endswith("*/") and before[before.rfind("/*"):].startswith(REMOVED_MARKER)


_OUTSIDE_SPACE_WORDS = " lie outside the "


def _outside_space(space: str | None, intervals: list) -> str:
    where = f"the {SPACE_BYTES[space] // 1024} KiB {space} space" if space in SPACE_BYTES \
        else f"the {SPACE_BYTES['Vec'] // 1024} KiB UB (a space the model cannot name may be the UB)"
    return f"bytes {intervals[0][0]}..{intervals[-1][1]}{_OUTSIDE_SPACE_WORDS}{where[4:]}"


def placed_past_space(access: Access) -> bool:
    """Whether ``access``'s bytes are unknown because its tile reaches past its memory space."""
    return access.intervals is None and access.unknown_why.startswith("bytes ") \
        and _OUTSIDE_SPACE_WORDS in access.unknown_why


def _scratch(write: bool) -> Access:
    return Access(SCRATCH_ACCESS_NAME, write, UB_SPACE, [HIDDEN_SCRATCH], None, True)


def _link(a: Event, b: Event, back: bool) -> None:
    a.succ.append((b, back))
    b.pred.append((a, back))


def _row_stride(tile: TileType) -> int | None:
    """pto-isa's `Tile::RowStride` (elements from one row to the next): Cols for a RowMajor tile,
    1 for a ColMajor one; None for a layout or shape the model does not read."""
    if tile.blayout == "ColMajor":
        return 1
    return tile.cols if tile.blayout == "RowMajor" else None


def _unmodelled_jump(statements: list[Stmt]) -> str | None:
    """Why the labels and gotos of a function body (its top-level ``statements``) are not modelled,
    or None when each is of the forms ptoas's EmitC output uses and the graph models:

    - a label stands at the top level of the body, or of an ``#if`` section there (no C++ scope:
      the same block), and no label is defined twice;
    - a goto names a label of its own section or of one that encloses it (another section's label
      exists only when that section is compiled);
    - a forward goto jumps past no declaration of that block (C++ allows it only for a variable
      with no initializer, which is then in its unbound first state at the label), nor past a
      statement ptofix cannot read (it may be one).

    A computed goto (``goto *p;``) is no GotoStmt: it stays an opaque statement naming ``goto``."""
    labels: dict[str, tuple[int, int]] = {}        # name -> (offset, section)
    gotos: list[tuple[GotoStmt, list[int]]] = []   # each goto with its section and the enclosing ones
    declarations: list[tuple[int, str]] = []       # (offset, what) of top-level statements that may declare
    sections: list[tuple[list[Stmt], list[int]]] = [(statements, [0])]
    count = 1
    while sections:
        stmts, chain = sections.pop()
        for stmt in stmts:
            if isinstance(stmt, PPIfStmt):
                for branch in stmt.branches:
                    sections.append((branch.body, chain + [count]))
                    count += 1
                continue
            if isinstance(stmt, LabelStmt):
                if stmt.name in labels:
                    return f"label '{stmt.name}' is defined twice"
                labels[stmt.name] = (stmt.span.start, chain[-1])
                continue
            what = _may_declare(stmt)
            if what:
                declarations.append((stmt.span.start, what))
            for inner in stmt.walk():
                if isinstance(inner, LabelStmt) and inner is not stmt:
                    return f"label '{inner.name}' inside a nested statement (only labels at the top level of " \
                           "the function body are modelled)"
                if isinstance(inner, GotoStmt):
                    gotos.append((inner, chain))
    for goto, chain in gotos:
        target = labels.get(goto.label)
        if target is None:
            return f"goto to label '{goto.label}', which is not defined at the top level of the function body"
        at, section = target
        if section not in chain:
            return f"goto to label '{goto.label}' inside an #if section that does not hold the goto"
        start = goto.span.start
        if at > start:
            passed = next((what for offset, what in declarations if start < offset < at), "")
            if passed:
                return f"a goto to label '{goto.label}' jumps past {passed}"
    return None


def _may_declare(stmt: Stmt) -> str:
    """What ``stmt``, at the top level of a body, may declare ('' if nothing): a declaration, or a
    statement ptofix cannot read. (A nested statement declares only in its own scope.)"""
    if isinstance(stmt, (GotoStmt, LabelStmt)):
        return ""
    if isinstance(stmt, OpaqueStmt):
        return "a statement ptofix does not read"
    if isinstance(stmt, SimpleStmt) and not stmt.is_text(";"):
        ast = stmt.ast
        if ast is None:
            return "a statement the grammar does not read"
        if isinstance(ast, A.Decl):
            return f"the declaration of '{ast.name}'"
    return ""
