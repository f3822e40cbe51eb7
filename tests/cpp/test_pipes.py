"""The TPipe inventory of a C++ kernel (ptofix/cpp/pipes.py): each pipe's type, init and uses as the
LocalSlotNum pass reads them, in the new and the old TPipe template. Facts: docs/reference/pto-facts.md
§4. (The pass itself: tests/passes/test_local_slot_num.py.)
"""
from __future__ import annotations

import os

import pytest
from test_local_slot_num import INPUTS, inventory, kernel, run

from ptofix.cpp.pipes import AMBIGUOUS_ORDER, NEW, NO_NOSPLIT, OLD, SHORT, UNKNOWN, header_order
from ptofix.source import PtofixError


# ---- inventory ------------------------------------------------------------------------------------
@pytest.mark.parametrize("args, order, local, nosplit, unit", [
    ("0, Direction::DIR_C2V, 1024, 8, 8, true", NEW, 8, True, False),
    ("0, Direction::DIR_C2V, 1024, 8, 2, false, true", NEW, 2, False, True),
    ("0, Direction::DIR_C2V, 1024, 8, 4", NEW, 4, False, False),
    ("0, Direction::DIR_C2V, 1024, 8, true, 8", OLD, 8, True, False),
    ("0, Direction::DIR_C2V, 1024, 8, false", OLD, 2, False, False),
    ("0, Direction::DIR_C2V, 1024, 8, true, 1, true", OLD, 1, True, True),
    ("0, Direction::DIR_BOTH, 4096, 4", SHORT, 2, False, False),
])
def test_order_is_detected_from_the_literals(args, order, local, nosplit, unit):
    inv = inventory(kernel(f"  auto v3 = TPipe<{args}>(v1, v2, v2);\n"))
    (pipe,) = inv.pipes
    t = pipe.type
    assert (t.order, t.local_slot_num, t.nosplit, t.unit_flag) == (order, local, nosplit, unit)
    assert t.flag_id == 0 and t.slot_num in (8, 4)
    assert not inv.issues


@pytest.mark.parametrize("args", ["0, Direction::DIR_C2V, 1024, 8, true, false", "0, Direction::DIR_C2V, 1024, 8, 8, 2",
                                  "0, Direction::DIR_C2V, 1024"])
def test_undecidable_types_are_reported(args):
    inv = inventory(kernel(f"  auto v3 = TPipe<{args}>(v1, v2, v2);\n"))
    assert inv.pipes[0].type.order == UNKNOWN or inv.pipes[0].type.problem
    assert [i.kind for i in inv.issues] == ["bad-type"]
    with pytest.raises(PtofixError, match="cannot rewrite pipe 'v3'"):
        run(kernel(f"  auto v3 = TPipe<{args}>(v1, v2, v2);\n"), map="1")


def test_uses_are_linked_by_pipe_object_and_spans_are_exact():
    text = open(os.path.join(INPUTS, "new_order.cpp"), encoding="utf-8").read()
    inv = inventory(text)
    assert [(p.function, p.var, p.flag_id, p.type.direction, len(p.uses)) for p in inv.pipes] == [
        ("cube_kernel", "v5", 0, "DIR_C2V", 2), ("cube_kernel", "v6", 2, "DIR_V2C", 2),
        ("cube_kernel", "v7", 4, "DIR_C2V", 2), ("vector_kernel", "v6", 0, "DIR_C2V", 2),
        ("vector_kernel", "v7", 2, "DIR_V2C", 1), ("vector_kernel", "v8", 4, "DIR_C2V", 2)]
    for pipe in inv.pipes:
        for occ in pipe.occurrences():
            assert text[occ.span.start:occ.span.end].startswith("TPipe<")
            assert text[occ.args[occ.local_arg].span.start:occ.args[occ.local_arg].span.end] == "8"
    assert [u.op for u in inv.pipes[1].uses] == ["TPOP", "TFREE"]
    assert inv.pipes[1].tile_form_pop and not inv.pipes[0].tile_form_pop
    assert not inv.issues


def test_same_flag_and_overlap_and_use_mismatch_are_reported():
    inv = inventory(kernel(
        "  auto v3 = TPipe<0, Direction::DIR_C2V, 1024, 8, 8, true>(v1, v2, v2);\n"
        "  auto v4 = TPipe<0, Direction::DIR_C2V, 2048, 8, 8, true>(v1, v2, v2);\n"
        "  auto v5 = TPipe<4, Direction::DIR_BOTH, 512, 4, 4, true>(v1, v2, v2);\n"
        "  auto v6 = TPipe<6, Direction::DIR_C2V, 512, 8, 8, true>(v1, v2, v2);\n"
        "  TFREE<TPipe<0, Direction::DIR_C2V, 1024, 8, 2, true>, TileSplitAxis::TILE_UP_DOWN>(v3);\n"
        "  TFREE<TPipe<6, Direction::DIR_V2C, 512, 8, 8, true>, TileSplitAxis::TILE_UP_DOWN>(v6);\n"
        "  TFREE<TPipe<6, Direction::DIR_C2V, 512, 8, 8, true>, TileSplitAxis::TILE_UP_DOWN>(v9);\n"))
    kinds = sorted(i.kind for i in inv.issues)
    assert kinds == ["flag-overlap", "same-flag", "unlinked", "use-mismatch", "use-mismatch"]
    mismatches = [i for i in inv.issues if i.kind == "use-mismatch"]
    assert [m.local_only for m in mismatches] == [True, False]


