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
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..source import PtofixError, SourceText

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


@dataclass(frozen=True)
class EntryCall:
    """The kernel entry Perf-Sim runs, and which of its parameters take a scalar from the command line."""
    name: str
    parameters: tuple[str, ...]          # names, in order
    pointers: tuple[bool, ...]           # pointer parameters get nullptr (Perf-Sim reads no GM)
    c_linkage: tuple[str, ...]           # the kernel's extern "C" names (renamed per half)


def default_cache_dir() -> Path:
    """``$PTOFIX_CACHE_DIR``, else ``$XDG_CACHE_HOME/ptofix``, else ``~/.cache/ptofix``; ``perf/`` in it."""
    root = os.environ.get("PTOFIX_CACHE_DIR") or ""
    if root:
        return Path(root) / "perf"
    xdg = os.environ.get("XDG_CACHE_HOME") or ""
    return (Path(xdg) if xdg else Path.home() / ".cache") / "ptofix" / "perf"


def find_compiler(cxx: str | None) -> tuple[str, str]:
    """``--cxx``, else ``$CXX``, else ``g++``; its path and the first line of its ``--version``."""
    name = cxx or os.environ.get("CXX") or "g++"
    path = shutil.which(name)
    if path is None:
        raise PtofixError(f"no C++ compiler '{name}' (give --cxx or set $CXX; Perf-Sim builds need a "
                          f"C++23 host compiler such as g++ 12)")
    try:
        done = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PtofixError(f"{path}: cannot run the C++ compiler: {exc}") from None
    lines = done.stdout.splitlines()
    return path, lines[0] if lines else path


def _tree_key(include: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in include.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(include)).encode("utf-8", "surrogateescape") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def prepare_checkout(pto_isa: str, cache_dir: Path) -> tuple[Path, str]:
    """The include/ of a copy of the checkout in the cache, with its formula headers generated
    (pto-isa's generators write beside themselves: the checkout may be read-only)."""
    include = Path(pto_isa) / "include"
    if not (include / LAUNCH_HEADER).is_file():
        raise PtofixError(f"--pto-isa {pto_isa}: no include/{LAUNCH_HEADER} (a pto-isa checkout with "
                          f"Perf-Sim is needed, e.g. a clone of hw-native-sys/pto-isa at commit f35e7f60)")
    key = _tree_key(include)
    target = cache_dir / f"pto-isa-{key[:20]}"
    if (target / "ready").is_file():
        return target / "include", key
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".pto-isa-", dir=cache_dir))
    try:
        shutil.copytree(include, staging / "include", symlinks=False)
        for root, dirs, files in os.walk(staging):
            for name in dirs + files:
                os.chmod(os.path.join(root, name), 0o755 if name in dirs else 0o644)
        for generator in sorted((staging / "include").glob("pto/costmodel/*/formula_costmodel/"
                                                             "gen_formula_params_header.py")):
            done = subprocess.run([sys.executable, str(generator)], capture_output=True, text=True,
                                  timeout=300, check=False)
            if done.returncode != 0:
                raise PtofixError(f"--pto-isa {pto_isa}: {generator.relative_to(staging)} failed: "
                                  f"{(done.stderr or done.stdout).strip()[-400:]}")
        (staging / "ready").write_text(key + "\n", encoding="utf-8")
        try:
            staging.rename(target)
        except OSError:          # another run prepared it first
            if not (target / "ready").is_file():
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target / "include", key


_EXTERN_C = re.compile(r'\bextern\s*"C"\s*(?:[A-Za-z_]\w*\s*[*&]*\s*)*?([A-Za-z_]\w*)\s*\(')


def entry_call(path: str, text: str, function: str | None) -> EntryCall:
    """The entry to run: ``function``, else the one ``__global__`` function of the file."""
    from ..cpp.parser import parse_cpp
    source = SourceText(text, path)
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
    for index, param in enumerate(fn.parameters):
        if param.unread:
            raise PtofixError(f"cannot read parameter {index + 1} of '{fn.name}': {param.unread}",
                              source, param.span.start)
        names.append(param.name or f"#{index + 1}")
        pointers.append(bool(param.pointer) or param.reference)
    return EntryCall(fn.name, tuple(names), tuple(pointers), tuple(sorted(set(_EXTERN_C.findall(text)))))


KERNEL_COPY = "kernel.cpp"       # the kernel's text beside the unit (keys see the text, not where it lives)


