"""The regular expressions written in ptofix's source: compiled through ``compile`` here, each on its
first use, and read a block of matches at a time (``match_blocks``).

``compile`` returns a ``LazyPattern``: the ``re.Pattern`` that ``re.compile`` builds, built the
first time one of its methods or attributes is read (then that method is the pattern's own bound
method, kept on the object, so later calls cost what a plain pattern's do). A module that ``run``
imports but whose patterns a run never uses then costs nothing for them: ``run --pattern auto`` on
the FA kernel creates 150 patterns and uses 60; compiling the other 90 cost ~6 ms of CPU a process
(re.purge() then re.compile of each, median of 15; issue #70). ``pattern`` is kept as
given and reads compile nothing; a ``re.Match``'s ``.re`` is the compiled pattern, so code that asks
which pattern matched compares ``match.re.pattern`` with the constant's ``pattern``. A bad pattern
raises ``re.error`` at its first use rather than at import; tests/test_regex_cache.py compiles every
one of them. Only ``re``'s public API is used. (Until issue #70 this module kept the compiled codes
across processes, built with CPython's private ``re._parser`` and ``re._compiler``: it read private
modules of one CPython version and trusted marshal data from a file. It went.)
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice
from typing import Any, cast

_PATTERN_METHODS = frozenset({"match", "search", "fullmatch", "finditer", "findall", "split", "sub", "subn",
                              "scanner", "flags", "groups", "groupindex"})


class LazyPattern:
    """``re.compile(pattern, flags)``, compiled on the first read of anything but ``pattern``."""

    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern = pattern
        self._flags = flags

    def compiled(self) -> re.Pattern[str]:
        """The compiled pattern (compiled now if it was not yet)."""
        found: re.Pattern[str] | None = self.__dict__.get("_compiled")
        if found is None:
            found = re.compile(self.pattern, self._flags)
            self.__dict__["_compiled"] = found
        return found

    def __getattr__(self, name: str) -> Any:
        # Reached only for names not yet on the object: compile, then keep the pattern's own
        # attribute (a bound method of the compiled pattern) so the next read finds it directly.
        if name not in _PATTERN_METHODS:
            raise AttributeError(name)
        value = getattr(self.compiled(), name)
        self.__dict__[name] = value
        return value

    def __repr__(self) -> str:
        return f"regex_cache.compile({self.pattern!r}, {self._flags})"


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:  # noqa: A001 - re.compile's name
    """``re.compile(pattern, flags)``, compiled on first use (a ``LazyPattern`` that reads as the
    ``re.Pattern`` it becomes)."""
    return cast("re.Pattern[str]", LazyPattern(pattern, flags))


MATCH_BLOCK = 4096       # matches match_blocks holds at once


def match_blocks(matches: Iterator[re.Match[str]], size: int = MATCH_BLOCK) -> Iterator[list[re.Match[str]]]:
    """``matches`` a list of at most ``size`` at a time: a tokenizer reads each block's fields with
    map() over the Match methods (no Python code per token) while holding few Match objects (~200
    bytes each) at once."""
    while block := list(islice(matches, size)):
        yield block
