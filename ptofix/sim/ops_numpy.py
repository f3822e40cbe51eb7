"""numpy semantics of the PTO vector tile ops, split into the steps the hardware runs.

An op call becomes one or more :class:`Step` s. A step reads and writes whole tile operands
(:class:`~ptofix.sim.memory.TileView` snapshots); ``drain_after`` marks an internal
``pipe_barrier(PIPE_V)`` the implementation executes after the step (docs/reference/pto-facts.md §2):

* TROWSUM/TROWMAX/TROWMIN, TCOLMAX/TCOLMIN/TCOLPROD, TCOLSUM and the arg reductions: one step,
  then a drain (trailing barrier) where ``ptofix.pto.ops`` says the call ends with one
  (row_reduce_drains, trailing_drain_holds).
* TROWEXPAND{ADD,SUB,MUL,DIV,MAX,MIN,EXPDIF} with a non-RowMajor per-row operand: ``vbrcb``
  broadcasts src1 into the tmp tile, or into the hidden scratch [184 KiB, 192 KiB) without one
  (§2.3); drain; then the op reads src0 and the broadcast (a *leading* barrier). EXPDIF adds a
  drain and an in-place exp. From 256 rows on it runs in chunks of 240 rows (ordering.row_expand_chunks).
* TDIVS (float, dst != src): vector_dup(dst, scalar); drain; divide.
* TRSQRT with tmp: dup(tmp), sqrt(dst); drain; dst = tmp / dst. TSEL/TSELS: drain before select.
* TMRGSORT's multi-list forms: merge the lists into tmp; drain; copy dst's valid columns from tmp.
* TSORT32: one step over every row (row by row with a barrier after each on the hardware), then a
  drain when dst has a valid row (ops.sort32_reach, sort32_drains).

Which operands are written comes from ``ptofix.pto.ops.OPS`` (destination and tmp indices; every
other tile argument is read), the convention the static pass uses too. Values: float ops run in
the tile's dtype (f16 in float16, f32 and bf16 in float32); integer ops wrap like C.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..cpp import stmt_parser as sp
from ..pto.ops import (
    BLOCK_BYTES,
    MRGSORT_LISTS,
    MRGSORT_PAIR_BYTES,
    OPS,
    ROW_REDUCE,
    SOURCES_READ_AS_DST_TYPE,
    concat_row_bytes,
    lacks_tmp,
    mrgsort_copy_bytes,
    mrgsort_list_bytes,
    mrgsort_single_repeats,
    reduce_tmp_bytes,
    row_reduce_drains,
    sort32_drains,
    sort32_reach,
    sort32_row_intervals,
    spec_for,
    struct_output_type,
    takes_value_at,
    trailing_drain_holds,
)
from ..pto.ordering import row_expand_chunks, row_expand_takes_scalar_path
from .memory import HIDDEN_SCRATCH, Memory, SimError, SimTileType, TileView, dtype_of, saturate, to_dtype


@dataclass(frozen=True)
class Sym:
    """An enum constant or other symbolic C++ name (``RoundMode::CAST_RINT``, ``PIPE_V``)."""

    name: str

    @property
    def leaf(self) -> str:
        return self.name.rsplit("::", 1)[-1]


@dataclass
class Step:
    reads: list
    writes: list
    fn: Callable[[Memory, int], None]
    drain_after: bool = False
    tmp: bool = False            # the op has a scratch (tmp) operand: no repeat order protects it
    label: str = ""
    # The op starts with a set_flag/wait_flag(PIPE_V, PIPE_S, ROW_EXPAND_SCALAR_EVENT) round trip
    # (TROWEXPAND's scalar path): the V steps before it complete unless a set the kernel left
    # pending on that event is the one the op's wait consumes (ptofix.pto.ordering).
    round_trip_before: bool = False


# ---- helpers ------------------------------------------------------------------------------------
def _compute_dtype(view: TileView) -> np.dtype:
    dt, kind = dtype_of(view.type.elem)
    if kind == "b":
        return np.dtype(np.float32)
    if kind == "o":
        raise SimError(f"tile '{view.name}': arithmetic on {view.type.elem} is not modelled")
    return dt


def _scalar(value, view: TileView):
    """C++ scalar converted to the tile's compute type."""
    if isinstance(value, Sym):
        raise SimError(f"expected a scalar, got '{value.name}'")
    dt = _compute_dtype(view)
    if dt.kind in "iu":
        if isinstance(value, (float, np.floating)):
            info = np.iinfo(dt)
            if not (info.min - 1 < value < info.max + 1):     # (False for NaN and inf too)
                raise SimError(f"scalar {value} does not fit the {dt} elements of '{view.name}' "
                               "(a conversion C leaves undefined)")
        # An integer converts modulo 2**bits, as C++ converts to an integer type.
        bits = dt.itemsize * 8
        wrapped = int(value) & ((1 << bits) - 1)
        if dt.kind == "i" and wrapped >= 1 << (bits - 1):
            wrapped -= 1 << bits
        return dt.type(wrapped)
    with np.errstate(all="ignore"):
        return dt.type(value)


def _region(mem: Memory, src: TileView, rows: int, cols: int) -> np.ndarray:
    if src.type.rows < rows or src.type.cols < cols:
        raise SimError(f"tile '{src.name}' [{src.type.rows}x{src.type.cols}] is smaller than the "
                       f"{rows}x{cols} region the op works on")
    return mem.read(src, full=True)[:rows, :cols]


def _as(values: np.ndarray, view: TileView) -> np.ndarray:
    dt = _compute_dtype(view)
    if values.dtype == dt:
        return values
    with np.errstate(all="ignore"):
        return to_dtype(values, dt)


def truncating_divide(a, b):
    if np.asarray(a).dtype.kind in "iu":
        # Exact truncating division (through float64 a 64-bit quotient would round); / 0 gives 0.
        a, b = np.asarray(a), np.asarray(b)
        safe = np.where(b == 0, 1, b).astype(a.dtype)
        with np.errstate(all="ignore"):
            q = np.floor_divide(a, safe)
            q = np.where((np.remainder(a, safe) != 0) & ((a < 0) != (safe < 0)), q + 1, q)
        return np.where(b == 0, 0, q).astype(a.dtype)
    return np.true_divide(a, b)


def _trem(a, b):
    if np.asarray(a).dtype.kind in "iu":
        bb = np.where(b == 0, 1, b)
        return np.where(b == 0, 0, np.fmod(a, bb)).astype(np.asarray(a).dtype)
    return np.fmod(a, b)


def _checked_shift(shift: Callable) -> Callable:
    """A shift whose count must lie in [0, element bits): outside it C leaves the result undefined
    and numpy's answer is its own, not the hardware's."""
    def run(a, b):
        bits = np.asarray(a).dtype.itemsize * 8
        count = np.asarray(b)
        if np.any((count < 0) | (count >= bits)):
            raise SimError(f"shift count outside [0, {bits}) (undefined in C)")
        return shift(a, b)
    return run


