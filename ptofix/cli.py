"""Command-line entry point: ``ptofix <command> ...``.

Each command lives in ``ptofix/commands/<name>.py`` with ``add_parser(subparsers)`` and
``run(args) -> int``. Heavy imports (lark, numpy) happen inside ``run`` so start-up stays fast.
Exit status: :class:`ptofix.exit_status.ExitStatus` (also printed by ``ptofix --help``).
"""
from __future__ import annotations

import _signal  # type: ignore[import-not-found]  # (the C module behind signal, whose enums cost ~0.5 ms)
import gc
import importlib
import os
import sys
from types import ModuleType

from . import COMPILED, __version__, leave_on_interrupt
from .commands import SUMMARIES
from .exit_status import ExitStatus, internal_error, stopped_by
from .source import Diagnostic, PtofixError

# Imported where used: argparse and help_format (with the parser of the one command a command line
# names), the command's module and what it imports (only when a command line names it: `--help`
# and `--version` read the registry, ptofix/commands/__init__.py), the compile environment, output
# and signal helpers a command's run needs, and traceback (only to print one).

# Order is the order shown in --help.
COMMANDS = list(SUMMARIES)

DESCRIPTION = """\
ptofix: provably safe rewrites for the Ascend PTO toolchain.

  ptofix run --pattern gu fa.cpp           remove PIPE_V barriers the tile-dependency proof allows
  ptofix run --local-slot-num 0=2,4=2 fa.cpp   set TPipe LocalSlotNum per FlagID
  ptofix canonicalize --target-ptoas v0.36 fa.mlir   generic PTO ops -> target's custom form
  ptofix build fa.mlir -o out/             canonicalize -> ptoas -> C++ fixes -> bisheng
  ptofix simulate orig.cpp fixed.cpp       run both vector kernels on a numpy UB model
  ptofix perf fa.cpp fa.gu.cpp --pto-isa DIR   cycles of each kernel in pto-isa's Perf-Sim
  ptofix opt -p pass-a,pass-b{k=v} FILE    run any registered passes as a pipeline

Errors are reported as file:line:col: error: ... with exit status 2; the input is never modified
on error. Use `ptofix <command> --help` for details.

exit status:
  0    success (nothing to change, or the result was written)
  1    --check: the file would change; check: races or broken tile placements found;
       simulate: the kernels differ
  2    bad input, bad option or an output that cannot be written (file:line:col: error: ...);
       nothing was written for that file (with several files, the others are still written:
       the exit status is the worst of theirs: 3, 2, 1, 4, 0 from the most severe)
  3    internal error in ptofix: one line "ptofix: internal error: ... (please report)",
       the traceback with --debug
  4    check: no race shown, but a function it could not verify (--allow-unverified: 0);
       simulate: the original races on its own
  130  interrupted (Ctrl-C); 143, 129: stopped by SIGTERM, SIGHUP (workers and tools are stopped
       first, nothing is half-written)
  build only: a failing ptoas/bisheng stops the build with that tool's own exit status."""

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse



def build_parser(only: str | None = None, others: bool = True) -> argparse.ArgumentParser:
    """The CLI parser: ``only``'s subparser from its module, every other command's name and
    one-line help from the registry (none of their modules is imported), unless ``others`` is
    false: a command line that names ``only`` and asks for no top-level help reads no other
    command's entry (~0.8 ms of parsers, each with its -h and --debug)."""
    import argparse

    from .commands.help_format import ArgumentParser, HelpFormatter
    parser = ArgumentParser(prog="ptofix", description=DESCRIPTION, formatter_class=HelpFormatter)
    how = "compiled with mypyc" if COMPILED else "interpreted"
    parser.add_argument("--version", action="version", version=f"ptofix {__version__} ({how})")
    parser.add_argument("--debug", action="store_true",
                        help="on an internal error, print the Python traceback (also accepted after COMMAND)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        if name != only:
            if not others:
                continue
            # (listed by --help, named by a usage error; its module is imported when it runs)
            subparsers.add_parser(name, help=SUMMARIES[name], formatter_class=HelpFormatter)
            continue
        importlib.import_module(f"ptofix.commands.{name}").add_parser(subparsers)
    for sub in subparsers.choices.values():
        sub.subcommand = True           # (its own usage, with "did you mean", on an unknown option)
        if "--debug" not in sub._option_string_actions:
            sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                             help="print the Python traceback of an internal error")
    return parser


def _command_of(argv: list[str]) -> str | None:
    """The command ``argv`` names: its first word that is not an option (after ``--debug`` or
    an abbreviation of it); None when it names none, or when ``-h``/``--help`` comes first (the
    top-level help, which lists every command, is all that command line prints)."""
    for arg in argv:
        if arg in COMMANDS:
            return arg
        if arg in ("-h", "--help") or not arg.startswith("-") or arg == "--":
            return None
    return None


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status (see ``ptofix --help``).

    Raises only SystemExit, from argparse (--help, --version: 0; usage errors: 2)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in argv[:argv.index("--")] if "--" in argv else "--debug" in argv
    try:
        _unwind_on_interrupt()
        command = _command_of(argv)
        parser = build_parser(command, others=command is None)
        # --help, --version and usage errors raise SystemExit (0 or 2) after argparse printed them.
        args = parser.parse_args(argv)
        if not getattr(args, "command", None):
            # (A usage error as argparse's own: the usage and the error on stderr, never an exit 2
            # that says nothing there.)
            parser.print_usage(sys.stderr)
            _stderr(f"ptofix: error: no command given (choose from {', '.join(COMMANDS)}; "
                    "ptofix --help describes them)\n")
            return ExitStatus.ERROR
        from .signals import terminate_as_interrupt
        debug = bool(getattr(args, "debug", False))
        # The compiler's command line the analysis reads the kernels with (the pto-isa checkout
        # identified), built once here and handed explicitly to every command (and pickled to its
        # -j workers).
        from .commands.arguments import compile_environment
        args.environment = compile_environment(args)
        # SIGTERM/SIGHUP (a CI cancel, a closed terminal) unwind like Ctrl-C: outputs being written
        # are left as they were and their temporaries removed, workers and tools are ended.
        with terminate_as_interrupt():
            return args.handler(args)
    except PtofixError as exc:
        _stderr(exc.format() + "\n")
        return ExitStatus.ERROR
    except BrokenPipeError:
        # The reader went away (`ptofix ... | head`): not an error. Point stdout at /dev/null so
        # that the interpreter's final flush does not complain again.
        from .streams import discard_stdout
        discard_stdout()
        return ExitStatus.OK
    except KeyboardInterrupt as stop:
        # (SIGTERM/SIGHUP while workers or tools ran: 128 + the signal, as a shell reports it.)
        signum = getattr(stop, "signum", None)
        if signum is None:
            _stderr("ptofix: interrupted\n")
        else:
            import signal  # (its enums, for the name)
            _stderr(f"ptofix: stopped by {signal.Signals(signum).name}\n")
        return ExitStatus.INTERRUPTED if signum is None else stopped_by(signum)
    except RecursionError:
        # Bad input, as for one of several files (batch.py): the parsers turn the nesting they know
        # into a located error first; this is for what they do not.
        _stderr(Diagnostic("error", "input nested too deeply").format() + "\n")
        if debug:
            import traceback
            _stderr(traceback.format_exc())
        return ExitStatus.ERROR
    except Exception as exc:  # noqa: BLE001 - the one place that turns a bug into exit 3
        _internal(f"{type(exc).__name__}: {exc}", debug)
        return ExitStatus.INTERNAL


def _unwind_on_interrupt() -> None:
    """From here on Ctrl-C raises KeyboardInterrupt, which the command's cleanup unwinds (the
    ``ptofix`` command starts with a handler that leaves at once: see ptofix/__init__.py)."""

    if _signal.getsignal(_signal.SIGINT) is leave_on_interrupt:
        try:
            _signal.signal(_signal.SIGINT, _signal.default_int_handler)
        except ValueError:      # (not the main thread: its handler stays)
            pass


def _stderr(text: str) -> None:
    from .reports import printable_names
    try:
        sys.stderr.write(printable_names(text))      # (a file name's non-UTF-8 bytes as `<ff>`)
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):     # (AttributeError: stderr was closed at start, None)
        pass


def _internal(what: str, debug: bool) -> None:
    _stderr(internal_error(what) + "\n")
    if debug:
        import traceback
        _stderr(traceback.format_exc())
    else:
        _stderr("ptofix: run again with --debug for the traceback\n")


def console_main() -> None:
    """The ``ptofix`` console script."""
    # A run is short-lived and builds many small linked objects (CFG edges are cycles): the cyclic
    # collector only costs time here (~30% of a corpus run, scripts/bench.py); refcounting still
    # frees everything acyclic and the process exits right after. Only in the command (here, and
    # already when ptofix is imported by the command: ptofix/__init__.py), never in main(), which
    # tests and other programs call as a library.
    gc.disable()
    load_inspect_on_first_use()
    try:
        status = main()
    except SystemExit as exc:       # --help, --version, usage errors: argparse printed them
        if not isinstance(exc.code, int | None):
            raise
        status = exc.code or 0
    # The work is done (or refused): a Ctrl-C from here on ends the process at once, one line.

    try:
        for signum in (_signal.SIGINT, _signal.SIGTERM, _signal.SIGHUP):
            _signal.signal(signum, leave_on_interrupt)
    except (ValueError, OSError):
        pass
    # Everything is written and closed when main() returns (outputs are committed, temporaries
    # removed); what is left is the interpreter tearing down the model object by object and every
    # module, about a fifth of a one-kernel run (scripts/bench.py). Flush the standard streams
    # and leave at once. A stdout that cannot take what is left is reported here (exit 2); a
    # worker pool (-j) or a failing stderr takes the normal exit, which joins the pool and reports
    # the stream error as it always did.
    status = _flush_stdout(status)
    interrupted = status in (ExitStatus.INTERRUPTED, stopped_by(15), stopped_by(1))     # Ctrl-C, SIGTERM, SIGHUP
    if not interrupted and ("concurrent.futures" in sys.modules or "multiprocessing" in sys.modules):
        # (A normal exit joins a worker pool's threads. After an interrupt the workers are already
        # ended and nothing is left to write, and the pool's queue threads may wait forever on a
        # pipe no worker reads: that exit leaves at once, below.)
        sys.exit(status)
    try:
        if sys.stderr is not None:
            sys.stderr.flush()
    except BaseException:  # noqa: BLE001 - the normal exit reports it
        sys.exit(status)
    os._exit(status)


def load_inspect_on_first_use() -> None:
    """In the ``ptofix`` command only (never in main()): ``inspect`` stands in as an empty module
    that imports the real one on the first read of any of its names and then holds all of them.

    ``dataclasses`` imports ``inspect`` (with ast, dis, tokenize, linecache: ~5 ms of a one-kernel
    run's CPU) and reads it only to write the ``__doc__`` of a dataclass that has none
    (CPython 3.11-3.13 dataclasses._process_class); the dataclasses a run creates have docstrings.
    (importlib.util.LazyLoader does not serve: in 3.11 an ``import`` of a lazy module loads it.)"""
    if "inspect" not in sys.modules:
        sys.modules["inspect"] = _InspectOnFirstUse("inspect")


class _InspectOnFirstUse(ModuleType):
    """The stand-in of ``load_inspect_on_first_use``. Only a name it does not hold reaches
    ``__getattr__``: an ``import inspect`` reads ``__spec__`` (None, as a new module's) and a
    ``from inspect import ...`` asks for ``__path__`` (inspect is no package), which load nothing."""

    def __getattr__(self, name: str) -> object:
        if name == "__path__":
            raise AttributeError(name)
        if sys.modules.get("inspect") is self:
            del sys.modules["inspect"]
        real = importlib.import_module("inspect")
        vars(self).update(vars(real))
        return getattr(real, name)


def _flush_stdout(status: int) -> int:
    """Flush what a command left buffered on stdout; a stdout that cannot take it (a full disk,
    ``> /dev/full``) is an output that cannot be written: an error line and exit status 2."""
    if sys.stdout is None:
        return status
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        from .streams import discard_stdout
        discard_stdout()
    except OSError as exc:
        from .streams import discard_stdout
        discard_stdout()
        _stderr(Diagnostic("error", f"cannot write the output to stdout: {exc.strerror or exc}").format() + "\n")
        return max(status, ExitStatus.ERROR)
    except ValueError:      # closed by the command
        pass
    return status


if __name__ == "__main__":  # pragma: no cover
    console_main()
