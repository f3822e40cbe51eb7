"""The preprocessor's part of the C++ model: the `#define`/`#undef` table and the `#if` tree
(built from the directive lines the tokenizer finds, parser.py), and the one evaluator of `#if`
conditions, used by the proof (``parser.without_decided_groups``: the groups the compiler's
command line decides) and by the simulator (which group of each section runs).

The rules are the standard's [cpp.cond]: in a condition, `defined NAME` and `defined ( NAME )`
are 1 or 0; object-like macros are replaced by their replacement lists (rescanned, a macro not
expanded again inside its own expansion); any identifier left, but `true` and `false`, is 0
(one a replacement list yields only when it is known to be no macro);
the arithmetic is that of `intmax_t`/`uintmax_t` (64 bits: a signed literal or value is
`int64`, an unsigned one `uint64`), with the integer rules of ``integers.py``. What this module
cannot decide is ``None``: a name whose state is not known, a function-like macro, a character
literal, a division by zero, a condition it cannot parse, nesting past ``MAX_NESTING``, and
`__has_include` (with its kin) unless ``with_header_queries`` answered it first: a header the
compiler certainly finds is 1, anything else about it is unknown.
"""
from __future__ import annotations

from .. import regex_cache
from ..source import Span
from ..structs import Struct
from . import integers
from .model import COMMAND_LINE, ConditionalGroup, ConditionalSection, MacroDefinition

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import ClassVar, Final

MAX_NESTING: Final = 200           # operator nesting and macro-expansion depth of one condition
MAX_EXPANDED_TOKENS: Final = 4096  # a condition whose expansion grows past this is not evaluated
# The tokens the `#if` conditions of one reading of a file (group_outcomes) may expand to in all:
# past it, the conditions left are not evaluated (unknown). Without it, macros that double at each
# step tested in many `#if`s cost MAX_EXPANDED_TOKENS each, once per `#if`.
MAX_FILE_EXPANDED_TOKENS: Final = 1 << 20
MAX_MEMO_TOKENS: Final = 1 << 20   # tokens the memo of macro expansions holds (past it: expanded in place)

# Preprocessing tokens of a directive's text (comments already spaces, splices joined):
# identifiers, pp-numbers, character and string literals, the punctuators (longest first).
_PP_TOKEN: Final = regex_cache.compile(r"""[A-Za-z_$][\w$]*|\.?\d(?:[eEpP][+-]|[\w.'])*"""
                                r"""|'(?:\\.|[^'\\\n])*'?|"(?:\\.|[^"\\\n])*"?"""
                                r"""|%:%:|\.\.\.|<<=|>>=|->\*|##|::|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^!=<>]="""
                                r"""|\S""")
_MACRO_LINE: Final = regex_cache.compile(r"#\s*(define|undef)\s+([A-Za-z_]\w*)")
_DIRECTIVE_KEYWORD: Final = regex_cache.compile(r"\s*#\s*(\w*)")
_IDENTIFIER: Final = regex_cache.compile(r"[A-Za-z_$][\w$]*")
_OPENING: Final = frozenset(["#if", "#ifdef", "#ifndef"])
_CONTINUING: Final = frozenset(["#elif", "#elifdef", "#elifndef", "#else"])


def pp_tokens(text: str) -> list[str]:
    return _PP_TOKEN.findall(text)


def read_macro_directive(text: str, span: Span, group: int = -1) -> MacroDefinition | None:
    """The `#define`/`#undef` of a directive's text as the preprocessor reads it (parser's
    directive_text), None for another directive. A function-like macro's `(` follows its name
    with no space between; its parameters are read up to the `)`."""
    # (The pattern needs `define` or `undef` in the text: other directives need no match.)
    match = _MACRO_LINE.match(text) if "define" in text or "undef" in text else None
    if match is None:
        return None
    name, rest = match.group(2), text[match.end():]
    if match.group(1) == "undef":
        return MacroDefinition(name, False, None, (), rest.strip(), span, group)
    params: tuple[str, ...] | None = None
    if rest.startswith("("):
        close = rest.find(")")
        inside = rest[1:close] if close >= 0 else rest[1:]
        params = tuple(part.strip() for part in inside.split(",")) if inside.strip() else ()
        replacement = rest[close + 1:] if close >= 0 else ""
    else:
        replacement = rest
    return MacroDefinition(name, True, params, tuple(pp_tokens(replacement)), rest.strip(), span, group)


