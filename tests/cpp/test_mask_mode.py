"""The vector mask mode, statement by statement: in a file that names a count-mode name (TCI's
tmp form, set_mask_count...) only inside function bodies, what runs after a `set_mask_norm();` and before
any such name is modelled; what may run in count mode is unknown and keeps its barriers."""
from __future__ import annotations

from ptofix.compile_env import NO_COMMAND_LINE, CompileEnvironment
from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText

TILE = "Tile<TileType::Vec, float, 8, 64, BLayout::RowMajor, 8, 64>"
CI = "Tile<TileType::Vec, int32_t, 1, 64, BLayout::RowMajor, 1, 64>"
TMP = "Tile<TileType::Vec, float, 1, 256, BLayout::RowMajor, 1, 256>"
DECLS = f"""  {TILE} a;
  TASSIGN(a, 0);
  {TILE} b;
  TASSIGN(b, 4096);
  {CI} ci;
  TASSIGN(ci, 16384);
  {TMP} citmp;
  TASSIGN(citmp, 20480);
"""
# TCI's tmp form, which may return in count mode (the two-operand one is scalar: test_scalar_tci.py).
def counting_tci(dst: str = "ci", start: str = "0", tmp: str = "citmp") -> str:
    return f"TCI<{CI}, {TMP}, int32_t, 0>({dst}, {start}, {tmp});"


# Two independent ops around a barrier, between two drains: removable in norm mode.
PAIR = "TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n  pipe_barrier(PIPE_ALL);\n"


def decisions(src: str, environment: CompileEnvironment = NO_COMMAND_LINE) -> list:
    model = parse_cpp(SourceText(src, "mask_mode.cpp"), environment)
    return [d for d in BarrierAnalysis(model).run({"auto"}) if not d.unread]


def kernel(body: str, start: str = "  set_mask_norm();\n", helpers: str = "") -> str:
    return f"{helpers}__global__ AICORE void k(__gm__ int32_t* x) {{\n{start}{DECLS}{body}}}\n"


def test_barrier_before_the_tci_is_removed_and_after_it_kept_with_the_reason():
    found = decisions(kernel(f"  {PAIR}  {counting_tci()}\n  {PAIR}"))
    assert [d.removed for d in found] == [True, False]
    assert "may run in count mode after the 'TCI' at mask_mode.cpp:" in found[1].reason


def test_without_a_leading_set_mask_norm_every_barrier_is_kept():
    found = decisions(kernel(f"  {PAIR}  {counting_tci()}\n  {PAIR}", start=""))
    assert [d.removed for d in found] == [False, False]
    assert "no set_mask_norm() runs before it" in found[0].reason


def test_set_mask_norm_after_the_tci_does_not_end_the_region_before_it():
    found = decisions(kernel(f"  {counting_tci()}\n  {PAIR}  set_mask_norm();\n  {PAIR}"))
    assert [d.removed for d in found] == [False, True]


def test_a_file_without_count_mode_names_needs_no_set_mask_norm():
    assert [d.removed for d in decisions(kernel(f"  {PAIR}", start=""))] == [True]


def test_a_tci_inside_a_loop_keeps_every_barrier_of_the_loop():
    body = f"  for (int i = 0; i < 4; ++i) {{\n    {PAIR}    {counting_tci(start='i')}\n  }}\n"
    found = decisions(kernel(body))
    assert [d.removed for d in found] == [False]
    assert "may run in count mode after the 'TCI'" in found[0].reason


def test_a_tci_in_a_helper_keeps_what_runs_after_the_call():
    helper = f"static AICORE void fill({CI}& t, {TMP}& tmp) {{\n  {counting_tci('t', '0', 'tmp')}\n}}\n"
    found = decisions(kernel(f"  {PAIR}  fill(ci, citmp);\n  {PAIR}", helpers=helper))
    assert [d.removed for d in found] == [True, False]
    assert "after the call of fill()" in found[1].reason


def test_a_count_mode_name_in_a_macro_keeps_the_whole_file_unmodelled():
    src = kernel(f"  {PAIR}  MC();\n  {PAIR}", helpers="#define MC set_mask_count\n")
    found = decisions(src)
    assert [d.removed for d in found] == [False, False]
    assert "the file names 'set_mask_count'" in found[0].reason


def test_a_count_mode_name_in_a_comment_keeps_the_whole_file_unmodelled():
    found = decisions(kernel(f"  {PAIR}  // TCI here\n  {PAIR}"))
    assert [d.removed for d in found] == [False, False]
    assert "the file names 'TCI'" in found[0].reason


def test_a_count_mode_name_in_a_lambda_keeps_the_whole_file_unmodelled():
    found = decisions(kernel(f"  {PAIR}  auto f = [&]() {{ set_mask_count(); }};\n  {PAIR}"))
    assert [d.removed for d in found] == [False, False]
    assert "the file names 'set_mask_count'" in found[0].reason


def test_another_kernel_leaving_count_mode_does_not_reach_one_that_starts_in_norm_mode():
    other = "__global__ AICORE void k0() {\n  set_mask_count();\n}\n"
    assert [d.removed for d in decisions(kernel(f"  {PAIR}", helpers=other))] == [True]
    assert [d.removed for d in decisions(kernel(f"  {PAIR}", start="", helpers=other))] == [False]


def test_a_caller_of_a_function_that_names_count_mode_may_return_in_it_too():
    helpers = (f"static AICORE void fill({CI}& t, {TMP}& tmp) {{\n  {counting_tci('t', '0', 'tmp')}\n}}\n"
               f"static AICORE void outer({CI}& t, {TMP}& tmp) {{\n  fill(t, tmp);\n}}\n")
    found = decisions(kernel(f"  {PAIR}  outer(ci, citmp);\n  {PAIR}", helpers=helpers))
    assert [d.removed for d in found] == [True, False]
    assert "after the call of outer()" in found[1].reason


def test_a_helper_without_set_mask_norm_runs_in_whatever_mode_its_caller_left():
    helper = f"static AICORE void h({TILE}& a, {TILE}& b) {{\n  {PAIR}}}\n"
    src = kernel(f"  h(a, b);\n  {counting_tci()}\n", helpers=helper)
    found = [d for d in decisions(src) if d.fn.name == "h"]
    assert [d.removed for d in found] == [False]
    assert "no set_mask_norm() runs before it in this function" in found[0].reason


def test_a_header_that_names_count_mode_keeps_the_whole_file_unmodelled(tmp_path):
    (tmp_path / "mode.h").write_text("#pragma once\nstatic inline void counted() { set_mask_count(); }\n",
                                     encoding="utf-8")
    src = '#include "mode.h"\n' + kernel(f"  {PAIR}")
    found = decisions(src, CompileEnvironment(include_dirs=(str(tmp_path),)))
    assert [d.removed for d in found] == [False]
    assert "mode.h, which the file includes, names 'set_mask_count'" in found[0].reason
    # Without the header's count-mode name the same file keeps nothing.
    (tmp_path / "mode.h").write_text("#pragma once\nstatic inline void counted() { set_mask_norm(); }\n",
                                     encoding="utf-8")
    assert [d.removed for d in decisions(src, CompileEnvironment(include_dirs=(str(tmp_path),)))] == [True]
