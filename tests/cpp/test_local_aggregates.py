"""Local unions of plain scalars and braced initialisers (ptofix/cpp/aggregate_init.py, issue 68): read
as the scalars they are, and adversaries that hide a write of b behind them (a locally aliased class,
a member function, a call in the initialiser, a member type renamed by a namespace alias).

Kernels as tests/cpp/test_check_relaxations.py builds them.
"""
from __future__ import annotations

import pytest
from test_check_relaxations import (
    ENTRY,
    EVIL,
    FREE,
    GUARD,
    WRITES_B,
    free_removed,
    guard_kept,
    kernel,
    with_header,
)
from test_file_scope_classes import (
    host_include,  # noqa: F401  (a fixture)
)
from test_header_scalar_functions import HIDDEN, INCLUDE, PRE, TILE

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


# -- local unions and integer globals in a namespace whose alias renames a member's type ----------
UNION_STMT = "  union {\n    uint64_t u64;\n    int64_t val;\n  } conv;\n  conv.u64 = n;\n  int64_t v = conv.val;\n  (void)v;\n"
EVIL_HEADER = ("#pragma once\n" + PRE + EVIL.replace("AICORE", "__aicore__").replace("T16 w", f"{TILE} w"))


def in_namespace(text: str, alias: str) -> str:
    """The kernel's entry (extern "C", so still the kernel) inside `namespace q { alias ... }`."""
    return text.replace(ENTRY, f"namespace q {{\n{alias}\n{ENTRY}") + "}\n"


def test_control_a_local_union_in_a_namespace(tmp_path, host_include):  # noqa: F811
    free_removed(tmp_path, in_namespace(kernel(FREE, UNION_STMT), ""), host_include)


@pytest.mark.parametrize("where", ["kernel", "header"])
def test_a_union_member_renamed_by_a_namespace_alias_keeps_the_guard(tmp_path, host_include, where):  # noqa: F811
    """`namespace q { using uint64_t = Evil; ... conv.u64 = n; }`: the member is an Evil (the class in
    the kernel or in a header), its assignment writes b."""
    if where == "kernel":
        guard_kept(tmp_path, in_namespace(kernel(GUARD, UNION_STMT, EVIL), "using uint64_t = Evil;"), host_include)
    else:
        include = with_header(tmp_path, EVIL_HEADER, host_include)
        text = in_namespace(kernel(GUARD, UNION_STMT, includes=INCLUDE), "using uint64_t = Evil;")
        guard_kept(tmp_path, text, include)


UNION_DECL = "  union {\n    uint64_t u64;\n    int64_t val;\n  } conv;\n"
UNION_VALUE_CASES = {
    # The member read is the other member's stored value (b's address), not the earlier 0.
    "one member written, the other read": UNION_DECL + "  conv.val = 0;\n  conv.u64 = 65536;\n  T16 w;\n"
                                                       "  TASSIGN(w, conv.val);\n  TMUL(w, w, w);\n",
    "read before any write": UNION_DECL + "  T16 w;\n  TASSIGN(w, conv.val);\n  TMUL(w, w, w);\n",
    # A pointer member stored through: the store may write anything.
    "a pointer member stored through": "  struct {\n    int64_t *p;\n  } s;\n  s.p = args;\n  s.p[0] = 65536;\n"
                                       "  T16 w;\n  TASSIGN(w, args[0]);\n  TMUL(w, w, w);\n",
}


@pytest.mark.parametrize("case", sorted(UNION_VALUE_CASES))
def test_a_local_union_s_value_is_not_assumed(tmp_path, host_include, case):  # noqa: F811
    guard_kept(tmp_path, kernel(GUARD, UNION_VALUE_CASES[case]), host_include)
