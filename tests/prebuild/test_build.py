"""`ptofix build`: the pre-build hook, run with STAND-IN ptoas/bisheng executables.

tests/standins/ptoas_standin.py and bisheng_standin.py are not compilers: they record their argv
(and input files) to $PTOFIX_STANDIN_LOG, the ptoas stand-in emits a known C++ file (the FA
sample, or a corpus file) and rejects generic-form pipe ops, the bisheng stand-in checks that
KERNEL_CPP and the caller exist and writes a marker file; both fail on request.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import in_place_gu_barriers

from ptofix.cli import main

REPO = Path(__file__).resolve().parents[2]
FA_DIR = REPO / "kernels" / "flash_attention"
FA_MLIR = FA_DIR / "fa.mlir"
FA_CPP = FA_DIR / "fa.cpp"
STANDINS = REPO / "tests" / "standins"
CORPUS = REPO.parent / "shared" / "corpus" / "real"


needs_fa_cpp = pytest.mark.skipif(not FA_CPP.is_file(), reason="kernels/flash_attention/fa.cpp not present")


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
