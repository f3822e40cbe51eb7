"""The tools a build runs, ptoas and bisheng: finding them, asking ptoas its version, their
command lines, and running them in a process group of their own with bounded output."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
from dataclasses import dataclass
from typing import Any, Literal

from ..ir.versions import VERSIONS, Version, resolve
from ..output import write_atomically, write_stderr, write_stdout
from ..source import PtofixError
from ..tool_process import ToolOutputTooLarge, run_as_group
from .config import CONFIG_NAME
from .settings import BuildSettings


class StageFailed(Exception):
    """A tool stage exited non-zero; ``status`` is the exit status the build returns."""

    def __init__(self, stage: str, status: int):
        super().__init__(stage)
        self.stage = stage
        self.status = status


def resolve_tool(tool: Literal["ptoas", "bisheng"], settings: BuildSettings) -> tuple[str, str | None]:
    """(path to run, error message or None). The message names the variable to set."""
    var = BuildSettings.environment_variables()[tool]
    value = getattr(settings, tool) or tool
    origin = settings.origin(tool) if getattr(settings, tool) else "default"
    how = f"set {var}=/path/to/{tool}, pass --{tool} PATH, or put {tool} = \"PATH\" in {CONFIG_NAME}"
    if os.sep in value:
        if not os.path.exists(value):
            return value, f"{tool} not found: {value} (from {origin}) does not exist; {how}"
        if os.path.isdir(value) or not os.access(value, os.X_OK):
            return value, f"{tool} at {value} (from {origin}) is not an executable file; {how}"
        return value, None
    found = shutil.which(value)
    if found is None:
        return value, f"{tool} not found: '{value}' (from {origin}) is not on PATH; {how}"
    return found, None


@dataclass
class DetectedVersion:
    """What ``ptoas --version`` said and the version ptofix canonicalizes for."""

    name: str | None         # ptofix's version name (None: the tool cannot tell)
    printed: str             # what the tool printed (first line)
    number: str | None       # the version number in it ("0.40", "2026-05-01")
    exact: bool              # the number is a version ptofix knows by that number
    problem: str = ""        # why there is no name

    def note(self, tool: str) -> str:
        if self.exact:
            return f"target ptoas {self.name} (from '{tool} --version': {self.printed!r})"
        known = resolve(self.name) if self.name else None
        label = self.name if known is None or known.number is None or str(self.name).startswith("v") \
            else f"{self.name} (v{known.number[0]}.{known.number[1]})"
        return (f"target ptoas {self.name}: '{tool} --version' says {self.number} ({self.printed!r}), which "
                f"ptofix does not know; using {label}, the nearest known version not after it")

    def origin(self, tool: str) -> str:
        how = "" if self.exact else f", mapped to the nearest known version not after {self.number}"
        return f"'{tool} --version' printed {self.printed!r}{how}"


def ptoas_version(ptoas: str) -> DetectedVersion:
    """The ptoas version from ``ptoas --version`` (``ptoas 0.45``, ``ptoas version 0.45.1``, a date).

    A number ptofix does not list maps to the newest version it knows that is not after it.
    """
    try:
        # (In a process group of its own, as the stages: a hanging probe leaves no process behind.)
        proc = run_as_group([ptoas, "--version"], timeout=30)
    except (OSError, ValueError, subprocess.TimeoutExpired, ToolOutputTooLarge) as exc:
        return DetectedVersion(None, "", None, False, f"'{ptoas} --version' cannot be run ({exc})")
    output = (proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")).strip()
    # A line naming ptoas first (an LLVM-based tool may also print "LLVM version 19.1.0").
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    output = "\n".join(sorted(lines, key=lambda ln: "ptoas" not in ln.lower()))
    printed = output.splitlines()[0] if output else ""
    if proc.returncode != 0:
        return DetectedVersion(None, printed, None, False,
                               f"'{ptoas} --version' failed (exit status {proc.returncode})")
    match = (re.search(r"\b(\d{4}-\d{2}-\d{2})\b", output)
             or re.search(r"\bv?(\d+\.\d+)(?:\.\d+)*\b", output))
    if match is None:
        return DetectedVersion(None, printed, None, False, f"'{ptoas} --version' prints no version number")
    number = match.group(1)
    line = next((ln.strip() for ln in output.splitlines() if number in ln), printed)
    try:
        version = resolve(number if "-" in number else "v" + number)
    except PtofixError:
        oldest = VERSIONS[0]
        if not _older_than(number, oldest):
            # (resolve reads a part of at most 9 digits: ``0.9999999999`` is not older than anything.)
            return DetectedVersion(None, line, number, False,
                                   f"'{ptoas} --version' says {number}, which ptofix cannot read as a version "
                                   "(a part of more than 9 digits)")
        shown = oldest.name if oldest.name == oldest.date else f"{oldest.name}, {oldest.date}"
        return DetectedVersion(None, line, number, False,
                               f"'{ptoas} --version' says {number}, older than every version ptofix knows "
                               f"(the oldest is {shown})")
    exact = number == version.date or ("-" not in number and version.number is not None
                                       and tuple(int(x) for x in number.split(".")[:2]) == version.number)
    return DetectedVersion(version.name, line, number, exact)


def _older_than(number: str, version: Version) -> bool:
    """Whether the version ``number`` ("0.40", "2026-05-01"; parts of any length: compared as
    digit strings, never through int()) is before ``version``."""
    if "-" in number:
        return number < version.date
    if version.number is None:
        return False

    def key(part: str) -> tuple[int, str]:
        digits = part.lstrip("0") or "0"
        return len(digits), digits
    return tuple(map(key, number.split(".")[:2])) < tuple(key(str(part)) for part in version.number)


def tool_operand(path: str) -> str:
    """``path`` as a tool's operand: a relative one that starts with '-' would read as an option."""
    return os.path.join(".", path) if path.startswith("-") else path


