"""`ptofix check FILE.cpp...`: report the PIPE_V races in ptoas C++ (and `--fix` them)."""
from __future__ import annotations

import argparse
import sys
from functools import partial

from ..batch import Processed, add_batch_arguments, check_batch_options, run_files
from ..exit_status import ExitStatus
from ..help_format import HelpFormatter
from ..macro_options import add_macro_arguments
from ..output import OutputOptions, add_output_arguments, check_output_options, deliver, emit_report, write_stderr
from ..pass_manager import build_pass
from ..source import PtofixError
from .output_options import output_options

# Imported where used: the analysis (race_check: the barriers, races, placements, the pto-isa
# version facts; 14 ms with -X importtime, interpreted, bytecode cached), which `check --help`, a
# usage error and `ptofix --help` (every command's parser) need not wait for.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..race_check import RaceCheck

HELP = """\
Report every pair of vector ops that may run at the same time (no PIPE_V drain between them on
some path, loop back-edges included) and conflict in UB bytes: RAW/WAR/WAW, the hidden TMP_UB
scratch included, PTOAS's exact same-access chain excepted. Each race is a warning at the later
op with a note at the earlier one. A broken tile placement is an error at its TASSIGN, with the
bytes: a Vec tile past the UB (192 KiB on A2/A3, 256 KiB on A5: the NPU faults), or inside the
hidden scratch [184 KiB, 192 KiB) that an A2/A3 row-expand op of its function broadcasts into (its
data is overwritten); a warning when it is wrong on some architectures only (--arch says which
one the kernel is for). --fix cannot mend those. Statements ptofix does not understand make their
function "unverified" (one note: races through them are neither shown nor ruled out), never a race.

--fix inserts the fewest pipe_barrier(PIPE_V) that separate every race (the pass
pipe-v-barrier-insert); the output options below then apply as for `ptofix run`.

exit status: 0 no race and every function verified (or --fix separated them all), 1 races or
broken placements found (with --fix: races it could not separate, or any broken placement), 4 no
race or placement found but some function is unverified, 2 bad input, 3 internal error. With
several FILEs, the most severe (3, 2, 1, 4, 0 in that order)."""


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("check", help="report PIPE_V races ptoas left in (and --fix them)",
                                   description=HELP, formatter_class=HelpFormatter)
    parser.add_argument("files", nargs="+", metavar="FILE", help="ptoas-generated C++")
    parser.add_argument("-I", dest="include_dirs", action="append", metavar="DIR",
                        help="search DIR for the headers the kernel #includes (repeatable, as the compiler's -I)")
    add_macro_arguments(parser)
    parser.add_argument("--fix", action="store_true", help="insert the barriers the races need")
    parser.add_argument("--pto-isa", metavar="DIR",
                        help="the pto-isa checkout the kernel compiles with: its version facts apply (as `run`'s)")
    parser.add_argument("--arch", choices=("a2", "a3", "a5"),
                        help="the kernel's architecture, for tile placements (its UB size, the hidden scratch); "
                             "without it a placement wrong on every architecture is an error, one wrong on "
                             "some a warning")
    add_output_arguments(parser)
    add_batch_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    options = output_options(args)
    if args.fix:
        check_batch_options(options)
    elif options.jobs < 1:
        check_batch_options(options, options.files[:1])
    elif options.output or options.in_place or options.diff or options.check:
        # (They say where check's fix goes; without --fix there is none, and silence would mislead.)
        raise PtofixError("-o, -i, --diff and --check deliver the fixed kernel: they need --fix")
    if len(options.files) == 1:
        check_output_options(options, delivers_result=args.fix)
    if args.pto_isa:
        from ..isa_version import identify
        for note in identify(args.pto_isa)[1]:
            sys.stderr.write(f"ptofix: warning: pto-isa {args.pto_isa}: {note}\n")
    from ..race_check import RaceCheck
    # --fix's pass is built once and handed to every file's job (pickled to -j workers).
    insert_options = {"pto-isa": args.pto_isa} if getattr(args, "pto_isa", None) else {}
    insert = build_pass("pipe-v-barrier-insert", insert_options) if args.fix else None
    job = RaceCheck(pto_isa=getattr(args, "pto_isa", None) or "", arch=getattr(args, "arch", None), insert=insert,
                    functions=options.report == "html")
    return run_files(options, partial(process_file, job=job), partial(deliver_file, fix=bool(args.fix)))


def process_file(path: str, job: RaceCheck) -> Processed:
    """One file's races (in a worker process with -j)."""
    return job.process(path)


def deliver_file(options: OutputOptions, result: Processed, fix: bool) -> int:
    """Diagnostics on stderr (or the report --report asks for), then --fix's output."""
    if result.text_lines and not options.report:
        write_stderr("".join(line + "\n" for line in result.text_lines))
    if result.warnings:
        write_stderr("".join(warning + "\n" for warning in result.warnings))
    if fix:
        code = deliver(options, result.source, result.text, result.report, result.text_lines)
        if code != 0:
            return code
        if result.report.get("unfixed") or result.report["placements"]:
            return ExitStatus.CHANGED      # races left, or placements no barrier can mend
        return _unverified_status(result.report)
    emit_report(options, result.report, result.text_lines, inputs=(result.source.path,))
    return ExitStatus.CHANGED if result.report["races"] or result.report["placements"] else \
        _unverified_status(result.report)


def _unverified_status(report: dict) -> int:
    """4 when a function could not be verified (its races are unknown: not "no race"), else 0."""
    return ExitStatus.UNVERIFIED if report["unverified"] else ExitStatus.OK
