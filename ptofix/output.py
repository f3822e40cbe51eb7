"""Writing results: stdout, ``-o``, ``-i``, ``--diff``, ``--check``, reports, and every file a
command writes.

All file output goes through :class:`Outputs`, so every command behaves the same way:

* every output path is checked before anything is written (the directory exists and is
  writable; an existing target is a regular, writable file), and nothing is created on error;
* several outputs of one command (``-i`` + ``--report-file``, ``-i`` + ``--sidecar``, ...) are
  written all or none: each is staged to a temporary file in its target directory, then all are
  renamed into place (a failed rename puts the earlier ones back);
* a symlink is written through to its target; anything that is not a regular file (FIFO,
  device, directory, socket) is refused -- ``-o -`` means stdout;
* a new file gets the mode the umask gives (``0666 & ~umask``), a replaced file keeps its own;
* a replaced file with other hard links is a new file under this name (the links keep the old
  content): a warning says so.
"""
from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Iterable

from . import regex_cache
from .exit_status import ExitStatus
from .pto.tpipe import HEADER_RELPATH
from .records import Frozen, Value, field
from .reports import json_document, text_lines_for_file
from .source import PtofixError, SourceText, StreamError
from .streams import discard_stdout, write_stderr, write_stdout

# (StreamError is defined in source.py, beside PtofixError: see there; the stream writers in
# streams.py, light enough for `ptofix --help` and `--version`.)
__all__ = ["StreamError", "discard_stdout", "write_stderr", "write_stdout"]

# Imported where used: difflib (~5 ms, only for --diff) and html_report (~3 ms, --report html).

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class OutputOptions(Value):
    """Where a command's results go, as its command line says (the command layer builds it once
    from the parsed options; it pickles for ``-j`` workers)."""

    files: tuple[str, ...] = ()         # the input files, in the order given
    output: str | None = None           # -o OUT ('-': stdout)
    in_place: bool = False              # -i
    diff: bool = False                  # --diff
    check: bool = False                 # --check
    report: str | None = None           # --report json|text|html
    report_file: str | None = None      # --report-file PATH ('-': stdout)
    jobs: int = 1                       # -j N
    quiet: bool = False                 # -q
    debug: bool = False                 # --debug: an internal error's traceback
    # Files the other options name for reading (a LocalSlotNum --ir or --sidecar, pto-isa's TPipe
    # header): no output may replace one.
    option_inputs: tuple[str, ...] = ()
    # The call's other input files (one file of several, or files a worker read): no output may be one.
    other_inputs: tuple[str, ...] = ()
    # Files the call's work read besides its inputs (headers, pto-isa files: each job's ReadRecord,
    # batch.Processed.depends, -j workers' too): no output may be one, not even an -i of the file itself.
    dependencies: tuple[str, ...] = ()


class Collected(Frozen):
    """What the deliveries of one call's files hand to the call instead of writing it themselves
    (batch.run_files makes one per call, writes and commits it last): no setting, so not on the
    frozen OutputOptions."""

    # One file of several: each file's report and text lines, for the call's one report (None: a
    # file's report is written as it is delivered).
    reports: list[tuple[dict, list[str]]] | None = None
    # Each file's outputs, with the streams that go with them: committed all or none with the
    # call's other files, the report file included.
    outputs: list[tuple[Outputs, Callable[[], None]]] = field(default_factory=list)


# ---- output paths --------------------------------------------------------------------------------
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


class Target:
    __slots__ = ("path", "real", "st")

    def __init__(self, path: str, real: str, st: os.stat_result | None):
        self.path = path                # as the user wrote it
        self.real = real                # symlinks resolved: the file that is written
        self.st = st                    # the existing file, or None

    def __repr__(self) -> str:
        return f"Target(path={self.path!r}, real={self.real!r}, st={self.st!r})"


# A path through a process's open descriptors (any number of slashes: `//dev/stdout` is `/dev/stdout`).
_DESCRIPTOR_PATH = regex_cache.compile(r"/+(?:dev/+(?:fd/|std(?:in|out|err)/*$)|proc/+[^/]+/+fd/)")


def _stdout_hint(what: str) -> str:
    return "; use -o - for stdout" if what == "output" else ""


