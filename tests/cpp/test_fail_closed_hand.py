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
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# ------------------------------------------------------------------------------------------------
# Calls: a call of the file's own function modelled by its body.
# ------------------------------------------------------------------------------------------------

# Each case: (helpers before the kernel, the kernel body after TILES, extra header files).
CALL_CASES: dict[str, tuple[str, str, dict[str, str]]] = {
    "header helper issues vector work under #if defined(__DAV_VEC__)": (
        '#include "helper.h"\n',
        f"  TADD(a, a, a);\n  {GUARD}\n  scale(c);\n",
        {"helper.h": "#pragma once\ntemplate <typename T>\nAICORE inline void scale(T& t) {\n"
                     "#if defined(__DAV_VEC__)\n  TMUL(t, t, t);\n#endif\n}\n"}),
    "header helper issues vector work under #ifdef __DAV_C220_VEC__": (
        '#include "helper.h"\n',
        f"  TADD(a, a, a);\n  {GUARD}\n  scale(c);\n",
        {"helper.h": f"#pragma once\nstatic AICORE inline void scale({T16}& t) {{\n"
                     "#ifdef __DAV_C220_VEC__\n  TMUL(t, t, t);\n#endif\n}\n"}),
    "header helper issues vector work unless __DAV_CUBE__": (
        '#include "helper.h"\n',
        f"  TADD(a, a, a);\n  {GUARD}\n  scale(c);\n",
        {"helper.h": f"#pragma once\nstatic AICORE inline void scale({T16}& t) {{\n"
                     "#ifndef __DAV_CUBE__\n  TMUL(t, t, t);\n#endif\n}\n"}),
    "helper TASSIGNs a tile passed by reference": (
        f"static AICORE void place({T16}& t) {{\n  TASSIGN(t, 4096);\n}}\n",
        f"  place(b);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(b, b, b);\n", {}),
    "header helper TASSIGNs a tile passed by reference": (
        '#include "helper.h"\n',
        f"  place(b, 4096);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(b, b, b);\n",
        {"helper.h": f"#pragma once\nstatic AICORE void place({T16}& t, int64_t at) {{\n  TASSIGN(t, at);\n}}\n"}),
    "helper TASSIGNs a tile through a pointer": (
        f"static AICORE void place({T16}* t) {{\n  TASSIGN(*t, 4096);\n}}\n",
        f"  place(&b);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(b, b, b);\n", {}),
    "helper copy-assigns a tile passed by reference": (
        f"static AICORE void alias({T16}& t, {T16}& from) {{\n  t = from;\n}}\n",
        f"  alias(b, c);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(b, b, b);\n", {}),
    "helper returns a tile placed in the overlap": (
        f"static AICORE {T16} make() {{\n  {T16} t;\n  TASSIGN(t, 4096);\n  return t;\n}}\n",
        f"  b = make();\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(b, b, b);\n", {}),
    "helper writes the address through a reference": (
        "static AICORE void offset(int64_t& at) {\n  at = 4096;\n}\n",
        f"  int64_t at = 65536;\n  offset(at);\n  {T16} d;\n  TASSIGN(d, at);\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n", {}),
    "helper returns the address": (
        "static AICORE int64_t offset(int64_t n) {\n  if (n > 0) {\n    return 4096;\n  }\n  return 65536;\n}\n",
        f"  {T16} d;\n  TASSIGN(d, offset(n));\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n", {}),
    "helper drains only on one path": (
        "static AICORE void maybe_sync(int64_t n) {\n  if (n > 0) {\n    pipe_barrier(PIPE_V);\n  }\n}\n",
        f"  TADD(a, a, a);\n  maybe_sync(n);\n  {GUARD}\n  TMUL(c, c, c);\n", {}),
    "helper drains after a macro that returns": (
        "#define EARLY_OUT(cond) if (cond) return\n"
        "static AICORE void sync_unless(int64_t n) {\n  EARLY_OUT(n > 0);\n  pipe_barrier(PIPE_V);\n}\n",
        f"  TADD(a, a, a);\n  sync_unless(n);\n  {GUARD}\n  TMUL(c, c, c);\n", {}),
    "helper drains under an #if the vector compile skips": (
        "static AICORE void sync_cube() {\n#if defined(__DAV_CUBE__)\n  pipe_barrier(PIPE_V);\n#endif\n}\n",
        f"  TADD(a, a, a);\n  sync_cube();\n  {GUARD}\n  TMUL(c, c, c);\n", {}),
    "helper waits on another pipe only": (
        "static AICORE void sync_mte() {\n  pipe_barrier(PIPE_MTE2);\n  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);\n"
        "  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);\n}\n",
        f"  TADD(a, a, a);\n  sync_mte();\n  {GUARD}\n  TMUL(c, c, c);\n", {}),
    "helper drains through a shadowed pipe_barrier": (
        "namespace mine {\nAICORE inline void pipe_barrier(int p) {\n}\n}\n"
        "static AICORE void sync_v() {\n  mine::pipe_barrier(PIPE_V);\n}\n",
        f"  TADD(a, a, a);\n  sync_v();\n  {GUARD}\n  TMUL(c, c, c);\n", {}),
    "helper's vector op is left in flight on return": (
        f"static AICORE void work({T16}& t) {{\n  pipe_barrier(PIPE_V);\n  TMUL(t, t, t);\n}}\n",
        f"  work(c);\n  {GUARD}\n  TADD(a, a, a);\n", {}),
    "recursive helper": (
        f"static AICORE void repeat({T16}& t, int64_t k) {{\n  if (k > 0) {{\n    TMUL(t, t, t);\n"
        "    repeat(t, k - 1);\n  }\n}\n",
        f"  TADD(a, a, a);\n  {GUARD}\n  repeat(c, n);\n", {}),
    "mutually recursive helpers": (
        f"static AICORE void ping({T16}& t, int64_t k);\n"
        f"static AICORE void pong({T16}& t, int64_t k) {{\n  if (k > 0) {{\n    ping(t, k - 1);\n  }}\n}}\n"
        f"static AICORE void ping({T16}& t, int64_t k) {{\n  pong(t, k);\n  TMUL(t, t, t);\n}}\n",
        f"  TADD(a, a, a);\n  {GUARD}\n  ping(c, n);\n", {}),
    "overloaded helper picks the conflicting body": (
        f"static AICORE void h({T16}& t, float s) {{\n  pipe_barrier(PIPE_ALL);\n}}\n"
        f"static AICORE void h({T16}& t, int64_t s) {{\n  TMUL(t, t, t);\n}}\n",
        f"  TADD(a, a, a);\n  {GUARD}\n  h(c, n);\n", {}),
    "helper defined twice under #if": (
        f"#if defined(__DAV_C220_VEC__)\nstatic AICORE void h({T16}& t) {{\n  TMUL(t, t, t);\n}}\n"
        f"#else\nstatic AICORE void h({T16}& t) {{\n}}\n#endif\n",
        f"  TADD(a, a, a);\n  {GUARD}\n  h(c);\n", {}),
    "using namespace brings a same-named helper": (
        f"namespace fast {{\nAICORE inline void finish({T16}& t) {{\n  TMUL(t, t, t);\n}}\n}}\n"
        f"namespace slow {{\nAICORE inline void finish(int64_t t) {{\n}}\n}}\nusing namespace fast;\n",
        f"  TADD(a, a, a);\n  {GUARD}\n  finish(c);\n", {}),
    "helper called through a function pointer": (
        f"static AICORE void nothing({T16}& t) {{\n}}\nstatic AICORE void work({T16}& t) {{\n  TMUL(t, t, t);\n}}\n",
        f"  void (*fp)({T16}&) = nothing;\n  if (n > 0) {{\n    fp = work;\n  }}\n  TADD(a, a, a);\n  {GUARD}\n  fp(c);\n", {}),
    "helper called through a macro": (
        f"static AICORE void work({T16}& t) {{\n  TMUL(t, t, t);\n}}\n#define FINISH(t) work(t)\n",
        f"  TADD(a, a, a);\n  {GUARD}\n  FINISH(c);\n", {}),
    "helper reads a file-scope tile": (
        f"static {T16} g_tile;\nstatic AICORE void work() {{\n  TMUL(g_tile, g_tile, g_tile);\n}}\n",
        f"  TASSIGN(g_tile, 4096);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  work();\n", {}),
    "helper with a default argument that issues vector work": (
        f"static {T16} g_tile;\nstatic AICORE int64_t touch() {{\n  TMUL(g_tile, g_tile, g_tile);\n  return 0;\n}}\n"
        "static AICORE void noop(int64_t k = touch()) {\n}\n",
        f"  TASSIGN(g_tile, 4096);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  noop();\n", {}),
    "helper that is a lambda": (
        "",
        f"  auto work = [&]() {{ TMUL(c, c, c); }};\n  TADD(a, a, a);\n  {GUARD}\n  work();\n", {}),
    "template helper with the tile type deduced": (
        "template <typename T>\nstatic AICORE void work(T& t) {\n  TMUL(t, t, t);\n}\n",
        f"  TADD(a, a, a);\n  {GUARD}\n  work(c);\n", {}),
    "pipe_sync from a header that drains only the scalar pipe": (
        '#include "pipe_sync.h"\n',
        f"  TADD(a, a, a);\n  pipe_sync();\n  {GUARD}\n  TMUL(c, c, c);\n",
        {"pipe_sync.h": "#pragma once\nstatic AICORE inline void pipe_sync() {\n"
                        "  set_flag(PIPE_MTE3, PIPE_S, EVENT_ID2);\n  wait_flag(PIPE_MTE3, PIPE_S, EVENT_ID2);\n}\n"}),
    "helper takes the tile by value (a copy names the same bytes)": (
        f"static AICORE void work({T16} t) {{\n  TMUL(t, t, t);\n}}\n",
        f"  TADD(a, a, a);\n  {GUARD}\n  work(c);\n", {}),
    "helper gets one of two tiles by a conditional": (
        f"static AICORE void work({T16}& t) {{\n  TMUL(t, t, t);\n}}\n",
        f"  TADD(a, a, a);\n  {GUARD}\n  work(n > 0 ? b : c);\n", {}),
    "helper gets the tile through a struct it is passed": (
        f"struct Pair {{\n  {T16}* first;\n  {T16}* second;\n}};\n"
        "static AICORE void work(Pair p) {\n  TMUL(*p.second, *p.second, *p.second);\n}\n",
        f"  TADD(a, a, a);\n  {GUARD}\n  work(Pair{{&b, &c}});\n", {}),
    "helper's vector work is on a tile it declares at a parameter's address": (
        f"static AICORE void work(int64_t at) {{\n  {T16} t;\n  TASSIGN(t, at);\n  TMUL(t, t, t);\n}}\n",
        f"  TADD(a, a, a);\n  {GUARD}\n  work(4096);\n", {}),
    "helper issues its work in a loop that may run once": (
        f"static AICORE void work({T16}& t, int64_t k) {{\n  for (int64_t i = 0; i < k; ++i) {{\n    TMUL(t, t, t);\n"
        "    pipe_barrier(PIPE_V);\n  }\n}\n",
        f"  TADD(a, a, a);\n  {GUARD}\n  work(c, n);\n", {}),
    # -- header helpers read as vector-free no-event calls must really be -------------------
    "header helper writes a kernel variable declared before the include": (
        'static int64_t g_off = 65536;\n#include "helper.h"\n',
        f"  move_it();\n  {T16} d;\n  TASSIGN(d, g_off);\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n",
        {"helper.h": "#pragma once\nstatic AICORE void move_it() {\n  g_off = 4096;\n}\n"}),
    "header helper TASSIGNs a kernel tile declared before the include": (
        f'static {T16} g_tile;\n#include "helper.h"\n',
        f"  TASSIGN(g_tile, 65536);\n  place_it();\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(g_tile, g_tile, g_tile);\n",
        {"helper.h": "#pragma once\nstatic AICORE void place_it() {\n  TASSIGN(g_tile, 4096);\n}\n"}),
    "header helper TASSIGNs a tile through a pointer": (
        '#include "helper.h"\n',
        f"  place(&b);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(b, b, b);\n",
        {"helper.h": f"#pragma once\nstatic AICORE void place({T16}* t) {{\n  TASSIGN(*t, 4096);\n}}\n"}),
    "header helper writes the address through a pointer": (
        '#include "helper.h"\n',
        f"  int64_t at = 65536;\n  offset(&at);\n  {T16} d;\n  TASSIGN(d, at);\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n",
        {"helper.h": "#pragma once\nstatic AICORE void offset(int64_t* at) {\n  *at = 4096;\n}\n"}),
    "header helper writes the address through a local reference": (
        '#include "helper.h"\n',
        f"  int64_t at = 65536;\n  offset(at);\n  {T16} d;\n  TASSIGN(d, at);\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n",
        {"helper.h": "#pragma once\nstatic AICORE void offset(int64_t& at) {\n  int64_t& r = at;\n  r = 4096;\n}\n"}),
    "header helper writes the address through a const_cast": (
        '#include "helper.h"\n',
        f"  int64_t at = 65536;\n  offset(at);\n  {T16} d;\n  TASSIGN(d, at);\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n",
        {"helper.h": "#pragma once\nstatic AICORE void offset(const int64_t& at) {\n  const_cast<int64_t&>(at) = 4096;\n}\n"}),
    "header helper issues a raw vector intrinsic": (
        '#include "helper.h"\n',
        f"  TADD(a, a, a);\n  {GUARD}\n  clear_ub();\n",
        {"helper.h": "#pragma once\nstatic AICORE void clear_ub() {\n"
                     "  vector_dup((__ubuf__ float*) 4096, 0.0f, 64, 1, 1, 8, 0);\n}\n"}),
    "header helper's vector work under a macro the kernel defines before the include": (
        '#define USE_VECTOR 1\n#include "helper.h"\n',
        f"  TADD(a, a, a);\n  {GUARD}\n  scale(c);\n",
        {"helper.h": f"#pragma once\nstatic AICORE void scale({T16}& t) {{\n#if USE_VECTOR\n  TMUL(t, t, t);\n#endif\n}}\n"}),
    "header helper's body uses a macro of the kernel": (
        '#define WORK(t) TMUL(t, t, t)\n#include "helper.h"\n',
        f"  TADD(a, a, a);\n  {GUARD}\n  scale(c);\n",
        {"helper.h": f"#pragma once\nstatic AICORE void scale({T16}& t) {{\n  WORK(t);\n}}\n"}),
    "header helper's name redefined as a macro after the include": (
        '#include "pipe_sync.h"\n#undef pipe_sync\n#define pipe_sync() TMUL(c, c, c)\n',
        f"  TADD(a, a, a);\n  {GUARD}\n  pipe_sync();\n",
        {"pipe_sync.h": "#pragma once\nstatic AICORE inline void pipe_sync() {\n  pipe_barrier(PIPE_ALL);\n}\n"}),
    "header helper included twice under different macros": (
        '#define SCALE_VEC 0\n#include "helper.h"\n#undef SCALE_VEC\n#define SCALE_VEC 1\n#include "helper.h"\n',
        f"  TADD(a, a, a);\n  {GUARD}\n  scale(c);\n",
        {"helper.h": f"#if SCALE_VEC\nstatic AICORE void scale_vec({T16}& t) {{\n  TMUL(t, t, t);\n}}\n#define scale scale_vec\n"
                     f"#else\nstatic AICORE void scale({T16}& t) {{\n}}\n#endif\n"}),
    "header helper sets a V to S flag without its wait": (
        '#include "helper.h"\n',
        f"  TADD(a, a, a);\n  signal();\n  {GUARD}\n  TMUL(c, c, c);\n",
        {"helper.h": "#pragma once\nstatic AICORE void signal() {\n  set_flag(PIPE_V, PIPE_S, EVENT_ID1);\n}\n"}),
    "header helper calls a vector helper of the same header": (
        '#include "helper.h"\n',
        f"  TADD(a, a, a);\n  {GUARD}\n  outer(c);\n",
        {"helper.h": f"#pragma once\nstatic AICORE void inner({T16}& t) {{\n  TMUL(t, t, t);\n}}\n"
                     f"static AICORE void outer({T16}& t) {{\n  inner(t);\n}}\n"}),
    "header helper takes the tile by a forwarding template": (
        '#include "helper.h"\n',
        f"  TADD(a, a, a);\n  {GUARD}\n  scale(c);\n",
        {"helper.h": "#pragma once\ntemplate <typename T>\nstatic AICORE void scale(T&& t) {\n  TMUL(t, t, t);\n}\n"}),
    "header helper writes a caller variable through the caller's reference alias": (
        '#include "helper.h"\n',
        f"  int64_t at = 65536;\n  int64_t& r = at;\n  offset(r);\n  {T16} d;\n  TASSIGN(d, at);\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n",
        {"helper.h": "#pragma once\nstatic AICORE void offset(int64_t& at) {\n  at = 4096;\n}\n"}),
    "header helper writes a caller variable through the caller's pointer": (
        '#include "helper.h"\n',
        f"  int64_t at = 65536;\n  int64_t* p = &at;\n  offset(*p);\n  {T16} d;\n  TASSIGN(d, at);\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n",
        {"helper.h": "#pragma once\nstatic AICORE void offset(int64_t& at) {\n  at = 4096;\n}\n"}),
    "header helper rebinds a tile aliased by a caller reference": (
        '#include "helper.h"\n',
        f"  {T16}& rb = b;\n  place(rb);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(b, b, b);\n",
        {"helper.h": f"#pragma once\nstatic AICORE void place({T16}& t) {{\n  TASSIGN(t, 4096);\n}}\n"}),
    "header helper copy-assigns a tile passed by reference": (
        '#include "helper.h"\n',
        f"  alias(b, c);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(b, b, b);\n",
        {"helper.h": f"#pragma once\nstatic AICORE void alias({T16}& t, {T16}& from) {{\n  t = from;\n}}\n"}),
    "header helper TRESHAPEs onto a tile passed by reference": (
        '#include "helper.h"\n',
        "  Tile<TileType::Vec, float, 1, 2048, BLayout::RowMajor, 1, 2048> flat;\n  TASSIGN(flat, 65536);\n"
        f"  view(flat, c);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(flat, flat, flat);\n",
        {"helper.h": "#pragma once\nstatic AICORE void view(Tile<TileType::Vec, float, 1, 2048, BLayout::RowMajor, 1, 2048>& t, "
                     f"{T16}& from) {{\n  TRESHAPE(t, from);\n}}\n"}),
    "header helper writes a struct member passed by reference": (
        'struct Place {\n  int64_t at;\n};\n#include "helper.h"\n',
        f"  Place p{{65536}};\n  offset(p.at);\n  {T16} d;\n  TASSIGN(d, p.at);\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n",
        {"helper.h": "#pragma once\nstatic AICORE void offset(int64_t& at) {\n  at = 4096;\n}\n"}),
    "header helper writes an array element passed by reference": (
        '#include "helper.h"\n',
        f"  int64_t at[1] = {{65536}};\n  offset(at[0]);\n  {T16} d;\n  TASSIGN(d, at[0]);\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n",
        {"helper.h": "#pragma once\nstatic AICORE void offset(int64_t& at) {\n  at = 4096;\n}\n"}),
    "header helper's argument assigns the address": (
        '#include "helper.h"\n',
        f"  int64_t at = 65536;\n  note(at = 4096);\n  {T16} d;\n  TASSIGN(d, at);\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n",
        {"helper.h": "#pragma once\nstatic AICORE void note(int64_t v) {\n}\n"}),
    "header helper's argument decrements the address": (
        '#include "helper.h"\n',
        f"  int64_t at = 4097;\n  note(--at);\n  {T16} d;\n  TASSIGN(d, at);\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n",
        {"helper.h": "#pragma once\nstatic AICORE void note(int64_t v) {\n}\n"}),
    "header helper's argument issues vector work": (
        '#include "helper.h"\n',
        f"  TADD(a, a, a);\n  {GUARD}\n  note((TMUL(c, c, c), 0));\n",
        {"helper.h": "#pragma once\nstatic AICORE void note(int64_t v) {\n}\n"}),
    "header helper writes a header variable the kernel reads": (
        '#include "helper.h"\n',
        f"  move_it();\n  {T16} d;\n  TASSIGN(d, g_off);\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n",
        {"helper.h": "#pragma once\nstatic int64_t g_off = 65536;\nstatic AICORE void move_it() {\n  g_off = 4096;\n}\n"}),
    "header helper keeps a tile's address that another header helper rebinds": (
        '#include "helper.h"\n',
        f"  hold(b);\n  move_held();\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(b, b, b);\n",
        {"helper.h": f"#pragma once\nstatic {T16}* g_held;\nstatic AICORE void hold({T16}& t) {{\n  g_held = &t;\n}}\n"
                     "static AICORE void move_held() {\n  TASSIGN(*g_held, 4096);\n}\n"}),
    "header helper keeps a scalar's address that another header helper writes": (
        '#include "helper.h"\n',
        f"  int64_t at = 65536;\n  hold(&at);\n  move_held();\n  {T16} d;\n  TASSIGN(d, at);\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n",
        {"helper.h": "#pragma once\nstatic int64_t* g_held;\nstatic AICORE void hold(int64_t* p) {\n  g_held = p;\n}\n"
                     "static AICORE void move_held() {\n  *g_held = 4096;\n}\n"}),
    "header helper keeps a scalar's address that the kernel's later write goes through": (
        '#include "helper.h"\n',
        f"  int64_t at = 65536;\n  hold(at);\n  *g_held = 4096;\n  {T16} d;\n  TASSIGN(d, at);\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n",
        {"helper.h": "#pragma once\nstatic int64_t* g_held;\nstatic AICORE void hold(int64_t& p) {\n  g_held = &p;\n}\n"}),
    "header defines a macro over a kernel constant besides its helper": (
        'constexpr int64_t OFF = 65536;\n#include "helper.h"\n',
        f"  note();\n  {T16} d;\n  TASSIGN(d, OFF);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n",
        {"helper.h": "#pragma once\n#define OFF 4096\nstatic AICORE void note() {\n}\n"}),
}


