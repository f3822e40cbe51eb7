"""`ptofix run` command lines read without argparse (start-up) must mean what argparse makes of
them: the same values for every line the fast reader accepts, and argparse for every other."""
from __future__ import annotations

import contextlib
import io
import subprocess
import sys

import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from ptofix.batch import count_argument
from ptofix.cli import Arguments, build_parser, main
from ptofix.commands import run as run_command
from ptofix.local_slot_options import positive_count


def _argparse(argv: list[str]) -> dict | None:
    """argparse's values for ``argv``, or None where argparse reports a usage error."""
    parser = build_parser("run")
    try:
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            return vars(parser.parse_args(argv))
    except SystemExit:
        return None


def _run_actions():
    parser = build_parser("run")
    sub = parser._subparsers._group_actions[0].choices["run"]  # type: ignore[union-attr]
    return [a for a in sub._actions if a.dest != "help"]


def test_every_run_option_is_known_to_the_fast_reader_as_argparse_defines_it():
    tables = {"value": run_command._FAST_VALUES, "int": run_command._FAST_INTS, "flag": run_command._FAST_FLAGS,
              "choice": {k: v[0] for k, v in run_command._FAST_CHOICES.items()}, "append": run_command._FAST_APPENDS}
    known = {flag for table in tables.values() for flag in table}
    for action in _run_actions():
        if not action.option_strings:
            assert action.dest == "files" and action.nargs == "+"
            continue
        if action.const is True:
            kind = "flag"
        elif type(action).__name__ == "_AppendAction":
            kind = "append"
        elif action.type in (int, count_argument, positive_count):
            kind = "int"
        elif action.choices:
            kind = "choice"
            assert tuple(action.choices) == run_command._FAST_CHOICES[action.option_strings[0]][1]
        else:
            kind = "value"
        for flag in action.option_strings:
            assert tables[kind].get(flag) == action.dest, (flag, kind)
            known.discard(flag)
    assert known == set()          # nothing the parser does not have


def test_fast_defaults_are_argparses():
    expected = _argparse(["run", "k.cpp"])
    assert expected is not None
    fast = run_command.fast_arguments(["run", "k.cpp"])
    assert fast == expected
    assert {k: v for k, v in expected.items() if k not in ("files", "handler")} == run_command.FAST_DEFAULTS


ACCEPTED = [
    ["run", "--pattern", "gu", "fa.cpp", "-o", "out.cpp"],
    ["run", "--pattern", "auto", "fa.cpp", "-o", "out.cpp"],
    ["run", "-I", "include", "--pattern", "auto", "-I", "other", "fa.cpp", "-o", "out.cpp"],
    ["run", "-P", "gu,softmax-exp-sum", "--force", "--weight", "12=3", "fa.cpp", "--diff"],
    ["--debug", "run", "--pattern=gu", "fa.cpp", "--check", "--debug"],
    ["run", "--pattern", "auto", "-", "--report", "json", "--report-file", "r.json", "-o", "-"],
    ["run", "a.cpp", "b.cpp", "-j", "2", "-o", "dir", "--local-slot-num", "0=2,4=2", "--tpipe-order", "new"],
    ["run", "--ir", "fa.mlir", "--sidecar", "s.json", "--target-ptoas", "v0.45", "--default-local-slot-num", "2",
     "--pto-lib", "/opt/pto", "--unit-flag", "0,4", "-i", "fa.cpp"],
    ["run", "--output=", "fa.cpp"],
    ["run", "", "--jobs", "007"],
    ["run", "-D", "A=1", "-U", "A", "--pattern", "auto", "-D", "f(x)=x", "-D", "b_off", "fa.cpp", "-o", "o.cpp"],
]

LEFT_TO_ARGPARSE = [
    ["run", "--help"], ["run"], ["run", "--pat", "gu", "fa.cpp"], ["run", "--", "fa.cpp"],
    ["run", "a.cpp", "--force", "b.cpp"], ["run", "-o", "x", "--check", "fa.cpp"],
    ["run", "--pattern", "gu", "--pattern", "auto", "fa.cpp"], ["run", "--report", "xml", "fa.cpp"],
    ["run", "-j", "-1", "fa.cpp"], ["run", "-j2", "fa.cpp"], ["run", "-Pgu", "fa.cpp"], ["run", "-o=x", "fa.cpp"],
    ["run", "--force=1", "fa.cpp"], ["run", "--weight", "-5", "fa.cpp"], ["run", "-5"], ["run", "fa.cpp", "-o"],
    ["check", "fa.cpp"], ["--version"], [], ["run", "--pattern", "gu", "fa.cpp", "--bogus"],
    ["run", "-DA", "fa.cpp"], ["run", "-D", "1x", "fa.cpp"], ["run", "-U", "a-b", "fa.cpp"], ["run", "-D=A", "fa.cpp"],
]


