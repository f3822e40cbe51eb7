"""The PIPE_V barrier proof.

For a ``pipe_barrier(PIPE_V)`` B:
  before(B) = PIPE_V ops that may have been issued since the last V drain on any path into B,
  after(B)  = PIPE_V ops that may be issued before the next V drain on any path out of B.
B is removable iff no pair (p in before, c in after) has a RAW/WAR/WAW byte overlap, except a
hardware-safe exact same-access chain (PTOAS PR #674, docs/reference/pto-facts.md §5.3: same address and
shape, contiguous, producer >= 16 repeats of 256 B, not across a loop back-edge, no tmp operand).

Unknown ops count as touching everything. Function entry/exit count as unknown unless every
caller in the file is itself clean there (kernel entry points are clean: nothing runs before or
after them on the vector pipe). Barriers already removed in this run are not drains for the
following proofs, so removing several barriers is checked as a whole.

The hazards API, shared by this proof and `check` (races.py): ``BarrierAnalysis.cfg(fn)``, the
ops in flight across an event (``BarrierAnalysis.ops_in_flight``), the hazard of two of them
(``BarrierAnalysis.pair_hazard``), and a CFG's tile operands and their bytes
(``FunctionCFG.tile_operand``, ``FunctionCFG.tile_access``).
"""
from __future__ import annotations

from bisect import bisect_right

from .. import regex_cache
from ..pto.ops import EVERY_VERSION, REPEAT_BYTES, IsaFacts, chain_producer
from ..pto.ordering import (
    CHAIN_16BIT_ONLY,
    chain_repeats_enough,
    cvt_reads_source_in_order,
    same_access_chain_operand,
)
from ..pto.tiles import ELEMENT_BYTES
from ..pto.walks import ROW_BY_ROW, TileWalk, chain_order_holds, walk_kind, walk_pieces
from ..source import PtofixError, SourceText
from ..structs import Struct
from . import stmt_parser as A
from .keywords import strip_pto
from .lexical import identifiers, identifiers_among, masked_literals
from .model import CaseLabel, CppFile, ForStmt, Function, IfStmt, LabelStmt, OpaqueStmt, SimpleStmt, Stmt, SwitchStmt
from .parser import tokenize
from .semantics import FileContext
from .stmt_parser import forget_statements
from .vector_cfg import (  # noqa: F401  (REMOVED_MARKER: the passes read it here)
    REMOVED_BARRIER,
    REMOVED_MARKER,
    UNKNOWN_EVENT_ID,
    WINDOW_BOUND,
    Access,
    Event,
    EventKind,
    FunctionCFG,
    placed_past_space,
)
from .weights import statement_weights

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, ClassVar

MAX_REMOVED_CROSSED = 64     # removed barriers one walk may cross before it gives up (fail closed)
# Bounded work per walk, so that a proof (and `check`) costs linear time in the kernel's size
# whatever its shape: a walk that finds more vector ops than this, or visits more walk states,
# stops and ends its window with an unknown event (its barrier is kept, reported as not analysed).
# ptoas output keeps windows short (the largest in the corpus of real and test-suite kernels holds
# 23 ops); a window past a chain of if/else whose else has no barrier grows with the chain.
MAX_WINDOW_OPS = 128
MAX_WINDOW_STATES = 16 * MAX_WINDOW_OPS
# Callers a helper's clean entry or exit (or its flags' state there) is traced back through: past
# this depth it is taken as not clean (may be anything), as recursion is (bounded recursion depth).
MAX_CALL_DEPTH = 64
# Work bound of the search for a better set of removals than the greedy pass's (proofs tried, a
# count rather than a time, so the outcome is deterministic): past it the best set found so far
# stands, every removal of it proved. A changed set is completed and proved jointly at most
# SELECTION_ROUNDS times (another round only when a joint proof gave up a removal).
SELECTION_PROOFS_PER_CANDIDATE = 4
SELECTION_MIN_PROOFS = 64
SELECTION_ROUNDS = 4
MAX_GIVEN_BACK = 4          # removals one swap may give back together
PROOFS_KEPT_PER_BARRIER = 4     # the selection search's proofs remembered per barrier, latest first
_NOT_PURE = (EventKind.OP, EventKind.UNKNOWN, EventKind.SET_VS, EventKind.WAIT_VS)
_NONE_PENDING = frozenset({0})
_MAYBE_PENDING = frozenset({0, 1})
_AT_BOUNDARY = -1       # recorded among the barriers a walk reached when it reached a boundary


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
_EVENT_ENUMERATOR = regex_cache.compile(r"EVENT_ID[0-7]")


def _flag_dataflow(cfg: FunctionCFG, tag: str, entry: frozenset, src: str = "PIPE_V",
                   dst: str = "PIPE_S") -> tuple[dict, bool]:
    """Possible 'set pending' states (0/1) of the flag (src, dst, tag) before each event (by
    order), and whether its sets and waits strictly alternate. An unknown event, or a flag of the
    same pipes whose event may be the same (another spelling), may set or consume it. V->S flags
    are events of their own, and a helper holding one is not pure (its call is unknown); another
    pipe's flags may sit in a helper the proof takes as vector-free, so such a call may set or
    consume them too."""
    vs = (src, dst) == ("PIPE_V", "PIPE_S")
    set_kind, wait_kind = (EventKind.SET_VS, EventKind.WAIT_VS) if vs else (EventKind.FLAG_SET, EventKind.FLAG_WAIT)
    prefix = "" if vs else f"{src}>{dst}:"
    states: dict[int, frozenset] = {cfg.entry.order: entry}
    work = [cfg.entry]
    ok = True
    while work:
        event = work.pop()
        state = states[event.order]
        this = event.tag[len(prefix):] if event.kind in (set_kind, wait_kind) and event.tag.startswith(prefix) \
            else None
        if this == tag:
            ok = ok and (1 if event.kind is set_kind else 0) not in state
            out = frozenset({1}) if event.kind is set_kind else frozenset({0})
        elif event.kind in (EventKind.UNKNOWN, EventKind.CALL) or (this is not None and may_be_same_event(this, tag)) \
                or (not vs and event.callee and _may_touch_flags(cfg.sem.ctx, event.callee, set())):
            out = _MAYBE_PENDING
        else:
            out = state
        for nxt, _ in event.succ:
            old = states.get(nxt.order, frozenset())
            new = old | out
            if new != old:
                states[nxt.order] = new
                work.append(nxt)
    return states, ok

PATTERNS = {
    "gu": ("TROWEXPANDMUL", "TADD"),
    "softmax-exp-sum": ("TEXP", "TROWSUM"),
    "softmax-sum-add": ("TROWSUM", "TADD"),
}
PATTERN_ALIASES = {"trowexpandmul-tadd": "gu", "texp-trowsum": "softmax-exp-sum", "trowsum-tadd": "softmax-sum-add"}
NO_PATTERN = {"none", "off", "disable", "disabled"}


def _build_cfg(ctx: FileContext, fn: Function) -> FunctionCFG:
    sem = ctx.semantics(fn)
    assert sem is not None
    return FunctionCFG(fn, sem)


def _intrinsically_pure(cfg: FunctionCFG) -> bool:
    """No PIPE_V work of its own (local calls, still unresolved, aside)."""
    return not cfg.unstructured and not any(e.kind in _NOT_PURE for e in cfg.events)


def _vector_free(cfgs: dict[int, FunctionCFG], ctx: FileContext, intrinsic: dict[int, bool] | None = None,
                 decided_pure: set[int] | None = None) -> set[int]:
    """ids of the functions of ``cfgs`` that issue no PIPE_V work: the greatest fixed point of
    "intrinsically pure, and every local function it calls is in ``cfgs`` and vector-free" (a
    call of itself is not). Exact for every function whose callees are all in ``cfgs``.
    ``intrinsic``: purity measured before the calls were resolved (default: measured now).
    ``decided_pure``: functions outside ``cfgs`` already decided vector-free (one decided
    otherwise, or not decided, is not).
    Linear in the calls: impurity spreads from each impure function to its callers once, where a
    round over every function per change would be quadratic in a chain of calls."""
    callers: dict[int, list[int]] = {}
    pure: set[int] = set()
    impure: list[int] = []
    for key, cfg in cfgs.items():
        free = intrinsic[key] if intrinsic is not None else _intrinsically_pure(cfg)
        if free:
            for call in cfg.local_calls:
                callee = ctx.local_function(call.callee)
                callee_key = id(callee)
                if callee is None or callee_key == key:
                    free = False
                elif callee_key in cfgs:
                    callers.setdefault(callee_key, []).append(key)
                elif decided_pure is None or callee_key not in decided_pure:
                    free = False
                if not free:
                    break
        if free:
            pure.add(key)
        else:
            impure.append(key)
    while impure:
        for caller in callers.get(impure.pop(), ()):
            if caller in pure:
                pure.discard(caller)
                impure.append(caller)
    return pure


def _resolve_calls(cfg: FunctionCFG, ctx: FileContext, pure: set[int]) -> None:
    """Calls of vector-free functions (ids in ``pure``) become nothing, the others unknown work."""
    for call in cfg.local_calls:
        callee = ctx.local_function(call.callee)
        if callee is not None and id(callee) in pure:
            call.kind = EventKind.NOP
        else:
            call.kind = EventKind.UNKNOWN
            call.why = f"call to {call.callee}() which issues vector work or is not fully understood"


class Hazard(Struct):
    __slots__ = ("kind", "earlier", "later", "earlier_access", "later_access", "via_back_edge", "chain_refused")
    kind: str                 # RAW / WAR / WAW
    earlier: Event
    later: Event
    earlier_access: Access | None
    later_access: Access | None
    via_back_edge: bool
    chain_refused: str        # why an exact same access is no same-access chain (the walks), or ''
    _fields: ClassVar[tuple[str, ...]] = ("kind", "earlier", "later", "earlier_access", "later_access", "via_back_edge",
                                          "chain_refused")

    def __init__(
            self,
            kind: str,
            earlier: Event,
            later: Event,
            earlier_access: Access | None,
            later_access: Access | None,
            via_back_edge: bool,
            chain_refused: str = "",
    ) -> None:
        self.kind = kind
        self.earlier = earlier
        self.later = later
        self.earlier_access = earlier_access
        self.later_access = later_access
        self.via_back_edge = via_back_edge
        self.chain_refused = chain_refused

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
        return {"kind": self.kind, "earlier": side(self.earlier, self.earlier_access),
                "later": side(self.later, self.later_access), "across_loop_back_edge": self.via_back_edge}

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


