"""What the barrier analysis decides of one barrier: a Decision (kept or removed), its Cause (why, as
data: a CauseKind and typed fields, with its renderings) and the Hazard that keeps it."""
from __future__ import annotations

import enum

from ..located import Located, Place
from ..pto.race_model import CHAIN_CREDITED
from ..source import PtofixError, SourceText
from ..structs import Struct
from . import hazard_words
from .cfg_events import Access, Event, placed_past_space
from .model import Function, Stmt

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, Final

PATTERNS: Final = {
    "gu": ("TROWEXPANDMUL", "TADD"),
    "softmax-exp-sum": ("TEXP", "TROWSUM"),
    "softmax-sum-add": ("TROWSUM", "TADD"),
}
PATTERN_ALIASES = {"trowexpandmul-tadd": "gu", "texp-trowsum": "softmax-exp-sum", "trowsum-tadd": "softmax-sum-add"}
NO_PATTERN: Final = {"none", "off", "disable", "disabled"}


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
                 "same_access_chain", "_described")
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
    # Not a field: described(), kept once asked for (a kept barrier's reason and its report entry
    # both read it), with the source it was read from. None until then.
    _described: tuple[SourceText, dict] | None
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
        self._described = None

    def described(self, source: SourceText) -> dict:
        """``describe(source)``, made once and shared by every caller: read it, never change it
        (a caller that adds to the description takes its own, from describe)."""
        known = self._described
        if known is None or known[0] is not source:
            known = self._described = (source, self.describe(source))
        return known[1]

    def describe(self, source: SourceText) -> dict:
        def side(event: Event, access: Access | None) -> dict:
            # (A place keeps its line and column as data: the page and the API read them, hazard_words.)
            where: str = Place(source.path, *source.line_col(event.stmt.span.start)) if event.stmt is not None \
                else "function boundary"
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
        """The hazard as a kept decision's reason, in cpp/hazard_words.py's words."""
        return hazard_words.reason(self.described(source), self.chain_refused)


class CauseKind(enum.Enum):
    """Why a barrier was removed or kept. The kept kinds' values are the ``cause.kind`` of the JSON
    report (docs/report-format.md), by which a per-file note groups kept barriers."""
    REDUNDANT = "redundant"                # removed: no PIPE_V op can be in flight across it
    PROVED = "proved"                      # removed: no pair of ops across it has a byte overlap
    OVERLAP = "overlap"                    # a real RAW/WAR/WAW byte overlap across it
    PAST_UB = "past-ub"                    # a UB tile reaches past the UB (192 KiB on A2/A3)
    PAST_SPACE = "past-space"              # a tile of another space reaches past it
    UNKNOWN_BYTES = "unknown-bytes"        # a tile whose bytes the model cannot place
    NOT_UNDERSTOOD = "not-understood"      # code the model does not understand in its window
    NOT_ANALYSED = "not-analysed"          # a work bound ended the proof
    BOUNDARY = "boundary"                  # work of a caller or after the return may be in flight
    UNMODELLED = "unmodelled"              # its function's control flow is not modelled
    UNREAD = "unread"                      # a pipe_barrier the model does not read as PIPE_V's
    NOT_A_BARRIER = "not-a-barrier"        # the statement is no PIPE_V barrier of the model
    NOT_SELECTED = "not-selected"          # no pattern selected it: the proof was not asked
    # (Not a kind of a decision: the summary kind of a barrier kept only because other removals
    # were made, ``Cause.needed_once``.)
    CONFLICT = "conflict"


# The kinds of a removable decision: kept all the same (a template never instantiated), they are
# summed up as not understood.
REMOVABLE_KINDS: Final = frozenset([CauseKind.REDUNDANT, CauseKind.PROVED])
# Each kind's value, read once: compiled, `kind.value` calls enum's Python-level property (every
# decision's fields read two).
_CAUSE_VALUES: Final[dict[CauseKind, str]] = {kind: kind.value for kind in CauseKind}


