"""The file's expression macros (ptofix/cpp/expression_macros.py, issue 57: pto-kernels'
`#define DIV_ROUNDUP(x, y) (((x) + (y) - 1) / (y))`): a use as a call expands to one parenthesized
arithmetic expression of its arguments, no jump and no write, so it no longer leaves its function's
control flow unmodelled. Each adversary below is a macro that does hide a jump, a write, a call or a
name, or a use whose expansion the model cannot be sure of: its barrier stays.

The kernel: `TADD(a, a, a)` on a at UB [0, 8192), `pipe_barrier(PIPE_V)`, `TMUL(b, b, b)` on b at
65536 (no overlap: removable), after a statement using the macro.
"""
from __future__ import annotations

import pytest

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.expression_macros import expression_macros, used_only_as_calls
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText

TILE = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"
DIV_ROUNDUP = "#define DIV_ROUNDUP(x, y) (((x) + (y) - 1) / (y))"


def kernel(defines: str, use: str, after: str = "", window: str = "") -> str:
    return f"""#include <pto/pto-inst.hpp>
using namespace pto;
{defines}
__global__ AICORE void k(__gm__ float* x, int64_t n) {{
  int64_t addr = 65536;
  {use}
  {TILE} a;
  TASSIGN(a, 0);
  {TILE} b;
  TASSIGN(b, addr);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  {window}
  pipe_barrier(PIPE_V);
  TMUL(b, b, b);
}}
{after}
"""


def removed(src: str) -> list[bool]:
    return [d.removed for d in BarrierAnalysis(parse_cpp(SourceText(src, "hand.cpp"))).run({"auto"})]


READ = {
    "initializer": (DIV_ROUNDUP, "const int64_t per_core = DIV_ROUNDUP(n, 4);"),
    "nested in arithmetic": (DIV_ROUNDUP, "int64_t per_core = 2 * DIV_ROUNDUP(n + 1, 4) - 1;"),
    "if condition": (DIV_ROUNDUP, "if (DIV_ROUNDUP(n, 4) > 8) {\n    n = 0;\n  }"),
    "conditional operator": ("#define CLAMP(x, lo) ((x) < (lo) ? (lo) : (x))", "int64_t m = CLAMP(n, 4);"),
    "two macros": (DIV_ROUNDUP + "\n#define ALIGN(x, a) (DIV_ROUNDUP((x), (a)) * (a))", "int64_t m = ALIGN(n, 32);"),
}


@pytest.mark.parametrize("name", sorted(READ))
def test_expression_macro_use_leaves_the_function_modelled(name):
    defines, use = READ[name]
    if name == "two macros":
        # (ALIGN names DIV_ROUNDUP, no parameter: not an expression macro; its use stays Unknown.)
        assert removed(kernel(defines, use)) == [False]
        return
    assert removed(kernel(defines, use)) == [True]


def test_control_without_the_macro_use():
    assert removed(kernel(DIV_ROUNDUP, "")) == [True]


def test_the_value_stays_unknown():
    # The macro's value is not computed: an address from it is unknown, whatever it would be.
    src = kernel(DIV_ROUNDUP, "addr = DIV_ROUNDUP(131072, 2);")
    assert removed(src) == [False]


