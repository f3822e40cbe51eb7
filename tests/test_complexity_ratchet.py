"""ruff's mccabe bound (pyproject.toml, [tool.ruff.lint.mccabe]) is a ratchet: it is the complexity
of the most complex function, never above it, so that a simplification lowers it for good."""
import os
import re
import shutil
import subprocess
import sys
import tomllib

import pytest
from conftest import ROOT

RUFF = shutil.which("ruff", path=os.path.dirname(sys.executable)) or shutil.which("ruff")
PATHS = ["ptofix", "passes", "scripts", "tests", "lit_tests"]


def configured_bound() -> int:
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as handle:
        return tomllib.load(handle)["tool"]["ruff"]["lint"]["mccabe"]["max-complexity"]


@pytest.mark.skipif(RUFF is None, reason="ruff is not installed")
def test_the_complexity_bound_is_the_most_complex_function():
    bound = configured_bound()
    proc = subprocess.run([RUFF, "check", "--select", "C901", "--config", f"lint.mccabe.max-complexity={bound - 1}",
                           "--output-format", "concise", "--no-cache", *PATHS], cwd=ROOT, capture_output=True, text=True)
    found = [int(n) for n in re.findall(r"is too complex \((\d+) > \d+\)", proc.stdout)]
    assert found, f"no function reaches the bound {bound} any more: lower max-complexity in pyproject.toml"
    assert max(found) == bound, f"a function of complexity {max(found)} is past the bound {bound}"