def _stream_behind(st: os.stat_result) -> str:
    """'stdout' or 'stderr' when the file ``st`` is the one this process's stream writes to."""
    for fd, name in ((1, "stdout"), (2, "stderr")):
        try:
            other = os.fstat(fd)
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
            return name
    return ""


def check_output_path(path: str, what: str = "output") -> Target:
    """Check that ``path`` can be written as ``what``; raises :class:`PtofixError` (nothing is created)."""
    if not path:
        raise PtofixError(f"empty file name for the {what}")
    if "\0" in path:
        raise PtofixError(f"bad file name for the {what}: {path!r} contains a NUL character")
    real = os.path.realpath(path)
    if real == os.devnull:
        # The usual way to discard an output (a run for its report or exit status): written as
        # is, never replaced by a renamed file.
        return Target(path, real, None)
    via = f" (symlink to {real})" if real != os.path.abspath(path) else ""
    if via and _DESCRIPTOR_PATH.match(os.path.abspath(path)):
        # `/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/0`: the file a shell opened for a stream. A new
        # file renamed onto it would replace it (a `>> log` would lose the log), not write the stream.
        raise PtofixError(f"refusing to write the {what} to {path}{via}: a path through an open file "
                          f"descriptor would replace the file behind it{_stdout_hint(what)}")
    try:
        st: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise PtofixError(f"cannot write {what} {path}: {exc.strerror or exc}") from None
    if st is not None and stat.S_ISREG(st.st_mode):
        stream = _stream_behind(st)
        if stream:
            # (Reached through a link to /dev/stdout, `//dev/stdout`, or named outright.)
            raise PtofixError(f"refusing to write the {what} to {path}{via}: it is the file behind {stream}, "
                              f"which a new file would replace{_stdout_hint(what)}")
    if st is not None and not stat.S_ISREG(st.st_mode):
        hint = "; use -o - for stdout" if what == "output" else ""
        raise PtofixError(f"refusing to replace {path}{via}: it is {_kind(st.st_mode)}, and ptofix only "
                          f"replaces regular files{hint}")
    if os.path.basename(path) in ("", ".", ".."):
        # realpath drops a trailing '/' (or '/.'): `-o build/` would write a file named build where
        # open(2), and so every POSIX tool, refuses a name that can only be a directory.
        raise PtofixError(f"cannot write {what} {path}: Not a directory ({path} can only name a directory)")
    if st is not None:
        if not (st.st_mode & 0o222) or not os.access(real, os.W_OK):
            raise PtofixError(f"cannot write {what} {path}{via}: {_read_only_reason(real)}")
    directory = os.path.dirname(real) or "."
    try:
        dst = os.stat(directory)
    except FileNotFoundError:
        raise PtofixError(f"cannot write {what} {path}: directory {os.path.dirname(path) or directory} "
                          f"does not exist") from None
    except OSError as exc:
        raise PtofixError(f"cannot write {what} {path}: {exc.strerror or exc}") from None
    if not stat.S_ISDIR(dst.st_mode):
        raise PtofixError(f"cannot write {what} {path}: {directory} is not a directory")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise PtofixError(f"cannot write {what} {path}: directory {directory} is not writable")
    return Target(path, real, st)


def _read_only_reason(real: str) -> str:
    """Why a file cannot be written: its own mode, or the read-only file system it is on."""
    try:
        if os.statvfs(real).f_flag & os.ST_RDONLY:
            return "it is on a read-only file system"
    except (OSError, AttributeError):
        pass
    return "the file is read-only"


def _identity(target: Target) -> tuple:
    return (target.st.st_dev, target.st.st_ino) if target.st is not None else ("new", target.real)


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class _Item:
    __slots__ = ("target", "data", "what", "expected", "expected_absent")

    def __init__(self, target: Target, data: bytes, what: str, expected: bytes | None = None,
                 expected_absent: bool = False):
        self.target = target
        self.data = data
        self.what = what
        self.expected = expected        # -i, a merged sidecar: the bytes the file held when it was read
        self.expected_absent = expected_absent      # a merged sidecar that did not exist when looked for


LOCK_PATIENCE = 10.0      # seconds to wait for another process's lock on an -i file


