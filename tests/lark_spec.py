"""The executable specification of the statement parser: an LALR grammar (``cpp_stmt.lark``,
read by lark with its contextual lexer) and the transformer from its parse trees to the AST of
``ptofix.cpp.stmt_ast``.

The product's parser (``ptofix/cpp/fast_expr.py``) is hand-written; tests/cpp/test_stmt_grammar.py
checks that it builds this grammar's AST, spans included, or refuses, wherever this does.
"""
from __future__ import annotations

import functools
import os
import re

from lark import Token, Transformer_NonRecursive

from ptofix.cpp import fast_expr
from ptofix.cpp import stmt_parser as A
from ptofix.cpp.lexical import code_only
from ptofix.cpp.stmt_ast import (
    Assign,
    AssignStmt,
    Binary,
    Call,
    Cast,
    Comma,
    Decl,
    ExprStmt,
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
)

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


def quals_and_rest(children):
    quals = tuple(str(c) for c in children if isinstance(c, Token) and c.type == "QUAL")
    stars = sum(1 for c in children if isinstance(c, Token) and c.type == "STAR")
    rest = [c for c in children if not (isinstance(c, Token) and c.type in ("QUAL", "STAR"))
            and c is not _REF and c is not _ARRAY]
    return quals, stars, rest


def type_ref(c, blanks_joined: bool, ref: bool):
    """The TypeRef of a type node: a template id's name and node, or the words (their blanks
    made single where ``blanks_joined``: `unsigned   int`)."""
    quals, stars, rest = quals_and_rest(c)
    s, e = _required_span(c)
    base = rest[0]
    if isinstance(base, TemplateId):
        return TypeRef(s, e, base.name, base, stars, quals, ref)
    name = " ".join(str(base).split()) if blanks_joined else str(base)
    return TypeRef(s, e, name, None, stars, quals, ref)


# Non-recursive: the depth of a tree is the input's, and a recursion would stop where the
# interpreter's stack happens to end (deeper under an interpreted caller than a compiled one).
class ToAst(Transformer_NonRecursive):
    def start(self, c):
        return c[0]

    cond_start = start
    for_init_start = start

    def param_type(self, c):
        return type_ref(c, True, _REF in c)

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
        if isinstance(left, Comma):
            # (left is this parse's own node, built one comma earlier: extend its list rather
            # than copy it, or `a, b, c, ...` costs quadratic time)
            left.items.append(right)
            left.end = right.end
            return left
        return Comma(left.start, right.end, [left, right])

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
        return type_ref(c, False, _REF in c)

    qual_named_type = _named
    plain_named_type = _named

    def cast_type(self, c):
        return type_ref(c, True, False)

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
        args: list = next((x for x in c[1:-1] if isinstance(x, list)), [])
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


def _transformer():
    global _TRANSFORMER
    if _TRANSFORMER is None:
        _TRANSFORMER = ToAst()
    return _TRANSFORMER



@functools.lru_cache(maxsize=16384)
def parse(text: str, start: str):
    """Parse with the grammar. Cached by text: the ASTs are never mutated, and kernels repeat
    many statements word for word (views, shapes, strides)."""
    from lark.exceptions import LarkError
    try:
        tree = _parser().parse(text, start=start)
        return _transformer().transform(tree)
    except LarkError:
        return None
    except (TypeError, AttributeError, ValueError, IndexError):
        # A shape the transformer does not expect: not understood.
        return None


# The words the grammar's terminals make keywords somewhere (QUAL, BUILTIN, AUTO, TRUE, FALSE,
# NULLPTR and the statement keywords).
RESERVED = set(fast_expr._QUALS) | set(fast_expr.BUILTIN_TYPE_WORDS) | {
    "auto", "true", "false", "nullptr", "sizeof", "using", "typedef", "return"}

ENTRIES = {
    "start": fast_expr.parse_statement,
    "cond_start": fast_expr.parse_header_expression,
    "for_init_start": fast_expr.parse_for_init,
    "param_start": fast_expr.parse_parameter,
}


def _reads_a_reserved_word_as_a_name(node: A.Node) -> bool:
    """Whether the grammar's AST holds a reserved word as an identifier (not a declarator's or a
    member's name, which both parsers take)."""
    for sub in A.walk(node):
        words: list[str] = []
        if isinstance(sub, A.Name):
            words = sub.id.split("::")
        elif isinstance(sub, A.TemplateId):
            words = sub.name.split("::")
        elif isinstance(sub, A.TypeRef) and sub.template is None:
            # (a builtin type's words and `auto` are keywords where they stand)
            words = sub.name.split("::") if "::" in sub.name \
                else [sub.name] if sub.name not in fast_expr.BUILTIN_TYPE_WORDS | {"auto"} else []
        if any(word in RESERVED for word in words):
            return True
    return False


def _splits_against_maximal_munch(text: str) -> bool:
    """Whether ``text`` holds `++`/`--` where C++ takes it as one operator that cannot stand there:
    C++ takes the longest operator first (`a+++b` is `a ++ + b`), so `sizeof(int)+++v` and
    `sizeof(int)++-v` apply `++` to `sizeof(int)`, which is ill-formed; the grammar's contextual
    lexer may split it instead (`sizeof(int) + ++v`). The product's parser refusing such a
    statement is the stricter reading."""
    return _MUNCHED.search(code_only(text)) is not None


_MUNCHED = re.compile(r"\+\+\+|---|\bsizeof\s*\([^()]*\)\s*(?:\+\+|--)")


def assert_agrees(text: str, start: str = "start") -> str:
    """Both parsers read ``text`` alike; returns "same", "refused" or "stricter"."""
    spec = parse(text, start)
    ours = ENTRIES[start](text)
    ours = None if ours is fast_expr.FALLBACK else ours
    if spec is None or ours is None:
        if ours is None and spec is not None:
            assert _reads_a_reserved_word_as_a_name(spec) or _splits_against_maximal_munch(text), (start, text, spec)
            return "stricter"
        assert ours is None, (start, text, ours)
        return "refused"
    assert repr(ours) == repr(spec), (start, text)
    return "same"
