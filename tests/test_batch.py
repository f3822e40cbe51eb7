"""Several kernels per call: `ptofix run|opt FILE... -i | -o DIR | --check [-j N]`."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_outputs_first import RACY

REPO = Path(__file__).resolve().parent.parent
KERNELS = [REPO / "kernels" / "flash_attention" / "fa.cpp", REPO / "lit_tests" / "pipe-v-barrier" / "gu_inplace.cpp",
           REPO / "lit_tests" / "pipe-v-barrier" / "loop_back_edge.cpp"]


def ptofix(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ptofix", *args], capture_output=True, text=True, cwd=cwd)


def single(path: Path) -> str:
    proc = ptofix("run", "--pattern", "auto", str(path))
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture
def tree(tmp_path: Path) -> list[Path]:
    out = []
    for i, kernel in enumerate(KERNELS):
        target = tmp_path / f"k{i}.cpp"
        shutil.copyfile(kernel, target)
        out.append(target)
    return out


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_output_directory_gets_each_file_as_a_single_run_would(tree, tmp_path, jobs):
    outdir = tmp_path / "out"
    outdir.mkdir()
    proc = ptofix("run", "--pattern", "auto", "-j", jobs, "-o", str(outdir), *map(str, tree))
    assert proc.returncode == 0, proc.stderr
    for path in tree:
        assert (outdir / path.name).read_text() == single(path)


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
def test_in_place_and_check(tree):
    expected = [single(p) for p in tree]
    assert ptofix("run", "--pattern", "auto", "--check", *map(str, tree)).returncode == 1
    proc = ptofix("run", "--pattern", "auto", "-i", "-j", "2", *map(str, tree))
    assert proc.returncode == 0, proc.stderr
    assert [p.read_text() for p in tree] == expected
    assert ptofix("run", "--pattern", "auto", "--check", *map(str, tree)).returncode == 0


@pytest.mark.slow   # (2 s of CPU or more, measured: CI's full tier runs it)
def test_bad_input_is_reported_and_the_others_are_still_fixed(tree, tmp_path):
    bad = tmp_path / "bad.cpp"
    bad.write_text("__global__ AICORE void k() {\n  TADD(a, b, c);\n")
    before = bad.read_text()
    expected = [single(p) for p in tree]
    proc = ptofix("run", "--pattern", "auto", "-i", "-j", "2", str(tree[0]), str(bad), *map(str, tree[1:]))
    assert proc.returncode == 2
    assert f"{bad}:1:" in proc.stderr and "error:" in proc.stderr
    assert bad.read_text() == before
    assert [p.read_text() for p in tree] == expected


@pytest.mark.slow   # (2 s of CPU or more, measured: CI's full tier runs it)
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_stderr_that_cannot_take_one_files_error_writes_no_file(tree, tmp_path):
    # The bad file's error is an output of the call like the others: when stderr cannot take it,
    # no input is rewritten (issue 69: nothing is rewritten unless every output was written first).
    bad = tmp_path / "bad.cpp"
    bad.write_text("__global__ AICORE void k() {\n  TADD(a, b, c);\n")
    before = [p.read_text() for p in tree]
    assert [single(p) for p in tree] != before       # (the good files would change)
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", "-q", "-i", str(bad),
                               *map(str, tree)], stderr=full, cwd=REPO)
    assert proc.returncode == 2
    assert [p.read_text() for p in tree] == before


def test_several_files_need_somewhere_to_go(tree, tmp_path):
    proc = ptofix("run", "--pattern", "auto", *map(str, tree))
    assert proc.returncode == 2 and "several input files" in proc.stderr
    proc = ptofix("run", "--pattern", "auto", "-o", str(tmp_path / "missing"), *map(str, tree))
    assert proc.returncode == 2 and "existing directory" in proc.stderr
    clash = tmp_path / "sub"
    clash.mkdir()
    shutil.copyfile(tree[0], clash / tree[1].name)
    outdir = tmp_path / "o"
    outdir.mkdir()
    proc = ptofix("run", "--pattern", "auto", "-o", str(outdir), str(tree[1]), str(clash / tree[1].name))
    assert proc.returncode == 2 and "two input files" in proc.stderr
    assert list(outdir.iterdir()) == []


@pytest.mark.slow   # (2 s of CPU or more, measured: CI's full tier runs it)
def test_opt_takes_several_files(tree, tmp_path):
    outdir = tmp_path / "out"
    outdir.mkdir()
    proc = ptofix("opt", "-p", "pipe-v-barrier{pattern=auto}", "-j", "2", "-o", str(outdir), *map(str, tree))
    assert proc.returncode == 0, proc.stderr
    for path in tree:
        assert (outdir / path.name).read_text() == single(path)


def test_an_output_in_the_directory_that_links_to_another_input_is_refused(tree, tmp_path):
    # out/k0.cpp links to k1.cpp: writing k0's result there would overwrite k1's source.
    outdir = tmp_path / "out"
    outdir.mkdir()
    (outdir / "k0.cpp").symlink_to(tree[1])
    before = tree[1].read_bytes()
    proc = ptofix("run", "--pattern", "auto", "-o", str(outdir), str(tree[0]), str(tree[1]))
    assert proc.returncode == 2
    assert f"refusing to write the output to {outdir / 'k0.cpp'}: it is {tree[1]}, another input file" in proc.stderr
    assert tree[1].read_bytes() == before
    assert (outdir / "k1.cpp").read_text() == single(tree[1])       # the other file still delivered


def test_check_refuses_a_report_file_that_is_its_input_and_writes_one_for_several(tree, tmp_path):
    kernel = tree[0]
    before = kernel.read_bytes()
    link = tmp_path / "report.json"
    link.symlink_to(kernel)
    for report in (kernel, link):
        proc = ptofix("check", "--report", "json", "--report-file", str(report), str(kernel))
        assert proc.returncode == 2 and "it is the input" in proc.stderr
        assert kernel.read_bytes() == before
    proc = ptofix("check", "--report", "json", "--report-file", str(tmp_path / "r.json"), *map(str, tree))
    assert proc.returncode in (0, 1, 4), proc.stderr
    document = json.loads((tmp_path / "r.json").read_text())
    assert document["version"] == 2 and [item["file"] for item in document["files"]] == list(map(str, tree))


def _limited(limit: int):
    def preexec():
        import resource
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return preexec


@pytest.mark.parametrize("command", [["run", "--pattern", "auto"], ["run"], ["check", "--report", "json"],
                                     ["run", "--pattern", "auto", "--report", "json", "-o", "/dev/null"]])
def test_a_stream_cut_short_by_a_file_size_limit_is_an_error(tree, tmp_path, command):
    # The kernel takes the first 4 KiB of the write and refuses the rest: exit 2, not a silent
    # truncation with exit 0 (stdout: the kernel, or a JSON report beside -o) or 1 (check's report).
    out = tmp_path / "out.txt"
    with open(out, "wb") as handle:
        stream = {"stdout": handle}
        proc = subprocess.run([sys.executable, "-m", "ptofix", *command, str(tree[0])], cwd=REPO,
                              preexec_fn=_limited(4096), **stream)
    assert proc.returncode == 2
    assert out.stat().st_size == 4096


def _slow(path: str):
    import time
    time.sleep(0.2)
    return path


def _dies_on_k1(path: str):
    import os
    if path.endswith("k1.cpp"):
        os._exit(9)
    return _slow(path)


def _batch_options(files: list[str]):
    from ptofix.output import OutputOptions
    return OutputOptions(files=tuple(files), jobs=2, check=True)


def test_a_worker_that_dies_fails_its_file_alone_and_the_others_are_delivered(capsys):
    from ptofix.batch import run_files
    files = [f"/nowhere/k{i}.cpp" for i in (0, 2, 3, 1, 4, 5, 6, 7)]
    delivered = []
    status = run_files(_batch_options(files), _dies_on_k1,
                       lambda options, result, collected=None: delivered.append(result) or 0)
    assert status == 3
    err = capsys.readouterr().err
    assert "/nowhere/k1.cpp: error: the worker process running it ended abruptly (exit status 9)" in err
    # Every other file is delivered, in the order given (those queued after k1 on a fresh worker).
    assert delivered == [path for path in files if path != "/nowhere/k1.cpp"]
    assert "1 of 8 files failed with the worker process running them: /nowhere/k1.cpp" in err
    assert _no_children_within(5)        # no worker left behind (nor a hang)


def _killed_on_odd(path: str):
    import os
    import signal
    if int(path[-5]) % 2:
        os.kill(os.getpid(), signal.SIGKILL)
    return path


def test_workers_killed_one_after_another_cost_one_file_each(capsys):
    # Every worker that runs an odd file is killed by SIGKILL: each time a fresh one takes its
    # place, and every even file is still delivered.
    from ptofix.batch import run_files
    files = [f"/nowhere/k{i}.cpp" for i in range(10)]
    delivered = []
    status = run_files(_batch_options(files), _killed_on_odd,
                       lambda options, result, collected=None: delivered.append(result) or 0)
    assert status == 3
    err = capsys.readouterr().err
    assert delivered == files[::2]
    for path in files[1::2]:
        assert f"{path}: error: the worker process running it was killed by SIGKILL (out of memory?)" in err
    assert "5 of 10 files failed" in err
    assert _no_children_within(5)


def _no_children_within(seconds: float) -> bool:
    # (The pool's own thread may reap a worker a moment after this process stopped waiting.)
    import multiprocessing
    import time
    deadline = time.time() + seconds
    while multiprocessing.active_children() and time.time() < deadline:
        time.sleep(0.05)
    return not multiprocessing.active_children()


def _busy(path: str):
    import time
    start = time.time()
    while time.time() - start < 30:
        pass
    return path


def test_an_interrupt_stops_every_worker_at_once():
    import os
    import signal
    import threading
    import time

    from ptofix.batch import run_files
    # (Python's own SIGINT handler, whatever this process inherited: a job a non-interactive shell
    # starts in the background has SIGINT ignored, and then no KeyboardInterrupt comes.)
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    start = time.time()
    try:
        with pytest.raises(KeyboardInterrupt):
            run_files(_batch_options([f"/nowhere/k{i}.cpp" for i in range(4)]), _busy,
                      lambda options, result, collected=None: 0)
    finally:
        signal.signal(signal.SIGINT, inherited)
    # Both workers are busy on a 30 s job: they are ended, not waited for (nor given 5 s each).
    assert time.time() - start < 4
    assert _no_children_within(5)


def test_sigterm_ends_a_parallel_run_with_143_and_no_worker_left(tmp_path):
    import os
    import signal
    import time
    files = []
    for i in range(1000):        # seconds of work: the signal comes while the workers are busy
        target = tmp_path / f"k{i}.cpp"
        shutil.copyfile(KERNELS[0], target)
        files.append(str(target))
    outdir = tmp_path / "out"
    outdir.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", "-j", "2", "-o", str(outdir),
                             *files], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    children: list[int] = []
    deadline = time.time() + 20
    while len(children) < 2 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
        with open(f"/proc/{proc.pid}/task/{proc.pid}/children") as handle:
            children = [int(pid) for pid in handle.read().split()]
    time.sleep(0.2)              # the workers are at work, not starting
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 128 + signal.SIGTERM
    assert children        # (the workers had started)
    deadline = time.time() + 10
    while any(os.path.exists(f"/proc/{pid}") for pid in children) and time.time() < deadline:
        time.sleep(0.1)
    assert not any(os.path.exists(f"/proc/{pid}") for pid in children)
    assert not list(outdir.iterdir())        # interrupted before delivery: nothing written


def test_a_path_through_a_stream_descriptor_is_refused(tree, tmp_path):
    # `-o /dev/stdout >> log` would rename a new file onto the log; `-i /dev/stdin < f` would
    # rewrite f, which `-i -` refuses.
    log = tmp_path / "log"
    log.write_text("prior line\n")
    with open(log, "a") as handle:
        proc = subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", "-o", "/dev/stdout",
                               str(tree[0])], stdout=handle, stderr=subprocess.PIPE, text=True, cwd=REPO)
    assert proc.returncode == 2 and "a path through an open file descriptor" in proc.stderr
    assert log.read_text() == "prior line\n"
    before = tree[1].read_bytes()
    with open(tree[1]) as handle:
        proc = subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", "-i", "/dev/stdin"],
                              stdin=handle, capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 2 and tree[1].read_bytes() == before


def test_the_file_behind_a_stream_is_refused_however_it_is_named(tree, tmp_path):
    log = tmp_path / "log"
    log.write_text("prior line\n")
    link = tmp_path / "to_stdout"
    link.symlink_to("/dev/stdout")
    for output in ("//dev/stdout", str(link)):
        with open(log, "a") as handle:
            proc = subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", "-o", output,
                                   str(tree[0])], stdout=handle, stderr=subprocess.PIPE, text=True, cwd=REPO)
        assert proc.returncode == 2, output
        assert log.read_text() == "prior line\n"


def test_a_non_blocking_stdout_gets_every_byte(tree):
    import fcntl
    import os
    import time
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETFL, fcntl.fcntl(write_end, fcntl.F_GETFL) | os.O_NONBLOCK)
    big = tree[0].read_text() + "// padding\n" * 30000          # more than a pipe holds
    source = tree[0].with_name("big.cpp")
    source.write_text(big)
    proc = subprocess.Popen([sys.executable, "-m", "ptofix", "run", str(source)], stdout=write_end,
                            stderr=subprocess.PIPE, cwd=REPO)
    os.close(write_end)
    time.sleep(1.0)                        # (the pipe fills before anyone reads)
    data = b""
    while chunk := os.read(read_end, 65536):
        data += chunk
    os.close(read_end)
    assert proc.wait() == 0 and data.decode() == big


@pytest.mark.parametrize("closed, command", [(1, ["run", "--pattern", "auto"]), (2, ["check", "--report", "json"])])
def test_a_closed_stream_that_must_carry_the_result_is_exit_2(tree, closed, command):
    import os

    def close_it():
        os.close(closed)
    streams = {"stderr": subprocess.PIPE, "stdout": subprocess.DEVNULL} if closed == 1 else {"stdout": subprocess.DEVNULL}
    proc = subprocess.run([sys.executable, "-m", "ptofix", *command, str(tree[0])], cwd=REPO, preexec_fn=close_it,
                          **streams)
    assert proc.returncode == 2
    if closed == 1:
        assert b"cannot write the output to stdout: it is closed" in proc.stderr


# ---- batch output conventions (as ruff, black and clang-tidy do) ------------------------------------
def test_check_names_each_file_that_would_change_and_counts_them(tree, tmp_path):
    unchanged = tmp_path / "plain.cpp"
    unchanged.write_text("void k() {\n}\n")
    proc = ptofix("run", "--pattern", "auto", "--check", *map(str, tree), str(unchanged))
    assert proc.returncode == 1
    named = [line[:-len(": would change")] for line in proc.stderr.splitlines() if line.endswith(": would change")]
    assert named and str(unchanged) not in named and set(named) <= set(map(str, tree))
    assert proc.stderr.splitlines()[-1] == f"{len(named)} of {len(tree) + 1} files would change"
    proc = ptofix("run", "--pattern", "auto", "--check", str(unchanged))
    assert proc.returncode == 0 and proc.stderr == ""


def test_a_json_report_of_several_files_is_one_versioned_document(tree):
    proc = ptofix("run", "--pattern", "auto", "--check", "--report", "json", *map(str, tree))
    assert proc.returncode == 1, proc.stderr
    document = json.loads(proc.stdout)          # one document, not objects one after another
    assert document["version"] == 2
    assert [item["file"] for item in document["files"]] == list(map(str, tree))
    assert all("version" not in item and "passes" in item for item in document["files"])
    # (Beside --check stdout is free: the report goes there, stderr keeps the diagnostics.)
    one = json.loads(ptofix("run", "--pattern", "auto", "--check", "--report", "json", str(tree[0])).stdout)
    # One file: the same shape.
    assert list(one) == ["version", "files"] and one["version"] == 2 and [item["file"] for item in one["files"]] == [
        str(tree[0])]


@pytest.mark.slow   # (2 s of CPU or more, measured: CI's full tier runs it)
def test_a_report_file_takes_the_report_of_several_files(tree, tmp_path):
    report = tmp_path / "report.txt"
    proc = ptofix("run", "--pattern", "auto", "--check", "--report", "text", "--report-file", str(report),
                  *map(str, tree))
    assert proc.returncode == 1
    lines = report.read_text().splitlines()
    for path in map(str, tree):
        assert f"{path}: pipe-v-barrier: " in report.read_text()
    assert all(line.startswith(tuple(f"{p}:" for p in map(str, tree))) for line in lines)
    for where in (["--report-file", "-"], []):      # (stdout, named or by default, carries the diffs)
        proc = ptofix("run", "--pattern", "auto", "--diff", "--report", "json", *where, *map(str, tree))
        assert proc.returncode == 2 and proc.stdout == "" and "and the diffs both want stdout" in proc.stderr
    proc = ptofix("run", "--pattern", "auto", "--check", "--report", "json", "--report-file", str(tree[1]),
                  *map(str, tree))
    assert proc.returncode == 2 and "it is the input" in proc.stderr


def test_text_report_lines_name_their_file_once_as_given(tree, tmp_path):
    proc = ptofix("run", "--pattern", "auto", "--check", "--report", "text", "k0.cpp", cwd=tmp_path)
    lines = proc.stderr.splitlines()
    report = [line for line in lines if not line.endswith("would change")]
    assert report and all(line.startswith("k0.cpp:") for line in report)
    assert all(line.count("k0.cpp") == 1 for line in report)
    assert any(" at 356:5 " in line for line in report)     # another place in the file: line:col
    absolute = ptofix("run", "--pattern", "auto", "--check", "--report", "text", str(tmp_path / "k0.cpp"))
    assert all(line.startswith(str(tmp_path / "k0.cpp") + ":") for line in absolute.stderr.splitlines())


@pytest.mark.parametrize("count", [1, 2])
def test_output_to_dev_null_discards_it(tree, count):
    before = [path.read_bytes() for path in tree]
    proc = ptofix("run", "--pattern", "auto", "-o", "/dev/null", *map(str, tree[:count]))
    # (fa.cpp under auto keeps 6 of its 12 barriers: one note a file, nothing else.)
    assert proc.returncode == 0 and proc.stdout == ""
    assert all(": note: kept " in line for line in proc.stderr.splitlines())
    assert [path.read_bytes() for path in tree] == before and Path("/dev/null").is_char_device()


# ---- the progress line --------------------------------------------------------------------------------
class _Terminal:
    def __init__(self, tty: bool = True):
        self.text, self.tty = "", tty

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return self.tty


def test_the_progress_line_shows_files_done_and_elapsed_after_two_seconds_on_a_terminal():
    from ptofix.progress import Progress
    now = [100.0]
    terminal = _Terminal()
    progress = Progress(27, True, terminal, clock=lambda: now[0])
    progress.advance(1)
    now[0] += 1.5
    progress.advance(2)
    assert terminal.text == ""                  # a short run shows nothing
    now[0] += 2.0
    progress.advance(3)
    assert terminal.text == "\r\x1b[Kptofix: 3/27 files, 4 s"
    progress.erase()                            # before anything else is written to stderr
    assert terminal.text.endswith("4 s\r\x1b[K") and not progress.shown


@pytest.mark.parametrize("tty,enabled", [(False, True), (True, False)])
def test_no_progress_line_off_a_terminal_or_with_quiet(tty, enabled):
    from ptofix.progress import Progress
    now = [0.0]
    terminal = _Terminal(tty)
    with Progress(3, enabled, terminal, clock=lambda: now[0]) as progress:
        now[0] = 60.0
        progress.advance(2)
    assert terminal.text == ""


def _blocked_signals(thread_id: int) -> set[int]:
    """The signals thread ``thread_id`` (a native id) blocks, read from /proc (SigBlk: a hex mask,
    bit n - 1 for signal n)."""
    import os
    with open(f"/proc/{os.getpid()}/task/{thread_id}/status", encoding="ascii") as status:
        mask = int(next(line for line in status if line.startswith("SigBlk:")).split()[1], 16)
    return {signum for signum in range(1, 65) if mask >> (signum - 1) & 1}


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="thread signal masks, read from /proc")
def test_the_progress_ticker_takes_no_signal_sent_to_the_process():
    """A signal sent to the process goes to a thread that does not block it: the ticker must block
    Ctrl-C, SIGTERM and SIGHUP, or one taken there would not interrupt the main thread's wait for a
    worker or a tool, and signals_held would not hold it while a tool starts (an interrupted build
    could leave that tool running). The main thread's own mask is unchanged."""
    import signal
    import threading

    from ptofix.progress import Progress
    held = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    main = threading.get_native_id()
    before = _blocked_signals(main)
    with Progress(3, True, _Terminal()) as progress:
        assert progress._ticker is not None and progress._ticker.native_id is not None
        assert held <= _blocked_signals(progress._ticker.native_id)
        assert _blocked_signals(main) == before


