"""The trace's build (``check --trace``, ``run --verify-trace``) compiles with the one
CompileEnvironment the command line's compile options make (commands/arguments.compile_environment),
not a copy of its fields: a compile setting reaches the build with no second edit (issue #70, one
home per setting)."""
from __future__ import annotations

from ptofix.cli import build_parser
from ptofix.commands.arguments import compile_environment
from ptofix.commands.trace_options import trace_options
from ptofix.compile_env import CompileEnvironment
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
    args.environment = compile_environment(args)
    args.pto_isa = str(tmp_path / "pto-isa")     # (only named: the build is not run here)
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
    assert options.environment == CompileEnvironment()
    assert options.environment.compiler_flags() == ()