class _locked_for_replacing:  # noqa: N801 - a `with` statement's helper
    """For an ``-i`` file: an exclusive flock(2) on the file from its last comparison to its
    replacement, so that of two ptofix runs replacing one file, the second compares with the first's
    result, never with what the first was about to replace. (Editors take no such lock: for them the
    comparison right before the rename is what there is.)"""

    def __init__(self, item: _Item):
        self._path = item.target.real if item.expected is not None else None
        self._fd = -1

    def __enter__(self) -> None:
        if self._path is None:
            return
        try:
            import fcntl  # (here: only an -i run locks; ~0.2 ms of every other run's start)
            self._fd = os.open(self._path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
        except (OSError, ImportError):
            return      # (no flock where it cannot be had: the comparison still runs)
        deadline = time.monotonic() + LOCK_PATIENCE
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(self._fd)
                    self._fd = -1
                    raise PtofixError(f"refusing to replace {self._path}: another process has held a lock on it "
                                      f"for {LOCK_PATIENCE:.0f} s; nothing was written") from None
                time.sleep(0.01)
            except OSError:
                return  # (a file system without flock)

    def __exit__(self, *exc: object) -> None:
        if self._fd >= 0:
            os.close(self._fd)


def _unchanged_since_read(item: _Item) -> None:
    """Refuse to replace a file (``-i``) whose bytes are no longer the ones the result was made
    from: an edit made meanwhile, or another ``run -i`` on it that finished first, would be lost.
    A file that was not there when looked for must still not be there."""
    path = item.target.real
    if item.expected_absent and os.path.lexists(path):
        raise PtofixError(f"refusing to replace {item.target.path}: it was created since ptofix looked for it "
                          f"(by another run, or by hand); nothing was written: run again")
    if item.expected is None:
        return
    try:
        # (Non-blocking, and a regular file only: a FIFO put in its place meanwhile is not waited on.)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise PtofixError(f"refusing to replace {item.target.path}: it is no longer a regular file; "
                                  "nothing was written")
            with os.fdopen(os.dup(fd), "rb") as handle:
                # (One byte more than expected is enough to tell a longer file.)
                now = handle.read(len(item.expected) + 1)
        finally:
            os.close(fd)
    except OSError as exc:
        raise PtofixError(f"cannot write {item.what} {item.target.path}: cannot read it again before "
                          f"replacing it: {exc.strerror or exc}; nothing was written") from None
    if now != item.expected:
        raise PtofixError(f"refusing to replace {item.target.path}: it changed since ptofix read it (edited "
                          f"meanwhile, or another run wrote it); nothing was written: run again on the file "
                          f"as it is now")


def option_inputs(local_slot_ir: str | None, local_slot_sidecar: str | None, pto_lib: str | None) -> tuple[str, ...]:
    """The files the LocalSlotNum options name for reading (``OutputOptions.option_inputs``)."""
    named = [local_slot_ir, local_slot_sidecar, os.path.join(pto_lib, HEADER_RELPATH) if pto_lib else None]
    return tuple(path for path in named if path)


def read_by_this_run(options: OutputOptions | None = None) -> list[str]:
    """The files this command reads (also in its workers) besides its input files: those its
    options name (the command line's, its passes': Pass.input_files), known before any is read.
    No output may replace one of them."""
    return list(options.option_inputs if options else ())


def _identities(paths: Iterable[str]) -> dict[tuple, str]:
    """(device, inode) -> path of each existing file of ``paths`` (missing files left out; for stdin,
    ``-``, the regular file behind it, if it is one)."""
    found: dict[tuple, str] = {}
    for path in paths:
        if path in ("-", "<stdin>"):
            # Read from stdin: the file a shell opened for it (`< fa.cpp`) is the input.
            try:
                st = os.fstat(0)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                found[(st.st_dev, st.st_ino)] = "read from stdin"
            continue
        if path:
            try:
                st = os.stat(path)
            except OSError:
                continue
            found[(st.st_dev, st.st_ino)] = path
    return found


