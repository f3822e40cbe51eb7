"""A set_flag/wait_flag between two pipes other than V -> S is a FLAG_SET/FLAG_WAIT event whose flag is
one typed value, cfg_events.FlagTag (its source pipe, destination pipe and event id), made once where
the CFG reads the call (vector_cfg) and read by field where the walks use it: the flag chain walk
(barriers._chain_step), the chain link's alternation (barriers._chain_link_alternates, the flag
dataflow of barrier_flags), the chain `check` names (flag_chains) and the test for a link between two
pipes neither of which is V (races._ChainsInWay). It replaced the string "SRC>DST:EVENT" each of
those split by hand (issue #70: each fact once). Only pto's pipe names make a flag: any other pipe
argument makes the statement Unknown, so a round trip through it orders nothing (fail closed)."""
from __future__ import annotations

import pytest

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.cfg_events import UNKNOWN_EVENT_ID, EventKind, FlagTag
from ptofix.cpp.parser import parse_cpp
from ptofix.cpp.races import find_races
from ptofix.source import SourceText

# 8 x 64 floats; a at [0, 2048), b at [1024, 3072): they overlap.
TILE = "Tile<TileType::Vec, float, 8, 64, BLayout::RowMajor, 8, 64, SLayout::NoneBox, 512, PadValue::Null>"


def _kernel(flags: str) -> str:
    """TADD writes a, ``flags``, TMUL writes b (which overlaps a) after them; ``e`` is an event id
    that may vary."""
    return (f"__global__ AICORE void k(int32_t n, event_t e) {{\n  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} b;\n"
            f"  TASSIGN(b, 1024);\n  TADD(a, a, a);\n{flags}  TMUL(b, b, b);\n}}\n")


def _round_trip(pipe: str) -> str:
    """V -> ``pipe`` -> V, each half a set_flag and its wait_flag."""
    return (f"  set_flag(PIPE_V, {pipe}, EVENT_ID0);\n  wait_flag(PIPE_V, {pipe}, EVENT_ID0);\n"
            f"  set_flag({pipe}, PIPE_V, EVENT_ID1);\n  wait_flag({pipe}, PIPE_V, EVENT_ID1);\n")


def test_a_flag_tag_is_equal_and_hashed_by_its_fields():
    tag = FlagTag("PIPE_MTE2", "PIPE_V", "EVENT_ID1")
    assert tag == FlagTag("PIPE_MTE2", "PIPE_V", "EVENT_ID1")
    assert hash(tag) == hash(FlagTag("PIPE_MTE2", "PIPE_V", "EVENT_ID1"))
    # (The walks' states hold it: an equal tag made by another event finds it.)
    assert ("signal", FlagTag("PIPE_MTE2", "PIPE_V", "EVENT_ID1")) in frozenset({("signal", tag)})
    for other in (FlagTag("PIPE_MTE3", "PIPE_V", "EVENT_ID1"), FlagTag("PIPE_MTE2", "PIPE_S", "EVENT_ID1"),
                  FlagTag("PIPE_MTE2", "PIPE_V", "EVENT_ID0"), FlagTag("PIPE_V", "PIPE_MTE2", "EVENT_ID1")):
        assert tag != other
    # Not its triple: the flag dataflow's name for it is ``key()``.
    assert tag != ("PIPE_MTE2", "PIPE_V", "EVENT_ID1")
    assert tag.key() == ("PIPE_MTE2", "PIPE_V", "EVENT_ID1")
    assert tag.pipes() == ("PIPE_MTE2", "PIPE_V")
    assert repr(tag) == "FlagTag(src_pipe='PIPE_MTE2', dst_pipe='PIPE_V', event='EVENT_ID1')"


def test_each_flag_event_of_other_pipes_carries_its_flag():
    model = parse_cpp(SourceText(_kernel(
        "  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID1);\n  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID1);\n"
        "  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  wait_flag(PIPE_MTE3, PIPE_V, e);\n"
        "  set_flag(pto::PIPE_V, pto::PIPE_MTE3, 3);\n"), "k.cpp"))
    cfg = BarrierAnalysis(model).cfg(model.functions[0])
    flags = [(e.kind, e.tag, e.flag) for e in cfg.events
             if e.kind in (EventKind.FLAG_SET, EventKind.FLAG_WAIT, EventKind.SET_VS, EventKind.WAIT_VS)]
    assert flags == [
        (EventKind.FLAG_SET, "", FlagTag("PIPE_MTE2", "PIPE_V", "EVENT_ID1")),
        (EventKind.FLAG_WAIT, "", FlagTag("PIPE_MTE2", "PIPE_V", "EVENT_ID1")),
        # A V -> S flag is an event of its own kind, its event id the tag.
        (EventKind.SET_VS, "EVENT_ID0", None),
        # An event id that may vary: UNKNOWN_EVENT_ID (it pairs with no set).
        (EventKind.FLAG_WAIT, "", FlagTag("PIPE_MTE3", "PIPE_V", UNKNOWN_EVENT_ID)),
        (EventKind.FLAG_SET, "", FlagTag("PIPE_V", "PIPE_MTE3", "3")),
    ]
    # Every other event has none.
    assert all(e.flag is None for e in cfg.events if e.kind not in (EventKind.FLAG_SET, EventKind.FLAG_WAIT))


def test_a_direct_round_trip_through_a_pipe_pto_names_orders_the_pair():
    races, unverified = find_races(parse_cpp(SourceText(_kernel(_round_trip("PIPE_MTE3")), "k.cpp")))
    assert (races, unverified) == ([], [])


def _barrier_removed(flags: str) -> bool:
    """Whether the proof removes a pipe_barrier(PIPE_V) after ``flags``, between TADD and TMUL."""
    model = parse_cpp(SourceText(_kernel(flags + "  pipe_barrier(PIPE_V);\n"), "k.cpp"))
    [decision] = BarrierAnalysis(model).run({"auto"})
    return decision.removed


def test_the_proof_takes_a_scalar_round_trip_as_a_drain():
    # (The S -> V half is a FLAG_SET/FLAG_WAIT event whose FlagTag's pipes the proof's walk credits.)
    assert _barrier_removed(_round_trip("PIPE_S"))
    assert not _barrier_removed(_round_trip("PIPE_MTE3"))


@pytest.mark.parametrize("pipe", [
    "PIPE_FOO",             # no pipe of pto's
    "PIPE_VEC",             # a name like one, but none
    "pipe_t::PIPE_S",       # a scope the model does not read as pto's
    "n",                    # a variable
])
def test_a_round_trip_through_a_pipe_the_model_cannot_name_orders_nothing(pipe):
    """The flag of a pipe that is not one of pto's names is no flag event: its statement is Unknown
    (it drains nothing), so the pair is a race and the function is unverified, and the proof keeps a
    barrier between them."""
    model = parse_cpp(SourceText(_kernel(_round_trip(pipe)), "k.cpp"))
    cfg = BarrierAnalysis(model).cfg(model.functions[0])
    assert not any(e.kind in (EventKind.FLAG_SET, EventKind.FLAG_WAIT) for e in cfg.events)
    assert any(e.kind is EventKind.UNKNOWN and e.stmt is not None for e in cfg.events)
    races, unverified = find_races(model)
    assert [race.category for race in races] == ["overlap"]
    assert [u.fn.name for u in unverified] == ["k"]
    assert "set_flag" in str(unverified[0].event.why)
    assert not _barrier_removed(_round_trip(pipe))
