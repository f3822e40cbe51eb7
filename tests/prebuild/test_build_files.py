"""What `ptofix build` writes and reads besides the IR: a file the user names is never an artefact, config
values that are config errors (located at their headers and dotted keys), --depfile, what ptoas prints
(kept exactly, or refused as run refuses it), a caller including the kernel, build.sh's paths, and
sidecars that disagree.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import sys
from pathlib import Path

import pytest
from test_build import FA_DIR, FA_MLIR, REPO, _caller, build, needs_fa_cpp

from ptofix.cli import main

# ---- files the user names are never build artefacts; bad config values are config errors ----------
TINY_MLIR = """module {
  func.func @vec(%fifo: !pto.ptr<f32>) attributes {pto.kernel_kind = #pto.kernel_kind<vector>} {
    return
  }
}
"""
TINY_CPP = (b'#include "pto/pto-inst.hpp"\nusing namespace pto;\n\n'
            b'__global__ AICORE void k(__gm__ float* x) {\n  pipe_barrier(PIPE_ALL);\n}\n')


def _fake_ptoas(directory: Path, printed: bytes) -> Path:
    """A ptoas that says it is 0.45 and prints ``printed`` (any bytes) for any IR."""
    cpp = directory / "ptoas_prints.cpp"
    cpp.write_bytes(printed)
    script = directory / "fake_ptoas"
    script.write_text('#!/bin/sh\nif [ "$1" = "--version" ]; then echo "ptoas 0.45"; exit 0; fi\n'
                      f"cat {shlex.quote(str(cpp))}\n")
    script.chmod(0o755)
    return script


def _listing(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("named,artefact,what", [
    (("--caller", "kernel.cpp"), "kernel.cpp", "the caller"),            # -o . and the caller is STEM.cpp
    (("--sidecar", "kernel.slots.json"), "kernel.slots.json", "the --sidecar file"),
    (("--ir", "kernel.canon.mlir"), "kernel.canon.mlir", "the --ir file"),
    (("--depfile", "caller.cpp", "--caller", "caller.cpp"), "caller.cpp", "the caller"),
    (("--depfile", "kernel.fixed.cpp"), "kernel.fixed.cpp", "a build artefact"),
])
def test_a_file_the_user_names_is_never_overwritten_as_an_artefact(tools, tmp_path, capsys, monkeypatch, named,
                                                                   artefact, what):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    (work / "kernel.mlir").write_text(TINY_MLIR)
    (work / "kernel.cpp").write_text("// host caller: hand-written\n#include KERNEL_CPP\nint main() { return 0; }\n")
    (work / "caller.cpp").write_text("#include KERNEL_CPP\n")
    (work / "kernel.slots.json").write_text('{"version": 1, "pipes": []}\n')
    (work / "kernel.canon.mlir").write_text(TINY_MLIR)
    (work / "kernel.fixed.cpp").write_text("// a previous build's\n")
    before = _listing(work)
    ptoas = _fake_ptoas(tmp_path, TINY_CPP)
    argv = ["kernel.mlir", "-o", ".", "--no-config", "--ptoas", str(ptoas), "--bisheng", str(tools.bisheng), *named]
    for dry_run in ([], ["--dry-run"]):
        assert build(*argv, *dry_run) == 2
        err = capsys.readouterr().err
        assert re.search(rf"^{re.escape(named[-1])}: error: refusing to write the (build artefact|depfile) to "
                         rf"(\./)?{re.escape(artefact if what != 'a build artefact' else named[1])}: it is {what}; ",
                         err, re.M), err
        assert _listing(work) == before and tools.calls() == []


def test_a_nul_in_config_flags_is_a_located_config_error(tools, tmp_path, capsys):
    kernel = tmp_path / "k"
    kernel.mkdir()
    (kernel / "t.mlir").write_text(TINY_MLIR)
    (kernel / "ptofix.toml").write_text('target-ptoas = "v0.45"\nbisheng-flags = ["-O2", "-DX=\\u0000"]\n')
    out = tmp_path / "o"
    assert build(str(kernel / "t.mlir"), "-o", str(out), "--ptoas", str(_fake_ptoas(tmp_path, TINY_CPP)),
                 "--bisheng", str(tools.bisheng)) == 2
    err = capsys.readouterr().err
    assert re.search(r"ptofix\.toml:2:1: error: 'bisheng-flags' in .*ptofix\.toml contains a NUL character", err), err
    assert "internal error" not in err and not out.exists() and tools.calls() == []


@pytest.mark.parametrize("value,kind", [("1", "an integer"), ('"gu"', "a string"), ("[1]", "an array")])
def test_tool_ptofix_that_is_not_a_table_is_a_config_error(tools, tmp_path, capsys, value, kind):
    kernel = tmp_path / "k"
    kernel.mkdir()
    (kernel / "t.mlir").write_text(TINY_MLIR)
    (kernel / "ptofix.toml").write_text(f"[tool]\nptofix = {value}\n")
    out = tmp_path / "o"
    assert build(str(kernel / "t.mlir"), "-o", str(out), "--ptoas", str(_fake_ptoas(tmp_path, TINY_CPP))) == 2
    err = capsys.readouterr().err
    assert f"ptofix.toml:2:1: error: [tool.ptofix] in ptofix.toml must be a table, not {kind}" in err, err
    assert not out.exists()


@pytest.mark.parametrize("body,message", [
    ('target-ptoas = "v0.45"\n[foo]\nbar = 1\n', r"ptofix\.toml:2:1: error: unknown key 'foo'"),
    ('target-ptoas = "v0.45"\nfoo.bar = 1\n', r"ptofix\.toml:2:1: error: unknown key 'foo'"),
    ('target-ptoas = "v0.45"\n  [[foo]]\n', r"ptofix\.toml:2:3: error: unknown key 'foo'"),
    ('target-ptoas = "v0.45"\n"foo" = 1\n', r"ptofix\.toml:2:1: error: unknown key 'foo'"),
    # a header-like line inside a multi-line string is not the key
    ('target-ptoas = "v0.45"\npattern = """\n[foo]\n"""\n[foo]\n', r"ptofix\.toml:5:1: error: unknown key 'foo'"),
    ('[tool.ptofix]\nforce = "yes"\n', r"ptofix\.toml:2:1: error: 'force' in .* must be true or false"),
    ('[tool]\nptofix.force = "yes"\n', r"ptofix\.toml:2:1: error: 'force' in .* must be true or false"),
    ('pattern = "gu"\n[tool.ptofix]\nforce = true\n',
     r"ptofix\.toml:1:1: error: use either top-level keys or a \[tool\.ptofix\] table in ptofix\.toml, not both"),
])
def test_config_errors_point_at_headers_and_dotted_keys(tools, tmp_path, capsys, body, message):
    kernel = tmp_path / "k"
    kernel.mkdir()
    (kernel / "t.mlir").write_text(TINY_MLIR)
    (kernel / "ptofix.toml").write_text(body)
    assert build(str(kernel / "t.mlir"), "-o", str(tmp_path / "o"), "--dry-run") == 2
    assert re.search(message, capsys.readouterr().err)


def test_pyproject_tool_ptofix_not_a_table_is_located(tools, tmp_path, capsys):
    (tmp_path / "t.mlir").write_text(TINY_MLIR)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool]\nptofix = 1\n')
    assert build(str(tmp_path / "t.mlir"), "-o", str(tmp_path / "o"), "--dry-run") == 2
    assert "pyproject.toml:5:1: error: [tool.ptofix] must be a table, not an integer" in capsys.readouterr().err


@pytest.mark.parametrize("name, body, where", [
    ("ptofix.toml", 'pattern = "gu"\nptoas-flags = [' + "9" * 4301 + "]\n", ":2:16:"),
    ("ptofix.toml", "x = +" + "1_" * 4400 + "1\n", ":1:5:"),
    ("pyproject.toml", '[project]\nname = "x"\n\n[tool.ptofix]\npattern = ' + "7" * 5000 + "\n", ":5:11:"),
])
def test_a_config_integer_longer_than_python_converts_is_located(tools, tmp_path, capsys, name, body, where):
    # tomllib lets int()'s ValueError (more than 4300 digits) out: it was an internal error, and a
    # pyproject.toml holding one was passed over as not TOML (its [tool.ptofix] table unread).
    (tmp_path / "t.mlir").write_text(TINY_MLIR)
    (tmp_path / name).write_text(body)
    assert build(str(tmp_path / "t.mlir"), "-o", str(tmp_path / "o"), "--dry-run") == 2
    err = capsys.readouterr().err
    assert f"{name}{where} error: bad TOML: an integer of more than 4300 digits" in err, err


def test_a_pyproject_toml_that_is_not_toml_and_not_ours_is_still_passed_over(tools, tmp_path, capsys):
    (tmp_path / "k").mkdir()
    (tmp_path / "k" / "t.mlir").write_text(TINY_MLIR)
    (tmp_path / "k" / "pyproject.toml").write_text("[project]\nversion = " + "1" * 5000 + "\n")
    (tmp_path / "ptofix.toml").write_text('pattern = "gu"\n')
    assert build(str(tmp_path / "k" / "t.mlir"), "-o", str(tmp_path / "o"), "--dry-run") == 0


# ---- --depfile -------------------------------------------------------------------------------------
def test_depfile_in_the_output_directory_the_build_creates(tools, tmp_path, capsys, monkeypatch):
    # kernels/flash_attention/CMakeLists.txt: -o ${FA_OUT} --depfile ${FA_OUT}/fa.d on a clean tree
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.mlir").write_text(TINY_MLIR)
    ptoas = _fake_ptoas(tmp_path, TINY_CPP)
    assert build("t.mlir", "-o", "out/gen", "--no-config", "--ptoas", str(ptoas), "--depfile", "out/gen/t.d") == 0, \
        capsys.readouterr().err
    # The target as -o spells it (as gcc -MD writes it), the dependencies absolute.
    assert (tmp_path / "out/gen/t.d").read_text() == f"out/gen/t.fixed.cpp: {tmp_path}/t.mlir {ptoas}\n"
    # a directory elsewhere is created the same way, after the build
    assert build("t.mlir", "-o", "out/gen", "--no-config", "--ptoas", str(ptoas), "--depfile", "deps/t.d") == 0
    assert (tmp_path / "deps/t.d").is_file()
    capsys.readouterr()
    # still refused before anything runs: a depfile under a regular file
    (tmp_path / "plain").write_text("")
    for depfile, problem in (("plain/t.d", "Not a directory"),
                             ("plain/sub/t.d", f"cannot create directory plain/sub: {tmp_path}/plain is not a directory")):
        assert build("t.mlir", "-o", "out2", "--no-config", "--ptoas", str(ptoas), "--depfile", depfile) == 2
        assert f"error: cannot write depfile {depfile}: {problem}\n" in capsys.readouterr().err
        assert not (tmp_path / "out2").exists()


def test_depfile_escapes_colons_as_make_and_ninja_read_them(tools, tmp_path, capsys, monkeypatch):
    import shutil
    import subprocess
    monkeypatch.chdir(tmp_path)
    (tmp_path / "src:v2").mkdir()
    (tmp_path / "src:v2" / "t.mlir").write_text(TINY_MLIR)
    ptoas = _fake_ptoas(tmp_path, TINY_CPP)
    assert build("src:v2/t.mlir", "-o", "out:1", "--no-config", "--ptoas", str(ptoas), "--depfile", "t.d") == 0
    text = (tmp_path / "t.d").read_text()
    assert text == f"out\\:1/t.fixed.cpp: {tmp_path}/src\\:v2/t.mlir {ptoas}\n"
    make = shutil.which("make")
    if make is not None:
        # GNU Make reads it: rebuilt exactly when the IR under src:v2 is newer (its rule names the
        # target as the build's -o does)
        fixed = "out\\:1/t.fixed.cpp"
        (tmp_path / "Makefile").write_text(f"all: {fixed}\ninclude t.d\n{fixed}:\n\t@echo rebuild\n")
        os.utime(tmp_path / "src:v2" / "t.mlir", (1, 1))
        os.utime(ptoas, (1, 1))
        proc = subprocess.run([make, "-s"], capture_output=True, text=True)
        assert proc.returncode == 0 and proc.stdout == "", proc.stdout + proc.stderr
        os.utime(tmp_path / "src:v2" / "t.mlir")
        os.utime(tmp_path / "out:1" / "t.fixed.cpp", (2, 2))
        proc = subprocess.run([make, "-s"], capture_output=True, text=True)
        assert proc.returncode == 0 and proc.stdout == "rebuild\n", proc.stdout + proc.stderr
    # A ':' that ends a path reads as the end of the targets in Ninja: refused before anything runs.
    (tmp_path / "k.mlir:").write_text(TINY_MLIR)
    assert build("k.mlir:", "-o", "o2", "--no-config", "--ptoas", str(ptoas), "--depfile", "k.d") == 2
    assert "has a ':' at its end, which Make and Ninja cannot read" in capsys.readouterr().err
    assert not (tmp_path / "o2").exists() and not (tmp_path / "k.d").exists()


# ---- what ptoas prints ------------------------------------------------------------------------------
def test_non_utf8_ptoas_output_is_kept_exactly_and_refused_as_run_refuses_it(tools, tmp_path, capsys):
    printed = TINY_CPP.replace(b"using namespace pto;\n", b"using namespace pto;\n// source: /data/caf\xe9/a.mlir\n")
    ir = tmp_path / "t.mlir"
    ir.write_text(TINY_MLIR)
    out = tmp_path / "o"
    assert build(str(ir), "-o", str(out), "--no-config", "--ptoas", str(_fake_ptoas(tmp_path, printed))) == 2
    err = capsys.readouterr().err
    assert f"{out}/t.cpp:3:21: error: invalid UTF-8 byte 0xe9 (invalid continuation byte); ptofix reads UTF-8 " \
           "text only (in the C++ ptoas printed)" in err, err
    assert (out / "t.cpp").read_bytes() == printed           # the artefact is what ptoas printed
    assert not (out / "t.fixed.cpp").exists()
    assert json.loads((out / "t.report.json").read_text())["files"][0]["status"] == "error"
    # `ptofix run` on the same bytes: the same diagnostic
    assert main(["run", str(out / "t.cpp")]) == 2
    assert f"{out}/t.cpp:3:21: error: invalid UTF-8 byte 0xe9" in capsys.readouterr().err


@pytest.mark.parametrize("log", ["[bufid_sync] STEP 0: plan\n", "  [info] 3 buffers\n", "42 ops\n",
                                 "module {\n}\n"])
def test_log_lines_ptoas_prints_before_the_cpp_are_refused(tools, tmp_path, capsys, log):
    ir = tmp_path / "t.mlir"
    ir.write_text(TINY_MLIR)
    out = tmp_path / "o"
    printed = b"// generated\n" + log.encode() + TINY_CPP
    assert build(str(ir), "-o", str(out), "--no-config", "--ptoas", str(_fake_ptoas(tmp_path, printed))) == 2
    assert f"{out}/t.cpp:2:{len(log) - len(log.lstrip()) + 1}: error: ptoas printed " \
        in capsys.readouterr().err
    assert not (out / "t.fixed.cpp").exists()


STATIC_HELPER_KERNEL = """\
using TT = Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>;

