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

import contextlib
import functools
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable

from ..cpp.keywords import CPP_KEYWORDS

INST_HEADER = "include/pto/pto-inst.hpp"
# Comments and literals, read front to back: a line comment, the start of a block comment (its
# end is looked for with str.find, once: a regex `/\*.*?\*/` read each `/*` of an unterminated
# comment to the end of the text, issue #60), or a string or character literal (group 1).
_COMMENT_OR_LITERAL = re.compile(r"""//[^\n]*|/\*|("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')""", re.S)


def _without_comments(text: str, literal: Callable[[str], str]) -> str:
    """``text`` with each comment a space and each literal ``literal(it)``, as a substitution of
    a line comment, a block comment up to its first end, or a literal, read front to back, does:
    a `/*` with no `*/` after it starts no comment."""
    out: list[str] = []
    copied = pos = 0
    terminated = True          # (False once a `/*` had no `*/` after it: nor has any later one)
    while True:
        match = _COMMENT_OR_LITERAL.search(text, pos)
        if match is None:
            break
        end = match.end()
        if match.group(1) is not None:
            replacement = literal(match.group(1))
        elif match.group() == "/*":
            close = text.find("*/", end) if terminated else -1
            if close < 0:
                terminated = False
                pos = match.start() + 1
                continue
            end, replacement = close + 2, " "
        else:
            replacement = " "
        out.append(text[copied:match.start()])
        out.append(replacement)
        copied = pos = end
    out.append(text[copied:])
    return "".join(out)
_INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"\n]+)[>"]', re.M)
_WORD = re.compile(r"[A-Za-z_]\w*")


def texts_reached(read: Callable[[str], str | None], start: str = INST_HEADER) -> list[str] | None:
    """The texts of the files ``start`` reaches through ``#include`` (every ``#if`` branch taken);
    ``read(path)`` gives a tree's file by its path from the tree's root ('/'-separated), None if
    there is none. None when ``start`` itself cannot be read."""
    first = read(start)
    if first is None:
        return None
    texts: list[str] = []
    todo, seen = [(start, first)], {start}
    while todo:                         # a work list: an include chain of any depth is no recursion
        path, text = todo.pop()
        texts.append(text)
        for quote, name in _INCLUDE.findall(text):
            near = [os.path.normpath(os.path.join(os.path.dirname(path), name))] if quote == '"' else []
            for candidate in (*near, "include/" + name):
                found = read(candidate) if candidate not in seen else ""
                if found is not None:       # the first that exists is the one compiled
                    if candidate not in seen:
                        seen.add(candidate)
                        todo.append((candidate, found))
                    break
    return texts


def words_reached(read: Callable[[str], str | None], start: str = INST_HEADER) -> frozenset[str] | None:
    """The identifiers, C++ keywords excepted, of the files ``start`` reaches (texts_reached);
    None when ``start`` itself cannot be read."""
    texts = texts_reached(read, start)
    if texts is None:
        return None
    words: set[str] = set()
    for text in texts:
        words.update(_WORD.findall(_without_comments(text, lambda literal: literal)))
    return frozenset(words - CPP_KEYWORDS)


# -- how pto's code calls a name ------------------------------------------------------------------
# A directive with its continuation lines (comments already removed).
_DIRECTIVE = re.compile(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", re.M)
_TOKEN = re.compile(r"[A-Za-z_]\w*|->|::|\.\.\.|\S")
_OPENS = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}


def _may_be_macro_in_capitals(token: str) -> bool:
    return (token[0].isalpha() or token[0] == "_") and token.upper() == token


