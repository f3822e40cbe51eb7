"""A place, a text naming places and a diagnostic line as written (``path:line:col``, ``... at
path:line:col ...``, ``path:line:col: warning: text``) that keep their parts as data: JSON, SARIF,
stderr and the API read them as the strings they are, SARIF (sarif.py) reads a line's parts, and a
rendering that names a file once writes the places in it its own way (``Located.within``: the text
report's ``line:col``, the page's ``line N:C``), so no rendering parses, cuts or replaces another's
text.

Each is a ``str``: a record holding one is written to JSON, compared and pickled (to ``-j``
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

    def within(self, path: str, prefix: str = "", head: bool = False) -> str:
        """The line as a rendering that names the file ``path`` once writes it (Located.within):
        its place too unless ``head`` (the line's own place, written in full)."""
        at = self.at if head or not isinstance(self.at, Place) or self.at.path != path \
            else f"{prefix}{self.at.line}:{self.at.column}"
        text = self.text.within(path, prefix) if isinstance(self.text, Located) else self.text
        return f"{at}: {self.severity}: {text}"


class Located(str):
    """A text that names places (a cause's reason, a report line): its ``pieces``, plain text and
    :class:`Place` s, kept as data. As a ``str`` it is written with every place in full
    (``path:line:col``), as JSON, SARIF, stderr and the API show it; :meth:`within` writes it for a
    rendering that names the file once. A Located piece given to the constructor gives its own
    pieces, so places survive composition; an f-string of one would not (it is plain text)."""

    __slots__ = ("pieces",)
    pieces: tuple[str, ...]

    def __new__(cls, *pieces: str) -> Located:
        flat: list[str] = []
        for piece in pieces:
            if isinstance(piece, Located):
                flat.extend(piece.pieces)
            elif piece:
                flat.append(piece)
        text = super().__new__(cls, "".join(flat))
        text.pieces = tuple(flat)
        return text

    def __reduce__(self) -> tuple[type[Located], tuple[str, ...]]:
        return (Located, self.pieces)

    def within(self, path: str, prefix: str = "", head: bool = False) -> str:
        """The text as a rendering that names the file ``path`` once writes it: each place in that
        file as ``{prefix}line:col`` (places in other files in full). ``head``: a place that starts
        the text is the line's own (``path:line:col: note: ...``), written in full."""
        return "".join(f"{prefix}{piece.line}:{piece.column}"
                       if isinstance(piece, Place) and piece.path == path and (index or not head) else piece
                       for index, piece in enumerate(self.pieces))


def within(text: str, path: str, prefix: str = "", head: bool = False) -> str:
    """``text`` as a rendering that names the file ``path`` once writes it (a Located's or a
    DiagnosticLine's ``within``); a plain ``str`` keeps no place as data: as it is."""
    return text.within(path, prefix, head) if isinstance(text, (Located, DiagnosticLine)) else text
