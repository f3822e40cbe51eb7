"""What ptofix reads besides its inputs (headers, pto-isa checkouts, the header-word cache, an
earlier build's report) never hangs, breaks or redirects a run, and no output replaces a file a run
read; a call's outputs are written all or none; reports encode any file name (issue #60, 1-4)."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from test_headers import kernel, reasons, run_auto, write

from ptofix.cli import main
from ptofix.isa_version import identify
from ptofix.pto import header_words
from ptofix.pto.header_words import checkout_words
from ptofix.side_files import cache_dir

REPO = Path(__file__).resolve().parents[1]
FA_CPP = REPO / "kernels" / "flash_attention" / "fa.cpp"
FA_MLIR = REPO / "kernels" / "flash_attention" / "fa.mlir"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
# A subprocess that hangs fails its test after this long instead of hanging the suite (a bound,
# not a synchronisation: every case here finishes in about a second).
HANG = 60


def ptofix(*argv: str) -> int:
    return main([str(a) for a in argv])


def subprocess_ptofix(*argv: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ptofix", *map(str, argv)], capture_output=True, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})}, timeout=HANG)


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Each test with a cache of its own, no include directories and no words kept from another test."""
    monkeypatch.setenv("PTOFIX_CACHE_DIR", str(tmp_path / "cache"))
    checkout_words.cache_clear()
    identify.cache_clear()
    yield
    checkout_words.cache_clear()
    identify.cache_clear()


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(FA_CPP, tmp_path / "fa.cpp")
    shutil.copy(FA_CPP, tmp_path / "fb.cpp")
    shutil.copy(FA_MLIR, tmp_path / "fa.mlir")
    return tmp_path