def test_tpipe_outside_functions_is_not_silently_ignored():
    text = "using QKPipe = TPipe<0, Direction::DIR_C2V, 1024, 8, 8, true>;\n" + kernel(
        "  auto v3 = TPipe<0, Direction::DIR_C2V, 1024, 8, 8, true>(v1, v2, v2);\n")
    inv = inventory(text)
    assert [i.kind for i in inv.issues] == ["unlinked"]
    with pytest.raises(PtofixError, match="cannot change LocalSlotNum consistently"):
        run(text, map="2")


def test_header_order():
    new = open(os.path.join(INPUTS, "pto-isa-new", "include", "pto", "npu", "a2a3", "TPush.hpp")).read()
    old = open(os.path.join(INPUTS, "pto-isa-old", "include", "pto", "npu", "a2a3", "TPush.hpp")).read()
    assert header_order(new) == NEW and header_order(old) == OLD
    # 2026-03-26 header: LocalSlotNum fifth, no IsNoSplit (docs/reference/pto-facts.md §4.1): its sixth
    # argument is the unit flag, neither order ptofix writes.
    assert header_order("template <uint8_t FlagID, uint8_t DirType, uint32_t SlotSize, uint32_t SlotNum, "
                        "uint32_t LocalSlotNum = 2, bool EN_UNIT_FLAG = false> struct TPipe;") == NO_NOSPLIT
    assert header_order("template <typename T> struct Other;") is None


_NEW_TPIPE = ("template <uint8_t FlagID, uint8_t DirType, uint32_t SlotSize, uint32_t SlotNum, uint32_t LocalSlotNum = 2, "
              "bool IsNoSplit = false, bool EN_UNIT_FLAG = false>\nstruct TPipe {};\n")
_OLD_TPIPE = ("template <uint8_t FlagID, uint8_t DirType, uint32_t SlotSize, uint32_t SlotNum, bool IsNoSplit, "
              "uint32_t LocalSlotNum, bool EN_UNIT_FLAG = false>\nstruct TPipe;\n")


@pytest.mark.parametrize("header, order", [
    # What the compiler never reads says nothing: a comment, an `#if 0` group (nested ones too).
    (f"/* before 04-10:\n{_OLD_TPIPE}*/\n{_NEW_TPIPE}", NEW),
    ("".join(f"// {line}\n" for line in _OLD_TPIPE.splitlines()) + _NEW_TPIPE, NEW),
    (f"#if 0\n#ifdef X\n#endif\n{_OLD_TPIPE}#endif\n{_NEW_TPIPE}", NEW),
    (f"#if 0\n{_NEW_TPIPE}#else\n{_OLD_TPIPE}#endif\n", OLD),
    # ... nor a group after one always taken, nor one false whatever the macros are.
    (f"#if 1\n{_NEW_TPIPE}#else\n{_OLD_TPIPE}#endif\n", NEW),
    (f"#if 2 - 2\n{_OLD_TPIPE}#elif X\n#else\n{_NEW_TPIPE}#endif\n", NEW),
    # Two live orders (#ifdef branches): which is compiled cannot be told.
    (f"#ifdef OLD_PIPES\n{_OLD_TPIPE}#else\n{_NEW_TPIPE}#endif\n", AMBIGUOUS_ORDER),
    # A declaration and its definition in one order are one order.
    (_NEW_TPIPE.replace("TPipe {};", "TPipe;") + _NEW_TPIPE, NEW),
])
def test_header_order_reads_only_what_is_compiled(header, order):
    assert header_order(header) == order


def test_a_pto_lib_declaring_tpipe_in_two_orders_is_refused(tmp_path):
    lib = tmp_path / "pto-isa"
    header = lib / "include" / "pto" / "npu" / "a2a3" / "TPush.hpp"
    header.parent.mkdir(parents=True)
    header.write_text(f"#ifdef OLD_PIPES\n{_OLD_TPIPE}#else\n{_NEW_TPIPE}#endif\n")
    text = "void k() {\n  TPipe<0, Direction::DIR_C2V, 1024, 8, 1, false> v20(a, b, c);\n}\n"
    with pytest.raises(PtofixError, match="declares 'struct TPipe' templates in more than one argument order"):
        run(text, **{"map": "2", "pto-lib": str(lib)})
