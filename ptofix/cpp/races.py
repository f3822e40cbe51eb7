"""PIPE_V races: pairs of vector ops that may be in flight together and conflict in UB bytes.

The same machinery that proves a barrier redundant (barriers.py) proves one missing: for every
vector op ``c``, walk back to the nearest drains (V->S flag pairs and op-internal barriers
included, loop back-edges followed) and check every op ``p`` found there with the proof's own
hazard rule (RAW/WAR/WAW byte overlap, hidden scratch included, as in the proof; the race model
is the proof's, pto/race_model.py). Under the default model (msSanitizer's a2/a3 rule) an
unbarriered PTOAS #674 same-access chain is a race of its own category (``SAME_ACCESS_CHAIN``:
ptoas prunes such barriers, msSanitizer flags the pair); under ``--same-access-chains`` it is no
race. Statements the model does not
understand make the function *unverified* (one note naming the first of them), never a race. Only a
certain use of the hidden scratch races: a row-expand whose broadcast path is known, not an integer
TCVT/TEXTRACT that may use it (a conflict through such a possible use makes the function
unverified). A direct flag round trip V -> X -> V (any X) is taken as ordering (the report lists
races that must exist); where the proof would not trust such a flag (its sets and waits not proven
to alternate: a set still pending makes a wait drain nothing) and it alone orders two conflicting
ops, the function is unverified too. A chain through two or more other pipes, V -> X -> Y -> ... ->
V, orders nothing: msSanitizer's single-pipe check credits pipe_barrier alone, ptofix's contract a
direct round trip too (cpp/flag_chains.py); a race such a chain alone would order is of its own
category (``MULTI_PIPE_CHAIN``), its note naming the chain.

ptoas output can race this way: two no-tmp row-expands with a ColMajor per-row operand share the
hidden scratch (docs/reference/pto-facts.md §2.3). When the second op broadcasts the very same,
unchanged per-row bytes, the scratch holds the same bytes whichever broadcast the first op reads
(§2.4, ``_same_rebroadcast``), but msSanitizer flags the pair (the vendor's rule gives no credit for
equal bytes): it is a race of its own category (``SAME_REBROADCAST``), under either race model. The
barrier proof does not use §2.4.
"""
from __future__ import annotations

from ..located import Located, Place
from ..pto.ordering import ROW_EXPAND_CHUNK_ROWS
from ..pto.race_model import DEFAULT_RACE_MODEL, RaceModel
from ..pto.tiles import bytes_known
from ..source import SourceText
from ..structs import Struct
from . import hazard_words
from .barrier_decisions import Hazard
from .barriers import BarrierAnalysis
from .cfg_events import SCRATCH_ACCESS_NAME, UB_SPACE, Access, Event, EventKind
from .flag_chains import V_PIPE, FlagLink, WalkTrail, chain_along, other_pipes
from .model import CaseLabel, Comment, CppFile, Directive, Function, LabelStmt, SimpleStmt, Stmt
from .symbols import Kind
from .templates import binding_label, instantiations, is_function_template, never_instantiated
from .vector_cfg import WINDOW_BOUND, FunctionCFG

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar, Final


# check's categories of race: any overlap, the unbarriered PTOAS #674 same-access chains the
# default race model does not credit, and two broadcasts of the same unchanged per-row tile through
# the hidden scratch (pto-facts §2.4: the same bytes either way; msSanitizer flags the pair), and a
# pair only a flag chain through two or more other pipes orders (cpp/flag_chains.py: msSanitizer's
# single-pipe check credits pipe_barrier alone, ptofix's contract a direct round trip V -> X -> V
# too). Each of the last three has its own SARIF rule and note.
OVERLAP: Final = "overlap"
SAME_ACCESS_CHAIN: Final = "same-access-chain"
SAME_REBROADCAST: Final = "same-rebroadcast"
MULTI_PIPE_CHAIN: Final = "multi-pipe-chain"
CATEGORIES = (OVERLAP, SAME_ACCESS_CHAIN, SAME_REBROADCAST, MULTI_PIPE_CHAIN)


# The tag of an unverified function's UNKNOWN event whose reason already says that a race through
# it is neither shown nor ruled out (a note does not say so twice: race_check, html_report).
UNDECIDED: Final = "<undecided>"


