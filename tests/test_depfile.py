"""`ptofix build --depfile`: Make/Ninja/CMake rebuild exactly when the IR or the config changes."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ptofix.cli import main

REPO = Path(__file__).resolve().parent.parent
KERNEL = REPO / "kernels" / "flash_attention"
STANDINS = Path(__file__).resolve().parent / "standins"


def wrapper(bindir: Path, name: str, script: Path) -> Path:
    path = bindir / name
    path.write_text(f"#!/bin/sh\nexec {sys.executable} {script} \"$@\"\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def kernel(tmp_path, monkeypatch):
    src = tmp_path / "fa"
    src.mkdir()
    for name in ("fa.mlir", "ptofix.toml", "caller.cpp", "CMakeLists.txt"):
        shutil.copyfile(KERNEL / name, src / name)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    monkeypatch.setenv("PTOAS", str(wrapper(bindir, "ptoas", STANDINS / "ptoas_standin.py")))
    monkeypatch.setenv("BISHENG", str(wrapper(bindir, "bisheng", STANDINS / "bisheng_standin.py")))
    monkeypatch.setenv("PTOAS_STANDIN_CPP", str(KERNEL / "fa.cpp"))
    monkeypatch.setenv("PTOFIX_STANDIN_LOG", str(tmp_path / "calls.jsonl"))
    return src


def test_depfile_names_the_ir_the_config_and_the_caller(kernel, tmp_path):
    out = tmp_path / "out"
    depfile = tmp_path / "fa.d"
    assert main(["build", str(kernel / "fa.mlir"), "-o", str(out), "--quiet", "--depfile", str(depfile)]) == 0
    target, deps = depfile.read_text().split(":", 1)
    assert target.strip() == str(out / "fa.fixed.cpp")
    assert set(deps.split()) == {str(kernel / "fa.mlir"), str(kernel / "ptofix.toml"), str(kernel / "caller.cpp")}


@pytest.mark.skipif(not shutil.which("cmake") or not shutil.which("ninja"), reason="needs cmake and ninja")
def test_cmake_ninja_rebuild_exactly_when_ir_or_config_change(kernel, tmp_path):
    build = tmp_path / "build"
    ptofix = Path(sys.executable).parent / "ptofix"
    subprocess.run(["cmake", "-S", str(kernel), "-B", str(build), "-G", "Ninja", f"-DPTOFIX={ptofix}"],
                   check=True, capture_output=True)

    def ninja() -> str:
        proc = subprocess.run(["ninja", "-C", str(build)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout

    assert "ptofix build fa.mlir" in ninja()
    assert "no work to do" in ninja()
    for changed in ("fa.mlir", "ptofix.toml"):
        time.sleep(1.1)
        os.utime(kernel / changed)
        assert "ptofix build fa.mlir" in ninja(), changed
        assert "no work to do" in ninja()
