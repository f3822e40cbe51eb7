"""Effects table for the tile ops ptoas emits (A2/A3).

Source of every rule: docs/reference/pto-facts.md
  §1 argument convention (destination first) and pipes; ptoas `getEffects()` models tmp as a write.
  §2 ops whose implementation ends with an internal `pipe_barrier(PIPE_V)` (drains V).
  §2 TROWEXPAND{MUL,DIV,SUB,ADD,MAX,MIN} with non-RowMajor src1 and no tmp: `vbrcb(scratch <- src1);
     pipe_barrier; op(dst <- src0, scratch)` — a *leading* internal barrier, no trailing one.
  §2.3 hidden scratch TMP_UB_OFFSET = [184 KiB, 192 KiB) written by those no-tmp row-expand ops.

Rule for operands: the indices named in ``writes`` (destination, tmp) are written; every other
argument that resolves to a tile is read (so scalar arguments and TDIVS's two orders need no
special case). Ops not in the table are unknown: the analysis treats them as reading and writing
everything they touch.
"""
from __future__ import annotations

import os
import re
from typing import NamedTuple

from .. import regex_cache
from ..structs import Struct
from .tiles import (  # noqa: F401  (re-exported for the op effects)
    BLOCK_BYTES,
    ELEMENT_BYTES,
    HIDDEN_SCRATCH,
    REPEAT_BYTES,
    REPEAT_MAX,
    TILE_SPACES,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import ClassVar, Final

PIPE_V: Final = "PIPE_V"


class IsaFacts(Struct):
    """The facts that changed across pto-isa versions, as one checkout has them (ptofix/
    isa_version.py reads them from a checkout; docs/reference/pto-facts.md §0.1). The default is
    the union of every version: what holds whichever headers compile the kernel."""

    __slots__ = ("empty_row_reduce_drains", "tpipe_order", "tpop_stride", "described", "header_words", "checkout",
                 "stale_ops")
    empty_row_reduce_drains: bool   # TROWSUM/TROWMAX/TROWMIN drain on an empty valid shape (5a2e8553 on)
    tpipe_order: str                # its TPipe template's order (pto/tpipe.py NEW/OLD/NO_NOSPLIT), "": any
    tpop_stride: str                # a Tile-form TPOP's ring stride (tpipe.STRIDE_*), "": either
    described: str                  # what the facts are of, for the report
    # The identifiers of the headers its pto-inst.hpp reaches (pto/header_words.py); None: those of
    # every documented version (pto_header_words()).
    header_words: frozenset[str] | None
    # The checkout those words are read from ('' with header_words None): how its code calls each
    # name is read from it when asked (header_words.checkout_call_arities).
    checkout: str
    # The ops whose headers in the checkout are not those their facts (this table, the derived
    # table's walks) were read from (pto/op_sources.py): (op, the header that differs and how),
    # by op. Each is Unknown to the analysis.
    stale_ops: tuple[tuple[str, str], ...]
    _fields: ClassVar[tuple[str, ...]] = ("empty_row_reduce_drains", "tpipe_order", "tpop_stride", "described",
                                          "header_words", "checkout", "stale_ops")

    def __init__(self, empty_row_reduce_drains: bool = False, tpipe_order: str = "", tpop_stride: str = "",
                 described: str = "every pto-isa version (no --pto-isa)",
                 header_words: frozenset[str] | None = None, checkout: str = "",
                 stale_ops: tuple[tuple[str, str], ...] = ()) -> None:
        self.empty_row_reduce_drains = empty_row_reduce_drains
        self.tpipe_order = tpipe_order
        self.tpop_stride = tpop_stride
        self.described = described
        self.header_words = header_words
        self.checkout = checkout
        self.stale_ops = stale_ops

    def stale_notes(self, text: str) -> list[str]:
        """What to tell of the stale ops a kernel's ``text`` spells (as words): each read as
        Unknown, with the header that differs."""
        if not self.stale_ops:
            return []
        words = set(re.findall(r"[A-Za-z_]\w*", text))
        return [f"{op} is read as unknown, its barriers kept: its facts were read from other pto-isa code ({why})"
                for op, why in self.stale_ops if op in words]

    def stale(self, op: str) -> str:
        """Why the checkout's code of ``op`` is not the code its facts were read from ('' when it
        is, or no checkout is known)."""
        for name, why in self.stale_ops:
            if name == op:
                return why
        return ""


EVERY_VERSION: Final = IsaFacts()
# The pipes of the CCE `pipe_t` enumeration that pto-isa's A2/A3 headers and ptoas name (a flag or
# barrier on any other spelling is not read as one of them).
PIPE_NAMES: Final = frozenset(
    ["PIPE_S", "PIPE_V", "PIPE_M", "PIPE_MTE1", "PIPE_MTE2", "PIPE_MTE3", "PIPE_FIX", "PIPE_ALL"])

# When an op's implementation ends with its own pipe_barrier(PIPE_V):
NEVER: Final = "never"
ALWAYS: Final = "always"                  # every return path ends with one
ROW_REDUCE: Final = "row-reduce"          # TROWSUM/TROWMAX/TROWMIN: see row_reduce_drains
STATIC_NONEMPTY: Final = "static-nonempty"  # TCOLMAX/TCOLMIN/TCOLPROD return early (no barrier) when a valid
                                   # row/col count is 0, so only a static non-empty valid shape drains
COL_SUM: Final = "col-sum"                # TCOLSUM: see trailing_drain_holds
ARG_REDUCE: Final = "arg-reduce"          # TROWARGMAX/TROWARGMIN/TCOLARGMAX/TCOLARGMIN: see trailing_drain_holds


class OpForm(NamedTuple):
    """An overload, told apart by its argument count, whose operands play other roles than the
    op's usual form (pto_instr.hpp): its own written and tmp indices."""
    nargs: int
    writes: tuple[int, ...]
    tmp: tuple[int, ...] = ()
    struct_outputs: tuple[int, ...] = ()


class OpSpec(NamedTuple):   # immutable; a NamedTuple, not a dataclass: start-up (see ptofix/source.py)
    pipe: str                        # PIPE_V, PIPE_MTE2, ... or "by-type" (decided from tile types)
    writes: tuple[int, ...] = (0,)   # argument indices written (dst, tmp); others that are tiles are read
    tmp: tuple[int, ...] = ()        # subset of ``writes`` that are scratch (tmp) operands
    trailing_drain: str = NEVER      # implementation ends with pipe_barrier(PIPE_V) (§2), and when
    row_expand: bool = False         # TROWEXPAND* binary family (§2, §2.3, §8)
    hidden_writes: bool = False      # writes UB outside its explicit operands at an unknown place (§8)
    tmp_unbounded: bool = False      # its tmp writes may run past the tmp tile, how far unchecked (§8)
    tmp_iterated: bool = False       # its first step loops over the tmp's valid shape (§8.1)
    forms: tuple[OpForm, ...] = ()   # overloads with other operand roles, by argument count
    # A call may leave out the tmp (an overload without one at the commits the docs cite). For the
    # other ops with a tmp, a call without it is no overload of those commits but an older one's:
    # pto-isa before 404d0f36 (2026-03-13) had a TSEL(dst, mask, src0, src1) that broadcasts into
    # the hidden scratch before its first barrier (TSel.hpp), and a 3-operand TREM did the same for
    # two days of January. Such a call is Unknown (vector_cfg).
    tmp_optional: bool = False
    # The argument counts of the overloads the table describes; a call with another count is
    # Unknown (e.g. TCONCAT's index forms). Empty: any count.
    nargs: tuple[int, ...] = ()
    # Starts with pipe_barrier(PIPE_ALL) before any other work, on every path (TPRINT): a drain.
    drains_all_first: bool = False
    # Argument indices where the op takes one of pto's scalar structs by reference and may store
    # into it with the scalar unit (TMRGSORT's MrgSortExecutedNumList, STRUCT_OUTPUT_TYPES): no UB
    # access, and a value the model never knows (it reads no member of a struct).
    struct_outputs: tuple[int, ...] = ()


# TCI(dst, start) with exactly two arguments is pto-isa's scalar TCI, whatever its template
# arguments: `TCI<TileData, T, descending>(dst, start)` runs CheckValid (dst has one row of 2- or
# 4-byte elements of start's type T, static_asserts) and then a `__tf__` scalar loop that stores
# dst[i] = start + i (start - i when `descending` is non-zero) for i below dst.GetValidCol(): no
# vector instruction, no mask-mode switch, no barrier (a2a3 TCI.hpp TCI_IMPL(dst, start), the same
# at every commit of that file, 6cc68238 to 3186c381; common/event.hpp maps Op::TCI to PIPE_S). The
# other overload, TCI(dst, start, tmp, events...), needs a third argument, and the scalar one's
# trailing `events...` are flags ptoas does not print: only a 2-argument call is certainly the
# scalar form. docs/reference/pto-facts.md §8 "TCI".
SCALAR_TCI: Final = "TCI"
SCALAR_TCI_NARGS: Final = 2
SCALAR_TCI_ROWS: Final = 1
SCALAR_TCI_ELEMENT_BYTES = (2, 4)
# The template argument that chooses the descending fill (its third).
SCALAR_TCI_DESCENDING_ARG: Final = 2


def scalar_tci_accepts(rows: int | None, elem_bytes: int | None) -> bool:
    """Whether TCI(dst, start) compiles for a dst of ``rows`` rows of ``elem_bytes``-byte elements
    (TCI.hpp CheckValid; that start's type is dst's element type is its other static_assert)."""
    return rows == SCALAR_TCI_ROWS and elem_bytes in SCALAR_TCI_ELEMENT_BYTES


def scalar_tci_values(start: int, count: int, descending: bool) -> list[int]:
    """The values TCI(dst, start) stores into dst's first ``count`` elements of row 0, before their
    conversion to dst's element type (which wraps them): start + i, or start - i descending."""
    step = -1 if descending else 1
    return [start + step * index for index in range(max(count, 0))]


def _specs() -> dict[str, OpSpec]:
    table: dict[str, OpSpec] = {}
    elementwise = ["TADD", "TSUB", "TMUL", "TDIV", "TMAX", "TMIN", "TAND", "TOR", "TSHL", "TSHR", "TFMOD",
                   "TADDS", "TSUBS", "TMULS", "TDIVS", "TMAXS", "TMINS", "TANDS", "TORS", "TSHLS", "TSHRS", "TFMODS",
                   "TEXP", "TLOG", "TSQRT", "TRECIP", "TABS", "TNEG", "TRELU", "TNOT",
                   "TEXPANDS", "TCMP", "TCMPS",
                   "TROWEXPAND", "TCOLEXPAND", "TCOLEXPANDMUL", "TCOLEXPANDADD", "TCOLEXPANDDIV",
                   "TCOLEXPANDSUB", "TCOLEXPANDEXPDIF", "TCOLEXPANDMAX", "TCOLEXPANDMIN",
                   "TAXPY"]
    for name in elementwise:
        table[name] = OpSpec(PIPE_V)
    # TFILLPAD / TFILLPAD_INPLACE copy src to d and pad d with count-mode vcopy instructions whose
    # repeat stride is a row of d: a count past one row runs on into the rows after d's end, and the
    # row count is not the instruction's (TFillPad.hpp): unknown UB bytes unless pto/count_mode.py
    # bounds them from static shapes.
    for name in ("TFILLPAD", "TFILLPAD_INPLACE"):
        table[name] = OpSpec(PIPE_V, hidden_writes=True)
    # TCVT(dst, src, rmode, satmode) (v0.45) or TCVT(dst, src[, tmp], rmode[, sat]) (older emitters):
    # a tile in position 2 is a tmp, written, and (fp32 -> int16 without saturation) past its end.
    table["TCVT"] = OpSpec(PIPE_V, writes=(0, 2), tmp=(2,), tmp_unbounded=True, tmp_optional=True)
    # Ops whose tmp operand (always a write per ptoas getEffects) sits at a fixed index.
    table["TROWPROD"] = OpSpec(PIPE_V, writes=(0, 2), tmp=(2,))
    # (dst, src, tmp) or (dstVal, dstIdx, src, tmp); the tmp row of every valid source row (TROW*)
    # or a fixed 512/768 bytes (TCOL*) is written, whatever the tmp's own size.
    for name in ("TROWARGMAX", "TROWARGMIN", "TCOLARGMAX", "TCOLARGMIN"):
        table[name] = OpSpec(PIPE_V, writes=(0, 2), tmp=(2,), tmp_unbounded=True, trailing_drain=ARG_REDUCE,
                             forms=(OpForm(4, (0, 1, 3), (3,)),))
    for name in ("TROWSUM", "TROWMAX", "TROWMIN"):
        table[name] = OpSpec(PIPE_V, writes=(0, 2), tmp=(2,), trailing_drain=ROW_REDUCE)
    table["TCOLMAX"] = OpSpec(PIPE_V, trailing_drain=STATIC_NONEMPTY)
    table["TCOLMIN"] = OpSpec(PIPE_V, trailing_drain=STATIC_NONEMPTY)
    # TCOLPROD (pto-isa 4451a410 on, the commit that adds it) runs the same ColReduceInstr (§2).
    table["TCOLPROD"] = OpSpec(PIPE_V, trailing_drain=STATIC_NONEMPTY)
    # TCOLSUM(dst, src) / TCOLSUM(dst, src, tmp, isBinary) (§2).
    table["TCOLSUM"] = OpSpec(PIPE_V, writes=(0, 2), tmp=(2,), trailing_drain=COL_SUM, tmp_optional=True)
    for name in ("TROWEXPANDMUL", "TROWEXPANDDIV", "TROWEXPANDSUB", "TROWEXPANDADD", "TROWEXPANDMAX",
                 "TROWEXPANDMIN", "TROWEXPANDEXPDIF"):
        # The 4-operand form broadcasts ceil(validRow/8) * 256 bytes into its tmp, unchecked.
        table[name] = OpSpec(PIPE_V, writes=(0, 3), tmp=(3,), row_expand=True, tmp_unbounded=True,
                             tmp_optional=True)
    table["TRSQRT"] = OpSpec(PIPE_V, writes=(0, 2), tmp=(2,), tmp_optional=True)    # TRSQRT(d, s[, tmp])
    table["TSEL"] = OpSpec(PIPE_V, writes=(0, 4), tmp=(4,))
    table["TSELS"] = OpSpec(PIPE_V, writes=(0, 3), tmp=(3,))
    # TXOR starts with TOR(tmp, src0, src1) (TXor.hpp): tmp's valid shape bounds the walk of both
    # sources; TXORS ends with TAND(dst, dst, tmp) (TBitwiseSOp.hpp), walking tmp by dst's. That
    # the two agree is only a PTO_ASSERT.
    for name in ("TXOR", "TXORS"):
        table[name] = OpSpec(PIPE_V, writes=(0, 3), tmp=(3,), tmp_iterated=True)
    # TPRELU's TCMPS writes a mask row into tmp for each of dst's valid rows and its final vsel reads
    # past them (TPrelu.hpp; tmp having more rows than dst is only a PTO_ASSERT).
    table["TPRELU"] = OpSpec(PIPE_V, writes=(0, 3), tmp=(3,), tmp_unbounded=True)
    # int32 data is converted to float in place in its sources first (TRem.hpp, TRemS.hpp), and
    # TREM's mask goes at tmp + dst.RowStride elements.
    table["TREM"] = OpSpec(PIPE_V, writes=(0, 1, 2, 3), tmp=(3,), tmp_unbounded=True)
    # TREMS's float path fills tmp over dst's valid columns (vector_dup under a count mask,
    # TRemS.hpp); tmp having that many is only a PTO_ASSERT.
    table["TREMS"] = OpSpec(PIPE_V, writes=(0, 1, 3), tmp=(3,), tmp_unbounded=True)
    # TTRANS(dst, src, tmp): ptoas models tmp as written; its internals are not in our notes, so it
    # is also taken to write UB outside its operands (fail closed).
    table["TTRANS"] = OpSpec(PIPE_V, writes=(0, 2), tmp=(2,), hidden_writes=True)
    # TSORT32(dst, src, idx[, tmp]): per valid row of dst, vbitsort sorts src's 32-element blocks
    # with idx's indices into 8-byte (value, index) pairs of dst, a pipe_barrier(PIPE_V) after each;
    # the tmp form copies a row with a tail into tmp and pads it first. idx is only read (its
    # `__in__` parameter; pto_instr.hpp's role string "OIOI" also calls the written tmp an input).
    # How far each operand is walked: sort32_reach; the trailing barrier: sort32_drains (§8 "TSORT32").
    table["TSORT32"] = OpSpec(PIPE_V, writes=(0, 3), tmp=(3,), tmp_optional=True, nargs=(3, 4))
    # ptoas models TGATHER's tmp as a read, but its compare form also writes a conversion buffer
    # past the tmp tile, outside every explicit operand (§8): treated as writing unknown UB bytes
    # (the mask-pattern form's bytes are computed by pto/count_mode.py).
    # (dst, src, indices) reads; (dst, src0, indices, tmp) writes tmp for 16-bit data; the compare
    # form (dst, src0, k, cdst, tmp, offset) writes cdst and tmp.
    table["TGATHER"] = OpSpec(PIPE_V, hidden_writes=True,
                              forms=(OpForm(4, (0, 3), (3,)), OpForm(6, (0, 3, 4), (4,))))
    # TCONCAT(dst, src0, src1): UB-to-UB copies (copy_ubuf_to_ubuf, PIPE_V) of src0's valid columns
    # and then src1's into each of dst's valid rows, by 32-byte blocks; src1's part goes through the
    # scalar unit when src0's valid columns are not whole blocks (TConcat.hpp; §8 "TCONCAT"). How far
    # each operand is walked: concat_row_bytes. Its index forms (5 and 6 operands) read index counts
    # from UB with the scalar unit: not modelled.
    table["TCONCAT"] = OpSpec(PIPE_V, nargs=(3,))
    # TPARTARGMAX/TPARTARGMIN(dst, src0, src1, dstIdx, src0Idx, src1Idx): compare and select, then
    # block copies of the larger source's rows or columns, each operand at its own row pitch and no
    # further than the largest valid shape among them; internal barriers, none trailing on every
    # path (TPartArgOp.hpp; §8 "TPARTARGMAX"). Values and indices of different element sizes:
    # unknown bytes (vector_cfg).
    for name in ("TPARTARGMAX", "TPARTARGMIN"):
        table[name] = OpSpec(PIPE_V, writes=(0, 3), nargs=(6,))
    # TMRGSORT<..., exhausted>(dst, executedNumList, tmp, src0, src1[, src2[, src3]]) merges 2 to 4
    # sorted lists of 8-byte (value, index) pairs into tmp, drains PIPE_V, then copies tmp to dst by
    # whole 32-byte blocks (UB to UB, PIPE_V; no barrier after it); with `exhausted` it first waits
    # for V on S and stores the executed counts into the struct. TMRGSORT(dst, src, blockLen) merges
    # src's blocks of blockLen elements four at a time straight into dst. How many bytes each part
    # reaches: mrgsort_list_bytes, mrgsort_copy_bytes, mrgsort_single_bytes (§8 "TMRGSORT").
    table["TMRGSORT"] = OpSpec(PIPE_V, writes=(0, 2), tmp=(2,), nargs=(3, 5, 6, 7), struct_outputs=(1,),
                               forms=(OpForm(3, (0,)),))
    # TSCATTER(dst, src, idx) zeroes dst with a vector_dup, then stores src's elements with the
    # scalar unit at the element indices idx holds: anywhere in UB (TScatter.hpp). Its mask-pattern
    # form TSCATTER<mask>(dst, src): not modelled.
    table["TSCATTER"] = OpSpec(PIPE_V, hidden_writes=True, nargs=(3,))
    # TPRINT(tile) begins with pipe_barrier(PIPE_ALL), then reads the tile with scalar loads and
    # printf's into a GM buffer: no vector work (TPrint.hpp; §8 "TPRINT"). Its tmp form: not modelled.
    table["TPRINT"] = OpSpec("PIPE_S", writes=(), nargs=(1,), drains_all_first=True)
    # SYNCALL() (hard mode): cross-core flags between pipe_barrier(PIPE_ALL) and its return, or nothing
    # at all under __PTO_AUTO__ (SyncAll.hpp): no UB access and no vector work; no drain counted. The
    # soft forms with a GM workspace: not modelled.
    table["SYNCALL"] = OpSpec("PIPE_S", writes=(), nargs=(0,))
    # TCI(dst, start), the two-operand form: a scalar loop on PIPE_S that fills row 0 of dst (see
    # SCALAR_TCI_NARGS). Its tmp form TCI(dst, start, tmp) runs vector code that may return in count
    # mode: not modelled (a call of it is Unknown, and its name a count-mode name).
    table["TCI"] = OpSpec("PIPE_S", nargs=(SCALAR_TCI_NARGS,))
    # Data movement between memories; pipe depends on tile types (§1).
    table["TMOV"] = OpSpec("by-type")
    # TEXTRACT(dst0, dst1, src, r0, c0, r1, c1) writes both destinations (TEXTRACT_ND2XNZ).
    table["TEXTRACT"] = OpSpec("by-type", forms=(OpForm(7, (0, 1)),))
    table["TINSERT"] = OpSpec("by-type")
    table["TLOAD"] = OpSpec("PIPE_MTE2")
    table["TSTORE"] = OpSpec("by-type", writes=())
    table["TMATMUL"] = OpSpec("PIPE_M")
    table["TMATMUL_ACC"] = OpSpec("PIPE_M")
    table["TMATMUL_BIAS"] = OpSpec("PIPE_M")
    return table


OPS: Final[dict[str, OpSpec]] = _specs()

def trailing_drain_holds(op: str, has_tmp: bool, src_dtype: str | None, dst_valid: tuple[int, int] | None,
                         src_valid: tuple[int, int] | None) -> bool:
    """Whether a call of ``op`` ends with its own pipe_barrier(PIPE_V) after its last vector
    instruction, for the drain kinds decided by operand shapes (ROW_REDUCE has row_reduce_drains).
    ``dst_valid``/``src_valid``: the destination's and the source's valid (rows, cols) when known
    (statically for the proof, at run time for the simulator), else None (docs/reference/
    pto-facts.md §2):
    * STATIC_NONEMPTY: both known and non-empty (an empty one returns before any barrier).
    * COL_SUM: with a tmp, as STATIC_NONEMPTY; without one, src has at least 2 valid rows and a
      valid column (one row is a single copy with no barrier after it).
    * ARG_REDUCE, TROWARG*: src has a valid row (every path's last vector instruction is followed
      by a barrier; with no row the multi-repeat paths issue nothing). TCOLARG*: src has a valid
      column and 4-byte elements (TColReduceIdx.hpp ends every column block with a barrier; the
      TColArgMax.hpp pto-isa built with for two days in March 2026 ends its 2-byte path with a
      conversion and no barrier)."""
    kind = OPS[op].trailing_drain if op in OPS else NEVER
    if kind == ALWAYS:
        return True
    if kind == STATIC_NONEMPTY or kind == COL_SUM and has_tmp:
        return dst_valid is not None and src_valid is not None and min(*dst_valid, *src_valid) >= 1
    if src_valid is None:
        return False
    if kind == COL_SUM:
        return src_valid[0] >= 2 and src_valid[1] >= 1
    if kind == ARG_REDUCE and op.startswith("TROW"):
        return src_valid[0] >= 1
    if kind == ARG_REDUCE:
        return ELEMENT_BYTES.get(src_dtype or "") == 4 and src_valid[1] >= 1
    return False


# How far an op walks each operand. pto-isa's vector ops take one loop bound for all operands (dst's
# valid shape for unary and binary ops, TUnaryOp.hpp / TAdd.hpp; src0's valid rows for TCMP, TCmp.hpp)
# and only PTO_ASSERT that the other operands agree, which compiles to nothing without _DEBUG: an
# operand smaller than the iterated shape is walked past its own tile. Roles, by argument index:
#   FULL  every iterated row and column, at the operand's own row pitch (the default);
#   ROW   one element per iterated row (a row reduction's dst, a row broadcast's source);
#   COL   one element per iterated column (a column reduction's dst, a column broadcast's source);
#   MASK  one bit per iterated element: ceil(cols / 8) bytes per iterated row at its own pitch;
#   the broadcast source of TROWEXPAND*/TCOLEXPAND* binary ops is src1 only when src0 provably has
#   dst's shape and valid shape (TRowExpandBinOp.hpp and TColExpandBinOp.hpp compare the valid
#   shapes at run time and may walk src1 in full); otherwise both sources are walked in full.
# The iterated shape is the largest valid shape among the FULL operands. Ops with operands of other
# shapes by design (TEXTRACT/TINSERT windows, TTRANS, TGATHER) are bounded elsewhere or unknown.
FULL: Final = "full"
ROW: Final = "row"
COL: Final = "col"
MASK: Final = "mask"
_ROW_REDUCE = ("TROWSUM", "TROWMAX", "TROWMIN", "TROWPROD", "TROWARGMAX", "TROWARGMIN")
_COL_REDUCE = ("TCOLSUM", "TCOLMAX", "TCOLMIN", "TCOLPROD", "TCOLARGMAX", "TCOLARGMIN")
SHAPED_ELSEWHERE: Final = frozenset({"TEXTRACT", "TINSERT", "TTRANS", "TGATHER", "TCONCAT", "TMRGSORT", "TSORT32"})
# The broadcast binary TCOLEXPAND ops walk their full source(s) at dst's row pitch in pto-isa
# before 9b6f43c9 ("TColExpandOP support different rowstride", 2026-06-27), b9122ec5 (the commit
# the DSL flash-attention README calls verified) and 14f761c8 among them: one offset `i * RowStride`
# of dst for dst and src0 (TColExpandBinOp.hpp). Later commits step each by its own pitch. A kernel
# may be built against either, so a full source whose row pitch differs from dst's is read at an
# unknown place.
WALKED_AT_DST_ROW_PITCH: Final = frozenset({"TCOLEXPANDMUL", "TCOLEXPANDADD", "TCOLEXPANDDIV", "TCOLEXPANDSUB",
                                     "TCOLEXPANDEXPDIF", "TCOLEXPANDMAX", "TCOLEXPANDMIN"})
# The same ops read every source as dst's element type: TColExpandBinOp.hpp casts each source
# pointer to dst's `T` and steps the broadcast row by dst's elements per repeat, and nothing
# checks the sources' types (the public wrappers take three independent tile types), at 14f761c8,
# b9122ec5 and 3186c381 alike. A `half` broadcast row of 64 columns under a `float` dst is read as
# 256 bytes, twice its tile. A source whose element size differs from dst's is read at unknown bytes.
SOURCES_READ_AS_DST_TYPE: Final = WALKED_AT_DST_ROW_PITCH


def operand_walks(op: str, nargs: int, same_shape_as_dst: dict[int, bool]) -> dict[int, str]:
    """Role of each argument index that is not FULL (see above). ``same_shape_as_dst``: for the
    sources of the broadcast binary ops, whether the operand provably has dst's rows, cols and
    valid shape."""
    if op in _ROW_REDUCE:
        return {0: ROW, 1: ROW} if nargs == 4 and op.endswith(("ARGMAX", "ARGMIN")) else {0: ROW}
    if op in _COL_REDUCE:
        return {0: COL, 1: COL} if nargs == 4 and op.endswith(("ARGMAX", "ARGMIN")) else {0: COL}
    if op in ("TCMP", "TCMPS"):
        return {0: MASK}
    if op in ("TSEL", "TSELS"):
        return {1: MASK}
    if op == "TROWEXPAND":
        return {1: ROW}
    if op == "TCOLEXPAND":
        return {1: COL}
    row = op.startswith("TROWEXPAND")
    if (row or op.startswith("TCOLEXPAND")) and same_shape_as_dst.get(1) and not same_shape_as_dst.get(2):
        # src0 is provably the full source: src1 is the broadcast one. Otherwise pto-isa may take
        # either as the full source (both are walked in full).
        return {2: ROW if row else COL}
    return {}


# The bytes msSanitizer counts as read from each row of TSELS's mask: pto-isa a2a3 TSels.hpp (at
# f35e7f60) issues one `vsel(dst_row, src_row, mask_row, 1, 1, 1, 1, 8, 8, 8,
# VSEL_TENSOR_SCALAR_MODE)` a valid row in count mode, the mask row at `maskPtr + i *
# MaskTile::RowStride` (Cols elements of a RowMajor mask, one element of a ColMajor one). For
# mode 1 msSanitizer records the mask (vsel's src1) as one block of 16 bytes (half data) or 8
# bytes (float) a repeat, block stride 0, repeat stride 1, the vsel's own repeat count (1)
# (Ascend/mssanitizer csrc/plugin/ccec/calc_instructions/vsel.cpp RecordVselOpFunc, the same
# since its first commit de7a5dd), and ParseRecordVsel (csrc/core/framework/record_parse.cpp)
# keeps that block out of the count-mode split: 16 or 8 bytes a row whatever the valid columns,
# [addr, addr + blockSize) by SplitMem (csrc/race_sanitizer/alg_framework/mem_event_checker.cpp).
# The union with the bits pto-isa asks for (one a valid column) is the default (the larger
# footprint). TSEL selects in mode 2, where the mask's address is a value in the tmp
# (vector_dup, set_cmpmask): msSanitizer reads 8 bytes at the tmp (RecordCmpMaskLoad) and none of
# the mask, so its mask reads are the bits alone. (TSELS's CMPMASK load, sizeof(T) bytes at the
# tmp, and TSEL's lie in the tmp tile, an operand both ops write.)
SANITIZER_SELECT_MASK_BLOCK: Final = {2: 16, 4: 8}


# The bytes of each row of a compare's mask destination the trace and msSanitizer count as written.
# pto-isa a2a3 (f35e7f60) TCmp.hpp issues one `vcmpv_*(dst_row, src0_row, src1_row, R, 1, 1, 8, 8)`
# a valid row, R = ceil(validCol / (256 / sizeof(src))) repeats, the row at `dst + i * MaskTile::Cols`;
# TCmps.hpp one `vcmpvs_*(dst_row, src_row, scalar, R, 1, 1, 8, 8)` the same way: a destination repeat
# stride of 8 (COMPARE_DST_REPEAT_STRIDE). msSanitizer records vcmpv's dst as one block of 16 bytes
# (half sources) or 8 (float, int32) a repeat, at repeat stride dstRepeatStride, unmasked
# (Ascend/mssanitizer csrc/plugin/ccec/calc_instructions/vcmpv.cpp, RecordBinaryOpFunc(..., 1, 8, 8,
# 16 | 8, 32, 32, false)): repeat r at r * 8 * that block, past the row's own bits when R > 1; vcmpvs's
# as the same blocks at repeat stride 1 (vcmpvs.cpp RecordUnaryOpFunc(..., 1, srcBlockStride, 1,
# srcRepeatStride, 1, 8, 16 | 8, 32, false)): packed. The trace judge (ptofix/trace/footprint.py, the
# contract) also takes the stride in 32-byte blocks (a block at r * 8 * 32) for both. compare_row_bytes
# is the largest of these readings.
COMPARE_DST_REPEAT_STRIDE: Final = 8
COMPARE_SOURCE_BYTES: Final = frozenset({2, 4})


def compare_row_bytes(valid_cols: int, src_elem_bytes: int | None) -> int | None:
    """How many bytes from the start of each of its rows a TCMP/TCMPS of ``valid_cols`` columns of
    ``src_elem_bytes``-byte sources may write into its mask (see COMPARE_DST_REPEAT_STRIDE): the
    bits, msSanitizer's vcmpv and vcmpvs blocks, and the trace's 32-byte block a repeat, whichever
    reaches furthest. None for a source element size the compares do not take."""
    if src_elem_bytes not in COMPARE_SOURCE_BYTES:
        return None
    bits = -(-valid_cols // 8)
    per_repeat = REPEAT_BYTES // src_elem_bytes
    repeats = -(-valid_cols // per_repeat)
    if repeats <= 0:
        return 0
    block = per_repeat // 8                # msSanitizer's vcmpv/vcmpvs dst block: one repeat's bits
    vcmpv = (repeats - 1) * COMPARE_DST_REPEAT_STRIDE * block + block
    vcmpvs = repeats * block
    trace = (repeats - 1) * COMPARE_DST_REPEAT_STRIDE * BLOCK_BYTES + BLOCK_BYTES
    return max(bits, vcmpv, vcmpvs, trace)


def mask_row_bytes(op: str, valid_cols: int, elem_bytes: int | None) -> int | None:
    """How many bytes from the start of each iterated row of its mask operand a call of ``op``
    (TSEL, TSELS, TCMP, TCMPS) may touch: one bit a valid column; for TCMP/TCMPS (``elem_bytes``:
    the compared sources' element size) compare_row_bytes; for TSELS (``elem_bytes``: dst's) at
    least msSanitizer's block (SANITIZER_SELECT_MASK_BLOCK; None when that size is not one
    pto-isa's TSELS takes)."""
    bits = -(-valid_cols // 8)
    if op in ("TCMP", "TCMPS"):
        return compare_row_bytes(valid_cols, elem_bytes)
    if op != "TSELS":
        return bits
    block = SANITIZER_SELECT_MASK_BLOCK.get(elem_bytes or 0)
    return None if block is None else max(bits, block)


# Operands msSanitizer reads with no mask (Ascend/mssanitizer at ffce6d2be195,
# csrc/core/framework/record_parse.cpp MaskNormalProcess): an operand of 1-byte elements, and an
# operand whose repeat is not 8 blocks, i.e. a conversion's narrower side (TCVT: the instruction runs
# ``256 / max(element sizes)`` elements a repeat, so the narrower operand's repeat is fewer blocks).
# Each of its repeats then counts whole, whatever the valid columns: a row's last repeat may pass
# the row, and the last row's may pass the tile's end. The hardware's mask keeps the op inside the
# valid columns; the default race model is msSanitizer's (pto/race_model.py), so its bytes count.
# TCVT's vconv takes the tiles' own element types (vconv_f322bf16r, vconv_f162s8r). An op on
# 1-byte tiles is taken to issue 1-byte instructions unless pto-isa's trace shows otherwise:
# these issue 16-bit ones at f35e7f60 (TAnd.hpp/TOr.hpp cast to uint16_t, TEXPANDS and TROWEXPAND
# run vector_dup on 16-bit data; tests/trace/test_unmasked_operands_trace.py checks the trace).
SIXTEEN_BIT_ON_BYTE_TILES: Final = frozenset({"TAND", "TOR", "TEXPANDS", "TROWEXPAND"})


def unmasked_repeat_bytes(op: str, size: int, widest: int) -> int | None:
    """The bytes of one repeat of a ``size``-byte operand of ``op`` that msSanitizer reads unmasked
    (``widest``: the largest element size among the op's walked operands), or None when it applies
    the mask to that operand."""
    if op == "TCVT" and 0 < size < widest:
        return REPEAT_BYTES // widest * size
    if size == 1 and op not in SIXTEEN_BIT_ON_BYTE_TILES:
        return REPEAT_BYTES // max(widest, 1) * size
    return None


def unmasked_reach(rows: int, cols: int, pitch: int, size: int, repeat_bytes: int) -> int:
    """How many bytes from a row-major operand's start msSanitizer reads over ``rows`` x ``cols``
    iterated elements, rows ``pitch`` bytes apart, each repeat ``repeat_bytes`` unmasked
    (unmasked_repeat_bytes): the larger of a walk row by row (pto-isa's TCvtHead: one instruction a
    row) and one run over ``rows * cols`` elements (a contiguous walk with a masked tail)."""
    if rows <= 0 or cols <= 0:
        return 0
    per_repeat = repeat_bytes // size
    by_row = (rows - 1) * pitch + -(-cols // per_repeat) * repeat_bytes
    linear = -(-(rows * cols) // per_repeat) * repeat_bytes
    return max(by_row, linear)


def concat_row_bytes(elem_bytes: int, valid_col0: int, valid_col1: int) -> tuple[int, int, int]:
    """How many bytes from the start of each of dst's valid rows TCONCAT(dst, src0, src1) may read
    of src0 and of src1 and write of dst (pto-isa a2a3 TConcat.hpp; every row at its operand's own
    row pitch, over dst's valid rows). src0's valid columns are copied as whole 32-byte blocks;
    src1's are copied as whole blocks to column ``valid_col0`` of dst when that column starts a
    block, else element by element. Before pto-isa 4be01306 (2026-06-17; b9122ec5 among them)
    src1's copy took src0's block count, so the union of both is taken."""
    blocks0 = -(-valid_col0 * elem_bytes // BLOCK_BYTES) * BLOCK_BYTES
    blocks1 = max(-(-valid_col1 * elem_bytes // BLOCK_BYTES) * BLOCK_BYTES, blocks0)
    return blocks0, blocks1, max(blocks0, valid_col0 * elem_bytes + blocks1)


def spec_for(op: str, nargs: int) -> OpSpec | None:
    """The effects of a call of ``op`` with ``nargs`` arguments (its overload's roles)."""
    spec = OPS.get(op)
    if spec is not None:
        for form in spec.forms:
            if form.nargs == nargs:
                return spec._replace(writes=form.writes, tmp=form.tmp, struct_outputs=form.struct_outputs)
    return spec


# pto's structs an op stores into (OpSpec.struct_outputs), and that op: an aggregate of four
# uint16_t with no constructor or destructor (pto_instr.hpp at 3186c381).
STRUCT_OUTPUT_TYPES: Final = {"MrgSortExecutedNumList": "TMRGSORT"}


def struct_output_type(type_name: str) -> bool:
    """Whether ``type_name``, as written (``MrgSortExecutedNumList``, ``pto::...``, ``::pto::...``),
    names one of STRUCT_OUTPUT_TYPES."""
    return type_name.removeprefix("::").removeprefix("pto::") in STRUCT_OUTPUT_TYPES


MRGSORT_PAIR_BYTES: Final = 8      # one (value, index) pair of vmrgsort4: a float and its index, or a half,
                                   # 2 bytes of padding and its index (TMrgSort.hpp STRUCTSIZE)
MRGSORT_LISTS: Final = 4           # vmrgsort4 merges at most four lists (TMrgSort.hpp BLOCK_NUM)
MRGSORT_MAX_PAIRS: Final = 0xFFFF  # each list's pair count is a 16-bit field of the count word (VMS4_SR)
MRGSORT_ELEMENT_BYTES: Final = frozenset({2, 4})   # half or float (TMrgSort.hpp CheckStatic)


def mrgsort_list_bytes(elem_bytes: int, valid_cols: int) -> int | None:
    """The bytes TMRGSORT's multi-list form reads of one source list from its start: its valid
    columns as (value, index) pairs, 2 floats or 4 halves a pair (`GetValidCol() >> ELE_NUM_SHIFT`
    pairs, TMrgSort.hpp TMRGSORT_IMPL); the merge's write into tmp is the sum over the lists. None
    for another element size, or a pair count past its 16-bit field (it would spill into the next
    list's count)."""
    if elem_bytes not in MRGSORT_ELEMENT_BYTES or valid_cols < 0:
        return None
    pairs = valid_cols >> (1 if elem_bytes == 4 else 2)
    return pairs * MRGSORT_PAIR_BYTES if pairs <= MRGSORT_MAX_PAIRS else None


def mrgsort_copy_bytes(elem_bytes: int, dst_valid_cols: int) -> int:
    """The bytes TMRGSORT's multi-list form copies from tmp to dst after its internal barrier:
    dst's valid columns as whole 32-byte blocks, one burst from each start (TMrgSort.hpp MovUb2Ub),
    however many pairs the merge wrote and whatever the sizes of tmp and dst."""
    return -(-dst_valid_cols * elem_bytes // BLOCK_BYTES) * BLOCK_BYTES


def mrgsort_single_repeats(elem_bytes: int, src_valid_cols: int, block_len: int) -> tuple[int, int] | None:
    """(repeats, pairs per block) of TMRGSORT(dst, src, blockLen): `repeatTimes = srcValidCol /
    (blockLen * 4)` (a uint8_t) repeats, each merging four consecutive blocks of
    `blockLen * sizeof(T) / 8` pairs from src into dst and moving both on by them (TMrgSort.hpp;
    pto-isa's CPU model walks the same groups). None where that is not pinned down: another
    element size, blockLen * 4 of 0 as a uint32_t (a division by zero), no repeat at all or
    blocks of no pair (what vmrgsort4 does with a count of 0 is not documented), or a pair count
    past its 16-bit field. The divisibility the header asks for is only a PTO_ASSERT: the whole
    repeats count."""
    if elem_bytes not in MRGSORT_ELEMENT_BYTES or src_valid_cols < 0:
        return None
    block_len &= 0xFFFFFFFF     # (a uint32_t parameter)
    group = (block_len * MRGSORT_LISTS) & 0xFFFFFFFF
    if group == 0:
        return None
    repeats = (src_valid_cols // group) & 0xFF
    pairs = ((block_len * elem_bytes) >> 3) & 0xFFFFFFFF
    if repeats == 0 or pairs == 0 or pairs > MRGSORT_MAX_PAIRS:
        return None
    return repeats, pairs


def mrgsort_single_bytes(elem_bytes: int, src_valid_cols: int, block_len: int) -> int | None:
    """The bytes TMRGSORT(dst, src, blockLen) reads of src and writes of dst, from each start
    (mrgsort_single_repeats); None where that is not pinned down."""
    shape = mrgsort_single_repeats(elem_bytes, src_valid_cols, block_len)
    if shape is None:
        return None
    return shape[0] * MRGSORT_LISTS * shape[1] * MRGSORT_PAIR_BYTES

# TSORT32 (pto-isa a2a3 TSort32.hpp at f35e7f60, the same but for formatting at 3186c381, b9122ec5 and
# 14f761c8, and back to 6cc68238 but for SORT32_TMP_MAX_COLS;
# https://github.com/hw-native-sys/pto-isa/blob/f35e7f60/include/pto/npu/a2a3/TSort32.hpp; the
# recorded cost-model trace agrees: tests/pto/test_trace_agrees_with_facts.py). One vbitsort repeat
# sorts SORT32_BLOCK source elements with as many uint32 indices into as many 8-byte pairs (the
# header steps dst by 32 * 8 / sizeof(T) elements a repeat; its CPU model writes 8 bytes a pair).
SORT32_BLOCK: Final = 32
SORT32_PAIR_BYTES: Final = 8
SORT32_INDEX_BYTES: Final = 4                      # idx is uint32_t (CheckStatic)
SORT32_ELEMENT_BYTES: Final = frozenset({2, 4})    # half or float (CheckStatic)
SORT32_MAX_REPEATS: Final = REPEAT_MAX             # more repeats a row split into several vbitsort
# A row with a tail takes the copy-and-pad path up to MAX_UB_TMP (32 * 255) valid columns since pto-isa
# 6c4f75d3 (2026-03-02); before it, up to MAX_UB_TMP / 4 whatever the element type (`srcShapeBytesPerRow *
# sizeof(float) / sizeof(T) <= MAX_UB_TMP`). Past the bound both take LargeTmpBufferImpl (not modelled).
SORT32_TMP_MAX_COLS: Final = 32 * 255 // 4


class Sort32Reach(NamedTuple):
    """The bytes TSORT32 touches: each of ``rows`` rows (dst's valid rows) of dst, src and idx at
    its pitch from the operand's start, as many bytes from the row's start as said; tmp from its
    start (0: unused). An idx pitch of 0: idx's one valid row is read for every row."""
    rows: int
    dst_pitch: int
    src_pitch: int
    idx_pitch: int
    dst_bytes: int      # written
    src_bytes: int      # read
    idx_bytes: int      # read
    tmp_bytes: int      # written (the copy and the pad), then read by the sort


def _block_pitch(row_bytes: int) -> int:
    return -(-row_bytes // BLOCK_BYTES) * BLOCK_BYTES


def sort32_reach(elem_bytes: int, has_tmp: bool, dst_valid_rows: int, src_valid_cols: int, idx_valid_rows: int,
                 row_bytes: tuple[int, int, int]) -> Sort32Reach | None:
    """What TSORT32(dst, src, idx[, tmp]) touches for these valid dimensions and the row pitches
    ``row_bytes`` (RowStride * element size) of dst, src and idx; None where the model does not
    follow it. TSORT32_IMPL takes R = srcValidCol / 32 repeats a row:
    * no tmp, or a tmp and no tail (srcValidCol % 32 == 0): vbitsort(dst row, src row, idx row, R)
      per row; R = 0 (what vbitsort does with no repeat is not documented) or R > 255 (a row in
      several instructions): not followed;
    * a tmp and a tail: per row, copy_ubuf_to_ubuf of ceil(srcValidCol * size / 32) blocks of the
      src row to tmp, vector_dup of the padding (-NaN) over the rest of the last block in tmp,
      vbitsort(dst row, tmp, idx row, R + 1); pitches rounded up to 32 bytes. Past
      SORT32_TMP_MAX_COLS columns it may run LargeTmpBufferImpl: not followed.
    idx's pitch is 0 when idx has one valid row. Nothing checks dst's, idx's or tmp's size."""
    if elem_bytes not in SORT32_ELEMENT_BYTES or min(dst_valid_rows, src_valid_cols, idx_valid_rows) < 0:
        return None
    if dst_valid_rows == 0:
        return Sort32Reach(0, 0, 0, 0, 0, 0, 0, 0)
    pitches = [_block_pitch(n) for n in row_bytes] if has_tmp else list(row_bytes)
    tail = src_valid_cols % SORT32_BLOCK
    if has_tmp and tail:
        if src_valid_cols > SORT32_TMP_MAX_COLS:
            return None
        repeats = src_valid_cols // SORT32_BLOCK + 1
        src_bytes = _block_pitch(src_valid_cols * elem_bytes)
        tmp_bytes = repeats * SORT32_BLOCK * elem_bytes
    else:
        repeats = src_valid_cols // SORT32_BLOCK
        if not 1 <= repeats <= SORT32_MAX_REPEATS:
            return None
        src_bytes, tmp_bytes = repeats * SORT32_BLOCK * elem_bytes, 0
    idx_pitch = 0 if idx_valid_rows == 1 else pitches[2]
    return Sort32Reach(dst_valid_rows, pitches[0], pitches[1], idx_pitch, repeats * SORT32_BLOCK * SORT32_PAIR_BYTES,
                       src_bytes, repeats * SORT32_BLOCK * SORT32_INDEX_BYTES, tmp_bytes)


def sort32_row_intervals(base: int, rows: int, pitch: int, nbytes: int) -> list[tuple[int, int]]:
    """The byte ranges [lo, hi) of ``rows`` rows of ``nbytes`` bytes ``pitch`` apart from
    ``base``, touching ones merged."""
    out: list[tuple[int, int]] = []
    if nbytes <= 0:
        return out
    for row in range(rows if pitch else min(rows, 1)):
        lo = base + row * pitch
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], lo + nbytes))
        else:
            out.append((lo, lo + nbytes))
    return out


def sort32_drains(dst_valid_rows: int) -> bool:
    """TSORT32 ends with pipe_barrier(PIPE_V) when dst has a valid row: every path issues one
    after each row's last vector instruction (and nothing after it but set_vector_mask)."""
    return dst_valid_rows >= 1


# The ops that may read and write the hidden TMP_UB scratch (tiles.HIDDEN_SCRATCH) unless their
# destination and source are both floating-point tiles: the int8 path of TEXTRACT broadcasts into
# it (pto-isa a2a3 TExtract.hpp L348,
# https://github.com/hw-native-sys/pto-isa/blob/3186c381/include/pto/npu/a2a3/TExtract.hpp), and
# TCvt.hpp names it for its integer conversions without a tmp (only in comments at 3186c381, taken
# as a possible user all the same: docs/reference/pto-facts.md §2.3). The TROWEXPAND* binary ops'
# use of it is OpSpec.row_expand.
HIDDEN_SCRATCH_UNLESS_FLOAT: Final = frozenset({"TCVT", "TEXTRACT"})

# A Vec -> Vec TEXTRACT between RowMajor (ND) tiles starts its copy at the source's address plus the
# column offset's elements (pto-isa a2a3 TExtract.hpp at f35e7f60, TExtractVecToVecNDAligned/
# NDUnaligned: `srcAddr + indexRow * srcRowStride + indexCol`), a TINSERT at the destination's
# (TInsert.hpp TInsertVecToVecND*: `dstStart`). That the offset is a whole number of 32-byte blocks is
# only a PTO_ASSERT of the dispatch (TExtractVecToVecNDDispatch, tinsert_common.hpp
# TInsertVecToVecNDDispatch), compiled out unless _DEBUG (common/debug.h); a row offset moves it by
# whole rows, whole blocks by a static_assert (CheckTExtractVecToVecND: RowStride bytes 32-byte
# aligned). The host cost model then issues the same copy_ubuf_to_ubuf (and a tail's vcopy) at an
# address off the UB's block grid, 12 bytes past it for 3 floats
# (tests/trace/test_extract_column_offset_trace.py), where the CCE copy takes 32-byte-aligned UB
# addresses (cceintrinsicapi, the general copy parameters): which bytes the hardware touches is not
# known, as for a tile off the grid (tiles.UB_ALIGN_BYTES). Not on the scalar path (the window tile's
# type has a 1 x 1 valid shape: one element through the scalar unit) nor between NZ tiles (the
# offset is rounded down to whole c0 stripes, TExtractVecToVecNZ*: every address on the grid).
WINDOW_OPS: Final = frozenset({"TEXTRACT", "TINSERT"})


def window_column_on_grid(col: int, element: int) -> bool:
    """Whether a column offset of ``col`` elements of ``element`` bytes (any int: a uint16_t
    parameter wraps by 65536 elements, whole blocks) moves an ND copy by whole 32-byte blocks."""
    return col * element % BLOCK_BYTES == 0


# The argument indices where an op takes a value (a scalar, a mode, a row/column index, a
# pre-quantisation scalar) instead of a tile, in any overload at the pto-isa commits the notes
# cite (include/pto/common/pto_instr.hpp at 404d0f36, bb2e8607, 5a2e8553, 14f761c8, b9122ec5 and
# 3186c381; e.g. `TADDS(dst, src, scalar)`, `TDIVS(dst, scalar, src)`, `TSELS(dst, mask, src, tmp,
# scalar)`, `TCVT(dst, src[, tmp], mode[, satMode])`, `TEXTRACT(dst, src, row, col)`). A value at
# any other index is no call of an overload ptofix knows (a tile parameter may be bound to anything
# convertible), so the proof reads the call as Unknown. Ops not listed take tiles only.
VALUE_ARGUMENTS: Final[dict[str, frozenset[int]]] = {
    **{name: frozenset({2}) for name in ("TADDS", "TSUBS", "TMULS", "TMAXS", "TMINS", "TANDS", "TORS", "TSHLS",
                                         "TSHRS", "TFMODS", "TAXPY", "TREMS", "TXORS", "TMOV", "TSTORE")},
    "TDIVS": frozenset({1, 2}),
    "TEXPANDS": frozenset({1}),
    "TCMP": frozenset({3}),
    "TCMPS": frozenset({2, 3}),
    "TCOLSUM": frozenset({3}),
    "TCVT": frozenset({2, 3, 4}),
    "TSELS": frozenset({4}),
    "TGATHER": frozenset({2, 5}),
    "TMRGSORT": frozenset({2}),
    "TINSERT": frozenset({2, 3, 4}),
    "TEXTRACT": frozenset({2, 3, 4, 5, 6}),
}


def takes_value_at(op: str, index: int) -> bool:
    """Whether some overload of ``op`` takes a value, not a tile, as argument ``index``."""
    return index in VALUE_ARGUMENTS.get(op, ())


def lacks_tmp(spec: OpSpec, nargs: int, is_tile: Callable[[int], bool]) -> bool:
    """Whether a call of ``nargs`` arguments (``is_tile(i)``: argument i is a tile) has no tile
    where its op's tmp goes, for an op whose tmp is not optional: an older overload's call
    (``OpSpec.tmp_optional``), which the proof and the simulator read as Unknown."""
    return not spec.tmp_optional and any(index >= nargs or not is_tile(index) for index in spec.tmp)


# Names whose call may leave the vector unit in count mode (`set_mask_count()` with no
# `set_mask_norm()` after it), in which an element-wise op's instructions walk as many elements as
# the vector mask says, past its tiles. The mode is a control register: it outlives the statement,
# the function and the kernel, so it reaches every function of the file. The CCE intrinsics that
# write it are `set_mask_count` and `set_ctrl` (the whole CTRL register); in pto-isa a2a3 at
# 3186c381 every header that sets count mode restores norm mode on every path (TPartOp,
# TRowReduceIdxOps through their callers), except TCI.hpp (`TCI_b32_normal`, `TCI_b16_normal`,
# descending `TCI_b32_repeat`).
# pto's internal helpers that return in count mode, their callers restoring norm mode (a file may
# call them directly): TFillPad.hpp `PadRightSingleRow`, TRem.hpp `RemOp::RemF32Instr` and
# `RemInt32Instr`, TRowReduceIdxOps.hpp `ExtractValIdxFromTmpColMajor` (and, to be safe,
# `OneRepeatProcValIdx`, which leaves it to a helper). Found by scanning every a2a3 header at
# 3186c381 for functions whose last mode switch is set_mask_count or that return between the two.
# (`TCI` is matched as the start of a word, the others inside any word: count_mode._count_mode_name.)
# A statement that is a 2-argument call of TCI and names none of them elsewhere is the scalar TCI
# (SCALAR_TCI_NARGS), which leaves the mode alone.
COUNT_MODE_NAMES = ("TCI", "set_mask_count", "set_ctrl", "PadRightSingleRow", "RemF32Instr", "RemInt32Instr",
                    "ExtractValIdxFromTmpColMajor", "OneRepeatProcValIdx")

# Statement-level calls with no effect on UB and none on the vector pipe's ordering (mask and
# atomic-mode registers, cache maintenance on GM, cross-core signals, compile-time checks).
HARMLESS_CALLS: Final = {
    "set_mask_norm", "set_vector_mask", "set_ffts_base_addr", "static_assert", "dcci", "dsb",
    "set_atomic_none", "set_atomic_add", "set_atomic_f32", "set_atomic_f16", "set_atomic_bf16",
    "ffts_cross_core_sync", "wait_flag_dev", "std::atomic_thread_fence",
}


def row_reduce_drains(dtype: str | None, valid: tuple[int, int] | None, tmp_cols: int | None,
                      tmp_dtype: str | None, src_cols: int | None, empty_drains: bool = False) -> bool:
    """Whether TROWSUM/TROWMAX/TROWMIN(dst, src, tmp) ends with PIPE_V drained (pto-isa a2a3
    TRowReduceOps.hpp, TRowSum/TRowMax/TRowMin.hpp at 3186c381). float/half: every path ends with
    pipe_barrier(PIPE_V) except one that returns having issued nothing, when E < validCol < 2E
    (E = elements per 256-byte repeat) and the static Cols of the tmp or of src (``src_cols``; None:
    unknown) hold less than one repeat (TRowReduceInstr: `srcRptStride` or `tmpRptStride` below
    BLOCK_MAX_PER_REPEAT), and, before pto-isa 5a2e8553, one that returns at once for an empty
    valid shape. A run-time valid shape may pass src's Cols.
    int16/int32: every vector instruction of a row is followed by pipe_barrier(PIPE_V) (dst is
    a scalar store behind a V->S->V round trip), so it drains when there is a row, whatever flags
    the kernel left pending. ``valid``: src's valid (rows, cols), None if it may vary. A tmp of
    another element type than src: its Cols are not read as src elements (unknown).
    ``empty_drains``: the headers are known to be 5a2e8553's or later (IsaFacts), so an empty valid
    shape, or one not known, takes the paths above like any other."""
    size = ELEMENT_BYTES.get(dtype or "")
    if size is None:
        return False
    if tmp_dtype != dtype:
        tmp_cols = None
    if dtype in ("float", "float32_t", "half", "float16_t"):
        # pto-isa before 5a2e8553 (2026-03-21) returns at once, no barrier, when a valid dimension
        # is 0 (TRowSum.hpp, TRowMax.hpp, TRowMin.hpp), and PTOAS v0.45's output compiles against
        # the week before it: a drain only for a valid shape known to be non-empty (unless the
        # headers are known to be later ones).
        per_repeat = REPEAT_BYTES // size
        if not empty_drains and (valid is None or valid[0] < 1 or valid[1] < 1):
            return False
        if tmp_cols is not None and tmp_cols >= per_repeat and src_cols is not None and src_cols >= per_repeat:
            return True
        return valid is not None and not (per_repeat < valid[1] < 2 * per_repeat)
    if dtype in ("int16_t", "int32_t"):
        return valid is not None and valid[0] >= 1
    return False


# The fp32 row-reduction fast path (src static, valid == whole tile, one of these shapes) writes a
# 4096-byte intermediate from the tmp's start whatever the tmp's declared shape.
_FP32_ROW_REDUCE_FAST: Final = frozenset([(64, 128), (32, 256), (16, 512), (8, 1024)])


# The ops whose tmp reach reduce_tmp_bytes computes.
REDUCE_TMP_OPS: Final = frozenset({"TROWSUM", "TROWMAX", "TROWMIN", "TCOLSUM"})


def reduce_tmp_bytes(op: str, dtype: str | None, valid: tuple[int, int] | None, tmp_cols: int | None,
                     tmp_dtype: str | None, src_shape: tuple | None = None) -> int | None:
    """How far past its start the tmp of TROWSUM/TROWMAX/TROWMIN or TCOLSUM may be written (bytes;
    None if unknown). Nothing checks the tmp's rows, so this may pass its Rows*Cols footprint:
    float/half row reductions write W bytes at the start of each of validRow rows of tmp's row
    stride when validCol > E (W = one repeat, TROWSUM: floor(validCol/E/2) repeats when validCol >=
    2E; the fp32 fast path for ``src_shape`` (Rows, Cols) in _FP32_ROW_REDUCE_FAST writes 4096
    contiguous bytes); int ones write the first 32 bytes; the binary
    TCOLSUM writes validCol elements in each of validRow/2 rows (TColSum.hpp BinarySum), rows
    apart by the tmp's row pitch in bytes (Tmp::RowStride * sizeof(TmpDType), whatever src's type).
    A row reduction's tmp of another element type than src: unknown."""
    size = ELEMENT_BYTES.get(dtype or "")
    tmp_size = ELEMENT_BYTES.get(tmp_dtype or "")
    if size is None or tmp_size is None or valid is None or tmp_cols is None:
        return None
    rows, cols = valid
    if op == "TCOLSUM":
        return max(0, (rows // 2 - 1) * tmp_cols * tmp_size + cols * size)
    if tmp_dtype != dtype:
        return None
    stride = tmp_cols * size
    if dtype in ("int16_t", "int32_t"):
        return 32
    if dtype not in ("float", "float32_t", "half", "float16_t"):
        return None
    per_repeat = REPEAT_BYTES // size
    fast = 4096 if size == 4 and src_shape in _FP32_ROW_REDUCE_FAST and src_shape == valid else 0
    if cols <= per_repeat:
        return fast                  # one repeat per row: the tmp is not used
    repeats = cols // per_repeat
    width = REPEAT_BYTES * (repeats // 2 if op == "TROWSUM" and repeats >= 2 else 1)
    return max(fast, (rows - 1) * stride + width if rows >= 1 else 0)


ROW_EXPAND_TMP_MAX_BYTES: Final = 8192     # the 32 vbrcb repeats the row-expand scratch holds (TRowExpandBinOp.hpp)


def row_expand_tmp_bytes(valid_rows: int) -> int:
    """How far past its start the tmp of a 4-operand TROWEXPAND* is written: one vbrcb repeat
    (8 rows broadcast to 32-byte blocks, 256 contiguous bytes) per 8 of dst's valid rows, at most
    32 repeats (30 at a time past 255 rows) whatever the tmp's own size (TRowExpandBinOp.hpp
    TRowExpandBinaryInstr, the same at 404d0f36, 14f761c8, b9122ec5 and 3186c381)."""
    return min(-(-max(valid_rows, 1) // 8) * REPEAT_BYTES, ROW_EXPAND_TMP_MAX_BYTES)


# pto's mode enumerations that ops take as arguments (`RoundMode::CAST_RINT`): an operand
# `Enum::NAME` is a mode constant only for one of these; any other qualified operand (`ns::tile`)
# may be a tile.
MODE_ENUMS: Final = frozenset(["RoundMode", "SaturationMode", "CmpMode", "MaskPattern", "TFillPadMode", "ReluPreMode",
                        "ReduceOp", "AtomicType", "QuantType", "NotifyOp", "SyncCoreType", "DivAlgorithm",
                        "AccToVecMode", "AccPhase", "STPhase", "WaitCmp", "DmaEngine", "SyncAllMode",
                        "SqrtAlgorithm", "RsqrtAlgorithm", "RecipAlgorithm", "LogAlgorithm", "FmodAlgorithm",
                        "ExpAlgorithm", "RemAlgorithm"])

# The names of pto-isa's namespace, class templates and enumerations that the model reads by
# their spelling (`pto::TADD`, `TileType::Vec`, `BLayout::RowMajor`, `Shape<...>(...)`,
# `RoundMode::CAST_RINT`). C++ looks a qualifier up as a namespace or type name, so a file that
# declares one of these itself (`namespace pto = ::mine;`, `namespace TileType {...}`, a
# `struct Shape`) or #defines it changes what every such spelling means.
PTO_SPELLED_NAMES = frozenset(["pto", "Tile", "TileType", "BLayout", "SLayout", "PadValue", "CompactMode", "Layout",
                               "Direction", "TileSplitAxis", "GlobalTensor", "Shape", "Stride", "TPipe",
                               *MODE_ENUMS])

# Functions that may appear inside expressions: they only read scalar state.
# The macros of pto-isa's headers (included by pto-inst.hpp) that paste tokens into a name, so
# a use of one may call a function whose name the file never spells: at 3186c381
# include/pto/common/kernel_meta.hpp (`PTO_DETAIL_CONCAT_INNER(a, b) a##b`) and
# include/pto/common/pto_instr.hpp (`MAP_INSTR_IMPL(API, ...) API##_IMPL(__VA_ARGS__)` and its
# variants), https://github.com/hw-native-sys/pto-isa/tree/3186c381/include/pto/common.
# (Matched as substrings: `MAP_INSTR_IMPL` covers MAP_INSTR_IMPL_OUTS, _T, _T_OUTS, _ROLES, _T_ROLES.)
PTO_PASTING_MACROS = ("PTO_DETAIL_CONCAT", "MAP_INSTR_IMPL")

# The headers pto-inst.hpp reaches at pto-isa f35e7f60 that write `get_subblockid`, by the SHA-256
# of their bytes, each read for what it does with the lane id (pto-facts.md §8.3.1): in a2a3/,
# GM offsets only (TPush/TPop/TAlloc's subAIVOffset, SyncAll's participant index selecting a GM
# flag slot) and a printf (custom/TSyncCVID); a5/, cpu/ and common/cpu_stub.hpp are other targets'
# code (`PTO_NPU_ARCH_A5`, `__CPU_SIM`). A checkout whose headers writing the name are all among
# these compiles pto's uses of it as reviewed; any other byte keeps a kernel's bridge unknown.
# https://github.com/hw-native-sys/pto-isa/tree/f35e7f60/include/pto
SUBBLOCK_ID_REVIEWED_HEADERS: Final = frozenset([
    ("include/pto/common/cpu_stub.hpp", "072da4ff45dbcdb2f29fb9e0cd0e8ab8c40842db9ca36ade75296a9f6207bb78"),
    ("include/pto/cpu/TPop.hpp", "a69124d54f510d20a167b4f9a2a735dfbdc5c3e31b74339f6859dc0dbff366b6"),
    ("include/pto/cpu/TPush.hpp", "54842322344d25bd32d07491b4f51b347fa36e8259e5bd1e6ccc70849fd6534d"),
    ("include/pto/npu/a2a3/SyncAll.hpp", "93317e3a0eb91e03646da4ae30ed1da3daa06c2fb4e64426c5315e7e12b6fd7d"),
    ("include/pto/npu/a2a3/TAlloc.hpp", "c1d9288d855df96cfa69a4eee730e952ede9ea2b2252f8e508d276ebfd8094ec"),
    ("include/pto/npu/a2a3/TPop.hpp", "57e08a31b1f4cd05887254f992b0278edcb23738486b7e5b9b6c4921e4ac072c"),
    ("include/pto/npu/a2a3/TPush.hpp", "f38c7a307301236d9ba6956e9d2ef86117790be0a245ccfcaee47263cf7181cf"),
    ("include/pto/npu/a2a3/custom/TSyncCVID.hpp", "1f97d50e1068153caebb0c75ddefe1a337bd54d8c93c9fefbcf8bef77af2e933"),
    ("include/pto/npu/a5/MGather.hpp", "bcc878915670b3d28cd91d07ef3b2a51b16bf69104f693c782dcb647ec4ecf43"),
    ("include/pto/npu/a5/SyncAll.hpp", "e68cec721a0d56fbdcc3e8efff8a5ab460b1bc33fcf4585e573d378443223e13"),
    ("include/pto/npu/a5/TAlloc.hpp", "a35a07147b034fe1cb2407a59e6f8e66684a7abb343446dae72d9d0a50b361a8"),
    ("include/pto/npu/a5/TPop.hpp", "df00b1fe154634f03af5fd8d8f136dece43fcc163eb53680c826965d5da6b080"),
    ("include/pto/npu/a5/TPush.hpp", "7b4e463d5464679e7592f906829c29006ce6843c1a436356c0f3d50cd9ef2f48"),
    ("include/pto/npu/a5/custom/TSyncCVID.hpp", "98f1ce0c91a91d4974e1abc8f53ca48baa1ac50d00c934e523206484644a6401"),
])

PURE_FUNCTIONS: Final = {"get_block_idx", "get_block_num", "get_subblockid", "get_subblockdim", "get_sub_block_id"}

# Every instruction pto-isa declares as a function (`PTO_INST ... NAME(`) in
# include/pto/common/pto_instr.hpp at 3186c381: a call of one is a call of pto's function, never a
# header macro (which might expand to a jump); the ops the model does not read stay Unknown.
PTO_INSTRUCTIONS: Final = frozenset([
    "MGATHER", "MSCATTER", "SETFMATRIX", "SET_IMG2COL_PADDING", "SET_IMG2COL_RPT", "SET_QUANT_SCALAR",
    "SET_QUANT_VECTOR", "SYNCALL", "TABS", "TADD", "TADDC", "TADDDEQRELU", "TADDRELUCONV", "TADDS", "TADDSC",
    "TALLOC", "TAND", "TANDS", "TASSIGN", "TAXPY", "TCI", "TCMP", "TCMPS", "TCOLARGMAX", "TCOLARGMIN",
    "TCOLEXPAND", "TCOLEXPANDADD", "TCOLEXPANDDIV", "TCOLEXPANDEXPDIF", "TCOLEXPANDMAX", "TCOLEXPANDMIN",
    "TCOLEXPANDMUL", "TCOLEXPANDSUB", "TCOLMAX", "TCOLMIN", "TCOLPROD", "TCOLSUM", "TCONCAT", "TCVT",
    "TDEINTERLEAVE", "TDEQUANT", "TDIV", "TDIVS", "TEXP", "TEXPANDS", "TEXTRACT", "TEXTRACT_FP", "TFILLPAD",
    "TFILLPAD_EXPAND", "TFILLPAD_INPLACE", "TFMOD", "TFMODS", "TFREE", "TFUSEDMULADD", "TFUSEDMULADDRELU",
    "TGATHER", "TGATHERB", "TGEMV", "TGEMV_ACC", "TGEMV_BIAS", "TGEMV_MX", "TGET_SCALE_ADDR", "THISTOGRAM",
    "TIMG2COL", "TINSERT", "TINSERT_FP", "TINTERLEAVE", "TLOAD", "TLOG", "TLRELU", "TMATMUL", "TMATMUL_ACC",
    "TMATMUL_BIAS", "TMATMUL_MX", "TMAX", "TMAXS", "TMIN", "TMINS", "TMOV", "TMOV_FP", "TMRGSORT", "TMUL",
    "TMULADDDST", "TMULS", "TNEG", "TNOT", "TOR", "TORS", "TPAIRREDUCESUM", "TPARTADD", "TPARTARGMAX",
    "TPARTARGMIN", "TPARTMAX", "TPARTMIN", "TPARTMUL", "TPOP", "TPOW", "TPOWS", "TPREFETCH",
    "TPREFETCH_ASYNC", "TPRELU", "TPRINT", "TPUSH", "TQUANT", "TRANDOM", "TRECIP", "TRELU", "TREM", "TREMS",
    "TRESHAPE", "TROWARGMAX", "TROWARGMIN", "TROWEXPAND", "TROWEXPANDADD", "TROWEXPANDDIV",
    "TROWEXPANDEXPDIF", "TROWEXPANDMAX", "TROWEXPANDMIN", "TROWEXPANDMUL", "TROWEXPANDSUB", "TROWMAX",
    "TROWMIN", "TROWPROD", "TROWSUM", "TRSQRT", "TSCATTER", "TSEL", "TSELS", "TSHL", "TSHLS", "TSHR", "TSHRS",
    "TSORT32", "TSQRT", "TSTORE", "TSTORE_FP", "TSUB", "TSUBC", "TSUBRELU", "TSUBRELUCONV", "TSUBS", "TSUBSC",
    "TSUBVIEW", "TSYNC", "TTRANS", "TTRI", "TXOR", "TXORS"
])

# Cross-core pipe (FIFO) ops; never on PIPE_V, only their Tile forms touch local memory (§1, §7).
FIFO_OPS: Final = {"TPUSH", "TPOP", "TALLOC", "TFREE"}
PIPE_FIFO_OPS: Final = FIFO_OPS




def move_pipe(dst_space: str | None, src_space: str | None) -> str | None:
    """Pipe of TMOV/TEXTRACT/TINSERT by memory spaces (docs/reference/pto-facts.md §1)."""
    if dst_space == "Vec" and src_space == "Vec":
        return PIPE_V
    if src_space == "Mat" and dst_space in ("Left", "Right", "Bias", "Scaling"):
        return "PIPE_MTE1"
    if src_space == "Acc":
        return "PIPE_FIX"
    if src_space == "Vec" and dst_space == "Mat":
        return "PIPE_FIX"
    return None


_PTO_FUNCTIONS: frozenset[str] | None = None


def pto_function_names() -> frozenset[str]:
    """Every name pto-isa's NPU headers declare or call as a function (pto_functions.txt). A
    kernel's own function of such a name may lose overload resolution to pto's: a call of it is
    then not the file's definition (`TADD_IMPL(b, b, b)` reaching pto::TADD_IMPL through
    `using namespace pto` or argument-dependent lookup)."""
    global _PTO_FUNCTIONS
    if _PTO_FUNCTIONS is None:
        _PTO_FUNCTIONS = _read_name_list("pto_functions.txt")
    return _PTO_FUNCTIONS


_COMMENT_LINE: Final = regex_cache.compile(r"^#[^\n]*", re.M)


def _read_name_list(filename: str) -> frozenset[str]:
    """The names of a list beside this module: a name a line (a name holds no blank), lines
    starting with '#' left out. (One regex removes the comment lines and one split reads the rest:
    a generator over the ~11,000 lines of pto_words.txt cost a run ~1 ms more.)"""
    with open(os.path.join(os.path.dirname(__file__), filename), encoding="utf-8") as handle:
        return frozenset(_COMMENT_LINE.sub("", handle.read()).split())


# pto's macros the model reads as the names ptoas's NPU output uses them as: the compiler's
# intrinsics, event ids, address-space qualifiers, attributes and element types. pto-isa #defines
# them only where the compiler does not provide them (its CPU simulator's stubs, which pto-inst.hpp
# includes only under __CPU_SIM: e.g. at 3186c381 include/pto/common/cpu_stub.hpp
# `#define set_vector_mask(...)`, `#define EVENT_ID0 0`; at 14f761c8 and b9122ec5 also
# `set_flag`, `wait_flag`, `dsb` and the cache and barrier kinds `dcci` and `dsb` take) or as the
# NPU attribute itself (`AICORE`), and its function specifiers, which declare no name and change
# no code the model reads: `PTO_INLINE` is `inline __attribute__((always_inline))`, `PTO_INTERNAL`
# `AICORE PTO_INLINE`, `PTO_INST` `AICORE PTO_INLINE __attribute__((visibility("default")))`
# (https://github.com/hw-native-sys/pto-isa/blob/3186c381/include/pto/common/type.hpp, and the same
# in the f35e7f60 checkout); hand-written kernels and their headers write them on helpers.
PTO_FUNCTION_SPECIFIER_MACROS: Final = frozenset(["PTO_INLINE", "PTO_INTERNAL", "PTO_INST"])
# bisheng's parameter qualifiers, which pto #defines empty only for targets whose compiler lacks
# them (https://github.com/hw-native-sys/pto-isa/blob/3186c381/include/pto/common/arch_macro.hpp:
# Kirin; cpu_stub.hpp: the CPU simulator): they declare no name.
PTO_PARAMETER_QUALIFIERS: Final = frozenset(["__in__", "__out__", "__tf__"])
PTO_MACROS_READ_AS_NPU_NAMES: Final = frozenset([
    *PTO_FUNCTION_SPECIFIER_MACROS, *PTO_PARAMETER_QUALIFIERS,
    "pipe_barrier", "set_mask_norm", "set_vector_mask", "AICORE", "__aicore__", "__global__",
    "__gm__", "__ubuf__", "__cbuf__", "__cc__", "__ca__", "__cb__", "__fbuf__", "__biasbuf__",
    "__DAV_VEC__", "__DAV_CUBE__", "bfloat16_t", "float8_e4m3_t", "float8_e5m2_t", "float8_e8m0_t",
    "float4_e1m2x2_t", "float4_e2m1x2_t", "hifloat8_t", *(f"EVENT_ID{i}" for i in range(8)),
    "set_flag", "wait_flag", "dsb", "DSB_ALL", "DSB_DDR", "DSB_UB", "SINGLE_CACHE_LINE", "ENTIRE_DATA_CACHE",
    "CACHELINE_OUT"])

_PTO_MACROS: frozenset[str] | None = None


def pto_macro_names() -> frozenset[str]:
    """Every name pto-isa's headers ``#define`` (pto_macros.txt), include guards and all: a
    kernel that includes pto sees them as macros, and one that expands to nothing (`PTO_INST_HPP`)
    makes a declaration spelled with it a different declaration."""
    global _PTO_MACROS
    if _PTO_MACROS is None:
        _PTO_MACROS = _read_name_list("pto_macros.txt")
    return _PTO_MACROS


_PTO_WORDS: frozenset[str] | None = None


def pto_header_words() -> frozenset[str]:
    """Every identifier of the headers pto/pto-inst.hpp reaches (pto_words.txt, every #if branch,
    the documented pto-isa commits): the names through which pto's code can see a macro a kernel
    defines before including it."""
    global _PTO_WORDS
    if _PTO_WORDS is None:
        _PTO_WORDS = _read_name_list("pto_words.txt")
    return _PTO_WORDS


_PTO_CALL_ARITIES: dict[str, tuple[int, ...]] | None = None


def pto_call_arities() -> dict[str, tuple[int, ...]]:
    """For each name pto's headers (those pto/pto-inst.hpp reaches, the documented pto-isa commits)
    use only in plain calls, the argument counts of those calls (pto_call_arities.txt, written by
    scripts/pto_name_lists.py with header_words.call_arities). A name not listed is used otherwise
    somewhere (or not at all): how pto calls it is not known."""
    global _PTO_CALL_ARITIES
    if _PTO_CALL_ARITIES is None:
        table: dict[str, tuple[int, ...]] = {}
        with open(os.path.join(os.path.dirname(__file__), "pto_call_arities.txt"), encoding="utf-8") as handle:
            for line in handle.read().splitlines():
                if line and not line.startswith("#"):
                    name, counts = line.split()
                    table[name] = tuple(int(count) for count in counts.split(","))
        _PTO_CALL_ARITIES = table
    return _PTO_CALL_ARITIES


# In IsaFacts.header_words: a header of the checkout could not be read (side_files.py: a FIFO, a
# device, a link out of the checkout), so its words are not known: every name may be one of them.
# (Not an identifier: no header's word.)
UNKNOWN_CHECKOUT_WORDS: Final = "<a header of the checkout was not read>"


def macro_may_change_pto_code(name: str, header_words: frozenset[str] | None = None) -> bool:
    """Whether a macro ``name`` defined (or undefined) before `#include <pto/pto-inst.hpp>` may
    change the code that header compiles. The preprocessor replaces a name only where the text
    writes it or a token paste forms it: pto's headers write ``header_words`` (those of the
    checkout the kernel compiles with, IsaFacts.header_words) or, when not known,
    pto_header_words(), and their pastes
    (at the documented commits: `API##_IMPL` in pto_instr.hpp, `PTO_DETAIL_CONCAT(g_pto_syncall_*_meta_,
    __COUNTER__)` in kernel_meta.hpp, `T##OPNAME##_IMPL`, `OP_##OPNAME` in the CPU headers) form
    names ending in `_IMPL` or starting with `g_pto_` or `OP_`. The standard headers they include
    write names starting with an underscore or holding two (reserved to the implementation), the
    names the standards declare (which a program may not define as macros before including them)
    and `NDEBUG` (<cassert>), the one configuration macro the C and C++ standards give a program."""
    words = header_words if header_words is not None else pto_header_words()
    if UNKNOWN_CHECKOUT_WORDS in words:
        return True                 # (fail closed: the words of a header not read are not known)
    return name in words or name.endswith("_IMPL") or name.startswith(("g_pto_", "OP_", "_")) \
        or "__" in name or name == "NDEBUG"


# The macros pto-isa's own build scripts give bisheng on its command line (`-D_FORTIFY_SOURCE=2
# ... -DMEMORY_BASE` in
# https://github.com/hw-native-sys/pto-isa/blob/3186c381/kernels/python/flash_atten/compile.sh, and
# `-DMEMORY_BASE` in pto-dsl's build scripts): the build pto's kernels are written for, which leaves
# pto's code as the facts here describe it. No header pto/pto-inst.hpp reaches writes MEMORY_BASE
# (pto_words.txt), and no C, C++ or POSIX standard names it; _FORTIFY_SOURCE is glibc's: it swaps
# C library functions (memcpy, sprintf...) for checked ones of the same effect, no pto name.
BUILD_SCRIPT_MACROS: Final = frozenset(["MEMORY_BASE", "_FORTIFY_SOURCE"])


def pto_code_macro_names() -> frozenset[str]:
    """pto's macros whose expansion ptofix does not model (pto_macro_names() but the names it reads
    as NPU names): a pasted name (`PTO_DETAIL_CONCAT(v, 9)` is `v9`), a loop (`FOR_ROWS`), a
    return (`SKIP_IF_RANKS_LT`), an assertion. ptoas's output uses none of them."""
    global _PTO_CODE_MACROS
    if _PTO_CODE_MACROS is None:
        _PTO_CODE_MACROS = pto_macro_names() - PTO_MACROS_READ_AS_NPU_NAMES
    return _PTO_CODE_MACROS


_PTO_CODE_MACROS: frozenset[str] | None = None
