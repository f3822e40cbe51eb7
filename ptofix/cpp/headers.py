"""The headers a kernel `#include`s, read as a compiler finds them, and judged by what they define.

A header the model does not read may `#define PIPE_ALL PIPE_MTE2` or declare a closer overload of
a name the kernel calls. One that is found is read here with the structure parser's tokenizer,
transitively, and summarised as the names it may make visible to the kernel:

* every macro it `#define`s or `#undef`s (whatever `#if` guards it: the union of the branches);
* every name a declaration at namespace scope may introduce (file scope, any named or anonymous
  namespace, `extern "C"` blocks, the enumerators of an unscoped enumeration, the members of an
  anonymous union). A declarator is read lexically, as an over-approximation: every name written
  right before `( ) ; = , [ { : }` or after a class key, `typename` or `concept`, not qualified
  (`a::b` declares nothing new) and not a member access, and the last name of each qualified
  name of a using-declaration (`using std::sqrt;` declares `sqrt` there).
* every name the replacement list of a macro its namespace scope writes may expand to (through
  any chain of macros; not the macro's parameters): `#define RT_VADD vadd` then
  `void RT_VADD(...);` declares `vadd`. Class and function bodies declare
  nothing a kernel can name without naming their class or function first.

Only those names can change what the kernel's code means, and only where the kernel spells one
(semantics.FileContext: a header's macro is the file's own for every statement; a name the model
reads by its spelling that a header declares or defines makes the file unmodelled, naming the
header and the name; a header's declaration competes with the file's function of that name and
may be a type). What cannot be summarised is unknown, with the reason: a header not found (the
message says how to supply it: `-I DIR`), one named by a macro, one that pastes tokens or leaves
brackets open in a macro it uses, a declaring macro used at namespace scope, a declaration in
namespace `pto` or `std`, an explicit specialization, an operator declared at namespace scope, a using-directive for a
namespace neither pto's, std's nor one the headers or the kernel open, or more than
``MAX_INCLUDE_DEPTH`` nested includes or ``MAX_HEADERS`` headers.

Search order, as GCC and Clang do: `#include "x.h"` looks beside the including file first, then
in the include directories (`-I`, in order); `#include <x.h>` in the include directories. The
standard library (`<cstdint>`, `<string.h>`, ...) is not read: it declares only what the C and
C++ standards name (in `std`, or the C library's names at global scope) and reserved
identifiers, and what it writes and defines is two closed lists generated offline
(standard_words.txt, standard_macros.txt: scripts/standard_names.py); pto-isa's headers
(`<pto/...>`, not found or found in a directory that holds pto/pto-inst.hpp) are what
docs/reference/pto-facts.md describes; a `pto/...` header of any other directory is read.
"""
from __future__ import annotations

import os
import re

from .. import regex_cache
from ..pto.ctrl_register import SET_CTRL
from ..pto.ops import PURE_FUNCTIONS, pto_function_names, pto_macro_names
from ..side_files import Unreadable, read_side_file
from ..source import PtofixError, SourceText, Span
from .ctrl_preservation import prove_ctrl_preserved
from .header_scalar_functions import ScalarProof, prove_scalar_function
from .keywords import CPP_KEYWORDS
from .lexical import directive_text, identifiers, names_macro_stack_pragma
from .parser import INCLUDE_DIRECTIVE, parse_cpp
from .preprocessor import read_macro_directive
from .tokens import scan_tokens
from .word_index import masked_tokens_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .model import CppFile

# File names a compiler takes as headers: another translation unit may include them, and its code
# (which the file does not show) then calls the header's static functions and instantiates its
# templates, with its own macros defined first.
HEADER_SUFFIXES = (".h", ".hh", ".hpp", ".hxx", ".h++", ".inc", ".inl", ".ipp", ".tpp", ".cuh")
MAX_INCLUDE_DEPTH = 64        # nested #include levels followed (GCC stops at 200)
MAX_HEADERS = 512             # distinct headers read for one kernel
# A larger header is not read (unknown), nor the headers of one kernel past a total: reading a
# header costs about 2 s and 170 MB a MiB of dense code (`a;a;...`), and 8 MiB took 1.2 GB.
MAX_HEADER_BYTES = 1 << 20
MAX_TOTAL_HEADER_BYTES = 2 << 20

# The C++ standard library headers and the C library's (the `.h` forms, and glibc's `memory.h`,
# which declares what `string.h` does), which define only what the standards name and reserved
# identifiers. `#include "cstdint"` looks beside the kernel and in the include directories first.
STANDARD_HEADERS = frozenset("""
    algorithm any array atomic bit bitset cassert cctype cerrno cfenv cfloat charconv chrono cinttypes
    climits clocale cmath codecvt complex condition_variable csetjmp csignal cstdarg cstddef cstdint
    cstdio cstdlib cstring ctime cuchar cwchar cwctype deque exception execution filesystem
    forward_list fstream functional future initializer_list iomanip ios iosfwd iostream istream
    iterator limits list locale map memory memory_resource mutex new numeric optional ostream queue
    random ratio regex scoped_allocator set shared_mutex sstream stack stdexcept streambuf string
    string_view system_error thread tuple type_traits typeindex typeinfo unordered_map
    unordered_set utility valarray variant vector
    assert.h ctype.h errno.h fenv.h float.h inttypes.h limits.h locale.h math.h setjmp.h signal.h
    stdarg.h stddef.h stdint.h stdio.h stdlib.h string.h time.h uchar.h wchar.h wctype.h memory.h
""".split())

# Macros a kernel and its headers define alike where the compiler lacks them (`#ifndef __gm__`):
# defined to nothing or to bisheng's `[aicore]`, they change no code the model reads.
QUALIFIER_MACROS = frozenset(["__gm__", "__aicore__"])
# What such a definition may expand to and change nothing: nothing, or bisheng's `[aicore]`.
INERT_QUALIFIER = regex_cache.compile(r"(?:\[\s*aicore\s*\])?")

_CCE_VECTOR_FAMILY = regex_cache.compile(r"v[a-z]{1,4}[0-9]*(?:_[a-z0-9]+)*")
_CLASS_KEYS = frozenset(["struct", "class", "union", "enum", "typename", "concept", "namespace"])
_DECLARATOR_FOLLOWERS = frozenset(["(", ")", ";", "=", ",", "[", "{", ":", "}",   # (`enum { A, B }`)
                                   # (`int counter __attribute__((unused)) = 0;`, `int r asm("x1");`)
                                   "__attribute__", "__declspec", "asm", "__asm__", "__asm", "alignas"])


