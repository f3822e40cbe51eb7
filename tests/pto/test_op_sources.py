"""Op facts follow the pto-isa checkout the kernel is built against (issue #66, item 3).

The derived table records the headers each op's facts were read from, with their SHA-256
(ptofix/pto/op_sources.py); with --pto-isa an op whose headers differ in the checkout is Unknown
(its barriers kept), with a warning naming the op and the header. The tests on small trees read
no file of ../shared; those on a copy of ../shared/pto-isa/f35e7f60 skip without it."""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from test_headers import write

from ptofix.cli import main
from ptofix.isa_version import identify
from ptofix.pto.derived_facts import default_facts
from ptofix.pto.op_sources import checkout_reader, op_sources, recorded_sources, stale_ops
from ptofix.pto.ops import OPS

PTO_ISA_F35 = Path(__file__).resolve().parents[2].parent / "shared" / "pto-isa" / "f35e7f60"
A2A3 = "include/pto/npu/a2a3/"

# A small tree shaped like pto-isa's: the umbrella header, the wrappers (MAP_INSTR_IMPL), the op
# umbrella, and three ops: TCOLMAX (two headers), TADDS (one, leaning on a helper it does not
# include), TSORT32 (one).
TREE = {
    "include/pto/pto-inst.hpp": "#include <pto/common/pto_instr.hpp>\n",
    "include/pto/common/pto_instr.hpp": (
        "#include \"pto/common/pto_instr_impl.hpp\"\n"
        "PTO_INST RecordEvent TCOLMAX(D &dst, S &src) {\n  MAP_INSTR_IMPL(TCOLMAX, dst, src);\n}\n"
        "PTO_INST RecordEvent TADDS(D &dst, S &src, T s) {\n  MAP_INSTR_IMPL(TADDS, dst, src, s);\n}\n"
        "PTO_INST RecordEvent TSORT32(D &dst, S &src) {\n  TSORT32_IMPL(dst, src);\n}\n"),
    "include/pto/common/pto_instr_impl.hpp": (
        "#include \"pto/npu/a2a3/THelper.hpp\"\n#include \"pto/npu/a2a3/TColMax.hpp\"\n"
        "#include \"pto/npu/a2a3/TAddS.hpp\"\n#include \"pto/npu/a2a3/TSort32.hpp\"\n"),
    A2A3 + "TColMax.hpp": "#include \"TColReduceOps.hpp\"\nvoid TCOLMAX_IMPL() {\n  ColReduce();\n}\n",
    A2A3 + "TColReduceOps.hpp": "void ColReduce() {\n  pipe_barrier(PIPE_V);\n}\n",
    A2A3 + "THelper.hpp": "namespace pto {\ntemplate <typename T> void BinSHelper(T x) {\n  vadds(x);\n}\n}\n",
    A2A3 + "TAddS.hpp": "void TADDS_IMPL() {\n  BinSHelper(1);\n}\n",
    A2A3 + "TSort32.hpp": "void TSORT32_IMPL() {\n  vbitsort();\n}\n",
}
OPS_OF_TREE = ["TADDS", "TCOLMAX", "TSORT32"]


def tree(root: Path, files: dict[str, str] = TREE) -> Path:
    for path, text in files.items():
        write(root / path, text)
    return root


def recorded(root: Path) -> dict:
    found = op_sources(checkout_reader(str(root)), OPS_OF_TREE)
    assert found is not None
    return recorded_sources(*found, "c0ffee00")


