"""Fail closed on hand-written function templates: a barrier in a template body serves every
instantiation the program makes (in the file, in a header, in another file of the run, under a
command-line macro), and a template's first and last barriers keep what its call sites leave in flight.

Helpers, geometry and controls: tests/cpp/test_fail_closed_hand.py.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fail_closed_hand import (
    ENTRY,
    GUARD,
    HEAD,
    T16,
    TEMPLATE,
    TEMPLATE_OFF,
    TILES,
    TMN,
    assert_check_does_not_certify,
    assert_guards_kept,
    guard_lines,
    one_file,
    run_auto,
    write,
)

from ptofix.cli import main

# ------------------------------------------------------------------------------------------------
# Templates: a barrier in a template body serves every instantiation the program makes.
# ------------------------------------------------------------------------------------------------

TEMPLATE_CASES: dict[str, str] = {
    "two instantiations, the overlapping one second":
        TEMPLATE + f"{ENTRY} {{\n  impl<16, 128>(x);\n  impl<32, 128>(x);\n}}\n",
    "two instantiations, the overlapping one first":
        TEMPLATE + f"{ENTRY} {{\n  impl<32, 128>(x);\n  impl<16, 128>(x);\n}}\n",
    "two instantiations in two kernels":
        TEMPLATE + f"{ENTRY} {{\n  impl<16, 128>(x);\n}}\n"
        'extern "C" __global__ AICORE void other_entry(__gm__ float* x) {\n  impl<32, 128>(x);\n}\n',
    "instantiation in a branch":
        TEMPLATE + f"{ENTRY} {{\n  if (n > 0) {{\n    impl<16, 128>(x);\n  }} else {{\n    impl<32, 128>(x);\n  }}\n}}\n",
    "instantiation under an #if the vector compile takes":
        TEMPLATE + f"{ENTRY} {{\n  impl<16, 128>(x);\n#if defined(__DAV_C220_VEC__)\n  impl<32, 128>(x);\n#endif\n}}\n",
    "instantiation under #ifdef __DAV_VEC__":
        TEMPLATE + f"{ENTRY} {{\n#ifdef __DAV_VEC__\n  impl<32, 128>(x);\n#else\n  impl<16, 128>(x);\n#endif\n}}\n",
    "argument is an expression":
        TEMPLATE + f"{ENTRY} {{\n  impl<16, 128>(x);\n  impl<8 * 4, 128>(x);\n}}\n",
    "argument is a comparison in parentheses":
        TEMPLATE + f"{ENTRY} {{\n  impl<16, 128>(x);\n  impl<(16 > 8) + 31, 128>(x);\n}}\n",
    "argument from sizeof":
        TEMPLATE + f"{ENTRY} {{\n  impl<16, 128>(x);\n  impl<sizeof(float) * 8, 128>(x);\n}}\n",
    "argument from a local constexpr shadowing a file-scope one":
        "constexpr int ROWS = 16;\n" + TEMPLATE
        + f"{ENTRY} {{\n  impl<ROWS, 128>(x);\n  constexpr int ROWS = 32;\n  impl<ROWS, 128>(x);\n}}\n",
    "argument from a redefined macro":
        "#define ROWS 16\n" + TEMPLATE
        + f"{ENTRY} {{\n  impl<ROWS, 128>(x);\n#undef ROWS\n#define ROWS 32\n  impl<ROWS, 128>(x);\n}}\n",
    "instantiation through a macro":
        "#define RUN_IMPL(m, n) impl<m, n>(x)\n" + TEMPLATE
        + f"{ENTRY} {{\n  impl<16, 128>(x);\n  RUN_IMPL(32, 128);\n}}\n",
    "instantiation through a macro with token pasting":
        "#define ROWS_A 32\n#define RUN_IMPL(s) impl<ROWS_##s, 128>(x)\n" + TEMPLATE
        + f"{ENTRY} {{\n  impl<16, 128>(x);\n  RUN_IMPL(A);\n}}\n",
    "instantiation as a function pointer":
        TEMPLATE + f"{ENTRY} {{\n  impl<16, 128>(x);\n  auto fp = &impl<32, 128>;\n  fp(x);\n}}\n",
    "instantiation as a function pointer without &":
        TEMPLATE + f"{ENTRY} {{\n  impl<16, 128>(x);\n  void (*fp)(__gm__ float*) = impl<32, 128>;\n  fp(x);\n}}\n",
    "instantiation from another template with a dependent argument":
        TEMPLATE + "template <int R>\nstatic AICORE void outer(__gm__ float* x) {\n  impl<R, 128>(x);\n}\n"
        + f"{ENTRY} {{\n  impl<16, 128>(x);\n  outer<32>(x);\n}}\n",
    "instantiation from another template with a dependent expression":
        TEMPLATE + "template <int R>\nstatic AICORE void outer(__gm__ float* x) {\n  impl<2 * R, 128>(x);\n}\n"
        + f"{ENTRY} {{\n  outer<8>(x);\n  outer<16>(x);\n}}\n",
    "recursive instantiation":
        f"""template <int M, int N>
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
  if constexpr (M < 32) {{
    impl<M * 2, N>(x);
  }}
}}
{ENTRY} {{
  impl<16, 128>(x);
}}
""",
    "default template argument":
        TEMPLATE.replace("template <int M, int N>", "template <int M, int N = 256>")
        + f"{ENTRY} {{\n  impl<16, 128>(x);\n  impl<16>(x);\n}}\n",
    "deduced tile type":
        f"""template <typename T>
