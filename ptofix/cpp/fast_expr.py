"""A small precedence-climbing parser for the expressions ptoas writes in address and view setup
(names, literals, C casts to builtin types, ``static_cast``/``reinterpret_cast``, ``sizeof`` of a
builtin type, arithmetic/comparison/logical operators, ``&x``, ``?:``, subscripts, ``.``/``->``
members and calls), plus the declaration shapes around them.

It exists only to keep lark off the common path (speed). It builds exactly the AST the lark
grammar builds (spans included) or gives up with ``FALLBACK``, and the corpus-wide parity test
(tests/test_cpp_frontend.py) checks that for every statement it accepts.
"""
from __future__ import annotations

import re

from .. import regex_cache
from . import stmt_parser as A

FALLBACK = A._FALLBACK
Tok = tuple[str, str, int, int]        # (kind, text, start, end)

# A token and the blanks before it, as findall reads them: (blanks, num, name, op, other). No
# Match object a token; a character no token starts with is an `other` token, so findall never
# skips one (it skips only blanks at the end, where nothing matches). `++`/`--` are tokens of their
# own (the grammar's INCDEC, which this parser does not read): split into two '+'/'-' they would
# read as two unary operators. Runs are possessive (a number or name is read once, not once per
# place it could end: no shorter one is followed by what the lookahead allows), and an `other`
# token takes the rest of the text (the parser gives up there: findall need not go on, one
# failed number match per digit).
_TOKEN_PARTS = regex_cache.compile(r"""(\s*)(?:
    ((?:0[xX][0-9a-fA-F]++|(?:\d++\.?+\d*+|\.\d++)(?:[eE][+-]?\d++)?+)[uUlLfF]*+(?![\w.]))
  | ((?:::)?[A-Za-z_]\w*+(?:::[A-Za-z_]\w*+)*+)
  | (\+\+|--|->|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%<>&|^!~(),.?:=\[\]])
  | (\S[\s\S]*)
)""", re.X)

# Keywords of the grammar that are not plain names.
_QUALS = {"const", "constexpr", "static", "volatile", "__gm__", "__ubuf__", "__cbuf__", "__cc__", "__ca__",
          "__cb__", "__fbuf__", "__ssbuf__", "__restrict__", "inline"}
_BUILTINS = {"unsigned", "signed", "int8_t", "uint8_t", "int16_t", "uint16_t", "int32_t", "uint32_t", "int64_t",
             "uint64_t", "size_t", "ssize_t", "event_t", "mem_dsb_t", "pipe_t", "uintptr_t", "intptr_t", "int",
             "long", "short", "char", "float", "double", "half", "bfloat16_t", "bool", "void"}
# The builtin type words (the statement grammar's BUILTIN terminal spells the same ones).
BUILTIN_TYPE_WORDS = frozenset(_BUILTINS)
_RESERVED = _QUALS | _BUILTINS | {"auto", "sizeof", "return", "using", "typedef", "true", "false", "nullptr",
                                  "new", "delete", "this", "operator", "template", "typename"}
_LITERALS = {"true": True, "false": False, "nullptr": None}
# Template ids read by the expression parser: the C++ casts, with one type argument.
_CASTS = {"static_cast", "reinterpret_cast"}

# Binary operators by precedence level (lowest first), as in cpp_stmt.lark.
_LEVELS = [("||",), ("&&",), ("|",), ("^",), ("&",), ("==", "!="), ("<", ">", "<=", ">="), ("<<", ">>"),
           ("+", "-"), ("*", "/", "%")]

_PRECEDENCE = {op: level for level, ops in enumerate(_LEVELS) for op in ops}


class _Fail(Exception):
    pass


