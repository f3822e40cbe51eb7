"""Adversarial kernels against the CTRL save/restore proof of a header's helper
(ptofix/cpp/ctrl_preservation.py): a macro of the header that writes the count-mode bit into the saved
value or returns before the restore, a bit constant of a class type or of a type not spelled with
keywords, and a macro in the body the proof relies on.

Each kernel is valid C++ (g++ -fsyntax-only against pto-isa's host cost-model build; skipped
without g++ or the checkout) and hides a real conflict across `pipe_barrier(PIPE_V); // GUARD`:
the guard must stay. Geometry: float tiles of 16 x 128 (8192 bytes), `a` at UB 0, `b` at 65536.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from test_ctrl_preservation import guard_kept, guard_removed
from test_file_scope_classes import (
    assert_valid_cpp,
    host_include,  # noqa: F401  (a fixture)
)

from ptofix.cpp.ctrl_preservation import prove_ctrl_preserved
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText

TILE = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128>"
KERNEL = f"""#include <pto/pto-inst.hpp>
#include "h.hpp"
using namespace pto;
extern "C" __global__ AICORE void kernel_entry(__gm__ float* x, int64_t n) {{
  hx::Go(n);
  {TILE} a;
  TASSIGN(a, 0x0);
  {TILE} b;
  TASSIGN(b, 65536);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  pipe_barrier(PIPE_V);  // GUARD
  TMUL(b, b, b);
  pipe_barrier(PIPE_ALL);
}}
"""

# A class whose constexpr constructor turns the literal 59 into 56: `constexpr Bit SAT = 59;` is
# the count-mode bit, though its initializer reads as the saturation bit.
BIT_CLASS = """struct Bit {
  int v;
  constexpr Bit(int x) : v(x - 3) {}
  constexpr operator int() const { return v; }
};
"""


def header(before: str, constant: str, body: str) -> str:
    """A header whose `hx::Go(n)` saves CTRL, sets bit SAT, runs ``body``, restores CTRL."""
    return f"""#ifndef HX_HPP
#define HX_HPP
#include <pto/pto-inst.hpp>
{before}
namespace hx {{
{constant}
AICORE inline void Go(int n) {{
  uint64_t saved = get_ctrl();
  set_ctrl(sbitset1(saved, SAT));
{body}
  set_ctrl(saved);
}}
}}  // namespace hx
#endif
"""


def files(tmp_path: Path, include: list[str] | None, text: str) -> dict[str, str]:
    (tmp_path / "h.hpp").write_text(text)
    (tmp_path / "k.cpp").write_text(KERNEL)
    assert_valid_cpp(tmp_path / "k.cpp", None if include is None else [*include, "-I", str(tmp_path)])
    return {"h.hpp": text, "k.cpp": KERNEL}


@pytest.mark.parametrize(("before", "constant", "body"), [
    # A macro of the header writes the count-mode bit into the saved value, which the last
    # statement writes back: CTRL leaves the helper in count mode (main removed the guard).
    ("#define CLOBBER saved = sbitset1(saved, 56)", "constexpr int SAT = 59;", "  CLOBBER;"),
    # A class-typed constant that is 56 sets count mode; a macro returns before the restore
    # (main removed the guard).
    ("#define BAIL return", BIT_CLASS + "constexpr Bit SAT = 59;", "  if (n > 0) BAIL;"),
])
def test_ctrl_left_in_count_mode_keeps_the_guard(tmp_path, host_include, before, constant, body):  # noqa: F811
    reason = guard_kept(tmp_path, files(tmp_path, host_include, header(before, constant, body)))
    assert "count mode" in reason, reason


def test_control_plain_save_restore_still_removes(tmp_path, host_include):  # noqa: F811
    """The same helper without the macro or the class: proven, the guard goes."""
    guard_removed(tmp_path, files(tmp_path, host_include, header("", "constexpr int SAT = 59;", "")))


@pytest.mark.parametrize("constant", [
    BIT_CLASS + "constexpr Bit SAT = 59;",
    BIT_CLASS + "using uint8_t = Bit;\nconstexpr uint8_t SAT = 59;",
    "constexpr bool SAT = 59;",                                     # true: bit 1
])
def test_a_bit_constant_of_a_type_not_spelled_with_keywords_is_not_known(constant):
    text = header("", constant, "")
    proof = prove_ctrl_preserved(parse_cpp(SourceText(text, "h.hpp")))
    assert proof.why, proof.bit_names


def test_a_macro_in_the_body_is_relied_on():
    """The caller fails the proof when any word of the body is a macro (here `BAIL`)."""
    text = header("#define BAIL return", "constexpr int SAT = 59;", "  if (n > 0) BAIL;")
    proof = prove_ctrl_preserved(parse_cpp(SourceText(text, "h.hpp")))
    assert "BAIL" in proof.relied_names
