"""PTO IR front end: a fast statement scanner plus lark (LALR) for the ops passes read.

Two stages, so that multi-megabyte modules parse quickly:

1. **Scanner** (regex tokens, pure Python): finds every op statement and region, tracking
   ``( [ < {`` nesting, strings and comments. It decides whether a ``{`` opens a region or an
   attribute dictionary by what follows it (an op, a value, a block label -> region; ``key =``,
   ``key,`` or ``key}`` -> attributes). It records results, the op name and operand uses.
2. **lark** (``grammar.lark``, LALR, contextual lexer) parses, exactly, every generic-form op
   and the custom syntax of the pipe/FIFO ops (``opspecs.PIPE_OPS``). Region bodies are blanked
   to spaces first, so offsets stay valid and lark never sees nested ops.

Errors (unterminated string, unbalanced ``<``/``(``/``{``, malformed generic op) are raised as
:class:`~ptofix.source.PtofixError` with the offending offset.
"""
from __future__ import annotations

import os
import re
from operator import attrgetter
from typing import Any

from .. import regex_cache
from ..source import PtofixError, SourceText, Span
from .model import Attr, AttrDict, Module, OperandClause, Operation, Region, Value, mlir_string
from .opspecs import PIPE_OPS

# lark is imported where the grammar is needed (~0.1 s: generic ops the scanner reads itself never
# need it, and a C++ run must not load it, tests/test_startup.py).

# --------------------------------------------------------------------------------------------
# lark (lazy, cached)

_LARK = None


def _nested_angle(depth: int = 5) -> str:
    string = r'"(?:[^"\\]|\\.)*"'
    # Ordinary characters a run at a time (possessive): one repeat per character kept a
    # backtracking entry per character, ~200 bytes a character of a long `array<...>`. A '-' is
    # read alone, so that `->` is still tried where it starts.
    inner = r'[^<>"-]++|-'
    # (`->` in a function type and `>=`/`<=` in an affine constraint are no angle brackets.)
    pattern = "<(?:->|>=|<=|" + string + "|" + inner + ")*>"
    for _ in range(depth - 1):
        pattern = "<(?:->|>=|<=|" + string + "|" + inner + "|" + pattern + ")*>"
    return pattern


def get_lark():
    """The shared LALR parser (built once per process; lark's own cache makes rebuilds cheap)."""
    global _LARK
    if _LARK is None:
        from lark import Lark
        path = os.path.join(os.path.dirname(__file__), "grammar.lark")
        with open(path, encoding="utf-8") as handle:
            grammar = handle.read().replace("@@NESTED@@", _nested_angle().replace("/", "\\/"))
        _LARK = Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=True,
                     start=["generic_op", "custom_op"], cache=True, maybe_placeholders=True)
    return _LARK


# --------------------------------------------------------------------------------------------
# scanner

# An unterminated string or resource block is one token to its line's (the text's) end: read as a
# quote or a brace, the scan would start over at each quote (`{-#`) after it, quadratic time.
_TOKEN = regex_cache.compile(r'''
    (?P<str>"(?:[^"\\\n]++|\\.)*+")
  | (?P<ustr>"(?:[^"\\\n]++|\\.)*+)
  | (?P<com>//[^\n]*)
  | (?P<res>\{-\#(?:[^\#]++|\#(?!-\}))*+\#-\})
  | (?P<ures>\{-\#.*)
  | (?P<arrow>->)
  | (?P<cmp>>=|<=)
  | (?P<nl>\n)
  | (?P<br>[(){}\[\]<>])
''', re.VERBOSE | re.DOTALL)

_OPEN = {"(": ")", "[": "]", "<": ">", "{": "}"}
_CLOSE = {")": "(", "]": "[", ">": "<", "}": "{"}

_WS = regex_cache.compile(r"[ \t\r\n]*")
_HEAD = regex_cache.compile(
    r'(?P<results>(?:%[A-Za-z0-9_$.\-]+(?::[0-9]+)?\s*,\s*)*%[A-Za-z0-9_$.\-]+(?::[0-9]+)?)\s*=\s*'
    r'|')