class Race(Struct):
    __slots__ = ("fn", "hazard", "same_rebroadcast", "flag_chain")
    fn: Function
    hazard: Hazard
    # The later op's broadcast rewrites the scratch the earlier op reads with the same bytes (§2.4).
    same_rebroadcast: bool
    # The flag chain through two or more other pipes that alone orders the pair, V first and last
    # (MULTI_PIPE_CHAIN); None: no such chain orders it.
    flag_chain: tuple[FlagLink, ...] | None
    _fields: ClassVar[tuple[str, ...]] = ("fn", "hazard", "same_rebroadcast", "flag_chain")

    def __init__(self, fn: Function, hazard: Hazard, same_rebroadcast: bool = False,
                 flag_chain: tuple[FlagLink, ...] | None = None) -> None:
        self.fn = fn
        self.hazard = hazard
        self.same_rebroadcast = same_rebroadcast
        self.flag_chain = flag_chain

    @property
    def earlier(self) -> Event:
        return self.hazard.earlier

    @property
    def later(self) -> Event:
        return self.hazard.later

    @property
    def category(self) -> str:
        # (A pair a chain orders is no race at all under the rule that credits the chain: that is
        # its first cause, before a same-access chain's or an equal broadcast's.)
        if self.flag_chain:
            return MULTI_PIPE_CHAIN
        if self.hazard.same_access_chain:
            return SAME_ACCESS_CHAIN
        return SAME_REBROADCAST if self.same_rebroadcast else OVERLAP


class Unverified(Struct):
    __slots__ = ("fn", "event")
    fn: Function
    event: Event
    _fields: ClassVar[tuple[str, ...]] = ("fn", "event")

    def __init__(self, fn: Function, event: Event) -> None:
        self.fn = fn
        self.event = event


def find_races(model: CppFile, analysis: BarrierAnalysis | None = None,
               race_model: RaceModel = DEFAULT_RACE_MODEL) -> tuple[list[Race], list[Unverified]]:
    """The races of ``model`` and its unverified functions, under ``analysis``'s race model (a new
    analysis gets ``race_model``)."""
    # Report only races that must exist: every flag pair is taken to order what it may order.
    analysis = analysis or BarrierAnalysis(model, lenient_flags=True, race_model=race_model)
    races: list[Race] = []
    unverified: list[Unverified] = []
    for fn in model.functions:
        bindings = _instantiations(analysis, fn)
        if bindings is None:
            _function_races(analysis, fn, races, unverified, set())
            continue
        # (A template the file never instantiates, its instantiations known exactly to be none,
        # is compiled to no code: nothing of it runs, so nothing of it races.)
        # A function template whose instantiations the file makes are known exactly
        # (templates.py): each is checked on its own; a race of any is shown (once), and one
        # that cannot be verified leaves the template unverified, naming it.
        ctx = analysis.ctx
        seen: set[tuple] = set()
        for binding in bindings:
            ctx.bound[id(fn)] = binding
            try:
                instance = BarrierAnalysis(model, lenient_flags=True, ctx=ctx, lazy=True, isa=ctx.isa,
                                           race_model=analysis.race_model)
                found: list[Unverified] = []
                _function_races(instance, fn, races, found, seen)
            finally:
                ctx.bound.pop(id(fn), None)
            label = binding_label(fn.name, binding)
            unverified.extend(Unverified(fn, Event(EventKind.UNKNOWN, stmt=u.event.stmt, order=u.event.order,
                                                   why=f"in {label}: {u.event.why}")) for u in found)
    return races, unverified


def _instantiations(analysis: BarrierAnalysis, fn: Function) -> tuple | None:
    """The instantiations of ``fn`` its file makes when known exactly (templates.py; () when it
    makes none), else None (not a template, or its instantiations not known exactly)."""
    if not is_function_template(fn):
        return None
    if never_instantiated(analysis.ctx, fn):
        return ()
    bindings, why = instantiations(analysis.ctx, fn)
    return None if why else bindings


