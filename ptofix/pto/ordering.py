"""Which orders the A2/A3 hardware gives the vector pipe: one home for the barrier proof and the simulator.

docs/reference/pto-facts.md §2 (internal drains) and §8.2.1 (what the scalar unit waits for) give
the sources. (Which pairs a barrier must separate is the race model's, pto/race_model.py; the
same-access chain rule its opt-in credits is pto/same_access_chain.py.) The proof's walks model
the flag rule on their own (a V->S pair drains only along a path through both halves and then
an S->V pair, the round trip the vendor's rule counts: barriers.BarrierAnalysis.ops_in_flight)
and read no scalar GM access as a drain. The simulator
(sim/interp.py, sim/schedule.py) reads all of it. In short:

* A scalar access to GM (``v = ptr[i];``, ``ptr[i] = v;``) waits for no vector work: the scalar
  unit issues it as soon as its own earlier instructions are done. Vector work is ordered before
  it only by a drain or by a ``set_flag(PIPE_V, PIPE_S, e)`` ... ``wait_flag(PIPE_V, PIPE_S, e)``
  pair (``SCALAR_GM_ACCESS_WAITS_FOR_VECTOR``).
* ``wait_flag(P, Q, e)`` holds pipe Q until the matching ``set_flag(P, Q, e)``: the earliest set of
  the same pipes and event not yet consumed by a wait. For P = PIPE_V it orders the V work issued
  before *that* set, not the V work issued since (``wait_orders_up_to_its_set``). A wait with no
  set of its own pending consumes one made elsewhere (an earlier launch, a helper): it orders
  nothing the kernel shows.
* Which ops walk their operands element for element (``WALKED_IN_REPEAT_ORDER``,
  ``COL_EXPAND_WALKED_BY_CHUNKS``) live here; in which order each walks a tile, ``walks.py``.
* Internal drains the proof's op table does not carry because they depend on a path chosen inside
  the op: ``TROWEXPAND``'s scalar path (``row_expand_takes_scalar_path``) drains V before each
  row's scalar read of the source, through an ``EVENT_ID0`` V->S flag round trip; ``TCOLPROD``
  ends with ``pipe_barrier(PIPE_V)`` when its valid shape is non-empty (``ops.OPS``).
"""
from __future__ import annotations

# A scalar GM access does not wait for PIPE_V (see above).
SCALAR_GM_ACCESS_WAITS_FOR_VECTOR = False

# The event the TROWEXPAND scalar path's V->S and S->V round trips use (TRowExpand.hpp).
ROW_EXPAND_SCALAR_EVENT = 0

# pto's events on A2/A3: EVENT_ID0..EVENT_ID7 (a 3-bit field).
EVENT_IDS = 8


def event_number(spelling: str) -> int | None:
    """The number of an event id spelled ``EVENT_IDn`` or ``n`` (0..7); None for any other."""
    text = spelling[len("EVENT_ID"):] if spelling.startswith("EVENT_ID") else spelling
    if not text.isascii() or not text.isdigit() or len(text) > 3:
        return None
    number = int(text)
    return number if number < EVENT_IDS else None


def wait_orders_up_to_its_set(src: str, dst: str) -> bool:
    """Whether ``wait_flag(src, dst, e)`` makes the V work issued before its matching set complete
    before the waiting pipe goes on: true for a V -> scalar flag (the scalar unit then holds
    every later issue, vector ones included), and for any flag into V (V's own later work waits)."""
    return (src == "PIPE_V" and dst == "PIPE_S") or dst == "PIPE_V"


# The ops that walk every operand element for element in one order when all their operands share
# one shape and valid shape (which order: pto/walks.py): only these (and the expand families) can
# form a same-access chain (PTOAS PR 674; docs/reference/pto-facts.md §5.3).
# pto-isa a2a3 TBinOp.hpp, TBinSOp.hpp and TUnaryOp.hpp at 3186c381
# (https://github.com/hw-native-sys/pto-isa/blob/3186c381/include/pto/npu/a2a3/TUnaryOp.hpp).
# Reductions, broadcasts of a per-row/per-col operand and dtype conversions read with another
# pattern. Not TMOV (a ubuf-to-ubuf copy burst whose pace against vector repeats is not
# documented), the TROWEXPAND* (vbrcb path only) and TCOLEXPAND* families with their own order,
# and TAND/TOR(S) only on 16-bit data (``CHAIN_16BIT_ONLY``). "Contiguous" is the tile *type's*
# for the TBinS ops (TADDS, TSUBS, TMULS, TDIVS, TMAXS, TMINS; TNEG is a TMULS): pto-isa's recorded
# trace (ptofix/pto/derived_facts.json, docs/reference/pto-facts.md §0.2) shows them walking a type
# with a dynamic valid shape column chunk by column chunk whatever the run-time valid shape, while
# TADD, TEXP and the other ops of the set test the run-time shape (issue #55).
WALKED_IN_REPEAT_ORDER = frozenset({
    "TADD", "TSUB", "TMUL", "TDIV", "TMAX", "TMIN", "TAND", "TOR", "TADDS", "TSUBS", "TMULS", "TDIVS", "TMAXS",
    "TMINS", "TANDS", "TORS", "TEXP", "TLOG", "TSQRT", "TRECIP", "TABS", "TNEG", "TRELU", "TNOT", "TEXPANDS",
})