_OPNAME = regex_cache.compile(r'"(?P<q>(?:[^"\\\n]|\\.)*)"|(?P<b>[A-Za-z_][A-Za-z0-9_$.]*)')
_RESULT = regex_cache.compile(r"%([A-Za-z0-9_$.\-]+)(?::([0-9]+))?")
_VALUE_USE = regex_cache.compile(r"%[A-Za-z0-9_$.\-]+(?:#[0-9]+)?")
_LINE_START_IDENT = regex_cache.compile(r"([A-Za-z_][A-Za-z0-9_$.]*)[ \t]*(.?)")
_STATEMENT_WORDS = {"return", "module"}
# What starts another op inside the text of an op in custom form, whose end the scanner only knows
# as its line's (strings blanked, regions too): a dialect op name (`dialect.op`, not a type `!`,
# attribute `#`, symbol `@`, value `%` or block `^`, nor an attribute key before `=` `,` `}`); or,
# in the raw text, a quoted generic op name and its `(`. (Not a result list `%a =`: custom forms
# spell those too, `scf.for %i = %lb to %ub`.)
# (Spelled to start with its first letter, the lookbehind after it: the regex engine then skips to
# a letter instead of trying the lookbehind at every position, 2x faster over the corpus's ops with
# the same matches; tests/ir/test_ir_parser.py compares it with the lookbehind-first spelling.)
SECOND_OP = regex_cache.compile(r"[A-Za-z_](?<![\w$.!#@%^][A-Za-z_])[\w$]*\.[A-Za-z_][\w$.]*(?![\w$.])(?!\s*[=,}])")
_SECOND_GENERIC_OP = regex_cache.compile(r'"[A-Za-z_][\w$]*\.[^"\\\n]*"\s*\(')
_SYMBOL = regex_cache.compile(r'@("(?:[^"\\]|\\.)*"|[A-Za-z0-9_$.\-]+)')
_STRINGS = regex_cache.compile(r'"(?:[^"\\\n]|\\.)*"')


# Deeper regions are an error, not a RecursionError (three frames a level); the C++ parser's limit.
MAX_REGION_NESTING = 200


def _tokens(text: str) -> list[tuple[str | None, int, int]]:
    """(group name, start, end) of each _TOKEN match, read a block of matches at a time with map()
    over the Match methods: no Python code runs per token (a comprehension cost ~20 us a line)."""
    out: list[tuple[str | None, int, int]] = []
    matches = _TOKEN.finditer(text)
    for block in regex_cache.match_blocks(matches):
        out += zip(map(_LAST_GROUP, block), map(re.Match.start, block), map(re.Match.end, block), strict=True)
    return out


_LAST_GROUP = attrgetter("lastgroup")


