"""Compiled regular expressions, kept across processes the way ``.pyc`` files keep bytecode.

CPython's regex parser and compiler are written in Python: compiling the patterns the front ends
build at start-up costs a whole one-kernel ``ptofix run`` an eighth to a sixth of its CPU
(``scripts/bench_startup.py``, interpreted, bytecode cached, medians of 21 interleaved rounds: 8.0
ms of 60 ms with ``--pattern gu`` on ``kernels/flash_attention/fa.cpp``, 7.7 ms of 48 ms without a
pattern; under 5% of a whole run, this module would go). Their result is a list of integer codes
that ``_sre.compile`` turns into a ``re.Pattern`` in microseconds. This module stores those codes
in ``ptofix/__pycache__/regex.<tag>.marshal`` (beside the bytecode caches, under
``sys.pycache_prefix`` when one is set; written when a command
ends, not when ``sys.dont_write_bytecode``/``PYTHONDONTWRITEBYTECODE`` is set) and builds later
patterns from them.

A cached pattern is the one ``re.compile`` builds: the codes come from the same
``re._parser.parse`` and ``re._compiler`` steps ``re._compiler.compile`` runs, and the file is
keyed by the interpreter's cache tag and the ``_sre`` engine's MAGIC and CODESIZE (the code
format). A file that is unreadable, for another engine, or fails its CRC is ignored, and any
failure falls back to ``re.compile``. Only patterns written in the source go through here (a
bounded set): patterns built from input use ``re.compile``.

Reference: CPython ``Lib/re/_compiler.py`` (``compile``) and ``Modules/_sre/sre.c``
(``_sre.compile``), https://github.com/python/cpython/tree/3.11/Lib/re
"""
from __future__ import annotations

import marshal
import os
import re
import sys
import zlib
from collections.abc import Iterator
from importlib.util import cache_from_source
from itertools import islice

from .side_files import read_side_file

try:
    import _sre  # type: ignore[import-not-found]
    from re import _compiler, _parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - not CPython: plain re.compile
    _sre = None  # type: ignore[assignment]

_MAX_FILE_BYTES = 16 * 1024 * 1024     # (512 compiled patterns take well under 1 MB)
_MAX_ENTRIES = 512       # past half of it, a save keeps only the patterns its process used
# Where this module's own bytecode goes: ptofix/__pycache__/, or the mirror of it under
# sys.pycache_prefix (PYTHONPYCACHEPREFIX; the tests set one, so that they write only under a
# temporary directory).
_PATH = os.path.join(os.path.dirname(cache_from_source(os.path.abspath(__file__))),
                     f"regex.{sys.implementation.cache_tag}.marshal")
_TAG = (sys.implementation.cache_tag or "", sys.version, getattr(_sre, "MAGIC", 0), getattr(_sre, "CODESIZE", 0))

# (pattern, flags) -> marshal of the arguments after the pattern: each decoded only when used
_entries: dict[tuple[str, int], bytes] | None = None
_used: set[tuple[str, int]] = set()     # the keys this process compiled or took from the cache
_dirty = False


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:  # noqa: A001 - re.compile's name
    """``re.compile(pattern, flags)``, from the cross-process cache when it holds ``pattern``."""
    if _sre is None or not isinstance(pattern, str) or flags & re.DEBUG:
        return re.compile(pattern, flags)
    global _dirty
    entries = _load()
    key = (pattern, int(flags))
    _used.add(key)
    packed = entries.get(key)
    try:
        if packed is not None:
            return _sre.compile(pattern, *marshal.loads(packed))
    except Exception:  # noqa: BLE001 - a stale entry: compile it afresh
        entries.pop(key, None)
    try:
        parts = _compiled_parts(pattern, int(flags))
    except Exception:  # noqa: BLE001 - let re report a bad pattern as it always does
        return re.compile(pattern, flags)
    if len(entries) < _MAX_ENTRIES:
        entries[key] = marshal.dumps(parts)
        _dirty = True
    return _sre.compile(pattern, *parts)


MATCH_BLOCK = 4096       # matches match_blocks holds at once


def match_blocks(matches: Iterator[re.Match[str]], size: int = MATCH_BLOCK) -> Iterator[list[re.Match[str]]]:
    """``matches`` a list of at most ``size`` at a time: a tokenizer reads each block's fields with
    map() over the Match methods (no Python code per token) while holding few Match objects (~200
    bytes each) at once."""
    while block := list(islice(matches, size)):
        yield block


def _compiled_parts(pattern: str, flags: int) -> tuple:
    """The arguments after ``pattern`` that ``re._compiler.compile`` passes to ``_sre.compile``."""
    parsed = _parser.parse(pattern, flags)
    code = [int(op) for op in _compiler._code(parsed, flags)]
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return int(flags | parsed.state.flags), code, parsed.state.groups - 1, groupindex, tuple(indexgroup)


def _load() -> dict[tuple[str, int], bytes]:
    global _entries
    if _entries is None:
        _entries = {}
        try:
            # (Through the one reader of side files: a FIFO or a link to /dev/zero here is no cache.)
            tag, crc, blob = marshal.loads(read_side_file(_PATH, limit=_MAX_FILE_BYTES, record=False))
            if tag == _TAG and crc == zlib.crc32(blob):
                _entries = marshal.loads(blob)
        except Exception:  # noqa: BLE001 - no cache, or an unusable one: compile afresh
            _entries = {}
    return _entries


def save() -> None:
    """Write the patterns compiled by this process that the cache did not hold (atomically)."""
    global _dirty
    if not _dirty or _entries is None or sys.dont_write_bytecode:
        return
    _dirty = False
    entries = _entries
    if len(entries) > _MAX_ENTRIES // 2:
        # Entries no process asks for any more (patterns of an older ptofix) would only grow the
        # file every run loads: past half the cap, keep what this process used.
        entries = {key: value for key, value in entries.items() if key in _used}
    blob = marshal.dumps(entries)
    temporary = f"{_PATH}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(_PATH), exist_ok=True)
        with open(temporary, "wb") as handle:
            handle.write(marshal.dumps((_TAG, zlib.crc32(blob), blob)))
        os.replace(temporary, _PATH)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass
