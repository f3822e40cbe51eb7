"""The identifiers of the headers ``pto/pto-inst.hpp`` reaches: the names through which pto's code
can see a macro a kernel defines before including it (ptofix/pto/ops.py macro_may_change_pto_code).

One reading for both sources of headers: a pto-isa checkout on disk (``--pto-isa DIR``, build's
``PTO_LIB_PATH``: checkout_words) and commits of a git clone (scripts/pto_name_lists.py, which
writes the union over the documented commits to pto_words.txt, the default).

Every file reached through ``#include``, every ``#if`` branch taken (an over-approximation of any
build's), comments removed and string literals kept. A quoted include is looked up beside the
including file first, then under ``include/`` (bisheng's ``-I$PTO_LIB_PATH/include``); an angle
include under ``include/`` only. A header not found there is not pto's (the standard library's,
or one no build of that tree reaches, since the build would fail) and is not read.
"""
from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable

from ..cpp.keywords import CPP_KEYWORDS

INST_HEADER = "include/pto/pto-inst.hpp"
_COMMENT = re.compile(r"""//[^\n]*|/\*.*?\*/|("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')""", re.S)
_INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"\n]+)[>"]', re.M)
_WORD = re.compile(r"[A-Za-z_]\w*")


def words_reached(read: Callable[[str], str | None], start: str = INST_HEADER) -> frozenset[str] | None:
    """The identifiers, C++ keywords excepted, of the files ``start`` reaches; ``read(path)`` gives
    a tree's file by its path from the tree's root ('/'-separated), None if there is none. None
    when ``start`` itself cannot be read."""
    first = read(start)
    if first is None:
        return None
    words: set[str] = set()
    todo, seen = [(start, first)], {start}
    while todo:                         # a work list: an include chain of any depth is no recursion
        path, text = todo.pop()
        words.update(_WORD.findall(_COMMENT.sub(lambda m: m.group(1) or " ", text)))
        for quote, name in _INCLUDE.findall(text):
            near = [os.path.normpath(os.path.join(os.path.dirname(path), name))] if quote == '"' else []
            for candidate in (*near, "include/" + name):
                found = read(candidate) if candidate not in seen else ""
                if found is not None:       # the first that exists is the one compiled
                    if candidate not in seen:
                        seen.add(candidate)
                        todo.append((candidate, found))
                    break
    return frozenset(words - CPP_KEYWORDS)


def _read_file(root: str, path: str) -> str | None:
    try:
        with open(os.path.join(root, *path.split("/")), encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


@functools.lru_cache(maxsize=8)
def checkout_words(root: str) -> frozenset[str] | None:
    """words_reached over the pto-isa checkout at ``root`` (read once per checkout and process);
    None when it has no include/pto/pto-inst.hpp."""
    return words_reached(functools.partial(_read_file, root))