class _Scanner:
    def __init__(self, source: SourceText):
        self.source = source
        self.text = source.text
        self.tokens = _tokens(self.text)
        self.ti = 0
        self.aliases: list[Span] = []
        self.blank_regions: list[tuple[int, int]] = []
        self.depth = 0              # regions open around the current statement

    def error(self, message: str, offset: int) -> PtofixError:
        return PtofixError(message, self.source, offset)

    def skip_ws(self, pos: int) -> int:
        match = _WS.match(self.text, pos)
        return match.end() if match else pos

    def seek(self, pos: int) -> None:
        toks = self.tokens
        while self.ti < len(toks) and toks[self.ti][1] < pos:
            self.ti += 1

    # ---- blocks -----------------------------------------------------------------------------
    def parse_block(self, pos: int, parent: Operation | None, in_region: bool) -> tuple[list[Operation], int]:
        """Parse statements from ``pos`` until a closing ``}`` (in a region) or the end of file.

        Returns the ops and the offset of the closing ``}`` (or len(text))."""
        text = self.text
        ops: list[Operation] = []
        n = len(text)
        while True:
            pos = self.skip_ws(pos)
            if pos >= n:
                if in_region:
                    raise self.error("unterminated region: missing '}'", parent.span.start if parent else 0)
                return ops, n
            ch = text[pos]
            if ch == "/" and text.startswith("//", pos):
                end = text.find("\n", pos)
                pos = n if end == -1 else end
                continue
            if ch == "}":
                if in_region:
                    return ops, pos
                raise self.error("unbalanced '}'", pos)
            if text.startswith("{-#", pos):
                end = text.find("#-}", pos)
                if end == -1:
                    raise self.error("unterminated '{-#' resource block", pos)
                pos = end + 3
                continue
            if ch == "^":         # block label: ^bb0(%a: i32):  (ends at its newline)
                pos = self.scan_statement(pos, None, label=True)[0]
                continue
            if ch in "#!" and parent is None:
                end, _ = self.scan_statement(pos, None)
                self.aliases.append(Span(pos, end))
                pos = end
                continue
            op = self.parse_op(pos, parent)
            ops.append(op)
            pos = op.span.end

    def is_continuation(self, pos: int, line_end: int, top_level: bool) -> bool:
        """At a newline with nothing open: does the next line continue the current op?"""
        text = self.text
        prev = self._rstrip(0, line_end)
        if prev > 0 and (text[prev - 1] in ":,=" or text.startswith("->", prev - 2)):
            return True
        # A comment line says nothing: the line after it decides (an op's header, a comment, then
        # its operands on the next line are one op).
        pos = self._skip_comments(pos)
        if pos >= len(text):
            return False
        ch = text[pos]
        if ch in '%"^}#':
            return False
        if ch == "!":
            return not top_level
        m = _LINE_START_IDENT.match(text, pos)
        if m:
            word, nxt = m.group(1), m.group(2)
            if nxt == "=" or (nxt == "(" and "." not in word):
                return True
            if "." in word or word in _STATEMENT_WORDS:
                return False
            return True
        return True

    def brace_is_region(self, pos: int) -> bool:
        """``pos`` is just after a ``{`` (not inside ``<...>``): region or attribute dict?"""
        text = self.text
        n = len(text)
        p = pos
        saw_newline = False
        while True:
            m = _WS.match(text, p)
            assert m is not None        # _WS matches the empty string
            if "\n" in m.group(0):
                saw_newline = True
            p = m.end()
            if text.startswith("//", p):
                end = text.find("\n", p)
                p = n if end == -1 else end
                continue
            break
        if p >= n:
            return False
        ch = text[p]
        if ch == "}":
            return saw_newline
        if ch in "%^":
            return True
        if ch == '"':
            m = _STRINGS.match(text, p)
            if not m:
                return False
            q = self.skip_ws(m.end())
            return q < n and text[q] != "="
        m = _LINE_START_IDENT.match(text, p)
        if m:
            nxt = m.group(2)
            if nxt in ("=", ",", "}", ":"):
                return False
            return True
        return False

    def scan_statement(self, start: int, op: Operation | None, label: bool = False) -> tuple[int, list[Region]]:
        """Scan one statement from ``start``; returns (end offset, regions)."""
        text = self.text
        toks = self.tokens
        self.seek(start)
        stack: list[tuple[str, int]] = []
        regions: list[Region] = []
        comment_start: int | None = None
        while self.ti < len(toks):
            kind, s, e = toks[self.ti]
            if kind == "nl":
                if not stack:
                    if comment_start is not None:
                        end = comment_start
                    else:
                        end = s
                    if label or not self.is_continuation(e, end, op is None or op.parent is None):
                        return self._rstrip(start, end), regions
                comment_start = None
                self.ti += 1
                continue
            if kind == "com":
                if comment_start is None and not stack:
                    comment_start = s
                self.ti += 1
                continue
            if comment_start is not None and not stack:
                comment_start = None
            if kind == "ustr":
                raise self.error("unterminated string", s)
            if kind == "ures":
                raise self.error("unterminated '{-#' resource block", s)
            if kind in ("str", "arrow", "cmp", "res"):
                self.ti += 1
                continue
            ch = text[s]
            if ch in "([<":
                stack.append((ch, s))
                self.ti += 1
                continue
            if ch == "{":
                if stack and stack[-1][0] == "<" or not self.brace_is_region(e):
                    stack.append((ch, s))
                    self.ti += 1
                    continue
                # a region
                if self.depth >= MAX_REGION_NESTING:
                    raise self.error(f"regions nested deeper than {MAX_REGION_NESTING} levels", s)
                region = Region(Span(s, s))
                self.ti += 1
                self.depth += 1
                body, close = self.parse_block(e, op, True)
                self.depth -= 1
                region.ops = body
                region.span = Span(s, close + 1)
                regions.append(region)
                self.blank_regions.append((e, close))
                self.seek(close + 1)
                continue
            # closers
            if not stack:
                if ch == "}":
                    return self._rstrip(start, s), regions
                raise self.error(f"unbalanced '{ch}'", s)
            opener, opos = stack[-1]
            if _CLOSE[ch] != opener:
                raise self.error(f"unbalanced '{opener}': expected '{_OPEN[opener]}' before '{ch}'", opos)
            stack.pop()
            self.ti += 1
        if stack:
            opener, opos = stack[-1]
            raise self.error(f"unbalanced '{opener}': no matching '{_OPEN[opener]}'", opos)
        end = comment_start if comment_start is not None else len(text)
        return self._rstrip(start, end), regions

    def _skip_comments(self, pos: int) -> int:
        """``pos`` past blanks and ``//`` comment lines."""
        text = self.text
        pos = self.skip_ws(pos)
        while text.startswith("//", pos):
            end = text.find("\n", pos)
            pos = len(text) if end == -1 else self.skip_ws(end)
        return pos

    def _rstrip(self, start: int, end: int) -> int:
        text = self.text
        while end > start and text[end - 1] in " \t\r\n":
            end -= 1
        return end

    def parse_op(self, start: int, parent: Operation | None) -> Operation:
        text = self.text
        head = _HEAD.match(text, start)
        assert head is not None        # the op scanner only starts ops where _HEAD matches
        results: list[Value] = []
        pos = head.end()
        if head.group("results"):
            base = head.start("results")
            for m in _RESULT.finditer(head.group("results")):
                if m.group(2) and len(m.group(2)) > _MAX_NUMBER_CHARS:
                    raise self.error(f"result count with {len(m.group(2))} digits is too large",
                                     head.start("results") + m.start(2))
                count = int(m.group(2)) if m.group(2) else 1
                at = base + m.start()
                results.append(Value("%" + m.group(1), Span(at, at + 1 + len(m.group(1))), count))
        if head.group("results"):
            pos = self._skip_comments(pos)         # `%x = // why` then the op on the next line
        name_match = _OPNAME.match(text, pos)
        if not name_match:
            raise self.error("expected an operation name", pos)
        generic = name_match.group("q") is not None
        name = name_match.group("q") if generic else name_match.group("b")
        if generic and "\\" in name:
            # `"pto.initialize\5fl2g2l_pipe"` names pto.initialize_l2g2l_pipe, as MLIR reads it.
            decoded = mlir_string(f'"{name}"')
            if decoded is None:
                raise self.error(f'unknown escape in the operation name "{name}"', name_match.start())
            name = decoded
        op = Operation(name=name, span=Span(start, start), form="generic" if generic else "custom",
                       name_span=Span(name_match.start(), name_match.end()), results=results, parent=parent)
        first_blank = len(self.blank_regions)
        end, regions = self.scan_statement(name_match.end(), op)
        op.span = Span(start, end)
        op.regions = regions
        header_end = regions[0].span.start if regions else end
        op.header_text = text[start:header_end]
        # blanked own text (regions replaced by spaces) for operand scanning and lark
        own = text[start:end]
        if regions:
            pieces = []
            cursor = start
            for region in regions:
                pieces.append(text[cursor:region.span.start + 1])
                pieces.append(" " * (region.span.end - region.span.start - 2))
                cursor = region.span.end - 1
            pieces.append(text[cursor:end])
            own = "".join(pieces)
        del self.blank_regions[first_blank:]
        if op.name == "func.func":
            found = _SYMBOL.search(op.header_text)
            if found:
                symbol = found.group(1)
                op.symbol = mlir_string(symbol) if symbol.startswith('"') else symbol
                if op.symbol is None:
                    raise self.error(f"cannot read the symbol name @{symbol} (an escape MLIR does not read)",
                                     op.span.start + op.header_text.find(symbol))
        if generic:
            _parse_with_lark(self.source, op, own, "generic_op")
            if op.name == "func.func":
                sym = op.attr("sym_name")
                op.symbol = sym.value if sym is not None and sym.kind == "string" else None
        else:
            if name in PIPE_OPS:
                _parse_with_lark(self.source, op, own, "custom_op")
            else:
                after = op.name_span.end - start
                masked = _STRINGS.sub(lambda s: " " * len(s.group(0)), own[after:])
                named = SECOND_OP.search(masked)
                second = named or _SECOND_GENERIC_OP.search(own, after)
                if second is not None:
                    at = start + (after + second.start() if named is not None else second.start())
                    raise self.error(f"an operation after '{op.name}' in the same statement: ptofix reads an op in "
                                     "custom form up to its line's end, so put each op on a line of its own", at)
                op.operands = [Value(m.group(0), Span(start + after + m.start(), start + after + m.end()))
                               for m in _VALUE_USE.finditer(masked)]
        return op