_IDENTIFIER_TOKEN = regex_cache.compile(r"[A-Za-z_$][\w$]*")


def _lexemes(code: str) -> list[str]:
    """Names, `::`, `->` and single punctuation characters of ``code`` (numbers as one lexeme)."""
    out: list[str] = []
    i, n = 0, len(code)
    while i < n:
        ch = code[i]
        if ch.isspace():
            i += 1
            continue
        if ch.isalnum() or ch == "_":
            j = i + 1
            while j < n and (code[j].isalnum() or code[j] == "_"):
                j += 1
            out.append(code[i:j])
            i = j
            continue
        if code.startswith("::", i) or code.startswith("->", i):
            out.append(code[i:i + 2])
            i += 2
            continue
        out.append(ch)
        i += 1
    return out


def _closing_parens(lex: list[str]) -> list[int]:
    """For each `(` of ``lex``, the index just past its `)` (``len(lex)`` when it has none); -1
    elsewhere. One pass: a scan from each `(` to its `)` is quadratic in nested parentheses."""
    closing = [-1] * len(lex)
    open_at: list[int] = []
    for k, word in enumerate(lex):
        if word == "(":
            open_at.append(k)
        elif word == ")" and open_at:
            closing[open_at.pop()] = k + 1
    for k in open_at:
        closing[k] = len(lex)
    return closing


def declared_names(code: str) -> set[str]:
    """The names a namespace-scope declaration in ``code`` may introduce (see the module doc):
    ``code`` holds namespace-scope text only, class and function bodies replaced by `{}`. Not
    counted: a template's parameters (`template <...>`), a function's parameters (a parenthesised
    group after a name holding more than one name; `Foo (x);` and `int (*fp)(int)` declare their
    one name), an initializer (from `=` to the next `,` or `;` outside brackets), a base clause or
    an enumeration's base (from `:` to `{`)."""
    lex = _lexemes(code)
    found: set[str] = set()
    skip = [False] * len(lex)
    # (Linear in the lexemes: a parenthesised group's end, its names and the groups whose
    # contents are skipped are found from these, not by a scan of the group per `(`.)
    closing = _closing_parens(lex)
    names_before = [0]
    for word in lex:
        names_before.append(names_before[-1] + (word[0].isalpha() or word[0] == "_"))
    skipped_groups = [0] * (len(lex) + 1)
    k = 0
    while k < len(lex):
        word = lex[k]
        if word == "using" and lex[k + 1:k + 2] == ["namespace"]:
            # A using-directive (`using namespace pto;`) declares no name ([namespace.udir]): what
            # it makes visible is judged apart (_Header.using_directives).
            while k < len(lex) and lex[k] != ";":
                skip[k] = True
                k += 1
            continue
        if word == "using" and lex[k + 2:k + 3] != ["="]:
            # A using-declaration (`using std::sqrt;`, `using a::b, c::d;`) declares the last name
            # of each qualified name in this scope, though it is written after `::`.
            j = k + 1
            while j < len(lex) and lex[j] != ";":
                if lex[j + 1:j + 2] in ([","], [";"], []) and (lex[j][0].isalpha() or lex[j][0] == "_") \
                        and lex[j] not in CPP_KEYWORDS:
                    found.add(lex[j])
                j += 1
            k = j
            continue
        if word == "template" and k + 1 < len(lex) and lex[k + 1] == "<":
            depth, j = 0, k + 1
            while j < len(lex):
                depth += {"<": 1, ">": -1}.get(lex[j], 0)
                skip[j] = True
                j += 1
                if depth <= 0:
                    break
            k = j
            continue
        if word == "(" and k and (lex[k - 1][0].isalnum() or lex[k - 1][0] == "_" or lex[k - 1] == ")"):
            j = closing[k]
            if j - 1 > k + 1 and names_before[j - 1] - names_before[k + 1] > 1:
                skipped_groups[k + 1] += 1         # (lexemes k+1 .. j-2 are skipped)
                skipped_groups[j - 1] -= 1
            k += 1
            continue
        if word in ("=", ":"):
            depth, j = 0, k + 1
            stops = (",", ";") if word == "=" else ("{", ";")
            while j < len(lex) and not (depth == 0 and lex[j] in stops):
                depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(lex[j], 0)
                skip[j] = True
                j += 1
            k = j
            continue
        k += 1
    inside = 0
    for k in range(len(lex)):
        inside += skipped_groups[k]
        if inside:
            skip[k] = True
    for k, word in enumerate(lex):
        if skip[k] or not (word[0].isalpha() or word[0] == "_") or word in CPP_KEYWORDS:
            continue
        before = lex[k - 1] if k else ""
        after = lex[k + 1] if k + 1 < len(lex) else ""
        if before in ("::", ".", "->") or after == "::":
            continue
        if before in _CLASS_KEYS or after in _DECLARATOR_FOLLOWERS:
            found.add(word)
    return found


class HeaderSummary:
    """What the headers one `#include` of the kernel reads (transitively) may make visible."""

    __slots__ = ("unknown", "missing", "macros", "names", "macro_bodies", "paths", "used", "namespace_words",
                 "pragmas", "open_braces", "function_params", "function_words", "not_functions", "pto_include",
                 "expansion_words", "pto_headers", "ctrl_unproven", "ctrl_relied", "ctrl_bits", "declarers",
                 "scalar_functions")

    def __init__(self) -> None:
        self.unknown = ""                          # why what they define cannot be known ('' if it can)
        self.missing = ""                          # the header not found that is why, by name ('' if another)
        self.macros: dict[str, str] = {}           # macro -> where it is #defined (path:line)
        self.names: dict[str, str] = {}            # namespace-scope name -> where it is declared
        self.macro_bodies: dict[str, list[str]] = {}
        self.paths: list[str] = []                 # the headers read, in order
        self.used: dict[str, str] = {}             # identifier of their code -> a header using it
        self.namespace_words: dict[str, str] = {}  # the same, for those written at namespace scope
        self.pragmas: dict[str, str] = {}          # a pragma that may change code (pragma_may_change_code) -> where
        self.open_braces = ""                      # a header whose braces do not pair up within it ('' if none)
        # A declared name whose every namespace-scope declaration is a plain function
        # (plain_function_params) -> the fewest parameters one of them requires, and the words
        # of those declarations (any of them a macro: not plain after all).
        self.function_params: dict[str, int] = {}
        self.function_words: dict[str, set[str]] = {}
        self.not_functions: set[str] = set()       # declared names declared otherwise too
        self.pto_include = ""                      # a header of them that includes a pto header ('' if none)
        self.expansion_words: dict[str, set[str]] = {}   # macro -> the names its replacement lists write
        self.pto_headers: set[str] = set()         # the pto headers they include, as named (`pto/pto-inst.hpp`)
        # Their writes of CTRL (ctrl_preservation.py): a header whose code names `set_ctrl` without
        # the proof that it leaves the mask mode alone -> why; the names the proofs took at their
        # meaning (no macro may hold them); each bit constant a proof read -> the headers that
        # declare it with the value read; every namespace-scope name -> the headers declaring it.
        self.ctrl_unproven: dict[str, str] = {}
        self.ctrl_relied: set[str] = set()
        self.ctrl_bits: dict[str, dict[str, int]] = {}
        self.declarers: dict[str, set[str]] = {}
        # Each name of ops.PURE_FUNCTIONS (`get_block_idx`) a header declares -> the proof that
        # every definition the headers give it is a scalar read (header_scalar_functions.py): its
        # `why` is '' when proven, else the first header's reason.
        self.scalar_functions: dict[str, ScalarProof] = {}


