"""Whole-process behaviour of the `ptofix` console entry point: what a one-file `run` imports, and
the fast exit (os._exit after flushing) leaving every output complete."""
import os
import subprocess
import sys

import pytest
from conftest import CORPUS, ROOT

FA = os.path.join(ROOT, "kernels", "flash_attention", "fa.cpp")
# Without PYTHONUNBUFFERED (some shells set it): stdout to a pipe is block-buffered, as in a build.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}

# Modules a one-file `run` has no use for: the worker pool (only -j N over several files), the
# simulator's numpy, the statement grammar's lark (the fast path parses the FA kernel) and secrets
# (several ms of start-up; the run path has no use for it). (argparse reads every command line:
# a reader of the plain `run` ones without it saved under 5% of such a run, scripts/bench_startup.py.)
# (typing is imported: the compiled modules' NamedTuples are typing's, ~1.7 ms, which mypyc
# compiles and ptofix.ntuple's are not.)
NOT_IMPORTED = ("multiprocessing", "concurrent.futures", "numpy", "lark", "secrets")

PROBE = """
import sys
from ptofix.cli import main
status = main(sys.argv[1:])
print(status, " ".join(sorted(m for m in {names!r} if m in sys.modules)))
"""


def _probe(args, tmp_path):
    proc = subprocess.run([sys.executable, "-c", PROBE.format(names=NOT_IMPORTED), *args], capture_output=True,
                          text=True, env=ENV, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    status, _, loaded = proc.stdout.strip().partition(" ")
    return int(status), loaded.split()


def test_one_file_run_imports_no_pool_numpy_or_lark(tmp_path):
    out = tmp_path / "out.cpp"
    status, loaded = _probe(["run", "--pattern", "auto", FA, "-o", str(out)], tmp_path)
    assert status == 0 and loaded == []
    original = open(FA, encoding="utf-8").read()
    assert out.read_text(encoding="utf-8") != original          # the proof ran and removed barriers
    assert out.read_text(encoding="utf-8").count("pipe_barrier(PIPE_V);") < original.count("pipe_barrier(PIPE_V);")


@pytest.mark.corpus
def test_corpus_fa_kernel_with_a_ternary_loop_bound_runs_without_lark(tmp_path):
    # The corpus's largest FA kernel computes loop bounds with `c ? a : b` (a declaration and two
    # for conditions): the fast expression parser builds those, so lark stays unloaded.
    kernel = os.path.join(CORPUS, "real", "02_fa_call_both.cpp")
    if not os.path.isfile(kernel):
        pytest.skip("corpus FA kernel not present")
    assert " ? " in open(kernel, encoding="utf-8").read()
    out = tmp_path / "out.cpp"
    status, loaded = _probe(["run", "--pattern", "auto", kernel, "-o", str(out)], tmp_path)
    assert status == 0 and loaded == []
    assert out.read_text(encoding="utf-8").count("pipe_barrier(PIPE_V);") < 46


def test_several_files_with_jobs_use_the_pool(tmp_path):
    # The counterpart: -j 2 over two files does start the workers (the lazy import still happens).
    copies = []
    for name in ("k.cpp", "m.cpp"):
        (tmp_path / name).write_text(open(FA, encoding="utf-8").read(), encoding="utf-8")
        copies.append(str(tmp_path / name))
    outdir = tmp_path / "out"
    outdir.mkdir()
    status, loaded = _probe(["run", "--pattern", "auto", "-j", "2", "-o", str(outdir), *copies], tmp_path)
    assert status == 0 and "multiprocessing" in loaded
    assert sorted(os.listdir(outdir)) == ["k.cpp", "m.cpp"]


def _console(args, cwd):
    return subprocess.run([sys.executable, "-m", "ptofix", *args], capture_output=True, env=ENV, cwd=cwd)


def test_console_exit_leaves_outputs_complete(tmp_path):
    to_file = _console(["run", "--pattern", "auto", FA, "-o", "out.cpp", "--report", "json",
                        "--report-file", "report.json"], tmp_path)
    assert to_file.returncode == 0, to_file.stderr
    written = (tmp_path / "out.cpp").read_bytes()
    assert (tmp_path / "report.json").read_text(encoding="utf-8").rstrip().endswith("}")
    # stdout and the stderr report, block-buffered into pipes, arrive whole before the fast exit.
    to_stdout = _console(["run", "--pattern", "auto", "--report", "text", FA], tmp_path)
    assert to_stdout.returncode == 0
    assert to_stdout.stdout == written
    assert to_stdout.stderr.decode().splitlines()[-1].startswith(f"{FA}: pipe-v-barrier: ")
    # The exit status goes through too; no staging file is left behind.
    assert _console(["run", "--pattern", "auto", "--check", FA], tmp_path).returncode == 1
    assert _console(["run", "--pattern", "auto", "--check", "out.cpp"], tmp_path).returncode == 0
    assert sorted(os.listdir(tmp_path)) == ["out.cpp", "report.json"]


# What `--help` and a usage error load: each command's parser, without the analysis (the barrier
# proof, the races, the simulator) that only a command's run needs.
ANALYSIS = ("ptofix.cpp.barriers", "ptofix.cpp.races", "ptofix.cpp.placement", "ptofix.sim.runner", "numpy")


@pytest.mark.parametrize("code", [
    "from ptofix.cli import build_parser; build_parser()",                    # `ptofix --help`: every parser
    "from ptofix.prebuild.tools import ptoas_version",                           # canonicalize reading ptoas's version
])
def test_parsers_and_the_ptoas_version_probe_load_no_analysis(code):
    probe = f"import sys\n{code}\nprint(' '.join(m for m in {ANALYSIS!r} if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=ENV, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == []


# `ptofix --version` and `--help` read the command registry (ptofix/commands/__init__.py): no
# command's module, no analysis, no file output machinery, no signal enums (issue #70: --version at most 60 ms of
# CPU, scripts/bench_startup.py). A command line that names a command imports that command's
# module and no other's.
LISTED = ("ptofix.commands", "ptofix.cli")
COMMAND_MODULES = tuple(f"ptofix.commands.{name}" for name in ("run", "check", "opt", "canonicalize", "build",
                                                                 "simulate", "perf"))
HEAVY = ("ptofix.output", "ptofix.compile_env", "ptofix.pto.ops", "ptofix.cpp.parser", "ptofix.cpp.lexical",
         "ptofix.file_passes", "ptofix.sidecar", "ptofix.prebuild.stages", "ptofix.trace.check", "ptofix.ir.model",
         "ptofix.pass_manager", "dataclasses", "hashlib", "signal")

CONSOLE = """
import sys
for name in {forget!r}:
    sys.modules.pop(name, None)     # (imported at start-up, by an editable install's finder: seen if imported again)
sys.argv[0] = 'ptofix'
try:
    from ptofix.cli import console_main
    import os
    os._exit = lambda status: sys.exit(status)      # (to print what was imported, below)
    console_main()
finally:
    sys.stderr.write("\\nIMPORTED " + " ".join(sorted(m for m in sys.modules if m.startswith('ptofix')
                                                       or m in {names!r})) + "\\n")
"""


def _imported_by_console(args, names=HEAVY, forget=()):
    proc = subprocess.run([sys.executable, "-c", CONSOLE.format(names=names, forget=forget), *args], capture_output=True,
                          text=True, env=ENV, cwd=ROOT)
    line = proc.stderr.rpartition("\nIMPORTED ")[2]
    return proc, set(line.split())


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["--debug", "--version"], []])
def test_version_and_help_import_no_command_module(args):
    proc, imported = _imported_by_console(args)
    assert proc.returncode == (2 if not args else 0), proc.stderr
    assert set(LISTED) <= imported
    assert imported.isdisjoint(COMMAND_MODULES), imported & set(COMMAND_MODULES)
    assert imported.isdisjoint(HEAVY), imported & set(HEAVY)
    if args == ["--help"]:
        for line in ("run         fix ptoas C++", "check       report PIPE_V races", "perf        build each kernel"):
            assert line in proc.stdout


