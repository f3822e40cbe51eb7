"""Where a macro the model cannot read may act: the function bodies that hold every use of it.

A macro that pastes tokens, holds a declaration keyword, a brace or a ';' (parser's
declaring_macros) may expand to anything where it is used. When every use of it, and of every
macro whose replacement names it (the closure a rescan reaches), lies inside the bodies of the
file's functions, and its own replacement can neither close nor open a block (its brackets pair up
in order, no digraph, no `##` that may form one from an argument, no `_Pragma`), its expansion
stays inside those bodies: it may declare block-scope names, jump within the function, call
anything, but it ends before the function's closing brace, so no other function's code changes.
Those functions are then unknown, not the file (the `#define` inside a `switch` of
pto-kernels' fast_hadamard.cpp, used once there through an X-macro).

Fail closed: a use outside every function body (file scope, a function's head, a class body), in a
directive but its own `#define`/`#undef` or an `#if` test, a header included after its definition
(which may use it), an identifier that a line splice or a universal character name may spell
unseen, any of these keeps the whole file unknown.
"""
from __future__ import annotations

import re
from bisect import bisect_right

from .. import regex_cache
from ..located import Located
from .keywords import CPP_KEYWORDS
from .model import Compound, CppFile, Function, OpaqueStmt
from .parser import CERTAIN_EXTENT
from .word_index import masked_source

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_WORD = regex_cache.compile(r"[A-Za-z_$][\w$]*")
# A splice inside an identifier (`MAC\<newline>RO`), a universal character name (`MAC\u0052O`):
# a use the word scan does not see.
_HIDDEN_SPELLING = regex_cache.compile(r"[\w$]\\[ \t]*\r?\n[ \t]*[\w$]|\\[uU][0-9A-Fa-f]")
_DIGRAPHS = ("<%", "%>", "<:", ":>", "%:")
_PAIRS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = {")": "(", "]": "[", "}": "{"}


def _contained_replacement(replacement: tuple[str, ...], params: tuple[str, ...] | None, text: str) -> bool:
    """Whether a replacement list can neither close nor open a bracket of the code around its use:
    its brackets pair up in order, it spells no digraph and no `_Pragma`, and no `##` has a
    parameter or a punctuator as an operand (`<` `##` `%` forms `{`)."""
    if any(digraph in text for digraph in _DIGRAPHS) or "_Pragma" in replacement or "__pragma" in replacement:
        return False
    open_brackets: list[str] = []
    for k, token in enumerate(replacement):
        if token in _PAIRS:
            open_brackets.append(token)
        elif token in _CLOSERS:
            if not open_brackets or open_brackets.pop() != _CLOSERS[token]:
                return False
        elif token == "##":
            for operand in replacement[k - 1:k] + replacement[k + 1:k + 2]:
                if operand in (params or ()) or operand == "__VA_ARGS__" or not _WORD.fullmatch(operand) \
                        and not operand[:1].isdigit():
                    return False
    return not open_brackets


def confined_macro_functions(model: CppFile, names: frozenset[str] | set[str],
                             header_expansions: dict[str, set[str]] | None = None
                             ) -> dict[str, tuple[Function, ...]] | str:
    """For macros ``names`` of the file: each -> the functions whose bodies hold all its uses, or
    why one of them may act outside function bodies (see the module doc). ``header_expansions``:
    each macro of the headers the file includes -> the names its replacement lists write (a use
    of such a macro in the file expands to them: `#define N M` in a header, `N` at file scope)."""
    text = model.source.text
    code = masked_source(model)
    if _HIDDEN_SPELLING.search(code):
        return "a line splice or a universal character name may spell a use of it unseen"
    definitions = [d for d in model.macro_table if d.defines]
    # The closure: a macro whose replacement names one of them expands to it where it is used.
    readers: dict[str, set[str]] = {}
    for definition in definitions:
        for token in definition.replacement:
            readers.setdefault(token, set()).add(definition.name)
    for macro, words in (header_expansions or {}).items():
        for word in words:
            readers.setdefault(word, set()).add(macro)
    closure = set(names)
    todo = list(names)
    while todo:
        for reader in readers.get(todo.pop(), ()):
            if reader not in closure:
                closure.add(reader)
                todo.append(reader)
    for definition in definitions:
        if definition.name in names and not _contained_replacement(definition.replacement, definition.params,
                                                                   definition.text):
            return Located("its replacement list (", model.source.place(definition.span.start),
                           ") may close or open a block")
    # A header included after a definition may use the name.
    first_definition = min((d.span.start for d in model.macro_table if d.name in closure), default=len(text))
    late = [offset for _, offset in model.includes if offset > first_definition]
    if late:
        return Located("a header included after its definition (", model.source.place(late[0]), ") may use it")
    # The directives a use may sit in: a #define or #undef (its own name, or the replacement of a
    # macro of the closure), an #if test; any other (#include, #pragma, #line) is no place it is.
    definitions_at = _Spans([(d.span, d.name) for d in model.macro_table])
    tests_at = _Spans([(group.span, "") for group in model.conditional_groups])
    # (A body `#if` groups cut across is one too: its extent is the same in every reading.)
    bodies = _Spans([(fn.body.span, fn) for fn in model.functions if isinstance(fn.body, Compound)
                     or isinstance(fn.body, OpaqueStmt) and fn.body.reason in CERTAIN_EXTENT])
    found: dict[str, list[Function]] = {name: [] for name in closure}
    for match in _WORD.finditer(code):
        name = match.group()
        if name not in closure:
            continue
        at = match.start()
        owner = bodies.holding(at)
        in_definition = definitions_at.holding(at)
        if in_definition is not None and (in_definition in closure or owner is not None):
            if owner is not None and owner not in found[name]:
                found[name].append(owner)
            continue
        if tests_at.holding(at) is not None:
            continue
        if owner is None:
            return Located(f"'{name}' is written outside the function bodies (", model.source.place(at), ")")
        if _in_other_directive(code, at):
            return Located(f"'{name}' is written in a directive (", model.source.place(at), ")")
        if owner not in found[name]:
            found[name].append(owner)
    reached: dict[str, tuple[Function, ...]] = {}
    for name in names:
        # (The functions using it directly or through a macro of the closure.)
        users: list[Function] = []
        for member in closure:
            users.extend(fn for fn in found[member] if fn not in users)
        reached[name] = tuple(users)
    return reached