class BarrierAnalysis:
    def __init__(self, model: CppFile, lenient_flags: bool = False, functions: list[Function] | None = None,
                 ctx: FileContext | None = None, lazy: bool = False,
                 mentions: dict[int, set[str]] | None = None, isa: IsaFacts = EVERY_VERSION):
        """``lenient_flags``: take every set/wait flag pair as ordering (for reporting races that
        must exist, `ptofix check`); the proof itself (default) trusts a pair only where it
        provably matches. ``functions``: analyse only these (a group no call crosses, see
        decide_by_groups), sharing the file's ``ctx``; default every function of the file.

        ``lazy``: model a function only when a decision reads it (see _LazyModels): the
        functions that may hold a PIPE_V barrier, the local functions their models call (purity),
        and callers only when a walk reaches a function boundary. The decisions are those of the
        eager analysis (``lazy=False``, which models every function up front). ``mentions``:
        local_mentions(model), when already at hand. ``isa``: the pto-isa facts of the headers the
        kernel compiles with (a new ``ctx`` gets them; default: those of every version)."""
        self.model = model
        self.barrier_macros = barrier_macros(model)
        self.functions = list(model.functions if functions is None else functions)
        self.lenient_flags = lenient_flags
        self.ctx = FileContext(model, isa=isa) if ctx is None else ctx
        self.cfgs: dict[int, FunctionCFG] = {}      # id(Function) -> CFG, local calls resolved
        self.removed: set[int] = set()        # id(barrier Event) treated as gone
        self._safe_pairs: dict[tuple, int] = {}      # pair signature -> chains used, for hazard-free pairs
        self._signatures: dict[int, tuple] = {}       # id(Event) -> (event, signature number)
        self._hazard_pairs: dict[tuple, Hazard] = {}    # (id(p), id(c), back) -> their first hazard
        self._signature_numbers: dict[tuple, int] = {}
        self._lazy = _LazyModels(self, mentions) if lazy else None
        if self._lazy is not None and not self._lazy.usable:
            self._lazy = None
        self._callers: dict[int, list] | None = None
        if self._lazy is None:
            self._resolve_local_calls()   # also fills self.cfgs
            self._callers = self._call_sites()
        self._entry_clean: dict[int, bool] = {}
        self._exit_clean: dict[int, bool] = {}
        self._past_call_depth: set[int] = set()     # not clean for want of tracing callers deeper
        self._definitions: dict[str, int] | None = None    # function name -> its definitions in the file
        self._flag_entry: dict[tuple, frozenset] = {}
        self._trusted_tags: dict[int, set] = {}
        self._alternation: dict[tuple, bool] = {}    # (id(Function), tag) -> _alternates
        self._dataflows: dict[tuple, tuple[dict, bool]] = {}     # _v_to_s_dataflow
        self.rewrites_used = 0
        self._selection_budget = 0       # proofs left to the selection search (improve_selection)
        # The selection search's latest proofs, by barrier: (decision, the removed barriers its
        # walks crossed, the kept ones they stopped at). A proof reads ``self.removed`` only at the
        # barriers its walks reach, so it holds again while those are as they were: the search
        # and the joint proof ask the same barrier again and again with removals far from it
        # changed, and a proof read back costs a few set operations, not two walks and their
        # pairs (what kept decide_by_groups linear with a small constant: issue #60).
        self._proofs: dict[tuple, list[tuple[Decision, frozenset, frozenset]]] = {}
        self._reached: set[int] | None = None     # barriers the walks reach, while a proof is recorded

    def release(self, keep_asts: bool = False) -> None:
        """Free the models of this analysis's functions once its decisions are read: the event
        graphs are cycles (kept until the pass ends, as the cyclic collector is paused while it
        runs), the semantic models live in the shared FileContext and each statement caches its
        AST. Nothing of this analysis may be used afterwards (ids it keyed by may be reused).
        ``keep_asts``: the statements keep their ASTs (acyclic: freed with the model), as the
        file's last group does, whose model goes right after."""
        for cfg in self.built_cfgs():
            for event in cfg.events:
                event.succ = event.pred = []
        self.ctx.forget(self.functions)
        if not keep_asts:
            for fn in self.functions:
                for stmt in fn.statements():
                    if isinstance(stmt, SimpleStmt):
                        stmt.forget_ast()
            # The per-file table of shared statement ASTs holds them too (up to 32768: ~40 MiB).
            forget_statements()
        # The lazy models point back at the analysis.
        if self._lazy is not None:
            self._lazy.raw.clear()
            self._lazy = None
        self.cfgs.clear()
        self._proofs.clear()
        self._hazard_pairs.clear()

    # -- per-function models ---------------------------------------------------------------
    def cfg(self, fn: Function) -> FunctionCFG:
        cfg = self.cfgs.get(id(fn))
        if cfg is None:
            if self._lazy is not None:
                return self._lazy.cfg(fn)
            cfg = _build_cfg(self.ctx, fn)
            self.cfgs[id(fn)] = cfg
        return cfg

    def built_cfgs(self) -> list[FunctionCFG]:
        """Every CFG built so far (lazy: also those built only to decide a callee's purity)."""
        return list({**self.cfgs, **(self._lazy.raw if self._lazy is not None else {})}.values())

    def modelled(self) -> list[Function]:
        """The functions whose semantic model was built, in file order (lazy: those a decision read)."""
        built = self.ctx.built()
        return [fn for fn in self.functions if id(fn) in built]

    def unparsed_statements(self) -> list:
        """The statements the grammar did not parse, of the modelled functions (eager: all)."""
        functions = self.functions if self._lazy is None else self.modelled()
        return [stmt for fn in functions for stmt in self.unparsed_of(fn)]

    def unparsed_of(self, fn: Function) -> list:
        """The statements of a modelled function the grammar did not parse."""
        sem = self.ctx.semantics(fn)
        assert sem is not None
        return sem.unparsed

    def callers(self, fn: Function) -> list:
        """[(caller, call event)] of every call of ``fn`` from the analysed functions, in file order."""
        if self._lazy is not None:
            return self._lazy.callers(fn)
        assert self._callers is not None
        return self._callers.get(id(fn), [])

    def _resolve_local_calls(self) -> set[int]:
        """Build every function's CFG once, then decide which local functions issue no PIPE_V work.

        A function is vector-free if it has no vector op, no unknown event and no V->S flag, and
        every local function it calls is vector-free (greatest fixed point over the call graph;
        recursion is not). Calls of vector-free functions become nothing, the others unknown work.
        """
        for fn in self.functions:
            self.cfg(fn)
        pure = _vector_free(self.cfgs, self.ctx)
        for cfg in self.cfgs.values():
            _resolve_calls(cfg, self.ctx, pure)
        return pure

    def _call_sites(self) -> dict[int, list]:
        sites: dict[int, list] = {}
        for fn in self.functions:
            for event in self.cfg(fn).local_calls:
                callee = self.ctx.local_function(event.callee)
                if callee is not None:
                    sites.setdefault(id(callee), []).append((fn, event))
        return sites

    def entry_clean(self, fn: Function) -> bool:
        """Nothing can be in flight on PIPE_V when ``fn`` starts: it is a kernel entry, or at every
        call site in this file no vector work precedes the call since a drain and the caller's own
        entry is clean, and those are all its callers (it is static, and its name is used
        nowhere else: _only_called_there). Any other function may be called from elsewhere with
        vector work in flight, so it is not clean."""
        return self._boundary_clean(fn, backward=True, cache=self._entry_clean, stack=frozenset())

    def _boundary_event(self, fn: Function) -> Event:
        """The Unknown event standing for what may be in flight at a boundary of ``fn`` that is
        not clean; it says when the callers were not traced further for the depth bound."""
        why = f"vector work issued outside {fn.name}() may be in flight"
        if id(fn) in self._past_call_depth:
            why += f" (its callers are traced at most {MAX_CALL_DEPTH} calls deep)"
        return Event(EventKind.UNKNOWN, why=why)

    def exit_clean(self, fn: Function) -> bool:
        """Nothing can still run on PIPE_V after ``fn`` returns (the mirror of entry_clean)."""
        return self._boundary_clean(fn, backward=False, cache=self._exit_clean, stack=frozenset())

    def is_entry(self, fn: Function) -> bool:
        return _declared_entry(self.ctx, fn)

    def _boundary_clean(self, fn: Function, backward: bool, cache: dict, stack: frozenset) -> bool:
        if self.is_entry(fn):
            return True
        key = id(fn)
        if key in cache:
            return cache[key]
        if key in stack:
            return False
        if len(stack) >= MAX_CALL_DEPTH:
            self._past_call_depth.add(key)
            return False
        sites = self.callers(fn)
        clean = bool(sites) and self._only_called_there(fn, sites)
        for caller, event in sites if clean else ():
            if self.cfg(caller).unstructured:
                clean = False     # a goto may reach the call around the caller's drains
                break
            if not self._boundary_clean(caller, backward, cache, stack | {key}):
                if id(caller) in self._past_call_depth:
                    self._past_call_depth.add(key)
                clean = False
                break
            ops, boundary = self.ops_in_flight(self.cfg(caller), event, backward=backward)
            if ops:
                clean = False
                break
        cache[key] = clean
        return clean

    def _only_called_there(self, fn: Function, sites: list) -> bool:
        """``fn`` is static (no other translation unit calls it) and every mention of its name
        in the file (comments included) is one of the definitions of that name or one of
        ``sites``: its address taken, a call from code the model does not read (a definition it
        cannot parse, a macro, an initializer) or any other use may run it with vector work in
        flight."""
        if not fn.static or "static" in self.ctx.macros:
            return False     # external linkage: another translation unit may call it too
        if not self.ctx.translation_unit:
            return False     # a file that #includes this one may call it too
        if any(summary.unknown for summary in self.ctx.headers.values()):
            return False     # a header ptofix cannot read may call it too
        if self.ctx.pastes_tokens:
            return False     # `p##q` may spell its name where no scan sees it
        if self._definitions is None:
            # (counted once: a count per helper asked is quadratic in a file of many helpers)
            self._definitions = {}
            for other in self.model.functions:
                self._definitions[other.name] = self._definitions.get(other.name, 0) + 1
        return self.ctx.name_count(fn.name) == self._definitions.get(fn.name, 0) + len(sites)

    # -- V->S flag pairs -----------------------------------------------------------------------
    def trusted_tags(self, cfg: FunctionCFG) -> set:
        """Event ids whose V->S set/wait strictly alternate on every path of ``cfg``'s function.

        ``wait_flag(PIPE_V, PIPE_S, e)`` drains only the V work issued before the matching
        ``set_flag``; it matches the nearest earlier set only when sets and waits of ``e``
        alternate. A set while one may be pending, a wait with none pending (it may consume a set
        made elsewhere), or an unknown event in between makes ``e`` untrusted in this function.
        """
        key = id(cfg.fn)
        if key in self._trusted_tags:
            return self._trusted_tags[key]
        self._trusted_tags[key] = set()
        # '' is an event id that may vary: a wait on it drains nothing known.
        tags = {e.tag for e in cfg.events if e.kind in (EventKind.SET_VS, EventKind.WAIT_VS) and e.tag}
        trusted = tags if self.lenient_flags else {tag for tag in tags if self._alternates(cfg, tag)}
        self._trusted_tags[key] = trusted
        return trusted

    def _alternates(self, cfg: FunctionCFG, tag: str) -> bool:
        # Remembered: a walk with proven_only asks it for every tag, once per op of `check`.
        key = (id(cfg.fn), tag)
        known = self._alternation.get(key)
        if known is None:
            entry = self._flag_state_at_entry(cfg.fn, tag, frozenset())
            states, ok = self._v_to_s_dataflow(cfg, tag, entry)
            known = self._alternation[key] = ok and not _leaves_set_pending(cfg, states)
        return known

    def _v_to_s_dataflow(self, cfg: FunctionCFG, tag: str, entry: frozenset) -> tuple[dict, bool]:
        """_flag_dataflow of a V->S flag, remembered: each helper a function calls reads the
        caller's states at its call (a kernel calling n helpers would run it n times)."""
        key = (id(cfg.fn), tag, entry)
        found = self._dataflows.get(key)
        if found is None:
            found = self._dataflows[key] = _flag_dataflow(cfg, tag, entry)
        return found

    def _flag_state_at_entry(self, fn: Function, tag: str, stack: frozenset) -> frozenset:
        key = (id(fn), tag)
        if key in self._flag_entry:
            return self._flag_entry[key]
        if self.is_entry(fn):
            entry = _entry_flag_state(self.ctx, fn)
            if entry == _NONE_PENDING:
                # The kernel's next launch starts clean only if this one cannot end with a set
                # pending, its helpers' sets included (a call of one may leave one), and the 0/1
                # states do not follow past a set while one may be pending (a second set before
                # the wait is not allowed: what `set; set; wait;` leaves is not documented).
                cfg = self.cfg(fn)
                states, alternates = self._v_to_s_dataflow(cfg, tag, entry)
                if cfg.unstructured or not alternates or _leaves_set_pending(cfg, states):
                    entry = _MAYBE_PENDING
            self._flag_entry[key] = entry
            return entry
        if id(fn) in stack or len(stack) >= MAX_CALL_DEPTH:
            return _MAYBE_PENDING
        sites = self.callers(fn)
        if not sites or not self._only_called_there(fn, sites):
            return _MAYBE_PENDING
        result: frozenset = frozenset()
        for caller, event in sites:
            cfg = self.cfg(caller)
            if cfg.unstructured:
                return _MAYBE_PENDING
            at_entry = self._flag_state_at_entry(caller, tag, stack | {id(fn)})
            states, alternates = self._v_to_s_dataflow(cfg, tag, at_entry)
            if not alternates:
                return _MAYBE_PENDING
            result = result | states.get(event.order, _MAYBE_PENDING)
        self._flag_entry[key] = result
        return result

    # -- walks ---------------------------------------------------------------------------------
    def ops_in_flight(self, cfg: FunctionCFG, start: Event, backward: bool,
              proven_only: bool = False, crossed: set[int] | None = None) -> tuple[list[tuple[Event, bool]], bool]:
        """The PIPE_V ops (and Unknown events) that may be in flight together with ``start``:
        those reachable from it, backward or forward, without crossing a drain, in program order,
        as ``[(event, via_back_edge)]``, and whether a walk reached the function's entry or exit.
        Part of the hazards API the proof and `check` (races.py) share, with :meth:`pair_hazard`.

        A V->S flag pair drains along a path that crosses both halves in order: walking back, a
        wait_flag(V, S, e) then its set_flag; walking forward, a set_flag then its wait_flag.
        ``proven_only`` (lenient flags): a flag orders only where its sets and waits provably
        alternate, as in the proof; what this walk finds beyond the lenient one's is what the
        lenient trust may hide. ``crossed`` gets the ids of the removed barriers the walk crosses.
        """
        trusted = self.trusted_tags(cfg)
        if proven_only:
            trusted = {tag for tag in trusted if self._alternates(cfg, tag)}
        found: dict[tuple, Event] = {}
        seen: set[tuple] = set()
        boundary = False
        crossings = 0
        stack: list[tuple[Event, bool, frozenset]] = [(start, False, frozenset())]
        opens, closes = (EventKind.WAIT_VS, EventKind.SET_VS) if backward else (EventKind.SET_VS, EventKind.WAIT_VS)
        # A flag chain, read in walk order: forward a set opens ("signal", tag) when its pipe is V or
        # one that has waited for an open signal ("after", pipe); backward the mirror image.
        chain_first, chain_then = (EventKind.FLAG_WAIT, EventKind.FLAG_SET) if backward \
            else (EventKind.FLAG_SET, EventKind.FLAG_WAIT)
        removed = self.removed
        # (Locals: this loop is most of a proof's time, and a file's proofs are many.)
        drain, barrier, nop = EventKind.DRAIN, EventKind.BARRIER, EventKind.NOP
        in_window = (EventKind.OP, EventKind.UNKNOWN)
        entry, exit_ = cfg.entry, cfg.exit
        lenient = self.lenient_flags
        max_states = MAX_WINDOW_STATES
        reached = self._reached
        while stack:
            event, back, pending = stack.pop()
            for nxt, is_back in (event.pred if backward else event.succ):
                state = (id(nxt), back or is_back, pending)
                if state in seen:
                    continue
                seen.add(state)
                kind = nxt.kind
                if kind is barrier and reached is not None:
                    reached.add(state[0])
                if kind is drain or (kind is barrier and state[0] not in removed):
                    continue
                if len(seen) > max_states:
                    _give_up(found, nxt, f"more than {MAX_WINDOW_STATES} walk states in one window (not analysed)")
                    stack.clear()
                    break
                if kind is barrier or (kind is nop and nxt.tag == REMOVED_BARRIER):
                    # (What an earlier run removed counts as this run's removals do: a second run
                    # gives up where the first did, so it keeps what the first kept.)
                    if crossed is not None and kind is barrier:
                        crossed.add(state[0])
                    crossings += 1
                    if crossings > MAX_REMOVED_CROSSED:
                        # Bounded work: a window this long is reported as not analysed (kept).
                        found.setdefault((id(nxt), state[1]), Event(
                            EventKind.UNKNOWN, stmt=nxt.stmt, order=nxt.order,
                            why=f"more than {MAX_REMOVED_CROSSED} removed barriers in one window (not analysed)"))
                        continue
                if nxt is entry or nxt is exit_:
                    boundary = True
                    if reached is not None:
                        reached.add(_AT_BOUNDARY)
                    continue
                next_pending = pending
                if kind is closes and nxt.tag in pending:
                    continue      # the other half of a V->S pair crossed before: drained here
                if kind is opens and nxt.tag in trusted:
                    next_pending = pending | {nxt.tag}
                if lenient and kind in (chain_first, chain_then) \
                        and not nxt.tag.endswith(":" + UNKNOWN_EVENT_ID) \
                        and not (proven_only and not _chain_link_alternates(cfg, nxt.tag)):
                    # Each pipe runs its own instructions in program order, and wait_flag(P, Q, e)
                    # holds Q until P's set_flag(P, Q, e). Forward from the earlier op: V (or a pipe
                    # already after it) signals Q, Q waits for that signal, Q signals R, ..., V waits:
                    # V's later work runs after its earlier work. Backward from the later op, the
                    # same chain read from its end. A V -> X signal and a Y -> V wait that no chain
                    # links order nothing.
                    pipes, _, _ = nxt.tag.partition(":")
                    src, _, dst = pipes.partition(">")
                    near, far = (dst, src) if backward else (src, dst)
                    if nxt.kind is chain_first:
                        if near == "PIPE_V" or ("after", near) in pending:
                            next_pending = next_pending | {("signal", nxt.tag)}
                    elif ("signal", nxt.tag) in pending:
                        if far == "PIPE_V":
                            continue      # ordered: nothing further along this path races
                        next_pending = next_pending | {("after", far)}
                if kind in in_window:
                    found.setdefault((state[0], state[1]), nxt)
                    if len(found) > MAX_WINDOW_OPS:
                        _give_up(found, nxt, f"more than {MAX_WINDOW_OPS} vector ops in one window (not analysed)")
                        stack.clear()
                        break
                stack.append((nxt, state[1], next_pending))
        ops = sorted(((ev, key[1]) for key, ev in found.items()), key=lambda pair: (pair[0].order, pair[1]))
        return ops, boundary

    # -- the proof -----------------------------------------------------------------------------
    def decide(self, fn: Function, stmt: SimpleStmt, pattern: str | None) -> Decision:
        decision = self._decide(fn, stmt, pattern)
        if self.ctx.exhausted() and decision.removable:
            # (Read after the proof, which may be what spent the budget: the answers it combined
            # may then have been computed on both sides of that point.)
            decision.removable = False
            decision.reason = f"{_NOT_ANALYSED}: {self.ctx.exhausted()}"
        return decision

    def _decide(self, fn: Function, stmt: SimpleStmt, pattern: str | None) -> Decision:
        cfg = self.cfg(fn)
        event = cfg.barrier_events.get(id(stmt))
        decision = Decision(fn, stmt, pattern, False)
        decision.context = self.context(fn, stmt)
        if event is None:
            decision.reason = "not a PIPE_V barrier in the model"
            return decision
        if cfg.unstructured:
            decision.reason = f"{_UNMODELLED} {fn.name}() is not modelled ({cfg.unstructured})"
            return decision
        before, hit_entry = self.ops_in_flight(cfg, event, backward=True)
        after, hit_exit = self.ops_in_flight(cfg, event, backward=False)
        # A hazard between ops of the function itself keeps the barrier whatever a caller leaves in
        # flight: the boundaries are read only when no such hazard does (reading them models the
        # callers and what they call, e.g. a whole cube kernel called before a vector kernel).
        # Unknown events in the window are reported first, boundaries included, as always.
        rewrites_before = self.rewrites_used
        pairs = chains = 0
        if not any(e.kind is EventKind.UNKNOWN for e, _ in before + after):
            hazard, pairs, chains = self._first_hazard(before, after, cfg)
            if hazard is not None:
                decision.before_ops = [e for e, _ in before]
                decision.after_ops = [e for e, _ in after]
                decision.hazard = hazard
                decision.pairs_checked = pairs
                decision.reason = hazard.summary(self.model.source)
                return decision
        if hit_entry and not self.entry_clean(fn):
            before.insert(0, (self._boundary_event(fn), False))
        if hit_exit and not self.exit_clean(fn):
            after.append((self._boundary_event(fn), False))
        decision.before_ops = [e for e, _ in before]
        decision.after_ops = [e for e, _ in after]
        unknown = [e for e in decision.before_ops + decision.after_ops if e.kind is EventKind.UNKNOWN]
        if unknown:
            # Fail closed: an event the model does not understand touches every UB byte.
            decision.unknown_events = unknown
            decision.reason = "kept: not understood in its window: " + "; ".join(
                _describe_unknown(e, self.model.source) for e in unknown)
            first_p = unknown[0] if unknown[0] in decision.before_ops else (before[0][0] if before else unknown[0])
            decision.hazard = Hazard("unknown", first_p, unknown[-1], None, None, False)
            return decision
        decision.removable = True
        decision.pairs_checked = pairs
        decision.same_access_pairs = chains
        rewritten = self.rewrites_used - rewrites_before
        if pairs == 0:
            decision.reason = (f"redundant: no PIPE_V op can be in flight across it "
                               f"({len(before)} before, {len(after)} after since/until the nearest drains)")
        else:
            excuses = []
            if chains:
                excuses.append(f"{chains} hardware-safe exact same-access chain(s) (PTOAS #674)")
            if rewritten:
                excuses.append(f"{rewritten} overlap(s) rewritten in between by another pipe, "
                               "ordered by set/wait flags")
            decision.reason = (f"proved: {pairs} op pair(s) across it have no RAW/WAR/WAW byte overlap"
                               + (" except " + " and ".join(excuses) if excuses else ""))
        return decision

    def _first_hazard(self, before: list, after: list, cfg: FunctionCFG) -> tuple[Hazard | None, int, int]:
        """The first hazard over the pairs (p before, c after), in order; the pairs checked up to
        it (all if none) and how many of them only a same-access chain made safe."""
        known = self._known_safe_window(before, after)
        if known is not None:
            return None, known[0], known[1]
        pairs = 0
        chains = 0
        # A pair's verdict depends only on the two ops and their accesses, unless rule (b) (bytes
        # another pipe rewrites between them) decided it: windows past many branches hold the same
        # op many times, so verdicts are remembered by what they depend on.
        safe = self._safe_pairs
        # (A hazard is remembered by the two ops themselves, whatever decided it: the selection
        # search proves a needed barrier again at each of its steps.)
        hazards = self._hazard_pairs
        sign = self._signature
        after_signs = [sign(c) for c, _ in after]
        for p, back_p in before:
            p_sign = sign(p) * 2
            for (c, back_c), c_sign in zip(after, after_signs, strict=True):
                # A pair is connected across a back-edge if either walk crossed one, or if the
                # consumer precedes the producer in program order (only reachable around a loop).
                back = back_p or back_c or c.order <= p.order
                pairs += 1
                key = ((p_sign + back) << 32) | c_sign
                used_chain = safe.get(key)
                if used_chain is not None:
                    chains += used_chain
                    continue
                found = hazards.get((id(p), id(c), back))
                if found is not None:
                    return found, pairs, chains
                rewrites = self.rewrites_used
                hazard, used_chain = self.pair_hazard(p, c, back, cfg)
                if hazard is not None:
                    hazards[(id(p), id(c), back)] = hazard
                    return hazard, pairs, chains
                if self.rewrites_used == rewrites:
                    safe[key] = used_chain
                chains += used_chain
        return None, pairs, chains

    def _known_safe_window(self, before: list, after: list) -> tuple[int, int] | None:
        """(pairs, chains) as _first_hazard counts them when every pair of the window has a
        remembered safe verdict and none meets across a back-edge, else None. The verdicts are
        looked up once per pair of signatures (with their counts), not once per pair of ops: a
        window of a long straight-line chain holds two signatures many times over, and a joint
        proof over it would otherwise cost the square of its length in lookups."""
        if not before or not after or any(back for _, back in before) or any(back for _, back in after) \
                or max(p.order for p, _ in before) >= min(c.order for c, _ in after):
            return None
        sign = self._signature
        producers: dict[int, int] = {}
        consumers: dict[int, int] = {}
        for p, _ in before:
            p_sign = sign(p)
            producers[p_sign] = producers.get(p_sign, 0) + 1
        for c, _ in after:
            c_sign = sign(c)
            consumers[c_sign] = consumers.get(c_sign, 0) + 1
        safe: dict = self._safe_pairs
        chains = 0
        for p_sign, p_count in producers.items():
            for c_sign, c_count in consumers.items():
                used_chain = safe.get(((p_sign * 2) << 32) | c_sign)
                if used_chain is None:
                    return None
                chains += used_chain * p_count * c_count
        return len(before) * len(after), chains

    def _signature(self, event: Event) -> int:
        """What a pair verdict reads of an op (its kind, name and every access's fields), as a
        number: equal numbers, equal signatures."""
        key = id(event)
        found = self._signatures.get(key)
        if found is None or found[0] is not event:
            signature = (event.kind, event.op, tuple(
                (a.name.startswith("<hidden"), a.write, a.space, None if a.intervals is None else tuple(a.intervals),
                 a.exact, a.tmp, a.contiguous_repeats, a.elementwise, a.shape, a.type_contiguous,
                 a.valid_col_in_type, a.valid_in_type) for a in event.accesses))
            number = self._signature_numbers.setdefault(signature, len(self._signature_numbers))
            found = self._signatures[key] = (event, number)
        return found[1]

    def pair_hazard(self, p: Event, c: Event, back: bool, cfg: FunctionCFG,
                     proven_only: bool = False) -> tuple[Hazard | None, int]:
        """The first RAW/WAR/WAW between the earlier op ``p`` and the later ``c`` (none for a
        same-access chain or bytes another pipe rewrites between them), and whether a same-access
        chain excused an overlap. ``back``: they meet across a loop back-edge. An Unknown side is
        the hazard "unknown". Part of the hazards API, with :meth:`ops_in_flight`.
        ``proven_only``: as in ops_in_flight."""
        if p.kind is EventKind.UNKNOWN or c.kind is EventKind.UNKNOWN:
            return Hazard("unknown", p, c, None, None, back), 0
        used_chain = 0
        for a in p.accesses:
            for b in c.accesses:
                if not (a.write or b.write):
                    continue
                if not a.overlaps(b):
                    continue
                kind = "RAW" if a.write and not b.write else "WAR" if b.write and not a.write else "WAW"
                chained, refused = self._same_access_chain(p, c, a, b, back)
                if chained:
                    used_chain = 1
                    continue
                if not back and self._rewritten_between(cfg, p, c, a, b, proven_only):
                    self.rewrites_used += 1
                    continue
                return Hazard(kind, p, c, a, b, back, refused), 0
        return None, used_chain

    def _rewritten_between(self, cfg: FunctionCFG, p: Event, c: Event, a: Access, b: Access,
                           proven_only: bool = False) -> bool:
        """Rule (b): another pipe rewrites every overlapping byte between p and c, ordered by flags.

        Needs, in one straight statement list: p ... set_flag(PIPE_V, X, e) ... wait_flag(PIPE_V, X, e)
        ... W (an op on pipe X writing all bytes of a∩b) ... set_flag(X, PIPE_V, f) ...
        wait_flag(X, PIPE_V, f) ... c. The flag chain orders p before W and W before c, so c observes
        W's bytes, not p's. Without the flag pairs the pair stays a hazard.
        """
        if a.intervals is None or b.intervals is None or a.space != b.space:
            return False
        pos_p, pos_c = cfg.position.get(id(p.stmt)), cfg.position.get(id(c.stmt))
        if pos_p is None or pos_c is None or pos_p[0] is not pos_c[0] or pos_p[1] >= pos_c[1]:
            return False
        stmts, lo, hi = pos_p[0], pos_p[1], pos_c[1]
        if any(isinstance(stmt, LabelStmt) for stmt in stmts[lo + 1:hi]):
            return False    # a goto to it may reach c from p past the rewrite and its flags
        overlap = [(max(x, u), min(y, v)) for x, y in a.intervals for u, v in b.intervals if x < v and u < y]
        for k in range(lo + 1, hi):
            writer = cfg.rewrite_by(stmts[k])
            if writer is None:
                continue
            pipe, writes = writer
            covers = all(any(w.space == a.space and w.intervals is not None and
                             any(s <= lo_ and hi_ <= e for s, e in w.intervals) for w in writes)
                         for lo_, hi_ in overlap)
            lenient = self.lenient_flags and not proven_only
            if covers and _flag_pair(cfg, stmts, lo, k, "PIPE_V", pipe, lenient) \
                    and _flag_pair(cfg, stmts, k, hi, pipe, "PIPE_V", lenient):
                return True
        return False

    @staticmethod
    def _same_access_chain(p: Event, c: Event, a: Access, b: Access, back: bool) -> tuple[bool, str]:
        """Whether the pair (p writes or reads ``a``, c ``b``) is a same-access chain, and when the
        only thing that refused it is the two walks' order (pto/walks.py), why."""
        # PTOAS PR #674 CanPrunePipeVBarrier (docs/reference/pto-facts.md §5.3).
        if a.exact is None or not a.elementwise:
            return False, ""
        cvt = c.op == "TCVT" and BarrierAnalysis._cvt_reads_chain_in_order(c, a.exact)
        if not (b.elementwise or cvt):
            return False, ""   # e.g. TEXP -> TROWSUM reads with a reduction pattern (§6.3)
        # "from the producer result to the consumer source": the earlier op must itself write this
        # exact access (in-place chains then carry their WAR/WAW along); a plain read is not a chain.
        # ... "to the consumer source": the later op must read this exact access too (PTOAS checks
        # it is among the consumer's uses); a consumer that only overwrites it (WAW) is no chain.
        producer = [x for x in p.accesses if x.write and not x.tmp and x.exact == a.exact and x.elementwise]
        consumer_reads = any(not x.write and not x.tmp and x.exact == a.exact and (x.elementwise or cvt)
                             for x in c.accesses)
        if not same_access_chain_operand(a.exact == b.exact, bool(producer), consumer_reads, a.tmp or b.tmp, back):
            return False, ""
        # PTOAS HEAD excludes producers with a tmp operand; the hidden TMP_UB scratch of a
        # no-tmp row-expand is not an operand (ptoas does not model it) and is checked separately.
        if not producer or any(x.tmp and not x.name.startswith("<hidden") for x in p.accesses):
            return False, ""
        if not chain_producer(p.op):
            return False, ""   # a multi-cycle producer (TEXP, TDIV, ...): not covered by the 16-repeat rule
        # Both ops walk in repeat order only when every operand has the chained access's shape and
        # element type (the binary ops take a row-by-row path for operands of other row strides,
        # the unary and scalar ones go column chunk by column chunk), and the bitwise ones only on
        # 16-bit data (pto-facts.md §5.3).
        for event in (p,) if cvt else (p, c):
            if event.op in CHAIN_16BIT_ONLY and ELEMENT_BYTES.get(a.exact[4] or "") != 2:
                return False, ""
            expand = event.op.startswith(("TROWEXPAND", "TCOLEXPAND"))
            # (An expand's per-row or per-column operand is broadcast, not walked: any shape.)
            if any(not x.tmp and not (x.elementwise and _walks_like(x.shape, a.exact))
                   for x in event.accesses if not (expand and not x.elementwise and not x.write)):
                return False, ""
        # PTOAS's own conditions 3 and 4 (pto-facts §5.3): the producer's region is contiguous
        # (walked_in_address_order) and holds at least 16 repeats of 256 bytes. The walks' order
        # is then checked repeat by repeat.
        if not chain_repeats_enough(producer[0].contiguous_repeats):
            return False, ""
        why = _walks_chain(p, c, a.exact, cvt)
        return not why, why

    @staticmethod
    def _cvt_reads_chain_in_order(c: Event, exact: tuple) -> bool:
        """A TCVT ``c`` reads the chained access ``exact`` as a linear consumer would: a float
        conversion of one vconv a row over whole repeats (ordering.cvt_reads_source_in_order),
        its one source that access walked in address order, its dst of the same valid shape (TCVT
        walks dst's), no tmp (pto-isa's FA softmax chains TEXP into such a TCVT, pto-facts §5.3)."""
        reads = [x for x in c.accesses if not x.write]
        writes = [x for x in c.accesses if x.write]
        if any(x.tmp for x in c.accesses) or len(reads) != 1 or len(writes) != 1:
            return False
        source, dest = reads[0].shape, writes[0].shape
        if reads[0].exact != exact or source is None or dest is None or not _walks_like(source, exact):
            return False
        return source[3] == dest[3] == "RowMajor" and dest[4:6] == source[4:6] \
            and cvt_reads_source_in_order(source[2], dest[2], source[5])

    # -- pattern context ---------------------------------------------------------------------------
    def context(self, fn: Function, stmt: SimpleStmt) -> tuple[str, str]:
        """Nearest vector op before and after the barrier along straight-line code."""
        cfg = self.cfg(fn)
        event = cfg.barrier_events.get(id(stmt))
        if event is None:
            return "", ""
        return _nearest(event, backward=True), _nearest(event, backward=False)

    def run(self, patterns: set[str], force: bool = False, weights: dict[int, int] | None = None,
            independent: bool = False, selection_proofs: int | None = None) -> list[Decision]:
        """Decide every selected barrier. Removals interact (a removed barrier is no drain for the
        next proof), so candidates are tried by how often they run, most first (``weights``: the
        user's per-line overrides); the decisions come back in file order. ``independent``: decide
        each barrier with every other one in place (what a one-by-one count measures; the
        decisions then do not combine, and no pass uses it). ``selection_proofs``: the budget of
        improve_selection (default: by the number of candidates; 0: the greedy pass's set)."""
        slots: list[Decision | None] = []
        candidates = []
        for fn in self.functions:
            if self._lazy is not None and not self._lazy.may_hold_v_barrier(fn, self.barrier_macros):
                continue      # no barrier to decide: modelled only if a decision reads it
            cfg = self.cfg(fn)
            counts = statement_weights(fn, cfg.sem)
            for stmt in fn.statements():
                if id(stmt) not in cfg.barrier_events or not isinstance(stmt, SimpleStmt):
                    unread = _unread_barrier(cfg, stmt) or _macro_barrier(stmt, self.barrier_macros)
                    if unread:
                        # Inside an opaque construct: one for each barrier it spells, where it is.
                        spelled = _v_barrier_offsets(stmt.text) if isinstance(stmt, (OpaqueStmt, SimpleStmt)) else []
                        for offset in spelled or [0]:
                            d = Decision(fn, stmt, None, False, reason=unread, unread=True,
                                         at=stmt.span.start + offset)
                            d.weight = counts.get(id(stmt), 1)
                            slots.append(d)
                    continue
                before, after = self.context(fn, stmt)
                line = self.model.source.line_col(stmt.span.start)[0]
                weight = (weights or {}).get(line, counts.get(id(stmt), 1))
                pattern = None
                for name in sorted(patterns - {"auto"}):
                    if PATTERNS[name] == (before, after):
                        pattern = name
                        break
                if pattern is None and "auto" in patterns:
                    pattern = "auto"
                if pattern is None:
                    d = Decision(fn, stmt, None, False, reason="not selected by --pattern", context=(before, after))
                    d.weight = weight
                    slots.append(d)
                    continue
                candidates.append((-weight, len(slots), fn, stmt, pattern, weight))
                slots.append(None)
        tried: list[Decision] = []
        places: list[int] = []
        for _neg, index, fn, stmt, pattern, weight in sorted(candidates, key=lambda c: (c[0], c[1])):
            d = self.decide(fn, stmt, pattern)
            d.weight = weight
            if d.removable or force:
                d.removed = True
                if not independent:
                    self.removed.add(id(self._event_of(d)))
            tried.append(d)
            places.append(index)
        if not (force or independent) and len(tried) > 1:
            budget = SELECTION_PROOFS_PER_CANDIDATE * len(tried) + SELECTION_MIN_PROOFS
            tried = self.improve_selection(tried, budget if selection_proofs is None else selection_proofs)
        for index, d in zip(places, tried, strict=True):
            slots[index] = d
        return [d for d in slots if d is not None]

    # -- which removals are made together ------------------------------------------------------
    def _event_of(self, d: Decision) -> Event:
        return self.cfg(d.fn).barrier_events[id(d.stmt)]

    def _decide_with(self, d: Decision, removed: set[int]) -> Decision:
        """``d``'s barrier decided again with the barriers of the events ``removed`` gone (and
        only those): a proof of the selection search, counted against its budget."""
        stmt = d.stmt
        assert isinstance(stmt, SimpleStmt)
        self._selection_budget -= 1
        key = (id(stmt), d.pattern)
        known = self._proofs.setdefault(key, [])
        if not self.ctx.exhausted():
            for proof, crossed, stopped in known:
                if crossed <= removed and stopped.isdisjoint(removed):
                    fresh = _copy_decision(proof)
                    fresh.weight = d.weight
                    return fresh
        saved = self.removed
        self.removed = removed
        reached: set[int] = set()
        self._reached = reached
        try:
            fresh = self.decide(d.fn, stmt, d.pattern)
        finally:
            self.removed = saved
            self._reached = None
        # (A walk that reached the function's entry or exit read what its callers leave in
        # flight, which other barriers' removals change: such a proof is not kept.)
        if _AT_BOUNDARY not in reached and not self.ctx.exhausted():
            known.insert(0, (_copy_decision(fresh), frozenset(reached & removed), frozenset(reached - removed)))
            del known[PROOFS_KEPT_PER_BARRIER:]
        fresh.weight = d.weight
        return fresh

    def _decide_without(self, d: Decision, given_back: set[int]) -> Decision:
        """``d``'s barrier decided again with the removals ``given_back`` made undone (and the
        others in place), as ``_decide_with(d, self.removed - given_back)`` but without copying
        ``self.removed``: the joint proof and the selection search ask this once per removal, and
        a copy each time would make them quadratic in the number of barriers."""
        back = given_back & self.removed
        self.removed -= back
        try:
            return self._decide_with(d, self.removed)
        finally:
            self.removed |= back

    def removals_in_window(self, d: Decision) -> set[int]:
        """The removed barriers (event ids) the walks from ``d``'s barrier cross: the only ones
        whose drains it may need. (Counted against the search's budget as a proof is.)"""
        self._selection_budget -= 1
        cfg = self.cfg(d.fn)
        event = cfg.barrier_events.get(id(d.stmt))
        crossed: set[int] = set()
        if event is not None and not cfg.unstructured:
            self.ops_in_flight(cfg, event, backward=True, crossed=crossed)
            self.ops_in_flight(cfg, event, backward=False, crossed=crossed)
        return crossed

    def improve_selection(self, decisions: list[Decision], budget: int) -> list[Decision]:
        """Better the greedy pass's removals: ``decisions`` are in the order it tried them
        (heaviest first), ``self.removed`` holds its removals. A barrier kept only because
        removed ones no longer drain is "blocked"; where giving back one removed barrier (or the
        few a blocked one needs all of) lets blocked ones of more weight (or as much and more
        barriers) be proved, that swap is made (_better_swap), and again until none is better or
        the budget of proofs is spent (a count, so the outcome is deterministic). A changed set
        is completed (every kept candidate tried with all removals made) and proved again as a
        whole (prove_jointly), so no kept barrier is removable given the others: a second run
        removes nothing more. Should that leave less than the greedy pass, its set stands. Each
        blocked barrier's reason names the removals that made it needed. ``budget``: the proofs
        the search may try. Returns the decisions in the same order."""
        self._selection_budget = budget
        greedy, greedy_removed = decisions, set(self.removed)
        current = decisions
        needs = self._blocked(current)
        swapped = False
        while self._selection_budget > 0:
            better = self._better_swap(current, needs)
            if better is None:
                break
            current, swapped = better, True
            needs = self._blocked(current)
        if swapped:
            for _round in range(SELECTION_ROUNDS):
                current = self._complete(current)
                current, dropped = self.prove_jointly(current)
                if not dropped:
                    break
            if _removal_score(current) < _removal_score(greedy):
                current = greedy
                self.removed = greedy_removed
            needs = self._blocked(current)
        self._explain_blocked(current, needs)
        return current

    def _blocked(self, decisions: list[Decision]) -> dict[int, tuple[list[int], bool]]:
        """For each kept decision (by index) that becomes removable once the removed barriers its
        walks cross are given back: (the indices of those of them that free it each on its own,
        True), or (all of them, False) when none does alone."""
        position = {id(self._event_of(d)): i for i, d in enumerate(decisions) if d.removed}
        out: dict[int, tuple[list[int], bool]] = {}
        for i, d in enumerate(decisions):
            if d.removed or self._selection_budget <= 0:
                continue
            crossed = sorted(position[e] for e in self.removals_in_window(d) if e in position)
            if not crossed:
                continue
            events = [id(self._event_of(decisions[j])) for j in crossed]
            if not self._decide_without(d, set(events)).removable:
                continue
            if len(crossed) == 1:
                out[i] = (crossed, True)
                continue
            # (Charged as the proofs of each removal given back alone, whatever the search below
            # spends: the budget runs out where it always did.)
            budget = self._selection_budget - len(crossed)
            alone = self._freeing_alone(d, list(zip(crossed, events, strict=True)), True)
            self._selection_budget = budget
            out[i] = (alone, True) if alone else (crossed, False)
        return out

    def _freeing_alone(self, d: Decision, run: list[tuple[int, int]], frees_together: bool) -> list[int]:
        """The indices of the removals of ``run`` ((index, event id) pairs, in order) that free
        kept ``d`` each given back on its own, in order. ``frees_together``: giving back the whole
        run is known to free it. A proof is monotone in the drains given back: with more of them
        the walks reach a subset of the states (the same ops or fewer, fewer barriers crossed,
        no boundary they did not reach), so what the proof finds is a subset of the pairs, events
        and crossings it found with fewer. Where giving back a whole run does not free ``d``, no
        removal of it does alone: one proof rules out the run, and a barrier blocked on both sides
        of a long window costs a few proofs, not one per removal its walks cross."""
        if len(run) == 1:
            return [run[0][0]] if self._decide_without(d, {run[0][1]}).removable else []
        if len(run) > 2 and not frees_together \
                and not self._decide_without(d, {event for _, event in run}).removable:
            return []
        half = len(run) // 2
        return self._freeing_alone(d, run[:half], False) + self._freeing_alone(d, run[half:], False)

    def _better_swap(self, decisions: list[Decision],
                     needs: dict[int, tuple[list[int], bool]]) -> list[Decision] | None:
        """The first removals to give back (one that alone frees a blocked barrier, or the few a
        blocked barrier needs all of, fewest first, then in greedy order) after which the blocked
        barriers they free, tried heaviest first, and then the given-back ones again, save more
        executions than before, or as many with more barriers: the decisions after that swap
        (``self.removed`` updated), or None."""
        options: list[tuple[int, ...]] = []
        for i in sorted(needs):
            blockers, alone = needs[i]
            if alone:
                options.extend((j,) for j in blockers)
            elif len(blockers) <= MAX_GIVEN_BACK:
                options.append(tuple(blockers))
        # (Work per option grows with the barriers it touches, not with the file: the blocked
        # barriers an option may free are found through their blockers, and the score of a swap
        # is the score before it plus what its changed decisions add.)
        blocked_by: dict[int, list[int]] = {}
        for i in sorted(needs):
            for j in needs[i][0]:
                blocked_by.setdefault(j, []).append(i)
        before = _removal_score(decisions)
        for given in sorted(set(options), key=lambda g: (len(g), g)):
            if self._selection_budget <= 0:
                return None
            freed = sorted({i for j in given for i in blocked_by.get(j, ()) if _frees(needs[i], given)})
            # (self.removed is changed in place and undone should the swap not pay: a copy per
            # option would make the search quadratic in the number of barriers.)
            removed = self.removed
            back = {id(self._event_of(decisions[j])) for j in given} & removed
            removed -= back
            added: list[int] = []
            made: list[tuple[int, Decision]] = []
            for i in freed + list(given):
                d = self._decide_with(decisions[i], removed)
                if d.removable:
                    d.removed = True
                    event = id(self._event_of(d))
                    if event not in removed:
                        removed.add(event)
                        added.append(event)
                made.append((i, d))
            changed = {i: d for i, d in made}
            after = _removal_score([d for d in changed.values()])
            undone = _removal_score([decisions[i] for i in changed])
            if (before[0] - undone[0] + after[0], before[1] - undone[1] + after[1]) <= before:
                removed.difference_update(added)
                removed |= back
                continue
            out = list(decisions)
            for i, d in made:
                out[i] = d
            return out
        return None

    def _complete(self, decisions: list[Decision]) -> list[Decision]:
        """Every kept decision decided again, in order, with the removals made so far (each one
        proved with all earlier removals in place, as in the greedy pass)."""
        out = list(decisions)
        for i, d in enumerate(out):
            if d.removed:
                continue
            fresh = self._decide_with(d, self.removed)
            if fresh.removable:
                fresh.removed = True
                self.removed.add(id(self._event_of(fresh)))
            out[i] = fresh
        return out

    def prove_jointly(self, decisions: list[Decision]) -> tuple[list[Decision], bool]:
        """Prove the removals of ``decisions`` together: each is decided again with every other
        one made. One that no longer holds is kept (the last in the list first: the lightest) and
        the others are proved again, until all hold. Returns the decisions (the removed ones
        replaced by their joint proofs) and whether any removal was given up; ``self.removed``
        ends as the proved set."""
        # (What a caller's walk found at a call site was read with another set of removals.)
        self._entry_clean.clear()
        self._exit_clean.clear()
        self._past_call_depth.clear()
        out = list(decisions)
        members = [i for i, d in enumerate(out) if d.removed]
        self.removed = {id(self._event_of(out[i])) for i in members}
        dropped = False
        while True:
            failed = -1
            for i in reversed(members):
                event = id(self._event_of(out[i]))
                d = self._decide_without(out[i], {event})
                d.removed = d.removable
                out[i] = d
                if not d.removable:
                    failed = i
                    self.removed.discard(event)
                    self._name_removals_in_window(d)
                    break
            if failed < 0:
                return out, dropped
            members.remove(failed)
            dropped = True

    def _name_removals_in_window(self, d: Decision) -> None:
        """Name in kept ``d``'s reason the removals (of ``self.removed``) its walks cross."""
        crossed = self.removals_in_window(d)
        offsets = [event.stmt.span.start for event in self.cfg(d.fn).barrier_events.values()
                   if id(event) in crossed and event.stmt is not None]
        if not offsets:
            return
        places = self._places(offsets)
        if len(places) == 1:
            d.reason = f"{_NEEDED_ONCE} barrier at {places[0]} is removed: {d.reason}"
        else:
            d.reason = f"{_NEEDED_ONCE} barriers at {', '.join(places)} are removed: {d.reason}"

    def _places(self, offsets: list[int]) -> list[str]:
        """``LINE:COL`` of each offset, in file order."""
        out = []
        for offset in sorted(offsets):
            line, col = self.model.source.line_col(offset)
            out.append(f"{line}:{col}")
        return out

    def _explain_blocked(self, decisions: list[Decision], needs: dict[int, tuple[list[int], bool]]) -> None:
        """Say in each blocked barrier's reason which removals made it needed."""
        for i, (blockers, alone) in needs.items():
            d = decisions[i]
            if d.removed or d.reason.startswith((_NOT_ANALYSED, _NEEDED_ONCE)):
                continue
            places = self._places([decisions[j].stmt.span.start for j in blockers])
            if len(places) == 1:
                why = f"{_NEEDED_ONCE} barrier at {places[0]} is removed"
            elif alone:
                why = (f"{_NEEDED_ONCE} barriers at {', '.join(places)} are removed "
                       "(any one of them kept would free it)")
            else:
                why = f"{_NEEDED_ONCE} barriers at {', '.join(places)} are removed"
            d.reason = f"{why}: {d.reason}"