def listing(directory: Path) -> dict[str, bytes | str]:
    out: dict[str, bytes | str] = {}
    for path in sorted(directory.rglob("*")):
        rel = str(path.relative_to(directory))
        if rel.startswith("cache"):
            continue
        if path.is_symlink():
            out[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            out[rel] = path.read_bytes()
        else:
            out[rel] = stat.filemode(path.lstat().st_mode)
    return out


# ---- 1. no output replaces a file the run read ---------------------------------------------------
HEADER = "#pragma once\n#define RT_READY 1\n"


@pytest.mark.parametrize("onto", ["-o", "--report-file"])
@pytest.mark.parametrize("where", ["beside", "include-dir"])
def test_an_output_onto_an_included_header_is_refused(work, capsys, onto, where):
    header = work / ("rt.h" if where == "beside" else "inc/rt.h")
    write(header, HEADER)
    write(work / "k.cpp", kernel(after='#include "rt.h"\n'))
    before = listing(work)
    include = ["-I", "inc"] if where == "include-dir" else []
    report = ["--report", "json"] if onto == "--report-file" else []
    assert ptofix("run", "--pattern", "auto", *include, *report, onto, header.relative_to(work), "k.cpp") == 2
    err = capsys.readouterr().err
    assert "refusing to write the" in err and "rt.h" in err
    assert listing(work) == before


def test_an_output_onto_a_file_of_the_pto_isa_checkout_is_refused(work, capsys):
    checkout = work / "pto-isa"
    write(checkout / "include/pto/pto-inst.hpp", '#include "common.hpp"\n')
    write(checkout / "include/pto/common.hpp", "int pto_word;\n")
    before = listing(work)
    assert ptofix("run", "--pattern", "auto", "--pto-isa", checkout, "-o", checkout / "include/pto/common.hpp",
                  "fa.cpp") == 2
    assert "refusing to write the output" in capsys.readouterr().err
    assert listing(work) == before


def test_a_second_command_in_one_process_still_refuses_a_checkout_file(work, capsys):
    # (The checkout is read once per process, identify's memo: its files are each run's inputs all
    # the same, the memo returning them with the facts.)
    checkout = work / "pto-isa"
    write(checkout / "include/pto/pto-inst.hpp", '#include "common.hpp"\n')
    write(checkout / "include/pto/common.hpp", "int pto_word;\n")
    before = listing(work)
    for onto in ("common.hpp", "pto-inst.hpp"):
        assert ptofix("run", "--pattern", "auto", "--pto-isa", checkout, "-o", checkout / "include/pto" / onto,
                      "fa.cpp") == 2
        assert "refusing to write the output" in capsys.readouterr().err
    assert listing(work) == before


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_report_of_several_files_onto_a_checkout_file_is_refused(work, capsys, jobs):
    checkout = work / "pto-isa"
    write(checkout / "include/pto/pto-inst.hpp", '#include "common.hpp"\n')
    write(checkout / "include/pto/common.hpp", "int pto_word;\n")
    before = listing(work)
    assert ptofix("run", "--pattern", "auto", "--pto-isa", checkout, "-j", jobs, "--check", "--report", "json",
                  "--report-file", checkout / "include/pto/common.hpp", "fa.cpp", "fb.cpp") == 2
    assert "refusing to write the report" in capsys.readouterr().err
    assert listing(work) == before


def test_each_file_job_returns_the_headers_it_read_and_no_other(work):
    from ptofix.compile_env import CompileEnvironment
    from ptofix.file_passes import FilePasses
    write(work / "ra.h", HEADER)
    write(work / "rb.h", HEADER.replace("RT_READY", "RB_READY"))
    write(work / "ka.cpp", kernel(after='#include "ra.h"\n'))
    write(work / "kb.cpp", kernel(after='#include "rb.h"\n'))
    write(work / "kc.cpp", kernel())
    from ptofix.pass_manager import build_pass
    job = FilePasses((build_pass("pipe-v-barrier", {"pattern": "auto"}),), cpp_input=True,
                     environment=CompileEnvironment())
    # (One process, one after the other, as -j 1 runs them: each job keeps its own record.)
    depends = {name: job.process(name).depends for name in ("ka.cpp", "kb.cpp", "kc.cpp", "ka.cpp")}
    assert [os.path.basename(path) for path in depends["ka.cpp"]] == ["ra.h"]
    assert [os.path.basename(path) for path in depends["kb.cpp"]] == ["rb.h"]
    assert depends["kc.cpp"] == ()
    # (The job's record is its own, never the shared settings': the environment holds no record.)
    assert not hasattr(job.environment, "reads")


def test_in_place_on_a_header_another_input_includes_is_refused(work, capsys):
    # (A header run -i would change: auto removes 6 of fa.cpp's 12 barriers; gu keeps its GU barrier.)
    write(work / "rt.h", "#pragma once\n" + FA_CPP.read_text())
    write(work / "k.cpp", kernel(after='#include "rt.h"\n'))
    before = listing(work)
    assert ptofix("run", "--pattern", "auto", "-i", "k.cpp", "rt.h") == 2
    err = capsys.readouterr().err
    assert "refusing to write" in err and "rt.h" in err
    assert (work / "rt.h").read_bytes() == before["rt.h"]


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("second", ["same", "symlink", "hardlink", "dot-slash"])
def test_the_same_file_twice_in_place_is_refused_up_front(work, jobs, second):
    if second == "symlink":
        os.symlink("fa.cpp", work / "link.cpp")
    elif second == "hardlink":
        os.link(work / "fa.cpp", work / "link.cpp")
    other = {"same": "fa.cpp", "dot-slash": "./fa.cpp"}.get(second, "link.cpp")
    before = listing(work)
    proc = subprocess_ptofix("run", "--pattern", "gu", "-j", jobs, "-i", "fa.cpp", other, cwd=work)
    assert proc.returncode == 2, proc.stderr
    assert b"the same file" in proc.stderr
    assert listing(work) == before


def _fail_the_report_rename(monkeypatch, report: str) -> None:
    from ptofix import output as output_module
    real_replace = os.replace

    def failing_replace(src, dst):
        if os.path.basename(dst) == report:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)
    monkeypatch.setattr(output_module.os, "replace", failing_replace)