def test_a_batch_on_a_terminal_leaves_no_progress_text_behind(tree):
    import os
    import pty
    argv = [sys.executable, "-m", "ptofix", "run", "--pattern", "auto", "--check", *map(str, tree)]
    for quiet in ([], ["-q"]):
        pid, fd = pty.fork()
        if pid == 0:                            # (the child: stderr and stdout on the terminal)
            os.chdir(REPO)
            os.execv(sys.executable, [*argv, *quiet])
        output = b""
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 1
        text = output.decode()
        # Whatever showed was erased: the last line is the summary, whole.
        assert text.replace("\r\n", "\n").rstrip("\n").splitlines()[-1].endswith(f"of {len(tree)} files would change")
        if quiet:
            assert "\x1b[K" not in text


# ---- the HTML report (its rows and decisions: tests/test_html_report.py) -----------------------------
def test_an_html_report_needs_a_file_and_holds_every_file_of_the_run(tree, tmp_path):
    proc = ptofix("run", "--pattern", "auto", "--check", "--report", "html", str(tree[0]))
    assert proc.returncode == 2 and "--report-file PAGE.html" in proc.stderr
    page = tmp_path / "all.html"
    proc = ptofix("run", "--pattern", "auto", "--check", "--report", "html", "--report-file", str(page), *map(str, tree))
    assert proc.returncode == 1
    assert [line for line in page.read_text().splitlines() if line.startswith("<h2>")] == \
        [f"<h2>{path}</h2>" for path in map(str, tree)]