# The broadcast binary TCOLEXPAND ops that walk dst and their full source element for element (in
# column chunks or a row at a time: pto/walks.py; pto-isa a2a3 TColExpandBinOp.hpp). Not the plain
# TCOLEXPAND (a copy of one row), nor TCOLEXPANDEXPDIF, which ends each chunk with a barrier and an
# in-place exp.
COL_EXPAND_WALKED_BY_CHUNKS = frozenset({"TCOLEXPANDMUL", "TCOLEXPANDADD", "TCOLEXPANDDIV", "TCOLEXPANDSUB",
                                         "TCOLEXPANDMAX", "TCOLEXPANDMIN"})

def row_expand_takes_scalar_path(elem_bytes: int, static_shapes: bool, src_row_major: bool, src_rows: int,
                                 src_cols: int, dst_rows: int, dst_cols: int) -> bool:
    """Whether ``TROWEXPAND(dst, src)`` takes its scalar path (pto-isa a2a3 TRowExpand.hpp
    ``TROWEXPAND_IMPL``): every case but a 16/32-bit broadcast of static shapes from a [1, M] RowMajor
    or [M, 1] non-RowMajor source into [M, one 32-byte block], which is one ``vbrcb``.
    ``static_shapes``: both tiles' valid shapes are their static Rows and Cols."""
    per_block = 32 // elem_bytes if elem_bytes in (2, 4) else 0
    if src_row_major:
        broadcast = src_rows == 1 and src_cols == dst_rows and dst_cols == per_block
    else:
        broadcast = src_cols == 1 and src_rows == dst_rows and dst_cols == per_block
    return not (per_block and static_shapes and broadcast)


# The vbrcb path of a binary TROWEXPAND* (pto-isa a2a3 TRowExpandBinOp.hpp TRowExpandBinaryInstr
# and TRowExpandBinaryNormMode, the same at 14f761c8, b9122ec5 and 3186c381): its broadcast
# scratch holds 32 vbrcb repeats of 8 rows, and one instruction at most 255 repeats, so from 256
# valid rows on it broadcasts and runs 30 repeats (240 rows) at a time.
ROW_EXPAND_CHUNK_ROWS = 240
ROW_EXPAND_CHUNKED_FROM_ROWS = 256
_ROWS_PER_BROADCAST_REPEAT = 8
_BROADCAST_REPEATS_PER_CHUNK = ROW_EXPAND_CHUNK_ROWS // _ROWS_PER_BROADCAST_REPEAT


def row_expand_chunks(valid_rows: int) -> list[tuple[int, int, bool]]:
    """The rows [first, end) of dst that each broadcast-then-op step of a binary TROWEXPAND*'s
    vbrcb path covers, and whether a barrier follows its op. Below 256 valid rows one step and no
    barrier after it; from 256 on a step of 240 rows for every 30 whole broadcast repeats (a
    barrier after each), then the rest, if any repeat is left, with none. (A step of 240 rows runs
    240 rows even where fewer valid rows are left, as with 473 to 479 valid rows: the ends are
    clipped to the valid rows here.)"""
    if valid_rows < ROW_EXPAND_CHUNKED_FROM_ROWS:
        return [(0, valid_rows, False)]
    repeats = -(-valid_rows // _ROWS_PER_BROADCAST_REPEAT)
    whole = repeats // _BROADCAST_REPEATS_PER_CHUNK
    chunks = [(i * ROW_EXPAND_CHUNK_ROWS, min(valid_rows, (i + 1) * ROW_EXPAND_CHUNK_ROWS), True)
              for i in range(whole)]
    if repeats % _BROADCAST_REPEATS_PER_CHUNK:
        chunks.append((whole * ROW_EXPAND_CHUNK_ROWS, valid_rows, False))
    return chunks
