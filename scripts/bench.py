"""Benchmark: ptofix against a line-regex barrier patcher, per kernel and over kernel trees.

Prints numbers, asserts nothing. Every figure is the median of N runs with its min-max; process
figures are CPU (user+sys of the child) and wall; ratios are taken per interleaved pair (ptofix
run, patcher run, ptofix run, ...) and their median is quoted, because the machine is shared.

    python scripts/bench.py [--repeat N] [--sizes 1,5,20] [--quick] [--python PATH] [--sections 1,2,3,4,5,6]

1. FA kernels, whole process: `ptofix run --pattern gu|auto FILE -o OUT` vs `scripts/regex_patcher.py`
   (read, match line by line, replace the barrier lines, write) run by the same interpreter; on the
   shipped kernels/flash_attention/fa.cpp and on the corpus's two DSL FA kernels (when present), with
   how many barriers each run removes.
2. In process: parse + `pipe-v-barrier{pattern=auto}` over ../shared/corpus (MB/s), compiled and
   interpreted (PTOFIX_PURE_PYTHON=1), each in a child that runs the corpus twice and times the
   second run (the first pays the process's one-time costs), the builds interleaved; and over the
   corpus concatenated to 1/5/20 MB (--sizes; one file the model analyses as it does each kernel,
   see concatenation), each in a fresh child interpreter: MB/s CPU, peak memory, MiB of peak per MB
   of input, time and memory ratios against the smallest size, and how many of its barriers the run
   removes (the same as over its kernels one by one: 0 would say the input is degenerate).
   The section's header line gives the machine's speed at plain Python (reference_loop), the
   figure to scale MB/s by when comparing machines.
   Peak memory: the child imports ptofix and every module the pass imports on first use, runs the
   pass once on the shipped FA kernel (a compiled build's machine code becomes resident as it first
   runs: a fixed ~6 MiB that is code, not data), reads the file, resets its high-water mark (`5`
   into /proc/self/clear_refs sets VmHWM to VmRSS), runs the
   pass and reports VmHWM minus the VmRSS at the reset (from /proc/self/status): the resident
   memory the run added at its peak, lark grammar included. It agrees with `/usr/bin/time -v`'s
   "Maximum resident set size" and ru_maxrss of the child to 0.3 MB (checked on 1 and 5 MB).
   Without /proc it falls back to ru_maxrss growth from the file read on, which under-reports (a
   peak before the run, e.g. reading the file, hides that much of the run's) and says so.
3. The IR side: `canonicalize --target-ptoas v0.45` over the corpus .pto files (MB/s), and over
   the corpus's FA module with its functions repeated 1/4/16 times (time against the input's size).
4. A kernel tree: one process per file vs one `ptofix run FILE... -o DIR -j 2` call (files/s).
5. Scaling with the kernel's shape, in process: CPU time at N, 2N, 4N, 8N (and the ratio against N;
   linear is 2x, 4x, 8x) for shapes that once made the analysis superlinear: if/else chains whose
   else has no barrier (every barrier's window would hold O(N) ops; a walk stops at MAX_WINDOW_OPS),
   `check` over N independent ops with no barrier, a SetValidShape before each op, V->S flag pairs
   under `check`, N helpers holding a V->S pair called from one kernel, and N TPipes in one
   function under local-slot-num (pairs sharing one of the 16 FlagIDs are reported pairwise:
   quadratic in that count by design), and straight-line barrier chains on one tile and on two
   alternating tiles (the selection search: issue #60 wants 8,000 pairs well under 10 s).

6. Pathological inputs (scripts/fuzz.py --families: kernels grown by long tokens, long statements,
   many blocks, call and alias chains; unterminated IR constructs), each in a process at a quarter
   of and at its default size: seconds, peak resident memory (ru_maxrss) and MiB of peak per MB of
   input above the plain kernel's peak.

--python PATH picks the interpreter of the process measurements (1 and 4; default: the one running
this script): its `ptofix` console script (what a kernel build runs) when it has one, else
`PATH -m ptofix`, with the ptofix that interpreter imports (an editable install of this tree, or a
regular install, e.g. `python3 -m venv /tmp/venv-reg && /tmp/venv-reg/bin/pip install .`).
Sections 2 and 3 run in this script's own interpreter on the source tree.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "..", "shared", "corpus")
FA = os.path.join(ROOT, "kernels", "flash_attention", "fa.cpp")
# The corpus's largest FA kernel (58 KB, 46 PIPE_V barriers; its tiles lie past the 192 KiB UB, so
# the proof runs in full but gu removes none) and its split-pipe sibling (37 KB, 46 barriers; gu
# selects 5 and removes none, each needed for a byte overlap; auto removes 13); section 1 skips them
# when absent.
FA_LARGE = os.path.join(CORPUS, "real", "02_fa_call_both.cpp")
FA_SPLIT = os.path.join(CORPUS, "real", "03_fa_splitpipe_call_both.cpp")
PATCHER = os.path.join(ROOT, "scripts", "regex_patcher.py")
# Measure as a kernel build runs it: with bytecode caches (some shells export
# PYTHONDONTWRITEBYTECODE, which recompiles every module at every start).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def reference_loop() -> str:
    """How fast this machine runs plain Python: CPU seconds of a fixed 20M-step integer loop
    (median of 3). MB/s figures taken on different machines compare only through it (a machine
    that runs the loop in half the time runs ptofix at about twice the MB/s)."""
    def once() -> float:
        c0 = time.process_time()
        total = 0
        for i in range(20_000_000):
            total += i
        return time.process_time() - c0
    return f"reference loop (20M Python steps) {statistics.median(once() for _ in range(3)):.2f} s CPU"


def fmt(values: list[float], unit: str = "ms", scale: float = 1000.0) -> str:
    med = statistics.median(values) * scale
    return f"{med:8.1f} {unit} (min {min(values) * scale:.1f}, max {max(values) * scale:.1f})"


def ptofix_command(python: str) -> tuple[list[str], str]:
    """How to start ptofix with ``python``, and a line saying what that runs."""
    script = os.path.join(os.path.dirname(python), "ptofix")
    command = [script] if os.path.isfile(script) and os.access(script, os.X_OK) else [python, "-m", "ptofix"]
    # From a scratch directory: `-m` must not pick up ./ptofix of the current directory.
    probe = subprocess.run([python, "-c", "import platform, ptofix; "
                            "print(platform.python_version(), ptofix.COMPILED, ptofix.__file__)"],
                           capture_output=True, text=True, env=ENV, cwd=tempfile.gettempdir())
    if probe.returncode != 0:
        raise SystemExit(f"{python} cannot import ptofix:\n{probe.stderr}")
    version, compiled, where = probe.stdout.split(maxsplit=2)
    where = os.path.dirname(where.strip())
    in_tree = os.path.realpath(where).startswith(os.path.realpath(ROOT) + os.sep)
    kind = "this source tree (editable install)" if in_tree else f"an installed copy in {where}"
    if in_tree:
        # The editable install's import hook loads at every start of this interpreter, the
        # patcher's too (a bare start measured 22 ms CPU here, 11 without it): both sides pay it,
        # which lowers the ratio. A kernel build's regular install does not.
        kind += ("; its start-up hook is paid by the patcher too, which flatters the ratio: for a build's "
                 "figure pass --python of a regular install")
    how = "compiled with mypyc" if compiled == "True" else "interpreted"
    return command, f"interpreter {python} (Python {version}); ptofix ({how}): `{' '.join(command)}`, from {kind}"


LARK_PROBE = r'''
import sys
from ptofix.cli import main
status = main(["run", "--pattern", "auto", sys.argv[1], "-o", sys.argv[2]])
print(status, "lark" in sys.modules)
'''


def grammar_note(python: str, kernel: str, out: str) -> str:
    """Whether a run of ``kernel`` needs the lark grammar (statements beyond the fast path): ~40 ms."""
    probe = subprocess.run([python, "-c", LARK_PROBE, kernel, out], capture_output=True, text=True, env=ENV,
                           cwd=tempfile.gettempdir())
    if probe.returncode != 0 or not probe.stdout.strip():
        return "grammar use unknown"
    return "imports lark: a statement is beyond the fast path" if probe.stdout.split()[-1] == "True" \
        else "fast path only, no lark"


def run_process(cmd: list[str]) -> tuple[float, float]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV,
                            cwd=tempfile.gettempdir())
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        raise SystemExit(f"command failed ({status}): {' '.join(cmd)}")
    return wall, usage.ru_utime + usage.ru_stime


def interleaved(ours: list[str], base: list[str], repeat: int) -> dict:
    run_process(ours)
    run_process(base)            # warm-up: bytecode caches, page cache
    out: dict[str, list[float]] = {"ours_wall": [], "ours_cpu": [], "base_wall": [], "base_cpu": [],
                                   "ratio_wall": [], "ratio_cpu": []}
    for _ in range(repeat):
        ow, oc = run_process(ours)
        bw, bc = run_process(base)
        out["ours_wall"].append(ow)
        out["ours_cpu"].append(oc)
        out["base_wall"].append(bw)
        out["base_cpu"].append(bc)
        out["ratio_wall"].append(ow / bw)
        out["ratio_cpu"].append(oc / bc)
    return out


def fa_kernel(repeat: int, python: str) -> None:
    command, what = ptofix_command(python)
    print(f"1. FA kernels, whole process, {repeat} interleaved pairs; {load()}")
    print(f"   {what}")
    kernels = [FA]
    for corpus_kernel in (FA_LARGE, FA_SPLIT):
        if os.path.isfile(corpus_kernel):
            kernels.append(corpus_kernel)
        else:
            print(f"   {os.path.relpath(corpus_kernel, ROOT)} not found (no corpus): skipped")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.cpp")
        for kernel in kernels:
            with open(kernel, encoding="utf-8", errors="replace") as handle:
                barriers = handle.read().count("pipe_barrier(PIPE_V)")
            print(f"   {os.path.relpath(kernel, ROOT)} ({os.path.getsize(kernel)} bytes, {barriers} PIPE_V barriers;"
                  f" {grammar_note(python, kernel, out)})")
            for pattern, base_patterns in (("gu", ["gu"]), ("auto", ["gu", "softmax-exp-sum", "softmax-sum-add"])):
                ours = [*command, "run", "--pattern", pattern, kernel, "-o", out]
                base = [python, PATCHER, kernel, out, *base_patterns]
                r = interleaved(ours, base, repeat)
                run_process(ours)
                with open(out, encoding="utf-8", errors="replace") as handle:
                    removed = handle.read().count("ptofix: removed pipe_barrier(PIPE_V)")
                print(f"   run --pattern {pattern:5}  CPU {fmt(r['ours_cpu'])}   wall {fmt(r['ours_wall'])}"
                      f"   ({removed} removed)")
                print(f"   regex patcher       CPU {fmt(r['base_cpu'])}   wall {fmt(r['base_wall'])}")
                print(f"   ratio (pairs)       CPU {statistics.median(r['ratio_cpu']):6.2f}x "
                      f"(min {min(r['ratio_cpu']):.2f}, max {max(r['ratio_cpu']):.2f})   wall "
                      f"{statistics.median(r['ratio_wall']):6.2f}x")


def corpus_files(ext: str) -> list[str]:
    return sorted(glob.glob(os.path.join(CORPUS, "**", f"*{ext}"), recursive=True))


IN_PROCESS = r'''
import json, os, resource, sys, time
from ptofix.frontends import PARSERS
from ptofix.pass_manager import build_pass, run_pipeline
from ptofix.source import SourceText
# The modules the pass imports on first use, so the peak below is data, not code; and the pass
# run once on the shipped kernel, so that a compiled build's machine code is resident before the
# mark (its pages count in the resident size from their first use on: ~6 MiB, whatever the input).
import ptofix.cpp.barriers, ptofix.cpp.semantics, ptofix.cpp.stmt_parser, ptofix.cpp.vector_cfg
import ptofix.cpp.weights, ptofix.passes.pipe_v_barrier
_warm = os.path.join("kernels", "flash_attention", "fa.cpp")
run_pipeline(SourceText(open(_warm, encoding="utf-8").read(), _warm),
             [build_pass("pipe-v-barrier", {"pattern": "auto"})], PARSERS)


def status(key):
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(key + ":"):
                return int(line.split()[1])       # kB
    raise KeyError(key)


text = open(sys.argv[1], encoding="utf-8").read()
pass_ = build_pass("pipe-v-barrier", {"pattern": "auto"})
try:
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")                          # VmHWM := VmRSS
    base, how = status("VmRSS"), "proc"
except OSError:
    base, how = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "ru_maxrss"
t0, c0 = time.perf_counter(), time.process_time()
out = run_pipeline(SourceText(text, sys.argv[1]), [pass_], PARSERS)
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
peak = status("VmHWM") if how == "proc" else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"wall": wall, "cpu": cpu, "peak_kib": peak, "base_kib": base, "how": how,
                  "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "lark": "lark" in sys.modules, "removed": out.reports[0]["removed"],
                  "barriers": out.reports[0]["barriers"]}))
'''


CORPUS_RUN = r'''
import json, sys, time
sys.path.insert(0, ".")
import ptofix
from ptofix.frontends import PARSERS
from ptofix.pass_manager import build_pass, run_pipeline
from ptofix.source import PtofixError, SourceText
texts = [(p, open(p, encoding="utf-8", errors="replace").read()) for p in json.loads(sys.argv[1])]
# Twice, the second timed: the first pays what a process pays once (lark's grammar for the few
# statements past the fast path, regex and name tables), as a long-lived caller or -j worker does.
for _ in range(2):
    t0, c0 = time.perf_counter(), time.process_time()
    for path, text in texts:
        try:
            run_pipeline(SourceText(text, path), [build_pass("pipe-v-barrier", {"pattern": "auto"})], PARSERS)
        except PtofixError:
            pass
print(json.dumps({"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0, "compiled": ptofix.COMPILED}))
'''


def concatenation(target_mb: float) -> str:
    """The corpus kernels concatenated to about ``target_mb`` MB into one file the model analyses
    as it does each kernel: what comes before a copy's first function (its ``#include`` lines,
    ``using namespace pto;``, ptoas's ``PTOAutoSyncTailMode``) is put at the top once, and so is
    ptoas's ``ptoas_auto_sync_tail`` helper when its definition is the same; the copy's other
    functions follow, their names made unique. (Copied whole, each copy's include came after the
    previous copy's functions: every function "defined before pto's header", nothing modelled, and
    the figure measured parsing alone.) Taken: the files the model reads alone whose text before
    the first function holds no directive but ``#include`` (a macro there may change pto's header,
    and below it would mean something else) and whose functions hold none but ``#if`` sections."""
    sys.path.insert(0, ROOT)
    from ptofix.cpp.header_policy import unmodelled_file
    from ptofix.cpp.parser import parse_cpp
    from ptofix.source import PtofixError, SourceText
    includes: list[str] = []
    prelude: list[str] = []        # the distinct texts before the first function, includes removed
    shared: dict[str, str] = {}    # a shared helper's name -> its definition
    types: set[str] = set()        # the types the prelude defines
    parts: list[str] = []
    size = 0
    copy = 0
    files = corpus_files(".cpp")
    while size < target_mb * 1e6:
        for path in files:
            text = open(path, encoding="utf-8", errors="replace").read()
            if "pipe_barrier" not in text:
                continue
            try:
                model = parse_cpp(SourceText(text, path))
            except PtofixError:
                continue
            if not model.functions or unmodelled_file(model):
                continue      # (an unread header would leave the whole concatenation unmodelled)
            first = min(fn.span.start for fn in model.functions)
            head, rest = text[:first], text[first:]
            if re.search(r"^[ \t]*#(?!\s*include\b)", head, re.M) \
                    or re.search(r"^[ \t]*#\s*(?!(?:if|ifdef|ifndef|elif|else|endif)\b)", rest, re.M):
                continue      # (a macro, or an include among the functions)
            pre = re.sub(r"^[ \t]*#.*\n?", "", head, flags=re.M).strip()
            defined = set(re.findall(r"\b(?:enum(?:\s+class)?|struct|class)\s+(\w+)", pre))
            helpers = {fn.name: text[fn.span.start:fn.span.end] for fn in model.functions
                       if fn.name == "ptoas_auto_sync_tail"}
            if (pre not in prelude and defined & types) \
                    or any(shared.get(name, body) != body for name, body in helpers.items()):
                continue      # (a type defined twice, or another helper of the same name)
            if pre and pre not in prelude:
                prelude.append(pre)
                types |= defined
            for name, body in helpers.items():
                if name not in shared:
                    shared[name] = body
                    prelude.append(body)
                rest = rest.replace(body, "", 1)
            includes += [line.strip() for line in head.splitlines()
                         if line.lstrip().startswith("#") and line.strip() not in includes]
            for name in sorted({fn.name for fn in model.functions} - set(helpers), key=len, reverse=True):
                rest = re.sub(rf"\b{re.escape(name)}\b", f"{name}_{copy}", rest)
            rest = rest if rest.endswith("\n") else rest + "\n"
            parts.append(rest)
            size += len(rest)
            copy += 1
            if size >= target_mb * 1e6:
                break
    top = "\n".join(includes) + "\n\n" + "\n\n".join(prelude) + "\n\n"
    return top + "".join(parts)