def command_line_definition(flag: str) -> MacroDefinition:
    """A `-DNAME[=VALUE]` or `-UNAME` flag as a definition: the compiler reads `-DNAME=VALUE` as
    `#define NAME VALUE`, `-DNAME` as `#define NAME 1`, `-D'f(x)=x'` as `#define f(x) x`."""
    text = flag[2:]
    if flag.startswith("-U"):
        return MacroDefinition(text, False, None, (), "", COMMAND_LINE)
    head, eq, body = text.partition("=")
    definition = read_macro_directive(f"#define {head} {body if eq else '1'}", COMMAND_LINE)
    if definition is None:
        raise ValueError(f"not a macro flag: {flag}")
    return definition


def directive_keyword(text: str) -> str:
    match = _DIRECTIVE_KEYWORD.match(text)
    return "#" + (match.group(1) if match else "")


def misplaced_conditional(directives: list[tuple[str, int, int]]) -> tuple[str, int] | None:
    """The first conditional directive of a file's directives (each its text, start, end, in file
    order) that the compiler rejects, as (GCC's message, its offset): an `#elif`, `#else` or
    `#endif` outside any section, an `#elif` or `#else` after its section's `#else`
    ([cpp.cond]: an `#else` group is the last), or a section still open at the end of the file
    (`unterminated #if`, at the innermost such `#if`); None when every section is well formed.
    Skipped groups count too: their directives nest as the compiler tracks them."""
    open_sections: list[tuple[str, int, bool]] = []     # (opening keyword, its offset, #else seen)
    for directive, start, _ in directives:
        keyword = directive_keyword(directive)
        if keyword in _OPENING:
            open_sections.append((keyword, start, False))
        elif keyword in _CONTINUING or keyword == "#endif":
            if not open_sections:
                return f"{keyword} without #if", start
            opening, at, after_else = open_sections[-1]
            if keyword == "#endif":
                open_sections.pop()
            elif after_else:
                return f"{keyword} after #else", start
            elif keyword == "#else":
                open_sections[-1] = (opening, at, True)
    if open_sections:
        opening, at, _ = open_sections[-1]
        return f"unterminated {opening}", at
    return None


def build_tables(directives: list[tuple[str, int, int]], text_end: int) -> tuple[
        tuple[MacroDefinition, ...], tuple[ConditionalSection, ...], tuple[ConditionalGroup, ...]]:
    """The macro table and the `#if` tree of a file's directives, each (its text as the
    preprocessor reads it, its start, its end), in file order. An `#elif`, `#else` or `#endif`
    outside any section is left out (the compiler rejects it); a section open at the end of the
    file ends there, with an empty #endif span."""
    table: list[MacroDefinition] = []
    sections: list[ConditionalSection] = []
    groups: list[ConditionalGroup] = []
    open_sections: list[int] = []
    for directive, start, end in directives:
        keyword = directive_keyword(directive)
        current = groups[sections[open_sections[-1]].groups[-1]].index if open_sections else -1
        if keyword in _OPENING or (keyword in _CONTINUING and open_sections):
            if keyword in _OPENING:
                section = ConditionalSection(Span(start, start), [], Span(start, start), current, len(sections))
                sections.append(section)
                if current >= 0:
                    groups[current].sections.append(section.index)
                open_sections.append(section.index)
            else:
                section = sections[open_sections[-1]]
                _close_group(groups[section.groups[-1]], start)
            condition = directive[directive.find(keyword[1:]) + len(keyword) - 1:].strip()
            group = ConditionalGroup(keyword, condition, Span(start, end), Span(end, end), len(groups),
                                     section.index)
            groups.append(group)
            section.groups.append(group.index)
        elif keyword == "#endif" and open_sections:
            section = sections[open_sections.pop()]
            _close_group(groups[section.groups[-1]], start)
            section.span = Span(section.span.start, end)
            section.endif = Span(start, end)
        else:
            definition = read_macro_directive(directive.lstrip(), Span(start, end), current)
            if definition is not None:
                table.append(definition)
    while open_sections:
        section = sections[open_sections.pop()]
        _close_group(groups[section.groups[-1]], text_end)
        section.span = Span(section.span.start, text_end)
        section.endif = Span(text_end, text_end)
    return tuple(table), tuple(sections), tuple(groups)


