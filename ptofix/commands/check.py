"""`ptofix check FILE.cpp...`: report the PIPE_V races in ptoas C++ (and `--fix` them)."""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from functools import partial

from ..batch import Processed, check_batch_options, run_files
from ..diagnostic_view import COLOR_CHOICES, use_color, with_source_lines
from ..exit_status import ExitStatus
from ..output import (
    Collected,
    OutputOptions,
    check_output_options,
    deliver,
    emit_report,
    write_stderr,
)
from ..pass_manager import build_pass
from ..source import PtofixError
from . import SUMMARIES
from .arguments import add_batch_arguments, add_compile_arguments, add_output_arguments
from .help_format import HelpFormatter
from .output_options import output_options, place_report

# Imported where used: the analysis (race_check: the barriers, races, placements, the pto-isa
# version facts; 14 ms with -X importtime, interpreted, bytecode cached), which `check --help`, a
# usage error and `ptofix --help` (every command's parser) need not wait for.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..race_check import RaceCheck

# --help: what the command does and its options, one line each; the why and the details are on its
# page (docs/commands/check.md).
DESCRIPTION = ("Report the PIPE_V races ptoas left in (two vector ops that may run at once and conflict in UB "
               "bytes), unverified functions and broken tile placements; --fix inserts the barriers the races need.")
EPILOG = """\
exit status: 0 clean, 1 races or broken placements, 4 only unverified functions (0 with
--allow-unverified), 2 bad input, 3 internal error; several FILEs: the most severe

details (what is a race, --fix, SARIF): docs/commands/check.md"""


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("check", help=SUMMARIES["check"],
                                   description=DESCRIPTION, epilog=EPILOG,
                                   formatter_class=HelpFormatter)
    parser.add_argument("files", nargs="+", metavar="FILE", help="ptoas-generated C++")
    add_compile_arguments(parser)
    parser.add_argument("--fix", action="store_true", help="insert the barriers the races need")
    from ..pto.race_model import SAME_ACCESS_CHAINS_HELP
    parser.add_argument("--same-access-chains", action="store_true",
                        help=SAME_ACCESS_CHAINS_HELP + "; without it an unbarriered chain is reported as a race "
                             "of its own category")
    parser.add_argument("--arch", choices=("a2", "a3", "a5"),
                        help="the kernel's architecture, for tile placements (its UB size, the hidden scratch); "
                             "without it a placement wrong on every architecture is an error, one wrong on "
                             "some a warning")
    parser.add_argument("--allow-unverified", action="store_true",
                        help="exit 0, not 4, when the only finding is an unverified function (for a CI gate "
                             "that accepts what the model cannot read; the notes are still printed)")
    parser.add_argument("--color", choices=COLOR_CHOICES, default="auto",
                        help="when to colour the diagnostics; auto (default): on a terminal unless NO_COLOR is set")
    add_output_arguments(parser)
    for action in parser._actions:           # (check alone also writes SARIF)
        if action.dest == "report":
            action.choices = [*(action.choices or ()), "sarif"]
            action.help = ((action.help or "").replace("json, text or html", "json, text, html or sarif")
                           + "; sarif: a SARIF 2.1.0 log of the findings, to stdout or --report-file")
    add_batch_arguments(parser)
    from .trace_options import add_trace_arguments
    add_trace_arguments(parser, verify=False)
    parser.set_defaults(handler=run)


@dataclass
class Tally:
    """What the files of one ``check`` call found, for the closing summary line and SARIF."""

    races: int = 0
    chain_races: int = 0          # of them, unbarriered PTOAS #674 same-access chains
    rebroadcast_races: int = 0    # ... and broadcasts of the same per-row tile (pto-facts §2.4)
    flag_chain_races: int = 0     # ... and pairs only a flag chain through two or more other pipes orders
    cross_pipe_races: int = 0     # ... and (--trace) an MTE copy or a scalar access against another pipe's
    unverified: int = 0
    placements: int = 0
    inserted: int = 0
    files: int = 0

    def add(self, report: dict) -> None:
        self.files += 1
        self.races += len(report["races"])
        self.chain_races += report.get("by_category", {}).get("same-access-chain", 0)
        self.rebroadcast_races += report.get("by_category", {}).get("same-rebroadcast", 0)
        self.flag_chain_races += report.get("by_category", {}).get("multi-pipe-chain", 0)
        self.cross_pipe_races += report.get("by_category", {}).get("cross-pipe", 0)
        self.unverified += len(report["unverified"])
        self.placements += len(report["placements"])
        self.inserted += len(report.get("inserted", ()))

    def summary(self, fix: bool) -> str:
        def count(n: int, what: str) -> str:
            return f"{n} {what}{'' if n == 1 else 's'}"
        races = count(self.races, 'race')
        if self.chain_races or self.rebroadcast_races or self.flag_chain_races or self.cross_pipe_races:
            # (Per category: an unbarriered PTOAS #674 chain is a race of its own, the default model's;
            # so is a broadcast of the same per-row tile, pto-facts §2.4, a pair only a flag chain
            # through two or more other pipes orders, and a trace's race across pipes.)
            others = self.chain_races + self.rebroadcast_races + self.flag_chain_races + self.cross_pipe_races
            parts = [f"{self.races - others} overlap"]
            if self.chain_races:
                parts.append(count(self.chain_races, 'PTOAS #674 same-access chain'))
            if self.rebroadcast_races:
                parts.append(count(self.rebroadcast_races, 'same per-row broadcast'))
            if self.flag_chain_races:
                parts.append(count(self.flag_chain_races, 'multi-pipe flag chain'))
            if self.cross_pipe_races:
                parts.append(f"{self.cross_pipe_races} across pipes")
            races += f" ({', '.join(parts)})"
        line = (f"{races}, {count(self.placements, 'broken placement')}, "
                f"{count(self.unverified, 'unverified function')} in {count(self.files, 'file')}")
        if fix:
            line += f"; inserted {count(self.inserted, 'barrier')}"
        return line


