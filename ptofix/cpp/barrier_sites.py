"""Where a file spells its barriers: the pipe_barrier(PIPE_V) calls of each function, those at file
scope, in macros or where the model cannot read them, and the groups of functions whose barriers are
decided together."""
from __future__ import annotations

from bisect import bisect_right

from .. import regex_cache
from ..source import SourceText
from . import stmt_parser as A
from .keywords import strip_pto
from .lexical import identifiers, identifiers_among, masked_literals
from .model import CaseLabel, CppFile, ForStmt, Function, IfStmt, OpaqueStmt, SimpleStmt, Stmt, SwitchStmt
from .tokens import tokenize
from .vector_cfg import FunctionCFG

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Final
    pass


def local_mentions(model: CppFile) -> dict[int, set[str]]:
    """id(function) -> the names of the file's functions its text mentions (a lexical scan: the
    identifiers of its span of the text, comments, literals and directives included), read from
    the word index (WordIndex.mentions: the parser's one scan of the words)."""
    text = model.source.text
    names = {fn.name for fn in model.functions}
    read = model.word_index.mentions_of(names) if model.word_index is not None else {}
    mentions: dict[int, set[str]] = {}
    for fn in model.functions:
        found = read.get(fn.span)
        # raw-text scan: a function the index has not read (a model built without the parser's
        # tokens, a function another parse of the file found).
        mentions[id(fn)] = set(found) if found is not None else identifiers_among(text, names, fn.span.start,
                                                                                     fn.span.end)
    return mentions


# A pipe_barrier up to the next ';' (or a macro body's end) that plainly names a pipe other than
# PIPE_V. Anything else (PIPE_V, a comment, a macro, a ';' elsewhere...) may be a PIPE_V barrier.
_OTHER_PIPE_BARRIER: Final = regex_cache.compile(r"\s*\(\s*(?:(?:::)?pto::|::)?PIPE_(?!V\b)[A-Z0-9_]+\s*\)\s*(?:;|\Z)")


def unread_barrier(cfg: FunctionCFG, stmt: Stmt) -> str:
    """Why ``stmt``, which is no barrier event of ``cfg``, still spells what may be a
    ``pipe_barrier(PIPE_V)`` ('' if it does not): a call of pipe_barrier the semantic model reads
    otherwise (a name the function may redeclare, a pipe it cannot read), a statement the grammar
    cannot parse, or a construct the model does not read into (a lambda, a body nested too deep)."""
    if isinstance(stmt, OpaqueStmt):
        if not _may_hold_v_barrier(stmt.text):
            return ""
        return f"inside a construct ptofix does not model ({stmt.reason}): not analysed"
    if not isinstance(stmt, SimpleStmt) or not stmt.spells("pipe_barrier") or not _may_hold_v_barrier(stmt.text):
        return ""
    ast = stmt.ast
    if ast is None:
        return "in a statement the grammar does not understand: not analysed"
    call = ast.expr if isinstance(ast, A.ExprStmt) else None
    if not isinstance(call, A.Call) or strip_pto(call.callee) != "pipe_barrier":
        # `pipe_barrier(PIPE_MTE2), pipe_barrier(PIPE_V);`, one in an initializer or condition:
        # a call in an expression is no barrier statement of the model's.
        return "inside an expression, not a statement of its own: not read as a barrier" \
            if v_barrier_offsets(stmt.text) else ""
    info = cfg.sem.info.get(id(stmt))
    why = info.reason if info is not None and info.reason else "not modelled"
    return f"not read as pipe_barrier(PIPE_V): {why}"


# Why a barrier spelled in a loop's or a branch's header is kept (header_barrier_offsets).
IN_HEADER: Final = ("inside the header of a loop or branch (a for, while, if or switch's parentheses), not a "
             "statement of its own: not read as a barrier")


