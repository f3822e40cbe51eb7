"""Structural parser for ptoas C++: tokens -> functions -> statements with exact spans.

A single-regex tokenizer and a small recursive-descent pass find functions, blocks, ``for``,
``if/else`` (with the trailing ``};`` ptoas prints), ``#if`` sections and simple statements. This
layer is fast and never fails on valid C++: anything it does not recognise becomes an
:class:`OpaqueStmt`. The *contents* of simple statements are parsed lazily with lark
(see ``stmt_parser.py``), because most statements are never inspected by a pass.
"""
from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter

from .. import COMPILED, regex_cache
from ..compile_env import NO_COMMAND_LINE, CompileEnvironment
from ..located import Located
from ..pto.ops import pto_macro_names
from ..signals import CHECKPOINT_EVERY, checkpoint
from ..source import PtofixError, SourceText, Span, UnreadableInput
from .aggregate_init import braced_aggregate_as_parentheses, braced_scalar_as_parentheses, local_aggregate
from .command_line import command_line_macros
from .declaration_forms import USING_PTO_DECLARATION, read_global, read_head, read_parameters
from .declarator_lists import declarator_statements
from .group_extents import certain_close, group_cuts_across
from .include_paths import header_found
from .keywords import CPP_KEYWORDS, is_reserved_identifier
from .lexical import (
    IDENTIFIER,
    SPLICE,
    directive_text,
    directive_word,
    file_identifiers_among,
    identifiers,
    strip_comments,
    trailing_identifier_start,
)
from .model import (
    CaseLabel,
    Comment,
    Compound,
    ConditionalGroup,
    ConditionalSection,
    CppFile,
    Directive,
    ForStmt,
    Function,
    GotoStmt,
    IfStmt,
    LabelStmt,
    MacroDefinition,
    OpaqueKind,
    OpaqueStmt,
    PPBranch,
    PPIfStmt,
    Pragma,
    SimpleStmt,
    Stmt,
    SwitchStmt,
    pack_span,
)
from .preprocessor import (
    MacroState,
    build_tables,
    command_line_definition,
    directive_keyword,
    group_outcomes,
    misplaced_conditional,
    pp_tokens,
    with_header_queries,
)
from .tokens import MAX_NESTING, NestingLimit, StructureError, Tokens, has_assignment, scan_tokens
from .word_index import WordReading

TYPE_CHECKING = False
if TYPE_CHECKING:        # (names for annotations, which are never evaluated: typing costs start-up)
    from collections.abc import Iterator
    from typing import Final

    from mypy_extensions import i64

    from ..side_files import ReadRecord


# (The constants the structure parser reads a statement or a token are Final: a compiled build reads
# a Final from a C variable, or inlines an int one, where it looks any other global up in the
# module's dict at each use; issue #70 item 7.)
_OPEN: Final = {"(": ")", "[": "]", "{": "}"}
_CLOSE: Final = frozenset([")", "]", "}"])
_PP_OPEN: Final = ("#if", "#ifdef", "#ifndef")
# (signals.CHECKPOINT_EVERY less one, a mask; tokens.MAX_NESTING: read here once a statement.)
_CHECKPOINT_MASK: Final = CHECKPOINT_EVERY - 1
_MAX_NESTING: Final = MAX_NESTING
# The directives that start the next group of a file-scope #if section (C++23's `#elifdef` and
# `#elifndef` too: g++ 12 takes them with -std=c++2b; read as part of the group before, the two
# definitions `#ifdef A ... #elifdef B ...` were one group's, a redefinition error).
_PP_NEXT_ARM = ("#elif", "#elifdef", "#elifndef", "#else")


# The groups pto-isa's CPU simulator build alone compiles. pto-isa's headers include their CPU
# stubs only under `__CPU_SIM` (pto-inst.hpp), a macro the NPU compiler never predefines and pto's
# headers never define (its kernels' host-side comm_context.hpp does, outside include/pto); in that
# build `pipe_barrier` is an empty function (an inline
# `pipe_barrier(pipe_t pipe) { (void)pipe; }` in every version of
# https://github.com/hw-native-sys/pto-isa/blob/3186c381/include/pto/common/cpu_stub.hpp, 14f761c8
# and b9122ec5 included). So the file is read as the NPU build compiles it,
# without these groups: a removed `pipe_barrier(PIPE_V);` changes nothing in the simulator build,
# unless the group itself changes what those words mean (it names them, or pastes tokens), or
# the file defines or undefines `__CPU_SIM` itself, or the command line does (`-D`, `-U`: its group
# may then be compiled for the NPU).
# A header that defines it is one whose macro the kernel writes outside its functions: unknown.
# The section openings that test it alone: `#ifdef __CPU_SIM`, `#if defined(__CPU_SIM)`, `#if defined __CPU_SIM`.
_CPU_SIMULATOR_TESTS: Final = [("#ifdef", ["__CPU_SIM"]), ("#if", ["defined", "(", "__CPU_SIM", ")"]),
                        ("#if", ["defined", "__CPU_SIM"])]
_CPU_SIMULATOR_MACRO: Final = regex_cache.compile(r"\s*#\s*(?:define|undef)\s+__CPU_SIM(?!\w)")
_CPU_SIMULATOR_GROUP_CHANGES: Final = regex_cache.compile(r"(?<![\w$])(?:pipe_barrier|PIPE_V)(?![\w$])|##")


def without_cpu_simulator_groups(tokens: Tokens, environment: CompileEnvironment,
                                 directives: list[tuple[str, int, int]] | None = None) -> Tokens:
    """``tokens`` with each group of an `#ifdef __CPU_SIM` / `#if defined(__CPU_SIM)` section (up
    to its own #elif, #else or #endif) read as a comment, as the NPU build skips it (see
    _CPU_SIMULATOR_TESTS); the same tokens when there is none or the file or the command line defines
    or undefines the macro. ``directives``: _directives(tokens), when the caller has read them."""
    if directives is None:
        directives = _directives(tokens)
    if all("__CPU_SIM" not in directive for directive, _, _ in directives) \
            or any(_CPU_SIMULATOR_MACRO.match(directive) for directive, _, _ in directives):
        return tokens
    defined, undefined = command_line_macros(environment)
    if "__CPU_SIM" in defined or "__CPU_SIM" in undefined:
        return tokens          # (the compiler's -D/-U: as the file's own #define/#undef)
    _, sections, groups = build_tables(directives, len(tokens.text))
    skipped: list[Span] = []
    for section in sections:
        group = groups[section.groups[0]]
        if (group.keyword, pp_tokens(group.condition)) not in _CPU_SIMULATOR_TESTS:
            continue
        if section.endif.start == section.endif.end:
            return tokens      # an #if without #endif: the parser reports it
        if _CPU_SIMULATOR_GROUP_CHANGES.search(tokens.text[group.body.start:group.body.end]):
            continue
        if skipped and group.span.start < skipped[-1].end:
            continue           # nested in a group already skipped
        skipped.append(group.body)
    return _as_comments(tokens, skipped)


def _as_comments(tokens: Tokens, ranges: list[Span]) -> Tokens:
    """``tokens`` with every token that starts in one of ``ranges`` read as a comment."""
    if not ranges:
        return tokens
    kind_list, mark_list = list(tokens.kinds), list(tokens.marks)
    for body in ranges:
        first, last = bisect_left(tokens.starts, body.start), bisect_left(tokens.starts, body.end)
        kind_list[first:last] = mark_list[first:last] = ["c"] * (last - first)
    return Tokens(tokens.text, "".join(kind_list), "".join(mark_list), tokens.starts, tokens.ends)


def _directives(tokens: Tokens) -> list[tuple[str, int, int]]:
    """Every directive of ``tokens``: (its text as the preprocessor reads it, start, end)."""
    found: list[tuple[str, int, int]] = []
    kinds, text, starts, ends = tokens.kinds, tokens.text, tokens.starts, tokens.ends
    index = kinds.find("p")
    while index != -1:
        found.append((directive_text(text[starts[index]:ends[index]]), starts[index], ends[index]))
        index = kinds.find("p", index + 1)
    return found


# The pragma operators: C++'s `_Pragma("...")` and MSVC's `__pragma(...)` (clang reads it too).
_PRAGMA_OPERATORS = ("_Pragma", "__pragma")
_PRAGMA_OPERATOR_WORD: Final = regex_cache.compile(r"(?<![\w$])(?:_Pragma|__pragma)(?![\w$])")
_STRING_ESCAPE: Final = regex_cache.compile(r'\\(["\\])')


def _destringized(literal: str) -> tuple[str, ...] | None:
    """The tokens a `_Pragma`'s plain string literal says ([cpp.pragma.op]: the quotes removed,
    `\\"` and `\\\\` read as `"` and `\\`), None for anything else."""
    if len(literal) < 2 or literal[0] != '"' or literal[-1] != '"':
        return None
    return tuple(pp_tokens(_STRING_ESCAPE.sub(r"\1", literal[1:-1])))


def _operator_tokens(words: list[str], at: int) -> tuple[str, ...] | None:
    """What the pragma operator ``words[at]`` says, when its argument is one plain string."""
    if words[at] == "_Pragma" and words[at + 1:at + 2] == ["("] and words[at + 3:at + 4] == [")"] \
            and at + 2 < len(words):
        return _destringized(words[at + 2])
    return None


