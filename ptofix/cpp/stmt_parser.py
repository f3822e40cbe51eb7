"""Parse one C++ statement with the lark LALR grammar into a small typed AST.

Every node carries ``start``/``end`` offsets relative to the statement text (from lark token
positions, computed bottom-up, so no position propagation is needed). The Lark instance is
built once per process and its tables are cached on disk by lark (``cache=True``).
"""
from __future__ import annotations

import functools
import itertools
import os
import re

from .. import regex_cache
from ..pto.ops import pto_macro_names
from ..pto.tiles import dtype_size
from ..record import Record
from .keywords import NOT_DECLARATOR_NAMES, NOT_TYPE_NAMES, is_compiler_word, is_reserved_identifier

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_PARSER = None


def _parser():
    global _PARSER
    if _PARSER is None:
        from lark import Lark
        grammar = os.path.join(os.path.dirname(__file__), "cpp_stmt.lark")
        with open(grammar, encoding="utf-8") as handle:
            _PARSER = Lark(handle.read(), parser="lalr", lexer="contextual", cache=True,
                           maybe_placeholders=False, start=["start", "cond_start", "for_init_start", "param_start"])
    return _PARSER


# ---- AST ------------------------------------------------------------------------------------
class Node(Record):
    start: int
    end: int
    # A slot (not a field, so out of repr and vars()) for the identifiers under this node (see
    # name_ids), computed on first use: ASTs are shared and never mutated, and the analysis asks
    # for the names of the same statements many times.
    __slots__ = ("_name_ids",)


def walk(node: Node):
    """Every AST node under ``node`` (itself included), depth first."""
    stack = [node]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        cur = pop()
        yield cur
        for name in cur._fields:
            value = getattr(cur, name)
            if isinstance(value, Node):
                push(value)
            elif type(value) is list and value:
                extend(v for v in value if isinstance(v, Node))


def name_ids(node: Node) -> tuple[str, ...]:
    """The ``Name`` identifiers under ``node`` in first-occurrence order of ``walk``, no repeats."""
    kind = type(node)
    if kind is Name:
        return (node.id,)       # type: ignore[attr-defined]
    if kind in _LEAVES:
        return ()
    slot: Any = node     # the slot is not a field, so the type checker does not know it
    try:
        return slot._name_ids
    except AttributeError:
        pass
    # walk() inlined (same visiting order, over the fields that may hold nodes only), the
    # hottest loop of the analysis.
    found: dict[str, None] = {}
    stack: list = [node]
    pop, push = stack.pop, stack.append
    children = _CHILD_FIELDS
    while stack:
        cur = pop()
        kind = type(cur)
        if kind is Name:
            found[cur.id] = None
            continue
        if kind is TemplateId and cur is not node:
            # A template's nodes are shared by the statements that spell it (_template): its names,
            # kept on it, stand for its subtree, which the walk would visit in one piece in that
            # order (a depth-first walk finishes a subtree before it goes on).
            found.update(dict.fromkeys(name_ids(cur)))
            continue
        fields = children.get(kind)
        if fields is None:
            fields = _child_fields(kind)
        for field in fields:
            value = getattr(cur, field)
            if isinstance(value, Node):
                push(value)
            elif type(value) is list and value:
                for item in value:
                    if isinstance(item, Node):
                        push(item)
    ids = slot._name_ids = tuple(found)
    return ids


def argument_name_ids(tmpl: TemplateId) -> tuple[str, ...]:
    """The ``name_ids`` of a template's arguments one after the other, no repeats; cached on the
    template (a kernel declares the same few tile types many times and they share one node)."""
    slot: Any = tmpl
    try:
        return slot._argument_name_ids
    except AttributeError:
        pass
    found: dict[str, None] = {}
    for arg in tmpl.args:
        found.update(dict.fromkeys(name_ids(arg)))
    ids = slot._argument_name_ids = tuple(found)
    return ids


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
# Fields declared with these types hold no node (walk() would look into them and find none).
_SCALAR_FIELDS = {"str", "bool", "int", "tuple"}


def _child_fields(kind: type) -> tuple[str, ...]:
    """The fields of node class ``kind`` that may hold a node or a list of nodes, in field order."""
    notes: dict = {}
    for klass in reversed(kind.__mro__):
        notes.update(klass.__dict__.get("__annotations__", {}))
    fields = tuple(field for field in getattr(kind, "_fields", ()) if str(notes.get(field)) not in _SCALAR_FIELDS)
    _CHILD_FIELDS[kind] = fields
    return fields


class Name(Node):
    id: str = ""


class Number(Node):
    text: str = ""

    @property
    def value(self) -> int | float:
        return _number_value(self.text)


