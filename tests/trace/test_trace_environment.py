"""The trace's build (``check --trace``, ``run --verify-trace``) compiles with the one
CompileEnvironment the command line's compile options make (commands/arguments.compile_environment),
not a copy of its fields: a compile setting reaches the build with no second edit (issue #70, one
home per setting)."""
from __future__ import annotations

import dataclasses

import pytest

from ptofix.cli import build_parser
from ptofix.commands.arguments import compile_environment
from ptofix.commands.trace_options import trace_options
from ptofix.compile_env import CompileEnvironment
from ptofix.source import PtofixError
from ptofix.trace import check as trace_check

# Each field of the environment, by whether it is a flag of the host build
# (CompileEnvironment.compiler_flags says why the others are not). A new field fails
# test_every_setting_is_said_to_be_a_flag_of_the_build_or_not until it is placed here and, when
# it is a flag, written by compiler_flags.
BUILD_FLAGS = {"include_dirs", "macro_flags"}
NOT_BUILD_FLAGS = {"headers_unread", "pto_isa", "isa", "isa_notes", "isa_files", "arch"}


def test_every_setting_is_said_to_be_a_flag_of_the_build_or_not():
    assert set(CompileEnvironment.field_names) == BUILD_FLAGS | NOT_BUILD_FLAGS


def _traced_args(tmp_path, *options: str):
    args = build_parser("check").parse_args(["check", "--trace", *options, str(tmp_path / "k.cpp")])
    # (The checkout only named, not identified: the build is not run here.)
    args.environment = compile_environment(args).replace(pto_isa=str(tmp_path / "pto-isa"))
    return args


def test_the_command_line_s_settings_reach_the_trace_s_compiler_flags(tmp_path, monkeypatch):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    args = _traced_args(tmp_path, "-I", str(first), "-DFAST=1", "-I", str(second), "-UFAST", "-DN")
    options = trace_options(args)
    assert options.environment is args.environment
    built: list[tuple[str, ...]] = []

    def record(paths, texts, tools, given, function, flags, timeout):
        built.append(tuple(flags))
        return {}

    monkeypatch.setattr(trace_check, "record", record)
    assert trace_check.trace_texts({"k.cpp": "\n"}, options, tools=object()) == {}  # type: ignore[arg-type]
    assert built == [(f"-I{first}", f"-I{second}", "-DFAST=1", "-UFAST", "-DN")]
    assert built[0] == args.environment.compiler_flags()


def test_without_compile_options_the_build_gets_no_flag(tmp_path):
    options = trace_options(_traced_args(tmp_path))
    assert options.environment == CompileEnvironment(pto_isa=str(tmp_path / "pto-isa"))
    assert options.environment.compiler_flags() == ()


def test_the_trace_builds_against_the_environment_s_checkout(tmp_path, monkeypatch):
    """--pto-isa has one home, the environment: the trace's options hold no copy of it, and its
    build prepares the checkout the environment names."""
    assert "pto_isa" not in {f.name for f in dataclasses.fields(trace_check.TraceOptions)}
    args = _traced_args(tmp_path)
    args.pto_isa = str(tmp_path / "another")       # (a stale copy on the namespace is not read)
    prepared: list[str] = []
    monkeypatch.setattr(trace_check, "find_compiler", lambda cxx: ("c++", "id"))
    monkeypatch.setattr(trace_check, "prepare_checkout", lambda path, cache: (prepared.append(path), ("i", "k"))[1])
    trace_check.toolchain(trace_options(args))
    assert prepared == [str(tmp_path / "pto-isa")]
    args.environment = args.environment.replace(pto_isa="")   # (none in the environment: refused)
    with pytest.raises(PtofixError, match="need --pto-isa"):
        trace_options(args)