def _pragmas(tokens: Tokens, directives: list[tuple[str, int, int]]) -> tuple[Pragma, ...]:
    """Every `#pragma` line, and every pragma operator in the code or in a directive, in file order."""
    found: list[Pragma] = []
    for text, start, end in directives:
        keyword = directive_keyword(text)
        if keyword == "#pragma":
            rest = text[text.find("pragma") + len("pragma"):]
            found.append(Pragma(Span(start, end), tuple(pp_tokens(rest)), False))
        if "pragma" in text.lower():
            words = pp_tokens(text)
            found.extend(Pragma(Span(start, end), _operator_tokens(words, at), True)
                         for at, word in enumerate(words) if word in _PRAGMA_OPERATORS)
    text = tokens.text
    if "_Pragma" in text or "__pragma" in text:
        kinds, marks, starts, ends = tokens.kinds, tokens.marks, tokens.starts, tokens.ends
        for i, kind in enumerate(kinds):
            if kind != "w":
                continue
            for match in _PRAGMA_OPERATOR_WORD.finditer(text, starts[i], ends[i]):
                said: tuple[str, ...] | None = None
                if match.group() == "_Pragma" and match.end() == ends[i] and i + 3 < len(kinds) \
                        and marks[i + 1] == "(" and kinds[i + 2] == "s" and marks[i + 3] == ")":
                    said = _destringized(text[starts[i + 2]:ends[i + 2]])
                found.append(Pragma(Span(match.start(), match.end()), said, True))
    found.sort(key=lambda pragma: pragma.span.start)
    return tuple(found)


def directive_tables(source: SourceText) -> tuple[
        tuple[MacroDefinition, ...], tuple[ConditionalSection, ...], tuple[ConditionalGroup, ...]]:
    """The macro table and the `#if` tree of a text the structure is not read of (a pto-isa
    header), as ``parse_cpp`` builds them for a kernel (preprocessor.build_tables); raises
    PtofixError on a text the tokenizer refuses."""
    tokens = scan_tokens(source)
    return build_tables(_directives(tokens), len(tokens.text))


def decides_groups(name: str) -> bool:
    """Whether the `-D`/`-U` of ``name`` may decide the `#if` groups that test it: not a reserved
    name (the compiler's and the system headers'), nor one pto-isa's headers define. (Whether a
    header may still change it is the analysis's to judge: header_policy._command_line_reason leaves
    the file unmodelled then, and a header it reads that defines or undefines the name too.)"""
    return not is_reserved_identifier(name) and name not in pto_macro_names()


def without_decided_groups(tokens: Tokens, environment: CompileEnvironment, path: str = "") -> Tokens:
    """``tokens`` with each `#if` group the compiler's command line (`-D`, `-U`) or the headers it
    finds (`__has_include`) show is not compiled read as a comment, as the compiler skips it: a
    group whose condition is false, or one after a group certainly taken
    (preprocessor.group_outcomes, the file's own #define and #undef making a name unknown from
    there on). ``path``: the file's, beside which a quoted header name is looked for first. The
    same tokens when the command line sets no macro and no directive asks for a header."""
    flags = environment.macro_flags
    queries = "__has_include" in tokens.text and _directive_asks_for_header(tokens)
    if not flags and not queries:
        return tokens
    known: dict[str, MacroDefinition | None] = {}
    for flag in flags:
        definition = command_line_definition(flag)
        if decides_groups(definition.name):
            known[definition.name] = definition if definition.defines else None
        else:
            known.pop(definition.name, None)
    if not known and not queries:
        return tokens
    table, sections, groups = build_tables(_directives(tokens), len(tokens.text))
    if queries:
        def found(spelled: str) -> bool:
            return header_found(spelled, path, environment)

        for group in groups:
            group.condition = with_header_queries(group.condition, found)
    outcomes = group_outcomes(table, sections, groups, MacroState(known, False), False)
    return _as_comments(tokens, [groups[k].body for k, outcome in enumerate(outcomes) if outcome is False])


_SPLICE: Final = regex_cache.compile(SPLICE)


def skipped_words(source: SourceText, environment: CompileEnvironment) -> Counter[str]:
    """How many word tokens of each spelling lie in the `#if` groups the command line (or a
    header query, or the NPU build's `__CPU_SIM` rule) leaves out of the compile: the tokens
    _parse_structure reads as comments. The compiler never sees them, so a name they spell is
    called from nowhere. Empty when nothing is left out, or when the text splices lines (a
    word may then span a splice, and the index of the file's words counts it otherwise).
    (Lexed again: only asked when a kernel's name is spelled outside its definitions, rare.)"""
    counted: Counter[str] = Counter()
    text = source.text
    if not environment.macro_flags and "__has_include" not in text and "__CPU_SIM" not in text:
        return counted      # (without_decided_groups and without_cpu_simulator_groups leave all)
    if "\\" in text and _SPLICE.search(text) is not None:
        return counted
    scanned = scan_tokens(source)
    kept = without_decided_groups(without_cpu_simulator_groups(scanned, environment), environment, source.path)
    if kept.kinds == scanned.kinds:
        return counted
    for index, (before, after) in enumerate(zip(scanned.kinds, kept.kinds, strict=True)):
        if before == "w" and after == "c":
            counted[text[scanned.starts[index]:scanned.ends[index]]] += 1
    return counted


def pastes_in_code(source: SourceText, pasting_macros: frozenset[str]) -> bool:
    """Whether the file may paste tokens where the compiler reads it: a directive that spells
    `##` or one of ``pasting_macros`` (pto's macros that paste: a `#define` of the file using
    one), or code that calls one of those. A comment or a string naming them pastes nothing.
    True when the text splices lines (a `#\\`-newline-`#` pastes too). (Lexed again: only asked
    when the file spells `##` or such a macro somewhere, and a kernel's boundary depends on it.)"""
    text = source.text
    if "\\" in text and _SPLICE.search(text) is not None:
        return True
    tokens = scan_tokens(source)
    for index, kind in enumerate(tokens.kinds):
        if kind == "w":
            if text[tokens.starts[index]:tokens.ends[index]] in pasting_macros:
                return True
        elif kind == "p":
            directive = text[tokens.starts[index]:tokens.ends[index]]
            # raw-text scan: a directive is one token; its replacement list's words are not tokens.
            if "##" in directive or not pasting_macros.isdisjoint(identifiers(directive)):
                return True
    return False


def _directive_asks_for_header(tokens: Tokens) -> bool:
    """Whether a directive's text spells `__has_include` (the tokenizer's 'p' tokens)."""
    text, kinds, starts, ends = tokens.text, tokens.kinds, tokens.starts, tokens.ends
    index = kinds.find("p")
    while index != -1:
        if text.find("__has_include", starts[index], ends[index]) != -1:
            return True
        index = kinds.find("p", index + 1)
    return False


def _pair_brackets(tokens: Tokens) -> tuple[array | None, int]:
    """Index of the closing bracket of every opening one (at the opening one's index; 0 elsewhere),
    or None if the file's brackets are not balanced. In a balanced file a scan from any opening
    bracket ends at the bracket found here, so the parser looks it up instead of rescanning nested
    blocks; otherwise it scans, which finds the error a scan from that bracket reports. An array,
    not a dict: a dict entry and its two ints cost ~80 bytes a bracket pair.

    Also the offset of the first brace or ';' inside parentheses (-1 if none), but the two ';' of
    a `for` header: a macro's arguments that carry one (`SWAP({ w(); } void TMUL(...) {, })`, or
    one a rescan or a header's macro invokes: `ID(SWAP)(...)`) may expand to code that closes a
    block and defines any function, which the balanced text does not show."""
    if COMPILED:
        return _pair_bracket_bytes(tokens)
    kinds, marks, starts = tokens.kinds, tokens.marks, tokens.starts
    closing = array(starts.typecode, [0]) * len(kinds)     # one allocation (no zeroed bytes copied in)
    # The open brackets' indices (their marks tell which closes each: no tuple a bracket).
    stack: list[int] = []
    parens = 0                       # '(' open around the current token
    structure = -1
    # (kinds.find called as a method, not through a bound one: compiled, a native call; a bound
    # str.find is called with a tuple of its arguments. Issue #70 item 7.)
    index = kinds.find("o")
    while index != -1:
        t = marks[index]          # (an 'o' token's mark: one of ; { } ( ) [ ])
        if t == "(" or t == "[" or t == "{":
            if t == "{" and parens and structure < 0:
                structure = starts[index]
            stack.append(index)
            if t == "(":
                parens += 1
        elif t == ";":
            if parens and structure < 0 and not _in_for_header(tokens, stack):
                structure = starts[index]
        else:
            if t == "}" and parens and structure < 0:
                structure = starts[index]
            if not stack or marks[stack[-1]] != _OPENING[t]:
                return None, structure
            closing[stack.pop()] = index
            if t == ")":
                parens -= 1
        index = kinds.find("o", index + 1)
    return (None if stack else closing), structure


# The opening bracket of each closing one.
_OPENING: Final = {")": "(", "]": "[", "}": "{"}


