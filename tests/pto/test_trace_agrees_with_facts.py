"""Every hand-written fact of ptofix/pto/ that pto-isa's recorded trace can show, checked against
the derived table (ptofix/pto/derived_facts.json, pto-isa f35e7f60, a2a3).

A fact the proof leans on must hold at every traced point: a drain the effects table counts is
issued, no operand is written that the table says is only read, the hidden scratch is touched
only by the ops said to touch it, no op returns in count mode that is not named as one that may,
a tmp is written no further than the bound the model takes, and an op said to walk in repeat order
does at every traced type the facts give it. The conservative direction (a drain or write the
trace shows and the table leaves out: the model then keeps more barriers) is allowed; where the
trace cannot show a fact, the test says why in its docstring.

Not shown by this trace (docs/reference/pto-facts.md §0.2 lists them): count_mode.fillpad_reach
and gather_by_pattern_reach (the cost-model build does not declare TFILLPAD at f35e7f60; the
mask-pattern TGATHER is not in the grid), the facts of every other op that build does not declare
('T..._IMPL was not declared', recorded in the table as compile errors) or whose host run dies
(run errors), and facts that belong to other pto-isa commits (ops.IsaFacts).
"""
from __future__ import annotations

import re

import pytest

from ptofix.pto import ops as op_facts
from ptofix.pto import ordering
from ptofix.pto import same_access_chain as chain_rule
from ptofix.pto.derived_facts import LINEAR, OTHER, ROW_BY_ROW, default_facts
from ptofix.pto.tiles import ELEMENT_BYTES, FLOAT_TYPES
from ptofix.pto.walks import TileWalk, hand_walk

FACTS = default_facts()
POINTS = {i: p for i, p in FACTS.table["points"].items() if "compile_error" not in p and "run_error" not in p}


def _argument_roles(point: dict) -> dict[str, int]:
    """Each operand role of a traced call and its argument index (the harness names each tile
    argument after its role: `pto::TADDS(dst, src0, (float)1)`)."""
    inside = point["call"].split("(", 1)[1].rsplit(")", 1)[0]
    return {arg.strip(): index for index, arg in enumerate(re.split(r",\s*", inside))
            if arg.strip() in point["operand_bytes"]}


def _argument_count(point: dict) -> int:
    return len(re.split(r",\s*", point["call"].split("(", 1)[1].rsplit(")", 1)[0]))


def _points(*ops: str) -> list[tuple[str, dict]]:
    return [(i, p) for i, p in POINTS.items() if p["op"] in ops]


def test_every_traced_op_is_in_the_effects_table():
    assert {p["op"] for p in FACTS.table["points"].values()} <= set(op_facts.OPS)


def test_the_grid_reaches_every_op_family():
    """The grid holds traced points of the elementwise, broadcast, reduction, compare, select and
    conversion families (a family that stopped compiling would drop out of every check below)."""
    traced = {p["op"] for p in POINTS.values()}
    assert {"TADD", "TADDS", "TEXP", "TRECIP", "TDIVS"} <= traced
    assert len(POINTS) >= 1000


def test_an_op_writes_only_the_operands_the_effects_table_says_it_writes():
    """OpSpec.writes (and a form's) lists every argument an op writes: the trace shows which
    operands a call wrote; one outside the list would be a write the proof never sees."""
    wrong = []
    for point_id, point in POINTS.items():
        roles = _argument_roles(point)
        spec = op_facts.spec_for(point["op"], _argument_count(point))
        assert spec is not None
        for role, index in roles.items():
            if point["footprint"][role]["write"] and index not in spec.writes:
                wrong.append((point_id, point["op"], role, index, spec.writes))
    assert not wrong, wrong[:10]


