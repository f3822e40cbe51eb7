"""The build's typed settings: one frozen ``BuildSettings`` whose fields are the build command's
options (the config keys), each value with the origin it came from."""
from __future__ import annotations

import argparse
import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ptofix.cli import build_parser, main
from ptofix.commands.arguments import add_setting_arguments
from ptofix.prebuild.options import BuildOption, options_by_key
from ptofix.prebuild.settings import COMMAND_LINE, DEFAULT, BuildSettings, Origin, resolve_settings
from ptofix.source import PtofixError


def build_parser_of(settings_type: type[BuildSettings] = BuildSettings) -> argparse.ArgumentParser:
    """The build command's parser (for BuildSettings), or one generated the same way for a subclass."""
    if settings_type is BuildSettings:
        parser = build_parser("build")
        subparsers = next(a for a in parser._actions if a.dest == "command")
        return subparsers.choices["build"]
    parser = argparse.ArgumentParser()
    parser.add_argument("input")
    add_setting_arguments(parser, settings_type)
    return parser


# A value each option takes, by its kind; the checked ones need a real pattern or version.
CHECKED_SAMPLES = {"pattern": "gu", "target-ptoas": "v0.45"}


def sample_text(key: str, option: BuildOption) -> str:
    if key in CHECKED_SAMPLES:
        return CHECKED_SAMPLES[key]
    if option.choices:
        return option.choices[-1]
    return "2" if option.numbers else "x"


def command_line_words(key: str, option: BuildOption) -> list[str]:
    if option.kind in ("switch", "bool"):
        return [option.flags[-1]]
    return [f"{option.flags[-1]}={sample_text(key, option)}"]


def converted(option: BuildOption, text: str) -> object:
    return option.convert(text) if option.convert is not None else text


def toml_value(key: str, option: BuildOption) -> str:
    """The sample as a TOML value of the type the key takes (a list or an integer where it may be)."""
    if option.kind in ("switch", "bool"):
        return "true"
    if option.kind in ("argv", "append"):
        return f'["{sample_text(key, option)}"]'
    if option.numbers:
        return sample_text(key, option)
    return f'"{sample_text(key, option)}"'


def wrong_toml_value(option: BuildOption) -> str:
    return '"yes"' if option.kind in ("switch", "bool") else "1.5"


OPTION_KEYS = list(options_by_key(BuildSettings))


def test_the_checked_samples_are_options():
    assert set(CHECKED_SAMPLES) <= set(OPTION_KEYS)


@pytest.mark.parametrize("key", OPTION_KEYS)
def test_each_field_is_an_option_of_the_build_command(key: str, tmp_path: Path):
    setting = options_by_key(BuildSettings)[key]
    option = setting.option
    args = build_parser_of().parse_args([str(tmp_path / "k.mlir"), "--no-config", *command_line_words(key, option)])
    # Only the option given is among the parsed values: the others come by precedence.
    assert [dest for dest in vars(args) if dest in BuildSettings.option_fields().values()] == [setting.name]
    settings = resolve_settings(vars(args), {})
    expected = True if option.kind in ("switch", "bool") else converted(option, sample_text(key, option))
    value = getattr(settings, setting.name)
    assert value == ((expected,) if option.kind == "append" else expected)
    assert settings.origin(setting.name) == COMMAND_LINE
    assert (key, value, COMMAND_LINE) in settings.items()


@pytest.mark.parametrize("key", OPTION_KEYS)
def test_each_field_is_a_config_key_of_its_type(key: str, tmp_path: Path):
    setting = options_by_key(BuildSettings)[key]
    option = setting.option
    (tmp_path / "k.mlir").write_text("module {}\n")
    config = tmp_path / "ptofix.toml"
    config.write_text(f"# the kernel's settings\n{key} = {toml_value(key, option)}\n")
    settings = resolve_settings({"input": str(tmp_path / "k.mlir")}, {})
    text = sample_text(key, option)
    if option.path == "path":
        text = str(tmp_path / text)
    expected = True if option.kind in ("switch", "bool") else converted(option, text)
    value = getattr(settings, setting.name)
    assert value == ((expected,) if option.kind in ("append", "argv") else expected)
    assert settings.origin(setting.name) == Origin("config", str(config), 2)
    assert settings.origin(setting.name).located() == f"config {config}:2"


