"""What ``canonicalize`` does to each of its files: the ptoas version it canonicalizes for, the
canonicalize pass run on one file (in a worker process with ``-j``), and the result merged with
the file's sidecar and told as report lines. The command writes what this returns through the one
writer (:func:`ptofix.output.deliver`).
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .batch import Processed
from .frontends import PARSERS
from .input_kind import require
from .ir.versions import mapping_note, resolve
from .pass_manager import Pass, build_pass, run_pipeline
from .sidecar import default_sidecar_path, sidecar_for_output, sidecar_text, unrecorded_warnings
from .source import PtofixError, read_source


def target_version(given: str | None, environment: Mapping[str, str] | None = None) -> tuple[str, list[str]]:
    """The ptoas version to canonicalize for and the notes that say how it was read: ``given`` as
    ptofix maps it, or without it what the ptoas that will compile the output says (``$PTOAS``,
    else ptoas on PATH), as build reads it; an error naming --target-ptoas when there is none or it
    cannot tell."""
    if given is not None:
        resolve(given)
        note = mapping_note(given)
        return given, [note] if note else []
    from .prebuild.tools import ptoas_version  # (~11 ms of imports, only without --target-ptoas)
    ptoas = (os.environ if environment is None else environment).get("PTOAS") or shutil.which("ptoas")
    if not ptoas:
        raise PtofixError("canonicalize needs the ptoas version to canonicalize for: pass --target-ptoas VERSION, "
                          "or set PTOAS to the ptoas that will compile the output (its --version is read)")
    detected = ptoas_version(ptoas)
    if detected.name is None:
        raise PtofixError(f"canonicalize needs the ptoas version to canonicalize for, and {detected.problem}: "
                          "pass --target-ptoas VERSION")
    return detected.name, [f"ptofix: note: {detected.note(ptoas)}"]


@dataclass(frozen=True)
class SidecarPlace:
    """Where one file's sidecar goes, from the command's output options."""

    path: str | None        # --sidecar, or None for the default beside the output
    in_place: bool          # -i
    output: str | None      # -o FILE or DIR (None: stdout)
    check_only: bool        # --check: nothing is written
    diff_only: bool         # --diff: no default sidecar


@dataclass(frozen=True)
class CanonicalizedFile:
    """One file's outcome as the command delivers it."""

    report: dict[str, Any]
    lines: list[str]                                        # the text report
    writes: list[tuple[str, str, str, bytes | None]]        # (path, text, what, bytes it held when read)
    warnings: list[str]                                     # for stderr, before the report


@dataclass(frozen=True)
class Canonicalization:
    """The canonicalize pass for one target and form, built once and handed to every file's job
    (pickled to ``-j`` workers)."""

    pass_: Pass

    @classmethod
    def for_target(cls, target_ptoas: str, to: str) -> Canonicalization:
        return cls(build_pass("canonicalize", {"target-ptoas": target_ptoas, "to": to}))

    def process(self, path: str) -> Processed:
        """Canonicalize one file."""
        source = read_source(path)
        require(source, "mlir")             # (before the pass manager's check of the file's name)
        outcome = run_pipeline(source, [self.pass_], PARSERS)
        return Processed(source, outcome.text, outcome.reports[0], [], list(outcome.warnings), [])


def with_sidecar(result: Processed, place: SidecarPlace) -> CanonicalizedFile:
    """The report with the sidecar merged (an existing one is never overwritten with less), the
    sidecar to write, the warnings and the text report lines of one canonicalized file."""
    source = result.source
    report = {"file": source.path, **result.report}
    sidecar = report["sidecar"]
    sidecar_path = place.path
    if sidecar_path is None and not (place.check_only or place.diff_only):
        sidecar_path = default_sidecar_path(source.path, place.in_place, place.output)
    writes: list[tuple[str, str, str, bytes | None]] = []
    kept_ids: set[int] = set()
    if sidecar_path and not place.check_only:
        read: dict[str, bytes | None] = {}
        sidecar, kept = sidecar_for_output(sidecar_path, sidecar, result.text, source.path, place.in_place,
                                           place.output, read)
        report["sidecar"] = sidecar
        report["sidecar_kept"] = len(kept)
        kept_ids = {id(e) for e in kept}
        report["sidecar_path"] = sidecar_path
        # (Replaced only if it still holds what was merged: another run's values must not be lost.)
        writes.append((sidecar_path, sidecar_text(sidecar), "sidecar", read.get(sidecar_path)))
    warnings = list(result.warnings)
    if sidecar["pipes"] and not sidecar_path and not place.check_only:
        warnings = unrecorded_warnings(warnings, "give --sidecar PATH")
    return CanonicalizedFile(report, report_lines(report, kept_ids), writes, warnings)


def report_lines(report: dict[str, Any], kept_ids: set[int]) -> list[str]:
    """The text report of one file: each op rewritten, kept generic or unknown, and each
    local_slot_num moved to the sidecar or kept from it (``kept_ids``: the ids of the entries kept)."""
    where = report["file"]
    lines = [f"{where}: canonicalize for ptoas {report['target_ptoas']} (--to {report['to']}):"]
    for item in report["rewritten"]:
        lines.append(f"{where}:{item['line']}: {item['op']} {item['from']} -> {item['to']}"
                     + (f" ({'; '.join(item['changes'])})" if item["changes"] else ""))
    for item in report["kept_generic"]:
        lines.append(f"{where}:{item['line']}: {item['op']} kept generic")
    for item in report["unknown_generic_ops"]:
        lines.append(f"{where}:{item['line']}: {item['op']} unknown to ptofix, kept as written")
    for entry in report["sidecar"]["pipes"]:
        how = "kept from" if id(entry) in kept_ids else "moved to"
        lines.append(f"{where}:{entry['line']}: local_slot_num = {entry['local_slot_num']} {how} the sidecar")
    return lines
