"""Never crash, never hang, never lose data: input decoding, output paths, transactional writes,
sidecar merging, exit statuses and compiler-style diagnostics of the CLI."""
from __future__ import annotations

import gc
import io
import json
import os
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ptofix import output as output_module
from ptofix.cli import main

REPO = Path(__file__).resolve().parents[1]
FA_CPP = REPO / "kernels" / "flash_attention" / "fa.cpp"
FA_MLIR = REPO / "kernels" / "flash_attention" / "fa.mlir"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def ptofix(*argv: str) -> int:
    return main([str(a) for a in argv])


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(FA_CPP, tmp_path / "fa.cpp")
    shutil.copy(FA_MLIR, tmp_path / "fa.mlir")
    return tmp_path


def without_kept_note(text: str) -> str:
    """``text`` less the one note a run that keeps selected barriers prints (fa.cpp under
    ``auto`` keeps 6 of its 12: the I/O tests here are about the writes, not the proof)."""
    return "".join(line for line in text.splitlines(keepends=True) if ": note: kept " not in line)


def listing(directory: Path) -> dict[str, bytes | str]:
    out = {}
    for path in sorted(directory.rglob("*")):
        rel = str(path.relative_to(directory))
        if path.is_symlink():
            out[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            out[rel] = path.read_bytes()
        else:
            out[rel] = stat.filemode(path.lstat().st_mode)
    return out


def set_stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


# ---- input ---------------------------------------------------------------------------------------
def test_invalid_utf8_on_stdin_is_located(monkeypatch, capsys):
    set_stdin(monkeypatch, b"int x;\n\n  ab\xff cd\n")
    assert ptofix("run", "--pattern", "auto", "-") == 2
    err = capsys.readouterr().err
    assert err.startswith("<stdin>:3:5: error: invalid UTF-8 byte 0xff"), err
    assert "Traceback" not in err


def test_invalid_utf8_in_file_is_located_after_multibyte_chars(work, capsys):
    (work / "bad.cpp").write_bytes(b"// \xcf\x80 \xcf\x80\nint \xcf\x80\xc3;\n")
    assert ptofix("run", "bad.cpp") == 2
    assert capsys.readouterr().err.startswith("bad.cpp:2:6: error: invalid UTF-8 byte 0xc3")


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_invalid_utf8_is_located_by_the_files_own_line_ends(work, capsys, eol):
    # A lone CR ends a line for every other diagnostic too (CR-only files).
    (work / "bad.cpp").write_bytes(eol.join(["// a", "int x;", "  ab\xff cd", ""]).encode("latin-1"))
    assert ptofix("run", "--pattern", "auto", "bad.cpp") == 2
    assert capsys.readouterr().err.startswith("bad.cpp:3:5: error: invalid UTF-8 byte 0xff")


def test_directory_and_missing_input(work, capsys):
    (work / "d.cpp").mkdir()
    assert ptofix("run", "--pattern", "auto", "d.cpp") == 2
    assert ptofix("canonicalize", "--target-ptoas", "v0.45", "nope.mlir") == 2
    err = capsys.readouterr().err
    assert "d.cpp: it is a directory" in err and "no such file: nope.mlir" in err and "Traceback" not in err


@pytest.mark.parametrize("text", ["hello world\n", "", "// only a comment\n", "int main() { return 0; }\n"])
def test_canonicalize_rejects_text_that_is_not_mlir(work, capsys, text):
    (work / "x.mlir").write_text(text)
    assert ptofix("canonicalize", "--target-ptoas", "v0.45", "x.mlir", "-o", "out.mlir") == 2
    assert re.match(r"x\.mlir:\d+:\d+: error: not MLIR", capsys.readouterr().err)
    assert not (work / "out.mlir").exists() and not (work / "out.mlir.slots.json").exists()


@pytest.mark.parametrize("argv", [
    ["run", "--target-ptoas", "garbage", "--pattern", "auto", "fa.cpp"],
    ["run", "--target-ptoas", "garbage", "fa.cpp"],
    ["canonicalize", "--target-ptoas", "garbage", "fa.mlir"],
    ["opt", "-p", "canonicalize{target-ptoas=garbage}", "fa.mlir"],
    ["build", "fa.mlir", "-o", "out", "--no-config", "--target-ptoas", "garbage", "--dry-run"],
])
def test_unknown_target_ptoas_is_an_error_everywhere(work, capsys, argv):
    assert ptofix(*argv) == 2
    assert "unknown ptoas version 'garbage'" in capsys.readouterr().err
    assert not (work / "out").exists()


# ---- exit statuses, internal errors --------------------------------------------------------------
def test_internal_error_is_one_line_and_exit_3(work, capsys, monkeypatch):
    import ptofix.file_passes as file_passes

    def boom(source, passes, model=None):
        raise ZeroDivisionError("division by zero in a pass")
    monkeypatch.setattr(file_passes, "fix_cpp", boom)
    assert ptofix("run", "--pattern", "auto", "-i", "fa.cpp") == 3
    err = capsys.readouterr().err
    assert err.splitlines()[0] == ("ptofix: internal error: ZeroDivisionError: division by zero in a pass "
                                   "(please report)")
    assert "Traceback" not in err
    assert (work / "fa.cpp").read_bytes() == FA_CPP.read_bytes()
    for argv in (["--debug", "run", "--pattern", "auto", "fa.cpp"], ["run", "--debug", "--pattern", "auto", "fa.cpp"]):
        assert ptofix(*argv) == 3
        err = capsys.readouterr().err
        assert "Traceback (most recent call last)" in err and "ZeroDivisionError" in err


def test_main_leaves_the_garbage_collector_on(work, capsys):
    assert gc.isenabled()
    assert ptofix("run", "--pattern", "auto", "fa.cpp") == 0
    assert gc.isenabled()


def test_help_documents_exit_statuses_and_opt_quoting(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    for needle in ("exit status:", "1    --check", "2    bad input", "3    internal error", "--debug"):
        assert needle in text
    with pytest.raises(SystemExit):
        main(["opt", "--help"])
    text = capsys.readouterr().out
    assert "-p 'local-slot-num{map=0=2,4=2},pipe-v-barrier{pattern=gu}'" in text and "brace-expands" in text


def test_console_script_prints_no_traceback_on_bad_stdin():
    proc = subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", "-"],
                          input=b"int \xff;\n", capture_output=True, cwd=REPO,
                          env=dict(os.environ, LC_ALL="C.UTF-8", PYTHONPATH=str(REPO)))
    assert proc.returncode == 2
    assert proc.stderr.decode() == "<stdin>:1:5: error: invalid UTF-8 byte 0xff (invalid start byte); ptofix reads UTF-8 text only\n"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("argv", [["run", "--pattern", "auto", "fa.cpp"], ["run", "--pattern", "auto", "--diff", "fa.cpp"],
                                  ["opt", "--list-passes"], ["--help"], ["run", "--help"], ["--version"]])
def test_stdout_that_cannot_be_written_is_an_error_not_a_crash(work, argv):
    # `> /dev/full`: every write fails with ENOSPC. An output that cannot be written: exit 2, one
    # error line, no traceback, no internal error.
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "ptofix", *argv], stdout=full, stderr=subprocess.PIPE,
                              cwd=work, env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert proc.returncode == 2
    assert without_kept_note(proc.stderr.decode()) == \
        "ptofix: error: cannot write the output to stdout: No space left on device\n"