def test_an_op_depends_on_its_headers_and_a_helper_it_names():
    found = op_sources({path: text.encode() for path, text in TREE.items()}.get, OPS_OF_TREE)
    assert found is not None
    sets, digests = found
    assert {p for p in sets["TCOLMAX"] if p.startswith(A2A3)} == {A2A3 + "TColMax.hpp", A2A3 + "TColReduceOps.hpp"}
    # TAddS.hpp calls BinSHelper, which THelper.hpp declares without TAddS.hpp including it.
    assert {p for p in sets["TADDS"] if p.startswith(A2A3)} == {A2A3 + "TAddS.hpp", A2A3 + "THelper.hpp"}
    assert {p for p in sets["TSORT32"] if p.startswith(A2A3)} == {A2A3 + "TSort32.hpp"}
    # The common set: the umbrella headers, not the op headers behind the op umbrella.
    assert "include/pto/common/pto_instr_impl.hpp" in sets["TSORT32"]
    assert digests[A2A3 + "TColReduceOps.hpp"] == hashlib.sha256(TREE[A2A3 + "TColReduceOps.hpp"].encode()).hexdigest()


def test_a_changed_header_makes_every_op_stale_naming_it(tmp_path):
    # Which op a changed header reaches is C++ name lookup, not a word scan (a specialisation added
    # to another op's header, tests/pto/test_op_sources_stale_headers.py): every op is stale, the op's own
    # header named as such.
    table = recorded(tree(tmp_path / "old"))
    assert stale_ops(table, str(tree(tmp_path / "same"))) == {}
    changed = tree(tmp_path / "new", {**TREE, A2A3 + "TColReduceOps.hpp": "void ColReduce() {\n}\n"})
    stale = stale_ops(table, str(changed))
    assert stale["TCOLMAX"] == f"{A2A3}TColReduceOps.hpp differs from pto-isa c0ffee00's"
    assert set(stale) == set(OPS_OF_TREE)
    assert stale["TSORT32"].startswith(f"{A2A3}TColReduceOps.hpp differs from pto-isa c0ffee00's, and a changed "
                                       "header of the a2a3 build may declare")
    helper = tree(tmp_path / "helper", {**TREE, A2A3 + "THelper.hpp": TREE[A2A3 + "THelper.hpp"] + "// x\n"})
    assert set(stale_ops(table, str(helper))) == set(OPS_OF_TREE)
    common = tree(tmp_path / "common", {**TREE, "include/pto/pto-inst.hpp": TREE["include/pto/pto-inst.hpp"] + "\n"})
    assert set(stale_ops(table, str(common))) == set(OPS_OF_TREE)


def test_a_header_of_another_npu_architecture_changes_nothing(tmp_path):
    files = {**TREE, "include/pto/common/pto_instr_impl.hpp": TREE["include/pto/common/pto_instr_impl.hpp"]
             + "#include \"pto/npu/a5/TColMax.hpp\"\n", "include/pto/npu/a5/TColMax.hpp": "void A5() {\n}\n"}
    table = recorded(tree(tmp_path / "old", files))
    changed = tree(tmp_path / "new", {**files, "include/pto/npu/a5/TColMax.hpp": "void A5() {\n  x();\n}\n"})
    assert stale_ops(table, str(changed)) == {}


def test_a_new_header_that_declares_a_name_an_op_calls_makes_it_stale(tmp_path):
    # TSort32.hpp now includes a header with another BinSHelper overload: TADDS's call may pick it.
    table = recorded(tree(tmp_path / "old"))
    files = {**TREE, A2A3 + "TSort32.hpp": TREE[A2A3 + "TSort32.hpp"] + "#include \"TMore.hpp\"\n",
             A2A3 + "TMore.hpp": "void BinSHelper(int x) {\n}\n"}
    stale = stale_ops(table, str(tree(tmp_path / "new", files)))
    assert set(stale) == set(OPS_OF_TREE) and "TMore.hpp" in stale["TADDS"]