def test_a_file_a_worker_read_is_no_output_of_the_call(tree, tmp_path):
    # A pass option naming a file (`local-slot-num{ir=...}`) is read in each worker (-j): the parent,
    # which writes the results, counts it as an input all the same (an output linking to it is refused).
    ir = tmp_path / "fa.mlir"
    shutil.copyfile(REPO / "kernels" / "flash_attention" / "fa.mlir", ir)
    outdir = tmp_path / "out"
    outdir.mkdir()
    (outdir / tree[0].name).symlink_to(ir)
    before = ir.read_bytes()
    proc = ptofix("opt", "-j", "2", "-p", f"local-slot-num{{ir={ir}}}", "-o", str(outdir), *map(str, tree[:2]))
    assert proc.returncode == 2
    assert f"refusing to write the output to {outdir / tree[0].name}: it is {ir}" in proc.stderr, proc.stderr
    assert ir.read_bytes() == before
    assert (outdir / tree[1].name).is_file()


def test_the_output_options_are_read_once_from_the_command_line_and_pickle_for_the_workers():
    import pickle

    from ptofix.cli import build_parser
    from ptofix.commands.output_options import output_options
    from ptofix.output import OutputOptions
    from ptofix.pto.tpipe import HEADER_RELPATH
    args = build_parser("run").parse_args(["run", "a.cpp", "b.cpp", "-o", "out", "--report", "json", "-j", "3", "-q",
                                           "--sidecar", "fa.slots.json", "--pto-lib", "/opt/pto"])
    options = output_options(args)
    assert options == OutputOptions(files=("a.cpp", "b.cpp"), output="out", report="json", jobs=3, quiet=True,
                                    option_inputs=("fa.slots.json", f"/opt/pto/{HEADER_RELPATH}"))
    assert pickle.loads(pickle.dumps(options)) == options