class Outputs:
    """The files one command writes: checked when added, written all or none by :meth:`commit`."""

    def __init__(self, inputs: Iterable[str] = (), others: Iterable[str] = (), dependencies: Iterable[str] = ()):
        """``inputs``: the file this command read (an output may be it only where the option says
        so, ``-i`` or ``-o`` onto it); ``others``: other input files of the same call, which no
        output may be (``-o DIR`` with a link in DIR to another input would overwrite its source);
        ``dependencies``: files the work read (headers, pto-isa files: the jobs' read records),
        which no output may be, not even an input's own ``-i``."""
        self.items: list[_Item] = []
        self._inputs = _identities(inputs)
        self._others = _identities(others)
        self._dependencies = _identities(dependencies)

    def add(self, path: str, data: str | bytes, what: str = "output", *, may_be_input: bool = False,
            expected: bytes | None = None, expected_absent: bool = False) -> Target:
        """Check ``path`` as an output of ``data``; with ``expected``, the file is replaced only if it
        still holds those bytes right before (``-i``: the bytes the result was computed from); with
        ``expected_absent``, only if there still is no file there."""
        target = check_output_path(path, what)
        if target.real == os.devnull:
            return target           # discarded (see check_output_path)
        key = _identity(target)
        for item in self.items:
            if _identity(item.target) == key:
                raise PtofixError(f"the {item.what} ({item.target.path}) and the {what} ({path}) are the same file")
        if key in self._dependencies:
            raise PtofixError(f"refusing to write the {what} to {path}: it is {self._dependencies[key]}, a file "
                              "this run read (a header, a pto-isa file); nothing was written")
        if not may_be_input and key in self._inputs:
            raise PtofixError(f"refusing to write the {what} to {path}: it is the input {self._inputs[key]}")
        if key in self._others and key not in self._inputs:
            raise PtofixError(f"refusing to write the {what} to {path}: it is {self._others[key]}, another input "
                              "file of this call")
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        self.items.append(_Item(target, data, what, expected, expected_absent))
        return target

    def absorb(self, other: Outputs) -> None:
        """Take ``other``'s checked files into this commit (one of several input files' outputs):
        two of them onto one file are refused."""
        for item in other.items:
            key = _identity(item.target)
            for mine in self.items:
                if _identity(mine.target) == key:
                    raise PtofixError(f"the {mine.what} ({mine.target.path}) and the {item.what} "
                                      f"({item.target.path}) are the same file; nothing was written")
            self.items.append(item)
        other.items = []

    def commit(self, streams: Callable[[], None] | None = None) -> None:
        """Stage every output next to its target, write ``streams`` (what goes to stdout and stderr,
        which are outputs too: a full disk behind stderr must not leave the files written while the
        command reports exit 2), then rename them all into place. A file is placed only when every
        output, streams included, could be written; ``-i`` files only when they are unchanged."""
        if not self.items:
            if streams is not None:
                streams()
            return
        umask = current_umask()
        staged: list[tuple[_Item, Target, str]] = []
        reader_gone: BrokenPipeError | None = None
        backups: dict[str, str] = {}
        placed: list[tuple[_Item, Target]] = []
        current: _Item | None = None
        try:
            for item in self.items:
                current = item
                target = check_output_path(item.target.path, item.what)   # again: time of use
                directory = os.path.dirname(target.real) or "."
                tmp = _create_temp(directory, ".ptofix-", ".tmp")
                staged.append((item, target, tmp))
                _write_synced(tmp, item.data, (target.st.st_mode & 0o7777) if target.st is not None
                              else (0o666 & ~umask))
            if len(staged) > 1:
                # Hard links of the files about to be replaced, so a failed rename can be undone.
                _link_backups([target for _item, target, _tmp in staged], backups)
            for item, _target, _tmp in staged:
                _unchanged_since_read(item)
            _warn_about_hard_links(target for _item, target, _tmp in staged)
            if streams is not None:
                try:
                    streams()
                except BrokenPipeError as exc:
                    # The reader of stdout went away (`| head`): it chose to stop reading, which is
                    # no failed output (the command ends quietly); the files are still placed.
                    reader_gone = exc
                except StreamError as failed:
                    # (No file is renamed into place: the call's error must not leave them written.)
                    raise StreamError(f"{failed}; nothing was written") from None
            for item, target, tmp in staged:
                current = item
                with _locked_for_replacing(item):
                    _unchanged_since_read(item)       # again, as late as can be
                    if item.expected_absent:
                        _place_new(tmp, target, item)
                    else:
                        os.replace(tmp, target.real)
                placed.append((item, target))
        except (OSError, PtofixError) as exc:
            for _item, target in reversed(placed):
                try:
                    if target.real in backups:
                        os.replace(backups.pop(target.real), target.real)
                    elif target.st is None:
                        os.unlink(target.real)
                except OSError:
                    pass
            if isinstance(exc, PtofixError):
                raise
            what = f"{current.what} {current.target.path}" if current else "output"
            raise PtofixError(f"cannot write {what}: {exc.strerror or exc}; nothing was written") from None
        finally:
            _unlink_quietly([tmp for _item, _target, tmp in staged if os.path.lexists(tmp)])
            _unlink_quietly(list(backups.values()))
        self.items = []
        if reader_gone is not None:
            raise reader_gone


