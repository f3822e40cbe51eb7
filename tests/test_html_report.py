"""The HTML page (``--report html``): what a kernel engineer reads without hovering.

The page's rows are checked as HTML text, then in a real browser: headless Chromium (Debian's
``chromium``; scripts/run_tests.py and .ci/run install it when absent and root) renders the
page, a probe script added to a copy of it reads the laid-out DOM (which rows are visible, their
labels and reasons as rendered text, what a filter hides after a click) into the DOM that
``--dump-dom`` prints, and a screenshot of the page is taken. Without Chromium those tests skip,
saying so.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FA_CPP = REPO / "kernels" / "flash_attention" / "fa.cpp"


def ptofix(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ptofix", *argv], capture_output=True, text=True, cwd=REPO)


class Rows(HTMLParser):
    """The rows of a page's tables: their class, data attributes and the text of each cell."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict] = []
        self.banners: list[str] = []
        self._cell: list[str] | None = None
        self._banner: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "tr":
            self.rows.append({"class": (attributes.get("class") or "").split(), "cells": [], **{
                key: value for key, value in attributes.items() if key.startswith("data-")}})
        elif tag == "td" and self.rows:
            self._cell = []
            self.rows[-1]["cells"].append(self._cell)
        elif tag == "div" and "banner" in (attributes.get("class") or ""):
            self._banner = []

    def handle_endtag(self, tag):
        if tag == "td":
            self._cell = None
        elif tag == "div" and self._banner is not None:
            self.banners.append("".join(self._banner))
            self._banner = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._banner is not None:
            self._banner.append(data)


def rows_of(text: str) -> Rows:
    reader = Rows()
    reader.feed(text)
    reader.close()
    for row in reader.rows:
        row["cells"] = ["".join(cell) for cell in row["cells"]]
    return reader


def _run_page(tmp_path: Path, *argv: str, name: str = "page.html") -> str:
    page = tmp_path / name
    proc = ptofix(*argv, "--report", "html", "--report-file", str(page))
    assert proc.returncode in (0, 1, 4), proc.stderr
    return page.read_text()


def test_each_barrier_row_says_its_decision_and_reason_in_words(tmp_path):
    text = _run_page(tmp_path, "run", "--pattern", "auto", "--check", str(FA_CPP))
    assert text.startswith("<!DOCTYPE html>") and "<script" not in text and "http" not in text
    document = json.loads(ptofix("run", "--pattern", "auto", "--check", "--report", "json", "--report-file", "-",
                                 str(FA_CPP)).stdout)
    decisions = {d["line"]: d for d in document["files"][0]["passes"][0]["decisions"]}
    barriers = [row for row in rows_of(text).rows if "barrier" in row["class"]]
    assert len(barriers) == len(decisions) == 12
    lines = FA_CPP.read_text().splitlines()
    for row in barriers:
        decision = decisions[int(row["data-line"])]
        assert row["data-decision"] == decision["decision"]
        number, code, label, why = row["cells"]
        assert int(number) == decision["line"] and code.strip() == lines[decision["line"] - 1].strip()
        if decision["decision"] == "removed":
            assert label == "\u2713 REMOVED" and why == str(decision["reason"]).replace(f"{FA_CPP}:", "line ")
        else:
            assert label == "\u2717 KEPT" and why                           # the reason, in the row
    kept = next(row for row in barriers if row["data-line"] == "357")
    assert kept["cells"][3] == ("needed: RAW on v59 [90496, 90624): TMAX (line 356) writes it, then TSUB "
                                "(line 358) reads it")


@pytest.mark.slow
def test_opt_s_page_is_run_s(tmp_path):
    through_run = _run_page(tmp_path, "run", "--pattern", "auto", "--check", str(FA_CPP), name="run.html")
    through_opt = _run_page(tmp_path, "opt", "-p", "pipe-v-barrier{pattern=auto}", "--check", str(FA_CPP),
                            name="opt.html")
    # (run's page also lists the input's races, as check finds them: its rows of barriers are opt's.)
    def barriers(text: str) -> list:
        return [row for row in rows_of(text).rows if "barrier" in row["class"]]
    assert barriers(through_opt) == barriers(through_run) and len(barriers(through_run)) == 12


def test_barriers_a_pattern_did_not_select_are_not_shown_as_kept(tmp_path):
    # gu and softmax-sum-add select two of fa.cpp's 12: the proof removes one (372) and keeps the
    # other (393, a WAW since issue 55); the other 10 are not selected, not kept.
    text = _run_page(tmp_path, "run", "--pattern", "gu,softmax-sum-add", "--check", str(FA_CPP))
    barriers = [row for row in rows_of(text).rows if "barrier" in row["class"]]
    labels = {row["data-line"]: row["cells"][2] for row in barriers}
    assert labels.pop("372") == "\u2713 REMOVED" and labels.pop("393") == "\u2717 KEPT"
    assert list(labels.values()) == ["\u2013 NOT SELECTED"] * 10
    assert "barriers: 1 kept, 10 not selected, 1 removed" in text


