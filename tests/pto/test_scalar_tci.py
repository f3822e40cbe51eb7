"""pto's two-operand TCI(dst, start): a scalar loop on PIPE_S that fills row 0 of dst, which leaves
the vector mask mode alone (pto-isa a2a3 TCI.hpp TCI_IMPL(dst, start)). The proof takes it as a
scalar access of UB, the simulator runs it; the tmp form, and every spelling the model cannot
match to the scalar call, keeps the count-mode rule."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sim_kernels import gm, gt, kernel, src, tile

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.model import SimpleStmt
from ptofix.cpp.parser import parse_cpp
from ptofix.sim.runner import SimOptions, run_kernel
from ptofix.source import PtofixError, SourceText

TILE = "Tile<TileType::Vec, float, 8, 64, BLayout::RowMajor, 8, 64>"
CI = "Tile<TileType::Vec, int32_t, 1, 64, BLayout::RowMajor, 1, 64>"
TMP = "Tile<TileType::Vec, float, 1, 256, BLayout::RowMajor, 1, 256>"
DECLS = f"""  {TILE} a;
  TASSIGN(a, 0);
  {TILE} b;
  TASSIGN(b, 4096);
  {CI} ci;
  TASSIGN(ci, 16384);
  {CI} cj;
  TASSIGN(cj, 16640);
  {TMP} citmp;
  TASSIGN(citmp, 20480);
