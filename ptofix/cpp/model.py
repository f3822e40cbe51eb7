"""Span-exact model of ptoas-generated C++.

The model is a tree of functions and statements. Every node keeps its exact character span in
the original text, so printing an unedited model is the input itself (``CppFile.print()``) and
passes can return edits against spans. Statement *contents* are parsed on demand by the statement
parser (``ptofix/cpp/stmt_parser.py``): ``SimpleStmt.ast`` is ``None`` when it does not understand
a statement, and the analysis then treats it as opaque ("may touch any memory").
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

from ..source import SourceText, Span
from ..structs import Struct

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar

# A statement's span packed in one int, start << SPAN_SHIFT | end: a Span and its two ints cost
# ~120 bytes a statement (~11 MiB for a 5 MB file), one int 32. Offsets from 2**SPAN_SHIFT on
# do not fit: those statements keep a Span.
SPAN_SHIFT = 32
_END_MASK = (1 << SPAN_SHIFT) - 1
NO_SPAN = Span(0, 0)


def pack_span(start: int, end: int) -> int | Span:
    return start << SPAN_SHIFT | end if end <= _END_MASK else Span(start, end)


class Stmt(Struct):
    __slots__ = ("packed_span",)
    packed_span: int | Span         # see pack_span; a Span is accepted as it is
    _hidden: ClassVar[frozenset[str]] = frozenset({"packed_span"})
    _fields: ClassVar[tuple[str, ...]] = ("packed_span",)

    def __init__(self, packed_span: int | Span) -> None:
        self.packed_span = packed_span

    @property
    def span(self) -> Span:
        packed = self.packed_span
        if packed.__class__ is int:
            return Span(packed >> SPAN_SHIFT, packed & _END_MASK)  # type: ignore[operator]
        return packed  # type: ignore[return-value]

    def walk(self) -> Iterator[Stmt]:
        yield self

    def __repr__(self) -> str:
        rest = Struct.__repr__(self).split("(", 1)[1]
        return f"{type(self).__name__}(span={self.span!r}{', ' if rest != ')' else ''}{rest}"


class SourceSliceStmt(Stmt):
    """A statement whose text is exactly its span of the file: it keeps a reference to the file's
    text and slices ``text`` on demand. A copy of every statement's text cost ~1.5 MiB per MB of
    input (a str header each, and one byte a character or two)."""

    __slots__ = ("file_text",)
    file_text: str           # the whole file's text (shared), not this statement's
    _hidden: ClassVar[frozenset[str]] = frozenset({"packed_span", "file_text"})
    _fields: ClassVar[tuple[str, ...]] = ("packed_span", "file_text")

    def __init__(self, packed_span: int | Span, file_text: str = "") -> None:
        self.packed_span = packed_span
        self.file_text = file_text

    @property
    def text(self) -> str:
        packed = self.packed_span
        if packed.__class__ is int:       # sliced from the packed offsets: no Span built (hot)
            return self.file_text[packed >> SPAN_SHIFT:packed & _END_MASK]  # type: ignore[operator]
        return self.file_text[packed[0]:packed[1]]  # type: ignore[index]

    def _bounds(self) -> tuple[int, int]:
        packed = self.packed_span
        if packed.__class__ is int:
            return packed >> SPAN_SHIFT, packed & _END_MASK  # type: ignore[operator]
        return packed[0], packed[1]  # type: ignore[index]

    def starts_with(self, prefix: str) -> bool:
        """Whether the statement's text starts with ``prefix`` (read in the file's text, no copy)."""
        start, end = self._bounds()
        return self.file_text.startswith(prefix, start, end)

    def is_text(self, text: str) -> bool:
        """Whether the statement's text is ``text`` (read in the file's text, no copy)."""
        start, end = self._bounds()
        return end - start == len(text) and self.file_text.startswith(text, start, end)

    def spells(self, word: str) -> bool:
        """Whether ``word`` occurs in the statement's text (found in the file's text, not a copy)."""
        start, end = self._bounds()
        return self.file_text.find(word, start, end) >= 0

    def __repr__(self) -> str:
        return f"{Stmt.__repr__(self)[:-1]}, text={self.text!r})"


class SimpleStmt(SourceSliceStmt):
    """One statement ending in ``;`` (declaration, call, assignment...)."""

    __slots__ = ("_ast", "_parsed")
    _ast: object
    _parsed: bool
    _hidden: ClassVar[frozenset[str]] = frozenset({"packed_span", "file_text", "_ast", "_parsed"})
    _fields: ClassVar[tuple[str, ...]] = ("packed_span", "file_text", "_ast", "_parsed")

    def __init__(
            self,
            packed_span: int | Span,
            file_text: str = "",
            _ast: object = None,
            _parsed: bool = False,
    ) -> None:
        self.packed_span = packed_span
        self.file_text = file_text
        self._ast = _ast
        self._parsed = _parsed

    @property
    def ast(self) -> Any:
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


def _statement_parser() -> Callable[[str], Any]:
    """stmt_parser.parse_statement, imported on first use (start-up) and then kept: an import
    statement in ``ast`` itself cost ~1 µs a statement, the analysis reads tens of thousands."""
    global _parse_statement
    if _parse_statement is None:
        from .stmt_parser import parse_statement
        _parse_statement = parse_statement
    return _parse_statement


_parse_statement: Callable | None = None


class Directive(SourceSliceStmt):
    """A preprocessor line inside a function body (``#if``, ``#endif``, ``#define`` ...)."""
    __slots__ = ()


class Comment(SourceSliceStmt):
    __slots__ = ()


class Compound(Stmt):
    __slots__ = ("body",)
    body: list[Stmt]
    _fields: ClassVar[tuple[str, ...]] = ("packed_span", "body")

    def __init__(self, packed_span: int | Span, body: list[Stmt] | None = None) -> None:
        self.packed_span = packed_span
        self.body = [] if body is None else body

    def walk(self) -> Iterator[Stmt]:
        yield self
        for stmt in self.body:
            yield from stmt.walk()


class ForStmt(Stmt):
    __slots__ = ("init", "cond", "step", "header", "body")
    init: str
    cond: str
    step: str
    header: Span
    body: Stmt | None
    _fields: ClassVar[tuple[str, ...]] = ("packed_span", "init", "cond", "step", "header", "body")

    def __init__(
            self,
            packed_span: int | Span,
            init: str = "",
            cond: str = "",
            step: str = "",
            header: Span = NO_SPAN,
            body: Stmt | None = None,
    ) -> None:
        self.packed_span = packed_span
        self.init = init
        self.cond = cond
        self.step = step
        self.header = header
        self.body = body

    def walk(self) -> Iterator[Stmt]:
        yield self
        if self.body is not None:
            yield from self.body.walk()


class IfStmt(Stmt):
    __slots__ = ("cond", "then", "orelse")
    cond: str
    then: Stmt | None
    orelse: Stmt | None
    _fields: ClassVar[tuple[str, ...]] = ("packed_span", "cond", "then", "orelse")

    def __init__(
            self,
            packed_span: int | Span,
            cond: str = "",
            then: Stmt | None = None,
            orelse: Stmt | None = None,
    ) -> None:
        self.packed_span = packed_span
        self.cond = cond
        self.then = then
        self.orelse = orelse

    def walk(self) -> Iterator[Stmt]:
        yield self
        for part in (self.then, self.orelse):
            if part is not None:
                yield from part.walk()


class PPBranch(Struct):
    __slots__ = ("directive", "body")
    directive: Directive
    body: list[Stmt]
    _fields: ClassVar[tuple[str, ...]] = ("directive", "body")

    def __init__(self, directive: Directive, body: list[Stmt]) -> None:
        self.directive = directive
        self.body = body


class PPIfStmt(Stmt):
    """``#if ... [#elif/#else ...] #endif`` inside a body: any one branch (or none) is compiled."""

    __slots__ = ("branches", "has_else", "endif")
    branches: list[PPBranch]
    has_else: bool
    endif: Directive | None
    _fields: ClassVar[tuple[str, ...]] = ("packed_span", "branches", "has_else", "endif")

    def __init__(
            self,
            packed_span: int | Span,
            branches: list[PPBranch] | None = None,
            has_else: bool = False,
            endif: Directive | None = None,
    ) -> None:
        self.packed_span = packed_span
        self.branches = [] if branches is None else branches
        self.has_else = has_else
        self.endif = endif

    def walk(self) -> Iterator[Stmt]:
        yield self
        for branch in self.branches:
            yield branch.directive
            for stmt in branch.body:
                yield from stmt.walk()


class CaseLabel(SourceSliceStmt):
    """``case X:`` or ``default:`` inside a switch body."""

    __slots__ = ("is_default",)
    is_default: bool
    _fields: ClassVar[tuple[str, ...]] = ("packed_span", "file_text", "is_default")

    def __init__(self, packed_span: int | Span, file_text: str = "", is_default: bool = False) -> None:
        self.packed_span = packed_span
        self.file_text = file_text
        self.is_default = is_default


class SwitchStmt(Stmt):
    """``switch (cond) { case ...: ... }``: the body is one statement list with case labels."""

    __slots__ = ("cond", "body")
    cond: str
    body: list[Stmt]
    _fields: ClassVar[tuple[str, ...]] = ("packed_span", "cond", "body")

    def __init__(self, packed_span: int | Span, cond: str = "", body: list[Stmt] | None = None) -> None:
        self.packed_span = packed_span
        self.cond = cond
        self.body = [] if body is None else body

    def walk(self) -> Iterator[Stmt]:
        yield self
        for stmt in self.body:
            yield from stmt.walk()


class OpaqueStmt(SourceSliceStmt):
    """Control flow or a construct the model does not understand (``switch``, ``while``...)."""

    __slots__ = ("reason",)
    reason: str
    _fields: ClassVar[tuple[str, ...]] = ("packed_span", "file_text", "reason")

    def __init__(self, packed_span: int | Span, file_text: str = "", reason: str = "") -> None:
        self.packed_span = packed_span
        self.file_text = file_text
        self.reason = reason


class Function(Struct):
    __slots__ = ("name", "span", "head", "params", "body", "is_entry", "qualified", "conditional", "static",
                 "namespace", "params_at")
    name: str
    span: Span                   # whole definition
    head: str                    # text before the body's '{'
    params: str                  # text inside the parameter parentheses
    body: Stmt                   # Compound, or OpaqueStmt if the body could not be structured
    is_entry: bool       # __global__ / extern "C" kernel entry
    qualified: str          # defined as `Owner::name`: the declaration up to the name, spaces
                                 # removed ('' for an unqualified name): a member or namespace-qualified function
    conditional: bool    # defined inside a file-scope #if section (or with a directive in its head)
    static: bool         # declared `static` (a word of the declaration, not of a comment or string)
    namespace: tuple        # the named namespaces unqualified lookup searches it in, outermost
                                 # first (not extern "C" blocks, anonymous or inline namespaces)
    params_at: int          # offset in ``head`` of the parameter list's '(' (the name ends before it)
    _fields: ClassVar[tuple[str, ...]] = ("name", "span", "head", "params", "body", "is_entry", "qualified",
                                          "conditional", "static", "namespace", "params_at")

    def __init__(
            self,
            name: str,
            span: Span,
            head: str,
            params: str,
            body: Stmt,
            is_entry: bool = False,
            qualified: str = "",
            conditional: bool = False,
            static: bool = False,
            namespace: tuple = (),
            params_at: int = -1,
    ) -> None:
        self.name = name
        self.span = span
        self.head = head
        self.params = params
        self.body = body
        self.is_entry = is_entry
        self.qualified = qualified
        self.conditional = conditional
        self.static = static
        self.namespace = namespace
        self.params_at = params_at

    def statements(self) -> Iterator[Stmt]:
        yield from self.body.walk()


class CppFile(Struct):
    __slots__ = ("source", "functions", "globals", "macros", "namespaces", "empty_macros", "includes",
                 "partial_globals", "declared_names", "declaring_macros", "defines", "structure_in_parentheses",
                 "macro_bodies", "pto_code_macros")
    source: SourceText
    functions: list[Function]
    globals: list                # file-scope declarations (SimpleStmt), e.g. `using T = ...;`
    macros: frozenset   # names `#define`d anywhere in the file
    namespaces: frozenset   # the names of the namespaces the file opens (`a::b` gives both)
    empty_macros: frozenset   # macros every #define of which expands to nothing (or `[aicore]`)
    includes: tuple              # (header as written, e.g. '"pto/pto-inst.hpp"', offset) of every #include
    partial_globals: frozenset   # indices of globals some function does not see (after it,
                                               # another namespace, another #if branch)
    declared_names: frozenset    # names a declaration anywhere may introduce as a namespace
                                               # or type (lexical over-approximation)
    declaring_macros: frozenset  # macros whose body pastes tokens or holds a declaration keyword
    defines: tuple                        # (name, offset) of every #define and #undef, in file order
    structure_in_parentheses: int         # offset of the first brace or ';' inside parentheses
                                               # (a for header's ';' aside), -1 if none
    macro_bodies: tuple                   # (name, replacement text) of every #define, in file order
    pto_code_macros: frozenset   # pto's macros the model does not read that the code or a
    _fields: ClassVar[tuple[str, ...]] = ("source", "functions", "globals", "macros", "namespaces", "empty_macros",
                                          "includes", "partial_globals", "declared_names", "declaring_macros",
                                          "defines", "structure_in_parentheses", "macro_bodies", "pto_code_macros")

    def __init__(
            self,
            source: SourceText,
            functions: list[Function],
            globals: list | None = None,
            macros: frozenset = frozenset(),
            namespaces: frozenset = frozenset(),
            empty_macros: frozenset = frozenset(),
            includes: tuple = (),
            partial_globals: frozenset = frozenset(),
            declared_names: frozenset = frozenset(),
            declaring_macros: frozenset = frozenset(),
            defines: tuple = (),
            structure_in_parentheses: int = -1,
            macro_bodies: tuple = (),
            pto_code_macros: frozenset = frozenset(),
    ) -> None:
        self.source = source
        self.functions = functions
        self.globals = [] if globals is None else globals
        self.macros = macros
        self.namespaces = namespaces
        self.empty_macros = empty_macros
        self.includes = includes
        self.partial_globals = partial_globals
        self.declared_names = declared_names
        self.declaring_macros = declaring_macros
        self.defines = defines
        self.structure_in_parentheses = structure_in_parentheses
        self.macro_bodies = macro_bodies
        self.pto_code_macros = pto_code_macros
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
