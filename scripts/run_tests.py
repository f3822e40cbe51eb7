"""Run the ptofix tests and print one closing line `N passed, N failed, N skipped`.

ruff (`ruff check ptofix passes scripts tests lit_tests`) and mypy (`mypy ptofix passes`), both configured in
pyproject.toml, count as one test each; then pytest and lit/FileCheck. A failing tool's output is
printed; pytest's streams as it runs, with the reasons of the skipped tests (``-rs``); the failed ones
are named again just before the closing lines. Used by
the README test command and by .ci/run. Exit status 0 only if everything passes.

Two tiers. By default the pytest tests marked ``slow`` (campaigns, whole-corpus sweeps, subprocess
builds: pyproject.toml) are left out, and a line before the last says how many; with
``PTOFIX_FULL_TESTS`` set (.ci/run sets it) every test runs. lit runs beside pytest.

pytest runs as two processes at a time on a machine with two CPUs or more (``PTOFIX_TEST_JOBS=N``: N;
1 is one process over ``tests``, as before). The test files are dealt out in chunks, heaviest first
by ``tests/file_weights.tsv`` (each file's CPU seconds in either tier, measured; a file it does not
list weighs the median), each chunk a fresh pytest process, the next started when one ends; a chunk
is at most a quarter of the work left, so the last ones are small and both processes end close
together. Each line a process prints is prefixed with its number (``1| ``, ``2| ``); the counts
are the sums over the chunks, and a chunk that ends without its summary line (a crash, a signal)
counts as one failed test.

Headless Chromium (for the HTML report's browser tests) is installed first with apt-get when it
is absent and this runs as root, without recommended packages and upgrading nothing installed
(``PTOFIX_NO_BROWSER_INSTALL=1``: never); otherwise those tests skip, saying why.

Everything the run writes goes under one temporary directory, removed at the end (see
:func:`scratch_environment`): nothing into the repository, the package's ``__pycache__`` or
``~/.cache/ptofix``.
"""
from __future__ import annotations

import fnmatch
import os
import re
import resource
import selectors
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FULL_VARIABLE = "PTOFIX_FULL_TESTS"      # set (to anything but ""): the slow tests run too
QUICK_MARKERS = "not slow"               # the default tier's pytest selection
JOBS_VARIABLE = "PTOFIX_TEST_JOBS"       # pytest processes at a time (default: the CPUs this may use, at most 2)
WEIGHTS = os.path.join(ROOT, "tests", "file_weights.tsv")
MIN_CHUNK_SECONDS = 20.0                 # a chunk's least weight (a pytest process starts in ~1 s of CPU)


def scratch_environment(scratch: str) -> dict[str, str]:
    """The environment of every tool this runs, each writing under ``scratch``: bytecode (pytest's
    rewritten test modules and conftest.py, which are compiled before conftest.py can say where, and
    the ptofix processes the tests start: cached there, not left unwritten, so that each starts as
    fast as a user's), hypothesis's directory (``.hypothesis`` in the working directory otherwise),
    ptofix's cache (a --pto-isa checkout's words, perf's builds) and lit's output (``lit_tests/Output``
    otherwise: lit_tests/lit.cfg.py)."""
    return {**os.environ,
            "PYTHONPYCACHEPREFIX": os.path.join(scratch, "pycache"),
            "HYPOTHESIS_STORAGE_DIRECTORY": os.path.join(scratch, "hypothesis"),
            "PTOFIX_CACHE_DIR": os.path.join(scratch, "ptofix-cache"),
            "PTOFIX_LIT_OUTPUT": os.path.join(scratch, "lit")}


