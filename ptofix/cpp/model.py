"""Span-exact model of ptoas-generated C++.

The model is a tree of functions and statements. Every node keeps its exact character span in
the original text, so printing an unedited model is the input itself (``CppFile.print()``) and
passes can return edits against spans. Statement *contents* are parsed on demand by the statement
parser (``ptofix/cpp/stmt_parser.py``): ``SimpleStmt.ast`` is ``None`` when it does not understand
a statement, and the analysis then treats it as opaque ("may touch any memory").
Declarations are parsed too: each function's parameters (``ParamDecl``) and head
(``FunctionHead``), and the file-scope declarations (``GlobalDecl``), each read exactly or
unread with its reason.
"""
from __future__ import annotations

import enum
from array import array
from collections.abc import Callable, Iterator

from ..compile_env import NO_COMMAND_LINE, CompileEnvironment
from ..source import SourceText, Span
from ..structs import Struct

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, Final

    from ..side_files import ReadRecord

# A statement's span packed in one int, start << SPAN_SHIFT | end: a Span and its two ints cost
# ~120 bytes a statement (~11 MiB for a 5 MB file), one int object 32, and an int field of a
# compiled class none (mypyc keeps an int below 2**62 in the object, unboxed: the field is
# typed int, never a union). An end from 2**SPAN_SHIFT on packs as ~(start << _FAR_SHIFT | end),
# a negative int.
SPAN_SHIFT: Final = 32
_END_MASK: Final = (1 << SPAN_SHIFT) - 1
_FAR_SHIFT: Final = 64
_FAR_MASK: Final = (1 << _FAR_SHIFT) - 1
NO_SPAN: Final = Span(0, 0)


_NEW_TUPLE: Final = tuple.__new__


def pack_span(start: int, end: int) -> int:
    return start << SPAN_SHIFT | end if end <= _END_MASK else ~(start << _FAR_SHIFT | end)


def _packed(span: int | Span) -> int:
    """A constructor's span (a packed one, or a Span) packed."""
    return span if isinstance(span, int) else pack_span(span[0], span[1])


def _unpacked(packed: int) -> tuple[int, int]:
    if packed >= 0:
        return packed >> SPAN_SHIFT, packed & _END_MASK
    far = ~packed
    return far >> _FAR_SHIFT, far & _FAR_MASK


class Stmt(Struct):
    __slots__ = ("packed_span",)
    packed_span: int                # see pack_span; a constructor also takes a Span
    _hidden: ClassVar[frozenset[str]] = frozenset({"packed_span"})
    _fields: ClassVar[tuple[str, ...]] = ("packed_span",)

    def __init__(self, packed_span: int | Span) -> None:
        self.packed_span = _packed(packed_span)

    @property
    def span(self) -> Span:
        # (Built by tuple.__new__, a C call: Span(start, end) runs the NamedTuple's __new__, a
        # Python function even in a compiled build, one frame a call; ~2% of a 5 MB run read the
        # statements' spans so, issue #70 item 7. tests/cpp/test_model_spans.py: the same Span.)
        packed = self.packed_span
        if packed >= 0:
            return _NEW_TUPLE(Span, (packed >> SPAN_SHIFT, packed & _END_MASK))
        return _NEW_TUPLE(Span, _unpacked(packed))

    def start_offset(self) -> int:
        """``span.start``, without the Span (built, a Span is a Python-level call even compiled:
        ~1.9K instructions, where the semantic walk reads each statement's start several times;
        tests/cpp/test_model_spans.py: the same offsets)."""
        packed = self.packed_span
        if packed >= 0:
            return packed >> SPAN_SHIFT
        return _unpacked(packed)[0]

    def offsets(self) -> tuple[int, int]:
        """``span`` as a plain (start, end) pair (see start_offset)."""
        return _unpacked(self.packed_span)

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
        self.packed_span = _packed(packed_span)
        self.file_text = file_text

    @property
    def text(self) -> str:
        packed = self.packed_span
        if packed >= 0:       # sliced from the packed offsets: no Span built (hot)
            return self.file_text[packed >> SPAN_SHIFT:packed & _END_MASK]
        start, end = _unpacked(packed)
        return self.file_text[start:end]

    def _bounds(self) -> tuple[int, int]:
        return _unpacked(self.packed_span)

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
        self.packed_span = _packed(packed_span)
        self.file_text = file_text
        self._ast = _ast
        self._parsed = _parsed

    @property
    def ast(self) -> Any:
        """Parsed statement (``ptofix.cpp.ast`` node) or ``None`` if the grammar cannot parse it."""
        if not self._parsed:
            self._ast = _statement_parser()(self.text, True, False)
            self._parsed = True
        return self._ast

    def ast_of(self, text: str, plain_file: str | None = None) -> Any:
        """``ast``, given the statement's ``text`` the caller has read already (not sliced from the
        file again to parse it). ``plain_file``: a file text that spells no alternative token
        (stmt_parser.spells_no_alternative_token): if it is this statement's, its text is sliced
        from it and is parsed without the search for one (not a declarator's text, which is not)."""
        if not self._parsed:
            plain = plain_file is not None and self.file_text is plain_file and self.__class__ is SimpleStmt
            self._ast = _statement_parser()(text, True, plain)
            self._parsed = True
        return self._ast

    def is_parsed(self) -> bool:
        """Whether ``ast`` holds the parse already (reading it then costs no slice of the text)."""
        return self._parsed

    def forget_ast(self) -> None:
        """Drop the cached AST (memory: its function is analysed); ``ast`` parses it again."""
        self._ast = None
        self._parsed = False


