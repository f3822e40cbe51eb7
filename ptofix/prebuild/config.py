"""The build's config files: finding ``ptofix.toml`` (or ``pyproject.toml``'s ``[tool.ptofix]``),
reading it with located errors, and converting each key's value to what its command-line option
would have given.

Keys are the build command's long option names: each option field of
:class:`~.settings.BuildSettings` names its key, the kind of value it takes and whether it is a
path relative to the config file's directory (its :class:`~.options.BuildOption`).
"""
from __future__ import annotations

import os
import re
import sys
import tomllib
from dataclasses import dataclass
from typing import Any

from ..side_files import Unreadable, read_side_file
from ..source import PtofixError, SourceText, decode_utf8, too_deep
from .options import BuildOption

CONFIG_NAME = "ptofix.toml"


@dataclass
class Config:
    path: str
    source: SourceText
    values: dict[str, Any]
    table: str                      # "" for ptofix.toml, "tool.ptofix" for pyproject.toml

    @property
    def directory(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))

    def offset_of(self, key: str) -> int | None:
        """Offset of ``key`` (inside the right table) for diagnostics."""
        return locate_key(self.source.text, [*self.table.split("."), key] if self.table else [key])

    def line_of(self, key: str) -> int:
        """The line of ``key`` in the file (0 when it cannot be found)."""
        offset = self.offset_of(key)
        return 0 if offset is None else self.source.line_col(offset)[0]

    def error(self, key: str, message: str) -> PtofixError:
        offset = self.offset_of(key)
        return PtofixError(message, self.source, offset)


# A TOML key as it starts a key line or sits in a table header: bare, "basic" or 'literal'.
_TOML_KEY_PART = re.compile(r'[ \t]*(?:([A-Za-z0-9_-]+)|("(?:[^"\\\n]|\\.)*")|\'([^\'\n]*)\')[ \t]*')


def toml_loads(text: str) -> dict[str, Any]:
    """``tomllib.loads``, where a decimal integer of more digits than Python converts (its
    int-string limit, 4300 by default) is a TOMLDecodeError at that integer (tomllib lets int()'s
    ValueError out)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raise
    except ValueError as exc:
        limit = sys.get_int_max_str_digits()
        long_integer = re.search(rf"(?<![\w.])[+-]?[0-9](?:_?[0-9]){{{limit},}}", text) if limit else None
        where = ""
        if long_integer is not None:
            line = text.count("\n", 0, long_integer.start()) + 1
            column = long_integer.start() - (text.rfind("\n", 0, long_integer.start()) + 1) + 1
            where = f" (at line {line}, column {column})"
        raise tomllib.TOMLDecodeError(f"an integer of more than {limit} digits, more than ptofix reads{where}"
                                      if limit else str(exc)) from None


def _dotted_key_at(text: str, pos: int) -> tuple[list[str], int] | None:
    """The dotted key starting at ``pos`` (its parts, unquoted) and the offset after it."""
    parts: list[str] = []
    while True:
        m = _TOML_KEY_PART.match(text, pos)
        if m is None:
            return None
        bare, basic, literal = m.groups()
        if basic is not None:
            try:
                parts.append(next(iter(tomllib.loads(f"{basic} = 0"))))
            except (tomllib.TOMLDecodeError, StopIteration):
                return None
        else:
            parts.append(bare if bare is not None else literal)
        pos = m.end()
        if not text.startswith(".", pos):
            return parts, pos
        pos += 1


# The pieces of TOML that may hold a line break or a bracket that is no array's: comments and the
# four kinds of string (a multi-line one ends at its first run of 3 to 5 quotes, the last three
# closing it), brackets and braces, line breaks, and runs of anything else.
_TOML_PIECE = re.compile(r'''#[^\n]*|"""(?:[^"\\]++|\\.|""?(?!"))*+"{3,5}|\'\'\'(?:[^']++|''?(?!'))*+'{3,5}'''
                         r'''|"(?:[^"\\\n]++|\\.)*+"|'[^'\n]*+'|[\[{]|[\]}]|\n|[^"'#\[\]{}\n]++|.''', re.S)


def statement_starts(text: str) -> set[int]:
    """The line starts of TOML ``text`` (one that parsed) that are not inside a multi-line string
    or array: where the text before is whole statements. One scan of the text (parsing the text
    before each line took time quadratic in the number of lines)."""
    starts, depth = {0}, 0
    for piece in _TOML_PIECE.finditer(text):
        first = text[piece.start()]
        if first in "[{":
            depth += 1
        elif first in "]}":
            depth -= 1
        elif first == "\n" and depth == 0:
            starts.add(piece.end())
    return starts


