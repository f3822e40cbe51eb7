"""Front-end registry used by the pass manager: artefact kind -> parser returning a model.

The PTO IR parser is imported where it is used (~40 ms, interpreted, that a C++ run never needs);
the C++ parser is loaded by every command (``-I`` reads ``cpp.headers``).
"""
from __future__ import annotations

from .cpp.parser import parse_cpp as parse_cpp_text
from .input_kind import require
from .interpreter import gc_paused, recursion_headroom
from .source import SourceText, UnreadableInput

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def parse_cpp(source: SourceText) -> Any:
    require(source, "cpp")
    with gc_paused(), recursion_headroom():
        model = parse_cpp_text(source)
    if not model.functions:
        # (Valid C++ all the same, a header of templates say: left as it is, never refused.)
        raise UnreadableInput("no function definition found: nothing ptofix reads as a kernel", source, 0)
    return model


def parse_mlir(source: SourceText) -> Any:
    from .ir.parser import parse_ir
    require(source, "mlir")
    return parse_ir(source)


PARSERS: dict[str, Callable[[SourceText], Any]] = {"cpp": parse_cpp, "mlir": parse_mlir}