def _copy_decision(d: Decision) -> Decision:
    """A decision of its own (a recorded proof handed out again gets its weight, removal and
    reason set by the search)."""
    return Decision(**{name: getattr(d, name) for name in Decision._fields})


def _frees(need: tuple[list[int], bool], given: tuple[int, ...]) -> bool:
    """Whether giving back the removals ``given`` may free a blocked barrier of this need."""
    blockers, alone = need
    if alone:
        return any(j in given for j in blockers)
    return all(j in given for j in blockers)


def _removal_score(decisions: list[Decision]) -> tuple[int, int]:
    """What a set of removals saves: barrier executions by weight, then barriers."""
    removed = [d for d in decisions if d.removed]
    return sum(d.weight for d in removed), len(removed)


class _LazyModels:
    """The models of a BarrierAnalysis built on demand (``lazy=True``).

    A decision reads the model of its own function, the purity of the local functions that
    function calls (and theirs, transitively), and the models of its callers only when a walk
    reaches its entry or exit (or a V->S flag is checked there). Other functions of the group
    are never modelled: in a kernel file calling a cube and a vector kernel, deciding a barrier
    of the vector kernel away from its boundaries does not parse the cube kernel.

    The results equal the eager analysis's: purity is the same greatest fixed point restricted
    to the functions reachable by calls (which is exact for them), and the callers of a function
    are found among the functions whose text names it (a superset of its callers: every call is
    spelled with the callee's name) in file order. Building models in another order than the
    eager analysis could differ only where functions call each other in a cycle (a callee still
    being built is taken as unknown), so a group whose functions may name each other in a cycle,
    or with a line splice in a function's text (which can hide a name from the text scan), is
    analysed eagerly (``usable`` is False).
    """

    def __init__(self, analysis: BarrierAnalysis, mentions: dict[int, set[str]] | None = None):
        self.analysis = analysis
        self.members = {id(fn) for fn in analysis.functions}
        self.raw: dict[int, FunctionCFG] = {}        # built, local calls not yet resolved
        self.intrinsic: dict[int, bool] = {}
        self.decided: set[int] = set()               # functions whose purity is known
        self.pure: set[int] = set()                  # ... and found vector-free
        self.callers_of: dict[int, list] = {}
        self.calls_of: dict[int, dict[int, list[Event]]] = {}    # _calls_by_callee
        self.text = text = analysis.model.source.text
        if mentions is None:
            mentions = local_mentions(analysis.model)
        # Only a function whose name is not overloaded can be called as a local function
        # (FileContext.local_function): the others are never a callee, here or eagerly.
        ctx = analysis.ctx
        self.named_by: dict[str, list[Function]] = {}    # callee name -> group functions naming it
        edges: dict[int, list[int]] = {}
        for fn in analysis.functions:
            out = edges[id(fn)] = []
            for name in mentions[id(fn)]:
                callee = ctx.local_function(name)
                if callee is not None and id(callee) in self.members:
                    self.named_by.setdefault(name, []).append(fn)
                    if callee is not fn:
                        out.append(id(callee))
        # A line splice in a function's text could hide a name from the scan (the group's own
        # texts are what the scans read: checked there, not in the whole file, once per group).
        spliced = any(text.find(splice, fn.span.start, fn.span.end) >= 0
                      for fn in analysis.functions for splice in ("\\\n", "\\\r"))
        self.usable = not spliced and not _has_cycle(edges)

    def may_hold_v_barrier(self, fn: Function, macros: frozenset[str]) -> bool:
        return _function_may_hold_v_barrier(self.text, fn, macros)

    def _raw_cfg(self, fn: Function) -> FunctionCFG:
        key = id(fn)
        cfg = self.raw.get(key)
        if cfg is None:
            cfg = _build_cfg(self.analysis.ctx, fn)
            self.raw[key] = cfg
            self.intrinsic[key] = _intrinsically_pure(cfg)
        return cfg

    def cfg(self, fn: Function) -> FunctionCFG:
        """``fn``'s CFG with its local calls resolved (purity of its callees decided)."""
        cfg = self._raw_cfg(fn)
        ctx = self.analysis.ctx
        for call in cfg.local_calls:
            callee = ctx.local_function(call.callee)
            if callee is not None and id(callee) in self.members:
                self.is_pure(callee)
        _resolve_calls(cfg, ctx, self.pure)
        self.analysis.cfgs[id(fn)] = cfg
        return cfg

    def is_pure(self, fn: Function) -> bool:
        """Whether ``fn`` issues no PIPE_V work: the eager fixed point over the functions it reaches."""
        key = id(fn)
        if key in self.decided:
            return key in self.pure
        ctx = self.analysis.ctx
        reach: dict[int, FunctionCFG] = {}
        todo = [fn]
        while todo:
            current = todo.pop()
            if id(current) in reach:
                continue
            cfg = reach[id(current)] = self._raw_cfg(current)
            for call in cfg.local_calls:
                callee = ctx.local_function(call.callee)
                if callee is not None and id(callee) in self.members and id(callee) not in reach \
                        and id(callee) not in self.decided:
                    # (a decided callee's answer is final: not reached again from each caller)
                    todo.append(callee)
        pure = _vector_free(reach, ctx, self.intrinsic, self.pure)
        for member in reach:
            if member not in self.decided:
                self.decided.add(member)
                if member in pure:
                    self.pure.add(member)
        return key in self.pure

    def _calls_by_callee(self, caller: Function) -> dict[int, list[Event]]:
        """id(callee) -> the local-call events of ``caller`` that call it, in order (built once:
        a kernel calling n helpers is asked n times)."""
        index = self.calls_of.get(id(caller))
        if index is None:
            index = self.calls_of[id(caller)] = {}
            local_function = self.analysis.ctx.local_function
            for event in self.analysis.cfg(caller).local_calls:
                callee = local_function(event.callee)
                if callee is not None:
                    index.setdefault(id(callee), []).append(event)
        return index

    def callers(self, fn: Function) -> list:
        key = id(fn)
        sites = self.callers_of.get(key)
        if sites is None:
            sites = []
            ctx = self.analysis.ctx
            for caller in self.named_by.get(fn.name, ()) if ctx.local_function(fn.name) is fn else ():
                sites.extend((caller, event) for event in self._calls_by_callee(caller).get(key, ()))
            self.callers_of[key] = sites
        return sites