def locate_key(text: str, path: list[str]) -> int | None:
    """Offset of the first line of TOML ``text`` that defines the key ``path`` or a key inside it:
    ``key =``, a dotted ``a.key =`` or a table header ``[key]`` / ``[[key]]`` (under the headers
    above it). When only an outer part is in the file (an inline table), the innermost one found."""
    table: list[str] = []
    outer: dict[int, int] = {}     # parts of ``path`` matched -> first offset
    next_start = 0
    starts: set[int] | None = None
    for line in text.split("\n"):        # TOML ends lines with LF or CRLF only
        start, next_start = next_start, next_start + len(line) + 1
        at = start + len(line) - len(line.lstrip(" \t"))
        header = text.startswith("[", at)
        found = _dotted_key_at(text, at + (2 if text.startswith("[[", at) else 1) if header else at)
        if found is None:
            continue
        keys, end = found
        if not text.startswith("]" if header else "=", end):
            continue
        full = keys if header else table + keys
        matched = next((i for i, (a, b) in enumerate(zip(full, path, strict=False)) if a != b),
                       min(len(full), len(path)))
        if not (header or matched):
            continue
        if starts is None:
            starts = statement_starts(text)
        if start not in starts:
            continue
        if header:
            table = keys
        if matched == len(path):
            return at
        if matched:
            outer.setdefault(matched, at)
    return outer[max(outer)] if outer else None


