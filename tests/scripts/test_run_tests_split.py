"""scripts/run_tests.py runs pytest as several processes: every test file in exactly one chunk, the
heaviest first, and one combined count in which a process that crashed counts as failed."""
from __future__ import annotations

import importlib.util
import io
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _runner():
    spec = importlib.util.spec_from_file_location("run_tests_split", os.path.join(ROOT, "scripts", "run_tests.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _chunks(schedule) -> list[list[str]]:
    found = []
    while schedule.queue:
        found.append(schedule.take())
    return found


# ---- the schedule -----------------------------------------------------------------------------------------------------

def test_every_file_is_in_exactly_one_chunk_the_heaviest_first():
    runner = _runner()
    weights = {f"tests/test_{i}.py": float(w) for i, w in enumerate([300, 5, 40, 2, 2, 120, 9, 60, 1, 1, 30])}
    files = sorted(weights) + ["tests/test_new.py"]          # (one the table does not list)
    chunks = _chunks(runner.Schedule(files, weights, jobs=2, minimum=10.0))
    dealt = [f for chunk in chunks for f in chunk]
    assert sorted(dealt) == sorted(files) and len(dealt) == len(set(dealt))
    assert chunks[0] == ["tests/test_0.py"] and chunks[1] == ["tests/test_5.py"]
    heaviest_first = [weights.get(f, 9.0) for f in dealt]
    assert heaviest_first == sorted(heaviest_first, reverse=True)
    # A chunk is at most a quarter of what was left when it was dealt (one file may weigh more), at
    # least the minimum: the last chunks are small ones.
    left = sum(weights.values()) + 9.0       # (the unlisted file weighs the median)
    for chunk in chunks:
        weight = sum(weights.get(f, 9.0) for f in chunk)
        assert len(chunk) == 1 or weight <= max(left / 4, 10.0), (chunk, weight, left)
        left -= weight
    assert sum(weights.get(f, 9.0) for f in chunks[-1]) <= 10.0


def test_one_job_is_one_chunk_of_every_file():
    runner = _runner()
    files = ["tests/a/test_x.py", "tests/test_y.py"]
    weights = {"tests/a/test_x.py": 1.0, "tests/test_y.py": 50.0}
    assert _chunks(runner.Schedule(files, weights, jobs=1)) == [["tests/test_y.py", "tests/a/test_x.py"]]


def test_the_weights_table_lists_test_files_that_exist():
    runner = _runner()
    weights = runner.read_weights(runner.WEIGHTS)
    files = set(runner.test_files(ROOT))
    assert len(weights) >= 100
    assert not set(weights) - files, f"tests/file_weights.tsv names files that are gone: {set(weights) - files}"
    assert all(quick >= 0 and full >= quick for quick, full in weights.values())


def test_the_file_list_skips_what_pytest_does_not_collect(tmp_path):
    runner = _runner()
    for name in ["tests/test_a.py", "tests/sub/test_b.py", "tests/sub/c_test.py", "tests/helper.py",
                 "tests/.hidden/test_d.py", "tests/__pycache__/test_e.py", "tests/build/test_f.py", "tests/test_g.txt"]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")
    assert runner.test_files(str(tmp_path)) == ["tests/sub/c_test.py", "tests/sub/test_b.py", "tests/test_a.py"]


@pytest.mark.slow    # (a whole collection of the suite: ~15 s of CPU)
def test_the_file_list_is_what_pytest_collects():
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-rs", "-p", "no:cacheprovider",
                           "tests"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    collected = {line.split("::")[0] for line in done.stdout.splitlines() if "::" in line}
    # (A module skipped as a whole, e.g. an optional import missing, has no test to list.)
    collected |= set(re.findall(r"^SKIPPED \[\d+\] ([^:]+\.py):", done.stdout, re.M))
    assert collected == set(_runner().test_files(ROOT))


# ---- the counts -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("tail, status, counts", [
    (b"....\n12 passed, 3 skipped, 40 deselected in 9.10s\n", 0, (12, 0, 3, 40)),
    (b"FAILED tests/test_x.py::test_y\n2 failed, 9 passed, 1 error in 1.00s (0:00:01)\n", 1, (9, 3, 0, 0)),
    (b"7 deselected in 0.50s\n", 5, (0, 0, 0, 7)),
    (b"no tests ran in 0.01s\n", 5, (0, 0, 0, 0)),
    # A crash: no summary line, whatever the status.
    (b"......Fatal Python error: Segmentation fault\n", -11, (0, 1, 0, 0)),
    (b"..........", 0, (0, 1, 0, 0)),
    (b"", 1, (0, 1, 0, 0)),
    # Interrupted in collection: the errors count.
    (b"!!! Interrupted: 2 errors during collection !!!\n2 errors in 3.0s\n", 2, (0, 2, 0, 0)),
    # An internal error after a summary that counted no failure.
    (b"5 passed in 1.00s\n", 3, (5, 1, 0, 0)),
])
def test_a_process_counts_from_its_summary_and_a_crash_is_a_failure(tail, status, counts):
    assert _runner().summary_counts(tail, status) == counts


