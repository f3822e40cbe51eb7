"""Interpreter settings while ptofix builds and analyses a model.

``gc_paused``: the cyclic garbage collector is paused. A parsed kernel is hundreds of thousands of
small objects (tokens, statements, AST nodes, symbols) that all stay alive until the pass ends.
Their allocation keeps triggering collections that walk every live object again and free nothing:
about 45% of the CPU time of parse + barrier proof over the corpus. Reference counting still frees
everything outside cycles while the collector is paused (peak memory of a 1 MB kernel is
unchanged), and collection resumes when the block ends.

``recursion_headroom``: the interpreter's recursion limit is at least RECURSION_LIMIT. Every
recursion of the analysis is bounded by the input's nesting, which the parsers and the models
bound explicitly (tokens.MAX_NESTING statements, stmt_parser.MAX_EXPRESSION_NESTING expression
levels, value_model.MAX_VALUE_NESTING and expressions.MAX_CALLEE_NESTING): compiled with mypyc a
recursion has no limit of the interpreter's, and interpreted the default 1000 frames would stop short of those
bounds only where the interpreter runs, so the two would decide differently near them.
"""
from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    if not gc.isenabled():      # nested, or the caller manages the collector itself
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# Frames the bounds allow at once, with room to spare: 200 nested blocks take ~600, 32 definitions
# read through one another, each a sum 64 levels deep, ~4300; four callee models may nest inside a
# caller's. Python 3.11 runs a Python-to-Python call without a C frame, so these cost no C stack
# (a recursion through C, such as all() over a generator, is bounded far lower by its own bound).
RECURSION_LIMIT = 30000


@contextlib.contextmanager
def recursion_headroom() -> Iterator[None]:
    previous = sys.getrecursionlimit()
    if previous >= RECURSION_LIMIT:
        yield
        return
    sys.setrecursionlimit(RECURSION_LIMIT)
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)