def test_one_of_several_files_writes_into_the_output_directory_and_knows_the_other_inputs():
    from ptofix.batch import per_file_options
    from ptofix.output import OutputOptions
    options = OutputOptions(files=("x/a.cpp", "y/b.cpp"), output="out")
    assert per_file_options(options, "y/b.cpp") == OutputOptions(files=("x/a.cpp", "y/b.cpp"), output="out/b.cpp",
                                                                 other_inputs=("x/a.cpp",))
    assert per_file_options(OutputOptions(files=("a.cpp", "b.cpp"), check=True), "a.cpp").output is None


# A ptofix whose worker for one chosen file (KILL_ON, a file name) kills itself with SIGKILL right
# as it starts on it: a real death, as the kernel's out-of-memory killer deals it.
_KILLING_PTOFIX = """
import os, signal, sys
import ptofix.batch as batch
job = batch._job
def killing(process, path, debug):
    if os.path.basename(path) == os.environ["KILL_ON"]:
        os.kill(os.getpid(), signal.SIGKILL)
    return job(process, path, debug)
batch._job = killing
from ptofix.cli import console_main
console_main()
"""


@pytest.mark.parametrize("killed", ["k0.cpp", "k3.cpp", "k5.cpp"])
def test_a_worker_killed_by_sigkill_fails_only_its_file_through_the_cli(tmp_path, killed):
    # check --fix -j 2 -i over 6 racy files (issue 69: killing one worker failed all 6, exit 3).
    names = [f"k{i}.cpp" for i in range(6)]
    for i, name in enumerate(names):
        (tmp_path / name).write_text(RACY.replace("KERNEL", f"kernel{i}"))
    before = {name: (tmp_path / name).read_text() for name in names}
    proc = subprocess.run([sys.executable, "-c", _KILLING_PTOFIX, "check", "--fix", "-j", "2", "-i", *names],
                          cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "KILL_ON": killed,
                                                                             "PYTHONPATH": str(REPO)})
    assert proc.returncode == 3, proc.stderr
    assert f"{killed}: error: the worker process running it was killed by SIGKILL" in proc.stderr
    assert f"1 of 6 files failed with the worker process running them: {killed} (its worker was killed by " \
           "SIGKILL)" in proc.stderr
    for name in names:
        after = (tmp_path / name).read_text()
        if name == killed:
            assert after == before[name]
        else:
            assert after.count("/* ptofix: ") == 3, name
    assert "inserted 15 barriers" in proc.stderr and "in 5 files" in proc.stderr


