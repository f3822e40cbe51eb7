"""``ptofix canonicalize``: put PTO IR into the form a given ptoas version accepts."""
from __future__ import annotations

import argparse
import os
import shutil
from functools import partial

from ..batch import Processed, add_batch_arguments, check_batch_options, run_files
from ..frontends import PARSERS
from ..help_format import HelpFormatter
from ..input_kind import require
from ..ir.versions import mapping_note, resolve
from ..output import add_output_arguments, check_output_options, deliver, write_stderr
from ..pass_manager import Pass, build_pass, run_pipeline
from ..sidecar import default_sidecar_path, sidecar_for_output, sidecar_text, unrecorded_warnings
from ..source import PtofixError, SourceText, read_source

HELP = "generic/mixed PTO IR -> the target ptoas version's custom (or exact generic) form"

DESCRIPTION = """\
Rewrite the PTO pipe/FIFO ops of an MLIR module into the form TARGET's ptoas accepts.

MLIR Python bindings print ops they do not know in generic form ("pto.talloc_to_aiv"() {...}),
often with integer widths, {} vs <{}> or operandSegmentSizes of another version. With
--to custom (default) each generic pipe/FIFO op becomes the target's custom syntax; with
--to generic every pipe/FIFO op is printed in exact generic form (i8/i32 widths, sorted <{}>,
the target's segments). Every other byte is left unchanged; a second run changes nothing.

Ops, attributes or operands the target does not have are errors (file:line:col, exit 2) that
name the first version that has them. A local_slot_num the target rejects (GM-only pipe init)
is removed, reported as a warning and recorded in a sidecar JSON for the C++-side
LocalSlotNum pass: --sidecar PATH, default OUT.slots.json with -o OUT (FILE.slots.json with -i).
An existing sidecar is merged, never overwritten with less: its entries for pipes that still
lack local_slot_num are kept (a second run on canonical IR keeps them); if it records a pipe
the output no longer has, or is not a sidecar at all, that is an error and nothing is written.
Input that is not MLIR (no module/func.func/pto op) is an error.

versions: 2026-04-17 (hw-head), v0.31, v0.35, v0.36, v0.45, newest (v0.60, 2026-08-21);
other vX.Y / YYYY-MM-DD map to the newest listed version not after them.

Without --target-ptoas the target is what `$PTOAS --version` says (a note names it), as in
`ptofix build`. Several files need -i, -o DIR, --check or --diff (and -j N runs them on N
worker processes); a version ptofix does not list is a note naming the one it is treated as.

examples:
  ptofix canonicalize --target-ptoas v0.36 fa.mlir -o fa.pto
  PTOAS=/opt/ptoas/bin/ptoas ptofix canonicalize -i kernels/*.mlir
  ptofix canonicalize --target-ptoas hw-head --to generic fa.mlir
  ptofix canonicalize --target-ptoas v0.31 --check fa.mlir

exit status: 0 ok, 1 --check found changes, 2 bad input, version or output (nothing is
written for that file: with several files the others are still written, and the status is the
worst of them), 3 internal error (--debug shows the traceback)."""


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("canonicalize", help=HELP, description=DESCRIPTION,
                              formatter_class=HelpFormatter)
    p.add_argument("files", nargs="+", metavar="IN.mlir",
                   help="PTO IR input ('-' for stdin); several need -i, -o DIR, --check or --diff")
    p.add_argument("--target-ptoas", metavar="VERSION",
                   help="ptoas version that will compile the output (e.g. v0.36, hw-head, newest); default: "
                        "what '$PTOAS --version' says (ptoas on PATH without $PTOAS), as build does")
    p.add_argument("--to", choices=["custom", "generic"], default="custom",
                   help="form to print pipe/FIFO ops in (default: custom)")
    p.add_argument("--sidecar", metavar="PATH",
                   help="write removed local_slot_num values here as JSON (default: OUT.slots.json with -o); "
                        "one input file only")
    add_output_arguments(p)
    add_batch_arguments(p)
    p.set_defaults(handler=run)


