"""The output directory: the artefact paths of a stem, the depfile's text, and the checks, the
lock and the cleanup that keep one build's artefacts from mixing with another's or replacing a
file the build reads."""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from typing import Any

try:
    import fcntl
except ImportError:      # pragma: no cover - no flock on this platform: builds run unguarded
    fcntl = None  # type: ignore[assignment]

from ..output import check_output_path, write_atomically
from ..reports import document, json_text
from ..side_files import Unreadable, load_json, read_side_file
from ..sidecar import SUFFIX as SIDECAR_SUFFIX
from ..source import PtofixError, SourceText


@dataclass
class Artefacts:
    out_dir: str
    stem: str

    def path(self, suffix: str) -> str:
        return os.path.join(self.out_dir, self.stem + suffix)

    @property
    def canon(self) -> str:
        return self.path(".canon.mlir")

    @property
    def sidecar(self) -> str:
        return self.path(SIDECAR_SUFFIX)

    @property
    def cpp(self) -> str:
        return self.path(".cpp")

    @property
    def fixed(self) -> str:
        return self.path(".fixed.cpp")

    @property
    def report(self) -> str:
        return self.path(".report.json")

    @property
    def lib(self) -> str:
        return self.path(".so")

    @property
    def obj(self) -> str:
        """The fixed kernel compiled on its own (no caller)."""
        return self.path(".o")

    def all(self) -> list[str]:
        return [self.canon, self.sidecar, self.cpp, self.fixed, self.report, self.lib, self.obj]


def stem_of(path: str) -> str:
    name = os.path.basename(path)
    for suffix in (".mlir", ".pto"):
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[:-len(suffix)]
    return name


# An earlier build's report is read only up to these bounds (a build writes a few hundred KB, a
# handful of levels deep): a larger or deeper one claims nothing.
MAX_REPORT_BYTES = 64 * 1024 * 1024
MAX_REPORT_DEPTH = 64
_DEPFILE_UNREADABLE = frozenset("\\=;|&'\"?*<>^`[]")


def depfile_text(targets: list[str], deps: list[str]) -> str:
    """``target...: dep...`` as Make and Ninja (`deps = gcc`) both read it: ' ', '#' and ':'
    escaped with a backslash, '$' doubled. A path the two cannot both read as written (a line
    break, a ':' that ends it, a character either reads otherwise) is an error."""
    def escape(path: str, target: bool = False) -> str:
        if "\n" in path or "\r" in path or path.endswith(":"):
            what = "a line break" if "\n" in path or "\r" in path else "a ':' at its end"
            raise PtofixError(f"cannot write the depfile: {path!r} has {what}, which Make and Ninja cannot read "
                              "in a dependency file")
        odd = next((ch for ch in path if ch in _DEPFILE_UNREADABLE or ord(ch) < 32 or ord(ch) == 127
                    or ch == "%" and target), None)
        if odd is not None or path.startswith("~") or path.endswith(")"):
            # (Checked with GNU Make 4.3 and Ninja 1.11: a backslash has no escape both read alike,
            # '=' makes Make read an assignment, ';' '|' and a tab end Make's list, Ninja splits at
            # & ' " ? * < > ^, a backquote and control characters, a word ending in ')' names an
            # archive member and [ ] ? * are wildcards to Make, a '%' in a target makes a pattern
            # rule, a leading '~' is a home directory.)
            shown = odd if odd is not None else "~" if path.startswith("~") else ")"
            raise PtofixError(f"cannot write the depfile: {path!r} holds {shown!r}, which Make or Ninja reads "
                              "otherwise in a dependency file; rename the path or drop --depfile")
        return path.replace(" ", "\\ ").replace("#", "\\#").replace(":", "\\:").replace("$", "$$")
    return f"{' '.join(escape(path, True) for path in targets)}: {' '.join(map(escape, deps))}\n"


def report_text(report: dict[str, Any]) -> str:
    """OUT/STEM.report.json's text: the one shape of every ptofix JSON report (reports.document),
    ``{"version": N, "files": [<this build's report>]}``."""
    return json_text(document([report]))


def write_report(path: str, report: dict[str, Any], dependencies: tuple[str, ...] = ()) -> None:
    """The build report at ``path`` (``dependencies``: files the build read, which it may not be)."""
    write_atomically(path, report_text(report), "build report", dependencies)


