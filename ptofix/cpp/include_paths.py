"""The include directories of this run (`-I`, in order) and whether the compiler may read headers
they do not show, as the commands set them once; and whether `__has_include` of a header is
certainly 1 there. (Apart from headers.py, which reads headers with the parser's tokens: the
parser asks header_found while it reads `#if` groups.)"""
from __future__ import annotations

import os

_SEARCH: list[tuple[str, ...]] = [()]
_SEARCH_UNREAD = [""]


def set_include_search_path(directories: list[str] | tuple[str, ...], unread: str = "") -> None:
    """The include directories (`-I`, in order) the commands of this process search; ``unread``:
    why the compiler reads headers these directories do not show ('' when it reads none: see
    include_search_unread)."""
    _SEARCH[0] = tuple(directories)
    _SEARCH_UNREAD[0] = unread


def include_search_path() -> tuple[str, ...]:
    return _SEARCH[0]


def include_search_unread() -> str:
    """Why the compiler may read headers other than those the include directories show, or ''
    (build: a bisheng flag that includes a header in every file, `-include`, or searches other
    directories, `-iquote`, `-isystem`; build.tools.header_search_flag): every file is unmodelled."""
    return _SEARCH_UNREAD[0]


def header_found(spelled: str, including: str) -> bool:
    """Whether `__has_include(spelled)` in the file ``including`` is certainly 1: the header is a
    file beside it (a quoted name) or in an include directory of this run (include_search_path),
    which the compiler searches before its own directories (in ``headers._find``'s order). Not
    found there, the compiler's own directories may hold it (unknown: False); and when the
    compiler may search elsewhere first (include_search_unread: `-iquote`, `-isystem`, ...)
    nothing is known."""
    if include_search_unread() or len(spelled) < 3 or (spelled[0], spelled[-1]) not in (('"', '"'), ("<", ">")):
        return False
    name = spelled[1:-1].strip()
    if os.path.isabs(name):
        return os.path.isfile(name)
    beside = [os.path.dirname(including if including != "<stdin>" else "") or "."] if spelled[0] == '"' else []
    return any(os.path.isfile(os.path.join(directory, name)) for directory in beside + list(include_search_path()))
