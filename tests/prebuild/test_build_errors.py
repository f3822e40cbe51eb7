"""`ptofix build`'s errors, with the stand-in ptoas/bisheng of tests/conftest.py's `tools`: a missing or
failing tool, a build stopped anywhere, local-slot-num values refused when the build is planned, output
directories and lock files, bad configs, each a located error before anything runs where it can be.
"""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest
from test_build import FA_MLIR, REPO, build, needs_fa_cpp


# ---- errors --------------------------------------------------------------------------------------
def test_missing_ptoas_names_the_variable(tools, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    out = tmp_path / "o"
    assert build(str(FA_MLIR), "-o", str(out), "--no-compile") == 2
    err = capsys.readouterr().err
    assert "ptofix: error: ptoas not found: 'ptoas' (from default) is not on PATH; set PTOAS=/path/to/ptoas" in err
    assert not out.exists()
    monkeypatch.setenv("PTOAS", str(tmp_path / "no" / "ptoas"))
    assert build(str(FA_MLIR), "-o", str(out), "--no-compile") == 2
    err = capsys.readouterr().err
    assert f"ptoas not found: {tmp_path}/no/ptoas (from environment $PTOAS) does not exist; set PTOAS=" in err


def test_missing_bisheng_names_the_variable(tools, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("BISHENG", str(tmp_path))   # a directory, not an executable
    assert build(str(FA_MLIR), "-o", str(tmp_path / "o")) == 2
    err = capsys.readouterr().err
    assert f"bisheng at {tmp_path} (from environment $BISHENG) is not an executable file; set BISHENG=" in err
    assert tools.calls() == []


@needs_fa_cpp
def test_failing_ptoas_stops_with_its_stderr_and_status(tools, tmp_path, capsys, monkeypatch):
    out = tmp_path / "o"
    assert build(str(FA_MLIR), "-o", str(out)) == 0
    (out / "fa.fixed.cpp").write_text("stale")   # from an earlier build: must not survive
    tools.log.unlink()
    capsys.readouterr()
    monkeypatch.setenv("PTOAS_STANDIN_FAIL", "3")
    monkeypatch.setenv("PTOAS_STANDIN_STDERR", "fa.canon.mlir:12:5: error: custom op 'pto.tmuls' is unknown")
    assert build(str(FA_MLIR), "-o", str(out)) == 3
    err = capsys.readouterr().err
    assert "fa.canon.mlir:12:5: error: custom op 'pto.tmuls' is unknown" in err
    assert "ptofix build: error: ptoas failed (exit status 3): " in err
    assert [c["tool"] for c in tools.calls()] == ["ptoas"]
    assert not (out / "fa.cpp").exists() and not (out / "fa.fixed.cpp").exists()
    report = json.loads((out / "fa.report.json").read_text())["files"][0]
    assert report["status"] == "failed at ptoas" and report["stages"][-1]["exit_status"] == 3


@needs_fa_cpp
def test_failing_bisheng_stops_with_its_status(tools, tmp_path, capsys, monkeypatch):
    out = tmp_path / "o"
    monkeypatch.setenv("BISHENG_STANDIN_FAIL", "7")
    monkeypatch.setenv("BISHENG_STANDIN_STDERR", "error: no matching function for call to 'TPipe'")
    assert build(str(FA_MLIR), "-o", str(out)) == 7
    err = capsys.readouterr().err
    assert "error: no matching function for call to 'TPipe'" in err and "bisheng failed (exit status 7)" in err
    assert (out / "fa.fixed.cpp").is_file() and not (out / "fa.so").exists()


@needs_fa_cpp
def test_a_bisheng_that_fails_after_writing_leaves_no_library(tools, tmp_path, capsys, monkeypatch):
    out = tmp_path / "o"
    depfile = tmp_path / "fa.d"
    assert build(str(FA_MLIR), "-o", str(out), "--depfile", str(depfile)) == 0
    assert (out / "fa.so").is_file() and depfile.is_file()
    monkeypatch.setenv("BISHENG_STANDIN_FAIL", "1")
    monkeypatch.setenv("BISHENG_STANDIN_PARTIAL", "1")
    assert build(str(FA_MLIR), "-o", str(out), "--depfile", str(depfile)) == 1
    # Neither the old library nor bisheng's half-written one, nor the old depfile, is left.
    assert not (out / "fa.so").exists() and not depfile.exists()
    assert json.loads((out / "fa.report.json").read_text())["files"][0]["status"] == "failed at bisheng"


@needs_fa_cpp
def test_a_bisheng_that_succeeds_without_a_library_fails_the_build(tools, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("BISHENG_STANDIN_NO_OUTPUT", "1")
    out = tmp_path / "o"
    assert build(str(FA_MLIR), "-o", str(out)) == 1
    assert f"bisheng exited 0 but wrote no {out / 'fa.so'}" in capsys.readouterr().err
    report = json.loads((out / "fa.report.json").read_text())["files"][0]
    assert report["status"] == "failed at bisheng" and "lib" not in report["artefacts"]


@needs_fa_cpp
def test_a_build_stopped_anywhere_leaves_a_report_that_claims_its_files(tools, tmp_path, capsys, monkeypatch):
    from ptofix.prebuild import stages
    out = tmp_path / "o"
    assert build(str(FA_MLIR), "-o", str(out)) == 0
    real_unlink = os.unlink

    def stop_at_the_library(path, *a, **k):
        if str(path).endswith("fa.so"):
            raise KeyboardInterrupt
        return real_unlink(path, *a, **k)

    # Stopped while the old artefacts are removed: the new report already claims them.
    monkeypatch.setattr(os, "unlink", stop_at_the_library)
    assert build(str(FA_MLIR), "-o", str(out)) == 130
    monkeypatch.setattr(os, "unlink", real_unlink)
    assert json.loads((out / "fa.report.json").read_text())["files"][0]["status"] == "interrupted (SIGINT)"
    assert build(str(FA_MLIR), "-o", str(out)) == 0
    # Stopped in a stage: the report says so.
    real_run_tool = stages.run_tool

    def interrupted_bisheng(stage, argv, stdout_path):
        if stage == "bisheng":
            raise KeyboardInterrupt
        return real_run_tool(stage, argv, stdout_path)

    monkeypatch.setattr(stages, "run_tool", interrupted_bisheng)
    assert build(str(FA_MLIR), "-o", str(out)) == 130
    assert json.loads((out / "fa.report.json").read_text())["files"][0]["status"] == "interrupted (SIGINT)"


def _fa_with_slot_config(tmp_path: Path, slot_map: str) -> Path:
    """The FA IR in tmp/k with a ptofix.toml (its line 2) giving ``local-slot-num``."""
    kernel = tmp_path / "k"
    kernel.mkdir()
    (kernel / "fa.mlir").write_text(FA_MLIR.read_text())
    (kernel / "ptofix.toml").write_text(f'target-ptoas = "v0.45"\nlocal-slot-num = "{slot_map}"\n')
    return kernel / "fa.mlir"


def test_a_local_slot_num_below_one_is_refused_when_the_build_is_planned(tools, tmp_path, capsys):
    ir = _fa_with_slot_config(tmp_path, "0=2,2=0")
    out = tmp_path / "o"
    assert build(str(ir), "-o", str(out), "--dry-run") == 2
    assert f"{ir.parent / 'ptofix.toml'}:2:1: error: local-slot-num 0=2,2=0: LocalSlotNum 0 fits no pipe" \
        in capsys.readouterr().err
    assert build(str(ir), "-o", str(out), "--local-slot-num", "-1") == 2
    assert "LocalSlotNum -1 fits no pipe" in capsys.readouterr().err and not out.exists()


@needs_fa_cpp
def test_a_build_from_its_own_canonical_ir_keeps_the_slot_intent(tools, tmp_path, capsys):
    out, again = tmp_path / "o", tmp_path / "again"
    assert build(str(FA_MLIR), "-o", str(out), "--no-compile") == 0
    first = (out / "fa.fixed.cpp").read_text()
    canon = [line for line in (out / "fa.canon.mlir").read_text().splitlines() if not line.lstrip().startswith("//")]
    assert not any("local_slot_num" in line for line in canon)          # the values live in fa.slots.json
    assert build(str(out / "fa.canon.mlir"), "-o", str(again), "--no-config", "--target-ptoas", "v0.45",
                 "--pattern", "gu", "--no-compile") == 0
    assert (again / "fa.canon.fixed.cpp").read_text() == first


def test_a_dangling_output_directory_link_is_named(tools, tmp_path, capsys):
    (tmp_path / "o").symlink_to(tmp_path / "gone")
    for out in ("o", "o/fa"):       # the directory itself, or one above it
        for extra in (["--dry-run"], []):
            assert build(str(FA_MLIR), "-o", str(tmp_path / out), *extra) == 2
            assert f"is a symbolic link to {tmp_path / 'gone'}, which does not exist" in capsys.readouterr().err


@needs_fa_cpp
def test_the_lock_file_is_never_followed_or_replaced(tools, tmp_path, capsys):
    out = tmp_path / "o"
    out.mkdir()
    (out / ".fa.lock").symlink_to(tmp_path / "elsewhere")
    for extra in (["--dry-run"], []):
        assert build(str(FA_MLIR), "-o", str(out), *extra) == 2
        assert f"cannot lock {out / '.fa.lock'}: not a regular file" in capsys.readouterr().err
    assert not (tmp_path / "elsewhere").exists()


def test_a_local_slot_num_above_the_irs_slot_num_is_refused_before_out_dir_is_touched(tools, tmp_path, capsys):
    ir = _fa_with_slot_config(tmp_path, "0=2,2=9")
    out = tmp_path / "o"
    for extra in (["--dry-run"], ["--no-compile"]):
        assert build(str(ir), "-o", str(out), *extra) == 2
        assert f"{ir.parent / 'ptofix.toml'}:2:1: error: local-slot-num 0=2,2=9: LocalSlotNum 9 is above the SlotNum " \
            "(8)" in capsys.readouterr().err
    assert build(str(ir), "-o", str(out), "--local-slot-num", "9", "--no-compile") == 2
    assert "LocalSlotNum 9 is above the SlotNum (8)" in capsys.readouterr().err and not out.exists()


@needs_fa_cpp
def test_a_build_directory_moved_whole_keeps_its_slot_intent_and_names_the_sidecar(tools, tmp_path, capsys):
    first, moved, again = tmp_path / "o", tmp_path / "moved", tmp_path / "again"
    assert build(str(FA_MLIR), "-o", str(first), "--no-compile") == 0
    first.rename(moved)
    depfile = tmp_path / "again.d"
    assert build(str(moved / "fa.canon.mlir"), "-o", str(again), "--no-config", "--target-ptoas", "v0.45",
                 "--no-compile", "--depfile", str(depfile)) == 0
    assert (again / "fa.canon.fixed.cpp").read_text().count(", 8, 2, ") == 28
    assert str(moved / "fa.slots.json") in depfile.read_text().split(":", 1)[1].split()


def test_a_missing_caller_is_refused_before_anything_runs(tools, tmp_path, capsys):
    out = tmp_path / "o"
    for extra in (["--dry-run"], []):
        assert build(str(FA_MLIR), "-o", str(out), "--caller", str(tmp_path / "nope.cpp"), *extra) == 2
        assert f"error: caller {tmp_path / 'nope.cpp'}: no such file (command line)" in capsys.readouterr().err
    assert not out.exists() and tools.calls() == []
    # Not compiling, the caller is not read.
    assert build(str(FA_MLIR), "-o", str(out), "--caller", str(tmp_path / "nope.cpp"), "--no-compile",
                 "--dry-run") == 0


def test_a_pto_lib_header_the_pass_cannot_use_is_refused_before_anything_runs(tools, tmp_path, capsys):
    header = tmp_path / "pto-isa" / "include" / "pto" / "npu" / "a2a3" / "TPush.hpp"
    header.parent.mkdir(parents=True)
    # pto-isa 2026-03-26 to 04-09: LocalSlotNum fifth and no IsNoSplit, an order ptofix does not write.
    header.write_text("template <uint8_t FlagID, uint8_t DirType, uint32_t SlotSize, uint32_t SlotNum, "
                      "uint32_t LocalSlotNum = 2, bool EN_UNIT_FLAG = false> struct TPipe;\n")
    out = tmp_path / "o"
    for extra in (["--dry-run"], []):
        assert build(str(FA_MLIR), "-o", str(out), "--pto-lib", str(tmp_path / "pto-isa"), *extra) == 2
        assert "without IsNoSplit" in capsys.readouterr().err
    assert not out.exists() and tools.calls() == []


def test_a_pto_lib_without_include_stops_a_compiling_build_before_anything_runs(tools, tmp_path, capsys):
    pto_isa = tmp_path / "pto-isa"
    (pto_isa / "include" / "pto").mkdir(parents=True)
    out = tmp_path / "o"
    # The include directory itself, a common slip: bisheng would get include/include.
    assert build(str(FA_MLIR), "-o", str(out), "--pto-lib", str(pto_isa / "include")) == 2
    err = capsys.readouterr().err
    assert f"has no include directory (bisheng would get -I{pto_isa / 'include' / 'include'})" in err
    assert f"looks like the include directory itself: give the checkout {pto_isa}" in err
    assert not out.exists() and tools.calls() == []
    # A dry run warns; without compiling it is a note (the pass then keeps ptoas's TPipe order).
    assert build(str(FA_MLIR), "-o", str(out), "--pto-lib", str(tmp_path / "nope"), "--dry-run") == 0
    assert "warning: pto-lib" in capsys.readouterr().err
    assert build(str(FA_MLIR), "-o", str(out), "--pto-lib", str(tmp_path / "nope"), "--no-compile") == 0
    assert "note: pto-lib" in capsys.readouterr().err
    assert build(str(FA_MLIR), "-o", str(out), "--pto-lib", str(pto_isa), "--no-compile") == 0
    assert "has no include/pto/npu/a2a3/TPush.hpp: the TPipe argument order stays" in capsys.readouterr().err


def test_an_ir_named_like_another_stems_artefact_is_refused(tools, tmp_path, capsys):
    ir = tmp_path / "fa.fixed.mlir"
    ir.write_text(FA_MLIR.read_text())
    assert build(str(ir), "-o", str(tmp_path / "o"), "--dry-run") == 2
    assert "whose ptoas output" in capsys.readouterr().err and not (tmp_path / "o").exists()


def test_an_output_directory_the_callers_include_cannot_name_is_refused(tools, tmp_path, capsys):
    out = tmp_path / 'q"dir'
    assert build(str(FA_MLIR), "-o", str(out), "--dry-run") == 2
    assert "holds a quote or a line break, which -DKERNEL_CPP" in capsys.readouterr().err
    # Without a caller the fixed C++ is compiled by its own path.
    assert build(str(FA_MLIR), "-o", str(out), "--dry-run", "--no-config", "--target-ptoas", "v0.45",
                 "--bisheng", str(tools.bisheng)) == 0


@needs_fa_cpp
def test_a_second_build_of_the_same_stem_waits_for_the_first(tools, tmp_path):
    import fcntl
    import subprocess
    out = tmp_path / "o"
    out.mkdir()
    env = dict(os.environ, PYTHONPATH=str(REPO))
    with open(out / ".fa.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)       # a build of fa into o is running
        proc = subprocess.Popen([sys.executable, "-m", "ptofix", "build", str(FA_MLIR), "-o", str(out)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        # The event: the child says it waits for the lock (it prints that line, then blocks in
        # flock); EOF first means it never waited.
        assert proc.stderr is not None
        said = []
        for line in iter(proc.stderr.readline, ""):
            said.append(line)
            if "waiting for another build of fa" in line:
                break
        assert f"waiting for another build of fa into {out} to finish" in "".join(said), "".join(said)
        # It has read and checked its input, but touched no artefact of the running build.
        assert proc.poll() is None and not any(p.name.startswith("fa.") for p in out.iterdir())
    out_text, rest = proc.communicate(timeout=120)
    err = "".join(said) + rest
    assert proc.returncode == 0, err
    assert f"waiting for another build of fa into {out} to finish" in err
    assert json.loads((out / "fa.report.json").read_text())["files"][0]["status"] == "ok" and (out / "fa.so").is_file()


@pytest.mark.slow   # (2 s of CPU or more, measured: CI's full tier runs it)
@needs_fa_cpp
def test_a_file_no_build_wrote_is_never_removed_as_an_old_artefact(tools, tmp_path, capsys, monkeypatch):
    # `-o .` in a kernel directory that keeps ptoas's output as STEM.cpp (as kernels/ does).
    work = tmp_path / "k"
    work.mkdir()
    (work / "fa.mlir").write_text(FA_MLIR.read_text())
    (work / "fa.cpp").write_text("// kept by hand\n")
    monkeypatch.chdir(work)
    for dry_run in ([], ["--no-compile"]):
        assert build("fa.mlir", "-o", ".", "--no-config", "--target-ptoas", "v0.45", *dry_run) == 2
        assert "error: refusing to replace ./fa.cpp: no earlier ptofix build of 'fa' wrote it" in capsys.readouterr().err
        assert (work / "fa.cpp").read_text() == "// kept by hand\n" and tools.calls() == []
    # What a build wrote, the next one replaces; a report of another stem claims nothing of this one.
    (work / "fa.cpp").unlink()
    assert build("fa.mlir", "-o", ".", "--no-config", "--target-ptoas", "v0.45", "--no-compile") == 0
    assert build("fa.mlir", "-o", ".", "--no-config", "--target-ptoas", "v0.45", "--no-compile") == 0
    report = json.loads((work / "fa.report.json").read_text())
    assert list(report) == ["version", "files"] and report["files"][0]["file"] == "fa.mlir"
    # A report of a ptofix before the one report shape (version 1: the build's object itself) still claims.
    (work / "fa.report.json").write_text(json.dumps(report["files"][0]))
    assert build("fa.mlir", "-o", ".", "--no-config", "--target-ptoas", "v0.45", "--no-compile") == 0
    report = json.loads((work / "fa.report.json").read_text())
    report["files"][0]["stem"] = "other"
    (work / "fa.report.json").write_text(json.dumps(report))
    assert build("fa.mlir", "-o", ".", "--no-config", "--target-ptoas", "v0.45", "--no-compile") == 2


def test_canonicalize_error_stops_before_ptoas(tools, tmp_path, capsys):
    # GM-only pipes (no local_addr) do not exist in hw-head ptoas.
    assert build(str(FA_MLIR), "-o", str(tmp_path / "o"), "--target-ptoas", "hw-head") == 2
    err = capsys.readouterr().err
    first_init = next(n for n, line in enumerate(FA_MLIR.read_text().splitlines(), 1)
                      if '"pto.initialize_l2g2l_pipe"' in line)
    assert re.search(rf"fa\.mlir:{first_init}:5: error: 'pto\.initialize_l2g2l_pipe' needs operand 'local_addr' for ptoas"
                     r" 2026-04-17", err), err
    assert tools.calls() == []


@pytest.mark.parametrize("body,message", [
    ('target-ptoas = "v0.45"\npatern = "gu"\n', r"ptofix\.toml:2:1: error: unknown key 'patern'"),
    ('target-ptoas = "v0.45"\npattern = true\n', r"ptofix\.toml:2:1: error: 'pattern' in .* must be a string, not a boolean"),
    ('target-ptoas = "v0.45"\nforce = "yes"\n', r"ptofix\.toml:2:1: error: 'force' in .* must be true or false"),
    ('target-ptoas = "v0.45"\nptoas-flags = [1, 2]\n', r"ptofix\.toml:2:1: error: 'ptoas-flags' .* list of strings"),
    ('target-ptoas = "v0.45"\nto = "pretty"\n', r"ptofix\.toml:2:1: error: 'to' in .* must be one of custom, generic"),
    ('target-ptoas = "v0.45"\ndry-run = true\n', r"ptofix\.toml:2:1: error: unknown key 'dry-run'"),
    ('target-ptoas = "v0.45\n', r"ptofix\.toml:1:\d+: error: bad TOML"),
    ('target-ptoas = "v0.45"\npattern = 3\n', r"ptofix\.toml:2:1: error: 'pattern' in .* must be a string, not an integer"),
    ('target-ptoas = "v0.45"\nir = 5\n', r"ptofix\.toml:2:1: error: 'ir' in .* must be a string, not an integer"),
    ('target-ptoas = "v0.45"\ncaller = { a = 1 }\n', r"ptofix\.toml:2:1: error: 'caller' in .* must be a string \(a path\)"),
    ('target-ptoas = "v0.45"\ncaller = ["a.cpp", "b.cpp"]\n', r"ptofix\.toml:2:1: error: 'caller' .* string \(a path\)"),
    ('target-ptoas = "v0.45"\nptoas = ["/bin/true"]\n', r"ptofix\.toml:2:1: error: 'ptoas' in .* string \(a path\)"),
    ('target-ptoas = "v0.45"\npattern = "bogus"\n', r"ptofix\.toml:2:1: error: 'pattern' in .*: unknown barrier pattern"),
    ('target-ptoas = "v9x"\n', r"ptofix\.toml:1:1: error: 'target-ptoas' in .*: unknown ptoas version 'v9x'"),
    ('\ufefftarget-ptoas = "v0.45"\npattern = 3\n', r"ptofix\.toml:2:1: error: 'pattern' in .* not an integer"),
    ('target-ptoas = "v0.45"\nbisheng-flags = \'-O2 "-DX\'\n', r"ptofix\.toml:2:1: error: cannot split flags"),
    ('target-ptoas = "v0.45"\nptoas-flags = ["--pto-arch=a3", "-o", "x.cpp"]\n',
     r"ptofix\.toml:2:1: error: ptoas-flags hold the output option '-o'"),
])
def test_bad_config_is_a_located_error(tools, tmp_path, capsys, body, message):
    kernel = tmp_path / "k"
    kernel.mkdir()
    ir = kernel / "fa.mlir"
    ir.write_text(FA_MLIR.read_text())
    (kernel / "ptofix.toml").write_text(body)
    assert build(str(ir), "-o", str(tmp_path / "o"), "--dry-run") == 2
    assert re.search(message, capsys.readouterr().err)


def test_a_config_may_give_counts_as_integers_and_start_with_a_bom(tools, tmp_path, capsys):
    kernel = tmp_path / "k"
    kernel.mkdir()
    ir = kernel / "fa.mlir"
    ir.write_text(FA_MLIR.read_text())
    (kernel / "ptofix.toml").write_text('\ufefftarget-ptoas = "v0.45"\nlocal-slot-num = 2\n', encoding="utf-8")
    assert build(str(ir), "-o", str(tmp_path / "o"), "--dry-run") == 0, capsys.readouterr().err
    assert "local-slot-num = 2" in capsys.readouterr().out


def test_explicit_missing_config_file(tools, tmp_path, capsys):
    assert build(str(FA_MLIR), "-o", "o", "--config", str(tmp_path / "nope.toml")) == 2
    assert "no such config file" in capsys.readouterr().err


def test_compile_without_caller_compiles_the_fixed_kernel_alone(tools, tmp_path, capsys):
    assert build(str(FA_MLIR), "-o", "o", "--no-config", "--target-ptoas", "v0.45", "--compile", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "bisheng -c o/fa.fixed.cpp -o o/fa.o" in out


def test_line_number_barrier_list_is_ignored_with_a_warning(tools, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FA_REMOVE_VEC_BARRIERS", "201,252")
    assert build(str(FA_MLIR), "-o", "o", "--dry-run") == 0
    assert "FA_REMOVE_VEC_BARRIERS (line numbers) is ignored" in capsys.readouterr().err
