"""``--report html --report-file PAGE.html``: one self-contained page per run (no script, no link
to anything outside it).

Per file and per function, a strip of its vector ops, flag operations and barriers in program
order, loops drawn as brackets around what they repeat. Each ``pipe_barrier`` is coloured by what
became of it (removed, kept, inserted by ``check --fix``) and gives its reason on hover (the
``title`` the decision report holds). The strip is read from the parsed model of the input (the
statements in their blocks and loops); the decisions are the pass reports, matched by line.
"""
from __future__ import annotations

import html

from . import regex_cache
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


def strips(model: Any) -> list[dict[str, Any]]:
    """Per function of ``model`` (a CppFile), its items in program order: ``{"kind": "op" |
    "barrier" | "flag" | "loop" | "end", "name", "line"}`` (a "loop" item opens a bracket that the
    next unmatched "end" closes)."""
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
                items.append({"kind": "loop", "name": "for", "line": line})
                stack.append({"kind": "end", "name": "for", "line": line})
                stack.append(stmt.body)
            elif kind == "IfStmt":
                stack.extend([stmt.orelse, stmt.then])
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
                if name == "pipe_barrier":
                    pipe = _BARRIER_PIPE.match(stmt.text)
                    items.append({"kind": "barrier", "name": pipe.group(1) if pipe else "?", "line": line})
                elif name in _FLAG_CALLS:
                    items.append({"kind": "flag", "name": name, "line": line})
                elif name in OPS and OPS[name].pipe == "PIPE_V":
                    items.append({"kind": "op", "name": name, "line": line})
        out.append({"function": function.name, "line": source.line_col(function.span.start)[0], "items": items})
    return out


_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.6em; } h3 { font-size: 1em; margin: 1em 0 .3em; }
.legend span, .strip .item { display: inline-block; padding: 2px 6px; margin: 2px; border-radius: 3px;
  font: 12px monospace; }
.strip { display: flex; flex-wrap: wrap; align-items: center; }
.op { background: #e8e8e8; } .flag { background: #f4ecd2; color: #6b5800; }
.barrier { font-weight: bold; color: #fff; cursor: help; }
.removed { background: #2e8b3d; } .kept { background: #c0392b; } .inserted { background: #2862b5; }
.undecided, .present { background: #777; } .drain { background: #555; color: #fff; }
.loop { display: inline-flex; flex-wrap: wrap; align-items: center; border: 2px solid #555; border-top: 0;
  border-bottom: 0; border-radius: 8px; padding: 2px 4px; margin: 2px 4px; }
.loop > .label { font: 11px monospace; color: #555; margin-right: 4px; }
.summary { color: #555; }
"""


def page(reports: list[dict[str, Any]]) -> str:
    """The page for the reports of one run (one per file, as the JSON report holds them)."""
    parts = ["<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
             "<title>ptofix report</title>\n<style>", _STYLE, "</style>\n</head>\n<body>\n",
             "<h1>ptofix: PIPE_V barriers</h1>\n<p class=\"legend\">",
             "<span class=\"barrier removed\">removed</span><span class=\"barrier kept\">kept</span>",
             "<span class=\"barrier inserted\">inserted</span><span class=\"op\">vector op</span>",
             "<span class=\"flag\">set/wait_flag</span> a bracket is a loop; hover a barrier for its reason</p>\n"]
    from .perf.timeline import fragment as perf_timeline  # Perf-Sim's VEC lanes (run --pto-isa), '' without
    for report in reports:
        parts.append(_file_section(report))
        parts.append(perf_timeline(report))
    parts.append("</body>\n</html>\n")
    return printable_names("".join(parts))       # (a page that says UTF-8 is UTF-8)


def _decisions(report: dict[str, Any]) -> dict[int, tuple[str, str]]:
    """Line -> (removed | kept, reason) from the passes' reports."""
    found: dict[int, tuple[str, str]] = {}
    for rep in report.get("passes", []):
        for decision in rep.get("decisions", []):
            found[decision["line"]] = (decision["decision"], decision.get("reason", ""))
    return found


def _insertions(report: dict[str, Any]) -> list[tuple[int, str]]:
    """(line, the races it separates) of each barrier ``check --fix`` inserts, in line order: it
    goes in before the statement on that line."""
    out = []
    for entry in report.get("inserted", []):
        line = str(entry.get("location", "")).rsplit(":", 2)
        if len(line) == 3 and line[1].isdigit():
            out.append((int(line[1]), "; ".join(map(str, entry.get("races", [])))))
    return sorted(out)


def _file_section(report: dict[str, Any]) -> str:
    path = str(report.get("file", ""))
    decisions = _decisions(report)
    insertions = _insertions(report)
    # (check decides about no barrier of the input; a pass that reported none for a line did not read it.)
    unreported = ("undecided", "no decision reported for this line") if "passes" in report \
        else ("present", "in the input")
    counts: dict[str, int] = {}
    out = [f"<h2>{html.escape(path)}</h2>\n"]
    for function in report.get("functions", []):
        out.append(f"<h3>{html.escape(function['function'])} <span class=\"summary\">(line {function['line']})"
                   "</span></h3>\n<div class=\"strip\">")
        for item in function["items"]:
            kind, name, line = item["kind"], html.escape(item["name"]), item["line"]
            while insertions and insertions[0][0] <= line and kind != "end":
                at, races = insertions.pop(0)
                counts["inserted"] = counts.get("inserted", 0) + 1
                out.append(f"<span class=\"item barrier inserted\" data-line=\"{at}\" data-decision=\"inserted\" "
                           f"title=\"line {at}: inserted: {html.escape(races, quote=True)}\">barrier +{at}</span>")
            if kind == "barrier" and item["name"] != "PIPE_V":
                out.append(f"<span class=\"item drain\" title=\"line {line}: pipe_barrier({name}) drains the "
                           f"vector pipe too\">{name} :{line}</span>")
            elif kind == "loop":
                out.append(f"<span class=\"loop\" title=\"{name} loop at line {line}\">"
                           f"<span class=\"label\">{name} :{line}</span>")
            elif kind == "end":
                out.append("</span>")
            elif kind == "barrier":
                decision, reason = decisions.get(line, unreported)
                counts[decision] = counts.get(decision, 0) + 1
                hover = html.escape(f"line {line}: {decision}: {reason}", quote=True)
                out.append(f"<span class=\"item barrier {decision}\" data-line=\"{line}\" "
                           f"data-decision=\"{decision}\" title=\"{hover}\">barrier :{line}</span>")
            else:
                out.append(f"<span class=\"item {kind}\" title=\"line {line}\">{name}</span>")
        out.append("</div>\n")
    summary = ", ".join(f"{n} {what}" for what, n in sorted(counts.items()))
    out.insert(1, f"<p class=\"summary\">barriers: {html.escape(summary) or 'none'}</p>\n")
    return "".join(out)