def _parse_toml(path: str) -> tuple[SourceText, dict[str, Any]]:
    # (A config is read as every file besides the inputs is: a FIFO, a device or /proc/kmsg at its
    # name is refused, never waited on; and the build depends on it.)
    try:
        source = decode_utf8(read_side_file(path), path)
    except Unreadable as exc:
        raise PtofixError(f"cannot read the config {path}: {exc.reason}") from None
    if source.text.startswith("\ufeff"):
        # A BOM, which editors may write and TOML does not allow: read as a blank (offsets stay).
        source = SourceText(" " + source.text[1:], source.path)
    try:
        data = toml_loads(source.text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        if m:
            line, col = int(m.group(1)), int(m.group(2))
            starts = source._starts()
            offset = starts[min(line, len(starts)) - 1] + col - 1
            raise PtofixError(f"bad TOML: {msg[:m.start()].strip()}", source, min(offset, len(source.text))) from None
        raise PtofixError(f"bad TOML: {msg}", source) from None
    except RecursionError:
        raise too_deep(source, "bad TOML") from None
    return source, data


def load_config(path: str) -> Config:
    source, data = _parse_toml(path)
    if os.path.basename(path) == "pyproject.toml":
        tool = data.get("tool", {})
        values = tool.get("ptofix", {}) if isinstance(tool, dict) else {}
        if not isinstance(values, dict):
            raise PtofixError(f"[tool.ptofix] must be a table, not {_toml_type(values)}", source,
                              locate_key(source.text, ["tool", "ptofix"]))
        return Config(path, source, values, "tool.ptofix")
    if "tool" in data and isinstance(data["tool"], dict) and "ptofix" in data["tool"]:
        # Accept [tool.ptofix] in ptofix.toml too (same keys), but not both forms.
        values = data["tool"]["ptofix"]
        if not isinstance(values, dict):
            raise PtofixError(f"[tool.ptofix] in {CONFIG_NAME} must be a table, not {_toml_type(values)}", source,
                              locate_key(source.text, ["tool", "ptofix"]))
        other = next((key for key in data if key != "tool"), None)
        if other is not None:
            raise PtofixError(f"use either top-level keys or a [tool.ptofix] table in {CONFIG_NAME}, not both "
                              f"('{other}' is a top-level key)", source, locate_key(source.text, [other]))
        return Config(path, source, dict(values), "tool.ptofix")
    return Config(path, source, data, "")


_TOOL_PTOFIX_HEADER = re.compile(r"^[ \t]*\[[ \t]*tool[ \t]*\.[ \t]*ptofix[ \t]*\]", re.MULTILINE)


def find_config(start: str, passed_over: list[str] | None = None) -> str | None:
    """Nearest ``ptofix.toml``, or ``pyproject.toml`` with a ``[tool.ptofix]`` table, from ``start`` up.
    ``passed_over`` gets the pyproject.toml files read on the way that have none (a table added to
    one would make it the config: the build depends on them)."""
    directory = os.path.abspath(start)
    while True:
        candidate = os.path.join(directory, CONFIG_NAME)
        if os.path.isfile(candidate):
            return candidate
        pyproject = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(pyproject):
            try:
                text = read_side_file(pyproject).decode("utf-8")
            except (Unreadable, UnicodeDecodeError):
                text = ""
            try:
                data = toml_loads(text)
            except (tomllib.TOMLDecodeError, RecursionError):
                # Not TOML: someone else's file, unless it holds a [tool.ptofix] table, which makes
                # it the config (load_config then reports where it is bad; it was passed over).
                data = {"tool": {"ptofix": {}}} if _TOOL_PTOFIX_HEADER.search(text) else {}
            if isinstance(data.get("tool"), dict) and "ptofix" in data["tool"]:
                return pyproject
            if passed_over is not None:
                passed_over.append(pyproject)
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def config_value(config: Config, key: str, option: BuildOption, raw: Any) -> Any:
    """Check the type of the config value ``raw`` of ``key`` and convert it to what the command-line
    ``option`` would have given (a located error when it is not a value the option takes)."""
    where = f"'{key}' in {config.path}"
    if _holds_nul(raw):
        # No file name or program argument can hold one (subprocess would refuse it mid-build).
        raise config.error(key, f"{where} contains a NUL character")
    if option.kind in ("switch", "bool"):
        if not isinstance(raw, bool):
            raise config.error(key, f"{where} must be true or false, not {_toml_type(raw)}")
        return raw
    if option.kind == "argv":
        if isinstance(raw, str):
            return raw
        if isinstance(raw, list) and all(isinstance(x, str) for x in raw):
            return list(raw)
        raise config.error(key, f"{where} must be a string or a list of strings, not {_toml_type(raw)}")
    if option.kind == "append":
        items = raw if isinstance(raw, list) else [raw]
        if not all(isinstance(x, (str, int)) and not isinstance(x, bool) for x in items):
            raise config.error(key, f"{where} must be a string or a list of strings")
        if option.path:
            items = [x if os.path.isabs(x) else os.path.normpath(os.path.join(config.directory, x))
                     for x in map(str, items)]
        return [_convert(config, key, option, str(x)) for x in items]
    # a value option: string, integer, list (comma list) or table (K=V comma list)
    if isinstance(raw, bool) or isinstance(raw, float) or (isinstance(raw, int) and not option.numbers):
        raise config.error(key, f"{where} must be a string, not {_toml_type(raw)}")
    if option.path and not isinstance(raw, str):
        # (A list or table reads as a comma list elsewhere; no path is one.)
        raise config.error(key, f"{where} must be a string (a path), not {_toml_type(raw)}")
    if isinstance(raw, int):
        text = str(raw)
    elif isinstance(raw, str):
        text = raw
    elif isinstance(raw, list) and all(isinstance(x, (str, int)) and not isinstance(x, bool) for x in raw):
        text = ",".join(str(x) for x in raw)
    elif isinstance(raw, dict) and all(isinstance(v, int) and not isinstance(v, bool) for v in raw.values()):
        text = ",".join(f"{k}={v}" for k, v in raw.items())
    else:
        raise config.error(key, f"{where} must be a string, not {_toml_type(raw)}")
    if option.path == "path" and text and not os.path.isabs(text):
        text = os.path.normpath(os.path.join(config.directory, text))
    if option.path == "tool" and os.sep in text and not os.path.isabs(text):
        text = os.path.normpath(os.path.join(config.directory, text))
    value = _convert(config, key, option, text)
    if option.check is not None and isinstance(value, str):
        try:
            option.check(value)
        except PtofixError as exc:     # reported at the key, not later without a place
            raise config.error(key, f"{where}: {exc.diagnostic.message}") from None
    return value


def _convert(config: Config, key: str, option: BuildOption, text: str) -> Any:
    if option.choices is not None and text not in option.choices:
        raise config.error(key, f"'{key}' in {config.path} must be one of "
                                f"{', '.join(option.choices)}, not '{text}'")
    if option.convert is not None:
        try:
            return option.convert(text)
        except (TypeError, ValueError) as exc:      # (OptionValueError: the converter's reason)
            raise config.error(key, f"'{key}' in {config.path}: {exc}") from None
    return text


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\0" in value
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    return False


def _toml_type(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a float", str: "a string", list: "an array",
            dict: "a table"}.get(type(value), type(value).__name__)

