"""The statement parser: recursive descent over one C++ statement (or a ``for``/``if`` header part,
or one function parameter), building the AST of ``stmt_ast`` with exact spans.

The language it reads is the one ``tests/cpp_stmt.lark`` specifies (an LALR grammar with lark's
contextual lexer, kept in the tests as the executable specification: tests/cpp/test_stmt_grammar.py
checks that both give the same AST, or both refuse, on every corpus statement and on generated
ones). Its lexing follows that grammar's terminals: a word is a keyword only where the grammar
takes that keyword, an identifier written against a '<' starts a template id, and inside
template arguments every '>' closes one. It is stricter in one respect: a reserved word (a
qualifier, a builtin type word, `auto`, `sizeof`, ...) where no keyword may stand is refused,
where the grammar's lexer would read an identifier of that spelling (`x = int;`); only a
declarator's or member's name takes any word, as in the grammar.

Nesting is bounded (``MAX_EXPRESSION_NESTING``): the recursion cannot be driven deeper by input.
Anything it does not read gives ``FALLBACK`` (refused: the statement is not understood).
"""
from __future__ import annotations

import re

from .. import regex_cache
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
    walk,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Final

# (The module's constants are Final: a compiled build reads a Final from a C variable, or inlines an
# int one, where it looks any other global up in the module's dict at each use.)
# The fast parsers' one "not mine" answer (stmt_ast.Fallback): stmt_parser's regex fast paths give it too.
FALLBACK: Final[Node] = Fallback(-1, -1)

# ---- terminals (as cpp_stmt.lark spells them; runs possessive: each token is read once, in time
# linear in its length, and no shorter run could be followed by what the patterns require) -----
_QUALS = ("const", "constexpr", "static", "volatile", "__gm__", "__ubuf__", "__cbuf__", "__cc__", "__ca__",
          "__cb__", "__fbuf__", "__ssbuf__", "__restrict__", "inline")
_QUAL: Final = regex_cache.compile(r"(?:" + "|".join(_QUALS) + r")\b")
_BUILTIN: Final = regex_cache.compile(
    r"(?:(?:unsigned|signed)(?:\s+(?:long\s+long|long|int|short|char))?|u?int(?:8|16|32|64)_t|size_t|ssize_t"
    r"|event_t|mem_dsb_t|pipe_t|uintptr_t|intptr_t|int|long\s+long|long|short|char|float|double|half|bfloat16_t"
    r"|bool|void)\b")
_TNAME: Final = regex_cache.compile(r"(?:::)?+[A-Za-z_]\w*+(?:::[A-Za-z_]\w*+)*+(?=<)")
_QNAME: Final = regex_cache.compile(r"::[A-Za-z_]\w*+(?:::[A-Za-z_]\w*+)*+|[A-Za-z_]\w*+(?:::[A-Za-z_]\w*+)++")
_NUMBER: Final = regex_cache.compile(r"(?:0[xX][0-9a-fA-F]++|(?:\d++\.?+\d*+|\.\d++)(?:[eE][+-]?\d++)?+)[uUlLfF]*+")
_STRING: Final = regex_cache.compile(r'"(?:\\.|[^"\\])*+"|\'(?:\\.|[^\'\\])*+\'', re.S)
_LITERAL_WORDS: Final = {"true": True, "false": False, "nullptr": None}
_QUAL_WORDS: Final = frozenset(_QUALS)
_WORD_STARTS: Final = frozenset("_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")  # (name_end)
_MULTI_WORD_HEADS: Final = frozenset({"unsigned", "signed", "long"})     # (a builtin type of several words)
_STATEMENT_WORDS: Final = ("using", "typedef", "return")
# Blanks and comments, as the grammar ignores them (its WS: space, tab, form feed, CR, LF).
_SKIP_STARTS: Final = " \t\f\r\n/"
_SKIP: Final = regex_cache.compile(r"(?:[ \t\f\r\n]++|//[^\r\n]*+|/\*(?:[^*]++|\*(?!/))*+\*/)*+")

