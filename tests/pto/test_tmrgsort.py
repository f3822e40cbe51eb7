"""TMRGSORT's effects (pto-isa a2a3 TMrgSort.hpp at 3186c381) as ptofix/pto/ops.py states them:
the bytes each part of each form reaches, the barriers they decide, the forms read as Unknown,
and the simulator's run of the single-list form and its refusal of the others."""
from __future__ import annotations

import heapq

import numpy as np
import pytest
from sim_kernels import gm, src, tile, unary_kernel

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.pto.ops import mrgsort_copy_bytes, mrgsort_list_bytes, mrgsort_single_bytes, mrgsort_single_repeats
from ptofix.sim.runner import SimOptions, run_kernel
from ptofix.source import SourceText


@pytest.mark.parametrize("elem, cols, nbytes", [
    (4, 128, 512),          # 64 float pairs of 8 bytes
    (2, 128, 256),          # 32 half pairs (value, padding, index)
    (4, 127, 504),          # an odd column count: ValidCol >> 1 pairs
    (4, 0, 0),
    (1, 128, None),         # neither half nor float
    (4, 2 * 0x10000, None),  # a pair count past its 16-bit field
])
def test_list_bytes(elem, cols, nbytes):
    assert mrgsort_list_bytes(elem, cols) == nbytes


@pytest.mark.parametrize("elem, cols, nbytes", [(4, 256, 1024), (4, 250, 1024), (2, 17, 64), (4, 0, 0)])
def test_copy_bytes_are_whole_blocks(elem, cols, nbytes):
    assert mrgsort_copy_bytes(elem, cols) == nbytes


@pytest.mark.parametrize("elem, cols, block_len, shape", [
    (4, 256, 64, (1, 32)),          # one repeat of four blocks of 32 float pairs
    (4, 1024, 64, (4, 32)),
    (2, 1024, 64, (4, 16)),         # 16 half pairs a block
    (4, 1000, 64, (3, 32)),         # not a multiple of 4 * blockLen: the whole repeats
    (4, 255, 64, None),             # no whole repeat: vmrgsort4 with 0 repeats is not documented
    (4, 1024, 1, None),             # 256 repeats wrap to 0 as a uint8_t
    (4, 1024, 0, None),             # a division by zero
    (4, 1024, 1 << 30, None),       # blockLen * 4 wraps to 0 as a uint32_t
    (4, 1024, -64, None),           # a negative blockLen is a huge uint32_t: no repeat
    (2, 1024, 3, None),             # blocks of 3 halves hold no whole pair
])
def test_single_list_repeats(elem, cols, block_len, shape):
    assert mrgsort_single_repeats(elem, cols, block_len) == shape
    expected = None if shape is None else shape[0] * 4 * shape[1] * 8
    assert mrgsort_single_bytes(elem, cols, block_len) == expected


def _tile(cols: int, dtype: str = "float") -> str:
    return (f"Tile<TileType::Vec, {dtype}, 1, {cols}, BLayout::RowMajor, 1, {cols}, SLayout::NoneBox, 512, "
            "PadValue::Null, CompactMode::Null>")


# name -> (cols, UB address); every tile one row of floats, as TMRGSORT requires.
TILES = {"d": (512, 0), "t": (512, 2048), "a": (128, 4096), "b": (128, 4608), "c": (128, 5120),
         "f": (128, 5632), "x": (64, 8192), "s": (1024, 16384)}


def _multi(lists: int, exhausted: bool = False, dst: str = "d", tmp: str = "t", struct: str = "e") -> str:
    """A multi-list call as ptoas prints it (every template argument spelled out)."""
    names = [dst, tmp, *"abcf"[:lists]]
    types = ", ".join(_tile(TILES[name][0]) for name in names)
    operands = ", ".join([dst, struct, tmp, *"abcf"[:lists]])
    return f"TMRGSORT<{types}, {'true' if exhausted else 'false'}>({operands});"


def _decisions(body: str, tiles: dict | None = None, dtype: dict | None = None,
               params: str = "pto::MrgSortExecutedNumList e") -> list[str]:
    """The barriers' decisions ('removed'/'kept' and the reason) of a kernel with ``tiles`` (name
    -> (cols, UB address)) and ``body``."""
    lines = [f'extern "C" __global__ AICORE void k({params}) {{']
    for name, (cols, addr) in (tiles or TILES).items():
        lines += [f"  {_tile(cols, (dtype or {}).get(name, 'float'))} {name};", f"  TASSIGN({name}, {addr});"]
    text = "\n".join(lines + ["  " + body.replace("\n", "\n  "), "}"]) + "\n"
    decisions = BarrierAnalysis(parse_cpp(SourceText(text, "k.cpp"))).run({"auto"})
    return [("removed " if d.removed else "kept ") + d.reason for d in decisions]


