"""The structural parser's tokens (tokenize: one scan of the file into words, brackets, strings and
directives) and the lexemes it rejects with a diagnostic rather than misread (digraphs, trigraphs,
raw strings, stray backslashes, digit separators, exotic characters, directives in mid-line)."""
from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from itertools import repeat
from operator import itemgetter

from .. import COMPILED, regex_cache
from ..source import PtofixError, SourceText, UnreadableInput, line_start
from .lexical import (
    DIRECTIVE_LEXEMES,
    SPLICE,
)
from .preprocessor import (
    directive_keyword,
)

TYPE_CHECKING = False
if TYPE_CHECKING:        # (names for annotations, which are never evaluated: typing costs start-up)
    from typing import Final, TypeVar

    from mypy_extensions import i64

    _T = TypeVar("_T")


# Coarse tokens: the structure only needs brackets, ';', comments, directives and strings, so
# every other run of characters is one "word" token (w). Kinds: c=comment, p=preprocessor line,
# s=string/char, w=word run, o=one of ; { } ( ) [ ]. Statement contents are parsed by the grammar
# (stmt_parser.py), not from these tokens.
# Whitespace is folded into the token that follows it (one match per token instead of two). The
# alternatives start with disjoint characters, so their order only affects speed: words first.
# In a directive, as in the preprocessor: a `//` comment runs to the line's end (a `/*` in it opens
# nothing), and a quote left open ends at the line's end (clang and gcc warn and end the literal
# there), so neither can swallow the lines after it.
_WORD_CHARS: Final = r"""[^\s;{}()\[\]"'/\#]"""
# The rest of a `//` comment (to the line's end, across splices), and a whole `/* */` comment:
# the shortest, as `/\*.*?\*/` reads it, without trying `*/` at every character.
_LINE_COMMENT_REST: Final = r"(?:[^\r\n\\]++|" + SPLICE + r"|\\)*+"
_BLOCK_COMMENT: Final = r"/\*[^*]*+\*++(?:[^/*][^*]*+\*++)*+/"
# Runs of ordinary characters are read by possessive repeats (`++`, `*+`): one step per run
# instead of one alternation per character, and no backtracking state (a third faster over the
# corpus). Each is followed by nothing that could make a shorter run match, so they match what the
# plain repeats matched (a test compares the two over generated text).
# The blanks: runs of ASCII whitespace and byte-order marks, spelled `(?:[ \t\r\n\f\v]++|\ufeff)*`
# rather than `[ \t\r\n\f\v\ufeff]*`: the same strings (no alternative after them starts with
# whitespace, so giving back part of a run never lets one match), but a set holding U+FEFF is
# compiled into a 64 Ki-character bitmap, ~0.2 ms of every process that reads C++ (issue #70).
_BLANKS: Final = r"(?:[ \t\r\n\f\v]++|\ufeff)*"
# The alternatives, each tried in this order: a word, one of ; { } ( ) [ ], a comment, a directive,
# a literal (the kinds w, o, c, p, s).
_WORD_TOKEN: Final = r"@W++(?:/(?![/*])@W*+)*+|/(?![/*])@W*+(?:/(?![/*])@W*+)*+"
_COMMENT_TOKEN: Final = r"//@L|@B"
_DIRECTIVE_TOKEN: Final = r"""\#(?:[^\r\n"'/\\]++|@S|"(?:[^"\\\r\n]++|@S|\\.)*+"?|'(?:[^'\\\r\n]++|@S|\\.)*+'?""" \
    r"""|//@L|@B|[^\r\n])*+"""
_LITERAL_TOKEN: Final = r""""(?:[^"\\\r\n]++|\\.)*+"|'(?:[^'\\\r\n]++|\\.)*+'"""


def _spelled(pattern: str) -> str:
    return pattern.replace("@L", _LINE_COMMENT_REST).replace("@B", _BLOCK_COMMENT).replace("@W", _WORD_CHARS) \
        .replace("@S", SPLICE)


# The tokens with a group an alternative (a kind, and each 'o' character apart: the group number
# is the token's kind and mark, _KIND_OF_GROUP and _MARK_OF_GROUP): the reading the scan's
# patterns below must equal (tests/cpp/test_parser_fast_paths.py, test_token_scan.py compare).
_TOKEN_PATTERN = _spelled(r"@Z(?:(?P<w>" + _WORD_TOKEN + r")|(;)|(\{)|(\})|(\()|(\))|(\[)|(\])|(?P<c>" + _COMMENT_TOKEN
                          + r")|(?P<p>" + _DIRECTIVE_TOKEN + r")|(?P<s>" + _LITERAL_TOKEN + r"))")
