"""A cached trace is of the kernel's headers as they were: a changed header is another build.

Red team red4. `check --trace` keyed its cached build on the kernel's text, flags and checkout only,
so once a kernel had been traced, editing a header it includes (here: `run` removing the entry
barrier of a static helper in `helpers.hpp`, the defect tests/cpp/test_header_inputs.py pins)
reused the old object and the judge found no race in code that had one. The key now holds the
names and bytes of the headers the kernel reads (ptofix/perf/build.py `included_headers_key`, which perf's build keys use too).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from test_trace import PTO_ISA, in_perfsim  # (the perfsim marks every trace test shares)

from ptofix.perf.build import included_headers_key

T = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"
HEADER = f"""#pragma once
#include "pto/pto-inst.hpp"
using namespace pto;
static AICORE inline void useb({T}& t) {{
  pipe_barrier(PIPE_V);
  TMUL(t, t, t);
}}
"""
KERNEL = f"""#include "helpers.hpp"

__global__ AICORE void kern2(__gm__ float* v1) {{
  {T} a;
  TASSIGN(a, 0);
  {T} b;
  TASSIGN(b, 4096);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  useb(b);
  pipe_barrier(PIPE_ALL);
}}
"""


def write(tmp_path: Path, header: str) -> Path:
    (tmp_path / "helpers.hpp").write_text(header, encoding="utf-8")
    kernel = tmp_path / "main.cpp"
    kernel.write_text(KERNEL, encoding="utf-8")
    return kernel


def test_the_key_follows_the_headers_bytes(tmp_path):
    kernel = write(tmp_path, HEADER)
    before = included_headers_key(str(kernel), KERNEL, ())
    assert before == included_headers_key(str(kernel), KERNEL, ())
    write(tmp_path, HEADER.replace("pipe_barrier(PIPE_V);", "/* removed */"))
    assert included_headers_key(str(kernel), KERNEL, ()) not in ("", before)


def test_a_header_in_an_include_directory_counts(tmp_path):
    inc = tmp_path / "inc"
    inc.mkdir()
    (inc / "helpers.hpp").write_text(HEADER, encoding="utf-8")
    kernel = tmp_path / "main.cpp"
    kernel.write_text(KERNEL, encoding="utf-8")
    before = included_headers_key(str(kernel), KERNEL, (str(inc),))
    (inc / "helpers.hpp").write_text(HEADER + "// edited\n", encoding="utf-8")
    assert included_headers_key(str(kernel), KERNEL, (str(inc),)) != before


def test_a_kernel_without_headers_of_its_own_adds_nothing():
    assert included_headers_key("k.cpp", '#include "pto/pto-inst.hpp"\n#include <cstdint>\n', ()) == ""


@in_perfsim
@pytest.mark.slow
def test_the_trace_of_an_edited_header_is_built_again(tmp_path):
    def trace() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "ptofix", "check", "--trace", "--pto-isa", str(PTO_ISA),
                               "--cache-dir", str(tmp_path / "cache"), "--function", "kern2", str(kernel)],
                              capture_output=True, text=True, check=False)
    kernel = write(tmp_path, HEADER)
    first = trace()
    assert first.returncode == 0, first.stderr
    write(tmp_path, HEADER.replace("  pipe_barrier(PIPE_V);\n", ""))
    second = trace()
    assert second.returncode == 1 and "race in the trace" in second.stderr, second.stderr
