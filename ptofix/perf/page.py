"""``ptofix perf --report html --report-file PAGE.html``: one self-contained page (inline CSS and
SVG, no script, nothing fetched) of each kernel's run in Perf-Sim.

Per kernel, on one time axis shared by all of them (ticks in cycles) so that the first, the
reference ("before"), and each other ("after") compare at a glance: every pipe lane of Perf-Sim's
swimlane, grouped by unit (the cube half's AIC, then each vector sub-block's AIV), and a marker on
the vector lane for each ``pipe_barrier(PIPE_V)`` the kernel executed (its place between the
vector instructions recorded before and after it, by Perf-Sim's sequence numbers: shim.hpp item 4).
Hovering a marker gives its source line, its two ops and its drain-and-refill cost
(pto/vector_latency.py: the calibrated tail of the op before plus the head of the op after, an upper
bound) less the vector pipe's idle gap across it in this run. A table per kernel lists the same
per source line, readable without hovering.

The page is a function of the results alone (no time, no cache path), so a run gives the same bytes
each time; every text from the input (file names, source lines, op names) is escaped.
"""
from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass, field
from typing import Any

from ..compile_env import CompileEnvironment
from ..pto.pipe_codes import PIPE_V
from ..reports import printable_names

LEFT = 150          # px of lane labels
WIDTH = 1100        # px of the time axis
ROW = 16            # px per lane
HEAD = 26           # px above the lanes (the axis labels)
MARKER_PX = 3       # barriers closer than this on one lane are drawn as one marker
_TRACK = re.compile(r"^\[(AIC-(\d+))(?:/AIV-(\d+))?\]\s*(\S+)$")
_SEQ = re.compile(r":(\d+)$")
_SYNC = ("WAIT(", "SIGNAL(", "BARRIER")
_PIPE_ORDER = ("Scalar", "MTE2", "MTE1", "CUBE", "FIXP", "VEC", "MTE3")
_COLOURS = {"Scalar": "#9a9a9a", "MTE2": "#3d9a5b", "MTE1": "#8a63b8", "CUBE": "#d07a2d", "FIXP": "#8d6e4c",
            "VEC": "#3a6fc4", "MTE3": "#2a9d9d"}


@dataclass
class Lane:
    core: int
    sub: int | None                     # None: the cube unit (AIC)
    pipe: str
    events: list[tuple[int, int, str]]  # (start, duration, name), by start

    @property
    def unit(self) -> str:
        return f"AIC{self.core}" if self.sub is None else f"AIV{self.sub}" + (f"/{self.core}" if self.core else "")


@dataclass
class Marker:
    """One execution of a kernel's ``pipe_barrier(PIPE_V)`` placed on its AIV's vector lane."""
    line: int
    core: int
    sub: int
    cycle: int                  # where it is drawn: the start of the vector op after it (else the end of the last)
    before: str                 # the vector instruction before it ('' none)
    after: str
    gap: int | None             # cycles the vector pipe was idle between the two


@dataclass
class KernelPage:
    path: str
    result: Any                          # measure.PerfResult
    costs: dict[int, dict[str, Any]]     # line -> race_check's barrier_cycles entry
    source_lines: dict[int, str]
    lanes: list[Lane] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)


def lanes_of(swimlane: list[dict[str, Any]]) -> list[Lane]:
    """Perf-Sim's swimlane events by lane ("[AIC-0] CUBE", "[AIC-0/AIV-1] VEC"), cube unit first,
    then each AIV, each unit's pipes in pipeline order."""
    lanes: dict[tuple[int, int, int, str], Lane] = {}
    for event in swimlane:
        found = _TRACK.match(str(event.get("tid", "")))
        if found is None:
            continue
        core = int(event.get("pid", 0) or 0)
        sub = None if found.group(3) is None else int(found.group(3))
        pipe = found.group(4)
        order = _PIPE_ORDER.index(pipe) if pipe in _PIPE_ORDER else len(_PIPE_ORDER)
        key = (core, -1 if sub is None else sub, order, pipe)
        lane = lanes.setdefault(key, Lane(core, sub, pipe, []))
        lane.events.append((int(event.get("ts", 0)), int(event.get("dur", 0)), str(event.get("name", ""))))
    for lane in lanes.values():
        lane.events.sort()
    return [lanes[key] for key in sorted(lanes)]


