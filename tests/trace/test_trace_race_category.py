"""A trace race across pipes (an MTE copy against another pipe's access, ptofix/trace/cross_pipe.py)
is told apart as data, not only by its note's words: the JSON race's ``"category"`` is
``"cross-pipe"`` (``"overlap"`` for two vector instructions), the file's ``by_category`` counts
both, SARIF gives it the rule ``pipe-race-cross-pipe``, and the summary line counts it. The
recordings are made by hand: no compiler runs."""
from __future__ import annotations

from ptofix.commands.check import Tally
from ptofix.sarif import results_of, sarif_log
from ptofix.trace.check import result_of
from ptofix.trace.footprint import UB_BIAS
from ptofix.trace.instrument import CallSite
from ptofix.trace.record import Call, Recording

GM = 0x7F00_0000_0000


def _vexp(dst: int, src: int, site: int) -> list[Call]:
    """One repeat of 64 f32: reads [src, src + 256), writes [dst, dst + 256)."""
    return [Call("ptofix_element", (4,), site), Call("vexp", (UB_BIAS + dst, UB_BIAS + src, 1, 1, 1, 8, 8), site)]


def _recording(calls: list[Call]) -> Recording:
    sites = [CallSite("TLOAD", 3, 3), CallSite("TEXP", 4, 3), CallSite("TEXP", 5, 3)]
    return Recording("k.cpp", calls, sites, "k", {})


# TLOAD into [0, 256) with no MTE2 -> V flag; TEXP reads it (cross-pipe RAW) and writes [0x100, 0x200);
# the second TEXP reads that with no barrier (a vector RAW).
RACY = [Call("copy_gm_to_ubuf_align_b32", (UB_BIAS, GM, 0, 1, 256, 0, 0, 0, 0), 0),
        *_vexp(0x100, 0, 1), *_vexp(0x200, 0x100, 2)]


def test_each_trace_race_names_its_category_and_the_file_counts_them():
    report = result_of(_recording(RACY)).report
    assert sorted((race["kind"], race["category"], race["earlier"]["op"], race["later"]["op"])
                  for race in report["races"]) == [("RAW", "cross-pipe", "TLOAD", "TEXP"),
                                                   ("RAW", "overlap", "TEXP", "TEXP")]
    assert report["by_category"] == {"cross-pipe": 1, "overlap": 1}
    ordered = result_of(_recording([*RACY[:1], Call("set_flag", (3, 1, 0), 0), Call("wait_flag", (3, 1, 0), 0),
                                    *RACY[1:3], Call("pipe_barrier", (1,), 2), *RACY[3:]])).report
    assert ordered["races"] == [] and ordered["by_category"] == {}


def test_sarif_gives_a_cross_pipe_race_its_own_rule():
    report = result_of(_recording(RACY)).report
    rules = sorted(result["ruleId"] for result in results_of(report))
    assert rules == ["pipe-race-cross-pipe", "pipe-v-race"]
    declared = [rule["id"] for rule in sarif_log([report])["runs"][0]["tool"]["driver"]["rules"]]
    assert "pipe-race-cross-pipe" in declared


def test_the_summary_line_counts_races_across_pipes():
    tally = Tally()
    tally.add(result_of(_recording(RACY)).report)
    assert tally.summary(fix=False) == ("2 races (1 overlap, 1 across pipes), 0 broken placements, "
                                        "0 unverified functions in 1 file")
