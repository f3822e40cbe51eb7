"""Whether a file's writes of the CTRL register (`set_ctrl`) provably leave the mask mode alone.

`set_ctrl` writes the whole CTRL register, whose bit 56 selects count mode (pto/ctrl_register.py),
so a file that names it is read as one that may leave the vector unit in count mode. A function
that saves CTRL, flips saturation bits and restores the saved value does not:

    uint64_t saved = get_ctrl();                      // the first statement
    set_ctrl(sbitset0(saved, SAT_MODE_BIT));          // any number of these, anywhere
    ...
    set_ctrl(saved);                                  // the last statement

Proven here, per function, from its body alone: every `set_ctrl` of the text is the callee of a
call statement of such a function; each writes the saved value, `get_ctrl()`, or either with
bits changed by sbitset0/sbitset1 whose index is a known constant among the value-only bits
(ctrl_register.VALUE_ONLY_CTRL_BITS, never the count-mode bit); the saved variable is a 64-bit
unsigned local named nowhere else in the function (never reassigned, incremented, passed or
addressed); the body has no way out before its last statement (`return`, `goto`, `throw`,
`co_return`, `longjmp`), no inline assembly, no other count-mode name, no lambda or braced
initializer (a `{` in a statement), no `#if` and nothing the model cannot read. Then the last
statement writes back the whole register as it was when the function began (anything the body
calls in between included), and the function's writes changed no mask-mode bit while it ran.
What the function's own vector work does is not told here (its intrinsic calls stay Unknown
work for its callers). Whether the names it relies on (`set_ctrl`, `get_ctrl`, `sbitset0`, the
bit constants, the saved value's type) are macros somewhere, or are declared again elsewhere, the
caller checks with ``CtrlProof.relied_names`` (every word of the body: a macro there may hide a
way out or a write of the saved value) and ``CtrlProof.bit_names`` (a constant only of an integer
type spelled with keywords: a class type may convert 59 to 56).
"""
from __future__ import annotations

from ..located import Located
from ..pto.ctrl_register import (
    CTRL_BIT_FUNCTIONS,
    CTRL_VALUE_TYPES,
    GET_CTRL,
    PTO_CTRL_BIT_CONSTANTS,
    SET_CTRL,
    value_only_bit,
)
from ..pto.ops import COUNT_MODE_NAMES
from . import stmt_parser as A
from .lexical import code_only, identifiers
from .model import Comment, Compound, CppFile, Function, OpaqueStmt, SimpleStmt, Stmt
from .statement_forms import has_splice
from .word_index import code_between

# The names a save/restore is written with, and the saved value's possible types: none of them may
# be declared by the file or (checked by the caller) by another header or a macro.
CTRL_NAMES = frozenset({SET_CTRL, GET_CTRL, *CTRL_BIT_FUNCTIONS}) | CTRL_VALUE_TYPES

# Words that leave a function before its last statement, or write registers behind the model's
# back (inline assembly).
_WAYS_OUT = frozenset({"return", "goto", "throw", "co_return", "co_yield", "co_await", "longjmp", "siglongjmp",
                       "_longjmp", "__builtin_longjmp", "setjmp", "exit", "abort", "trap",
                       "asm", "__asm__", "__asm"})
_INTEGER_SUFFIX = "uUlL"


class CtrlProof:
    """The outcome of reading every `set_ctrl` of a file: ``why`` ('' when proven); the names the
    proof took at their meaning (to be no macro anywhere: ``relied_names``), and each bit-index
    constant it read from the file's own declarations with its value (``bit_names``: to be
    declared nowhere else, or as pto declares it)."""

    __slots__ = ("why", "relied_names", "bit_names")

    def __init__(self, why: str, relied_names: frozenset[str] = frozenset(),
                 bit_names: dict[str, int] | None = None) -> None:
        self.why = why
        self.relied_names = relied_names
        self.bit_names = {} if bit_names is None else bit_names


def set_ctrl_offsets(text: str) -> list[int]:
    """Every offset where ``text`` spells `set_ctrl`, inside a longer word too (as the count-mode
    scan finds it)."""
    found = []
    pos = text.find(SET_CTRL)
    while pos != -1:
        found.append(pos)
        pos = text.find(SET_CTRL, pos + len(SET_CTRL))
    return found


