"""Robustness campaign on what users see, the command lines: unknown options, bad values,
conflicting flags, reports to bad places, no command at all. Each is exit 2 with `error:` on
stderr (never a traceback, never an exit 2 that says nothing), before any file is written; and a
run that does less than asked says so (never silent). Hostile inputs: tests/test_hostile_inputs.py."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_hostile_inputs import FA_CPP, FA_MLIR, assert_user_facing, invoke

ISA = Path(__file__).resolve().parents[2] / "shared" / "pto-isa" / "f35e7f60"

# "@" is fa.cpp, "&" fa.mlir, "~" the scratch directory (a FIFO `fifo`, a directory `dir` in it).
BAD_COMMAND_LINES = {
    "no command": [],
    "only --debug": ["--debug"],
    "unknown command": ["nope"],
    "unknown option": ["run", "--nope", "@"],
    "ambiguous prefix": ["run", "--pat", "auto", "--pto", "x", "@"],
    "no file": ["run", "--pattern", "auto"],
    "missing value": ["run", "@", "--pattern"],
    "unknown pattern": ["run", "--pattern", "bogus", "@"],
    "empty pattern": ["run", "--pattern", "", "@"],
    "blank pattern list": ["run", "--pattern", " , ", "@"],
    "bad weight": ["run", "--pattern", "auto", "--weight", "x", "@"],
    "huge weight": ["run", "--pattern", "auto", "--weight", "1=" + "9" * 40, "@"],
    "huge local slot num": ["run", "--local-slot-num", "9" * 30, "@"],
    "negative local slot num": ["run", "--local-slot-num", "0=-1", "@", "-o", "~/o.cpp"],
    "bad local slot entry": ["run", "--local-slot-num", "=", "@"],
    "bad unit flag": ["run", "--unit-flag", "x", "@"],
    "negative default slots": ["run", "--default-local-slot-num", "-5", "@"],
    "unknown target": ["run", "--target-ptoas", "vX", "--local-slot-num", "2", "@"],
    "ir is a directory": ["run", "--ir", "~/dir", "--local-slot-num", "2", "@"],
    "ir is c++": ["run", "--ir", "@", "@", "-o", "~/o.cpp"],
    "sidecar is c++": ["run", "--sidecar", "@", "@", "-o", "~/o.cpp"],
    "pto-lib is no checkout": ["run", "--pto-lib", "~/dir", "@"],
    "pto-isa is no checkout": ["run", "--pattern", "auto", "--pto-isa", "~/dir", "@"],
    "bad -D": ["run", "--pattern", "auto", "-D", "1A", "@"],
    "empty -D": ["run", "--pattern", "auto", "-D", "", "@"],
    "-I a file": ["check", "-I", "@", "@"],
    "-I missing": ["check", "-I", "~/missing", "@"],
    "-j 0": ["run", "--pattern", "auto", "-j", "0", "@"],
    "-j negative": ["run", "--pattern", "auto", "-j", "-3", "@"],
    "-j huge": ["run", "--pattern", "auto", "-j", "9" * 20, "@"],
    "-i and --check": ["run", "--pattern", "auto", "-i", "--check", "@"],
    "-o and --diff": ["run", "--pattern", "auto", "-o", "~/o.cpp", "--diff", "@"],
    "two files to stdout": ["run", "--pattern", "auto", "@", "@"],
    "unknown report format": ["run", "--pattern", "auto", "--report", "xml", "@"],
    "html report without a file": ["run", "--pattern", "auto", "--report", "html", "@", "-o", "~/o.cpp"],
    "json report and the result on stdout": ["run", "--pattern", "auto", "--report", "json", "@"],
    "report into a directory": ["run", "--pattern", "auto", "--report", "json", "--report-file", "~/dir", "@",
                                "-o", "~/o.cpp"],
    "report into a missing directory": ["check", "--report", "sarif", "--report-file", "~/no/r.sarif", "@"],
    "report onto the input": ["run", "--pattern", "auto", "--report", "html", "--report-file", "@", "@",
                              "-o", "~/o.cpp"],
    "report into a fifo": ["check", "--report", "json", "--report-file", "~/fifo", "@"],
    "output into a fifo": ["run", "--pattern", "auto", "@", "-o", "~/fifo"],
    "bad arch": ["check", "--arch", "a9", "@"],
    "bad color": ["check", "--color", "pink", "@"],
    "fix and trace": ["check", "--fix", "--trace", "@"],
    "trace without pto-isa": ["check", "--trace", "@"],
    "sarif and the fixed kernel on stdout": ["check", "--fix", "--report", "sarif", "@"],
    "canonicalize without a target": ["canonicalize", "&"],
    "canonicalize of c++": ["canonicalize", "--target-ptoas", "v0.45", "@"],
    "canonicalize to nowhere": ["canonicalize", "--target-ptoas", "v0.45", "--to", "x", "&"],
    "canonicalize unknown target": ["canonicalize", "--target-ptoas", "v99", "&", "-o", "~/o.mlir"],
    "unknown pass": ["opt", "-p", "nope", "@"],
    "open brace": ["opt", "-p", "pipe-v-barrier{", "@"],
    "extra brace": ["opt", "-p", "pipe-v-barrier}}", "@"],
    "only commas": ["opt", "-p", ",,,", "@"],
    "unknown pass option": ["opt", "-p", "pipe-v-barrier{x=1}", "@"],
    "bad bool": ["opt", "-p", "pipe-v-barrier{force=maybe}", "@"],
    "huge default": ["opt", "-p", "local-slot-num{default=" + "9" * 30 + "}", "@"],
    "bad arch option": ["opt", "-p", "local-slot-num{pto-arch=a9}", "@"],
    "passes in the wrong order": ["opt", "-p", "pipe-v-barrier,local-slot-num{map=2}", "@"],
    "ir pass on c++": ["opt", "-p", "canonicalize{target-ptoas=v0.45}", "@"],
    "c++ pass on ir": ["opt", "-p", "pipe-v-barrier", "&"],
    "opt without a file": ["opt", "-p", "pipe-v-barrier"],
    "simulate one file": ["simulate", "@"],
    "simulate three files": ["simulate", "@", "@", "@"],
    "simulate ir": ["simulate", "@", "&"],
    "simulate a directory": ["simulate", "@", "~/dir"],
    "zero seeds": ["simulate", "--seeds", "0", "@", "@"],
    "huge seeds": ["simulate", "--seeds", "9" * 30, "@", "@"],
    "zero blocks": ["simulate", "--block-num", "0", "@", "@"],
    "too many blocks": ["simulate", "--block-num", "99999", "@", "@"],
    "block past the blocks": ["simulate", "--block-idx", "5", "@", "@"],
    "bad ub size": ["simulate", "--ub-size", "-1K", "@", "@"],
    "huge ub size": ["simulate", "--ub-size", "9" * 30 + "K", "@", "@"],
    "arg without a value": ["simulate", "--arg", "v7", "@", "@"],
    "arg of no parameter": ["simulate", "--arg", "nope=1", "@", "@"],
    "arg out of float range": ["simulate", "--arg", "v7=1e999", "@", "@"],
    "empty range fill": ["simulate", "--gm-fill", "v1=ints:5:1", "@", "@"],
    "fill of no parameter": ["simulate", "--gm-fill", "zz=zero", "@", "@"],
    "nan time budget": ["simulate", "--time-budget", "nan", "@", "@"],
    "no such function": ["simulate", "--function", "nope", "@", "@"],
    "perf without pto-isa": ["perf", "@"],
    "perf pto-isa no checkout": ["perf", "@", "--pto-isa", "~/dir"],
    "perf without a kernel": ["perf", "--pto-isa", "~/dir"],
    "build without an output": ["build", "&"],
    "build of a directory": ["build", "~/dir", "-o", "~/b", "--target-ptoas", "v0.45", "--no-config"],
    "build into a file": ["build", "&", "-o", "@", "--target-ptoas", "v0.45", "--no-config"],
    "build with a c++ config": ["build", "&", "-o", "~/b", "--config", "@", "--target-ptoas", "v0.45"],
    "build with a missing config": ["build", "&", "-o", "~/b", "--config", "~/none.toml"],
    "build unknown target": ["build", "&", "-o", "~/b", "--target-ptoas", "garbage", "--no-config", "--dry-run"],
    "build unknown pattern": ["build", "&", "-o", "~/b", "--target-ptoas", "v0.45", "--pattern", "bogus",
                              "--no-config", "--no-compile"],
    "build c++": ["build", "@", "-o", "~/b", "--target-ptoas", "v0.45", "--no-config", "--no-compile"],
}
if ISA.is_dir():
    BAD_COMMAND_LINES.update({
        "perf block dim 0": ["perf", "@", "--pto-isa", str(ISA), "--block-dim", "0"],
        "perf negative timeout": ["perf", "@", "--pto-isa", str(ISA), "--timeout", "-1"],
        "perf html without a file": ["perf", "@", "--pto-isa", str(ISA), "--report", "html"],
        "perf bad arg": ["perf", "@", "--pto-isa", str(ISA), "--arg", "v7=x"],
        "perf arg of no parameter": ["perf", "@", "--pto-isa", str(ISA), "--arg", "zz=1"],
        "perf of ir": ["perf", "&", "--pto-isa", str(ISA)],
    })


@pytest.mark.parametrize("name", sorted(BAD_COMMAND_LINES))
def test_a_bad_command_line_is_exit_2_with_an_error_and_writes_nothing(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    for variable in ("PTOAS", "BISHENG", "PTO_LIB_PATH", "PTOFIX_PATTERN"):
        monkeypatch.delenv(variable, raising=False)
    kernel, ir = tmp_path / "fa.cpp", tmp_path / "fa.mlir"
    kernel.write_bytes(FA_CPP)
    ir.write_bytes(FA_MLIR)
    (tmp_path / "dir").mkdir()
    os.mkfifo(tmp_path / "fifo")
    before = sorted(p.name for p in tmp_path.iterdir())
    argv = [str(kernel) if arg == "@" else str(ir) if arg == "&" else arg.replace("~", str(tmp_path))
            for arg in BAD_COMMAND_LINES[name]]
    status, out, err = invoke(argv)
    assert_user_facing(status, err, {kernel: FA_CPP, ir: FA_MLIR}, allowed={2})
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert not list((tmp_path / "dir").iterdir())


def test_no_command_says_so_on_stderr():
    # (Before: the top-level help on stdout, exit 2, and nothing on stderr.)
    status, out, err = invoke([])
    assert status == 2 and out == ""
    assert err.startswith("usage: ptofix ") and "ptofix: error: no command given (choose from run, check" in err


def test_an_empty_pattern_is_an_error_not_a_silent_no_op(tmp_path):
    # (Before: `--pattern ""`, a shell variable left unset, selected nothing and said nothing.)
    kernel = tmp_path / "fa.cpp"
    kernel.write_bytes(FA_CPP)
    status, out, err = invoke(["run", "--pattern", "", str(kernel)])
    assert status == 2 and out == ""
    assert err == "ptofix: error: --pattern '' names no pattern (give gu, softmax-exp-sum, softmax-sum-add, auto, " \
                  "or none to select nothing)\n"
    status, out, err = invoke(["run", "--pattern", "", "--pattern", "gu", "-q", str(kernel)])
    assert status == 0 and out.encode() == FA_CPP          # (with another value: that value)


@pytest.mark.parametrize("flag", ["--local-slot-num", "--unit-flag", "--ir", "--sidecar", "--pto-lib", "--weight"])
@pytest.mark.parametrize("value", ["", " ", ","])
def test_an_empty_option_value_is_an_error_not_a_silent_no_op(tmp_path, flag, value):
    # (Before: `--local-slot-num ""` and the others, a shell variable left unset, were taken as not
    # given: exit 0, the input unchanged, and a note that no LocalSlotNum option was given.)
    kernel = tmp_path / "fa.cpp"
    kernel.write_bytes(FA_CPP)
    status, out, err = invoke(["run", flag, value, str(kernel)])
    assert status == 2 and out == ""
    assert err == f"ptofix: error: {flag} {value!r} names nothing: give a value or leave the option out\n"
    assert kernel.read_bytes() == FA_CPP


@pytest.mark.parametrize("argv", [["run", "--pattern", "auto", "--pto-isa", ""], ["check", "--pto-isa", ""],
                                  ["run", "--pattern", "auto", "--cache-dir", ""]])
def test_an_empty_directory_option_is_an_error_not_ignored(tmp_path, argv):
    # (Before: `--pto-isa ""` ran without the checkout, exit 0, and said nothing of it.)
    kernel = tmp_path / "fa.cpp"
    kernel.write_bytes(FA_CPP)
    status, out, err = invoke([*argv, str(kernel)])
    assert status == 2 and out == ""
    assert err == f"ptofix: error: {argv[-2]} '': empty directory name\n"


@pytest.mark.parametrize("pipeline", ["pipe-v-barrier{pattern=}", "pipe-v-barrier{pattern= , }"])
def test_opt_with_an_empty_pattern_is_an_error_as_run_s_is(tmp_path, pipeline):
    # (Before: exit 0, the input as it was, nothing on stderr: `run --pattern ''` was already an error.)
    kernel = tmp_path / "fa.cpp"
    kernel.write_bytes(FA_CPP)
    status, out, err = invoke(["opt", "-p", pipeline, str(kernel)])
    assert status == 2 and out == ""
    assert err == ("ptofix: error: pass 'pipe-v-barrier': option 'pattern': '' names no pattern (give gu, "
                   "softmax-exp-sum, softmax-sum-add, auto, or none to select nothing) (expected P[,P...])\n")


def test_opt_without_a_pipeline_says_it_changes_nothing(tmp_path):
    kernel = tmp_path / "fa.cpp"
    kernel.write_bytes(FA_CPP)
    status, out, err = invoke(["opt", str(kernel)])
    assert status == 0 and out.encode() == FA_CPP
    assert err == "ptofix: note: no -p PIPELINE: nothing is changed (--list-passes lists the passes)\n"
    assert invoke(["opt", "-q", str(kernel)])[2] == ""


def test_perf_names_pto_ir_as_such(tmp_path):
    # (Before: "'#' not at the start of a line" from the C++ tokenizer, at the IR's 30th line.)
    (tmp_path / "include" / "pto").mkdir(parents=True)
    ir = tmp_path / "fa.mlir"
    ir.write_bytes(FA_MLIR)
    status, _, err = invoke(["perf", str(ir), "--pto-isa", str(tmp_path), "--cache-dir", str(tmp_path / "cache")])
    assert status == 2
    assert f"{ir}:29:1: error: this is PTO IR (MLIR) ('module attributes" in err, err


@pytest.mark.parametrize("command", ["run", "check", "opt", "canonicalize", "build", "simulate", "perf"])
def test_help_is_on_stdout_exit_0_and_names_the_exit_statuses(command):
    status, out, err = invoke([command, "--help"])
    assert status == 0 and err == ""
    assert out.startswith(f"usage: ptofix {command} ") and "exit status" in out.lower()
    assert max(len(line) for line in out.splitlines()) <= 100
