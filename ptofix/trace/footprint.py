"""The UB bytes each recorded vector intrinsic reads and writes, from its operands.

The contract is msSanitizer's own memory ranges (Ascend/mssanitizer at ffce6d2be195, read for its
rules: csrc/core/framework/record_parse.cpp turns each instruction record into memory events,
csrc/plugin/ccec/calc_instructions/*.cpp give each intrinsic's block counts and sizes,
csrc/race_sanitizer/alg_framework/mem_event_checker.cpp:127 SplitMem lays them out): block ``b``
of repeat ``r`` of an operand lies at ``addr + r * repeatStride * blockSize + b * blockStride *
blockSize``, ``blockSize`` 32 bytes on A2/A3 for the strided operands, ``blockNum`` blocks a repeat.
Every operand here covers at least msSanitizer's ranges, and at least what the hardware touches
where msSanitizer records less (a race either sees keeps a barrier). What this adds:

- count mode (``set_mask_count``; the count is ``set_vector_mask``'s second argument): exactly the
  counted elements, repeat after repeat (``256 / element`` a repeat), the last repeat partial
  (msSanitizer's MaskCountProcess, record_parse.cpp:2321); vcopy and vreducev2's source also as
  msSanitizer reads theirs, the count for each of the repeats (``per_repeat_count``);
- norm mode: msSanitizer's reading of the mask (``norm_blocks``, record_parse.cpp:2399
  MaskNormalProcess): the blocks from a repeat's first element to its highest enabled one, or
  every block for a full mask, 1-byte elements or a conversion's narrower side; when no mask was
  set in the run, a full mask;
- a count-mode count larger than the UB holds (a count set in norm mode, say ``set_vector_mask(-1,
  -1)`` then ``set_mask_count()``: how much of it the hardware reads is not modelled) cannot be
  judged;
- an element's size is the data pointer's type (ptofix/trace/trace_shim.hpp records it) or, for a
  conversion, the types its name spells; an operand's blocks a repeat follow from the repeat's
  elements (a conversion runs ``256 / max(sizes)`` elements a repeat);
- a reduction's results (vcadd, vcmax, vcmin, vcgadd, vcgmax, vcgmin) lie where msSanitizer puts
  them (``reduce_results``: one result a repeat, ``dstRepeatStride`` results apart);
- destinations whose layout the operands do not pin down exactly (a compare's bit mask, a
  gather's sources, a ``vreducev2`` whose pattern is read from memory) are over-approximated as
  said at each; a ``vreducev2`` with a built-in pattern (pto-isa's mask-pattern TGATHER) writes
  exactly the elements it keeps, packed (``_reduce_kept``);
- ``set_cmpmask`` and ``vsel``, whose bytes depend on the CMPMASK register between them, are
  ptofix/trace/select.py's;
- an intrinsic not in this table cannot be judged (the run says so; never a silent pass).

The argument orders are the cost model's declarations (pto-isa f35e7f60 include/pto/costmodel/a2a3/
cce_costmodel/cce_costmodel_vector_compute.hpp, _vector_compare.hpp, _vector_convert_*.hpp,
cce_costmodel_memory.hpp copy_ubuf_to_ubuf), the intrinsics pto-isa's a2a3 implementation issues.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..pto.tiles import BLOCK_BYTES as BLOCK
from ..pto.tiles import REPEAT_BYTES

BLOCKS_PER_REPEAT = REPEAT_BYTES // BLOCK
UB_ANYWHERE = 0x40000       # an over-approximation of A2/A3's 192 KiB UB: "anywhere in UB"
TASSIGN_SPAN = 1 << 32      # any integer a TASSIGN gives (a placement past the UB is check's to report)
UB_BIAS = 1 << 40           # trace_shim.hpp PTOFIX_TRACE_UB_BIAS
LISTS = "ptofix_lists"      # vmrgsort4's list addresses (trace_shim.hpp item 1b)
MERGE_STRUCTURE = 8         # a merge sort's score-index structure, bytes (pto-isa a2a3 TMrgSort.hpp STRUCTSIZE)
FULL = (1 << 64) - 1

# Intrinsics that read or write no UB of their own: state, synchronisation, and other pipes'
# copies (MTE2/MTE3: not vector instructions, ordered with the vector pipe by flags).
NOT_VECTOR = frozenset({
    "set_vector_mask", "set_mask_count", "set_mask_norm", "pipe_barrier", "set_flag", "wait_flag",
    "set_ctrl", "get_ctrl", "set_atomic_none", "set_atomic_add", "set_atomic_bf16", "set_atomic_f16",
    "set_atomic_f32", "set_atomic_s16", "set_atomic_s32", "set_atomic_s8", "dsb", "set_deqscale",
    "set_padding", "set_mov_pad_val", "set_nd_para", "set_fpc", "set_quant_pre", "set_ffts_base_addr",
    "ffts_cross_core_sync", "wait_flag_dev", "set_fmatrix", "set_fmatrix_b", "set_l3d_rpt",
    "copy_gm_to_ubuf_align_b8", "copy_gm_to_ubuf_align_b16", "copy_gm_to_ubuf_align_b32",
    "copy_ubuf_to_gm_align_b8", "copy_ubuf_to_gm_align_b16", "copy_ubuf_to_gm_align_b32",
    "copy_gm_to_cbuf", "copy_cbuf_to_gm", "copy_cbuf_to_bt", "copy_cbuf_to_fbuf",
    "copy_gm_to_cbuf_multi_nd2nz_b8", "copy_gm_to_cbuf_multi_nd2nz_b16", "copy_gm_to_cbuf_multi_nd2nz_b32s",
    "copy_matrix_cc_to_gm", "copy_matrix_cc_to_cbuf", "load_cbuf_to_ca", "load_cbuf_to_cb",
    "load_cbuf_to_ca_transpose", "load_cbuf_to_cb_transpose", "img2colv2_cbuf_to_ca", "img2colv2_cbuf_to_cb",
    "create_cbuf_matrix", "create_cbuf_matrix_bf16", "mad", "ptofix_element", "ptofix_removed",
    "ptofix_scalar", "ptofix_scalar_unwatched",     # (the scalar unit's accesses: record.py, check.py)
    "printf", "print", "print_str", "print_int", "print_float", "print_half", "print_hex",
})

UNARY = frozenset({"vabs", "vexp", "vln", "vsqrt", "vrsqrt", "vrelu", "vnot", "vcopy", "vrec"})
# (vsel and set_cmpmask are not decoded here: their bytes depend on the CMPMASK register, ptofix/trace/select.py.)
BINARY = frozenset({"vadd", "vsub", "vmul", "vdiv", "vmax", "vmin", "vand", "vor"})
SCALAR = frozenset({"vadds", "vmuls", "vmaxs", "vmins", "vlrelu", "vshl", "vshr", "vaxpy"})
READS_DST = frozenset({"vaxpy"})
COMPARE = re.compile(r"^vcmpv_(eq|ne|gt|ge|lt|le)$")
COMPARE_SCALAR = re.compile(r"^vcmpvs_(eq|ne|gt|ge|lt|le)$")
REDUCE = frozenset({"vcadd", "vcmax", "vcmin"})
GROUP_REDUCE = frozenset({"vcgadd", "vcgmax", "vcgmin"})
CONVERT = re.compile(r"^vconv_([a-z]+\d+)2([a-z]+\d+)[acfrzo]?$")
CONVERT_SIZES = {"f32": 4, "f16": 2, "bf16": 2, "s32": 4, "s16": 2, "s8": 1, "u8": 1, "s64": 8, "s4": 1}
# An s4 destination is half a byte an element: counted as a byte (more, never fewer, bytes).


class CannotJudge(Exception):
    """An intrinsic this table does not decode, or an operand that is no UB address."""


@dataclass(frozen=True)
class Access:
    """The bytes one operand of one intrinsic touches: sorted, merged [lo, hi) ranges."""
    ranges: tuple[tuple[int, int], ...]
    write: bool


@dataclass
class MaskState:
    count_mode: bool = False
    high: int = FULL
    low: int = FULL
    known: bool = False          # a set_vector_mask was seen (count mode needs one)


def ub(address: int, name: str) -> int:
    """A recorded operand as a UB offset: a TASSIGN'd tile's (biased) or pto-isa's own (raw)."""
    if UB_BIAS <= address < UB_BIAS + TASSIGN_SPAN:
        return address - UB_BIAS
    if 0 <= address < UB_ANYWHERE:
        return address
    raise CannotJudge(f"{name}'s operand 0x{address:x} is no UB address (a tile that no TASSIGN or TPOP placed?)")


