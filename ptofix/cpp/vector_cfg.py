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

from ..located import Located
from ..signals import CHECKPOINT_EVERY, checkpoint
from . import stmt_parser as A
from .cfg_events import (
    UNKNOWN_EVENT_ID,
    Access,
    Event,
    EventKind,
    FlagTag,
)
from .count_mode import MASK_NORM_CALL
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
    OpaqueKind,
    OpaqueStmt,
    PPIfStmt,
    SimpleStmt,
    Stmt,
    SwitchStmt,
)
from .op_events import OpEvents
from .semantics import FunctionSemantics
from .symbols import Kind, StmtInfo, Symbol
from .tile_accesses import TileAccesses, tile_operand

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, Final


# The tag of the UNKNOWN event that ends a walk stopped by its bound (barriers.MAX_WINDOW_OPS).
WINDOW_BOUND: Final = "<window bound>"
# What a removed barrier leaves in the file (pipe-v-barrier writes it): a later pass whose edits
# would change a fact the proof read (a pipe's LocalSlotNum) finds it by this text, and the proof
# reads it as a barrier an earlier run removed (a NOP event tagged REMOVED_BARRIER).
REMOVED_MARKER: Final = "/* ptofix: removed pipe_barrier(PIPE_V)"
REMOVED_BARRIER: Final = "<removed barrier>"
# The tag of the NOP event of a `set_mask_norm();` (only where the file tracks the mask mode).
MASK_NORM: Final = "<set_mask_norm>"
# Each statement kind's value, read once: compiled, `kind.value` calls enum's Python-level property
# (each flag event's description reads one).
_KIND_VALUES: Final[dict[Kind, str]] = {kind: kind.value for kind in Kind}