def _pair_bracket_bytes(tokens: Tokens) -> tuple[array | None, int]:
    """_pair_brackets, compiled: the marks read as bytes, one a token, with native ints (a str
    find and a one-character str a bracket cost ~20x more; issue #70 item 7).
    tests/cpp/test_bracket_pairs.py compares both with the plain reading."""
    marks = tokens.marks.encode("ascii")
    starts = tokens.starts
    closing = array(starts.typecode, [0]) * len(marks)
    stack: list[int] = []
    parens: i64 = 0
    structure = -1
    n: i64 = len(marks)
    index: i64 = 0
    while index < n:
        t = marks[index]
        if t == 40 or t == 91 or t == 123:                   # ( [ {
            if t == 123 and parens and structure < 0:
                structure = starts[index]
            stack.append(index)
            if t == 40:
                parens += 1
        elif t == 59:                                        # ;
            if parens and structure < 0 and not _in_for_header(tokens, stack):
                structure = starts[index]
        elif t == 41 or t == 93 or t == 125:                 # ) ] }
            if t == 125 and parens and structure < 0:
                structure = starts[index]
            # (The opening one is ')' - 1, ']' - 2, '}' - 2.)
            if not stack or marks[stack[-1]] != (40 if t == 41 else t - 2):
                return None, structure
            closing[stack.pop()] = index
            if t == 41:
                parens -= 1
        index += 1
    return (None if stack else closing), structure


def _in_for_header(tokens: Tokens, stack: list[int]) -> bool:
    """The innermost open bracket (``stack``: the open ones' indices) is a `for (`."""
    if not stack or tokens.marks[stack[-1]] != "(":
        return False
    at = stack[-1]
    return at > 0 and tokens.kinds[at - 1] == "w" \
        and tokens.text[tokens.starts[at - 1]:tokens.starts[at]].strip() == "for"


def _scan_to_close(tokens: Tokens, i: int) -> int:
    """Index of the bracket closing the one at ``i`` (comments/directives skipped), in a file whose
    brackets are not balanced: the scan raises the error it meets."""
    kinds, marks, starts = tokens.kinds, tokens.marks, tokens.starts
    stack = [_OPEN[marks[i]]]
    j = i + 1
    while j < len(kinds):
        if kinds[j] == "o":
            t = marks[j]
            if t in _OPEN:
                stack.append(_OPEN[t])
            elif t in _CLOSE:
                if t != stack[-1]:
                    raise StructureError(f"expected '{stack[-1]}' before '{t}'", starts[j])
                stack.pop()
                if not stack:
                    return j
        j += 1
    raise StructureError(f"'{marks[i]}' is never closed", starts[i])


