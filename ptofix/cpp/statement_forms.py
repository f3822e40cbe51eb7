"""Statement and declaration forms as the function model reads them: the names an expression starts and
ends with, the names a statement the grammar cannot read may declare, splices, array bounds,
template heads and return types of function declarations."""
from __future__ import annotations

from .. import regex_cache
from ..pto.ops import FIFO_OPS, HARMLESS_CALLS, OPS, PTO_FUNCTION_SPECIFIER_MACROS, PURE_FUNCTIONS, pto_macro_names
from . import stmt_parser as A
from .c_types import FLOATING_TYPES
from .fast_expr import BUILTIN_TYPE_WORDS
from .integers import INTEGER_TYPES, IntType
from .keywords import CPP_KEYWORDS as _KEYWORDS
from .keywords import is_compiler_word, is_reserved_identifier
from .keywords import strip_pto as _strip_pto
from .lexical import SPLICE, code_only, identifiers, strip_comments
from .model import Function, SimpleStmt, Stmt
from .symbols import Kind, StmtInfo

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, Final


# Directives inside a body that change no code: macros are tracked by name (a statement using one
# is Unknown), `#if` sections are structured by the parser, the rest only talk to the compiler.
INERT_DIRECTIVES: Final = frozenset(["#define", "#undef", "#pragma", "#line", "#error", "#warning", "#"])
# Qualifiers a kernel #defines to nothing where the compiler does not predefine them (`#ifndef
# __gm__` / `#define __gm__`): either way the code reads as it does with the qualifier.
QUALIFIER_MACRO_WORDS: Final = frozenset(["__gm__", "__aicore__"])
# The calls the model reads as pto's (or the runtime's): a function of the file with one of these
# names competes with pto's in overload resolution, so an unqualified call of it is Unknown.
PTO_CALL_NAMES: Final = frozenset([*OPS, *FIFO_OPS, *HARMLESS_CALLS, *PURE_FUNCTIONS,
                             "TASSIGN", "TRESHAPE", "pipe_barrier", "set_flag", "wait_flag"])


def leftmost_name(node: Any) -> str | None:
    """The name an expression starts with (through calls, subscripts, binary operators, commas and
    assignments), or None: where it is a type, the statement is a declaration."""
    while True:
        if isinstance(node, A.Name):
            return node.id
        if isinstance(node, A.TemplateId):
            return node.name
        if isinstance(node, A.Call):
            node = node.func
        elif isinstance(node, A.Index):
            node = node.obj
        elif isinstance(node, A.Binary):
            node = node.left
        elif isinstance(node, A.Assign):
            node = node.target
        elif isinstance(node, A.Comma):
            node = node.items[0]
        else:
            return None


def rightmost_name(node: Any) -> str | None:
    """The name ``node``'s text ends with, if it ends with a name: the token right before a
    binary operator that follows ``node`` (`x + (void) TEXP` ends with TEXP). A member's name
    counts too (`o.f < 2 > (a)` may call a member template)."""
    while True:
        if isinstance(node, A.Name):
            return node.id
        if isinstance(node, A.Member):
            return node.field or None
        if isinstance(node, A.Unary):
            node = node.operand
        elif isinstance(node, A.Cast):
            node = node.operand
        elif isinstance(node, A.Binary):
            node = node.right
        elif isinstance(node, A.Ternary):
            node = node.orelse
        elif isinstance(node, A.Assign):
            node = node.value
        elif isinstance(node, A.Comma):
            node = node.items[-1]
        else:
            return None


# Expression nodes that only compute a value (a default argument made of them runs no code).
PLAIN_VALUE_NODES = (A.Number, A.Literal, A.String, A.Name, A.Unary, A.Binary, A.Ternary)


def is_pto_enumerator(name: str) -> bool:
    """A pipe or event enumerator of pto (`PIPE_MTE2`, `EVENT_ID0`), by its spelling."""
    return _strip_pto(name).startswith(("PIPE_", "EVENT_ID"))


