"""The output options of a command line, typed once for the library (batch.py, output.py)."""
from __future__ import annotations

from ..output import OutputOptions, option_inputs, stdout_carries_result
from ..source import PtofixError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterable

    from ..pass_manager import Pass


def output_options(args: argparse.Namespace) -> OutputOptions:
    """``args``' FILEs and output options (add_output_arguments, add_batch_arguments); a command
    without an option has its default. The files the pto-isa checkout was identified from
    (``args.environment``, compile_environment) are inputs no output may replace."""
    environment = getattr(args, "environment", None)
    return OutputOptions(
        files=tuple(args.files), output=getattr(args, "output", None), in_place=bool(getattr(args, "in_place", False)),
        diff=bool(getattr(args, "diff", False)), check=bool(getattr(args, "check", False)),
        report=getattr(args, "report", None), report_file=getattr(args, "report_file", None),
        jobs=getattr(args, "jobs", 1), quiet=bool(getattr(args, "quiet", False)),
        debug=bool(getattr(args, "debug", False)),
        option_inputs=option_inputs(getattr(args, "local_slot_ir", None), getattr(args, "local_slot_sidecar", None),
                                    getattr(args, "pto_lib", None)),
        dependencies=tuple(environment.isa_files) if environment is not None else ())


def with_pass_inputs(options: OutputOptions, passes: Iterable[Pass]) -> OutputOptions:
    """``options`` with the files ``passes``' options name for reading (``local-slot-num{ir=...}``)
    among those no output may replace: said before any file is processed, -j workers included."""
    named = tuple(path for pass_ in passes for path in pass_.input_files())
    return options.replace(option_inputs=(*options.option_inputs, *named)) if named else options


def place_report(options: OutputOptions, delivers_result: bool = True) -> OutputOptions:
    """``options`` with the report where the one rule puts it (docs/report-format.md): a machine-read
    report (``--report json``, ``sarif``) goes to ``--report-file`` or, without one, to stdout, never
    into the stderr the warnings are on; ``text`` goes to stderr with the diagnostics unless
    ``--report-file`` names a place. A report bound for stdout while stdout carries the result
    (the rewritten file without ``-o FILE``/``-i``/``--check``, or ``--diff``'s diffs) is refused
    here, before any input is read: exit 2, nothing written.

    ``delivers_result`` is False for a command that writes no result (``check`` without --fix)."""
    machine_read = options.report in ("json", "sarif")
    to_stdout = options.report_file == "-" or (machine_read and not options.report_file)
    if not options.report or not to_stdout:
        return options
    if delivers_result and stdout_carries_result(options):
        named = f"--report {options.report}" if not options.report_file else "--report-file -"
        if options.diff:
            raise PtofixError(f"{named} and the diffs both want stdout: give --report-file FILE "
                              "(or --check for the report alone)")
        raise PtofixError(f"{named} and the rewritten file both want stdout: give -o FILE, -i, "
                          "or --report-file FILE")
    return options.replace(report_file="-")