def _give_up(found: dict[tuple, Event], at: Event, why: str) -> None:
    """End a walk's window at ``at`` with an unknown event: what lies further is not looked at."""
    unknown = Event(EventKind.UNKNOWN, stmt=at.stmt, order=at.order, why=why, tag=WINDOW_BOUND)
    found[(id(unknown), False)] = unknown


def _has_cycle(edges: dict[int, list[int]]) -> bool:
    """Whether the directed graph ``edges`` (node -> successors) has a cycle of two or more nodes."""
    state: dict[int, int] = {}      # 1: on the DFS stack, 2: done
    for root in edges:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(edges[root]))]
        while stack:
            node, successors = stack[-1]
            nxt = next(successors, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return True
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(edges.get(nxt, ()))))
    return False


def local_mentions(model: CppFile) -> dict[int, set[str]]:
    """id(function) -> the names of the file's functions its text mentions (a lexical scan)."""
    text = model.source.text
    names = {fn.name for fn in model.functions}
    return {id(fn): identifiers_among(text, names, fn.span.start, fn.span.end) for fn in model.functions}


# A pipe_barrier up to the next ';' (or a macro body's end) that plainly names a pipe other than
# PIPE_V. Anything else (PIPE_V, a comment, a macro, a ';' elsewhere...) may be a PIPE_V barrier.
_OTHER_PIPE_BARRIER = regex_cache.compile(r"\s*\(\s*(?:(?:::)?pto::|::)?PIPE_(?!V\b)[A-Z0-9_]+\s*\)\s*(?:;|\Z)")


