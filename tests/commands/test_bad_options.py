"""Bad input and bad options are exit status 2 with a diagnostic, never an internal error (3), and
nothing is written: numbers int() refuses, nesting deeper than the parsers recurse, malformed
sidecars, option values in other scripts' digits, build options checked before any stage runs.
The LocalSlotNum pass refuses a pipe it cannot rewrite at the init and every use alike."""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from ptofix.cli import main

REPO = Path(__file__).resolve().parents[2]
FA_DIR = REPO / "kernels" / "flash_attention"
FA_CPP = FA_DIR / "fa.cpp"
FA_MLIR = FA_DIR / "fa.mlir"

needs_fa = pytest.mark.skipif(not (FA_CPP.is_file() and FA_MLIR.is_file()), reason="the FA sample is not present")

BIG = "1" * 5000
FIRST_TALLOC = "TALLOC<TPipe<0, Direction::DIR_C2V, 32768, 8, 8, true>,"
PIPE0_INIT = "auto v20 = TPipe<0, Direction::DIR_C2V, 32768, 8, 8, true>(v4, v7, v7);"


def ptofix(capsys, *argv: str) -> tuple[int, str, str]:
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ---- numbers longer than int() accepts -------------------------------------------------------------
@needs_fa
@pytest.mark.parametrize("argv", [["canonicalize", "--target-ptoas", "v0.45"], ["opt", "-p", "canonicalize{target-ptoas=v0.45}"]])
def test_huge_integer_attribute_is_a_located_error(tmp_path, capsys, argv):
    text = FA_MLIR.read_text()
    assert "flag_base = 0 : i64" in text
    bad = write(tmp_path / "big.mlir", text.replace("flag_base = 0 : i64", f"flag_base = {BIG} : i64", 1))
    status, out, err = ptofix(capsys, *argv, bad)
    line = text[:text.index("flag_base = 0 : i64")].count("\n") + 1
    assert status == 2 and out == ""
    assert f"big.mlir:{line}:" in err and "integer attribute value with 5000 digits is too large" in err


@needs_fa
def test_huge_integer_attribute_through_run_ir(tmp_path, capsys):
    bad = write(tmp_path / "big.mlir", FA_MLIR.read_text().replace("flag_base = 0 : i64", f"flag_base = {BIG} : i64", 1))
    status, _out, err = ptofix(capsys, "run", "--ir", bad, FA_CPP)
    assert status == 2 and "5000 digits is too large" in err


@needs_fa
def test_huge_tpipe_argument_in_simulate(tmp_path, capsys):
    text = FA_CPP.read_text()
    bad = write(tmp_path / "big.cpp", text.replace("TPipe<0, Direction::DIR_C2V, 32768, 8, 8, true>(v2",
                                                   f"TPipe<0, Direction::DIR_C2V, 32768, {BIG}, 8, true>(v2", 1))
    assert bad.read_text() != text
    status, _out, err = ptofix(capsys, "simulate", bad, bad)
    assert status == 2 and "big.cpp:" in err and "integer literal with 5000 digits is too large" in err


@needs_fa
def test_huge_target_ptoas_version(capsys):
    status, _out, err = ptofix(capsys, "canonicalize", "--target-ptoas", f"v{BIG}.1", FA_MLIR)
    assert status == 2 and "unknown ptoas version" in err and len(err) < 1000


def test_ptoas_version_takes_ascii_digits_only():
    from ptofix.ir.versions import resolve
    from ptofix.source import PtofixError
    assert resolve("v0.45").name == "v0.45"
    with pytest.raises(PtofixError, match="unknown ptoas version"):
        resolve("v\u0660.\u0664\u0665")


# ---- nesting deeper than the parsers recurse ---------------------------------------------------------
def test_deeply_nested_mlir_regions_are_a_located_error(tmp_path, capsys):
    depth = 340
    text = "module {\n" + '"test.op"() ({\n' * depth + "}) : () -> ()\n" * depth + "}\n"
    deep = write(tmp_path / "deep.mlir", text)
    status, out, err = ptofix(capsys, "canonicalize", "--target-ptoas", "newest", deep)
    assert status == 2 and out == ""
    assert err.startswith("deep.mlir:") or f"{deep}:" in err
    assert "regions nested deeper than 200 levels" in err


