"""The same-access chain rule (PTOAS PR #674 ``CanPrunePipeVBarrier``, and ptofix's repeat-level
generalisation of it): every piece of it, in one module the barrier proof (cpp/barriers.py, through
``BarrierAnalysis.pair_hazard``) and the simulator (sim/schedule.py, sim/repeats.py) read.

It is used only under the opt-in race model (``pto/race_model.py``, ``--same-access-chains``); the
default, msSanitizer's a2/a3 rule, credits no chain, and uses this module only to tell the user which
hazards (and which of ``check``'s races) are such chains.

The rule (docs/reference/pto-facts.md §5.3): a pair of vector ops is taken to stay in order without
a barrier when every conflicting operand pair is one exact access that the earlier op writes and
the later op reads (an overwrite without a read, a plain WAW, is no chain) under one tile variable
(one buffer value, as PTOAS's BaseMemInfo::operator== tells them: ``same_buffer``), no tmp operand, the
earlier op is built on an instruction that lands within the pipeline depth (``CHAIN_PRODUCERS``),
runs at least ``CHAIN_MIN_REPEATS`` 256-byte repeats over a contiguous region, no loop back-edge lies
between them, and, repeat by repeat, the later op never touches a byte the earlier one touches in a
later repeat (``chain_order_holds``, on the walks of pto/walks.py). PTOAS states no hardware premise
for it and msSanitizer's race check flags every such pair (pto/race_model.py).
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Final, Protocol

from .derived_facts import ROW_BY_ROW
from .tiles import ELEMENT_BYTES, REPEAT_BYTES
from .walks import TileWalk, walk_kind, walk_pieces


class Access(Protocol):
    """What the rule reads of one operand access of the proof's model (cpp/cfg_events.Access; the
    hardware facts import nothing of the C++ model, tests/test_import_layers.py)."""

    @property
    def name(self) -> str: ...
    @property
    def write(self) -> bool: ...
    @property
    def exact(self) -> tuple | None: ...
    @property
    def tmp(self) -> bool: ...
    @property
    def contiguous_repeats(self) -> int: ...
    @property
    def elementwise(self) -> bool: ...
    @property
    def shape(self) -> tuple | None: ...
    @property
    def type_contiguous(self) -> bool: ...
    @property
    def valid_col_in_type(self) -> bool: ...
    @property
    def valid_in_type(self) -> bool: ...
    @property
    def buffer(self) -> object | None: ...


class Event(Protocol):
    """What the rule reads of one op of the proof's model (cpp/cfg_events.Event)."""

    @property
    def op(self) -> str: ...
    @property
    def accesses(self) -> Sequence[Access]: ...


# PTOAS PR 674: the producer of a same-access chain runs at least this many 256-byte repeats.
CHAIN_MIN_REPEATS: Final = 16


def same_access_chain_operand(same_access: bool, producer_writes_it: bool, consumer_reads_it: bool,
                              tmp: bool, across_back_edge: bool) -> bool:
    """One conflicting operand pair of a producer/consumer pair may be a hardware-safe chain:
    both are the one exact access, the producer writes it and the consumer reads it, neither is a
    tmp operand, and no loop back-edge lies between the two issues. (The producer's repeats, its
    region and its op are the callers' further conditions: ``chain_repeats_enough``,
    ``ops.chain_producer``.)"""
    return same_access and producer_writes_it and consumer_reads_it and not tmp and not across_back_edge


def chain_repeats_enough(repeats: int) -> bool:
    """Whether a producer of ``repeats`` 256-byte repeats is long enough for the chain rule."""
    return repeats >= CHAIN_MIN_REPEATS


# The ops of WALKED_IN_REPEAT_ORDER that walk in repeat order only on 16-bit data: from pto-isa
# 002ecebc on, 32- and 8-bit data are viewed as 16-bit and take a rows-then-tails path
# (https://github.com/hw-native-sys/pto-isa/blob/3186c381/include/pto/npu/a2a3/TBinOp.hpp); the
# recorded trace at f35e7f60 shows it for int32 (tests/pto/test_trace_agrees_with_facts.py).
CHAIN_16BIT_ONLY: Final = frozenset({"TAND", "TOR", "TANDS", "TORS"})


# The (source, destination) element types for which TCVT is one `vconv` per call with no tmp, no
# scratch and no second pass (pto-isa a2a3 TCvt.hpp GenCastCall / GenCastCallSpecialCases,
# https://github.com/hw-native-sys/pto-isa/blob/3186c381/include/pto/npu/a2a3/TCvt.hpp).
# The bfloat16_t pairs are left out: TCvt.hpp gives float -> bf16 its own branch
# (GenCastCallFp32ToBf16), and the host cost model's trace records bfloat16_t as half (its points of
# form to_bfloat16_t issue vconv_f322f16r), so no recorded walk backs them (fail closed).
CVT_SINGLE_VCONV: Final = frozenset({("float", "half"), ("float", "float"), ("half", "float")})


