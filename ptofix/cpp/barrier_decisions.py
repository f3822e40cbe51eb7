"""What the barrier analysis decides of one barrier: a Decision (kept or removed, and why), the Hazard
that keeps it, and the cause a report gives for a kept barrier (kept_cause)."""
from __future__ import annotations

from .. import regex_cache
from ..pto.race_model import CHAIN_NOT_CREDITED
from ..source import PtofixError, SourceText
from ..structs import Struct
from .cfg_events import Access, Event, placed_past_space
from .model import Function, Stmt
from .vector_cfg import WINDOW_BOUND

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar

PATTERNS = {
    "gu": ("TROWEXPANDMUL", "TADD"),
    "softmax-exp-sum": ("TEXP", "TROWSUM"),
    "softmax-sum-add": ("TROWSUM", "TADD"),
}
PATTERN_ALIASES = {"trowexpandmul-tadd": "gu", "texp-trowsum": "softmax-exp-sum", "trowsum-tadd": "softmax-sum-add"}
NO_PATTERN = {"none", "off", "disable", "disabled"}


def normalize_patterns(spec: str | None) -> set[str]:
    """``"gu,softmax-sum-add"`` -> {"gu", "softmax-sum-add"}; ``auto`` = every barrier."""
    if not spec:
        return set()
    out: set[str] = set()
    for raw in spec.split(","):
        name = raw.strip().lower()
        if not name:
            continue
        if name in NO_PATTERN:
            continue
        name = PATTERN_ALIASES.get(name, name)
        if name != "auto" and name not in PATTERNS:
            supported = sorted(PATTERNS) + sorted(PATTERN_ALIASES) + ["auto", "none"]
            raise PtofixError(f"unknown barrier pattern '{raw.strip()}' (supported: {', '.join(supported)})")
        out.add(name)
    return out


class Hazard(Struct):
    __slots__ = ("kind", "earlier", "later", "earlier_access", "later_access", "via_back_edge", "chain_refused",
                 "same_access_chain")
    kind: str                 # RAW / WAR / WAW
    earlier: Event
    later: Event
    earlier_access: Access | None
    later_access: Access | None
    via_back_edge: bool
    chain_refused: str        # why an exact same access is no same-access chain (the walks), or ''
    # The overlap is a PTOAS #674 same-access chain the race model does not credit (the default,
    # msSanitizer's: pto/race_model.py): check reports it in its own category.
    same_access_chain: bool
    _fields: ClassVar[tuple[str, ...]] = ("kind", "earlier", "later", "earlier_access", "later_access", "via_back_edge",
                                          "chain_refused", "same_access_chain")

    def __init__(
            self,
            kind: str,
            earlier: Event,
            later: Event,
            earlier_access: Access | None,
            later_access: Access | None,
            via_back_edge: bool,
            chain_refused: str = "",
            same_access_chain: bool = False,
    ) -> None:
        self.kind = kind
        self.earlier = earlier
        self.later = later
        self.earlier_access = earlier_access
        self.later_access = later_access
        self.via_back_edge = via_back_edge
        self.chain_refused = chain_refused
        self.same_access_chain = same_access_chain

    def describe(self, source: SourceText) -> dict:
        def side(event: Event, access: Access | None) -> dict:
            where = source.location(event.stmt.span.start) if event.stmt is not None else "function boundary"
            text = event.stmt.span.text(source) if event.stmt is not None else (event.why or event.kind.value)
            out: dict[str, Any] = {"location": where, "statement": " ".join(text.split())[:200],
                                   "op": event.op or event.kind.value}
            if access is not None:
                out["operand"] = access.name
                out["access"] = "write" if access.write else "read"
                out["space"] = access.space
                out["bytes"] = None if access.intervals is None else [list(iv) for iv in access.intervals]
                if access.unknown_why:
                    out["bytes_unknown"] = access.unknown_why
            else:
                out["operand"] = "*"
                out["why"] = event.why
            return out
        out = {"kind": self.kind, "earlier": side(self.earlier, self.earlier_access),
               "later": side(self.later, self.later_access), "across_loop_back_edge": self.via_back_edge}
        if self.same_access_chain:
            out["same_access_chain"] = True
        return out

    def summary(self, source: SourceText) -> str:
        d = self.describe(source)
        earlier, later = d["earlier"], d["later"]

        def fmt(s: dict) -> str:
            rng = "" if s.get("bytes") is None else " " + ",".join(f"[{a},{b})" for a, b in s["bytes"])
            if s.get("bytes_unknown"):
                rng = f" ({s['bytes_unknown']})"
            return f"{s['op']} {s['access'] if 'access' in s else 'touches'} {s['operand']}{rng} at {s['location']}"
        suffix = " (across loop back-edge)" if self.via_back_edge else ""
        if self.chain_refused:
            suffix += f"; no same-access chain: {self.chain_refused}"
        if self.same_access_chain:
            suffix += f"; {CHAIN_NOT_CREDITED}"
        return f"{self.kind}: {fmt(earlier)} -> {fmt(later)}{suffix}"


