"""``ptofix perf --report html``: the page of each kernel's Perf-Sim lanes (ptofix/perf/page.py).

Without Perf-Sim: the page drawn from made-up results (lanes, axis ticks, barrier markers placed by
sequence number, a hostile file name), as HTML text and in headless Chromium (as
tests/test_html_report.py renders run's page). With it (``perfsim``, ``slow``): the FA sample and its
``auto`` rewrite, the page's markers against the kernel's own barrier lines, and the FA README's
lines run as written."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from test_html_report import _browser, _png_size_and_colours, chromium
from test_perf import FA, PTO_ISA, ROOT, in_perfsim

from ptofix.cli import main
from ptofix.perf.measure import MODEL_NOTE, PerfResult
from ptofix.perf.page import KernelPage, lanes_of, page, place_barriers

HOSTILE = "<img src=x onerror=alert(1)>&\"'.cpp"


def _event(tid: str, ts: int, dur: int, name: str) -> dict:
    return {"name": name, "ph": "X", "ts": ts, "dur": dur, "pid": 0, "tid": tid}


def _cost(per: int | None) -> dict:
    if per is None:
        return {"line": 0, "cycles": {"per_execution": None, "per_call": None, "why": "TMOV's copy_ubuf_to_ubuf has "
                                      "no calibrated vector head and tail"}}
    return {"line": 0, "cycles": {"per_execution": per, "per_call": per, "bound": "upper",
                                  "tail": {"op": "TADD", "intrinsic": "vadd", "cycles": per - 10},
                                  "head": {"op": "TMULS", "intrinsic": "vmuls", "cycles": 10}}}


def _result(path: str, total: int, vec_shift: int = 0) -> PerfResult:
    """A cube half (MTE2, CUBE) then two AIVs each running TADD, barrier (line 7), TMULS, barrier
    (line 9), TADD, with a 5-cycle idle gap before the TMULS; sequence numbers as Perf-Sim gives them."""
    swimlane = [_event("[AIC-0] MTE2", 0, 300, "TLOAD(64x128,fp16):1"),
                _event("[AIC-0] CUBE", 300, 400, "TMATMUL(64x128,fp32):2")]
    barriers = []
    for sub, base in ((0, 10), (1, 30)):
        tid = f"[AIC-0/AIV-{sub}] VEC"
        start = 800 + vec_shift
        swimlane += [_event(tid, start, 100, f"TADD(32x128,fp32):{base}"),
                     _event(tid, start + 105, 80, f"TMULS(32x128,fp32):{base + 2}"),
                     _event(tid, start + 185, 100, f"TADD(32x128,fp32):{base + 4}"),
                     _event(f"[AIC-0/AIV-{sub}] MTE3", start + 285, 50, f"TSTORE(32x128,fp32):{base + 5}")]
        barriers += [(0, sub, base + 1, 1, 7), (0, sub, base + 3, 1, 9), (0, sub, base + 4, 6, 25)]
    return PerfResult(path, total, 12, [], 570, 400, {"n": "8"}, swimlane=swimlane, barriers=barriers,
                      vec_critical=335)


def _kernel(path: str, total: int, vec_shift: int = 0) -> KernelPage:
    result = _result(path, total, vec_shift)
    lanes = lanes_of(result.swimlane)
    return KernelPage(path, result, {7: _cost(24), 9: _cost(None)},
                      {7: "pipe_barrier(PIPE_V);", 9: "pipe_barrier(PIPE_V); // <b>x</b>"}, lanes,
                      place_barriers(lanes, result.barriers))


def _page(first: str = "before.cpp", second: str = HOSTILE) -> str:
    return page([_kernel(first, 1200), _kernel(second, 1150, vec_shift=-50)], pto_isa="/checkout",
                barrier_model="restart", model_note=MODEL_NOTE)


class Svg(HTMLParser):
    """Each SVG's lanes, tick labels and barrier markers (their data attributes and titles)."""

    def __init__(self) -> None:
        super().__init__()
        self.views: list[dict] = []
        self.headings: list[str] = []
        self.tags: list[str] = []
        self.attributes: set[str] = set()
        self._marker_title = False
        self._text: list[str] | None = None
        self._in: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        self.attributes.update(a)
        if tag == "svg":
            self.views.append({"view": a["data-view"], "lanes": [], "ticks": [], "markers": []})
        elif tag == "g" and a.get("class") == "lane":
            self.views[-1]["lanes"].append(f"{a['data-unit']} {a['data-pipe']}")
        elif tag == "g" and a.get("class") == "barrier":
            self.views[-1]["markers"].append({"lines": a["data-lines"], "cycle": int(a["data-cycle"]),
                                              "unit": a["data-unit"], "title": ""})
            self._marker_title = True
        elif tag == "line" and self.views and self.views[-1]["markers"] and "x1" in a and self._in[-1:] == ["g"]:
            self.views[-1]["markers"][-1].setdefault("x", float(a["x1"]))
        elif tag == "text" and a.get("class") == "tick":
            self.views[-1]["ticks"].append((int(a["data-cycle"]), float(a["x"])))
        if tag in ("title", "h2", "text"):
            self._text = []
        self._in.append(tag)

    def handle_endtag(self, tag):
        if self._in:
            self._in.pop()
        if tag == "title" and self._text is not None and self._marker_title:
            self.views[-1]["markers"][-1]["title"] = "".join(self._text)
            self._marker_title = False
        elif tag == "h2" and self._text is not None:
            self.headings.append("".join(self._text))
        elif tag == "text" and self._text is not None and self.views and self.views[-1]["ticks"]:
            tick = self.views[-1]["ticks"][-1]
            if len(tick) == 2:
                self.views[-1]["ticks"][-1] = (*tick, "".join(self._text))
        if tag in ("title", "h2", "text"):
            self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def parsed(text: str) -> Svg:
    reader = Svg()
    reader.feed(text)
    reader.close()
    return reader


