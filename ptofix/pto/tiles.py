"""Tile memory facts (docs/reference/pto-facts.md §2.3, §3).

A ``Tile<Space, DType, Rows, Cols, BLayout, ValidRow, ValidCol, ...>`` occupies
``Rows * Cols * sizeof(DType)`` contiguous bytes from its assigned address inside its own memory
space (pto-isa ``include/pto/common/tassign_check.hpp``); tiles of different spaces never alias.
Valid rows/cols do not change the storage; ``-1`` means dynamic (set at run time).
"""
from __future__ import annotations

from ..structs import Struct

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import ClassVar, Final, TypeVar

    T = TypeVar("T")

# Memory spaces a Tile may live in (`TileType::X`) and their sizes on A2/A3
# (pto-isa include/pto/common/buffer_limits.hpp).
SPACE_BYTES: Final = {"Vec": 192 * 1024, "Mat": 512 * 1024, "Left": 64 * 1024, "Right": 64 * 1024,
               "Acc": 128 * 1024, "Bias": 1024, "Scaling": 2048, "ScaleLeft": 2048, "ScaleRight": 2048}
TILE_SPACES: Final = frozenset(SPACE_BYTES)
UB_BYTES: Final = SPACE_BYTES["Vec"]
# The UB of each architecture (docs/reference/pto-facts.md §3): 192 KiB on A2/A3; on A5 256 KiB in
# pto-isa's buffer_limits.hpp (PTOAS's planner uses 248 KiB of it). The analyses use A2/A3's, the
# smallest; `check` names a tile past it for the archs whose UB it passes.
UB_BYTES_BY_ARCH: Final = {"a2": 192 * 1024, "a3": 192 * 1024, "a5": 256 * 1024}
# Architectures whose row-expand ops broadcast into the hidden scratch below (pto-isa's a2a3 code).
HIDDEN_SCRATCH_ARCHS: Final = frozenset({"a2", "a3"})
# A local-memory (`__ubuf__`) pointer may be 32 bits wide (the Ascend C compiler may keep
# local-memory pointers in 32 bits; pto-isa's TASSIGN converts the address with no range check):
# an address or pointer value outside [0, 2**32) may be cut, so what it points at is not known.
LOCAL_POINTER_LIMIT: Final = 1 << 32


def bytes_in_space(space: str | None, lo: int, hi: int) -> bool:
    """Whether bytes ``[lo, hi)`` of memory space ``space`` (None: not known, maybe the UB) are all
    inside it.

    pto-isa holds a tile to its space: ``addr + Rows * Cols * sizeof(DType) <= capacity``
    (include/pto/common/tassign_check.hpp, SA-0353, checked at compile time only for
    ``TASSIGN<Addr>``; the run-time ``TASSIGN(tile, addr)`` ptoas prints is not checked). Where a
    tile reaches past its space, what the hardware touches is not known (an address wrapped, cut
    or refused: the pto-dsl FA reference kernel, whose vector tiles run from 192 KiB to 450 KiB of
    the 192 KiB UB, stops with an AI-core address-check exception, examples/aot/flash_attention/
    ir_ref/launch_kernel/README.md), so two such tiles may share bytes whatever their addresses
    say. The capacities are A2/A3's, the smallest of the architectures: an A5 UB is larger.
    """
    # (A space the model cannot name may be the UB: it gets the UB's bound.)
    return 0 <= lo and hi <= SPACE_BYTES.get(space or "", UB_BYTES)

# A vector instruction reads and writes UB in 32-byte blocks: pto-isa puts UB tiles on that grid
# (buffer_limits.hpp PTO_UBUF_ALIGN_BYTES = 32; tassign_check.hpp SA-0354 for TASSIGN<Addr>; PTOAS's
# planner aligns UB to 32 B), and the run-time TASSIGN(tile, addr) does not check it. Which bytes an
# op touches for a tile off the grid is not documented for A2/A3 (on A5, pto-isa's unaligned-access
# notes say a misaligned vector load or store corrupts data), so such a tile's bytes are unknown.
UB_ALIGN_BYTES: Final = 32


def on_ub_grid(space: str | None, address: int) -> bool:
    """Whether a tile of ``space`` (None: not known, which may be UB) at ``address`` starts on the
    UB's 32-byte block grid, or is not a UB tile."""
    return (space is not None and space != "Vec") or address % UB_ALIGN_BYTES == 0


def bytes_known(space: str | None, lo: int, hi: int) -> bool:
    """Whether a tile of ``space`` at ``lo`` reaching to ``hi`` has bytes the model can place: inside
    its space (bytes_in_space) and, in the UB, on the block grid (on_ub_grid)."""
    return bytes_in_space(space, lo, hi) and on_ub_grid(space, lo)


# pto-isa include/pto/common/constants.hpp: TMP_UB_OFFSET = 184 KiB, TMP_UB_SIZE = 8 KiB. Row-expand
# ops with a non-RowMajor per-row operand, integer TCVT and the int8 TEXTRACT path write it (§2.3).
HIDDEN_SCRATCH = (184 * 1024, 192 * 1024)

