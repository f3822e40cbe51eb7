"""``ptofix canonicalize``: put PTO IR into the form a given ptoas version accepts."""
from __future__ import annotations

import argparse
import json
import sys

from ..output import add_output_arguments, emit_report, emit_result, write_atomically

HELP = "generic/mixed PTO IR -> the target ptoas version's custom (or exact generic) form"

DESCRIPTION = """\
Rewrite the PTO pipe/FIFO ops of an MLIR module into the form TARGET's ptoas accepts.

MLIR Python bindings print ops they do not know in generic form ("pto.talloc_to_aiv"() {...}),
often with integer widths, {} vs <{}> or operandSegmentSizes of another version. With
--to custom (default) each generic pipe/FIFO op becomes the target's custom syntax; with
--to generic every pipe/FIFO op is printed in exact generic form (i8/i32 widths, sorted <{}>,
the target's segments). Every other byte is left unchanged; a second run changes nothing.

Ops, attributes or operands the target does not have are errors (file:line:col, exit 2) that
name the first version that has them. A local_slot_num the target rejects (GM-only pipe init)
is removed, reported as a warning and recorded in a sidecar JSON for the C++-side
LocalSlotNum pass: --sidecar PATH, default OUT.slots.json with -o OUT (FILE.slots.json with -i).

versions: 2026-04-17 (hw-head), v0.31, v0.35, v0.36, v0.45, newest (v0.60, 2026-08-21);
other vX.Y / YYYY-MM-DD map to the newest listed version not after them.

examples:
  ptofix canonicalize --target-ptoas v0.36 fa.mlir -o fa.pto
  ptofix canonicalize --target-ptoas hw-head --to generic fa.mlir
  ptofix canonicalize --target-ptoas v0.31 --check fa.mlir"""


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("canonicalize", help=HELP, description=DESCRIPTION,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", metavar="IN.mlir", help="PTO IR input ('-' for stdin)")
    p.add_argument("--target-ptoas", required=True, metavar="VERSION",
                   help="ptoas version that will compile the output (e.g. v0.36, hw-head, newest)")
    p.add_argument("--to", choices=["custom", "generic"], default="custom",
                   help="form to print pipe/FIFO ops in (default: custom)")
    p.add_argument("--sidecar", metavar="PATH",
                   help="write removed local_slot_num values here as JSON (default: OUT.slots.json with -o)")
    add_output_arguments(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..frontends import PARSERS
    from ..pass_manager import build_pass, run_pipeline
    from ..source import read_source

    source = read_source(args.file)
    pass_ = build_pass("canonicalize", {"target-ptoas": args.target_ptoas, "to": args.to})
    outcome = run_pipeline(source, [pass_], PARSERS)
    report = outcome.reports[0]
    sidecar = report["sidecar"]
    for warning in outcome.warnings:
        sys.stderr.write(warning + "\n")
    sidecar_path = args.sidecar
    if sidecar_path is None and not (args.check or args.diff):
        if args.output:
            sidecar_path = args.output + ".slots.json"
        elif args.in_place and source.path != "<stdin>":
            sidecar_path = source.path + ".slots.json"
    status = emit_result(args, source, outcome.text)
    if sidecar_path and not args.check:
        write_atomically(sidecar_path, json.dumps(sidecar, indent=2) + "\n")
        report["sidecar_path"] = sidecar_path
    lines = [f"canonicalize for ptoas {report['target_ptoas']} (--to {report['to']}):"]
    for item in report["rewritten"]:
        lines.append(f"  line {item['line']}: {item['op']} {item['from']} -> {item['to']}"
                     + (f" ({'; '.join(item['changes'])})" if item["changes"] else ""))
    for item in report["kept_generic"]:
        lines.append(f"  line {item['line']}: {item['op']} kept generic")
    for item in report["unknown_generic_ops"]:
        lines.append(f"  line {item['line']}: {item['op']} unknown to ptofix, kept as written")
    for entry in sidecar["pipes"]:
        lines.append(f"  line {entry['line']}: local_slot_num = {entry['local_slot_num']} moved to the sidecar")
    emit_report(args, report, lines)
    return status