def place_barriers(lanes: list[Lane], barriers: list[tuple[int, int, int, int, int]]) -> list[Marker]:
    """Each executed PIPE_V barrier between the vector instructions of its sub-block recorded before
    and after it (Perf-Sim's sequence numbers, the ``:N`` its swimlane names end with). One counter
    numbers both: pto-isa f35e7f60 perf_sim/recorder.hpp, SharedNextSeq, drawn by PtoRecorder::Record
    and SyncRecorder::Barrier; pipe_model_queue_impl.inl's InstrName appends the record's own."""
    by_unit: dict[tuple[int, int], tuple[list[int], list[tuple[int, int, str]]]] = {}
    for lane in lanes:
        if lane.pipe != "VEC" or lane.sub is None:
            continue
        numbered = sorted((int(m.group(1)), event) for event in lane.events
                          if not event[2].startswith(_SYNC) and (m := _SEQ.search(event[2])) is not None)
        by_unit[(lane.core, lane.sub)] = ([seq for seq, _ in numbered], [event for _, event in numbered])
    markers = []
    for core, sub, seq, pipe, line in barriers:
        if pipe != PIPE_V or (core, sub) not in by_unit:
            continue
        seqs, events = by_unit[(core, sub)]
        at = bisect.bisect_left(seqs, seq)
        before = events[at - 1] if at > 0 else None
        after = events[at] if at < len(events) else None
        if after is not None:
            cycle = after[0]
        elif before is not None:
            cycle = before[0] + before[1]
        else:
            continue
        gap = after[0] - (before[0] + before[1]) if before is not None and after is not None else None
        markers.append(Marker(line, core, sub, cycle, _op_name(before), _op_name(after), gap))
    return markers


def _op_name(event: tuple[int, int, str] | None) -> str:
    return "" if event is None else _SEQ.sub("", event[2])


def _nice_step(span: int, ticks: int = 10) -> int:
    raw = max(span / ticks, 1)
    scale = 10 ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 5, 10):
        if factor * scale >= raw:
            return factor * scale
    return 10 * scale


@dataclass(frozen=True)
class Window:
    """The cycles an axis shows: ``origin`` to ``origin + span``."""
    origin: int
    span: int

    def x(self, cycle: int) -> float:
        return LEFT + WIDTH * (cycle - self.origin) / self.span

    def holds(self, start: int, end: int) -> bool:
        return end >= self.origin and start <= self.origin + self.span


def _merged(events: list[tuple[int, int, str]], window: Window) -> list[tuple[int, int, list[str]]]:
    """The events in ``window``, those closer than a pixel joined into one box: (start, end, names),
    so that a long run draws a bounded number of boxes."""
    pixel = window.span / WIDTH
    boxes: list[tuple[int, int, list[str]]] = []
    for start, duration, name in events:
        end = start + duration
        if not window.holds(start, end):
            continue
        if boxes and start - boxes[-1][1] < pixel and end - boxes[-1][0] < 4 * pixel:
            first, last, names = boxes[-1]
            names.append(name)
            boxes[-1] = (first, max(last, end), names)
        else:
            boxes.append((start, end, [name]))
    return boxes