def in_process(sizes: list[float], repeat: int) -> None:
    files = corpus_files(".cpp")
    if not files:
        print("2. corpus: ../shared/corpus not found, skipped")
        return
    total = sum(os.path.getsize(p) for p in files) / 1e6
    # Each build in a child of its own (PTOFIX_PURE_PYTHON selects the interpreted one), the two
    # interleaved a run at a time.
    runs: dict[str, list[dict]] = {"compiled": [], "interpreted": []}
    for _ in range(repeat):
        for build, env in (("compiled", ENV), ("interpreted", {**ENV, "PTOFIX_PURE_PYTHON": "1"})):
            proc = subprocess.run([sys.executable, "-c", CORPUS_RUN, json.dumps(files)], capture_output=True,
                                  text=True, env=env, cwd=ROOT)
            if proc.returncode != 0:
                raise SystemExit(proc.stderr)
            runs[build].append(json.loads(proc.stdout))
    print(f"2. in process, parse + proof (auto) over {len(files)} corpus files ({total:.2f} MB); {load()}; "
          f"{reference_loop()}")
    for build, measured in runs.items():
        if build == "compiled" and not all(m["compiled"] for m in measured):
            print("   compiled: the compiled build is not in use (not built, or built from other sources)")
            continue
        cpu = [total / m["cpu"] for m in measured]
        wall = [total / m["wall"] for m in measured]
        print(f"   {build:11} {statistics.median(cpu):6.2f} MB/s CPU (min {min(cpu):.2f}, max {max(cpu):.2f}), "
              f"{statistics.median(wall):6.2f} MB/s wall")
    if all(m["compiled"] for m in runs["compiled"]):
        ratios = [i["cpu"] / c["cpu"] for c, i in zip(runs["compiled"], runs["interpreted"], strict=True)]
        print(f"   compiled is {statistics.median(ratios):.2f}x as fast (CPU, median of interleaved pairs; "
              f"min {min(ratios):.2f}, max {max(ratios):.2f})")
    with tempfile.TemporaryDirectory() as tmp:
        results = []
        for mb in sizes:
            path = os.path.join(tmp, f"cat{mb}.cpp")
            text = concatenation(mb)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
            measured = []
            for _ in range(max(3, repeat)):
                proc = subprocess.run([sys.executable, "-c", IN_PROCESS, path], capture_output=True, text=True,
                                      env=ENV, cwd=ROOT)
                if proc.returncode != 0:
                    raise SystemExit(proc.stderr)
                measured.append(json.loads(proc.stdout))
            real_mb = len(text) / 1e6
            cpu = statistics.median(m["cpu"] for m in measured)
            peaks = [(m["peak_kib"] - m["base_kib"]) / 1024 for m in measured]
            peak = statistics.median(peaks)
            results.append((real_mb, cpu, peak))
            line = (f"   concatenation {real_mb:5.1f} MB: {real_mb / cpu:6.2f} MB/s CPU, peak +{peak:6.1f} MiB "
                    f"(min {min(peaks):.1f}, max {max(peaks):.1f}; {peak / real_mb:5.1f} MiB per MB)")
            if len(results) > 1:
                m0, c0, p0 = results[0]
                line += (f", {real_mb / m0:.1f}x input: {cpu / c0:.1f}x time, {peak / max(p0, 0.1):.1f}x memory")
            print(line + f"; {measured[0]['removed']} of {measured[0]['barriers']} barriers removed"
                  + ("" if measured[0]["how"] == "proc" else
                     " [no /proc: peak is ru_maxrss growth from the file read on, which under-reports]"))


