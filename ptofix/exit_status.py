"""The exit statuses of the ``ptofix`` command, and the one wording of an internal error.

Every command returns one of these (``ptofix --help`` lists them); with several files the status
is the most severe of theirs (:func:`worse`). ``build`` also passes on a failing tool's own status,
and a run stopped by a signal exits with 128 + the signal, as a shell reports it.
"""
from __future__ import annotations

from enum import IntEnum

from .source import Diagnostic


class ExitStatus(IntEnum):
    OK = 0
    CHANGED = 1         # --check: a file would change; check: races found; simulate: the kernels differ
    ERROR = 2           # bad input, a bad option, an output that cannot be written
    INTERNAL = 3        # a bug in ptofix
    UNVERIFIED = 4      # check: no race found, but a function it could not verify; simulate: the original races
    INTERRUPTED = 130   # Ctrl-C (128 + SIGINT)


def stopped_by(signum: int) -> int:
    """The status of a run a signal stopped (SIGTERM: 143, SIGHUP: 129)."""
    return 128 + signum


# From the least to the most severe: `check`'s 4 (no race shown, but a function it could not
# verify) is below 1 (races found), 2 (bad input) and 3 (internal error).
_SEVERITY: dict[int, int] = {status: rank for rank, status in enumerate(
    (ExitStatus.OK, ExitStatus.UNVERIFIED, ExitStatus.CHANGED, ExitStatus.ERROR, ExitStatus.INTERNAL))}


def worse(a: int, b: int) -> int:
    """The more severe of two exit statuses (any other value is the most severe)."""
    return max(a, b, key=lambda status: _SEVERITY.get(status, len(_SEVERITY)))


def internal_error(what: str, while_processing: str | None = None) -> str:
    """The one line that reports a bug in ptofix (``what``: its first line is kept)."""
    first = what.splitlines()[0] if what else what
    where = f"; while processing {while_processing}" if while_processing else ""
    return Diagnostic("internal error", f"{first} (please report{where})").format()
