"""Which pto-isa headers each op's facts are read from, and whether a checkout still holds them.

Every fact ptofix applies to a PTO op (ops.py's effects table: operands, drains, scratch, tmp
reach; the walks and footprints of derived_facts.json) was read from pto-isa at one commit (the
derived table's ``pto_isa.commit``, f35e7f60). Those facts hold for a checkout whose code of that
op is the same. ``op_sources`` names the headers an op's code may come from; the derived table
records them with their SHA-256 (``"sources"``, written by scripts/derive_facts.py), and
``stale_ops`` compares them with a checkout (``--pto-isa DIR``, build's PTO_LIB_PATH): an op whose
headers differ is Unknown for the analysis, with the header named.

The headers of an op, over the include graph of ``include/pto/pto-inst.hpp`` (every ``#include``
followed whatever ``#if`` guards it, resolved as header_words.texts_reached does):

* the common set: what pto-inst.hpp reaches without entering ``costmodel/`` or ``cpu/`` (a build
  for the NPU defines neither ``__COSTMODEL`` nor ``__CPU_SIM``, under which alone pto-inst.hpp,
  whose bytes are recorded too, includes them) and without following the op umbrella
  ``common/pto_instr_impl.hpp`` into ``npu/`` (the umbrella's own bytes are recorded);
* the op's implementation: every a2a3 header reached that spells one of the ``X_IMPL`` names the
  op's wrappers in ``common/pto_instr.hpp`` call (``MAP_INSTR_IMPL(X, ...)`` calls ``X_IMPL``),
  with every header those reach; an op with no wrapper, or none of whose ``_IMPL`` is found,
  takes every header pto-inst.hpp reaches (coarse, never less);
* and, to a fixed point, every other a2a3 header reached that declares a name (a class, a
  function it defines, a macro, a named constant) which the op's a2a3 headers spell: a header
  that leans on a helper the umbrella included before it, or an overload or specialisation
  declared elsewhere, is counted, and so is one declaring a name the op's wrappers or the
  wrappers' macros spell (``TSYNC``): an over-approximation, a word is enough.

Those sets name the headers in an op's reason. Which ops a change reaches is not decided by them:
a declaration scan cannot follow C++ name lookup (a specialisation, a trailing return type, a
braced default argument added to another op's header), so ``stale_ops`` makes every op stale when
any header of the a2a3 build (every reached header but those of the other NPU architectures)
differs from the record.

A header that is not a regular file inside the checkout, or is reached through a symbolic link,
is not read: its hash is "unreadable" with the reason, so every op it may touch is stale. Nothing
is cached: the hashes are computed from the bytes read in this process.
"""
from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable

from ..cxx_lexicon import CPP_KEYWORDS
from ..side_files import ReadRecord, Unreadable
from .header_words import INCLUDE_LINE, INST_HEADER, read_bytes, without_comments
from .ops import OPS

UMBRELLA = "include/pto/common/pto_instr_impl.hpp"
WRAPPERS = "include/pto/common/pto_instr.hpp"
A2A3 = "include/pto/npu/a2a3/"
NPU = "include/pto/npu/"
NOT_NPU_BUILD = ("include/pto/costmodel/", "include/pto/cpu/")
UNREADABLE = "unreadable: "          # a hash that starts so: the file was not read, and why

_WORD = re.compile(r"[A-Za-z_]\w*")
_DECLARED = re.compile(
    r"\b(?:struct|class|union|enum(?:[ \t]+class)?)[ \t]+([A-Za-z_]\w*)"            # a class (or its specialisation)
    r"|^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)"                                      # a macro
    r"|([A-Za-z_]\w*)[ \t]*\([^;{}]*\)[ \t\n]*(?:const[ \t\n]*)?(?:noexcept[ \t\n]*)?\{"  # a function it defines
    r"|\b(?:constexpr|const)[ \t]+[\w:<>, ]+?[ \t]([A-Za-z_]\w*)[ \t]*(?:=|\{)"        # a named constant
    r"|\busing[ \t]+([A-Za-z_]\w*)[ \t]*=", re.M)                                     # an alias