def cvt_reads_source_in_order(src_dtype: str, dst_dtype: str, valid_cols: int) -> bool:
    """Whether TCVT, as the consumer of a same-access chain, reads its RowMajor source in address
    order and never ahead of a 256-byte-a-repeat walk (docs/reference/pto-facts.md §5.3). pto-isa
    a2a3 TCvt.hpp: TCvtHead issues one vconv a valid row (dst's valid shape), each of
    validCol / E repeats of E = 256 / max(element sizes) elements, rows in order; the columns past
    the last whole repeat go to TCvtTail after every row (out of address order), so the valid columns
    must be whole repeats. A 16-bit source then reads 128 bytes a repeat, later than 256 would."""
    if (src_dtype, dst_dtype) not in CVT_SINGLE_VCONV:
        return False
    elements = REPEAT_BYTES // max(ELEMENT_BYTES[src_dtype], ELEMENT_BYTES[dst_dtype])
    return valid_cols > 0 and valid_cols % elements == 0


# The ops that may produce a hardware-safe same-access chain (pto-facts.md §5.3): those built on
# the single-cycle vector instructions (vadd, vsub, vmul, vmax, vmin, vand, vor and their scalar
# forms, vabs, vrelu, vnot, vector_dup, vbrcb), and TEXP (vexp), which pto-isa's own FA softmax runs
# on hardware with no barrier before a TCVT that reads its in-place result
# (https://github.com/hw-native-sys/pto-isa/blob/3186c381/kernels/manual/common/flash_atten/pto_macro_fa_softmax.hpp,
# `TEXP(p_tile_f32, p_tile_f32)` then `TCVT(x_exp_1d, p_tile_f32_1d, ...)`). PTOAS's
# CanPrunePipeVBarrier sets no condition on the op, but the hardware runs behind its 16-repeat rule
# cover such producers only (its TADD -> TROWEXPANDDIV case, the FA kernels' TMULS -> TEXP,
# TROWEXPANDSUB -> TMULS and TEXP -> TCVT): a producer built on vdiv, vln, vsqrt or vrec (TDIV,
# TDIVS, TRECIP, TLOG, TSQRT, the DIV and EXPDIF expands) has no such run to stand on and chains
# nothing.
CHAIN_PRODUCERS: Final = frozenset({
    "TADD", "TSUB", "TMUL", "TMAX", "TMIN", "TAND", "TOR", "TADDS", "TSUBS", "TMULS", "TMAXS", "TMINS",
    "TANDS", "TORS", "TABS", "TNEG", "TRELU", "TNOT", "TEXPANDS", "TEXP",
    "TROWEXPANDADD", "TROWEXPANDSUB", "TROWEXPANDMUL", "TROWEXPANDMAX", "TROWEXPANDMIN",
    "TCOLEXPANDADD", "TCOLEXPANDSUB", "TCOLEXPANDMUL", "TCOLEXPANDMAX", "TCOLEXPANDMIN",
})


def chain_producer(op: str) -> bool:
    """Whether op ``op`` (or its step ``NAME.part``, e.g. ``TROWEXPANDMUL.vbrcb``) may produce a
    same-access chain: see CHAIN_PRODUCERS."""
    return op.split(".", 1)[0] in CHAIN_PRODUCERS


# -- the chain rule, on repeats -------------------------------------------------------------------

def chain_order_holds(producer: list[tuple[int, int]], consumer: list[tuple[int, int]]) -> str:
    """PTOAS PR 674's same-access chain, checked repeat by repeat: '' when the producer runs at
    least CHAIN_MIN_REPEATS repeats and the consumer's k-th repeat touches only bytes the producer
    touches in its repeats up to k (so a read never runs ahead of the write it needs, nor a write
    ahead of a read or write the producer still has to make); else why not. Both walks are over
    the same tile, relative to its start."""
    if len(producer) < CHAIN_MIN_REPEATS:
        return f"the producer runs {len(producer)} repeats over it, fewer than {CHAIN_MIN_REPEATS}"
    starts = sorted((lo, hi, index) for index, (lo, hi) in enumerate(producer))
    los = [lo for lo, _, _ in starts]
    widest = max(hi - lo for lo, hi, _ in starts)
    for k, (lo, hi) in enumerate(consumer):
        # Producer pieces overlapping [lo, hi): those starting before hi and ending after lo.
        first = bisect_right(los, lo - widest)
        for p_lo, p_hi, index in starts[first:bisect_right(los, hi - 1)]:
            if p_lo < hi and lo < p_hi and index > k:
                return (f"the consumer's repeat {k} touches bytes [{max(lo, p_lo)}, {min(hi, p_hi)}) "
                        f"the producer touches in its repeat {index}: it would run ahead")
    return ""