class _StructureParser:
    # The tokens are read through kinds[i], marks[i], starts[i] and ends[i]; a token's text is
    # sliced from the source only where the parser needs more than its kind or mark. An 'o' token
    # is one character, its mark; another token's mark is its kind letter, never a bracket or ';'
    # (nor does its text start with one: a word character, '/', '#' or a quote), so
    # marks[i] == "(" is tok.text == "(".
    def __init__(self, source: SourceText, tokens: Tokens, words: WordReading,
                 directives: list[tuple[str, int, int]] | None = None):
        """``words``: the file's word index, read once parse_file knows the functions' spans.
        ``directives``: _directives(tokens), when the caller has read them (None: read here)."""
        self.directives = directives
        self.source = source
        self.words = words
        self.text = source.text
        self.tokens = tokens
        self.kinds = tokens.kinds
        self.marks = tokens.marks
        self.starts = tokens.starts
        self.ends = tokens.ends
        self.n = len(tokens)
        self.depth = 0
        self.statements_read = 0      # (signals.checkpoint)
        # Index of the bracket closing each opening one in a balanced file (None: not balanced).
        self.closing, self.structure_in_parentheses = _pair_brackets(tokens)
        # The last statement _simple read to its ';', and the indices of its first token and of
        # its ';' (_commas_in_brackets reads them again, for a statement that spells a comma).
        self.simple_read: SimpleStmt | None = None
        self.simple_first = 0
        self.simple_last = 0

    # -- helpers -----------------------------------------------------------------------------
    def _tok_text(self, i: int) -> str:
        return self.text[self.starts[i]:self.ends[i]]

    def _match_close(self, i: int) -> int:
        """Index of the bracket closing the one at ``i``: looked up in a balanced file (the
        parser's most frequent call: a method, native when compiled, where a bound
        ``array.__getitem__`` was called with a tuple of its argument), else scanned for."""
        closing = self.closing
        if closing is not None:
            return closing[i]
        return _scan_to_close(self.tokens, i)

    # -- top level ---------------------------------------------------------------------------
    def parse_file(self) -> CppFile:
        functions: list[Function] = []
        self.globals: list[SimpleStmt] = []
        self.namespaces: set[str] = set()
        self.pp_path: list[tuple[int, int]] = []     # (section, branch) of the open #if sections
        self.ns_path: list[str] = []                  # the open namespaces (and extern "C" blocks)
        # Per open block, the names unqualified lookup searches as a scope of its own: a named
        # namespace's; none for extern "C" blocks, anonymous and inline namespaces (their members
        # are found in the enclosing namespace).
        self.lookup_path: list[tuple[str, ...]] = []
        self.global_places: list[tuple] = []          # (namespaces, #if path) of each of self.globals
        self.places: dict[int, tuple] = {}            # id(function) -> (namespaces, #if path)
        self.pp_sections = 0
        self.directive_in_item = False
        self.sections: dict[int, tuple] = {}
        self._top_level(0, self.n, functions)
        # A function is conditional when it sits in a file-scope #if branch that not all the file's
        # functions share (an include guard or an architecture guard around them all does not count).
        paths = [self.sections[id(fn)] for fn in functions]
        common = len(paths[0]) if paths else 0
        for path in paths[1:]:
            common = next((k for k in range(min(common, len(path))) if path[k] != paths[0][k]),
                          min(common, len(path)))
        for fn, path in zip(functions, paths, strict=True):
            fn.conditional = fn.conditional or len(path) > common
        macros = set()
        nonempty = set()
        declaring_macros: set[str] = set()
        includes = []
        directives = self.directives if self.directives is not None else _directives(self.tokens)
        for directive, start, _ in directives:
            included = INCLUDE_DIRECTIVE.match(directive)
            if included:
                includes.append((included.group(1).strip(), start))
        table, sections, groups = build_tables(directives, len(self.text))
        # (Undefining a macro pto's headers test, `__CCE_AICORE__` say, changes their code as a
        # definition does: `defines` holds both.)
        defines = [(definition.name, definition.span.start) for definition in table]
        bodies = [(definition.name, definition.text) for definition in table if definition.defines]
        # (A replacement's words but its parameters: `#define CASES(X) X(64, 6)` names no macro X.)
        replacements = [(definition.name, " ".join(token for token in definition.replacement
                                                   if token not in (definition.params or ())))
                        for definition in table if definition.defines]
        for name, body in bodies:
            macros.add(name)
            if body and not _INERT_ATTRIBUTE.fullmatch(body):
                nonempty.add(name)
            # raw-text scan: a macro's replacement text (as the preprocessor tables keep it)
            if "##" in body or _DECLARING_WORDS.intersection(identifiers(body)) or _restructures(body):
                declaring_macros.add(name)
        self._check_redefinitions(functions)
        # A file-scope declaration some function does not see: declared after it, in a namespace
        # it is not in, or in an #if branch it is not in.
        partial = frozenset(
            k for k, (stmt, (ns, pp)) in enumerate(zip(self.globals, self.global_places, strict=True))
            if any(stmt.span.end > fn.span.start or self.places[id(fn)][0][:len(ns)] != ns
                   or self.places[id(fn)][1][:len(pp)] != pp for fn in functions))
        # The file's words, read once from its tokens (the text is not scanned for them again),
        # and which of the functions' names each one's text holds (WordIndex.mentions).
        self.words.read(functions)
        # One word scan of the whole text serves both lexical searches below.
        pto_names, scanned, encoded = _file_scan_names()
        words = file_identifiers_among(self.source, scanned, encoded)
        global_decls = [read_global(stmt) for stmt in self.globals]
        return CppFile(self.source, functions, global_decls, frozenset(macros), frozenset(self.namespaces),
                       frozenset(macros - nonempty), tuple(includes), partial,
                       self._declared_names(_DECLARING_KEYWORDS.intersection(words),
                                            _function_template_heads(functions)),
                       frozenset(declaring_macros), tuple(defines), self.structure_in_parentheses, tuple(bodies),
                       self._pto_code_macros(replacements, pto_names.intersection(words)), table, sections, groups,
                       _pragmas(self.tokens, directives))

    def _check_redefinitions(self, functions: list[Function]) -> None:
        """A function defined twice in the same `#if` branch (both compiled whenever either is) is
        an error at the second definition. Definitions in different branches are valid C++ when only
        one is compiled (`#if defined(__DAV_VEC__) ... #else ... #endif`); the groups the command
        line decides are comments by now (without_decided_groups), so ptofix cannot tell which of
        these is compiled: each is Unknown (an opaque body: its barriers kept, the reason in the
        report), as issue #57 asks of a valid construct; the file's other functions are read.
        Two of one name and parameters whose heads differ otherwise (a function template beside a
        plain function or a template of other template parameters, `int S::get() const` beside
        `int S::get()`, templates of other return types) may be distinct functions, valid C++ in
        one group: neither an error nor told apart, each is Unknown (SAME_SIGNATURE_DEFINITIONS)."""
        seen: dict[tuple, list[Function]] = {}
        for fn in functions:
            # (The parameters as declarations read them: blanks and comments do not tell two apart.)
            key = (fn.namespace, fn.qualified, fn.name, tuple(" ".join(p.text.split()) for p in fn.parameters))
            earlier = seen.setdefault(key, [])
            # (The heads are read only for a name defined again: most are defined once.)
            path = self.sections[id(fn)] if earlier else ()
            head = _head_tokens(fn.declaration.text) if earlier else []
            for first in earlier:
                if self.sections[id(first)] == path and _head_tokens(first.declaration.text) == head:
                    raise PtofixError(Located(f"redefinition of '{fn.name}' (first defined at ",
                                              self.source.place(first.span.start), ")"), self.source, fn.span.start)
            earlier.append(fn)
        for definitions in seen.values():
            if len(definitions) < 2:
                continue
            sections = [self.sections[id(fn)] for fn in definitions]
            reason = EXCLUSIVE_DEFINITIONS if len(set(sections)) == len(sections) else SAME_SIGNATURE_DEFINITIONS
            for fn in definitions:
                fn.body = OpaqueStmt(fn.body.span, self.text, reason)

    def _pto_code_macros(self, bodies: list[tuple[str, str]], found: frozenset[str]) -> frozenset:
        """Which of pto's macros the model does not read (ops.pto_code_macro_names) the code names,
        or a #define's body: not a comment, a string or another directive (`#ifdef
        PTO_NPU_ARCH_A2A3`, an `#undef`, an include guard defined again after pto's header change
        no code here). ``found``: those of them the text holds as identifiers (a word scan of the
        whole text); the tokens are read only for these."""
        if not found:
            return frozenset()
        # raw-text scan: macros' replacement texts (as the preprocessor tables keep them)
        used = {name for _, body in bodies for name in found.intersection(identifiers(body))}
        kinds, starts, ends = self.kinds, self.starts, self.ends
        spelled = re.compile(r"(?<![\w$])(?:" + "|".join(sorted(found)) + r")(?![\w$])")
        for match in spelled.finditer(self.text):
            token = bisect_right(starts, match.start()) - 1
            if token >= 0 and kinds[token] == "w" and match.start() < ends[token]:
                used.add(match.group())
        return frozenset(used)

    def _declared_names(self, keywords: frozenset[str], heads: list[tuple[int, int]] | None = None) -> frozenset:
        """The names a declaration anywhere in the file (any scope) may introduce as a namespace,
        a type or a template parameter. Lexical, so it over-approximates; comments, strings and
        directives do not count. After `namespace`: every name up to `{` or `=` (`namespace a::b`
        opens both); after a class key, `typename` or `concept`: every unqualified name up to the
        end of the declarator (`{`, `;`, `,`, `>`, `=` or a base clause's `:`; attributes
        included); after `using` (an alias or a using-declaration, not a using-directive): the
        last name; in a `typedef`: every plain word. ``keywords``: the declaration keywords the
        text holds as identifiers. ``heads``: the template heads of the function templates the
        model reads (`template <typename Tile>` before a definition): a type parameter declared
        there names something in that template only, whose model judges it
        (semantics.template_parameter_reason), not the file."""
        text, kinds, starts, ends = self.text, self.kinds, self.starts, self.ends
        found: set[str] = set()
        for match in _declarations(text, keywords):
            token = bisect_right(starts, match.start()) - 1
            if token < 0 or kinds[token] != "w" or match.start() >= ends[token]:
                continue        # inside a comment, a string or a directive
            keyword, rest = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
            if heads and keyword in ("typename", "class") \
                    and any(start <= match.start() < end for start, end in heads):
                continue
            if keyword == "namespace":
                if _USING_BEFORE.search(text, max(0, match.start() - 40), match.start()):
                    continue    # `using namespace pto;`: a using-directive declares nothing
                names = _IDENT.findall(rest)
                if names == ["pto"] and _PLAIN_PTO_HEAD.match(rest) and text.startswith("{", match.end()):
                    # `namespace pto {`: reopens pto, declares no other `pto`; what it declares
                    # there is judged apart (header_policy._pto_namespace_reason).
                    continue
                found.update(names)
            elif keyword == "using":
                names = _IDENT.findall(rest)
                if USING_PTO_DECLARATION.match(text, match.start(), match.end() + 1):
                    continue    # `using pto::BLayout;`: pto's own entity under its own name
                if names and names[0] != "namespace":
                    found.add(names[-1])
            elif keyword == "typedef":
                found.update(_UNQUALIFIED_WORD.findall(rest))
            else:
                found.update(_UNQUALIFIED_WORD.findall(_BASE_CLAUSE.split(rest, 1)[0]))
        return frozenset(found)

    def _inside_anonymous(self) -> bool:
        """Whether the namespace being opened (the last entry of ns_path) sits in an anonymous
        namespace, no named one in between: `app` opened there is `<anonymous>::app`, not the `app`
        a later `namespace app {` at file scope opens (a namespace definition searches its own
        scope and its inline namespaces only, [namespace.def])."""
        for name, lookup in zip(reversed(self.ns_path[:-1]), reversed(self.lookup_path), strict=False):
            if lookup:
                return False
            if name == "<anonymous>":
                return True
        return False

    def _top_level(self, i: int, stop: int, functions: list[Function]) -> None:
        kinds, starts, ends, text = self.kinds, self.starts, self.ends, self.text
        item_start = None
        self.directive_in_item = False
        while i < stop:
            kind = kinds[i]
            if kind in "cp":
                if kind == "p":
                    # File-scope #if sections: a function defined inside one may not be the one
                    # compiled; a directive inside a declaration makes its words conditional.
                    word = directive_word(self._tok_text(i))
                    path = self.pp_path
                    if word in _PP_OPEN:
                        self.pp_sections += 1
                        path.append((self.pp_sections, 0))
                    elif word in _PP_NEXT_ARM and path:
                        path[-1] = (path[-1][0], path[-1][1] + 1)
                    elif word == "#endif" and path:
                        path.pop()
                    if item_start is not None:
                        self.directive_in_item = True
                i += 1
                continue
            if item_start is None:
                item_start = i
                self.directive_in_item = False
            if kind == "o":
                t = self.marks[i]
                if t in ("(", "["):
                    i = self._match_close(i) + 1
                    continue
                if t == ";":
                    # File-scope declarations (`using T = ...;`, constants): kept for type aliases.
                    self.globals.append(SimpleStmt(pack_span(starts[item_start], ends[i]), text))
                    self.global_places.append((tuple(self.ns_path), tuple(self.pp_path)))
                    item_start = None
                    i += 1
                    continue
                if t == "{":
                    close = self._match_close(i)
                    words = [text[starts[x]:ends[x]] for x in range(item_start, i) if kinds[x] not in "cp"]
                    first = words[0] if words else ""
                    if first == "inline" and len(words) > 1 and words[1] == "namespace":
                        words, first = words[1:], "namespace"      # `inline namespace v1 {`
                    if first == "namespace" or (first == "extern" and len(words) == 2 and words[1].startswith('"')):
                        if first == "namespace":
                            self.namespaces.update(part for word in words[1:] for part in word.split("::"))
                            if not all(_NAMESPACE_NAME.fullmatch(word) for word in words[1:]):
                                # `namespace [[deprecated("=")]] pto {`: a head the model does not
                                # read is a file-scope declaration of its own (unmodelled_file).
                                self.globals.append(SimpleStmt(pack_span(starts[item_start], starts[i]), text))
                                self.global_places.append((tuple(self.ns_path), tuple(self.pp_path)))
                        # (An anonymous namespace is a namespace of its own, too.)
                        self.ns_path.append(" ".join(words[1:]) or "<anonymous>" if first == "namespace"
                                            else 'extern "C"')
                        inline = text[starts[item_start]:starts[i]].lstrip().startswith("inline")
                        named = first == "namespace" and len(words) > 1 and not inline
                        self.lookup_path.append(((("<anonymous>",) if self._inside_anonymous() else ())
                                                 + tuple("".join(words[1:]).split("::"))) if named else ())
                        if len(self.ns_path) > MAX_NESTING:
                            raise NestingLimit(f"namespaces nested deeper than {MAX_NESTING} levels", starts[i])
                        self._top_level(i + 1, close, functions)  # transparent block
                        self.ns_path.pop()
                        self.lookup_path.pop()
                        item_start = None
                        i = close + 1
                        continue
                    fn = self._maybe_function(item_start, i, close, words)
                    if fn is not None:
                        functions.append(fn)
                        item_start = None
                        i = close + 1
                        continue
                    brace, i = i, close + 1
                    after = i
                    while after < stop and kinds[after] in "cp":
                        after += 1
                    # `constexpr NoOp TCOLMAX{};`, `T x{1}, y{2};`: a braced initializer; the
                    # declaration goes on to its ';' (and its names into the file scope).
                    braced = after < stop and text[starts[after]] in ";,"
                    if not braced and not any(word in _CLASS_KEYS or "=" in word for word in words) \
                            and first not in ("typedef", "using"):
                        # A definition that is not read as a function (`template <> void f<int>()
                        # {...}`, an operator, a constructor): it ends at its '}'. Its calls are
                        # unseen; a function it names is never taken as called from this file only,
                        # and a pto op it names (`template <> void TMUL<...>(...)`) is the file's.
                        self.globals.append(SimpleStmt(pack_span(starts[item_start], starts[brace]), text))
                        self.global_places.append((tuple(self.ns_path), tuple(self.pp_path)))
                        item_start = None
                    continue  # enum/struct/initializer: the item ends at ';'
                if t in _CLOSE:
                    raise StructureError(f"unbalanced '{t}'", starts[i])
            i += 1
        if item_start is not None:
            # An item the scope closes before its ';' (`template <int N = 1> void TMUL(...) {...}`
            # taken for an initializer, last in its namespace): a file-scope declaration all the same.
            end = starts[stop] if stop < self.n else len(text)
            self.globals.append(SimpleStmt(pack_span(starts[item_start], end), text))
            self.global_places.append((tuple(self.ns_path), tuple(self.pp_path)))

    def _maybe_function(self, start: int, brace: int, close: int, words: list[str]) -> Function | None:
        if not words or words[0] in ("enum", "struct", "class", "union", "typedef", "using"):
            return None
        kinds, starts, ends, text = self.kinds, self.starts, self.ends, self.text
        # The first top-level '(' after the name, with no '=' before it; attribute groups such as
        # `__attribute__((always_inline))` are skipped.
        paren = None
        j = start
        # The specifiers before the declarator, outside attribute groups: `static` there gives
        # internal linkage, but not as an attribute's argument (`__attribute__((static))`, an
        # unknown attribute the compiler ignores) or a parameter's word.
        specifiers: list[str] = []
        # Default template arguments without brackets (`template <bool init = false, int N>`): an
        # '=' inside the leading template heads declares no variable.
        heads = _DEFAULTED_TEMPLATE_HEADS.match(text, starts[start], starts[brace])
        heads_end = heads.end() if heads is not None else starts[start]
        while j < brace:
            kind = kinds[j]
            if kind == "w":
                word = text[starts[j]:ends[j]]
                if "=" in word and has_assignment(word) and ends[j] > heads_end:
                    return None
                specifiers.append(word)
            elif kind == "o" and self.marks[j] == "(":
                if j > start and self._tok_text(j - 1) in _ATTRIBUTE_WORDS:
                    j = self._match_close(j) + 1
                    continue
                paren = j
                break
            elif kind == "o" and self.marks[j] == "[":
                return None      # `[[attr("x")]] void TMUL(...)`: the declarator is not read here
            j += 1
        if paren is None or paren == start or kinds[paren - 1] != "w" \
                or ends[paren - 1] != starts[paren] and not _IDENT.fullmatch(self._tok_text(paren - 1)):
            return None
        word = self._tok_text(paren - 1)
        name_at = trailing_identifier_start(word)
        if name_at < 0 or (name_at > 0 and word[name_at - 1] not in "*&:"):
            return None          # `@name(` (MLIR), `x.name(`...: not a C++ function declarator
        name = word[name_at:]
        if name in _NOT_FUNCTION_NAMES:
            return None          # `void (TMUL)(...)`, `decltype(auto) TMUL(...)`: the name comes later
        # `Owner::name(` or `Owner :: name(`: an unqualified call elsewhere may not reach it.
        # The declaration up to the name, spaces removed, tells two such definitions apart.
        before_name = paren - 2
        while before_name >= start and kinds[before_name] == "c":
            before_name -= 1        # `pto::/* c */name(`: a comment between qualifier and name
        qualified = "".join(text[starts[start]:starts[paren - 1] + name_at].split()) \
            if name_at > 0 or (before_name >= start and kinds[before_name] == "w"
                                          and self._tok_text(before_name).endswith(":")) else ""
        pclose = self._match_close(paren)
        j = pclose + 1
        while j < brace:
            # After the parameters only qualifiers, `noexcept(...)`, attributes and a trailing return
            # type: another group means the first one was not the parameter list (`MACRO(x) TMUL(...)`).
            if kinds[j] == "o" and self.marks[j] in "([":
                # raw-text scan: one word token's text (a token may hold several words: `a+b`)
                before = identifiers(self._tok_text(j - 1))
                if self.marks[j] == "[" or not before or before[-1] not in _AFTER_PARAMS_CALLS:
                    return None
                j = self._match_close(j)
            j += 1
        head = text[starts[start]:starts[brace]]
        try:
            body: Stmt = self._compound(brace, close)
        except StructureError as exc:
            body = OpaqueStmt(pack_span(starts[brace], ends[close]), text, f"unstructured body: {exc}",
                              OpaqueKind.GROUP_STRUCTURE if exc.group else OpaqueKind.UNSTRUCTURED)
        # A kernel entry point is declared `__global__` (a word of the declaration itself, not of a
        # comment); `extern "C"` alone only names a C-linkage function that anything may call.
        is_entry = "__global__" in specifiers and not self.directive_in_item
        fn = Function(name, Span(starts[start], ends[close]), body, is_entry, qualified,
                      self.directive_in_item, "static" in specifiers,
                      tuple(part for block in self.lookup_path for part in block), starts[paren] - starts[start],
                      read_parameters(text, ends[paren], starts[pclose]),
                      read_head(head, name, starts[paren] - starts[start], ends[pclose] - starts[start],
                                bool(qualified)))
        self.sections[id(fn)] = tuple(self.pp_path)
        self.places[id(fn)] = (tuple(self.ns_path), tuple(self.pp_path))
        return fn

    # -- statements --------------------------------------------------------------------------
    def _compound(self, open_i: int, close_i: int) -> Compound:
        body, end = self._stmt_list(open_i + 1, close_i, in_pp=False)
        if end != close_i:
            raise StructureError("preprocessor branch crosses a block boundary",
                                 self.starts[min(end, self.n - 1)], group=True)
        return Compound(pack_span(self.starts[open_i], self.ends[close_i]), body)

    def _stmt_list(self, i: int, stop: int, in_pp: bool) -> tuple[list[Stmt], int]:
        """Statements from ``i`` up to ``stop`` or (inside ``#if``) the next #elif/#else/#endif."""
        out: list[Stmt] = []
        kinds, starts, ends = self.kinds, self.starts, self.ends
        # (self._statement and out.append called as methods, not through bound method objects:
        # compiled, native calls, no arguments or result boxed; issue #70 item 7.)
        while i < stop:
            self.statements_read += 1
            if not self.statements_read & _CHECKPOINT_MASK:
                checkpoint()
            if kinds[i] != "p":
                stmt, i = self._statement(i, stop)
                if stmt.__class__ is SimpleStmt and stmt.spells(",") \
                        and not (stmt is self.simple_read and self._commas_in_brackets()):  # type: ignore[attr-defined]
                    # `T a, b;`: one statement a declarator (declarator_lists.py).
                    declarators = declarator_statements(stmt)  # type: ignore[arg-type]
                    if declarators is not None:
                        out.extend(declarators)
                        continue
                out.append(stmt)
                continue
            word = directive_word(self._tok_text(i))
            if word in ("#elif", "#else", "#endif"):
                if not in_pp:
                    raise StructureError(f"{word} without #if", starts[i], group=True)
                return out, i
            if word in _PP_OPEN:
                stmt, i = self._pp_if(i, stop)
                out.append(stmt)
                continue
            out.append(Directive(pack_span(starts[i], ends[i]), self.text))
            i += 1
        if in_pp:
            raise StructureError("#if without #endif in this block", starts[stop - 1] if stop else 0,
                                 group=True)
        return out, i

    def _pp_if(self, i: int, stop: int) -> tuple[Stmt, int]:
        self.depth += 1
        try:
            if self.depth > _MAX_NESTING:
                raise NestingLimit(f"#if sections nested deeper than {MAX_NESTING} levels", self.starts[i])
            return self._pp_if_at(i, stop)
        finally:
            self.depth -= 1

    def _pp_if_at(self, i: int, stop: int) -> tuple[Stmt, int]:
        starts, ends = self.starts, self.ends
        start = starts[i]
        branches: list[PPBranch] = []
        has_else = False
        directive = Directive(pack_span(starts[i], ends[i]), self.text)
        i += 1
        while True:
            body, i = self._stmt_list(i, stop, in_pp=True)
            branches.append(PPBranch(directive, body))
            tok_text = self._tok_text(i)
            word = directive_word(tok_text)
            directive = Directive(pack_span(starts[i], ends[i]), self.text)
            end = ends[i]
            i += 1
            if word == "#endif":
                return PPIfStmt(pack_span(start, end), branches, has_else, directive), i
            if word == "#else":
                has_else = True

    def _statement(self, i: int, stop: int) -> tuple[Stmt, int]:
        """The statement at token ``i``. One nested more than MAX_NESTING levels deep (in
        statements or #if sections) is refused; a statement that holds statements (a block, for,
        if, switch) counts a level while they are read, a simple one costs nothing. (The level is
        counted here, not by a helper taking the method to call: compiled, a call through a bound
        method object boxes every argument.)"""
        if self.depth >= _MAX_NESTING:
            raise NestingLimit(f"statements nested deeper than {MAX_NESTING} levels", self.starts[i])
        # (kinds[i] compared where it is read: compiled, a character compared, no str fetched.)
        kinds = self.kinds
        if kinds[i] == "w":
            text, start, end = self.text, self.starts[i], self.ends[i]
            # (The word is sliced only where it may be a label or a keyword: most are longer.)
            if text[end - 1] == ":":
                if _LABEL.fullmatch(text, start, end):
                    name = text[start:end - 1]
                    if name in CPP_KEYWORDS:        # (`default:` outside a switch)
                        return OpaqueStmt(pack_span(start, end), text, "label", OpaqueKind.LABEL), i + 1
                    return LabelStmt(pack_span(start, end), text, "label", OpaqueKind.LABEL, name), i + 1
            elif end - start <= _LONGEST_STATEMENT_KEYWORD:
                t = text[start:end]
                if t in _STATEMENT_KEYWORDS:
                    self.depth += 1
                    try:
                        return self._keyword_statement(i, stop, t)
                    finally:
                        self.depth -= 1
        elif kinds[i] == "c":
            return Comment(pack_span(self.starts[i], self.ends[i]), self.text), i + 1
        elif kinds[i] == "o":
            text, start = self.text, self.starts[i]
            t = self.marks[i]
            if t == "{":
                close = self._match_close(i)
                self.depth += 1
                try:
                    return self._compound(i, close), close + 1
                finally:
                    self.depth -= 1
            if t == ";":
                return SimpleStmt(pack_span(start, self.ends[i]), text), i + 1
            if t in _CLOSE:
                raise StructureError(f"unbalanced '{t}'", start)
        return self._simple(i, stop)

    def _keyword_statement(self, i: int, stop: int, t: str) -> tuple[Stmt, int]:
        """A statement that starts with the word ``t`` of _STATEMENT_KEYWORDS."""
        kinds, starts, ends, text = self.kinds, self.starts, self.ends, self.text
        start = starts[i]
        paren_next = i + 1 < stop and self.marks[i + 1] == "("
        if t == "for" and paren_next:
            pclose = self._match_close(i + 1)
            body, end = self._body(pclose + 1, stop)
            header = Span(ends[i + 1], starts[pclose])
            parts = self._split_for_header(i + 1, pclose)
            return ForStmt(pack_span(start, body.span.end), init=parts[0], cond=parts[1], step=parts[2],
                           header=header, body=body), end
        if t == "while" and paren_next:
            # `while (c) S` is `for (; c; ) S` ([stmt.while]: the same condition, a `continue`
            # goes to it): read as that loop, its header the condition's text.
            pclose = self._match_close(i + 1)
            body, end = self._body(pclose + 1, stop)
            header = Span(ends[i + 1], starts[pclose])
            return ForStmt(pack_span(start, body.span.end), init="", cond=text[ends[i + 1]:starts[pclose]], step="",
                           header=header, body=body), end
        if t == "if" and not paren_next and i + 2 < stop and kinds[i + 1] == "w" \
                and self._tok_text(i + 1) == "constexpr" and self.marks[i + 2] == "(":
            # `if constexpr (c)` runs one branch, chosen when the template is instantiated: read
            # as `if (c)`, whose either branch may run, it over-approximates every instantiation.
            i += 1
            paren_next = True
        if t == "if" and paren_next:
            pclose = self._match_close(i + 1)
            then, j = self._body(pclose + 1, stop)
            orelse = None
            k = j
            while k < stop and kinds[k] == "c":
                k += 1
            if k < stop and self._tok_text(k) == "else":
                orelse, j = self._body(k + 1, stop)
            end_off = (orelse or then).span.end
            cond = text[ends[i + 1]:starts[pclose]]
            return IfStmt(pack_span(start, end_off), cond=cond, then=then, orelse=orelse), j
        if t == "switch" and paren_next:
            switch = self._switch(i, stop)
            if switch is not None:
                return switch
        if t == "goto" and i + 2 < stop and kinds[i + 1] == "w" and kinds[i + 2] == "o" and self.marks[i + 2] == ";":
            label = text[starts[i + 1]:ends[i + 1]]
            if IDENTIFIER.fullmatch(label) and label not in CPP_KEYWORDS:
                return GotoStmt(pack_span(start, ends[i + 2]), text, "'goto' is not modelled", OpaqueKind.GOTO,
                                label), i + 3
        if t in ("while", "switch", "do", "else", "case", "default", "goto", "try"):
            return self._opaque_control(i, stop, t)
        return self._simple(i, stop)

    def _switch(self, i: int, stop: int) -> tuple[Stmt, int] | None:
        """``switch (c) { case A: ...; break; default: ... }`` with labels at the top level of the
        braces; anything else (no braces, labels nested in blocks, #if around labels) is opaque."""
        kinds, starts, ends, text = self.kinds, self.starts, self.ends, self.text
        pclose = self._match_close(i + 1)
        brace = pclose + 1
        if brace >= stop or self.marks[brace] != "{":
            return None
        close = self._match_close(brace)
        body: list[Stmt] = []
        j = brace + 1
        while j < close:
            kind = kinds[j]
            word = text[starts[j]:ends[j]] if kind == "w" else ""
            if word in ("case", "default", "default:"):
                k = j
                while k < close and not (kinds[k] == "w" and self._tok_text(k).endswith(":")
                                         and not self._tok_text(k).endswith("::")):
                    if kinds[k] != "w":
                        return None
                    k += 1
                if k >= close:
                    return None
                body.append(CaseLabel(pack_span(starts[j], ends[k]), text, word.startswith("default")))
                j = k + 1
                continue
            if kind == "p":
                return None
            stmt, j = self._statement(j, close)
            body.append(stmt)
        cond = text[ends[i + 1]:starts[pclose]]
        return SwitchStmt(pack_span(starts[i], ends[close]), cond, body), close + 1

    def _body(self, i: int, stop: int) -> tuple[Stmt, int]:
        kinds = self.kinds
        while i < stop and kinds[i] == "c":
            i += 1
        if i >= stop:
            raise StructureError("missing statement body", self.starts[stop - 1])
        if kinds[i] == "p":
            raise StructureError("preprocessor directive as a statement body", self.starts[i], group=True)
        return self._statement(i, stop)

    def _opaque_control(self, i: int, stop: int, word: str) -> tuple[Stmt, int]:
        # Consume up to and including the first '{...}' block (plus `while(...);` for do) or ';'.
        kinds, starts, ends, text = self.kinds, self.starts, self.ends, self.text
        labelled = word in ("case", "default")
        j = i
        while j < stop:
            if kinds[j] == "o":
                t = self.marks[j]
                if t in ("(", "["):
                    j = self._match_close(j) + 1
                    continue
                if t == "{":
                    j = self._match_close(j) + 1
                    if word == "do":
                        while j < stop and not (kinds[j] == "o" and self.marks[j] == ";"):
                            j += 1
                        j += 1
                    break
                if t == ";":
                    j += 1
                    break
            elif labelled:
                t = text[starts[j]:ends[j]]
                if t.endswith(":") and not t.endswith("::"):
                    j += 1
                    break
            j += 1
        end = ends[min(j, stop) - 1]
        return OpaqueStmt(pack_span(starts[i], end), text, f"'{word}' is not modelled",
                          OpaqueKind.GOTO if word == "goto" else OpaqueKind.CONSTRUCT), j

    def _simple(self, i: int, stop: int) -> tuple[Stmt, int]:
        kinds, marks, starts, ends, text = self.kinds, self.marks, self.starts, self.ends, self.text
        # (kinds.find and self._match_close called as methods, and kinds[j] compared where it is
        # read: compiled, native calls and a character compared; issue #70 item 7.)
        j = i
        while j < stop:
            if kinds[j] == "o":
                t = marks[j]
                if t == ";":
                    stmt = SimpleStmt(pack_span(starts[i], ends[j]), text)
                    self.simple_read, self.simple_first, self.simple_last = stmt, i, j
                    return stmt, j + 1
                if t == "(" or t == "[":
                    j = self._match_close(j) + 1
                    continue
                if t == "{":
                    # `union {...} x;`, `int a[] = {...};` or a lambda: keep as one opaque statement.
                    j = self._match_close(j) + 1
                    while j < stop and not (kinds[j] == "o" and self.marks[j] == ";"):
                        if kinds[j] == "o" and self.marks[j] in _OPEN:
                            j = self._match_close(j)
                        j += 1
                    span = pack_span(starts[i], ends[min(j, stop - 1)])
                    if j < stop and (braced_aggregate_as_parentheses(text[starts[i]:ends[j]]) is not None
                                     or braced_scalar_as_parentheses(text[starts[i]:ends[j]]) is not None):
                        return SimpleStmt(span, text), j + 1     # (stmt_parser reads its braces as parentheses)
                    if j < stop and local_aggregate(text[starts[i]:ends[j]]) is not None:
                        return SimpleStmt(span, text), j + 1     # (stmt_parser reads it as a declaration)
                    return OpaqueStmt(span, text, "braced construct"), j + 1
                if t == "}":
                    raise StructureError("expected ';' before '}'", starts[j])
                j += 1
            elif kinds[j] == "p":
                raise StructureError("preprocessor directive inside a statement", starts[j], group=True)
            else:
                # Words, comments and strings: jump to the next 'o' or 'p' token (the directive
                # search stops at the 'o' one, so a statement costs its own length).
                o = kinds.find("o", j, stop)
                p = kinds.find("p", j, stop if o == -1 else o)
                j = p if p != -1 else stop if o == -1 else o
        raise StructureError("expected ';' at end of statement", starts[i])

    def _commas_in_brackets(self) -> bool:
        """Whether every comma of the statement _simple read last (simple_read: its tokens from
        simple_first to its ';' at simple_last) lies inside its brackets (a call's or an
        initializer's parentheses: `TADD(a, b, c);`, `x = f(a, b);`), and it holds no comment or
        literal. Then it is no declaration of several declarators: the code declarator_lists reads
        (its literals masked) is the statement's text, whose brackets are these tokens', so it
        finds no comma at its top level, and its every path without one returns None. The tokens
        are walked as _simple walked them: at its top level only words and ( [ ) ] lie before the
        ';' (a '{' or a directive ends its walk otherwise)."""
        kinds, marks, starts, text = self.kinds, self.marks, self.starts, self.text
        i, j = self.simple_first, self.simple_last
        if kinds.find("c", i, j) >= 0 or kinds.find("s", i, j) >= 0:
            return False
        k = i
        while k < j:
            if kinds[k] == "o":
                t = marks[k]
                if t == "(" or t == "[":
                    k = self._match_close(k) + 1
                    continue
                k += 1            # (a ')' or ']' that closes nothing here)
                continue
            o = kinds.find("o", k, j + 1)      # (the ';' at j at the latest)
            if text.find(",", starts[k], starts[o]) >= 0:
                return False
            k = o
        return True

    def _split_for_header(self, open_i: int, close_i: int) -> tuple[str, str, str]:
        kinds, starts, ends, text = self.kinds, self.starts, self.ends, self.text
        cuts = []
        depth = 0
        for j in range(open_i + 1, close_i):
            if kinds[j] != "o":
                continue
            t = self.marks[j]
            if t in _OPEN:
                depth += 1
            elif t in _CLOSE:
                depth -= 1
            elif t == ";" and depth == 0:
                cuts.append(j)
        if len(cuts) != 2:
            return text[ends[open_i]:starts[close_i]], "", ""
        a, b = cuts
        def seg(x: int, y: int) -> str:
            return text[ends[x]:starts[y]].strip()
        return seg(open_i, a), seg(a, b), seg(b, close_i)