def _removed(body: str, **kwargs) -> list[bool]:
    return [decision.startswith("removed") for decision in _decisions(body, **kwargs)]


BARRIER = "\npipe_barrier(PIPE_V);\n"


@pytest.mark.parametrize("lists", [2, 3, 4])
@pytest.mark.parametrize("exhausted", [False, True])
@pytest.mark.parametrize("before, after, removed", [
    ("TEXP(x, x);", "", True),          # nothing it touches
    ("TEXP(a, a);", "", False),         # a source written before the merge reads it
    ("TEXP(t, t);", "", False),         # its tmp
    # dst is written only by the copy, after the internal barrier, which waits for the TEXP.
    ("TEXP(d, d);", "", True),
    ("", "TEXP(x, x);", True),
    # After the call only its copy of tmp into dst is in flight: the merge drained at its
    # internal barrier, so its sources may be rewritten at once.
    ("", "TEXP(a, a);", True),
    ("", "TEXP(d, d);", False),         # the copy writes dst
    ("", "TEXP(t, t);", False),         # the copy reads tmp
])
def test_multi_list_form(lists, exhausted, before, after, removed):
    body = (before + BARRIER if before else "") + _multi(lists, exhausted) + (BARRIER + after if after else "")
    assert _removed(body) == [removed]


@pytest.mark.parametrize("lists", [2, 3, 4])
def test_each_source_list_is_read(lists):
    last = "abcf"[lists - 1]
    assert _removed(f"TEXP({last}, {last});" + BARRIER + _multi(lists)) == [False]
    unused = "abcf"[lists] if lists < 4 else "x"
    assert _removed(f"TEXP({unused}, {unused});" + BARRIER + _multi(lists)) == [True]


def test_the_merge_writes_the_sum_of_the_lists_past_a_small_tmp():
    # Two lists of 128 floats are 1024 bytes of pairs: from a 64-column tmp at 2048 into x at 2304.
    tiles = {**TILES, "t": (64, 2048), "x": (64, 2304)}
    [decision] = _decisions("TEXP(x, x);" + BARRIER + _multi(2), tiles)
    assert decision.startswith("kept") and "TMRGSORT.vmrgsort4 write t [2048,3072)" in decision, decision


def test_the_copy_takes_dst_s_valid_columns_whatever_tmp_holds():
    # dst of 512 columns copies 2048 bytes from a tmp of 64 columns at 2048: past it into x at 2304.
    tiles = {**TILES, "t": (64, 2048), "x": (64, 2304)}
    [decision] = _decisions(_multi(2) + BARRIER + "TEXP(x, x);", tiles)
    assert decision.startswith("kept") and "TMRGSORT read t [2048,4096)" in decision, decision


def test_a_local_struct_without_initializer_is_read():
    assert _removed("pto::MrgSortExecutedNumList v;\nTEXP(x, x);" + BARRIER + _multi(2, struct="v"),
                    params="") == [True]


@pytest.mark.parametrize("before, after, removed", [
    ("TEXP(x, x);", "", True),
    ("TEXP(a, a);", "", False),         # src written before it is merged
    ("TEXP(d, d);", "", False),
    ("", "TEXP(x, x);", True),
    ("", "TEXP(a, a);", False),         # no internal barrier: the merge still reads src
    ("", "TEXP(d, d);", False),
])
def test_single_list_form(before, after, removed):
    tiles = {"d": (256, 0), "a": (256, 1024), "x": (64, 8192)}
    body = (before + BARRIER if before else "") + "TMRGSORT(d, a, 64);" + (BARRIER + after if after else "")
    assert _removed(body, tiles=tiles, params="") == [removed]


def test_single_list_form_writes_dst_as_far_as_it_merges():
    # 1024 bytes merged from s into a 64-column dst at 0: past it into x at 256.
    tiles = {"d": (64, 0), "x": (64, 256), "s": (256, 1024)}
    [decision] = _decisions("TEXP(x, x);" + BARRIER + "TMRGSORT(d, s, 64);", tiles, params="")
    assert decision.startswith("kept") and "TMRGSORT write d [0,1024)" in decision, decision


@pytest.mark.parametrize("call, params, why", [
    # blockLen at run time: how far it merges is not known.
    ("TMRGSORT(d, s, n);", "int32_t n", "how far it merges"),
    # blockLen 512 over 1024 columns leaves no whole repeat of four blocks.
    ("TMRGSORT(d, s, 512);", "", "how far it merges"),
    ("TMRGSORT(d, e, t, a);", "pto::MrgSortExecutedNumList e", "TMRGSORT with 4 operands"),
    # No overload takes a tile or a value where the struct goes, nor the struct in the single-list form.
    ("TMRGSORT(d, x, t, a, b);", "", "a tile where TMRGSORT takes its executed-count struct"),
    ("TMRGSORT(d, n, t, a, b);", "int32_t n", "operand 1 is a value"),
    ("TMRGSORT(d, e, 64);", "pto::MrgSortExecutedNumList e", "neither a tile nor a scalar"),
])
def test_forms_and_operands_it_does_not_read_keep_the_barrier(call, params, why):
    [decision] = _decisions("TEXP(x, x);" + BARRIER + call, params=params)
    assert decision.startswith("kept") and why in decision, decision


