"""Memory model for ``ptofix simulate``: the Unified Buffer, GM buffers and tile views.

* UB is one ``numpy.uint8`` array (192 KiB on A2/A3, docs/reference/pto-facts.md §3). A tile is a view of
  ``Rows*Cols*sizeof(T)`` bytes starting at its TASSIGN byte offset, RowMajor (element (r, c) at
  ``(r*Cols + c)*size``) or ColMajor (``(c*Rows + r)*size``). bf16 is stored as uint16 bits and
  computed in float32.
* GM buffers grow on demand in 64 KiB chunks whose random contents depend only on
  ``(seed, buffer, chunk)``, so every run of the same seed sees the same bytes no matter in which
  order the kernel touches them ("sized from the GlobalTensor views built on them").
* Every UB/GM byte remembers the statement that last wrote it (for the difference report).
* Every UB byte also carries the *value identity* of its last write (``ub_vid``): the issue
  number of the step that wrote it, or, for a pure copy such as a broadcast, a key derived from
  what it copied (so two copies of unchanged bytes are one value). Each step records a digest of
  the identities it read (``observed``). Two schedules of one kernel whose steps read the same
  identities compute the same values on every input; a step that reads another write than in
  program order is a race even when the bytes happen to agree (e.g. two per-row tiles that both
  hold 1.0 after a normalisation).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..pto.tiles import (
    HIDDEN_SCRATCH,  # noqa: F401  (used by the op semantics)
    UB_ALIGN_BYTES,
    on_ub_grid,
    walked_in_address_order,
)
from ..pto.tiles import UB_BYTES as UB_SIZE

GM_CHUNK = 64 * 1024
# GM of a pointer argument spans up to the highest byte a view reaches; a kernel whose views span
# more in all is not one the simulator can run (a large stride would otherwise reserve more than
# the machine has). Within the span only the 64 KiB chunks a view's elements fall in are modelled
# (value, writer and origin: 9 bytes per byte; the rest stays unbacked zero pages), at most
# GM_MAX_MODELLED_BYTES of them a run: two runs of a seed are alive at once (four on a
# difference), 4 x 9 x 12 MiB = 432 MiB at most. The corpus's largest span (06_online_softmax:
# 39.5 MB) models 1.4 MiB of it (1.06 GB peak when the span was modelled densely).
GM_MAX_BYTES = 48 * 1024 * 1024
GM_MAX_MODELLED_BYTES = 12 * 1024 * 1024
# A view of more elements than this has its whole span modelled rather than its elements listed.
GM_MAX_LISTED_ELEMENTS = 1 << 20

# C++ element type -> (numpy storage dtype, kind) ; kind: f=float, b=bf16 bits, i=integer, o=opaque
DTYPES: dict[str, tuple[np.dtype, str]] = {
    "float": (np.dtype(np.float32), "f"), "float32_t": (np.dtype(np.float32), "f"),
    "half": (np.dtype(np.float16), "f"), "float16_t": (np.dtype(np.float16), "f"),
    "bfloat16_t": (np.dtype(np.uint16), "b"),
    "double": (np.dtype(np.float64), "f"),
    "int8_t": (np.dtype(np.int8), "i"), "uint8_t": (np.dtype(np.uint8), "i"),
    "int16_t": (np.dtype(np.int16), "i"), "uint16_t": (np.dtype(np.uint16), "i"),
    "int32_t": (np.dtype(np.int32), "i"), "uint32_t": (np.dtype(np.uint32), "i"),
    "int64_t": (np.dtype(np.int64), "i"), "uint64_t": (np.dtype(np.uint64), "i"),
    "int": (np.dtype(np.int32), "i"), "unsigned": (np.dtype(np.uint32), "i"),
    "bool": (np.dtype(np.uint8), "i"), "char": (np.dtype(np.int8), "i"),
    "hifloat8_t": (np.dtype(np.uint8), "o"), "float8_e4m3_t": (np.dtype(np.uint8), "o"),
    "float8_e5m2_t": (np.dtype(np.uint8), "o"),
}


class SimError(Exception):
    """Input the simulator cannot run (exit status 2); the interpreter adds the statement."""


def dtype_of(name: str) -> tuple[np.dtype, str]:
    try:
        return DTYPES[name]
    except KeyError:
        raise SimError(f"unsupported element type '{name}'") from None


# ---- bf16 helpers -------------------------------------------------------------------------------
def bf16_to_f32(bits: np.ndarray) -> np.ndarray:
    return (bits.astype(np.uint32) << 16).view(np.float32)


def f32_to_bf16(values: np.ndarray) -> np.ndarray:
    """Round-to-nearest-even float32 -> bf16 bits (NaN kept quiet)."""
    v = np.asarray(values, dtype=np.float32)
    u = v.view(np.uint32).astype(np.uint64)
    rounded = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)
    nan = np.isnan(v)
    if nan.any():
        rounded = np.where(nan, np.uint16(0x7FC0), rounded)
    return rounded


# ---- tiles --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SimTileType:
    """Static part of ``Tile<Loc, T, Rows, Cols, BLayout, ValidRow, ValidCol, SLayout, ...>``."""

    loc: str            # Vec, Mat, Left, Right, Acc, ...
    elem: str           # C++ element type name
    rows: int
    cols: int
    blayout: str = "RowMajor"
    valid_rows: int = -1   # -1: dynamic (set by the constructor / SetValidShape)
    valid_cols: int = -1
    slayout: str = "NoneBox"
    pad: str = "Null"

    @property
    def size(self) -> int:
        return dtype_of(self.elem)[0].itemsize

    @property
    def nbytes(self) -> int:
        return self.rows * self.cols * self.size


class TileVar:
    """A C++ tile variable: its type plus the address/valid shape bound at run time."""

    def __init__(self, name: str, ttype: SimTileType, valid_rows: int | None = None,
                 valid_cols: int | None = None):
        self.name = name
        self.type = ttype
        self.addr: int | None = None
        # A dynamic (-1) static valid shape without a constructor value is the whole tile; a
        # negative constructor value stays as given and snapshot() refuses it.
        if valid_rows is None:
            valid_rows = ttype.rows if ttype.valid_rows is None or ttype.valid_rows < 0 else ttype.valid_rows
        if valid_cols is None:
            valid_cols = ttype.cols if ttype.valid_cols is None or ttype.valid_cols < 0 else ttype.valid_cols
        self.valid_rows = valid_rows
        self.valid_cols = valid_cols

    def check_valid_shape(self) -> None:
        """A valid shape outside the storage (a run-time constructor argument or SetValidShape) has
        no meaning the op implementations define: they walk the valid region in place."""
        if not (0 <= self.valid_rows <= self.type.rows and 0 <= self.valid_cols <= self.type.cols):
            raise SimError(f"tile '{self.name}' has valid shape {self.valid_rows}x{self.valid_cols}, outside its "
                           f"{self.type.rows}x{self.type.cols} storage")

    def snapshot(self) -> TileView:
        if self.addr is None:
            raise SimError(f"tile '{self.name}' is used before TASSIGN gives it an address")
        self.check_valid_shape()
        return TileView(self.name, self.type, int(self.addr), int(self.valid_rows), int(self.valid_cols))


@dataclass(frozen=True)
class TileView:
    """Immutable snapshot of a tile operand at the moment an op was issued."""

    name: str
    type: SimTileType
    addr: int
    valid_rows: int
    valid_cols: int

    @property
    def lo(self) -> int:
        return self.addr

    @property
    def hi(self) -> int:
        return self.addr + self.type.nbytes

    @property
    def key(self) -> tuple:
        """Identity of the access for the same-access chain rule (docs/reference/pto-facts.md §5.3)."""
        t = self.type
        return (t.loc, self.addr, t.elem, t.rows, t.cols, t.blayout, self.valid_rows, self.valid_cols)

    @property
    def repeats(self) -> int:
        return -(-(self.valid_rows * self.valid_cols * self.type.size) // 256)

    @property
    def contiguous(self) -> bool:
        t = self.type
        return walked_in_address_order(t.rows, t.cols, t.blayout, self.valid_rows, self.valid_cols)


class Memory:
    """The UB of one vector core (GM regions are shared by all cores of a run)."""

    def __init__(self, seed: int, ub_size: int = UB_SIZE, fill_ub: bool = True, core: int = 0):
        self.seed = seed
        self.ub_size = ub_size
        rng = np.random.default_rng([seed, 0x5542, core])
        # Uninitialised UB is random too (deterministic per seed), so reading a tile nobody wrote
        # gives the same garbage in both kernels.
        self.ub = rng.integers(0, 256, ub_size, dtype=np.uint8) if fill_ub else np.zeros(ub_size, np.uint8)
        self.ub_writer = np.full(ub_size, -1, np.int32)
        self.ub_vid = np.zeros(ub_size, np.int32)
        self.cur_vid = 0                    # value identity of what the running step writes
        self.observed: list = []            # digests of the identities the running step read

    # -- value identities --
    def _vid_storage(self, view: TileView) -> np.ndarray:
        """[Rows, Cols, size] view of ``ub_vid`` over a tile's footprint (element-wise like storage)."""
        t = view.type
        size = dtype_of(t.elem)[0].itemsize
        flat = self.ub_vid[view.lo:view.hi].reshape(-1, size)
        if t.blayout == "ColMajor":
            return flat.reshape(t.cols, t.rows, size).transpose(1, 0, 2)
        return flat.reshape(t.rows, t.cols, size)

    def observe(self, view: TileView, full: bool = False) -> None:
        # One identity per element (its first byte): every write covers whole elements.
        t = view.type
        if full or (view.valid_rows == t.rows and view.valid_cols == t.cols):
            vids = self.ub_vid[view.lo:view.hi:dtype_of(t.elem)[0].itemsize]
        else:
            vids = self._vid_storage(view)[:view.valid_rows, :view.valid_cols, 0]
        self.observed.append(hash(vids.tobytes()))

    def observe_bytes(self, lo: int, hi: int) -> None:
        self.observed.append(hash(self.ub_vid[lo:hi].tobytes()))

    def derive_vid(self, key: tuple) -> None:
        """What the running step writes from now on is a copy: its identity is ``key`` plus the
        identities it has read so far (two copies of unchanged bytes get the same identity)."""
        self.cur_vid = -(hash((key, tuple(self.observed))) & 0x7FFFFFFF) - 1

    # -- UB tiles --
    def check_tile(self, view: TileView) -> None:
        if view.type.loc != "Vec":
            raise SimError(f"tile '{view.name}' lives in {view.type.loc}, not in UB (vector side only)")
        if view.type.slayout != "NoneBox":
            raise SimError(f"tile '{view.name}' has a boxed (fractal) layout SLayout::{view.type.slayout}; "
                           "only NoneBox vector tiles are modelled")
        if view.lo < 0 or view.hi > self.ub_size:
            raise SimError(f"tile '{view.name}' at UB [{view.lo}, {view.hi}) is outside the "
                           f"{self.ub_size}-byte UB (use --ub-size)")
        if not on_ub_grid(view.type.loc, view.lo):
            raise SimError(f"tile '{view.name}' at UB {view.lo} is not on the {UB_ALIGN_BYTES}-byte block grid "
                           "(which bytes an op touches there is not known)")

    def storage(self, view: TileView) -> np.ndarray:
        """Writable 2-D storage-dtype view [Rows, Cols] of a tile's full footprint."""
        t = view.type
        dt = dtype_of(t.elem)[0]
        self._check_bytes(view.lo, view.hi, f"tile '{view.name}' at UB")
        flat = self.ub[view.lo:view.hi].view(dt)
        if t.blayout == "ColMajor":
            return flat.reshape(t.cols, t.rows).T
        return flat.reshape(t.rows, t.cols)

    def read(self, view: TileView, full: bool = False) -> np.ndarray:
        """Valid region (or full tile) as a compute array (bf16 -> float32), a copy."""
        arr = self.storage(view)
        if not full:
            arr = arr[:view.valid_rows, :view.valid_cols]
        self.observe(view, full)
        kind = dtype_of(view.type.elem)[1]
        if kind == "b":
            return bf16_to_f32(arr)
        return np.array(arr, copy=True)

    def write(self, view: TileView, values, stmt: int, full: bool = False) -> None:
        arr = self.storage(view)
        if not full:
            arr = arr[:view.valid_rows, :view.valid_cols]
        dt, kind = dtype_of(view.type.elem)
        values = np.asarray(values)
        if kind == "b":
            values = f32_to_bf16(values.astype(np.float32))
        elif values.dtype != dt:
            with np.errstate(all="ignore"):
                values = to_dtype(values, dt)
        arr[...] = np.broadcast_to(values, arr.shape)
        self.ub_writer[view.lo:view.hi] = stmt
        if full or (view.valid_rows == view.type.rows and view.valid_cols == view.type.cols):
            self.ub_vid[view.lo:view.hi] = self.cur_vid
        else:
            self._vid_storage(view)[:view.valid_rows, :view.valid_cols] = self.cur_vid

    def _check_bytes(self, lo: int, hi: int, what: str) -> None:
        # Every UB access goes through here or storage(): a slice past the end would silently
        # shrink (and then fail to broadcast) rather than reach memory that does not exist.
        if lo < 0 or hi > self.ub_size:
            raise SimError(f"{what} [{lo}, {hi}) reaches outside the {self.ub_size}-byte UB (use --ub-size)")

    def write_bytes(self, lo: int, data: np.ndarray, stmt: int) -> None:
        self._check_bytes(lo, lo + data.size, "a write of the op's tmp or scratch at UB")
        self.ub[lo:lo + data.size] = data
        self.ub_writer[lo:lo + data.size] = stmt
        self.ub_vid[lo:lo + data.size] = self.cur_vid


