"""Each compile setting has one home (issue #70 item 2): `-I`, `-D`/`-U` are declared once
(compile_options.py, for every command: run, check, opt and simulate add them with
commands/arguments.add_compile_arguments, build makes its settings' fields of them), `--pto-isa` once
(add_compile_arguments), and read once into the frozen CompileEnvironment; the
pto-isa checkout is identified once, there (isa_version.with_checkout), and every pass and analysis
reads its facts from the environment; what one file's job reads is the job's record (the model's
``reads``), no setting."""
from __future__ import annotations

import ast
import os
import pickle
import shutil
from pathlib import Path

import pytest

from ptofix import isa_version
from ptofix.cli import build_parser, main
from ptofix.commands.arguments import PTO_ISA_HELP, compile_environment
from ptofix.compile_env import NO_COMMAND_LINE, CompileEnvironment
from ptofix.compile_options import COMPILE_OPTIONS, DEFINE, INCLUDE_DIR, UNDEFINE
from ptofix.compile_settings import environment_of
from ptofix.prebuild.settings import BuildSettings
from ptofix.source import OptionValueError, PtofixError

REPO = Path(__file__).resolve().parent.parent
# A stand-in checkout written for the tests (lit_tests/pipe-v-barrier/Inputs).
NEW_CHECKOUT = REPO / "lit_tests" / "pipe-v-barrier" / "Inputs" / "pto-isa-new"
COMPILE_FLAGS = ("-I", "-D", "-U", "--pto-isa")

KERNEL = """\
#include "pto/pto-inst.hpp"
using namespace pto;
__global__ AICORE void k(__gm__ float* out) {
  using T = Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64, SLayout::NoneBox, 512, PadValue::Null>;
  T a; T b; T c;
  TASSIGN(a, 0x0); TASSIGN(b, 0x1000); TASSIGN(c, 0x2000);
  TADD(c, a, b);
  pipe_barrier(PIPE_V);
  TMUL(a, c, b);
}
"""


# The calls that declare an option: argparse's, a build setting's, a compiler option's.
_DECLARING = {"add_argument", "BuildOption", "CompileOption"}


def _declarations(flag: str, sources: dict[str, str] | None = None) -> list[str]:
    """The modules of the package (or of ``sources``, by name) that spell ``flag`` in a call that
    declares an option (_DECLARING), as an argument or in a tuple of spellings."""
    if sources is None:
        sources = {path.name: path.read_text(encoding="utf-8") for root in ("ptofix", "passes")
                   for path in sorted((REPO / root).rglob("*.py"))}
    found = []
    for name, text in sources.items():
        for node in ast.walk(ast.parse(text)):
            if not (isinstance(node, ast.Call) and (getattr(node.func, "attr", None) in _DECLARING
                                                    or getattr(node.func, "id", None) in _DECLARING)):
                continue
            spelled = [sub.value for arg in node.args for sub in ast.walk(arg) if isinstance(sub, ast.Constant)]
            if flag in spelled:
                found.append(name)
    return found


@pytest.mark.parametrize("flag", [*COMPILE_FLAGS, "--include", "--define", "--undefine"])
def test_each_compile_option_is_declared_once(flag):
    # (perf's --pto-isa is the checkout its kernels are built against, with its own dest: no compile option.)
    # -I, -D and -U, build's spellings with them: compile_options.py only.
    assert _declarations(flag) == (["arguments.py", "perf.py"] if flag == "--pto-isa" else ["compile_options.py"])


def test_the_scan_finds_an_option_declared_again():
    # (The check above can fail: a build field or a parser that spells -I itself is found.)
    field = 'x = field(metadata=BuildOption(("-I", "--include"), metavar="DIR").metadata())\n'
    parser = 'p.add_argument("-D", dest="macro_flags")\n'
    assert _declarations("-I", {"settings.py": field, "run.py": parser}) == ["settings.py"]
    assert _declarations("--include", {"settings.py": field}) == ["settings.py"]
    assert _declarations("-D", {"settings.py": field, "run.py": parser}) == ["run.py"]


def _command_actions(command: str) -> dict[str, object]:
    parser = build_parser(command)
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]
    return {flag: action for action in sub._actions for flag in action.option_strings}


@pytest.mark.parametrize("command,flags", [("run", COMPILE_FLAGS), ("check", COMPILE_FLAGS), ("opt", COMPILE_FLAGS),
                                           ("simulate", ("-I", "-D", "-U"))])
