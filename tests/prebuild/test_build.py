"""`ptofix build`: the pre-build hook, run with STAND-IN ptoas/bisheng executables.

tests/standins/ptoas_standin.py and bisheng_standin.py are not compilers: they record their argv
(and input files) to $PTOFIX_STANDIN_LOG, the ptoas stand-in emits a known C++ file (the FA
sample, or a corpus file) and rejects generic-form pipe ops, the bisheng stand-in checks that
KERNEL_CPP and the caller exist and writes a marker file; both fail on request.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import stat
import sys
from pathlib import Path

import pytest
from conftest import in_place_gu_barriers

from ptofix.cli import main
from ptofix.pass_manager import build_pass
from ptofix.source import PtofixError, SourceText

REPO = Path(__file__).resolve().parents[2]
FA_DIR = REPO / "kernels" / "flash_attention"
FA_MLIR = FA_DIR / "fa.mlir"
FA_CPP = FA_DIR / "fa.cpp"
STANDINS = REPO / "tests" / "standins"
CORPUS = REPO.parent / "shared" / "corpus" / "real"

ENV_KEYS = ("PTOAS", "BISHENG", "PTO_LIB_PATH", "PTOFIX_PATTERN", "FA_REMOVE_VEC_BARRIER_PATTERNS", "FA_REMOVE_VEC_BARRIERS",
            "PTOAS_STANDIN_FAIL", "PTOAS_STANDIN_STDERR", "BISHENG_STANDIN_FAIL", "BISHENG_STANDIN_STDERR",
            "PTOAS_STANDIN_LAX", "BISHENG_STANDIN_PARTIAL",
            "BISHENG_STANDIN_NO_OUTPUT")

needs_fa_cpp = pytest.mark.skipif(not FA_CPP.is_file(), reason="kernels/flash_attention/fa.cpp not present")


def _wrapper(directory: Path, name: str, script: Path) -> Path:
    """An executable named like the real tool that runs the stand-in with this interpreter."""
    path = directory / name
    path.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} {shlex.quote(str(script))} "$@"\n')
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


@pytest.fixture
def tools(tmp_path, monkeypatch):
    """Stand-in ptoas/bisheng in tmp/bin, a clean environment, and the argv log."""
    for key in ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    ptoas = _wrapper(bindir, "ptoas", STANDINS / "ptoas_standin.py")
    bisheng = _wrapper(bindir, "bisheng", STANDINS / "bisheng_standin.py")
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("PTOFIX_STANDIN_LOG", str(log))
    monkeypatch.setenv("PTOAS_STANDIN_CPP", str(FA_CPP))
    # PATH without any real ptoas/bisheng: only the stand-in directory and the system basics.
    monkeypatch.setenv("PATH", os.pathsep.join([str(bindir), "/usr/bin", "/bin"]))

    class Tools:
        pass
    t = Tools()
    t.bindir, t.ptoas, t.bisheng, t.log = bindir, ptoas, bisheng, log

    def calls():
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text().splitlines()]
    t.calls = calls
    return t


def build(*argv: str) -> int:
    return main(["build", *argv])


def _caller(tmp_path: Path) -> Path:
    caller = tmp_path / "caller.cpp"
    caller.write_text("#include KERNEL_CPP\n")
    return caller


# ---- the full pipeline ---------------------------------------------------------------------------
@needs_fa_cpp
def test_full_pipeline_with_standins(tools, tmp_path, capsys, monkeypatch):
    pto_isa = tmp_path / "pto-isa"
    (pto_isa / "include").mkdir(parents=True)
    monkeypatch.setenv("PTO_LIB_PATH", str(pto_isa))
    out = tmp_path / "out"
    caller = _caller(tmp_path)
    status = build(str(FA_MLIR), "-o", str(out), "--no-config", "--target-ptoas", "v0.45", "--pattern", "gu",
                   "--caller", str(caller), "--bisheng-flags=-O2 -std=gnu++17")
    err = capsys.readouterr().err
    assert status == 0, err
    for name in ("fa.canon.mlir", "fa.slots.json", "fa.cpp", "fa.fixed.cpp", "fa.report.json", "fa.so"):
        assert (out / name).is_file(), name

    calls = tools.calls()
    assert [c["tool"] for c in calls] == ["ptoas", "bisheng"]
    # ptoas: compile.sh's flags, the canonicalized IR, C++ on stdout (captured to fa.cpp).
    assert calls[0]["argv"] == ["--pto-arch=a3", "--enable-insert-sync", str(out / "fa.canon.mlir")]
    canon = (out / "fa.canon.mlir").read_text()
    assert calls[0]["inputs"][str(out / "fa.canon.mlir")] == canon
    assert '"pto.initialize_l2g2l_pipe"' in FA_MLIR.read_text()
    # GM-only inits with flag_base have no custom form v0.45 parses: exact generic, intent stripped
    inits = [line for line in canon.splitlines() if "pto.initialize_l2g2l_pipe" in line]
    assert len(inits) == 6 and all('"pto.initialize_l2g2l_pipe"' in line and "<{dir_mask = " in line
                                   and "local_slot_num" not in line and ": i64" not in line for line in inits)
    assert "local_slot_num = 2 : i64" not in canon
    assert (out / "fa.cpp").read_text() == FA_CPP.read_text()
    # the sidecar carries the stripped intent (3 pipes x cube/vector)
    sidecar = json.loads((out / "fa.slots.json").read_text())
    assert sorted((p["func"], p["flag_base"], p["local_slot_num"]) for p in sidecar["pipes"]) == sorted(
        (f, fb, 2) for f in ("cube_kernel", "vector_kernel") for fb in (0, 2, 4))
    # C++ passes: gu barriers kept (not proven), LocalSlotNum 8 -> 2 everywhere.
    before, after = (out / "fa.cpp").read_text(), (out / "fa.fixed.cpp").read_text()
    # (the in-place GU barriers ptoas left in: TROWEXPANDMUL(o, o, e); barrier; TADD(o, o, pv); on
    # fa.cpp's 32 x 128 floats TROWEXPANDMUL writes column chunk by column chunk and TADD reads
    # linearly, ahead of it: pto/walks.py)
    gu = len(in_place_gu_barriers(before))
    assert gu and before.count("pipe_barrier(PIPE_V);") == after.count("pipe_barrier(PIPE_V);")
    tpipes = before.count("TPipe<")
    assert len(re.findall(r"TPipe<\d, Direction::DIR_\w+, \d+, 8, 8, (?:true|false)>", before)) == tpipes
    assert len(re.findall(r"TPipe<\d, Direction::DIR_\w+, \d+, 8, 2, (?:true|false)>", after)) == tpipes
    # bisheng: -I first, flags, KERNEL_CPP = absolute fixed C++, caller, -o lib (compile.sh order).
    assert calls[1]["argv"] == [f"-I{pto_isa / 'include'}", "-O2", "-std=gnu++17",
                                f'-DKERNEL_CPP="{out / "fa.fixed.cpp"}"', str(caller), "-o", str(out / "fa.so")]
    assert f"KERNEL_CPP={out / 'fa.fixed.cpp'}" in (out / "fa.so").read_text()

    report = json.loads((out / "fa.report.json").read_text())["files"][0]
    assert report["status"] == "ok"
    assert [s["stage"] for s in report["stages"]] == ["canonicalize", "ptoas", "fix", "bisheng"]
    assert report["settings"]["pto-lib"] == {"value": str(pto_isa), "from": "environment $PTO_LIB_PATH"}
    assert report["settings"]["pattern"]["from"] == "command line"
    fix = next(s for s in report["stages"] if s["stage"] == "fix")
    assert [p["pass"] for p in fix["passes"]] == ["local-slot-num", "pipe-v-barrier"]
    assert f"pipe-v-barrier: 0 of {before.count('pipe_barrier(PIPE_V);')} PIPE_V barriers removed" in err


@needs_fa_cpp
def test_fa_workload_with_its_config(tools, tmp_path, capsys, monkeypatch):
    """kernels/flash_attention/ptofix.toml is found next to fa.mlir and sets the whole pipeline."""
    (tmp_path / "pto-isa" / "include").mkdir(parents=True)
    monkeypatch.setenv("PTO_LIB_PATH", str(tmp_path / "pto-isa"))
    out = tmp_path / "out"
    assert build(str(FA_MLIR), "-o", str(out)) == 0, capsys.readouterr().err
    calls = tools.calls()
    bisheng = calls[1]["argv"]
    assert bisheng[0] == f"-I{tmp_path / 'pto-isa' / 'include'}"
    assert bisheng[-4:] == [f'-DKERNEL_CPP="{out / "fa.fixed.cpp"}"', str(FA_DIR / "caller.cpp"), "-o",
                            str(out / "fa.so")]
    assert "--npu-arch=dav-2201" in bisheng and "-cce-enable-mix" in bisheng
    sample = FA_CPP.read_text()
    # (fa.cpp's GU barriers are not proven: see test_full_pipeline_with_standins.)
    assert in_place_gu_barriers(sample)
    assert (out / "fa.fixed.cpp").read_text().count("pipe_barrier(PIPE_V);") == sample.count("pipe_barrier(PIPE_V);")


@needs_fa_cpp
def test_no_pass_selected_keeps_cpp_byte_for_byte(tools, tmp_path, capsys):
    ir = tmp_path / "plain.mlir"
    ir.write_text(re.sub(r"local_slot_num = 2 : i64, ", "", FA_MLIR.read_text()))
    out = tmp_path / "out"
    assert build(str(ir), "-o", str(out), "--no-config", "--target-ptoas", "v0.45", "--pattern", "none") == 0
    assert (out / "plain.fixed.cpp").read_bytes() == (out / "plain.cpp").read_bytes() == FA_CPP.read_bytes()
    assert not (out / "plain.so").exists()
    assert [c["tool"] for c in tools.calls()] == ["ptoas"]


@needs_fa_cpp
@pytest.mark.parametrize("quiet", [False, True])
def test_a_build_that_keeps_selected_barriers_says_so_unless_quiet(tools, tmp_path, capsys, quiet):
    """The C++ step's kept-barrier note, GCC style (the C++ file's name first, no "ptofix build:"),
    as `run` prints it; -q silences it with the progress lines."""
    out = tmp_path / "out"
    status = build(str(FA_MLIR), "-o", str(out), "--no-config", "--target-ptoas", "v0.45", "--pattern", "auto",
                   *(["-q"] if quiet else []))
    err = capsys.readouterr().err
    assert status == 0, err
    fixed = (out / "fa.fixed.cpp").read_text()
    kept = fixed.count("pipe_barrier(PIPE_V);")
    total = kept + fixed.count("ptofix: removed pipe_barrier(PIPE_V)")
    assert 0 < kept < total
    notes = [line for line in err.splitlines() if ": note: kept " in line]
    if quiet:
        assert notes == [] and "ptofix build:" not in err
    else:
        # (Some may be removable alone, kept as another removal made them needed.)
        head = f"{out / 'fa.cpp'}: note: kept {kept} of {total} PIPE_V barriers: "
        assert len(notes) == 1 and notes[0].startswith(head) and notes[0].endswith(" (see --report text)"), notes
        causes = {"for a RAW/WAR/WAW byte overlap (needed)": 0,
                  "needed once other barriers are removed (each removable alone)": 0}
        for part in notes[0][len(head):-len(" (see --report text)")].split("; "):
            count, _, cause = part.partition(" ")
            assert cause in causes, part
            causes[cause] = int(count)
        assert sum(causes.values()) == kept and causes["for a RAW/WAR/WAW byte overlap (needed)"] > 0


@needs_fa_cpp
def test_a_build_applies_the_version_facts_of_its_pto_lib_checkout(tools, tmp_path, capsys, monkeypatch):
    """PTO_LIB_PATH names the pto-isa checkout the kernel compiles with: the barrier pass reads its
    version facts (a stand-in checkout of the later versions) and the report says which."""
    checkout = REPO / "lit_tests" / "pipe-v-barrier" / "Inputs" / "pto-isa-new"
    monkeypatch.setenv("PTO_LIB_PATH", str(checkout))
    out = tmp_path / "out"
    status = build(str(FA_MLIR), "-o", str(out), "--no-config", "--target-ptoas", "v0.45", "--pattern", "gu")
    assert status == 0, capsys.readouterr().err
    report = json.loads((out / "fa.report.json").read_text())["files"][0]
    fix = next(s for s in report["stages"] if s["stage"] == "fix")
    barrier = next(p for p in fix["passes"] if p["pass"] == "pipe-v-barrier")
    assert barrier["pto_isa"] == {
        "facts": f"pto-isa {checkout}, not a git checkout, op facts of pto-isa f35e7f60: 0 of 92 ops' headers the "
                 "same, row reductions drain on an empty valid shape (5a2e8553 on), TPipe order new, TPOP ring "
                 "stride slot", "notes": []}
    # (A stand-in checkout holds none of the op headers the facts were read from: every op is
    # Unknown, nothing is removed, and stderr says so per op the kernel uses.)
    assert barrier["removed"] == 0
    assert "TADD is read as unknown, its barriers kept" in capsys.readouterr().err


# ---- --dry-run -----------------------------------------------------------------------------------
def test_dry_run_prints_exact_commands_and_writes_nothing(tools, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PTOAS", str(tools.ptoas))
    monkeypatch.setenv("PTO_LIB_PATH", "/opt/pto-isa")
    out = tmp_path / "out"
    status = build(str(FA_MLIR), "-o", str(out), "--dry-run")
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert not out.exists()
    assert tools.calls() == []
    commands = [line for line in captured.out.splitlines() if not line.startswith("#")]
    fixed = out / "fa.fixed.cpp"
    assert commands == [
        f"mkdir -p {out}",
        f"ptofix canonicalize --target-ptoas v0.45 --to custom {FA_MLIR} -o {out}/fa.canon.mlir"
        f" --sidecar {out}/fa.slots.json",
        f"{tools.ptoas} --pto-arch=a3 --enable-insert-sync {out}/fa.canon.mlir > {out}/fa.cpp",
        f"ptofix opt -D_FORTIFY_SOURCE=2 -DMEMORY_BASE -p 'local-slot-num{{ir={out}/fa.canon.mlir"
        f" sidecar={out}/fa.slots.json target-ptoas=v0.45 pto-arch=a3}},pipe-v-barrier{{pattern=gu translation-unit=false}}'"
        f" {out}/fa.cpp -o {fixed}",                 # (the caller #includes the kernel: one translation unit)
        "bisheng -I/opt/pto-isa/include -fPIC -shared -D_FORTIFY_SOURCE=2 -O2 -Wno-macro-redefined "
        "-Wno-ignored-attributes -fstack-protector-strong -xcce -Xhost-start -Xhost-end "
        "-mllvm -cce-aicore-stack-size=0x8000 -mllvm -cce-aicore-function-stack-size=0x8000 "
        "-mllvm -cce-aicore-record-overflow=true -mllvm -cce-aicore-addr-transform "
        "-mllvm -cce-aicore-dcci-insert-for-scalar=false -cce-enable-mix --npu-arch=dav-2201 -DMEMORY_BASE "
        f"-std=gnu++17 '-DKERNEL_CPP=\"{fixed}\"' {FA_DIR}/caller.cpp -o {out}/fa.so",
    ]


@pytest.mark.parametrize("flags", ["-O2 -D__PTO_AUTO__", "-D __PTO_AUTO__=1 -O2"])
def test_auto_mode_flags_refuse_the_barrier_proof(tools, tmp_path, capsys, monkeypatch, flags):
    monkeypatch.setenv("PTOAS", str(tools.ptoas))
    out = tmp_path / "out"
    assert build(str(FA_MLIR), "-o", str(out), "--dry-run", "--bisheng-flags", flags) == 2
    assert "error: bisheng flags define __PTO_AUTO__" in capsys.readouterr().err
    assert not out.exists()
    # Without the barrier pass nothing relies on explicit mode.
    assert build(str(FA_MLIR), "-o", str(out), "--dry-run", "--bisheng-flags", flags, "--pattern", "none") == 0


def test_a_build_leaves_its_parsed_arguments_as_they_were(tools, tmp_path, capsys):
    """Settings resolved from the command line, the environment and the config, and the detected
    ptoas version, go into the build's own settings, not back into the parsed arguments."""
    import copy

    from ptofix.cli import build_parser
    from ptofix.commands.build import run as run_build
    args = build_parser("build").parse_args(["build", str(FA_MLIR), "-o", str(tmp_path / "o"), "--dry-run",
                                             "--pattern", "auto", "--unit-flag", "0"])
    before = copy.copy(vars(args))
    assert run_build(args) == 0
    assert "target-ptoas" in capsys.readouterr().out       # (the version the build detected, printed)
    assert vars(args) == before