class _ExpressionParser:
    def __init__(self, text: str, offset: int) -> None:
        if len(text) > A.MAX_GRAMMAR_CHARS:
            # (its tokens would take ~100 bytes of memory a character: as the grammar, it leaves
            # a statement this long unread)
            raise _Fail()
        toks: list[Tok] = []
        pos = offset
        for blanks, number, name, op, other in _TOKEN_PARTS.findall(text):
            if other:
                raise _Fail()
            pos += len(blanks)
            if number:
                token = ("num", number, pos, pos + len(number))
            elif name:
                token = ("name", name, pos, pos + len(name))
            else:
                token = ("op", op, pos, pos + len(op))
            toks.append(token)
            pos = token[3]
        self.toks = toks
        self.i = 0
        self.open = 0       # ternary() and unary() calls under way (see _enter)

    def _enter(self) -> None:
        # Every nested expression passes through ternary() or unary() (a bracket, an operand of a
        # unary operator or cast, a branch of ?:, an argument): past this many the AST would be
        # deeper than the statement parser takes anyway (brackets are bounded before parsing),
        # and the recursion stays bounded.
        self.open += 1
        if self.open > 4 * A.MAX_EXPRESSION_NESTING:
            raise _Fail()

    def peek(self, k: int = 0) -> Tok:
        i = self.i + k
        return self.toks[i] if i < len(self.toks) else ("eof", "", -1, -1)

    def take(self) -> Tok:
        tok = self.peek()
        if tok[0] == "eof":
            raise _Fail()
        self.i += 1
        return tok

    def expect(self, text: str) -> Tok:
        tok = self.take()
        if tok[1] != text or tok[0] != "op":
            raise _Fail()
        return tok

    # -- expressions --------------------------------------------------------------------------
    def ternary(self) -> A.Node:
        """The grammar's ``logor "?" expr ":" assign_expr``, right-associative. The middle may be
        a ternary, not a comma expression, and neither branch an assignment: those never reach
        ``:`` or the end here, and the whole statement goes to the grammar."""
        self._enter()
        cond = self.expr()
        tok = self.peek()
        if tok[0] != "op" or tok[1] != "?":
            self.open -= 1
            return cond
        self.take()
        then = self.ternary()
        self.expect(":")
        orelse = self.ternary()
        self.open -= 1
        return A.Ternary(cond.start, orelse.end, cond, then, orelse)

    def expr(self, min_level: int = 0) -> A.Node:
        """Binary operators of precedence ``min_level`` or higher, left-associative (precedence
        climbing: one call a operand instead of one a precedence level, same tree)."""
        left = self.unary()
        while True:
            tok = self.peek()
            level = _PRECEDENCE.get(tok[1], -1) if tok[0] == "op" else -1
            if level < min_level:
                return left
            # `a < b` written against a name is the grammar's template start: leave it to lark.
            if tok[1] == "<" and self.toks[self.i - 1][3] == tok[2]:
                raise _Fail()
            self.take()
            right = self.expr(level + 1)
            left = A.Binary(left.start, right.end, tok[1], left, right)

    def unary(self) -> A.Node:
        self._enter()
        node = self._unary()
        self.open -= 1
        return node

    def _unary(self) -> A.Node:
        tok = self.peek()
        if tok[0] == "op":
            if tok[1] in ("-", "+", "&"):
                self.take()
                operand = self.unary()
                return A.Unary(tok[2], operand.end, tok[1], operand)
            if tok[1] in ("!", "~"):
                self.take()
                operand = self.unary()
                return A.Unary(operand.start - 1, operand.end, tok[1], operand)
            if tok[1] == "(" and self._is_cast():
                return self.cast()
        elif tok[0] == "name" and tok[1] == "sizeof":
            # A unary expression in the grammar, not a postfix one: no call, index or member after it.
            return self.sizeof()
        return self.postfix()

    def _is_cast(self) -> bool:
        k = 1
        while self.peek(k)[0] == "name" and self.peek(k)[1] in _QUALS:
            k += 1
        tok = self.peek(k)
        return tok[0] == "name" and tok[1] in _BUILTINS

    def cast(self) -> A.Node:
        self.expect("(")
        quals, words = [], []
        first = None
        while self.peek()[1] in _QUALS:
            tok = self.take()
            first = first or tok
            quals.append(tok[1])
        tok = self.take()
        first = first or tok
        # Multi-word builtins (`unsigned int`, `long long`) go to the grammar.
        words.append(tok[1])
        if self.peek()[0] == "name" and self.peek()[1] in _BUILTINS:
            raise _Fail()
        stars = 0
        last = tok
        while self.peek() [0] == "op" and self.peek()[1] == "*":
            last = self.take()
            stars += 1
        self.expect(")")
        type_ = A.TypeRef(first[2], last[3], words[0], None, stars, tuple(quals))
        operand = self.unary()
        return A.Cast(type_.start - 1, operand.end, type_, operand)

    def cast_template(self, name_tok: Tok) -> A.TemplateId:
        """``static_cast<T>`` / ``reinterpret_cast<T>`` with a type argument ``[quals] builtin[*...]``
        or ``quals+ Type*...`` (the grammar's builtin_type and qual_named_type template arguments)."""
        self.expect("<")
        type_ = self.type_name(pointer_required_for_named=True)
        close = self.expect(">")
        return A.TemplateId(name_tok[2], close[3], name_tok[1], [type_])

    def sizeof(self) -> A.Node:
        """``sizeof(T)`` of a type ``[quals] builtin[*...]`` (the grammar's SizeOf spans its argument)."""
        self.take()
        self.expect("(")
        type_ = self.type_name(pointer_required_for_named=False, named=False)
        self.expect(")")
        return A.SizeOf(type_.start, type_.end, type_)

    def type_name(self, pointer_required_for_named: bool, named: bool = True) -> A.TypeRef:
        """``QUAL* BUILTIN STAR*`` or (if ``named``) ``QUAL+ (NAME|QNAME) STAR+`` as a TypeRef."""
        quals = []
        first = None
        while self.peek()[0] == "name" and self.peek()[1] in _QUALS:
            tok = self.take()
            first = first or tok
            quals.append(tok[1])
        base = self.take()
        first = first or base
        if base[0] != "name":
            raise _Fail()
        if base[1] in _BUILTINS:
            # Multi-word builtins (`unsigned int`, `long long`) go to the grammar.
            if self.peek()[0] == "name" and self.peek()[1] in _BUILTINS:
                raise _Fail()
        elif not named or not quals or not _plain_type_name(base[1]) or base[1] in _LITERALS:
            raise _Fail()
        nxt = self.peek()
        if nxt[0] == "op" and nxt[1] == "<" and nxt[2] == base[3]:
            raise _Fail()          # a template type argument: the grammar's business
        stars = 0
        last = base
        while self.peek()[0] == "op" and self.peek()[1] == "*":
            last = self.take()
            stars += 1
        if base[1] not in _BUILTINS and pointer_required_for_named and not stars:
            raise _Fail()
        return A.TypeRef(first[2], last[3], base[1], None, stars, tuple(quals))

    def postfix(self) -> A.Node:
        node = self.primary()
        while True:
            tok = self.peek()
            if tok[0] != "op":
                return node
            if tok[1] == "(":
                if not isinstance(node, (A.Name, A.Member, A.TemplateId)):
                    raise _Fail()
                self.take()
                args = []
                if self.peek()[1] != ")":
                    args.append(self.ternary())
                    while self.peek()[1] == ",":
                        self.take()
                        args.append(self.ternary())
                close = self.expect(")")
                node = A.Call(node.start, close[3], node, args)
            elif tok[1] == "[":
                # The grammar's `postfix "[" expr "]"` (its span ends at the ']').
                self.take()
                index = self.ternary()
                close = self.expect("]")
                node = A.Index(node.start, close[3], node, index)
            elif tok[1] in (".", "->"):
                self.take()
                field = self.take()
                if field[0] != "name" or "::" in field[1] or field[1] in _RESERVED:
                    raise _Fail()
                node = A.Member(node.start, field[3], node, field[1], tok[1] == "->")
            else:
                return node

    def primary(self) -> A.Node:
        tok = self.take()
        kind, text, start, end = tok
        if kind == "num":
            return A.Number(start, end, text)
        if kind == "name":
            if text in _LITERALS:
                return A.Literal(start, end, _LITERALS[text])
            if text in _RESERVED or any(part in _RESERVED for part in text.split("::") if part):
                raise _Fail()
            nxt = self.peek()
            if nxt[0] == "op" and nxt[1] == "<" and nxt[2] == end:
                if text in _CASTS:
                    return self.cast_template(tok)
                raise _Fail()      # another template id: the grammar's business
            return A.Name(start, end, text)
        if kind == "op" and text == "(":
            inner = self.ternary()
            self.expect(")")
            return inner
        raise _Fail()


