"""``ptofix canonicalize``: put PTO IR into the form a given ptoas version accepts."""
from __future__ import annotations

import argparse
from functools import partial

from ..batch import Processed, check_batch_options, run_files
from ..canonicalize_files import Canonicalization, SidecarPlace, target_version, with_sidecar
from ..output import Collected, OutputOptions, check_output_options, deliver, write_stderr
from ..source import PtofixError
from . import SUMMARIES
from .arguments import add_batch_arguments, add_output_arguments
from .help_format import HelpFormatter
from .output_options import output_options, place_report

HELP = SUMMARIES["canonicalize"]

# --help: what the command does and its options, one line each; the why and the details are on its
# page (docs/commands/canonicalize.md).
DESCRIPTION = ("Rewrite the PTO pipe/FIFO ops of an MLIR module into the form the target ptoas accepts "
               "(its custom syntax, or exact generic form); every other byte is left as it is.")
EPILOG = """\
versions: 2026-04-17 (hw-head), v0.31, v0.35, v0.36, v0.45, newest (v0.60, 2026-08-21)

exit status: 0 ok, 1 --check found changes, 2 bad input, version or output, 3 internal error

details (the sidecar, versions): docs/commands/canonicalize.md"""


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("canonicalize", help=HELP, description=DESCRIPTION, epilog=EPILOG,
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
    options = place_report(output_options(args))
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


def deliver_file(options: OutputOptions, result: Processed, sidecar: str | None,
                 collected: Collected | None = None) -> int:
    """The warnings, then the file, its sidecar (--sidecar, or beside the output) and its report
    through the one writer."""
    output = options.output if options.output and options.output != "-" else None
    done = with_sidecar(result, SidecarPlace(sidecar, options.in_place, output, options.check, options.diff))
    if done.warnings:
        write_stderr("".join(warning + "\n" for warning in done.warnings))
    return deliver(options, result.source, result.text, done.report, done.lines, done.writes, collected)
