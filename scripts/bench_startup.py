"""Benchmark: what `run`'s start-up shortcut (the regex cache) saves of a whole one-kernel `ptofix run`.

Prints numbers, asserts nothing. Each variant is a fresh interpreted process (PTOFIX_PURE_PYTHON=1,
bytecode and the regex cache, in a cache directory of its own, written by a warm-up run) that starts
the command as `python -m ptofix` does, after switching one shortcut off:

  as shipped      the shortcut on
  no regex cache  regex_cache.compile is re.compile (patterns compiled afresh in each process)

(A second shortcut, a hand-written reader of the plain `run` command lines that skipped argparse,
was measured with this script before it went: it saved 4.4% of `run --pattern auto fa.cpp` (41
rounds; 2.5 to 4.9% in shorter series), under the 5% a second parser of one command line would
have to be worth. Of the cheaper command lines it saved more: 7% of `run --pattern gu fa.cpp -o
/dev/null`, 11% of `run fa.cpp -o out.cpp`, which changes nothing.)

The variants run interleaved (one of each per round, the order reversed every other round,
because the machine is shared); each figure is the median CPU time (user+sys of the child) over
the rounds, and the saving is the median of the per-round differences, also as a share of the
shipped run's median.

    python scripts/bench_startup.py [--rounds N]
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

VARIANTS = {
    "as shipped": "",
    "no regex cache": "import re\nimport ptofix.regex_cache\n"
                      "ptofix.regex_cache.compile = lambda pattern, flags=0: re.compile(pattern, flags)\n",
}
START = "import sys\n{switch}from ptofix.cli import console_main\nsys.argv[0] = 'ptofix'\nconsole_main()\n"


def cpu_of(python: str, switch: str, argv: list[str], cwd: str) -> float:
    env = dict(os.environ, PTOFIX_PURE_PYTHON="1", PTOFIX_CACHE_DIR=os.path.join(cwd, "cache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)        # (the shortcuts are weighed against a cached start)
    proc = subprocess.Popen([python, "-c", START.format(switch=switch), *argv], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"ptofix {' '.join(argv)} failed ({status})")
    return (usage.ru_utime + usage.ru_stime) * 1000


def measure(python: str, argv: list[str], rounds: int, cwd: str) -> None:
    names = list(VARIANTS)
    for name in names:
        cpu_of(python, VARIANTS[name], argv, cwd)     # warm-up: bytecode, regex cache, page cache
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(rounds):
        for name in names if round_ % 2 == 0 else names[::-1]:
            times[name].append(cpu_of(python, VARIANTS[name], argv, cwd))
    shipped = statistics.median(times["as shipped"])
    print(f"ptofix {' '.join(argv)}   ({rounds} interleaved rounds)")
    for name in names:
        line = f"   {name:15} CPU median {statistics.median(times[name]):6.1f} ms " \
               f"(min {min(times[name]):.1f}, max {max(times[name]):.1f})"
        if name != "as shipped":
            pairs = zip(times["as shipped"], times[name], strict=True)
            saved = statistics.median([other - base for base, other in pairs])
            line += f"   the shortcut saves {saved:+.1f} ms, {100 * saved / shipped:+.1f}% of the run"
        print(line, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--python", default=sys.executable, metavar="PATH", help="interpreter (default: this one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        shutil.copyfile(KERNEL, os.path.join(work, "fa.cpp"))
        measure(args.python, ["run", "--pattern", "auto", "fa.cpp"], args.rounds, work)
        measure(args.python, ["run", "--pattern", "gu", "fa.cpp", "-o", os.devnull], args.rounds, work)
        measure(args.python, ["run", "fa.cpp", "-o", "out.cpp"], args.rounds, work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
