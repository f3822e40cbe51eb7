"""``--report html --report-file PAGE.html``: one self-contained page per run (no script, no link
to anything outside it) that a kernel engineer reads without hovering.

Per file: a banner for what is not modelled and why (a header not found names ``-I``; an
unverified function of ``check``), the races ``check`` reports (both ops, the operand, the bytes),
and per function the source lines of its vector ops, barriers and flag operations in program
order, indented by the loops and ``if``/``else`` around them. Each ``pipe_barrier`` row says in
words what became of it: removed (the proof), kept (the hazard's two ops and byte range, or what
kept it), not selected by the pattern, or inserted by ``check --fix``; a label with a symbol says
the same as the colour. Filters are checkboxes styled with CSS alone. The rows are read from the
parsed model of the input; the decisions are the pass reports, matched by line.
"""
from __future__ import annotations

import html

from . import regex_cache
from .cpp.hazard_words import (
    MULTI_PIPE_CHAIN_WORDS,
    flag_chain_words,
    line_of,
    page_words,
    qualifiers,
    race_page_words,
    ranges,
    shared_operand,
)
from .located import within
from .pto.ops import OPS
from .reports import printable_names

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# The function a statement calls first (`TADD(...)`, `pipe_barrier(PIPE_V)`, `TLOAD<...>(...)`).
_CALLEE = regex_cache.compile(r"\s*(?:pto::)?([A-Za-z_]\w*)\s*(?:<[^;()]*>)?\s*\(")
_BARRIER_PIPE = regex_cache.compile(r"[^(]*\(\s*(?:pipe_t::)?(\w+)\s*\)")
_FLAG_CALLS = frozenset({"set_flag", "wait_flag"})
MAX_DEPTH = 200         # (the model's own statement nesting bound)
_TEXT_LIMIT = 200       # characters of a statement shown


def _line_text(source: Any, line: int) -> str:
    return " ".join(source.line_text(line).split())[:_TEXT_LIMIT]


def strips(model: Any) -> list[dict[str, Any]]:
    """Per function of ``model`` (a CppFile), its items in program order: ``{"kind": "op" |
    "barrier" | "flag" | "loop" | "branch" | "else" | "end", "name", "line", "text"}`` (a "loop"
    or "branch" (``if``) item opens a block that the next unmatched "end" closes; "else" starts
    the other branch of the open ``if``; "text" is the statement, or the loop's or if's line)."""
    source = model.source
    out = []
    for function in model.functions:
        items: list[dict[str, Any]] = []
        # (An explicit stack: a body's nesting is the input's, bounded by the parser, not by us.)
        stack: list[Any] = [function.body]
        while stack:
            stmt = stack.pop()
            if stmt is None:
                continue
            if isinstance(stmt, dict):          # a loop's closing bracket, queued behind its body
                items.append(stmt)
                continue
            kind = type(stmt).__name__
            if kind == "Compound":
                stack.extend(reversed(stmt.body))
            elif kind == "ForStmt":
                line = source.line_col(stmt.span.start)[0]
                items.append({"kind": "loop", "name": "for", "line": line, "text": _line_text(source, line)})
                stack.append({"kind": "end", "name": "for", "line": line})
                stack.append(stmt.body)
            elif kind == "IfStmt":
                line = source.line_col(stmt.span.start)[0]
                items.append({"kind": "branch", "name": "if", "line": line, "text": _line_text(source, line)})
                stack.append({"kind": "end", "name": "if", "line": line})
                if stmt.orelse is not None:
                    stack.append(stmt.orelse)
                    stack.append({"kind": "else", "name": "else", "line": source.line_col(stmt.orelse.span.start)[0]})
                stack.append(stmt.then)
            elif kind == "SwitchStmt":
                stack.extend(reversed(stmt.body))
            elif kind == "PPIfStmt":
                for branch in reversed(stmt.branches):
                    stack.extend(reversed(branch.body))
            elif kind == "SimpleStmt":
                match = _CALLEE.match(stmt.text)
                if match is None:
                    continue
                name = match.group(1)
                line = source.line_col(stmt.span.start)[0]
                text = " ".join(stmt.text.split())[:_TEXT_LIMIT]
                if name == "pipe_barrier":
                    pipe = _BARRIER_PIPE.match(stmt.text)
                    items.append({"kind": "barrier", "name": pipe.group(1) if pipe else "?", "line": line,
                                  "text": text})
                elif name in _FLAG_CALLS:
                    items.append({"kind": "flag", "name": name, "line": line, "text": text})
                elif name in OPS and OPS[name].pipe == "PIPE_V":
                    items.append({"kind": "op", "name": name, "line": line, "text": text})
        out.append({"function": function.name, "line": source.line_col(function.span.start)[0], "items": items})
    return out


