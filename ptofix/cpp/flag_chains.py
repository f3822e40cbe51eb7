"""Flag chains through two or more other pipes: what orders two PIPE_V ops for none of the rules
ptofix follows, named for `check`'s note (races.MULTI_PIPE_CHAIN).

The vendor's rule orders two instructions of one pipe by a ``pipe_barrier`` of that pipe alone:
msSanitizer's single-pipe check (Ascend/mssanitizer csrc/race_sanitizer/alg_framework/
single_pipe_race_alg_impl.cpp ``ProcessSyncEvent`` counts PIPE_BARRIER only; set_flag/wait_flag give
no credit; mem_event_checker.cpp ``IsSinglePipeRaceEvent`` races two events of one pipe whose
``barrierNo`` is equal). ptofix's contract also credits a direct flag round trip V -> X -> V, as the
trace judge does (ptofix/trace/judge.py): set_flag(V, X, e), the wait_flag(V, X, e) that consumes
it, set_flag(X, V, f) after that wait, wait_flag(X, V, f) before the later op. A chain
V -> X -> Y -> ... -> V, though each pipe runs in order, is credited by neither: the walk of
barriers.BarrierAnalysis.ops_in_flight takes it as ordering only with ``credit_chains``, which
`check` asks to tell a race that such a chain alone orders, and a ``WalkTrail`` of that walk gives
the chain to name here.
"""
from __future__ import annotations

from ..structs import Struct
from .cfg_events import Event, EventKind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar, Final

V_PIPE: Final = "PIPE_V"


class WalkTrail(Struct):
    """What one walk of ops_in_flight went through: each walk state's parent state (None: the
    start's) and the event that made it (``parent``), the state each entry of the walk's stack
    came from (``entered``: an entry holds the flags as its event left them, a state as they were
    before it), and the states where a flag round trip or chain cut a path (``cuts``, in the
    order found)."""

    __slots__ = ("parent", "entered", "cuts")
    parent: dict[tuple, tuple[tuple | None, Event]]
    entered: dict[tuple, tuple]
    cuts: list[tuple]
    _fields: ClassVar[tuple[str, ...]] = ("parent", "entered", "cuts")

    def __init__(self) -> None:
        self.parent = {}
        self.entered = {}
        self.cuts = []

    def path_to(self, state: tuple) -> list[Event]:
        """The events of the walk from its start to ``state``, the start's own left out, in walk
        order reversed (a backward walk's: program order)."""
        out: list[Event] = []
        seen: set[tuple] = set()
        at: tuple | None = state
        while at is not None and at in self.parent and at not in seen:
            seen.add(at)
            at, event = self.parent[at]
            out.append(event)
        return out


class FlagLink(Struct):
    """One link of a flag chain: set_flag(src, dst, e) and the wait_flag(src, dst, e) after it."""

    __slots__ = ("src", "dst", "set_event", "wait_event")
    src: str
    dst: str
    set_event: Event
    wait_event: Event
    _fields: ClassVar[tuple[str, ...]] = ("src", "dst", "set_event", "wait_event")

    def __init__(self, src: str, dst: str, set_event: Event, wait_event: Event) -> None:
        self.src = src
        self.dst = dst
        self.set_event = set_event
        self.wait_event = wait_event


def _flag(event: Event) -> tuple[bool, str, str, str] | None:
    """(is a set, src, dst, event id) of a flag event the walks read as a link, else None."""
    if event.kind in (EventKind.SET_VS, EventKind.WAIT_VS):
        return event.kind is EventKind.SET_VS, V_PIPE, "PIPE_S", event.tag
    flag = event.flag
    if flag is not None and event.kind in (EventKind.FLAG_SET, EventKind.FLAG_WAIT):
        return event.kind is EventKind.FLAG_SET, flag.src_pipe, flag.dst_pipe, flag.event
    return None


def chain_along(events: list[Event]) -> tuple[FlagLink, ...] | None:
    """A flag chain from V back to V along ``events`` (in program order, the first a set_flag of
    PIPE_V): links set(V, X1) ... wait(V, X1), set(X1, X2) after that wait ... wait(X1, X2), ...,
    set(Xn, V) ... wait(Xn, V), each set after the wait before it. None when there is none. A
    depth-first search over the events' flags, each (position, pipe) tried once."""
    flags = [(i, found) for i, event in enumerate(events) if (found := _flag(event)) is not None]
    failed: set[tuple[int, str]] = set()

    def search(start: int, pipe: str) -> list[FlagLink] | None:
        if (start, pipe) in failed:
            return None
        for at, (is_set, src, dst, key) in flags:
            if at < start or not is_set or src != pipe:
                continue
            wait = next((w for w, (w_set, w_src, w_dst, w_key) in flags
                         if w > at and not w_set and (w_src, w_dst, w_key) == (src, dst, key)), None)
            if wait is None:
                continue
            link = FlagLink(src, dst, events[at], events[wait])
            if dst == V_PIPE:
                return [link]
            rest = search(wait + 1, dst)
            if rest is not None:
                return [link, *rest]
        failed.add((start, pipe))
        return None

    chain = search(0, V_PIPE)
    return None if chain is None else tuple(chain)


def other_pipes(chain: tuple[FlagLink, ...]) -> int:
    """How many other pipes a chain from V back to V goes through (1: a direct round trip)."""
    return len(chain) - 1