class Decision(Struct):
    __slots__ = ("fn", "stmt", "pattern", "removable", "removed", "reason", "hazard", "pairs_checked",
                 "same_access_pairs", "before_ops", "after_ops", "unknown_events", "context", "weight", "unread",
                 "at")
    fn: Function
    stmt: Stmt                   # a SimpleStmt barrier; any statement when ``unread``
    pattern: str | None          # pattern that selected it (None = not a candidate)
    removable: bool
    removed: bool
    reason: str
    hazard: Hazard | None
    pairs_checked: int
    same_access_pairs: int
    before_ops: list
    after_ops: list
    unknown_events: list
    context: tuple
    weight: int                 # estimated executions per call of its function
    # A statement that spells a pipe_barrier the model does not read as PIPE_V's (kept, stmt may be
    # an OpaqueStmt holding one): reported with its reason, never a candidate.
    unread: bool
    at: int                    # file offset of an unread barrier spelled inside ``stmt`` (else its start)
    _fields: ClassVar[tuple[str, ...]] = ("fn", "stmt", "pattern", "removable", "removed", "reason", "hazard",
                                          "pairs_checked", "same_access_pairs", "before_ops", "after_ops",
                                          "unknown_events", "context", "weight", "unread", "at")

    def __init__(
            self,
            fn: Function,
            stmt: Stmt,
            pattern: str | None,
            removable: bool,
            removed: bool = False,
            reason: str = "",
            hazard: Hazard | None = None,
            pairs_checked: int = 0,
            same_access_pairs: int = 0,
            before_ops: list | None = None,
            after_ops: list | None = None,
            unknown_events: list | None = None,
            context: tuple = ("", ""),
            weight: int = 1,
            unread: bool = False,
            at: int = -1,
    ) -> None:
        self.fn = fn
        self.stmt = stmt
        self.pattern = pattern
        self.removable = removable
        self.removed = removed
        self.reason = reason
        self.hazard = hazard
        self.pairs_checked = pairs_checked
        self.same_access_pairs = same_access_pairs
        self.before_ops = [] if before_ops is None else before_ops
        self.after_ops = [] if after_ops is None else after_ops
        self.unknown_events = [] if unknown_events is None else unknown_events
        self.context = context
        self.weight = weight
        self.unread = unread
        self.at = at



# Why a selected barrier was kept, in the few kinds a per-file summary groups them by.
CAUSE_OVERLAP = "overlap"                  # a real RAW/WAR/WAW byte overlap across it
CAUSE_CONFLICT = "conflict"                # removable alone, needed once other removals are made
CAUSE_PAST_UB = "past-ub"                  # a UB tile reaches past the UB (192 KiB on A2/A3)
CAUSE_PAST_SPACE = "past-space"            # a tile of another space reaches past it
CAUSE_UNKNOWN_BYTES = "unknown-bytes"      # a tile whose bytes the model cannot place
CAUSE_NOT_UNDERSTOOD = "not-understood"    # code the model does not understand in its window
CAUSE_NOT_ANALYSED = "not-analysed"        # a work bound ended the proof
CAUSE_BOUNDARY = "boundary"                # work of a caller or after the return may be in flight
CAUSE_UNMODELLED = "unmodelled"            # its function's control flow is not modelled
CAUSE_UNREAD = "unread"                    # a pipe_barrier the model does not read as PIPE_V's
# How the reasons of the decisions that name no hazard begin (kept_cause reads them).
_UNMODELLED = "control flow of"
_NOT_ANALYSED = "not analysed"
_NEEDED_ONCE = "needed once the"          # a barrier kept only because other removals were made
# How the reason of a function template's barrier kept in one instantiation begins.
_INSTANTIATION = regex_cache.compile(r"^in [A-Za-z_]\w*<[^:]*>: ")


def kept_cause(d: Decision) -> tuple[str, list[str]]:
    """(kind, names) of why decision ``d`` keeps its barrier: one of the CAUSE_* kinds, with the
    tiles (past their space, unknown bytes) or functions (unmodelled) it names."""
    if d.unread or d.stmt is None:
        return CAUSE_UNREAD, []
    # (A function template's barrier kept in one instantiation says which first: template_decisions.)
    reason = _INSTANTIATION.sub("", d.reason, count=1)
    if reason.startswith(_NEEDED_ONCE):
        return CAUSE_CONFLICT, []
    hazard = d.hazard
    if d.unknown_events:
        if any(e.tag == WINDOW_BOUND or e.why.endswith("(not analysed)") for e in d.unknown_events):
            return CAUSE_NOT_ANALYSED, []
        if all(e.stmt is None for e in d.unknown_events):
            return CAUSE_BOUNDARY, [d.fn.name]      # only _boundary_event's: no statement of its own
        return CAUSE_NOT_UNDERSTOOD, []
    if hazard is not None and hazard.kind != "unknown":
        sides = [a for a in (hazard.earlier_access, hazard.later_access) if a is not None]
        past = [a for a in sides if placed_past_space(a)]
        if past:
            in_ub = all(a.space in (None, "Vec") for a in past)
            return CAUSE_PAST_UB if in_ub else CAUSE_PAST_SPACE, sorted({a.name for a in past})
        unplaced = sorted({a.name for a in sides if a.intervals is None})
        if unplaced or len(sides) < 2:
            return CAUSE_UNKNOWN_BYTES, unplaced
        return CAUSE_OVERLAP, []
    if reason.startswith(_UNMODELLED):
        return CAUSE_UNMODELLED, [d.fn.name]
    if reason.startswith(_NOT_ANALYSED):
        return CAUSE_NOT_ANALYSED, []
    return CAUSE_NOT_UNDERSTOOD, []


def _describe_unknown(event: Event, source: SourceText) -> str:
    where = source.location(event.stmt.span.start) if event.stmt is not None else "function boundary"
    return f"{where}: {event.why or 'not understood'}"
