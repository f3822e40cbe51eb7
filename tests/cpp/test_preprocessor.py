"""The preprocessor's part of the C++ model: the `#define` table and the `#if` tree with their
spans, the one `#if` evaluator, and which groups a macro state compiles."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptofix.cpp.model import COMMAND_LINE
from ptofix.cpp.parser import parse_cpp
from ptofix.cpp.preprocessor import (
    MacroState,
    command_line_definition,
    evaluate_condition,
    group_outcomes,
    read_macro_directive,
)
from ptofix.source import SourceText, Span

FIXTURE = """#ifndef K_H
#define K_H
#define TILE_ROWS 16u
#define ADD(a, b) ((a) + (b))
#if defined(FAST) && TILE_ROWS > 8
#  define STEP 2 /* two at a time */
#elif MODE == \\
    3
#undef TILE_ROWS
#else
#ifdef __DAV_VEC__
void vec_only() {}
#endif
#endif
void k() {
#if STEP
  int x = 1;
#endif
}
#endif
"""


def span_of(text: str, line: str) -> Span:
    start = FIXTURE.index(line)
    return Span(start, start + len(line))


def test_the_define_table_names_each_definition_its_span_and_group():
    model = parse_cpp(SourceText(FIXTURE, "k.h"))
    table = [(d.name, d.defines, d.params, d.replacement, d.text, d.span, d.group) for d in model.macro_table]
    assert table == [
        ("K_H", True, None, (), "", span_of(FIXTURE, "#define K_H"), 0),
        ("TILE_ROWS", True, None, ("16u",), "16u", span_of(FIXTURE, "#define TILE_ROWS 16u"), 0),
        ("ADD", True, ("a", "b"), ("(", "(", "a", ")", "+", "(", "b", ")", ")"), "(a, b) ((a) + (b))",
         span_of(FIXTURE, "#define ADD(a, b) ((a) + (b))"), 0),
        # a comment in a directive is a space
        ("STEP", True, None, ("2",), "2", span_of(FIXTURE, "#  define STEP 2 /* two at a time */"), 1),
        ("TILE_ROWS", False, None, (), "", span_of(FIXTURE, "#undef TILE_ROWS"), 2),
    ]
    # The older views of the same table.
    assert model.defines == tuple((d.name, d.span.start) for d in model.macro_table)
    assert model.macros == {"K_H", "TILE_ROWS", "ADD", "STEP"}
    assert ("ADD", "(a, b) ((a) + (b))") in model.macro_bodies


def test_the_if_tree_holds_each_section_its_groups_and_their_bodies():
    model = parse_cpp(SourceText(FIXTURE, "k.h"))
    groups = [(g.keyword, g.condition, g.span, g.section, g.sections) for g in model.conditional_groups]
    assert groups == [
        ("#ifndef", "K_H", span_of(FIXTURE, "#ifndef K_H"), 0, [1, 3]),
        ("#if", "defined(FAST) && TILE_ROWS > 8", span_of(FIXTURE, "#if defined(FAST) && TILE_ROWS > 8"), 1, []),
        # a line splice is joined in the condition; the span is the directive's lines
        ("#elif", "MODE ==     3", span_of(FIXTURE, "#elif MODE == \\\n    3"), 1, []),
        ("#else", "", span_of(FIXTURE, "#else"), 1, [2]),
        ("#ifdef", "__DAV_VEC__", span_of(FIXTURE, "#ifdef __DAV_VEC__"), 2, []),
        ("#if", "STEP", span_of(FIXTURE, "#if STEP"), 3, []),
    ]
    sections = [(s.groups, s.parent, s.span.start, s.endif) for s in model.conditional_sections]
    last_endif = FIXTURE.rindex("#endif")
    assert sections[0] == ([0], -1, 0, Span(last_endif, last_endif + 6))
    assert [s[:2] for s in sections[1:]] == [([1, 2, 3], 0), ([4], 3), ([5], 0)]
    # A group's body runs from its directive's end to the next directive of its section.
    first, second = model.conditional_groups[1], model.conditional_groups[2]
    assert first.body == Span(first.span.end, second.span.start)
    assert FIXTURE[first.body.start:first.body.end].strip() == "#  define STEP 2 /* two at a time */"


def test_group_outcomes_read_the_files_definitions_in_order():
    model = parse_cpp(SourceText(FIXTURE, "k.h"))
    args = (model.macro_table, model.conditional_sections, model.conditional_groups)
    vector = MacroState({"__DAV_VEC__": command_line_definition("-D__DAV_VEC__")}, True)
    # closed: K_H is not yet defined at `#ifndef K_H`; FAST is not defined: the #elif's MODE is 0;
    # STEP is never defined in the compiled groups, so `#if STEP` is false.
    assert group_outcomes(*args, vector, True) == [True, False, False, True, True, False]
    fast = MacroState({"FAST": command_line_definition("-DFAST")}, True)
    assert group_outcomes(*args, fast, True) == [True, True, False, False, False, True]
    # open (the proof's reading): only the command line's names are known, the file's own
    # definitions make a name unknown; MODE == 3 holds, so the #else group and what it holds are
    # not compiled, whichever of the groups before it is.
    assert group_outcomes(*args, MacroState({"MODE": command_line_definition("-DMODE=3")}, False), False) == \
        [None, None, None, False, False, None]


STATE = MacroState({
    "TWO": command_line_definition("-DTWO=2"),
    "ONE": command_line_definition("-DONE"),
    "GONE": command_line_definition("-UGONE"),
    "EXPR": command_line_definition("-DEXPR=TWO*3+ONE"),
    "SELF": command_line_definition("-DSELF=SELF+1"),
    "F": command_line_definition("-DF(x)=x"),
    "FAR": command_line_definition("-DFAR=elsewhere"),
}, False)


@pytest.mark.parametrize(("keyword", "condition", "expected"), [
    ("#if", "TWO == 2", True),
    ("#if", "TWO == 3", False),
    ("#if", "defined(TWO) && !defined GONE", True),
    ("#if", "GONE", False),                          # undefined: 0
    ("#if", "EXPR == 7", True),                      # rescanned
    ("#if", "SELF == 1", True),                      # not expanded inside itself: SELF is 0 there
    ("#if", "-1 < 0u", False),                       # uintmax_t: -1 is the largest value
    ("#if", "-1 < 0", True),
    ("#if", "(TWO > 1 ? 10 : 20) == 10", True),
    ("#if", "0x7fffffffffffffff + 1 < 0", True),     # intmax_t wraps (as the compiler's code does)
    ("#if", "true && !false", True),
    ("#ifdef", "TWO", True),
    ("#ifndef", "TWO", False),
    ("#elifndef", "GONE", True),
    ("#else", "", True),
    # not known
    ("#if", "OTHER == 1", None),                     # a name the state does not know
    ("#ifdef", "OTHER", None),
    ("#if", "F(1)", None),                           # a function-like macro
    ("#if", "FAR", None),                            # a name a replacement yields
    ("#if", "TWO / 0", None),                        # division by zero
    ("#if", "'a' == 97", None),                      # a character literal
    ("#if", "TWO ==", None),                         # not an expression
    ("#if", "(" * 300 + "1" + ")" * 300, None),      # nested past MAX_NESTING
])
def test_one_if_evaluator(keyword, condition, expected):
    assert evaluate_condition(keyword, condition, STATE) is expected


def test_a_closed_state_reads_unknown_names_as_undefined():
    closed = MacroState({}, True)
    assert evaluate_condition("#if", "OTHER == 0", closed) is True
    assert evaluate_condition("#ifdef", "OTHER", closed) is False


def test_command_line_definitions_read_as_the_compiler_reads_them():
    assert command_line_definition("-DN").replacement == ("1",)
    assert command_line_definition("-DN=").replacement == ()
    definition = command_line_definition("-Df(x,y)=x+y")
    assert (definition.name, definition.params, definition.replacement, definition.span) == \
        ("f", ("x", "y"), ("x", "+", "y"), COMMAND_LINE)
    assert not command_line_definition("-UN").defines
    assert read_macro_directive("#include <x.h>", Span(0, 14)) is None


# -- the #if arithmetic against a reference of intmax_t/uintmax_t ---------------------------------
INT64, UINT64 = (64, True), (64, False)
BINARY = ["*", "/", "%", "+", "-", "<<", ">>", "<", ">", "<=", ">=", "==", "!=", "&", "^", "|", "&&", "||"]


def reduce(value: int, kind: tuple[int, bool]) -> int:
    value %= 1 << 64
    return value - (1 << 64) if kind[1] and value >= 1 << 63 else value


class Undefined(Exception):
    pass


def reference(op: str, a: tuple[int, tuple], b: tuple[int, tuple]) -> tuple[int, tuple]:
    """`a op b` in #if: every value intmax_t or uintmax_t; a comparison's result is an int."""
    (x, xt), (y, yt) = a, b
    if op in ("&&", "||"):
        return int(bool(x) and bool(y) if op == "&&" else bool(x) or bool(y)), INT64
    if op in ("<<", ">>"):
        if not 0 <= y < 64:
            raise Undefined
        return reduce(x << y if op == "<<" else x >> y, xt), xt
    kind = INT64 if xt[1] and yt[1] else UINT64
    x, y = reduce(x, kind), reduce(y, kind)
    if op in ("<", ">", "<=", ">=", "==", "!="):
        return int(eval(f"x {op} y")), INT64
    if op in ("/", "%"):
        if y == 0:
            raise Undefined
        quotient = abs(x) // abs(y) * (1 if (x < 0) == (y < 0) else -1)
        return reduce(quotient if op == "/" else x - quotient * y, kind), kind
    return reduce(eval(f"x {op} y"), kind), kind