class _Header:
    """One header's own facts (its includes are followed by the caller)."""

    __slots__ = ("includes", "macros", "names", "unknown", "used", "namespace_words", "namespaces",
                 "using_directives", "bodies", "pragmas", "unpaired", "functions", "expansion_words")

    def __init__(self) -> None:
        self.includes: list[tuple[str, int, bool]] = []   # (spelled, offset, `#include_next`)
        self.macros: dict[str, int] = {}
        self.bodies: dict[str, list[str]] = {}
        self.names: dict[str, int] = {}
        self.unknown = ""
        self.used: set[str] = set()                # every identifier of its code
        self.namespace_words: set[str] = set()     # identifiers written at namespace scope
        self.namespaces: set[str] = set()
        self.using_directives: list[tuple[str, int]] = []
        self.pragmas: dict[str, int] = {}
        self.unpaired = False                      # its braces do not pair up within it
        self.functions: dict[str, tuple[int, set[str]]] = {}   # plain_function_params of its names
        self.expansion_words: dict[str, set[str]] = {}         # macro -> its replacement's names, not parameters


_ATTRIBUTE_WORDS = frozenset(["alignas", "__attribute__", "__declspec"])
_BRACKETED = regex_cache.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def _anonymous_class_head(head: str) -> bool:
    """Whether the text before a `{` at namespace scope (literals blanked) opens an anonymous
    class: a class key, then no name but its attributes (`union alignas(8) {`,
    `union __attribute__((aligned(8))) {`, `union [[gnu::aligned(8)]] {`)."""
    keys = [match.end() for match in re.finditer(r"(?<![\w$])(?:union|struct|class)(?![\w$])", head)]
    if not keys:
        return False
    rest = _outside_brackets(head[keys[-1]:])
    if rest is None:
        rest, previous, rounds = head[keys[-1]:], "", 0
        while rest != previous:          # (innermost brackets first, a bounded number of times)
            rounds += 1
            if rounds > MAX_BRACKET_ROUNDS:
                return True     # (read as anonymous: its members are then namespace-scope names)
            previous, rest = rest, _BRACKETED.sub(" ", rest)
    # raw-text scan: what is left of a class head's text after its brackets
    return not set(identifiers(rest)) - _ATTRIBUTE_WORDS


MAX_BRACKET_ROUNDS = 64      # removals of innermost brackets from a head whose () and [] cross


def _outside_brackets(text: str) -> str | None:
    """``text`` with each outermost `(...)` and `[...]` group a space, as removing innermost
    groups until none is left does, in one pass; None when its brackets do not nest (`( [ ) ]`)
    and so are left to that removal."""
    out: list[str] = []
    stack: list[str] = []
    start = 0
    for at, ch in enumerate(text):
        if ch in "([":
            if not stack:
                out.append(text[start:at])
            stack.append(")" if ch == "(" else "]")
        elif ch in ")]":
            if not stack:
                continue       # (a stray closer is left as it stands)
            if stack[-1] != ch:
                return None
            stack.pop()
            if not stack:
                out.append(" ")
                start = at + 1
    if stack:
        return None
    out.append(text[start:])
    return "".join(out)


def _read_header(text: str, path: str) -> _Header:
    """Scan one header (see the module doc)."""
    facts = _Header()
    tokens = scan_tokens(SourceText(text, path))
    kinds, marks, starts, ends = tokens.kinds, tokens.marks, tokens.starts, tokens.ends
    masked = masked_tokens_text(tokens)
    # Namespace-scope text: the tokens outside class and function bodies (a body becomes `{}`).
    pieces: list[tuple[str, int]] = []
    # Per open brace: True when its contents are at namespace scope (a namespace, `extern "C"`,
    # an unscoped enumeration's or an anonymous union's body), else False.
    scopes: list[bool] = []
    head_start = 0
    balanced = True
    for i in range(len(kinds)):
        kind = kinds[i]
        if kind == "p":
            _read_directive(facts, text, starts[i], ends[i])
            continue
        if kind == "c":
            continue
        at_namespace_scope = all(scopes)
        code = masked[starts[i]:ends[i]]
        if kind in "ws":
            # raw-text scan: one token's text, literals masked
            facts.used.update(identifiers(code))
        mark = marks[i]
        if mark == "{":
            head = masked[head_start:starts[i]] if at_namespace_scope else ""
            # raw-text scan: the text of a head before a brace, literals masked
            words = identifiers(head)
            opens = False
            if at_namespace_scope:
                opens = _opens_namespace_scope(facts, head, words)
                pieces.append((code if opens else "{}", starts[i]))
            scopes.append(opens)
            head_start = ends[i]
            continue
        if mark == "}":
            if not scopes:
                balanced = False      # (read on: the directives after it count all the same)
                continue
            if scopes.pop() and all(scopes):
                pieces.append(("}", starts[i]))      # (a skipped body is `{}` already)
            head_start = ends[i]
            continue
        if mark == ";":
            head_start = ends[i]
        if at_namespace_scope:
            pieces.append((code, starts[i]))
            # raw-text scan: one token's text, literals masked
            facts.namespace_words.update(identifiers(code))
    if names_macro_stack_pragma(text):
        facts.unknown = ("saves or restores a macro (`push_macro`/`pop_macro`): a name of the kernel may then be "
                         "a macro where no #define shows it")
    if scopes or not balanced:
        facts.unpaired = True
        # Braces paired across `#if` branches: every name of the header may be at namespace scope.
        facts.namespace_words = set(facts.used)
        pieces = [(masked[starts[i]:ends[i]], starts[i]) for i in range(len(kinds)) if kinds[i] not in "cp"]
    code = " ".join(piece for piece, _ in pieces)
    offsets: dict[str, int] = {}
    for piece, offset in pieces:
        # raw-text scan: the pieces of namespace-scope text read above
        for word in identifiers(piece):
            offsets.setdefault(word, offset)
    for name in declared_names(code):
        facts.names[name] = offsets.get(name, 0)
    lex = _lexemes(code)
    _read_declaring_lexemes(facts, lex, offsets)
    if not facts.unpaired:
        # (Braces left open: a function body's statements may be read as declarations.)
        _read_plain_functions(facts, lex)
    return facts



