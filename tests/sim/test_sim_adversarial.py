"""Orders the hardware does not promise: each kernel of lit_tests/simulate/Inputs/adversarial/
differs with its barrier under test removed and is equal with it kept (a scalar GM read, a
mismatched or carried V->S flag and a plain WAW order nothing; ptofix.pto.ordering). Also the two
internal drains the simulator models: TROWEXPAND's scalar path and TCOLPROD."""
from __future__ import annotations

from pathlib import Path

import pytest
from sim_kernels import gt, kernel, src, tile

from ptofix.sim.runner import SimOptions, simulate

ADVERSARIAL = Path(__file__).resolve().parents[2] / "lit_tests" / "simulate" / "Inputs" / "adversarial"
UNDER_TEST = "pipe_barrier(PIPE_V);  // under test"
REMOVED = "/* ptofix: removed pipe_barrier(PIPE_V) */"
KERNELS = sorted(p.name for p in ADVERSARIAL.glob("*.cpp"))


def check(original: str, rewritten: str, seeds: int = 8):
    return simulate(src(original, "orig.cpp"), src(rewritten, "rew.cpp"), seeds, SimOptions())


def test_every_family_of_the_issue_has_a_kernel():
    assert KERNELS == ["event_in_variable.cpp", "gm_read_break.cpp", "mismatched_event.cpp",
                       "set_carried_across_iteration.cpp", "waw_same_tile.cpp"]


@pytest.mark.parametrize("name", KERNELS)
def test_kept_barrier_is_equal(name):
    text = (ADVERSARIAL / name).read_text()
    assert text.count(UNDER_TEST) == 1
    report = check(text, text)
    assert report.status == "equal", report.racy_original


@pytest.mark.parametrize("name", KERNELS)
def test_removed_barrier_differs(name):
    text = (ADVERSARIAL / name).read_text()
    report = check(text, text.replace(UNDER_TEST, REMOVED))
    assert report.status == "different"
    assert report.difference.original_also_differs is False
    # The out-of-order pair is the one the removed barrier kept apart.
    assert any(("TADD" in h or "TADDS" in h) and ("TMUL(c, b, b)" in h or "TMULS(b, a, 2.0f)" in h)
               for h in report.difference.hazards), report.difference.hazards


def test_gm_read_without_the_break_keeps_the_loops_own_drain():
    # With no iteration leaving early (v never below 0), the loop's own barrier drains TADD before
    # TMUL: the removal is equal, so what the break case shows is the missing drain.
    text = (ADVERSARIAL / "gm_read_break.cpp").read_text().replace("if (v < 100)", "if (v < 0)")
    assert check(text, text.replace(UNDER_TEST, REMOVED)).status == "equal"


def test_matching_vs_flag_pair_drains_the_work_before_its_set():
    text = (ADVERSARIAL / "mismatched_event.cpp").read_text()
    matched = text.replace("wait_flag(PIPE_V, PIPE_S, EVENT_ID1);\n  TMUL", "wait_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  TMUL") \
        .replace("TMUL(c, b, b);\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);", "TMUL(c, b, b);\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID1);")
    assert matched != text
    assert check(matched, matched.replace(UNDER_TEST, REMOVED)).status == "equal"


def test_event_id_past_the_hardware_range_cannot_be_simulated():
    from ptofix.source import PtofixError
    text = (ADVERSARIAL / "mismatched_event.cpp").read_text().replace("EVENT_ID1", "EVENT_ID9")
    with pytest.raises(PtofixError, match="event EVENT_ID9"):
        check(text, text)


def _drain_kernel(op: str, src_tile: str, barrier: bool) -> str:
    """b = a + a; [barrier]; ``op`` reads b into d; d -> y."""
    t = tile("float", 8, 64)
    bar = "  pipe_barrier(PIPE_V);\n" if barrier else ""
    body = f"""  {t} a;
  TASSIGN(a, 0);
  {src_tile} b;
  TASSIGN(b, 8192);
  {t} d;
  TASSIGN(d, 16384);
  {gt('float', 8, 64)} gx = {gt('float', 8, 64)}(x);
  {gt('float', 8, 64)} gy = {gt('float', 8, 64)}(y);
  TLOAD(a, gx);
  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  TADD(b, a, a);
{bar}  {op}
  TADD(d, d, d);
  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  TSTORE(gy, d);
"""
    return kernel("__gm__ float* x, __gm__ float* y", body)


def test_row_expand_scalar_path_drains_before_it():
    # An 8x64 destination is not the one-block broadcast: the scalar path's V->S round trip waits
    # for TADD before the first row's value is read. (Its last row's dup stays pending: the TADD
    # after it still needs the barrier the kernel does not remove here.)
    op = "TROWEXPAND(d, b);\n  pipe_barrier(PIPE_V);"
    col = tile("float", 8, 64)
    assert check(_drain_kernel(op, col, True), _drain_kernel(op, col, False)).status == "equal"


def test_row_expand_scalar_path_after_a_pending_kernel_set_drains_less():
    # A V->S EVENT_ID0 set the kernel left pending is the one the op's first wait consumes: TADD,
    # issued after it, is no longer covered.
    op = "TROWEXPAND(d, b);\n  pipe_barrier(PIPE_V);"
    col = tile("float", 8, 64)
    orig = _drain_kernel(op, col, True).replace("  TADD(b, a, a);", "  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  TADD(b, a, a);")
    rew = _drain_kernel(op, col, False).replace("  TADD(b, a, a);", "  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  TADD(b, a, a);")
    assert check(orig, rew).status == "different"


def test_row_expand_trailing_work_is_not_drained():
    # No drain after the last row's dup: a removed barrier between TROWEXPAND and the TADD reading d differs.
    col = tile("float", 8, 64)
    orig = _drain_kernel("TROWEXPAND(d, b);\n  pipe_barrier(PIPE_V);", col, True)
    rew = _drain_kernel("TROWEXPAND(d, b);", col, True)
    assert check(orig, rew).status == "different"


def _col_kernel(op: str, barrier: bool) -> str:
    """r = ``op`` over a (8x64) into a 1x64 row; [barrier]; s = r + r; s -> y."""
    t, row = tile("float", 8, 64), tile("float", 1, 64)
    bar = "  pipe_barrier(PIPE_V);\n" if barrier else ""
    body = f"""  {t} a;
  TASSIGN(a, 0);
  {row} r;
  TASSIGN(r, 8192);
  {row} s;
  TASSIGN(s, 16384);
  {gt('float', 8, 64)} gx = {gt('float', 8, 64)}(x);
  {gt('float', 1, 64)} gy = {gt('float', 1, 64)}(y);
  TLOAD(a, gx);
  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  {op}
{bar}  TADD(s, r, r);
  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  TSTORE(gy, s);
"""
    return kernel("__gm__ float* x, __gm__ float* y", body)


def test_col_prod_ends_with_a_drain():
    assert check(_col_kernel("TCOLPROD(r, a);", True), _col_kernel("TCOLPROD(r, a);", False)).status == "equal"
    # A producer of the same row with no internal drain: the barrier is what keeps it equal.
    plain = "TMULS(r, a, 2.0f);"
    assert check(_col_kernel(plain, True), _col_kernel(plain, False)).status == "different"
