"""`ptofix opt -p PIPELINE FILE`: run registered passes as an xDSL-style pipeline."""
from __future__ import annotations

import argparse
import sys


def add_parser(subparsers) -> None:
    from ..output import add_output_arguments
    parser = subparsers.add_parser(
        "opt", help="run passes by name: -p 'pass-a,pass-b{opt=value}'",
        description="Run registered passes in order on FILE (C++ or PTO IR, as each pass declares).\n"
                    "Example: ptofix opt -p 'pipe-v-barrier{pattern=gu},local-slot-num{map=0=2}' fa.cpp\n"
                    "--list-passes shows what is available.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", metavar="FILE")
    parser.add_argument("-p", "--passes", metavar="PIPELINE", default="", help="comma-separated passes with {k=v} options")
    parser.add_argument("--list-passes", action="store_true", help="list registered passes and exit")
    add_output_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..frontends import PARSERS
    from ..output import emit_report, emit_result
    from ..pass_manager import available_passes, build_pass, get_pass_class, parse_pipeline, run_pipeline
    from ..source import PtofixError, read_source
    if args.list_passes:
        for name in available_passes():
            cls = get_pass_class(name)
            print(f"{name:20} [{cls.kind}] {cls.summary}")
        return 0
    if not args.file:
        raise PtofixError("opt needs a FILE (or --list-passes)")
    passes = [build_pass(name, options) for name, options in parse_pipeline(args.passes)]
    source = read_source(args.file)
    outcome = run_pipeline(source, passes, PARSERS)
    for warning in outcome.warnings:
        sys.stderr.write(warning + "\n")
    status = emit_result(args, source, outcome.text)
    emit_report(args, {"file": source.path, "changed": outcome.text != source.text, "passes": outcome.reports}, [])
    return status
