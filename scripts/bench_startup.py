"""Benchmark: the start-up CPU of the ``ptofix`` command (issue #70: ``ptofix --version`` at most
60 ms), and of whole one-kernel runs.

Prints numbers, asserts nothing. Each command line is a fresh process started as the ``ptofix``
console script starts (``console_main``), with bytecode cached (a warm-up run of each first). The
command lines run interleaved (one of each per round, the order reversed every other round,
because the machine is shared); each figure is the median CPU time (user+sys of the child, from
wait4) over the rounds. ``python -c pass`` is the floor: the interpreter's own start-up, with the
site packages (an editable install's finder included).

The build measured is the one ``--python``'s ptofix runs: compiled when its build is current (see
ptofix/__init__.py), interpreted with ``--interpreted`` (PTOFIX_PURE_PYTHON=1).

    python scripts/bench_startup.py [--rounds N] [--python PATH] [--interpreted] [--runs]

Measured for issue #70 (2 shared cores, load 7-10, medians of 11-15 interleaved rounds, CPU):
`ptofix --version` 155 -> 46 ms compiled, 148 -> 42-52 ms interpreted (`python -c pass`: 30-37 ms).

(Before issue #70 this script weighed two start-up shortcuts: a hand-written reader of the plain
`run` command lines, which saved under 5% and went, and a cross-process cache of compiled regular
expressions built with CPython's private regex compiler, which saved 15-25 ms of an interpreted
one-kernel run and went with #70, ptofix/regex_cache.py.)
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNEL = os.path.join(ROOT, "kernels", "flash_attention", "fa.cpp")

START = "import sys\nfrom ptofix.cli import console_main\nsys.argv[0] = 'ptofix'\nconsole_main()\n"
STARTUP = {
    "python -c pass": None,
    "ptofix --version": ["--version"],
    "ptofix --help": ["--help"],
}
RUNS = {
    "run --pattern auto fa.cpp": ["run", "--pattern", "auto", "fa.cpp"],
    "run --pattern gu fa.cpp -o /dev/null": ["run", "--pattern", "gu", "fa.cpp", "-o", os.devnull],
    "run fa.cpp -o out.cpp": ["run", "fa.cpp", "-o", "out.cpp"],
}


def cpu_of(python: str, argv: list[str] | None, cwd: str, interpreted: bool) -> float:
    """Milliseconds of CPU (user+sys) of one process."""
    env = dict(os.environ, PTOFIX_CACHE_DIR=os.path.join(cwd, "cache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)        # (a start with its bytecode cached, as a user's)
    if interpreted:
        env["PTOFIX_PURE_PYTHON"] = "1"
    else:
        env.pop("PTOFIX_PURE_PYTHON", None)
    command = [python, "-c", "pass"] if argv is None else [python, "-c", START, *argv]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed ({status})")
    return (usage.ru_utime + usage.ru_stime) * 1000


def measure(python: str, lines: dict[str, list[str] | None], rounds: int, cwd: str, interpreted: bool) -> None:
    names = list(lines)
    for name in names:
        cpu_of(python, lines[name], cwd, interpreted)     # warm-up: bytecode, page cache
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(rounds):
        for name in names if round_ % 2 == 0 else names[::-1]:
            times[name].append(cpu_of(python, lines[name], cwd, interpreted))
    for name in names:
        print(f"   {name:38} CPU median {statistics.median(times[name]):6.1f} ms "
              f"(min {min(times[name]):.1f}, max {max(times[name]):.1f})", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--python", default=sys.executable, metavar="PATH", help="interpreter (default: this one)")
    parser.add_argument("--interpreted", action="store_true", help="PTOFIX_PURE_PYTHON=1: the interpreted build")
    parser.add_argument("--runs", action="store_true", help="also the one-kernel runs")
    args = parser.parse_args()
    build = subprocess.run([args.python, "-c", "import ptofix; print(ptofix.COMPILED)"], capture_output=True,
                           text=True, check=True,
                           env=dict(os.environ, **({"PTOFIX_PURE_PYTHON": "1"} if args.interpreted else {})))
    print(f"{args.python}: {'compiled' if build.stdout.strip() == 'True' else 'interpreted'} build, "
          f"{args.rounds} interleaved rounds")
    with tempfile.TemporaryDirectory() as work:
        shutil.copyfile(KERNEL, os.path.join(work, "fa.cpp"))
        measure(args.python, STARTUP, args.rounds, work, args.interpreted)
        if args.runs:
            measure(args.python, RUNS, args.rounds, work, args.interpreted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
