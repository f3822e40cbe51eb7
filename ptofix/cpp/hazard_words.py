"""A hazard in words: the one module that phrases a hazard (its two ops, their accesses, operands and
bytes, the loop back-edge, the same-access chain) for every rendering.

Each rendering reads the hazard's fields as ``Hazard.describe`` gives them (the JSON decision's
``hazard``, the core of ``check``'s race entry), and builds its words from the pieces below:

- ``reason``: a kept decision's text reason (``Hazard.summary``), which the JSON report carries;
- ``race_lines``: ``check``'s warning and note of a race (cpp/races.describe), whose text SARIF's
  message reuses (sarif.py);
- ``page_words`` and ``race_page_words``: the HTML page's row of a kept barrier and of a race
  (html_report.py);
- ``qualifiers``: why the pair is no same-access chain, or is one not credited, for the reason and
  the page alike.

The shapes differ (a diagnostic line, a table cell); the words are written only here.
"""
from __future__ import annotations

from ..located import DiagnosticLine, Located, Place
from ..pto.race_model import CHAIN_NOT_CREDITED, CHAIN_RACE_NOTE, FLAG_CHAIN_RACE_NOTE, REBROADCAST_RACE_NOTE

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

ACROSS_BACK_EDGE = "across the loop back-edge"
NO_CHAIN = "no same-access chain"
# A race of two broadcasts of the same unchanged per-row tile (cpp/races.SAME_REBROADCAST), by name.
SAME_REBROADCAST_WORDS = "same per-row broadcast"
# A race that only a flag chain through two or more other pipes orders (cpp/races.MULTI_PIPE_CHAIN).
MULTI_PIPE_CHAIN_WORDS = "multi-pipe flag chain"


def ranges(intervals: Iterable[Any] | None, compact: bool = False) -> str:
    """Byte ranges: ``[0, 64), [128, 192)``; ``compact``: ``[0,64),[128,192)`` (the reason's)."""
    if compact:
        return ",".join(f"[{lo},{hi})" for lo, hi in intervals or ())
    return ", ".join(f"[{lo}, {hi})" for lo, hi in intervals or ())


def line_of(location: str) -> int:
    """The line of a side's location, read from its fields (a located.Place, as Hazard.describe
    and trace/check.py make it); 0 for ``function boundary``, which has none."""
    return location.line if isinstance(location, Place) else 0


def verb(side: dict[str, Any]) -> str:
    """What an op does to its operand: ``writes`` or ``reads`` (an op of no known access reads)."""
    return "writes" if side.get("access") == "write" else "reads"


def operand(side: dict[str, Any]) -> str:
    """The operand a side touches; ``UB`` when its access is not known."""
    return str(side["operand"]) if "access" in side else "UB"


def shared_operand(first: dict[str, Any], second: dict[str, Any]) -> str:
    """The operand a row names: the first side's, else the second's, else ``UB``."""
    return str(first.get("operand") or second.get("operand") or "UB")


def qualifiers(hazard: dict[str, Any], chain_refused: str) -> list[str]:
    """Why an exact same access is no same-access chain; that the pair is a chain not credited."""
    out = []
    if chain_refused:
        out.append(f"{NO_CHAIN}: {chain_refused}")
    if hazard.get("same_access_chain"):
        out.append(CHAIN_NOT_CREDITED)
    return out


def _reason_side(side: dict[str, Any]) -> Located:
    rng: str = "" if side.get("bytes") is None else " " + ranges(side["bytes"], compact=True)
    if side.get("bytes_unknown"):
        rng = Located(" (", side["bytes_unknown"], ")")     # (its places kept: cfg_events.Access.unknown_why)
    touches = side["access"] if "access" in side else "touches"
    return Located(f"{side['op']} {touches} {side['operand']}", rng, " at ", side["location"])


def reason(hazard: dict[str, Any], chain_refused: str) -> Located:
    """A kept decision's reason: ``RAW: TMAX write v59 [0,64) at f.cpp:3:5 -> TSUB read ...``,
    its places kept as data (located.Located: the text report writes those in its file ``3:5``)."""
    suffix = " (across loop back-edge)" if hazard.get("across_loop_back_edge") else ""
    suffix += "".join(f"; {words}" for words in qualifiers(hazard, chain_refused))
    return Located(f"{hazard['kind']}: ", _reason_side(hazard["earlier"]), " -> ", _reason_side(hazard["later"]),
                   suffix)


