"""Shared helpers of the STAND-IN tools (not real ptoas/bisheng): append this call to a log."""
from __future__ import annotations

import json
import os
import sys


def record(tool: str, argv: list[str]) -> None:
    """Append {"tool", "argv", "cwd", "inputs"} as one JSON line to $PTOFIX_STANDIN_LOG (if set)."""
    log = os.environ.get("PTOFIX_STANDIN_LOG")
    if not log:
        return
    inputs = {}
    for arg in argv:
        if arg.endswith((".mlir", ".pto", ".cpp")) and os.path.isfile(arg):
            with open(arg, encoding="utf-8") as handle:
                inputs[arg] = handle.read()
    with open(log, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"tool": tool, "argv": argv, "cwd": os.getcwd(), "inputs": inputs}) + "\n")


def maybe_fail(prefix: str) -> None:
    """$<PREFIX>_FAIL=N: print $<PREFIX>_STDERR (or a default) to stderr and exit with N."""
    code = os.environ.get(f"{prefix}_FAIL")
    if code:
        sys.stderr.write(os.environ.get(f"{prefix}_STDERR", f"{prefix.lower()}: stand-in failure") + "\n")
        sys.exit(int(code))
