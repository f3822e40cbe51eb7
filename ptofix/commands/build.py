"""`ptofix build`: the whole kernel pre-build step, IR in, fixed C++ (and optionally the .so) out."""
from __future__ import annotations

import argparse
import sys

from ..prebuild.settings import BuildSettings, resolve_settings
from ..prebuild.stages import run_build
from . import SUMMARIES
from .arguments import add_setting_arguments
from .help_format import HelpFormatter

HELP = SUMMARIES["build"]

# --help: what the command does and its options, one line each; the why and the details are on its
# page (docs/commands/build.md).
DESCRIPTION = ("Run a kernel's pre-build: canonicalize IR.mlir, ptoas, the C++ fixes of `ptofix run`, and "
               "bisheng when a compiler or caller is set; every artefact in OUT_DIR, with OUT/STEM.report.json.")
EPILOG = """\
precedence: command line, then environment (PTOAS, BISHENG, PTO_LIB_PATH, PTOFIX_PATTERN, ...),
then ptofix.toml or [tool.ptofix] in pyproject.toml, then defaults

exit status: 0 ok, 2 bad input, config or output or a missing tool, 3 internal error; a failing
ptoas or bisheng: its own status

details (stages, every variable and config key, artefacts): docs/commands/build.md"""


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("build", help=HELP, description=DESCRIPTION, epilog=EPILOG,
                              formatter_class=HelpFormatter)
    p.spaced_words_are_values = True      # (--bisheng-flags "-D X -O2" is a value, not -D)
    p.add_argument("input", metavar="IR.mlir", help="PTO IR as the DSL printed it")
    # Every setting's option comes from its BuildSettings field; these say how this run goes.
    run_options = add_setting_arguments(p, BuildSettings)["build"]
    run_options.add_argument("--dry-run", action="store_true", help="print the commands, run and write nothing")
    run_options.add_argument("--config", metavar="FILE",
                             help="config file (default: nearest ptofix.toml / pyproject.toml)")
    run_options.add_argument("--no-config", action="store_true", help="ignore config files")
    run_options.add_argument("-q", "--quiet", action="store_true",
                             help="no progress lines and no kept-barrier notes on stderr")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = resolve_settings(vars(args))
    for warning in settings.warnings:
        sys.stderr.write(f"ptofix: warning: {warning}\n")
    return run_build(settings, dry_run=args.dry_run, quiet=args.quiet)