_NOT_NAMES = CPP_KEYWORDS | {"if", "for", "while", "switch", "return", "sizeof", "decltype", "static_assert"}
_WRAPPER_HEAD = re.compile(r"\bPTO_INST\b")
_IMPL_CALL = re.compile(r"\bMAP_INSTR_IMPL\w*\s*\(\s*([A-Za-z_]\w*)|\b([A-Za-z_]\w*)_IMPL\b")


class _Header:
    __slots__ = ("path", "digest", "text", "includes")

    def __init__(self, path: str, digest: str, text: str, includes: list[str]) -> None:
        self.path = path
        self.digest = digest
        self.text = text            # comments removed
        self.includes = includes    # the paths its #include lines resolve to


Reader = Callable[[str], bytes | None]


def _graph(read: Reader) -> dict[str, _Header] | None:
    """Every header pto-inst.hpp reaches (no ``costmodel/`` or ``cpu/``), by path; None when
    there is no pto-inst.hpp. ``read`` gives a file's bytes by its '/'-separated path from the
    checkout's root, None when there is none, or raises Unreadable."""
    headers: dict[str, _Header] = {}
    missing: set[str] = set()

    def load(path: str) -> bool:
        """Whether ``path`` exists (read into ``headers`` when not yet)."""
        if path in headers:
            return True
        if path in missing or path.startswith(("../", "/")) or path == "..":
            return False
        try:
            data = read(path)
        except Unreadable as exc:
            headers[path] = _Header(path, UNREADABLE + exc.reason, "", [])
            return True
        if data is None:
            missing.add(path)
            return False
        headers[path] = _Header(path, hashlib.sha256(data).hexdigest(),
                                without_comments(data.decode("utf-8", "replace"), lambda literal: literal), [])
        todo.append(path)
        return True

    todo: list[str] = []
    if not load(INST_HEADER):
        return None
    while todo:
        header = headers[todo.pop()]
        for quote, name in INCLUDE_LINE.findall(header.text):
            near = [os.path.normpath(os.path.join(os.path.dirname(header.path), name))] if quote == '"' else []
            for candidate in (*near, os.path.normpath("include/" + name)):
                candidate = candidate.replace(os.sep, "/")
                if candidate.startswith(NOT_NPU_BUILD):
                    break           # (not part of an NPU build: see the module docstring)
                if load(candidate):             # the first that exists is the one compiled
                    header.includes.append(candidate)
                    break
    return headers


def _closure(headers: dict[str, _Header], starts: Iterable[str], cut_umbrella: bool) -> set[str]:
    seen: set[str] = set()
    todo = list(starts)
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for target in headers[path].includes:
            if cut_umbrella and path == UMBRELLA and target.startswith(NPU):
                continue
            todo.append(target)
    return seen


def _wrappers(headers: dict[str, _Header]) -> dict[str, tuple[set[str], set[str]]]:
    """Each wrapper of pto_instr.hpp -> (the ``X_IMPL`` functions it calls, every word it and the
    file's macros spell): the text from each ``PTO_INST`` up to the next, named by the last word
    before its first parenthesis."""
    wrappers = headers.get(WRAPPERS)
    found: dict[str, tuple[set[str], set[str]]] = {}
    if wrappers is None or not wrappers.text:
        return found
    text = wrappers.text
    macros = {word for line in re.findall(r"^[ \t]*#[ \t]*define[^\n]*(?:\\\n[^\n]*)*", text, re.M)
              for word in _WORD.findall(line)}
    heads = [match.start() for match in _WRAPPER_HEAD.finditer(text)] + [len(text)]
    for start, end in zip(heads, heads[1:], strict=False):
        piece = text[start:end]
        paren = piece.find("(")
        names = _WORD.findall(piece[:paren]) if paren >= 0 else []
        if names:
            calls, words = found.setdefault(names[-1], (set(), set(macros)))
            words.update(_WORD.findall(piece))
            for mapped, direct in _IMPL_CALL.findall(piece):
                calls.add((mapped or direct) + "_IMPL")
            words.update(calls)         # (a pasted `API##_IMPL` is spelled nowhere else)
    return found