def _names_words(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    counts: dict[str, int] = {}
    for name in names:
        op = _SEQ.sub("", name).split("(", 1)[0]
        counts[op] = counts.get(op, 0) + 1
    return f"{len(names)} instructions: " + ", ".join(f"{op} x{n}" for op, n in sorted(counts.items()))


def _cost_words(cost: dict[str, Any] | None) -> str:
    if cost is None:
        return "drain-and-refill cost: not known (no such barrier in the analysis of the file)"
    cycles = cost["cycles"]
    if cycles["per_execution"] is None:
        return f"drain-and-refill cost not given: {cycles['why']}"
    return (f"drain-and-refill at most {cycles['per_execution']} cycles ({cycles['tail']['op']}'s "
            f"{cycles['tail']['intrinsic']} tail {cycles['tail']['cycles']} + {cycles['head']['op']}'s "
            f"{cycles['head']['intrinsic']} head {cycles['head']['cycles']})")


def _net(cost: dict[str, Any] | None, gap: int | None) -> int | None:
    """The cost of one execution less the idle gap the vector pipe already had across it."""
    if cost is None or cost["cycles"]["per_execution"] is None:
        return None
    return max(0, cost["cycles"]["per_execution"] - (gap or 0))


def _marker_title(group: list[Marker], kernel: KernelPage) -> str:
    first = group[0]
    if len({m.line for m in group}) > 1:
        # Several lines within a few pixels (a long run): counted, each line's cost in the table.
        counts: dict[int, int] = {}
        for m in group:
            counts[m.line] = counts.get(m.line, 0) + 1
        costs = [kernel.costs.get(m.line) for m in group]
        bound = sum(c["cycles"]["per_execution"] for c in costs if c and c["cycles"]["per_execution"] is not None)
        net = sum(n for m, c in zip(group, costs, strict=True) if (n := _net(c, m.gap)) is not None)
        unknown = sum(1 for c in costs if not c or c["cycles"]["per_execution"] is None)
        lines = ", ".join(f"line {line}" + (f" x{n}" if n > 1 else "") for line, n in sorted(counts.items()))
        return (f"AIV{first.sub}, cycles {first.cycle:,}..{group[-1].cycle:,}: {len(group)} pipe_barrier(PIPE_V) "
                f"({lines}); drain-and-refill at most {bound:,} cycles in all"
                + (f" ({unknown:,} without a cost)" if unknown else "")
                + f", ~{net:,} less the vector pipe's idle gaps; each line's cost is in the table below")
    parts = []
    for line in sorted({m.line for m in group}):
        at_line = [m for m in group if m.line == line]
        cost = kernel.costs.get(line)
        gaps = [m.gap for m in at_line if m.gap is not None]
        nets = [n for m in at_line if (n := _net(cost, m.gap)) is not None]
        times = f" x{len(at_line)}" if len(at_line) > 1 else ""
        head = (f"line {line}{times}: {kernel.source_lines.get(line, 'pipe_barrier(PIPE_V);')} "
                f"({at_line[0].before or 'no vector op'} -> {at_line[0].after or 'no vector op'})")
        gap_words = (f"; vector pipe idle {min(gaps)}" + (f"..{max(gaps)}" if max(gaps) != min(gaps) else "")
                     + " cycles across it here") if gaps else ""
        net_words = f"; so ~{sum(nets)} cycles here" if nets else ""
        parts.append(f"{head}; {_cost_words(cost)}{gap_words}{net_words}")
    return f"AIV{first.sub} at cycle {first.cycle:,}: " + " | ".join(parts)


def _svg(kernel: KernelPage, window: Window, label: str, vector_only: bool = False) -> str:
    lanes = [lane for lane in kernel.lanes if lane.sub is not None or not vector_only]
    height = HEAD + ROW * len(lanes) + 8
    view = "vector" if vector_only else "whole"
    out = [f"<svg class=\"timeline\" data-view=\"{view}\" data-origin=\"{window.origin}\" "
           f"data-span=\"{window.span}\" width=\"{LEFT + WIDTH + 30}\" height=\"{height}\" role=\"img\" "
           f"aria-label=\"{html.escape(label)}: Perf-Sim lanes\" xmlns=\"http://www.w3.org/2000/svg\">"
           f"<text class=\"lane-label\" x=\"4\" y=\"{HEAD - 8}\">cycles</text>"]
    step = _nice_step(window.span)
    for tick in range(-(-window.origin // step) * step, window.origin + window.span + 1, step):
        x = window.x(tick)
        out.append(f"<line class=\"grid\" x1=\"{x:.1f}\" y1=\"{HEAD - 4}\" x2=\"{x:.1f}\" y2=\"{height - 6}\"/>"
                   f"<text class=\"tick\" data-cycle=\"{tick}\" x=\"{x:.1f}\" y=\"{HEAD - 8}\">{tick:,}</text>")
    rows: dict[tuple[int, int], int] = {}
    for row, lane in enumerate(lanes):
        y = HEAD + row * ROW
        unit = lane.unit
        if lane.pipe == "VEC" and lane.sub is not None:
            rows[(lane.core, lane.sub)] = y
        out.append(f"<g class=\"lane\" data-unit=\"{html.escape(unit)}\" data-pipe=\"{html.escape(lane.pipe)}\">"
                   f"<text class=\"lane-label\" x=\"4\" y=\"{y + ROW - 4}\">{html.escape(unit)} "
                   f"{html.escape(lane.pipe)}</text>")
        colour = _COLOURS.get(lane.pipe, "#666666")
        for start, end, names in _merged(lane.events, window):
            x = window.x(max(start, window.origin))
            w = WIDTH * (min(end, window.origin + window.span) - max(start, window.origin)) / window.span
            w = w - 1 if w > 3 else max(w, 0.6)     # (a pixel's gap between two boxes wide enough to see)
            out.append(f"<rect x=\"{x:.1f}\" y=\"{y + 2}\" width=\"{w:.1f}\" height=\"{ROW - 4}\" fill=\"{colour}\">"
                       f"<title>{html.escape(_names_words(names))}: cycles {start:,}..{end:,}</title></rect>")
        out.append("</g>")
    # The barrier markers: those within MARKER_PX of each other on one lane drawn as one.
    groups: dict[tuple[int, int, int], list[Marker]] = {}
    for marker in kernel.markers:
        if (marker.core, marker.sub) in rows and window.holds(marker.cycle, marker.cycle):
            groups.setdefault((marker.core, marker.sub, round(window.x(marker.cycle) / MARKER_PX)), []).append(marker)
    for (core, sub, _px), group in sorted(groups.items()):
        y = rows[(core, sub)]
        x = window.x(group[0].cycle)
        lines = " ".join(str(line) for line in sorted({m.line for m in group}))
        out.append(f"<g class=\"barrier\" data-lines=\"{lines}\" data-cycle=\"{group[0].cycle}\" "
                   f"data-unit=\"AIV{sub}\">"
                   f"<title>{html.escape(_marker_title(group, kernel))}</title>"
                   f"<rect class=\"hit\" x=\"{x - 3:.1f}\" y=\"{y - 3}\" width=\"6\" height=\"{ROW + 6}\"/>"
                   f"<line x1=\"{x:.1f}\" y1=\"{y - 2}\" x2=\"{x:.1f}\" y2=\"{y + ROW + 2}\"/>"
                   f"<path d=\"M{x - 3:.1f},{y - 3} L{x + 3:.1f},{y - 3} L{x:.1f},{y + 1} Z\"/></g>")
    out.append("</svg>")
    return "".join(out)


def _barrier_table(kernel: KernelPage) -> str:
    executed = sum(1 for barrier in kernel.result.barriers if barrier[3] == PIPE_V)
    unplaced = (f"<p class=\"note\">{executed - len(kernel.markers):,} of the {executed:,} pipe_barrier(PIPE_V) "
                "executed could not be placed (no vector instruction of its sub-block in the swimlane carries a "
                "sequence number) and are not drawn.</p>\n") if executed > len(kernel.markers) else ""
    if not kernel.markers:
        return unplaced or "<p class=\"note\">No pipe_barrier(PIPE_V) executed.</p>\n"
    rows = [unplaced, "<table class=\"barriers\"><tr><th>line</th><th>code</th><th>between</th>"
            "<th>executions (all AIVs)</th>"
            "<th>drain-and-refill per execution (at most)</th><th>in this run, at most</th>"
            "<th>vector pipe idle across it</th><th>less the idle gaps</th></tr>\n"]
    for line in sorted({m.line for m in kernel.markers}):
        at_line = [m for m in kernel.markers if m.line == line]
        cost = kernel.costs.get(line)
        per = None if cost is None else cost["cycles"]["per_execution"]
        nets = [_net(cost, m.gap) for m in at_line]
        gaps = sum(m.gap or 0 for m in at_line)
        between = f"{at_line[0].before or 'no vector op'} -> {at_line[0].after or 'no vector op'}"
        cells = [str(line), kernel.source_lines.get(line, ""), between, f"{len(at_line):,}",
                 _cost_words(cost) if per is None else f"{per:,}: {_cost_words(cost).split(' (', 1)[1][:-1]}",
                 "" if per is None else f"{per * len(at_line):,}", f"{gaps:,}",
                 "" if per is None else f"{sum(n or 0 for n in nets):,}"]
        rows.append(f"<tr data-line=\"{line}\">" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>\n")
    rows.append("</table>\n")
    return "".join(rows)


_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 16px 20px; color: #1d1d1d; }
h1 { font-size: 20px; } h2 { font-size: 17px; margin-top: 26px; }
table { border-collapse: collapse; margin: 6px 0 10px; }
th, td { border: 1px solid #c8c8c8; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; } td.num, th.num { text-align: right; }
.note { color: #444; max-width: 1250px; }
svg.timeline { display: block; background: #fbfbfb; border: 1px solid #ddd; }
svg .tick { font-size: 10px; fill: #333; text-anchor: middle; }
svg .grid { stroke: #e1e1e1; stroke-width: 1; }
svg .lane-label { font-size: 11px; fill: #222; }
svg .barrier line { stroke: #d11; stroke-width: 1.5; }
svg .barrier path { fill: #d11; }
svg .barrier .hit { fill: transparent; }
svg .barrier:hover line { stroke-width: 3; }
.legend span { display: inline-block; margin-right: 12px; }
.legend i { display: inline-block; width: 12px; height: 10px; margin-right: 4px; vertical-align: middle; }
"""


def _legend() -> str:
    boxes = "".join(f"<span><i style=\"background:{colour}\"></i>{pipe}</span>" for pipe, colour in _COLOURS.items())
    return (f"<p class=\"legend\">{boxes}<span><i style=\"background:#d11;width:3px\"></i>pipe_barrier(PIPE_V) "
            "(hover for its line and cost)</span></p>\n")


def page(kernels: list[KernelPage], *, pto_isa: str, barrier_model: str, model_note: str) -> str:
    """The whole page for the kernels of one perf run, the first the reference."""
    first = kernels[0].result
    span = max([k.result.total_cycles for k in kernels] + [1])
    names = [k.path for k in kernels]
    title = " vs ".join(names)
    out = ["<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
           f"<title>ptofix perf: {html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n",
           "<h1>ptofix perf: cycles in pto-isa's Perf-Sim</h1>\n",
           f"<p class=\"note\">Checkout {html.escape(pto_isa)}, barrier model <code>{html.escape(barrier_model)}"
           "</code>" + (" (the checkout's model: a pipe_barrier between PTO instructions costs it nothing, so the "
                        "markers show where the barriers are and what pto-isa's calibrated head and tail say they "
                        "cost, not cycles Perf-Sim charged)" if barrier_model == "pto-isa" else
                        " (each of the kernel's pipe_barrier(PIPE_V) restarts the vector stream: the next vector op "
                        "pays its start-up latency again)")
           + f". {html.escape(model_note[0].upper() + model_note[1:])}."
           "</p>\n",
           "<table class=\"summary\"><tr><th>file</th><th>total cycles</th><th>change</th><th>VEC critical</th>"
           "<th>change</th><th>VEC busy</th><th>CUBE busy</th><th>PIPE_V barriers executed</th>"
           "<th>their drain-and-refill, at most</th><th>less the idle gaps</th></tr>\n"]
    for index, kernel in enumerate(kernels):
        r = kernel.result
        change = "reference" if index == 0 else f"{100 * r.change_against(first):+.1f}%"
        critical = "" if index == 0 else f"{100 * r.vec_critical_change_against(first):+.1f}%"
        costs = [kernel.costs.get(m.line) for m in kernel.markers]
        bound = sum(c["cycles"]["per_execution"] for c in costs if c and c["cycles"]["per_execution"] is not None)
        net = sum(n for m, c in zip(kernel.markers, costs, strict=True) if (n := _net(c, m.gap)) is not None)
        unknown = sum(1 for c in costs if not c or c["cycles"]["per_execution"] is None)
        cells = [kernel.path, f"{r.total_cycles:,}", change, f"{r.vec_critical:,}", critical, f"{r.vec_busy:,}",
                 f"{r.cube_busy:,}", f"{len(kernel.markers):,}",
                 f"{bound:,}" + (f" ({unknown:,} without a cost)" if unknown else ""), f"{net:,}"]
        out.append(f"<tr data-file=\"{index}\">" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>\n")
    arguments = ", ".join(f"{k}={v}" for k, v in first.arguments.items()) or "none"
    out.append(f"</table>\n<p class=\"note\">Scalars: {html.escape(arguments)}. Every lane below is on one axis "
               f"of {span:,} cycles (ticks in cycles). Drain-and-refill: the calibrated tail of the vector op before a "
               "barrier plus the head of the op after (pto-isa's cce_costmodel headers), an upper bound; 'less the "
               "idle gaps' takes off the cycles the vector pipe was already idle across each execution in this "
               "run.</p>\n")
    out.append(_legend())
    # A second view of the vector half when Perf-Sim ran it after the cube half (its markers apart).
    starts = [lane.events[0][0] for k in kernels for lane in k.lanes if lane.sub is not None and lane.events]
    zoom = Window(min(starts), span - min(starts)) if starts and 0 < min(starts) < span else None
    for index, kernel in enumerate(kernels):
        label = ("before" if index == 0 else "after") if len(kernels) > 1 else "kernel"
        heading = f"{label}: {kernel.path}" + (" (reference)" if index == 0 and len(kernels) > 1 else "")
        out.append(f"<section class=\"kernel\" data-role=\"{label}\">\n<h2>{html.escape(heading)}</h2>\n")
        out.append(_svg(kernel, Window(0, span), heading))
        if zoom is not None:
            out.append(f"<p class=\"note\">The vector half, cycles {zoom.origin:,} to {zoom.origin + zoom.span:,} "
                       "(the same window for every kernel):</p>\n")
            out.append(_svg(kernel, zoom, heading + ", vector half", vector_only=True))
        out.append(_barrier_table(kernel))
        out.append("</section>\n")
    out.append("</body>\n</html>\n")
    return printable_names("".join(out))


def kernel_page(path: str, text: str, result: Any, environment: CompileEnvironment) -> KernelPage:
    """One kernel's part of the page: its lanes, its barriers placed, and each barrier line's cost."""
    lanes = lanes_of(result.swimlane)
    markers = place_barriers(lanes, result.barriers)
    costs = barrier_costs(path, text, environment)
    return KernelPage(path, result, costs, _source_lines(text, markers), lanes, markers)


def _source_lines(text: str, markers: list[Marker]) -> dict[int, str]:
    lines = text.splitlines()
    return {m.line: " ".join(lines[m.line - 1].split())[:160] for m in markers if 0 < m.line <= len(lines)}


def barrier_costs(path: str, text: str, environment: CompileEnvironment) -> dict[int, dict[str, Any]]:
    """Each PIPE_V barrier's drain-and-refill cost by line, as ``check --pto-isa`` reports it."""
    from ..race_check import RaceCheck
    from ..source import SourceText
    report = RaceCheck(environment=environment).process_source(SourceText(text, path)).report
    return {int(entry["line"]): entry for entry in report.get("barrier_cycles", {}).get("barriers", [])}