_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.6em; } h3 { font-size: 1em; margin: 1em 0 .3em; }
.summary { color: #444; }
.banner { border: 2px solid #b36b00; background: #fff4e0; padding: .4em .7em; margin: .5em 0; }
.filter { position: absolute; left: -9999px; }
.filters label { display: inline-block; border: 1px solid #888; border-radius: 3px; padding: 1px 6px; margin: 2px;
  cursor: pointer; user-select: none; }
.filters label::before { content: "\\2610  "; }
table.source, table.races { border-collapse: collapse; margin: .3em 0 1em; }
table.source td, table.races td, table.races th { padding: 1px 8px; vertical-align: top; }
td.line { text-align: right; color: #666; font: 12px monospace; }
td.code { font: 12px monospace; white-space: pre; }
td.why { font-size: 12px; max-width: 60em; }
.label { display: inline-block; min-width: 9em; font: bold 11px monospace; padding: 1px 5px; border-radius: 3px; }
.removed .label { background: #2e8b3d; color: #fff; } tr.removed td.code { text-decoration: line-through; }
.kept .label { background: #c0392b; color: #fff; border: 2px solid #000; }
.not-selected .label { background: #fff; color: #555; border: 1px dashed #777; }
.inserted .label { background: #2862b5; color: #fff; } tr.inserted td.code { font-style: italic; }
.present .label, tr.undecided .label { background: #777; color: #fff; }
.race .label { background: #fff; color: #a00; border: 2px solid #a00; }
.drain .label { background: #555; color: #fff; }
tr.flag td { color: #8a7400; } tr.ctl td.code { color: #555; }
"""

# (filter id, what it shows, shown at first)
_FILTERS = (("removed", "removed barriers", True), ("kept", "kept barriers", True),
            ("not-selected", "barriers not selected", True), ("inserted", "inserted barriers", True),
            ("race", "ops in a race", True), ("op", "other vector ops", True), ("flag", "set/wait_flag", False))
# How each row's kind reads without colour: (label text, symbol).
_LABELS = {"removed": "\u2713 REMOVED", "kept": "\u2717 KEPT", "not-selected": "\u2013 NOT SELECTED",
           "inserted": "+ INSERTED", "present": "\u25a1 PRESENT", "undecided": "? UNDECIDED", "race": "\u26a0 RACE",
           "drain": "\u25a0 DRAIN"}
# Causes of a kept barrier that say the model does not see the code: they go in the banner.
_NOT_MODELLED = ("unmodelled", "not-understood", "unknown-bytes", "not-analysed")


def _filter_css() -> str:
    rules = []
    for key, _what, _shown in _FILTERS:
        rules.append(f"#show-{key}:not(:checked) ~ main tr.{key} {{ display: none; }}")
        rules.append(f"#show-{key}:checked ~ .filters label[for=show-{key}]::before {{ content: \"\\2611  \"; }}")
        rules.append(f"#show-{key}:focus-visible ~ .filters label[for=show-{key}] {{ outline: 2px solid #2862b5; }}")
    return "\n".join(rules)


def page(reports: list[dict[str, Any]]) -> str:
    """The page for the reports of one run (one per file, as the JSON report holds them)."""
    parts = ["<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
             "<title>ptofix report</title>\n<style>", _STYLE, _filter_css(), "</style>\n</head>\n<body>\n",
             "<h1>ptofix: PIPE_V barriers</h1>\n", _filters(), "<main>\n"]
    from .perf.timeline import fragment as perf_timeline  # Perf-Sim's VEC lanes (run --pto-isa), '' without
    for report in reports:
        parts.append(_file_section(report))
        parts.append(perf_timeline(report))
    parts.append("</main>\n</body>\n</html>\n")
    return printable_names("".join(parts))       # (a page that says UTF-8 is UTF-8)


def _filters() -> str:
    boxes = "".join(f"<input type=\"checkbox\" class=\"filter\" id=\"show-{key}\"{' checked' if shown else ''}>"
                    for key, _what, shown in _FILTERS)
    labels = "".join(f"<label for=\"show-{key}\">{html.escape(what)}</label>" for key, what, _shown in _FILTERS)
    legend = " ".join(f"<span class=\"{key}\"><span class=\"label\">{html.escape(_LABELS[key])}</span></span>"
                      for key in ("removed", "kept", "not-selected", "inserted", "race"))
    return (f"{boxes}\n<div class=\"filters\">Show: {labels}</div>\n<p class=\"legend\">{legend}: every row says "
            "why in words; indentation follows the loops and if/else around a statement.</p>\n")


def _decisions(report: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """Line -> the passes' decision about the barrier there."""
    found: dict[int, dict[str, Any]] = {}
    for rep in report.get("passes", []):
        for decision in rep.get("decisions", []):
            found[decision["line"]] = decision
    return found


def _insertions(report: dict[str, Any]) -> list[tuple[int, str]]:
    """(line, the races it separates) of each barrier ``check --fix`` inserts, in line order: it
    goes in before the statement on that line (its place's line, a located.Place's field)."""
    return sorted((line_of(entry.get("location", "")), "; ".join(map(str, entry.get("races", []))))
                  for entry in report.get("inserted", []) if line_of(entry.get("location", "")))


def _reason_words(decision: dict[str, Any], path: str, worded: dict[int, str]) -> str:
    """A decision's reason in words (its barrier_decisions.Reason worded), once for the page
    (``worded``: those written so far, by id of their decision), its places in this file written
    ``line N:C`` (located.Located); '' for an entry of no reason (check's barrier costs)."""
    words = worded.get(id(decision))
    if words is None:
        reason = decision.get("reason")
        words = worded[id(decision)] = "" if reason is None else within(reason.text(), path, "line ")
    return words


def _barrier_row(decision: dict[str, Any] | None, path: str, worded: dict[int, str] | None = None) -> tuple[str, str]:
    """(row class, reason in words) of a PIPE_V barrier (``worded``: _reason_words')."""
    if decision is None:
        return "undecided", "no decision reported for this line"
    worded = {} if worded is None else worded
    if decision["decision"] == "removed":
        return "removed", _reason_words(decision, path, worded)
    if decision.get("pattern") is None and not decision.get("unread"):
        return "not-selected", "not selected by --pattern (the proof was not asked)"
    fields = decision.get("cause_fields")
    if fields is not None and fields.get("hazard") is not None:
        return "kept", _kept_words(fields, decision, path, worded)
    return "kept", _reason_words(decision, path, worded)


def _kept_words(fields: dict[str, Any], decision: dict[str, Any], path: str, worded: dict[int, str]) -> str:
    """A kept barrier's cause in words, from its fields (Cause.fields): the hazard's two ops
    (cpp/hazard_words.page_words), after the instantiation that keeps it and the removals that make
    it needed, before why the pair is no same-access chain and the template's notes. A cause of
    events the model does not understand: their words, then the reason (which lists them)."""
    hazard = fields["hazard"]
    words = page_words(hazard)
    if fields.get("unknown"):
        words = "needed: " + words
        reason = _reason_words(decision, path, worded)
        return words + "; " + reason if reason else words
    before = []
    if fields.get("instantiation"):
        before.append(f"in {fields['instantiation']}")
    needed = fields.get("needed_once", [])
    if len(needed) == 1:
        before.append(f"needed once the barrier at {needed[0]} is removed")
    elif needed:
        before.append(f"needed once the barriers at {', '.join(needed)} are removed"
                      + (" (any one of them kept would free it)" if fields.get("needed_alone") else ""))
    after = qualifiers(hazard, fields.get("chain_refused") or "")
    after.extend(within(note, path, "line ") for note in fields.get("notes", []))
    words = f"{': '.join(before)}: {words}" if before else f"needed: {words}"
    if after:
        words = f"{words}; {'; '.join(after)}"
    return words


def _banners(report: dict[str, Any], path: str, worded: dict[int, str]) -> list[str]:
    """What the model could not read, once per reason: a header not found names -I (``worded``:
    _reason_words')."""
    reasons: dict[str, None] = {}
    # What those kept barriers' causes name: an unverified function's note that says the same
    # (run's page, with the input's races) is not shown again.
    functions: set[str] = set()
    whys: set[str] = set()
    for rep in report.get("passes", []):
        for decision in rep.get("decisions", []):
            cause = decision.get("cause") or {}
            if decision["decision"] == "kept" and cause.get("kind") in _NOT_MODELLED:
                reasons[_reason_words(decision, path, worded)] = None
                fields = decision.get("cause_fields") or {}
                if fields.get("kind") == "unmodelled":
                    functions.add(fields.get("function", ""))
                whys.update(str(event["why"]) for event in fields.get("unknown", []))
    for note in report.get("unverified", []):
        why = note["why"]
        if note["function"] in functions or why in whys:
            continue        # (run's page: a kept barrier's banner already gives this cause)
        consequence = "" if note.get("undecided") else " (races through it are neither shown nor ruled out)"
        reasons[f"'{note['function']}' is unverified{consequence}: {within(why, path, 'line ')}"] = None
    return [f"<div class=\"banner\" role=\"note\"><strong>Not modelled:</strong> {html.escape(reason)}</div>\n"
            for reason in reasons]


def _row(kind: str, line: int | str, text: str, label: str, why: str, depth: int, extra: str = "",
         cycles: str | None = None) -> str:
    """One row of a function's table; ``cycles`` (a page with barrier costs, run --pto-isa): the
    cycles column's cell, empty but for a barrier."""
    pad = "  " * depth
    badge = f"<span class=\"label\">{html.escape(label)}</span>" if label else ""
    cost = "" if cycles is None else f"<td class=\"cycles\">{html.escape(cycles)}</td>"
    return (f"<tr class=\"{kind}\"{extra}><td class=\"line\">{line}</td><td class=\"code\">{html.escape(pad + text)}"
            f"</td><td>{badge}</td><td class=\"why\">{html.escape(why)}</td>{cost}</tr>\n")


def _cycles_cell(decision: dict[str, Any] | None) -> str:
    """A barrier's cost for the cycles column: ``at most ~24/execution, ~384/call`` (its sources
    and the model in the column's heading)."""
    cost = (decision or {}).get("cycles")
    if cost is None:
        return ""
    if cost["per_execution"] is None:
        return f"not given: {cost['why']}"
    return (f"at most ~{cost['per_execution']:,}/execution, ~{cost['per_call']:,}/call ({cost['tail']['op']}'s "
            f"{cost['tail']['intrinsic']} tail {cost['tail']['cycles']} + {cost['head']['op']}'s "
            f"{cost['head']['intrinsic']} head {cost['head']['cycles']})")


def _file_section(report: dict[str, Any]) -> str:
    path = str(report.get("file", ""))
    decisions = _decisions(report)
    insertions = _insertions(report)
    races = report.get("races", [])
    race_rows: dict[int, list[str]] = {}
    for race in races:
        race_rows.setdefault(line_of(race["later"]["location"]), []).append(race_page_words(race, True))
        race_rows.setdefault(line_of(race["earlier"]["location"]), []).append(race_page_words(race, False))
    counts: dict[str, int] = {}
    # A cycles column when the barriers have costs (run --pto-isa): its heading names the model.
    costed = next((str(rep["cycles"]["model"]) + "; pto-isa's numbers from " + str(rep["cycles"]["source"])
                   for rep in report.get("passes", []) if "cycles" in rep), None)
    if "barrier_cycles" in report:      # (check --pto-isa: each barrier's cost, no decision)
        costed = str(report["barrier_cycles"]["model"])
        decisions = {entry["line"]: entry for entry in report["barrier_cycles"]["barriers"]} | decisions
    cell = "" if costed is not None else None
    out = [f"<section class=\"file\">\n<h2>{html.escape(path)}</h2>\n"]
    worded: dict[int, str] = {}      # (each decision's reason, worded once for the page)
    out.extend(_banners(report, path, worded))
    if races:
        heading = f"{len(races)} race{'' if len(races) == 1 else 's'} " + (
            "in the input (as check finds them; check --fix inserts the barriers they need)" if "passes" in report
            else "(check)")
        out.append(f"<h3>{html.escape(heading)}</h3>\n<table class=\"races\">"
                   "<tr><th>kind</th><th>bytes</th><th>later op</th><th>earlier op, still in flight</th>"
                   "<th>path</th></tr>\n")
        for race in races:
            later, earlier = race["later"], race["earlier"]
            operand = shared_operand(later, earlier) + " " + ranges(race.get("bytes"))
            # (An unbarriered PTOAS #674 chain, two broadcasts of the same per-row tile (pto-facts
            # §2.4), or a pair only a flag chain through two or more other pipes orders: each a race
            # of its own category under msSanitizer's rule.)
            kind = race["kind"] + (" (PTOAS #674 same-access chain: ptoas prunes this barrier; Ascend's "
                                   "msSanitizer flags it)" if race.get("category") == "same-access-chain" else
                                   " (same per-row broadcast: the scratch holds the same bytes either way; "
                                   "Ascend's msSanitizer flags it)" if race.get("category") == "same-rebroadcast"
                                   else f" ({MULTI_PIPE_CHAIN_WORDS}: {flag_chain_words(race['flag_chain'])})"
                                   if race.get("category") == "multi-pipe-chain" and race.get("flag_chain")
                                   else "")
            cells = [kind, operand,
                     f"line {line_of(later['location'])}: {later.get('statement', '')}",
                     f"line {line_of(earlier['location'])}: {earlier.get('statement', '')}", race.get("path", "")]
            out.append("<tr class=\"race-item\">" + "".join(f"<td>{html.escape(cell)}</td>" for cell in cells)
                       + "</tr>\n")
        out.append("</table>\n")
    for function in report.get("functions", []):
        if not function["items"]:
            continue            # (no vector op, barrier, flag or loop: nothing to show)
        out.append(f"<h3>{html.escape(function['function'])} <span class=\"summary\">(line {function['line']})"
                   "</span></h3>\n<table class=\"source\">\n")
        if costed is not None:
            out.append(f"<tr><th>line</th><th>code</th><th></th><th>why</th><th>cycles ({html.escape(costed)})</th>"
                       "</tr>\n")
        depth = 0
        for item in function["items"]:
            kind, line, text = item["kind"], item["line"], item.get("text", item["name"])
            while insertions and insertions[0][0] <= line and kind != "end":
                at, separated = insertions.pop(0)
                counts["inserted"] = counts.get("inserted", 0) + 1
                out.append(_row("barrier inserted", f"+{at}", "pipe_barrier(PIPE_V);", _LABELS["inserted"],
                                f"inserted before line {at}: {separated}", depth,
                                f" data-line=\"{at}\" data-decision=\"inserted\"", cell))
            if kind in ("loop", "branch"):
                out.append(_row("ctl", line, text, "", "", depth, cycles=cell))
                depth += 1
            elif kind == "else":
                out.append(_row("ctl", line, "} else {", "", "", depth - 1, cycles=cell))
            elif kind == "end":
                depth = max(depth - 1, 0)
                out.append(_row("ctl", "", "}", "", "", depth, cycles=cell))
            elif kind == "barrier" and item["name"] != "PIPE_V":
                out.append(_row("drain", line, text, _LABELS["drain"],
                                f"pipe_barrier({item['name']}) drains the vector pipe too", depth, cycles=cell))
            elif kind == "barrier":
                if "passes" in report:
                    row, why = _barrier_row(decisions.get(line), path, worded)
                else:
                    row, why = "present", "in the input (check decides about races, not barriers)"
                counts[row] = counts.get(row, 0) + 1
                decided = decisions.get(line, {}).get("decision", row)
                out.append(_row(f"barrier {row}", line, text, _LABELS[row], why, depth,
                                f" data-line=\"{line}\" data-decision=\"{decided}\"",
                                None if cell is None else _cycles_cell(decisions.get(line))))
            elif kind == "op" and line in race_rows:
                out.append(_row("race", line, text, _LABELS["race"], "; ".join(race_rows[line]), depth, cycles=cell))
            else:
                out.append(_row(kind, line, text, "", "", depth, cycles=cell))
        out.append("</table>\n")
    summary = ", ".join(f"{n} {what.replace('-', ' ')}" for what, n in sorted(counts.items()))
    if races:
        summary += f"; races: {len(races)}"
    out.insert(1, f"<p class=\"summary\">barriers: {html.escape(summary) or 'none'}</p>\n")
    out.append("</section>\n")
    return "".join(out)