@functools.lru_cache(maxsize=4096)
def _number_value(text: str) -> int | float:
    """A number literal's value (kept by text: the analysis reads the same few literals, tile
    shapes and addresses, tens of thousands of times)."""
    if text[:2] in ("0x", "0X"):
        return int(text[2:].rstrip("uUlL"), 16)
    raw = text.rstrip("uUlLfF")
    if any(c in raw for c in ".eE"):
        return float(raw)
    if raw[:1] == "0" and len(raw) > 1:
        # [lex.icon]: a leading 0 makes the literal octal (`010` is 8); an 8 or 9 in it is
        # ill-formed: NaN, which no reader takes for an integer.
        return int(raw, 8) if raw.isdigit() and "8" not in raw and "9" not in raw else float("nan")
    return int(raw)


class Literal(Node):
    value: object = None   # True / False / None (nullptr)


class String(Node):
    text: str = ""


_LEAVES = (Number, Literal, String)     # nodes without child nodes (exact types, see name_ids)


class TypeRef(Node):
    name: str = ""                       # "float", "Tile", "pto::Shape", "auto"
    template: TemplateId | None = None
    pointer: int = 0
    quals: tuple = ()
    ref: bool = False                    # declared as a reference (`T&`, `T&&`)


class TemplateId(Node):
    name: str = ""
    args: list = []   # Node (expr) or TypeRef


class Call(Node):
    func: Node
    args: list = []

    @property
    def callee(self) -> str:
        if isinstance(self.func, Name):
            return self.func.id
        if isinstance(self.func, TemplateId):
            return self.func.name
        if isinstance(self.func, Member):
            return self.func.field
        return ""

    @property
    def template(self) -> TemplateId | None:
        return self.func if isinstance(self.func, TemplateId) else None


class Index(Node):
    obj: Node
    index: Node


class Member(Node):
    obj: Node
    field: str = ""
    arrow: bool = False


class Unary(Node):
    op: str
    operand: Node


class Binary(Node):
    op: str
    left: Node
    right: Node


class Assign(Node):
    """An assignment used as an expression (`a = b = 5`, `if ((x = f()))`, `g(a += 1)`)."""
    target: Node
    op: str
    value: Node


class IncDec(Node):
    op: str
    operand: Node
    prefix: bool = True


class Comma(Node):
    items: list = []


class Ternary(Node):
    cond: Node
    then: Node
    orelse: Node


class Cast(Node):
    type: TypeRef
    operand: Node


class SizeOf(Node):
    arg: Node


class Decl(Node):
    type: TypeRef
    name: str = ""
    init: Node | None = None
    ctor_args: list | None = None     # `T v(a, b);`
    array: bool = False                  # `T v[N]...;`


class TypeAlias(Node):
    """`using NAME = type;` or `typedef type NAME;`."""
    name: str
    type: TypeRef


class ExprStmt(Node):
    expr: Node


class AssignStmt(Node):
    target: Node
    op: str
    value: Node


class ReturnStmt(Node):
    value: Node | None = None


def _span(items) -> tuple[int | None, int | None]:
    start: int | None = None
    end: int | None = None
    for item in items:
        s: int | None
        e: int | None
        if item is None:
            continue
        if isinstance(item, Node):
            s, e = item.start, item.end
        elif hasattr(item, "start_pos") and item.start_pos is not None:
            s, e = item.start_pos, item.end_pos
        elif isinstance(item, list):
            if not item:
                continue
            s, e = _span(item)
            if s is None or e is None:
                continue
        else:
            continue
        start = s if start is None or s < start else start
        end = e if end is None or e > end else end
    return start, end


def _token_start(token) -> int:
    """A lark token's start offset (always set: the parser is built with position tracking)."""
    assert token.start_pos is not None
    return int(token.start_pos)


def _token_end(token) -> int:
    assert token.end_pos is not None
    return int(token.end_pos)


def _required_span(items) -> tuple[int, int]:
    """The span of a grammar rule's children; every rule that calls this matches at least one token."""
    start, end = _span(items)
    if start is None or end is None:
        raise ValueError("grammar rule matched no token")
    return start, end


_TRANSFORMER = None
_REF = object()      # marker children produced by the `ref` and `array_dim` rules
_ARRAY = object()