_TOKEN_RE: Final = regex_cache.compile(_TOKEN_PATTERN.replace("@Z", _BLANKS), re.S | re.X)
# The scan's: the same alternatives in one group (a match holds one group's marks, not eleven, and
# needs no group number: a token's kind is told by its first characters, _kinds_and_marks; 8% less
# time a token, issue #70 item 7).
_SCAN_PATTERN: Final = _spelled(r"@Z(" + "|".join([_WORD_TOKEN, r"[;{}()\[\]]", _COMMENT_TOKEN, _DIRECTIVE_TOKEN,
                                            _LITERAL_TOKEN]) + ")")
_SCAN_RE: Final = regex_cache.compile(_SCAN_PATTERN.replace("@Z", _BLANKS), re.S | re.X)
# The same tokens in a text without U+FEFF (nearly every one), its blanks one possessive run of a
# set: a sixth less time a token than _BLANKS' repeat of two alternatives (issue #70 item 7). The
# same strings: there _BLANKS reads the same runs, and giving back part of one never lets a token
# match (no alternative starts with ASCII whitespace; U+FEFF, a word character of _WORD_CHARS, is
# the one blank a word may start with). tests/cpp/test_token_scan.py compares the two.
_NO_BOM_TOKEN_RE: Final = regex_cache.compile(_SCAN_PATTERN.replace("@Z", r"[ \t\r\n\f\v]*+"), re.S | re.X)
# The same tokens in an ASCII text (nearly every one), its word characters spelled as a set of
# characters (`\s` an ASCII text may hold: str.isspace's, tab to carriage return, \x1c to \x1f
# and space) instead of a negated `\s` class: one bitmap test a character where sre otherwise tests
# a Unicode category, a tenth less time a token (issue #70 item 7). The same strings: in an ASCII
# text `\s` matches these characters and no other. tests/cpp/test_token_scan.py compares them.
_ASCII_TOKEN_RE: Final = regex_cache.compile(
    _SCAN_PATTERN.replace("@Z", r"[ \t\r\n\f\v]*+").replace(r"[^\s;{}()\[\]", r"[^\t\n\x0b\x0c\r\x1c-\x1f ;{}()\[\]"),
    re.S | re.X)
_SPACE_RE: Final = regex_cache.compile(_BLANKS)


MAX_NESTING: Final = 200    # deeper nesting is reported as an error (no RecursionError)


class Token:
    __slots__ = ("kind", "text", "start", "end")

    def __init__(self, kind: str, text: str, start: int, end: int):
        self.kind, self.text, self.start, self.end = kind, text, start, end

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Token({self.kind}, {self.text!r}, {self.start})"


def has_assignment(text: str) -> bool:
    """True when ``text`` holds an '=' that is not part of a comparison operator."""
    return "=" in text.replace("==", "").replace("!=", "").replace("<=", "").replace(">=", "")


# (kind, text, start, end) of one token: the shape of tokenize()'s tokens and Tokens.tuples().
Tok = tuple[str, str, int, int]

# Regex group number of _TOKEN_RE -> kind letter (the groups' order: a word, the seven 'o'
# characters, each a group of its own, a comment, a directive, a literal), and -> mark: the kind
# letter, but an 'o' token's own character.
_KIND_OF_GROUP: Final = bytes.maketrans(bytes(range(1, 12)), b"wooooooocps")
_MARK_OF_GROUP: Final = bytes.maketrans(bytes(range(1, 12)), b"w;{}()[]cps")
# A token's first character (Latin-1; any other one starts a word) -> its kind letter, and -> its
# mark: the alternatives start with disjoint characters, but '/', which starts a comment when a
# '/' or '*' follows it (_kinds_and_marks reads that), a word otherwise.
_KIND_OF_FIRST: Final = b"".join(
    b"o" if ch in b";{}()[]" else b"p" if ch == ord("#") else b"s" if ch in b"\"'" else b"w" for ch in range(256))
_MARK_OF_FIRST: Final = b"".join(bytes([ch]) if ch in b";{}()[]" else _KIND_OF_FIRST[ch:ch + 1] for ch in range(256))
_COMMENT_MARK: Final = ord("c")
# A token's start (after the blanks folded into the match: its group's) and its end, read by map()
# a block of matches at a time.
_TOKEN_START: Final = re.Match.start
_MATCH_END: Final = re.Match.end


