"""A progress line on stderr while several files are processed: ``ptofix: 3/27 files, 4 s``.

Shown only when stderr is a terminal (a log or a pipe gets nothing), not before the run has taken
``AFTER`` seconds (a short run shows nothing), never with ``-q``; rewritten in place (carriage
return) at most every ``EVERY`` seconds and erased before anything else is written to stderr.
"""
from __future__ import annotations

import sys
import threading
import time

from .signals import signals_held

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TextIO

AFTER = 2.0         # seconds before the line first shows
EVERY = 0.25        # seconds between two updates
_ERASE = "\r\x1b[K"


class Progress:
    """Files done out of ``total``; a ticker thread keeps the elapsed time current between files."""

    def __init__(self, total: int, enabled: bool, stream: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.total = total
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and _is_terminal(self.stream)
        self.clock = clock
        self.start = clock()
        self.shown = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def __enter__(self) -> Progress:
        if self.enabled:
            self._ticker = threading.Thread(target=self._tick, name="ptofix-progress", daemon=True)
            # Started with Ctrl-C, SIGTERM and SIGHUP blocked: a thread inherits the mask of the one
            # that starts it, so the ticker never takes a signal sent to the process and the kernel
            # delivers it to the main thread. Taken by the ticker, it would not interrupt the main
            # thread's wait for a worker or a tool (no EINTR there), and its handler would run only
            # when that wait ended; and signals_held, which blocks them in the main thread while a
            # tool starts, would not hold them (tool_process.run_as_group).
            with signals_held():
                self._ticker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        self.erase()

    def advance(self, done: int) -> None:
        """``done`` files are finished."""
        self.done = done
        self.show()

    def show(self) -> None:
        if not self.enabled:
            return
        elapsed = self.clock() - self.start
        if elapsed < AFTER:
            return
        with self._lock:
            self._write(f"{_ERASE}ptofix: {self.done}/{self.total} files, {elapsed:.0f} s")
            self.shown = True

    def erase(self) -> None:
        with self._lock:
            if self.shown:
                self._write(_ERASE)
                self.shown = False

    def _tick(self) -> None:
        while not self._stop.wait(EVERY):
            self.show()

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            self.enabled = False        # (a stderr that fails is reported where it matters)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, OSError, ValueError):
        return False