# --------------------------------------------------------------------------------------------
# lark tree -> model

def _parse_with_lark(source: SourceText, op: Operation, own: str, start_rule: str) -> None:
    from lark.exceptions import UnexpectedInput
    base = op.span.start
    try:
        tree = get_lark().parse(own, start=start_rule)
    except UnexpectedInput as exc:
        offset = base + (exc.pos_in_stream or 0)
        what = "generic op" if start_rule == "generic_op" else f"'{op.name}'"
        token = getattr(exc, "token", None)
        detail = f" near '{token}'" if token is not None and str(token) else ""
        kind = type(exc).__name__.replace("Unexpected", "unexpected ").lower()
        at = exc.pos_in_stream or 0
        if start_rule == "generic_op" and "->" in own[:at] and _ANOTHER_OP.match(own, at):
            # (MLIR allows it; ptofix reads a generic op up to its line's end, as a custom one.)
            raise PtofixError(f"an operation after '{op.name}' on the same line: ptofix reads an op up to its "
                              "line's end, so put each op on a line of its own", source, offset) from None
        raise PtofixError(f"cannot parse {what}{detail}: {kind}", source, offset) from None

    _Builder(source, op, base).build(tree, start_rule)


# What starts another op where a generic op's text should have ended: results (`%a =`), a quoted
# generic name, or a custom op's name (`return`, `pto.tadd`), but not a trailing `loc(...)`.
_ANOTHER_OP = regex_cache.compile(r'%[\w.$-]+(?::\d+)?\s*(?:,\s*%[\w.$-]+\s*)*=|"[A-Za-z_][\w$]*\.'
                                  r'|(?!loc\b)[A-Za-z_][\w$]*(?:\.[\w$]+)*\b')