def test_dry_run_warns_about_missing_tools_but_does_not_fail(tools, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert build(str(FA_MLIR), "-o", str(tmp_path / "o"), "--dry-run") == 0
    err = capsys.readouterr().err
    assert "warning: ptoas not found: 'ptoas' (from default) is not on PATH; set PTOAS=" in err
    assert "warning: bisheng not found" in err and "set BISHENG=" in err


def test_dry_run_without_caller_skips_bisheng(tools, tmp_path, capsys):
    assert build(str(FA_MLIR), "-o", str(tmp_path / "o"), "--dry-run", "--no-compile") == 0
    out = capsys.readouterr().out
    assert "# bisheng: skipped" in out and "-DKERNEL_CPP" not in out


# ---- precedence: CLI > environment > config > default --------------------------------------------
def _settings_lines(text: str) -> dict[str, str]:
    found = {}
    for line in text.splitlines():
        m = re.match(r"#   (\S+) = (.*)  \[(.*)\]$", line)
        if m:
            found[m.group(1)] = (m.group(2), m.group(3))
    return found


@pytest.mark.parametrize("cli,env,config,expect", [
    (None, None, None, None),                                        # default: no pattern
    (None, None, "softmax-sum-add", ("softmax-sum-add", "config")),
    (None, "gu", "softmax-sum-add", ("gu", "environment $PTOFIX_PATTERN")),
    ("auto", "gu", "softmax-sum-add", ("auto", "command line")),
    (None, "", "softmax-sum-add", ("softmax-sum-add", "config")),    # empty env = unset (${VAR:-})
])
def test_precedence_pattern(tools, tmp_path, capsys, monkeypatch, cli, env, config, expect):
    kernel = tmp_path / "k"
    kernel.mkdir()
    ir = kernel / "fa.mlir"
    ir.write_text(FA_MLIR.read_text())
    lines = ['target-ptoas = "v0.45"']
    if config is not None:
        lines.append(f'pattern = "{config}"')
    (kernel / "ptofix.toml").write_text("\n".join(lines) + "\n")
    if env is not None:
        monkeypatch.setenv("PTOFIX_PATTERN", env)
    argv = [str(ir), "-o", str(tmp_path / "o"), "--dry-run"] + (["--pattern", cli] if cli else [])
    assert build(*argv) == 0
    out = capsys.readouterr().out
    got = _settings_lines(out).get("pattern")
    if expect is None:
        assert got is None and "pipe-v-barrier" not in out
    else:
        assert got[0] == expect[0] and got[1].startswith(expect[1])
        assert f"pipe-v-barrier{{pattern={expect[0]}}}" in out


def test_the_old_pattern_variable_is_read_with_a_deprecation_warning(tools, tmp_path, capsys, monkeypatch):
    argv = [str(FA_MLIR), "-o", str(tmp_path / "o"), "--dry-run", "--no-config", "--target-ptoas", "v0.45"]
    monkeypatch.setenv("FA_REMOVE_VEC_BARRIER_PATTERNS", "gu")
    assert build(*argv) == 0
    captured = capsys.readouterr()
    assert _settings_lines(captured.out)["pattern"] == ("gu", "environment $FA_REMOVE_VEC_BARRIER_PATTERNS")
    assert ("ptofix: warning: $FA_REMOVE_VEC_BARRIER_PATTERNS is deprecated, use $PTOFIX_PATTERN"
            in captured.err)
    monkeypatch.setenv("PTOFIX_PATTERN", "auto")            # the new name wins, and nothing is said
    assert build(*argv) == 0
    captured = capsys.readouterr()
    assert _settings_lines(captured.out)["pattern"] == ("auto", "environment $PTOFIX_PATTERN")
    assert "deprecated" not in captured.err


def test_build_takes_d_and_u_as_run_does(tools, tmp_path, capsys):
    argv = [str(FA_MLIR), "-o", str(tmp_path / "o"), "--dry-run", "--no-config", "--target-ptoas", "v0.45"]
    assert build(*argv, "-D", "FOO=1", "-U", "BAR") == 0
    short = capsys.readouterr().out
    assert build(*argv, "--define", "FOO=1", "--undefine", "BAR") == 0
    assert capsys.readouterr().out == short and "ptofix opt -DFOO=1 -UBAR " in short


def test_precedence_tools(tools, tmp_path, capsys, monkeypatch):
    kernel = tmp_path / "k"
    kernel.mkdir()
    ir = kernel / "fa.mlir"
    ir.write_text(FA_MLIR.read_text())
    (kernel / "ptofix.toml").write_text('target-ptoas = "v0.45"\nptoas = "tools/ptoas-from-config"\n'
                                        'pto-lib = "../pto-isa"\n')

    def ptoas_line():
        out = capsys.readouterr().out
        return next(line for line in out.splitlines() if "--enable-insert-sync" in line and "mkdir" not in line
                    and not line.startswith("#")), out

    build(str(ir), "-o", "o", "--dry-run", "--no-compile")
    line, _ = ptoas_line()
    assert line.startswith(f"{kernel}/tools/ptoas-from-config ")            # config, relative to its dir
    monkeypatch.setenv("PTOAS", "/env/ptoas")
    build(str(ir), "-o", "o", "--dry-run", "--no-compile")
    assert ptoas_line()[0].startswith("/env/ptoas ")                         # env beats config
    build(str(ir), "-o", "o", "--dry-run", "--no-compile", "--ptoas", "/cli/ptoas")
    assert ptoas_line()[0].startswith("/cli/ptoas ")                         # flag beats env
    # pto-lib from config is relative to the config file; PTO_LIB_PATH overrides it.
    (tmp_path / "c.cpp").write_text("#include KERNEL_CPP\n")
    monkeypatch.chdir(tmp_path)
    build(str(ir), "-o", "o", "--dry-run", "--caller", "c.cpp")
    assert f"-I{tmp_path}/pto-isa/include " in capsys.readouterr().out
    monkeypatch.setenv("PTO_LIB_PATH", "/env/pto")
    build(str(ir), "-o", "o", "--dry-run", "--caller", "c.cpp")
    assert "-I/env/pto/include " in capsys.readouterr().out


def test_pyproject_tool_table_is_found_and_cli_overrides(tools, tmp_path, capsys):
    kernel = tmp_path / "proj" / "kernels"
    kernel.mkdir(parents=True)
    ir = kernel / "fa.mlir"
    ir.write_text(FA_MLIR.read_text())
    (tmp_path / "proj" / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.ptofix]\ntarget-ptoas = "v0.36"\nptoas-flags = "--pto-arch=a3 -g"\n')
    assert build(str(ir), "-o", "o", "--dry-run", "--no-compile") == 0
    out = capsys.readouterr().out
    assert "--target-ptoas v0.36" in out and "ptoas --pto-arch=a3 -g o/fa.canon.mlir > o/fa.cpp" in out
    assert build(str(ir), "-o", "o", "--dry-run", "--no-compile", "--target-ptoas", "v0.45",
                 "--ptoas-flags=--pto-arch=a3 -v") == 0
    out = capsys.readouterr().out
    assert "--target-ptoas v0.45" in out and "ptoas --pto-arch=a3 -v o/fa.canon.mlir" in out
    # --no-config ignores it: then the ptoas the build runs says its version (`ptoas --version`)
    assert build(str(ir), "-o", "o", "--dry-run", "--no-config") == 0
    captured = capsys.readouterr()
    assert "--target-ptoas v0.45" in captured.out
    assert "note: target ptoas v0.45 (from '" in captured.err and "'ptoas 0.45'" in captured.err


def test_target_version_from_ptoas_maps_to_the_nearest_known_one(tools, tmp_path, capsys, monkeypatch):
    ir = tmp_path / "fa.mlir"
    ir.write_text(FA_MLIR.read_text())
    monkeypatch.setenv("PTOAS_STANDIN_VERSION", "ptoas 0.40")
    assert build(str(ir), "-o", str(tmp_path / "o"), "--dry-run", "--no-config", "--no-compile") == 0
    captured = capsys.readouterr()
    assert "--target-ptoas v0.36" in captured.out
    report_origin = "'ptoas 0.40'"
    assert report_origin in captured.out or report_origin in captured.err
    # a ptoas that cannot tell: the error says how to give the version
    monkeypatch.setenv("PTOAS_STANDIN_VERSION", "")
    assert build(str(ir), "-o", str(tmp_path / "o"), "--dry-run", "--no-config", "--no-compile") == 2
    assert "--target-ptoas VERSION" in capsys.readouterr().err


def test_a_build_with_a_compiler_and_no_caller_compiles_the_kernel_alone(tools, tmp_path, capsys, monkeypatch):
    ir = tmp_path / "fa.mlir"
    ir.write_text(FA_MLIR.read_text())
    out = tmp_path / "o"
    monkeypatch.setenv("BISHENG", str(tools.bisheng))
    assert build(str(ir), "-o", str(out), "--no-config", "--target-ptoas", "v0.45") == 0
    report = json.loads((out / "fa.report.json").read_text())["files"][0]
    bisheng = [stage for stage in report["stages"] if stage.get("stage") == "bisheng"]
    assert bisheng and "-c" in bisheng[0]["command"] and bisheng[0]["command"][-1].endswith("fa.o")
    assert report["artefacts"]["obj"].endswith("fa.o")
    assert build(str(ir), "-o", str(out), "--no-config", "--target-ptoas", "v0.45", "--no-compile") == 0
    report = json.loads((out / "fa.report.json").read_text())["files"][0]
    assert not [stage for stage in report["stages"] if stage.get("stage") == "bisheng"]


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


def test_help_sums_up_precedence_and_the_page_documents_every_variable_and_key(capsys):
    from ptofix.prebuild.options import setting_options
    from ptofix.prebuild.settings import BuildSettings
    with pytest.raises(SystemExit):
        main(["build", "--help"])
    text = capsys.readouterr().out
    for needle in ("precedence: command line, then environment", "PTOFIX_PATTERN", "[tool.ptofix]", "--dry-run",
                   "docs/commands/build.md"):
        assert needle in text
    # The page says the rest, kept in step with the settings' fields.
    page = (REPO / "docs" / "commands" / "build.md").read_text(encoding="utf-8")
    for key, variable in BuildSettings.environment_variables().items():
        assert f"`{variable}` -> `--{key}`" in page
    for setting in setting_options(BuildSettings):
        if setting.option.old_env:
            assert f"`{setting.option.old_env}` is still read when\n   `{setting.option.env}` is unset" in page
    config_keys = page[page.index("Keys are the long option names"):page.index("*-flags")]
    # ("`local-slot-num` (and the other LocalSlotNum options)")
    local_slot_keys = {"ir", "sidecar", "default-local-slot-num", "tpipe-order", "unit-flag"}
    missing = [key for key in BuildSettings.option_fields() if f"`{key}`" not in config_keys and key not in local_slot_keys]
    assert missing == []


# ---- the real corpus for the C++ stage -------------------------------------------------------------
# 03's C++ numbers its pipes as the ptoas that made it did; the IR's inits still pair up with its
# pipes one to one by shape, so the IR-matched LocalSlotNum intent stays on.
CORPUS_CASES = [("02_fa_call_both.pto", "02_fa_call_both.cpp", []),
                ("03_fa_splitpipe_call_both.pto.mlir", "03_fa_splitpipe_call_both.cpp", [])]


@pytest.mark.parametrize("ir_name,cpp_name,extra", CORPUS_CASES)
def test_corpus_cpp_stage(tools, tmp_path, capsys, monkeypatch, ir_name, cpp_name, extra):
    ir, cpp = CORPUS / ir_name, CORPUS / cpp_name
    if not (ir.is_file() and cpp.is_file()):
        pytest.skip("corpus not present")
    monkeypatch.setenv("PTOAS_STANDIN_CPP", str(cpp))
    out = tmp_path / "o"
    status = build(str(ir), "-o", str(out), "--no-config", "--target-ptoas", "v0.45", "--pattern", "gu", *extra)
    err = capsys.readouterr().err
    assert status == 0, err
    stem = ir_name.split(".")[0]
    before = (out / f"{stem}.cpp").read_text()
    after = (out / f"{stem}.fixed.cpp").read_text()
    assert before == cpp.read_text()
    report = json.loads((out / f"{stem}.report.json").read_text())["files"][0]
    fix = next(s for s in report["stages"] if s["stage"] == "fix")
    barrier = next(p for p in fix["passes"] if p["pass"] == "pipe-v-barrier")
    removed = before.count("pipe_barrier(PIPE_V);") - after.count("pipe_barrier(PIPE_V);")
    assert removed == barrier["removed"]
    assert f"pipe-v-barrier: {removed} of {barrier['barriers']} PIPE_V barriers removed" in err
    # every other line is untouched: the fixed file differs only where a barrier became a comment
    diff = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert all("pipe_barrier(PIPE_V)" in a or "TPipe<" in a for a, _ in diff)


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
    ("ptoas 0.20", "older than every version ptofix knows"),
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


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="process groups")
def test_an_interrupted_tool_takes_its_children_with_it(tmp_path):
    """A compiler driver's child (its linker) writes the library after the driver's own work: an
    interrupted build kills the tool's whole process group before it cleans up, so no such child
    writes into the output directory later (a second build's library included)."""
    import signal
    import time

    from ptofix.prebuild.tools import _run_as_group
    late = tmp_path / "fa.so"
    driver = ["/bin/sh", "-c", f"(sleep 0.6; echo stale > '{late}') & wait"]

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with pytest.raises(KeyboardInterrupt):
            _run_as_group(driver)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    time.sleep(1.0)
    assert not late.exists()
    # Not interrupted, the same driver's child finishes before the tool is done.
    assert _run_as_group(driver).returncode == 0 and late.read_text() == "stale\n"


