"""Span-exact model of a PTO IR (MLIR text) module.

Every node keeps the :class:`~ptofix.source.Span` it came from, so a pass can replace exactly one
op, one attribute or one value and leave every other byte alone. The model never prints itself:
unedited output *is* the input text.

* :class:`Operation` - one op statement, generic (``"pto.x"(...)``) or custom (``pto.x ...``).
  ``span`` covers the whole statement including nested regions; a trailing ``// comment`` on its
  last line is not part of it.
* Generic ops are parsed exactly: ``operands``, ``successors``, ``properties`` (``<{...}>``),
  ``attributes`` (``{...}``), ``regions``, ``operand_types``/``result_types``, ``loc``.
* Custom ops have ``name``, ``results`` and ``operands`` (every ``%value`` use in the op's own
  text). The pipe/FIFO ops (``opspecs.PIPE_OPS``) are parsed fully: ``keyword_attrs`` is the first
  ``{kw = v, ...}`` clause, ``operand_clauses`` the ``(kw = %x : T, ...)`` / ``(%a, %b : T, T)``
  clause, ``attributes`` a trailing attr-dict, ``result_type`` the ``-> T`` clause.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .. import regex_cache
from ..source import PtofixError, SourceText, Span


@dataclass
class Value:
    """An SSA value use or definition (``%x``, ``%x#1``); ``count`` is the ``:N`` of ``%x:N = ``."""

    name: str
    span: Span
    count: int = 1


@dataclass
class Attr:
    """One attribute-dictionary entry ``name = value [: type]`` (or a unit attribute ``name``)."""

    name: str
    span: Span                 # whole entry
    name_span: Span
    value_span: Span | None    # value without the ``: type`` suffix (None for unit attrs)
    value_text: str            # raw text of the value ("" for unit attrs)
    type_text: str | None      # ``i64`` in ``1 : i64``; None when absent
    kind: str                  # int | float | bool | string | array | list | unit | symbol | dict | other
    value: Any = None          # int, float, bool, str (unquoted), list[int] (for array<iN: ...>), symbol name

    @property
    def int_width(self) -> int | None:
        """Bit width of an integer attribute's written type (``i8`` -> 8), None if untyped."""
        if self.type_text and re.fullmatch(r"[su]?i[0-9]{1,9}", self.type_text):
            return int(re.sub(r"\D", "", self.type_text))
        return None

    @property
    def array_elem_type(self) -> str | None:
        match = re.match(r"array<(\w+)", self.value_text)
        return match.group(1) if self.kind == "array" and match else None


@dataclass
class AttrDict:
    span: Span                 # including the braces (``{...}`` or ``<{...}>``)
    is_properties: bool
    attrs: list[Attr] = field(default_factory=list)

    def get(self, name: str) -> Attr | None:
        for attr in self.attrs:
            if attr.name == name:
                return attr
        return None

    def names(self) -> list[str]:
        return [a.name for a in self.attrs]


@dataclass
class OperandClause:
    """``kw = %x : T`` (keyword set) or ``%x [: T]`` inside a custom op's parenthesised clause."""

    keyword: str | None
    value: Value
    type_text: str | None
    span: Span


@dataclass
class Region:
    span: Span                 # from ``{`` to ``}`` inclusive
    ops: list[Operation] = field(default_factory=list)


@dataclass
class Operation:
    name: str
    span: Span
    form: str                  # "generic" | "custom"
    name_span: Span
    results: list[Value] = field(default_factory=list)
    operands: list[Value] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    parent: Operation | None = None
    # generic form
    successors: list[str] = field(default_factory=list)
    properties: AttrDict | None = None
    attributes: AttrDict | None = None      # generic `{}` dict, or a custom op's trailing attr-dict
    operand_types: list[str] | None = None
    result_types: list[str] | None = None
    type_span: Span | None = None           # generic ``: (..) -> ..`` function type
    loc_span: Span | None = None
    # fully parsed custom form (pipe/FIFO ops)
    keyword_attrs: AttrDict | None = None
    operand_clauses: list[OperandClause] = field(default_factory=list)
    operand_clause_span: Span | None = None
    result_type: str | None = None
    calls: dict[str, list[Value]] = field(default_factory=dict)   # e.g. aiv_subblockid(%x)
    parsed_custom: bool = False
    # func.func / module helpers
    symbol: str | None = None
    header_text: str = ""                   # op text before its first region

    @property
    def is_generic(self) -> bool:
        return self.form == "generic"

    def attr(self, name: str) -> Attr | None:
        """Look an attribute up in the keyword clause, the properties, then the attr dict."""
        for d in (self.keyword_attrs, self.properties, self.attributes):
            if d is not None:
                found = d.get(name)
                if found is not None:
                    return found
        return None

    def all_attrs(self) -> list[Attr]:
        out: list[Attr] = []
        for d in (self.keyword_attrs, self.properties, self.attributes):
            if d is not None:
                out.extend(d.attrs)
        return out

    def int_attr(self, name: str) -> int | None:
        a = self.attr(name)
        if a is None:
            return None
        if a.kind == "int":
            return a.value
        if a.kind == "bool":
            return int(a.value)
        return None

    def operand_segments(self) -> list[int] | None:
        a = self.attr("operandSegmentSizes")
        return list(a.value) if a is not None and a.kind == "array" else None

    def walk(self) -> Iterator[Operation]:
        yield self
        for region in self.regions:
            for op in region.ops:
                yield from op.walk()

    def ancestors(self) -> Iterator[Operation]:
        p = self.parent
        while p is not None:
            yield p
            p = p.parent

    def enclosing_func(self) -> Operation | None:
        for p in self.ancestors():
            if p.name == "func.func":
                return p
        return None


@dataclass
class Module:
    source: SourceText
    ops: list[Operation]       # top-level statements (usually one `module`)
    aliases: list[Span] = field(default_factory=list)   # `#x = ...` / `!x = ...` definitions

    def walk(self) -> Iterator[Operation]:
        for op in self.ops:
            yield from op.walk()

    def funcs(self) -> list[Operation]:
        return [op for op in self.walk() if op.name == "func.func"]

    def type_aliases(self) -> dict[str, str]:
        """``!name`` -> the type it names, for every top-level type alias definition
        (`!tv = !pto.tensor_view<16x16xf32>`); ``#name`` -> the text of an attribute alias
        (`#dm = 1 : i8`), which canonicalize refuses to read. An alias may use only the aliases
        defined before it, and only once (as MLIR's parser reads them): a forward or cyclic one, or
        a redefinition, is an error at its definition."""
        resolved: dict[str, str] = {}
        names = set()
        for span in self.aliases:
            name, eq, value = self.source.text[span.start:span.end].partition("=")
            if eq:
                names.add(name.strip())
        for span in self.aliases:
            name, eq, value = self.source.text[span.start:span.end].partition("=")
            name, value = name.strip(), value.strip()
            if not eq or name[:1] not in "!#":
                continue
            if name in resolved:
                raise PtofixError(f"redefinition of the alias '{name}'", self.source, span.start)
            if value in names and value not in resolved:
                raise PtofixError(f"the alias '{name}' uses '{value}', which is defined after it (or is itself)",
                                  self.source, span.start)
            resolved[name] = resolved.get(value, value) if name.startswith("!") else value
        return resolved

    def text(self, span: Span) -> str:
        return self.source.text[span.start:span.end]

    def declared_target_arch(self) -> str | None:
        """``pto.target_arch`` of the module as written (docs/reference/pto-ir.md §4), or None. An
        attribute alias (`#arch = "a5"` ... `pto.target_arch = #arch`) is the string it names."""
        for op in self.ops:
            if op.name in ("module", "builtin.module"):
                arch = declared_arch(op, self.source)
                if arch:
                    return arch
        return None

    def target_arch(self) -> str:
        """The arch ptoas (v0.45 tools/ptoas/driver.cpp, with no --pto-arch) compiles the module
        for: its ``pto.target_arch`` if that names a supported arch, else the first
        ``pto.target_arch = "..."`` anywhere in the text (ptoas's textual scan, comments included),
        lower-cased; a3 when neither names a3 or a5."""
        return compiled_arch(self.declared_target_arch(), self.source.text)


# ptoas's textual arch scan (driver.cpp detectPTOASTextualModuleArch).
_TEXTUAL_ARCH = regex_cache.compile(r'"?pto\.target_arch"?\s*=\s*"(\w+)"')


def ptoas_arch(value: str | None) -> str:
    """The arch ptoas takes a ``pto.target_arch`` value or ``--pto-arch`` flag for: lower-cased
    (normalizePTOASArch), a3 when absent or neither a3 nor a5 (`"a2a3"` is a3)."""
    normalized = (value or "a3").lower()
    return normalized if normalized in ("a3", "a5") else "a3"


def compiled_arch(declared: str | None, text: str) -> str:
    """The arch ptoas compiles a module for, given its ``pto.target_arch`` as written (``declared``)
    and the file's text: the declared one if it names a3 or a5, else ptoas's textual scan's."""
    if declared is not None and declared.lower() in ("a3", "a5"):
        return declared.lower()
    return _textual_arch(text)


@functools.lru_cache(maxsize=8)
def _textual_arch(text: str) -> str:
    # (Remembered: the printer asks once per op that reads the arch, and the scan reads the file.)
    scanned = _TEXTUAL_ARCH.search(text)
    return ptoas_arch(scanned.group(1) if scanned else None)


def declared_arch(module: Operation, source) -> str | None:
    """module_arch, where an attribute alias (`#arch = "a5"` ... `pto.target_arch = #arch`) is
    the string its top-level definition names; an alias naming no string is an error."""
    arch = module_arch(module)
    alias = re.search(r'"?pto\.target_arch"?\s*=\s*(#[\w.$-]+)', module.header_text) if arch is None else None
    if alias is None:
        return arch
    named = re.search(rf'^{re.escape(alias.group(1))}\s*=\s*"(\w+)"\s*$', source.text, re.M)
    if named is None:
        raise PtofixError(f"pto.target_arch is the alias {alias.group(1)}, which names no arch string ptofix reads",
                          source, module.span.start)
    return named.group(1)


def module_arch(module: Operation) -> str | None:
    """``pto.target_arch`` of a module op: in its ``attributes {...}`` header (custom form) or in the
    attribute dictionary after its region (generic form, `"builtin.module"() ({...}) {...}`)."""
    found = module.attr("pto.target_arch")
    if found is not None and found.kind == "string":
        return str(found.value)
    m = re.search(r'"?pto\.target_arch"?\s*=\s*"(\w+)"', module.header_text)
    return m.group(1) if m else None


_GAP_OK = regex_cache.compile(r'(?:\s+|//[^\n]*|\^[^\n]*:[ \t]*(?://[^\n]*)?)*')


def check_spans(module: Module) -> list[str]:
    """Structural self-check: ops are ordered and nested inside their regions, and the text
    between them is only whitespace, comments and block labels. Returns problems (empty = ok)."""
    text = module.source.text
    problems: list[str] = []

    def gaps(ops: list[Operation], start: int, end: int, where: str) -> None:
        cursor = start
        for op in ops:
            if op.span.start < cursor or op.span.end > end:
                problems.append(f"{where}: op {op.name} at {op.span} outside/overlapping [{cursor}, {end})")
                continue
            gap = text[cursor:op.span.start]
            if not _GAP_OK.fullmatch(gap):
                problems.append(f"{where}: unexpected text {gap[:40]!r} before {op.name} at {op.span.start}")
            for region in op.regions:
                if region.span.start < op.span.start or region.span.end > op.span.end:
                    problems.append(f"region of {op.name} outside its op")
                gaps(region.ops, region.span.start + 1, region.span.end - 1, op.name)
            cursor = op.span.end
        tail = text[cursor:end]
        if not _GAP_OK.fullmatch(tail):
            problems.append(f"{where}: unexpected trailing text {tail[:40]!r} at {cursor}")

    top_end = len(text)
    alias_free = module.ops
    # aliases (`#loc = ...`) are top-level statements outside the op tree
    if module.aliases:
        pieces = sorted(module.aliases + [op.span for op in alias_free])
        cursor = 0
        for sp in pieces:
            if not _GAP_OK.fullmatch(text[cursor:sp.start]):
                problems.append(f"top level: unexpected text {text[cursor:sp.start][:40]!r}")
            cursor = sp.end
        for op in alias_free:
            for region in op.regions:
                gaps(region.ops, region.span.start + 1, region.span.end - 1, op.name)
        return problems
    gaps(module.ops, 0, top_end, "top level")
    return problems


_MLIR_ESCAPE = re.compile(r'\\(?:([\\"])|(n)|(t)|([0-9a-fA-F]{2}))')


def mlir_string(text: str) -> str | None:
    r"""The value of an MLIR string literal (quotes included in ``text``), as MLIR's lexer reads it:
    `\`, `"`, `
`, `	` and `\XX` (two hex digits, one byte, the bytes taken as UTF-8);
    None for a backslash it does not read."""
    body = text[1:-1]
    if "\\" not in body:
        return body
    out = bytearray()
    i = 0
    while i < len(body):
        if body[i] != "\\":
            out += body[i].encode("utf-8")
            i += 1
            continue
        match = _MLIR_ESCAPE.match(body, i)
        if match is None:
            return None
        quoted, newline, tab, hexa = match.groups()
        out += (quoted or ("\n" if newline else "\t" if tab else "")).encode("utf-8") if not hexa \
            else bytes([int(hexa, 16)])
        i = match.end()
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        return None