def _tok_span(tok, base: int) -> Span:
    return Span(base + tok.start_pos, base + tok.end_pos)


def _node_span(node, base: int) -> Span:
    return Span(base + node.meta.start_pos, base + node.meta.end_pos)


_MAX_NUMBER_CHARS = 1000      # below the 4300 digits int() accepts, far above any i64/ui64 literal
# Blanks read once and the body the longest text that ends in a non-blank (a lazy body between
# two runs of blanks tried every split of a long run: cubic in its length).
_ARRAY = regex_cache.compile(r"array<\s*+([a-z0-9]++)\s*+(?::\s*+((?:.*\S)?))?\s*+>$", re.DOTALL)


class _Builder:
    def __init__(self, source: SourceText, op: Operation, base: int):
        self.source = source
        self.text = source.text
        self.op = op
        self.base = base

    def span_text(self, span: Span) -> str:
        return self.text[span.start:span.end]

    def build(self, tree, start_rule: str) -> None:
        op = self.op
        children = tree.children
        if start_rule == "generic_op":
            (results, _name, values, successors, props, regions, attrs, ftype, loc) = children
            op.operands = self.values(values)
            if successors is not None:
                op.successors = [str(s.children[0]) for s in successors.children]
            if props is not None:
                op.properties = self.attr_dict(props, True)
            if attrs is not None:
                op.attributes = self.attr_dict(attrs, False)
            op.type_span = _node_span(ftype, self.base)
            ins, outs = self.function_type(ftype)
            op.operand_types, op.result_types = ins, outs
            if loc is not None:
                op.loc_span = _tok_span(loc.children[0], self.base)
            return
        _results, _name, *clauses, loc = children
        if loc is not None:
            op.loc_span = _tok_span(loc.children[0], self.base)
        op.parsed_custom = True
        operands: list[Value] = []
        for clause in clauses:
            kind = clause.data
            if kind == "attr_dict":
                d = self.attr_dict(clause, False)
                if op.name in _NO_KEYWORD_CLAUSE:
                    op.attributes = d
                elif op.keyword_attrs is None and op.operand_clause_span is None and op.result_type is None \
                        and not op.calls:
                    op.keyword_attrs = d
                elif op.keyword_attrs is None and op.name in _KEYWORD_AFTER_PARENS:
                    op.keyword_attrs = d
                else:
                    op.attributes = d
            elif kind == "paren_clause":
                op.operand_clause_span = _node_span(clause, self.base)
                pending_types: list[str] = []
                items = [c for c in clause.children if c is not None]
                for item in items:
                    if item.data == "kw_operand":
                        kw, val, typ = item.children
                        v = Value(str(val), _tok_span(val, self.base))
                        op.operand_clauses.append(OperandClause(str(kw), v, self.type_text(typ),
                                                                _node_span(item, self.base)))
                        operands.append(v)
                    elif item.data == "pos_operand":
                        val, typ = item.children
                        v = Value(str(val), _tok_span(val, self.base))
                        type_text = self.type_text(typ) if typ is not None else None
                        op.operand_clauses.append(OperandClause(None, v, type_text, _node_span(item, self.base)))
                        operands.append(v)
                    else:
                        pending_types.append(self.type_text(item.children[0]))
                # `(%a, %b : Ta, Tb)`: the first type parsed with the last value, the rest follow.
                if pending_types:
                    typed = [c for c in op.operand_clauses if c.type_text is not None and c.keyword is None]
                    untyped = [c for c in op.operand_clauses if c.keyword is None]
                    if typed and len(untyped) == len(pending_types) + len(typed):
                        all_types = [typed[0].type_text] + pending_types
                        for c, t in zip(untyped, all_types, strict=False):
                            c.type_text = t
            elif kind == "arrow_clause":
                op.result_type = self.type_text(clause.children[0])
            elif kind == "call_clause":
                name_tok, values = clause.children
                vals = self.values(values)
                op.calls[str(name_tok)] = vals
                operands.extend(vals)
        op.operands = operands

    # ---- helpers ----------------------------------------------------------------------------
    def values(self, node) -> list[Value]:
        if node is None:
            return []
        return [Value(str(t), _tok_span(t, self.base)) for t in node.children]

    def type_text(self, node) -> str:
        return self.span_text(_node_span(node, self.base))

    def function_type(self, node) -> tuple[list[str] | None, list[str] | None]:
        # grammar: paren_types ["->" type]
        kids = node.children
        if len(kids) == 2 and getattr(kids[0], "data", None) == "paren_types" and kids[1] is not None:
            ins = self.type_list(kids[0])
            ret = kids[1]
            rk = ret.children
            if len(rk) == 2 and getattr(rk[0], "data", None) == "paren_types" and rk[1] is None:
                outs = self.type_list(rk[0])
            else:
                outs = [self.type_text(ret)]
            return ins, outs
        raise PtofixError("generic op type must be a function type '(operands) -> results'",
                          self.source, _node_span(node, self.base).start)

    def type_list(self, paren) -> list[str]:
        tl = paren.children[0]
        if tl is None:
            return []
        return [self.type_text(t) for t in tl.children]

    def attr_dict(self, node, is_props: bool) -> AttrDict:
        d = AttrDict(_node_span(node, self.base), is_props)
        for entry in node.children:
            if entry is None:
                continue
            d.attrs.append(self.attr_entry(entry))
        return d

    def attr_entry(self, entry) -> Attr:
        from lark import Token
        key, value = entry.children
        key_text = str(key)
        name = _unquote(key_text) if key_text.startswith('"') else key_text
        span = _node_span(entry, self.base)
        name_span = _tok_span(key, self.base)
        if value is None:
            return Attr(name, span, name_span, None, "", None, "unit", True)
        atom, typ = value.children
        vspan = _node_span(atom, self.base) if not isinstance(atom, Token) else _tok_span(atom, self.base)
        vtext = self.span_text(vspan)
        type_text = self.type_text(typ) if typ is not None else None
        if len(vtext) > _MAX_NUMBER_CHARS and getattr(atom, "type", None) == "INT":
            # int() refuses decimal strings this long; no MLIR integer attribute here holds such a value.
            raise PtofixError(f"integer attribute value with {len(vtext)} digits is too large", self.source,
                              vspan.start)
        kind, val = _classify(atom, vtext)
        return Attr(name, span, name_span, vspan, vtext, type_text, kind, val)