def test_files(root: str) -> list[str]:
    """The files ``pytest tests`` collects, relative to ``root``, sorted: pytest's default
    ``python_files`` (``test_*.py``, ``*_test.py``) in the folders its default ``norecursedirs``
    does not skip (pyproject.toml changes neither; tests/scripts/test_run_tests_split.py compares this
    list with pytest's own collection)."""
    skipped_folders = ("*.egg", ".*", "_darcs", "build", "CVS", "dist", "node_modules", "venv", "{arch}",
                       "__pycache__")
    found = []
    for folder, subfolders, names in os.walk(os.path.join(root, "tests")):
        subfolders[:] = [d for d in subfolders if not any(fnmatch.fnmatch(d, p) for p in skipped_folders)]
        found += [os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/") for name in names
                  if fnmatch.fnmatch(name, "test_*.py") or fnmatch.fnmatch(name, "*_test.py")]
    return sorted(found)


def read_weights(path: str) -> dict[str, tuple[float, float]]:
    """``tests/file_weights.tsv``: a test file's CPU seconds in the default tier and in the full one
    (``FILE<TAB>QUICK<TAB>FULL``; ``#`` lines are comments). Absent or unreadable: no weights."""
    weights: dict[str, tuple[float, float]] = {}
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return weights
    for line in lines:
        fields = line.split("\t")
        if line.startswith("#") or len(fields) != 3:
            continue
        try:
            weights[fields[0]] = (float(fields[1]), float(fields[2]))
        except ValueError:
            continue
    return weights


