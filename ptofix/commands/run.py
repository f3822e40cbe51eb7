"""`ptofix run`: the C++ fixes on ptoas output (PIPE_V barrier removal, LocalSlotNum)."""
from __future__ import annotations

from functools import partial

from ..batch import QUIET_HELP, Processed, add_batch_arguments, check_batch_options, deliver_processed, run_files
from ..cpp.command_line import macro_flag
from ..local_slot_options import LOCAL_SLOT_OPTIONS, LocalSlotOptions, add_local_slot_arguments, positive_count
from ..output import OutputOptions, add_output_arguments, check_output_options, write_stderr
from ..source import PtofixError
from .output_options import json_report_off_stderr, output_options

# Imported where used (-X importtime, interpreted, bytecode cached; a plain one-file run is ~95 ms):
# the barrier analysis and the C++ fixes in run() (14 ms, which `run --help`, a usage error and
# `ptofix --help` need not wait for); argparse, for help_format and macro_options, in add_parser
# (~6 ms with the parser, which the plain `run` command lines skip, below); the facts of
# --target-ptoas and --pto-isa (ir.versions 0.9 ms, isa_version 14 ms) only with those options.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

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
    from ..help_format import HelpFormatter
    from ..macro_options import add_macro_arguments
    from ..pass_manager import add_pass_argument, get_pass_class
    parser = subparsers.add_parser("run", help="fix ptoas C++: PIPE_V barriers, TPipe LocalSlotNum",
                                   description=DESCRIPTION, epilog=EPILOG,
                                   formatter_class=HelpFormatter)
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="ptoas-generated C++ ('-' for stdin); several need -i, -o DIR, --check or --diff")
    parser.add_argument("-I", dest="include_dirs", action="append", metavar="DIR",
                        help="search DIR for the headers the kernel #includes (repeatable, as the compiler's -I)")
    add_macro_arguments(parser)
    # The options of the pipe-v-barrier pass, from its fields (their text is read where it is built).
    barrier = get_pass_class("pipe-v-barrier")
    add_pass_argument(parser, barrier, "pattern", "--pattern", "-P")
    add_pass_argument(parser, barrier, "weight", "--weight")
    add_pass_argument(parser, barrier, "force", "--force")
    add_pass_argument(parser, barrier, "pto_isa", "--pto-isa")
    add_local_slot_arguments(parser)
    add_output_arguments(parser)
    # One -q for both things a run may say on stderr besides diagnostics.
    add_batch_arguments(parser, QUIET_HELP + "; no note on stderr for a file that keeps barriers its --pattern "
                        "selected")
    parser.set_defaults(handler=run)


# ---- the common command lines without argparse -----------------------------------------------
# A kernel build runs `ptofix run [--pattern P] FILE -o OUT` once per kernel; importing argparse
# (with gettext and locale) and building this parser cost such a run a twentieth to a tenth of its
# CPU (scripts/bench_startup.py, interpreted, bytecode cached, medians of 21 interleaved rounds: 3.4
# ms of 60 ms with --pattern gu on kernels/flash_attention/fa.cpp, 4.4 ms of 48 ms without a
# pattern; under 5% of a whole run, it would go). fast_arguments() reads the plain spellings of the
# options below into the same values argparse gives (tests/test_cli_fast_args.py checks both agree,
# option by option and on random command lines) and answers None for anything else (--help,
# abbreviations, `--`, a repeated or conflicting option, a value that looks like an option, ...),
# which argparse then parses, and reports, as before.
# The LocalSlotNum options by how their values read: plain, one of some choices, or a count.
_SLOT_CHOICES = {flag: (dest, tuple(spec["choices"])) for flag, dest, spec in LOCAL_SLOT_OPTIONS if "choices" in spec}
_SLOT_COUNTS = {flag: dest for flag, dest, spec in LOCAL_SLOT_OPTIONS if "type" in spec}
_SLOT_VALUES = {flag: dest for flag, dest, _ in LOCAL_SLOT_OPTIONS
                if flag not in _SLOT_CHOICES and flag not in _SLOT_COUNTS}
_FAST_VALUES = {"--pattern": "pattern", "-P": "pattern", "--weight": "weight", "-o": "output", "--output": "output",
                "--report-file": "report_file", "--pto-isa": "pto_isa", **_SLOT_VALUES}
_FAST_CHOICES = {"--report": ("report", ("json", "text", "html")), **_SLOT_CHOICES}
_FAST_INTS = {"-j": "jobs", "--jobs": "jobs", **_SLOT_COUNTS}
_FAST_AT_LEAST_ONE = {dest for _, dest, spec in LOCAL_SLOT_OPTIONS if spec.get("type") is positive_count}
_FAST_FLAGS = {"--force": "force", "-i": "in_place", "--in-place": "in_place", "--diff": "diff", "--check": "check",
               "--debug": "debug", "-q": "quiet", "--quiet": "quiet"}
