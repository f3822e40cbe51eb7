"""The one reader of what ptofix reads besides its input files: headers (``#include``, ``-I``), the
files of a pto-isa checkout, the caches (the header words, the compiled regular expressions; in
``cache_dir()``), an earlier build's report, an existing sidecar.

What it promises, whatever the file system holds at that path:

* only a regular file is read: the path is looked at before it is opened (a device or a FIFO is
  never opened, since opening some has effects) and the open descriptor again after (``fstat``:
  the file actually opened), which is opened non-blocking, so a FIFO swapped in meanwhile never
  blocks; nothing under ``/proc``, ``/sys`` or ``/dev``, nor any file on the file systems mounted
  there, is read (``/proc/kmsg`` is "regular", empty by its size, and blocks);
* at most ``limit`` bytes (``MAX_SIDE_FILE_BYTES``, 16 MiB, unless the caller bounds it lower),
  in at most ``READ_SECONDS`` seconds: a larger file, or a slower one, is not read at all;
* with ``within``, only a file whose real path (symlinks resolved) lies in that directory tree: a
  checkout's ``#include "../../x"`` or a symlink in it to ``/dev/zero`` is not followed out.

A file that cannot be read so raises :class:`Unreadable` with the reason; the caller makes what
depended on it Unknown (or, for a cache, recomputes it). Every file read with a ``record`` (a
:class:`ReadRecord`, one per file job or command) is an input of the run: no output may replace it
(the job returns its record's files, batch.Processed.depends; ptofix/output.py refuses them).
"""
from __future__ import annotations

import functools
import os
import stat
import time
from collections.abc import Iterable

from . import regex_cache

MAX_SIDE_FILE_BYTES = 16 * 1024 * 1024
READ_SECONDS = 10.0
_CHUNK = 1 << 20
# Kernel pseudo file systems: their files' sizes say nothing and reading one may block or never end.
_PSEUDO_ROOTS = ("/proc", "/sys", "/dev")



class ReadRecord:
    """The files one piece of work (a file's job, a command's set-up) read besides its inputs: made
    by whoever delivers that work's outputs and handed to the readers, never kept in a module, so
    that two jobs in one process (or a -j worker) each know their own."""

    __slots__ = ("files",)

    def __init__(self, files: Iterable[str] = ()) -> None:
        self.files: set[str] = set(files)

    def add(self, path: str) -> None:
        self.files.add(path)

    def update(self, paths: Iterable[str]) -> None:
        self.files.update(paths)

    def sorted(self) -> tuple[str, ...]:
        return tuple(sorted(self.files))


class Unreadable(Exception):
    """A file the reader would not or could not read; ``reason`` says why ("it is a FIFO")."""

    def __init__(self, path: str, reason: str, missing: bool = False):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
        self.missing = missing          # there is no file at that path


_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def file_kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


_pseudo_devices: set[int] | None = None


def _pseudo_file_systems() -> set[int]:
    """The device numbers of the file systems at /proc, /sys and /dev (procfs seen elsewhere, through a
    bind mount or a container's own /proc, has the same)."""
    global _pseudo_devices
    if _pseudo_devices is None:
        found: set[int] = set()
        for root in _PSEUDO_ROOTS:
            try:
                found.add(os.stat(root).st_dev)
            except OSError:
                pass
        _pseudo_devices = found
    return _pseudo_devices


