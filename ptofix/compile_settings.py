"""Compile settings into the one CompileEnvironment: the constructor that both the command line
(commands/arguments.compile_environment, from its compile options) and the library
(api.compile_environment, from a call's arguments) go through, so that a new setting is turned into
the environment in one place.

A directory that does not exist, or a checkout that is none, is bad input: the headers would
silently stay unread, the facts silently be every version's. The pto-isa checkout is identified
here, once (isa_version.with_checkout: its facts, notes and files).
"""
from __future__ import annotations

import os

from .compile_env import CompileEnvironment
from .source import PtofixError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence


def environment_of(include_dirs: Sequence[str | os.PathLike[str]] = (), macro_flags: Sequence[str] = (),
                   pto_isa: str | None = None, arch: str | None = None,
                   include_option: str = "-I", *, headers_unread: str = "",
                   refuse_missing: bool = True) -> CompileEnvironment:
    """The environment of ``include_dirs`` (searched in order), ``macro_flags`` (``-DNAME[=VALUE]``,
    ``-UNAME`` as command_line.macro_flag spells them, in order), the ``pto_isa`` checkout (None or
    '': none) and the ``arch``. ``include_option``: how an error names an include directory (the
    command line's ``-I``, the library's ``include directory``).

    ``ptofix build`` (prebuild/stages.py) passes the two settings of bisheng's own command line:
    ``headers_unread`` (CompileEnvironment's field: why bisheng reads headers the analysis does
    not) and ``refuse_missing=False``. Its directories are bisheng's: the ones given to build
    (``--include``, the config's ``include``) are refused when the plan is made, before anything
    runs, with the option or config line that gave them (prebuild/plan.py); the ones of its
    bisheng flags and the checkout's ``include`` are searched by bisheng, which skips a missing
    one, as the analysis then does (a header found nowhere is unknown)."""
    directories = tuple(os.fspath(directory) for directory in include_dirs)
    for directory in directories if refuse_missing else ():
        if not os.path.isdir(directory):
            raise PtofixError(f"{include_option} {directory}: not a directory")
    environment = CompileEnvironment(directories, tuple(macro_flags), headers_unread, arch=arch)
    if not pto_isa:
        return environment
    from .isa_version import with_checkout  # (subprocess and locale: only with a checkout)
    return with_checkout(environment, pto_isa)