"""
# Two independent ops around a barrier, between two drains: removable in norm mode.
PAIR = "TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n  pipe_barrier(PIPE_ALL);\n"
SCALAR = f"TCI<{CI}, int32_t, 0>(ci, 0);"


def decisions(text: str) -> list:
    model = parse_cpp(SourceText(text, "scalar_tci.cpp"))
    return [d for d in BarrierAnalysis(model).run({"auto"}) if not d.unread]


def kernel_text(body: str, start: str = "  set_mask_norm();\n", helpers: str = "") -> str:
    return f"{helpers}__global__ AICORE void k(__gm__ int32_t* x) {{\n{start}{DECLS}{body}}}\n"


@pytest.mark.parametrize("start", ["  set_mask_norm();\n", ""])
def test_a_two_operand_tci_leaves_the_mask_mode_alone(start):
    # (Without a set_mask_norm() first too: a file whose only such name is the scalar TCI is as
    # one that names none.)
    found = decisions(kernel_text(f"  {PAIR}  {SCALAR}\n  {PAIR}", start=start))
    assert [d.removed for d in found] == [True, True]
    assert not any("count mode" in d.reason for d in found)


@pytest.mark.parametrize("call", [f"TCI<{CI}, int32_t, 1>(ci, 7);", f"pto::TCI<{CI}, int32_t, 1>(ci, 3 * 2 + 1);",
                                  "TCI(ci, 5);"])
def test_descending_qualified_or_deduced_spellings_are_the_same_scalar_fill(call):
    found = decisions(kernel_text(f"  {PAIR}  {call}\n  {PAIR}"))
    assert [d.removed for d in found] == [True, True]


def test_the_tmp_form_still_makes_what_follows_unknown():
    found = decisions(kernel_text(f"  {PAIR}  TCI<{CI}, {TMP}, int32_t, 1>(ci, 0, citmp);\n  {PAIR}"))
    assert [d.removed for d in found] == [True, False]
    assert "may run in count mode after the 'TCI' at scalar_tci.cpp:" in found[1].reason


@pytest.mark.parametrize("statement", [
    f"TCI<{CI}, int32_t, 0>(ci, /* TCI */ 0);",          # another count-mode name in the statement
    f"TCI<{CI}, int32_t, 0>(ci, 0, cj);",                # three operands (a tmp, or an event)
    f"TCI<{CI}, int32_t, 0>(ci);",                       # an arity no overload has
    f"(void)TCI<{CI}, int32_t, 0>(ci, 0);",              # not a call statement
    f"auto* f = &TCI<{CI}, int32_t, 0>;",                # its address taken
    f"int n = TCI<{CI}, int32_t, 0>(ci, 0), m = 0;",     # inside a declaration
])
def test_a_tci_the_model_cannot_match_to_the_scalar_call_keeps_the_count_mode_rule(statement):
    found = decisions(kernel_text(f"  {PAIR}  {statement}\n  {PAIR}"))
    assert not found[1].removed
    assert "count mode" in found[1].reason


@pytest.mark.parametrize("helpers, statement", [
    (f"#define FILL(t) TCI<{CI}, int32_t, 0>(t, 0)\n", "FILL(ci);"),                # in a macro
    ("", f"[&]() {{ TCI<{CI}, int32_t, 0>(ci, 0); }}();"),                          # in a lambda
    ("", f"// TCI<{CI}, int32_t, 0>(ci, 0);"),                                       # in a comment
])
def test_a_tci_outside_a_statement_keeps_the_whole_file_unmodelled(helpers, statement):
    found = decisions(kernel_text(f"  {PAIR}  {statement}\n  {PAIR}", helpers=helpers))
    assert [d.removed for d in found] == [False, False]
    assert "the file names 'TCI'" in found[0].reason


@pytest.mark.parametrize("call, why", [
    (f"TCI<{CI}, int32_t, 0>(x, 0);", "TCI: operand 0 is not a tile ptofix knows"),
    ("TCI(a, 0);", "TCI: operand 'a' is not one row of 2- or 4-byte elements"),
    ("TCI(ci, x);", "TCI: operand 'x' is not a scalar ptofix knows"),
    ("TCI(ci, a);", "TCI: operand 'a' is not a scalar ptofix knows"),
])
def test_operands_the_model_cannot_read_make_the_call_unknown_not_count_mode(call, why):
    found = decisions(kernel_text(f"  {call}\n  {PAIR}"))
    assert [d.removed for d in found] == [False]
    assert why in found[0].reason and "count mode" not in found[0].reason


def test_a_fill_of_a_mat_tile_is_unknown():
    mat = "Tile<TileType::Mat, int32_t, 1, 64, BLayout::RowMajor, 1, 64>"
    found = decisions(kernel_text(f"  {mat} m;\n  TASSIGN(m, 0);\n  TCI(m, 0);\n  {PAIR}"))
    assert [d.removed for d in found] == [False]
    assert "TCI: operand 'm' is a Mat tile" in found[0].reason


def test_a_fill_between_a_vector_write_and_a_vector_read_of_its_bytes_licenses_no_removal():
    # Without a V -> S and an S -> V flag pair around it the fill is ordered against neither op:
    # the TADDS -> TADDS read of ci stays a RAW hazard that only the barrier orders.
    body = f"  TADDS(ci, ci, 1);\n  pipe_barrier(PIPE_V);\n  {SCALAR}\n  TADDS(cj, ci, 1);\n"
    found = decisions(kernel_text(body))
    assert [d.removed for d in found] == [False]
    assert found[0].reason.startswith("RAW: TADDS write ci [16384,16640)")


def _rewrite_of_the_fill(text: str):
    model = parse_cpp(SourceText(text, "scalar_tci.cpp"))
    analysis = BarrierAnalysis(model)
    fn = model.functions[-1]
    cfg = analysis.cfg(fn)
    fill = next(s for s in fn.body.walk() if isinstance(s, SimpleStmt) and s.text.startswith(("TCI", "pto::TCI")))
    return cfg.rewrite_by(fill)


def test_the_fill_surely_stores_row_0_up_to_its_valid_columns():
    pipe, accesses = _rewrite_of_the_fill(kernel_text(f"  {SCALAR}\n"))
    assert pipe == "PIPE_S"
    assert [a.intervals for a in accesses] == [[(16384, 16640)]]
    # A run-time valid column count the model knows: only those columns.
    dyn = "Tile<TileType::Vec, int16_t, 1, 64, BLayout::RowMajor, 1, -1>"
    pipe, accesses = _rewrite_of_the_fill(kernel_text(f"  {dyn} h({10});\n  TASSIGN(h, 8192);\n  TCI(h, 0);\n"))
    assert [a.intervals for a in accesses] == [[(8192, 8212)]]
    # One it does not, or two possible addresses: no bytes are surely stored.
    assert _rewrite_of_the_fill(kernel_text(f"  {dyn} h(x[0]);\n  TASSIGN(h, 8192);\n  TCI(h, 0);\n")) is None
    both = f"  {CI} h;\n  TASSIGN(h, x[0] > 0 ? 0 : 256);\n  TCI(h, 0);\n"
    assert _rewrite_of_the_fill(kernel_text(both)) is None


# ---- the simulator ------------------------------------------------------------------------------

def _fill_kernel(elem: str, descending: int, start: str, cols: int = 64, valid: str = "") -> str:
    ci = tile(elem, 1, cols)
    if valid:
        ci = ci.replace(f"RowMajor, 1, {cols}, SLayout", "RowMajor, -1, -1, SLayout")
    body = f"""  {ci} ci{f"(1, {valid})" if valid else ""};
  TASSIGN(ci, 0);
  {tile("float", 1, cols)} cf;
  TASSIGN(cf, 4096);
  {gt("float", 1, cols)} gy = {gt("float", 1, cols)}(y);
  TEXPANDS(cf, -1.0f);
  pipe_barrier(PIPE_V);
  TCI<{ci}, {elem}, {descending}>(ci, {start});
  set_flag(PIPE_S, PIPE_V, EVENT_ID0);
  wait_flag(PIPE_S, PIPE_V, EVENT_ID0);
  TCVT(cf, ci, RoundMode::CAST_RINT);
  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  TSTORE(gy, cf);
