"""Round 4 of adversarial kernels, against the relaxations that let `check` verify the real kernels
(issue 68): templates the file never instantiates (templates.never_instantiated), a header's
block-id accessor proven a scalar read (header_scalar_functions.py), local unions of plain scalars
(aggregate_init.local_aggregate), stores to the file's own integer variable
(FileContext.plain_integer_global) and a call isolated from a caller whose boundary is not clean
(races._isolated_call).

Each kernel is valid C++ (g++ -fsyntax-only against pto-isa's host cost-model build; skipped
without g++ or the checkout). The entry writes b (UB 65536), then `pipe_barrier(PIPE_V)`, then the
construct under test, then writes a (UB 0): the barrier is needed exactly when the construct may
write b. An adversarial construct hides such a write: its barrier (// GUARD) must stay under
`run --pattern auto`, and `check` must not exit 0. Its control, the same construct without the
hidden write, is verified (`check` exits 0) and its barrier (// FREE) goes.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from test_file_scope_classes import (
    ALIAS,
    HEAD,
    host_include,  # noqa: F401  (a fixture)
    marked_lines,
    run_auto,
)

from ptofix.cli import main

GUARD = "pipe_barrier(PIPE_V);  // GUARD"
FREE = "pipe_barrier(PIPE_V);  // FREE"
ENTRY = 'extern "C" __global__ AICORE void kernel_entry(__gm__ int64_t* args, int64_t n)'
SETUP = """  T16 a;
  TASSIGN(a, 0x0);
  T16 b;
  TASSIGN(b, 65536);
  pipe_barrier(PIPE_ALL);
"""
WRITES_B = "T16 w; TASSIGN(w, 65536); pto::TMUL(w, w, w);"
# A class whose conversion to bool, to an integer and assignment from one write b's bytes.
EVIL = f"""struct Evil {{
  int64_t v;
  AICORE operator bool() const {{ {WRITES_B} return v != 0; }}
  AICORE operator int32_t() const {{ {WRITES_B} return 1; }}
  AICORE Evil& operator=(int64_t x) {{ {WRITES_B} v = x; return *this; }}
}};
"""


def kernel(mark: str, stmt: str = "", defs: str = "", includes: str = "", entry: str = ENTRY) -> str:
    return (HEAD + includes + ALIAS + defs + f"{entry}\n{{\n{SETUP}  TADD(b, b, b);\n  {mark}\n{stmt}"
            "  TMUL(a, a, a);\n  pipe_barrier(PIPE_ALL);\n}\n")


def check_status(tmp_path: Path, text: str) -> tuple[int, str]:
    kernel_file = tmp_path / "k.cpp"
    kernel_file.write_text(text)
    report = tmp_path / "check.json"
    status = main(["check", "-q", "--report", "json", "--report-file", str(report), str(kernel_file)])
    return status, report.read_text()


def guard_kept(tmp_path: Path, text: str, include: list[str] | None) -> str:
    """The GUARD stays code with a reason, and check does not call the kernel verified."""
    by_line, output = run_auto(tmp_path, text, include)
    [line] = marked_lines(text, "// GUARD")
    assert output.splitlines()[line - 1].lstrip().startswith("pipe_barrier(PIPE_V);"), output
    assert by_line[line]["decision"] == "kept", by_line
    status, report = check_status(tmp_path, text)
    assert status in (1, 4), (status, report)
    return report


def free_removed(tmp_path: Path, text: str, include: list[str] | None) -> None:
    """The control: the FREE barrier goes and check verifies the kernel (exit 0)."""
    by_line, _ = run_auto(tmp_path, text, include)
    [line] = marked_lines(text, "// FREE")
    assert by_line[line]["decision"] == "removed", by_line
    status, report = check_status(tmp_path, text)
    assert status == 0, report


def with_header(tmp_path: Path, header: str, include: list[str] | None) -> list[str] | None:
    (tmp_path / "rt.h").write_text(header)
    return None if include is None else [*include, "-I", str(tmp_path)]


# -- templates the file never instantiates ---------------------------------------------------------
TEMPLATE = """template <typename P>
AICORE inline void lane_helper(P p) {
  if (p) { pipe_barrier(PIPE_ALL); }
}
"""


def test_control_a_template_never_instantiated_is_no_code(tmp_path, host_include):  # noqa: F811
    """Its parameter may be any class, but nothing instantiates it: nothing of it runs."""
    free_removed(tmp_path, kernel(FREE, defs=TEMPLATE), host_include)


def test_a_template_called_with_a_class_object_is_analysed(tmp_path, host_include):  # noqa: F811
    """Called (its argument deduced) with a class whose operator bool writes b: `if (p)` runs it."""
    report = guard_kept(tmp_path, kernel(GUARD, "  Evil e{1};\n  lane_helper(e);\n", EVIL + TEMPLATE), host_include)
    assert "lane_helper" in report


def test_a_template_called_through_a_pasted_name_is_analysed(tmp_path, host_include):  # noqa: F811
    """`CAT(lane_, helper)(e)` names it once in the text, pasted: its instantiation is not seen."""
    defs = EVIL + TEMPLATE + "#define CAT(x, y) x##y\n"
    report = guard_kept(tmp_path, kernel(GUARD, "  Evil e{1};\n  CAT(lane_, helper)(e);\n", defs), host_include)
    assert "lane_helper" in report


def test_an_explicit_specialization_called_keeps_the_guard(tmp_path, host_include):  # noqa: F811
    """`template <> void lane_helper<int>(int)` writes b, and the entry calls it."""
    defs = TEMPLATE + f"template <>\nAICORE inline void lane_helper<int>(int p) {{ {WRITES_B} }}\n"
    guard_kept(tmp_path, kernel(GUARD, "  lane_helper(3);\n", defs), host_include)


def test_a_template_a_header_calls_is_analysed(tmp_path, host_include):  # noqa: F811
    """A header's template calls it by argument-dependent lookup where the kernel instantiates the
    header's template: the kernel's text names it once, but it is instantiated."""
    header = "#pragma once\ntemplate <typename T> AICORE inline void relay(T t) { lane_helper(t); }\n"
    include = with_header(tmp_path, header, host_include)
    text = kernel(GUARD, "  Evil e{1};\n  relay(e);\n", EVIL + TEMPLATE, includes='#include "rt.h"\n')
    report = guard_kept(tmp_path, text, include)
    assert "lane_helper" in report


# -- a header's block-id accessor -----------------------------------------------------------------
def runtime_header(before: str = "", member: str = "int32_t block_idx;", body: str = "",
                   constant: str = "static constexpr int32_t LOCAL_INDEX = 48;", more: str = "") -> str:
    """A header as simpler's intrinsic.h defines `get_block_idx(args)`."""
    return f"""#pragma once
#include <stdint.h>
#ifndef __gm__
#define __gm__
#endif
#ifndef __aicore__
#define __aicore__
#endif
{before}
{constant}
struct LocalContext {{
    {member}
    int32_t block_num;
}};
static __aicore__ inline int32_t get_block_idx(__gm__ int64_t *args) {{
{body}    __gm__ LocalContext *ctx =
        reinterpret_cast<__gm__ LocalContext *>(static_cast<uint64_t>(args[LOCAL_INDEX]));
    return ctx->block_idx;
}}
{more}
"""


