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
import json
import os
import re
import sys
from collections.abc import Callable

from .. import regex_cache
from ..cxx_lexicon import CPP_KEYWORDS
from ..side_files import ReadRecord, Unreadable, cache_dir, cache_directory_problem, load_json, read_side_file

INST_HEADER = "include/pto/pto-inst.hpp"
# Comments and literals, read front to back: a line comment, the start of a block comment (its
# end is looked for with str.find, once: a regex `/\*.*?\*/` read each `/*` of an unterminated
# comment to the end of the text, issue #60), or the quote that may open a string or character
# literal (group 1). A literal's body is read by _LITERAL_BODY, greedily: its two alternatives
# start with different characters, so it never backtracks, and the character after it tells
# whether the literal closes there.
_COMMENT_OR_QUOTE = regex_cache.compile(r"""//[^\n]*|/\*|(["'])""")
_LITERAL_BODY = {'"': regex_cache.compile(r"""(?:\\.|[^"\\\n])*""", re.S),
                 "'": regex_cache.compile(r"""(?:\\.|[^'\\\n])*""", re.S)}


def without_comments(text: str, literal: Callable[[str], str]) -> str:
    """``text`` with each comment a space and each literal ``literal(it)``, as a substitution of
    a line comment, a block comment up to its first end, or a literal (a quote, escapes or other
    characters of one line, the same quote), read front to back, does: a `/*` with no `*/` after
    it starts no comment, a quote with no closing one on its line starts no literal.

    Linear in the text (issue 69): a quote with no closing one was read to the end of its line
    from each later quote of that line (a 120 KB line of `"\"\"...` took 90 s). A body read from
    quote q that stops at f without a closing quote takes every quote of its kind in (q, f) as
    an escaped one (the second character of a `\"`), so a body read from any of them follows the
    same steps to the same f: none of them opens a literal either, and none is read again."""
    out: list[str] = []
    copied = pos = 0
    terminated = True          # (False once a `/*` had no `*/` after it: nor has any later one)
    no_literal_before = {'"': -1, "'": -1}      # a quote of the kind before this opens no literal
    while True:
        match = _COMMENT_OR_QUOTE.search(text, pos)
        if match is None:
            break
        end = match.end()
        quote = match.group(1)
        if quote is not None:
            if match.start() < no_literal_before[quote]:
                pos = end
                continue
            body = _LITERAL_BODY[quote].match(text, end)
            body_end = body.end() if body is not None else end      # (it matches, if only nothing)
            if body_end >= len(text) or text[body_end] != quote:
                no_literal_before[quote] = body_end
                pos = end
                continue
            end = body_end + 1
            replacement = literal(text[match.start():end])
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


INCLUDE_LINE = regex_cache.compile(r'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"\n]+)[>"]', re.M)
_WORD = regex_cache.compile(r"[A-Za-z_]\w*")


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
        for quote, name in INCLUDE_LINE.findall(text):
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
        words.update(_WORD.findall(without_comments(text, lambda literal: literal)))
    return frozenset(words - CPP_KEYWORDS)