def test_an_interrupted_tool_group_is_left_empty_with_its_leader_reaped():
    # A killed leader stays a zombie, and so a member of its group, until it is waited for: the
    # kill loop reaps it, so the group reads as empty at once, not after the loop's patience.
    import subprocess

    from ptofix.prebuild.tools import _kill_group
    proc = subprocess.Popen(["sleep", "1000"], start_new_session=True)
    _kill_group(proc.pid, proc.poll, patience=600.0)
    assert proc.returncode is not None
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)


def test_a_path_that_starts_with_a_dash_reaches_the_tools_as_an_operand():
    from ptofix.prebuild.tools import bisheng_argv, ptoas_argv
    assert ptoas_argv("ptoas", ["--pto-arch=a3"], "-out/fa.canon.mlir")[-1] == "./-out/fa.canon.mlir"
    argv = bisheng_argv("bisheng", None, [], "-out/fa.fixed.cpp", None, "-out/fa.o")
    assert argv[-4:] == ["-c", "./-out/fa.fixed.cpp", "-o", "./-out/fa.o"]
    argv = bisheng_argv("bisheng", None, [], "out/fa.fixed.cpp", "-caller.cpp", "out/fa.so")
    assert argv[-3:] == ["./-caller.cpp", "-o", "out/fa.so"]


