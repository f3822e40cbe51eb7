"""Fail closed on hand-written PTO C++: templates, calls of the file's functions, declarations.

The relaxations for hand-written kernels (a function template analysed once per instantiation,
a call of the kernel's own function modelled by the callee's body, narrower Unknowns for
declarations, macros and class-typed variables) each remove barriers main keeps. Every kernel
below hides a real conflict across one `pipe_barrier(PIPE_V); // GUARD` behind exactly one of
those constructs; a relaxation that reads the construct too optimistically removes the guard,
a silent data race on the NPU. Each test runs `ptofix run --pattern auto` as a user does and
asserts every guard is kept with a reason; where it adds something, `ptofix check` must not
certify the kernel with the guards stripped (a race or an unverified function, never a clean
pass).

Geometry used throughout (float tiles of 16 x 128 take 8192 bytes):
  a  at UB 0      -> [0, 8192)
  c  at UB 4096   -> [4096, 12288), a partial overlap with a (no same-access chain applies)
  b  at UB 65536  -> disjoint from both
Templates take `Tile<..., float, M, N, ...>` tiles: `a` at 0 and `b` at 8192, so `<16, 128>`
is disjoint and `<32, 128>` (16384 bytes) overlaps. The controls at the end show the geometry
is read as intended: the barrier between disjoint tiles is removed, so these tests can fail.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ptofix.cli import main

HEAD = "#include <pto/pto-inst.hpp>\nusing namespace pto;\n"
T16 = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128>"
TMN = "Tile<TileType::Vec, float, M, N, BLayout::RowMajor, M, N>"
GUARD = "pipe_barrier(PIPE_V);  // GUARD"
ENTRY = 'extern "C" __global__ AICORE void kernel_entry(__gm__ float* x, int64_t n)'

# A template whose guard separates `a` from `b` at 8192: disjoint for <16, 128> only.
TEMPLATE = f"""template <int M, int N>
static AICORE void impl(__gm__ float* x) {{
  using T = {TMN};
  T a;
  T b;
  TASSIGN(a, 0x0);
  TASSIGN(b, 8192);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  {GUARD}
  TMUL(b, b, b);
  pipe_barrier(PIPE_ALL);
}}
"""

# A template whose guard separates `a` from `b` at the template argument OFF.
TEMPLATE_OFF = f"""template <int64_t OFF>
static AICORE void impl(__gm__ float* x) {{
  {T16} a;
  {T16} b;
  TASSIGN(a, 0x0);
  TASSIGN(b, OFF);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  {GUARD}
  TMUL(b, b, b);
  pipe_barrier(PIPE_ALL);
}}
"""

# Setup of the three straight-line tiles inside a kernel.
TILES = f"""  {T16} a;
  TASSIGN(a, 0x0);
  {T16} c;
  TASSIGN(c, 4096);
  {T16} b;
  TASSIGN(b, 65536);
  pipe_barrier(PIPE_ALL);
