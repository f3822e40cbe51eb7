"""How a vector op walks a tile, repeat by repeat: one home for the barrier proof (cpp/barriers.py),
the same-access chain rule checked on those repeats (pto/same_access_chain.py) and anything else
that needs the order.

A walk is the list of byte ranges (relative to the tile's start) the op touches per repeat, in
issue order. Four kinds, the names the cost-model trace uses too:

* ``linear``: 256-byte repeats over one run of ``validRow * validCol`` elements from the start
  (one instruction, or a count-mode instruction, or a head plus a masked tail);
* ``column_chunks``: per 256-byte column chunk, one instruction of validRow repeats, one per row
  (repeat stride one row);
* ``row_by_row``: row after row, each row's valid columns in 256-byte repeats (one instruction,
  or one count-mode instruction, per row; a row narrower than 256 bytes is one repeat);
* ``other``: anything else (the order is not modelled: no chain).

Which kind an op takes depends on the op *and* on whether its implementation tests the valid
shape in the tile *type* (a ``constexpr`` on ``Cols == ValidCol``) or the run-time valid shape:
pto-isa a2a3 at f35e7f60 (the checkout whose host cost model builds,
https://github.com/hw-native-sys/pto-isa/tree/f35e7f60/include/pto/npu/a2a3):

* ``TBinSInstr`` (TBinSOp.hpp; TADDS, TSUBS, TMULS, TMAXS, TMINS, TLRELU, TAXPY, TDIVS and TNEG,
  which is ``TMULS(dst, src, -1)`` in TUnaryOp.hpp) chooses ``tileDataContinue`` from the types
  of dst and src: ``Cols == ValidCol`` (a ``ValidCol`` of -1 never equals) or one static row. Its
  "run-time" branch tests that same constexpr, so on a type with a dynamic valid shape it always
  takes the two-level path: ``BinS2LNormModeRowRpt`` walks column chunk by column chunk.
* ``BinaryInstr`` (TBinOp.hpp; TADD, TSUB, TMUL, TDIV, TMAX, TMIN, TAND, TOR with equal row
  strides) tests dst's type at compile time, then ``BinaryInstrGeneralPath`` tests the run-time
  ``Cols == validCol || validRow == 1``: a full-width valid shape walks linearly whatever the type.
  A row narrower than one repeat (``Cols < elementsPerRepeat``) takes ``Bin1LNormModeSmall``: one
  instruction of validRow repeats, one a row.
* ``TUnaryOp`` (TUnaryOp.hpp; TEXP, TLOG, TSQRT, TABS, TRELU, TNOT) is ``isCombined`` from both
  types, else (same shape) tests the run-time valid columns: linear when full.
* ``TExpandS`` (TExpandS.hpp; TEXPANDS): contiguous type -> one count-mode run; else a run-time
  valid shape equal to the type's ``ValidCol`` (never, for -1) or one row -> one run; else one
  count-mode instruction per row.
* ``ColExpandBinaryInstr`` (TColExpandBinOp.hpp; TCOLEXPAND{ADD,SUB,MUL,DIV,MAX,MIN}) tests dst's
  type: contiguous -> ``TColExpandBinaryNormMode`` (column chunks; rows narrower than a repeat: one
  instruction of validRow repeats); else ``TColExpandBinaryCountMode``, one instruction per row.
* ``TRowExpandBinaryInstr`` (TRowExpandBinOp.hpp, the vbrcb path) tests the run-time shape only:
  ``useCountMode`` -> row by row, else ``TRowExpandBinaryNormModeTail`` (column chunks; narrow rows:
  one instruction of validRow repeats); 256 valid rows and more split into 240-row steps with
  barriers (other).
* ``TRowExpandExpdif`` (TRowExpandExpdif.hpp) is TROWEXPANDSUB, a barrier, then ``TEXP(dst, dst)``:
  it writes dst last as TEXP does.
* ``TCvtHead`` (TCvt.hpp): one vconv a valid row, rows in order (row by row), repeats of
  ``256 / max(element sizes)`` elements.
* TDIVS and TRECIP (``TDIVS(dst, 1, src)``, pto_instr.hpp) run ``vector_dup`` into dst, a
  ``pipe_barrier(PIPE_V)`` and then ``vdiv`` per instruction (``SDivOp``), or ``vmuls`` in place
  (``DivSOp``), or a scalar loop for integers: no single walk (other).

Count mode (``set_mask_count``): the trace records an instruction's element count, not the pace
at which it runs against 256-byte repeats, so a path of one count-mode instruction a row
(``*2LCountMode``, ``TExpandsVec2D``, ``TColExpandBinaryCountMode``, a row expand's
``useCountMode``) is no walk a chain rests on (``other``, fail closed), and neither is TEXPANDS's
one count-mode run over a contiguous type.

A5: ptoas emits no ``pipe_barrier(PIPE_V)`` on A5 (PTOAS PR 224, pto-facts §5.2), so no chain is
ever needed there; these walks are A2/A3's.

The facts come from the table derived from pto-isa's recorded cost-model trace
(``derived_facts.json``, ``walk_kind``) where it holds the op's type class, and from the reading by
hand above (``hand_walk``) where it does not; where both answer and disagree, no walk is known.
"""
from __future__ import annotations

