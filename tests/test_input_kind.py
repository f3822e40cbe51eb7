"""ptofix/input_kind.py: a first line that starts with `#` or `!` is read without the patterns,
with the patterns' result."""
from hypothesis import given, settings
from hypothesis import strategies as st

from ptofix import input_kind
from ptofix.input_kind import sniff


def _by_the_patterns(text):
    start = input_kind._SKIPPED.match(text).end()
    if text.startswith("\ufeff", start):
        start += 1
    if input_kind._MLIR_START.match(text, start):
        return "mlir", start
    if input_kind._CPP_START.match(text, start):
        return "cpp", start
    return None, start


_PIECES = ["#", "!", " ", "\t", "=", "\n", "\r", "include", "if", "ifdef", "ifndef", "define", "undef", "pragma",
           "import", "x", "_", "1", "é", "$", ".", "-", "<a.h>", '"a.h"', "//c\n", "\ufeff", "map", "module", "é"]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=10).map("".join))
def test_sniff_reads_as_the_patterns_read(text):
    assert sniff(text) == _by_the_patterns(text)


def test_the_usual_first_lines():
    assert sniff('#include "pto/pto-inst.hpp"\nusing namespace pto;\n') == ("cpp", 0)
    assert sniff("// header\n#  ifndef X\n") == ("cpp", 10)
    assert sniff("#map = affine_map<(d0) -> (d0)>\nmodule {\n}\n") == ("mlir", 0)
    assert sniff("#includes\n") == (None, 0) and sniff("#if_x\n") == (None, 0) and sniff("#ifé\n") == (None, 0)
    assert sniff("!ty = i32\n") == ("mlir", 0) and sniff("!x\n") == (None, 0)