def _unread_barrier(cfg: FunctionCFG, stmt: Stmt) -> str:
    """Why ``stmt``, which is no barrier event of ``cfg``, still spells what may be a
    ``pipe_barrier(PIPE_V)`` ('' if it does not): a call of pipe_barrier the semantic model reads
    otherwise (a name the function may redeclare, a pipe it cannot read), a statement the grammar
    cannot parse, or a construct the model does not read into (a lambda, a body nested too deep)."""
    if isinstance(stmt, OpaqueStmt):
        if not _may_hold_v_barrier(stmt.text):
            return ""
        return f"inside a construct ptofix does not model ({stmt.reason}): not analysed"
    if not isinstance(stmt, SimpleStmt) or not stmt.spells("pipe_barrier") or not _may_hold_v_barrier(stmt.text):
        return ""
    ast = stmt.ast
    if ast is None:
        return "in a statement the grammar does not understand: not analysed"
    call = ast.expr if isinstance(ast, A.ExprStmt) else None
    if not isinstance(call, A.Call) or strip_pto(call.callee) != "pipe_barrier":
        # `pipe_barrier(PIPE_MTE2), pipe_barrier(PIPE_V);`, one in an initializer or condition:
        # a call in an expression is no barrier statement of the model's.
        return "inside an expression, not a statement of its own: not read as a barrier" \
            if _v_barrier_offsets(stmt.text) else ""
    info = cfg.sem.info.get(id(stmt))
    why = info.reason if info is not None and info.reason else "not modelled"
    return f"not read as pipe_barrier(PIPE_V): {why}"