def flag_chain_words(chain: list[dict[str, Any]]) -> str:
    """A flag chain from V back to V, as races.to_json gives it (each link's ``from`` and ``to``
    pipes, the lines of its ``set_flag`` and ``wait_flag``): that this pair is ordered only
    through it, and why that is no ordering: ``this pair is ordered only through 2 other pipes:
    PIPE_V -> PIPE_MTE3 (set_flag line 161, wait_flag line 165) -> PIPE_MTE2 (lines 167, 172) ->
    PIPE_V (lines 174, 178); the vendor's rule credits a barrier ...``."""
    hops = [f"{link['to']} ({'set_flag line ' if not i else 'lines '}{link['set_line']}"
            f"{', wait_flag line ' if not i else ', '}{link['wait_line']})" for i, link in enumerate(chain)]
    others = len(chain) - 1
    return (f"this pair is ordered only through {others} other pipe{'' if others == 1 else 's'}: "
            f"{' -> '.join([chain[0]['from'], *hops]) if chain else ''}; {FLAG_CHAIN_RACE_NOTE}")


def race_lines(hazard: dict[str, Any], overlap: list[tuple[int, int]], path: str, later_at: str, earlier_at: str,
               earlier_line: int, same_rebroadcast: bool = False,
               flag_chain: list[dict[str, Any]] | None = None) -> tuple[DiagnosticLine, DiagnosticLine]:
    """``check``'s (warning at the later op, note at the earlier one), GCC style: a short first line
    (what races with what, on which bytes); the earlier op's own access (its name, when another one
    aliases the bytes, and its whole range) and how the two meet (``path``) go on the note, each
    said once. ``later_at``/``earlier_at``: where each op is (a located.Place, or the path alone),
    ``earlier_line`` its line; ``same_rebroadcast``: the race is two broadcasts of the same per-row
    tile (cpp/races.SAME_REBROADCAST); ``flag_chain``: the chain through two or more other pipes
    that alone orders the pair (cpp/races.MULTI_PIPE_CHAIN; its links as to_json gives them), the
    category first (races.Race.category). Each line keeps its place and text as data (SARIF reads
    them)."""
    earlier, later = hazard["earlier"], hazard["later"]
    category = f" ({MULTI_PIPE_CHAIN_WORDS})" if flag_chain else \
        " (PTOAS #674 same-access chain)" if hazard.get("same_access_chain") else \
        f" ({SAME_REBROADCAST_WORDS})" if same_rebroadcast else ""
    tail = f"; {flag_chain_words(flag_chain)}" if flag_chain else \
        f"; {CHAIN_RACE_NOTE}" if hazard.get("same_access_chain") else \
        f"; {REBROADCAST_RACE_NOTE}" if same_rebroadcast else ""
    warning = (f"{hazard['kind']} race{category}: {later['op']} {verb(later)} {operand(later)} "
               f"{ranges(overlap) or 'unknown bytes'}, which {earlier['op']} (line {earlier_line}) may still "
               f"{verb(earlier)[:-1]}")
    note = (f"{earlier['op']} {verb(earlier)} {operand(earlier)} "
            f"{ranges(earlier.get('bytes')) or 'unknown bytes'} here; no PIPE_V drain between them "
            f"{path}{tail}")
    return DiagnosticLine(later_at, "warning", warning), DiagnosticLine(earlier_at, "note", note)


def page_side(side: dict[str, Any]) -> str:
    """One op of a hazard on the page: ``TMAX (line 356) writes it``; an Unknown one (no access, its
    ``why``): ``code ptofix does not understand (line 11: why)``."""
    if "access" in side:
        return f"{side['op']} (line {line_of(side['location'])}) {side['access']}s it"
    return f"code ptofix does not understand (line {line_of(side['location'])}: {side.get('why', 'not read')})"


def page_words(hazard: dict[str, Any]) -> str:
    """``RAW on v59 [90496, 90624): TMAX (line 356) writes it, then TSUB (line 358) reads it``."""
    earlier, later = hazard["earlier"], hazard["later"]
    loop = f" {ACROSS_BACK_EDGE}" if hazard.get("across_loop_back_edge") else ""
    return (f"{hazard['kind']} on {shared_operand(earlier, later)} {ranges(earlier.get('bytes'))}{loop}: "
            f"{page_side(earlier)}, then {page_side(later)}")


def race_page_words(race: dict[str, Any], at_later: bool) -> str:
    """A race of ``check`` on the page, at its later op (``still in flight from`` the earlier) or at
    its earlier one (``races with the later``)."""
    other = race["earlier"] if at_later else race["later"]
    role = "still in flight from" if at_later else "races with the later"
    return (f"{race['kind']} on {shared_operand(race['later'], race['earlier'])} "
            f"{ranges(race.get('bytes'))}: {role} {other['op']} (line {line_of(other['location'])}), "
            f"{race.get('path', '')}".rstrip(", "))


def path_words(via_back_edge: bool, straight: bool) -> str:
    """How the two ops of a race meet: around the loop, in one statement list, or along some path."""
    if via_back_edge:
        return ACROSS_BACK_EDGE
    return "in straight-line code" if straight else "on a path into it"
