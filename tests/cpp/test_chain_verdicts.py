"""The same-access chain verdicts a file's analyses share (barriers.ChainVerdicts, #70 item 7).

decide_by_groups hands one table to the analyses of all the groups of a file, keyed by what the
chain rule reads: both ops' signatures, the two accesses' places and the back-edge. A verdict found
there must be the one the rule gives: each kernel below is a near miss of another (one fact of the
pair changed: the producer's repeats, its op, the consumer's operands, the tile's valid shape, a
loop back-edge, the variable the consumer reads the same bytes under), and deciding them one after another with one table must give each the decisions
(and reasons, which spell a refused chain's why) it gets alone with a fresh table, in any order."""
from __future__ import annotations

import itertools
import re

import pytest

from ptofix.cpp.barriers import BarrierAnalysis, ChainVerdicts, decide_by_groups
from ptofix.cpp.parser import parse_cpp
from ptofix.pto.race_model import RaceModel
from ptofix.source import SourceText


def _tile(dt: str, rows: int, cols: int, valid: str) -> str:
    return f"Tile<TileType::Vec, {dt}, {rows}, {cols}, BLayout::RowMajor, {valid}, SLayout::NoneBox, 512, PadValue::Null>"


def _decl(name: str, tile: str, address: int) -> str:
    return f"  {tile} {name};\n  TASSIGN({name}, {address});\n"


F32 = _tile("float", 16, 128, "16, 128")      # 32 repeats of 256 bytes: long enough to chain
SHORT = _tile("float", 4, 128, "4, 128")      # 8 repeats: too short
DYNAMIC = _tile("float", 16, 128, "-1, -1")   # the valid shape set at run time
HALF = _tile("half", 16, 128, "16, 128")


def _kernel(name: str, x: str, body: str) -> str:
    # (x2: another variable on x's bytes, a near miss of x by its buffer value alone.)
    decls = _decl("x", x, 0) + _decl("y", x, 16384) + _decl("h", HALF, 32768) + _decl("t", F32, 49152) \
        + _decl("x2", x, 0)
    return f"__global__ AICORE void {name}(int32_t n) {{\n{decls}  pipe_barrier(PIPE_ALL);\n{body}}}\n"


def _pair(first: str, second: str) -> str:
    return f"  {first}\n  pipe_barrier(PIPE_V);\n  {second}\n"


CVT = "TCVT(h, x, RoundMode::CAST_RINT);"
# (name, tile of x and y, body): each a near miss of the first.
KERNELS = [
    ("chained", F32, _pair("TEXP(x, y);", CVT)),
    ("short_producer", SHORT, _pair("TEXP(x, y);", CVT)),
    ("another_producer", F32, _pair("TDIV(x, y, y);", CVT)),
    ("in_place_consumer", F32, _pair("TEXP(x, y);", "TCVT(x, x, RoundMode::CAST_RINT);")),
    ("tmp_consumer", F32, _pair("TEXP(x, y);", "TCVT(h, x, t, RoundMode::CAST_RINT);")),
    ("dynamic_valid", DYNAMIC, _pair("TEXP(x, y);", CVT)),
    ("add_chain", F32, _pair("TADD(x, y, y);", "TMUL(y, x, x);")),
    ("add_chain_short", SHORT, _pair("TADD(x, y, y);", "TMUL(y, x, x);")),
    # The same bytes, shape and type read under another variable: not one buffer value, no chain.
    ("add_chain_one_variable", F32, _pair("TADD(x, y, y);", "TMUL(t, x, x);")),
    ("add_chain_two_variables", F32, _pair("TADD(x, y, y);", "TMUL(t, x2, x2);")),
    ("across_back_edge", F32, "  for (int32_t i = 0; i < n; ++i) {\n" + _pair("TEXP(x, y);", CVT) + "  }\n"),
]
MODELS = [RaceModel.SAME_ACCESS_CHAINS, RaceModel.MSSANITIZER_A2A3]


def _decisions(text: str, race_model: RaceModel, table: ChainVerdicts | None) -> list[tuple[bool, str]]:
    model = parse_cpp(SourceText(text, "near_miss.cpp"))
    analysis = BarrierAnalysis(model, race_model=race_model, chain_verdicts=table)
    return [(d.removed, d.reason) for d in analysis.run({"auto"}) if not d.unread]


@pytest.mark.parametrize("race_model", MODELS)
def test_near_misses_decided_with_one_table_are_decided_as_alone(race_model):
    alone = {name: _decisions(_kernel(name, x, body), race_model, None) for name, x, body in KERNELS}
    # The table must matter: the kernels do not all decide alike, and one chain is credited.
    assert len({tuple(d) for d in alone.values()}) > 2
    if race_model is RaceModel.SAME_ACCESS_CHAINS:
        assert alone["chained"] == [(True, alone["chained"][0][1])]
        assert alone["short_producer"][0][0] is False
        assert alone["add_chain_one_variable"][0][0] is True
        assert alone["add_chain_two_variables"][0][0] is False
    for order in (KERNELS, KERNELS[::-1], KERNELS[1:] + KERNELS[:1]):
        table = ChainVerdicts()
        for name, x, body in order:
            assert _decisions(_kernel(name, x, body), race_model, table) == alone[name], name
        assert table.verdicts


@pytest.mark.parametrize("race_model", MODELS)
def test_every_pair_of_near_misses_shares_no_verdict_it_should_not(race_model):
    for (first, x1, body1), (second, x2, body2) in itertools.permutations(KERNELS, 2):
        table = ChainVerdicts()
        _decisions(_kernel(first, x1, body1), race_model, table)
        assert _decisions(_kernel(second, x2, body2), race_model, table) \
            == _decisions(_kernel(second, x2, body2), race_model, None), (first, second)


def test_a_repeated_kernel_reads_its_verdicts_from_the_table():
    table = ChainVerdicts()
    name, x, body = KERNELS[0]
    first = _decisions(_kernel(name, x, body), RaceModel.SAME_ACCESS_CHAINS, table)
    held = dict(table.verdicts)
    assert held
    # The same ops in another kernel of another name: every verdict it asks for is there already.
    assert _decisions(_kernel("again", x, body), RaceModel.SAME_ACCESS_CHAINS, table) == first
    assert table.verdicts == held


@pytest.mark.parametrize("race_model", MODELS)
def test_a_file_of_near_misses_decides_each_kernel_as_alone(race_model):
    # decide_by_groups: each kernel its own group, one table for the file.
    text = "".join(_kernel(name, x, body) for name, x, body in KERNELS)
    model = parse_cpp(SourceText(text, "near_misses.cpp"))
    kept, _ = decide_by_groups(model, {"auto"}, lambda d: (d.fn.name, d.removed, d.reason), race_model=race_model)
    by_kernel: dict[str, list[tuple[bool, str]]] = {}
    for name, removed, reason in kept:
        by_kernel.setdefault(name, []).append((removed, reason))
    for name, x, body in KERNELS:
        alone = _decisions(_kernel(name, x, body), race_model, None)
        # (The reasons' places differ: the kernel's lines in the file.)
        assert [(removed, _unplaced(reason)) for removed, reason in by_kernel[name]] \
            == [(removed, _unplaced(reason)) for removed, reason in alone], name


def _unplaced(reason: str) -> str:
    return re.sub(r"near_miss(es)?\.cpp:\d+:\d+", "PLACE", reason)
