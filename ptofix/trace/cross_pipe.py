"""The vendor's rule across pipes on a recorded stream: the vector pipe's instructions against the
MTE copies between GM and UB (MTE2 loads, MTE3 stores), and the loads against the stores.

Two accesses on different pipes whose UB bytes overlap with at least one write (RAW, WAR, WAW) race
unless one happens before the other (Ascend/mssanitizer csrc/race_sanitizer/alg_framework/
race_alg_impl.cpp and mem_event_checker.cpp IsInnerCoreRaceEvent, with the vector clocks of
vector_clock.h), which here is:

- every pipe runs what it is issued in issue order, and the scalar unit issues everything: an
  instruction starts after whatever the scalar unit waited for before issuing it (a
  ``wait_flag(X, PIPE_S, e)``);
- ``set_flag(P, Q, e)`` fires once everything issued to P before it is done; the
  ``wait_flag(P, Q, e)`` that consumes it holds pipe Q (everything issued to Q after the wait starts
  after the set). A wait consumes the oldest set of its (source, destination, event) not yet
  consumed; a wait that consumes none orders nothing;
- ``pipe_barrier(PIPE_ALL)`` orders everything before it before everything after it;
  ``pipe_barrier`` of one pipe orders nothing across pipes.

The scalar unit's own loads and stores of UB (a tile's GetValue/SetValue, TCI, a store through a
``__ubuf__`` pointer; record.py records each with its address and size) are judged as msSanitizer
judges them (csrc/core/framework/record_parse.cpp ParseScalarOpRecord, ReplacePipeScalar): on a
pipe of their own, PIPE_S_CAL, issued by the scalar unit as everything is; a ``set_flag(PIPE_S, Q,
e)`` fires once the loads and stores issued before it are done (its source is PIPE_S_CAL), and a
``wait_flag(P, PIPE_S, e)`` holds the scalar unit, so the loads and stores issued after it start
after the set. A vector write then a scalar read of its bytes with no ``set_flag(PIPE_V, PIPE_S)``
/ ``wait_flag`` between (or a scalar write then a vector read with no PIPE_S -> PIPE_V pair) race.
An access whose size the run did not learn is not judged (check.py lists it).

Written apart from the static proof (as judge.py) and from the vector rule: pairs on the vector pipe
alone are judge.py's. What a copy touches is footprint.py's ``decode_copy``.
"""
from __future__ import annotations

from ..pto.pipe_codes import PIPE_ALL, PIPE_MTE2, PIPE_MTE3, PIPE_S, PIPE_V
from .footprint import UB_BIAS, Access, CannotJudge, decode_copy
from .judge import Instruction, Judgement, TraceRace, judge, overlap
from .record import SCALAR_ACCESS, Call

# The scalar unit's loads and stores (msSanitizer's PIPE_S_CAL): a key of the clocks, no pipe_t value.
PIPE_S_CAL = 100
# The names of the scalar unit's accesses as judged instructions (what a race says they are).
SCALAR_READ = "scalar read"
SCALAR_WRITE = "scalar write"

Clock = dict[int, int]


def _join(into: Clock, other: Clock) -> None:
    for pipe, time in other.items():
        if into.get(pipe, 0) < time:
            into[pipe] = time


def copies_of(calls: list[Call]) -> tuple[list[Instruction], list[int]]:
    """Each MTE copy between GM and UB as an Instruction, and its pipe (MTE2 for a load, MTE3 for a
    store). Raises CannotJudge(site, why) for the first copy whose UB operand is no UB address."""
    copies: list[Instruction] = []
    pipes: list[int] = []
    for position, call in enumerate(calls):
        try:
            decoded = decode_copy(call.name, call.args)
        except CannotJudge as why:
            raise CannotJudge(call.site, str(why)) from None
        if decoded is not None:
            load, accesses = decoded
            copies.append(Instruction.of(position, call.name, call.site, tuple(accesses)))
            pipes.append(PIPE_MTE2 if load else PIPE_MTE3)
    return copies, pipes


def scalar_accesses(calls: list[Call]) -> list[Instruction]:
    """The scalar unit's loads and stores of UB whose size the run recorded (record.py: WRITE
    ADDRESS SIZE, the address biased), each an Instruction on PIPE_S_CAL."""
    out = []
    for position, call in enumerate(calls):
        if call.name == SCALAR_ACCESS and len(call.args) >= 3 and call.args[2] > 0:
            write, address, size = call.args[0], call.args[1] - UB_BIAS, call.args[2]
            out.append(Instruction.of(position, SCALAR_WRITE if write else SCALAR_READ, call.site,
                                      (Access(((address, address + size),), bool(write)),)))
    return out