def test_barriers_are_placed_between_the_vector_instructions_recorded_around_them():
    result = _result("k.cpp", 1200)
    markers = place_barriers(lanes_of(result.swimlane), result.barriers)
    # The PIPE_ALL (pipe 6) is not a PIPE_V marker; each AIV's two PIPE_V barriers, in order.
    assert [(m.sub, m.line, m.cycle, m.before, m.after, m.gap) for m in markers] == [
        (0, 7, 905, "TADD(32x128,fp32)", "TMULS(32x128,fp32)", 5), (0, 9, 985, "TMULS(32x128,fp32)",
                                                                    "TADD(32x128,fp32)", 0),
        (1, 7, 905, "TADD(32x128,fp32)", "TMULS(32x128,fp32)", 5), (1, 9, 985, "TMULS(32x128,fp32)",
                                                                    "TADD(32x128,fp32)", 0)]
    # A barrier after the last vector instruction sits at its end; one on a unit with no vector lane is left out.
    late = place_barriers(lanes_of(result.swimlane), [(0, 0, 99, 1, 11), (0, 5, 3, 1, 12)])
    assert [(m.line, m.cycle, m.after, m.gap) for m in late] == [(11, 1085, "", None)]


def test_the_page_has_both_lanes_an_axis_and_the_markers_in_order():
    text = _page()
    svg = parsed(text)
    whole = [v for v in svg.views if v["view"] == "whole"]
    vector = [v for v in svg.views if v["view"] == "vector"]
    assert len(whole) == 2 and len(vector) == 2                 # before and after, each whole and zoomed
    assert whole[0]["lanes"] == ["AIC0 MTE2", "AIC0 CUBE", "AIV0 VEC", "AIV0 MTE3", "AIV1 VEC", "AIV1 MTE3"]
    assert vector[0]["lanes"] == ["AIV0 VEC", "AIV0 MTE3", "AIV1 VEC", "AIV1 MTE3"]
    for view in whole:
        cycles = [tick[0] for tick in view["ticks"]]
        assert cycles[0] == 0 and cycles == sorted(cycles) and cycles[-1] <= 1200 < cycles[-1] + 2 * (cycles[1] - cycles[0])
        assert [tick[2] for tick in view["ticks"]] == [f"{c:,}" for c in cycles]
        xs = [tick[1] for tick in view["ticks"]]
        assert xs == sorted(xs) and len(set(xs)) == len(xs)
    # One marker per PIPE_V execution (2 per AIV), on its AIV, left to right in cycle order.
    before = whole[0]["markers"]
    assert [(m["unit"], m["lines"], m["cycle"]) for m in before] == [
        ("AIV0", "7", 905), ("AIV0", "9", 985), ("AIV1", "7", 905), ("AIV1", "9", 985)]
    for unit in ("AIV0", "AIV1"):
        xs = [m["x"] for m in before if m["unit"] == unit]
        assert xs == sorted(xs) and xs[0] < xs[1]
    # The after kernel's vector half starts 50 cycles earlier: its markers sit to the left on the same axis.
    after = whole[1]["markers"]
    assert [m["cycle"] for m in after] == [855, 935, 855, 935] and after[0]["x"] < before[0]["x"]
    # Hover: the source line, the ops around it, the drain-and-refill cost less the idle gap.
    assert before[0]["title"] == ("AIV0 at cycle 905: line 7: pipe_barrier(PIPE_V); (TADD(32x128,fp32) -> "
                                  "TMULS(32x128,fp32)); drain-and-refill at most 24 cycles (TADD's vadd tail 14 + "
                                  "TMULS's vmuls head 10); vector pipe idle 5 cycles across it here; so ~19 cycles here")
    assert "drain-and-refill cost not given: TMOV's copy_ubuf_to_ubuf" in before[1]["title"]
    assert "<b>x</b>" not in text and "pipe_barrier(PIPE_V); // &lt;b&gt;x&lt;/b&gt;" in text


