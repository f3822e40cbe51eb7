#!/usr/bin/env python3
"""STAND-IN for bisheng (no real compiler runs): records its argv and writes a marker "library".

* appends {"tool": "bisheng", "argv": [...], "inputs": {...}} to $PTOFIX_STANDIN_LOG;
* -DKERNEL_CPP="PATH" must name an existing file (as caller.cpp #includes it), and every
  positional .cpp input must exist: otherwise a clang-style "file not found" error, exit 1;
* writes "bisheng stand-in output\\nKERNEL_CPP=PATH\\n" to the -o file;
* $BISHENG_STANDIN_FAIL=N [$BISHENG_STANDIN_STDERR=MSG]: print MSG to stderr and exit N;
  with $BISHENG_STANDIN_PARTIAL set it first writes half a library to the -o file (a crash);
* $BISHENG_STANDIN_NO_OUTPUT: exit 0 without writing the -o file (as -fsyntax-only does).
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _record import maybe_fail, record  # noqa: E402


def main(argv: list[str]) -> int:
    record("bisheng", argv)
    if os.environ.get("BISHENG_STANDIN_PARTIAL") and "-o" in argv[:-1]:
        with open(argv[argv.index("-o") + 1], "w", encoding="utf-8") as handle:
            handle.write("half a library")
    maybe_fail("BISHENG_STANDIN")
    out = None
    kernel = None
    sources = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "-o" and i + 1 < len(argv):
            out = argv[i + 1]
            i += 2
            continue
        if arg in ("-mllvm", "-Xclang") and i + 1 < len(argv):
            i += 2
            continue
        if arg.startswith("-DKERNEL_CPP="):
            kernel = arg[len("-DKERNEL_CPP="):].strip('"')
        elif not arg.startswith("-"):
            sources.append(arg)
        i += 1
    for path in sources + ([kernel] if kernel else []):
        if not os.path.isfile(path):
            sys.stderr.write(f"fatal error: '{path}' file not found\n")
            return 1
    if out is None:
        sys.stderr.write("bisheng (stand-in): no -o given\n")
        return 1
    if os.environ.get("BISHENG_STANDIN_NO_OUTPUT"):
        return 0
    with open(out, "w", encoding="utf-8") as handle:
        handle.write(f"bisheng stand-in output\nKERNEL_CPP={kernel}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
