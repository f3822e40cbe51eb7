"""Which pto-isa a kernel compiles with: the version facts of a checkout (docs/reference/pto-facts.md
§0.1), read from its headers, the git commit named beside them.

Facts that changed across pto-isa versions, and how a checkout shows which it has:

- ``TROWSUM/TROWMAX/TROWMIN`` returned at once, with no trailing barrier, for an empty valid shape
  before pto-isa `5a2e8553` (2026-03-21): ``TROW*_IMPL`` in ``include/pto/npu/a2a3/TRow{Sum,Max,
  Min}.hpp`` held ``if (validCol == 0 || validRow == 0) { return; }``. A checkout whose three
  ``_IMPL`` bodies hold no ``return`` at all has the later code (and if it is a git checkout, its
  HEAD must not be known to lie before `5a2e8553`).
- The ``TPipe`` template's parameter order (``include/pto/npu/a2a3/TPush.hpp``, pipes.header_order):
  which LocalSlotNum a written ``TPipe<...>`` binds, so the Tile-form TPOP's ring depth.
- The identifiers of the headers its ``include/pto/pto-inst.hpp`` reaches (pto/header_words.py):
  the names through which a macro the kernel defines before that header can change pto's code.
- Whether the headers each op's facts were read from (pto/op_sources.py, the derived table's
  ``sources``: pto-isa f35e7f60) are the checkout's: an op whose headers differ is Unknown
  (``IsaFacts.stale_ops``; issue #66), never given facts recorded from other code.
- The stride of that ring (TPush.hpp: ``CONSUMER_BUF + (tileIndex % LOCAL_SLOT_NUM) * stride``): the
  popped tile's ``Rows * Cols * sizeof(T)`` before pto-isa `ab903c91` (2026-08-12), ``SLOT_SIZE``
  from it on. Every consumer-ring address expression of the header must spell the same one.

Anything not found, or read otherwise than above, keeps that fact at the union of every version
(what holds whichever headers compile the kernel), with a note saying so.

The facts themselves (``IsaFacts``) live in ptofix/pto/ops.py; this reader of a checkout sits above
both ptofix/pto/ and ptofix/cpp/, since the TPipe header is read through the C++ model's one `#if`
evaluator (pipes.header_order).
"""
from __future__ import annotations

import functools
import os
import re
import subprocess

from .compile_env import CompileEnvironment
from .cpp.lexical import masked_literals
from .pto.derived_facts import default_facts
from .pto.header_words import INST_HEADER, checkout_problem, checkout_words
from .pto.op_sources import stale_ops
from .pto.ops import EVERY_VERSION, UNKNOWN_CHECKOUT_WORDS, IsaFacts
from .pto.tpipe import HEADER_RELPATH, NEW, NO_NOSPLIT, OLD, STRIDE_SLOT, STRIDE_TILE, pto_lib_headers
from .side_files import ReadRecord, Unreadable, read_side_file
from .source import PtofixError, read_source

# cpp.pipes (the C++ semantic model, ~0.2 s interpreted) is imported where a checkout's TPipe header
# is read: `check --fix` and `simulate` load this module without needing it.

# The commit that removed the early return of the three row reductions (pto-facts.md §2).
ROW_REDUCE_FIX_COMMIT = "5a2e8553"
A2A3_DIR = os.path.join("include", "pto", "npu", "a2a3")
ROW_REDUCE_IMPLS = (("TRowSum.hpp", "TROWSUM_IMPL"), ("TRowMax.hpp", "TROWMAX_IMPL"), ("TRowMin.hpp", "TROWMIN_IMPL"))
_GIT_SECONDS = 10


def checkout_root(path: str) -> str | None:
    """The checkout directory ``path`` names (the checkout, or its ``include`` directory), or None."""
    if os.path.isdir(os.path.join(path, "include", "pto")):
        return path
    if os.path.isdir(os.path.join(path, "pto")) and os.path.basename(os.path.normpath(path)) == "include":
        return os.path.dirname(os.path.normpath(path))
    return None


def identify(path: str, record: ReadRecord | None = None) -> tuple[IsaFacts, tuple[str, ...]]:
    """The version facts of the pto-isa checkout at ``path`` and the notes on what could not be
    told (each such fact stays at the union of every version). Raises PtofixError for a path that
    is no pto-isa checkout. Read once per checkout and process; the files read are noted in
    ``record`` on every call (inputs of each run that asks)."""
    facts, notes, files = _identified(path)
    if record is not None:
        record.update(files)
    return facts, notes


