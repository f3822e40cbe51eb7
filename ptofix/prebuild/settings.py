"""The build's settings: every value by the precedence command-line flag > environment variable >
config file > built-in default, each with the :class:`Origin` it came from (``--dry-run`` and
the build report say it)."""
from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ..compile_options import DEFINE, INCLUDE_DIR, UNDEFINE
from ..ir.versions import resolve
from ..source import PtofixError
from .config import Config, config_value, find_config, load_config
from .options import (
    BuildOption,
    compile_option,
    environment_variables,
    local_slot_option,
    options_by_key,
    setting_options,
)

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


def _check_patterns(text: str) -> None:
    # (Here: the barrier analysis is 10 ms of imports (-X importtime, interpreted, bytecode cached),
    # as much again as prebuild.tools, through which `canonicalize` asks ptoas's version.)
    from ..cpp.barrier_decisions import normalize_patterns
    normalize_patterns(text)


def _check_version(text: str) -> None:
    resolve(text)


# The --help sections of the options.
_PASSES = "C++ passes (as `ptofix run`)"
_LOCAL_SLOT = "TPipe LocalSlotNum (pass local-slot-num)"
_PTOAS = "IR / ptoas"
_COMPILER = "C++ compiler"
_BUILD = "build"


@dataclass(frozen=True)
class BuildSettings:
    """Every value of one build, typed, with the origin of each (:meth:`origin`).

    The fields after ``input`` up to ``origins`` are the build command's options, each the one
    home of its option: the :class:`~.options.BuildOption` in its metadata names its command-line
    spellings, config key, environment variable and help, and the field gives its type and default.
    ``ptofix build``'s parser, the config keys and ``--dry-run``'s lines are generated from them
    (:mod:`.options`). A list value (flags given as a list in the config file, ``--include``
    repeated) is a tuple.
    """

    input: str
    pattern: str | None = field(default=None, metadata=BuildOption(
        ("--pattern", "-P"), metavar="P[,P...]", env="PTOFIX_PATTERN", old_env="FA_REMOVE_VEC_BARRIER_PATTERNS",
        check=_check_patterns, group=_PASSES,
        help="PIPE_V barrier candidates: gu, softmax-exp-sum, softmax-sum-add, auto, none "
             "(env PTOFIX_PATTERN; FA_REMOVE_VEC_BARRIER_PATTERNS, compile.sh's name, is read with a "
             "warning)").metadata())
    force: bool = field(default=False, metadata=BuildOption(
        ("--force",), kind="switch", group=_PASSES,
        help="also remove selected barriers the proof rejects (warns)").metadata())
    # The race model's opt-in (ptofix/pto/race_model.py), as run's --same-access-chains.
    same_access_chains: bool = field(default=False, metadata=BuildOption(
        ("--same-access-chains",), kind="switch", group=_PASSES,
        help="credit PTOAS #674 same-access chains as ptoas does, though msSanitizer flags such pairs "
             "(default: its a2/a3 rule, every unbarriered overlap is a race)").metadata())
    local_slot_num: str | None = field(default=None, metadata=local_slot_option("--local-slot-num", _LOCAL_SLOT))
    local_slot_ir: str | None = field(default=None, metadata=local_slot_option("--ir", _LOCAL_SLOT, path="path"))
    local_slot_sidecar: str | None = field(default=None, metadata=local_slot_option(
        "--sidecar", _LOCAL_SLOT, path="path"))
    target_ptoas: str | None = field(default=None, metadata=local_slot_option(
        "--target-ptoas", _LOCAL_SLOT, check=_check_version))
    default_local_slot_num: int | None = field(default=None, metadata=local_slot_option(
        "--default-local-slot-num", _LOCAL_SLOT))
    tpipe_order: Literal["old", "new"] | None = field(default=None, metadata=local_slot_option(
        "--tpipe-order", _LOCAL_SLOT))
    pto_lib: str | None = field(default=None, metadata=local_slot_option(
        "--pto-lib", _LOCAL_SLOT, env="PTO_LIB_PATH", path="path"))
    unit_flag: str | None = field(default=None, metadata=local_slot_option("--unit-flag", _LOCAL_SLOT))
    to: Literal["custom", "generic"] = field(default="custom", metadata=BuildOption(
        ("--to",), choices=("custom", "generic"), group=_PTOAS,
        help="form canonicalize prints pipe/FIFO ops in (default: custom)").metadata())
    ptoas: str | None = field(default=None, metadata=BuildOption(
        ("--ptoas",), metavar="PATH", env="PTOAS", path="tool", group=_PTOAS,
        help="ptoas executable (env PTOAS; default: ptoas on PATH)").metadata())
    ptoas_flags: str | Words | None = field(default=None, metadata=BuildOption(
        ("--ptoas-flags",), metavar="FLAGS", kind="argv", group=_PTOAS,
        help=f"ptoas flags, one shell-quoted string (default: '{DEFAULT_PTOAS_FLAGS}')").metadata())
    bisheng: str | None = field(default=None, metadata=BuildOption(
        ("--bisheng",), metavar="PATH", env="BISHENG", path="tool", group=_COMPILER,
        help="bisheng executable (env BISHENG; default: bisheng on PATH)").metadata())
    bisheng_flags: str | Words | None = field(default=None, metadata=BuildOption(
        ("--bisheng-flags",), metavar="FLAGS", kind="argv", group=_COMPILER,
        help="bisheng flags, one shell-quoted string (compile.sh's -fPIC -shared ... -std=gnu++17)").metadata())
    # -I, -D and -U: declared once for every command that reads C++ (compile_options.py, which says
    # why build spells them its own way: long flags that are config keys, -D and -U as two lists).
    # `--bisheng-flags "-DX -O2"` stays a value: build's parser reads a word with a space as one
    # (help_format.ArgumentParser).
    include_dirs: Words | None = field(default=None, metadata=compile_option(INCLUDE_DIR, _COMPILER, path="path"))
    define_flags: Words | None = field(default=None, metadata=compile_option(DEFINE, _COMPILER))
    undefine_flags: Words | None = field(default=None, metadata=compile_option(UNDEFINE, _COMPILER))
    caller: str | None = field(default=None, metadata=BuildOption(
        ("--caller",), metavar="FILE", path="path", group=_COMPILER,
        help="host/caller .cpp that #includes KERNEL_CPP; enables the compile stage").metadata())
    compile: bool | None = field(default=None, metadata=BuildOption(
        ("--compile",), kind="bool", group=_COMPILER,
        help="run bisheng (default: when a compiler is set -- --bisheng, $BISHENG or the config -- "
             "or a caller is; --no-compile stops after the fixed C++)").metadata())
    output_dir: str | None = field(default=None, metadata=BuildOption(
        ("-o", "--output-dir"), metavar="OUT_DIR", path="path", group=_BUILD,
        help="directory for every artefact (created)").metadata())
    depfile: str | None = field(default=None, metadata=BuildOption(
        ("--depfile",), metavar="FILE", path="path", group=_BUILD,
        help="after a successful build, write a Make-style dependency file; in it the fixed C++ (and the library) "
             "depend on the IR, the config file, the caller, the ptoas it ran and the other files the build "
             "read").metadata())
    # Not options: where the values came from.
    origins: Mapping[str, Origin] = field(default_factory=dict)
    config: Config | None = None
    passed_over: Words = ()   # pyproject.toml files find_config read
    warnings: Words = ()      # what the command prints before it starts (a deprecated variable read)

    @classmethod
    def option_fields(cls) -> dict[str, str]:
        """The fields that are options, by config key: ``{"pattern": "pattern", "ir": "local_slot_ir", ...}``."""
        return {setting.option.config_key: setting.name for setting in setting_options(cls)}

    @classmethod
    def environment_variables(cls) -> Mapping[str, str]:
        """``{config key: environment variable}`` of the options one gives (compile.sh's names)."""
        return environment_variables(cls)

    def origin(self, name: str) -> Origin:
        """Where the field ``name`` (a dest) came from."""
        return self.origins.get(name, DEFAULT)

    def items(self) -> list[tuple[str, Any, Origin]]:
        """(config key, value, origin) of every option, in the command's order."""
        return [(key, getattr(self, name), self.origin(name)) for key, name in self.option_fields().items()]

    def from_config(self, name: str) -> Config | None:
        """The config file, when it is what gave the field ``name``; None otherwise."""
        return self.config if self.origin(name).kind == "config" else None

    @classmethod
    def key_of(cls, name: str) -> str:
        """The config key of the option field ``name`` (``local_slot_ir``: ``ir``)."""
        return next(key for key, field_name in cls.option_fields().items() if field_name == name)

    def error(self, name: str, message: str) -> PtofixError:
        """An error about the value of the field ``name``: at its key when the config file gave it."""
        config = self.from_config(name)
        return config.error(self.key_of(name), message) if config is not None else PtofixError(message)

    def with_value(self, name: str, value: Any, origin: Origin) -> BuildSettings:
        """These settings with the field ``name`` set to ``value`` from ``origin``."""
        return replace(self, **{name: value, "origins": {**self.origins, name: origin}})


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def resolve_settings(given: Mapping[str, Any], env: Mapping[str, str] | None = None,
                     settings_type: type[BuildSettings] = BuildSettings) -> BuildSettings:
    """Every option field of ``settings_type`` by CLI > env > config > default. ``given``: the parsed
    command line by dest (parsed with SUPPRESS defaults, so that an option not given is absent), with
    ``input``, the IR, and ``config`` / ``no_config``; it is not changed."""
    environment: Mapping[str, str] = os.environ if env is None else env
    table = options_by_key(settings_type)
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
    warnings: list[str] = []
    for key, setting in table.items():
        variable = setting.option.env
        if setting.name in given:
            value, origin = given[setting.name], COMMAND_LINE
        elif variable and environment.get(variable, ""):
            value, origin = environment[variable], Origin("environment", variable)
        elif setting.option.old_env and environment.get(setting.option.old_env, ""):
            old = setting.option.old_env
            value, origin = environment[old], Origin("environment", old)
            warnings.append(f"${old} is deprecated, use ${variable}: it sets --{key} of every build "
                            "started from this environment")
        elif config is not None and key in config.values:
            value = config_value(config, key, setting.option, config.values[key])
            origin = Origin("config", config.path, config.line_of(key))
        else:
            value, origin = setting.default, DEFAULT
        values[setting.name] = _frozen(value)
        origins[setting.name] = origin
    return settings_type(given["input"], **values, origins=origins, config=config, passed_over=tuple(passed_over),
                         warnings=tuple(warnings))


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