def _transformer():
    global _TRANSFORMER
    if _TRANSFORMER is not None:
        return _TRANSFORMER
    from lark import Token, Transformer

    def quals_and_rest(children):
        quals = tuple(str(c) for c in children if isinstance(c, Token) and c.type == "QUAL")
        stars = sum(1 for c in children if isinstance(c, Token) and c.type == "STAR")
        rest = [c for c in children if not (isinstance(c, Token) and c.type in ("QUAL", "STAR"))
                and c is not _REF and c is not _ARRAY]
        return quals, stars, rest

    class ToAst(Transformer):
        def start(self, c):
            return c[0]

        cond_start = start
        for_init_start = start

        def param_type(self, c):
            quals, stars, rest = quals_and_rest(c)
            s, e = _required_span(c)
            base = rest[0]
            if isinstance(base, TemplateId):
                return TypeRef(s, e, base.name, base, stars, quals, _REF in c)
            return TypeRef(s, e, " ".join(str(base).split()), None, stars, quals, _REF in c)

        def param_start(self, c):
            type_ = c[0]
            name = next((x for x in c[1:] if isinstance(x, Token) and x.type == "NAME"), None)
            array = _ARRAY in c
            init = next((x for x in c[1:] if isinstance(x, Node)), None)
            end = init.end if init is not None else (_token_end(name) if name is not None else type_.end)
            return Decl(type_.start, end, type_, str(name) if name is not None else "", init, None, array)

        def ref(self, c):
            return _REF

        def array_dim(self, c):
            return _ARRAY

        def using_alias(self, c):
            name, type_ = c
            return TypeAlias(name.start_pos, type_.end, str(name), type_)

        def typedef_alias(self, c):
            type_, name = c
            return TypeAlias(type_.start, name.end_pos, str(name), type_)

        def assign(self, c):
            target, op, value = c
            return Assign(target.start, value.end, target, str(op), value)

        def comma(self, c):
            left, right = c
            items = (left.items if isinstance(left, Comma) else [left]) + [right]
            return Comma(items[0].start, right.end, items)

        def pre_incdec(self, c):
            op, operand = c
            return IncDec(op.start_pos, operand.end, str(op), operand, True)

        def post_incdec(self, c):
            operand, op = c
            return IncDec(operand.start, op.end_pos, str(op), operand, False)

        # -- types --
        def auto_type(self, c):
            quals, _, _ = quals_and_rest(c)
            s, e = _span(c)
            return TypeRef(s if s is not None else 0, e if e is not None else 0, "auto", None, 0, quals,
                           _REF in c)

        def builtin_type(self, c):
            quals, stars, rest = quals_and_rest(c)
            s, e = _required_span(c)
            name = " ".join(str(rest[0]).split())
            return TypeRef(s, e, name, None, stars, quals, _REF in c)

        def _named(self, c):
            quals, stars, rest = quals_and_rest(c)
            s, e = _required_span(c)
            base = rest[0]
            if isinstance(base, TemplateId):
                return TypeRef(s, e, base.name, base, stars, quals, _REF in c)
            return TypeRef(s, e, str(base), None, stars, quals, _REF in c)

        qual_named_type = _named
        plain_named_type = _named

        def cast_type(self, c):
            quals, stars, rest = quals_and_rest(c)
            s, e = _required_span(c)
            base = rest[0]
            if isinstance(base, TemplateId):
                return TypeRef(s, e, base.name, base, stars, quals)
            return TypeRef(s, e, " ".join(str(base).split()), None, stars, quals)

        def template_id(self, c):
            args = [x for x in c[1:] if not isinstance(x, Token) or x.type not in ("LT", "GT")]
            args = [x if not isinstance(x, Token) else Name(_token_start(x), _token_end(x), str(x)) for x in args]
            s2, e2 = _required_span(c)
            # The closing '>' is an anonymous token that lark filters out: find it in the text.
            gt = [x for x in c if isinstance(x, Token) and x.type == "GT"]
            return TemplateId(s2, _token_end(gt[-1]) if gt else e2, str(c[0]), args)

        # -- expressions --
        def name(self, c):
            t = c[0]
            return Name(t.start_pos, t.end_pos, str(t))

        def number(self, c):
            t = c[0]
            return Number(t.start_pos, t.end_pos, str(t))

        def string(self, c):
            t = c[0]
            return String(t.start_pos, t.end_pos, str(t))

        def nullptr(self, c):
            return Literal(c[0].start_pos, c[0].end_pos, None)

        def true(self, c):
            return Literal(c[0].start_pos, c[0].end_pos, True)

        def false(self, c):
            return Literal(c[0].start_pos, c[0].end_pos, False)

        def binary(self, c):
            left, op, right = c
            return Binary(left.start, right.end, str(op), left, right)

        def unary_op(self, c):
            op, operand = c
            return Unary(op.start_pos, operand.end, str(op), operand)

        def not_op(self, c):
            return Unary(c[0].start - 1, c[0].end, "!", c[0])

        def inv_op(self, c):
            return Unary(c[0].start - 1, c[0].end, "~", c[0])

        def deref(self, c):
            start = _token_start(c[0]) if isinstance(c[0], Token) else c[0].start - 1
            return Unary(start, c[-1].end, "*", c[-1])

        def addr_of(self, c):
            return Unary(c[0].start_pos, c[-1].end, "&", c[-1])

        def cast(self, c):
            type_, operand = c
            return Cast(type_.start - 1, operand.end, type_, operand)

        def sizeof(self, c):
            return SizeOf(c[0].start, c[0].end, c[0])

        def ternary(self, c):
            cond, a, b = c
            return Ternary(cond.start, b.end, cond, a, b)

        def call(self, c):
            func, close = c[0], c[-1]
            args = next((x for x in c[1:-1] if isinstance(x, list)), [])
            return Call(func.start, close.end_pos, func, args)

        def index(self, c):
            obj, close = c[0], c[-1]
            idx = next(x for x in c[1:-1] if isinstance(x, Node))
            return Index(obj.start, close.end_pos, obj, idx)

        def member(self, c):
            obj, name = c
            return Member(obj.start, name.end_pos, obj, str(name), False)

        def arrow(self, c):
            obj, name = c
            return Member(obj.start, name.end_pos, obj, str(name), True)

        def args(self, c):
            return list(c)

        # -- statements --
        def decl(self, c):
            type_, name = c[0], c[1]
            array = _ARRAY in c
            rest = [x for x in c[2:] if x is not _ARRAY]
            init = rest[0] if rest else None
            return Decl(type_.start, (init.end if init else name.end_pos), type_, str(name), init, None, array)

        def ctor_decl(self, c):
            type_, name = c[0], c[1]
            args = c[2] if len(c) > 2 and isinstance(c[2], list) else []
            return Decl(type_.start, name.end_pos, type_, str(name), None, args)

        def expr_stmt(self, c):
            if isinstance(c[0], Assign):
                # A statement that is one assignment (the common `x = e;`) gets its own node.
                return AssignStmt(c[0].start, c[0].end, c[0].target, c[0].op, c[0].value)
            return ExprStmt(c[0].start, c[0].end, c[0])

        def return_stmt(self, c):
            value = c[0] if c else None
            return ReturnStmt(0, 0, value)

    _TRANSFORMER = ToAst()
    return _TRANSFORMER