class DeclaratorStmt(SimpleStmt):
    """One declarator of a block-scope declaration of several (`T a, b;`), as the declaration by
    itself that C++ reads it as (declarator_lists.py): ``text`` is the declaration's with every
    other declarator blanked, as long as it, so the AST's offsets are the declaration's. Its span
    is the whole declaration's (each declarator's statement shares it): a scan of the file's text
    over the span sees every declarator's words, a superset of this one's."""

    __slots__ = ("piece",)
    piece: str
    _hidden: ClassVar[frozenset[str]] = frozenset({"packed_span", "file_text", "_ast", "_parsed"})
    _fields: ClassVar[tuple[str, ...]] = ("packed_span", "file_text", "_ast", "_parsed", "piece")

    def __init__(self, packed_span: int | Span, file_text: str = "", _ast: object = None, _parsed: bool = False,
                 piece: str = "") -> None:
        self.packed_span = _packed(packed_span)
        self.file_text = file_text
        self._ast = _ast
        self._parsed = _parsed
        self.piece = piece

    @property
    def text(self) -> str:
        return self.piece

    def starts_with(self, prefix: str) -> bool:
        return self.piece.startswith(prefix)

    def is_text(self, text: str) -> bool:
        return self.piece == text

    def spells(self, word: str) -> bool:
        return word in self.piece


def _statement_parser() -> Callable[[str, bool, bool], Any]:
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
        self.packed_span = _packed(packed_span)
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
        self.packed_span = _packed(packed_span)
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
        self.packed_span = _packed(packed_span)
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
        self.packed_span = _packed(packed_span)
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
        self.packed_span = _packed(packed_span)
        self.file_text = file_text
        self.is_default = is_default


class SwitchStmt(Stmt):
    """``switch (cond) { case ...: ... }``: the body is one statement list with case labels."""

    __slots__ = ("cond", "body")
    cond: str
    body: list[Stmt]
    _fields: ClassVar[tuple[str, ...]] = ("packed_span", "cond", "body")

    def __init__(self, packed_span: int | Span, cond: str = "", body: list[Stmt] | None = None) -> None:
        self.packed_span = _packed(packed_span)
        self.cond = cond
        self.body = [] if body is None else body

    def walk(self) -> Iterator[Stmt]:
        yield self
        for stmt in self.body:
            yield from stmt.walk()


class OpaqueKind(enum.Enum):
    """What an OpaqueStmt is, as data (its ``reason`` is only words): what the CFG and the
    parser's later steps test, never its reason's text."""
    CONSTRUCT = "construct"                # control flow or a construct the model does not read
    LABEL = "label"                        # a label
    GOTO = "goto"                          # a `goto` the parser does not read as a GotoStmt
    UNSTRUCTURED = "unstructured"          # a function body whose structure the parser cannot read
    # ... because of the file's `#if` groups or directives (StructureError.group): its extent may
    # still be the same in every reading of the groups (parser._mark_certain_extents).
    GROUP_STRUCTURE = "group-structure"