def test_mlir_regions_up_to_the_limit_parse(tmp_path, capsys):
    depth = 199      # plus the module: 200 levels
    text = "module {\n" + '"test.op"() ({\n' * depth + "}) : () -> ()\n" * depth + "}\n"
    ok = write(tmp_path / "ok.mlir", text)
    status, out, _err = ptofix(capsys, "canonicalize", "--target-ptoas", "newest", ok)
    assert status == 0 and out == text


@needs_fa
def test_deeply_nested_toml_config(tmp_path, capsys):
    config = write(tmp_path / "ptofix.toml", "a = " + "[" * 2000 + "]" * 2000 + "\n")
    status, _out, err = ptofix(capsys, "build", FA_MLIR, "-o", tmp_path / "out", "--config", config,
                               "--target-ptoas", "v0.45", "--dry-run")
    assert status == 2 and "ptofix.toml:1:" in err and "nested too deeply" in err
    assert not (tmp_path / "out").exists()


@needs_fa
def test_deeply_nested_sidecar_json(tmp_path, capsys):
    sidecar = write(tmp_path / "s.json", "[" * 100000 + "]" * 100000)
    status, out, err = ptofix(capsys, "run", "--sidecar", sidecar, FA_CPP)
    assert status == 2 and out == "" and "s.json:1:" in err and "nested too deeply" in err


def test_recursion_error_is_bad_input_in_single_file_mode(monkeypatch, capsys):
    from ptofix.commands import check

    def deep(_args):
        raise RecursionError("maximum recursion depth exceeded")
    monkeypatch.setattr(check, "run", deep)
    status, _out, err = ptofix(capsys, "check", "x.cpp")
    assert status == 2 and err == "ptofix: error: input nested too deeply\n"


# ---- sidecars as canonicalize writes them, and what it does not -----------------------------------------
@pytest.fixture
def sidecar(tmp_path, capsys):
    """A real sidecar of the FA sample (canonicalize for v0.45 strips its local_slot_num)."""
    if not (FA_CPP.is_file() and FA_MLIR.is_file()):
        pytest.skip("the FA sample is not present")
    out = tmp_path / "fa.pto"
    assert main(["canonicalize", "--target-ptoas", "v0.45", str(FA_MLIR), "-o", str(out)]) == 0
    capsys.readouterr()
    data = json.loads((tmp_path / "fa.pto.slots.json").read_text())
    assert data["pipes"] and data["pipes"][0]["func"]
    return data


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("func", ["x"], "'func' must be a string or null, not a list"),
    ("flag_base", "x", "'flag_base' must be an integer or null, not a string"),
    ("flag_base", [0], "'flag_base' must be an integer or null, not a list"),
    ("dir_mask", [1], "'dir_mask' must be an integer or null, not a list"),
    ("dir_mask", 4, "'dir_mask' must be 1, 2 or 3, not 4"),
    ("slot_size", [1], "'slot_size' must be an integer or null, not a list"),
    ("slot_num", [8], "'slot_num' must be an integer or null, not a list"),
    ("local_slot_num", 2.7, "'local_slot_num' must be an integer, not a number with a fraction"),
    ("local_slot_num", True, "'local_slot_num' must be an integer, not a boolean"),
    ("local_slot_num", "2", "'local_slot_num' must be an integer, not a string"),
])
def test_malformed_sidecar_field_is_named(tmp_path, capsys, sidecar, field, value, expected):
    sidecar["pipes"][0][field] = value
    path = write(tmp_path / "bad.json", json.dumps(sidecar))
    status, out, err = ptofix(capsys, "run", "--sidecar", path, FA_CPP)
    assert status == 2 and out == ""
    assert "bad.json: error:" in err and "pipe #0" in err and expected in err


@pytest.mark.parametrize(("raw", "expected"), [
    ('"local_slot_num": Infinity', "'local_slot_num' must be an integer, not a non-finite number"),
    ('"local_slot_num": NaN', "'local_slot_num' must be an integer, not a non-finite number"),
    (f'"local_slot_num": {BIG}', "not usable JSON"),
])
def test_sidecar_values_json_allows_but_python_cannot_use(tmp_path, capsys, sidecar, raw, expected):
    sidecar["pipes"][0]["local_slot_num"] = 12345
    path = write(tmp_path / "bad.json", json.dumps(sidecar).replace('"local_slot_num": 12345', raw))
    status, _out, err = ptofix(capsys, "run", "--sidecar", path, FA_CPP)
    assert status == 2 and "bad.json" in err and expected in err