_NO_KEYWORD_CLAUSE = {"pto.declare_global", "pto.declare_tile"}
_KEYWORD_AFTER_PARENS = {"pto.tpush_to_aiv", "pto.tpush_to_aic", "pto.tpop_from_aic", "pto.tpop_from_aiv",
                         "pto.tfree_from_aic", "pto.tfree_from_aiv", "pto.tpush", "pto.tpop", "pto.tfree",
                         "pto.talloc"}


def _unquote(s: str) -> str:
    """A string literal's value as MLIR reads it (model.mlir_string: one decoder for names and
    values); an escape MLIR does not read is an error, as in ptoas."""
    value = mlir_string(s)
    if value is None:
        raise PtofixError(f"unknown escape in the string literal {s}")
    return value


def _classify(atom, text: str) -> tuple[str, Any]:
    from lark import Token
    if isinstance(atom, Token):
        t = atom.type
        if t == "INT":
            return "int", int(text)
        if t == "HEX":
            return "int", int(text, 16)
        if t == "FLOAT":
            return "float", float(text)
        if t == "STRING":
            return "string", _unquote(text)
        if t == "SYMBOL":
            return "symbol", text[1:]
        if t == "BARE":
            if text == "true":
                return "bool", True
            if text == "false":
                return "bool", False
            if text == "unit":
                return "unit", True
            m = _ARRAY.match(text)
            if m:
                body = (m.group(2) or "").strip()
                if m.group(1).startswith("i"):
                    try:
                        # ValueError: not an integer, or longer than int() accepts
                        return "array", [int(x) for x in body.split(",") if x.strip()]
                    except ValueError:
                        return "array", None
                return "array", None
        return "other", None
    if atom.data == "attr_list":
        return "list", None
    if atom.data == "attr_dict":
        return "dict", None
    return "other", None


