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


def tokenize(source: SourceText) -> list[Token]:
    text = source.text
    tokens: list[Token] = []
    append = tokens.append
    pos = 0
    for match in _TOKEN_RE.finditer(text):
        if match.start() != pos:
            break
        pos = match.end()
        kind = match.lastgroup or ""
        append(Token(kind, match.group(kind), match.start(kind), pos))
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


def _pair_brackets(tokens: list[Token]) -> dict[int, int] | None:
    """Index of the closing bracket of every opening one, or None if the file's brackets are not
    balanced. In a balanced file a scan from any opening bracket ends at the bracket found here, so
    the parser looks it up instead of rescanning nested blocks; otherwise it scans, which finds
    the error a scan from that bracket reports."""
    closing: dict[int, int] = {}
    stack: list[tuple[str, int]] = []
    for index, tok in enumerate(tokens):
        if tok.kind == "o":
            t = tok.text
            if t in _OPEN:
                stack.append((_OPEN[t], index))
            elif t in _CLOSE:
                if not stack or stack[-1][0] != t:
                    return None
                closing[stack.pop()[1]] = index
    return None if stack else closing


class _Parser:
    def __init__(self, source: SourceText, tokens: list[Token]):
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
        stack = [_OPEN[self.toks[i].text]]
        j = i + 1
        toks = self.toks
        while j < self.n:
            tok = toks[j]
            if tok.kind == "o":
                t = tok.text
                if t in _OPEN:
                    stack.append(_OPEN[t])
                elif t in _CLOSE:
                    if t != stack[-1]:
                        raise StructureError(f"expected '{stack[-1]}' before '{t}'", tok.start)
                    stack.pop()
                    if not stack:
                        return j
            j += 1
        raise StructureError(f"'{toks[i].text}' is never closed", toks[i].start)

    # -- top level ---------------------------------------------------------------------------
    def parse_file(self) -> CppFile:
        functions: list[Function] = []
        self.globals: list[SimpleStmt] = []
        self._top_level(0, self.n, functions)
        macros = set()
        for tok in self.toks:
            if tok.kind == "p":
                match = _DEFINE.match(tok.text)
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
            if tok.kind in "cp":
                i += 1
                continue
            if item_start is None:
                item_start = i
            t = tok.text
            if tok.kind == "o" and t in ("(", "["):
                i = self._match_close(i) + 1
                continue
            if tok.kind == "o" and t == ";":
                # File-scope declarations (`using T = ...;`, constants): kept for type aliases.
                span = Span(toks[item_start].start, tok.end)
                self.globals.append(SimpleStmt(span, self.text[span.start:span.end]))
                item_start = None
                i += 1
                continue
            if tok.kind == "o" and t == "{":
                close = self._match_close(i)
                words = [x.text for x in toks[item_start:i] if x.kind not in "cp"]
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
            if tok.kind == "o" and t in _CLOSE:
                raise StructureError(f"unbalanced '{t}'", tok.start)
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
            if tok.kind == "w" and "=" in tok.text and _has_assignment(tok.text):
                return None
            if tok.kind == "o" and tok.text == "(":
                if j > start and toks[j - 1].text in _ATTRIBUTE_WORDS:
                    j = self._match_close(j) + 1
                    continue
                paren = j
                break
            j += 1
        if paren is None or paren == start or toks[paren - 1].kind != "w" \
                or toks[paren - 1].end != toks[paren].start and not _IDENT.fullmatch(toks[paren - 1].text):
            return None
        word = toks[paren - 1].text
        name_match = _TRAILING_IDENT.search(word)
        if name_match is None or (name_match.start() > 0 and word[name_match.start() - 1] not in "*&:"):
            return None          # `@name(` (MLIR), `x.name(`...: not a C++ function declarator
        name = name_match.group(1)
        if name in ("if", "for", "while", "switch"):
            return None
        pclose = self._match_close(paren)
        head = self.text[toks[start].start:toks[brace].start]
        params = self.text[toks[paren].end:toks[pclose].start]
        try:
            body: Stmt = self._compound(brace, close)
        except StructureError as exc:
            body = OpaqueStmt(Span(toks[brace].start, toks[close].end),
                              self.text[toks[brace].start:toks[close].end], f"unstructured body: {exc}")
        # A kernel entry point is declared `__global__` (a word of the declaration itself, not of a
        # comment); `extern "C"` alone only names a C-linkage function that anything may call.
        is_entry = "__global__" in words
        return Function(name, Span(toks[start].start, toks[close].end), head, params, body, is_entry)

    # -- statements --------------------------------------------------------------------------
    def _compound(self, open_i: int, close_i: int) -> Compound:
        body, end = self._stmt_list(open_i + 1, close_i, in_pp=False)
        if end != close_i:
            raise StructureError("preprocessor branch crosses a block boundary",
                                 self.toks[min(end, self.n - 1)].start)
        return Compound(Span(self.toks[open_i].start, self.toks[close_i].end), body)

    def _stmt_list(self, i: int, stop: int, in_pp: bool) -> tuple[list[Stmt], int]:
        """Statements from ``i`` up to ``stop`` or (inside ``#if``) the next #elif/#else/#endif."""
        out: list[Stmt] = []
        toks = self.toks
        while i < stop:
            tok = toks[i]
            if tok.kind == "p":
                word = _directive_word(tok.text)
                if word in ("#elif", "#else", "#endif"):
                    if not in_pp:
                        raise StructureError(f"{word} without #if", tok.start)
                    return out, i
                if word in _PP_OPEN:
                    stmt, i = self._pp_if(i, stop)
                    out.append(stmt)
                    continue
                out.append(Directive(Span(tok.start, tok.end), tok.text))
                i += 1
                continue
            stmt, i = self._statement(i, stop)
            out.append(stmt)
        if in_pp:
            raise StructureError("#if without #endif in this block", toks[stop - 1].start if stop else 0)
        return out, i

    def _pp_if(self, i: int, stop: int) -> tuple[Stmt, int]:
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                raise StructureError(f"#if sections nested deeper than {MAX_NESTING} levels", self.toks[i].start)
            return self._pp_if_at(i, stop)
        finally:
            self.depth -= 1

    def _pp_if_at(self, i: int, stop: int) -> tuple[Stmt, int]:
        toks = self.toks
        start = toks[i].start
        branches: list[PPBranch] = []
        has_else = False
        directive = Directive(Span(toks[i].start, toks[i].end), toks[i].text)
        i += 1
        while True:
            body, i = self._stmt_list(i, stop, in_pp=True)
            branches.append(PPBranch(directive, body))
            tok = toks[i]
            word = _directive_word(tok.text)
            directive = Directive(Span(tok.start, tok.end), tok.text)
            i += 1
            if word == "#endif":
                return PPIfStmt(Span(start, tok.end), branches, has_else, directive), i
            if word == "#else":
                has_else = True

    def _statement(self, i: int, stop: int) -> tuple[Stmt, int]:
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                raise StructureError(f"statements nested deeper than {MAX_NESTING} levels", self.toks[i].start)
            return self._statement_at(i, stop)
        finally:
            self.depth -= 1

    def _statement_at(self, i: int, stop: int) -> tuple[Stmt, int]:
        toks = self.toks
        tok = toks[i]
        text = self.text
        if tok.kind == "c":
            return Comment(Span(tok.start, tok.end), tok.text), i + 1
        t = tok.text
        if tok.kind == "o":
            if t == "{":
                close = self._match_close(i)
                return self._compound(i, close), close + 1
            if t == ";":
                return SimpleStmt(Span(tok.start, tok.end), ";"), i + 1
            if t in _CLOSE:
                raise StructureError(f"unbalanced '{t}'", tok.start)
        if tok.kind == "w":
            if t == "for" and i + 1 < stop and toks[i + 1].text == "(":
                pclose = self._match_close(i + 1)
                body, end = self._body(pclose + 1, stop)
                header = Span(toks[i + 1].end, toks[pclose].start)
                parts = self._split_for_header(i + 1, pclose)
                return ForStmt(Span(tok.start, body.span.end), init=parts[0], cond=parts[1], step=parts[2],
                               header=header, body=body), end
            if t == "if" and i + 1 < stop and toks[i + 1].text == "(":
                pclose = self._match_close(i + 1)
                then, j = self._body(pclose + 1, stop)
                orelse = None
                k = j
                while k < stop and toks[k].kind == "c":
                    k += 1
                if k < stop and toks[k].text == "else":
                    orelse, j = self._body(k + 1, stop)
                end_off = (orelse or then).span.end
                cond = text[toks[i + 1].end:toks[pclose].start]
                return IfStmt(Span(tok.start, end_off), cond=cond, then=then, orelse=orelse), j
            if t == "switch" and i + 1 < stop and toks[i + 1].text == "(":
                switch = self._switch(i, stop)
                if switch is not None:
                    return switch
            if t in ("while", "switch", "do", "else", "case", "default", "goto", "try"):
                return self._opaque_control(i, stop, t)
            if _LABEL.fullmatch(t):
                return OpaqueStmt(Span(tok.start, tok.end), t, "label"), i + 1
        return self._simple(i, stop)

    def _switch(self, i: int, stop: int) -> tuple[Stmt, int] | None:
        """``switch (c) { case A: ...; break; default: ... }`` with labels at the top level of the
        braces; anything else (no braces, labels nested in blocks, #if around labels) is opaque."""
        toks = self.toks
        pclose = self._match_close(i + 1)
        brace = pclose + 1
        if brace >= stop or toks[brace].text != "{":
            return None
        close = self._match_close(brace)
        body: list[Stmt] = []
        j = brace + 1
        while j < close:
            tok = toks[j]
            if tok.kind == "w" and (tok.text in ("case", "default", "default:")):
                k = j
                while k < close and not (toks[k].kind == "w" and toks[k].text.endswith(":")
                                         and not toks[k].text.endswith("::")):
                    if toks[k].kind != "w":
                        return None
                    k += 1
                if k >= close:
                    return None
                span = Span(tok.start, toks[k].end)
                body.append(CaseLabel(span, self.text[span.start:span.end], tok.text.startswith("default")))
                j = k + 1
                continue
            if tok.kind == "p":
                return None
            stmt, j = self._statement(j, close)
            body.append(stmt)
        cond = self.text[toks[i + 1].end:toks[pclose].start]
        return SwitchStmt(Span(toks[i].start, toks[close].end), cond, body), close + 1

    def _body(self, i: int, stop: int) -> tuple[Stmt, int]:
        toks = self.toks
        while i < stop and toks[i].kind == "c":
            i += 1
        if i >= stop:
            raise StructureError("missing statement body", toks[stop - 1].start)
        if toks[i].kind == "p":
            raise StructureError("preprocessor directive as a statement body", toks[i].start)
        return self._statement(i, stop)

    def _opaque_control(self, i: int, stop: int, word: str) -> tuple[Stmt, int]:
        # Consume up to and including the first '{...}' block (plus `while(...);` for do) or ';'.
        toks = self.toks
        j = i
        while j < stop:
            t = toks[j].text
            if toks[j].kind == "o" and t in ("(", "["):
                j = self._match_close(j) + 1
                continue
            if toks[j].kind == "o" and t == "{":
                j = self._match_close(j) + 1
                if word == "do":
                    while j < stop and toks[j].text != ";":
                        j += 1
                    j += 1
                break
            if toks[j].kind == "o" and t == ";":
                j += 1
                break
            if word in ("case", "default") and t.endswith(":") and not t.endswith("::"):
                j += 1
                break
            j += 1
        end = toks[min(j, stop) - 1].end
        span = Span(toks[i].start, end)
        return OpaqueStmt(span, self.text[span.start:span.end], f"'{word}' is not modelled"), j

    def _simple(self, i: int, stop: int) -> tuple[Stmt, int]:
        toks = self.toks
        j = i
        while j < stop:
            tok = toks[j]
            if tok.kind == "o":
                t = tok.text
                if t in ("(", "["):
                    j = self._match_close(j) + 1
                    continue
                if t == "{":
                    # `union {...} x;`, `int a[] = {...};` or a lambda: keep as one opaque statement.
                    j = self._match_close(j) + 1
                    while j < stop and toks[j].text != ";":
                        if toks[j].text in _OPEN:
                            j = self._match_close(j)
                        j += 1
                    span = Span(toks[i].start, toks[min(j, stop - 1)].end)
                    return OpaqueStmt(span, self.text[span.start:span.end], "braced construct"), j + 1
                if t == ";":
                    span = Span(toks[i].start, tok.end)
                    stmt_text = self.text[span.start:span.end]
                    return SimpleStmt(span, stmt_text), j + 1
                if t == "}":
                    raise StructureError("expected ';' before '}'", tok.start)
            elif tok.kind == "p":
                raise StructureError("preprocessor directive inside a statement", tok.start)
            j += 1
        raise StructureError("expected ';' at end of statement", toks[i].start)

    def _split_for_header(self, open_i: int, close_i: int) -> tuple[str, str, str]:
        toks = self.toks
        cuts = []
        depth = 0
        for j in range(open_i + 1, close_i):
            t = toks[j].text
            if t in _OPEN:
                depth += 1
            elif t in _CLOSE:
                depth -= 1
            elif t == ";" and depth == 0:
                cuts.append(j)
        if len(cuts) != 2:
            return self.text[toks[open_i].end:toks[close_i].start], "", ""
        a, b = cuts
        def seg(x: int, y: int) -> str:
            return self.text[toks[x].end:toks[y].start].strip()
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
    tokens = tokenize(source)
    parser = _Parser(source, tokens)
    try:
        return parser.parse_file()
    except StructureError as exc:
        raise PtofixError(str(exc), source, exc.offset) from None