@pytest.mark.parametrize("target", [f"v{BIG}.1", ["v0.45"]])
def test_sidecar_target_ptoas_must_be_a_known_version(tmp_path, capsys, sidecar, target):
    sidecar["target_ptoas"] = target
    path = write(tmp_path / "bad.json", json.dumps(sidecar))
    status, _out, err = ptofix(capsys, "run", "--sidecar", path, FA_CPP)
    assert status == 2 and "'target_ptoas'" in err and len(err) < 1000


def test_a_well_formed_sidecar_still_applies(tmp_path, capsys, sidecar):
    path = write(tmp_path / "good.json", json.dumps(sidecar))
    status, out, _err = ptofix(capsys, "run", "--sidecar", path, FA_CPP)
    assert status == 0 and out != FA_CPP.read_text()


@pytest.mark.parametrize(("field", "value"), [("func", ["x"]), ("flag_base", [0]), ("dir_mask", {"a": 1})])
def test_canonicalize_refuses_a_malformed_existing_sidecar(tmp_path, capsys, sidecar, field, value):
    sidecar["pipes"][0][field] = value
    existing = write(tmp_path / "o.mlir.slots.json", json.dumps(sidecar))
    before = existing.read_text()
    status, _out, err = ptofix(capsys, "canonicalize", "--target-ptoas", "v0.45", FA_MLIR, "-o", tmp_path / "o.mlir")
    assert status == 2 and "is not a ptofix sidecar" in err and f"'{field}'" in err
    assert existing.read_text() == before and not (tmp_path / "o.mlir").exists()


# ---- dir_mask of an IR pipe init ---------------------------------------------------------------------
@needs_fa
@pytest.mark.parametrize("mask", ["0", "4", "7", "-1"])
def test_ir_dir_mask_outside_1_to_3_is_a_located_error(tmp_path, capsys, mask):
    text = FA_MLIR.read_text()
    assert "dir_mask = 1 : i64" in text
    bad = write(tmp_path / "bad.mlir", text.replace("dir_mask = 1 : i64", f"dir_mask = {mask} : i64", 1))
    line = text[:text.index("dir_mask = 1 : i64")].count("\n") + 1
    status, out, err = ptofix(capsys, "run", "--ir", bad, FA_CPP)
    assert status == 2 and out == ""
    assert f"bad.mlir:{line}:" in err and f"has dir_mask {mask}: only 1 (C2V), 2 (V2C) and 3 (both)" in err


# ---- simulate's numeric options ------------------------------------------------------------------------
@pytest.mark.parametrize(("option", "value"), [
    ("--block-idx", "-1"), ("--block-idx", "\u0661"), ("--block-idx", "0,x"),
    ("--ub-size", "-5"), ("--ub-size", "0"), ("--ub-size", "99999999999999"), ("--ub-size", "\u0662K"),
    ("--block-num", "0"), ("--block-num", "-2"), ("--block-num", "\u0662"),
    ("--seeds", "0"), ("--seeds", "\u0663"), ("--subblocks", "\u0662"), ("--subblocks", "3"),
])
def test_simulate_rejects_bad_numbers_in_argparse(capsys, option, value):
    with pytest.raises(SystemExit) as exc:
        main(["simulate", option, value, "a.cpp", "b.cpp"])
    assert exc.value.code == 2
    assert f"argument {option}" in capsys.readouterr().err


def test_simulate_block_idx_must_be_a_block(capsys):
    status, _out, err = ptofix(capsys, "simulate", "--block-num", "2", "--block-idx", "0,2", "a.cpp", "b.cpp")
    assert status == 2 and "--block-idx 2 is not a block of --block-num 2" in err


def test_simulate_sizes_still_read():
    from ptofix.commands.simulate import ub_size
    assert (ub_size("192K"), ub_size("256KiB"), ub_size("0x30000"), ub_size("4096")) == (196608, 262144, 196608, 4096)