ACCESSOR = "  int32_t idx = get_block_idx(args);\n  (void)idx;\n"
INCLUDE = '#include "rt.h"\n'


def test_control_a_header_accessor_proven_a_scalar_read(tmp_path, host_include):  # noqa: F811
    include = with_header(tmp_path, runtime_header(), host_include)
    free_removed(tmp_path, kernel(FREE, ACCESSOR, includes=INCLUDE), include)


EVIL_INDEX = """using T16h = Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128>;
struct Idx {
  int32_t v;
  AICORE operator int32_t() const { T16h w; TASSIGN(w, 65536); pto::TMUL(w, w, w); return v; }
};
struct Slot {
  AICORE operator int64_t() const { T16h w; TASSIGN(w, 65536); pto::TMUL(w, w, w); return 48; }
};
"""

HEADER_CASES = {
    # The accessor's body issues vector work on b's bytes.
    "vector work in the body": runtime_header(
        before="using T16h = Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128>;",
        body="    T16h w; TASSIGN(w, 65536); pto::TMUL(w, w, w);\n"),
    # The member it returns is a class whose conversion to int32_t writes b.
    "a class-typed member with a conversion operator": runtime_header(before=EVIL_INDEX, member="Idx block_idx;"),
    # The subscript is a class object whose conversion to an integer writes b.
    "a class-typed constant": runtime_header(before=EVIL_INDEX, constant="static const Slot LOCAL_INDEX{};"),
    # A template of that name, which the call may choose.
    "an overload template": runtime_header(
        before=EVIL_INDEX, more="template <typename T> AICORE inline int32_t get_block_idx(T *args, int k = 0) "
                                "{ T16h w; TASSIGN(w, 65536); pto::TMUL(w, w, w); return k; }"),
}


