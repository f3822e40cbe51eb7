"""How far the ops that run the vector unit in count mode reach (A2/A3).

In count mode the vector mask holds the number of elements the instruction processes, and the
repeat argument is ignored: the unit runs as many 256-byte repeats as that count needs, each at
the operand's start plus the repeat index times the repeat stride (docs/reference/pto-facts.md,
"Count mode footprints"). An op whose repeat stride is a row walks one row further each 256
bytes, whatever its repeat argument says. The functions here give the byte extents, relative to
an operand's start, that TFILLPAD and the mask-pattern TGATHER write and read; None where the
implementation takes a path not modelled here (the caller then keeps the op's bytes unknown).
"""
from __future__ import annotations

from .tiles import BLOCK_BYTES, REPEAT_BYTES, REPEAT_MAX

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable


# MaskPattern (pto type.hpp): the vreducev2 pattern modes 1-7, one element kept in every N.
MASK_PATTERN_EVERY = {"P0101": 2, "P1010": 2, "P0001": 4, "P0010": 4, "P0100": 4, "P1000": 4, "P1111": 1}


def count_mode_end(count_bytes: int, repeat_stride_bytes: int) -> int:
    """End, in bytes past the operand's start, of one count-mode instruction over ``count_bytes``
    of data (block stride 1): repeat k covers [k * stride, k * stride + 256) but the last, which
    covers what is left. A count of 0 processes nothing (docs/reference/pto-facts.md: TFILLPAD
    relies on it whenever the source's valid columns fill the row)."""
    if count_bytes <= 0:
        return 0
    repeats = -(-count_bytes // REPEAT_BYTES)
    last = (repeats - 1) * repeat_stride_bytes + count_bytes - (repeats - 1) * REPEAT_BYTES
    if repeats == 1:
        return last
    # (A stride under 256 bytes makes the repeats overlap: the one before the last may end later.)
    return max(last, (repeats - 2) * repeat_stride_bytes + REPEAT_BYTES)


class FillPadReach(tuple[int, int, int, int]):
    """Byte extents of a TFILLPAD / TFILLPAD_INPLACE relative to its operands' starts: (write_lo,
    write_hi, dst_read_hi, src_read_hi), a tuple with these names. (Not a typing.NamedTuple: that
    built a reference object per annotation at import, ~1 ms of every run's CPU; issue #70 item 7.)"""

    __slots__ = ()

    def __new__(cls, write_lo: int, write_hi: int, dst_read_hi: int, src_read_hi: int) -> FillPadReach:
        return tuple.__new__(cls, (write_lo, write_hi, dst_read_hi, src_read_hi))

    @property
    def write_lo(self) -> int:
        """dst bytes written: [write_lo, write_hi)"""
        return self[0]

    @property
    def write_hi(self) -> int:
        return self[1]

    @property
    def dst_read_hi(self) -> int:
        """dst bytes read: [0, dst_read_hi) (0: none)"""
        return self[2]

    @property
    def src_read_hi(self) -> int:
        """src bytes read: [0, src_read_hi)"""
        return self[3]

    def __repr__(self) -> str:
        return (f"FillPadReach(write_lo={self[0]}, write_hi={self[1]}, dst_read_hi={self[2]}, "
                f"src_read_hi={self[3]})")


def fillpad_reach(elem_bytes: int, rows: int, cols: int, src_rows: int, src_cols: int,
                  src_valid_rows: int, dst_valid_rows: int, src_valid_cols: Iterable[int]) -> FillPadReach | None:
    """What TFILLPAD(dst, src) may touch (pto-isa a2a3 TFillPad.hpp), for a dst of ``rows`` x
    ``cols`` and a src of ``src_rows`` x ``src_cols`` elements of ``elem_bytes``, the largest valid
    rows of each and every valid column count src may have (each at most ``src_cols``).

    Its steps, all but one in count mode with one row of dst (Cols elements) as the repeat stride:
    copy Cols elements of src; put the pad value into the rest of the 32-byte block after each of
    the src's valid rows (norm mode, one repeat a row; only when the pad values differ, taken
    always here); pad row 0 from the block-rounded valid column to the row's end (contiguous); copy
    that pad to row 1 on (only when src has more than one row); pad the rows from src's valid rows
    to dst's (contiguous). 1-byte elements (scalar stores) and sources of more than 255 rows (the
    instruction loops over them) are not modelled: None."""
    if elem_bytes not in (2, 4) or src_rows > REPEAT_MAX or cols != src_cols:
        return None
    pitch, src_pitch = cols * elem_bytes, src_cols * elem_bytes
    if pitch % BLOCK_BYTES or src_pitch % BLOCK_BYTES or src_valid_rows > src_rows or dst_valid_rows > rows:
        return None
    per_block = BLOCK_BYTES // elem_bytes
    lo = 0
    hi = max(rows * pitch, count_mode_end(src_cols * elem_bytes, pitch), dst_valid_rows * pitch)
    dst_read_hi = 0
    for valid_col in src_valid_cols:
        if valid_col < 0 or valid_col > src_cols:
            return None
        padded = -(-valid_col // per_block) * per_block      # the valid columns rounded up to a block
        pad_bytes = (cols - padded) * elem_bytes
        # The block before `padded` in each valid src row (row 0 at least).
        lo = min(lo, (padded - per_block) * elem_bytes)
        hi = max(hi, (max(src_valid_rows, 1) - 1) * pitch + padded * elem_bytes)
        # Row 0 from `padded` on, with a repeat stride of one repeat: contiguous.
        hi = max(hi, padded * elem_bytes + count_mode_end(pad_bytes, REPEAT_BYTES))
        if src_rows > 1 and pad_bytes:
            # Row 0's pad copied from row 1's `padded` on, at dst's row stride; read at stride 0.
            hi = max(hi, pitch + padded * elem_bytes + count_mode_end(pad_bytes, pitch))
            dst_read_hi = max(dst_read_hi, padded * elem_bytes + count_mode_end(pad_bytes, 0))
    return FillPadReach(lo, hi, dst_read_hi, count_mode_end(src_cols * elem_bytes, src_pitch))


def gather_by_pattern_reach(elem_bytes: int, src_cols: int, src_valid_rows: int, src_valid_cols: int,
                            every: int) -> tuple[int, int] | None:
    """(dst bytes written, src bytes read), from each operand's start, of the mask-pattern form
    TGATHER<D, S, pattern>(dst, src) along rows (pto-isa a2a3 TGather.hpp): one count-mode
    vreducev2 over src's valid columns, at src's row stride, that keeps one element in ``every``
    of each repeat and packs what it keeps at dst's start. Its repeat argument is src's valid
    rows: were it obeyed, as the op's author means, each valid row would add as many, so the
    write reaches that far too. None for an element size it rejects."""
    if elem_bytes not in (2, 4) or every <= 0 or src_valid_cols < 0 or src_valid_cols > src_cols:
        return None
    count = src_valid_cols * elem_bytes
    kept = -(-src_valid_cols // every) * elem_bytes * max(1, src_valid_rows)
    return kept, max(count_mode_end(count, src_cols * elem_bytes), src_valid_rows * src_cols * elem_bytes)
