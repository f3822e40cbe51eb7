"""The ``--report json|text`` documents, for one file or several (docs/report-format.md).

JSON: one document shape whatever the number of files, ``{"version": N, "files": [<one object
per file, in the order given>]}`` (``simulate`` and ``perf`` write the same shape: see
:func:`document`), never objects one after another. Text: one line per decision or summary, each
starting with the file's path as it was given (relative stays relative), that path written once:
places in the same file that a line mentions are written ``line:col``.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from . import regex_cache
from .located import within

# json is imported where a JSON report is written (~5 ms that a plain run does not need).

# 2: every document is {"version", "files": [...]}, one file's too (1: one file's report was
# its object, with "version" first).
REPORT_VERSION = 2

# A file name that is not UTF-8 (legal on Linux) reaches ptofix with each undecodable byte as a
# lone surrogate U+DC80..U+DCFF (os.fsdecode). Written into a UTF-8 report it would be that raw byte
# (an invalid page) or, in JSON, a lone-surrogate escape strict parsers reject: each is written
# `<ff>`, the byte in hex, as GCC writes bytes that are not UTF-8 (-fdiagnostics-escape-format=bytes).
_UNDECODABLE = {0xDC00 + byte: f"<{byte:02x}>" for byte in range(0x80, 0x100)}
# Its escape in JSON (ensure_ascii), not an escaped backslash followed by "udc..": an even run of
# backslashes before it.
_ESCAPED_UNDECODABLE = regex_cache.compile(r"(?<!\\)((?:\\\\)*)\\udc([89a-f][0-9a-f])")


def printable_names(text: str) -> str:
    """``text`` with every undecodable file-name byte written ``<xx>`` (see _UNDECODABLE)."""
    return text if text.isascii() else text.translate(_UNDECODABLE)


def _printable_json(text: str) -> str:
    """JSON ``text`` (ensure_ascii) with each escaped undecodable byte, ``\\udcXX``, written ``<xx>``."""
    if "\\udc" not in text:
        return text
    return _ESCAPED_UNDECODABLE.sub(r"\1<\2>", text)


def document(files: list[dict], **call: object) -> dict:
    """The one shape of every ``--report json`` document: ``version`` first, then the call's own
    keys (``call``: perf's settings), then ``files``, one object per file in the order given,
    each naming its ``file`` (the per-file objects carry no ``version``)."""
    return {"version": REPORT_VERSION, **call,
            "files": [{key: value for key, value in report.items() if key != "version"} for report in files]}


def json_text(report: dict, default: Callable[[Any], Any] | None = None) -> str:
    """``report`` as JSON text (indented, keys in their order; undecodable file-name bytes as
    ``<xx>``); a barrier decision's reason is written in words (_json_value), and ``default``
    writes what else JSON has no type for (simulate's byte values)."""
    import json
    return _printable_json(json.dumps(report, indent=2, sort_keys=False, default=partial(_json_value, default))) \
        + "\n"


def _json_value(default: Callable[[Any], Any] | None, value: object) -> Any:
    """What JSON has no type for, as a JSON value: a barrier decision's reason (a report entry holds
    its cause's fields, cpp/barrier_decisions.Reason) in words, worded here for the JSON report; else
    ``default``'s."""
    from .cpp.barrier_decisions import Reason  # (a report holds one only once that module is loaded)
    if isinstance(value, Reason):
        return value.text()
    if default is None:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
    return default(value)


def json_document(reports: list[dict]) -> str:
    """The JSON report of the files of a call (one or several: the same shape)."""
    return json_text(document(reports))


def text_lines_for_file(lines: list[str], path: str) -> list[str]:
    """``lines`` of one file's text report, each naming the file once: a line that does not start
    with ``path:`` gets it in front, and the places in the same file that a line names as data
    (located.Located, DiagnosticLine) after its own are written ``line:col`` (``at a.cpp:12:3`` ->
    ``at 12:3``)."""
    prefix = f"{path}:"
    out = []
    for line in lines:
        text = within(line, path, head=True)
        out.append(printable_names(text if text.startswith(prefix) else f"{prefix} {text}"))
    return out
