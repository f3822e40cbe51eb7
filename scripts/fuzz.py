"""Fuzz the ptofix CLI with mutants of real inputs; print the figures and every finding.

    python scripts/fuzz.py                      # 500 examples, seed 0
    python scripts/fuzz.py --examples 5000 --seed 7 --time-bound 20 --subprocess-every 50

Inputs are mutants (hypothesis) of the repository's own fixtures (tests/fixtures, lit_tests/**/Inputs,
kernels/flash_attention/*) and, when present, ../shared/corpus: line drops and swaps, byte flips,
truncation, unbalanced brackets and #if, invalid UTF-8, NUL, long lines, CRLF, CR-only, BOM; plus
odd paths (directories, missing files, names with spaces or newlines, a path through a file) and
stdin. Each mutant goes through

    run --pattern auto F          run --pattern gu -i F          run --local-slot-num 0=2 F
    canonicalize --target-ptoas v0.45 F                          simulate SEED F

in process (``ptofix.cli.main``; some also as a real subprocess) and must: exit with 0, 1, 2 or
4 (3 is an internal error: a finding, located by the traceback ``--debug`` prints); print no
``Traceback`` unless it was an internal error; finish within the time bound; leave the input
file byte for byte as it was whenever the exit status is not 0 (and always, without -i); leave
no temporary file behind. Exit status of this script: 0 no finding, 1 findings.
"""
from __future__ import annotations

import argparse
import collections
import glob
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "corpus")
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

ALLOWED_STATUS = {0, 1, 2, 4}

COMMANDS = {
    "run-auto": lambda f, seed: ["run", "--pattern", "auto", f],
    "run-gu-i": lambda f, seed: ["run", "--pattern", "gu", "-i", f],
    "run-slots": lambda f, seed: ["run", "--local-slot-num", "0=2", f],
    "canonicalize": lambda f, seed: ["canonicalize", "--target-ptoas", "v0.45", f],
    "simulate": lambda f, seed: ["simulate", "--seeds", "1", seed, f],
}
# Commands that may rewrite their input (with exit status 0).
WRITES_INPUT = {"run-gu-i"}


