"""A removed barrier that must stay a statement (the body of a braceless if, right after a label)
becomes ``/* ... */;``, one in a statement list a plain comment: read per function, for each
function with a removal (passes/pipe_v_barrier.py _outside_statement_lists)."""
from __future__ import annotations

from ptofix.frontends import PARSERS
from ptofix.pass_manager import build_pass, run_pipeline
from ptofix.source import SourceText

TILE = "Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64>"
MARK = "/* ptofix: removed pipe_barrier(PIPE_V) (auto) */"


def _function(name: str, barriers: str) -> str:
    return (f"__global__ AICORE void {name}(int32_t f) {{\n  {TILE} a;\n  TASSIGN(a, 0);\n  TADD(a, a, a);\n"
            f"{barriers}  TADD(a, a, a);\n}}\n")


def _run(text: str) -> str:
    return run_pipeline(SourceText(text, "k.cpp"), [build_pass("pipe-v-barrier", {"pattern": "auto"})],
                        PARSERS).text


def test_each_function_s_removals_stay_statements_where_they_must():
    listed = _function("in_list", "  pipe_barrier(PIPE_V);\n" * 3)
    # (The first barrier drains TADD on every path: the braceless ones after it are redundant.)
    braceless = _function("braceless", "  pipe_barrier(PIPE_V);\n" + "  if (f) pipe_barrier(PIPE_V);\n" * 2)
    for text in (listed + braceless, braceless + listed):
        out = _run(text)
        first, second = out.split("__global__")[1:]
        by_name = {part.split("(")[0].split()[-1]: part for part in (first, second)}
        in_list, in_if = by_name["in_list"], by_name["braceless"]
        assert MARK in in_list and f"if (f) {MARK}" in in_if, out
        # In a list the marker is a plain comment; as an if's body it keeps the statement.
        for line in (in_list + in_if).splitlines():
            if MARK in line:
                assert line.strip() in (MARK, f"if (f) {MARK};"), out
        # A second run reads the markers as removed barriers: nothing changes.
        assert _run(out) == out
