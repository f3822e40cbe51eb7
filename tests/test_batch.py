"""Several kernels per call: `ptofix run|opt FILE... -i | -o DIR | --check [-j N]`."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
KERNELS = [REPO / "kernels" / "flash_attention" / "fa.cpp", REPO / "lit_tests" / "pipe-v-barrier" / "gu_inplace.cpp",
           REPO / "lit_tests" / "pipe-v-barrier" / "loop_back_edge.cpp"]


def ptofix(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ptofix", *args], capture_output=True, text=True, cwd=cwd)


def single(path: Path) -> str:
    proc = ptofix("run", "--pattern", "auto", str(path))
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture
def tree(tmp_path: Path) -> list[Path]:
    out = []
    for i, kernel in enumerate(KERNELS):
        target = tmp_path / f"k{i}.cpp"
        shutil.copyfile(kernel, target)
        out.append(target)
    return out


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_output_directory_gets_each_file_as_a_single_run_would(tree, tmp_path, jobs):
    outdir = tmp_path / "out"
    outdir.mkdir()
    proc = ptofix("run", "--pattern", "auto", "-j", jobs, "-o", str(outdir), *map(str, tree))
    assert proc.returncode == 0, proc.stderr
    for path in tree:
        assert (outdir / path.name).read_text() == single(path)


def test_in_place_and_check(tree):
    expected = [single(p) for p in tree]
    assert ptofix("run", "--pattern", "auto", "--check", *map(str, tree)).returncode == 1
    proc = ptofix("run", "--pattern", "auto", "-i", "-j", "2", *map(str, tree))
    assert proc.returncode == 0, proc.stderr
    assert [p.read_text() for p in tree] == expected
    assert ptofix("run", "--pattern", "auto", "--check", *map(str, tree)).returncode == 0


def test_bad_input_is_reported_and_the_others_are_still_fixed(tree, tmp_path):
    bad = tmp_path / "bad.cpp"
    bad.write_text("__global__ AICORE void k() {\n  TADD(a, b, c);\n")
    before = bad.read_text()
    expected = [single(p) for p in tree]
    proc = ptofix("run", "--pattern", "auto", "-i", "-j", "2", str(tree[0]), str(bad), *map(str, tree[1:]))
    assert proc.returncode == 2
    assert f"{bad}:1:" in proc.stderr and "error:" in proc.stderr
    assert bad.read_text() == before
    assert [p.read_text() for p in tree] == expected


def test_several_files_need_somewhere_to_go(tree, tmp_path):
    proc = ptofix("run", "--pattern", "auto", *map(str, tree))
    assert proc.returncode == 2 and "several input files" in proc.stderr
    proc = ptofix("run", "--pattern", "auto", "-o", str(tmp_path / "missing"), *map(str, tree))
    assert proc.returncode == 2 and "existing directory" in proc.stderr
    clash = tmp_path / "sub"
    clash.mkdir()
    shutil.copyfile(tree[0], clash / tree[1].name)
    outdir = tmp_path / "o"
    outdir.mkdir()
    proc = ptofix("run", "--pattern", "auto", "-o", str(outdir), str(tree[1]), str(clash / tree[1].name))
    assert proc.returncode == 2 and "two input files" in proc.stderr
    assert list(outdir.iterdir()) == []


def test_opt_takes_several_files(tree, tmp_path):
    outdir = tmp_path / "out"
    outdir.mkdir()
    proc = ptofix("opt", "-p", "pipe-v-barrier{pattern=auto}", "-j", "2", "-o", str(outdir), *map(str, tree))
    assert proc.returncode == 0, proc.stderr
    for path in tree:
        assert (outdir / path.name).read_text() == single(path)
