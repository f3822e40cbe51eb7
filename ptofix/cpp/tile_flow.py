"""A tile's valid shape and address at each vector op, along the function's control flow.

The value model (value_model.ValueModel) knows, for each tile, every valid-shape entry (its
construction, each SetValidShape, each copy) and every address binding (each TASSIGN, TRESHAPE,
copy) the function gives it: a flow-insensitive union. At a given op only some of them can hold:
those that *reach* the op. While the semantic model reads the body in source order, it tells this
history where each statement sits and what each statement did to each tile it names
(FunctionSemantics._note_tile); after the walk, the records that reach an op give that op a view
of the tile with only those entries (FunctionSemantics._flow_views).

Which records reach an op S, for one tile and one aspect (shape or address):

- the latest *killing* record D before S that dominates S: a construction (the declaration runs
  each time control passes it, in a loop body each iteration), a two-argument SetValidShape (the
  shape), a TASSIGN or TRESHAPE (the address), a copy assignment (both). D dominates S when D is
  a statement of a block (a braced block, the body, a preprocessor branch) that S lies in, at a
  later statement of that same block: with no goto, label or case label (the function then gets
  no views at all), control enters a block only at its start.
- every record from D on that comes before S in source order (a conditional SetValidShape, a
  tile's first use before any TASSIGN: each a possibility more);
- every record after S when S lies in a `for` loop that D is not in: the back-edge brings them
  round to S without passing D. (When D is in S's innermost loop, every path from a later record
  to S passes D again.)

What the record list cannot follow leaves the tile *blind* (the flow-insensitive union at every
op): a change other than those forms (a call that may write the tile, a reference bound to it,
its address taken: it may change later where no statement names it), a tile not declared by a
plain statement of the body (a parameter, a `for` header's, a static one), or a change no
statement naming the tile showed (the sweep at the end of FunctionSemantics._flow_views), or
more than MAX_TILE_RECORDS records. A tile with no killing record before an op (none dominates
it) gets no view there either.
"""
from __future__ import annotations

from ..structs import Struct

# Records one tile may have: past this many it is blind. Each op reads every record of each of its
# tiles, so the bound keeps a kernel's cost linear in its length (a tile set before every op of a
# long body is followed flow-insensitively, as before).
MAX_TILE_RECORDS: Final = 128

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar, Final


class TileRecord(Struct):
    """What one statement did to one tile: for each aspect, whether it sets it anew (``*_kill``)
    and the entries it gives (None: it leaves that aspect alone)."""
    __slots__ = ("offset", "path", "shape_kill", "shape", "address_kill", "address")
    offset: int                 # the statement's start in the file (source order)
    path: tuple                 # where it sits: ((block id, index) | (statement id, -part), ...)
    shape_kill: bool
    shape: list | None          # valid-shape entries, as Symbol.valid_ctor holds them
    address_kill: bool
    address: list | None        # address bindings, as Symbol.bindings holds them
    _fields: ClassVar[tuple[str, ...]] = ("offset", "path", "shape_kill", "shape", "address_kill", "address")

    def __init__(self, offset: int, path: tuple, shape_kill: bool, shape: list | None, address_kill: bool,
                 address: list | None) -> None:
        self.offset = offset
        self.path = path
        self.shape_kill = shape_kill
        self.shape = shape
        self.address_kill = address_kill
        self.address = address


class TileFlow:
    """The history of the tiles of one function as its semantic model reads the body."""

    def __init__(self) -> None:
        self.enabled = True
        self.path: list[tuple[int, int]] = []        # where the statement being read sits
        self.blocks: set[int] = set()                # ids of the statement lists read as blocks
        self.loops: list[tuple] = []                 # paths of the `for` statements around it
        self.records: dict[int, list[TileRecord]] = {}   # tile uid -> records, in reading order
        self.seen: dict[int, tuple] = {}             # tile uid -> its fingerprint after its last record
        self.blind: set[int] = set()                 # tile uids whose history is not followed
        self.ops: dict[int, tuple[int, tuple, tuple | None]] = {}   # id(op stmt) -> (offset, path, loop)

    def disable(self) -> None:
        """No views for this function (and nothing more kept)."""
        self.enabled = False
        self.blocks.clear()
        self.blind.clear()
        self.records.clear()
        self.seen.clear()
        self.ops.clear()

    def add(self, uid: int, record: TileRecord, fingerprint: tuple) -> None:
        records = self.records.setdefault(uid, [])
        if len(records) >= MAX_TILE_RECORDS:
            self.blind.add(uid)
            return
        records.append(record)
        self.seen[uid] = fingerprint

    def reaching(self, uid: int, op: tuple[int, tuple, tuple | None], shape: bool) -> list | None:
        """The entries (valid shape when ``shape``, else address bindings) of tile ``uid`` that
        may hold at the op at ``op`` (its offset, path and innermost loop's path); None when the
        history cannot tell (blind, or no killing record dominates the op)."""
        records = self.records.get(uid)
        if records is None or uid in self.blind:
            return None
        offset, path, loop = op
        killer: TileRecord | None = None
        kill_index = -1
        for index in range(len(records) - 1, -1, -1):
            record = records[index]
            kills = record.shape_kill if shape else record.address_kill
            if kills and record.offset < offset and dominates(record.path, path, self.blocks) \
                    and (killer is None or record.offset > killer.offset):
                killer, kill_index = record, index
        if killer is None:
            return None
        looped = loop is not None and not _inside(killer.path, loop)
        out: list = []
        for index, record in enumerate(records):
            after_killer = record.offset > killer.offset or (record.offset == killer.offset and index >= kill_index)
            if not after_killer or (record.offset > offset and not looped):
                continue
            part = record.shape if shape else record.address
            if part is not None:
                out.extend(part)
        return out


def dominates(first: tuple, then: tuple, blocks: set[int]) -> bool:
    """The statement at path ``first`` runs before every arrival at the one at ``then``: it is a
    statement of a block that ``then`` lies in, before the statement of that block holding it."""
    depth = len(first)
    if depth == 0:
        return True
    if len(then) < depth or first[:depth - 1] != then[:depth - 1]:
        return False
    block, index = first[depth - 1]
    other_block, other_index = then[depth - 1]
    return block == other_block and block in blocks and index < other_index


def _inside(path: tuple, loop: tuple) -> bool:
    """The statement at ``path`` lies in the `for` statement at ``loop``."""
    return len(path) > len(loop) and path[:len(loop)] == loop