# Template heads whose parameters hold no bracket, angle, quote or ';' (`template <bool init =
# false, int N>`): where they end is where the first '>' is.
_DEFAULTED_TEMPLATE_HEADS: Final = regex_cache.compile(r"\s*(?:template\s*<[^<>(){}\[\];\"'/]*>\s*)+")


# The rest of a plain `namespace pto {` head after the keyword, up to its '{'.
_PLAIN_PTO_HEAD: Final = regex_cache.compile(r"\s*pto\s*\Z")


_IDENT: Final = regex_cache.compile(r"[A-Za-z_]\w*")
# Words that look like a name before '(' in a declaration but name no function: GNU spellings of
# keywords (`__typeof__(x) f(...)` declares f) and attribute introducers.
_NOT_FUNCTION_NAMES: Final = CPP_KEYWORDS | frozenset(["typeof", "__typeof__", "__typeof", "__decltype", "__alignof__",
                                                "_Alignas", "__attribute__", "__declspec", "__asm__", "asm"])
# What may follow a function's parameter list and open its own parentheses: `noexcept(...)`, an
# attribute, a trailing `-> decltype(...)`.
_AFTER_PARAMS_CALLS = ("noexcept", "__attribute__", "decltype", "throw")

_ATTRIBUTE_WORDS: Final = {"__attribute__", "__declspec", "alignas", "[[", "__aicore__(", "AICORE("}
_LABEL: Final = regex_cache.compile(r"[A-Za-z_]\w*:")
# The words a statement that is no simple one may start with (_StructureParser._keyword_statement).
_STATEMENT_KEYWORDS: Final = frozenset(["for", "if", "while", "switch", "do", "else", "case", "default", "goto",
                                        "try"])
