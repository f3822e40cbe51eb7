"""An op whose written operand may share UB bytes with another of its operands because the model
does not know either's bytes (an address it cannot evaluate, a valid shape that may pass the tile,
a loop-variant address it cannot bound) may race with itself, as one that surely shares them at
another placement does (tests/cpp/test_operands_share_bytes.py): pto-isa a2a3 issues it as several
vector instructions with no pipe_barrier(PIPE_V) between them. `check` leaves its function
unverified (exit 4) with a note naming the operand and the model's reason its bytes are not known
(cfg_events.Access.unknown_why). Before, an op with a written operand at an unknown address was
"verified" (exit 0) while the same op at a known address sharing bytes was not: every racing case
here fails on the old code. What holds without knowing the address stays verified: the same operand
twice, one instruction (an element-wise op of full rows in whole repeats, a one-row TCVT of whole
repeats, a TEXTRACT of whole blocks: how many instructions an op issues depends on its tiles'
shapes, not on where they lie), and known addresses at the same placement or disjoint. Two tiles
at one address the model does not know are not taken to be in place: the model proves no address
equal to another but by its value."""
from __future__ import annotations

import pytest

from ptofix.cli import main

KERNEL = """#include <pto/pto-inst.hpp>
using namespace pto;
using T = Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 15, 60, SLayout::NoneBox, 512, PadValue::Null>;
using V = Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, -1, -1, SLayout::NoneBox, 512, PadValue::Null>;
using H = Tile<TileType::Vec, bfloat16_t, 16, 64, BLayout::RowMajor, 15, 60, SLayout::NoneBox, 512, PadValue::Null>;
using F1 = Tile<TileType::Vec, float, 1, 128, BLayout::RowMajor, 1, 128, SLayout::NoneBox, 512, PadValue::Null>;
using H1 = Tile<TileType::Vec, bfloat16_t, 1, 128, BLayout::RowMajor, 1, 128, SLayout::NoneBox, 512, PadValue::Null>;
using F = Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64, SLayout::NoneBox, 512, PadValue::Null>;
using W = Tile<TileType::Vec, float, 4, 256, BLayout::RowMajor, 4, 200, SLayout::NoneBox, 512, PadValue::Null>;
using R = Tile<TileType::Vec, float, 1, 256, BLayout::RowMajor, 1, 200, SLayout::NoneBox, 512, PadValue::Null>;
extern "C" __global__ AICORE void k(uint64_t addr, int32_t n)
{
BODY
}
"""

# name: (the body, its last statement the op, and the note's words, or None when the function stays verified).
CASES = {
    "the destination's address unknown": (
        "  T s; TASSIGN(s, 0);\n  T d; TASSIGN(d, addr);\n  pipe_barrier(PIPE_ALL);\n  TADD(d, s, s);",
        ("TADD: 'd' may share UB bytes with 's', which it also reads",
         "no address of 'd' is known: ", "TASSIGN of 'd' to an address the model cannot evaluate")),
    "the source's address unknown": (
        "  T s; TASSIGN(s, addr);\n  T d; TASSIGN(d, 0x8000);\n  pipe_barrier(PIPE_ALL);\n  TMULS(d, s, 2.0f);",
        ("TMULS: 'd' may share UB bytes with 's', which it also reads", "no address of 's' is known: ")),
    "the source's valid columns may pass the tile": (
        "  int32_t c = n - 4; int32_t v = c < 60 ? c : 60;\n  V s(15, v); TASSIGN(s, 0);\n"
        "  T d; TASSIGN(d, 0x8000);\n  pipe_barrier(PIPE_ALL);\n  TADD(d, s, s);",
        ("TADD: 'd' may share UB bytes with 's', which it also reads", "'s' may have a valid shape past its")),
    "the destination's address varies with a loop the model cannot bound": (
        "  T s; TASSIGN(s, 0);\n  T d;\n  for (int32_t i = 0; i < n; ++i) {\n    TASSIGN(d, 0x8000 + i * 0x1000);\n"
        "    pipe_barrier(PIPE_ALL);\n    TADD(d, s, s);\n    pipe_barrier(PIPE_ALL);\n  }",
        ("TADD: 'd' may share UB bytes with 's', which it also reads", "no address of 'd' is known: ")),
    "a TCVT's destination address unknown": (
        "  T s; TASSIGN(s, 0);\n  H d; TASSIGN(d, addr);\n  pipe_barrier(PIPE_ALL);\n  TCVT(d, s, RoundMode::CAST_RINT);",
        ("TCVT: its destination 'd' may share UB bytes with its source 's' of another element size",
         "no address of 'd' is known: ")),
    # Controls: what holds whatever the addresses.
    "the same operand thrice, its address unknown": (
        "  T d; TASSIGN(d, addr);\n  pipe_barrier(PIPE_ALL);\n  TADD(d, d, d);", None),
    "a TADD of full rows (one instruction), its destination's address unknown": (
        "  F s; TASSIGN(s, 0);\n  F d; TASSIGN(d, addr);\n  pipe_barrier(PIPE_ALL);\n  TADD(d, s, s);", None),
    "a one-row TCVT of whole repeats (one vconv), its destination's address unknown": (
        "  F1 s; TASSIGN(s, 0);\n  H1 d; TASSIGN(d, addr);\n  pipe_barrier(PIPE_ALL);\n"
        "  TCVT(d, s, RoundMode::CAST_RINT);", None),
    "a TEXTRACT of whole blocks (one copy), its destination's address unknown": (
        "  W s; TASSIGN(s, 0x8000);\n  R o; TASSIGN(o, addr);\n  pipe_barrier(PIPE_ALL);\n  TEXTRACT(o, s, 0, 0);",
        None),
    "two operands at one known placement": (
        "  T s; TASSIGN(s, 0x8000);\n  T d; TASSIGN(d, 0x8000);\n  pipe_barrier(PIPE_ALL);\n  TADD(d, s, s);",
        None),
    "known addresses, disjoint": (
        "  T s; TASSIGN(s, 0);\n  T d; TASSIGN(d, 0x8000);\n  pipe_barrier(PIPE_ALL);\n  TADD(d, s, s);", None),
}


def kernel(case: str) -> str:
    body = CASES[case][0]
    return KERNEL.replace("BODY", body + ("\n  pipe_barrier(PIPE_ALL);" if "for (" not in body else ""))


def op_place(case: str) -> str:
    """``line:column`` of the case's op: the body's one line that is a call of an op but TASSIGN."""
    (place,) = [f"{number}:{len(text) - len(text.lstrip()) + 1}"
                for number, text in enumerate(kernel(case).splitlines(), 1)
                if text.lstrip().startswith("T") and "(" in text and "TASSIGN" not in text]
    return place


@pytest.mark.parametrize("case", sorted(CASES))
def test_check_leaves_an_op_over_operands_of_unknown_bytes_unverified(case, tmp_path, capsys):
    path = tmp_path / "k.cpp"
    path.write_text(kernel(case), encoding="utf-8")
    status = main(["check", "--color", "never", str(path)])
    err = capsys.readouterr().err
    words = CASES[case][1]
    if words is None:
        assert status == 0, err
        assert "0 races, 0 broken placements, 0 unverified functions" in err
        return
    assert status == 4, err
    assert f"k.cpp:{op_place(case)}: note: 'k' is unverified: " in err, err
    for word in words:
        assert word in err, (word, err)
