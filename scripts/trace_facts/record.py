"""Record what pto-isa's a2a3 implementation issues for every op of ptofix's effects table.

    python3 scripts/trace_facts/record.py --pto-isa ../shared/pto-isa/f35e7f60 --out trace.json

pto-isa's host cost model (``-D__COSTMODEL``; ../shared/pto-isa/README.md) compiles the real a2a3
NPU headers (include/pto/npu/a2a3/*.hpp) on the host and records every CCE intrinsic a PTO op
calls, with its integer arguments, instead of executing it. This script writes one C++ case per
(op, tile type) point of a grid (``cases()``), groups them into translation units, compiles them
with the system g++ in parallel against a *copy* of the checkout's include tree (the formula
header generators write beside themselves; the checkout may be read-only), runs them and writes
the recorded intrinsics with each case's description as JSON. A case that does not compile (a
static_assert of pto-isa rejecting the type) is recorded as such, with the first error line.

The built binaries are cached under ``--cache`` (default ~/.cache/ptofix-trace) by a key over the
checkout's include tree, the harness and the generated sources: a second run compiles nothing.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
HARNESS = HERE / "harness.hpp"
CXXFLAGS = ["-std=c++2b", "-O0", "-w", "-D__COSTMODEL", "-D__NPU_ARCH__=2201", "-DPTO_COMM_NOT_SUPPORTED"]
FORMULA_GENERATORS = ("include/pto/costmodel/a2a3/formula_costmodel/gen_formula_params_header.py",
                      "include/pto/costmodel/a5/formula_costmodel/gen_formula_params_header.py")
CASES_PER_UNIT = 120

ELEMENT_BYTES = {"float": 4, "half": 2, "bfloat16_t": 2, "int16_t": 2, "int32_t": 4, "uint8_t": 1,
                 "int8_t": 1, "uint16_t": 2, "uint32_t": 4}
# Operand addresses: far apart and past the 192 KiB UB, so every recorded address names one
# operand (or pto's hidden scratch at 0x2e000, which lies below all of them). The cost model only
# records addresses; it touches no memory there.
OPERAND_BASE = 0x100000
OPERAND_SPACING = 0x100000

FLOAT_DTYPES = ("float", "half")
ALL_DTYPES = ("float", "half", "bfloat16_t", "int16_t", "int32_t")
INT_DTYPES = ("int16_t", "int32_t")

# Op families: how a call is spelled and which dtypes to try (a dtype pto-isa rejects is kept:
# its failure is recorded).
UNARY = ("TEXP", "TLOG", "TSQRT", "TRECIP", "TABS", "TNEG", "TRELU", "TNOT", "TRSQRT")
BINARY = ("TADD", "TSUB", "TMUL", "TDIV", "TMAX", "TMIN", "TAND", "TOR", "TSHL", "TSHR", "TFMOD")
SCALAR = ("TADDS", "TSUBS", "TMULS", "TDIVS", "TMAXS", "TMINS", "TANDS", "TORS", "TSHLS", "TSHRS", "TFMODS",
          "TAXPY")

NOT_IN_COSTMODEL = frozenset({"TFMOD", "TANDS", "TORS", "TSHLS", "TSHRS", "TFMODS", "TEXPANDS"})


class Operand:
    """One tile argument of a case: its role, C++ type pieces, run-time valid shape, address."""

    def __init__(self, role: str, dtype: str, rows: int, cols: int, layout: str, type_vr: int, type_vc: int,
                 valid_rows: int, valid_cols: int, addr: int) -> None:
        self.role, self.dtype, self.rows, self.cols, self.layout = role, dtype, rows, cols, layout
        self.type_vr, self.type_vc, self.valid_rows, self.valid_cols, self.addr = \
            type_vr, type_vc, valid_rows, valid_cols, addr

    def cpp_type(self) -> str:
        return (f"pto::Tile<pto::TileType::Vec, {self.dtype}, {self.rows}, {self.cols}, pto::BLayout::{self.layout}, "
                f"{self.type_vr}, {self.type_vc}>")

    def describe(self) -> dict:
        return {"role": self.role, "dtype": self.dtype, "rows": self.rows, "cols": self.cols, "layout": self.layout,
                "type_valid": [self.type_vr, self.type_vc], "valid": [self.valid_rows, self.valid_cols],
                "addr": self.addr, "bytes": self.rows * self.cols * ELEMENT_BYTES[self.dtype]}


class Case:
    def __init__(self, op: str, point: dict, operands: list[Operand], call: str) -> None:
        self.op, self.point, self.operands, self.call = op, point, operands, call
        self.id = ""
        self.batch = 0

    def describe(self) -> dict:
        return {"id": self.id, "op": self.op, **self.point, "operands": [o.describe() for o in self.operands],
                "call": self.call}

    def cpp(self) -> str:
        lines = [f"static void case_{self.id}() {{"]
        for operand in self.operands:
            lines.append(f"    auto {operand.role} = ptofix_trace::make_tile<{operand.cpp_type()}>("
                         f"{operand.valid_rows}, {operand.valid_cols}, {operand.addr:#x});")
        lines.append("    pto::mocker::ResetTrace();")
        lines.append(f"    {self.call};")
        lines.append(f'    ptofix_trace::dump("{self.id}");')
        lines.append("}")
        return "\n".join(lines)


def shape_points(dtype: str) -> list[dict]:
    """The tile shapes of the grid for one element type: rows under, at and over 256 bytes, a row
    not a whole number of repeats, partial valid shapes, one row, more than 255 repeats, ColMajor;
    each with its valid shape static in the type and dynamic (-1, -1)."""
    size = ELEMENT_BYTES[dtype]
    per_repeat = 256 // size
    shapes = [  # (rows, cols, valid_rows, valid_cols, layout)
        (16, 4 * per_repeat, 16, 4 * per_repeat, "RowMajor"),     # 1024-byte rows
        (16, per_repeat, 16, per_repeat, "RowMajor"),             # 256-byte rows
        (16, per_repeat // 2, 16, per_repeat // 2, "RowMajor"),   # 128-byte rows
        (16, per_repeat + per_repeat // 4, 16, per_repeat + per_repeat // 4, "RowMajor"),   # 320-byte rows
        (16, 4 * per_repeat, 16, 2 * per_repeat + 8, "RowMajor"),  # partial valid columns
        (16, 4 * per_repeat, 16, 2 * per_repeat, "RowMajor"),      # partial, whole repeats
        (16, 4 * per_repeat, 10, 4 * per_repeat, "RowMajor"),     # partial valid rows
        (16, per_repeat, 10, per_repeat // 2, "RowMajor"),         # both partial
        (1, 4 * per_repeat, 1, 4 * per_repeat, "RowMajor"),       # one row
        (300, per_repeat, 300, per_repeat, "RowMajor"),           # 300 repeats of one row each
        (80, 4 * per_repeat, 80, 4 * per_repeat, "RowMajor"),     # 320 repeats
        (4 * per_repeat, 16, 4 * per_repeat, 16, "ColMajor"),     # ColMajor, 1024-byte columns
    ]
    points = []
    for rows, cols, valid_rows, valid_cols, layout in shapes:
        for static in (True, False):
            points.append({"dtype": dtype, "layout": layout, "valid_static": static, "rows": rows, "cols": cols,
                           "valid_rows": valid_rows, "valid_cols": valid_cols})
    return points


def _tile(role: str, index: int, point: dict, dtype: str | None = None, rows: int | None = None,
          cols: int | None = None, valid: tuple[int, int] | None = None, layout: str | None = None) -> Operand:
    rows = point["rows"] if rows is None else rows
    cols = point["cols"] if cols is None else cols
    valid_rows, valid_cols = (point["valid_rows"], point["valid_cols"]) if valid is None else valid
    type_vr, type_vc = (valid_rows, valid_cols) if point["valid_static"] else (-1, -1)
    return Operand(role, dtype or point["dtype"], rows, cols, layout or point["layout"], type_vr, type_vc,
                   valid_rows, valid_cols, OPERAND_BASE + index * OPERAND_SPACING)


def _scalar(dtype: str) -> str:
    return f"({dtype})1"


def cases() -> list[Case]:
    """Every case of the grid, in a fixed order (ids are their positions)."""
    out: list[Case] = []

    def add(op: str, point: dict, operands: list[Operand], call: str) -> None:
        out.append(Case(op, point, operands, call))

    for dtype in ALL_DTYPES:
        for number, point in enumerate(shape_points(dtype)):
            def same(role: str, index: int, point: dict = point) -> Operand:
                return _tile(role, index, point)

            s = _scalar(dtype)

            # The ops whose a2a3 implementation the cost-model build does not declare at f35e7f60
            # ('T..._IMPL was not declared'): one point records that.
            def tried(op: str, first: bool = number == 0 and dtype == "float") -> bool:
                return op not in NOT_IN_COSTMODEL or first
            for op in filter(tried, UNARY):
                add(op, point, [same("dst", 0), same("src0", 1)], f"pto::{op}(dst, src0)")
            for op in filter(tried, BINARY):
                add(op, point, [same("dst", 0), same("src0", 1), same("src1", 2)], f"pto::{op}(dst, src0, src1)")
            for op in filter(tried, SCALAR):
                add(op, point, [same("dst", 0), same("src0", 1)], f"pto::{op}(dst, src0, {s})")
            if tried("TEXPANDS"):
                add("TEXPANDS", point, [same("dst", 0)], f"pto::TEXPANDS(dst, {s})")
    for case in out:
        case.batch = 1
    first = len(out)
    _second_batch(add)
    for case in out[first:]:
        case.batch = 2
    first = len(out)
    _third_batch(add)
    for case in out[first:]:
        case.batch = 3
    first = len(out)
    _fourth_batch(add)
    for case in out[first:]:
        case.batch = 4
    first = len(out)
    _fifth_batch(add)
    for case in out[first:]:
        case.batch = 5
    first = len(out)
    _sixth_batch(add)
    for case in out[first:]:
        case.batch = 6
    for index, case in enumerate(out):
        case.id = str(index)
    return out


ROW_EXPAND_BINARY = ("TROWEXPANDADD", "TROWEXPANDSUB", "TROWEXPANDMUL", "TROWEXPANDDIV", "TROWEXPANDMAX",
                     "TROWEXPANDMIN", "TROWEXPANDEXPDIF")
COL_EXPAND_BINARY = ("TCOLEXPANDADD", "TCOLEXPANDSUB", "TCOLEXPANDMUL", "TCOLEXPANDDIV", "TCOLEXPANDMAX",
                     "TCOLEXPANDMIN", "TCOLEXPANDEXPDIF")
ROW_REDUCE = ("TROWSUM", "TROWMAX", "TROWMIN", "TROWPROD")
COL_REDUCE = ("TCOLSUM", "TCOLMAX", "TCOLMIN", "TCOLPROD")


def _sixth_batch(add) -> None:  # type: ignore[no-untyped-def]
    """TSORT32(dst, src, idx[, tmp]) over 4 rows of 64 source elements: whole 32-element blocks,
    one block, a tail (40 columns: the tmp form's copy-and-pad path), an idx of one valid row
    (read again for every row) and of every row, dst with fewer valid rows than src. dst holds 8
    bytes a source element (2 floats, 4 halves); idx is uint32_t."""
    for dtype in FLOAT_DTYPES:
        pair = 8 // ELEMENT_BYTES[dtype]
        for valid_cols in (64, 40, 32):
            for idx_rows, dst_rows in ((4, 4), (1, 4), (4, 2)):
                for static in (True, False):
                    point = {"dtype": dtype, "layout": "RowMajor", "valid_static": static, "rows": 4, "cols": 64,
                             "valid_rows": 4, "valid_cols": valid_cols}
                    dst = _tile("dst", 0, point, cols=64 * pair, valid=(dst_rows, 64 * pair))
                    src = _tile("src0", 1, point)
                    idx = _tile("idx", 2, point, dtype="uint32_t", rows=idx_rows, valid=(idx_rows, valid_cols))
                    form = f"idx{idx_rows}_dst{dst_rows}"
                    add("TSORT32", {**point, "form": form}, [dst, src, idx], "pto::TSORT32(dst, src0, idx)")
                    tmp = _tile("tmp", 3, point, rows=1, valid=(1, 64))
                    add("TSORT32", {**point, "form": form + "_tmp"}, [dst, src, idx, tmp],
                        "pto::TSORT32(dst, src0, idx, tmp)")


def _fifth_batch(add) -> None:  # type: ignore[no-untyped-def]
    """One shape (16 rows of 256 bytes, and of 1024) of the other ops of the effects table whose
    operands are tiles of the grid's kind: arg-reductions, transposition, pad filling, copies,
    concatenation, the scalar TCI."""
    for dtype in FLOAT_DTYPES:
        per_repeat = 256 // ELEMENT_BYTES[dtype]
        for cols in (per_repeat, 4 * per_repeat):
            for static in (True, False):
                point = {"dtype": dtype, "layout": "RowMajor", "valid_static": static, "rows": 16,
                         "cols": cols, "valid_rows": 16, "valid_cols": cols}
                dst, src0 = _tile("dst", 0, point), _tile("src0", 1, point)
                tmp = _tile("tmp", 2, point)
                for op in ("TROWARGMAX", "TROWARGMIN"):
                    index = _tile("dst", 0, point, dtype="int32_t", cols=1, valid=(16, 1), layout="ColMajor")
                    add(op, point, [index, src0, tmp], f"pto::{op}(dst, src0, tmp)")
                for op in ("TCOLARGMAX", "TCOLARGMIN"):
                    index = _tile("dst", 0, point, dtype="int32_t", rows=1, valid=(1, cols))
                    add(op, point, [index, src0, tmp], f"pto::{op}(dst, src0, tmp)")
                add("TTRANS", point, [_tile("dst", 0, point, rows=cols, cols=16, valid=(cols, 16)), src0, tmp],
                    "pto::TTRANS(dst, src0, tmp)")
                add("TFILLPAD", point, [dst, src0], "pto::TFILLPAD(dst, src0)")
                add("TFILLPAD_INPLACE", point, [dst, src0], "pto::TFILLPAD_INPLACE(dst, src0)")
                add("TMOV", point, [dst, src0], "pto::TMOV(dst, src0)")
                half = _tile("src0", 1, point, cols=cols // 2, valid=(16, cols // 2))
                add("TCONCAT", point, [dst, half, _tile("src1", 2, point, cols=cols // 2, valid=(16, cols // 2))],
                    "pto::TCONCAT(dst, src0, src1)")
                if dtype == "float":
                    one_row = _tile("dst", 0, point, dtype="int32_t", rows=1, valid=(1, cols))
                    add("TCI", point, [one_row], "pto::TCI<decltype(dst), int32_t, 0>(dst, (int32_t)3)")


def _fourth_batch(add) -> None:  # type: ignore[no-untyped-def]
    """The elementwise ops over tiles of no more rows than 256-byte repeats a row (2 and 4 rows of
    1024 bytes): pto-isa's two-level paths go row by row there."""
    for dtype in FLOAT_DTYPES:
        per_repeat = 256 // ELEMENT_BYTES[dtype]
        for rows in (2, 4):
            for static in (True, False):
                point = {"dtype": dtype, "layout": "RowMajor", "valid_static": static, "rows": rows,
                         "cols": 4 * per_repeat, "valid_rows": rows, "valid_cols": 4 * per_repeat}

                def same(role: str, index: int, point: dict = point) -> Operand:
                    return _tile(role, index, point)

                for op in UNARY:
                    add(op, point, [same("dst", 0), same("src0", 1)], f"pto::{op}(dst, src0)")
                for op in BINARY:
                    if op not in NOT_IN_COSTMODEL:
                        add(op, point, [same("dst", 0), same("src0", 1), same("src1", 2)],
                            f"pto::{op}(dst, src0, src1)")
                for op in SCALAR:
                    if op not in NOT_IN_COSTMODEL:
                        add(op, point, [same("dst", 0), same("src0", 1)], f"pto::{op}(dst, src0, {_scalar(dtype)})")


def _third_batch(add) -> None:  # type: ignore[no-untyped-def]
    """The per-row broadcasts and row reductions over more than 255 rows: a ColMajor [rows, 1]
    operand needs rows of whole 32-byte blocks (320, not the first batches' 300)."""
    for dtype in ("float", "half"):
        size = ELEMENT_BYTES[dtype]
        for static in (True, False):
            point = {"dtype": dtype, "layout": "RowMajor", "valid_static": static, "rows": 320,
                     "cols": 256 // size, "valid_rows": 320, "valid_cols": 256 // size}
            dst, src0 = _tile("dst", 0, point), _tile("src0", 1, point)
            column = _tile("src1", 2, point, cols=1, valid=(320, 1), layout="ColMajor")
            for op in ROW_EXPAND_BINARY:
                add(op, {**point, "form": "src1_colmajor"}, [dst, src0, column], f"pto::{op}(dst, src0, src1)")
                add(op, {**point, "form": "src1_colmajor_tmp"},
                    [dst, src0, column, _tile("tmp", 3, point, rows=32, cols=256 // size, valid=(32, 256 // size))],
                    f"pto::{op}(dst, src0, src1, tmp)")
            for op in ROW_REDUCE:
                add(op, point, [_tile("dst", 0, point, cols=1, valid=(320, 1), layout="ColMajor"), src0,
                                _tile("tmp", 2, point)], f"pto::{op}(dst, src0, tmp)")


def _second_batch(add) -> None:  # type: ignore[no-untyped-def]
    """Broadcasts, reductions, compares, conversions and the ops with a tmp, RowMajor points."""
    for dtype in ("float", "half"):
        size = ELEMENT_BYTES[dtype]
        block = 32 // size
        for point in shape_points(dtype):
            if point["layout"] != "RowMajor":
                continue
            cols, vr, vc = point["cols"], point["valid_rows"], point["valid_cols"]
            dst, src0 = _tile("dst", 0, point), _tile("src0", 1, point)
            for op in ROW_EXPAND_BINARY:
                # src1 one value a row: a RowMajor [rows, one block] or a ColMajor [rows, 1] tile;
                # the 4-operand form brings its own tmp for the broadcast.
                add(op, {**point, "form": "src1_rowmajor_block"},
                    [dst, src0, _tile("src1", 2, point, cols=block, valid=(vr, block))],
                    f"pto::{op}(dst, src0, src1)")
                add(op, {**point, "form": "src1_colmajor"},
                    [dst, src0, _tile("src1", 2, point, cols=1, valid=(vr, 1), layout="ColMajor")],
                    f"pto::{op}(dst, src0, src1)")
                add(op, {**point, "form": "src1_colmajor_tmp"},
                    [dst, src0, _tile("src1", 2, point, cols=1, valid=(vr, 1), layout="ColMajor"),
                     _tile("tmp", 3, point, rows=32, cols=256 // size, valid=(32, 256 // size))],
                    f"pto::{op}(dst, src0, src1, tmp)")
            for op in COL_EXPAND_BINARY:
                add(op, point, [dst, src0, _tile("src1", 2, point, rows=1, valid=(1, vc))],
                    f"pto::{op}(dst, src0, src1)")
            add("TROWEXPAND", point, [dst, _tile("src0", 1, point, cols=1, valid=(vr, 1), layout="ColMajor")],
                "pto::TROWEXPAND(dst, src0)")
            add("TCOLEXPAND", point, [dst, _tile("src0", 1, point, rows=1, valid=(1, vc))],
                "pto::TCOLEXPAND(dst, src0)")
            for op in ROW_REDUCE:
                add(op, point, [_tile("dst", 0, point, cols=1, valid=(vr, 1), layout="ColMajor"), src0,
                                _tile("tmp", 2, point)], f"pto::{op}(dst, src0, tmp)")
            for op in COL_REDUCE:
                add(op, point, [_tile("dst", 0, point, rows=1, valid=(1, vc)), src0], f"pto::{op}(dst, src0)")
            add("TCOLSUM", {**point, "form": "tmp_binary"},
                [_tile("dst", 0, point, rows=1, valid=(1, vc)), src0, _tile("tmp", 2, point)],
                "pto::TCOLSUM(dst, src0, tmp, true)")
            mask_cols = max(32, -(-cols // 8 // 32) * 32)
            mask = _tile("dst", 0, point, dtype="uint8_t", cols=mask_cols, valid=(vr, max(1, vc // 8)))
            add("TCMP", point, [mask, src0, _tile("src1", 2, point)],
                "pto::TCMP(dst, src0, src1, pto::CmpMode::GT)")
            add("TCMPS", point, [mask, src0], f"pto::TCMPS(dst, src0, {_scalar(dtype)}, pto::CmpMode::GT)")
            add("TRSQRT", {**point, "form": "tmp"}, [dst, src0, _tile("tmp", 2, point)], "pto::TRSQRT(dst, src0, tmp)")
            for op in ("TXOR", "TPRELU", "TREM"):
                add(op, point, [dst, src0, _tile("src1", 2, point), _tile("tmp", 3, point)],
                    f"pto::{op}(dst, src0, src1, tmp)")
            for op in ("TXORS", "TREMS"):
                add(op, point, [dst, src0, _tile("tmp", 3, point)], f"pto::{op}(dst, src0, {_scalar(dtype)}, tmp)")
            sel_mask = _tile("mask", 1, point, dtype="uint8_t", cols=mask_cols, valid=(vr, max(1, vc // 8)))
            add("TSEL", point, [dst, sel_mask, _tile("src0", 2, point), _tile("src1", 3, point),
                                _tile("tmp", 4, point)], "pto::TSEL(dst, mask, src0, src1, tmp)")
            add("TSELS", point, [dst, sel_mask, _tile("src0", 2, point), _tile("tmp", 3, point)],
                f"pto::TSELS(dst, mask, src0, tmp, {_scalar(dtype)})")
            for target in ("float", "half", "int32_t", "bfloat16_t"):
                if target != dtype and not (dtype == "half" and target in ("bfloat16_t", "int32_t")):
                    add("TCVT", {**point, "form": f"to_{target}"},
                        [_tile("dst", 0, point, dtype=target), src0],
                        "pto::TCVT(dst, src0, pto::RoundMode::CAST_RINT)")


# ---------------------------------------------------------------- build and run


def include_digest(include_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(include_dir.rglob("*")):
        if path.is_file() and path.name != "formula_params_generated.hpp":
            digest.update(str(path.relative_to(include_dir)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def prepare_include(checkout: Path, cache: Path, key: str) -> Path:
    """A writable copy of the checkout's include tree with the formula headers generated."""
    target = cache / f"include-{key[:16]}"
    if (target / ".ready").exists():
        return target / "include"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copytree(checkout / "include", target / "include")
    for generator in FORMULA_GENERATORS:
        script = target / generator
        if script.exists():
            subprocess.run([sys.executable, script.name], cwd=script.parent, check=True, capture_output=True)
    (target / ".ready").write_text("")
    return target / "include"


def unit_source(unit: list[Case]) -> str:
    lines = ['#include <cstdlib>', '#include "harness.hpp"', ""]
    lines += [case.cpp() for case in unit]
    lines.append("static void (*const cases[])() = {")
    lines += [f"    case_{case.id}," for case in unit]
    lines.append("};")
    lines.append("")
    lines.append("// argv[1]: the position of the first case to run (after a case that crashed).")
    lines.append("int main(int argc, char **argv)\n{\n    ptofix_trace::dump_constants();")
    lines.append("    const std::size_t first = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 0;")
    lines.append("    for (std::size_t i = first; i < sizeof cases / sizeof cases[0]; ++i) {")
    lines.append("        cases[i]();")
    lines.append("    }")
    lines.append("    return 0;\n}\n")
    return "\n".join(lines)


_CASE_LINE = re.compile(r"^static void case_(\w+)\(\)")


def failing_cases(source: str, stderr: str, path: str) -> dict[str, str]:
    """The cases whose lines g++'s diagnostics point at (an instantiation 'required from here' or
    an error in the case itself), with the first error message seen for each."""
    owners: list[tuple[int, str]] = []
    for number, line in enumerate(source.splitlines(), 1):
        match = _CASE_LINE.match(line)
        if match:
            owners.append((number, match.group(1)))
    failing: dict[str, str] = {}
    blamed: list[str] = []      # cases named since the last error message (g++ prints the
    location = re.compile(re.escape(path) + r":(\d+):")     # instantiation chain before it)
    for line in stderr.splitlines():
        for match in location.finditer(line):
            number = int(match.group(1))
            owner = [case for start, case in owners if start <= number]
            if owner:
                blamed.append(owner[-1])
        if " error: " in line:
            message = line.split(" error: ", 1)[1].strip()
            for case in blamed:
                failing.setdefault(case, message)
            blamed = []
    for case in blamed:
        failing.setdefault(case, "")
    return failing


def build_unit(cxx: str, include: Path, unit: list[Case], cache: Path, key: str) -> tuple[Path, dict[str, str]]:
    """Compile one unit, dropping the cases g++ rejects (each recorded with its error) until the
    rest compiles. Returns the binary and the rejected cases."""
    rejected: dict[str, str] = {}
    binary = cache / f"unit-{key}"
    if binary.exists():
        meta = binary.with_suffix(".rejected.json")
        return binary, json.loads(meta.read_text()) if meta.exists() else {}
    remaining = list(unit)
    with tempfile.TemporaryDirectory() as work:
        while remaining:
            source = unit_source(remaining)
            path = os.path.join(work, "unit.cpp")
            Path(path).write_text(source)
            command = [cxx, *CXXFLAGS, "-I", str(HERE), "-I", str(include), path, "-o", str(binary) + ".tmp"]
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode == 0:
                os.replace(str(binary) + ".tmp", binary)
                break
            failing = failing_cases(source, result.stderr, path)
            if not failing:
                raise RuntimeError(f"g++ failed on a unit with no case to blame:\n{result.stderr[:4000]}")
            rejected.update(failing)
            remaining = [case for case in remaining if case.id not in failing]
    binary.with_suffix(".rejected.json").write_text(json.dumps(rejected))
    if not remaining:
        binary.write_text("")
    return binary, rejected


def record(checkout: Path, cache: Path, jobs: int, cxx: str) -> dict:
    started = time.monotonic()
    all_cases = cases()
    include_key = include_digest(checkout / "include")
    harness_key = hashlib.sha256(HARNESS.read_bytes() + " ".join([cxx, *CXXFLAGS]).encode()).hexdigest()
    # (The key leaves out where the checkout and this repository lie: a clone elsewhere hits it.)
    cache.mkdir(parents=True, exist_ok=True)
    include = prepare_include(checkout, cache, include_key)
    units = []
    for batch in sorted({case.batch for case in all_cases}):
        members = [case for case in all_cases if case.batch == batch]
        units += [members[i:i + CASES_PER_UNIT] for i in range(0, len(members), CASES_PER_UNIT)]
    keys = [hashlib.sha256((include_key + harness_key + unit_source(unit)).encode()).hexdigest()[:24]
            for unit in units]
    compiled = sum(1 for key in keys if not (cache / f"unit-{key}").exists())
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        built = list(pool.map(lambda pair: build_unit(cxx, include, pair[0], cache, pair[1]),
                              zip(units, keys, strict=True)))
    build_seconds = time.monotonic() - started
    traces: dict[str, list] = {}
    constants: dict = {}
    rejected: dict[str, str] = {}
    crashed: dict[str, str] = {}
    for unit, (binary, unit_rejected) in zip(units, built, strict=True):
        rejected.update(unit_rejected)
        if binary.stat().st_size == 0:
            continue
        order = [case.id for case in unit if case.id not in unit_rejected]
        first = 0
        while first < len(order):
            run = subprocess.run([str(binary), str(first)], capture_output=True, text=True)
            seen = 0
            for line in run.stdout.splitlines():
                if not line.endswith("}"):
                    break               # a line cut short by the crash
                item = json.loads(line)
                if "constants" in item:
                    constants = item["constants"]
                else:
                    traces[item["case"]] = item["pto"]
                    seen += 1
            if run.returncode == 0:
                break
            # The case after the last one printed died (a host-side access through a UB address):
            # record it and go on after it.
            crashed[order[first + seen]] = f"the traced program died (exit status {run.returncode})"
            first += seen + 1
    described = []
    for case in all_cases:
        entry = case.describe()
        if case.id in rejected:
            entry["compile_error"] = rejected[case.id]
        elif case.id in crashed:
            entry["run_error"] = crashed[case.id]
        else:
            entry["trace"] = traces[case.id]
        described.append(entry)
    return {"checkout": str(checkout), "constants": constants, "cases": described,
            "stats": {"cases": len(all_cases), "units": len(units), "units_compiled": compiled,
                      "rejected": len(rejected), "crashed": len(crashed),
                      "seconds": round(time.monotonic() - started, 1),
                      "build_seconds": round(build_seconds, 1)}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pto-isa", required=True, type=Path, help="a pto-isa checkout (its include/)")
    parser.add_argument("--out", type=Path, help="where to write the recorded trace (default: stdout)")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "ptofix-trace")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cxx", default=os.environ.get("CXX", "g++"))
    args = parser.parse_args(argv)
    if not (args.pto_isa / "include" / "pto" / "pto-inst.hpp").exists():
        print(f"{args.pto_isa}: error: no include/pto/pto-inst.hpp: not a pto-isa checkout", file=sys.stderr)
        return 2
    result = record(args.pto_isa.resolve(), args.cache, args.jobs, args.cxx)
    text = json.dumps(result)
    if args.out:
        args.out.write_text(text)
    else:
        sys.stdout.write(text)
    print(json.dumps(result["stats"]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