class OpaqueStmt(SourceSliceStmt):
    """Control flow or a construct the model does not understand (``switch``, ``while``...)."""

    __slots__ = ("reason", "kind")
    reason: str
    kind: OpaqueKind
    _fields: ClassVar[tuple[str, ...]] = ("packed_span", "file_text", "reason", "kind")

    def __init__(self, packed_span: int | Span, file_text: str = "", reason: str = "",
                 kind: OpaqueKind = OpaqueKind.CONSTRUCT) -> None:
        self.packed_span = _packed(packed_span)
        self.file_text = file_text
        self.reason = reason
        self.kind = kind


class MacroDefinition(Struct):
    """A `#define` or `#undef` line of the file, or a `-D`/`-U` of the compiler's command line
    (``span`` then ``COMMAND_LINE``), as the preprocessor reads it (splices joined, comments as
    spaces)."""

    __slots__ = ("name", "defines", "params", "replacement", "text", "span", "group")
    name: str
    defines: bool                  # a definition; False: an `#undef` (a `-U`)
    params: tuple[str, ...] | None  # a function-like macro's parameters ('...' for the variadic
                                   # ones); None for an object-like macro (and an #undef)
    replacement: tuple[str, ...]   # the replacement list's preprocessing tokens
    text: str                      # the directive's text after the name, stripped: the
                                   # parameter list, if any, and the replacement list
    span: Span                     # the directive's line(s)
    group: int                     # index in CppFile.conditional_groups of the innermost #if
                                   # group it sits in, -1 outside any
    _fields: ClassVar[tuple[str, ...]] = ("name", "defines", "params", "replacement", "text", "span", "group")

    def __init__(
            self,
            name: str,
            defines: bool,
            params: tuple[str, ...] | None,
            replacement: tuple[str, ...],
            text: str,
            span: Span,
            group: int = -1,
    ) -> None:
        self.name = name
        self.defines = defines
        self.params = params
        self.replacement = replacement
        self.text = text
        self.span = span
        self.group = group

    @property
    def function_like(self) -> bool:
        return self.params is not None

    @property
    def from_command_line(self) -> bool:
        return self.span.start < 0


COMMAND_LINE: Final = Span(-1, -1)     # the span of a macro the command line defines (-D) or undefines (-U)


class Pragma(Struct):
    """A pragma of the file: a `#pragma` line, or a `_Pragma(...)`/`__pragma(...)` operator in
    the code or in a `#define`'s replacement list (which pragma its uses run). ``tokens`` are the
    preprocessing tokens the pragma says (`push_macro ( "X" )`): a `#pragma`'s after the word
    `pragma`, a `_Pragma("...")`'s string destringized ([cpp.pragma.op]); None when that is not
    known (an operator whose argument is not one string literal, `_Pragma(#x)`, `__pragma(...)`)."""

    __slots__ = ("span", "tokens", "operator")
    span: Span                     # the directive's line(s), or the operator's word
    tokens: tuple[str, ...] | None
    operator: bool                 # `_Pragma`/`__pragma` (False: a `#pragma` line)
    _fields: ClassVar[tuple[str, ...]] = ("span", "tokens", "operator")

    def __init__(self, span: Span, tokens: tuple[str, ...] | None, operator: bool) -> None:
        self.span = span
        self.tokens = tokens
        self.operator = operator


class ConditionalGroup(Struct):
    """One group of an `#if` section: the directive that opens it (`#if`, `#ifdef`, `#ifndef`,
    `#elif`, `#elifdef`, `#elifndef`, `#else`), its condition, and the sections nested in it."""

    __slots__ = ("keyword", "condition", "span", "body", "index", "section", "sections")
    keyword: str                   # '#if', '#elif', '#else'... as the preprocessor reads it
    condition: str                 # the directive's text after the keyword, stripped ('' for #else)
    span: Span                     # the directive's line(s)
    body: Span                     # from the directive's end to the start of the next group's
                                   # directive or the section's #endif
    index: int                     # in CppFile.conditional_groups (file order)
    section: int                   # index of its section in CppFile.conditional_sections
    sections: list[int]            # the sections directly inside it (CppFile.conditional_sections)
    _fields: ClassVar[tuple[str, ...]] = ("keyword", "condition", "span", "body", "index", "section", "sections")

    def __init__(
            self,
            keyword: str,
            condition: str,
            span: Span,
            body: Span,
            index: int,
            section: int,
            sections: list[int] | None = None,
    ) -> None:
        self.keyword = keyword
        self.condition = condition
        self.span = span
        self.body = body
        self.index = index
        self.section = section
        self.sections = [] if sections is None else sections


