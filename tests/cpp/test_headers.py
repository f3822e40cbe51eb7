"""Headers a kernel includes, read as a compiler finds them (`-I`, beside the including file), and
judged by what they define; the closed list of names the toolchain may declare."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ptofix.cli import main
from ptofix.compile_env import CompileEnvironment
from ptofix.cpp.headers import declared_names, toolchain_may_declare

REPO = Path(__file__).resolve().parents[2]

# A GU window whose barrier the proof removes under --same-access-chains (an exact same-access
# chain, PTOAS #674; see lit_tests/pipe-v-barrier/gu_inplace.cpp), with a place for statements after
# TROWEXPANDMUL. (The default race model, msSanitizer's, keeps it: run_auto opts in.)
TILE = "Tile<TileType::Vec, float, {r}, {c}, BLayout::{l}, {r}, {c}, SLayout::NoneBox, 512, PadValue::Null, " \
       "CompactMode::Null>"
KERNEL = """{before}#include "pto/pto-inst.hpp"
{after}
extern "C" __global__ AICORE void k(__gm__ float* v1) {{
  const int64_t v2 = 0;
  const int64_t v3 = 16384;
  const int64_t v4 = 32768;
  {big} v5;
  TASSIGN(v5, v2);
  {big} v6;
  TASSIGN(v6, v3);
  {col} v7;
  TASSIGN(v7, v4);
  TROWEXPANDMUL(v5, v5, v7);
{extra}  pipe_barrier(PIPE_V);
  TADD(v5, v5, v6);
}}
"""


def kernel(after: str = "", before: str = "", extra: str = "") -> str:
    # (Rows of 256 bytes: TROWEXPANDMUL's column chunks are then TADD's linear repeats, pto/walks.py.)
    return KERNEL.format(before=before, after=after, extra=extra, big=TILE.format(r=64, c=64, l="RowMajor"),
                         col=TILE.format(r=64, c=1, l="ColMajor"))


def run_auto(path: Path, *options: str, capsys) -> tuple[int, dict, str]:
    """(exit status, the pass's json report, stderr) of `ptofix run --pattern auto --same-access-chains
    OPTIONS path`."""
    status = main(["run", "--pattern", "auto", "--same-access-chains", *options, "--report", "json", "--report-file", "-", str(path),
                   "-o", str(path.with_suffix(".out.cpp"))])
    captured = capsys.readouterr()
    [report] = json.loads(captured.out)["files"]
    passes = report["passes"]
    return status, next(p for p in passes if p["pass"] == "pipe-v-barrier"), captured.err


def reasons(report: dict) -> str:
    return "\n".join(d["reason"] for d in report["decisions"])


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


RUNTIME_HEADER = """#pragma once
#include <stdint.h>
#include "detail.h"
struct Buffer { uint64_t addr; uint64_t size; int64_t TADD(int x) { return x; } };
static inline int32_t runtime_index(__gm__ int64_t* args) { return (int32_t) args[3]; }
#define RUNTIME_ALIGN(x) (((x) + 63) & ~63)
"""
DETAIL_HEADER = """#ifndef DETAIL_H
#define DETAIL_H
#include "runtime.h"
enum class Kind : int32_t { A = 0, B = 1 };
#endif
"""


def runtime_headers(directory: Path) -> None:
    write(directory / "runtime.h", RUNTIME_HEADER)
    write(directory / "detail.h", DETAIL_HEADER)     # (includes runtime.h again: a cycle)


def test_header_not_found_stays_unknown_and_the_message_names_it(tmp_path, capsys):
    source = write(tmp_path / "k.cpp", kernel(after='#include "runtime.h"\n'))
    status, report, _ = run_auto(source, capsys=capsys)
    assert status == 0 and report["removed"] == 0
    assert "header 'runtime.h' not found" in reasons(report) and "-I DIR" in reasons(report)


def test_a_header_found_with_minus_i_is_read_transitively(tmp_path, capsys):
    runtime_headers(tmp_path / "include")
    source = write(tmp_path / "k.cpp", kernel(after='#include "runtime.h"\n'))
    assert run_auto(source, capsys=capsys)[1]["removed"] == 0
    status, report, _ = run_auto(source, "-I", str(tmp_path / "include"), capsys=capsys)
    assert status == 0 and report["removed"] == 1
    # The result is the one of the kernel without the include: the headers reach no name it uses.
    bare = write(tmp_path / "bare.cpp", kernel())
    assert run_auto(bare, capsys=capsys)[1]["removed"] == 1


def test_quote_include_beside_the_file_and_angle_include_only_in_minus_i(tmp_path, capsys):
    runtime_headers(tmp_path)
    quoted = write(tmp_path / "k.cpp", kernel(after='#include "runtime.h"\n'))
    assert run_auto(quoted, capsys=capsys)[1]["removed"] == 1
    angled = write(tmp_path / "a.cpp", kernel(after="#include <runtime.h>\n"))
    status, report, _ = run_auto(angled, capsys=capsys)
    assert report["removed"] == 0 and "header 'runtime.h' not found in an include directory" in reasons(report)
    assert run_auto(angled, "-I", str(tmp_path), capsys=capsys)[1]["removed"] == 1


@pytest.mark.parametrize(("next_header", "removed"), [
    ("#pragma once\n#define TCVT_HPP 1\n", 0),     # pto's include guard: its TCVT header would be skipped
    ("#pragma once\n#define RT_READY 1\n", 1),     # a name pto's code does not see
    (None, 0),                                      # no later directory holds it: not known
])
def test_include_next_reads_the_header_of_a_later_directory(tmp_path, capsys, next_header, removed):
    """A wrapper's `#include_next <rt.h>` reads the rt.h of the include directories after the
    wrapper's own, not the wrapper again: a reader that found the first rt.h (the wrapper, read
    already) would never see the second one's macros."""
    write(tmp_path / "d1" / "rt.h", "#pragma once\n#include_next <rt.h>\n")
    if next_header is not None:
        write(tmp_path / "d2" / "rt.h", next_header)
    (tmp_path / "d2").mkdir(exist_ok=True)
    source = write(tmp_path / "k.cpp", kernel(before="#include <rt.h>\n"))
    report = run_auto(source, "-I", str(tmp_path / "d1"), "-I", str(tmp_path / "d2"), capsys=capsys)[1]
    assert report["removed"] == removed, reasons(report)
    if next_header is None:
        assert "not found in an include directory after the including file's (`#include_next`)" in reasons(report)
    elif not removed:
        assert "sees its 'TCVT_HPP'" in reasons(report)


@pytest.mark.parametrize(("wrapper", "before", "removed"), [
    ("#pragma once\n#include <pto/pto-inst.hpp>\n", "", 1),                  # only pto's header
    ("#pragma once\n#define TCVT_HPP 1\n#include <pto/pto-inst.hpp>\n", "", 0),  # pto's include guard
    ("#pragma once\n#include <pto/pto-inst.hpp>\n", "#define TCVT_HPP 1\n", 0),  # the kernel's, before it
])
def test_a_header_that_includes_pto_header_is_pto_header(tmp_path, capsys, wrapper, before, removed):
    """A kernel that reaches pto's header only through a header of its own: what that header and
    the kernel define before it comes before pto's code all the same (a reader that looked only
    for the kernel's own `#include <pto/...>` judged neither)."""
    write(tmp_path / "wrapper.h", wrapper)
    text = kernel(before=before).replace('#include "pto/pto-inst.hpp"\n', '#include "wrapper.h"\n')
    source = write(tmp_path / "k.cpp", text)
    report = run_auto(source, capsys=capsys)[1]
    assert report["removed"] == removed, reasons(report)
    if not removed:
        assert "'TCVT_HPP'" in reasons(report)


