"""Memory-saving representations behave like the plain ones they replace."""
import glob
import os
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from ptofix.cpp.parser import _TOKEN_RE, Tokens, _scan, parse_cpp, tokenize
from ptofix.source import PtofixError, SourceText


def reference_tokens(text):
    """The tokenizer's tuples (kind, text, start, end) built one tuple a token, as it once did."""
    out = []
    pos = 0
    for match in _TOKEN_RE.finditer(text):
        if match.start() != pos:
            break
        pos = match.end()
        kind = match.lastgroup
        out.append((kind, match.group(kind), match.start(kind), pos))
    return out


def scanned(text):
    try:
        return _scan(SourceText(text, "x"))
    except PtofixError:
        return None


_PIECES = list("ab1_(){}[];:/*#\"'\\\n\t =<>,.&") + [
    "for", "if", "else", "//c\n", "/* d */", "/*", "#if X\n", "#endif\n", "#define Y 1 \\\n 2\n",
    "\"s;\"", "'c'", "a/b", "x//y\n", "\r\n", "\r", "\ufeff", "é"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=60))
def test_compact_tokens_equal_the_tuples_on_random_text(pieces):
    text = "".join(pieces)
    tokens = scanned(text)
    if tokens is None:
        return
    assert isinstance(tokens, Tokens)
    assert tokens.tuples() == reference_tokens(text)
    assert len(tokens) == len(tokens.kinds) == len(tokens.starts) == len(tokens.ends)
    for i, tok in enumerate(tokens.tuples()):
        assert tokens.text_of(i) == tok[1]
    assert [(t.kind, t.text, t.start, t.end) for t in tokenize(SourceText(text))] == tokens.tuples()


def test_compact_tokens_equal_the_tuples_on_the_corpus(corpus_dir):
    files = sorted(glob.glob(os.path.join(corpus_dir, "**", "*.cpp"), recursive=True))
    rnd = random.Random(7)
    for path in files:
        with open(path, encoding="utf-8", errors="replace", newline="") as handle:
            text = handle.read()
        tokens = scanned(text)
        if tokens is not None:
            assert tokens.tuples() == reference_tokens(text), path
    for _ in range(50):       # cut corpus files: unbalanced brackets, split comments and strings
        with open(rnd.choice(files), encoding="utf-8", errors="replace", newline="") as handle:
            text = handle.read()
        i = rnd.randrange(len(text) + 1)
        text = text[:i] + text[i + rnd.randint(0, 300):]
        tokens = scanned(text)
        if tokens is not None:
            assert tokens.tuples() == reference_tokens(text)


def test_bracket_table_and_scans_agree_on_unbalanced_text():
    # Unbalanced files are parsed by scanning from each bracket instead of the table: the errors
    # and models must be those of a balanced prefix either way.
    for text in ("void f() { a(; }", "void f() { g(x]; }", "void f() { x; ", "void f() { if (a) b; else }",
                 "void f() { switch (x) { case 1: a; } }", "void f() { do { a; } while (b); }"):
        try:
            model = parse_cpp(SourceText(text, "x"))
        except PtofixError as exc:
            assert exc.args
        else:
            assert model.print() == text