def prove_ctrl_preserved(model: CppFile) -> CtrlProof:
    """Whether every place the model's text names `set_ctrl` is a call statement of a function
    that saves and restores CTRL as the module says (``CtrlProof.why`` says where not)."""
    text = model.source.text
    if "$" in text or has_splice(text):
        return CtrlProof("a line splice or '$' may join a word with set_ctrl")
    bodies = [(fn, fn.body) for fn in model.functions if isinstance(fn.body, Compound)]
    defined = {fn.name for fn in model.functions}
    declared = sorted(CTRL_NAMES.intersection(word for decl in model.globals for word in decl.words))
    if declared:
        return CtrlProof(f"the file declares '{declared[0]}' (a declaration of its own may be what the calls name)")
    proven: dict[int, str] = {}
    relied: set[str] = set()
    bits: dict[str, int] = {}
    for offset in set_ctrl_offsets(text):
        where = model.source.place(offset)       # (kept as data: located.Located)
        end = offset + len(SET_CTRL)
        if (offset and (text[offset - 1].isalnum() or text[offset - 1] == "_")) \
                or (end < len(text) and (text[end].isalnum() or text[end] == "_")):
            return CtrlProof(Located(where, ": a word that holds 'set_ctrl'"))
        owner = next(((fn, body) for fn, body in bodies if body.span.start < offset < body.span.end), None)
        if owner is None:
            return CtrlProof(Located(where, ": 'set_ctrl' outside a function body (a macro, a declaration or a "
                                            "comment)"))
        fn, body = owner
        if fn.qualified or fn.conditional or fn.name in (SET_CTRL, GET_CTRL, *CTRL_BIT_FUNCTIONS):
            return CtrlProof(Located(where, ": 'set_ctrl' in a member, a qualified or an #if-defined function"))
        stmt = min((s for s in body.walk() if s is not body and s.span.start <= offset < s.span.end),
                   key=lambda s: s.span.end - s.span.start, default=None)
        call = _set_ctrl_call(stmt)
        if call is None or stmt is None or stmt.span.start + call.func.start != offset:
            return CtrlProof(Located(where, ": 'set_ctrl' not the callee of a call statement"))
        if id(fn) not in proven:
            why = _function_preserves(fn, body, text, model, defined, relied, bits)
            proven[id(fn)] = why
        if proven[id(fn)]:
            return CtrlProof(Located(where, ": ", proven[id(fn)]))
    return CtrlProof("", frozenset(relied), bits)


def _set_ctrl_call(stmt: Stmt | None) -> A.Call | None:
    """The `set_ctrl(x)` call a statement is (one argument, a plain name as callee), else None."""
    if not isinstance(stmt, SimpleStmt):
        return None
    ast = stmt.ast
    if not isinstance(ast, A.ExprStmt) or not isinstance(ast.expr, A.Call):
        return None
    call = ast.expr
    if not isinstance(call.func, A.Name) or call.func.id != SET_CTRL or len(call.args) != 1:
        return None
    return call


def _function_preserves(fn: Function, body: Compound, text: str, model: CppFile, defined: set[str],
                        relied: set[str], bits: dict[str, int]) -> str:
    """'' when ``fn`` saves CTRL first, restores it last and writes only what the module allows in
    between; else why not. Adds the names it relies on to ``relied`` and the bit constants it read
    to ``bits``."""
    statements = [stmt for stmt in body.body if not isinstance(stmt, Comment)]
    if not statements:
        return "an empty function"
    for stmt in body.walk():
        if stmt is body:
            continue
        if isinstance(stmt, OpaqueStmt) or (isinstance(stmt, SimpleStmt) and stmt.ast is None
                                            and SET_CTRL in stmt.text):
            return "a statement the model does not read"
        if type(stmt).__name__ in ("PPIfStmt", "Directive"):
            return "a preprocessor directive in the function"
        # raw-text scan: a statement's text (its braces outside comments and literals): the model keeps the
        # text
        if isinstance(stmt, SimpleStmt) and "{" in code_only(stmt.text):
            return "a lambda or braced initializer in the function"
    # (The body's text with comments and literals removed, rebuilt from the tokens: every word the
    # compiler sees in it, in macro arguments and in statements the model reads as Unknown too.
    # Only for a function that calls set_ctrl.)
    code = code_between(model, body.span.start, body.span.end)
    # raw-text scan: the words of the body's code, read above
    words = identifiers(code)
    out = sorted(_WAYS_OUT.intersection(words))
    if out:
        return f"'{out[0]}' in the function (a way out before CTRL is restored, or assembly)"
    for word in set(words):
        other = next((name for name in COUNT_MODE_NAMES if name != SET_CTRL and (
            word.startswith(name) if name == "TCI" else name in word)), "")
        if other:
            return f"'{word}' in the function, which may leave count mode"
    first, last = statements[0], statements[-1]
    saved = _saved_ctrl(first)
    if not saved:
        return "its first statement does not save get_ctrl() in a 64-bit unsigned local"
    restore = _set_ctrl_call(last)
    if restore is None or not isinstance(restore.args[0], A.Name) or restore.args[0].id != saved:
        return f"its last statement is not `set_ctrl({saved});`"
    # raw-text scan: the words of a function's head, rebuilt without comments and literals (only for
    # a function that calls set_ctrl)
    head_words = set(identifiers(code_between(model, fn.span.start, body.span.start)))
    if saved in head_words:
        return f"'{saved}' is a parameter's name too"
    uses = 0
    local_bits: dict[str, int] = {}
    bit_uses: list[str] = []
    for stmt in body.walk():
        call = _set_ctrl_call(stmt)
        if call is None:
            continue
        counted = _preserving(call.args[0], saved, head_words, model, local_bits, bit_uses)
        if counted < 0:
            return f"`{text[stmt.span.start:stmt.span.end].strip()}` may write a mask-mode bit"
        uses += counted
    if words.count(saved) != uses + 1:
        return f"'{saved}' is used otherwise than as the value set_ctrl writes back"
    for name in local_bits:
        # (Named elsewhere in the body: a local declaration may shadow the file's constant.)
        if words.count(name) != bit_uses.count(name):
            return f"the bit constant '{name}' is named otherwise than as a bit index in the function"
    bits.update(local_bits)
    for name in (SET_CTRL, GET_CTRL, *CTRL_BIT_FUNCTIONS):
        if name in defined:
            return f"the file defines '{name}'"
    type_name = first.ast.type.name if isinstance(first, SimpleStmt) and isinstance(first.ast, A.Decl) else ""
    relied.update((SET_CTRL, GET_CTRL, *CTRL_BIT_FUNCTIONS, saved, *type_name.split("::")[-1:]))
    # Any word of the body may be a macro hiding a way out before the restore (`#define BAIL
    # return`, then `if (n) BAIL;`): the caller finds none is a macro of the run or a header.
    relied.update(words)
    relied.update(bits)
    return ""


