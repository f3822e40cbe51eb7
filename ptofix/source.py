"""Source text, spans, edits and GCC-style diagnostics shared by every front end and pass.

Every model in ptofix points back into the original text with character offsets. Passes never
edit text themselves: they return :class:`Edit` objects and :func:`apply_edits` is the one place
that turns them into new text.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Span:
    """Half-open character range ``[start, end)`` into a :class:`SourceText`."""

    start: int
    end: int

    def text(self, source: "SourceText") -> str:
        return source.text[self.start:self.end]


class SourceText:
    """A file's text plus offset -> line/column mapping (1-based, like GCC)."""

    def __init__(self, text: str, path: str = "<stdin>"):
        self.text = text
        self.path = path
        self._line_starts: list[int] | None = None

    def _starts(self) -> list[int]:
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._line_starts = starts
        return self._line_starts

    def line_col(self, offset: int) -> tuple[int, int]:
        starts = self._starts()
        line = bisect.bisect_right(starts, offset) - 1
        return line + 1, offset - starts[line] + 1

    def line_text(self, line: int) -> str:
        starts = self._starts()
        begin = starts[line - 1]
        end = self.text.find("\n", begin)
        return self.text[begin:] if end == -1 else self.text[begin:end]

    def location(self, offset: int) -> str:
        line, col = self.line_col(offset)
        return f"{self.path}:{line}:{col}"


@dataclass(frozen=True)
class Edit:
    """Replace ``[start, end)`` of the input with ``replacement``; ``reason`` is for reports."""

    start: int
    end: int
    replacement: str
    reason: str = ""


class EditConflict(ValueError):
    pass


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits. Identical duplicate edits are merged; overlaps are a bug."""
    unique = sorted(set(edits), key=lambda e: (e.start, e.end))
    for before, after in zip(unique, unique[1:]):
        if after.start < before.end:
            raise EditConflict(f"overlapping edits at offsets {before.start}-{before.end} and {after.start}-{after.end}")
    parts: list[str] = []
    cursor = 0
    for edit in unique:
        parts.append(text[cursor:edit.start])
        parts.append(edit.replacement)
        cursor = edit.end
    parts.append(text[cursor:])
    return "".join(parts)


@dataclass
class Diagnostic:
    severity: str  # "error" | "warning" | "note"
    message: str
    source: SourceText | None = None
    offset: int | None = None
    notes: list["Diagnostic"] = field(default_factory=list)

    def format(self) -> str:
        if self.source is not None and self.offset is not None:
            where = self.source.location(self.offset)
        elif self.source is not None:
            where = self.source.path
        else:
            where = "ptofix"
        lines = [f"{where}: {self.severity}: {self.message}"]
        lines.extend(note.format() for note in self.notes)
        return "\n".join(lines)


class PtofixError(Exception):
    """A user-facing error: printed as ``file:line:col: error: msg`` and exit status 2."""

    def __init__(self, message: str, source: SourceText | None = None, offset: int | None = None,
                 notes: list[Diagnostic] | None = None):
        super().__init__(message)
        self.diagnostic = Diagnostic("error", message, source, offset, notes or [])

    def format(self) -> str:
        return self.diagnostic.format()


def read_source(path: str) -> SourceText:
    """Read a file as text, keeping its bytes exactly (newline='' keeps CRLF)."""
    if path == "-":
        import sys
        return SourceText(sys.stdin.read(), "<stdin>")
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return SourceText(handle.read(), path)
    except FileNotFoundError:
        raise PtofixError(f"no such file: {path}") from None
    except UnicodeDecodeError as exc:
        raise PtofixError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise PtofixError(f"cannot read {path}: {exc.strerror}") from None
