"""The words of a file, read once from the structural parser's tokens (issue #70 item 8: the source
is lexed once).

The tokenizer (tokens.scan_tokens) splits the whole text into words, brackets, comments, string
and character literals and directives. One scan of the word runs of those tokens, each counted
as code or comment by its token's kind, answers the lexical questions asked of a whole file:

- which words the text holds (SourceText.word_text, identifier_words: the raw text's words, line
  splices not joined, comments and strings included);
- how often the name of one of the file's functions occurs as an identifier in the text with
  its line splices joined, comments and strings included (FileFacts.name_count), and outside
  comments, strings kept (FileFacts.code_name_count);
- which of those names each function's text holds as identifiers (barrier_sites.local_mentions).

The parser reads the index once it knows the functions' spans (WordReading): one split of the
text into words, each function's span split as a piece of its own, answers all three (the
distinct words kept, the functions' names counted and found among each piece's words).

They are the answers the raw-text scans gave (``count_identifiers(join_splices(text))``,
``count_identifiers(strip_comments(join_splices(text)))``, ``ascii_words(text)``,
``identifiers_among(text, names, fn.span.start, fn.span.end)``); tests/cpp/test_word_index.py
and tests/cpp/test_function_mentions.py compare them over the corpus and generated text. When the
tokens cannot show that an answer is the same (a splice the tokens split from its line), the
index has no counts (``counts_known`` False) and the caller scans the text as before.
"""
from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections import Counter

from .. import regex_cache
from ..source import ASCII_WORD_BYTES, word_chunks
from .lexical import IDENTIFIER, SPLICE, code_only, identifiers_among, masked_literals, strip_comments
from .model import WordIndex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Final

    from ..source import SourceText, Span
    from .model import CppFile, Function
    from .tokens import Tokens

# A word: a maximal run of word characters, [A-Za-z0-9_] in an ASCII text (\w there), \w in
# another (lexical.IDENTIFIER's `\w*`), kept as bytes (UTF-8). An identifier scan
# (lexical.identifiers) finds one identifier in a word, from its first letter or '_' on (`0x1F`
# holds `x1F`), none if it has none.
_WORD: Final = regex_cache.compile(r"\w+")
_IDENTIFIER_START: Final = regex_cache.compile(r"[A-Za-z_]")
_STARTS_IDENTIFIER: Final = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_SPLICE: Final = regex_cache.compile(SPLICE)
# A directive token ending in a backslash (and blanks): its splice's line end is outside it.
_ENDS_IN_BACKSLASH: Final = regex_cache.compile(r"\\[ \t\f\v]*\Z")


def _words(text: str, start: int, end: int) -> list[bytes]:
    """The words of ``text[start:end]`` (range ends bound words), as bytes: an ASCII text's
    encoded, its other bytes made blanks, and split (as source.ascii_words reads them), another's
    found by a \\w scan, ~64K characters at a time."""
    found: list[bytes] = []
    for piece_start, piece_end in word_chunks(text, start, end):
        found += _chunk_words(text, piece_start, piece_end)[1]
    return found


def _chunk_words(text: str, start: int, end: int) -> tuple[bytes, list[bytes]]:
    """_words of one chunk of word_chunks, and the bytes they were split from: the words apart,
    by blanks (an ASCII text's, its other bytes made blanks) or line ends (another's words,
    joined), and nothing else (_word_count)."""
    if text.isascii():
        data = text[start:end].encode("ascii").translate(ASCII_WORD_BYTES)
        return data, data.split()
    words = _WORD.findall(text, start, end)
    if not words:
        return b"", []
    data = "\n".join(words).encode("utf-8")
    return data, data.split(b"\n")


# A word's edge in _chunk_words' bytes: a blank or a line end (no word's byte: an ASCII word
# character, or a byte of a multi-byte character's UTF-8, 0x80 and up).
_SPACE_BYTE: Final = ord(" ")
_LINE_END_BYTE: Final = ord("\n")


