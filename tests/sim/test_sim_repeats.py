"""`simulate` runs the vector pipe repeat by repeat from each op's walk (issue #55 item 4): a consumer
whose repeat k reads bytes its producer writes in a later repeat sees them stale on some schedule,
so the simulator can disagree with the barrier proof. And it never passes on nothing (#58 item 4).

The silu fixture follows PyPTO's silu (a 16x256 float tile whose valid shape is dynamic in its type,
`-1, -1`): TNEG -> TEXP -> TADDS -> TRECIP, each separated by `pipe_barrier(PIPE_V)`. On such a
type pto-isa a2a3's TBinSInstr (TADDS, and TNEG, a TMULS by -1) walks 256-byte column chunks, one
instruction of 16 row repeats a chunk, while TEXP walks 256-byte repeats in address order.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from sim_kernels import gt, kernel, src

from ptofix.pto.race_model import RaceModel
from ptofix.sim.memory import SimTileType, TileView
from ptofix.sim.repeats import step_walk
from ptofix.sim.runner import SimOptions, simulate
from ptofix.sim.schedule import Scheduler
from ptofix.source import PtofixError

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "real"
SILU_CHAIN = ("TNEG(n, a);", "TEXP(e, n);", "TADDS(s, e, 1.0f);", "TRECIP(r, s);")


def tile_type(rows: int, cols: int, valid: str) -> str:
    return (f"Tile<TileType::Vec, float, {rows}, {cols}, BLayout::RowMajor, {valid}, SLayout::NoneBox, 512, "
            "PadValue::Null, CompactMode::Null>")


def silu_like(barriers: bool, ops: tuple[str, ...] = SILU_CHAIN, valid: str = "-1, -1", rows: int = 16,
              cols: int = 256) -> str:
    """x -> a; the chain ``ops`` over n, e, s (one UB place, in place like PyPTO's) into r; a * r -> y."""
    t = tile_type(rows, cols, valid)
    ctor = f"({rows}, {cols})" if valid == "-1, -1" else ""
    nbytes = rows * cols * 4

    def decl(name: str, addr: int) -> str:
        return f"  {t} {name}{ctor};\n  TASSIGN({name}, {addr});\n"

    chain = "".join(f"  {op}\n" + ("  pipe_barrier(PIPE_V);\n" if barriers else "") for op in ops)
    body = (decl("a", 4 * nbytes) + decl("n", 0) + decl("e", 0) + decl("s", 0) + decl("r", 2 * nbytes)
            + decl("o", 6 * nbytes)
            + f"  {gt('float', rows, cols)} gx = {gt('float', rows, cols)}(x);\n"
            + f"  {gt('float', rows, cols)} gy = {gt('float', rows, cols)}(y);\n"
            + "  TLOAD(a, gx);\n  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);\n  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);\n"
            + chain + "  pipe_barrier(PIPE_V);\n  TMUL(o, a, r);\n"
            + "  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);\n  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);\n  TSTORE(gy, o);\n")
    return kernel("__gm__ float* x, __gm__ float* y", body)


# The repeat-level order this file tests is the opt-in race model's (--same-access-chains,
# ptofix/pto/race_model.py); the default, msSanitizer's a2/a3 rule, keeps no pair in repeat order.
OPT_IN = SimOptions(race_model=RaceModel.SAME_ACCESS_CHAINS)


def compare(original: str, rewritten: str, seeds: int = 8, options: SimOptions = OPT_IN):
    return simulate(src(original, "orig.cpp"), src(rewritten, "rew.cpp"), seeds, options)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ptofix", "simulate", "--same-access-chains", *args],
                          capture_output=True, text=True, cwd=REPO)


# -- the silu chain ---------------------------------------------------------------------------------

def test_silu_without_its_barriers_differs(tmp_path):
    orig, rew = tmp_path / "silu.cpp", tmp_path / "silu.nobar.cpp"
    orig.write_text(silu_like(True))
    rew.write_text(silu_like(False))
    r = cli(str(orig), str(rew))
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout.startswith("difference on seed ")
    # TADDS's repeat 15 reads row 15's first chunk, which TEXP writes in its repeat 60.
    line = {op: n for n, text in enumerate(rew.read_text().splitlines(), 1) for op in SILU_CHAIN if op in text}
    assert (f"RAW on UB [0, 16384): {rew}:{line['TEXP(e, n);']}: TEXP(e, n); (TEXP)  <->  "
            f"{rew}:{line['TADDS(s, e, 1.0f);']}: TADDS(s, e, 1.0f); (TADDS)") in r.stdout


def test_silu_with_its_barriers_is_equal():
    k = silu_like(True)
    rep = compare(k, k)
    assert rep.status == "equal" and rep.steps > 0


def test_each_chunk_walk_reading_ahead_is_caught_on_every_seed():
    # TEXP (linear) -> TADDS (column chunks) alone, with a reader the walks agree with after it.
    ops = ("TEXP(e, a);", "TADDS(s, e, 1.0f);")
    for seeds in (1, 2, 3, 4):
        rep = compare(silu_like(True, ops), silu_like(False, ops), seeds)
        assert rep.difference is not None and rep.difference.seed == 1


def test_tadd_into_texp_on_the_dynamic_type_is_equal():
    # TADD and TEXP test the run-time valid shape: both linear on a full 16x256, repeat k after repeat k.
    ops = ("TADD(n, a, a);", "TEXP(e, n);", "TMUL(r, e, e);")
    rep = compare(silu_like(True, ops), silu_like(False, ops))
    assert rep.status == "equal" and rep.steps > 0
    # msSanitizer's rule (the default) gives no credit for the repeat order: the chain may run in
    # any order, and the rewrite differs.
    assert compare(silu_like(True, ops), silu_like(False, ops), options=SimOptions()).status == "different"


def test_tadds_chain_on_a_static_valid_type_is_equal():
    # A ValidCol equal to Cols in the type: TADDS walks linearly too.
    ops = ("TEXP(e, a);", "TADDS(s, e, 1.0f);", "TMULS(r, s, 2.0f);")
    rep = compare(silu_like(True, ops, valid="16, 256"), silu_like(False, ops, valid="16, 256"))
    assert rep.status == "equal" and rep.steps > 0


def test_the_same_chain_on_the_dynamic_type_differs():
    ops = ("TEXP(e, a);", "TADDS(s, e, 1.0f);", "TMULS(r, s, 2.0f);")
    assert compare(silu_like(True, ops), silu_like(False, ops)).status == "different"


def test_one_chunk_a_row_walks_like_a_linear_pass():
    # 64 floats a row: one 256-byte chunk a row, so TADDS's column chunks are the rows in order.
    ops = ("TEXP(e, a);", "TADDS(s, e, 1.0f);", "TMULS(r, s, 2.0f);")
    rep = compare(silu_like(True, ops, rows=32, cols=64), silu_like(False, ops, rows=32, cols=64))
    assert rep.status == "equal" and rep.steps > 0


def test_a_short_producer_is_not_ordered():
    # 4x256 float: TEXP runs 16 repeats; 2x256: 8, fewer than the 16 the pipe's in-order issue needs.
    ops = ("TEXP(e, a);", "TMULS(r, e, 2.0f);")
    assert compare(silu_like(True, ops, valid="4, 256", rows=4), silu_like(False, ops, valid="4, 256", rows=4)
                   ).status == "equal"
    assert compare(silu_like(True, ops, valid="2, 256", rows=2), silu_like(False, ops, valid="2, 256", rows=2)
                   ).status == "different"


def test_an_op_whose_walk_is_not_known_is_one_unordered_unit():
    # TRECIP (vector_dup, a barrier, vdiv per instruction: no single walk) after a linear TADD.
    ops = ("TADD(n, a, a);", "TRECIP(r, n);")
    assert compare(silu_like(True, ops, valid="16, 256"), silu_like(False, ops, valid="16, 256")
                   ).status == "different"


# -- the walks and the scheduler's pipelined pairs -------------------------------------------------

def view(name: str, addr: int, valid_cols: int = -1, rows: int = 16, cols: int = 256) -> TileView:
    return TileView(name, SimTileType("Vec", "float", rows, cols, "RowMajor", valid_cols, valid_cols), addr,
                    rows, cols)


def test_walks_come_from_the_facts_layer():
    dynamic = view("a", 0)
    tadds = step_walk("TADDS", [dynamic, dynamic, 1.0], [], [dynamic], [dynamic], False)
    texp = step_walk("TEXP", [dynamic, dynamic], [], [dynamic], [dynamic], False)
    assert tadds is not None and texp is not None
    assert len(tadds) == len(texp) == 64
    # Column chunks: repeat r of chunk 0 is row r's first 64 floats; linear: 64 floats after 64.
    assert tadds.repeats[:2] == [((0, 64),), ((256, 320),)] and tadds.repeats[16] == ((64, 128),)
    assert texp.repeats[:2] == [((0, 64),), ((64, 128),)]
    static = view("a", 0, valid_cols=256)
    assert step_walk("TADDS", [static, static, 1.0], [], [static], [static], False).repeats[1] == ((64, 128),)
    assert step_walk("TADDS", [dynamic, dynamic, 1.0], [], [dynamic], [dynamic], True) is None      # a tmp
    assert step_walk("TROWSUM", [dynamic, dynamic], [], [dynamic], [dynamic], False) is None       # no walk


def test_repeats_ahead_measures_the_read_ahead():
    dynamic = view("a", 0)
    texp = step_walk("TEXP", [dynamic, dynamic], [], [dynamic], [dynamic], False)
    tadds = step_walk("TADDS", [dynamic, dynamic, 1.0], [], [dynamic], [dynamic], False)
    from ptofix.sim.schedule import IssuedStep
    a = IssuedStep(0, 0, "TEXP", True, [dynamic], [dynamic], lambda m, s: None, walk=texp)
    b = IssuedStep(1, 1, "TADDS", True, [dynamic], [dynamic], lambda m, s: None, walk=tadds)
    conflicts = Scheduler.conflicts(a, b)
    assert Scheduler.pipelined(a, b, conflicts)
    # TADDS's repeat 15 (row 15, chunk 0) reads what TEXP writes in repeat 60.
    assert Scheduler.repeats_ahead(a, b, conflicts) == 45
    assert Scheduler.repeats_ahead(a, a, Scheduler.conflicts(a, a)) == 0


def test_the_simulator_imports_no_chain_rule():
    banned = {"same_access_chain_operand", "chain_repeats_enough", "WALKED_IN_REPEAT_ORDER", "chain_order_holds",
              "walk_order", "CHAIN_16BIT_ONLY"}
    for path in (REPO / "ptofix" / "sim").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                assert "barriers" not in module and "cpp.races" not in module, (path.name, module)
                names = {alias.name for alias in node.names}
                assert not names & banned, (path.name, names & banned)


# -- never passing on nothing (#58 item 4) ----------------------------------------------------------

GATED = kernel("__gm__ float* x, __gm__ float* y, int32_t n", """  Tile<TileType::Vec, float, 4, 64, BLayout::RowMajor, 4, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> a;
  TASSIGN(a, 0);
  if (n > 100) {
    TADDS(a, a, 1.0f);
  }
""")


def test_no_vector_op_run_is_an_error_naming_the_arguments(tmp_path):
    k = tmp_path / "gated.cpp"
    k.write_text(GATED)
    r = cli(str(k), str(k))
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1
    assert r.stderr.startswith(f"{k}:3:1: error: nothing to compare: no vector op ran in either kernel on 8 seed(s)")
    assert "--arg NAME=VALUE (e.g. --arg n=VALUE; scalar parameters: n;" in r.stderr
    assert "--block-num N" in r.stderr and "--gm-fill NAME=ints:LO:HI (pointer parameters: x, y)" in r.stderr
    ok = cli(str(k), str(k), "--arg", "n=200")
    assert ok.returncode == 0 and ok.stdout.startswith("simulate: equal on 8 seed(s)"), ok.stdout + ok.stderr


def test_no_vector_op_run_is_an_error_in_the_library_too():
    with pytest.raises(PtofixError, match="nothing to compare"):
        compare(GATED, GATED, 2)


# -- the real silu kernel ---------------------------------------------------------------------------

SILU = CORPUS / "44_silu_a2a3.cpp"
SILU_BARRIERS = (210, 220, 230)      # TNEG -> TEXP -> TADDS -> TRECIP


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_silu_without_the_chain_barriers_differs(tmp_path):
    if not SILU.exists():
        pytest.skip("../shared/corpus/real/44_silu_a2a3.cpp is not present")
    lines = SILU.read_text().splitlines(keepends=True)
    assert all(lines[n - 1].strip() == "pipe_barrier(PIPE_V);" for n in SILU_BARRIERS)
    rew = tmp_path / "silu.cpp"
    rew.write_text("".join(line for n, line in enumerate(lines, 1) if n not in SILU_BARRIERS))
    include = str(CORPUS / "include")
    r = cli(str(SILU), str(rew), "-I", include)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "(TADDS)" in r.stdout
    same = cli(str(SILU), str(SILU), "-I", include)
    assert same.returncode == 0 and same.stdout.startswith("simulate: equal on 8 seed(s)"), same.stdout + same.stderr


def test_a_read_ahead_past_unrelated_ops_is_caught_on_every_seed():
    # Two ops that touch neither tile between TEXP and the TADDS that reads ahead of it: the
    # narrow windows of some seeds do not reach from one to the other, the pipe still overlaps them.
    ops = ("TEXP(e, a);", "TMULS(o, a, 2.0f);", "TMULS(r, a, 3.0f);", "TADDS(s, e, 1.0f);")
    for seeds in (1, 2, 3):
        rep = compare(silu_like(True, ops), silu_like(False, ops), seeds)
        assert rep.difference is not None and rep.difference.seed == 1


def col_expand_kernel(barrier: bool, valid: str, rows: int = 8, cols: int = 256) -> str:
    """TCOLEXPANDMUL(d, x, c) over a rows x cols float tile, then TABS(e, d) without a drain between."""
    t, row = tile_type(rows, cols, valid), tile_type(1, cols, f"1, {cols}" if valid != "-1, -1" else valid)
    ctor, row_ctor = (f"({rows}, {cols})", f"(1, {cols})") if valid == "-1, -1" else ("", "")
    nbytes = rows * cols * 4
    bar = "  pipe_barrier(PIPE_V);\n" if barrier else ""
    body = (f"  {t} a{ctor};\n  TASSIGN(a, 0);\n  {row} c{row_ctor};\n  TASSIGN(c, {nbytes});\n"
            f"  {t} d{ctor};\n  TASSIGN(d, {2 * nbytes});\n  {t} e{ctor};\n  TASSIGN(e, {4 * nbytes});\n"
            f"  {gt('float', rows, cols)} gx = {gt('float', rows, cols)}(x);\n"
            f"  {gt('float', rows, cols)} gy = {gt('float', rows, cols)}(y);\n"
            "  TLOAD(a, gx);\n  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);\n  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);\n"
            "  TEXPANDS(c, 3.0f);\n  pipe_barrier(PIPE_V);\n"
            f"  TCOLEXPANDMUL(d, a, c);\n{bar}  TABS(e, d);\n"
            "  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);\n  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);\n  TSTORE(gy, e);\n")
    return kernel("__gm__ float* x, __gm__ float* y", body)


def test_a_col_expand_walks_column_chunks_on_a_static_type_and_no_walk_in_count_mode():
    # On a dynamic type TCOLEXPANDMUL runs one count-mode instruction a row (TColExpandBinaryCountMode):
    # no walk (walks.py fails closed on count mode), so it runs as one unit no repeat order protects.
    assert compare(col_expand_kernel(True, "-1, -1"), col_expand_kernel(False, "-1, -1")).status == "different"
    # On a static contiguous type it walks column chunks: TABS's repeat 1 reads row 0's second
    # chunk, written in TCOLEXPANDMUL's repeat 8.
    assert compare(col_expand_kernel(True, "8, 256"), col_expand_kernel(False, "8, 256")).status == "different"
    # Rows of exactly 256 bytes: one chunk a row, the column-chunk walk is TABS's linear one.
    assert compare(col_expand_kernel(True, "32, 64", 32, 64), col_expand_kernel(False, "32, 64", 32, 64)).status \
        == "equal"
    k = col_expand_kernel(True, "8, 256")
    assert compare(k, k).status == "equal"