# ---- build: every option checked before any stage runs -------------------------------------------------
@pytest.fixture
def fake_build(tmp_path):
    """A ptoas that says its version and prints the FA C++, and an output directory holding a previous
    build's fixed C++ (which a stage would delete)."""
    if not (FA_CPP.is_file() and FA_MLIR.is_file()):
        pytest.skip("the FA sample is not present")
    ptoas = tmp_path / "ptoas"
    ptoas.write_text('#!/bin/sh\nif [ "$1" = "--version" ]; then echo "ptoas version v0.45"; exit 0; fi\n'
                     f"cat '{FA_CPP}'\n")
    ptoas.chmod(ptoas.stat().st_mode | stat.S_IXUSR)
    out = tmp_path / "out"
    out.mkdir()
    previous = write(out / "fa.fixed.cpp", "// the previous build\n")
    return ptoas, out, previous


@pytest.mark.parametrize("bad", [["--local-slot-num", "x"], ["--local-slot-num", "0=2=3"], ["--unit-flag", "x"],
                                 ["--ir", "/nonexistent/fa.pto"], ["--sidecar", "/nonexistent/fa.json"],
                                 ["--local-slot-num", "\u0662"], ["--default-local-slot-num", "\u0662"]])
@pytest.mark.parametrize("dry_run", [False, True])
def test_build_checks_pass_options_up_front(tmp_path, capsys, fake_build, bad, dry_run):
    ptoas, out, previous = fake_build
    argv = ["build", FA_MLIR, "-o", out, "--ptoas", ptoas, "--no-compile", "--no-config", *bad]
    try:
        status, stdout, err = ptofix(capsys, *argv, *(["--dry-run"] if dry_run else []))
    except SystemExit as exc:         # an argparse type error
        status, stdout, err = exc.code, "", capsys.readouterr().err
    assert status == 2 and stdout == ""
    assert "[1/" not in err           # no stage started
    assert previous.read_text() == "// the previous build\n"
    assert sorted(p.name for p in out.iterdir()) == ["fa.fixed.cpp"]


def test_build_checks_config_pass_options_up_front(tmp_path, capsys, fake_build):
    ptoas, out, previous = fake_build
    config = write(tmp_path / "ptofix.toml", 'local-slot-num = "x"\n')
    for extra in ([], ["--dry-run"]):
        status, _out, err = ptofix(capsys, "build", FA_MLIR, "-o", out, "--ptoas", ptoas, "--no-compile",
                                   "--config", config, *extra)
        assert status == 2 and "local-slot-num: bad value 'x'" in err and "[1/" not in err
    assert previous.read_text() == "// the previous build\n"


# ---- LocalSlotNum: init and every use rewritten alike, or an error -------------------------------------
@needs_fa
@pytest.mark.parametrize(("old", "new", "expected"), [
    (FIRST_TALLOC, "TALLOC<PipeFromHeader,", "takes pipe 'v20' with the type 'PipeFromHeader'"),
    (FIRST_TALLOC, "TALLOC<PIPE0,", "a #define names TPipe"),
])
def test_use_whose_type_is_not_a_written_out_tpipe_is_refused(tmp_path, capsys, old, new, expected):
    text = FA_CPP.read_text()
    assert old in text
    changed = text.replace(old, new, 1)
    if "PIPE0" in new:
        changed = "#define PIPE0 TPipe<0, Direction::DIR_C2V, 32768, 8, 8, true>\n" + changed
    path = write(tmp_path / "k.cpp", changed)
    status, out, err = ptofix(capsys, "run", "--local-slot-num", "0=2", "-i", path)
    assert status == 2 and out == ""
    assert "k.cpp:" in err and ("cannot rewrite pipe 'v20'" in err or "cannot change LocalSlotNum" in err)
    assert expected in err
    assert path.read_text() == changed


@needs_fa
def test_a_pto_qualified_use_is_rewritten_with_its_pipe(tmp_path, capsys):
    text = FA_CPP.read_text()
    changed = text.replace(FIRST_TALLOC, "pto::" + FIRST_TALLOC, 1)
    assert changed != text
    path = write(tmp_path / "k.cpp", changed)
    status, out, err = ptofix(capsys, "run", "--local-slot-num", "0=2", "-i", path)
    assert status == 0, err
    assert "pto::TALLOC<TPipe<0, Direction::DIR_C2V, 32768, 8, 2, true>," in path.read_text()
    assert "TPipe<0, Direction::DIR_C2V, 32768, 8, 8, true>" not in path.read_text()


@needs_fa
def test_macro_spelling_a_tpipe_is_refused(tmp_path, capsys):
    text = "#define PIPE0 \\\n  TPipe<0, Direction::DIR_C2V, 32768, 8, 8, true>\n" + FA_CPP.read_text()
    path = write(tmp_path / "k.cpp", text)
    status, _out, err = ptofix(capsys, "run", "--local-slot-num", "2", path)
    assert status == 2 and "a #define names TPipe" in err