class Schedule:
    """The order the test files run in, in chunks of one pytest process each: heaviest first; a
    chunk takes files from the head until it would weigh more than ``1 / (2 * jobs)`` of the work
    left (at least ``minimum`` seconds, at least one file), so chunks shrink towards the end and the
    processes finish close together even when the weights are off. One job: a single chunk of
    every file."""

    def __init__(self, files: list[str], weights: dict[str, float], jobs: int,
                 minimum: float = MIN_CHUNK_SECONDS) -> None:
        known = sorted(weights[f] for f in files if f in weights)
        default = known[len(known) // 2] if known else 1.0
        self.queue = sorted(((f, weights.get(f, default)) for f in files), key=lambda fw: (-fw[1], fw[0]))
        self.jobs = jobs
        self.minimum = minimum

    def take(self) -> list[str]:
        """The next chunk's files (none when every file has been dealt)."""
        if self.jobs <= 1:
            chunk = [name for name, _ in self.queue]
            self.queue = []
            return chunk
        target = max(sum(w for _, w in self.queue) / (2 * self.jobs), self.minimum)
        chunk: list[str] = []
        weight = 0.0
        while self.queue and (not chunk or weight + self.queue[0][1] <= target):
            name, w = self.queue.pop(0)
            chunk.append(name)
            weight += w
        return chunk


def summary_counts(output: bytes, returncode: int) -> tuple[int, int, int, int]:
    """A pytest process's passed, failed, skipped and deselected counts from its last line (errors
    count as failed). A process that ended otherwise than by running its tests (exit status other
    than 0, 1 or 5) with no failure counted, or with no summary line at all, counts one failed: a
    crash, a signal or an internal error."""
    lines = output.decode("utf-8", "replace").strip().splitlines()
    last = lines[-1] if lines else ""
    found = re.findall(r"(\d+) (passed|failed|skipped|deselected|error|errors)\b", last)
    counts = {k: int(n) for n, k in found}
    failed = counts.get("failed", 0) + counts.get("error", 0) + counts.get("errors", 0)
    summary = bool(found) or re.search(r"\bno tests ran\b", last) is not None
    if failed == 0 and (returncode not in (0, 1, 5) or not summary):
        failed = 1
    return counts.get("passed", 0), failed, counts.get("skipped", 0), counts.get("deselected", 0)


class Chunk:
    """One pytest process of the run: its number (the output's prefix), its files, the output line
    it has not finished, and its output's tail."""

    def __init__(self, slot: int, number: int, files: list[str], proc: subprocess.Popen[bytes]) -> None:
        self.slot, self.number, self.files, self.proc = slot, number, files, proc
        self.partial = b""
        self.unscanned = b""
        self.tail = b""
        self.started = time.monotonic()


FAILURE_LINE = re.compile(rb"^(?:FAILED|ERROR) \S")   # pytest's short summary (-rfE), one line a test


def run_pytest(full: bool, scratch: str, root: str = ROOT, jobs: int = 1, weights: dict[str, float] | None = None,
               minimum: float = MIN_CHUNK_SECONDS, failures: list[str] | None = None) -> tuple[int, int, int, int, int]:
    """pytest's passed, failed, skipped and deselected counts over every chunk (:class:`Schedule`),
    ``jobs`` processes at a time, and how many chunks ran. The output is passed on as it comes, a
    line at a time, prefixed by the process's number when there are several (the progress dots,
    then the reasons of the skipped, failed and errored tests, ``-rsfE``, each process's own).
    ``failures``, when given, receives each failed or errored test's summary line and a line for
    each chunk that ended without its summary, for :func:`main` to repeat at the end."""
    selection = [] if full else ["-m", QUICK_MARKERS]
    argv = [sys.executable, "-m", "pytest", "-q", "-rsfE", "-p", "no:cacheprovider", *selection]
    found = failures if failures is not None else []
    files = test_files(root)
    schedule = Schedule(files, weights or {}, jobs, minimum)
    print("== " + " ".join(["pytest", *argv[3:], "tests"])
          + (f" ({len(files)} files in chunks, {jobs} processes at a time)" if jobs > 1 else ""), flush=True)
    out = sys.stdout.buffer
    selector = selectors.DefaultSelector()
    running: dict[int, Chunk] = {}
    totals = [0, 0, 0, 0]
    started = 0

    def start(slot: int) -> None:
        nonlocal started
        chunk_files = schedule.take()
        started += 1
        if jobs > 1:
            out.write(f"{slot}| == chunk {started}: {' '.join(chunk_files)}\n".encode())
            out.flush()
        # (--basetemp: tmp_path under the scratch directory too, removed with it; one per process,
        # since pytest empties its basetemp when it starts.)
        proc = subprocess.Popen([*argv, "--basetemp", os.path.join(scratch, f"pytest-{started}"),
                                 *(chunk_files if jobs > 1 else ["tests"])], cwd=root,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=scratch_environment(scratch))
        assert proc.stdout is not None
        running[slot] = Chunk(slot, started, chunk_files, proc)
        selector.register(proc.stdout, selectors.EVENT_READ, slot)

    def emit(chunk: Chunk, data: bytes) -> None:
        chunk.tail = (chunk.tail + data)[-4096:]
        scanned = (chunk.unscanned + data).split(b"\n")
        chunk.unscanned = scanned.pop()
        found.extend(line.decode(errors="replace").rstrip() for line in scanned if FAILURE_LINE.match(line))
        if jobs <= 1:
            out.write(data)
        else:
            lines = (chunk.partial + data).split(b"\n")
            chunk.partial = lines.pop()
            out.write(b"".join(f"{chunk.slot}| ".encode() + line + b"\n" for line in lines))
        out.flush()

    def finish(chunk: Chunk) -> None:
        assert chunk.proc.stdout is not None
        selector.unregister(chunk.proc.stdout)
        chunk.proc.stdout.close()
        chunk.proc.wait()
        if chunk.partial or chunk.unscanned:
            emit(chunk, b"\n")
        counts = summary_counts(chunk.tail, chunk.proc.returncode)
        if counts[1] and chunk.proc.returncode not in (0, 1):
            found.append(f"chunk {chunk.number} ended with status {chunk.proc.returncode} "
                         f"(its files: {' '.join(chunk.files)})")
        if jobs > 1:
            seconds = time.monotonic() - chunk.started
            if counts[1] and chunk.proc.returncode not in (0, 1):
                out.write(f"{chunk.slot}| == chunk {chunk.number} ended with status {chunk.proc.returncode} after "
                          f"{seconds:.0f} s (its files: {' '.join(chunk.files)})\n".encode())
            else:
                out.write(f"{chunk.slot}| == chunk {chunk.number} done in {seconds:.0f} s\n".encode())
            out.flush()
        for i, n in enumerate(counts):
            totals[i] += n
        del running[chunk.slot]

    try:
        while schedule.queue or running:
            for slot in range(1, jobs + 1):
                if slot not in running and schedule.queue:
                    start(slot)
            for key, _ in selector.select():
                chunk = running[key.data]
                data = os.read(key.fd, 65536)
                if data:
                    emit(chunk, data)
                else:
                    finish(chunk)
    finally:
        for chunk in running.values():     # (interrupted: the processes still running go too)
            chunk.proc.kill()
            chunk.proc.wait()
        selector.close()
    return totals[0], totals[1], totals[2], totals[3], started


def pytest_jobs() -> int:
    """``PTOFIX_TEST_JOBS`` when set to a number, else the CPUs this process may use, at most 2."""
    value = os.environ.get(JOBS_VARIABLE, "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cpus, 2))


BROWSER_VARIABLE = "PTOFIX_NO_BROWSER_INSTALL"   # set: never install Chromium


# Only the packages Chromium needs, and nothing already installed changed: no recommended
# packages, and the named package left alone if present (apt-get(8): --no-install-recommends,
# --no-upgrade). --no-upgrade does not cover the dependencies, so the install is simulated first
# (-s) and not made when it would upgrade any installed package.
APT_INSTALL = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "--no-upgrade", "chromium"]


def upgrades_in_simulation(simulation: str) -> list[str]:
    """The installed packages an ``apt-get -s install`` would upgrade: its ``Inst NAME [OLD] (NEW ...)``
    lines (a new package's line has no ``[OLD]``)."""
    return re.findall(r"^Inst (\S+) \[", simulation, re.M)


def ensure_chromium() -> None:
    """The HTML report's browser tests (tests/test_html_report.py) need headless Chromium: when it
    is absent and this runs as root on Debian/Ubuntu, install the distribution's package (its
    output shown) with only what it needs, upgrading nothing (APT_INSTALL; when the simulated
    install would upgrade an installed package, nothing is installed and this says which);
    otherwise those tests skip and say why."""
    if shutil.which("chromium") or shutil.which("chromium-browser") or os.environ.get(BROWSER_VARIABLE):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print("== chromium is not installed (not root, or no apt-get): the browser tests of the HTML report "
              "will skip", flush=True)
        return
    print(f"== installing chromium for the HTML report's browser tests: {' '.join(APT_INSTALL)} "
          f"(nothing upgraded; {BROWSER_VARIABLE}=1 skips this)", flush=True)
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(["apt-get", "update", "-qq"], env=environment).returncode != 0:
        print("== apt-get update failed: chromium not installed, the browser tests will skip", flush=True)
        return
    simulation = subprocess.run([APT_INSTALL[0], "-s", *APT_INSTALL[1:]], env=environment, text=True,
                                capture_output=True)
    upgrades = upgrades_in_simulation(simulation.stdout)
    if simulation.returncode != 0 or upgrades:
        why = (f"it would upgrade {', '.join(upgrades)}" if upgrades
               else (simulation.stdout + simulation.stderr).strip()[-2000:])
        print(f"== chromium not installed ({why}): the browser tests will skip", flush=True)
        return
    if subprocess.run(APT_INSTALL, env=environment).returncode != 0:
        print("== chromium could not be installed: the browser tests will skip", flush=True)


def start_lit(scratch: str) -> subprocess.Popen[str]:
    return subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "lit"), "-sv", "lit_tests"],
                            cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=scratch_environment(scratch))