@pytest.mark.slow
def test_check_s_page_shows_its_races_and_the_ops_in_them(tmp_path):
    text = _run_page(tmp_path, "check", str(FA_CPP))
    reader = rows_of(text)
    races = [row for row in reader.rows if "race-item" in row["class"]]
    assert len(races) == 8 and races[0]["cells"][:2] == ["WAW", "v39 [49280, 65664)"]
    assert races[0]["cells"][2:4] == ["line 330: TMULS(v39, v39, v10);", "line 328: TROWEXPANDSUB(v39, v35, v47);"]
    # TMULS -> TEXP on v39: an unbarriered PTOAS #674 chain, its category on the page.
    assert races[2]["cells"][:4] == ["WAW (PTOAS #674 same-access chain: ptoas prunes this barrier; Ascend's "
                                     "msSanitizer flags it)", "v39 [49280, 65664)", "line 331: TEXP(v39, v39);",
                                     "line 330: TMULS(v39, v39, v10);"]
    assert races[3]["cells"][:3] == ["RAW", "v39 [49280, 65664)", "line 332: TROWSUM(v49, v39, v37);"]
    in_race = {int(row["cells"][0]) for row in reader.rows if "race" in row["class"]}
    assert in_race == {328, 330, 331, 332, 411, 413, 414}
    present = [row for row in reader.rows if "barrier" in row["class"]]
    assert len(present) == 12 and all(row["cells"][2] == "\u25a1 PRESENT" for row in present)
    fixed = _run_page(tmp_path, "check", "--fix", str(FA_CPP), "-o", os.devnull, name="fixed.html")
    inserted = [row for row in rows_of(fixed).rows if "inserted" in row["class"]]
    assert [row["cells"][0] for row in inserted] == ["+330", "+331", "+332", "+413"]
    assert all(row["cells"][3].startswith("inserted before line") for row in inserted)


def test_a_banner_says_what_is_not_modelled_and_names_dash_i(tmp_path):
    kernel = tmp_path / "k.cpp"
    kernel.write_text('#include "my_helpers.hpp"\n__global__ AICORE void k() {\n  TADDS(a, a, 1.0f);\n'
                      "  pipe_barrier(PIPE_V);\n  helper(a);\n}\n")
    reader = rows_of(_run_page(tmp_path, "run", "--pattern", "auto", "-q", str(kernel), "-o", os.devnull))
    assert len(reader.banners) == 1
    assert "header 'my_helpers.hpp' not found" in reader.banners[0] and "-I DIR" in reader.banners[0]


def test_if_and_else_are_drawn_not_flattened(tmp_path):
    kernel = tmp_path / "k.cpp"
    tile = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"
    kernel.write_text(f"__global__ AICORE void k(int32_t n) {{\n  {tile} a;\n  TASSIGN(a, 0);\n  if (n > 0) {{\n"
                      "    TADDS(a, a, 1.0f);\n  } else {\n    TMULS(a, a, 2.0f);\n  }\n  pipe_barrier(PIPE_V);\n"
                      "  TEXP(a, a);\n}\n")
    code = [row["cells"][1] for row in rows_of(_run_page(tmp_path, "run", "--pattern", "auto", str(kernel), "-o",
                                                          os.devnull)).rows]
    assert code[:5] == ["if (n > 0) {", "  TADDS(a, a, 1.0f);", "} else {", "  TMULS(a, a, 2.0f);", "}"]


# ---- in a real browser ----------------------------------------------------------------------------
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("headless Chromium is not installed (apt-get install -y --no-install-recommends chromium; scripts/run_tests.py does "
                    "it when run as root)")
    return found


def _browser(page: Path, tmp_path: Path, *mode: str) -> subprocess.CompletedProcess:
    argv = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
            f"--user-data-dir={tmp_path / 'chromium-profile'}", *mode, page.as_uri()]
    return subprocess.run(argv, capture_output=True, text=True, timeout=180)


