"""What a Vec -> Vec TEXTRACT issues at column offsets that are not whole 32-byte blocks, recorded by
pto-isa f35e7f60's host cost model (the trace: ptofix/trace), next to what the proof says of it.

pto-isa a2a3 TExtract.hpp asks for a whole-block column offset only by a PTO_ASSERT (compiled out
without _DEBUG). The trace shows what a release build issues: the same copy_ubuf_to_ubuf as for an
aligned offset (one burst a valid row, one instruction when the valid columns are whole blocks), or
the same vcopy of a tail, started at the source's address plus the offset's bytes, off the UB's
32-byte block grid; msSanitizer's ranges then stay inside the window (3 floats: [12, 44) of each
256-byte row). The CCE copy takes 32-byte-aligned UB addresses, so what the hardware touches there is
not known: the proof (ops.window_column_on_grid) makes such a TEXTRACT's bytes unknown, exactly where
an instruction of the trace starts off the grid, and nowhere else: a row offset moves whole rows,
the 1 x 1 scalar path reads one element through the scalar unit, NZ tiles round the offset down to
whole stripes. (TINSERT, the mirror, is not in the cost model's build at f35e7f60: its header is not
reached, so it has no trace here.)"""
from __future__ import annotations

from test_trace import PTO_ISA, in_perfsim  # (the perfsim marks every trace test shares)

from ptofix.api import compile_environment, fix_cpp
from ptofix.trace.check import TraceOptions, trace_texts
from ptofix.trace.footprint import UB_BIAS
from ptofix.trace.judge import decode_stream


def _tile(dtype: str, rows: int, cols: int, valid: str, layout: str = "RowMajor", fractal: str = "NoneBox") -> str:
    return (f"Tile<TileType::Vec, {dtype}, {rows}, {cols}, BLayout::{layout}, {valid}, SLayout::{fractal}, 512, "
            "PadValue::Null>")


SOURCES = {       # name: (type, UB address)
    "s": (_tile("float", 8, 64, "8, 64"), 0x0),
    "h": (_tile("half", 8, 64, "8, 64"), 0x1000),
    "z": (_tile("float", 32, 16, "32, 16", "ColMajor", "RowMajor"), 0x2000),
}
WINDOWS = {
    "F8": _tile("float", 4, 8, "4, 8"),
    "F3": _tile("float", 4, 8, "4, 3"),
    "F20": _tile("float", 4, 24, "4, 20"),
    "FD": _tile("float", 4, 8, "-1, -1"),
    "F1": _tile("float", 1, 8, "1, 1"),
    "H16": _tile("half", 4, 16, "4, 16"),
    "H5": _tile("half", 4, 16, "4, 5"),
    "Z": _tile("float", 16, 8, "16, 8", "ColMajor", "RowMajor"),
}
# name: (window type, source, row, column, what the trace issues: (intrinsic, bytes past the source's
# start where it reads) for each instruction, in order; "scalar" is the scalar unit's read).
CASES = {
    "8 floats": ("F8", "s", "0", "8", [("copy_ubuf_to_ubuf", 32)]),
    "8 floats at row 2": ("F8", "s", "2", "8", [("copy_ubuf_to_ubuf", 544)]),
    "3 floats": ("F8", "s", "0", "3", [("copy_ubuf_to_ubuf", 12)]),
    "7 floats at row 1": ("F8", "s", "1", "7", [("copy_ubuf_to_ubuf", 284)]),
    "1 float": ("F8", "s", "0", "1", [("copy_ubuf_to_ubuf", 4)]),
    "3 floats into 3 valid columns": ("F3", "s", "0", "3", [("vcopy", 12)]),
    "8 floats into 3 valid columns": ("F3", "s", "0", "8", [("vcopy", 32)]),
    "3 floats into 20 valid columns": ("F20", "s", "0", "3", [("copy_ubuf_to_ubuf", 12), ("vcopy", 76)]),
    "3 floats into a run-time valid shape": ("FD", "s", "0", "3", [("copy_ubuf_to_ubuf", 12)]),
    "1 half": ("H16", "h", "0", "1", [("copy_ubuf_to_ubuf", 2)]),
    "7 halves": ("H16", "h", "0", "7", [("copy_ubuf_to_ubuf", 14)]),
    "16 halves": ("H16", "h", "0", "16", [("copy_ubuf_to_ubuf", 32)]),
    "7 halves into 5 valid columns": ("H5", "h", "0", "7", [("vcopy", 14)]),
    "a kernel parameter, 3 floats at row 1": ("F8", "s", "r", "c", [("copy_ubuf_to_ubuf", 268)]),
    "the loop counter": ("F8", "s", "0", "i", [("copy_ubuf_to_ubuf", 0), ("copy_ubuf_to_ubuf", 4),
                                               ("copy_ubuf_to_ubuf", 8)]),
    "the loop counter times a block": ("F8", "s", "0", "i * 8", [("copy_ubuf_to_ubuf", 0), ("copy_ubuf_to_ubuf", 32),
                                                                 ("copy_ubuf_to_ubuf", 64)]),
    "the scalar path at column 3": ("F1", "s", "1", "3", [("scalar", 268)]),
    "NZ tiles at column 3": ("Z", "z", "0", "3", [("copy_ubuf_to_ubuf", 0)]),
    "NZ tiles at row 16, column 8": ("Z", "z", "16", "8", [("copy_ubuf_to_ubuf", 1024 + 512)]),
}
ARGS = (("c", "3"), ("r", "1"))
NAMES = list(CASES)


