"""Causes that left whole kernels unmodelled, fixed at their roots, each with adversaries built to
break the fix: a kernel whose read of the construct is too generous would lose a barrier it needs.

Kernels: `TADD(x, x, x)` then a barrier then `TADD(z, y, y)` on disjoint tiles (the barrier goes
when the file is modelled); the adversaries keep the construct but make it really change code.
"""
from __future__ import annotations

import pytest

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.headers import _read_header, set_include_search_path
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText

KERNEL = """#include "kdefs.h"
#include <pto/pto-inst.hpp>
using namespace pto;
__global__ AICORE void k(__gm__ float* a) {
  using T = Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64>;
  T x; T y; T z;
  TASSIGN(x, 0x0); TASSIGN(y, 0x1000); TASSIGN(z, 0x2000);
  TADD(x, x, x);
  pipe_barrier(PIPE_V);
  TADD(z, y, y);
}
"""


@pytest.fixture(autouse=True)
def _no_include_directories():
    set_include_search_path(())
    yield
    set_include_search_path(())


def removed_with_header(tmp_path, header: str) -> list[bool]:
    (tmp_path / "kdefs.h").write_text(header, encoding="utf-8")
    path = tmp_path / "k.cpp"
    model = parse_cpp(SourceText(KERNEL, str(path)))
    return [d.removed for d in BarrierAnalysis(model).run({"auto"}) if not d.unread]


# -- a pp-number's suffix is no name -----------------------------------------------------------------
def test_a_macro_bodys_integer_suffix_is_no_name():
    facts = _read_header("#define BLK 4096u\n#define BLK2 (BLK * 2UL + 0x1Fu + 1e5f)\n#define W u\n", "x.h")
    assert facts.expansion_words == {"BLK": set(), "BLK2": {"BLK"}, "W": {"u"}}


@pytest.mark.parametrize("body, goes", [
    ("4096u", True),                 # the control: a literal names nothing
    ("(0x1000UL * 2ull)", True),
    ("u", False),                    # a real name `u`, which pto's code writes
    ("4096u + u", False),
    ("(u)", False),
])
def test_a_header_macro_used_at_namespace_scope(tmp_path, body, goes):
    header = f"#pragma once\n#define KTILE_BYTES {body}\nstatic constexpr unsigned kBytes = KTILE_BYTES;\n"
    assert removed_with_header(tmp_path, header) == [goes], body