# --------------------------------------------------------------------------------------------

_BARE_CR = regex_cache.compile(r"\r(?!\n)")


def parse_ir(source: SourceText) -> Module:
    """Parse a whole module. Never modifies the text; raises PtofixError on malformed input."""
    if "\r" in source.text:
        # The scanner ends statements at line ends, which it finds at '\n': a CR line ending would
        # join the ops after it into one statement (and hide them from the passes).
        bare = _BARE_CR.search(source.text)
        if bare is not None:
            raise PtofixError("a carriage return that does not end a CRLF line ending (a CR line ending) is "
                              "not supported in PTO IR: use LF or CRLF line endings", source, bare.start())
    _check_string_escapes(source)
    scanner = _Scanner(source)
    try:
        ops, _ = scanner.parse_block(0, None, False)
    except RecursionError:
        # A backstop: MAX_REGION_NESTING keeps the scanner itself well inside the limit.
        raise PtofixError("input nested too deeply", source) from None
    return Module(source, ops, scanner.aliases)


# (An unterminated string matches too, to its line's end, so the search does not start over at
# each quote in it; the parser reports it.)
_STRING_OR_COMMENT = re.compile(r'"(?:\\.|[^"\\\n]++)*+("?)|//[^\n]*')


def _check_string_escapes(source: SourceText) -> None:
    """Every string literal must read as MLIR's lexer reads it (model.mlir_string): an escape it
    does not read is an error where it is written, in an op, an attribute dictionary of any op
    (a function's too) or a location, as ptoas reports it."""
    text = source.text
    if "\\" not in text:
        return
    for match in _STRING_OR_COMMENT.finditer(text):
        token = match.group()
        if token.startswith('"') and match.group(1) and "\\" in token and mlir_string(token) is None:
            raise PtofixError(f"unknown escape in the string literal {token}", source, match.start())


def parse_ir_text(text: str, path: str = "<string>") -> Module:
    return parse_ir(SourceText(text, path))