def test_a_relative_depfile_in_the_config_is_relative_to_the_config(tools, tmp_path, monkeypatch):
    kernel = tmp_path / "k"
    kernel.mkdir()
    ir = kernel / "fa.mlir"
    ir.write_text(FA_MLIR.read_text())
    (kernel / "ptofix.toml").write_text('target-ptoas = "v0.45"\ndepfile = "fa.d"\n')
    monkeypatch.chdir(tmp_path)
    assert build(str(ir), "-o", str(tmp_path / "o"), "--no-compile") == 0
    assert (kernel / "fa.d").is_file() and not (tmp_path / "fa.d").exists()


def test_a_process_a_tool_leaves_behind_does_not_outlive_its_stage(tmp_path):
    # The tool exits 0 while a child it started keeps running (and could keep writing into OUT_DIR).
    from ptofix.prebuild.tools import _run_as_group
    pid_file = tmp_path / "child.pid"
    proc = _run_as_group(["sh", "-c", f"sleep 1000 >/dev/null 2>&1 & echo $! > {pid_file}; exit 0"])
    assert proc.returncode == 0
    child = int(pid_file.read_text())
    for _ in range(500):           # (killed; reaped by whoever adopted it)
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        with open(f"/proc/{child}/stat") as stat:
            if stat.read().split(") ", 1)[1].startswith("Z"):
                break              # a zombie writes nothing
        import time
        time.sleep(0.01)
    else:
        pytest.fail("the tool's child is still running")