def test_the_page_escapes_file_names_and_fetches_nothing():
    text = _page()
    assert HOSTILE not in text and "<img" not in text
    assert html_escaped(HOSTILE) in text
    assert parsed(text).headings == ["before: before.cpp (reference)", f"after: {HOSTILE}"]
    # Nothing to fetch or run: no script, no attribute that loads anything, only drawing elements.
    assert "<script" not in text and not {"src", "href", "xlink:href"} & parsed(text).attributes
    assert "@import" not in text and "url(" not in text
    assert set(parsed(text).tags) <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "code",
                                      "table", "tr", "th", "td", "section", "svg", "line", "text", "g", "rect",
                                      "path", "span", "i"}
    undecodable = "k\udcff.cpp"           # (a file name that is not UTF-8)
    assert "k<ff>.cpp" in page([_kernel(undecodable, 1200)], pto_isa="/c", barrier_model="pto-isa",
                               model_note=MODEL_NOTE)


def html_escaped(text: str) -> str:
    import html
    return html.escape(text)


def test_the_page_is_the_same_bytes_each_time_and_says_what_the_numbers_are():
    text = _page()
    assert text == _page()
    assert "barrier model <code>restart</code>" in text and html_escaped(MODEL_NOTE)[1:] in text
    rows = re.findall(r"<tr data-file=\"\d\">(.*?)</tr>", text)
    assert len(rows) == 2
    cells = [re.findall(r"<td>(.*?)</td>", row) for row in rows]
    assert cells[0][:3] == ["before.cpp", "1,200", "reference"] and cells[1][2] == "-4.2%"
    assert cells[0][7:] == ["4", "48 (2 without a cost)", "38"]        # 2 x 24, less the two 5-cycle gaps
    table = re.findall(r"<tr data-line=\"(\d+)\">(.*?)</tr>", text)
    assert [line for line, _ in table] == ["7", "9", "7", "9"]


def test_report_html_needs_a_file(tmp_path, capsys):
    kernel = tmp_path / "k.cpp"
    kernel.write_text("void f() {}\n")
    (tmp_path / "isa" / "include" / "pto").mkdir(parents=True)      # (a checkout, identified first)
    assert main(["perf", str(kernel), "--pto-isa", str(tmp_path / "isa"), "--report", "html"]) == 2
    err = capsys.readouterr().err
    assert "--report html writes a page: give it a file, --report-file PAGE.html" in err


# ---- in a real browser ----------------------------------------------------------------------------
PROBE = """<script>
const probe = {views: []};
for (const svg of document.querySelectorAll("svg.timeline")) {
  const box = svg.getBoundingClientRect();
  probe.views.push({
    view: svg.dataset.view, width: box.width, height: box.height,
    lanes: [...svg.querySelectorAll("g.lane")].map(g => [g.querySelector("text").textContent,
                                                         g.getBoundingClientRect().top - box.top]),
    ticks: [...svg.querySelectorAll("text.tick")].map(t => [t.textContent, t.getBoundingClientRect().left]),
    markers: [...svg.querySelectorAll("g.barrier")].map(g => [g.dataset.unit, +g.dataset.cycle,
        g.querySelector("line").getBoundingClientRect().left, g.querySelector("title").textContent]),
  });
}
probe.headings = [...document.querySelectorAll("h2")].map(h => h.innerText);
probe.images = document.querySelectorAll("img").length;
const out = document.createElement("pre");
out.id = "probe";
out.textContent = JSON.stringify(probe);
document.body.appendChild(out);
</script>"""


