"""Structural parser for ptoas C++: tokens -> functions -> statements with exact spans.

A single-regex tokenizer and a small recursive-descent pass find functions, blocks, ``for``,
``if/else`` (with the trailing ``};`` ptoas prints), ``#if`` sections and simple statements. This
layer is fast and never fails on valid C++: anything it does not recognise becomes an
:class:`OpaqueStmt`. The *contents* of simple statements are parsed lazily with lark
(see ``stmt_parser.py``), because most statements are never inspected by a pass.
"""
from __future__ import annotations

import re

from ..source import PtofixError, SourceText, Span
from .model import (
    CaseLabel,
    Comment,
    Compound,
    CppFile,
    Directive,
    ForStmt,
    Function,
    IfStmt,
    OpaqueStmt,
    PPBranch,
    PPIfStmt,
    SimpleStmt,
    Stmt,
    SwitchStmt,
)

# Coarse tokens: the structure only needs brackets, ';', comments, directives and strings, so
# every other run of characters is one "word" token (w). Kinds: c=comment, p=preprocessor line,
# s=string/char, w=word run, o=one of ; { } ( ) [ ]. Statement contents are parsed by the grammar
# (stmt_parser.py), not from these tokens.
# Whitespace is folded into the token that follows it (one match per token instead of two). The
# alternatives start with disjoint characters, so their order only affects speed: words first.
_WORD_CHARS = r"""[^\s;{}()\[\]"'/\#]"""
_TOKEN_RE = re.compile(r"""
    [ \t\r\n\f\v\ufeff]*
  (?:
    (?P<w>@W+(?:/(?![/*])@W*)*|/(?![/*])@W*(?:/(?![/*])@W*)*)
  | (?P<o>[;{}()\[\]])
  | (?P<c>//[^\r\n]*|/\*.*?\*/)
  | (?P<p>\#(?:\\\r?\n|\\\r|[^\r\n])*)
  | (?P<s>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
  )
""".replace("@W", _WORD_CHARS), re.S | re.X)
_SPACE_RE = re.compile(r"[ \t\r\n\f\v\ufeff]*")


class Token:
    __slots__ = ("kind", "text", "start", "end")

    def __init__(self, kind: str, text: str, start: int, end: int):
        self.kind, self.text, self.start, self.end = kind, text, start, end

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Token({self.kind}, {self.text!r}, {self.start})"


def _has_assignment(text: str) -> bool:
    """True when ``text`` holds an '=' that is not part of a comparison operator."""
    return "=" in text.replace("==", "").replace("!=", "").replace("<=", "").replace(">=", "")


# The structural parser works on plain tuples (kind, text, start, end): building one costs a
# third of building a Token, and the parser reads them by index (0 kind, 1 text, 2 start, 3 end).
Tok = tuple[str, str, int, int]


def tokenize(source: SourceText) -> list[Token]:
    return [Token(*tok) for tok in _scan(source)]


def _scan(source: SourceText) -> list[Tok]:
    text = source.text
    tokens: list[Tok] = []
    append = tokens.append
    pos = 0
    for match in _TOKEN_RE.finditer(text):
        if match.start() != pos:
            break
        pos = match.end()
        kind = match.lastgroup or ""
        append((kind, match.group(kind), match.start(kind), pos))
    blank = _SPACE_RE.match(text, pos)   # trailing whitespace (or the blanks before a bad character)
    if blank is not None:
        pos = blank.end()
    if pos != len(text):
        ch = text[pos]
        if ch in "\"'":
            raise PtofixError("missing terminating " + ("\"" if ch == '"' else "'") + " character", source, pos)
        if text.startswith("/*", pos):
            raise PtofixError("unterminated comment", source, pos)
        raise PtofixError(f"stray character {ch!r} in program", source, pos)
    return tokens


class StructureError(Exception):
    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = {")", "]", "}"}
_PP_OPEN = ("#if", "#ifdef", "#ifndef")


def _directive_word(text: str) -> str:
    match = re.match(r"\s*#\s*(\w*)", text)
    return "#" + (match.group(1) if match else "")