def test_a_command_imports_its_module_and_no_other_command_s(tmp_path):
    proc, imported = _imported_by_console(["check", "--help"])
    assert proc.returncode == 0 and "usage: ptofix check" in proc.stdout
    # (check's --trace options read their values with perf's and simulate's readers: those modules
    # are light; the trace machinery itself is imported only when --trace asks for it.)
    assert imported & set(COMMAND_MODULES) <= {"ptofix.commands.check", "ptofix.commands.perf",
                                               "ptofix.commands.simulate"}
    assert "ptofix.commands.check" in imported and "ptofix.trace.check" not in imported
    proc, imported = _imported_by_console(["canonicalize"])
    assert proc.returncode == 2 and "the following arguments are required: IN.mlir" in proc.stderr
    assert imported & set(COMMAND_MODULES) == {"ptofix.commands.canonicalize"}
    assert "ptofix.cpp.parser" not in imported          # (canonicalize reads PTO IR, not C++)


# What the `ptofix` command's one-kernel run does not load (issue #70: its one-time costs): the
# build's settings (ptofix.prebuild.options); dataclasses (the run's records and passes are
# ptofix.records classes) and inspect's own imports (dataclasses imports inspect, which the command
# loads on first use, cli.load_inspect_on_first_use, for the commands that still import it); signal (its enums: the run
# sets its handlers with the C module, _signal); and pathlib (with urllib.parse: ~3 ms of a
# regular install's start; an editable install's finder imports it before ptofix, hence `forget`);
# fcntl (only -i locks its file), select (only a full non-blocking output waits) and
# encodings.ascii (the build record is read as bytes), ~0.2 ms each; header_words (a pto-isa
# checkout's headers) and file_scope_classes (a class defined at file scope), ~0.25 ms each.
RUN_UNLOADED = ("ptofix.prebuild.options", "dataclasses", "ast", "dis", "tokenize", "signal", "pathlib", "fcntl",
                "select", "encodings.ascii", "ptofix.pto.header_words", "ptofix.cpp.file_scope_classes")


