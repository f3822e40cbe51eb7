"""Command-line entry point: ``ptofix <command> ...``.

Each command lives in ``ptofix/commands/<name>.py`` with ``add_parser(subparsers)`` and
``run(args) -> int``. Heavy imports (lark, numpy) happen inside ``run`` so start-up stays fast.
Exit status: 0 success, 1 ``--check`` found changes / simulation found a difference, 2 bad input.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from .source import PtofixError

# Order is the order shown in --help.
COMMANDS = ["run", "opt", "canonicalize", "build", "simulate"]

DESCRIPTION = """\
ptofix: provably safe rewrites for the Ascend PTO toolchain.

  ptofix run --pattern gu fa.cpp           remove PIPE_V barriers the tile-dependency proof allows
  ptofix run --local-slot-num 0=2,4=2 fa.cpp   set TPipe LocalSlotNum per FlagID
  ptofix canonicalize --target-ptoas v0.36 fa.mlir   generic PTO ops -> target's custom form
  ptofix build fa.mlir -o out/             canonicalize -> ptoas -> C++ fixes -> bisheng
  ptofix simulate orig.cpp fixed.cpp       run both vector kernels on a numpy UB model
  ptofix opt -p pass-a,pass-b{k=v} FILE    run any registered passes as a pipeline

Errors are reported as file:line:col: error: ... with exit status 2; the input is never modified
on error. Use `ptofix <command> --help` for details."""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The CLI parser; with ``only``, just that command's subparser (faster start-up)."""
    parser = argparse.ArgumentParser(prog="ptofix", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    from . import __version__
    parser.add_argument("--version", action="version", version=f"ptofix {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        if only is not None and name != only:
            continue
        try:
            module = importlib.import_module(f"ptofix.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"ptofix.commands.{name}":
                continue  # command not built yet
            raise
        module.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    # A run is short-lived and builds many small linked objects (CFG edges are cycles): the cyclic
    # collector only costs time here (~30% of a corpus run, scripts/bench.py); refcounting still
    # frees everything acyclic and the process exits right after.
    import gc
    gc.disable()
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv[0] if argv and argv[0] in COMMANDS else None)
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args)
    except PtofixError as exc:
        sys.stderr.write(exc.format() + "\n")
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