def test_stdout_write_failure_in_process_raises_a_user_error(work, capsys, monkeypatch):
    class Full(io.BytesIO):
        def write(self, data):
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(Full(), encoding="utf-8"))
    monkeypatch.setattr("ptofix.output.discard_stdout", lambda: None)
    monkeypatch.setattr("ptofix.streams.discard_stdout", lambda: None)
    assert ptofix("run", "--pattern", "auto", "fa.cpp") == 2
    assert without_kept_note(capsys.readouterr().err) == \
        "ptofix: error: cannot write the output to stdout: No space left on device\n"


def test_a_reader_that_goes_away_is_not_an_error():
    proc = subprocess.run(f"{shlex.quote(sys.executable)} -m ptofix run --pattern auto {shlex.quote(str(FA_CPP))} | head -1",
                          shell=True, capture_output=True, cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert proc.stdout.decode().count("\n") == 1
    assert without_kept_note(proc.stderr.decode()) == ""


# ---- output paths --------------------------------------------------------------------------------
def test_output_in_missing_directory_creates_nothing(work, capsys):
    before = listing(work)
    assert ptofix("run", "--pattern", "auto", "fa.cpp", "-o", "missing/out.cpp") == 2
    assert "directory missing does not exist" in capsys.readouterr().err
    assert listing(work) == before


def test_in_place_with_unwritable_report_leaves_input(work, capsys):
    before = listing(work)
    assert ptofix("run", "--pattern", "auto", "-i", "fa.cpp", "--report", "json", "--report-file", "missing/r.json") == 2
    assert "cannot write report missing/r.json" in capsys.readouterr().err
    assert listing(work) == before


def test_canonicalize_in_place_with_unwritable_sidecar_keeps_local_slot_num(work, capsys):
    before = listing(work)
    assert ptofix("canonicalize", "--target-ptoas", "v0.36", "-i", "fa.mlir", "--sidecar", "missing/x.json") == 2
    assert "cannot write sidecar missing/x.json" in capsys.readouterr().err
    assert listing(work) == before


def test_stdout_dash_creates_no_file(work, capsys):
    assert ptofix("run", "--pattern", "auto", "fa.cpp", "-o", "-") == 0
    assert "pipe_barrier" in capsys.readouterr().out
    assert not (work / "-").exists()


@pytest.mark.parametrize("argv", [["-o", "build/"], ["-o", "build/."], ["-o", "fa.cpp/"],
                                  ["-i", "--report", "json", "--report-file", "r/"]])
def test_a_name_that_can_only_be_a_directory_is_refused(work, capsys, argv):
    # realpath drops the trailing '/': `-o build/` must not write a file named build (nor fa.cpp).
    before = listing(work)
    assert ptofix("run", "--pattern", "auto", "fa.cpp", *argv) == 2
    name, what = argv[-1], "report" if "--report-file" in argv else "output"
    assert capsys.readouterr().err == \
        f"ptofix: error: cannot write {what} {name}: Not a directory ({name} can only name a directory)\n"
    assert listing(work) == before


def test_report_file_dash_writes_the_report_to_stdout(work, capsys):
    assert ptofix("run", "--pattern", "auto", "fa.cpp", "-o", "out.cpp", "--report", "json", "--report-file", "-") == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["files"][0]["file"] == "fa.cpp" and without_kept_note(captured.err) == ""
    assert (work / "out.cpp").is_file() and not (work / "-").exists()
    assert ptofix("run", "--pattern", "auto", "--check", "fa.cpp", "--report", "text", "--report-file", "-") == 1
    captured = capsys.readouterr()
    assert captured.out.endswith("fa.cpp: pipe-v-barrier: 5 of 12 PIPE_V barriers removed (0 statement(s) not parsed)\n")
    assert without_kept_note(captured.err) == "fa.cpp: would change\n"
    status = ptofix("check", "fa.cpp", "--report", "json", "--report-file", "-")
    assert status in (0, 1) and json.loads(capsys.readouterr().out)["files"][0]["file"] == "fa.cpp"
    assert not (work / "-").exists()


@pytest.mark.parametrize("argv", [["run", "--pattern", "auto", "fa.cpp"], ["run", "--pattern", "auto", "fa.cpp", "-o", "-"],
                                  ["run", "--pattern", "auto", "--diff", "fa.cpp"], ["check", "--fix", "fa.cpp"],
                                  ["canonicalize", "--target-ptoas", "v0.36", "fa.mlir"]])
@pytest.mark.parametrize("report", [["--report", "json", "--report-file", "-"], ["--report", "json"],
                                    ["--report", "text", "--report-file", "-"]])
def test_a_report_on_stdout_is_refused_when_stdout_carries_the_result(work, capsys, argv, report):
    # One rule (docs/report-format.md): a JSON report goes to stdout or --report-file, never to
    # stderr; stdout cannot take it beside the result. Refused before anything is read or written.
    before = listing(work)
    assert ptofix(*argv, *report) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    named = "--report json" if report == ["--report", "json"] else "--report-file -"
    if "--diff" in argv:
        assert captured.err == (f"ptofix: error: {named} and the diffs both want stdout: give --report-file FILE "
                                "(or --check for the report alone)\n")
    else:
        assert captured.err == (f"ptofix: error: {named} and the rewritten file both want stdout: give -o FILE, -i, "
                                "or --report-file FILE\n")
    assert listing(work) == before


def test_output_through_symlink_writes_the_target(work, capsys):
    (work / "real.cpp").write_text("old\n")
    (work / "link.cpp").symlink_to("real.cpp")
    assert ptofix("run", "--pattern", "auto", "fa.cpp", "-o", "link.cpp") == 0
    assert (work / "link.cpp").is_symlink()
    assert "pipe_barrier" in (work / "real.cpp").read_text()


def test_in_place_through_symlink_keeps_the_link(work, capsys):
    (work / "link.cpp").symlink_to("fa.cpp")
    assert ptofix("run", "--pattern", "auto", "-i", "link.cpp") == 0
    assert (work / "link.cpp").is_symlink() and os.readlink(work / "link.cpp") == "fa.cpp"
    assert (work / "fa.cpp").read_bytes() != FA_CPP.read_bytes()


@pytest.mark.parametrize("argv", [["run", "--pattern", "auto"], ["canonicalize", "--target-ptoas", "v0.45"],
                                  ["check", "--fix"], ["opt", "-p", "pipe-v-barrier"]])
@pytest.mark.parametrize("stdin", [b"", "fa.mlir", "fa.cpp"])
def test_in_place_on_stdin_is_an_option_error_before_the_input_is_read(work, capsys, monkeypatch, argv, stdin):
    set_stdin(monkeypatch, stdin if isinstance(stdin, bytes) else (work / stdin).read_bytes())
    assert ptofix(*argv, "-i", "-") == 2
    assert capsys.readouterr().err == "ptofix: error: -i needs a file, not stdin\n"


def test_in_place_on_a_hard_linked_file_says_the_other_names_keep_the_old_content(work, capsys):
    os.link(work / "fa.cpp", work / "copy.cpp")
    assert ptofix("run", "--pattern", "auto", "-i", "fa.cpp") == 0
    assert (work / "fa.cpp").read_bytes() != FA_CPP.read_bytes()
    assert (work / "copy.cpp").read_bytes() == FA_CPP.read_bytes()      # atomic replacement, as sed -i
    assert "fa.cpp: warning: replaced by a new file; its 1 other hard link still holds the old content" \
        in capsys.readouterr().err
    # Once it is a file of its own, no warning.
    assert ptofix("run", "--pattern", "auto", "-i", "copy.cpp") == 0
    assert "hard link" not in capsys.readouterr().err


def test_dangling_symlink_output_creates_its_target(work, capsys):
    (work / "link.cpp").symlink_to("made.cpp")
    assert ptofix("run", "--pattern", "auto", "fa.cpp", "-o", "link.cpp") == 0
    assert (work / "made.cpp").is_file() and (work / "link.cpp").is_symlink()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_fifo_output_is_refused_without_blocking(work, capsys):
    os.mkfifo(work / "pipe")
    assert ptofix("run", "--pattern", "auto", "fa.cpp", "-o", "pipe") == 2
    assert "refusing to replace pipe: it is a FIFO" in capsys.readouterr().err
    assert stat.S_ISFIFO(os.lstat(work / "pipe").st_mode)
    (work / "link").symlink_to("pipe")
    assert ptofix("run", "--pattern", "auto", "fa.cpp", "-o", "link") == 2
    assert stat.S_ISFIFO(os.lstat(work / "pipe").st_mode) and (work / "link").is_symlink()


def test_directory_and_socket_outputs_are_refused(work, capsys):
    (work / "d").mkdir()
    assert ptofix("run", "--pattern", "auto", "fa.cpp", "-o", "d") == 2
    assert "it is a directory" in capsys.readouterr().err
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind("s")
        assert ptofix("run", "--pattern", "auto", "fa.cpp", "-o", "s") == 2
        assert "it is a socket" in capsys.readouterr().err
        assert stat.S_ISSOCK(os.lstat(work / "s").st_mode)
    finally:
        sock.close()


def test_in_place_on_fifo_input_is_refused(work, capsys, monkeypatch):
    # The input was read (from a FIFO the shell feeds): -i must not replace the FIFO by a file.
    os.mkfifo(work / "in.cpp")
    writer = subprocess.Popen(["sh", "-c", f"cat {FA_CPP} > in.cpp"], cwd=work)
    try:
        assert ptofix("run", "--pattern", "auto", "-i", "in.cpp") == 2
    finally:
        writer.wait(timeout=30)
    assert "it is a FIFO" in capsys.readouterr().err
    assert stat.S_ISFIFO(os.lstat(work / "in.cpp").st_mode)


def test_read_only_file_is_not_replaced(work, capsys):
    (work / "out.cpp").write_text("keep\n")
    os.chmod(work / "out.cpp", 0o444)
    os.chmod(work / "fa.cpp", 0o444)
    try:
        assert ptofix("run", "--pattern", "auto", "fa.cpp", "-o", "out.cpp") == 2
        assert ptofix("run", "--pattern", "auto", "-i", "fa.cpp") == 2
        err = capsys.readouterr().err
        assert err.count("the file is read-only") == 2
        assert (work / "out.cpp").read_text() == "keep\n"
        assert (work / "fa.cpp").read_bytes() == FA_CPP.read_bytes()
    finally:
        os.chmod(work / "out.cpp", 0o644)
        os.chmod(work / "fa.cpp", 0o644)


def test_a_file_on_a_read_only_file_system_is_named_so(work, capsys, monkeypatch):
    # (A read-only mount cannot be made here: the file system's answer is stood in for.)
    (work / "out.cpp").write_text("keep\n")
    real_access, real_statvfs = os.access, os.statvfs
    out = str(work / "out.cpp")

    class ReadOnly:
        f_flag = os.ST_RDONLY

    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if str(p) == out else real_access(p, mode, **kw))
    monkeypatch.setattr(os, "statvfs", lambda p: ReadOnly() if str(p) == out else real_statvfs(p))
    assert ptofix("run", "--pattern", "auto", "fa.cpp", "-o", "out.cpp") == 2
    assert "cannot write output out.cpp: it is on a read-only file system" in capsys.readouterr().err
    assert (work / "out.cpp").read_text() == "keep\n"


