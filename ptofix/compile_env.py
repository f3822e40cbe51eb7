"""What the compiler is told on its command line about the kernel it compiles, as one typed value.

A compiler reads a file with its command line: the include directories (`-I`, in order), the macros
(`-D NAME[=VALUE]`, `-U NAME`, in order), the headers it may read from elsewhere (`-include`,
`-isystem`, ...). ptofix reads a kernel the same way, so the analysis needs the same settings. They
are gathered once (from ``ptofix run``'s flags, a config file, or the bisheng flags ``ptofix build``
runs with), frozen, and handed explicitly to the parser, which keeps them on the model
(``CppFile.environment``) for every analysis and pass that reads it; a ``-j`` worker gets the same
value pickled. Two kernels with different settings can so be analysed side by side in one process.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .pto.ops import EVERY_VERSION, IsaFacts
from .side_files import ReadRecord


@dataclass(frozen=True)
class CompileEnvironment:
    # The include directories (`-I`), in the order the compiler searches them.
    include_dirs: tuple[str, ...] = ()
    # The `-DNAME[=VALUE]` and `-UNAME` flags, in command-line order (command_line.macro_flag's
    # spelling): a later flag cancels an earlier one of the same name.
    macro_flags: tuple[str, ...] = ()
    # Why the compiler may read headers the include directories do not show ('' when it reads none):
    # a bisheng flag that includes a header in every file (`-include`) or searches other
    # directories (`-iquote`, `-isystem`: prebuild.tools.header_search_flag). Every file is then
    # unmodelled, with this reason.
    headers_unread: str = ""
    # The pto-isa checkout the kernel compiles with ('' when not known) and the facts that changed
    # across its versions as that checkout has them (isa_version.identify; EVERY_VERSION: those of
    # every version). The facts are read from the checkout, so the checkout alone tells two
    # environments apart.
    pto_isa: str = ""
    isa: IsaFacts = field(default=EVERY_VERSION, compare=False)
    # The NPU arch the kernel is compiled for (`a3`, `a5`), None when not told.
    arch: str | None = None
    # Where the analysis notes the files it reads besides the kernel (headers, pto-isa files): the
    # record of one file's job (file_passes.FilePasses.process makes it), which the job returns so
    # that no output replaces one of them; None: not noted (a library caller). Not a setting: it
    # tells no two environments apart.
    reads: ReadRecord | None = field(default=None, compare=False, repr=False)


# The environment of a file read with no command line: no include directory, no macro, every
# pto-isa version's facts. (Immutable: a frozen dataclass of tuples and strings.)
NO_COMMAND_LINE = CompileEnvironment()