def half_source(side: str, call: EntryCall) -> str:
    """The translation unit of one core type's half: the kernel in an unnamed namespace, and
    ``ptofix_perf_<side>()`` calling its entry with nullptr for pointers, the command line's
    values for scalars (``ptofix_perf_argv``, in parameter order)."""
    renames = "".join(f"#define {name} ptofix_perf_{side}_{name}\n" for name in call.c_linkage)
    arguments = []
    scalar = 0
    for index, pointer in enumerate(call.pointers):
        if pointer:
            arguments.append("nullptr")
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


def _key(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return digest.hexdigest()[:32]


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
    jobs = []
    objects = []
    for side, macros in SIDES.items():
        source = half_source(side, call)
        flags = (*common, *macros)
        key = _key(GENERATOR_VERSION, tools.cxx_identity, tools.checkout_key, shim, source, text, *flags)
        output = tools.cache_dir / "obj" / f"{side}-{key}.o"
        objects.append(output)
        if not output.is_file():
            jobs.append(CompileJob(source, flags, output, text, display))
    main_flags = (*BASE_FLAGS, f"-I{tools.include_dir}", f"-I{tools.include_dir / 'pto/costmodel/stubs'}")
    main_key = _key(GENERATOR_VERSION, tools.cxx_identity, tools.checkout_key, MAIN_SOURCE, *main_flags)
    main_object = tools.cache_dir / "obj" / f"main-{main_key}.o"
    objects.append(main_object)
    if not main_object.is_file():
        jobs.append(CompileJob(MAIN_SOURCE, main_flags, main_object))
    binary = tools.cache_dir / "bin" / f"perf-{_key(*(o.name for o in objects))}"
    return KernelBuild(jobs, objects, binary)


def _start(tools: Toolchain, job: CompileJob) -> tuple[subprocess.Popen, Path, Path]:
    job.output.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ptofix-perf-"))
    source = work / "unit.cpp"
    source.write_text(job.source, encoding="utf-8")
    if job.kernel_text is not None:
        (work / KERNEL_COPY).write_text(job.kernel_text, encoding="utf-8")
    partial = job.output.with_name(job.output.name + f".{os.getpid()}.tmp")
    command = [tools.cxx, *job.flags, "-c", str(source), "-o", str(partial)]
    # LC_ALL=C: the compiler's messages in ASCII quotes, the same on every machine.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               errors="replace", env={**os.environ, "LC_ALL": "C"})
    return process, partial, work


def compile_all(tools: Toolchain, jobs: list[CompileJob]) -> dict[str, PtofixError]:
    """Run the jobs, ``tools.jobs`` at a time; the first failure of each kernel, by its display name."""
    failures: dict[str, PtofixError] = {}
    pending = list(jobs)
    running: list[tuple[CompileJob, subprocess.Popen, Path, Path]] = []
    try:
        while pending or running:
            while pending and len(running) < max(1, tools.jobs):
                job = pending.pop(0)
                if job.display in failures:
                    continue
                running.append((job, *_start(tools, job)))
            job, process, partial, work = running.pop(0)
            output, _ = process.communicate()
            shutil.rmtree(work, ignore_errors=True)
            if process.returncode == 0 and partial.is_file():
                os.replace(partial, job.output)
            else:
                partial.unlink(missing_ok=True)
                copy = work / KERNEL_COPY if job.kernel_text is not None else None
                failures.setdefault(job.display or "<perf main>", compile_error(job.display, output, copy))
    finally:
        for _, process, partial, work in running:
            process.kill()
            process.wait()
            partial.unlink(missing_ok=True)
            shutil.rmtree(work, ignore_errors=True)
    return failures


def link(tools: Toolchain, binary: Path, objects: list[Path]) -> None:
    """Link the objects into ``binary`` unless it is cached."""
    if binary.is_file():
        return
    binary.parent.mkdir(parents=True, exist_ok=True)
    partial = binary.with_name(binary.name + f".{os.getpid()}.tmp")
    done = subprocess.run([tools.cxx, *map(str, objects), "-o", str(partial)], capture_output=True, text=True,
                          errors="replace", timeout=600, check=False)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        first = next((line for line in (done.stderr + done.stdout).splitlines() if line.strip()), "")
        raise PtofixError(f"cannot link the Perf-Sim program: {first.strip()}")
    os.replace(partial, binary)


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