@needs_fa
def test_use_through_a_name_that_is_not_a_pipe_object_is_refused(tmp_path, capsys):
    text = FA_CPP.read_text().replace(PIPE0_INIT, PIPE0_INIT + "\n  auto& v20r = v20;", 1)
    text = text.replace(FIRST_TALLOC, "TALLOC<PipeFromHeader,", 1).replace("TileSplitAxis::TILE_NO_SPLIT>(v20, v50)",
                                                                          "TileSplitAxis::TILE_NO_SPLIT>(v20r, v50)", 1)
    path = write(tmp_path / "k.cpp", text)
    status, _out, err = ptofix(capsys, "run", "--local-slot-num", "2", path)
    assert status == 2 and "takes 'v20r' with the type 'PipeFromHeader'" in err and "cannot tell which pipe" in err


@needs_fa
def test_use_the_compiler_deduces_is_consistent(tmp_path, capsys):
    # `TFREE(v20, ...)` takes its pipe type from the object: nothing to rewrite there.
    text = FA_CPP.read_text().replace(PIPE0_INIT, PIPE0_INIT + "\n  TFREE(v20);", 1)
    path = write(tmp_path / "k.cpp", text)
    status, out, _err = ptofix(capsys, "run", "--local-slot-num", "0=2", path)
    assert status == 0 and "TPipe<0, Direction::DIR_C2V, 32768, 8, 2, true>(v4, v7, v7);\n  TFREE(v20);" in out


@needs_fa
def test_unchanged_pipe_with_an_opaque_use_is_not_an_error(tmp_path, capsys):
    # Nothing changes for FlagID 4: its pipes are not rewritten, so an opaque use of FlagID 0 only warns.
    text = FA_CPP.read_text().replace(FIRST_TALLOC, "TALLOC<PipeFromHeader,", 1)
    path = write(tmp_path / "k.cpp", text)
    status, out, err = ptofix(capsys, "run", "--local-slot-num", "4=8", path)
    assert status == 0 and out == text and "warning:" in err


@needs_fa
@pytest.mark.parametrize("spelled", ["8, /*c*/ 8, true", "(8), 8, true", "8, 8 /*c*/, true",
                                     "8,\n    /*c*/ 8, true"])
def test_tpipe_spelled_with_comments_or_parentheses_is_refused(tmp_path, capsys, spelled):
    text = FA_CPP.read_text()
    changed = text.replace(PIPE0_INIT, PIPE0_INIT.replace("8, 8, true", spelled), 1)
    assert changed != text
    path = write(tmp_path / "k.cpp", changed)
    status, out, err = ptofix(capsys, "run", "--local-slot-num", "2", path)
    assert status == 2 and out == ""
    assert "cannot rewrite pipe 'v20'" in err and "comments or parentheses inside the TPipe<...> arguments are " \
        "not supported" in err
    assert "internal error" not in err
    assert err.count("\n") == 1, err       # one line, a type written over two lines quoted on it


@needs_fa
def test_tpipe_spelled_alike_everywhere_is_rewritten(tmp_path, capsys):
    # The same comment at the init and every use: every occurrence comes out as one type.
    text = FA_CPP.read_text().replace("TPipe<0, Direction::DIR_C2V, 32768, 8, 8, true>",
                                      "TPipe<0, Direction::DIR_C2V, 32768, 8, /*c*/ 8, true>")
    path = write(tmp_path / "k.cpp", text)
    status, out, _err = ptofix(capsys, "run", "--local-slot-num", "0=2", path)
    assert status == 0
    assert "/*c*/ 8, true>" not in out and out.count("TPipe<0, Direction::DIR_C2V, 32768, 8, /*c*/ 2, true>") == \
        text.count("TPipe<0, Direction::DIR_C2V, 32768, 8, /*c*/ 8, true>")


# ---- numbers in option values: ASCII digits only -------------------------------------------------------
@needs_fa
@pytest.mark.parametrize("argv", [["--local-slot-num", "\u0662"], ["--local-slot-num", "0=\u0662"],
                                  ["--unit-flag", "\u0660"], ["--local-slot-num", "2_0"]])