def header_barrier_offsets(text: str, stmt: Stmt) -> list[int]:
    """File offsets of the pipe_barrier calls that may be PIPE_V's (v_barrier_offsets) spelled in
    the header of ``stmt``, a ``for``/``while`` loop, an ``if`` or a ``switch``: from its keyword to the
    ``)`` that closes its parentheses (a comma expression, a lambda called in the condition, an
    initialiser). The model reads a header as text, never as barrier events, so each is kept and
    listed where it is."""
    if not isinstance(stmt, (ForStmt, IfStmt, SwitchStmt)):
        return []
    if isinstance(stmt, ForStmt):
        own = f"{stmt.init};{stmt.cond};{stmt.step}"
    else:
        own = stmt.cond
    if "pipe_barrier" not in own:
        return []
    start = stmt.span.start
    # raw-text scan: the statement's head, its keyword to the parenthesis that closes its header, for
    # the file offsets of the calls the model keeps as the header's text
    code = masked_literals(text[start:stmt.span.end])
    opening = code.find("(")
    depth = 0
    for index in range(opening, len(code)) if opening >= 0 else ():
        depth += code[index] == "("
        depth -= code[index] == ")"
        if depth == 0:
            return [start + offset for offset in v_barrier_offsets(text[start:start + index + 1])]
    return []


_SPELLED_BARRIER: Final = regex_cache.compile(r"(?<![\w$])pipe_barrier(?![\w$])")


def v_barrier_offsets(text: str) -> list[int]:
    """Offsets in ``text`` of the pipe_barrier calls its code spells (not in a comment or literal)
    that may be PIPE_V's (_may_hold_v_barrier): where the report locates each unread one."""
    # raw-text scan: offsets of the calls a text spells outside comments and literals, in statements the model
    # does not read too
    code = masked_literals(text)
    return [match.start() for match in _SPELLED_BARRIER.finditer(code)
            if not _OTHER_PIPE_BARRIER.match(code, match.end())]


def file_scope_barriers(model: CppFile) -> list[int]:
    """File offsets of the pipe_barrier calls that may be PIPE_V's, and of the uses of macros that
    may expand to one (barrier_macros), in code outside every function body the model reads (a
    definition whose head it cannot parse, a class body, a template, a default argument in a
    function's head), not in a comment, literal or directive: never analysed, so kept, but each is
    reported where it is."""
    text = model.source.text
    macros = barrier_macros(model)
    gaps = barrier_gaps(model, macros)
    if not gaps:
        return []           # (the common case: nothing to tokenize)
    found = []
    for (gap_start, gap_end), spelled in sorted(gaps.items()):
        # A gap starts in code (a body's closing brace, or the file's start): its tokens are the
        # file's. A word token is code (not a comment, literal or directive); it may be qualified
        # (`::pipe_barrier`, `pto::pipe_barrier`): the name is its last part.
        for token in tokenize(SourceText(text[gap_start:gap_end], model.source.path)):
            if token.kind != "w":
                continue
            name = token.text.rpartition("::")[2].strip()
            at = gap_start + token.end - len(name)
            if at in spelled and (name == "pipe_barrier" and not _OTHER_PIPE_BARRIER.match(text, gap_start + token.end)
                                  or name in macros):
                found.append(at)
    return found


def barrier_gaps(model: CppFile, macros: set[str] | frozenset[str]) -> dict[tuple[int, int], set[int]]:
    """The spellings of ``pipe_barrier`` and of ``macros`` outside every function body, by the gap
    between bodies they lie in ((start, end) -> their offsets): file_scope_barriers tokenizes these
    gaps only, not the file (token objects of a large file cost ~35 MiB per MB)."""
    text = model.source.text
    bodies = sorted((fn.body.span.start, fn.body.span.end) for fn in model.functions)
    starts = [start for start, _ in bodies]
    gaps: dict[tuple[int, int], set[int]] = {}
    for word in ("pipe_barrier", *sorted(macros)):
        at = text.find(word)
        while at >= 0:
            k = bisect_right(starts, at) - 1
            if k < 0 or at >= bodies[k][1]:
                gap = (bodies[k][1] if k >= 0 else 0, starts[k + 1] if k + 1 < len(starts) else len(text))
                gaps.setdefault(gap, set()).add(at)
            at = text.find(word, at + 1)
    return gaps