def _place_new(tmp: str, target: Target, item: _Item) -> None:
    """Put ``tmp`` at ``target`` only if no file is there: a link(2) never replaces one (where the
    file system has no hard links, the check just made before the rename is what there is)."""
    try:
        os.link(tmp, target.real)
    except FileExistsError:
        raise PtofixError(f"refusing to replace {item.target.path}: it was created since ptofix looked for it "
                          f"(by another run, or by hand); nothing was written: run again") from None
    except OSError:
        os.replace(tmp, target.real)
        return
    os.unlink(tmp)


def _warn_about_hard_links(targets: Iterable[Target]) -> None:
    """Written before the files are replaced (stderr is an output like them: see commit)."""
    for target in targets:
        if target.st is not None and target.st.st_nlink > 1:
            # A new file takes the name (atomic replacement): the file's other names, hard links
            # to the old one, keep the old content, as with `sed -i`.
            others = target.st.st_nlink - 1
            write_stderr(f"{target.path}: warning: replaced by a new file; its {others} other hard "
                         f"link{'s' if others > 1 else ''} still hold{'' if others > 1 else 's'} the old content\n")


def _token() -> str:
    # 12 random hex digits, as secrets.token_hex(6) gives (secrets imports hmac, hashlib and
    # random: ~5 ms of every run's start-up).
    return os.urandom(6).hex()


def _create_temp(directory: str, prefix: str, suffix: str) -> str:
    for _ in range(100):
        path = os.path.join(directory, f"{prefix}{_token()}{suffix}")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        os.close(fd)
        return path
    raise FileExistsError(f"no free temporary name in {directory}")


def write_atomically(path: str, text: str | bytes, what: str = "output", dependencies: Iterable[str] = ()) -> None:
    """One output file, with the checks and atomic replacement of :class:`Outputs` (``dependencies``:
    files the work read, which it may not be)."""
    outputs = Outputs(dependencies=dependencies)
    outputs.add(path, text, what, may_be_input=True)
    outputs.commit()


# ---- diffs ---------------------------------------------------------------------------------------
def _lines(text: str) -> list[str]:
    """Lines split at '\\n' only (what diff and git see; CR, FF, U+2028 are ordinary characters)."""
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def diff_path(path: str) -> str:
    """The file name in diff headers: relative to the current directory when it is below it."""
    if path == "<stdin>":
        return path
    absolute = os.path.abspath(path)
    rel = os.path.relpath(absolute)
    if rel != ".." and not rel.startswith(".." + os.sep):
        return rel
    return absolute.lstrip(os.sep)   # outside the current directory: apply with `git apply --directory=/`


# git's C-style escapes for a file name in a diff header (quote.c, core.quotePath on, its default).
_HEADER_ESCAPES = {0x07: "\\a", 0x08: "\\b", 0x09: "\\t", 0x0a: "\\n", 0x0b: "\\v", 0x0c: "\\f", 0x0d: "\\r",
                   0x22: '\\"', 0x5c: "\\\\"}