@functools.lru_cache(maxsize=8)
def _identified(path: str) -> tuple[IsaFacts, tuple[str, ...], tuple[str, ...]]:
    """(identify's facts and notes, the files of the checkout read for them)."""
    root = checkout_root(path)
    if root is None:
        raise PtofixError(f"--pto-isa {path}: not a pto-isa checkout (no include/pto directory)")
    notes: list[str] = []
    read = ReadRecord()
    commit, after_fix = _git_commit(root)
    fixed = _row_reductions_fixed(root, notes, read)
    if fixed and after_fix is False:
        notes.append(f"its headers lack the row reductions' early return, but its git HEAD {commit[:12]} lies "
                     f"before {ROW_REDUCE_FIX_COMMIT}: reductions with an empty valid shape are taken not to drain")
        fixed = False
    words = checkout_words(root, read)
    problem = checkout_problem(root) if words is None else None
    if problem:
        # (Fail closed: a header pto-inst.hpp reaches that may not be read may write any name.)
        words = frozenset([UNKNOWN_CHECKOUT_WORDS])
        notes.append(f"a header its {INST_HEADER} reaches is not read ({problem}): any macro defined before "
                     "pto's header may change pto's code")
    elif words is None:
        notes.append(f"no {INST_HEADER} read in {root}: a macro defined before pto's header is judged by the "
                     "words of every documented pto-isa version")
    order = _tpipe_order(root, notes, read)
    stride = _tpop_stride(root, notes, read)
    table = default_facts()
    stale = stale_ops(table.sources, root, read)
    what = [f"pto-isa {root}", f"commit {commit[:12]}" if commit else "not a git checkout"]
    recorded = len(table.sources.get("ops") or ())
    what.append(f"op facts of pto-isa {table.commit}: {recorded - len(stale)} of {recorded} ops' headers the same"
                if recorded else f"op facts of pto-isa {table.commit} (their headers not recorded)")
    if fixed:
        what.append(f"row reductions drain on an empty valid shape ({ROW_REDUCE_FIX_COMMIT} on)")
    if order:
        what.append(f"TPipe order {order}")
    if stride:
        what.append(f"TPOP ring stride {stride}")
    facts = IsaFacts(fixed, order, stride, ", ".join(what), words, root if words is not None else "",
                     tuple(sorted(stale.items())))
    return facts, tuple(notes), read.sorted()


identify.cache_clear = _identified.cache_clear  # type: ignore[attr-defined]


def with_checkout(environment: CompileEnvironment, path: str | None) -> CompileEnvironment:
    """``environment`` with the pto-isa checkout at ``path`` identified: its version facts, the
    notes on what could not be told and the checkout's files they were read from (None or '': no
    checkout, every version's facts). The one place a command, the library API or ``build`` turns
    a checkout into settings; passes and analyses read them from the environment. Raises
    PtofixError for a path that is no pto-isa checkout."""
    if not path:
        return environment.replace(pto_isa="", isa=EVERY_VERSION, isa_notes=(), isa_files=())
    facts, notes, files = _identified(path)
    return environment.replace(pto_isa=path, isa=facts, isa_notes=notes, isa_files=files)


def _git_commit(root: str) -> tuple[str, bool | None]:
    """(HEAD's commit or '', whether HEAD descends from ROW_REDUCE_FIX_COMMIT: None if not known)."""
    if not os.path.exists(os.path.join(root, ".git")):
        return "", None
    try:
        head = subprocess.run(["git", "-C", root, "rev-parse", "--verify", "HEAD"], capture_output=True, text=True,
                              timeout=_GIT_SECONDS, check=False)
        if head.returncode != 0:
            return "", None
        ancestor = subprocess.run(["git", "-C", root, "merge-base", "--is-ancestor", ROW_REDUCE_FIX_COMMIT, "HEAD"],
                                  capture_output=True, timeout=_GIT_SECONDS, check=False)
    except (OSError, subprocess.SubprocessError):
        return "", None
    # (Exit 1: not an ancestor; anything else, e.g. a shallow clone without that commit: not known.)
    after = True if ancestor.returncode == 0 else False if ancestor.returncode == 1 else None
    return head.stdout.strip(), after


def _read(path: str, root: str, record: ReadRecord) -> str | None:
    """A file of the checkout at ``root`` through the one reader of side files (regular files
    inside the checkout only, bounded); None when it is missing or may not be read (the fact it
    would tell stays at the union of every version, with a note)."""
    try:
        return read_side_file(path, within=root, record=record).decode("utf-8", "replace")
    except Unreadable:
        return None


def _row_reductions_fixed(root: str, notes: list[str], record: ReadRecord) -> bool:
    """Whether the three row reductions' ``_IMPL`` bodies hold no ``return`` (pto-isa 5a2e8553 on)."""
    for header, impl in ROW_REDUCE_IMPLS:
        path = os.path.join(root, A2A3_DIR, header)
        text = _read(path, root, record)
        # raw-text scan: a pto-isa header's text (not a file the parser reads into a model)
        body = _function_body(masked_literals(text), impl) if text is not None else None
        if body is None:
            notes.append(f"no {impl} definition read in {path}: reductions with an empty valid shape are taken "
                         "not to drain (as before pto-isa " + ROW_REDUCE_FIX_COMMIT + ")")
            return False
        if re.search(r"\breturn\b", body):
            return False      # the early return of the versions before the fix
    return True