def test_operands_of_another_element_type_have_unknown_bytes():
    body = "TEXP(x, x);" + BARRIER + _multi(2).replace(_tile(128), _tile(128, "half"), 1)
    [decision] = _decisions(body, dtype={"a": "half"})
    assert decision.startswith("kept") and "not all of one element type, half or float" in decision, decision


# ---- the simulator ------------------------------------------------------------------------------

def _merge_kernel(ops: str, elem: str = "float", cols: int = 256) -> str:
    return unary_kernel(ops, elem=elem, rows=1, cols=cols)


def _run(text: str, schedule_seed: int | None = None):
    return run_kernel(src(text), seed=3, schedule_seed=schedule_seed, options=SimOptions())


def _reference_merge(data: np.ndarray, elem: np.dtype, block_len: int) -> np.ndarray:
    """Each group of four blocks of (value, index) pairs merged by the largest head value, the
    earliest block on a tie (heapq.merge keeps the order of its inputs on equal keys)."""
    pairs = data.view(np.uint8).reshape(-1, 8)
    per_block = block_len * elem.itemsize // 8
    out = []
    for start in range(0, len(pairs) - 4 * per_block + 1, 4 * per_block):
        blocks = [[(pairs[i, :elem.itemsize].view(elem)[0], i) for i in range(b, b + per_block)]
                  for b in range(start, start + 4 * per_block, per_block)]
        out += [pairs[i] for _, i in heapq.merge(*blocks, key=lambda p: p[0], reverse=True)]
    return np.concatenate(out)


@pytest.mark.parametrize("elem, npelem, cols, block_len", [
    ("float", np.float32, 256, 64), ("float", np.float32, 1024, 64), ("half", np.float16, 1024, 64),
    ("float", np.float32, 1024, 128),
])
def test_simulator_merges_each_group_of_four_blocks(elem, npelem, cols, block_len):
    result = _run(_merge_kernel(f"  TMRGSORT(d, a, {block_len});", elem, cols))
    x, y = gm(result, "x", npelem, (1, cols)), gm(result, "y", npelem, (1, cols))
    assert np.array_equal(y.view(np.uint8).ravel(), _reference_merge(x, np.dtype(npelem), block_len))


def test_simulator_sees_the_race_the_proof_keeps_the_barrier_for():
    raced = _merge_kernel("  TMRGSORT(d, a, 64);\n  TEXP(a, a);")
    ordered = _merge_kernel("  TMRGSORT(d, a, 64);\n  pipe_barrier(PIPE_V);\n  TEXP(a, a);")
    assert _run(raced, schedule_seed=4).hazards
    assert not _run(ordered, schedule_seed=4).hazards


# Two lists for the multi-list form: a (loaded from x) and b (a * 2), merged into t, copied to d.
LISTS = (f"  {tile('float', 1, 256)} b;\n  TASSIGN(b, 131072);\n"
         f"  {tile('float', 1, 512)} t;\n  TASSIGN(t, 133120);\n  pto::MrgSortExecutedNumList e;\n")


def _lists_call(exhausted: bool, dst: str = "d") -> str:
    types = ", ".join([tile("float", 1, 512), tile("float", 1, 512), tile("float", 1, 256), tile("float", 1, 256)])
    return f"  TMRGSORT<{types}, {'true' if exhausted else 'false'}>({dst}, e, t, a, b);"


def _lists_kernel(ops: str) -> str:
    return unary_kernel("  TMULS(b, a, 2.0f);\n  pipe_barrier(PIPE_V);\n" + ops, rows=1, cols=256, out_cols=512,
                        extra_tiles=LISTS)


def _greedy_merge(lists: list[np.ndarray], exhausted: bool) -> np.ndarray:
    """The lists' float pairs taken by the largest head value, the earliest list on a tie,
    until all are used up or, ``exhausted``, until one is."""
    pairs = [x.view(np.uint8).reshape(-1, 8) for x in lists]
    values = [p[:, :4].copy().view(np.float32).ravel() for p in pairs]
    if not exhausted:
        merged = heapq.merge(*[[(v, k, i) for i, v in enumerate(vals)] for k, vals in enumerate(values)],
                             key=lambda item: item[0], reverse=True)
        return np.concatenate([pairs[k][i] for _, k, i in merged])
    heads, out = [0] * len(pairs), []
    while all(h < len(p) for h, p in zip(heads, pairs, strict=True)):
        pick = max(range(len(pairs)), key=lambda k: (values[k][heads[k]], -k))
        out.append(pairs[pick][heads[pick]])
        heads[pick] += 1
    return np.concatenate(out)