def test_a_symlink_or_odd_file_makes_every_op_stale(tmp_path):
    # (A header that is not read may declare anything any op calls: every op is stale, each
    # naming it.)
    table = recorded(tree(tmp_path / "old"))
    linked = tree(tmp_path / "linked")
    header = linked / A2A3 / "TColReduceOps.hpp"
    shutil.move(header, linked / "real.hpp")
    os.symlink(linked / "real.hpp", header)         # (inside the checkout, same bytes)
    stale = stale_ops(table, str(linked))
    assert set(stale) == set(OPS_OF_TREE)
    assert all(why.startswith(f"{A2A3}TColReduceOps.hpp: it is a symbolic link") for why in stale.values())
    outside = tree(tmp_path / "outside")
    header = outside / A2A3 / "TColReduceOps.hpp"
    shutil.move(header, tmp_path / "elsewhere.hpp")
    os.symlink(tmp_path / "elsewhere.hpp", header)
    assert set(stale_ops(table, str(outside))) == set(OPS_OF_TREE)
    fifo = tree(tmp_path / "fifo")
    header = fifo / A2A3 / "TColReduceOps.hpp"
    header.unlink()
    os.mkfifo(header)
    stale = stale_ops(table, str(fifo))
    assert set(stale) == set(OPS_OF_TREE) and "it is a FIFO" in stale["TCOLMAX"]
    directory = tree(tmp_path / "directory")
    header = directory / A2A3 / "TSort32.hpp"
    header.unlink()
    header.mkdir()
    assert "it is a directory" in stale_ops(table, str(directory))["TSORT32"]


def test_the_shipped_table_records_the_headers_of_every_op():
    sources = default_facts().sources
    assert sources["commit"] == default_facts().commit == "f35e7f60"
    assert set(OPS) <= set(sources["ops"]) and set(default_facts().ops()) <= set(sources["ops"])
    assert A2A3 + "TColReduceOps.hpp" in sources["ops"]["TCOLMAX"]
    assert A2A3 + "TColReduceOps.hpp" not in sources["ops"]["TADDS"]
    assert all(len(digest) == 64 for digest in sources["files"].values())


# -- a copy of pto-isa f35e7f60 --------------------------------------------------------------------

TILE = ("Tile<TileType::Vec, float, {r}, 64, BLayout::RowMajor, {r}, 64, SLayout::NoneBox, 512, PadValue::Null, "
        "CompactMode::Null>")
# TCOLMAX then TADDS on the row it writes: TCOLMAX's trailing pipe_barrier (TColReduceOps.hpp)
# drains it, so the barrier between them goes, as long as the checkout's TCOLMAX is f35e7f60's.
COLMAX_KERNEL = f"""#include "pto/pto-inst.hpp"
using namespace pto;
extern "C" __global__ AICORE void k(__gm__ float* x) {{
  {TILE.format(r=16)} a;
  TASSIGN(a, 0);
  {TILE.format(r=1)} c;
  TASSIGN(c, 8192);
  {TILE.format(r=1)} d;
  TASSIGN(d, 16384);
  float s = 2.0f;
  TCOLMAX(c, a);
  pipe_barrier(PIPE_V);
  TADDS(d, c, s);
}}
"""


@pytest.fixture
def checkout(tmp_path):
    """A writable copy of pto-isa f35e7f60's include/."""
    if not (PTO_ISA_F35 / "include" / "pto" / "pto-inst.hpp").is_file():
        pytest.skip("no pto-isa checkout at ../shared/pto-isa/f35e7f60")
    root = tmp_path / "pto-isa"
    shutil.copytree(PTO_ISA_F35 / "include", root / "include")
    for directory, _, files in os.walk(root):
        os.chmod(directory, 0o755)
        for name in files:
            os.chmod(os.path.join(directory, name), 0o644)
    identify.cache_clear()
    yield root
    identify.cache_clear()


