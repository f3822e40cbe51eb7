"""The build's settings: every value by the precedence command-line flag > environment variable >
config file > built-in default, each with the :class:`Origin` it came from (``--dry-run`` and
the build report say it)."""
from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from ..source import PtofixError
from .config import Config, OptionInfo, config_value, find_config, load_config

# Environment variables honoured when the flag is absent (compile.sh conventions).
ENV_VARS = {
    "ptoas": "PTOAS",
    "bisheng": "BISHENG",
    "pto-lib": "PTO_LIB_PATH",
    "pattern": "FA_REMOVE_VEC_BARRIER_PATTERNS",
}
DEFAULT_PTOAS_FLAGS = "--pto-arch=a3 --enable-insert-sync"


@dataclass(frozen=True)
class Origin:
    """Where a setting's value came from."""

    kind: Literal["default", "command line", "environment", "config", "tool"]
    source: str = ""     # environment: the variable; config: the file; tool: what the tool said
    line: int = 0        # config: the line of the key (0: not located)

    def __str__(self) -> str:
        """As messages and the build report name it (``environment $PTOAS``, ``config PATH``)."""
        if self.kind == "environment":
            return f"environment ${self.source}"
        if self.kind == "config":
            return f"config {self.source}"
        return self.source if self.kind == "tool" else self.kind

    def located(self) -> str:
        """As ``--dry-run`` shows it: a config file with the key's line."""
        return f"config {self.source}:{self.line}" if self.kind == "config" and self.line else str(self)


DEFAULT = Origin("default")
COMMAND_LINE = Origin("command line")

# A list a command line or a config file gives, as the settings hold it (immutable).
Words = tuple[str, ...]


def _key(name: str) -> Any:
    """The metadata of a field whose config key (and long option) is not its name with dashes."""
    return {"key": name}


# The metadata of a field that is no option (where the values came from).
_NOT_AN_OPTION = {"option": False}


@dataclass(frozen=True)
class BuildSettings:
    """Every value of one build, typed, with the origin of each (:meth:`origin`).

    The fields after ``input`` are the build command's options, by the ``dest`` of their
    command-line option and in the command's order; each option's long name is its config key
    (``tests/test_build_settings.py`` checks that the two lists agree). A list value (flags given as
    a list in the config file, ``--include`` repeated) is a tuple.
    """

    input: str
    pattern: str | None = None
    force: bool = False
    local_slot_num: str | None = None
    local_slot_ir: str | None = field(default=None, metadata=_key("ir"))
    local_slot_sidecar: str | None = field(default=None, metadata=_key("sidecar"))
    target_ptoas: str | None = None
    default_local_slot_num: int | None = None
    tpipe_order: Literal["old", "new"] | None = None
    pto_lib: str | None = None
    unit_flag: str | None = None
    to: Literal["custom", "generic"] = "custom"
    ptoas: str | None = None
    ptoas_flags: str | Words | None = None
    bisheng: str | None = None
    bisheng_flags: str | Words | None = None
    include_dirs: Words | None = field(default=None, metadata=_key("include"))
    define_flags: Words | None = field(default=None, metadata=_key("define"))
    undefine_flags: Words | None = field(default=None, metadata=_key("undefine"))
    caller: str | None = None
    compile: bool | None = None
    output_dir: str | None = None
    depfile: str | None = None
    # Not options: where the values came from.
    origins: Mapping[str, Origin] = field(default_factory=dict, metadata=_NOT_AN_OPTION)
    config: Config | None = field(default=None, metadata=_NOT_AN_OPTION)
    passed_over: Words = field(default=(), metadata=_NOT_AN_OPTION)   # pyproject.toml files find_config read

    @classmethod
    def option_fields(cls) -> dict[str, str]:
        """The fields that are options, by config key: ``{"pattern": "pattern", "ir": "local_slot_ir", ...}``."""
        return {f.metadata.get("key", f.name.replace("_", "-")): f.name for f in fields(cls)
                if f.name != "input" and f.metadata.get("option", True)}

    def origin(self, name: str) -> Origin:
        """Where the field ``name`` (a dest) came from."""
        return self.origins.get(name, DEFAULT)

    def items(self) -> list[tuple[str, Any, Origin]]:
        """(config key, value, origin) of every option, in the command's order."""
        return [(key, getattr(self, name), self.origin(name)) for key, name in self.option_fields().items()]

    def from_config(self, name: str) -> Config | None:
        """The config file, when it is what gave the field ``name``; None otherwise."""
        return self.config if self.origin(name).kind == "config" else None

    def with_value(self, name: str, value: Any, origin: Origin) -> BuildSettings:
        """These settings with the field ``name`` set to ``value`` from ``origin``."""
        return replace(self, **{name: value, "origins": {**self.origins, name: origin}})


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def resolve_settings(given: Mapping[str, Any], table: dict[str, OptionInfo], env: Mapping[str, str] | None = None
                     ) -> BuildSettings:
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
    values: dict[str, Any] = {}
    origins: dict[str, Origin] = {}
    for key, info in table.items():
        if info.dest in given:
            value, origin = given[info.dest], COMMAND_LINE
        elif key in ENV_VARS and environment.get(ENV_VARS[key], ""):
            value, origin = environment[ENV_VARS[key]], Origin("environment", ENV_VARS[key])
        elif config is not None and key in config.values:
            value = config_value(config, info, config.values[key])
            origin = Origin("config", config.path, config.line_of(key))
        else:
            value, origin = info.default, DEFAULT
        values[info.dest] = _frozen(value)
        origins[info.dest] = origin
    return BuildSettings(given["input"], **values, origins=origins, config=config, passed_over=tuple(passed_over))


def argv_of(value: str | Words | list[str] | None) -> list[str]:
    """Flags as a tool's argv words: a list as it is, a string split as a shell does."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    try:
        return shlex.split(str(value))
    except ValueError as exc:
        raise PtofixError(f"cannot split flags '{value}': {exc}") from None

