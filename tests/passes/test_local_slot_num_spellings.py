"""LocalSlotNum against the ways a TPipe use can be spelled (red team, 2026-11-28): every spelling the
pipe inventory does not tie to its pipe refuses the run, the spellings it does tie are rewritten with
their pipe, and a value outside 0 < LocalSlotNum <= SlotNum is refused.
"""
from __future__ import annotations

import pytest
from test_local_slot_num import run

from ptofix.source import PtofixError

P0 = "TPipe<0, Direction::DIR_C2V, 1024, 8, 8, false>"
P2 = "TPipe<2, Direction::DIR_C2V, 1024, 8, 8, false>"
ACC = ("Tile<TileType::Acc, float, 16, 16, BLayout::ColMajor, 16, 16, SLayout::RowMajor, 1024, PadValue::Null, "
       "CompactMode::Null>")
SPLIT = "TileSplitAxis::TILE_NO_SPLIT"


def cube(extra: str = "", push0: str = f"TPUSH<{P0}, {ACC}, {SPLIT}>(v5, v7)", prologue: str = "",
         init0: str = f"auto v5 = {P0}(v1, v4, v4);", name: str = "cube_kernel") -> str:
    """Two C2V pipes (FlagIDs 0 and 2) of one shape, each pushed once, as ptoas prints them."""
    return (f"{prologue}AICORE void {name}(__gm__ float* v1, __gm__ float* v2) {{\n"
            "  int32_t v4 = 0;\n"
            f"  {init0}\n"
            f"  auto v6 = {P2}(v2, v4, v4);\n"
            f"  {ACC} v7;\n"
            "  TASSIGN(v7, 0);\n"
            f"  {push0};\n"
            f"  TPUSH<{P2}, {ACC}, {SPLIT}>(v6, v7);\n"
            f"{extra}"
            "  return;\n}\n")


def test_a_use_written_with_this_pipes_type_but_given_another_pipe_is_refused():
    """`TPUSH<TPipe<0,...>>(v6, t)` with v6 the FlagID-2 pipe: the use belongs to v6, so setting
    FlagID 0's LocalSlotNum rewrote v5's init and left this TPipe<0, ...> with the old 8 (a warning
    said only that the types differ). The pass now refuses, pointing at the use."""
    text = cube(push0=f"TPUSH<{P0}, {ACC}, {SPLIT}>(v6, v7)")
    with pytest.raises(PtofixError) as info:
        run(text, map="0=2")
    message = info.value.format()
    assert "cannot rewrite pipe 'v5'" in message and "t.cpp:7:9" in message and "pipe 'v6'" in message
    # The pipe the use is tied to is refused as before; an unrelated map changes nothing.
    with pytest.raises(PtofixError, match="cannot rewrite pipe 'v6'"):
        run(text, map="2=3")
    assert run(text, map="4=2")[0] == text