_SPELLED_BARRIER = regex_cache.compile(r"(?<![\w$])pipe_barrier(?![\w$])")


def _v_barrier_offsets(text: str) -> list[int]:
    """Offsets in ``text`` of the pipe_barrier calls its code spells (not in a comment or literal)
    that may be PIPE_V's (_may_hold_v_barrier): where the report locates each unread one."""
    code = masked_literals(text)
    return [match.start() for match in _SPELLED_BARRIER.finditer(code)
            if not _OTHER_PIPE_BARRIER.match(code, match.end())]


def file_scope_barriers(model: CppFile) -> list[int]:
    """File offsets of the pipe_barrier calls that may be PIPE_V's, and of the uses of macros that
    may expand to one (barrier_macros), in code outside every function body the model reads (a
    definition whose head it cannot parse, a class body, a template, a default argument in a
    function's head), not in a comment, literal or directive: never analysed, so kept, but each is
    reported where it is."""
    text = model.source.text
    macros = barrier_macros(model)
    gaps = barrier_gaps(model, macros)
    if not gaps:
        return []           # (the common case: nothing to tokenize)
    found = []
    for (gap_start, gap_end), spelled in sorted(gaps.items()):
        # A gap starts in code (a body's closing brace, or the file's start): its tokens are the
        # file's. A word token is code (not a comment, literal or directive); it may be qualified
        # (`::pipe_barrier`, `pto::pipe_barrier`): the name is its last part.
        for token in tokenize(SourceText(text[gap_start:gap_end], model.source.path)):
            if token.kind != "w":
                continue
            name = token.text.rpartition("::")[2].strip()
            at = gap_start + token.end - len(name)
            if at in spelled and (name == "pipe_barrier" and not _OTHER_PIPE_BARRIER.match(text, gap_start + token.end)
                                  or name in macros):
                found.append(at)
    return found


