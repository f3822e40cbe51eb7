"""The command-line options the commands share, generated from the library's typed descriptions
of them: the files and output options (output.OutputOptions), ``-j``/``-q`` (batch.py), the
compile options ``-I``, ``-D``/``-U`` and ``--pto-isa`` (compile_env.CompileEnvironment, declared
by add_compile_arguments and read by compile_environment, each once), the LocalSlotNum options
(local_slot_options.LOCAL_SLOT_OPTIONS), a pass's options (its fields) and the build settings
(prebuild.options). argparse lives in the command layer only (tests/test_import_layers.py): the
library's value readers raise OptionValueError, which ``argument_type`` shows as argparse shows its
own type errors, at the option.
"""
from __future__ import annotations

import argparse
import functools
from typing import Any, get_args, get_origin

from ..batch import read_count
from ..compile_env import CompileEnvironment
from ..compile_options import COMPILE_OPTIONS
from ..local_slot_options import LOCAL_SLOT_OPTIONS
from ..pass_manager import Pass, pass_options
from ..source import OptionValueError, PtofixError
from .help_format import CommaListAction

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


def argument_type(read: Callable[[str], Any]) -> Callable[[str], Any]:
    """``read`` as an argparse ``type=``: its OptionValueError is argparse's ArgumentTypeError (the
    reason shown at the option); any other ValueError reads, as before, "invalid <name> value"."""
    @functools.wraps(read)
    def typed(text: str) -> Any:
        try:
            return read(text)
        except OptionValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return typed


count_argument = argument_type(read_count)

QUIET_HELP = "no progress line (shown on a terminal's stderr while several FILEs take over 2 s)"


def add_batch_arguments(parser: argparse.ArgumentParser, quiet_help: str = QUIET_HELP) -> None:
    parser.add_argument("-j", "--jobs", type=count_argument, default=1, metavar="N",
                        help="process several FILEs on N worker processes (default 1)")
    parser.add_argument("-q", "--quiet", action="store_true", help=quiet_help)


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("output")
    mode = group.add_mutually_exclusive_group()
    mode.add_argument("-o", "--output", metavar="OUT",
                      help="write the result to OUT ('-' for stdout, the default); OUT must be a regular file "
                           "or not exist (a symlink is written through)")
    mode.add_argument("-i", "--in-place", action="store_true",
                      help="rewrite FILE in place (atomically, keeping its mode; untouched on any error)")
    mode.add_argument("--diff", action="store_true",
                      help="print a unified diff (a/ b/ prefixes, `git apply` takes it) instead of the result. "
                           "Each removal is proved against FILE as it is, other barriers included: do not "
                           "apply two diffs made from the same FILE together (each may rely on a barrier the "
                           "other removes); apply one, then run again on the result")
    mode.add_argument("--check", action="store_true",
                      help="write nothing; exit 1 if the file would change, 0 if not")
    group.add_argument("--report", metavar="FORMAT", choices=["json", "text", "html"],
                       help="report every decision as json, text or html; json to stdout (the result then "
                            "needs -o FILE, -i or --check) or --report-file; text to stderr with the diagnostics, "
                            "or --report-file; "
                            "html: a page of each function's ops and barriers, to --report-file")
    group.add_argument("--report-file", metavar="PATH",
                       help="write the report to PATH ('-' for stdout, when the result does not go there)")


PTO_ISA_HELP = ("the pto-isa checkout the kernel compiles with: the facts that changed across its versions (row "
                "reductions' drains, the TPipe order) are applied as it has them, and an op whose headers there "
                "differ from those its facts were read from is unknown (default: those of every version); each "
                "PIPE_V barrier's cost in cycles is reported")


def add_compile_arguments(parser: argparse.ArgumentParser, pto_isa: bool = True) -> None:
    """The options that say how the compiler compiles the kernel, for every command that reads C++
    but build (which takes the same declarations as settings: compile_options.py):
    `-I DIR` into ``include_dirs``, `-D NAME[=VALUE]` and `-U NAME` into ``macro_flags`` in
    command-line order and (``pto_isa``) `--pto-isa DIR`. :func:`compile_environment` reads them
    into one CompileEnvironment (compile_settings.environment_of, as the library's), which cli.main
    hands to the command (``args.environment``)."""
    # (Declared once, build's spellings beside them: compile_options.COMPILE_OPTIONS. Their readers
    # load the C++ model when first called, not here.)
    for option in COMPILE_OPTIONS:
        typed: dict[str, Any] = {} if option.read is None else {"type": argument_type(option.read)}
        parser.add_argument(option.flag, dest=option.dest, action="append", metavar=option.metavar,
                            help=option.help, **typed)
    if pto_isa:
        parser.add_argument("--pto-isa", metavar="DIR", help=PTO_ISA_HELP)