def diff_header_name(name: str) -> str:
    """``name`` as git writes it in a ---/+++ header: as is when every byte is printable ASCII other
    than '"' and '\\', else in double quotes with C-style escapes (a TAB would end the name, a
    newline the header). A name with a space gets a trailing TAB, as git writes it, so that
    patch tools do not read the part after the space as a timestamp."""
    raw = os.fsencode(name)
    if all(0x20 <= byte < 0x7f and byte not in (0x22, 0x5c) for byte in raw):
        return name + "\t" if " " in name else name
    quoted = "".join(_HEADER_ESCAPES.get(byte) or (chr(byte) if 0x20 <= byte < 0x7f else f"\\{byte:03o}")
                     for byte in raw)
    return f'"{quoted}"'


def unified_diff(old: str, new: str, path: str) -> str:
    """A unified diff with ``a/``/``b/`` prefixes (file names quoted as git quotes them) and
    "\\ No newline at end of file" markers."""
    import difflib
    if old == new:
        return ""
    name = diff_path(path)
    out: list[str] = []
    for line in difflib.unified_diff(_lines(old), _lines(new), fromfile=diff_header_name(f"a/{name}"),
                                     tofile=diff_header_name(f"b/{name}")):
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


# ---- results -------------------------------------------------------------------------------------
def stdout_carries_result(options: OutputOptions) -> bool:
    """True when the result (or --diff's diff) is written to stdout."""
    if options.check or options.in_place:
        return False
    return options.diff or options.output in (None, "-")


def _refuse_report_on_stdout_with_result() -> None:
    # Report and result on one stream could not be told apart (nor the result be used as is).
    raise PtofixError("--report-file -: stdout already carries the output; give the report a file name, "
                      "or leave out --report-file for stderr")


def check_output_options(options: OutputOptions, extra: Iterable[tuple[str | None, str]] = (),
                         delivers_result: bool = True) -> None:
    """Check -o, --report-file and ``extra`` (path, what) before any work; creates nothing.

    ``delivers_result`` is False for a command that writes no result (``check`` without --fix)."""
    if options.in_place and "-" in options.files:
        raise PtofixError("-i needs a file, not stdin")     # before stdin is read: it may be empty
    check_html_report(options)
    paths: list[tuple[str | None, str]] = []
    if options.output not in (None, "-") and not options.check:
        paths.append((options.output, "output"))
    if options.report and options.report_file:
        if options.report_file != "-":
            paths.append((options.report_file, "report"))
        elif delivers_result and stdout_carries_result(options):
            _refuse_report_on_stdout_with_result()
    paths.extend(extra)
    for path, what in paths:
        if path is not None:
            check_output_path(path, what)


def check_html_report(options: OutputOptions) -> None:
    """An HTML report is a page to open: it goes to --report-file, never into a terminal."""
    if options.report == "html" and options.report_file in (None, "-"):
        raise PtofixError("--report html writes a page: give it a file, --report-file PAGE.html")


def report_body(options: OutputOptions, report: dict[str, Any], text_lines: list[str]) -> str | None:
    fmt = options.report
    if not fmt:
        return None
    if fmt == "json":
        return json_document([report])
    if fmt == "html":
        from .html_report import page  # (~3 ms of imports, only for --report html)
        return page([report])
    if fmt == "sarif":
        from .sarif import sarif_document  # (check's findings as a SARIF log)
        return sarif_document([report])
    path = report.get("file")
    lines = text_lines_for_file(text_lines, path) if isinstance(path, str) and path else text_lines
    return "".join(line + "\n" for line in lines)


def json_report_on_stderr(options: OutputOptions) -> bool:
    """Whether stderr carries a JSON report (it says which files change: no other lines are added)."""
    return options.report == "json" and not options.report_file


def _collected(options: OutputOptions, collected: Collected | None, report: dict[str, Any],
               text_lines: list[str]) -> bool:
    """One of several files: its report joins the call's one report (batch.py writes it)."""
    if collected is None or collected.reports is None or not options.report:
        return False
    collected.reports.append((report, text_lines))
    return True