class Cause(Struct):
    """Why a barrier was removed or kept, as data: set where the decision is made (barriers.py, the
    selection, the template decisions) and read by every rendering (``fields``, which the report's
    reason holds and words when a format asks, Reason.text; ``json``: its ``cause``; ``summary_kind``
    and ``names``: the per-file note; the HTML page and the API read the JSON fields). A Cause is
    never changed once made: ``with_*`` make new ones (a recorded proof handed out again shares its
    cause)."""
    __slots__ = ("kind", "hazard", "unknown", "why", "function", "pairs", "chains", "rewritten", "before",
                 "after", "needed_once", "needed_alone", "instantiation", "notes", "construct", "missing_header")
    kind: CauseKind
    hazard: Hazard | None         # the pair of ops that keeps it (OVERLAP ... UNKNOWN_BYTES; unknown events too)
    unknown: list                 # the events not understood in its window (NOT_UNDERSTOOD, NOT_ANALYSED, BOUNDARY)
    # UNMODELLED: why its function's control flow is not modelled; NOT_ANALYSED with no unknown
    # event: the work bound spent; UNREAD: why the barrier is not read.
    why: str
    function: str                 # the barrier's function (UNMODELLED, BOUNDARY)
    pairs: int                    # PROVED: the op pairs checked
    chains: int                   # PROVED: pairs credited as a same-access chain (--same-access-chains)
    rewritten: int                # PROVED: overlaps another pipe rewrites in between, ordered by flags
    before: int                   # REDUNDANT: ops found before and after it up to the nearest drains
    after: int
    needed_once: list[int]        # file offsets of the removed barriers that make it needed (in file order)
    needed_alone: bool            # ... each of which given back alone would free it
    instantiation: str            # the function template's instantiation that keeps it (`f<16, 128>`)
    notes: list[str]              # what the template decisions add (why no instantiation was analysed)
    # UNREAD: the model's reason for the construct it does not read into, which holds the barrier
    # (an OpaqueStmt's: parser.py's EXCLUSIVE_DEFINITIONS, ...); '' if none.
    construct: str
    # UNMODELLED: the header not found whose `#include` is ``why``, by name ('' if another reason):
    # the per-file note that asks for its directory (-I) names it.
    missing_header: str
    _fields: ClassVar[tuple[str, ...]] = ("kind", "hazard", "unknown", "why", "function", "pairs", "chains",
                                          "rewritten", "before", "after", "needed_once", "needed_alone",
                                          "instantiation", "notes", "construct", "missing_header")

    def __init__(
            self,
            kind: CauseKind,
            hazard: Hazard | None = None,
            unknown: list | None = None,
            why: str = "",
            function: str = "",
            pairs: int = 0,
            chains: int = 0,
            rewritten: int = 0,
            before: int = 0,
            after: int = 0,
            needed_once: list[int] | None = None,
            needed_alone: bool = False,
            instantiation: str = "",
            notes: list[str] | None = None,
            construct: str = "",
            missing_header: str = "",
    ) -> None:
        self.kind = kind
        self.hazard = hazard
        self.unknown = [] if unknown is None else unknown
        self.why = why
        self.function = function
        self.pairs = pairs
        self.chains = chains
        self.rewritten = rewritten
        self.before = before
        self.after = after
        self.needed_once = [] if needed_once is None else needed_once
        self.needed_alone = needed_alone
        self.instantiation = instantiation
        self.notes = [] if notes is None else notes
        self.construct = construct
        self.missing_header = missing_header

    def _copy(self) -> Cause:
        return Cause(self.kind, self.hazard, list(self.unknown), self.why, self.function, self.pairs, self.chains,
                     self.rewritten, self.before, self.after, list(self.needed_once), self.needed_alone,
                     self.instantiation, list(self.notes), self.construct, self.missing_header)

    def with_needed_once(self, offsets: list[int], alone: bool) -> Cause:
        """This cause, needed once the barriers at ``offsets`` are removed (``alone``: any one of
        them kept would free it)."""
        out = self._copy()
        out.needed_once = sorted(offsets)
        out.needed_alone = alone
        return out

    def with_instantiation(self, label: str) -> Cause:
        """This cause, found in the function template's instantiation ``label``."""
        out = self._copy()
        out.instantiation = label
        return out

    def with_note(self, note: str) -> Cause:
        out = self._copy()
        out.notes.append(note)
        return out

    def removable(self) -> bool:
        return self.kind in REMOVABLE_KINDS

    def summary_kind(self) -> CauseKind:
        """The kind a per-file note counts a kept barrier under: CONFLICT when only other
        removals make it needed; a removable one kept all the same is not understood."""
        if self.needed_once:
            return CauseKind.CONFLICT
        if self.kind in REMOVABLE_KINDS or self.kind in (CauseKind.NOT_A_BARRIER, CauseKind.NOT_SELECTED):
            return CauseKind.NOT_UNDERSTOOD
        return self.kind

    def names(self) -> list[str]:
        """What a per-file note names of a kept barrier: the tiles (past their space, unknown
        bytes) or the function (unmodelled, boundary)."""
        kind = self.summary_kind()
        if kind in (CauseKind.UNMODELLED, CauseKind.BOUNDARY):
            return [self.function]
        hazard = self.hazard
        if hazard is None or kind not in (CauseKind.PAST_UB, CauseKind.PAST_SPACE, CauseKind.UNKNOWN_BYTES):
            return []
        sides = [a for a in (hazard.earlier_access, hazard.later_access) if a is not None]
        if kind is CauseKind.UNKNOWN_BYTES:
            return sorted({a.name for a in sides if a.intervals is None})
        return sorted({a.name for a in sides if placed_past_space(a)})

    # -- renderings --------------------------------------------------------------------------------
    def text(self, source: SourceText) -> str:
        """The reason in words (Reason.text, from ``fields``): for a caller that holds the cause
        itself (a report entry holds its Reason)."""
        return Reason(self.fields(source)).text()

    def json(self) -> dict[str, Any]:
        """The ``cause`` of a kept barrier in the JSON report: its summary kind and what it names."""
        return {"kind": _CAUSE_VALUES[self.summary_kind()], "names": self.names()}

    def fields(self, source: SourceText, hazard: dict[str, Any] | None = None) -> dict[str, Any]:
        """Every field, as JSON values: what the HTML page and the API render (beside the report,
        whose entries keep their documented keys). ``hazard``: ``self.hazard.described(source)``
        when already at hand. A field at its default (empty, zero, None, False) is left out: a
        large file's run holds one of these per barrier until its report is written."""
        if hazard is None and self.hazard is not None:
            hazard = self.hazard.described(source)
        every: dict[str, Any] = {
            "kind": _CAUSE_VALUES[self.kind], "summary_kind": _CAUSE_VALUES[self.summary_kind()], "names": self.names(),
            "hazard": hazard,
            "chain_refused": self.hazard.chain_refused if self.hazard is not None else "",
            "unknown": [{"location": source.place(e.stmt.span.start) if e.stmt is not None else None,
                         "why": e.why} for e in self.unknown],
            "why": self.why, "function": self.function,
            "pairs": self.pairs, "chains": self.chains, "rewritten": self.rewritten,
            "before": self.before, "after": self.after,
            "needed_once": ["{}:{}".format(*source.line_col(offset)) for offset in self.needed_once],
            "needed_alone": self.needed_alone, "instantiation": self.instantiation, "notes": list(self.notes),
            "construct": self.construct, "missing_header": self.missing_header,
        }
        return {key: value for key, value in every.items() if value or key in ("kind", "summary_kind")}