def ptoas_argv(ptoas: str, flags: list[str], canon: str) -> list[str]:
    return [ptoas, *flags, tool_operand(canon)]


def bisheng_argv(bisheng: str, pto_lib: str | None, flags: list[str], fixed: str, caller: str | None,
                 lib: str) -> list[str]:
    """The compile.sh command: -I$PTO_LIB_PATH/include FLAGS -DKERNEL_CPP="\"FIXED\"" CALLER -o LIB;
    without a caller, the fixed kernel alone: -I... FLAGS -c FIXED -o OBJ."""
    argv = [bisheng]
    if pto_lib:
        argv.append(f"-I{os.path.join(pto_lib, 'include')}")
    argv.extend(flags)
    if caller is None:
        argv.extend(["-c", tool_operand(fixed), "-o", tool_operand(lib)])
        return argv
    path = os.path.abspath(fixed)
    if '"' in path or "\n" in path or "\r" in path:
        # `#include KERNEL_CPP` reads the macro as a "..." header name, which has no escapes.
        raise PtofixError(f"the output directory's path {os.path.dirname(path)!r} holds a quote or a line break, "
                          "which -DKERNEL_CPP=\"...\" cannot name for the caller's #include; choose another "
                          "output directory (-o)")
    argv.append(f'-DKERNEL_CPP="{path}"')
    argv.extend([tool_operand(caller), "-o", tool_operand(lib)])
    return argv


