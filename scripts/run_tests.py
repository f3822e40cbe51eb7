"""Run the ptofix tests and print one closing line `N passed, N failed, N skipped`.

ruff (`ruff check ptofix passes scripts tests lit_tests`) and mypy (`mypy ptofix passes`), both configured in
pyproject.toml, count as one test each; then pytest and lit/FileCheck. A failing tool's output is
printed; pytest's streams as it runs, with the reasons of the skipped tests (``-rs``). Used by
the README test command and by .ci/run. Exit status 0 only if everything passes.

Two tiers. By default the pytest tests marked ``slow`` (campaigns, whole-corpus sweeps, subprocess
builds: pyproject.toml) are left out, and a line before the last says how many; with
``PTOFIX_FULL_TESTS`` set (.ci/run sets it) every test runs. lit runs beside pytest (the two
cores of a small machine: pytest is one process).

Headless Chromium (for the HTML report's browser tests) is installed first with apt-get when it
is absent and this runs as root, without recommended packages and upgrading nothing installed
(``PTOFIX_NO_BROWSER_INSTALL=1``: never); otherwise those tests skip, saying why.

Everything the run writes goes under one temporary directory, removed at the end (see
:func:`scratch_environment`): nothing into the repository, the package's ``__pycache__`` or
``~/.cache/ptofix``.
"""
from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FULL_VARIABLE = "PTOFIX_FULL_TESTS"      # set (to anything but ""): the slow tests run too
QUICK_MARKERS = "not slow"               # the default tier's pytest selection


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


def run_pytest(full: bool, scratch: str) -> tuple[int, int, int, int, int]:
    """pytest's passed, failed, skipped and deselected counts and its exit status. Its output is
    passed on as it comes (the progress dots, then the reasons of the skipped tests, ``-rs``),
    not held to the end."""
    selection = [] if full else ["-m", QUICK_MARKERS]
    argv = [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *selection, "tests"]
    print("== " + " ".join(["pytest", *argv[3:]]), flush=True)
    # (--basetemp: tmp_path under the scratch directory too, removed with it.)
    proc = subprocess.Popen([*argv, "--basetemp", os.path.join(scratch, "pytest")], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=scratch_environment(scratch))
    assert proc.stdout is not None
    tail = b""
    out = sys.stdout.buffer
    while chunk := os.read(proc.stdout.fileno(), 65536):
        out.write(chunk)
        out.flush()
        tail = (tail + chunk)[-4096:]
    proc.wait()
    lines = tail.decode("utf-8", "replace").strip().splitlines()
    last = lines[-1] if lines else ""
    counts = {k: int(n) for n, k in re.findall(r"(\d+) (passed|failed|skipped|deselected|error|errors)", last)}
    failed = counts.get("failed", 0) + counts.get("error", 0) + counts.get("errors", 0)
    if proc.returncode not in (0, 5) and failed == 0:
        failed = 1  # pytest crashed before counting
    return counts.get("passed", 0), failed, counts.get("skipped", 0), counts.get("deselected", 0), proc.returncode


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
        p_pass, p_fail, p_skip, p_deselected, _ = run_pytest(full, scratch)
        l_pass, l_fail, l_skip, _ = finish_lit(lit)
    finally:
        if lit.poll() is None:      # (interrupted: lit's workers go too)
            lit.kill()
            lit.wait()
        shutil.rmtree(scratch, ignore_errors=True)
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