def ir_side(repeat: int) -> None:
    files = corpus_files(".pto")
    if not files:
        print("3. IR: no corpus .pto files, skipped")
        return
    sys.path.insert(0, ROOT)
    from ptofix.frontends import PARSERS
    from ptofix.pass_manager import build_pass, run_pipeline
    from ptofix.source import PtofixError, SourceText
    texts = [(p, open(p, encoding="utf-8", errors="replace").read()) for p in files]
    total = sum(len(t) for _, t in texts) / 1e6
    cpus = []
    for _ in range(repeat):
        c0 = time.process_time()
        for path, text in texts:
            try:
                run_pipeline(SourceText(text, path), [build_pass("canonicalize", {"target-ptoas": "v0.45"})], PARSERS)
            except PtofixError:
                pass
        cpus.append(time.process_time() - c0)
    print(f"3. IR: canonicalize --target-ptoas v0.45 over {len(files)} .pto files ({total:.2f} MB): "
          f"{statistics.median(total / c for c in cpus):.2f} MB/s CPU (min {min(total / c for c in cpus):.2f}, "
          f"max {max(total / c for c in cpus):.2f})")
    fa_ir = FA_LARGE[:-len(".cpp")] + ".pto"
    if os.path.isfile(fa_ir):
        # The FA module's functions N times (renamed) in one module: time against the input's size.
        text = open(fa_ir, encoding="utf-8").read()
        head, body, tail = re.match(r"(.*?module[^{]*\{\n)(.*)(\n\}\s*)$", text, re.S).groups()  # type: ignore[union-attr]
        symbols = sorted(set(re.findall(r"@([A-Za-z_]\w*)", body)))
        first = None
        for copies in (1, 4, 16):
            copied = "\n".join(re.sub(r"@(" + "|".join(symbols) + r")\b", rf"@\g<1>_{i}", body) for i in range(copies))
            module = head + copied + tail
            cpus = []
            for _ in range(repeat):
                c0 = time.process_time()
                run_pipeline(SourceText(module, "fa.pto"), [build_pass("canonicalize", {"target-ptoas": "v0.45"})],
                             PARSERS)
                cpus.append(time.process_time() - c0)
            first = first or statistics.median(cpus)
            print(f"   the FA module's functions x{copies:2d} ({len(module) / 1e6:.2f} MB): {fmt(cpus)} CPU, "
                  f"{statistics.median(cpus) / first:4.1f}x the time of x1")


