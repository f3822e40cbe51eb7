"""The vector pipe's timeline before and after a rewrite, from Perf-Sim's swimlane, for the HTML
report of ``run --report html --pto-isa DIR``: ``timeline_measure.timeline_report`` measures (data
that pickles back from a ``-j`` worker), ``fragment`` draws it as a self-contained HTML fragment
(inline SVG, no script), which html_report.py places after the file's barrier strips. (Drawing
imports nothing of the measuring: the page's renderer must not reach perf's build.)"""
from __future__ import annotations

import html
from typing import Any

VECTOR_TRACK = "VEC"          # Perf-Sim's swimlane names the vector pipe's tracks "[AIC-0/AIV-n] VEC"
WIDTH = 960                   # drawing width in px
LANE = 14


def fragment(report: dict[str, Any]) -> str:
    """The timeline section of one file's report; '' when the run asked for none."""
    data = report.get("perf_timeline")
    if not isinstance(data, dict):
        return ""
    head = "<h3>vector pipe in Perf-Sim <span class=\"summary\">(pto-isa's pipeline model)</span></h3>\n"
    if "error" in data:
        return head + f"<p class=\"summary\">no timeline: {html.escape(str(data['error']))}</p>\n"
    before, after = data["before"], data["after"]
    span = max(before["total_cycles"], after["total_cycles"], 1)
    change = 100 * (after["total_cycles"] - before["total_cycles"]) / max(before["total_cycles"], 1)
    arguments = ", ".join(f"{k}={v}" for k, v in before["arguments"].items()) or "none"
    parts = [head, f"<p class=\"summary\">total {before['total_cycles']:,} -> {after['total_cycles']:,} cycles "
                   f"({change:+.1f}%), VEC busy {before['vec_busy']:,} -> {after['vec_busy']:,}; "
                   f"scalars {html.escape(arguments)}; gaps in a lane are cycles the vector pipe waited. "
                   f"The checkout's model charges no pipe_barrier between PTO instructions: "
                   f"<code>ptofix perf --barrier-model restart</code> shows what they cost "
                   f"(docs/commands/perf.md)</p>\n"]
    for label, run in (("before", before), ("after", after)):
        lanes = run["lanes"]
        height = LANE * max(len(lanes), 1) + 4
        svg = [f"<svg width=\"{WIDTH + 130}\" height=\"{height}\" role=\"img\" "
               f"aria-label=\"{label}: vector pipe timeline\">"]
        for row, (tid, events) in enumerate(lanes.items()):
            y = 2 + row * LANE
            svg.append(f"<text x=\"0\" y=\"{y + LANE - 4}\" font-size=\"10\">{html.escape(label)} "
                       f"{html.escape(tid.split(']')[0].split('/')[-1])}</text>")
            for start, duration, name in events:
                x = 130 + WIDTH * start / span
                w = max(WIDTH * duration / span, 0.5)
                svg.append(f"<rect x=\"{x:.1f}\" y=\"{y}\" width=\"{w:.1f}\" height=\"{LANE - 3}\" fill=\"#4a7bd0\">"
                           f"<title>{html.escape(name)}: cycles {start}..{start + duration}</title></rect>")
        svg.append("</svg>")
        parts.append("<div>" + "".join(svg) + "</div>\n")
    return "".join(parts)
