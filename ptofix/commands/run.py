"""`ptofix run`: the C++ fixes on ptoas output (PIPE_V barrier removal, LocalSlotNum)."""
from __future__ import annotations

import argparse
import os
import re
from functools import partial

from .. import regex_cache
from ..batch import Processed, check_batch_options, deliver_processed, run_files
from ..local_slot_options import LocalSlotOptions
from ..output import Collected, OutputOptions, check_output_options, write_stderr
from ..pass_manager import get_pass_class
from ..pto.race_model import RaceModel
from ..source import PtofixError
from . import SUMMARIES
from .arguments import (
    QUIET_HELP,
    add_batch_arguments,
    add_compile_arguments,
    add_local_slot_arguments,
    add_output_arguments,
    add_pass_argument,
)
from .help_format import HelpFormatter
from .output_options import output_options, place_report, with_pass_inputs

# Imported where used (-X importtime, interpreted, bytecode cached): the barrier analysis and the
# C++ fixes in run() (14 ms, which `run --help`, a usage error and `ptofix --help` need not wait
# for); the facts of --target-ptoas and --pto-isa (ir.versions 0.9 ms, isa_version 14 ms) only
# with those options. (argparse reads every command line: a hand-written reader of the plain `run`
# command lines saved 2.5 to 4.9% of `run --pattern auto fa.cpp`, 4.4% over 41 interleaved rounds,
# under the 5% a second parser of one command line would have to be worth: scripts/bench_startup.py.)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..cpp_fixes import CppFixOptions
    from ..file_passes import FilePasses

# --help: what the command does and its options, one line each; the why and the details are on its
# page (docs/commands/run.md).
DESCRIPTION = ("Remove the PIPE_V barriers a tile-dependency proof shows redundant (--pattern selects them) "
               "and set TPipe LocalSlotNum, in ptoas-generated C++. Without either the output is the input.")
EPILOG = """\
exit status: 0 ok, 1 --check found changes, 2 bad input or output, 3 internal error (--debug)

details (patterns, the proof, reports): docs/commands/run.md"""


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("run", help=SUMMARIES["run"],
                                   description=DESCRIPTION, epilog=EPILOG,
                                   formatter_class=HelpFormatter)
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="ptoas-generated C++ ('-' for stdin); several need -i, -o DIR, --check or --diff")
    add_compile_arguments(parser)
    # The options of the pipe-v-barrier pass, from its fields (their text is read where it is built).
    barrier = get_pass_class("pipe-v-barrier")
    add_pass_argument(parser, barrier, "pattern", "--pattern", "-P")
    add_pass_argument(parser, barrier, "weight", "--weight")
    add_pass_argument(parser, barrier, "force", "--force")
    add_pass_argument(parser, barrier, "same_access_chains", "--same-access-chains")
    add_local_slot_arguments(parser)
    add_output_arguments(parser)
    # One -q for both things a run may say on stderr besides diagnostics.
    add_batch_arguments(parser, QUIET_HELP + "; no note on stderr for a file that keeps barriers its --pattern "
                        "selected")
    from .trace_options import add_trace_arguments
    add_trace_arguments(parser, verify=True)
    parser.set_defaults(handler=run)


def check_target_ptoas(args: argparse.Namespace) -> None:
    """An unknown --target-ptoas is an error whether or not a pass uses it."""
    value = getattr(args, "target_ptoas", None)
    if value is not None:
        from ..ir.versions import mapping_note, resolve
        resolve(value)
        note = mapping_note(value)
        if note:
            write_stderr(note + "\n")


