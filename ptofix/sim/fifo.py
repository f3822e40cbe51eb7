"""GM FIFO model for ``TPipe`` and TPOP/TPUSH/TALLOC/TFREE on the vector side (docs/reference/pto-facts.md §4).

A ``TPipe<FlagID, Dir, SlotSize, SlotNum, LocalSlotNum, NoSplit>(gm, c2vBuf, v2cBuf)`` owns a GM
ring of ``SlotNum`` slots of ``SlotSize`` bytes at ``gm``. The cube side is not simulated:

* **C2V, consumer = vector**: the n-th TPOP of a pipe fills slot ``n % SlotNum`` with the bytes a
  *provider* returns for ``(FlagID, n)`` (random by default, deterministic per seed; the FA check
  plugs in a numpy cube model). GlobalTensor form rebinds the tensor to the slot; Tile form
  also TASSIGNs the tile to ``c2vBuf + (n % LocalSlotNum) * SlotSize`` and loads its half
  (TILE_UP_DOWN rows / TILE_LEFT_RIGHT columns of vector subblock ``get_subblockid()``).
* **V2C, producer = vector**: TALLOC binds the tensor to the next slot; TPUSH records the pushed
  bytes (Tile form first stores the tile into its half of the slot). The pushed data is part of
  what ``ptofix simulate`` compares.
* TFREE only counts.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .memory import GMPtr, SimError, random_bytes


@dataclass
class Pipe:
    flag: int
    direction: str          # C2V, V2C, BOTH
    slot_size: int
    slot_num: int
    local_slot_num: int
    gm: GMPtr | None
    c2v_buf: int = 0
    v2c_buf: int = 0
    pops: int = 0
    allocs: int = 0
    pushes: int = 0
    frees: int = 0

    def slot(self, index: int) -> GMPtr:
        if self.gm is None:
            raise SimError(f"TPipe flag {self.flag} has no GM slot buffer")
        return GMPtr(self.gm.region, self.gm.offset + (index % self.slot_num) * self.slot_size, self.gm.elem)


@dataclass
class PushRecord:
    flag: int
    index: int
    subblock: int
    data: bytes
    stmt: int


# provider(fifo, pipe, index, elem, nbytes, shape) -> np.uint8 array of nbytes (or None: random).
# ``shape`` is the (rows, cols) of the whole slot as the consumer's view describes it.
Provider = Callable[["FifoState", Pipe, int, str, int, tuple], np.ndarray | None]


@dataclass
class FifoState:
    """Shared by the vector subblocks of one run: the pushed log and the cube-side provider."""

    seed: int
    provider: Provider | None = None
    pushes: list = field(default_factory=list)
    pushed_bytes: int = 0                         # bytes the push log holds (bounded per run)
    context: dict = field(default_factory=dict)   # free for providers (cube models)

    def slot_bytes(self, pipe: Pipe, index: int, elem: str, shape: tuple = ()) -> np.ndarray:
        data = None
        if self.provider is not None:
            data = self.provider(self, pipe, index, elem, pipe.slot_size, shape)
        if data is None:
            data = random_bytes(elem, pipe.slot_size, [self.seed, 0xF1F0, pipe.flag, index])
        data = np.asarray(data, np.uint8).reshape(-1)
        if data.size != pipe.slot_size:
            raise SimError(f"provider returned {data.size} bytes for a {pipe.slot_size}-byte slot")
        return data
