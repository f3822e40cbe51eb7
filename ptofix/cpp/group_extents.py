"""Where a function body ends in every reading of its `#if` groups: the brace counts of a token
range taken over each section's groups (parser._parse_crossing_functions, _mark_certain_extents)."""
from __future__ import annotations

from bisect import bisect_left, bisect_right

from .tokens import MAX_NESTING, Tokens

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Final

    from ..source import Span


def _brace_profile(tokens: Tokens, start: int, stop: int, sections: list, where: dict[int, tuple[int, str]],
                   depth: int = 0) -> tuple[int, int] | None:
    """(the net brace count, the lowest running count) of tokens ``start`` .. ``stop`` - 1 in every
    reading of their `#if` sections (each section a unit: every group, and an absent `#else`, the
    same net count; None otherwise, or for a directive of a section that began before ``start``
    or ends past ``stop``)."""
    if depth > MAX_NESTING:
        return None
    kinds, marks, starts = tokens.kinds, tokens.marks, tokens.starts
    net = low = 0
    i = start
    while i < stop:
        kind = kinds[i]
        if kind == "o":
            net += {"{": 1, "}": -1}.get(marks[i], 0)
            low = min(low, net)
        elif kind == "p":
            found = where.get(starts[i])
            if found is not None:
                section, groups = sections[found[0]]
                if found[1] not in ("#if", "#ifdef", "#ifndef"):
                    return None           # (an #else or #endif of a section opened before start)
                end = bisect_left(starts, section.endif.start)
                if section.endif.end <= section.endif.start or end >= stop:
                    return None
                profiles = [_brace_profile(tokens, bisect_left(starts, group.body.start),
                                           bisect_left(starts, group.body.end), sections, where, depth + 1)
                            for group in groups]
                if groups[-1].keyword != "#else":
                    profiles.append((0, 0))
                if any(profile is None for profile in profiles) or len({p[0] for p in profiles if p}) != 1:
                    return None
                low = min(low, net + min(p[1] for p in profiles if p))
                net += profiles[0][0] if profiles[0] else 0
                i = end + 1
                continue
        i += 1
    return net, low


def certain_close(tokens: Tokens, brace: int, sections: list, where: dict[int, tuple[int, str]]) -> int:
    """The index of the `}` that closes the `{` at ``brace`` in every reading of the `#if` groups
    between them (_brace_profile: each section a unit), -1 when that is not so."""
    kinds, marks, starts = tokens.kinds, tokens.marks, tokens.starts
    depth = 1
    i = brace + 1
    while i < len(kinds):
        kind = kinds[i]
        if kind == "o" and marks[i] in "{}":
            depth += 1 if marks[i] == "{" else -1
            if depth == 0:
                return i
        elif kind == "p" and starts[i] in where:
            section, _ = sections[where[starts[i]][0]]
            if where[starts[i]][1] not in ("#if", "#ifdef", "#ifndef") or section.endif.end <= section.endif.start:
                return -1
            end = bisect_left(starts, section.endif.start)
            profile = _brace_profile(tokens, i, end + 1, sections, where)
            if profile is None or depth + profile[1] < 1:
                return -1
            depth += profile[0]
            i = end + 1
            continue
        i += 1
    return -1


def group_cuts_across(tokens: Tokens, groups: tuple, group_starts: list[int], span: Span) -> bool:
    """Whether a group of an `#if` section inside ``span`` leaves a bracket of any kind open or
    closes one it did not open (every token of it counted, its nested sections' all groups);
    ``group_starts``: the groups' directive offsets, in order (``groups`` are in file order)."""
    kinds, marks, starts = tokens.kinds, tokens.marks, tokens.starts
    for index in range(bisect_right(group_starts, span.start), bisect_left(group_starts, span.end)):
        group = groups[index]
        if group.body.end > span.end:
            continue
        depth = {"(": 0, "[": 0, "{": 0}
        for k in range(bisect_left(starts, group.body.start), bisect_left(starts, group.body.end)):
            if kinds[k] == "o" and marks[k] in "()[]{}":
                opening = _OPEN_OF.get(marks[k], marks[k])
                depth[opening] += 1 if marks[k] == opening else -1
                if depth[opening] < 0:
                    return True
        if any(depth.values()):
            return True
    return False


_OPEN_OF: Final = {")": "(", "]": "[", "}": "{"}
