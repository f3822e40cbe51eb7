""".pre-commit-hooks.yaml: each hook's entry is a ptofix command line that gates as it says."""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FA_CPP = REPO / "kernels" / "flash_attention" / "fa.cpp"


def hooks() -> dict[str, dict[str, str]]:
    """The hooks by id, each a mapping of its scalar keys (the file is a flat YAML list)."""
    found: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for line in (REPO / ".pre-commit-hooks.yaml").read_text().splitlines():
        item = re.match(r"^(- |  )(\w+): (.*)$", line)
        if not item:
            continue
        if item.group(1) == "- ":
            current = {}
        current[item.group(2)] = item.group(3)
        if item.group(2) == "id":
            found[item.group(3)] = current
    return found


def _entry(hook: dict[str, str], *files: Path) -> subprocess.CompletedProcess:
    argv = shlex.split(hook["entry"])
    assert argv[0] == "ptofix" and hook["language"] == "python"
    return subprocess.run([sys.executable, "-m", "ptofix", *argv[1:], *map(str, files)], capture_output=True,
                          text=True)


@pytest.mark.slow   # (2 s of CPU or more, measured: CI's full tier runs it)
def test_the_check_hook_fails_on_a_race_and_passes_after_check_fix(tmp_path):
    hook = hooks()["ptofix-check"]
    racy = tmp_path / "racy.cpp"
    racy.write_text(FA_CPP.read_text())
    assert _entry(hook, racy).returncode == 1
    fixed = tmp_path / "fixed.cpp"
    subprocess.run([sys.executable, "-m", "ptofix", "check", "--fix", str(racy), "-o", str(fixed)], check=True,
                   capture_output=True)
    assert _entry(hook, fixed).returncode == 0


def test_the_run_check_hook_fails_while_a_barrier_is_redundant(tmp_path):
    hook = hooks()["ptofix-run-check"]
    kernel = tmp_path / "fa.cpp"
    kernel.write_text(FA_CPP.read_text())
    assert _entry(hook, kernel).returncode == 1
    subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", "-i", str(kernel)], check=True,
                   capture_output=True)
    assert _entry(hook, kernel).returncode == 0
