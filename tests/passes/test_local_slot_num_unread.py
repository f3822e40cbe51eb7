"""A run asked to set LocalSlotNum on valid C++ the model cannot read (a raw string literal) leaves
the file as it is, as it does for the barrier pass, and its note says that no LocalSlotNum was set:
never silent about what was asked and not done. A run without the LocalSlotNum pass does not say it."""
from __future__ import annotations

import subprocess
import sys

import pytest

from ptofix import api

UNREAD = ('#include "pto/pto-inst.hpp"\nusing namespace pto;\nconst char* s = R"x(a)x";\n'
          "__global__ AICORE void k() {\n  pipe_barrier(PIPE_V);\n}\n")


@pytest.mark.parametrize("options,named", [(["--local-slot-num", "2"], True),
                                           (["--local-slot-num", "2", "--pattern", "auto"], True),
                                           (["--pattern", "auto"], False)])
def test_the_note_names_the_localslotnum_not_set(tmp_path, options, named):
    kernel = tmp_path / "k.cpp"
    kernel.write_text(UNREAD)
    out = tmp_path / "out.cpp"
    run = subprocess.run([sys.executable, "-m", "ptofix", "run", *options, str(kernel), "-o", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert out.read_text() == UNREAD and kernel.read_text() == UNREAD
    note = next(line for line in run.stderr.splitlines() if "raw string literals are not supported" in line)
    assert note.startswith(f"{kernel}:3:17: note: ")
    assert ("every barrier kept, no LocalSlotNum set (" in note) == named, note


def test_the_api_gives_the_same_note():
    result = api.fix_cpp(UNREAD, local_slot_num="2")
    assert result.text == UNREAD and not result.changed
    assert "every barrier kept, no LocalSlotNum set (" in result.warnings[0]