def test_console_run_loads_no_build_settings_and_no_inspect(tmp_path):
    out = tmp_path / "out.cpp"
    proc, imported = _imported_by_console(["run", "--pattern", "auto", FA, "-o", str(out)],
                                          names=(*RUN_UNLOADED, "re"), forget=("pathlib",))
    assert proc.returncode == 0, proc.stderr
    assert "ptofix.cpp.barriers" in imported and "re" in imported      # (the probe sees the run's)
    assert imported.isdisjoint(RUN_UNLOADED), imported & set(RUN_UNLOADED)
    assert out.read_text(encoding="utf-8").count("pipe_barrier(PIPE_V);") < open(FA, encoding="utf-8").read().count(
        "pipe_barrier(PIPE_V);")


INSPECT_ON_FIRST_USE = """
import sys
from ptofix.cli import load_inspect_on_first_use
load_inspect_on_first_use()
import dataclasses
import inspect
loaded_by_import = "ast" in sys.modules
@dataclasses.dataclass
class Point:
    x: int
    y: str = ""
from inspect import signature
print(loaded_by_import, inspect.isclass(Point), inspect.signature is signature,
      sys.modules["inspect"].signature is signature, hasattr(inspect, "__path__"))
print(Point.__doc__)
"""


def test_inspect_on_first_use_is_the_whole_module_once_read():
    # The stand-in loads nothing when imported; the first name read from it (here dataclasses'
    # inspect.signature, for a dataclass with no docstring) loads the real module, whose names it
    # then holds: the same objects as sys.modules["inspect"]'s.
    proc = subprocess.run([sys.executable, "-c", INSPECT_ON_FIRST_USE], capture_output=True, text=True, env=ENV,
                          cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["False True True True False", "Point(x: int, y: str = '')"]


# The settings and results a one-file `run` builds are ptofix.records classes, not dataclasses: a
# dataclass compiles its methods with exec at import, ~0.4-1 ms a class (issue #70: the FA run's
# whole process within 3x the line-regex patcher). The pass records too (their fields are the
# passes' options, pass_manager.option_fields reads them from records' declarations).
DATACLASSES_PROBE = """
import sys
from ptofix.cli import main
status = main(sys.argv[1:])
found = sorted({f"{value.__module__}.{value.__qualname__}" for name, module in list(sys.modules.items())
               if name.startswith("ptofix") for value in vars(module).values()
               if isinstance(value, type) and "__dataclass_fields__" in vars(value) and value.__module__ == name})
print(status, " ".join(found))
"""


def _fa_run_probe(probe, tmp_path):
    """What ``probe`` prints after ``main`` ran `run --pattern auto` on the FA kernel (in a child)."""
    out = tmp_path / "out.cpp"
    proc = subprocess.run([sys.executable, "-c", probe, "run", "--pattern", "auto", FA, "-o", str(out)],
                          capture_output=True, text=True, env=ENV, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_one_file_run_builds_no_dataclass(tmp_path):
    stdout = _fa_run_probe(DATACLASSES_PROBE, tmp_path)
    status, _, found = stdout.strip().partition(" ")
    assert status == "0"
    assert found.split() == []


# The op-facts table (ptofix/pto/derived_facts.py) is read with its index: the FA run reads the
# text of the ops its kernel calls, and each class it asks about from its line, parsing no op whole
# (touching the table's 1.2 MB of ops, then parsing the ops it calls, cost ~4 ms of every run).
FACTS_PROBE = """
import sys
from ptofix.cli import main
status = main(sys.argv[1:])
from ptofix.pto.derived_facts import default_facts
facts = default_facts()
print(status, len(facts._op_spans), len(facts._ops), ",".join(sorted(facts._raw_ops)))
"""


def test_one_file_run_reads_the_ops_it_calls_and_parses_none_whole(tmp_path):
    stdout = _fa_run_probe(FACTS_PROBE, tmp_path)
    status, unread, parsed, read = stdout.split()
    assert status == "0" and int(unread) > 30 and parsed == "0"
    assert read == "TADD,TEXP,TMULS,TROWEXPANDMUL,TROWEXPANDSUB"


# Nor a typing.NamedTuple in the modules it runs interpreted (compiled modules' are mypyc's): one
# builds an annotation object per field at import, ~1 ms for count_mode's FillPadReach (issue #70).
NAMEDTUPLE_PROBE = """
import sys
import ptofix
from ptofix.cli import main
status = main(sys.argv[1:])
found = sorted({f"{value.__module__}.{value.__qualname__}" for name, module in list(sys.modules.items())
               if name.startswith("ptofix") and name not in ptofix.COMPILED_MODULES for value in vars(module).values()
               if isinstance(value, type) and issubclass(value, tuple) and hasattr(value, "_fields")
               and value.__module__ == name})
print(status, " ".join(found))
"""


def test_one_file_run_builds_no_interpreted_namedtuple(tmp_path):
    stdout = _fa_run_probe(NAMEDTUPLE_PROBE, tmp_path)
    status, _, found = stdout.strip().partition(" ")
    assert status == "0" and found.split() == []
