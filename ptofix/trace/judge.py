"""The vendor's A2/A3 rule on a recorded vector stream, written apart from ptofix's static proof
(nothing of ptofix/cpp/barriers.py or races.py: a second opinion must not reuse the rule it judges).

Two vector instructions whose byte footprints overlap with at least one write (RAW, WAR, WAW) race
unless, between them in issue order,

- a ``pipe_barrier(PIPE_V)`` or ``pipe_barrier(PIPE_ALL)`` lies, or
- a flag round trip orders them: ``set_flag(PIPE_V, X, e)`` after the first, the
  ``wait_flag(PIPE_V, X, e)`` that consumes it (on X), a ``set_flag(X, PIPE_V, f)`` issued after
  that wait, and the ``wait_flag(X, PIPE_V, f)`` that consumes it before the second.

No window of 16 instructions (msSanitizer's single-pipe check skips pairs more than 16 apart, Ascend/
mssanitizer csrc/race_sanitizer/alg_framework/mem_event_checker.cpp IsSinglePipeRaceEvent; the pipe
queue bounds nothing a barrier does not) and no credit for a chain of same-access instructions.
A wait consumes the oldest set of its (source, destination, event) not yet consumed; a wait that
consumes none orders nothing.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from ..pto.pipe_codes import PIPE_ALL, PIPE_V
from .footprint import LISTS, NOT_VECTOR, Access, CannotJudge, MaskState, decode
from .record import Call
from .select import SELECT, SelectState

INF = 1 << 62


@dataclass(frozen=True)
class Instruction:
    position: int            # index in the recorded stream
    name: str
    site: int
    accesses: tuple[Access, ...]
    hull: tuple[int, int] = (0, 0)     # [lowest, highest) byte any access touches

    @staticmethod
    def of(position: int, name: str, site: int, accesses: tuple[Access, ...]) -> Instruction:
        ranges = [r for access in accesses for r in access.ranges]
        hull = (min(lo for lo, _ in ranges), max(hi for _, hi in ranges)) if ranges else (0, 0)
        return Instruction(position, name, site, accesses, hull)


@dataclass(frozen=True)
class TraceRace:
    kind: str                # RAW, WAR or WAW
    earlier: Instruction
    later: Instruction
    overlap: tuple[int, int]     # [lo, hi) UB bytes both touch (the first conflicting range's hull)
    across: bool = False         # on two pipes (an MTE copy's, cross_pipe.py), not the vector pipe alone


@dataclass
class Judgement:
    instructions: list[Instruction]
    races: list[TraceRace]
    barriers: list[tuple[int, int]]      # (position, site) of each pipe_barrier(PIPE_V/PIPE_ALL)
    cannot_judge: tuple[int, str] | None  # (site, why): the first intrinsic not decoded
    copies: list[Instruction] = field(default_factory=list)   # the MTE copies to and from UB (cross_pipe.py)
    scalars: list[Instruction] = field(default_factory=list)  # the scalar unit's sized accesses (cross_pipe.py)


def decode_stream(calls: list[Call]) -> tuple[list[Instruction], list[tuple[int, int]], tuple[int, str] | None]:
    state = MaskState()
    select = SelectState()
    element = 0
    lists: tuple[int, ...] = ()
    out: list[Instruction] = []
    barriers: list[tuple[int, int]] = []
    for position, call in enumerate(calls):
        name, args = call.name, call.args
        if name == "set_vector_mask" and len(args) >= 2:
            state.high, state.low, state.known = args[0], args[1], True
        elif name == "set_mask_count":
            state.count_mode = True
        elif name == "set_mask_norm":
            state.count_mode = False
        elif name == "pipe_barrier" and args and args[0] in (PIPE_V, PIPE_ALL):
            barriers.append((position, call.site))
        elif name == "ptofix_element" and args:
            element = args[0]
            continue
        elif name == LISTS:
            lists = args
            continue
        if name == "vmrgsort4":
            # (Its list addresses, recorded just before it: trace_shim.hpp item 1b.)
            args, lists = args[:4] + lists, ()
        if name in NOT_VECTOR:
            select.observe_other(name, args)
            continue
        try:
            # (set_cmpmask and vsel: one instruction, or a vsel's CMPMASK load then the vsel.)
            decoded = select.decode(name, args, state, element) if name in SELECT else [
                (name, decode(name, args, state, element))]
            select.observe(name, args, state, element, [each for _, accesses in decoded for each in accesses])
        except CannotJudge as why:
            return out, barriers, (call.site, str(why))
        element = 0
        for each_name, accesses in decoded:
            out.append(Instruction.of(position, each_name, call.site, tuple(accesses)))
    return out, barriers, None


def flag_orders(calls: list[Call]) -> list[int]:
    """For each stream position p, the earliest position q such that every vector instruction
    after q is ordered after whatever vector instruction precedes a ``set_flag(PIPE_V, ...)`` at or
    after p by a flag round trip (INF when none); indexed by position."""
    pending: dict[tuple[int, int, int], list[int]] = {}
    consumed_by: dict[int, int] = {}           # set position -> the wait position that consumed it
    for position, call in enumerate(calls):
        if call.name not in ("set_flag", "wait_flag") or len(call.args) < 3:
            continue
        key = (call.args[0], call.args[1], call.args[2])
        if call.name == "set_flag":
            pending.setdefault(key, []).append(position)
        elif pending.get(key):
            consumed_by[pending[key].pop(0)] = position
    # back[X]: positions of set_flag(X, V, *) with the wait that consumed them, for "the earliest
    # consuming wait of a set issued after position w".
    back: dict[int, list[tuple[int, int]]] = {}
    for position, call in enumerate(calls):
        if call.name == "set_flag" and len(call.args) >= 3 and call.args[1] == PIPE_V and call.args[0] != PIPE_V:
            back.setdefault(call.args[0], []).append((position, consumed_by.get(position, INF)))
    suffix_min: dict[int, tuple[list[int], list[int]]] = {}
    for pipe, items in back.items():
        positions = [p for p, _ in items]
        mins = [INF] * (len(items) + 1)
        for index in range(len(items) - 1, -1, -1):
            mins[index] = min(items[index][1], mins[index + 1])
        suffix_min[pipe] = (positions, mins)
    bound = [INF] * (len(calls) + 1)
    for position in range(len(calls) - 1, -1, -1):
        best = bound[position + 1]
        call = calls[position]
        if call.name == "set_flag" and len(call.args) >= 3 and call.args[0] == PIPE_V and call.args[1] != PIPE_V:
            wait = consumed_by.get(position)
            if wait is not None and call.args[1] in suffix_min:
                positions, mins = suffix_min[call.args[1]]
                best = min(best, mins[bisect_right(positions, wait)])
        bound[position] = best
    return bound


def overlap(earlier: Instruction, later: Instruction) -> tuple[str, tuple[int, int]] | None:
    found: tuple[str, tuple[int, int]] | None = None
    rank = {"RAW": 0, "WAR": 1, "WAW": 2}
    for a in earlier.accesses:
        for b in later.accesses:
            if not (a.write or b.write):
                continue
            kind = "WAW" if a.write and b.write else ("RAW" if a.write else "WAR")
            hit = _first_overlap(a.ranges, b.ranges)
            if hit is not None and (found is None or rank[kind] < rank[found[0]]):
                found = (kind, hit)
    return found


def _first_overlap(left: tuple[tuple[int, int], ...], right: tuple[tuple[int, int], ...]) -> tuple[int, int] | None:
    lo_all = hi_all = None
    i = j = 0
    while i < len(left) and j < len(right):
        lo = max(left[i][0], right[j][0])
        hi = min(left[i][1], right[j][1])
        if lo < hi:
            lo_all = lo if lo_all is None else min(lo_all, lo)
            hi_all = hi if hi_all is None else max(hi_all, hi)
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return None if lo_all is None or hi_all is None else (lo_all, hi_all)


def judge(calls: list[Call]) -> Judgement:
    instructions, barriers, cannot = decode_stream(calls)
    if cannot is not None:
        return Judgement(instructions, [], barriers, cannot)
    flag_bound = flag_orders(calls)
    barrier_positions = [p for p, _site in barriers]
    races: list[TraceRace] = []
    active: list[tuple[int, Instruction]] = []     # (position after which it is ordered, instruction)
    for instruction in instructions:
        position = instruction.position
        active = [(until, earlier) for until, earlier in active if until > position]
        lo, hi = instruction.hull
        for _until, earlier in active:
            if earlier.hull[1] <= lo or hi <= earlier.hull[0]:
                continue
            found = overlap(earlier, instruction)
            if found is not None:
                races.append(TraceRace(found[0], earlier, instruction, found[1]))
        after = bisect_right(barrier_positions, position)
        next_barrier = barrier_positions[after] if after < len(barrier_positions) else INF
        active.append((min(next_barrier, flag_bound[position + 1]), instruction))
    return Judgement(instructions, races, barriers, None)
