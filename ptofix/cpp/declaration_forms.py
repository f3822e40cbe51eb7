"""The declaration forms the structure parser (parser.py) reads exactly from a declaration's text:
a function definition's head (FunctionHead), its parameter list (ParamDecl), and the form of a
file-scope declaration (GlobalDecl: a using-directive, a scoped enum, a plain struct, a traits
class, an alias template, ... or left to the statement grammar)."""
from __future__ import annotations

from sys import intern

from .. import regex_cache
from ..source import Span
from .lexical import (
    COMMENT_OR_LITERAL_OR_UNCLOSED,
    identifiers,
    masked_literals,
    replace_comments_and_literals,
    strip_comments,
    trailing_word_start,
)
from .model import (
    ALIAS_TEMPLATE,
    BRACKETED,
    EXPLICIT_INSTANTIATION,
    PLAIN_STRUCT,
    SCOPED_ENUM,
    STATEMENT,
    STATIC_ASSERT,
    USING_NAMESPACE,
    USING_PTO_NAME,
    FunctionHead,
    GlobalDecl,
    ParamDecl,
    SimpleStmt,
    pack_span,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Final


def _blank_comment(found: str) -> str:
    """A comment as blanks of its length, a literal as it is (replace_comments_and_literals)."""
    return found if found[0] in "\"'" else " " * len(found)


def read_parameters(text: str, start: int, end: int) -> tuple[ParamDecl, ...]:
    """The parameters of the list ``text[start:end]`` (inside its parentheses), each with its
    span in ``text``. A parameter ends at a comma outside (), <> and [] and outside comments (a
    default argument's `1 << 4` counts as brackets too: the parameters around such a comma then
    read as one text, which the grammar reads as no declaration, so every word of it may be a
    name declared); a last parameter `void` or an empty last one is no parameter."""
    raw = text[start:end]
    code = replace_comments_and_literals(raw, _blank_comment) if "/" in raw else raw
    bounds: list[tuple[int, int]] = []
    depth = 0
    part_start = 0
    for at, ch in enumerate(code):
        if ch in "(<[":
            depth += 1
        elif ch in ")>]":
            depth -= 1
        elif ch == "," and depth == 0:
            bounds.append((part_start, at))
            part_start = at + 1
    last = code[part_start:].strip()
    if last and last != "void":
        bounds.append((part_start, len(code)))
    out: list[ParamDecl] = []
    for first, stop in bounds:
        part = code[first:stop]
        first += len(part) - len(part.lstrip())
        stop = max(first, stop - (len(part) - len(part.rstrip())))
        written = raw[first:stop]
        # raw-text scan: a parameter's text from the head (the structural parser's tokens do not split a head
        # into parameters)
        # (Interned, as the words below: kernels repeat their parameters, and the model keeps
        # every function's; one string each saves ~1.5 MiB at 5 MB of input.)
        declared = intern(strip_comments(written))
        offsets: list[tuple[int, int]] = []
        if declared != written:
            folded = 0          # characters the comments before here lost in ``declared``
            for match in COMMENT_OR_LITERAL_OR_UNCLOSED.finditer(written):
                if match.lastindex is not None:
                    break       # an unclosed literal or comment: no offsets past it
                if match.group()[0] == "/":
                    folded += len(match.group()) - 1
                    offsets.append((match.end() - folded, start + first + match.end()))
        # raw-text scan: the words of the parameter's text read above
        out.append(ParamDecl(Span(start + first, start + stop), declared, tuple(map(intern, identifiers(declared))),
                             tuple(offsets)))
    return tuple(out)


# The file-scope declarations ptoas writes that the parser reads exactly: a using-directive and a
# scoped enumeration of plain enumerators (`enum class PTOAutoSyncTailMode : int {...};`).
_USING_DIRECTIVE: Final = regex_cache.compile(r"\s*using\s+namespace\s+(?:::\s*)?[A-Za-z_]\w*"
                                       r"(?:\s*::\s*[A-Za-z_]\w*)*\s*;\s*\Z")
_SCOPED_ENUM: Final = regex_cache.compile(r"\s*enum\s+(?:class|struct)\s+([A-Za-z_]\w*)\s*(?::\s*[A-Za-z_]\w*\s*)?"
                                   r"\{[\s\w=,+-]*\}\s*;\s*\Z")


# An attribute-specifier-seq of attributes without arguments (`[[block_local]]`, `[[gnu::unused,
# maybe_unused]]`), no comment inside: what a file-scope declaration may start with and still be
# read (GlobalDecl.attributes; which attributes leave it modelled: header_policy._unread_declaration).
_ATTRIBUTE_SEQ: Final = regex_cache.compile(r"\s*(?:\[\[[\s\w:,]*\]\]\s*)+")


def read_global(stmt: SimpleStmt) -> GlobalDecl:
    """A file-scope declaration's form (GlobalDecl): read exactly, left to the statement grammar,
    or not read (a brace, parenthesis or bracket). Leading attributes of a simple form are kept
    apart, and the declaration after them read so."""
    attributes = _ATTRIBUTE_SEQ.match(stmt.text)
    if attributes is not None and attributes.end() < len(stmt.text):
        span = stmt.span
        decl = _read_global(SimpleStmt(pack_span(span.start + attributes.end(), span.end), stmt.file_text))
        decl.attributes = " ".join(attributes.group().split())
        return decl
    return _read_global(stmt)


def _read_global(stmt: SimpleStmt) -> GlobalDecl:
    # raw-text scan: a file-scope declaration's text, read once when the model is built (GlobalDecl keeps it)
    text = strip_comments(stmt.text)
    # raw-text scan: the words of the declaration's text read above
    words = tuple(identifiers(text))
    if _USING_DIRECTIVE.match(text):
        return GlobalDecl(stmt, text, words, USING_NAMESPACE, words[2:])
    enum = _SCOPED_ENUM.match(text)
    if enum is not None:
        return GlobalDecl(stmt, text, words, SCOPED_ENUM, (enum.group(1),))
    plain = _PLAIN_STRUCT.match(text)
    # raw-text scan: a piece of the declaration's text, comments already removed
    if plain is not None and _STRUCT_BODY_WORDS.isdisjoint(identifiers(plain.group(2) or "")):
        return GlobalDecl(stmt, text, words, PLAIN_STRUCT, (plain.group(1),))
    traits = traits_class(text)
    if traits:
        return GlobalDecl(stmt, text, words, PLAIN_STRUCT, (traits,))
    if any(ch in text for ch in "{}[]"):
        # (A brace or bracket makes no alias or plain variable: not read, and no grammar load.)
        return GlobalDecl(stmt, text, words, BRACKETED)
    # raw-text scan: the declaration's brackets outside literals (comments already removed)
    if _STATIC_ASSERT.match(text) and _closes_at_end(masked_literals(text), text.index("(")):
        return GlobalDecl(stmt, text, words, STATIC_ASSERT)
    using_pto = USING_PTO_DECLARATION.match(text)
    if using_pto is not None:
        return GlobalDecl(stmt, text, words, USING_PTO_NAME, ("pto", using_pto.group(1)))
    if _EXPLICIT_INSTANTIATION.match(text):
        return GlobalDecl(stmt, text, words, EXPLICIT_INSTANTIATION)
    heads = PLAIN_TEMPLATE_HEADS.match(text)
    if heads is not None and heads.end() > 0:
        alias = _ALIAS_TAIL.match(text, heads.end())
        # raw-text scan: the rest of the declaration's text, comments already removed
        if alias is not None and "(" not in text and "template" not in identifiers(text, heads.end()):
            return GlobalDecl(stmt, text, words, ALIAS_TEMPLATE, (alias.group(1),))
        return GlobalDecl(stmt, text, words, BRACKETED)
    # (Parentheses: read only where the grammar finds them in a copy-initializer, GlobalDecl.declarator.)
    return GlobalDecl(stmt, text, words, STATEMENT)


# `static_assert(...)` / `static_assert(...);`: its parentheses close at the declaration's end
# (_closes_at_end): it declares nothing ([dcl.pre]: a static_assert-declaration).
_STATIC_ASSERT: Final = regex_cache.compile(r"\s*static_assert\s*\(")
# `template void f<int>(...);`, `extern template class S<int>;`: the keyword not followed by `<`.
_EXPLICIT_INSTANTIATION: Final = regex_cache.compile(r"\s*(?:extern\s+)?template(?![\w$])(?!\s*<)")
# A class definition of plain data members (`struct W { uint32_t a, b; int c[4]; };`), no base,
# nothing after its '}' but the ';' (group 1: its name, group 2: its body).
# A forward declaration (`struct W;`) declares the name only, as a type.
_PLAIN_STRUCT: Final = regex_cache.compile(
    r"\s*(?:struct|class|union)\s+([A-Za-z_]\w*)\s*(?:\{([\w\s*,;\[\]]*)\}\s*)?;\s*\Z")
# Words that make a plain body declare or run something: nested or friend declarations, static
# members, templates, operators.
_STRUCT_BODY_WORDS: Final = frozenset(["friend", "template", "typedef", "using", "enum", "struct", "class", "union",
                                "operator", "static_assert", "static", "virtual", "namespace", "typename",
                                "public", "private", "protected", "alignas", "decltype", "auto"])
# A class definition after plain template heads (or none), nothing after its '}' but ';'. Group 3:
# its base clause (`struct D : B {...};`, no brace or ';' in it), checked like the members.
_CLASS_DEFINITION = regex_cache.compile(r"(?:struct|class)\s+([A-Za-z_]\w*)\s*(?::([^{};]*))?\{([^{}]*)\}\s*;\s*\Z")
# Words by which a member declaration may declare a name outside its class: a friend declaration,
# an elaborated type specifier (`using P = struct TMUL*;` declares TMUL in the namespace), or one
# the model does not read.
_LEAKING_MEMBER_WORDS: Final = frozenset(["friend", "struct", "class", "union", "enum", "namespace", "asm", "concept",
                                   "requires", "extern"])


def traits_class(text: str) -> str:
    """The name a class (template) definition whose members are all declared in its braces
    declares: `template <int QT> struct PAConfig { static constexpr int N = QT / 2; using P =
    TPipe<...>; };`, a traits class of hand-written kernels. Its members live in its scope and
    leak no name (no friend, no elaborated type specifier, no nested class); no member function
    body, initializer list or lambda (no brace in it). '' when ``text`` is no such definition."""
    heads = PLAIN_TEMPLATE_HEADS.match(text)
    at = heads.end() if heads is not None else len(text) - len(text.lstrip())
    definition = _CLASS_DEFINITION.match(text, at)
    # raw-text scan: pieces of the declaration's text, comments already removed
    if definition is None or not _LEAKING_MEMBER_WORDS.isdisjoint(identifiers(definition.group(3))) \
            or not _LEAKING_MEMBER_WORDS.isdisjoint(identifiers(definition.group(2) or "")):
        return ""
    return definition.group(1)


# `using pto::X;` / `using ::pto::X;`: one of pto's own names, not a nested namespace's.
USING_PTO_DECLARATION: Final = regex_cache.compile(r"\s*using\s+(?:::\s*)?pto\s*::\s*([A-Za-z_]\w*)\s*;\s*\Z")
# An alias-declaration after plain template heads: `using X = ...;` (the type is not read).
_ALIAS_TAIL: Final = regex_cache.compile(r"\s*using\s+([A-Za-z_]\w*)\s*=(?!=)[^;]*;\s*\Z")


def _closes_at_end(text: str, open_at: int) -> bool:
    """Whether the parenthesis at ``open_at`` closes at ``text``'s end (only `;` and blanks after it)."""
    depth = 0
    for at in range(open_at, len(text)):
        depth += {"(": 1, ")": -1}.get(text[at], 0)
        if depth == 0:
            return text[at + 1:].strip() in ("", ";")
    return False


# A template parameter read exactly: one type word (`typename`, `class` or a name, qualified or
# not; `...` for a pack) and the parameter's own name.
_PLAIN_PARAM: Final = r"(?:typename|class|[A-Za-z_]\w*(?:\s*::\s*[A-Za-z_]\w*)*)(?:\s*\.\.\.)?\s+[A-Za-z_]\w*"
# Each parameter is read once (an atomic group, possessive repeats): `typename` and `class` are
# also names, so a list that fails late (`typename T0, ..., unsigned int N`) was tried again in
# every way of reading each parameter, exponential in their count. A parameter ends at the end
# of a name, before `,`, `>` or blanks, so the first way it is read is the only one.
PLAIN_TEMPLATE_HEADS: Final = regex_cache.compile(
    rf"\s*+(?:template\s*+<\s*+(?:(?>{_PLAIN_PARAM})(?:\s*+,\s*+(?>{_PLAIN_PARAM}))*+)?+\s*+>\s*+)++")
_TEMPLATE_LIST: Final = regex_cache.compile(r"template\s*<([^<>]*)>")


def read_head(head: str, name: str, params_at: int, params_end: int, qualified: bool) -> FunctionHead:
    """A function definition's head (FunctionHead): ``params_at`` is the offset of its parameter
    list's '(' in ``head``, ``params_end`` the offset past its ')'."""
    # raw-text scan: a function head's text, read once when the model is built (FunctionHead keeps its words)
    text = strip_comments(head)
    # raw-text scan: the head's text with literals masked, offsets kept (the tokens do not split a head)
    decl = masked_literals(head)[:params_at].rstrip()
    before_name = decl[:len(decl) - len(name)] if decl.endswith(name) else decl
    template_params, after_templates = template_heads(before_name)
    # raw-text scan: the head's text after its parameters
    after_params = strip_comments(head[params_end:])
    arrow = after_params.find("->")
    # raw-text scan: the words of the head's text read above
    # (Its strings interned, as a parameter's: see read_parameters.)
    return FunctionHead(intern(text), tuple(map(intern, identifiers(text))), intern(before_name), template_params,
                        intern(after_templates), member_owner(text, name) if qualified else "",
                        after_params[arrow + 2:].strip() if arrow >= 0 else "",
                        tuple(map(intern, identifiers(before_name))), tuple(map(intern, identifiers(after_templates))))


def template_heads(decl: str) -> tuple[tuple | None, str]:
    """(the words of each template parameter, the rest of the declaration) for a declaration before
    its name: ``((), decl)`` when it is no template; ``(None, '')`` when its template heads are not
    plain parameters only (_PLAIN_PARAM), one after another at its start. Anything else is not
    split as the compiler does: a `>` inside braces or a template argument (`enable_if_t<bool{N >
    0}, pipe_t> P`, `N >= 1`), a macro beside the name (`pipe_t P PTO_INST_HPP` declares P),
    defaults, attributes."""
    # raw-text scan: a declaration's text, comments already removed
    if "template" not in identifiers(decl):
        return (), decl
    heads = PLAIN_TEMPLATE_HEADS.match(decl)
    # raw-text scan: the declaration's text, comments already removed
    if heads is None or "template" in identifiers(decl, heads.end()):
        return None, ""
    # raw-text scan: a template parameter's text, comments already removed
    params = tuple(tuple(identifiers(param)) for listed in _TEMPLATE_LIST.finditer(decl, 0, heads.end())
                   for param in listed.group(1).split(","))
    return params, decl[heads.end():]


def member_owner(head: str, name: str) -> str:
    """The scope that qualifies a definition's name: 'K' for `void K::run(...)`, 'c' for
    `void b::c<T>::g()`."""
    at = head.find("(")
    before = head[:at if at >= 0 else len(head)].rstrip()
    before = before[:len(before) - len(name)].rstrip() if before.endswith(name) else before
    before = before.removesuffix("~").rstrip().removesuffix("::").rstrip()
    if before.endswith(">"):
        depth, k = 0, len(before) - 1
        while k >= 0:
            depth += {">": 1, "<": -1}.get(before[k], 0)
            if depth == 0:
                break
            k -= 1
        before = before[:k].rstrip()
    at = trailing_word_start(before)
    return before[at:] if at < len(before) else "?"