# Names a statement may use with no declaration in the file: literals spelled as words.
PLAIN_FREE_NAMES: Final = frozenset(["true", "false", "nullptr", "NULL"])
# Words that leave a statement other than at its end (or are a jump's target).
JUMP_WORDS: Final = frozenset(["break", "continue", "return", "goto", "case", "default"])


# The builtin type names the statement grammars read by spelling that C++ lets a program declare
# as something else (the keywords among them it does not).
GRAMMAR_TYPE_WORDS: Final = BUILTIN_TYPE_WORDS - _KEYWORDS


HARMLESS_METHODS: Final = {"SetValidShape", "SetValue", "GetValue"}


EMPTY_STATEMENT: Final = StmtInfo(Kind.NOP)


def only_sets_valid_shape(stmt: Stmt, name: str) -> bool:
    """``stmt`` is `name.SetValidShape(r, c);`, r and c not naming ``name``: it stores the tile's
    two valid-shape fields and reads nothing else of it, its address included (pto-isa
    include/pto/common/pto_tile.hpp `SetValidShape`; docs/reference/pto-facts.md §8)."""
    if not isinstance(stmt, SimpleStmt):
        return False
    node = stmt.ast
    if not isinstance(node, A.ExprStmt) or not isinstance(node.expr, A.Call):
        return False
    func = node.expr.func
    return isinstance(func, A.Member) and func.field == "SetValidShape" and isinstance(func.obj, A.Name) \
        and func.obj.id == name and len(node.expr.args) == 2 \
        and not any(name in A.name_ids(arg) for arg in node.expr.args)


def one_call_at_most(info: StmtInfo) -> StmtInfo:
    """``info``, or Unknown when the statement (or header part) calls more than one function of
    the file: `f() + g()`, `h(f(), g())`, `if (rd() + wr() > 0)` leave their order open in C++,
    and the events would chain them left to right."""
    if len(info.local_calls) <= 1:
        return info
    return StmtInfo(Kind.UNKNOWN, reason="several calls of this file's functions in one statement or header part "
                    "(their order is not modelled)", env=info.env, local_calls=info.local_calls)


# A statement the grammar does not read (`pto::MrgSortExecutedNumList v4 =
# pto::MrgSortExecutedNumList{128, 64, 0, 0};`), in tokens: names, numbers, `::` and single marks.
_ROUGH_TOKEN: Final = regex_cache.compile(r"[A-Za-z_]\w*|\d[\w.']*|::|\S")
# A string or character literal: one token (its brackets and commas are no structure).
_QUOTED: Final = regex_cache.compile(r""""(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'""")
# Words that let a statement declare something other than its declarators (a class, an
# enumeration and its enumerators, a namespace alias, a type...) or make it no simple declaration.
_DECLARING_WORDS: Final = frozenset(["struct", "class", "union", "enum", "namespace", "using", "typedef", "template",
                              "friend", "concept", "requires", "operator", "asm", "extern", "__attribute__",
                              "decltype", "typeof", "__typeof__", "alignas", "static_assert"])


# A block-scope alias-declaration's head (`using NAME =`; not `using namespace`, no attribute).
BLOCK_ALIAS: Final = regex_cache.compile(r"\s*using\s+(?!namespace(?![\w$]))([A-Za-z_]\w*)\s*=(?!=)")
# Words that may declare a class or enumeration inside a type-id (an elaborated type specifier).
_ELABORATING_WORDS: Final = frozenset(["struct", "class", "union", "enum", "concept", "requires"])


