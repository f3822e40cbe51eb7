"""kernels/flash_attention/README.md states only what the shipped files give: its figures are
checked here against real runs on fa.cpp (the barrier counts per pattern, the TPipe types, the
races `check` reports and where `check --fix` puts its barriers)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from ptofix import api

REPO = Path(__file__).resolve().parent.parent
KERNEL = REPO / "kernels" / "flash_attention"
README = (KERNEL / "README.md").read_text()
PROSE = " ".join(README.split())          # (phrases are looked up across line breaks)
FA = (KERNEL / "fa.cpp").read_text()
BARRIER = "pipe_barrier(PIPE_V);"


def _row(name: str) -> list[str]:
    line = next(line for line in README.splitlines() if line.startswith(f"| {name} |"))
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_the_barrier_row_and_the_other_patterns_match_a_run():
    _name, before, after = _row(f"`{BARRIER}`")
    removed_by_gu = len(api.fix_cpp(FA, "gu").removed)
    assert int(before) == FA.count(BARRIER)
    assert int(after.split(":")[0]) == FA.count(BARRIER) - removed_by_gu
    for patterns, removed, total in re.findall(r"`([a-z,-]+)`[^`]*? removes (\d+) of (\d+)", README):
        assert (len(api.fix_cpp(FA, patterns).removed), FA.count(BARRIER)) == (int(removed), int(total)), patterns


def test_the_tpipe_rows_match_the_file_and_a_local_slot_num_run():
    _name, objects, _same = _row("TPipe objects (`auto vN = TPipe<...>`)")
    assert int(objects.split()[0]) == len(re.findall(r"auto v\d+ = TPipe<", FA))
    _name, before, after = _row("`TPipe<...>` type occurrences")
    types = re.findall(r"TPipe<[^;]*?, (\d+), (?:true|false)>", FA)
    count, slots = re.match(r"(\d+), all `LocalSlotNum = (\d+)`", before).groups()
    assert (len(types), set(types)) == (int(count), {slots})
    fixed = api.fix_cpp(FA, local_slot_num="2").text           # the IR's local_slot_num = 2, every pipe
    new_count, new_slots = re.match(r"(\d+), all `LocalSlotNum = (\d+)`", after).groups()
    assert re.findall(r"TPipe<[^;]*?, (\d+), (?:true|false)>", fixed) == [new_slots] * int(new_count)


def test_the_races_the_readme_names_are_the_ones_check_reports():
    races = api.check(FA)
    assert f"({len(races)} races;" in PROSE
    lines = FA.splitlines()
    at_rowsum = [r for r in races if r.op == "TROWSUM"]
    assert len(at_rowsum) == 3 and f"3 RAW races on `{at_rowsum[0].operand}`" in PROSE
    assert {r.earlier_op for r in at_rowsum} == {"TROWEXPANDSUB", "TMULS", "TEXP"}
    assert f"`TROWSUM` (line {at_rowsum[0].line})" in PROSE
    epilogue = [r for r in races if r.op.startswith("TROWEXPANDDIV")]
    assert len(epilogue) == 1 and epilogue[0].kind == "WAR" and epilogue[0].earlier_op == "TROWEXPANDMUL"
    race = epilogue[0]
    assert f"`TROWEXPANDMUL` (line {race.earlier_line})" in PROSE and f"`TROWEXPANDDIV` (line {race.line})" in PROSE
    # No barrier there for a pattern to remove.
    assert BARRIER not in "\n".join(lines[race.earlier_line - 1:race.line])
    # check --fix: how many barriers, and before which lines of fa.cpp.
    fixed = subprocess.run([sys.executable, "-m", "ptofix", "check", "--fix", str(KERNEL / "fa.cpp")],
                           capture_output=True, text=True).stdout.splitlines()
    inserted_before = set()
    for index, line in enumerate(fixed):
        if line.strip().startswith("/* ptofix: ") and line.strip().endswith(BARRIER):
            earlier_insertions = sum(1 for x in fixed[:index] if x.strip().startswith("/* ptofix: "))
            inserted_before.add(index - earlier_insertions + 1)
    match = re.search(r"separates all (\d+) with (\d+) barriers \(before lines ([\d, and]+)\)", PROSE)
    assert match and int(match.group(1)) == len(races) and int(match.group(2)) == len(inserted_before)
    assert {int(n) for n in re.findall(r"\d+", match.group(3))} == inserted_before
    # Each race has an inserted barrier between its two ops.
    assert all(any(r.earlier_line < line <= r.line for line in inserted_before) for r in races)


def test_no_test_is_claimed_that_does_not_exist():
    sim_tests = (REPO / "tests" / "sim" / "test_sim_fa.py").read_text()
    if "xfail" in README:
        assert "xfail" in sim_tests
    for name in re.findall(r"`(tests/[\w/]+\.py|lit_tests/[\w/.-]+)`", README):
        assert (REPO / name).exists(), name


PTO_ISA = REPO.parent / "shared" / "pto-isa" / "f35e7f60"


@pytest.mark.skipif(not (PTO_ISA / "include").is_dir(),
                    reason="../shared/pto-isa/f35e7f60 (a pto-isa checkout) is not present")
def test_the_dry_run_excerpt_is_what_build_sh_dry_run_prints(tmp_path):
    # build.sh as the README runs it, with a `ptoas` on PATH (the stand-in, which answers
    # --version) and a real checkout in place of /sources/pto-isa.
    import os
    block = README.split("`--dry-run` on this workload prints", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    (tmp_path / "ptoas").symlink_to(REPO / "tests" / "standins" / "ptoas_standin.py")
    env = {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}", "PTOAS": "ptoas",
           "PTO_LIB_PATH": str(PTO_ISA), "PTOFIX": f"{sys.executable} -m ptofix"}
    env.pop("BISHENG", None)
    proc = subprocess.run(["bash", str(KERNEL / "build.sh"), "--dry-run"], capture_output=True, text=True, env=env,
                          cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    printed = [line for line in proc.stdout.splitlines() if line and not line.startswith("#")]
    shown = block.strip().splitlines()
    assert len(printed) == len(shown)
    for line, excerpt in zip(printed, shown, strict=True):
        pattern = re.escape(excerpt).replace(r"\$FA", re.escape(str(KERNEL))).replace(
            re.escape("/sources/pto-isa"), re.escape(str(PTO_ISA))).replace(r"\ \.\.\.\ ", " .+ ")
        assert re.fullmatch(pattern, line), (excerpt, line)
    assert not (KERNEL / "build_artifacts").exists()         # (a dry run writes nothing)