class ConditionalSection(Struct):
    """An `#if` ... `#endif` section: its groups in order and the group it sits in."""

    __slots__ = ("span", "groups", "endif", "parent", "index")
    span: Span                     # from the opening directive's start to the #endif's end
    groups: list[int]              # its groups (CppFile.conditional_groups), in order
    endif: Span                    # the #endif line
    parent: int                    # the group it sits in, -1 at the top
    index: int                     # in CppFile.conditional_sections (file order of the openings)
    _fields: ClassVar[tuple[str, ...]] = ("span", "groups", "endif", "parent", "index")

    def __init__(self, span: Span, groups: list[int], endif: Span, parent: int, index: int) -> None:
        self.span = span
        self.groups = groups
        self.endif = endif
        self.parent = parent
        self.index = index


class ParamDecl(Struct):
    """One function parameter as the structural parser reads it: its exact span in the file, its
    text as a declaration reads it (each comment one space), its words, and its declarator
    (``declarator``: the statement grammar's ``Decl``, or ``None`` with ``unread`` saying why).

    The declarator is parsed on first use (start-up: the grammar is imported then); the typed
    properties below (``name``, ``type_words``, ``template_args``, ``pointer``, ``reference``,
    ``qualifiers``, ``default``) read it and are empty for an unread parameter."""

    __slots__ = ("span", "text", "words", "offsets", "_decl", "_parsed")
    span: Span                  # the parameter in the file, blanks and comments around it excluded
    text: str                   # its text, each comment one space
    words: tuple                # its identifiers, in order (comments excluded)
    offsets: tuple              # (offset in text, offset in the file) where a comment was folded
    _decl: object
    _parsed: bool
    _hidden: ClassVar[frozenset[str]] = frozenset({"offsets", "_decl", "_parsed"})
    _fields: ClassVar[tuple[str, ...]] = ("span", "text", "words", "offsets", "_decl", "_parsed")

    def __init__(
            self,
            span: Span,
            text: str,
            words: tuple = (),
            offsets: tuple = (),
            _decl: object = None,
            _parsed: bool = False,
    ) -> None:
        self.span = span
        self.text = text
        self.words = words
        self.offsets = offsets
        self._decl = _decl
        self._parsed = _parsed

    @property
    def declarator(self) -> Any:
        """The parameter as ``stmt_parser.Decl`` (name '' when unnamed), or None: see ``unread``."""
        if not self._parsed:
            self._decl = _parameter_parser()(self.text) if self.text and self.text != "..." else None
            self._parsed = True
        return self._decl

    @property
    def unread(self) -> str:
        """Why the parameter has no declarator ('' when it has one)."""
        if self.declarator is not None:
            return ""
        if not self.text:
            return "an empty parameter"
        if self.text == "...":
            return "a C variadic parameter"
        return "a declaration the statement grammar does not read"

    @property
    def name(self) -> str:
        decl = self.declarator
        return "" if decl is None else str(decl.name)

    @property
    def type_words(self) -> str:
        """The type's words without qualifiers and template arguments (`unsigned int`, `pto::Tile`)."""
        decl = self.declarator
        return "" if decl is None else str(decl.type.name)

    @property
    def template_args(self) -> tuple:
        """The type's template arguments as grammar nodes (types, numbers, names)."""
        decl = self.declarator
        return () if decl is None or decl.type.template is None else tuple(decl.type.template.args)

    @property
    def pointer(self) -> int:
        """How many `*` the type has."""
        decl = self.declarator
        return 0 if decl is None else int(decl.type.pointer)

    @property
    def reference(self) -> bool:
        decl = self.declarator
        return decl is not None and bool(decl.type.ref)

    @property
    def qualifiers(self) -> tuple:
        """`const`, `volatile`, address spaces such as `__gm__` and `__ubuf__`, in written order."""
        decl = self.declarator
        return () if decl is None else tuple(decl.type.quals)

    @property
    def default(self) -> Any:
        """The default argument's expression node, or None."""
        decl = self.declarator
        return None if decl is None else decl.init

    def file_offset(self, text_offset: int) -> int:
        """The file offset of ``text_offset`` in ``text`` (a grammar node's start or end)."""
        base_text, base_file = 0, self.span.start
        for at_text, at_file in self.offsets:
            if at_text > text_offset:
                break
            base_text, base_file = at_text, at_file
        return base_file + text_offset - base_text

    def name_span(self) -> Span | None:
        """The declared name in the file (None when unnamed or unread)."""
        decl = self.declarator
        if decl is None or not decl.name:
            return None
        at = self.text.rfind(decl.name, decl.type.end, decl.end if decl.init is None else decl.init.start)
        return None if at < 0 else Span(self.file_offset(at), self.file_offset(at) + len(decl.name))