def maybe_declared_names(text: str) -> set[str] | None:
    """The names a statement the grammar does not read may declare, or None when that cannot be
    told (then it may declare any of its words). Read as a simple declaration `SPECIFIERS NAME =
    INIT;` or `SPECIFIERS NAME{...};`: NAME, the last name before the first `=`, `{` or `[`
    outside brackets, and each name right after a comma outside (), [] and {} (a further declarator, or a
    comma inside template arguments, conservatively), unless `::` follows it (a block-scope
    declarator is never qualified). What the braces or parentheses of the initializer declare (a
    lambda's body, a statement expression) lives in their own scope. None when the statement
    holds a word that declares something else (`struct`, `enum`, `using`...), a `(` or a `[`
    before NAME (a parenthesized declarator, a structured binding, an attribute), or no such NAME.
    (An array declarator `NAME[3]` ends at its `[`.)"""
    # raw-text scan: an unread statement's text (comments removed, splices joined)
    code = _QUOTED.sub(" 0 ", strip_comments(join_splices(text) if has_splice(text) else text))
    alias = BLOCK_ALIAS.match(code)
    if alias is not None:
        # `using Tile1D = Tile<TileType::Vec, typename T::DType, 1, N>;` declares its name only
        # ([dcl.pre]: one alias-declaration), unless its type-id names a class key or `enum`,
        # which may declare that class in the block (`using P = struct TMUL*;`).
        # raw-text scan: the statement's code read above
        if _ELABORATING_WORDS.intersection(identifiers(code, alias.end())) or alias.group(1) in _KEYWORDS:
            return None
        return {alias.group(1)}
    tokens = _ROUGH_TOKEN.findall(code)
    declared: set[str] = set()
    depth = 0
    name = ""
    for index, token in enumerate(tokens):
        if token in _DECLARING_WORDS or token == "[" and tokens[index + 1:index + 2] == ["["]:
            return None     # (an attribute may stand before any declarator)
        if token in ("(", "[", "{"):
            if depth == 0 and not name:
                if token == "(":        # (a parenthesized declarator; `T v[3] = {};` ends at its `[`)
                    return None
                name = _last_name(tokens[:index])
                if not name:
                    return None
            depth += 1
        elif token in (")", "]", "}"):
            depth -= 1
        elif depth == 0 and token == "=" and not name:
            name = _last_name(tokens[:index])
            if not name:
                return None
        elif depth == 0 and token == ",":
            following = [t for t in tokens[index + 1:index + 8] if t not in ("*", "&", "(", "const", "volatile")]
            if following and _is_word(following[0]) and (len(following) < 2 or following[1] != "::"):
                declared.add(following[0])
    if not name:
        return None
    declared.add(name)
    return {word for word in declared if word not in _KEYWORDS}


def _last_name(tokens: list[str]) -> str:
    """The name a declaration's specifiers end with: the last token, when it is a name not
    preceded by `::` (a qualified name is no block-scope declarator)."""
    if not tokens:
        return ""
    last = tokens[-1]
    if not _is_word(last) or last in _KEYWORDS:
        return ""
    return "" if len(tokens) > 1 and tokens[-2] == "::" else last


def _is_word(token: str) -> bool:
    return token[0].isalpha() or token[0] == "_"


def merge_header(parts: list) -> StmtInfo:
    unknown = [p for p in parts if p.kind is Kind.UNKNOWN]
    if unknown:
        return StmtInfo(Kind.UNKNOWN, reason="; ".join(p.reason for p in unknown))
    calls = [c for p in parts for c in p.local_calls]
    return StmtInfo(Kind.NOP, local_calls=calls)


_SPLICE: Final = regex_cache.compile(SPLICE)


def has_splice(text: str) -> bool:
    return "\\" in text and _SPLICE.search(text) is not None


def join_splices(text: str) -> str:
    """``text`` with its line splices (backslash, blanks, newline) removed, as the compiler reads it."""
    return _SPLICE.sub("", text)


def name_set(node: Any) -> set:
    return set(A.name_ids(node))


_ARRAY_BOUND: Final = regex_cache.compile(r"\[([^\[\]]*)\]")
_NUMBER_BOUND: Final = regex_cache.compile(r"\s*(?:0[xX][0-9a-fA-F]+|[0-9]+)[uUlL]*\s*")


def variable_bound(text: str) -> bool:
    """A declaration's brackets hold something other than a plain number (`int32_t v[h()];`: a
    run-time bound, evaluated with its calls and writes). Read on the code only: a comment's or a
    string's brackets would hide the real bound's."""
    # raw-text scan: a declaration's text, its bracketed bounds outside comments and literals
    return any(not _NUMBER_BOUND.fullmatch(bound) for bound in _ARRAY_BOUND.findall(code_only(text)))


