"""What the peak memory of `pipe-v-barrier{pattern=auto}` on one file consists of.

Prints numbers, asserts nothing. The input is scripts/bench.py's concatenation of the corpus
kernels (section 2's, built by its own code: ``--size MB``) or any file (``--file PATH``). As
bench.py's in-process child, it imports the modules the pass imports on first use and runs the
pass once on the shipped FA kernel first; then it reads the file, and runs the pass under
tracemalloc, with a thread that takes a snapshot each time the traced memory passes its last
snapshot's by ``--step`` (2%): the last one is the peak's (within that step). For that snapshot it
prints the main thread's stack, the traced bytes by file and by line, and (``--types``, slow) the
objects the cyclic collector tracks, by type. Before the run it prints how the analysis groups the
file's functions (cpp/barriers.independent_groups, candidate_groups): the models of a group are
alive together, so the largest group bounds the peak from below.

Run the interpreted build (PTOFIX_PURE_PYTHON=1): tracemalloc sees where a compiled module
allocates only by the interpreted frames above it. The figures are traced bytes (Python's
allocations), not resident memory: bench.py section 2 measures that.

    PTOFIX_PURE_PYTHON=1 python scripts/peak_memory.py [--size 5 | --file F] [--top 25] [--types]
"""
from __future__ import annotations

import argparse
import collections
import gc
import importlib
import importlib.util
import os
import sys
import threading
import time
import tracemalloc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FA = os.path.join(ROOT, "kernels", "flash_attention", "fa.cpp")


def bench_concatenation(size_mb: float) -> str:
    """scripts/bench.py's concatenation (its code, imported, not a copy)."""
    spec = importlib.util.spec_from_file_location("ptofix_bench", os.path.join(ROOT, "scripts", "bench.py"))
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    if not bench.corpus_files(".cpp"):
        raise SystemExit("../shared/corpus not found: pass --file")
    return bench.concatenation(size_mb)


def short(path: str) -> str:
    return os.path.relpath(path, ROOT) if path.startswith(ROOT) else path


class PeakSampler:
    """Snapshots of tracemalloc taken from a thread as the traced memory grows."""

    def __init__(self, step: float, types: bool) -> None:
        self.step, self.types = step, types
        self.main = threading.get_ident()
        self.traced = 0
        self.snapshot: tracemalloc.Snapshot | None = None
        self.stack: list[str] = []
        self.counts: list[tuple[str, int, int]] = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self.done.wait(0.02):
            current, _ = tracemalloc.get_traced_memory()
            if current <= self.traced * (1 + self.step):
                continue
            self.traced = current
            self.snapshot = tracemalloc.take_snapshot()
            frame = sys._current_frames().get(self.main)
            stack = []
            while frame is not None and len(stack) < 12:
                stack.append(f"{short(frame.f_code.co_filename)}:{frame.f_lineno} {frame.f_code.co_name}")
                frame = frame.f_back
            self.stack = stack
            if self.types:
                count: collections.Counter[str] = collections.Counter()
                size: collections.Counter[str] = collections.Counter()
                for obj in gc.get_objects():
                    name = type(obj).__name__
                    count[name] += 1
                    size[name] += sys.getsizeof(obj)
                self.counts = [(name, count[name], total) for name, total in size.most_common(30)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=float, default=5.0, help="MB of bench.py's concatenation (default 5)")
    parser.add_argument("--file", help="a C++ file instead of the concatenation")
    parser.add_argument("--top", type=int, default=25, help="lines and files listed (default 25)")
    parser.add_argument("--step", type=float, default=0.02, help="growth between snapshots (default 0.02)")
    parser.add_argument("--types", action="store_true", help="also count the collector's objects by type (slow)")
    args = parser.parse_args()
    sys.path.insert(0, ROOT)
    os.chdir(ROOT)
    # (The modules the pass imports on first use, as bench.py's child: their objects are no data.)
    for name in ("ptofix.cpp.barriers", "ptofix.cpp.semantics", "ptofix.cpp.stmt_parser", "ptofix.cpp.vector_cfg",
                 "ptofix.passes.pipe_v_barrier"):
        importlib.import_module(name)
    import ptofix
    from ptofix.cpp.barrier_sites import candidate_groups
    from ptofix.cpp.barriers import independent_groups
    from ptofix.frontends import PARSERS
    from ptofix.pass_manager import build_pass, run_pipeline
    from ptofix.source import SourceText

    def run(text: str, path: str):
        return run_pipeline(SourceText(text, path), [build_pass("pipe-v-barrier", {"pattern": "auto"})], PARSERS)

    with open(FA, encoding="utf-8") as handle:
        run(handle.read(), FA)
    if args.file:
        path = args.file
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    else:
        path, text = f"concatenation{args.size:g}.cpp", bench_concatenation(args.size)
    mb = len(text) / 1e6
    print(f"input {path}: {mb:.2f} MB; ptofix {'compiled' if ptofix.COMPILED else 'interpreted'}")
    model = PARSERS["cpp"](SourceText(text, path))
    groups = independent_groups(model)
    decided = candidate_groups(model, groups)
    sizes = sorted((len(group) for group in decided), reverse=True)
    print(f"functions {len(model.functions)}; independent groups {len(groups)}, {len(decided)} holding a "
          f"candidate; their sizes, largest first: {sizes[:10]}")
    del model, groups, decided
    gc.collect()
    sampler = PeakSampler(args.step, args.types)
    tracemalloc.start()
    sampler.thread.start()
    c0 = time.process_time()
    out = run(text, path)
    cpu = time.process_time() - c0
    sampler.done.set()
    sampler.thread.join()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    report = out.reports[0]
    print(f"run: {cpu:.1f} s CPU under tracemalloc; {report['removed']} of {report['barriers']} barriers removed")
    if sampler.snapshot is None:
        print("no snapshot taken")
        return
    print(f"traced peak {peak / 2**20:.1f} MiB ({peak / 2**20 / mb:.1f} MiB per MB; the snapshots' own records "
          f"count in it); last snapshot at {sampler.traced / 2**20:.1f} MiB, taken in:")
    for line in sampler.stack:
        print(f"    {line}")
    snapshot = sampler.snapshot.filter_traces([tracemalloc.Filter(False, tracemalloc.__file__),
                                               tracemalloc.Filter(False, threading.__file__)])
    for key, title in (("filename", "by file"), ("lineno", "by line")):
        print(f"{title} (MiB, blocks):")
        for stat in snapshot.statistics(key)[:args.top]:
            frame = stat.traceback[0]
            where = short(frame.filename) + (f":{frame.lineno}" if key == "lineno" else "")
            print(f"  {stat.size / 2**20:7.2f} {stat.count:9d}  {where}")
    if sampler.counts:
        print("objects the collector tracks, by shallow size (MiB, count); the snapshots' records are tuples:")
        for name, count, size in sampler.counts:
            print(f"  {size / 2**20:7.2f} {count:9d}  {name}")


if __name__ == "__main__":
    main()