def _close_group(group: ConditionalGroup, at: int) -> None:
    group.body = Span(group.span.end, at)


# -- evaluation -------------------------------------------------------------------------------
class MacroState(Struct):
    """What is known of each macro at one point: ``known[name]`` its definition, or None (or an
    `#undef`) when it is known to be undefined; a name in ``unknown`` may be either; any other name is undefined
    when ``closed`` (the simulator's reading: it knows the whole program) and unknown otherwise
    (the proof's)."""

    __slots__ = ("known", "closed", "unknown", "memo")
    known: dict[str, MacroDefinition | None]
    closed: bool
    unknown: set[str]
    memo: ExpansionMemo | None
    _fields: ClassVar[tuple[str, ...]] = ("known", "closed", "unknown", "memo")

    def __init__(self, known: dict[str, MacroDefinition | None], closed: bool, unknown: set[str] | None = None,
                 memo: ExpansionMemo | None = None) -> None:
        self.known = known
        self.closed = closed
        self.unknown = set() if unknown is None else unknown
        self.memo = memo

    def state(self, name: str) -> tuple[bool, MacroDefinition | None]:
        """(whether the state of ``name`` is known, its definition or None if undefined)."""
        if name in self.unknown:
            return False, None
        if name in self.known:
            definition = self.known[name]
            return True, definition if definition is not None and definition.defines else None
        return self.closed, None


class _Unknown(Exception):
    pass


class _NotMemoisable(Exception):
    """A replacement list that spells `defined`: its operand may lie past the expansion."""


class _Expansion(Struct):
    """What an object-like macro expands to on its own: its tokens (None: unknown, its expansion
    raised _Unknown; the expansion is then unknown wherever it is made), the most tokens pending
    and out at once while expanding it, the deepest set of macros hidden, and the names whose
    state it read. Expanded where some macros are hidden already, it is the same expansion when
    it read none of them (every name it meets is read), but counts them in its depth."""

    __slots__ = ("tokens", "peak", "depth", "reads")
    tokens: tuple[str, ...] | None
    peak: int
    depth: int
    reads: frozenset[str]
    _fields: ClassVar[tuple[str, ...]] = ("tokens", "peak", "depth", "reads")

    def __init__(self, tokens: tuple[str, ...] | None, peak: int, depth: int, reads: frozenset[str]) -> None:
        self.tokens = tokens
        self.peak = peak
        self.depth = depth
        self.reads = reads


class ExpansionMemo:
    """The expansions of the object-like macros `#if` conditions met, while they hold: a
    `#define` or `#undef` of a name drops those that read it (``changed``). Also counts the
    tokens the conditions expanded to, against MAX_FILE_EXPANDED_TOKENS."""

    def __init__(self) -> None:
        self.expansions: dict[str, _Expansion | None] = {}     # None: not memoisable
        self.readers: dict[str, set[str]] = {}
        self.stored = 0
        self.spent = 0

    def changed(self, name: str) -> None:
        for reader in self.readers.pop(name, ()):
            found = self.expansions.pop(reader, None)
            if found is not None and found.tokens is not None:
                self.stored -= len(found.tokens)

    def remember(self, name: str, found: _Expansion | None, reads: set[str]) -> None:
        size = len(found.tokens) if found is not None and found.tokens is not None else 0
        if self.stored + size > MAX_MEMO_TOKENS:
            self.expansions.pop(name, None)
            return
        self.stored += size
        self.expansions[name] = found
        for read in reads:
            self.readers.setdefault(read, set()).add(name)