def run(args: argparse.Namespace) -> int:
    if getattr(args, "trace", False):
        from .trace_options import run_check
        return run_check(args, Tally())
    # A machine-read report goes to stdout or its file, never into the stderr the warnings are on;
    # stdout is free without --fix.
    options = place_report(output_options(args), delivers_result=bool(args.fix))
    if args.fix:
        check_batch_options(options)
    elif options.jobs < 1:
        check_batch_options(options, options.files[:1])
    elif options.output or options.in_place or options.diff or options.check:
        # (They say where check's fix goes; without --fix there is none, and silence would mislead.)
        raise PtofixError("-o, -i, --diff and --check deliver the fixed kernel: they need --fix")
    if len(options.files) == 1:
        check_output_options(options, delivers_result=args.fix)
    environment = args.environment     # (the checkout identified: arguments.compile_environment)
    for note in environment.isa_notes:
        sys.stderr.write(f"ptofix: warning: pto-isa {environment.pto_isa}: {note}\n")
    # --fix's pass is built once and handed to every file's job (pickled to -j workers).
    from ..pto.race_model import RaceModel
    from ..race_check import RaceCheck
    race_model = RaceModel.of(bool(getattr(args, "same_access_chains", False)))
    insert = build_pass("pipe-v-barrier-insert", {},
                        same_access_chains=race_model.credits_same_access_chains) if args.fix else None
    job = RaceCheck(insert=insert, functions=options.report == "html", environment=environment, race_model=race_model)
    tally = Tally()
    view = View(color=use_color(getattr(args, "color", "auto")), allow_unverified=bool(args.allow_unverified))

    def summary() -> None:
        # (Written with the call's other outputs, before --fix replaces any file: output.Outputs.commit.)
        if tally.files:
            write_stderr(tally.summary(bool(args.fix)) + "\n")
    return run_files(options, partial(process_file, job=job),
                     partial(deliver_file, fix=bool(args.fix), tally=tally, view=view), summary)


@dataclass(frozen=True)
class View:
    """How ``check`` shows its findings."""

    color: bool = False               # --color (NO_COLOR, a terminal)
    allow_unverified: bool = False    # --allow-unverified: an unverified function alone is success


def process_file(path: str, job: RaceCheck) -> Processed:
    """One file's races (in a worker process with -j)."""
    return job.process(path)


def deliver_file(options: OutputOptions, result: Processed, fix: bool, tally: Tally | None = None,
                 view: View = View(), collected: Collected | None = None) -> int:
    """Diagnostics on stderr (each with its source line; the report --report asks for besides),
    then --fix's output."""
    report = result.report
    if tally is not None:
        tally.add(report)
    text_report_on_stderr = options.report == "text" and not options.report_file
    if result.text_lines and not text_report_on_stderr:
        shown = with_source_lines(list(result.text_lines), result.source, view.color)
        write_stderr("".join(line + "\n" for line in shown))
    if result.warnings:
        write_stderr("".join(warning + "\n" for warning in result.warnings))
    if fix:
        inserted = len(report.get("inserted", ()))
        if inserted:
            write_stderr(f"{result.source.path}: inserted {inserted} barrier{'' if inserted == 1 else 's'}\n")
        code = deliver(options, result.source, result.text, report, result.text_lines, collected=collected)
        if code != 0:
            return code
        if report.get("unfixed") or report["placements"]:
            return ExitStatus.CHANGED      # races left, or placements no barrier can mend
        return _unverified_status(report, view.allow_unverified)
    emit_report(options, report, result.text_lines, inputs=(result.source.path,), collected=collected)
    return ExitStatus.CHANGED if report["races"] or report["placements"] else \
        _unverified_status(report, view.allow_unverified)


def _unverified_status(report: dict, allow_unverified: bool = False) -> int:
    """4 when a function could not be verified (its races are unknown: not "no race"), else 0;
    0 with --allow-unverified."""
    return ExitStatus.UNVERIFIED if report["unverified"] and not allow_unverified else ExitStatus.OK
