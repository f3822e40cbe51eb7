"""The regular expressions written in ptofix's source: compiled through ``compile`` here, once per
process, and read a block of matches at a time (``match_blocks``).

``compile`` is ``re.compile``: re's own bounded cache (512 patterns in CPython, keyed by pattern and
flags) already returns the compiled pattern when a module asks again, and the module-level
constants that hold nearly every pattern are compiled once each. (Until issue #70 this module kept
the compiled codes across processes, built with CPython's private ``re._parser`` and
``re._compiler``; that saved 15-25 ms of CPU of a one-kernel interpreted ``run``, about 10-17%,
``scripts/bench_startup.py``, 9 interleaved rounds, but it read private modules of one CPython
version and trusted marshal data from a file. It went: ptofix uses only ``re``'s public API.)
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:  # noqa: A001 - re.compile's name
    """``re.compile(pattern, flags)``."""
    return re.compile(pattern, flags)


MATCH_BLOCK = 4096       # matches match_blocks holds at once


def match_blocks(matches: Iterator[re.Match[str]], size: int = MATCH_BLOCK) -> Iterator[list[re.Match[str]]]:
    """``matches`` a list of at most ``size`` at a time: a tokenizer reads each block's fields with
    map() over the Match methods (no Python code per token) while holding few Match objects (~200
    bytes each) at once."""
    while block := list(islice(matches, size)):
        yield block
