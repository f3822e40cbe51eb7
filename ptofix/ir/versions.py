"""Named ptoas versions, ordered, with aliases (facts: docs/reference/pto-ir.md §0 "Sources and versions").

A *target* is the ``ptoas`` that will compile the canonicalized IR. Op specs
(:mod:`ptofix.ir.opspecs`) say from which of these versions an op, attribute or operand exists.

=========== ======================= ===========================================================
name        aliases                 what changed (docs/reference/pto-ir.md §0, §1)
=========== ======================= ===========================================================
2026-04-17  hw-head, v0.26          hw-native-sys HEAD: frontend pipe ops without ``id``,
                                    ``local_slot_num``, ``slot_num``, ``gm_slot_tensor``, talloc
v0.31       2026-04-24              ``id`` on frontend ops (fd6bd274), peer flag_base allocator
v0.35       2026-04-28              frontend ``local_slot_num`` (#569), ``gm_slot_tensor``,
                                    ``talloc_to_*``, ``declare_global``, ``talloc``;
                                    ``operandSegmentSizes`` on the init ops (23447a4d)
v0.36       2026-04-29, pr606       #606 global-tensor half-slot fix (same op surface as v0.35)
v0.45       2026-06-08              frontend ``slot_num`` (f82d8467), A5 ``local_slot_num`` check
newest      v0.60, 2026-08-21, main ``acc_push_epilogue``, ``aiv_subblockid``, split 3/4
=========== ======================= ===========================================================

``resolve("v0.40")`` or ``resolve("2026-05-01")`` map an unlisted version to the newest listed
version not after it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..source import PtofixError


@dataclass(frozen=True)
class Version:
    rank: int
    name: str
    date: str
    aliases: tuple[str, ...] = ()
    number: tuple[int, int] | None = None   # (0, 31) for v0.31
    note: str = ""

    def __str__(self) -> str:
        return self.name

    def __lt__(self, other: Version) -> bool:
        return self.rank < other.rank

    def __le__(self, other: Version) -> bool:
        return self.rank <= other.rank

    def __gt__(self, other: Version) -> bool:
        return self.rank > other.rank

    def __ge__(self, other: Version) -> bool:
        return self.rank >= other.rank


VERSIONS: tuple[Version, ...] = (
    Version(0, "2026-04-17", "2026-04-17", ("hw-head", "hw-native", "v0.26"), (0, 26),
            "id-less era (hw-native-sys/PTOAS HEAD)"),
    Version(1, "v0.31", "2026-04-24", ("2026-04-24",), (0, 31), "frontend id, peer flag_base allocator"),
    Version(2, "v0.35", "2026-04-28", ("2026-04-28",), (0, 35),
            "gm_slot_tensor, talloc_to_*, frontend local_slot_num, init operand segments"),
    Version(3, "v0.36", "2026-04-29", ("2026-04-29", "pr606"), (0, 36), "global-tensor half-slot fix (#606)"),
    Version(4, "v0.45", "2026-06-08", ("2026-06-08",), (0, 45), "frontend slot_num, A5 local_slot_num check"),
    Version(5, "newest", "2026-08-21", ("v0.60", "2026-08-21", "main", "head", "latest"), (0, 60),
            "acc_push_epilogue, aiv_subblockid, split 3/4"),
)

_BY_NAME = {}
for _v in VERSIONS:
    _BY_NAME[_v.name.lower()] = _v
    for _a in _v.aliases:
        _BY_NAME[_a.lower()] = _v

NEWEST = VERSIONS[-1]


def resolve(name: str | Version) -> Version:
    """Version by name or alias; unlisted ``vX.Y``/dates map to the newest listed one not after it."""
    if isinstance(name, Version):
        return name
    key = name.strip().lower()
    if key in _BY_NAME:
        return _BY_NAME[key]
    # ASCII digits only, and few of them: int() refuses very long decimal strings.
    m = re.fullmatch(r"v?([0-9]{1,9})\.([0-9]{1,9})(?:\.[0-9]+)?", key)
    if m:
        number = (int(m.group(1)), int(m.group(2)))
        candidates = [v for v in VERSIONS if v.number is not None and v.number <= number]
        if candidates:
            return candidates[-1]
    m = re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", key)
    if m:
        candidates = [v for v in VERSIONS if v.date <= key]
        if candidates:
            return candidates[-1]
    shown = name if len(name) <= 60 else name[:60] + "..."
    raise PtofixError(f"unknown ptoas version '{shown}' (known: {', '.join(known_names())})")


def known_names() -> list[str]:
    out = []
    for v in VERSIONS:
        out.append(v.name + (f" ({', '.join(v.aliases)})" if v.aliases else ""))
    return out


def mapping_note(name: str) -> str | None:
    """A note when ``name`` is not a version ptofix lists but reads as one (``v0.99``, a date):
    the listed version it is treated as, so that no command maps it silently; None otherwise."""
    key = name.strip().lower()
    if key in _BY_NAME:
        return None
    version = resolve(name)
    newest = " (the newest ptofix knows)" if version == NEWEST else ""
    return (f"ptofix: note: ptoas version '{name.strip()}' is not one ptofix knows: treated as "
            f"{version.name}{newest}, the nearest known version not after it")