@pytest.mark.parametrize("exhausted", [False, True])
def test_simulator_merges_the_lists_into_tmp_then_copies_dst_s_columns(exhausted):
    result = _run(_lists_kernel(_lists_call(exhausted)))
    x, y = gm(result, "x", np.float32, (1, 256)), gm(result, "y", np.float32, (1, 512))
    expected = _greedy_merge([x, (x * np.float32(2)).astype(np.float32)], exhausted)
    # Not exhausted, all 256 pairs; exhausted, those up to the first list used up (the rest of
    # dst is what tmp held before).
    assert len(expected) == 2048 or exhausted and 0 < len(expected) < 2048
    assert np.array_equal(y.view(np.uint8).ravel()[:len(expected)], expected)


@pytest.mark.parametrize("exhausted", [False, True])
def test_simulator_keeps_only_the_copy_in_flight_after_the_multi_list_form(exhausted):
    # The merge drains at the internal barrier: a source rewritten at once races with nothing;
    # dst, which the copy writes, does.
    assert not _run(_lists_kernel(_lists_call(exhausted) + "\n  TEXP(a, a);"), schedule_seed=4).hazards
    assert _run(_lists_kernel(_lists_call(exhausted) + "\n  TEXP(d, d);"), schedule_seed=4).hazards


@pytest.mark.parametrize("ops, extra, message", [
    ("  TMRGSORT(d, a, 512);", "", "no whole repeat of four blocks"),
    # ptoas spells out `exhausted`, which no argument deduces.
    ("  TMRGSORT(d, e, d, a, a);", "  pto::MrgSortExecutedNumList e;\n", "without `true` or `false`"),
    ("  TMRGSORT(d, e, d, a, a);", "  int32_t e = 0;\n", "argument 2 is a value where every overload"),
    ("  TMRGSORT(d, a, d, a, a);", "", "argument 2 is not pto's MrgSortExecutedNumList"),
])
def test_simulator_refuses_what_it_does_not_run(ops, extra, message):
    with pytest.raises(Exception, match=message.replace("(", r"\(").replace(")", r"\)")):
        _run(_merge_kernel(ops, cols=256).replace("  TLOAD(a, gx);", extra + "  TLOAD(a, gx);"))


def test_simulate_takes_the_struct_as_a_parameter(tmp_path, capsys):
    from ptofix.cli import main
    path = tmp_path / "k.cpp"
    text = _lists_kernel(_lists_call(True)).replace("  pto::MrgSortExecutedNumList e;\n", "")
    path.write_text(text.replace("__gm__ float* y)", "__gm__ float* y, pto::MrgSortExecutedNumList e)"))
    assert main(["simulate", str(path), str(path)]) == 0
    assert "equal on" in capsys.readouterr().out


@pytest.mark.parametrize(("decl", "read"), [
    # ptoas's form: braces of integer literals, read as the same aggregate initialization by parentheses
    ("pto::MrgSortExecutedNumList v = pto::MrgSortExecutedNumList{0, 0, 0, 0};", True),
    ("pto::MrgSortExecutedNumList v{0, 0u};", True),
    ("MrgSortExecutedNumList v = ::pto::MrgSortExecutedNumList{1};", True),
    ("pto::MrgSortExecutedNumList v = {0, 0, 0, 0};", False),    # `= (0, 0, 0, 0)` would be a comma expression
    ("pto::MrgSortExecutedNumList v{};", False),                  # `v()` would declare a function
    ("pto::MrgSortExecutedNumList v = pto::MrgSortExecutedNumList{x, 0};", False),   # not a literal
    ("pto::MrgSortExecutedNumList v = pto::MrgSortExecutedNumList{0, 0}, w{1};", False),
    ("pto::MrgSortExecutedNumList v = pto::MrgSortExecutedNumList{0, /* c */ 0};", False),
    ("auto v = pto::MrgSortExecutedNumList{0, 0, 0, 0};", False),
    ("pto::MrgSortExecutedNumList v = pto::Other{0, 0, 0, 0};", False),
])
def test_a_braced_aggregate_initializer_of_literals_is_read(decl, read):
    """ptoas declares TMRGSORT's executed-number list with a braced list of integer literals
    (lexical.braced_aggregate_as_parentheses); any other braced initializer stays unread and keeps
    the barriers whose window names the variable."""
    decisions = _decisions(decl + "\nTEXP(x, x);" + BARRIER + _multi(2, struct="v"), params="")
    assert decisions[0].startswith("removed") == read, decisions
    if not read:
        assert "braced construct" in decisions[0], decisions