def _word_count(data: bytes, word: bytes) -> int:
    """How often ``word`` is one of the words _chunk_words split ``data`` into: each place
    bytes.find finds it (a skipping search of the bytes, where list.count compares it with every
    word; issue #70 item 7) that a word's edge bounds on both sides."""
    count = 0
    size = len(word)
    last = len(data)
    at = data.find(word)
    while at != -1:
        after = at + size
        if (at == 0 or data[at - 1] == _SPACE_BYTE or data[at - 1] == _LINE_END_BYTE) \
                and (after == last or data[after] == _SPACE_BYTE or data[after] == _LINE_END_BYTE):
            count += 1
        at = data.find(word, at + 1)
    return count


def _identifier_of(word: bytes) -> bytes | None:
    """The identifier a word holds (from its first letter or '_' on: `0x1F` holds `x1F`, `éf`
    holds `f`), None if it has none (a number)."""
    if word[0] in _STARTS_IDENTIFIER:
        return word
    spelled = word.decode("utf-8")
    first = _IDENTIFIER_START.search(spelled)
    return spelled[first.start():].encode("utf-8") if first is not None else None


def _named_counts(counts: dict[bytes, int], names: frozenset[bytes], into: dict[bytes, int]) -> None:
    """Add to ``into`` the counts of ``counts`` (by word) of the words whose identifier is one of
    ``names``, by that identifier."""
    for word, count in counts.items():
        identifier = _identifier_of(word)
        if identifier is not None and identifier in names:
            into[identifier] = into.get(identifier, 0) + count


# A piece holding more of the names than this counts them by one walk of its words, not by a
# walk (list.count) per name.
_FEW_FOUND: Final = 4


def _count_among(data: bytes, words: list[bytes], distinct: set[bytes], names: frozenset[bytes],
                 counts: dict[bytes, int]) -> frozenset[bytes]:
    """Add to ``counts`` how often each of ``names`` is one of ``words`` (split from ``data`` by
    _chunk_words; their distinct words are ``distinct``); the names found."""
    found = names.intersection(distinct)
    if len(found) <= _FEW_FOUND:
        for name in found:
            # (A name of a character or two: bytes.find stops at each of its characters.)
            counts[name] = counts.get(name, 0) + (_word_count(data, name) if len(name) > 2 else words.count(name))
    else:
        for word in words:
            if word in found:
                counts[word] = counts.get(word, 0) + 1
    return found


def _lexemes(tokens: Tokens) -> tuple[str, array, array]:
    """The kind ('c', 's' or 'p'), start and end of each comment, literal, and directive that may
    hold either ('/', '"' or "'" in it), in file order (the offsets as arrays: 8 bytes each, not a
    list's pointer and int object, ~0.8 MiB at 5 MB of input)."""
    text, kinds, starts, ends = tokens.text, tokens.kinds, tokens.starts, tokens.ends
    # Their tokens' indices, found kind by kind (str.find: a memchr, where a regex search of the
    # kinds for [csp] tries every token; issue #70 item 7), then in file order.
    indices: list[int] = []
    for kind in ("c", "s", "p"):
        index = kinds.find(kind)
        while index != -1:
            start, end = starts[index], ends[index]
            if kind != "p" or "/" in (directive := text[start:end]) or '"' in directive or "'" in directive:
                indices.append(index)
            index = kinds.find(kind, index + 1)
    indices.sort()
    lexeme_starts = array("q", [starts[index] for index in indices])
    lexeme_ends = array("q", [ends[index] for index in indices])
    return "".join([kinds[index] for index in indices]), lexeme_starts, lexeme_ends


def _is_word_character(ch: str) -> bool:
    """``\\w`` of a str pattern."""
    return ch.isalnum() or ch == "_"


def _cuts_a_word(text: str, at: int) -> bool:
    """Whether offset ``at`` lies inside a word (a word character on either side of it)."""
    return 0 < at < len(text) and _is_word_character(text[at - 1]) and _is_word_character(text[at])


