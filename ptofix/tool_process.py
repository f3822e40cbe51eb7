"""Running an external tool (a compiler, ptoas, bisheng, a built program) as ptofix does everywhere:
in a process group of its own that is killed and reaped on every way out (an error, Ctrl-C,
SIGTERM, SIGHUP, a timeout; a guard process for SIGKILL), within an address-space bound, its
output read bounded. Shared by the build (prebuild/tools.py), perf and the trace; it imports
nothing above the output layer, so neither of them closes an import circle through the other."""
from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable

from .signals import die_with_parent, signals_held, unblock_signals
from .source import MAX_INPUT_BYTES


def kill_group(group: int, reap_leader: Callable[[], object], patience: float = 5.0) -> None:
    """SIGKILL every process of ``group`` and wait (up to ``patience`` s) until none is left: a
    process killed in a system call finishes that call first (a rename of the library it wrote).
    ``reap_leader`` reaps the group's leader once it is dead (a non-blocking wait): an unreaped
    zombie still counts as a member, and the group would never read as empty."""
    deadline = time.monotonic() + patience
    while True:
        try:
            os.killpg(group, signal.SIGKILL)
        except OSError:         # ProcessLookupError: the group is empty
            return
        reap_leader()
        if time.monotonic() > deadline:
            return
        time.sleep(0.01)


# The most a tool may print on either stream: ptofix reads no C++ larger than this (source.py), and
# a tool that prints without end must not fill the memory.
TOOL_OUTPUT_LIMIT = MAX_INPUT_BYTES


class ToolOutputTooLarge(Exception):
    def __init__(self, stream: str, limit: int):
        super().__init__(f"printed more than {limit >> 20} MiB on {stream}")
        self.stream = stream
        self.limit = limit


def guard_group(group: int) -> tuple[int, int] | None:
    """A process that kills ``group`` (the tool's) when ptofix ends without doing so itself, even by
    SIGKILL (no handler runs then; PR_SET_PDEATHSIG reaches the tool but not the children it
    started): forked, in a session of its own (a signal to ptofix's group does not take it along),
    it waits for the end of a pipe only ptofix writes. Returns (its pid, the pipe's write end) for
    :func:`dismiss_guard`, or None where it cannot run (then the tool is unguarded, as before)."""
    if sys.platform != "linux":
        return None
    try:
        open_max = max(os.sysconf("SC_OPEN_MAX"), 1 << 16)
    except (OSError, ValueError):
        open_max = 1 << 16
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:        # (the guard: only system calls from here, then _exit)
        try:
            os.setsid()
            for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(signum, signal.SIG_IGN)
            # Nothing of ptofix's kept open (the build lock, the tool's pipes), but the read end.
            os.closerange(0, read_end)
            os.closerange(read_end + 1, open_max)
            if os.read(read_end, 1) == b"":         # ptofix ended without dismissing the guard
                os.killpg(group, signal.SIGKILL)
        finally:
            os._exit(0)
    os.close(read_end)
    return pid, write_end


def dismiss_guard(guard: tuple[int, int] | None) -> None:
    if guard is None:
        return
    pid, write_end = guard
    try:
        os.write(write_end, b"d")
    except OSError:
        pass
    os.close(write_end)
    try:
        os.waitpid(pid, 0)
    except (ChildProcessError, InterruptedError):
        pass


def read_bounded(proc: subprocess.Popen, posix: bool, timeout: float | None) -> tuple[bytes, bytes]:
    """Everything ``proc`` prints on stdout and stderr until both end, at most TOOL_OUTPUT_LIMIT
    bytes each (past it: ToolOutputTooLarge). A tool that has exited while a process it left in its
    group still holds its output open: the stage is over once that one is gone too."""
    deadline = None if timeout is None else time.monotonic() + timeout
    assert proc.stdout is not None and proc.stderr is not None
    streams: dict[int, tuple[str, bytearray]] = {proc.stdout.fileno(): ("stdout", bytearray()),
                                                 proc.stderr.fileno(): ("stderr", bytearray())}
    with selectors.DefaultSelector() as selector:
        for fd in streams:
            selector.register(fd, selectors.EVENT_READ)
        next_check = time.monotonic() + 0.2
        while selector.get_map():
            for key, _events in selector.select(0.2):
                chunk = os.read(key.fd, 1 << 16)
                name, data = streams[key.fd]
                if not chunk:
                    selector.unregister(key.fd)
                    continue
                data += chunk
                if len(data) > TOOL_OUTPUT_LIMIT:
                    raise ToolOutputTooLarge(name, TOOL_OUTPUT_LIMIT)
            now = time.monotonic()
            if deadline is not None and now > deadline:
                raise subprocess.TimeoutExpired(proc.args, timeout or 0)
            if now >= next_check:
                next_check = now + 0.2
                if posix and proc.poll() is not None:
                    kill_group(proc.pid, proc.poll)
    # (Both streams ended; the tool may still run, having closed them: the deadline holds.)
    proc.wait(None if deadline is None else max(0.0, deadline - time.monotonic()))
    return bytes(streams[proc.stdout.fileno()][1]), bytes(streams[proc.stderr.fileno()][1])


def limited_child(memory_limit: int | None) -> Callable[[], None] | None:
    """What a child runs before its program (Popen's preexec_fn): on Linux, be killed when ptofix
    dies (signals.die_with_parent) and, with ``memory_limit``, get at most that many bytes of address
    space (RLIMIT_AS: an allocation past it fails, a compiler stops with "out of memory"); elsewhere
    nothing (None)."""
    if sys.platform != "linux":
        return unblock_signals if os.name == "posix" else None

    def prepare() -> None:
        unblock_signals()       # (started inside signals.signals_held)
        die_with_parent()
        if memory_limit is not None:
            import resource
            try:
                resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
            except (ValueError, OSError):     # (a lower hard limit already: it holds)
                pass
    return prepare


def run_as_group(argv: list[str], timeout: float | None = None, *, cwd: str | None = None,
                  memory_limit: int | None = None) -> subprocess.CompletedProcess:
    """Run ``argv`` to completion, capturing its output (bounded: see read_bounded), in a process
    group of its own: when the build is interrupted (Ctrl-C, SIGTERM, SIGHUP), the whole group is
    killed and reaped before the cleanup and the lock's release, so no compiler child (a driver's
    linker) outlives the build and writes into an output directory the next build already owns;
    a guard process does the same if ptofix is killed outright (SIGKILL). A ``timeout`` that
    expires does the same and raises subprocess.TimeoutExpired. ``cwd``: where it runs;
    ``memory_limit``: its address space in bytes (limited_child)."""
    posix = os.name == "posix"
    proc: subprocess.Popen | None = None
    guard = None
    try:
        with signals_held():        # (started and recorded before a signal is handled)
            # (stdin: nothing. A tool reading it would wait on ptofix's caller, or take input meant for
            # another program; and with descriptor 0 closed, the first file the tool opened would take it.)
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    start_new_session=posix, preexec_fn=limited_child(memory_limit), cwd=cwd)
            guard = guard_group(proc.pid) if posix else None
        try:
            out, err = read_bounded(proc, posix, timeout)
        finally:
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
        if posix:
            # A process the tool left behind in its group (a driver's child still writing) must not
            # outlive the stage either: the next stage, or the next build, owns the directory.
            kill_group(proc.pid, proc.poll)
    except BaseException:
        if proc is not None:
            if posix:
                kill_group(proc.pid, proc.poll)
            proc.kill()
            proc.wait()
        raise
    finally:
        dismiss_guard(guard)
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)
