"""scripts/run_tests.py: Chromium is installed only when absent, without recommended packages and
upgrading nothing already installed (the README says so)."""
from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _runner():
    spec = importlib.util.spec_from_file_location("run_tests_script", os.path.join(ROOT, "scripts", "run_tests.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_install_takes_no_recommends_and_upgrades_nothing_named():
    argv = _runner().APT_INSTALL
    assert argv[:2] == ["apt-get", "install"] and argv[-1] == "chromium"
    assert "--no-install-recommends" in argv and "--no-upgrade" in argv and "-y" in argv


def test_a_simulated_upgrade_of_an_installed_package_is_seen():
    # apt-get -s prints a new package as "Inst NAME (VERSION ...)", an upgrade as "Inst NAME [OLD] (NEW ...)".
    simulation = ("NOTE: This is only a simulation!\n"
                  "Inst libogg0 (1.3.5-3 Debian:12.15/oldstable [amd64])\n"
                  "Inst libudev1 [252.30-1~deb12u2] (252.31-1~deb12u1 Debian:12.15/oldstable [amd64])\n"
                  "Inst chromium (131.0 Debian:12.15/oldstable [amd64])\n"
                  "Conf libogg0 (1.3.5-3 Debian:12.15/oldstable [amd64])\n")
    assert _runner().upgrades_in_simulation(simulation) == ["libudev1"]


def test_new_packages_alone_are_no_upgrade():
    simulation = "Inst libogg0 (1.3.5-3 Debian:12.15/oldstable [amd64])\nInst chromium (131.0 Debian [amd64])\n"
    assert _runner().upgrades_in_simulation(simulation) == []


def test_the_readme_says_what_the_install_does():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    assert "--no-install-recommends --no-upgrade" in readme


def test_the_run_prints_its_measured_time(monkeypatch):
    """The line before the counts gives the wall-clock time and the CPU time of what the run started
    (the README's figure is this line's, from a run on a fresh clone)."""
    runner = _runner()
    start = runner.time.monotonic() - 90.0
    subprocess.run([sys.executable, "-c", "sum(range(3_000_000))"], check=True)   # some CPU in a child
    line = runner.measured_time(start)
    found = re.fullmatch(r"time: (\d+\.\d) min wall clock \((\d+) s\), (\d+) s of CPU in the processes it "
                         r"started; load average \d+\.\d at the end", line)
    assert found, line
    minutes, seconds = float(found[1]), int(found[2])
    assert 90 <= seconds < 200 and abs(minutes * 60 - seconds) <= 3