# Fast path for the statement shapes that make up most of ptoas output: calls with plain
# arguments, `Tile<plain args> vN;`, template-typed declarations (`T<...> vN = T<...>(args);`,
# `T<...> vN(args);`) and `[const] T vN = literal-or-name;`. They build the same AST the grammar
# would (tests compare both); anything else goes to the expression parser (fast_expr.py), then to
# lark. This keeps lark (and its import) off the common path: see scripts/bench.py.
_ATOM = r"-?[A-Za-z_0-9](?:[\w:.]|(?<=\d[eE])[+-])*"
_OPERAND = _ATOM + r"(?:\s+[-+*]\s+" + _ATOM + r")?"
_FAST_CALL = regex_cache.compile(r"([A-Za-z_]\w*)\(\s*((?:" + _OPERAND + r"\s*,\s*)*" + _OPERAND + r")?\s*\);\Z")
_FAST_ASSIGN = regex_cache.compile(r"([A-Za-z_]\w*)(\s*)=(\s*)(" + _ATOM + r")\s*;\Z")
_FAST_BARE_DECL = regex_cache.compile(r"((?:const\s+)?)([A-Za-z_]\w*)(\s+)([A-Za-z_]\w*)\s*;\Z")
_BINARY_ATOMS = regex_cache.compile(r"(" + _ATOM + r")(\s+)([-+*])(\s+)(" + _ATOM + r")\Z")
_FAST_TILE = regex_cache.compile(r"(Tile)<([^<>()]*)>(\s+)([A-Za-z_]\w*);\Z")
_FAST_SCALAR = regex_cache.compile(r"((?:const\s+)?)([A-Za-z_]\w*)(\s+)"
                          r"([A-Za-z_]\w*)\s*=\s*(?:\((u?int(?:8|16|32|64)_t|size_t|unsigned|int|float|half|bool)\)\s*)?"
                          r"(" + _ATOM + r"|reinterpret_cast<\w+>\(" + _ATOM + r"\))\s*;\Z")
_FAST_PTR_DECL = regex_cache.compile(
    r"((?:__\w+__\s+)?)(u?int(?:8|16|32|64)_t|float|half|bfloat16_t|bool|void)(\s*)(\*+)\s*"
    r"([A-Za-z_]\w*)\s*=\s*(.*?)\s*;\Z", re.S)
_FAST_CAST_RHS = regex_cache.compile(r"reinterpret_cast<(u?int(?:8|16|32|64)_t)>\((" + _ATOM + r")\)\Z")
_FAST_DATA_RHS = regex_cache.compile(r"([A-Za-z_]\w*)\.data\(\)\Z")
# `Templ<...> vN = Templ<...>(plain args);` and `Templ<...> vN(plain args);`: the GlobalTensor, Shape
# and Stride declarations of every kernel's GM views (a quarter of the statements the fast paths
# above left to the expression parser, and most of its time).
_FAST_TEMPLATE_INIT = regex_cache.compile(
    r"([A-Za-z_][\w:]*<[^()]*>)(\s+)([A-Za-z_]\w*)\s*=\s*([A-Za-z_][\w:]*<[^()]*>)\((.*)\);\Z", re.S)
_FAST_TEMPLATE_CTOR = regex_cache.compile(r"([A-Za-z_][\w:]*<[^()]*>)(\s+)([A-Za-z_]\w*)\((.*)\);\Z", re.S)
_NUMBER_RE = regex_cache.compile(r"-?(0[xX][0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[uUlLfF]*\Z")
_NAME_RE = regex_cache.compile(r"(::)?[A-Za-z_]\w*(::[A-Za-z_]\w*)*\Z")
_BUILTIN_WORDS = {"float", "half", "bfloat16_t", "bool", "int8_t", "uint8_t", "int16_t", "uint16_t", "int32_t",
                  "uint32_t", "int64_t", "uint64_t", "int", "unsigned", "double", "size_t"}