# -- how pto's code calls a name ------------------------------------------------------------------
# A directive with its continuation lines (comments already removed).
_DIRECTIVE = regex_cache.compile(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", re.M)
_TOKEN = regex_cache.compile(r"[A-Za-z_]\w*|->|::|\.\.\.|\S")
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
        code = without_comments(text, lambda literal: '""')
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


# The bounds of reading a checkout (pto-isa f35e7f60: 468 headers reached, 4.4 MiB, the largest
# 167 KiB): past them its words are not known (fail closed), and memory stays bounded.
MAX_CHECKOUT_FILE_BYTES = 4 * 1024 * 1024
MAX_CHECKOUT_BYTES = 64 * 1024 * 1024


def read_bytes(root: str, path: str, total: list[int] | None = None, record: ReadRecord | None = None) -> bytes | None:
    """A file of the checkout at ``root`` by its '/'-separated path, None if there is none; raises
    Unreadable for one that is there and may not be read (not a regular file, too large, or its
    real path outside the checkout: a `#include "../../x"` or a symlink to /dev/zero). ``total``:
    the bytes read so far from this checkout, which may not pass MAX_CHECKOUT_BYTES."""
    try:
        data = read_side_file(os.path.join(root, *path.split("/")), within=root, limit=MAX_CHECKOUT_FILE_BYTES,
                              record=record)
    except Unreadable as exc:
        if exc.missing:
            return None
        raise
    if total is not None:
        total[0] += len(data)
        if total[0] > MAX_CHECKOUT_BYTES:
            raise Unreadable(path, f"the headers pto-inst.hpp reaches hold more than {MAX_CHECKOUT_BYTES >> 20} MiB "
                                   "(not read further)")
    return data


def _read_file(root: str, path: str, total: list[int], record: ReadRecord | None = None) -> str | None:
    data = read_bytes(root, path, total, record)
    return None if data is None else data.decode("utf-8", "replace")


# The words of a checkout are kept on disk between runs (reading ~500 headers costs ~0.3 s), in a
# private directory of this user (cache_dir). The cache is an optimisation, never an authority: an
# entry is used only when its directory and itself are this user's, writable by no one else, a
# regular file of at most MAX_CACHE_BYTES, JSON nested at most _CACHE_DEPTH deep of the schema
# _store writes, and its content key still holds: the SHA-256 of every path the reading tried with
# the bytes it held (or its absence), recomputed from the checkout as it is now. The words are a
# function of exactly those bytes, so a matching key gives the words reading would give. Anything
# else is ignored with a note on stderr, and the words are read from the headers.
_CACHE_FORMAT = 2
_CACHE_DEPTH = 4
_MAX_CACHED_PATHS = 20_000          # (pto-isa f35e7f60: 1186 paths tried)
MAX_CACHE_BYTES = 8 * 1024 * 1024


def _say(notes: list[str]) -> None:
    """The notes of one reading of a checkout on stderr (never silent), each once: a cache ignored,
    a cache directory not used (the reading is once per checkout and process: identify's memo)."""
    for text in dict.fromkeys(notes):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            sys.stderr.write(f"ptofix: note: {text}\n")


def _private_directory(directory: str, create: bool, notes: list[str]) -> bool:
    """Whether ``directory`` may hold the cache (side_files.cache_directory_problem; a problem is
    said in a note: the directory is not used)."""
    problem = cache_directory_problem(directory, create)
    if problem:
        notes.append(problem)
    return problem is None


# (hashlib and tempfile are imported where used: only a run with --pto-isa reads a checkout's words
# and keeps them in the cache; every kernel's analysis imports this module.)
def _cache_file(root: str) -> str:
    import hashlib
    key = hashlib.sha256(os.path.realpath(root).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return os.path.join(cache_dir(), f"pto-words-{key}.json")


def _content_key(root: str, tried: dict[str, bytes | None]) -> str:
    """The SHA-256 over every path tried, in order of name, with its bytes (or its absence)."""
    import hashlib
    digest = hashlib.sha256(os.path.realpath(root).encode("utf-8", "surrogateescape") + b"\0")
    for name in sorted(tried):
        data = tried[name]
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(b"-\0" if data is None else hashlib.sha256(data).digest())
    return digest.hexdigest()


def _valid_entry(data: object) -> bool:
    """The schema _store writes: format, root, key, the paths tried and the words, each typed."""
    if not isinstance(data, dict) or set(data) != {"format", "root", "key", "tried", "words"}:
        return False
    return data["format"] == _CACHE_FORMAT and isinstance(data["root"], str) and isinstance(data["key"], str) \
        and isinstance(data["tried"], list) and len(data["tried"]) <= _MAX_CACHED_PATHS \
        and all(isinstance(name, str) for name in data["tried"]) \
        and INST_HEADER in data["tried"] \
        and isinstance(data["words"], list) and all(isinstance(word, str) for word in data["words"])


def _cached(root: str, path: str, notes: list[str], read: ReadRecord) -> tuple[frozenset[str], tuple[str, ...]] | None:
    """(words, files read) of the cache entry at ``path`` when it may be trusted (see above)."""
    directory = os.path.dirname(path)
    if not os.path.lexists(path) or not _private_directory(directory, create=False, notes=notes):
        return None
    why = ""
    try:
        data = load_json(read_side_file(path, limit=MAX_CACHE_BYTES, private=True), _CACHE_DEPTH)
        if isinstance(data, dict) and data.get("format") != _CACHE_FORMAT and isinstance(data.get("format"), int):
            return None                     # (another ptofix's format: replaced, nothing to say)
        if not _valid_entry(data):
            why = "not a cache entry of this ptofix (its schema)"
    except Unreadable as exc:
        why = exc.reason
    except ValueError as exc:
        why = f"not JSON ptofix reads ({exc})"
    if why:
        notes.append(f"the cache entry {path} is ignored ({why}); the header words are read from the checkout")
        return None
    assert isinstance(data, dict)
    if data["root"] != os.path.realpath(root):
        return None
    tried: dict[str, bytes | None] = {}
    files: list[str] = []
    total = [0]
    try:
        for name in data["tried"]:
            tried[name] = read_bytes(root, name, total, read)
            if tried[name] is not None:
                files.append(os.path.join(root, *name.split("/")))
    except Unreadable:
        return None                         # (read afresh, which says why)
    if _content_key(root, tried) != data["key"]:
        return None                         # the checkout changed: read again
    return frozenset(data["words"]), tuple(files)


def _store(root: str, path: str, tried: dict[str, bytes | None], words: frozenset[str], notes: list[str]) -> None:
    data = {"format": _CACHE_FORMAT, "root": os.path.realpath(root), "key": _content_key(root, tried),
            "tried": sorted(tried), "words": sorted(words)}
    directory = os.path.dirname(path)
    if not _private_directory(directory, create=True, notes=notes):
        return
    import tempfile
    try:
        handle, temp = tempfile.mkstemp(suffix=".tmp", dir=directory)     # (mode 0600)
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
def _checkout_reading(root: str) -> tuple[frozenset[str] | None, tuple[str, ...], str, tuple[str, ...]]:
    """(words, the headers reached, why the words are None: a file that may not be read, or '',
    every file read: inputs of each run that asks, though the memo reads them once)."""
    notes: list[str] = []           # (this reading's notes, said once each at its end)
    read = ReadRecord()
    try:
        return (*_read_checkout(root, notes, read), read.sorted())
    finally:
        _say(notes)


def _read_checkout(root: str, notes: list[str],
                   record: ReadRecord) -> tuple[frozenset[str] | None, tuple[str, ...], str]:
    path = _cache_file(root)
    cached = _cached(root, path, notes, record)
    if cached is not None:
        return (*cached, "")
    tried: dict[str, bytes | None] = {}
    files: list[str] = []
    total = [0]

    def read(name: str) -> str | None:
        data = tried[name] = read_bytes(root, name, total, record)
        if data is None:
            return None
        files.append(os.path.join(root, *name.split("/")))
        return data.decode("utf-8", "replace")

    try:
        words = words_reached(read)
    except Unreadable as exc:
        return None, tuple(files), f"{exc.path}: {exc.reason}"
    if words is not None:
        _store(root, path, tried, words, notes)
    return words, tuple(files), ""


def checkout_words(root: str, record: ReadRecord | None = None) -> frozenset[str] | None:
    """words_reached over the pto-isa checkout at ``root``, from the cache on disk when it still
    holds (see above), once per checkout and process; None when it has no include/pto/pto-inst.hpp
    or holds a header that may not be read (checkout_problem says which). The files read are
    inputs of the run, noted in ``record`` on every call (the memo keeps them), also when the words
    come from a cache."""
    words, _reached, _, files = _checkout_reading(root)
    if record is not None:
        record.update(files)
    return words


checkout_words.cache_clear = _checkout_reading.cache_clear  # type: ignore[attr-defined]


def checkout_problem(root: str) -> str:
    """Why checkout_words(root) is None when a file of the checkout may not be read ('' when it
    is not None, or None for want of include/pto/pto-inst.hpp)."""
    return _checkout_reading(root)[2]


_DEFINED = regex_cache.compile(r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)", re.M)


def checkout_call_arities(root: str, record: ReadRecord | None = None) -> dict[str, tuple[int, ...]] | None:
    """How the code of the headers pto-inst.hpp reaches in the pto-isa checkout at ``root`` calls
    each name (call_arities; the macros those headers define count as macros), as
    ops.pto_call_arities() has it for the documented commits: None when it has no
    include/pto/pto-inst.hpp. Read when a header's overload asks (~0.3 s), once per process; the
    files read noted in ``record`` on every call."""
    arities, files = _call_arities_reading(root)
    if record is not None:
        record.update(files)
    return arities


@functools.lru_cache(maxsize=8)
def _call_arities_reading(root: str) -> tuple[dict[str, tuple[int, ...]] | None, tuple[str, ...]]:
    """(checkout_call_arities' table, the files read for it)."""
    read = ReadRecord()
    try:
        total = [0]
        texts = texts_reached(lambda name: _read_file(root, name, total, read))
    except Unreadable:
        return None, read.sorted()   # (a header that may not be read: no call is known not to be made)
    if texts is None:
        return None, read.sorted()
    macros = {name for text in texts for name in _DEFINED.findall(text)}
    calls, other = call_arities(texts, macros)
    return {name: tuple(sorted(counts)) for name, counts in calls.items() if name not in other}, read.sorted()


def checkout_headers_writing(root: str, name: str) -> tuple[tuple[str, str], ...] | None:
    """The headers pto-inst.hpp reaches in the pto-isa checkout at ``root`` whose text, comments
    removed, writes the word ``name``, as (path under the checkout, SHA-256 of its bytes) pairs in
    path order; None when the checkout's words are not known (checkout_words) or one of those
    headers may not be read now. What pto's code does with ``name`` is then exactly what those
    bytes say (ops.SUBBLOCK_ID_REVIEWED_HEADERS compares them with reviewed ones)."""
    words, files, _, _ = _checkout_reading(root)
    if words is None:
        return None
    if name not in words:
        return ()
    spelled = re.compile(r"(?<![\w$])" + re.escape(name) + r"(?![\w$])")
    import hashlib
    found: list[tuple[str, str]] = []
    for path in files:
        relative = os.path.relpath(path, root).replace(os.sep, "/")
        try:
            data = read_bytes(root, relative)
        except Unreadable:
            return None
        if data is None:
            return None
        if spelled.search(without_comments(data.decode("utf-8", "replace"), lambda literal: literal)):
            found.append((relative, hashlib.sha256(data).hexdigest()))
    return tuple(sorted(found))


checkout_call_arities.cache_clear = _call_arities_reading.cache_clear  # type: ignore[attr-defined]


def checkout_headers_reached(root: str, record: ReadRecord | None = None) -> frozenset[str] | None:
    """The headers pto-inst.hpp reaches in the pto-isa checkout at ``root``, as a kernel names them
    (their paths under include/: `pto/common/pto_tile.hpp`), None when its words are not known
    (checkout_words). What such a header's code writes, and every header it reaches, is in those
    words: a kernel that includes it sees no name pto-inst.hpp's headers do not write."""
    words, files, _, read = _checkout_reading(root)
    if record is not None:
        record.update(read)
    if words is None:
        return None
    include = os.path.join(root, "include") + os.sep
    return frozenset(path[len(include):].replace(os.sep, "/") for path in files if path.startswith(include))