class Tokens:
    """A file's tokens as parallel compact arrays: ``kinds`` (a str, one letter a token: indexing
    gives the same one-letter strings the parser compares), ``marks`` (the same, but an 'o'
    token's own character: ``marks[i]`` is the bracket or ';' without reading the text),
    ``starts`` and ``ends`` (array of unsigned ints). A token's text is sliced from the source on
    demand. A tuple (kind, text, start, end) per token cost ~190 bytes (tuple, text, two ints) and
    held most of the peak memory of a parse: 150 MiB for a 5 MB file; these take 10 bytes a token."""

    __slots__ = ("text", "kinds", "marks", "starts", "ends")

    def __init__(self, text: str, kinds: str, marks: str, starts: array, ends: array):
        self.text, self.kinds, self.marks, self.starts, self.ends = text, kinds, marks, starts, ends

    def __len__(self) -> int:
        return len(self.kinds)

    def text_of(self, i: int) -> str:
        return self.text[self.starts[i]:self.ends[i]]

    def tuples(self) -> list[Tok]:
        text = self.text
        return [(k, text[s:e], s, e) for k, s, e in zip(self.kinds, self.starts, self.ends, strict=True)]


def tokenize(source: SourceText) -> list[Token]:
    return [Token(*tok) for tok in scan_tokens(source).tuples()]


def _token_spans(text: str) -> tuple[str, str, array, array]:
    """The kinds, the marks (see Tokens), the starts and the ends of the tokens, from the text's
    start up to the first position no token starts at (a bad character, or the trailing blanks).
    Compiled, an ASCII text is read by _ascii_token_spans (a loop over its bytes, the regex only
    for the rarer tokens); otherwise by _matched_token_spans (one regex match a token)."""
    # 'I' (4 bytes) holds every offset of a text shorter than 4 Gi characters.
    code = "I" if len(text) < 2 ** 32 and array("I").itemsize == 4 else "q"
    if COMPILED and text.isascii():
        starts, ends, first = _ascii_token_spans(text, code)
        return first.translate(_KIND_OF_ASCII_FIRST).decode("ascii"), \
            first.translate(_MARK_OF_ASCII_FIRST).decode("ascii"), starts, ends
    return _matched_token_spans(text, code)


# Each ASCII character's class in _ascii_token_spans: a blank (what _ASCII_TOKEN_RE's blanks take),
# a word character (its word alternative's `[^\t\n\x0b\x0c\r\x1c-\x1f ;{}()\[\]"'/\#]`), one of
# ; { } ( ) [ ] (a token of its own), or another (a '/', '#' or quote, which may start a comment,
# a directive or a literal, and the separators \x1c-\x1f, which start no token: the regex reads
# what follows).
# tests/cpp/test_token_scan.py checks the classes against the pattern's character sets.
_BLANK: Final = 0
_WORD: Final = 1
_BRACKET: Final = 2
_ASCII_CLASSES: Final = bytes(_BLANK if ch in b" \t\r\n\f\v" else _BRACKET if ch in b";{}()[]"
                              else 3 if ch in b"\"'/#" or 0x1c <= ch <= 0x1f else _WORD for ch in range(128))
_SLASH: Final = ord("/")
_STAR: Final = ord("*")
# The first byte _ascii_token_spans gives a comment (a '/' another token starts with too): a byte
# no ASCII text holds, which these tables read as a comment, and every other as _KIND_OF_FIRST
# and _MARK_OF_FIRST do.
_A_COMMENT: Final = 0x80
_KIND_OF_ASCII_FIRST: Final = _KIND_OF_FIRST[:_A_COMMENT] + b"c" + _KIND_OF_FIRST[_A_COMMENT + 1:]
_MARK_OF_ASCII_FIRST: Final = _MARK_OF_FIRST[:_A_COMMENT] + b"c" + _MARK_OF_FIRST[_A_COMMENT + 1:]
# Tokens _ascii_token_spans holds in lists before it moves them into the arrays (a list of ints
# costs ~40 bytes a token, the arrays 4). (An array built from a list, then appended to the
# arrays as a block, costs 100 instructions an item where array.extend(list) costs 160: extend
# grows the array one item at a time; issue #70 item 7.)
_SPANS_AT_ONCE: Final = 4096


