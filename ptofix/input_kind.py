"""Which kind of input a file is, read from its first line of code, before a parser sees it.

PTO IR given to a C++ command would fail somewhere in the C++ tokenizer ("'#' not at the start
of a line"), and C++ given to an IR command somewhere in the IR scanner: neither says what went
wrong. Both kinds start with what only they can start with (after blank lines and ``//``
comments, which both have): an MLIR module, function or alias definition, or a C++ preprocessor
directive, declaration keyword or block comment. A first line that is neither decides nothing,
and the parser reads the file as before.
"""
from __future__ import annotations

from . import regex_cache
from .source import PtofixError, SourceText

# (No file is read past its first line of code: a megabyte of C++ costs nothing here.)
_SKIPPED = regex_cache.compile(r"(?:[ \t\r\f\v]*(?://[^\n]*)?\n)*[ \t\r\f\v]*")
_MLIR_START = regex_cache.compile(
    r'(?:module(?:[ \t]+@[\w$.-]+)?[ \t]*(?:attributes\b|\{)|func\.func\b|"builtin\.module"|"func\.func"|'
    r'[#!][\w$.-]+[ \t]*=)')      # (not C++20's `module;` / `module name;`)
# The directives a C++ file may start with (_CPP_START's first alternative; _is_directive reads
# a line that starts with `#` without the pattern).
_DIRECTIVES = ("include", "define", "undef", "pragma", "if", "ifdef", "ifndef")
_CPP_START = regex_cache.compile(
    rf"(?:#[ \t]*(?:{'|'.join(_DIRECTIVES)})\b|/\*|(?:using|namespace|template|extern|"
    r"typedef|struct|class|static|inline|constexpr|__global__|AICORE)\b)")

_NAMES = {"mlir": "PTO IR (MLIR)", "cpp": "C++"}
_COMMANDS = {"mlir": "`ptofix canonicalize` or `ptofix build` (or `ptofix opt` with an IR pass)",
             "cpp": "`ptofix run`, `ptofix check` or `ptofix simulate` (or `ptofix opt` with a C++ pass)"}


def sniff(text: str) -> tuple[str | None, int]:
    """("mlir" | "cpp" | None, offset of the first line of code) for ``text``."""
    start = _SKIPPED.match(text).end()       # type: ignore[union-attr]  # (matches the empty string)
    if text.startswith("\ufeff", start):
        start += 1
    if text.startswith(("#", "!"), start):
        # A C++ file's first line of code is nearly always a directive: read without the two
        # patterns (compiling them is ~0.3 ms of every run; issue #70), with their results.
        # `#name = ...`, _MLIR_START's one alternative that starts so, needs an `=` on the line.
        end = text.find("\n", start)
        line = text[start:end if end >= 0 else len(text)]
        if "=" in line and _MLIR_START.match(text, start):
            return "mlir", start
        return ("cpp" if _is_directive(line) else None), start
    if _MLIR_START.match(text, start):
        return "mlir", start
    if _CPP_START.match(text, start):
        return "cpp", start
    return None, start


def _is_directive(line: str) -> bool:
    """_CPP_START's `#[ \\t]*(?:include|define|...)\\b` at the start of ``line``: `\\b` after the
    word is a character that is no word character (a str pattern's: isalnum() or `_`), or none."""
    if not line.startswith("#"):
        return False
    rest = line[1:].lstrip(" \t")
    for word in _DIRECTIVES:
        after = rest[len(word):len(word) + 1]
        if rest.startswith(word) and not (after.isalnum() or after == "_"):
            return True
    return False


def require(source: SourceText, expected: str) -> None:
    """An error naming the commands that read ``source`` when it plainly is not ``expected``
    ("cpp" or "mlir")."""
    found, offset = sniff(source.text)
    if found is None or found == expected:
        return
    end = source.text.find("\n", offset)
    first = source.text[offset:end if end >= 0 else len(source.text)].strip()
    shown = first if len(first) <= 40 else first[:40] + "..."
    raise PtofixError(f"this is {_NAMES[found]} ('{shown}'), not {_NAMES[expected]}: this command reads "
                      f"{_NAMES[expected]}; for {_NAMES[found]} use {_COMMANDS[found]}", source, offset)