def _run(kernel: Path, checkout: Path | None, capsys) -> tuple[str, str]:
    """(the rewritten kernel, stderr) of `ptofix run --pattern auto [--pto-isa checkout]`."""
    out = kernel.with_suffix(".out.cpp")
    options = ["--pto-isa", str(checkout)] if checkout is not None else []
    identify.cache_clear()      # (read once per checkout and process: a test that edits one reads it again)
    assert main(["run", "-q", "--pattern", "auto", *options, str(kernel), "-o", str(out)]) == 0
    return out.read_text(), capsys.readouterr().err


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.slow
def test_tcolmax_without_its_trailing_barrier_keeps_the_barrier(tmp_path, checkout, capsys):
    kernel = write(tmp_path / "k.cpp", COLMAX_KERNEL)
    removed, err = _run(kernel, PTO_ISA_F35, capsys)
    assert "/* ptofix: removed pipe_barrier(PIPE_V) (auto) */" in removed and "unknown" not in err
    # The repro: the trailing pipe_barrier(PIPE_V)s of TCOLMAX deleted from the copy.
    header = checkout / A2A3 / "TColReduceOps.hpp"
    _edit(header, "    pto_copy_ubuf_to_ubuf(dst, src, 1, lenBurst, 0, 0);\n    pipe_barrier(PIPE_V);\n",
          "    pto_copy_ubuf_to_ubuf(dst, src, 1, lenBurst, 0, 0);\n")
    _edit(header, "                                                          validRow);\n    pipe_barrier(PIPE_V);\n}",
          "                                                          validRow);\n}")
    kept, err = _run(kernel, checkout, capsys)
    assert kept == COLMAX_KERNEL
    assert (f"warning: pto-isa {checkout}: TCOLMAX is read as unknown, its barriers kept: its facts were read "
            f"from other pto-isa code ({A2A3}TColReduceOps.hpp differs from pto-isa f35e7f60's)") in err
    # (Every op is stale: which op a changed header reaches is C++ name lookup.)
    assert f"TADDS is read as unknown, its barriers kept: its facts were read from other pto-isa code ({A2A3}" \
           "TColReduceOps.hpp differs from pto-isa f35e7f60's, and a changed header" in err


@pytest.mark.slow
def test_an_unmodified_copy_behaves_exactly_like_the_original(tmp_path, checkout, capsys):
    kernel = write(tmp_path / "k.cpp", COLMAX_KERNEL)
    original = _run(kernel, PTO_ISA_F35, capsys)
    copied = _run(kernel, checkout, capsys)
    assert copied == original
    assert identify(str(checkout))[0].stale_ops == ()


@pytest.mark.slow
def test_a_header_of_another_op_makes_every_op_stale_and_one_of_a5_nothing(tmp_path, checkout, capsys):
    kernel = write(tmp_path / "k.cpp", COLMAX_KERNEL)
    original = _run(kernel, PTO_ISA_F35, capsys)
    a5 = sorted((checkout / "include" / "pto" / "npu" / "a5").glob("*.hpp"))[0]
    a5.write_text(a5.read_text(encoding="utf-8") + "// changed\n", encoding="utf-8")
    assert _run(kernel, checkout, capsys) == original
    assert identify(str(checkout))[0].stale_ops == ()
    sort32 = checkout / A2A3 / "TSort32.hpp"
    sort32.write_text(sort32.read_text(encoding="utf-8") + "// changed\n", encoding="utf-8")
    kept, _err = _run(kernel, checkout, capsys)
    identify.cache_clear()
    assert kept == COLMAX_KERNEL
    stale = dict(identify(str(checkout))[0].stale_ops)
    assert "TSORT32" in stale and "TCOLMAX" in stale and "TADDS" in stale


@pytest.mark.slow
@pytest.mark.parametrize("odd", ["symlink inside", "symlink outside", "fifo"])
def test_a_symlink_or_odd_header_keeps_the_barrier(tmp_path, checkout, capsys, odd):
    kernel = write(tmp_path / "k.cpp", COLMAX_KERNEL)
    header = checkout / A2A3 / "TColReduceOps.hpp"
    if odd == "fifo":
        header.unlink()
        os.mkfifo(header)
    else:
        target = (checkout / "TColReduceOps.hpp") if odd == "symlink inside" else (tmp_path / "TColReduceOps.hpp")
        shutil.move(header, target)
        os.symlink(target, header)
    kept, err = _run(kernel, checkout, capsys)
    assert kept == COLMAX_KERNEL
    assert f"TCOLMAX is read as unknown, its barriers kept: its facts were read from other pto-isa code ({A2A3}" \
           "TColReduceOps.hpp: " in err