def _ascii_token_spans(text: str, code: str) -> tuple[array, array, bytes]:
    """_matched_token_spans' tokens of an ASCII ``text`` (their starts, their ends and their first
    bytes, a comment's _A_COMMENT: _KIND_OF_ASCII_FIRST reads the kinds), read by a loop over
    its bytes: blanks are skipped, a word (a run of word characters that no '/' follows), a
    bracket or ';' and a comment with no backslash in it are tokens read here; at any other
    character (a '#', quote or separator control character), a word that a '/' follows (`a/b`
    is one word token, `a//c` a word and a comment), a '/' that opens no comment, or a comment
    that may hold a line splice, _ASCII_TOKEN_RE reads the one token there, or stops the scan
    where it matches none. Compiled, a tenth of the instructions of one match a token (the match
    object, its methods' ints: issue #70 item 7); interpreted, a loop a character is slower than
    the regex, which _token_spans uses then. tests/cpp/test_token_scan.py compares the two."""
    data = text.encode("ascii")
    classes = _ASCII_CLASSES
    # (Native 64-bit ints compiled: a byte read without a bounds check's boxing; mypy_extensions
    # is mypyc's, read by the type checker only.)
    n: i64 = len(data)
    has_backslash = b"\\" in data
    has_cr = b"\r" in data
    starts = array(code)
    ends = array(code)
    first = bytearray()
    start_list: list[int] = []
    end_list: list[int] = []
    first_list: list[int] = []
    pos: i64 = 0
    end: i64 = 0
    while pos < n:
        ch = data[pos]
        kind = classes[ch]
        if kind == _BLANK:
            pos += 1
            continue
        end = pos + 1
        if kind == _WORD:
            while end < n and classes[data[end]] == _WORD:
                end += 1
            if end < n and data[end] == _SLASH:
                end = -1          # (a word a '/' follows: `a/b`, `a//c`)
        elif kind != _BRACKET:
            end = -1
            if ch == _SLASH and pos + 1 < n:
                after = data[pos + 1]
                if after == _SLASH or after == _STAR:
                    ch = _A_COMMENT      # (its first byte, as _kinds_and_marks_of reads it)
                if after == _SLASH:
                    # `//` to the line's end: a \n or \r, or the text's end (a splice in it, a
                    # backslash, is read by the regex).
                    end = text.find("\n", pos + 2)
                    if end < 0:
                        end = n
                    if has_cr:
                        cr = text.find("\r", pos + 2, end)
                        if cr >= 0:
                            end = cr
                    if has_backslash and text.find("\\", pos + 2, end) >= 0:
                        end = -1
                elif after == _STAR:
                    # `/*` to the first `*/` after it (none: the regex stops the scan there).
                    end = text.find("*/", pos + 2)
                    if end >= 0:
                        end += 2
        if end < 0:
            found = _ASCII_TOKEN_RE.match(text, pos)
            if found is None:
                break
            end = found.end()
        start_list.append(pos)
        end_list.append(end)
        first_list.append(ch)
        pos = end
        if len(start_list) >= _SPANS_AT_ONCE:
            starts += array(code, start_list)
            ends += array(code, end_list)
            first.extend(first_list)
            start_list.clear()
            end_list.clear()
            first_list.clear()
    starts += array(code, start_list)
    ends += array(code, end_list)
    first.extend(first_list)
    return starts, ends, bytes(first)


def _matched_token_spans(text: str, code: str) -> tuple[str, str, array, array]:
    """_token_spans by one match of the scan's pattern a token, each where the last one ended.
    The matches are read a block at a time, with map() over Match methods and one itemgetter of
    their starts (their first characters): no Python code runs per token."""
    firsts: list[str] = []
    starts = array(code)
    ends = array(code)
    pattern = _SCAN_RE if "\ufeff" in text else _ASCII_TOKEN_RE if text.isascii() else _NO_BOM_TOKEN_RE
    matches = iter(pattern.scanner(text).match, None)  # type: ignore[attr-defined]
    for block in regex_cache.match_blocks(matches):
        at = list(map(_TOKEN_START, block, repeat(1)))
        # (Each block an array first, appended as a block: _SPANS_AT_ONCE.)
        starts += array(code, at)
        ends += array(code, list(map(_MATCH_END, block)))
        firsts.append("".join(itemgetter(*at)(text)) if len(at) > 1 else text[at[0]])
    return _kinds_and_marks(text, "".join(firsts), starts) + (starts, ends)


def _kinds_and_marks(text: str, firsts: str, starts: array) -> tuple[str, str]:
    """The tokens' kinds and marks, from their first characters ``firsts`` (and the one after a
    '/': a comment's second)."""
    # (A character past Latin-1 starts a word.)
    return _kinds_and_marks_of(text, firsts.encode("latin-1", "replace"), starts)