def evaluate_condition(keyword: str, condition: str, macros: MacroState) -> bool | None:
    """Whether the group of ``keyword`` (`#if`, `#elif`, `#ifdef`, `#ifndef`, `#elifdef`,
    `#elifndef`, `#else`) with ``condition`` is taken on its own (not counting the groups before
    it), None when that cannot be known."""
    if keyword == "#else":
        return True
    try:
        if keyword in ("#ifdef", "#ifndef", "#elifdef", "#elifndef"):
            tokens = pp_tokens(condition)
            if len(tokens) != 1 or _IDENTIFIER.fullmatch(tokens[0]) is None:
                return None
            known, definition = macros.state(tokens[0])
            if not known:
                return None
            return (definition is not None) != (keyword in ("#ifndef", "#elifndef"))
        if keyword not in ("#if", "#elif"):
            return None
        expanded = _expand(pp_tokens(condition), macros)
        if macros.memo is not None:
            macros.memo.spent += len(expanded)
            if macros.memo.spent > MAX_FILE_EXPANDED_TOKENS:
                return None
        parser = _ExpressionParser(expanded)
        value = parser.conditional(0)
        if parser.at < len(parser.tokens):
            return None
        return value[0] != 0
    except _Unknown:
        return None


# The preprocessor's own operators that read their operand unexpanded, answered only by
# with_header_queries (a header found): otherwise unknown, even to `defined` (GCC and Clang
# report them defined; which of them a compiler has is its own).
HEADER_QUERIES: Final = frozenset(["__has_include", "__has_include_next", "__has_embed"])
_HEADER_QUERY: Final = regex_cache.compile(r"""(?<![\w$])__has_include\s*\(\s*(<[^<>\n]*>|"[^"\n]*")\s*\)""")


def with_header_queries(condition: str, header_found: Callable[[str], bool]) -> str:
    """``condition`` with each `__has_include(<name>)` / `__has_include("name")` whose header
    ``header_found`` finds (it is given the spelling with its brackets or quotes) replaced by 1,
    as the compiler answers it: it searches the same places (beside the file, the include
    directories) before its own. One not found there may be in the compiler's own directories:
    it stays, and evaluate_condition reads it as unknown. `__has_include_next` (it depends on
    where the including file was found) and `__has_embed` stay too."""
    if "__has_include" not in condition:
        return condition
    return _HEADER_QUERY.sub(lambda m: "1" if header_found(m.group(1)) else m.group(), condition)


def _expand(tokens: list[str], macros: MacroState) -> list[str]:
    """``tokens`` with `defined` answered and object-like macros replaced, rescanned; every
    identifier left becomes 0 (true and false: 1 and 0). Raises _Unknown where that is not known."""
    out: list[str] = []
    # (token, the names whose expansion it came from), read front to back
    pending: list[tuple[str, frozenset[str]]] = [(token, frozenset()) for token in reversed(tokens)]
    _rescan(pending, out, macros, None)
    return out