def parse_expression(text: str, offset: int) -> A.Node:
    """The AST of ``text`` (an expression at ``offset`` in its statement), or FALLBACK."""
    try:
        parser = _ExpressionParser(text, offset)
        node = parser.ternary()
        if parser.peek()[0] != "eof":
            return FALLBACK
        return node
    except (_Fail, RecursionError):
        return FALLBACK


def parse_args(text: str, offset: int) -> list[A.Node] | None:
    """A comma-separated argument list (the text between the parentheses), or None."""
    if not text.strip():
        return []
    try:
        parser = _ExpressionParser(text, offset)
        args = [parser.ternary()]
        while parser.peek()[1] == ",":
            parser.take()
            args.append(parser.ternary())
        if parser.peek()[0] != "eof":
            return None
        return args
    except (_Fail, RecursionError):
        return None


# Longest first, then by name: a set's order changes with the hash seed, and the pattern text must
# not (the regex cache is keyed by it).
_QUAL_RE = r"(?:" + "|".join(sorted(_QUALS, key=lambda word: (-len(word), word))) + ")"
# `[quals] Type[*...] NAME` and then `= EXPR`, array dimensions `[N]...` (a decimal or none) or nothing.
# Possessive: a name is a whole word (`intx = 5;` is no `int x`), and a long word is read once,
# not once per place it could be split. The value is the longest text that ends in a non-blank
# (the shortest one before `\s*;` tried `\s*;` at each blank of a long run of blanks), and blanks
# in brackets are read once (`\s*\d*\s*` split a run of them in every way).
_BUILTIN_DECL = regex_cache.compile(
    r"((?:" + _QUAL_RE + r"\s+)*)((?:::)?[A-Za-z_]\w*+(?:::[A-Za-z_]\w*+)*+)(\s*+\**+)\s*+([A-Za-z_]\w*+)"
    r"(?:\s*+=\s*+((?:.*\S)?)|((?:\s*+\[\s*+\d*+\s*+\])++))?\s*+;\Z", re.S)
