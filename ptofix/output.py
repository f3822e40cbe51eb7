"""Writing results: stdout, ``-o``, atomic ``-i``, ``--diff``, ``--check``, JSON reports.

Shared by every command that rewrites a file, so all of them behave the same way.
"""
from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
import tempfile
from typing import Any

from .source import PtofixError, SourceText


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("output")
    mode = group.add_mutually_exclusive_group()
    mode.add_argument("-o", "--output", metavar="OUT", help="write the result to OUT (default: stdout)")
    mode.add_argument("-i", "--in-place", action="store_true", help="rewrite FILE atomically in place")
    mode.add_argument("--diff", action="store_true", help="print a unified diff instead of the result")
    mode.add_argument("--check", action="store_true",
                      help="write nothing; exit 1 if the file would change, 0 if not")
    group.add_argument("--report", metavar="FORMAT", choices=["json", "text"],
                       help="print a report of every decision (json or text) to stderr, or to --report-file")
    group.add_argument("--report-file", metavar="PATH", help="write the report to PATH instead of stderr")


def write_atomically(path: str, text: str) -> None:
    directory = os.path.dirname(os.path.abspath(path)) or "."
    fd, tmp = tempfile.mkstemp(prefix=".ptofix-", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        if os.path.exists(path):
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def emit_result(args: argparse.Namespace, source: SourceText, new_text: str) -> int:
    """Deliver ``new_text`` as the options ask. Returns the exit status."""
    changed = new_text != source.text
    if args.check:
        return 1 if changed else 0
    if args.diff:
        diff = difflib.unified_diff(source.text.splitlines(keepends=True), new_text.splitlines(keepends=True),
                                    fromfile=source.path, tofile=source.path)
        sys.stdout.writelines(diff)
        return 0
    if args.in_place:
        if source.path == "<stdin>":
            raise PtofixError("-i needs a file, not stdin")
        if changed:
            write_atomically(source.path, new_text)
        return 0
    if args.output:
        write_atomically(args.output, new_text)
        return 0
    sys.stdout.write(new_text)
    sys.stdout.flush()
    return 0


def emit_report(args: argparse.Namespace, report: dict[str, Any], text_lines: list[str]) -> None:
    fmt = getattr(args, "report", None)
    if not fmt:
        return
    body = json.dumps(report, indent=2, sort_keys=False) + "\n" if fmt == "json" else "\n".join(text_lines) + "\n"
    if getattr(args, "report_file", None):
        write_atomically(args.report_file, body)
    else:
        sys.stderr.write(body)