# ---- seed files ----------------------------------------------------------------------------------
def seed_files(corpus: bool = True, limit_corpus: int | None = None) -> list[str]:
    """Text inputs to mutate: the repository's fixtures, then (optionally) corpus files."""
    patterns = ["tests/fixtures/**/*", "lit_tests/**/Inputs/**/*", "kernels/flash_attention/*"]
    files: list[str] = []
    for pattern in patterns:
        for path in sorted(glob.glob(os.path.join(ROOT, pattern), recursive=True)):
            if os.path.isfile(path) and os.path.getsize(path) < 2_000_000 and _is_text(path):
                files.append(path)
    if corpus and os.path.isdir(CORPUS):
        extra = sorted(p for p in glob.glob(os.path.join(CORPUS, "**", "*"), recursive=True)
                       if os.path.isfile(p) and p.endswith((".cpp", ".pto", ".mlir")))
        if limit_corpus is not None:
            step = max(1, len(extra) // max(1, limit_corpus))
            extra = extra[::step][:limit_corpus]
        files.extend(extra)
    return files


def _is_text(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return b"\0" not in head


# ---- mutations -----------------------------------------------------------------------------------
def _split_lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def mutate(data: bytes, ops: list[tuple[str, int, int]]) -> bytes:
    """Apply mutation ops (name, a, b) in order; a and b are arbitrary non-negative numbers."""
    for name, a, b in ops:
        lines = _split_lines(data)
        n = len(data)
        if name == "drop_line" and lines:
            del lines[a % len(lines)]
            data = b"".join(lines)
        elif name == "swap_lines" and len(lines) > 1:
            i, j = a % len(lines), b % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
            data = b"".join(lines)
        elif name == "dup_line" and lines:
            i = a % len(lines)
            lines.insert(i, lines[i])
            data = b"".join(lines)
        elif name == "flip_byte" and n:
            i = a % n
            data = data[:i] + bytes([(data[i] ^ (1 + b % 255)) & 0xFF]) + data[i + 1:]
        elif name == "truncate":
            data = data[:a % (n + 1)]
        elif name == "bracket":
            i = a % (n + 1)
            data = data[:i] + b"{}()[]<>\"'"[b % 10:b % 10 + 1] + data[i:]
        elif name == "pp":
            i = a % (len(lines) + 1)
            lines.insert(i, [b"#if 0\n", b"#endif\n", b"#else\n", b"#ifdef __DAV_VEC__\n", b"#elif 1\n"][b % 5])
            data = b"".join(lines)
        elif name == "bad_utf8":
            i = a % (n + 1)
            data = data[:i] + [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xe2\x82", b"\x80"][b % 5] + data[i:]
        elif name == "nul":
            i = a % (n + 1)
            data = data[:i] + b"\0" + data[i:]
        elif name == "long_line":
            i = a % (n + 1)
            unit = [b"a", b"(", b"{", b"x+", b"pipe_barrier(PIPE_V);", b"%0 = "][b % 6]
            data = data[:i] + unit * (2000 + 50 * (b % 200)) + data[i:]
        elif name == "crlf":
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        elif name == "cr_only":
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")
        elif name == "bom":
            data = b"\xef\xbb\xbf" + data
        elif name == "empty":
            data = b""
    return data


MUTATIONS = ["drop_line", "swap_lines", "dup_line", "flip_byte", "truncate", "bracket", "pp", "bad_utf8",
             "nul", "long_line", "crlf", "cr_only", "bom", "empty"]

# How the mutant is handed to the command.
PATH_KINDS = ["plain", "plain", "plain", "plain", "spaces", "unicode", "newline", "dash", "directory",
              "missing", "through_file", "stdin", "symlink"]


# ---- running one case ----------------------------------------------------------------------------
class TimeBound(BaseException):
    """Raised by SIGALRM inside an in-process run (a BaseException: ptofix must not catch it)."""


@dataclass
class Outcome:
    status: int | None
    stdout: bytes
    stderr: str
    seconds: float
    escaped: str | None = None     # an exception that left ptofix.cli.main
    timed_out: bool = False


def run_in_process(argv: list[str], stdin: bytes = b"", time_bound: float = 20.0) -> Outcome:
    from ptofix.cli import main
    out_buffer, err_buffer = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_buffer, encoding="utf-8", errors="surrogateescape", write_through=True)
    err = io.TextIOWrapper(err_buffer, encoding="utf-8", errors="backslashreplace", write_through=True)
    inp = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = inp, out, err
    status: int | None = None
    escaped = None
    timed_out = False

    armed = [True]

    def on_alarm(signum, frame):
        if armed[0]:
            raise TimeBound()
    use_alarm = hasattr(signal, "setitimer") and time_bound > 0
    if use_alarm:
        old_handler = signal.signal(signal.SIGALRM, on_alarm)
        # Repeat after the bound: an exception raised while a finalizer runs is swallowed.
        signal.setitimer(signal.ITIMER_REAL, time_bound, 0.2)
    start = time.perf_counter()
    try:
        status = main(["--debug", *argv])
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except TimeBound:
        armed[0] = False
        timed_out = True
    except BaseException as exc:  # noqa: BLE001 - anything else leaving main() is a finding
        import traceback
        escaped = "".join(traceback.format_exception(exc))
    finally:
        armed[0] = False
        seconds = time.perf_counter() - start
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old_handler)
        sys.stdin, sys.stdout, sys.stderr = saved
    return Outcome(status, out_buffer.getvalue(), err_buffer.getvalue().decode("utf-8", "replace"), seconds,
                   escaped, timed_out)


def run_subprocess(argv: list[str], stdin: bytes = b"", time_bound: float = 20.0) -> Outcome:
    start = time.perf_counter()
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    try:
        proc = subprocess.run([sys.executable, "-m", "ptofix", *argv], input=stdin, capture_output=True,
                              timeout=time_bound, env=env, cwd=ROOT)
    except subprocess.TimeoutExpired as exc:
        return Outcome(None, exc.stdout or b"", (exc.stderr or b"").decode("utf-8", "replace"),
                       time.perf_counter() - start, timed_out=True)
    return Outcome(proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace"),
                   time.perf_counter() - start)


@dataclass
class Finding:
    kind: str            # internal-error | escaped | traceback | status | timeout | input-changed | temp-left
    where: str           # innermost ptofix frame, or the rule broken
    command: str
    argv: list[str]
    detail: str
    input_bytes: bytes = b""
    reproducer: str = ""

    def key(self) -> tuple[str, str, str]:
        return self.kind, self.where, self.command


_FRAME = re.compile(r'File "([^"]*)", line (\d+), in (\S+)')


def innermost_ptofix_frame(text: str) -> str:
    frames = [(f, int(n), fn) for f, n, fn in _FRAME.findall(text)
              if os.sep + "ptofix" + os.sep in f or os.sep + "passes" + os.sep in f]
    if not frames:
        return "?"
    f, n, fn = frames[-1]
    rel = os.path.relpath(f, ROOT) if f.startswith(ROOT) else f
    return f"{rel}:{n} in {fn}"


def exception_line(text: str) -> str:
    for line in reversed(text.strip().splitlines()):
        if line and not line.startswith(" "):
            return line[:200]
    return ""


@dataclass
class Stats:
    examples: int = 0
    runs: int = 0
    subprocess_runs: int = 0
    seconds: float = 0.0
    slowest: float = 0.0
    statuses: collections.Counter = field(default_factory=collections.Counter)
    findings: dict = field(default_factory=dict)     # key -> first Finding
    counts: collections.Counter = field(default_factory=collections.Counter)

    def add(self, finding: Finding) -> None:
        self.counts[finding.key()] += 1
        self.findings.setdefault(finding.key(), finding)


def _odd_name(kind: str, suffix: str) -> str:
    return {"spaces": f"in put file{suffix}", "unicode": f"ввод-π{suffix}", "newline": f"in\nput{suffix}",
            "dash": f"-input{suffix}"}.get(kind, f"input{suffix}")


def check_case(workdir: str, seed_path: str, data: bytes, command: str, path_kind: str, stats: Stats,
               time_bound: float, subprocess_mode: bool = False) -> list[Finding]:
    """Run one command on one mutant; return the rules it broke."""
    suffix = os.path.splitext(seed_path)[1] or ".txt"
    case_dir = tempfile.mkdtemp(prefix="case-", dir=workdir)
    stdin = b""
    findings: list[Finding] = []
    try:
        target = os.path.join(case_dir, _odd_name(path_kind, suffix))
        if path_kind == "directory":
            os.mkdir(target)
        elif path_kind == "missing":
            pass
        elif path_kind == "through_file":
            with open(os.path.join(case_dir, "afile"), "wb") as handle:
                handle.write(data)
            target = os.path.join(case_dir, "afile", "x" + suffix)
        elif path_kind == "symlink":
            real = os.path.join(case_dir, "real" + suffix)
            with open(real, "wb") as handle:
                handle.write(data)
            os.symlink("real" + suffix, target)
        elif path_kind == "stdin":
            stdin = data
        else:
            with open(target, "wb") as handle:
                handle.write(data)
        arg = "-" if path_kind == "stdin" else target
        if path_kind == "dash":
            arg = os.path.join(case_dir, os.path.basename(target))   # absolute: not an option
        argv = COMMANDS[command](arg, seed_path)
        before = _snapshot(case_dir)
        runner = run_subprocess if subprocess_mode else run_in_process
        outcome = runner(argv, stdin, time_bound)
        if subprocess_mode and outcome.status == 3:
            # The process printed one line (no --debug): locate the bug in process.
            located = run_in_process(argv, stdin, time_bound)
            outcome.stderr += "\n" + located.stderr
        stats.runs += 1
        stats.subprocess_runs += subprocess_mode
        stats.seconds += outcome.seconds
        stats.slowest = max(stats.slowest, outcome.seconds)
        stats.statuses[outcome.status] += 1
        after = _snapshot(case_dir)

        def finding(kind: str, where: str, detail: str) -> None:
            findings.append(Finding(kind, where, command, argv, detail, data))
        if outcome.timed_out:
            finding("timeout", f"over {time_bound:g}s", f"{outcome.seconds:.1f}s")
        elif outcome.escaped:
            finding("escaped", innermost_ptofix_frame(outcome.escaped), exception_line(outcome.escaped))
        elif outcome.status == 3:
            finding("internal-error", innermost_ptofix_frame(outcome.stderr), exception_line(outcome.stderr))
        elif outcome.status not in ALLOWED_STATUS:
            finding("status", f"exit {outcome.status}", outcome.stderr[-300:])
        elif "Traceback" in outcome.stderr:
            finding("traceback", innermost_ptofix_frame(outcome.stderr), exception_line(outcome.stderr))
        changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
        temps = [p for p in after if os.path.basename(p).startswith(".ptofix-")]
        if temps:
            finding("temp-left", "output", ", ".join(sorted(temps)))
        if changed and (outcome.status != 0 or command not in WRITES_INPUT):
            finding("input-changed", f"exit {outcome.status}", ", ".join(sorted(changed)))
    finally:
        shutil.rmtree(case_dir, ignore_errors=True)
    return findings


def _snapshot(directory: str) -> dict[str, tuple]:
    """Every entry under ``directory``: (kind, bytes or link target)."""
    out: dict[str, tuple] = {}
    for base, dirs, files in os.walk(directory):
        for name in dirs + files:
            path = os.path.join(base, name)
            if os.path.islink(path):
                out[path] = ("link", os.readlink(path))
            elif os.path.isfile(path):
                with open(path, "rb") as handle:
                    out[path] = ("file", handle.read())
            else:
                out[path] = ("dir",)
    return out


# ---- pathological families -----------------------------------------------------------------------
# Real kernels grown into the shapes that once took quadratic time or memory: each family builds one
# input of a given size (its count of items) on the shipped FA kernel (kernels/flash_attention) and
# runs it in a real `python -m ptofix` process, which must finish within a time bound and a peak
# resident memory bound proportional to the input's size, with an allowed exit status and no
# traceback.
FA_CPP = os.path.join(ROOT, "kernels", "flash_attention", "fa.cpp")
FA_MLIR = os.path.join(ROOT, "kernels", "flash_attention", "fa.mlir")
_BODY_AT = "  TLOAD(v35, v66);\n"                 # a statement of fa.cpp's vector kernel, its tiles declared
_FILE_AT = "AICORE void vector_kernel("                 # the definition helpers go before
_TILE = "Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null>"


def _fa(name: str) -> str:
    with open(name, encoding="utf-8") as handle:
        return handle.read()


def _in_body(text: str, statements: str) -> str:
    return text.replace(_BODY_AT, statements + _BODY_AT, 1)


def _at_file_scope(text: str, declarations: str, statements: str) -> str:
    return _in_body(text, statements).replace(_FILE_AT, declarations + _FILE_AT, 1)


def _random_place(text: str, rnd) -> int:
    """A random line end, or a random place after a `);` (inside a line)."""
    if rnd.random() < 0.5:
        ends = [m.end() for m in re.finditer(r"\);", text)]
    else:
        ends = [m.start() for m in re.finditer(r"\n", text)]
    return rnd.choice(ends) if ends else len(text)


def family_input(family: str, size: int, rnd) -> tuple[str, str]:
    """(suffix, text) of ``family`` with ``size`` items (characters for the long tokens)."""
    cpp = _fa(FA_CPP)
    if family == "long-statement":         # one statement of `size` comma-separated expressions
        return ".cpp", _in_body(cpp, "  int32_t zz = (" + ", ".join(["v8"] * size) + ");\n")
    if family == "many-blocks":            # `size` sequential if blocks, each with a barrier
        blocks = "".join(f"  if (v3 > {i}) {{ TADD(v35, v35, v37); pipe_barrier(PIPE_V); TMUL(v39, v39, v39); }}\n"
                         for i in range(size))
        return ".cpp", _in_body(cpp, blocks)
    if family == "call-chain":             # `size` static helpers, each calling the next
        helpers = f"static AICORE inline void h{size}({_TILE} &t) {{ TADD(t, t, t); }}\n"
        for i in range(size - 1, -1, -1):
            helpers += (f"static AICORE inline void h{i}({_TILE} &t) {{ TADD(t, t, t); pipe_barrier(PIPE_V); "
                        f"h{i + 1}(t); }}\n")
        return ".cpp", _at_file_scope(cpp, helpers, "  h0(v35);\n")
    if family == "call-fan-in":            # one helper called from `size` others
        helpers = (f"static AICORE inline void hub({_TILE} &t) {{ TADD(t, t, t); pipe_barrier(PIPE_V); "
                   "TADD(t, t, t); }\n")
        helpers += "".join(f"static AICORE inline void c{i}({_TILE} &t) {{ hub(t); pipe_barrier(PIPE_V); hub(t); }}\n"
                           for i in range(size))
        return ".cpp", _at_file_scope(cpp, helpers, "".join(f"  c{i}(v35);\n" for i in range(size)))
    if family == "alias-chain":            # `size` local aliases, each naming the one before
        aliases = "  using A0 = int64_t;\n" + "".join(f"  using A{i + 1} = A{i};\n" for i in range(size))
        return ".cpp", _in_body(cpp, aliases + f"  A{size} zz = 0;\n")
    if family in ("long-literal", "long-identifier", "long-comment"):
        token = {"long-literal": lambda: '"' + "x" * size + '"',
                 "long-identifier": lambda: "q" * size,
                 "long-comment": lambda: "/*" + "c" * size + "*/"}[family]()
        at = _random_place(cpp, rnd)
        if family == "long-literal":
            return ".cpp", _in_body(cpp, f"  const char* zz = {token};\n") if rnd.random() < 0.5 \
                else cpp[:at] + " " + token + cpp[at:]
        return ".cpp", cpp[:at] + " " + token + " " + cpp[at:]
    if family == "template-params":        # a template of `size` parameters whose last one is not plain
        params = "".join(f"typename T{i}, " for i in range(size))
        return ".cpp", _at_file_scope(cpp, f"template <{params}unsigned int N>\nstatic AICORE inline void hx() {{ }}\n",
                                      "  hx<" + "int, " * size + "1>();\n")
    if family == "declarator-word":        # a definition whose name follows a word of `size` characters
        word = "q" * size
        return ".cpp", _at_file_scope(cpp, f"static AICORE inline int {word}*K::run(int x) {{ return x; }}\n", "")
    if family == "blank-runs":             # runs of `size` blanks inside a declaration's value and its bounds
        blanks = " " * size
        return ".cpp", _in_body(cpp, f"  int32_t zz = 1{blanks}+ 1;\n  int32_t zy[{blanks}8{blanks}];\n"
                                     f"  __ubuf__ float *zp = (__ubuf__ float *)v1{blanks}+ 1;\n")
    mlir = _fa(FA_MLIR)
    if family == "ir-unterminated-string":
        return ".mlir", mlir + '\n  "pto.x"() {s = "' + '\\"' * size + "\n"
    if family == "ir-comment-quotes":      # a generic op with a comment of `size` escaped quotes inside
        at = mlir.index('"pto.declare_global"(') + len('"pto.declare_global"(')
        return ".mlir", mlir[:at] + ' // "' + '\\"' * size + "\n      " + mlir[at:]
    if family == "ir-blank-runs":          # runs of `size` blanks inside an array attribute
        blanks = " " * size
        at = mlir.index("\n", mlir.index('"pto.declare_global"()')) + 1
        op = f'    "pto.zz"() {{zz = array<i32:{blanks}1,{blanks}2{blanks}>}} : () -> ()\n'
        return ".mlir", mlir[:at] + op + mlir[at:]
    if family == "ir-unterminated-resource":
        return ".mlir", mlir + "\n{-#\n" + "  x: \"0x1\", {-#\n" * (size // 16 + 1)
    raise ValueError(family)


# ---- families of what ptofix reads besides its input (issue #60): include trees, -I directories,
# pto-isa checkouts, `#if` macros. Each builds its files under a directory and says how to run.
def _write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def _header_shapes(size: int) -> str:
    """A header of the shapes that once took quadratic time: nested parentheses before a union's
    brace, nested calls in a declaration, using-directives, declarators of many functions."""
    return ("#pragma once\nnamespace mine {}\n"
            + "union " + "(" * size + ")" * size + " { int x; };\n"
            + "int y" + "(f" * size + ")" * size + ";\n"
            + "g" + "(a, f" * size + ")" * size + ";\n"
            + "using namespace mine;\n" * size
            + "void " + ", ".join(f"d{i}()" for i in range(size)) + ";\n")


def family_tree(family: str, size: int, rnd, directory: str) -> tuple[str, str, list[str]]:
    """(suffix, kernel text, the command's arguments before the kernel) of a family that reads
    more than its input; its other files are written under ``directory``."""
    cpp = _fa(FA_CPP)
    include = os.path.join(directory, "include")
    if family == "include-tree":           # a header including another, each of the shapes `size` deep
        for k in range(2):
            nested = '#include "sub/h1.h"\n' if k == 0 else ""
            _write(os.path.join(include, "sub" if k else "", f"h{k}.h"), nested + _header_shapes(size))
        return ".cpp", '#include "h0.h"\n' + cpp, ["run", "--pattern", "auto", "-I", include]
    if family == "many-include-dirs":      # `size` -I directories, `size` // 2 includes found in none
        dirs = []
        for k in range(size):
            os.makedirs(os.path.join(include, f"d{k}"), exist_ok=True)
            dirs += ["-I", os.path.join(include, f"d{k}")]
        missing = "".join(f'#include "missing{k}.h"\n' for k in range(size // 2))
        return ".cpp", missing + cpp, ["check", *dirs]
    if family == "pto-isa-checkout":       # pto's headers grown `size` times in each reader's quadratic shape
        root = os.path.join(directory, "pto-isa")
        a2a3 = os.path.join(root, "include", "pto", "npu", "a2a3")
        _write(os.path.join(root, "include", "pto", "pto-inst.hpp"),
               '#include "npu/a2a3/TPush.hpp"\n#include "npu/a2a3/TRowSum.hpp"\n' + "f(" * size + "\n")
        _write(os.path.join(a2a3, "TPush.hpp"), "template <\n" * size + "#if 0\n" * size + "#endif\n" * size
               + "C2V_CONSUMER_BUF + x\n" * size)
        _write(os.path.join(a2a3, "TRowSum.hpp"), "TROWSUM_IMPL(\n" * size + "int a; /* b\n" * size)
        return ".cpp", cpp, ["run", "--pattern", "auto", "--pto-isa", root]
    if family == "if-doubling-macros":     # macros that double at each step, tested in `size` #ifs
        lines = ["#define PTOFIX_D0 1"]
        lines += [f"#define PTOFIX_D{i} (PTOFIX_D{i - 1}+PTOFIX_D{i - 1})" for i in range(1, 40)]
        for k in range(size):
            lines += [f"#if PTOFIX_D39 > {k}", f"#define PTOFIX_X{k} 1", "#endif"]
        return ".cpp", "\n".join(lines) + "\n" + cpp, ["simulate", "--seeds", "2"]
    if family == "special-files":          # headers, pto-isa files and cache entries that are no regular file
        _special_files(include, directory)
        return ".cpp", '#include "fifo.h"\n#include "zero.h"\n' + cpp, \
            ["run", "--pattern", "auto", "-I", include, "--pto-isa", os.path.join(directory, "pto-isa")]
    if family == "planted-cache":          # cache entries of the checkout nested `size` deep
        root = _mini_checkout(directory)
        for name in _cache_entries(root, os.path.join(directory, "cache")):
            _write(name, "[" * size + "]" * size)
        return ".cpp", cpp, ["run", "--pattern", "auto", "--pto-isa", root]
    raise ValueError(family)


def _mini_checkout(directory: str) -> str:
    root = os.path.join(directory, "pto-isa")
    _write(os.path.join(root, "include", "pto", "pto-inst.hpp"),
           '#include "npu/a2a3/fifo.hpp"\n#include "../../../zero.hpp"\n#include "npu/a2a3/TPush.hpp"\n')
    _write(os.path.join(root, "include", "pto", "npu", "a2a3", "TPush.hpp"), "template <typename T> void f();\n")
    return root


def _cache_entries(root: str, cache: str) -> list[str]:
    """The cache files a run with checkout ``root`` and cache directory ``cache`` reads."""
    sys.path.insert(0, ROOT)
    from ptofix.pto import header_words
    saved = os.environ.get("PTOFIX_CACHE_DIR")
    os.environ["PTOFIX_CACHE_DIR"] = cache
    try:
        return [header_words._cache_file(root)]
    finally:
        if saved is None:
            del os.environ["PTOFIX_CACHE_DIR"]
        else:
            os.environ["PTOFIX_CACHE_DIR"] = saved


def _special_files(include: str, directory: str) -> None:
    """A FIFO and a /dev/zero symlink as included headers, in a pto-isa checkout (one reached by
    a quoted include out of the tree) and at the cache's paths: a reader that opens them blocks
    or reads without end."""
    os.makedirs(include, exist_ok=True)
    os.mkfifo(os.path.join(include, "fifo.h"))
    os.symlink("/dev/zero", os.path.join(include, "zero.h"))
    root = _mini_checkout(directory)
    os.mkfifo(os.path.join(root, "include", "pto", "npu", "a2a3", "fifo.hpp"))
    os.symlink("/dev/zero", os.path.join(directory, "zero.hpp"))
    (fifo,) = _cache_entries(root, os.path.join(directory, "cache"))
    os.makedirs(os.path.dirname(fifo), mode=0o700, exist_ok=True)
    os.mkfifo(fifo)


def family_environment(family: str, directory: str) -> dict[str, str]:
    """What a family's run adds to the environment: the cache it planted."""
    if family in ("special-files", "planted-cache"):
        return {"PTOFIX_CACHE_DIR": os.path.join(directory, "cache")}
    return {}


TREE_FAMILIES = {"include-tree", "many-include-dirs", "pto-isa-checkout", "if-doubling-macros", "special-files",
                 "planted-cache"}

# family -> (default size, MiB of peak memory allowed per MB of input)
FAMILIES = {
    "long-statement": (100_000, 50.0),
    "many-blocks": (2_000, 400.0),
    "call-chain": (2_000, 400.0),
    "call-fan-in": (1_000, 400.0),
    "alias-chain": (5_000, 400.0),
    "long-literal": (1_000_000, 50.0),
    "long-identifier": (20_000, 50.0),
    "long-comment": (1_000_000, 50.0),
    "template-params": (2_000, 400.0),
    "declarator-word": (100_000, 50.0),
    "blank-runs": (400_000, 50.0),
    "ir-unterminated-string": (100_000, 50.0),
    "ir-unterminated-resource": (400_000, 50.0),
    "ir-comment-quotes": (100_000, 50.0),
    "ir-blank-runs": (400_000, 50.0),
    # (size: nesting depth and lines of each shape, -I directories, lines of each shape, #ifs)
    "include-tree": (4_000, 400.0),
    "many-include-dirs": (2_000, 400.0),
    "pto-isa-checkout": (8_000, 400.0),
    "if-doubling-macros": (4_000, 400.0),
    "special-files": (1, 400.0),
    "planted-cache": (100_000, 400.0),
}
FAMILY_TIME_FLOOR = 5.0          # seconds: start-up and the FA kernel itself
FAMILY_SECONDS_PER_MB = 20.0     # interpreted; a quadratic path exceeds it long before 1 MB
FAMILY_MEMORY_FLOOR = 100.0      # MiB: the interpreter, ptofix and lark; with --pto-isa the checkout's headers the
#                                   op facts rest on, read and hashed (pto/op_sources.py: ~20 MiB)


# Spawns the command and reports its peak resident memory on fd 3. A child's ru_maxrss starts at
# its parent's resident size at fork (Linux carries the forking process's high-water mark across
# exec), so measured straight from a large parent (a pytest run) it reads the parent's size; from
# this small launcher, at most the launcher's (~10 MiB). It writes the peak (KiB) to the file
# descriptor its first argument names and exits as the command did.
_LAUNCHER = """
import os, signal, sys
signal.signal(signal.SIGTERM, signal.SIG_DFL)
report = int(sys.argv[1])
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
os.write(report, str(usage.ru_maxrss).encode())
code = os.waitstatus_to_exitcode(status)
os._exit(128 - code if code < 0 else code)
"""


def run_measured(argv: list[str], time_bound: float, extra_env: dict[str, str] | None = None) -> tuple[Outcome, float]:
    """A real `python -m ptofix` process: its outcome and peak resident memory (MiB, ru_maxrss)."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""), **(extra_env or {}))
    start = time.perf_counter()
    peak_read, peak_write = os.pipe()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen([sys.executable, "-c", _LAUNCHER, str(peak_write), sys.executable, "-m", "ptofix",
                                     *argv], stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env, cwd=ROOT,
                                    pass_fds=(peak_write,), start_new_session=True)
        finally:
            os.close(peak_write)
        timed_out = False
        try:
            proc.wait(timeout=max(0.0, start + time_bound - time.perf_counter()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)      # the launcher and the command it spawned
            proc.wait()
            timed_out = True
        with os.fdopen(peak_read, "rb") as peak_pipe:
            reported = peak_pipe.read()
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
        outcome = Outcome(None if timed_out else proc.returncode, out.read(), stderr, seconds, timed_out=timed_out)
    kib = int(reported) if reported.isdigit() else 0
    peak = kib / 1024 if sys.platform != "darwin" else kib / 2**20
    return outcome, peak


def check_family(workdir: str, family: str, size: int, rnd, stats: Stats) -> tuple[list[Finding], dict]:
    """Build and run one family input; return the bounds it broke and its figures."""
    if family in TREE_FAMILIES:
        tree = tempfile.mkdtemp(prefix=family + "-", dir=workdir)
        suffix, text, command_args = family_tree(family, size, rnd, tree)
        # (The input's size counts what the run reads: the kernel and every regular file written for it.)
        extra = sum(os.lstat(os.path.join(at, name)).st_size for at, _, names in os.walk(tree) for name in names
                    if os.path.isfile(os.path.join(at, name)) and not os.path.islink(os.path.join(at, name)))
        extra_env = family_environment(family, tree)
    else:
        suffix, text = family_input(family, size, rnd)
        command_args, extra, extra_env = [], 0, {}
    data = text.encode()
    megabytes = (len(data) + extra) / 1e6
    path = os.path.join(workdir, family + suffix)
    with open(path, "wb") as handle:
        handle.write(data)
    out = os.path.join(workdir, "out" + suffix)
    if command_args and command_args[0] in ("check", "simulate"):
        argv = [*command_args, path] + ([path] if command_args[0] == "simulate" else [])
    elif command_args:
        argv = [*command_args, path, "-o", out]
    else:
        argv = ["canonicalize", "--target-ptoas", "v0.45", path, "-o", out] if suffix == ".mlir" \
            else ["run", "--pattern", "auto", path, "-o", out]
    time_bound = FAMILY_TIME_FLOOR + FAMILY_SECONDS_PER_MB * megabytes
    memory_bound = FAMILY_MEMORY_FLOOR + FAMILIES[family][1] * megabytes
    outcome, peak = run_measured(argv, time_bound, extra_env)
    stats.runs += 1
    stats.subprocess_runs += 1
    stats.seconds += outcome.seconds
    stats.slowest = max(stats.slowest, outcome.seconds)
    stats.statuses[outcome.status] += 1
    figures = dict(family=family, size=size, mb=megabytes, seconds=outcome.seconds, peak_mib=peak,
                   status=outcome.status, time_bound=time_bound, memory_bound=memory_bound)
    found: list[Finding] = []
    command = "family " + family
    if outcome.timed_out:
        found.append(Finding("timeout", f"over {time_bound:.1f}s", command, argv, f"{len(data)} bytes", data))
    elif outcome.status not in ALLOWED_STATUS:
        found.append(Finding("status", f"exit {outcome.status}", command, argv, exception_line(outcome.stderr), data))
    if "Traceback" in outcome.stderr:
        found.append(Finding("traceback", innermost_ptofix_frame(outcome.stderr), command, argv,
                             exception_line(outcome.stderr), data))
    if peak > memory_bound:
        found.append(Finding("memory", f"peak {peak:.0f} MiB over {memory_bound:.0f} MiB", command, argv,
                             f"{len(data)} bytes", data))
    for f in found:
        f.reproducer = (f"family_tree({family!r}, {size}, random.Random(seed), DIR) -> ptofix ... F"
                        if family in TREE_FAMILIES else
                        f"family_input({family!r}, {size}, random.Random(seed)) -> ptofix {' '.join(argv[:-3])} F")
    return found, figures


def run_families(families: list[str], scale: float, seed: int, stats: Stats, report=print) -> list[dict]:
    """Each family once at its default size times ``scale`` (at least 1 item)."""
    import random
    rnd = random.Random(seed)
    workdir = tempfile.mkdtemp(prefix="ptofix-families-")
    rows = []
    try:
        for family in families:
            size = max(1, int(FAMILIES[family][0] * scale))
            stats.examples += 1
            found, figures = check_family(workdir, family, size, rnd, stats)
            for f in found:
                stats.add(f)
            rows.append(figures)
            report(f"  {family:26s} {size:>9d} items {figures['mb']:6.2f} MB  exit {figures['status']}  "
                   f"{figures['seconds']:6.2f}s (bound {figures['time_bound']:.1f})  "
                   f"{figures['peak_mib']:6.1f} MiB (bound {figures['memory_bound']:.0f})"
                   + ("  <- " + ", ".join(f.kind for f in found) if found else ""))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return rows


# ---- hypothesis driver ---------------------------------------------------------------------------
def strategies(seeds: list[str]):
    from hypothesis import strategies as st
    op = st.tuples(st.sampled_from(MUTATIONS), st.integers(0, 1 << 20), st.integers(0, 1 << 16))
    return dict(seed=st.sampled_from(seeds), ops=st.lists(op, min_size=0, max_size=4),
                command=st.sampled_from(list(COMMANDS)), path_kind=st.sampled_from(PATH_KINDS))


def fuzz(examples: int, seed: int, seeds: list[str], time_bound: float = 20.0, subprocess_every: int = 0,
         commands: list[str] | None = None, stats: Stats | None = None, progress=None) -> Stats:
    """Run ``examples`` generated cases (deterministic for a given ``seed``); collect findings."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st
    stats = stats or Stats()
    strat = strategies(seeds)
    if commands:
        strat["command"] = st.sampled_from(commands)
    workdir = tempfile.mkdtemp(prefix="ptofix-fuzz-")
    cache: dict[str, bytes] = {}

    @settings(max_examples=examples, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), derandomize=False)
    @given(**strat)
    def case(seed, ops, command, path_kind):
        if seed not in cache:
            with open(seed, "rb") as handle:
                cache[seed] = handle.read()
        data = mutate(cache[seed], ops)
        stats.examples += 1
        use_subprocess = bool(subprocess_every) and stats.examples % subprocess_every == 0
        for found in check_case(workdir, seed, data, command, path_kind, stats, time_bound, use_subprocess):
            found.reproducer = _reproducer(seed, ops, command, path_kind)
            stats.add(found)
        if progress:
            progress(stats)

    import random

    from hypothesis import seed as hseed
    try:
        hseed(seed)(case)()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        random.seed()
    return stats


def _reproducer(seed: str, ops, command: str, path_kind: str) -> str:
    rel = os.path.relpath(seed, ROOT)
    return (f"mutate(open({rel!r},'rb').read(), {ops!r}) -> {path_kind} path; "
            f"ptofix {' '.join(COMMANDS[command]('F', rel))}")


def summary(stats: Stats) -> str:
    lines = [f"fuzz: {stats.examples} examples, {stats.runs} runs ({stats.subprocess_runs} as subprocesses), "
             f"{stats.seconds:.1f}s in ptofix, slowest run {stats.slowest:.2f}s",
             "exit statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(stats.statuses.items(), key=str)),
             f"findings: {sum(stats.counts.values())} ({len(stats.findings)} distinct)"]
    by_kind: collections.Counter[str] = collections.Counter()
    for (kind, _where, _cmd), n in stats.counts.items():
        by_kind[kind] += n
    for kind, n in sorted(by_kind.items()):
        lines.append(f"  {kind}: {n}")
    for key, f in sorted(stats.findings.items()):
        lines.append(f"- [{f.kind}] {f.where} ({f.command}, x{stats.counts[key]}): {f.detail}")
        lines.append(f"    reproduce: {f.reproducer}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-bound", type=float, default=20.0, help="seconds per run (default 20)")
    parser.add_argument("--no-corpus", action="store_true", help="only the repository's fixtures")
    parser.add_argument("--corpus-files", type=int, default=200, help="corpus files to sample (default 200)")
    parser.add_argument("--subprocess-every", type=int, default=25,
                        help="run every Nth example as a real `python -m ptofix` process (0: never)")
    parser.add_argument("--command", action="append", choices=list(COMMANDS), help="only these commands")
    parser.add_argument("--save", metavar="DIR", help="write each distinct finding's input to DIR")
    parser.add_argument("--families", nargs="?", const=",".join(FAMILIES), metavar="F1,F2",
                        help="run the pathological families (all, or those named) instead of the mutants, each "
                             "in a process with a time and a memory bound proportional to its size: "
                             + ", ".join(FAMILIES))
    parser.add_argument("--family-scale", type=float, default=1.0,
                        help="size of each family input against its default (default 1)")
    args = parser.parse_args(argv)
    if args.families:
        names = [name for name in args.families.split(",") if name]
        unknown = [name for name in names if name not in FAMILIES]
        if unknown:
            parser.error("unknown family: " + ", ".join(unknown))
        print(f"fuzz: {len(names)} families, scale {args.family_scale}, seed {args.seed}", flush=True)
        stats = Stats()
        run_families(names, args.family_scale, args.seed, stats, report=lambda line: print(line, flush=True))
        print(summary(stats))
        return 1 if stats.findings else 0
    seeds = seed_files(corpus=not args.no_corpus, limit_corpus=args.corpus_files)
    print(f"fuzz: {len(seeds)} seed files, {args.examples} examples, seed {args.seed}", flush=True)
    start = time.perf_counter()

    def progress(stats: Stats) -> None:
        if stats.examples % 100 == 0:
            print(f"  ... {stats.examples} examples, {len(stats.findings)} distinct findings, "
                  f"{time.perf_counter() - start:.0f}s", flush=True)
    stats = fuzz(args.examples, args.seed, seeds, args.time_bound, args.subprocess_every, args.command,
                 progress=progress)
    print(summary(stats))
    print(f"wall time {time.perf_counter() - start:.1f}s")
    if args.save:
        os.makedirs(args.save, exist_ok=True)
        for n, f in enumerate(sorted(stats.findings.values(), key=lambda f: f.key())):
            with open(os.path.join(args.save, f"finding-{n:03d}-{f.kind}-{f.command}.bin"), "wb") as handle:
                handle.write(f.input_bytes)
    return 1 if stats.findings else 0


if __name__ == "__main__":
    sys.exit(main())