def barrier_gaps(model: CppFile, macros: set[str] | frozenset[str]) -> dict[tuple[int, int], set[int]]:
    """The spellings of ``pipe_barrier`` and of ``macros`` outside every function body, by the gap
    between bodies they lie in ((start, end) -> their offsets): file_scope_barriers tokenizes these
    gaps only, not the file (token objects of a large file cost ~35 MiB per MB)."""
    text = model.source.text
    bodies = sorted((fn.body.span.start, fn.body.span.end) for fn in model.functions)
    starts = [start for start, _ in bodies]
    gaps: dict[tuple[int, int], set[int]] = {}
    for word in ("pipe_barrier", *sorted(macros)):
        at = text.find(word)
        while at >= 0:
            k = bisect_right(starts, at) - 1
            if k < 0 or at >= bodies[k][1]:
                gap = (bodies[k][1] if k >= 0 else 0, starts[k + 1] if k + 1 < len(starts) else len(text))
                gaps.setdefault(gap, set()).add(at)
            at = text.find(word, at + 1)
    return gaps


def _may_hold_v_barrier(text: str) -> bool:
    """Whether ``text`` may hold a ``pipe_barrier(PIPE_V)`` (anything but plain other-pipe ones)."""
    start = text.find("pipe_barrier")
    while start >= 0:
        start += len("pipe_barrier")
        if not _OTHER_PIPE_BARRIER.match(text, start):
            return True
        start = text.find("pipe_barrier", start)
    return False


def barrier_macros(model: CppFile) -> frozenset[str]:
    """The macros whose expansion may spell a ``pipe_barrier(PIPE_V)``: a replacement text that may
    hold one (_may_hold_v_barrier), or that names such a macro. The model reads a use of one as the
    macro's name, not as the barrier it expands to, so each use is reported as an unread barrier."""
    if not model.macro_bodies:
        return frozenset()
    found = {name for name, body in model.macro_bodies if _may_hold_v_barrier(body)}
    if not found:
        return frozenset()
    names_in = [(name, set(identifiers(body))) for name, body in model.macro_bodies]
    grown = True
    while grown:
        grown = False
        for name, words in names_in:
            if name not in found and not found.isdisjoint(words):
                found.add(name)
                grown = True
    return frozenset(found)


def _function_may_hold_v_barrier(text: str, fn: Function, macros: frozenset[str]) -> bool:
    """Whether ``fn`` may spell a PIPE_V barrier: in its text, or through a use of ``macros``."""
    if _may_hold_v_barrier(text[fn.span.start:fn.span.end]):
        return True
    return bool(macros) and not macros.isdisjoint(identifiers(text, fn.span.start, fn.span.end))


def _macro_barrier(stmt: Stmt, macros: frozenset[str]) -> str:
    """Why ``stmt`` is an unread barrier through a macro ('' if it is not): it uses one of
    ``macros`` (barrier_macros) in its own text (a compound statement's header, not its body). A
    directive is no use: a #define's own body is not executed where it stands."""
    if not macros:
        return ""
    if isinstance(stmt, (SimpleStmt, OpaqueStmt, CaseLabel)):
        own = stmt.text
    elif isinstance(stmt, ForStmt):
        own = f"{stmt.init};{stmt.cond};{stmt.step}"
    elif isinstance(stmt, (IfStmt, SwitchStmt)):
        own = stmt.cond
    else:
        return ""
    used = macros.intersection(identifiers(own))
    if not used:
        return ""
    return f"uses the macro '{min(used)}', whose expansion may hold a pipe_barrier(PIPE_V): not analysed"


def candidate_groups(model: CppFile, groups: list[list[Function]]) -> list[list[Function]]:
    """The ``groups`` that hold a function that may contain ``pipe_barrier(PIPE_V)``.

    A group without a candidate has no decision to make, and no other group reads it: it is not
    modelled at all (nor are its statements parsed). A line splice could hide a barrier or a name
    from the text scans, so then every group is kept.
    """
    text = model.source.text
    if _splice_may_hide_a_barrier(text):
        return groups
    macros = barrier_macros(model)
    return [group for group in groups if any(_function_may_hold_v_barrier(text, fn, macros) for fn in group)]


def _may_hold_candidate(model: CppFile) -> bool:
    """Whether candidate_groups may find a group, whatever the grouping: a function may hold a
    barrier, or a line splice may hide one."""
    text = model.source.text
    if _splice_may_hide_a_barrier(text):
        return True
    macros = barrier_macros(model)
    return any(_function_may_hold_v_barrier(text, fn, macros) for fn in model.functions)


def _splice_may_hide_a_barrier(text: str) -> bool:
    return "\\\n" in text or "\\\r" in text


class _GroupLeak(Exception):
    """An analysis read the model of a function outside its group."""


