"""Span-exact model of ptoas-generated C++.

The model is a tree of functions and statements. Every node keeps its exact character span in
the original text, so printing an unedited model is the input itself (``CppFile.print()``) and
passes can return edits against spans. Statement *contents* are parsed on demand by the lark
grammar (``ptofix/cpp/cpp_stmt.lark``): ``SimpleStmt.ast`` is ``None`` when the grammar does not
understand a statement, and the analysis then treats it as opaque ("may touch any memory").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Optional

from ..source import SourceText, Span


@dataclass(eq=False)
class Stmt:
    span: Span

    def walk(self) -> Iterator["Stmt"]:
        yield self


@dataclass(eq=False)
class SimpleStmt(Stmt):
    """One statement ending in ``;`` (declaration, call, assignment...)."""

    text: str = ""
    kind: str = "opaque"        # see parser.classify
    head: str = ""              # callee / declared type head, e.g. "TADD", "Tile", "pipe_barrier"
    _ast: object = field(default=None, repr=False)
    _parsed: bool = field(default=False, repr=False)

    @property
    def ast(self):
        """Parsed statement (``ptofix.cpp.ast`` node) or ``None`` if the grammar cannot parse it."""
        if not self._parsed:
            from .stmt_parser import parse_statement
            self._ast = parse_statement(self.text)
            self._parsed = True
        return self._ast


@dataclass(eq=False)
class Directive(Stmt):
    """A preprocessor line inside a function body (``#if``, ``#endif``, ``#define`` ...)."""

    text: str = ""


@dataclass(eq=False)
class Comment(Stmt):
    text: str = ""


@dataclass(eq=False)
class Compound(Stmt):
    body: list[Stmt] = field(default_factory=list)

    def walk(self) -> Iterator[Stmt]:
        yield self
        for stmt in self.body:
            yield from stmt.walk()


@dataclass(eq=False)
class ForStmt(Stmt):
    init: str = ""
    cond: str = ""
    step: str = ""
    header: Span = field(default_factory=lambda: Span(0, 0))
    body: Optional[Stmt] = None

    def walk(self) -> Iterator[Stmt]:
        yield self
        if self.body is not None:
            yield from self.body.walk()


@dataclass(eq=False)
class IfStmt(Stmt):
    cond: str = ""
    then: Optional[Stmt] = None
    orelse: Optional[Stmt] = None

    def walk(self) -> Iterator[Stmt]:
        yield self
        for part in (self.then, self.orelse):
            if part is not None:
                yield from part.walk()


@dataclass(eq=False)
class PPBranch:
    directive: Directive
    body: list[Stmt]


@dataclass(eq=False)
class PPIfStmt(Stmt):
    """``#if ... [#elif/#else ...] #endif`` inside a body: any one branch (or none) is compiled."""

    branches: list[PPBranch] = field(default_factory=list)
    has_else: bool = False
    endif: Optional[Directive] = None

    def walk(self) -> Iterator[Stmt]:
        yield self
        for branch in self.branches:
            yield branch.directive
            for stmt in branch.body:
                yield from stmt.walk()


@dataclass(eq=False)
class OpaqueStmt(Stmt):
    """Control flow or a construct the model does not understand (``switch``, ``while``...)."""

    text: str = ""
    reason: str = ""


@dataclass(eq=False)
class Function:
    name: str
    span: Span                   # whole definition
    head: str                    # text before the body's '{'
    params: str                  # text inside the parameter parentheses
    body: Stmt                   # Compound, or OpaqueStmt if the body could not be structured
    is_entry: bool = False       # __global__ / extern "C" kernel entry

    def statements(self) -> Iterator[Stmt]:
        yield from self.body.walk()


@dataclass(eq=False)
class CppFile:
    source: SourceText
    functions: list[Function]

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
