"""``check --report sarif``: the races, unverified functions and broken tile placements of every
file as one SARIF 2.1.0 log, the format CI code-scanning reads (GitHub code scanning, GitLab,
Azure DevOps).

Specification: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html (the
``sarifLog``, ``run``, ``toolComponent``, ``reportingDescriptor`` and ``result`` objects, 3.13-3.27).
Each race is a ``warning`` result at its later op with the earlier op as a related location; an
unverified function a ``note`` (nothing is shown or ruled out in it); a broken placement an
``error`` or ``warning`` as the text diagnostic says.

Each file is named by a URI (3.10, RFC 3986): an absolute path by a ``file:`` URI, a relative one
by a relative reference against the ``uriBaseId`` ``SRCROOT`` (3.4.4), which the run's
``originalUriBaseIds`` (3.14.14) gives as the ``file:`` URI of the directory check ran in. Every
byte of the name outside RFC 3986's unreserved characters and ``/`` is percent-encoded, from the
bytes the file system holds (a name that is not UTF-8 is read with surrogateescape: its raw bytes):
``a b#1.cpp`` is ``a%20b%231.cpp``, ``x:y.cpp`` is ``x%3Ay.cpp`` (not a scheme), ``%41.cpp`` is
``%2541.cpp``.

A result's message and places are read as data from the records ``check`` made (located.py's
``DiagnosticLine`` and ``Place``: the text after the severity, the path, line and column), never cut
out of the rendered lines (tests/test_sarif_reads_fields.py).
"""
from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

from . import __version__
from .located import DiagnosticLine, Place

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
RULES = (
    ("pipe-v-race", "Two vector ops may run at once and conflict in UB bytes (no PIPE_V drain between them)"),
    ("pipe-v-race-same-access-chain", "Two vector ops on one exact access may run at once with no PIPE_V drain "
     "between them: ptoas prunes this barrier under PTOAS #674; Ascend's msSanitizer flags it"),
    ("pipe-v-race-same-rebroadcast", "Two row-expands broadcast the same unchanged per-row tile through the hidden "
     "scratch with no PIPE_V drain between them: the scratch holds the same bytes either way; Ascend's "
     "msSanitizer flags it"),
    ("pipe-v-race-multi-pipe-chain", "Two vector ops may run at once and conflict in UB bytes, ordered only by a "
     "set_flag/wait_flag chain through two or more other pipes: msSanitizer's single-pipe check credits "
     "pipe_barrier alone, ptofix's contract also a direct round trip V -> X -> V"),
    ("pipe-race-cross-pipe", "An MTE copy to or from UB, or a scalar-unit load or store of UB, and an access on "
     "another pipe conflict in UB bytes with no set_flag/wait_flag chain or PIPE_ALL barrier ordering them "
     "(check --trace)"),
    ("unverified-function", "A function holds statements the model does not read: its races are unknown"),
    ("tile-placement", "A Vec tile is placed past the UB or inside the hidden TMP_UB scratch"),
)
_RULE_INDEX = {rule_id: index for index, (rule_id, _text) in enumerate(RULES)}
BASE_ID = "SRCROOT"      # the uriBaseId of a relative path: the directory check ran in


def _percent_encoded(path: str) -> str:
    """``path``'s bytes (os.fsencode: a surrogate-escaped name gives back its raw bytes), every one
    but RFC 3986's unreserved characters and ``/`` percent-encoded."""
    return quote(os.fsencode(path), safe="/")


def file_uri(path: str) -> str:
    """The ``file:`` URI of an absolute path (RFC 8089: ``file://`` and the encoded path)."""
    return "file://" + _percent_encoded(path)


def artifact_location(path: str) -> dict[str, Any]:
    """A SARIF artifactLocation of a file as named on the command line: an absolute path as a
    ``file:`` URI, a relative one as a relative reference against ``BASE_ID``."""
    if os.path.isabs(path):
        return {"uri": file_uri(path)}
    return {"uri": _percent_encoded(path), "uriBaseId": BASE_ID}


def _directory_uri(directory: str) -> str:
    """The ``file:`` URI of a directory, ending with ``/`` as a base URI must (3.14.14)."""
    uri = file_uri(os.path.abspath(directory))
    return uri if uri.endswith("/") else uri + "/"


def _place(place: object) -> dict[str, Any]:
    """A SARIF physicalLocation of a located.Place (its path, line and column)."""
    if not isinstance(place, Place):
        raise TypeError(f"a SARIF location is a located.Place, not {type(place).__name__}")
    return {"artifactLocation": artifact_location(place.path),
            "region": {"startLine": place.line, "startColumn": place.column}}


def _line(diagnostic: object) -> DiagnosticLine:
    """A record's diagnostic line as check made it (its place and text kept)."""
    if not isinstance(diagnostic, DiagnosticLine):
        raise TypeError(f"a SARIF message is a located.DiagnosticLine, not {type(diagnostic).__name__}")
    return diagnostic


def _result(rule_id: str, level: str, text: str, location: object, related: list[dict] | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"ruleId": rule_id, "ruleIndex": _RULE_INDEX[rule_id], "level": level,
                              "message": {"text": text}, "locations": [{"physicalLocation": _place(location)}]}
    if related:
        result["relatedLocations"] = related
    return result


def results_of(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The SARIF results of one file's ``check`` report (reports.py's object)."""
    results = []
    for placement in report.get("placements", ()):
        message = _line(placement["message"])
        results.append(_result("tile-placement", message.severity, message.text, message.at))
    for race in report.get("races", ()):
        warning, note = _line(race["warning"]), _line(race["note"])
        related = [{"id": 0, "physicalLocation": _place(note.at), "message": {"text": note.text}}]
        rule = {"same-access-chain": "pipe-v-race-same-access-chain",
                "same-rebroadcast": "pipe-v-race-same-rebroadcast",
                "multi-pipe-chain": "pipe-v-race-multi-pipe-chain",
                "cross-pipe": "pipe-race-cross-pipe"}.get(race.get("category", ""), "pipe-v-race")
        results.append(_result(rule, "warning", warning.text, warning.at, related))
    for note in report.get("unverified", ()):
        results.append(_result("unverified-function", "note",
                               f"'{note['function']}' is unverified: {note['why']}", note["location"]))
    return results


def sarif_log(reports: list[dict[str, Any]], directory: str | None = None) -> dict[str, Any]:
    """One SARIF log (one run of ptofix check) over the reports of the files, in order; relative
    paths are relative to ``directory`` (the current directory when None)."""
    rules = [{"id": rule_id, "shortDescription": {"text": text}} for rule_id, text in RULES]
    driver = {"name": "ptofix", "version": __version__, "rules": rules}
    artifacts = [{"location": artifact_location(str(report.get("file", "")))} for report in reports]
    results = [result for report in reports for result in results_of(report)]
    run: dict[str, Any] = {"tool": {"driver": driver}}
    if any("uriBaseId" in artifact["location"] for artifact in artifacts):
        base = directory if directory is not None else os.getcwd()
        run["originalUriBaseIds"] = {BASE_ID: {"uri": _directory_uri(base)}}
    run.update({"artifacts": artifacts, "results": results, "columnKind": "unicodeCodePoints"})
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def sarif_document(reports: list[dict[str, Any]]) -> str:
    """:func:`sarif_log` as the text ``--report sarif`` writes."""
    import json
    return json.dumps(sarif_log(reports), indent=2) + "\n"