def _saved_ctrl(stmt: Stmt) -> str:
    """The name of the local `uint64_t v = get_ctrl();` declares ('' if the statement is not that)."""
    if not isinstance(stmt, SimpleStmt) or not isinstance(stmt.ast, A.Decl):
        return ""
    decl = stmt.ast
    init = decl.init
    kind = decl.type
    if decl.ctor_args is not None or decl.array or kind.pointer or kind.ref or kind.template is not None \
            or kind.name not in CTRL_VALUE_TYPES or set(kind.quals) - {"const"}:
        return ""
    if not isinstance(init, A.Call) or not isinstance(init.func, A.Name) or init.func.id != GET_CTRL or init.args:
        return ""
    return str(decl.name)


def _preserving(node: A.Node, saved: str, head_words: set[str], model: CppFile, bits: dict[str, int],
                bit_uses: list[str]) -> int:
    """How many times ``node`` names ``saved`` when it is a value with CTRL's mask mode as saved:
    the saved name, `get_ctrl()`, or `sbitset0/1(such a value, value-only bit)`; -1 otherwise.
    Each bit constant read goes to ``bits`` (its value) and ``bit_uses`` (once a use)."""
    if isinstance(node, A.Name):
        return 1 if node.id == saved else -1
    if not isinstance(node, A.Call) or not isinstance(node.func, A.Name):
        return -1
    if node.func.id == GET_CTRL:
        return 0 if not node.args else -1
    if node.func.id not in CTRL_BIT_FUNCTIONS or len(node.args) != 2:
        return -1
    bit = _constant_bit(node.args[1], head_words, model, bits)
    if bit is None or not value_only_bit(bit):
        return -1
    if isinstance(node.args[1], A.Name):
        bit_uses.append(node.args[1].id)
    return _preserving(node.args[0], saved, head_words, model, bits, bit_uses)


def _constant_bit(node: A.Node, head_words: set[str], model: CppFile, bits: dict[str, int]) -> int | None:
    """The value of a bit index: an integer literal, or a name every file-scope declaration of
    which is `constexpr <integer type> NAME = <literal>;` with one value (pto's own value too, for
    a name pto declares); None when not known. A name of the function's head (a template or
    function parameter) is not known."""
    if isinstance(node, A.Number):
        return _integer(node.text)
    if not isinstance(node, A.Name):
        return None
    name = node.id
    if name in head_words:
        return None
    values = set()
    for decl in model.globals:
        if name not in decl.words:
            continue
        ast = decl.declarator
        if decl.kind != "variable" or decl.name != name or "constexpr" not in decl.words \
                or not isinstance(ast, A.Decl) or not isinstance(ast.init, A.Number) \
                or not _keyword_integer(ast.type):
            return None
        value = _integer(ast.init.text)
        if value is None:
            return None
        values.add(value)
    if name in PTO_CTRL_BIT_CONSTANTS:
        values.add(PTO_CTRL_BIT_CONSTANTS[name])
    if len(values) != 1:
        return None
    [value] = values
    bits[name] = value
    return value


# Integer types spelled with keywords only: no declaration can make one a class (`struct Bit {
# constexpr Bit(int x) : v(x - 3) {} ... }; constexpr Bit SAT = 59;` is bit 56, and so is a
# `uint8_t` a namespace aliases to such a class).
_KEYWORD_INTEGER_TYPES = frozenset({"int", "signed", "signed int", "unsigned", "unsigned int", "short",
                                    "unsigned short", "long", "unsigned long", "long long", "unsigned long long"})


def _keyword_integer(kind: A.TypeRef) -> bool:
    """Whether a declaration's type is a plain integer type spelled with keywords only."""
    return kind.name in _KEYWORD_INTEGER_TYPES and not kind.pointer and not kind.ref and kind.template is None


def _integer(text: str) -> int | None:
    """The value of a decimal or hexadecimal integer literal (None for any other spelling)."""
    digits = text.rstrip(_INTEGER_SUFFIX).replace("'", "")
    try:
        if digits.lower().startswith("0x"):
            return int(digits, 16)
        if digits.isdigit() and (digits == "0" or not digits.startswith("0")):
            return int(digits)
    except ValueError:
        return None
    return None