def _atom(text: str, start: int):
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
        head, *rest = text.split("::")
        if (head == "" or head.isidentifier()) and all(part.isidentifier() for part in rest):
            return Name(start, end, _share(text))
    if text.isdigit() and text.isascii():
        # A plain decimal number (template arguments are mostly these), decided without the
        # regexes below: no blank for _BINARY_ATOMS, and _NUMBER_RE takes it as it is.
        return Number(start, end, _share(text))
    binary = _BINARY_ATOMS.match(text)
    if binary:
        left = _atom(binary.group(1), start)
        right = _atom(binary.group(5), start + binary.start(5))
        if left is _FALLBACK or right is _FALLBACK or isinstance(left, Unary) or isinstance(right, Unary):
            return _FALLBACK
        return Binary(start, end, binary.group(3), left, right)
    if _NUMBER_RE.match(text):
        if text.startswith("-"):
            return Unary(start, end, "-", Number(start + 1, end, _share(text[1:])))
        return Number(start, end, _share(text))
    if text in _LITERALS:
        return Literal(start, end, _LITERALS[text])
    if _NAME_RE.match(text):
        return Name(start, end, _share(text))
    return _FALLBACK


_FALLBACK = object()
_LITERALS = {"true": True, "false": False, "nullptr": None}


def _split_atoms(body: str, offset: int):
    out = []
    pos = 0
    for part in body.split(","):
        lead = len(part) - len(part.lstrip())
        word = part.strip()
        node = _atom(word, offset + pos + lead) if word else _FALLBACK
        if node is _FALLBACK:
            return None
        out.append(node)
        pos += len(part) + 1
    return out


_TEMPLATE_TEXT = regex_cache.compile(r"[\w:\s,<>.+-]*\Z")
_TEMPLATE_PUNCT = regex_cache.compile(r"[<>,]")
_FAST_TEMPLATED_CALL = regex_cache.compile(
    r"((?:auto\s+([A-Za-z_]\w*)\s*=\s*)?)([A-Za-z_][\w:]*<.*>)\(([^()]*)\);\Z", re.S)


def _template(text: str, start: int):
    """``Name<arg, Name<...>, ...>`` made of atoms and nested templates only (else _FALLBACK).

    Shared per file by text and offset, as whole statements are (see _STATEMENTS): a kernel
    declares and constructs the same GlobalTensor/TPipe types at the same offsets in many
    statements, and these long argument lists are most of the fast path's work."""
    key = (text, start)
    node = _TEMPLATES.get(key, _MISS)
    if node is _MISS:
        if len(_TEMPLATES) >= _STATEMENTS_MAX:
            _TEMPLATES.clear()
        node = _TEMPLATES[key] = _parse_template(text, start)
    return node


def _parse_template(text: str, start: int):
    lt = text.find("<")
    name = text[:lt]
    if lt <= 0 or not text.endswith(">") or not _NAME_RE.match(name) or not _TEMPLATE_TEXT.match(text):
        return _FALLBACK
    args, depth, piece_start = [], 0, lt + 1
    body_end = len(text) - 1
    # Only '<', '>' and ',' matter (the last '>' at body_end among them): visit just those.
    for punct in _TEMPLATE_PUNCT.finditer(text, lt + 1):
        pos = punct.start()
        ch = text[pos]
        if ch == "<":
            depth += 1
        elif ch == ">" and pos != body_end:
            depth -= 1
            if depth < 0:
                return _FALLBACK
        if (ch == "," and depth == 0) or pos == body_end:
            if depth != 0:
                return _FALLBACK
            piece = text[piece_start:pos]
            lead = len(piece) - len(piece.lstrip())
            word = piece.strip()
            at = start + piece_start + lead
            if not word:
                return _FALLBACK
            node = _template(word, at) if "<" in word else _atom(word, at)
            if node is _FALLBACK:
                return _FALLBACK
            if isinstance(node, Name) and node.id in _BUILTIN_WORDS:
                node = TypeRef(node.start, node.end, node.id)
            args.append(node)
            piece_start = pos + 1
    return TemplateId(start, start + len(text), name, args)


def _rhs(text: str, start: int):
    """Fast path for the right-hand sides ptoas uses to compute addresses."""
    match = _FAST_DATA_RHS.match(text)
    if match:
        name = Name(start, start + match.end(1), match.group(1))
        member = Member(start, start + match.end(1) + 5, name, "data", False)
        return Call(start, start + len(text), member, [])
    match = _FAST_CAST_RHS.match(text)
    if match:
        arg = _atom(match.group(2), start + match.start(2))
        if arg is _FALLBACK:
            return _FALLBACK
        targ = TypeRef(start + match.start(1), start + match.end(1), match.group(1), None, 0, ())
        tmpl = TemplateId(start, start + match.end(1) + 1, "reinterpret_cast", [targ])
        return Call(start, start + len(text), tmpl, [arg])
    return _atom(text, start)


