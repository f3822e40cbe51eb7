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

from ..pto.count_mode import MASK_PATTERN_EVERY, fillpad_reach, gather_by_pattern_reach
from ..pto.ops import (
    ARG_REDUCE,
    NEVER,
    ROW_REDUCE,
    SCALAR_TCI,
    row_reduce_drains,
    scalar_tci_accepts,
    trailing_drain_holds,
)
from ..pto.tiles import (
    FLOAT_TYPES,
    TileType,
    bytes_in_space,
    dtype_size,
)
from ..signals import CHECKPOINT_EVERY, checkpoint
from . import op_events, tile_accesses
from . import stmt_parser as A
from .c_types import expr_type
from .cfg_events import (
    UB_SPACE,
    UNKNOWN_EVENT_ID,
    Access,
    Event,
    EventKind,
    _link,
    _outside_space,
    _rebuilt,
    _unknown_bytes,
)
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
    from typing import Any

    from ..pto.ops import OpSpec


# The tag of the UNKNOWN event that ends a walk stopped by its bound (barriers.MAX_WINDOW_OPS).
WINDOW_BOUND = "<window bound>"
# What a removed barrier leaves in the file (pipe-v-barrier writes it): a later pass whose edits
# would change a fact the proof read (a pipe's LocalSlotNum) finds it by this text, and the proof
# reads it as a barrier an earlier run removed (a NOP event tagged REMOVED_BARRIER).
REMOVED_MARKER = "/* ptofix: removed pipe_barrier(PIPE_V)"
REMOVED_BARRIER = "<removed barrier>"
# The tag of the NOP event of a `set_mask_norm();` (only where the file tracks the mask mode).
MASK_NORM = "<set_mask_norm>"


class FunctionCFG:
    def __init__(self, fn: Function, sem: FunctionSemantics):
        self.fn = fn
        self.sem = sem
        self.values = sem.values
        # id(op statement) -> why the op's own instructions may race with each other (check reads
        # it: no barrier of the kernel orders them; see _count_mode_reach's TFILLPAD).
        self.internal_races: dict[int, str] = {}
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
        return op_events._op(self, stmt, info)

    def _row_expand(self, stmt: Stmt, base: str, args: Sequence[Any], env: dict, accesses: list) -> list[Event]:
        return op_events._row_expand(self, stmt, base, args, env, accesses)

    def _merge_sort(self, stmt: Stmt, args: Sequence[Any], env: dict) -> list[Event]:
        return op_events._merge_sort(self, stmt, args, env)

    @staticmethod
    def _tile_type(sym: Symbol | None) -> TileType | None:
        return sym.tile if sym is not None else None

    def _merge_sort_cols(self, sym: Symbol | None, elem: int | None,
                         measure: Callable[[int, int], int | None]) -> int | None:
        return op_events._merge_sort_cols(self, sym, elem, measure)

    def _merge_sort_single_bytes(self, src: Symbol, block_len: Any, env: dict, elem: int) -> int | None:
        return op_events._merge_sort_single_bytes(self, src, block_len, env, elem)

    def _row_expand_tmp(self, base: str, args: Sequence[Any], env: dict, accesses: list) -> list:
        return op_events._row_expand_tmp(self, base, args, env, accesses)

    def _reduce_tmp(self, base: str, args: Sequence[Any], env: dict, accesses: list) -> list:
        return op_events._reduce_tmp(self, base, args, env, accesses)

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
        return tile_accesses._accesses(self, op, spec, args, env)

    def _dims(self, sym: Symbol) -> tuple[int, int, int, int] | None:
        return tile_accesses._dims(self, sym)

    def _bound_walks(self, op: str, spec: OpSpec, nargs: int, operands: list, out: list) -> None:
        tile_accesses._bound_walks(self, op, spec, nargs, operands, out)

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
        return tile_accesses._shaped_like(self, sym, dst)

    def _one_valid_shape(self, sym: Symbol) -> tuple[int, int] | None:
        return tile_accesses._one_valid_shape(self, sym)

    def _bound_window(self, op: str, args: Sequence[Any], env: dict, operands: list, out: list) -> None:
        tile_accesses._bound_window(self, op, args, env, operands, out)

    def _bound_concat(self, operands: list, out: list) -> None:
        tile_accesses._bound_concat(self, operands, out)

    def tile_access(self, sym: Symbol, write: bool, tmp: bool) -> Access:
        return tile_accesses.tile_access(self, sym, write, tmp)

    def _known_valid_shape(self, sym: Symbol, tt: TileType) -> TileType:
        return tile_accesses._known_valid_shape(self, sym, tt)


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


def _after_removal_marker(stmt: SimpleStmt) -> bool:
    """The empty statement right after a removal marker: what a removal leaves where a statement
    must stay (the body of a braceless if/else/for, right after a case label)."""
    start = stmt.span.start
    before = stmt.file_text[max(0, start - 256):start].rstrip()     # (the marker is ~70 characters)
    return before.endswith("*/") and before[before.rfind("/*"):].startswith(REMOVED_MARKER)


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