BINARY: dict[str, Callable] = {
    "ADD": np.add, "SUB": np.subtract, "MUL": np.multiply, "DIV": truncating_divide,
    "MAX": np.maximum, "MIN": np.minimum, "AND": np.bitwise_and, "OR": np.bitwise_or,
    "XOR": np.bitwise_xor, "SHL": _checked_shift(np.left_shift), "SHR": _checked_shift(np.right_shift),
    "REM": _trem, "FMOD": _trem,
    "EXPDIF": lambda a, b: np.exp(np.subtract(a, b)),
}


def _recip(a):
    return np.reciprocal(a) if a.dtype.kind == "f" else truncating_divide(np.ones_like(a), a)


UNARY: dict[str, Callable] = {
    "TEXP": np.exp, "TLOG": np.log, "TSQRT": np.sqrt, "TRECIP": _recip,
    "TABS": np.abs, "TNEG": np.negative, "TRELU": lambda a: np.maximum(a, a.dtype.type(0)),
    "TNOT": np.invert, "TRSQRT": lambda a: _recip(np.sqrt(a)),
}

# Ops whose numpy functions take integers only (TNOT is np.invert).
_BITWISE = frozenset({"TAND", "TOR", "TXOR", "TSHL", "TSHR", "TNOT", "TANDS", "TORS", "TXORS", "TSHLS", "TSHRS"})

REDUCE: dict[str, Callable] = {"SUM": np.sum, "MAX": np.max, "MIN": np.min, "PROD": np.prod}


def _nonempty(x: np.ndarray, axis: int, name: str) -> np.ndarray:
    if x.shape[axis] == 0:
        raise SimError(f"{name}: reduction over an empty valid region is not modelled")
    return x