@pytest.mark.skipif(IS_ROOT, reason="root writes into read-only directories")
def test_read_only_directory(work, capsys):
    (work / "ro").mkdir()
    shutil.copy(FA_CPP, work / "ro" / "fa.cpp")
    os.chmod(work / "ro", 0o555)
    try:
        assert ptofix("run", "--pattern", "auto", "fa.cpp", "-o", "ro/out.cpp") == 2
        assert ptofix("run", "--pattern", "auto", "-i", "ro/fa.cpp") == 2
        assert "is not writable" in capsys.readouterr().err
        assert sorted(os.listdir(work / "ro")) == ["fa.cpp"]
    finally:
        os.chmod(work / "ro", 0o755)


def test_new_files_follow_the_umask_and_replaced_files_keep_their_mode(work, capsys):
    old = os.umask(0o027)
    try:
        assert ptofix("run", "--pattern", "auto", "fa.cpp", "-o", "new.cpp") == 0
        assert stat.S_IMODE(os.stat(work / "new.cpp").st_mode) == 0o640
        os.umask(0o022)
        assert ptofix("run", "--pattern", "auto", "fa.cpp", "-o", "new2.cpp") == 0
        assert stat.S_IMODE(os.stat(work / "new2.cpp").st_mode) == 0o644
        os.chmod(work / "fa.cpp", 0o751)
        assert ptofix("run", "--pattern", "auto", "-i", "fa.cpp") == 0
        assert stat.S_IMODE(os.stat(work / "fa.cpp").st_mode) == 0o751
    finally:
        os.umask(old)