static AICORE void impl(T& a, T& b) {{
  TASSIGN(a, 0x0);
  TASSIGN(b, 8192);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  {GUARD}
  TMUL(b, b, b);
  pipe_barrier(PIPE_ALL);
}}
{ENTRY} {{
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128> s0, s1;
  impl<Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128>>(s0, s1);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128> w0, w1;
  impl(w0, w1);
}}
""",
    "element type from a type parameter":
        f"""template <typename D, int M, int N>
static AICORE void impl(__gm__ float* x) {{
  Tile<TileType::Vec, float, M, N, BLayout::RowMajor, M, N> a;
  Tile<TileType::Vec, D, M, N, BLayout::RowMajor, M, N> b;
  TASSIGN(a, 0x0);
  TASSIGN(b, M * N * sizeof(D));
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  {GUARD}
  TMUL(b, b, b);
  pipe_barrier(PIPE_ALL);
}}
{ENTRY} {{
  impl<float, 16, 128>(x);
  impl<half, 16, 128>(x);
}}
""",
    "if constexpr on a template parameter picks the conflicting op":
        f"""template <bool OVERLAP>
static AICORE void impl(__gm__ float* x) {{
{TILES}  TADD(a, a, a);
  {GUARD}
  if constexpr (OVERLAP) {{
    TMUL(c, c, c);
  }} else {{
    TMUL(b, b, b);
  }}
  pipe_barrier(PIPE_ALL);
}}
{ENTRY} {{
  impl<false>(x);
  impl<true>(x);
}}
""",
    "if constexpr on sizeof of a type parameter":
        f"""template <typename D>
static AICORE void impl(__gm__ float* x) {{
{TILES}  TADD(a, a, a);
  {GUARD}
  if constexpr (sizeof(D) == 2) {{
    TMUL(c, c, c);
  }} else {{
    TMUL(b, b, b);
  }}
  pipe_barrier(PIPE_ALL);
}}
{ENTRY} {{
  impl<float>(x);
  impl<half>(x);
}}
""",
    "explicit specialization reads file-scope names the primary uses as parameters":
        f"""constexpr int M = 32;
