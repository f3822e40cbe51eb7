"""The ``TPipe<...>`` template of pto-isa (docs/reference/pto-facts.md §4.1, §4.2).

``template <FlagID, DirType, SlotSize, SlotNum, LocalSlotNum = 2, IsNoSplit = false,
EN_UNIT_FLAG = false>`` since pto-isa 2dee72c3 (2026-04-10); ptoas emits that order since PTOAS
0af11f61 (2026-04-14). Before, ptoas printed ``<F, Dir, Size, Num, <nosplit bool>[, Local]>``
("old" order). Some emitters print only the first four arguments ("short"). The order of one
written type is decided from the literals: which of positions 5/6 holds the bool.
"""
from __future__ import annotations

import os

from ..records import Value

# Where a pto-isa checkout declares TPipe (its argument order tells which LocalSlotNum binds). The
# order is read from there in one place, isa_version.py (a checkout's, and local-slot-num's pto-lib).
HEADER_RELPATH = "include/pto/npu/a2a3/TPush.hpp"


def pto_lib_headers(path: str) -> tuple[str, ...]:
    """Where a `pto-lib` ``path`` (local-slot-num's: the pto-isa checkout, its ``include`` directory,
    or the header itself) may hold the TPipe header, in the order they are tried (the first file is
    the one read: isa_version.pto_lib_tpipe_order)."""
    return path, os.path.join(path, HEADER_RELPATH), os.path.join(path, HEADER_RELPATH.split("/", 1)[1])

DEFAULT_LOCAL_SLOT_NUM = 2
DEFAULT_NOSPLIT = False
DEFAULT_UNIT_FLAG = False

NEW = "new"        # <F, Dir, Size, Num, Local, NoSplit[, UnitFlag]>
OLD = "old"        # <F, Dir, Size, Num, NoSplit[, Local[, UnitFlag]]>
SHORT = "short"    # <F, Dir, Size, Num> (header defaults for the rest)
UNKNOWN = "unknown"
NO_NOSPLIT = "no-nosplit"   # a header's <F, Dir, Size, Num, Local, UnitFlag> (2026-03-26 to 04-09)

# pto-isa include/pto/common/fifo.hpp; the _GM variants exist on A5 only.
DIRECTIONS = {"DIR_C2V": 1, "DIR_V2C": 2, "DIR_BOTH": 3, "DIR_V2C_CTRL": 4,
              "DIR_C2V_GM": 5, "DIR_V2C_GM": 6, "DIR_BOTH_GM": 7}

# The IR's dir_mask attribute (1, 2, 3) prints as these tokens on A2/A3 (docs/reference/pto-ir.md §2).
MASK_DIRECTIONS = {1: "DIR_C2V", 2: "DIR_V2C", 3: "DIR_BOTH"}
GM_SUFFIX = "_GM"          # A5 l2g2l pipes print DIR_C2V_GM / DIR_V2C_GM

# Directions whose Acc TPUSH EN_UNIT_FLAG affects (§4.2).
UNIT_FLAG_DIRECTIONS = ("DIR_C2V", "DIR_BOTH")

# The stride between the slots of a Tile-form TPOP's local ring (pto-facts.md §4.1): the popped
# tile's bytes up to pto-isa ab903c91 (2026-08-12), SlotSize from it on.
STRIDE_TILE = "tile"
STRIDE_SLOT = "slot"

# Which constructor argument is the consumer buffer a Tile-form TPOP binds its tile into:
# TPipe(gm_slot_buffer, c2v_consumer_buf, v2c_consumer_buf). The consumer picks it by the popped
# tile's memory space, not by the pipe's direction (pto-isa a2a3 TPush.hpp `pop`: a Vec tile goes
# through popVecTileFromGMFiFo into C2V_CONSUMER_BUF, a Mat tile into V2C_CONSUMER_BUF).
CONSUMER_BUFFER_ARG = {"Vec": 1, "Mat": 2}


# The arguments after SlotNum, by written order; any prefix of a tail may be written.
TAIL_ORDER = {NEW: ("local", "nosplit", "unit"), OLD: ("nosplit", "local", "unit")}


class Layout(Value):
    """(A records.Value, not a NamedTuple: the typing.NamedTuple this was compiled each field's
    annotation into a ForwardRef at import, ~0.3 ms of every run; issue #70 item 7.)"""
    order: str
    local: int | None      # index of LocalSlotNum among the template arguments (None: not written)
    nosplit: int | None
    unit_flag: int | None