_BRACE = re.compile(r"[{}]")
_NAMESPACE_OPENS = re.compile(r"\bnamespace(?:[ \t\n]+[A-Za-z_][\w:]*)?[ \t\n]*$")
_MACRO = re.compile(r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)", re.M)


def _namespace_scope(text: str) -> str:
    """``text`` without what lies inside braces other than a namespace's (the braces kept)."""
    kept: list[str] = []
    stack: list[bool] = []          # (True: a namespace's brace)
    depth = 0
    copied = 0
    for brace in _BRACE.finditer(text):
        at = brace.start()
        if brace.group() == "{":
            before = text.rfind("namespace", max(0, at - 120), at)
            namespace = before >= 0 and _NAMESPACE_OPENS.search(text, before, at) is not None
            if depth == 0:
                kept.append(text[copied:at + 1])
            stack.append(namespace)
            depth += 0 if namespace else 1
        else:
            if stack and not stack.pop():
                depth -= 1
            if depth == 0:
                kept.append("}")
                copied = at + 1
        if depth == 0 and brace.group() == "{":
            copied = at + 1
    if depth == 0:
        kept.append(text[copied:])
    return "".join(kept)


def _declared(text: str) -> set[str]:
    """The names ``text`` declares at namespace scope (a class, a function it defines, a named
    constant, an alias; inside no braces but a namespace's) and the macros it defines anywhere."""
    names = set(_MACRO.findall(text))
    for groups in _DECLARED.findall(_namespace_scope(text)):
        names.add(next(name for name in groups if name))
    return names - _NOT_NAMES


def op_sources(read: Reader, ops: Iterable[str]) -> tuple[dict[str, tuple[str, ...]], dict[str, str]] | None:
    """(op -> the paths of the headers its facts may come from, sorted; path -> the SHA-256 of its
    bytes, or UNREADABLE and why), over the checkout ``read`` reads (see the module docstring);
    None when it has no include/pto/pto-inst.hpp."""
    headers = _graph(read)
    if headers is None:
        return None
    common = _closure(headers, [INST_HEADER], cut_umbrella=True)
    # (What the op's code may call: any header not in the common set, which only the op headers
    # of the umbrella reach, but those of the other NPU architectures, which it includes only for
    # them.)
    others = sorted(path for path in headers if path not in common
                    and (path.startswith(A2A3) or not path.startswith(NPU)))
    declared = {path: _declared(headers[path].text) for path in others}
    words = {path: set(_WORD.findall(headers[path].text)) for path in others}
    unreadable = [path for path in others if headers[path].digest.startswith(UNREADABLE)]
    wrappers = _wrappers(headers)
    out: dict[str, tuple[str, ...]] = {}
    for op in ops:
        names, spelled = wrappers.get(op, (set(), set()))
        impl = [path for path in others if path.startswith(A2A3) and not names.isdisjoint(words[path])]
        if not impl:
            out[op] = tuple(sorted(headers))
            continue
        members = common | _closure(headers, impl + unreadable, cut_umbrella=False)
        # (What the op's wrapper and the wrappers' macros spell counts too, and so does what the
        # wrappers it names spell: `TSYNC(events...)` calls TSYNC_IMPL.)
        used: set[str] = set(spelled)
        named = {op}
        while True:
            more_wrappers = [name for name in used if name in wrappers and name not in named]
            if not more_wrappers:
                break
            for name in more_wrappers:
                named.add(name)
                used |= wrappers[name][1]
        counted: set[str] = set()
        while True:
            for path in members - counted:
                if path not in common:
                    used |= words[path]
            counted |= members
            more = [path for path in others if path not in members and not declared[path].isdisjoint(used)]
            if not more:
                break
            members |= _closure(headers, more, cut_umbrella=False)
        out[op] = tuple(sorted(members))
    return out, {path: headers[path].digest for path in sorted(headers)}