def _parameter_parser() -> Callable[[str], Any]:
    """stmt_parser.parse_parameter, imported on first use (start-up; see _statement_parser)."""
    global _parse_parameter
    if _parse_parameter is None:
        from .stmt_parser import parse_parameter
        _parse_parameter = parse_parameter
    return _parse_parameter


_parse_parameter: Callable | None = None


# How the structural parser reads a file-scope declaration (GlobalDecl.form).
USING_NAMESPACE: Final = "using-namespace"     # `using namespace a::b;`
SCOPED_ENUM: Final = "scoped-enum"             # `enum class E [: int] { A, B = 2 };`: plain enumerators
BRACKETED: Final = "bracketed"                 # holds a brace, parenthesis or bracket: not read
STATEMENT: Final = "statement"                 # left to the statement grammar: an alias or a variable
STATIC_ASSERT: Final = "static-assert"         # `static_assert(expr, "msg");`: declares nothing
ALIAS_TEMPLATE: Final = "alias-template"       # `template <typename T, int N> using X = ...;`: declares X
# `template void f<float>(int);`, `extern template struct S<int>;`: names a template declared
# elsewhere and declares nothing ([temp.explicit]); a specialization (`template <>`) is none.
EXPLICIT_INSTANTIATION: Final = "explicit-instantiation"
# `using pto::BLayout;`: a using-declaration of one of pto's own names, which then names pto's
# entity at file scope too ([namespace.udecl]): what the model reads that spelling as anyway.
USING_PTO_NAME: Final = "using-pto-name"
# `struct TileWork { uint32_t offset, count; };`: a class of plain data members only (no function,
# initializer, base, nested declaration or friend), or a forward declaration (`struct W;`): it
# declares its name, a type, and runs no code.
PLAIN_STRUCT: Final = "plain-struct"
# The forms read exactly apart from the statement grammar: their kind is their form.
_OWN_KIND_FORMS: Final = frozenset([USING_NAMESPACE, SCOPED_ENUM, STATIC_ASSERT, ALIAS_TEMPLATE, EXPLICIT_INSTANTIATION,
                             USING_PTO_NAME, PLAIN_STRUCT])