# Words that start a statement but are not a declared type (the grammar handles those statements).
_NOT_TYPES = {"return", "const", "auto", "static", "goto", "delete", "new", "using", "typedef", "case",
              "default", "break", "continue", "throw", "namespace", "template", "typename", "volatile",
              "constexpr", "inline", "extern", "register", "struct", "class", "union", "enum", "sizeof"}


_JUMPS = {"break;": "break", "continue;": "continue"}
# `unsigned int;`, `long long;`: the grammar lexes both words as one builtin type (and then rejects
# the statement), not as a type and a name.
_MULTI_WORD_BUILTIN_HEADS = {"unsigned", "signed", "long"}


def _fast_parse(text: str):
    if text == ";":
        return None        # the empty statement: the grammar has no rule for it either (opaque)
    jump = _JUMPS.get(text)
    if jump is not None:
        return ExprStmt(0, len(jump), Name(0, len(jump), jump))
    if text == "return;":
        return ReturnStmt(0, 0, None)
    match = _FAST_CALL.match(text)
    if match:
        name = match.group(1)
        if name in ("sizeof", "return") or name in _BUILTIN_WORDS:
            return _FALLBACK
        args = []
        if match.group(2):
            args = _split_atoms(match.group(2), match.start(2))
            if args is None:
                return _FALLBACK
        close = text.rindex(")")
        call = Call(0, close + 1, Name(0, len(name), name), args)
        return ExprStmt(0, close + 1, call)
    if "<" in text:       # the template shapes (every regex below until _FAST_PTR_DECL needs one)
        match = _FAST_TEMPLATED_CALL.match(text)
        if match:
            tmpl = _template(match.group(3), match.start(3))
            args = _split_atoms(match.group(4), match.start(4)) if match.group(4).strip() else []
            if tmpl is not _FALLBACK and args is not None:
                close = text.rindex(")")
                call = Call(tmpl.start, close + 1, tmpl, args)
                if not match.group(1):
                    return ExprStmt(0, close + 1, call)
                return Decl(0, close + 1, TypeRef(0, 4, "auto", None, 0, ()), match.group(2), call, None)
        match = _FAST_TILE.match(text)
        if match:
            # A kernel declares the same few tile types many times: the type is shared (_template).
            tmpl = _template(text[:match.end(2) + 1], 0)
            if tmpl is _FALLBACK:
                targs = _split_atoms(match.group(2), match.start(2))
                if targs is None:
                    return _FALLBACK
                targs = [TypeRef(a.start, a.end, a.id) if isinstance(a, Name) and a.id in _BUILTIN_WORDS else a
                         for a in targs]
                tmpl = TemplateId(0, match.end(2) + 1, "Tile", targs)
            type_ = TypeRef(0, tmpl.end, "Tile", tmpl, 0, ())
            return Decl(0, match.end(4), type_, match.group(4), None, None)
        match = _FAST_TEMPLATE_INIT.match(text) or _FAST_TEMPLATE_CTOR.match(text)
        if match and match.group(3) not in _NOT_NAMES:
            node = _template_decl(match)
            if node is not _FALLBACK:
                return node
    match = _FAST_PTR_DECL.match(text) if "*" in text else None
    if match:
        value = _rhs(match.group(6), match.start(6))
        if value is _FALLBACK:
            return _FALLBACK
        quals = (match.group(1).strip(),) if match.group(1) else ()
        type_ = TypeRef(0, match.end(4), match.group(2), None, len(match.group(4)), quals)
        return Decl(0, value.end, type_, match.group(5), value, None)
    match = _FAST_ASSIGN.match(text)
    if match:
        value = _atom(match.group(4), match.start(4))
        if value is _FALLBACK:
            return _FALLBACK
        return AssignStmt(0, value.end, Name(0, match.end(1), match.group(1)), "=", value)
    match = _FAST_BARE_DECL.match(text)
    if match and match.group(2) not in _NOT_TYPES and match.group(2) not in _MULTI_WORD_BUILTIN_HEADS:
        quals = ("const",) if match.group(1) else ()
        type_ = TypeRef(0, match.end(2), match.group(2), None, 0, quals)
        return Decl(0, match.end(4), type_, match.group(4), None, None)
    match = _FAST_SCALAR.match(text)
    if match:
        type_name = match.group(2)
        if type_name in _NOT_TYPES:
            return _FALLBACK
        value = _rhs(match.group(6), match.start(6))
        if value is _FALLBACK or (match.group(5) and isinstance(value, Call)):
            return _FALLBACK
        if match.group(5):
            cast_t = TypeRef(match.start(5), match.end(5), match.group(5), None, 0, ())
            value = Cast(match.start(5) - 1, value.end, cast_t, value)
        quals = ("const",) if match.group(1) else ()
        type_ = TypeRef(0, match.end(2), type_name, None, 0, quals)
        return Decl(0, value.end, type_, match.group(4), value, None)
    return _FALLBACK


