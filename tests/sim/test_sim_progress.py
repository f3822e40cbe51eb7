"""`simulate` on long runs: the progress line (stderr, a terminal only), --seeds and --time-budget."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path

from sim_kernels import src
from test_sim_hazard import chain

from ptofix.sim import session
from ptofix.sim.runner import SimOptions, simulate

REPO = Path(__file__).resolve().parents[2]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_counts_seeds_and_runs_on_a_terminal(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(session, "PROGRESS_AFTER_SECONDS", 0.0)
    progress = session.Progress()
    k = chain(4, 64, True)
    report = simulate(src(k), src(k), 3, SimOptions(), progress=progress)
    assert report.status == "equal"
    shown = terminal.getvalue()
    assert "\r\033[Ksimulate: 1/3 seeds done (2 runs, 8 pipe steps, " in shown
    assert "\r\033[Ksimulate: 2/3 seeds done (4 runs, 16 pipe steps, " in shown
    progress.done()
    assert terminal.getvalue().endswith("\r\033[K")


def test_no_progress_line_off_a_terminal_or_on_a_short_run(monkeypatch):
    pipe = io.StringIO()
    monkeypatch.setattr(sys, "stderr", pipe)
    monkeypatch.setattr(session, "PROGRESS_AFTER_SECONDS", 0.0)
    k = chain(4, 64, True)
    simulate(src(k), src(k), 3, SimOptions(), progress=session.Progress())
    assert pipe.getvalue() == ""
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(session, "PROGRESS_AFTER_SECONDS", 3600.0)
    simulate(src(k), src(k), 3, SimOptions(), progress=session.Progress())
    assert terminal.getvalue() == ""


def test_a_spent_time_budget_runs_one_seed_and_says_so():
    k = chain(4, 64, True)
    report = simulate(src(k), src(k), 5, SimOptions(), deadline=time.monotonic() - 1.0)
    assert report.seeds == 1 and report.seeds_asked == 5 and report.runs == 2


def test_time_budget_option(tmp_path):
    a = tmp_path / "a.cpp"
    a.write_text(chain(4, 64, True))
    r = subprocess.run([sys.executable, "-m", "ptofix", "simulate", str(a), str(a), "--seeds", "3",
                        "--time-budget", "1e6", "--report", "json"], capture_output=True, text=True, cwd=REPO)
    assert r.returncode == 0 and r.stderr == ""
    [data] = json.loads(r.stdout)["files"]
    assert data["seeds"] == 3 and data["seeds_asked"] == 3
    bad = subprocess.run([sys.executable, "-m", "ptofix", "simulate", str(a), str(a), "--time-budget", "-1"],
                         capture_output=True, text=True, cwd=REPO)
    assert bad.returncode == 2 and "--time-budget: must be a positive number of seconds" in bad.stderr