class GlobalDecl(Struct):
    """A file-scope declaration other than a function definition, as the structural parser reads
    it: a using-directive, a scoped enumeration of plain enumerators, a type alias or variable the
    statement grammar reads (``declarator``; one with parentheses only in a copy-initializer, `constexpr
    unsigned B = N * sizeof(half);`), a static assertion, an alias template of plain template
    parameters, an explicit instantiation, or unread (``kind`` 'unread', ``reason`` says why).
    A declaration read otherwise than exactly is unread: it may declare any of its words. One
    that starts with an attribute-specifier-seq (`[[block_local]] static int32_t lane;`) is the
    declaration after it, the attributes kept in ``attributes``."""

    __slots__ = ("stmt", "text", "words", "form", "path", "attributes")
    stmt: SimpleStmt            # the declaration's statement (span, text, grammar AST), after its attributes
    text: str                   # its text, each comment one space
    words: tuple                # its identifiers, in order (comments excluded)
    form: str                   # USING_NAMESPACE, SCOPED_ENUM, BRACKETED, STATEMENT or an _OWN_KIND_FORMS
    path: tuple                 # a using-directive's namespace names; a scoped enumeration's or alias
                                # template's name
    attributes: str             # the attribute-specifier-seq before it, blanks collapsed ('' if none)
    _fields: ClassVar[tuple[str, ...]] = ("stmt", "text", "words", "form", "path", "attributes")

    def __init__(self, stmt: SimpleStmt, text: str, words: tuple = (), form: str = STATEMENT,
                 path: tuple = (), attributes: str = "") -> None:
        self.stmt = stmt
        self.text = text
        self.words = words
        self.form = form
        self.path = path
        self.attributes = attributes

    @property
    def span(self) -> Span:
        return self.stmt.span

    @property
    def declarator(self) -> Any:
        """The grammar's ``TypeAlias`` or ``Decl`` of an alias or variable (None otherwise)."""
        if self.form != STATEMENT:
            return None
        ast = self.stmt.ast
        if not isinstance(ast, _declaration_classes()):
            return None
        if "(" in self.text:
            # Parentheses only inside a copy-initializer (`= N * sizeof(half)`): one declarator,
            # no prototype, no direct-initializer, no parenthesized declarator (`int (x) = 1;`).
            equals = self.text.find("=")
            if not isinstance(ast, _declaration_classes()[0]) or getattr(ast, "init", None) is None \
                    or getattr(ast, "ctor_args", None) is not None or getattr(ast, "array", True) \
                    or equals < 0 or self.text.find("(") < equals:
                return None
        return ast

    @property
    def kind(self) -> str:
        """'using-namespace', 'scoped-enum', 'static-assert', 'alias-template',
        'explicit-instantiation', 'using-pto-name', 'plain-struct', 'alias', 'variable' or 'unread'."""
        if self.form in _OWN_KIND_FORMS:
            return self.form
        decl = self.declarator
        if decl is None:
            return "unread"
        return "variable" if isinstance(decl, _declaration_classes()[0]) else "alias"

    @property
    def name(self) -> str:
        """The name declared (an alias's, a variable's, an enumeration's), a using-directive's
        namespace as written without blanks (`a::b`), '' when unread."""
        if self.form in _OWN_KIND_FORMS:
            return "::".join(self.path)
        decl = self.declarator
        return "" if decl is None else str(decl.name)

    @property
    def reason(self) -> str:
        """Why the declaration is unread ('' when read)."""
        if self.form == BRACKETED:
            return "a brace, parenthesis or bracket (a class, an initializer, a prototype, an attribute)"
        if self.form == STATEMENT and self.declarator is None:
            if "(" in self.text:
                return ("parentheses outside one declarator's copy-initializer (a prototype, a direct-initializer, "
                        "a parenthesized declarator, a second declarator)")
            return "a declaration the statement grammar does not read as an alias or a variable"
        return ""


def _declaration_classes() -> tuple[type, type]:
    """(stmt_parser.Decl, stmt_parser.TypeAlias), imported on first use (start-up)."""
    global _declarations
    if _declarations is None:
        from .stmt_parser import Decl, TypeAlias
        _declarations = (Decl, TypeAlias)
    return _declarations


_declarations: tuple[type, type] | None = None


class FunctionHead(Struct):
    """A function definition's declaration (the text before its body's '{') as the structural
    parser reads it: its words, the declaration before the name, the template heads split into
    parameters when they are plain ones, the qualifier of a member's name and the trailing return
    type."""

    __slots__ = ("text", "words", "before_name", "template_params", "after_templates", "owner", "trailing_return",
                 "before_name_words", "return_words")
    text: str                   # the head, each comment one space
    words: tuple                # its identifiers, in order (comments excluded)
    before_name: str            # the declaration before the name: template heads, specifiers, the
                                # return type, a qualifier (comments and literals' insides blank)
    template_params: tuple | None   # the words of each template parameter, head after head ((): no
                                # template); None when the heads are not plain `type name` parameters
    after_templates: str        # before_name past the template heads ('' when they are not read)
    owner: str                  # the scope qualifying the name (`K` of `void K::run()`), '' if none
    trailing_return: str        # the type after `->` following the parameters, blanks trimmed ('' if none)
    before_name_words: tuple    # the identifiers of before_name
    return_words: tuple         # the identifiers of after_templates: specifiers, the return type, a qualifier
    _fields: ClassVar[tuple[str, ...]] = ("text", "words", "before_name", "template_params", "after_templates",
                                          "owner", "trailing_return", "before_name_words", "return_words")

    def __init__(
            self,
            text: str,
            words: tuple = (),
            before_name: str = "",
            template_params: tuple | None = (),
            after_templates: str = "",
            owner: str = "",
            trailing_return: str = "",
            before_name_words: tuple = (),
            return_words: tuple = (),
    ) -> None:
        self.text = text
        self.words = words
        self.before_name = before_name
        self.template_params = template_params
        self.after_templates = after_templates
        self.owner = owner
        self.trailing_return = trailing_return
        self.before_name_words = before_name_words
        self.return_words = return_words


