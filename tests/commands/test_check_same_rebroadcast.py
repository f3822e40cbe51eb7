"""`ptofix check` on two no-tmp row-expands broadcasting the same unchanged per-row tile through the
hidden scratch (docs/reference/pto-facts.md §2.4): the scratch holds the same bytes whichever
broadcast the first op reads, but msSanitizer flags the pair, so check reports it as a race of its
own category (``same-rebroadcast``) in every rendering, under either race model."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ptofix import api
from ptofix.cpp.races import SAME_REBROADCAST, find_races
from ptofix.file_passes import input_races_line
from ptofix.frontends import parse_cpp
from ptofix.source import SourceText

ROW = "Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null>"
FULL = "Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null>"


def _kernel(between: str = "") -> str:
    """R1 = TROWEXPANDMUL (line 8) and R2 = TROWEXPANDDIV (line 9 + lines of ``between``), both
    broadcasting v7."""
    return (f"__global__ AICORE void k() {{\n  {FULL} v5;\n  TASSIGN(v5, 0);\n  {FULL} v6;\n  TASSIGN(v6, 16384);\n"
            f"  {ROW} v7;\n  TASSIGN(v7, 32768);\n  TROWEXPANDMUL(v5, v5, v7);\n{between}"
            "  TROWEXPANDDIV(v6, v6, v7);\n}\n")


SAME = _kernel()
NOTE_TAIL = ("; Ascend's msSanitizer flags this pair; the hidden scratch holds the same bytes whichever broadcast "
             "the earlier op reads (pto-facts §2.4)")


def _check(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ptofix", "check", *argv], capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1"})


def test_the_pair_is_a_race_of_its_own_category():
    """(Fails on the old code, which skipped the pair: no race at all.)"""
    races, unverified = find_races(parse_cpp(SourceText(SAME, "k.cpp")))
    assert [(r.hazard.kind, r.category, r.same_rebroadcast) for r in races] == [("WAR", SAME_REBROADCAST, True)]
    assert not unverified
    assert races[0].earlier.op == "TROWEXPANDMUL" and races[0].later.op == "TROWEXPANDDIV.vbrcb"


def test_a_changed_per_row_tile_is_an_overlap_race_not_the_category():
    races, _ = find_races(parse_cpp(SourceText(_kernel("  TMULS(v7, v7, 2.0f);\n"), "k.cpp")))
    assert races and {r.category for r in races} == {"overlap"}


def test_every_rendering_names_the_category(tmp_path: Path):
    kernel = tmp_path / "same.cpp"
    kernel.write_text(SAME)
    proc = _check("--report", "json", str(kernel))
    # A race: check's exit status is 1 (it was 0 when the pair was skipped).
    assert proc.returncode == 1, proc.stderr
    document = json.loads(proc.stdout)["files"][0]
    [race] = document["races"]
    assert (race["kind"], race["category"]) == ("WAR", "same-rebroadcast")
    assert document["by_category"] == {"same-rebroadcast": 1}
    assert race["note"].endswith(NOTE_TAIL)
    assert (f"{kernel}:9:3: warning: WAR race (same per-row broadcast): TROWEXPANDDIV.vbrcb writes "
            "<hidden TMP_UB scratch> [188416, 196608), which TROWEXPANDMUL (line 8) may still read") in proc.stderr
    assert f"{kernel}:8:3: note: TROWEXPANDMUL reads <hidden TMP_UB scratch>" in proc.stderr
    assert proc.stderr.splitlines()[-1] == ("1 race (0 overlap, 1 same per-row broadcast), 0 broken placements, "
                                            "0 unverified functions in 1 file")
    sarif = json.loads(_check("--report", "sarif", str(kernel)).stdout)
    [result] = sarif["runs"][0]["results"]
    assert result["ruleId"] == "pipe-v-race-same-rebroadcast"
    assert result["relatedLocations"][0]["message"]["text"].endswith(NOTE_TAIL)
    rules = [rule["id"] for rule in sarif["runs"][0]["tool"]["driver"]["rules"]]
    assert "pipe-v-race-same-rebroadcast" in rules
    _check("--report", "html", "--report-file", str(tmp_path / "page.html"), str(kernel))
    page = (tmp_path / "page.html").read_text(encoding="utf-8")
    assert "WAR (same per-row broadcast: the scratch holds the same bytes either way; Ascend&#x27;s msSanitizer " \
           "flags it)" in page
    [found] = api.check(SAME)
    assert found.category == "same-rebroadcast" and found.kind == "WAR"
    assert input_races_line("k.cpp", document) == (
        "k.cpp: note: the input has 1 PIPE_V race (1 WAR; 1 same per-row broadcast): `ptofix check` on this "
        "file shows each, `--fix` inserts the barriers they need")


def test_the_opt_in_race_model_reports_it_too_and_fix_inserts_its_barrier(tmp_path: Path):
    """--same-access-chains credits PTOAS #674 chains only: the pair stays a race. --fix puts a
    barrier between the two broadcasts, and the fixed kernel checks clean."""
    kernel = tmp_path / "same.cpp"
    kernel.write_text(SAME)
    opted = _check("--same-access-chains", str(kernel))
    assert opted.returncode == 1 and "WAR race (same per-row broadcast)" in opted.stderr
    fixed = _check("--fix", str(kernel))
    assert fixed.returncode == 0, fixed.stderr
    assert ("/* ptofix: WAR on <hidden TMP_UB scratch> with input line 8 */ pipe_barrier(PIPE_V);\n"
            "  TROWEXPANDDIV(v6, v6, v7);") in fixed.stdout
    again = tmp_path / "fixed.cpp"
    again.write_text(fixed.stdout)
    assert _check(str(again)).returncode == 0


def test_the_barrier_proof_keeps_a_barrier_between_the_two_broadcasts(tmp_path: Path):
    """The proof does not use §2.4: `run --pattern auto` leaves the barrier in place."""
    kernel = tmp_path / "kept.cpp"
    text = _kernel("  pipe_barrier(PIPE_V);\n")
    kernel.write_text(text)
    proc = subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", str(kernel)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == text