# The builtin type words (the grammar's BUILTIN terminal spells the same ones).
BUILTIN_TYPE_WORDS: Final = frozenset({
    "unsigned", "signed", "int8_t", "uint8_t", "int16_t", "uint16_t", "int32_t", "uint32_t", "int64_t", "uint64_t",
    "size_t", "ssize_t", "event_t", "mem_dsb_t", "pipe_t", "uintptr_t", "intptr_t", "int", "long", "short", "char",
    "float", "double", "half", "bfloat16_t", "bool", "void"})

# Which words a position takes (bits): the kinds of token the grammar accepts there.
W_NAME: Final = 1
W_QNAME: Final = 2
W_TNAME: Final = 4
W_QUAL: Final = 8
W_BUILTIN: Final = 16
W_AUTO: Final = 32
W_BOOL: Final = 64          # true, false
W_NULLPTR: Final = 128
W_SIZEOF: Final = 256
W_STATEMENT: Final = 512    # using, typedef, return
W_ANY_NAME: Final = 1024    # a declarator's or member's name: any word is a NAME there

_NAMES: Final = W_NAME | W_QNAME | W_TNAME
# The words the grammar makes keywords before any other terminal, by the kind a position takes.
_KEYWORD_KINDS: Final = {"auto": W_AUTO, "true": W_BOOL, "false": W_BOOL, "nullptr": W_NULLPTR}
_UNARY: Final = _NAMES | W_BOOL | W_NULLPTR | W_SIZEOF
_PAREN: Final = _UNARY | W_QUAL | W_BUILTIN                  # after '(' where a cast may follow
_STATEMENT_START: Final = _PAREN | W_AUTO | W_STATEMENT
_FOR_INIT_START: Final = _PAREN | W_AUTO
_DECL_TYPE: Final = _NAMES | W_QUAL | W_BUILTIN | W_AUTO     # a declaration's type (after a qualifier too)
_CAST_TYPE: Final = _NAMES | W_QUAL | W_BUILTIN              # a cast's or template argument's type after a qualifier
_TARG: Final = _NAMES | W_BOOL | W_SIZEOF | W_QUAL | W_BUILTIN
_TUNARY: Final = _NAMES | W_BOOL | W_SIZEOF
_DECLARATOR: Final = W_NAME | W_ANY_NAME

Tok = tuple[str, str, int, int]        # (kind, text, start, end); kind: a word kind, "num", "str" or "op"

# Operators after an operand, longest and highest grammar priority first (the grammar's lexer
# takes `<<` before `<<=`, so `a <<= b` reads as a shift followed by '=': refused, as there).
_FOLLOW_OPS = ("++", "--", "||", "&&", "==", "!=", "<=", ">=", "<<", ">>", "+=", "-=", "*=", "/=", "%=", "&=",
               "|=", "^=", "->")
_FOLLOW_OPS_BY_CHAR: Final = {op[0]: tuple(o for o in _FOLLOW_OPS if o[0] == op[0]) for op in _FOLLOW_OPS}
_ASSIGN_OPS: Final = frozenset({"=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^="})
_LEVELS = [("||",), ("&&",), ("|",), ("^",), ("&",), ("==", "!="), ("<", ">", "<=", ">="), ("<<", ">>"),
           ("+", "-"), ("*", "/", "%")]
_PRECEDENCE: Final = {op: level for level, ops in enumerate(_LEVELS) for op in ops}
# ptoas writes a few levels; each bracket, operand of a prefix operator, branch and argument opens
# one. Past this many the AST is deeper than the statement parser keeps anyway.
_MAX_OPEN: Final = 4 * MAX_EXPRESSION_NESTING


def name_end(text: str, pos: int) -> int:
    """Where the name at ``pos`` ends (what ``[A-Za-z_]\\w*+`` matches there: a letter or '_', then
    word characters, str.isalnum() or '_' as the regex's Unicode \\w), or -1 where none starts. (A
    loop, not the regex: a method call a word costs more than the characters of most names;
    tests/cpp/test_fast_expr_lexing.py compares both.)"""
    n = len(text)
    if pos >= n or text[pos] not in _WORD_STARTS:
        return -1
    end = pos + 1
    while end < n:
        char = text[end]
        if char != "_" and not char.isalnum():
            break
        end += 1
    return end


class _Fail(Exception):
    pass


