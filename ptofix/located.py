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

from array import array


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
    """A text that names places (a cause's reason, a report line): plain text and :class:`Place` s,
    the places kept as data. As a ``str`` it is written with every place in full
    (``path:line:col``), as JSON, SARIF, stderr and the API show it; :meth:`within` writes it for a
    rendering that names the file once. A Located piece given to the constructor gives its own
    places, so places survive composition; an f-string of one would not (it is plain text).

    (Compact: a large file's run holds one per kept barrier until its report is written, so each
    place is five ints of one array, its start and end in the text, line, column and the index of
    its path in ``_paths``, not a Place object: ``pieces`` makes those again.)"""

    __slots__ = ("_places", "_paths")
    _places: array[int] | None
    _paths: tuple[str, ...]

    def __new__(cls, *pieces: str) -> Located:
        parts: list[str] = []
        places: list[int] = []
        paths: list[str] = []
        at = 0
        for piece in pieces:
            if isinstance(piece, Located):
                marks = piece._places
                if marks is not None:
                    for i in range(0, len(marks), 5):
                        path = piece._paths[marks[i + 4]]
                        if path not in paths:
                            paths.append(path)
                        places.extend((at + marks[i], at + marks[i + 1], marks[i + 2], marks[i + 3],
                                       paths.index(path)))
            elif isinstance(piece, Place):
                if piece.path not in paths:
                    paths.append(piece.path)
                places.extend((at, at + len(piece), piece.line, piece.column, paths.index(piece.path)))
            elif not piece:
                continue
            parts.append(piece)
            at += len(piece)
        text = super().__new__(cls, "".join(parts))
        text._places = array("q", places) if places else None
        text._paths = tuple(paths)
        return text

    @property
    def pieces(self) -> tuple[str, ...]:
        """The text's pieces: its places as :class:`Place` s, the text between them as it is."""
        out: list[str] = []
        done = 0
        marks = self._places or ()
        for i in range(0, len(marks), 5):
            start, end = marks[i], marks[i + 1]
            if start > done:
                out.append(str.__getitem__(self, slice(done, start)))
            out.append(Place(self._paths[marks[i + 4]], marks[i + 2], marks[i + 3]))
            done = end
        if done < len(self):
            out.append(str.__getitem__(self, slice(done, None)))
        return tuple(out)

    def __reduce__(self) -> tuple[type[Located], tuple[str, ...]]:
        return (Located, self.pieces)

    def within(self, path: str, prefix: str = "", head: bool = False) -> str:
        """The text as a rendering that names the file ``path`` once writes it: each place in that
        file as ``{prefix}line:col`` (places in other files in full). ``head``: a place that starts
        the text is the line's own (``path:line:col: note: ...``), written in full."""
        marks = self._places
        if marks is None or path not in self._paths:
            return str.__str__(self)
        index = self._paths.index(path)
        out: list[str] = []
        done = 0
        for i in range(0, len(marks), 5):
            start = marks[i]
            if marks[i + 4] != index or (head and start == 0):
                continue
            out.append(str.__getitem__(self, slice(done, start)))
            out.append(f"{prefix}{marks[i + 2]}:{marks[i + 3]}")
            done = marks[i + 1]
        out.append(str.__getitem__(self, slice(done, None)))
        return "".join(out)


def within(text: str, path: str, prefix: str = "", head: bool = False) -> str:
    """``text`` as a rendering that names the file ``path`` once writes it (a Located's or a
    DiagnosticLine's ``within``); a plain ``str`` keeps no place as data: as it is."""
    return text.within(path, prefix, head) if isinstance(text, (Located, DiagnosticLine)) else text