def _function_body(code: str, name: str) -> str | None:
    """The text between the braces of the one definition of ``name`` in ``code`` (comments and
    literals blanked), None unless there is exactly one."""
    bodies = []
    # (Brackets paired in one pass, not scanned from each use of the name: `name(` 8,000 times
    # with no `)` was quadratic, issue #60.)
    closing = _pairs(code, "(", ")")
    braces: dict[int, int] | None = None
    for match in re.finditer(rf"\b{name}\s*\(", code):
        i = closing.get(match.end() - 1, len(code))
        rest = _BODY_OPENS.match(code, i)
        if rest is None:
            continue          # a declaration or a call
        start = rest.end()
        if braces is None:
            braces = _pairs(code, "{", "}")
        j = braces.get(start - 1)
        if j is None:
            return None
        bodies.append(code[start:j - 1])
        if len(bodies) > 1:
            return None
    return bodies[0] if len(bodies) == 1 else None


_BODY_OPENS = re.compile(r"\s*(?:const\s*)?\{")


def _pairs(code: str, opening: str, closing: str) -> dict[int, int]:
    """Each ``opening`` of ``code`` that is closed: its offset -> the offset just past its ``closing``."""
    found: dict[int, int] = {}
    open_at: list[int] = []
    for bracket in re.finditer(re.escape(opening) + "|" + re.escape(closing), code):
        if bracket.group() == opening:
            open_at.append(bracket.start())
        elif open_at:
            found[open_at.pop()] = bracket.end()
    return found


def _tpipe_order(root: str, notes: list[str], record: ReadRecord) -> str:
    """The TPipe template's order in the checkout's TPush.hpp ('' when not one known order)."""
    path = os.path.join(root, HEADER_RELPATH)
    text = _read(path, root, record)
    order = _declared_order(text) if text is not None else None
    if order in (NEW, OLD, NO_NOSPLIT):
        return order
    notes.append(f"no TPipe template of a known order read in {path}: a Tile-form TPOP's ring may have any "
                 "depth a header binds")
    return ""


_CONSUMER_RING_HEAD = re.compile(r"\b(?:C2V|V2C)_CONSUMER_BUF\s*\+")     # then its step, up to the `;`


def pto_lib_tpipe_order(path: str) -> tuple[str, str | None]:
    """local-slot-num's `pto-lib` (``path``: a pto-isa checkout, its ``include`` directory or the TPipe
    header itself, tpipe.pto_lib_headers): the header found, read as an input of the run
    (source.read_source, whose errors stop it), and the order of the TPipe template it declares
    (_declared_order: NEW, OLD, NO_NOSPLIT, cpp/pipes.AMBIGUOUS_ORDER, or None when it declares
    none). ('', None) when no candidate is a file."""
    for candidate in pto_lib_headers(path):
        if os.path.isfile(candidate):
            return candidate, _declared_order(read_source(candidate).text)
    return "", None


def _declared_order(text: str) -> str | None:
    """The order of the TPipe template the text of a TPush.hpp declares: read through the C++
    model's one `#if` evaluator (cpp/pipes.header_order), for a checkout and for a pto-lib alike."""
    from .cpp.pipes import header_order
    return header_order(text)


def _tpop_stride(root: str, notes: list[str], record: ReadRecord) -> str:
    """The stride of the Tile-form TPOP's local ring in the checkout's TPush.hpp (tpipe.STRIDE_*),
    '' unless every consumer-ring address expression spells one and the same."""
    path = os.path.join(root, HEADER_RELPATH)
    text = _read(path, root, record)
    found = set()
    # raw-text scan: a pto-isa header's text (not a file the parser reads into a model)
    code = masked_literals(text) if text is not None else ""
    semicolon = -1
    for match in _CONSUMER_RING_HEAD.finditer(code):
        # (The next `;` found once for all the heads before it: a regex reading each head to its
        # `;` was quadratic in heads with none after them, issue #60.)
        if semicolon < match.end():
            semicolon = code.find(";", match.end())
            if semicolon < 0:
                break
        step = re.sub(r"\s+", "", code[match.end():semicolon])
        if "LOCAL_SLOT_NUM)*" not in step:
            found.add("")
        elif step.endswith("*RingFiFo::SLOT_SIZE"):
            found.add(STRIDE_SLOT)
        elif step.endswith(("*ConsM*ConsN*sizeof(T)", "*TileCons::Rows*TileCons::Cols*sizeof(T)")):
            found.add(STRIDE_TILE)
        else:
            found.add("")
    if len(found) == 1 and "" not in found:
        return found.pop()
    notes.append(f"no one Tile-form TPOP ring stride read in {path}: both the tile size and SlotSize count")
    return ""
