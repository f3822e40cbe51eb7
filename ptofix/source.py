"""Source text, spans, edits and GCC-style diagnostics shared by every front end and pass.

Every model in ptofix points back into the original text with character offsets. Passes never
edit text themselves: they return :class:`Edit` objects and :func:`apply_edits` is the one place
that turns them into new text.
"""
from __future__ import annotations

import bisect
import os
import re
import stat
import sys
from array import array
from typing import NamedTuple

from . import regex_cache
from .located import Located, Place

TYPE_CHECKING = False
if TYPE_CHECKING:
    import os
    from typing import BinaryIO, Final

# Value types are NamedTuples and plain classes, not dataclasses: importing dataclasses (and
# inspect) and generating each class's methods costs every `ptofix` run several ms of start-up.


class Span(NamedTuple):
    """Half-open character range ``[start, end)`` into a :class:`SourceText` (immutable, ordered)."""

    start: int
    end: int

    def text(self, source: SourceText) -> str:
        return source.text[self.start:self.end]


_LONE_CR: Final = r"\r(?!\n)"
# Every byte that is not [A-Za-z0-9_] -> a blank: bytes.split() then yields an ASCII text's words.
ASCII_WORD_BYTES: Final = bytes(b if chr(b).isascii() and (chr(b).isalnum() or b == ord("_")) else ord(" ")
                          for b in range(256))
_NOT_WORD: Final = regex_cache.compile(r"\W")      # (in an ASCII text: [^A-Za-z0-9_])
_WORDS_CHUNK: Final = 1 << 16
_DIGITS: Final = b"0123456789"      # compiled (by re, cached) only for a file that has a CR


def ascii_words(text: str, start: int, end: int) -> set[bytes]:
    """The distinct words (maximal runs of ``[A-Za-z0-9_]``, as bytes) of ASCII ``text[start:end]``
    (range ends bound words), a ~64K chunk at a time: each encoded, its other bytes made blanks,
    and split (a third faster than a regex's findall of the words, and no list of them all)."""
    words: set[bytes] = set()
    for piece_start, piece_end in word_chunks(text, start, end):
        words.update(text[piece_start:piece_end].encode("ascii").translate(ASCII_WORD_BYTES).split())
    return words