static AICORE void helper() {
  TT a;
  TASSIGN(a, 0);
  pipe_barrier(PIPE_V);
  TADD(a, a, a);
}

__global__ AICORE void k(__gm__ float* x) {
  pipe_barrier(PIPE_ALL);
  helper();
  pipe_barrier(PIPE_ALL);
}
"""


@pytest.mark.parametrize("with_caller", [False, True])
def test_a_caller_that_includes_the_kernel_may_call_its_static_helpers(tools, tmp_path, capsys, monkeypatch,
                                                                        with_caller):
    # The helper's entry barrier is redundant while k is its only caller; a caller that #includes
    # the fixed kernel is the same translation unit and may call helper() with vector work in
    # flight, so with a caller the barrier stays.
    cpp = tmp_path / "emitted.cpp"
    cpp.write_text(STATIC_HELPER_KERNEL)
    monkeypatch.setenv("PTOAS_STANDIN_CPP", str(cpp))
    out = tmp_path / "o"
    extra = ["--caller", str(_caller(tmp_path))] if with_caller else []
    status = build(str(FA_MLIR), "-o", str(out), "--no-config", "--target-ptoas", "v0.45", "--pattern", "auto",
                   *extra)
    assert status == 0, capsys.readouterr().err
    fixed = (out / "fa.fixed.cpp").read_text()
    assert ("pipe_barrier(PIPE_V);" in fixed) is with_caller



def test_build_sh_takes_a_ptofix_path_with_a_space_as_one_word(tools, tmp_path):
    import subprocess
    venv_bin = tmp_path / "my venv" / "bin"
    venv_bin.mkdir(parents=True)
    ptofix = venv_bin / "ptofix"
    ptofix.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m ptofix "$@"\n')
    ptofix.chmod(0o755)
    env = dict(os.environ, PTOFIX=str(ptofix), PYTHONPATH=str(REPO), OUT_DIR=str(tmp_path / "out"))
    proc = subprocess.run(["bash", str(FA_DIR / "build.sh"), "--dry-run"], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "ptofix canonicalize --target-ptoas v0.45" in proc.stdout
    # A command line still splits: "python -m ptofix".
    env["PTOFIX"] = f"{sys.executable} -m ptofix"
    proc = subprocess.run(["bash", str(FA_DIR / "build.sh"), "--dry-run"], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr


@needs_fa_cpp
def test_two_sidecars_that_claim_one_ir_and_disagree_are_refused(tools, tmp_path, capsys):
    out = tmp_path / "o"
    assert build(str(FA_MLIR), "-o", str(out), "--no-compile") == 0
    # A stale `canonicalize -o` sidecar beside the build's: the stripped IR cannot tell which is right.
    stale = json.loads((out / "fa.slots.json").read_text())
    stale["pipes"] = [{**pipe, "local_slot_num": 4} for pipe in stale["pipes"]]
    (out / "fa.canon.mlir.slots.json").write_text(json.dumps(stale))
    assert build(str(out / "fa.canon.mlir"), "-o", str(tmp_path / "again"), "--no-config", "--target-ptoas", "v0.45",
                 "--no-compile") == 2
    assert "two sidecars hold values for" in capsys.readouterr().err
    # Agreeing copies are one source of values.
    (out / "fa.canon.mlir.slots.json").write_text((out / "fa.slots.json").read_text())
    assert build(str(out / "fa.canon.mlir"), "-o", str(tmp_path / "again"), "--no-config", "--target-ptoas", "v0.45",
                 "--no-compile") == 0