def run_tool(stage: str, argv: list[str], stdout_path: str | None) -> dict[str, Any]:
    """Run one tool; its stderr (and stdout unless captured to a file) is passed through.

    Raises :class:`StageFailed` with the tool's exit status (128+N for signal N)."""
    try:
        proc = run_as_group(argv)
    except ToolOutputTooLarge as exc:
        raise PtofixError(f"{stage} ({argv[0]}) printed more than {exc.limit >> 20} MiB on {exc.stream}: stopped "
                          f"it (ptofix reads no C++ larger than that)") from None
    except OSError as exc:
        raise PtofixError(f"cannot run {stage} ({argv[0]}): {exc.strerror}") from None
    except ValueError as exc:        # an argument with a NUL character
        raise PtofixError(f"cannot run {stage} ({argv[0]}): {exc}") from None
    err = proc.stderr.decode("utf-8", "replace")
    out = proc.stdout.decode("utf-8", "replace")
    if err:
        write_stderr(err if err.endswith("\n") else err + "\n")
    status = proc.returncode
    record: dict[str, Any] = {"stage": stage, "command": argv, "exit_status": status,
                              "stderr": err[-4000:]}
    if status != 0:
        if out and stdout_path is None:
            write_stdout(out)
        code = 128 - status if status < 0 else status
        if status < 0:
            try:
                name = signal.Signals(-status).name
            except ValueError:
                name = f"signal {-status}"
            what = f"killed by {name}"
        else:
            what = f"exit status {status}"
        write_stderr(f"ptofix build: error: {stage} failed ({what}): {shlex.join(argv)}\n")
        record["failed"] = True
        raise StageFailedWithRecord(stage, code, record)
    if stdout_path is not None:
        # ptoas's bytes as it printed them: the next stage refuses what is not UTF-8, as `ptofix run` does.
        write_atomically(stdout_path, proc.stdout, "build artefact")
        record["output"] = stdout_path
    elif out:
        write_stdout(out)
    return record


class StageFailedWithRecord(StageFailed):
    def __init__(self, stage: str, status: int, record: dict[str, Any]):
        super().__init__(stage, status)
        self.record = record


def include_directories(flags: list[str]) -> list[str]:
    """The include directories compiler flags name (`-I DIR`, `-IDIR`, `--include-directory=DIR`), in
    order; a relative one is relative to the directory bisheng runs in (this one)."""
    found: list[str] = []
    for i, flag in enumerate(flags):
        if flag in ("-I", "--include-directory") and i + 1 < len(flags):
            found.append(flags[i + 1])
        elif flag.startswith("-I") and len(flag) > 2:
            found.append(flag[2:])
        elif flag.startswith("--include-directory="):
            found.append(flag.split("=", 1)[1])
    return [os.path.abspath(directory) for directory in found]


# Flags by which a compiler reads headers the kernel's `#include`s and the `-I` directories do not
# show (GCC's "Options for Directory Search" and "Preprocessor Options",
# https://gcc.gnu.org/onlinedocs/gcc/Directory-Options.html, and clang's include-path flags): a
# header included in every file (`-include`, `-imacros`, a precompiled header), directories
# searched before, among or after the `-I` ones or instead of the system's.
_HEADER_SEARCH_FLAGS = ("-include", "-imacros", "-iquote", "-isystem", "-idirafter", "-iprefix", "-iwithprefix",
                        "-isysroot", "-nostdinc", "--sysroot", "-I-", "--include", "-iframework", "-cxx-isystem",
                        "-ivfsoverlay", "--system-header-prefix", "-F")


def header_search_flag(flags: list[str]) -> str:
    """Why bisheng, given ``flags``, may read a header the C++ passes do not see, or '': the
    first of its flags that includes a header in every file or searches directories other than
    `-I`'s (_HEADER_SEARCH_FLAGS, joined or apart from its value)."""
    for flag in flags:
        if flag.startswith("--include-directory"):
            continue              # (-I's long form)
        for option in _HEADER_SEARCH_FLAGS:
            if flag == option or (flag.startswith(option) and option != "-I-"):
                return (f"bisheng's flag '{flag}' includes a header in every file or searches directories "
                        "ptofix does not read (it reads the kernel's #includes in the -I directories): "
                        "the headers the kernel compiles with are not known")
    return ""


def defined_macros(flags: list[str]) -> list[str]:
    """The macro names ``-DNAME[=V]`` / ``-D NAME[=V]`` of a compiler command line."""
    names = []
    for index, flag in enumerate(flags):
        if flag == "-D" and index + 1 < len(flags):
            names.append(flags[index + 1].split("=", 1)[0])
        elif flag.startswith("-D") and len(flag) > 2:
            names.append(flag[2:].split("=", 1)[0])
    return names

