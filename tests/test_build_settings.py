"""The build's typed settings: one frozen ``BuildSettings`` whose fields are the build command's
options (the config keys), each value with the origin it came from."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from ptofix.build.settings import COMMAND_LINE, DEFAULT, BuildSettings, Origin, resolve_settings
from ptofix.cli import build_parser


def build_options():
    parser = build_parser("build")
    subparsers = next(a for a in parser._actions if a.dest == "command")
    return subparsers.choices["build"].get_default("_build_options")


def test_the_settings_fields_are_the_build_options_in_their_order():
    # A new build option needs its typed field (and a new field its option): the config keys, the
    # dry run's lines and the report's settings follow this one list.
    table = build_options()
    assert list(BuildSettings.option_fields().items()) == [(key, info.dest) for key, info in table.items()]


def test_each_value_has_its_origin(tmp_path: Path):
    ir = tmp_path / "k.mlir"
    ir.write_text("module {}\n")
    config = tmp_path / "ptofix.toml"
    config.write_text('# the FA settings\ntarget-ptoas = "v0.45"\n\npattern = ["gu", "softmax-sum-add"]\n'
                      'bisheng-flags = ["-O2", "-std=gnu++17"]\nptoas = "tools/ptoas"\n')
    given = {"input": str(ir), "pattern": "none", "output_dir": "out"}
    settings = resolve_settings(given, build_options(), {"PTOAS": "/opt/ptoas", "BISHENG": ""})
    assert settings.input == str(ir) and settings.config is not None
    assert (settings.pattern, settings.origin("pattern")) == ("none", COMMAND_LINE)
    assert (settings.ptoas, settings.origin("ptoas")) == ("/opt/ptoas", Origin("environment", "PTOAS"))
    assert str(settings.origin("ptoas")) == "environment $PTOAS"
    # (An empty variable counts as unset: the config's value, its line, a list as a tuple.)
    assert settings.bisheng_flags == ("-O2", "-std=gnu++17")
    assert settings.origin("bisheng_flags") == Origin("config", str(config), 5)
    assert settings.origin("target_ptoas").located() == f"config {config}:2"
    assert str(settings.origin("target_ptoas")) == f"config {config}"
    assert (settings.to, settings.origin("to")) == ("custom", DEFAULT)
    assert settings.from_config("bisheng_flags") is settings.config and settings.from_config("pattern") is None
    # Given as it was: resolving reads the parsed command line without changing it.
    assert given == {"input": str(ir), "pattern": "none", "output_dir": "out"}


def test_a_key_of_a_tool_table_is_located(tmp_path: Path):
    ir = tmp_path / "k.mlir"
    ir.write_text("module {}\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.ptofix]\nto = "generic"\n')
    settings = resolve_settings({"input": str(ir)}, build_options(), {})
    assert settings.to == "generic"
    assert settings.origin("to").located() == f"config {tmp_path / 'pyproject.toml'}:5"


def test_the_settings_are_frozen_and_a_change_is_a_new_value(tmp_path: Path):
    settings = BuildSettings(str(tmp_path / "k.mlir"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.target_ptoas = "v0.45"  # type: ignore[misc]
    told = Origin("tool", "'ptoas --version' printed 'ptoas 0.45'")
    changed = settings.with_value("target_ptoas", "v0.45", told)
    assert (changed.target_ptoas, changed.origin("target_ptoas")) == ("v0.45", told)
    assert str(changed.origin("target_ptoas")) == "'ptoas --version' printed 'ptoas 0.45'"
    assert (settings.target_ptoas, settings.origin("target_ptoas")) == (None, DEFAULT)