class LabelStmt(OpaqueStmt):
    """``name:``, the target of a ``goto``. An OpaqueStmt to every reader that does not model
    jumps (it stays "not modelled" there); the barrier proof's control-flow graph reads it."""

    __slots__ = ("name",)
    name: str
    _fields: ClassVar[tuple[str, ...]] = ("packed_span", "file_text", "reason", "kind", "name")

    def __init__(self, packed_span: int | Span, file_text: str = "", reason: str = "",
                 kind: OpaqueKind = OpaqueKind.LABEL, name: str = "") -> None:
        self.packed_span = _packed(packed_span)
        self.file_text = file_text
        self.reason = reason
        self.kind = kind
        self.name = name


class GotoStmt(OpaqueStmt):
    """``goto name;`` (a computed ``goto *p;`` is a plain OpaqueStmt). Opaque to every reader that
    does not model jumps, as LabelStmt."""

    __slots__ = ("label",)
    label: str
    _fields: ClassVar[tuple[str, ...]] = ("packed_span", "file_text", "reason", "kind", "label")

    def __init__(self, packed_span: int | Span, file_text: str = "", reason: str = "",
                 kind: OpaqueKind = OpaqueKind.GOTO, label: str = "") -> None:
        self.packed_span = _packed(packed_span)
        self.file_text = file_text
        self.reason = reason
        self.kind = kind
        self.label = label


class Function(Struct):
    __slots__ = ("name", "span", "body", "is_entry", "qualified", "conditional", "static",
                 "namespace", "params_at", "parameters", "declaration")
    name: str
    span: Span                   # whole definition
    body: Stmt                   # Compound, or OpaqueStmt if the body could not be structured
    is_entry: bool       # __global__ / extern "C" kernel entry
    qualified: str          # defined as `Owner::name`: the declaration up to the name, spaces
                                 # removed ('' for an unqualified name): a member or namespace-qualified function
    conditional: bool    # defined inside a file-scope #if section (or with a directive in its head)
    static: bool         # declared `static` (a word of the declaration, not of a comment or string)
    namespace: tuple        # the named namespaces unqualified lookup searches it in, outermost
                                 # first (not extern "C" blocks, anonymous or inline namespaces)
    params_at: int          # offset from the definition's start of the parameter list's '(' (the
                                 # name ends before it)
    parameters: tuple       # ParamDecl of each parameter, in order (`f(void)` has none)
    declaration: FunctionHead   # the head, read (template heads, owner, trailing return type...)
    _fields: ClassVar[tuple[str, ...]] = ("name", "span", "body", "is_entry", "qualified",
                                          "conditional", "static", "namespace", "params_at", "parameters",
                                          "declaration")

    def __init__(
            self,
            name: str,
            span: Span,
            body: Stmt,
            is_entry: bool = False,
            qualified: str = "",
            conditional: bool = False,
            static: bool = False,
            namespace: tuple = (),
            params_at: int = -1,
            parameters: tuple = (),
            declaration: FunctionHead | None = None,
    ) -> None:
        self.name = name
        self.span = span
        self.body = body
        self.is_entry = is_entry
        self.qualified = qualified
        self.conditional = conditional
        self.static = static
        self.namespace = namespace
        self.params_at = params_at
        self.parameters = parameters
        self.declaration = FunctionHead("") if declaration is None else declaration

    def statements(self) -> Iterator[Stmt]:
        yield from self.body.walk()