def kernel() -> tuple[str, dict[int, str], dict[int, str]]:
    """One kernel running every case between drains, each window a tile of its own, a barrier after
    each TEXTRACT (after its loop); the case of each TEXTRACT's line and of each barrier's."""
    lines = ["#include <pto/pto-inst.hpp>", "using namespace pto;",
             "__global__ AICORE void k(int32_t c, int32_t r)", "{"]
    for name, (ty, address) in SOURCES.items():
        lines += [f"  {ty} {name};", f"  TASSIGN({name}, {address:#x});"]
    lines += [f"  {_tile('float', 4, 8, '4, 8')} n;", "  TASSIGN(n, 0x10000);"]
    at: dict[int, str] = {}
    barrier: dict[int, str] = {}
    for k, name in enumerate(NAMES):
        window, src, row, col, _ = CASES[name]
        ctor = "(4, 8)" if window == "FD" else ""
        lines += [f"  {WINDOWS[window]} w{k}{ctor};", f"  TASSIGN(w{k}, {0x4000 + k * 0x400:#x});",
                  "  pipe_barrier(PIPE_ALL);"]
        call = f"TEXTRACT(w{k}, {src}, {row}, {col});"
        if col.startswith("i"):
            lines += ["  for (int32_t i = 0; i < 3; ++i) {", "    pipe_barrier(PIPE_ALL);", f"    {call}"]
            at[len(lines)] = name
            lines += ["  }"]
        else:
            lines += [f"  {call}"]
            at[len(lines)] = name
        lines += ["  pipe_barrier(PIPE_V);", "  TMULS(n, n, 2.0f);"]
        barrier[len(lines) - 1] = name
    lines += ["}", ""]
    return "\n".join(lines), at, barrier


def off_grid(name: str) -> bool:
    """Whether a vector instruction of the case starts off the grid (the scalar unit reads an element
    at any element's address)."""
    return any(start % 32 for intrinsic, start in CASES[name][4] if intrinsic != "scalar")


def test_the_proof_makes_unknown_exactly_the_windows_the_trace_starts_off_the_grid():
    """(No build: the recorded numbers above, against the proof.) The barrier after each TEXTRACT is
    kept, its reason naming the column offset, exactly where an instruction starts off the grid."""
    text, _, barrier = kernel()
    decisions = {d.line: d for d in fix_cpp(text, patterns="auto").decisions}
    assert set(decisions) == set(barrier) and sum(map(off_grid, NAMES)) == 11
    for line, name in barrier.items():
        reason = decisions[line].reason
        assert ("column offset" in reason and "not modelled" in reason) == off_grid(name), (name, reason)
        assert decisions[line].decision == ("kept" if off_grid(name) else "removed"), (name, reason)


@in_perfsim
def test_the_trace_shows_what_an_off_grid_column_offset_issues(tmp_path):
    text, at, _ = kernel()
    path = str(tmp_path / "k.cpp")
    options = TraceOptions(compile_environment((), (), str(PTO_ISA)), args=ARGS, cache_dir=tmp_path / "cache")
    recording = trace_texts({path: text}, options)[path].recording
    assert recording is not None
    instructions, _, cannot = decode_stream(recording.calls)
    assert cannot is None
    decoded = {i.position: i for i in instructions}
    base = {name: address for name, (_, address) in SOURCES.items()}
    issued: dict[str, list[tuple[str, int]]] = {name: [] for name in NAMES}
    reads: dict[str, list[tuple[tuple[int, int], ...]]] = {name: [] for name in NAMES}
    for position, call in enumerate(recording.calls):
        name = at.get(recording.sites[call.site].line) if call.site >= 0 else None
        if name is None:
            continue
        src = base[CASES[name][1]]
        if call.name in ("copy_ubuf_to_ubuf", "vcopy"):
            issued[name].append((call.name, call.args[1] - UB_BIAS - src))
            reads[name].append(next(a.ranges for a in decoded[position].accesses if not a.write))
        elif call.name == "ptofix_scalar" and call.args[0] == 0:       # (a read: address, size)
            issued[name].append(("scalar", call.args[1] - UB_BIAS - src))
        else:
            assert call.name in ("set_mask_count", "set_mask_norm", "set_vector_mask", "ptofix_element",
                                 "set_flag", "wait_flag", "ptofix_scalar"), (name, call)
    assert issued == {name: CASES[name][4] for name in NAMES}
    # msSanitizer's ranges of the off-grid copy: one burst of one block a row, inside the window.
    assert reads["3 floats"] == [((12, 44), (268, 300), (524, 556), (780, 812))]
    assert reads["3 floats into 20 valid columns"] == [((12, 76), (268, 332), (524, 588), (780, 844)),
                                                       ((76, 92), (332, 348), (588, 604), (844, 860))]
    assert reads["1 half"] == [((0x1002, 0x1022), (0x1082, 0x10a2), (0x1102, 0x1122), (0x1182, 0x11a2))]