def test_a_pto_named_header_outside_pto_isa_is_read(tmp_path, capsys):
    """`#include "pto/defs.h"` names pto-isa's header only where the directory that holds it holds
    pto-isa's tree (pto/pto-inst.hpp): the kernel's own `pto/defs.h` beside it is read as any
    header (a reader that trusted every `pto/...` name never saw its `#define TCVT_HPP`)."""
    write(tmp_path / "pto" / "defs.h", "#define TCVT_HPP 1\n")
    source = write(tmp_path / "k.cpp", kernel(before='#include "pto/defs.h"\n'))
    report = run_auto(source, capsys=capsys)[1]
    assert report["removed"] == 0 and "sees its 'TCVT_HPP'" in reasons(report), reasons(report)
    # In pto-isa's tree (an include directory holding pto/pto-inst.hpp) it is pto's: not read.
    write(tmp_path / "isa" / "pto" / "pto-inst.hpp", "#pragma once\n")
    write(tmp_path / "isa" / "pto" / "defs2.h", "#define TCVT_HPP 1\n")
    inside = write(tmp_path / "i.cpp", kernel(before="#include <pto/defs2.h>\n"))
    report = run_auto(inside, "-I", str(tmp_path / "isa"), capsys=capsys)[1]
    assert "TCVT_HPP" not in reasons(report)


def test_a_header_macro_the_kernel_uses_stays_unknown(tmp_path, capsys):
    runtime_headers(tmp_path)
    used = write(tmp_path / "k.cpp", kernel(after='#include "runtime.h"\n',
                                            extra="  int64_t v9 = RUNTIME_ALIGN(v3);\n"))
    report = run_auto(used, capsys=capsys)[1]
    assert report["removed"] == 0 and "RUNTIME_ALIGN" in reasons(report)
    # The same header with the macro defined but not used: removed.
    unused = write(tmp_path / "u.cpp", kernel(after='#include "runtime.h"\n', extra="  int64_t v9 = v3 + 4;\n"))
    assert run_auto(unused, capsys=capsys)[1]["removed"] == 1


def test_a_header_macro_that_pastes_tokens_used_by_the_kernel(tmp_path, capsys):
    write(tmp_path / "paste.h", "#define GLUE(a, b) a##b\n")
    source = write(tmp_path / "k.cpp", kernel(after='#include "paste.h"\n', extra="  int64_t v9 = GLUE(v, 3);\n"))
    report = run_auto(source, capsys=capsys)[1]
    assert report["removed"] == 0 and "pastes tokens" in reasons(report)


@pytest.mark.parametrize("declaration, name", [
    ("enum Pipe { PIPE_V = 3 };", "PIPE_V"),
    ("template <typename T> void TADD(T& a, T& b, T& c) {}", "TADD"),
    ("typedef short int64_t;", "int64_t"),
    ("#define TROWEXPANDMUL(a, b, c) TMULS(a, b, 2.0f)", "TROWEXPANDMUL"),
])
def test_a_header_declaring_a_name_the_model_reads_by_spelling(tmp_path, capsys, declaration, name):
    write(tmp_path / "shadow.h", declaration + "\n")
    source = write(tmp_path / "k.cpp", kernel(after='#include "shadow.h"\n'))
    report = run_auto(source, capsys=capsys)[1]
    assert report["removed"] == 0
    assert f"'{name}'" in reasons(report) and "shadow.h:1" in reasons(report)


def test_a_member_of_a_header_class_shadows_nothing(tmp_path, capsys):
    # (runtime.h's Buffer has a member function TADD: only `b.TADD` can name it.)
    runtime_headers(tmp_path)
    source = write(tmp_path / "k.cpp", kernel(after='#include "runtime.h"\n'))
    assert run_auto(source, capsys=capsys)[1]["removed"] == 1


@pytest.mark.parametrize("header, words", [
    ("namespace pto { inline int helper() { return 1; } }", "namespace 'pto'"),
    ("template <> struct Foo<int> {};", "explicit specialization"),
    ("inline bool operator==(pipe_t a, int b) { return false; }", "operator"),
    ("using namespace elsewhere;", "using-directive"),
    ("#define DECLARE(n) int n;\nDECLARE(x)", "at namespace scope"),
    ('#include "missing/inner.h"', "'missing/inner.h' not found"),
    # A header that saves or restores a macro, in any spelling a pragma can be made of.
    ('#pragma push_macro("PIPE_V")', "saves or restores a macro"),
    ('#define SAVE _Pragma("push_macro(\\"PIPE_V\\")")', "saves or restores a macro"),
    ('#define PRAGMA(x) _Pragma(#x)\nPRAGMA(pop_macro("PIPE_V"))', "saves or restores a macro"),
])
def test_a_header_that_cannot_be_summarised_stays_unknown(tmp_path, capsys, header, words):
    write(tmp_path / "odd.h", header + "\n")
    source = write(tmp_path / "k.cpp", kernel(after='#include "odd.h"\n'))
    report = run_auto(source, capsys=capsys)[1]
    assert report["removed"] == 0 and words in reasons(report)


PTO_WRITES = "pto's headers write that name"
STANDARD = "the standard headers pto's header includes write that name or may define it"
TOOLCHAIN = "the toolchain may declare that name"


@pytest.mark.parametrize(("header", "seen", "why"), [
    ("#define MY_RUNTIME_FLAG 1\n", "", ""),                   # no pto or standard header writes it
    ("#define RUNTIME_INTRINSIC_H\n#define RUNTIME_ALIGN 64\n", "", ""),
    ("#define PTO_NPU_ARCH_A2A3\n", "PTO_NPU_ARCH_A2A3", PTO_WRITES),   # pto's headers test it
    ("#undef PTO_NPU_ARCH_A2A3\n", "PTO_NPU_ARCH_A2A3", PTO_WRITES),
    ("#define EOF (-2)\n", "EOF", STANDARD),                   # <cstdio>'s
    ("#define ERANGE 7\n", "ERANGE", STANDARD),                # <cerrno>'s
    ("#define INT8_MAX 100\n", "INT8_MAX", STANDARD),          # <cstdint>'s
    ("#define SIGKERNEL 40\n", "SIGKERNEL", STANDARD),         # reserved for <csignal>'s future signals
    ("#define EARLY_FLAG 1\n", "EARLY_FLAG", STANDARD),        # reserved for <cerrno>'s future codes
    ("void my_runtime_helper(int32_t n);\nstruct RuntimeArgs { int32_t n; };\n", "", ""),
    ("void vadd(__ubuf__ float* d, __ubuf__ float* a);\n", "vadd", PTO_WRITES),  # a CCE intrinsic pto calls
    ("void vrec(__ubuf__ float* d, __ubuf__ float* a);\n", "vrec", TOOLCHAIN),   # one it does not call
    ("static inline int32_t get_block_idx(__gm__ int64_t* a = 0) { return 0; }\n", "get_block_idx",
     PTO_WRITES),                                               # pto calls it (overloads go by name)
    ("typedef int ptrdiff_t;\n", "ptrdiff_t", STANDARD),
    ("typedef int fpos_t;\n", "fpos_t", STANDARD),             # a name the standard headers write
    ("#define PIPE_FIX PIPE_V\n", "PIPE_FIX", PTO_WRITES),      # ptoas's own definition of it is not this
])
def test_a_header_before_pto_is_judged_by_what_pto_can_see(tmp_path, capsys, header, seen, why):
    """A header before pto's header: its macros are judged as the kernel's own there are, its
    declarations by whether pto's code, the toolchain's or the standard headers' write the name."""
    write(tmp_path / "early.h", header)
    source = write(tmp_path / "k.cpp", kernel(before='#include "early.h"\n'))
    report = run_auto(source, capsys=capsys)[1]
    if seen:
        assert report["removed"] == 0
        assert f"comes before pto's header, which then sees its '{seen}'" in reasons(report)
        assert why in reasons(report)
    else:
        assert report["removed"] == 1, reasons(report)
    # Another pto header than pto-inst.hpp: its words are not listed, so any name counts.
    other = write(tmp_path / "o.cpp", kernel(before='#include "early.h"\n#include <pto/common/pto_tile.hpp>\n'))
    assert run_auto(other, capsys=capsys)[1]["removed"] == 0