def _function_races(analysis: BarrierAnalysis, fn: Function, races: list[Race], unverified: list[Unverified],
                    seen: set[tuple]) -> None:
    """The races of ``fn`` (those of ``seen``, pairs of statements, left out) and why it is
    unverified, added to ``races`` and ``unverified``."""
    cfg = analysis.cfg(fn)
    if analysis.ctx.exhausted():
        unverified.append(Unverified(fn, Event(EventKind.UNKNOWN, why=f"not analysed: "
                                                                      f"{analysis.ctx.exhausted()}")))
        return
    if cfg.unstructured:
        unverified.append(Unverified(fn, Event(EventKind.UNKNOWN, why=Located("control flow is not modelled (",
                                                                              cfg.unstructured, ")"))))
        return
    # Any statement the model does not understand may hide vector work of its own, racing
    # with itself (`while (...) { TADD(b, ...); TADD(b, ...); }`) or with an op beside it,
    # whether or not a modelled op follows it in a window: no claim of "no race" past it.
    unknowns: list[Event] = [e for e in cfg.events if e.kind is EventKind.UNKNOWN
                             and not _isolated_call(analysis, cfg, e)]
    chains = _ChainsInWay(analysis, cfg)
    for c in cfg.events:
        if c.kind is not EventKind.OP:
            continue
        internal = cfg.internal_races.get(id(c.stmt)) if c.stmt is not None else None
        if internal is not None:
            unknowns.append(Event(EventKind.UNKNOWN, stmt=c.stmt, order=c.order, why=internal))
        before, _ = analysis.ops_in_flight(cfg, c, backward=True)
        unknowns.extend(p for p, _back in before if p.kind is EventKind.UNKNOWN)
        unknowns.extend(_hidden_by_flags(analysis, cfg, c, before))
        for p, back_p in before:
            if p.kind is EventKind.UNKNOWN:
                continue
            back = back_p or c.order <= p.order
            if p.stmt is not None and p.stmt is c.stmt and not back:
                continue      # two phases of one op, ordered by its internal barrier
            # The same-access chain is hardware-safe only within one iteration (as in the proof).
            hazard, _ = analysis.pair_hazard(p, c, back, cfg)
            key = (id(p.stmt), id(c.stmt), back)
            if hazard is not None and not _proven(hazard):
                # (Each side's own reason, its places kept: cfg_events.Access.unknown_why.)
                whys = [piece for access in (hazard.earlier_access, hazard.later_access)
                        if access is not None and access.intervals is None and access.unknown_why
                        for piece in ("; ", access.unknown_why)]
                unknowns.append(Event(EventKind.UNKNOWN, stmt=c.stmt, order=c.order, why=Located(
                    f"{c.op}: the bytes {p.op} and it touch are not known, so a conflict can be neither "
                    "shown nor ruled out", *whys), tag=UNDECIDED))
                continue
            if hazard is not None and not (_certain(cfg, p, hazard.earlier_access)
                                           and _certain(cfg, c, hazard.later_access)):
                # Only a possible use of the hidden scratch: not a race that must exist, and
                # not one ruled out either.
                unknowns.append(Event(EventKind.UNKNOWN, stmt=c.stmt, order=c.order, why=(
                    f"{c.op} and {p.op} (line {_line(analysis, p)}) conflict if the hidden TMP_UB scratch is "
                    "used, which depends on a path the model cannot tell")))
                continue
            if hazard is not None and key not in seen:
                seen.add(key)
                # (The later broadcast rewrites the scratch with identical bytes: a race all the same
                # under the vendor's rule, of its own category.)
                races.append(Race(fn, hazard, _same_rebroadcast(analysis, cfg, hazard), chains.chain(c, p, back_p)))
    if analysis.ctx.exhausted():
        # (Spent while this function was read: its answers may lack what earlier ones had.)
        unknowns.append(Event(EventKind.UNKNOWN, why=f"not analysed: {analysis.ctx.exhausted()}"))
    located = [u for u in unknowns if u.stmt is not None]
    if unknowns:
        first = min(located, key=lambda u: u.stmt.span.start if u.stmt is not None else 0) \
            if located else unknowns[0]
        unverified.append(Unverified(fn, first))


