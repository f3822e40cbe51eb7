"""The barriers a recorded run shows separating no conflicting pair (the static proof's reach gap,
measured on what runs): a kernel-level ``pipe_barrier(PIPE_V)`` whose every instance in the run can
be left out without the vendor's rule finding a race the run did not have.

Leaving out every instance of one barrier site S opens exactly the conflicting pairs (i, j) that
only instances of S separate: no barrier of another site (the kernel's or one inside a PTO op)
lies between them, and no flag round trip orders them. So each maximal run of consecutive S
instances is checked against the vector instructions between the other barriers around it.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right

from ..pto.pipe_codes import PIPE_V
from .judge import INF, Instruction, decode_stream, flag_orders, overlap
from .record import Recording


def kernel_barrier_sites(recording: Recording) -> list[int]:
    """The call sites of the kernel's own ``pipe_barrier(PIPE_V)`` that the run issued, in order."""
    sites: list[int] = []
    for call in recording.calls:
        if call.name == "pipe_barrier" and call.args and call.args[0] == PIPE_V and _is_kernel_site(
                recording, call.site) and call.site not in sites:
            sites.append(call.site)
    return sites


def _is_kernel_site(recording: Recording, site: int) -> bool:
    return 0 <= site < len(recording.sites) and recording.sites[site].name == "pipe_barrier"


def unneeded_barriers(recording: Recording) -> list[int]:
    """The kernel barrier sites (as ``kernel_barrier_sites``) whose removal alone adds no trace race."""
    instructions, barriers, cannot = decode_stream(recording.calls)
    if cannot is not None:
        return []
    flag_bound = flag_orders(recording.calls)
    positions = [instruction.position for instruction in instructions]
    # Each barrier instance's owner: its kernel site, or -1 - index for a barrier inside an op or on
    # PIPE_ALL (never left out: its own "site").
    owners = [site if _is_kernel_site(recording, site) and recording.calls[p].args[0] == PIPE_V else -1 - index
              for index, (p, site) in enumerate(barriers)]
    needed: set[int] = set()
    index = 0
    while index < len(barriers):
        owner = owners[index]
        end = index
        while end + 1 < len(barriers) and owners[end + 1] == owner:
            end += 1
        if owner >= 0 and owner not in needed:
            left = barriers[index - 1][0] if index > 0 else -1
            right = barriers[end + 1][0] if end + 1 < len(barriers) else INF
            first, last = barriers[index][0], barriers[end][0]
            earlier = range(bisect_right(positions, left), bisect_left(positions, last))
            later_end = bisect_left(positions, right)
            if _opens_a_race(instructions, positions, earlier, first, later_end, flag_bound, barriers[index:end + 1]):
                needed.add(owner)
        index = end + 1
    return [site for site in kernel_barrier_sites(recording) if site not in needed]


def _opens_a_race(instructions: list[Instruction], positions: list[int], earlier: range, first: int, later_end: int,
                  flag_bound: list[int], run: list[tuple[int, int]]) -> bool:
    run_positions = [p for p, _site in run]
    for i in earlier:
        a = instructions[i]
        # the first run barrier after a: a later instruction must come after it
        after = run_positions[bisect_right(run_positions, a.position)] if bisect_right(
            run_positions, a.position) < len(run_positions) else INF
        if after == INF:
            continue
        start = bisect_right(positions, max(after, first))
        for j in range(start, later_end):
            b = instructions[j]
            if b.position > flag_bound[a.position + 1]:
                break
            if a.hull[1] <= b.hull[0] or b.hull[1] <= a.hull[0]:
                continue
            if overlap(a, b) is not None:
                return True
    return False
