"""Parse one C++ statement into the typed AST of ``stmt_ast``.

The statement parser is ``fast_expr``'s recursive-descent parser. In front of it, regex fast paths
read the statement shapes that make up most of ptoas output (calls with plain arguments, tile and
GM-view declarations, scalar setup) into the very AST it builds (tests compare both on every
corpus statement): they are ~3x faster on those. Statement ASTs are shared by text per file.
"""
from __future__ import annotations

import itertools
import re

from .. import regex_cache
from ..pto.ops import pto_macro_names
from ..pto.tiles import dtype_size
from . import fast_expr
from .aggregate_init import (
    LOCAL_AGGREGATE_MARK,
    braced_aggregate_as_parentheses,
    braced_scalar_as_parentheses,
    local_aggregate,
)
from .fast_expr import FALLBACK, name_end
from .keywords import NOT_DECLARATOR_NAMES, NOT_TYPE_NAMES, is_compiler_word, is_reserved_identifier
from .stmt_ast import (
    MAX_EXPRESSION_NESTING,
    MAX_GRAMMAR_CHARS,
    Assign,
    AssignStmt,
    Binary,
    Call,
    Cast,
    Comma,
    Decl,
    ExprStmt,
    Fallback,
    IncDec,
    Index,
    Literal,
    Member,
    Name,
    Node,
    Number,
    ReturnStmt,
    SizeOf,
    String,
    TemplateId,
    Ternary,
    TypeAlias,
    TypeRef,
    Unary,
    argument_name_ids,
    name_ids,
    walk,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Final

# (The module's constants and tables are Final, as fast_expr's: a compiled build reads a Final
# from a C variable, where it looks any other global up in the module's dict at each use: ~20
# lookups a statement parsed, one or two an atom. _FAST_TEMPLATED_CALL and _RECENT_MAX are not:
# tests replace them.)
__all__ = ["MAX_EXPRESSION_NESTING", "MAX_GRAMMAR_CHARS", "Assign", "AssignStmt", "Binary", "Call", "Cast", "Comma",
           "Decl", "ExprStmt", "Fallback", "IncDec", "Index", "Literal", "Member", "Name", "Node", "Number",
           "ReturnStmt", "SizeOf", "String", "TemplateId", "Ternary", "TypeAlias", "TypeRef", "Unary",
           "argument_name_ids", "name_ids", "walk"]

# Fast path for the statement shapes that make up most of ptoas output: calls with plain
# arguments, `Tile<plain args> vN;`, template-typed declarations (`T<...> vN = T<...>(args);`,
# `T<...> vN(args);`) and `[const] T vN = literal-or-name;`. They build the same AST the statement
# parser (fast_expr.py) would (tests compare both), ~4x faster on them; anything else goes to that parser
# (scripts/parser_paths.py measures both paths).
# An atom: a name, a qualified name or a number (an exponent's sign included). Its runs are
# possessive: no pattern below follows an atom with a character an atom may hold ([\w:.], or a
# sign right after a digit and an exponent letter), so giving one back never helps a match.
_ATOM = r"-?[A-Za-z_0-9][\w:.]*+(?:(?<=\d[eE])[+-][\w:.]*+)*+"
_OPERAND = _ATOM + r"(?:\s+[-+*]\s+" + _ATOM + r")?"
_FAST_CALL: Final = regex_cache.compile(
    r"([A-Za-z_]\w*+)\(\s*((?:" + _OPERAND + r"\s*,\s*)*" + _OPERAND + r")?\s*\);\Z")
_FAST_ASSIGN: Final = regex_cache.compile(r"([A-Za-z_]\w*)(\s*)=(\s*)(" + _ATOM + r")\s*;\Z")
_FAST_BARE_DECL: Final = regex_cache.compile(r"((?:const\s+)?)([A-Za-z_]\w*)(\s+)([A-Za-z_]\w*)\s*;\Z")
_BINARY_ATOMS: Final = regex_cache.compile(r"(" + _ATOM + r")(\s+)([-+*])(\s+)(" + _ATOM + r")\Z")
_FAST_TILE: Final = regex_cache.compile(r"(Tile)<([^<>()]*)>(\s+)([A-Za-z_]\w*);\Z")
_FAST_SCALAR: Final = regex_cache.compile(r"((?:const\s+)?)([A-Za-z_]\w*)(\s+)"
                          r"([A-Za-z_]\w*)\s*=\s*(?:\((u?int(?:8|16|32|64)_t|size_t|unsigned|int|float|half|bool)\)\s*)?"
                          r"(" + _ATOM + r"|reinterpret_cast<\w+>\(" + _ATOM + r"\))\s*;\Z")
_FAST_PTR_DECL: Final = regex_cache.compile(
    r"((?:__\w+__\s+)?)(u?int(?:8|16|32|64)_t|float|half|bfloat16_t|bool|void)(\s*)(\*+)\s*"
    r"([A-Za-z_]\w*)\s*=\s*+((?:.*\S)?)\s*+;\Z", re.S)     # the value: as fast_expr's _BUILTIN_DECL reads it
_FAST_CAST_RHS: Final = regex_cache.compile(r"reinterpret_cast<(u?int(?:8|16|32|64)_t)>\((" + _ATOM + r")\)\Z")
_FAST_DATA_RHS: Final = regex_cache.compile(r"([A-Za-z_]\w*)\.data\(\)\Z")
# `Templ<...> vN = Templ<...>(plain args);` and `Templ<...> vN(plain args);`: the GlobalTensor, Shape
# and Stride declarations of every kernel's GM views (a quarter of the statements the fast paths
# above left to the expression parser, and most of its time).
_FAST_TEMPLATE_INIT: Final = regex_cache.compile(
    r"([A-Za-z_][\w:]*<[^()]*>)(\s+)([A-Za-z_]\w*)\s*=\s*([A-Za-z_][\w:]*<[^()]*>)\((.*)\);\Z", re.S)
_FAST_TEMPLATE_CTOR: Final = regex_cache.compile(r"([A-Za-z_][\w:]*<[^()]*>)(\s+)([A-Za-z_]\w*)\((.*)\);\Z", re.S)
# (Possessive: a long run of digits is read once, not once per place it could split.)
_NUMBER_RE: Final = regex_cache.compile(r"-?(0[xX][0-9a-fA-F]++|(\d++\.?+\d*+|\.\d++)([eE][+-]?\d++)?+)[uUlLfF]*+\Z")
_NAME_RE: Final = regex_cache.compile(r"(::)?[A-Za-z_]\w*(::[A-Za-z_]\w*)*\Z")
_NOT_DECLARATOR_NAMES: Final = NOT_DECLARATOR_NAMES      # (read from a C variable: see Final above)
_BUILTIN_WORDS: Final = {"float", "half", "bfloat16_t", "bool", "int8_t", "uint8_t", "int16_t", "uint16_t", "int32_t",
                  "uint32_t", "int64_t", "uint64_t", "int", "unsigned", "double", "size_t"}


def _atom(text: str, start: int) -> Node:
    end = start + len(text)
    if text.isidentifier() and text.isascii():
        # The common case, decided without the regexes below (a plain identifier has no blank
        # for _BINARY_ATOMS and does not start like a number).
        if text in _LITERALS:
            return Literal(start, end, _LITERALS[text])
        return Name(start, end, _share(text))
    if "::" in text and text.isascii():
        # A qualified name (`TileType::Vec`, `::pto::Layout::ND`): no blank, no number, not a
        # literal, and _NAME_RE takes it exactly when every part is an identifier.
        parts = text.split("::")
        qualified = True
        for index, part in enumerate(parts):
            if not (part.isidentifier() or (index == 0 and part == "")):
                qualified = False
                break
        if qualified:
            return Name(start, end, _share(text))
    if text.isdigit() and text.isascii():
        # A plain decimal number (template arguments are mostly these), decided without the
        # regexes below: no blank for _BINARY_ATOMS, and _NUMBER_RE takes it as it is.
        return Number(start, end, _share(text))
    binary = _BINARY_ATOMS.match(text)
    if binary:
        left = _atom(binary.group(1), start)
        right = _atom(binary.group(5), start + binary.start(5))
        if left is FALLBACK or right is FALLBACK or isinstance(left, Unary) or isinstance(right, Unary):
            return FALLBACK
        return Binary(start, end, binary.group(3), left, right)
    if _NUMBER_RE.match(text):
        if text.startswith("-"):
            return Unary(start, end, "-", Number(start + 1, end, _share(text[1:])))
        return Number(start, end, _share(text))
    if text in _LITERALS:
        return Literal(start, end, _LITERALS[text])
    if _NAME_RE.match(text):
        return Name(start, end, _share(text))
    return FALLBACK


_LITERALS: Final = {"true": True, "false": False, "nullptr": None}


def _split_atoms(body: str, offset: int) -> list[Node] | None:
    out: list[Node] = []
    pos = 0
    for part in body.split(","):
        lead = len(part) - len(part.lstrip())
        word = part.strip()
        node = _atom(word, offset + pos + lead) if word else FALLBACK
        if node is FALLBACK:
            return None
        out.append(node)
        pos += len(part) + 1
    return out


_TEMPLATE_TEXT: Final = regex_cache.compile(r"[\w:\s,<>.+-]*\Z")
_TEMPLATE_PUNCT: Final = regex_cache.compile(r"[<>,]")
# (The template ends at the '>' before the last '(', whatever the pattern for its text; one holding
# an '=' is no template _template reads, so it is not matched: `T<...> v = T<...>(args);` goes on
# to _FAST_TEMPLATE_INIT without a template read first.)
_FAST_TEMPLATED_CALL = regex_cache.compile(
    r"((?:auto\s+([A-Za-z_]\w*)\s*=\s*)?)([A-Za-z_][\w:]*<[^=]*>)\(([^()]*)\);\Z", re.S)


def _template(text: str, start: int) -> TemplateId | None:
    """``Name<arg, Name<...>, ...>`` made of atoms and nested templates only (else None).

    Shared per file by text and offset, as whole statements are (see _STATEMENTS): a kernel
    declares and constructs the same GlobalTensor/TPipe types at the same offsets in many
    statements, and these long argument lists are most of the fast path's work."""
    key = (text, start)
    if key in _TEMPLATES:
        return _TEMPLATES[key]
    if len(_TEMPLATES) >= _STATEMENTS_MAX:
        _TEMPLATES.clear()
        _TEMPLATE_TEXTS.clear()
    # The same text read at another offset (`T<...> v = T<...>(args);` spells its type twice): its
    # AST, every offset moved by the distance (_parse_template decides from the text alone;
    # tests/cpp/test_template_rebase.py compares the two).
    node: TemplateId | None = None
    if text in _TEMPLATE_TEXTS:
        known = _TEMPLATE_TEXTS[text]
        if known is None:
            _TEMPLATES[key] = None
            return None
        node = _rebased_template(known, text, start - known.start)
    if node is None:
        node = _parse_template(text, start)
        _TEMPLATE_TEXTS[text] = node
    _TEMPLATES[key] = node
    return node


def _rebased_template(node: TemplateId, text: str, delta: int) -> TemplateId | None:
    """``node`` (the _parse_template AST of ``text``) with every offset moved by ``delta``; None
    if it holds a node _parse_template does not build (then the text is parsed again). A nested
    template is _template's at its new offset: shared with the statements that read it there, as
    a parse there shares it."""
    args: list[Node] = []
    for arg in node.args:
        moved: Node | None
        if isinstance(arg, TemplateId):
            moved = _template(text[arg.start - node.start:arg.end - node.start], arg.start + delta)
        else:
            moved = _rebased_argument(arg, delta)
        if moved is None:
            return None
        args.append(moved)
    return TemplateId(node.start + delta, node.end + delta, node.name, args)


def _rebased_argument(node: Node, delta: int) -> Node | None:
    """An atom or builtin type word of _parse_template's (_template_argument) with every offset
    moved by ``delta``; None for any other node."""
    start, end = node.start + delta, node.end + delta
    if isinstance(node, Name):
        return Name(start, end, node.id)
    if isinstance(node, Number):
        return Number(start, end, node.text)
    if isinstance(node, TypeRef):
        if node.template is not None or node.pointer or node.quals or node.ref:
            return None
        return TypeRef(start, end, node.name)
    if isinstance(node, Literal):
        return Literal(start, end, node.value)
    if isinstance(node, Unary):
        operand = _rebased_argument(node.operand, delta)
        return None if operand is None else Unary(start, end, node.op, operand)
    if isinstance(node, Binary):
        left = _rebased_argument(node.left, delta)
        right = _rebased_argument(node.right, delta)
        return None if left is None or right is None else Binary(start, end, node.op, left, right)
    return None


def _parse_template(text: str, start: int) -> TemplateId | None:
    lt = text.find("<")
    name = text[:lt]
    if lt <= 0 or not text.endswith(">") or not _NAME_RE.match(name) or not _TEMPLATE_TEXT.match(text):
        return None
    args: list[Node] = []
    body_end = len(text) - 1
    if text.find("<", lt + 1) == -1 and text.find(">", lt + 1, body_end) == -1:
        # No nested template (a Tile's arguments): every ',' ends an argument.
        piece_start = lt + 1
        for piece in text[lt + 1:body_end].split(","):
            node = _template_argument(piece, start + piece_start)
            if node is None:
                return None
            args.append(node)
            piece_start += len(piece) + 1
        return TemplateId(start, start + len(text), name, args)
    if text.count("<") > _MAX_TEMPLATE_NESTING and _angles_too_deep(text):
        return None        # (the recursion below is one call a level)
    depth, piece_start = 0, lt + 1
    # Only '<', '>' and ',' matter (the last '>' at body_end among them): visit just those.
    for punct in _TEMPLATE_PUNCT.finditer(text, lt + 1):
        pos = punct.start()
        ch = text[pos]
        if ch == "<":
            depth += 1
        elif ch == ">" and pos != body_end:
            depth -= 1
            if depth < 0:
                return None
        if (ch == "," and depth == 0) or pos == body_end:
            if depth != 0:
                return None
            node = _template_argument(text[piece_start:pos], start + piece_start)
            if node is None:
                return None
            args.append(node)
            piece_start = pos + 1
    return TemplateId(start, start + len(text), name, args)


def _template_argument(piece: str, at: int) -> Node | None:
    """One argument of a template (``piece``, blanks around it, at offset ``at``): a nested
    template, an atom, or a builtin type word (a TypeRef); None if it is none of them."""
    word = piece.strip()
    if not word:
        return None
    at += len(piece) - len(piece.lstrip())
    node: Node | None = _template(word, at) if "<" in word else _atom(word, at)
    if node is None or node is FALLBACK:
        return None
    if isinstance(node, Name) and node.id in _BUILTIN_WORDS:
        return TypeRef(node.start, node.end, node.id)
    return node


def _angles_too_deep(text: str) -> bool:
    depth = 0
    for punct in _TEMPLATE_PUNCT.finditer(text):
        if punct.group() == "<":
            depth += 1
            if depth > _MAX_TEMPLATE_NESTING:
                return True
        elif punct.group() == ">":
            depth -= 1
    return False


def _rhs(text: str, start: int) -> Node:
    """Fast path for the right-hand sides ptoas uses to compute addresses."""
    match = _FAST_DATA_RHS.match(text) if text.endswith(".data()") else None     # (its literal ends it)
    if match:
        name = Name(start, start + match.end(1), match.group(1))
        member = Member(start, start + match.end(1) + 5, name, "data", False)
        return Call(start, start + len(text), member, [])
    # (The pattern starts with its literal: a text without it needs no match, nor the pattern compiled.)
    match = _FAST_CAST_RHS.match(text) if text.startswith("reinterpret_cast<") else None
    if match:
        arg = _atom(match.group(2), start + match.start(2))
        if arg is FALLBACK:
            return FALLBACK
        targ = TypeRef(start + match.start(1), start + match.end(1), match.group(1), None, 0, ())
        tmpl = TemplateId(start, start + match.end(1) + 1, "reinterpret_cast", [targ])
        return Call(start, start + len(text), tmpl, [arg])
    return _atom(text, start)


# Words that start a statement but are not a declared type (the statement parser reads those statements).
_NOT_TYPES: Final = {"return", "const", "auto", "static", "goto", "delete", "new", "using", "typedef", "case",
              "default", "break", "continue", "throw", "namespace", "template", "typename", "volatile",
              "constexpr", "inline", "extern", "register", "struct", "class", "union", "enum", "sizeof"}


_JUMPS: Final = {"break;": "break", "continue;": "continue"}
# `unsigned int;`, `long long;`: the statement parser lexes both words as one builtin type (and then rejects
# the statement), not as a type and a name.
_MULTI_WORD_BUILTIN_HEADS: Final = {"unsigned", "signed", "long"}


def _templated_call_may_match(text: str) -> bool:
    """Whether _FAST_TEMPLATED_CALL may match ``text``: its text before the '(' it calls with holds
    no '=' unless it starts with `auto`, so a declaration `T<...> v = T<...>(args);`, whose '='
    comes before any '(', needs no match (~1 us a statement; tests/cpp/test_fast_path_skips.py)."""
    eq = text.find("=")
    return eq == -1 or eq > text.find("(") or text.startswith("auto")


def _fast_parse_templated(text: str, paren: bool) -> Node | None:
    """_fast_parse's shapes with a template (a templated call, a Tile declaration, a templated
    initialiser or constructor): the node, FALLBACK, or None when none matches."""
    match = _FAST_TEMPLATED_CALL.match(text) if paren and _templated_call_may_match(text) else None
    if match:
        tmpl = _template(match.group(3), match.start(3))
        args = _split_atoms(match.group(4), match.start(4)) if match.group(4).strip() else []
        if tmpl is not None and args is not None:
            close = text.rindex(")")
            call = Call(tmpl.start, close + 1, tmpl, args)
            if not match.group(1):
                return ExprStmt(0, close + 1, call)
            return Decl(0, close + 1, TypeRef(0, 4, "auto", None, 0, ()), match.group(2), call, None)
    match = _FAST_TILE.match(text) if not paren else None      # (its text holds no '(')
    if match:
        # A kernel declares the same few tile types many times: the type is shared (_template).
        tmpl = _template(text[:match.end(2) + 1], 0)
        if tmpl is None:
            atoms = _split_atoms(match.group(2), match.start(2))
            if atoms is None:
                return FALLBACK
            targs: list[Node] = [TypeRef(a.start, a.end, a.id) if isinstance(a, Name) and a.id in _BUILTIN_WORDS
                                 else a for a in atoms]
            tmpl = TemplateId(0, match.end(2) + 1, "Tile", targs)
        type_ = TypeRef(0, tmpl.end, "Tile", tmpl, 0, ())
        return Decl(0, match.end(4), type_, match.group(4), None, None)
    match = (_FAST_TEMPLATE_INIT.match(text) or _FAST_TEMPLATE_CTOR.match(text)) if paren else None
    if match and match.group(3) not in _NOT_NAMES:
        node = _template_decl(match)
        if node is not FALLBACK:
            return node
    return None


def _assign_may_match(text: str) -> bool:
    """Whether _FAST_ASSIGN may match ``text``: its first '=' comes right after a leading name and
    blanks (the pattern's name and blanks hold none), as in `v = x;`, not `int32_t v = x;` (a
    scalar declaration, most statements that reach it: no match tried, ~2 us each;
    tests/cpp/test_fast_path_prefilters.py)."""
    eq = text.find("=")
    if eq <= 0:
        return False
    end = name_end(text, 0)
    return end > 0 and (end == eq or text[end:eq].isspace())


def _fast_parse(text: str) -> Node | None:
    if text == ";":
        return None        # the empty statement: the statement parser reads none either (opaque)
    jump = _JUMPS.get(text)
    if jump is not None:
        return ExprStmt(0, len(jump), Name(0, len(jump), jump))
    if text == "return;":
        return ReturnStmt(0, 0, None)
    # (Every shape below that calls or constructs needs a '(': a statement without one, a Tile or
    # scalar declaration, skips their patterns.)
    paren = "(" in text
    match = _FAST_CALL.match(text) if paren else None
    if match:
        name = match.group(1)
        if name in ("sizeof", "return") or name in _BUILTIN_WORDS:
            return FALLBACK
        args: list[Node] | None = []
        if match.group(2):
            args = _split_atoms(match.group(2), match.start(2))
            if args is None:
                return FALLBACK
        close = text.rindex(")")
        call = Call(0, close + 1, Name(0, len(name), name), args)
        return ExprStmt(0, close + 1, call)
    if "<" in text:       # the template shapes (every regex below until _FAST_PTR_DECL needs one)
        node = _fast_parse_templated(text, paren)
        if node is not None:
            return node
    match = _FAST_PTR_DECL.match(text) if "*" in text else None
    if match:
        value = _rhs(match.group(6), match.start(6))
        if value is FALLBACK:
            return FALLBACK
        quals = (match.group(1).strip(),) if match.group(1) else ()
        type_ = TypeRef(0, match.end(4), match.group(2), None, len(match.group(4)), quals)
        return Decl(0, value.end, type_, match.group(5), value, None)
    match = _FAST_ASSIGN.match(text) if _assign_may_match(text) else None
    if match and match.group(1) not in _NOT_DECLARATOR_NAMES:
        # (A keyword target, `true = v;`, is the parser's to read: a literal, or no statement.)
        value = _atom(match.group(4), match.start(4))
        if value is FALLBACK:
            return FALLBACK
        return AssignStmt(0, value.end, Name(0, match.end(1), match.group(1)), "=", value)
    has_eq = "=" in text        # (_FAST_SCALAR's text holds one, _FAST_BARE_DECL's none)
    match = _FAST_BARE_DECL.match(text) if not has_eq else None
    if match and match.group(2) not in _NOT_TYPES and match.group(2) not in _MULTI_WORD_BUILTIN_HEADS:
        quals = ("const",) if match.group(1) else ()
        type_ = TypeRef(0, match.end(2), match.group(2), None, 0, quals)
        return Decl(0, match.end(4), type_, match.group(4), None, None)
    match = _FAST_SCALAR.match(text) if has_eq else None
    if match:
        type_name = match.group(2)
        if type_name in _NOT_TYPES:
            return FALLBACK
        value = _rhs(match.group(6), match.start(6))
        if value is FALLBACK or (match.group(5) and isinstance(value, Call)):
            return FALLBACK
        if match.group(5):
            cast_t = TypeRef(match.start(5), match.end(5), match.group(5), None, 0, ())
            value = Cast(match.start(5) - 1, value.end, cast_t, value)
        quals = ("const",) if match.group(1) else ()
        type_ = TypeRef(0, match.end(2), type_name, None, 0, quals)
        return Decl(0, value.end, type_, match.group(4), value, None)
    return FALLBACK


def _template_decl(match: re.Match[str]) -> Node:
    """The Decl of a _FAST_TEMPLATE_INIT or _FAST_TEMPLATE_CTOR match, or FALLBACK."""
    tmpl = _template(match.group(1), 0)
    if tmpl is None:
        return FALLBACK
    type_ = TypeRef(0, tmpl.end, tmpl.name, tmpl, 0, ())
    name = match.group(3)
    ctor = match.re.pattern == _FAST_TEMPLATE_CTOR.pattern   # match.re: the compiled pattern (regex_cache)
    group = 4 if ctor else 5
    args = _arguments(match.group(group), match.start(group))
    if args is None:
        return FALLBACK
    if ctor:
        return Decl(0, match.end(3), type_, name, None, args)
    init = _template(match.group(4), match.start(4))
    if init is None:
        return FALLBACK
    close = match.end(5) + 1
    return Decl(0, close, type_, name, Call(init.start, close, init, args), None)


def _arguments(body: str, start: int) -> list[Node] | None:
    """The arguments between a call's parentheses (``body`` at ``start``): plain atoms here, any
    other expression by the fast expression parser; None if that cannot read them."""
    if not body.strip():
        return []
    if "(" not in body and ")" not in body:
        args = _split_atoms(body, start)
        if args is not None:
            return args
    args = fast_expr.parse_args(body, start)
    # (They go two levels down in a Decl's Call: the statement's nesting bound holds for them.)
    if args is not None and any(_within_nesting(arg, 2) is None for arg in args):
        return None
    return args


# Names that cannot be a declared variable's (keywords, builtin types, literals): the statement
# is something else, left to the general parsers.
_NOT_NAMES: Final = _NOT_TYPES | _BUILTIN_WORDS | set(_LITERALS) | {"this", "operator", "new", "delete"}


# Statement ASTs by text. Kernels repeat many statements word for word, an AST holds offsets
# relative to its own text only and no consumer mutates one, so equal texts can share one AST.
# parse_cpp starts each file with an empty table (kept across files it would hold every AST of a
# batch: +46 MiB over the corpus); it is also cleared when full to bound memory.
_STATEMENTS: Final[dict[str, Node | None]] = {}
_STATEMENTS_MAX: Final = 32768
_MISS: Final[Node] = Fallback(-2, -2)      # what a table lookup that finds nothing gets (never stored)
# The most recently used statement ASTs of earlier files, oldest first: kernels of one tree share
# their boilerplate (views, shapes, flags), so a process that parses many kernels parses a third
# of their statements once instead of once per file. 512 entries (~0.8 MiB) are as fast over the
# corpus as 2048 were, which held ~3 MiB: a fixed cost that dominated the peak of a small run.
_RECENT: Final[dict[str, Node | None]] = {}
_RECENT_MAX = 512
_TEMPLATES: Final[dict[tuple[str, int], TemplateId | None]] = {}     # _template results by (text, offset)
_TEMPLATE_TEXTS: Final[dict[str, TemplateId | None]] = {}   # each template text's first _parse_template result


# One string object per distinct identifier or number text of a file's fast-path atoms: a kernel
# names the same few hundred values tens of thousands of times (a 1 MB kernel: 4 MB of strings,
# 56 kB distinct).
_STRINGS: Final[dict[str, str]] = {}


def _share(text: str) -> str:
    return _STRINGS.setdefault(text, text)


def forget_statements() -> None:
    """Drop the shared statement ASTs of this file (those still referenced by a model stay alive
    there), keeping the most recently used ones up to ``_RECENT_MAX``."""
    recent = _RECENT
    if len(_STATEMENTS) >= _RECENT_MAX:
        # This file's last _RECENT_MAX statements push every older one out: the table the loop
        # below would leave, without moving the file's other statements through it first.
        kept = list(itertools.islice(reversed(_STATEMENTS.items()), _RECENT_MAX))
        recent.clear()
        recent.update(reversed(kept))
    else:
        for text, node in _STATEMENTS.items():
            recent.pop(text, None)           # re-inserted: most recent last
            recent[text] = node
        excess = len(recent) - _RECENT_MAX
        if excess > 0:
            for text in list(itertools.islice(recent, excess)):
                del recent[text]
    _STATEMENTS.clear()
    _STRINGS.clear()
    _TEMPLATES.clear()
    _TEMPLATE_TEXTS.clear()


def forget_all_statements() -> None:
    """Drop every shared statement AST, also those kept across files."""
    forget_statements()
    _RECENT.clear()


# C++'s alternative tokens are operators whatever the options (`v xor_eq(4096);` is `v ^= 4096;`,
# [lex.digraph]); the statement parser would read them as names (a declaration of `xor_eq`). A word of
# a comment or string counts too (cheaper than telling them apart; ptoas writes none).
# ALTERNATIVE_TOKEN_WORDS, each a whole word (no letter, digit, '_' or '$' next to it). Spelled to
# start with a character class, so the regex engine skips to a candidate first letter instead of
# trying a lookbehind at every position: 2.5x faster over the corpus's statements, and the same
# matches (tests/cpp/test_cpp_frontend.py compares it with the plain spelling).
ALTERNATIVE_TOKEN_WORDS = ("and", "and_eq", "bitand", "bitor", "compl", "not", "not_eq", "or", "or_eq", "xor",
                           "xor_eq")
_ALTERNATIVE_TOKEN: Final = regex_cache.compile(
    r"[abcnox](?<![\w$][abcnox])"      # a first letter with no word character before it
    r"(?:(?<=a)nd(?:_eq)?|(?<=b)it(?:and|or)|(?<=c)ompl|(?<=n)ot(?:_eq)?|(?<=o)r(?:_eq)?|(?<=x)or(?:_eq)?)"
    r"(?![\w$])")


def _real_declarator(node: Node | None) -> Node | None:
    """``node``, or ``None`` for a declaration that may not declare what it reads as (a name the
    model would then miss): its declarator name is a keyword or qualifier (the statement parser reads
    `TN const (t);` as an object `const` built from `t`, where C++ declares a const `t`), or its
    declarator or type is spelled with a word of the compiler (`TN __const (t);`, clang's
    spelling of const) or one of pto's macros (`TN PTO_INST_HPP (t);` is `TN (t);`), or its type
    is a keyword that cannot be one (`extern TN (t);` read as an object `TN` of type `extern`).
    Alias declarations likewise."""
    if not isinstance(node, (Decl, TypeAlias)):
        return node
    name = node.name
    if name in _NOT_DECLARATOR_NAMES or _may_be_macro(name):
        return None
    if is_reserved_identifier(name) and (isinstance(node, TypeAlias) or node.init is None):
        # A reserved name may be a system header's empty macro (glibc's `__wur`): without it
        # `TN __wur (t);` declares t. With `= value` the rest would not compile, so generated
        # kernels' `int64_t __pypto_gm_block_offset = ...;` still declares what it reads as.
        return None
    refused = _REFUSED_TYPE_NAMES.get(node.type.name)
    if refused is None:
        refused = _refused_type_name(node.type.name)
    return None if refused else node


def _refused_type_name(type_name: str) -> bool:
    """Whether _real_declarator refuses a declaration of the type ``type_name`` (one of its
    ``::`` parts may be a macro, a reserved name or a keyword that names no type; never an element
    type). A function of the name alone, the constant word sets and pto's macro list (read once):
    kept by name in _REFUSED_TYPE_NAMES, as a kernel declares the same few types thousands of
    times (tests/cpp/test_refused_type_names.py compares every kept answer with a fresh one)."""
    if dtype_size(type_name) is not None:
        refused = False     # an element type (pto defines `bfloat16_t` as `half` on other targets)
    else:
        parts = [part for part in type_name.split("::") if part]
        refused = any(_may_be_macro(part) or is_reserved_identifier(part) or part in NOT_TYPE_NAMES
                      for part in parts)
    if len(_REFUSED_TYPE_NAMES) >= _REFUSED_TYPE_NAMES_MAX:
        _REFUSED_TYPE_NAMES.clear()
    _REFUSED_TYPE_NAMES[type_name] = refused
    return refused


# _refused_type_name's answers by type name (bounded: a process may read many files).
_REFUSED_TYPE_NAMES: Final[dict[str, bool]] = {}
_REFUSED_TYPE_NAMES_MAX: Final = 4096


def _may_be_macro(name: str) -> bool:
    return is_compiler_word(name) or name in pto_macro_names()


# Templates the regex fast path reads nested inside one another: with the Decl, TypeRef and an
# atom's two levels around them, its ASTs stay within MAX_EXPRESSION_NESTING (deeper ones go to
# the general parsers, which check the bound).
_MAX_TEMPLATE_NESTING: Final = MAX_EXPRESSION_NESTING - 4
_BRACKETS: Final = regex_cache.compile(r"[()\[\]{}]")


def _brackets_too_deep(text: str) -> bool:
    if len(text) <= MAX_EXPRESSION_NESTING:
        return False        # (fewer characters than the bound: no count needed)
    if text.count("(") + text.count("[") + text.count("{") <= MAX_EXPRESSION_NESTING:
        return False
    depth = 0
    for match in _BRACKETS.finditer(text):
        if match.group() in "([{":
            depth += 1
            if depth > MAX_EXPRESSION_NESTING:
                return True
        else:
            depth -= 1
    return False


def _within_nesting(node: Node | None, above: int = 0) -> Node | None:
    """``node``, or None if its AST, under ``above`` levels of its statement, is more than
    MAX_EXPRESSION_NESTING levels deep."""
    if node is None:
        return None
    stack: list[tuple[Node, int]] = [(node, above + 1)]
    while stack:
        cur, level = stack.pop()
        if level > MAX_EXPRESSION_NESTING:
            return None
        for field in cur._children:
            value = getattr(cur, field)
            if isinstance(value, Node):
                stack.append((value, level + 1))
            elif type(value) is list:
                for item in value:
                    if isinstance(item, Node):
                        stack.append((item, level + 1))
    return node


def nested_too_deep(text: str) -> bool:
    """Whether parse_statement gives None for ``text`` because of its nesting (recomputed: a
    reason must not depend on what an earlier file left in the tables)."""
    if _brackets_too_deep(text):
        return True
    if _ALTERNATIVE_TOKEN.search(text):
        return False
    try:
        node = _fast_parse(text)
    except RecursionError:
        return False
    if node is FALLBACK:
        node = fast_expr.parse_statement(text)
    return node is not None and node is not FALLBACK and _within_nesting(node) is None


# How every alternative token starts: _ALTERNATIVE_TOKEN matches only where one of these starts a
# word (no letter, digit, '_' or '$' before it).
_ALTERNATIVE_TOKEN_HEADS: Final = ("and", "or", "not", "compl", "bit", "xor")


def _may_spell_alternative_token(text: str) -> bool:
    """_ALTERNATIVE_TOKEN.search(text), searched only where an alternative token's first letters
    start a word: most statements have none (`RowMajor` holds an `or`, inside a word)."""
    for head in _ALTERNATIVE_TOKEN_HEADS:
        at = text.find(head)
        while at != -1:
            if at == 0 or not (text[at - 1].isalnum() or text[at - 1] in "_$"):
                return _ALTERNATIVE_TOKEN.search(text) is not None
            at = text.find(head, at + 1)
    return False


def spells_no_alternative_token(identifier_words: set[bytes] | None) -> bool:
    """Whether a text whose identifiers are ``identifier_words`` (SourceText.identifier_words:
    every word of the raw text, comments and literals included, from its first letter or '_' on;
    None: not known) spells none of ALTERNATIVE_TOKEN_WORDS as a word: then neither does any
    statement sliced from it (a statement starts and ends at a token boundary, so each word
    _ALTERNATIVE_TOKEN matches in it is a whole word of the text), and parse_statement needs not
    search each one (``plain``)."""
    return identifier_words is not None and _ALTERNATIVE_TOKEN_BYTES.isdisjoint(identifier_words)


_ALTERNATIVE_TOKEN_BYTES: Final = frozenset(word.encode("ascii") for word in ALTERNATIVE_TOKEN_WORDS)


def parse_statement(text: str, fast: bool = True, plain: bool = False) -> Node | None:
    """Return the statement AST, or ``None`` if the statement parser does not read ``text`` (or it
    is nested deeper than MAX_EXPRESSION_NESTING). ``fast=False``: without the regex fast paths
    (the statement parser alone, uncached; tests compare both). ``plain``: ``text`` is known to
    spell no alternative token (spells_no_alternative_token of the file it is sliced from), the
    same answer without the search for one."""
    if "{" in text:
        aggregate = local_aggregate(text)
        if aggregate is not None:
            return _local_aggregate_decl(text, aggregate)
        text = braced_aggregate_as_parentheses(text) or braced_scalar_as_parentheses(text) or text
    if not fast:
        if _may_spell_alternative_token(text) or _brackets_too_deep(text):
            return None
        return _real_declarator(_refused_as_none(fast_expr.parse_statement(text)))
    node = _STATEMENTS.get(text, _MISS)
    if node is _MISS:
        node = _RECENT.get(text, _MISS)
        if node is _MISS:
            if (not plain and _may_spell_alternative_token(text)) or _brackets_too_deep(text):
                node = None
            else:
                try:
                    node = fast_parse(text)
                except RecursionError:
                    node = None   # nesting deeper than the interpreter's stack: not understood
                node = _real_declarator(node)
        if len(_STATEMENTS) >= _STATEMENTS_MAX:
            forget_statements()
        _STATEMENTS[text] = node
    return node


def _local_aggregate_decl(text: str, aggregate: tuple[str, tuple[tuple[str, ...], ...], str]) -> Node:
    """`union { uint64_t u64; int64_t val; } x;` (aggregate_init.local_aggregate) as the declaration
    of ``x``, whose type names its class key and members: `<local union|uint64_t u64|int64_t val>`."""
    key, members, name = aggregate
    type_name = f"{LOCAL_AGGREGATE_MARK}{key}|{'|'.join(' '.join(words) for words in members)}>"
    brace = text.index("}")
    return Decl(0, len(text), TypeRef(0, brace + 1, type_name, None, 0, (), False), name, None, None, False)


def _refused_as_none(node: Node | None) -> Node | None:
    """The statement parser's answer with its refusal as None, and an AST nested deeper than
    MAX_EXPRESSION_NESTING refused too."""
    return None if node is None or node is FALLBACK else _within_nesting(node)


def fast_parse(text: str) -> Node | None:
    """The regex fast paths, then the statement parser: the AST, or None (refused, or nested
    deeper than MAX_EXPRESSION_NESTING). (The regex paths' ASTs are shallow by their shapes:
    atoms, and templates nested at most _MAX_TEMPLATE_NESTING deep.)"""
    node = _fast_parse(text)
    if node is FALLBACK:
        return None if too_long_for_the_grammar(text) else _refused_as_none(fast_expr.parse_statement(text))
    return node


def parse_condition(text: str) -> Node | None:
    """An ``if``/``for`` condition or a ``for`` step as an expression AST, or ``None``."""
    if _ALTERNATIVE_TOKEN.search(text) or _brackets_too_deep(text):
        return None
    try:
        return _real_declarator(_refused_as_none(fast_expr.parse_header_expression(text)))
    except RecursionError:
        return None


_ALIAS_HEAD: Final = regex_cache.compile(r"\s*(?:\[\[.*?\]\]\s*)*(?:using|typedef)(?![\w$])", re.S)


def parse_for_init(text: str) -> Node | None:
    """A ``for`` init clause (declaration or expression) as an AST, or ``None``. (Not an alias
    declaration, C++23 `for (using T = U; ...)`: the parser would read it as a variable of a type
    named `using`.)"""
    # (_ALIAS_HEAD matches only a text holding `using` or `typedef`: others need no match.)
    if _ALTERNATIVE_TOKEN.search(text) or (("using" in text or "typedef" in text) and _ALIAS_HEAD.match(text)) \
            or _brackets_too_deep(text):
        return None
    try:
        return _real_declarator(_refused_as_none(fast_expr.parse_for_init(text)))
    except RecursionError:
        return None


def parse_parameter(text: str) -> Node | None:
    """One function parameter (``const T& name = default``) as a Decl (name may be ''), or None."""
    if _ALTERNATIVE_TOKEN.search(text) or _brackets_too_deep(text):
        return None
    try:
        return _real_declarator(_refused_as_none(fast_expr.parse_parameter(text)))
    except RecursionError:
        return None


def too_long_for_the_grammar(text: str) -> bool:
    """Longer than the statement parser reads (MAX_GRAMMAR_CHARS)."""
    return len(text) > MAX_GRAMMAR_CHARS
