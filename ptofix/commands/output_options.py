"""The output options of a command line, typed once for the library (batch.py, output.py)."""
from __future__ import annotations

from ..output import OutputOptions, option_inputs

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse


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