class Reason:
    """A decision's reason as its report entry holds it (the entry's ``reason``): its cause's fields
    (Cause.fields, which the page and the API read too), written in words by ``text`` where and when
    a format asks for them (the text report, the JSON report, the page, a warning on stderr, the
    API), once each: a run that writes no report writes no reason, and a large file's run holds no
    reason's words until its report is written. ``text`` is the one place the reason is worded.
    It compares, pickles (to ``-j`` workers) and repeats by its fields."""

    __slots__ = ("fields",)
    fields: dict[str, Any]

    def __init__(self, fields: dict[str, Any]) -> None:
        self.fields = fields

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Reason) and self.fields == other.fields

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __reduce__(self) -> tuple[type[Reason], tuple[dict[str, Any]]]:
        return (Reason, (self.fields,))

    def __repr__(self) -> str:
        return f"Reason({self.text()!r})"

    def __str__(self) -> str:
        return self.text()

    def text(self) -> str:
        """The reason in words, its places kept as data (located.Located: as a string each is
        written in full, ``path:line:col``, as the JSON report's ``reason`` gives it; the text
        report and the page write those in the file their own way)."""
        fields = self.fields
        kind = fields["kind"]
        base: str
        if kind == CauseKind.REDUNDANT.value:
            base = (f"redundant: no PIPE_V op can be in flight across it ({fields.get('before', 0)} before, "
                    f"{fields.get('after', 0)} after since/until the nearest drains)")
        elif kind == CauseKind.PROVED.value:
            excuses = []
            chains = fields.get("chains", 0)
            if chains:
                # (Only the opt-in model credits a chain: pto/race_model.py.)
                excuses.append(f"{chains} pair(s) credited as a {CHAIN_CREDITED} (--same-access-chains)")
            rewritten = fields.get("rewritten", 0)
            if rewritten:
                excuses.append(f"{rewritten} overlap(s) rewritten in between by another pipe, "
                               "ordered by set/wait flags")
            base = (f"proved: {fields.get('pairs', 0)} op pair(s) across it have no RAW/WAR/WAW byte overlap"
                    + (" except " + " and ".join(excuses) if excuses else ""))
        elif fields.get("unknown"):
            described: list[str] = []
            for event in fields["unknown"]:
                described.extend(("; ", unknown_words(event["location"], event["why"])))
            base = Located("kept: not understood in its window: ", *described[1:])
        elif fields.get("hazard") is not None:
            base = hazard_words.reason(fields["hazard"], fields.get("chain_refused", ""))
        elif kind == CauseKind.UNMODELLED.value:
            base = Located(f"control flow of {fields.get('function', '')}() is not modelled (",
                           fields.get("why", ""), ")")
        elif kind == CauseKind.NOT_ANALYSED.value:
            base = f"not analysed: {fields.get('why', '')}"
        elif kind == CauseKind.NOT_A_BARRIER.value:
            base = "not a PIPE_V barrier in the model"
        elif kind == CauseKind.NOT_SELECTED.value:
            base = "not selected by --pattern"
        else:
            base = fields.get("why", "")
        places = fields.get("needed_once", [])
        if places:
            if len(places) == 1:
                base = Located(f"needed once the barrier at {places[0]} is removed: ", base)
            elif fields.get("needed_alone"):
                base = Located(f"needed once the barriers at {', '.join(places)} are removed "
                               "(any one of them kept would free it): ", base)
            else:
                base = Located(f"needed once the barriers at {', '.join(places)} are removed: ", base)
        for note in fields.get("notes", []):
            base = Located(base, "; ", note) if base else note
        instantiation = fields.get("instantiation", "")
        if instantiation:
            base = Located(f"in {instantiation}: ", base)
        return base


