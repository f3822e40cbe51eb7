"""scripts/peak_memory.py on the shipped FA kernel: it groups the file's functions, runs the pass
under tracemalloc and lists where the traced bytes of its peak were allocated."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_peak_memory_lists_groups_and_the_peak_by_file_and_line():
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "peak_memory.py"), "--file",
                           str(REPO / "kernels" / "flash_attention" / "fa.cpp"), "--top", "3"],
                          capture_output=True, text=True, env={**os.environ, "PTOFIX_PURE_PYTHON": "1"}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    # fa.cpp: 5 functions, one group that holds a candidate; the pass removes 5 of its 12 barriers.
    assert "functions 5; independent groups 1, 1 holding a candidate; their sizes, largest first: [5]" in out
    assert "5 of 12 barriers removed" in out
    peak = re.search(r"traced peak ([\d.]+) MiB", out)
    assert peak is not None and float(peak.group(1)) > 0
    by_file = out.split("by file (MiB, blocks):\n")[1].split("by line")[0].splitlines()
    assert len(by_file) == 3 and all(re.fullmatch(r"\s+[\d.]+\s+\d+\s+\S+\.py", line) for line in by_file)
    by_line = out.split("by line (MiB, blocks):\n")[1].splitlines()[:3]
    assert all(re.fullmatch(r"\s+[\d.]+\s+\d+\s+\S+\.py:\d+", line) for line in by_line)