def test_every_command_that_reads_cpp_takes_the_same_compile_options(command, flags):
    actions = _command_actions(command)
    reference = _command_actions("run")
    for flag in flags:
        mine, theirs = actions[flag], reference[flag]
        assert (mine.dest, mine.help, mine.metavar) == (theirs.dest, theirs.help, theirs.metavar), (command, flag)
    assert actions["--pto-isa"].help == PTO_ISA_HELP if "--pto-isa" in flags else "--pto-isa" not in actions
    # (perf declares its own, required, with its own help; its dest is the compile option's, so
    # arguments.compile_environment identifies it as every command's.)
    assert _command_actions("perf")["--pto-isa"].dest == "pto_isa"


def test_build_takes_the_compile_options_from_their_one_declaration():
    # Its own spellings (a long one that is the config key), help and settings, the others' metavar
    # and reader: a bad -D is refused by build as by run, with the same words.
    actions = _command_actions("build")
    run = _command_actions("run")
    for option, name in ((INCLUDE_DIR, "include_dirs"), (DEFINE, "define_flags"), (UNDEFINE, "undefine_flags")):
        action = actions[option.flag]
        assert tuple(action.option_strings) == option.build_flags and option.flag in option.build_flags
        assert (action.dest, action.help, action.metavar) == (name, option.build_help, option.metavar)
        assert BuildSettings.key_of(name) == next(flag[2:] for flag in option.build_flags if flag.startswith("--"))
        assert (run[option.flag].help, run[option.flag].metavar) == (option.help, option.metavar)
        assert (action.type is None) == (run[option.flag].type is None) == (option.read is None)
    assert [option.flag for option in COMPILE_OPTIONS] == ["-I", "-D", "-U"]


@pytest.mark.parametrize("argv", [["run", "-D", "1X", "k.cpp"], ["build", "-D", "1X", "k.mlir"],
                                  ["build", "--define", "1X", "k.mlir"], ["check", "-U", "A=1", "k.cpp"],
                                  ["build", "--undefine", "A=1", "k.mlir"]])
def test_a_bad_macro_is_refused_alike_by_every_command(argv, capsys):
    command, flag, value = argv[:3]
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    read = DEFINE.read if flag in DEFINE.build_flags else UNDEFINE.read
    assert read is not None
    with pytest.raises(OptionValueError) as why:
        read(value)
    spelled = "/".join(_command_actions(command)[flag].option_strings)
    assert f"error: argument {spelled}: {why.value}" in capsys.readouterr().err


def _callers(name: str) -> set[str]:
    """The modules of the package that call ``name``."""
    found = set()
    for root in (REPO / "ptofix", REPO / "passes"):
        for path in root.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and (getattr(node.func, "id", None) == name
                                                   or getattr(node.func, "attr", None) == name):
                    found.add(str(path.relative_to(REPO)))
    return found


def test_the_checkout_is_identified_where_the_environment_is_made_only():
    # The command line, the library API and build's stage 3, through their one constructor
    # (compile_settings.py): each makes its environment once; perf too (its page reads the barriers'
    # costs by the checkout its kernels were built against, from that environment).
    assert _callers("with_checkout") == {"ptofix/compile_settings.py"}
    assert _callers("identify") <= {"ptofix/isa_version.py"}
    assert _callers("_identified") == {"ptofix/isa_version.py"}


def test_the_environment_is_settings_only():
    names = set(CompileEnvironment.field_names)
    assert names == {"include_dirs", "macro_flags", "headers_unread", "pto_isa", "isa", "isa_notes", "isa_files", "arch"}
    environment = isa_version.with_checkout(NO_COMMAND_LINE, str(NEW_CHECKOUT))
    assert environment.isa.tpipe_order and environment.isa_files
    assert all(path.startswith(str(NEW_CHECKOUT)) for path in environment.isa_files)
    assert pickle.loads(pickle.dumps(environment)) == environment
    assert isa_version.with_checkout(environment, None) == NO_COMMAND_LINE


@pytest.fixture
def checkout(tmp_path):
    target = tmp_path / "pto-isa"
    shutil.copytree(NEW_CHECKOUT, target)
    return target


