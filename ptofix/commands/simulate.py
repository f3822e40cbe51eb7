"""``ptofix simulate ORIGINAL.cpp REWRITTEN.cpp``: check a rewrite on a numpy model of the vector side."""
from __future__ import annotations

import argparse
import re
import sys
import traceback

from ..exit_status import ExitStatus, internal_error
from ..help_format import HelpFormatter
from ..macro_options import add_macro_arguments
from ..output import write_stdout
from ..pto.tiles import UB_BYTES
from ..source import PtofixError

# The simulator's modules are imported where used: with numpy they take 93 ms (-X importtime,
# interpreted, bytecode cached), which `simulate --help`, a usage error and `ptofix --help` (every
# command's parser) need not wait for.

HELP = "run both vector kernels on a numpy UB model and compare the bytes"

DESCRIPTION = """\
Execute the vector (__DAV_VEC__) side of two ptoas C++ kernels on a numpy model of the 192 KiB
Unified Buffer and compare every output byte: all GM buffers, every FIFO push and the final UB.

For each seed s = 1..N the inputs (GM buffers of pointer arguments, uninitialised UB, the
cube side's FIFO slots) are random and identical for both kernels. ORIGINAL runs in program
order (the reference); REWRITTEN runs with an overlapped vector-pipe schedule drawn from s:
between two PIPE_V drains a later op may read bytes an earlier op has not written yet, and
writes may land out of order. An element-wise op whose walk pto-isa fixes (ptofix/pto/walks.py:
the bytes each 256-byte repeat touches, in issue order) runs repeat by repeat; any other op is one
unit. Orders the hardware guarantees are kept, and no others: other pipes stay behind their
flags; a drain completes everything before it; and the pipe's in-order issue orders a later op's
repeat k after an earlier op's repeats 0..k when both walks are known, the earlier op runs at
least 16 repeats of an instruction that lands within them (not vdiv, vln, vsqrt, vrec), no loop
back-edge lies between them and the later op reads what it overwrites of the earlier one's. The
later op then runs 0 to 15 repeats behind (0, the worst, on every fourth seed), so a reader whose
repeat k reads bytes written in a later repeat sees them stale: the simulator does not borrow the
barrier proof's chain rule and can disagree with it. A scalar read of GM waits for no vector
work, and wait_flag(PIPE_V, PIPE_S, e) completes only the vector work issued before its own
set_flag (ptofix/pto/ordering.py). Every fourth seed runs the most reordered schedule its window
allows, every eighth with a wide window. With its barriers intact a kernel equals in-order
execution; a removed barrier with a real hazard gives different bytes on some seed. Where the
bytes agree but both runs issued the same steps, the data flow is compared too: a step that
reads what another write left than in program order (values that merely coincide on these
inputs) is a difference as well ("data flow of ..."). Leaving a loop after an iteration counts
as crossing its back-edge.

A comparison in which no vector op ran in either kernel on any seed is an error (exit 2), not
"equal": the error names the scalar parameters to give with --arg NAME=VALUE, --block-num and
--gm-fill.

Defaults:
  kernel function   the only __global__/extern "C" entry (else the only one with __DAV_VEC__)
  pointer args      random GM buffers sized by the GlobalTensor views built on them
                    (spanning at most 48 MiB in all, 12 MiB of it modelled: the 64 KiB
                    chunks the views reach; a view past either is `cannot simulate`)
                    (floats uniform in [-1, 1), integers in [0, 8); --gm-fill NAME=zero or
                    NAME=ints:LO:HI to override, e.g. lengths that make a loop run)
  integer scalars   16     (--arg NAME=VALUE to override; hex and true/false accepted)
  float scalars     1.0
  get_block_num()   1, get_block_idx() 0 (--block-num, --block-idx)
  get_subblockid()  0 with --subblocks 1; --subblocks 2 runs both vector cores of a block
  FIFO (TPOP)       random slot contents per (seed, FlagID, pop index)

The simulator fails closed: any statement it cannot interpret exactly (an unknown call or
method, a macro, a tile op inside a larger expression, while/switch/goto, an assignment through
a pointer, ...) stops the run with file:line:col: error: cannot simulate: ... naming it.

An ORIGINAL that races on its own says nothing about the rewrite. Then both kernels are
simulated again with the barriers `ptofix check --fix` inserts into ORIGINAL (placed in
REWRITTEN at the same lines), as stderr and the report (check_fix) say; --no-fix-original stops
at exit 4 instead. A run past 2 s shows its progress on stderr when that is a terminal;
--time-budget stops starting seeds (stderr and the report's seeds_asked say how many ran).

Exit status:
  0  equal on every seed
  1  the rewrite differs (reported with the statements that wrote the bytes and the
     out-of-order pairs) on a seed where the original alone does not, through a pair of
     steps ORIGINAL keeps apart with a drain (or with steps ORIGINAL does not run)
  2  input it cannot run (the statement is named), no vector op run in either kernel (the
     arguments to give are named), or bad arguments
  3  internal error of the simulator (one line; the traceback with --debug)
  4  the original already races (also with check --fix's barriers, or with --no-fix-original):
     ORIGINAL alone differs between in-order and overlapped
     execution, or the rewrite differs only through pairs ORIGINAL also leaves between the
     same two drains (first differing buffer and location reported); nothing is said about
     the rewrite on those seeds"""


# The model allocates the whole UB per run: a size past this is a mistake, not a UB (192 KiB on A2/A3).
MAX_UB_SIZE = 16 * 1024 * 1024
_DECIMAL = re.compile(r"[0-9]{1,12}")           # ASCII digits only (str.isdigit takes any script's)
_HEX = re.compile(r"0[xX][0-9a-fA-F]{1,12}")