@pytest.mark.parametrize("name", sorted(CALL_CASES))
def test_call_is_modelled_by_everything_its_callee_may_do(tmp_path, name):
    helpers, body, headers = CALL_CASES[name]
    files = one_file(f"{helpers}{ENTRY} {{\n{TILES}{body}}}\n")
    files.update(headers)
    assert_guards_kept(tmp_path, files)


def test_a_helper_drain_and_the_callers_barrier_are_not_both_removed(tmp_path):
    # The helper's barrier has nothing before it in the helper, the caller's has the helper's
    # drain between it and the overlap: each looks redundant alone, not both.
    text = HEAD + ("static AICORE void sync_v() {\n  pipe_barrier(PIPE_V);  // HELPER\n}\n"
                   f"{ENTRY} {{\n{TILES}  TADD(a, a, a);\n  pipe_barrier(PIPE_V);  // CALLER\n  sync_v();\n  TMUL(c, c, c);\n}}\n")
    _, output = run_auto(tmp_path, {"k.cpp": text})
    lines = {tag: next(i for i, line in enumerate(text.splitlines(), 1) if tag in line) for tag in ("HELPER", "CALLER")}
    out_lines = output.splitlines()
    still_code = [out_lines[n - 1].lstrip().startswith("pipe_barrier(PIPE_V);") for n in lines.values()]
    assert any(still_code), output


