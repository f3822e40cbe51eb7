"""The macros of the compiler's command line (`-D NAME[=VALUE]`, `-U NAME`:
CompileEnvironment.macro_flags) read as the compiler reads them: a macro given as
`bisheng -DNAME=VALUE` is defined before the file's first line and seen by no text the model
reads, so it is told with the same options (`ptofix run -D NAME=VALUE`; `ptofix build` reads its
bisheng flags')."""
from __future__ import annotations

import re

from .. import regex_cache
from ..compile_env import CompileEnvironment
from ..source import OptionValueError, PtofixError
from .model import MacroDefinition
from .preprocessor import command_line_definition

_MACRO_NAME = regex_cache.compile(r"[A-Za-z_]\w*")


def macro_flag(option: str, value: str) -> str:
    """``-DNAME[=VALUE]`` / ``-UNAME`` of ``option`` ('-D' or '-U') and its value; a name that is
    not an identifier (a function-like one may have its parameters: `-D'f(x)=x'`) is bad input,
    as the compiler's "macro names must be identifiers"."""
    name = re.split(r"[(=]", value, maxsplit=1)[0] if option == "-D" else value
    if not _MACRO_NAME.fullmatch(name):
        raise PtofixError(f"{option} {value}: macro names must be identifiers")
    return option + value


def define_flag(value: str) -> str:
    """``-D``'s value as the flag the analysis takes (OptionValueError: why not)."""
    return _checked_flag("-D", value)


def undefine_flag(value: str) -> str:
    """``-U``'s value as the flag the analysis takes (OptionValueError: why not)."""
    return _checked_flag("-U", value)


def _checked_flag(option: str, value: str) -> str:
    try:
        return macro_flag(option, value)
    except PtofixError as exc:
        raise OptionValueError(exc.diagnostic.message) from None


def command_line_definitions(environment: CompileEnvironment) -> tuple[MacroDefinition, ...]:
    """``environment``'s macro flags as the macro table's entries (preprocessor.command_line_definition),
    in order."""
    return tuple(command_line_definition(flag) for flag in environment.macro_flags)


def command_line_macros(environment: CompileEnvironment) -> tuple[dict[str, tuple[bool, str]], frozenset[str]]:
    """(each macro ``environment``'s command line leaves defined -> (whether it is function-like, its body, as the
    compiler reads it: `-DN` is `1`, `-D'f(x)=x'` is `x`); every name a `-U` names), the flags read
    in order: a later `-U NAME` cancels an earlier `-D NAME` and the reverse."""
    defined: dict[str, tuple[bool, str]] = {}
    undefined: set[str] = set()
    for flag, definition in zip(environment.macro_flags, command_line_definitions(environment), strict=True):
        if not definition.defines:
            defined.pop(definition.name, None)
            undefined.add(definition.name)
            continue
        _, eq, body = flag[2:].partition("=")
        defined[definition.name] = (definition.function_like, body if eq else "1")
    return defined, frozenset(undefined)


def compiler_macro_flags(flags: list[str]) -> list[str]:
    """The `-D`/`-U` flags of a compiler command line (`-D NAME`, `-DNAME=V`, `-U NAME`, `-UNAME`,
    `--define-macro NAME`, `--define-macro=NAME`, `--undefine-macro ...`), in order, as
    ``macro_flag`` spells them."""
    found: list[str] = []
    long_names = {"--define-macro": "-D", "--undefine-macro": "-U"}
    i = 0
    while i < len(flags):
        flag = flags[i]
        i += 1
        option, value = "", ""
        if flag in ("-D", "-U") or flag in long_names:
            if i < len(flags):
                option, value = long_names.get(flag, flag), flags[i]
                i += 1
        elif flag[:2] in ("-D", "-U"):
            option, value = flag[:2], flag[2:]
        elif flag.partition("=")[0] in long_names:
            option, value = long_names[flag.partition("=")[0]], flag.partition("=")[2]
        if option:
            found.append(macro_flag(option, value))
    return found