def test_a_process_holding_the_tools_output_open_does_not_hold_the_stage():
    # The tool exits while a child it started still has its stdout: the stage ends with the tool.
    import time

    from ptofix.prebuild.tools import _run_as_group
    started = time.monotonic()
    proc = _run_as_group(["sh", "-c", "echo out; sleep 1000 & exit 0"])
    assert proc.returncode == 0 and proc.stdout == b"out\n"
    assert time.monotonic() - started < 600     # (not the child's 1000 s)


# ---- tools that print without end, tools that outlive a killed ptofix -------------------------------
def _tool(directory: Path, name: str, body: str) -> Path:
    script = directory / f"{name}.py"
    script.write_text(body)
    return _wrapper(directory, name, script)


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_a_tool_that_prints_too_much_is_stopped_with_an_error(tools, tmp_path, capsys, monkeypatch, stream):
    # Its output is held in memory: past the limit (the size of C++ ptofix reads, 64 MiB; 1 MiB here)
    # the tool is stopped and the build fails (it held all of it, 3 GB after 12 s of an endless one).
    from ptofix import tool_process
    monkeypatch.setattr(tool_process, "TOOL_OUTPUT_LIMIT", 1 << 20)
    _tool(tools.bindir, "ptoas", "import sys\nif sys.argv[1:] == ['--version']:\n    print('ptoas 0.45')\n"
                                 f"    sys.exit(0)\nchunk = b'x' * 65536\nfor _ in range(64):\n"
                                 f"    sys.{stream}.buffer.write(chunk)\n")
    out = tmp_path / "o"
    assert build(str(FA_MLIR), "-o", str(out), "--no-config", "--no-compile") == 2
    err = capsys.readouterr().err
    assert f"error: ptoas (ptoas) printed more than 1 MiB on {stream}: stopped it" in err, err[-2000:]
    assert not (out / "fa.cpp").exists()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"     # (a zombie is dead)
    except OSError:
        return False


