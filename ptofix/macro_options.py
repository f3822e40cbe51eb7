"""`-D NAME[=VALUE]` and `-U NAME`, the compiler's, as the commands that analyse C++ take them
(ptofix/cpp/command_line.py holds what they set)."""
from __future__ import annotations

import argparse

from .cpp.command_line import macro_flag
from .source import PtofixError


def add_macro_arguments(parser: argparse.ArgumentParser) -> None:
    """`-D NAME[=VALUE]` and `-U NAME`, the compiler's, into ``macro_flags`` in command-line order."""
    parser.add_argument("-D", dest="macro_flags", action="append", metavar="NAME[=VALUE]", type=define_flag,
                        help="a macro the compiler's command line defines (repeatable, as the compiler's -D): the "
                             "analysis takes it as one of the file's macros")
    parser.add_argument("-U", dest="macro_flags", action="append", metavar="NAME", type=undefine_flag,
                        help="cancel an earlier -D NAME (repeatable, as the compiler's -U)")


def define_flag(value: str) -> str:
    return _macro_flag("-D", value)


def undefine_flag(value: str) -> str:
    return _macro_flag("-U", value)


def _macro_flag(option: str, value: str) -> str:
    try:
        return macro_flag(option, value)
    except PtofixError as exc:
        raise argparse.ArgumentTypeError(exc.diagnostic.message) from None
