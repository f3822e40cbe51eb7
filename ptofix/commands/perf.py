"""``ptofix perf ORIG.cpp [NEW.cpp ...] --pto-isa DIR``: cycles of each kernel in pto-isa's Perf-Sim."""
from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path

from ..output import Outputs, check_output_path, write_stderr, write_stdout
from ..perf import MAX_BLOCK_DIM
from ..source import PtofixError
from . import SUMMARIES
from .help_format import HelpFormatter
from .option_types import count_between, name_value, positive, seconds

HELP = SUMMARIES["perf"]

# --help: what the command does and its options, one line each; the why and the details are on its
# page (docs/commands/perf.md).
DESCRIPTION = ("Build each ptoas C++ kernel against a pto-isa checkout's Perf-Sim, run it there and print its "
               "total, VEC critical, VEC and CUBE busy cycles (halves not overlapped) against the first file's.")
EPILOG = """\
example: fa.auto.cpp made by `ptofix run --pattern auto fa.cpp -o fa.auto.cpp`, DIR a clone of
hw-native-sys/pto-isa at commit f35e7f60

  ptofix perf fa.cpp fa.auto.cpp --pto-isa DIR --arg v7=16

exit status: 0 every kernel ran, 2 bad input, a kernel that cannot be built or run, a missing
compiler or checkout, 3 internal error

details (how a kernel is built and run, barriers in the model): docs/commands/perf.md"""


def _absolute(text: str) -> str:
    """A directory as given, made absolute (as $PTOFIX_CACHE_DIR is: side_files.cache_dir)."""
    if not text or "\0" in text:
        raise argparse.ArgumentTypeError(f"not a directory name: {text!r}")
    return os.path.abspath(text)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("perf", help=HELP, description=DESCRIPTION, epilog=EPILOG,
                              formatter_class=HelpFormatter)
    p.add_argument("files", nargs="+", metavar="FILE.cpp",
                   help="ptoas C++ kernels; the first is the reference the others are compared with")
    # (Its own declaration, required and with its own help: the checkout the kernels are built
    # against. Its dest is the compile option's: cli.main identifies it once, into args.environment,
    # as every command's, and the page costs the barriers by its facts.)
    p.add_argument("--pto-isa", dest="pto_isa", required=True, metavar="DIR",
                   help="pto-isa checkout whose include/ has Perf-Sim (e.g. hw-native-sys/pto-isa at commit f35e7f60)")
    p.add_argument("--arg", type=name_value, action="append", default=[], metavar="NAME=VALUE",
                   help="value of a scalar parameter of the entry (repeatable; default 16, with a note)")
    p.add_argument("--function", metavar="NAME", help="kernel function to run (default: the __global__ entry)")
    p.add_argument("--block-dim", type=count_between(1, MAX_BLOCK_DIM), default=1, metavar="N",
                   help=f"physical AI cores LAUNCH_KERNEL simulates (default: 1, at most {MAX_BLOCK_DIM})")
    p.add_argument("--barrier-model", choices=("pto-isa", "restart"), default="pto-isa",
                   help="how a pipe_barrier(PIPE_V) costs; pto-isa: the checkout's model unchanged (a pipe_barrier "
                        "between PTO instructions "
                        "costs nothing there); restart: a kernel's pipe_barrier(PIPE_V) restarts the vector "
                        "stream, so the next vector op pays its start-up latency (default: pto-isa)")
    p.add_argument("--cxx", metavar="PATH", help="C++ compiler (default: $CXX, else g++)")
    p.add_argument("--cache-dir", type=_absolute, metavar="DIR",
                   help="where the checkout copy, objects and binaries are kept, a directory of this user's made "
                        "0700 (default: $PTOFIX_CACHE_DIR/perf, else $XDG_CACHE_HOME/ptofix/perf, else "
                        "~/.cache/ptofix/perf, else $TMPDIR/ptofix-UID/perf)")
    p.add_argument("-j", "--jobs", type=positive, default=min(4, os.cpu_count() or 1), metavar="N",
                   help="compilers run at once (default: the CPUs, at most 4)")
    p.add_argument("--timeout", type=seconds, default=600.0, metavar="SECONDS",
                   help="stop a compile, link or Perf-Sim run after this long, an error (default: 600)")
    p.add_argument("--report", choices=("text", "json", "html"), default="text",
                   help="output format (default: text); html: a page of each kernel's Perf-Sim lanes on one time "
                        "axis with a marker per executed pipe_barrier(PIPE_V), written to --report-file")
    p.add_argument("--report-file", metavar="FILE",
                   help="write the report there (html needs one); the text lines still go to stdout")
    shown = p.add_mutually_exclusive_group()
    shown.add_argument("--progress", action="store_true",
                       help="a line on stderr per stage (the compiles, each Perf-Sim run) also when stderr is not a "
                            "terminal (default: only on a terminal)")
    shown.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    p.set_defaults(handler=run)


def _progress_wanted(args: argparse.Namespace) -> bool:
    if args.quiet:
        return False
    if args.progress:
        return True
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (OSError, ValueError):
        return False


def _progress_line(line: str) -> None:
    write_stderr(line + "\n")


def run(args: argparse.Namespace) -> int:
    from ..perf.measure import PerfOptions, format_json, format_text, measure
    if len(set(args.files)) != len(args.files):
        raise PtofixError("a file is named twice")
    options = PerfOptions(pto_isa=args.environment.pto_isa, cxx=args.cxx, function=args.function, args=tuple(args.arg),
                          block_dim=args.block_dim, barrier_model=args.barrier_model,
                          cache_dir=Path(args.cache_dir) if args.cache_dir else None, timeout=args.timeout,
                          jobs=args.jobs, progress=_progress_line if _progress_wanted(args) else None)
    report_file = args.report_file if args.report_file != "-" else None
    if args.report == "html" and report_file is None:
        raise PtofixError("--report html writes a page: give it a file, --report-file PAGE.html")
    if report_file is not None:
        check_output_path(report_file, "report")       # (before minutes of building)
    if args.report == "html":
        options = replace(options, keep_swimlane=True)
    results = measure(list(args.files), options)
    notes = [note for result in results for note in result.notes]
    if notes:
        write_stderr("\n".join(notes) + "\n")
    if args.report == "html":
        if options.progress is not None:
            options.progress("ptofix perf: drawing the page (each kernel's barriers and their drain-and-refill cost)")
        from ..perf.measure import MODEL_NOTE
        from ..perf.page import kernel_page, page
        from ..source import read_source
        # (The barriers' costs by the facts of the checkout the kernels were built against.)
        environment = args.environment
        body = page([kernel_page(r.path, read_source(r.path).text, r, environment) for r in results],
                    pto_isa=environment.pto_isa, barrier_model=args.barrier_model, model_note=MODEL_NOTE)
    else:
        body = format_json(results, options) if args.report == "json" else format_text(results)
    if report_file is None:
        write_stdout(body)
        return 0
    outputs = Outputs(others=list(args.files))
    outputs.add(report_file, body, "report")
    outputs.commit()
    if args.report != "text":
        write_stdout(format_text(results))
    return 0