def test_report_file_may_not_overwrite_the_input(work, capsys):
    assert ptofix("run", "--pattern", "auto", "-i", "fa.cpp", "--report", "json", "--report-file", "fa.cpp") == 2
    assert (work / "fa.cpp").read_bytes() == FA_CPP.read_bytes()


def test_all_or_none_when_a_rename_fails(work, capsys, monkeypatch):
    (work / "r.json").write_text("previous report\n")
    real_replace = os.replace
    calls = []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)
    monkeypatch.setattr(output_module.os, "replace", failing_replace)
    assert ptofix("run", "--pattern", "auto", "-i", "fa.cpp", "--report", "json", "--report-file", "r.json") == 2
    monkeypatch.undo()
    assert "nothing was written" in capsys.readouterr().err
    assert (work / "fa.cpp").read_bytes() == FA_CPP.read_bytes()
    assert (work / "r.json").read_text() == "previous report\n"
    assert sorted(p.name for p in work.iterdir()) == ["fa.cpp", "fa.mlir", "r.json"]


# ---- the sidecar is never overwritten with less --------------------------------------------------
def test_second_canonicalize_in_place_keeps_the_sidecar(work, capsys):
    assert ptofix("canonicalize", "--target-ptoas", "v0.36", "-i", "fa.mlir") == 0
    first = json.loads((work / "fa.mlir.slots.json").read_text())
    assert len(first["pipes"]) == 6 and "local_slot_num" not in (work / "fa.mlir").read_text().split("pto.initialize_l2g2l_pipe")[1][:300]
    canonical = (work / "fa.mlir").read_bytes()
    assert ptofix("canonicalize", "--target-ptoas", "v0.36", "-i", "fa.mlir") == 0
    second = json.loads((work / "fa.mlir.slots.json").read_text())
    assert (work / "fa.mlir").read_bytes() == canonical
    assert [(e["func"], e["flag_base"], e["local_slot_num"]) for e in second["pipes"]] == \
        [(e["func"], e["flag_base"], e["local_slot_num"]) for e in first["pipes"]]