constexpr int N = 128;
template <int M, int N>
static AICORE void impl(__gm__ float* x);
template <>
AICORE void impl<16, 128>(__gm__ float* x) {{
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
{ENTRY} {{
  impl<16, 128>(x);
}}
""",
    "explicit specialization has a different body":
        f"""template <int M, int N>
static AICORE void impl(__gm__ float* x) {{
  pipe_barrier(PIPE_ALL);
}}
template <>
AICORE void impl<16, 128>(__gm__ float* x) {{
{TILES}  TADD(a, a, a);
  {GUARD}
  TMUL(c, c, c);
  pipe_barrier(PIPE_ALL);
}}
{ENTRY} {{
  impl<16, 128>(x);
  impl<32, 128>(x);
}}
""",
    "explicit instantiation definition":
        # (Not static: another translation unit may call the instantiation this one defines.)
        TEMPLATE.replace("static AICORE", "AICORE") + "template void impl<32, 128>(__gm__ float* x);\n"
        + f"{ENTRY} {{\n  impl<16, 128>(x);\n}}\n",
    "overloads of one template name":
        f"""template <int M, int N>
static AICORE void impl(__gm__ float* x, float s) {{
  pipe_barrier(PIPE_ALL);
}}
template <int M, int N>
static AICORE void impl(__gm__ float* x, int64_t s) {{
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
{ENTRY} {{
  impl<32, 128>(x, n);
  impl<16, 128>(x, 1.0f);
}}
""",
    "member function of a class template":
        f"""template <int M, int N>
struct Impl {{
  static AICORE void run(__gm__ float* x) {{
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
}};
{ENTRY} {{
  Impl<16, 128>::run(x);
  Impl<32, 128>::run(x);
}}
""",
    "instantiation in a header included after the template":
        TEMPLATE + '#include "more.h"\n' + f"{ENTRY} {{\n  impl<16, 128>(x);\n  more(x);\n}}\n",
    "instantiation in a header included at the end of the file":
        TEMPLATE + f"{ENTRY} {{\n  impl<16, 128>(x);\n}}\n" + '#include "tail.h"\n',
    "instantiation through a macro naming the template":
        TEMPLATE + "#define IMPL impl\n" + f"{ENTRY} {{\n  impl<16, 128>(x);\n  IMPL<32, 128>(x);\n}}\n",
    "address from a block-scoped constexpr of a template parameter":
        f"""template <int M, int N>
static AICORE void impl(__gm__ float* x) {{
  using T = {TMN};
  T a;
  T b;
  TASSIGN(a, 0x0);
  {{
    constexpr int N2 = 2 * N;
    TASSIGN(b, N2 * 32);
  }}
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  {GUARD}
  TMUL(b, b, b);
  pipe_barrier(PIPE_ALL);
}}
{ENTRY} {{
  impl<32, 128>(x);
}}
""",
    # -- how the compiler reads the arguments and the body's constants -------------------------
    "octal template argument":
        TEMPLATE_OFF + f"{ENTRY} {{\n  impl<65536>(x);\n  impl<010000>(x);\n}}\n",
    "binary template argument":
        TEMPLATE_OFF + f"{ENTRY} {{\n  impl<65536>(x);\n  impl<0b1000000000000>(x);\n}}\n",
    "character template argument":
        TEMPLATE_OFF + f"{ENTRY} {{\n  impl<65536>(x);\n  impl<'\\x7f' * 32>(x);\n}}\n",
    "template name spliced by a backslash-newline":
        TEMPLATE + f"{ENTRY} {{\n  impl<16, 128>(x);\n  imp\\\nl<32, 128>(x);\n}}\n",
    "argument is a file-scope constant hidden by a namespace's":
        "constexpr int ROWS = 16;\n" + TEMPLATE
        + f"namespace wide {{\nconstexpr int ROWS = 32;\n{ENTRY} {{\n  impl<16, 128>(x);\n  impl<ROWS, 128>(x);\n}}\n}}\n",
    "argument is a file-scope constant hidden by the caller's template parameter":
        "constexpr int ROWS = 16;\n" + TEMPLATE
        + "template <int ROWS>\nstatic AICORE void outer(__gm__ float* x) {\n  impl<ROWS, 128>(x);\n}\n"
        + f"{ENTRY} {{\n  impl<ROWS, 128>(x);\n  outer<32>(x);\n}}\n",
    "argument is a file-scope constant hidden by a lambda's local":
        "constexpr int ROWS = 16;\n" + TEMPLATE
        + f"{ENTRY} {{\n  impl<ROWS, 128>(x);\n  auto f = [&]() {{\n    constexpr int ROWS = 32;\n    impl<ROWS, 128>(x);\n  }};\n  f();\n}}\n",
    "argument is a file-scope constant written later under #if":
        "#if defined(__DAV_C220_VEC__)\nconstexpr int ROWS = 32;\n#else\nconstexpr int ROWS = 16;\n#endif\n" + TEMPLATE
        + f"{ENTRY} {{\n  impl<ROWS, 128>(x);\n}}\n",
    "argument is an enumerator":
        "enum Rows { NARROW = 16, WIDE = 32 };\n" + TEMPLATE + f"{ENTRY} {{\n  impl<NARROW, 128>(x);\n  impl<WIDE, 128>(x);\n}}\n",
    "instantiation inside a lambda":
        TEMPLATE + f"{ENTRY} {{\n  impl<16, 128>(x);\n  auto f = [&]() {{ impl<32, 128>(x); }};\n  f();\n}}\n",
    "instantiation in a for-init":
        TEMPLATE + f"{ENTRY} {{\n  impl<16, 128>(x);\n  for (impl<32, 128>(x); n > 0; --n) {{\n  }}\n}}\n",
    "instantiation in a member function of a class":
        TEMPLATE + "struct Runner {\n  AICORE void go(__gm__ float* x) {\n    impl<32, 128>(x);\n  }\n};\n"
        + f"{ENTRY} {{\n  impl<16, 128>(x);\n  Runner r;\n  r.go(x);\n}}\n",
    "instantiation from a header macro that pastes the name":
        '#include "paste.h"\n' + TEMPLATE + f"{ENTRY} {{\n  impl<16, 128>(x);\n  RUN_PASTED(i);\n}}\n",
    "unsigned constant in the body wraps":
        """template <int M, int N>
static AICORE void impl(__gm__ float* x) {
  using T = Tile<TileType::Vec, float, M, N, BLayout::RowMajor, M, N>;
  T a;
  T b;
  constexpr uint16_t off = M * N * 32 + 4096;
  TASSIGN(a, 0x0);
  TASSIGN(b, off);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  """ + GUARD + f"""
  TMUL(b, b, b);
  pipe_barrier(PIPE_ALL);
}}
{ENTRY} {{
  impl<16, 128>(x);
}}
""",
    "signed division in the body truncates toward zero":
        """template <int M, int N>
static AICORE void impl(__gm__ float* x) {
  using T = Tile<TileType::Vec, float, M, N, BLayout::RowMajor, M, N>;
  T a;
  T b;
  constexpr int64_t off = 4096 - ((-M) / 32) * 61440;
  TASSIGN(a, 0x0);
  TASSIGN(b, off);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  """ + GUARD + f"""
  TMUL(b, b, b);
  pipe_barrier(PIPE_ALL);
}}
{ENTRY} {{
  impl<16, 128>(x);
}}
""",
    "signed remainder in the body keeps the dividend's sign":
        """template <int M, int N>
static AICORE void impl(__gm__ float* x) {
  using T = Tile<TileType::Vec, float, M, N, BLayout::RowMajor, M, N>;
  T a;
  T b;
  constexpr int64_t off = 69632 + ((-M) % 32) * 4096;
  TASSIGN(a, 0x0);
  TASSIGN(b, off);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  """ + GUARD + f"""
  TMUL(b, b, b);
  pipe_barrier(PIPE_ALL);
}}
{ENTRY} {{
  impl<16, 128>(x);
}}
""",
    "int16_t element type from a type parameter":
        f"""template <typename D>
static AICORE void impl(__gm__ float* x) {{
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128> a;
  Tile<TileType::Vec, D, 16, 128, BLayout::RowMajor, 16, 128> b;
  TASSIGN(a, 0x0);
  TASSIGN(b, 2048 * sizeof(D));
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  {GUARD}
  TMUL(b, b, b);
  pipe_barrier(PIPE_ALL);
}}
{ENTRY} {{
  impl<float>(x);
  impl<int16_t>(x);
}}
""",
    "argument is a file-scope constant a later macro renames":
        "constexpr int ROWS = 16;\n#define ROWS 32\n" + TEMPLATE + f"{ENTRY} {{\n  impl<ROWS, 128>(x);\n}}\n",
    "argument is a file-scope constant a later header's macro renames":
        "constexpr int ROWS = 16;\n#include \"rows.h\"\n" + TEMPLATE + f"{ENTRY} {{\n  impl<ROWS, 128>(x);\n}}\n",
    "argument is a file-scope constant of a narrow type":
        "constexpr uint16_t FAR = 69632;\n" + TEMPLATE_OFF + f"{ENTRY} {{\n  impl<FAR>(x);\n}}\n",
    "argument is a file-scope constant cast to a narrow type":
        TEMPLATE_OFF + f"{ENTRY} {{\n  impl<(uint16_t) 69632>(x);\n}}\n",
    "argument is a header's constant defined under #if":
        '#include "rows.h"\n' + TEMPLATE + f"{ENTRY} {{\n  impl<ROWS, 128>(x);\n}}\n",
    "shifted template argument":
        TEMPLATE_OFF + f"{ENTRY} {{\n  impl<65536>(x);\n  impl<1 << 12>(x);\n}}\n",
    "hexadecimal template argument with a suffix":
        TEMPLATE_OFF + f"{ENTRY} {{\n  impl<0x10000>(x);\n  impl<0x1000ull>(x);\n}}\n",
    "boolean arithmetic in a template argument":
        TEMPLATE_OFF + f"{ENTRY} {{\n  impl<65536>(x);\n  impl<true * 4096>(x);\n}}\n",
    "guard inside an #if group of the template body":
        TEMPLATE.replace(f"  {GUARD}\n", f"#if defined(__DAV_C220_VEC__)\n  {GUARD}\n#endif\n")
        + f"{ENTRY} {{\n  impl<16, 128>(x);\n  impl<32, 128>(x);\n}}\n",
    # -- templates and header calls together -------------------------------------------------
    "template body calls a header helper that writes the address":
        '#include "helper.h"\n' + TEMPLATE_OFF.replace("  TASSIGN(b, OFF);\n", "  int64_t at = OFF;\n  offset(at);\n  TASSIGN(b, at);\n")
        + f"{ENTRY} {{\n  impl<65536>(x);\n}}\n",
    "template body calls a header helper that rebinds a tile":
        '#include "helper.h"\n' + TEMPLATE_OFF.replace("  TASSIGN(b, OFF);\n", "  TASSIGN(b, OFF);\n  place(b);\n")
        + f"{ENTRY} {{\n  impl<65536>(x);\n}}\n",
}

TEMPLATE_HEADERS = {
    "instantiation in a header included at the end of the file":
        {"tail.h": 'extern "C" __global__ AICORE void wide_entry(__gm__ float* x) {\n  impl<32, 128>(x);\n}\n'},
    "argument is a header's constant defined under #if":
        {"rows.h": "#pragma once\n#if defined(__DAV_C220_VEC__)\nconstexpr int ROWS = 32;\n#else\nconstexpr int ROWS = 16;\n#endif\n"},
    "template body calls a header helper that writes the address":
        {"helper.h": "#pragma once\nstatic AICORE void offset(int64_t& at) {\n  at = 4096;\n}\n"},
    "template body calls a header helper that rebinds a tile":
        {"helper.h": f"#pragma once\nstatic AICORE void place({T16}& t) {{\n  TASSIGN(t, 4096);\n}}\n"},
    "argument is a file-scope constant a later header's macro renames": {"rows.h": "#pragma once\n#define ROWS 32\n"},
    "instantiation from a header macro that pastes the name":
        {"paste.h": "#pragma once\n#define RUN_PASTED(p) p##mpl<32, 128>(x)\n"},
    "instantiation in a header included after the template":
        {"more.h": "static AICORE void more(__gm__ float* x) {\n  impl<32, 128>(x);\n}\n"},
}


@pytest.mark.parametrize("name", sorted(TEMPLATE_CASES))
def test_template_barrier_serves_every_instantiation(tmp_path, name):
    files = one_file(TEMPLATE_CASES[name])
    files.update(TEMPLATE_HEADERS.get(name, {}))
    assert_guards_kept(tmp_path, files)


def test_template_in_a_header_serves_the_includers_instantiations(tmp_path):
    # The header instantiates the template only with a disjoint shape; the kernel that includes
    # it instantiates the overlapping one. Removing the barrier from the header's text breaks
    # the kernel, whatever the header itself makes.
    header = HEAD + "#pragma once\n" + TEMPLATE + "static AICORE void safe_user(__gm__ float* x) {\n  impl<16, 128>(x);\n}\n"
    kernel = HEAD + '#include "impl.h"\n' + f"{ENTRY} {{\n  safe_user(x);\n  impl<32, 128>(x);\n}}\n"
    files = {"impl.h": header, "k.cpp": kernel}
    assert_guards_kept(tmp_path, files, target="impl.h")
    assert_guards_kept(tmp_path / "again", {"impl.hpp": header.replace("impl.h", "impl.hpp"),
                                            "k.cpp": kernel.replace("impl.h", "impl.hpp")}, target="impl.hpp")


def test_template_in_a_header_with_no_instantiation_keeps_its_barrier(tmp_path):
    header = HEAD + "#pragma once\n" + TEMPLATE
    assert_guards_kept(tmp_path, {"impl.h": header}, target="impl.h")


@pytest.mark.parametrize("name", [
    "two instantiations, the overlapping one second",
    "instantiation in a header included after the template",
    "instantiation from another template with a dependent argument",
    "octal template argument",
    "unsigned constant in the body wraps",
    "if constexpr on a template parameter picks the conflicting op",
])
def test_template_checked_with_the_guard_stripped_is_not_certified(tmp_path, name):
    files = one_file(TEMPLATE_CASES[name])
    files.update(TEMPLATE_HEADERS.get(name, {}))
    assert_check_does_not_certify(tmp_path, files)


def test_template_in_a_file_another_file_of_the_run_includes(tmp_path):
    # k.cpp instantiates the template only with the disjoint shape; user.cpp, in the same run,
    # includes k.cpp and instantiates the overlapping one. k.cpp's text is user.cpp's too.
    kernel = HEAD + TEMPLATE + f"{ENTRY} {{\n  impl<16, 128>(x);\n}}\n"
    user = '#include "k.cpp"\nextern "C" __global__ AICORE void user_entry(__gm__ float* x) {\n  impl<32, 128>(x);\n}\n'
    write(tmp_path, {"k.cpp": kernel, "user.cpp": user})
    status = main(["run", "--pattern", "auto", "-q", "-i", "-I", str(tmp_path), str(tmp_path / "user.cpp"),
                   str(tmp_path / "k.cpp")])
    assert status == 0
    [line] = guard_lines(kernel)
    assert (tmp_path / "k.cpp").read_text().splitlines()[line - 1].lstrip().startswith("pipe_barrier(PIPE_V);")


def test_file_scope_alias_template_named_tile_shadows_ptos(tmp_path):
    # Without `using namespace pto`, `Tile` is the file's alias template: twice the rows pto's
    # spelling says, so `a` covers [0, 16384) and overlaps `b` at 8192.
    text = ("#include <pto/pto-inst.hpp>\nusing pto::TADD;\nusing pto::TMUL;\nusing pto::TASSIGN;\n"
            "using pto::TileType;\nusing pto::BLayout;\n"
            "template <TileType L, typename D, int R, int C, BLayout B, int VR, int VC>\n"
            "using Tile = pto::Tile<L, D, 2 * R, C, B, 2 * VR, VC>;\n"
            f"{ENTRY} {{\n  {T16} a;\n  {T16} b;\n  TASSIGN(a, 0x0);\n  TASSIGN(b, 8192);\n  pipe_barrier(PIPE_ALL);\n"
            f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(b, b, b);\n}}\n")
    assert_guards_kept(tmp_path, {"k.cpp": text})


def test_file_scope_tile_alias_control_is_removed_with_ptos_tile(tmp_path):
    # (The control of the case above: the same kernel with pto's Tile removes the barrier.)
    text = (HEAD + f"{ENTRY} {{\n  {T16} a;\n  {T16} b;\n  TASSIGN(a, 0x0);\n  TASSIGN(b, 8192);\n  pipe_barrier(PIPE_ALL);\n"
            "  TADD(a, a, a);\n  pipe_barrier(PIPE_V);  // FREE\n  TMUL(b, b, b);\n}\n")
    decisions, _ = run_auto(tmp_path, {"k.cpp": text})
    assert decisions is not None and [d["decision"] for d in decisions] == ["removed"], decisions


def test_template_instantiated_by_a_command_line_macro(tmp_path):
    # The overlapping instantiation is spelled only on the command line (-D), as a build passes it.
    text = HEAD + TEMPLATE + f"{ENTRY} {{\n  impl<16, 128>(x);\n  EXTRA_WORK;\n}}\n"
    write(tmp_path, {"k.cpp": text})
    out = tmp_path / "out.cpp"
    assert main(["run", "--pattern", "auto", "-q", "-D", "EXTRA_WORK=impl<32, 128>(x)", str(tmp_path / "k.cpp"),
                 "-o", str(out)]) == 0
    [line] = guard_lines(text)
    assert out.read_text().splitlines()[line - 1].lstrip().startswith("pipe_barrier(PIPE_V);")


@pytest.mark.parametrize("calls", ["impl<32, 128>(x);", "impl<16, 128>(x);\n  impl<32, 128>(x);",
                                   "impl<32, 128>(x);\n  impl<16, 128>(x);"])
def test_two_adjacent_template_barriers_are_not_both_removed(tmp_path, calls):
    # Either barrier alone separates the overlap of <32, 128>; removing both is a race.
    body = TEMPLATE.replace(GUARD, "pipe_barrier(PIPE_V);  // ONE\n  pipe_barrier(PIPE_V);  // TWO")
    text = HEAD + body + f"{ENTRY} {{\n  {calls}\n}}\n"
    _, output = run_auto(tmp_path, {"k.cpp": text})
    lines = [i for i, s in enumerate(text.splitlines(), 1) if "// ONE" in s or "// TWO" in s]
    out_lines = output.splitlines()
    assert any(out_lines[n - 1].lstrip().startswith("pipe_barrier(PIPE_V);") for n in lines), output


# A template whose guard is its first statement: what is in flight at its entry comes from its
# call sites. And one whose guard is its last: what follows comes from the call sites too.
ENTRY_GUARD_TEMPLATE = f"""template <int M, int N>
static AICORE void impl(__gm__ float* x) {{
  {TMN} a;
  TASSIGN(a, 0x0);
  {GUARD}
  TADD(a, a, a);
  pipe_barrier(PIPE_ALL);
}}
"""
EXIT_GUARD_TEMPLATE = f"""template <int M, int N>
static AICORE void impl(__gm__ float* x) {{
  {TMN} a;
  TASSIGN(a, 0x0);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  {GUARD}
}}
"""
C_TILE = f"  {T16} c;\n  TASSIGN(c, 4096);\n"

CALL_SITE_CASES = {
    "entry: a second call site has vector work in flight":
        ENTRY_GUARD_TEMPLATE + f"{ENTRY} {{\n{C_TILE}  impl<16, 128>(x);\n  TMUL(c, c, c);\n  impl<16, 128>(x);\n}}\n",
    "entry: the previous loop iteration's work is in flight":
        ENTRY_GUARD_TEMPLATE + f"{ENTRY} {{\n{C_TILE}  for (int64_t i = 0; i < n; ++i) {{\n    impl<16, 128>(x);\n"
        "    TMUL(c, c, c);\n  }\n}\n",
    "entry: called from a helper whose caller has work in flight":
        ENTRY_GUARD_TEMPLATE + "static AICORE void mid(__gm__ float* x) {\n  impl<16, 128>(x);\n}\n"
        + f"{ENTRY} {{\n{C_TILE}  TMUL(c, c, c);\n  mid(x);\n}}\n",
    "entry: work in flight on one branch into the call":
        ENTRY_GUARD_TEMPLATE + f"{ENTRY} {{\n{C_TILE}  if (n > 0) {{\n    TMUL(c, c, c);\n  }} else {{\n"
        "    pipe_barrier(PIPE_ALL);\n  }\n  impl<16, 128>(x);\n}\n",
    "entry: the template calls itself with work in flight":
        f"""template <int M, int N>
static AICORE void impl(__gm__ float* x, int64_t k) {{
  {TMN} a;
  TASSIGN(a, 0x0);
  {T16} c;
  TASSIGN(c, 4096);
  {GUARD}
  TADD(a, a, a);
  pipe_barrier(PIPE_ALL);
  TMUL(c, c, c);
  if (k > 0) {{
    impl<16, 128>(x, k - 1);
  }}
  pipe_barrier(PIPE_ALL);
}}
{ENTRY} {{
  impl<16, 128>(x, n);
}}
""",
    "entry: called with constant arguments from another template with work in flight":
        ENTRY_GUARD_TEMPLATE + "template <int K>\nstatic AICORE void outer(__gm__ float* x) {\n"
        f"{C_TILE}  TMUL(c, c, c);\n  impl<16, 128>(x);\n}}\n" + f"{ENTRY} {{\n  outer<1>(x);\n}}\n",
    "entry: called from a lambda with work in flight":
        ENTRY_GUARD_TEMPLATE + f"{ENTRY} {{\n{C_TILE}  auto run = [&]() {{\n    TMUL(c, c, c);\n    impl<16, 128>(x);\n  }};\n"
        "  run();\n}\n",
    "exit: a call site issues overlapping work after the return":
        EXIT_GUARD_TEMPLATE + f"{ENTRY} {{\n{C_TILE}  impl<16, 128>(x);\n  TMUL(c, c, c);\n}}\n",
    "exit: the next loop iteration issues overlapping work":
        EXIT_GUARD_TEMPLATE + f"{ENTRY} {{\n{C_TILE}  for (int64_t i = 0; i < n; ++i) {{\n    TMUL(c, c, c);\n"
        "    impl<16, 128>(x);\n  }\n}\n",
    "exit: only the second call site is followed by overlapping work":
        EXIT_GUARD_TEMPLATE + f"{ENTRY} {{\n{C_TILE}  impl<16, 128>(x);\n  pipe_barrier(PIPE_ALL);\n  impl<16, 128>(x);\n"
        "  TMUL(c, c, c);\n}\n",
    "exit: called from a helper whose caller issues overlapping work":
        EXIT_GUARD_TEMPLATE + "static AICORE void mid(__gm__ float* x) {\n  impl<16, 128>(x);\n}\n"
        + f"{ENTRY} {{\n{C_TILE}  mid(x);\n  TMUL(c, c, c);\n}}\n",
}


@pytest.mark.parametrize("name", sorted(CALL_SITE_CASES))
def test_template_edges_keep_what_a_call_site_leaves_in_flight(tmp_path, name):
    assert_guards_kept(tmp_path, one_file(CALL_SITE_CASES[name]))


# The caller's guard, across a call of a template: the instantiation called issues the conflict.
CALLER_GUARD_CASES = {
    "the instantiation's first op overlaps the caller's last":
        f"""template <int M, int N>
static AICORE void impl(__gm__ float* x) {{
  {TMN} t;
  TASSIGN(t, 0x0);
  TMUL(t, t, t);
  pipe_barrier(PIPE_ALL);
}}
{ENTRY} {{
{C_TILE}  TADD(c, c, c);
  {GUARD}
  impl<16, 128>(x);
}}
""",
    "the instantiation's last op overlaps the caller's next":
        f"""template <int M, int N>
static AICORE void impl(__gm__ float* x) {{
  {TMN} t;
  TASSIGN(t, 0x0);
  pipe_barrier(PIPE_ALL);
  TMUL(t, t, t);
}}
{ENTRY} {{
{C_TILE}  impl<16, 128>(x);
  {GUARD}
  TADD(c, c, c);
}}
""",
    "only the instantiation on one branch overlaps":
        f"""template <int M, int N>
static AICORE void impl(__gm__ float* x) {{
  {TMN} t;
  TASSIGN(t, 16384 - M * 256);
  TMUL(t, t, t);
  pipe_barrier(PIPE_ALL);
}}
{ENTRY} {{
{C_TILE}  TADD(c, c, c);
  {GUARD}
  if (n > 0) {{
    impl<16, 128>(x);
  }} else {{
    impl<32, 128>(x);
  }}
}}
""",
}


@pytest.mark.parametrize("name", sorted(CALLER_GUARD_CASES))
def test_callers_guard_keeps_what_an_instantiation_issues(tmp_path, name):
    assert_guards_kept(tmp_path, one_file(CALLER_GUARD_CASES[name]))


SHAPES = [(8, 128), (16, 64), (16, 128), (8, 256), (32, 64), (16, 256), (32, 128), (64, 64)]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(SHAPES), min_size=1, max_size=5))
def test_template_guard_kept_whenever_some_instantiation_overlaps(shapes):
    # `a` covers [0, M*N*4), `b` sits at 8192: an instantiation past 2048 elements overlaps.
    if all(m * n <= 2048 for m, n in shapes):
        return
    calls = "".join(f"  impl<{m}, {n}>(x);\n" for m, n in shapes)
    with tempfile.TemporaryDirectory() as where:
        assert_guards_kept(Path(where), one_file(TEMPLATE + f"{ENTRY} {{\n{calls}}}\n"))


def test_template_entry_after_a_vector_free_header_call_keeps_the_work_before_it(tmp_path):
    # pipe_sync() waits on MTE3 only: TMUL(c) is still in flight when impl's guard is reached.
    kernel = HEAD + '#include "pipe_sync.h"\n' + ENTRY_GUARD_TEMPLATE + (
        f"{ENTRY} {{\n{C_TILE}  TMUL(c, c, c);\n  pipe_sync();\n  impl<16, 128>(x);\n}}\n")
    header = ("#pragma once\nstatic AICORE inline void pipe_sync() {\n"
              "  set_flag(PIPE_MTE3, PIPE_S, EVENT_ID2);\n  wait_flag(PIPE_MTE3, PIPE_S, EVENT_ID2);\n}\n")
    assert_guards_kept(tmp_path, {"k.cpp": kernel, "pipe_sync.h": header})
