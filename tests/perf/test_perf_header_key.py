"""perf's cached objects are of the kernel's headers as they were: a changed header is another build.

The trace's key held the kernel's own headers (red team red4, tests/trace/test_trace_header_cache.py);
perf's build keyed its two halves on the kernel's text, flags and checkout only, so editing a header
the kernel includes reused the objects built from the old one, and Perf-Sim timed code that no longer
exists. Both read ptofix/perf/build.py `included_headers_key`. No compiler runs here: the plan's
object names are its keys.
"""
from __future__ import annotations

from pathlib import Path

from ptofix.perf.build import EntryCall, Toolchain, plan_kernel

KERNEL = ('#include "pto/pto-inst.hpp"\n#include "helpers.hpp"\nusing namespace pto;\n'
          "__global__ AICORE void k() { useb(); }\n")


def _objects(tmp_path: Path, kernel: Path) -> list[str]:
    tools = Toolchain("g++", "g++ 12", tmp_path / "include", "checkout", tmp_path / "cache")
    return [o.name for o in plan_kernel(tools, str(kernel), kernel.read_text(), EntryCall("k", (), (), ())).objects]


def test_a_changed_local_header_is_another_build(tmp_path):
    kernel = tmp_path / "k.cpp"
    kernel.write_text(KERNEL)
    header = tmp_path / "helpers.hpp"
    header.write_text("static inline void useb() { pipe_barrier(PIPE_V); }\n")
    before = _objects(tmp_path, kernel)
    assert before == _objects(tmp_path, kernel)                 # the same files: the same build
    header.write_text("static inline void useb() {}\n")       # `run` removed its barrier
    after = _objects(tmp_path, kernel)
    # Both halves are rebuilt (the main object, which holds no kernel code, is shared).
    assert [a == b for a, b in zip(before, after, strict=True)] == [False, False, True]


def test_a_kernel_without_local_headers_keys_on_its_text_alone(tmp_path):
    kernel = tmp_path / "k.cpp"
    kernel.write_text(KERNEL.replace('#include "helpers.hpp"\n', "").replace("useb();", ""))
    (tmp_path / "helpers.hpp").write_text("// not included\n")
    before = _objects(tmp_path, kernel)
    (tmp_path / "helpers.hpp").write_text("// changed, still not included\n")
    assert _objects(tmp_path, kernel) == before