class _Spans:
    """Spans that do not overlap, each with a value: which one holds an offset (a bisection)."""

    def __init__(self, items: list) -> None:
        items = sorted(items, key=lambda item: item[0].start)
        self.starts = [span.start for span, _ in items]
        self.items = items

    def holding(self, at: int) -> Any:
        k = bisect_right(self.starts, at) - 1
        if k < 0:
            return None
        span, value = self.items[k]
        return value if span.start <= at < span.end else None


def _in_other_directive(code: str, at: int) -> bool:
    """Whether the line of ``at`` (splices joined backwards) is a directive."""
    start = code.rfind("\n", 0, at) + 1
    while start >= 2 and code[start - 2] == "\\":
        start = code.rfind("\n", 0, start - 1) + 1
    return code[start:at].lstrip().startswith("#")


# -- braces and ';' inside parentheses --------------------------------------------------------
_DIRECTIVE_LINE = regex_cache.compile(r"^[ \t]*#(?:[^\n]*\\\r?\n)*[^\n]*", re.M)
_CODE_TOKEN = regex_cache.compile(r"[A-Za-z_$][\w$]*|\d[\w.']*|\S")


def structure_in_macro_arguments(model: CppFile, may_be_macro: Callable[[str], bool]) -> int:
    """The offset of the first brace or ';' (but a `for` header's) inside parentheses that may be
    a function-like macro's arguments, -1 if none may be: a brace or ';' there may expand to code
    that closes a block and defines any function (`SWAP({ w(); } void TMUL(...) {, })`).

    A `(` starts a macro's arguments only when the token before it, after expansion, is a
    function-like macro's name: in the source, an identifier that is a macro (``may_be_macro``:
    an object-like one may expand to such a name), or the `)` closing a group that may itself be
    a macro's arguments (`ID(SWAP)(...)`: the expansion ends with the name). Any other token
    before it (a keyword, `>`, `]`, an operator) is the expansion's own. So a brace of a braced
    initializer or a lambda in a call of a function the file declares (`T x(p, {n});`) is no
    macro's argument."""
    text = model.source.text
    if any(digraph in text for digraph in _DIGRAPHS) or _HIDDEN_SPELLING.search(text):
        return model.structure_in_parentheses
    code = _DIRECTIVE_LINE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), masked_source(model))
    # One pass, nothing kept per token: per open bracket, whether it is a '(' that may open a
    # macro's arguments; how many such are open; the previous token, and when it is a ')' whether
    # its group might have been a macro's arguments.
    stack: list[tuple[str, bool]] = []
    suspects = 0
    previous, previous_group = "", False
    for match in _CODE_TOKEN.finditer(code):
        token = match.group()
        if token in ("{", "}", ";") and suspects:
            return match.start()
        if token in ("(", "[", "{"):
            suspect = token == "(" and (
                previous_group if previous == ")" else
                _WORD.fullmatch(previous) is not None and previous not in CPP_KEYWORDS and may_be_macro(previous))
            stack.append((token, suspect))
            suspects += suspect
            previous_group = False
        elif token in (")", "]", "}"):
            if not stack or stack[-1][0] != {")": "(", "]": "[", "}": "{"}[token]:
                return model.structure_in_parentheses      # (unbalanced: as the parser found it)
            _, suspect = stack.pop()
            suspects -= suspect
            previous_group = suspect
        previous = token
    return -1
