"""Small ptoas-style C++ kernels for the simulator tests (``ptofix simulate``)."""
from __future__ import annotations

import numpy as np

from ptofix.source import SourceText

HEADER = '#include "pto/pto-inst.hpp"\nusing namespace pto;\n'


def tile(elem: str, rows: int, cols: int, layout: str = "RowMajor", loc: str = "Vec") -> str:
    return (f"Tile<TileType::{loc}, {elem}, {rows}, {cols}, BLayout::{layout}, {rows}, {cols}, "
            f"SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>")


def gt(elem: str, rows: int, cols: int) -> str:
    return (f"GlobalTensor<{elem}, pto::Shape<1, 1, 1, {rows}, {cols}>, "
            f"pto::Stride<{rows * cols}, {rows * cols}, {rows * cols}, {cols}, 1>, pto::Layout::ND>")


def kernel(params: str, body: str, name: str = "k") -> str:
    return (HEADER + f'extern "C" __global__ AICORE void {name}({params}) {{\n'
            "  #if defined(__DAV_VEC__)\n" + body + "  #endif\n  pipe_barrier(PIPE_ALL);\n  return;\n}\n")


def src(text: str, path: str = "k.cpp") -> SourceText:
    return SourceText(text, path)


def unary_kernel(ops: str, elem: str = "float", rows: int = 8, cols: int = 64, out_elem: str | None = None,
                 out_rows: int | None = None, out_cols: int | None = None, extra_tiles: str = "") -> str:
    """x (GM in) -> tile a at UB 0; ``ops`` computes tile d at UB 65536; d -> GM out."""
    out_elem = out_elem or elem
    out_rows = out_rows or rows
    out_cols = out_cols or cols
    # GlobalTensor built the ptoas way (pointer only: static shape/stride)
    body = f"""  {tile(elem, rows, cols)} a;
  TASSIGN(a, 0);
  {tile(out_elem, out_rows, out_cols)} d;
  TASSIGN(d, 65536);
{extra_tiles}  {gt(elem, rows, cols)} gx = {gt(elem, rows, cols)}(x);
  {gt(out_elem, out_rows, out_cols)} gy = {gt(out_elem, out_rows, out_cols)}(y);
  TLOAD(a, gx);
  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
{ops}
  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  TSTORE(gy, d);
"""
    return kernel(f"__gm__ {elem}* x, __gm__ {out_elem}* y", body)


def gm(run, name: str, dtype, shape) -> np.ndarray:
    region = run.regions[name]
    n = int(np.prod(shape))
    return region.data[: n * np.dtype(dtype).itemsize].view(dtype).reshape(shape).copy()