def word_chunks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``text[start:end]`` as pieces of ~64K characters, (start, end) each, cut at a non-word
    character (never inside a word; the character cut at is in no piece): a scan of the words a
    piece at a time holds no list of every word of a large text."""
    pieces: list[tuple[int, int]] = []
    while start < end:
        stop = min(end, start + _WORDS_CHUNK)
        cut = _NOT_WORD.search(text, stop, end)
        stop = cut.start() if cut is not None else end
        pieces.append((start, stop))
        start = stop + 1
    return pieces


def identifier_words_of(words: set[bytes]) -> set[bytes]:
    """The identifiers ASCII ``words`` hold: a word holds one, from its first letter or '_' on (a
    lexical scan skips a word's leading digits: `0x1F` holds `x1F`), none if it is all digits.
    (``words`` itself when none starts with a digit.)"""
    numbers = [word for word in words if word[0] in _DIGITS]
    if not numbers:
        return words
    identifiers = words.difference(numbers)
    identifiers.update(word.lstrip(_DIGITS) for word in numbers)
    identifiers.discard(b"")
    return identifiers


class SourceText:
    """A file's text plus offset -> line/column mapping (1-based, like GCC)."""

    def __init__(self, text: str, path: str = "<stdin>"):
        self.text = text
        self.path = path
        self._line_starts: array | None = None
        self._word_text = b""
        self._identifier_words: set[bytes] | None = None

    def __reduce__(self) -> tuple:
        # Pickled by its text and path (worker processes return one with each file's result): a
        # compiled class has no instance dict for the default protocol to rebuild it from.
        return (SourceText, (self.text, self.path))

    def _starts(self) -> array:
        # An array of offsets, not a list of ints: 4 or 8 bytes a line instead of ~36.
        if self._line_starts is None:
            starts = array("I" if len(self.text) < 2 ** 32 and array("I").itemsize == 4 else "q", [0])
            append = starts.append
            text = self.text
            # (text.find called as a method: compiled, a native call, where a bound str.find is
            # called with a tuple of its arguments; issue #70 item 7.)
            pos = text.find("\n")
            while pos != -1:
                append(pos + 1)
                pos = text.find("\n", pos + 1)
            if "\r" in self.text:
                # A lone CR ends a line too (CR-only files), as compilers count lines.
                starts = array(starts.typecode,
                               sorted(set(starts) | {m.end() for m in re.finditer(_LONE_CR, self.text)}))
            self._line_starts = starts
        return self._line_starts

    def _read_words(self) -> bool:
        """Read the word index of an ASCII text (False for another text): its distinct words
        (maximal runs of ``[A-Za-z0-9_]``), read once, a chunk at a time (no list of every word of
        a large text is held), kept as the text of the words and the set of their identifiers.
        They answer the lexical questions asked of a whole file (is a name a word of it, part of
        one, an identifier of it) from ~12% of its size."""
        if self._identifier_words is None:
            if not self.text.isascii():
                return False
            # raw-text scan: a text read without tokens (a model built otherwise than by
            # parser.parse_cpp, which gives a C++ file's words from its tokens: take_words).
            words = ascii_words(self.text, 0, len(self.text))
            self._word_text = b" " + b" ".join(words) + b" "
            self._identifier_words = identifier_words_of(words)
        return True

    def take_words(self, words: set[bytes]) -> None:
        """Take an ASCII text's distinct words, read from its tokens (cpp/word_index.py: the one
        lexing of a C++ file), in place of reading them from the text itself."""
        if self._identifier_words is None and self.text.isascii():
            self._word_text = b" " + b" ".join(words) + b" "
            self._identifier_words = identifier_words_of(words)

    def word_text(self) -> bytes | None:
        """The distinct words of an ASCII text, each between blanks (None for another text): a
        name made of word characters occurs in the text where ``name in word_text()``, as the
        start of a word where ``b" " + name`` is in it, as a whole word where ``b" " + name + b" "``
        is."""
        return self._word_text if self._read_words() else None

    def identifier_words(self) -> set[bytes] | None:
        """The identifiers of an ASCII text's words (None for another text): a word holds one,
        from its first letter or '_' on (a lexical scan skips a word's leading digits: `0x1F`
        holds `x1F`), none if it is all digits. (A set the caller must not change.)"""
        return self._identifier_words if self._read_words() else None

    def line_col(self, offset: int) -> tuple[int, int]:
        starts = self._starts()
        line = bisect.bisect_right(starts, offset) - 1
        return line + 1, offset - starts[line] + 1

    def line_count(self) -> int:
        """The lines of the text as line_col counts them (LF, CRLF or a lone CR ends one)."""
        return len(self._starts())

    def line_start(self, line: int) -> int:
        """The offset line ``line`` (1-based, as line_col counts lines) starts at."""
        return self._starts()[line - 1]

    def line_text(self, line: int) -> str:
        """Line ``line``'s text without its end: up to the LF, CRLF or lone CR that ends it (a
        lone CR ends a line as line_col counts them, so a CR-only file's line is one line)."""
        starts = self._starts()
        begin = starts[line - 1]
        text = self.text[begin:starts[line]] if line < len(starts) else self.text[begin:]
        return text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith(("\n", "\r")) else text

    def location(self, offset: int) -> str:
        line, col = self.line_col(offset)
        return f"{self.path}:{line}:{col}"

    def place(self, offset: int) -> Place:
        """Where ``offset`` is, ``path:line:col`` with its parts kept as data (located.Place)."""
        line, col = self.line_col(offset)
        return Place(self.path, line, col)

    def located(self, offset: int, text: str) -> Located:
        """``path:line:col: text``, the place of ``offset`` kept as data (located.Located): a reason
        that says where, which each rendering writes its own way."""
        return Located(self.place(offset), ": ", text)


def line_end_near(text: str, offset: int) -> str:
    """The line end a line inserted at ``offset`` should use: the one ending the line before it
    (LF, CRLF or a lone CR), else the file's first line end, else LF."""
    begin = line_start(text, offset)
    if begin == 0:
        first = min((i for i in (text.find("\n"), text.find("\r")) if i != -1), default=-1)
        if first == -1:
            return "\n"
        begin = first + (2 if text.startswith("\r\n", first) else 1)
    if text[begin - 1] == "\n":
        return "\r\n" if begin >= 2 and text[begin - 2] == "\r" else "\n"
    return "\r"


def line_start(text: str, offset: int) -> int:
    """Where the line holding ``offset`` begins: after the last LF or CR before it. (The CR is
    searched after that LF only: searching the whole text for a CR a file may not have would
    cost time linear in the offset on every call.)"""
    newline = text.rfind("\n", 0, offset)
    return max(newline, text.rfind("\r", newline + 1, offset)) + 1


class Edit(NamedTuple):
    """Replace ``[start, end)`` of the input with ``replacement``; ``reason`` is for reports (immutable)."""

    start: int
    end: int
    replacement: str
    reason: str = ""


class EditConflict(ValueError):
    pass


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits (the one place where ptofix changes text).

    Identical duplicates are merged. Edits are ordered by position; insertions at the same offset
    keep the order in which they were emitted (as clang's tooling Replacements do), so the result
    never depends on hashing. Two different edits of overlapping (non-empty) ranges are a bug.
    """
    unique: list[Edit] = []
    seen: set[Edit] = set()
    for edit in edits:
        if edit not in seen:
            seen.add(edit)
            unique.append(edit)
    unique.sort(key=lambda e: (e.start, e.end))      # stable: emission order breaks ties
    for before, after in zip(unique, unique[1:], strict=False):
        if after.start < before.end or (after.start == before.start and after.end == before.end
                                        and before.end > before.start):
            raise EditConflict(f"overlapping edits at offsets {before.start}-{before.end}"
                               f" and {after.start}-{after.end}")
    parts: list[str] = []
    cursor = 0
    for edit in unique:
        parts.append(text[cursor:edit.start])
        parts.append(edit.replacement)
        cursor = edit.end
    parts.append(text[cursor:])
    return "".join(parts)


class Diagnostic:
    def __init__(self, severity: str, message: str, source: SourceText | None = None, offset: int | None = None,
                 notes: list[Diagnostic] | None = None):
        self.severity = severity    # "error" | "warning" | "note"
        self.message = message
        self.source = source
        self.offset = offset
        self.notes: list[Diagnostic] = [] if notes is None else notes

    def _key(self) -> tuple:
        return (self.severity, self.message, self.source, self.offset, self.notes)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Diagnostic) or type(other) is not type(self):
            return NotImplemented
        return self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __repr__(self) -> str:
        return (f"Diagnostic(severity={self.severity!r}, message={self.message!r}, source={self.source!r}, "
                f"offset={self.offset!r}, notes={self.notes!r})")

    def format(self) -> str:
        if self.source is not None and self.offset is not None:
            where = self.source.location(self.offset)
        elif self.source is not None:
            where = self.source.path
        else:
            where = "ptofix"
        # One line, as compilers print it (tools read diagnostics line by line): a message that
        # quotes source text spanning lines (a type written over two) gets a space for each break.
        message = self.message
        if "\n" in message or "\r" in message:
            message = _LINE_BREAK.sub(" ", message)
        lines = [f"{where}: {self.severity}: {message}"]
        lines.extend(note.format() for note in self.notes)
        return "\n".join(lines)


_LINE_BREAK: Final = regex_cache.compile(r"[ \t]*(?:\r\n|\r|\n)[ \t]*")


class OptionValueError(ValueError):
    """A value an option cannot take, and why (the message is the reason as the user reads it: the
    command layer shows it at the option, a config file's reader at its key)."""


class PtofixError(Exception):
    """A user-facing error: printed as ``file:line:col: error: msg`` and exit status 2."""

    def __init__(self, message: str, source: SourceText | None = None, offset: int | None = None,
                 notes: list[Diagnostic] | None = None, *, plain: bool = False):
        super().__init__(message)
        self.diagnostic = Diagnostic("error", message, source, offset, notes or [])
        self.plain = plain   # ``message`` is already a whole ``file:line:col: error: ...`` line

    def format(self) -> str:
        if self.plain:
            return str(self)
        return self.diagnostic.format()


class StreamError(PtofixError):
    """stdout or stderr could not take what the command wrote to it (a full disk, ``> /dev/full``,
    a closed descriptor): an output of the call that was not written, exit status 2. The commit
    of the call's files stops there (nothing is renamed into place). (Defined here, a compiled
    module, not in output.py: mypyc's native PtofixError takes no subclass of interpreted code,
    whose constructor then fails with TypeError in the compiled build.)"""


class UnreadableInput(PtofixError):
    """Valid C++ that ptofix's tokens cannot follow as the compiler does (a raw string, a digraph, a
    digit separator, a header name in a `__has_include` the directive lexer would split...): not
    bad input, so never refused. The commands leave such a file as it is, Unknown as a whole
    (every barrier kept, `check`: unverified), and say why on stderr (a note, not an error)."""


# An integer as Python's int(text, 0) reads it, but ASCII only (int() takes any script's digits),
# without '_' and with few enough digits that int() never refuses it.
_INTEGER = regex_cache.compile(r"[+-]?(?:0[xX][0-9a-fA-F]{1,16}|0[bB][01]{1,64}|0[oO][0-7]{1,22}|0|[1-9][0-9]{0,18})")


def parse_integer(text: str) -> int | None:
    """``text`` (surrounding blanks allowed) as a decimal, 0x, 0o or 0b integer; None if it is not one."""
    text = text.strip()
    return int(text, 0) if _INTEGER.fullmatch(text) else None


def too_deep(source: SourceText, what: str, limit: int = 100) -> PtofixError:
    """The error for data (JSON, TOML) nested deeper than its parser can recurse, located at the
    first bracket past ``limit`` levels (quoting ignored: a close enough place to look)."""
    depth = 0
    offset = None
    for i, ch in enumerate(source.text):
        if ch in "[{":
            depth += 1
            if depth > limit:
                offset = i
                break
        elif ch in "]}":
            depth -= 1
    return PtofixError(f"{what}: nested too deeply", source, offset)


# Larger inputs are refused rather than read: a kernel is a few MB, and a device such as
# /dev/zero must not make ptofix read forever.
MAX_INPUT_BYTES: Final = 64 * 1024 * 1024

def decode_utf8(data: bytes, path: str) -> SourceText:
    """Strict UTF-8 text of ``data``; an invalid byte is an error at its line and column."""
    try:
        return SourceText(data.decode("utf-8"), path)
    except UnicodeDecodeError as exc:
        bad = exc.start
        # The text before the bad byte is valid UTF-8: locate it by the rule every other
        # diagnostic uses (characters; LF, CRLF or a lone CR ends a line).
        prefix = data[:bad].decode("utf-8")
        line, col = SourceText(prefix, path).line_col(len(prefix))
        byte = data[bad:bad + 1].hex()
        raise PtofixError(f"{path}:{line}:{col}: error: invalid UTF-8 byte 0x{byte} ({exc.reason});"
                          f" ptofix reads UTF-8 text only", plain=True) from None


def _too_large(path: str) -> PtofixError:
    return PtofixError(f"{path}: input larger than {MAX_INPUT_BYTES >> 20} MiB; refusing to read it")


def _read_limited(handle: BinaryIO, path: str) -> bytes:
    data = handle.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise _too_large(path)
    return data


def bounded_source(text: object, path: str) -> SourceText:
    """``text`` given as a string (ptofix.api) under the bound the file reader keeps: more than
    MAX_INPUT_BYTES of UTF-8 is refused, as read_source refuses such a file. Anything but a str
    is a caller's mistake (TypeError), named as such: bytes are not decoded here, since the file
    reader's decoding (decode_utf8: its errors located, a BOM kept) is the command line's."""
    if not isinstance(text, str):
        hint = " (decode the bytes first: data.decode('utf-8'))" if isinstance(text, (bytes, bytearray)) else ""
        raise TypeError(f"{path}: the text must be a str, not {type(text).__name__}{hint}")
    if len(text) > MAX_INPUT_BYTES // 4 and len(text.encode("utf-8", "surrogatepass")) > MAX_INPUT_BYTES:
        raise _too_large(path)
    return SourceText(text, path)


def read_source(path: str | os.PathLike[str]) -> SourceText:
    """Read a file as UTF-8 text, keeping its bytes exactly (CRLF, CR, BOM stay as they are)."""
    path = os.fspath(path)
    if path == "-":
        if sys.stdin is None:    # (descriptor 0 was closed when ptofix started)
            raise PtofixError("cannot read the input from stdin ('-'): it is closed")
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:   # a replaced text stream (tests): it is already decoded
            text = sys.stdin.read()
            return SourceText(text, "<stdin>")
        return decode_utf8(_read_limited(stream, "<stdin>"), "<stdin>")
    if not path:
        raise PtofixError("empty file name")
    if "\0" in path:
        raise PtofixError(f"bad file name {path!r}: contains a NUL character")
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise PtofixError(f"cannot read {path}: it is a directory")
        if stat.S_ISBLK(st.st_mode) or stat.S_ISSOCK(st.st_mode):
            raise PtofixError(f"cannot read {path}: not a regular file")
        with open(path, "rb") as handle:
            data = _read_limited(handle, path)
    except FileNotFoundError:
        raise PtofixError(f"no such file: {path}") from None
    except PtofixError:
        raise
    except OSError as exc:
        raise PtofixError(f"cannot read {path}: {exc.strerror or exc}") from None
    return decode_utf8(data, path)