"""
    return kernel("__gm__ float* y", body)


@pytest.mark.parametrize("elem, descending, start, expected", [
    ("int32_t", 0, "5", 5 + np.arange(64)),
    ("int32_t", 1, "100", 100 - np.arange(64)),
    ("int16_t", 1, "-3", -3 - np.arange(64)),
    ("uint32_t", 1, "2", (2 - np.arange(64)) % (1 << 32)),    # wraps in the element type
])
def test_the_simulator_fills_start_plus_or_minus_the_index(elem, descending, start, expected):
    result = run_kernel(src(_fill_kernel(elem, descending, start)), seed=3, schedule_seed=None, options=SimOptions())
    np.testing.assert_array_equal(gm(result, "y", np.float32, (1, 64)), expected.astype(np.float32)[None, :])


def test_the_simulator_fills_only_the_valid_columns():
    result = run_kernel(src(_fill_kernel("int32_t", 0, "1", valid="10")), seed=3, schedule_seed=None,
                        options=SimOptions())
    y = gm(result, "y", np.float32, (1, 64))
    np.testing.assert_array_equal(y[0, :10], np.arange(1, 11, dtype=np.float32))


@pytest.mark.parametrize("change, why", [
    (("TCI<{ci}, int32_t, 0>(ci, 5);", "TCI(ci, 5);"), "TCI without its <TileData, T, descending> template"),
    (("int32_t, 0>(ci, 5)", "int16_t, 0>(ci, 5)"), "pto-isa's static_asserts reject it"),
])
def test_the_simulator_refuses_a_fill_it_cannot_tell(change, why):
    ci = tile("int32_t", 1, 64)
    text = _fill_kernel("int32_t", 0, "5").replace(change[0].replace("{ci}", ci), change[1])
    with pytest.raises(PtofixError, match=why):
        run_kernel(src(text), seed=3, schedule_seed=None, options=SimOptions())


# ---- a real kernel ------------------------------------------------------------------------------

def test_real_rmsnorm_rope_with_its_headers_proves_what_follows_its_scalar_tci(corpus_dir, tmp_path):
    """real/40 fills a 1x64 int32 index row with the two-operand TCI between a V -> S and an S -> V
    flag pair: none of its barriers is kept for count mode any more, and the ones after the fill
    are proved like the ones before (5 removed with -I since a count-mode walk chains nothing, issue
    55, 7 before; the kept reasons name count-mode *instructions*, never the vector unit's count mode
    after the fill). 3 since the opt-in's chain is one tile variable (ptoas's BaseMemInfo::operator==):
    765:5 and 800:5 went on a TSUB writing, under another variable, the bytes TMULS/TADDS wrote, which
    ptoas keeps a barrier for too (it left both in); 954:5, after the fill, still goes."""
    real = Path(corpus_dir) / "real"
    out = tmp_path / "40.cpp"
    # (--same-access-chains: the removals counted here include PTOAS #674 chains.)
    run = subprocess.run([sys.executable, "-m", "ptofix", "run", "--same-access-chains", "-I", str(real / "include"),
                          "--pattern", "auto",
                          "--report", "text", str(real / "40_rmsnorm_rope.cpp"), "-o", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "count mode" not in run.stderr and "'TCI'" not in run.stderr
    removed = out.read_text(encoding="utf-8").count("ptofix: removed pipe_barrier(PIPE_V)")
    assert removed >= 3, run.stderr
    assert "40_rmsnorm_rope.cpp:954:5: removed (auto" in run.stderr, run.stderr