# -- the rule on the proof's events ---------------------------------------------------------

def same_access_chain(p: Event, c: Event, a: Access, b: Access, back: bool) -> tuple[bool, str]:
    """Whether the pair (p writes or reads ``a``, c ``b``) is a same-access chain, and when the
    only thing that refused it is the two walks' order (pto/walks.py), why."""
    # PTOAS PR #674 CanPrunePipeVBarrier (docs/reference/pto-facts.md §5.3).
    if a.exact is None or not a.elementwise:
        return False, ""
    # One exact access is one tile variable too (``same_buffer``): ptoas's isSameExactAccess is
    # BaseMemInfo::operator==, which asks for the same buffer value, not only the same bytes.
    if a.buffer is None:
        return False, ""
    cvt = c.op == "TCVT" and _cvt_reads_chain_in_order(c, a.exact)
    if not (b.elementwise or cvt):
        return False, ""   # e.g. TEXP -> TROWSUM reads with a reduction pattern (§6.3)
    # "from the producer result to the consumer source": the earlier op must itself write this
    # exact access (in-place chains then carry their WAR/WAW along); a plain read is not a chain.
    # ... "to the consumer source": the later op must read this exact access too (PTOAS checks
    # it is among the consumer's uses); a consumer that only overwrites it (WAW) is no chain.
    producer = [x for x in p.accesses if x.write and not x.tmp and same_buffer(x, a) and x.elementwise]
    consumer_reads = any(not x.write and not x.tmp and same_buffer(x, a) and (x.elementwise or cvt)
                         for x in c.accesses)
    if not same_access_chain_operand(same_buffer(a, b), bool(producer), consumer_reads, a.tmp or b.tmp, back):
        return False, ""
    # PTOAS HEAD excludes producers with a tmp operand; the hidden TMP_UB scratch of a
    # no-tmp row-expand is not an operand (ptoas does not model it) and is checked separately.
    if not producer or any(x.tmp and not x.name.startswith("<hidden") for x in p.accesses):
        return False, ""
    if not chain_producer(p.op):
        return False, ""   # a multi-cycle producer (TEXP, TDIV, ...): not covered by the 16-repeat rule
    # Both ops walk in repeat order only when every operand has the chained access's shape and
    # element type (the binary ops take a row-by-row path for operands of other row strides,
    # the unary and scalar ones go column chunk by column chunk), and the bitwise ones only on
    # 16-bit data (pto-facts.md §5.3).
    for event in (p,) if cvt else (p, c):
        if event.op in CHAIN_16BIT_ONLY and ELEMENT_BYTES.get(a.exact[4] or "") != 2:
            return False, ""
        expand = event.op.startswith(("TROWEXPAND", "TCOLEXPAND"))
        # (An expand's per-row or per-column operand is broadcast, not walked: any shape.)
        if any(not x.tmp and not (x.elementwise and _walks_like(x.shape, a.exact))
               for x in event.accesses if not (expand and not x.elementwise and not x.write)):
            return False, ""
    # PTOAS's own conditions 3 and 4 (pto-facts §5.3): the producer's region is contiguous
    # (walked_in_address_order) and holds at least 16 repeats of 256 bytes. The walks' order
    # is then checked repeat by repeat.
    if not chain_repeats_enough(producer[0].contiguous_repeats):
        return False, ""
    why = walks_chain(p, c, a.exact, cvt)
    return not why, why


def same_buffer(x: Access, y: Access) -> bool:
    """Whether two operand accesses are one exact access as PTOAS's same-access chain takes it: the
    same bytes walked alike (``exact``) of the same buffer value (``buffer``, the one tile variable:
    cpp/tile_accesses.one_buffer). PTOAS's ``isSameExactAccess`` is ``BaseMemInfo::operator==``
    (hw-native-sys/PTOAS include/PTO/Transforms/InsertSync/SyncCommon.h:111-119): equal addresses,
    rootBuffer, scope, size and baseBuffer, the value the op uses, so two variables TASSIGNed to the
    same bytes, a TRESHAPE alias, a copy or a TPOP'd tile against another tile are no chain."""
    return x.exact is not None and x.exact == y.exact and x.buffer is not None and x.buffer == y.buffer


