"""Parse one C++ statement with the lark LALR grammar into a small typed AST.

Every node carries ``start``/``end`` offsets relative to the statement text (from lark token
positions, computed bottom-up, so no position propagation is needed). The Lark instance is
built once per process and its tables are cached on disk by lark (``cache=True``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Optional, Union

_PARSER = None


def _parser():
    global _PARSER
    if _PARSER is None:
        from lark import Lark
        grammar = os.path.join(os.path.dirname(__file__), "cpp_stmt.lark")
        with open(grammar, encoding="utf-8") as handle:
            _PARSER = Lark(handle.read(), parser="lalr", lexer="contextual", cache=True,
                           maybe_placeholders=False)
    return _PARSER


# ---- AST ------------------------------------------------------------------------------------
@dataclass(eq=False)
class Node:
    start: int
    end: int


@dataclass(eq=False)
class Name(Node):
    id: str = ""


@dataclass(eq=False)
class Number(Node):
    text: str = ""

    @property
    def value(self) -> Union[int, float]:
        raw = self.text.rstrip("uUlLfF") if not self.text.lower().startswith("0x") else self.text.rstrip("uUlL")
        try:
            return int(raw, 0) if not any(c in raw for c in ".eE") or raw.lower().startswith("0x") else float(raw)
        except ValueError:
            return float(raw)


@dataclass(eq=False)
class Literal(Node):
    value: object = None   # True / False / None (nullptr)


@dataclass(eq=False)
class String(Node):
    text: str = ""


@dataclass(eq=False)
class TypeRef(Node):
    name: str = ""                       # "float", "Tile", "pto::Shape", "auto"
    template: Optional["TemplateId"] = None
    pointer: int = 0
    quals: tuple = ()


@dataclass(eq=False)
class TemplateId(Node):
    name: str = ""
    args: list = field(default_factory=list)   # Node (expr) or TypeRef


@dataclass(eq=False)
class Call(Node):
    func: Node = None
    args: list = field(default_factory=list)

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
    def template(self) -> Optional[TemplateId]:
        return self.func if isinstance(self.func, TemplateId) else None


@dataclass(eq=False)
class Index(Node):
    obj: Node = None
    index: Node = None


@dataclass(eq=False)
class Member(Node):
    obj: Node = None
    field: str = ""
    arrow: bool = False


@dataclass(eq=False)
class Unary(Node):
    op: str = ""
    operand: Node = None


@dataclass(eq=False)
class Binary(Node):
    op: str = ""
    left: Node = None
    right: Node = None


@dataclass(eq=False)
class Ternary(Node):
    cond: Node = None
    then: Node = None
    orelse: Node = None


@dataclass(eq=False)
class Cast(Node):
    type: TypeRef = None
    operand: Node = None


@dataclass(eq=False)
class SizeOf(Node):
    arg: Node = None


@dataclass(eq=False)
class Decl(Node):
    type: TypeRef = None
    name: str = ""
    init: Optional[Node] = None
    ctor_args: Optional[list] = None     # `T v(a, b);`


@dataclass(eq=False)
class ExprStmt(Node):
    expr: Node = None


@dataclass(eq=False)
class AssignStmt(Node):
    target: Node = None
    op: str = "="
    value: Node = None


@dataclass(eq=False)
class ReturnStmt(Node):
    value: Optional[Node] = None


def _span(items) -> tuple[int, int]:
    start, end = None, None
    for item in items:
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
            if s is None:
                continue
        else:
            continue
        start = s if start is None or s < start else start
        end = e if end is None or e > end else end
    return start, end


_TRANSFORMER = None


def _transformer():
    global _TRANSFORMER
    if _TRANSFORMER is not None:
        return _TRANSFORMER
    from lark import Token, Transformer

    def quals_and_rest(children):
        quals = tuple(str(c) for c in children if isinstance(c, Token) and c.type == "QUAL")
        stars = sum(1 for c in children if isinstance(c, Token) and c.type == "STAR")
        rest = [c for c in children if not (isinstance(c, Token) and c.type in ("QUAL", "STAR"))]
        return quals, stars, rest

    class ToAst(Transformer):
        def start(self, c):
            return c[0]

        # -- types --
        def auto_type(self, c):
            quals, _, _ = quals_and_rest(c)
            s, e = _span(c)
            return TypeRef(s if s is not None else 0, e if e is not None else 0, "auto", None, 0, quals)

        def builtin_type(self, c):
            quals, stars, rest = quals_and_rest(c)
            s, e = _span(c)
            name = " ".join(str(rest[0]).split())
            return TypeRef(s, e, name, None, stars, quals)

        def _named(self, c):
            quals, stars, rest = quals_and_rest(c)
            s, e = _span(c)
            base = rest[0]
            if isinstance(base, TemplateId):
                return TypeRef(s, e, base.name, base, stars, quals)
            return TypeRef(s, e, str(base), None, stars, quals)

        qual_named_type = _named
        plain_named_type = _named

        def cast_type(self, c):
            quals, stars, rest = quals_and_rest(c)
            s, e = _span(c)
            base = rest[0]
            if isinstance(base, TemplateId):
                return TypeRef(s, e, base.name, base, stars, quals)
            return TypeRef(s, e, " ".join(str(base).split()), None, stars, quals)

        def template_id(self, c):
            s, e = c[0].start_pos, c[-1].end_pos if isinstance(c[-1], Token) else None
            args = [x for x in c[1:] if not isinstance(x, Token) or x.type not in ("LT", "GT")]
            args = [x if not isinstance(x, Token) else Name(x.start_pos, x.end_pos, str(x)) for x in args]
            s2, e2 = _span(c)
            # The closing '>' is an anonymous token that lark filters out: find it in the text.
            gt = [x for x in c if isinstance(x, Token) and x.type == "GT"]
            return TemplateId(s2, gt[-1].end_pos if gt else e2, str(c[0]), args)

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
            return Unary(c[0].start - 1, c[0].end, "*", c[0])

        def addr_of(self, c):
            return Unary(c[0].start - 1, c[0].end, "&", c[0])

        def cast(self, c):
            type_, operand = c
            return Cast(type_.start - 1, operand.end, type_, operand)

        def sizeof(self, c):
            return SizeOf(c[0].start, c[0].end, c[0])

        def ternary(self, c):
            cond, a, b = c
            return Ternary(cond.start, b.end, cond, a, b)

        def call(self, c):
            func = c[0]
            args = c[1] if len(c) > 1 and isinstance(c[1], list) else []
            _, e = _span(args)
            return Call(func.start, (e if e is not None else func.end + 1) + 1, func, args)

        def index(self, c):
            obj, idx = c
            return Index(obj.start, idx.end + 1, obj, idx)

        def member(self, c):
            obj, name = c
            return Member(obj.start, name.end_pos, obj, str(name), False)

        def arrow(self, c):
            obj, name = c
            return Member(obj.start, name.end_pos, obj, str(name), True)

        def binary_lit(self, c):
            left, right = c
            return Binary(left.start, right.end, "?", left, right)

        def args(self, c):
            return list(c)

        # -- statements --
        def decl(self, c):
            type_, name = c[0], c[1]
            init = c[2] if len(c) > 2 else None
            return Decl(type_.start, (init.end if init else name.end_pos), type_, str(name), init, None)

        def ctor_decl(self, c):
            type_, name = c[0], c[1]
            args = c[2] if len(c) > 2 and isinstance(c[2], list) else []
            return Decl(type_.start, name.end_pos, type_, str(name), None, args)

        def expr_stmt(self, c):
            return ExprStmt(c[0].start, c[0].end, c[0])

        def assign_stmt(self, c):
            target, op, value = c
            return AssignStmt(target.start, value.end, target, str(op), value)

        def return_stmt(self, c):
            value = c[0] if c else None
            return ReturnStmt(0, 0, value)

    _TRANSFORMER = ToAst()
    return _TRANSFORMER


_CURRENT_TEXT = [""]


def parse_statement(text: str):
    """Return the statement AST, or ``None`` if the grammar cannot parse ``text``."""
    from lark.exceptions import LarkError
    _CURRENT_TEXT[0] = text
    try:
        tree = _parser().parse(text)
        return _transformer().transform(tree)
    except LarkError:
        return None
    except (TypeError, AttributeError, ValueError, IndexError):
        # A shape the transformer does not expect: treat as not understood (opaque).
        return None
