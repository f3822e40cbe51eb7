"""Compiled regular expressions, kept across processes the way ``.pyc`` files keep bytecode.

CPython's regex parser and compiler are written in Python: compiling the patterns the front ends
build at start-up costs a whole one-kernel ``ptofix run`` about a tenth of its CPU
(``scripts/bench_startup.py``, interpreted, bytecode cached, medians of 21 interleaved rounds: 7.6
ms of 75 ms with ``--pattern gu`` on ``kernels/flash_attention/fa.cpp``, 7.9 ms of 62 ms without a
pattern; under 5% of a whole run, this module would go). Their result is a list of integer codes
that ``_sre.compile`` turns into a ``re.Pattern`` in microseconds. This module stores those codes
in the user's cache directory (``side_files.cache_dir()``, beside the header-word cache; never in
the installed package), as ``regex.<tag>.marshal``, written when a command ends (not when
``sys.dont_write_bytecode``/``PYTHONDONTWRITEBYTECODE`` is set), and builds later patterns from them.

A cached pattern is the one ``re.compile`` builds: the codes come from the same
``re._parser.parse`` and ``re._compiler`` steps ``re._compiler.compile`` runs. Those are CPython's
private modules, so the file is keyed by the exact Python version (``sys.version``), the
interpreter's cache tag and the ``_sre`` engine's MAGIC and CODESIZE (the code format): a cache of
another Python is never read. A Python without those steps compiles with ``re.compile``. The file
is read through the one reader of side files, only from a directory and as a file of this user's
that no one else may write (marshal data is trusted code layout); a file that is unreadable, of
another Python or engine, or fails its CRC is ignored, and any failure falls back to
``re.compile``. Only patterns written in the source go through here (a bounded set): patterns built
from input use ``re.compile``.

Reference: CPython ``Lib/re/_compiler.py`` (``compile``) and ``Modules/_sre/sre.c``
(``_sre.compile``), https://github.com/python/cpython/tree/3.11/Lib/re
"""
from __future__ import annotations

import hashlib
import marshal
import os
import re
import sys
import zlib
from collections.abc import Iterator
from itertools import islice

from .side_files import cache_dir, cache_directory_problem, read_side_file

try:
    import _sre  # type: ignore[import-not-found]
    from re import _compiler, _parser  # type: ignore[attr-defined]
    if not (callable(getattr(_parser, "parse", None)) and callable(getattr(_compiler, "_code", None))):
        raise ImportError("not the regex compiler steps this module knows")
except ImportError:  # pragma: no cover - not CPython, or another one: plain re.compile
    _sre = None  # type: ignore[assignment]

_MAX_FILE_BYTES = 16 * 1024 * 1024     # (512 compiled patterns take well under 1 MB)
_MAX_ENTRIES = 512       # past half of it, a save keeps only the patterns its process used
_FILE_NAME = f"regex.{sys.implementation.cache_tag}.marshal"
_TAG = (sys.implementation.cache_tag or "", sys.version, getattr(_sre, "MAGIC", 0), getattr(_sre, "CODESIZE", 0))
# A file starts with this (its format, then the Python and engine it is for), then the CRC-32 of
# the marshalled entries that follow.
def _head(tag: tuple) -> bytes:
    return b"ptofix regex cache 2\0" + hashlib.sha256(repr(tag).encode()).digest()[:16]


_HEAD = _head(_TAG)

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


def cache_file() -> str:
    """Where the cache is: in the user's cache directory as the environment names it now."""
    return os.path.join(cache_dir(), _FILE_NAME)


def _load() -> dict[tuple[str, int], bytes]:
    global _entries
    if _entries is None:
        _entries = {}
        path = cache_file()
        if cache_directory_problem(os.path.dirname(path), create=False) is not None:
            return _entries         # (no cache, or a directory others may write: compile afresh)
        try:
            # (Through the one reader of side files: a FIFO or a link to /dev/zero here is no
            # cache, nor a file another user owns or may write.)
            data = read_side_file(path, limit=_MAX_FILE_BYTES, private=True)
            # (The envelope is read as bytes, not unmarshalled: marshal trusts its length fields,
            # and a damaged file such as 200 KB of `[` asked it for lists of 1.5 billion items,
            # nested, minutes before it failed. Only a blob whose CRC holds is unmarshalled.)
            head, crc, blob = data[:len(_HEAD)], data[len(_HEAD):len(_HEAD) + 4], data[len(_HEAD) + 4:]
            if head == _HEAD and crc == zlib.crc32(blob).to_bytes(4, "big"):
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
    path = cache_file()
    if cache_directory_problem(os.path.dirname(path), create=True) is not None:
        return                      # (a directory that may not hold it: nothing is written)
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        with open(handle, "wb") as out:
            out.write(_HEAD + zlib.crc32(blob).to_bytes(4, "big") + blob)
        os.replace(temporary, path)         # (concurrent runs: the last whole file wins)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass
