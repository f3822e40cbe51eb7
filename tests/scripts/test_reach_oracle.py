"""scripts/reach_oracle.py: the independent oracle of redundant pipe_barrier(PIPE_V) that issue 57's
reach is measured against. Small kernels written here, each barrier's verdict checked: what the
oracle credits (drains, disjoint bytes, same-access chains pto-isa's trace backs) and what it must
refuse (partial overlap, another element size, fewer than 16 repeats, a loop back-edge, a WAR-only
pair, the hidden scratch, an unflagged memory move, a row reduction without its trailing barrier)."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _load():
    spec = importlib.util.spec_from_file_location("reach_oracle", REPO / "scripts" / "reach_oracle.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["reach_oracle"] = module
    spec.loader.exec_module(module)
    return module


oracle_module = _load()


def tile(name: str, address: int, dtype: str = "float", rows: int = 16, cols: int = 256, extra: str = "") -> str:
    return f"    Tile<TileType::Vec, {dtype}, {rows}, {cols}{extra}> {name};\n    TASSIGN({name}, {address});\n"


def kernel(body: str, head: str = "__global__ AICORE void k()") -> str:
    return '#include "pto/pto-inst.hpp"\nusing namespace pto;\n' + head + " {\n" + body + "}\n"


def verdicts(tmp_path: Path, text: str, chains: bool = True) -> list[bool]:
    """Each barrier's verdict, in source order."""
    path = tmp_path / "k.cpp"
    path.write_text(text)
    found = oracle_module.oracle(str(path), chains=chains)
    return [found[line] for line in sorted(found)]


A, B, C, D = 0, 0x4000, 0x8000, 0xC000       # 16 KiB apart: a 16x256 float tile each
BARRIER = "    pipe_barrier(PIPE_V);\n"


def test_disjoint_ops_are_removable_and_overlapping_ones_are_not(tmp_path: Path) -> None:
    # (2x256 f32: 8 repeats, too short for any same-access chain.)
    tiles = tile("a", A, rows=2) + tile("b", B, rows=2) + tile("c", C, rows=2) + tile("d", D, rows=2)
    assert verdicts(tmp_path, kernel(tiles + "    TADD(a, b, c);\n" + BARRIER + "    TADD(d, b, c);\n")) == [True]
    # RAW on a, WAR on b: kept.
    assert verdicts(tmp_path, kernel(tiles + "    TADD(a, b, c);\n" + BARRIER + "    TADD(d, a, c);\n")) == [False]
    assert verdicts(tmp_path, kernel(tiles + "    TADD(a, b, c);\n" + BARRIER + "    TADD(b, d, c);\n")) == [False]


def test_a_side_without_vector_work_up_to_a_drain(tmp_path: Path) -> None:
    tiles = tile("a", A, rows=2) + tile("b", B, rows=2) + tile("c", C, rows=2)
    # Two barriers in a row: each sees nothing on one side up to the other.
    text = kernel(tiles + "    TADD(a, b, c);\n" + BARRIER + BARRIER + "    TADD(b, a, c);\n")
    assert verdicts(tmp_path, text) == [True, True]
    # PIPE_ALL drains too.
    text = kernel(tiles + "    TADD(a, b, c);\n    pipe_barrier(PIPE_ALL);\n" + BARRIER + "    TADD(b, a, c);\n")
    assert verdicts(tmp_path, text) == [True]
    # A kernel entry's start: nothing runs before it. Another function's start: its caller's work may.
    body = tiles + BARRIER + "    TADD(b, a, c);\n"
    assert verdicts(tmp_path, kernel(body)) == [True]
    assert verdicts(tmp_path, kernel(body, head="static AICORE void helper()")) == [False]


def test_leaving_an_if_group_keeps_the_window_but_entering_one_does_not(tmp_path: Path) -> None:
    tiles = tile("a", A, rows=2) + tile("b", B, rows=2) + tile("c", C, rows=2)
    inside = kernel(tiles + "#if defined(__DAV_VEC__)\n" + BARRIER + "    TADD(b, a, c);\n#endif\n")
    assert verdicts(tmp_path, inside) == [True]
    entering = kernel(tiles + "    TADD(a, b, c);\n" + BARRIER + "#if defined(X)\n    pipe_barrier(PIPE_V);\n"
                      "#endif\n    TADD(b, a, c);\n")
    assert verdicts(tmp_path, entering)[0] is False


def test_loop_back_edge_is_refused(tmp_path: Path) -> None:
    tiles = tile("a", A) + tile("b", B) + tile("c", C)
    loop = kernel(tiles + "    for (int i = 0; i < 4; ++i) {\n        TMULS(a, a, 2.0f);\n" + BARRIER
                  + "        TEXP(b, c);\n    }\n")
    assert verdicts(tmp_path, loop) == [False]


def test_same_access_chain_credited(tmp_path: Path) -> None:
    # f32 16x256: 64 repeats of 256 bytes; the consumer reads exactly what the producer wrote.
    tiles = tile("a", A)
    text = kernel(tiles + "    TMULS(a, a, 2.0f);\n" + BARRIER + "    TEXP(a, a);\n")
    assert verdicts(tmp_path, text) == [True]
    assert verdicts(tmp_path, text, chains=False) == [False]
    # A run-time valid shape constructed from the static one and never changed chains too.
    dynamic = ("    Tile<TileType::Vec, float, 1, 4096, BLayout::RowMajor, -1, -1> a = "
               "Tile<TileType::Vec, float, 1, 4096, BLayout::RowMajor, -1, -1>(1, 4096);\n    TASSIGN(a, 0);\n")
    assert verdicts(tmp_path, kernel(dynamic + "    TMULS(a, a, 2.0f);\n" + BARRIER + "    TADD(a, a, a);\n")) == [True]
    # Two ops that walk a run-time valid 8x128 f32 tile alike (both column chunk by column chunk,
    # as the trace records every shape of the class): the consumer's k-th repeat is the producer's.
    chunks = ("    Tile<TileType::Vec, float, 8, 128, BLayout::RowMajor, -1, -1> a = "
              "Tile<TileType::Vec, float, 8, 128, BLayout::RowMajor, -1, -1>(8, 128);\n    TASSIGN(a, 0);\n")
    assert verdicts(tmp_path, kernel(chunks + "    TADDS(a, a, 1.0f);\n" + BARRIER + "    TMAXS(a, a, 0.0f);\n")) == [True]


def test_chains_the_oracle_must_refuse(tmp_path: Path) -> None:
    # Partial overlap: b starts 256 bytes into a.
    partial = tile("a", A) + tile("b", 256)
    assert verdicts(tmp_path, kernel(partial + "    TMULS(a, a, 2.0f);\n" + BARRIER + "    TEXP(b, b);\n")) == [False]
    # Another element size over the same bytes.
    sizes = tile("a", A) + tile("h", A, dtype="half", cols=512)
    assert verdicts(tmp_path, kernel(sizes + "    TMULS(a, a, 2.0f);\n" + BARRIER + "    TEXP(h, h);\n")) == [False]
    # Fewer than 16 repeats: f32 2x256 is 8 repeats.
    short = tile("a", A, rows=2)
    assert verdicts(tmp_path, kernel(short + "    TMULS(a, a, 2.0f);\n" + BARRIER + "    TEXP(a, a);\n")) == [False]
    # WAR only: the producer reads a, the consumer overwrites it without reading it.
    war = tile("a", A) + tile("b", B)
    assert verdicts(tmp_path, kernel(war + "    TMULS(b, a, 2.0f);\n" + BARRIER + "    TEXP(a, b);\n")) == [False]
    # A multi-cycle producer (vdiv): no hardware run stands behind it.
    div = tile("a", A) + tile("b", B)
    assert verdicts(tmp_path, kernel(div + "    TDIV(a, a, b);\n" + BARRIER + "    TEXP(a, a);\n")) == [False]
    # A run-time valid shape changed after construction: the walk is not known.
    changed = ("    Tile<TileType::Vec, float, 1, 4096, BLayout::RowMajor, -1, -1> a = "
               "Tile<TileType::Vec, float, 1, 4096, BLayout::RowMajor, -1, -1>(1, 4096);\n    TASSIGN(a, 0);\n"
               "    a.SetValidShape(1, 100);\n")
    assert verdicts(tmp_path, kernel(changed + "    TMULS(a, a, 2.0f);\n" + BARRIER + "    TADD(a, a, a);\n")) == [False]
    # TMULS on a run-time valid shape of 16 rows wider than 256 bytes walks column chunks
    # (pto-isa's trace): its k-th repeat is not the k-th 256 bytes.
    chunks = ("    Tile<TileType::Vec, float, 16, 256, BLayout::RowMajor, -1, -1> a = "
              "Tile<TileType::Vec, float, 16, 256, BLayout::RowMajor, -1, -1>(16, 256);\n    TASSIGN(a, 0);\n")
    assert verdicts(tmp_path, kernel(chunks + "    TMULS(a, a, 2.0f);\n" + BARRIER + "    TEXP(a, a);\n")) == [False]


def test_hidden_scratch_of_a_row_expansion_without_tmp(tmp_path: Path) -> None:
    scratch = 184 * 1024
    tiles = (tile("d", A) + tile("a", B) + tile("r", C, cols=8) + tile("t", D)
             + tile("s", scratch, rows=8, cols=8))
    without_tmp = kernel(tiles + "    TROWEXPANDMUL(d, a, r);\n" + BARRIER + "    TADDS(s, s, 1.0f);\n")
    assert verdicts(tmp_path, without_tmp) == [False]
    with_tmp = kernel(tiles + "    TROWEXPANDMUL(d, a, r, t);\n" + BARRIER + "    TADDS(s, s, 1.0f);\n")
    assert verdicts(tmp_path, with_tmp) == [True]


def test_row_reduction_drains_only_outside_the_narrow_path(tmp_path: Path) -> None:
    # float: E = 64 elements a repeat; 256 columns take the path that ends with pipe_barrier(PIPE_V).
    wide = tile("s", A) + tile("t", B) + tile("d", C, cols=8) + tile("x", D, cols=8)
    text = kernel(wide + "    TROWSUM(d, s, t);\n" + BARRIER + "    TADD(x, d, d);\n")
    assert verdicts(tmp_path, text) == [True]
    # 80 columns: E < 80 < 2E with a tmp under 8 blocks a row returns having issued nothing, and no barrier.
    narrow = tile("s", A, cols=80) + tile("t", B, cols=32) + tile("d", C, cols=8) + tile("x", D, cols=8)
    text = kernel(narrow + "    TADD(s, s, s);\n    TROWSUM(d, s, t);\n" + BARRIER + "    TADD(x, s, s);\n")
    assert verdicts(tmp_path, text) == [False]
    # The same with a tmp of 80 columns: both strides at least 8 blocks, the path ends with a barrier
    # (the trace's float 80x80 point records it).
    strided = tile("s", A, cols=80) + tile("t", B, cols=80) + tile("d", C, cols=8) + tile("x", D, cols=8)
    text = kernel(strided + "    TADD(s, s, s);\n    TROWSUM(d, s, t);\n" + BARRIER + "    TADD(x, s, s);\n")
    assert verdicts(tmp_path, text) == [True]


def dynamic_tile(name: str, address: int, rows: int, cols: int, dtype: str = "float") -> str:
    spelled = f"Tile<TileType::Vec, {dtype}, {rows}, {cols}, BLayout::RowMajor, -1, -1>"
    return f"    {spelled} {name} = {spelled}(n, m);\n    TASSIGN({name}, {address});\n"


@pytest.mark.parametrize(("src_cols", "tmp_cols", "drains"), [
    (8, 8, True),        # any valid count <= 8 <= E: OneRepeatProc, a barrier on every path (empty too)
    (64, 8, True),       # <= E = 64
    (128, 128, True),    # (E, 2E) reachable, but both strides are 16 blocks: ends with a barrier
    (128, 32, False),    # (E, 2E) reachable with tmp's stride 4 blocks: returns with no barrier
    (72, 72, True),
    (72, 56, False),
])
def test_row_reduction_with_a_run_time_valid_shape(tmp_path: Path, src_cols: int, tmp_cols: int,
                                                   drains: bool) -> None:
    tiles = dynamic_tile("s", A, 16, src_cols) + tile("t", B, cols=tmp_cols) + tile("d", C, cols=8) \
        + tile("x", D, cols=8)
    for op in ("TROWSUM", "TROWMAX"):
        text = kernel(tiles + f"    TADD(s, s, s);\n    {op}(d, s, t);\n" + BARRIER + "    TADD(x, s, s);\n")
        assert verdicts(tmp_path, text, chains=False) == [drains]
    # SetValidShape changes nothing: the count stays within the static columns.
    text = kernel(tiles + "    s.SetValidShape(1, k);\n    TADD(s, s, s);\n    TROWSUM(d, s, t);\n" + BARRIER
                  + "    TADD(x, s, s);\n")
    assert verdicts(tmp_path, text, chains=False) == [drains]


def test_row_reduction_drains_refused_for_integers_and_column_major_sources(tmp_path: Path) -> None:
    ints = dynamic_tile("s", A, 16, 8, "int32_t") + tile("t", B, "int32_t", cols=8) \
        + tile("d", C, "int32_t", cols=8) + tile("x", D, "int32_t", cols=8)
    text = kernel(ints + "    TADD(s, s, s);\n    TROWSUM(d, s, t);\n" + BARRIER + "    TADD(x, s, s);\n")
    assert verdicts(tmp_path, text, chains=False) == [False]
    col_major = tile("s", A, cols=8, extra=", BLayout::ColMajor") + tile("t", B, cols=8) + tile("d", C, cols=8) \
        + tile("x", D, cols=8)
    text = kernel(col_major + "    TADD(s, s, s);\n    TROWSUM(d, s, t);\n" + BARRIER + "    TADD(x, s, s);\n")
    assert verdicts(tmp_path, text, chains=False) == [False]


def test_fp32_row_reduction_into_a_column_major_column(tmp_path: Path) -> None:
    # TryOptimizeFP32Reduce: a float 64x128 source (full, static) into a ColMajor (64, 1) column ends
    # with its own barrier (ReduceOptFP32_64x128); another shape takes the general path.
    column = tile("d", 0x10000, rows=64, cols=1, extra=", BLayout::ColMajor, 64, 1") + tile("x", 0x10400, cols=8)
    optimized = tile("s", 0, rows=64, cols=128) + tile("t", 0x8000, rows=64, cols=128) + column
    text = kernel(optimized + "    TADD(s, s, s);\n    TROWMAX(d, s, t);\n" + BARRIER + "    TADD(x, s, s);\n")
    assert verdicts(tmp_path, text, chains=False) == [True]
    # A run-time valid shape (ValidRow is not 64 in the type): the general path, here narrow with no barrier.
    narrow = tile("s", 0, rows=64, cols=80, extra=", BLayout::RowMajor, -1, -1") + tile("t", 0x8000, rows=64, cols=32) \
        + column
    text = kernel(narrow + "    TADD(s, s, s);\n    TROWMAX(d, s, t);\n" + BARRIER + "    TADD(x, s, s);\n")
    assert verdicts(tmp_path, text, chains=False) == [False]
    # A boxed column: not optimized; a 64x80 source: not one of the four shapes, the narrow path.
    boxed = optimized.replace(", BLayout::ColMajor, 64, 1>", ", BLayout::ColMajor, 64, 1, SLayout::RowMajor>")
    text = kernel(boxed + "    TADD(s, s, s);\n    TROWMAX(d, s, t);\n" + BARRIER + "    TADD(x, s, s);\n")
    assert verdicts(tmp_path, text, chains=False) == [True]       # (the general path: 128 columns >= 2E)
    other = tile("s", 0, rows=64, cols=80) + tile("t", 0x8000, rows=64, cols=32) + column
    text = kernel(other + "    TADD(s, s, s);\n    TROWMAX(d, s, t);\n" + BARRIER + "    TADD(x, s, s);\n")
    assert verdicts(tmp_path, text, chains=False) == [False]


def test_tsort32_drains_when_dst_has_a_valid_row(tmp_path: Path) -> None:
    # Each vbitsort of TSort32Impl is followed by pipe_barrier(PIPE_V): the TADD before it is drained.
    tiles = tile("d", 0, rows=1, cols=512) + tile("s", 0x1000, rows=1, cols=256) \
        + tile("i", 0x2000, "uint32_t", rows=1, cols=256) + tile("x", 0x3000, rows=1, cols=256)
    text = kernel(tiles + "    TADD(s, s, s);\n    TSORT32(d, s, i);\n" + BARRIER + "    TADD(x, s, d);\n")
    assert verdicts(tmp_path, text, chains=False) == [True]
    # dst's valid rows unknown (may be 0: nothing issued, no barrier): refused.
    dynamic = tiles.replace("Tile<TileType::Vec, float, 1, 512> d;",
                            "Tile<TileType::Vec, float, 1, 512, BLayout::RowMajor, -1, -1> d(n, 512);")
    text = kernel(dynamic + "    TADD(s, s, s);\n    TSORT32(d, s, i);\n" + BARRIER + "    TADD(x, s, d);\n",
                  head="__global__ AICORE void k(int n)")
    assert verdicts(tmp_path, text, chains=False) == [False]
    # After the barrier its own work is in the window: its dst read back before it is written.
    text = kernel(tiles + "    TADD(x, d, d);\n" + BARRIER + "    TSORT32(d, s, i);\n")
    assert verdicts(tmp_path, text, chains=False) == [False]


def test_memory_move_after_the_barrier_needs_a_flag(tmp_path: Path) -> None:
    tiles = tile("a", A) + tile("b", B)
    store = "    TSTORE(gm, a);\n"
    unflagged = kernel(tiles + "    TEXP(a, b);\n" + BARRIER + store)
    assert verdicts(tmp_path, unflagged) == [False]
    flagged = kernel(tiles + "    TEXP(a, b);\n" + BARRIER + "    set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);\n"
                     "    wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);\n" + store)
    assert verdicts(tmp_path, flagged) == [True]


def test_unknown_statements_leave_the_barrier_unproven(tmp_path: Path) -> None:
    tiles = tile("a", A) + tile("b", B)
    for statement in ("    my_helper(a);\n", "    TGATHER(a, b, b);\n", "    a.SetValue(0, 1.0f);\n"):
        text = kernel(tiles + "    TEXP(a, b);\n" + BARRIER + statement + "    TEXP(b, b);\n")
        assert verdicts(tmp_path, text) == [False], statement
    # A tile given two addresses is not known.
    twice = tile("a", A) + "    TASSIGN(a, 4096);\n" + tile("b", B)
    assert verdicts(tmp_path, kernel(twice + "    TEXP(a, a);\n" + BARRIER + "    TEXP(b, b);\n")) == [False]


def test_fetch_list_lays_out_a_manifest_from_a_git_mirror(tmp_path: Path) -> None:
    mirror = tmp_path / "mirrors" / "someone+kernels" / "repo"
    work = tmp_path / "work"
    work.mkdir()
    (work / "src").mkdir()
    (work / "inc").mkdir()
    (work / "src" / "k.cpp").write_text(kernel(tile("a", A) + BARRIER))
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t.invalid"]
    subprocess.run(git + ["init", "-q", str(work)], check=True)
    subprocess.run(git + ["-C", str(work), "add", "."], check=True)
    subprocess.run(git + ["-C", str(work), "commit", "-q", "-m", "k"], check=True)
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(mirror)], check=True)
    commit = subprocess.run(["git", "-C", str(work), "rev-parse", "HEAD"], capture_output=True, text=True,
                            check=True).stdout.strip()
    manifest = tmp_path / "sets.tsv"
    manifest.write_text("# a comment\nset\trepo\tcommit\tpath\tinclude\n"
                        f"hand\tsomeone/kernels\t{commit[:12]}\tsrc/k.cpp\tsrc inc\n")
    into = tmp_path / "sets"
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "reach_oracle.py"), str(manifest),
                           "--fetch-list", str(into), "--mirrors", str(tmp_path / "mirrors")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert (into / "hand" / "kernels" / "src" / "k.cpp").is_file()
    rows = [line for line in (into / "list.tsv").read_text().splitlines() if not line.startswith("#")]
    assert rows == ["hand/kernels/src/k.cpp\t-I hand/kernels/src\t-I hand/kernels/inc"]
    missing = subprocess.run([sys.executable, str(REPO / "scripts" / "reach_oracle.py"), str(manifest),
                              "--fetch-list", str(tmp_path / "other"), "--mirrors", str(tmp_path / "none")],
                             capture_output=True, text=True, check=False)
    assert missing.returncode == 2 and "no git mirror of someone/kernels" in missing.stderr


# (TSORT32 takes an idx operand and drains by its own rule: tested above with its three operands.)
@pytest.mark.parametrize("op", sorted(oracle_module.DRAIN_AFTER - {"TSORT32"}))
def test_trace_drains_need_a_known_nonempty_valid_shape(tmp_path: Path, op: str) -> None:
    tiles = tile("s", A) + tile("d", B, rows=1) + tile("x", C) + tile("y", D)
    drained = kernel(tiles + "    TADD(x, x, x);\n" + f"    {op}(d, s);\n" + BARRIER + "    TADD(x, x, x);\n")
    assert verdicts(tmp_path, drained, chains=False) == [True]
    unknown = ("    Tile<TileType::Vec, float, 16, 256, BLayout::RowMajor, -1, -1> s = "
               "Tile<TileType::Vec, float, 16, 256, BLayout::RowMajor, -1, -1>(n, 256);\n    TASSIGN(s, 0);\n"
               + tile("d", B, rows=1) + tile("x", C))
    text = kernel(unknown + "    TADD(x, x, x);\n" + f"    {op}(d, s);\n" + BARRIER + "    TADD(x, x, x);\n")
    assert verdicts(tmp_path, text, chains=False) == [False]


def test_row_expansion_drains_at_its_own_barrier_after_the_broadcast(tmp_path: Path) -> None:
    # A ColMajor per-row operand: vbrcb into the hidden scratch, pipe_barrier(PIPE_V), then vmul.
    tiles = (tile("x", A, rows=2) + tile("y", B, rows=2)
             + tile("r", C, rows=2, cols=1, extra=", BLayout::ColMajor") + tile("d", D, rows=2))
    # Before B a TADD reads x; after B the expansion overwrites x: its vmul runs after its own barrier.
    ordered = kernel(tiles + "    TADD(y, x, x);\n" + BARRIER + "    TROWEXPANDMUL(x, d, r);\n")
    assert verdicts(tmp_path, ordered) == [True]
    # The broadcast itself reads r: a write of r before B is not ordered by anything but B.
    racing = kernel(tiles + "    TADD(r, x, x);\n" + BARRIER + "    TROWEXPANDMUL(d, y, r);\n")
    assert verdicts(tmp_path, racing) == [False]
    # The per-row operand may come first (TROWEXPANDADD_IMPL swaps): a write of it before B races
    # with the broadcast after B.
    swapped = kernel(tiles + "    TADD(r, x, x);\n" + BARRIER + "    TROWEXPANDADD(d, r, y);\n")
    assert verdicts(tmp_path, swapped) == [False]
    # Before B, only the body may be in flight: it reads the full source and the broadcast, not r.
    body = kernel(tiles + "    TROWEXPANDMUL(d, y, r);\n" + BARRIER + "    TADD(r, x, x);\n")
    assert verdicts(tmp_path, body) == [True]
    assert verdicts(tmp_path, kernel(tiles + "    TROWEXPANDMUL(d, y, r);\n" + BARRIER
                                     + "    TADD(y, x, x);\n")) == [False]
    # A RowMajor per-row operand takes the 32-byte-block path: no vbrcb, no barrier.
    rowmajor = (tile("x", A, rows=2) + tile("y", B, rows=2) + tile("r", C, rows=2, cols=8)
                + tile("d", D, rows=2))
    assert verdicts(tmp_path, kernel(rowmajor + "    TADD(y, x, x);\n" + BARRIER
                                     + "    TROWEXPANDMUL(x, d, r);\n")) == [False]


def test_a_tmp_operand_is_written(tmp_path: Path) -> None:
    tiles = (tile("a", A, rows=2) + tile("b", B, rows=2) + tile("c", C, rows=2) + tile("t", D, rows=2)
             + tile("x", 0x10000, rows=2))
    # TPRELU's fourth operand is its tmp: a read of t after B races with its write before B.
    assert verdicts(tmp_path, kernel(tiles + "    TPRELU(a, b, c, t);\n" + BARRIER + "    TADD(x, t, t);\n")) == [False]
    assert verdicts(tmp_path, kernel(tiles + "    TPRELU(a, b, c, t);\n" + BARRIER + "    TADD(x, c, c);\n")) == [True]
    text = kernel(tiles + "    TCVT(a, b, t, RoundMode::CAST_ROUND);\n" + BARRIER + "    TADD(x, t, t);\n")
    assert verdicts(tmp_path, text) == [False]


def test_valid_shape_set_after_the_ops_or_around_a_loop(tmp_path: Path) -> None:
    declare = ("    Tile<TileType::Vec, float, 1, 4096, BLayout::RowMajor, -1, -1> a = "
               "Tile<TileType::Vec, float, 1, 4096, BLayout::RowMajor, -1, -1>(1, 4096);\n    TASSIGN(a, 0);\n")
    chain = "    TMULS(a, a, 2.0f);\n" + BARRIER + "    TADD(a, a, a);\n"
    # Set after both ops, in the same straight block: both ops see the constructed shape.
    assert verdicts(tmp_path, kernel(declare + chain + "    a.SetValidShape(1, 100);\n")) == [True]
    # Declared before a loop whose body sets it after the ops: the next iteration sees 1x100.
    looped = kernel(declare + "    for (int i = 0; i < 2; ++i) {\n" + chain + "    a.SetValidShape(1, 100);\n    }\n")
    assert verdicts(tmp_path, looped) == [False]


def test_a_scalar_access_of_ub_leaves_the_barrier_unproven(tmp_path: Path) -> None:
    tiles = tile("a", A, rows=2) + tile("b", B, rows=2) + tile("c", C, rows=2)
    pointer = "    __ubuf__ float *p = (__ubuf__ float *)0;\n"
    text = kernel(tiles + pointer + "    TEXP(a, b);\n" + BARRIER + "    float x = p[3];\n    TEXP(c, c);\n")
    assert verdicts(tmp_path, text) == [False]
    text = kernel(tiles + "    TEXP(a, b);\n" + BARRIER + "    float y = 1.0f;\n    TEXP(c, c);\n")
    assert verdicts(tmp_path, text) == [True]


def _shaped(name: str, address: int, rows: int, cols: int, valid: str) -> str:
    spelled = f"Tile<TileType::Vec, float, {rows}, {cols}, BLayout::RowMajor, -1, -1>"
    return f"    {spelled} {name} = {spelled}({valid});\n    TASSIGN({name}, {address});\n"


def test_chain_over_a_valid_prefix_of_rows(tmp_path: Path) -> None:
    # 8x1024 float tiles whose run-time valid shape is (2, 1024): TBinOp's "continuous" branch walks
    # the first 2 * 4096 bytes (32 repeats of 256) from the tile's start, as a full 2-row tile would.
    def chain(valid_a: str, valid_b: str = "2, 1024", valid_c: str = "2, 1024", cols: int = 1024,
              extra: str = "", consumer: str = "TMUL(b, a, c)") -> str:
        tiles = (_shaped("a", 0, 8, cols, valid_a) + _shaped("b", 0, 8, cols, valid_b)
                 + _shaped("c", 0x8000, 8, cols, valid_c) + _shaped("d", 0x10000, 8, cols, valid_c))
        return kernel(tiles + extra + "    TMUL(a, d, c);\n" + BARRIER + f"    {consumer};\n")
    assert verdicts(tmp_path, chain("2, 1024")) == [True]
    assert verdicts(tmp_path, chain("2, 1024"), chains=False) == [False]
    # Refused: valid columns short of the static ones (a strided walk), rows that differ between the
    # operands, a shape changed by SetValidShape, a shape the oracle cannot evaluate, a prefix under
    # 16 repeats, a consumer that is not element-wise.
    assert verdicts(tmp_path, chain("2, 512")) == [False]
    assert verdicts(tmp_path, chain("2, 1024", valid_b="3, 1024")) == [False]
    assert verdicts(tmp_path, chain("2, 1024", extra="    a.SetValidShape(8, 1024);\n")) == [False]
    assert verdicts(tmp_path, chain("n, 1024")) == [False]
    assert verdicts(tmp_path, chain("1, 512", "1, 512", "1, 512", cols=512)) == [False]
    assert verdicts(tmp_path, chain("2, 1024", consumer="TROWSUM(b, a, c)")) == [False]
    # More valid rows than the static ones: not a shape the oracle reads.
    assert verdicts(tmp_path, chain("9, 1024", "9, 1024", "9, 1024")) == [False]


HAND_TILES = """    constexpr int kRows = 16;
    constexpr int kCols = 256 / sizeof(float) * 4;
    constexpr uint32_t kBytes = kRows * kCols * sizeof(float);
    using Data = Tile<TileType::Vec, float, kRows, kCols, BLayout::RowMajor, kRows, kCols>;
    Data a;
    Data b;
    Data c;
    Data d;
    TASSIGN(a, 0);
    TASSIGN(b, kBytes);
    TASSIGN(c, 2 * kBytes);
    TASSIGN(d, (kBytes * 6) / 2 + 0x0);
"""


def test_hand_written_constants_give_tile_shapes_and_addresses(tmp_path: Path) -> None:
    # constexpr names, sizeof of an element type, + - * / and literal multiples of a size.
    disjoint = kernel(HAND_TILES + "    TADD(a, b, c);\n" + BARRIER + "    TADD(d, b, c);\n")
    assert verdicts(tmp_path, disjoint, chains=False) == [True]
    raw = kernel(HAND_TILES + "    TADD(a, b, c);\n" + BARRIER + "    TADD(d, a, c);\n")
    assert verdicts(tmp_path, raw, chains=False) == [False]


def test_hand_written_constants_the_oracle_must_refuse(tmp_path: Path) -> None:
    def judged(tiles: str, head: str = "__global__ AICORE void k()", before: str = "") -> list[bool]:
        text = '#include "pto/pto-inst.hpp"\nusing namespace pto;\n' + before + head + " {\n" + tiles \
            + "    TADD(a, b, c);\n" + BARRIER + "    TADD(d, b, c);\n}\n"
        return verdicts(tmp_path, text, chains=False)
    assert judged(HAND_TILES) == [True]
    file_constant = "constexpr int kBytes = 16384;\n"
    uses_file_constant = HAND_TILES.replace("    constexpr uint32_t kBytes = kRows * kCols * sizeof(float);\n", "")
    assert judged(uses_file_constant, before=file_constant) == [True]
    # A template parameter or a function parameter of the same name hides the file's constant.
    assert judged(uses_file_constant, before=file_constant + "template <int kBytes>\n",
                  head="AICORE void k()") == [False]
    assert judged(uses_file_constant, before=file_constant, head="__global__ AICORE void k(int kBytes)") == [False]
    # A constant written again, a run-time value, a loop counter: unknown addresses.
    assert judged(HAND_TILES.replace("    TASSIGN(a, 0);\n", "    TASSIGN(a, 0);\n    kBytes += 4;\n")) == [False]
    assert judged(HAND_TILES.replace("TASSIGN(b, kBytes)", "TASSIGN(b, n * kBytes)")) == [False]
    looped = HAND_TILES.replace("    TASSIGN(b, kBytes);\n", "    for (int i = 0; i < 2; ++i) { TASSIGN(b, i * kBytes); }\n")
    assert judged(looped) == [False]
    # A division the oracle cannot mirror (a negative operand), or by zero.
    assert judged(HAND_TILES.replace("(kBytes * 6) / 2", "(0 - kBytes * 6) / (0 - 2)")) == [False]
    assert judged(HAND_TILES.replace("(kBytes * 6) / 2", "(kBytes * 6) / (kRows - 16)")) == [False]
    # A tile of a shape the oracle cannot read, as a source, is unknown (never a scalar operand).
    unread = HAND_TILES.replace("    Data b;\n", "    Tile<TileType::Vec, float, kRows, n> b;\n")
    assert judged(unread) == [False]
    # A shape through a template parameter: unknown.
    templated = HAND_TILES.replace("constexpr int kRows = 16;", "constexpr int kUnused = 16;")
    assert judged(templated, before="template <int kRows>\n", head="AICORE void k()") == [False]


def test_each_function_reads_its_own_tile_alias(tmp_path: Path) -> None:
    # Two functions define `Data` differently; the second's 64-row tiles overlap at 16 KiB apart.
    first = HAND_TILES
    second = HAND_TILES.replace("constexpr int kRows = 16;", "constexpr int kRows = 64;") \
        .replace("constexpr uint32_t kBytes = kRows * kCols * sizeof(float);", "constexpr uint32_t kBytes = 16384;")
    ops = "    TADD(a, b, c);\n" + BARRIER + "    TADD(d, b, c);\n"
    text = ('#include "pto/pto-inst.hpp"\nusing namespace pto;\n__global__ AICORE void f() {\n' + first + ops
            + "}\n__global__ AICORE void g() {\n" + second + ops + "}\n")
    assert verdicts(tmp_path, text, chains=False) == [True, False]


def test_kernels_needing_the_cann_sdk_are_named(tmp_path: Path) -> None:
    path = tmp_path / "k.cpp"
    path.write_text('#include "kernel_operator.h"\n#include <acl/acl.h>\n#include "pto/pto-inst.hpp"\n'
                    '// #include "runtime/rt.h" is a comment\n#include "my_kernel_operator_helpers.h"\n')
    assert oracle_module.cann_includes(str(path)) == {"kernel_operator.h", "acl/acl.h"}


def _typed(name: str, address: int, rows: int, cols: int, valid: str, layout: str = "RowMajor",
           type_valid: str = "-1, -1") -> str:
    spelled = (f"Tile<TileType::Vec, float, {rows}, {cols}, BLayout::{layout}, {type_valid}, SLayout::NoneBox, 512, "
               "PadValue::Null, CompactMode::Null>")
    init = f" = {spelled}({valid})" if valid else ""
    return f"    {spelled} {name}{init};\n    TASSIGN({name}, {address});\n"


def _expansion_then(tmp_path: Path, rows: int = 8, cols: int = 128, valid: str = "8, 128", consumer: str = "TNEG(b, a)",
                    type_valid: str = "-1, -1", in_place: bool = True, chains: bool = True) -> bool:
    """The verdict on the barrier between TROWEXPANDSUB(a, src, rowv) and ``consumer`` (b reads a)."""
    rows_valid = valid.split(",")[0] if valid else str(rows)
    tiles = (_typed("src", 0, rows, cols, valid, type_valid=type_valid)
             + _typed("rowv", 0x10000, rows, 1, f"{rows_valid}, 1", layout="ColMajor")
             + _typed("a", 0, rows, cols, valid, type_valid=type_valid)
             + _typed("b", 0 if in_place else 0x8000, rows, cols, valid, type_valid=type_valid))
    text = kernel(tiles + BARRIER + "    TROWEXPANDSUB(a, src, rowv);\n" + BARRIER + f"    {consumer};\n" + BARRIER)
    return verdicts(tmp_path, text, chains=chains)[1]


def test_tbins_on_a_run_time_valid_col_walks_column_chunks_as_a_row_expansion_does(tmp_path: Path) -> None:
    # pto-isa a2a3 TBinSOp.hpp: ValidCol -1 in the type makes tileDataContinue false; 8 rows >= 2 + 1
    # and 8 * 2 >= 4: BinS2LNormModeRowRpt, one vmuls per 64-float chunk, 8 repeats at the 512-byte
    # row stride each: the walk of TRowExpandBinaryNormModeTail's vsub over dst (simpler's
    # swa_cache_insert_valid_bias.cpp:300).
    assert _expansion_then(tmp_path) is True
    assert _expansion_then(tmp_path, in_place=False) is True
    assert _expansion_then(tmp_path, consumer="TMULS(b, a, 2.0f)") is True
    assert _expansion_then(tmp_path, consumer="TADDS(b, a, 1.0f)") is True
    assert _expansion_then(tmp_path, chains=False) is False
    # A valid part of 8 of 16 rows and 128 of 256 columns, producer and consumer both TBinS ops:
    # 2 chunks x 8 rows = 16 repeats, the same on both sides.
    tiles = _typed("a", 0, 16, 256, "8, 128") + _typed("c", 0x8000, 16, 256, "8, 128")
    chain = kernel(tiles + "    TMULS(a, c, 2.0f);\n" + BARRIER + "    TNEG(a, a);\n")
    assert verdicts(tmp_path, chain) == [True]
    # Refused: different valid shapes on the two sides (other walks), TBinOp's TADD as consumer.
    other = kernel(_typed("a", 0, 16, 256, "8, 128") + _typed("b", 0, 16, 256, "16, 64")
                   + _typed("c", 0x8000, 16, 256, "8, 128") + "    TMULS(a, c, 2.0f);\n" + BARRIER + "    TNEG(b, b);\n")
    assert verdicts(tmp_path, other) == [False]
    assert _expansion_then(tmp_path, consumer="TADD(b, a, a)") is False


