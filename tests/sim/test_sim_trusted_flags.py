"""`simulate` keeps TLOAD, TSTORE and FIFO copies in program order, trusting the flags between the
vector pipe and the MTE or cube pipes (ptofix/sim/schedule.py). A rewrite that changes those flags
(drops the MTE2 -> V pair after a TLOAD, the V -> MTE3 pair before a TSTORE) opens a race the
schedule cannot show: it said "equal on 8 seeds". It now refuses to compare (exit 2, located),
naming the first flag that differs; flags between V and S, which it models, still compare."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sim_kernels import gt, kernel, src, tile

from ptofix.sim.runner import SimOptions, simulate
from ptofix.source import PtofixError

ROOT = Path(__file__).resolve().parents[2]
T = tile("float", 8, 64)
G = gt("float", 8, 64)


def _kernel(load_flags: bool, store_flags: bool, scalar_flags: bool = False) -> str:
    body = f"""  {T} a;
  TASSIGN(a, 0);
  {T} c;
  TASSIGN(c, 8192);
  {G} gx = {G}(x);
  {G} gy = {G}(y);
  TLOAD(a, gx);
"""
    if load_flags:
        body += "  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);\n  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);\n"
    body += "  TMULS(c, a, 2.0f);\n"
    if scalar_flags:
        body += "  set_flag(PIPE_V, PIPE_S, EVENT_ID1);\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID1);\n"
    if store_flags:
        body += "  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);\n  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);\n"
    body += "  TSTORE(gy, c);\n"
    return kernel("__gm__ float* x, __gm__ float* y", body)


def test_a_rewrite_that_drops_a_load_flag_is_not_called_equal():
    with pytest.raises(PtofixError, match=r"cannot simulate: the rewrite issues other flags between the vector pipe "
                                          r"and the MTE or cube pipes than the original \(core 0, the original's flag 1 of these "
                                          r"pipes and events: set_flag\(PIPE_MTE2, PIPE_V, EVENT_ID0\), the "
                                          r"rewrite's: set_flag\(PIPE_V, PIPE_MTE3, EVENT_ID0\)\)"):
        simulate(src(_kernel(True, True), "orig.cpp"), src(_kernel(False, True), "rew.cpp"), 2, SimOptions())


def test_a_rewrite_that_drops_a_store_flag_is_not_called_equal():
    with pytest.raises(PtofixError, match=r"flag 3 of these pipes and events: set_flag\(PIPE_V, PIPE_MTE3, "
                                          r"EVENT_ID0\), the rewrite's: none"):
        simulate(src(_kernel(True, True), "orig.cpp"), src(_kernel(True, False), "rew.cpp"), 2, SimOptions())


def test_the_same_flags_compare_and_a_change_of_v_to_s_flags_is_modelled():
    assert simulate(src(_kernel(True, True), "orig.cpp"), src(_kernel(True, True), "rew.cpp"), 2,
                    SimOptions()).status == "equal"
    report = simulate(src(_kernel(True, True), "orig.cpp"), src(_kernel(True, True, scalar_flags=True), "rew.cpp"),
                      2, SimOptions())
    assert report.status == "equal"


def test_the_cli_exits_2_at_the_rewrites_kernel(tmp_path):
    original, rewritten = tmp_path / "orig.cpp", tmp_path / "rew.cpp"
    original.write_text(_kernel(True, True))
    rewritten.write_text(_kernel(False, False))
    done = subprocess.run([sys.executable, "-m", "ptofix", "simulate", "--seeds", "2", str(original), str(rewritten)],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 2, done.stderr
    assert f"{rewritten}:3:1: error: cannot simulate: the rewrite issues other flags" in done.stderr
    assert "equal" not in done.stderr


def test_an_added_set_on_the_originals_event_is_refused_and_a_fresh_chain_compares():
    # An early set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0): the wait after TLOAD consumes it, not the
    # TLOAD's own, so TMULS may read before the load lands. Nothing of the schedule shows that.
    original = _kernel(True, True)
    stolen = original.replace("  TLOAD(a, gx);\n", "  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);\n  TLOAD(a, gx);\n")
    with pytest.raises(PtofixError, match=r"flag 2 of these pipes and events: wait_flag\(PIPE_MTE2, PIPE_V, "
                                          r"EVENT_ID0\), the rewrite's: set_flag\(PIPE_MTE2, PIPE_V, EVENT_ID0\)\)"):
        simulate(src(original, "orig.cpp"), src(stolen, "rew.cpp"), 2, SimOptions())
    # A V -> MTE2 -> V round trip on an event the original never uses pairs only with itself.
    trip = ("  set_flag(PIPE_V, PIPE_MTE2, EVENT_ID3);\n  wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID3);\n"
            "  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID3);\n  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID3);\n")
    fresh = original.replace("  TMULS(c, a, 2.0f);\n", "  TMULS(c, a, 2.0f);\n" + trip)
    assert simulate(src(original, "orig.cpp"), src(fresh, "rew.cpp"), 2, SimOptions()).status == "equal"
