"""The words of a file, read once from the structural parser's tokens (issue #70 item 8: the source
is lexed once).

The tokenizer (tokens.scan_tokens) splits the whole text into words, brackets, comments, string
and character literals and directives. One scan of the word runs of those tokens, each counted
as code or comment by its token's kind, answers the lexical questions asked of a whole file:

- which words the text holds (SourceText.word_text, identifier_words: the raw text's words, line
  splices not joined, comments and strings included);
- how often a name occurs as an identifier in the text with its line splices joined, comments
  and strings included (FileFacts.name_count), and outside comments, strings kept
  (FileFacts.code_name_count).

They are the answers the raw-text scans gave (``count_identifiers(join_splices(text))``,
``count_identifiers(strip_comments(join_splices(text)))``, ``ascii_words(text)``);
tests/cpp/test_word_index.py compares them over the corpus and generated text. When the
tokens cannot show that an answer is the same (a splice the tokens split from its line), the
index has no counts (``counts_known`` False) and the caller scans the text as before.
"""
from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections import Counter

from .. import regex_cache
from ..source import ASCII_WORD_BYTES, word_chunks
from .lexical import SPLICE, code_only, masked_literals, strip_comments
from .model import WordIndex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from .model import CppFile
    from .tokens import Tokens

# A word: a maximal run of word characters, [A-Za-z0-9_] in an ASCII text (\w there), \w in
# another (lexical.IDENTIFIER's `\w*`), kept as bytes (UTF-8). An identifier scan
# (lexical.identifiers) finds one identifier in a word, from its first letter or '_' on (`0x1F`
# holds `x1F`), none if it has none.
_WORD = regex_cache.compile(r"\w+")
_IDENTIFIER_START = regex_cache.compile(r"[A-Za-z_]")
_STARTS_IDENTIFIER = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_SPLICE = regex_cache.compile(SPLICE)
# A directive token ending in a backslash (and blanks): its splice's line end is outside it.
_ENDS_IN_BACKSLASH = regex_cache.compile(r"\\[ \t\f\v]*\Z")
# A comment, a literal, or a directive (kept only when it may hold one: a '/', '"' or "'").
_LEXEME = regex_cache.compile(r"[csp]")


def _words(text: str, start: int, end: int) -> list[bytes]:
    """The words of ``text[start:end]`` (range ends bound words), as bytes: an ASCII text's
    encoded, its other bytes made blanks, and split (as source.ascii_words reads them), another's
    found by a \\w scan, ~64K characters at a time."""
    found: list[bytes] = []
    ascii_text = text.isascii()
    for piece_start, piece_end in word_chunks(text, start, end):
        if ascii_text:
            found += text[piece_start:piece_end].encode("ascii").translate(ASCII_WORD_BYTES).split()
        else:
            words = _WORD.findall(text, piece_start, piece_end)
            if words:
                found += "\n".join(words).encode("utf-8").split(b"\n")
    return found


def _word_counts(text: str, start: int, end: int) -> Counter[bytes]:
    """How often each word of ``text[start:end]`` occurs (_words' words), counted a piece of
    ~64K characters at a time: no list of every word of a large text (at 5 MB, ~40 bytes a word
    held at once, most of the parse's peak memory)."""
    counts: Counter[bytes] = Counter()
    for piece_start, piece_end in word_chunks(text, start, end):
        counts.update(_words(text, piece_start, piece_end))
    return counts


def _identifier_counts(words: Counter[bytes]) -> dict[bytes, int]:
    """The identifiers of ``words`` (a word's from its first letter or '_' on) and their counts."""
    counts = {word: count for word, count in words.items() if count > 0}
    for word in [word for word in counts if word[0] not in _STARTS_IDENTIFIER]:
        count = counts.pop(word)
        spelled = word.decode("utf-8")
        first = _IDENTIFIER_START.search(spelled)
        if first is not None:
            identifier = spelled[first.start():].encode("utf-8")
            counts[identifier] = counts.get(identifier, 0) + count
    return counts