def test_the_hidden_scratch_is_touched_only_by_the_ops_said_to_touch_it():
    """pto's scratch at [0x2e000, 0x30000) (tiles.HIDDEN_SCRATCH): the binary TROWEXPAND* ops
    without a tmp (OpSpec.row_expand), TCVT and TEXTRACT off floating-point data
    (ops.HIDDEN_SCRATCH_UNLESS_FLOAT), and ops taken to write unknown bytes (hidden_writes)."""
    wrong = []
    for point_id, point in POINTS.items():
        scratch = point["footprint"]["scratch"]
        if not (scratch["read"] or scratch["write"]):
            continue
        spec = op_facts.OPS[point["op"]]
        roles = _argument_roles(point)
        allowed = spec.hidden_writes or (spec.row_expand and "tmp" not in roles)
        if point["op"] in op_facts.HIDDEN_SCRATCH_UNLESS_FLOAT:
            target = point.get("form", "").removeprefix("to_") or point["dtype"]
            allowed = allowed or not {point["dtype"], target} <= FLOAT_TYPES
        if not allowed:
            wrong.append((point_id, point["op"], point.get("form", ""), point["dtype"]))
    assert not wrong, wrong[:10]


def test_the_row_expand_ops_broadcast_into_the_scratch_without_a_tmp():
    """§2/§2.3: TROWEXPAND{ADD,...} with a ColMajor per-row operand and no tmp broadcasts it into
    the hidden scratch with vbrcb, drains V, then runs the op: the scratch is written and a
    barrier follows the broadcast (before the op's first instruction that reads it)."""
    seen = 0
    for point_id, point in _points(*[op for op, spec in op_facts.OPS.items() if spec.row_expand]):
        if point.get("form") != "src1_colmajor":
            continue
        seen += 1
        assert point["footprint"]["scratch"]["write"], point_id
        names = [name for name, _repeats in point["instructions"]]
        assert names[0] == "vbrcb", (point_id, names)
        assert point["barriers"]["between"] >= 1 or point["barriers"]["leading"], (point_id, point["barriers"])
    assert seen


def test_no_traced_op_returns_in_count_mode_unless_named():
    """ops.COUNT_MODE_NAMES: every a2a3 header restores norm mode on every path except TCI (and
    helpers a file may call directly). No traced call of another op may end in count mode."""
    wrong = [(i, p["op"]) for i, p in POINTS.items()
             if p["count_mode"]["ends_in"] and not any(name in p["op"] for name in op_facts.COUNT_MODE_NAMES)]
    assert not wrong, wrong[:10]


def test_the_effects_table_counts_no_trailing_drain_the_trace_does_not_show():
    """ops.trailing_drain_holds / row_reduce_drains: where the effects table says a call ends
    with pipe_barrier(PIPE_V), its last vector instruction is followed by one in the trace. (A
    trailing barrier the table leaves out only keeps a barrier the proof might have removed.)"""
    wrong = []
    for point_id, point in POINTS.items():
        op = point["op"]
        spec = op_facts.OPS[op]
        roles = _argument_roles(point)
        dst_valid = (point["valid_rows"], point["valid_cols"])
        if spec.trailing_drain == op_facts.ROW_REDUCE:
            claimed = op_facts.row_reduce_drains(point["dtype"], dst_valid, point["cols"], point["dtype"],
                                                 point["cols"], empty_drains=True)
        elif spec.trailing_drain == op_facts.NEVER:
            claimed = False
        else:
            rows, cols = dst_valid
            out_valid = (1, cols) if op.startswith("TCOL") else (rows, 1)
            claimed = op_facts.trailing_drain_holds(op, "tmp" in roles, point["dtype"], out_valid, dst_valid)
        if claimed and not point["barriers"]["trailing"]:
            wrong.append((point_id, op, point.get("form", ""), point["dtype"], dst_valid))
    assert not wrong, wrong[:10]


