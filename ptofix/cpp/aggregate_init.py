"""The one braced initializer the statement parser reads: TMRGSORT's executed-number list."""
from __future__ import annotations

from .. import regex_cache
from .keywords import CPP_KEYWORDS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Final

# TMRGSORT's MrgSortExecutedNumList (pto-isa include/pto/npu/a2a3/TMrgSort.hpp at f35e7f60: four
# uint16_t, no constructor) initialized by a braced list of 1..4 integer literals, as ptoas prints it:
# `pto::MrgSortExecutedNumList v = pto::MrgSortExecutedNumList{0, 0, 0, 0};` or `... v{0, 0};`.
# Aggregate initialization by braces or (C++20) by parentheses sets the same members to the same
# values when every initializer is an integer literal, so the statement with its two braces as
# parentheses (same offsets) reads the same. Not `v = {...}` (a comma expression in parentheses),
# nor `v{}` (`v()` declares a function).
_AGGREGATE_TYPE = r"(?:(?:::)?pto::)?MrgSortExecutedNumList"
_BRACED_AGGREGATE = regex_cache.compile(
    r"\s*" + _AGGREGATE_TYPE + r"\s+[A-Za-z_]\w*\s*(?:=\s*" + _AGGREGATE_TYPE + r"\s*)?"
    r"(\{)\s*\d+[uU]?\s*(?:,\s*\d+[uU]?\s*){0,3}(\})\s*;\s*")


def braced_aggregate_as_parentheses(text: str) -> str | None:
    """``text``, one statement, with the braces of its MrgSortExecutedNumList aggregate
    initializer (see above) as parentheses, or None when it is not one."""
    match = _BRACED_AGGREGATE.fullmatch(text)
    if match is None:
        return None
    return f"{text[:match.start(1)]}({text[match.end(1):match.start(2)]}){text[match.end(2):]}"


# A local object of an unnamed class of plain scalar members, as PyPTO's kernel wrappers unpack a
# scalar argument (`union { uint64_t u64; int64_t val; } x_conv; x_conv.u64 = args[11];`): the
# members are builtin arithmetic types or pointers to them, one name each (declarations.py checks
# the words against the file's types and macros). Such a class has no user-declared constructor,
# destructor, conversion function, operator or base ([class.prop], [class.default.ctor],
# [class.dtor], [class.conv.fct]: each implicit one is trivial and runs no code, and none converts),
# and being unnamed nothing else can declare or specialise it: making, writing, reading and leaving
# the object calls nothing.
_LOCAL_AGGREGATE = regex_cache.compile(
    r"\s*(struct|union)\s*\{([\w\s*,;\[\]]*)\}\s*([A-Za-z_]\w*)\s*;\s*")

# How stmt_parser names the type of such an object: `<local union|uint64_t u64|int64_t val>`.
LOCAL_AGGREGATE_MARK: Final = "<local "
# The object_type of a local object of such a class (declarations.DeclarationReader, expressions).
LOCAL_AGGREGATE_TYPE: Final = "<local aggregate>"

_ARITHMETIC_WORDS = frozenset("""
    bool char short int long signed unsigned float double
    int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t uint64_t size_t
""".split())


def local_aggregate(text: str) -> tuple[str, tuple[tuple[str, ...], ...], str] | None:
    """(class key, the member declarations as words, the object's name) of ``text``, one
    statement `union { T a; U *b; } name;` (see above), or None when it is not one: a member whose
    type is not spelled with builtin arithmetic words, a bit-field, an initializer, a nested class."""
    match = _LOCAL_AGGREGATE.fullmatch(text)
    if match is None:
        return None
    members: list[tuple[str, ...]] = []
    for member in match.group(2).split(";"):
        if not member.strip():
            continue
        words = tuple(member.replace("*", " * ").split())
        types = [w for w in words[:-1] if w != "*"]
        if len(words) < 2 or not types or any(w not in _ARITHMETIC_WORDS for w in types) \
                or not words[-1].isidentifier() or "[" in member or "," in member or words[-1] in _ARITHMETIC_WORDS:
            return None
        members.append(words)
    if not members:
        return None
    return match.group(1), tuple(members), match.group(3)


# A variable of a builtin arithmetic type initialized by a braced list of one expression:
# `int64_t k{n};`, `const float s = {x * 2};` ([dcl.init.list]: for a scalar, list-initialization
# from one element initializes from that element, a narrowing conversion being ill-formed rather
# than different). The same with the braces as parentheses (`int64_t k(n);`, `... = (x * 2);`):
# the statement parser reads that. Only one element (no comma at its top level: `(a, b)` would be
# a comma expression) and no nested braces; not `T x{}` (`T x()` declares a function). Whether the
# type word is the builtin here (no alias, macro or class of that name) is the semantic model's
# question, as for any declaration.
_SCALAR_TYPE = r"(?:(?:unsigned|signed|long|short|int|char|bool|float|double)\b\s*)+|u?int(?:8|16|32|64)_t\b|size_t\b"
_BRACED_SCALAR = regex_cache.compile(
    r"\s*(?:(?:const|constexpr|static)\s+)*(?:" + _SCALAR_TYPE + r")\s*(?P<name>[A-Za-z_]\w*)\s*(?:=\s*)?"
    r"(?P<open>\{)(?P<body>[^{};]*)(?P<close>\})\s*;\s*")


def braced_scalar_as_parentheses(text: str) -> str | None:
    """``text``, one statement `T x{e};` or `T x = {e};` (see above), with its two braces as
    parentheses (same offsets), or None when it is not one."""
    match = _BRACED_SCALAR.fullmatch(text)
    if match is None or not match.group("body").strip() or match.group("name") in CPP_KEYWORDS:
        return None
    body = match.group("body")
    depth = 0
    for ch in body:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            return None
        if depth < 0:
            return None
    if depth or "<" in body:
        return None     # (a template argument's comma would not be at a bracket's depth)
    return f"{text[:match.start('open')]}({body}){text[match.end('close'):]}"