def to_dtype(values: np.ndarray, dt: np.dtype) -> np.ndarray:
    """C-like conversion: floats to ints truncate and wrap, like a plain cast."""
    if dt.kind in "iu" and values.dtype.kind == "f":
        return saturate(np.trunc(values.astype(np.float64)), dt)
    return values.astype(dt)


def saturate(values: np.ndarray, dt: np.dtype) -> np.ndarray:
    """Whole-valued floats to integer type ``dt``, saturating (NaN to 0). Clipping in floating
    point and casting is not enough: iinfo.max of a 32- or 64-bit type rounds up to 2**bits in
    float, which the cast then wraps."""
    info = np.iinfo(dt)
    v = np.nan_to_num(values, nan=0.0)
    too_high = v >= float(info.max) + 1.0          # (2**bits or 2**(bits-1): exact in float)
    too_low = v < float(info.min)
    with np.errstate(all="ignore"):
        out = np.where(too_high | too_low, 0, v).astype(dt)
    out[too_high] = info.max
    out[too_low] = info.min
    return out


# ---- GM ----------------------------------------------------------------------------------------
class GMRegion:
    """One GM buffer (a pointer argument), grown on demand with seed-determined random data."""

    def __init__(self, name: str, elem: str, seed: int, index: int, fill: str = "random",
                 budget: list[int] | None = None):
        self.name = name
        # GM bytes spanned and bytes modelled, by all regions of a run.
        self.budget = budget if budget is not None else [0, 0]
        if len(self.budget) < 2:
            self.budget.append(0)
        self.elem = elem
        self.seed = seed
        self.index = index
        self.fill = fill
        self.data = np.zeros(0, np.uint8)
        self.writer = np.zeros(0, np.int32)
        self.origin = np.zeros(0, np.int32)
        # (data, writer and origin are the first data.size elements of these, grown by doubling;
        # np.zeros leaves the pages of a chunk never filled unbacked.)
        self._capacity = 0
        self._data, self._writer, self._origin = self.data, self.writer, self.origin
        self.filled: set[int] = set()      # the chunks modelled (random contents, no writer)
        self.touched = 0           # highest byte touched by a GlobalTensor view

    def ensure(self, end: int, start: int = 0, chunks=None) -> None:
        """Span GM up to ``end`` and model the chunks of ``[start, end)`` (or the chunk numbers
        ``chunks``, those a view's elements fall in) that are not yet."""
        if end > self.touched:
            self.touched = end
        if end > self.data.size:
            self._span(end)
        if chunks is None:
            chunks = range(max(start, 0) // GM_CHUNK, -(-end // GM_CHUNK))
        new = [k for k in chunks if k not in self.filled]
        if not new:
            return
        if self.budget[1] + len(new) * GM_CHUNK > GM_MAX_MODELLED_BYTES:
            reach = (self.budget[1] + len(new) * GM_CHUNK) >> 10
            raise SimError(f"GM buffer '{self.name}': the views reach {reach} KiB of GM, more than the "
                           f"{GM_MAX_MODELLED_BYTES} bytes the simulator models for all pointer arguments together")
        self.budget[1] += len(new) * GM_CHUNK
        for k in sorted(new):
            lo, hi = k * GM_CHUNK, (k + 1) * GM_CHUNK
            self._data[lo:hi] = random_bytes(self.elem, GM_CHUNK, [self.seed, self.index, k], self.fill)
            self._writer[lo:hi] = -1
            self._origin[lo:hi] = -1
            self.filled.add(k)

    def _span(self, end: int) -> None:
        grow = -(-end // GM_CHUNK) * GM_CHUNK - self.data.size
        if self.budget[0] + grow > GM_MAX_BYTES:
            raise SimError(f"GM buffer '{self.name}' would span {end} bytes, more than the {GM_MAX_BYTES} bytes "
                           "of GM the simulator models for all pointer arguments together")
        self.budget[0] += grow
        size = -(-end // GM_CHUNK) * GM_CHUNK
        if size > self._capacity:
            # (Room for twice as much, within the bound left, so that growing view by view copies
            # what is modelled a bounded number of times, not once per view; only the chunks
            # modelled are copied: the others stay unbacked.)
            self._capacity = max(size, min(2 * self._capacity, self.data.size + GM_MAX_BYTES - self.budget[0] + grow))
            for name in ("data", "writer", "origin"):
                current = getattr(self, "_" + name)
                store = np.zeros(self._capacity, current.dtype)
                for k in self.filled:
                    store[k * GM_CHUNK:(k + 1) * GM_CHUNK] = current[k * GM_CHUNK:(k + 1) * GM_CHUNK]
                setattr(self, "_" + name, store)
        self.data = self._data[:size]
        self.writer = self._writer[:size]
        self.origin = self._origin[:size]

    def ensure_view(self, view: GlobalTensor) -> None:
        """Span GM to the end of a GlobalTensor view and model the chunks its elements fall in."""
        lo, hi = view.byte_range()
        rows, cols = view.rows_cols()
        if rows * cols > GM_MAX_LISTED_ELEMENTS or view.layout not in ("ND", "DN"):
            self.ensure(hi, lo)
            return
        if hi > self.data.size:
            self._span(hi)        # (refused before a list of its elements is made)
        size = dtype_of(view.elem)[0].itemsize
        starts = lo + view.element_offsets().reshape(-1) * size
        chunks = np.union1d(starts // GM_CHUNK, (starts + size - 1) // GM_CHUNK)
        self.ensure(hi, lo, [int(k) for k in chunks])

    def modelled(self) -> np.ndarray:
        """Which bytes of the span are modelled (the others were never reached by a view)."""
        mask = np.zeros(self.data.size // GM_CHUNK, bool)
        mask[[k for k in self.filled if k < mask.size]] = True
        return np.repeat(mask, GM_CHUNK)

    def model_like(self, other: GMRegion) -> None:
        """Model the chunks ``other`` models within this span (a comparison reads every byte,
        and a chunk one run never touched holds the same seed's contents in the other)."""
        chunks = [k for k in other.filled if k not in self.filled and (k + 1) * GM_CHUNK <= self.data.size]
        if chunks:
            saved = self.budget[1]
            self.budget[1] = 0     # (a comparison, not a view: no bound to refuse at)
            try:
                self.ensure(self.data.size, 0, chunks)
            finally:
                self.budget[1] = saved + len(chunks) * GM_CHUNK


def parse_fill(fill: str) -> tuple[str, int, int]:
    """``random`` | ``zero`` | ``ints:LO:HI`` -> (mode, lo, hi); ValueError for anything else."""
    if fill in ("random", "zero"):
        return fill, 0, 8
    parts = fill.split(":")
    if len(parts) == 3 and parts[0] == "ints":
        try:
            lo, hi = int(parts[1], 0), int(parts[2], 0)
        except ValueError:
            lo = hi = 0
        if -2 ** 63 <= lo < hi <= 2 ** 63:       # (numpy draws int64 values)
            return "ints", lo, hi
    raise ValueError(f"GM fill '{fill}' is not random, zero or ints:LO:HI with -2**63 <= LO < HI <= 2**63")


def random_bytes(elem: str, nbytes: int, key, fill: str = "random") -> np.ndarray:
    """Deterministic random contents for ``nbytes`` of elements of type ``elem``."""
    mode, lo, hi = parse_fill(fill)
    if mode == "zero":
        return np.zeros(nbytes, np.uint8)
    rng = np.random.default_rng(key)
    dt, kind = DTYPES.get(elem, (np.dtype(np.uint8), "o"))
    count = nbytes // dt.itemsize
    if mode == "ints" and kind in "fi":
        vals = to_dtype(rng.integers(lo, hi, count).astype(np.float64), dt) if kind == "f" else \
            rng.integers(lo, hi, count).astype(dt)
    elif kind == "f":
        vals = rng.uniform(-1.0, 1.0, count).astype(dt)
    elif kind == "b":
        vals = f32_to_bf16(rng.uniform(-1.0, 1.0, count).astype(np.float32))
    elif kind == "i":
        vals = rng.integers(0, 8, count).astype(dt)
    else:
        return rng.integers(0, 256, nbytes, dtype=np.uint8)
    out = vals.view(np.uint8)
    if out.size < nbytes:
        out = np.concatenate([out, np.zeros(nbytes - out.size, np.uint8)])
    return out


@dataclass(frozen=True)
class GMPtr:
    """A ``__gm__ T*`` value: a byte offset into one GM region."""

    region: GMRegion
    offset: int
    elem: str

    def add(self, count: int) -> GMPtr:
        size = dtype_of(self.elem)[0].itemsize if self.elem in DTYPES else 1
        return GMPtr(self.region, self.offset + int(count) * size, self.elem)

    def retype(self, elem: str) -> GMPtr:
        return GMPtr(self.region, self.offset, elem)


@dataclass
class GlobalTensor:
    """``GlobalTensor<T, Shape<5>, Stride<5>, Layout>`` bound to a GM pointer (or nullptr)."""

    elem: str
    shape: tuple
    stride: tuple
    layout: str
    ptr: GMPtr | None = None

    def rows_cols(self) -> tuple[int, int]:
        s = self.shape
        return s[0] * s[1] * s[2] * s[3], s[4]

    def element_offsets(self) -> np.ndarray:
        """Element offsets (from ptr) of the 2-D [rows, cols] view the tile sees.

        Strides are explicit, so ND (row-major) and DN (column-major) only differ in which
        stride is 1: element (n0..n3, n4) is row (n0..n3) and column n4 either way."""
        if self.layout not in ("ND", "DN"):
            raise SimError(f"GlobalTensor layout {self.layout} is not modelled (ND and DN only)")
        idx = np.zeros(1, np.int64)
        for dim, stride in zip(self.shape, self.stride, strict=False):
            idx = (idx[:, None] + np.arange(dim, dtype=np.int64)[None, :] * stride).reshape(-1)
        return idx.reshape(self.rows_cols())

    def byte_range(self) -> tuple[int, int]:
        size = dtype_of(self.elem)[0].itemsize
        span = sum((d - 1) * st for d, st in zip(self.shape, self.stride, strict=False) if d > 0)
        if self.ptr is None:
            raise SimError("GlobalTensor without a GM pointer")
        if self.ptr.offset < 0:
            raise SimError(f"GlobalTensor starts {-self.ptr.offset} bytes before the start of GM buffer "
                           f"'{self.ptr.region.name}'")
        return self.ptr.offset, self.ptr.offset + (span + 1) * size
