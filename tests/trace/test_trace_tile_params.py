"""scripts/trace_tile_params.py: the wrapper kernel it appends to judge a function whose parameters
are tiles under several placements of them (the caller's UB), and, under the host cost model, that
its judge calls a removal that races under some placement wrong and auto's removals right."""
from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path

from test_trace import PTO_ISA, in_perfsim  # (the perfsim marks every trace test shares)

from ptofix.api import compile_environment
from ptofix.trace.check import TraceOptions, toolchain

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "tile_params" / "pair_params.cpp"
TILE = ("Tile<TileType::Vec, float, 16, 16, BLayout::RowMajor, 16, 16, SLayout::NoneBox, 512, PadValue::Null, "
        "CompactMode::Null>")


def _script():
    """The script as a module (registered first: its dataclasses look their module up)."""
    if "ptofix_trace_tile_params" not in sys.modules:
        spec = importlib.util.spec_from_file_location("ptofix_trace_tile_params",
                                                      ROOT / "scripts" / "trace_tile_params.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return sys.modules["ptofix_trace_tile_params"]


def _candidate(name: str):
    script = _script()
    found = {c.name: c for c in script.candidates(FIXTURE.read_text(encoding="utf-8"), str(FIXTURE))}
    return script, found[name]


def test_the_fixture_functions_are_candidates_with_their_tile_parameters():
    script = _script()
    found = script.candidates(FIXTURE.read_text(encoding="utf-8"), str(FIXTURE))
    assert [(c.name, [t.index for t in c.tiles], c.skip) for c in found] == \
        [("pair_adds", [0, 1], ""), ("local_window", [0], "")]
    tile = found[0].tiles[0]
    assert (tile.type_text, tile.space, tile.rows, tile.cols, tile.row_bytes, tile.size) == \
        (TILE, "Vec", 16, 16, 64, 1024)


def test_placements_of_two_tiles_of_one_type():
    """Disjoint (from 0x10000 and from 0), one at the other's address, and each shifted over the
    other by 32 bytes (also half of the 64-byte row, so once) and by a row."""
    script, candidate = _candidate("pair_adds")
    assert script.placements(candidate.tiles) == [
        ("disjoint", {0: 0x10000, 1: 0x10400}),
        ("disjoint-at-0", {0: 0, 1: 0x400}),
        ("same:p1=p0", {0: 0x10000, 1: 0x10000}),
        ("shift:p1=p0+32", {0: 0x10000, 1: 0x10020}),
        ("shift:p1=p0+64", {0: 0x10000, 1: 0x10040}),
        ("shift:p0=p1+32", {0: 0x10420, 1: 0x10400}),
        ("shift:p0=p1+64", {0: 0x10440, 1: 0x10400}),
    ]


def test_the_wrapper_places_the_tiles_and_forwards_the_other_parameters():
    script, candidate = _candidate("local_window")
    assert script.wrapper(candidate, {0: 0x20}, "shift") == (
        "// ptofix scripts/trace_tile_params.py: shift\n"
        "__global__ AICORE void wrap_local_window(float s) {\n"
        f"  {TILE} p0;\n"
        "  TASSIGN(p0, (uint64_t) 0x20);\n"
        "  local_window(p0, s);\n"
        "}\n")


def test_the_wrapper_follows_the_text_unchanged():
    """No declaration goes before the text (a file naming cache_line_t builds with perf's shim)."""
    script, candidate = _candidate("pair_adds")
    text = "template <typename P> void f(P p) { dcci((__gm__ void*)p, cache_line_t::SINGLE_CACHE_LINE); }\n"
    assert script.with_wrapper(text, candidate, {0: 0, 1: 0x400}).startswith(text + "\n// ptofix")
    assert script.with_wrapper("int x;\n", candidate, {0: 0, 1: 0x400}).startswith("int x;\n\n// ptofix")


def _without_barrier(text: str, line: int) -> str:
    lines = text.split("\n")
    assert lines[line - 1].strip() == "pipe_barrier(PIPE_V);"
    del lines[line - 1]
    return "\n".join(lines)


@in_perfsim
def test_a_removal_that_races_when_the_parameters_share_bytes_is_wrong_only_there(tmp_path):
    """pair_adds' barrier (line 10), removed by hand: no race with the parameters disjoint, a race
    under every placement where they share bytes. (auto keeps it: the proof knows no address of them.)"""
    script, candidate = _candidate("pair_adds")
    text = FIXTURE.read_text(encoding="utf-8")
    options = TraceOptions(compile_environment([], (), str(PTO_ISA)), cache_dir=tmp_path / "cache")
    rows = script.judge(FIXTURE, FIXTURE.name, candidate, text, _without_barrier(text, 10), (1, 1), options,
                        toolchain(options), script.placements(candidate.tiles))
    assert {row["placement"]: row["status"] for row in rows} == {
        "disjoint": "traced", "disjoint-at-0": "traced", "same:p1=p0": "WRONG", "shift:p1=p0+32": "WRONG",
        "shift:p1=p0+64": "WRONG", "shift:p0=p1+32": "WRONG", "shift:p0=p1+64": "WRONG"}
    assert all(row["races"] == "0" for row in rows), rows


@in_perfsim
def test_autos_removal_next_to_a_tile_parameter_is_right_under_every_placement(tmp_path):
    script = _script()
    options = TraceOptions(compile_environment([], (), str(PTO_ISA)), cache_dir=tmp_path / "cache")
    out = io.StringIO()
    totals = script.measure([FIXTURE], FIXTURE.parent, options, out, False)
    rows = [line.split("\t") for line in out.getvalue().splitlines()]
    assert [(row[1], row[2], row[3], row[5], row[7], row[8]) for row in rows] == [
        ("pair_adds", "", "unchanged", "0", "", ""),
        ("local_window", "disjoint", "traced", "1", "0", "1"),       # (the removed barrier ran)
        ("local_window", "disjoint-at-0", "traced", "1", "0", "1"),
    ]
    assert totals == {"functions": 2, "placements": 2, "barriers": 4, "removed": 1, "wrong": 0, "not-judged": 0}


@in_perfsim
def test_a_run_with_no_vector_instruction_judges_nothing(tmp_path):
    """A function that issues no vector work under the wrapper is 'empty-run', not 'traced': its
    trace has no pair to show racing, so it says nothing of a removal."""
    script = _script()
    path = tmp_path / "idle.cpp"
    text = f'#include "pto/pto-inst.hpp"\nusing namespace pto;\n\nstatic AICORE void idle({TILE} v1) {{\n}}\n'
    path.write_text(text, encoding="utf-8")
    candidate, = script.candidates(text, str(path))
    options = TraceOptions(compile_environment([], (), str(PTO_ISA)), cache_dir=tmp_path / "cache")
    row, = script.judge(path, path.name, candidate, text, text, (0, 0), options, toolchain(options),
                        script.placements(candidate.tiles)[:1])
    assert (row["status"], row["added"]) == ("empty-run", ""), row
