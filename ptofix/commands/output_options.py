"""The output options of a command line, typed once for the library (batch.py, output.py)."""
from __future__ import annotations

from dataclasses import replace

from ..output import OutputOptions, option_inputs

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterable

    from ..pass_manager import Pass


def output_options(args: argparse.Namespace) -> OutputOptions:
    """``args``' FILEs and output options (add_output_arguments, add_batch_arguments); a command
    without an option has its default."""
    return OutputOptions(
        files=tuple(args.files), output=getattr(args, "output", None), in_place=bool(getattr(args, "in_place", False)),
        diff=bool(getattr(args, "diff", False)), check=bool(getattr(args, "check", False)),
        report=getattr(args, "report", None), report_file=getattr(args, "report_file", None),
        jobs=getattr(args, "jobs", 1), quiet=bool(getattr(args, "quiet", False)),
        debug=bool(getattr(args, "debug", False)),
        option_inputs=option_inputs(getattr(args, "local_slot_ir", None), getattr(args, "local_slot_sidecar", None),
                                    getattr(args, "pto_lib", None)))


def with_pass_inputs(options: OutputOptions, passes: Iterable[Pass]) -> OutputOptions:
    """``options`` with the files ``passes``' options name for reading (``local-slot-num{ir=...}``)
    among those no output may replace: said before any file is processed, -j workers included."""
    named = tuple(path for pass_ in passes for path in pass_.input_files())
    return replace(options, option_inputs=(*options.option_inputs, *named)) if named else options


def json_report_off_stderr(options: OutputOptions) -> OutputOptions:
    """``options`` with a JSON report that would share stderr with the warnings sent to stdout
    instead, when stdout carries nothing else (``-o FILE``, ``-i``, ``--check``): stderr then holds
    only diagnostics and stdout one parseable document. With the result on stdout it stays where
    it was (stderr, after the warnings); ``--report-file`` puts it anywhere."""
    if options.report != "json" or options.report_file:
        return options
    stdout_free = options.in_place or options.check or bool(options.output and options.output != "-")
    return replace(options, report_file="-") if stdout_free else options