def test_sidecar_of_another_kernel_is_not_overwritten(work, capsys):
    other = {"version": 1, "pipes": [{"func": "elsewhere", "op": "pto.initialize_l2g2l_pipe", "id": None,
                                      "flag_base": 4, "dir_mask": 1, "slot_size": 512, "local_slot_num": 3}]}
    (work / "out.mlir.slots.json").write_text(json.dumps(other))
    assert ptofix("canonicalize", "--target-ptoas", "v0.36", "fa.mlir", "-o", "out.mlir") == 2
    err = capsys.readouterr().err
    assert "refusing to overwrite sidecar out.mlir.slots.json" in err and "local_slot_num = 3" in err
    assert not (work / "out.mlir").exists()
    assert json.loads((work / "out.mlir.slots.json").read_text()) == other


def test_file_that_is_not_a_sidecar_is_not_overwritten(work, capsys):
    (work / "notes.json").write_text("my notes, not JSON\n")
    assert ptofix("canonicalize", "--target-ptoas", "v0.36", "fa.mlir", "--sidecar", "notes.json") == 2
    assert "is not a ptofix sidecar" in capsys.readouterr().err
    assert (work / "notes.json").read_text() == "my notes, not JSON\n"


CANONICALIZE_IN_PLACE = [["canonicalize", "--target-ptoas", "v0.36", "-i", "fa.mlir"],
                         ["opt", "-p", "canonicalize{target-ptoas=v0.36}", "-i", "fa.mlir"]]


def _write_before_placing(monkeypatch, path: Path, content: bytes) -> None:
    """Make another process write ``path`` after the sidecar was merged, before the outputs are placed."""
    original = output_module.Outputs.commit

    def write_then_commit(self, *args, **kwargs):
        path.write_bytes(content)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(output_module.Outputs, "commit", write_then_commit)


@pytest.mark.parametrize("argv", CANONICALIZE_IN_PLACE)
def test_sidecar_changed_since_it_was_merged_is_not_replaced(work, capsys, monkeypatch, argv):
    assert ptofix(*argv) == 0
    (work / "fa.mlir").write_bytes(FA_MLIR.read_bytes())       # the original again: values to strip
    theirs = (work / "fa.mlir.slots.json").read_bytes().replace(b'"local_slot_num": 2', b'"local_slot_num": 4')
    assert theirs != (work / "fa.mlir.slots.json").read_bytes()
    _write_before_placing(monkeypatch, work / "fa.mlir.slots.json", theirs)
    assert ptofix(*argv) == 2
    assert "refusing to replace fa.mlir.slots.json: it changed since ptofix read it" in capsys.readouterr().err
    assert (work / "fa.mlir.slots.json").read_bytes() == theirs
    assert (work / "fa.mlir").read_bytes() == FA_MLIR.read_bytes()


@pytest.mark.parametrize("argv", CANONICALIZE_IN_PLACE)
def test_sidecar_created_since_it_was_looked_for_is_not_replaced(work, capsys, monkeypatch, argv):
    theirs = b'{"version": 1, "pipes": []}\n'
    _write_before_placing(monkeypatch, work / "fa.mlir.slots.json", theirs)
    assert ptofix(*argv) == 2
    assert "refusing to replace fa.mlir.slots.json: it was created since ptofix looked for it" \
        in capsys.readouterr().err
    assert (work / "fa.mlir.slots.json").read_bytes() == theirs
    assert (work / "fa.mlir").read_bytes() == FA_MLIR.read_bytes()


@pytest.mark.parametrize("argv", [["canonicalize", "--target-ptoas", "v0.36"], ["opt", "-p", "canonicalize{target-ptoas=v0.36}"]])
def test_no_sidecar_for_a_discarded_output(work, capsys, argv):
    # (A link to /dev/null here: the sidecar beside it would be written into this directory.)
    os.symlink(os.devnull, work / "discard")
    assert ptofix(*argv, "fa.mlir", "-o", "discard") == 0
    assert "NOT recorded: no sidecar is written for this output" in capsys.readouterr().err
    assert sorted(p.name for p in work.iterdir()) == ["discard", "fa.cpp", "fa.mlir"]


def test_sidecar_entry_is_updated_when_the_ir_changes_its_value(work, capsys):
    assert ptofix("canonicalize", "--target-ptoas", "v0.36", "fa.mlir", "-o", "out.mlir") == 0
    edited = (work / "fa.mlir").read_text().replace("local_slot_num = 2", "local_slot_num = 4")
    (work / "fa.mlir").write_text(edited)
    assert ptofix("canonicalize", "--target-ptoas", "v0.36", "fa.mlir", "-o", "out.mlir") == 0
    pipes = json.loads((work / "out.mlir.slots.json").read_text())["pipes"]
    assert len(pipes) == 6 and {e["local_slot_num"] for e in pipes} == {4}


