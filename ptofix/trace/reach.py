"""The barriers a recorded run shows separating no conflicting pair (the static proof's reach gap,
measured on what runs): a kernel-level ``pipe_barrier(PIPE_V)`` whose every instance in the run can
be left out without the vendor's rule finding a race the run did not have."""
from __future__ import annotations

from dataclasses import replace

from .judge import PIPE_V, judge
from .record import Recording


def kernel_barrier_sites(recording: Recording) -> list[int]:
    """The call sites of the kernel's own ``pipe_barrier(PIPE_V)`` that the run issued, in order."""
    sites: list[int] = []
    for call in recording.calls:
        if call.name == "pipe_barrier" and call.args and call.args[0] == PIPE_V and 0 <= call.site < len(
                recording.sites) and recording.sites[call.site].name == "pipe_barrier" and call.site not in sites:
            sites.append(call.site)
    return sites


def unneeded_barriers(recording: Recording) -> list[int]:
    """The kernel barrier sites (as ``kernel_barrier_sites``) whose removal alone adds no trace race."""
    base = judge(recording.calls)
    if base.cannot_judge is not None:
        return []
    before = {(r.kind, r.earlier.position, r.later.position) for r in base.races}
    out = []
    for site in kernel_barrier_sites(recording):
        # Replace the barrier by a no-op of the same position (positions stay comparable).
        calls = [replace(call, name="ptofix_removed") if call.name == "pipe_barrier" and call.site == site
                 and recording.sites[site].name == "pipe_barrier" else call for call in recording.calls]
        after = judge(calls)
        if {(r.kind, r.earlier.position, r.later.position) for r in after.races} <= before:
            out.append(site)
    return out