@pytest.mark.parametrize("key", OPTION_KEYS)
def test_a_wrong_typed_config_value_is_an_error_at_its_key(key: str, tmp_path: Path, capsys):
    option = options_by_key(BuildSettings)[key].option
    (tmp_path / "k.mlir").write_text("module {}\n")
    config = tmp_path / "ptofix.toml"
    config.write_text(f'# one key of the wrong type\n  {key} = {wrong_toml_value(option)}\n')
    with pytest.raises(PtofixError) as caught:
        resolve_settings({"input": str(tmp_path / "k.mlir")}, {})
    assert caught.value.format().startswith(f"{config}:2:3: error: '{key}' in {config} must be ")
    # The command says so and exits 2, having written nothing. (A flag would take the key's place
    # unread: no -o here.)
    assert main(["build", str(tmp_path / "k.mlir"), "--dry-run"]) == 2
    assert capsys.readouterr().err == caught.value.format() + "\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["k.mlir", "ptofix.toml"]


def test_the_environment_gives_the_options_that_have_a_variable(tmp_path: Path):
    variables = BuildSettings.environment_variables()
    assert variables["ptoas"] == "PTOAS" and variables["pattern"] == "PTOFIX_PATTERN"
    settings = resolve_settings({"input": str(tmp_path / "k.mlir"), "no_config": True},
                                {variable: CHECKED_SAMPLES.get(key, "x") for key, variable in variables.items()})
    for key, variable in variables.items():
        name = BuildSettings.option_fields()[key]
        assert (getattr(settings, name), settings.origin(name)) == (CHECKED_SAMPLES.get(key, "x"),
                                                                    Origin("environment", variable))


@dataclass(frozen=True)
class SettingsWithAnExtraOption(BuildSettings):
    """The build's settings and one more, as a new option would be added."""

    stack_size: str | None = field(default=None, metadata=BuildOption(
        ("--stack-size",), metavar="BYTES", env="PTOFIX_TEST_STACK_SIZE", numbers=True, convert=int,
        group="build", help="a test-only option").metadata())


def test_a_new_field_is_an_option_a_config_key_and_an_origin(tmp_path: Path):
    ir = tmp_path / "k.mlir"
    ir.write_text("module {}\n")
    parser = build_parser_of(SettingsWithAnExtraOption)
    assert "--stack-size" in parser.format_help()
    args = parser.parse_args([str(ir), "--stack-size", "64"])
    settings = resolve_settings(vars(args), {}, SettingsWithAnExtraOption)
    assert isinstance(settings, SettingsWithAnExtraOption)
    assert ("stack-size", 64, COMMAND_LINE) in settings.items()
    assert resolve_settings({"input": str(ir)}, {"PTOFIX_TEST_STACK_SIZE": "32"}, SettingsWithAnExtraOption
                            ).origin("stack_size") == Origin("environment", "PTOFIX_TEST_STACK_SIZE")
    config = tmp_path / "ptofix.toml"
    config.write_text("stack-size = 128\n")
    settings = resolve_settings({"input": str(ir)}, {}, SettingsWithAnExtraOption)
    assert ("stack-size", 128, Origin("config", str(config), 1)) in settings.items()
    # The build's own settings do not know the key.
    with pytest.raises(PtofixError, match="unknown key 'stack-size'"):
        resolve_settings({"input": str(ir)}, {})


def test_two_fields_with_one_config_key_are_refused():
    @dataclass(frozen=True)
    class Clashing(BuildSettings):
        other_output: str | None = field(default=None, metadata=BuildOption(
            ("--other-output",), key="output-dir", help="a second output-dir").metadata())

    with pytest.raises(ValueError, match="output_dir and other_output have the one config key 'output-dir'"):
        options_by_key(Clashing)