def finish_lit(proc: subprocess.Popen[str]) -> tuple[int, int, int, int]:
    print("== lit -sv lit_tests (started beside the static checks)", flush=True)
    out, _ = proc.communicate()
    sys.stdout.write(out[-8000:])
    passed = sum(int(n) for n in re.findall(r"^\s*Passed\s*:\s*(\d+)", out, re.M))
    passed += sum(int(n) for n in re.findall(r"^\s*Expectedly Failed\s*:\s*(\d+)", out, re.M))
    failing = r"^\s*(?:Failed|Unexpectedly Passed|Unresolved|Timed Out)\s*:\s*(\d+)"
    failed = sum(int(n) for n in re.findall(failing, out, re.M))
    skipped = sum(int(n) for n in re.findall(r"^\s*(?:Unsupported|Skipped)\s*:\s*(\d+)", out, re.M))
    if proc.returncode != 0 and failed == 0:
        failed = 1
    return passed, failed, skipped, proc.returncode


def run_static_checks(scratch: str) -> tuple[int, int]:
    """ruff and mypy (configured in pyproject.toml), one test each (their caches in ``scratch``: a
    cold mypy takes ~6 s on 2 cores)."""
    passed = failed = 0
    bindir = os.path.dirname(sys.executable)
    ruff_paths = ["ptofix", "passes", "scripts", "tests", "lit_tests"]
    for name, argv in (("ruff", [os.path.join(bindir, "ruff"), "check", "--no-cache", *ruff_paths]),
                       ("mypy", [os.path.join(bindir, "mypy"), "--cache-dir", os.path.join(scratch, "mypy"),
                                 "ptofix", "passes"])):
        print(f"== {name}", flush=True)
        proc = subprocess.run(argv, cwd=ROOT, text=True, capture_output=True)
        if proc.returncode == 0:
            passed += 1
            print(f"{name}: ok", flush=True)
        else:
            failed += 1
            sys.stdout.write((proc.stdout + proc.stderr)[-6000:])
            print(f"{name}: FAILED")
    return passed, failed