@pytest.mark.parametrize("spelling, vector_header", [
    ('"helper.h"', "k_dir"),       # "..." looks beside the kernel first
    ("<helper.h>", "i_dir"),       # <...> looks in the -I directories only
])
def test_header_helper_is_read_from_the_header_the_compiler_finds(tmp_path, spelling, vector_header):
    # Two headers of one name: the one the compiler includes issues vector work on c, the other
    # does nothing. Reading the wrong one removes a needed barrier.
    vector = f"#pragma once\nstatic AICORE void scale({T16}& t) {{\n  TMUL(t, t, t);\n}}\n"
    empty = f"#pragma once\nstatic AICORE void scale({T16}& t) {{\n}}\n"
    kernel = HEAD + f"#include {spelling}\n{ENTRY} {{\n{TILES}  TADD(a, a, a);\n  {GUARD}\n  scale(c);\n}}\n"
    k_dir, i_dir = tmp_path / "k", tmp_path / "inc"
    write(k_dir, {"k.cpp": kernel, "helper.h": vector if vector_header == "k_dir" else empty})
    write(i_dir, {"helper.h": vector if vector_header == "i_dir" else empty})
    out, report = tmp_path / "out.cpp", tmp_path / "report.json"
    assert main(["run", "--pattern", "auto", "-q", "-I", str(i_dir), "--report", "json", "--report-file", str(report),
                 str(k_dir / "k.cpp"), "-o", str(out)]) == 0
    [line] = guard_lines(kernel)
    assert out.read_text().splitlines()[line - 1].lstrip().startswith("pipe_barrier(PIPE_V);")


