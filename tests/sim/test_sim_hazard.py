"""Hazard model: removed barriers with real hazards differ on some seed, intact kernels never do."""
from __future__ import annotations

from sim_kernels import gt, kernel, src, tile

from ptofix.pto.race_model import RaceModel
from ptofix.sim.runner import SimOptions, simulate


def chain(rows: int, cols: int, barrier: bool, second: str = "TMUL(c, b, b);", loop: int = 0) -> str:
    """a <- x; b = a + a; [barrier]; second; c -> y (optionally inside a loop)."""
    t = tile("float", rows, cols)
    bar = "  pipe_barrier(PIPE_V);\n" if barrier else ""
    ops = f"  TADD(b, a, a);\n{bar}  {second}\n"
    if loop:
        ops = f"  for (int32_t i = 0; i < {loop}; i += 1) {{\n{ops}  }}\n"
    body = f"""  {t} a;
  TASSIGN(a, 0);
  {t} b;
  TASSIGN(b, 32768);
  {t} c;
  TASSIGN(c, 65536);
  {gt('float', rows, cols)} gx = {gt('float', rows, cols)}(x);
  {gt('float', rows, cols)} gy = {gt('float', rows, cols)}(y);
  TLOAD(a, gx);
  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
{ops}  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  TSTORE(gy, c);
"""
    return kernel("__gm__ float* x, __gm__ float* y", body)


DEFAULT = SimOptions()
# The opt-in race model (--same-access-chains): the pipe keeps a same-access chain in repeat order.
OPT_IN = SimOptions(race_model=RaceModel.SAME_ACCESS_CHAINS)


def check(original: str, rewritten: str, seeds: int = 8, options: SimOptions = DEFAULT):
    return simulate(src(original, "orig.cpp"), src(rewritten, "rew.cpp"), seeds, options)


def test_intact_barrier_never_differs():
    k = chain(4, 64, True)
    rep = check(k, k)
    assert rep.difference is None and rep.runs == 16


def test_removed_barrier_with_raw_is_caught_and_reported():
    rep = check(chain(4, 64, True), chain(4, 64, False))
    d = rep.difference
    assert d is not None
    assert "GM argument y" in d.where
    assert "TMUL(c, b, b)" in d.actual_origin
    assert any("RAW" in h and "TADD(b, a, a)" in h and "TMUL(c, b, b)" in h for h in d.hazards)
    assert d.original_also_differs is False


def test_removed_barrier_with_war_is_caught():
    # b = a + a; then a is overwritten: the overwrite may land before TADD reads a.
    orig = chain(4, 64, True, "TMULS(a, a, 3.0f);").replace("TSTORE(gy, c)", "TSTORE(gy, b)")
    rew = chain(4, 64, False, "TMULS(a, a, 3.0f);").replace("TSTORE(gy, c)", "TSTORE(gy, b)")
    d = check(orig, rew).difference
    assert d is not None and any(h.startswith("WAR") for h in d.hazards)


def test_independent_ops_without_barrier_are_equal():
    rep = check(chain(4, 64, True, "TMUL(c, a, a);"), chain(4, 64, False, "TMUL(c, a, a);"))
    assert rep.difference is None


def test_same_access_chain_is_safe_only_under_the_opt_in():
    # 32x128 f32 = 64 repeats >= 16, contiguous, exact same access (in-place on b): ordered under
    # --same-access-chains (PTOAS #674), a race under msSanitizer's rule (the default).
    same = "TMULS(b, b, 2.0f);"
    orig, rew = (chain(32, 128, barrier, same).replace("TSTORE(gy, c)", "TSTORE(gy, b)") for barrier in (True, False))
    assert check(orig, rew, options=OPT_IN).difference is None
    assert check(orig, rew).difference is not None


def test_same_access_chain_from_a_multi_cycle_producer_is_not_safe():
    # The chain above with TSQRT (vsqrt, no hardware run behind it) as its producer: the schedule
    # may let TMULS overtake it.
    same = "TMULS(b, b, 2.0f);"
    orig, rew = (chain(32, 128, barrier, same).replace("TSTORE(gy, c)", "TSTORE(gy, b)")
                 .replace("TADD(b, a, a);", "TSQRT(b, a);") for barrier in (True, False))
    assert check(orig, rew, options=OPT_IN).difference is not None


def test_short_same_access_chain_is_not_safe():
    # 4x64 f32 = 4 repeats < 16: the same in-place chain is a real hazard.
    same = "TMULS(b, b, 2.0f);"
    rep = check(chain(4, 64, True, same).replace("TSTORE(gy, c)", "TSTORE(gy, b)"),
                chain(4, 64, False, same).replace("TSTORE(gy, c)", "TSTORE(gy, b)"), options=OPT_IN)
    assert rep.difference is not None