class _Parser:
    """One text's parse: ``pos`` is the next character to read. Tokens are read on demand, each
    where the grammar says what may stand there (see ``word``)."""

    def __init__(self, text: str) -> None:
        if len(text) > MAX_GRAMMAR_CHARS:
            raise _Fail()
        self.text = text
        self.pos = 0
        self.open = 0
        # Where the last template id closed: right after its '>' the grammar's lexer takes '*' for
        # a pointer declarator's STAR and '=' for a parameter default's (both where a type may
        # end there), never for an operator: no expression goes on with either.
        self.template_close = -1
        self.skipped_from = -1
        self.skipped_to = -1
        # The last word read: (position, what the position accepts, token). A parse that looks
        # at a word and then reads on from before it asks for it again.
        self.last_word: tuple[int, int, Tok] | None = None

    # -- lexing -------------------------------------------------------------------------------
    def skip(self, pos: int) -> int:
        """The position after the blanks and comments at ``pos``. (The lexer asks at one position
        several times: the last answer is kept. A `/*` without its `*/` is no comment: the
        grammar's lexer reads a '/' there.)"""
        if pos == self.skipped_from:
            return self.skipped_to
        text = self.text
        if pos >= len(text) or text[pos] not in _SKIP_STARTS:
            return pos
        if text[pos] == " " and (pos + 1 == len(text) or text[pos + 1] not in _SKIP_STARTS):
            end = pos + 1       # (one space between two tokens, most blanks: what _SKIP matches, no regex call)
        else:
            end = _SKIP.match(text, pos).end()     # type: ignore[union-attr]  # (matches the empty string)
        self.skipped_from = pos
        self.skipped_to = end
        return end

    def at_end(self) -> bool:
        return self.skip(self.pos) >= len(self.text)

    def word(self, accepts: int) -> Tok:
        """The word token at ``pos`` as a position that ``accepts`` these kinds reads it (consumed),
        or _Fail: no word there, or a reserved word where its keyword may not stand."""
        pos = self.skip(self.pos)
        known = self.last_word
        if known is not None and known[0] == pos and known[1] == accepts:
            tok = known[2]
        else:
            tok = self._word(pos, accepts)
            self.last_word = (pos, accepts, tok)
        self.pos = tok[3]
        return tok

    def _word(self, pos: int, accepts: int) -> Tok:
        # In the grammar's terminal order: `auto`/`true`/`false`/`nullptr`, a template's name, a
        # builtin type or qualifier, a qualified name, a name (a keyword where the grammar takes it).
        text = self.text
        end = name_end(text, pos)
        if end < 0:
            template = _TNAME.match(text, pos) if accepts & W_TNAME else None
            if template is not None:
                return ("tname", template.group(), pos, template.end())      # `::pto::Tile<...>`
            qualified = _QNAME.match(text, pos) if accepts & W_QNAME else None
            if qualified is None:
                raise _Fail()
            return ("qname", qualified.group(), pos, qualified.end())
        name = text[pos:end]
        if accepts & W_ANY_NAME:
            return ("name", name, pos, end)
        keyword = _KEYWORD_KINDS.get(name, 0)
        if keyword:
            if accepts & keyword:
                return (name, name, pos, end)
            raise _Fail()
        chain = text[end:end + 2] == "::"
        if accepts & W_TNAME:
            if text[end:end + 1] == "<":
                return ("tname", name, pos, end)
            if chain:
                template = _TNAME.match(text, pos)
                if template is not None:
                    return ("tname", template.group(), pos, template.end())
        qualified = _QNAME.match(text, pos) if chain and accepts & W_QNAME else None
        if name in BUILTIN_TYPE_WORDS:
            if accepts & W_BUILTIN:
                if name in _MULTI_WORD_HEADS:
                    builtin = _BUILTIN.match(text, pos)
                    if builtin is not None:
                        end = builtin.end()
                return ("builtin", text[pos:end], pos, end)
            if qualified is None:
                raise _Fail()
        elif name in _QUAL_WORDS:
            if accepts & W_QUAL:
                return ("qual", name, pos, end)
            if qualified is None:
                raise _Fail()
        if qualified is not None:
            return ("qname", qualified.group(), pos, qualified.end())    # (`pipe_t::PIPE_V` too)
        if not accepts & W_NAME:
            raise _Fail()
        if name == "sizeof" or name in _STATEMENT_WORDS:
            if accepts & (W_SIZEOF if name == "sizeof" else W_STATEMENT):
                return (name, name, pos, end)
            raise _Fail()
        return ("name", name, pos, end)

    def _token(self, kind: str, text: str, start: int, end: int) -> Tok:
        self.pos = end
        return (kind, text, start, end)

    def starts_word(self) -> bool:
        """Whether a word (a name, `::`-qualified or not) is next."""
        text = self.text
        pos = self.skip(self.pos)
        if text[pos:pos + 2] == "::":
            pos += 2
        return text[pos:pos + 1] in _WORD_STARTS

    def starts_with(self, chars: str) -> bool:
        pos = self.skip(self.pos)
        # (A slice compared, not str.startswith(chars, pos): a method call with its arguments
        # parsed each time, several times a token in a compiled build.)
        return self.text[pos:pos + len(chars)] == chars

    def operand_start(self) -> Tok | None:
        """A number or string at ``pos`` (consumed), else None."""
        text = self.text
        pos = self.skip(self.pos)
        if pos < len(text) and (text[pos].isdigit() or text[pos] == "."):
            match = _NUMBER.match(text, pos)
            if match is not None:
                return self._token("num", match.group(), pos, match.end())
        if pos < len(text) and text[pos] in "\"'":
            match = _STRING.match(text, pos)
            if match is not None:
                return self._token("str", match.group(), pos, match.end())
        return None

    def follow_op(self, template: bool = False) -> Tok | None:
        """The operator after an operand (not consumed), or None; inside template arguments one
        character each (`>>` closes two templates)."""
        text = self.text
        pos = self.skip(self.pos)
        if pos >= len(text) or text[pos].isalnum() or text[pos] == "_":
            return None
        char = text[pos]
        if not template:
            for op in _FOLLOW_OPS_BY_CHAR.get(char, ()):
                if text[pos:pos + len(op)] == op:
                    return ("op", op, pos, pos + len(op))
        return ("op", char, pos, pos + 1)

    def prefix_op(self) -> Tok | None:
        """A prefix operator at ``pos`` (not consumed): `++`/`--` or one character."""
        text = self.text
        pos = self.skip(self.pos)
        if pos >= len(text):
            return None
        two = text[pos:pos + 2]
        if two == "++" or two == "--":
            return ("op", two, pos, pos + 2)
        return ("op", text[pos], pos, pos + 1)

    def take(self, tok: Tok) -> Tok:
        self.pos = tok[3]
        return tok

    def expect(self, char: str) -> Tok:
        pos = self.skip(self.pos)
        if self.text[pos:pos + len(char)] != char:
            raise _Fail()
        self.pos = pos + len(char)
        return ("op", char, pos, pos + len(char))

    def after_template(self, op: Tok) -> None:
        if op[1] in ("*", "=") and self.template_close >= 0 and self.skip(self.template_close) == op[2]:
            raise _Fail()

    def enter(self) -> None:
        self.open += 1
        if self.open > _MAX_OPEN:
            raise _Fail()

    # -- expressions --------------------------------------------------------------------------
    def expr(self, first: Node | None = None) -> Node:
        """``assign_expr ("," assign_expr)*``."""
        node = self.assign_expr(first)
        if not self.starts_with(","):
            return node
        # A parenthesized comma expression first (`(a, b), c`) lends its items: one flat list, as
        # the grammar's specification builds it (the same value and order of evaluation).
        items = list(node.items) if isinstance(node, Comma) else [node]
        while self.starts_with(","):
            self.expect(",")
            items.append(self.assign_expr())
        return Comma(node.start, items[-1].end, items)

    def assign_expr(self, first: Node | None = None) -> Node:
        """``unary ASSIGN_OP assign_expr`` or ``logor ("?" expr ":" assign_expr)?``."""
        self.enter()
        left = self.unary(first)
        op = self.follow_op()
        if op is not None and op[1] in _ASSIGN_OPS:
            self.after_template(op)
            self.take(op)
            value = self.assign_expr()
            self.open -= 1
            return Assign(left.start, value.end, left, op[1], value)
        cond = self.binary(left, 0)
        if not self.starts_with("?"):
            self.open -= 1
            return cond
        self.expect("?")
        then = self.expr()
        self.expect(":")
        orelse = self.assign_expr()
        self.open -= 1
        return Ternary(cond.start, orelse.end, cond, then, orelse)

    def binary(self, left: Node, min_level: int) -> Node:
        """Binary operators of precedence ``min_level`` or higher after ``left``, left-associative."""
        while True:
            op = self.follow_op()
            level = _PRECEDENCE.get(op[1], -1) if op is not None else -1
            if op is None or level < min_level:
                return left
            self.after_template(op)
            self.take(op)
            right = self.binary(self.unary(), level + 1)
            left = Binary(left.start, right.end, op[1], left, right)

    def unary(self, first: Node | None = None) -> Node:
        if first is not None:
            return self.postfix(first)
        self.enter()
        node = self._unary()
        self.open -= 1
        return node

    def _unary(self) -> Node:
        op = self.prefix_op()
        if op is None:
            raise _Fail()
        kind = op[1]
        if kind in ("++", "--"):
            self.take(op)
            operand = self.unary()
            return IncDec(op[2], operand.end, kind, operand, True)
        if kind in ("+", "-", "&"):
            self.take(op)
            operand = self.unary()
            return Unary(op[2], operand.end, kind, operand)
        if kind in ("!", "~", "*"):
            self.take(op)
            operand = self.unary()
            # (The grammar's node starts one character before its operand: where the operator
            # is when nothing stands between them.)
            return Unary(operand.start - 1, operand.end, kind, operand)
        if kind == "(":
            save = self.pos
            self.take(op)
            if self.starts_word():
                tok = self.word(_PAREN)
                if tok[0] in ("qual", "builtin"):
                    type_ = self.cast_type(tok)
                    self.expect(")")
                    operand = self.unary()
                    return Cast(type_.start - 1, operand.end, type_, operand)
                # (Read alike where no cast may follow: neither a qualifier nor a builtin type.)
                self.last_word = (tok[2], _UNARY, tok)
            self.pos = save
            return self.postfix(self.primary())
        if self.starts_word():
            tok = self.word(_UNARY)
            if tok[0] == "sizeof":
                return self.sizeof()
            return self.postfix(self.primary_word(tok))
        return self.postfix(self.primary())

    def sizeof(self) -> Node:
        """``"sizeof" "(" (expr | cast_type) ")"`` (the `sizeof` read)."""
        self.expect("(")
        arg: Node | None = None
        if self.starts_word():
            save = self.pos
            tok = self.word(_PAREN)
            if tok[0] in ("qual", "builtin"):
                arg = self.cast_type(tok)
            else:
                self.pos = save
        if arg is None:
            arg = self.expr()
        self.expect(")")
        return SizeOf(arg.start, arg.end, arg)

    def cast_type(self, first: Tok) -> TypeRef:
        """``QUAL* BUILTIN STAR*`` or ``QUAL+ named_type STAR*`` from its first token."""
        quals: list[str] = []
        tok = first
        while tok[0] == "qual":
            quals.append(tok[1])
            tok = self.word(_CAST_TYPE)
        if tok[0] != "builtin" and not quals:
            raise _Fail()
        base, end = self.type_base(tok)
        stars, end = self.stars(end)
        return TypeRef(first[2], end, base[0], base[1], stars, tuple(quals), False)

    def type_base(self, tok: Tok) -> tuple[tuple[str, TemplateId | None], int]:
        """A type's base word (a builtin's blanks made single, a named type, a template id): its
        name, template and end."""
        kind = tok[0]
        if kind == "builtin":
            return (" ".join(tok[1].split()), None), tok[3]
        if kind in ("name", "qname"):
            return (tok[1], None), tok[3]
        if kind == "tname":
            tmpl = self.template_id(tok)
            return (tmpl.name, tmpl), tmpl.end
        raise _Fail()

    def stars(self, end: int) -> tuple[int, int]:
        """``STAR*``: how many, and where the type ends."""
        stars = 0
        while self.starts_with("*"):
            end = self.expect("*")[3]
            stars += 1
        return stars, end

    def ref(self) -> bool:
        """``ref?`` (`&` or `&&`) after a declaration's type."""
        if self.starts_with("&&"):
            self.expect("&&")
            return True
        if self.starts_with("&"):
            self.expect("&")
            return True
        return False

    def postfix(self, node: Node) -> Node:
        while True:
            op = self.follow_op()
            if op is None:
                return node
            kind = op[1]
            if kind == "(":
                self.take(op)
                args = self.arguments(")")
                close = self.expect(")")
                node = Call(node.start, close[3], node, args)
            elif kind == "[":
                self.take(op)
                self.enter()
                index = self.expr()
                self.open -= 1
                close = self.expect("]")
                node = Index(node.start, close[3], node, index)
            elif kind in (".", "->"):
                self.take(op)
                field = self.word(_DECLARATOR)
                node = Member(node.start, field[3], node, field[1], kind == "->")
            elif kind in ("++", "--"):
                self.take(op)
                node = IncDec(node.start, op[3], kind, node, False)
            else:
                return node

    def arguments(self, close: str) -> list[Node]:
        """``[assign_expr ("," assign_expr)*]`` before ``close``."""
        if self.starts_with(close):
            return []
        args = [self.assign_expr()]
        while self.starts_with(","):
            self.expect(",")
            args.append(self.assign_expr())
        return args

    def primary(self) -> Node:
        literal = self.operand_start()
        if literal is not None:
            kind, text, start, end = literal
            return Number(start, end, text) if kind == "num" else String(start, end, text)
        if self.starts_with("("):
            self.expect("(")
            self.enter()
            inner = self.expr()
            self.open -= 1
            self.expect(")")
            return inner
        return self.primary_word(self.word(_UNARY))

    def primary_word(self, tok: Tok) -> Node:
        kind, text, start, end = tok
        if kind in ("name", "qname"):
            return Name(start, end, text)
        if kind == "tname":
            return self.template_id(tok)
        if kind in ("true", "false", "nullptr"):
            return Literal(start, end, _LITERAL_WORDS[text])
        raise _Fail()

    # -- templates ----------------------------------------------------------------------------
    def template_id(self, name: Tok) -> TemplateId:
        """``TNAME "<" [targ ("," targ)*] ">"`` after its name."""
        self.enter()
        self.expect("<")
        args: list[Node] = []
        if not self.starts_with(">"):
            args.append(self.template_argument())
            while self.starts_with(","):
                self.expect(",")
                args.append(self.template_argument())
        close = self.expect(">")
        self.open -= 1
        self.template_close = close[3]
        return TemplateId(name[2], close[3], name[1], args)

    def template_argument(self) -> Node:
        """``tsum``, ``QUAL* BUILTIN STAR*`` or ``QUAL+ named_type STAR+``."""
        if self.starts_word():
            first = self.word(_TARG)
            if first[0] in ("qual", "builtin"):
                quals: list[str] = []
                tok = first
                while tok[0] == "qual":
                    quals.append(tok[1])
                    tok = self.word(_CAST_TYPE)
                base, end = self.type_base(tok)
                stars, end = self.stars(end)
                if tok[0] != "builtin" and not stars:
                    raise _Fail()       # (a named type after a qualifier takes a '*' here)
                return TypeRef(first[2], end, base[0], base[1], stars, tuple(quals), False)
            return self.template_sum(first)
        return self.template_sum()

    def template_sum(self, first: Tok | None = None) -> Node:
        """``tprod (ADD_OP tprod)*`` (``first``: its first word, already read)."""
        left = self.template_product(first)
        while True:
            op = self.follow_op(template=True)
            if op is None or op[1] not in ("+", "-"):
                return left
            self.take(op)
            right = self.template_product()
            left = Binary(left.start, right.end, op[1], left, right)

    def template_product(self, first: Tok | None = None) -> Node:
        left = self.template_unary(first)
        while True:
            op = self.follow_op(template=True)
            if op is None or op[1] not in ("*", "/", "%"):
                return left
            self.after_template(op)
            self.take(op)
            right = self.template_unary()
            left = Binary(left.start, right.end, op[1], left, right)

    def template_unary(self, first: Tok | None = None) -> Node:
        if first is not None:
            return self.template_word(first)
        self.enter()
        op = self.prefix_op()
        if op is not None and op[1][0] in "+-":
            op = ("op", op[1][0], op[2], op[2] + 1)      # (no `++` among template arguments)
            self.take(op)
            operand = self.template_unary()
            self.open -= 1
            return Unary(op[2], operand.end, op[1], operand)
        node = self.template_primary()
        self.open -= 1
        return node

    def template_primary(self) -> Node:
        if self.starts_with("("):
            self.expect("(")
            inner = self.template_sum()
            self.expect(")")
            return inner
        literal = self.operand_start()
        if literal is not None:
            if literal[0] != "num":
                raise _Fail()
            return Number(literal[2], literal[3], literal[1])
        return self.template_word(self.word(_TUNARY))

    def template_word(self, tok: Tok) -> Node:
        kind, text, start, end = tok
        if kind in ("name", "qname"):
            return Name(start, end, text)
        if kind == "tname":
            return self.template_id(tok)
        if kind in ("true", "false"):
            return Literal(start, end, _LITERAL_WORDS[text])
        if kind == "sizeof":
            return self.sizeof()
        raise _Fail()

    # -- declarations -------------------------------------------------------------------------
    def decl_type(self, first: Tok, parameter: bool = False) -> TypeRef:
        """A declaration's type from its first token: ``QUAL* AUTO ref?``, ``QUAL* BUILTIN STAR*
        ref?``, ``QUAL+ named_type STAR* ref?`` or ``named_type`` (a parameter's named type takes
        stars and a reference without a qualifier)."""
        quals: list[str] = []
        tok = first
        while tok[0] == "qual":
            quals.append(tok[1])
            tok = self.word(_DECL_TYPE)
        if tok[0] == "auto":
            stars, end = self.stars(tok[3]) if parameter else (0, tok[3])
            ref = self.ref()
            return TypeRef(first[2], end, "auto", None, stars, tuple(quals), ref)
        base, end = self.type_base(tok)
        if tok[0] != "builtin" and not quals and not parameter:
            return TypeRef(first[2], end, base[0], base[1], 0, (), False)
        stars, end = self.stars(end)
        ref = self.ref()
        return TypeRef(first[2], end, base[0], base[1], stars, tuple(quals), ref)

    def declaration(self, type_: TypeRef, constructor: bool) -> Decl:
        """``NAME array_dim* ("=" assign_expr)?`` or (``constructor``) ``NAME "(" [args] ")"``
        after the type."""
        name = self.word(_DECLARATOR)
        if constructor and self.starts_with("("):
            self.expect("(")
            args = self.arguments(")")
            self.expect(")")
            return Decl(type_.start, name[3], type_, name[1], None, args)
        array = self.array_dims()
        init: Node | None = None
        if self.starts_with("=") and not self.starts_with("=="):
            self.expect("=")
            init = self.assign_expr()
        return Decl(type_.start, init.end if init is not None else name[3], type_, name[1], init, None, array)

    def array_dims(self) -> bool:
        """``("[" expr? "]")*``: whether there was one."""
        array = False
        while self.starts_with("["):
            self.expect("[")
            if not self.starts_with("]"):
                self.expr()
            self.expect("]")
            array = True
        return array

    def statement(self) -> Node:
        if not self.starts_word():
            node = self.expr()
            return self.expression_statement(node)
        tok = self.word(_STATEMENT_START)
        kind = tok[0]
        if kind == "using":
            name = self.word(_DECLARATOR)
            self.expect("=")
            type_ = self.decl_type(self.word(_DECL_TYPE))
            self.expect(";")
            return TypeAlias(name[2], type_.end, name[1], type_)
        if kind == "typedef":
            type_ = self.decl_type(self.word(_DECL_TYPE))
            name = self.word(_DECLARATOR)
            self.expect(";")
            return TypeAlias(type_.start, name[3], name[1], type_)
        if kind == "return":
            value = None if self.starts_with(";") else self.expr()
            self.expect(";")
            return ReturnStmt(0, 0, value)
        head = self.head(tok, True)
        if isinstance(head, Decl):
            self.expect(";")
            return head
        return self.expression_statement(self.expr(head))

    def head(self, tok: Tok, constructor: bool) -> Node | None:
        """A declaration from its first word ``tok``, or the primary expression it starts (the rest
        of an expression follows), or None: an expression to read from ``tok`` on."""
        kind = tok[0]
        if kind in ("qual", "auto", "builtin"):
            return self.declaration(self.decl_type(tok), constructor)
        if kind in ("name", "qname", "tname"):
            node: Node = self.template_id(tok) if kind == "tname" else Name(tok[2], tok[3], tok[1])
            if self.starts_word():
                name = node.name if isinstance(node, TemplateId) else tok[1]
                template = node if isinstance(node, TemplateId) else None
                return self.declaration(TypeRef(node.start, node.end, name, template, 0, (), False), constructor)
            return node
        # A word that starts no declaration (true, false, nullptr, sizeof): an expression.
        self.pos = tok[2]
        return None

    def expression_statement(self, node: Node) -> Node:
        self.expect(";")
        if isinstance(node, Assign):
            # A statement that is one assignment (the common `x = e;`) gets its own node.
            return AssignStmt(node.start, node.end, node.target, node.op, node.value)
        return ExprStmt(node.start, node.end, node)

    def parameter(self) -> Decl:
        """``param_type NAME? array_dim* ("=" assign_expr)?``; ``param_type`` is ``QUAL* (BUILTIN |
        named_type | AUTO) STAR* ref?``."""
        type_ = self.decl_type(self.word(_DECL_TYPE), parameter=True)
        name: Tok | None = None
        if self.starts_word():
            name = self.word(_DECLARATOR)
        array = self.array_dims()
        init: Node | None = None
        if self.starts_with("="):
            self.expect("=")
            init = self.assign_expr()
        end = init.end if init is not None else name[3] if name is not None else type_.end
        return Decl(type_.start, end, type_, name[1] if name is not None else "", init, None, array)