def _lexemes(tokens: Tokens) -> tuple[str, array, array]:
    """The kind ('c', 's' or 'p'), start and end of each comment, literal, and directive that may
    hold either ('/', '"' or "'" in it), in file order (the offsets as arrays: 8 bytes each, not a
    list's pointer and int object, ~0.8 MiB at 5 MB of input)."""
    text, starts, ends = tokens.text, tokens.starts, tokens.ends
    lexeme_kinds: list[str] = []
    lexeme_starts = array("q")
    lexeme_ends = array("q")
    for found in _LEXEME.finditer(tokens.kinds):
        token = found.start()
        start, end = starts[token], ends[token]
        kind = found.group()
        if kind != "p" or "/" in (directive := text[start:end]) or '"' in directive or "'" in directive:
            lexeme_kinds.append(kind)
            lexeme_starts.append(start)
            lexeme_ends.append(end)
    return "".join(lexeme_kinds), lexeme_starts, lexeme_ends


def read_word_index(tokens: Tokens) -> WordIndex:
    """The word index of the text ``tokens`` were scanned from (the raw tokens of
    tokens.scan_tokens, which cover the whole text: only blanks lie between them, and a token
    never ends inside a word, so each word is one token's)."""
    text = tokens.text
    kinds, starts, ends = tokens.kinds, tokens.starts, tokens.ends
    lexemes = _lexemes(tokens)
    code = _word_counts(text, 0, len(text))
    words = set(code) if text.isascii() else None
    # The comments' words, read from their tokens (each comment's words are its token's).
    pieces: list[str] = []
    index = kinds.find("c")
    while index != -1:
        pieces.append(text[starts[index]:ends[index]])
        index = kinds.find("c", index + 1)
    comment_text = "\n".join(pieces)
    comments = _word_counts(comment_text, 0, len(comment_text))
    code.subtract(comments)
    # A line splice lies in a directive or a string literal (tokens.scan_tokens refuses one
    # elsewhere): such a token's words are read again with its splices joined, as the compiler
    # reads them. A directive's comments are comments (the tokens hold a directive as one lexeme).
    mended: list[int] = []
    at = text.find("\\")
    while at != -1:
        token = bisect_right(starts, at) - 1
        mended.append(token)
        at = text.find("\\", ends[token]) if token >= 0 and at < ends[token] else text.find("\\", at + 1)
    index = kinds.find("p")
    while index != -1:
        if "/" in text[starts[index]:ends[index]]:
            mended.append(index)
        index = kinds.find("p", index + 1)
    for token in sorted(set(mended)):
        if token < 0 or kinds[token] not in "ps":
            return WordIndex(words, None, None)  # (a backslash outside them: the tokenizer refuses it)
        raw = text[starts[token]:ends[token]]
        joined = _SPLICE.sub("", raw) if "\\" in raw else raw
        if kinds[token] == "p" and text.startswith(("\n", "\r"), ends[token]) \
                and (_ENDS_IN_BACKSLASH.search(raw) or _ENDS_IN_BACKSLASH.search(joined)):
            # The token ends before a line end that a backslash of it splices (a splice the raw
            # text holds there, or one joining its splices makes, which the scans of the joined
            # text read as a splice too): a comment or literal the scans read there may run on
            # past it. Neither the counts nor the places of the lexemes are known.
            return WordIndex(words, None, None)
        # raw-text scan: a directive's comments, which its token holds (read as strip_comments
        # reads them, the way the whole text's scan read them).
        code_part = strip_comments(joined) if kinds[token] == "p" else joined
        code.subtract(_words(raw, 0, len(raw)))
        code.update(_words(code_part, 0, len(code_part)))
        if code_part is not joined:
            comments.update(_words(joined, 0, len(joined)))
            comments.subtract(_words(code_part, 0, len(code_part)))
    return WordIndex(words, _identifier_counts(code), _identifier_counts(comments), *lexemes)


def _rebuilt(text: str, lexemes: tuple[str, array, array], comment: Callable[[str], str],
             literal: Callable[[str], str], directive: Callable[[str], str]) -> str:
    """``text`` with each comment, literal and directive of ``lexemes`` (_lexemes) replaced."""
    pieces: list[str] = []
    pos = 0
    for kind, start, end in zip(*lexemes, strict=True):
        pieces.append(text[pos:start])
        lexeme = text[start:end]
        pieces.append(comment(lexeme) if kind == "c" else literal(lexeme) if kind == "s" else directive(lexeme))
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


