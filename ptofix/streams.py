"""Writing to stdout and stderr: every byte or an error (a full disk, a closed descriptor: exit
status 2), UTF-8 whatever the locale. Kept apart from output.py (files, reports, diffs) so that
``ptofix --help`` and ``--version`` print through it without loading the rest."""
from __future__ import annotations

import os
import sys

from .reports import printable_names
from .source import StreamError


def write_stdout(text: str, what: str = "output") -> None:
    """Write ``text`` (the ``what``: the output, the report) to stdout as UTF-8 whatever the locale
    (a non-UTF-8 file name is kept as bytes).

    A stdout that cannot take it (a full disk, ``> /dev/full``, a closed descriptor) is an output
    that cannot be written: :class:`StreamError`, exit status 2. A reader that went away
    (BrokenPipeError) is left to the caller, which ends quietly."""
    if sys.stdout is None:       # (descriptor 1 was closed when ptofix started)
        raise StreamError(f"cannot write the {what} to stdout: it is closed")
    try:
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:
            sys.stdout.write(text)
            sys.stdout.flush()
            return
        sys.stdout.flush()
        buffer.flush()
        data = text.encode("utf-8", "surrogateescape")
        fd = _descriptor(buffer)
        if fd < 0:
            buffer.write(data)
            buffer.flush()
            return
        _write_all(fd, data)
    except BrokenPipeError:
        raise
    except OSError as exc:
        discard_stdout()
        raise StreamError(f"cannot write the {what} to stdout: {exc.strerror or exc}") from None



def discard_stdout() -> None:
    """Point stdout at /dev/null, so that nothing still buffered there fails again at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _descriptor(stream) -> int:
    """The file descriptor under ``stream``, or -1 when it has none (a test's capture, an
    in-memory stream): then it is written as a stream."""
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):
        return -1


def _write_all(fd: int, data: bytes) -> None:
    """Every byte of ``data`` to descriptor ``fd``. A short write (a file-size limit, a nearly full
    disk: the kernel takes what fits) is followed by another, which then fails with the reason:
    the buffered writer took the short count for all of it, and the output was cut silently."""
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BlockingIOError:
            # A non-blocking descriptor (the reader set it so) that is full: wait until it drains.
            import select  # (here: only for a full non-blocking output; ~0.2 ms of every start)
            select.select([], [fd], [])
            continue
        if written <= 0:
            raise OSError(0, "the output took no more bytes")
        view = view[written:]


def write_stderr(text: str) -> None:
    """Diagnostics and reports to stderr, every byte of them (see _write_all): a stderr that cannot
    take them is an output that cannot be written, exit status 2."""
    if sys.stderr is None:       # (descriptor 2 was closed when ptofix started)
        raise StreamError("cannot write to stderr: it is closed")
    try:
        sys.stderr.flush()
        fd = _descriptor(sys.stderr)
        if fd < 0:
            sys.stderr.write(text)
            sys.stderr.flush()
            return
        # (A file name's bytes that are not UTF-8 as GCC writes them, `<ff>`: reports.printable_names.)
        _write_all(fd, printable_names(text).encode(sys.stderr.encoding or "utf-8",
                                                    sys.stderr.errors or "backslashreplace"))
    except OSError as exc:
        raise StreamError(f"cannot write to stderr: {exc.strerror or exc}") from None