@pytest.mark.parametrize("argv", ACCEPTED)
def test_fast_reader_agrees_with_argparse(argv):
    fast = run_command.fast_arguments(argv)
    assert fast is not None
    assert fast == _argparse(argv)


@pytest.mark.parametrize("argv", LEFT_TO_ARGPARSE)
def test_other_command_lines_are_left_to_argparse(argv):
    assert run_command.fast_arguments(argv) is None


WORDS = st.sampled_from(["run", "--debug", "fa.cpp", "b.cpp", "-", "", "-I", "-o", "--output", "-i", "--in-place", "--diff",
                         "--check", "--force", "--pattern", "-P", "gu", "auto", "--pattern=gu", "--report", "json",
                         "text", "xml", "--report-file", "-j", "--jobs", "2", "0", "-1", "--tpipe-order", "old",
                         "--weight", "3=4", "--", "--pat", "--ir", "--output=o.cpp", "-h", "--jobs=2", "x y",
                         "-D", "-U", "A=1", "1x", "f(x)=x"])


@settings(max_examples=400, deadline=None)
@given(st.lists(WORDS, max_size=9))
def test_random_command_lines_mean_what_argparse_makes_of_them(words):
    argv = ["run", *words] if words[:1] != ["--debug"] else words
    fast = run_command.fast_arguments(argv)
    if fast is not None:
        assert fast == _argparse(argv), argv


def test_main_takes_the_fast_reader_and_argparse_alike(tmp_path, monkeypatch):
    source = tmp_path / "k.cpp"
    source.write_text(open(f"{ROOT}/kernels/flash_attention/fa.cpp", encoding="utf-8").read(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    seen = []
    real = run_command.run
    monkeypatch.setattr(run_command, "run", lambda args: seen.append(args) or real(args))
    assert main(["run", "--pattern", "gu", "k.cpp", "-o", "fast.cpp"]) == 0
    assert main(["run", "--pattern", "gu", "-oslow.cpp", "k.cpp"]) == 0     # an attached value: argparse
    assert isinstance(seen[0], Arguments) and not isinstance(seen[1], Arguments)
    assert (tmp_path / "fast.cpp").read_bytes() == (tmp_path / "slow.cpp").read_bytes()


@pytest.mark.parametrize("argv,hint", [
    (["run", "--pat", "gu", "k.cpp"], "ptofix run: error: unrecognized arguments: --pat (did you mean '--pattern'"),
    (["check", "--fxi", "k.cpp"], "ptofix check: error: unrecognized arguments: --fxi (did you mean '--fix'"),
    (["chek", "k.cpp"], "did you mean 'check'?"),
    (["run", "--report", "jsn", "k.cpp"], "did you mean 'json'?"),
])
def test_no_abbreviation_is_taken_and_a_misspelling_gets_did_you_mean(argv, hint):
    # (A prefix is refused: an option added later that starts the same would change an old command line.)
    proc = subprocess.run([sys.executable, "-m", "ptofix", *argv], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and hint in proc.stderr, proc.stderr
    if argv[0] in ("run", "check"):
        assert proc.stderr.startswith(f"usage: ptofix {argv[0]} ")        # the command's own usage


def test_help_still_lists_every_command():
    proc = subprocess.run([sys.executable, "-m", "ptofix", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0
    for name in ("run", "check", "opt", "canonicalize", "build", "simulate"):
        assert f"    {name} " in proc.stdout


def test_run_without_a_pattern_says_it_changes_nothing():
    fa = f"{ROOT}/kernels/flash_attention/fa.cpp"
    bare = subprocess.run([sys.executable, "-m", "ptofix", "run", fa], capture_output=True, text=True, cwd=ROOT)
    assert bare.returncode == 0 and bare.stdout == open(fa, encoding="utf-8").read()
    assert "note: no --pattern and no LocalSlotNum option: nothing is changed; --pattern auto" in bare.stderr
    for quiet in (["--pattern", "none"], ["-q"]):
        proc = subprocess.run([sys.executable, "-m", "ptofix", "run", *quiet, fa], capture_output=True, text=True,
                              cwd=ROOT)
        assert proc.returncode == 0 and proc.stderr == "", quiet