def test_local_slot_options_take_ascii_digits_only(capsys, argv):
    status, out, err = ptofix(capsys, "run", *argv, FA_CPP)
    assert status == 2 and out == "" and "local-slot-num: bad" in err


@pytest.mark.parametrize("argv", [["run", "--default-local-slot-num", "\u0662", "k.cpp"],
                                  ["run", "-j", "\u0662", "k.cpp"],
                                  ["opt", "-p", "local-slot-num", "-j", "\u0662", "k.cpp"]])
def test_count_options_take_ascii_digits_only(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2 and "expected a non-negative number (digits 0-9)" in capsys.readouterr().err


def test_pass_option_integers_take_ascii_digits_only():
    from ptofix.pass_manager import build_pass
    from ptofix.source import PtofixError, parse_integer
    assert [parse_integer(t) for t in ("2", "0x10", " 7 ", "-3", "010", "\u0662", "1_0", BIG)] == \
        [2, 16, 7, -3, None, None, None, None]
    with pytest.raises(PtofixError, match="expects an integer"):
        build_pass("local-slot-num", {"default": "\u0662"})


def test_a_count_too_long_for_int_is_a_usage_error(capsys):
    from ptofix.batch import read_count
    from ptofix.source import OptionValueError
    assert read_count("2") == 2
    with pytest.raises(OptionValueError, match="expected a non-negative number"):
        read_count("9" * 5000)
    with pytest.raises(SystemExit):
        main(["run", "-j", "9" * 5000, "k.cpp"])
    assert "argument -j/--jobs: expected a non-negative number (digits 0-9)" in capsys.readouterr().err


def test_files_are_untouched_on_error(tmp_path, capsys):
    # -i on bad input: the input keeps its bytes and no temporary file is left beside it.
    if not FA_CPP.is_file():
        pytest.skip("the FA sample is not present")
    path = write(tmp_path / "k.cpp", FA_CPP.read_text().replace(FIRST_TALLOC, "TALLOC<PipeFromHeader,", 1))
    before = path.read_bytes()
    status, _out, _err = ptofix(capsys, "run", "--local-slot-num", "2", "-i", path)
    assert status == 2 and path.read_bytes() == before and os.listdir(tmp_path) == ["k.cpp"]


@pytest.mark.parametrize("spec, message", [
    ("pipe-v-barrier local-slot-num", "bad pipeline syntax at character 16 of"),
    ("pipe-v-barrier{pattern=auto", "bad pipeline syntax at character 15 of"),
    ("pipe-v-barrier,,local-slot-num", "bad pipeline syntax at character 16 of"),
    ("pipe-v-barrier{pattern=gu,pattern=auto}", "pass option 'pattern' given twice"),
])
def test_a_bad_pipeline_is_reported_where_it_goes_wrong(spec, message):
    import re

    from ptofix.pass_manager import parse_pipeline
    from ptofix.source import PtofixError
    with pytest.raises(PtofixError, match=re.escape(message)):
        parse_pipeline(spec)


def test_a_pass_on_the_other_kind_of_file_says_so(tmp_path, capsys):
    cpp = write(tmp_path / "k.cpp", "__global__ AICORE void k() {\n}\n")
    status, out, err = ptofix(capsys, "opt", "-p", "canonicalize{target-ptoas=v0.45}", cpp)
    assert status == 2 and out == "" and "pass 'canonicalize' works on PTO IR, and this file's name says C++" in err
    status, out, err = ptofix(capsys, "opt", "-p", "canonicalize{target-ptoas=v0.45},local-slot-num", cpp)
    assert status == 2 and "the pipeline mixes C++ and PTO IR passes" in err


# ---- repeated list options merge -----------------------------------------------------------------
@needs_fa
@pytest.mark.parametrize("repeated,merged", [
    (["--local-slot-num", "0=2", "--local-slot-num", "4=3"], ["--local-slot-num", "0=2,4=3"]),
    (["--pattern", "auto", "-P", "gu"], ["--pattern", "auto,gu"]),
    (["--unit-flag", "0", "--unit-flag", "4"], ["--unit-flag", "0,4"]),
])
def test_a_repeated_list_option_means_all_its_values(capsys, repeated, merged):
    once = ptofix(capsys, "run", *merged, "--report", "json", "-o", os.devnull, FA_CPP)
    twice = ptofix(capsys, "run", *repeated, "--report", "json", "-o", os.devnull, FA_CPP)
    assert twice == once and once[0] == 0
    only_last = ptofix(capsys, "run", *repeated[2:], "--report", "json", "-o", os.devnull, FA_CPP)
    assert only_last[1] != once[1]             # the first value took effect too


def test_a_repeated_weight_option_means_all_its_values(capsys):
    from ptofix.cli import build_parser
    args = build_parser("run").parse_args(["run", "--weight", "3=10", "--weight", "7=2", "x.cpp"])
    assert args.weight == "3=10,7=2"


# ---- input kinds are recognised before a parser sees them --------------------------------------------
@needs_fa
@pytest.mark.parametrize("argv", [["run", "--pattern", "gu"], ["check"], ["run", "--local-slot-num", "2"]])
def test_pto_ir_given_to_a_cpp_command_names_the_commands_to_use(capsys, argv):
    status, out, err = ptofix(capsys, *argv, FA_MLIR)
    assert status == 2 and out == ""
    assert err.count("error:") == 1 and "this is PTO IR (MLIR) ('module" in err
    assert "use `ptofix canonicalize` or `ptofix build`" in err
    first_code = next(i for i, line in enumerate(FA_MLIR.read_text().splitlines(), 1)
                      if line.strip() and not line.lstrip().startswith("//"))
    assert err.startswith(f"{FA_MLIR}:{first_code}:1: error: ")


@needs_fa
def test_cpp_given_to_an_ir_command_names_the_commands_to_use(tmp_path, capsys, fake_build):
    renamed = write(tmp_path / "kernel.mlir", FA_CPP.read_text())      # the name says IR: the text decides
    status, out, err = ptofix(capsys, "canonicalize", "--target-ptoas", "v0.45", renamed)
    assert status == 2 and out == "" and err.count("error:") == 1
    assert err.startswith(f"{renamed}:1:1: error: this is C++ ('#include") and "use `ptofix run`" in err
    ptoas, out_dir, previous = fake_build
    status, out, err = ptofix(capsys, "build", "--no-compile", "--ptoas", ptoas, FA_CPP, "-o", out_dir)
    assert status == 2 and err.count("error:") == 1 and f"{FA_CPP}:1:1: error: this is C++" in err
    assert sorted(out_dir.iterdir()) == [previous] and previous.read_text() == "// the previous build\n"


@pytest.mark.parametrize("text,kind", [
    ("// a comment\n\n  module {\n}\n", "mlir"),
    ("func.func @k() {\n}\n", "mlir"),
    ("#map = affine_map<(d0) -> (d0)>\nmodule {\n}\n", "mlir"),
    ("\ufeffmodule {\n}\n", "mlir"),
    ("// c\n#include \"pto/pto-inst.hpp\"\n", "cpp"),
    ("# define N 4\n", "cpp"),
    ("/* header */\nint x;\n", "cpp"),
    ("__global__ AICORE void k() {\n}\n", "cpp"),
    ("module @fa attributes {pto.target_arch = \"a3\"} {\n}\n", "mlir"),
    ("module;\nvoid k() {\n}\n", None),    # a C++20 global module fragment is no MLIR module
    ("void k() {\n}\n", None),            # neither starts so: the parser decides, as before
    ("", None),
])
def test_the_first_line_of_code_tells_the_kind(text, kind):
    from ptofix.input_kind import sniff
    assert sniff(text)[0] == kind


def test_every_shipped_input_is_read_as_its_own_kind():
    from ptofix.input_kind import sniff
    files = [p for p in REPO.glob("**/*") if p.suffix in (".cpp", ".mlir", ".pto") and ".venv" not in p.parts
             and "Output" not in p.parts and p.is_file()]
    assert len(files) > 20
    wrong = [str(p) for p in files if sniff(p.read_text(errors="replace"))[0] == ("mlir" if p.suffix == ".cpp" else "cpp")]
    assert wrong == []


def test_every_corpus_input_is_read_as_its_own_kind(corpus_dir):
    from ptofix.input_kind import sniff
    files = [p for p in Path(corpus_dir).glob("**/*") if p.suffix in (".cpp", ".mlir", ".pto") and p.is_file()]
    assert len(files) > 100
    wrong = [str(p) for p in files if sniff(p.read_text(errors="replace"))[0] == ("mlir" if p.suffix == ".cpp" else "cpp")]
    assert wrong == []