class WordIndex:
    """The words of one text, read from its tokens (word_index.read_word_index) with the names of
    the file's functions (``names``): ``words`` (its distinct words, line splices not joined, as
    bytes; ASCII text only, else None), ``code`` and ``comments`` (how often each of ``names``
    occurs as an identifier, as UTF-8 bytes, splices joined, outside comments (strings and
    directives' code included) and in comments; None when the tokens cannot tell,
    ``counts_known`` False); where the comments, literals and directives that hold either lie
    (``lexeme_kinds``: 'c', 's' or 'p' each, None when the tokens cannot tell;
    ``lexeme_starts``, ``lexeme_ends``: their tokens' offsets), from which word_index rebuilds the
    text the code alone makes; and ``mentions``: by the span of each function, which of ``names``
    its text holds as identifiers (``identifiers_among(text, names, span.start, span.end)``, read
    in the same scan of the words: barrier_sites.local_mentions)."""

    __slots__ = ("words", "code", "comments", "lexeme_kinds", "lexeme_starts", "lexeme_ends", "names", "mentions")

    def __init__(self, words: set[bytes] | None, code: dict[bytes, int] | None, comments: dict[bytes, int] | None,
                 lexeme_kinds: str | None = None, lexeme_starts: array | None = None,
                 lexeme_ends: array | None = None):
        self.words = words
        self.code = code
        self.comments = comments
        self.lexeme_kinds = lexeme_kinds
        self.lexeme_starts: array = array("q") if lexeme_starts is None else lexeme_starts
        self.lexeme_ends: array = array("q") if lexeme_ends is None else lexeme_ends
        self.names: frozenset[str] = frozenset()
        self.mentions: dict[Span, tuple[str, ...]] = {}

    def counts_known(self, names: set[str] | frozenset[str]) -> bool:
        """Whether the index counted each of ``names``."""
        return self.code is not None and self.comments is not None and names <= self.names

    def name_count(self, name: str) -> int | None:
        """How often ``name`` occurs as an identifier, splices joined, comments and strings
        included; None when the index did not count it."""
        if self.code is None or self.comments is None or name not in self.names:
            return None
        key = name.encode("utf-8")
        return self.code.get(key, 0) + self.comments.get(key, 0)

    def code_name_count(self, name: str) -> int | None:
        """name_count outside comments (strings kept); None when the index did not count it."""
        if self.code is None or name not in self.names:
            return None
        return self.code.get(name.encode("utf-8"), 0)

    def mentions_of(self, names: set[str] | frozenset[str]) -> dict[Span, tuple[str, ...]]:
        """By the span of each function the index read, which of ``names`` its text holds as
        identifiers (empty unless ``names`` are the names of the functions the index read)."""
        return self.mentions if names == self.names else {}


class CppFile(Struct):
    __slots__ = ("source", "functions", "globals", "macros", "namespaces", "empty_macros", "includes",
                 "partial_globals", "declared_names", "declaring_macros", "defines", "structure_in_parentheses",
                 "macro_bodies", "pto_code_macros", "macro_table", "conditional_sections", "conditional_groups",
                 "pragmas", "environment", "reads", "word_index")
    source: SourceText
    functions: list[Function]
    globals: list                # file-scope declarations (GlobalDecl), e.g. `using T = ...;`
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
                                               # #define body names (ops.pto_code_macro_names)
    macro_table: tuple[MacroDefinition, ...]   # every #define and #undef, in file order
    conditional_sections: tuple[ConditionalSection, ...]   # every #if section, in file order
    conditional_groups: tuple[ConditionalGroup, ...]       # every group of them, in file order
    pragmas: tuple[Pragma, ...]            # every #pragma line and pragma operator, in file order
    # The compiler's command line the file was read with (-I, -D/-U, ...): every analysis of the
    # model reads it from here.
    environment: CompileEnvironment
    # Not a field: the record of the job that read this file (side_files.ReadRecord), where the
    # analysis notes the files it reads besides the kernel (headers, the checkout's files) so that
    # no output of the run replaces one; None: not noted (a library caller). Per job, so not on
    # the environment, which is the same for every file of a run.
    reads: ReadRecord | None
    # Not a field: the words of the file, read from the parser's tokens (word_index.py; None: a
    # model built otherwise, whose text is scanned for them).
    word_index: WordIndex | None
    _fields: ClassVar[tuple[str, ...]] = ("source", "functions", "globals", "macros", "namespaces", "empty_macros",
                                          "includes", "partial_globals", "declared_names", "declaring_macros",
                                          "defines", "structure_in_parentheses", "macro_bodies", "pto_code_macros",
                                          "macro_table", "conditional_sections", "conditional_groups", "pragmas",
                                          "environment")
    _hidden: ClassVar[frozenset[str]] = frozenset({"environment"})

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
            macro_table: tuple[MacroDefinition, ...] = (),
            conditional_sections: tuple[ConditionalSection, ...] = (),
            conditional_groups: tuple[ConditionalGroup, ...] = (),
            pragmas: tuple[Pragma, ...] = (),
            environment: CompileEnvironment = NO_COMMAND_LINE,
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
        self.macro_table = macro_table
        self.conditional_sections = conditional_sections
        self.conditional_groups = conditional_groups
        self.pragmas = pragmas
        self.environment = environment
        self.reads = None
        self.word_index = None

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