def _template_decl(match: re.Match):
    """The Decl of a _FAST_TEMPLATE_INIT or _FAST_TEMPLATE_CTOR match, or _FALLBACK."""
    tmpl = _template(match.group(1), 0)
    if tmpl is _FALLBACK:
        return _FALLBACK
    type_ = TypeRef(0, tmpl.end, tmpl.name, tmpl, 0, ())
    name = match.group(3)
    ctor = match.re is _FAST_TEMPLATE_CTOR
    group = 4 if ctor else 5
    args = _arguments(match.group(group), match.start(group))
    if args is None:
        return _FALLBACK
    if ctor:
        return Decl(0, match.end(3), type_, name, None, args)
    init = _template(match.group(4), match.start(4))
    if init is _FALLBACK:
        return _FALLBACK
    close = match.end(5) + 1
    return Decl(0, close, type_, name, Call(init.start, close, init, args), None)


def _arguments(body: str, start: int) -> list | None:
    """The arguments between a call's parentheses (``body`` at ``start``): plain atoms here, any
    other expression by the fast expression parser; None if that cannot read them."""
    if not body.strip():
        return []
    if "(" not in body and ")" not in body:
        args = _split_atoms(body, start)
        if args is not None:
            return args
    from .fast_expr import FALLBACK, parse_args
    args = parse_args(body, start)
    return None if args is FALLBACK else args


# Names that cannot be a declared variable's (keywords, builtin types, literals): the statement
# is something else, left to the general parsers.
_NOT_NAMES = _NOT_TYPES | _BUILTIN_WORDS | set(_LITERALS) | {"this", "operator", "new", "delete"}


# Statement ASTs by text. Kernels repeat many statements word for word, an AST holds offsets
# relative to its own text only and no consumer mutates one, so equal texts can share one AST.
# parse_cpp starts each file with an empty table (kept across files it would hold every AST of a
# batch: +46 MiB over the corpus); it is also cleared when full to bound memory.
_STATEMENTS: dict[str, object] = {}
_STATEMENTS_MAX = 32768
_MISS = object()
# The most recently used statement ASTs of earlier files, oldest first: kernels of one tree share
# their boilerplate (views, shapes, flags), so a process that parses many kernels parses a third
# of their statements once instead of once per file. 512 entries (~0.8 MiB) are as fast over the
# corpus as 2048 were, which held ~3 MiB: a fixed cost that dominated the peak of a small run.
_RECENT: dict[str, object] = {}
_RECENT_MAX = 512
_TEMPLATES: dict[tuple[str, int], object] = {}     # _template results by (text, offset)


# One string object per distinct identifier or number text of a file's fast-path atoms: a kernel
# names the same few hundred values tens of thousands of times (a 1 MB kernel: 4 MB of strings,
# 56 kB distinct).
_STRINGS: dict[str, str] = {}


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
        pop = recent.pop
        for text, node in _STATEMENTS.items():
            pop(text, None)           # re-inserted: most recent last
            recent[text] = node
        excess = len(recent) - _RECENT_MAX
        if excess > 0:
            for text in list(itertools.islice(recent, excess)):
                del recent[text]
    _STATEMENTS.clear()
    _STRINGS.clear()
    _TEMPLATES.clear()


def forget_all_statements() -> None:
    """Drop every shared statement AST, also those kept across files."""
    forget_statements()
    _RECENT.clear()


# C++'s alternative tokens are operators whatever the options (`v xor_eq(4096);` is `v ^= 4096;`,
# [lex.digraph]); the grammars would read them as names (a declaration of `xor_eq`). A word of
# a comment or string counts too (cheaper than telling them apart; ptoas writes none).
# ALTERNATIVE_TOKEN_WORDS, each a whole word (no letter, digit, '_' or '$' next to it). Spelled to
# start with a character class, so the regex engine skips to a candidate first letter instead of
# trying a lookbehind at every position: 2.5x faster over the corpus's statements, and the same
# matches (tests/test_cpp_frontend.py compares it with the plain spelling).
ALTERNATIVE_TOKEN_WORDS = ("and", "and_eq", "bitand", "bitor", "compl", "not", "not_eq", "or", "or_eq", "xor",
                           "xor_eq")
_ALTERNATIVE_TOKEN = regex_cache.compile(
    r"[abcnox](?<![\w$][abcnox])"      # a first letter with no word character before it
    r"(?:(?<=a)nd(?:_eq)?|(?<=b)it(?:and|or)|(?<=c)ompl|(?<=n)ot(?:_eq)?|(?<=o)r(?:_eq)?|(?<=x)or(?:_eq)?)"
    r"(?![\w$])")