def test_same_access_chain_across_loop_back_edge_is_not_safe():
    # In a loop, TMULS(b) of iteration i and TADD(b) of iteration i+1 form a chain across the
    # back-edge (WAW on b); with the barrier gone TADD may run before the previous TMULS.
    body = "TMULS(b, b, 2.0f);"
    orig = chain(32, 128, True, body, loop=3).replace("TSTORE(gy, c)", "TSTORE(gy, b)")
    orig = orig.replace("  }\n  set_flag(PIPE_V, PIPE_MTE3", "  pipe_barrier(PIPE_V);\n  }\n  set_flag(PIPE_V, PIPE_MTE3")
    rew = chain(32, 128, True, body, loop=3).replace("TSTORE(gy, c)", "TSTORE(gy, b)")
    rep = check(orig, rew, options=OPT_IN)
    assert rep.difference is not None


def test_trailing_drain_of_row_reduction_covers_the_next_op():
    t = tile("float", 8, 64)
    col = tile("float", 8, 1, "ColMajor")
    def k(barrier: bool) -> str:
        bar = "  pipe_barrier(PIPE_V);\n" if barrier else ""
        body = f"""  {t} a;
  TASSIGN(a, 0);
  {t} tmp;
  TASSIGN(tmp, 4096);
  {col} s;
  TASSIGN(s, 8192);
  {t} d;
  TASSIGN(d, 12288);
  {gt('float', 8, 64)} gx = {gt('float', 8, 64)}(x);
  {gt('float', 8, 64)} gy = {gt('float', 8, 64)}(y);
  TLOAD(a, gx);
  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  TROWSUM(s, a, tmp);
{bar}  TROWEXPANDMUL(d, a, s);
  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  TSTORE(gy, d);
"""
        return kernel("__gm__ float* x, __gm__ float* y", body)
    assert check(k(True), k(False)).difference is None


def test_hidden_scratch_shared_by_two_row_expands_is_a_hazard():
    t = tile("float", 8, 64)
    col = tile("float", 8, 1, "ColMajor")
    def k(barrier: bool) -> str:
        bar = "  pipe_barrier(PIPE_V);\n" if barrier else ""
        body = f"""  {t} a;
  TASSIGN(a, 0);
  {col} s;
  TASSIGN(s, 8192);
  {col} u;
  TASSIGN(u, 8448);
  {t} d;
  TASSIGN(d, 12288);
  {t} e;
  TASSIGN(e, 16384);
  {gt('float', 8, 64)} gx = {gt('float', 8, 64)}(x);
  {gt('float', 8, 64)} gy = {gt('float', 8, 64)}(y);
  {gt('float', 8, 64)} gz = {gt('float', 8, 64)}(z);
  TEXPANDS(s, 2.0f);
  TEXPANDS(u, 3.0f);
  TLOAD(a, gx);
  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  pipe_barrier(PIPE_V);
  TROWEXPANDMUL(d, a, s);
{bar}  TROWEXPANDMUL(e, a, u);
  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  TSTORE(gy, d);
  TSTORE(gz, e);
"""
        return kernel("__gm__ float* x, __gm__ float* y, __gm__ float* z", body)
    d = check(k(True), k(False)).difference
    assert d is not None
    assert any("WAR" in h and "TROWEXPANDMUL.vbrcb" in h for h in d.hazards)


TWO_HOP = """  set_flag(PIPE_V, PIPE_MTE2, EVENT_ID1);
  wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID1);
  set_flag(PIPE_MTE2, PIPE_MTE3, EVENT_ID1);
  wait_flag(PIPE_MTE2, PIPE_MTE3, EVENT_ID1);
  set_flag(PIPE_MTE3, PIPE_V, EVENT_ID1);
  wait_flag(PIPE_MTE3, PIPE_V, EVENT_ID1);"""


def test_flag_chain_through_two_other_pipes_orders_as_a_barrier():
    # V -> MTE2 -> MTE3 -> V, each pipe waiting before it signals: the TADD is done before the TMUL.
    chained = chain(4, 64, True).replace("  pipe_barrier(PIPE_V);", TWO_HOP)
    assert check(chained, chained).difference is None
    assert check(chain(4, 64, True), chained).difference is None


def test_flag_chain_with_a_hop_missing_orders_nothing():
    # MTE3 signals V without having waited for MTE2: nothing ties the TMUL to the TADD.
    broken = TWO_HOP.replace("  wait_flag(PIPE_MTE2, PIPE_MTE3, EVENT_ID1);\n", "")
    d = check(chain(4, 64, True), chain(4, 64, True).replace("  pipe_barrier(PIPE_V);", broken)).difference
    assert d is not None and any("RAW" in h for h in d.hazards)