def test_ops_said_to_walk_in_repeat_order_do_so_where_their_type_is_contiguous():
    """ordering.WALKED_IN_REPEAT_ORDER / walk_order: over a RowMajor tile whose valid shape is
    static in its type and the whole tile, an op of the set walks every full-shape operand in
    256-byte repeats from the start (linear). CHAIN_16BIT_ONLY is kept to 16-bit data for the
    pto-isa commits that view 32-bit data as 16-bit (002ecebc on); at f35e7f60 TAND/TOR walk 32-bit
    data linearly too, which the trace cannot show to hold for those later commits.

    On a type with a dynamic valid shape the trace shows TADDS and the other TBinS ops walking
    column chunks (issue #55): walk_order does not tell types apart, and the proof's own walks
    (ptofix/pto/walks.py) decide the chain there, from this table where it has an entry."""
    wrong = []
    for point_id, point in POINTS.items():
        op = point["op"]
        if op not in ordering.WALKED_IN_REPEAT_ORDER or op in ("TDIVS", "TRECIP"):
            continue
        if op in chain_rule.CHAIN_16BIT_ONLY and ELEMENT_BYTES[point["dtype"]] != 2:
            continue        # checked below
        if point["layout"] != "RowMajor" or not point["valid_static"]:
            continue
        if (point["valid_rows"], point["valid_cols"]) != (point["rows"], point["cols"]):
            continue
        size = ELEMENT_BYTES[point["dtype"]]
        if point["cols"] * size < 256 and point["rows"] > 1:
            continue        # rows of one chunk: row by row, the same bytes in the same order
        if point["kind"] != LINEAR:
            wrong.append((point_id, op, point["dtype"], point["rows"], point["cols"], point["walk"]))
    assert not wrong, wrong[:10]


def test_bitwise_ops_walk_32_bit_integers_out_of_repeat_order():
    """chain_rule.CHAIN_16BIT_ONLY: TAND/TOR view 32-bit integer data as 16-bit and walk it row by
    row with a tail per row, not in 256-byte repeats from the start, even where the type is
    contiguous: the trace shows a 320-byte-row int32 tile walked out of linear order."""
    seen = [(point_id, point["kind"]) for point_id, point in _points(*chain_rule.CHAIN_16BIT_ONLY)
            if point["dtype"] == "int32_t" and point["valid_static"] and point["layout"] == "RowMajor"
            and (point["valid_rows"], point["valid_cols"]) == (point["rows"], point["cols"]) == (16, 80)]
    assert seen and all(kind != LINEAR for _point_id, kind in seen), seen


@pytest.mark.parametrize("op", ["TDIVS", "TRECIP"])
def test_division_by_a_scalar_drains_between_its_steps(op):
    """TDIVS/TRECIP duplicate the scalar into dst, drain V, then divide (TDivS.hpp): an internal
    barrier between steps, none after the last. (ops.OPS: no trailing drain; not a chain producer.)"""
    for point_id, point in _points(op):
        assert point["barriers"]["between"] >= 1 and not point["barriers"]["trailing"], point_id
        assert op not in chain_rule.CHAIN_PRODUCERS