def _read_directive(facts: _Header, text: str, start: int, end: int) -> None:
    """What the directive at ``start``..``end`` of a header adds to its facts: an include, a pragma
    that may change code, a macro's definition (or #undef) and the words of its replacement."""
    directive = directive_text(text[start:end])
    included = INCLUDE_DIRECTIVE.match(directive)
    if included:
        facts.includes.append((included.group(1).strip(), start,
                               directive.lstrip("#").lstrip().startswith("include_next")))
    pragma = _PRAGMA.match(directive)
    if pragma and pragma_may_change_code(pragma.group(1)):
        facts.pragmas.setdefault(" ".join(pragma.group(1).split()), start)
    definition = read_macro_directive(directive, Span(start, end))
    if definition is not None:
        facts.macros.setdefault(definition.name, start)
        facts.bodies.setdefault(definition.name, []).append(definition.text if definition.defines else "")
        # (The replacement's preprocessing tokens that are identifiers: `4096u` and `0x1F`
        # are pp-numbers, one token each, no name `u` or `x1F` a lexical word scan finds.)
        facts.expansion_words.setdefault(definition.name, set()).update(
            {token for token in definition.replacement if _IDENTIFIER_TOKEN.fullmatch(token)}
            - set(definition.params or ()))


def _opens_namespace_scope(facts: _Header, head: str, words: list[str]) -> bool:
    """Whether a brace at namespace scope after ``head`` (its ``words``) opens namespace-scope
    contents: a namespace (whose names go to ``facts``), `extern "C"`, an unscoped enumeration's
    or an anonymous class's body."""
    if "namespace" in words:
        after = words[words.index("namespace") + 1:]
        facts.namespaces.update(after)
        return True
    if words[-1:] == ["extern"] or (words and words[0] == "extern" and '"' in head and "(" not in head):
        return True
    if "enum" in words and not {"class", "struct"} & set(words[words.index("enum") + 1:][:1]):
        return True          # an unscoped enumeration: its enumerators are namespace-scope
    return _anonymous_class_head(head)          # an anonymous class: a union's members are namespace-scope


def _read_declaring_lexemes(facts: _Header, lex: list[str], offsets: dict[str, int]) -> None:
    """What a header's namespace-scope lexemes declare that the model cannot follow (an operator,
    an explicit specialization, `using enum`) and its `using namespace` directives."""
    for k, word in enumerate(lex):
        if word == "operator":
            facts.unknown = "declares an operator at namespace scope, which the kernel's expressions may call"
        elif word == "template" and lex[k + 1:k + 3] == ["<", ">"]:
            facts.unknown = "holds an explicit specialization (`template <>`), which may replace pto's code"
        elif word == "using" and lex[k + 1:k + 2] == ["enum"]:
            facts.unknown = "has a `using enum` declaration, which declares the enumeration's enumerators there"
        elif word == "using" and lex[k + 1:k + 2] == ["namespace"]:
            named: list[str] = []
            for m in range(k + 2, len(lex)):      # (no copy of the rest of the lexemes per directive)
                part = lex[m]
                if part == ";":
                    break
                if part != "::":
                    named.append(part)
            facts.using_directives.append(("::".join(named), offsets.get("namespace", 0)))


def _read_plain_functions(facts: _Header, lex: list[str]) -> None:
    """The plain function declarations among a header's declared names (plain_function_params)."""
    occurrences: dict[str, list[int]] = {}
    for k, word in enumerate(lex):
        if word in facts.names:
            occurrences.setdefault(word, []).append(k)
    closing = _closing_parens(lex)
    for name, places in occurrences.items():
        plain = plain_function_params(lex, places, closing)
        if plain is not None:
            facts.functions[name] = plain


# What a plain function declaration's head (before its name) and parameters may hold: words but
# these, and `*`, `&`, `::`, and the quotes of `extern "C"`.
_NOT_PLAIN_DECLARATION_WORDS = frozenset([
    "template", "typedef", "using", "friend", "operator", "decltype", "typeof", "__typeof__", "__typeof",
    "__attribute__", "__declspec", "alignas", "asm", "__asm__", "__asm", "concept", "requires", "enum", "class",
    "struct", "union", "namespace", "return", "auto", "sizeof", "static_assert"])
_PLAIN_HEAD_MARKS = frozenset(["*", "&", "::", '"'])
_PLAIN_PARAM_MARKS = frozenset(["*", "&", "::", ",", "[", "]", "(", ")"])


def plain_function_params(lex: list[str], places: list[int],
                          closing: list[int] | None = None) -> tuple[int, set[str]] | None:
    """(the fewest parameters a declaration requires, the words of the declarations) when every
    occurrence of a name at ``places`` in the namespace-scope lexemes ``lex`` (bodies `{}`) is the
    name of a plain function declaration: unqualified, after a head of specifiers and a return
    type only (no template head, `typedef`, attribute or initializer), before a parameter list of
    no default argument, no `...` and no template argument (whose commas would miscount), then
    `;` or a body. None otherwise: a declaration of another kind may declare the name as anything,
    and a default argument or a pack may make it viable for any call."""
    fewest = -1
    words: set[str] = set()
    if closing is None:
        closing = _closing_parens(lex)
    for k in places:
        if (k and lex[k - 1] in ("::", ".", "->")) or k + 1 >= len(lex) or lex[k + 1] != "(":
            return None
        # (The parameter list's end first: one place a `;` or `{` follows at most, so the walks
        # back to the declaration's start below are linear in all.)
        j = closing[k + 1] - 1           # its `)` (len(lex) - 1 when it has none)
        if j + 1 >= len(lex) or lex[j + 1] not in (";", "{"):
            return None
        start = k
        while start and lex[start - 1] not in (";", "{", "}"):
            start -= 1
        head = lex[start:k]
        params = lex[k + 2:j]
        for parts, marks in ((head, _PLAIN_HEAD_MARKS), (params, _PLAIN_PARAM_MARKS)):
            for part in parts:
                if part[0].isalpha() or part[0] == "_":
                    if part in _NOT_PLAIN_DECLARATION_WORDS:
                        return None
                    words.add(part)
                elif part not in marks and not (marks is _PLAIN_PARAM_MARKS and part[0].isdigit()):
                    return None
        # A single unnamed parameter of a typedef of void (`f(rt_void_t)`, `f(ns::none_t)`) is no
        # parameter ([dcl.fct]): one name alone may be such a type.
        spelled = [part for m, part in enumerate(params) if part != "::" and params[m + 1:m + 2] != ["::"]]
        alone = len(spelled) == 1 and (spelled[0][0].isalpha() or spelled[0][0] == "_")
        required = 0
        if params and not alone:
            required, depth = 1, 0
            for part in params:         # (the commas outside brackets, one pass)
                if part == "," and depth == 0:
                    required += 1
                depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(part, 0)
        fewest = required if fewest < 0 else min(fewest, required)
    return (fewest, words) if fewest >= 0 else None