def _may_hold_v_barrier(text: str) -> bool:
    """Whether ``text`` may hold a ``pipe_barrier(PIPE_V)`` (anything but plain other-pipe ones)."""
    start = text.find("pipe_barrier")
    while start >= 0:
        start += len("pipe_barrier")
        if not _OTHER_PIPE_BARRIER.match(text, start):
            return True
        start = text.find("pipe_barrier", start)
    return False


def barrier_macros(model: CppFile) -> frozenset[str]:
    """The macros whose expansion may spell a ``pipe_barrier(PIPE_V)``: a replacement text that may
    hold one (_may_hold_v_barrier), or that names such a macro. The model reads a use of one as the
    macro's name, not as the barrier it expands to, so each use is reported as an unread barrier."""
    if not model.macro_bodies:
        return frozenset()
    found = {name for name, body in model.macro_bodies if _may_hold_v_barrier(body)}
    if not found:
        return frozenset()
    # raw-text scan: a macro's replacement text (the model keeps it as text)
    names_in = [(name, set(identifiers(body))) for name, body in model.macro_bodies]
    grown = True
    while grown:
        grown = False
        for name, words in names_in:
            if name not in found and not found.isdisjoint(words):
                found.add(name)
                grown = True
    return frozenset(found)


def function_may_hold_v_barrier(text: str, fn: Function, macros: frozenset[str]) -> bool:
    """Whether ``fn`` may spell a PIPE_V barrier: in its text, or through a use of ``macros``."""
    if _may_hold_v_barrier(text[fn.span.start:fn.span.end]):
        return True
    # raw-text scan: a function's span of the text, every word of it, unread statements and macro arguments
    # included
    return bool(macros) and not macros.isdisjoint(identifiers(text, fn.span.start, fn.span.end))


def macro_barrier(stmt: Stmt, macros: frozenset[str]) -> str:
    """Why ``stmt`` is an unread barrier through a macro ('' if it is not): it uses one of
    ``macros`` (barrier_macros) in its own text (a compound statement's header, not its body). A
    directive is no use: a #define's own body is not executed where it stands."""
    if not macros:
        return ""
    if isinstance(stmt, (SimpleStmt, OpaqueStmt, CaseLabel)):
        own = stmt.text
    elif isinstance(stmt, ForStmt):
        own = f"{stmt.init};{stmt.cond};{stmt.step}"
    elif isinstance(stmt, (IfStmt, SwitchStmt)):
        own = stmt.cond
    else:
        return ""
    # raw-text scan: a loop or branch header, kept as text by the model
    used = macros.intersection(identifiers(own))
    if not used:
        return ""
    return f"uses the macro '{min(used)}', whose expansion may hold a pipe_barrier(PIPE_V): not analysed"


def candidate_groups(model: CppFile, groups: list[list[Function]]) -> list[list[Function]]:
    """The ``groups`` that hold a function that may contain ``pipe_barrier(PIPE_V)``.

    A group without a candidate has no decision to make, and no other group reads it: it is not
    modelled at all (nor are its statements parsed). A line splice could hide a barrier or a name
    from the text scans, so then every group is kept.
    """
    text = model.source.text
    if splice_may_hide_a_barrier(text):
        return groups
    macros = barrier_macros(model)
    return [group for group in groups if any(function_may_hold_v_barrier(text, fn, macros) for fn in group)]


def may_hold_candidate(model: CppFile) -> bool:
    """Whether candidate_groups may find a group, whatever the grouping: a function may hold a
    barrier, or a line splice may hide one."""
    text = model.source.text
    if splice_may_hide_a_barrier(text):
        return True
    macros = barrier_macros(model)
    return any(function_may_hold_v_barrier(text, fn, macros) for fn in model.functions)


def splice_may_hide_a_barrier(text: str) -> bool:
    # (A 2-character search reads the whole text; a 1-character one is a memchr, so it gates them.)
    return "\\" in text and ("\\\n" in text or "\\\r" in text)
