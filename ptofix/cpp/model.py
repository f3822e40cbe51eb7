"""Span-exact model of ptoas-generated C++.

The model is a tree of functions and statements. Every node keeps its exact character span in
the original text, so printing an unedited model is the input itself (``CppFile.print()``) and
passes can return edits against spans. Statement *contents* are parsed on demand by the lark
grammar (``ptofix/cpp/cpp_stmt.lark``): ``SimpleStmt.ast`` is ``None`` when the grammar does not
understand a statement, and the analysis then treats it as opaque ("may touch any memory").
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

from ..record import Record
from ..source import SourceText, Span

# A statement's span packed in one int, start << SPAN_SHIFT | end: a Span and its two ints cost
# ~120 bytes a statement (~11 MiB for a 5 MB file), one int 32. Offsets from 2**SPAN_SHIFT on
# do not fit: those statements keep a Span.
SPAN_SHIFT = 32
_END_MASK = (1 << SPAN_SHIFT) - 1


def pack_span(start: int, end: int) -> int | Span:
    return start << SPAN_SHIFT | end if end <= _END_MASK else Span(start, end)


class Stmt(Record, slots=True):
    packed_span: int | Span         # see pack_span; a Span is accepted as it is
    _hidden = frozenset({"packed_span"})

    @property
    def span(self) -> Span:
        packed = self.packed_span
        if packed.__class__ is int:
            return Span(packed >> SPAN_SHIFT, packed & _END_MASK)  # type: ignore[operator]
        return packed  # type: ignore[return-value]

    def walk(self) -> Iterator[Stmt]:
        yield self

    def __repr__(self) -> str:
        rest = Record.__repr__(self).split("(", 1)[1]
        return f"{type(self).__name__}(span={self.span!r}{', ' if rest != ')' else ''}{rest}"


class SourceSliceStmt(Stmt, slots=True):
    """A statement whose text is exactly its span of the file: it keeps a reference to the file's
    text and slices ``text`` on demand. A copy of every statement's text cost ~1.5 MiB per MB of
    input (a str header each, and one byte a character or two)."""

    file_text: str = ""           # the whole file's text (shared), not this statement's
    _hidden = frozenset({"packed_span", "file_text"})

    @property
    def text(self) -> str:
        packed = self.packed_span
        if packed.__class__ is int:       # sliced from the packed offsets: no Span built (hot)
            return self.file_text[packed >> SPAN_SHIFT:packed & _END_MASK]  # type: ignore[operator]
        return self.file_text[packed[0]:packed[1]]  # type: ignore[index]

    def spells(self, word: str) -> bool:
        """Whether ``word`` occurs in the statement's text (found in the file's text, not a copy)."""
        packed = self.packed_span
        start, end = (packed >> SPAN_SHIFT, packed & _END_MASK) if packed.__class__ is int \
            else (packed[0], packed[1])  # type: ignore[operator,index]
        return self.file_text.find(word, start, end) >= 0

    def __repr__(self) -> str:
        return f"{Stmt.__repr__(self)[:-1]}, text={self.text!r})"


class SimpleStmt(SourceSliceStmt, slots=True):
    """One statement ending in ``;`` (declaration, call, assignment...)."""

    _ast: object = None
    _parsed: bool = False
    _hidden = frozenset({"packed_span", "file_text", "_ast", "_parsed"})

    @property
    def ast(self):
        """Parsed statement (``ptofix.cpp.ast`` node) or ``None`` if the grammar cannot parse it."""
        if not self._parsed:
            self._ast = _statement_parser()(self.text)
            self._parsed = True
        return self._ast

    def is_parsed(self) -> bool:
        """Whether ``ast`` holds the parse already (reading it then costs no slice of the text)."""
        return self._parsed

    def forget_ast(self) -> None:
        """Drop the cached AST (memory: its function is analysed); ``ast`` parses it again."""
        self._ast = None
        self._parsed = False


def _statement_parser():
    """stmt_parser.parse_statement, imported on first use (start-up) and then kept: an import
    statement in ``ast`` itself cost ~1 µs a statement, the analysis reads tens of thousands."""
    global _parse_statement
    if _parse_statement is None:
        from .stmt_parser import parse_statement
        _parse_statement = parse_statement
    return _parse_statement


_parse_statement: Callable | None = None


class Directive(SourceSliceStmt, slots=True):
    """A preprocessor line inside a function body (``#if``, ``#endif``, ``#define`` ...)."""


class Comment(SourceSliceStmt, slots=True):
    pass


class Compound(Stmt, slots=True):
    body: list[Stmt] = []

    def walk(self) -> Iterator[Stmt]:
        yield self
        for stmt in self.body:
            yield from stmt.walk()


class ForStmt(Stmt, slots=True):
    init: str = ""
    cond: str = ""
    step: str = ""
    header: Span = Span(0, 0)
    body: Stmt | None = None

    def walk(self) -> Iterator[Stmt]:
        yield self
        if self.body is not None:
            yield from self.body.walk()


class IfStmt(Stmt, slots=True):
    cond: str = ""
    then: Stmt | None = None
    orelse: Stmt | None = None

    def walk(self) -> Iterator[Stmt]:
        yield self
        for part in (self.then, self.orelse):
            if part is not None:
                yield from part.walk()


class PPBranch(Record, slots=True):
    directive: Directive
    body: list[Stmt]


class PPIfStmt(Stmt, slots=True):
    """``#if ... [#elif/#else ...] #endif`` inside a body: any one branch (or none) is compiled."""

    branches: list[PPBranch] = []
    has_else: bool = False
    endif: Directive | None = None

    def walk(self) -> Iterator[Stmt]:
        yield self
        for branch in self.branches:
            yield branch.directive
            for stmt in branch.body:
                yield from stmt.walk()


class CaseLabel(SourceSliceStmt, slots=True):
    """``case X:`` or ``default:`` inside a switch body."""

    is_default: bool = False


class SwitchStmt(Stmt, slots=True):
    """``switch (cond) { case ...: ... }``: the body is one statement list with case labels."""

    cond: str = ""
    body: list[Stmt] = []

    def walk(self) -> Iterator[Stmt]:
        yield self
        for stmt in self.body:
            yield from stmt.walk()


class OpaqueStmt(SourceSliceStmt, slots=True):
    """Control flow or a construct the model does not understand (``switch``, ``while``...)."""

    reason: str = ""


class Function(Record, slots=True):
    name: str
    span: Span                   # whole definition
    head: str                    # text before the body's '{'
    params: str                  # text inside the parameter parentheses
    body: Stmt                   # Compound, or OpaqueStmt if the body could not be structured
    is_entry: bool = False       # __global__ / extern "C" kernel entry
    qualified: str = ""          # defined as `Owner::name`: the declaration up to the name, spaces
                                 # removed ('' for an unqualified name): a member or namespace-qualified function
    conditional: bool = False    # defined inside a file-scope #if section (or with a directive in its head)
    static: bool = False         # declared `static` (a word of the declaration, not of a comment or string)
    namespace: tuple = ()        # the named namespaces unqualified lookup searches it in, outermost
                                 # first (not extern "C" blocks, anonymous or inline namespaces)
    params_at: int = -1          # offset in ``head`` of the parameter list's '(' (the name ends before it)

    def statements(self) -> Iterator[Stmt]:
        yield from self.body.walk()


class CppFile(Record, slots=True):
    source: SourceText
    functions: list[Function]
    globals: list = []                # file-scope declarations (SimpleStmt), e.g. `using T = ...;`
    macros: frozenset = frozenset()   # names `#define`d anywhere in the file
    namespaces: frozenset = frozenset()   # the names of the namespaces the file opens (`a::b` gives both)
    empty_macros: frozenset = frozenset()   # macros every #define of which expands to nothing (or `[aicore]`)
    includes: tuple = ()              # (header as written, e.g. '"pto/pto-inst.hpp"', offset) of every #include
    partial_globals: frozenset = frozenset()   # indices of globals some function does not see (after it,
                                               # another namespace, another #if branch)
    declared_names: frozenset = frozenset()    # names a declaration anywhere may introduce as a namespace
                                               # or type (lexical over-approximation)
    declaring_macros: frozenset = frozenset()  # macros whose body pastes tokens or holds a declaration keyword
    defines: tuple = ()                        # (name, offset) of every #define and #undef, in file order
    structure_in_parentheses: int = -1         # offset of the first brace or ';' inside parentheses
                                               # (a for header's ';' aside), -1 if none
    macro_bodies: tuple = ()                   # (name, replacement text) of every #define, in file order
    pto_code_macros: frozenset = frozenset()   # pto's macros the model does not read that the code or a
                                               # #define body names (ops.pto_code_macro_names)

    def print(self) -> str:
        # Spans index into the original text; an unedited model prints as the input itself.
        return self.source.text

    def function(self, name: str) -> Function | None:
        for fn in self.functions:
            if fn.name == name:
                return fn
        return None

    def simple_statements(self) -> Iterator[tuple[Function, SimpleStmt]]:
        for fn in self.functions:
            for stmt in fn.statements():
                if isinstance(stmt, SimpleStmt):
                    yield fn, stmt