def test_an_operand_is_touched_only_inside_its_own_tile():
    """The proof takes an operand's bytes to be its tile's (tiles.py), unless ops.operand_walks /
    the op's bounds make them unknown. At every traced point (operands shaped as the op expects),
    each non-tmp operand is read and written only inside its own tile, and nothing outside every
    operand and pto's scratch is touched."""
    wrong = []
    for point_id, point in POINTS.items():
        if point["outside"]:
            wrong.append((point_id, point["op"], "outside", point["outside"][:2]))
        for role, bytes_ in point["operand_bytes"].items():
            if role == "tmp":
                continue
            touched = point["footprint"][role]["read"] + point["footprint"][role]["write"]
            if point["op"] in ("TCMP", "TCMPS") and role.startswith("src"):
                # A compare reads whole 256-byte repeats a row, with every lane on (TCmp.hpp):
                # past a narrow tile's end, which the proof takes as unknown bytes
                # (cpp/vector_cfg.py _bound_walks, the TCMP/TCMPS case).
                size = ELEMENT_BYTES[point["dtype"]]
                pitch = point["cols"] * size
                bytes_ = max(bytes_, (point["valid_rows"] - 1) * pitch
                             + -(-point["valid_cols"] * size // 256) * 256)
            if any(lo < 0 or hi > bytes_ for lo, hi in touched):
                wrong.append((point_id, point["op"], point.get("form", ""), role, bytes_, touched[-1:]))
    assert not wrong, wrong[:10]


def test_a_tmp_is_written_no_further_than_the_model_bounds_it():
    """ops.reduce_tmp_bytes (TROWSUM/TROWMAX/TROWMIN, TCOLSUM) and ops.row_expand_tmp_bytes (the
    4-operand TROWEXPAND*) bound how far past its start a tmp is written; an op with a tmp and no
    such bound (OpSpec.tmp_unbounded false) writes it only inside the tmp tile."""
    wrong = []
    for point_id, point in POINTS.items():
        if "tmp" not in point["operand_bytes"]:
            continue
        op, spec = point["op"], op_facts.OPS[point["op"]]
        written = max((hi for _lo, hi in point["footprint"]["tmp"]["write"]), default=0)
        valid = (point["valid_rows"], point["valid_cols"])
        bound: int | None
        if op in op_facts.REDUCE_TMP_OPS:
            bound = op_facts.reduce_tmp_bytes(op, point["dtype"], valid, point["cols"], point["dtype"],
                                              (point["rows"], point["cols"]))
        elif spec.row_expand:
            bound = op_facts.row_expand_tmp_bytes(point["valid_rows"])
        elif not spec.tmp_unbounded:
            bound = point["operand_bytes"]["tmp"]
        else:
            continue
        if bound is None or written > bound:
            wrong.append((point_id, op, point["dtype"], valid, written, bound))
    assert not wrong, wrong[:10]


def _pieces(kind: str, valid_rows: int, valid_bytes: int, pitch: int) -> list[tuple[int, int]]:
    """The byte range of each repeat of a ``kind`` walk (derived_facts.py WALK_KINDS) over a
    valid region of ``valid_rows`` rows of ``valid_bytes`` bytes, ``pitch`` apart."""
    if kind == LINEAR:
        total = valid_rows * valid_bytes
        return [(lo, min(lo + 256, total)) for lo in range(0, total, 256)]
    chunks = [(lo, min(lo + 256, valid_bytes)) for lo in range(0, valid_bytes, 256)]
    if kind == ROW_BY_ROW:
        return [(r * pitch + lo, r * pitch + hi) for r in range(valid_rows) for lo, hi in chunks]
    return [(r * pitch + lo, r * pitch + hi) for lo, hi in chunks for r in range(valid_rows)]


def test_row_expand_walks_as_the_facts_say():
    """ordering.row_expand_walks_row_by_row: a binary TROWEXPAND* on its vbrcb path walks dst and
    its full source row by row in count mode when a row holds more repeats than there are valid
    rows (or a row is past an 8-bit repeat stride), else column chunk by column chunk
    (ordering.walk_order's WALK_CHUNKS); below 256 valid rows. The trace's walk covers the same
    bytes in the same order (a one-row or one-chunk walk has several names)."""
    seen = wrong = 0
    for point_id, point in POINTS.items():
        if not op_facts.OPS[point["op"]].row_expand or point["valid_rows"] >= ordering.ROW_EXPAND_CHUNKED_FROM_ROWS:
            continue
        size = ELEMENT_BYTES[point["dtype"]]
        # (walks.hand_walk: its useCountMode branch is no walk at all, 'other', which claims nothing.)
        walk = TileWalk(point["rows"], point["cols"], size, point["layout"], point["valid_rows"], point["valid_cols"],
                        False, False, point["dtype"], False)
        claimed = hand_walk(point["op"], walk, True)[0]
        if claimed == OTHER or point["layout"] != "RowMajor":
            continue
        shape = (point["valid_rows"], point["valid_cols"] * size, point["cols"] * size)
        for role in ("dst", "src0"):
            seen += 1
            if _pieces(point["walk"][role], *shape) != _pieces(claimed, *shape):
                wrong += 1
                print(point_id, point["op"], point.get("form"), role, point["walk"][role], claimed)
    assert seen and not wrong


def test_row_expand_runs_240_rows_a_step_from_256_rows():
    """ordering.row_expand_chunks: from 256 valid rows a binary TROWEXPAND* on its vbrcb path (a
    ColMajor [rows, 1] src1) broadcasts and runs 240 rows at a time, with a barrier after each
    whole step and none after the last (320 rows: broadcast, barrier, op over 240 rows, barrier,
    broadcast, barrier, op over the rest)."""
    seen = 0
    for point_id, point in POINTS.items():
        if not op_facts.OPS[point["op"]].row_expand or point["valid_rows"] < ordering.ROW_EXPAND_CHUNKED_FROM_ROWS \
                or not point.get("form", "").startswith("src1_colmajor"):
            continue        # (a RowMajor [rows, one block] src1 takes no vbrcb: TRowExpandBinaryInstr32B)
        steps = ordering.row_expand_chunks(point["valid_rows"])
        drained_steps = sum(1 for _first, _end, barrier in steps if barrier)
        assert not point["barriers"]["trailing"], point_id
        # Each step also drains after its broadcast (into the scratch, or the tmp), before its op.
        broadcasts = len(steps)
        assert point["barriers"]["between"] == drained_steps + broadcasts, (point_id, point["barriers"], steps)
        seen += 1
    assert seen


def test_tcvt_reads_its_source_in_order_where_the_facts_say():
    """chain_rule.cvt_reads_source_in_order: where it holds, TCVT reads its source in address order,
    and over full rows never further than a walk of 256 bytes a repeat would have reached (a
    16-bit source: 128 bytes a repeat)."""
    seen = 0
    for point_id, point in _points("TCVT"):
        target = point["form"].removeprefix("to_")
        if point["layout"] != "RowMajor" or \
                not chain_rule.cvt_reads_source_in_order(point["dtype"], target, point["valid_cols"]):
            continue
        seen += 1
        spans = [(lo + step * k, lo + step * k + width) for _instruction, lo, count, step, width
                 in point["repeats"]["src0"] for k in range(count)]
        assert all(lo >= previous_hi for (_lo, previous_hi), (lo, _hi) in zip(spans, spans[1:], strict=False)), point_id
        if point["valid_cols"] == point["cols"]:
            assert all(hi <= 256 * (k + 1) for k, (_lo, hi) in enumerate(spans)), point_id
    assert seen


def _sort32_expected(point: dict) -> tuple[dict, bool]:
    """The footprint ops.sort32_reach gives a traced TSORT32 point (record.py's sixth batch: src
    4 x 64 of the point's valid columns, dst 64 pairs a row, idx 64 uint32 a row, tmp one row of
    64, as its form names them), and whether ops.sort32_drains says it ends with a barrier."""
    size = ELEMENT_BYTES[point["dtype"]]
    form = point["form"]
    idx_rows, dst_rows = int(form.split("_")[0][3:]), int(form.split("_")[1][3:])
    reach = op_facts.sort32_reach(size, form.endswith("_tmp"), dst_rows, point["valid_cols"], idx_rows,
                                  (64 * 8, 64 * size, 64 * 4))
    assert reach is not None
    rows = op_facts.sort32_row_intervals
    expected = {
        "dst": {"read": [], "write": rows(0, reach.rows, reach.dst_pitch, reach.dst_bytes)},
        "src0": {"read": rows(0, reach.rows, reach.src_pitch, reach.src_bytes), "write": []},
        "idx": {"read": rows(0, reach.rows, reach.idx_pitch, reach.idx_bytes), "write": []},
        "tmp": {"read": rows(0, 1, 0, reach.tmp_bytes), "write": rows(0, 1, 0, reach.tmp_bytes)},
        "scratch": {"read": [], "write": []},
    }
    return expected, op_facts.sort32_drains(dst_rows)


def test_tsort32_touches_exactly_the_bytes_sort32_reach_says():
    """Every traced TSORT32 call (with and without a tmp, whole blocks and a tail, idx of one
    row and of every row, dst of fewer valid rows than src) reads and writes exactly the bytes
    ops.sort32_reach gives, row by row, nothing outside its operands, idx only read, and ends
    with the pipe_barrier(PIPE_V) sort32_drains counts. (vbitsort's 32 elements, 32 indices and
    256 bytes of pairs a repeat are the decoder's: scripts/derive_facts.py.)"""
    points = _points("TSORT32")
    assert len(points) >= 48
    for point_id, point in points:
        expected, drains = _sort32_expected(point)
        footprint = {role: {kind: [list(span) for span in spans] for kind, spans in access.items()}
                     for role, access in expected.items() if role in point["footprint"]}
        got = {role: access for role, access in point["footprint"].items()}
        assert got == footprint, (point_id, point["form"], got, footprint)
        assert not point["outside"] and not point["undecoded"], point_id
        assert point["barriers"]["trailing"] == drains, point_id