@pytest.mark.parametrize(("header", "why"), [
    ("#pragma once\n#pragma GCC diagnostic ignored \"-Wunused\"\n#define RT_ON 1\n", ""),
    ("#pragma pack(push, 1)\nstruct RtArgs { char c; int64_t v; };\n", "'#pragma pack(push, 1)'"),
    ("#pragma clang fp contract(fast)\n", "'#pragma clang fp contract(fast)'"),
    # assert_compat.h's style: a pragma operator in a macro nobody uses before pto is inert...
    ("#define RT_PRAGMA(x) _Pragma(#x)\n", ""),
    # ...one the header's code uses acts right there, through any chain of macros.
    # (Its expansion's names count as declared there too: `_Pragma` is named either way.)
    ("#define RT_PRAGMA(x) _Pragma(#x)\n#define RT_PACKED RT_PRAGMA(pack(1))\nRT_PACKED\n", "_Pragma"),
    ("_Pragma(\"pack(1)\")\n", "_Pragma"),                 # (read as a declaration of a reserved name)
    ("namespace rt {\n", "do not pair up within it"),     # pto's code would be rt's
])
def test_a_header_before_pto_that_acts_without_a_name(tmp_path, capsys, header, why):
    write(tmp_path / "early.h", header)
    write(tmp_path / "late.h", "}\n" if header.startswith("namespace") else "\n")
    source = write(tmp_path / "k.cpp", kernel(before='#include "early.h"\n', after='#include "late.h"\n'))
    report = run_auto(source, capsys=capsys)[1]
    if why:
        assert report["removed"] == 0 and why in reasons(report) and "comes before pto's header" in reasons(report)
    else:
        assert report["removed"] == 1, reasons(report)


@pytest.mark.parametrize(("pragma", "removed"), [("#pragma pack(1)\n", 0), ("#pragma GCC diagnostic push\n", 1),
                                                 ("#pragma STDC FP_CONTRACT ON\n", 0)])
def test_a_kernel_pragma_before_pto(tmp_path, capsys, pragma, removed):
    report = run_auto(write(tmp_path / "k.cpp", kernel(before=pragma)), capsys=capsys)[1]
    assert report["removed"] == removed, reasons(report)
    if not removed:
        assert "before pto's header and may change how its code compiles" in reasons(report)
    # After pto's header, it acts on the kernel's own code only.
    assert run_auto(write(tmp_path / "a.cpp", kernel(after=pragma)), capsys=capsys)[1]["removed"] == 1


def test_a_header_before_pto_keeps_the_other_header_rules(tmp_path, capsys):
    # A macro the kernel writes outside its functions, defined by a header before pto: unknown
    # as after it, although pto's code never writes the name.
    write(tmp_path / "early.h", "#define KERNEL_ENTRY extern \"C\" __global__ AICORE\n")
    text = kernel(before='#include "early.h"\n').replace('extern "C" __global__ AICORE void', "KERNEL_ENTRY void")
    report = run_auto(write(tmp_path / "k.cpp", text), capsys=capsys)[1]
    assert report["removed"] == 0 and "which the kernel writes outside its function bodies" in reasons(report)
    # Only the qualifiers, defined alike: nothing pto's code would see differently.
    write(tmp_path / "quals.h", "#ifndef __gm__\n#define __gm__\n#endif\n#ifndef __aicore__\n#define __aicore__ [aicore]\n"
                                "#endif\n")
    quals = write(tmp_path / "q.cpp", kernel(before='#include "quals.h"\n'))
    assert run_auto(quals, capsys=capsys)[1]["removed"] == 1


def test_a_header_function_named_like_the_files_helper(tmp_path, capsys):
    helper = "static AICORE void helper(int32_t n) {{ }}\n"
    text = kernel(after='#include "decl.h"\n' + helper.replace("{{", "{").replace("}}", "}"),
                  extra="  helper(3);\n")
    write(tmp_path / "decl.h", "void unrelated(int32_t n);\n")
    source = write(tmp_path / "k.cpp", text)
    assert run_auto(source, capsys=capsys)[1]["removed"] == 1
    # A header that declares a global `helper` too: overload resolution may choose it.
    write(tmp_path / "decl.h", "void helper(int64_t n);\n")
    report = run_auto(source, capsys=capsys)[1]
    assert report["removed"] == 0 and "may declare a function of that name" in reasons(report)


def test_a_missing_include_directory_is_bad_input(tmp_path, capsys):
    source = write(tmp_path / "k.cpp", kernel())
    assert main(["run", "-I", str(tmp_path / "nowhere"), str(source)]) == 2
    assert "-I " in capsys.readouterr().err


def test_the_command_line_s_include_directories_make_the_environment_in_order(tmp_path):
    from ptofix.cli import build_parser
    from ptofix.commands.arguments import compile_environment
    source = write(tmp_path / "k.cpp", kernel())
    args = build_parser("run").parse_args(["run", "-I", str(tmp_path), "-I", str(REPO), "-D", "X=1", str(source)])
    assert compile_environment(args) == CompileEnvironment((str(tmp_path), str(REPO)), ("-DX=1",))


def test_declared_names_reads_declarators_not_uses():
    code = ("static inline uint64_t get_size(DataType dtype, int32_t n) {} struct alignas(64) Tensor {} ; "
            "enum class Mode : int32_t {} ; static constexpr int32_t COUNT = OTHER_COUNT ; "
            "template <typename T> T* as_ptr(T* p) {} typedef int (*callback)(int) ; int (plain) ;")
    assert declared_names(code) == {"get_size", "Tensor", "Mode", "COUNT", "as_ptr", "callback", "plain"}


def test_declared_names_reads_the_last_enumerator_and_using_declarations():
    # The enumerator right before `}` and the name a using-declaration brings in are declared as
    # much as the others: a reader that skipped them would let a header before pto's declare a
    # name pto's code sees.
    assert declared_names("enum RtIds { RT_FIRST = 0 , get_block_idx } ;") == {"RtIds", "RT_FIRST", "get_block_idx"}
    assert declared_names("enum { RT_ONLY } ;") == {"RT_ONLY"}
    assert declared_names("using std :: sqrt ; using rt :: a , ::rt :: b ; using Alias = rt :: c ;") \
        == {"sqrt", "a", "b", "Alias"}
    # A using-directive declares no name ([namespace.udir]); what it makes visible is judged apart.
    assert declared_names("using namespace rt ;") == set()
    assert declared_names("using namespace rt :: inner ; namespace alias = rt ;") == {"alias"}


def test_an_anonymous_class_head_with_attributes():
    from ptofix.cpp.headers import _anonymous_class_head
    assert _anonymous_class_head("static union __attribute__((aligned(8))) ")
    assert _anonymous_class_head("static union alignas(8) ") and _anonymous_class_head("union [[gnu::aligned(8)]] ")
    assert not _anonymous_class_head("struct alignas(64) RtTensor ") and not _anonymous_class_head("template <class T> struct B ")


@pytest.mark.parametrize(("header", "seen"), [
    ("#include <cmath>\nusing std::sqrt;\n", "sqrt"),               # std's overloads where pto calls ::sqrt
    ("enum RtIds { RT_FIRST, get_block_idx };\n", "get_block_idx"),
    ("enum class RtIds { RT_FIRST, get_block_idx };\nusing enum RtIds;\n", "using enum"),
    # An anonymous union's members are namespace-scope variables, whatever attributes it has.
    ("static union alignas(8) { int get_block_num; };\n", "get_block_num"),
    ("static union [[gnu::aligned(8)]] { int get_block_num; };\n", "get_block_num"),
])
def test_a_header_before_pto_declaring_a_name_the_reader_once_missed(tmp_path, capsys, header, seen):
    write(tmp_path / "early.h", header)
    source = write(tmp_path / "k.cpp", kernel(before='#include "early.h"\n'))
    report = run_auto(source, capsys=capsys)[1]
    assert report["removed"] == 0
    assert (f"sees its '{seen}'" if seen != "using enum" else "has a `using enum` declaration") in reasons(report)