@pytest.mark.parametrize("case", sorted(HEADER_CASES))
def test_a_header_accessor_not_proven_keeps_the_guard(tmp_path, host_include, case):  # noqa: F811
    include = with_header(tmp_path, HEADER_CASES[case], host_include)
    report = guard_kept(tmp_path, kernel(GUARD, ACCESSOR, includes=INCLUDE), include)
    assert "get_block_idx" in report


HIDDEN = f"AICORE inline int32_t hidden() {{ {WRITES_B} return 0; }}\n"


def test_a_kernel_macro_over_a_word_of_the_accessor_keeps_the_guard(tmp_path, host_include):  # noqa: F811
    """`#define static_cast hidden_cast` before the include: the accessor's cast calls a function
    template of the kernel that writes b."""
    include = with_header(tmp_path, runtime_header(), host_include)
    tile = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128>"
    cast = (f"template <typename T, typename U> AICORE inline T hidden_cast(U u) {{ {tile} w; TASSIGN(w, 65536); "
            "pto::TMUL(w, w, w); return (T)u; }\n#define static_cast hidden_cast\n")
    guard_kept(tmp_path, kernel(GUARD, ACCESSOR, includes=cast + INCLUDE), include)


def test_a_macro_redefining_the_accessor_keeps_the_guard(tmp_path, host_include):  # noqa: F811
    include = with_header(tmp_path, runtime_header(), host_include)
    text = kernel(GUARD, ACCESSOR, defs=HIDDEN + "#define get_block_idx(x) hidden()\n", includes=INCLUDE)
    guard_kept(tmp_path, text, include)


def test_the_file_s_own_accessor_is_its_function(tmp_path, host_include):  # noqa: F811
    """No header: the file defines get_block_idx(args) itself, writing b. The call is its function."""
    own = f"AICORE inline int32_t get_block_idx(__gm__ int64_t *p) {{ {WRITES_B} return 0; }}\n"
    guard_kept(tmp_path, kernel(GUARD, ACCESSOR, defs=own), host_include)


def test_a_local_shadowing_the_accessor_is_not_it(tmp_path, host_include):  # noqa: F811
    """A local object named get_block_idx, of a class whose call operator writes b."""
    defs = f"struct Caller {{ AICORE int32_t operator()(__gm__ int64_t *p) const {{ {WRITES_B} return 0; }} }};\n"
    stmt = "  Caller get_block_idx;\n" + ACCESSOR
    include = with_header(tmp_path, runtime_header(), host_include)
    guard_kept(tmp_path, kernel(GUARD, stmt, defs=defs, includes=INCLUDE), include)


# -- local unions of plain scalars ----------------------------------------------------------------
UNION = "  union {\n    uint64_t u64;\n    int64_t val;\n  } conv;\n  conv.u64 = n;\n  int64_t v = conv.val;\n  (void)v;\n"


def test_control_a_local_union_of_scalars(tmp_path, host_include):  # noqa: F811
    free_removed(tmp_path, kernel(FREE, UNION), host_include)


def test_a_union_member_of_a_locally_aliased_class_keeps_the_guard(tmp_path, host_include):  # noqa: F811
    """`using uint64_t = Evil;` in the function: the member is an Evil, its assignment writes b."""
    guard_kept(tmp_path, kernel(GUARD, "  using uint64_t = Evil;\n" + UNION, EVIL), host_include)


def test_a_union_with_a_member_function_stays_opaque(tmp_path, host_include):  # noqa: F811
    stmt = (f"  union {{\n    uint64_t u64;\n    int64_t val;\n    AICORE void f() {{ {WRITES_B} }}\n  }} conv;\n"
            "  conv.f();\n")
    guard_kept(tmp_path, kernel(GUARD, stmt), host_include)


# -- stores to the file's own integer variable ----------------------------------------------------
def test_control_a_store_to_a_block_local_integer(tmp_path, host_include):  # noqa: F811
    defs = "[[maybe_unused]] static int32_t lane;\n"
    free_removed(tmp_path, kernel(FREE, "  lane = 1;\n", defs), host_include)


def test_a_store_to_a_class_object_keeps_the_guard(tmp_path, host_include):  # noqa: F811
    guard_kept(tmp_path, kernel(GUARD, "  lane = 1;\n", EVIL + "static Evil lane;\n"), host_include)


def test_a_store_through_a_macro_named_variable_keeps_the_guard(tmp_path, host_include):  # noqa: F811
    """`lane` is a macro over a class object: the store assigns an Evil."""
    defs = EVIL + "static Evil evil_lane;\nstatic int32_t lane;\n#define lane evil_lane\n"
    guard_kept(tmp_path, kernel(GUARD, "  lane = 1;\n", defs), host_include)