# (The walk kinds are the derived table's (derived_facts.WALK_KINDS): import them from there.)
from .derived_facts import COLUMN_CHUNKS, LINEAR, OTHER, ROW_BY_ROW, WALK_KINDS, DerivedFacts, default_facts
from .tile_walk import TileWalk  # (interpreted: see tile_walk.py)
from .tiles import BLOCK_BYTES, REPEAT_BYTES, REPEAT_MAX, REPEAT_STRIDE_MAX

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Final

COUNT_MODE: Final = "count_mode"   # (internal to the hand reading: a count-mode path, which is no walk)


_SMALL_RPT: Final = 4              # TBinSOp.hpp SMALL_RPT, TBinOp.hpp SMALL_RPT_BINOP, TUnaryOp.hpp SMALL_RPT
_ROW_EXPAND_SPLIT_ROWS: Final = 256


# -- the hand-read walks (pto-isa a2a3 f35e7f60, the module docstring) ---------------------------

BINARY_OPS: Final = frozenset({"TADD", "TSUB", "TMUL", "TDIV", "TMAX", "TMIN", "TAND", "TOR"})
SCALAR_OPS: Final = frozenset({"TADDS", "TSUBS", "TMULS", "TMAXS", "TMINS", "TNEG", "TLRELU", "TAXPY"})
UNARY_OPS: Final = frozenset({"TEXP", "TLOG", "TSQRT", "TABS", "TRELU", "TNOT"})
COL_EXPAND_OPS: Final = frozenset({"TCOLEXPANDADD", "TCOLEXPANDSUB", "TCOLEXPANDMUL", "TCOLEXPANDDIV", "TCOLEXPANDMAX",
                            "TCOLEXPANDMIN"})
ROW_EXPAND_OPS: Final = frozenset({"TROWEXPANDADD", "TROWEXPANDSUB", "TROWEXPANDMUL", "TROWEXPANDDIV", "TROWEXPANDMAX",
                            "TROWEXPANDMIN"})
# Ops whose every path is no single walk (see the module docstring).
NO_SINGLE_WALK: Final = frozenset({"TDIVS", "TRECIP"})
# Ops whose implementation differs across the pto-isa versions a kernel may build with: at
# f35e7f60 TANDS/TORS are TEXPANDS(dst), a barrier, then TAND/TOR(dst, src, dst) (TBitwiseSOp.hpp);
# at 3186c381 they are TBinSInstr ops (the type decides). No walk is taken for them.
WALK_BY_VERSION: Final = frozenset({"TANDS", "TORS"})


def _two_level(walk: TileWalk) -> str:
    """The two-level path TBinSOp.hpp, TBinOp.hpp and TUnaryOp.hpp share for a valid region that is
    not one run: few repeats a row -> one (count-mode) instruction a row; else, rows and row stride
    within one instruction's 8-bit fields -> column chunks (``*2LNormModeRowRpt``); else a head row
    by row (more rows than elements a repeat) and a column of masked row tails: row by row when
    there is no tail, else other."""
    per_repeat = REPEAT_BYTES // walk.elem_bytes
    norm_col_repeat = walk.cols // per_repeat
    if norm_col_repeat > 1 and walk.rows * norm_col_repeat < _SMALL_RPT:
        return COUNT_MODE                        # *2LCountMode
    if walk.rows < norm_col_repeat + 1:
        return COUNT_MODE                        # *2LCountMode or *2LNormModeColVLAlign
    if walk.rows <= REPEAT_MAX and walk.row_bytes // BLOCK_BYTES <= REPEAT_STRIDE_MAX:
        return COLUMN_CHUNKS                     # *2LNormModeRowRpt, condRowRpt
    if walk.rows > per_repeat and walk.valid_cols % per_repeat == 0:
        return ROW_BY_ROW                        # *2LNormModeHead only: each row's whole repeats
    return OTHER