ADVERSARIES = {
    "expands to a return": ("#define DIV(x, y) ((x) / (y)); return", "int64_t m = DIV(n, 4);"),
    "expands to a goto": ("#define STEP(x) ((x) ? 0 : ({ goto out; 0; }))", "int64_t m = STEP(n);"),
    "expands to an assignment": ("#define BUMP(x) ((x) = 4096)", "int64_t m = BUMP(addr);"),
    "compound assignment": ("#define BUMP(x) ((x) += 4096)", "int64_t m = BUMP(addr);"),
    "expands to an increment": ("#define INC(x) ((x)++)", "int64_t m = INC(addr);"),
    "names a function": ("#define F(x) (bump(x))", "int64_t m = F(n);"),
    "names a global": ("#define G(x) ((x) + addr)", "int64_t m = G(n);"),
    "comma operator": ("#define C(x) ((x), 0)", "int64_t m = C(n);"),
    "stringizes": ("#define S(x) (#x[0])", "int64_t m = S(n);"),
    "pastes": ("#define P(x) (a##x)", "int64_t m = P(ddr);"),
    "not parenthesized": ("#define ADD(x, y) (x) + (y)", "int64_t m = ADD(n, 1);"),
    "two groups": ("#define ADD(x, y) (x) + (y)", "int64_t m = ADD(n, 1) * 2;"),
    "variadic": ("#define V(...) (0)", "int64_t m = V(n);"),
    "object-like": ("#define N4 (4)", "int64_t m = N4;"),
    "defined twice": (DIV_ROUNDUP + "\n#undef DIV_ROUNDUP\n#define DIV_ROUNDUP(x, y) (x)", "int64_t m = DIV_ROUNDUP(n, 4);"),
    "undefined later": (DIV_ROUNDUP + "\n#undef DIV_ROUNDUP", "int64_t m = DIV_ROUNDUP(n, 4);"),
    "under #if": ("#if defined(FOO)\n" + DIV_ROUNDUP + "\n#endif", "int64_t m = DIV_ROUNDUP(n, 4);"),
    "used without a call": (DIV_ROUNDUP, "int64_t m = (DIV_ROUNDUP)(n, 4);"),
    "statement of its own": ("#define TOUCH(x) ((x) + 0)", "TOUCH(addr);"),
}


@pytest.mark.parametrize("name", sorted(ADVERSARIES))
def test_expression_macro_adversary_keeps_the_barrier(name):
    defines, use = ADVERSARIES[name]
    after = "AICORE int64_t bump(int64_t v) { return v; }" if "bump" in use or "bump" in defines else ""
    assert removed(kernel(defines, use, after)) == [False]


# A use the model does not read as an expression of no effect, in the barrier's window: Unknown
# there (an argument evaluated any number of times: its write or its call's vector work may be
# repeated or skipped), so the barrier stays.
WINDOW_ADVERSARIES = {
    "argument with an increment": "int64_t m = DIV_ROUNDUP(addr++, 4);",
    "argument with an assignment": "int64_t m = DIV_ROUNDUP(addr = 4096, 4);",
    "argument with a call of vector work": "int64_t m = DIV_ROUNDUP(work(), 4);",
    "argument with a template's commas": "int64_t m = DIV_ROUNDUP(Sz<1, 2>::v, 4);",
    "too few arguments": "int64_t m = DIV_ROUNDUP(n);",
}


@pytest.mark.parametrize("name", sorted(WINDOW_ADVERSARIES))
def test_expression_macro_use_not_read_keeps_its_window(name):
    work = f"AICORE int64_t work() {{\n  {TILE} c;\n  TASSIGN(c, 65536);\n  TMUL(c, c, c);\n  return 1;\n}}"
    src = kernel(DIV_ROUNDUP + "\ntemplate <int A, int B> struct Sz {\n  static constexpr int v = A;\n};"
                 if "template" in name else DIV_ROUNDUP, "", window=WINDOW_ADVERSARIES[name])
    if "call" in name:
        src = src.replace("__global__", work + "\n__global__", 1)
    assert removed(src) == [False]
    # (The same statement without the macro's use is read: the barrier goes.)
    assert removed(kernel(DIV_ROUNDUP, "", window="int64_t m = 4;")) == [True]


def test_defined_after_the_first_function_is_not_read():
    src = f"""#include <pto/pto-inst.hpp>
AICORE void first() {{}}
{DIV_ROUNDUP}
"""
    model = parse_cpp(SourceText(src, "hand.cpp"))
    assert expression_macros(model, frozenset()) == {}


def test_defined_elsewhere_is_not_read():
    model = parse_cpp(SourceText(f"{DIV_ROUNDUP}\nAICORE void first() {{}}\n", "hand.cpp"))
    assert set(expression_macros(model, frozenset())) == {"DIV_ROUNDUP"}
    assert expression_macros(model, frozenset({"DIV_ROUNDUP"})) == {}


def test_used_only_as_calls():
    assert used_only_as_calls("int m = D(a, b) + D (c, d); // D", "D")
    assert not used_only_as_calls("int m = D(a, b) + OTHER(D);", "D")
    assert not used_only_as_calls("auto f = D;", "D")