def _kinds_and_marks_of(text: str, first: bytes, starts: array) -> tuple[str, str]:
    """_kinds_and_marks, the first characters as Latin-1 bytes."""
    kinds = bytearray(first.translate(_KIND_OF_FIRST))
    marks = bytearray(first.translate(_MARK_OF_FIRST))
    slash = first.find(b"/")
    while slash != -1:
        if text.startswith(("//", "/*"), starts[slash]):
            kinds[slash] = marks[slash] = _COMMENT_MARK
        slash = first.find(b"/", slash + 1)
    return kinds.decode("ascii"), marks.decode("ascii")


def scan_tokens(source: SourceText) -> Tokens:
    text = source.text
    kinds, marks, starts, ends = _token_spans(text)
    pos = ends[-1] if ends else 0
    blank = _SPACE_RE.match(text, pos)   # trailing whitespace (or the blanks before a bad character)
    if blank is not None:
        pos = blank.end()
    if pos != len(text):
        ch = text[pos]
        if ch == '"' and _RAW_PREFIX.search(text, max(0, pos - 3), pos):
            raise UnreadableInput("raw string literals are not supported", source, pos)
        if ch == "'" and _quote_after_word(text, pos):
            # (`8'192` with no quote after it on the line: no character literal ends there.)
            raise UnreadableInput("digit separators are not supported", source, pos)
        # A raw string or a digit separator before here may have misled the scan into this
        # failure (`R"d(a " b)d"`: the quote inside ends a plain literal, the closing one opens
        # another): valid C++ that is read as Unknown, not refused as bad input.
        _reject_misread_lexemes_before(source, kinds, starts, ends)
        if ch in "\"'" and _inside_conditional_group(text, kinds, starts, ends):
            # Valid in a group the compiler skips (its lines are only searched for directives:
            # `#if 0` prose such as "isn't"), an error in one it compiles; which one is not known
            # here, so the file is read as Unknown rather than refused.
            raise UnreadableInput("an unterminated " + ("string" if ch == '"' else "character") + " literal in an "
                                  "#if group (valid C++ only if the group is not compiled) is not supported",
                                  source, pos)
        if ch in "\"'":
            raise PtofixError("missing terminating " + ("\"" if ch == '"' else "'") + " character", source, pos)
        if text.startswith("/*", pos):
            raise PtofixError("unterminated comment", source, pos)
        raise PtofixError(f"stray character {ch!r} in program", source, pos)
    # (Each 2-character search reads the whole text; a 1-character one is a memchr, so it gates
    # the rarer ones.)
    if "?" in text and "??" in text:
        trigraph = _TRIGRAPH.search(text)
        if trigraph is not None:
            # C++14 and earlier (and -trigraphs) replace them first, in comments and strings too:
            # `??/` is a backslash that splices lines, `??<` a brace.
            raise UnreadableInput(f"the trigraph '{trigraph.group()}' is not supported", source, trigraph.start())
    if _may_spell_unsupported_lexeme(text):
        _reject_unsupported_lexemes(source, kinds, starts, ends)
    if "\\" in text:
        _reject_backslashes(source, kinds, starts, ends)
        lf_cr = _SPLICE_LF_CR.search(text)
        if lf_cr is not None:
            # clang takes backslash, LF, CR as one splice (the CR too), the tokens as a splice and a
            # blank line.
            raise UnreadableInput("a line splice followed by LF then CR is not supported", source, lf_cr.start())
    if "'" in text:
        _reject_digit_separators(source, kinds, starts, ends)
    _reject_midline_directives(source, kinds, starts)
    _reject_exotic_characters(source, kinds, starts, ends)
    index = kinds.find("p")
    while index != -1:
        _check_directive(source, starts[index], ends[index])
        index = kinds.find("p", index + 1)
    return Tokens(text, kinds, marks, starts, ends)


def _reject_misread_lexemes_before(source: SourceText, kinds: str, starts: array, ends: array) -> None:
    """Raise UnreadableInput on a raw string literal or a digit separator among the tokens scanned
    so far: the scan stopped at a quote or comment it could not close, and these lexemes, which
    the tokens split otherwise than C++ does, are what leads valid code there."""
    if 'R"' in source.text:
        _reject_unsupported_lexemes(source, kinds, starts, ends)
    if "'" in source.text:
        _reject_digit_separators(source, kinds, starts, ends)


_GROUP_DEPTH: Final = {"#if": 1, "#ifdef": 1, "#ifndef": 1, "#endif": -1}