def _inside(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


@functools.lru_cache(maxsize=16)
def _real_directory(path: str) -> str:
    return os.path.realpath(path)


def _opened_path(fd: int, path: str) -> str:
    """The real path of the file open on ``fd``: what the kernel opened (/proc/self/fd), so a
    symlink swapped after the check cannot lead elsewhere; realpath where there is no /proc."""
    try:
        opened = os.readlink(f"/proc/self/fd/{fd}")
        if opened.startswith(os.sep):
            return opened
    except OSError:
        pass
    return os.path.realpath(path)


def read_side_file(path: str, *, limit: int = MAX_SIDE_FILE_BYTES, within: str | None = None,
                   record: ReadRecord | None = None, private: bool = False) -> bytes:
    """The bytes of the regular file ``path`` (see the module's promises); raises :class:`Unreadable`.
    ``record``: where the file, once read, is noted as an input of the work (None: a cache, a sidecar,
    a report, which are not). ``private``: the file must also be owned by this user and writable by
    no one else (a cache)."""
    if not path or "\0" in path:
        raise Unreadable(path, "not a file name")
    try:
        before = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise Unreadable(path, "no such file", missing=True) from None
    except OSError as exc:
        raise Unreadable(path, f"cannot be read ({exc.strerror or exc})") from None
    # Looked at before it is opened: a device or FIFO is never opened (opening some has effects),
    # nor a file of /proc or /sys (their sizes say nothing; /proc/kmsg blocks).
    _check_kind(path, before)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        raise Unreadable(path, f"cannot be read ({exc.strerror or exc})") from None
    try:
        st = os.fstat(fd)
        _check_kind(path, st)           # again, the file actually opened
        real = _opened_path(fd, path)
        if any(_inside(real, root) for root in _PSEUDO_ROOTS):
            raise Unreadable(path, f"it is {real}, a file of the kernel's {real.split(os.sep)[1]} (not read)")
        if within is not None and not _inside(real, _real_directory(within)):
            raise Unreadable(path, f"it leads out of {within} (to {real}; not read)")
        if private:
            problem = ownership_problem(st)
            if problem:
                raise Unreadable(path, problem)
        if st.st_size > limit:
            raise Unreadable(path, f"it is larger than {limit} bytes (not read)")
        data = _read_bounded(fd, path, limit)
    finally:
        os.close(fd)
    if record is not None:
        record.add(path)
    return data


def _check_kind(path: str, st: os.stat_result) -> None:
    if stat.S_ISREG(st.st_mode) and st.st_dev not in _pseudo_file_systems():
        return
    real = os.path.realpath(path)       # (named in the reason: a link to /dev/zero says so)
    if not stat.S_ISREG(st.st_mode):
        raise Unreadable(path, f"it is {file_kind(st.st_mode)} ({real}; not read)")
    raise Unreadable(path, f"it is {real}, a file of a kernel pseudo file system (/proc, /sys, /dev; not read)")


def ownership_problem(st: os.stat_result) -> str:
    """Why a file or directory of this user's private cache must not be trusted ('' if it may be)."""
    uid = os.geteuid() if hasattr(os, "geteuid") else -1
    if uid >= 0 and st.st_uid != uid:
        return f"it is owned by uid {st.st_uid}, not by this user (uid {uid})"
    if st.st_mode & 0o022:
        return f"it is writable by others (mode {stat.S_IMODE(st.st_mode):04o})"
    return ""


# The cache ptofix keeps between runs (the header words of a checkout, pto/header_words.py) lives
# in one directory of this user's, never in the installed package.
def cache_dir() -> str:
    """$PTOFIX_CACHE_DIR, else $XDG_CACHE_HOME/ptofix, else ~/.cache/ptofix (home from $HOME, else the
    user's passwd entry), else, with no home at all (a container's arbitrary uid), a directory of
    this user's in the temporary directory: never a relative path (a literal `~` under the current
    directory)."""
    base = os.environ.get("PTOFIX_CACHE_DIR")
    if base:
        return os.path.abspath(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):      # (the XDG spec: a relative value is to be ignored)
        return os.path.join(xdg, "ptofix")
    home = os.environ.get("HOME")
    if not (home and os.path.isabs(home)):
        try:
            import pwd
            home = pwd.getpwuid(os.getuid()).pw_dir
        except (ImportError, KeyError, OSError):
            home = None
    if home and os.path.isabs(home):
        return os.path.join(home, ".cache", "ptofix")
    import tempfile  # (about 4 ms of imports: only without a home)
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return os.path.join(tempfile.gettempdir(), f"ptofix-{uid}")


def cache_directory_problem(directory: str, create: bool) -> str | None:
    """Why ``directory`` may not hold this user's caches: None when it may (a directory owned by
    this user and writable by no one else; created mode 0700 first when ``create``), '' when it is
    not there or cannot be made (nothing to say), else a note's text saying why it is not used."""
    if create:
        try:
            parent = os.path.dirname(directory)
            if parent:
                os.makedirs(parent, exist_ok=True)
            os.mkdir(directory, 0o700)
        except FileExistsError:
            pass
        except OSError:
            return ""
    try:
        st = os.lstat(directory)
    except OSError:
        return ""
    if not stat.S_ISDIR(st.st_mode):
        return f"the cache {directory} is not a directory: it is not used"
    problem = ownership_problem(st)
    if problem:
        return f"the cache directory {directory} is not used: {problem}"
    return None


def _read_bounded(fd: int, path: str, limit: int) -> bytes:
    """At most ``limit`` bytes of ``fd`` in at most READ_SECONDS (a regular file read non-blocking:
    a read that would wait is a file not read)."""
    deadline = time.monotonic() + READ_SECONDS
    parts: list[bytes] = []
    total = 0
    while True:
        try:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
        except BlockingIOError:
            raise Unreadable(path, "reading it would wait (not read)") from None
        except OSError as exc:
            raise Unreadable(path, f"cannot be read ({exc.strerror or exc})") from None
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)
        total += len(chunk)
        if total > limit:
            raise Unreadable(path, f"it is larger than {limit} bytes (not read)")
        if time.monotonic() > deadline:
            raise Unreadable(path, f"reading it took longer than {READ_SECONDS:.0f} s (not read)")


_JSON_STRING = regex_cache.compile(r'"(?:[^"\\]++|\\.)*+"')
_JSON_BRACKET = regex_cache.compile(r"[\[\]{}]")


def json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether JSON ``text`` nests arrays and objects deeper than ``limit`` (strings skipped): the
    json module recurses once per level, so a deep document must be refused before it is parsed."""
    depth = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def load_json(data: bytes, max_depth: int) -> object:
    """The JSON value of ``data`` (UTF-8), nested at most ``max_depth`` deep; ValueError otherwise."""
    text = data.decode("utf-8")           # (UnicodeDecodeError is a ValueError)
    if json_depth_exceeds(text, max_depth):
        raise ValueError(f"nested deeper than {max_depth} levels")
    import json
    return json.loads(text)
