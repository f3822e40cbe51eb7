"""ptofix: structured, provably safe rewrites of PTO IR and ptoas-generated C++.

Compiled modules. Installing ptofix (``pip install .`` or ``-e .``) compiles the modules of
``COMPILED_MODULES`` (the C++ model and the barrier analysis, where the time goes) with mypyc
into extension modules beside their sources, which Python imports in their place, and records
the CRC-32 of each source it compiled in ``BUILD_RECORD`` (setup.py). They are used all together
or not at all: interpreted, ptofix runs every module from its source, with the same results,
about twice as slowly. It does so when

- ``PTOFIX_PURE_PYTHON`` is set (to anything but an empty string), at run time or at install
  time (then nothing is compiled), or
- a compiled module or the record is missing, or a source differs from the one compiled (edited
  in an editable install since the last build: its compiled module would run the old code).

``COMPILED`` says which way this process runs (``ptofix --version`` prints it).
"""
from __future__ import annotations

import os
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from zlib import crc32

_STOPPED_BY = {1: b"ptofix: stopped by SIGHUP\n", 2: b"ptofix: interrupted\n", 15: b"ptofix: stopped by SIGTERM\n"}


def leave_on_interrupt(signum: int, frame: object) -> None:
    """Ctrl-C (or SIGTERM, SIGHUP) while the ``ptofix`` command starts (its imports take tens of
    ms) or after it has finished its work: no traceback, one line and the status 128 + the signal,
    as when it stops the work (nothing has been written yet, or everything has)."""
    try:
        os.write(2, _STOPPED_BY.get(signum, b"ptofix: stopped by a signal\n"))
    except OSError:
        pass
    os._exit(128 + signum)


def _is_the_ptofix_command() -> bool:
    """Whether this process is the ``ptofix`` command (the console script or ``python -m ptofix``),
    not a program that imports ptofix as a library: only the command's start-up handles Ctrl-C."""
    first = sys.argv[0] if sys.argv else ""
    if os.path.basename(first) == "ptofix":
        return True
    if first != "-m":       # (Python's sys.argv[0] while the -m module is being found)
        return False
    orig = getattr(sys, "orig_argv", [])
    return "-m" in orig and orig[orig.index("-m") + 1:orig.index("-m") + 2] == ["ptofix"]


if _is_the_ptofix_command():
    # First thing, before the imports below and the command's: the default handler's
    # KeyboardInterrupt in the middle of an import is a traceback (and exit 1 from the script).
    # (_signal, the C module: `signal` builds its enums at import, several ms of the window.)
    import _signal  # type: ignore[import-not-found]  # (no stub: the C module behind signal)
    for _signum in (_signal.SIGINT, _signal.SIGTERM, _signal.SIGHUP):
        _signal.signal(_signum, leave_on_interrupt)
    # The cyclic collector is off in the command (cli.console_main says why) from here, not only
    # from console_main on: the command's first imports (ptofix.cli's) ran it 3 times, ~0.3 ms.
    import gc
    gc.disable()

__version__ = "0.1.0"

# Read by setup.py (with ast, without importing ptofix). Every module here must be importable by
# mypyc: no class built inside a function, no metaclass, no dynamic attributes (see structs.py).
COMPILED_MODULES = (
    "ptofix.source",
    "ptofix.structs",
    "ptofix.pto.tiles",
    "ptofix.pto.ops",
    "ptofix.pto.walks",
    "ptofix.pto.same_access_chain",
    "ptofix.cpp.keywords",
    "ptofix.cpp.integers",
    "ptofix.cpp.preprocessor",
    "ptofix.cpp.model",
    "ptofix.cpp.lexical",
    "ptofix.cpp.tokens",
    "ptofix.cpp.word_index",
    "ptofix.cpp.group_extents",
    "ptofix.cpp.declaration_forms",
    "ptofix.cpp.declarator_lists",
    "ptofix.cpp.parser",
    "ptofix.cpp.stmt_ast",
    "ptofix.cpp.stmt_parser",
    "ptofix.cpp.fast_expr",
    "ptofix.cpp.tile_flow",
    "ptofix.cpp.symbols",
    "ptofix.cpp.c_types",
    "ptofix.cpp.statement_forms",
    "ptofix.cpp.count_mode",
    "ptofix.cpp.header_policy",
    "ptofix.cpp.file_facts",
    "ptofix.cpp.function_state",
    "ptofix.cpp.value_model",
    "ptofix.cpp.declarations",
    "ptofix.cpp.tile_history",
    "ptofix.cpp.expressions",
    "ptofix.cpp.call_statements",
    "ptofix.cpp.semantics",
    "ptofix.cpp.cfg_events",
    "ptofix.cpp.tile_accesses",
    "ptofix.cpp.op_events",
    "ptofix.cpp.vector_cfg",
    "ptofix.cpp.barrier_flags",
    "ptofix.cpp.analysis_part",
    "ptofix.cpp.flag_states",
    "ptofix.cpp.barrier_decisions",
    "ptofix.cpp.barrier_sites",
    "ptofix.cpp.barrier_selection",
    "ptofix.cpp.flag_chains",
    "ptofix.cpp.barriers",
    "ptofix.cpp.races",
    "ptofix.cpp.weights",
)
PURE_PYTHON_VARIABLE = "PTOFIX_PURE_PYTHON"
BUILD_RECORD = "compiled-sources.txt"      # beside this file: "<module> <crc32 of its source>" lines


_HERE = os.path.dirname(os.path.abspath(__file__))


def _source_path(name: str, package: str = _HERE) -> str:
    return os.path.join(package, *name.split(".")[1:]) + ".py"


def _file_crc32(path: str) -> int:
    """The CRC-32 of the file's bytes, read with os.read: every ``ptofix`` process reads the ~1 MB
    of the compiled modules' sources, and a buffered ``open`` costs ~25 us more a file than the
    read itself (~0.9 ms of a one-kernel run's CPU; issue #70 item 7)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        crc = 0
        while block := os.read(fd, 1 << 18):
            crc = crc32(block, crc)
        return crc
    finally:
        os.close(fd)


def _compiled_build_is_current(package: str = _HERE) -> bool:
    """Whether every compiled module is present in ``package`` (this package's directory) and
    was compiled from its source as it is now."""
    if os.environ.get(PURE_PYTHON_VARIABLE):
        return False
    try:
        # (Read as bytes: a text file in "ascii" imports encodings.ascii, ~0.2 ms of every start.)
        with open(os.path.join(package, BUILD_RECORD), "rb") as handle:
            recorded = dict(line.split() for line in handle.read().decode("ascii").splitlines() if line.strip())
    except (OSError, ValueError):
        return False
    for name in COMPILED_MODULES:
        source = _source_path(name, package)
        if not any(os.path.exists(source[:-3] + suffix) for suffix in EXTENSION_SUFFIXES):
            return False
        try:
            current = str(_file_crc32(source))
        except OSError:
            continue                    # an install without sources: nothing to differ from
        if recorded.get(name) != current:
            return False
    return True


class _SourceFinder:
    """Finds the compiled modules' sources ahead of their extension modules."""

    @staticmethod
    def find_spec(fullname: str, path: object = None, target: object = None):  # noqa: ANN205 - importlib protocol
        if fullname not in COMPILED_MODULES:
            return None
        # (Here: importlib.util, with contextlib, is only an interpreted process's.)
        from importlib.util import spec_from_file_location
        return spec_from_file_location(fullname, _source_path(fullname))


COMPILED = _compiled_build_is_current()
if not COMPILED:
    sys.meta_path.insert(0, _SourceFinder)   # type: ignore[arg-type]
