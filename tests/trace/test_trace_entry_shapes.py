"""The entries ``check --trace`` finds in two shapes of real ptoas output (ptofix/trace/entry.py), and
what a run that faults says.

Before: a runtime's forwarding wrapper (``extern "C" kernel_entry(__gm__ int64_t *args)``, real/04-08,
29, 31-46) was run itself: its pointers read from the trace's zero-filled GM buffer are null and the
run faulted (status -11, no more said), or, where it names a descriptor type its header no longer
declares, it did not build; a kernel in a named namespace (real/09, real/48) was "no __global__
kernel entry". Now the wrapper's kernel is run and the wrapper left out, the namespaced kernel is
called by its qualified name, and a run that faults says where."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ptofix.source import PtofixError
from ptofix.trace.entry import choose_entry, choose_run, recorded_intrinsics

ROOT = Path(__file__).resolve().parents[2]
PTO_ISA = Path(os.environ.get("PTOFIX_PTO_ISA") or ROOT.parent / "shared" / "pto-isa" / "f35e7f60")
CXX = os.environ.get("CXX") or "g++"
FIXTURES = ROOT / "tests" / "fixtures" / "trace"
WRAPPER = FIXTURES / "forwarding_wrapper.cpp"
NAMESPACED = FIXTURES / "namespaced_kernel.cpp"
GM_ENTRY = FIXTURES / "gm_pointer_entry.cpp"
# What a cost model records, as recorded_intrinsics reads it from a checkout (a few of f35e7f60's).
RECORDED = frozenset({"vadd", "vmuls", "vector_dup", "copy_gm_to_ubuf_align_b32", "pipe_barrier", "set_flag",
                      "wait_flag", "set_vector_mask"})

IN_PERFSIM = (
    pytest.mark.slow,
    pytest.mark.perfsim,
    pytest.mark.skipif(not (PTO_ISA / "include" / "pto" / "costmodel" / "perf_sim" / "launch.hpp").is_file(),
                       reason=f"no pto-isa checkout with the cost model at {PTO_ISA}"),
    pytest.mark.skipif(shutil.which(CXX) is None, reason=f"no C++ compiler ({CXX}; set $CXX)"),
)


def in_perfsim(test):
    for mark in IN_PERFSIM:
        test = mark(test)
    return test


def test_a_forwarding_wrapper_runs_the_kernel_it_forwards_to_and_is_left_out():
    text = WRAPPER.read_text(encoding="utf-8")
    call, notes, compiled = choose_run("k.cpp", text, None, RECORDED)
    assert call.name == "wrapped_kernel"
    assert call.parameters == ("out", "n") and call.pointers == (True, False)
    assert len(notes) == 1
    assert notes[0].startswith("k.cpp: note: no __global__ entry: the extern \"C\" function 'kernel_entry' reads its "
                               "arguments from the GM array 'args', which the trace fills with zeros")
    assert "the trace runs 'wrapped_kernel', the kernel it forwards to" in notes[0]
    assert "'kernel_entry' itself is neither compiled nor run" in notes[0]
    # The wrapper's body is blank, every line kept; the rest of the file is as written.
    body = text.index("{", text.index("void kernel_entry("))
    assert compiled[:body + 1] == text[:body + 1]
    assert len(compiled) == len(text) and compiled.count("\n") == text.count("\n")
    assert compiled[body + 1:].strip() == "}"
    assert "UndeclaredDescriptor" not in compiled and "wrapped_kernel(out, n)" not in compiled
    assert choose_entry("k.cpp", text, None, RECORDED) == (call, notes)
    # Without the checkout's list of what its cost model records, no wrapper is read as one.
    assert choose_run("k.cpp", text, None)[0].name == "kernel_entry"


ENTRY = 'extern "C" __aicore__ void kernel_entry(__gm__ int64_t *args) {\n'


FLUSH = ("template <typename Ptr>\nstatic AICORE inline void flush_line(Ptr ptr) {\n"
         "  dcci((__gm__ void*)ptr, SINGLE_CACHE_LINE);\n}\n")


def test_the_recorded_intrinsics_are_read_from_the_cost_model_headers(tmp_path):
    header = tmp_path / "pto" / "costmodel" / "a2a3" / "ops.hpp"
    header.parent.mkdir(parents=True)
    header.write_text('inline void vadd(auto... a) { ::pto::mocker::RecordCceCall("vadd", 1, a...); }\n'
                      'inline void vcmpv_eq(auto... a)\n{\n    ::pto::mocker::RecordCceCall(\n'
                      '        ::pto::mocker::evaluator::PipeKey::VECTOR, "vcmpv_eq", 1, a...);\n}\n'
                      'inline void dcci(const volatile void *, int) {}\n', encoding="utf-8")
    (tmp_path / "pto" / "other.hpp").write_text('RecordCceCall("outside", 0);\n', encoding="utf-8")
    assert recorded_intrinsics(tmp_path) == {"vadd", "vcmpv_eq"}
    if (PTO_ISA / "include" / "pto" / "costmodel").is_dir():
        names = recorded_intrinsics(PTO_ISA / "include")
        assert {"vadd", "vector_dup", "pipe_barrier", "set_flag", "copy_gm_to_ubuf_align_b32"} <= names
        assert "dcci" not in names and "get_block_idx" not in names


def test_a_wrapper_may_flush_gm_through_an_inline_helper():
    """real/41's wrapper flushes a GM cache line (``dcci``, which no cost model records) through the
    file's inline template helper before it forwards: still a forwarding wrapper."""
    head = WRAPPER.read_text(encoding="utf-8").split("// --- Kernel entry point ---")[0]
    text = head + FLUSH + ENTRY + "  flush_line(args);\n  wrapped_kernel(nullptr, 1);\n}\n"
    assert choose_run("k.cpp", text, None, RECORDED)[0].name == "wrapped_kernel"


