"""One function defined in several `#if` groups (`#if defined(__DAV_VEC__) void f() {...} #else
void f() {...} #endif`): valid C++, as only one group is compiled. ptofix reads the one the
command line's -D/-U decides; when nothing decides it, every definition of that name is Unknown
(its barriers kept, the reason in the report, a note on stderr) and the file's other functions are
analysed as ever. Two definitions compiled together (the same group) stay an error.

Each kernel's barrier sits between `TADD(a, a, a)` on UB [0, 8192) and `TMUL(b, b, b)`: with `b` at
65536 the proof removes it (the controls below show so), with `b` at 4096 the bytes overlap.
"""
from __future__ import annotations

import pytest

from ptofix.cli import main

TILE = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"
BARRIER = "  pipe_barrier(PIPE_V);\n"


def entry(name: str, b_address: int, between: str = "") -> str:
    return f"""__global__ AICORE void {name}() {{
  T a;
  TASSIGN(a, 0);
  T b;
  TASSIGN(b, {b_address});
  TADD(a, a, a);
{BARRIER}{between}  TMUL(b, b, b);
}}
"""


def kernel(*parts: str) -> str:
    return f"#include <pto/pto-inst.hpp>\nusing namespace pto;\nusing T = {TILE};\n" + "".join(parts)


def run(tmp_path, capsys, text: str, *flags: str) -> tuple[int, str, str]:
    """ptofix run on ``text`` in place: (exit status, the file afterwards, stderr)."""
    path = tmp_path / "k.cpp"
    path.write_text(text)
    status = main(["run", "--pattern", "auto", *flags, "-i", str(path)])
    return status, path.read_text(), capsys.readouterr().err


def barriers_left(text: str) -> int:
    return text.count(BARRIER)


def test_control_each_arm_alone_loses_its_barrier(tmp_path, capsys):
    status, out, _ = run(tmp_path, capsys, kernel("#ifdef USE_FAST\n", entry("f", 65536), "#endif\n"))
    assert status == 0 and barriers_left(out) == 0


@pytest.mark.parametrize("opening", ["#if defined(__DAV_VEC__)\n", "#ifdef USE_FAST\n", "#ifndef USE_FAST\n",
                                     "#if USE_FAST > 1\n"])
def test_undecided_arms_keep_every_barrier_of_f_and_analyse_the_rest(tmp_path, capsys, opening):
    text = kernel(opening, entry("f", 65536), "#else\n", entry("f", 65536), "#endif\n", entry("g", 65536))
    status, out, err = run(tmp_path, capsys, text)
    assert status == 0
    # Both of f's barriers kept (each would be removed were f read as known), g's removed.
    assert barriers_left(out) == 2
    assert out.index(BARRIER) < out.index("#endif")
    assert "void g()" in out and BARRIER not in out[out.index("void g()"):]
    assert "defined in several #if groups" in err


def test_undecided_arms_are_reported_with_their_reason(tmp_path, capsys):
    text = kernel("#ifdef USE_FAST\n", entry("f", 65536), "#else\n", entry("f", 65536), "#endif\n")
    status, out, err = run(tmp_path, capsys, text, "--report", "text")
    assert status == 0 and out == text                 # byte-identical: nothing removed
    kept = [line for line in err.splitlines() if ": kept " in line]
    assert len(kept) == 2 and all("one of several definitions of this function in #if groups" in line
                                  for line in kept)


def test_a_call_to_the_undecided_function_keeps_the_barrier_before_it(tmp_path, capsys):
    text = kernel("#ifdef USE_FAST\n", entry("f", 65536), "#else\n", entry("f", 4096), "#endif\n",
                  entry("g", 65536, between="  f();\n"))
    status, out, _ = run(tmp_path, capsys, text)
    assert status == 0 and out == text


@pytest.mark.parametrize(("flag", "removed_from"), [("-DUSE_FAST", 65536), ("-UUSE_FAST", None)])
def test_the_command_line_picks_the_arm_that_is_analysed(tmp_path, capsys, flag, removed_from):
    # The defined arm's b is at 65536 (its barrier removable), the other's at 4096 (needed).
    text = kernel("#ifdef USE_FAST\n", entry("f", 65536), "#else\n", entry("f", 4096), "#endif\n")
    status, out, err = run(tmp_path, capsys, text, flag)
    assert status == 0
    fast, slow = out.split("#else")
    if removed_from == 65536:
        assert barriers_left(fast) == 0 and barriers_left(slow) == 1
    else:
        assert barriers_left(fast) == 1 and barriers_left(slow) == 1
    assert "defined in several #if groups" not in err


def test_the_command_line_decided_arm_is_proved_not_just_kept(tmp_path, capsys):
    # -U picks the #else arm, whose overlap is a real WAW: reported as such, not as Unknown.
    text = kernel("#ifdef USE_FAST\n", entry("f", 65536), "#else\n", entry("f", 4096), "#endif\n")
    _, _, err = run(tmp_path, capsys, text, "-UUSE_FAST", "--report", "text")
    assert "WAW: TADD write a [0,8192)" in err and "several definitions" not in err


@pytest.mark.parametrize("layout", [
    ("", ""),                                                   # both at file scope
    ("#ifdef USE_FAST\n", "#endif\n"),                          # both in the same group
])
def test_a_real_redefinition_is_an_error_and_the_input_is_untouched(tmp_path, capsys, layout):
    opening, closing = layout
    text = kernel(opening, entry("f", 65536), entry("f", 65536), closing)
    status, out, err = run(tmp_path, capsys, text)
    second = text.index("__global__", text.index("__global__") + 1)
    line = text.count("\n", 0, second) + 1
    assert status == 2 and out == text
    assert f"k.cpp:{line}:1: error: redefinition of 'f' (first defined at {tmp_path / 'k.cpp'}:{line - 9}:1)" in err


def test_separate_groups_are_unknown_and_two_in_one_group_an_error(tmp_path, capsys):
    text = kernel("#ifdef USE_FAST\n", entry("f", 65536), "#else\n", entry("f", 65536), "#endif\n",
                  "#ifdef USE_FAST\n", entry("f", 65536), "#endif\n")
    status, out, err = run(tmp_path, capsys, text)
    # Two separate groups: the first and the third may both be compiled (USE_FAST defined), but
    # only then; the first and second never. None is read as known.
    assert status == 0 and out == text
    same_group = kernel("#ifdef USE_FAST\n", entry("f", 65536), entry("f", 65536), "#else\n", entry("f", 65536),
                        "#endif\n")
    status, out, err = run(tmp_path, capsys, same_group)
    assert status == 2 and out == same_group and "error: redefinition of 'f'" in err


def test_overloads_in_the_two_arms_are_not_the_same_function(tmp_path, capsys):
    # f(int) in one arm, f() in the other: two functions, each read on its own (each conditional:
    # f() is an entry, its barrier removable as in the control).
    overload = "AICORE void f(int n) {\n}\n"
    text = kernel("#ifdef USE_FAST\n", entry("f", 65536), "#else\n", overload, "#endif\n")
    status, out, err = run(tmp_path, capsys, text)
    assert status == 0 and barriers_left(out) == 0 and "several #if groups" not in err