def measured_time(wall_start: float) -> str:
    """The run's wall-clock time and the CPU time of every process it started (pytest, lit, ruff,
    mypy and what they start, once each has been waited for), as one line."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.monotonic() - wall_start
    cpu = children.ru_utime + children.ru_stime
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return (f"time: {wall / 60:.1f} min wall clock ({wall:.0f} s), {cpu:.0f} s of CPU in the processes it "
            f"started; load average {load:.1f} at the end")


def main() -> int:
    wall_start = time.monotonic()
    full = bool(os.environ.get(FULL_VARIABLE))
    ensure_chromium()
    scratch = tempfile.mkdtemp(prefix="ptofix-run-tests-")
    lit = start_lit(scratch)
    try:
        s_pass, s_fail = run_static_checks(scratch)
        tier = 1 if full else 0
        weights = {name: both[tier] for name, both in read_weights(WEIGHTS).items()}
        failures: list[str] = []
        p_pass, p_fail, p_skip, p_deselected, _ = run_pytest(full, scratch, jobs=pytest_jobs(), weights=weights,
                                                             failures=failures)
        l_pass, l_fail, l_skip, _ = finish_lit(lit)
    finally:
        if lit.poll() is None:      # (interrupted: lit's workers go too)
            lit.kill()
            lit.wait()
        shutil.rmtree(scratch, ignore_errors=True)
    # (the failed tests again, where the last lines of a long log show them)
    for line in failures:
        print(f"failed: {line}")
    print(f"static: {s_pass} passed, {s_fail} failed; pytest: {p_pass} passed, {p_fail} failed, {p_skip} skipped; "
          f"lit: {l_pass} passed, {l_fail} failed, {l_skip} skipped")
    if p_deselected:
        print(f"{p_deselected} slow pytest tests not run ({FULL_VARIABLE}=1 runs them, as .ci/run does)")
    print(measured_time(wall_start))
    passed, failed, skipped = s_pass + p_pass + l_pass, s_fail + p_fail + l_fail, p_skip + l_skip
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