@pytest.fixture
def identifications(monkeypatch):
    """How often a checkout is read for its facts."""
    calls: list[str] = []
    real = isa_version._identified

    def counted(path):
        calls.append(path)
        return real.__wrapped__(path)
    monkeypatch.setattr(isa_version, "_identified", counted)
    return calls


@pytest.mark.parametrize("command", [["run", "--pattern", "auto"], ["opt", "-p", "pipe-v-barrier"], ["check", "--fix"]])
def test_a_command_identifies_its_checkout_once_for_all_its_files(command, tmp_path, checkout, identifications,
                                                                  capsys):
    files = []
    for name in ("a.cpp", "b.cpp"):
        (tmp_path / name).write_text(KERNEL)
        files.append(str(tmp_path / name))
    status = main([*command, "--pto-isa", str(checkout), "--report", "json", "--report-file",
                   str(tmp_path / "r.json"), "--check", *files])
    assert status in (0, 1, 4), capsys.readouterr().err     # (4: check, the stand-in headers are not f35e7f60's)
    assert identifications == [str(checkout)]


def test_opt_applies_the_checkout_s_facts_as_run_does(tmp_path, checkout, capsys):
    """`--pto-isa` is a compile option of `opt` too (no longer a pass option): the pass reports
    the checkout's facts, as under `run`."""
    (tmp_path / "k.cpp").write_text(KERNEL)
    reports = {}
    for command in (["run", "--pattern", "auto"], ["opt", "-p", "pipe-v-barrier"]):
        out = tmp_path / f"{command[0]}.json"
        assert main([*command, "--pto-isa", str(checkout), "--report", "json", "--report-file", str(out), "--check",
                     str(tmp_path / "k.cpp")]) in (0, 1)
        import json
        passes = json.loads(out.read_text())["files"][0]["passes"]
        reports[command[0]] = next(p for p in passes if p["pass"] == "pipe-v-barrier")["pto_isa"]
    assert reports["run"] == reports["opt"] and reports["run"]["facts"].startswith(f"pto-isa {checkout}")
    capsys.readouterr()
    assert main(["opt", "-p", f"pipe-v-barrier{{pto-isa={checkout}}}", str(tmp_path / "k.cpp")]) == 2
    assert "pto-isa" in capsys.readouterr().err


def test_a_job_s_record_is_its_own(tmp_path):
    """The files a job reads (headers; the checkout's) are returned with its result, and noted on
    the job's model, never on the environment every file shares."""
    from ptofix.file_passes import FilePasses
    from ptofix.frontends import parse_cpp
    from ptofix.side_files import ReadRecord
    from ptofix.source import SourceText
    (tmp_path / "inc").mkdir()
    (tmp_path / "inc" / "h.h").write_text("#define N 1\n")
    (tmp_path / "k.cpp").write_text('#include "h.h"\n' + KERNEL)
    environment = isa_version.with_checkout(CompileEnvironment((str(tmp_path / "inc"),)), str(NEW_CHECKOUT))
    from ptofix.pass_manager import build_pass
    job = FilePasses((build_pass("pipe-v-barrier", {"pattern": "auto"}),), cpp_input=True, environment=environment)
    depends = job.process(str(tmp_path / "k.cpp")).depends
    assert os.path.join(str(tmp_path / "inc"), "h.h") in depends
    assert set(environment.isa_files) <= set(depends)
    record = ReadRecord()
    model = parse_cpp(SourceText((tmp_path / "k.cpp").read_text(), str(tmp_path / "k.cpp")), environment, record)
    assert model.reads is record and model.environment is environment
    assert compile_environment(build_parser("run").parse_args(["run", "-I", str(tmp_path / "inc"), "x.cpp"])) \
        == CompileEnvironment((str(tmp_path / "inc"),))


def test_build_s_environment_is_the_one_constructor_s_with_bisheng_s_settings(tmp_path):
    """build (prebuild/stages.py) makes its environment with environment_of: bisheng's own
    directories are not refused (bisheng skips a missing -I; build refused its own --include when
    it planned), and why bisheng reads headers the analysis does not is a field of it."""
    missing = str(tmp_path / "not-there")
    with pytest.raises(PtofixError, match="not-there: not a directory"):
        environment_of([missing])
    built = environment_of([missing], ("-DA=1",), headers_unread="-include x.h", refuse_missing=False)
    assert built == CompileEnvironment((missing,), ("-DA=1",), "-include x.h")