def _inside_conditional_group(text: str, kinds: str, starts: array, ends: array) -> bool:
    """Whether the directives among the tokens scanned so far leave an `#if` section open."""
    depth = 0
    index = kinds.find("p")
    while index != -1:
        depth = max(0, depth + _GROUP_DEPTH.get(directive_keyword(text[starts[index]:ends[index]]), 0))
        index = kinds.find("p", index + 1)
    return depth > 0


# A digraph: `%:` (#), `<%` `%>` (braces), `<:` `:>` (brackets); `<::` is `<` `::` unless a third
# ':' or a '>' follows.
_DIGRAPH: Final = regex_cache.compile(r"%:|<%|%>|<:(?!:(?![:>]))|:>")
_TRIGRAPH: Final = regex_cache.compile(r"\?\?[=/'()!<>-]")
# A raw string's prefix right before a string token.
_RAW_PREFIX: Final = regex_cache.compile(r"(?:u8|[uUL])?R\Z")
_RAW_IN_DIRECTIVE: Final = regex_cache.compile(r"(?<![\w$])(?:u8|[uUL])?R\"")
# `__has_include` and its kin, whose operand is a header name (`<...>` or `"..."`) or a macro.
_HEADER_NAME_QUERY: Final = regex_cache.compile(r"(?<![\w$])(?:__has_include_next|__has_include|__has_embed)(?![\w$])")
# The operand of one: a header name (`name` None: one that does not end on its line), or none
# (a macro, matched as no header name at all).
_HEADER_NAME_OPERAND: Final = regex_cache.compile(r"""\s*\(\s*(?=[<"])(?:(?P<name><[^>\n]*>|"[^"\n]*")|)""")
# What a header name may hold that the directive's tokens read otherwise: in `<...>`, a comment's
# opening, a quote (a character or string literal) or a backslash; in `"..."` (read as a string
# literal) a backslash, an escape there.
_HEADER_NAME_LEXES_OTHERWISE: Final = {"<": regex_cache.compile(r"""/[*/]|['"\\]"""), '"': regex_cache.compile(r"\\")}


def _reject_unsupported_lexemes(source: SourceText, kinds: str, starts: array, ends: array) -> None:
    """Raise on lexemes the tokenizer does not split as C++ does: a raw string literal
    (``R"d(...)d"`` may hold quotes and newlines, so its text would be read as code) and the
    digraphs (alternative tokens C++ reads whatever the options): ``%:`` is a ``#`` (directives
    and macros would go unseen), ``<%``/``%>`` are braces and ``<:``/``:>`` brackets (a function
    body or a declaration the structure would not see). ``<::`` not followed by ``:`` or ``>`` is
    ``<`` then ``::`` (C++11)."""
    text = source.text
    for i, kind in enumerate(kinds):
        if kind == "s" and i and kinds[i - 1] == "w" and ends[i - 1] == starts[i] \
                and _RAW_PREFIX.search(text, starts[i - 1], starts[i]) and text[starts[i]] == '"':
            raise UnreadableInput("raw string literals are not supported", source, starts[i - 1])
        if kind == "w":       # (a directive's: _check_directive, splices joined)
            digraph = _DIGRAPH.search(text, starts[i], ends[i])
            if digraph is not None:
                raise UnreadableInput(f"the digraph '{digraph.group()}' is not supported", source, digraph.start())


# The two characters every lexeme _reject_unsupported_lexemes rejects starts with (`R"`, `<:`,
# `:>`, `<%`, `%:`, `%>`), each pair searched by what finds it fastest (_may_spell_unsupported_lexeme).
# (Each pattern starts with one character, which sre finds as a memchr finds it, then reads the
# other: `<%`, `%:` and `%>` at their '%', `:>` at its '>', rarer than ':', which every `::`
# spells. An alternation of the pairs, which starts with no one character, is tried at every
# character of the text.)
_PERCENT_DIGRAPH: Final = regex_cache.compile(r"%(?:(?<=<%)|[:>])")
_LESS_COLON: Final = regex_cache.compile(r"<:")
_COLON_GREATER: Final = regex_cache.compile(r">(?<=:>)")


def _may_spell_unsupported_lexeme(text: str) -> bool:
    """Whether ``text`` holds `R"`, `<:`, `:>`, `<%`, `%:` or `%>`: the one search of the text for
    the six pairs (`R"|<:|:>|<%|%[:>]`, an alternation sre tries at every character) cost ~65 ms
    of a 5 MB text, these searches ~6 (issue #70 item 7): one search for the '%' pairs, each
    quote's character before it, one search for each colon pair."""
    if _PERCENT_DIGRAPH.search(text) is not None:
        return True
    quote = text.find('"', 1)
    while quote != -1:
        if text[quote - 1] == "R":
            return True
        quote = text.find('"', quote + 1)
    return _LESS_COLON.search(text) is not None or _COLON_GREATER.search(text) is not None