# (auto, not gu: gu keeps fa.cpp's GU barrier, so it would write neither input.)
@pytest.mark.parametrize("argv", [["run", "--pattern", "auto", "-i", "fa.cpp", "fb.cpp"],
                                  ["check", "--fix", "-i", "fa.cpp", "fb.cpp"],
                                  ["opt", "-p", "pipe-v-barrier{pattern=auto}", "-i", "fa.cpp", "fb.cpp"]])
def test_several_files_in_place_with_a_report_that_cannot_be_written_are_left_untouched(work, capsys, monkeypatch,
                                                                                       argv):
    (work / "fb.cpp").write_text(FA_CPP.read_text().replace("pipe_barrier(PIPE_V);", "pipe_barrier(PIPE_V); ", 1))
    before = listing(work)
    _fail_the_report_rename(monkeypatch, "r.json")
    assert ptofix(*argv, "--report", "json", "--report-file", "r.json") == 2
    monkeypatch.undo()
    assert "nothing was written" in capsys.readouterr().err
    assert listing(work) == before


def test_canonicalize_several_files_in_place_with_a_report_that_cannot_be_written(work, capsys, monkeypatch):
    shutil.copy(FA_MLIR, work / "fb.mlir")
    before = listing(work)
    _fail_the_report_rename(monkeypatch, "r.json")
    assert ptofix("canonicalize", "--target-ptoas", "v0.36", "-i", "fa.mlir", "fb.mlir",
                  "--report", "json", "--report-file", "r.json") == 2
    monkeypatch.undo()
    assert listing(work) == before


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_several_files_with_a_report_onto_an_input_are_refused_before_any_is_written(work, jobs):
    before = listing(work)
    proc = subprocess_ptofix("run", "--pattern", "gu", "-j", jobs, "-i", "fa.cpp", "fb.cpp",
                             "--report", "json", "--report-file", "fb.cpp", cwd=work)
    assert proc.returncode == 2, proc.stderr
    assert listing(work) == before


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_several_files_with_a_report_onto_a_header_are_refused_before_any_is_written(work, jobs):
    write(work / "rt.h", HEADER)
    write(work / "k.cpp", kernel(after='#include "rt.h"\n'))
    before = listing(work)
    proc = subprocess_ptofix("run", "--pattern", "gu", "-j", jobs, "-i", "fa.cpp", "k.cpp",
                             "--report", "json", "--report-file", "rt.h", cwd=work)
    assert proc.returncode == 2, proc.stderr
    assert listing(work) == before