# Added to a copy of the page: what the browser laid out, written into the DOM --dump-dom prints.
PROBE = """<script>
function visible(selector) {
  return [...document.querySelectorAll(selector)].filter(e => e.offsetParent !== null && e.offsetHeight > 0);
}
function rowText(row) { return [...row.cells].map(c => c.innerText.trim()).join(" | "); }
const probe = {};
probe.barriers = visible("tr.barrier").map(rowText);
probe.races = visible("tr.race-item").map(rowText);
probe.raceOps = visible("tr.race").length;
probe.flags = visible("tr.flag").length;
probe.banners = visible(".banner").map(b => b.innerText);
probe.whyWidth = Math.min(...visible("tr.barrier td.why").map(td => td.offsetWidth));
document.querySelector("label[for=show-not-selected]").click();
probe.barriersAfterFilter = visible("tr.barrier").length;
document.querySelector("label[for=show-flag]").click();
probe.flagsShown = visible("tr.flag").length;
const out = document.createElement("pre");
out.id = "probe";
out.textContent = JSON.stringify(probe);
document.body.appendChild(out);
</script>"""


def _rendered(page_text: str, tmp_path: Path, name: str) -> dict:
    probed = tmp_path / f"{name}.probe.html"
    probed.write_text(page_text.replace("</body>", PROBE + "</body>"))
    proc = _browser(probed, tmp_path, "--dump-dom")
    assert proc.returncode == 0, proc.stderr[-2000:]
    match = re.search(r'<pre id="probe">(.*?)</pre>', proc.stdout, re.S)
    assert match, proc.stdout[-2000:]
    import html as html_module
    return json.loads(html_module.unescape(match.group(1)))


def _png_size_and_colours(path: Path) -> tuple[int, int, int]:
    """Width, height and the number of distinct byte values of the decoded pixel rows (a PNG read
    with zlib: a blank screenshot has very few)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    chunks, offset = [], 8
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        if kind == b"IDAT":
            chunks.append(data[offset + 8:offset + 8 + length])
        offset += 12 + length
    pixels = zlib.decompress(b"".join(chunks))
    return width, height, len(set(pixels[:2_000_000]))


@pytest.mark.slow
def test_in_chromium_the_fa_page_shows_each_decision_and_reason_and_check_s_races(tmp_path):
    chromium()
    run_page = _run_page(tmp_path, "run", "--pattern", "gu,softmax-sum-add", "--check", str(FA_CPP), name="run.html")
    rendered = _rendered(run_page, tmp_path, "run")
    assert len(rendered["barriers"]) == 12
    removed = [row for row in rendered["barriers"] if "\u2713 REMOVED" in row]
    assert len(removed) == 1 and removed[0].startswith("372 | pipe_barrier(PIPE_V);") and "redundant: " in removed[0]
    kept = [row for row in rendered["barriers"] if "\u2717 KEPT" in row]
    assert len(kept) == 1 and kept[0].startswith("393 | pipe_barrier(PIPE_V);") and "needed: WAW on v45" in kept[0]
    assert sum("\u2013 NOT SELECTED | not selected by --pattern" in row for row in rendered["barriers"]) == 10
    assert rendered["whyWidth"] > 100                          # the reason is laid out, not a tooltip
    assert rendered["barriersAfterFilter"] == 2                # the "not selected" filter hid 10 rows
    assert rendered["flags"] == 0 and rendered["flagsShown"] > 0   # flags hidden until asked for
    check_page = _run_page(tmp_path, "check", str(FA_CPP), name="check.html")
    rendered = _rendered(check_page, tmp_path, "check")
    assert len(rendered["races"]) == 8 and rendered["raceOps"] == 7
    assert rendered["races"][7].startswith("WAR | <hidden TMP_UB scratch> [188416, 196608) | line 414: TROWEXPANDDIV")
    # Screenshots of both pages, as a reviewer sees them.
    for name in ("run", "check"):
        shot = tmp_path / f"{name}.png"
        proc = _browser(tmp_path / f"{name}.html", tmp_path, f"--screenshot={shot}", "--window-size=1400,1800",
                        "--hide-scrollbars")
        assert proc.returncode == 0 and shot.is_file(), proc.stderr[-2000:]
        width, height, colours = _png_size_and_colours(shot)
        assert (width, height) == (1400, 1800) and colours > 20, (name, colours)
    keep = os.environ.get("PTOFIX_KEEP_SCREENSHOTS")
    if keep:
        for name in ("run", "check"):
            shutil.copy(tmp_path / f"{name}.png", Path(keep) / f"ptofix-{name}-page.png")


def test_in_chromium_the_not_modelled_banner_is_shown(tmp_path):
    chromium()
    kernel = tmp_path / "k.cpp"
    kernel.write_text('#include "my_helpers.hpp"\n__global__ AICORE void k() {\n  TADDS(a, a, 1.0f);\n'
                      "  pipe_barrier(PIPE_V);\n  helper(a);\n}\n")
    rendered = _rendered(_run_page(tmp_path, "run", "--pattern", "auto", "-q", str(kernel), "-o", os.devnull),
                         tmp_path, "banner")
    assert len(rendered["banners"]) == 1 and rendered["banners"][0].startswith("Not modelled:")
    assert "-I DIR" in rendered["banners"][0]