def head_template_params(names: Sequence[str]) -> set:
    """`template <typename T, class U>` parameter names from a function head's words."""
    out = set()
    for i, word in enumerate(names[:-1]):
        if word in ("typename", "class"):
            out.add(names[i + 1])
    return out


# Words of a function's declaration before its name that say nothing of the return type.
_DECL_SPECIFIERS: Final = frozenset(["static", "inline", "extern", "constexpr", "AICORE", "__aicore__", "__global__",
                              "__inline__", "__forceinline__", "friend", "virtual", "C", "const", "volatile",
                              "__attribute__", "always_inline", "noinline", "aicore", *PTO_FUNCTION_SPECIFIER_MACROS])
_ARITHMETIC_WORDS = frozenset(["void", "int", "long", "short", "char", "unsigned", "signed", "bool", *INTEGER_TYPES,
                               *FLOATING_TYPES])
_TRAILING_DATA: Final = regex_cache.compile(r"decltype\s*\(\s*[A-Za-z_]\w*\s*\.\s*data\s*\(\s*\)\s*\)")


def return_reason(fn: Function) -> str:
    """Why a call of ``fn`` may run code for its returned value ('' if it returns void, an
    arithmetic type or a pointer): a class returned by value is constructed in the callee and
    destroyed in the caller. `auto f(T& t) -> decltype(t.data())` (ptoas's helper) returns a
    pointer."""
    read = _template_heads(fn)
    if read is None:
        return "its template head is not one the model reads (only plain `typename T` / `type N` parameters)"
    before = read[1]
    if "*" in before:
        return ""
    words = [w for w in fn.declaration.return_words if w not in _DECL_SPECIFIERS]
    if words == ["auto"] and _TRAILING_DATA.fullmatch(fn.declaration.trailing_return):
        return ""
    if all(w in _ARITHMETIC_WORDS for w in words):
        return ""
    return f"it returns '{' '.join(words)}', which may be a class (constructed and destroyed around the call)"


def holds_dims(ctype: object, bound: int | None) -> bool:
    """Whether converting any value in [0, bound] to ``ctype`` keeps it in [0, bound]: an unsigned
    type only makes it smaller (modulo), a signed one must hold ``bound`` (`(int8_t) 128` is -128,
    which the Tile's `unsigned` parameters take as 0xFFFFFF80)."""
    if not isinstance(ctype, IntType) or bound is None:
        return False
    return not ctype.signed or bound <= (1 << (ctype.bits - 1)) - 1


def name_word_before(fn: Function) -> bool:
    """The declaration has a word right before the function's name that may itself be the name
    (not a keyword or specifier): `void body __wur (...)` defines `body` if `__wur` expands to
    nothing, while `void PTOAS__DCCI(...)` could name nothing else."""
    before = fn.declaration.before_name.rstrip()
    words = fn.declaration.before_name_words
    if not before or not (before[-1].isalnum() or before[-1] == "_") or not words:
        return False
    word = words[-1]
    return word not in _KEYWORDS and word not in _DECL_SPECIFIERS and word not in _ARITHMETIC_WORDS


def _template_heads(fn: Function) -> tuple[set, str] | None:
    """(the names of ``fn``'s template parameters, its declaration between the template heads and
    its name): ``(set(), ...)`` when it is no template; None when the parser did not read its
    template heads as plain parameters (FunctionHead.template_params) or a parameter holds a word
    that may be a macro (then its name may be another word)."""
    params = fn.declaration.template_params
    if params is None:
        return None
    names = set()
    for words in params:
        if any(is_compiler_word(w) or is_reserved_identifier(w) or w in pto_macro_names() for w in words):
            return None
        if words:
            names.add(words[-1])
    return names, fn.declaration.after_templates


def template_value_params(fn: Function) -> set:
    """The names ``fn``'s template heads may declare (type and non-type parameters alike): each
    parameter's name where the heads are plain (_template_heads), else every word of the
    declaration before the name that is not a keyword or arithmetic type."""
    read = _template_heads(fn)
    if read is not None:
        return read[0]
    return {w for w in fn.declaration.before_name_words if w not in _ARITHMETIC_WORDS
            and w not in _KEYWORDS}
