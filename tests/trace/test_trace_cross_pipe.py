"""The trace's rule across pipes (ptofix/trace/cross_pipe.py): a vector instruction against an MTE
copy to or from UB, a load against a store. Before it, the judge left every copy out: a TLOAD that
a vector op read with no MTE2 -> V flag, or a TSTORE of a tile a vector op still wrote, was a clean
trace. The first tests are hand-made streams whose answer is known by hand; the ``perfsim`` one
builds a kernel against ../shared/pto-isa/f35e7f60."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ptofix.trace.cross_pipe import judge_streams
from ptofix.trace.footprint import UB_BIAS, decode_copy
from ptofix.trace.record import Call

ROOT = Path(__file__).resolve().parents[2]
PTO_ISA = Path(os.environ.get("PTOFIX_PTO_ISA") or ROOT.parent / "shared" / "pto-isa" / "f35e7f60")
CXX = os.environ.get("CXX") or "g++"
GM = 0x7F00_0000_0000
S, V, MTE2, MTE3, ALL = 0, 1, 3, 4, 6       # pto-isa's cpu_stub.hpp pipe_t values


def load(ub: int, bursts: int = 1, length: int = 256, gap: int = 0) -> list[Call]:
    return [Call("copy_gm_to_ubuf_align_b32", (UB_BIAS + ub, GM, 0, bursts, length, 0, 0, 0, gap), 0)]


def store(ub: int, bursts: int = 1, length: int = 256, gap: int = 0) -> list[Call]:
    return [Call("copy_ubuf_to_gm_align_b32", (GM, UB_BIAS + ub, 0, bursts, length, 0, 0, gap, 0), 1)]


def vexp(dst: int, src: int) -> list[Call]:
    """One repeat of 64 f32: reads [src, src + 256), writes [dst, dst + 256)."""
    return [Call("ptofix_element", (4,), 2), Call("vexp", (UB_BIAS + dst, UB_BIAS + src, 1, 1, 1, 8, 8), 2)]


def call(name: str, *args: int) -> list[Call]:
    return [Call(name, args, 3)]


def races(*parts: list[Call]) -> list[tuple[str, int, int, bool]]:
    calls = [each for part in parts for each in part]
    found = judge_streams(calls)
    assert found.cannot_judge is None, found.cannot_judge
    return [(race.kind, race.earlier.position, race.later.position, race.across) for race in found.races]


def test_a_copys_ub_bytes_are_its_bursts_in_whole_blocks_a_gap_apart():
    # 2 bursts of 40 bytes (2 blocks each), 1 block of gap: [0, 64) and [96, 160)
    loaded = decode_copy("copy_gm_to_ubuf_align_b32", (UB_BIAS, GM, 0, 2, 40, 0, 0, 0, 1))
    assert loaded is not None and loaded[0] and len(loaded[1]) == 1
    assert loaded[1][0].write and loaded[1][0].ranges == ((0, 64), (96, 160))
    # a store reads its UB source; its UB gap is the 8th argument; padding elements count as bytes too
    stored = decode_copy("copy_ubuf_to_gm_align_b16", (GM, UB_BIAS + 0x100, 0, 2, 30, 0, 1, 2, 0))
    assert stored is not None and not stored[0]
    assert not stored[1][0].write and stored[1][0].ranges == ((0x100, 0x120), (0x160, 0x180))
    assert decode_copy("vexp", (0, 0, 1, 1, 1, 8, 8)) is None


def test_a_load_read_by_a_vector_op_races_unless_an_mte2_to_v_flag_orders_them():
    assert races(load(0), vexp(0x100, 0)) == [("RAW", 0, 2, True)]
    assert races(load(0), call("set_flag", MTE2, V, 0), call("wait_flag", MTE2, V, 0), vexp(0x100, 0)) == []
    # the wait after the vector op orders nothing before it
    assert races(load(0), call("set_flag", MTE2, V, 0), vexp(0x100, 0), call("wait_flag", MTE2, V, 0)) == [
        ("RAW", 0, 3, True)]
    # a set before the load: the wait it is consumed by does not follow the load
    assert races(call("set_flag", MTE2, V, 0), load(0), call("wait_flag", MTE2, V, 0), vexp(0x100, 0)) == [
        ("RAW", 1, 4, True)]
    # a wait with no set, another event's set, another pair of pipes: no order
    assert races(load(0), call("wait_flag", MTE2, V, 0), vexp(0x100, 0)) != []
    assert races(load(0), call("set_flag", MTE2, V, 1), call("wait_flag", MTE2, V, 0), vexp(0x100, 0)) != []
    assert races(load(0), call("set_flag", MTE2, MTE3, 0), call("wait_flag", MTE2, V, 0), vexp(0x100, 0)) != []
    # disjoint bytes: no race
    assert races(load(0x400), vexp(0x100, 0)) == []


def test_a_store_of_what_a_vector_op_writes_races_unless_ordered():
    assert races(vexp(0x100, 0), store(0x100)) == [("RAW", 1, 2, True)]
    assert races(vexp(0x100, 0), call("set_flag", V, MTE3, 0), call("wait_flag", V, MTE3, 0), store(0x100)) == []
    # pipe_barrier(PIPE_V) orders the vector pipe only; PIPE_ALL orders everything
    assert races(vexp(0x100, 0), call("pipe_barrier", V), store(0x100)) == [("RAW", 1, 3, True)]
    assert races(vexp(0x100, 0), call("pipe_barrier", ALL), store(0x100)) == []
    # through the scalar unit: it waits for V, then issues the store
    assert races(vexp(0x100, 0), call("set_flag", V, S, 0), call("wait_flag", V, S, 0), store(0x100)) == []
    # ... but not when the store was issued before the scalar unit waited
    assert races(vexp(0x100, 0), call("set_flag", V, S, 0), store(0x100), call("wait_flag", V, S, 0)) == [
        ("RAW", 1, 3, True)]
    # a vector op overwriting what a store still reads (WAR), a load over a vector op's result (WAW)
    assert races(store(0x100), vexp(0x100, 0x400)) == [("WAR", 0, 2, True)]
    assert races(vexp(0x100, 0), load(0x100)) == [("WAW", 1, 2, True)]


def test_a_load_into_what_a_store_still_reads_races():
    assert races(store(0x100), load(0x100)) == [("WAR", 0, 1, True)]
    assert races(store(0x100), call("set_flag", MTE3, MTE2, 0), call("wait_flag", MTE3, MTE2, 0), load(0x100)) == []


def test_vector_pairs_stay_the_vector_rules_and_are_not_said_twice():
    found = races(load(0x800), vexp(0x100, 0), vexp(0x200, 0x100))
    assert found == [("RAW", 2, 4, False)]


def test_a_copy_whose_ub_operand_is_no_ub_address_cannot_be_judged():
    calls = [Call("copy_gm_to_ubuf_align_b32", (0x5555_0000_0000, GM, 0, 1, 32, 0, 0, 0, 0), 7)]
    found = judge_streams(calls)
    assert found.cannot_judge is not None and found.cannot_judge[0] == 7
    assert "no UB address" in found.cannot_judge[1]


KERNEL = """#include "pto/pto-inst.hpp"
using namespace pto;
using T = Tile<TileType::Vec, float, 8, 64, BLayout::RowMajor, 8, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>;
using G = GlobalTensor<float, pto::Shape<1, 1, 1, 8, 64>, pto::Stride<512, 512, 512, 64, 1>, pto::Layout::ND>;
extern "C" __global__ AICORE void copies(__gm__ float *x, __gm__ float *y, int32_t flags) {
#if defined(__DAV_VEC__)
  T a; TASSIGN(a, 0);
  T c; TASSIGN(c, 8192);
  G gx = G(x);
  G gy = G(y);
  TLOAD(a, gx);
  if (flags) { set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0); wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0); }
  TMULS(c, a, 2.0f);
  if (flags) { set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0); wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0); }
  TSTORE(gy, c);
