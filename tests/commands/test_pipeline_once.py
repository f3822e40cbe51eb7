"""A command builds its pass pipeline once, checks its options there, and hands the same passes to
every file's job (pickled to the ``-j`` workers)."""
from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

import ptofix.commands.opt as opt_command
import ptofix.cpp_fixes as cpp_fixes
from ptofix.cli import main
from ptofix.file_passes import FilePasses

FA_CPP = Path(ROOT) / "kernels" / "flash_attention" / "fa.cpp"
PIPELINE = "local-slot-num{map=0=2,4=2},pipe-v-barrier{pattern=gu}"


@pytest.fixture
def three_kernels(tmp_path: Path, monkeypatch) -> list[str]:
    for name in ("a.cpp", "b.cpp", "c.cpp"):
        shutil.copy(FA_CPP, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return ["a.cpp", "b.cpp", "c.cpp"]


def counted(monkeypatch, module, name: str) -> list[int]:
    calls: list[int] = []
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(module, name, wrapper)
    return calls


def test_run_builds_its_passes_once_for_all_files(three_kernels, monkeypatch, capsys):
    calls = counted(monkeypatch, cpp_fixes, "cpp_passes")
    assert main(["run", "--pattern", "gu", "--local-slot-num", "2", "--check", *three_kernels]) == 1
    assert len(calls) == 1
    assert "3 of 3 files would change" in capsys.readouterr().err


def test_opt_builds_each_pass_once_for_all_files(three_kernels, monkeypatch, capsys):
    calls = counted(monkeypatch, opt_command, "build_pass")
    assert main(["opt", "-p", PIPELINE, "--check", *three_kernels]) == 1
    assert len(calls) == 2


@pytest.mark.parametrize("command", [["run", "--pattern", "gu", "--local-slot-num", "0=2,4=2"],
                                     ["opt", "-p", PIPELINE]])
def test_workers_get_the_pipeline_and_write_what_one_process_writes(three_kernels, tmp_path, command):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    assert main([*command, "-o", str(tmp_path / "one"), *three_kernels]) == 0
    assert main([*command, "-j", "2", "-o", str(tmp_path / "two"), *three_kernels]) == 0
    for name in three_kernels:
        one, two = (tmp_path / "one" / name).read_bytes(), (tmp_path / "two" / name).read_bytes()
        assert one == two and one != FA_CPP.read_bytes()


def test_the_job_pickles_as_it_is():
    job = FilePasses(tuple(cpp_fixes.cpp_passes(cpp_fixes.CppFixOptions(pattern="gu"))), cpp_input=True)
    assert pickle.loads(pickle.dumps(job)) == job and job.passes[0].name == "pipe-v-barrier"


def test_a_bad_pass_option_is_one_error_before_any_file(three_kernels, capsys):
    # (Built for each file, the same option error was reported once per file.)
    assert main(["run", "--local-slot-num", "abc", "--check", *three_kernels]) == 2
    err = capsys.readouterr().err
    assert err.count("error: local-slot-num: bad value 'abc'") == 1 and "would change" not in err