_PRAGMA = regex_cache.compile(r"#\s*pragma\b(.*)", re.S)
# Pragmas that change no code: a header read once, diagnostics, a system header's warnings.
_INERT_PRAGMA = regex_cache.compile(r"\s*(?:once|(?:GCC|clang)\s+(?:diagnostic|system_header|warning|error)|message)\b")


def pragma_may_change_code(text: str) -> bool:
    """Whether the pragma ``#pragma text`` may change the code that follows it: any but `once`,
    the diagnostic ones and `message` (`pack` lays out the structures after it, `GCC optimize`,
    `STDC FP_CONTRACT` and `clang fp` change how code after it computes)."""
    return _INERT_PRAGMA.match(text) is None


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _names_pto_header(spelled: str) -> bool:
    """Whether ``#include spelled`` names a header of pto-isa's (`<pto/...>`), which is not read."""
    parts = spelled[1:-1].strip().split("/")
    return len(spelled) > 2 and parts[0] == "pto" and len(parts) > 1 and not {"", ".", ".."} & set(parts)


class _DirectoryIndex:
    """Which include directories hold an entry of a given name, from one listing of each
    directory (read when first asked): an `#include` is then looked for only where its first
    path component exists, not with a `stat` in every directory (2,000 missing headers and 5,000
    `-I` directories made ten million). One per read of a kernel's includes: what it lists is
    what the directories held then. (An entry listed is still checked to be a file; a directory
    that cannot be listed holds nothing, as for the compiler.)"""

    def __init__(self, search: tuple[str, ...]) -> None:
        self.search = search
        self._holding: dict[str, list[int]] | None = None

    def holding(self, first: str) -> list[int]:
        """The indices, in order, of the directories of ``search`` with an entry named ``first``."""
        if self._holding is None:
            self._holding = {}
            for index, directory in enumerate(self.search):
                try:
                    entries = os.listdir(directory)
                except (OSError, ValueError):
                    continue
                for entry in entries:
                    self._holding.setdefault(entry, []).append(index)
        return self._holding.get(first, [])


def _find(spelled: str, including: str, search: tuple[str, ...],
          next_after: int | None = None, index_of: _DirectoryIndex | None = None) -> tuple[str, str, int, str]:
    """(path of the header ``#include spelled`` reads, '', index, '') or ('', why it is not read,
    -1, the header's name when it is not found, else '') or ('', '', -1, '') for a header the
    model trusts without reading it (the standard library's, pto's); index: that of the directory
    in ``search`` that holds the header (-1: beside the including file, or an absolute name). The
    name of a header not found is data: the note that asks for its -I names it
    (cpp_fixes.kept_notes, through header_policy.MissingHeaders and the decision's Cause).
    ``next_after``: the directive is `#include_next` in
    ``including``, which was found in ``search[next_after]`` (-1: not through the include
    directories): as GCC and Clang do, only the directories after that one are searched, none
    beside the file, and the including file itself is never found again (GCC's "Wrapper Headers",
    https://gcc.gnu.org/onlinedocs/cpp/Wrapper-Headers.html)."""
    if len(spelled) < 2 or (spelled[0], spelled[-1]) not in (('"', '"'), ("<", ">")):
        return "", f"'#include {spelled}' names its header by a macro", -1, ""
    name = spelled[1:-1].strip()
    parts = name.split("/")
    if not name or {"", ".", ".."} & set(parts[:1]) and not name.startswith(("./", "../")):
        return "", f"'#include {spelled}' names no header", -1, ""
    pto_named = _names_pto_header(spelled)
    if os.path.isabs(name):
        return (name, "", -1, "") if os.path.isfile(name) else ("", f"header '{name}' not found", -1, name)
    beside = spelled[0] == '"' and next_after is None
    first = 0 if next_after is None else next_after + 1
    if index_of is not None and index_of.search is search and parts[0] not in (".", ".."):
        listed = [index for index in index_of.holding(parts[0]) if index >= first]
    else:
        listed = list(range(first, len(search)))
    dirs = ([(-1, os.path.dirname(including) or ".")] if beside else []) + \
        [(index, search[index]) for index in listed]
    itself = os.path.realpath(including) if next_after is not None and including else ""
    for index, directory in dirs:
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate) and os.path.realpath(candidate) != itself:
            if pto_named and os.path.isfile(os.path.join(directory, "pto", "pto-inst.hpp")):
                return "", "", -1, ""     # pto-isa's: what the facts describe
            # (A `pto/...` header of a tree without pto-inst.hpp, the kernel's own `pto/defs.h`,
            # is not pto-isa's: it is read as any other.)
            return candidate, "", index, ""
    if pto_named:
        return "", "", -1, ""         # pto-isa's, where the compiler's own flags find it
    if name in STANDARD_HEADERS:
        return "", "", -1, ""     # the standard library's (a quoted name falls back to it, too)
    where = "beside the including file or in an include directory" if beside else "in an include directory"
    if next_after is not None:
        where = "in an include directory after the including file's (`#include_next`)"
    return "", (f"header '{name}' not found {where}: give its directory with -I DIR "
                "(or the `include` config key)"), -1, name


