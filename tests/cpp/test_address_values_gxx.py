"""Red-team red3: integer conversions and arithmetic in a TASSIGN address, judged against what g++ computes.

Each case declares scalars, then binds tile b at an address expression; tile a is at [0, 8192). The
C++ value of each expression was computed by compiling the same declarations with g++ (x86-64,
`int n = 16`): where b overlaps a, the barrier between `TADD(a, a, a)` and `TMUL(b, b, b)` is
needed and must stay; where it does not (``removable``), the model computed the exact value
(`bool` holds 1, `%` and `/` truncate toward zero, `uint8_t` wraps). None was removed wrongly when
these were written; they pin conversions the value model must keep reading as the compiler does:
bool, char, shifts, unsigned wrap, narrowing casts, integer promotions, float-to-int, comma and
assignment expressions, increments, compound assignments, references, pointers, arrays, scopes,
branches and loops.
"""
from __future__ import annotations

import pytest

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText

TILE = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"

# (declarations, b's address expression, removable: b lies past a in the C++ value)
CASES = [
    ('bool b = 5;', '(uint64_t)(b * 4096)', False),
    ('bool b = 2; int32_t k = b + b;', '(uint64_t)(k * 4096)', True),
    ('int32_t q = -4097 / 4096;', '(uint64_t)(8192 + q * 4096)', False),
    ('int32_t q = -1 % 4096;', '(uint64_t)(4096 + q + 1)', False),
    ('int32_t q = -4097 % 4096;', '(uint64_t)(8192 + q * 2 + 2)', True),
    ('uint8_t x = 300;', '(uint64_t)(x * 256)', True),
    ('uint16_t a = 40000; uint16_t b2 = 40000; uint32_t c = a + b2;', '(uint64_t)(c - 80000)', False),
    ('uint16_t a = 65535; a += 1;', '(uint64_t)(a * 32)', False),
    ('uint16_t a = 65535; ++a;', '(uint64_t)(a)', False),
    ('int8_t s = 127; s = s + 1;', '(uint64_t)(s + 128)', False),
    ('int32_t x = 4096.9;', '(uint64_t)(x - 4096)', False),
    ('float f = 4096.5f; int32_t x = f;', '(uint64_t)(x - 4096)', False),
    ('int32_t x = 7 / 2 * 2;', '(uint64_t)((x - 6) * 4096)', False),
    ('uint32_t x = 1u << 31;', '(uint64_t)(x >> 31 << 12) - 4096', False),
    ('int32_t x = (1, 0);', '(uint64_t)x', False),
    ('int32_t y = 0; int32_t x = (y = 4096, 0);', '(uint64_t)(x)', False),
    ('int32_t x = 0; int32_t y = x++;', '(uint64_t)(y)', False),
    ('int32_t x = 0; int32_t y = ++x;', '(uint64_t)((y - 1) * 4096)', False),
    ('uint64_t x = 0xFFFFFFFFull + 1;', '(uint64_t)(x - 4294967296ull)', False),
    ('uint32_t x = 0xFFFFFFFFu; x = x + 1;', '(uint64_t)x', False),
    ('int16_t x = -32768; x = -x;', '(uint64_t)(x + 32768)', False),
    ('uint32_t x = 4096; x = x - 8192;', '(uint64_t)(x + 4096)', False),
    ('int64_t x = 4096; int32_t y = (int32_t)(x << 32);', '(uint64_t)y', False),
    ("char c = 'A';", '(uint64_t)(c - 65)', False),
    ('int32_t x = sizeof(int64_t) - 8;', '(uint64_t)x', False),
    ('int32_t x = 10 > 3;', '(uint64_t)((x - 1) * 4096)', False),
    ('int32_t x = !5;', '(uint64_t)(x * 4096)', False),
    ('int32_t x = ~0;', '(uint64_t)(x + 1)', False),
    ('uint32_t x = ~0u >> 20;', '(uint64_t)(x - 4095)', False),
    ('int32_t x = -8 >> 1;', '(uint64_t)(x + 4)', False),
    ('int32_t x = 5 ^ 5;', '(uint64_t)x', False),
    ('int32_t x = 6 & 3;', '(uint64_t)((x - 2) * 4096)', False),
    ('int32_t x = 0x1000 | 1;', '(uint64_t)(x - 4097)', False),
    ('uint32_t x = -1;', '(uint64_t)(x - 4294967295u)', False),
    ('int32_t x = 3; x *= 0;', '(uint64_t)x', False),
    ('int32_t x = 4096; x /= 4097;', '(uint64_t)x', False),
    ('int32_t x = 4096; x %= 4096;', '(uint64_t)x', False),
    ('int32_t x = 1; x <<= 12; x -= 4096;', '(uint64_t)x', False),
    ('int32_t x = 4096; int32_t &r = x; r = 0;', '(uint64_t)x', False),
    ('int32_t x = 4096; int32_t *p = &x; *p = 0;', '(uint64_t)x', False),
    ('int32_t arr[2] = {4096, 0};', '(uint64_t)arr[1]', False),
    ('int32_t x = 4096; { int32_t x = 0; (void)x; }', '(uint64_t)(x - 4096)', False),
    ('int32_t x = 4096; for (int j = 0; j < 1; ++j) x = 0;', '(uint64_t)x', False),
    ('int32_t x = 4096; if (n > -100) x = 0;', '(uint64_t)x', False),
    ('int32_t x = n > -100 ? 0 : 4096;', '(uint64_t)x', False),
    ('uint32_t x = 4096u; int32_t y = -1; bool lt = y < x;', '(uint64_t)(lt * 4096)', False),
    ('int32_t x = 4096; x = x++ - x;', '(uint64_t)(x + 1)', False),
    ('uint64_t x = (uint32_t)(-4096);', '(uint64_t)(x - 4294963200ull)', False),
    ('int32_t x = (int16_t)65536;', '(uint64_t)x', False),
    ('int32_t x = (uint8_t)256 + (int8_t)128 + 128;', '(uint64_t)x', False),
    ('int32_t x = 1e3;', '(uint64_t)(x - 1000)', False),
    ('int32_t x = 0b1000000000000;', '(uint64_t)(x - 4096)', False),
    ('int32_t x = 010000;', '(uint64_t)(x - 4096)', False),
    ('int32_t x = 4096; x = x >> 13;', '(uint64_t)x', False),
    ('uint32_t x = 3000000000u; int32_t y = (int32_t)x / 1000000;', '(uint64_t)(y + 1294)', False),
    ('int64_t x = -1; uint32_t y = x;', '(uint64_t)(y - 4294967295u)', False),
    ('unsigned short us = 65535; int32_t x = us * us;', '(uint64_t)(x + 131071)', False),
    ('int32_t x = 4096; x = x ? 0 : 1;', '(uint64_t)x', False),
    ('auto x = 4096; x = 0;', '(uint64_t)x', False),
    ('const int32_t x = 0;', '(uint64_t)x', False),
    ('size_t x = 4096; x -= 4096;', '(uint64_t)x', False),

]


def kernel(decl: str, expr: str) -> str:
    return ('#include "pto/pto-inst.hpp"\nusing namespace pto;\n__global__ AICORE void k(__gm__ float* g, int n) {\n'
            f"  {TILE} a;\n  TASSIGN(a, 0);\n  {decl}\n  {TILE} b;\n  TASSIGN(b, {expr});\n  pipe_barrier(PIPE_ALL);\n"
            "  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n  pipe_barrier(PIPE_ALL);\n}\n")


@pytest.mark.parametrize("decl, expr, removable", CASES, ids=[f"{i}" for i in range(len(CASES))])
def test_the_barrier_goes_only_where_gxx_puts_b_past_a(decl, expr, removable):
    model = parse_cpp(SourceText(kernel(decl, expr), "values.cpp"))
    [decision] = BarrierAnalysis(model).run({"auto"})     # (the one PIPE_V barrier)
    assert decision.removed == removable, (decl, expr, decision.reason)
