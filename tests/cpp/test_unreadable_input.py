"""Valid C++ ptofix cannot read as the compiler does is never refused: the file is left as it is
(byte-identical, every barrier kept, `check`: unverified) with the cause on stderr, while truly
bad input stays an error (exit 2). `__has_include` is an `#if` operand: 1 where the header is a
file beside the kernel or in an include directory (the compiler searches those before its own),
unknown otherwise, and the groups it decides are read as the compiler reads them.

Each adversary hides an overlapping op (TMUL on `b` at 4096 over `a` at [0, 8192)) behind the
construct; a reading that drops it would remove the barrier.
"""
from __future__ import annotations

import json

import pytest

from ptofix.cli import main
from ptofix.compile_env import NO_COMMAND_LINE, CompileEnvironment
from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.source import PtofixError, SourceText, UnreadableInput

TILE = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"



def kernel(prelude: str, body: str = "  TMUL(b, b, b);\n", b_at: int = 65536, setup: str = "") -> str:
    return (f"#include <pto/pto-inst.hpp>\n{prelude}using namespace pto;\n"
            f"__global__ AICORE void k(__gm__ float* x, int64_t n) {{\n"
            f"  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} b;\n  TASSIGN(b, {b_at});\n{setup}"
            "  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n" + body + "}\n")


# b placed at 4096 (over a) in the first group, at 65536 in the second.
def b_placed(condition: str, first: int = 4096, second: int = 65536) -> str:
    return f"#if {condition}\n  TASSIGN(b, {first});\n#else\n  TASSIGN(b, {second});\n#endif\n"


def removed(text: str, path: str = "adversary.cpp", environment: CompileEnvironment = NO_COMMAND_LINE) -> list[bool]:
    model = parse_cpp(SourceText(text, path), environment)
    return [d.removed for d in BarrierAnalysis(model).run({"auto"}) if not d.unread]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


# -- valid C++ the tokens cannot follow: left as it is, never refused --------------------------------
UNREADABLE = {
    "raw string": '  static_assert(true, R"d(");\n  pipe_barrier(PIPE_ALL);\n  set_mask_norm(")d");\n',
    "digit separator": "  TASSIGN(b, 4'096);\n",
    "digraph": "  if (n > 0) <% pipe_barrier(PIPE_ALL); %>\n",
    "universal character name": "  TASSIGN(b\\u00c9, 4096);\n",
    "splice outside a directive": "  TASSIGN(b, 65536);  // set b \\\n  pipe_barrier(PIPE_ALL);\n",
    "header name with a comment opening": "#if __has_include(<a/*b.h>)\n#endif\n",
}


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_unreadable_valid_cpp_is_left_as_it_is(tmp_path, capsys, name):
    text = kernel("", UNREADABLE[name] + "  TMUL(b, b, b);\n")
    path = tmp_path / "k.cpp"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UnreadableInput):
        parse_cpp(SourceText(text, str(path)))
    for argv in (["run"], ["run", "--pattern", "auto"], ["run", "--pattern", "gu"]):
        status, out, err = run(capsys, *argv, path)
        assert (status, out) == (0, text), (argv, err)
        assert "note:" in err and "left as it is" in err and "error" not in err
    status, out, err = run(capsys, "run", "--pattern", "auto", "--report", "json", "--report-file", "-",
                           "-o", tmp_path / "out.cpp", path)
    [report] = json.loads(out)["files"]
    assert report["unread"] and report["changed"] is False
    barrier = report["passes"][0]
    assert barrier["removed"] == 0 and barrier["barriers"] >= 1
    assert all(d["decision"] == "kept" and d["unread"] for d in barrier["decisions"])
    assert (tmp_path / "out.cpp").read_text(encoding="utf-8") == text
    # check: unverified (exit 4), never a pass; --fix changes nothing.
    status, out, err = run(capsys, "check", path)
    assert status == 4 and "unverified" in out + err
    assert path.read_text(encoding="utf-8") == text


def test_if_groups_that_open_a_brace_each_make_only_their_function_unknown(tmp_path, capsys):
    # Each group opens one brace the same `}` closes: the function ends at the same place in every
    # reading, so the file is read and that function alone is unknown (its barriers kept).
    crossing = "#if FOO\n  if (n) {\n#else\n  {\n#endif\n  TMUL(b, b, b);\n  }\n"
    text = kernel("", crossing + "  TMUL(b, b, b);\n")
    path = tmp_path / "k.cpp"
    path.write_text(text, encoding="utf-8")
    parse_cpp(SourceText(text, str(path)))
    status, out, err = run(capsys, "run", "--pattern", "auto", "--report", "json", "--report-file", "-",
                           "-o", tmp_path / "out.cpp", path)
    barrier = json.loads(out)["files"][0]["passes"][0]
    assert status == 0 and barrier["removed"] == 0 and barrier["barriers"] >= 1
    assert all(d["decision"] == "kept" for d in barrier["decisions"])
    assert any("#if groups cut across" in d["reason"] for d in barrier["decisions"])
    assert (tmp_path / "out.cpp").read_text(encoding="utf-8") == text
    status, out, err = run(capsys, "check", path)
    assert status == 4 and "unverified" in out + err