# ---- 2. special files are never waited on, and a checkout is read only inside it -----------------
@pytest.mark.skipif(not (IS_ROOT and os.path.exists("/proc/kmsg")), reason="/proc/kmsg blocks only for root")
@pytest.mark.parametrize("how", ["absolute", "symlink"])
def test_an_include_of_proc_kmsg_does_not_hang(tmp_path, how):
    if how == "symlink":
        os.symlink("/proc/kmsg", tmp_path / "k.h")
    name = "/proc/kmsg" if how == "absolute" else "k.h"
    write(tmp_path / "k.cpp", kernel(after=f'#include "{name}"\n'))
    proc = subprocess_ptofix("run", "--pattern", "auto", "--report", "json", "-o", os.devnull, "k.cpp", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert b"/proc/kmsg" in proc.stdout         # (the report says why the barrier is kept)


def test_an_include_of_a_proc_file_is_unknown_with_a_reason(tmp_path, capsys):
    os.symlink("/proc/self/status", tmp_path / "k.h")
    source = write(tmp_path / "k.cpp", kernel(after='#include "k.h"\n'))
    status, report, _ = run_auto(source, capsys=capsys)
    assert status == 0 and report["removed"] == 0
    assert "/proc" in reasons(report)


def fake_checkout(root: Path, inst: str = '#include "common.hpp"\n') -> Path:
    write(root / "include/pto/pto-inst.hpp", inst)
    write(root / "include/pto/common.hpp", "int pto_word;\n")
    return root


@pytest.mark.parametrize("special", ["fifo", "dev-zero"])
def test_a_special_file_in_a_checkout_does_not_hang(tmp_path, special):
    checkout = fake_checkout(tmp_path / "pto-isa", '#include "common.hpp"\n#include "special.hpp"\n')
    target = checkout / "include/pto/special.hpp"
    if special == "fifo":
        os.mkfifo(target)
    else:
        os.symlink("/dev/zero", target)
    shutil.copy(FA_CPP, tmp_path / "fa.cpp")
    proc = subprocess_ptofix("run", "--pattern", "gu", "--pto-isa", checkout, "fa.cpp", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_the_word_reader_does_not_follow_an_include_out_of_the_checkout(tmp_path):
    write(tmp_path / "outside.hpp", "int outside_word;\n")
    checkout = fake_checkout(tmp_path / "pto-isa", '#include "common.hpp"\n#include "../../../outside.hpp"\n')
    words = checkout_words(str(checkout))
    assert words is None or "outside_word" not in words
    os.symlink(tmp_path / "outside.hpp", checkout / "include/pto/linked.hpp")
    write(checkout / "include/pto/pto-inst.hpp", '#include "common.hpp"\n#include "linked.hpp"\n')
    checkout_words.cache_clear()
    words = checkout_words(str(checkout))
    assert words is None or "outside_word" not in words


@pytest.mark.parametrize("special", ["fifo", "dev-zero", "directory"])
def test_a_special_file_at_the_cache_path_is_ignored(tmp_path, special):
    checkout = fake_checkout(tmp_path / "pto-isa")
    entry = Path(header_words._cache_file(str(checkout)))
    entry.parent.mkdir(mode=0o700, parents=True)
    if special == "fifo":
        os.mkfifo(entry)
    elif special == "dev-zero":
        os.symlink("/dev/zero", entry)
    else:
        entry.mkdir()
    shutil.copy(FA_CPP, tmp_path / "fa.cpp")
    proc = subprocess_ptofix("run", "--pattern", "gu", "--pto-isa", checkout, "fa.cpp", cwd=tmp_path,
                             env={"PTOFIX_CACHE_DIR": str(entry.parent)})
    assert proc.returncode == 0, proc.stderr


# ---- 3. the cache is an optimisation, never an authority -----------------------------------------
def _planted(checkout: Path, data: object, mode: int = 0o600) -> Path:
    entry = Path(header_words._cache_file(str(checkout)))
    entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    entry.write_text(data if isinstance(data, str) else json.dumps(data))
    entry.chmod(mode)
    return entry


def test_an_empty_stamps_map_matches_no_checkout(tmp_path):
    checkout = fake_checkout(tmp_path / "pto-isa")
    _planted(checkout, {"format": 1, "root": os.path.realpath(checkout), "stamps": {}, "words": ["planted"]})
    words = checkout_words(str(checkout))
    assert words is not None and "pto_word" in words and "planted" not in words


@pytest.mark.parametrize("nesting", ["list", "object"])
def test_a_deeply_nested_cache_entry_is_ignored_and_recomputed(tmp_path, capsys, nesting):
    checkout = fake_checkout(tmp_path / "pto-isa")
    deep = "[" * 200_000 if nesting == "list" else '{"a":' * 200_000
    _planted(checkout, deep)
    words = checkout_words(str(checkout))
    assert words is not None and "pto_word" in words


def test_a_cache_entry_others_may_write_is_ignored(tmp_path, capsys):
    checkout = fake_checkout(tmp_path / "pto-isa")
    first = checkout_words(str(checkout))
    assert first is not None
    entry = Path(header_words._cache_file(str(checkout)))
    data = json.loads(entry.read_text())
    data["words"].append("planted")
    _planted(checkout, data, mode=0o666)
    checkout_words.cache_clear()
    assert checkout_words(str(checkout)) == first
    assert "writable by others" in capsys.readouterr().err


def test_a_cache_directory_others_may_write_is_ignored(tmp_path, capsys):
    checkout = fake_checkout(tmp_path / "pto-isa")
    first = checkout_words(str(checkout))
    entry = Path(header_words._cache_file(str(checkout)))
    data = json.loads(entry.read_text())
    data["words"].append("planted")
    _planted(checkout, data)
    entry.parent.chmod(0o777)
    checkout_words.cache_clear()
    assert checkout_words(str(checkout)) == first
    # Said once, though both the cache's reading and its writing find the directory unusable.
    assert capsys.readouterr().err.count("writable by others") == 1


@pytest.mark.skipif(not IS_ROOT, reason="giving a file to another user needs root")
def test_a_cache_entry_of_another_user_is_ignored(tmp_path, capsys):
    checkout = fake_checkout(tmp_path / "pto-isa")
    first = checkout_words(str(checkout))
    entry = Path(header_words._cache_file(str(checkout)))
    data = json.loads(entry.read_text())
    data["words"].append("planted")
    _planted(checkout, data)
    os.chown(entry, 4321, 4321)
    checkout_words.cache_clear()
    assert checkout_words(str(checkout)) == first
    assert "owned by" in capsys.readouterr().err


def test_the_cache_directory_is_private(tmp_path, monkeypatch):
    monkeypatch.setenv("PTOFIX_CACHE_DIR", str(tmp_path / "new" / "cache"))
    checkout = fake_checkout(tmp_path / "pto-isa")
    assert checkout_words(str(checkout)) is not None
    assert stat.S_IMODE((tmp_path / "new" / "cache").stat().st_mode) == 0o700


def test_without_home_or_passwd_entry_the_cache_is_no_literal_tilde(tmp_path, monkeypatch):
    import pwd
    import tempfile
    for name in ("PTOFIX_CACHE_DIR", "XDG_CACHE_HOME", "HOME"):
        monkeypatch.delenv(name, raising=False)

    def no_entry(uid):
        raise KeyError(uid)
    monkeypatch.setattr(pwd, "getpwuid", no_entry)
    monkeypatch.chdir(tmp_path)
    directory = cache_dir()
    assert "~" not in directory
    assert os.path.isabs(directory) and directory.startswith(tempfile.gettempdir())


def test_a_deeply_nested_report_of_an_earlier_build_is_ignored(tmp_path):
    from ptofix.prebuild.outdir import Artefacts, claimed_by_previous_build
    art = Artefacts(str(tmp_path), "fa")
    Path(art.report).write_text("[" * 200_000)
    assert claimed_by_previous_build(art) == set()
    os.unlink(art.report)
    os.mkfifo(art.report)
    assert claimed_by_previous_build(art) == set()


# ---- 4. reports encode any file name -------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["html", "json", "text"])
def test_a_file_name_that_is_not_utf8_is_encoded_in_the_report(tmp_path, fmt):
    name = os.fsdecode(b"k\xff.cpp")
    shutil.copy(FA_CPP, tmp_path / name)
    proc = subprocess_ptofix("run", "--pattern", "gu", "--report", fmt, "--report-file", "r.out", "-o", "o.cpp",
                             name, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "r.out").read_bytes()
    text = page.decode("utf-8")                      # valid UTF-8
    assert "k<ff>.cpp" in text
    if fmt == "json":
        assert json.loads(text)["files"][0]["file"] == "k<ff>.cpp"


def test_a_diagnostic_names_a_file_that_is_not_utf8_as_gcc_writes_its_bytes(tmp_path):
    name = os.fsdecode(b"bad\xfe.cpp")
    (tmp_path / name).write_bytes(b"int x;\n\n  ab\xff cd\n")
    proc = subprocess_ptofix("run", "--pattern", "auto", name, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.decode("utf-8").startswith("bad<fe>.cpp:3:5: error: invalid UTF-8 byte 0xff"), proc.stderr


def test_a_cache_entry_of_an_older_format_is_replaced_silently(tmp_path, capsys):
    checkout = fake_checkout(tmp_path / "pto-isa")
    _planted(checkout, {"format": 1, "root": os.path.realpath(checkout), "stamps": {}, "words": ["planted"]})
    words = checkout_words(str(checkout))
    assert words is not None and "planted" not in words
    assert "note" not in capsys.readouterr().err
    entry = Path(header_words._cache_file(str(checkout)))
    assert json.loads(entry.read_text())["format"] == header_words._CACHE_FORMAT


@pytest.mark.parametrize("special", ["fifo", "outside"])
def test_a_checkout_header_not_read_makes_every_macro_before_pto_unknown(tmp_path, special):
    """Fail closed: the words of a header that is not read are not known, not those of the
    documented versions (which a planted header could extend)."""
    from ptofix.pto.ops import macro_may_change_pto_code
    checkout = fake_checkout(tmp_path / "pto-isa", '#include "common.hpp"\n#include "special.hpp"\n')
    if special == "fifo":
        os.mkfifo(checkout / "include/pto/special.hpp")
    else:
        write(tmp_path / "elsewhere.hpp", "int kernel_tuning_knob;\n")
        os.symlink(tmp_path / "elsewhere.hpp", checkout / "include/pto/special.hpp")
    facts, notes = identify(str(checkout))
    assert any("special.hpp" in note and "is not read" in note for note in notes), notes
    assert macro_may_change_pto_code("kernel_tuning_knob", facts.header_words)
    # A checkout read in full judges by its words.
    os.unlink(checkout / "include/pto/special.hpp")
    write(checkout / "include/pto/special.hpp", "int other;\n")
    checkout_words.cache_clear()
    identify.cache_clear()
    facts, notes = identify(str(checkout))
    assert not macro_may_change_pto_code("kernel_tuning_knob", facts.header_words)


def test_a_fifo_where_the_sidecar_goes_is_refused_not_waited_on(work):
    os.mkfifo(work / "fa.mlir.slots.json")
    before = listing(work)
    proc = subprocess_ptofix("canonicalize", "--target-ptoas", "v0.36", "-i", "fa.mlir", cwd=work)
    assert proc.returncode == 2, proc.stderr
    assert b"cannot read the existing sidecar" in proc.stderr and b"FIFO" in proc.stderr
    assert listing(work) == before


@pytest.mark.skipif(not (IS_ROOT and os.path.exists("/proc/kmsg")), reason="/proc/kmsg blocks only for root")
def test_a_config_that_links_to_proc_kmsg_is_refused_not_waited_on(tmp_path):
    from ptofix.prebuild.config import load_config
    from ptofix.source import PtofixError
    os.symlink("/proc/kmsg", tmp_path / "ptofix.toml")
    with pytest.raises(PtofixError, match="cannot read the config"):
        load_config(str(tmp_path / "ptofix.toml"))


@pytest.mark.usefixtures("tools")
@pytest.mark.parametrize("planted", ["deep", "fifo"])
def test_build_over_a_planted_report_names_it_and_never_hangs(tmp_path, capsys, monkeypatch, planted):
    out = tmp_path / "out"
    out.mkdir()
    if planted == "deep":
        (out / "fa.report.json").write_text("[" * 200_000)
    else:
        os.mkfifo(out / "fa.report.json")
    monkeypatch.chdir(tmp_path)
    status = ptofix("build", FA_MLIR, "-o", out, "--no-config", "--target-ptoas", "v0.45", "--no-compile")
    err = capsys.readouterr().err
    assert status == 2, err
    why = "it is no report of an earlier ptofix build" if planted == "deep" else "it is a FIFO"
    assert f"refusing to replace {out}/fa.report.json: {why}" in err, err


def test_a_checkout_whose_headers_pass_the_size_bound_is_not_known(tmp_path, monkeypatch):
    monkeypatch.setattr(header_words, "MAX_CHECKOUT_BYTES", 1000)
    checkout = fake_checkout(tmp_path / "pto-isa")
    write(checkout / "include/pto/common.hpp", "int pto_word;\n" * 100)
    facts, notes = identify(str(checkout))
    assert any("more than" in note for note in notes), notes
    from ptofix.pto.ops import macro_may_change_pto_code
    assert macro_may_change_pto_code("kernel_tuning_knob", facts.header_words)