class _ChainsInWay:
    """Which flag chain through two or more other pipes alone orders a race of one function
    (Race.flag_chain): the walk back from the later op that credits any linked chain
    (ops_in_flight's ``credit_chains``, the walk `check` made before it followed the vendor's rule)
    does not reach the earlier op, and a chain it cut a path at lies after the earlier op (the
    direct walk back from the chain's first set_flag reaches it). Asked only of a race, and only in
    a function with a link between two pipes neither of which is V (every such chain has one)."""

    def __init__(self, analysis: BarrierAnalysis, cfg: FunctionCFG) -> None:
        self.analysis = analysis
        self.cfg = cfg
        self._middle: bool | None = None
        self._walks: dict[int, tuple[set[tuple[int, bool]], WalkTrail] | None] = {}
        self._behind: dict[int, set[int]] = {}

    def chain(self, c: Event, p: Event, back_p: bool) -> tuple[FlagLink, ...] | None:
        if self._middle is None:
            self._middle = any(e.kind in (EventKind.FLAG_SET, EventKind.FLAG_WAIT) and e.flag is not None
                               and V_PIPE not in e.flag.pipes() for e in self.cfg.events)
        if not self._middle:
            return None
        if id(c) not in self._walks:
            trail = WalkTrail()
            ops, _ = self.analysis.ops_in_flight(self.cfg, c, backward=True, credit_chains=True, trail=trail)
            # (A walk that stopped at its bound may have left the earlier op unreached: no claim.)
            bounded = any(e.kind is EventKind.UNKNOWN and e.tag == WINDOW_BOUND for e, _ in ops)
            self._walks[id(c)] = None if bounded else ({(id(e), back) for e, back in ops}, trail)
        walk = self._walks[id(c)]
        if walk is None or (id(p), back_p) in walk[0]:
            return None
        for cut in walk[1].cuts:
            found = chain_along(walk[1].path_to(cut))
            if found is None or other_pipes(found) < 2:
                continue
            first = found[0].set_event
            if id(first) not in self._behind:
                behind, _ = self.analysis.ops_in_flight(self.cfg, first, backward=True)
                self._behind[id(first)] = {id(e) for e, _ in behind}
            if id(p) in self._behind[id(first)]:
                return found
        return None


def _isolated_call(analysis: BarrierAnalysis, cfg: FunctionCFG, event: Event) -> bool:
    """``event`` calls a function of the file that issues vector work, and nothing of the caller can
    race with it: no op or unknown event of the caller is reachable from the call without a drain,
    backward or forward, the walks end at clean boundaries (an entry function's), and the call is
    in no loop (its tail would meet its own head). The callee's own races are checked in the callee,
    whose walks take its boundaries as the call sites leave them: here, nothing in flight."""
    if not any(call is event for call in cfg.local_calls):
        return False
    callee = analysis.ctx.local_function(event.callee) if event.callee else None
    if callee is None or callee is cfg.fn or analysis.cfg(callee).unstructured:
        return False
    # (Flags order only where their sets and waits provably alternate: the lenient trust the race
    # search gives them may hide work in flight.)
    before, hit_entry = analysis.ops_in_flight(cfg, event, backward=True, proven_only=True)
    after, hit_exit = analysis.ops_in_flight(cfg, event, backward=False, proven_only=True)
    # A boundary of the caller that is not clean (simpler's `extern "C" kernel_entry`, no
    # `__global__`), reached from the call with nothing of the caller between, holds only work of
    # another file, which `check` judges for no function: the same ops written in the caller
    # itself are verified. Only a callee analysed as clean while the caller is not (a kernel
    # entry called as a function) counts on the caller's boundary. (`run`'s proof reads
    # boundaries on its own: BarrierAnalysis.entry_clean.)
    if before or after or (hit_entry and not analysis.entry_clean(cfg.fn) and analysis.entry_clean(callee)) \
            or (hit_exit and not analysis.exit_clean(cfg.fn) and analysis.exit_clean(callee)):
        return False
    seen: set[int] = set()
    stack = [nxt for nxt, _ in event.succ]
    while stack:
        current = stack.pop()
        if current is event:
            return False      # a loop runs the call again while its work may be in flight
        if id(current) not in seen:
            seen.add(id(current))
            stack.extend(nxt for nxt, _ in current.succ)
    return True


# Statements between the two row-expands that write no UB byte (or only drain / wait).
_NO_UB_WRITE = (Kind.NOP, Kind.SET_FLAG, Kind.WAIT_FLAG, Kind.BARRIER, Kind.DRAIN_ALL)