def hand_walk(op: str, walk: TileWalk, producing: bool) -> tuple[str, str]:
    """(kind, why) of how ``op`` walks the chained tile ``walk`` when it writes it (``producing``)
    or reads it, as read by hand from pto-isa a2a3 (module docstring); ``why`` says why an
    ``other`` is not modelled."""
    if walk.elem_bytes not in (2, 4):
        return OTHER, f"{op} on {walk.elem_bytes}-byte elements: its walk is not read"
    if walk.layout != "RowMajor":
        if walk.type_contiguous and op in BINARY_OPS | SCALAR_OPS:
            return LINEAR, ""
        return OTHER, f"{op} over a {walk.layout} tile: its walk is not read"
    if op in NO_SINGLE_WALK:
        return OTHER, f"{op} issues vector_dup, a barrier and vdiv per instruction (TDivS.hpp SDivOp): no single walk"
    if op in WALK_BY_VERSION:
        return OTHER, f"{op} walks differently across pto-isa versions"
    if op in ("TAND", "TOR") and walk.elem_bytes != 2:
        # Viewed as 16-bit data, so its row strides "differ" from the original type's and it takes
        # the three-stride Bin2LNormModeRowRpt (TAnd.hpp, TOr.hpp): row heads, then a tail column.
        # (The recorded trace showed it: the hand reading once took the one-stride path.)
        return OTHER, f"{op} on {walk.elem_bytes}-byte data is viewed as 16-bit and walked in heads and tails"
    if op in BINARY_OPS:
        if walk.rows <= REPEAT_MAX and walk.row_bytes < REPEAT_BYTES:
            return ROW_BY_ROW, ""                # Bin1LNormModeSmall
        if walk.type_contiguous or walk.full_rows:
            return LINEAR, ""                    # BinaryInstrFastPath / GeneralPath's run-time test
        return _kind_or_why(op, _two_level(walk))
    if op in SCALAR_OPS:
        if walk.type_contiguous:
            return LINEAR, ""                    # tileDataContinue
        return _kind_or_why(op, _two_level(walk))
    if op in UNARY_OPS or (op == "TROWEXPANDEXPDIF" and producing):
        if walk.type_contiguous or walk.full_rows:
            return LINEAR, ""                    # isCombined, or isSameShape and the run-time test
        return _kind_or_why(op, _two_level(walk))
    if op == "TEXPANDS":
        if walk.type_contiguous or walk.valid_rows == 1:
            return _count_mode(op, "one count-mode instruction over the run (TExpandS.hpp)")
        if walk.valid_col_in_type:
            # The run-time test ``validCol == ValidCol`` holds: one run of validRow * validCol
            # elements from the start, not the valid region (not modelled).
            return OTHER, "TEXPANDS over a type of static partial ValidCol fills a prefix, not its valid region"
        return _count_mode(op, "one count-mode instruction a row (TExpandsVec2D)")
    if op in COL_EXPAND_OPS:
        if not walk.type_contiguous:
            return _count_mode(op, "one count-mode instruction a row (TColExpandBinaryCountMode)")
        return (ROW_BY_ROW if walk.row_bytes < REPEAT_BYTES else COLUMN_CHUNKS), ""
    if op in ROW_EXPAND_OPS or op == "TROWEXPANDEXPDIF":
        if walk.rows >= _ROW_EXPAND_SPLIT_ROWS and walk.valid_rows >= _ROW_EXPAND_SPLIT_ROWS:
            return OTHER, f"{op} over {walk.valid_rows} valid rows runs 240-row steps with barriers"
        per_repeat = REPEAT_BYTES // walk.elem_bytes
        if walk.row_bytes // BLOCK_BYTES > REPEAT_STRIDE_MAX or walk.valid_cols // per_repeat > walk.valid_rows:
            return _count_mode(op, "one count-mode instruction a row (useCountMode)")
        return (ROW_BY_ROW if walk.row_bytes < REPEAT_BYTES else COLUMN_CHUNKS), ""
    return OTHER, f"{op}: its walk is not read"