@pytest.mark.skipif(sys.platform != "linux", reason="the guard process is Linux's (fork, /proc)")
def test_a_tool_child_does_not_outlive_a_killed_build(tools, tmp_path):
    # SIGKILL runs no handler in ptofix, and PR_SET_PDEATHSIG ends the tool only: the guard process
    # kills the tool's whole group, so a child the tool started (a driver's linker) dies too.
    import signal
    import subprocess
    import time
    pids = tmp_path / "pids"
    _tool(tools.bindir, "ptoas", "import os, subprocess, sys, time\nif sys.argv[1:] == ['--version']:\n"
                                 "    print('ptoas 0.45')\n    sys.exit(0)\n"
                                 "child = subprocess.Popen(['sleep', '300'])\n"
                                 f"open({str(pids)!r}, 'w').write(f'{{os.getpid()}} {{child.pid}}\\n')\n"
                                 "time.sleep(300)\n")
    proc = subprocess.Popen([sys.executable, "-m", "ptofix", "build", str(FA_MLIR), "-o", str(tmp_path / "o"),
                             "--no-config", "--no-compile"], env=dict(os.environ, PYTHONPATH=str(REPO)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            if pids.exists() and pids.read_text().endswith("\n"):
                break
            time.sleep(0.05)
        tool, child = map(int, pids.read_text().split())
        assert _alive(tool) and _alive(child)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    for _ in range(200):
        if not (_alive(tool) or _alive(child)):
            break
        time.sleep(0.05)
    left = [pid for pid in (tool, child) if _alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, "the tool or its child outlived the killed build"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("extra", [[], ["--quiet"]])
def test_a_build_whose_stderr_cannot_be_written_is_exit_2_not_an_internal_error(tools, tmp_path, extra):
    import subprocess
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "ptofix", "build", str(FA_MLIR), "-o", str(tmp_path / "o"),
                               "--no-config", "--no-compile", *extra], stderr=full, stdout=subprocess.PIPE,
                              env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert proc.returncode == 2


def test_a_tool_reads_no_input_from_ptofix_s_stdin(tools, tmp_path):
    # A tool that reads its stdin (waiting for input) got ptofix's, which a caller may keep open
    # without ever writing to it: the build waited forever. It reads nothing now (end of file).
    import subprocess
    _tool(tools.bindir, "ptoas", "import sys\nif sys.argv[1:] == ['--version']:\n    print('ptoas 0.45')\n"
                                 "    sys.exit(0)\nsys.stderr.write(f'read {len(sys.stdin.read())} characters\\n')\n"
                                 "sys.exit(1)\n")
    read_end, write_end = os.pipe()        # (kept open here: never written, never closed)
    proc = subprocess.Popen([sys.executable, "-m", "ptofix", "build", str(FA_MLIR), "-o", str(tmp_path / "o"),
                             "--no-config", "--no-compile", "-q"], stdin=read_end, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=dict(os.environ, PYTHONPATH=str(REPO)))
    os.close(read_end)
    try:
        _out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        os.close(write_end)
    assert proc.returncode == 1, err
    assert b"read 0 characters" in err


# ---- the macros bisheng compiles the kernel with -------------------------------------------------
@pytest.fixture
def macro_kernel(tools, tmp_path, monkeypatch):
    """ptoas's C++ is a kernel whose one barrier the proof removes unless `block_off`, a name it
    reads and nothing in it declares, is a macro."""
    from test_command_line_macros import uses_name

    monkeypatch.setenv("PTOAS_STANDIN_CPP", str(uses_name(tmp_path)))
    monkeypatch.setenv("PTOAS", str(tools.ptoas))
    return tmp_path


@pytest.mark.parametrize(("options", "config", "kept"), [
    ((), "", False),
    (("--bisheng-flags=-O2 -Dblock_off=4",), "", True),
    (("--bisheng-flags=-D block_off -U block_off",), "", False),
    (("--define", "block_off"), "", True),
    ((), 'define = ["block_off=1"]\n', True),
    ((), 'define = ["block_off"]\nundefine = "block_off"\n', False),
    # Bisheng's own flags have the last word: a --undefine does not cancel their -D.
    (("--undefine", "block_off", "--bisheng-flags=-Dblock_off"), "", True),
])
def test_build_analyses_with_the_macros_bisheng_gets(macro_kernel, capsys, options, config, kept):
    out = macro_kernel / "out"
    config_file = macro_kernel / "ptofix.toml"
    config_file.write_text(config)
    # (The kernel's one barrier stands between a PTOAS #674 same-access chain: the opt-in credits it.)
    status = build(str(FA_MLIR), "-o", str(out), "--config", str(config_file), "--target-ptoas", "v0.45",
                   "--pattern", "auto", "--same-access-chains", "--no-compile", *options)
    err = capsys.readouterr().err
    assert status == 0, err
    assert ("pipe_barrier(PIPE_V);" in (out / "fa.fixed.cpp").read_text()) == kept
    assert ("-Dblock_off on the command line" in err) == kept


def test_build_passes_its_macros_to_bisheng_and_the_analysis(macro_kernel, tools, capsys, monkeypatch):
    monkeypatch.setenv("BISHENG", str(tools.bisheng))
    out = macro_kernel / "out"
    assert build(str(FA_MLIR), "-o", str(out), "--no-config", "--target-ptoas", "v0.45", "--pattern", "auto",
                 "--bisheng-flags=-O2 -Dblock_off") == 0, capsys.readouterr().err
    bisheng = [call for call in tools.calls() if call["tool"] == "bisheng"]
    assert bisheng and "-Dblock_off" in bisheng[0]["argv"]
    assert "pipe_barrier(PIPE_V);" in (out / "fa.fixed.cpp").read_text()


def test_a_bisheng_macro_name_that_is_no_identifier_is_bad_input(macro_kernel, capsys):
    out = macro_kernel / "out"
    assert build(str(FA_MLIR), "-o", str(out), "--no-config", "--target-ptoas", "v0.45", "--no-compile",
                 "--bisheng-flags=-D 1x") == 2
    assert "bisheng flags (command line): -D 1x: macro names must be identifiers" in capsys.readouterr().err
    assert not out.exists()