def checkout_reader(root: str, record: ReadRecord | None = None) -> Reader:
    """The reader of op_sources over the checkout at ``root``: a regular file inside it
    (side_files.read_side_file through header_words' bounded reader), reached through no
    symbolic link: one that is (even to a file inside the checkout) raises Unreadable."""
    real_root = os.path.realpath(root)
    total = [0]

    def read(path: str) -> bytes | None:
        full = os.path.join(root, *path.split("/"))
        if not os.path.lexists(full):
            return None
        real = os.path.realpath(full)
        if real != os.path.join(real_root, *path.split("/")):
            raise Unreadable(full, f"it is a symbolic link or lies under one (to {real}; not read)")
        return read_bytes(root, path, total, record)

    return read


def stale_ops(recorded: dict[str, object], root: str, record: ReadRecord | None = None) -> dict[str, str]:
    """The ops of the derived table's ``sources`` (``recorded``) whose headers in the checkout at
    ``root`` are not the ones their facts were read from: op -> the first header that differs and
    how. Every op of the effects table when the table records no sources (none is known to hold),
    every recorded op when the checkout has no pto-inst.hpp."""
    ops_entry = recorded.get("ops")
    files_entry = recorded.get("files")
    common_entry = recorded.get("common")
    if not isinstance(ops_entry, dict) or not isinstance(files_entry, dict) or not isinstance(common_entry, list):
        return {op: "the derived table records no headers its facts were read from" for op in sorted(OPS)}
    found = op_sources(checkout_reader(root, record), sorted(ops_entry))
    commit = str(recorded.get("commit", "?"))
    if found is None:
        return {op: f"{INST_HEADER} is not read" for op in ops_entry}
    sets, digests = found
    # Any header of the a2a3 build that is not the one the facts were read with (changed, new or
    # gone) may declare an overload, a specialisation or a macro that any op's code binds to:
    # which op it reaches is a question of C++ name lookup that a word scan cannot settle (a
    # specialisation `ColReduce<float>`, a trailing return type or a braced default argument added
    # to TSort32.hpp changes TCOLMAX's call, tests/pto/test_op_sources_stale_headers.py). So every op is
    # stale then; the op's own headers name the difference first. Headers of the other NPU
    # architectures, which an a2a3 build does not include, change nothing.
    build = [path for path in sorted(set(files_entry) | set(digests), key=lambda p: (not p.startswith(A2A3), p))
             if path.startswith(A2A3) or not path.startswith(NPU)]
    anywhere = next((f"{path} differs from pto-isa {commit}'s, and a changed header of the a2a3 build may "
                     f"declare what this op's code binds to" for path in build
                     if files_entry.get(path) != digests.get(path)), "")
    stale: dict[str, str] = {}
    for op, extra in ops_entry.items():
        was = set(common_entry) | set(extra if isinstance(extra, list) else ())
        now = set(sets.get(op, ()))
        # (A header not read is named first: it may be why the others differ.)
        why = next((f"{path}: {digests[path][len(UNREADABLE):]}" for path in sorted(now)
                    if digests.get(path, "").startswith(UNREADABLE)), "")
        for path in sorted(was | now, key=lambda p: (not p.startswith(A2A3), p)):
            if why:
                break
            digest = digests.get(path, "")
            if path not in now:
                why = f"{path}: not reached in the checkout (pto-isa {commit} has it)"
            elif path not in was:
                why = f"{path}: not in pto-isa {commit}'s headers of it"
            elif files_entry.get(path) != digest:
                why = f"{path} differs from pto-isa {commit}'s"
        why = why or anywhere
        if why:
            stale[op] = why
    return stale


def recorded_sources(sets: dict[str, tuple[str, ...]], digests: dict[str, str], commit: str) -> dict[str, object]:
    """The ``sources`` entry of the derived table: the commit, every header's SHA-256, the common
    set and each op's headers beyond it."""
    common = set.intersection(*(set(paths) for paths in sets.values())) if sets else set()
    return {"commit": commit, "files": dict(sorted(digests.items())), "common": sorted(common),
            "ops": {op: sorted(set(paths) - common) for op, paths in sorted(sets.items())}}