_AUTO_DECL = regex_cache.compile(r"auto\s+([A-Za-z_]\w*)\s*=")
_TEMPLATE_HEAD = regex_cache.compile(r"((?:::)?[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*)<")
_QNAME_TYPE = regex_cache.compile(r"(?:::)?[A-Za-z_]\w*(?:::[A-Za-z_]\w*)+(?![\w:<])")
_NAME = regex_cache.compile(r"[A-Za-z_]\w*")


def _plain_type_name(name: str) -> bool:
    """A NAME or QNAME the grammar reads as a named type (no keyword, builtin or qualifier in it)."""
    return not any(part in _RESERVED for part in name.split("::") if part)


def _matching(text: str, start: int, open_: str, close: str) -> int:
    """Index of the bracket closing ``text[start]`` (no strings or comments expected)."""
    depth = 0
    for pos in range(start, len(text)):
        ch = text[pos]
        if ch == open_:
            depth += 1
        elif ch == close:
            depth -= 1
            if depth == 0:
                return pos
    return -1


def _template_at(text: str, start: int) -> tuple[A.TemplateId, int] | None:
    """``Name<...>`` starting at ``start``: (TemplateId, end index) or None."""
    head = _TEMPLATE_HEAD.match(text, start)
    if head is None:
        return None
    close = _matching(text, head.end() - 1, "<", ">")
    if close < 0:
        return None
    node = A._template(text[start:close + 1], start)
    if node is None:
        return None
    return node, close + 1


