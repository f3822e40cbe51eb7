"""The events of a function's CFG (FunctionCFG) and the UB accesses they make: an Event is one op,
barrier, flag or unknown statement, an Access the bytes one tile operand reads or writes."""
from __future__ import annotations

import enum

from ..pto.tiles import SPACE_BYTES
from ..structs import Struct
from .model import Stmt

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import ClassVar, Final


UB_SPACE: Final = "Vec"



class EventKind(enum.Enum):
    OP = "op"                # a PIPE_V instruction (or one phase of one)
    DRAIN = "drain"          # waits for every earlier PIPE_V instruction
    BARRIER = "barrier"      # pipe_barrier(PIPE_V): a drain the pass may remove
    UNKNOWN = "unknown"      # not understood: touches all UB, drains nothing
    CALL = "call"            # call of a local function, resolved to NOP or UNKNOWN later
    SET_VS = "set_vs"        # set_flag(PIPE_V, PIPE_S, e)
    WAIT_VS = "wait_vs"      # wait_flag(PIPE_V, PIPE_S, e)
    # Any other set_flag / wait_flag between two pipes, its flag an Event's ``flag`` (FlagTag): a chain
    # of them (V signals X, X waits for it and then signals Y, ..., V waits) orders V's work before it
    # with V's work after it; only `ptofix check` reads chains, the proof does not rely on them.
    FLAG_SET = "flag_set"
    FLAG_WAIT = "flag_wait"
    NOP = "nop"


class Access(Struct):
    __slots__ = ("name", "write", "space", "intervals", "exact", "tmp", "contiguous_repeats", "elementwise", "shape",
                 "unknown_why", "type_contiguous", "valid_col_in_type", "valid_in_type", "buffer")
    name: str                       # variable or "<hidden scratch>"
    write: bool
    space: str | None            # None = any space
    intervals: list | None       # [(lo, hi)], None = unknown (whole space)
    exact: tuple | None   # key for the same-access rule, None if not provable
    tmp: bool
    contiguous_repeats: int     # producer repeat count when contiguous (same-access rule), else 0
    elementwise: bool       # op walks this operand element-for-element like its dst
    shape: tuple | None      # (rows, cols, dtype, blayout, valid rows, valid cols) when static
    unknown_why: str           # why the bytes are unknown, when that is not the plain reason
    # The tile's *type* is contiguous as pto-isa tests it at compile time (``Cols == ValidCol`` with
    # a static ValidCol, or one row), and whether the type spells ValidCol: which path an op takes
    # may depend on the type, not the run-time valid shape (pto/walks.py).
    type_contiguous: bool
    valid_col_in_type: bool
    valid_in_type: bool          # the type spells both valid dimensions
    # The one tile variable (its declared symbols.Symbol, compared by identity) the operand provably is,
    # one buffer value as ptoas's sync analysis tells them (PTOAS BaseMemInfo's baseBuffer): a
    # declaration bound once (tile_accesses.one_buffer). None: not provably one (the same-access
    # chain then credits nothing on it).
    buffer: object | None
    _fields: ClassVar[tuple[str, ...]] = ("name", "write", "space", "intervals", "exact", "tmp", "contiguous_repeats",
                                          "elementwise", "shape", "unknown_why", "type_contiguous",
                                          "valid_col_in_type", "valid_in_type", "buffer")

    def __init__(
            self,
            name: str,
            write: bool,
            space: str | None,
            intervals: list | None,
            exact: tuple | None = None,
            tmp: bool = False,
            contiguous_repeats: int = 0,
            elementwise: bool = False,
            shape: tuple | None = None,
            unknown_why: str = "",
            type_contiguous: bool = False,
            valid_col_in_type: bool = False,
            valid_in_type: bool = False,
            buffer: object | None = None,
    ) -> None:
        self.name = name
        self.write = write
        self.space = space
        self.intervals = intervals
        self.exact = exact
        self.tmp = tmp
        self.contiguous_repeats = contiguous_repeats
        self.elementwise = elementwise
        self.shape = shape
        self.unknown_why = unknown_why
        self.type_contiguous = type_contiguous
        self.valid_col_in_type = valid_col_in_type
        self.valid_in_type = valid_in_type
        self.buffer = buffer

    def overlaps(self, other: Access) -> bool:
        if self.space is not None and other.space is not None and self.space != other.space:
            return False
        if self.intervals is None or other.intervals is None:
            return True
        return any(a < d and c < b for a, b in self.intervals for c, d in other.intervals)

    def describe(self) -> str:
        where = "unknown bytes" if self.intervals is None else ", ".join(f"[{a}, {b})" for a, b in self.intervals)
        return f"{self.name} ({self.space or 'any space'} {where})"