def deliver(options: OutputOptions, source: SourceText, new_text: str, report: dict[str, Any] | None = None,
            text_lines: list[str] | None = None,
            extra: Iterable[tuple[str, str | bytes, str] | tuple[str, str | bytes, str, bytes | None]] = (),
            collected: Collected | None = None) -> int:
    """Deliver ``new_text`` (and the report, and ``extra`` files) as the options ask; the exit status.
    An ``extra`` file given with a fourth element, the bytes it held when it was read (None: there
    was none), is replaced only if it still holds them (a sidecar merged with what it held).

    Every file is written all or none, and only when stdout and stderr took their part too (they
    are written once the files are staged, before any is renamed into place); the report on stderr
    comes last (after the warnings the command printed before calling this). With ``collected``
    (batch.run_files'), the files and the report join the call's, written with them."""
    changed = new_text != source.text
    outputs = Outputs(inputs=[source.path], others=[*options.other_inputs, *read_by_this_run(options)],
                      dependencies=options.dependencies)
    stdout_text: str | None = None
    if options.check:
        status = ExitStatus.CHANGED if changed else ExitStatus.OK
    elif options.diff:
        stdout_text = unified_diff(source.text, new_text, source.path)
        status = ExitStatus.OK
    elif options.in_place:
        if source.path == "<stdin>":
            raise PtofixError("-i needs a file, not stdin")
        target = check_output_path(source.path, "input file (-i)")
        if changed:
            outputs.add(target.path, new_text, "input file (-i)", may_be_input=True,
                        expected=source.text.encode("utf-8", "surrogateescape"))
        status = ExitStatus.OK
    elif options.output and options.output != "-":
        outputs.add(options.output, new_text, "output", may_be_input=True)
        status = ExitStatus.OK
    else:
        stdout_text = new_text
        status = ExitStatus.OK
    for file in extra:
        if len(file) == 4:
            was = file[3]
            outputs.add(file[0], file[1], file[2], expected=was, expected_absent=was is None)
        else:
            outputs.add(file[0], file[1], file[2])
    if report is not None and _collected(options, collected, report, text_lines or []):
        report = None
    body = report_body(options, report or {}, text_lines or []) if report is not None else None
    to_stderr = None
    stdout_what = "output"
    if body is not None:
        if options.report_file == "-":
            if stdout_text is not None:
                _refuse_report_on_stdout_with_result()
            stdout_text = body
            stdout_what = "report"
        elif options.report_file:
            outputs.add(options.report_file, body, "report")
        else:
            to_stderr = body

    def streams() -> None:
        if stdout_text:
            write_stdout(stdout_text, stdout_what)
        if to_stderr is not None:
            write_stderr(to_stderr)
        if options.check and changed and not json_report_on_stderr(options):
            # (As ruff and black do: a CI log says which file to fix, not just that one would change.)
            write_stderr(f"{source.path}: would change\n")

    if collected is not None and outputs.items:
        collected.outputs.append((outputs, streams))     # (committed with the call's other files)
    else:
        outputs.commit(streams)
    return status


def emit_report(options: OutputOptions, report: dict[str, Any], text_lines: list[str],
                inputs: Iterable[str] = (), collected: Collected | None = None) -> None:
    """Write the report ``--report`` asks for (to ``--report-file`` or stderr) when no text is
    delivered; a report file that is one of ``inputs`` is refused (exit 2, nothing written)."""
    if _collected(options, collected, report, text_lines):
        return
    body = report_body(options, report, text_lines)
    if body is None:
        return
    if options.report_file == "-":
        write_stdout(body, "report")
    elif options.report_file:
        outputs = Outputs(inputs, others=read_by_this_run(options), dependencies=options.dependencies)
        outputs.add(options.report_file, body, "report")
        outputs.commit()
    else:
        write_stderr(body)


def _write_synced(path: str, data: bytes, mode: int) -> None:
    """Write ``data`` over the file ``path``, give it ``mode`` and flush it to the disk."""
    fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fchmod(fd, mode)
        os.fsync(fd)
    finally:
        os.close(fd)


def _link_backups(targets: list[Target], backups: dict[str, str]) -> None:
    """A hard link of each existing target beside it, recorded in ``backups`` (real path -> link):
    a failed rename can then be undone. A target that cannot be linked has none."""
    for target in targets:
        if target.st is not None:
            backup = os.path.join(os.path.dirname(target.real), f".ptofix-bak-{_token()}")
            try:
                os.link(target.real, backup)
                backups[target.real] = backup
            except OSError:
                pass


def _unlink_quietly(paths: list[str]) -> None:
    for path in paths:
        try:
            os.unlink(path)
        except OSError:
            pass