_FAST_APPENDS = {"-I": "include_dirs", "-D": "macro_flags", "-U": "macro_flags"}   # repeatable: each value appended
_EXCLUSIVE = ("output", "in_place", "diff", "check")     # one output mode (a mutually exclusive group)
FAST_DEFAULTS = {"debug": False, "command": "run", "pattern": None, "weight": None, "force": False, "quiet": False,
                 **{dest: None for _, dest, _ in LOCAL_SLOT_OPTIONS}, "pto_isa": None, "output": None,
                 "in_place": False, "diff": False, "check": False, "report": None, "report_file": None, "jobs": 1,
                 "include_dirs": None, "macro_flags": None}


def fast_arguments(argv: list[str]) -> dict | None:
    """The values argparse gives ``argv`` (``[--debug...] run ...``) without argparse, or None."""
    values: dict = dict(FAST_DEFAULTS)
    i = 0
    while i < len(argv) and argv[i] == "--debug":
        values["debug"] = True
        i += 1
    if i >= len(argv) or argv[i] != "run":
        return None
    files: list[str] = []
    seen: set[str] = set()
    files_closed = False
    i += 1
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == "-" or not arg.startswith("-"):
            if files_closed:
                return None        # argparse takes one run of FILEs; the rest is its error
            files.append(arg)
            continue
        if files:
            files_closed = True
        flag, eq, attached = arg.partition("=")
        if eq and not flag.startswith("--"):
            return None
        if flag in _FAST_FLAGS:
            if eq:
                return None
            dest = _FAST_FLAGS[flag]
            if dest in seen and dest != "debug":
                return None
            seen.add(dest)
            values[dest] = True
            continue
        if eq:
            value = attached
        else:
            if i >= len(argv):
                return None
            value = argv[i]
            i += 1
            if value.startswith("-") and value != "-":
                return None
        if flag in _FAST_APPENDS:
            dest = _FAST_APPENDS[flag]
            if dest == "macro_flags":
                try:
                    value = macro_flag(flag, value)
                except PtofixError:
                    return None         # argparse reports it
            values[dest] = [*(values[dest] or []), value]
            continue
        stored: str | int = value
        if flag in _FAST_VALUES:
            dest = _FAST_VALUES[flag]
        elif flag in _FAST_CHOICES:
            dest, choices = _FAST_CHOICES[flag]
            if value not in choices:
                return None
        elif flag in _FAST_INTS:
            dest = _FAST_INTS[flag]
            if not (value.isascii() and value.isdigit() and len(value) <= 9):
                return None         # argparse reports it (or takes a long number int() would refuse)
            stored = int(value)
            if stored == 0 and dest in _FAST_AT_LEAST_ONE:
                return None         # argparse refuses it (a LocalSlotNum is at least 1)
        else:
            return None
        if dest in seen:
            return None
        seen.add(dest)
        values[dest] = stored
    if not files or sum(1 for dest in _EXCLUSIVE if dest in seen) > 1:
        return None
    values["files"] = files
    values["handler"] = run
    return values


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
    from ..cpp.barriers import normalize_patterns
    from ..cpp_fixes import cpp_passes
    from ..file_passes import FilePasses, notes_wanted
    normalize_patterns(getattr(args, "pattern", None))   # option errors before input errors
    check_target_ptoas(args)
    if getattr(args, "pto_isa", None):
        # (Read once, up front: a path that is no checkout is an option error, with or without --pattern.)
        from ..isa_version import identify
        identify(args.pto_isa)
    options = json_report_off_stderr(output_options(args))
    check_batch_options(options)
    if len(options.files) == 1:
        check_output_options(options)
    # The pipeline is built (and its options checked) once, and handed to every file's job.
    passes = tuple(cpp_passes(cpp_fix_options(args)))
    html = options.report == "html"
    job = FilePasses(passes, cpp_input=True, functions=html,
                     notes=notes_wanted(options.quiet, options.report, options.report_file),
                     perf_pto_isa=(getattr(args, "pto_isa", None) or None) if html else None)
    status = run_files(options, partial(process_file, job=job), deliver_file)
    if status == 0 and not passes and getattr(args, "pattern", None) is None and not options.quiet:
        # (Never silent: a bare `ptofix run fa.cpp` echoes the file, which looks like "nothing to remove".)
        write_stderr("ptofix: note: no --pattern and no LocalSlotNum option: nothing is changed; "
                     "--pattern auto removes every PIPE_V barrier the proof shows redundant\n")
    return status


def cpp_fix_options(args: argparse.Namespace) -> CppFixOptions:
    """The C++ fixes `run`'s options select."""
    from ..cpp_fixes import CppFixOptions
    return CppFixOptions(pattern=getattr(args, "pattern", None), force=bool(getattr(args, "force", False)),
                         weight=getattr(args, "weight", None) or "", pto_isa=getattr(args, "pto_isa", None) or None,
                         local_slot=LocalSlotOptions.from_values(vars(args)))


def process_file(path: str, job: FilePasses) -> Processed:
    """One file's fixes (in a worker process with -j)."""
    return job.process(path)


def deliver_file(options: OutputOptions, result: Processed) -> int:
    return deliver_processed(options, result)