# The tag of a DRAIN event that is an op's own barrier after its work (`... ends with
# pipe_barrier(PIPE_V)`, vbrcb's): the op itself is its neighbour (barrier_flags.nearest_op).
INTERNAL_BARRIER: Final = "<internal barrier>"


class FlagTag(Struct):
    """The flag a set_flag/wait_flag between two different pipes sets or waits for (a FLAG_SET or
    FLAG_WAIT event's ``flag``; V->S flags are SET_VS/WAIT_VS events, their event id the ``tag``):
    its source and destination pipes, pto's enumerator names (call_statements reads no other: a flag
    of any other pipe is an Unknown statement), and its event id, UNKNOWN_EVENT_ID when it may vary.
    Equal and hashed by value (the walks' states hold it); ``key`` is the (src, dst, event) triple
    the flag dataflow (barrier_flags, flag_states) names a flag by."""

    __slots__ = ("src_pipe", "dst_pipe", "event")
    src_pipe: str
    dst_pipe: str
    event: str
    _fields: ClassVar[tuple[str, ...]] = ("src_pipe", "dst_pipe", "event")

    def __init__(self, src_pipe: str, dst_pipe: str, event: str) -> None:
        self.src_pipe = src_pipe
        self.dst_pipe = dst_pipe
        self.event = event

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FlagTag) and self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())

    def key(self) -> tuple[str, str, str]:
        return self.src_pipe, self.dst_pipe, self.event

    def pipes(self) -> tuple[str, str]:
        return self.src_pipe, self.dst_pipe


class Event(Struct):
    __slots__ = ("kind", "stmt", "op", "accesses", "why", "tag", "callee", "succ", "pred", "order", "flag")
    kind: EventKind
    stmt: Stmt | None
    op: str
    accesses: Sequence[Access]      # set when made, never changed
    why: str                    # for unknown events / drains
    tag: str                    # SET_VS / WAIT_VS event id; WINDOW_BOUND: an UNKNOWN ending a walk
    callee: str                 # CALL
    succ: list   # [(Event, is_back_edge)]
    pred: list
    order: int
    flag: FlagTag | None        # FLAG_SET / FLAG_WAIT: the flag
    _fields: ClassVar[tuple[str, ...]] = ("kind", "stmt", "op", "accesses", "why", "tag", "callee", "succ", "pred",
                                          "order", "flag")

    def __init__(
            self,
            kind: EventKind,
            stmt: Stmt | None = None,
            op: str = "",
            accesses: Sequence[Access] = (),
            why: str = "",
            tag: str = "",
            callee: str = "",
            succ: list | None = None,
            pred: list | None = None,
            order: int = 0,
            flag: FlagTag | None = None,
    ) -> None:
        self.kind = kind
        self.stmt = stmt
        self.op = op
        self.accesses = accesses
        self.why = why
        self.tag = tag
        self.callee = callee
        self.succ = [] if succ is None else succ
        self.pred = [] if pred is None else pred
        self.order = order
        self.flag = flag


# The event id of a flag whose event is not one constant (a parameter, a cast, a variable that
# changes): it may be any event, so it pairs with none and may set or consume each.
UNKNOWN_EVENT_ID: Final = "?"



def unknown_bytes(access: Access, why: str) -> Access:
    return rebuilt(access, None, None, why)


def rebuilt(access: Access, intervals: list | None, shape: tuple | None, why: str = "") -> Access:
    """``access`` over other bytes (``intervals``; None: unknown, for ``why``), no longer an exact
    access, of ``shape``, with its tile type's flags (how the type tests contiguity: pto/walks.py)."""
    return Access(access.name, access.write, access.space, intervals, None, access.tmp, shape=shape,
                  unknown_why=why, type_contiguous=access.type_contiguous,
                  valid_col_in_type=access.valid_col_in_type, valid_in_type=access.valid_in_type)


SCRATCH_ACCESS_NAME: Final = "<hidden TMP_UB scratch>"



_OUTSIDE_SPACE_WORDS: Final = " lie outside the "


def outside_space(space: str | None, intervals: list) -> str:
    where = f"the {SPACE_BYTES[space] // 1024} KiB {space} space" if space in SPACE_BYTES \
        else f"the {SPACE_BYTES['Vec'] // 1024} KiB UB (a space the model cannot name may be the UB)"
    return f"bytes {intervals[0][0]}..{intervals[-1][1]}{_OUTSIDE_SPACE_WORDS}{where[4:]}"


def placed_past_space(access: Access) -> bool:
    """Whether ``access``'s bytes are unknown because its tile reaches past its memory space."""
    return access.intervals is None and access.unknown_why.startswith("bytes ") \
        and _OUTSIDE_SPACE_WORDS in access.unknown_why
