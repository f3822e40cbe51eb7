"""The exit statuses as one enum: severity order across files, the one internal-error wording, and
every command's status a member of it."""
import os
import shutil

import pytest
from conftest import ROOT

from ptofix.cli import DESCRIPTION, main
from ptofix.exit_status import ExitStatus, internal_error, stopped_by, worse

FA_CPP = os.path.join(ROOT, "kernels", "flash_attention", "fa.cpp")


def test_the_most_severe_status_wins_whatever_the_order():
    order = [ExitStatus.OK, ExitStatus.UNVERIFIED, ExitStatus.CHANGED, ExitStatus.ERROR, ExitStatus.INTERNAL]
    for i, low in enumerate(order):
        for high in order[i:]:
            assert worse(low, high) == high and worse(high, low) == high
    assert worse(ExitStatus.INTERNAL, 77) == 77      # a status it does not rank is the most severe


def test_the_help_lists_each_general_status_with_its_number():
    for status in (ExitStatus.OK, ExitStatus.CHANGED, ExitStatus.ERROR, ExitStatus.INTERNAL, ExitStatus.INTERRUPTED):
        assert f"\n  {int(status):<3}  " in DESCRIPTION
    assert stopped_by(15) == 143 and stopped_by(1) == 129


def test_an_internal_error_reads_the_same_for_one_file_and_for_one_of_several(tmp_path, capsys, monkeypatch):
    import ptofix.file_passes as file_passes

    def boom(source, passes, model=None):
        raise ZeroDivisionError("in a pass\nsecond line")
    monkeypatch.setattr(file_passes, "fix_cpp", boom)
    for name in ("a.cpp", "b.cpp"):
        shutil.copy(FA_CPP, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--pattern", "gu", "a.cpp"]) == ExitStatus.INTERNAL
    alone = capsys.readouterr().err.splitlines()[0]
    assert alone == internal_error("ZeroDivisionError: in a pass\nsecond line")
    assert main(["run", "--pattern", "gu", "--check", "a.cpp", "b.cpp"]) == ExitStatus.INTERNAL
    lines = capsys.readouterr().err.splitlines()
    assert internal_error("ZeroDivisionError: in a pass", "a.cpp") in lines
    assert alone.removesuffix(")") + "; while processing a.cpp)" in lines


@pytest.mark.parametrize("argv", [["run", FA_CPP, "-o", os.devnull], ["run", "--check", FA_CPP]])
def test_commands_return_members_of_the_enum(argv):
    status = main(argv)
    assert isinstance(status, ExitStatus), (argv, status)