def _emptied(literal: str) -> str:
    return literal[0] * 2


def _blank(comment: str) -> str:
    return " " * len(comment)


def _masked(literal: str) -> str:
    return literal[0] + " " * (len(literal) - 2) + literal[-1]


def code_source(model: CppFile) -> str:
    """``code_only(model.source.text)`` (each comment a space, each literal emptied), rebuilt from
    where the parser's tokens found them."""
    text = model.source.text
    index = model.word_index
    if index is None or index.lexeme_kinds is None or not ("/" in text or '"' in text or "'" in text):
        # raw-text scan: a model built without the parser's tokens, or tokens that cannot tell
        # where the lexemes lie (WordIndex.lexeme_kinds None): code_only scans the text.
        return code_only(text)
    lexemes = (index.lexeme_kinds, index.lexeme_starts, index.lexeme_ends)
    # raw-text scan: a directive's own comments and literals (its token holds it as one lexeme).
    return _rebuilt(text, lexemes, lambda comment: " ", _emptied, code_only)


def code_between(model: CppFile, start: int, end: int) -> str:
    """``code_only(model.source.text[start:end])`` (a function's body or head: each comment a
    space, each literal emptied), rebuilt from where the parser's tokens found them."""
    text = model.source.text
    index = model.word_index
    if index is None or index.lexeme_kinds is None:
        # raw-text scan: as code_source's.
        return code_only(text[start:end])
    kinds, starts, ends = index.lexeme_kinds, index.lexeme_starts, index.lexeme_ends
    first = bisect_left(starts, start)
    last = bisect_left(starts, end)
    if (first > 0 and ends[first - 1] > start) or (last > first and ends[last - 1] > end):
        # raw-text scan: a range that cuts a comment, literal or directive (read as its slice reads).
        return code_only(text[start:end])
    pieces: list[str] = []
    pos = start
    for at in range(first, last):
        pieces.append(text[pos:starts[at]])
        lexeme = text[starts[at]:ends[at]]
        # raw-text scan: a directive's own comments and literals (its token holds it as one lexeme).
        pieces.append(" " if kinds[at] == "c" else _emptied(lexeme) if kinds[at] == "s" else code_only(lexeme))
        pos = ends[at]
    pieces.append(text[pos:end])
    return "".join(pieces)


def masked_source(model: CppFile) -> str:
    """``masked_literals(model.source.text)`` (each comment and the inside of each literal blanks,
    offsets kept), rebuilt from where the parser's tokens found them."""
    text = model.source.text
    index = model.word_index
    if index is None or index.lexeme_kinds is None or not ("/" in text or '"' in text or "'" in text):
        # raw-text scan: as code_source's (masked_literals scans the text).
        return masked_literals(text)
    lexemes = (index.lexeme_kinds, index.lexeme_starts, index.lexeme_ends)
    # raw-text scan: a directive's own comments and literals (its token holds it as one lexeme).
    return _rebuilt(text, lexemes, _blank, _masked, masked_literals)


def masked_tokens_text(tokens: Tokens) -> str:
    """``masked_literals(tokens.text)``, rebuilt from where the tokens found the comments and
    literals (a text read without a model: a header's, headers.py)."""
    text = tokens.text
    if not ("/" in text or '"' in text or "'" in text) or _splices_past_a_directive(tokens):
        # raw-text scan: no comment or literal to blank, or a directive token a splice runs past
        # (masked_literals scans the text).
        return masked_literals(text)
    # raw-text scan: a directive's own comments and literals (its token holds it as one lexeme).
    return _rebuilt(text, _lexemes(tokens), _blank, _masked, masked_literals)


def _splices_past_a_directive(tokens: Tokens) -> bool:
    """Whether a directive token ends in a backslash (and blanks) before a line end: a splice the
    token ends before, which a comment or literal of the scans may run on past."""
    text, kinds, ends = tokens.text, tokens.kinds, tokens.ends
    if "\\" not in text:
        return False
    index = kinds.find("p")
    while index != -1:
        end = ends[index]
        if text.startswith(("\n", "\r"), end) and _ENDS_IN_BACKSLASH.search(text, tokens.starts[index], end):
            return True
        index = kinds.find("p", index + 1)
    return False
