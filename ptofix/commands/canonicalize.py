"""``ptofix canonicalize``: put PTO IR into the form a given ptoas version accepts."""
from __future__ import annotations

import argparse
from functools import partial

from ..batch import Processed, check_batch_options, run_files
from ..canonicalize_files import Canonicalization, SidecarPlace, target_version, with_sidecar
from ..output import OutputOptions, check_output_options, deliver, write_stderr
from ..source import PtofixError
from .arguments import add_batch_arguments, add_output_arguments
from .help_format import HelpFormatter
from .output_options import json_report_off_stderr, output_options

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


def run(args: argparse.Namespace) -> int:
    target, notes = target_version(args.target_ptoas)    # option errors before input errors
    if notes:
        write_stderr("".join(note + "\n" for note in notes))
    options = json_report_off_stderr(output_options(args))
    check_batch_options(options)
    if len(options.files) > 1 and args.sidecar:
        raise PtofixError("--sidecar names one file: with several inputs each gets OUT.slots.json (-o DIR) or "
                          "FILE.slots.json (-i)")
    if len(options.files) == 1:
        check_output_options(options, [(args.sidecar, "sidecar")] if not options.check else [])
    job = Canonicalization.for_target(target, args.to)
    return run_files(options, partial(process_file, job=job), partial(deliver_file, sidecar=args.sidecar))


def process_file(path: str, job: Canonicalization) -> Processed:
    """One file (in a worker process with -j)."""
    return job.process(path)


def deliver_file(options: OutputOptions, result: Processed, sidecar: str | None) -> int:
    """The warnings, then the file, its sidecar (--sidecar, or beside the output) and its report
    through the one writer."""
    output = options.output if options.output and options.output != "-" else None
    done = with_sidecar(result, SidecarPlace(sidecar, options.in_place, output, options.check, options.diff))
    if done.warnings:
        write_stderr("".join(warning + "\n" for warning in done.warnings))
    return deliver(options, result.source, result.text, done.report, done.lines, done.writes)