def _kind_or_why(op: str, kind: str) -> tuple[str, str]:
    if kind == COUNT_MODE:
        return _count_mode(op, "few repeats a row: one count-mode instruction a row (*2LCountMode)")
    return kind, (f"{op} takes a head-then-tail path (rows or row stride past one instruction's fields)"
                  if kind == OTHER else "")


def _count_mode(op: str, path: str) -> tuple[str, str]:
    """A count-mode path (``set_mask_count``) is no walk a chain may rest on: the trace records an
    instruction's element count, not the pace at which it reads and writes against 256-byte
    repeats, so that pace is not known (fail closed; see the module docstring)."""
    return OTHER, f"{op} takes {path}: the pace of a count-mode instruction is not recorded"


def walk_kind(op: str, walk: TileWalk, producing: bool,
              table: DerivedFacts | None = None) -> tuple[str, str]:
    """(kind, why) of ``op``'s walk over ``walk``: the one entry point the proof reads.

    The table derived from pto-isa's recorded trace (``derived_facts``; the shipped one unless
    ``table``) decides where it holds the op's type class: a class whose recorded points disagree
    is ``other``. Its classes group types by a few features (row bytes against 256, full or partial
    valid rows and columns, more than 255 repeats), and pto-isa's branches also test the rows
    (``_two_level``): where the hand-read walk of this very type touches other bytes per repeat
    than the table's kind, the walk is ``other`` (the sources disagree: no chain). Where the table
    has no entry, the hand-read walk (``hand_walk``) answers."""
    hand, why = hand_walk(op, walk, producing)
    facts = table if table is not None else default_facts()
    # A TROWEXPANDEXPDIF producer writes last with its TEXP(dst, dst): the table's TEXP answers.
    looked_up = "TEXP" if op == "TROWEXPANDEXPDIF" and producing else op
    entry = None
    if walk.dtype and walk.valid_in_type == walk.valid_col_in_type:
        entry = facts.class_facts(looked_up, walk.dtype, walk.layout, walk.valid_in_type, walk.rows, walk.cols,
                                  walk.valid_rows, walk.valid_cols)
    if entry is None:
        return hand, why
    source = f"the trace of pto-isa {facts.commit} ({looked_up}, {len(entry.points)} recorded type(s) of its class)"
    if entry.kind is None or entry.kind not in WALK_KINDS:
        return OTHER, f"{source} gives no one walk"
    if entry.kind == OTHER:
        return OTHER, f"{source} gives 'other'"
    if walk_pieces(entry.kind, walk) != walk_pieces(hand, walk):
        return OTHER, f"{source} gives {entry.kind}, pto-isa's code read by hand {hand}"
    return entry.kind, ""


# -- expanding a kind into the bytes of each repeat --------------------------------------------

def walk_pieces(kind: str, walk: TileWalk, piece_bytes: int = REPEAT_BYTES) -> list[tuple[int, int]] | None:
    """The byte range [lo, hi) relative to the tile's start each repeat of a ``kind`` walk over
    ``walk`` touches, in issue order (``piece_bytes`` a repeat: 256, or a TCVT source's share of
    it); None for ``other`` or a shape the kind does not describe."""
    if walk.valid_rows <= 0 or walk.valid_cols <= 0 or piece_bytes <= 0:
        return None
    valid_bytes = walk.valid_cols * walk.elem_bytes
    if valid_bytes > walk.row_bytes or walk.valid_rows > walk.rows:
        return None
    if kind == LINEAR:
        total = walk.valid_rows * valid_bytes
        return [(lo, min(lo + piece_bytes, total)) for lo in range(0, total, piece_bytes)]
    if kind == ROW_BY_ROW:
        return [(r * walk.row_bytes + lo, r * walk.row_bytes + min(lo + piece_bytes, valid_bytes))
                for r in range(walk.valid_rows) for lo in range(0, valid_bytes, piece_bytes)]
    if kind == COLUMN_CHUNKS:
        return [(r * walk.row_bytes + lo, r * walk.row_bytes + min(lo + piece_bytes, valid_bytes))
                for lo in range(0, valid_bytes, piece_bytes) for r in range(walk.valid_rows)]
    return None