def read_includes(model: CppFile, search: tuple[str, ...]) -> dict[int, HeaderSummary]:
    """One summary per `#include` of the kernel that reads a header (keyed by its offset in the
    kernel), the headers it reaches included; a header reached before is not read again (its
    names are the earlier include's already)."""
    kernel = model.source.path
    seen: set[str] = set()
    # The macros of the headers read so far (earlier includes' included): a header's code may
    # use a macro an earlier header defines.
    earlier = HeaderSummary()
    out: dict[int, HeaderSummary] = {}
    total = header_bytes = 0
    index_of = _DirectoryIndex(search)
    for spelled, offset in model.includes:
        # (`#include_next` in the kernel itself is an `#include`, as in any file not found
        # through the include directories.)
        path, why, index, missing = _find(spelled, kernel if kernel != "<stdin>" else "", search, index_of=index_of)
        if not path and not why:
            continue
        summary = HeaderSummary()
        out[offset] = summary
        if why:
            summary.unknown = why
            summary.missing = missing
            continue
        # (An explicit stack, not recursion: the depth is the input's.)
        stack: list[tuple[str, int, int]] = [(path, 0, index)]
        while stack and not summary.unknown:
            current, depth, found_in = stack.pop()
            real = os.path.realpath(current)
            if real in seen:
                continue          # read already (`#pragma once`, an include guard, a cycle)
            seen.add(real)
            total += 1
            if depth > MAX_INCLUDE_DEPTH or total > MAX_HEADERS:
                summary.unknown = (f"'{current}': more than {MAX_INCLUDE_DEPTH} nested includes or "
                                   f"{MAX_HEADERS} headers (not read further)")
                break
            try:
                # (The one reader of files besides the inputs: regular files only, never waiting
                # on a FIFO or /proc/kmsg, bounded; the header noted in the job's record as an input of the run.)
                text = read_side_file(current, limit=MAX_HEADER_BYTES, record=model.reads).decode("utf-8")
            except Unreadable as exc:
                summary.unknown = f"'{current}' is not read: {exc.reason}"
                break
            except UnicodeError as exc:
                summary.unknown = f"'{current}' cannot be read ({exc.__class__.__name__})"
                break
            header_bytes += len(text)
            if header_bytes > MAX_TOTAL_HEADER_BYTES:
                summary.unknown = (f"'{current}': the kernel's headers hold more than {MAX_TOTAL_HEADER_BYTES} "
                                   "bytes (not read further)")
                break
            try:
                facts = _read_header(text, current)
            except PtofixError as exc:
                summary.unknown = f"'{current}' is not read: {exc.diagnostic.message}"
                break
            summary.paths.append(current)
            if facts.unknown:
                summary.unknown = f"'{current}' {facts.unknown}"
                break
            _add_header_facts(summary, facts, current, text)
            opened = {"pto", "std"} & facts.namespaces
            if opened:
                summary.unknown = (f"'{current}' declares in namespace '{min(opened)}': an overload or a "
                                   "specialization there may change what pto's ops or the kernel's calls run")
                break
            unknown_using = _unknown_using_directive(facts, current, model)
            if unknown_using:
                summary.unknown = unknown_using
            for nested, at, next_one in reversed(facts.includes):
                found, why, index, missing = _find(nested, current, search, found_in if next_one else None,
                                                   index_of)
                if why:
                    summary.unknown = f"{current}:{_line(text, at)}: {why}"
                    summary.missing = missing
                    break
                if found:
                    stack.append((found, depth + 1, index))
                elif _names_pto_header(nested):
                    summary.pto_headers.add(nested[1:-1].strip())
                    if not summary.pto_include:
                        summary.pto_include = current
        for name, bodies in summary.macro_bodies.items():
            earlier.macro_bodies.setdefault(name, []).extend(bodies)
            earlier.expansion_words.setdefault(name, set()).update(summary.expansion_words.get(name, set()))
            earlier.macros.setdefault(name, summary.macros[name])
        if not summary.unknown:
            summary.unknown = _dangerous_macros(summary, earlier)
        if not summary.unknown:
            _names_declared_through_macros(summary, earlier)
    return out


def _add_header_facts(summary: HeaderSummary, facts: _Header, current: str, text: str) -> None:
    """Add what the header ``current`` (its ``text``) defines, declares and uses to the summary of
    the include that reached it (the first header to name a thing is where it comes from)."""
    for name, at in facts.macros.items():
        summary.macros.setdefault(name, f"{current}:{_line(text, at)}")
        summary.macro_bodies.setdefault(name, []).extend(facts.bodies.get(name, []))
        summary.expansion_words.setdefault(name, set()).update(facts.expansion_words.get(name, set()))
    for name, at in facts.names.items():
        summary.names.setdefault(name, f"{current}:{_line(text, at)}")
        summary.declarers.setdefault(name, set()).add(current)
        plain = facts.functions.get(name)
        if plain is None:
            summary.not_functions.add(name)
        else:
            fewest, words = plain
            summary.function_params[name] = min(fewest, summary.function_params.get(name, fewest))
            summary.function_words.setdefault(name, set()).update(words)
    for name in sorted(PURE_FUNCTIONS & set(facts.names)):
        proof = prove_scalar_function(text, current, name)
        known = summary.scalar_functions.get(name)
        if known is None or not proof.why and not known.why:
            summary.scalar_functions[name] = ScalarProof(
                proof.why, proof.words | (known.words if known else frozenset()),
                proof.types | (known.types if known else frozenset()))
        elif not known.why:
            summary.scalar_functions[name] = proof
    for pragma, at in facts.pragmas.items():
        summary.pragmas.setdefault(pragma, f"{current}:{_line(text, at)}")
    if facts.unpaired and not summary.open_braces:
        summary.open_braces = current
    for word in facts.used:
        summary.used.setdefault(word, current)
    if any(SET_CTRL in word for word in facts.used):
        _read_ctrl_writes(summary, current, text)
    for word in facts.namespace_words:
        summary.namespace_words.setdefault(word, current)


def _read_ctrl_writes(summary: HeaderSummary, current: str, text: str) -> None:
    """Record in the summary whether the header ``current`` (its ``text``), whose code names
    `set_ctrl`, writes CTRL only as ctrl_preservation proves harmless to the mask mode."""
    try:
        proof = prove_ctrl_preserved(parse_cpp(SourceText(text, current)))
    except PtofixError as exc:
        summary.ctrl_unproven.setdefault(current, f"not read ({exc.diagnostic.message})")
        return
    if proof.why:
        summary.ctrl_unproven.setdefault(current, proof.why)
        return
    summary.ctrl_relied.update(proof.relied_names)
    for name, value in proof.bit_names.items():
        summary.ctrl_bits.setdefault(name, {})[current] = value