def _target_from_ptoas() -> str:
    """The version of the ptoas that will compile the output, from its ``--version``, as build reads
    it; an error naming --target-ptoas when there is none or it cannot tell."""
    from ..build.tools import ptoas_version  # (~11 ms of imports, only without --target-ptoas)
    ptoas = os.environ.get("PTOAS") or shutil.which("ptoas")
    if not ptoas:
        raise PtofixError("canonicalize needs the ptoas version to canonicalize for: pass --target-ptoas VERSION, "
                          "or set PTOAS to the ptoas that will compile the output (its --version is read)")
    detected = ptoas_version(ptoas)
    if detected.name is None:
        raise PtofixError(f"canonicalize needs the ptoas version to canonicalize for, and {detected.problem}: "
                          "pass --target-ptoas VERSION")
    write_stderr(f"ptofix: note: {detected.note(ptoas)}\n")
    return detected.name


def run(args: argparse.Namespace) -> int:

    if args.target_ptoas is None:
        args.target_ptoas = _target_from_ptoas()
    else:
        resolve(args.target_ptoas)                  # option errors before input errors
        note = mapping_note(args.target_ptoas)
        if note:
            write_stderr(note + "\n")
    check_batch_options(args, args.files)
    if len(args.files) > 1 and args.sidecar:
        raise PtofixError("--sidecar names one file: with several inputs each gets OUT.slots.json (-o DIR) or "
                          "FILE.slots.json (-i)")
    if len(args.files) == 1:
        check_output_options(args, [(args.sidecar, "sidecar")] if not args.check else [])
    # Built once and handed to every file's job (pickled to -j workers).
    pass_ = build_pass("canonicalize", {"target-ptoas": args.target_ptoas, "to": args.to})
    return run_files(args, args.files, partial(process_file, pass_=pass_), deliver_file)


def process_file(path: str, args: argparse.Namespace, pass_: Pass) -> Processed:
    """Canonicalize one file (in a worker process with -j)."""
    source = read_source(path)
    require(source, "mlir")             # (before the pass manager's check of the file's name)
    outcome = run_pipeline(source, [pass_], PARSERS)
    return Processed(source, outcome.text, outcome.reports[0], [], list(outcome.warnings), [])


def deliver_file(args: argparse.Namespace, result) -> int:
    """The sidecar, the warnings, the report lines, then the file through the one writer."""
    source: SourceText = result.source
    report = {"file": source.path, **result.report}
    sidecar = report["sidecar"]
    output = args.output if args.output and args.output != "-" else None
    sidecar_path = args.sidecar
    if sidecar_path is None and not (args.check or args.diff):
        sidecar_path = default_sidecar_path(source.path, bool(args.in_place), output)
    extra = []
    kept_ids: set[int] = set()
    if sidecar_path and not args.check:
        read: dict[str, bytes | None] = {}
        sidecar, kept = sidecar_for_output(sidecar_path, sidecar, result.text, source.path, bool(args.in_place), output,
                                           read)
        report["sidecar"] = sidecar
        report["sidecar_kept"] = len(kept)
        kept_ids = {id(e) for e in kept}
        report["sidecar_path"] = sidecar_path
        # (Replaced only if it still holds what was merged: another run's values must not be lost.)
        extra.append((sidecar_path, sidecar_text(sidecar), "sidecar", read.get(sidecar_path)))
    warnings = list(result.warnings)
    if sidecar["pipes"] and not sidecar_path and not args.check:
        warnings = unrecorded_warnings(warnings, "give --sidecar PATH")
    if warnings:
        write_stderr("".join(warning + "\n" for warning in warnings))
    where = source.path
    lines = [f"{where}: canonicalize for ptoas {report['target_ptoas']} (--to {report['to']}):"]
    for item in report["rewritten"]:
        lines.append(f"{where}:{item['line']}: {item['op']} {item['from']} -> {item['to']}"
                     + (f" ({'; '.join(item['changes'])})" if item["changes"] else ""))
    for item in report["kept_generic"]:
        lines.append(f"{where}:{item['line']}: {item['op']} kept generic")
    for item in report["unknown_generic_ops"]:
        lines.append(f"{where}:{item['line']}: {item['op']} unknown to ptofix, kept as written")
    for entry in report["sidecar"]["pipes"]:
        if id(entry) in kept_ids:
            lines.append(f"{where}:{entry['line']}: local_slot_num = {entry['local_slot_num']} kept from the sidecar")
        else:
            lines.append(f"{where}:{entry['line']}: local_slot_num = {entry['local_slot_num']} moved to the sidecar")
    return deliver(args, source, result.text, report, lines, extra)
