"""Stopping cleanly: SIGTERM and SIGHUP unwind like Ctrl-C, and child processes die with ptofix.

A CI job cancel or `docker stop` sends SIGTERM, a closed terminal SIGHUP: a command that runs other
processes (``build``'s tools, ``-j``'s workers) turns them into :class:`Terminated` so that its
cleanup runs (kill the children, remove half-written files) instead of dying at once.
"""
from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator


class Terminated(KeyboardInterrupt):
    """SIGTERM/SIGHUP: unwinds like Ctrl-C; the exit status is 128 + ``signum``."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise :class:`Terminated` in the main thread."""
    def terminate(signum, frame):
        raise Terminated(signum)

    handlers = {}
    for signum in (signal.SIGTERM, signal.SIGHUP):
        try:
            handlers[signum] = signal.signal(signum, terminate)
        except (ValueError, OSError):     # not the main thread: leave the default action
            pass
    try:
        yield
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)


def die_with_parent() -> None:
    """In a child process (Linux): be killed when ptofix dies, even by SIGKILL, so that no orphan
    is left running (a tool writing into an output directory the next build owns, a worker
    waiting forever for work)."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)      # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