def test_column_chunk_chains_the_oracle_must_refuse(tmp_path: Path) -> None:
    # A static ValidCol (= Cols): TBinSInstr's continuous branch walks in address order, the
    # expansion in column chunks: consumer repeat 1 reads [256, 512), the producer's 9th repeat.
    assert _expansion_then(tmp_path, type_valid="8, 128", valid="") is False
    # Tail columns (96 of 128 floats: one masked chunk), and a 16x80 tile (64 + 16 columns).
    assert _expansion_then(tmp_path, valid="8, 96") is False
    assert _expansion_then(tmp_path, rows=16, cols=80, valid="16, 80") is False
    # Rows < normColRepeat + 1 (4 rows of 256 floats: BinS2LNormModeColVLAlign, row by row), though
    # 16 repeats.
    assert _expansion_then(tmp_path, rows=4, cols=256, valid="4, 256") is False
    # The expansion's count mode (validCol / 64 > validRow: 2 rows of 512 floats, row by row).
    assert _expansion_then(tmp_path, rows=2, cols=512, valid="2, 512") is False
    # A valid shape the oracle cannot evaluate, and fewer than 16 repeats (4 rows x 2 chunks).
    assert _expansion_then(tmp_path, valid="n, 128") is False
    assert _expansion_then(tmp_path, valid="4, 128") is False
    # A plain overwrite (TNEG of another tile into a's bytes) is no chain.
    tiles = (_typed("src", 0x4000, 8, 128, "8, 128") + _typed("rowv", 0x10000, 8, 1, "8, 1", layout="ColMajor")
             + _typed("a", 0, 8, 128, "8, 128") + _typed("z", 0x8000, 8, 128, "8, 128"))
    overwrite = kernel(tiles + "    TROWEXPANDSUB(a, src, rowv);\n" + BARRIER + "    TNEG(a, z);\n")
    assert verdicts(tmp_path, overwrite) == [False]


def test_tbins_count_and_column_repeat_modes_are_not_modelled() -> None:
    def info(rows: int, cols: int, shape: tuple[int, int]):
        tile = oracle_module.TileInfo("float", rows, cols, 0, False, False, "RowMajor", (-1, -1))
        tile.shape = shape
        return tile
    # rows * normColRepeat < 4 (1 x 256 floats, normColRepeat 4): count mode / one row: continuous.
    assert oracle_module._tbins_walks(info(1, 256, (1, 256)), info(1, 256, (1, 256))) is None
    # dst of 1 row, src of 2: count mode is off (2 * 4 >= 4) but column repeat (2 < 4 + 1) holds.
    assert oracle_module._tbins_walks(info(1, 256, (1, 256)), info(2, 256, (1, 256))) is None
    # 5 rows of 256 floats: row repeat, 4 chunks of 5 repeats at the 1024-byte stride.
    dst, src = oracle_module._tbins_walks(info(5, 256, (5, 256)), info(5, 256, (5, 256)))
    assert dst == src and dst[:6] == [(0, 256), (1024, 1280), (2048, 2304), (3072, 3328), (4096, 4352),
                                      (256, 512)]
    assert oracle_module._tbins_walks(info(300, 64, (300, 64)), info(300, 64, (300, 64))) is None  # Rows > 255


def test_the_chunk_model_agrees_with_the_recorded_trace_and_a_contradiction_is_refused(tmp_path: Path) -> None:
    import json
    agrees = oracle_module.CHUNK_MODEL_AGREES
    assert {"TNEG", "TMULS", "TADDS", "TROWEXPANDSUB"} <= agrees
    with open(oracle_module.TRACE_FACTS, encoding="utf-8") as handle:
        facts = json.load(handle)
    # The trace records TNEG on a 16x256 run-time-valid tile as column chunks; the model reproduces it.
    points = [p for p in facts["points"].values() if p["op"] == "TNEG" and not p["valid_static"]
              and p["rows"] == 16 and p["cols"] == 256 and p["valid_cols"] == 256]
    assert points and all(oracle_module._trace_point_walks(p) is not None for p in points)
    # One recorded repeat moved: that op is no longer credited, the others still are.
    for p in points:
        p["repeats"]["dst"][1][1] += 32
    broken = tmp_path / "facts.json"
    broken.write_text(json.dumps(facts))
    found = oracle_module._trace_agrees(str(broken))
    assert "TNEG" not in found and "TMULS" in found