# -- a call from a caller whose boundary is not clean ---------------------------------------------
PLAIN_ENTRY = 'extern "C" AICORE void kernel_entry(__gm__ int64_t* args, int64_t n)'


def helper(first: str) -> str:
    return (f"static AICORE inline void work()\n{{\n  T16 a;\n  TASSIGN(a, 0x0);\n  {first}\n"
            "  TADD(a, a, a);\n  pipe_barrier(PIPE_ALL);\n}\n")


def test_control_a_helper_called_from_a_plain_entry(tmp_path):
    """A function not declared `__global__` (simpler's `kernel_entry`) may start with work of
    another file in flight, which `check` does not judge (the same ops written in the entry itself
    are verified): its call of a function of the file whose work nothing of the caller can meet
    is verified as those ops are."""
    for body in ("  work();\n", "  T16 a;\n  TASSIGN(a, 0x0);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_ALL);\n"):
        text = HEAD + ALIAS + helper("") + f"{PLAIN_ENTRY}\n{{\n{body}}}\n"
        status, report = check_status(tmp_path, text)
        assert status == 0, (body, report)


@pytest.mark.parametrize("body", [
    # The caller's own TMUL of a's bytes may still run when the callee's TADD writes them.
    "  T16 a;\n  TASSIGN(a, 0x0);\n  TMUL(a, a, a);\n  work();\n",
    # After the call, the caller's TMUL may meet the callee's last TADD (no drain at its end).
    "  work();\n  T16 a;\n  TASSIGN(a, 0x0);\n  TMUL(a, a, a);\n",
    # In a loop: the callee's TADD of one iteration may meet the next one's.
    "  for (int64_t i = 0; i < n; ++i) {\n    work();\n  }\n",
])
def test_a_call_the_caller_s_work_may_meet_is_not_verified(tmp_path, body):
    callee = ("static AICORE inline void work()\n{\n  T16 a;\n  TASSIGN(a, 0x0);\n  TADD(a, a, a);\n}\n")
    text = HEAD + ALIAS + callee + f"{PLAIN_ENTRY}\n{{\n{body}}}\n"
    status, report = check_status(tmp_path, text)
    assert status in (1, 4), report


# -- where the note points ------------------------------------------------------------------------
def test_the_caret_is_on_the_call_that_is_not_modelled(tmp_path, capsys):
    """`int32_t idx = 3 + mystery(args);`: the note's column is the call's, not `int32_t`'s."""
    text = HEAD + ALIAS + f"{ENTRY}\n{{\n  T16 a;\n  TASSIGN(a, 0x0);\n  int32_t idx = 3 + mystery(args);\n" \
                          "  TADD(a, a, a);\n  pipe_barrier(PIPE_ALL);\n}\n"
    kernel_file = tmp_path / "k.cpp"
    kernel_file.write_text(text)
    assert main(["check", "--color", "never", str(kernel_file)]) == 4
    err = capsys.readouterr().err
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "mystery" in row)
    column = text.splitlines()[line - 1].index("mystery") + 1
    assert f"k.cpp:{line}:{column}: note: 'kernel_entry' is unverified: call to 'mystery'" in err, err
    assert f"{' ' * (column - 1)}^~~~~~~" in err, err


# -- braced initialisers of scalars ---------------------------------------------------------------
BRACED = "  int64_t k{n};\n  const int64_t m = {n + 1};\n  int64_t s = k + m;\n  (void)s;\n"


def test_control_braced_scalar_initialisers(tmp_path, host_include):  # noqa: F811
    free_removed(tmp_path, kernel(FREE, BRACED), host_include)


def test_a_braced_initialiser_of_a_locally_aliased_class_keeps_the_guard(tmp_path, host_include):  # noqa: F811
    """`using int64_t = Built;` in the function: `int64_t k{n};` runs Built's constructor, which
    writes b."""
    defs = f"struct Built {{\n  int64_t v;\n  AICORE Built(int64_t x) : v(x) {{ {WRITES_B} }}\n}};\n"
    guard_kept(tmp_path, kernel(GUARD, "  using int64_t = Built;\n  int64_t k{n};\n", defs), host_include)


@pytest.mark.parametrize("stmt", [
    "  int64_t k{hidden()};\n",                  # the element calls a function of the file writing b
    "  int64_t k = {n + hidden()};\n",
])
def test_a_braced_initialiser_with_a_call_keeps_the_guard(tmp_path, host_include, stmt):  # noqa: F811
    guard_kept(tmp_path, kernel(GUARD, stmt, HIDDEN), host_include)