def _merge(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    out: list[list[int]] = []
    for lo, hi in sorted(ranges):
        if hi <= lo:
            continue
        if out and lo <= out[-1][1]:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return tuple((lo, hi) for lo, hi in out)


MASK_BITS = 128     # set_vector_mask's two 64-bit halves


def _count(name: str, state: MaskState) -> int:
    """Count mode's element count, or CannotJudge when the run set none or one past what the UB
    holds (a 64-bit norm-mode mask read as a count would otherwise be walked repeat by repeat)."""
    if not state.known:
        raise CannotJudge(f"{name} runs in count mode with no count set in this run")
    if state.low > UB_ANYWHERE:
        raise CannotJudge(f"{name} runs in count mode with a count of {state.low} elements, more than the UB "
                          f"holds (how much of it the hardware reads is not modelled)")
    return state.low


def count_of(name: str, state: MaskState) -> int:
    """Count mode's element count (CannotJudge as ``_count``)."""
    return _count(name, state)


ALL_ENABLED = (1 << MASK_BITS) - 1


def norm_blocks(mask: int, size: int, per_repeat: int) -> range:
    """The blocks of one repeat a norm-mode operand of ``size``-byte elements (``per_repeat`` of them
    a repeat) touches under ``mask``: msSanitizer's reading (mssanitizer@ffce6d2 csrc/core/framework/
    record_parse.cpp:2399 MaskNormalProcess, :2376 ParseVectorMaskCount, :2279
    MaskCountProcessByRepeat). A full mask, an operand whose repeat is not 8 blocks (a conversion's
    narrower side) and 1-byte elements: every block of the repeat, the mask ignored. Otherwise every
    element from the first to the highest enabled one (a mask bit past the repeat's elements
    included: msSanitizer walks on in blocks), whether enabled or not: a superset of the blocks
    holding an enabled element (what the hardware touches)."""
    blocks = -(-per_repeat * size // BLOCK)
    if mask & ALL_ENABLED == ALL_ENABLED or blocks != BLOCKS_PER_REPEAT or size < 2:
        return range(blocks)
    per_block = BLOCK // size
    return range(-(-(mask & ALL_ENABLED).bit_length() // per_block))


def per_repeat_count(name: str, state: MaskState, address: int, repeat: int, block_stride: int,
                     repeat_stride: int, size: int) -> list[tuple[int, int]]:
    """msSanitizer's count mode for vcopy and vreducev2's source (mssanitizer@ffce6d2 record_parse.cpp:2279
    MaskCountProcessByRepeat, :2321): the count is taken as the elements of each of the ``repeat``
    repeats (the repeat argument obeyed), whole blocks ``block_stride`` apart then a partial one."""
    base = ub(address, name)
    nbytes = _count(name, state) * size
    out: list[tuple[int, int]] = []
    for r in range(repeat):
        start = base + r * repeat_stride * BLOCK
        if block_stride == 1:
            out.append((start, start + nbytes))
            continue
        for b in range(-(-nbytes // BLOCK)):
            lo = start + b * block_stride * BLOCK
            out.append((lo, lo + min(BLOCK, nbytes - b * BLOCK)))
    return out


def strided(name: str, state: MaskState, address: int, repeat: int, block_stride: int, repeat_stride: int,
            size: int, inst_size: int, masked: bool = True) -> list[tuple[int, int]]:
    """The bytes of one strided operand (``size``-byte elements; the instruction runs
    ``256 / inst_size`` elements a repeat). ``masked=False``: an operand msSanitizer records with
    no mask (norm mode's full mask; count mode is still the count)."""
    base = ub(address, name)
    per_repeat = REPEAT_BYTES // inst_size
    out: list[tuple[int, int]] = []
    if state.count_mode:
        remaining = _count(name, state)
        r = 0
        while remaining > 0:
            elements = min(per_repeat, remaining)
            nbytes = elements * size
            for b in range(-(-nbytes // BLOCK)):
                lo = base + r * repeat_stride * BLOCK + b * block_stride * BLOCK
                out.append((lo, lo + min(BLOCK, nbytes - b * BLOCK)))
            remaining -= elements
            r += 1
        return out
    mask = (state.high << 64 | state.low) if state.known and masked else ALL_ENABLED
    blocks = norm_blocks(mask, size, per_repeat)
    for r in range(repeat):
        for b in blocks:
            lo = base + r * repeat_stride * BLOCK + b * block_stride * BLOCK
            out.append((lo, lo + BLOCK))
    return out


def _span(address: int, name: str, nbytes: int) -> list[tuple[int, int]]:
    base = ub(address, name)
    return [(base, base + max(nbytes, 1))]


def _need(name: str, args: tuple[int, ...], count: int) -> None:
    if len(args) < count:
        raise CannotJudge(f"{name} recorded {len(args)} arguments, {count} expected")


def _size(name: str, element: int) -> int:
    if element <= 0:
        raise CannotJudge(f"{name}: the element size of its data was not recorded")
    return element


def access(ranges: list[tuple[int, int]], write: bool) -> Access:
    return Access(_merge(ranges), write)


def decode(name: str, args: tuple[int, ...], state: MaskState, element: int) -> list[Access]:
    """The operands' bytes of one vector intrinsic (``element``: its data's element size as the
    shim recorded it, 0 when not)."""
    def need(count: int) -> None:
        _need(name, args, count)

    def size() -> int:
        return _size(name, element)

    convert = CONVERT.match(name)
    if name in UNARY or convert:
        need(7)
        dst, src, repeat, dbs, sbs, drs, srs = args[:7]
        if convert:
            if convert.group(1) not in CONVERT_SIZES or convert.group(2) not in CONVERT_SIZES:
                raise CannotJudge(f"{name}: its element types are not known here")
            ssize, dsize = CONVERT_SIZES[convert.group(1)], CONVERT_SIZES[convert.group(2)]
        else:
            ssize = dsize = size()
        inst = max(ssize, dsize)
        reads = strided(name, state, src, repeat, sbs, srs, ssize, inst)
        writes = strided(name, state, dst, repeat, dbs, drs, dsize, inst)
        if name == "vcopy" and state.count_mode:
            # msSanitizer reads vcopy's count as each repeat's (record_parse.cpp:2329 VCOPY_OP): both readings.
            reads += per_repeat_count(name, state, src, repeat, sbs, srs, ssize)
            writes += per_repeat_count(name, state, dst, repeat, dbs, drs, dsize)
        return [access(reads, False), access(writes, True)]
    if name == "vconv_deq":
        need(7)
        dst, src, repeat, dbs, sbs, drs, srs = args[:7]     # s32 (deq-scaled) to f16
        return [access(strided(name, state, src, repeat, sbs, srs, 4, 4), False),
                access(strided(name, state, dst, repeat, dbs, drs, 2, 4), True)]
    if name == "vector_dup":
        need(7)
        dst, _scalar, repeat, dbs, _sbs, drs, _srs = args[:7]
        s = size()
        return [access(strided(name, state, dst, repeat, dbs, drs, s, s), True)]
    if name in BINARY:
        need(10)
        dst, s0, s1, repeat, dbs, s0bs, s1bs, drs, s0rs, s1rs = args[:10]
        s = size()
        return [access(strided(name, state, s0, repeat, s0bs, s0rs, s, s), False),
                access(strided(name, state, s1, repeat, s1bs, s1rs, s, s), False),
                access(strided(name, state, dst, repeat, dbs, drs, s, s), True)]
    if name in SCALAR:
        need(8)
        dst, s0, _scalar, repeat, dbs, s0bs, drs, s0rs = args[:8]
        s = size()
        out = [access(strided(name, state, s0, repeat, s0bs, s0rs, s, s), False)]
        if name in READS_DST:
            out.append(access(strided(name, state, dst, repeat, dbs, drs, s, s), False))
        out.append(access(strided(name, state, dst, repeat, dbs, drs, s, s), True))
        return out
    special = _decode_special(name, args, state, element)
    if special is not None:
        return special
    raise CannotJudge(f"no footprint is known for the intrinsic {name}")


def _repeats(name: str, state: MaskState, repeat: int, size: int) -> int:
    if state.count_mode:
        per = REPEAT_BYTES // size
        return -(-_count(name, state) // per)
    return repeat


# The cost model's vcmax/vcmin order argument (pto-isa f35e7f60 include/pto/costmodel/a2a3/
# cce_costmodel/cce_costmodel_core.hpp ONLY_VALUE = 0, include/pto/costmodel/common/qualifiers.hpp
# ONLY_INDEX = 0, VALUE_INDEX = 1): 0 is ONLY_VALUE or ONLY_INDEX, which the trace cannot tell apart.
ORDER_ONE = 0
ORDER_PAIR = 1
INDEX_BYTES = 4         # an ONLY_INDEX result: msSanitizer's ParseOrder writes 4 bytes


def reduce_layouts(name: str, mode: int, size: int) -> list[tuple[int, int]] | None:
    """The ways a reduction's one-repeat result may lie, each (its bytes, msSanitizer's data-bits
    factor), as msSanitizer records them (mssanitizer@ffce6d2 csrc/plugin/record_calc_instructions.h:270
    RecordReduceOpFunc, :1168 ParseOrder; csrc/plugin/ccec/calc_instructions/vcadd.cpp, vcmax.cpp,
    vcmin.cpp, vcgadd.cpp, vcgmax.cpp, vcgmin.cpp): vcadd (mode false) one element; vcmax/vcmin
    ONLY_VALUE one element, ONLY_INDEX 4 bytes, VALUE_INDEX a value and an index (factor 2);
    vcgadd/vcgmax/vcgmin one element a block, 8. None: a mode msSanitizer does not place (vcadd's
    mode true records no write there) or the cost model does not issue."""
    if name in GROUP_REDUCE:
        return [(BLOCKS_PER_REPEAT * size, 1)]
    if name == "vcadd":
        return [(size, 1)] if mode == 0 else None
    if mode == ORDER_ONE:
        return [(size, 1), (INDEX_BYTES, 1)]
    if mode == ORDER_PAIR:
        return [(2 * size, 2)]
    return None


def reduce_results(name: str, state: MaskState, dst: int, repeat: int, drs: int, size: int,
                   mode: int) -> list[tuple[int, int]]:
    """The bytes a reduction's results take: msSanitizer's placement (mssanitizer@ffce6d2
    csrc/core/framework/record_parse.cpp:2771 ParseRecordReduceOp, race_sanitizer/alg_framework/
    mem_event_checker.cpp:127 SplitMem), result ``r`` at ``dst + r * dstRepeatStride * length``, the
    stride's unit the result's own length (a pair for VALUE_INDEX: pto-isa's ReduceThenGroupValIdx
    packs its pairs with a stride of 1). Norm mode: ``repeat`` results. Count mode: the larger of the
    repeats the count runs and msSanitizer's result count (record_parse.cpp:2785: the count divided
    by ``256 / factor / length``, then walked ``length * 8 / dataBits`` a result; more results than
    repeats for ONLY_INDEX and VALUE_INDEX). A mode it does not place: the span from dst to a block
    past the last repeat's ``drs`` blocks (more bytes, never fewer)."""
    layouts = reduce_layouts(name, mode, size)
    if layouts is None:
        repeats = _repeats(name, state, repeat, size)
        return _span(dst, name, max(0, repeats - 1) * max(drs, 1) * BLOCK + BLOCK)
    base = ub(dst, name)
    out: list[tuple[int, int]] = []
    for length, factor in layouts:
        results = repeat
        if state.count_mode:
            count = _count(name, state)
            ratio = max(1, REPEAT_BYTES // factor // length)
            walked = max(1, length // (size * factor))
            per_count = -(-count // ratio)
            results = max(_repeats(name, state, repeat, size), -(-per_count // walked))
        out += [(base + r * drs * length, base + r * drs * length + length) for r in range(results)]
    return out


# vreducev2's built-in pattern modes 1-7: which element of each group of 2 or 4 of a repeat it keeps
# (group size, the kept element's place in it; P1111 keeps all). pto-isa f35e7f60
# include/pto/common/type.hpp, MaskPattern ("1~7 match VREDUCEv2's pattern mode"): P0101 = 1 keeps
# the first of every two elements of a repeat, P1010 = 2 the second, P0001 = 3 … P1000 = 6 the first
# to fourth of every four, P1111 = 7 every element. Mode 0 takes the pattern from src1's bits.
REDUCE_PATTERNS = {1: (2, 0), 2: (2, 1), 3: (4, 0), 4: (4, 1), 5: (4, 2), 6: (4, 3), 7: (1, 0)}


def _reduce_kept(state: MaskState, repeat: int, mode: int, size: int) -> int | None:
    """How many elements a vreducev2 with built-in pattern ``mode`` keeps (and packs at dst), or
    None for a pattern it reads from memory (mode 0) or a mode it does not have.

    Count mode: the counted elements, repeat after repeat (``256 / size`` a repeat, the last
    partial), each repeat's kept ones by their place in it. The repeat argument is then also taken
    as obeyed, each repeat adding as many (pto-isa's mask-pattern TGather, a2a3 TGather.hpp, passes
    src's valid rows as the repeat with the count set to its valid columns; ptofix/pto/count_mode.py
    gather_by_pattern_reach reads it the same way): the larger of the two readings, never fewer
    bytes. Norm mode: per repeat, the elements the pattern keeps of all the repeat's (msSanitizer
    ignores the mask there; the hardware's mask can only keep fewer)."""
    rule = REDUCE_PATTERNS.get(mode)
    if rule is None:
        return None
    every, place = rule
    per_repeat = REPEAT_BYTES // size

    def kept_of(elements: int) -> int:
        return sum(1 for i in range(elements) if i % every == place)

    if state.count_mode:
        remaining, total = _count("vreducev2", state), 0
        while remaining > 0:
            elements = min(per_repeat, remaining)
            total += kept_of(elements)
            remaining -= elements
        return total * max(1, repeat)
    # (Norm mode: msSanitizer ignores the mask, record_parse.cpp:2861 ParseReduceV2WriteElemCount,
    # every element of a repeat is read: the pattern's share of all of them.)
    return repeat * kept_of(per_repeat)


def _decode_special(name: str, args: tuple[int, ...], state: MaskState, element: int) -> list[Access] | None:
    """``decode`` of the intrinsics whose operands are not plain strided ones (None: not one of them)."""
    def need(count: int) -> None:
        _need(name, args, count)

    def size() -> int:
        return _size(name, element)

    if COMPARE.match(name) or COMPARE_SCALAR.match(name):
        binary = COMPARE.match(name) is not None
        need(10 if binary else 8)
        if binary:
            dst, s0, s1, repeat, dbs, s0bs, s1bs, drs, s0rs, s1rs = args[:10]
        else:
            dst, s0, _scalar, repeat, dbs, s0bs, drs, s0rs = args[:8]
        s = size()
        # msSanitizer records a compare with no mask (mssanitizer@ffce6d2 csrc/plugin/ccec/calc_instructions/
        # vcmpv.cpp, vcmpvs.cpp: useMask false): 8 whole blocks for each of ``repeat`` repeats, the
        # repeat argument obeyed even in count mode. With the mask's reading: both.
        def source(address: int, bs: int, rs: int) -> Access:
            return access(strided(name, state, address, repeat, bs, rs, s, s)
                          + strided(name, MaskState(), address, repeat, bs, rs, s, s), False)

        out = [source(s0, s0bs, s0rs)]
        if binary:
            out.append(source(s1, s1bs, s1rs))
        # The bit-mask result: one bit an element, ``bits`` = 256 / 8 / s bytes a repeat. Taken as
        # every reading of its strides: a 32-byte block a repeat ``drs`` blocks apart; the bits packed
        # one repeat after another (vcmpvs in msSanitizer); a repeat's bits ``drs`` times their own
        # size apart (vcmpv in msSanitizer: dst blockSize 16 for b16, 8 for b32, repeatStride dstRepeatStride).
        repeats = max(_repeats(name, state, repeat, s), repeat)
        base = ub(dst, name)
        bits = REPEAT_BYTES // s // 8
        ranges = [(base, base + max(repeats * bits, 1))]
        ranges += [(base + r * drs * BLOCK, base + r * drs * BLOCK + BLOCK) for r in range(repeats)]
        ranges += [(base + r * drs * bits, base + r * drs * bits + bits) for r in range(repeats)]
        out.append(access(ranges, True))
        return out
    if name in REDUCE or name in GROUP_REDUCE:
        need(7 if name in REDUCE else 6)
        # (The cost model's vcgadd names its last two arguments src0/src1RepeatStride; they are
        # the source's block and repeat strides, as msSanitizer's vcgadd.cpp and pto-isa's callers
        # (TRowSum: 1, 8) have them.)
        dst, src, repeat, drs, sbs, srs = args[:6]
        s = size()
        out = [access(strided(name, state, src, repeat, sbs, srs, s, s), False)]
        out.append(access(reduce_results(name, state, dst, repeat, drs, s, args[6] if name in REDUCE else 0), True))
        return out
    if name == "vbrcb":
        need(5)
        dst, src, dbs, drs, repeat = args[:5]
        s = size()
        # Each repeat reads 8 source elements and writes each to one 32-byte block (mask ignored).
        base = ub(src, name)
        reads = [(base + r * 8 * s, base + (r + 1) * 8 * s) for r in range(repeat)]
        d = ub(dst, name)
        writes = [(d + r * drs * BLOCK + b * dbs * BLOCK, d + r * drs * BLOCK + b * dbs * BLOCK + BLOCK)
                  for r in range(repeat) for b in range(BLOCKS_PER_REPEAT)]
        return [access(reads, False), access(writes, True)]
    if name == "copy_ubuf_to_ubuf":
        need(7)
        dst, src, _sid, bursts, length, src_gap, dst_gap = args[:7]
        s_base, d_base = ub(src, name), ub(dst, name)
        reads = [(s_base + i * (length + src_gap) * BLOCK, s_base + (i * (length + src_gap) + length) * BLOCK)
                 for i in range(bursts)]
        writes = [(d_base + i * (length + dst_gap) * BLOCK, d_base + (i * (length + dst_gap) + length) * BLOCK)
                  for i in range(bursts)]
        return [access(reads, False), access(writes, True)]
    if name == "vbitsort":
        need(4)
        dst, src, idx, repeat = args[:4]
        s = size()
        sb, ib, db = ub(src, name), ub(idx, name), ub(dst, name)
        return [access([(sb, sb + repeat * 32 * s)], False), access([(ib, ib + repeat * 32 * 4)], False),
                access([(db, db + repeat * 32 * 8)], True)]
    if name == "vmrgsort4":
        return _merge_sort(args)
    if name in ("vgather", "vgatherb"):
        # The sources are wherever the offsets point: all of UB is read. The offsets (4 bytes each)
        # and the destination as msSanitizer takes them (mssanitizer@ffce6d2 csrc/plugin/
        # record_calc_instructions.h:804 ClassifyVgatherByMaskMode; vgather.cpp, vgatherb.cpp):
        # norm mode, ``repeat`` repeats of 256 / s offsets (vgatherb: 8, one a block) read from the
        # offset operand on, 8 blocks a repeat written ``drs`` blocks apart (vgatherb: the blocks
        # ``dbs`` apart); count mode (vgather), the counted offsets and elements packed from each
        # operand's start, however many repeats. Here: the span over all of them.
        need(5 if name == "vgather" else 6)
        dst, offset, drs = args[0], args[1], args[3]
        repeat, dbs = (args[4], 1) if name == "vgather" else (args[5], args[4])
        s = size()
        d = ub(dst, name)
        offsets = max(repeat, 1) * (REPEAT_BYTES // s if name == "vgather" else BLOCKS_PER_REPEAT) * 4
        written = max(0, repeat - 1) * max(drs, 1) * BLOCK + (BLOCKS_PER_REPEAT - 1) * max(dbs, 1) * BLOCK + BLOCK
        if state.count_mode:
            counted = _count(name, state)
            offsets, written = max(offsets, counted * 4), max(written, counted * s)
        return [access([(0, UB_ANYWHERE)], False), access(_span(offset, name, offsets), False),
                access([(d, d + written)], True)]
    if name == "vreducev2":
        need(8)
        dst, s0, s1, repeat, s0bs, _pattern, s0rs, s1rs = args[:8]
        s = size()
        # src0 as msSanitizer reads it (mssanitizer@ffce6d2 record_parse.cpp:2884 ParseRecordReduceV2):
        # norm mode ignores the mask (8 whole blocks a repeat); count mode takes the count as each
        # repeat's. With the mask's and the count's own readings: both.
        reads = strided(name, state, s0, repeat, s0bs, s0rs, s, s, masked=False)
        if state.count_mode:
            reads += per_repeat_count(name, state, s0, repeat, s0bs, s0rs, s)
        out = [access(reads, False)]
        try:       # the pattern operand (an address in the mask-pattern form)
            out.append(access(_span(s1, name, max(repeat, 1) * max(s1rs, 1) * BLOCK + BLOCK), False))
        except CannotJudge:
            if _pattern == 0:      # (mode 0 reads it: no UB address there cannot be judged)
                raise
        kept = _reduce_kept(state, repeat, _pattern, s)
        if kept is None:
            # A pattern read from src1 (mode 0: TGATHER's compare form) keeps a data-dependent
            # number of elements: at most every element of every repeat (count mode, msSanitizer:
            # at most the count of every repeat, record_parse.cpp:2861).
            most = _repeats(name, state, repeat, s) * REPEAT_BYTES
            if state.count_mode:
                most = max(most, _count(name, state) * max(repeat, 1) * s)
            out.append(access(_span(dst, name, most), True))
        else:
            # The kept elements, packed from dst on (vreducev2 has no destination stride).
            out.append(access(_span(dst, name, kept * s), True))
        return out
    return None


def _merge_sort(args: tuple[int, ...]) -> list[Access]:
    """vmrgsort4(dst, lists, count, config) and the list addresses the shim recorded before it (args 4-7,
    trace_shim.hpp item 1b): it merges up to 4 sorted lists of 8-byte score-index structures (a2a3
    TMrgSort.hpp STRUCTSIZE) into dst. config: Xt[7:0] the repeat count, Xt[11:8] which lists are
    read; count: list i's structures in bits [16i, 16i + 16). A repeat reads each list's structures
    and writes them all, packed, after the previous repeat's; repeat k's lists lie k times the
    repeat's bytes after the first's (the single-source form, TMrgsort(dst, src, n, repeat): 4 lists
    of n structures each, one after another). With input-list exhausted suspension (Xt[12]) it may
    stop early: every structure is counted (more bytes, never fewer). A repeat count of 0 or a list
    read of 0 structures (what the hardware does then is not documented, pto-facts §8 "TMRGSORT")
    cannot be judged."""
    name = "vmrgsort4"
    _need(name, args, 8)
    dst, _array, count, config = args[:4]
    repeat, valid = config & 0xFF, (config >> 8) & 0xF
    if repeat == 0 or any(valid >> i & 1 and not (count >> (16 * i)) & 0xFFFF for i in range(4)):
        raise CannotJudge(f"{name}: a repeat count of 0 or a list of 0 structures (not documented)")
    sizes = [((count >> (16 * i)) & 0xFFFF) * MERGE_STRUCTURE if valid >> i & 1 else 0 for i in range(4)]
    total = sum(sizes)
    reads = []
    for i in range(4):
        if valid >> i & 1:
            base = ub(args[4 + i], name)
            reads += [(base + k * total, base + k * total + sizes[i]) for k in range(repeat)]
    return [access(reads, False), access(_span(dst, name, repeat * total), True)]


# The MTE copies between GM and UB pto-isa's a2a3 TLOAD/TSTORE issue (pto-isa f35e7f60
# include/pto/costmodel/a2a3/cce_costmodel/cce_costmodel_memory.hpp): (UB side's argument, the UB
# gap's argument, UB written, the pipe that runs it: MTE2 loads, MTE3 stores, as the CCE intrinsic
# reference gives them). Arguments: ``(dst, src, sid, nBurst, lenBurst, leftPadding, rightPadding,
# gap, gap)``, lenBurst in bytes, padding in elements, the UB gap in 32-byte blocks.
COPY_ELEMENT = {"b8": 1, "b16": 2, "b32": 4}
COPIES = re.compile(r"^copy_(gm_to_ubuf|ubuf_to_gm)_align_(b8|b16|b32)$")


def decode_copy(name: str, args: tuple[int, ...]) -> tuple[bool, list[Access]] | None:
    """(whether it is a load, the UB bytes it writes or reads) of an MTE copy between GM and UB, or
    None for any other intrinsic. Each burst takes whole 32-byte blocks of UB (its bytes and its
    padding rounded up: never fewer), the next burst starting the UB gap's blocks after them."""
    found = COPIES.match(name)
    if found is None:
        return None
    _need(name, args, 9)
    load = found.group(1) == "gm_to_ubuf"
    ub_operand, ub_gap = (args[0], args[8]) if load else (args[1], args[7])
    bursts, length, left, right = args[3], args[4], args[5], args[6]
    span = -(-(length + (left + right) * COPY_ELEMENT[found.group(2)]) // BLOCK) * BLOCK
    base = ub(ub_operand, name)
    ranges = [(base + i * (span + ub_gap * BLOCK), base + i * (span + ub_gap * BLOCK) + span) for i in range(bursts)]
    return load, [access(ranges, load)]
