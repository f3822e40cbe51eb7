"""Pipeline logic of ``ptofix build``: settings with provenance, config files, the stage plan, running it.

The build replaces the shell steps of a kernel build script (pto-isa's FA ``compile.sh``):

    IR.mlir --canonicalize--> OUT/STEM.canon.mlir (+ OUT/STEM.slots.json)
            --ptoas FLAGS--> OUT/STEM.cpp            (ptoas writes C++ to stdout, as compile.sh uses it)
            --C++ passes---> OUT/STEM.fixed.cpp      (local-slot-num, pipe-v-barrier)
            --bisheng------> OUT/STEM.so             (only with a caller: -DKERNEL_CPP="OUT/STEM.fixed.cpp" CALLER)
    and OUT/STEM.report.json (settings and where each came from, commands, exit codes, pass reports).

Every value is resolved with the precedence: command-line flag > environment variable > config
file > built-in default (:data:`ENV_VARS` lists the environment variables).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from .cpp.barriers import normalize_patterns
from .cpp.command_line import compiler_macro_flags
from .cpp_fixes import CppFixOptions, fix_cpp, kept_notes, text_report
from .cpp_fixes import cpp_passes as cpp_fix_passes
from .exit_status import ExitStatus
from .frontends import PARSERS
from .input_kind import require
from .ir.model import ptoas_arch
from .ir.parser import parse_ir
from .ir.pipes import INIT_OPS
from .ir.versions import VERSIONS, resolve
from .local_slot_options import NUMBER_KEYS, LocalSlotOptions
from .output import Outputs, check_output_path, write_atomically, write_stderr, write_stdout
from .pass_manager import build_pass, pipeline_text, run_pipeline
from .pto.tpipe import HEADER_RELPATH
from .sidecar import SUFFIX as SIDECAR_SUFFIX
from .sidecar import VERSION as SIDECAR_VERSION
from .sidecar import input_sidecar_candidates, sidecar_text, with_input_sidecar
from .signals import Terminated, die_with_parent
from .source import MAX_INPUT_BYTES, PtofixError, SourceText, read_source, too_deep

if TYPE_CHECKING:
    from .ir.model import Module

# Environment variables honoured when the flag is absent (compile.sh conventions).
ENV_VARS = {
    "ptoas": "PTOAS",
    "bisheng": "BISHENG",
    "pto-lib": "PTO_LIB_PATH",
    "pattern": "FA_REMOVE_VEC_BARRIER_PATTERNS",
}
TOOL_VARS = {"ptoas": "PTOAS", "bisheng": "BISHENG"}
DEFAULT_PTOAS_FLAGS = "--pto-arch=a3 --enable-insert-sync"
# Options that only make sense on the command line.
CLI_ONLY = {"help", "config", "no-config", "dry-run", "quiet"}
# Config keys whose relative values are relative to the config file's directory.
PATH_KEYS = {"pto-lib", "caller", "output-dir", "ir", "sidecar", "depfile", "include"}
TOOL_KEYS = {"ptoas", "bisheng"}
ARGV_KEYS = {"ptoas-flags", "bisheng-flags"}
CONFIG_NAME = "ptofix.toml"




class StageFailed(Exception):
    """A tool stage exited non-zero; ``status`` is the exit status the build returns."""

    def __init__(self, stage: str, status: int):
        super().__init__(stage)
        self.stage = stage
        self.status = status


# ---- options of the build parser, as the resolver sees them ---------------------------------------
@dataclass
class OptionInfo:
    key: str            # config key = long option without "--"
    dest: str
    flag: str           # the long option string, for messages
    kind: str           # "bool" | "value" | "argv" | "append"
    default: Any
    action: argparse.Action


def option_table(parser: argparse.ArgumentParser) -> dict[str, OptionInfo]:
    """Every long option of ``parser`` that can come from a config file or the environment."""
    table: dict[str, OptionInfo] = {}
    for action in parser._actions:  # argparse keeps no public list of actions
        longs = [s for s in action.option_strings if s.startswith("--")]
        if not longs or action.dest in ("help", argparse.SUPPRESS):
            continue
        key = longs[0][2:]
        if key in CLI_ONLY:
            continue
        if isinstance(action, (argparse._StoreTrueAction, argparse._StoreFalseAction,
                               argparse.BooleanOptionalAction)):
            kind = "bool"
        elif isinstance(action, argparse._AppendAction):
            kind = "append"
        elif key in ARGV_KEYS:
            kind = "argv"
        else:
            kind = "value"
        info = OptionInfo(key, action.dest, longs[0], kind, action.default, action)
        # --compile/--no-compile share a dest; the first one names the key.
        if not any(i.dest == action.dest for i in table.values()):
            table[key] = info
    return table


# ---- config files --------------------------------------------------------------------------------
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
    source = read_source(path)
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
                with open(pyproject, "rb") as handle:
                    text = handle.read().decode("utf-8")
            except (OSError, UnicodeDecodeError):
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


def _config_value(config: Config, info: OptionInfo, raw: Any) -> Any:
    """Check the type of a config value and convert it to what argparse would have produced."""
    where = f"'{info.key}' in {config.path}"
    if _holds_nul(raw):
        # No file name or program argument can hold one (subprocess would refuse it mid-build).
        raise config.error(info.key, f"{where} contains a NUL character")
    if info.kind == "bool":
        if not isinstance(raw, bool):
            raise config.error(info.key, f"{where} must be true or false, not {_toml_type(raw)}")
        return raw if not isinstance(info.action, argparse._StoreFalseAction) else not raw
    if info.kind == "argv":
        if isinstance(raw, str):
            return raw
        if isinstance(raw, list) and all(isinstance(x, str) for x in raw):
            return list(raw)
        raise config.error(info.key, f"{where} must be a string or a list of strings, not {_toml_type(raw)}")
    if info.kind == "append":
        items = raw if isinstance(raw, list) else [raw]
        if not all(isinstance(x, (str, int)) and not isinstance(x, bool) for x in items):
            raise config.error(info.key, f"{where} must be a string or a list of strings")
        if info.key in PATH_KEYS:
            items = [x if os.path.isabs(x) else os.path.normpath(os.path.join(config.directory, x))
                     for x in map(str, items)]
        return [_convert(config, info, str(x)) for x in items]
    # a value option: string, integer, list (comma list) or table (K=V comma list)
    if isinstance(raw, bool) or isinstance(raw, float) or (isinstance(raw, int) and info.key not in NUMBER_KEYS):
        raise config.error(info.key, f"{where} must be a string, not {_toml_type(raw)}")
    if (info.key in PATH_KEYS or info.key in TOOL_KEYS) and not isinstance(raw, str):
        # (A list or table reads as a comma list elsewhere; no path is one.)
        raise config.error(info.key, f"{where} must be a string (a path), not {_toml_type(raw)}")
    if isinstance(raw, int):
        text = str(raw)
    elif isinstance(raw, str):
        text = raw
    elif isinstance(raw, list) and all(isinstance(x, (str, int)) and not isinstance(x, bool) for x in raw):
        text = ",".join(str(x) for x in raw)
    elif isinstance(raw, dict) and all(isinstance(v, int) and not isinstance(v, bool) for v in raw.values()):
        text = ",".join(f"{k}={v}" for k, v in raw.items())
    else:
        raise config.error(info.key, f"{where} must be a string, not {_toml_type(raw)}")
    if info.key in PATH_KEYS and text and not os.path.isabs(text):
        text = os.path.normpath(os.path.join(config.directory, text))
    if info.key in TOOL_KEYS and os.sep in text and not os.path.isabs(text):
        text = os.path.normpath(os.path.join(config.directory, text))
    value = _convert(config, info, text)
    check = _VALUE_CHECKS.get(info.key)
    if check is not None and isinstance(value, str):
        try:
            check(value)
        except PtofixError as exc:     # reported at the key, not later without a place
            raise config.error(info.key, f"{where}: {exc.diagnostic.message}") from None
    return value


def _check_patterns(text: str) -> None:
    normalize_patterns(text)


def _check_version(text: str) -> None:
    resolve(text)


# Values checked where the config gives them (the passes would check them later, at no place).
_VALUE_CHECKS = {"pattern": _check_patterns, "target-ptoas": _check_version}


def _convert(config: Config, info: OptionInfo, text: str) -> Any:
    action = info.action
    if action.choices is not None and text not in action.choices:
        raise config.error(info.key, f"'{info.key}' in {config.path} must be one of "
                                     f"{', '.join(map(str, action.choices))}, not '{text}'")
    if action.type is not None and callable(action.type):
        try:
            return action.type(text)
        except (TypeError, ValueError, argparse.ArgumentTypeError) as exc:
            raise config.error(info.key, f"'{info.key}' in {config.path}: {exc}") from None
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


# ---- settings ------------------------------------------------------------------------------------
@dataclass
class Setting:
    value: Any
    origin: str          # "command line" | "environment ($VAR)" | "config (path)" | "default"


@dataclass
class Settings:
    values: dict[str, Setting] = field(default_factory=dict)
    config: Config | None = None
    passed_over: list[str] = field(default_factory=list)   # pyproject.toml files find_config read

    def get(self, key: str, default: Any = None) -> Any:
        s = self.values.get(key)
        return default if s is None else s.value

    def origin(self, key: str) -> str:
        s = self.values.get(key)
        return s.origin if s else "default"

    def by_dest(self, table: dict[str, OptionInfo]) -> dict[str, Any]:
        """The values by the dest of their command-line option (``table``'s)."""
        return {info.dest: self.get(key) for key, info in table.items()}


def resolve_settings(given: Mapping[str, Any], table: dict[str, OptionInfo], env: dict[str, str] | None = None
                     ) -> Settings:
    """Every option of ``table`` by CLI > env > config > default. ``given``: the parsed command line
    by dest (parsed with SUPPRESS defaults, so that an option not given is absent), with ``input``,
    the IR, and ``config`` / ``no_config``; it is not changed."""
    environment: Mapping[str, str] = os.environ if env is None else env
    config: Config | None = None
    config_path = given.get("config")
    if config_path:
        if not os.path.isfile(config_path):
            raise PtofixError(f"no such config file: {config_path}")
        config = load_config(config_path)
    passed_over: list[str] = []
    if not config_path and not given.get("no_config", False):
        found = find_config(os.path.dirname(os.path.abspath(given["input"])), passed_over)
        if found:
            config = load_config(found)
    if config is not None:
        for key in config.values:
            if key not in table:
                known = ", ".join(sorted(table))
                raise config.error(key, f"unknown key '{key}' in {config.path}"
                                        f"{' [tool.ptofix]' if config.table else ''} (known keys: {known})")
    settings = Settings(config=config, passed_over=passed_over)
    for key, info in table.items():
        if info.dest in given:
            settings.values[key] = Setting(given[info.dest], "command line")
        elif key in ENV_VARS and environment.get(ENV_VARS[key], ""):
            settings.values[key] = Setting(environment[ENV_VARS[key]], f"environment ${ENV_VARS[key]}")
        elif config is not None and key in config.values:
            settings.values[key] = Setting(_config_value(config, info, config.values[key]), f"config {config.path}")
        else:
            settings.values[key] = Setting(info.default, "default")
    return settings


def argv_of(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return list(value)
    try:
        return shlex.split(str(value))
    except ValueError as exc:
        raise PtofixError(f"cannot split flags '{value}': {exc}") from None


# ---- tools ---------------------------------------------------------------------------------------
def resolve_tool(tool: str, settings: Settings, *, required: bool) -> tuple[str, str | None]:
    """(path to run, error message or None). The message names the variable to set."""
    var = TOOL_VARS[tool]
    value = settings.get(tool) or tool
    origin = settings.origin(tool) if settings.get(tool) else "default"
    how = f"set {var}=/path/to/{tool}, pass --{tool} PATH, or put {tool} = \"PATH\" in {CONFIG_NAME}"
    if os.sep in value:
        if not os.path.exists(value):
            return value, f"{tool} not found: {value} (from {origin}) does not exist; {how}"
        if os.path.isdir(value) or not os.access(value, os.X_OK):
            return value, f"{tool} at {value} (from {origin}) is not an executable file; {how}"
        return value, None
    found = shutil.which(value)
    if found is None:
        return value, f"{tool} not found: '{value}' (from {origin}) is not on PATH; {how}"
    return found, None


# ---- the plan ------------------------------------------------------------------------------------
@dataclass
class Artefacts:
    out_dir: str
    stem: str

    def path(self, suffix: str) -> str:
        return os.path.join(self.out_dir, self.stem + suffix)

    @property
    def canon(self) -> str:
        return self.path(".canon.mlir")

    @property
    def sidecar(self) -> str:
        return self.path(SIDECAR_SUFFIX)

    @property
    def cpp(self) -> str:
        return self.path(".cpp")

    @property
    def fixed(self) -> str:
        return self.path(".fixed.cpp")

    @property
    def report(self) -> str:
        return self.path(".report.json")

    @property
    def lib(self) -> str:
        return self.path(".so")

    @property
    def obj(self) -> str:
        """The fixed kernel compiled on its own (no caller)."""
        return self.path(".o")

    def all(self) -> list[str]:
        return [self.canon, self.sidecar, self.cpp, self.fixed, self.report, self.lib, self.obj]


def stem_of(path: str) -> str:
    name = os.path.basename(path)
    for suffix in (".mlir", ".pto"):
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[:-len(suffix)]
    return name


@dataclass
class DetectedVersion:
    """What ``ptoas --version`` said and the version ptofix canonicalizes for."""

    name: str | None         # ptofix's version name (None: the tool cannot tell)
    printed: str             # what the tool printed (first line)
    number: str | None       # the version number in it ("0.40", "2026-05-01")
    exact: bool              # the number is a version ptofix knows by that number
    problem: str = ""        # why there is no name

    def note(self, tool: str) -> str:
        if self.exact:
            return f"target ptoas {self.name} (from '{tool} --version': {self.printed!r})"
        known = resolve(self.name) if self.name else None
        label = self.name if known is None or known.number is None or str(self.name).startswith("v") \
            else f"{self.name} (v{known.number[0]}.{known.number[1]})"
        return (f"target ptoas {self.name}: '{tool} --version' says {self.number} ({self.printed!r}), which "
                f"ptofix does not know; using {label}, the nearest known version not after it")

    def origin(self, tool: str) -> str:
        how = "" if self.exact else f", mapped to the nearest known version not after {self.number}"
        return f"'{tool} --version' printed {self.printed!r}{how}"


def ptoas_version(ptoas: str) -> DetectedVersion:
    """The ptoas version from ``ptoas --version`` (``ptoas 0.45``, ``ptoas version 0.45.1``, a date).

    A number ptofix does not list maps to the newest version it knows that is not after it.
    """
    try:
        # (In a process group of its own, as the stages: a hanging probe leaves no process behind.)
        proc = _run_as_group([ptoas, "--version"], timeout=30)
    except (OSError, ValueError, subprocess.TimeoutExpired, ToolOutputTooLarge) as exc:
        return DetectedVersion(None, "", None, False, f"'{ptoas} --version' cannot be run ({exc})")
    output = (proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")).strip()
    # A line naming ptoas first (an LLVM-based tool may also print "LLVM version 19.1.0").
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    output = "\n".join(sorted(lines, key=lambda ln: "ptoas" not in ln.lower()))
    printed = output.splitlines()[0] if output else ""
    if proc.returncode != 0:
        return DetectedVersion(None, printed, None, False,
                               f"'{ptoas} --version' failed (exit status {proc.returncode})")
    match = (re.search(r"\b(\d{4}-\d{2}-\d{2})\b", output)
             or re.search(r"\bv?(\d+\.\d+)(?:\.\d+)*\b", output))
    if match is None:
        return DetectedVersion(None, printed, None, False, f"'{ptoas} --version' prints no version number")
    number = match.group(1)
    line = next((ln.strip() for ln in output.splitlines() if number in ln), printed)
    try:
        version = resolve(number if "-" in number else "v" + number)
    except PtofixError:
        oldest = VERSIONS[0]
        return DetectedVersion(None, line, number, False,
                               f"'{ptoas} --version' says {number}, older than every version ptofix knows "
                               f"(the oldest is {oldest.name}, {oldest.date})")
    exact = number == version.date or ("-" not in number and version.number is not None
                                       and tuple(int(x) for x in number.split(".")[:2]) == version.number)
    return DetectedVersion(version.name, line, number, exact)


def _target_against_ptoas(target: str, settings: Settings, ptoas: str) -> list[str]:
    """Notes on a stated target that is not the ptoas the build runs; an error when that ptoas is
    older than the target, because canonicalize then prints ops or operands it cannot parse (ptoas
    2026-04-17, which says 0.27, rejects the ``pto.declare_global`` a v0.45 target keeps)."""
    wanted = resolve(target)
    detected = ptoas_version(ptoas)
    if detected.name is None:
        return []      # a ptoas that cannot tell: the stated target is all there is
    running = resolve(detected.name)
    if running == wanted:
        return []
    said = f"'{ptoas} --version' says {detected.number} (ptoas {running.name})"
    # (A number ptofix does not list reads as the newest version it knows not after it: say so.)
    given = "" if target.strip().lower() in (wanted.name.lower(), *wanted.aliases) else f"'{target}', read as "
    stated = f"the target, {given}ptoas {wanted.name} (target-ptoas from {settings.origin('target-ptoas')})"
    if running < wanted:
        raise PtofixError(f"{said}, older than {stated}: the canonicalized IR would use ops and operands that "
                          f"ptoas does not know; set target-ptoas to {running.name} or run a ptoas {wanted.name}")
    return [f"{said}, newer than {stated}; the IR is canonicalized for the target"]


_DEPFILE_UNREADABLE = frozenset("\\=;|&'\"?*<>^`[]")


def depfile_text(targets: list[str], deps: list[str]) -> str:
    """``target...: dep...`` as Make and Ninja (`deps = gcc`) both read it: ' ', '#' and ':'
    escaped with a backslash, '$' doubled. A path the two cannot both read as written (a line
    break, a ':' that ends it, a character either reads otherwise) is an error."""
    def escape(path: str, target: bool = False) -> str:
        if "\n" in path or "\r" in path or path.endswith(":"):
            what = "a line break" if "\n" in path or "\r" in path else "a ':' at its end"
            raise PtofixError(f"cannot write the depfile: {path!r} has {what}, which Make and Ninja cannot read "
                              "in a dependency file")
        odd = next((ch for ch in path if ch in _DEPFILE_UNREADABLE or ord(ch) < 32 or ord(ch) == 127
                    or ch == "%" and target), None)
        if odd is not None or path.startswith("~") or path.endswith(")"):
            # (Checked with GNU Make 4.3 and Ninja 1.11: a backslash has no escape both read alike,
            # '=' makes Make read an assignment, ';' '|' and a tab end Make's list, Ninja splits at
            # & ' " ? * < > ^, a backquote and control characters, a word ending in ')' names an
            # archive member and [ ] ? * are wildcards to Make, a '%' in a target makes a pattern
            # rule, a leading '~' is a home directory.)
            shown = odd if odd is not None else "~" if path.startswith("~") else ")"
            raise PtofixError(f"cannot write the depfile: {path!r} holds {shown!r}, which Make or Ninja reads "
                              "otherwise in a dependency file; rename the path or drop --depfile")
        return path.replace(" ", "\\ ").replace("#", "\\#").replace(":", "\\:").replace("$", "$$")
    return f"{' '.join(escape(path, True) for path in targets)}: {' '.join(map(escape, deps))}\n"


def _operand(path: str) -> str:
    """``path`` as a tool's operand: a relative one that starts with '-' would read as an option."""
    return os.path.join(".", path) if path.startswith("-") else path


def ptoas_argv(ptoas: str, flags: list[str], canon: str) -> list[str]:
    return [ptoas, *flags, _operand(canon)]


def bisheng_argv(bisheng: str, pto_lib: str | None, flags: list[str], fixed: str, caller: str | None,
                 lib: str) -> list[str]:
    """The compile.sh command: -I$PTO_LIB_PATH/include FLAGS -DKERNEL_CPP="\"FIXED\"" CALLER -o LIB;
    without a caller, the fixed kernel alone: -I... FLAGS -c FIXED -o OBJ."""
    argv = [bisheng]
    if pto_lib:
        argv.append(f"-I{os.path.join(pto_lib, 'include')}")
    argv.extend(flags)
    if caller is None:
        argv.extend(["-c", _operand(fixed), "-o", _operand(lib)])
        return argv
    path = os.path.abspath(fixed)
    if '"' in path or "\n" in path or "\r" in path:
        # `#include KERNEL_CPP` reads the macro as a "..." header name, which has no escapes.
        raise PtofixError(f"the output directory's path {os.path.dirname(path)!r} holds a quote or a line break, "
                          "which -DKERNEL_CPP=\"...\" cannot name for the caller's #include; choose another "
                          "output directory (-o)")
    argv.append(f'-DKERNEL_CPP="{path}"')
    argv.extend([_operand(caller), "-o", _operand(lib)])
    return argv


def pipeline_spec(passes: list) -> str:
    """The passes as a ``ptofix opt -p`` pipeline (pass_manager.pipeline_text)."""
    return pipeline_text(passes)


def _kill_group(group: int, reap_leader: Callable[[], object], patience: float = 5.0) -> None:
    """SIGKILL every process of ``group`` and wait (up to ``patience`` s) until none is left: a
    process killed in a system call finishes that call first (a rename of the library it wrote).
    ``reap_leader`` reaps the group's leader once it is dead (a non-blocking wait): an unreaped
    zombie still counts as a member, and the group would never read as empty."""
    import time
    deadline = time.monotonic() + patience
    while True:
        try:
            os.killpg(group, signal.SIGKILL)
        except OSError:         # ProcessLookupError: the group is empty
            return
        reap_leader()
        if time.monotonic() > deadline:
            return
        time.sleep(0.01)


# The most a tool may print on either stream: ptofix reads no C++ larger than this (source.py), and
# a tool that prints without end must not fill the memory.
TOOL_OUTPUT_LIMIT = MAX_INPUT_BYTES


class ToolOutputTooLarge(Exception):
    def __init__(self, stream: str, limit: int):
        super().__init__(f"printed more than {limit >> 20} MiB on {stream}")
        self.stream = stream
        self.limit = limit


def _guard_group(group: int) -> tuple[int, int] | None:
    """A process that kills ``group`` (the tool's) when ptofix ends without doing so itself, even by
    SIGKILL (no handler runs then; PR_SET_PDEATHSIG reaches the tool but not the children it
    started): forked, in a session of its own (a signal to ptofix's group does not take it along),
    it waits for the end of a pipe only ptofix writes. Returns (its pid, the pipe's write end) for
    :func:`_dismiss_guard`, or None where it cannot run (then the tool is unguarded, as before)."""
    if sys.platform != "linux":
        return None
    try:
        open_max = max(os.sysconf("SC_OPEN_MAX"), 1 << 16)
    except (OSError, ValueError):
        open_max = 1 << 16
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:        # (the guard: only system calls from here, then _exit)
        try:
            os.setsid()
            for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(signum, signal.SIG_IGN)
            # Nothing of ptofix's kept open (the build lock, the tool's pipes), but the read end.
            os.closerange(0, read_end)
            os.closerange(read_end + 1, open_max)
            if os.read(read_end, 1) == b"":         # ptofix ended without dismissing the guard
                os.killpg(group, signal.SIGKILL)
        finally:
            os._exit(0)
    os.close(read_end)
    return pid, write_end


def _dismiss_guard(guard: tuple[int, int] | None) -> None:
    if guard is None:
        return
    pid, write_end = guard
    try:
        os.write(write_end, b"d")
    except OSError:
        pass
    os.close(write_end)
    try:
        os.waitpid(pid, 0)
    except (ChildProcessError, InterruptedError):
        pass


def _read_bounded(proc: subprocess.Popen, posix: bool, timeout: float | None) -> tuple[bytes, bytes]:
    """Everything ``proc`` prints on stdout and stderr until both end, at most TOOL_OUTPUT_LIMIT
    bytes each (past it: ToolOutputTooLarge). A tool that has exited while a process it left in its
    group still holds its output open: the stage is over once that one is gone too."""
    import selectors
    import time
    deadline = None if timeout is None else time.monotonic() + timeout
    assert proc.stdout is not None and proc.stderr is not None
    streams: dict[int, tuple[str, bytearray]] = {proc.stdout.fileno(): ("stdout", bytearray()),
                                                 proc.stderr.fileno(): ("stderr", bytearray())}
    with selectors.DefaultSelector() as selector:
        for fd in streams:
            selector.register(fd, selectors.EVENT_READ)
        next_check = time.monotonic() + 0.2
        while selector.get_map():
            for key, _events in selector.select(0.2):
                chunk = os.read(key.fd, 1 << 16)
                name, data = streams[key.fd]
                if not chunk:
                    selector.unregister(key.fd)
                    continue
                data += chunk
                if len(data) > TOOL_OUTPUT_LIMIT:
                    raise ToolOutputTooLarge(name, TOOL_OUTPUT_LIMIT)
            now = time.monotonic()
            if deadline is not None and now > deadline:
                raise subprocess.TimeoutExpired(proc.args, timeout or 0)
            if now >= next_check:
                next_check = now + 0.2
                if posix and proc.poll() is not None:
                    _kill_group(proc.pid, proc.poll)
    # (Both streams ended; the tool may still run, having closed them: the deadline holds.)
    proc.wait(None if deadline is None else max(0.0, deadline - time.monotonic()))
    return bytes(streams[proc.stdout.fileno()][1]), bytes(streams[proc.stderr.fileno()][1])


def _run_as_group(argv: list[str], timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run ``argv`` to completion, capturing its output (bounded: see _read_bounded), in a process
    group of its own: when the build is interrupted (Ctrl-C, SIGTERM, SIGHUP), the whole group is
    killed and reaped before the cleanup and the lock's release, so no compiler child (a driver's
    linker) outlives the build and writes into an output directory the next build already owns;
    a guard process does the same if ptofix is killed outright (SIGKILL). A ``timeout`` that
    expires does the same and raises subprocess.TimeoutExpired."""
    posix = os.name == "posix"
    # (stdin: nothing. A tool reading it would wait on ptofix's caller, or take input meant for
    # another program; and with descriptor 0 closed, the first file the tool opened would take it.)
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=posix, preexec_fn=die_with_parent if sys.platform == "linux" else None)
    guard = _guard_group(proc.pid) if posix else None
    try:
        try:
            out, err = _read_bounded(proc, posix, timeout)
        except BaseException:
            if posix:
                _kill_group(proc.pid, proc.poll)
            proc.kill()
            proc.wait()
            raise
        finally:
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
        if posix:
            # A process the tool left behind in its group (a driver's child still writing) must not
            # outlive the stage either: the next stage, or the next build, owns the directory.
            _kill_group(proc.pid, proc.poll)
    finally:
        _dismiss_guard(guard)
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def run_tool(stage: str, argv: list[str], stdout_path: str | None) -> dict[str, Any]:
    """Run one tool; its stderr (and stdout unless captured to a file) is passed through.

    Raises :class:`StageFailed` with the tool's exit status (128+N for signal N)."""
    try:
        proc = _run_as_group(argv)
    except ToolOutputTooLarge as exc:
        raise PtofixError(f"{stage} ({argv[0]}) printed more than {exc.limit >> 20} MiB on {exc.stream}: stopped "
                          f"it (ptofix reads no C++ larger than that)") from None
    except OSError as exc:
        raise PtofixError(f"cannot run {stage} ({argv[0]}): {exc.strerror}") from None
    except ValueError as exc:        # an argument with a NUL character
        raise PtofixError(f"cannot run {stage} ({argv[0]}): {exc}") from None
    err = proc.stderr.decode("utf-8", "replace")
    out = proc.stdout.decode("utf-8", "replace")
    if err:
        write_stderr(err if err.endswith("\n") else err + "\n")
    status = proc.returncode
    record: dict[str, Any] = {"stage": stage, "command": argv, "exit_status": status,
                              "stderr": err[-4000:]}
    if status != 0:
        if out and stdout_path is None:
            write_stdout(out)
        code = 128 - status if status < 0 else status
        if status < 0:
            try:
                name = signal.Signals(-status).name
            except ValueError:
                name = f"signal {-status}"
            what = f"killed by {name}"
        else:
            what = f"exit status {status}"
        write_stderr(f"ptofix build: error: {stage} failed ({what}): {shlex.join(argv)}\n")
        record["failed"] = True
        raise StageFailedWithRecord(stage, code, record)
    if stdout_path is not None:
        # ptoas's bytes as it printed them: the next stage refuses what is not UTF-8, as `ptofix run` does.
        write_atomically(stdout_path, proc.stdout, "build artefact")
        record["output"] = stdout_path
    elif out:
        write_stdout(out)
    return record


class StageFailedWithRecord(StageFailed):
    def __init__(self, stage: str, status: int, record: dict[str, Any]):
        super().__init__(stage, status)
        self.record = record


def write_report(path: str, report: dict[str, Any]) -> None:
    write_atomically(path, json.dumps(report, indent=2) + "\n", "build report")


# ---- the plan: every decision of a build, before anything runs --------------------------------------
@dataclass
class Plan:
    input: str
    art: Artefacts
    target_ptoas: str
    to: str
    ptoas_cmd: list[str]
    passes: list
    bisheng_cmd: list[str] | None
    kernel_output: str | None        # OUT/STEM.so (with a caller) or OUT/STEM.o (kernel alone)
    compile_note: str                # why bisheng runs or not
    depfile: str | None
    deps: list[str]                  # what the depfile names
    notes: list[str] = field(default_factory=list)
    tool_errors: list[str] = field(default_factory=list)
    default_ptoas_flags: bool = False    # ptoas runs with DEFAULT_PTOAS_FLAGS (no --ptoas-flags, no config key)
    slot_map_config: Config | None = None   # the config file, when it gave the local-slot-num map
    include_dirs: list[str] = field(default_factory=list)   # where the C++ passes look for headers (bisheng's)
    macro_flags: list[str] = field(default_factory=list)    # the -D/-U the C++ passes take (bisheng's)


def make_plan(input_path: str, settings: Settings, table: dict[str, OptionInfo]) -> Plan:
    """Resolve the target version, the tools, the passes and the commands (runs only `ptoas --version`)
    for the IR ``input_path``."""
    values = settings.by_dest(table)
    if not values.get("output_dir"):
        raise PtofixError("build needs an output directory: -o OUT_DIR (or output-dir in the config file)")
    notes: list[str] = []
    ptoas, ptoas_err = resolve_tool("ptoas", settings, required=True)
    target = values.get("target_ptoas")
    if not target:
        # compile.sh never names the version: ask the ptoas this build runs.
        detected = DetectedVersion(None, "", None, False, ptoas_err or "") if ptoas_err else ptoas_version(ptoas)
        if detected.name is None:
            raise PtofixError("build needs the ptoas version to canonicalize for, and " + detected.problem
                              + (f" (it printed: {detected.printed[:80]!r})" if detected.printed
                                 and "prints no version" in detected.problem else "")
                              + ": pass --target-ptoas VERSION (or target-ptoas = \"v0.45\" in ptofix.toml)")
        target = detected.name
        settings.values["target-ptoas"] = Setting(detected.name, detected.origin(ptoas))
        notes.append(detected.note(ptoas))
    elif not ptoas_err:
        notes += _target_against_ptoas(target, settings, ptoas)
    resolve(target)
    if not os.path.isfile(input_path):
        raise PtofixError(f"no such file: {input_path}" if not os.path.exists(input_path)
                          else f"cannot read {input_path}: not a regular file")

    art = Artefacts(values["output_dir"], stem_of(input_path))
    if art.stem.endswith(".fixed"):
        # Its ptoas output STEM.cpp would be the fixed C++ of the stem without '.fixed'.
        raise PtofixError(f"the IR's name gives the artefact stem '{art.stem}', whose ptoas output {art.cpp} is "
                          f"the fixed C++ of a build of '{art.stem[:-6]}' into the same directory; rename the IR")
    def flags_of(key: str, value: Any) -> list[str]:
        try:
            return argv_of(value)
        except PtofixError as exc:
            if settings.config is not None and settings.origin(key).startswith("config"):
                raise settings.config.error(key, exc.diagnostic.message) from None
            raise

    ptoas_flags = flags_of("ptoas-flags", values.get("ptoas_flags") if values.get("ptoas_flags") is not None
                           else DEFAULT_PTOAS_FLAGS)
    # (LLVM's option parser takes `-o F`, `--o F`, `-o=F` and `--o=F`.)
    stray = next((w for w in ptoas_flags if w in ("-o", "--o") or w.startswith(("-o=", "--o="))), None)
    if stray is not None:
        message = f"ptoas-flags hold the output option '{stray}': the build names ptoas's output itself ({art.cpp})"
        if settings.config is not None and settings.origin("ptoas-flags").startswith("config"):
            raise settings.config.error("ptoas-flags", message)
        raise PtofixError(message)
    bisheng_flags = flags_of("bisheng-flags", values.get("bisheng_flags"))
    pto_lib = values.get("pto_lib") or None
    caller = values.get("caller") or None
    # A build that has a compiler compiles: with a caller as compile.sh does, else the fixed kernel
    # on its own (`-c`, an object next to the other artefacts).
    compiler_origin = settings.origin("bisheng") if settings.get("bisheng") else None
    if values.get("compile") is False:
        compile_, compile_note = False, "--no-compile"
    elif values.get("compile"):
        compile_, compile_note = True, f"compile = true ({settings.origin('compile')})"
    elif compiler_origin:
        compile_, compile_note = True, f"compiler set ({compiler_origin})"
    elif caller is not None:
        compile_, compile_note = True, f"caller set ({settings.origin('caller')})"
    else:
        compile_, compile_note = False, "no compiler set: --bisheng, $BISHENG or bisheng in the config"
    passes = cpp_passes(values, target, art, table, settings)
    for pass_ in passes:
        if pass_.name == "local-slot-num":
            pass_.target_order()      # a pto-lib header the pass cannot use stops the build now
            _check_slot_values(pass_, settings)
    if "__PTO_AUTO__" in _defined_macros(bisheng_flags) and any(p.name == "pipe-v-barrier" for p in passes):
        # pto-isa's auto mode makes TASSIGN a no-op and compiles library barriers out: the
        # addresses and drains the proof reads are not the ones the kernel runs with.
        raise PtofixError("bisheng flags define __PTO_AUTO__ (pto-isa's auto mode), but the PIPE_V barrier proof "
                          "assumes explicit mode (TASSIGN addresses, the ops' own barriers): drop the flag or the "
                          "barrier pattern")
    bisheng_err = None
    pto_lib_problem = _pto_lib_problem(pto_lib, settings)
    if pto_lib_problem and not compile_:
        notes.append(pto_lib_problem)
        pto_lib_problem = None
    elif pto_lib and not pto_lib_problem and not os.path.isfile(os.path.join(pto_lib, HEADER_RELPATH)):
        notes.append(f"pto-lib {pto_lib} has no {HEADER_RELPATH}: the TPipe argument order stays as ptoas wrote it")
    bisheng_cmd = kernel_output = None
    inputs = named_inputs(input_path, settings, table, ptoas, caller, pto_lib, art)
    if compile_ and caller is not None and not os.path.isfile(caller):
        what = "no such file" if not os.path.exists(caller) else "not a regular file"
        raise PtofixError(f"caller {caller}: {what} ({settings.origin('caller')})")
    if compile_:
        bisheng, bisheng_err = resolve_tool("bisheng", settings, required=True)
        kernel_output = art.lib if caller is not None else art.obj
        bisheng_cmd = bisheng_argv(values.get("bisheng") or "bisheng", pto_lib, bisheng_flags, art.fixed, caller,
                                   kernel_output)
        if not bisheng_err:
            inputs.append(("the bisheng", bisheng))
    ptoas_cmd = ptoas_argv(values.get("ptoas") or "ptoas", ptoas_flags, art.canon)
    # The C++ passes read the headers the kernel includes where bisheng finds them: its flags' -I
    # directories, then the pto-isa checkout's include directory (`-I$PTO_LIB_PATH/include`).
    include_dirs = list(values.get("include_dirs") or []) + include_directories(bisheng_flags) \
        + ([os.path.join(pto_lib, "include")] if pto_lib else [])
    for directory in values.get("include_dirs") or []:
        if not os.path.isdir(directory):
            raise PtofixError(f"include {directory} ({settings.origin('include')}): not a directory")
    # The macros bisheng gets on its command line are the kernel's too: --define/--undefine first,
    # then the bisheng flags' own -D/-U, whose last word is what bisheng compiles with.
    try:
        bisheng_macros = compiler_macro_flags(bisheng_flags)
    except PtofixError as exc:
        raise PtofixError(f"bisheng flags ({settings.origin('bisheng-flags')}): {exc.diagnostic.message}") from None
    macro_flags = list(values.get("define_flags") or []) + list(values.get("undefine_flags") or []) \
        + bisheng_macros
    depfile = values.get("depfile") or None
    deps = list(dict.fromkeys(os.path.abspath(path) for what, path in inputs if what != "the bisheng"))
    refuse_outputs_over_inputs(art, depfile, inputs)
    if depfile:
        depfile_text([art.fixed], deps)      # every path can be written in it
    return Plan(input_path, art, target, values["to"], ptoas_cmd, passes, bisheng_cmd, kernel_output,
                compile_note, depfile, deps, notes, [e for e in (ptoas_err, bisheng_err, pto_lib_problem) if e],
                values.get("ptoas_flags") is None, _slot_map_config(settings), include_dirs, macro_flags)


def include_directories(flags: list[str]) -> list[str]:
    """The include directories compiler flags name (`-I DIR`, `-IDIR`, `--include-directory=DIR`), in
    order; a relative one is relative to the directory bisheng runs in (this one)."""
    found: list[str] = []
    for i, flag in enumerate(flags):
        if flag in ("-I", "--include-directory") and i + 1 < len(flags):
            found.append(flags[i + 1])
        elif flag.startswith("-I") and len(flag) > 2:
            found.append(flag[2:])
        elif flag.startswith("--include-directory="):
            found.append(flag.split("=", 1)[1])
    return [os.path.abspath(directory) for directory in found]


def check_slot_values_against_ir(plan: Plan, module: Module) -> None:
    """A LocalSlotNum above the SlotNum of the pipes it would go to fails at stage 3: refused
    before OUT_DIR is touched (every pipe's value against each init's slot_num, a per-FlagID one
    against the largest). ``module``: the input IR, as check_arch read it."""
    passes = [p for p in plan.passes if getattr(p, "name", "") == "local-slot-num" and p.map]
    if not passes:
        return
    slot_nums = [n for op in module.walk() if op.name in INIT_OPS
                 for n in [op.int_attr("slot_num")] if isinstance(n, int)]
    if not slot_nums:
        return
    every, per_flag = passes[0].requested_map()
    bad = every if every is not None and every > min(slot_nums) else \
        next((v for v in per_flag.values() if v > max(slot_nums)), None)
    if bad is not None:
        raise _slot_map_error(plan.slot_map_config,
                              f"local-slot-num {passes[0].map}: LocalSlotNum {bad} is above the SlotNum "
                              f"({min(slot_nums) if every is not None else max(slot_nums)}) of the IR's pipes it "
                              "would go to (0 < LocalSlotNum <= SlotNum)")


def _slot_map_error(config: Config | None, message: str) -> PtofixError:
    """The error of a bad local-slot-num map: at the config key when the config gave it."""
    return config.error("local-slot-num", message) if config is not None else PtofixError(message)


def _slot_map_config(settings: Settings) -> Config | None:
    """The config file, when it is what gave the local-slot-num map."""
    from_config = settings.config is not None and settings.origin("local-slot-num").startswith("config")
    return settings.config if from_config else None


def _check_slot_values(pass_, settings: Settings) -> None:
    """A LocalSlotNum below 1 fits no pipe (0 < LocalSlotNum <= SlotNum): refused when the build is
    planned, at the config key that gave it, not at stage 3 after the old artefacts are gone."""
    bad = next((v for v in pass_.requested_values() if v < 1), None)
    if bad is not None:
        raise _slot_map_error(_slot_map_config(settings), f"local-slot-num {pass_.map}: LocalSlotNum {bad} fits no "
                              "pipe (0 < LocalSlotNum <= SlotNum)")


def _pto_lib_problem(pto_lib: str | None, settings: Settings) -> str | None:
    """What is wrong with the pto-isa checkout bisheng gets as -I PTO_LIB/include (None if nothing).
    Without TPush.hpp there the LocalSlotNum pass keeps ptoas's TPipe argument order: a note."""
    if not pto_lib:
        return None
    include = os.path.join(pto_lib, "include")
    if not os.path.isdir(include):
        # (A common slip: the include directory itself, which bisheng would get as include/include.)
        hint = (f"; {pto_lib} looks like the include directory itself: give the checkout "
                f"{os.path.dirname(os.path.normpath(pto_lib))}"
                if os.path.isdir(os.path.join(pto_lib, "pto")) else "")
        return (f"pto-lib {pto_lib} (from {settings.origin('pto-lib')}) has no include directory (bisheng would "
                f"get -I{include}){hint}")
    return None


def named_inputs(input_path: str, settings: Settings, table: dict[str, OptionInfo], ptoas: str,
                 caller: str | None, pto_lib: str | None, art: Artefacts) -> list[tuple[str, str]]:
    """The files the build reads, as (what it is, path): the IR, the config file, the caller, IR/sidecar
    files the user named, the pto-isa TPipe header the pass reads, and the ptoas that runs. The
    depfile names them all: the fixed C++ depends on each."""
    inputs = [("the IR", input_path)]
    if settings.config is not None:
        inputs.append(("the config file", settings.config.path))
    inputs += [("a pyproject.toml the config search read", path) for path in settings.passed_over]
    # (One that is an artefact path of this build, `kern.slots.json` of `build kern -o .`, is an
    # earlier build's, which check_output_dir tells apart from a file of the user's.)
    artefacts = {_entry(path) for path in art.all()}
    inputs += [("the IR's own sidecar", path) for path in input_sidecar_candidates(input_path)
               if os.path.isfile(path) and _entry(path) not in artefacts]
    if caller:
        inputs.append(("the caller", caller))
    for key in ("ir", "sidecar"):
        info = table.get(key)
        value = settings.get(key) if info is not None else None
        if info is not None and settings.origin(key) != "default" and value and os.path.isfile(value):
            inputs.append((f"the {info.flag} file", value))
    if pto_lib:
        header = os.path.join(pto_lib, HEADER_RELPATH)
        if os.path.isfile(header):
            inputs.append(("the pto-isa header", header))
    if os.path.isfile(ptoas):
        inputs.append(("the ptoas", ptoas))
    return inputs


def _entry(path: str) -> str:
    """The directory entry ``path`` names: its directory resolved, its last component kept (a
    symlink there is the entry the build removes, not its target)."""
    absolute = os.path.abspath(path)
    return os.path.join(os.path.realpath(os.path.dirname(absolute)), os.path.basename(absolute))


def _file_ids(path: str, *, follow: bool) -> set[tuple[int, int]]:
    ids = set()
    for stat_ in ((os.stat, os.lstat) if follow else (os.lstat,)):
        try:
            st = stat_(path)
        except (OSError, ValueError):
            continue
        ids.add((st.st_dev, st.st_ino))
    return ids


def refuse_outputs_over_inputs(art: Artefacts, depfile: str | None, inputs: list[tuple[str, str]]) -> None:
    """No file the build removes or writes (every artefact path, the depfile) is one it reads: a
    caller, --sidecar or --ir file named like an artefact would be deleted as a previous build's
    artefact, and a depfile named like an artefact would replace it after the build."""
    hint = {"build artefact": "choose another output directory (-o)", "depfile": "name another depfile"}
    outputs = [("build artefact", path) for path in art.all()]
    if depfile:
        outputs.append(("depfile", depfile))
    for what, path in outputs:
        entry, ids = _entry(path), _file_ids(path, follow=False)
        readers = inputs if what != "depfile" else inputs + [("a build artefact", artefact) for artefact in art.all()]
        for name, given in readers:
            if entry in (_entry(given), os.path.realpath(given)) or ids & _file_ids(given, follow=True):
                # Located at the file the user named (an empty text: it is not read).
                named = path if what == "depfile" and name == "a build artefact" else given
                raise PtofixError(f"refusing to write the {what} to {path}: it is {name}; {hint[what]}",
                                  SourceText("", named))


def _defined_macros(flags: list[str]) -> list[str]:
    """The macro names ``-DNAME[=V]`` / ``-D NAME[=V]`` of a compiler command line."""
    names = []
    for index, flag in enumerate(flags):
        if flag == "-D" and index + 1 < len(flags):
            names.append(flags[index + 1].split("=", 1)[0])
        elif flag.startswith("-D") and len(flag) > 2:
            names.append(flag[2:].split("=", 1)[0])
    return names


def cpp_passes(values: dict[str, Any], target: str, art: Artefacts, table: dict[str, OptionInfo],
               settings: Settings) -> list:
    """The C++ passes, as `ptofix run` builds them, for the resolved option ``values`` (by dest) and the
    ptoas version ``target``, with the LocalSlotNum intent defaulting to the canonicalized IR and its
    sidecar (``--ir=``, empty, turns the IR matching off)."""
    values = {**values, "target_ptoas": target}
    for key, path in (("ir", art.canon), ("sidecar", art.sidecar)):
        info = table.get(key)
        if info is None:
            continue
        if settings.origin(key) == "default":
            values[info.dest] = path
            continue
        # A file the user named is read only at stage 3: check it now, before any stage runs.
        given = values.get(info.dest)
        if given and not os.path.isfile(given):
            what = "no such file" if not os.path.exists(given) else "not a regular file"
            raise PtofixError(f"{info.flag} {given}: {what} ({settings.origin(key)})")
    # --pto-lib / PTO_LIB_PATH is the include path for bisheng; the LocalSlotNum pass (its TPipe
    # argument order) and the barrier proof (the pto-isa facts) read its headers only if they are there.
    pto_lib = values.get("pto_lib")
    if pto_lib and not os.path.isfile(os.path.join(pto_lib, HEADER_RELPATH)):
        values["pto_lib"] = pto_lib = None
    options = CppFixOptions(pattern=values.get("pattern"), force=bool(values.get("force")),
                            # The build compiles the fixed kernel #included by the caller: one translation unit.
                            translation_unit=not values.get("caller"), pto_isa=pto_lib or None,
                            local_slot=LocalSlotOptions.from_values(values))
    return cpp_fix_passes(options)


def plan_text(plan: Plan, settings: Settings, table: dict[str, OptionInfo]) -> str:
    """The plan as `--dry-run` prints it: settings with their origin, then the commands."""
    art = plan.art
    lines = [f"# ptofix build --dry-run: {plan.input} -> {art.out_dir}/"]
    if settings.config is not None:
        lines.append(f"# config: {settings.config.path}")
    for key in table:
        s = settings.values[key]
        if s.value in (None, False, "", []) or (s.origin == "default" and key == "to"):
            continue
        value = s.value if not isinstance(s.value, list) else shlex.join(s.value)
        lines.append(f"#   {key} = {value}  [{s.origin}]")
    q = shlex.quote
    o = _operand     # (a dash-led relative path would read as an option)
    lines.append(f"mkdir -p {q(o(art.out_dir))}")
    lines.append(shlex.join(["ptofix", "canonicalize", "--target-ptoas", plan.target_ptoas, "--to", plan.to,
                             o(plan.input), "-o", o(art.canon), "--sidecar", o(art.sidecar)]))
    lines.append(f"{shlex.join(plan.ptoas_cmd)} > {q(art.cpp)}")
    if plan.passes:
        lines.append(shlex.join(["ptofix", "opt", *plan.macro_flags, "-p", pipeline_spec(plan.passes), o(art.cpp),
                                 "-o", o(art.fixed)]))
    else:
        lines.append(shlex.join(["cp", o(art.cpp), o(art.fixed)]) + "   # no C++ pass selected")
    if plan.bisheng_cmd:
        lines.append(f"# bisheng runs: {plan.compile_note}")
        lines.append(shlex.join(plan.bisheng_cmd))
    else:
        lines.append(f"# bisheng: skipped ({plan.compile_note})")
    lines.append(f"# report: {art.report}")
    if plan.depfile:
        lines.append(f"# depfile: {plan.depfile}: {' '.join(plan.deps)}")
    return "\n".join(lines) + "\n"


# ---- execution ---------------------------------------------------------------------------------------
def check_output_dir(art: Artefacts, depfile: str | None = None) -> None:
    """OUT_DIR is (or can be created as) a writable directory, no artefact path in it is anything
    but a regular file, and the depfile can be written (its directory too is created if need
    be: it is often OUT_DIR itself). Creates nothing."""
    if depfile:
        depfile_dir = os.path.dirname(os.path.abspath(depfile)) if "\0" not in depfile else ""
        if depfile_dir and not os.path.lexists(depfile_dir):
            _check_creatable(depfile_dir, f"cannot write depfile {depfile}: cannot create directory "
                                          f"{os.path.dirname(depfile)}")
        else:
            check_output_path(depfile, "depfile")
    directory = art.out_dir
    if os.path.islink(directory) and not os.path.exists(directory):
        raise PtofixError(f"output directory {directory} is a symbolic link to {os.readlink(directory)}, "
                          "which does not exist")
    if os.path.exists(directory):
        if not os.path.isdir(directory):
            raise PtofixError(f"output directory {directory} exists and is not a directory")
        for path in art.all():
            check_output_path(path, "build artefact")
        lock = os.path.join(directory, f".{art.stem}.lock")
        if os.path.lexists(lock) and (os.path.islink(lock) or not os.path.isfile(lock)):
            raise PtofixError(f"cannot lock {lock}: not a regular file")
        return
    _check_creatable(directory, f"cannot create output directory {directory}")


def _check_creatable(directory: str, failure: str) -> None:
    """``directory`` (absent) can be created: its nearest existing parent is a writable directory."""
    parent = os.path.dirname(os.path.abspath(directory))
    while not os.path.exists(parent):
        if os.path.islink(parent):
            raise PtofixError(f"{failure}: {parent} is a symbolic link to {os.readlink(parent)}, which does not exist")
        up = os.path.dirname(parent)
        if up == parent:
            break
        parent = up
    if not os.path.isdir(parent):
        raise PtofixError(f"{failure}: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PtofixError(f"{failure}: {parent} is not writable")


def lock_stem(art: Artefacts, say, held: list[int]) -> None:
    """Take an exclusive lock on OUT_DIR/.STEM.lock, waiting for another build of the same stem
    into OUT_DIR to finish: two builds at once would remove and write each other's artefacts,
    leaving a report, a fixed C++ and a library from different builds. Its descriptor goes to
    ``held``; closing it releases the lock. (The file stays: removing it would let a third build
    lock a new file while one still runs.)"""
    try:
        import fcntl
    except ImportError:      # pragma: no cover - no flock on this platform
        return
    path = os.path.join(art.out_dir, f".{art.stem}.lock")
    try:
        os.makedirs(art.out_dir, exist_ok=True)
        # 0o666 less the umask, as the artefacts get: in a group-shared directory every member's
        # build can open it; flock needs no write access, so a lock file of another user is
        # opened read-only.
        # (O_NOFOLLOW: a link planted there must not make the build create a file elsewhere.)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o666)
    except PermissionError:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
        except OSError as exc:
            raise PtofixError(f"cannot lock {path}: {exc.strerror or exc}") from None
    except OSError as exc:
        raise PtofixError(f"cannot lock {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise PtofixError(f"cannot lock {path}: not a regular file")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        say(f"waiting for another build of {art.stem} into {art.out_dir} to finish")
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError:
        pass                 # a file system without locks: build unguarded, as before
    held.append(fd)


def _claimed_by_previous_build(art: Artefacts) -> set[str]:
    """The artefact paths an earlier build of this stem into OUT_DIR wrote or was about to write:
    those its report (which every build writes before its first artefact) claims."""
    try:
        with open(art.report, encoding="utf-8") as handle:
            report = json.load(handle)
    except (OSError, ValueError):
        return set()
    if not isinstance(report, dict) or report.get("stem") != art.stem:
        return set()
    claims = report.get("claims")
    if not isinstance(claims, list):       # a report of a ptofix before claims: what it wrote
        artefacts = report.get("artefacts")
        claims = list(artefacts.values()) if isinstance(artefacts, dict) else []
    names = {os.path.basename(path) for path in claims if isinstance(path, str)}
    return {path for path in art.all() if os.path.basename(path) in names} | {art.report}


def prepare_output_dir(art: Artefacts, depfile: str | None = None, report: dict[str, Any] | None = None) -> None:
    """Create OUT_DIR and remove the previous build's artefacts and depfile (after the input was
    accepted): a failed build leaves none of them to contradict it. A file named like an artefact
    that no earlier build of this stem claims (`-o .` beside a hand-kept STEM.cpp) is not removed:
    the build stops. ``report`` is written first, claiming every artefact path."""
    claimed = _claimed_by_previous_build(art)
    foreign = [path for path in art.all() if os.path.lexists(path) and path not in claimed]
    if foreign:
        raise PtofixError(f"refusing to replace {foreign[0]}: no earlier ptofix build of '{art.stem}' wrote it "
                          f"({art.report} does not claim it); move it away or choose another output directory (-o)")
    try:
        os.makedirs(art.out_dir, exist_ok=True)
        if report is not None:
            # First (replacing the old report at once): it claims every artefact path, so a build
            # stopped while the old ones are removed leaves none unclaimed.
            write_report(art.report, report)
        for stale in art.all() + ([depfile] if depfile else []):
            if (report is None or stale != art.report) and os.path.lexists(stale):
                os.unlink(stale)
    except OSError as exc:
        raise PtofixError(f"cannot prepare output directory {art.out_dir}: {exc.strerror or exc}") from None


_TARGET_ARCH_ATTR = re.compile(r'"?pto\.target_arch"?\s*=')


def check_arch(plan: Plan, source: SourceText) -> Module:
    """canonicalize prepares the IR for the arch its module states (a3 when it states none), e.g.
    drops a5's unsupported local_slot_num; a `--pto-arch` for ptoas that says otherwise would
    compile IR prepared for another arch, so the build stops before writing anything.

    ptoas's rule (tools/ptoas/driver.cpp at 393929e9, `hasCLIOption`): an argv word exactly
    `--pto-arch` or `--pto-arch=...` overrides the module's arch; any other spelling (`-pto-arch`,
    a response file) only sets the option's value, which the module's valid `pto.target_arch`
    wins over. Returns the module it read (the other plan checks read it too)."""
    cli_arch = other_arch = None
    response_file = None
    cmd = plan.ptoas_cmd
    for i, word in enumerate(cmd[1:], start=1):
        value = word.split("=", 1)[1] if word.startswith(("--pto-arch=", "-pto-arch=")) \
            else cmd[i + 1] if word in ("--pto-arch", "-pto-arch") and i + 1 < len(cmd) else None
        if value is not None and word.startswith("--"):
            cli_arch = value
        elif value is not None:
            other_arch = value
        elif word.startswith("@"):
            response_file = word
    require(source, "mlir")
    module = parse_ir(source)
    inits = [op for op in module.walk() if op.name in INIT_OPS]
    if not inits:
        return module     # no pipe init: nothing canonicalize or the C++ passes do depends on the arch
    module_arch = module.declared_target_arch()
    stated_valid = module_arch is not None and module_arch.strip().lower() in ("a3", "a5")
    # The value the option takes when the module's arch does not decide (the last spelling wins).
    flag_arch = cli_arch if cli_arch is not None else (None if stated_valid else other_arch)
    for index, pass_ in enumerate(plan.passes):
        if getattr(pass_, "name", "") == "local-slot-num":
            # The arch ptoas compiles for. The pass then need not guess it from the C++.
            arch = ptoas_arch(flag_arch) if flag_arch and flag_arch.lower() in ("a3", "a5") else module.target_arch()
            plan.passes[index] = replace(pass_, pto_arch=arch)
    if response_file is not None and cli_arch is None and not stated_valid:
        raise PtofixError(f"ptoas runs with the response file '{response_file}', which may set --pto-arch for a "
                          "module that states no arch: canonicalize and the LocalSlotNum pass prepare the pipes "
                          "for the module's arch; give the flags themselves, or state pto.target_arch", source,
                          inits[0].span.start)
    if flag_arch is None:
        return module
    if flag_arch.lower() not in ("a3", "a5"):
        return module     # (ptoas refuses the flag itself)
    stated = _TARGET_ARCH_ATTR.search(re.sub(r"//[^\n]*", lambda m: " " * len(m.group()), source.text))
    where = stated.start() if stated is not None and module_arch else inits[0].span.start
    if ptoas_arch(flag_arch) != module.target_arch():
        said = f'pto.target_arch = "{module_arch}"' if module_arch else "no pto.target_arch (a3)"
        if plan.default_ptoas_flags:
            # The user gave no flag: the default's a3 is what disagrees with the module.
            wanted = module_arch or "a3"
            raise PtofixError(f"ptoas runs with the default flags '{DEFAULT_PTOAS_FLAGS}' but the module says {said}:"
                              " canonicalize prepares the IR for the module's arch; pass "
                              f"--ptoas-flags='--pto-arch={wanted} --enable-insert-sync' (or set ptoas-flags in "
                              "the config file)", source, where)
        raise PtofixError(f"ptoas runs with --pto-arch={flag_arch} but the module says {said}: canonicalize "
                          "and the LocalSlotNum pass prepare its pipes for the module's arch; state "
                          f"pto.target_arch = \"{flag_arch}\" in the module, or give --pto-arch="
                          f"{module.target_arch()}", source, where)
    return module


def _stderr_line(line: str) -> None:
    sys.stderr.write(line + "\n")


def execute(plan: Plan, settings: Settings, say, note=None) -> int:
    """Run the plan; write the report (and the depfile) when it ends. Returns the exit status."""
    for err in plan.tool_errors:
        raise PtofixError(err)
    art = plan.art
    report: dict[str, Any] = {
        "input": plan.input, "output_dir": art.out_dir, "stem": art.stem,
        "target_ptoas": {"value": plan.target_ptoas, "from": settings.origin("target-ptoas")},
        "settings": {k: {"value": s.value, "from": s.origin} for k, s in settings.values.items()},
        "config": settings.config.path if settings.config else None,
        "compile": {"runs": plan.bisheng_cmd is not None, "why": plan.compile_note},
        "artefacts": {}, "stages": [], "status": "running",
        # every path this build may write: the next build of the stem removes only claimed files
        "claims": [os.path.abspath(path) for path in art.all()]}
    check_output_dir(art, plan.depfile)
    held: list[int] = []      # the stem's lock, held until the report and depfile are written
    try:
        return _execute_stages(plan, report, say, held, note)
    finally:
        for fd in held:
            os.close(fd)


def _execute_stages(plan: Plan, report: dict[str, Any], say, held: list[int], note=None) -> int:
    art = plan.art
    try:
        _run_stages(plan, report, say, held, note)
    except StageFailedWithRecord as failed:
        report["stages"].append(failed.record)
        report["status"] = f"failed at {failed.stage}"
        write_report(art.report, report)
        return failed.status
    except KeyboardInterrupt as stop:
        if report["status"] == "running" and held:    # (OUT_DIR holds this build's report, not an older one)
            report["status"] = f"interrupted ({signal.Signals(stop.signum).name})" if isinstance(stop, Terminated) \
                else "interrupted (SIGINT)"
            try:
                write_report(art.report, report)
            except PtofixError:
                pass
        raise
    except PtofixError as exc:
        if report["artefacts"]:
            # OUT_DIR already holds this build's first artefacts: say in the report why it stopped.
            # (Before that, e.g. on bad IR, a previous build's artefacts are left as they were.)
            report["status"] = "error"
            report["error"] = exc.format()
            try:
                write_report(art.report, report)
            except PtofixError:
                pass
        raise
    report["status"] = "ok"
    final = Outputs(inputs=plan.deps)
    if plan.depfile:
        report["depfile"] = {"path": plan.depfile, "deps": plan.deps}
    final.add(art.report, json.dumps(report, indent=2) + "\n", "build report")
    if plan.depfile:
        try:
            os.makedirs(os.path.dirname(os.path.abspath(plan.depfile)), exist_ok=True)
        except OSError as exc:
            raise PtofixError(f"cannot write depfile {plan.depfile}: {exc.strerror or exc}") from None
        # The target as -o spells it (gcc -MD does the same): Make matches it to its rule's target
        # textually; the dependencies are absolute.
        # With a compile stage the library is a target too (a Make rule for it); the fixed C++
        # stays first, the output CMake's depfile handling for Ninja matches.
        targets = [art.fixed] + ([plan.kernel_output] if plan.kernel_output else [])
        final.add(plan.depfile, depfile_text(targets, plan.deps), "depfile")
    final.commit()
    say(f"report {art.report}")
    return ExitStatus.OK


_LEADING_COMMENTS = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/)*", re.S)


def _check_starts_as_cpp(cpp: SourceText) -> None:
    """ptoas's C++ starts with a directive (`#include "pto/pto-inst.hpp"`) after comments. Log lines
    a ptoas option prints on stdout (`--enable-bufid-sync-debug`: `[bufid_sync] ...`) land in the
    captured C++, where bisheng fails on them and the barrier proof reads an unknown declaration."""
    leading = _LEADING_COMMENTS.match(cpp.text)      # (matches the empty string at least)
    start = leading.end() if leading is not None else 0
    if re.match(r'(?:module\b|"builtin\.module"|func\.func\b)', cpp.text[start:start + 20]):
        raise PtofixError("ptoas printed MLIR, not C++ (an option such as --emit-pto-ir in the ptoas flags?)",
                          cpp, start)
    head = cpp.text[start:start + 2]
    # What may begin a C++ file's first declaration: a directive, a name or keyword, `::`, `[[`, `;`.
    if head and not (head[0] in "#_:;" or head[0].isalpha() or head == "[["):
        raise PtofixError("ptoas printed this before the C++ (a debug option writing to stdout?); the build needs "
                          "ptoas's stdout to be the C++ alone", cpp, start)


def _run_stages(plan: Plan, report: dict[str, Any], say, held: list[int], note=None) -> None:
    """``say`` prints a progress line, ``note`` a diagnostic line as it is (None: to stderr)."""

    art = plan.art
    total = 4 if plan.bisheng_cmd else 3
    # 1. canonicalize
    say(f"[1/{total}] canonicalize for ptoas {plan.target_ptoas}: {plan.input} -> {art.canon}")
    source = read_source(plan.input)
    check_slot_values_against_ir(plan, check_arch(plan, source))
    canon_pass = build_pass("canonicalize", {"target-ptoas": plan.target_ptoas, "to": plan.to})
    outcome = run_pipeline(source, [canon_pass], PARSERS)
    for warning in outcome.warnings:
        write_stderr(warning + "\n")
    canon_report = outcome.reports[0]
    sidecar = canon_report.get("sidecar", {"version": SIDECAR_VERSION, "pipes": []})
    # Canonical input whose values went to its own sidecar: they come along.
    used: list[str] = []
    sidecar = with_input_sidecar(sidecar, outcome.text, plan.input, used)
    # The values now come from that file too: the depfile names it.
    plan.deps.extend(os.path.abspath(path) for path in used if os.path.abspath(path) not in plan.deps)
    # It names the IR it belongs to, as `canonicalize -o` does: a build from OUT/STEM.canon.mlir
    # (or canonicalize of it) then finds the values it holds.
    sidecar = {**sidecar, "output": os.path.abspath(art.canon)}
    # The input is accepted: only now is OUT_DIR touched, by one build of this stem at a time.
    lock_stem(art, say, held)
    prepare_output_dir(art, plan.depfile, report)
    first = Outputs(inputs=plan.deps)
    first.add(art.canon, outcome.text, "build artefact")
    first.add(art.sidecar, sidecar_text(sidecar), "build artefact")
    first.commit()
    report["artefacts"].update(canon=art.canon, sidecar=art.sidecar)
    report["stages"].append({"stage": "canonicalize", "output": art.canon, "changed": outcome.text != source.text,
                             "report": canon_report})
    # 2. ptoas
    say(f"[2/{total}] {shlex.join(plan.ptoas_cmd)} > {art.cpp}")
    report["stages"].append(run_tool("ptoas", plan.ptoas_cmd, art.cpp))
    report["artefacts"]["cpp"] = art.cpp
    # 3. C++ passes
    say(f"[3/{total}] C++ passes ({', '.join(p.name for p in plan.passes) or 'none'}): {art.cpp} -> {art.fixed}")
    try:
        cpp = read_source(art.cpp)
    except PtofixError as exc:
        raise PtofixError(f"{exc.format()} (in the C++ ptoas printed)", plain=True) from None
    _check_starts_as_cpp(cpp)
    from .cpp.command_line import set_command_line_macros
    from .cpp.headers import set_include_search_path
    set_include_search_path(plan.include_dirs)
    set_command_line_macros(plan.macro_flags)
    fixed = fix_cpp(cpp, plan.passes)
    for warning in fixed.warnings:
        write_stderr(warning + "\n")
    write_atomically(art.fixed, fixed.text, "build artefact")
    report["artefacts"]["fixed"] = art.fixed
    report["stages"].append({"stage": "fix", "input": art.cpp, "output": art.fixed,
                             "pipeline": pipeline_spec(plan.passes), "changed": fixed.text != cpp.text,
                             "passes": fixed.reports})
    for line in text_report(fixed.reports):
        say("  " + line)
    for line in kept_notes(art.cpp, fixed.reports):
        (note or _stderr_line)(line)
    # 4. bisheng
    if plan.bisheng_cmd:
        assert plan.kernel_output is not None
        say(f"[4/{total}] {shlex.join(plan.bisheng_cmd)}")
        compiled = False
        try:
            report["stages"].append(run_tool("bisheng", plan.bisheng_cmd, None))
            if not os.path.isfile(plan.kernel_output) or os.path.getsize(plan.kernel_output) == 0:
                # (-fsyntax-only, -### or a wrapper that drops -o: nothing to link against)
                record = {"stage": "bisheng", "command": plan.bisheng_cmd, "exit_status": 0, "failed": True,
                          "error": f"bisheng exited 0 but wrote no {plan.kernel_output}"}
                write_stderr(f"ptofix build: error: bisheng exited 0 but wrote no {plan.kernel_output} "
                                 "(a flag such as -fsyntax-only or -### in the bisheng flags?)\n")
                report["stages"].pop()
                raise StageFailedWithRecord("bisheng", 1, record)
            compiled = True
        finally:
            # prepare_output_dir removed the previous library: whatever is there after a failed or
            # interrupted compile is bisheng's partial output, which must not pass for a build.
            if not compiled and os.path.lexists(plan.kernel_output):
                try:
                    os.unlink(plan.kernel_output)
                except OSError:
                    pass
        report["artefacts"]["lib" if plan.kernel_output == art.lib else "obj"] = plan.kernel_output