_LONGEST_STATEMENT_KEYWORD: Final = max(map(len, _STATEMENT_KEYWORDS))
_CLASS_KEYS: Final = frozenset(["struct", "class", "union", "enum"])
# Words that start a declaration of a namespace, type, alias or template parameter.
_DECLARING_WORDS: Final = frozenset(["namespace", "struct", "class", "union", "enum", "typedef", "using", "typename",
                              "concept", "template"])
# A declaration keyword and what follows it up to its declarator's end (a typedef: up to `;`).
_DECLARING: Final = regex_cache.compile(
    r"\b(?:(typedef)\b([^;{}]*)|(namespace|struct|class|union|enum|typename|concept|using)\b([^{};,>=]*))")
_DECLARING_KEYWORDS = frozenset(["typedef", "namespace", "struct", "class", "union", "enum", "typename", "concept",
                                 "using"])
_USING_BEFORE: Final = regex_cache.compile(r"\busing\s*\Z")
_BASE_CLAUSE: Final = regex_cache.compile(r"(?<!:):(?!:)")
# A word that is neither a qualifier (`X::`) nor qualified (`::X`): what a declarator names.
_UNQUALIFIED_WORD: Final = regex_cache.compile(r"(?<![\w:])([A-Za-z_]\w*)(?!\w|[ \t\n]*::)")
_NAMESPACE_NAME: Final = regex_cache.compile(r"(?:::)?[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*")
INCLUDE_DIRECTIVE: Final = regex_cache.compile(r"#\s*(?:include|include_next|import)\b(.*)", re.S)
# A macro body that changes no code: a bracketed attribute such as bisheng's `[aicore]`.
_INERT_ATTRIBUTE: Final = regex_cache.compile(r"\[\s*[A-Za-z_]\w*\s*\]")


