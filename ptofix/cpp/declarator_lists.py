"""A block-scope declaration of several declarators, `T a, b(1, n), c = 4;`, read as the
declarations it is equivalent to, one declarator each.

[dcl.decl]/3 (https://eel.is/c++draft/dcl.decl#3): "Each init-declarator in a declaration is
analyzed separately as if it were in a declaration by itself" (with its note: `T D1, D2, ... Dn;`
is usually equivalent to `T D1; T D2; ... T Dn;`), and each name's scope starts right after its
own complete declarator ([basic.scope.pdecl]/1), so `T a, b(a);` reads the a just declared, as
the separate declarations in that order do. The statement grammar reads one declarator a
declaration; the statement model (model.DeclaratorStmt) gives each declarator its own statement,
whose text is the original's with every other declarator (and its comma) blanked, so the
declaration-specifiers and the declarator keep their offsets.

Read only where no doubt is left: the grammar refuses the whole statement, every comma is a
top-level one of the code (not in brackets, template arguments, comments or literals), and each
blanked text reads as a declaration (A.Decl) of the same type, of neither pointer nor reference
(`T *a, b;`: the `*` belongs to a's declarator, not to T). Anything else stays one statement the
grammar does not read, Unknown as before.
"""
from __future__ import annotations

from .. import COMPILED, regex_cache
from .lexical import masked_literals
from .model import DeclaratorStmt, SimpleStmt
from .stmt_ast import Decl
from .stmt_parser import parse_statement

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Final

    from mypy_extensions import i64

# A statement that may list declarators: a word (the type, or its first specifier), optional
# template arguments, then blanks and another word, the first declarator's name or the type's
# (`const T a`): `TADD(a, b, c);` or `x = f(a, b);` is none.
_DECLARATION_HEAD: Final = regex_cache.compile(r"\s*(?:::)?[A-Za-z_][\w:]*\s*(?:<[^;{}]*>)?\s+[A-Za-z_]")
# A statement that starts with a word and '(' (`TADD(a, b, c);`, `set_flag(...)`: 60% of the
# statements with a comma of the corpus concatenation): never one _DECLARATION_HEAD matches, as
# after any run of its word characters come more of them, or blanks and '(', never blanks and a
# letter. Read first, it spares them the masking and the comma pattern (issue #70 item 7).
_CALL_HEAD: Final = regex_cache.compile(r"\s*[A-Za-z_][\w:]*+\s*\(")
# Most declarators a statement is split into (a longer list stays unread).
MAX_DECLARATORS: Final = 64


def may_list_declarators(text: str) -> bool:
    """A cheap test: ``text`` may be a declaration of several declarators."""
    return "," in text and _DECLARATION_HEAD.match(text) is not None


def _top_level_commas(code: str) -> list[int] | None:
    """Offsets of the commas of ``code`` (a text masked_literals masked: no comment or literal)
    outside brackets and template arguments (a `<` right after a word, as the statement grammar
    reads them); None when its brackets do not pair."""
    commas: list[int] = []
    depth = 0
    angles = 0
    for at, ch in enumerate(code):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                return None
        elif ch == "<" and at and (code[at - 1].isalnum() or code[at - 1] == "_"):
            angles += 1
        elif ch == ">" and angles and code[at - 1] != "-":
            angles -= 1
        elif ch == "," and not depth and not angles:
            commas.append(at)
    return commas if not depth and not angles else None


def _nested_groups(depth: int) -> str:
    """A pattern of one bracketed group or template argument list (`<` after a word character),
    holding commas and groups up to ``depth`` levels deep."""
    plain = r"[^()\[\]{}<>]"
    inner = plain + "*+"
    group = ""
    for _ in range(depth):
        group = rf"(?:(?<=\w)<{inner}>|[(\[{{]{inner}[)\]}}])"
        inner = rf"(?:{plain}++|{group})*+"
    return group


# Code whose every comma is inside a group of _nested_groups(3): the shape of nearly every statement
# with a declaration head and commas (`Tile<T, 16, 16> v;`, `GlobalTensor<T, Shape<...>, ...> v =
# GlobalTensor<...>(a, b);`). Such code has no top-level comma, read by one match where
# _top_level_commas loops over every character (98% of the statements of the corpus concatenation,
# 11 us a statement when this module was interpreted; compiled since issue #70 item 7). Sound:
# _top_level_commas counts every kind of bracket the same and an angle where a word character
# (str.isalnum or '_', which is what \w matches) precedes `<`, as the group does; its `>` after a
# '-' closes no angle, which leaves its count higher, never lower, than the group's. So each comma
# the pattern reads inside a group is inside brackets or template arguments there too. Any other
# code (a bare `<` or `>`, deeper nesting) goes to the loop.
_NO_TOP_LEVEL_COMMA: Final = regex_cache.compile(rf"(?:[^,()\[\]{{}}<>]++|{_nested_groups(3)})*+\Z")


