"""`ptofix build --depfile`: Make/Ninja/CMake rebuild exactly when the IR, the config or the caller change."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ptofix.cli import main

REPO = Path(__file__).resolve().parents[2]
KERNEL = REPO / "kernels" / "flash_attention"
STANDINS = Path(__file__).resolve().parent.parent / "standins"


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
    assert target.split() == [str(out / "fa.fixed.cpp"), str(out / "fa.so")]   # the library too: compiled
    # the IR, ptofix.toml, the caller (all absolute), and the ptoas the build ran
    assert set(deps.split()) == {str(kernel / "fa.mlir"), str(kernel / "ptofix.toml"), str(kernel / "caller.cpp"),
                                 os.environ["PTOAS"]}
    report = json.loads((out / "fa.report.json").read_text())["files"][0]
    assert report["depfile"] == {"path": str(depfile), "deps": deps.split()}


def _tool(name: str) -> str | None:
    """On PATH (apt-get install cmake ninja-build) or in this venv (pip install cmake ninja)."""
    beside = Path(sys.executable).parent / name
    return shutil.which(name) or (str(beside) if beside.is_file() else None)


CMAKE, NINJA = _tool("cmake"), _tool("ninja")


@pytest.mark.skipif(CMAKE is None or NINJA is None, reason="needs cmake and ninja (apt or pip)")
def test_cmake_ninja_rebuild_exactly_when_ir_or_config_change(kernel, tmp_path):
    assert CMAKE is not None and NINJA is not None
    build = tmp_path / "build"
    ptofix = Path(sys.executable).parent / "ptofix"
    subprocess.run([CMAKE, "-S", str(kernel), "-B", str(build), "-G", "Ninja", f"-DCMAKE_MAKE_PROGRAM={NINJA}",
                    f"-DPTOFIX={ptofix}"], check=True, capture_output=True)

    def ninja() -> str:
        proc = subprocess.run([NINJA, "-C", str(build)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout

    assert "ptofix build fa.mlir" in ninja()
    # ptofix.toml names caller.cpp and $BISHENG is set: the build compiled it
    assert (build / "build_artifacts" / "fa.so").is_file()
    assert "no work to do" in ninja()
    (build / "build_artifacts" / "fa.so").unlink()           # an output of the step: built again
    assert "ptofix build fa.mlir" in ninja() and (build / "build_artifacts" / "fa.so").is_file()
    assert "no work to do" in ninja()
    for changed in ("fa.mlir", "ptofix.toml", "caller.cpp"):
        time.sleep(1.1)
        os.utime(kernel / changed)
        assert "ptofix build fa.mlir" in ninja(), changed
        assert "no work to do" in ninja()


@pytest.mark.skipif(CMAKE is None or NINJA is None, reason="needs cmake and ninja (apt or pip)")
def test_cmake_without_bisheng_stops_after_the_fixed_cpp(kernel, tmp_path, monkeypatch):
    assert CMAKE is not None and NINJA is not None
    monkeypatch.delenv("BISHENG")
    monkeypatch.setenv("PATH", "/usr/bin:/bin")         # no bisheng anywhere
    build = tmp_path / "build"
    ptofix = Path(sys.executable).parent / "ptofix"
    configure = [CMAKE, "-S", str(kernel), "-B", str(build), "-G", "Ninja", f"-DCMAKE_MAKE_PROGRAM={NINJA}",
                 f"-DPTOFIX={ptofix}"]
    subprocess.run(configure, check=True, capture_output=True)
    proc = subprocess.run([NINJA, "-C", str(build)], capture_output=True, text=True)
    # ptofix.toml names caller.cpp: the build compiles, and says which variable names bisheng.
    assert proc.returncode != 0 and "bisheng not found" in proc.stdout + proc.stderr
    subprocess.run(configure + ["-DFA_COMPILE=OFF"], check=True, capture_output=True)
    proc = subprocess.run([NINJA, "-C", str(build)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (build / "build_artifacts" / "fa.fixed.cpp").is_file() and not (build / "build_artifacts" / "fa.so").exists()


def test_depfile_paths_are_absolute_and_escaped(kernel, tmp_path, monkeypatch):
    """Make and Ninja read depfile paths against their own directory: the dependencies are absolute
    (the target is spelled as -o spells it, which is how a Makefile rule names it)."""
    spaced = tmp_path / "my kernel"
    shutil.copytree(kernel, spaced)
    monkeypatch.chdir(spaced)
    assert main(["build", "fa.mlir", "-o", "out", "--quiet", "--depfile", "fa.d"]) == 0
    text = (spaced / "fa.d").read_text()
    assert text.startswith("out/fa.fixed.cpp out/fa.so: ")      # the targets as -o spells them, as gcc -MD does
    assert f" {spaced / 'fa.mlir'}".replace("my kernel", "my\\ kernel") in text
    # a dry run writes no depfile, and a failed build leaves the previous one alone
    (spaced / "fa.d").unlink()
    assert main(["build", "fa.mlir", "-o", "out", "--quiet", "--depfile", "fa.d", "--dry-run"]) == 0
    assert not (spaced / "fa.d").exists()


def test_the_irs_own_sidecar_is_an_input_a_depfile_may_not_replace(kernel, tmp_path):
    # `canonicalize -o c.mlir` keeps the stripped local_slot_num values in c.mlir.slots.json, the
    # only copy: a build of c.mlir reads it, so it is a dependency and no output may go there.
    ir = kernel / "c.mlir"
    assert main(["canonicalize", "--target-ptoas", "v0.45", str(kernel / "fa.mlir"), "-o", str(ir)]) == 0
    sidecar = kernel / "c.mlir.slots.json"
    kept = sidecar.read_bytes()
    assert main(["build", str(ir), "-o", str(tmp_path / "out"), "--quiet", "--no-compile",
                 "--depfile", str(sidecar)]) == 2
    assert sidecar.read_bytes() == kept
    depfile = tmp_path / "c.d"
    assert main(["build", str(ir), "-o", str(tmp_path / "out"), "--quiet", "--no-compile",
                 "--depfile", str(depfile)]) == 0
    assert str(sidecar) in depfile.read_text().split(":", 1)[1].split()


def test_a_pyproject_toml_the_config_search_passed_over_is_a_dependency(kernel, tmp_path):
    # Adding [tool.ptofix] to it would make it the config: the build depends on its content.
    inner = kernel / "sub"
    inner.mkdir()
    shutil.move(kernel / "fa.mlir", inner / "fa.mlir")
    (inner / "pyproject.toml").write_text("[project]\nname = 'k'\n")
    depfile = tmp_path / "fa.d"
    assert main(["build", str(inner / "fa.mlir"), "-o", str(tmp_path / "out"), "--quiet", "--no-compile",
                 "--depfile", str(depfile)]) == 0
    deps = depfile.read_text().split(":", 1)[1].split()
    assert str(inner / "pyproject.toml") in deps and str(kernel / "ptofix.toml") in deps


@pytest.mark.parametrize("name", ["eq=x", "semi;x", "back\\x", "brk[x]", "amp&x", "q'x", "ff\fx", "del\x7fx"])
def test_a_path_make_or_ninja_would_misread_is_refused_for_the_depfile(kernel, tmp_path, capsys, name):
    odd = tmp_path / name
    shutil.copytree(kernel, odd)
    assert main(["build", str(odd / "fa.mlir"), "-o", str(tmp_path / "out"), "--quiet", "--no-compile",
                 "--depfile", str(tmp_path / "fa.d")]) == 2
    assert "which Make or Ninja reads otherwise in a dependency file" in capsys.readouterr().err
    assert not (tmp_path / "fa.d").exists()


def test_a_parenthesis_inside_a_path_is_written_and_a_percent_in_the_output_directory_refused(kernel, tmp_path,
                                                                                                capsys):
    # Make reads `name(member)` as an archive member only for a word that ends in ')'; a '%' in a
    # target makes the rule a pattern rule, which no build of the IR remakes.
    copy = tmp_path / "proj (copy)"
    shutil.copytree(kernel, copy)
    depfile = tmp_path / "fa.d"
    assert main(["build", str(copy / "fa.mlir"), "-o", str(tmp_path / "out"), "--quiet", "--no-compile",
                 "--depfile", str(depfile)]) == 0
    assert str(copy / "fa.mlir").replace(" ", "\\ ") in depfile.read_text()
    assert main(["build", str(copy / "fa.mlir"), "-o", str(tmp_path / "out%x"), "--quiet", "--no-compile",
                 "--depfile", str(tmp_path / "fa2.d")]) == 2
    assert "holds '%'" in capsys.readouterr().err
    shutil.move(copy / "fa.mlir", copy / "fa(1)")
    assert main(["build", str(copy / "fa(1)"), "-o", str(tmp_path / "out"), "--quiet", "--no-compile",
                 "--depfile", str(depfile)]) == 2
    assert "holds ')'" in capsys.readouterr().err


def test_an_ir_without_an_extension_builds_twice_into_its_own_directory(kernel):
    # The first build writes kern.slots.json beside `kern`: that is its artefact, not the IR's own
    # sidecar, and the second build replaces it.
    shutil.move(kernel / "fa.mlir", kernel / "kern")
    for _ in range(2):
        assert main(["build", str(kernel / "kern"), "-o", str(kernel), "--quiet", "--no-compile"]) == 0
    assert (kernel / "kern.fixed.cpp").is_file()
