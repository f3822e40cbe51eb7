"""Front-end registry used by the pass manager: artefact kind -> parser returning a model.

Each parser is imported where it is used: the PTO IR parser (~40 ms, interpreted) that a C++ run
never needs, the C++ parser (~120 ms, interpreted) that ``canonicalize`` never needs.
"""
from __future__ import annotations

from types import MappingProxyType

from .compile_env import NO_COMMAND_LINE, CompileEnvironment
from .input_kind import require
from .interpreter import gc_paused, recursion_headroom
from .source import SourceText, UnreadableInput

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

    from .side_files import ReadRecord


def parse_cpp(source: SourceText, environment: CompileEnvironment = NO_COMMAND_LINE,
              reads: ReadRecord | None = None) -> Any:
    """The C++ model of ``source`` read with ``environment``'s command line (-I, -D/-U, ...), the
    files it reads besides noted in the job's record ``reads`` (None: not noted)."""
    from .cpp.parser import parse_cpp as parse_cpp_text
    require(source, "cpp")
    with gc_paused(), recursion_headroom():
        model = parse_cpp_text(source, environment, reads)
    if not model.functions:
        # (Valid C++ all the same, a header of templates say: left as it is, never refused.)
        raise UnreadableInput("no function definition found: nothing ptofix reads as a kernel", source, 0)
    return model


def parse_mlir(source: SourceText) -> Any:
    from .ir.parser import parse_ir
    require(source, "mlir")
    return parse_ir(source)


def parsers(environment: CompileEnvironment,
            reads: ReadRecord | None = None) -> Mapping[str, Callable[[SourceText], Any]]:
    """The parser of each artefact kind, C++ read with ``environment``'s command line for the job
    whose record is ``reads``."""
    if environment == NO_COMMAND_LINE and reads is None:     # (a job's record: its own parser)
        return PARSERS
    return MappingProxyType({"cpp": lambda source: parse_cpp(source, environment, reads), "mlir": parse_mlir})


# The parsers of a file read with no command line (read-only).
PARSERS: Mapping[str, Callable[[SourceText], Any]] = MappingProxyType({"cpp": parse_cpp, "mlir": parse_mlir})