@pytest.mark.parametrize(("header", "seen"), [
    # pto's TADD calls the intrinsic vadd: a variadic template of that name is an exact match.
    ("#define RT_VADD vadd\ntemplate <typename... T> inline void RT_VADD(T... a) {}\n", "vadd"),
    ("#define RT_NAME RT_INNER\n#define RT_INNER vadd\ntemplate <typename... T> inline void RT_NAME(T... a) {}\n",
     "vadd"),                                                             # through a chain of macros
    ("#define RT_FN(x) x\ntemplate <typename... T> inline void RT_FN(vadd)(T... a) {}\n", "vadd"),
])
def test_a_header_declaring_through_a_macro(tmp_path, capsys, header, seen):
    """A macro the header writes at namespace scope may expand to the name it declares: the names
    its replacement list writes are declared names too (a reader that took only the spelled
    `RT_VADD` let pto's TADD call the header's vadd)."""
    write(tmp_path / "early.h", header)
    source = write(tmp_path / "k.cpp", kernel(before='#include "early.h"\n'))
    report = run_auto(source, capsys=capsys)[1]
    assert report["removed"] == 0 and f"sees its '{seen}'" in reasons(report), reasons(report)
    # Its macros' parameters are no names: `RT_FN(x)` declares what its argument says.
    write(tmp_path / "param.h", "#define RT_FN(vadd) vadd\nint RT_FN(runtime_id)(int a);\n")
    plain = write(tmp_path / "p.cpp", kernel(before='#include "param.h"\n'))
    assert run_auto(plain, capsys=capsys)[1]["removed"] == 1


@pytest.mark.parametrize(("macros", "code", "why"), [
    ("#define RT_VADD vadd\n", "template <typename... T> inline void RT_VADD(T... a) {}\n", "sees its 'vadd'"),
    ("#define RT_CAT(a, b) a##b\n", "template <typename... T> inline void RT_CAT(v, add)(T... a) {}\n",
     "pastes tokens"),
    ("#define RT_DECL void vadd(int a, int b);\n", "RT_DECL\n", "expansion may declare any name"),
    # A default argument from the earlier header: pto's get_block_idx() may call this one.
    ("#define RT_DEFAULT = 0\n", "int32_t get_block_idx(__gm__ int64_t* a RT_DEFAULT);\n", "sees its 'get_block_idx'"),
])
def test_a_header_using_an_earlier_headers_macro(tmp_path, capsys, macros, code, why):
    """A header's code may use a macro a header the kernel included before defines: it declares
    what the expansion says (a reader that looked only at the header's own macros took
    `RT_VADD(...)` for a declaration of `RT_VADD`)."""
    write(tmp_path / "macros.h", macros)
    write(tmp_path / "decls.h", code)
    source = write(tmp_path / "k.cpp", kernel(before='#include "macros.h"\n#include "decls.h"\n'))
    report = run_auto(source, capsys=capsys)[1]
    assert report["removed"] == 0 and why in reasons(report), reasons(report)


@pytest.mark.parametrize("headers", [
    {"early.h": "\ufeff#define TCVT_HPP 1\n"},                          # a byte-order mark before the directive
    {"early.h": "#define RT_A 1\r\n#define TCVT_HPP 1\r\n"},           # CRLF lines
    {"early.h": "#include \"more.h\"\n", "more.h": "%:define TCVT_HPP 1\n"},   # a digraph directive
    {"early.h": "#\\\ninclude \"more.h\"\n", "more.h": "#define TCVT_HPP 1\n"},  # a spliced include
    {"early.h": "#include /* c */ \"more.h\" // c\n", "more.h": "#define TCVT_HPP 1\n"},
])
def test_a_header_directive_in_any_spelling_is_read(tmp_path, capsys, headers):
    """Held: a header's directive that a line-by-line reader would miss (a BOM, CRLF, `%:`, a
    splice, comments around the name) still counts: pto's include guard TCVT_HPP defined there
    keeps the barrier (a reader that skipped it would remove it)."""
    for name, text in headers.items():
        write(tmp_path / name, text)
    source = write(tmp_path / "k.cpp", kernel(before='#include "early.h"\n'))
    report = run_auto(source, capsys=capsys)[1]
    assert report["removed"] == 0, reasons(report)
    assert "TCVT_HPP" in reasons(report) or "is not supported" in reasons(report)


def test_toolchain_list():
    assert not toolchain_may_declare("cube_kernel") and not toolchain_may_declare("vector_kernel")
    for name in ("vrec", "vadd", "vconv_f322f16", "TADD_IMPL", "memcpy", "__builtin_expect", "set_flag"):
        assert toolchain_may_declare(name), name


def test_check_after_fix_exits_0_on_the_fa_workload(tmp_path):
    fa = REPO / "kernels" / "flash_attention" / "fa.cpp"
    fixed = tmp_path / "f.cpp"
    subprocess.run([sys.executable, "-m", "ptofix", "check", "--fix", str(fa), "-o", str(fixed)],
                   capture_output=True, text=True)
    proc = subprocess.run([sys.executable, "-m", "ptofix", "check", str(fixed)], capture_output=True, text=True)
    assert proc.returncode == 0 and "is unverified" not in proc.stderr, proc.stderr
    assert proc.stderr == "0 races, 0 broken placements, 0 unverified functions in 1 file\n"


CALLER = """#include "pto/pto-inst.hpp"
AICORE void work(__gm__ float* v1) {{
  {big} v5;
  TASSIGN(v5, 0);
  TADDS(v5, v5, 1.0f);
}}
extern "C" __global__ AICORE void k(__gm__ float* v1) {{
  {big} v6;
  TASSIGN(v6, 0);
{body}}}
"""


@pytest.mark.parametrize("body, verified", [
    ("  work(v1);\n", True),
    ("  work(v1);\n  work(v1);\n", False),                       # the second call's head meets the first's tail
    ("  for (int i = 0; i < 2; ++i) {\n    work(v1);\n  }\n", False),   # so does the next iteration's
    ("  TMULS(v6, v6, 2.0f);\n  work(v1);\n", False),             # the caller's op may still run
    ("  work(v1);\n  TMULS(v6, v6, 2.0f);\n", False),
    ("  TMULS(v6, v6, 2.0f);\n  pipe_barrier(PIPE_V);\n  work(v1);\n", True),
])
def test_check_a_call_of_a_vector_helper_is_verified_only_alone(tmp_path, body, verified):
    source = write(tmp_path / "k.cpp", CALLER.format(big=TILE.format(r=32, c=128, l="RowMajor"), body=body))
    proc = subprocess.run([sys.executable, "-m", "ptofix", "check", str(source)], capture_output=True, text=True)
    assert ("'k' is unverified" not in proc.stderr) == verified, proc.stderr


# -- the real kernels with their runtime headers ------------------------------------------------------

def _removed_lines(text: str) -> set[int]:
    return {n for n, line in enumerate(text.splitlines(), 1) if "ptofix: removed pipe_barrier" in line}


def _run_text(text: str, path: str, search: tuple[str, ...]) -> str:
    from ptofix.frontends import parsers
    from ptofix.pass_manager import get_pass_class
    from ptofix.source import SourceText, apply_edits
    model = parsers(CompileEnvironment(search))["cpp"](SourceText(text, path))
    result = get_pass_class("pipe-v-barrier")(pattern=("auto",)).apply(model, model.source)
    return apply_edits(text, result.edits)


