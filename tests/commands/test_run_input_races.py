"""`run`'s reports say what races its input has, as `check` finds them: the text report's line
with their count and the command that shows them, check's own race objects in the JSON report,
and the races table and RACE labels on the HTML page; the page's row of a kept barrier carries
every phrase of its text reason. A decision's line names no neighbouring op as a bare `?`."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from test_html_report import rows_of

REPO = Path(__file__).resolve().parents[2]
FA = "kernels/flash_attention/fa.cpp"
TILE = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"
COLUMN = "Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 16, 1, SLayout::NoneBox, 512, PadValue::Null>"
# Removing the barrier at 14 or at 17 alone is provable, both not (TROWEXPANDMUL still reads the
# hidden scratch TROWEXPANDDIV's broadcast rewrites): one is kept, "needed once" the other goes.
NEEDED_ONCE = (f"__global__ AICORE void k() {{\n  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} b;\n  TASSIGN(b, 8192);\n"
               f"  {TILE} c;\n  TASSIGN(c, 16384);\n  {COLUMN} r;\n  TASSIGN(r, 32768);\n  {COLUMN} s;\n"
               "  TASSIGN(s, 32832);\n  pipe_barrier(PIPE_ALL);\n  TROWEXPANDMUL(a, a, r);\n  pipe_barrier(PIPE_V);\n"
               "  for (int32_t i = 0; i < 8; i += 1) {\n    TADDS(b, b, 1.0f);\n    pipe_barrier(PIPE_V);\n"
               "    TROWEXPANDDIV(c, c, s);\n    pipe_barrier(PIPE_V);\n  }\n}\n")


def ptofix(*argv: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ptofix", *argv], capture_output=True, text=True, cwd=cwd)


def test_the_text_report_counts_the_input_s_races_and_names_the_command_that_shows_them():
    proc = ptofix("run", "--pattern", "auto", "--report", "text", FA, "-o", os.devnull)
    assert proc.returncode == 0, proc.stderr
    check = json.loads(ptofix("check", "--report", "json", FA).stdout)["files"][0]
    assert len(check["races"]) == 8
    line = next(line for line in proc.stderr.splitlines() if "the input has" in line)
    assert line == (f"{FA}: note: the input has 8 PIPE_V races (3 RAW, 1 WAR, 4 WAW; 1 a PTOAS #674 same-access "
                    "chain): `ptofix check` on this file shows each, `--fix` inserts the barriers they need")
    assert proc.stderr.splitlines()[-1].endswith(" 5 of 12 PIPE_V barriers removed (0 statement(s) not parsed)")


def test_under_the_opt_in_the_input_s_races_leave_out_the_chains():
    proc = ptofix("run", "--pattern", "auto", "--same-access-chains", "--report", "text", FA, "-o", os.devnull)
    assert proc.returncode == 0, proc.stderr
    line = next(line for line in proc.stderr.splitlines() if "the input has" in line)
    assert line == (f"{FA}: note: the input has 7 PIPE_V races (3 RAW, 1 WAR, 3 WAW): `ptofix check` on this "
                    "file shows each, `--fix` inserts the barriers they need")


def test_the_json_report_carries_check_s_races_of_the_input():
    run = json.loads(ptofix("run", "--pattern", "auto", "--report", "json", FA, "-o", os.devnull).stdout)["files"][0]
    check = json.loads(ptofix("check", "--report", "json", FA).stdout)["files"][0]
    assert run["races"] == check["races"] and run["by_kind"] == check["by_kind"] == {"RAW": 3, "WAR": 1, "WAW": 4}
    assert run["unverified"] == check["unverified"] == []
    assert run["passes"][0]["removed"] > 0           # (the run's own report is still there)


def test_the_page_lists_the_input_s_races_and_labels_the_ops_in_them(tmp_path):
    page = tmp_path / "run.html"
    proc = ptofix("run", "--pattern", "auto", "--report", "html", "--report-file", str(page), FA, "-o", os.devnull)
    assert proc.returncode == 0, proc.stderr
    text = page.read_text()
    reader = rows_of(text)
    races = [row for row in reader.rows if "race-item" in row["class"]]
    assert len(races) == 8 and "8 races in the input (as check finds them" in text
    in_race = {int(row["cells"][0]) for row in reader.rows if "race" in row["class"] and "race-item" not in row["class"]}
    assert in_race == {328, 330, 331, 332, 411, 413, 414}
    assert any(row["cells"][2] == "\u26a0 RACE" for row in reader.rows if "race" in row["class"])


def test_a_kernel_without_races_or_with_an_unverified_function_says_so(tmp_path):
    (tmp_path / "k.cpp").write_text(NEEDED_ONCE)
    quiet = ptofix("run", "--pattern", "auto", "--report", "text", "k.cpp", "-o", os.devnull, cwd=tmp_path)
    assert "k.cpp: note: the input has no PIPE_V race that `ptofix check` shows" in quiet.stderr.splitlines()
    (tmp_path / "a b.cpp").write_text(f"__global__ AICORE void k(int32_t n) {{\n  {TILE} x;\n  TASSIGN(x, 0);\n"
                                      f"  {TILE} e;\n  TASSIGN(e, 65536);\n"
                                      "  for (int32_t i = 0; i < n; i += 1) {\n    TASSIGN(x, i * 16384);\n"
                                      "    pipe_barrier(PIPE_V);\n    TADDS(x, x, 1.0f);\n  }\n  TMULS(e, e, 2.0f);\n}\n")
    unverified = ptofix("run", "--pattern", "auto", "--report", "text", "a b.cpp", "-o", os.devnull, cwd=tmp_path)
    assert ("a b.cpp: note: the input has no PIPE_V race that `ptofix check` shows; 1 function is "
            "unverified (races in it neither shown nor ruled out)") in unverified.stderr.splitlines()


def test_without_a_report_run_does_not_check_the_input(tmp_path):
    proc = ptofix("run", "--pattern", "auto", FA, "-o", os.devnull)
    assert proc.returncode == 0 and "the input has" not in proc.stderr


def test_the_page_gives_every_phrase_of_a_kept_barrier_s_text_reason(tmp_path):
    (tmp_path / "k.cpp").write_text(NEEDED_ONCE)
    document = json.loads(ptofix("run", "--pattern", "auto", "--report", "json", "k.cpp", "-o", os.devnull,
                                 cwd=tmp_path).stdout)
    kept = [d for d in document["files"][0]["passes"][0]["decisions"] if d["decision"] == "kept"]
    assert kept and all(d["reason"].startswith("needed once the barrier") for d in kept)
    ptofix("run", "--pattern", "auto", "--report", "html", "--report-file", "k.html", "k.cpp", "-o", os.devnull,
           cwd=tmp_path)
    rows = {row.get("data-line"): row["cells"] for row in rows_of((tmp_path / "k.html").read_text()).rows}
    for decision in kept:
        selection = decision["reason"].split(f": {decision['hazard']['kind']}: ")[0]   # "needed once the barriers at ..."
        why = rows[str(decision["line"])][3]
        assert why.startswith(selection + ": " + decision["hazard"]["kind"] + " on "), why
        assert "(line 13) reads it" in why                     # and the hazard's ops, in words


def test_the_page_keeps_the_same_access_chain_s_refusal(tmp_path):
    document = json.loads(ptofix("run", "--pattern", "auto", "--report", "json", FA, "-o", os.devnull).stdout)
    decision = next(d for d in document["files"][0]["passes"][0]["decisions"] if d["line"] == 393)
    refusal = decision["reason"][decision["reason"].index("no same-access chain: "):]
    ptofix("run", "--pattern", "auto", "--report", "html", "--report-file", str(tmp_path / "p.html"), FA,
           "-o", os.devnull)
    row = next(row for row in rows_of((tmp_path / "p.html").read_text()).rows if row.get("data-line") == "393")
    assert row["cells"][3].startswith("needed: WAW on v45") and row["cells"][3].endswith("; " + refusal)


def test_a_missing_neighbour_op_is_named_in_words_not_as_a_question_mark(tmp_path):
    (tmp_path / "k.cpp").write_text(f"__global__ AICORE void k() {{\n  {TILE} a;\n  TASSIGN(a, 0);\n"
                                    "  pipe_barrier(PIPE_V);\n  TADDS(a, a, 1.0f);\n}\n")
    proc = ptofix("run", "--pattern", "auto", "--report", "text", "k.cpp", "-o", os.devnull, cwd=tmp_path)
    line = next(line for line in proc.stderr.splitlines() if line.startswith("k.cpp:4:3:"))
    assert "(auto, [no op on straight-line code] -> TADDS)" in line and "?" not in line