# ---- diagnostics ---------------------------------------------------------------------------------
def test_ir_warnings_have_a_column(work, capsys):
    assert ptofix("canonicalize", "--target-ptoas", "v0.36", "fa.mlir", "-o", "out.mlir") == 0
    warnings = capsys.readouterr().err.splitlines()
    assert warnings and all(re.match(r"fa\.mlir:\d+:\d+: warning: removed local_slot_num", w) for w in warnings)


def test_json_report_goes_to_a_free_stdout_and_the_warnings_to_stderr(work, capsys):
    assert ptofix("canonicalize", "--target-ptoas", "v0.36", "fa.mlir", "-o", "out.mlir", "--report", "json") == 0
    captured = capsys.readouterr()
    assert captured.err.strip() and all(": warning: " in line for line in captured.err.strip().splitlines())
    assert json.loads(captured.out)["files"][0]["target_ptoas"] == "v0.36"
    # -i frees stdout too; with the result on stdout the report is refused (never on stderr).
    assert ptofix("canonicalize", "--target-ptoas", "v0.36", "fa.mlir", "-i", "--report", "json") == 0
    captured = capsys.readouterr()
    assert captured.err.strip() and all(": warning: " in line for line in captured.err.strip().splitlines())
    assert json.loads(captured.out)["files"][0]["target_ptoas"] == "v0.36"
    assert ptofix("canonicalize", "--target-ptoas", "v0.36", "out.mlir", "--report", "json") == 2


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
@pytest.mark.parametrize("variant", ["plain", "no_final_newline", "crlf", "cr_only"])
def test_diff_applies_with_git(work, capsys, variant):
    data = FA_CPP.read_bytes()
    if variant == "no_final_newline":
        data = data.rstrip(b"\n")
    elif variant == "crlf":
        data = data.replace(b"\n", b"\r\n")
    elif variant == "cr_only":
        data = data.replace(b"\n", b"\r")
    (work / "k.cpp").write_bytes(data)
    status = ptofix("run", "--pattern", "auto", "--diff", "k.cpp")
    captured = capsys.readouterr()
    if status != 0:     # a CR-only file may be refused by the C++ front end: then nothing to apply
        assert variant == "cr_only" and "error:" in captured.err
        return
    patch = captured.out
    if not patch:       # CR-only: the C++ front end may find nothing to change
        assert variant == "cr_only"
        return
    assert patch.startswith("--- a/k.cpp\n+++ b/k.cpp\n")
    (work / "d.patch").write_bytes(patch.encode())
    subprocess.run(["git", "init", "-q", "."], cwd=work, check=True)
    check = subprocess.run(["git", "apply", "--check", "d.patch"], cwd=work, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    subprocess.run(["git", "apply", "d.patch"], cwd=work, check=True)
    assert ptofix("run", "--pattern", "auto", "k.cpp", "-o", "expected.cpp") == 0
    assert (work / "k.cpp").read_bytes() == (work / "expected.cpp").read_bytes()


@pytest.mark.parametrize("name, header", [
    ("tab\tname.cpp", '"a/tab\\tname.cpp"'), ("new\nline.cpp", '"a/new\\nline.cpp"'),
    ('quo"te.cpp', '"a/quo\\"te.cpp"'), ("back\\slash.cpp", '"a/back\\\\slash.cpp"'),
    ("esc\x1b.cpp", '"a/esc\\033.cpp"'), ("caf\u00e9.cpp", '"a/caf\\303\\251.cpp"'),
    ("sp ace.cpp", "a/sp ace.cpp\t"),
])
def test_diff_quotes_file_names_as_git_does(work, capsys, name, header):
    (work / name).write_bytes(FA_CPP.read_bytes())
    assert ptofix("run", "--pattern", "auto", "--diff", name) == 0
    patch = capsys.readouterr().out
    assert patch.startswith(f"--- {header}\n+++ {header.replace('a/', 'b/', 1)}\n")
    if shutil.which("git") is None:
        return
    (work / "d.patch").write_bytes(patch.encode())
    subprocess.run(["git", "init", "-q", "."], cwd=work, check=True)
    check = subprocess.run(["git", "apply", "--check", "d.patch"], cwd=work, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


# ---- build ---------------------------------------------------------------------------------------
def test_build_with_bad_ir_keeps_previous_artefacts(work, capsys, monkeypatch):
    out = work / "out"
    out.mkdir()
    (out / "fa.canon.mlir").write_text("previous\n")
    (out / "fa.report.json").write_text("{}\n")
    (work / "bad").mkdir()
    (work / "bad" / "fa.mlir").write_text("hello\n")
    monkeypatch.setenv("PTOAS", sys.executable)
    assert ptofix("build", "bad/fa.mlir", "-o", "out", "--no-config", "--target-ptoas", "v0.45", "--no-compile") == 2
    assert sorted(os.listdir(out)) == ["fa.canon.mlir", "fa.report.json"]
    assert (out / "fa.canon.mlir").read_text() == "previous\n"


def test_build_output_dir_that_is_a_file_is_refused(work, capsys, monkeypatch):
    (work / "out").write_text("a file\n")
    monkeypatch.setenv("PTOAS", sys.executable)
    assert ptofix("build", "fa.mlir", "-o", "out", "--no-config", "--target-ptoas", "v0.45", "--no-compile") == 2
    assert "exists and is not a directory" in capsys.readouterr().err
    assert (work / "out").read_text() == "a file\n"


def test_opt_canonicalize_in_place_records_the_stripped_values(work, capsys):
    assert ptofix("opt", "-p", "canonicalize{target-ptoas=v0.36}", "-i", "fa.mlir") == 0
    pipes = json.loads((work / "fa.mlir.slots.json").read_text())["pipes"]
    assert len(pipes) == 6 and {e["local_slot_num"] for e in pipes} == {2}
    assert ptofix("opt", "-p", "canonicalize{target-ptoas=v0.36}", "-i", "fa.mlir") == 0
    assert len(json.loads((work / "fa.mlir.slots.json").read_text())["pipes"]) == 6


# ---- data safety: streams are outputs, every file read is an input, -i compares before renaming --
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("argv", [["run", "--pattern", "auto", "-i", "fa.cpp", "--report", "text"],
                                  ["run", "--pattern", "auto", "-i", "fa.cpp", "--report", "json",
                                   "--report-file", "/dev/stderr"],
                                  ["run", "--pattern", "auto", "-o", "out.cpp", "--report", "text", "fa.cpp"]])
def test_a_stderr_that_cannot_take_the_report_leaves_every_file_as_it_was(work, argv):
    # The report on stderr is an output like the file: exit 2 must mean nothing was written.
    before = listing(work)
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "ptofix", *argv], stderr=full, stdout=subprocess.PIPE,
                              cwd=work, env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert proc.returncode == 2
    assert listing(work) == before


def test_a_stdout_that_cannot_take_the_diff_leaves_the_report_file_unwritten(work, monkeypatch):
    def full(text, what="output"):
        raise output_module.StreamError(f"cannot write the {what} to stdout: No space left on device")

    monkeypatch.setattr(output_module, "write_stdout", full)
    assert ptofix("run", "--pattern", "auto", "--diff", "fa.cpp", "--report", "json", "--report-file", "r.json") == 2
    assert not (work / "r.json").exists()
    assert not [name for name in os.listdir(work) if name.startswith(".ptofix-")]


@pytest.mark.parametrize("option, name", [("--ir", "fa.mlir"), ("--sidecar", "fa.slots.json")])
@pytest.mark.parametrize("onto", ["-o", "--report-file"])
def test_an_output_onto_a_file_the_run_reads_is_refused(work, capsys, option, name, onto):
    (work / "fa.slots.json").write_text('{"version": 1, "pipes": []}\n')
    before = listing(work)
    report = ["--report", "json"] if onto == "--report-file" else []
    assert ptofix("run", "--local-slot-num", "0=2", option, name, *report, onto, name, "fa.cpp") == 2
    assert f"refusing to write the {'output' if onto == '-o' else 'report'} to {name}: it is {name}" \
        in capsys.readouterr().err
    assert listing(work) == before


@pytest.mark.parametrize("argv", [["-o", "fa.mlir", "fa.cpp"],
                                  ["--check", "--report", "json", "--report-file", "fa.mlir", "fa.cpp", "fb.cpp"],
                                  ["--check", "--report", "json", "--report-file", "fa.mlir", "-j", "2",
                                   "fa.cpp", "fb.cpp"]])
def test_an_output_onto_a_file_a_pass_option_names_is_refused(work, capsys, argv):
    """`opt`'s pipeline names the IR for reading (Pass.input_files): it is an input before any
    file is processed, also when -j workers read it."""
    shutil.copy(work / "fa.cpp", work / "fb.cpp")
    before = listing(work)
    assert ptofix("opt", "-p", "local-slot-num{ir=fa.mlir}", *argv) == 2
    assert "to fa.mlir: it is fa.mlir" in capsys.readouterr().err
    assert listing(work) == before


def _edit_while_running(monkeypatch, path: Path, new_content: bytes) -> None:
    """Make ``run`` see ``path`` change after it read it (an editor, or a second `run -i`)."""
    from ptofix.commands import run as run_module
    original = run_module.process_file

    def process_then_edit(file, **settings):
        result = original(file, **settings)
        path.write_bytes(new_content)
        return result

    monkeypatch.setattr(run_module, "process_file", process_then_edit)


@pytest.mark.parametrize("edit", [b"// edited meanwhile\n", FA_CPP.read_bytes() + b"// one more line\n",
                                  FA_CPP.read_bytes()[:-1]])
def test_in_place_refuses_a_file_that_changed_since_it_was_read(work, capsys, monkeypatch, edit):
    _edit_while_running(monkeypatch, work / "fa.cpp", edit)
    assert ptofix("run", "--pattern", "auto", "-i", "fa.cpp") == 2
    assert "refusing to replace fa.cpp: it changed since ptofix read it" in capsys.readouterr().err
    assert (work / "fa.cpp").read_bytes() == edit
    assert not [name for name in os.listdir(work) if name.startswith(".ptofix-")]


def test_in_place_with_an_unchanged_file_still_writes(work, monkeypatch):
    # The same bytes written back meanwhile (a touch, a save without change) are no change.
    _edit_while_running(monkeypatch, work / "fa.cpp", FA_CPP.read_bytes())
    assert ptofix("run", "--pattern", "auto", "-i", "fa.cpp") == 0
    assert (work / "fa.cpp").read_bytes() != FA_CPP.read_bytes()


def test_two_in_place_runs_on_one_file_never_lose_a_result(work):
    # Two different edits of one file at once: the file ends as one of them applied to the other's
    # result, or as one alone with the other run refused (exit 2); never one alone while the other
    # reports success (its result lost).
    edits = {"slots": ["--local-slot-num", "0=3"], "barriers": ["--pattern", "auto"]}
    alone = {}
    for name, options in edits.items():
        assert ptofix("run", *options, "fa.cpp", "-o", f"{name}.cpp") == 0
        alone[name] = (work / f"{name}.cpp").read_bytes()
    assert len({*alone.values(), FA_CPP.read_bytes()}) == 3
    procs = {name: subprocess.Popen([sys.executable, "-m", "ptofix", "run", *options, "-i", "fa.cpp"], cwd=work,
                                    stderr=subprocess.PIPE, env=dict(os.environ, PYTHONPATH=str(REPO)))
             for name, options in edits.items()}
    statuses = {name: proc.wait() for name, proc in procs.items()}
    errors = b"".join(proc.stderr.read() for proc in procs.values()).decode()
    result = (work / "fa.cpp").read_bytes()
    for name, other in (("slots", "barriers"), ("barriers", "slots")):
        if result == alone[name]:
            assert statuses == {name: 0, other: 2}, errors
            return
    assert statuses == {"slots": 0, "barriers": 0}, errors
    assert result not in (FA_CPP.read_bytes(), *alone.values())


def test_reading_stdin_when_it_is_closed_is_an_error(work):
    proc = subprocess.run([sys.executable, "-m", "ptofix", "run", "-"], stdin=subprocess.DEVNULL, cwd=work,
                          capture_output=True, env=dict(os.environ, PYTHONPATH=str(REPO)),
                          preexec_fn=lambda: os.close(0))
    assert proc.returncode == 2
    assert proc.stderr.decode() == "ptofix: error: cannot read the input from stdin ('-'): it is closed\n"


# ---- Ctrl-C while the command starts --------------------------------------------------------------
_INTERRUPT_DURING_START = """
import os, signal, sys
sys.argv = ["ptofix", "run", "--check", "--pattern", "auto", "fa.cpp"]   # (as the console script starts)
import ptofix                        # (the package's first lines run first)
os.kill(os.getpid(), signal.{name})  # a Ctrl-C (or a stop) while the command's modules import
import ptofix.cli
ptofix.cli.console_main()
"""


@pytest.mark.parametrize("name, status, line", [("SIGINT", 130, "ptofix: interrupted\n"),
                                                ("SIGTERM", 143, "ptofix: stopped by SIGTERM\n"),
                                                ("SIGHUP", 129, "ptofix: stopped by SIGHUP\n")])
def test_ctrl_c_while_the_command_imports_is_one_line_and_130(work, name, status, line):
    proc = subprocess.run([sys.executable, "-c", _INTERRUPT_DURING_START.format(name=name)], cwd=work,
                          capture_output=True, env=dict(os.environ, PYTHONPATH=str(REPO)),
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert (proc.returncode, proc.stderr.decode()) == (status, line)


def test_a_program_importing_ptofix_keeps_its_own_ctrl_c():
    # Only the ptofix command handles Ctrl-C at start-up: a library user's KeyboardInterrupt stays.
    code = "import signal, ptofix; print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(REPO)),
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert proc.stdout == "True\n", proc.stderr


@pytest.mark.skipif(not hasattr(os, "fork"), reason="flock(2)")
def test_in_place_waits_for_another_runs_lock_and_gives_up_unwritten(work, capsys, monkeypatch):
    # Another ptofix replacing the file holds an exclusive flock from its comparison to its rename.
    import fcntl
    monkeypatch.setattr(output_module, "LOCK_PATIENCE", 0.3)
    with open(work / "fa.cpp", "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        assert ptofix("run", "--pattern", "auto", "-i", "fa.cpp") == 2
    assert "another process has held a lock on it" in capsys.readouterr().err
    assert (work / "fa.cpp").read_bytes() == FA_CPP.read_bytes()
    assert not [name for name in os.listdir(work) if name.startswith(".ptofix-")]
    assert ptofix("run", "--pattern", "auto", "-i", "fa.cpp") == 0      # (released: written)
    assert (work / "fa.cpp").read_bytes() != FA_CPP.read_bytes()


def test_a_report_reader_that_goes_away_does_not_stop_the_in_place_write(work, capsys, monkeypatch):
    # `run -i F --report-file - | head -1`: the reader chose to stop; F is still written, exit 0.
    def reader_gone(text, what="output"):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(output_module, "write_stdout", reader_gone)
    monkeypatch.setattr("ptofix.output.discard_stdout", lambda: None)
    monkeypatch.setattr("ptofix.streams.discard_stdout", lambda: None)
    assert ptofix("run", "--pattern", "auto", "-i", "fa.cpp", "--report", "text", "--report-file", "-") == 0
    assert (work / "fa.cpp").read_bytes() != FA_CPP.read_bytes()
    assert not [name for name in os.listdir(work) if name.startswith(".ptofix-")]


def test_the_file_behind_stdin_is_an_input(work):
    # `ptofix run - < fa.cpp --report-file fa.cpp`: the report would replace the input it was made from.
    with open(work / "fa.cpp", "rb") as stdin:
        proc = subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", "-", "--report", "text",
                               "--report-file", "fa.cpp", "-o", "out.cpp"], stdin=stdin, cwd=work,
                              capture_output=True, env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert proc.returncode == 2
    assert b"refusing to write the report to fa.cpp: it is the input read from stdin" in proc.stderr
    assert (work / "fa.cpp").read_bytes() == FA_CPP.read_bytes() and not (work / "out.cpp").exists()
    # -o onto it is allowed, as -o onto a named input is (everything was read first).
    with open(work / "fa.cpp", "rb") as stdin:
        proc = subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", "-", "-o", "fa.cpp"],
                              stdin=stdin, cwd=work, env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert proc.returncode == 0 and (work / "fa.cpp").read_bytes() != FA_CPP.read_bytes()