@st.composite
def expressions(draw, depth: int = 0) -> tuple[str, tuple[int, tuple] | None]:
    """(an #if expression of literals and operators, its reference value, None if undefined)."""
    if depth > 3 or draw(st.booleans()):
        value = draw(st.one_of(st.integers(0, 70), st.sampled_from([2**31, 2**32 - 1, 2**63 - 1, 2**63, 2**64 - 1])))
        unsigned = draw(st.booleans()) or value >= 2**63
        return f"{value}{'u' if unsigned else ''}", (value, UINT64 if unsigned else INT64)
    if draw(st.integers(0, 3)) == 0:
        op = draw(st.sampled_from(["-", "~", "!", "+"]))
        text, inner = draw(expressions(depth + 1))
        if inner is None:
            return f"{op}({text})", None
        x, kind = inner
        value = int(not x) if op == "!" else reduce({"-": -x, "~": ~x, "+": x}[op], kind)
        return f"{op}({text})", (value, INT64 if op == "!" else kind)
    op = draw(st.sampled_from(BINARY))
    (left, a), (right, b) = draw(expressions(depth + 1)), draw(expressions(depth + 1))
    try:
        value = None if a is None or b is None else reference(op, a, b)
    except Undefined:
        value = None
    return f"({left}) {op} ({right})", value