def rendered(text: str, tmp_path: Path, name: str) -> dict:
    probed = tmp_path / f"{name}.probe.html"
    probed.write_text(text.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    proc = _browser(probed, tmp_path, "--dump-dom")
    assert proc.returncode == 0, proc.stderr[-2000:]
    match = re.search(r'<pre id="probe">(.*?)</pre>', proc.stdout, re.S)
    assert match, proc.stdout[-2000:]
    import html
    return json.loads(html.unescape(match.group(1)))


def screenshot(page_file: Path, tmp_path: Path, name: str) -> Path:
    shot = tmp_path / f"{name}.png"
    proc = _browser(page_file, tmp_path, f"--screenshot={shot}", "--window-size=1400,1600", "--hide-scrollbars")
    assert proc.returncode == 0 and shot.is_file(), proc.stderr[-2000:]
    width, height, colours = _png_size_and_colours(shot)
    assert (width, height) == (1400, 1600) and colours > 20, colours
    keep = os.environ.get("PTOFIX_KEEP_SCREENSHOTS")
    if keep:
        shutil.copy(shot, Path(keep) / f"ptofix-perf-{name}.png")
    return shot


def test_in_chromium_the_lanes_axis_and_markers_are_laid_out_in_order(tmp_path):
    chromium()
    text = _page()
    probe = rendered(text, tmp_path, "made-up")
    assert probe["images"] == 0                                 # the hostile name made no element
    assert probe["headings"] == ["before: before.cpp (reference)", f"after: {HOSTILE}"]
    for view in probe["views"]:
        assert view["width"] > 1000 and view["height"] > 60
        tops = [top for _label, top in view["lanes"]]
        assert tops == sorted(tops) and len(set(tops)) == len(tops)      # one row per lane, top to bottom
        lefts = [left for _label, left in view["ticks"]]
        assert lefts == sorted(lefts) and len(lefts) >= 3
        values = [int(label.replace(",", "")) for label, _left in view["ticks"]]
        assert values == sorted(values)
        for unit in ("AIV0", "AIV1"):
            mine = [m for m in view["markers"] if m[0] == unit]
            assert [m[1] for m in mine] == sorted(m[1] for m in mine) and len(mine) == 2
            assert [m[2] for m in mine] == sorted(m[2] for m in mine) and mine[0][2] < mine[1][2]
            assert mine[0][3].startswith(f"{unit} at cycle ") and "line 7: pipe_barrier(PIPE_V);" in mine[0][3]
    page_file = tmp_path / "made-up.html"
    page_file.write_text(text, encoding="utf-8")
    screenshot(page_file, tmp_path, "made-up")


# ---- with Perf-Sim --------------------------------------------------------------------------------
@in_perfsim
def test_the_fa_page_marks_every_barrier_the_kernel_executes(tmp_path):
    chromium()
    auto = tmp_path / "fa.auto.cpp"
    subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", "-q", str(FA), "-o", str(auto)],
                   check=True)
    page_file = tmp_path / "fa.perf.html"
    done = subprocess.run([sys.executable, "-m", "ptofix", "perf", str(FA), str(auto), "--pto-isa", str(PTO_ISA),
                           "--arg", "v7=2", "--report", "html", "--report-file", str(page_file)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    text = page_file.read_text(encoding="utf-8")
    # The text lines still go to stdout, with the numbers the page shows.
    totals = re.findall(r": ([\d,]+) cycles \(", done.stdout)
    assert len(totals) == 2 and all(f"<td>{t}</td>" in text for t in totals)
    svg = parsed(text)
    whole = [v for v in svg.views if v["view"] == "whole"]
    assert len(whole) == 2
    assert whole[0]["lanes"][:5] == ["AIC0 Scalar", "AIC0 MTE2", "AIC0 MTE1", "AIC0 CUBE", "AIC0 FIXP"]
    assert {"AIV0 VEC", "AIV1 VEC"} <= set(whole[0]["lanes"])
    for kernel, view in zip((FA, auto), whole, strict=True):
        lines = kernel.read_text().splitlines()
        barrier_lines = {i for i, line in enumerate(lines, 1) if line.strip() == "pipe_barrier(PIPE_V);"}
        marked = {int(line) for m in view["markers"] for line in m["lines"].split()}
        # A marker for each of the kernel's PIPE_V barriers (at v7=2 each runs), none other.
        assert marked == barrier_lines
        for unit in ("AIV0", "AIV1"):
            cycles = [m["cycle"] for m in view["markers"] if m["unit"] == unit]
            assert cycles == sorted(cycles) and cycles
    # auto removed 5 of the 12 barriers: fewer markers after.
    assert len(whole[1]["markers"]) < len(whole[0]["markers"])
    probe = rendered(text, tmp_path, "fa")
    assert len(probe["views"]) == 4 and probe["headings"][0].startswith("before: ")
    screenshot(page_file, tmp_path, "fa")
    # The same run again (built, cached) writes the same bytes.
    again = subprocess.run([sys.executable, "-m", "ptofix", "perf", str(FA), str(auto), "--pto-isa", str(PTO_ISA),
                            "--arg", "v7=2", "--report", "html", "--report-file", str(tmp_path / "again.html"), "-q"],
                           capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "again.html").read_text(encoding="utf-8") == text


@in_perfsim
def test_the_fa_readme_s_page_and_table_lines_run_as_written(tmp_path):
    readme = (ROOT / "kernels" / "flash_attention" / "README.md").read_text()
    block = readme.split("The page of one run, both lanes", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    commands = block.strip().splitlines()
    assert len(commands) == 3
    work = tmp_path / "kernels" / "flash_attention"
    work.mkdir(parents=True)
    shutil.copy(FA, work / "fa.cpp")
    shutil.copy(ROOT / "kernels" / "flash_attention" / "README.md", work / "README.md")
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "perf_fa.py", tmp_path / "scripts" / "perf_fa.py")
    shutil.copy(ROOT / "kernels" / "flash_attention" / "perf_fa.json", work / "perf_fa.json")
    subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", "-q", "fa.cpp", "-o", "fa.auto.cpp"],
                   cwd=work, check=True)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "ptofix").write_text(f"#!/bin/sh\nexec {sys.executable} -m ptofix \"$@\"\n")
    (bindir / "ptofix").chmod(0o755)
    env = {**os.environ, "PTO_ISA": str(PTO_ISA), "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": str(ROOT)}
    for command in commands:
        done = subprocess.run(["sh", "-c", command], cwd=work, env=env, capture_output=True, text=True)
        assert done.returncode == 0, (command, done.stderr)
    assert "<svg class=\"timeline\"" in (work / "fa.perf.html").read_text()
    record = json.loads((work / "fa.perf.json").read_text())
    shipped = json.loads((ROOT / "kernels" / "flash_attention" / "perf_fa.json").read_text())
    # S1 = 1024 measured again gives the recorded numbers (Perf-Sim is deterministic).
    assert [run["s1"] for run in record["runs"]] == [1024, 1024]
    for run in record["runs"]:
        same = next(r for r in shipped["runs"] if (r["s1"], r["barrier_model"]) == (1024, run["barrier_model"]))
        assert (run["before"], run["after"]) == (same["before"], same["after"])
    assert record["kernels"] == shipped["kernels"]