def run(args: argparse.Namespace) -> int:
    from ..cpp.barrier_decisions import normalize_patterns
    from ..cpp_fixes import cpp_passes
    from ..file_passes import FilePasses, notes_wanted
    pattern = getattr(args, "pattern", None)
    normalize_patterns(pattern)   # option errors before input errors
    if pattern is not None and not pattern.replace(",", "").strip():
        # (Never silent: an empty value, a shell variable left unset, would select nothing and say nothing.)
        raise PtofixError(f"--pattern {pattern!r} names no pattern (give gu, softmax-exp-sum, softmax-sum-add, auto, "
                          "or none to select nothing)")
    _refuse_empty_values(args)
    check_target_ptoas(args)
    options = place_report(output_options(args))
    check_batch_options(options)
    if len(options.files) == 1:
        check_output_options(options)
    # The pipeline is built (and its options checked) once, and handed to every file's job.
    passes = tuple(cpp_passes(cpp_fix_options(args)))
    options = with_pass_inputs(options, passes)
    html = options.report == "html"
    job = FilePasses(passes, cpp_input=True, functions=html,
                     notes=notes_wanted(options.quiet, options.report, options.report_file),
                     perf_timeline=html,
                     environment=args.environment, input_races=bool(options.report),
                     race_model=RaceModel.of(bool(getattr(args, "same_access_chains", False))),
                     text_lines=options.report == "text")
    deliver = deliver_file
    if getattr(args, "verify_trace", False):
        from .trace_options import trace_options, verifying_deliver
        deliver = partial(verifying_deliver, trace=trace_options(args), deliver=deliver_file)
    status = run_files(options, partial(process_file, job=job), deliver)
    if status == 0 and not passes and getattr(args, "pattern", None) is None and not options.quiet:
        # (Never silent: a bare `ptofix run fa.cpp` echoes the file, which looks like "nothing to remove".)
        write_stderr("ptofix: note: no --pattern and no LocalSlotNum option: nothing is changed; "
                     "--pattern auto removes every PIPE_V barrier the proof shows redundant\n")
    return status


def _refuse_empty_values(args: argparse.Namespace) -> None:
    """An option given an empty value (a shell variable left unset) is an error: taken as not given,
    the run would change nothing and then say no such option was given. (`build` differs on purpose:
    there `--ir=` turns the IR matching off, docs/commands/build.md.)"""
    from ..local_slot_options import LOCAL_SLOT_OPTIONS
    named = [(flag, dest) for flag, dest, _ in LOCAL_SLOT_OPTIONS] + [("--weight", "weight")]
    for flag, dest in named:
        value = getattr(args, dest, None)
        if isinstance(value, str) and not value.replace(",", "").strip():
            raise PtofixError(f"{flag} {value!r} names nothing: give a value or leave the option out")


def cpp_fix_options(args: argparse.Namespace) -> CppFixOptions:
    """The C++ fixes `run`'s options select."""
    from ..cpp_fixes import CppFixOptions
    included = _inputs_another_input_includes(list(getattr(args, "files", None) or []),
                                              list(getattr(args, "include_dirs", None) or []))
    if included:
        write_stderr(f"ptofix: note: {included[0]} is #included by another file of this run: the files are not "
                     "read as separate translation units (templates and static functions stay Unknown)\n")
    return CppFixOptions(pattern=getattr(args, "pattern", None), force=bool(getattr(args, "force", False)),
                         weight=getattr(args, "weight", None) or "",
                         translation_unit=not included, local_slot=LocalSlotOptions.from_values(vars(args)),
                         same_access_chains=bool(getattr(args, "same_access_chains", False)))


_QUOTED_INCLUDE = regex_cache.compile(r'^[ \t]*#[ \t]*include[ \t]*"([^"\n]+)"', re.MULTILINE)


def _inputs_another_input_includes(files: list[str], include_dirs: list[str]) -> list[str]:
    """The input files that another input #includes (by a quoted include found beside the includer or
    in an -I directory): such a file is part of its includer's translation unit, whose code may call
    its templates and static functions with other arguments."""
    if len(files) < 2:
        return []
    from pathlib import Path  # (here: pathlib, urllib.parse and ipaddress are ~2.5 ms of a one-file run's start)
    real = {os.path.realpath(path): path for path in files}
    found: list[str] = []
    for path in files:
        try:
            text = Path(path).read_text(errors="replace")
        except OSError:
            continue
        for name in _QUOTED_INCLUDE.findall(text):
            for base in [os.path.dirname(path) or ".", *include_dirs]:
                target = os.path.realpath(os.path.join(base, name))
                if target in real and target != os.path.realpath(path) and real[target] not in found:
                    found.append(real[target])
    return found


def process_file(path: str, job: FilePasses) -> Processed:
    """One file's fixes (in a worker process with -j)."""
    return job.process(path)


def deliver_file(options: OutputOptions, result: Processed, collected: Collected | None = None) -> int:
    return deliver_processed(options, result, collected=collected)
