"""Peak memory of an input under 10 MB stays under 500 MB, through the command line and the API
(issue 69, item 6): a file of more statements than the parser reads into its model
(parser.MAX_STATEMENTS) is Unknown as a whole, and the API takes text under the file reader's bound
(source.MAX_INPUT_BYTES).

Measured as the peak resident set (ru_maxrss) of a process that runs one command or one call."""
from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from ptofix import api
from ptofix.cpp.parser import MAX_STATEMENTS
from ptofix.source import MAX_INPUT_BYTES

REPO = Path(__file__).resolve().parent.parent
PEAK_BOUND_KB = 500 * 1024
EIGHT_MIB = 8 * 1024 * 1024

# Runs argv[1:] as a child and prints the child's peak RSS in KB (the one child this process has).
_PEAK_OF_CHILD = """
import resource, subprocess, sys
status = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
print(status, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""
# One API call on a file's text, in the process measured.
_API_CALL = "import sys; from ptofix import api; getattr(api, sys.argv[1])(open(sys.argv[2]).read())"


def _peak(argv: list[str]) -> tuple[int, int]:
    proc = subprocess.run([sys.executable, "-c", _PEAK_OF_CHILD, *argv], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=900)
    status, peak = proc.stdout.split()
    return int(status), int(peak)


def _kernel(path: Path, statement: str, size: int, in_function: bool) -> Path:
    count = size // len(statement)
    body = statement * count
    path.write_text(f"__global__ AICORE void k() {{\n{body}\n}}\n" if in_function else body + "\n")
    return path


def test_the_api_refuses_text_over_the_file_readers_bound():
    text = "a" * (MAX_INPUT_BYTES + 1)
    for call in (api.fix_cpp, api.check, api.check_report):
        with pytest.raises(api.InputError, match=f"input larger than {MAX_INPUT_BYTES >> 20} MiB"):
            call(text)
    with pytest.raises(api.InputError, match="input larger than"):
        api.canonicalize(text, target="v0.45")
    # (Counted in UTF-8 bytes, as the file reader counts them: a quarter as many 4-byte characters.)
    with pytest.raises(api.InputError, match="input larger than"):
        api.check("\U0001f600" * (MAX_INPUT_BYTES // 4 + 1))


def test_a_file_of_more_statements_than_the_model_holds_is_unknown_as_a_whole(tmp_path):
    kernel = tmp_path / "k.cpp"
    kernel.write_text("__global__ AICORE void k() {\n  pipe_barrier(PIPE_V);\n" + "a;" * MAX_STATEMENTS + "\n}\n")
    before = kernel.read_bytes()
    env = dict(os.environ, PYTHONPATH=str(REPO))
    run = subprocess.run([sys.executable, "-m", "ptofix", "run", "-P", "auto", "-i", str(kernel)], capture_output=True,
                         text=True, env=env)
    assert run.returncode == 0 and kernel.read_bytes() == before
    assert f"more than the {MAX_STATEMENTS} ptofix reads" in run.stderr
    check = subprocess.run([sys.executable, "-m", "ptofix", "check", str(kernel)], capture_output=True, text=True,
                           env=env)
    assert check.returncode == 4 and f"more than the {MAX_STATEMENTS} ptofix reads" in check.stderr


@pytest.mark.slow
@pytest.mark.parametrize("in_function", [True, False], ids=["function-body", "file-scope"])
@pytest.mark.parametrize("how", ["run", "check", "api.fix_cpp", "api.check"])
def test_eight_mib_of_statements_stays_under_500_mb(tmp_path, in_function, how):
    # The repro: 8 MiB of `a;` peaked at 1.8 GB (file scope, `run`).
    kernel = _kernel(tmp_path / "k.cpp", "a;", EIGHT_MIB, in_function)
    if how.startswith("api."):
        argv = [sys.executable, "-c", _API_CALL, how[4:], str(kernel)]
    else:
        argv = [sys.executable, "-m", "ptofix", how, *(["-P", "auto", "-o", "/dev/null"] if how == "run" else []),
                str(kernel)]
    status, peak = _peak(argv)
    assert status in (0, 1, 4) if not how.startswith("api.") or how == "api.check" else status in (0, 1)
    assert peak < PEAK_BOUND_KB, f"{peak // 1024} MB"


@pytest.mark.slow
def test_the_largest_file_still_read_stays_under_500_mb(tmp_path):
    # Just under the statement bound, in one function body, through check (its flow graph is the
    # heaviest per statement).
    kernel = tmp_path / "k.cpp"
    kernel.write_text("__global__ AICORE void k() {\n" + "a;" * (MAX_STATEMENTS - 1) + "\n}\n")
    status, peak = _peak([sys.executable, "-m", "ptofix", "check", str(kernel)])
    assert status == 4 and peak < PEAK_BOUND_KB, f"{peak // 1024} MB"


_SHAPES = ["a;", "{}", "a=b;", "x+=1;", "if(x){}", "TADD(a,a,a);", "pipe_barrier(PIPE_V);", "int v;", ";",
           "f(a,b);", "{a;}", "while(0){}", "a[1]=2;"]


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(4))
def test_fuzz_under_ten_mb_of_random_statements_stays_under_500_mb(tmp_path, seed):
    # Random small statements (file scope or a function body), 4 to 9 MiB, through check or run.
    rng = random.Random(seed)
    statements = rng.sample(_SHAPES, 3)
    unit = "".join(rng.choice(statements) for _ in range(64))
    kernel = _kernel(tmp_path / "k.cpp", unit, rng.randrange(4, 10) * 1024 * 1024, rng.random() < 0.7)
    command = rng.choice([["check"], ["run", "-P", "auto", "-o", "/dev/null"]])
    status, peak = _peak([sys.executable, "-m", "ptofix", *command, str(kernel)])
    assert status in (0, 1, 2, 4), status
    assert peak < PEAK_BOUND_KB, f"{command} {statements}: {peak // 1024} MB"
