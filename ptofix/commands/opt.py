"""`ptofix opt -p PIPELINE FILE`: run registered passes as an xDSL-style pipeline."""
from __future__ import annotations

import argparse
from functools import partial

from ..batch import Processed, check_batch_options, deliver_processed, run_files
from ..exit_status import ExitStatus
from ..file_passes import FilePasses, notes_wanted
from ..ir.versions import mapping_note, resolve
from ..output import Collected, OutputOptions, check_output_options, write_stderr, write_stdout
from ..pass_manager import available_passes, build_pass, get_pass_class, parse_pipeline
from ..sidecar import pipeline_sidecar, stripped_pipes, unrecorded_warnings
from ..source import PtofixError
from . import SUMMARIES
from .arguments import QUIET_HELP, add_batch_arguments, add_compile_arguments, add_output_arguments
from .help_format import HelpFormatter
from .output_options import output_options, place_report, with_pass_inputs

# --help: what the command does and its options, one line each; the why and the details are on its
# page (docs/commands/opt.md).
DESCRIPTION = "Run registered passes in order on FILE (C++ or PTO IR, as each pass declares)."
EPILOG = """\
Quote the pipeline with single quotes: the shell brace-expands '{' and splits at spaces.

  ptofix opt -p 'local-slot-num{map=0=2,4=2},pipe-v-barrier{pattern=gu}' fa.cpp

exit status: 0 ok, 1 --check found changes, 2 bad input, pipeline or output, 3 internal error

details (pass options, pass order): docs/commands/opt.md"""


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "opt", help=SUMMARIES["opt"],
        description=DESCRIPTION, epilog=EPILOG,
        formatter_class=HelpFormatter)
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="input (C++ or PTO IR); several need -i, -o DIR, --check or --diff")
    add_compile_arguments(parser)
    parser.add_argument("-p", "--passes", metavar="PIPELINE", default="",
                        help="comma-separated passes with {k=v} options; quote it: -p 'a,b{k=v}'")
    parser.add_argument("--list-passes", action="store_true", help="list registered passes and exit")
    add_output_arguments(parser)
    add_batch_arguments(parser, QUIET_HELP + "; no note on stderr for a file that keeps barriers a pipe-v-barrier "
                        "pattern selected")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.list_passes:
        lines = []
        for name in available_passes():
            cls = get_pass_class(name)
            lines.append(f"{name:20} [{cls.kind}] {cls.summary}\n")
        write_stdout("".join(lines))
        return ExitStatus.OK
    if not args.files:
        raise PtofixError("opt needs a FILE (or --list-passes)")
    passes = [build_pass(name, options) for name, options in parse_pipeline(args.passes)]
    for pass_ in passes:
        target = getattr(pass_, "target_ptoas", None)
        if target:
            resolve(target)
            note = mapping_note(target)
            if note:
                write_stderr(note + "\n")
    options = with_pass_inputs(place_report(output_options(args)), passes)
    check_batch_options(options)
    if len(options.files) == 1:
        check_output_options(options)
    # Built once, above, and handed to every file's job (pickled to -j workers).
    job = FilePasses(tuple(passes), functions=options.report == "html",
                     notes=notes_wanted(options.quiet, options.report, options.report_file),
                     environment=args.environment, text_lines=options.report == "text")
    status = run_files(options, partial(process_file, job=job), deliver_file)
    if status == ExitStatus.OK and not passes and not options.quiet:
        # (Never silent: `ptofix opt fa.cpp` without a pipeline echoes the file, as `run` without
        # --pattern does, which says so too.)
        write_stderr("ptofix: note: no -p PIPELINE: nothing is changed (--list-passes lists the passes)\n")
    return status


def process_file(path: str, job: FilePasses) -> Processed:
    """One file through the pipeline (in a worker process with -j)."""
    return job.process(path)


def deliver_file(options: OutputOptions, result: Processed, collected: Collected | None = None) -> int:
    # local_slot_num values a canonicalize pass stripped go where the canonicalize command would
    # put them (OUT.slots.json with -o OUT, FILE.slots.json with -i): rewriting must not drop them.
    output = options.output if options.output and options.output != "-" else None
    sidecars = pipeline_sidecar(result.source, result.text, result.report["passes"], options.in_place, output,
                                written=not (options.check or options.diff))
    if not sidecars and not options.check and stripped_pipes(result.report["passes"]):
        how_to_keep = "give -o OUT or -i: it goes to OUT.slots.json or FILE.slots.json"
        result = result.replace(warnings=unrecorded_warnings(result.warnings, how_to_keep))
    return deliver_processed(options, result, sidecars, collected)