def test_each_value_has_its_origin(tmp_path: Path):
    ir = tmp_path / "k.mlir"
    ir.write_text("module {}\n")
    config = tmp_path / "ptofix.toml"
    config.write_text('# the FA settings\ntarget-ptoas = "v0.45"\n\npattern = ["gu", "softmax-sum-add"]\n'
                      'bisheng-flags = ["-O2", "-std=gnu++17"]\nptoas = "tools/ptoas"\n')
    given = {"input": str(ir), "pattern": "none", "output_dir": "out"}
    settings = resolve_settings(given, {"PTOAS": "/opt/ptoas", "BISHENG": ""})
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
    settings = resolve_settings({"input": str(ir)}, {})
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


@pytest.mark.parametrize("key", [key for key in OPTION_KEYS if options_by_key(BuildSettings)[key].option.check])
def test_a_config_value_a_field_refuses_is_an_error_at_its_key(key: str, tmp_path: Path):
    # (The pattern and version checks run where the config gives the value, not at stage 3.)
    (tmp_path / "k.mlir").write_text("module {}\n")
    config = tmp_path / "ptofix.toml"
    config.write_text(f'{key} = "no-such-value"\n')
    with pytest.raises(PtofixError) as caught:
        resolve_settings({"input": str(tmp_path / "k.mlir")}, {})
    assert caught.value.format().startswith(f"{config}:1:1: error: '{key}' in {config}: ")


def test_the_build_page_lists_every_config_key_and_variable_and_the_help_points_there():
    # (--help is one line an option since issue 58; the keys and variables are on build's page.)
    help_text = " ".join(build_parser_of().format_help().split())
    assert "docs/commands/build.md" in help_text
    page = (Path(__file__).resolve().parents[2] / "docs" / "commands" / "build.md").read_text(encoding="utf-8")
    assert all(re.search(rf"`(--)?{re.escape(key)}\b", page) for key in BuildSettings.option_fields())
    assert all(variable in page for variable in BuildSettings.environment_variables().values())


def test_an_error_about_a_value_is_at_its_key_when_the_config_gave_it(tmp_path: Path):
    ir = tmp_path / "k.mlir"
    ir.write_text("module {}\n")
    config = tmp_path / "ptofix.toml"
    config.write_text('to = "generic"\n\nir = "k.canon.mlir"\n')
    settings = resolve_settings({"input": str(ir), "local_slot_num": "0"}, {})
    assert BuildSettings.key_of("local_slot_ir") == "ir"
    assert settings.error("local_slot_ir", "not read").format() == f"{config}:3:1: error: not read"
    # (Given on the command line: no place in a file to point at.)
    assert settings.error("local_slot_num", "too small").format() == "ptofix: error: too small"


def test_same_access_chains_travels_from_the_config_to_the_barrier_pass(tmp_path: Path):
    """The race model's opt-in (ptofix/pto/race_model.py) is a build option and config key: the
    pipe-v-barrier pass the build runs gets it; without it, msSanitizer's rule (the default)."""
    from ptofix.prebuild.outdir import Artefacts
    from ptofix.prebuild.plan import cpp_passes
    ir = tmp_path / "k.mlir"
    ir.write_text("module {}\n")
    (tmp_path / "ptofix.toml").write_text('pattern = "auto"\nsame-access-chains = true\n')
    art = Artefacts(str(tmp_path / "out"), "k")
    settings = resolve_settings({"input": str(ir)}, {})
    assert settings.same_access_chains is True and settings.origin("same_access_chains").kind == "config"
    [barrier] = [p for p in cpp_passes(settings, "v0.45", art) if p.name == "pipe-v-barrier"]
    assert barrier.same_access_chains is True
    (tmp_path / "ptofix.toml").write_text('pattern = "auto"\n')
    [barrier] = [p for p in cpp_passes(resolve_settings({"input": str(ir)}, {}), "v0.45", art)
                 if p.name == "pipe-v-barrier"]
    assert barrier.same_access_chains is False
    # On the command line: --same-access-chains.
    given = vars(build_parser_of().parse_args([str(ir), "--same-access-chains"]))
    assert resolve_settings({**given, "no_config": True}, {}).same_access_chains is True
