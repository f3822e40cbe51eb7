"""Lexical helpers over C++ text: identifier scans, comments and literals blanked or
stripped, a directive's text and keyword as the preprocessor reads them.

They are for the checks that must see every word of a text whatever the model made of it
(comments, directives and statements the model does not read included): token-level
completeness checks ("does any word of this file name a pipe op?"), the structural parser's own
reading of heads and declarations, and the analyses' scans of the few pieces the model keeps as
text (a for or if header, an unparsed statement). They read words, not C++: an analysis that
needs what a statement means reads the model (model.py, stmt_parser.py).
"""
from __future__ import annotations

import re
from collections import Counter

from .. import regex_cache
from ..source import SourceText, ascii_words, identifier_words_of, word_chunks
from .preprocessor import directive_keyword

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Final

# A line splice: a backslash, then (as gcc, clang and C++23 read it) blanks, then a newline.
SPLICE: Final = r"\\[ \t\f\v]*(?:\r\n|\n|\r)"

# Inside a directive, line splices vanish and a comment is one space (translation phases 2-3):
# `#\<newline>define X`, `# /* c */ define X` are directives like `#define X`. Strings are read
# as the tokens read them (`"//"` and `"/*"` open no comment; a quote left open ends at the line's end).
SPLICE_RE: Final = regex_cache.compile(SPLICE)
DIRECTIVE_LEXEMES: Final = regex_cache.compile(
    r"""'(?:\\.|[^'\\\r\n])*'?|"(?:\\.|[^"\\\r\n])*"?|//[^\r\n]*|/\*.*?\*/""", re.S)


def directive_text(text: str) -> str:
    """A directive's text as the preprocessor reads it (splices joined, comments as spaces)."""
    if "\\" in text:
        text = SPLICE_RE.sub("", text)
    if "/" not in text:
        return text
    return DIRECTIVE_LEXEMES.sub(lambda m: m.group() if m.group()[0] in "\"'" else " ", text)


def directive_word(text: str) -> str:
    """A directive's keyword with its '#' (`#define`), as the preprocessor reads the line."""
    return directive_keyword(directive_text(text))


# (A word's trailing name is found from its end: a search for `[A-Za-z_]\w*\Z` starts over at each
# letter of a long name followed by something else, quadratic in the name's length.)
_WORD_RUN: Final = regex_cache.compile(r"\w*+")
_IDENT_START: Final = regex_cache.compile(r"[A-Za-z_]")

IDENTIFIER: Final = regex_cache.compile(r"[A-Za-z_]\w*")
# The same scan for an ASCII text, where \w is [A-Za-z0-9_]: a character set is read ~20% faster
# than the Unicode word category. (str.isascii() reads a flag of the string: no scan.)
_ASCII_IDENTIFIER: Final = regex_cache.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _identifier_scan(text: str) -> re.Pattern[str]:
    return _ASCII_IDENTIFIER if text.isascii() else IDENTIFIER


def trailing_word_start(text: str) -> int:
    """Where the run of word characters (``\\w``) that ends ``text`` starts (``len(text)`` when
    ``text`` ends otherwise): one scan of the run, read backwards."""
    run = _WORD_RUN.match(text[::-1])
    return len(text) - (run.end() if run is not None else 0)


def trailing_identifier_start(text: str) -> int:
    """Where the identifier that ends ``text`` starts, as a search for ``[A-Za-z_]\\w*\\Z``
    finds it (its first letter or underscore in the trailing run of word characters), or -1."""
    first = _IDENT_START.search(text, trailing_word_start(text))
    return first.start() if first is not None else -1


def identifiers(text: str, start: int = 0, end: int | None = None) -> list[str]:
    """Every identifier in a piece of C++ (a lexical scan: the names a statement mentions), or in
    ``text[start:end]`` without copying it."""
    return _identifier_scan(text).findall(text, start, len(text) if end is None else end)


# A comment or a string or character literal, as one search for
# ``//(?:SPLICE|[^\r\n])*|/\*.*?\*/|"(?:\\.|[^"\\\r\n])*"|'(?:\\.|[^'\\\r\n])*'`` finds them
# left to right. That search retries a literal that never closes from every quote inside it
# (`"\"\"\"...`), and a `/*` that never closes from every later `/*`: quadratic. Here every
# opener matches, an unclosed one with an empty group: text with none (the usual) is done in
# that one search, and the first unclosed one hands the text to a scan that remembers failures.
COMMENT_OR_LITERAL_OR_UNCLOSED: Final = regex_cache.compile(
    r"""//(?:@S|[^\r\n])*|/\*(?:.*?\*/|())|"(?:\\.|[^"\\\r\n])*(?:"|())|'(?:\\.|[^'\\\r\n])*(?:'|())"""
    .replace("@S", SPLICE), re.S)