def _real_declarator(node):
    """``node``, or ``None`` for a declaration that may not declare what it reads as (a name the
    model would then miss): its declarator name is a keyword or qualifier (both grammars read
    `TN const (t);` as an object `const` built from `t`, where C++ declares a const `t`), or its
    declarator or type is spelled with a word of the compiler (`TN __const (t);`, clang's
    spelling of const) or one of pto's macros (`TN PTO_INST_HPP (t);` is `TN (t);`), or its type
    is a keyword that cannot be one (`extern TN (t);` read as an object `TN` of type `extern`).
    Alias declarations likewise."""
    if not isinstance(node, (Decl, TypeAlias)):
        return node
    name = node.name
    if name in NOT_DECLARATOR_NAMES or _may_be_macro(name):
        return None
    if is_reserved_identifier(name) and (isinstance(node, TypeAlias) or node.init is None):
        # A reserved name may be a system header's empty macro (glibc's `__wur`): without it
        # `TN __wur (t);` declares t. With `= value` the rest would not compile, so generated
        # kernels' `int64_t __pypto_gm_block_offset = ...;` still declares what it reads as.
        return None
    type_name = node.type.name
    if dtype_size(type_name) is not None:
        return node     # an element type (pto defines `bfloat16_t` as `half` on other targets)
    parts = [part for part in type_name.split("::") if part]
    return None if any(_may_be_macro(part) or is_reserved_identifier(part) or part in NOT_TYPE_NAMES
                       for part in parts) else node


def _may_be_macro(name: str) -> bool:
    return is_compiler_word(name) or name in pto_macro_names()


def parse_statement(text: str, fast: bool = True):
    """Return the statement AST, or ``None`` if the grammar cannot parse ``text``."""
    if not fast:
        return None if _ALTERNATIVE_TOKEN.search(text) else _real_declarator(_parse(text, "start"))
    node = _STATEMENTS.get(text, _MISS)
    if node is _MISS:
        node = _RECENT.get(text, _MISS)
        if node is _MISS:
            try:
                node = None if _ALTERNATIVE_TOKEN.search(text) else fast_parse(text)
            except RecursionError:
                node = None   # nesting deeper than the interpreter's stack: not understood
            if node is _FALLBACK:
                node = _parse(text, "start")
            node = _real_declarator(node)
        if len(_STATEMENTS) >= _STATEMENTS_MAX:
            forget_statements()
        _STATEMENTS[text] = node
    return node


def fast_parse(text: str):
    """The fast paths (regexes, then the small expression parser), or _FALLBACK."""
    node = _fast_parse(text)
    if node is _FALLBACK:
        from .fast_expr import parse_statement as general
        node = general(text)
    return node


def parse_condition(text: str, fast: bool = True):
    """An ``if``/``for`` condition or a ``for`` step as an expression AST, or ``None``."""
    if _ALTERNATIVE_TOKEN.search(text):
        return None
    if fast:
        from .fast_expr import parse_header_expression
        try:
            node = parse_header_expression(text)
        except RecursionError:
            return None
        if node is not _FALLBACK:
            return _real_declarator(node)
    return _real_declarator(_parse(text, "cond_start"))


_ALIAS_HEAD = regex_cache.compile(r"\s*(?:\[\[.*?\]\]\s*)*(?:using|typedef)(?![\w$])", re.S)


def parse_for_init(text: str, fast: bool = True):
    """A ``for`` init clause (declaration or expression) as an AST, or ``None``. (Not an alias
    declaration, C++23 `for (using T = U; ...)`: the grammars would read it as a variable of a
    type named `using`.)"""
    if _ALTERNATIVE_TOKEN.search(text) or _ALIAS_HEAD.match(text):
        return None
    if fast:
        from .fast_expr import parse_statement as general
        try:
            node = general(text + ";")
        except RecursionError:
            return None
        if isinstance(node, Decl):
            return _real_declarator(node)
        if isinstance(node, AssignStmt):
            return Assign(node.start, node.end, node.target, node.op, node.value)
    return _real_declarator(_parse(text, "for_init_start"))


def parse_parameter(text: str, fast: bool = True):
    """One function parameter (``const T& name = default``) as a Decl (name may be ''), or None."""
    if _ALTERNATIVE_TOKEN.search(text):
        return None
    if fast:
        from .fast_expr import parse_parameter as fast_parameter
        try:
            node = fast_parameter(text)
        except RecursionError:
            return None
        if node is not _FALLBACK:
            return _real_declarator(node)
    return _real_declarator(_parse(text, "param_start"))


@functools.lru_cache(maxsize=16384)
def _parse(text: str, start: str):
    """Parse with the grammar. Cached by text: the ASTs are never mutated, and kernels repeat
    many statements word for word (views, shapes, strides)."""
    from lark.exceptions import LarkError
    try:
        tree = _parser().parse(text, start=start)
        return _transformer().transform(tree)
    except LarkError:
        return None
    except RecursionError:
        return None   # nesting deeper than the interpreter's stack: not understood
    except (TypeError, AttributeError, ValueError, IndexError):
        # A shape the transformer does not expect: not understood. Callers count these and treat
        # the statement as Unknown (it touches every UB byte and may write what it names).
        return None