def _restructures(body: str) -> bool:
    """A macro body that may end or open a block, end a declaration, or close a parenthesis its use
    opened (`} static void TMUL(...) { work()`, `) {} void TMUL(...`): its uses may define or
    declare any function, wherever the model does not look (an uncalled body, a function head)."""
    return any(ch in body for ch in "{};") or body.count("(") != body.count(")") \
        or body.count("[") != body.count("]")


_FILE_SCAN_NAMES: tuple[frozenset[str], frozenset[str], frozenset[bytes]] | None = None


def _file_scan_names() -> tuple[frozenset[str], frozenset[str], frozenset[bytes]]:
    """pto's code macros (ops.pto_code_macro_names), them and the declaring keywords (the names
    every file is scanned for), and those as ASCII bytes: built on first use, then kept."""
    global _FILE_SCAN_NAMES
    if _FILE_SCAN_NAMES is None:
        from ..pto.ops import pto_code_macro_names
        pto_names = pto_code_macro_names()
        scanned = pto_names | _DECLARING_KEYWORDS
        _FILE_SCAN_NAMES = (pto_names, scanned, frozenset(name.encode("ascii") for name in scanned if name.isascii()))
    return _FILE_SCAN_NAMES


def _function_template_heads(functions: list[Function]) -> list[tuple[int, int]]:
    """(start, end) in the file of the template head of each function template definition:
    `template <...>` up to its closing `>` (one head; a nested template template parameter's
    own brackets counted)."""
    heads = []
    for fn in functions:
        text = fn.declaration.text
        # (Heads the model reads as plain parameters only: FunctionSemantics then knows their
        # names and judges a pto-spelled one for the function.)
        if not text.startswith("template") or not fn.declaration.template_params:
            continue
        opening = text.find("<")
        if opening < 0 or text[len("template"):opening].strip():
            continue
        depth, at = 0, opening
        while at < len(text):
            if text[at] == "<":
                depth += 1
            elif text[at] == ">":
                depth -= 1
                if depth == 0:
                    heads.append((fn.span.start + opening, fn.span.start + at + 1))
                    break
            elif text[at] in "(){};":
                break                 # (`template <int N = (1 > 0)>`: not read, the names stay the file's)
            at += 1
    return heads


def _declarations(text: str, keywords: frozenset[str]) -> Iterator[re.Match[str]]:
    """``_DECLARING.finditer(text)``, given ``keywords``, the declaration keywords ``text`` holds
    as identifiers (a match's keyword is one). The regex is tried at their occurrences (a
    str.find each) instead of at every position of the text, each from where the last match
    ended (a declarator's text hides the keywords in it, as in finditer)."""
    resume = 0
    for at in sorted(at for keyword in keywords for at in _occurrences(text, keyword)):
        if at >= resume:
            match = _DECLARING.match(text, at)
            if match is not None:
                resume = match.end()
                yield match


def _occurrences(text: str, word: str) -> Iterator[int]:
    """Every offset ``word`` occurs at in ``text``."""
    at = text.find(word)
    while at != -1:
        yield at
        at = text.find(word, at + 1)


# The statements and blocks (';' and '{' tokens) of the largest file ptofix reads into its model.
# The model and check's flow graph hold a few objects a statement (~0.35 KB a statement at file
# scope, ~1.3 KB in a function body through `check`): 8 MiB of `a;` peaked at 1.8 GB (issue 69).
# A larger file is Unknown as a whole (every barrier kept; check: unverified), which bounds the
# peak memory of an input under 10 MB to ~300 MB. The largest kernel of the corpus has ~4,600.
MAX_STATEMENTS: Final = 100_000


