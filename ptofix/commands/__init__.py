"""The ``ptofix`` commands: one module each, ``ptofix/commands/<name>.py``, with
``add_parser(subparsers)`` and ``run(args) -> int``.

This registry is all ``ptofix --help`` and ``ptofix --version`` read: each command's name and
one-line help, in the order ``--help`` lists them. A command's module (and with it the analyses
and passes it runs) is imported only when a command line names that command (ptofix/cli.py), as
xDSL's registry loads a pass on demand.
"""
from __future__ import annotations

SUMMARIES: dict[str, str] = {
    "run": "fix ptoas C++: PIPE_V barriers, TPipe LocalSlotNum",
    "check": "report PIPE_V races ptoas left in, or --fix them",
    "opt": "run passes by name: -p 'pass-a,pass-b{opt=value}'",
    "canonicalize": "rewrite generic/mixed PTO IR into the target ptoas version's custom or generic form",
    "build": "canonicalize -> ptoas -> C++ fixes -> bisheng, one step of a kernel build",
    "simulate": "run both vector kernels on a numpy UB model and compare the bytes",
    "perf": "build each kernel against pto-isa's Perf-Sim and compare their cycles",
}