# Position of each Tile template argument (pto-facts.md §3): Tile<Loc, T, Rows, Cols, BLayout,
# ValidRow, ValidCol, SLayout, SFractalSize, PadVal, CompactMode>; ValidRow/ValidCol default to
# Rows/Cols, the others to TILE_DEFAULTS.
TILE_ARGS = ("loc", "dtype", "rows", "cols", "blayout", "valid_row", "valid_col", "slayout", "fractal", "pad",
             "compact")
TILE_ARG: Final = {name: index for index, name in enumerate(TILE_ARGS)}
TILE_DEFAULTS: Final = {"blayout": "RowMajor", "slayout": "NoneBox", "pad": "Null"}


def tile_arg(args: Sequence[T], name: str) -> T | None:
    """The Tile template argument called ``name`` (see TILE_ARGS), None when the C++ leaves it out."""
    index = TILE_ARG[name]
    return args[index] if index < len(args) else None

# One vector instruction (pto-isa include/pto/common/constants.hpp): the bytes of one repeat
# (REPEAT_BYTE), of one data block (BLOCK_BYTE_SIZE: the unit of a repeat stride and of
# copy_ubuf_to_ubuf's burst length), the largest repeat count (REPEAT_MAX, 8 bits) and the largest
# repeat stride, in blocks (8 bits). Every module reads them from here (tests/test_facts_once.py).
REPEAT_BYTES: Final = 256
BLOCK_BYTES: Final = 32
REPEAT_MAX: Final = 255
REPEAT_STRIDE_MAX: Final = 255

ELEMENT_BYTES: Final = {
    "float": 4, "float32_t": 4, "int32_t": 4, "uint32_t": 4,
    "half": 2, "bfloat16_t": 2, "int16_t": 2, "uint16_t": 2, "float16_t": 2,
    "int8_t": 1, "uint8_t": 1, "hifloat8_t": 1, "float8_e4m3_t": 1, "float8_e5m2_t": 1,
    "int64_t": 8, "uint64_t": 8, "double": 8, "bool": 1,
}
FLOAT_TYPES: Final = frozenset({"float", "half", "bfloat16_t", "float16_t", "float32_t"})


def dtype_size(dtype: str | None) -> int | None:
    return ELEMENT_BYTES.get(dtype) if dtype else None


def walked_in_address_order(rows: int | None, cols: int | None, blayout: str | None,
                            valid_row: int | None, valid_col: int | None) -> bool:
    """Whether the element-wise vector ops walk a tile's valid region as one run of 256-byte
    repeats in address order (the same-access chain's "contiguous", pto-facts.md §5.3).

    RowMajor: the valid columns fill each row, or one row is valid. Any other layout: pto-isa a2a3
    tests ``Cols == ValidCol`` (or one row) whatever the layout (``TBinSOp.hpp`` ``TBinSInstr``
    ``tileDataContinue``) and walks any other tile row by row with its RowStride, which is 1 for
    ColMajor: a 64x32 ColMajor tile with 16 valid columns is 64 repeats over its first 64 bytes
    (repeat stride 0), not 16 repeats in address order. So only a full-width tile counts."""
    if None in (rows, cols, valid_row, valid_col):
        return False
    if blayout == "RowMajor":
        return valid_col == cols or valid_row == 1
    return valid_col == cols or rows == 1


class TileType(Struct):
    """A tile's static type (None where the C++ does not say it with a literal)."""

    __slots__ = ("space", "dtype", "rows", "cols", "blayout", "valid_row", "valid_col")
    space: str | None
    dtype: str | None
    rows: int | None
    cols: int | None
    blayout: str
    valid_row: int | None     # None = dynamic (-1) or not a literal
    valid_col: int | None
    _fields: ClassVar[tuple[str, ...]] = ("space", "dtype", "rows", "cols", "blayout", "valid_row", "valid_col")

    def __init__(
            self,
            space: str | None,
            dtype: str | None,
            rows: int | None,
            cols: int | None,
            blayout: str = "RowMajor",
            valid_row: int | None = None,
            valid_col: int | None = None,
    ) -> None:
        self.space = space
        self.dtype = dtype
        self.rows = rows
        self.cols = cols
        self.blayout = blayout
        self.valid_row = valid_row
        self.valid_col = valid_col

    @property
    def elem_size(self) -> int:
        return dtype_size(self.dtype) or 0

    @property
    def nbytes(self) -> int | None:
        """Footprint ``Rows*Cols*sizeof(T)``, None if unknown."""
        if self.rows is None or self.cols is None or not self.elem_size:
            return None
        return self.rows * self.cols * self.elem_size

    @property
    def static_valid(self) -> bool:
        return self.valid_row is not None and self.valid_col is not None

    @property
    def repeats(self) -> int:
        """Vector repeats over the valid region (0 if not static)."""
        if not self.static_valid or not self.elem_size:
            return 0
        per_repeat = REPEAT_BYTES // self.elem_size
        return -(-(self.valid_row * self.valid_col) // per_repeat)  # type: ignore[operator]
