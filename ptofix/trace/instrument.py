"""The kernel copy ``check --trace`` builds: each PTO call and each barrier or flag call is
preceded by ``ptofix_trace_at(ID)`` (recorded in the cost model's stream, so every intrinsic after
it belongs to that call's source line), and each ``TASSIGN(tile, ADDR)`` passes ``ADDR`` through
``ptofix_trace_ub`` (ptofix/trace/shim.hpp says why).

A call ``NAME(args)`` becomes ``(ptofix_trace_at(ID), NAME(args))``: a comma expression, valid
wherever the call was (a statement, an initialiser, the body of an unbraced ``if``), with no
newline added, so every line keeps its number (a compiler error in the copy points at the
kernel's own line). Calls are found on the text with comments and literals blanked
(ptofix/cpp/lexical.py masked_literals), outside preprocessor lines; a name that follows another
word, ``.``, ``->`` or ``>`` is a declaration or a member, not a PTO call, and is left alone.
An intrinsic issued before any marked call is attributed to the kernel's entry.

A tile's scalar access ``x.GetValue(i)`` or ``x.SetValue(i, v)`` has each argument wrapped,
``x.GetValue(ptofix_trace_then(ID, i))``: whichever argument is evaluated last records ID, so the
access the call makes is the scalar unit's at that line (record.py), while the PTO call it may be an
argument of keeps its own line for its intrinsics.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..cpp.lexical import masked_literals
from ..source import SourceText

# PTO ops are upper-case T-words (TADD, TROWEXPANDMUL, TASSIGN ...); the kernel's own sync calls.
_CALLED = re.compile(r"\b(T[A-Z][A-Z0-9_]*|pipe_barrier|set_flag|wait_flag)\b")
_QUALIFIER = re.compile(r"(?:::\s*)?(?:[A-Za-z_]\w*\s*::\s*)+$")
_DIRECTIVE_LINE = re.compile(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", re.MULTILINE)


def blanked_code(text: str) -> str:
    """``text`` with comments, literals' insides and preprocessor lines blanked, offsets kept: what
    the instrumented copy and the trace's entry search (entry.py) read."""
    # raw-text scan: the kernel's text with literals masked at their offsets, where the instrumented copy
    # inserts its calls and the entry search finds its wrappers (not a check: the trace command reads
    # no model, and runs files the model cannot parse)
    return _DIRECTIVE_LINE.sub(lambda found: re.sub(r"[^\n]", " ", found.group(0)), masked_literals(text))
_KEYWORDS_BEFORE_CALL = frozenset({"return", "else", "do", "case", "co_return", "throw"})
SYNC_CALLS = frozenset({"pipe_barrier", "set_flag", "wait_flag"})
# A tile's own scalar accesses (pto/common/pto_tile.hpp Tile::GetValue, SetValue).
_SCALAR_MEMBER = re.compile(r"(?:\.|->)\s*(GetValue|SetValue)\s*\(")
SCALAR_CALLS = frozenset({"GetValue", "SetValue"})


@dataclass(frozen=True)
class CallSite:
    """One marked call: its name and where it is (1-based line and column of the kernel)."""
    name: str
    line: int
    column: int


def _skip_template_arguments(code: str, pos: int) -> int:
    """The position after a balanced ``<...>`` starting at ``pos`` (``pos`` when none)."""
    if pos >= len(code) or code[pos] != "<":
        return pos
    depth = 0
    for index in range(pos, len(code)):
        char = code[index]
        if char == "<":
            depth += 1
        elif char == ">":
            depth -= 1
            if depth == 0:
                return index + 1
        elif char in ";{}":
            return pos
    return pos


def _closing(code: str, pos: int) -> int:
    """The index of the ``)`` matching the ``(`` at ``pos``, or -1."""
    depth = 0
    for index in range(pos, len(code)):
        char = code[index]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return index if char == ")" else -1
    return -1


def _top_level_commas(code: str, start: int, end: int) -> list[int]:
    """The commas of ``code[start:end]`` outside nested brackets and template arguments (an
    approximation: a ``<`` counts as an opening bracket only when followed, before any ``;``, by
    its ``>``)."""
    commas = []
    depth = 0
    index = start
    while index < end:
        char = code[index]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "<":
            after = _skip_template_arguments(code, index)
            if after != index and after <= end:
                index = after
                continue
        elif char == "," and depth == 0:
            commas.append(index)
        index += 1
    return commas


def instrument(source: SourceText) -> tuple[str, list[CallSite]]:
    """The instrumented copy of ``source`` and its call sites (``ptofix_trace_at``'s ids index it)."""
    text = source.text
    code = blanked_code(text)
    edits: list[tuple[int, int, str]] = []       # (position, order at that position, text)
    sites: list[CallSite] = []
    for found in _CALLED.finditer(code):
        name = found.group(1)
        after = _skip_template_arguments(code, found.end())
        while after < len(code) and code[after] in " \t\r\n":
            after += 1
        if after >= len(code) or code[after] != "(":
            continue
        start = found.start()
        qualifier = _QUALIFIER.search(code, 0, start)
        if qualifier is not None and qualifier.end() == start:
            start = qualifier.start()
        before = code[:start].rstrip()
        if before.endswith((".", "->", ">")):
            continue
        word = re.search(r"[A-Za-z_]\w*$", before)
        if word is not None and word.group(0) not in _KEYWORDS_BEFORE_CALL:
            continue
        close = _closing(code, after)
        if close < 0:
            continue
        line, column = source.line_col(start)
        sites.append(CallSite(name, line, column))
        edits.append((start, 3, f"(ptofix_trace_at({len(sites) - 1}), "))
        edits.append((close + 1, 0, ")"))
        if name == "TASSIGN":
            commas = _top_level_commas(code, after + 1, close)
            if len(commas) == 1:
                edits.append((commas[0] + 1, 2, " ptofix_trace_ub("))
                edits.append((close, 1, ")"))
    for found in _SCALAR_MEMBER.finditer(code):
        opening = found.end() - 1
        close = _closing(code, opening)
        if close < 0 or not code[opening + 1:close].strip():
            continue
        line, column = source.line_col(found.start(1))
        sites.append(CallSite(found.group(1), line, column))
        bounds = [opening, *_top_level_commas(code, opening + 1, close), close]
        for start, end in zip(bounds, bounds[1:], strict=False):
            edits.append((start + 1, 3, f"ptofix_trace_then({len(sites) - 1}, "))
            edits.append((end, 0, ")"))
    out = text
    # Right to left; at one position, left to right: a call's closer (0), an address's closer (1),
    # an address's opener (2), a call's opener (3).
    for position, _order, insert in sorted(edits, key=lambda edit: (edit[0], edit[1]), reverse=True):
        out = out[:position] + insert + out[position:]
    return out, sites