"""


def guard_lines(text: str) -> list[int]:
    return [i for i, line in enumerate(text.splitlines(), 1) if "// GUARD" in line]


def write(tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)


def run_auto(tmp_path: Path, files: dict[str, str], target: str = "k.cpp") -> tuple[list[dict] | None, str]:
    """`ptofix run --pattern auto -I <dir> target`: the decisions (None when the run refused the
    file as bad input) and the output text."""
    write(tmp_path, files)
    out, report = tmp_path / "out.cpp", tmp_path / "report.json"
    status = main(["run", "--pattern", "auto", "-q", "-I", str(tmp_path), "--report", "json",
                   "--report-file", str(report), str(tmp_path / target), "-o", str(out)])
    if status == 2:
        # Refused as bad input (main reads the two arms of an `#if`/`#else` that define one
        # function as a redefinition, say): nothing is written, so nothing is removed.
        assert not out.exists()
        return None, files[target]
    assert status == 0
    [entry] = json.loads(report.read_text())["files"]
    decisions = [d for p in entry.get("passes", []) if p["pass"] == "pipe-v-barrier" for d in p["decisions"]]
    return decisions, out.read_text()


def assert_guards_kept(tmp_path: Path, files: dict[str, str], target: str = "k.cpp") -> list[dict]:
    decisions, output = run_auto(tmp_path, files, target)
    text = files[target]
    lines = guard_lines(text)
    assert lines, "the kernel marks no guard"
    out_lines = output.splitlines()
    for line in lines:
        # The barrier is still code in the output (not turned into a comment)...
        assert out_lines[line - 1].lstrip().startswith("pipe_barrier(PIPE_V);"), (line, output)
    if decisions is None:
        return []
    by_line = {d["line"]: d for d in decisions}
    for line in lines:
        # ...and the report says it is kept, and why.
        decision = by_line.get(line)
        assert decision is not None, (line, decisions)
        assert decision["decision"] == "kept", (decision, text)
        assert decision["reason"] and not decision["reason"].startswith("proved"), decision
    return decisions


def assert_check_does_not_certify(tmp_path: Path, files: dict[str, str], target: str = "k.cpp") -> None:
    """`ptofix check` on the kernel with its guards stripped (what an unsound run would leave)
    reports a race, or says the function that held a guard is unverified: never a clean pass, and
    never one that only a caller's unverified call stands in for (`--allow-unverified` would pass
    it)."""
    decisions, _ = run_auto(tmp_path / "run", files, target)
    assert decisions is not None
    guards = set(guard_lines(files[target]))
    functions = {d["function"] for d in decisions if d["line"] in guards}
    stripped = {name: text.replace(GUARD, "/* stripped */") for name, text in files.items()}
    write(tmp_path, stripped)
    report = tmp_path / "check.json"
    status = main(["check", "-I", str(tmp_path), "--report", "json", "--report-file", str(report),
                   str(tmp_path / target)])
    [entry] = json.loads(report.read_text())["files"]
    unverified = {u["function"] for u in entry["unverified"]}
    assert status != 0 and (entry["races"] or functions & unverified), (functions, entry)


def one_file(text: str) -> dict[str, str]:
    return {"k.cpp": HEAD + text}


# ------------------------------------------------------------------------------------------------
# Controls: the same files with the conflict moved to disjoint bytes lose the barrier on main,
# so the geometry above is read as intended and the assertions can fail.
# ------------------------------------------------------------------------------------------------

CONTROLS: dict[str, str] = {
    "straight line, disjoint tiles": "  TADD(a, a, a);\n  pipe_barrier(PIPE_V);  // FREE\n  TMUL(b, b, b);\n",
    "straight line, address through a constant": (
        f"  constexpr int64_t off = 65536;\n  {T16} d;\n  TASSIGN(d, off);\n  pipe_barrier(PIPE_ALL);\n"
        "  TADD(a, a, a);\n  pipe_barrier(PIPE_V);  // FREE\n  TMUL(d, d, d);\n"),
}


@pytest.mark.parametrize("name", sorted(CONTROLS))
def test_control_barrier_between_disjoint_tiles_is_removed(tmp_path, name):
    text = HEAD + f"{ENTRY} {{\n{TILES}{CONTROLS[name]}}}\n"
    decisions, output = run_auto(tmp_path, {"k.cpp": text})
    assert decisions is not None
    [line] = [i for i, s in enumerate(text.splitlines(), 1) if "// FREE" in s]
    assert [d["decision"] for d in decisions if d["line"] == line] == ["removed"], decisions
    assert not output.splitlines()[line - 1].lstrip().startswith("pipe_barrier(PIPE_V);")


def test_control_guard_is_kept_for_the_plain_overlap(tmp_path):
    text = HEAD + f"{ENTRY} {{\n{TILES}  TADD(a, a, a);\n  {GUARD}\n  TMUL(c, c, c);\n}}\n"
    decisions = assert_guards_kept(tmp_path, {"k.cpp": text})
    assert [d["decision"] for d in decisions] == ["kept"]


def test_guard_lines_are_found():
    assert guard_lines("x\n  " + GUARD + "\n") == [2]
    assert re.search(r"GUARD", GUARD)
