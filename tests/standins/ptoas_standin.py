#!/usr/bin/env python3
"""STAND-IN for ptoas (no real compiler runs): records its argv and emits a known C++ file.

    ptoas_standin.py [FLAGS...] IN.mlir [-o OUT.cpp]
    ptoas_standin.py --version     # prints $PTOAS_STANDIN_VERSION (default "ptoas 0.45"), as ptoas does

* `--version`: prints $PTOAS_STANDIN_VERSION, e.g. "ptoas 0.27" or several lines; set to "" it
  prints nothing and exits 1 (a ptoas that cannot tell its version);

* appends {"tool": "ptoas", "argv": [...], "inputs": {IN.mlir: text}} to $PTOFIX_STANDIN_LOG;
* checks that IN.mlir exists and has no pipe op left in the generic form an older binding prints
  (`{...}` dictionary or `: i64` widths; a stand-in for "ptoas of this version cannot parse it"):
  exit 1 with an MLIR-style error otherwise, unless $PTOAS_STANDIN_LAX. Exact generic form
  (`<{...}>` properties, i8/i32 widths) is accepted, as the real ptoas does;
* writes the file named by $PTOAS_STANDIN_CPP (e.g. kernels/flash_attention/fa.cpp) to OUT.cpp,
  or to stdout when there is no -o (the way compile.sh calls ptoas: `ptoas ... fa.mlir > fa.cpp`);
* compiling for A5 (`--pto-arch=a5`, or the module's `pto.target_arch = "a5"` with no such flag), prints
  every single-direction pipe of that file as the real ptoas prints an A5 GM-staged pipe
  (`Direction::DIR_C2V_GM`; the stand-in's kernels have only GM-staged pipes);
* $PTOAS_STANDIN_FAIL=N [$PTOAS_STANDIN_STDERR=MSG]: print MSG to stderr and exit N.
"""
from __future__ import annotations

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _record import maybe_fail, record  # noqa: E402

GENERIC_PIPE_OP = re.compile(r'"pto\.(initialize_l2g2l_pipe|initialize_l2l_pipe|[at]alloc\w*|tpush\w*|tpop\w*|tfree\w*|'
                             r'aic_initialize_pipe|aiv_initialize_pipe|declare_global|declare_tile)"')


def main(argv: list[str]) -> int:
    if argv == ["--version"]:
        # `ptoas --version` as the real one prints it; $PTOAS_STANDIN_VERSION="" answers nothing.
        version = os.environ.get("PTOAS_STANDIN_VERSION", "ptoas 0.45")
        if version:
            print(version)
        return 0 if version else 1
    record("ptoas", argv)
    maybe_fail("PTOAS_STANDIN")
    out = None
    inputs = []
    i = 0
    while i < len(argv):
        if argv[i] == "-o" and i + 1 < len(argv):
            out = argv[i + 1]
            i += 2
            continue
        if argv[i] in ("--pto-arch", "-pto-arch") and i + 1 < len(argv):
            argv[i:i + 2] = [f"{argv[i]}={argv[i + 1]}"]      # (read below as the `=` spelling)
            continue
        if not argv[i].startswith("-"):
            inputs.append(argv[i])
        i += 1
    if len(inputs) != 1:
        sys.stderr.write(f"ptoas (stand-in): expected one input file, got {inputs}\n")
        return 1
    if not os.path.isfile(inputs[0]):
        sys.stderr.write(f"ptoas (stand-in): cannot open {inputs[0]}\n")
        return 1
    with open(inputs[0], encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            m = GENERIC_PIPE_OP.search(line)
            exact = m is not None and "<{" in line and not re.search(r":\s*i64\b[^>]*}>", line)
            if m and m.group(1) in ("declare_global", "declare_tile"):
                exact = '"() : ()' in line
            if m and not exact and not os.environ.get("PTOAS_STANDIN_LAX"):
                sys.stderr.write(f"{inputs[0]}:{number}:{m.start() + 1}: error: stand-in ptoas accepts pipe ops only "
                                 f"in custom or exact generic form\n")
                return 1
    cpp_path = os.environ.get("PTOAS_STANDIN_CPP")
    if not cpp_path:
        sys.stderr.write("ptoas (stand-in): set PTOAS_STANDIN_CPP to the C++ file to emit\n")
        return 1
    with open(cpp_path, encoding="utf-8", newline="") as handle:
        text = handle.read()
    # As ptoas's driver: `--pto-arch=X` overrides the module; `-pto-arch=X` only where it states none.
    cli = next((a.split("=", 1)[1] for a in argv if a.startswith("--pto-arch=")), None)
    other = next((a.split("=", 1)[1] for a in argv if a.startswith("-pto-arch=")), None)
    with open(inputs[0], encoding="utf-8") as handle:
        stated = re.search(r'pto\.target_arch\s*=\s*"(\w+)"', handle.read())
    if (cli or (stated.group(1) if stated else other or "a3")).lower() == "a5":
        text = re.sub(r"Direction::DIR_(C2V|V2C),", r"Direction::DIR_\1_GM,", text)
    if out:
        with open(out, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