def _dies_when_told(path: str):
    import os
    import signal
    if path.endswith("-kill.cpp"):
        os.kill(os.getpid(), signal.SIGKILL)
    if path.endswith("-exit.cpp"):
        os._exit(1)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(8))
def test_fuzz_workers_dying_anywhere_cost_their_own_files(capsys, seed):
    # Any number of workers dying (SIGKILL, or an exit) at any points of a run: exactly the files
    # they were running fail, each said so, every other file is delivered in order, no worker is left.
    import random

    from ptofix.batch import run_files
    from ptofix.output import OutputOptions
    rng = random.Random(seed)
    files = [f"/nowhere/k{i}{rng.choice(['', '', '', '-kill', '-exit'])}.cpp" for i in range(rng.randrange(2, 14))]
    delivered = []
    status = run_files(OutputOptions(files=tuple(files), jobs=rng.randrange(2, 5), check=True), _dies_when_told,
                       lambda options, result, collected=None: delivered.append(result) or 0)
    err = capsys.readouterr().err
    dying = [path for path in files if path.endswith(("-kill.cpp", "-exit.cpp"))]
    assert delivered == [path for path in files if path not in dying]
    assert status == (3 if dying else 0)
    for path in files:
        assert (f"{path}: error: the worker process running it" in err) == (path in dying)
    assert (f"{len(dying)} of {len(files)} files failed" in err) == bool(dying)
    assert _no_children_within(5)
