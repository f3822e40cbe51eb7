"""The library makes its compile environment with the constructor the command line uses
(compile_settings.environment_of) and accepts one as ``environment=``: one place turns settings
into the environment (issue #70, one home per setting)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ptofix import api
from ptofix.cli import build_parser
from ptofix.commands.arguments import compile_environment as command_line_environment
from ptofix.compile_env import CompileEnvironment

REPO = Path(__file__).resolve().parent.parent
FA_CPP = REPO / "kernels" / "flash_attention" / "fa.cpp"
# Where a CompileEnvironment is constructed: the one constructor and the empty one (build's
# environment of bisheng's flags is the constructor's too: prebuild/stages.py).
CONSTRUCTORS = {"ptofix/compile_settings.py", "ptofix/compile_env.py"}


def test_only_the_constructor_makes_an_environment_of_settings():
    found = set()
    for root in (REPO / "ptofix", REPO / "passes"):
        for path in root.rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            if any(isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "CompileEnvironment"
                   for node in ast.walk(tree)):
                found.add(str(path.relative_to(REPO)))
    assert found == CONSTRUCTORS


def test_the_library_s_environment_is_the_command_line_s(tmp_path):
    args = build_parser("check").parse_args(["check", "-I", str(tmp_path), "-DFAST=1", "-UN", "--arch", "a5", "k.cpp"])
    assert api.compile_environment([str(tmp_path)], ["FAST=1", "-UN"], arch="a5") == command_line_environment(args)
    assert api.compile_environment([tmp_path]).include_dirs == (str(tmp_path),)    # (a path-like, as before)
    with pytest.raises(api.InputError, match="include directory /no/such/directory: not a directory"):
        api.compile_environment(["/no/such/directory"])


def test_a_call_takes_an_environment_as_its_settings(tmp_path):
    text = "#if FAST\n" + FA_CPP.read_text() + "\n#endif\n"
    fast = api.compile_environment([str(tmp_path)], ["FAST=1"])
    assert isinstance(fast, CompileEnvironment)
    by_value = api.fix_cpp(text, "auto", environment=fast)
    assert by_value == api.fix_cpp(text, "auto", include_dirs=[str(tmp_path)], defines=["FAST=1"])
    assert by_value.changed
    none_left = api.fix_cpp(text, "auto", environment=api.compile_environment(defines=["FAST=0"]))
    assert not none_left.changed and "no function definition found" in none_left.warnings[0]
    assert api.check(text, environment=fast) == api.check(text, defines=["FAST=1"])
    assert api.check_report(text, environment=fast) == api.check_report(text, defines=["FAST=1"])


def test_an_environment_and_separate_settings_are_refused(tmp_path):
    environment = api.compile_environment()
    for call in (lambda: api.fix_cpp("\n", "auto", defines=["A"], environment=environment),
                 lambda: api.check("\n", [str(tmp_path)], environment=environment),
                 lambda: api.check_report("\n", defines=["A"], environment=environment)):
        with pytest.raises(api.InputError, match="either as environment= or as include_dirs"):
            call()