def _project(tmp_path):
    """A project of three test files: passing and skipping (and one slow test), failing, and one whose
    process dies of a signal halfway."""
    tests = tmp_path / "tests"
    tests.mkdir()
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    slow: slow\n", encoding="utf-8")
    (tests / "test_pass.py").write_text("import pytest\n\n\ndef test_a():\n    pass\n\n\ndef test_b():\n    pass\n\n\n"
                                        "@pytest.mark.slow\ndef test_slow():\n    pass\n\n\n"
                                        "@pytest.mark.skip(reason='absent')\ndef test_e():\n    pass\n",
                                        encoding="utf-8")
    (tests / "test_fail.py").write_text("def test_c():\n    assert 1 == 2\n\n\ndef test_d():\n    pass\n",
                                        encoding="utf-8")
    (tests / "test_crash.py").write_text("import os\nimport signal\n\n\ndef test_f():\n    pass\n\n\n"
                                         "def test_g():\n    os.kill(os.getpid(), signal.SIGKILL)\n", encoding="utf-8")
    return tmp_path


def _run(runner, root, monkeypatch, full, jobs, failures=None):
    captured = io.BytesIO()

    class Out:
        buffer = captured

        @staticmethod
        def write(text: str) -> int:
            return captured.write(text.encode())

        @staticmethod
        def flush() -> None:
            pass
    monkeypatch.setattr(runner.sys, "stdout", Out)
    counts = runner.run_pytest(full, str(root / f"scratch{jobs}"), root=str(root), jobs=jobs, weights={}, minimum=0.0,
                               failures=failures)
    return counts, captured.getvalue().decode()


def test_two_processes_give_one_count_and_prefix_their_lines(tmp_path, monkeypatch):
    runner = _runner()
    root = _project(tmp_path)
    (passed, failed, skipped, deselected, chunks), output = _run(runner, root, monkeypatch, full=False, jobs=2)
    # test_pass's two quick tests, test_fail's second (test_crash's first is not counted: its process
    # died before its summary, one failed for the crash), test_fail's failure; one skip; one slow
    # test left out.
    assert (passed, failed, skipped, deselected) == (3, 2, 1, 1), output
    assert chunks == 3
    lines = [line for line in output.splitlines() if not line.startswith("== pytest")]
    assert lines and all(line[:3] in ("1| ", "2| ") for line in lines), output
    assert {line[:3] for line in lines} == {"1| ", "2| "}
    assert "== chunk 3: " in output and re.search(r"ended with status -9 after \d+ s \(its files: tests/test_crash.py\)",
                                                   output)
    assert len(re.findall(r"^[12]\| == chunk \d done in \d+ s$", output, re.M)) == 2
    assert "1| 1 failed, 1 passed in" in output or "2| 1 failed, 1 passed in" in output


def test_the_failed_tests_are_collected_for_the_end(tmp_path, monkeypatch):
    # .ci/run's log is long, and a reader of its last lines must still see which test failed: the
    # failed test's summary line and the chunk that crashed are handed back to be printed again.
    runner = _runner()
    root = _project(tmp_path)
    for jobs in (2, 1):
        if jobs == 1:                       # (one process over the folder: the crash would end it)
            (root / "tests" / "test_crash.py").unlink()
        failures: list[str] = []
        _, output = _run(runner, root, monkeypatch, True, jobs, failures)
        assert any(line.startswith("FAILED tests/test_fail.py::test_c") for line in failures), (failures, output)
        if jobs == 2:
            assert any(re.match(r"chunk \d ended with status -9 \(its files: tests/test_crash.py\)$", line)
                       for line in failures), failures
        assert not any("test_pass.py" in line for line in failures), failures


def test_one_process_runs_the_folder_as_before(tmp_path, monkeypatch):
    runner = _runner()
    root = _project(tmp_path)
    (root / "tests" / "test_crash.py").unlink()
    (passed, failed, skipped, deselected, chunks), output = _run(runner, root, monkeypatch, full=True, jobs=1)
    assert (passed, failed, skipped, deselected, chunks) == (4, 1, 1, 0, 1), output
    assert "| " not in output and "1 failed, 4 passed, 1 skipped in" in output


def test_the_jobs_default_to_the_cpus_at_most_two(monkeypatch):
    runner = _runner()
    monkeypatch.setenv(runner.JOBS_VARIABLE, "3")
    assert runner.pytest_jobs() == 3
    monkeypatch.setenv(runner.JOBS_VARIABLE, "")
    assert 1 <= runner.pytest_jobs() <= 2
    monkeypatch.setattr(runner.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert runner.pytest_jobs() == 1