_RUNTIME_INCLUDE = re.compile(r'^#include "(?:tensor|intrinsic)\.h"$', re.M)


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
def test_real_kernels_with_their_headers(corpus_dir):
    """Per real kernel: the removals with `-I real/include` are a subset of those of the same kernel
    with its runtime includes blanked (an independent argument: a header can only take meaning
    away from names the kernel writes, so reading it never allows more than its absence), and at
    least those without -I; over the folder, the headers bring removals that were not there."""
    real = Path(corpus_dir) / "real"
    include = str(real / "include")
    without_total = with_total = 0
    for path in sorted(real.glob("*.cpp")):
        text = path.read_text(encoding="utf-8")
        without = _removed_lines(_run_text(text, str(path), ()))
        with_headers = _removed_lines(_run_text(text, str(path), (include,)))
        blanked = _removed_lines(_run_text(_RUNTIME_INCLUDE.sub("", text), str(path), ()))
        assert without <= with_headers <= blanked, path.name
        without_total += len(without)
        with_total += len(with_headers)
        print(f"{path.name}: {len(without)} removed without -I, {len(with_headers)} with -I")
    assert with_total > without_total


def test_a_real_runtime_header_before_pto_is_judged_by_name(corpus_dir, tmp_path, capsys):
    """real/29 (PyPTO's mixed A2/A3 AIV kernel) includes the runtime's intrinsic.h before pto's
    header, bridges the runtime's lane id into pto's `get_subblockid()` with a macro over an
    attributed file-scope variable, and is modelled with its headers: intrinsic.h's names pto's code
    sees are overloads pto's calls cannot choose (`get_block_idx(args)`; pto calls it with no
    argument), the macro reads a plain integer variable, and `[[block_local]]` is a storage
    attribute. Each of its 34 barriers then guards an overlap the proof sees; a change to any of
    the three that the rules cannot prove harmless leaves it unmodelled again."""
    real = Path(corpus_dir) / "real"
    text = (real / "29_gate_1_aiv.cpp").read_text(encoding="utf-8")
    source = write(tmp_path / "29.cpp", text)
    report = run_auto(source, "-I", str(real / "include"), capsys=capsys)[1]
    decisions = report["decisions"]
    assert len(decisions) == 34 and report["removed"] == 0
    assert all(re.match(r"(RAW|WAR|WAW)\b", d["reason"]) for d in decisions), reasons(report)
    assert "not modelled" in reasons(run_auto(source, capsys=capsys)[1])     # without -I: tensor.h unread

    include = tmp_path / "include"
    for header in (real / "include").rglob("*"):
        if header.is_file():
            write(include / header.relative_to(real / "include"), header.read_text(encoding="utf-8"))
    intrinsic = include / "intrinsic.h"
    original = intrinsic.read_text(encoding="utf-8")
    # A default argument makes the runtime's overload viable for pto's get_block_idx() calls.
    assert "get_block_idx(__gm__ int64_t *args)" in original
    intrinsic.write_text(original.replace("get_block_idx(__gm__ int64_t *args)",
                                          "get_block_idx(__gm__ int64_t *args = nullptr)"), encoding="utf-8")
    report = run_auto(source, "-I", str(include), capsys=capsys)[1]
    assert "which then sees its 'get_block_idx'" in reasons(report) and report["removed"] == 0
    intrinsic.write_text(original, encoding="utf-8")
    assert "not modelled" not in reasons(run_auto(source, "-I", str(include), capsys=capsys)[1])
    for old, new, why in [
        # the kernel reads the variable pto's code now reads
        ("    pypto_runtime_subblock_id = get_sub_block_id(args);\n",
         "    pypto_runtime_subblock_id = get_sub_block_id(args);\n    int32_t lane = pypto_runtime_subblock_id;\n",
         "the macro 'get_subblockid'"),
        ("#define get_subblockid() pypto_runtime_subblock_id", "#define get_subblockid() get_sub_block_id(0)",
         "the macro 'get_subblockid'"),                                    # a call
        ("[[block_local]] static int32_t", "[[block_local]] static float", "the macro 'get_subblockid'"),
        ("[[block_local]]", "[[gnu::section]]", "the attributes '[[gnu::section]]'"),
    ]:
        assert old in text
        changed = write(tmp_path / "29c.cpp", text.replace(old, new, 1))
        report = run_auto(changed, "-I", str(include), capsys=capsys)[1]
        assert report["removed"] == 0 and why in reasons(report), (new, reasons(report)[:300])


@pytest.mark.slow   # (2 s of CPU or more, measured: CI's full tier runs it)
@pytest.mark.parametrize("name", ["35_ffn_norm_rms", "44_silu_a2a3", "06_online_softmax", "38_qr_rms_norm_quant",
                                  "41_exp_gate_up_act"])