def test_barriers_too_close_to_tell_apart_are_one_marker_that_counts_them():
    kernel = _kernel("k.cpp", 1_000_000)                # (the whole run on 1,100 px: 80 cycles are no pixel)
    text = page([kernel], pto_isa="/c", barrier_model="pto-isa", model_note=MODEL_NOTE)
    whole = next(v for v in parsed(text).views if v["view"] == "whole")
    assert [(m["unit"], m["lines"]) for m in whole["markers"]] == [("AIV0", "7 9"), ("AIV1", "7 9")]
    assert whole["markers"][0]["title"] == (
        "AIV0, cycles 905..985: 2 pipe_barrier(PIPE_V) (line 7, line 9); drain-and-refill at most 24 cycles in all "
        "(1 without a cost), ~19 less the vector pipe's idle gaps; each line's cost is in the table below")


def test_barriers_that_cannot_be_placed_are_said_not_drawn():
    result = _result("k.cpp", 1200)
    result.swimlane = [{**event, "name": event["name"].split(":")[0]} for event in result.swimlane]  # (no :seq)
    lanes = lanes_of(result.swimlane)
    kernel = KernelPage("k.cpp", result, {}, {}, lanes, place_barriers(lanes, result.barriers))
    text = page([kernel], pto_isa="/c", barrier_model="pto-isa", model_note=MODEL_NOTE)
    assert kernel.markers == [] and "4 of the 4 pipe_barrier(PIPE_V) executed could not be placed" in text