def _build_of(report: object) -> object:
    """The build's own object in a report that was read: the one entry of ``files`` (a report of a
    ptofix before the one shape, version 1, is that object)."""
    if isinstance(report, dict) and isinstance(report.get("files"), list) and len(report["files"]) == 1:
        return report["files"][0]
    return report


def directory_entry(path: str) -> str:
    """The directory entry ``path`` names: its directory resolved, its last component kept (a
    symlink there is the entry the build removes, not its target)."""
    absolute = os.path.abspath(path)
    return os.path.join(os.path.realpath(os.path.dirname(absolute)), os.path.basename(absolute))


def _file_ids(path: str, *, follow: bool) -> set[tuple[int, int]]:
    ids = set()
    for stat_ in ((os.stat, os.lstat) if follow else (os.lstat,)):
        try:
            st = stat_(path)
        except (OSError, ValueError):
            continue
        ids.add((st.st_dev, st.st_ino))
    return ids


def refuse_outputs_over_inputs(art: Artefacts, depfile: str | None, inputs: list[tuple[str, str]]) -> None:
    """No file the build removes or writes (every artefact path, the depfile) is one it reads: a
    caller, --sidecar or --ir file named like an artefact would be deleted as a previous build's
    artefact, and a depfile named like an artefact would replace it after the build."""
    hint = {"build artefact": "choose another output directory (-o)", "depfile": "name another depfile"}
    outputs = [("build artefact", path) for path in art.all()]
    if depfile:
        outputs.append(("depfile", depfile))
    for what, path in outputs:
        entry, ids = directory_entry(path), _file_ids(path, follow=False)
        readers = inputs if what != "depfile" else inputs + [("a build artefact", artefact) for artefact in art.all()]
        for name, given in readers:
            if entry in (directory_entry(given), os.path.realpath(given)) or ids & _file_ids(given, follow=True):
                # Located at the file the user named (an empty text: it is not read).
                named = path if what == "depfile" and name == "a build artefact" else given
                raise PtofixError(f"refusing to write the {what} to {path}: it is {name}; {hint[what]}",
                                  SourceText("", named))


def check_output_dir(art: Artefacts, depfile: str | None = None) -> None:
    """OUT_DIR is (or can be created as) a writable directory, no artefact path in it is anything
    but a regular file, and the depfile can be written (its directory too is created if need
    be: it is often OUT_DIR itself). Creates nothing."""
    if depfile:
        depfile_dir = os.path.dirname(os.path.abspath(depfile)) if "\0" not in depfile else ""
        if depfile_dir and not os.path.lexists(depfile_dir):
            _check_creatable(depfile_dir, f"cannot write depfile {depfile}: cannot create directory "
                                          f"{os.path.dirname(depfile)}")
        else:
            check_output_path(depfile, "depfile")
    directory = art.out_dir
    if os.path.islink(directory) and not os.path.exists(directory):
        raise PtofixError(f"output directory {directory} is a symbolic link to {os.readlink(directory)}, "
                          "which does not exist")
    if os.path.exists(directory):
        if not os.path.isdir(directory):
            raise PtofixError(f"output directory {directory} exists and is not a directory")
        for path in art.all():
            check_output_path(path, "build artefact")
        lock = os.path.join(directory, f".{art.stem}.lock")
        if os.path.lexists(lock) and (os.path.islink(lock) or not os.path.isfile(lock)):
            raise PtofixError(f"cannot lock {lock}: not a regular file")
        return
    _check_creatable(directory, f"cannot create output directory {directory}")