_SPLICE_AT: Final = regex_cache.compile(SPLICE)
_SPLICE_LF_CR: Final = regex_cache.compile(r"\\[ \t\f\v]*\n\r")


def _reject_backslashes(source: SourceText, kinds: str, starts: array, ends: array) -> None:
    """Raise on a backslash the tokens do not read as the compiler does. The compiler joins a line
    splice before it splits tokens, anywhere: in a word it joins two words, in a comment it moves
    the comment's end (``*\\<newline>/``) or its opening; ptoas never writes one, so only a
    directive (whose text is read with splices joined) may hold one. Any other backslash outside a
    string, comment or directive spells a universal character name (``b\\u00c9`` is ``bÉ``),
    another identifier than the one the model would read."""
    from bisect import bisect_right
    text = source.text
    pos = text.find("\\")
    while pos != -1:
        i = bisect_right(starts, pos) - 1
        kind = kinds[i] if i >= 0 and pos < ends[i] else "w"
        splice = _SPLICE_AT.match(text, pos) is not None
        if kind == "w" or (splice and kind == "c"):
            raise UnreadableInput("a line splice (backslash-newline) outside a preprocessor directive is not supported"
                              if splice else "stray '\\' in program (universal character names are not supported)",
                              source, pos)
        pos = text.find("\\", ends[i] if kind in "ps" and i >= 0 else pos + 1)


def _reject_digit_separators(source: SourceText, kinds: str, starts: array, ends: array) -> None:
    """Raise on a digit separator: the tokenizer would read ``1'0; } //'`` as a character literal
    and the code after it as hidden in it, or the other way round."""
    text = source.text
    index = kinds.find("s")
    while index != -1:
        start = starts[index]
        if text[start] == "'" and index and ends[index - 1] == start and _quote_after_word(text, start):
            raise UnreadableInput("digit separators are not supported", source, start)
        index = kinds.find("s", index + 1)


def _quote_after_word(text: str, pos: int) -> bool:
    """The quote at ``pos`` directly follows a letter, digit, '_' or '.', other than a character
    literal's encoding prefix (`u8'a'`, `L'a'`): a digit separator (`8'192`, `return.1'0`), as
    no other valid C++ puts a quote there."""
    if pos > 1 and text[pos - 1] in "+-" and text[pos - 2] in "eEpP":
        return True      # `1e+'0`: a pp-number's exponent sign (or `e+'a'`, refused with it)
    if pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] in "_."):
        return False
    word = pos
    while word > 0 and (text[word - 1].isalnum() or text[word - 1] == "_"):
        word -= 1
    prefix = text[word:pos] in ("u8", "u", "U", "L")
    return not prefix or (word > 0 and (text[word - 1].isalnum() or text[word - 1] in "_.'"))


# A character C++ reads otherwise than ptofix's tokens outside comments and strings: NUL (blank to
# gcc and clang, even in a skipped group), `$` and non-ASCII characters (identifier characters, or
# blanks such as U+00A0 and U+180E to clang, U+FEFF past the file's start neither).
_EXOTIC: Final = regex_cache.compile(r"[^\x01-\x7f]|\$")


def _reject_exotic_characters(source: SourceText, kinds: str, starts: array, ends: array) -> None:
    """Raise on NUL anywhere, and on `$` or a non-ASCII character outside a comment or string
    (a directive's are checked by _check_directive), but a byte order mark that starts the file."""
    text = source.text
    if text.isascii() and "$" not in text and "\x00" not in text:
        return
    for match in _EXOTIC.finditer(text, 1 if text.startswith("\ufeff") else 0):
        pos = match.start()
        i = bisect_right(starts, pos) - 1
        kind = kinds[i] if i >= 0 and pos < ends[i] else "w"
        if text[pos] == "\x00":
            # Refused wherever it is; the message says where it is, so it can be found.
            where = {"c": "in a comment", "s": "in a string or character literal",
                     "p": "in a preprocessor directive"}.get(kind, "outside a comment or string")
            raise UnreadableInput(f"a NUL character {where} is not supported", source, pos)
        if kind not in "csp":
            raise UnreadableInput(f"the character {text[pos]!r} outside a comment or string is not supported",
                                  source, pos)


_SPLICE_AT_JOINS = ("//", "/*", "*/")


