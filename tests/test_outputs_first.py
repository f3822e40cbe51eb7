"""No input is rewritten unless every output of the call was written first (issue 69, item 4).

The report (text, json, sarif, html; to ``--report-file FILE``, ``-`` or stderr), each file's
diagnostics and the closing summary are outputs like the rewritten inputs: ``Outputs.commit``
stages the files, writes every stream, then renames. A report or stream that cannot be written
(a directory named as the report file, ``/dev/full`` behind stdout or stderr, a file-size limit
hit part-way) ends the call with exit 2 and every input as it was.
"""
from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FA_CPP = REPO / "kernels" / "flash_attention" / "fa.cpp"
TILE = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"
# Races check --fix mends (three barriers a function).
RACY = (f"__global__ AICORE void KERNEL(int32_t x) {{\n  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} b;\n"
        "  TASSIGN(b, 4096);\n  for (int32_t i = 0; i < 4; i += 1) {\n    TEXP(a, a);\n    TMULS(b, b, 0.5f);\n"
        "    pipe_barrier(PIPE_V);\n    TADD(a, b, b);\n  }\n  if (x) TMULS(b, a, 2.0f);\n  pipe_barrier(PIPE_V);\n"
        "  TEXP(b, b);\n}\n")
HAS_FULL = os.path.exists("/dev/full")

# (command, the input files it rewrites)
CHECK_ONE = (["check", "--fix", "-i"], ["a.cpp"])
CHECK_TWO = (["check", "--fix", "-i"], ["a.cpp", "b.cpp"])
CHECK_JOBS = (["check", "--fix", "-j", "2", "-i"], ["a.cpp", "b.cpp"])
RUN_ONE = (["run", "-P", "auto", "-i"], ["r.cpp"])
RUN_TWO = (["run", "-P", "auto", "-i"], ["r.cpp", "s.cpp"])


def _inputs(work: Path) -> dict[str, bytes]:
    (work / "a.cpp").write_text(RACY.replace("KERNEL", "ka"))
    (work / "b.cpp").write_text(RACY.replace("KERNEL", "kb"))
    (work / "r.cpp").write_bytes(FA_CPP.read_bytes())
    (work / "s.cpp").write_bytes(FA_CPP.read_bytes())
    (work / "DIR").mkdir()
    return _contents(work)


def _contents(work: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(work.iterdir()) if path.is_file()}


def _ptofix(work: Path, argv: list[str], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            file_limit: int | None = None) -> int:
    def limit() -> None:
        if file_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONDONTWRITEBYTECODE="1", NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "ptofix", *argv], cwd=work, stdin=subprocess.DEVNULL,
                          stdout=stdout, stderr=stderr, env=env, preexec_fn=limit, timeout=300).returncode


def _run_with_stream(work: Path, argv: list[str], stream: str) -> int:
    """``argv`` with the report placed as ``stream`` says, the failing stream on /dev/full."""
    with open("/dev/full", "wb") as full:
        if stream == "report-file DIR":
            return _ptofix(work, [*argv, "--report-file", "DIR"])
        if stream == "report-file - >/dev/full":
            return _ptofix(work, [*argv, "--report-file", "-"], stdout=full)
        if stream == "2>/dev/full":
            return _ptofix(work, argv, stderr=full)
        assert stream == ">/dev/full"
        return _ptofix(work, argv, stdout=full)


def _leftovers(work: Path) -> list[str]:
    return [name for name in os.listdir(work) if name.startswith(".ptofix-")]


# The repros: the SARIF log to a directory, the text report on a full stderr, the report
# on a full stdout.
@pytest.mark.skipif(not HAS_FULL, reason="needs /dev/full")
@pytest.mark.parametrize("report, stream", [("sarif", "report-file DIR"), ("text", "2>/dev/full"),
                                            ("json", "report-file - >/dev/full")])
def test_a_report_that_cannot_be_written_rewrites_no_input(tmp_path, report, stream):
    before = _inputs(tmp_path)
    command, files = CHECK_TWO
    assert _run_with_stream(tmp_path, [*command, *files, "--report", report], stream) == 2
    assert _contents(tmp_path) == before and not _leftovers(tmp_path)


