"""`ptofix check FILE.cpp...`: report the PIPE_V races in ptoas C++ (and `--fix` them)."""
from __future__ import annotations

import argparse
from collections import Counter

from ..exit_status import ExitStatus

HELP = """\
Report every pair of vector ops that may run at the same time (no PIPE_V drain between them on
some path, loop back-edges included) and conflict in UB bytes: RAW/WAR/WAW, the hidden TMP_UB
scratch included, PTOAS's exact same-access chain excepted. Each race is a warning at the later
op with a note at the earlier one. Statements ptofix does not understand make their function
"unverified" (one note: races through them are neither shown nor ruled out), never a race.

--fix inserts the fewest pipe_barrier(PIPE_V) that separate every race (the pass
pipe-v-barrier-insert); the output options below then apply as for `ptofix run`.

exit status: 0 no race and every function verified (or --fix separated them all), 1 races found
(with --fix: some could not be separated), 4 no race found but some function is unverified, 2 bad
input, 3 internal error. With several FILEs, the most severe (3, 2, 1, 4, 0 in that order)."""


def add_parser(subparsers) -> None:
    from ..batch import add_batch_arguments
    from ..help_format import HelpFormatter
    from ..output import add_output_arguments
    parser = subparsers.add_parser("check", help="report PIPE_V races ptoas left in (and --fix them)",
                                   description=HELP, formatter_class=HelpFormatter)
    parser.add_argument("files", nargs="+", metavar="FILE", help="ptoas-generated C++")
    parser.add_argument("--fix", action="store_true", help="insert the barriers the races need")
    add_output_arguments(parser)
    add_batch_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..batch import check_batch_options, run_files
    from ..output import check_output_options
    from ..source import PtofixError
    if args.fix:
        check_batch_options(args, args.files)
    elif getattr(args, "jobs", 1) < 1:
        check_batch_options(args, args.files[:1])
    elif getattr(args, "output", None) or args.in_place or args.diff or args.check:
        # (They say where check's fix goes; without --fix there is none, and silence would mislead.)
        raise PtofixError("-o, -i, --diff and --check deliver the fixed kernel: they need --fix")
    if len(args.files) == 1:
        check_output_options(args, delivers_result=args.fix)
    return run_files(args, args.files, process_file, deliver_file)


def process_file(path: str, args: argparse.Namespace):
    from ..batch import Processed
    from ..cpp.barriers import BarrierAnalysis
    from ..cpp.races import describe, find_races, to_json
    from ..frontends import PARSERS, parse_cpp
    from ..interpreter import recursion_headroom
    from ..pass_manager import build_pass, run_pipeline
    from ..source import read_source
    source = read_source(path)
    model = parse_cpp(source)
    lines: list[str] = []
    with recursion_headroom():
        analysis = BarrierAnalysis(model, lenient_flags=True)
        races, unverified = find_races(model, analysis)
        for race in races:
            lines.extend(describe(race, source, analysis))
    notes = []
    for item in {id(u.fn): u for u in unverified}.values():
        event = item.event
        start = event.stmt.span.start if event.stmt is not None else item.fn.span.start
        where = source.location(start)
        why = event.why or "control flow not modelled"
        lines.append(f"{where}: note: '{item.fn.name}' is unverified: {why} "
                     "(races through it are neither shown nor ruled out)")
        notes.append({"function": item.fn.name, "location": where, "why": why})
    kinds = dict(Counter(race.hazard.kind for race in races))
    report = {"file": source.path, "races": [to_json(r, source, analysis) for r in races], "by_kind": kinds,
              "unverified": notes}
    text = source.text
    warnings: list[str] = []
    if args.fix and races:
        outcome = run_pipeline(source, [build_pass("pipe-v-barrier-insert", {})], PARSERS, {"cpp": model})
        text = outcome.text
        report["inserted"] = outcome.reports[0]["inserted"]
        report["unfixed"] = outcome.reports[0]["unfixed"]
        warnings = list(outcome.warnings)
    if getattr(args, "report", None) == "html":
        from ..html_report import strips
        report["functions"] = strips(model)
    return Processed(source, text, report, lines, warnings, [])


def deliver_file(args: argparse.Namespace, result) -> int:
    """Diagnostics on stderr (or the report --report asks for), then --fix's output."""
    from ..output import deliver, emit_report, write_stderr
    if result.text_lines and not args.report:
        write_stderr("".join(line + "\n" for line in result.text_lines))
    if result.warnings:
        write_stderr("".join(warning + "\n" for warning in result.warnings))
    if args.fix:
        code = deliver(args, result.source, result.text, result.report, result.text_lines)
        if code != 0:
            return code
        return ExitStatus.CHANGED if result.report.get("unfixed") else _unverified_status(result.report)   # races left
    emit_report(args, result.report, result.text_lines, inputs=(result.source.path,))
    return ExitStatus.CHANGED if result.report["races"] else _unverified_status(result.report)


def _unverified_status(report: dict) -> int:
    """4 when a function could not be verified (its races are unknown: not "no race"), else 0."""
    return ExitStatus.UNVERIFIED if report["unverified"] else ExitStatus.OK