def _cvt_reads_chain_in_order(c: Event, exact: tuple) -> bool:
    """A TCVT ``c`` reads the chained access ``exact`` as a linear consumer would: a float
    conversion of one vconv a row over whole repeats (ordering.cvt_reads_source_in_order),
    its one source that access walked in address order, its dst of the same valid shape (TCVT
    walks dst's), no tmp (pto-isa's FA softmax chains TEXP into such a TCVT, pto-facts §5.3)."""
    reads = [x for x in c.accesses if not x.write]
    writes = [x for x in c.accesses if x.write]
    if any(x.tmp for x in c.accesses) or len(reads) != 1 or len(writes) != 1:
        return False
    source, dest = reads[0].shape, writes[0].shape
    if reads[0].exact != exact or source is None or dest is None or not _walks_like(source, exact):
        return False
    return source[3] == dest[3] == "RowMajor" and dest[4:6] == source[4:6] \
        and cvt_reads_source_in_order(source[2], dest[2], source[5])


def _walks_like(shape: tuple | None, exact: tuple) -> bool:
    """An operand an op walks in the same order as the chained access ``exact``: static, contiguous,
    of the same element type, layout, rows, columns and valid shape. pto-isa picks an op's path from
    all its operands' types and valid shapes (TBinSOp.hpp ``tileDataContinue``, TUnaryOp.hpp
    ``isCombined``/``isSameShape``): an operand of other rows or another valid shape sends a unary or
    scalar op down a column-chunk path even where the chained tile alone would be one linear run."""
    if shape is None:
        return False
    rows, cols, dtype, layout, valid_rows, valid_cols = shape
    return (rows, cols, dtype, layout, valid_rows, valid_cols) == exact[2:8]


def _event_walk(event: Event, exact: tuple) -> TileWalk | None:
    """How ``event`` walks the chained tile ``exact``: its shape and valid shape, and whether the
    types of every operand it walks alike are contiguous (None when they disagree: pto-isa tests
    both dst's and src's type, TBinSOp.hpp ``tileDataContinue``, TUnaryOp.hpp ``isCombined``)."""
    walked = [x for x in event.accesses if not x.tmp and x.elementwise]
    kinds = {(x.type_contiguous, x.valid_col_in_type, x.valid_in_type) for x in walked}
    size = ELEMENT_BYTES.get(exact[4] or "")
    if len(kinds) != 1 or size is None or None in (exact[2], exact[3], exact[6], exact[7]):
        return None
    contiguous, valid_col_in_type, valid_in_type = next(iter(kinds))
    return TileWalk(exact[2], exact[3], size, exact[5], exact[6], exact[7], contiguous, valid_col_in_type,
                    exact[4] or "", valid_in_type)


def walks_chain(p: Event, c: Event, exact: tuple, cvt: bool) -> str:
    """The same-access chain's order condition, repeat by repeat (pto/walks.py): the producer's
    and the consumer's walks of the chained tile, from the op and its operands' types, and the
    consumer never ahead of the producer. Checked over every byte either touches, so an in-place
    pair's reads and writes are both covered (each walks the tile once, reading and writing each
    piece in one repeat). '' when it holds, else why not."""
    walk = _event_walk(p, exact)
    if walk is None:
        return f"the operands of {p.op} are of mixed type classes (contiguous or not)"
    produced, why = walk_kind(p.op.split(".", 1)[0], walk, producing=True)
    producer = walk_pieces(produced, walk)
    if producer is None:
        return why or f"{p.op} walks it in an order not modelled ({produced})"
    if cvt:
        consumer = cvt_source_pieces(c, exact, walk)
        consumed = ROW_BY_ROW
    else:
        consumer_walk = _event_walk(c, exact)
        if consumer_walk is None:
            return f"the operands of {c.op} are of mixed type classes (contiguous or not)"
        consumed, why = walk_kind(c.op.split(".", 1)[0], consumer_walk, producing=False)
        consumer = walk_pieces(consumed, consumer_walk)
    if consumer is None:
        return why or f"{c.op} walks it in an order not modelled ({consumed})"
    refused = chain_order_holds(producer, consumer)
    return f"{p.op} walks it {produced}, {c.op} {consumed}: {refused}" if refused else ""


def cvt_source_pieces(c: Event, exact: tuple, walk: TileWalk) -> list[tuple[int, int]] | None:
    """The source pieces a single-vconv TCVT (_cvt_reads_chain_in_order) reads per
    repeat: row by row (TCvt.hpp TCvtHead), ``256 / max(element sizes)`` elements a repeat."""
    shapes = [x.shape for x in c.accesses if x.write and x.shape is not None]
    if len(shapes) != 1 or shapes[0] is None:
        return None
    dst_size = ELEMENT_BYTES.get(shapes[0][2] or "")
    if dst_size is None:
        return None
    elements = REPEAT_BYTES // max(walk.elem_bytes, dst_size)
    return walk_pieces(ROW_BY_ROW, walk, elements * walk.elem_bytes)