def _split_words(text: str, functions: Sequence[Function], names: frozenset[bytes], distinct: set[bytes],
                 counts: dict[bytes, int]) -> tuple[list[tuple[Span, set[bytes]]], list[Span]]:
    """One split of ``text`` into words, ~64K characters at a time (no list of every word of a
    large text: at 5 MB, ~40 bytes a word held at once): its distinct words added to
    ``distinct``, how often each of ``names`` is a word to ``counts``; and by the span of each of
    ``functions``, which of ``names`` its words are (range ends bounding words, as
    ``identifiers_among(text, names, span.start, span.end)`` reads them): a function's span is
    split as a piece of its own, the text between spans too. A function whose span overlaps an
    earlier one's, or whose edge lies inside a word (where the file's words must be read whole),
    is listed apart (its text split with the next piece)."""
    split: list[tuple[Span, set[bytes]]] = []
    apart: list[Span] = []
    pos = 0
    for fn in sorted(functions, key=_span_start):
        span = fn.span
        start, end = span
        if start < pos or end < start or _cuts_a_word(text, start) or _cuts_a_word(text, end):
            apart.append(span)
            continue
        _split_piece(text, pos, start, names, distinct, counts)
        split.append((span, _split_piece(text, start, end, names, distinct, counts)))
        pos = end
    _split_piece(text, pos, len(text), names, distinct, counts)
    return split, apart


def _split_piece(text: str, start: int, end: int, names: frozenset[bytes], distinct: set[bytes],
                 counts: dict[bytes, int]) -> set[bytes]:
    """_split_words of ``text[start:end]``: the names found among its words."""
    found: set[bytes] = set()
    for piece_start, piece_end in word_chunks(text, start, end):
        data, words = _chunk_words(text, piece_start, piece_end)
        # (The piece's distinct words first, a set a fifth the size of its words: the file's set
        # and the names are then matched against it, not against every word; issue #70 item 7.)
        piece = set(words)
        distinct.update(piece)
        found.update(_count_among(data, words, piece, names, counts))
    return found


def _words_holding(words: set[bytes], names: frozenset[bytes]) -> dict[bytes, bytes]:
    """The words of ``words`` that do not start with a letter or '_' but whose identifier (from
    their first letter or '_' on) is one of ``names``, and that name."""
    holding: dict[bytes, bytes] = {}
    for word in words:
        if word[0] not in _STARTS_IDENTIFIER:
            identifier = _identifier_of(word)
            if identifier is not None and identifier in names:
                holding[word] = identifier
    return holding


def _add_where_whole(text: str, word: str, name: bytes, split: list[tuple[Span, set[bytes]]]) -> None:
    """Add ``name`` to the names found in each span of ``split`` (in file order, disjoint) that
    holds ``word`` as a whole word of ``text``."""
    starts = [span.start for span, _ in split]
    at = text.find(word)
    while at != -1:
        end = at + len(word)
        before = text[at - 1] if at > 0 else " "
        after = text[end] if end < len(text) else " "
        if not _is_word_character(before) and not _is_word_character(after):
            k = bisect_right(starts, at) - 1
            if k >= 0 and end <= split[k][0].end:
                split[k][1].add(name)
        at = text.find(word, at + 1)


def _span_start(fn: Function) -> int:
    return fn.span.start


