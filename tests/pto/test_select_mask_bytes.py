"""TSEL/TSELS: the mask bytes ptofix's model reads cover the ones msSanitizer counts as read.

msSanitizer (Ascend/mssanitizer): TSELS's vsel runs in mode 1 (pto-isa a2a3 TSels.hpp), for which
csrc/plugin/ccec/calc_instructions/vsel.cpp records the mask (vsel's src1) as one block of 16 bytes
(half data) or 8 bytes (float) a repeat, block stride 0, repeat stride 1, and the vsel's repeat
argument (1); csrc/core/framework/record_parse.cpp ParseRecordVsel keeps that block out of the
count-mode split, and SplitMem (csrc/race_sanitizer/alg_framework/mem_event_checker.cpp) makes it
[row, row + block). TSEL's vsel runs in mode 2 (TSel.hpp): the mask's address is a value the tmp
holds, and msSanitizer reads 8 bytes at the tmp (RecordCmpMaskLoad), none of the mask.

ptofix's model (ops.mask_row_bytes) reads one bit a valid column from each row, and for TSELS at
least msSanitizer's block. The whole-kernel consequence (a column-major mask, whose rows are one
element apart) is in tests/cpp/test_select_mask_reach.py.
"""
from __future__ import annotations

import pytest

from ptofix.pto.ops import SANITIZER_SELECT_MASK_BLOCK, mask_row_bytes

VALID_COLS = (1, 8, 15, 16, 64, 100, 128, 200, 256)


def sanitizer_row_bytes(op: str, elem_bytes: int) -> int:
    """msSanitizer's mask bytes a row from its start, written out from vsel.cpp (not from ptofix)."""
    if op == "TSEL":
        return 0                               # mode 2: the mask is not read, the tmp is
    return 16 if elem_bytes == 2 else 8        # mode 1: src1BlockSize, 1 block, 1 repeat


@pytest.mark.parametrize("op", ["TSEL", "TSELS"])
@pytest.mark.parametrize("elem_bytes", [2, 4])
@pytest.mark.parametrize("valid_cols", VALID_COLS)
def test_model_row_bytes_cover_sanitizer_and_pto_isa(op, elem_bytes, valid_cols):
    model = mask_row_bytes(op, valid_cols, elem_bytes)
    assert model is not None
    assert model >= sanitizer_row_bytes(op, elem_bytes)
    assert model >= -(-valid_cols // 8)        # pto-isa: one bit a valid column


@pytest.mark.parametrize("valid_cols,expected", [(8, 16), (64, 16), (100, 16), (128, 16), (200, 25), (256, 32)])
def test_tsels_half_reads_msanitizers_block_or_the_bits(valid_cols, expected):
    assert mask_row_bytes("TSELS", valid_cols, 2) == expected


@pytest.mark.parametrize("valid_cols,expected", [(8, 8), (64, 8), (100, 13), (128, 16), (200, 25), (256, 32)])
def test_tsels_float_reads_msanitizers_block_or_the_bits(valid_cols, expected):
    assert mask_row_bytes("TSELS", valid_cols, 4) == expected


@pytest.mark.parametrize("rows,pitch", [(1, 32), (16, 32), (16, 64), (32, 1), (16, 2)])
@pytest.mark.parametrize("elem_bytes", [2, 4])
@pytest.mark.parametrize("valid_cols", VALID_COLS)
def test_tsels_sanitizer_ranges_lie_inside_the_models_reach(rows, pitch, elem_bytes, valid_cols):
    # Every range msSanitizer records, row by row at the mask's pitch, ends by the model's reach.
    reach = (rows - 1) * pitch + mask_row_bytes("TSELS", valid_cols, elem_bytes)
    block = sanitizer_row_bytes("TSELS", elem_bytes)
    assert all(i * pitch + block <= reach for i in range(rows))


def test_tsels_with_another_element_size_is_unknown():
    # pto-isa's TSELS takes 2- and 4-byte data only (static_assert in TSels.hpp).
    assert set(SANITIZER_SELECT_MASK_BLOCK) == {2, 4}
    assert mask_row_bytes("TSELS", 64, 1) is None
    assert mask_row_bytes("TSELS", 64, None) is None
    assert mask_row_bytes("TSEL", 64, None) == 8
