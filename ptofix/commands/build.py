"""`ptofix build`: the whole kernel pre-build step, IR in, fixed C++ (and optionally the .so) out."""
from __future__ import annotations

import argparse
import sys
import textwrap

from ..prebuild.options import setting_options
from ..prebuild.settings import DEFAULT_PTOAS_FLAGS, BuildSettings, resolve_settings
from ..prebuild.stages import run_build
from .arguments import add_setting_arguments
from .help_format import HelpFormatter

HELP = "canonicalize -> ptoas -> C++ fixes -> bisheng, one step of a kernel build"

DESCRIPTION = """\
Run the kernel pre-build pipeline that a compile.sh does with shell steps, plus the ptofix fixes:

  1. canonicalize  IR.mlir -> OUT/STEM.canon.mlir (+ OUT/STEM.slots.json)  (in process)
  2. ptoas         $PTOAS PTOAS-FLAGS OUT/STEM.canon.mlir > OUT/STEM.cpp
  3. C++ passes    OUT/STEM.cpp -> OUT/STEM.fixed.cpp  (--pattern, LocalSlotNum; in process)
  4. bisheng       $BISHENG -I$PTO_LIB_PATH/include BISHENG-FLAGS -DKERNEL_CPP="OUT/STEM.fixed.cpp"
                   CALLER -o OUT/STEM.so, or without a caller -c OUT/STEM.fixed.cpp -o OUT/STEM.o
                   (whenever a compiler or a caller is set: --bisheng, $BISHENG, --caller or the
                   config; --no-compile stops before it); a failed or interrupted compile
                   leaves no library behind

Without --target-ptoas (flag or config) the version comes from `$PTOAS --version` (also with
--dry-run), mapped to the newest version ptofix knows that is not after it (a note names both;
the report records where the value came from). Only a ptoas that cannot tell is an error.
With a stated target, a ptoas whose --version is older than it stops the build (exit 2: the
canonicalized IR would hold ops it cannot parse); a newer one gets a note.
--depfile FILE writes a Make-style dependency file for Make/Ninja/CMake: targets OUT/STEM.fixed.cpp
and, when compiling, the library; dependencies (absolute) the IR, the config file, the caller, the
ptoas, the pto-isa TPush.hpp, --ir/--sidecar files and a sidecar read beside the IR. The headers
bisheng compiles the library from are not among them. Its directory is created as OUT_DIR is (it
may sit inside it): kernels/flash_attention/CMakeLists.txt shows it in a CMake build.

Every artefact stays in OUT_DIR, plus OUT/STEM.report.json (settings and where each came from,
commands, exit statuses, pass reports). --dry-run prints the commands and writes nothing. The
LocalSlotNum pass reads the canonicalized IR (--ir) and its sidecar (--sidecar) by default, so a
local_slot_num the target ptoas rejects still reaches the C++ TPipe types; --ir= (empty) turns
the IR matching off.

precedence (highest first), for every option:
  1. command-line flag
  2. environment variable (an empty one counts as unset, like ${VAR:-default} in compile.sh):
{env_vars}
  3. config file: --config FILE, else the nearest ptofix.toml (top-level keys), or pyproject.toml
     with a [tool.ptofix] table, in the IR file's directory or above (--no-config: none). Keys are
     the long option names:
{config_keys}
     *-flags take a string or a list of strings; relative paths are relative to the config file.
     An unknown key or a wrong type is an error (file:line:col, exit 2).
  4. defaults: ptoas "ptoas" on PATH, ptoas-flags "{ptoas_flags}", target-ptoas
     what that ptoas's --version says, no barrier pattern, no compile stage unless a compiler or
     a caller is set, bisheng "bisheng" on PATH.

Flags whose value starts with '-' need '=': --ptoas-flags='--pto-arch=a3 --enable-insert-sync'.

example (the FA workload, kernels/flash_attention/ptofix.toml sets the rest):
  PTOAS=/opt/ptoas/bin/ptoas ptofix build kernels/flash_attention/fa.mlir -o build --dry-run

Writing: every artefact path is checked before the first write (OUT_DIR, or its nearest existing
parent, is a writable directory; an existing artefact is a regular file), and the input is
canonicalized before OUT_DIR is touched, so bad IR or an unwritable OUT_DIR leave a previous
build's artefacts as they were. Then the previous artefacts are removed and this build's are
written stage by stage (STEM.canon.mlir and STEM.slots.json together).

exit status: 0 ok; 2 bad input, bad config, unwritable output or missing tool (the message names
the variable to set); 3 internal error (--debug); a failing ptoas/bisheng stops the build with its
stderr and its own exit status (OUT/STEM.report.json says which stage failed)."""


def _description() -> str:
    """The description with the variables and config keys of BuildSettings's fields."""
    def listed(words: list[str], indent: str) -> str:
        return textwrap.fill(", ".join(words), width=96, initial_indent=indent, subsequent_indent=indent,
                             break_on_hyphens=False)

    variables = [f"{var} -> --{key}" for key, var in BuildSettings.environment_variables().items()]
    variables += [f"{s.option.old_env} (deprecated: {s.option.env})" for s in setting_options(BuildSettings)
                  if s.option.old_env]
    env_vars = listed(variables, " " * 7)
    config_keys = listed(list(BuildSettings.option_fields()), " " * 7)
    return DESCRIPTION.replace("{env_vars}", env_vars).replace("{config_keys}", config_keys) \
        .replace("{ptoas_flags}", DEFAULT_PTOAS_FLAGS)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("build", help=HELP, description=_description(),
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