def _finish(parser: _Parser, node: Node) -> Node:
    return node if parser.at_end() else FALLBACK


def parse_statement(text: str) -> Node:
    """The AST of one statement (ending in ';'), or FALLBACK."""
    try:
        parser = _Parser(text)
        return _finish(parser, parser.statement())
    except (_Fail, RecursionError):
        return FALLBACK


def parse_expression(text: str, offset: int = 0) -> Node:
    """The AST of an expression (``if``/``for`` condition, ``for`` step: the grammar's ``expr``);
    ``offset`` is where ``text`` starts in its statement. FALLBACK if it is none."""
    try:
        parser = _Parser(text)
        node = _finish(parser, parser.expr())
    except (_Fail, RecursionError):
        return FALLBACK
    if offset and node is not FALLBACK:
        _shift([node], offset)
    return node


def _shift(nodes: list[Node], offset: int) -> None:
    """Move the spans of these fresh ASTs (no node shared) by ``offset``."""
    for root in nodes:
        for node in walk(root):
            node.start += offset
            node.end += offset


def parse_header_expression(text: str) -> Node:
    """An ``if``/``for`` condition or a ``for`` step."""
    return parse_expression(text)


def parse_for_init(text: str) -> Node:
    """A ``for`` init clause: a declaration (no constructor form) or an expression, or FALLBACK."""
    try:
        parser = _Parser(text)
        if parser.starts_word():
            tok = parser.word(_FOR_INIT_START)
            head = parser.head(tok, False)
            node = head if isinstance(head, Decl) else parser.expr(head)
        else:
            node = parser.expr()
        return _finish(parser, node)
    except (_Fail, RecursionError):
        return FALLBACK


def parse_args(text: str, offset: int) -> list[Node] | None:
    """A comma-separated argument list (the text between a call's parentheses at ``offset``), or
    None."""
    try:
        parser = _Parser(text)
        args = parser.arguments("\0") if text.strip() else []
        if not parser.at_end():
            return None
    except (_Fail, RecursionError):
        return None
    if offset:
        _shift(args, offset)
    return args


def parse_parameter(text: str) -> Node | None:
    """One function parameter as a Decl (its name '' when unnamed), or FALLBACK."""
    try:
        parser = _Parser(text)
        return _finish(parser, parser.parameter())
    except (_Fail, RecursionError):
        return FALLBACK
