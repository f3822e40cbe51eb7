"""``check --trace`` on Vec tiles a Tile-form ``TPOP`` pops from a C2V ``TPipe``.

pto-isa places such a tile at run time (a2a3 TPush.hpp Consumer::popVecTileFromGMFiFo:
``TASSIGN_IMPL(tile, C2V_CONSUMER_BUF + (tileIndex % LOCAL_SLOT_NUM) * ConsM * ConsN * sizeof(T))``),
where the kernel's text has no TASSIGN for the instrumented copy to bias. Before, a consumer buffer at
UB 0 made the first slot's tile a null pointer, which the cost model's ``data()`` turns into a host
buffer of the tile's own: every kernel popping such a tile (real/29_gate_1_aiv.cpp,
real/03_fa_splitpipe_call_both.cpp) could not be judged ("vmul's operand 0x55... is no UB address").
Now the shim (trace_shim.hpp item 7) biases the address pto-isa's own TASSIGN_IMPL is given, so the
popped tile's bytes are the slot the run uses; the trace does not compute a slot itself (the static
model's ``value_model.tpop_addresses`` does: a second opinion must not reuse the rule it judges)."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_trace import PTO_ISA, ROOT, in_perfsim, ptofix

FIXTURE = ROOT / "tests" / "fixtures" / "trace" / "tpop_c2v.cpp"
CORPUS = Path(os.environ.get("PTOFIX_CORPUS") or ROOT.parent / "shared" / "corpus")
REAL = CORPUS / "real"


def _check(*argv: str) -> tuple[int, str, dict]:
    done = ptofix("check", "--trace", "--pto-isa", str(PTO_ISA), "--report", "json", *argv)
    return done.returncode, done.stderr, json.loads(done.stdout)["files"][0]


def _races(report: dict) -> list[tuple[str, int, str, int, str, list, str]]:
    return [(race["kind"], int(race["earlier"]["location"].split(":")[-2]), race["earlier"]["intrinsic"],
             int(race["later"]["location"].split(":")[-2]), race["later"]["intrinsic"], race["bytes"],
             race["category"]) for race in report["races"]]


def _case(which: int) -> tuple[int, str, dict]:
    return _check("--arg", f"which={which}", str(FIXTURE))


@in_perfsim
def test_a_pair_racing_through_the_popped_tile_is_found():
    status, stderr, report = _case(0)
    assert report["unverified"] == [], stderr
    assert _races(report) == [("RAW", 27, "vmuls", 28, "vexp", [[0, 0x1000]], "overlap")], stderr
    assert status == 1


@in_perfsim
def test_a_barrier_between_them_orders_the_pair():
    status, stderr, report = _case(1)
    assert report["unverified"] == [] and report["races"] == [] and status == 0, stderr


@in_perfsim
def test_the_popped_tile_is_at_the_slot_pto_isa_gives_it():
    # The first pop is at the consumer buffer, UB 0: a kernel tile placed there races with it.
    status, stderr, report = _case(2)
    assert _races(report) == [("RAW", 36, "vmuls", 37, "vexp", [[0, 0x1000]], "overlap")], stderr
    # The second pop is at the ring's second slot (its index counts the pops), 0x1000: not the first
    # slot's tile, the second's.
    status, stderr, report = _case(3)
    assert report["unverified"] == [] and report["races"] == [] and status == 0, stderr
    status, stderr, report = _case(4)
    assert _races(report) == [("RAW", 53, "vmuls", 54, "vexp", [[0x1000, 0x2000]], "overlap")], stderr


@in_perfsim
def test_the_pops_load_into_the_slot_is_judged_across_pipes():
    status, stderr, report = _case(5)
    assert _races(report) == [("RAW", 58, "copy_gm_to_ubuf_align_b32", 59, "vexp", [[0x1000, 0x2000]],
                               "cross-pipe")], stderr
    assert status == 1


@in_perfsim
def test_a_tile_nothing_placed_still_cannot_be_judged():
    status, stderr, report = _case(6)
    assert report["races"] == [] and status == 4, stderr
    (entry,) = report["unverified"]
    assert "vmuls's operand 0x" in entry["why"] and "is no UB address" in entry["why"]


needs_corpus = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/corpus is not present")


@in_perfsim
@pytest.mark.corpus
@needs_corpus
def test_real_kernels_popping_vec_tiles_are_judged():
    """real/29 and real/03 (scalars 16, as tests/trace_corpus.tsv measures them): judged. 29 has no
    race in either sub-block's run, as the static check says of it. 03's trace races: the 15 pairs through the hidden
    row-expand scratch the static check reports too; its in-place TCVT against itself 6 times (the
    static check leaves the function unverified for it); and 12 across pipes, which the static check,
    a PIPE_V proof, does not judge: a vector write of v51 ([0x24000, 0x2c000)) while the TPUSH of v52,
    its upper half, may still be reading it on MTE3 (the kernel waits for MTE3 only before the next
    TCVT)."""
    include = f"-I{REAL / 'include'}"
    # (At scalar 16 its sub-block index takes the branch whose tiles' valid shapes are empty; at 0, the
    # one that does the work: both pop.)
    for given in ((), ("--arg", "v12=0")):
        status, stderr, report = _check(include, *given, str(REAL / "29_gate_1_aiv.cpp"))
        assert report["unverified"] == [] and report["races"] == [] and status == 0, (given, stderr)
    status, stderr, report = _check(include, str(REAL / "03_fa_splitpipe_call_both.cpp"))
    assert report["unverified"] == [], stderr
    races = _races(report)
    assert len(races) == 33 and status == 1
    in_place = [race for race in races if race[1] == race[3] and race[2].startswith("vconv")]
    across = [race for race in races if race[6] == "cross-pipe"]
    assert len(in_place) == 6 and len(across) == 12
    assert all(race[2].startswith("copy_ubuf_to_gm") and race[0] == "WAR" for race in across)
    assert {(race[1], race[3]) for race in races if race not in in_place and race not in across} == {
        (378, 380), (412, 413), (413, 414), (453, 454), (454, 455), (463, 476), (494, 495), (495, 496),
        (589, 520), (538, 539), (539, 540), (548, 561), (579, 580), (580, 581), (589, 605)}