def test_the_sarif_log_is_written_with_the_fixed_files(tmp_path):
    # (The log is one of the call's outputs, no longer written after them.)
    _inputs(tmp_path)
    command, files = CHECK_TWO
    assert _ptofix(tmp_path, [*command, *files, "--report", "sarif", "--report-file", "out.sarif"]) == 0
    import json
    log = json.loads((tmp_path / "out.sarif").read_text())
    assert [artifact["location"]["uri"] for artifact in log["runs"][0]["artifacts"]] == files
    assert all((tmp_path / name).read_text().count("/* ptofix: ") == 3 for name in files)


STREAMS = ["report-file DIR", "report-file - >/dev/full", "2>/dev/full", ">/dev/full"]
MATRIX = [(command, files, report, stream)
          for command, files in (CHECK_ONE, CHECK_TWO, CHECK_JOBS, RUN_ONE, RUN_TWO)
          for report in ("text", "json", "sarif", "html") if report != "sarif" or command[0] == "check"
          for stream in STREAMS]


@pytest.mark.slow
@pytest.mark.skipif(not HAS_FULL, reason="needs /dev/full")
@pytest.mark.parametrize("command, files, report, stream", MATRIX,
                         ids=[f"{c[0]}{len(f)}{'-j2' if '-j' in c else ''}-{r}-{s}" for c, f, r, s in MATRIX])
def test_every_format_and_stream(tmp_path, command, files, report, stream):
    """Every report format x every place it goes, with that place failing: either the call succeeds
    without writing to the failing stream (a json report to a file leaves stdout unused), or it
    exits 2 and leaves every input as it was."""
    before = _inputs(tmp_path)
    status = _run_with_stream(tmp_path, [*command, *files, "--report", report], stream)
    after = _contents(tmp_path)
    assert not _leftovers(tmp_path)
    if status == 2:
        assert after == before
    else:
        # Only where nothing goes to the failing stream: the report to stderr or the stdout that is
        # not full, or the html page... which needs a file (exit 2 above).
        assert status == 0 and stream == ">/dev/full" and report == "text", status
        assert all(after[name] != before[name] for name in files)


def _reference(tmp_path: Path, argv: list[str], files: list[str]) -> tuple[bytes, bytes, dict[str, bytes]]:
    """What ``argv`` writes with no limit: stdout, stderr and the files."""
    work = tmp_path / "reference"
    work.mkdir()
    _inputs(work)
    with open(tmp_path / "ref.out", "wb") as out, open(tmp_path / "ref.err", "wb") as err:
        assert _ptofix(work, argv, stdout=out, stderr=err) == 0
    return (tmp_path / "ref.out").read_bytes(), (tmp_path / "ref.err").read_bytes(), _contents(work)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(16))
def test_fuzz_a_file_size_limit_part_way_through_any_output(tmp_path, seed):
    """A random command, report format and place, with a file-size limit (a disk that fills part-way)
    of a random size on stdout, stderr, the report file and the staged inputs alike: either every
    output is whole (as an unlimited run writes it) or the call exits 2 with every input as it was."""
    rng = random.Random(seed)
    command, files = rng.choice([CHECK_ONE, CHECK_TWO, CHECK_JOBS, RUN_ONE, RUN_TWO])
    report = rng.choice(["text", "json", "html"] + (["sarif"] if command[0] == "check" else []))
    place = rng.choice(["FILE", "-", ""] if report != "html" else ["FILE"])
    argv = [*command, *files, "--report", report] + (["--report-file", "rep.out"] if place == "FILE" else
                                                     ["--report-file", "-"] if place == "-" else [])
    ref_out, ref_err, ref_files = _reference(tmp_path, argv, files)
    # The limit falls inside one output, picked at random, so that it is the one cut short (and
    # any larger one too).
    sizes = [len(ref_out), len(ref_err), *(len(data) for data in ref_files.values())]
    limit = rng.randrange(0, rng.choice([size for size in sizes if size]))
    work = tmp_path / "limited"
    work.mkdir()
    before = _inputs(work)
    with open(tmp_path / "out", "wb") as out, open(tmp_path / "err", "wb") as err:
        status = _ptofix(work, argv, stdout=out, stderr=err, file_limit=limit)
    after = _contents(work)
    assert not _leftovers(work)
    if status == 2:
        assert after == before, (argv, limit)
    else:
        assert status == 0, (argv, limit)
        assert after == ref_files and (tmp_path / "out").read_bytes() == ref_out, (argv, limit)
        assert (tmp_path / "err").read_bytes() == ref_err, (argv, limit)