def _rescan(pending: list[tuple[str, frozenset[str]]], out: list[str], macros: MacroState,
            reads: set[str] | None) -> tuple[int, int]:
    """Expand ``pending`` onto ``out`` (see _expand). ``reads``: a macro's expansion on its own
    is made (for the memo): the names read are added to it, and `defined` raises _NotMemoisable.
    Returns the most tokens pending and out at once and the most macros hidden where a macro
    was expanded (what the MAX_NESTING check reads)."""
    peak = depth = 0
    memo = macros.memo
    while pending:
        count = len(out) + len(pending)
        if count > MAX_EXPANDED_TOKENS:
            raise _Unknown()
        peak = max(peak, count)
        token, hidden = pending.pop()
        if token == "defined":
            if reads is not None:
                raise _NotMemoisable()
            name = pending.pop()[0] if pending else ""
            if name == "(":
                name = pending.pop()[0] if pending else ""
                if not pending or pending.pop()[0] != ")":
                    raise _Unknown()
            if _IDENTIFIER.fullmatch(name) is None or name in HEADER_QUERIES:
                raise _Unknown()
            known, definition = macros.state(name)
            if not known:
                raise _Unknown()
            out.append("1" if definition is not None else "0")
        elif _IDENTIFIER.fullmatch(token) is None:
            out.append(token)
        elif token in ("true", "false"):
            out.append("1" if token == "true" else "0")
        elif token in HEADER_QUERIES:
            raise _Unknown()
        else:
            known, definition = macros.state(token)
            if reads is not None:
                reads.add(token)
            if hidden and definition is None and token not in macros.known:
                known = False     # a name a replacement list yields is more likely a header's than not a macro
            if not known or (definition is not None and definition.params is not None):
                raise _Unknown()
            if definition is None or token in hidden:
                out.append("0")
                continue
            depth = max(depth, len(hidden))
            if len(hidden) >= MAX_NESTING:
                raise _Unknown()
            found = _expansion_of(token, definition, macros) if memo is not None else None
            if found is not None and found.reads.isdisjoint(hidden):
                # (The same expansion as in place: the bound and the depth count what is around it.)
                if reads is not None:
                    reads.update(found.reads)
                depth = max(depth, len(hidden) + found.depth)
                if found.tokens is None or count - 1 + found.peak > MAX_EXPANDED_TOKENS \
                        or len(hidden) + found.depth >= MAX_NESTING:
                    raise _Unknown()
                peak = max(peak, count - 1 + found.peak)
                out.extend(found.tokens)
                continue
            inner = hidden | {token}
            pending.extend((part, inner) for part in reversed(definition.replacement))
    return peak, depth


def _expansion_of(name: str, definition: MacroDefinition, macros: MacroState) -> _Expansion | None:
    """The memoised expansion of the object-like macro ``name`` on its own (None: not memoisable)."""
    memo = macros.memo
    assert memo is not None
    if name in memo.expansions:
        return memo.expansions[name]
    reads = {name}
    out: list[str] = []
    found: _Expansion | None
    memo.expansions[name] = None      # (being made: met again inside its own, expanded in place)
    try:
        hidden = frozenset({name})
        peak, depth = _rescan([(part, hidden) for part in reversed(definition.replacement)], out, macros, reads)
        found = _Expansion(tuple(out), peak, depth, frozenset(reads))
    except _Unknown:
        found = _Expansion(None, 0, 0, frozenset(reads))
    except _NotMemoisable:
        found = None
    memo.remember(name, found, reads)
    return found


_BINARY_PRECEDENCE: Final = {"*": 10, "/": 10, "%": 10, "+": 9, "-": 9, "<<": 8, ">>": 8, "<": 7, ">": 7, "<=": 7,
                      ">=": 7, "==": 6, "!=": 6, "&": 5, "^": 4, "|": 3, "&&": 2, "||": 1}


class _ExpressionParser(Struct):
    """Precedence climbing over a condition's tokens; a value is (its value, its type: int64 or
    uint64, or bool for a comparison, which C++ then reads as the int 0 or 1)."""

    __slots__ = ("tokens", "at")
    tokens: list[str]
    at: int
    _fields: ClassVar[tuple[str, ...]] = ("tokens", "at")

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.at = 0

    def peek(self) -> str:
        return self.tokens[self.at] if self.at < len(self.tokens) else ""

    def take(self) -> str:
        token = self.peek()
        if not token:
            raise _Unknown()
        self.at += 1
        return token

    def conditional(self, depth: int) -> tuple[int, integers.IntType]:
        if depth > MAX_NESTING:
            raise _Unknown()
        cond = self.binary(0, depth + 1)
        if self.peek() != "?":
            return cond
        self.take()
        then = self.conditional(depth + 1)
        if self.take() != ":":
            raise _Unknown()
        orelse = self.conditional(depth + 1)
        common = integers.common_type(_wide(then[1]), _wide(orelse[1]))
        chosen = then if cond[0] else orelse
        return integers.wrap(chosen[0], common), common

    def binary(self, floor: int, depth: int) -> tuple[int, integers.IntType]:
        if depth > MAX_NESTING:
            raise _Unknown()
        left = self.unary(depth + 1)
        while True:
            op = self.peek()
            precedence = _BINARY_PRECEDENCE.get(op, 0)
            if precedence <= floor:
                return left
            self.take()
            right = self.binary(precedence, depth + 1)
            ltype, rtype = _wide(left[1]), _wide(right[1])
            value = integers.binary_value(op, left[0], right[0], ltype, rtype)
            if value is None:
                raise _Unknown()      # a division by zero, a shift C++ leaves undefined
            left = value, integers.binary_type(op, ltype, rtype)

    def unary(self, depth: int) -> tuple[int, integers.IntType]:
        if depth > MAX_NESTING:
            raise _Unknown()
        token = self.take()
        if token in ("-", "+", "~", "!"):
            operand = self.unary(depth + 1)
            value = integers.unary_value(token, operand[0], _wide(operand[1]))
            if value is None:
                raise _Unknown()
            return value, integers.unary_type(token, _wide(operand[1]))
        if token == "(":
            inner = self.conditional(depth + 1)
            if self.take() != ")":
                raise _Unknown()
            return inner
        literal, ctype = integers.literal_value(token), integers.literal_type(token)
        if literal is None or ctype is None:
            raise _Unknown()          # a character or floating literal, a stray token
        return literal, _wide(ctype)