def test_an_if_group_inside_a_calls_arguments_is_read_and_kept():
    # (Read, not left unread: the statement is Unknown, and the overlap it may hide keeps the barrier.)
    body = "  TMUL(b,\n#if FOO\n  a,\n#else\n  b,\n#endif\n  b);\n"
    assert removed(kernel("", body)) == [False]


def test_a_file_without_functions_passes_through(tmp_path, capsys):
    text = "#pragma once\ntemplate <typename T> struct Holder { T value; };\n"
    path = tmp_path / "holder.hpp"
    path.write_text(text, encoding="utf-8")
    assert run(capsys, "run", path)[:2] == (0, text)


@pytest.mark.parametrize("text, message", [
    ("void k() {\n  {\n}\n", "never closed"),
    ("void k() {\n  /* open\n}\n", "unterminated comment"),
    # Unbalanced in every reading of its #if groups: no group choice makes it C++.
    ("void k() {\n#if FOO\n  {\n#else\n  {\n#endif\n  {\n}\n", "never closed"),
])
def test_bad_input_is_still_an_error(tmp_path, capsys, text, message):
    path = tmp_path / "bad.cpp"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PtofixError, match=message) as caught:
        parse_cpp(SourceText(text, str(path)))
    assert not isinstance(caught.value, UnreadableInput)
    status, out, err = run(capsys, "run", path)
    assert status == 2 and out == "" and "error:" in err


# -- __has_include: an #if operand ----------------------------------------------------------------
def test_control_has_include_is_read_and_the_barrier_goes():
    assert removed(kernel("#if __has_include(<pto/pto-inst.hpp>)\n#endif\n")) == [True]
    assert removed(kernel("#if __has_include(<pto/pto-inst.hpp>)\n#endif\n", b_at=4096)) == [False]


def test_found_header_compiles_the_if_group_and_the_overlap_there_keeps_the_barrier(tmp_path):
    (tmp_path / "present.h").write_text("#pragma once\n", encoding="utf-8")
    where = str(tmp_path / "k.cpp")
    assert removed(kernel("", setup=b_placed('__has_include("present.h")')), where) == [False]
    # The control: with the groups swapped the overlap sits in the #else group, not compiled.
    assert removed(kernel("", setup=b_placed('__has_include("present.h")', 65536, 4096)), where) == [True]
    # Spaced and negated, as the compiler reads it: the first group is not compiled.
    assert removed(kernel("", setup=b_placed('__has_include ( "present.h" ) == 0')), where) == [True]
    assert removed(kernel("", setup=b_placed('!__has_include ( "present.h" )', 65536, 4096)), where) == [False]


def test_found_in_an_include_directory(tmp_path):
    (tmp_path / "inc").mkdir()
    (tmp_path / "inc" / "present.h").write_text("#pragma once\n", encoding="utf-8")
    text = kernel("", setup=b_placed("__has_include(<present.h>)", 65536, 4096))
    where = str(tmp_path / "k.cpp")
    assert removed(text, where) == [False]       # not searched: unknown, both groups read
    assert removed(text, where, CompileEnvironment((str(tmp_path / "inc"),))) == [True]
    # A compiler flag that searches elsewhere first (`-isystem`, `-iquote`): nothing is known.
    assert removed(text, where, CompileEnvironment((str(tmp_path / "inc"),), headers_unread="-isystem")) == [False]


@pytest.mark.parametrize("condition", [
    '__has_include("absent.h")',            # the compiler's own directories may hold it
    '!__has_include("absent.h")',
    "__has_include_next(<present.h>)",      # depends on where the including file was found
    "__has_include(HEADER_NAME)",           # a macro's header name
    "defined(__has_include)",               # which queries a compiler has is its own
    "defined __has_include && __has_include(<absent.h>)",
    '__has_include(<present.h>) && __has_include("absent.h")',
    '__has_include ( "absent.h" ) == 0',
    '__has_embed("present.h")',
])
def test_a_query_whose_answer_is_not_known_reads_both_groups(tmp_path, condition):
    (tmp_path / "present.h").write_text("#pragma once\n", encoding="utf-8")
    environment = CompileEnvironment((str(tmp_path),))
    where = str(tmp_path / "k.cpp")
    for first, second in ((4096, 65536), (65536, 4096)):
        assert removed(kernel("", setup=b_placed(condition, first, second)), where, environment) == [False], \
            (condition, first)
    # The control: both groups disjoint, the barrier goes whatever the answer.
    assert removed(kernel("", setup=b_placed(condition, 65536, 98304)), where, environment) == [True], condition


def test_a_header_under_an_unknown_query_is_still_judged(tmp_path, capsys):
    # `#if __has_include("absent.h")` may be taken: its #include keeps the file unmodelled.
    text = kernel('#if __has_include("defs.h")\n#include "defs.h"\n#endif\n')
    path = tmp_path / "k.cpp"
    path.write_text(text, encoding="utf-8")
    assert removed(text, str(path)) == [False]
    status, out, err = run(capsys, "run", "--pattern", "auto", "--report", "text", path)
    assert status == 0 and out == text and "header 'defs.h' not found" in err
    # Once the header is there, it is found, read and harmless: the barrier goes.
    (tmp_path / "defs.h").write_text("#pragma once\n#define KERNEL_ROWS 16\n", encoding="utf-8")
    assert removed(text, str(path)) == [True]
