"""What the compiler is told on its command line about the kernel it compiles, as one typed value.

A compiler reads a file with its command line: the include directories (`-I`, in order), the macros
(`-D NAME[=VALUE]`, `-U NAME`, in order), the headers it may read from elsewhere (`-include`,
`-isystem`, ...). ptofix reads a kernel the same way, so the analysis needs the same settings. They
are gathered once (from a command's compile options, commands/arguments.add_compile_arguments;
the bisheng flags ``ptofix build`` runs with; a library call's arguments), frozen, and handed
explicitly to the parser, which keeps them on the model (``CppFile.environment``) for every analysis
and pass that reads it; a ``-j`` worker gets the same value pickled. Two kernels with different
settings can so be analysed side by side in one process.

The pto-isa checkout is identified once, where the environment is made (isa_version.with_checkout):
no pass or analysis reads the checkout's version facts again. What one file's job reads (headers,
the checkout's files) is no setting: the job's own record (side_files.ReadRecord), which the model
of that file holds (``CppFile.reads``).
"""
from __future__ import annotations

from .pto.ops import EVERY_VERSION, IsaFacts
from .records import Value, field


class CompileEnvironment(Value):
    """The compiler's command line a kernel is read with (see the module docstring)."""

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
    # The pto-isa checkout the kernel compiles with ('' when not known), and what identifying it
    # told (isa_version.with_checkout, the one place that sets these four): the facts that changed
    # across its versions as that checkout has them (EVERY_VERSION: those of every version), the
    # notes on what could not be told, and the checkout's files they were read from (inputs of the
    # run: no output may replace one). They are read from the checkout, so the checkout alone
    # tells two environments apart.
    pto_isa: str = ""
    isa: IsaFacts = field(default=EVERY_VERSION, compare=False)
    isa_notes: tuple[str, ...] = field(default=(), compare=False)
    isa_files: tuple[str, ...] = field(default=(), compare=False, repr=False)
    # The NPU arch the kernel is compiled for (`a3`, `a5`), None when not told.
    arch: str | None = None

    def compiler_flags(self) -> tuple[str, ...]:
        """These settings as a host compiler's flags, for a build of the kernel that must read it as
        the analysis does (``check --trace``, ``run --verify-trace``: trace/check.trace_texts):
        ``-IDIR`` per include directory, then the macro flags in order. The other fields are no
        flag of that build: ``headers_unread`` is why the analysis reads no header (the flags it
        comes from are bisheng's, ``ptofix build``'s), the checkout is the build's own
        (``--pto-isa``: perf/build.prepare_checkout) and ``arch`` a device's
        (tests/trace/test_trace_environment.py names each field's side)."""
        return (*(f"-I{directory}" for directory in self.include_dirs), *self.macro_flags)


# The environment of a file read with no command line: no include directory, no macro, every
# pto-isa version's facts. (Immutable: a frozen value of tuples and strings.)
NO_COMMAND_LINE = CompileEnvironment()
