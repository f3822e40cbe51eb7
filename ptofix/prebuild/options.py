"""How a build setting is given: the :class:`BuildOption` each option field of
:class:`~.settings.BuildSettings` carries in its metadata (the command-line options are generated
from those fields in the command layer: commands/arguments.py ``add_setting_arguments``).

A field's option names its command-line spellings, its config key, its environment variable, its
help, and the kind of value it takes, which decides both how argparse reads it and which TOML
types the config file may give (:func:`.config.config_value`). Its default is the field's. So a
new build option is one field; the parser, the config keys, the environment and ``--dry-run``'s
origin lines follow.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import MISSING, Field, dataclass, fields
from typing import Any, Literal

from ..compile_options import CompileOption
from ..local_slot_options import LOCAL_SLOT_OPTIONS, positive_count

# What a value is, for the command line and for the TOML types a config file may give:
#   "value"  one string (a TOML string; with ``numbers`` also an integer, a list or a table of them);
#   "comma"  a comma list whose repetitions on the command line merge into one;
#   "switch" a flag that turns something on (a TOML boolean);
#   "bool"   --NAME / --no-NAME, unset unless given (a TOML boolean);
#   "argv"   a tool's flags: one shell-quoted string (a TOML string or a list of strings);
#   "append" repeatable, one value each time (a TOML string or a list of them).
Kind = Literal["value", "comma", "switch", "bool", "argv", "append"]


@dataclass(frozen=True)
class BuildOption:
    """How one build setting is given on the command line, in a config file and in the environment."""

    flags: tuple[str, ...]          # command-line spellings, as --help lists them
    help: str
    key: str = ""                   # config key; "": the first long flag without its dashes
    env: str | None = None          # environment variable that gives it when the flag is absent
    old_env: str | None = None      # its deprecated name: still read when ``env`` is unset, with a warning
    metavar: str | None = None
    kind: Kind = "value"
    choices: tuple[str, ...] | None = None
    # the text's value (argparse's type=; OptionValueError: why not)
    convert: Callable[[str], Any] | None = None
    check: Callable[[str], None] | None = None     # a config value's check, at its key
    path: Literal["", "path", "tool"] = ""         # relative to the config file: always, or with a '/'
    numbers: bool = False           # the config may give TOML integers (counts, FlagIDs)
    group: str = ""                 # the --help section

    @property
    def config_key(self) -> str:
        return self.key or next(flag[2:] for flag in self.flags if flag.startswith("--"))

    def metadata(self) -> dict[str, BuildOption]:
        """As a dataclass field's metadata: ``field(default=None, metadata=BuildOption(...).metadata())``."""
        return {"option": self}


def local_slot_option(flag: str, group: str, key: str = "", env: str | None = None,
                      path: Literal["", "path", "tool"] = "", check: Callable[[str], None] | None = None
                      ) -> dict[str, BuildOption]:
    """The field metadata of a LocalSlotNum option, spelled and explained as ``ptofix run`` has it
    (:data:`~ptofix.local_slot_options.LOCAL_SLOT_OPTIONS` is that option's home)."""
    spec = next(spec for known, _, spec in LOCAL_SLOT_OPTIONS if known == flag)
    convert = spec.get("type")
    return BuildOption((flag,), spec["help"], key=key, env=env, metavar=spec.get("metavar"),
                       kind="comma" if spec.get("comma_list") else "value",
                       choices=tuple(spec["choices"]) if "choices" in spec else None, convert=convert,
                       check=check, path=path,
                       numbers=bool(spec.get("comma_list")) or convert is positive_count, group=group).metadata()


def compile_option(option: CompileOption, group: str, path: Literal["", "path", "tool"] = "") -> dict[str, BuildOption]:
    """The field metadata of a compiler option (-I, -D, -U), spelled and explained as build has it
    (:mod:`~ptofix.compile_options` is that option's home, for every command): repeatable, each
    value read as the other commands read it."""
    return BuildOption(option.build_flags, option.build_help, metavar=option.metavar, kind="append",
                       convert=option.read, path=path, group=group).metadata()


@dataclass(frozen=True)
class SettingOption:
    """A settings field that is an option: its name (the parsed options' dest), option and default."""

    name: str
    option: BuildOption
    default: Any


def setting_options(settings_type: type) -> Iterator[SettingOption]:
    """The option fields of the dataclass ``settings_type``, in its order."""
    for f in fields(settings_type):
        option = f.metadata.get("option")
        if isinstance(option, BuildOption):
            yield SettingOption(f.name, option, _default_of(f))


def _default_of(f: Field[Any]) -> Any:
    if f.default is not MISSING:
        return f.default
    return f.default_factory() if f.default_factory is not MISSING else None


def options_by_key(settings_type: type) -> dict[str, SettingOption]:
    """The option fields by config key (a key names one field: checked here)."""
    table: dict[str, SettingOption] = {}
    for setting in setting_options(settings_type):
        key = setting.option.config_key
        if key in table:
            raise ValueError(f"{settings_type.__name__}: the fields {table[key].name} and {setting.name} "
                             f"have the one config key '{key}'")
        table[key] = setting
    return table


def environment_variables(settings_type: type) -> Mapping[str, str]:
    """``{config key: environment variable}`` of the options that have one."""
    return {s.option.config_key: s.option.env for s in setting_options(settings_type) if s.option.env}