def _same_rebroadcast(analysis: BarrierAnalysis, cfg: FunctionCFG, hazard: Hazard) -> bool:
    """The scratch WAR of row-expand R1 (reading its broadcast) with the vbrcb of a later
    row-expand R2 writes the same bytes R1 reads (docs/reference/pto-facts.md §2.4; a race of its
    own category, msSanitizer flags it): one statement list, R1 before R2, the scratch the only conflict between the two
    phases, one broadcast chunk each (row i of the scratch holds element i of the per-row
    operand), the same per-row tile (address, shape, layout, dtype) with dst of that dtype in
    both, and nothing that may write the per-row bytes from R1's broadcast to R2's: not R1
    itself, no statement in between (each one understood), no V op still in flight at R1's
    broadcast. Anything else is an overlap race."""
    p, c = hazard.earlier, hazard.later
    ea, la = hazard.earlier_access, hazard.later_access
    if hazard.via_back_edge or hazard.kind != "WAR" or ea is None or la is None \
            or ea.name != SCRATCH_ACCESS_NAME or la.name != SCRATCH_ACCESS_NAME:
        return False
    if p.stmt is None or c.stmt is None or p.stmt is c.stmt or not c.op.endswith(".vbrcb"):
        return False
    first, second = cfg.stmt_events.get(id(p.stmt), []), cfg.stmt_events.get(id(c.stmt), [])
    if len(first) != 3 or first[2] is not p or len(second) != 3 or second[0] is not c \
            or not first[0].op.endswith(".vbrcb"):
        return False
    for a in p.accesses:
        for b in c.accesses:
            if (a.write or b.write) and a.overlaps(b) and not (a.name == b.name == SCRATCH_ACCESS_NAME):
                return False
    src1, src2 = _broadcast_source(cfg, p.stmt), _broadcast_source(cfg, c.stmt)
    if src1 is None or src1 != src2:
        return False
    source = Access("per-row", False, UB_SPACE, [(src1[0], src1[0] + src1[5])])
    if any(a.write and a.overlaps(source) for a in p.accesses):
        return False      # R1 writes its own per-row operand
    pos1, pos2 = cfg.position.get(id(p.stmt)), cfg.position.get(id(c.stmt))
    if pos1 is None or pos2 is None or pos1[0] is not pos2[0] or pos1[1] >= pos2[1]:
        return False
    if not all(_keeps(cfg, stmt, source) for stmt in pos1[0][pos1[1] + 1:pos2[1]]):
        return False
    # Vector work of a caller is not looked at, as for every race check reports (races that must
    # exist in this function); the barrier proof, which must be sound, does not use this rule.
    in_flight, _ = analysis.ops_in_flight(cfg, first[0], backward=True)
    return not any(e.kind is EventKind.UNKNOWN or any(a.write and a.overlaps(source) for a in e.accesses)
                   for e, _back in in_flight)


def _broadcast_source(cfg: FunctionCFG, stmt: Stmt) -> tuple | None:
    """(address, rows, cols, dtype, layout, bytes) of the per-row tile a one-chunk vbrcb reads,
    None unless dst has its dtype, at most one chunk of rows and no more rows than the per-row
    tile (every broadcast row comes from inside it), and one known address."""
    info = cfg.sem.info.get(id(stmt))
    if info is None or info.kind is not Kind.VECTOR_OP or len(info.args) != 3:
        return None
    dst, a, b = (cfg.tile_operand(x, info.env) for x in info.args)
    if dst is None or a is None or b is None or dst.tile is None or a.tile is None or b.tile is None:
        return None
    full = (dst.tile.rows, dst.tile.cols)
    row = b if (a.tile.rows, a.tile.cols) == full and (b.tile.rows, b.tile.cols) != full else \
        a if (b.tile.rows, b.tile.cols) == full and (a.tile.rows, a.tile.cols) != full else None
    if row is None or row.tile is None:
        return None
    # pto-isa picks the per-row operand by valid shapes at run time (the one whose valid shape is
    # not dst's, TRowExpandBinOp.hpp): the static shapes' choice holds only where they agree.
    other = a if row is b else b
    if cfg.values.same_valid_shape(other, dst) is not True or cfg.values.same_valid_shape(row, dst) is not False:
        return None
    tt, dt = row.tile, dst.tile
    addrs = cfg.values.tile_addresses(row)
    if addrs is None or len(addrs) != 1 or tt.space != UB_SPACE or tt.nbytes is None or tt.dtype != dt.dtype \
            or not bytes_known(tt.space, min(addrs), min(addrs) + tt.nbytes) \
            or dt.rows is None or tt.rows is None or dt.rows > min(ROW_EXPAND_CHUNK_ROWS, tt.rows) \
            or (dt.valid_row is not None and dt.valid_row > dt.rows):
        return None
    return (next(iter(addrs)), tt.rows, tt.cols, tt.dtype, tt.blayout, tt.nbytes)