#endif
}
"""


@pytest.mark.perfsim
@pytest.mark.slow
@pytest.mark.skipif(not (PTO_ISA / "include" / "pto" / "costmodel" / "perf_sim" / "launch.hpp").is_file(),
                    reason="../shared/pto-isa/f35e7f60 (a pto-isa checkout with the host cost model) is not present")
@pytest.mark.skipif(shutil.which(CXX) is None, reason=f"no C++ compiler ({CXX}; set $CXX)")
def test_check_trace_finds_a_tload_and_a_tstore_with_no_flag(tmp_path):
    kernel = tmp_path / "copies.cpp"
    kernel.write_text(KERNEL)

    def trace(flags: int) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "ptofix", "check", "--trace", "--pto-isa", str(PTO_ISA),
                               "--arg", f"flags={flags}", str(kernel)],
                              capture_output=True, text=True, cwd=ROOT, check=False, timeout=300)

    racy = trace(0)
    assert racy.returncode == 1, racy.stderr
    found = re.findall(r"copies\.cpp:(\d+):\d+: warning: (RAW) race in the trace: (\w+)'s (\w+) \w+ UB (\[[^)]*\))",
                       racy.stderr)
    assert found == [("13", "RAW", "TMULS", "vmuls", "[0x0, 0x800)"),
                     ("15", "RAW", "TSTORE", "copy_ubuf_to_gm_align_b32", "[0x2000, 0x2800)")], racy.stderr
    assert "copies.cpp:11:3: note: TLOAD's copy_gm_to_ubuf_align_b32 writes UB here; no set_flag/wait_flag chain" \
        in racy.stderr
    ordered = trace(1)
    assert ordered.returncode == 0, ordered.stderr
    assert "0 races" in ordered.stderr
