"""Fail closed on what the compiler reads differently from the tokens (a splice, a '#' mid-line, digit
separators, alternative tokens), what an unread header or a keyword macro may change, count mode by any
spelling, and pto's own macros that expand to code the model never sees.

Kernels and geometry as in tests/cpp/test_fail_closed.py.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fail_closed import kernel, removed
from test_fail_closed_control_and_scope import AB_TAIL, _entry

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText


# -- what the compiler reads differently from the tokens (a splice, a '#' mid-line, a digit
# separator, a universal character name), what an unread header or a keyword macro may change ----
@pytest.mark.parametrize("body, message", [
    # A `//` comment continued over the drain: the compiler sees no pipe_barrier(PIPE_ALL).
    ("  TASSIGN(b, 65536);  // set b \\\n  pipe_barrier(PIPE_ALL);\n", "line splice"),
    # The same with blanks after the backslash (gcc, clang, C++23).
    ("  TASSIGN(b, 65536);  // set b \\  \n  pipe_barrier(PIPE_ALL);\n", "line splice"),
    # A comment's opener and closer spelled across a splice.
    ("  TASSIGN(b, 65536); /\\\n* pipe_barrier(PIPE_ALL); */\n", "line splice"),
    ("  TASSIGN(b, 65536); /* x *\\\n/ TASSIGN(b, 4096); /* */\n", "line splice"),
    # A raw string's prefix across a splice.
    ('  static_assert(true, R\\\n"d(");\n  pipe_barrier(PIPE_ALL);\n  set_mask_norm(")d");\n', "line splice"),
    # `; #endif` mid-line ends nothing: the `#if 0` group runs to the next line's #endif.
    ("#if 0\n  { ; #endif\n  TASSIGN(b, 65536); pipe_barrier(PIPE_ALL); { ; #if 1\n#endif\n  }\n", "not at the start"),
    # `1'0` is one number; read as a character literal it would hide code (or show a comment).
    ("  { int64_t q = 1'0; } //'; } pipe_barrier(PIPE_ALL);\n", "digit separators"),
    # ...and with no quote after it on the line, no character literal ends there: still a separator.
    ("  TASSIGN(b, 4'096);\n", "digit separators"),
    ("  TASSIGN(b, 0x1'000);\n", "digit separators"),
    # A name split by a splice (`help\<newline>er()` calls helper()).
    ("  int32_t arr[2] = {0, (help\\\ner(), 0)};\n", "line splice"),
    # `b\u00c9` names the tile `bÉ`.
    ("  TASSIGN(b\\u00c9, 4096);\n", "universal character names"),
])
def test_lexemes_read_otherwise_by_the_compiler_are_rejected_where_they_are(body, message):
    from ptofix.source import PtofixError
    src = _entry(body + AB_TAIL)
    with pytest.raises(PtofixError, match=message) as caught:
        parse_cpp(SourceText(src, "adversary.cpp"))
    assert caught.value.diagnostic.offset is not None


def _drain_between(between: str) -> str:
    """b overlaps a; ``between`` sits between TADD(a) and the barrier before TMUL(b)."""
    return _entry("  TASSIGN(b, 4096);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n" + between
                  + "  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n")


BOTH_BRANCHES_DRAIN = "  if (n) {\n    pipe_barrier(PIPE_ALL);\n  } else {\n    pipe_barrier(PIPE_ALL);\n  }\n"


def test_a_splice_inside_a_directive_is_joined():
    # `#\ <newline>define PIPE_ALL PIPE_MTE2` is a #define: PIPE_ALL is the file's macro, no drain.
    src = "#\\ \ndefine PIPE_ALL PIPE_MTE2\n" + _entry("  TASSIGN(b, 65536);\n" + AB_TAIL.replace(
        "  TADD(a, a, a);\n", "  TADD(a, a, a);\n  pipe_barrier(PIPE_ALL);\n  TASSIGN(b, 4096);\n"))
    assert removed(src) == [False]


def test_a_lone_carriage_return_ends_a_comment_inside_a_statement():
    # gcc and clang end a `//` comment at a lone CR: the argument is not PIPE_ALL.
    src = _drain_between("  pipe_barrier(PIPE_ALL // note\r== PIPE_ALL ? PIPE_MTE2 : PIPE_MTE2\n  );\n")
    assert removed(src) == [False]
    decisions = BarrierAnalysis(parse_cpp(SourceText(src, "k.cpp"))).run({"auto"})
    assert [d.unread for d in decisions] == [True, False]      # that one may be any pipe's: reported


@pytest.mark.parametrize("prelude", [
    '#include "defs.h"\n',                       # may `#define PIPE_ALL PIPE_MTE2`
    "#include <kernel_operator.h>\n",
    "#define HEADER \"pto/pto-inst.hpp\"\n#include HEADER\n",
    "#define else else if (0)\n",                # both branches' drains become one
    '#include "pto/../defs.h"\n',                # a pto-looking path that leaves pto's directory
    '#include "cstdint"\n',                      # the quoted form looks beside the kernel first
])
def test_an_unread_header_or_a_keyword_macro_leaves_the_file_unverified(prelude):
    src = prelude + _drain_between(BOTH_BRANCHES_DRAIN)
    decisions = BarrierAnalysis(parse_cpp(SourceText(src, "k.cpp"))).run({"auto"})
    assert [d.removed for d in decisions] == [False]
    assert "header" in decisions[0].reason or "keyword" in decisions[0].reason


def test_pto_and_standard_headers_are_trusted():
    src = ('#include "pto/pto-inst.hpp"\n#include <pto/comm/pto_comm_inst.hpp>\n#include <cstdint>\n'
           + _drain_between(BOTH_BRANCHES_DRAIN))
    assert removed(src) == [True]


@pytest.mark.parametrize("write", ["  int64_t o = 65536;\n  o xor_eq(69632);", "  int64_t o = 65536;\n  o and_eq(4096);",
                                   "  int64_t o = 65536;\n  if (n > 0 or n < 0) { o = 4096; }"])
def test_alternative_tokens_are_operators(write):
    # `o xor_eq(69632);` is `o ^= 69632;` (o becomes 4096), not a declaration of `xor_eq`.
    # (In a block of its own: a misread declaration's scope exit is in no window then.)
    assert removed(kernel(f"  {{\n{write}\n  TASSIGN(b, o);\n  }}")) == [False]
    assert removed(kernel("  int64_t o = 65536;\n  TASSIGN(b, o);")) == [True]


@pytest.mark.parametrize("text, name", [
    ("__builtin_cce_set_mask_count();", "set_mask_count"),
    ("__builtin_cce_set_ctrl(x);", "set_ctrl"),
    ("TCI_IMPL<A, B, int32_t, 0>(ci, 0, t);", "TCI"),
    ("pto::TCI_b32_normal(ci);", "TCI"),
    ("PadRightSingleRow<D, S>(p, 0, 7, v);", "PadRightSingleRow"),       # pto internals left in count mode
    ("RemOp<float, 512>::RemF32Instr(d, a, b, t, 2, 64);", "RemF32Instr"),
    ('asm volatile("nop");', "asm"),
    ('__asm__ __volatile__("nop");', "__asm__"),
    ("GETCI(x); TASM(y);", ""),        # a word that only ends in TCI or holds 'asm' is none of them
])
def test_a_file_that_may_enter_count_mode_is_found_by_any_spelling(text, name):
    from ptofix.cpp.count_mode import count_mode_name, count_mode_name_of
    from ptofix.source import SourceText
    assert count_mode_name(text) == name
    # From the word index too (with and without a word before, a comment, a '$' word character).
    for spelled in (text, "int x; " + text, "// " + text + "\n", "a$" + text, text.replace("(", " $ (")):
        assert count_mode_name_of(SourceText(spelled)) == count_mode_name(spelled), spelled


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(["TCI", "GETCI", "asm", "__asm__", "__asm", "set_ctrl", "set_mask_count", "$", "_",
                                 "1", "x", " ", "\\\n", "\n", "(", ";", "é", "RemF32Instr", "push_macro",
                                 "PTO_DETAIL_CONCAT"]), max_size=12).map("".join))
def test_the_word_index_answers_what_the_text_scans_answer(text):
    from ptofix.cpp.count_mode import count_mode_name, count_mode_name_of, source_spells
    from ptofix.source import SourceText
    source = SourceText(text)
    assert count_mode_name_of(source) == count_mode_name(text)
    for name in ("push_macro", "pop_macro", "PTO_DETAIL_CONCAT", "TCI", "asm"):
        assert source_spells(source, name) == (name in text)


# pto's own macros expand to code the model never sees: a pasted name (`PTO_DETAIL_CONCAT(v, 9)`
# is `v9`), a hidden mode switch, a loop or a return. Each case sets up `b` at 4096 through one,
# before the PIPE_ALL: a model that keeps the spelled effects only would read `b` at 65536.
PTO_MACRO_CASES = {
    "pasted write": "  int64_t v9 = 65536;\n  { PTO_DETAIL_CONCAT(v, 9) = 4096; }\n  TASSIGN(b, v9);",
    "pasted shadowing declaration": "  int64_t v9 = 65536;\n  {\n    int64_t PTO_DETAIL_CONCAT(v, 9) = 4096;\n"
                                    "    TASSIGN(b, v9);\n  }",
    "pasted TASSIGN": "  TASSIGN(b, 65536);\n  { PTO_DETAIL_CONCAT(TASS, IGN)(b, 4096); }",
    "pasted count mode": "  TASSIGN(b, 65536);\n  { PTO_DETAIL_CONCAT(set_mask_, count)(); }\n  set_vector_mask(0, 4096);",
    "pasted through MAP_INSTR_IMPL": "  TASSIGN(b, 65536);\n  { MAP_INSTR_IMPL(TASSIGN, b, 4096); }",
    "pto macro in a file macro": "  TASSIGN(b, 65536);\n  ASSIGN_B();",
    # An include guard only pto-isa 14f761c8 and b9122ec5 define (SyncAll.hpp; renamed since):
    # against them `int64_t SYNCALL_HPP = 0;` is `int64_t = 0;`, which does not compile, and
    # `TN SYNCALL_HPP(t);` declares a new, unassigned t.
    "include guard of an older pto-isa": "  TASSIGN(b, 65536);\n  int64_t SYNCALL_HPP = 0;",
}


@pytest.mark.parametrize("name", sorted(PTO_MACRO_CASES))
def test_a_file_using_a_macro_of_pto_the_model_does_not_read_is_not_modelled(name):
    helpers = "#define ASSIGN_B() PTO_DETAIL_CONCAT(TASS, IGN)(b, 4096)\n" if "file macro" in name else ""
    assert removed(kernel(PTO_MACRO_CASES[name], helpers=helpers)) == [False]


def test_a_macro_of_pto_named_only_in_a_comment_or_string_changes_nothing():
    for setup in ("  TASSIGN(b, 65536); // not PTO_DETAIL_CONCAT(v, 9)",
                  '  TASSIGN(b, 65536);\n  const char* s = "FOR_ROWS";'):
        assert removed(kernel(setup)) == [True]
    # Its NPU names (the compiler's intrinsics, event ids, qualifiers) are read as such.
    assert removed(kernel("  TASSIGN(b, 65536);\n  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n"
                          "  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  dsb((mem_dsb_t)0);")) == [True]