def parse_statement(text: str) -> A.Node | None:
    """Declaration/assignment/call/return shapes built on the fast expression parser."""
    if not text.endswith(";"):
        return FALLBACK
    body = text[:-1]
    stripped = body.rstrip()
    if text.startswith("return ") or text.startswith("return("):
        value = parse_expression(body[6:], 6)
        return FALLBACK if value is FALLBACK else A.ReturnStmt(0, 0, value)
    if text.startswith("using "):
        return _using(text)
    if text.startswith("typedef "):
        return _typedef(text)
    if _rejected_by_the_grammar(text):
        return None
    match = _BUILTIN_DECL.match(text)
    if match and match.group(4) not in _RESERVED and (
            match.group(2) in _BUILTINS and match.group(2) != "void"
            or match.group(1) and _plain_type_name(match.group(2))):
        # `[quals] builtin[*] NAME ...;`, or `quals+ [ns::]Type[*] NAME ...;` (the grammar's
        # qual_named_type: without a qualifier a named type is the plain form further down).
        quals = tuple(match.group(1).split())
        stars = match.group(3).count("*")
        type_end = match.end(3) if stars else match.end(2)
        if stars:
            type_end = match.start(3) + match.group(3).rindex("*") + 1
        type_ = A.TypeRef(0, type_end, match.group(2), None, stars, quals)
        if match.group(5) is None:
            # No initializer: the declaration's span ends at its name (array dimensions are not kept).
            return A.Decl(0, match.end(4), type_, match.group(4), None, None, match.group(6) is not None)
        value = parse_expression(match.group(5), match.start(5))
        if value is FALLBACK:
            return FALLBACK
        return A.Decl(0, value.end, type_, match.group(4), value, None)
    auto = _AUTO_DECL.match(text)
    if auto is not None and auto.group(1) not in _RESERVED:
        value = _init(body, auto.end())
        if value is FALLBACK:
            return FALLBACK
        return A.Decl(0, value.end, A.TypeRef(0, 4, "auto", None, 0, ()), auto.group(1), value, None)
    if _TEMPLATE_HEAD.match(text):
        if _template_pointer_declaration(text):
            return None
        return _templated(text, stripped)
    qualified = _QNAME_TYPE.match(text)
    if qualified is not None:
        # `ns::Type NAME = EXPR;` / `ns::Type NAME(ARGS);` (the grammar's QNAME plain_named_type).
        after = qualified.end()
        second = _NAME.match(text, after + len(text[after:]) - len(text[after:].lstrip()))
        if second is not None and second.start() > after and second.group() not in _RESERVED \
                and _plain_type_name(qualified.group()):
            type_ = A.TypeRef(0, after, qualified.group(), None, 0, ())
            return _declaration(text, body, type_, second)
    name = _NAME.match(text)
    if name is None and text.startswith("("):
        return _member_or_subscript_assignment(body)      # `(v4)[i] = x;`
    if name is None or name.group() in _RESERVED:
        return FALLBACK
    rest = text[name.end():].lstrip()
    if rest.startswith("=") and not rest.startswith("=="):
        # NAME = EXPR;
        eq = text.index("=", name.end())
        value = parse_expression(body[eq + 1:], eq + 1)
        if value is FALLBACK:
            return FALLBACK
        return A.AssignStmt(0, value.end, A.Name(0, name.end(), name.group()), "=", value)
    second = _NAME.match(text, name.end() + (len(text[name.end():]) - len(rest)))
    if second is not None and second.start() > name.end() and second.group() not in _RESERVED:
        # TypeName NAME = EXPR;  /  TypeName NAME(ARGS);
        type_ = A.TypeRef(0, name.end(), name.group(), None, 0, ())
        return _declaration(text, body, type_, second)
    if "[" in body or "." in body:
        assigned = _member_or_subscript_assignment(body)
        if assigned is not FALLBACK:
            return assigned
    value = parse_expression(body, 0)
    if isinstance(value, A.Call):
        return A.ExprStmt(value.start, value.end, value)
    return FALLBACK


def _member_or_subscript_assignment(body: str) -> A.Node:
    """``x[i] = EXPR;`` / ``x.f = EXPR;`` (plain ``=``): the grammar's one-assignment statement."""
    try:
        parser = _ExpressionParser(body, 0)
        target = parser.ternary()
        if not isinstance(target, (A.Index, A.Member)) or parser.take()[1:2] != ("=",):
            return FALLBACK
        value = parser.ternary()
        if parser.peek()[0] != "eof":
            return FALLBACK
    except (_Fail, RecursionError):
        return FALLBACK
    return A.AssignStmt(target.start, value.end, target, "=", value)


# `Templ<...>::NAME` with no further `::`: after a '>' the grammar lexes `::` only as the start of
# a QNAME (which needs two `::`-joined names) or as the ternary's ':' (which needs a '?' before).
_TEMPLATE_MEMBER = regex_cache.compile(r">::[A-Za-z_]\w*(?!\w|::)")


def _rejected_by_the_grammar(text: str) -> bool:
    """Statements the grammar cannot parse (so lark need not be loaded to find out): a member
    of a template id (``ns::Group<T>::Create(...)``) in a statement without '?', strings or
    comments, where no token can take the ``::`` after the '>'."""
    return ">::" in text and "?" not in text and '"' not in text and "'" not in text and "/" not in text \
        and _TEMPLATE_MEMBER.search(text) is not None


# `Templ<...>* NAME = ...`: see _template_pointer_declaration.
_POINTER_DECLARATOR = regex_cache.compile(r"\s*\*+\s*[A-Za-z_]\w*\s*=(?!=)")