def kernel_tree(repeat: int, python: str) -> None:
    files = [p for p in corpus_files(".cpp") if "pipe_barrier" in open(p, encoding="utf-8", errors="replace").read()]
    files = files[:60]
    if not files:
        print("4. kernel tree: no corpus, skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        tree = []
        for i, path in enumerate(files):
            target = os.path.join(tmp, f"k{i}.cpp")
            with open(path, encoding="utf-8", errors="replace") as src, open(target, "w", encoding="utf-8") as dst:
                dst.write(src.read())
            tree.append(target)
        outdir = os.path.join(tmp, "out")
        os.mkdir(outdir)
        command, what = ptofix_command(python)
        per_file, one_call = [], []
        for _ in range(max(1, repeat // 2)):
            t0 = time.perf_counter()
            for path in tree:
                subprocess.run([*command, "run", "--pattern", "auto", path, "-o",
                                os.path.join(outdir, os.path.basename(path))], env=ENV, capture_output=True, cwd=tmp)
            per_file.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            subprocess.run([*command, "run", "--pattern", "auto", "-j", "2", "-o", outdir, *tree],
                           env=ENV, capture_output=True, cwd=tmp)
            one_call.append(time.perf_counter() - t0)
        n = len(tree)
        print(f"4. kernel tree of {n} corpus kernels, `run --pattern auto`; {load()}")
        print(f"   {what}")
        print(f"   one process per file : {statistics.median(n / t for t in per_file):6.1f} files/s wall")
        print(f"   one call, -j 2       : {statistics.median(n / t for t in one_call):6.1f} files/s wall")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--sizes", default="1,5,20", help="corpus concatenation sizes in MB")
    parser.add_argument("--quick", action="store_true", help="3 repeats, 1 MB only")
    parser.add_argument("--python", default=sys.executable, metavar="PATH",
                        help="interpreter of the process measurements, sections 1 and 4 (default: this one)")
    parser.add_argument("--sections", default="1,2,3,4,5,6", metavar="N[,N...]", help="which sections to run")
    args = parser.parse_args()
    repeat = 3 if args.quick else args.repeat
    sizes = [1.0] if args.quick else [float(x) for x in args.sizes.split(",")]
    # Not resolved through symlinks: a venv's python is a symlink to the base interpreter.
    python = os.path.abspath(args.python if os.sep in args.python else shutil.which(args.python) or args.python)
    sections = {int(x) for x in args.sections.split(",")}
    if 1 in sections:
        fa_kernel(repeat, python)
    if 2 in sections:
        in_process(sizes, max(1, repeat // 3))
    if 3 in sections:
        ir_side(max(1, repeat // 3))
    if 4 in sections:
        kernel_tree(repeat, python)
    if 5 in sections:
        scaling(max(1, repeat // 3))
    if 6 in sections:
        pathological(max(1, repeat // 3))
    return 0


def pathological(repeat: int) -> None:
    """Section 6: scripts/fuzz.py's pathological families (grown FA kernels), each in a process at a
    quarter of its default size and at its default size: seconds and peak resident memory (medians),
    and MiB of peak per MB of input above the peak of the plain kernel's run."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import random

    import fuzz
    print(f"\n6. Pathological inputs, one process each (median of {repeat}); MiB/MB: peak above the plain "
          "kernel's, per MB of input")
    workdir = tempfile.mkdtemp(prefix="ptofix-bench-")
    try:
        base = {}
        for suffix, kernel in ((".cpp", fuzz.FA_CPP), (".mlir", fuzz.FA_MLIR)):
            argv = ["canonicalize", "--target-ptoas", "v0.45", kernel, "-o", os.path.join(workdir, "o.mlir")] \
                if suffix == ".mlir" else ["run", "--pattern", "auto", kernel, "-o", os.path.join(workdir, "o.cpp")]
            base[suffix] = statistics.median(fuzz.run_measured(argv, 120.0)[1] for _ in range(repeat))
        print(f"   plain kernels: fa.cpp peak {base['.cpp']:.1f} MiB, fa.mlir peak {base['.mlir']:.1f} MiB")
        for family, (size, _) in fuzz.FAMILIES.items():
            for scale in (0.25, 1.0):
                n = max(1, int(size * scale))
                suffix, text = fuzz.family_input(family, n, random.Random(0))
                path = os.path.join(workdir, family + suffix)
                with open(path, "w", encoding="utf-8") as handle:
                    handle.write(text)
                out = os.path.join(workdir, "out" + suffix)
                argv = ["canonicalize", "--target-ptoas", "v0.45", path, "-o", out] if suffix == ".mlir" \
                    else ["run", "--pattern", "auto", path, "-o", out]
                runs = [fuzz.run_measured(argv, 600.0) for _ in range(repeat)]
                seconds = statistics.median(outcome.seconds for outcome, _ in runs)
                peak = statistics.median(mib for _, mib in runs)
                megabytes = len(text.encode()) / 1e6
                print(f"   {family:26s} {n:>9d} items {megabytes:6.2f} MB  exit {runs[0][0].status}  "
                      f"{seconds:6.2f} s  peak {peak:6.1f} MiB  {(peak - base[suffix]) / megabytes:7.1f} MiB/MB")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


_SMALL_TILE = "Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null>"
_TWO_TILES = f"  {_SMALL_TILE} a;\n  TASSIGN(a, 0);\n  {_SMALL_TILE} b;\n  TASSIGN(b, 64);\n"


def branchy_kernel(branches: int) -> str:
    tile = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"
    body = "".join(f"  if (n > {i}) {{\n    TADD(a, a, a);\n    pipe_barrier(PIPE_V);\n  }} else {{\n"
                   "    TMUL(b, b, b);\n  }\n" for i in range(branches))
    return (f"__global__ AICORE void k(int64_t n) {{\n  {tile} a;\n  TASSIGN(a, 0);\n  {tile} b;\n"
            f"  TASSIGN(b, 65536);\n  pipe_barrier(PIPE_ALL);\n{body}}}\n")


def independent_ops_kernel(ops: int) -> str:
    decls = "".join(f"  {_SMALL_TILE} t{i};\n  TASSIGN(t{i}, {64 * i});\n" for i in range(ops))
    return ("__global__ AICORE void k() {\n" + decls + "  pipe_barrier(PIPE_ALL);\n"
            + "".join(f"  TADD(t{i}, t{i}, t{i});\n" for i in range(ops)) + "}\n")


def set_valid_shape_kernel(ops: int) -> str:
    body = "  a.SetValidShape(1, n);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  TMUL(b, a, a);\n"
    return f"__global__ AICORE void k(int64_t n) {{\n{_TWO_TILES}{body * ops}}}\n"


def v_to_s_flags_kernel(ops: int) -> str:
    body = "".join(f"  TADD(a, a, a);\n  set_flag(PIPE_V, PIPE_S, EVENT_ID{i % 8});\n"
                   f"  wait_flag(PIPE_V, PIPE_S, EVENT_ID{i % 8});\n  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n"
                   for i in range(ops))
    return f"__global__ AICORE void k(int64_t n) {{\n{_TWO_TILES}{body}}}\n"


def flagged_helpers_kernel(helpers: int) -> str:
    defs = "".join(f"static AICORE void h{i}({_SMALL_TILE} &x) {{\n  TADD(x, x, x);\n"
                   "  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);\n"
                   "  pipe_barrier(PIPE_V);\n  TMUL(x, x, x);\n}\n" for i in range(helpers))
    calls = "".join(f"  h{i}(a);\n" for i in range(helpers))
    return f"{defs}__global__ AICORE void k(int64_t n) {{\n{_TWO_TILES}{calls}}}\n"


def tpipes_kernel(pipes: int) -> str:
    def tpipe(i: int) -> str:
        return f"TPipe<{i % 16}, Direction::DIR_C2V, 65536, 8, 8, true>"
    body = "".join(f"  {tpipe(i)} p{i}(v, 0, 0);\n  TPUSH<{tpipe(i)}, {_SMALL_TILE}, TileSplitAxis::TILE_NO_SPLIT>"
                   f"(p{i}, a);\n" for i in range(pipes))
    return f"__global__ AICORE void k(__gm__ float* v) {{\n{_TWO_TILES}{body}}}\n"


def barrier_chain_kernel(pairs: int, alternating: bool = False) -> str:
    """``pairs`` x ``TADD; barrier; TMUL; barrier`` on one tile (every barrier removable alone: the
    walks reach their work bound and the selection search runs) or alternating two tiles (every
    other pair needed), as tests/test_work_bounds.py builds them."""
    tile = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"
    body = [f"  {tile} a;", "  TASSIGN(a, 0);", f"  {tile} b;", "  TASSIGN(b, 65536);"]
    for i in range(pairs):
        ops = ("TADD(b, a, b);", "TMUL(a, b, a);") if alternating and i % 2 else ("TADD(a, a, a);", "TMUL(a, a, a);")
        body += [f"  {ops[0]}", "  pipe_barrier(PIPE_V);", f"  {ops[1]}", "  pipe_barrier(PIPE_V);"]
    return "__global__ AICORE void k(__gm__ float* x) {\n" + "\n".join(body) + "\n}\n"


def scaling(repeat: int) -> None:
    sys.path.insert(0, ROOT)
    from ptofix.frontends import PARSERS
    from ptofix.pass_manager import build_pass, run_pipeline
    from ptofix.source import SourceText

    def one(label: str, sizes: tuple, kernel, job: tuple) -> None:
        first = None
        # (Untimed first run: modules the pass imports on first use, the grammar.)
        run_pipeline(SourceText(kernel(sizes[0]), "scaling.cpp"), [build_pass(*job)], PARSERS)
        for size in sizes:
            text = kernel(size)
            times = []
            for _ in range(repeat):
                c0 = time.process_time()
                run_pipeline(SourceText(text, "scaling.cpp"), [build_pass(*job)], PARSERS)
                times.append(time.process_time() - c0)
            median = statistics.median(times)
            first = first or median
            print(f"   {size:4d} {label} ({len(text) / 1000:5.1f} KB): {fmt(times)}"
                  f" CPU, {median / first:4.1f}x the time of {sizes[0]}")

    print(f"5. scaling with the kernel's shape, in process (median of {repeat}); {load()}")
    print("   run --pattern auto, if/else chains whose else has no barrier:")
    one("branches", (100, 200, 400, 800, 1600), branchy_kernel, ("pipe-v-barrier", {"pattern": "auto"}))
    print("   check --fix over independent ops with no barrier:")
    one("ops", (250, 500, 1000, 2000), independent_ops_kernel, ("pipe-v-barrier-insert", {}))
    print("   run --pattern auto, a SetValidShape before each op of one tile:")
    one("ops", (200, 400, 800, 1600), set_valid_shape_kernel, ("pipe-v-barrier", {"pattern": "auto"}))
    print("   check --fix, V->S flag pairs between ops:")
    one("pairs", (200, 400, 800, 1600), v_to_s_flags_kernel, ("pipe-v-barrier-insert", {}))
    print("   run --pattern auto, helpers with a V->S flag pair, each called once from the kernel:")
    one("helpers", (200, 400, 800, 1600), flagged_helpers_kernel, ("pipe-v-barrier", {"pattern": "auto"}))
    print("   run --pattern auto, TADD; barrier; TMUL; barrier on one tile (the selection search's worst):")
    one("pairs", (1000, 2000, 4000, 8000), barrier_chain_kernel, ("pipe-v-barrier", {"pattern": "auto"}))
    print("   run --pattern auto, the same alternating two tiles (every other pair needed):")
    one("pairs", (2000, 4000, 8000, 16000), lambda n: barrier_chain_kernel(n, True),
        ("pipe-v-barrier", {"pattern": "auto"}))
    print("   local-slot-num{map=2}, TPipes in one function (16 FlagIDs: pairs share them):")
    one("pipes", (200, 400, 800, 1600), tpipes_kernel, ("local-slot-num", {"map": "2"}))


if __name__ == "__main__":
    sys.exit(main())
