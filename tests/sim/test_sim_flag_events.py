"""`simulate` orders only what the flags order (issue #66, item 4).

One kernel and its twins: TADDS writes v8, then some scalar flag traffic, then the barrier the
rewrite removes, then TMULS reads v10, which overlaps v8 one KiB further on (a partial overlap:
no same-access chain). Only a wait whose matching set (same source pipe, destination pipe and
event) comes after TADDS orders the two; ``simulate``, ``check`` and ``run`` must agree on which.
"""
from __future__ import annotations

import pytest
from sim_kernels import gt, kernel, src, tile

from ptofix.cpp.races import find_races
from ptofix.frontends import PARSERS, parse_cpp
from ptofix.pass_manager import build_pass, run_pipeline
from ptofix.sim.runner import SimOptions, simulate

T = tile("float", 32, 128)      # 64 repeats: TADDS is long enough to be pipelined with TMULS
G = gt("float", 32, 128)

# (flags before TADDS, between TADDS and the barrier, after TMULS (the sets still pending)),
# whether TADDS is ordered before TMULS.
FLAGS = {
    # The kernel: the wait is for the event set *before* TADDS: it orders nothing.
    "earlier event": ("  set_flag(PIPE_V, PIPE_S, EVENT_ID1);\n",
                      "  set_flag(PIPE_V, PIPE_S, EVENT_ID2);\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID1);\n",
                      "  wait_flag(PIPE_V, PIPE_S, EVENT_ID2);\n", False),
    # Its twin with matching ids: the wait is for the set after TADDS.
    "matching event": ("  set_flag(PIPE_V, PIPE_S, EVENT_ID1);\n",
                       "  set_flag(PIPE_V, PIPE_S, EVENT_ID2);\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID2);\n",
                       "  wait_flag(PIPE_V, PIPE_S, EVENT_ID1);\n", True),
    # A wait for the producer's own set, the only one of its event.
    "producer's own set": ("", "  set_flag(PIPE_V, PIPE_S, EVENT_ID1);\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID1);\n",
                           "", True),
    # The same event set before and after TADDS: the wait is satisfied by the earlier set, the
    # first to be signalled, so it orders nothing (check leaves the function unverified).
    "same event set twice": ("  set_flag(PIPE_V, PIPE_S, EVENT_ID1);\n",
                             "  set_flag(PIPE_V, PIPE_S, EVENT_ID1);\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID1);\n",
                             "  wait_flag(PIPE_V, PIPE_S, EVENT_ID1);\n", False),
}


def flag_kernel(name: str, barrier: bool, tail: bool = True) -> str:
    before, after, pending, _ = FLAGS[name]
    bar = "  pipe_barrier(PIPE_V);\n" if barrier else ""
    body = f"""  {T} v8;
  TASSIGN(v8, 0);
  {T} v10;
  TASSIGN(v10, 1024);
  {T} v11;
  TASSIGN(v11, 65536);
  {G} gx = {G}(x);
  {G} gy = {G}(y);
  float s = 2.0f;
  TLOAD(v8, gx);
  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
{before}  TADDS(v8, v8, s);
{after}{bar}  TMULS(v11, v10, s);
{pending if tail else ""}  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  TSTORE(gy, v11);
"""
    return kernel("__gm__ float* x, __gm__ float* y", body)


def _simulate(name: str, tail: bool = True) -> str:
    original, rewritten = flag_kernel(name, True, tail), flag_kernel(name, False, tail)
    report = simulate(src(original, "orig.cpp"), src(rewritten, "rew.cpp"), 8, SimOptions())
    return "equal" if report.difference is None else "differs"


@pytest.mark.parametrize("name", sorted(FLAGS))
def test_simulate_orders_only_what_the_matching_set_covers(name):
    assert _simulate(name) == ("equal" if FLAGS[name][3] else "differs")


def test_a_wait_after_the_consumer_does_not_hide_the_overlap():
    # Without the later wait for EVENT_ID2 the two steps met in one flush even before the fix;
    # with it, the wait completed TADDS alone and TMULS ran after it, whole (issue #66).
    assert _simulate("earlier event", tail=False) == "differs"
    assert _simulate("earlier event", tail=True) == "differs"


@pytest.mark.parametrize("name", sorted(FLAGS))
def test_check_and_run_agree_with_simulate(name):
    # simulate runs the hardware's order, in which the scalar unit's wait for V orders the V work
    # it issues after it. check and run read the vendor's rule: two PIPE_V instructions are ordered
    # by a barrier or a flag round trip, so a V->S pair alone orders nothing (a race, or a function
    # check does not call race-free, in every kernel here), and with an S->V pair after it (the
    # round trip) they agree with simulate: ordered where the V->S wait covers TADDS
    # (tests/cpp/test_v_to_s_flag_drain.py).
    ordered = FLAGS[name][3]
    back = "  set_flag(PIPE_S, PIPE_V, EVENT_ID3);\n  wait_flag(PIPE_S, PIPE_V, EVENT_ID3);\n"
    rewritten = flag_kernel(name, False)
    races, unverified = find_races(parse_cpp(src(rewritten, "rew.cpp")))
    assert races or unverified
    consumer = "  TMULS(v11, v10, s);\n"
    races, unverified = find_races(parse_cpp(src(rewritten.replace(consumer, back + consumer), "rew.cpp")))
    if ordered:
        assert races == [] and unverified == []
    else:
        # A race, or (the same event set twice) a function check does not call race-free.
        assert races or unverified
    original = flag_kernel(name, True)
    passes = [build_pass("pipe-v-barrier", {"pattern": "auto"})]
    out = run_pipeline(src(original, "orig.cpp"), passes, PARSERS)
    assert out.reports[0]["removed"] == 0
    round_trip = original.replace("  pipe_barrier(PIPE_V);\n", back + "  pipe_barrier(PIPE_V);\n")
    out = run_pipeline(src(round_trip, "orig.cpp"), passes, PARSERS)
    assert out.reports[0]["removed"] == (1 if ordered else 0)