def listed_commas(code: str, text: str) -> list[int] | None:
    """The top-level commas of ``code`` (``text``, a statement's text up to its ';', its literals
    masked) when ``text`` may list declarators (may_list_declarators) and they are some; else
    None or no comma. Compiled, an ASCII code's commas are read by _ascii_top_level_commas (one
    loop over its bytes, ~5x fewer instructions than the one match of _NO_TOP_LEVEL_COMMA; issue #70
    item 7); interpreted, the pattern spares most statements the loop (where it matches, the loop
    finds no comma: tests/cpp/test_declarator_comma_gate.py), and the two give the same."""
    if COMPILED and code.isascii():
        commas = _ascii_top_level_commas(code)
        return commas if commas and may_list_declarators(text) else None
    if _NO_TOP_LEVEL_COMMA.match(code) is not None or not may_list_declarators(text):
        return None
    return _top_level_commas(code)


# ASCII letters, digits and '_' (str.isalnum or '_' of an ASCII character), by byte.
_WORD_BYTES: Final = bytes(1 if chr(ch).isalnum() or ch == ord("_") else 0 for ch in range(128))


def _ascii_top_level_commas(code: str) -> list[int] | None:
    """_top_level_commas of an ASCII ``code``, read as bytes (native ints compiled)."""
    data = code.encode("ascii")
    words = _WORD_BYTES
    commas: list[int] = []
    n: i64 = len(data)
    depth: i64 = 0
    angles: i64 = 0
    at: i64 = 0
    before = 32          # (the byte before ``at``: a blank before the first)
    while at < n:
        ch = data[at]
        if ch == 40 or ch == 91 or ch == 123:          # ( [ {
            depth += 1
        elif ch == 41 or ch == 93 or ch == 125:        # ) ] }
            depth -= 1
            if depth < 0:
                return None
        elif ch == 60:                                 # <
            if words[before]:
                angles += 1
        elif ch == 62:                                 # >
            if angles and before != 45:                # (not `->`)
                angles -= 1
        elif ch == 44 and not depth and not angles:    # ,
            commas.append(at)
        before = ch
        at += 1
    return commas if not depth and not angles else None


def _blank(text: str) -> str:
    """``text`` as blanks of the same length (line breaks kept, so lines keep their numbers)."""
    return "".join(ch if ch in "\r\n" else " " for ch in text)


def declarator_texts(text: str, parse: Any) -> list[str] | None:
    """The texts of ``text``'s declarators as declarations by themselves, in order (each as long
    as ``text``, every other declarator blanked), or None when ``text`` is not a declaration of
    several declarators read exactly (see the module's doc). ``parse``: the statement parser."""
    if "," not in text:
        return None
    end = text.rfind(";")
    if end < 0 or text[end + 1:].strip() or _CALL_HEAD.match(text) is not None:
        return None
    # (The commas before the parse: a statement whose commas are all in brackets or template
    # arguments, nearly every one, is none, and the parse costs far more than the scan. They are
    # read before the declaration head: 98% of the statements that reach here are declarations
    # whose commas are their template arguments', and the head's pattern, which backtracks over
    # the arguments, cost twice the comma pattern; issue #70 item 7.)
    # raw-text scan: a statement's text, brackets and commas outside literals at their offsets (the model
    # keeps a statement's text)
    code = masked_literals(text[:end])
    commas = listed_commas(code, text)
    if not commas or len(commas) >= MAX_DECLARATORS or parse(text) is not None:
        return None
    first_text = text[:commas[0]] + _blank(text[commas[0]:end]) + text[end:]
    first = parse(first_text)
    if not _plain_declaration(first):
        return None
    type_end = first.type.end
    prefix = text[:type_end]
    if not prefix.strip() or not text[type_end:commas[0]].strip():
        return None
    texts = [first_text]
    bounds = [*commas, end]
    for k in range(len(commas)):
        lo, hi = bounds[k] + 1, bounds[k + 1]
        piece = prefix + _blank(text[type_end:lo]) + text[lo:hi] + _blank(text[hi:end]) + text[end:]
        decl = parse(piece)
        if not _plain_declaration(decl) or (decl.type.start, decl.type.end) != (first.type.start, type_end) \
                or decl.type.quals != first.type.quals or decl.type.name != first.type.name:
            return None
        texts.append(piece)
    return texts


def _plain_declaration(node: Any) -> bool:
    """``node`` declares one named variable of a type neither pointer nor reference."""
    return isinstance(node, Decl) and bool(node.name) and not node.type.pointer and not node.type.ref


def declarator_statements(stmt: SimpleStmt) -> list[SimpleStmt] | None:
    """``stmt``, a declaration of several declarators the statement grammar does not read, as one
    DeclaratorStmt a declarator; None when it is no such declaration."""
    texts = declarator_texts(stmt.text, parse_statement)
    if texts is None:
        return None
    return [DeclaratorStmt(stmt.packed_span, stmt.file_text, piece=piece) for piece in texts]
