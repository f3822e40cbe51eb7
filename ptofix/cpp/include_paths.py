"""Whether `__has_include` of a header is certainly 1 with a compile environment's include
directories. (Apart from headers.py, which reads headers with the parser's tokens: the
parser asks header_found while it reads `#if` groups.)"""
from __future__ import annotations

import os

from ..compile_env import CompileEnvironment


def header_found(spelled: str, including: str, environment: CompileEnvironment) -> bool:
    """Whether `__has_include(spelled)` in the file ``including`` is certainly 1: the header is a
    file beside it (a quoted name) or in an include directory of ``environment``,
    which the compiler searches before its own directories (in ``headers._find``'s order). Not
    found there, the compiler's own directories may hold it (unknown: False); and when the
    compiler may search elsewhere first (its headers_unread: `-iquote`, `-isystem`, ...)
    nothing is known."""
    if environment.headers_unread or len(spelled) < 3 or (spelled[0], spelled[-1]) not in (('"', '"'), ("<", ">")):
        return False
    name = spelled[1:-1].strip()
    if os.path.isabs(name):
        return os.path.isfile(name)
    beside = [os.path.dirname(including if including != "<stdin>" else "") or "."] if spelled[0] == '"' else []
    return any(os.path.isfile(os.path.join(directory, name)) for directory in beside + list(environment.include_dirs))