@pytest.mark.parametrize("why, text", [
    ("issues a PTO call itself", ENTRY + "  wrapped_kernel(nullptr, 1);\n  TADD(b, a, a);\n}\n"),
    ("issues a barrier itself", ENTRY + "  pipe_barrier(PIPE_V);\n  wrapped_kernel(nullptr, 1);\n}\n"),
    ("calls a recorded intrinsic itself", ENTRY + "  vector_dup((__gm__ float*)args, 0.0f, 1, 1, 1, 8, 0);\n"
                                                 "  wrapped_kernel(nullptr, 1);\n}\n"),
    ("reaches UB itself", ENTRY + "  *(__ubuf__ int32_t*)0x100 = 1;\n  wrapped_kernel(nullptr, 1);\n}\n"),
    ("calls a helper that issues a barrier", ENTRY + "  helper_tail();\n  wrapped_kernel(nullptr, 1);\n}\n"),
    ("calls a helper that calls the kernel", "static AICORE inline void twice() {\n  wrapped_kernel(nullptr, 2);\n}\n"
                                             + ENTRY + "  twice();\n  wrapped_kernel(nullptr, 1);\n}\n"),
    ("calls the kernel twice", ENTRY + "  wrapped_kernel(nullptr, 1);\n  wrapped_kernel(nullptr, 2);\n}\n"),
    ("calls two kernels", "static AICORE void other_kernel(int32_t n) {}\n" + ENTRY
                          + "  other_kernel(1);\n  wrapped_kernel(nullptr, 1);\n}\n"),
    ("calls only an inline function", ENTRY + "  helper_tail();\n}\n"),
    ("takes two parameters", 'extern "C" __aicore__ void kernel_entry(__gm__ int64_t *args, int n) {\n'
                             "  wrapped_kernel(nullptr, n);\n}\n"),
    ("takes a scalar", 'extern "C" __aicore__ void kernel_entry(int64_t n) {\n  wrapped_kernel(nullptr, n);\n}\n'),
    ("is named elsewhere", 'extern "C" __aicore__ void kernel_entry(__gm__ int64_t *args);\n' + ENTRY
                           + "  wrapped_kernel(nullptr, 1);\n}\n"),
])
def test_an_extern_c_entry_of_another_shape_runs_as_given(why, text):
    """Only a wrapper that does nothing the trace records itself and forwards to one kernel, once, is
    replaced by that kernel: any other extern "C" function is run as before, compiled as written."""
    head = WRAPPER.read_text(encoding="utf-8").split("// --- Kernel entry point ---")[0]
    call, notes, compiled = choose_run("k.cpp", head + text, None, RECORDED)
    assert call.name == "kernel_entry", why
    assert notes == ["k.cpp: note: no __global__ entry: the trace runs the extern \"C\" function 'kernel_entry' "
                     "(--function NAME to choose)"], why
    assert compiled == head + text, why