def _check_directive(source: SourceText, start: int, end: int) -> None:
    """Raise on what would make a directive's tokens differ from the preprocessor's: a line
    splice inside `//`, `/*` or `*/` (the compiler joins lines first), a raw string, a digit
    separator (its quote opens no literal), a backslash outside a string that splices nothing
    (a universal character name), and `$` or a non-ASCII character outside a comment or string."""
    raw = source.text[start:end]
    joins: list[int] = []
    text = raw
    if "\\" in raw:
        pieces, last, joined = [], 0, 0
        for splice in _SPLICE_AT.finditer(raw):
            pieces.append(raw[last:splice.start()])
            joined += splice.start() - last
            last = splice.end()
            joins.append(joined)
        pieces.append(raw[last:])
        text = "".join(pieces)

    def fail(what: str, offset: int) -> None:
        raise UnreadableInput(f"{what} in a directive is not supported", source, start + min(offset, len(raw) - 1))

    for at in joins:
        if text[max(0, at - 1):at + 1] in _SPLICE_AT_JOINS:
            fail("a line splice inside '//', '/*' or '*/'", at)
    if 'R"' in text:
        found = _RAW_IN_DIRECTIVE.search(text)
        if found is not None:
            fail("a raw string literal", found.start())
    lexemes = [(m.start(), m.end()) for m in DIRECTIVE_LEXEMES.finditer(text)] if "/" in text or "'" in text \
        or '"' in text else []
    for lo, _ in lexemes:
        if text[lo] == "'" and _quote_after_word(text, lo):
            fail("a digit separator", lo)
    code = DIRECTIVE_LEXEMES.sub(lambda m: " " * len(m.group()), text) if lexemes else text
    digraph = _DIGRAPH.search(code)
    if digraph is not None:
        fail(f"the digraph '{digraph.group()}'", digraph.start())
    word = directive_keyword(code)
    if word in ("#warning", "#error") and ("\n" in text or "\r" in text):
        # (clang reads their text raw to the line's end: a `/*` there opens no comment.)
        fail(f"a {word} that runs past its line", 0)
    if "__has_" in code:
        for query in _HEADER_NAME_QUERY.finditer(code):
            # (`__has_include(<a/*b>)` reads a header name, in which `/*`, `//` and quotes are
            # plain, where these tokens open a comment or a literal; so does C23's `__has_embed`.
            # A header name without them is read alike: the query is then an #if operand,
            # preprocessor.evaluate_condition's; so is one a macro spells.)
            operand = _HEADER_NAME_OPERAND.match(text, query.end())
            name = operand.group("name") if operand is not None else ""
            if operand is not None and (name is None
                                        or _HEADER_NAME_LEXES_OTHERWISE[name[0]].search(name, 1, len(name) - 1)):
                fail(f"{query.group()} with a header name the directive's tokens do not show", query.start())
    if word == "#embed":
        fail("#embed", 0)       # (a header name too, and the file's bytes become code)
    if "\\" in text or not text.isascii() or "$" in text:
        inside = 0
        for pos, ch in enumerate(text):
            while inside < len(lexemes) and lexemes[inside][1] <= pos:
                inside += 1
            if inside < len(lexemes) and lexemes[inside][0] <= pos:
                continue
            if ch == "\\" or ch == "$" or not ch.isascii():
                fail(f"the character {ch!r} outside a comment or string", pos)


def _reject_midline_directives(source: SourceText, kinds: str, starts: array) -> None:
    """Raise on a '#' that does not begin its line: only a '#' first on a line (after blanks)
    starts a directive, so in a skipped ``#if 0`` group `; #endif` ends nothing (and elsewhere it
    is no valid code)."""
    text = source.text
    index = kinds.find("p")
    while index != -1:
        start = starts[index]
        line = line_start(text, start)
        if text[line:start].strip(" \t\f\v\ufeff"):
            raise UnreadableInput("'#' not at the start of a line (a directive must begin its line) is not supported",
                              source, start)
        index = kinds.find("p", index + 1)


class StructureError(Exception):
    """``group``: the structure is broken by the file's `#if` groups or directives (a branch that
    crosses a block, a directive inside a statement, an unbalanced `#if`)."""
    def __init__(self, message: str, offset: int, group: bool = False):
        super().__init__(message)
        self.offset = offset
        self.group = group


class NestingLimit(StructureError):
    """Nesting deeper than ptofix reads (MAX_NESTING): C++ lets an implementation nest further
    (256 levels of blocks or `#if` sections at least, [implimits]), so valid code, read as Unknown."""