def layout(values: list) -> Layout:
    """Argument layout of a written ``TPipe<...>`` from its literal values (int, bool, or other)."""
    def is_int(v) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    def is_bool(v) -> bool:
        return isinstance(v, bool)

    n = len(values)
    tail = values[4:]
    if n == 4:
        return Layout(SHORT, None, None, None)
    if n == 5:
        if is_int(tail[0]):
            return Layout(NEW, 4, None, None)
        if is_bool(tail[0]):
            return Layout(OLD, None, 4, None)
    elif n == 6:
        if is_int(tail[0]) and is_bool(tail[1]):
            return Layout(NEW, 4, 5, None)
        if is_bool(tail[0]) and is_int(tail[1]):
            return Layout(OLD, 5, 4, None)
    elif n == 7:
        if is_int(tail[0]) and is_bool(tail[1]) and is_bool(tail[2]):
            return Layout(NEW, 4, 5, 6)
        if is_bool(tail[0]) and is_int(tail[1]) and is_bool(tail[2]):
            return Layout(OLD, 5, 4, 6)
    return Layout(UNKNOWN, None, None, None)


def ring_depths(values: list, header_order: str = "") -> frozenset[int] | None:
    """The LocalSlotNum a written ``TPipe<...>`` may bind to (the Tile-form TPOP's ring depth),
    whichever header compiles it; None when the model cannot tell (another order, a name, a
    depth of 0: `index % 0` is no ring).

    The written order (``layout``) says what ptoas meant; a header of another order binds the
    same literals otherwise. pto-isa c2d8efbe (2026-04-09, one day before 2dee72c3) declares
    ``<..., SlotNum, bool IsNoSplit = false, uint32_t LocalSlotNum = 2, ...>``: a new-order
    LocalSlotNum written as 1 converts to its bool IsNoSplit (0 and 1 do without narrowing), and
    its LocalSlotNum is then the next argument (a bool: 0 or 1) or the default 2. A depth that
    reading gives too counts, unless it is 0 (under such a header the kernel divides by zero,
    no build of it runs).

    ``header_order``: the order of the TPipe template of the headers known to compile the kernel
    (NEW, OLD or NO_NOSPLIT, pipes.header_order of a --pto-isa checkout): then only that header's
    reading counts; "" (not known): every header's."""
    shape = layout(values)
    if shape.order == SHORT:
        return frozenset({DEFAULT_LOCAL_SLOT_NUM})
    if shape.order != NEW or shape.local is None:
        return None
    local = values[shape.local]
    if not isinstance(local, int) or isinstance(local, bool) or local <= 0:
        return None
    if header_order in (NEW, NO_NOSPLIT):
        return frozenset({local})        # LocalSlotNum is the fifth argument there too
    depths = set() if header_order == OLD and local == 1 else {local}
    if local == 1:
        after = values[shape.local + 1] if len(values) > shape.local + 1 else DEFAULT_LOCAL_SLOT_NUM
        if int(after) > 0:
            depths.add(int(after))
    return frozenset(depths) if depths else None


def flag_width(direction: str | None) -> int:
    """Flags a pipe uses from its FlagID: 2 for one direction, 4 for DIR_BOTH (§4.1)."""
    return 4 if direction in ("DIR_BOTH", "DIR_BOTH_GM") else 2


def direction_token(dir_mask: int, gm: bool = False) -> str:
    """The ``Direction::`` token of an IR ``dir_mask`` (``gm``: the A5 global-memory variant)."""
    if dir_mask not in MASK_DIRECTIONS:
        raise ValueError(f"dir_mask must be 1, 2 or 3, got {dir_mask}")
    token = MASK_DIRECTIONS[dir_mask]
    return token + GM_SUFFIX if gm and dir_mask != 3 else token


def base_direction(token: str | None) -> str | None:
    """A direction token without the A5 ``_GM`` suffix."""
    return token[:-len(GM_SUFFIX)] if token is not None and token.endswith(GM_SUFFIX) else token


def render(flag_id: int, direction: str, slot_size: int, slot_num: int, local_slot_num: int, nosplit: bool,
           order: str = NEW) -> str:
    """``TPipe<...>`` as ptoas prints it in ``order`` (new: Local before NoSplit; old: the reverse)."""
    tail = {"local": str(local_slot_num), "nosplit": "true" if nosplit else "false"}
    names = [name for name in TAIL_ORDER[order] if name in tail]
    args = [str(flag_id), f"Direction::{direction}", str(slot_size), str(slot_num)] + [tail[n] for n in names]
    return f"TPipe<{', '.join(args)}>"
