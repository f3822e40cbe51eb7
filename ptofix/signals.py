"""Stopping cleanly: SIGTERM and SIGHUP unwind like Ctrl-C, and child processes die with ptofix.

A CI job cancel or `docker stop` sends SIGTERM, a closed terminal SIGHUP: a command that runs other
processes (``build``'s tools, ``-j``'s workers) turns them into :class:`Terminated` so that its
cleanup runs (kill the children, remove half-written files) instead of dying at once.
"""
from __future__ import annotations

# _signal, the C module behind signal: signal builds its enums at import (~0.5 ms of every run;
# ptofix/__init__.py does the same). Its handlers and masks are plain ints here, which is all this
# module stores and hands back.
import _signal as signal  # type: ignore[import-not-found]  # (no stub)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Final

# ctypes is imported where a worker asks to die with its parent (~1.5 ms, -j N only).


def checkpoint() -> None:
    """Called by the compiled analysis every few hundred statements (an interpreted function: its
    call is where the interpreter runs the Python handlers of the signals that arrived meanwhile,
    Ctrl-C's KeyboardInterrupt or SIGTERM's Terminated; compiled code runs none, and without a call
    a long compiled stretch would hold a signal until it returns)."""


CHECKPOINT_EVERY: Final = 256        # statements (a mask: a power of two)


class Terminated(KeyboardInterrupt):
    """SIGTERM/SIGHUP: unwinds like Ctrl-C; the exit status is 128 + ``signum``."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


class terminate_as_interrupt:  # noqa: N801 - used as a `with` statement, like contextlib's helpers
    """While inside, SIGTERM and SIGHUP raise :class:`Terminated` in the main thread. The first one
    only: the cleanup it starts (ending workers, removing temporaries) is not cut short by another."""

    def __enter__(self) -> terminate_as_interrupt:
        self._handlers: dict = {}
        for signum in (signal.SIGTERM, signal.SIGHUP):
            try:
                self._handlers[signum] = signal.signal(signum, self._terminate)
            except (ValueError, OSError):     # not the main thread: leave the default action
                pass
        return self

    def _terminate(self, signum, frame):
        for other in self._handlers:
            signal.signal(other, signal.SIG_IGN)
        raise Terminated(signum)

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._handlers.items():
            signal.signal(signum, handler)


class signals_held:  # noqa: N801 - used as a `with` statement
    """While inside, Ctrl-C, SIGTERM and SIGHUP wait (blocked, POSIX): for starting a child process
    and recording it where the cleanup finds it, so that no signal lands between the two (a child
    started but not yet recorded would outlive the run). The signal is handled on leaving. A child
    started inside must unblock them itself (tool_process.limited_child does)."""

    _SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def __enter__(self) -> signals_held:
        self._previous: set | None = None
        if hasattr(signal, "pthread_sigmask"):
            try:
                self._previous = signal.pthread_sigmask(signal.SIG_BLOCK, self._SIGNALS)
            except (ValueError, OSError):
                self._previous = None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, self._previous)


def unblock_signals() -> None:
    """In a child process before its program: no signal blocked (what signals_held blocked in the
    parent is inherited through fork and exec)."""
    if hasattr(signal, "pthread_sigmask"):
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, set())
        except (ValueError, OSError):
            pass


def hold_interrupts() -> None:
    """From here on this process ignores Ctrl-C, SIGTERM and SIGHUP: for a cleanup that must not be
    cut short once it has begun (the process ends right after it)."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        try:
            signal.signal(signum, signal.SIG_IGN)
        except (ValueError, OSError):
            pass


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
