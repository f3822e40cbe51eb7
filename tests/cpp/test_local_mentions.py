"""local_mentions skips the names a file spells once, in their own function (#70 item 7): the word
index's counts say which. It must give what the scan of every function for every name gives, on
files built to break that: names spelled in comments and strings, inside longer words, as a
prototype, twice (overloads, recursion, a call), at a function's edges; and it must fall back to
the scan where the counts may not be the raw scan's (a backslash, non-ASCII text)."""
from __future__ import annotations

import glob
import os
import random

import pytest

from ptofix.cpp.barrier_sites import _named_once_in_own_span, local_mentions, scanned_mentions
from ptofix.cpp.parser import parse_cpp
from ptofix.source import PtofixError, SourceText

CORPUS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "corpus")


def _same(text: str, path: str = "m.cpp") -> tuple[dict, set]:
    model = parse_cpp(SourceText(text, path))
    names = {fn.name for fn in model.functions}
    by_name = {id(fn): fn.name for fn in model.functions}
    fast, slow = local_mentions(model), scanned_mentions(model)
    assert {by_name[k]: v for k, v in fast.items()} == {by_name[k]: v for k, v in slow.items()}, text
    assert fast == slow
    return fast, _named_once_in_own_span(model, names)


def _fn(name: str, body: str) -> str:
    return f"__global__ AICORE void {name}(int32_t n) {{\n{body}\n}}\n"


def test_a_file_of_kernels_each_named_once_skips_their_names():
    text = _fn("a", "  TADD(x, x, x);") + _fn("b", "  a(n);") + _fn("c", "  TMUL(y, y, y);")
    mentions, once = _same(text)
    assert once == {"b", "c"}          # (a is called by b: spelled twice)
    assert sorted(map(sorted, mentions.values())) == [["a"], ["a", "b"], ["c"]]


@pytest.mark.parametrize("body, other", [
    ("  // c is next", "comment"),
    ('  printf("c");', "string"),
    ("  int32_t c = 1;", "variable of the same name"),
    ("  cc(n); c_1(n); xc(n);", "longer words only"),
    ("  c(n);", "call"),
])
def test_a_name_spelled_in_another_function_is_found_there(body, other):
    text = _fn("a", body) + _fn("c", "  TADD(x, x, x);")
    mentions, once = _same(text)
    assert ("c" in once) == (other == "longer words only")


def test_prototypes_overloads_and_recursion():
    _same("void h(int32_t n);\n" + _fn("h", "  TADD(x, x, x);") + _fn("k", "  h(n);"))
    _same(_fn("h", "  TADD(x, x, x);") + "__global__ AICORE void h(float n) {\n}\n" + _fn("k", "  TMUL(x, x, x);"))
    _same(_fn("r", "  r(n - 1);") + _fn("k", "  TMUL(x, x, x);"))
    # A name spelled twice in its own function only.
    mentions, once = _same(_fn("r", "  // r\n  TMUL(x, x, x);") + _fn("k", "  TMUL(x, x, x);"))
    assert "r" not in once and "k" in once


def test_texts_whose_counts_may_differ_are_scanned():
    # A line splice joins words (the index counts the joined text); a string's backslash; non-ASCII text.
    spliced = "#define M 1 \\\n  + b\n" + _fn("a", "  TADD(x, x, x);") + _fn("b", "  TMUL(x, x, x);")
    assert _same(spliced)[1] == set()
    escaped = _fn("a", '  printf("b\\n");') + _fn("b", "  TMUL(x, x, x);")
    assert _same(escaped)[1] == set()
    wide = _fn("a", "  // é\n  TADD(x, x, x);") + _fn("b", "  TMUL(x, x, x);")
    assert _same(wide)[1] == set()


def test_random_files_mention_as_the_scan_finds():
    rng = random.Random(70)
    names = ["f", "g", "g_1", "fg", "h2", "_k", "ff", "gg"]
    for _ in range(300):
        chosen = rng.sample(names, rng.randint(1, 5))
        parts = []
        for name in chosen + rng.sample(chosen, rng.randint(0, min(2, len(chosen)))):       # (some defined twice)
            words = rng.choices(names + ["TADD", "x", "n", "1"], k=rng.randint(0, 4))
            body = "\n".join(f"  {rng.choice(['', '// ', 'int32_t q = '])}{w}{rng.choice(['(n);', ';', ''])}"
                             for w in words)
            if rng.random() < 0.2:
                parts.append(f"void {name}(int32_t n);\n")
            parts.append(_fn(name, body))
        text = "".join(parts)
        try:
            _same(text)
        except PtofixError:
            continue


@pytest.mark.slow
@pytest.mark.corpus
def test_the_corpus_mentions_as_the_scan_finds():
    files = sorted(glob.glob(os.path.join(CORPUS, "**", "*.cpp"), recursive=True))
    if not files:
        pytest.skip("no ../shared/corpus")
    taken = 0
    for path in files:
        text = open(path, encoding="utf-8", errors="replace").read()
        try:
            _, once = _same(text, path)
        except PtofixError:
            continue
        taken += bool(once)
    assert taken > len(files) // 4