def start_clocks(calls: list[Call], pipe_at: dict[int, int]) -> dict[int, tuple[int, Clock]]:
    """For each judged instruction (``pipe_at``: its stream position -> its pipe), its time on its
    own pipe and its pipe's clock when it starts (what happened before it), by stream position."""
    clocks: dict[int, Clock] = {}
    pending: dict[tuple[int, int, int], list[Clock]] = {}
    out: dict[int, tuple[int, Clock]] = {}

    def issue(pipe: int) -> Clock:
        """The scalar unit issues one thing to ``pipe``: it starts after what the scalar unit waited for."""
        own = clocks.setdefault(pipe, {})
        if pipe != PIPE_S:
            _join(own, clocks.setdefault(PIPE_S, {}))
        own[pipe] = own.get(pipe, 0) + 1
        return own

    for position, call in enumerate(calls):
        pipe = pipe_at.get(position)
        if pipe is not None:
            own = issue(pipe)
            out[position] = (own[pipe], dict(own))
        elif call.name == "set_flag" and len(call.args) >= 3:
            # (A set on PIPE_S fires after the scalar unit's loads and stores: msSanitizer's PIPE_S_CAL.)
            source = PIPE_S_CAL if call.args[0] == PIPE_S else call.args[0]
            pending.setdefault((call.args[0], call.args[1], call.args[2]), []).append(dict(issue(source)))
        elif call.name == "wait_flag" and len(call.args) >= 3:
            queue = pending.get((call.args[0], call.args[1], call.args[2]))
            own = issue(call.args[1])
            if queue:
                _join(own, queue.pop(0))
        elif call.name == "pipe_barrier" and call.args and call.args[0] == PIPE_ALL:
            every: Clock = {}
            for each in clocks.values():
                _join(every, each)
            for pipe_id in {*clocks, PIPE_S, PIPE_V, PIPE_MTE2, PIPE_MTE3, PIPE_S_CAL}:
                _join(clocks.setdefault(pipe_id, {}), every)
    return out


def cross_pipe_races(calls: list[Call], vector: list[Instruction]) -> tuple[
        list[Instruction], list[Instruction], list[TraceRace]]:
    """The copies of the stream, the scalar unit's sized accesses, and the races between two
    instructions on different pipes (one of them a copy or a scalar access) that nothing orders.
    Raises CannotJudge(site, why) as ``copies_of`` does."""
    copies, copy_pipes = copies_of(calls)
    scalars = scalar_accesses(calls)
    if not copies and not scalars:
        return copies, scalars, []
    pipe_at = {instruction.position: PIPE_V for instruction in vector}
    pipe_at.update({copy.position: pipe for copy, pipe in zip(copies, copy_pipes, strict=True)})
    pipe_at.update({access.position: PIPE_S_CAL for access in scalars})
    clocks = start_clocks(calls, pipe_at)
    judged = sorted([*vector, *copies, *scalars], key=lambda instruction: instruction.position)
    races: list[TraceRace] = []
    # Per pipe, (time on that pipe, instruction) of each instruction so far, in issue order: their
    # times rise, so the ones a later instruction of another pipe is not ordered after (a time past
    # what its start has seen of that pipe) are a suffix, read from the end.
    issued: dict[int, list[tuple[int, Instruction]]] = {PIPE_V: [], PIPE_MTE2: [], PIPE_MTE3: [], PIPE_S_CAL: []}
    for instruction in judged:
        pipe = pipe_at[instruction.position]
        time, start = clocks[instruction.position]
        lo, hi = instruction.hull
        for earlier_pipe, entries in issued.items():
            if earlier_pipe == pipe:      # (vector against vector is judge.py's; another pipe is in order)
                continue
            seen = start.get(earlier_pipe, 0)
            unordered = []
            for earlier_time, earlier in reversed(entries):
                if earlier_time <= seen:
                    break
                unordered.append(earlier)
            for earlier in reversed(unordered):
                if earlier.hull[1] <= lo or hi <= earlier.hull[0]:
                    continue
                found = overlap(earlier, instruction)
                if found is not None:
                    races.append(TraceRace(found[0], earlier, instruction, found[1], across=True))
        issued[pipe].append((time, instruction))
    return copies, scalars, races


def judge_streams(calls: list[Call]) -> Judgement:
    """judge.py's vector rule and this module's rule across pipes on one recorded stream."""
    judgement = judge(calls)
    if judgement.cannot_judge is not None:
        return judgement
    try:
        copies, scalars, races = cross_pipe_races(calls, judgement.instructions)
    except CannotJudge as why:
        site, text = why.args
        return Judgement(judgement.instructions, [], judgement.barriers, (site, text))
    merged = sorted([*judgement.races, *races], key=lambda race: (race.later.position, race.earlier.position)) \
        if races else judgement.races
    return Judgement(judgement.instructions, merged, judgement.barriers, None, copies, scalars)
