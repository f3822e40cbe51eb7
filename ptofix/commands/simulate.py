"""``ptofix simulate ORIGINAL.cpp REWRITTEN.cpp``: check a rewrite on a numpy model of the vector side."""
from __future__ import annotations

import argparse
import sys
import traceback

from ..exit_status import ExitStatus, internal_error
from ..output import write_stdout
from ..pto.tiles import UB_BYTES
from ..source import PtofixError
from . import SUMMARIES
from .arguments import add_compile_arguments
from .help_format import HelpFormatter
from .option_types import count_between, name_value, read_number, seconds

# The simulator's modules are imported where used: with numpy they take 93 ms (-X importtime,
# interpreted, bytecode cached), which `simulate --help`, a usage error and `ptofix --help` (every
# command's parser) need not wait for.

HELP = SUMMARIES["simulate"]

# --help: what the command does and its options, one line each; the why and the details are on its
# page (docs/commands/simulate.md).
DESCRIPTION = ("Run the vector side of two ptoas C++ kernels on a numpy model of the Unified Buffer, ORIGINAL "
               "in order and REWRITTEN overlapped as the hardware may, and compare every output byte.")
EPILOG = """\
exit status: 0 equal, 1 the rewrite differs, 2 input it cannot run (or no vector op ran: the
arguments to give are named), 3 internal error, 4 the original already races

details (the schedules, defaults, bounds): docs/commands/simulate.md"""


# The model allocates the whole UB per run: a size past this is a mistake, not a UB (192 KiB on A2/A3).
MAX_UB_SIZE = 16 * 1024 * 1024


def ub_size(text: str) -> int:
    t = text.strip().upper()
    mult = 1
    if t.endswith("KIB"):
        mult, t = 1024, t[:-3]
    elif t.endswith("K"):
        mult, t = 1024, t[:-1]
    value = read_number(t.strip().lower())
    if value is None:
        raise argparse.ArgumentTypeError(f"not a size: {text}")
    if not 0 < value * mult <= MAX_UB_SIZE:
        raise argparse.ArgumentTypeError(f"{text}: the UB size must be between 1 byte and {MAX_UB_SIZE >> 20} MiB")
    return value * mult


MAX_BLOCKS = 256


def _fill(text: str) -> tuple[str, str]:
    name, mode = name_value(text)
    from ..sim.memory import parse_fill
    try:
        parse_fill(mode)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return name, mode


def _blocks(text: str) -> list[int]:
    ids = [read_number(x.strip()) for x in text.split(",") if x.strip()]
    if not ids or None in ids:
        raise argparse.ArgumentTypeError(f"expected a comma-separated list of block ids (0, 1, ...), got '{text}'")
    return [i for i in ids if i is not None]


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("simulate", help=HELP, description=DESCRIPTION, epilog=EPILOG,
                              formatter_class=HelpFormatter)
    p.add_argument("original", metavar="ORIGINAL", help="ptoas C++ before the rewrite")
    p.add_argument("rewritten", metavar="REWRITTEN", help="the same kernel after the rewrite")
    p.add_argument("--function", metavar="NAME", help="kernel function to run (default: the entry)")
    add_compile_arguments(p, pto_isa=False)
    p.add_argument("--seeds", type=count_between(1), default=8, metavar="N",
                   help="number of input/schedule seeds to try (default: 8)")
    p.add_argument("--arg", type=name_value, action="append", default=[], metavar="NAME=VALUE",
                   help="value of a scalar kernel parameter (repeatable)")
    p.add_argument("--gm-fill", type=_fill, action="append", default=[], metavar="NAME=MODE",
                   help="contents of the GM buffer of pointer parameter NAME: random (default), zero, or "
                        "ints:LO:HI (integers in [LO, HI), e.g. sequence lengths that make a loop run; "
                        "repeatable)")
    # Every block run keeps its own UB model (~2 MiB with its bookkeeping) until the comparison.
    p.add_argument("--block-num", type=count_between(1, MAX_BLOCKS), default=1, metavar="N",
                   help=f"get_block_num() (default: 1, at most {MAX_BLOCKS})")
    p.add_argument("--block-idx", type=_blocks, default=None, metavar="I[,J...]",
                   help="blocks to run (default: every block 0..block-num-1)")
    p.add_argument("--subblocks", type=count_between(1), default=1, choices=(1, 2),
                   help="vector cores per block to run, get_subblockdim() (default: 1)")
    p.add_argument("--ub-size", type=ub_size, default=UB_BYTES, metavar="BYTES",
                   help=f"UB size, e.g. 192K (default: {UB_BYTES // 1024}K, A2/A3)")
    p.add_argument("--time-budget", type=seconds, default=None, metavar="SECONDS",
                   help="start no seed after this many seconds (the seed under way finishes); the report "
                        "and stderr say how many seeds ran")
    p.add_argument("--no-fix-original", dest="fix_original", action="store_false",
                   help="when ORIGINAL races on its own, stop there (exit 4) instead of comparing REWRITTEN "
                        "against `ptofix check --fix` of it")
    p.add_argument("--same-access-chains", action="store_true",
                   help="run PTOAS #674 same-access chains in repeat order as ptoas does, though msSanitizer "
                        "flags them (default: its a2/a3 rule, every unbarriered overlap may run in any order); "
                        "the original's check --fix uses the same model")
    p.add_argument("--report", choices=("text", "json"), default="text", help="output format (default: text)")
    p.add_argument("--debug", action="store_true", help="print the traceback of an internal error")
    p.set_defaults(handler=run)


EXIT_EQUAL, EXIT_DIFFERENT, EXIT_INTERNAL, EXIT_RACY_ORIGINAL = (ExitStatus.OK, ExitStatus.CHANGED, ExitStatus.INTERNAL,
                                                               ExitStatus.UNVERIFIED)


def run(args: argparse.Namespace) -> int:
    if args.seeds < 1:
        raise PtofixError("--seeds must be at least 1")
    outside = [i for i in args.block_idx or () if i >= args.block_num]
    if outside:
        raise PtofixError(f"--block-idx {outside[0]} is not a block of --block-num {args.block_num} "
                          f"(blocks 0..{args.block_num - 1})")
    try:
        return _run(args)
    except (PtofixError, BrokenPipeError, KeyboardInterrupt):
        raise
    except Exception as exc:    # noqa: BLE001 - the simulator's own failure, not the user's input
        from ..sim.c_values import InternalError
        if args.debug:
            traceback.print_exception(exc.error if isinstance(exc, InternalError) else exc)
        if isinstance(exc, InternalError):
            sys.stderr.write(exc.format() + "\n")
        else:
            sys.stderr.write(internal_error(f"{type(exc).__name__}: {exc}") + "\n")
        return EXIT_INTERNAL


def _run(args: argparse.Namespace) -> int:
    from ..pto.race_model import RaceModel
    from ..sim.runner import SimOptions
    from ..sim.session import Comparison, compare, outcome_json, outcome_text
    options = SimOptions(function=args.function, args=dict(args.arg), block_num=args.block_num,
                         blocks=args.block_idx, subblock_num=args.subblocks, ub_size=args.ub_size,
                         gm_fill=dict(args.gm_fill), race_model=RaceModel.of(args.same_access_chains))
    outcome = compare(Comparison(args.original, args.rewritten, args.seeds, options, args.time_budget,
                                 args.fix_original, args.environment))
    write_stdout(outcome_json(outcome) if args.report == "json" else outcome_text(outcome))
    return {"different": EXIT_DIFFERENT, "original races": EXIT_RACY_ORIGINAL}.get(outcome.status, EXIT_EQUAL)
