"""count_mode_offsets skips the names a text's word index does not hold (#70 item 7: each search
reads the whole text). With the index, it must find exactly what the plain scan finds, for every
spelling that puts a name inside a word, at a word's start or end, next to a digit or alone; and
the file model built on it must read the same count-mode places."""
from __future__ import annotations

import random

from ptofix.cpp.count_mode import count_mode_offsets
from ptofix.cpp.parser import parse_cpp
from ptofix.pto.ops import COUNT_MODE_NAMES
from ptofix.source import SourceText

ASSEMBLY = ["asm", "__asm__", "__asm"]
# Around a name: nothing, a letter, a digit, '_', or punctuation and blanks.
SIDES = ["", "x", "9", "_", " ", "(", "::", "\n", ";"]


def _words(text: str) -> bytes:
    source = SourceText(text, "t.cpp")
    found = source.word_text()
    assert found is not None
    return found


def _spellings() -> list[str]:
    texts = []
    for name in list(COUNT_MODE_NAMES) + ASSEMBLY:
        for before in SIDES:
            for after in SIDES:
                texts.append(f"a {before}{name}{after} b")
    return texts


def test_each_spelling_is_found_as_the_plain_scan_finds_it():
    texts = _spellings()
    assert len(texts) == (len(COUNT_MODE_NAMES) + len(ASSEMBLY)) * len(SIDES) ** 2
    assert sum(1 for text in texts if count_mode_offsets(text)) > len(texts) // 3     # (found, and not)
    for text in texts:
        assert count_mode_offsets(text, _words(text)) == count_mode_offsets(text), text


def test_random_texts_of_near_names_are_found_as_the_plain_scan_finds_them():
    rng = random.Random(70)
    pieces = list(COUNT_MODE_NAMES) + ASSEMBLY + ["TC", "CI", "TCI_IMPL", "xTCI", "set_mask", "_count", "as", "m",
                                                   "__asm_", "0", "_", " ", "\n", "(", ")", ";", "//", "/*", "*/",
                                                   "\"", "'", "a", "Z9"]
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert count_mode_offsets(text, _words(text)) == count_mode_offsets(text), text


def test_none_of_the_names_in_the_index_finds_none():
    text = "void k() { TADD(a, b, c); }\n"
    assert count_mode_offsets(text, _words(text)) == [] == count_mode_offsets(text)


def test_a_kernel_s_count_mode_places_are_read_as_before():
    # A scalar TCI call the model locates, and a name in a comment it does not: the file facts
    # (FileFacts._locate_count_mode) read the places from the index-gated scan.
    from ptofix.cpp.file_facts import FileFacts
    located = ("__global__ AICORE void k(__gm__ int32_t* p) {\n  int32_t v = TCI<int32_t>(0);\n"
               "  pipe_barrier(PIPE_V);\n}\n")
    commented = "// set_mask_count\n" + located
    for text in (located, commented):
        facts = FileFacts(parse_cpp(SourceText(text, "k.cpp")))
        words = SourceText(text, "k.cpp").word_text()
        assert count_mode_offsets(text, words) == count_mode_offsets(text) != []
        assert facts.count_mode_named or facts.unmodelled