def test_a_comment_that_says_extern_c_is_read_in_linear_time():
    """perf's reading of the extern "C" names (perf/build.py EXTERN_C) split each word of a prose
    comment every way there is when no '(' followed: the fixture's own comment, 25 words, did not
    finish in minutes. Run apart, with a bound far above the milliseconds it takes now."""
    words = " ".join(["word", "two  spaces", "a*b", "c & d"] * 40)
    probe = (f"from ptofix.perf.build import EXTERN_C\n"
             f"assert EXTERN_C.findall('// an extern \"C\" function {words}\\nextern \"C\" void k(int x);') == ['k']\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr


def test_a_named_function_is_run_as_named_even_beside_a_wrapper():
    text = WRAPPER.read_text(encoding="utf-8")
    call, notes, compiled = choose_run("k.cpp", text, "kernel_entry", RECORDED)
    assert (call.name, notes, compiled) == ("kernel_entry", [], text)


HEAD = '#include "pto/pto-inst.hpp"\nusing namespace pto;\n'


def test_the_one_kernel_in_a_namespace_is_called_by_its_qualified_name():
    call, notes = choose_entry("k.cpp", NAMESPACED.read_text(encoding="utf-8"), None)
    assert call.name == "generated_body::body"
    assert notes == ["k.cpp: note: no __global__ entry: the trace runs 'generated_body::body', the one function the "
                     "file defines that is not inline, a template or a member (in namespace generated_body) "
                     "(--function NAME to choose)"]
    nested = HEAD + "namespace a { namespace b { AICORE void one(int32_t n) {} } }\n"
    assert choose_entry("k.cpp", nested, None)[0].name == "a::b::one"
    # --function finds it by its name and calls it by its qualified one.
    assert choose_entry("k.cpp", NAMESPACED.read_text(encoding="utf-8"), "body")[0].name == "generated_body::body"


@pytest.mark.parametrize("text", [
    HEAD + "namespace q { AICORE void one(int32_t n) {} }\nnamespace r { AICORE void two(int32_t n) {} }\n",
    HEAD + "namespace q { static AICORE void one(int32_t n) {} static AICORE void two(int32_t n) {} }\n",
    HEAD + "namespace q { static AICORE void one(int32_t n) {} }\nnamespace r { inline AICORE void one() {} }\n",
    HEAD + "namespace q { inline AICORE void one(int32_t n) {} }\n",
])
def test_no_guess_between_namespaced_candidates(text):
    with pytest.raises(PtofixError, match="no __global__ kernel entry: name the function to run with --function"):
        choose_entry("k.cpp", text, None)


def test_a_kernel_outside_any_namespace_comes_first():
    text = HEAD + "namespace q { AICORE void inner(int32_t n) {} }\nstatic AICORE void outer(int32_t n) {}\n"
    assert choose_entry("k.cpp", text, None)[0].name == "outer"


def _check(path: Path, cache: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ptofix", "check", "--trace", "--pto-isa", str(PTO_ISA),
                           "--cache-dir", str(cache), str(path)], capture_output=True, text=True, cwd=ROOT,
                          check=False)


def _race_lines(stderr: str) -> set[int]:
    return {int(line) for line in re.findall(r":(\d+):\d+: warning: (?:RAW|WAR|WAW) race in the trace", stderr)}


@in_perfsim
@pytest.mark.parametrize("fixture, entry", [(WRAPPER, "wrapped_kernel"), (NAMESPACED, "generated_body::body")])
def test_the_wrapped_and_the_namespaced_kernel_are_traced_and_judged(tmp_path, fixture, entry):
    """Each builds and runs; the one race is the unordered TMULS -> TADD pair (the pair the barrier
    orders is clean). Before: the wrapper did not build ('UndeclaredDescriptor' was not declared),
    the namespaced kernel had no entry."""
    done = _check(fixture, tmp_path / "cache")
    assert f"the trace runs '{entry}'" in done.stderr, done.stderr
    lines = fixture.read_text(encoding="utf-8").splitlines()
    tadd_a = next(i for i, line in enumerate(lines, 1) if "TADD(a, c, c)" in line)
    assert _race_lines(done.stderr) == {tadd_a}, done.stderr
    assert done.returncode == 1, done.stderr


@in_perfsim
def test_a_run_that_reads_a_null_pointer_from_gm_says_so(tmp_path):
    """An extern "C" entry of another shape (it issues PTO calls itself) runs as given and faults on
    the pointer it reads from the zero-filled GM buffer: an error (exit 2) that says where, not a bare
    status -11, and no race or clean result."""
    done = _check(GM_ENTRY, tmp_path / "cache")
    assert done.returncode == 2, done.stderr
    assert re.search(r"gm_pointer_entry\.cpp: error: the traced run failed \(status -11\): ptofix trace: the run "
                     r"faulted at address 0x18, near 0: a null or small pointer's access \(a pointer the kernel reads from "
                     r"GM, which the trace passes zero-filled", done.stderr), done.stderr
    assert "race in the trace" not in done.stderr