REFUSED = {
    "decltype": (cube(push0=f"TPUSH<decltype(v5), {ACC}, {SPLIT}>(v5, v7)"), "could not be parsed"),
    "brace init": (cube(init0=f"auto v5 = {P0}{{v1, v4, v4}};"), "does not read"),
    "helper parameter": (cube(prologue=f"AICORE void helper({P0} &p) {{\n  TFREE<{P0}, {SPLIT}>(p);\n}}\n",
                              extra="  helper(v5);\n"), "does not read"),
    "lambda": (cube(extra=f"  auto f = [&]() {{ TFREE<{P0}, {SPLIT}>(v5); }};\n  f();\n"), "lambda"),
    "reference": (cube(extra=f"  auto &r = v5;\n  TFREE<{P0}, {SPLIT}>(r);\n"), "pipe object 'r'"),
    "pointer": (cube(extra=f"  auto *q = &v5;\n  TFREE<{P0}, {SPLIT}>(*q);\n"), "not a name"),
    "array": (cube(extra=f"  {P0} arr[1] = {{v5}};\n  TFREE<{P0}, {SPLIT}>(arr[0]);\n"), "does not read"),
    "conditional": (cube(extra=f"  TFREE<{P0}, {SPLIT}>(v4 ? v5 : v5);\n"), "not a name"),
    "using alias": (cube(prologue=f"using P0 = {P0};\n", push0=f"TPUSH<P0, {ACC}, {SPLIT}>(v5, v7)"),
                    "alias"),
    "local typedef": (cube(extra=f"  typedef {P0} Q0;\n"), "not a pipe object"),
    "macro alias": (cube(prologue=f"#define PIPE0 {P0}\n", push0=f"TPUSH<PIPE0, {ACC}, {SPLIT}>(v5, v7)"),
                    "#define"),
    "macro argument": (cube(prologue="#define SLOTS 8\n", init0=f"auto v5 = {P0.replace('8, false', 'SLOTS, false')}"
                            "(v1, v4, v4);"), "cannot rewrite pipe 'v5'"),
    "parenthesised literal": (cube(push0=f"TPUSH<{P0.replace('8, false', '(8), false')}, {ACC}, {SPLIT}>(v5, v7)"),
                              "parentheses"),
    "block comment": (cube(push0=f"TPUSH<{P0.replace('8, false', '/*L*/8, false')}, {ACC}, {SPLIT}>(v5, v7)"),
                      "comments"),
    "suffixed literals": (cube(init0=f"auto v5 = {P0.replace('8, 8', '8u, 8u')}(v1, v4, v4);"), "differs"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_use_the_inventory_cannot_tie_refuses_the_run(name):
    text, says = REFUSED[name]
    with pytest.raises(PtofixError) as info:
        run(text, map="0=2")
    assert says in info.value.format()


ACCEPTED = {
    # (input, expected output) with map 0=2
    "direct declaration": (cube(init0=f"{P0} v5(v1, v4, v4);"),
                           cube(init0=f"{P0} v5(v1, v4, v4);").replace(P0, P0.replace("8, false", "2, false"))),
    "pto-qualified use": (cube(push0=f"TPUSH<pto::{P0}, {ACC}, {SPLIT}>(v5, v7)"),
                          cube(push0=f"TPUSH<pto::{P0}, {ACC}, {SPLIT}>(v5, v7)").replace(
                              P0, P0.replace("8, false", "2, false"))),
    "hex SlotNum": (cube().replace(P0, P0.replace("8, 8", "0x8, 8")),
                    cube().replace(P0, P0.replace("8, 8", "0x8, 2"))),
    "a comment naming the type": (cube(extra=f"  // {P0}\n"),
                                  cube(extra="  // COMMENT\n").replace(P0, P0.replace("8, false", "2, false"))
                                  .replace("COMMENT", P0)),
    "two functions, one name": (cube() + cube(name="vec_kernel").replace("TPipe<0,", "TPipe<4,"),
                                cube().replace(P0, P0.replace("8, false", "2, false"))
                                + cube(name="vec_kernel").replace("TPipe<0,", "TPipe<4,")),
}


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_a_use_the_inventory_ties_is_rewritten_with_its_pipe(name):
    text, expected = ACCEPTED[name]
    out = run(text, map="0=2")[0]
    assert out == expected
    assert run(out, map="0=2")[0] == out       # idempotent


def test_a_hex_flag_id_in_the_map_names_the_pipe():
    out = run(cube(), map="0x2=3")[0]
    assert out == cube().replace(P2, P2.replace("8, false", "3, false"))


@pytest.mark.parametrize("value", ["0", "-1", "9", "0=0", "2=9"])
def test_a_local_slot_num_outside_one_to_slot_num_is_refused(value):
    with pytest.raises(PtofixError, match=r"out of range: 0 < LocalSlotNum <= SlotNum \(8\)"):
        run(cube(), map=value)