_LITERAL_OR_COMMENT_START: Final = regex_cache.compile(r"""//|/\*|["']""")
_LINE_COMMENT: Final = regex_cache.compile(r"//(?:@S|[^\r\n])*".replace("@S", SPLICE))
_LITERAL_BODY: Final = {quote: regex_cache.compile(r"(?:\\.|[^@\\\r\n])*".replace("@", quote), re.S) for quote in "\"'"}


class _Unclosed(Exception):
    """A literal or block comment that never closes: the text goes to the scan."""


def replace_comments_and_literals(text: str, replace: Callable[[str], str]) -> str:
    """``text`` with each comment and each string or character literal ``found`` replaced by
    ``replace(found)``, found left to right (a literal in a comment is the comment's, and a
    comment opener in a literal the literal's); linear in ``len(text)``."""

    def closed(match: re.Match[str]) -> str:
        if match.lastindex is not None:
            raise _Unclosed
        return replace(match.group())

    try:
        return COMMENT_OR_LITERAL_OR_UNCLOSED.sub(closed, text)
    except _Unclosed:
        return _replace_by_scan(text, replace)


def _replace_by_scan(text: str, replace: Callable[[str], str]) -> str:
    """replace_comments_and_literals for text with an unclosed literal or block comment: a quote
    inside a literal that failed is read from the next character on as the failed one was, so it
    fails at the same place; a `/*` after one that failed finds no `*/` either."""
    pieces: list[str] = []
    copied = 0
    pos = 0
    fails_before = {'"': -1, "'": -1}       # a literal opened before this position never closes
    block_closes = True                     # False once a `/*` has no `*/` after it
    while True:
        start = _LITERAL_OR_COMMENT_START.search(text, pos)
        if start is None:
            break
        at = start.start()
        opener = start.group()
        end = -1
        if opener == "//":
            comment = _LINE_COMMENT.match(text, at)
            end = comment.end() if comment is not None else at + 2
        elif opener == "/*":
            close = text.find("*/", at + 2) if block_closes else -1
            block_closes = close >= 0
            end = close + 2 if close >= 0 else -1
        elif at >= fails_before[opener]:
            body = _LITERAL_BODY[opener].match(text, at + 1)
            body_end = body.end() if body is not None else at + 1
            if text.startswith(opener, body_end):
                end = body_end + 1
            else:
                fails_before[opener] = body_end
        if end < 0:
            pos = at + 1
            continue
        pieces.append(text[copied:at])
        pieces.append(replace(text[at:end]))
        copied = pos = end
    if not pieces:
        return text
    pieces.append(text[copied:])
    return "".join(pieces)


def strip_comments(text: str) -> str:
    """``text`` with each comment replaced by a space (strings kept): a declaration's words."""
    if "/" not in text:
        return text
    return replace_comments_and_literals(text, lambda found: found if found[0] in "\"'" else " ")


def names_macro_stack_pragma(text: str) -> bool:
    """Whether ``text`` spells `push_macro` or `pop_macro` (the pragmas that save and restore a
    macro's definition) outside its comments: in code, a directive or a string, whichever way a
    pragma may be made of it (a macro argument, `_Pragma("...")`)."""
    if "push_macro" not in text and "pop_macro" not in text:
        return False
    code = strip_comments(text)
    return "push_macro" in code or "pop_macro" in code


def code_only(text: str) -> str:
    """``text`` with each comment replaced by a space and each string or character literal by an
    empty one: what brackets and words the code itself holds."""
    if "/" not in text and '"' not in text and "'" not in text:
        return text
    return replace_comments_and_literals(text, lambda found: found[0] * 2 if found[0] in "\"'" else " ")


def masked_literals(text: str) -> str:
    """``text`` with each comment and the inside of each string or character literal replaced by
    blanks of the same length: brackets and words of the code at their own offsets."""
    if "/" not in text and '"' not in text and "'" not in text:
        return text

    def blank(found: str) -> str:
        if found[0] in "\"'":
            return found[0] + " " * (len(found) - 2) + found[-1] if len(found) >= 2 else found
        return " " * len(found)

    return replace_comments_and_literals(text, blank)


def count_identifiers(text: str, names: set[str]) -> dict[str, int]:
    """How often each of ``names`` occurs in ``text`` as an identifier (the lexical scan of
    ``identifiers``), without a list of every identifier of the text (~100 MB for 20 MB of C++)."""
    counts: dict[str, int] = {}
    for words in _identifier_chunks(text, 0, len(text)):
        for word in filter(names.__contains__, words):
            counts[word] = counts.get(word, 0) + 1
    return counts


