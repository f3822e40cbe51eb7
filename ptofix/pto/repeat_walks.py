"""Which bytes each repeat of an element-wise vector op touches, in issue order (its *walk*).

The simulator (sim/repeats.py) runs a vector op repeat by repeat from these walks; it is the one
place in ptofix/pto/ that says how an element-wise op of pto-isa a2a3 splits a tile into 256-byte
repeats. Read by hand from pto-isa f35e7f60 (``/work/shared/pto-isa/f35e7f60``, the checkout whose
host cost model records the intrinsics; issue #55 measured the TADDS and TEXP/TADD rows):

* TBinSOp.hpp ``TBinSInstr`` (TADDS, TSUBS, TMULS, TMAXS, TMINS): ``tileDataContinue`` is a
  ``constexpr`` on the tile *types* (``Cols == ValidCol``, or one row). When it holds, one pass of
  256-byte repeats over ``validRow * validCol`` elements from the start (``BinS1LNormMode``, or
  ``BinS1LCountMode``, which walks the same elements in the same order): ``linear``. When it does
  not (a valid shape dynamic in the type, ``-1, -1``, as every PyPTO tile has), the run-time shape
  is never looked at again: ``BinS2LCountMode`` and ``BinS2LNormModeColVLAlign`` run one
  instruction a row (``row_by_row``), ``BinS2LNormModeRowRpt`` (Rows <= 255, a row stride of at most
  255 blocks) one instruction per 256-byte column chunk of ``validRow`` repeats, one a row
  (``column_chunks``); its other branch is not modelled (None).
* TBinOp.hpp ``BinaryInstr`` (TADD, TSUB, TMUL, TDIV, TMAX, TMIN) and TUnaryOp.hpp ``TUnaryOp``
  (TEXP, TLOG, TSQRT, TRECIP, TABS, TNEG, TRELU): the small-shape path of a binary op (Rows <= 255,
  Cols < one repeat) runs one instruction of ``validRow`` repeats, one a row (``row_by_row``);
  otherwise a compile-time *or run-time* contiguous valid region (``validCol == Cols`` or one valid
  row) is one linear pass (``linear``); any other case is not modelled (None).

Only RowMajor tiles whose tile operands all share one type and valid shape get a walk; anything
else is None: the simulator then runs the op as one atomic unit that no repeat order protects.
A walk is swappable: ``op_walk`` is the one function the simulator calls for it.
"""
from __future__ import annotations

from .tiles import REPEAT_BYTES

# https://github.com/hw-native-sys/pto-isa/blob/f35e7f60/include/pto/common/constants.hpp
REPEAT_MAX = 255             # repeats of one instruction (an 8-bit field)
REPEAT_STRIDE_MAX = 255      # an instruction's repeat stride, in 32-byte blocks
BLOCK_BYTES = 32
SMALL_REPEATS = 4            # TBinSOp.hpp SMALL_RPT, TBinOp.hpp SMALL_RPT_BINOP

LINEAR = "linear"
COLUMN_CHUNKS = "column_chunks"
ROW_BY_ROW = "row_by_row"

BINARY_SCALAR_OPS = frozenset({"TADDS", "TSUBS", "TMULS", "TMAXS", "TMINS"})
BINARY_OPS = frozenset({"TADD", "TSUB", "TMUL", "TDIV", "TMAX", "TMIN"})
UNARY_OPS = frozenset({"TEXP", "TLOG", "TSQRT", "TRECIP", "TABS", "TNEG", "TRELU"})

# One repeat: the element ranges [first, end) it touches, as flat indices ``row * Cols + col`` of
# every operand (all operands of a walked op share one type), in the order it touches them.
Repeat = tuple[tuple[int, int], ...]


def walk_kind(op: str, rows: int, cols: int, elem_bytes: int, type_valid_cols: int,
              valid_rows: int, valid_cols: int) -> str | None:
    """The walk of ``op`` over RowMajor operands of one type ``rows x cols`` (``type_valid_cols``:
    the ValidCol template argument, -1 when dynamic) with run-time valid shape
    ``valid_rows x valid_cols``; None where pto-isa's path is not modelled here."""
    if elem_bytes <= 0 or REPEAT_BYTES % elem_bytes:
        return None
    per_repeat = REPEAT_BYTES // elem_bytes
    row_blocks = cols * elem_bytes // BLOCK_BYTES
    if op in BINARY_SCALAR_OPS:
        if type_valid_cols == cols or rows == 1:
            return LINEAR
        chunks_per_row = cols // per_repeat
        if chunks_per_row > 1 and rows * chunks_per_row < SMALL_REPEATS:
            return ROW_BY_ROW
        if rows < chunks_per_row + 1:
            return ROW_BY_ROW
        if rows <= REPEAT_MAX and row_blocks <= REPEAT_STRIDE_MAX:
            return COLUMN_CHUNKS
        return None
    if op in BINARY_OPS and rows <= REPEAT_MAX and cols < per_repeat:
        return ROW_BY_ROW
    if op in BINARY_OPS or op in UNARY_OPS:
        if type_valid_cols == cols or rows == 1 or valid_cols == cols or valid_rows == 1:
            return LINEAR
        return None
    return None


def walk_repeats(kind: str, cols: int, elem_bytes: int, valid_rows: int, valid_cols: int) -> list[Repeat]:
    """The repeats of a walk of kind ``kind`` over the valid region, in issue order."""
    per_repeat = REPEAT_BYTES // elem_bytes
    if kind == LINEAR:
        # One run from the start over validRow * validCol elements (contiguous: validCol == Cols,
        # or one row).
        total = valid_rows * valid_cols
        return [((start, min(start + per_repeat, total)),) for start in range(0, total, per_repeat)]
    if kind == ROW_BY_ROW:
        return [((row * cols + start, row * cols + min(start + per_repeat, valid_cols)),)
                for row in range(valid_rows) for start in range(0, valid_cols, per_repeat)]
    if kind == COLUMN_CHUNKS:
        return [((row * cols + start, row * cols + min(start + per_repeat, valid_cols)),)
                for start in range(0, valid_cols, per_repeat) for row in range(valid_rows)]
    raise ValueError(f"unknown walk kind {kind!r}")


def op_walk(op: str, rows: int, cols: int, elem_bytes: int, type_valid_cols: int,
            valid_rows: int, valid_cols: int) -> list[Repeat] | None:
    """The repeats of ``op`` (see ``walk_kind``), or None when its walk is not known."""
    kind = walk_kind(op, rows, cols, elem_bytes, type_valid_cols, valid_rows, valid_cols)
    if kind is None:
        return None
    return walk_repeats(kind, cols, elem_bytes, valid_rows, valid_cols)
