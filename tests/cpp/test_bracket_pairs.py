"""parser._pair_brackets (the closing bracket of each opening one, and the first brace or ';'
inside parentheses but a `for` header's) keeps the open brackets' indices on its stack; it gives
what the plain reading (a stack of the closing character expected and the index) gives, over
generated token sequences, balanced or not."""
from array import array

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ptofix.cpp.parser import _pair_bracket_bytes, _pair_brackets
from ptofix.cpp.tokens import scan_tokens
from ptofix.source import PtofixError, SourceText

_OPEN = {"(": ")", "[": "]", "{": "}"}


def _reference(tokens):
    kinds, marks, starts, text = tokens.kinds, tokens.marks, tokens.starts, tokens.text
    closing = array(starts.typecode, [0]) * len(kinds)
    stack: list[tuple[str, int]] = []
    parens, structure = 0, -1

    def in_for_header():
        if not stack or stack[-1][0] != ")":
            return False
        at = stack[-1][1]
        return at > 0 and kinds[at - 1] == "w" and text[starts[at - 1]:starts[at]].strip() == "for"

    for index, kind in enumerate(kinds):
        if kind != "o":
            continue
        t = marks[index]
        if parens and structure < 0 and t in "{};" and (t != ";" or not in_for_header()):
            structure = starts[index]
        if t in _OPEN:
            stack.append((_OPEN[t], index))
            if t == "(":
                parens += 1
        elif t in ")]}":
            if not stack or stack[-1][0] != t:
                return None, structure
            closing[stack.pop()[1]] = index
            if t == ")":
                parens -= 1
    return (None if stack else closing), structure


_PIECES = st.sampled_from(["(", ")", "[", "]", "{", "}", ";", "for", "for (", "a", " ", "// c\n", "/* ( */", '"("',
                           "\n#if 1\n", "\n", "f(", "x;"])


@settings(max_examples=1500, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_the_pairs_and_the_structure_are_the_plain_readings(text):
    try:
        tokens = scan_tokens(SourceText(text, "t.cpp"))
    except PtofixError:
        assume(False)      # (a text the tokenizer refuses: no tokens to pair)
        return
    expected_closing, expected_structure = _reference(tokens)
    # (Both readings, whichever the build runs: the compiled one reads the marks as bytes.)
    for closing, structure in (_pair_brackets(tokens), _pair_bracket_bytes(tokens)):
        assert structure == expected_structure
        assert (closing is None) == (expected_closing is None)
        if closing is not None:
            assert list(closing) == list(expected_closing)


def test_known_shapes():
    tokens = scan_tokens(SourceText("void f() { for (i = 0; i < n; i++) { g((a; b)); } }", "t.cpp"))
    closing, structure = _pair_brackets(tokens)
    assert closing is not None and structure == tokens.text.index("(a; b)") + 2
    assert _pair_bracket_bytes(tokens) == (closing, structure)
    for text in ("f(]", "f((", "f(}", "f{)", "f[)", "f)", "}"):
        assert _pair_brackets(scan_tokens(SourceText(text, "t.cpp")))[0] is None
        assert _pair_bracket_bytes(scan_tokens(SourceText(text, "t.cpp")))[0] is None