def call_arities(texts: list[str], macro_names: frozenset[str] | set[str]) -> tuple[dict[str, set[int]], set[str]]:
    """How the code of ``texts`` (pto's headers) uses each identifier: (name -> the argument
    counts of its plain calls, the names used otherwise). A plain call is the name (unqualified,
    or qualified `X::name`) followed by a parenthesised list; its count is the list's top-level
    commas plus one (none for `()`), which a template argument's comma only raises. Used
    otherwise: written in a directive (a macro body may paste or forward any arguments, a
    condition test the name), followed by anything but `(` (its address taken, a template
    argument, explicit template arguments `name<...>(`), or called with `...` (a pack of any
    size) or with a name ``macro_names`` holds, or one in capitals (a command line's `-D` macro),
    in its arguments (an object-like macro may expand to several). A member access (`x.name`,
    `p->name`) finds no namespace-scope function and counts for neither. Declarations count as
    calls with their parameters: more counts only make fewer declarations provably not viable
    (docs/reference/pto-facts.md §8.4)."""
    calls: dict[str, set[int]] = {}
    other: set[str] = set()
    for text in texts:
        code = _without_comments(text, lambda literal: '""')
        for directive in _DIRECTIVE.finditer(code):
            other.update(_WORD.findall(directive.group()))
        tokens = _TOKEN.findall(_DIRECTIVE.sub(" ", code))
        # (Per opening bracket, in one pass: the index of its closer, its top-level commas, and
        # running counts of the `...` and the macro-like names: a scan from each call to its end
        # was quadratic in nested or unclosed calls, issue #60.)
        closer = [-1] * len(tokens)
        commas_in = [0] * len(tokens)
        open_at: list[int] = []
        packs = [0]
        macros = [0]
        for j, token in enumerate(tokens):
            packs.append(packs[-1] + (token == "..."))
            macros.append(macros[-1] + (token in macro_names or _may_be_macro_in_capitals(token)))
            opens = _OPENS.get(token, 0)
            if opens > 0:
                open_at.append(j)
            elif opens < 0 and open_at:
                closer[open_at.pop()] = j
            elif token == "," and open_at:
                commas_in[open_at[-1]] += 1
        for k, token in enumerate(tokens):
            if not (token[0].isalpha() or token[0] == "_") or token in CPP_KEYWORDS:
                continue
            if k and tokens[k - 1] in (".", "->"):
                continue
            if k + 1 >= len(tokens) or tokens[k + 1] != "(":
                other.add(token)
                continue
            j = closer[k + 1]             # (the arguments: tokens k + 2 .. j - 1)
            if j < 0 or packs[j] - packs[k + 2] or macros[j] - macros[k + 2]:
                other.add(token)
            else:
                calls.setdefault(token, set()).add(commas_in[k + 1] + 1 if j > k + 2 else 0)
    return calls, other


def _read_file(root: str, path: str) -> str | None:
    try:
        with open(os.path.join(root, *path.split("/")), encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


# The words of a checkout are kept on disk between runs (reading ~500 headers costs ~0.3 s), in
# $PTOFIX_CACHE_DIR, else $XDG_CACHE_HOME/ptofix, else ~/.cache/ptofix, with the size and
# modification time of every path the reading tried (found or not): a cache whose paths all still
# stat the same holds the words reading now would give. A cache that cannot be read or written is
# only a cache: the words are read from the headers then.
_CACHE_FORMAT = 1


def cache_dir() -> str:
    base = os.environ.get("PTOFIX_CACHE_DIR")
    if base:
        return base
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(xdg, "ptofix")


def _stamp(root: str, path: str) -> list[int] | None:
    try:
        info = os.stat(os.path.join(root, *path.split("/")))
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns]


def _cache_file(root: str) -> str:
    key = hashlib.sha256(os.path.realpath(root).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return os.path.join(cache_dir(), f"pto-words-{key}.json")


def _cached(root: str, path: str) -> frozenset[str] | None:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        if data.get("format") != _CACHE_FORMAT or data.get("root") != os.path.realpath(root):
            return None
        stamps = data["stamps"]
        if all(_stamp(root, name) == stamp for name, stamp in stamps.items()):
            return frozenset(data["words"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return None


def _store(root: str, path: str, stamps: dict[str, list[int] | None], words: frozenset[str]) -> None:
    data = {"format": _CACHE_FORMAT, "root": os.path.realpath(root), "stamps": stamps, "words": sorted(words)}
    directory = os.path.dirname(path)
    try:
        os.makedirs(directory, exist_ok=True)
        handle, temp = tempfile.mkstemp(suffix=".tmp", dir=directory)
    except OSError:
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out)
        os.replace(temp, path)              # (concurrent runs: the last whole file wins)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temp)


@functools.lru_cache(maxsize=8)
def checkout_words(root: str) -> frozenset[str] | None:
    """words_reached over the pto-isa checkout at ``root``, from the cache on disk when it still
    holds (see above), once per checkout and process; None when it has no include/pto/pto-inst.hpp."""
    path = _cache_file(root)
    cached = _cached(root, path)
    if cached is not None:
        return cached
    stamps: dict[str, list[int] | None] = {}

    def read(name: str) -> str | None:
        stamps[name] = _stamp(root, name)       # (before the read: a change after it shows next time)
        return _read_file(root, name) if stamps[name] is not None else None

    words = words_reached(read)
    if words is not None:
        _store(root, path, stamps, words)
    return words


_DEFINED = re.compile(r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)", re.M)


@functools.lru_cache(maxsize=8)
def checkout_call_arities(root: str) -> dict[str, tuple[int, ...]] | None:
    """How the code of the headers pto-inst.hpp reaches in the pto-isa checkout at ``root`` calls
    each name (call_arities; the macros those headers define count as macros), as
    ops.pto_call_arities() has it for the documented commits: None when it has no
    include/pto/pto-inst.hpp. Read when a header's overload asks (~0.3 s), once per process."""
    texts = texts_reached(lambda name: _read_file(root, name))
    if texts is None:
        return None
    macros = {name for text in texts for name in _DEFINED.findall(text)}
    calls, other = call_arities(texts, macros)
    return {name: tuple(sorted(counts)) for name, counts in calls.items() if name not in other}