def _within_statement_budget(source: SourceText, tokens: Tokens) -> None:
    count = tokens.marks.count(";") + tokens.marks.count("{")
    if count > MAX_STATEMENTS:
        raise UnreadableInput(f"{count} statements and blocks, more than the {MAX_STATEMENTS} ptofix reads into its "
                              "model of one file (its memory grows with them)", source, 0)


def parse_cpp(source: SourceText, environment: CompileEnvironment = NO_COMMAND_LINE,
              reads: ReadRecord | None = None) -> CppFile:
    """The model of ``source`` as the compiler reads it with ``environment``'s command line (which
    the model keeps: CppFile.environment), for the job whose record of the files it reads is
    ``reads`` (CppFile.reads; None: not noted)."""
    from .stmt_parser import forget_statements
    forget_statements()
    scanned = scan_tokens(source)
    _within_statement_budget(source, scanned)
    # The file's words, read once from its tokens (the text is not scanned for them again), when
    # the parse knows the functions' spans (_StructureParser.parse_file).
    words = WordReading(source, scanned)
    try:
        model = _parse_structure(source, scanned, environment, words)
    except PtofixError:
        words.read([])      # (a file refused: its words are read from its tokens all the same)
        raise
    model.environment, model.reads, model.word_index = environment, reads, words.read([])
    return model


def _parse_structure(source: SourceText, scanned: Tokens, environment: CompileEnvironment,
                     words: WordReading) -> CppFile:
    """parse_cpp's model, but its environment, record and word index."""
    # (The directives are read once: the checks below and the parser read the same list while
    # the tokens are the scan's, as they are unless a group is read as a comment.)
    directives = _directives(scanned)
    misplaced = misplaced_conditional(directives)
    if misplaced is not None:
        raise PtofixError(misplaced[0], source, misplaced[1])      # (bad input: the compiler rejects it)
    tokens = without_decided_groups(without_cpu_simulator_groups(scanned, environment, directives), environment,
                                    source.path)
    parser = _StructureParser(source, tokens, words, directives if tokens is scanned else None)
    try:
        return _mark_certain_extents(parser.parse_file(), tokens)
    except StructureError as exc:
        # (One handler: compiled by mypyc, `except NestingLimit as exc` before `except
        # StructureError as exc` types the shared `exc` as the subclass and fails on the base.)
        if isinstance(exc, NestingLimit):
            raise UnreadableInput(f"{exc} (valid C++: a compiler nests further)", source, exc.offset) from None
        crossing = _parse_crossing_functions(source, tokens, words) \
            if exc.group or _balances_in_one_reading(tokens) else None
        if crossing is not None:
            return crossing
        if exc.group or _balances_in_one_reading(tokens):
            # Valid C++ (one group of each section compiled) whose `#if` groups cut across the
            # structure the parser reads (a group opening a brace its `#else` opens too, a
            # directive inside a statement's parentheses): the file is read as a whole Unknown.
            raise UnreadableInput(f"{exc}: an #if group cuts across a statement or a brace (each group of its "
                                  "section alone may be valid C++, but ptofix reads them all together)",
                                  source, exc.offset) from None
        raise PtofixError(str(exc), source, exc.offset) from None


# The reason of each of several definitions of one function in `#if` groups (_check_redefinitions):
# the function is unknown, its body's extent certain, the file read.
EXCLUSIVE_DEFINITIONS: Final = "one of several definitions of this function in #if groups, and which one is compiled " \
    "is not known (a -D or -U may decide it)"

def _head_tokens(head: str) -> list[str]:
    """A function head's tokens, comments and blanks aside (`void h(int a, /* again */ int   b)` is
    `void h(int a,int b)`): heads that differ only so define one function twice."""
    # raw-text scan: a function head's text, only for functions of one name defined twice
    return _HEAD_TOKEN.findall(strip_comments(head))


_HEAD_TOKEN: Final = regex_cache.compile(r"\w+|\S")

# The reason of each of several functions of one name and parameters in one `#if` group whose
# heads differ (_check_redefinitions): overloads ptofix does not tell apart, each unknown, the
# file read.
SAME_SIGNATURE_DEFINITIONS = "one of several functions of this name and parameters whose template heads, return " \
    "types or qualifiers ptofix does not tell apart"


# -- functions whose body `#if` groups cut across ---------------------------------------------
# The reason of a function body that `#if` groups cut across while every group keeps the body's
# extent: the function is unknown, the file is read (semantics: per function, not per file).
CROSSING_GROUPS: Final = "#if groups cut across the structure of this body (its extent is the same whichever group " \
    "is compiled)"
# The reasons of an unknown body whose extent is the same in every reading of the file's `#if`
# groups: the function alone is unknown, not the file.
CERTAIN_EXTENT: Final = frozenset([CROSSING_GROUPS, EXCLUSIVE_DEFINITIONS, SAME_SIGNATURE_DEFINITIONS])


def _section_map(tokens: Tokens) -> tuple[list, dict[int, tuple[int, str]]]:
    """The file's sections, and each conditional directive's offset -> (its section, its keyword)."""
    _, sections, groups = build_tables(_directives(tokens), len(tokens.text))
    where: dict[int, tuple[int, str]] = {}
    for group in groups:
        where[group.span.start] = (group.section, group.keyword)
    for section in sections:
        if section.endif.end > section.endif.start:
            where[section.endif.start] = (section.index, "#endif")
    return [(section, [groups[k] for k in section.groups]) for section in sections], where


def _mark_certain_extents(model: CppFile, tokens: Tokens, blanked: frozenset[int] = frozenset()) -> CppFile:
    """``model`` with the reason of each unstructured function body whose extent is the same in
    every reading of its `#if` groups (certain_close) set to CROSSING_GROUPS; ``blanked``: the
    offsets of the bodies _parse_crossing_functions read as comments, each such a body."""
    opaque = [fn for fn in model.functions if isinstance(fn.body, OpaqueStmt)
              and (fn.body.span.start in blanked
                   or fn.body.kind is OpaqueKind.GROUP_STRUCTURE)]
    if not opaque:
        return model
    sections, where = _section_map(tokens)
    for fn in opaque:
        brace = bisect_left(tokens.starts, fn.body.span.start)
        close = certain_close(tokens, brace, sections, where)
        if close >= 0 and tokens.ends[close] == fn.body.span.end:
            fn.body = OpaqueStmt(fn.body.packed_span, model.source.text, CROSSING_GROUPS)
    return model


def _parse_crossing_functions(source: SourceText, tokens: Tokens, words: WordReading) -> CppFile | None:
    """The file read with the body of each function whose `#if` groups cut across its braces read
    as comments but its directives (which keep the macro table whole), each such function unknown
    (CROSSING_GROUPS), when each one's extent is the same whichever groups are compiled; None
    when that is not so, or a group cuts across anything outside function bodies."""
    _, all_sections, groups = build_tables(_directives(tokens), len(tokens.text))
    first_only = _as_comments(tokens, [groups[index].body for section in all_sections
                                       for at, index in enumerate(section.groups) if at])
    try:
        first = _StructureParser(source, first_only, words).parse_file()
    except StructureError:
        return None
    sections, where = _section_map(tokens)
    group_starts = [group.span.start for group in groups]
    kind_list = list(tokens.kinds)
    mark_list = list(tokens.marks)
    bodies: set[int] = set()
    for fn in first.functions:
        brace = bisect_left(tokens.starts, fn.body.span.start)
        if not isinstance(fn.body, OpaqueStmt) and not group_cuts_across(tokens, groups, group_starts, fn.body.span):
            continue
        close = certain_close(tokens, brace, sections, where)
        if close < 0 or tokens.ends[close] != fn.body.span.end:
            return None
        for k in range(brace + 1, close):
            if kind_list[k] != "p":
                kind_list[k] = mark_list[k] = "c"
        bodies.add(fn.body.span.start)
    if not bodies:
        return None
    blanked = Tokens(tokens.text, "".join(kind_list), "".join(mark_list), tokens.starts, tokens.ends)
    try:
        model = _StructureParser(source, blanked, words).parse_file()
    except StructureError:
        return None
    for fn in model.functions:
        if fn.body.span.start in bodies:
            fn.body = OpaqueStmt(fn.body.span, source.text, "unstructured body", OpaqueKind.UNSTRUCTURED)
    return _mark_certain_extents(model, tokens, frozenset(bodies))


def _balances_in_one_reading(tokens: Tokens) -> bool:
    """Whether the brackets of ``tokens`` pair up when each `#if` section compiles only its first
    group, or only its last (the others read as comments): the compiler reads one group of each,
    so unbalanced brackets across all groups together are no error of the file's."""
    if "p" not in tokens.kinds:
        return False
    _, sections, groups = build_tables(_directives(tokens), len(tokens.text))
    if not sections:
        return False
    for keep in (0, -1):
        skipped = [groups[index].body for section in sections for at, index in enumerate(section.groups)
                   if at != (keep % len(section.groups))]
        if _pair_brackets(_as_comments(tokens, skipped))[0] is not None:
            return True
    return False