class FunctionCFG:
    def __init__(self, fn: Function, sem: FunctionSemantics):
        self.fn = fn
        self.sem = sem
        self.values = sem.values
        self.local_calls: list[Event] = []            # resolved by BarrierAnalysis once purity is known
        self.events: list[Event] = []
        # What each op statement's operands touch, and its events (appended to self.events).
        self.tiles = TileAccesses(sem)
        self.ops = OpEvents(sem, self.tiles, self.events)
        # id(op statement) -> why the op's own instructions may race with each other (OpEvents).
        self.internal_races = self.ops.internal_races
        self._statements_read = 0                     # (signals.checkpoint)
        self.entry = self._new(EventKind.NOP, why="entry")
        self.exit = Event(EventKind.NOP, why="exit")
        self.unstructured: str | None = None
        # The header not found whose `#include` is that reason, by name ('' if another reason).
        self.missing_header = ""
        self.barrier_events: dict[int, Event] = {}   # id(stmt) -> barrier event
        self.stmt_events: dict[int, list] = {}       # id(stmt) -> its events (none: no entry)
        self._position: dict[int, tuple] | None = None    # position: built when first read
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
            if sem.spells_goto if isinstance(body, Compound) \
                    else sem.ctx.model.source.text.find("goto", span.start, span.end) >= 0:
                self.unstructured = _unmodelled_jump(statements)
            tails = self._block(statements, [(self.entry, False)])
        if sem.hidden_jump and not self.unstructured:
            self.unstructured = sem.hidden_jump
            self.missing_header = sem.missing_header
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
        why_by_order: dict[int, str] = {}       # order -> why the event may run in count mode
        text = ctx.model.source.text
        starts: list[Event] = []
        for event in self.events:
            stmt = event.stmt
            if stmt is None:
                continue
            found = by_stmt.get(id(stmt))
            why: str = Located(f"may run in count mode after the '{found[0]}' at ", found[1]) if found else ""
            # raw-text scan: a statement's span of the text, only in a file that sets count mode
            called = ctx.count_mode_functions.intersection(identifiers(text[stmt.span.start:stmt.span.end])) \
                if not why and ctx.count_mode_functions else set()
            if called:
                callee = min(called)
                why = Located(f"may run in count mode after the call of {callee}() at ",
                              ctx.model.source.place(stmt.span.start), ", which may leave it")
            if why and event.order not in why_by_order:
                why_by_order[event.order] = why
                starts.append(event)
        located = {id(event.stmt) for event in starts}
        missing = [where for stmt, _name, where in points if id(stmt) not in located]
        if missing:
            # (No event shows the statement: where the mode changes cannot be placed.)
            self.unstructured = self.unstructured or Located(missing[0], ": a count-mode name in a statement the "
                                                             "model shows no event for")
        starts.append(self.entry)
        why_by_order.setdefault(self.entry.order, Located("may run in count mode: no set_mask_norm() runs before it "
                                                          "in this function, and the file names ",
                                                          ctx.count_mode_named))
        # Forward from each origin: an event reached is in maybe-count on entry; it passes that on
        # unless it is a set_mask_norm().
        stack = list(starts)
        while stack:
            event = stack.pop()
            why = why_by_order[event.order]
            for succ, _back in event.succ:
                if succ.order in why_by_order:
                    continue
                why_by_order[succ.order] = why
                if succ.tag != MASK_NORM:
                    stack.append(succ)
        for event in self.events:
            why = why_by_order.get(event.order, "")
            if why and event.kind in (EventKind.OP, EventKind.CALL):
                event.kind = EventKind.UNKNOWN
                event.why = why
                event.accesses = ()
        self.local_calls = [call for call in self.local_calls if call.kind is EventKind.CALL]

    # -- construction ----------------------------------------------------------------------------
    def _new(self, kind: EventKind, *, stmt: Stmt | None = None, op: str = "", accesses: Sequence[Access] = (),
             why: str = "", tag: str = "", callee: str = "", flag: FlagTag | None = None) -> Event:
        # (Event's fields spelled out, not **kw: compiled, a call with **kw builds a dict and goes
        # through Event's Python-level constructor.)
        event = Event(kind, stmt, op, accesses, why, tag, callee, flag=flag)
        event.order = len(self.events)
        self.events.append(event)
        return event

    @property
    def position(self) -> dict[int, tuple]:
        """id(stmt) -> (the statement list it is in, its index there), for each statement of a
        list the graph walks (a block, a switch or #if section body). Read by the proof's rule (b)
        (BarrierAnalysis._rewritten_between) and check's same-rebroadcast rule (races.py), only
        for some pairs of some functions: found when first asked for, by the walk's own descent."""
        found = self._position
        if found is None:
            found = self._position = {}
            body = self.fn.body
            if not isinstance(body, OpaqueStmt):
                _index_positions(body.body if isinstance(body, Compound) else [body], found)
        return found

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
        for stmt in stmts:
            self._statements_read += 1
            if not self._statements_read & (CHECKPOINT_EVERY - 1):
                checkpoint()
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
        for item in stmt.body:
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
            # raw-text scan: an unread statement's text (OpaqueStmt keeps it as text)
            jumps = {"goto", "case", "default"}.intersection(identifiers(stmt.text))
            if stmt.kind in (OpaqueKind.LABEL, OpaqueKind.GOTO) or jumps:
                what = stmt.reason if stmt.kind is OpaqueKind.LABEL or not jumps \
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
            if events:      # (its readers take a statement with none as holding an empty list)
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
                return [self._new(flag_kind, stmt=stmt, tag=tag,
                                  why=f"{_KIND_VALUES[kind]}(PIPE_V, PIPE_S, {tag or '?'})")]
            if src != dst:
                # An event id that may vary is UNKNOWN_EVENT_ID: it may be any event of these pipes.
                tag = tag or UNKNOWN_EVENT_ID
                return [self._new(EventKind.FLAG_SET if kind is Kind.SET_FLAG else EventKind.FLAG_WAIT, stmt=stmt,
                                  why=f"{_KIND_VALUES[kind]}({src}, {dst}, {tag})", flag=FlagTag(src, dst, tag))]
            return []
        if kind is Kind.VECTOR_OP:
            return self.ops.op(stmt, info)
        if kind is Kind.NOP and info.op == MASK_NORM_CALL and self.sem.ctx.tracks_mask_mode:
            return [self._new(EventKind.NOP, stmt=stmt, tag=MASK_NORM, why=f"{MASK_NORM_CALL}()")]
        return self._calls(stmt, info)

    def flag(self, stmt: Stmt) -> tuple | None:
        """(kind, src, dst, event) if ``stmt`` is a set_flag/wait_flag, else None."""
        info = self.sem.info.get(id(stmt)) if isinstance(stmt, SimpleStmt) else None
        if info is None or info.kind not in (Kind.SET_FLAG, Kind.WAIT_FLAG):
            return None
        return (info.kind.value,) + tuple(info.flag)

    def rewrite_by(self, stmt: Stmt) -> tuple | None:
        """(pipe, [Access]) if ``stmt`` is a TLOAD or scalar TCI whose UB bytes the model knows
        it rewrites (OpEvents.rewrite_by), else None."""
        return self.ops.rewrite_by(stmt)

    @staticmethod
    def tile_operand(node: Any, env: dict) -> Symbol | None:
        """The tile an op's argument names in ``env`` (a statement's scope), None for anything
        else (a scalar, an expression). Part of the hazards API `check` shares (races.py)."""
        return tile_operand(node, env)

    def tile_access(self, sym: Symbol, write: bool, tmp: bool) -> Access:
        """The UB bytes an op's whole-tile operand ``sym`` touches (TileAccesses.tile_access). Part
        of the hazards API (races.py)."""
        return self.tiles.tile_access(sym, write, tmp)


def _index_positions(stmts: list[Stmt], out: dict[int, tuple]) -> None:
    """FunctionCFG.position of ``stmts`` and of the lists the graph's walk enters below them: the
    bodies of blocks, of switches and of #if sections, also as the substatement of an if, else or
    for (FunctionCFG._stmt, _compound_stmt)."""
    for index, stmt in enumerate(stmts):
        out[id(stmt)] = (stmts, index)
        _index_inner(stmt, out)


def _index_inner(stmt: Stmt | None, out: dict[int, tuple]) -> None:
    if isinstance(stmt, (Compound, SwitchStmt)):
        _index_positions(stmt.body, out)
    elif isinstance(stmt, ForStmt):
        _index_inner(stmt.body, out)
    elif isinstance(stmt, IfStmt):
        _index_inner(stmt.then, out)
        _index_inner(stmt.orelse, out)
    elif isinstance(stmt, PPIfStmt):
        for branch in stmt.branches:
            _index_positions(branch.body, out)


def _link(a: Event, b: Event, back: bool) -> None:
    a.succ.append((b, back))
    b.pred.append((a, back))


def _after_removal_marker(stmt: SimpleStmt) -> bool:
    """The empty statement right after a removal marker: what a removal leaves where a statement
    must stay (the body of a braceless if/else/for, right after a case label)."""
    start = stmt.start_offset()
    low = max(0, start - 256)
    if stmt.file_text.find("*/", low, start) < 0:
        return False        # (what the text before it ends with holds no comment's end: no slice)
    before = stmt.file_text[low:start].rstrip()     # (the marker is ~70 characters)
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
