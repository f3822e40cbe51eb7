"""`ptofix build` with zero configuration: the target version from `ptoas --version` (mapped to the nearest
known one, or the only error when it cannot tell), the compiler from $BISHENG, the arch a module states
against the flags given, and a ptoas older or newer than the stated target.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_build import CORPUS, FA_MLIR, _settings_lines, build

from ptofix.pass_manager import build_pass
from ptofix.source import PtofixError, SourceText


# ---- zero configuration: the version from `ptoas --version`, the compiler from $BISHENG ------------
@pytest.mark.parametrize("printed,name,exact", [
    ("ptoas 0.45", "v0.45", True),
    ("ptoas version 0.45.1 (git 1234abc)", "v0.45", True),
    ("LLVM version 19.1.0\nptoas 0.36", "v0.36", True),      # the line naming ptoas wins
    ("ptoas 0.40", "v0.36", False),                          # not a known one: nearest not after it
    ("ptoas 0.27", "2026-04-17", False),
    ("ptoas 2026-05-01", "v0.36", False),
    ("ptoas 1.2", "newest", False),
])
def test_version_detection_maps_to_a_known_version(tools, tmp_path, capsys, monkeypatch, printed, name, exact):
    from ptofix.prebuild.tools import ptoas_version
    monkeypatch.setenv("PTOAS_STANDIN_VERSION", printed)
    detected = ptoas_version(str(tools.ptoas))
    assert (detected.name, detected.exact) == (name, exact)
    note = detected.note("ptoas")
    assert name in note and (exact or f"says {detected.number}" in note and "nearest known version" in note)


@pytest.mark.parametrize("printed,problem", [
    ("", "failed (exit status 1)"),
    ("ptoas (development build)", "prints no version number"),
    ("ptoas 0.20", "older than every version ptofix knows (the oldest is 2026-04-17)"),
    # (Before: "says 99999999999999999999.1, older than every version ptofix knows": a part of more
    # than 9 digits is not read, and is newer, not older.)
    ("ptoas 99999999999999999999.1", "says 99999999999999999999.1, which ptofix cannot read as a version "
                                     "(a part of more than 9 digits)"),
    ("ptoas 0.9999999999999", "which ptofix cannot read as a version"),
    ("ptoas 0000000000000.20", "older than every version ptofix knows"),
])
def test_a_ptoas_that_cannot_tell_is_the_only_error(tools, tmp_path, capsys, monkeypatch, printed, problem):
    ir = tmp_path / "fa.mlir"
    ir.write_text(FA_MLIR.read_text())
    monkeypatch.setenv("PTOAS_STANDIN_VERSION", printed)
    assert build(str(ir), "-o", str(tmp_path / "o"), "--no-config", "--dry-run") == 2
    err = capsys.readouterr().err
    assert problem in err and "pass --target-ptoas VERSION" in err
    assert tools.calls() == []


def test_dry_run_detects_the_version_and_runs_nothing_else(tools, tmp_path, capsys, monkeypatch):
    ir = tmp_path / "fa.mlir"
    ir.write_text(FA_MLIR.read_text())
    monkeypatch.setenv("PTOAS_STANDIN_VERSION", "ptoas 0.40")
    monkeypatch.setenv("BISHENG", str(tools.bisheng))
    assert build(str(ir), "-o", str(tmp_path / "o"), "--no-config", "--dry-run") == 0
    captured = capsys.readouterr()
    assert tools.calls() == [] and not (tmp_path / "o").exists()
    assert "note: target ptoas v0.36: 'ptoas --version' says 0.40" not in captured.err   # the full path is named
    assert f"note: target ptoas v0.36: '{tools.ptoas} --version' says 0.40 ('ptoas 0.40')" in captured.err
    assert "using v0.36, the nearest known version not after it" in captured.err
    settings = _settings_lines(captured.out)
    assert settings["target-ptoas"][0] == "v0.36"
    assert settings["target-ptoas"][1].startswith(f"'{tools.ptoas} --version' printed 'ptoas 0.40', mapped")
    assert "--target-ptoas v0.36" in captured.out
    assert "# bisheng runs: compiler set (environment $BISHENG)" in captured.out
    assert f"bisheng -c {tmp_path}/o/fa.fixed.cpp -o {tmp_path}/o/fa.o" in captured.out


def test_the_report_says_where_the_version_came_from(tools, tmp_path, capsys, monkeypatch):
    ir = tmp_path / "fa.mlir"
    ir.write_text(FA_MLIR.read_text())
    out = tmp_path / "o"
    assert build(str(ir), "-o", str(out), "--no-config", "--no-compile") == 0
    report = json.loads((out / "fa.report.json").read_text())["files"][0]
    assert report["target_ptoas"] == {"value": "v0.45", "from": f"'{tools.ptoas} --version' printed 'ptoas 0.45'"}
    assert report["settings"]["target-ptoas"] == report["target_ptoas"]
    assert report["compile"] == {"runs": False, "why": "--no-compile"}
    # a pinned version is not asked for
    assert build(str(ir), "-o", str(out), "--no-config", "--no-compile", "--target-ptoas", "v0.36") == 0
    report = json.loads((out / "fa.report.json").read_text())["files"][0]
    assert report["target_ptoas"] == {"value": "v0.36", "from": "command line"}


def test_compile_dry_run_names_why_bisheng_is_skipped(tools, tmp_path, capsys):
    ir = tmp_path / "fa.mlir"
    ir.write_text(FA_MLIR.read_text())
    assert build(str(ir), "-o", str(tmp_path / "o"), "--no-config", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "# bisheng: skipped (no compiler set: --bisheng, $BISHENG or bisheng in the config)" in out


def test_real_fa_kernel_builds_with_no_flags(tools, tmp_path, capsys, monkeypatch):
    """compile.sh's lines replaced by one call on the real three-pipe FA kernel (its own .pto): only
    $PTOAS and $BISHENG, no flag and no config. The version comes from the ptoas, the kernel is
    compiled on its own, and the IR's local_slot_num reaches every use of its two pipes per side
    although the C++ numbers the pipes by an older rule than the newest."""
    ir_src, cpp_src = CORPUS / "03_fa_splitpipe_call_both.pto.mlir", CORPUS / "03_fa_splitpipe_call_both.cpp"
    if not (ir_src.is_file() and cpp_src.is_file()):
        pytest.skip("corpus not present")
    kernel = tmp_path / "kernel"
    kernel.mkdir()
    ir = kernel / "fa.pto"
    ir.write_text(ir_src.read_text())
    original = cpp_src.read_text()
    older = re.sub(r"(TPipe<\d, Direction::DIR_\w+, \d+, 8, )1(, false>)", r"\g<1>8\2", original)
    assert older != original
    (tmp_path / "ptoas_out.cpp").write_text(older)
    monkeypatch.setenv("PTOAS_STANDIN_CPP", str(tmp_path / "ptoas_out.cpp"))
    monkeypatch.setenv("PTOAS", str(tools.ptoas))
    monkeypatch.setenv("BISHENG", str(tools.bisheng))
    monkeypatch.chdir(kernel)
    assert build("fa.pto", "-o", "out") == 0, capsys.readouterr().err
    err = capsys.readouterr().err
    assert f"note: target ptoas v0.45 (from '{tools.ptoas} --version': 'ptoas 0.45')" in err
    out = kernel / "out"
    assert [c["tool"] for c in tools.calls()] == ["ptoas", "bisheng"]
    assert tools.calls()[1]["argv"] == ["-c", "out/fa.fixed.cpp", "-o", "out/fa.o"]
    assert (out / "fa.o").is_file()
    fixed = (out / "fa.fixed.cpp").read_text()
    occurrences = re.findall(r"TPipe<(\d), Direction::DIR_\w+, \d+, 8, (\d+), false>", fixed)
    assert len(occurrences) > 20 and all(local == ("8" if flag == "4" else "1") for flag, local in occurrences)
    assert fixed == original
    report = json.loads((out / "fa.report.json").read_text())["files"][0]
    assert report["status"] == "ok" and report["artefacts"]["obj"] == "out/fa.o"
    assert report["compile"] == {"runs": True, "why": "compiler set (environment $BISHENG)"}
    fix = next(s for s in report["stages"] if s["stage"] == "fix")
    rows = next(p for p in fix["passes"] if p["pass"] == "local-slot-num")["pipes"]
    assert sorted((r["function"], r["flag_id"], r["local_after"], r["matched_by"]) for r in rows) == sorted(
        (f, flag, 8 if flag == 4 else 1, "shape") for f in ("cube_kernel", "vector_kernel") for flag in (0, 2, 4))


def test_a_pto_arch_flag_the_module_does_not_state_stops_the_build(tools, tmp_path, capsys):
    # canonicalize prepares the IR for the module's arch (a3 when unsaid); ptoas told a5 would
    # compile IR prepared for another arch.
    out = tmp_path / "o"
    assert build(str(FA_MLIR), "-o", str(out), "--no-compile", "--ptoas-flags=--pto-arch=a5 --enable-insert-sync") == 2
    err = capsys.readouterr().err
    assert 'error: ptoas runs with --pto-arch=a5 but the module says pto.target_arch = "a3"' in err
    assert not out.exists()


def test_the_default_flags_against_an_a5_module_say_which_flags_to_give(tools, tmp_path, capsys):
    # No flag given: the default's a3 disagrees with the module, and the message says what to pass.
    ir = tmp_path / "fa.mlir"
    ir.write_text(FA_MLIR.read_text().replace('pto.target_arch = "a3"', 'pto.target_arch = "a5"', 1))
    assert build(str(ir), "-o", str(tmp_path / "o"), "--no-compile") == 2
    err = capsys.readouterr().err
    assert "error: ptoas runs with the default flags '--pto-arch=a3 --enable-insert-sync' but the module says " \
           "pto.target_arch = \"a5\"" in err
    assert "pass --ptoas-flags='--pto-arch=a5 --enable-insert-sync'" in err
    assert build(str(ir), "-o", str(tmp_path / "o"), "--no-compile",
                 "--ptoas-flags=--pto-arch=a5 --enable-insert-sync") == 0


@pytest.mark.parametrize("flags, refused", [("--pto-arch a5", True), ("--pto-arch=a5", True),
                                           ("-pto-arch=a5", False), ("-pto-arch a5", False)])
def test_only_a_double_dash_arch_flag_overrides_the_modules_arch(tools, tmp_path, capsys, flags, refused):
    # ptoas's driver (hasCLIOption) counts only `--pto-arch` / `--pto-arch=` as given on the command
    # line; another spelling only sets the option, and the module's valid pto.target_arch wins.
    assert build(str(FA_MLIR), "-o", str(tmp_path / "o"), "--no-compile", f"--ptoas-flags={flags}") == (2 if refused
                                                                                                      else 0)
    if refused:
        assert 'error: ptoas runs with --pto-arch=a5 but the module says pto.target_arch = "a3"' in capsys.readouterr().err


def _fa_without_arch(tmp_path) -> Path:
    ir = tmp_path / "fa.mlir"
    ir.write_text(FA_MLIR.read_text().replace('pto.target_arch = "a3"', "", 1))
    return ir


def test_a_response_file_may_set_the_arch_of_a_module_that_states_none(tools, tmp_path, capsys):
    out = tmp_path / "o"
    assert build(str(_fa_without_arch(tmp_path)), "-o", str(out), "--no-compile", "--ptoas-flags=-pto-arch=a3 @a5.rsp") == 2
    assert "ptoas runs with the response file '@a5.rsp', which may set --pto-arch" in capsys.readouterr().err
    assert not out.exists()
    # A module's own arch, or a double-dash flag, decides whatever the file says.
    assert build(str(FA_MLIR), "-o", str(tmp_path / "o2"), "--no-compile", "--dry-run", "--ptoas-flags=@a5.rsp") == 0
    assert build(str(_fa_without_arch(tmp_path)), "-o", str(tmp_path / "o3"), "--no-compile", "--dry-run",
                 "--ptoas-flags=--pto-arch=a3 @a5.rsp") == 0


def test_a_dry_run_refuses_what_the_build_refuses(tools, tmp_path, capsys):
    ir = tmp_path / "fa.mlir"
    text = FA_MLIR.read_text().replace('pto.target_arch = "a3"', 'pto.target_arch = "a5"', 1)
    ir.write_text(text)
    assert build(str(ir), "-o", str(tmp_path / "o"), "--dry-run") == 2
    err = capsys.readouterr().err
    line = text[:text.index('pto.target_arch = "a5"')].count("\n") + 1
    assert f"fa.mlir:{line}:" in err and "the default flags" in err


def test_the_build_tells_the_local_slot_num_pass_its_arch(tools, tmp_path):
    # A module that states no arch is compiled for a3 (no flag) or for the flag's arch: the pass
    # need not guess it (frontend and l2l inits of one shape would take other FlagIDs on a5).
    from ptofix.prebuild.plan import check_arch
    ir = Path(__file__).parent.parent / "fixtures" / "ir" / "frontend_and_l2l_no_arch.pto"
    for flags, arch in (("--pto-arch=a3 --enable-insert-sync", "a3"), ("--enable-insert-sync", "a3"),
                        ("-pto-arch=a5", "a5")):
        plan = type("P", (), {})()
        plan.ptoas_cmd = ["ptoas", *flags.split()]
        plan.passes = [build_pass("local-slot-num", {"ir": str(ir)})]
        plan.default_ptoas_flags = False
        if arch == "a5":
            with pytest.raises(PtofixError, match="ptoas runs with --pto-arch=a5 but the module says no"):
                check_arch(plan, SourceText(ir.read_text(), str(ir)))
        else:
            _, passes = check_arch(plan, SourceText(ir.read_text(), str(ir)))
            assert passes[0].pto_arch == arch and plan.passes[0].pto_arch == ""


def test_an_output_option_in_the_ptoas_flags_is_refused(tools, tmp_path, capsys):
    assert build(str(FA_MLIR), "-o", str(tmp_path / "o"), "--no-compile", "--ptoas-flags=--pto-arch=a3 -o=x.cpp") == 2
    assert "ptoas-flags hold the output option '-o=x.cpp'" in capsys.readouterr().err


def test_an_arch_flag_against_a_module_without_pipes_is_the_compilers_business(tools, tmp_path):
    # Nothing canonicalize or the C++ passes do depends on the arch when the module has no pipe init.
    ir = tmp_path / "k.mlir"
    ir.write_text("module {\n  func.func @k() {\n    return\n  }\n}\n")
    assert build(str(ir), "-o", str(tmp_path / "o"), "--no-compile", "--ptoas-flags=--pto-arch=a5") == 0


@pytest.mark.parametrize("stated, flag", [("A5", "a5"), ("a5", "A5"), ("a2a3", "a3")])
def test_the_arch_check_reads_the_module_and_flag_as_ptoas_does(tools, tmp_path, stated, flag):
    # ptoas lower-cases both and takes an arch other than a3/a5 in the module for a3.
    ir = tmp_path / "fa.mlir"
    text = FA_MLIR.read_text()
    ir.write_text(text.replace('pto.target_arch = "a3"', f'pto.target_arch = "{stated}"', 1))
    assert f'pto.target_arch = "{stated}"' in ir.read_text()
    assert build(str(ir), "-o", str(tmp_path / "o"), "--no-compile", f"--ptoas-flags=--pto-arch={flag}") == 0


def test_a_ptoas_older_than_the_stated_target_stops_the_build(tools, tmp_path, capsys, monkeypatch):
    # ptoas 2026-04-17 (hw-native-sys a56b18c3) prints 0.27 and cannot parse the pto.declare_global a
    # v0.45 target keeps: the build says so before it runs anything and writes nothing.
    ir = tmp_path / "fa.mlir"
    ir.write_text(FA_MLIR.read_text())
    out = tmp_path / "o"
    monkeypatch.setenv("PTOAS_STANDIN_VERSION", "ptoas 0.27")
    assert build(str(ir), "-o", str(out), "--no-config", "--no-compile", "--target-ptoas", "v0.45") == 2
    err = capsys.readouterr().err
    assert "says 0.27 (ptoas 2026-04-17), older than the target, ptoas v0.45 (target-ptoas from command line)" in err
    assert not out.exists() and [c["tool"] for c in tools.calls()] == []


def test_a_ptoas_newer_than_the_stated_target_is_named_in_a_note(tools, tmp_path, capsys, monkeypatch):
    ir = tmp_path / "fa.mlir"
    ir.write_text(FA_MLIR.read_text())
    monkeypatch.setenv("PTOAS_STANDIN_VERSION", "ptoas 0.45")
    assert build(str(ir), "-o", str(tmp_path / "o"), "--dry-run", "--no-config", "--no-compile",
                 "--target-ptoas", "v0.36") == 0
    err = capsys.readouterr().err
    assert "note: 'ptoas --version' says 0.45 (ptoas v0.45), newer than the target, ptoas v0.36" in err \
        or "says 0.45 (ptoas v0.45), newer than the target, ptoas v0.36 (target-ptoas from command line)" in err
    # the same version: no note
    assert build(str(ir), "-o", str(tmp_path / "o"), "--dry-run", "--no-config", "--no-compile",
                 "--target-ptoas", "v0.45") == 0
    assert "newer than the target" not in capsys.readouterr().err