def _unknown_using_directive(facts: _Header, current: str, model: CppFile) -> str:
    """Why a using-directive of the header ``current`` makes it Unknown: one for a namespace
    other than pto or std that neither the header nor the kernel declares ("" if none)."""
    for used, _ in facts.using_directives:
        if used not in ("pto", "std") and used.split("::")[0] not in facts.namespaces | model.namespaces:
            return (f"'{current}' has a using-directive for the namespace '{used}', "
                    "whose names are not known")
    return ""

def _names_declared_through_macros(summary: HeaderSummary, earlier: HeaderSummary) -> None:
    """Add to the summary's declared names those the macros its namespace scope writes expand to
    (through any chain of macros; its own or ``earlier``'s, the headers read before): `#define
    RT_VADD vadd` then `void RT_VADD(...);` declares `vadd`. Such a name, and one whose plain
    function declaration writes such a macro, may be declared as anything (not a plain function)."""
    expansions = earlier.expansion_words   # (the summary's own macros are in it already)
    reached = set(summary.namespace_words) & expansions.keys()
    todo = sorted(reached)
    while todo:                       # a work list: a chain of macros of any length is no recursion
        name = todo.pop()
        for word in sorted(expansions[name]):
            if word in CPP_KEYWORDS:
                continue
            if word not in summary.names:
                summary.names[word] = f"{earlier.macros[name]} (through the macro '{name}')"
            summary.not_functions.add(word)
            if word in expansions and word not in reached:
                reached.add(word)
                todo.append(word)
    # A plain function's declaration that writes a macro (`int32_t f(int64_t* a RT_DEFAULT);`,
    # `RT_DEFAULT` an earlier header's `= 0`) may be anything; a qualifier defined alike aside.
    for name, words in summary.function_words.items():
        if any(word not in QUALIFIER_MACROS or not all(INERT_QUALIFIER.fullmatch(body)
                                                       for body in earlier.macro_bodies.get(word, []))
               for word in words & expansions.keys()):
            summary.not_functions.add(name)


_PRAGMA_OPERATORS = frozenset(["_Pragma", "__pragma"])


def pragma_operator_used(summary: HeaderSummary) -> str:
    """How the code of the headers the summary covers uses a pragma operator (`_Pragma`, MSVC's
    `__pragma`), whose pragma ptofix does not read: written there, or in the body of a macro
    their code uses (through any chain of macros); '' if it does not."""
    reached = set(summary.used)
    todo = sorted(reached & summary.macro_bodies.keys())
    while todo:                       # a work list: a chain of macros of any length is no recursion
        name = todo.pop()
        for body in summary.macro_bodies[name]:
            # raw-text scan: a macro's replacement text (a header summary keeps it as text)
            for word in identifiers(body):
                if word not in reached:
                    reached.add(word)
                    if word in summary.macro_bodies:
                        todo.append(word)
    found = sorted(reached & _PRAGMA_OPERATORS)
    if not found:
        return ""
    if found[0] in summary.used:
        return f"'{summary.used[found[0]]}' writes `{found[0]}`"
    return f"a macro the code of '{summary.paths[0]}' or the headers it includes uses expands to `{found[0]}`"


def _dangerous_macros(summary: HeaderSummary, earlier: HeaderSummary) -> str:
    """Why a macro the header uses (its own or ``earlier``'s, the headers read before) may declare
    names nobody spells ('' if none may): one that pastes tokens or leaves a bracket open, used
    anywhere in its code; one whose body holds a brace, a ';' or a declaration keyword, used at
    namespace scope."""
    bodies = earlier.macro_bodies          # (the summary's own macros are in it already)
    for name in sorted(summary.used.keys() & bodies.keys()):
        for body in bodies[name]:
            if "##" in body or any(body.count(a) != body.count(b) for a, b in ("()", "[]", "{}")):
                return (f"'{summary.used[name]}' uses the macro '{name}', which pastes tokens or leaves a "
                        "bracket open: its uses may declare any name")
    for name in sorted(summary.namespace_words.keys() & bodies.keys()):
        for body in bodies[name]:
            # raw-text scan: a macro's replacement text (a header summary keeps it as text)
            words = set(identifiers(body))
            if any(ch in body for ch in "{};") or words & _CLASS_KEYS or words & {"typedef", "using"}:
                return (f"'{summary.namespace_words[name]}' uses the macro '{name}' at namespace scope, whose "
                        "expansion may declare any name")
    return ""


# -- closed lists: what the standard library and the toolchain may declare ----------------------
# Macros of the C and C++ standard libraries that are not spelled in capitals: C11 7.x and C++
# [headers] (those in capitals are listed in standard_macros.txt or form a reserved family).
_STANDARD_LOWERCASE_MACROS = frozenset("""
    assert errno offsetof setjmp va_arg va_copy va_end va_start stdin stdout stderr
    fpclassify isfinite isinf isnan isnormal signbit isgreater isgreaterequal isless islessequal
    islessgreater isunordered math_errhandling alignas alignof bool true false complex imaginary
    static_assert noreturn thread_local and and_eq bitand bitor compl not not_eq or or_eq xor xor_eq
""".split())

# The macro names the C and POSIX standards reserve for their headers' future use, in capitals
# (a standard header may define one in a later version, or glibc under another configuration):
# C17 7.31 "Future library directions" (https://port70.net/~nsz/c/c11/n1570.html#7.31, and C23
# 7.33): `E` and a digit or capital (<errno.h>), `FE_` (<fenv.h>), `PRI`/`SCN` and a lower-case
# letter or X (<inttypes.h>), `LC_` (<locale.h>), `SIG`/`SIG_` and a capital (<signal.h>), `INT`
# or `UINT` ... `_MAX`/`_MIN`/`_C`/`_WIDTH` (<stdint.h>), `ATOMIC_` (<stdatomic.h>), `TIME_`
# (<time.h>), `FP_` (<math.h>), `DBL_`/`FLT_`/`LDBL_` (<float.h>); POSIX.1-2017 XSH 2.2.2 "The
# Name Space" (https://pubs.opengroup.org/onlinepubs/9699919799/functions/V2_chap02.html#tag_15_02_02)
# for the POSIX headers the C++ library includes on glibc (<signal.h>: `SA_`, `SI_`, `SS_`,
# `SV_`, `ILL_`, `FPE_`, `SEGV_`, `BUS_`, `TRAP_`, `CLD_`, `POLL_`; <limits.h>: any name ending
# in `_MAX`, and <float.h>/<limits.h>'s `_MIN`), and the `POSIX_` prefix (XBD 13); glibc's manual
# lists the same ("Reserved Names",
# https://www.gnu.org/software/libc/manual/html_node/Reserved-Names.html); the XSI <math.h>
# constants `M_PI`... and the thread headers' `PTHREAD_`, `SCHED_`, `CLOCK_`, `TIMER_` are
# glibc's own families.
_RESERVED_MACRO_FAMILY = regex_cache.compile(r"""
      E[0-9A-Z]\w*
    | (?:FE|LC|FP|ATOMIC|TIME|DBL|FLT|LDBL|SIG|SA|SI|SS|SV|ILL|FPE|SEGV|BUS|TRAP|CLD|POLL|POSIX|M
         |PTHREAD|SCHED|CLOCK|TIMER)_[0-9A-Z]\w*
    | SIG[A-Z]\w*
    | (?:PRI|SCN)[a-zX]\w*
    | U?INT\w*_(?:C|WIDTH)
    | [0-9A-Z_]*_(?:MAX|MIN)
""", re.X)
# An include guard's name (`ENCODER_H`, `MY_KERNEL_HPP`): no macro the C, C++ or POSIX standards
# define ends so, other than reserved ones (`__STDC_VERSION_STDIO_H__`), so a family's name of
# that shape is not taken as a standard macro (a listed one is).
_INCLUDE_GUARD_NAME = regex_cache.compile(r"[A-Za-z0-9]_(?:H|HH|HPP|HXX)_?\Z")


