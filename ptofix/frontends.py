"""Front-end registry used by the pass manager: artefact kind -> parser returning a model.

Imported lazily so that commands that do not need a front end do not pay for lark.
"""
from __future__ import annotations

from .source import SourceText

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def parse_cpp(source: SourceText) -> Any:
    from .cpp.parser import parse_cpp as parse
    from .input_kind import require
    from .interpreter import gc_paused, recursion_headroom
    from .source import PtofixError
    require(source, "cpp")
    with gc_paused(), recursion_headroom():
        model = parse(source)
    if not model.functions:
        raise PtofixError("no function definition found: this is not ptoas-generated C++", source, 0)
    return model


def parse_mlir(source: SourceText) -> Any:
    from .input_kind import require
    from .ir.parser import parse_ir as parse
    require(source, "mlir")
    return parse(source)


PARSERS: dict[str, Callable[[SourceText], Any]] = {"cpp": parse_cpp, "mlir": parse_mlir}