class Decision(Struct):
    __slots__ = ("fn", "stmt", "pattern", "removable", "removed", "hazard", "pairs_checked",
                 "same_access_pairs", "before_ops", "after_ops", "unknown_events", "context", "weight", "unread",
                 "at", "cause", "source")
    fn: Function
    stmt: Stmt                   # a SimpleStmt barrier; any statement when ``unread``
    pattern: str | None          # pattern that selected it (None = not a candidate)
    removable: bool
    removed: bool
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
    cause: Cause               # why it is removed or kept, as data
    source: SourceText | None  # the file the cause is read in (``reason``), set with it by ``explain``
    _fields: ClassVar[tuple[str, ...]] = ("fn", "stmt", "pattern", "removable", "removed", "hazard",
                                          "pairs_checked", "same_access_pairs", "before_ops", "after_ops",
                                          "unknown_events", "context", "weight", "unread", "at", "cause", "source")
    _hidden: ClassVar[frozenset[str]] = frozenset({"source"})

    def __init__(
            self,
            fn: Function,
            stmt: Stmt,
            pattern: str | None,
            removable: bool,
            removed: bool = False,
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
            cause: Cause | None = None,
            source: SourceText | None = None,
    ) -> None:
        self.fn = fn
        self.stmt = stmt
        self.pattern = pattern
        self.removable = removable
        self.removed = removed
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
        self.cause = Cause(CauseKind.NOT_A_BARRIER) if cause is None else cause
        self.source = source

    def explain(self, cause: Cause, source: SourceText) -> None:
        """Set why this decision is made, its ``cause`` (read in ``source``): its words are
        written when asked for (``reason``), not here."""
        self.cause = cause
        self.source = source

    @property
    def reason(self) -> str:
        """``cause`` in words (Reason.text), written each time it is asked for ('' before ``explain``)."""
        source = self.source
        return "" if source is None else self.cause.text(source)



def hazard_kind(hazard: Hazard) -> CauseKind:
    """The kind of cause of a barrier kept for ``hazard`` (not an unknown one): its tiles placed past
    their space, bytes not known, or a real overlap."""
    sides = [a for a in (hazard.earlier_access, hazard.later_access) if a is not None]
    past = [a for a in sides if placed_past_space(a)]
    if past:
        return CauseKind.PAST_UB if all(a.space in (None, "Vec") for a in past) else CauseKind.PAST_SPACE
    if any(a.intervals is None for a in sides) or len(sides) < 2:
        return CauseKind.UNKNOWN_BYTES
    return CauseKind.OVERLAP


def unknown_kind(events: list[Event], bounds: frozenset[str]) -> CauseKind:
    """The kind of cause of a barrier kept for the unknown ``events`` of its window: a work bound
    (an event tagged as one of ``bounds``: a walk's work stopped there), only what a caller or the code after
    the return may leave in flight (no statement of their own: BarrierAnalysis._boundary_event), or
    code the model does not understand."""
    if any(e.tag in bounds for e in events):
        return CauseKind.NOT_ANALYSED
    if all(e.stmt is None for e in events):
        return CauseKind.BOUNDARY
    return CauseKind.NOT_UNDERSTOOD


def unknown_words(location: str | None, why: str) -> Located:
    """``path:line:col: why`` of an event not understood at ``location`` (a located.Place, as
    Cause.fields gives it; None: ``function boundary: why``, an event of no statement), its place
    kept as data."""
    why = why or "not understood"
    if location is None:
        return Located("function boundary: ", why)
    return Located(location, ": ", why)