def read_word_index(tokens: Tokens, functions: Sequence[Function] = ()) -> WordIndex:
    """The word index of the text ``tokens`` were scanned from (the raw tokens of
    tokens.scan_tokens, which cover the whole text: only blanks lie between them, and a token
    never ends inside a word, so each word is one token's): its words, how often the names of
    ``functions`` occur as identifiers, and which of them each one's text holds."""
    text = tokens.text
    kinds, starts, ends = tokens.kinds, tokens.starts, tokens.ends
    lexemes = _lexemes(tokens)
    names = frozenset(fn.name for fn in functions)
    encoded = frozenset(name.encode("utf-8") for name in names if IDENTIFIER.fullmatch(name))
    distinct: set[bytes] = set()
    code: dict[bytes, int] = {}
    split, apart = _split_words(text, functions, encoded, distinct, code)
    # The words that hold a name after their leading digits (`0x1F`, `1f`, `éf`; seldom any): the
    # functions whose text holds one as a whole word hold the name (a split span holds a word of
    # the text whole), and the text is split once more for their counts.
    holding = _words_holding(distinct, encoded)
    for word, name in holding.items():
        _add_where_whole(text, word.decode("utf-8"), name, split)
    counted = encoded | frozenset(holding)
    if holding:
        _split_piece(text, 0, len(text), frozenset(holding), set(), code)
    # (Each a tuple of the functions' own name strings: ~70 bytes a function, not a frozenset's ~220
    # and a copy of each name's.)
    spelled = {name.encode("utf-8"): name for name in names}
    mentions = {span: tuple(spelled[name] for name in found) for span, found in split}
    for span in apart:
        # raw-text scan: a function's span that another overlaps or whose edge cuts a word.
        mentions[span] = tuple(identifiers_among(text, names, span.start, span.end))
    words = distinct if text.isascii() else None
    # The comments' words, read from their tokens (each comment's words are its token's), joined
    # ~64K characters at a time.
    comments: dict[bytes, int] = {}
    pieces: list[str] = []
    size = 0
    index = kinds.find("c")
    while index != -1:
        pieces.append(text[starts[index]:ends[index]])
        size += ends[index] - starts[index] + 1
        index = kinds.find("c", index + 1)
        if size > _COMMENTS_AT_ONCE or index == -1:
            joined_comments = "\n".join(pieces)
            _split_piece(joined_comments, 0, len(joined_comments), counted, set(), comments)
            pieces.clear()
            size = 0
    for word, count in comments.items():
        code[word] = code.get(word, 0) - count
    # A line splice lies in a directive or a string literal (tokens.scan_tokens refuses one
    # elsewhere): such a token's words are read again with its splices joined, as the compiler
    # reads them. A directive's comments are comments (the tokens hold a directive as one lexeme).
    # (Joined, a token may hold a word the text does not: its counts are kept by word, and
    # added by identifier below.)
    code_mended: Counter[bytes] = Counter()
    comments_mended: Counter[bytes] = Counter()
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
            # (a backslash outside them: the tokenizer refuses it)
            return _with_mentions(WordIndex(words, None, None), names, mentions)
        raw = text[starts[token]:ends[token]]
        joined = _SPLICE.sub("", raw) if "\\" in raw else raw
        if kinds[token] == "p" and text.startswith(("\n", "\r"), ends[token]) \
                and (_ENDS_IN_BACKSLASH.search(raw) or _ENDS_IN_BACKSLASH.search(joined)):
            # The token ends before a line end that a backslash of it splices (a splice the raw
            # text holds there, or one joining its splices makes, which the scans of the joined
            # text read as a splice too): a comment or literal the scans read there may run on
            # past it. Neither the counts nor the places of the lexemes are known.
            return _with_mentions(WordIndex(words, None, None), names, mentions)
        # raw-text scan: a directive's comments, which its token holds (read as strip_comments
        # reads them, the way the whole text's scan read them).
        code_part = strip_comments(joined) if kinds[token] == "p" else joined
        code_mended.subtract(_words(raw, 0, len(raw)))
        code_mended.update(_words(code_part, 0, len(code_part)))
        if code_part is not joined:
            comments_mended.update(_words(joined, 0, len(joined)))
            comments_mended.subtract(_words(code_part, 0, len(code_part)))
    code_counts: dict[bytes, int] = {}
    comment_counts: dict[bytes, int] = {}
    _named_counts(code, encoded, code_counts)
    _named_counts(code_mended, encoded, code_counts)
    _named_counts(comments, encoded, comment_counts)
    _named_counts(comments_mended, encoded, comment_counts)
    return _with_mentions(WordIndex(words, code_counts, comment_counts, *lexemes), names, mentions)


# The comments' text is split for its words this many characters at a time.
_COMMENTS_AT_ONCE: Final = 1 << 16


def _with_mentions(index: WordIndex, names: frozenset[str], mentions: dict[Span, tuple[str, ...]]) -> WordIndex:
    index.names = names
    index.mentions = mentions
    return index


class WordReading:
    """The word index of a file (read_word_index), read from its tokens once: by the parser when
    it knows the functions' spans, or without them (a file the parser refuses, whose words the
    source is given all the same: SourceText.take_words)."""

    __slots__ = ("source", "tokens", "index")

    def __init__(self, source: SourceText, tokens: Tokens):
        self.source = source
        self.tokens = tokens
        self.index: WordIndex | None = None

    def read(self, functions: Sequence[Function]) -> WordIndex:
        """The index (read with ``functions`` if not read yet), its words given to the source."""
        if self.index is None:
            index = self.index = read_word_index(self.tokens, functions)
            if index.words is not None:
                self.source.take_words(index.words)
        return self.index


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
