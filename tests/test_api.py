"""ptofix.api: the library functions give what the commands give, as typed, frozen results."""
from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ptofix import api

REPO = Path(__file__).resolve().parent.parent
FA_CPP = REPO / "kernels" / "flash_attention" / "fa.cpp"
FA_MLIR = REPO / "kernels" / "flash_attention" / "fa.mlir"


def _ptofix(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ptofix", *argv], capture_output=True, text=True, cwd=cwd)


def test_fix_cpp_gives_run_s_text_and_one_decision_per_barrier(tmp_path):
    text = FA_CPP.read_text()
    result = api.fix_cpp(text, "auto")
    out = tmp_path / "fa.auto.cpp"
    assert _ptofix("run", "--pattern", "auto", str(FA_CPP), "-o", str(out)).returncode == 0
    assert result.text == out.read_text() and result.changed
    assert len(result.decisions) == text.count("pipe_barrier(PIPE_V);")
    # The removed ones are where the command's output leaves its removal comment.
    commented = [n for n, line in enumerate(out.read_text().splitlines(), 1) if "ptofix: removed" in line]
    assert [d.line for d in result.removed] == commented and all(d.pattern == "auto" for d in result.removed)
    assert all(d.reason.startswith(("proved: ", "redundant: ")) for d in result.removed)
    # gu selects only the GU barrier (line 393, kept: no same-access chain); the rest are not selected.
    by_gu = api.fix_cpp(text, "gu")
    assert not by_gu.changed and [(d.line, d.decision) for d in by_gu.decisions if d.selected] == [(393, "kept")]
    unselected = [d for d in by_gu.decisions if not d.selected]
    assert unselected and all(d.decision == "kept" and d.reason == "not selected by --pattern" for d in unselected)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = ""            # type: ignore[misc]
    # A list of patterns is the comma list; no pattern touches nothing.
    assert api.fix_cpp(text, ["gu", "softmax-sum-add"]).text == api.fix_cpp(text, "gu,softmax-sum-add").text
    nothing = api.fix_cpp(text)
    assert nothing.text == text and not nothing.changed and nothing.decisions == ()


def test_fix_cpp_sets_local_slot_num_from_a_mapping_or_a_string():
    text = FA_CPP.read_text()
    by_mapping = api.fix_cpp(text, local_slot_num={0: 2, 4: 2})
    by_string = api.fix_cpp(text, local_slot_num="0=2,4=2")
    assert by_mapping.text == by_string.text and by_mapping.changed and by_mapping.decisions == ()


def test_check_gives_check_s_races_and_none_after_its_fix(tmp_path):
    text = FA_CPP.read_text()
    races = api.check(text, path="fa.cpp")
    [report] = json.loads(_ptofix("check", "--report", "json", str(FA_CPP)).stdout)["files"]
    assert [(r.kind, r.line, r.column, r.op, r.earlier_line, r.earlier_op) for r in races] == [
        (race["kind"], *map(int, race["later"]["location"].rsplit(":", 2)[1:]), race["later"]["op"],
         int(race["earlier"]["location"].rsplit(":", 2)[1]), race["earlier"]["op"]) for race in report["races"]]
    assert races[0] == api.Race(kind="WAW", line=330, column=3, op="TMULS", earlier_line=328, earlier_column=3,
                                earlier_op="TROWEXPANDSUB", operand="v39", byte_ranges=((49280, 65664),),
                                message=races[0].message)
    assert races[0].message.startswith("fa.cpp:330:3: warning: WAW race: TMULS writes v39")
    fixed = tmp_path / "fixed.cpp"
    assert _ptofix("check", "--fix", str(FA_CPP), "-o", str(fixed)).returncode == 0
    assert api.check(fixed.read_text()) == ()
    assert api.check_report(fixed.read_text())["unverified"] == []


def test_canonicalize_gives_the_command_s_ir_and_sidecar(tmp_path):
    ir, sidecar = api.canonicalize(FA_MLIR.read_text(), "v0.45", path="fa.mlir")
    out = tmp_path / "fa.canon.mlir"
    side = tmp_path / "fa.slots.json"
    proc = _ptofix("canonicalize", "--target-ptoas", "v0.45", str(FA_MLIR), "-o", str(out), "--sidecar", str(side))
    assert proc.returncode == 0, proc.stderr
    assert ir == out.read_text()
    assert sidecar is not None and sidecar["pipes"] == json.loads(side.read_text())["pipes"]
    assert api.canonicalize(ir, "v0.45").text == ir          # idempotent


def test_bad_input_raises_input_error_with_the_command_s_line():
    with pytest.raises(api.InputError) as caught:
        api.fix_cpp("void k() {}\n/* never closed\n", "auto", path="bad.cpp")
    assert str(caught.value.format()).startswith("bad.cpp:")
    with pytest.raises(api.InputError):
        api.check("__global__ AICORE void k() {}\n", include_dirs=["/no/such/directory"])
    with pytest.raises(api.InputError):
        api.canonicalize('"pto.initialize_l2g2l_pipe"(', "v0.45")


def test_a_call_s_settings_do_not_outlive_it(tmp_path):
    text = "#if FAST\n" + FA_CPP.read_text() + "\n#endif\n"
    assert api.fix_cpp(text, "auto", include_dirs=[str(tmp_path)], defines=["FAST=1"]).changed
    none_left = api.fix_cpp(text, "auto", defines=["FAST=0"])     # the -D decides the #if: no kernel left
    assert not none_left.changed and "no function definition found" in none_left.warnings[0]
    assert api.fix_cpp(text, "auto").changed                 # (and does not outlive the call)


@pytest.mark.parametrize("pto_isa", [False, True])
def test_the_readme_s_example_runs(tmp_path, monkeypatch, capsys, pto_isa):
    # As written, from the repository root (where the README's commands run): without a pto-isa
    # checkout, and with one named by PTO_LIB_PATH (only its include directory is read here).
    readme = (REPO / "README.md").read_text()
    example = readme.split("## Python API", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.delenv("PTO_LIB_PATH", raising=False)
    if pto_isa:
        (tmp_path / "pto-isa" / "include").mkdir(parents=True)
        monkeypatch.setenv("PTO_LIB_PATH", str(tmp_path / "pto-isa"))
    monkeypatch.chdir(REPO)
    exec(compile(example, "README.md", "exec"), {})      # noqa: S102 - the README's own example
    printed = capsys.readouterr().out.splitlines()
    assert any(" removed proved: " in line for line in printed)
    assert any(line.startswith("393 kept WAW: TROWEXPANDMUL") and "no same-access chain" in line for line in printed)
    assert sum("warning: RAW race: TROWSUM reads v39" in line for line in printed) == 3