def _template_pointer_declaration(text: str) -> bool:
    """``Templ<...>* NAME = ...;``, which the grammar rejects: a template-typed declaration has no
    '*' there (plain_named_type), and read as an expression ``Templ<...> * NAME`` is a product,
    which cannot be assigned to. Only for template ids this module reads as the grammar does."""
    found = _template_at(text, 0)
    return found is not None and _POINTER_DECLARATOR.match(text, found[1]) is not None


def _declaration(text: str, body: str, type_: A.TypeRef, name_match: re.Match[str]) -> A.Node:
    after = text[name_match.end():]
    rest = after.lstrip()
    at = name_match.end() + len(after) - len(rest)
    if rest == ";":
        return A.Decl(type_.start, name_match.end(), type_, name_match.group(), None, None)
    if rest.startswith("=") and not rest.startswith("=="):
        value = _init(body, at + 1)
        if value is FALLBACK:
            return FALLBACK
        return A.Decl(type_.start, value.end, type_, name_match.group(), value, None)
    if rest.startswith("("):
        close = _matching(text, at, "(", ")")
        if close < 0 or text[close + 1:].strip() != ";":
            return FALLBACK
        args = parse_args(text[at + 1:close], at + 1)
        if args is None:
            return FALLBACK
        return A.Decl(type_.start, name_match.end(), type_, name_match.group(), None, args)
    return FALLBACK


def _init(body: str, at: int) -> A.Node:
    """An initializer: an expression, or ``Templ<...>(ARGS)``."""
    lead = len(body[at:]) - len(body[at:].lstrip())
    start = at + lead
    if _TEMPLATE_HEAD.match(body, start):
        found = _template_at(body, start)
        if found is None:
            return FALLBACK
        tmpl, end = found
        if end >= len(body) or body[end] != "(":
            return FALLBACK
        close = _matching(body, end, "(", ")")
        if close < 0 or body[close + 1:].strip():
            return FALLBACK
        args = parse_args(body[end + 1:close], end + 1)
        if args is None:
            return FALLBACK
        return A.Call(tmpl.start, close + 1, tmpl, args)
    return parse_expression(body[at:], at)


def _templated(text: str, stripped: str) -> A.Node:
    """``Templ<...> NAME = INIT;`` / ``Templ<...> NAME(ARGS);`` / ``Templ<...>(ARGS);``."""
    found = _template_at(text, 0)
    if found is None:
        return FALLBACK
    tmpl, end = found
    if text[end:end + 1] == "(":
        close = _matching(text, end, "(", ")")
        if close < 0 or text[close + 1:].strip() != ";":
            return FALLBACK
        args = parse_args(text[end + 1:close], end + 1)
        if args is None:
            return FALLBACK
        call = A.Call(tmpl.start, close + 1, tmpl, args)
        return A.ExprStmt(call.start, call.end, call)
    name = _NAME.match(text, end + len(text[end:]) - len(text[end:].lstrip()))
    if name is None or name.start() == end or name.group() in _RESERVED:
        return FALLBACK
    type_ = A.TypeRef(tmpl.start, tmpl.end, tmpl.name, tmpl, 0, ())
    return _declaration(text, text[:-1], type_, name)


_USING = regex_cache.compile(r"using\s+([A-Za-z_]\w*)\s*=\s*")


def _using(text: str) -> A.Node:
    match = _USING.match(text)
    if match is None:
        return FALLBACK
    at = match.end()
    rest = text[at:-1].rstrip()
    if _TEMPLATE_HEAD.match(text, at):
        found = _template_at(text, at)
        if found is None or found[1] != at + len(rest):
            return FALLBACK
        tmpl = found[0]
        type_ = A.TypeRef(tmpl.start, tmpl.end, tmpl.name, tmpl, 0, ())
    elif rest in _BUILTINS:
        type_ = A.TypeRef(at, at + len(rest), rest, None, 0, ())
    else:
        return FALLBACK
    return A.TypeAlias(match.start(1), type_.end, match.group(1), type_)


_TYPEDEF = regex_cache.compile(r"typedef\s+([A-Za-z_]\w*)\s+([A-Za-z_]\w*)\s*;\Z")


