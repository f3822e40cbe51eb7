"""How diagnostics look on a terminal: each ``file:line:col: severity: message`` line followed by
its source line and a caret under the column, as GCC and clang print them, in colour when asked.

The lines themselves are made where the diagnostics are found (``Diagnostic.format()``, the race
and placement messages); this module only adds the view, so reports and tests that read the
plain lines see them unchanged. Colour follows GCC's ``-fdiagnostics-color`` choices: ``auto`` is
colour when the stream is a terminal and ``NO_COLOR`` (https://no-color.org) is unset or empty;
``always`` and ``never`` override it.
"""
from __future__ import annotations

import os
import re
from typing import Literal

from .source import SourceText

ColorChoice = Literal["auto", "always", "never"]
COLOR_CHOICES: tuple[ColorChoice, ...] = ("auto", "always", "never")

# GCC's default GCC_COLORS: error=01;31, warning=01;35, note=01;36, locus=01, caret=01;32.
_SEVERITY_COLOR = {"error": "\x1b[01;31m", "warning": "\x1b[01;35m", "note": "\x1b[01;36m"}
_BOLD = "\x1b[01m"
_CARET = "\x1b[01;32m"
_RESET = "\x1b[0m"
_LINE = re.compile(r"^(?P<locus>(?P<path>.*?):(?P<line>\d+):(?P<col>\d+):) (?P<severity>error|warning|note): "
                   r"(?P<message>.*)$")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def use_color(choice: ColorChoice, stream_fd: int = 2) -> bool:
    """Whether to colour what goes to ``stream_fd`` under ``choice`` (``--color``)."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    try:
        return os.isatty(stream_fd) and os.environ.get("TERM") != "dumb"
    except OSError:
        return False


def with_source_lines(lines: list[str], source: SourceText, color: bool = False) -> list[str]:
    """``lines`` with the source line and a caret after each diagnostic of ``source``'s file
    (``  332 |   TROWSUM(v49, v39, v37);`` / ``      |   ^~~~~~~``); other lines as they are."""
    out: list[str] = []
    for line in lines:
        match = _LINE.match(line)
        if match is None or match["path"] != source.path:
            out.append(line)
            continue
        number, column = int(match["line"]), int(match["col"])
        out.append(_coloured(match) if color else line)
        if number > source.line_count():
            continue
        text = source.line_text(number).expandtabs(1)
        word = _WORD.match(text, column - 1)
        marker = "^" + "~" * (max(len(word.group()), 1) - 1 if word else 0)
        gutter = " " * len(str(number))
        pad = " " * (column - 1)
        out.append(f"  {number} | {text}")
        out.append(f"  {gutter} | {pad}{_CARET}{marker}{_RESET}" if color else f"  {gutter} | {pad}{marker}")
    return out


def _coloured(match: re.Match[str]) -> str:
    severity = match["severity"]
    return f"{_BOLD}{match['locus']}{_RESET} {_SEVERITY_COLOR[severity]}{severity}:{_RESET} {match['message']}"