def _keeps(cfg: FunctionCFG, stmt: Stmt, source: Access) -> bool:
    """``stmt`` provably writes none of ``source``'s bytes, on any pipe."""
    if isinstance(stmt, (Comment, Directive)):
        return True
    if not isinstance(stmt, SimpleStmt):
        return False
    info = cfg.sem.info.get(id(stmt))
    if info is None or info.local_calls:
        return False
    if "SetValue" in stmt.text:
        return False      # a scalar store into a tile (the model takes it as harmless to PIPE_V)
    if info.kind in _NO_UB_WRITE:
        return True
    if info.kind is not Kind.VECTOR_OP:
        return False
    events = cfg.stmt_events.get(id(stmt), [])
    if events:
        return all(e.kind in (EventKind.OP, EventKind.DRAIN) and
                   all(not a.write or (a.intervals is not None and a.space is not None and not a.overlaps(source))
                       for a in e.accesses) for e in events)
    if info.op == "TSTORE":
        return True       # writes GM only
    if info.op == "TLOAD" and info.args:
        tile = cfg.tile_operand(info.args[0], info.env)
        if tile is None:
            return False
        dst = cfg.tile_access(tile, True, False)
        return dst.intervals is not None and dst.space is not None and not dst.overlaps(source)
    return False


def _proven(hazard: Hazard) -> bool:
    """A race is reported only when both sides' bytes are known (else the region is unverified)."""
    return all(a is not None and a.intervals is not None and a.space is not None
               for a in (hazard.earlier_access, hazard.later_access))


def _certain(cfg: FunctionCFG, event: Event, access: Access | None) -> bool:
    """The access surely happens: the hidden scratch is certain only for a row-expand whose
    broadcast path is known (its statement has a ``.vbrcb`` phase); integer TCVT/TEXTRACT and a
    row-expand whose path cannot be told only *may* use it."""
    if access is None or access.name != SCRATCH_ACCESS_NAME or event.stmt is None:
        return True
    return any(e.op.endswith(".vbrcb") for e in cfg.stmt_events.get(id(event.stmt), []))


def overlap(race: Race) -> list[tuple[int, int]]:
    """The conflicting bytes: the intersection of the two accesses' intervals."""
    a, b = race.hazard.earlier_access, race.hazard.later_access
    if a is None or b is None or a.intervals is None or b.intervals is None:
        return []
    out = sorted({(max(x, u), min(y, v)) for x, y in a.intervals for u, v in b.intervals if x < v and u < y})
    return out


def path_text(race: Race, analysis: BarrierAnalysis | None = None) -> str:
    """How the two ops meet: around the loop, in one statement list, or along some path."""
    straight = False
    if not race.hazard.via_back_edge and analysis is not None:
        cfg = analysis.cfg(race.fn)
        pos_p = cfg.position.get(id(race.earlier.stmt))
        pos_c = cfg.position.get(id(race.later.stmt))
        straight = bool(pos_p and pos_c and pos_p[0] is pos_c[0]
                        and not any(isinstance(stmt, LabelStmt) for stmt in pos_c[0][pos_p[1]:pos_c[1]]))
    return hazard_words.path_words(race.hazard.via_back_edge, straight)


def describe(race: Race, source: SourceText, analysis: BarrierAnalysis | None = None) -> tuple[str, str]:
    """(warning at the later op, note at the earlier one), GCC style, in cpp/hazard_words.py's words."""
    h = race.hazard
    earlier = h.earlier

    def where(event: Event) -> str:
        if event.stmt is None:
            return source.path
        line, column = source.line_col(event.stmt.span.start)
        return Place(source.path, line, column)

    line = source.line_col(earlier.stmt.span.start)[0] if earlier.stmt is not None else 0
    return hazard_words.race_lines(h.describe(source), overlap(race), path_text(race, analysis), where(h.later),
                                   where(earlier), line, race.same_rebroadcast, flag_chain(race, source))


