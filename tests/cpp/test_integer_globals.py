"""Stores to the file's own integer variables (FileContext.plain_integer_global, issue 68): a store to a
block-local integer is a plain store; a store to a class object, through a macro-named variable, to a
global later read as an address or a size, or renamed by a namespace alias keeps the guard.

Kernels as tests/cpp/test_check_relaxations.py builds them.
"""
from __future__ import annotations

import pytest
from test_check_relaxations import (
    EVIL,
    FREE,
    GUARD,
    free_removed,
    guard_kept,
    kernel,
    with_header,
)
from test_file_scope_classes import (
    host_include,  # noqa: F401  (a fixture)
)
from test_header_scalar_functions import INCLUDE
from test_local_aggregates import EVIL_HEADER, in_namespace


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


# -- integer globals: written, then read as an address or a size; not plain integers -------------
GLOBAL_CASES = {
    # The stored value is what TASSIGN reads: w is b (not the initializer's 0, a).
    "an address written then read": ("  lane = 65536;\n  T16 w;\n  TASSIGN(w, lane);\n  TMUL(w, w, w);\n",
                                     "static int64_t lane = 0;\n"),
    "an address written by a helper": ("  set_lane();\n  T16 w;\n  TASSIGN(w, lane);\n  TMUL(w, w, w);\n",
                                       "static int64_t lane = 0;\nAICORE inline void set_lane() { lane = 65536; }\n"),
    "a size written then read": ("  rows = 0;\n  T16 w;\n  TASSIGN(w, 65536 - 4096 * rows);\n  TMUL(w, w, w);\n",
                                 "static int64_t rows = 16;\n"),
    "a reference to a class object": ("  lane = 1;\n", EVIL + "static Evil evil_obj{0};\nstatic Evil& lane = evil_obj;\n"),
    "a typedef of a class": ("  lane = 1;\n", EVIL + "typedef Evil int_t;\nstatic int_t lane;\n"),
    "a decltype of a class object": ("  lane = 1;\n", EVIL + "static Evil evil_obj{0};\nstatic decltype(evil_obj) lane;\n"),
    "an auto class object": ("  lane = 1;\n", EVIL + "static auto lane = Evil{0};\n"),
}


@pytest.mark.parametrize("case", sorted(GLOBAL_CASES))
def test_a_global_store_that_may_reach_b_keeps_the_guard(tmp_path, host_include, case):  # noqa: F811
    stmt, defs = GLOBAL_CASES[case]
    guard_kept(tmp_path, kernel(GUARD, stmt, defs), host_include)


def test_a_global_integer_renamed_by_a_namespace_alias_keeps_the_guard(tmp_path, host_include):  # noqa: F811
    include = with_header(tmp_path, EVIL_HEADER, host_include)
    text = in_namespace(kernel(GUARD, "  lane = 1;\n", includes=INCLUDE), "using int32_t = Evil;\nstatic int32_t lane;")
    guard_kept(tmp_path, text, include)