def _wide(ctype: integers.IntType) -> integers.IntType:
    """The type `#if` computes a value of ``ctype`` in: intmax_t or uintmax_t (bool: int64)."""
    return integers.UINT64 if ctype.bits > 1 and not ctype.signed else integers.INT64


# -- which groups are compiled -------------------------------------------------------------
def group_outcomes(table: tuple[MacroDefinition, ...], sections: tuple[ConditionalSection, ...],
                   groups: tuple[ConditionalGroup, ...], initial: MacroState,
                   file_definitions_known: bool) -> list[bool | None]:
    """For each group (by index), whether the preprocessor compiles it: True, False, or None when
    that cannot be known, starting from ``initial`` (the predefined and command-line macros) and
    reading the file's directives in order. The file's `#define`s and `#undef`s change what is
    known only when ``file_definitions_known`` (else the names they touch become unknown from
    there on); one inside a group whose outcome is unknown makes its name unknown."""
    known = dict(initial.known)
    unknown = set(initial.unknown)
    memo = ExpansionMemo()
    macros = MacroState(known, initial.closed, unknown, memo)
    outcomes: list[bool | None] = [None] * len(groups)
    # The directives in file order: (offset, 0, table index) for a definition, (offset, 1, group)
    # for a group's directive.
    events = sorted([(definition.span.start, 0, k) for k, definition in enumerate(table)]
                    + [(group.span.start, 1, group.index) for group in groups])
    # Per section: whether a group before the current one is certainly taken, and whether every
    # group before it is certainly not.
    earlier_taken: dict[int, bool] = {}
    all_earlier_not_taken: dict[int, bool] = {}
    for _, kind, k in events:
        if kind == 0:
            definition = table[k]
            enclosing = outcomes[definition.group] if definition.group >= 0 else True
            if enclosing is False:
                continue
            memo.changed(definition.name)
            if enclosing is None or not file_definitions_known:
                unknown.add(definition.name)
                known.pop(definition.name, None)
                continue
            unknown.discard(definition.name)
            known[definition.name] = definition if definition.defines else None
            continue
        group = groups[k]
        section = sections[group.section]
        parent = outcomes[section.parent] if section.parent >= 0 else True
        first = section.groups[0] == group.index
        if first:
            earlier_taken[section.index] = False
            all_earlier_not_taken[section.index] = True
        if parent is False or earlier_taken[section.index]:
            outcomes[k] = False
            continue
        own = evaluate_condition(group.keyword, group.condition, macros)
        if own is False:
            outcomes[k] = False
            continue
        if own is True:
            earlier_taken[section.index] = True
            outcomes[k] = True if all_earlier_not_taken[section.index] and parent is True else None
        else:
            outcomes[k] = None
        all_earlier_not_taken[section.index] = False
    return outcomes