def flag_chain(race: Race, source: SourceText) -> list[dict] | None:
    """The flag chain that alone orders a MULTI_PIPE_CHAIN race, as data: each link's ``from`` and
    ``to`` pipes and the lines of its ``set_flag`` and ``wait_flag`` (the JSON race's
    ``flag_chain``, which the note and the page word: hazard_words.flag_chain_words); None for any
    other race."""
    if not race.flag_chain:
        return None

    def line(event: Event) -> int:
        return source.line_col(event.stmt.span.start)[0] if event.stmt is not None else 0
    return [{"from": link.src, "to": link.dst, "set_line": line(link.set_event), "wait_line": line(link.wait_event)}
            for link in race.flag_chain]


def _inserted_marker(kind: str) -> str:
    """How comment() starts for a race of ``kind``: what inserted_barrier_at() finds."""
    return f"/* ptofix: {kind} on "


def inserted_barrier_at(text: str) -> int:
    """Where ``text`` holds the first barrier pipe-v-barrier-insert put there (its comment()), or -1."""
    found = [pos for kind in ("RAW", "WAR", "WAW") if (pos := text.find(_inserted_marker(kind))) != -1]
    return min(found, default=-1)


def comment(race: Race, source: SourceText) -> str:
    """The comment in front of an inserted barrier: ``/* ptofix: <kind> on <operand> with input line N */``."""
    h = race.hazard
    access = h.later_access or h.earlier_access
    operand = access.name if access is not None else "UB"
    line = source.line_col(h.earlier.stmt.span.start)[0] if h.earlier.stmt is not None else 0
    return f"{_inserted_marker(h.kind)}{operand} with input line {line} */"


def to_json(race: Race, source: SourceText, analysis: BarrierAnalysis | None = None) -> dict:
    warning, note = describe(race, source, analysis)
    out = race.hazard.describe(source)
    out.update({"bytes": [list(iv) for iv in overlap(race)], "path": path_text(race, analysis),
                "category": race.category, "warning": warning, "note": note})
    chain = flag_chain(race, source)
    if chain is not None:
        out["flag_chain"] = chain
    return out


def barrier_positions(races: list[Race], analysis: BarrierAnalysis) -> list[tuple[Stmt, list[Race]]]:
    """The fewest statements to put a barrier in front of so that every race is separated.

    A race is an interval of the statement list that holds its later op: a barrier in front of any
    statement after the earlier op's place in that list and up to the later op separates it. The
    earlier op's place is its own statement or the statement of that list it is nested in; when it
    lies outside the list, every path enters the list at its start, or at the last case label
    before the later op. A race around a loop back-edge may take both ways (_entered_around).
    Intervals are stabbed greedily by their right end, which is optimal per list. A race whose
    later op has no place in a list gets a barrier right before that op, which every path to it
    passes.
    """
    chosen: dict[int, tuple[Stmt, list[Race]]] = {}
    stmt_fn: dict[int, Function] = {}
    intervals = []
    for race in races:
        cfg = analysis.cfg(race.fn)
        pos_c = cfg.position.get(id(race.later.stmt))
        left = None
        if pos_c is not None and race.hazard.via_back_edge:
            left = _entered_around(race.earlier.stmt, cfg, pos_c)
        elif pos_c is not None and race.earlier.stmt is not None:
            left = _entered_after(race.earlier.stmt, cfg.position.get(id(race.earlier.stmt)), pos_c)
        if left is not None and pos_c is not None:
            intervals.append((pos_c[1], left, pos_c[0], race))
        else:
            stmt = race.later.stmt
            assert stmt is not None
            chosen.setdefault(id(stmt), (stmt, []))[1].append(race)
            stmt_fn[id(stmt)] = race.fn
    intervals.sort(key=lambda item: (id(item[2]), item[0]))
    placed: dict[int, list[int]] = {}
    for stmt, _covered in list(chosen.values()):
        # A barrier already placed for a race across lists stabs the same-list intervals it lies in.
        pos = analysis.cfg(stmt_fn[id(stmt)]).position.get(id(stmt))
        if pos is not None:
            placed.setdefault(id(pos[0]), []).append(pos[1])
    for right, left, stmts, race in intervals:
        marks = placed.setdefault(id(stmts), [])
        if any(left < m <= right for m in marks):
            hit = next(m for m in marks if left < m <= right)
            chosen[id(stmts[hit])][1].append(race)
            continue
        marks.append(right)
        stmt = stmts[right]
        chosen.setdefault(id(stmt), (stmt, []))[1].append(race)
    return sorted(chosen.values(), key=lambda item: item[0].span.start)