def identifiers_among(text: str, names: set[str] | frozenset[str], start: int = 0, end: int | None = None) -> set[str]:
    """Which of ``names`` occur in ``text`` (or ``text[start:end]``) as identifiers (the lexical
    scan of ``identifiers``), without a list of every identifier of the text. A few names are each
    looked for with str.find (~10x faster than the scan of every word for the 3 function names of
    a file); more are found by the scan, a chunk at a time."""
    end = len(text) if end is None else end
    if len(names) <= _FEW_NAMES:
        return {name for name in names if _is_identifier_in(text, name, start, end)}
    if text.isascii():
        return _ascii_identifiers_among(text, names, start, end)
    found: set[str] = set()
    for words in _identifier_chunks(text, start, end):
        found.update(names.intersection(words))
    return found


def _ascii_identifiers_among(text: str, names: set[str] | frozenset[str], start: int, end: int) -> set[str]:
    identifier_words = identifier_words_of(ascii_words(text, start, end))
    # The smaller side is walked: a file's function names are looked for in each function's text
    # (walking every name for every function would take time quadratic in the file).
    if len(names) <= len(identifier_words):
        return {name for name in names if name.isascii() and name.encode("ascii") in identifier_words}
    return {name for word in identifier_words if (name := word.decode("ascii")) in names}


def file_identifiers_among(source: SourceText, names: frozenset[str], encoded: frozenset[bytes]) -> set[str]:
    """``identifiers_among(source.text, names)``, read from the text's word index when it has one
    (``encoded``: the names as ASCII bytes, those that are ASCII)."""
    identifier_words = source.identifier_words()
    if identifier_words is None:
        return identifiers_among(source.text, names)
    return {word.decode("ascii") for word in identifier_words & encoded}


def _is_identifier_in(text: str, name: str, start: int, end: int) -> bool:
    """Whether ``name`` is one of ``identifiers(text, start, end)``: an occurrence that ends its
    word and that the scan starts the word at, so its first letter or '_' (the scan skips a
    word's leading digits: `0x1F` holds `x1F`). Range ends bound words as the scan's do."""
    # (An ASCII identifier is [A-Za-z_][A-Za-z0-9_]*, IDENTIFIER's match: read without the regex.)
    if not (name.isascii() and name.isidentifier()) and not IDENTIFIER.fullmatch(name):
        return False
    at = text.find(name, start, end)
    while at != -1:
        after = at + len(name)
        if after == end or not _is_word_character(text[after]):
            before = at - 1
            while before >= start and _is_word_character(text[before]) and not _is_identifier_start(text[before]):
                before -= 1
            if before < start or not _is_word_character(text[before]):
                return True
        at = text.find(name, at + 1, end)
    return False


def _is_word_character(ch: str) -> bool:
    """``\\w`` of a str pattern."""
    return ch.isalnum() or ch == "_"


def _is_identifier_start(ch: str) -> bool:
    """``[A-Za-z_]``."""
    return ch == "_" or (ch.isascii() and ch.isalpha())


def _identifier_chunks(text: str, start: int, end: int) -> Iterator[list[str]]:
    """``identifiers(text, start, end)``, a list per chunk of ~64K characters (cut at a non-word
    character, so never inside a word)."""
    findall = _identifier_scan(text).findall
    for piece_start, piece_end in word_chunks(text, start, end):
        yield findall(text, piece_start, piece_end)


_FEW_NAMES: Final = 8


# An identifier as a part of a qualified name or a member access: `RoundMode` in
# `RoundMode::CAST_NONE`, `CAST_NONE` there, `x` in `p->x`. At block scope such a word is never the
# name a declaration introduces: a qualified declarator-id declares no name of the block
# ([dcl.meaning]: it names a member of a namespace or class, ill-formed in a block), and a member
# name follows an object. (`a.x` is not read: a `.` may be a number's, `1.e5`.) Comments and
# literals are blanked first (`"p->e5"` qualifies nothing).
_QUALIFIER_WORD: Final = regex_cache.compile(r"\b[A-Za-z_]\w*(?=\s*::)")
_QUALIFIED_WORD: Final = regex_cache.compile(r"(?:::|->)\s*([A-Za-z_]\w*)")


def qualified_only_names(text: str) -> set[str]:
    """The identifiers of ``text`` (a statement, comments and splices removed) that occur only as a
    qualifier, the qualified name or a member name after `->` (`_QUALIFIED_WORD`): words a declaration there
    cannot declare. A word that also occurs elsewhere, even in a string, is not one of them."""
    if "::" not in text and "." not in text and "->" not in text:
        return set()
    text = replace_comments_and_literals(text, lambda found: " ")
    at: dict[int, str] = {found.start(): found.group() for found in _QUALIFIER_WORD.finditer(text)}
    at.update((found.start(1), found.group(1)) for found in _QUALIFIED_WORD.finditer(text))
    qualified = Counter(at.values())
    if not qualified:
        return set()
    every = Counter(identifiers(text))
    return {name for name, count in qualified.items() if every[name] == count}