@pytest.mark.parametrize("name", [
    "helper drains only on one path",
    "header helper TASSIGNs a tile passed by reference",
    "header helper's argument assigns the address",
    "header helper issues vector work under #if defined(__DAV_VEC__)",
    "header helper writes a caller variable through the caller's reference alias",
])
def test_helper_checked_with_the_guard_stripped_is_not_certified(tmp_path, name):
    helpers, body, headers = CALL_CASES[name]
    files = one_file(f"{helpers}{ENTRY} {{\n{TILES}{body}}}\n")
    files.update(headers)
    assert_check_does_not_certify(tmp_path, files)


# ------------------------------------------------------------------------------------------------
# Declarations, macros, class types, file scope.
# ------------------------------------------------------------------------------------------------

DECL_CASES: dict[str, tuple[str, str]] = {
    "conversion operator read through a pointer": (
        "struct Off {\n  int64_t v;\n  AICORE operator int64_t() const { return v - 61440; }\n};\n",
        f"  Off o{{65536}};\n  Off* p = &o;\n  int64_t at = *p;\n  {T16} d;\n  TASSIGN(d, at);\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "conversion operator of a class variable": (
        "struct Off {\n  int64_t v;\n  AICORE operator int64_t() const { return 4096; }\n};\n",
        f"  Off o{{65536}};\n  int64_t at = o;\n  {T16} d;\n  TASSIGN(d, at);\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "constructor of a class variable issues vector work": (
        f"struct Work {{\n  AICORE Work({T16}& t) {{\n    TMUL(t, t, t);\n  }}\n}};\n",
        f"  TADD(a, a, a);\n  {GUARD}\n  Work w(c);\n"),
    "destructor at the end of a block issues vector work": (
        f"struct Finish {{\n  {T16}& t;\n  AICORE Finish({T16}& s) : t(s) {{}}\n  AICORE ~Finish() {{\n    TMUL(t, t, t);\n  }}\n}};\n",
        f"  {{\n    Finish f(c);\n    TMUL(b, b, b);\n  }}\n  {GUARD}\n  TADD(a, a, a);\n"),
    "class variable with a default constructor that issues vector work": (
        f"static {T16} g_tile;\nstruct Work {{\n  AICORE Work() {{\n    TMUL(g_tile, g_tile, g_tile);\n  }}\n}};\n",
        f"  TASSIGN(g_tile, 4096);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  Work w;\n"),
    "aggregate with a default member initializer that issues vector work": (
        f"static {T16} g_tile;\nstatic AICORE int64_t touch() {{\n  TMUL(g_tile, g_tile, g_tile);\n  return 0;\n}}\n"
        "struct Agg {\n  int64_t v = touch();\n};\n",
        f"  TASSIGN(g_tile, 4096);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  Agg g;\n"),
    "macro that expands to a goto back-edge": (
        "#define AGAIN if (--n > 0) goto top\n",
        f"top:\n  {GUARD}\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  TMUL(c, c, c);\n  AGAIN;\n"),
    "macro that jumps past a barrier": (
        "#define SKIP_IF(cond) if (cond) goto out\n",
        f"  TADD(a, a, a);\n  SKIP_IF(n > 0);\n  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\nout:\n  {GUARD}\n  TMUL(c, c, c);\n"),
    "macro that expands to a loop": (
        "#define TWICE for (int i = 0; i < 2; ++i)\n",
        f"  TWICE {{\n    {GUARD}\n    TADD(a, a, a);\n    pipe_barrier(PIPE_V);\n    TMUL(c, c, c);\n  }}\n"),
    "macro that expands to vector work": (
        "#define FINISH(t) TMUL(t, t, t)\n",
        f"  TADD(a, a, a);\n  {GUARD}\n  FINISH(c);\n"),
    "macro that expands to a declaration with an address": (
        f"#define PLACE(t) {T16} t; TASSIGN(t, 4096)\n",
        f"  PLACE(d);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "object-like macro redefined between uses": (
        "#define OFF 65536\n",
        f"  {T16} d;\n#undef OFF\n#define OFF 4096\n  TASSIGN(d, OFF);\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "file-scope constant shadowed by a local": (
        "constexpr int64_t OFF = 65536;\n",
        f"  constexpr int64_t OFF = 4096;\n  {T16} d;\n  TASSIGN(d, OFF);\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "file-scope variable that is not const": (
        "static int64_t g_off = 65536;\nstatic AICORE void move() {\n  g_off = 4096;\n}\n",
        f"  move();\n  {T16} d;\n  TASSIGN(d, g_off);\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "file-scope constant in a namespace beside a global one": (
        "constexpr int64_t OFF = 65536;\nnamespace inner {\nconstexpr int64_t OFF = 4096;\n}\nusing namespace inner;\n",
        f"  {T16} d;\n  TASSIGN(d, inner::OFF);\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "file-scope alias of a wider tile": (
        "using TileF = Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128>;\n",
        f"  TileF d;\n  TASSIGN(d, 0x0);\n  {T16} e;\n  TASSIGN(e, 8192);\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(d, d, d);\n  {GUARD}\n  TMUL(e, e, e);\n"),
    "file-scope function named TADD": (
        # Read as pto's TADD it writes e and reads c, beside TEXP's read of a: no conflict. The
        # namespace's TADD writes its second argument c, which overlaps a: a WAR.
        f"namespace mine {{\nAICORE inline void TADD({T16}& d, {T16}& s, int64_t k) {{\n  TMUL(s, s, s);\n}}\n}}\n"
        "using namespace mine;\n",
        f"  {T16} e;\n  TASSIGN(e, 131072);\n  pipe_barrier(PIPE_ALL);\n  TEXP(b, a);\n  {GUARD}\n  TADD(e, c, n);\n"),
    "file-scope macro renames pipe_barrier": (
        "#define V_SYNC() pipe_barrier(PIPE_MTE2)\n",
        f"  TADD(a, a, a);\n  V_SYNC();\n  {GUARD}\n  TMUL(c, c, c);\n"),
    "file-scope macro redefines PIPE_V": (
        "",
        f"  TADD(a, a, a);\n#define PIPE_V PIPE_MTE2\n  pipe_barrier(PIPE_V);\n#undef PIPE_V\n  {GUARD}\n  TMUL(c, c, c);\n"),
    "TRESHAPE rebinds a placed tile onto an overlapping one": (
        "",
        "  Tile<TileType::Vec, float, 1, 2048, BLayout::RowMajor, 1, 2048> flat;\n  TASSIGN(flat, 65536);\n"
        f"  TRESHAPE(flat, c);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(flat, flat, flat);\n"),
    "TRESHAPE alias written after the original": (
        "",
        "  Tile<TileType::Vec, float, 1, 2048, BLayout::RowMajor, 1, 2048> flat;\n"
        f"  TRESHAPE(flat, c);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMULS(flat, flat, 2.0f);\n"),
    "tile declared in a branch still in flight after it": (
        "",
        f"  if (n > 0) {{\n    {T16} t;\n    TASSIGN(t, 4096);\n    TMUL(t, t, t);\n  }}\n  {GUARD}\n  TADD(a, a, a);\n"),
    "tile placed differently in two branches": (
        "",
        f"  {T16} d;\n  if (n > 0) {{\n    TASSIGN(d, 4096);\n  }} else {{\n    TASSIGN(d, 65536);\n  }}\n"
        f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "tile redeclared in an inner block": (
        "",
        f"  if (n > 0) {{\n    {T16} b;\n    TASSIGN(b, 4096);\n    TADD(a, a, a);\n    {GUARD}\n    TMUL(b, b, b);\n  }}\n"),
    "tile declared in a loop body reused across iterations": (
        "",
        f"  for (int64_t i = 0; i < n; ++i) {{\n    {GUARD}\n    {T16} t;\n    TASSIGN(t, 4096 * (i % 2));\n"
        "    TMUL(t, t, t);\n  }\n"),
    "static local tile keeps its binding across calls": (
        "",
        f"  static {T16} s;\n  if (n > 0) {{\n    TASSIGN(s, 4096);\n  }}\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(s, s, s);\n"),
    "structured binding of two tiles": (
        f"struct Pair {{\n  {T16} first;\n  {T16} second;\n}};\n",
        f"  Pair p;\n  TASSIGN(p.first, 0x0);\n  TASSIGN(p.second, 4096);\n  auto& [u, v] = p;\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(u, u, u);\n  {GUARD}\n  TMUL(v, v, v);\n"),
    "tile member of a struct": (
        f"struct Holder {{\n  {T16} t;\n}};\n",
        f"  Holder h;\n  TASSIGN(h.t, 4096);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(h.t, h.t, h.t);\n"),
    "tile array indexed at run time": (
        "",
        f"  {T16} arr[2];\n  TASSIGN(arr[0], 65536);\n  TASSIGN(arr[1], 4096);\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(arr[n & 1], arr[n & 1], arr[n & 1]);\n"),
    "address from sizeof of a local struct": (
        "struct Big {\n  float v[1024];\n};\n",
        f"  {T16} d;\n  TASSIGN(d, sizeof(Big));\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "address from sizeof of a shadowed float alias": (
        "using real = half;\n",
        f"  {T16} d;\n  TASSIGN(d, 16 * 128 * sizeof(real));\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "address from sizeof of a half tile element": (
        "",
        f"  {T16} d;\n  TASSIGN(d, 16 * 128 * sizeof(half));\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "address from sizeof of an expression": (
        "",
        f"  {T16} d;\n  int16_t small = 0;\n  TASSIGN(d, 2048 * sizeof(small));\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "address from sizeof of a pointer": (
        "",
        f"  {T16} d;\n  TASSIGN(d, 512 * sizeof(x));\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "local constexpr from a run-time value": (
        "",
        f"  const int64_t off = n;\n  {T16} d;\n  TASSIGN(d, off);\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "constexpr function computes the address": (
        "constexpr int64_t place_at(int64_t k) {\n  return k > 1 ? 4096 : 65536;\n}\n",
        f"  {T16} d;\n  TASSIGN(d, place_at(2));\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "enum constant with a shadowing value": (
        "enum Place : int64_t { FAR_AWAY = 65536, NEAR = 4096 };\n",
        f"  int64_t at = NEAR;\n  {T16} d;\n  TASSIGN(d, at);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "using-declaration brings a helper's tile type": (
        "namespace shapes {\nusing Wide = Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128>;\n}\n"
        "using shapes::Wide;\n",
        f"  Wide d;\n  TASSIGN(d, 0x0);\n  {T16} e;\n  TASSIGN(e, 8192);\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(d, d, d);\n  {GUARD}\n  TMUL(e, e, e);\n"),
    "object-like macro renames a tile": (
        "",
        f"#define b c\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(b, b, b);\n#undef b\n"),
    "function-like macro puts another tile in": (
        "#define SCALE(t) TMUL(c, c, c)\n",
        f"  TADD(a, a, a);\n  {GUARD}\n  SCALE(b);\n"),
    "object-like macro shadows a file-scope constant": (
        "static const int64_t OFF = 65536;\n#define OFF 4096\n",
        f"  {T16} d;\n  TASSIGN(d, OFF);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "file-scope constant array indexed": (
        "constexpr int64_t OFFS[2] = {65536, 4096};\n",
        f"  {T16} d;\n  TASSIGN(d, OFFS[1]);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "file-scope constant from a constexpr function": (
        "constexpr int64_t place_at(int64_t k) {\n  return k > 1 ? 4096 : 65536;\n}\nconstexpr int64_t OFF = place_at(2);\n",
        f"  {T16} d;\n  TASSIGN(d, OFF);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "file-scope variable template": (
        "template <int K>\nconstexpr int64_t OFF_AT = K * 4096;\n",
        f"  {T16} d;\n  TASSIGN(d, OFF_AT<1>);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "file-scope extern declaration": (
        "extern const int64_t OFF;\n",
        f"  {T16} d;\n  TASSIGN(d, OFF);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "file-scope constant defined twice under #if": (
        "#if defined(__DAV_C220_VEC__)\nconstexpr int64_t OFF = 4096;\n#else\nconstexpr int64_t OFF = 65536;\n#endif\n",
        f"  {T16} d;\n  TASSIGN(d, OFF);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "file-scope constant of a narrow type wraps": (
        "constexpr uint16_t OFF = 69632;\n",
        f"  {T16} d;\n  TASSIGN(d, OFF);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "class type with an assignment operator that issues vector work": (
        f"static {T16} g_tile;\nstruct Cell {{\n  int64_t v;\n  AICORE Cell& operator=(int64_t x) {{\n"
        "    TMUL(g_tile, g_tile, g_tile);\n    v = x;\n    return *this;\n  }\n};\n",
        f"  TASSIGN(g_tile, 4096);\n  Cell cell{{0}};\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  cell = 1;\n"),
    "pto class variable whose constructor argument writes the address": (
        "using GT = GlobalTensor<float, Shape<1, 1, 1, 16, 128>, Stride<1, 1, 1, 128, 1>>;\n",
        f"  int64_t at = 65536;\n  GT g((at = 4096, x));\n  {T16} d;\n  TASSIGN(d, at);\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "pto class variable declared between the ops": (
        "using GT = GlobalTensor<float, Shape<1, 1, 1, 16, 128>, Stride<1, 1, 1, 128, 1>>;\n",
        f"  TADD(a, a, a);\n  {GUARD}\n  GT g(x);\n  TMUL(c, c, c);\n"),
    "user class named like a pto type in the file's namespace": (
        f"namespace user {{\nstruct GlobalTensor {{\n  AICORE GlobalTensor({T16}& t) {{\n    TMUL(t, t, t);\n  }}\n}};\n}}\n",
        f"  TADD(a, a, a);\n  {GUARD}\n  user::GlobalTensor g(c);\n"),
    "auto variable from a call": (
        "static AICORE int64_t where(int64_t k) {\n  return k > 0 ? 4096 : 4096;\n}\n",
        f"  auto at = where(n);\n  {T16} d;\n  TASSIGN(d, at);\n  pipe_barrier(PIPE_ALL);\n"
        f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "tile declared in a switch case still in flight after it": (
        "",
        f"  switch (n) {{\n  case 1: {{\n    {T16} t;\n    TASSIGN(t, 4096);\n    TMUL(t, t, t);\n    break;\n  }}\n"
        f"  default:\n    break;\n  }}\n  {GUARD}\n  TADD(a, a, a);\n"),
    "tile declared in a loop still in flight after it": (
        "",
        f"  for (int64_t i = 0; i < n; ++i) {{\n    {T16} t;\n    TASSIGN(t, 4096);\n    TMUL(t, t, t);\n  }}\n"
        f"  {GUARD}\n  TADD(a, a, a);\n"),
    "tile declared in an if condition": (
        "",
        f"  if ({T16} t; n > 0) {{\n    TASSIGN(t, 4096);\n    TMUL(t, t, t);\n  }}\n  {GUARD}\n  TADD(a, a, a);\n"),
    "address from sizeof of a tile object": (
        "",
        f"  {T16} d;\n  TASSIGN(d, sizeof({T16}));\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "address from sizeof of a local tile alias": (
        "",
        f"  using TT = {T16};\n  TT d;\n  TASSIGN(d, 2 * sizeof(TT));\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "address from sizeof of a bfloat16_t": (
        "",
        f"  {T16} d;\n  TASSIGN(d, 2048 * sizeof(bfloat16_t));\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    # -- expression macros (`#define DIV_ROUNDUP(x, y) (((x) + (y) - 1) / (y))`) -------------
    "expression macro's argument is a macro that assigns the address": (
        "#define DIV_ROUNDUP(x, y) (((x) + (y) - 1) / (y))\n#define BUMP (at = 4096)\n",
        f"  int64_t at = 65536;\n  int64_t k = DIV_ROUNDUP(BUMP, 1);\n  {T16} d;\n  TASSIGN(d, at);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "expression macro's argument assigns the address in parentheses": (
        "#define DIV_ROUNDUP(x, y) (((x) + (y) - 1) / (y))\n",
        f"  int64_t at = 65536;\n  int64_t k = DIV_ROUNDUP((at = 4096), 1);\n  {T16} d;\n  TASSIGN(d, at);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "expression macro's argument holds a comma expression": (
        "#define DIV_ROUNDUP(x, y) (((x) + (y) - 1) / (y))\n",
        f"  int64_t at = 65536;\n  int64_t k = DIV_ROUNDUP((at -= 61440, 8), 1);\n  {T16} d;\n  TASSIGN(d, at);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "expression macro without parenthesized parameters gives the address": (
        "#define SCALE(x) (x * 16)\n",
        f"  {T16} d;\n  TASSIGN(d, SCALE(4096 + 0));\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "expression macro redefined by a later header": (
        '#define PLACE(x) ((x) + 65536)\n#include "place.h"\n',
        f"  {T16} d;\n  TASSIGN(d, PLACE(0));\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "expression macro name used as a constant's name": (
        "#define PLACE(x) ((x) + 65536)\nconstexpr int64_t PLACE = 4096;\n",
        f"  {T16} d;\n  TASSIGN(d, PLACE);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    # -- the file's structs of plain scalar members ----------------------------------------------
    "plain struct copy assignment carries a member": (
        "struct Place {\n  int64_t at;\n};\n",
        f"  Place s{{65536}};\n  Place t{{65536}};\n  t.at = 4096;\n  s = t;\n  {T16} d;\n  TASSIGN(d, s.at);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "plain struct member written through a pointer": (
        "struct Place {\n  int64_t at;\n};\n",
        f"  Place s{{65536}};\n  Place* p = &s;\n  p->at = 4096;\n  {T16} d;\n  TASSIGN(d, s.at);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "plain struct member written by a helper through a reference": (
        "struct Place {\n  int64_t at;\n};\nstatic AICORE void move(Place& p) {\n  p.at = 4096;\n}\n",
        f"  Place s{{65536}};\n  move(s);\n  {T16} d;\n  TASSIGN(d, s.at);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "plain struct narrow member wraps": (
        "struct Place {\n  uint16_t at;\n};\n",
        f"  Place s{{0}};\n  s.at = 69632;\n  {T16} d;\n  TASSIGN(d, s.at);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "plain struct bit-field wraps": (
        "struct Place {\n  uint32_t at : 16;\n};\n",
        f"  Place s{{0}};\n  s.at = 69632;\n  {T16} d;\n  TASSIGN(d, s.at);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "plain struct members declared together are read in order": (
        "struct Place {\n  int64_t far, near;\n};\n",
        f"  Place s{{65536, 4096}};\n  {T16} d;\n  TASSIGN(d, s.near);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "plain struct assigned from a braced list": (
        "struct Place {\n  int64_t at;\n};\n",
        f"  Place s{{65536}};\n  s = Place{{4096}};\n  {T16} d;\n  TASSIGN(d, s.at);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "plain struct with a default member initializer": (
        "struct Place {\n  int64_t far;\n  int64_t at = 4096;\n};\n",
        f"  Place s{{65536}};\n  {T16} d;\n  TASSIGN(d, s.at);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "plain struct shadowed by a local struct of the same name": (
        "struct Place {\n  int64_t at;\n};\n",
        f"  struct Place {{\n    uint16_t at;\n  }};\n  Place s{{0}};\n  s.at = 69632;\n  {T16} d;\n  TASSIGN(d, s.at);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "plain struct copy assignment carries a member (members assigned)": (
        "struct Place {\n  int64_t at;\n};\n",
        f"  Place s;\n  s.at = 65536;\n  Place t;\n  t.at = 4096;\n  s = t;\n  {T16} d;\n  TASSIGN(d, s.at);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "plain struct copy construction carries a member": (
        "struct Place {\n  int64_t at;\n};\n",
        f"  Place t;\n  t.at = 4096;\n  Place s = t;\n  {T16} d;\n  TASSIGN(d, s.at);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "plain struct member written through a pointer (members assigned)": (
        "struct Place {\n  int64_t at;\n};\n",
        f"  Place s;\n  s.at = 65536;\n  Place* p = &s;\n  p->at = 4096;\n  {T16} d;\n  TASSIGN(d, s.at);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "plain struct member written through a reference to the struct": (
        "struct Place {\n  int64_t at;\n};\n",
        f"  Place s;\n  s.at = 65536;\n  Place& r = s;\n  r.at = 4096;\n  {T16} d;\n  TASSIGN(d, s.at);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "plain struct member written through a reference to the member": (
        "struct Place {\n  int64_t at;\n};\n",
        f"  Place s;\n  s.at = 65536;\n  int64_t& r = s.at;\n  r = 4096;\n  {T16} d;\n  TASSIGN(d, s.at);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "plain struct member written by a helper (members assigned)": (
        "struct Place {\n  int64_t at;\n};\nstatic AICORE void move(Place& p) {\n  p.at = 4096;\n}\n",
        f"  Place s;\n  s.at = 65536;\n  move(s);\n  {T16} d;\n  TASSIGN(d, s.at);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "plain struct narrow member wraps (members assigned)": (
        "struct Place {\n  uint16_t at;\n};\n",
        f"  Place s;\n  s.at = 69632;\n  {T16} d;\n  TASSIGN(d, s.at);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "plain struct bit-field wraps (members assigned)": (
        "struct Place {\n  uint32_t at : 16;\n};\n",
        f"  Place s;\n  s.at = 69632;\n  {T16} d;\n  TASSIGN(d, s.at);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "plain struct member incremented": (
        "struct Place {\n  int64_t at;\n};\n",
        f"  Place s;\n  s.at = 4095;\n  s.at++;\n  {T16} d;\n  TASSIGN(d, s.at);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "plain struct member of a struct array": (
        "struct Place {\n  int64_t at;\n};\n",
        f"  Place s[2];\n  s[0].at = 65536;\n  s[1].at = 4096;\n  {T16} d;\n  TASSIGN(d, s[n & 1].at);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "plain struct member written in a loop": (
        "struct Place {\n  int64_t at;\n};\n",
        f"  Place s;\n  s.at = 65536;\n  for (int64_t i = 0; i < n; ++i) {{\n    s.at = 4096;\n  }}\n  {T16} d;\n  TASSIGN(d, s.at);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "two plain structs with a member of one name": (
        "struct Far {\n  int64_t at;\n};\nstruct Near {\n  int64_t at;\n};\n",
        f"  Far f;\n  f.at = 65536;\n  Near g;\n  g.at = 4096;\n  {T16} d;\n  TASSIGN(d, g.at);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "struct whose member's type is an alias of a class with a constructor": (
        f"static {T16} g_tile;\nstruct Work {{\n  AICORE Work() {{\n    TMUL(g_tile, g_tile, g_tile);\n  }}\n}};\nusing Count = Work;\nstruct Place {{\n  int64_t at;\n  Count c;\n}};\n",
        f"  TASSIGN(g_tile, 4096);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  Place p;\n"),
    "struct whose member's type is a macro for a class with a constructor": (
        f"static {T16} g_tile;\nstruct Work {{\n  AICORE Work() {{\n    TMUL(g_tile, g_tile, g_tile);\n  }}\n}};\n#define COUNT_T Work\nstruct Place {{\n  int64_t at;\n  COUNT_T c;\n}};\n",
        f"  TASSIGN(g_tile, 4096);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  Place p;\n"),
    "struct whose member array's element type has a constructor": (
        f"static {T16} g_tile;\nstruct Work {{\n  AICORE Work() {{\n    TMUL(g_tile, g_tile, g_tile);\n  }}\n}};\nstruct Place {{\n  int64_t at;\n  Work c[2];\n}};\n",
        f"  TASSIGN(g_tile, 4096);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  Place p;\n"),
    "struct deriving from a class with a constructor": (
        f"static {T16} g_tile;\nstruct Work {{\n  AICORE Work() {{\n    TMUL(g_tile, g_tile, g_tile);\n  }}\n}};\nstruct Place : Work {{\n  int64_t at;\n}};\n",
        f"  TASSIGN(g_tile, 4096);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  Place p;\n"),
    "struct whose member has a default initializer that issues vector work": (
        f"static {T16} g_tile;\nstatic AICORE int64_t touch() {{\n  TMUL(g_tile, g_tile, g_tile);\n  return 0;\n}}\n"
        "struct Place {\n  int64_t at = touch();\n};\n",
        f"  TASSIGN(g_tile, 4096);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  Place p;\n"),
    # -- #if groups around the guard or the ops (hand-written kernels wrap barriers in them) ---
    "guard inside the vector compile's #if group":
        ("", f"  TADD(a, a, a);\n#if defined(__DAV_C220_VEC__)\n  {GUARD}\n#endif\n  TMUL(c, c, c);\n"),
    "guards in both groups of an #if/#else":
        ("", f"  TADD(a, a, a);\n#if defined(__DAV_C220_VEC__)\n  {GUARD}\n#else\n  {GUARD}\n#endif\n  TMUL(c, c, c);\n"),
    "the later op inside an #if group":
        ("", f"  TADD(a, a, a);\n  {GUARD}\n#if defined(__DAV_C220_VEC__)\n  TMUL(c, c, c);\n#endif\n"),
    "a drain only in the cube compile's group":
        ("", f"  TADD(a, a, a);\n#if defined(__DAV_CUBE__)\n  pipe_barrier(PIPE_ALL);\n#endif\n  {GUARD}\n  TMUL(c, c, c);\n"),
    "a drain only under a macro the file never defines":
        ("", f"  TADD(a, a, a);\n#ifdef EXTRA_SYNC\n  pipe_barrier(PIPE_ALL);\n#endif\n  {GUARD}\n  TMUL(c, c, c);\n"),
    # -- several declarators in one declaration (`T a, b;`) ------------------------------------
    "several declarators: a later initializer assigns an earlier one": (
        "",
        f"  int64_t q = 65536, r = (q = 4096);\n  {T16} d;\n  TASSIGN(d, q);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "several declarators: a later initializer decrements an earlier one": (
        "",
        f"  int64_t q = 4097, r = --q;\n  {T16} d;\n  TASSIGN(d, q);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "several declarators: a pointer to an earlier one is written through": (
        "",
        f"  int64_t q = 65536, *p = &q;\n  *p = 4096;\n  {T16} d;\n  TASSIGN(d, q);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "several declarators: a reference to an earlier one is written through": (
        "",
        f"  int64_t q = 65536, &r = q;\n  r = 4096;\n  {T16} d;\n  TASSIGN(d, q);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "several declarators: direct initialization from an earlier one": (
        "",
        f"  int64_t q = 65536, r(q - 61440);\n  {T16} d;\n  TASSIGN(d, r);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "several declarators: a tile copied from an overlapping tile": (
        "",
        f"  {T16} d = c, e;\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "several declarators: tiles with commas in their type": (
        "",
        f"  {T16} d, e;\n  TASSIGN(e, 65536);\n  TASSIGN(d, 4096);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "several declarators: an initializer reads the outer name a later declarator hides": (
        "",
        f"  {T16} d;\n  int64_t off = 69632;\n  {{\n    int64_t at = off - 65536, off = 196608;\n    TASSIGN(d, at);\n  }}\n"
        + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "several declarators: an array beside a scalar": (
        "",
        f"  int64_t offs[2] = {{65536, 4096}}, k = 1;\n  {T16} d;\n  TASSIGN(d, offs[k]);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
    "several declarators under a macro type": (
        "#define OFF_T int64_t\n",
        f"  OFF_T q = 65536, r = 4096;\n  {T16} d;\n  TASSIGN(d, r);\n" + f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n"),
}


DECL_HEADERS = {
    "expression macro redefined by a later header": {"place.h": "#define PLACE(x) ((x) + 4096)\n"},
}


@pytest.mark.parametrize("name", sorted(DECL_CASES))
def test_declarations_macros_and_class_types_keep_what_they_may_hide(tmp_path, name):
    helpers, body = DECL_CASES[name]
    files = one_file(f"{helpers}{ENTRY} {{\n{TILES}{body}}}\n")
    files.update(DECL_HEADERS.get(name, {}))
    assert_guards_kept(tmp_path, files)


@pytest.mark.parametrize("name", [
    "destructor at the end of a block issues vector work",
    "conversion operator read through a pointer",
    "object-like macro renames a tile",
    "TRESHAPE rebinds a placed tile onto an overlapping one",
    "tile declared in a branch still in flight after it",
    "file-scope constant of a narrow type wraps",
])
def test_declaration_checked_with_the_guard_stripped_is_not_certified(tmp_path, name):
    helpers, body = DECL_CASES[name]
    assert_check_does_not_certify(tmp_path, one_file(f"{helpers}{ENTRY} {{\n{TILES}{body}}}\n"))


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