def _number(text: str) -> int | None:
    """``text`` as a decimal or 0x hexadecimal number of ASCII digits, None if it is not one."""
    if _DECIMAL.fullmatch(text):
        return int(text, 10)
    if _HEX.fullmatch(text):
        return int(text, 16)
    return None


def _size(text: str) -> int:
    t = text.strip().upper()
    mult = 1
    if t.endswith("KIB"):
        mult, t = 1024, t[:-3]
    elif t.endswith("K"):
        mult, t = 1024, t[:-1]
    value = _number(t.strip().lower())
    if value is None:
        raise argparse.ArgumentTypeError(f"not a size: {text}")
    if not 0 < value * mult <= MAX_UB_SIZE:
        raise argparse.ArgumentTypeError(f"{text}: the UB size must be between 1 byte and {MAX_UB_SIZE >> 20} MiB")
    return value * mult


MAX_BLOCKS = 256


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got '{text}'") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got '{text}'")
    return value


def _count(least: int, most: int | None = None):
    """An argparse type: an integer of ASCII digits, at least ``least`` (and at most ``most``)."""
    def convert(text: str) -> int:
        value = _number(text.strip())
        if value is None:
            raise argparse.ArgumentTypeError(f"expected a number, got '{text}'")
        if value < least:
            raise argparse.ArgumentTypeError(f"must be at least {least}, got {value}")
        if most is not None and value > most:
            raise argparse.ArgumentTypeError(f"must be at most {most}, got {value}")
        return value
    convert.__name__ = "number"     # argparse names the type in its messages
    return convert


def _arg(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got '{text}'")
    name, value = text.split("=", 1)
    return name.strip(), value.strip()


def _fill(text: str) -> tuple[str, str]:
    name, mode = _arg(text)
    from ..sim.memory import parse_fill
    try:
        parse_fill(mode)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return name, mode


def _blocks(text: str) -> list[int]:
    ids = [_number(x.strip()) for x in text.split(",") if x.strip()]
    if not ids or None in ids:
        raise argparse.ArgumentTypeError(f"expected a comma-separated list of block ids (0, 1, ...), got '{text}'")
    return [i for i in ids if i is not None]


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("simulate", help=HELP, description=DESCRIPTION,
                              formatter_class=HelpFormatter)
    p.add_argument("original", metavar="ORIGINAL", help="ptoas C++ before the rewrite")
    p.add_argument("rewritten", metavar="REWRITTEN", help="the same kernel after the rewrite")
    p.add_argument("--function", metavar="NAME", help="kernel function to run (default: the entry)")
    p.add_argument("-I", dest="include_dirs", action="append", metavar="DIR",
                   help="search DIR for the headers the kernel #includes (repeatable, as the compiler's -I)")
    add_macro_arguments(p)
    p.add_argument("--seeds", type=_count(1), default=8, metavar="N",
                   help="number of input/schedule seeds to try (default: 8)")
    p.add_argument("--arg", type=_arg, action="append", default=[], metavar="NAME=VALUE",
                   help="value of a scalar kernel parameter (repeatable)")
    p.add_argument("--gm-fill", type=_fill, action="append", default=[], metavar="NAME=MODE",
                   help="contents of the GM buffer of pointer parameter NAME: random (default), zero, or "
                        "ints:LO:HI (integers in [LO, HI), e.g. sequence lengths that make a loop run; "
                        "repeatable)")
    # Every block run keeps its own UB model (~2 MiB with its bookkeeping) until the comparison.
    p.add_argument("--block-num", type=_count(1, MAX_BLOCKS), default=1, metavar="N",
                   help=f"get_block_num() (default: 1, at most {MAX_BLOCKS})")
    p.add_argument("--block-idx", type=_blocks, default=None, metavar="I[,J...]",
                   help="blocks to run (default: every block 0..block-num-1)")
    p.add_argument("--subblocks", type=_count(1), default=1, choices=(1, 2),
                   help="vector cores per block to run, get_subblockdim() (default: 1)")
    p.add_argument("--ub-size", type=_size, default=UB_BYTES, metavar="BYTES",
                   help=f"UB size, e.g. 192K (default: {UB_BYTES // 1024}K, A2/A3)")
    p.add_argument("--time-budget", type=_seconds, default=None, metavar="SECONDS",
                   help="start no seed after this many seconds (the seed under way finishes); the report "
                        "and stderr say how many seeds ran")
    p.add_argument("--no-fix-original", dest="fix_original", action="store_false",
                   help="when ORIGINAL races on its own, stop there (exit 4) instead of comparing REWRITTEN "
                        "against `ptofix check --fix` of it")
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
        from ..sim.interp import InternalError
        if args.debug:
            traceback.print_exception(exc.error if isinstance(exc, InternalError) else exc)
        if isinstance(exc, InternalError):
            sys.stderr.write(exc.format() + "\n")
        else:
            sys.stderr.write(internal_error(f"{type(exc).__name__}: {exc}") + "\n")
        return EXIT_INTERNAL


def _run(args: argparse.Namespace) -> int:
    from ..sim.runner import SimOptions
    from ..sim.session import Comparison, compare, outcome_json, outcome_text
    options = SimOptions(function=args.function, args=dict(args.arg), block_num=args.block_num,
                         blocks=args.block_idx, subblock_num=args.subblocks, ub_size=args.ub_size,
                         gm_fill=dict(args.gm_fill))
    outcome = compare(Comparison(args.original, args.rewritten, args.seeds, options, args.time_budget,
                                 args.fix_original))
    write_stdout(outcome_json(outcome) if args.report == "json" else outcome_text(outcome))
    return {"different": EXIT_DIFFERENT, "original races": EXIT_RACY_ORIGINAL}.get(outcome.status, EXIT_EQUAL)