def cvt_kernel(barrier: bool, producer: str, valid: str) -> str:
    """``producer`` writes e (16x256 float); TCVT(h, e) to half; h -> GM."""
    t = tile_type(16, 256, valid)
    h = t.replace("float", "half")
    ctor = "(16, 256)" if valid == "-1, -1" else ""
    bar = "  pipe_barrier(PIPE_V);\n" if barrier else ""
    body = (f"  {t} a{ctor};\n  TASSIGN(a, 0);\n  {t} e{ctor};\n  TASSIGN(e, 16384);\n"
            f"  {h} o{ctor};\n  TASSIGN(o, 32768);\n"
            f"  {gt('float', 16, 256)} gx = {gt('float', 16, 256)}(x);\n"
            f"  {gt('half', 16, 256)} gy = {gt('half', 16, 256)}(y);\n"
            "  TLOAD(a, gx);\n  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);\n  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);\n"
            f"  {producer}\n{bar}  TCVT(o, e, RoundMode::CAST_RINT);\n"
            "  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);\n  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);\n  TSTORE(gy, o);\n")
    return kernel("__gm__ float* x, __gm__ half* y", body)


def test_tcvt_reads_its_source_row_by_row():
    # One vconv a row, 64 floats a repeat: a linear TEXP's order; a column-chunk TADDS's is not.
    for producer, valid, status in (("TEXP(e, a);", "-1, -1", "equal"), ("TADDS(e, a, 1.0f);", "16, 256", "equal"),
                                    ("TADDS(e, a, 1.0f);", "-1, -1", "different")):
        rep = compare(cvt_kernel(True, producer, valid), cvt_kernel(False, producer, valid))
        assert rep.status == status, (producer, valid, rep.difference)


def row_expand_kernel(barrier: bool, consumer: str) -> str:
    """TROWEXPANDMUL(d, a, c) over a static 16x128 float tile (per-row c: 16x1 ColMajor, broadcast by
    vbrcb), then ``consumer`` of d without a drain between."""
    t = tile_type(16, 128, "16, 128")
    col = ("Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 16, 1, SLayout::NoneBox, 512, PadValue::Null, "
           "CompactMode::Null>")
    row = tile_type(1, 128, "1, 128")
    bar = "  pipe_barrier(PIPE_V);\n" if barrier else ""
    body = (f"  {t} a;\n  TASSIGN(a, 0);\n  {col} c;\n  TASSIGN(c, 8192);\n  {row} w;\n  TASSIGN(w, 8448);\n"
            f"  {t} d;\n  TASSIGN(d, 16384);\n  {t} e;\n  TASSIGN(e, 32768);\n"
            f"  {gt('float', 16, 128)} gx = {gt('float', 16, 128)}(x);\n"
            f"  {gt('float', 16, 128)} gy = {gt('float', 16, 128)}(y);\n"
            "  TLOAD(a, gx);\n  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);\n  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);\n"
            "  TEXPANDS(c, 3.0f);\n  TEXPANDS(w, 0.5f);\n  pipe_barrier(PIPE_V);\n"
            f"  TROWEXPANDMUL(d, a, c);\n{bar}  {consumer}\n"
            "  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);\n  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);\n  TSTORE(gy, e);\n")
    return kernel("__gm__ float* x, __gm__ float* y", body)


def test_a_row_expand_walks_column_chunks_with_its_broadcast():
    # Its op step walks 16x128 floats by 256-byte column chunks (TRowExpandBinaryNormModeTail): a
    # column expand (chunks too) follows it, a linear TADD reads ahead of it.
    assert compare(row_expand_kernel(True, "TCOLEXPANDMUL(e, d, w);"),
                   row_expand_kernel(False, "TCOLEXPANDMUL(e, d, w);")).status == "equal"
    assert compare(row_expand_kernel(True, "TADD(e, d, d);"), row_expand_kernel(False, "TADD(e, d, d);")
                   ).status == "different"
    k = row_expand_kernel(True, "TADD(e, d, d);")
    assert compare(k, k).status == "equal"