def compile_environment(args: argparse.Namespace) -> CompileEnvironment:
    """The command line's compile options (add_compile_arguments; `check`'s `--arch`) as one value:
    where the analysis looks for the headers a kernel includes, the macros, the pto-isa checkout
    and the arch, made by the constructor the library uses too (compile_settings.environment_of,
    which identifies the checkout once and refuses a directory that does not exist)."""
    from ..compile_settings import environment_of
    arch = getattr(args, "arch", None)
    for option in ("pto_isa", "cache_dir"):
        if getattr(args, option, None) == "":
            # (Never silent: the library reads '' as "none given"; on the command line it is a
            # shell variable left unset, and the run would go on without the checkout.)
            raise PtofixError(f"--{option.replace('_', '-')} '': empty directory name")
    return environment_of(getattr(args, "include_dirs", None) or (), getattr(args, "macro_flags", None) or (),
                          getattr(args, "pto_isa", None), arch if isinstance(arch, str) else None)


def add_local_slot_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the LocalSlotNum options to ``parser`` (an option the parser already has is left as it is)."""
    existing = set(getattr(parser, "_option_string_actions", {}))
    group = parser.add_argument_group("TPipe LocalSlotNum (pass local-slot-num)")
    for flag, dest, spec in LOCAL_SLOT_OPTIONS:
        if flag in existing:
            continue
        kwargs = {key: value for key, value in spec.items() if key != "comma_list"}
        if spec.get("comma_list"):
            kwargs["action"] = CommaListAction      # repetitions merge into one comma list
        if "type" in kwargs:
            kwargs["type"] = argument_type(kwargs["type"])
        group.add_argument(flag, dest=dest, default=None, **kwargs)


def add_pass_argument(parser: Any, cls: type[Pass], name: str, *flags: str, **overrides: Any) -> argparse.Action:
    """The command-line option ``flags`` that sets option ``name`` of ``cls``, generated from its
    field: a ``bool`` that defaults to false is a switch, a comma list merges its repetitions, and
    the help and metavar are the field's. The value stays text (None when not given): it is read
    by the field's reader once, where the pass is built, as a pipeline's is."""
    option = pass_options(cls)[name]
    kwargs: dict[str, Any] = {"help": option.help}
    if option.type is bool and option.default is False:
        kwargs["action"] = "store_true"
    else:
        kwargs["metavar"] = option.metavar or option.key.upper()
        if get_origin(option.type) is tuple and ... in get_args(option.type):
            kwargs["action"] = CommaListAction
    kwargs.update(overrides)
    return parser.add_argument(*flags, **kwargs)


def add_setting_arguments(parser: argparse.ArgumentParser, settings_type: type) -> dict[str, Any]:
    """One argparse option for every option field of ``settings_type``, by its dest in the field's
    --help section; returns the sections by title (a command adds its own options to them). Each
    has the default SUPPRESS, so that an option not given is absent from the parsed values: its
    value then comes by precedence (:func:`.settings.resolve_settings`)."""
    # (Imported here: only `build` has settings; `run` does not load their option descriptions.)
    from ..prebuild.options import setting_options
    groups: dict[str, Any] = {}
    for setting in setting_options(settings_type):
        option = setting.option
        group = groups.get(option.group)
        if group is None:
            group = groups[option.group] = parser.add_argument_group(option.group) if option.group else parser
        kwargs: dict[str, Any] = {"dest": setting.name, "default": argparse.SUPPRESS, "help": option.help}
        if option.kind == "switch":
            kwargs["action"] = "store_true"
        elif option.kind == "bool":
            kwargs["action"] = argparse.BooleanOptionalAction
        else:
            kwargs["metavar"] = option.metavar
            if option.kind == "comma":
                kwargs["action"] = CommaListAction
            elif option.kind == "append":
                kwargs["action"] = "append"
            if option.choices is not None:
                kwargs["choices"] = list(option.choices)
            if option.convert is not None:
                kwargs["type"] = argument_type(option.convert)
        group.add_argument(*option.flags, **kwargs)
    return groups