def reserved_identifier(name: str) -> bool:
    """A name reserved to the implementation for any use ([lex.name], C11 7.1.3): it holds a double
    underscore, or starts with an underscore and a capital (the compiler's and the libraries' own)."""
    return "__" in name or (len(name) > 1 and name[0] == "_" and name[1].isupper())


def _read_list(filename: str) -> frozenset[str]:
    """The names of a list beside this module (a name a line, '#' lines left out)."""
    with open(os.path.join(os.path.dirname(__file__), filename), encoding="utf-8") as handle:
        return frozenset(" ".join(line for line in handle.read().splitlines() if not line.startswith("#")).split())


_LISTS: dict[str, frozenset[str]] = {}


def standard_macro_names() -> frozenset[str]:
    """The macros the standard library headers define or write in capitals, reserved names aside
    (standard_macros.txt, generated by scripts/standard_names.py from g++'s headers)."""
    if "macros" not in _LISTS:
        _LISTS["macros"] = _read_list("standard_macros.txt")
    return _LISTS["macros"]


def standard_header_words() -> frozenset[str]:
    """The identifiers the standard library headers write, reserved names aside
    (standard_words.txt, generated by scripts/standard_names.py from g++'s headers): the names
    through which their code sees a macro or a declaration that comes before them."""
    if "words" not in _LISTS:
        _LISTS["words"] = _read_list("standard_words.txt")
    return _LISTS["words"]


def may_be_standard_macro(name: str) -> bool:
    """Whether the standard library (a header the model trusts without reading it) may define or
    test a macro ``name``: one of the few the standards spell in lower case, one its headers define
    or write in capitals (standard_macros.txt), a reserved identifier, or a name of a family the
    standards reserve for their macros (`EOF`, `ERANGE`, `INT8_MAX`, `SIGINT`). Any other name in
    capitals (`MY_RUNTIME_FLAG`) is not one: the standards fix what their headers define."""
    return name in _STANDARD_LOWERCASE_MACROS or name in standard_macro_names() or reserved_identifier(name) \
        or (_RESERVED_MACRO_FAMILY.fullmatch(name) is not None and not _INCLUDE_GUARD_NAME.search(name))


def standard_headers_may_see(name: str) -> bool:
    """Whether the standard library's code may see a macro or a namespace-scope declaration
    ``name`` that comes before its headers: a name they write (standard_words.txt), one they may
    define or test as a macro, or one reserved to them (any name starting with an underscore:
    those at global scope are theirs too)."""
    return name in standard_header_words() or may_be_standard_macro(name) or name.startswith("_")


def may_be_command_line_macro(name: str) -> bool:
    """Whether ``name`` may be a macro the compiler's command line defines, which ptofix does not
    see: a name in capitals (ptoas and PyPTO spell their `-D` macros so)."""
    return name.upper() == name


# Functions the C library declares at global scope (what `<cmath>`, `<cstring>`... bring there
# in practice, through the `.h` headers): a kernel's function of one of these names may lose
# overload resolution to the library's.
STANDARD_C_FUNCTIONS = frozenset("""
    abort abs acos acosf acosh asin asinf asinh atan atan2 atan2f atanf atanh atexit atof atoi atol
    atoll bsearch calloc cbrt ceil ceilf clock copysign cos cosf cosh div erf erfc exit exp exp2 expf
    expm1 fabs fabsf fdim floor floorf fma fmax fmaxf fmin fminf fmod fmodf free frexp getenv hypot
    ilogb labs ldexp ldiv llabs llrint llround log log10 log1p log2 logb logf lrint lround malloc
    memchr memcmp memcpy memmove memset modf nan nearbyint nextafter perror pow powf printf putchar
    puts qsort rand realloc remainder remquo rint round roundf scalbn sin sinf sinh snprintf sprintf
    sqrt sqrtf srand strcat strchr strcmp strcpy strcspn strerror strlen strncat strncmp strncpy
    strpbrk strrchr strspn strstr strtod strtof strtok strtol strtoll strtoul strtoull system tan
    tanf tanh tgamma time trunc truncf fprintf fputs fwrite fread fopen fclose fflush getchar
    isalnum isalpha isdigit islower isspace isupper tolower toupper max min swap
""".split())


def toolchain_may_declare(name: str) -> bool:
    """Whether the toolchain may declare a global function ``name`` a kernel's call could reach
    instead of the kernel's own: a name pto-isa's headers declare, call or define (the lists in
    ptofix/pto, which hold the CCE intrinsics pto-isa's code and CPU stubs call), a name of the
    CCE vector-intrinsic family (`v`, a mnemonic of at most four letters, then lower-case words:
    `vrec`, `vconv_f322f16`, many of which
    pto-isa never calls), a C library function, or a reserved identifier (the compiler's
    builtins). Any other name no toolchain header declares."""
    return name in pto_function_names() or name in pto_macro_names() or name in STANDARD_C_FUNCTIONS \
        or _CCE_VECTOR_FAMILY.fullmatch(name) is not None or reserved_identifier(name)


def named_as_header(path: str) -> bool:
    """Whether a compiler takes the file ``path`` for a header (HEADER_SUFFIXES): other files may
    #include it, so it is no whole translation unit."""
    return path.lower().endswith(HEADER_SUFFIXES)