def test_real_kernel_removals_simulate_equal(corpus_dir, tmp_path, name):
    """Where the simulator runs the kernel, the rewrite with the headers read computes the same
    bytes and data flow as the original (a second opinion on each removal)."""
    real = Path(corpus_dir) / "real"
    out = tmp_path / f"{name}.cpp"
    run = subprocess.run([sys.executable, "-m", "ptofix", "run", "-I", str(real / "include"), "--pattern", "auto",
                          str(real / f"{name}.cpp"), "-o", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert _removed_lines(out.read_text(encoding="utf-8")), "the headers should make removals possible"
    sim = subprocess.run([sys.executable, "-m", "ptofix", "simulate", str(real / f"{name}.cpp"), str(out)],
                         capture_output=True, text=True, env={**os.environ})
    assert sim.returncode == 0, sim.stdout + sim.stderr


def test_build_reads_headers_where_bisheng_finds_them(tmp_path):
    from ptofix.prebuild.tools import include_directories
    flags = ["-O2", "-I", "a", "-Ib", "--include-directory=c", "-xcce"]
    assert include_directories(flags) == [os.path.abspath(x) for x in ("a", "b", "c")]


@pytest.mark.parametrize(("flags", "unread"), [
    (["-O2", "-I", "a", "-Ib", "--include-directory=c", "-xcce", "-DX=1"], False),
    (["-include", "rt_defs.h"], True),            # read before the kernel's first line
    (["-includert_defs.h"], True),
    (["--include=rt_defs.h"], True),
    (["-imacros", "rt_defs.h"], True),
    (["-iquote", "q"], True),                      # searched before -I for a quoted include
    (["-isystem", "s"], True),                     # may shadow <cstdint>
    (["-idirafter", "d"], True),
    (["-nostdinc++"], True),
    (["--sysroot=/opt/sys"], True),
])
def test_build_bisheng_flags_that_read_other_headers(tmp_path, flags, unread):
    """A bisheng flag that includes a header in every file or searches other directories than
    `-I`'s leaves what the kernel compiles with unknown: every file is unmodelled (a reader that
    saw only the -I directories would have trusted headers the compiler never reads)."""
    from ptofix.cpp.semantics import FileContext
    from ptofix.frontends import PARSERS
    from ptofix.prebuild.tools import header_search_flag
    from ptofix.source import SourceText
    why = header_search_flag(flags)
    assert bool(why) == unread
    model = PARSERS["cpp"](SourceText(kernel(), str(tmp_path / "k.cpp")))
    model.environment = CompileEnvironment(headers_unread=why)
    assert bool(FileContext(model).unmodelled) == unread
    if unread:
        assert f"bisheng's flag '{flags[0]}'" in FileContext(model).unmodelled


def test_build_config_key_include_is_relative_to_the_config_and_checked(tmp_path, capsys):
    fa = REPO / "kernels" / "flash_attention" / "fa.mlir"
    (tmp_path / "inc").mkdir()
    config = write(tmp_path / "ptofix.toml", 'include = ["inc", "missing"]\n')
    status = main(["build", str(fa), "-o", str(tmp_path / "out"), "--dry-run", "--config", str(config),
                   "--target-ptoas", "v0.45"])
    err = capsys.readouterr().err
    assert status == 2 and f"include {tmp_path / 'missing'}" in err and "not a directory" in err
    write(tmp_path / "ptofix.toml", 'include = ["inc"]\n')
    assert main(["build", str(fa), "-o", str(tmp_path / "out"), "--dry-run", "--config", str(config),
                 "--target-ptoas", "v0.45"]) == 0


def test_kernel_macros_and_header_declarations_meet(tmp_path, capsys):
    # The kernel's macro renames the header's declaration (`runtime_index` declares TADD there).
    write(tmp_path / "r.h", "static inline int runtime_index(int n) { return n; }\n")
    renamed = write(tmp_path / "k.cpp", kernel(after='#define runtime_index TADD\n#include "r.h"\n'))
    report = run_auto(renamed, capsys=capsys)[1]
    assert report["removed"] == 0 and "'runtime_index'" in reasons(report)
    # The header writes the kernel's macro at namespace scope: what it declares is not known.
    write(tmp_path / "m.h", "MAKE(one)\n")
    used = write(tmp_path / "u.cpp", kernel(after='#define MAKE(n) int n;\n#include "m.h"\n'))
    report = run_auto(used, capsys=capsys)[1]
    assert report["removed"] == 0 and "'MAKE'" in reasons(report)


def test_a_header_function_in_the_namespace_of_the_files_helper(tmp_path, capsys):
    helper = "namespace app {\nstatic AICORE void helper(int32_t n) { }\n"
    source = write(tmp_path / "k.cpp", kernel(after='#include "n.h"\n' + helper, extra="  helper(3);\n") + "}\n")
    write(tmp_path / "n.h", "namespace app { void other(int64_t n); }\n")
    assert run_auto(source, capsys=capsys)[1]["removed"] == 1
    write(tmp_path / "n.h", "namespace app { void helper(int64_t n); }\n")
    report = run_auto(source, capsys=capsys)[1]
    assert report["removed"] == 0 and "may declare a function of that name" in reasons(report)


def test_declared_names_with_trailing_attributes():
    found = declared_names("static int counter __attribute__((unused)) = 0 ; register int r asm ( ) ;")
    assert {"counter", "r"} <= found and "int" not in found


def test_a_header_with_braces_paired_across_if_branches_is_read_to_its_end(tmp_path, capsys):
    # (`}` with no `{` open: every name counts as namespace-scope, and the macro after it still counts.)
    write(tmp_path / "odd.h", "#ifdef A\nstruct S {\n#else\nstruct S : B {\n#endif\n};\n}\n#define LATE(x) x\n")
    source = write(tmp_path / "k.cpp", kernel(after='#include "odd.h"\n', extra="  int64_t v9 = LATE(v3);\n"))
    report = run_auto(source, capsys=capsys)[1]
    assert report["removed"] == 0 and "LATE" in reasons(report)


def test_worker_processes_search_the_same_directories(tmp_path):
    runtime_headers(tmp_path / "include")
    files = [write(tmp_path / f"k{i}.cpp", kernel(after='#include "runtime.h"\n')) for i in range(2)]
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.run([sys.executable, "-m", "ptofix", "run", "-j", "2", "-I", str(tmp_path / "include"),
                           "--pattern", "auto", "--same-access-chains", *map(str, files), "-o", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    for path in files:
        assert _removed_lines((out / path.name).read_text(encoding="utf-8")), path.name


SIMULATOR_GROUP = "#if defined(__CPU_SIM)\nnamespace sim {\nstatic inline void sim_dsb(int kind);\n}\n{extra}#endif\n"


@pytest.mark.parametrize(("extra", "removed"), [
    ("", 1),
    ("constexpr int SINGLE_CACHE_LINE = 0;\n", 1),
    # The group changes what the removed statement means in the simulator build: read as written.
    ("#define pipe_barrier(p) sim_barrier(p)\n", 0),
    ("#define JOIN(a, b) a##b\n", 0),
])
def test_a_cpu_simulator_group_is_not_the_npu_build(tmp_path, capsys, extra, removed):
    group = SIMULATOR_GROUP.replace("{extra}", extra)
    source = write(tmp_path / "k.cpp", kernel(after=group))
    assert run_auto(source, capsys=capsys)[1]["removed"] == removed
    # The `#ifdef` spelling alike; not `#ifndef`, whose group the NPU build compiles.
    ifdef = write(tmp_path / "d.cpp", kernel(after=group.replace("#if defined(__CPU_SIM)", "#ifdef __CPU_SIM")))
    assert run_auto(ifdef, capsys=capsys)[1]["removed"] == removed
    ifndef = write(tmp_path / "n.cpp", kernel(after=group.replace("#if defined(__CPU_SIM)", "#ifndef __CPU_SIM")))
    assert run_auto(ifndef, capsys=capsys)[1]["removed"] == 0


def test_a_cpu_simulator_group_when_the_macro_may_be_defined(tmp_path, capsys):
    group = SIMULATOR_GROUP.replace("{extra}", "")
    # The file defines (or undefines) it: its group may be compiled for the NPU.
    for directive in ("#define __CPU_SIM\n", "#undef __CPU_SIM\n"):
        source = write(tmp_path / "k.cpp", kernel(after=directive + group))
        assert run_auto(source, capsys=capsys)[1]["removed"] == 0
    # A header the kernel includes defines it: its macro is one the kernel writes outside its functions.
    write(tmp_path / "sim.h", "#define __CPU_SIM 1\n")
    source = write(tmp_path / "k.cpp", kernel(after='#include "sim.h"\n' + group))
    report = run_auto(source, capsys=capsys)[1]
    assert report["removed"] == 0 and "__CPU_SIM" in reasons(report)


@pytest.mark.parametrize(("macro", "removed"), [
    ("MY_KERNEL_HPP", 1),
    ("my_kernel_config", 1),  # no pto-isa header writes it, nor may the standard library
    ("MEMORY_BASE", 1),       # in capitals, but no standard header defines or tests it
    ("MY_RUNTIME_FLAG", 1),
    ("ENCODER_H", 1),         # of the errno family, but an include guard's shape
    ("EOF", 0),               # <cstdio>'s, listed
    ("ERANGE", 0),            # <cerrno>'s
    ("INT8_MAX", 0),          # <cstdint>'s
    ("SIGKERNEL", 0),         # reserved for <csignal>'s future signals
    ("UINT24_MAX", 0),        # reserved for <cstdint>'s future types
    ("HAVE_SCHED_H", 0),      # libstdc++'s headers test it: listed, whatever its shape
    ("ptrdiff_t", 0),         # the standard headers write it
    ("vexpm", 0),             # a CCE intrinsic's shape: a toolchain macro pto calls may expand to it
    ("TCVT_HPP", 0),          # pto's own include guard: its TCVT header would be skipped
    ("NDEBUG", 0),            # <cassert>, which pto includes, tests it
    ("TADD_IMPL", 0),         # pto's `API##_IMPL` pastes form such names
    ("_MY_KERNEL_H", 0),      # reserved: the implementation's headers may write it
])
def test_a_macro_defined_before_pto_header(tmp_path, capsys, macro, removed):
    """pto's code sees a macro defined before it only where it writes the name or a paste forms it."""
    guard = f"#ifndef {macro}\n#define {macro}\n"
    source = write(tmp_path / "k.cpp", kernel(before=guard) + "#endif\n")
    report = run_auto(source, capsys=capsys)[1]
    assert report["removed"] == removed
    if not removed:
        assert f"the macro '{macro}' is defined or undefined before pto's header" in reasons(report)
    # Another pto header than pto-inst.hpp: its words are not listed.
    other = write(tmp_path / "o.cpp", kernel(before=guard + "#include <pto/common/pto_tile.hpp>\n") + "#endif\n")
    assert run_auto(other, capsys=capsys)[1]["removed"] == 0


@pytest.mark.parametrize(("header", "seen"), [
    # intrinsic.h's overloads: pto's code calls get_block_idx() with no argument, which a function
    # requiring one cannot take (pto_call_arities.txt), so pto's calls are what they were.
    ("static __aicore__ inline int32_t get_block_idx(__gm__ int64_t* args) { return (int32_t) args[48]; }\n"
     "static __aicore__ inline int32_t get_block_num(__gm__ int64_t* args) { return (int32_t) args[49]; }\n", ""),
    ("int getPadMask(int a, int b);\n", ""),                        # pto passes one argument, never two
    ("int getPadMask(int a);\n", "getPadMask"),                     # viable for pto's one-argument call
    ("int32_t get_block_idx();\n", "get_block_idx"),                # viable for pto's call
    # One unnamed parameter of a typedef of void is no parameter: viable for pto's get_block_idx().
    ("typedef void rt_void_t;\nint32_t get_block_idx(rt_void_t);\n", "get_block_idx"),
    ("namespace rt { typedef void none_t; }\nint32_t get_block_idx(rt::none_t);\n", "get_block_idx"),
    ("int32_t get_block_idx(__gm__ int64_t* a = 0);\n", "get_block_idx"),     # a default argument
    ("int32_t get_block_idx(...);\n", "get_block_idx"),             # variadic
    ("int32_t get_block_idx(__gm__ int64_t* a, ...);\n", "get_block_idx"),
    ("template <typename... T> int32_t get_block_idx(T... a);\n", "get_block_idx"),   # a pack: any count
    ("template <typename T> int32_t get_block_idx(T* a);\n", "get_block_idx"),        # not read as plain
    ("int32_t get_block_idx(int64_t* a);\nauto rt_idx = &get_block_idx;\n", "get_block_idx"),  # not only declared
    ("int32_t get_block_idx(int64_t* a);\nstruct get_block_idx;\n", "get_block_idx"),
    ("#define RT_DEFAULT = 0\nint32_t get_block_idx(int64_t* a RT_DEFAULT);\n", "get_block_idx"),  # a macro in it
    ("#define RT_SPEC static\nRT_SPEC int32_t get_block_idx(int64_t* a);\n", "get_block_idx"),
    ("int32_t get_block_idx(std::pair<int64_t, int64_t> a);\n", "get_block_idx"),  # a template argument's comma
    ("void dcci(__gm__ void* a, int b, int c, int d, int e, int f);\n", "dcci"),    # pto's use is no plain call
])
def test_a_header_overload_pto_cannot_call(tmp_path, capsys, header, seen):
    """A header before pto's header declaring a function of a name pto's code calls changes those
    calls only if overload resolution may choose it: a plain function requiring more arguments than
    every call pto makes of that name is not viable for any of them; anything else keeps the rule
    by name."""
    write(tmp_path / "early.h", header)
    source = write(tmp_path / "k.cpp", kernel(before='#include "early.h"\n'))
    report = run_auto(source, capsys=capsys)[1]
    if seen:
        assert report["removed"] == 0
        assert f"comes before pto's header, which then sees its '{seen}'" in reasons(report)
    else:
        assert report["removed"] == 1, reasons(report)
    # Another pto header than pto-inst.hpp: how its code calls the name is not recorded.
    other = write(tmp_path / "o.cpp", kernel(before='#include "early.h"\n#include <pto/common/pto_tile.hpp>\n'))
    assert run_auto(other, capsys=capsys)[1]["removed"] == 0


@pytest.mark.parametrize(("before", "seen"), [
    # An exact match for every call pto's TADD makes of the intrinsic `vadd`: its body would run.
    ("template <typename... T> static inline void vadd(T... a) {}\n", "the function 'vadd' is defined"),
    ("static inline int getPadMask(int a) { return a; }\n", "the function 'getPadMask' is defined"),
    ("namespace kn { static inline void set_vector_mask(int a, int b) {} }\nusing namespace kn;\n",
     "the function 'set_vector_mask' is defined"),
    ("using getPadMask = int;\n", "'getPadMask' is declared before pto's header"),
    ("using namespace std;\n", "a using-directive for namespace std before pto's header"),
    ("[[block_local]] static int32_t runtime_lane;\nstatic inline int runtime_helper(int a) { return a; }\n", ""),
])
def test_a_kernel_declaration_before_pto_is_judged_as_a_headers(tmp_path, capsys, before, seen):
    """The kernel's own function, variable or alias before pto's header is seen by pto's code as a
    header's declaration there would be: by name."""
    source = write(tmp_path / "k.cpp", kernel(before=before))
    report = run_auto(source, capsys=capsys)[1]
    assert report["removed"] == (0 if seen else 1), reasons(report)
    assert seen in reasons(report)
    # The same after pto's header: pto's code does not see it (a kernel helper is no op it reads).
    if "vadd" not in before and "std" not in before and "getPadMask" not in before:
        return
    later = write(tmp_path / "l.cpp", kernel(after=before))
    assert seen not in reasons(run_auto(later, capsys=capsys)[1])


@pytest.mark.parametrize(("header", "removed", "why"), [
    # pto-kernels' int4_cvt.hpp: pto's header, then `using namespace pto;` and helpers of its own.
    ('#include "pto/pto-inst.hpp"\nusing namespace pto;\nnamespace helpers { int scale(int a) { return a; } }\n',
     1, ""),
    # Built to break it: the header declares into pto, or opens a namespace of pto's the model
    # does not read, or declares a namespace named `pto` at global scope through an alias.
    ('#include "pto/pto-inst.hpp"\nnamespace pto { int TADD(int a); }\n', 0, "pto"),
    ('#include "pto/pto-inst.hpp"\nusing namespace pto::comm;\n', 0, "using-directive"),
    ('#include "pto/pto-inst.hpp"\nnamespace pto = other;\n', 0, "pto"),
])
def test_a_headers_using_directive_for_pto_declares_no_name(tmp_path, capsys, header, removed, why):
    """`using namespace pto;` in a header the kernel includes declares nothing the kernel spells:
    the kernel's `pto::` and ops stay pto's."""
    write(tmp_path / "helpers.hpp", header)
    source = write(tmp_path / "k.cpp", kernel(after='#include "helpers.hpp"\nusing namespace pto;\n'))
    report = run_auto(source, capsys=capsys)[1]
    assert report["removed"] == removed, reasons(report)
    assert why in reasons(report)


@pytest.mark.parametrize(("late", "removed"), [
    ("int32_t get_block_idx(__gm__ int64_t* a = 0);\n", 0),    # the same function, now with a default
    ("int32_t runtime_helper(int32_t a);\n", 1),
])
def test_a_header_overload_redeclared_by_a_later_header(tmp_path, capsys, late, removed):
    """The overload rule holds for a name no other include redeclares: a later redeclaration may
    add a default argument, which makes the function viable for pto's call with fewer arguments."""
    write(tmp_path / "early.h", "int32_t get_block_idx(__gm__ int64_t* a);\n")
    write(tmp_path / "late.h", late)
    source = write(tmp_path / "k.cpp", kernel(before='#include "early.h"\n', after='#include "late.h"\n'))
    report = run_auto(source, capsys=capsys)[1]
    assert report["removed"] == removed, reasons(report)


@pytest.mark.parametrize(("before", "extra", "bridged"), [
    ("[[block_local]] static int32_t pypto_lane;\n#define get_subblockid() pypto_lane\n", "", True),
    # The kernel stores an integer to it: a store to the file's own integer variable, no UB write
    # (FileContext.plain_integer_global), in the barrier's window.
    ("static uint32_t pypto_lane = 0;\n#define get_subblockid() pypto_lane\n", "  pypto_lane = 1;\n", True),
    ("static int32_t pypto_lane;\n#define get_subblockid() pypto_lane\n", "  int32_t copy = pypto_lane;\n", False),  # and reads it
    ("static int32_t pypto_lane;\n#define get_subblockid() pypto_lane\n", "  pypto_lane += 1;\n", False),
    ("int32_t read_lane();\n#define get_subblockid() read_lane()\n", "", False),           # a call
    ("static int32_t pypto_lane;\n#define LANE pypto_lane\n#define get_subblockid() LANE\n", "", False),  # another macro
    ("static int32_t pypto_lane;\n#define get_subblockid pypto_lane\n", "", False),                   # object-like
    ("static int32_t pypto_lane;\n#define get_subblockid(x) pypto_lane\n", "", False),                # a parameter
    ("static int32_t* pypto_lane;\n#define get_subblockid() pypto_lane\n", "", False),                # no integer
    ("static float pypto_lane;\n#define get_subblockid() pypto_lane\n", "", False),
    ("#define get_subblockid() pypto_lane\n", "", False),                                        # not the kernel's
    ("static int32_t pypto_lane;\n#define get_block_idx() pypto_lane\n", "", False),                  # another name
    ("static int32_t subblockId;\n#define get_subblockid() subblockId\n", "", False),      # a name pto writes
    ("static int32_t pypto_lane;\n#define get_subblockid() pypto_lane\n#undef get_subblockid\n#define get_subblockid() pypto_lane\n",
     "", False),
])
def test_the_lane_id_bridged_to_a_variable_before_pto(tmp_path, capsys, before, extra, bridged):
    """`#define get_subblockid() V` before pto's header, V a file-scope integer variable the
    kernel only stores to: pto's code reads V where it read the intrinsic, which no UB address,
    vector operand or drain the proof reads depends on (pto-facts.md §8.3.1). Anything else
    (a call, another macro, a pointer, a read of V by the kernel) stays unknown."""
    source = write(tmp_path / "k.cpp", kernel(before=before, extra=extra))
    report = run_auto(source, capsys=capsys)[1]
    if bridged:
        assert report["removed"] == 1, reasons(report)
    else:
        assert report["removed"] == 0
        name = "get_block_idx" if "get_block_idx" in before else "get_subblockid"
        assert f"the macro '{name}' is defined or undefined before pto's header" in reasons(report), reasons(report)


@pytest.mark.parametrize(("after", "read"), [
    ("[[block_local]] static int32_t lane;\n", True),
    ("[[maybe_unused]] [[block_local]] static int32_t lane = 3;\n", True),
    ("[[ block_local , maybe_unused ]] int64_t lane;\n", True),
    ("[[gnu::section]] static int32_t lane;\n", False),              # an attribute ptofix does not know
    ("[[block_local]] using lane_t = int32_t;\n", False),            # on something other than a variable
    ("[[block_local(2)]] static int32_t lane;\n", False),            # arguments
    ("[[block_local /* x */]] static int32_t lane;\n", False),       # a comment inside: not read
    ("[[block_local]] static int32_t TADD;\n", False),               # a name the model reads
    ("#define LOCAL block_local\n[[LOCAL]] static int32_t lane;\n", False),   # a macro
])
def test_an_attributed_file_scope_variable(tmp_path, capsys, after, read):
    """A file-scope declaration that starts with an attribute-specifier-seq is the declaration after
    it; the attributes ptofix knows (`block_local`, `maybe_unused`) leave a variable the plain
    variable, any other keeps the file unmodelled."""
    source = write(tmp_path / "k.cpp", kernel(after=after))
    report = run_auto(source, capsys=capsys)[1]
    assert report["removed"] == (1 if read else 0), reasons(report)


def test_call_arities_count_plain_calls_only():
    from ptofix.pto.header_words import call_arities
    code = """#define FORWARD(a) fwd(a)
int user() { return get_idx() + two(1, h(2, 3)) + pair(x<a, b>(c)) + q.member(1, 2) + ::global(4); }
auto address = &taken; templ<int>(3); packed(args...); by_macro(ONE_MACRO); by_capitals(SOME_FLAG);
int get_idx();  /* get_idx(1, 2) in a comment */ const char* s = "get_idx(1)";
"""
    calls, other = call_arities([code], {"ONE_MACRO"})
    assert calls["get_idx"] == {0} and calls["two"] == {2} and calls["h"] == {2} and calls["global"] == {1}
    assert calls["pair"] == {2}               # a template argument's comma raises the count: never lower
    assert "member" not in calls and "member" not in other    # a member finds no namespace-scope function
    assert {"fwd", "taken", "templ", "packed", "by_macro", "by_capitals"} <= other
    assert not {"fwd", "taken", "templ", "packed", "by_macro", "by_capitals"} & calls.keys()


def test_pto_call_arities_record_the_intrinsics_pto_calls():
    from ptofix.pto.ops import pto_call_arities
    arities = pto_call_arities()
    assert arities["get_block_idx"] == (0,) and arities["get_block_num"] == (0,)
    assert "dcci" not in arities              # a macro of pto's CPU stubs: used otherwise


def test_pto_words_hold_what_pto_writes():
    from ptofix.pto.ops import macro_may_change_pto_code, pto_header_words
    words = pto_header_words()
    # Names pto-inst.hpp's code writes (an op, a guard, an intrinsic it calls), not a kernel's guard.
    assert {"TADD", "TCVT_HPP", "get_subblockid", "pipe_barrier"} <= words
    assert not macro_may_change_pto_code("PYPTO_QWEN_ROPE_QKV_GENERATED_HPP")


def test_a_kernel_that_spells_a_macro_stack_pragma_through_a_headers_macro(tmp_path, capsys):
    # assert_compat.h-style: the header's PRAGMA makes a pragma of its argument, the kernel passes
    # `pop_macro`: no pragma of the kernel's own shows it, its words do.
    write(tmp_path / "prag.h", "#define PRAGMA(x) _Pragma(#x)\n")
    source = write(tmp_path / "k.cpp", kernel(after='#include "prag.h"\n', extra='  PRAGMA(pop_macro("PIPE_V"));\n'))
    report = run_auto(source, capsys=capsys)[1]
    assert report["removed"] == 0 and "push_macro`/`pop_macro` outside a pragma" in reasons(report)
    # (The header alone, its macro unused: nothing to fear.)
    plain = write(tmp_path / "p.cpp", kernel(after='#include "prag.h"\n'))
    assert run_auto(plain, capsys=capsys)[1]["removed"] == 1


CHECKOUT = REPO.parent / "shared" / "pto-isa" / "f35e7f60"


@pytest.mark.skipif(not CHECKOUT.is_dir(), reason="../shared/pto-isa/f35e7f60 (a pto-isa checkout) is not present")
@pytest.mark.parametrize(("tiling", "later_pto", "with_checkout", "removed"), [
    # dispatch_mega_combine's pattern: a project header defines names (an include guard, a helper)
    # before a later header that includes a pto header pto-inst.hpp reaches: with the checkout,
    # pto's code is known to write neither.
    ("#ifndef MY_TILING_H\n#define MY_TILING_H\ninline constexpr bool FrontCaseOk(int c) { return c > 0; }\n"
     "#endif\n", "pto/common/pto_tile.hpp", True, 1),
    # Without the checkout, that header's words are not listed: kept, and the note says how to give it.
    ("#define MY_TILING_H\n", "pto/common/pto_tile.hpp", False, 0),
    # Built to break it: a name pto's headers test (the architecture macro), or one they call.
    ("#define PTO_NPU_ARCH_A2A3\n", "pto/common/pto_tile.hpp", True, 0),
    ("#define PIPE_V PIPE_MTE2\n", "pto/common/pto_tile.hpp", True, 0),
    # A pto header pto-inst.hpp does not reach in that checkout: its words are not read.
    ("#define MY_TILING_H\n", "pto/not_reached_by_inst.hpp", True, 0),
])
def test_a_project_macro_before_a_later_pto_header_with_the_checkout(tmp_path, capsys, tiling, later_pto,
                                                                       with_checkout, removed):
    write(tmp_path / "tiling.h", tiling)
    write(tmp_path / "vector.hpp", f"#include <{later_pto}>\n#include <pto/pto-inst.hpp>\n")
    source = write(tmp_path / "k.cpp", kernel(after='#include "tiling.h"\n#include "vector.hpp"\n'))
    options = ("--pto-isa", str(CHECKOUT)) if with_checkout else ()
    status, report, err = run_auto(source, *options, capsys=capsys)
    assert report["removed"] == removed, reasons(report)
    if not with_checkout:
        assert "--pto-isa DIR" in reasons(report)
