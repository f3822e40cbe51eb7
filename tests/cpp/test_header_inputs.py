"""A file named as a header is no whole translation unit: its static helpers' callers are not all in it.

Red team red4. `ptofix run` on a header (`helpers.hpp`) once took a static helper's entry (or exit)
as clean when every call of it in the header was made with nothing in flight, and removed the
helper's boundary barrier. A header is compiled inside each file that includes it, whose code (not
in the run) may call the helper right after its own vector work: in

    #include "helpers.hpp"
    __global__ AICORE void kern2(...) { ... TADD(a, a, a); useb(b); ... }

TADD's write of a [0, 8192) and useb's TMUL of b [4096, 12288) then race with the barrier gone
(msSanitizer's a2/a3 rule, Ascend/mssanitizer `csrc/race_sanitizer/alg_framework/
single_pipe_race_alg_impl.cpp`; `check --trace` finds the race when the helper is in the kernel's
file). The same holds for the flag states a static helper starts in. Function templates already
refused header inputs (ptofix/cpp/templates.py); the file's facts now take a header-named file as
not a whole translation unit (`FileFacts.translation_unit`, ptofix/cpp/headers.py
`named_as_header`), as `translation-unit=false` does; and such a file's kernel entries trust no
flag pair at their start (ptofix/cpp/flag_states.py): an includer's kernel may run just before,
as another kernel of the file may. The same text named `.cpp` keeps its removals (the controls:
each test can fail).
"""
from __future__ import annotations

import pytest

from ptofix.api import fix_cpp

T = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"
HEAD = '#include "pto/pto-inst.hpp"\nusing namespace pto;\n\n'

ENTRY_HELPER = HEAD + f"""static AICORE inline void useb({T}& t) {{
  pipe_barrier(PIPE_V);  // GUARD
  TMUL(t, t, t);
}}
__global__ AICORE void kern(__gm__ float* x) {{
  {T} b;
  TASSIGN(b, 4096);
  pipe_barrier(PIPE_ALL);
  useb(b);
}}
"""

EXIT_HELPER = HEAD + f"""static AICORE inline void wrb({T}& t) {{
  TMUL(t, t, t);
  pipe_barrier(PIPE_V);  // GUARD
}}
__global__ AICORE void kern(__gm__ float* x) {{
  {T} b;
  TASSIGN(b, 4096);
  pipe_barrier(PIPE_ALL);
  wrb(b);
  pipe_barrier(PIPE_ALL);
}}
"""

# The round trip drains TADD only if no set of EVENT_ID0 is pending when the helper starts: an
# includer may call it with one (its wait then consumes the includer's set).
FLAG_HELPER = HEAD + f"""static AICORE inline void rt({T}& a, {T}& b) {{
  TADD(a, a, a);
  set_flag(PIPE_V, PIPE_S, EVENT_ID0);
  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);
  set_flag(PIPE_S, PIPE_V, EVENT_ID1);
  wait_flag(PIPE_S, PIPE_V, EVENT_ID1);
  pipe_barrier(PIPE_V);  // GUARD
  TMUL(b, b, b);
}}
__global__ AICORE void kern(__gm__ float* x) {{
  {T} a;
  TASSIGN(a, 0);
  {T} b;
  TASSIGN(b, 4096);
  pipe_barrier(PIPE_ALL);
  rt(a, b);
  pipe_barrier(PIPE_ALL);
}}
"""

# A kernel entry's round trip drains TADD only if no set of EVENT_ID0 is pending at its start: an
# includer's kernel (`__global__ void other() { set_flag(PIPE_V, PIPE_S, EVENT_ID0); }`) may run
# just before it, as another kernel of the file may (docs/design/barrier-proof.md, "Flags").
ENTRY_FLAGS = HEAD + f"""__global__ AICORE void kern(__gm__ float* x) {{
  {T} a;
  TASSIGN(a, 0);
  {T} b;
  TASSIGN(b, 4096);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  set_flag(PIPE_V, PIPE_S, EVENT_ID0);
  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);
  set_flag(PIPE_S, PIPE_V, EVENT_ID1);
  wait_flag(PIPE_S, PIPE_V, EVENT_ID1);
  pipe_barrier(PIPE_V);  // GUARD
  TMUL(b, b, b);
  pipe_barrier(PIPE_ALL);
}}
"""

KERNELS = {"entry": ENTRY_HELPER, "exit": EXIT_HELPER, "flags": FLAG_HELPER, "kernel flags": ENTRY_FLAGS}
HEADER_NAMES = ["helpers.hpp", "helpers.h", "helpers.hh", "helpers.hxx", "helpers.inc", "helpers.inl", "helpers.cuh",
                "HELPERS.HPP"]


def guard(text: str, path: str) -> str:
    """The decision on the `// GUARD` barrier of ``text`` analysed as the file ``path``."""
    lines = text.split("\n")
    found = [d for d in fix_cpp(text, patterns="auto", path=path).decisions if "GUARD" in lines[d.line - 1]]
    assert len(found) == 1
    return found[0].decision


@pytest.mark.parametrize("kind", sorted(KERNELS))
def test_control_the_translation_unit_loses_the_barrier(kind):
    assert guard(KERNELS[kind], "helpers.cpp") == "removed"


@pytest.mark.parametrize("kind", sorted(KERNELS))
@pytest.mark.parametrize("path", HEADER_NAMES)
def test_a_header_keeps_its_static_helpers_boundary_barriers(kind, path):
    assert guard(KERNELS[kind], path) == "kept"


def test_a_header_still_loses_the_barriers_its_own_code_proves():
    """Inside one function, nothing depends on the includer: a barrier between disjoint tiles goes."""
    text = HEAD + f"""__global__ AICORE void kern(__gm__ float* x) {{
  {T} a;
  TASSIGN(a, 0);
  {T} c;
  TASSIGN(c, 65536);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  pipe_barrier(PIPE_V);  // GUARD
  TMUL(c, c, c);
  pipe_barrier(PIPE_ALL);
}}
"""
    assert guard(text, "kernel.hpp") == "removed"


# -- A header included after a static helper's definition may call it --------------------------------
# Its code is compiled in the kernel's translation unit after the helper, so it can call it: here
# latecall(a, b) runs TADD(a, a, a) and then useb(b), whose TMUL of b would race TADD's write with
# the helper's entry barrier removed (check --trace of a kernel calling latecall finds the WAW once
# the barrier is gone, none before). The kernel's own calls of useb are all clean.
LATE_HEADER = f"""#pragma once
AICORE void latecall({T}& a, {T}& b) {{
  TADD(a, a, a);
  {{NAME}}(b);
}}
"""
LATE_KERNEL = HEAD + f"""static AICORE inline void useb({T}& t) {{
  pipe_barrier(PIPE_V);  // GUARD
  TMUL(t, t, t);
}}
#include "late.hpp"

__global__ AICORE void kern(__gm__ float* x) {{
  {T} b;
  TASSIGN(b, 4096);
  pipe_barrier(PIPE_ALL);
  useb(b);
}}
"""


@pytest.mark.parametrize("name,decision", [("useb", "kept"), ("other_helper", "removed")])
def test_a_header_whose_code_names_the_helper_may_call_it(tmp_path, name, decision):
    (tmp_path / "late.hpp").write_text(LATE_HEADER.replace("{NAME}", name), encoding="utf-8")
    assert guard(LATE_KERNEL, str(tmp_path / "k.cpp")) == decision