def _typedef(text: str) -> A.Node:
    """``typedef builtin NAME;`` (one-word builtins: `unsigned int` is the grammar's)."""
    match = _TYPEDEF.match(text)
    if match is None or match.group(1) not in _BUILTINS or match.group(1) in _MULTI_WORD_HEADS \
            or match.group(2) in _RESERVED and match.group(2) not in _BUILTINS:
        return FALLBACK
    # After the type only a name (or '*', '&') can follow, so the grammar's contextual lexer reads
    # a builtin word there as the new type's name (`typedef int mem_dsb_t;`).
    type_ = A.TypeRef(match.start(1), match.end(1), match.group(1), None, 0, ())
    return A.TypeAlias(type_.start, match.end(2), match.group(2), type_)


# Builtin words that may start a multi-word builtin (`unsigned int`, `long long`).
_MULTI_WORD_HEADS = {"unsigned", "signed", "long"}


_COMPOUND = regex_cache.compile(r"\s*((?:::)?[A-Za-z_]\w*)\s*(\+=|-=|\*=|/=|<<=|>>=|=(?!=))")


def parse_header_expression(text: str) -> A.Node:
    """An ``if``/``for`` condition or ``for`` step: an expression, or ``NAME op= EXPR``."""
    match = _COMPOUND.match(text)
    if match is not None and match.group(1) not in _RESERVED:
        value = parse_expression(text[match.end():], match.end())
        if value is FALLBACK:
            return FALLBACK
        target = A.Name(match.start(1), match.end(1), match.group(1))
        return A.Assign(target.start, value.end, target, match.group(2), value)
    return parse_expression(text, 0)


_PARAM = regex_cache.compile(r"((?:" + _QUAL_RE + r"\s+)*)((?:::)?[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*)"
                    r"(\s*\*+)?(\s*&&?)?\s*(?<=[\s*&])([A-Za-z_]\w*)\Z")


_PARAMETER_NAME = regex_cache.compile(r"\s+([A-Za-z_]\w*)")


def parse_parameter(text: str) -> A.Node | None:
    """``[quals] Type[*...][&] name [= default]`` (the plain parameter shapes), or FALLBACK."""
    if _TEMPLATE_HEAD.match(text):
        return _templated_parameter(text)
    if text == "...":
        return None             # a C variadic parameter: no grammar rule starts with '.'
    if text.isidentifier() and text.isascii() and (text in _BUILTINS or text not in _RESERVED):
        # An unnamed parameter of a one-word type (`void dsb(mem_dsb_t)`): the word is the type.
        return A.Decl(0, len(text), A.TypeRef(0, len(text), text, None, 0, (), False), "", None, None)
    default = None
    eq = text.find("=")
    if eq > 0 and not text.startswith("=", eq + 1):
        default = parse_expression(text[eq + 1:], eq + 1)
        if default is FALLBACK:
            return FALLBACK
        text = text[:eq].rstrip()
    match = _PARAM.match(text)
    if match is None or match.group(5) in _RESERVED or match.group(2) in _QUALS:
        return FALLBACK
    base = match.group(2)
    if base in _RESERVED and base not in _BUILTINS and base != "auto":
        return FALLBACK
    if base in ("unsigned", "signed", "long", "short") and not match.group(3) and not match.group(4):
        return FALLBACK          # `unsigned x` vs multi-word builtins: the grammar decides
    stars = (match.group(3) or "").count("*")
    ref = bool(match.group(4))
    # The grammar's type span ends at the last '*' (or the type name); a '&' is not part of it.
    end = match.start(3) + match.group(3).rindex("*") + 1 if stars else match.end(2)
    quals = tuple(match.group(1).split())
    type_ = A.TypeRef(0, end, base, None, stars, quals, ref)
    return A.Decl(0, default.end if default is not None else match.end(5), type_, match.group(5), default, None)


def _templated_parameter(text: str) -> A.Node:
    """``Templ<...> name``: a template type and a name, no qualifier, pointer, reference or default."""
    found = _template_at(text, 0)
    if found is None:
        return FALLBACK
    tmpl, end = found
    name = _PARAMETER_NAME.fullmatch(text, end)
    if name is None or name.group(1) in _RESERVED or not _plain_type_name(tmpl.name):
        return FALLBACK
    type_ = A.TypeRef(tmpl.start, tmpl.end, tmpl.name, tmpl, 0, (), False)
    return A.Decl(0, name.end(1), type_, name.group(1), None, None)
