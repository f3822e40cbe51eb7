"""What the barrier analysis knows of set_flag/wait_flag: which events may be the same, which flags are
pending where (a dataflow over the CFG), the flag pairs a removal must keep and the alternates of a
chain link."""
from __future__ import annotations

from .. import regex_cache
from .cfg_events import INTERNAL_BARRIER, Event, EventKind
from .lexical import identifiers
from .model import Function
from .semantics import FileContext
from .vector_cfg import FunctionCFG

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Final


NONE_PENDING: Final = frozenset({0})
MAYBE_PENDING: Final = frozenset({0, 1})
AT_BOUNDARY: Final = -1       # recorded among the barriers a walk reached when it reached a boundary


def may_be_same_event(a: str, b: str) -> bool:
    """Whether two differently spelled event ids may name one event: unless both are numbers or
    both pto's `EVENT_IDn` enumerators (distinct ones name distinct events), they may (an id that
    may vary is '', a number and an enumerator may be equal, any other name may be either)."""
    if a == b:
        return True
    if a.isdigit() and b.isdigit():
        # (An id past the 3-bit event field may wrap onto another: pto's events are EVENT_ID0-7.)
        return int(a) == int(b) or max(int(a), int(b)) > 7
    return not (_EVENT_ENUMERATOR.fullmatch(a) and _EVENT_ENUMERATOR.fullmatch(b))


# (EVENT_ID8 and up, where a header declares them, may wrap onto EVENT_ID0-7 like a number past 7.)
_EVENT_ENUMERATOR: Final = regex_cache.compile(r"EVENT_ID[0-7]")


def flag_dataflow(cfg: FunctionCFG, tag: str, entry: frozenset, src: str = "PIPE_V",
                   dst: str = "PIPE_S",
                   after_call: Callable[[Event, frozenset], tuple[frozenset, bool] | None] | None = None,
                   ) -> tuple[dict, bool]:
    """Possible 'set pending' states (0/1) of the flag (src, dst, tag) before each event (by
    order), and whether its sets and waits strictly alternate. An unknown event, or a flag of the
    same pipes whose event may be the same (another spelling), may set or consume it. V->S flags
    are events of their own, and a helper holding one is not pure (its call is unknown); another
    pipe's flags may sit in a helper the proof takes as vector-free, so such a call may set or
    consume them too. ``after_call`` (flag_states.FlagStates): what a call of one of the file's
    functions leaves, from the states before it, and whether the callee's sets and waits
    alternate from there; None where it does not know (then the call may leave any state)."""
    vs = (src, dst) == ("PIPE_V", "PIPE_S")
    set_kind, wait_kind = (EventKind.SET_VS, EventKind.WAIT_VS) if vs else (EventKind.FLAG_SET, EventKind.FLAG_WAIT)
    pipes = (src, dst)
    states: dict[int, frozenset] = {cfg.entry.order: entry}
    work = [cfg.entry]
    ok = True
    while work:
        event = work.pop()
        state = states[event.order]
        # (This flag's event id when the event sets or waits for a flag of these pipes, else None.)
        this = None
        if event.kind is set_kind or event.kind is wait_kind:
            if vs:
                this = event.tag
            elif event.flag is not None and event.flag.pipes() == pipes:
                this = event.flag.event
        called = after_call(event, state) if after_call is not None and event.callee and this is None else None
        if this == tag:
            ok = ok and (1 if event.kind is set_kind else 0) not in state
            out = frozenset({1}) if event.kind is set_kind else frozenset({0})
        elif called is not None:
            out, callee_alternates = called
            ok = ok and callee_alternates
        elif event.kind in (EventKind.UNKNOWN, EventKind.CALL) or (this is not None and may_be_same_event(this, tag)) \
                or (not vs and event.callee and _may_touch_flags(cfg.sem.ctx, event.callee, set())):
            out = MAYBE_PENDING
        else:
            out = state
        for nxt, _ in event.succ:
            old = states.get(nxt.order, frozenset())
            new = old | out
            if new != old:
                states[nxt.order] = new
                work.append(nxt)
    return states, ok



def flag_pair(cfg: FunctionCFG, stmts: list, lo: int, hi: int, src: str, dst: str,
               alternates: Callable[[FunctionCFG, tuple[str, str, str]], bool], lenient: bool = False) -> bool:
    """A set_flag(src, dst, e) followed by its wait_flag(src, dst, e) strictly between lo and hi.

    The wait matches that set, or a later one, only if no set of ``e`` can still be pending when
    the set is issued: a flag is one bit (a second set before the wait is not allowed, and a wait
    finds the bit an earlier set left up). So the sets and waits of
    ``e`` must alternate on every path of the function (``alternates``, flag_states.FlagStates:
    flags in nested statements and helpers included), from the states the function may start in.
    """
    state: dict[str, str] = {}
    for k in range(lo + 1, hi):
        flag = cfg.flag(stmts[k])
        if flag is None or flag[1] != src or flag[2] != dst or not flag[3]:
            continue
        # Matched by value, not spelling: a variable may hold another event at the wait.
        kind, event = flag[0], cfg.sem.event_value(flag[3])
        if not event:
            return False      # an event that may vary pairs with nothing
        if event not in state:
            clean = lenient or alternates(cfg, (src, dst, event))
            state[event] = "pending" if kind == "set_flag" and clean else "bad"
        elif state[event] == "pending" and kind == "wait_flag":
            return True
        else:
            state[event] = "bad"
    return False


def _may_touch_flags(ctx: FileContext, name: str, seen: set[str]) -> bool:
    """Whether a call of the file's function ``name`` may set or wait a flag: its text, or that of a
    function of the file it mentions, spells `flag`, or it is not one function of the file."""
    pending = [name]          # (a worklist, not a recursion: a chain of calls may be any length)
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        fn = ctx.local_function(current)
        if fn is None:
            return True
        seen.add(current)
        text = ctx.model.source.text[fn.span.start:fn.span.end]
        if "flag" in text:
            return True
        # raw-text scan: a function's text, every word of it (the model keeps its statements' text, not their
        # tokens); only for a function without `flag`
        mentioned = set(identifiers(text)) & ctx.functions.keys()
        pending.extend(sorted(mentioned - seen, reverse=True))
    return False


def declared_entry(ctx: FileContext, fn: Function) -> bool:
    """A declared kernel entry: `__global__` in its declaration, not a macro the file defines
    (`#define __global__` makes it an ordinary function any caller may reach)."""
    return fn.is_entry and "__global__" not in ctx.macros


def nearest_op(event: Event, backward: bool) -> str:
    cur = event
    while True:
        edges = cur.pred if backward else cur.succ
        if len(edges) != 1 or edges[0][1]:
            return ""
        cur = edges[0][0]
        if cur.kind is EventKind.OP:
            return cur.op.split(".")[0]
        if cur.kind is EventKind.DRAIN and cur.stmt is not None and cur.tag == INTERNAL_BARRIER:
            continue  # an op's internal barrier: the op itself is the neighbour
        if cur.kind in (EventKind.DRAIN, EventKind.BARRIER, EventKind.UNKNOWN, EventKind.CALL):
            return ""
        if cur.kind is EventKind.NOP and cur.stmt is not None:
            return ""  # control structure boundary
        if cur.why in ("entry", "exit"):
            return ""
