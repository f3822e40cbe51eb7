"""A place and a diagnostic line as written (``path:line:col``, ``path:line:col: warning: text``)
that keep their parts as data: the text report, JSON and the API read them as the strings they
are, SARIF (sarif.py) reads the parts, so no rendering parses another's text back.

Both are ``str``: a record holding one is written to JSON, compared and pickled (to ``-j``
workers) as before.
"""
from __future__ import annotations


class Place(str):
    """``path:line:col``, with ``path``, ``line`` and ``column``."""

    # (No instance dict: a report holds one for each side of each hazard, ~170 bytes each saved.)
    __slots__ = ("path", "line", "column")
    path: str
    line: int
    column: int

    def __new__(cls, path: str, line: int, column: int) -> Place:
        place = super().__new__(cls, f"{path}:{line}:{column}")
        place.path, place.line, place.column = path, line, column
        return place

    def __reduce__(self) -> tuple[type[Place], tuple[str, int, int]]:
        return (Place, (self.path, self.line, self.column))


class DiagnosticLine(str):
    """``at: severity: text``, with ``at`` (a :class:`Place`, or the file's path alone when the
    diagnostic has no line), ``severity`` and ``text``."""

    __slots__ = ("at", "severity", "text")
    at: str
    severity: str
    text: str

    def __new__(cls, at: str, severity: str, text: str) -> DiagnosticLine:
        line = super().__new__(cls, f"{at}: {severity}: {text}")
        line.at, line.severity, line.text = at, severity, text
        return line

    def __reduce__(self) -> tuple[type[DiagnosticLine], tuple[str, str, str]]:
        return (DiagnosticLine, (self.at, self.severity, self.text))