def _entered_after(earlier: Stmt, pos_p: tuple | None, pos_c: tuple) -> int | None:
    """The index in the later op's statement list after which a barrier separates the two ops
    (None: no such place in the list). The earlier op's own index when it is in the list; the
    index of the list's statement it is nested in (spans nest exactly); when it lies outside the
    list, the last case label before the later op, or -1 (the list's start)."""
    stmts, right = pos_c
    if pos_p is not None and pos_p[0] is stmts:
        return max(pos_p[1], _entered_from_outside(pos_c)) if pos_p[1] < right else None
    start = earlier.span.start
    for index, stmt in enumerate(stmts):
        if stmt.span.start <= start < stmt.span.end:
            # (A goto from after the earlier op may enter the list at a label between them.)
            return max(index, _entered_from_outside(pos_c)) if index < right else None
    return _entered_from_outside(pos_c)


def _entered_around(earlier: Stmt | None, cfg: FunctionCFG, pos_c: tuple) -> int:
    """The index after which a barrier separates a race around a loop back-edge. Its paths may
    enter the later op's list from outside, as an enclosing loop's back-edge leads to the list's
    start (or last case label); and, when the earlier op sits in a statement of the list before the
    later op (an inner loop it repeats in), from that statement. A barrier must be past both."""
    outside = _entered_from_outside(pos_c)
    inside = None if earlier is None else _entered_after(earlier, cfg.position.get(id(earlier)), pos_c)
    return outside if inside is None else max(inside, outside)


def _entered_from_outside(pos_c: tuple) -> int:
    """Where a path from outside the later op's statement list enters it before the op: the last
    case label or goto label before the op, or -1 (the list's start)."""
    stmts, right = pos_c
    labels = [index for index in range(right) if isinstance(stmts[index], (CaseLabel, LabelStmt))]
    return labels[-1] if labels else -1


def _hidden_by_flags(analysis: BarrierAnalysis, cfg: FunctionCFG, c: Event, before: list) -> list[Event]:
    """Races the lenient flags may hide: conflicts with ``c`` found when only flags whose sets and
    waits provably alternate order (a set still pending makes a wait drain nothing), as the proof
    trusts them, but not when every flag pair is trusted: an op only the stricter walk back from
    ``c`` reaches, or a conflict only a flag-ordered rewrite by another pipe excused. One note
    naming the first; none when the flags in the way are proven."""
    reached = {(id(p), back) for p, back in before}
    proven, _ = analysis.ops_in_flight(cfg, c, backward=True, proven_only=True)
    for p, back_p in proven:
        if p.kind is EventKind.UNKNOWN and p.tag == WINDOW_BOUND:
            return [p]      # the stricter walk stopped at its bound: what lies past it is unchecked
        if p.kind is not EventKind.OP:
            continue
        back = back_p or c.order <= p.order
        if p.stmt is not None and p.stmt is c.stmt and not back:
            continue
        hazard, _ = analysis.pair_hazard(p, c, back, cfg, proven_only=True)
        if hazard is None:
            continue
        if (id(p), back_p) in reached and analysis.pair_hazard(p, c, back, cfg)[0] is not None:
            continue      # a conflict the lenient walk sees too: reported (or noted) there
        return [Event(EventKind.UNKNOWN, stmt=c.stmt, order=c.order, why=(
            f"{c.op} and {p.op} (line {_line(analysis, p)}) conflict in UB and are ordered only by a flag "
            "whose sets and waits are not proven to alternate (a set still pending would make its wait "
            "drain nothing)"))]
    return []


def _line(analysis: BarrierAnalysis, event: Event) -> int:
    return analysis.model.source.line_col(event.stmt.span.start)[0] if event.stmt is not None else 0
