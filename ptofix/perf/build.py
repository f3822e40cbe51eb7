"""Building a ptoas kernel against a pto-isa checkout's Perf-Sim (``LAUNCH_KERNEL`` of
``pto/costmodel/perf_sim/launch.hpp``), with every artefact cached by a key of its content.

bisheng compiles a ptoas kernel once per core type: the cube half with ``__DAV_CUBE__``, the
vector half with ``__DAV_VEC__`` (ptoas puts each half's body behind ``#if defined(...)``). Here
each half is one host translation unit compiled with that macro and ``__COSTMODEL``, the kernel
``#include``d into an unnamed namespace (its C-linkage names renamed per half, so the two halves
link into one program); a third unit holds ``main``, which runs ``LAUNCH_KERNEL`` on a function
that calls the cube half on sub-block 0 (Perf-Sim records the cube's pipes from sub-block 0 only)
and the vector half on every sub-block. Scalar arguments are read from the command line at run
time, so one binary serves every value.

Nothing is written into the checkout (read-only in CI) or the package: the checkout is copied to
the cache, where pto-isa's formula-parameter generators run, and objects and binaries are kept
there under a SHA-256 of everything that goes into them.

The cache is never an authority (docs/commands/perf.md, "The cache"): its directories are this
user's and 0700, every entry is checked for owner and mode and against the SHA-256 recorded when it
was built (the binary once more on the bytes that run), and one that fails is built again with a
note. Every child (compiler, link, generator, Perf-Sim run) runs in a process group of its own,
within the timeout and a memory limit, and is killed with its group on any exit, Ctrl-C and
SIGTERM included.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..output import write_stderr
from ..pto.header_words import MAX_CHECKOUT_BYTES
from ..pto.ops import struct_output_type
from ..side_files import Unreadable, cache_dir, cache_directory_problem, file_kind, ownership_problem, read_side_file
from ..signals import signals_held
from ..source import PtofixError, SourceText
from ..tool_process import dismiss_guard as _dismiss_guard
from ..tool_process import guard_group as _guard_group
from ..tool_process import kill_group as _kill_group
from ..tool_process import limited_child
from ..tool_process import run_as_group as _run_as_group
from . import MAX_BLOCK_DIM  # noqa: F401 - (re-exported: the bounds are read here)

LAUNCH_HEADER = "pto/costmodel/perf_sim/launch.hpp"
SHIM = Path(__file__).with_name("shim.hpp")
# As pto-isa's costmodel test projects compile (tests/costmodel/perf_sim_st/CMakeLists.txt at
# https://github.com/hw-native-sys/pto-isa/tree/f35e7f60): __COSTMODEL, A2/A3, stdint/stddef first.
BASE_FLAGS = ("-std=c++2b", "-D__COSTMODEL", "-D__NPU_ARCH__=2201", "-DPTO_COMM_NOT_SUPPORTED",
              "-include", "stdint.h", "-include", "stddef.h", "-fdiagnostics-plain-output", "-w")
SIDES = {"aic": ("-D__DAV_CUBE__", "-D__DAV_C220_CUBE__"), "aiv": ("-D__DAV_VEC__", "-D__DAV_C220_VEC__")}
BARRIER_MODELS = ("pto-isa", "restart")
RESTART_MACRO = "-DPTOFIX_PERF_BARRIER_RESTARTS_VECTOR_STREAM"
# Bumped when the generated sources change meaning (a cache key component).
GENERATOR_VERSION = "1"

# Bounds (docs/commands/perf.md, "Bounds"). Every compiler, link, generator and Perf-Sim run gets
# the --timeout (DEFAULT_TIMEOUT) and at most MEMORY_LIMIT bytes of address space (RLIMIT_AS, Linux):
# a half takes 0.36 GB of RSS in cc1plus against pto-isa f35e7f60.
DEFAULT_TIMEOUT = 600.0
MEMORY_LIMIT = 4 << 30
# The cache (cache dir's perf/): an entry not used for MAX_CACHE_AGE_DAYS is removed, and past
# MAX_CACHE_BYTES the least recently used ones are, at the start of every run. A kernel's objects
# and binary take about 2 MB, a checkout copy 6 MB.
MAX_CACHE_BYTES = 1 << 30
MAX_CACHE_AGE_DAYS = 30
# A partial file or staging directory older than this was left by a run that was killed outright.
STALE_PARTIAL_SECONDS = 24 * 3600
# The most of a compiler's messages read (the first error is what is reported).
COMPILER_MESSAGES_LIMIT = 1 << 20


@dataclass(frozen=True)
class Toolchain:
    """The compiler, the prepared checkout copy and the cache: shared by every kernel of a run."""
    cxx: str
    cxx_identity: str        # `cxx --version`'s first line: part of every key
    include_dir: Path        # the checkout copy's include/ (formula headers generated)
    checkout_key: str
    cache_dir: Path
    barrier_model: str = "pto-isa"
    jobs: int = 2
    timeout: float = DEFAULT_TIMEOUT     # each compile and link (and Perf-Sim run: PerfOptions.timeout)


@dataclass(frozen=True)
class EntryCall:
    """The kernel entry Perf-Sim runs, and which of its parameters take a scalar from the command line."""
    name: str
    parameters: tuple[str, ...]          # names, in order
    pointers: tuple[bool, ...]           # pointer parameters get nullptr (Perf-Sim reads no GM)
    c_linkage: tuple[str, ...]           # the kernel's extern "C" names (renamed per half)
    types: tuple[str, ...] = ()          # each parameter's type name as written (int32_t, float, ...)
    places: tuple[str, ...] = ()         # each parameter's ``file:line:col``, for a diagnostic

    def aggregate(self, index: int) -> bool:
        """Whether parameter ``index`` is one of pto's structs an op stores into (pto.ops
        STRUCT_OUTPUT_TYPES: TMRGSORT's MrgSortExecutedNumList), which the run passes
        value-initialised (``T{}``: its counts 0, as the struct's own zero initialisation leaves them),
        taking no ``--arg``."""
        return index < len(self.types) and struct_output_type(self.types[index])

    def place(self, parameter: str, path: str) -> str:
        """Parameter ``parameter``'s ``file:line:col`` (``path`` if it is not known)."""
        if parameter in self.parameters and len(self.places) == len(self.parameters):
            return self.places[self.parameters.index(parameter)]
        return path


def default_cache_dir() -> Path:
    """``perf/`` in the directory of ptofix's other caches (side_files.cache_dir: an absolute path;
    ``$TMPDIR/ptofix-UID`` without a home)."""
    return Path(cache_dir()) / "perf"


def _note(text: str) -> None:
    write_stderr(f"ptofix: note: {text}\n")


# ---- the cache: private directories, entries verified before use ------------------------------------------------
# The cache is an optimisation, never an authority (as the header-word and regex caches,
# side_files.cache_directory_problem): perf runs a binary from it, so each of its directories must
# be this user's and writable by no one else (made 0700), and each entry a regular file of this
# user's, writable by no one else, whose SHA-256 is the one recorded beside it (NAME.sha256) when it
# was built. An entry that fails is built again, with a note.

def private_directory(directory: Path) -> None:
    """Make ``directory`` (and its parents) if needed, mode 0700; refuse one another user owns or
    can write (exit 2: perf runs what it finds there)."""
    problem = cache_directory_problem(str(directory), create=True)
    if problem == "":
        raise PtofixError(f"cannot create the perf cache directory {directory} (--cache-dir)")
    if problem:
        raise PtofixError(f"{problem}: perf runs nothing built in a directory another user can write "
                          f"(name another with --cache-dir)")
    mode = stat.S_IMODE(os.lstat(directory).st_mode)
    if mode & 0o077:
        os.chmod(directory, 0o700)          # (this user's: readable by others is tightened too)


def _sidecar(entry: Path) -> Path:
    return entry.with_name(entry.name + ".sha256")


def _digest_open(fd: int) -> str:
    digest = hashlib.sha256()
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return digest.hexdigest()
        digest.update(chunk)


def entry_problem(entry: Path) -> str | None:
    """Why the cache entry ``entry`` must not be used (None: it may; '': there is none)."""
    try:
        fd = os.open(entry, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return ""
    except OSError as exc:          # (ELOOP: a symbolic link)
        return f"it cannot be opened ({exc.strerror or exc})"
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return f"it is {file_kind(st.st_mode)}"
        problem = ownership_problem(st)
        if problem:
            return problem
        if st.st_size == 0:
            return "it is empty"
        digest = _digest_open(fd)
    finally:
        os.close(fd)
    try:
        recorded = read_side_file(str(_sidecar(entry)), limit=256, private=True).decode("ascii", "replace").strip()
    except Unreadable as exc:
        return f"its recorded SHA-256 {_sidecar(entry).name}: {exc.reason}"
    if recorded != digest:
        return "its SHA-256 is not the one recorded when it was built"
    return None


def usable_entry(entry: Path) -> bool:
    """Whether ``entry`` is in the cache and passes every check (its time is then renewed: the
    pruning removes the least recently used); one that fails is removed, with a note."""
    problem = entry_problem(entry)
    if problem is None:
        try:
            os.utime(entry)
        except OSError:
            pass
        return True
    if problem:
        _note(f"the cached {entry} is not used ({problem}): it is built again")
        _remove(entry)
        _remove(_sidecar(entry))
    return False


def _remove(path: Path) -> None:
    """Remove an untrusted cache entry, whatever it is (a file, a link, a directory tree)."""
    try:
        if stat.S_ISDIR(os.lstat(path).st_mode):
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise PtofixError(f"cannot remove the untrusted cache entry {path}: {exc.strerror}") from None


def store_entry(partial: Path, entry: Path, mode: int) -> None:
    """Move the just built ``partial`` to ``entry``, its SHA-256 recorded first."""
    os.chmod(partial, mode)
    fd = os.open(partial, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        digest = _digest_open(fd)
    finally:
        os.close(fd)
    sidecar = _sidecar(entry)
    sidecar_partial = sidecar.with_name(sidecar.name + f".{os.getpid()}.tmp")
    try:
        fd = os.open(sidecar_partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            os.write(fd, (digest + "\n").encode("ascii"))
        finally:
            os.close(fd)
        os.replace(sidecar_partial, sidecar)
    finally:
        sidecar_partial.unlink(missing_ok=True)
    os.replace(partial, entry)


def prune_cache(cache: Path, keep: tuple[Path, ...] = (), *, max_bytes: int = MAX_CACHE_BYTES,
                max_age_days: float = MAX_CACHE_AGE_DAYS) -> None:
    """Remove what a run left half-done (older than STALE_PARTIAL_SECONDS), entries not used for
    ``max_age_days``, and past ``max_bytes`` the least recently used (``keep``: in use now)."""
    now = time.time()
    entries: list[tuple[float, int, Path]] = []
    for directory in (cache / "obj", cache / "bin"):
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        for name in names:
            path = directory / name
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if name.endswith(".tmp"):
                if now - st.st_mtime > STALE_PARTIAL_SECONDS:
                    path.unlink(missing_ok=True)
            elif not name.endswith(".sha256"):
                entries.append((st.st_mtime, st.st_size, path))
    try:
        names = os.listdir(cache)
    except OSError:
        names = []
    for name in names:
        path = cache / name
        if name.startswith(".pto-isa-"):
            try:
                if now - os.lstat(path).st_mtime > STALE_PARTIAL_SECONDS:
                    shutil.rmtree(path, ignore_errors=True)
            except OSError:
                pass
        elif name.startswith("pto-isa-") and path not in keep:
            try:
                used = os.lstat(path / "ready").st_mtime
            except OSError:
                continue
            entries.append((used, _tree_size(path), path))
    entries.sort()
    total = sum(size for _, size, _ in entries)
    for used, size, path in entries:
        if path in keep or (now - used <= max_age_days * 86400 and total <= max_bytes):
            continue
        if path.name.startswith("pto-isa-"):
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
            _sidecar(path).unlink(missing_ok=True)
        total -= size


def _tree_size(directory: Path) -> int:
    size = 0
    for root, _dirs, files in os.walk(directory):
        for name in files:
            try:
                size += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return size


def find_compiler(cxx: str | None) -> tuple[str, str]:
    """``--cxx``, else ``$CXX``, else ``g++``; its path and the first line of its ``--version``."""
    name = cxx or os.environ.get("CXX") or "g++"
    path = shutil.which(name)
    if path is None:
        raise PtofixError(f"no C++ compiler '{name}' (give --cxx or set $CXX; Perf-Sim builds need a "
                          f"C++23 host compiler such as g++ 12)")
    try:
        done = _run_as_group([path, "--version"], timeout=60, memory_limit=MEMORY_LIMIT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PtofixError(f"{path}: cannot run the C++ compiler: {exc}") from None
    lines = done.stdout.decode("utf-8", "replace").splitlines()
    return path, lines[0] if lines else path


def _inside(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def checkout_files(pto_isa: str) -> tuple[list[tuple[str, bytes]], list[str]]:
    """Every file of the checkout's include/ as (path relative to it, bytes), in a fixed order, read
    through the one bounded reader (side_files.read_side_file: regular files only, within the
    checkout), and the symbolic links not followed because they lead out of the checkout. A
    directory linked from inside it is followed once (a loop is not). A FIFO, a device or a socket
    is an error naming it (exit 2), and so is a tree past MAX_CHECKOUT_BYTES."""
    root = os.path.realpath(pto_isa)
    files: list[tuple[str, bytes]] = []
    left_out: list[str] = []
    total = 0

    def walk(directory: str, relative: str, seen: frozenset[str]) -> None:
        nonlocal total
        try:
            names = sorted(os.listdir(directory))
        except OSError as exc:
            raise PtofixError(f"--pto-isa {pto_isa}: cannot list {directory}: {exc.strerror or exc}") from None
        for name in names:
            path = os.path.join(directory, name)
            rel = f"{relative}/{name}" if relative else name
            real = os.path.realpath(path)
            if os.path.islink(path) and not _inside(real, root):
                # (named by the link's own text, which the key covers: its target may differ per
                # process, /proc/self/...)
                left_out.append(f"include/{rel} -> {os.readlink(path)}")
                continue
            try:
                st = os.stat(path)
            except OSError as exc:
                if os.path.islink(path):        # (a link to nothing, or to itself)
                    left_out.append(f"include/{rel} -> {os.readlink(path)} ({exc.strerror or exc})")
                    continue
                raise PtofixError(f"--pto-isa {pto_isa}: {path}: {exc.strerror or exc}") from None
            if stat.S_ISDIR(st.st_mode):
                if real in seen:
                    target = os.readlink(path) if os.path.islink(path) else real
                    left_out.append(f"include/{rel} -> {target} (back up the tree)")
                    continue
                walk(path, rel, seen | {real})
                continue
            try:
                data = read_side_file(path, within=root)
            except Unreadable as exc:
                raise PtofixError(f"--pto-isa {pto_isa}: {exc.path}: {exc.reason}") from None
            total += len(data)
            if total > MAX_CHECKOUT_BYTES:
                raise PtofixError(f"--pto-isa {pto_isa}: its include/ holds more than {MAX_CHECKOUT_BYTES >> 20} MiB "
                                  f"(not copied)")
            files.append((rel, data))

    include = os.path.join(pto_isa, "include")
    walk(include, "", frozenset({os.path.realpath(include)}))
    return files, left_out


def _files_key(files: list[tuple[str, bytes]], left_out: list[str]) -> str:
    digest = hashlib.sha256()
    for rel, data in files:
        digest.update(rel.encode("utf-8", "surrogateescape") + b"\0" + str(len(data)).encode() + b"\0" + data)
    for link in left_out:
        digest.update(b"\1" + link.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _copy_problem(copy: Path) -> str | None:
    """Why the prepared copy ``copy`` must not be used (None: it may): every directory and file in
    it this user's, writable by no one else, no link or special file, and its files' SHA-256 the
    one recorded in ``ready`` when it was made."""
    st = os.lstat(copy)
    if not stat.S_ISDIR(st.st_mode):
        return f"it is {'a symbolic link' if stat.S_ISLNK(st.st_mode) else file_kind(st.st_mode)}"
    problem = ownership_problem(st)
    if problem:
        return problem
    try:
        recorded = read_side_file(str(copy / "ready"), limit=256, private=True).decode("ascii", "replace").split()
    except Unreadable as exc:
        return f"ready: {exc.reason}"
    found = _copy_digest(copy / "include")
    if isinstance(found, tuple):
        return f"{found[0]}: {found[1]}"
    if recorded[1:2] != [found]:
        return "its files' SHA-256 is not the one recorded when it was made"
    return None


def _copy_digest(include: Path) -> str | tuple[str, str]:
    """The SHA-256 of the files under ``include`` (names and bytes), or (path, why not trusted)."""
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(include):
        dirs.sort()
        for name in [*dirs, *sorted(files)]:
            path = os.path.join(root, name)
            st = os.lstat(path)
            if stat.S_ISDIR(st.st_mode) and name in dirs:
                problem = ownership_problem(st)
            elif stat.S_ISREG(st.st_mode):
                problem = ownership_problem(st)
            else:
                problem = f"it is {'a symbolic link' if stat.S_ISLNK(st.st_mode) else file_kind(st.st_mode)}"
            if problem:
                return path, problem
            if name in dirs:
                continue
            digest.update(os.path.relpath(path, include).encode("utf-8", "surrogateescape") + b"\0")
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
            try:
                digest.update(_digest_open(fd).encode("ascii"))
            finally:
                os.close(fd)
    return digest.hexdigest()


def prepare_checkout(pto_isa: str, cache_dir: Path, timeout: float = DEFAULT_TIMEOUT) -> tuple[Path, str]:
    """The include/ of a copy of the checkout in the cache, with its formula headers generated
    (pto-isa's generators write beside themselves: the checkout may be read-only). The copy is
    keyed by every byte copied (checkout_files) and verified before use (_copy_problem)."""
    include = Path(pto_isa) / "include"
    if not (include / LAUNCH_HEADER).is_file():
        raise PtofixError(f"--pto-isa {pto_isa}: no include/{LAUNCH_HEADER} (a pto-isa checkout with "
                          f"Perf-Sim is needed, e.g. a clone of hw-native-sys/pto-isa at commit f35e7f60)")
    files, left_out = checkout_files(pto_isa)
    if left_out:
        shown = ", ".join(left_out[:3]) + (f" and {len(left_out) - 3} more" if len(left_out) > 3 else "")
        _note(f"--pto-isa {pto_isa}: {len(left_out)} symbolic link{'s' if len(left_out) > 1 else ''} leading out of "
              f"the checkout, back up its tree or nowhere not followed (not copied): {shown}")
    key = _files_key(files, left_out)
    cache_dir = Path(os.path.abspath(cache_dir))
    private_directory(cache_dir)
    target = cache_dir / f"pto-isa-{key[:20]}"
    problem = _copy_problem(target) if os.path.lexists(target) else ""
    if problem is None:
        os.utime(target / "ready")
        return target / "include", key
    if problem:
        _note(f"the cached checkout copy {target} is not used ({problem}): it is made again")
        _remove(target)
    staging = Path(tempfile.mkdtemp(prefix=".pto-isa-", dir=cache_dir))
    try:
        for rel, data in files:
            path = staging / "include" / rel
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
        for generator in sorted((staging / "include").glob("pto/costmodel/*/formula_costmodel/"
                                                             "gen_formula_params_header.py")):
            try:
                done = _run_as_group([sys.executable, str(generator)], timeout=timeout, cwd=str(generator.parent),
                                     memory_limit=MEMORY_LIMIT)
            except subprocess.TimeoutExpired:
                raise PtofixError(f"--pto-isa {pto_isa}: {generator.relative_to(staging)} did not finish within "
                                  f"{timeout:g} s (--timeout)") from None
            if done.returncode != 0:
                said = (done.stderr or done.stdout).decode("utf-8", "replace").strip()[-400:]
                raise PtofixError(f"--pto-isa {pto_isa}: {generator.relative_to(staging)} failed: {said}")
        found = _copy_digest(staging / "include")
        if isinstance(found, tuple):
            raise PtofixError(f"--pto-isa {pto_isa}: the generators left {found[0]}: {found[1]}")
        ready = staging / "ready"
        fd = os.open(ready, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            os.write(fd, f"{key}\n{found}\n".encode("ascii"))
        finally:
            os.close(fd)
        try:
            staging.rename(target)
        except OSError:          # another run prepared it first
            if _copy_problem(target) is not None:
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target / "include", key


# (Each word whole, the run after it one class: a prose comment saying `extern "C"` with no '(' after
# it is read in linear time, not split every way there is.)
EXTERN_C = re.compile(r'\bextern\s*"C"\s*(?:[A-Za-z_]\w*\b[\s*&]*)*?([A-Za-z_]\w*)\s*\(')


def entry_call(path: str, text: str, function: str | None) -> EntryCall:
    """The entry to run: ``function``, else the one ``__global__`` function of the file."""
    from ..cpp.parser import parse_cpp
    from ..input_kind import require
    source = SourceText(text, path)
    require(source, "cpp")      # (PTO IR is named as such, not a C++ tokenizer's error at its first '#')
    model = parse_cpp(source)
    if function is not None:
        found = [fn for fn in model.functions if fn.name == function]
        if not found:
            raise PtofixError(f"no function '{function}' is defined here", source, 0)
    else:
        found = [fn for fn in model.functions if fn.is_entry]
        if len(found) != 1:
            what = "no __global__ kernel entry" if not found else \
                f"{len(found)} __global__ entries ({', '.join(fn.name for fn in found)})"
            raise PtofixError(f"{what}: name the function to run with --function", source, 0)
    fn = found[0]
    names: list[str] = []
    pointers: list[bool] = []
    types: list[str] = []
    places: list[str] = []
    for index, param in enumerate(fn.parameters):
        if param.unread or param.declarator is None:
            raise PtofixError(f"cannot read parameter {index + 1} of '{fn.name}': {param.unread}",
                              source, param.span.start)
        names.append(param.name or f"#{index + 1}")
        pointers.append(bool(param.pointer) or param.reference)
        types.append(param.declarator.type.name)
        places.append(source.location(param.span.start))
    return EntryCall(fn.name, tuple(names), tuple(pointers), tuple(sorted(set(EXTERN_C.findall(text)))),
                     tuple(types), tuple(places))


KERNEL_COPY = "kernel.cpp"       # the kernel's text beside the unit (keys see the text, not where it lives)


def half_source(side: str, call: EntryCall, pointer: str = "nullptr") -> str:
    """The translation unit of one core type's half: the kernel in an unnamed namespace, and
    ``ptofix_perf_<side>()`` calling its entry with ``pointer`` (nullptr) for pointers, the command
    line's values for scalars (``ptofix_perf_argv``, in parameter order)."""
    renames = "".join(f"#define {name} ptofix_perf_{side}_{name}\n" for name in call.c_linkage)
    arguments = []
    scalar = 0
    for index, is_pointer in enumerate(call.pointers):
        if is_pointer:
            arguments.append(pointer)
        elif call.aggregate(index):
            arguments.append(f"std::tuple_element_t<{index}, Params>{{}}")
        else:
            arguments.append(f"ptofix_perf_value<std::tuple_element_t<{index}, Params>>(ptofix_perf_argv[{scalar}])")
            scalar += 1
    return (
        "// generated by ptofix perf: one core type's half of a kernel for Perf-Sim\n"
        "#include <pto/pto-inst.hpp>\n#include <cstdlib>\n#include <tuple>\n#include <type_traits>\n"
        f'#include "{SHIM.name}"\n{renames}'
        f'namespace {{\n#include "{KERNEL_COPY}"\n}}\n'
        "extern const char *const *ptofix_perf_argv;\n"
        "namespace {\n"
        "template <typename F> struct ptofix_perf_params;\n"
        "template <typename R, typename... A> struct ptofix_perf_params<R (*)(A...)>\n"
        "{\n    using type = std::tuple<A...>;\n};\n"
        "template <typename T> T ptofix_perf_value(const char *text)\n{\n"
        "    if constexpr (std::is_floating_point_v<T>) return static_cast<T>(std::strtod(text, nullptr));\n"
        "    else return static_cast<T>(std::strtoll(text, nullptr, 0));\n}\n}\n"
        f"void ptofix_perf_{side}()\n{{\n"
        f"    using Params = ptofix_perf_params<decltype(&{call.name})>::type;\n"
        f"    (void)sizeof(Params);\n    {call.name}({', '.join(arguments)});\n}}\n")


MAIN_SOURCE = """\
// generated by ptofix perf: runs both halves under Perf-Sim's LAUNCH_KERNEL
#include <pto/pto-inst.hpp>
#include <pto/costmodel/perf_sim/launch.hpp>
#include <cstdio>
#include <cstdlib>
const char *const *ptofix_perf_argv = nullptr;
void ptofix_perf_aic();
void ptofix_perf_aiv();
// Every sub-block runs both halves, as a kernel compiled with both macros does (pto-isa's own FA
// perf-sim test): Perf-Sim drops the cube pipes' records of sub-blocks > 0 (perf_sim/recorder.hpp),
// and its tile-dependency events are numbered per sub-block from 0, expecting each sub-block to
// have run the same instructions before (perf_sim/tile_dep_tracker.hpp).
static void ptofix_perf_kernel()
{
    ptofix_perf_aic();
    ptofix_perf_aiv();
}
int main(int argc, char **argv)
{
    if (argc < 2)
        return 64;
    ptofix_perf_argv = argv + 2;
    const uint32_t block_dim = static_cast<uint32_t>(std::strtoul(argv[1], nullptr, 10));
    LAUNCH_KERNEL(ptofix_perf_kernel, , (block_dim, nullptr, nullptr));
    // Entries the schedule never ran (a wait no signal meets): LAUNCH_KERNEL's report counts
    // them into its total all the same, so they are counted here, from a second run of the model.
    const auto report = ::pto::perf_sim::PerfSimReporter().Run("ptofix_perf_check");
    std::size_t stuck = 0;
    auto count = [&stuck](const auto &events) {
        for (const auto &event : events)
            stuck += event.stuck ? 1 : 0;
    };
    if (report.num_cores <= 1)
        count(report.timeline.events);
    else
        for (const auto &core : report.multi_timeline.per_core)
            count(core.events);
    std::printf("ptofix perf stuck entries: %zu\\n", stuck);
    return 0;
}
"""


@dataclass
class CompileJob:
    source: str
    flags: tuple[str, ...]
    output: Path
    kernel_text: str | None = None   # written beside the unit as KERNEL_COPY
    display: str = ""                # the kernel's name as the user gave it: diagnostics name it


def cache_key(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return digest.hexdigest()[:32]


def included_headers_key(path: str, text: str, include_dirs: tuple[str, ...]) -> str:
    """The names and bytes of the kernel's own headers, found as the compiler finds them (beside the
    kernel, then in ``include_dirs``; ptofix/cpp/headers.py, which reads no standard or pto header:
    the checkout's are in its key), transitively. A cached trace is of the headers it was built
    with, and so is a perf build: a kernel whose header changed is another build (red-team red4:
    a trace of an includer kept the object of the header before `run` removed its barrier, and
    found no race). A header that cannot be summarised stops the reading there; its reason is in
    the key."""
    from ..cpp.headers import read_includes
    from ..cpp.parser import parse_cpp
    parts = []
    for summary in read_includes(parse_cpp(SourceText(text, path)), include_dirs).values():
        parts.append("\1" + summary.unknown)
        for header in summary.paths:
            try:
                data = read_side_file(header)
            except Unreadable as exc:
                parts.append(f"\2{header}\0{exc.reason}")
                continue
            parts.append(f"\3{header}\0{len(data)}\0" + data.decode("utf-8", "surrogateescape"))
    return cache_key(*parts) if parts else ""


@dataclass
class KernelBuild:
    jobs: list[CompileJob]           # what is not cached yet
    objects: list[Path]
    binary: Path


def plan_kernel(tools: Toolchain, display: str, text: str, call: EntryCall) -> KernelBuild:
    """The compile jobs a kernel still needs (none when cached), its objects and its binary."""
    # A kernel's own quoted includes (other than pto-isa's) are looked up beside the original.
    local = [f"-iquote{Path(display).resolve().parent}"] if _LOCAL_INCLUDE.search(text) else []
    restart = (RESTART_MACRO,) if tools.barrier_model == "restart" else ()
    common: tuple[str, ...] = (*BASE_FLAGS, f"-I{tools.include_dir}", f"-I{tools.include_dir / 'pto/costmodel/stubs'}",
                               f"-I{SHIM.parent}", *restart, *local)
    shim = SHIM.read_text(encoding="utf-8")
    # The kernel's own headers (found beside it: -iquote) are part of what each half compiles.
    headers = included_headers_key(display, text, ()) if local else ""
    jobs = []
    objects = []
    for side, macros in SIDES.items():
        source = half_source(side, call)
        flags = (*common, *macros)
        key = cache_key(GENERATOR_VERSION, tools.cxx_identity, tools.checkout_key, shim, source, text, *flags,
                        headers)
        output = tools.cache_dir / "obj" / f"{side}-{key}.o"
        objects.append(output)
        if not usable_entry(output):
            jobs.append(CompileJob(source, flags, output, text, display))
    main_flags = (*BASE_FLAGS, f"-I{tools.include_dir}", f"-I{tools.include_dir / 'pto/costmodel/stubs'}")
    main_key = cache_key(GENERATOR_VERSION, tools.cxx_identity, tools.checkout_key, MAIN_SOURCE, *main_flags)
    main_object = tools.cache_dir / "obj" / f"main-{main_key}.o"
    objects.append(main_object)
    if not usable_entry(main_object):
        jobs.append(CompileJob(MAIN_SOURCE, main_flags, main_object))
    binary = tools.cache_dir / "bin" / f"perf-{cache_key(*(o.name for o in objects))}"
    return KernelBuild(jobs, objects, binary)


@dataclass
class _Compile:
    """A compiler running: in a process group of its own (guarded: killed with ptofix even on
    SIGKILL), its messages in a file of its scratch directory, its object written to ``partial``."""
    job: CompileJob
    process: subprocess.Popen
    partial: Path
    work: Path
    deadline: float
    guard: tuple[int, int] | None

    def end(self) -> None:
        """Kill what is left of its group, remove its partial object and its scratch directory."""
        if os.name == "posix":
            _kill_group(self.process.pid, self.process.poll)
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        _dismiss_guard(self.guard)
        self.guard = None
        self.partial.unlink(missing_ok=True)
        shutil.rmtree(self.work, ignore_errors=True)

    def messages(self) -> str:
        try:
            with open(self.work / "messages", "rb") as stream:
                return stream.read(COMPILER_MESSAGES_LIMIT).decode("utf-8", "replace")
        except OSError:
            return ""


def _start(tools: Toolchain, job: CompileJob, running: list[_Compile]) -> None:
    """Start ``job``'s compiler, recorded in ``running`` before any signal is handled (the cleanup
    of compile_all ends what is there)."""
    private_directory(job.output.parent)
    work = Path(tempfile.mkdtemp(prefix="ptofix-perf-"))
    try:
        source = work / "unit.cpp"
        source.write_text(job.source, encoding="utf-8")
        if job.kernel_text is not None:
            (work / KERNEL_COPY).write_text(job.kernel_text, encoding="utf-8")
        partial = job.output.with_name(job.output.name + f".{os.getpid()}.tmp")
        # (-fmax-errors: the first error is reported; a cascade is not kept. Not a key: it changes no object.)
        command = [tools.cxx, *job.flags, "-fmax-errors=20", "-c", str(source), "-o", str(partial)]
        posix = os.name == "posix"
        with open(work / "messages", "wb") as messages, signals_held():
            # LC_ALL=C: the compiler's messages in ASCII quotes, the same on every machine.
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=messages, stderr=subprocess.STDOUT,
                                       env={**os.environ, "LC_ALL": "C"}, start_new_session=posix,
                                       preexec_fn=limited_child(MEMORY_LIMIT))
            unit = _Compile(job, process, partial, work, time.monotonic() + tools.timeout, None)
            running.append(unit)
            unit.guard = _guard_group(process.pid) if posix else None
    except BaseException:
        if not running or running[-1].work != work:
            shutil.rmtree(work, ignore_errors=True)
        raise


def compile_all(tools: Toolchain, jobs: list[CompileJob]) -> dict[str, PtofixError]:
    """Run the jobs, ``tools.jobs`` at a time, each within ``tools.timeout``; the first failure of
    each kernel, by its display name. On any exit (an error, Ctrl-C, SIGTERM: KeyboardInterrupt)
    every compiler still running is killed with its group, and its partial object and scratch
    directory removed."""
    failures: dict[str, PtofixError] = {}
    pending = list(jobs)
    running: list[_Compile] = []
    try:
        while pending or running:
            while pending and len(running) < max(1, tools.jobs):
                job = pending.pop(0)
                if job.display in failures:
                    continue
                _start(tools, job, running)
            if not running:
                continue
            try:
                running[0].process.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            for unit in [c for c in running if c.process.poll() is not None or now > c.deadline]:
                running.remove(unit)
                late = unit.process.poll() is None
                output = unit.messages()
                status = unit.process.returncode
                if not late and status == 0 and unit.partial.is_file():
                    if os.name == "posix":
                        _kill_group(unit.process.pid, unit.process.poll)
                    store_entry(unit.partial, unit.job.output, 0o600)
                unit.end()
                if late or status != 0 or not unit.job.output.is_file():
                    failures.setdefault(unit.job.display or "<perf main>",
                                        _failure(tools, unit, output, late))
    finally:
        with signals_held():        # (a second Ctrl-C does not cut the cleanup short; it is handled after)
            for unit in running:
                unit.end()
    return failures


def _failure(tools: Toolchain, unit: _Compile, output: str, late: bool) -> PtofixError:
    display = unit.job.display
    if late:
        return PtofixError(f"{display or 'ptofix perf'}: error: cannot build for Perf-Sim: the compiler did not "
                           f"finish within {tools.timeout:g} s (--timeout; a kernel that #includes a FIFO or a "
                           f"device waits on it)", plain=True)
    status = unit.process.returncode
    if status is not None and status < 0 and not output.strip():
        return PtofixError(f"{display or 'ptofix perf'}: error: cannot build for Perf-Sim: the compiler was killed "
                           f"by signal {-status} (memory limit {MEMORY_LIMIT >> 30} GiB?)", plain=True)
    copy = unit.work / KERNEL_COPY if unit.job.kernel_text is not None else None
    return compile_error(display, output, copy)


def link(tools: Toolchain, binary: Path, objects: list[Path]) -> None:
    """Link the objects into ``binary`` unless it is cached (and passes every check)."""
    if usable_entry(binary):
        return
    private_directory(binary.parent)
    partial = binary.with_name(binary.name + f".{os.getpid()}.tmp")
    try:
        try:
            done = _run_as_group([tools.cxx, *map(str, objects), "-o", str(partial)], timeout=tools.timeout,
                                 memory_limit=MEMORY_LIMIT)
        except subprocess.TimeoutExpired:
            raise PtofixError(f"cannot link the Perf-Sim program within {tools.timeout:g} s (--timeout)") from None
        if done.returncode != 0:
            said = (done.stderr + done.stdout).decode("utf-8", "replace")
            first = next((line for line in said.splitlines() if line.strip()), "")
            raise PtofixError(f"cannot link the Perf-Sim program: {first.strip()}")
        store_entry(partial, binary, 0o700)
    finally:
        partial.unlink(missing_ok=True)


def verified_copy(binary: Path, copy: Path) -> None:
    """Copy the cached ``binary`` to ``copy`` (mode 0700), checking on the bytes copied that they
    are the ones recorded when it was built: the copy is what runs, so nothing can change between
    the check and the exec."""
    problem = entry_problem(binary)
    if problem is None:
        recorded = read_side_file(str(_sidecar(binary)), limit=256, private=True).decode("ascii", "replace").strip()
        digest = hashlib.sha256()
        source = os.open(binary, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            target = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o700)
            try:
                while True:
                    chunk = os.read(source, 1 << 20)
                    if not chunk:
                        break
                    digest.update(chunk)
                    view = memoryview(chunk)
                    while view:
                        view = view[os.write(target, view):]
            finally:
                os.close(target)
        finally:
            os.close(source)
        if digest.hexdigest() == recorded:
            return
        problem = "its SHA-256 is not the one recorded when it was built"
    raise PtofixError(f"the cached Perf-Sim program {binary} changed after it was checked ({problem or 'it is gone'}): "
                      f"not run")


_LOCAL_INCLUDE = re.compile(r'^\s*#\s*include\s*"(?!pto/)', re.MULTILINE)
_DIAGNOSTIC = re.compile(r"^(.*?):(\d+):(\d+): (?:fatal )?error: (.*)$")
_CONTEXT = re.compile(r"^(.*?):(\d+):(\d+):\s+(?:required from here|required from|in expansion of)")


def compile_error(display: str, output: str, kernel: Path | None) -> PtofixError:
    """The compiler's first error as a ``file:line:col: error:`` of the kernel: at the error itself
    when it is in the kernel, else at the kernel line that led there (an instantiation's ``required
    from here``), naming the header line; else unlocated with the compiler's words."""
    lines = output.splitlines()
    for at, line in enumerate(lines):
        found = _DIAGNOSTIC.match(line)
        if not found:
            continue
        path, row, column, message = found.groups()
        if kernel is not None and _same_file(path, kernel):
            return _located(display, int(row), int(column), f"cannot build for Perf-Sim: {message}")
        if kernel is not None:
            for before in reversed(lines[:at]):
                context = _CONTEXT.match(before)
                if context and _same_file(context.group(1), kernel):
                    where = f"{Path(path).name}:{row}"
                    return _located(display, int(context.group(2)), int(context.group(3)),
                                    f"cannot build for Perf-Sim: {message} (in {where})")
        return PtofixError(f"{display or 'ptofix perf'}: error: cannot build for Perf-Sim: "
                           f"{Path(path).name}:{row}:{column}: {message}", plain=True)
    tail = " ".join(line.strip() for line in lines[-3:]) or "the compiler failed without a message"
    return PtofixError(f"{display or 'ptofix perf'}: error: cannot build for Perf-Sim: {tail}", plain=True)


def _same_file(path: str, kernel: Path) -> bool:
    try:
        return Path(path).resolve() == kernel
    except OSError:
        return False


def _located(display: str, row: int, column: int, message: str) -> PtofixError:
    return PtofixError(f"{display}:{row}:{column}: error: {message}", plain=True)