def independent_groups(model: CppFile, mentions: dict[int, set[str]] | None = None) -> list[list[Function]]:
    """The file's functions in groups that no analysis result crosses, in file order.

    Deciding a barrier of f reads the models of f, of the local functions f calls and of those
    that call f (entry/exit cleanliness, flag states at entry, purity of callees), all found by
    name. Two functions share a group when one's name is an identifier of the other's text or
    they have the same name: a superset of the call graph's edges, so a group is a union of
    connected components. decide_by_groups checks that no analysis reaches outside its group.
    ``mentions``: local_mentions(model), when already at hand.
    """
    functions = model.functions
    if mentions is None:
        mentions = local_mentions(model)
    first: dict[str, int] = {}
    for i, fn in enumerate(functions):
        first.setdefault(fn.name, i)
    parent = list(range(len(functions)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, fn in enumerate(functions):
        a = root(i)
        if first[fn.name] != i:
            b = root(first[fn.name])
            parent[max(a, b)] = a = min(a, b)
        for name in mentions[id(fn)]:
            j = first.get(name)
            if j is not None:
                a, b = root(i), root(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    groups: dict[int, list[Function]] = {}
    for i, fn in enumerate(functions):
        groups.setdefault(root(i), []).append(fn)
    return list(groups.values())


def decide_by_groups(model: CppFile, patterns: set[str], keep: Callable[[Decision], Any], force: bool = False,
                     weights: dict[int, int] | None = None,
                     modelled: list[Function] | None = None,
                     mentions: dict[int, set[str]] | None = None,
                     translation_unit: bool = True,
                     grouping: Callable[[CppFile, dict[int, set[str]]], list[list[Function]]] | None = None,
                     isa: IsaFacts = EVERY_VERSION,
                     ) -> tuple[list, list]:
    """``BarrierAnalysis(model).run(...)``, one independent group of functions at a time, each
    group's models freed before the next: peak memory grows with the largest group, not the file.

    Only the groups that may hold a candidate are modelled (candidate_groups), and in a group
    only the functions a decision reads (BarrierAnalysis ``lazy``). Returns ``keep(decision)`` of
    every decision and the statements of the modelled functions the grammar did not parse, both
    in file order, as the whole-file run lists them; ``modelled`` gets the modelled functions.
    ``grouping`` replaces independent_groups (tests: a grouping that misses a call).
    The decisions are the whole-file run's: a proof's walks stay in its function and its callers,
    so removals interact only inside a group, and a group's candidates are tried in the order the
    whole-file run tries them. Should
    an analysis reach outside its group after all, the whole file is decided again in one piece.
    """
    if not _may_hold_candidate(model):
        return [], []        # (no group would hold a candidate: nothing to group or model)
    mentions = local_mentions(model)
    groups = (grouping or independent_groups)(model, mentions)
    candidates = candidate_groups(model, groups)
    if len(groups) > 1 or not candidates:
        try:
            return _decide_groups(model, candidates, patterns, keep, force, weights, len(groups), modelled,
                                  mentions, translation_unit, isa)
        except _GroupLeak:
            if modelled is not None:
                modelled.clear()
    return _decide_groups(model, [list(model.functions)], patterns, keep, force, weights, 1, modelled, mentions,
                          translation_unit, isa)


def _decide_groups(model: CppFile, groups: list[list[Function]], patterns: set[str], keep: Callable[[Decision], Any],
                   force: bool, weights: dict[int, int] | None, all_groups: int,
                   modelled: list[Function] | None = None,
                   mentions: dict[int, set[str]] | None = None,
                   translation_unit: bool = True, isa: IsaFacts = EVERY_VERSION) -> tuple[list, list]:
    """Decide ``groups`` (of ``all_groups`` independent groups of the file) one after another."""
    position = {id(fn): i for i, fn in enumerate(model.functions)}
    kept: list[list] = [[] for _ in model.functions]
    unparsed: list[list] = [[] for _ in model.functions]
    # (A file with no group to decide needs no file context: most files hold no barrier.)
    ctx = FileContext(model, translation_unit, isa) if groups else None
    for number, group in enumerate(groups, 1):
        analysis = BarrierAnalysis(model, functions=group, ctx=ctx, lazy=True, mentions=mentions)
        _check_group(analysis, all_groups)
        decisions = analysis.run(patterns, force=force, weights=weights)
        _check_group(analysis, all_groups)
        for d in decisions:
            kept[position[id(d.fn)]].append(keep(d))
        for fn in analysis.modelled():
            unparsed[position[id(fn)]] = analysis.unparsed_of(fn)
            if modelled is not None:
                modelled.append(fn)
        del decisions
        analysis.release(keep_asts=number == len(groups))
    return [x for items in kept for x in items], [x for items in unparsed for x in items]


def _check_group(analysis: BarrierAnalysis, groups: int) -> None:
    """Raise _GroupLeak if ``analysis`` read or resolved a function outside its group."""
    if groups == 1:
        return
    members = {id(fn) for fn in analysis.functions}
    leaked = not analysis.ctx.built() <= members
    for cfg in analysis.built_cfgs():
        for call in cfg.local_calls:
            callee = analysis.ctx.local_function(call.callee)
            leaked = leaked or (callee is not None and id(callee) not in members)
    if leaked:
        analysis.release()
        raise _GroupLeak


def _walks_like(shape: tuple | None, exact: tuple) -> bool:
    """An operand an op walks in the same order as the chained access ``exact``: static, contiguous,
    of the same element type, layout, rows, columns and valid shape. pto-isa picks an op's path from
    all its operands' types and valid shapes (TBinSOp.hpp ``tileDataContinue``, TUnaryOp.hpp
    ``isCombined``/``isSameShape``): an operand of other rows or another valid shape sends a unary or
    scalar op down a column-chunk path even where the chained tile alone would be one linear run."""
    if shape is None:
        return False
    rows, cols, dtype, layout, valid_rows, valid_cols = shape
    return (rows, cols, dtype, layout, valid_rows, valid_cols) == exact[2:8]


def _event_walk(event: Event, exact: tuple) -> TileWalk | None:
    """How ``event`` walks the chained tile ``exact``: its shape and valid shape, and whether the
    types of every operand it walks alike are contiguous (None when they disagree: pto-isa tests
    both dst's and src's type, TBinSOp.hpp ``tileDataContinue``, TUnaryOp.hpp ``isCombined``)."""
    walked = [x for x in event.accesses if not x.tmp and x.elementwise]
    kinds = {(x.type_contiguous, x.valid_col_in_type, x.valid_in_type) for x in walked}
    size = ELEMENT_BYTES.get(exact[4] or "")
    if len(kinds) != 1 or size is None or None in (exact[2], exact[3], exact[6], exact[7]):
        return None
    contiguous, valid_col_in_type, valid_in_type = next(iter(kinds))
    return TileWalk(exact[2], exact[3], size, exact[5], exact[6], exact[7], contiguous, valid_col_in_type,
                    exact[4] or "", valid_in_type)


def _walks_chain(p: Event, c: Event, exact: tuple, cvt: bool) -> str:
    """The same-access chain's order condition, repeat by repeat (pto/walks.py): the producer's
    and the consumer's walks of the chained tile, from the op and its operands' types, and the
    consumer never ahead of the producer. Checked over every byte either touches, so an in-place
    pair's reads and writes are both covered (each walks the tile once, reading and writing each
    piece in one repeat). '' when it holds, else why not."""
    walk = _event_walk(p, exact)
    if walk is None:
        return f"the operands of {p.op} are of mixed type classes (contiguous or not)"
    produced, why = walk_kind(p.op.split(".", 1)[0], walk, producing=True)
    producer = walk_pieces(produced, walk)
    if producer is None:
        return why or f"{p.op} walks it in an order not modelled ({produced})"
    if cvt:
        consumer = cvt_source_pieces(c, exact, walk)
        consumed = ROW_BY_ROW
    else:
        consumer_walk = _event_walk(c, exact)
        if consumer_walk is None:
            return f"the operands of {c.op} are of mixed type classes (contiguous or not)"
        consumed, why = walk_kind(c.op.split(".", 1)[0], consumer_walk, producing=False)
        consumer = walk_pieces(consumed, consumer_walk)
    if consumer is None:
        return why or f"{c.op} walks it in an order not modelled ({consumed})"
    refused = chain_order_holds(producer, consumer)
    return f"{p.op} walks it {produced}, {c.op} {consumed}: {refused}" if refused else ""


def cvt_source_pieces(c: Event, exact: tuple, walk: TileWalk) -> list[tuple[int, int]] | None:
    """The source pieces a single-vconv TCVT (BarrierAnalysis._cvt_reads_chain_in_order) reads per
    repeat: row by row (TCvt.hpp TCvtHead), ``256 / max(element sizes)`` elements a repeat."""
    shapes = [x.shape for x in c.accesses if x.write and x.shape is not None]
    if len(shapes) != 1 or shapes[0] is None:
        return None
    dst_size = ELEMENT_BYTES.get(shapes[0][2] or "")
    if dst_size is None:
        return None
    elements = REPEAT_BYTES // max(walk.elem_bytes, dst_size)
    return walk_pieces(ROW_BY_ROW, walk, elements * walk.elem_bytes)


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


def kept_cause(d: Decision) -> tuple[str, list[str]]:
    """(kind, names) of why decision ``d`` keeps its barrier: one of the CAUSE_* kinds, with the
    tiles (past their space, unknown bytes) or functions (unmodelled) it names."""
    if d.unread or d.stmt is None:
        return CAUSE_UNREAD, []
    if d.reason.startswith(_NEEDED_ONCE):
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
    if d.reason.startswith(_UNMODELLED):
        return CAUSE_UNMODELLED, [d.fn.name]
    if d.reason.startswith(_NOT_ANALYSED):
        return CAUSE_NOT_ANALYSED, []
    return CAUSE_NOT_UNDERSTOOD, []


def _describe_unknown(event: Event, source: SourceText) -> str:
    where = source.location(event.stmt.span.start) if event.stmt is not None else "function boundary"
    return f"{where}: {event.why or 'not understood'}"


def _flag_pair(cfg: FunctionCFG, stmts: list, lo: int, hi: int, src: str, dst: str, lenient: bool = False) -> bool:
    """A set_flag(src, dst, e) followed by its wait_flag(src, dst, e) strictly between lo and hi.

    The wait matches that set, or a later one, only if no set of ``e`` can still be pending when
    the set is issued: a flag is one bit (a second set before the wait is not allowed, and a wait
    finds the bit an earlier set left up). So the sets and waits of
    ``e`` must alternate on every path of the function (_pair_alternates: flags in nested
    statements and helpers included), from an entry function's start.
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
            clean = lenient or _pair_alternates(cfg, src, dst, event)
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
        mentioned = set(identifiers(text)) & ctx.functions.keys()
        pending.extend(sorted(mentioned - seen, reverse=True))
    return False


def _chain_link_alternates(cfg: FunctionCFG, tag: str) -> bool:
    """_pair_alternates for a flag event's tag `SRC>DST:EVENT`."""
    pipes, _, event = tag.partition(":")
    src, _, dst = pipes.partition(">")
    return _pair_alternates(cfg, src, dst, event)


def _pair_alternates(cfg: FunctionCFG, src: str, dst: str, tag: str) -> bool:
    """Sets and waits of the flag (src, dst, tag) strictly alternate on every path of ``cfg``'s
    function (_flag_dataflow), starting with none pending at an entry function's start (a
    helper's caller may leave one pending)."""
    key = (src, dst, tag)
    if key not in cfg.flag_alternation:
        entry = _entry_flag_state(cfg.sem.ctx, cfg.fn)
        states, ok = _flag_dataflow(cfg, tag, entry, src, dst)
        cfg.flag_alternation[key] = not cfg.unstructured and ok and not _leaves_set_pending(cfg, states)
    return cfg.flag_alternation[key]


def _entry_flag_state(ctx: FileContext, fn: Function) -> frozenset:
    """The flag states a function may start in. A kernel entry starts with no set pending, given
    that the kernel run before it on that core returned with none (_leaves_set_pending checks
    this file's entry functions against themselves). Another function of the same file that may
    be a kernel may run just before; its exit state is not modelled (the removal pass models only
    the functions around candidate barriers), so then no entry of the file starts clean. Any other
    function's caller may leave a set pending."""
    if not _declared_entry(ctx, fn) or ctx.possible_kernels() - {id(fn)}:
        # (Whether the other kernel may leave a set pending is not asked: it may set one in ways
        # no text spells: pto's Event API, a macro, a helper reached by reference.)
        return _MAYBE_PENDING
    return _NONE_PENDING


def _declared_entry(ctx: FileContext, fn: Function) -> bool:
    """A declared kernel entry: `__global__` in its declaration, not a macro the file defines
    (`#define __global__` makes it an ordinary function any caller may reach)."""
    return fn.is_entry and "__global__" not in ctx.macros


def _leaves_set_pending(cfg: FunctionCFG, states: dict) -> bool:
    """An entry function that may return with a set still pending: the next launch on that core
    would not start with none pending, which every entry is assumed to."""
    return cfg.fn.is_entry and 1 in states.get(cfg.exit.order, frozenset())


def _nearest(event: Event, backward: bool) -> str:
    cur = event
    while True:
        edges = cur.pred if backward else cur.succ
        if len(edges) != 1 or edges[0][1]:
            return ""
        cur = edges[0][0]
        if cur.kind is EventKind.OP:
            return cur.op.split(".")[0]
        if cur.kind is EventKind.DRAIN and cur.stmt is not None and cur.why.endswith(("pipe_barrier(PIPE_V)", "vbrcb")):
            continue  # an op's internal barrier: the op itself is the neighbour
        if cur.kind in (EventKind.DRAIN, EventKind.BARRIER, EventKind.UNKNOWN, EventKind.CALL):
            return ""
        if cur.kind is EventKind.NOP and cur.stmt is not None:
            return ""  # control structure boundary
        if cur.why in ("entry", "exit"):
            return ""