def _tmp_fill(mem: Memory, tmp: TileView, src: TileView, stmt: int, reach: int = 0) -> None:
    """Give a tmp operand deterministic contents derived from the source (partial results), over
    its footprint or ``reach`` bytes from its start, whichever is more (reductions write past a
    tmp with fewer rows than they need: pto.ops.reduce_tmp_bytes)."""
    data = mem.ub[src.lo:src.hi]
    mem.observe_bytes(src.lo, src.hi)
    need = max(tmp.hi - tmp.lo, reach)
    reps = -(-need // max(1, data.size))
    mem.write_bytes(tmp.lo, np.tile(data, reps)[:need].copy(), stmt)


def _mask_bits(mem: Memory, mask: TileView, rows: int, cols: int) -> np.ndarray:
    m = mem.read(mask, full=True)
    if m.dtype.itemsize == 1:
        if -(-cols // 8) > mask.type.cols or rows > mask.type.rows:
            raise SimError(f"tile '{mask.name}' [{mask.type.rows}x{mask.type.cols}] is too small for a "
                           f"{rows}x{cols} mask")
        bits = np.unpackbits(m.view(np.uint8)[:rows], axis=1, bitorder="little")
        return bits[:, :cols].astype(bool)
    if cols > mask.type.cols or rows > mask.type.rows:
        raise SimError(f"tile '{mask.name}' [{mask.type.rows}x{mask.type.cols}] is too small for a "
                       f"{rows}x{cols} mask")
    return m[:rows, :cols] != 0


def _cmp(mode: Sym, a, b):
    ops = {"EQ": np.equal, "NE": np.not_equal, "LT": np.less, "GT": np.greater,
           "LE": np.less_equal, "GE": np.greater_equal}
    try:
        return ops[mode.leaf](a, b)
    except (KeyError, AttributeError):
        raise SimError(f"unknown compare mode {mode}") from None


def _write_mask(mem: Memory, dst: TileView, result: np.ndarray, stmt: int) -> None:
    rows, cols = result.shape
    if dtype_of(dst.type.elem)[0].itemsize == 1:
        # A byte mask holds one bit an element: ceil(cols / 8) bytes at the start of each row.
        packed = np.packbits(result.astype(np.uint8), axis=1, bitorder="little")
        if packed.shape[1] > dst.type.cols or rows > dst.type.rows:
            raise SimError(f"tile '{dst.name}' [{dst.type.rows}x{dst.type.cols}] is too small for the "
                           f"{rows}x{packed.shape[1]}-byte mask")
        full = mem.read(dst, full=True).view(np.uint8)
        full[:rows, :packed.shape[1]] = packed
        mem.write(dst, full, stmt, full=True)
    else:
        mem.write(dst, result.astype(_compute_dtype(dst)), stmt)


_ROUND: dict[str, Callable] = {
    "CAST_RINT": np.rint, "CAST_ROUND": lambda x: np.sign(x) * np.floor(np.abs(x) + 0.5),
    "CAST_FLOOR": np.floor, "CAST_CEIL": np.ceil, "CAST_TRUNC": np.trunc, "CAST_NONE": np.rint,
    "CAST_ODD": np.rint,
}


def _cvt(values: np.ndarray, dst: TileView, rmode: Sym | None) -> np.ndarray:
    dt, kind = dtype_of(dst.type.elem)
    mode = rmode.leaf if isinstance(rmode, Sym) else "CAST_RINT"
    with np.errstate(all="ignore"):
        if kind == "i" and values.dtype.kind == "f":
            return saturate(_ROUND.get(mode, np.rint)(values.astype(np.float64)), dt)
        if kind == "b":
            return values.astype(np.float32)
        # float <-> float and int -> float: round to nearest even (other modes approximated).
        return values.astype(dt if kind != "o" else np.uint8)


def row_expand_range(mem: Memory, stmt: int, name: str, dst: TileView, src0: TileView, per_row: TileView,
                     first: int, count: int) -> None:
    """``count`` elements of a binary TROWEXPAND*'s row from flat index ``first`` (one row of dst):
    dst = op(src0, row r's first element of ``per_row``), as ``OpBuilder._row_expand_binary``
    computes the whole op (the simulator runs it repeat by repeat: sim/repeats.py)."""
    fn = BINARY[name[len("TROWEXPAND"):]]
    row, col = divmod(first, dst.type.cols)

    def piece(view: TileView, start: int, n: int) -> TileView:
        t = view.type
        return TileView(view.name, SimTileType(t.loc, t.elem, 1, n, "RowMajor", 1, n, t.slayout, t.pad),
                        view.addr + start * dtype_of(t.elem)[0].itemsize, 1, n)

    x = _as(mem.read(piece(src0, row * src0.type.cols + col, count)), dst)
    scalar = _as(mem.read(piece(per_row, row * per_row.type.cols, 1)), dst)
    with np.errstate(all="ignore"):
        mem.write(piece(dst, first, count), fn(x, scalar), stmt)


# ---- op builder ---------------------------------------------------------------------------------
class OpBuilder:
    """Turns one evaluated op call into steps. ``args`` are evaluated values: TileView for tiles,
    Python/numpy numbers for scalars, :class:`Sym` for enum constants."""

    def __init__(self, name: str, args: list, template_args: list | None = None):
        self.name = name
        self.args = args
        self.targs = template_args or []

    def _refuse_unmodelled_forms(self) -> None:
        """Overloads whose effects the numpy model does not follow (pto/ops.py's table lists them)."""
        n, spec = self.name, OPS.get(self.name)
        if spec is not None and n != "TMRGSORT" and any(form.nargs == len(self.args) for form in spec.forms):
            raise SimError(f"{n}: the {len(self.args)}-operand form is not modelled")
        for index, arg in enumerate(self.args):
            if isinstance(arg, (int, float, np.generic, Sym)) and not takes_value_at(n, index):
                raise SimError(f"{n}: argument {index + 1} is a value where every overload ptofix knows takes a tile")
        form = spec_for(n, len(self.args))
        if form is not None and lacks_tmp(form, len(self.args), lambda i: isinstance(self.args[i], TileView)):
            raise SimError(f"{n} without a tile as its tmp operand: an older overload (it may write the hidden "
                           "UB scratch), not modelled")
        if n == "TCVT" and any(isinstance(a, TileView) for a in self.args[2:]):
            raise SimError("TCVT with a tmp: how far it writes past the tmp is not modelled")
        if n in ("TREM", "TREMS") and any(isinstance(a, TileView) and a.type.elem == "int32_t" for a in self.args):
            raise SimError(f"{n} on int32 data: the in-place conversion of its sources is not modelled")

    # operand helpers
    def tiles(self) -> list[int]:
        return [i for i, a in enumerate(self.args) if isinstance(a, TileView)]

    def tile(self, i: int) -> TileView:
        if i >= len(self.args) or not isinstance(self.args[i], TileView):
            raise SimError(f"{self.name}: argument {i + 1} must be a tile")
        return self.args[i]

    def value(self, i: int):
        """Argument ``i`` as the scalar value the op takes there (a tile or a mode constant is no
        call the simulator models)."""
        if i >= len(self.args) or isinstance(self.args[i], (TileView, Sym)):
            raise SimError(f"{self.name}: argument {i + 1} must be a scalar value")
        return self.args[i]

    def default_rw(self) -> tuple[list, list, bool]:
        spec = OPS.get(self.name)
        writes_idx = spec.writes if spec else (0,)
        tiles = self.tiles()
        writes = [self.args[i] for i in tiles if i in writes_idx]
        reads = [self.args[i] for i in tiles if i not in writes_idx]
        has_tmp = bool(spec and any(i in tiles for i in spec.tmp))
        return reads, writes, has_tmp

    def single(self, fn, drain_after: bool = False) -> list[Step]:
        reads, writes, has_tmp = self.default_rw()
        return [Step(reads, writes, fn, drain_after, has_tmp, self.name)]

    # ---------------------------------------------------------------------------------------
    def build(self) -> list[Step]:
        """The op's steps. Operands that do not bind to a form the builder reads (too few, a
        scalar where a tile goes) are bad input: the builder indexes them by role."""
        self._refuse_unmodelled_forms()
        if self.name in _BITWISE:
            floats = [a.name for a in self.args if isinstance(a, TileView) and _compute_dtype(a).kind not in "iu"]
            if floats:
                raise SimError(f"{self.name} on the non-integer tile '{floats[0]}' (bitwise ops take integers)")
        try:
            return self._build()
        except (IndexError, AttributeError, StopIteration, TypeError) as exc:
            raise SimError(f"{self.name}: {len(self.args)} operands that bind to no form the simulator models "
                           f"({type(exc).__name__})") from exc

    def _build(self) -> list[Step]:
        n = self.name
        if n in ("TADD", "TSUB", "TMUL", "TDIV", "TMAX", "TMIN", "TAND", "TOR", "TSHL", "TSHR", "TFMOD",
                 "TXOR", "TREM", "TPRELU"):
            return self._binary(n[1:])
        if n in ("TADDS", "TSUBS", "TMULS", "TMAXS", "TMINS", "TANDS", "TORS", "TSHLS", "TSHRS",
                 "TXORS", "TREMS", "TFMODS"):
            return self._binary_scalar(n[1:-1])
        if n == "TDIVS":
            return self._divs()
        if n == "TRSQRT" and len(self.tiles()) >= 3:
            return self._rsqrt_tmp()
        if n in UNARY:
            return self._unary(UNARY[n])
        if n == "TEXPANDS":
            return self._expands()
        if n == "TMOV":
            return self._mov()
        if n == "TCVT":
            return self._tcvt()
        if n in ("TROWSUM", "TROWMAX", "TROWMIN", "TROWPROD"):
            return self._row_reduce(n[4:])
        if n in ("TROWARGMAX", "TROWARGMIN"):
            return self._arg_reduce(axis=1)
        if n in ("TCOLARGMAX", "TCOLARGMIN"):
            return self._arg_reduce(axis=0)
        if n in ("TCOLSUM", "TCOLMAX", "TCOLMIN", "TCOLPROD"):
            return self._col_reduce(n[4:])
        if n == "TROWEXPAND":
            return self._row_expand_plain()
        if n.startswith("TROWEXPAND"):
            return self._row_expand_binary(n[len("TROWEXPAND"):])
        if n == "TCOLEXPAND":
            return self._col_expand_plain()
        if n.startswith("TCOLEXPAND"):
            return self._col_expand_binary(n[len("TCOLEXPAND"):])
        if n in ("TCMP", "TCMPS"):
            return self._cmp_op(n == "TCMPS")
        if n == "TSEL":
            return self._sel()
        if n == "TSELS":
            return self._sels()
        if n in ("TFILLPAD", "TFILLPAD_INPLACE"):
            return self._fillpad()
        builder = _BUILDERS_BY_NAME.get(n)
        if builder is not None:
            return builder(self)
        raise SimError(f"unknown or unmodelled vector op '{n}'")

    # --- elementwise ---
    def _binary(self, op: str) -> list[Step]:
        dst, a, b = self.tile(0), self.tile(1), self.tile(2)
        fn = BINARY.get(op)
        if op == "PRELU":
            def fn(x, y):
                return np.where(x > 0, x, x * y)
        tmp = self.args[3] if len(self.args) > 3 and isinstance(self.args[3], TileView) else None

        def run(mem: Memory, stmt: int) -> None:
            r, c = dst.valid_rows, dst.valid_cols
            x = _as(_region(mem, a, r, c), dst)
            y = _as(_region(mem, b, r, c), dst)
            assert fn is not None
            with np.errstate(all="ignore"):
                out = fn(x, y)
            if tmp is not None:
                _tmp_fill(mem, tmp, a, stmt)
            mem.write(dst, out, stmt)
        return self.single(run)

    def _binary_scalar(self, op: str) -> list[Step]:
        dst, a = self.tile(0), self.tile(1)
        scalars = [x for x in self.args[2:] if not isinstance(x, (TileView, Sym))]
        if not scalars:
            raise SimError(f"{self.name}: missing scalar operand")
        tmp = next((x for x in self.args[2:] if isinstance(x, TileView)), None)
        fn = BINARY[op]

        def run(mem: Memory, stmt: int) -> None:
            r, c = dst.valid_rows, dst.valid_cols
            x = _as(_region(mem, a, r, c), dst)
            s = _scalar(scalars[0], dst)
            with np.errstate(all="ignore"):
                out = fn(x, s)
            if tmp is not None:
                _tmp_fill(mem, tmp, a, stmt)
            mem.write(dst, out, stmt)
        return self.single(run)

    def _divs(self) -> list[Step]:
        dst = self.tile(0)
        scalar_first = not isinstance(self.args[1], TileView)
        src = self.tile(2) if scalar_first else self.tile(1)
        scalar = self.value(1) if scalar_first else self.value(2)

        def run(mem: Memory, stmt: int) -> None:
            r, c = dst.valid_rows, dst.valid_cols
            x = _as(_region(mem, src, r, c), dst)
            s = _scalar(scalar, dst)
            with np.errstate(all="ignore"):
                out = truncating_divide(s, x) if scalar_first else truncating_divide(x, s)
            mem.write(dst, out, stmt)

        is_float = _compute_dtype(dst).kind == "f"
        if is_float and dst.key != src.key:
            # TDivS.hpp: vector_dup(dst, scalar); pipe_barrier(PIPE_V); vdiv(dst, ...).
            def dup(mem: Memory, stmt: int) -> None:
                mem.write(dst, np.full((dst.valid_rows, dst.valid_cols), _scalar(scalar, dst)), stmt)
            return [Step([], [dst], dup, True, False, "TDIVS.dup"),
                    Step([src, dst], [dst], run, False, False, "TDIVS")]
        return self.single(run, drain_after=not is_float)

    def _unary(self, fn) -> list[Step]:
        dst, a = self.tile(0), self.tile(1)

        def run(mem: Memory, stmt: int) -> None:
            x = _as(_region(mem, a, dst.valid_rows, dst.valid_cols), dst)
            with np.errstate(all="ignore"):
                mem.write(dst, fn(x), stmt)
        return self.single(run)

    def _rsqrt_tmp(self) -> list[Step]:
        dst, a, tmp = self.tile(0), self.tile(1), self.tile(2)

        def first(mem: Memory, stmt: int) -> None:
            x = _as(_region(mem, a, dst.valid_rows, dst.valid_cols), dst)
            mem.write(tmp, np.ones((tmp.valid_rows, tmp.valid_cols), _compute_dtype(tmp)), stmt)
            with np.errstate(all="ignore"):
                mem.write(dst, np.sqrt(x), stmt)

        def second(mem: Memory, stmt: int) -> None:
            y = _as(mem.read(dst), dst)
            ones = _as(_region(mem, tmp, 1, 1), dst)[0, 0]
            with np.errstate(all="ignore"):
                mem.write(dst, ones / y, stmt)
        return [Step([a], [dst, tmp], first, True, True, "TRSQRT.sqrt"),
                Step([tmp, dst], [dst], second, False, True, "TRSQRT.div")]

    def _expands(self) -> list[Step]:
        dst = self.tile(0)
        scalar = self.value(1)

        def run(mem: Memory, stmt: int) -> None:
            mem.write(dst, np.full((dst.valid_rows, dst.valid_cols), _scalar(scalar, dst)), stmt)
        return self.single(run)

    def _mov(self) -> list[Step]:
        dst, src = self.tile(0), self.tile(1)
        if dst.type.loc != "Vec" or src.type.loc != "Vec":
            raise SimError(f"TMOV {src.type.loc}->{dst.type.loc} is not a vector-side move")

        def run(mem: Memory, stmt: int) -> None:
            r, c = dst.valid_rows, dst.valid_cols
            if src.valid_rows * src.valid_cols == r * c and (src.valid_rows, src.valid_cols) != (r, c):
                x = mem.read(src).reshape(r, c)
            else:
                x = _region(mem, src, r, c)
            mem.write(dst, _as(x, dst), stmt)
        return self.single(run)

    def _tcvt(self) -> list[Step]:
        dst, src = self.tile(0), self.tile(1)
        rmode = next((a for a in self.args[2:] if isinstance(a, Sym) and "CAST_" in a.name), None)
        tmp = next((a for a in self.args[2:] if isinstance(a, TileView)), None)
        if tmp is not None:
            # Old emitter form TCVT(dst, src, tmp, rmode): tmp is scratch.
            reads, writes = [src], [dst, tmp]
        else:
            reads, writes = [src], [dst]

        def run(mem: Memory, stmt: int) -> None:
            x = _region(mem, src, dst.valid_rows, dst.valid_cols)
            if tmp is not None:
                _tmp_fill(mem, tmp, src, stmt)
            mem.write(dst, _cvt(x, dst, rmode), stmt)
        return [Step(reads, writes, run, False, tmp is not None, "TCVT")]

    # --- reductions ---
    def _row_reduce(self, op: str) -> list[Step]:
        dst, src = self.tile(0), self.tile(1)
        tmp = self.args[2] if len(self.args) > 2 and isinstance(self.args[2], TileView) else None
        red = REDUCE[op]
        valid = (src.valid_rows, src.valid_cols)
        tmp_cols = tmp.type.cols if tmp is not None else None
        tmp_dtype = tmp.type.elem if tmp is not None else None
        drain = OPS[self.name].trailing_drain == ROW_REDUCE and \
            row_reduce_drains(src.type.elem, valid, tmp_cols, tmp_dtype, src.type.cols)
        reach = reduce_tmp_bytes(self.name, src.type.elem, valid, tmp_cols, tmp_dtype,
                                 (src.type.rows, src.type.cols)) or 0

        def run(mem: Memory, stmt: int) -> None:
            x = _nonempty(_as(_region(mem, src, dst.valid_rows, src.valid_cols), dst), 1, self.name)
            with np.errstate(all="ignore"):
                out = red(x.astype(np.float32) if x.dtype == np.float16 else x, axis=1).astype(x.dtype)
            if tmp is not None:
                _tmp_fill(mem, tmp, src, stmt, reach)
            full = mem.read(dst, full=True)
            full[:dst.valid_rows, 0] = out
            mem.write(dst, full[:dst.valid_rows, :dst.valid_cols], stmt)
        return self.single(run, drain_after=drain)

    def _arg_reduce(self, axis: int) -> list[Step]:
        if len(self.args) != 3:
            raise SimError(f"{self.name} with {len(self.args)} operands (values and indices) is not simulated")
        dst, src = self.tile(0), self.tile(1)
        tmp = self.args[2] if isinstance(self.args[2], TileView) else None
        is_max = self.name.endswith("MAX")

        def run(mem: Memory, stmt: int) -> None:
            if axis == 1:
                x = _region(mem, src, dst.valid_rows, src.valid_cols)
            else:
                x = _region(mem, src, src.valid_rows, dst.valid_cols)
            idx = (np.argmax if is_max else np.argmin)(_nonempty(x, axis, self.name), axis=axis)
            if tmp is not None:
                _tmp_fill(mem, tmp, src, stmt)
            full = mem.read(dst, full=True)
            if axis == 1:
                full[:dst.valid_rows, 0] = idx
            else:
                full[0, :dst.valid_cols] = idx
            mem.write(dst, full[:dst.valid_rows, :dst.valid_cols], stmt)
        drain = trailing_drain_holds(self.name, tmp is not None, src.type.elem, (dst.valid_rows, dst.valid_cols),
                                     (src.valid_rows, src.valid_cols))
        return self.single(run, drain_after=drain)

    def _col_reduce(self, op: str) -> list[Step]:
        dst, src = self.tile(0), self.tile(1)
        tmp = self.args[2] if len(self.args) > 2 and isinstance(self.args[2], TileView) else None
        red = REDUCE[op]
        reach = reduce_tmp_bytes("TCOLSUM", src.type.elem, (src.valid_rows, src.valid_cols),
                                 tmp.type.cols if tmp is not None else None,
                                 tmp.type.elem if tmp is not None else None) if self.name == "TCOLSUM" else None

        def run(mem: Memory, stmt: int) -> None:
            x = _nonempty(_as(_region(mem, src, src.valid_rows, dst.valid_cols), dst), 0, self.name)
            with np.errstate(all="ignore"):
                out = red(x.astype(np.float32) if x.dtype == np.float16 else x, axis=0).astype(x.dtype)
            if tmp is not None:
                _tmp_fill(mem, tmp, src, stmt, reach or 0)
            full = mem.read(dst, full=True)
            full[0, :dst.valid_cols] = out
            mem.write(dst, full[:dst.valid_rows, :dst.valid_cols], stmt)
        drain = trailing_drain_holds(self.name, tmp is not None, src.type.elem, (dst.valid_rows, dst.valid_cols),
                                     (src.valid_rows, src.valid_cols))
        return self.single(run, drain_after=drain)

    # --- expand family ---
    def _row_expand_plain(self) -> list[Step]:
        dst, src = self.tile(0), self.tile(1)

        def run(mem: Memory, stmt: int) -> None:
            col = _as(_region(mem, src, dst.valid_rows, 1), dst)
            mem.write(dst, np.broadcast_to(col, (dst.valid_rows, dst.valid_cols)), stmt)
        steps = self.single(run)
        s, d = src.type, dst.type
        static = all(t.valid_rows == t.rows and t.valid_cols == t.cols for t in (s, d))
        if dst.valid_rows > 0 and row_expand_takes_scalar_path(s.size, static, s.blayout == "RowMajor", s.rows,
                                                               s.cols, d.rows, d.cols):
            # Each row: V->S round trip, scalar read of the row's value, S->V round trip, vector_dup.
            # Every row's round trip waits for the rows before; the last row's dup stays pending.
            steps[0].round_trip_before = True
        return steps

    def _row_expand_binary(self, op: str) -> list[Step]:
        if op not in BINARY:
            raise SimError(f"unknown or unmodelled vector op '{self.name}'")
        dst, src0, src1 = self.tile(0), self.tile(1), self.tile(2)
        tmp = self.args[3] if len(self.args) > 3 and isinstance(self.args[3], TileView) else None
        rows = dst.valid_rows
        fn = BINARY["SUB"] if op == "EXPDIF" else BINARY[op]
        # The implementation takes src1 as the per-row operand only when src0's valid shape is
        # dst's (and, both being so, src0's rows are at least as wide): docs/reference/pto-facts.md §2.
        shape = (dst.valid_rows, dst.valid_cols)
        if (src0.valid_rows, src0.valid_cols) != shape or (
                (src1.valid_rows, src1.valid_cols) == shape and src0.type.cols < src1.type.cols):
            raise SimError(f"{self.name} with src0 as the per-row operand (valid shapes) is not simulated")

        def apply(lo_row: int, hi_row: int, per_row: np.ndarray, mem: Memory, stmt: int) -> None:
            full = _as(mem.read(dst, full=True), dst)
            x = _as(_region(mem, src0, hi_row, dst.valid_cols)[lo_row:hi_row], dst)
            with np.errstate(all="ignore"):
                full[lo_row:hi_row, :dst.valid_cols] = fn(x, per_row[:, None])
            mem.write(dst, full[:dst.valid_rows, :dst.valid_cols], stmt)

        if src1.type.blayout == "RowMajor" and src1.type.cols * src1.type.size == 32 and tmp is None:
            # TRowExpandBinaryInstr32B: per-row scalar read straight from src1, no barrier at all.
            def run(mem: Memory, stmt: int) -> None:
                per_row = _as(_region(mem, src1, rows, 1)[:, 0], dst)
                apply(0, rows, per_row, mem, stmt)
            steps = [Step([src0, src1], [dst], run, False, False, self.name)]
        else:
            # vbrcb(scratch <- src1); pipe_barrier(PIPE_V); op(dst <- src0, scratch)  [§2, §2.3]
            block = 32 // dst.type.size          # elements per 32-byte block
            steps = []
            for lo, hi, drain_after in row_expand_chunks(rows):
                if tmp is not None:
                    scratch_base = tmp.addr
                    scratch_name = tmp.name
                else:
                    scratch_base = HIDDEN_SCRATCH[0]
                    scratch_name = "<hidden scratch TMP_UB_OFFSET>"
                scratch = TileView(scratch_name, SimTileType("Vec", dst.type.elem, hi - lo, block),
                                   scratch_base, hi - lo, block)

                def brcb(mem: Memory, stmt: int, lo=lo, hi=hi, scratch=scratch) -> None:
                    vals = _as(_region(mem, src1, hi, 1)[lo:hi, 0], dst)
                    # A pure copy: broadcasting unchanged bytes again writes the same value
                    # (docs/reference/pto-facts.md §2.4).
                    mem.derive_vid(("vbrcb", src1.key, lo, hi, scratch.key))
                    mem.write(scratch, np.repeat(vals[:, None], scratch.valid_cols, axis=1), stmt)

                def body(mem: Memory, stmt: int, lo=lo, hi=hi, scratch=scratch) -> None:
                    per_row = _as(mem.read(scratch)[:, 0], dst)
                    apply(lo, hi, per_row, mem, stmt)

                steps.append(Step([src1], [scratch], brcb, True, tmp is not None, self.name + ".vbrcb"))
                steps.append(Step([src0, scratch], [dst], body, drain_after, tmp is not None, self.name))
        if op == "EXPDIF":
            steps[-1].drain_after = True

            def exp(mem: Memory, stmt: int) -> None:
                with np.errstate(all="ignore"):
                    mem.write(dst, np.exp(_as(mem.read(dst), dst)), stmt)
            steps.append(Step([dst], [dst], exp, False, tmp is not None, self.name + ".exp"))
        return steps

    def _col_expand_plain(self) -> list[Step]:
        dst, src = self.tile(0), self.tile(1)

        def run(mem: Memory, stmt: int) -> None:
            row = _as(_region(mem, src, 1, dst.valid_cols), dst)
            mem.write(dst, np.broadcast_to(row, (dst.valid_rows, dst.valid_cols)), stmt)
        return self.single(run)

    def _col_expand_binary(self, op: str) -> list[Step]:
        if op not in BINARY:
            raise SimError(f"unknown or unmodelled vector op '{self.name}'")
        dst, src0, src1 = self.tile(0), self.tile(1), self.tile(2)
        fn = BINARY[op]
        if self.name in SOURCES_READ_AS_DST_TYPE and any(src.type.size != dst.type.size for src in (src0, src1)):
            raise SimError(f"{self.name}: a source of another element size than dst's is read as dst's type "
                           "(not modelled)")

        def run(mem: Memory, stmt: int) -> None:
            r, c = dst.valid_rows, dst.valid_cols
            x = _as(_region(mem, src0, r, c), dst)
            row = _as(_region(mem, src1, 1, c), dst)
            with np.errstate(all="ignore"):
                mem.write(dst, fn(x, row), stmt)
        return self.single(run)

    # --- compare / select ---
    def _cmp_op(self, scalar: bool) -> list[Step]:
        dst, a = self.tile(0), self.tile(1)
        mode = next((x for x in self.args[2:] if isinstance(x, Sym)), Sym("CmpMode::EQ"))
        other = self.value(2) if scalar else self.tile(2)

        def run(mem: Memory, stmt: int) -> None:
            r, c = a.valid_rows, a.valid_cols
            x = _as(_region(mem, a, r, c), a)
            y = _scalar(other, a) if scalar else _as(_region(mem, other, r, c), a)
            _write_mask(mem, dst, _cmp(mode, x, y), stmt)
        return self.single(run)

    def _sel(self) -> list[Step]:
        # (A call without its tmp is refused: _refuse_unmodelled_forms, ops.lacks_tmp.)
        dst, mask, a, b, tmp = (self.tile(i) for i in range(5))

        def dup(mem: Memory, stmt: int) -> None:
            _tmp_fill(mem, tmp, mask, stmt)

        def run(mem: Memory, stmt: int) -> None:
            r, c = dst.valid_rows, dst.valid_cols
            m = _mask_bits(mem, mask, r, c)
            mem.write(dst, np.where(m, _as(_region(mem, a, r, c), dst), _as(_region(mem, b, r, c), dst)), stmt)
        return [Step([], [tmp], dup, True, True, "TSEL.dup"),
                Step([mask, a, b], [dst, tmp], run, False, True, "TSEL")]

    def _sels(self) -> list[Step]:
        dst, mask, a, tmp = (self.tile(i) for i in range(4))
        scalar = next(x for x in self.args[4:] if not isinstance(x, (TileView, Sym)))

        def run(mem: Memory, stmt: int) -> None:
            r, c = dst.valid_rows, dst.valid_cols
            m = _mask_bits(mem, mask, r, c)
            _tmp_fill(mem, tmp, mask, stmt)
            mem.write(dst, np.where(m, _as(_region(mem, a, r, c), dst), _scalar(scalar, dst)), stmt)
        return [Step([], [], lambda mem, stmt: None, True, False, "TSELS.sync"),
                Step([mask, a], [dst, tmp], run, False, True, "TSELS")]

    # --- misc ---
    def _fillpad(self) -> list[Step]:
        dst, src = self.tile(0), self.tile(1)

        def run(mem: Memory, stmt: int) -> None:
            full = _as(mem.read(dst, full=True), dst)
            pad = dst.type.pad
            dt = full.dtype
            value: float
            if pad in ("Zero", "Null"):
                value = 0
            elif pad == "Max":
                value = np.inf if dt.kind == "f" else np.iinfo(dt).max
            elif pad == "Min":
                value = -np.inf if dt.kind == "f" else np.iinfo(dt).min
            else:
                raise SimError(f"TFILLPAD: pad value {pad} is not modelled")
            if pad != "Null":
                full[...] = value
            r, c = src.valid_rows, src.valid_cols
            if r > dst.type.rows or c > dst.type.cols:
                raise SimError(f"TFILLPAD: the {r}x{c} valid region of '{src.name}' does not fit "
                               f"'{dst.name}' [{dst.type.rows}x{dst.type.cols}]")
            full[:r, :c] = _as(_region(mem, src, r, c), dst)
            mem.write(dst, full, stmt, full=True)
        return self.single(run)

    def _axpy(self) -> list[Step]:
        dst, src = self.tile(0), self.tile(1)
        scalar = self.value(2)

        def run(mem: Memory, stmt: int) -> None:
            r, c = dst.valid_rows, dst.valid_cols
            acc = _as(mem.read(dst), dst)
            with np.errstate(all="ignore"):
                mem.write(dst, acc + _as(_region(mem, src, r, c), dst) * _scalar(scalar, dst), stmt)
        reads, writes, _ = self.default_rw()
        return [Step(reads + [dst], writes, run, False, False, "TAXPY")]

    def _trans(self) -> list[Step]:
        dst, src = self.tile(0), self.tile(1)
        tmp = self.args[2] if len(self.args) > 2 and isinstance(self.args[2], TileView) else None

        def run(mem: Memory, stmt: int) -> None:
            x = _region(mem, src, dst.valid_cols, dst.valid_rows)
            if tmp is not None:
                _tmp_fill(mem, tmp, src, stmt)
            mem.write(dst, _as(x.T.copy(), dst), stmt)
        return [Step([src], [dst] + ([tmp] if tmp is not None else []), run, False, tmp is not None, "TTRANS")]

    def _concat(self) -> list[Step]:
        """TCONCAT(dst, src0, src1) as 3186c381 copies: src0's valid columns as whole 32-byte blocks
        into each of dst's valid rows, then src1's from column validCol0 on, as whole blocks when
        that column starts one, else element by element (ops.concat_row_bytes bounds the walk)."""
        if len(self.args) != 3:
            raise SimError(f"TCONCAT: the {len(self.args)}-operand (index) form is not modelled")
        dst, a, b = self.tile(0), self.tile(1), self.tile(2)
        size = dst.type.size
        if {a.type.size, b.type.size} != {size} or any(t.type.blayout != "RowMajor" for t in (dst, a, b)):
            raise SimError("TCONCAT: operands of different element sizes or not row-major are not modelled")
        rows, col0, col1 = dst.valid_rows, a.valid_cols, b.valid_cols
        bytes0, bytes1, dst_bytes = concat_row_bytes(size, col0, col1)
        for tile, need in ((dst, dst_bytes), (a, bytes0), (b, bytes1)):
            if tile.type.rows < rows or tile.type.cols * size < need:
                raise SimError(f"TCONCAT walks {rows} rows of {need} bytes over '{tile.name}' "
                               f"[{tile.type.rows}x{tile.type.cols}]: past its end")
        copied1 = -(-col1 * size // BLOCK_BYTES) * BLOCK_BYTES // size if col0 * size % BLOCK_BYTES == 0 else col1

        def run(mem: Memory, stmt: int) -> None:
            full = mem.read(dst, full=True)
            full[:rows, :bytes0 // size] = mem.read(a, full=True)[:rows, :bytes0 // size]
            full[:rows, col0:col0 + copied1] = mem.read(b, full=True)[:rows, :copied1]
            mem.write(dst, full, stmt, full=True)
        return [Step([a, b], [dst], run, False, False, "TCONCAT")]

    def _merge_sort(self) -> list[Step]:
        if len(self.args) == 3:
            return self._merge_sort_blocks()
        return self._merge_sort_lists()

    def _merge_sort_elem(self, tiles: list[TileView]) -> np.dtype:
        """The one element type, half or float, of TMRGSORT's tiles (it static_asserts that)."""
        elem = dtype_of(tiles[0].type.elem)
        if any(t.type.elem != tiles[0].type.elem for t in tiles) or elem[1] != "f" or elem[0].itemsize not in (2, 4):
            raise SimError("TMRGSORT: its tiles are not all half or all float")
        return elem[0]

    def _merge_sort_lists(self) -> list[Step]:
        """TMRGSORT<..., exhausted>(dst, executedNumList, tmp, src0, src1[, src2[, src3]]) as
        TMrgSort.hpp runs it: the merge of the lists' pairs into tmp from its start (the largest
        head value first, the earliest list on a tie or a NaN, as pto-isa's CPU model; with
        `exhausted` it stops once a list is used up and stores how many pairs it took of each into
        the struct), the internal barrier, then one copy of dst's valid columns in whole 32-byte
        blocks from tmp to dst (pto.ops.mrgsort_list_bytes, mrgsort_copy_bytes). With `exhausted`
        the V->S round trip on EVENT_ID0 before the barrier (PtoSetWaitFlag's default event) is
        run too."""
        dst, counts, tmp = self.tile(0), self.args[1], self.tile(2)
        if not isinstance(counts, ExecutedCounts):
            raise SimError("TMRGSORT: argument 2 is not pto's MrgSortExecutedNumList")
        sources = [self.tile(index) for index in range(3, len(self.args))]
        value_type = self._merge_sort_elem([dst, tmp, *sources])
        exhausted = self._exhausted()
        lengths = [mrgsort_list_bytes(value_type.itemsize, src.valid_cols) for src in sources]
        if any(n is None for n in lengths):
            raise SimError("TMRGSORT: a list's pair count does not fit its 16-bit field")
        sizes = [n for n in lengths if n is not None]
        total = sum(sizes)
        copied = mrgsort_copy_bytes(value_type.itemsize, dst.valid_cols)

        def merge(mem: Memory, stmt: int) -> None:
            if max([tmp.lo + total] + [src.lo + n for src, n in zip(sources, sizes, strict=True)]) > mem.ub_size:
                raise SimError("TMRGSORT's merge reaches past the UB's end")
            lists, values = [], []
            for src, n in zip(sources, sizes, strict=True):
                pairs = mem.ub[src.lo:src.lo + n].reshape(-1, MRGSORT_PAIR_BYTES).copy()
                mem.observe_bytes(src.lo, src.lo + n)
                lists.append(pairs)
                values.append(pairs[:, :value_type.itemsize].copy().view(value_type).ravel())
            heads = [0] * len(lists)
            out = []
            while True:
                pick = -1
                for k, pairs in enumerate(lists):
                    if heads[k] < len(pairs) and (pick < 0 or values[k][heads[k]] > values[pick][heads[pick]]):
                        pick = k
                if pick < 0:
                    break
                out.append(lists[pick][heads[pick]])
                heads[pick] += 1
                if exhausted and any(heads[k] == len(pairs) for k, pairs in enumerate(lists)):
                    break
            if out:
                mem.write_bytes(tmp.lo, np.concatenate(out), stmt)
            if exhausted:
                counts.counts[:] = [h & 0xFFFF for h in heads] + [0] * (MRGSORT_LISTS - len(heads))

        def copy(mem: Memory, stmt: int) -> None:
            if max(tmp.lo, dst.lo) + copied > mem.ub_size:
                raise SimError("TMRGSORT's copy from tmp to dst reaches past the UB's end")
            data = mem.ub[tmp.lo:tmp.lo + copied].copy()
            mem.observe_bytes(tmp.lo, tmp.lo + copied)
            mem.write_bytes(dst.lo, data, stmt)
        reads = [(src.lo, src.lo + n) for src, n in zip(sources, sizes, strict=True)]
        return [Step(reads, [(tmp.lo, tmp.lo + total)], merge, True, True, "TMRGSORT.vmrgsort4"),
                Step([(tmp.lo, tmp.lo + copied)], [(dst.lo, dst.lo + copied)], copy, False, True, "TMRGSORT",
                     round_trip_before=exhausted)]

    def _exhausted(self) -> bool:
        """TMRGSORT's `exhausted` template argument (its last; ptoas spells every one out)."""
        last = self.targs[-1] if self.targs else None
        if not isinstance(last, sp.Literal) or not isinstance(last.value, bool):
            raise SimError("TMRGSORT's multi-list form without `true` or `false` as its last template argument")
        return last.value

    def _merge_sort_blocks(self) -> list[Step]:
        """TMRGSORT(dst, src, blockLen): each repeat merges four consecutive blocks of src's
        8-byte (value, index) pairs into dst, the same bytes on (pto.ops.mrgsort_single_repeats).
        The merge takes, pair by pair, the largest value at the head of a block not yet used up,
        the earliest block on a tie or a NaN (pto-isa's CPU model): unsorted blocks are merged,
        not sorted, as vmrgsort4 does. (How the hardware breaks ties is not documented; both
        kernels of a comparison run this one rule.)"""
        dst, src = self.tile(0), self.tile(1)
        block_len = self.value(2)
        value_type = self._merge_sort_elem([dst, src])
        if not isinstance(block_len, (int, np.integer)):
            raise SimError("TMRGSORT: blockLen is not an integer")
        shape = mrgsort_single_repeats(value_type.itemsize, src.valid_cols, int(block_len))
        if shape is None:
            raise SimError(f"TMRGSORT: blockLen {int(block_len)} over {src.valid_cols} valid columns makes no whole "
                           "repeat of four blocks the model pins down")
        repeats, pairs = shape
        nbytes = repeats * MRGSORT_LISTS * pairs * MRGSORT_PAIR_BYTES

        def run(mem: Memory, stmt: int) -> None:
            if max(src.lo, dst.lo) + nbytes > mem.ub_size:
                raise SimError(f"TMRGSORT reaches {nbytes} bytes past the UB's end from '{src.name}' or '{dst.name}'")
            data = mem.ub[src.lo:src.lo + nbytes].reshape(-1, MRGSORT_PAIR_BYTES).copy()
            mem.observe_bytes(src.lo, src.lo + nbytes)
            values = data[:, :value_type.itemsize].copy().view(value_type).ravel()
            out = np.empty_like(data)
            for group in range(repeats):
                heads = [group * MRGSORT_LISTS * pairs + k * pairs for k in range(MRGSORT_LISTS)]
                ends = [head + pairs for head in heads]
                for at in range(group * MRGSORT_LISTS * pairs, (group + 1) * MRGSORT_LISTS * pairs):
                    pick = -1
                    for k in range(MRGSORT_LISTS):
                        if heads[k] < ends[k] and (pick < 0 or values[heads[k]] > values[heads[pick]]):
                            pick = k
                    out[at] = data[heads[pick]]
                    heads[pick] += 1
            mem.write_bytes(dst.lo, out.ravel(), stmt)
        return [Step([(src.lo, src.lo + nbytes)], [(dst.lo, dst.lo + nbytes)], run, False, False, "TMRGSORT")]

    def _sort32(self) -> list[Step]:
        """TSORT32(dst, src, idx[, tmp]) as TSort32.hpp runs it (ops.sort32_reach): per valid row of
        dst, each block of 32 source elements (with a tmp and a tail: the row copied into tmp, the
        last block padded with -NaN) sorted by value, largest first, ties and NaNs by the order of
        the CPU model (index ascending, NaN last), into 8-byte (value, index) pairs of dst."""
        has_tmp = len(self.args) == 4
        dst, src, idx = self.tile(0), self.tile(1), self.tile(2)
        tmp = self.tile(3) if has_tmp else None
        value_type, kind = dtype_of(dst.type.elem)
        if src.type.elem != dst.type.elem or kind != "f" or idx.type.elem != "uint32_t" \
                or any(t.type.blayout != "RowMajor" for t in (dst, src, idx)):
            raise SimError("TSORT32: dst and src not both half or float, idx not uint32_t, or a tile not row-major")
        size = value_type.itemsize
        reach = sort32_reach(size, has_tmp, dst.valid_rows, src.valid_cols, idx.valid_rows,
                             (dst.type.cols * size, src.type.cols * size, idx.type.cols * 4))
        if reach is None:
            raise SimError(f"TSORT32 over {src.valid_cols} valid columns: a path the model does not follow")
        blocks = reach.dst_bytes // 256
        reads = (sort32_row_intervals(src.lo, reach.rows, reach.src_pitch, reach.src_bytes)
                 + sort32_row_intervals(idx.lo, reach.rows, reach.idx_pitch, reach.idx_bytes))
        writes = sort32_row_intervals(dst.lo, reach.rows, reach.dst_pitch, reach.dst_bytes)
        if tmp is not None and reach.tmp_bytes:
            reads.append((tmp.lo, tmp.lo + reach.tmp_bytes))
            writes.append((tmp.lo, tmp.lo + reach.tmp_bytes))

        def run(mem: Memory, stmt: int) -> None:
            if max(hi for _, hi in reads + writes) > mem.ub_size:
                raise SimError("TSORT32 reaches past the UB's end")
            for row in range(reach.rows):
                at = src.lo + row * reach.src_pitch
                if tmp is not None and reach.tmp_bytes:
                    data = mem.ub[at:at + reach.src_bytes].copy()
                    mem.observe_bytes(at, at + reach.src_bytes)
                    mem.write_bytes(tmp.lo, data, stmt)
                    pad = np.full((reach.tmp_bytes - src.valid_cols * size) // size, -np.nan, value_type)
                    mem.write_bytes(tmp.lo + src.valid_cols * size, pad.view(np.uint8), stmt)
                    at = tmp.lo
                values = mem.ub[at:at + blocks * 32 * size].copy().view(value_type)
                mem.observe_bytes(at, at + blocks * 32 * size)
                where = idx.lo + row * reach.idx_pitch
                indices = mem.ub[where:where + reach.idx_bytes].copy().view(np.uint32)
                mem.observe_bytes(where, where + reach.idx_bytes)
                out = np.zeros((blocks * 32, 8), np.uint8)
                for block in range(blocks):
                    part = range(block * 32, block * 32 + 32)
                    order = sorted(part, key=lambda k: (1, 0.0, int(indices[k])) if np.isnan(values[k])
                                   else (0, -float(values[k]), int(indices[k])))
                    for slot, k in enumerate(order):
                        out[block * 32 + slot, :size] = values[k:k + 1].view(np.uint8)
                        out[block * 32 + slot, 4:] = indices[k:k + 1].view(np.uint8)
                mem.write_bytes(dst.lo + row * reach.dst_pitch, out.ravel(), stmt)
        return [Step(reads, writes, run, sort32_drains(dst.valid_rows), has_tmp, "TSORT32")]


# The ops whose builder takes no other argument than the call (looked up by name).
_BUILDERS_BY_NAME: dict[str, Callable[[OpBuilder], list[Step]]] = {
    "TAXPY": OpBuilder._axpy, "TTRANS": OpBuilder._trans, "TCONCAT": OpBuilder._concat,
    "TMRGSORT": OpBuilder._merge_sort, "TSORT32": OpBuilder._sort32}


@dataclass
class ExecutedCounts:
    """pto's MrgSortExecutedNumList: four uint16_t, which TMRGSORT<..., true> stores with the
    scalar unit once its merge is done (pto.ops STRUCT_OUTPUT_TYPES); 0s until then (the
    simulator gives one declared without an initialiser 0s, as it does every uninitialised value
    that both kernels of a comparison read alike)."""

    counts: list


def new_struct_value(type_name: str) -> ExecutedCounts | None:
    """A value of one of pto's structs an op stores into (pto.ops STRUCT_OUTPUT_TYPES), else None."""
    if struct_output_type(type_name):
        return ExecutedCounts([0] * MRGSORT_LISTS)
    return None


def build_steps(name: str, args: list, template_args: list | None = None) -> list[Step]:
    return OpBuilder(name, args, template_args).build()


VECTOR_OPS = {
    "TADD", "TSUB", "TMUL", "TDIV", "TMAX", "TMIN", "TAND", "TOR", "TSHL", "TSHR", "TFMOD", "TXOR", "TREM",
    "TPRELU", "TADDS", "TSUBS", "TMULS", "TMAXS", "TMINS", "TANDS", "TORS", "TSHLS", "TSHRS", "TXORS",
    "TREMS", "TFMODS", "TDIVS", "TEXP", "TLOG", "TSQRT", "TRSQRT", "TRECIP", "TABS", "TNEG", "TRELU", "TNOT",
    "TEXPANDS", "TMOV", "TCVT", "TROWSUM", "TROWMAX", "TROWMIN", "TROWPROD", "TROWARGMAX", "TROWARGMIN",
    "TCOLARGMAX", "TCOLARGMIN", "TCOLSUM", "TCOLMAX", "TCOLMIN", "TCOLPROD", "TROWEXPAND", "TROWEXPANDADD",
    "TROWEXPANDSUB", "TROWEXPANDMUL", "TROWEXPANDDIV", "TROWEXPANDMAX", "TROWEXPANDMIN", "TROWEXPANDEXPDIF",
    "TCOLEXPAND", "TCOLEXPANDADD", "TCOLEXPANDSUB", "TCOLEXPANDMUL", "TCOLEXPANDDIV", "TCOLEXPANDMAX",
    "TCOLEXPANDMIN", "TCOLEXPANDEXPDIF", "TCMP", "TCMPS", "TSEL", "TSELS", "TFILLPAD", "TFILLPAD_INPLACE",
    "TAXPY", "TTRANS", "TCONCAT", "TMRGSORT", "TSORT32",
}
