"""The compiler's options that say how a kernel is compiled, declared once: `-I DIR`, `-D NAME[=VALUE]`
and `-U NAME` (their spellings, value, reader and help). Every command that reads C++ takes them from
here: run, check, opt and simulate through commands/arguments.add_compile_arguments (read into one
CompileEnvironment by compile_environment), and build through its settings' fields
(prebuild/options.compile_option, in prebuild/settings.BuildSettings).

Build spells them its own way, as it does each of its options, and this declaration holds both:

- Each build option has a long spelling, which is also its config key (`--include`, `--define`,
  `--undefine`; config keys `include`, `define`, `undefine`).
- `-D` and `-U` are two settings there, two lists a config file can give, where the other commands
  keep them in command-line order in one list. The analysis takes build's defines, less its
  undefines, then the bisheng flags' own `-D`/`-U` (docs/commands/build.md).
- Build's help says how they combine with the bisheng flags. Its `-I` is checked where the build is
  planned, naming where the value came from (prebuild/plan.py).
"""
from __future__ import annotations

from .records import Value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


def define_flag(text: str) -> str:
    """``-D``'s value as the -D word the analysis takes (cpp/command_line.define_flag's check)."""
    # (Here: command_line loads the C++ model, ~11 ms of imports (-X importtime, interpreted,
    # bytecode cached), which `canonicalize` and `build` need not pay for their parsers.)
    from .cpp.command_line import define_flag as checked
    return checked(text)


def undefine_flag(text: str) -> str:
    """``-U``'s value as the -U word the analysis takes."""
    from .cpp.command_line import undefine_flag as checked
    return checked(text)


class CompileOption(Value):
    """One compiler option: as run, check, opt and simulate take it, and as build takes it."""

    flag: str                       # the compiler's spelling
    dest: str                       # where those commands put its values (CompileEnvironment's field)
    metavar: str
    help: str                       # their help; --help shows its first clause
    build_flags: tuple[str, ...]    # build's spellings, as its --help lists them (the long one: the config key)
    build_help: str
    # The reader of a value (OptionValueError: why not); None: the text as it is.
    read: Callable[[str], str] | None = None


INCLUDE_DIR = CompileOption(
    "-I", "include_dirs", "DIR",
    "search DIR for the headers the kernel #includes (repeatable, as the compiler's -I)",
    ("-I", "--include"),
    "search DIR for the headers the kernel #includes (before the bisheng flags' -I and PTO_LIB/include; "
    "repeatable; config key include)")
DEFINE = CompileOption(
    "-D", "macro_flags", "NAME[=VALUE]",
    "a macro the compiler's command line defines (repeatable, as the compiler's -D): the analysis takes it "
    "as one of the file's macros",
    ("--define", "-D"),
    "a macro the kernel is compiled with that the bisheng flags do not show (a wrapper's): the analysis "
    "takes it as one of the file's macros, as it does the bisheng flags' -D (repeatable; config key define)",
    define_flag)
UNDEFINE = CompileOption(
    "-U", "macro_flags", "NAME",
    "cancel an earlier -D NAME (repeatable, as the compiler's -U)",
    ("--undefine", "-U"),
    "cancel a -D NAME (repeatable; config key undefine)",
    undefine_flag)

COMPILE_OPTIONS = (INCLUDE_DIR, DEFINE, UNDEFINE)