def spelled(value: int, kind: tuple[int, bool]) -> str:
    if value < 0:
        return f"(-{-value - 1} - 1)"
    return f"{value}{'' if kind[1] else 'u'}"


@settings(max_examples=300, deadline=None)
@given(expressions())
def test_if_arithmetic_is_intmax_arithmetic(case):
    text, expected = case
    closed = MacroState({}, True)
    if expected is None:      # a division by zero or a shift C++ leaves undefined somewhere in it
        assert evaluate_condition("#if", text, closed) is None
        return
    value, kind = expected
    assert evaluate_condition("#if", text, closed) is (value != 0)
    assert evaluate_condition("#if", f"({text}) == {spelled(value, kind)}", closed) is True
    assert evaluate_condition("#if", f"({text}) != {spelled(value, kind)}", closed) is False


def test_pragmas_are_read_with_their_spans_and_what_they_say():
    text = ('#pragma push_macro("X")\n'
            '#define P(x) _Pragma(#x)\n'
            '#define Q _Pragma("pop_macro(\\"X\\")")\n'
            'void f() {\n  _Pragma("unroll 4") int a = 0;\n  __pragma(warning(disable:1))\n}\n'
            '#pragma once\n')
    pragmas = parse_cpp(SourceText(text, "t.cpp")).pragmas
    assert [(text[p.span.start:p.span.end].split("(")[0], p.tokens, p.operator) for p in pragmas] == [
        ("#pragma push_macro", ("push_macro", "(", '"X"', ")"), False),
        ("#define P", None, True),                              # stringized: any pragma
        ("#define Q _Pragma", ("pop_macro", "(", '"X"', ")"), True),
        ("_Pragma", ("unroll", "4"), True),
        ("__pragma", None, True),                               # MSVC's: its argument is not read
        ("#pragma once", ("once",), False),
    ]
