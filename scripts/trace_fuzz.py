"""Red team red9: a seeded random-kernel fuzz of `run --pattern auto`, judged by pto-isa's host cost model.

Each seed makes one kernel in ptoas's spelling (tile declarations, `uint64_t vN = (uint64_t) vM;
TASSIGN(vT, vN);`, `pipe_barrier(PIPE_V);`) over the op shapes where byte proofs get subtle: tiles
placed at UB offsets that overlap by a block, a row or a column stripe of another; sub-tiles of a
bigger buffer (a row band, a column stripe through valid columns under the parent's row stride);
half and float views of the same bytes; row strides (column counts) that differ between operands; valid
shapes smaller than the tile, static or set at run time from a kernel parameter (`Tile<..., -1, -1,
...> v = Tile<...>(n, cols)`); element-wise, scalar, unary, row/column reduction and expand (with tmp
tiles), TCVT and TMOV ops mixed; straight-line code, `for` loops of a constant trip count that
re-place tiles by their counter, `if`/`else` on the counter (both arms run) and on a kernel parameter
(the trace runs once per value).

Per kernel: ``ptofix.api.fix_cpp(patterns="auto")`` with the pto-isa checkout, then the input is built
and run in the host cost model (ptofix/trace, the judge written apart from the static proof) once per
argument set; the output's trace is the input's with the removed barrier sites' ``pipe_barrier``
calls left out (the output differs only there; ``--full`` builds and traces the output itself too,
as ``run --verify-trace`` does, and checks the two agree). A removal is WRONG when the output's
trace has a race (msSanitizer's a2/a3 rule, ptofix/trace/judge.py) the input's has not.

    python scripts/trace_fuzz.py --seeds 0:150 [--wild] [--more-ops] [--sync] [--control] [--dtypes]
        [--corpus-ops] [--full] [--keep DIR] [--pto-isa DIR]

``--wild`` adds sources of another valid shape than dst's (pto-isa walks every operand by dst's valid
shape: its PTO_ASSERT that they agree is compiled out without _DEBUG), ``SetValidShape`` calls (in loops,
by the counter) and tiles in the hidden scratch [184 KiB, 192 KiB); ``--more-ops`` adds TCOLEXPAND,
TROWEXPANDMAX/MIN, TCOLPROD, TROWPROD and TAXPY (their a2a3 headers come from the trace's shim,
ptofix/perf/shim.hpp item 2). ``--sync`` (red10) puts flag snippets after ops: V -> S -> V
round trips, misordered ones (the S -> V set before the V -> S wait), halves alone, V -> MTE2/MTE3 -> V round
trips, sets left open and waited later (in another branch or loop, at the end, or never), events reused;
``--control`` (red10) adds loops nested 3 deep, run-time trip counts of 0-2 (from v3), break/continue/return
under an if, if without else, barriers under ``#if 1``/``#if 0``/``#else`` and ops issued from a lambda
(tests/trace/test_trace_fuzz_sync_control.py, tests/trace/test_flag_orders.py). ``--dtypes`` (red11) draws
tiles of int8/uint8, int16/uint16, int32/uint32, bf16, half and float (DtypeGen): TCVT over every pair
a2a3 TCvt.hpp converts without a tmp, TCMP/TCMPS into uint8 masks and TSEL/TSELS reading them, bitwise
ops on 1-, 2- and 4-byte tiles, TEXPANDS/TROWEXPAND on 1-byte tiles, valid columns that are not whole
blocks, tiles placed to end exactly where others start, and views of one buffer as another element type
(tests/trace/test_trace_fuzz_dtypes.py); with --sync/--control it uses their structure too. The old
modes' kernels are unchanged by them. ``--corpus-ops`` (red13) draws the ops and spellings of real ptoas
output the modes above never draw (CorpusGen): TRESHAPE aliases (another element type, valid shape or
folded rows over the same bytes; 1 x R rows reshaped into R x 1 columns; re-aliased after a loop moved the
source), row reductions into (-1, -1) ColMajor columns with ptoas 2026-08-21's tmp of src's shape,
TROWEXPANDDIV/SUB/MUL/ADD with and without a 1 x N tmp, TRSQRT with and without its tmp, Vec -> Vec
TEXTRACT windows (aligned, unaligned, 1 x 1; offsets from constants or the loop counter), TCONCAT,
TGATHER(dst, src, idx, tmp), TFILLPAD into PadValue::Min/Zero tiles, tiles spelled (-1, -1) with
constant shapes, and valid columns from a third parameter v4 (tests/trace/test_trace_fuzz_corpus_ops.py).
Since red18 about 45% of its TEXTRACTs take a column offset off the 32-byte block grid (1, 3, 7, a block
less one or one more elements, or the bare loop counter; pto-isa asserts whole blocks only in debug builds)
or the counter times a block (CorpusGen.off_block_column), drawn from a random stream of their own: every
other draw is as before, so an old seed's kernel differs only in those offsets and the constants' names
after them (372 of the 920 --corpus-ops and --corpus-ops --sync --control kernels of seeds 0:400 and
5000:5060 have such a TEXTRACT). TINSERT is not drawn: the cost model does not build it at f35e7f60
('TINSERT_IMPL' was not declared).
Not generated: TPARTADD/TPARTMAX (no _IMPL under the cost model at f35e7f60: they do not build); outside
--dtypes, the select family and TCMPS masks (tests/trace/test_select_family_trace.py) and integer
bitwise ops.

Prints one line per kernel and a summary table; exits 1 when a wrong removal was found.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ptofix.api import InputError, compile_environment, fix_cpp  # noqa: E402
from ptofix.trace.check import TraceOptions, TraceResult, new_races, result_of, trace_texts  # noqa: E402
from ptofix.trace.reach import unneeded_barriers  # noqa: E402
from ptofix.trace.record import Recording  # noqa: E402

PTO_ISA = ROOT.parent / "shared" / "pto-isa" / "f35e7f60"
SIZE = {"float": 4, "half": 2, "int32_t": 4}    # (int32_t: --corpus-ops's TGATHER indices)
UB_LIMIT = 192 * 1024
ARENA = 20 * 1024
SCRATCH = 184 * 1024


@dataclass
class TileDecl:
    name: str
    dtype: str
    rows: int
    cols: int
    layout: str            # RowMajor / ColMajor
    vrows: int | str       # an int, or "n" (run time, the kernel's parameter)
    vcols: int
    addr: int
    kind: str              # main / col (R x 1 ColMajor) / row (1 x C)

    @property
    def nbytes(self) -> int:
        return self.rows * self.cols * SIZE[self.dtype]

    @property
    def row_bytes(self) -> int:
        return self.cols * SIZE[self.dtype]

    @property
    def dynamic(self) -> bool:
        return isinstance(self.vrows, str)

    def type_text(self) -> str:
        vr, vc = (-1, -1) if self.dynamic else (self.vrows, self.vcols)
        return (f"Tile<TileType::Vec, {self.dtype}, {self.rows}, {self.cols}, BLayout::{self.layout}, {vr}, {vc}, "
                f"SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>")

    def shape_key(self) -> tuple[int | str, int]:
        return (self.vrows, self.vcols)


@dataclass
class Kernel:
    seed: int
    text: str
    runs: list[tuple[tuple[str, str], ...]]
    ops: Counter = field(default_factory=Counter)
    features: Counter = field(default_factory=Counter)


EW2 = ["TADD", "TSUB", "TMUL", "TMAX", "TMIN", "TDIV"]
EW1 = ["TEXP", "TLOG", "TSQRT", "TABS", "TRECIP", "TRELU", "TNEG", "TMOV"]
SCALAR = ["TADDS", "TSUBS", "TMULS", "TDIVS", "TMAXS", "TMINS", "TLRELU"]
ROWRED = ["TROWSUM", "TROWMAX", "TROWMIN"]
ROWEXP = ["TROWEXPANDADD", "TROWEXPANDSUB", "TROWEXPANDMUL", "TROWEXPANDDIV"]
COLRED = ["TCOLSUM", "TCOLMAX", "TCOLMIN"]
COLEXP = ["TCOLEXPANDADD", "TCOLEXPANDMUL", "TCOLEXPANDSUB", "TCOLEXPANDMAX"]


class Gen:
    def __init__(self, seed: int, wild: bool = False, more_ops: bool = False, sync: bool = False,
                 control: bool = False) -> None:
        self.seed = seed
        self.sync = sync          # also set_flag/wait_flag: round trips, halves, split and misordered pairs
        self.control = control    # also 3-deep loops, run-time trip counts 0-2, break/continue/return, #if, lambdas
        self.loop_depth = 0
        self.open_sets: list[tuple[str, str, str]] = []   # (src, dst, event) set, not yet waited (--sync)
        self.more_ops = more_ops  # also TCOLEXPAND, TROWEXPANDMAX/MIN, TCOLPROD, TROWPROD, TAXPY
        self.wild = wild          # also sources of another valid shape than dst's, and SetValidShape
        self.rnd = random.Random(seed)
        self.counter = 3          # v1, v2 and v3 are the parameters
        self.lines: list[str] = []
        self.decls: list[str] = []        # constants and tile declarations: all at the top (one scope)
        self.consts: dict[int, str] = {}
        self.tiles: list[TileDecl] = []
        self.ops: Counter = Counter()
        self.features: Counter = Counter()
        r = self.rnd
        self.rows = r.choice([8, 8, 16])
        self.dyn = r.random() < 0.45
        self.n_values = sorted(r.sample(range(1, self.rows + 1), 2)) if self.dyn else [self.rows, self.rows]
        self.vr = "n" if self.dyn else r.choice([self.rows, self.rows, self.rows - r.randrange(1, self.rows)])
        self.vc = r.choice([8, 10, 16, 20, 24, 32, 40, 48, 64])
        self.indent = "  "

    def var(self) -> str:
        self.counter += 1
        return f"v{self.counter}"

    def const(self, value: int) -> str:
        if value not in self.consts:
            name = self.var()
            self.consts[value] = name
            self.decls.append(f"  const int64_t {name} = {value};")
        return self.consts[value]

    def emit(self, line: str) -> None:
        self.lines.append(self.indent + line)

    # --- tiles -------------------------------------------------------------------------------
    def cols_for(self, dtype: str, at_least: int) -> int:
        step = 32 // SIZE[dtype]
        choices = [c for c in (8, 16, 24, 32, 48, 64, 128) if c % step == 0 and c >= at_least
                   and self.rows * c * SIZE[dtype] <= 8192]
        return self.rnd.choice(choices or [((at_least + step - 1) // step) * step])

    def place(self, nbytes: int, row_bytes: int) -> int:
        r = self.rnd
        others = [t for t in self.tiles]
        if others and r.random() < 0.7:
            t = r.choice(others)
            delta = r.choice([0, 0, 32, 64, t.row_bytes, 2 * t.row_bytes, t.nbytes - 32, t.nbytes - t.row_bytes,
                              t.nbytes, -32, -row_bytes, ((t.vcols * SIZE[t.dtype] + 31) // 32) * 32,
                              t.row_bytes // 2 // 32 * 32])
            self.features["overlap-placement"] += 1
            addr = t.addr + delta
        elif self.wild and r.random() < 0.1:
            # pto-isa's hidden UB scratch (the vbrcb path of TROWEXPAND*: [184 KiB, 192 KiB))
            addr = SCRATCH + r.randrange(0, 64) * 32
            self.features["in-scratch"] += 1
        else:
            addr = r.randrange(0, ARENA // 32) * 32
        addr = max(0, addr - addr % 32)
        return min(addr, UB_LIMIT - nbytes - 32)

    def declare(self, tile: TileDecl) -> None:
        self.tiles.append(tile)
        if tile.dynamic:
            vc = self.const(tile.vcols)
            self.decls.append(f"  {tile.type_text()} {tile.name} = {tile.type_text()}(v2, {vc});")
        else:
            self.decls.append(f"  {tile.type_text()} {tile.name};")
        self.assign(tile, tile.addr, self.decls)

    def assign(self, tile: TileDecl, addr: int | str, into: list[str] | None = None) -> None:
        value = self.var()
        if isinstance(addr, int):
            text = f"uint64_t {value} = (uint64_t) {self.const(addr)};"
        else:
            text = f"uint64_t {value} = (uint64_t) ({addr});"
        if into is not None:
            into += [f"  {text}", f"  TASSIGN({tile.name}, {value});"]
        else:
            self.emit(text)
            self.emit(f"TASSIGN({tile.name}, {value});")

    def new_main(self, dtype: str | None = None, vr: int | str | None = None, vc: int | None = None) -> TileDecl:
        r = self.rnd
        dtype = dtype or r.choice(["float", "float", "half"])
        vr = self.vr if vr is None else vr
        vc = vc or self.vc
        cols = self.cols_for(dtype, vc)
        tile = TileDecl(self.var(), dtype, self.rows, cols, "RowMajor", vr, vc, 0, "main")
        tile.addr = self.place(tile.nbytes, tile.row_bytes)
        self.declare(tile)
        return tile

    def derived(self) -> TileDecl:
        """A view of an existing main tile's bytes: another dtype, a column stripe, a row band."""
        r = self.rnd
        parent = r.choice([t for t in self.tiles if t.kind == "main"])
        how = r.choice(["dtype", "stripe", "band", "stride"])
        self.features[f"view-{how}"] += 1
        if how == "dtype":
            dtype = "half" if parent.dtype == "float" else "float"
            cols = self.cols_for(dtype, parent.vcols)
            tile = TileDecl(self.var(), dtype, self.rows, cols, "RowMajor", parent.vrows, parent.vcols, parent.addr,
                            "main")
        elif how == "stripe":
            # the same row stride, valid columns from a 32-byte boundary inside the parent's rows
            step = 32 // SIZE[parent.dtype]
            start = r.randrange(0, max(1, parent.cols // step)) * step
            width = min(self.vc, parent.cols - start) if r.random() < 0.5 else self.vc
            tile = TileDecl(self.var(), parent.dtype, self.rows, parent.cols, "RowMajor", parent.vrows,
                            max(1, min(width, parent.cols)), parent.addr + start * SIZE[parent.dtype], "main")
        elif how == "band":
            skip = r.randrange(1, self.rows)
            tile = TileDecl(self.var(), parent.dtype, self.rows, parent.cols, "RowMajor", self.vr, parent.vcols,
                            parent.addr + skip * parent.row_bytes, "main")
        else:
            cols = self.cols_for(parent.dtype, parent.vcols)
            tile = TileDecl(self.var(), parent.dtype, self.rows, cols, "RowMajor", parent.vrows, parent.vcols,
                            parent.addr + r.choice([0, 32, parent.row_bytes]), "main")
        tile.addr = min(tile.addr - tile.addr % 32, UB_LIMIT - tile.nbytes - 32)
        self.declare(tile)
        return tile

    def new_col(self, dtype: str) -> TileDecl:
        rows = self.rows if SIZE[dtype] * self.rows % 32 == 0 else 16
        rows = max(rows, 32 // SIZE[dtype])
        if self.rnd.random() < 0.5 and rows == self.rows:
            tile = TileDecl(self.var(), dtype, self.rows, 1, "ColMajor", self.vr, 1, 0, "col")
        else:
            tile = TileDecl(self.var(), dtype, self.rows, 32 // SIZE[dtype], "RowMajor", self.vr, 1, 0, "col")
        tile.addr = self.place(tile.nbytes, tile.row_bytes)
        self.declare(tile)
        self.features[f"col-{tile.layout}"] += 1
        return tile

    def new_row(self, dtype: str, vc: int) -> TileDecl:
        cols = self.cols_for(dtype, vc)
        tile = TileDecl(self.var(), dtype, 1, cols, "RowMajor", 1, vc, 0, "row")
        tile.addr = self.place(tile.nbytes, tile.row_bytes)
        self.declare(tile)
        return tile

    # --- ops ---------------------------------------------------------------------------------
    def mains(self, dtype: str | None = None, key: tuple | None = None) -> list[TileDecl]:
        return [t for t in self.tiles if t.kind == "main" and (dtype is None or t.dtype == dtype)
                and (key is None or t.shape_key() == key)]

    def pick(self, dtype: str | None = None, key: tuple | None = None) -> TileDecl:
        if self.wild and key is not None and self.rnd.random() < 0.25:
            # pto-isa walks every operand by dst's valid shape (its PTO_ASSERT that they agree is
            # compiled out without _DEBUG): a source of another valid shape is read past its own
            anyone = self.mains(dtype)
            if anyone:
                chosen = self.rnd.choice(anyone)
                if chosen.shape_key() != key:
                    self.features["valid-mismatch"] += 1
                return chosen
        found = self.mains(dtype, key)
        if not found:
            return self.new_main(dtype, *(key or (None, None)))
        return self.rnd.choice(found)

    def scalar(self, dtype: str) -> str:
        value = self.rnd.choice(["1.5f", "2.0f", "0.5f", "3.0f"])
        return value if dtype == "float" else f"(half){value}"

    def op(self) -> None:
        r = self.rnd
        family = r.choices(["ew2", "ew1", "scalar", "expands", "rowred", "rowexp", "rowexpand", "colred",
                            "colexp", "cvt"], [6, 4, 4, 2, 3, 3, 1, 2, 1, 2])[0]
        if self.more_ops and r.random() < 0.35:
            self.more_op()
            return
        dst = self.pick()
        key, dtype = dst.shape_key(), dst.dtype
        if family == "ew2":
            name = r.choice(EW2)
            a, b = self.pick(dtype, key), self.pick(dtype, key)
            text = f"{name}({dst.name}, {a.name}, {b.name});"
        elif family == "ew1":
            name = r.choice(EW1)
            src = self.pick(dtype, key)
            if name == "TMOV" and (src.rows, src.cols) != (dst.rows, dst.cols):
                name = "TEXP"      # (pto-isa's TMOV: static_assert that src's shape is dst's)
            text = f"{name}({dst.name}, {src.name});"
        elif family == "scalar":
            name = r.choice(SCALAR)
            text = f"{name}({dst.name}, {self.pick(dtype, key).name}, {self.scalar(dtype)});"
        elif family == "expands":
            name = "TEXPANDS"
            text = f"TEXPANDS({dst.name}, {self.scalar(dtype)});"
        elif family in ("rowred", "rowexp", "rowexpand"):
            cols = [t for t in self.tiles if t.kind == "col" and t.dtype == dtype and t.vrows == dst.vrows]
            col = r.choice(cols) if cols and r.random() < 0.8 else self.new_col(dtype)
            if family == "rowred":
                name = r.choice(ROWRED)
                tmp = self.pick(dtype, key)
                text = f"{name}({col.name}, {dst.name}, {tmp.name});"
            elif family == "rowexp":
                name = r.choice(ROWEXP)
                text = f"{name}({dst.name}, {self.pick(dtype, key).name}, {col.name});"
            else:
                name = "TROWEXPAND"
                text = f"TROWEXPAND({dst.name}, {col.name});"
        elif family in ("colred", "colexp"):
            rows = [t for t in self.tiles if t.kind == "row" and t.dtype == dtype and t.vcols == dst.vcols]
            row = r.choice(rows) if rows and r.random() < 0.8 else self.new_row(dtype, dst.vcols)
            if family == "colred":
                name = r.choice(COLRED)
                if name == "TCOLSUM" and r.random() < 0.5:
                    tmp = self.pick(dtype, key)
                    text = f"TCOLSUM({row.name}, {dst.name}, {tmp.name}, true);"
                    name = "TCOLSUM+tmp"
                else:
                    text = f"{name}({row.name}, {dst.name});"
            else:
                name = r.choice(COLEXP)
                text = f"{name}({dst.name}, {self.pick(dtype, key).name}, {row.name});"
        else:
            name = "TCVT"
            other = "half" if dtype == "float" else "float"
            src = self.pick(other, key)
            text = f"TCVT({dst.name}, {src.name}, RoundMode::CAST_RINT);"
        self.ops[name] += 1
        self.emit(text)

    def more_op(self) -> None:
        r = self.rnd
        dst = self.pick(r.choice(["float", "half"]))
        key, dtype = dst.shape_key(), dst.dtype
        name = r.choice(["TCOLEXPAND", "TROWEXPANDMAX", "TROWEXPANDMIN", "TCOLPROD", "TROWPROD", "TAXPY"])
        if name in ("TROWEXPANDMAX", "TROWEXPANDMIN", "TROWPROD"):
            cols = [t for t in self.tiles if t.kind == "col" and t.dtype == dtype and t.vrows == dst.vrows]
            col = r.choice(cols) if cols and r.random() < 0.8 else self.new_col(dtype)
            src = self.pick(dtype, key)
            text = (f"{name}({col.name}, {dst.name}, {src.name});" if name == "TROWPROD"
                    else f"{name}({dst.name}, {src.name}, {col.name});")
        elif name in ("TCOLEXPAND", "TCOLPROD"):
            rows = [t for t in self.tiles if t.kind == "row" and t.dtype == dtype and t.vcols == dst.vcols]
            row = r.choice(rows) if rows and r.random() < 0.8 else self.new_row(dtype, dst.vcols)
            text = (f"TCOLEXPAND({dst.name}, {row.name});" if name == "TCOLEXPAND"
                    else f"TCOLPROD({row.name}, {dst.name});")
        else:
            text = f"TAXPY({dst.name}, {self.pick(dtype, key).name}, {self.scalar(dtype)});"
        self.ops[name] += 1
        self.emit(text)

    def barrier(self) -> None:
        if self.rnd.random() < 0.9:
            if self.control and self.rnd.random() < 0.1:
                self.hash_if_barrier()
            else:
                self.emit("pipe_barrier(PIPE_V);")
        if self.sync and self.rnd.random() < 0.35:
            self.sync_point()

    # --- --sync: flags between pipes -------------------------------------------------------------
    def event(self) -> str:
        return self.rnd.choice(["EVENT_ID0", "EVENT_ID0", "EVENT_ID1", "EVENT_ID2"])

    def flag(self, call: str, src: str, dst: str, event: str) -> None:
        self.emit(f"{call}(PIPE_{src}, PIPE_{dst}, {event});")

    def sync_point(self) -> None:
        """A flag snippet: a V->S->V (or V->MTE3->V) round trip, a half of one, one misordered (the
        S->V set before the V->S wait: no order), a set left open (its wait at a later point, maybe in
        another branch or loop, maybe never), or the wait of an open set."""
        r = self.rnd
        kind = r.choices(["rt", "rt-misordered", "vs-only", "sv-only", "rt-mte3", "rt-mte2", "set-open",
                          "wait-open", "sv-set-open"], [5, 2, 2, 2, 2, 1, 3, 4, 2])[0]
        if self.open_sets and r.random() < 0.4:
            kind = "wait-open"
        elif kind == "wait-open" and not self.open_sets:
            kind = "rt"
        self.features[f"sync-{kind}"] += 1
        e, f = self.event(), self.event()
        if kind == "rt":
            self.flag("set_flag", "V", "S", e)
            self.flag("wait_flag", "V", "S", e)
            self.flag("set_flag", "S", "V", f)
            self.flag("wait_flag", "S", "V", f)
        elif kind == "rt-misordered":
            self.flag("set_flag", "S", "V", f)
            self.flag("set_flag", "V", "S", e)
            self.flag("wait_flag", "V", "S", e)
            self.flag("wait_flag", "S", "V", f)
        elif kind == "vs-only":
            self.flag("set_flag", "V", "S", e)
            self.flag("wait_flag", "V", "S", e)
        elif kind == "sv-only":
            self.flag("set_flag", "S", "V", f)
            self.flag("wait_flag", "S", "V", f)
        elif kind in ("rt-mte3", "rt-mte2"):
            other = kind[3:].upper()
            self.flag("set_flag", "V", other, e)
            self.flag("wait_flag", "V", other, e)
            self.flag("set_flag", other, "V", f)
            self.flag("wait_flag", other, "V", f)
        elif kind == "set-open":
            self.flag("set_flag", "V", "S", e)
            self.open_sets.append(("V", "S", e))
        elif kind == "sv-set-open":
            self.flag("set_flag", "S", "V", f)
            self.open_sets.append(("S", "V", f))
        else:
            src, dst, event = self.open_sets.pop(r.randrange(len(self.open_sets)))
            self.flag("wait_flag", src, dst, event)
            if src == "V" and r.random() < 0.7:
                self.flag("set_flag", "S", "V", f)
                self.flag("wait_flag", "S", "V", f)

    # --- --control: structure ------------------------------------------------------------------
    def hash_if_barrier(self) -> None:
        """A barrier under `#if 1` (compiled), `#if 0` (not: none there) or `#if 0 ... #else`."""
        form = self.rnd.choice(["if1", "if0", "if0-else"])
        self.features[f"hash-{form}"] += 1
        self.lines.append("#if 1" if form == "if1" else "#if 0")
        self.emit("pipe_barrier(PIPE_V);")
        if form == "if0-else":
            self.lines.append("#else")
            self.emit("pipe_barrier(PIPE_V);")
        self.lines.append("#endif")

    def jump(self, loop_var: str | None) -> None:
        """`break`/`continue` (in a loop) or `return` under an `if` on the counter or a parameter."""
        r = self.rnd
        word = r.choice(["break", "continue", "return"]) if loop_var is not None else "return"
        cond = f"{loop_var} == {self.const(r.choice([0, 1]))}" if loop_var is not None and r.random() < 0.6 \
            else f"v3 == {self.const(r.choice([0, 1]))}"
        self.features[f"jump-{word}"] += 1
        self.emit(f"if ({cond}) {{")
        self.emit(f"  {word};")
        self.emit("}")

    def lambda_op(self) -> None:
        """An op issued from a lambda called in place: `auto fN = [&]() { OP };  fN();`."""
        name = f"f{self.counter + 1}"
        self.counter += 1
        start = len(self.lines)
        self.op()
        text = self.lines.pop().strip()
        del self.lines[start:]
        self.emit(f"auto {name} = [&]() {{ {text} }};")
        self.emit(f"{name}();")
        self.features["lambda-op"] += 1

    def block(self, count: int, loop_var: str | None, depth: int) -> None:
        r = self.rnd
        for _ in range(count):
            roll = r.random()
            if self.control and roll < (0.25 if loop_var is not None else 0.12):
                self.control_step(loop_var, depth)
            elif roll < 0.14 and depth < 2 and loop_var is None:
                self.loop(depth)
            elif roll < 0.22 and depth < 2:
                self.branch(loop_var, depth)
            elif roll < 0.32 and loop_var is not None:
                tile = r.choice(self.mains())
                stride = r.choice([32, tile.row_bytes, tile.nbytes, 2 * tile.row_bytes])
                base = self.place(tile.nbytes + 3 * stride, tile.row_bytes)
                self.assign(tile, f"{self.const(base)} + {loop_var} * {self.const(stride)}")
                tile.addr = base
                self.features["loop-rebind"] += 1
            elif roll < 0.36:
                tile = r.choice(self.mains())
                tile.addr = self.place(tile.nbytes, tile.row_bytes)
                self.assign(tile, tile.addr)
                self.features["rebind"] += 1
            elif roll < 0.42 and self.wild and any(t.dynamic for t in self.mains()):
                tile = r.choice([t for t in self.mains() if t.dynamic])
                rows = f"(uint32_t) ({loop_var} + {self.const(1)})" if loop_var is not None else "v2"
                tile.vcols = r.choice([c for c in (8, 10, 16, 24, 40, 64) if c <= tile.cols] or [tile.cols])
                self.emit(f"{tile.name}.SetValidShape({rows}, {self.const(tile.vcols)});")
                self.features["set-valid-shape" + ("-in-loop" if loop_var else "")] += 1
            else:
                self.op()
                self.barrier()

    def control_step(self, loop_var: str | None, depth: int) -> None:
        r = self.rnd
        roll = r.random()
        if roll < 0.35 and depth < 4 and self.loop_depth < 3:
            self.loop(depth)          # (nested under another loop too: up to 3 deep)
        elif roll < (0.65 if loop_var is not None else 0.45):
            self.jump(loop_var)
        elif roll < 0.75 and depth < 3:
            self.branch(loop_var, depth, with_else=False)
        else:
            self.lambda_op()
            self.barrier()

    def loop(self, depth: int) -> None:
        trips: int | str = self.rnd.choice([2, 3])
        if self.control and self.rnd.random() < 0.5:
            # a trip count of 0, 1 or 2 at run time (v3 is 0 or 1), or a constant 1
            trips = self.rnd.choice(["v3", "v3 + 1", 1])
            self.features[f"loop-trips-{trips}"] += 1
        lo = self.const(0)
        if isinstance(trips, int):
            hi = self.const(trips)
        else:
            hi = "v3" if trips == "v3" else f"(v3 + {self.const(1)})"
        step = self.const(1)
        var = self.var()
        self.emit(f"for (int64_t {var} = {lo}; {var} < {hi}; {var} += {step}) {{")
        self.features["loop"] += 1
        self.loop_depth += 1
        if self.loop_depth >= 2:
            self.features[f"loop-depth-{self.loop_depth}"] += 1
        outer = self.indent
        self.indent += "  "
        self.block(self.rnd.randrange(2, 6), var, depth + 1)
        self.loop_depth -= 1
        self.indent = outer
        self.emit("}")

    def branch(self, loop_var: str | None, depth: int, with_else: bool = True) -> None:
        if loop_var is not None:
            cond = f"{loop_var} == {self.const(self.rnd.choice([0, 1]))}"
            self.features["if-on-counter"] += 1
        else:
            cond = f"v3 == {self.const(1)}"
            self.features["if-on-param"] += 1
        self.emit(f"if ({cond}) {{")
        outer = self.indent
        self.indent += "  "
        self.block(self.rnd.randrange(1, 4), loop_var, depth + 1)
        self.indent = outer
        if not with_else:
            self.features["if-without-else"] += 1
            self.emit("}")
            return
        self.emit("} else {")
        self.indent += "  "
        self.block(self.rnd.randrange(1, 4), loop_var, depth + 1)
        self.indent = outer
        self.emit("}")

    def kernel(self) -> Kernel:
        r = self.rnd
        self.decls += ["  set_mask_norm();", "  set_vector_mask(-1, -1);"]
        for _ in range(r.randrange(2, 4)):
            self.new_main()
        for _ in range(r.randrange(1, 4)):
            self.derived()
        if r.random() < 0.5:
            self.new_main(vc=r.choice([8, 16, 24, 40]) if r.random() < 0.5 else None)
        straight = r.random() < 0.4
        if self.control:
            straight = straight and r.random() < 0.25     # (mostly structured code)
        if straight:
            self.features["straight-line"] += 1
            for _ in range(r.randrange(5, 12)):
                self.op()
                self.barrier()
        else:
            self.block(r.randrange(5, 10), None, 0)
        if self.sync:
            # the sets still open: waited at the end, or (a set with no wait) left
            for src, dst, event in self.open_sets:
                if r.random() < 0.6:
                    self.flag("wait_flag", src, dst, event)
                else:
                    self.features["sync-never-waited"] += 1
        head = ["#include \"pto/pto-inst.hpp\"", "using namespace pto;", "",
                f"// red9 trace fuzz, seed {self.seed}",
                "__global__ AICORE void fuzz_kernel(__gm__ float* v1, int32_t v2, int32_t v3) {"]
        text = "\n".join(head + self.decls + self.lines + ["  return;", "}", ""])
        runs = [(("v2", str(self.n_values[0])), ("v3", "0")), (("v2", str(self.n_values[1])), ("v3", "1"))]
        return Kernel(self.seed, text, runs, self.ops, self.features)



# --- --dtypes (red11): tiles of every element type pto-isa's a2a3 vector ops take ---------------------

DTYPES = ["int8_t", "uint8_t", "int16_t", "uint16_t", "int32_t", "uint32_t", "bfloat16_t", "half", "float"]
DTYPE_SIZE = {"int8_t": 1, "uint8_t": 1, "int16_t": 2, "uint16_t": 2, "int32_t": 4, "uint32_t": 4,
              "bfloat16_t": 2, "half": 2, "float": 4}
INTS = ["int8_t", "uint8_t", "int16_t", "uint16_t", "int32_t", "uint32_t"]
ARITH = ["int16_t", "int32_t", "half", "float"]          # TADD/TSUB/TMUL/TMAX/TMIN, TADDS/TMULS/TMAXS/TMINS
# The element types each op takes at pto-isa f35e7f60 (a2a3 headers' static_asserts: TAdd.hpp, TDiv.hpp,
# TBitwiseSOp.hpp, TShl.hpp, TUnaryOp.hpp, TCmp.hpp, TCmps.hpp, TSel.hpp, TSels.hpp, TRowExpand.hpp), less the
# combinations the host cost model does not build (DTYPE_SKIPPED says which and why).
DTYPE_OPS: dict[str, list[str]] = {
    **{name: ARITH for name in ("TADD", "TSUB", "TMUL", "TMAX", "TMIN", "TADDS", "TMULS", "TMAXS", "TMINS")},
    "TDIV": ["half", "float"],
    **{name: ["half", "float"] for name in ("TEXP", "TLOG", "TSQRT", "TRECIP", "TABS")},
    "TRELU": ["half", "float", "int32_t"],
    **{name: INTS for name in ("TAND", "TOR", "TXOR", "TNOT", "TSHL", "TSHR")},
    **{name: ["int16_t", "uint16_t", "int32_t", "uint32_t"] for name in ("TANDS", "TORS", "TSHLS", "TSHRS")},
    "TMOV": DTYPES,
    "TEXPANDS": DTYPES,
    "TROWEXPAND": DTYPES,
    "TCMP": ["half", "float", "int32_t"],                    # (int32: vcmpv_eq whatever the mode)
    "TCMPS": ["half", "float", "int32_t", "int16_t", "uint16_t"],
    "TSEL": ["half", "float", "int16_t", "uint16_t", "int32_t", "uint32_t"],
    "TSELS": ["half", "float", "int16_t", "uint16_t", "int32_t", "uint32_t"],
}
# TCVT(dst, src) pairs of a2a3 TCvt.hpp's GenCastCall (no tmp; int64 and int4 left out), as (dst, src).
CVT_PAIRS = [("half", "float"), ("float", "float"), ("int32_t", "float"), ("int16_t", "float"),
             ("bfloat16_t", "float"), ("int32_t", "half"), ("int16_t", "half"), ("int8_t", "half"),
             ("uint8_t", "half"), ("int32_t", "bfloat16_t"), ("half", "int16_t"), ("float", "int32_t"),
             ("float", "half"), ("float", "bfloat16_t"), ("half", "uint8_t"), ("half", "int8_t"),
             ("float", "int16_t"), ("int16_t", "int32_t"), ("half", "int32_t")]
# Combinations left out because the cost model does not build them (found by tracing probe kernels).
DTYPE_SKIPPED: dict[str, str] = {}


class DtypeGen(Gen):
    """``--dtypes``: the kernels of Gen's structure over tiles of int8/uint8, int16/uint16, int32/uint32,
    bf16, half and float; TCVT between them, TCMP/TCMPS into uint8 masks and TSEL/TSELS reading them,
    bitwise ops on 1-, 2- and 4-byte tiles, TEXPANDS/TROWEXPAND on 1-byte tiles, valid columns that are
    not whole blocks, tiles placed to end exactly where others start (or start where they end), and views
    of one buffer as another element type."""

    def __init__(self, seed: int, sync: bool = False, control: bool = False) -> None:
        super().__init__(seed, False, False, sync, control)
        r = self.rnd
        self.vc = r.choice([5, 9, 17, 24, 31, 33, 40, 50, 64, 65, 100, 130])

    # --- tiles -----------------------------------------------------------------------------------------
    def cols_for(self, dtype: str, at_least: int) -> int:
        step = 32 // DTYPE_SIZE[dtype]
        choices = [c for c in (16, 32, 48, 64, 96, 128, 160, 256) if c % step == 0 and c >= at_least
                   and self.rows * c * DTYPE_SIZE[dtype] <= 8192]
        return self.rnd.choice(choices or [-(-at_least // step) * step])

    def place(self, nbytes: int, row_bytes: int) -> int:
        r = self.rnd
        if self.tiles and r.random() < 0.75:
            t = r.choice(self.tiles)
            # (end exactly where t starts, start exactly where t ends: where an unmasked reach bites)
            how = r.choice(["ends-at", "ends-at", "ends-at", "starts-at", "starts-at", "row", "block", "back-block",
                            "same", "last-row"])
            delta = {"ends-at": -nbytes, "starts-at": t.nbytes, "same": 0, "row": t.row_bytes, "block": 32,
                     "back-block": -32, "last-row": t.nbytes - t.row_bytes}[how]
            self.features[f"place-{how}"] += 1
            addr = t.addr + delta
        else:
            addr = r.randrange(0, 2 * ARENA // 32) * 32
        addr = max(0, addr - addr % 32)
        return min(addr, SCRATCH - nbytes - 32)

    def new_main(self, dtype: str | None = None, vr: int | str | None = None, vc: int | None = None) -> TileDecl:
        r = self.rnd
        dtype = dtype or r.choice(DTYPES + ["uint8_t", "int8_t", "half", "float"])
        vr = self.vr if vr is None else vr
        vc = vc or self.vc
        cols = self.cols_for(dtype, vc)
        tile = SizedTile(self.var(), dtype, self.rows, cols, "RowMajor", vr, min(vc, cols), 0, "main")
        tile.addr = self.place(tile.nbytes, tile.row_bytes)
        self.declare(tile)
        self.features[f"tile-{dtype}"] += 1
        return tile

    def derived(self) -> TileDecl:
        """A view of a main tile's bytes as another element type (same row pitch), a row band or a stripe."""
        r = self.rnd
        parent = r.choice([t for t in self.tiles if t.kind == "main"])
        how = r.choice(["dtype", "dtype", "band", "stripe"])
        self.features[f"view-{how}"] += 1
        if how == "dtype":
            dtype = r.choice([d for d in DTYPES if d != parent.dtype])
            cols = parent.row_bytes // DTYPE_SIZE[dtype]
            vc = min(self.vc, cols)
            tile = SizedTile(self.var(), dtype, self.rows, cols, "RowMajor", parent.vrows, vc, parent.addr, "main")
        elif how == "band":
            tile = SizedTile(self.var(), parent.dtype, self.rows, parent.cols, "RowMajor", self.vr, parent.vcols,
                             parent.addr + r.randrange(1, self.rows) * parent.row_bytes, "main")
        else:
            step = 32 // DTYPE_SIZE[parent.dtype]
            start = r.randrange(0, max(1, parent.cols // step)) * step
            tile = SizedTile(self.var(), parent.dtype, self.rows, parent.cols, "RowMajor", parent.vrows,
                             max(1, min(self.vc, parent.cols - start)), parent.addr + start * DTYPE_SIZE[parent.dtype],
                             "main")
        tile.addr = min(tile.addr - tile.addr % 32, SCRATCH - tile.nbytes - 32)
        self.declare(tile)
        return tile

    def new_col(self, dtype: str) -> TileDecl:
        size = DTYPE_SIZE[dtype]
        rows = max(self.rows, 32 // size)
        if self.rnd.random() < 0.5:
            tile = SizedTile(self.var(), dtype, rows, 1, "ColMajor", self.vr, 1, 0, "col")
        else:
            tile = SizedTile(self.var(), dtype, self.rows, 32 // size, "RowMajor", self.vr, 1, 0, "col")
        tile.addr = self.place(tile.nbytes, tile.row_bytes)
        self.declare(tile)
        self.features[f"col-{tile.layout}"] += 1
        return tile

    def new_mask(self) -> TileDecl:
        """A uint8_t mask: a row of bits per valid row, whole 32-byte rows."""
        bits = -(-self.vc // 8)
        cols = max(32, -(-bits // 32) * 32)
        cols = self.rnd.choice([cols, cols, cols + 32])
        tile = SizedTile(self.var(), "uint8_t", self.rows, cols, "RowMajor", self.vr, cols, 0, "mask")
        tile.addr = self.place(tile.nbytes, tile.row_bytes)
        self.declare(tile)
        self.features["mask-tile"] += 1
        return tile

    def new_tmp(self, dtype: str, cols: int) -> TileDecl:
        tile = SizedTile(self.var(), dtype, 1, cols, "RowMajor", 1, cols, 0, "tmp")
        tile.addr = self.place(tile.nbytes, tile.row_bytes)
        self.declare(tile)
        return tile

    def masks(self) -> TileDecl:
        found = [t for t in self.tiles if t.kind == "mask" and t.vrows == self.vr]
        return self.rnd.choice(found) if found and self.rnd.random() < 0.8 else self.new_mask()

    def pick_dst(self, dtype: str) -> TileDecl:
        """A tile of ``dtype`` to write, a third of the time one that starts exactly where another
        tile ends (a mask, a 1-byte tile, a conversion's narrower side: where their reach past
        their own end is written over)."""
        if self.rnd.random() < 0.35:
            ends = {t.addr + t.nbytes for t in self.tiles}
            after = [t for t in self.mains(dtype) if t.addr in ends]
            if after:
                self.features["dst-right-after-a-tile"] += 1
                return self.rnd.choice(after)
        return self.pick(dtype)

    def scalar(self, dtype: str) -> str:
        if dtype in INTS:
            return self.rnd.choice(["1", "3", "7"])
        value = self.rnd.choice(["1.5f", "2.0f", "0.5f"])
        return value if dtype == "float" else f"({dtype}){value}"

    # --- ops -------------------------------------------------------------------------------------------
    def op(self) -> None:
        r = self.rnd
        family = r.choices(["ew2", "ew1", "scalar", "bitwise", "shift", "expands", "rowexpand", "cmp", "cmps",
                            "sel", "sels", "cvt", "mov"], [3, 2, 2, 4, 2, 3, 2, 2, 3, 2, 2, 6, 2])[0]
        if family == "ew2":
            name = r.choice(["TADD", "TSUB", "TMUL", "TMAX", "TMIN", "TDIV"])
        elif family == "ew1":
            name = r.choice(["TEXP", "TLOG", "TSQRT", "TRECIP", "TABS", "TRELU"])
        elif family == "scalar":
            name = r.choice(["TADDS", "TMULS", "TMAXS", "TMINS", "TANDS", "TORS", "TSHLS", "TSHRS"])
        elif family == "bitwise":
            name = r.choice(["TAND", "TOR", "TXOR", "TNOT"])
        elif family == "shift":
            name = r.choice(["TSHL", "TSHR"])
        else:
            name = {"expands": "TEXPANDS", "rowexpand": "TROWEXPAND", "cmp": "TCMP", "cmps": "TCMPS",
                    "sel": "TSEL", "sels": "TSELS", "mov": "TMOV", "cvt": "TCVT"}[family]
        if name == "TCVT":
            dtype, src_dtype = r.choice(CVT_PAIRS)
        else:
            allowed = DTYPE_OPS[name]
            # (1-byte tiles first where the op takes them: where the unmasked reach bites)
            small = [d for d in allowed if DTYPE_SIZE[d] == 1]
            dtype = r.choice(small) if small and r.random() < 0.5 else r.choice(allowed)
        dst = self.pick_dst(dtype)
        key = dst.shape_key()
        if name in ("TADD", "TSUB", "TMUL", "TMAX", "TMIN", "TDIV", "TAND", "TOR", "TSHL", "TSHR"):
            text = f"{name}({dst.name}, {self.pick(dtype, key).name}, {self.pick(dtype, key).name});"
        elif name == "TXOR":
            tmp = self.pick(dtype, key)
            text = f"TXOR({dst.name}, {self.pick(dtype, key).name}, {self.pick(dtype, key).name}, {tmp.name});"
        elif name in ("TEXP", "TLOG", "TSQRT", "TRECIP", "TABS", "TRELU", "TNOT"):
            text = f"{name}({dst.name}, {self.pick(dtype, key).name});"
        elif name == "TMOV":
            src = self.pick(dtype, key)
            if (src.rows, src.cols) != (dst.rows, dst.cols):
                src = dst      # (TMOV: src's shape must be dst's)
            text = f"TMOV({dst.name}, {src.name});"
        elif name in DTYPE_OPS and name.endswith("S") and name not in ("TEXPANDS", "TCMPS", "TSELS"):
            text = f"{name}({dst.name}, {self.pick(dtype, key).name}, {self.scalar(dtype)});"
        elif name == "TEXPANDS":
            text = f"TEXPANDS({dst.name}, {self.scalar(dtype)});"
        elif name == "TROWEXPAND":
            cols = [t for t in self.tiles if t.kind == "col" and t.dtype == dtype and t.vrows == dst.vrows]
            col = r.choice(cols) if cols and r.random() < 0.7 else self.new_col(dtype)
            text = f"TROWEXPAND({dst.name}, {col.name});"
        elif name in ("TCMP", "TCMPS"):
            mask = self.masks()
            src = self.pick(dtype, key)
            mode = r.choice(["GT", "LT", "EQ", "GE"])
            if name == "TCMP":
                other = self.pick(dtype, key)
                other_text = (other if other.type_text() == src.type_text() else src).name   # (one tile type)
            else:
                other_text = self.scalar(dtype)
            text = f"{name}({mask.name}, {src.name}, {other_text}, CmpMode::{mode});"
        elif name in ("TSEL", "TSELS"):
            mask = self.masks()
            tmp = self.new_tmp("uint8_t", 32) if r.random() < 0.5 or not [
                t for t in self.tiles if t.kind == "tmp"] else r.choice([t for t in self.tiles if t.kind == "tmp"])
            if name == "TSEL":
                # (the cost model's TSEL takes dst, src0 and src1 of one tile type)
                a, b = (t if t.type_text() == dst.type_text() else dst for t in (self.pick(dtype, key),
                                                                                 self.pick(dtype, key)))
                text = f"TSEL({dst.name}, {mask.name}, {a.name}, {b.name}, {tmp.name});"
            else:
                src = self.pick(dtype, key)
                text = f"TSELS({dst.name}, {mask.name}, {src.name}, {tmp.name}, {self.scalar(dtype)});"
        else:
            src = self.pick(src_dtype, key)
            text = f"TCVT({dst.name}, {src.name}, RoundMode::CAST_RINT);"
            name = f"TCVT {src_dtype}->{dtype}"
        self.ops[name if name.startswith("TCVT") else f"{name} {dtype}"] += 1
        self.emit(text)


@dataclass
class SizedTile(TileDecl):
    """A TileDecl of any of DTYPES."""

    @property
    def nbytes(self) -> int:
        return self.rows * self.cols * DTYPE_SIZE[self.dtype]

    @property
    def row_bytes(self) -> int:
        return self.cols * DTYPE_SIZE[self.dtype]


# --- --corpus-ops (red13): the ops real ptoas output uses that the modes above never draw ----------------

@dataclass
class CorpusTile(TileDecl):
    """A TileDecl whose valid columns may come from the kernel's parameter v4 (``dcols``: the type says
    -1, -1 and the constructor takes (rows, v4), ptoas 2026-08-21's form), with a pad value."""
    dcols: bool = False
    pad: str = "Null"
    spelled_dynamic: bool = False   # -1, -1 in the type, constants in the constructor (ptoas 2026-08-21)

    @property
    def dynamic(self) -> bool:
        return isinstance(self.vrows, str) or self.dcols or self.spelled_dynamic

    def type_text(self) -> str:
        vr, vc = (-1, -1) if self.dynamic else (self.vrows, self.vcols)
        return (f"Tile<TileType::Vec, {self.dtype}, {self.rows}, {self.cols}, BLayout::{self.layout}, {vr}, {vc}, "
                f"SLayout::NoneBox, 512, PadValue::{self.pad}, CompactMode::Null>")

    def shape_key(self) -> tuple:
        return (self.vrows, self.vcols, self.dcols)


ROWRED_OPS = ["TROWMAX", "TROWSUM", "TROWMIN"]
ROWEXP_OPS = ["TROWEXPANDDIV", "TROWEXPANDSUB", "TROWEXPANDMUL", "TROWEXPANDADD"]


class CorpusGen(Gen):
    """``--corpus-ops``: Gen's structure (overlapping placements, views, loops that re-place tiles by
    their counter, branches) over the ops and spellings of ptoas's real output that the other modes
    never draw: TRESHAPE (a second tile of another shape, element type or valid shape over the same
    bytes, declared unbound and aliased where ptoas does it, re-aliased after its source moves);
    TROWMAX/TROWSUM/TROWMIN with a tmp of src's shape whose valid columns come from another parameter
    (ptoas 2026-08-21: `Tile<..., -1, -1>(rows, v7)`) into a (-1, -1) ColMajor column; TROWEXPANDDIV/SUB/
    MUL/ADD with 3 operands and with a 1 x N tmp; TRSQRT with and without its tmp; Vec -> Vec TEXTRACT
    windows (aligned and unaligned valid columns, offsets from constants or the loop counter); TCONCAT;
    TGATHER(dst, src, idx, tmp); TFILLPAD into a tile of PadValue::Min/Zero (pto-isa's TFILLPAD races
    with itself: such races are the input's too, and only new ones count). Valid columns may be set at
    run time from v4 as well as rows from v2."""

    def __init__(self, seed: int, sync: bool = False, control: bool = False) -> None:
        super().__init__(seed, False, False, sync, control)
        r = self.rnd
        self.loop_var: str | None = None
        self.aliases: list[tuple[TileDecl, TileDecl]] = []     # (TRESHAPE's dst, its source)
        self.counter = 4          # (v4 is a parameter too: valid columns at run time)
        # red18: a stream of its own for TEXTRACT column offsets off the 32-byte block grid, so that the
        # main stream (every other draw of a seed's kernel) is what it was before them
        self.side = random.Random(seed * 1_000_003 + 18)
        self.vc = r.choice([8, 10, 16, 24, 32, 40, 64])
        self.dcols = r.random() < 0.4
        self.c_values = sorted(r.sample(range(1, self.vc + 1), 2)) if self.dcols else [self.vc, self.vc]

    # --- tiles -----------------------------------------------------------------------------------------
    def place(self, nbytes: int, row_bytes: int) -> int:
        if self.rnd.random() < 0.08:
            # pto-isa's hidden UB scratch [184 KiB, 192 KiB): TROWEXPAND*'s vbrcb of a ColMajor column
            # (TRowExpandBinOp.hpp TMP_UB_OFFSET) writes it
            self.features["in-scratch"] += 1
            return min(SCRATCH + self.rnd.randrange(0, 64) * 32, UB_LIMIT - nbytes - 32)
        return super().place(nbytes, row_bytes)

    def declare(self, tile: TileDecl, bind: bool = True) -> None:
        self.tiles.append(tile)
        if tile.dynamic:
            rows = "v2" if isinstance(tile.vrows, str) else self.const(int(tile.vrows))
            cols = "v4" if getattr(tile, "dcols", False) else self.const(tile.vcols)
            self.decls.append(f"  {tile.type_text()} {tile.name} = {tile.type_text()}({rows}, {cols});")
        else:
            self.decls.append(f"  {tile.type_text()} {tile.name};")
        if bind:
            self.assign(tile, tile.addr, self.decls)

    def tile(self, dtype: str, rows: int, cols: int, vr: int | str, vc: int, kind: str, layout: str = "RowMajor",
             dcols: bool = False, pad: str = "Null", addr: int | None = None, bind: bool = True) -> CorpusTile:
        tile = CorpusTile(self.var(), dtype, rows, cols, layout, vr, vc, 0, kind, dcols, pad,
                          self.rnd.random() < 0.3)
        tile.addr = self.place(tile.nbytes, tile.row_bytes) if addr is None else addr
        self.declare(tile, bind)
        return tile

    def new_main(self, dtype: str | None = None, vr: int | str | None = None, vc: int | None = None) -> TileDecl:
        dtype = dtype or self.rnd.choice(["float", "float", "half"])
        vr = self.vr if vr is None else vr
        dcols = self.dcols and vc is None
        vc = vc or self.vc
        return self.tile(dtype, self.rows, self.cols_for(dtype, vc), vr, vc, "main", dcols=dcols)

    def derived(self) -> TileDecl:
        """A view of a main tile's bytes (TASSIGN to its address, a block or a row into it)."""
        r = self.rnd
        parent = r.choice(self.mains())
        assert isinstance(parent, CorpusTile)
        addr = parent.addr + r.choice([0, 32, parent.row_bytes])
        self.features["view-offset"] += 1
        return self.tile(parent.dtype, self.rows, self.cols_for(parent.dtype, parent.vcols), parent.vrows,
                         parent.vcols, "main", dcols=parent.dcols, addr=min(addr, UB_LIMIT - 8192))

    def new_col(self, dtype: str) -> TileDecl:
        """A (rows x 1) ColMajor column: (-1, -1) from (v2 or rows, 1) as ptoas 2026-08-21 writes it, or
        static; a third of the time the TRESHAPE of a 1 x rows row (ptoas's 1x16 <-> 16x1 pairs)."""
        r = self.rnd
        if self.rows * SIZE[dtype] % 32 == 0 and r.random() < 0.35:
            row = self.tile(dtype, 1, self.rows, 1, self.rows, "row")
            col = self.tile(dtype, self.rows, 1, self.rows, 1, "col", layout="ColMajor", bind=False)
            self.decls.append(f"  TRESHAPE({col.name}, {row.name});")
            col.addr = row.addr
            self.features["col-reshaped-from-row"] += 1
            return col
        self.features["col-ColMajor"] += 1
        return self.tile(dtype, max(self.rows, 32 // SIZE[dtype]), 1, self.vr, 1, "col", layout="ColMajor")

    def new_row(self, dtype: str, vc: int) -> TileDecl:
        return self.tile(dtype, 1, self.cols_for(dtype, vc), 1, vc, "row")

    def reshape(self, src: TileDecl | None = None) -> None:
        """A second tile over a main tile's bytes by TRESHAPE: another element type (same rows, the
        row's bytes), another valid shape, or rows folded (2R x C/2). Declared and aliased at the top
        (so that every path has it bound), re-aliased here: a re-placement of the source in between
        leaves it where it was until then."""
        r = self.rnd
        pairs = [(new, old) for new, old in self.aliases if src is None or old is src]
        if pairs and r.random() < 0.6:
            new, old = r.choice(pairs)
            self.emit(f"TRESHAPE({new.name}, {old.name});")
            new.addr = old.addr
            self.ops["TRESHAPE again"] += 1
            return
        src = src or r.choice([t for t in self.mains() if t.layout == "RowMajor"])
        assert isinstance(src, CorpusTile)
        how = r.choice(["retype", "revalid", "fold"])
        size = SIZE[src.dtype]
        if how == "retype":
            dtype = "half" if src.dtype == "float" else "float"
            cols = src.row_bytes // SIZE[dtype]
            vc = max(1, min(cols, src.vcols * size // SIZE[dtype]))
            new = self.tile(dtype, self.rows, cols, src.vrows, vc, "main", dcols=False, bind=False)
        elif how == "revalid":
            vc = r.choice([c for c in (8, 10, 16, 24, 40, 64) if c <= src.cols] or [src.cols])
            dcols = r.random() < 0.3 and src.cols >= self.vc
            # (v4 is at most self.vc: a run-time tile's key has self.vc)
            new = self.tile(src.dtype, self.rows, src.cols, src.vrows, self.vc if dcols else vc, "main",
                            dcols=dcols, bind=False)
        else:
            if src.cols % 2 or (src.cols // 2) * size % 32:
                return
            new = self.tile(src.dtype, 2 * self.rows, src.cols // 2, 2 * self.rows, src.cols // 2, "fold",
                            bind=False)
        self.decls.append(f"  TRESHAPE({new.name}, {src.name});")
        self.aliases.append((new, src))
        new.addr = src.addr
        self.ops[f"TRESHAPE {how}"] += 1
        if how == "fold":
            self.emit(f"TADDS({new.name}, {new.name}, {self.scalar(new.dtype)});")
            self.ops["TADDS on fold"] += 1

    def big(self, dtype: str) -> CorpusTile:
        """A tile larger than the mains, for TEXTRACT windows."""
        found = [t for t in self.tiles if t.kind == "big" and t.dtype == dtype]
        if found and self.rnd.random() < 0.6:
            return self.rnd.choice(found)  # type: ignore[return-value]
        rows = self.rows + self.rnd.choice([0, 4, 8])
        cols = self.cols_for(dtype, self.vc + self.rnd.choice([0, 8, 16, 32]))
        return self.tile(dtype, rows, cols, rows, cols, "big")

    # --- ops -------------------------------------------------------------------------------------------
    def op(self) -> None:
        r = self.rnd
        family = r.choices(["gen", "reshape", "rowred", "rowexp", "rsqrt", "extract", "concat", "gather",
                            "fillpad"], [6, 2, 3, 3, 2, 3, 2, 1, 2])[0]
        if family == "gen" or family == "reshape" and self.loop_depth == 0 and r.random() < 0.5:
            super().op()
            return
        getattr(self, f"op_{family}")()

    def op_reshape(self) -> None:
        self.reshape()

    def op_rowred(self) -> None:
        r = self.rnd
        src = self.pick(r.choice(["float", "float", "half"]))
        cols = [t for t in self.tiles if t.kind == "col" and t.dtype == src.dtype and t.vrows == src.vrows]
        col = r.choice(cols) if cols and r.random() < 0.7 else self.new_col(src.dtype)
        name = r.choice(ROWRED_OPS)
        how = r.choice(["same-shape-tmp", "same-shape-tmp", "main-tmp", "row-tmp"])
        if how == "same-shape-tmp":
            # ptoas 2026-08-21: the tmp is a tile of src's rows and cols, its valid columns another value
            assert isinstance(src, CorpusTile)
            tmp = self.tile(src.dtype, src.rows, src.cols, src.vrows, r.choice([src.vcols, self.vc]), "tmp",
                            dcols=r.random() < 0.5)
        elif how == "main-tmp":
            tmp = self.pick(src.dtype, src.shape_key())
        else:
            tmp = self.tile(src.dtype, 1, self.cols_for(src.dtype, src.cols), 1, src.cols, "tmp")
        self.features[f"rowred-{how}"] += 1
        self.ops[name] += 1
        self.emit(f"{name}({col.name}, {src.name}, {tmp.name});")

    def op_rowexp(self) -> None:
        r = self.rnd
        dst = self.pick(r.choice(["float", "float", "half"]))
        cols = [t for t in self.tiles if t.kind == "col" and t.dtype == dst.dtype and t.vrows == dst.vrows]
        col = r.choice(cols) if cols and r.random() < 0.7 else self.new_col(dst.dtype)
        name = r.choice(ROWEXP_OPS)
        src0 = dst if r.random() < 0.4 else self.pick(dst.dtype, dst.shape_key())
        if r.random() < 0.4:
            # (dst, src0, src1, tmp): vbrcb of ceil(validRow / 8) * 256 bytes into tmp (a 1 x N row)
            n = r.choice([256, 512, 2048]) // SIZE[dst.dtype]
            tmps = [t for t in self.tiles if t.kind == "tmp" and t.dtype == dst.dtype and t.rows == 1
                    and t.cols == n]
            tmp = r.choice(tmps) if tmps and r.random() < 0.5 else self.tile(dst.dtype, 1, n, 1, n, "tmp")
            self.emit(f"{name}({dst.name}, {src0.name}, {col.name}, {tmp.name});")
            self.ops[f"{name}+tmp"] += 1
        else:
            self.emit(f"{name}({dst.name}, {src0.name}, {col.name});")
            self.ops[name] += 1

    def op_rsqrt(self) -> None:
        r = self.rnd
        dst = self.pick(r.choice(["float", "float", "half"]))
        src = self.pick(dst.dtype, dst.shape_key()) if r.random() < 0.6 else dst
        if r.random() < 0.5:
            n = 32 // SIZE[dst.dtype]
            tmps = [t for t in self.tiles if t.kind == "tmp" and t.dtype == dst.dtype]
            tmp = r.choice(tmps) if tmps and r.random() < 0.4 else self.tile(dst.dtype, 1, n, 1, n, "tmp",
                                                                             dcols=False)
            self.emit(f"TRSQRT({dst.name}, {src.name}, {tmp.name});")
            self.ops["TRSQRT+tmp"] += 1
        else:
            self.emit(f"TRSQRT({dst.name}, {src.name});")
            self.ops["TRSQRT"] += 1

    def op_extract(self) -> None:
        """TEXTRACT(dst, src, row, col) Vec -> Vec: dst's valid shape read from src at (row, col), a
        block-aligned column; dst a main tile or a window tile of its own."""
        r = self.rnd
        dtype = r.choice(["float", "float", "half"])
        src = self.big(dtype) if r.random() < 0.6 else self.pick(dtype)
        step = 32 // SIZE[dtype]
        # (a2a3 CheckTExtractVecToVecND: dst's Rows and Cols at most src's; a 1 x 1 valid dst is the
        # scalar path, TExtractVecToVecNDScalar, between V -> S and S -> V round trips)
        fits = [t for t in self.mains(dtype) if t.rows <= src.rows and t.cols <= src.cols]
        if fits and r.random() < 0.5:
            dst = r.choice(fits)
        else:
            vr = r.randrange(1, src.rows + 1)
            vc = r.choice([c for c in (1, 2, 3, 8, 10, 16, 20, 24, 32, 40) if c <= src.cols])
            if r.random() < 0.15:
                vr, vc = 1, 1
            cols = min(src.cols, -(-vc // step) * step + r.choice([0, 0, step]))
            dst = self.tile(dtype, vr, cols, vr, vc, "win")
        vrows = dst.rows if isinstance(dst.vrows, str) else int(dst.vrows)
        row_hi = src.rows - vrows
        col_hi = (src.cols - dst.vcols) // step
        if row_hi < 0 or col_hi < 0:
            return
        row = r.randrange(0, row_hi + 1)
        col = r.randrange(0, col_hi + 1) * step
        if self.loop_var is not None and r.random() < 0.3 and row_hi >= 2:
            row_text = self.loop_var      # (the counter: 0 .. 2)
            self.features["extract-row-by-counter"] += 1
        else:
            row_text = self.const(row)
        col_text = self.off_block_column(dst, src, step) or self.const(col)
        self.emit(f"TEXTRACT({dst.name}, {src.name}, {row_text}, {col_text});")
        self.ops["TEXTRACT" + (" unaligned" if dst.vcols * SIZE[dtype] % 32 else "")] += 1

    def off_block_column(self, dst: TileDecl, src: TileDecl, step: int) -> str | None:
        """red18: a TEXTRACT column offset that is not whole 32-byte blocks (1, 3 or 7 elements, a block
        less one, or one more than a whole block; the loop counter 0 .. 2), or the counter times a block
        (whole blocks at every value), drawn from the side stream; None for Gen's whole-block constant.
        pto-isa a2a3 TExtract.hpp asks for whole blocks only by a PTO_ASSERT (compiled out without _DEBUG)
        and its copy then starts off the block grid: ptofix makes the operands unknown (barriers kept,
        tile_accesses.window_column_problem) except for a 1 x 1 window (the scalar path), and the trace
        must be judged all the same."""
        side = self.side
        room = src.cols - dst.vcols       # (the offsets that keep dst's valid columns in src's row)
        if side.random() >= 0.45 or room < 1:
            return None
        if self.loop_var is not None and side.random() < 0.4:
            if side.random() < 0.5 and room >= 2:
                self.features["extract-col-by-counter"] += 1
                return self.loop_var                                  # (0, 1, 2 elements)
            if room >= 2 * step:
                self.features["extract-col-by-counter-blocks"] += 1
                return f"{self.loop_var} * {self.const(step)}"        # (0, 1, 2 blocks)
        offsets = [c for c in {1, 3, 7, step - 1, step + 1} if c <= room and c % step]
        if not offsets:
            return None
        self.ops["TEXTRACT column off-block" + (" 1x1" if (dst.vrows, dst.vcols) == (1, 1) else "")] += 1
        return self.const(side.choice(sorted(offsets)))

    def op_concat(self) -> None:
        r = self.rnd
        dtype = r.choice(["float", "half"])
        step = 32 // SIZE[dtype]
        a = r.choice([step, 2 * step, step // 2 + 1, 3])
        b = r.choice([step, 2 * step, 5])
        rows = self.rows
        src0 = self.tile(dtype, rows, self.cols_for(dtype, a), rows, a, "cat")
        src1 = self.tile(dtype, rows, self.cols_for(dtype, b), rows, b, "cat")
        dst = self.tile(dtype, rows, self.cols_for(dtype, a + b + step), rows, a + b, "cat")
        self.emit(f"TCONCAT({dst.name}, {src0.name}, {src1.name});")
        self.ops["TCONCAT"] += 1
        others = [t for t in self.tiles if t.kind == "cat" and t.dtype == dtype and t is not dst]
        if others and r.random() < 0.5:
            self.barrier()
            self.emit(f"TCONCAT({r.choice(others).name}, {dst.name}, {src1.name});")
            self.ops["TCONCAT"] += 1

    def op_gather(self) -> None:
        src = self.tile("float", 1, 64, 1, 64, "gather")
        idx = self.tile("int32_t", 1, 64, 1, 64, "gather")
        tmp = self.tile("int32_t", 1, 64, 1, 64, "gather")
        dst = self.tile("float", 1, 64, 1, 64, "gather")
        self.emit(f"TEXPANDS({src.name}, 1.0f);")
        self.emit(f"TEXPANDS({idx.name}, 0);")
        self.barrier()
        self.emit(f"TGATHER({dst.name}, {src.name}, {idx.name}, {tmp.name});")
        self.ops["TGATHER"] += 1

    def op_fillpad(self) -> None:
        r = self.rnd
        src = self.pick(r.choice(["float", "half"]))
        assert isinstance(src, CorpusTile)
        pad = r.choice(["Min", "Zero"])
        dst = self.tile(src.dtype, src.rows, src.cols, src.rows, src.cols, "pad", pad=pad)
        self.emit(f"TFILLPAD({dst.name}, {src.name});")
        self.ops[f"TFILLPAD {pad}"] += 1
        mains = self.mains(src.dtype, (src.rows, src.cols, False))
        if mains and r.random() < 0.5:
            self.barrier()
            self.emit(f"TADD({r.choice(mains).name}, {dst.name}, {dst.name});")
            self.ops["TADD of padded"] += 1

    # --- structure ------------------------------------------------------------------------------------
    def pick(self, dtype: str | None = None, key: tuple | None = None) -> TileDecl:
        found = self.mains(dtype, key)
        if found:
            return self.rnd.choice(found)
        if key is None:
            return self.new_main(dtype)
        vr, vc, dcols = key
        dtype = dtype or self.rnd.choice(["float", "half"])
        return self.tile(dtype, self.rows, self.cols_for(dtype, vc), vr, vc, "main", dcols=dcols)

    def lambda_op(self) -> None:
        """Gen's lambda_op for an op of one statement; the ops here that write several (TGATHER's
        set-up, TCONCAT twice, TFILLPAD and its reader, a reshape's alias) stay as they are."""
        start = len(self.lines)
        self.op()
        body = self.lines[start:]
        if len(body) != 1 or body[0].strip().startswith(("pipe_barrier", "set_flag", "wait_flag", "#")):
            return
        del self.lines[start:]
        self.counter += 1
        self.emit(f"auto f{self.counter} = [&]() {{ {body[0].strip()} }};")
        self.emit(f"f{self.counter}();")
        self.features["lambda-op"] += 1

    def block(self, count: int, loop_var: str | None, depth: int) -> None:
        outer, self.loop_var = self.loop_var, loop_var
        if loop_var is not None and self.rnd.random() < 0.25:
            # re-alias: a reshaped tile follows its source after the loop moved it
            moved = [t for t in self.tiles if t.kind == "main" and t.layout == "RowMajor"]
            if moved:
                tile = self.rnd.choice(moved)
                stride = self.rnd.choice([32, tile.row_bytes, tile.nbytes])
                base = self.place(tile.nbytes + 3 * stride, tile.row_bytes)
                self.assign(tile, f"{self.const(base)} + {loop_var} * {self.const(stride)}")
                tile.addr = base
                self.features["loop-rebind-then-reshape"] += 1
                self.reshape(tile)
        super().block(count, loop_var, depth)
        self.loop_var = outer

    def kernel(self) -> Kernel:
        base = super().kernel()
        text = base.text.replace("int32_t v2, int32_t v3) {", "int32_t v2, int32_t v3, int32_t v4) {")
        text = text.replace("// red9 trace fuzz", "// red13 trace fuzz --corpus-ops")
        runs = [run + (("v4", str(c)),) for run, c in zip(base.runs, self.c_values, strict=True)]
        return Kernel(self.seed, text, runs, self.ops, self.features)


def generate(seed: int, wild: bool = False, more_ops: bool = False, sync: bool = False,
             control: bool = False, dtypes: bool = False, corpus_ops: bool = False) -> Kernel:
    if corpus_ops:
        return CorpusGen(seed, sync, control).kernel()
    if dtypes:
        return DtypeGen(seed, sync, control).kernel()
    return Gen(seed, wild, more_ops, sync, control).kernel()


# --- judging ---------------------------------------------------------------------------------------

@dataclass
class Outcome:
    seed: int
    verdict: str                 # accepted / no-removal / WRONG / cannot-judge / refused
    why: str = ""
    barriers: int = 0
    removed: int = 0
    removed_executed: int = 0
    kept_unneeded: int = 0
    wrong: list[str] = field(default_factory=list)
    seconds: float = 0.0


def without_barriers(recording: Recording, lines: set[int]) -> Recording:
    """The recording the output would give: the input's, the pipe_barrier calls of removed sites left out."""
    calls = [call for call in recording.calls if not (
        call.name == "pipe_barrier" and 0 <= call.site < len(recording.sites)
        and recording.sites[call.site].name == "pipe_barrier" and recording.sites[call.site].line in lines)]
    return replace(recording, calls=calls)


def judge_kernel(kernel: Kernel, work: Path, pto_isa: Path, cache: Path, full: bool = False) -> Outcome:
    start = time.monotonic()
    path = work / f"fuzz_{kernel.seed}.cpp"
    path.write_text(kernel.text, encoding="utf-8")
    environment = compile_environment((), (), str(pto_isa))
    try:
        fixed = fix_cpp(kernel.text, patterns="auto", environment=environment, path=str(path))
    except InputError as error:
        return Outcome(kernel.seed, "refused", f"input error: {error}")
    barriers = [d for d in fixed.decisions]
    removed = {d.line for d in fixed.decisions if d.decision == "removed"}
    outcome = Outcome(kernel.seed, "accepted" if removed else "no-removal", barriers=len(barriers),
                      removed=len(removed))
    if not barriers or all(d.cause is None and d.decision != "removed" for d in barriers) and fixed.warnings:
        outcome.verdict, outcome.why = "refused", "; ".join(fixed.warnings)[:200] or "no barrier read"
        return outcome
    executed: set[int] = set()
    unneeded_lines: set[int] = set()
    for run in kernel.runs:
        options = TraceOptions(environment, args=run, cache_dir=cache, jobs=1)
        texts = {str(path): kernel.text}
        if full and removed:
            texts[f"{path} (output)"] = fixed.text
        results = trace_texts(texts, options)
        first = results[str(path)]
        if first.error is not None:
            outcome.verdict = "cannot-judge"
            outcome.why = "does not build/run: " + first.error.format().strip().splitlines()[0][-300:]
            return outcome
        assert first.recording is not None and first.judgement is not None
        if first.judgement.cannot_judge is not None:
            outcome.verdict, outcome.why = "cannot-judge", f"trace judge: {first.judgement.cannot_judge[1]}"
            return outcome
        recording = first.recording
        for call in recording.calls:
            if call.name == "pipe_barrier" and 0 <= call.site < len(recording.sites):
                site = recording.sites[call.site]
                if site.name == "pipe_barrier" and site.line in removed:
                    executed.add(site.line)
        unneeded_lines |= {recording.sites[s].line for s in unneeded_barriers(recording)}
        output = without_barriers(recording, removed)
        derived: TraceResult = result_of(output)
        found = new_races(first, derived)
        if full and removed:
            real = results[f"{path} (output)"]
            real_found = new_races(first, real)
            derived_keys = sorted((r.kind, r.earlier.site, r.later.site) for r, _ in found) \
                if not isinstance(found, str) else found
            real_keys = sorted((r.kind, r.earlier.site, r.later.site) for r, _ in real_found) \
                if not isinstance(real_found, str) else real_found
            if derived_keys != real_keys:
                outcome.verdict = "cannot-judge"
                outcome.why = f"derived and built output traces disagree: {derived_keys} vs {real_keys}"
                return outcome
        if isinstance(found, str):
            outcome.verdict, outcome.why = "cannot-judge", found
            return outcome
        for race, _count in found:
            e, l_ = recording.sites[race.earlier.site], recording.sites[race.later.site]
            outcome.wrong.append(f"{race.kind} {e.name}@{e.line} {race.earlier.name} -> {l_.name}@{l_.line} "
                                 f"{race.later.name} bytes [{race.overlap[0]:#x},{race.overlap[1]:#x}) args {run}")
    outcome.removed_executed = len(executed)
    kept = {d.line for d in barriers if d.decision != "removed"}
    outcome.kept_unneeded = len(kept & unneeded_lines)
    if outcome.wrong:
        outcome.verdict = "WRONG"
    outcome.seconds = time.monotonic() - start
    return outcome


def parse_seeds(text: str) -> list[int]:
    if ":" in text:
        lo, hi = text.split(":")
        return list(range(int(lo), int(hi)))
    return [int(x) for x in text.split(",")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="0:20", help="LO:HI or a,b,c")
    parser.add_argument("--pto-isa", default=str(PTO_ISA))
    parser.add_argument("--cache-dir", default="/tmp/ptofix-trace-fuzz-cache")
    parser.add_argument("--keep", default="/tmp/ptofix-trace-fuzz", help="where the kernels are written")
    parser.add_argument("--full", action="store_true", help="build and trace each output too")
    parser.add_argument("--wild", action="store_true",
                        help="also sources of another valid shape than dst's, and SetValidShape calls")
    parser.add_argument("--more-ops", action="store_true",
                        help="also TCOLEXPAND, TROWEXPANDMAX/MIN, TCOLPROD, TROWPROD and TAXPY")
    parser.add_argument("--sync", action="store_true",
                        help="also set_flag/wait_flag: V<->S, V<->MTE2/MTE3 round trips, halves, misordered and "
                             "split pairs, reused events, sets never waited")
    parser.add_argument("--control", action="store_true",
                        help="also loops 3 deep, run-time trip counts 0-2, break/continue/return, if without "
                             "else, barriers under #if, ops issued from lambdas")
    parser.add_argument("--dtypes", action="store_true",
                        help="tiles of int8/uint8, int16/uint16, int32/uint32, bf16, half and float: TCVT between "
                             "them, TCMP/TCMPS masks and TSEL/TSELS, bitwise ops, adjacent placement, views as another "
                             "type (with --sync/--control; not with --wild/--more-ops)")
    parser.add_argument("--corpus-ops", action="store_true",
                        help="TRESHAPE, TEXTRACT windows, TCONCAT, TGATHER, TFILLPAD, TRSQRT, TROWMAX/TROWSUM with "
                             "ptoas 2026-08-21's tmp tiles, TROWEXPANDDIV/SUB with and without a tmp, valid columns "
                             "from a parameter (with --sync/--control; not with --wild/--more-ops/--dtypes)")
    parser.add_argument("--print", dest="show", action="store_true", help="print the kernels, judge nothing")
    args = parser.parse_args(argv)
    seeds = parse_seeds(args.seeds)
    modes = (args.wild, args.more_ops, args.sync, args.control, args.dtypes, args.corpus_ops)
    if args.show:
        for seed in seeds:
            sys.stdout.write(generate(seed, *modes).text)
        return 0
    work = Path(args.keep)
    work.mkdir(parents=True, exist_ok=True)
    outcomes: list[Outcome] = []
    ops: Counter = Counter()
    features: Counter = Counter()
    for seed in seeds:
        kernel = generate(seed, *modes)
        outcome = judge_kernel(kernel, work, Path(args.pto_isa), Path(args.cache_dir), args.full)
        outcomes.append(outcome)
        if outcome.verdict not in ("cannot-judge", "refused"):
            ops.update(kernel.ops)
            features.update(kernel.features)
        print(f"seed {seed}: {outcome.verdict} barriers={outcome.barriers} removed={outcome.removed} "
              f"(executed {outcome.removed_executed}) kept-unneeded={outcome.kept_unneeded} "
              f"{outcome.seconds:.1f}s {outcome.why}", flush=True)
        for line in outcome.wrong:
            print(f"  WRONG: {line}", flush=True)
    print(summary(outcomes, ops, features))
    return 1 if any(o.verdict == "WRONG" for o in outcomes) else 0


def summary(outcomes: list[Outcome], ops: Counter, features: Counter) -> str:
    verdicts = Counter(o.verdict for o in outcomes)
    judged = [o for o in outcomes if o.verdict in ("accepted", "no-removal", "WRONG")]
    rows = [
        ("kernels", len(outcomes)),
        *((f"  {v}", verdicts[v]) for v in ("accepted", "no-removal", "WRONG", "cannot-judge", "refused")),
        ("barriers (judged kernels)", sum(o.barriers for o in judged)),
        ("removed", sum(o.removed for o in judged)),
        ("removed and executed in a traced run", sum(o.removed_executed for o in judged)),
        ("wrong removals (distinct races)", sum(len(o.wrong) for o in judged)),
        ("kept, trace shows unneeded (reach)", sum(o.kept_unneeded for o in judged)),
    ]
    width = max(len(name) for name, _ in rows)
    out = ["", "summary"] + [f"  {name:<{width}}  {value}" for name, value in rows]
    reasons = Counter(o.why.split(":")[0] + ": " + o.why.split(":")[1][:90] if ":" in o.why else o.why
                      for o in outcomes if o.verdict in ("cannot-judge", "refused"))
    if reasons:
        out.append("  cannot judge / refused, why:")
        out += [f"    {count:4d}  {why}" for why, count in reasons.most_common()]
    out.append("  ops (judged kernels): " + ", ".join(f"{k} {v}" for k, v in sorted(ops.items())))
    out.append("  shapes (judged kernels): " + ", ".join(f"{k} {v}" for k, v in sorted(features.items())))
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