def _check_creatable(directory: str, failure: str) -> None:
    """``directory`` (absent) can be created: its nearest existing parent is a writable directory."""
    parent = os.path.dirname(os.path.abspath(directory))
    while not os.path.exists(parent):
        if os.path.islink(parent):
            raise PtofixError(f"{failure}: {parent} is a symbolic link to {os.readlink(parent)}, which does not exist")
        up = os.path.dirname(parent)
        if up == parent:
            break
        parent = up
    if not os.path.isdir(parent):
        raise PtofixError(f"{failure}: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PtofixError(f"{failure}: {parent} is not writable")


def lock_stem(art: Artefacts, say, held: list[int]) -> None:
    """Take an exclusive lock on OUT_DIR/.STEM.lock, waiting for another build of the same stem
    into OUT_DIR to finish: two builds at once would remove and write each other's artefacts,
    leaving a report, a fixed C++ and a library from different builds. Its descriptor goes to
    ``held``; closing it releases the lock. (The file stays: removing it would let a third build
    lock a new file while one still runs.)"""
    if fcntl is None:        # pragma: no cover - no flock on this platform
        return
    path = os.path.join(art.out_dir, f".{art.stem}.lock")
    try:
        os.makedirs(art.out_dir, exist_ok=True)
        # 0o666 less the umask, as the artefacts get: in a group-shared directory every member's
        # build can open it; flock needs no write access, so a lock file of another user is
        # opened read-only.
        # (O_NOFOLLOW: a link planted there must not make the build create a file elsewhere.)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o666)
    except PermissionError:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
        except OSError as exc:
            raise PtofixError(f"cannot lock {path}: {exc.strerror or exc}") from None
    except OSError as exc:
        raise PtofixError(f"cannot lock {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise PtofixError(f"cannot lock {path}: not a regular file")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        say(f"waiting for another build of {art.stem} into {art.out_dir} to finish")
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError:
        pass                 # a file system without locks: build unguarded, as before
    held.append(fd)


def claimed_by_previous_build(art: Artefacts, problems: list[str] | None = None) -> set[str]:
    """The artefact paths an earlier build of this stem into OUT_DIR wrote or was about to write:
    those its report (which every build writes before its first artefact) claims. ``problems``
    gets why a report there claims nothing (it cannot be read, or is no report of this stem)."""
    # Read as the cache is (ptofix/side_files.py): a regular file of bounded size and nesting, or
    # none at all (a FIFO there is not waited on, deep JSON raises no RecursionError).
    why = ""
    report: object = None
    try:
        report = _build_of(load_json(read_side_file(art.report, limit=MAX_REPORT_BYTES),
                                     MAX_REPORT_DEPTH))
    except Unreadable as exc:
        why = "" if exc.missing else exc.reason
    except ValueError as exc:
        why = f"not JSON ptofix reads: {exc}"
    if not why and os.path.lexists(art.report) and not (isinstance(report, dict) and report.get("stem") == art.stem):
        why = f"not the report of a build of '{art.stem}'"
    if why or not isinstance(report, dict):
        if why and problems is not None:
            problems.append(why)
        return set()
    claims = report.get("claims")
    if not isinstance(claims, list):       # a report of a ptofix before claims: what it wrote
        artefacts = report.get("artefacts")
        claims = list(artefacts.values()) if isinstance(artefacts, dict) else []
    names = {os.path.basename(path) for path in claims if isinstance(path, str)}
    return {path for path in art.all() if os.path.basename(path) in names} | {art.report}


def prepare_output_dir(art: Artefacts, depfile: str | None = None, report: dict[str, Any] | None = None) -> None:
    """Create OUT_DIR and remove the previous build's artefacts and depfile (after the input was
    accepted): a failed build leaves none of them to contradict it. A file named like an artefact
    that no earlier build of this stem claims (`-o .` beside a hand-kept STEM.cpp) is not removed:
    the build stops. ``report`` is written first, claiming every artefact path."""
    problems: list[str] = []
    claimed = claimed_by_previous_build(art, problems)
    foreign = [path for path in art.all() if os.path.lexists(path) and path not in claimed]
    if foreign == [art.report] and problems:
        raise PtofixError(f"refusing to replace {art.report}: it is no report of an earlier ptofix build "
                          f"({problems[0]}); move it away or choose another output directory (-o)")
    if foreign:
        raise PtofixError(f"refusing to replace {foreign[0]}: no earlier ptofix build of '{art.stem}' wrote it "
                          f"({art.report} does not claim it); move it away or choose another output directory (-o)")
    try:
        os.makedirs(art.out_dir, exist_ok=True)
        if report is not None:
            # First (replacing the old report at once): it claims every artefact path, so a build
            # stopped while the old ones are removed leaves none unclaimed.
            write_report(art.report, report)
        for stale in art.all() + ([depfile] if depfile else []):
            if (report is None or stale != art.report) and os.path.lexists(stale):
                os.unlink(stale)
    except OSError as exc:
        raise PtofixError(f"cannot prepare output directory {art.out_dir}: {exc.strerror or exc}") from None