def _pair_brackets(tokens: list[Tok]) -> dict[int, int] | None:
    """Index of the closing bracket of every opening one, or None if the file's brackets are not
    balanced. In a balanced file a scan from any opening bracket ends at the bracket found here, so
    the parser looks it up instead of rescanning nested blocks; otherwise it scans, which finds
    the error a scan from that bracket reports."""
    closing: dict[int, int] = {}
    stack: list[tuple[str, int]] = []
    for index, tok in enumerate(tokens):
        if tok[0] == "o":
            t = tok[1]
            if t in _OPEN:
                stack.append((_OPEN[t], index))
            elif t in _CLOSE:
                if not stack or stack[-1][0] != t:
                    return None
                closing[stack.pop()[1]] = index
    return None if stack else closing


class _StructureParser:
    def __init__(self, source: SourceText, tokens: list[Tok]):
        self.source = source
        self.text = source.text
        self.toks = tokens
        self.n = len(tokens)
        self.depth = 0
        self.closing = _pair_brackets(tokens)


    # -- helpers -----------------------------------------------------------------------------
    def _match_close(self, i: int) -> int:
        """Index of the bracket closing the one at ``i`` (comments/directives skipped)."""
        closing = self.closing
        if closing is not None:
            return closing[i]
        stack = [_OPEN[self.toks[i][1]]]
        j = i + 1
        toks = self.toks
        while j < self.n:
            tok = toks[j]
            if tok[0] == "o":
                t = tok[1]
                if t in _OPEN:
                    stack.append(_OPEN[t])
                elif t in _CLOSE:
                    if t != stack[-1]:
                        raise StructureError(f"expected '{stack[-1]}' before '{t}'", tok[2])
                    stack.pop()
                    if not stack:
                        return j
            j += 1
        raise StructureError(f"'{toks[i][1]}' is never closed", toks[i][2])

    # -- top level ---------------------------------------------------------------------------
    def parse_file(self) -> CppFile:
        functions: list[Function] = []
        self.globals: list[SimpleStmt] = []
        self._top_level(0, self.n, functions)
        macros = set()
        for tok in self.toks:
            if tok[0] == "p":
                match = _DEFINE.match(tok[1])
                if match:
                    macros.add(match.group(1))
        seen: dict[tuple, Function] = {}
        for fn in functions:
            key = (fn.name, " ".join(fn.params.split()))
            if key in seen:
                raise PtofixError(f"redefinition of '{fn.name}' (first defined at "
                                  f"{self.source.location(seen[key].span.start)})", self.source, fn.span.start)
            seen[key] = fn
        return CppFile(self.source, functions, self.globals, frozenset(macros))

    def _top_level(self, i: int, stop: int, functions: list[Function]) -> None:
        toks = self.toks
        item_start = None
        while i < stop:
            tok = toks[i]
            if tok[0] in "cp":
                i += 1
                continue
            if item_start is None:
                item_start = i
            t = tok[1]
            if tok[0] == "o" and t in ("(", "["):
                i = self._match_close(i) + 1
                continue
            if tok[0] == "o" and t == ";":
                # File-scope declarations (`using T = ...;`, constants): kept for type aliases.
                span = Span(toks[item_start][2], tok[3])
                self.globals.append(SimpleStmt(span, self.text[span.start:span.end]))
                item_start = None
                i += 1
                continue
            if tok[0] == "o" and t == "{":
                close = self._match_close(i)
                words = [x[1] for x in toks[item_start:i] if x[0] not in "cp"]
                first = words[0] if words else ""
                if first == "namespace" or (first == "extern" and len(words) == 2 and words[1].startswith('"')):
                    self._top_level(i + 1, close, functions)  # transparent block
                    item_start = None
                    i = close + 1
                    continue
                fn = self._maybe_function(item_start, i, close, words)
                if fn is not None:
                    functions.append(fn)
                    item_start = None
                    i = close + 1
                    continue
                i = close + 1  # enum/struct/initializer: skip, item ends at ';'
                continue
            if tok[0] == "o" and t in _CLOSE:
                raise StructureError(f"unbalanced '{t}'", tok[2])
            i += 1

    def _maybe_function(self, start: int, brace: int, close: int, words: list[str]) -> Function | None:
        if not words or words[0] in ("enum", "struct", "class", "union", "typedef", "using"):
            return None
        toks = self.toks
        # The first top-level '(' after the name, with no '=' before it; attribute groups such as
        # `__attribute__((always_inline))` are skipped.
        paren = None
        j = start
        while j < brace:
            tok = toks[j]
            if tok[0] == "w" and "=" in tok[1] and _has_assignment(tok[1]):
                return None
            if tok[0] == "o" and tok[1] == "(":
                if j > start and toks[j - 1][1] in _ATTRIBUTE_WORDS:
                    j = self._match_close(j) + 1
                    continue
                paren = j
                break
            j += 1
        if paren is None or paren == start or toks[paren - 1][0] != "w" \
                or toks[paren - 1][3] != toks[paren][2] and not _IDENT.fullmatch(toks[paren - 1][1]):
            return None
        word = toks[paren - 1][1]
        name_match = _TRAILING_IDENT.search(word)
        if name_match is None or (name_match.start() > 0 and word[name_match.start() - 1] not in "*&:"):
            return None          # `@name(` (MLIR), `x.name(`...: not a C++ function declarator
        name = name_match.group(1)
        if name in ("if", "for", "while", "switch"):
            return None
        pclose = self._match_close(paren)
        head = self.text[toks[start][2]:toks[brace][2]]
        params = self.text[toks[paren][3]:toks[pclose][2]]
        try:
            body: Stmt = self._compound(brace, close)
        except StructureError as exc:
            body = OpaqueStmt(Span(toks[brace][2], toks[close][3]),
                              self.text[toks[brace][2]:toks[close][3]], f"unstructured body: {exc}")
        # A kernel entry point is declared `__global__` (a word of the declaration itself, not of a
        # comment); `extern "C"` alone only names a C-linkage function that anything may call.
        is_entry = "__global__" in words
        return Function(name, Span(toks[start][2], toks[close][3]), head, params, body, is_entry)

    # -- statements --------------------------------------------------------------------------
    def _compound(self, open_i: int, close_i: int) -> Compound:
        body, end = self._stmt_list(open_i + 1, close_i, in_pp=False)
        if end != close_i:
            raise StructureError("preprocessor branch crosses a block boundary",
                                 self.toks[min(end, self.n - 1)][2])
        return Compound(Span(self.toks[open_i][2], self.toks[close_i][3]), body)

    def _stmt_list(self, i: int, stop: int, in_pp: bool) -> tuple[list[Stmt], int]:
        """Statements from ``i`` up to ``stop`` or (inside ``#if``) the next #elif/#else/#endif."""
        out: list[Stmt] = []
        toks = self.toks
        while i < stop:
            tok = toks[i]
            if tok[0] == "p":
                word = _directive_word(tok[1])
                if word in ("#elif", "#else", "#endif"):
                    if not in_pp:
                        raise StructureError(f"{word} without #if", tok[2])
                    return out, i
                if word in _PP_OPEN:
                    stmt, i = self._pp_if(i, stop)
                    out.append(stmt)
                    continue
                out.append(Directive(Span(tok[2], tok[3]), tok[1]))
                i += 1
                continue
            stmt, i = self._statement(i, stop)
            out.append(stmt)
        if in_pp:
            raise StructureError("#if without #endif in this block", toks[stop - 1][2] if stop else 0)
        return out, i

    def _pp_if(self, i: int, stop: int) -> tuple[Stmt, int]:
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                raise StructureError(f"#if sections nested deeper than {MAX_NESTING} levels", self.toks[i][2])
            return self._pp_if_at(i, stop)
        finally:
            self.depth -= 1

    def _pp_if_at(self, i: int, stop: int) -> tuple[Stmt, int]:
        toks = self.toks
        start = toks[i][2]
        branches: list[PPBranch] = []
        has_else = False
        directive = Directive(Span(toks[i][2], toks[i][3]), toks[i][1])
        i += 1
        while True:
            body, i = self._stmt_list(i, stop, in_pp=True)
            branches.append(PPBranch(directive, body))
            tok = toks[i]
            word = _directive_word(tok[1])
            directive = Directive(Span(tok[2], tok[3]), tok[1])
            i += 1
            if word == "#endif":
                return PPIfStmt(Span(start, tok[3]), branches, has_else, directive), i
            if word == "#else":
                has_else = True

    def _statement(self, i: int, stop: int) -> tuple[Stmt, int]:
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                raise StructureError(f"statements nested deeper than {MAX_NESTING} levels", self.toks[i][2])
            return self._statement_at(i, stop)
        finally:
            self.depth -= 1

    def _statement_at(self, i: int, stop: int) -> tuple[Stmt, int]:
        toks = self.toks
        tok = toks[i]
        text = self.text
        if tok[0] == "c":
            return Comment(Span(tok[2], tok[3]), tok[1]), i + 1
        t = tok[1]
        if tok[0] == "o":
            if t == "{":
                close = self._match_close(i)
                return self._compound(i, close), close + 1
            if t == ";":
                return SimpleStmt(Span(tok[2], tok[3]), ";"), i + 1
            if t in _CLOSE:
                raise StructureError(f"unbalanced '{t}'", tok[2])
        if tok[0] == "w":
            if t == "for" and i + 1 < stop and toks[i + 1][1] == "(":
                pclose = self._match_close(i + 1)
                body, end = self._body(pclose + 1, stop)
                header = Span(toks[i + 1][3], toks[pclose][2])
                parts = self._split_for_header(i + 1, pclose)
                return ForStmt(Span(tok[2], body.span.end), init=parts[0], cond=parts[1], step=parts[2],
                               header=header, body=body), end
            if t == "if" and i + 1 < stop and toks[i + 1][1] == "(":
                pclose = self._match_close(i + 1)
                then, j = self._body(pclose + 1, stop)
                orelse = None
                k = j
                while k < stop and toks[k][0] == "c":
                    k += 1
                if k < stop and toks[k][1] == "else":
                    orelse, j = self._body(k + 1, stop)
                end_off = (orelse or then).span.end
                cond = text[toks[i + 1][3]:toks[pclose][2]]
                return IfStmt(Span(tok[2], end_off), cond=cond, then=then, orelse=orelse), j
            if t == "switch" and i + 1 < stop and toks[i + 1][1] == "(":
                switch = self._switch(i, stop)
                if switch is not None:
                    return switch
            if t in ("while", "switch", "do", "else", "case", "default", "goto", "try"):
                return self._opaque_control(i, stop, t)
            if _LABEL.fullmatch(t):
                return OpaqueStmt(Span(tok[2], tok[3]), t, "label"), i + 1
        return self._simple(i, stop)

    def _switch(self, i: int, stop: int) -> tuple[Stmt, int] | None:
        """``switch (c) { case A: ...; break; default: ... }`` with labels at the top level of the
        braces; anything else (no braces, labels nested in blocks, #if around labels) is opaque."""
        toks = self.toks
        pclose = self._match_close(i + 1)
        brace = pclose + 1
        if brace >= stop or toks[brace][1] != "{":
            return None
        close = self._match_close(brace)
        body: list[Stmt] = []
        j = brace + 1
        while j < close:
            tok = toks[j]
            if tok[0] == "w" and (tok[1] in ("case", "default", "default:")):
                k = j
                while k < close and not (toks[k][0] == "w" and toks[k][1].endswith(":")
                                         and not toks[k][1].endswith("::")):
                    if toks[k][0] != "w":
                        return None
                    k += 1
                if k >= close:
                    return None
                span = Span(tok[2], toks[k][3])
                body.append(CaseLabel(span, self.text[span.start:span.end], tok[1].startswith("default")))
                j = k + 1
                continue
            if tok[0] == "p":
                return None
            stmt, j = self._statement(j, close)
            body.append(stmt)
        cond = self.text[toks[i + 1][3]:toks[pclose][2]]
        return SwitchStmt(Span(toks[i][2], toks[close][3]), cond, body), close + 1

    def _body(self, i: int, stop: int) -> tuple[Stmt, int]:
        toks = self.toks
        while i < stop and toks[i][0] == "c":
            i += 1
        if i >= stop:
            raise StructureError("missing statement body", toks[stop - 1][2])
        if toks[i][0] == "p":
            raise StructureError("preprocessor directive as a statement body", toks[i][2])
        return self._statement(i, stop)

    def _opaque_control(self, i: int, stop: int, word: str) -> tuple[Stmt, int]:
        # Consume up to and including the first '{...}' block (plus `while(...);` for do) or ';'.
        toks = self.toks
        j = i
        while j < stop:
            t = toks[j][1]
            if toks[j][0] == "o" and t in ("(", "["):
                j = self._match_close(j) + 1
                continue
            if toks[j][0] == "o" and t == "{":
                j = self._match_close(j) + 1
                if word == "do":
                    while j < stop and toks[j][1] != ";":
                        j += 1
                    j += 1
                break
            if toks[j][0] == "o" and t == ";":
                j += 1
                break
            if word in ("case", "default") and t.endswith(":") and not t.endswith("::"):
                j += 1
                break
            j += 1
        end = toks[min(j, stop) - 1][3]
        span = Span(toks[i][2], end)
        return OpaqueStmt(span, self.text[span.start:span.end], f"'{word}' is not modelled"), j

    def _simple(self, i: int, stop: int) -> tuple[Stmt, int]:
        toks = self.toks
        j = i
        while j < stop:
            tok = toks[j]
            if tok[0] == "o":
                t = tok[1]
                if t in ("(", "["):
                    j = self._match_close(j) + 1
                    continue
                if t == "{":
                    # `union {...} x;`, `int a[] = {...};` or a lambda: keep as one opaque statement.
                    j = self._match_close(j) + 1
                    while j < stop and toks[j][1] != ";":
                        if toks[j][1] in _OPEN:
                            j = self._match_close(j)
                        j += 1
                    span = Span(toks[i][2], toks[min(j, stop - 1)][3])
                    return OpaqueStmt(span, self.text[span.start:span.end], "braced construct"), j + 1
                if t == ";":
                    span = Span(toks[i][2], tok[3])
                    stmt_text = self.text[span.start:span.end]
                    return SimpleStmt(span, stmt_text), j + 1
                if t == "}":
                    raise StructureError("expected ';' before '}'", tok[2])
            elif tok[0] == "p":
                raise StructureError("preprocessor directive inside a statement", tok[2])
            j += 1
        raise StructureError("expected ';' at end of statement", toks[i][2])

    def _split_for_header(self, open_i: int, close_i: int) -> tuple[str, str, str]:
        toks = self.toks
        cuts = []
        depth = 0
        for j in range(open_i + 1, close_i):
            t = toks[j][1]
            if t in _OPEN:
                depth += 1
            elif t in _CLOSE:
                depth -= 1
            elif t == ";" and depth == 0:
                cuts.append(j)
        if len(cuts) != 2:
            return self.text[toks[open_i][3]:toks[close_i][2]], "", ""
        a, b = cuts
        def seg(x: int, y: int) -> str:
            return self.text[toks[x][3]:toks[y][2]].strip()
        return seg(open_i, a), seg(a, b), seg(b, close_i)


_IDENT = re.compile(r"[A-Za-z_]\w*")
_ATTRIBUTE_WORDS = {"__attribute__", "__declspec", "alignas", "[[", "__aicore__(", "AICORE("}
_TRAILING_IDENT = re.compile(r"([A-Za-z_]\w*)\Z")
_LABEL = re.compile(r"[A-Za-z_]\w*:")
_DEFINE = re.compile(r"#\s*define\s+([A-Za-z_]\w*)")
MAX_NESTING = 200    # deeper nesting is reported as an error (no RecursionError)


_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


def identifiers(text: str) -> list[str]:
    """Every identifier in a piece of C++ (a lexical scan: the names a statement mentions)."""
    return _IDENTIFIER.findall(text)


def parse_cpp(source: SourceText) -> CppFile:
    from .stmt_parser import forget_statements
    forget_statements()
    tokens = _scan(source)
    parser = _StructureParser(source, tokens)
    try:
        return parser.parse_file()
    except StructureError as exc:
        raise PtofixError(str(exc), source, exc.offset) from None
