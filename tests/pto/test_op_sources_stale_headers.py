"""Op facts against a changed pto-isa checkout (issue #66 item 3, ptofix/pto/op_sources.py): a header an
op reaches through another is hashed, a header in a new directory that a quoted include finds first is
seen, and a declaration another header adds for an op's helper makes the op's facts stale.
"""
from __future__ import annotations

import pytest
from test_file_scope_classes import (
    host_include,  # noqa: F401  (a fixture)
)

# -- op facts against a changed pto-isa checkout (branch facts, issue #66 item 3) -----------------
FACTS_A2A3 = "include/pto/npu/a2a3/"


def _facts_tree():
    """(tree, recorded, TREE) of tests/pto/test_op_sources.py, TCOLMAX's implementation a template
    calling the function template ColReduce of another header (as pto-isa's ops are templates on
    their tile types, whose calls bind at the kernel's instantiation)."""
    pytest.importorskip("ptofix.pto.op_sources")
    from test_op_sources import TREE, recorded, tree
    files = {**TREE,
              FACTS_A2A3 + "TColMax.hpp": "#include \"TColReduceOps.hpp\"\n"
                                         "template <typename T> void TCOLMAX_IMPL(T t) {\n  ColReduce(t);\n}\n",
             FACTS_A2A3 + "TColReduceOps.hpp": "template <typename T> void ColReduce(T x) {\n  pipe_barrier(PIPE_V);\n}\n"}
    return tree, recorded, files


def _stale_after(tmp_path, change: dict[str, str]) -> dict[str, str]:
    tree, recorded, files = _facts_tree()
    from ptofix.pto.op_sources import stale_ops
    table = recorded(tree(tmp_path / "old", files))
    return stale_ops(table, str(tree(tmp_path / "new", {**files, **change})))


def test_facts_a_header_an_op_reaches_through_another_is_hashed(tmp_path):
    """A macro header that TCOLMAX's helper header includes: changing it makes TCOLMAX stale."""
    pytest.importorskip("ptofix.pto.op_sources")
    from test_op_sources import TREE, recorded, tree

    from ptofix.pto.op_sources import stale_ops
    reduce = FACTS_A2A3 + "TColReduceOps.hpp"
    files = {**TREE, reduce: "#include \"RMacros.hpp\"\n" + TREE[reduce],
             FACTS_A2A3 + "RMacros.hpp": "#define REDUCE_BARRIER 1\n"}
    table = recorded(tree(tmp_path / "old", files))
    changed = {**files, FACTS_A2A3 + "RMacros.hpp": "#define REDUCE_BARRIER 0\n"}
    stale = stale_ops(table, str(tree(tmp_path / "new", changed)))
    assert "TCOLMAX" in stale and "RMacros.hpp" in stale["TCOLMAX"], stale


def test_facts_a_header_in_a_new_directory_a_quoted_include_finds_first_is_seen(tmp_path):
    """The umbrella's `#include "pto/npu/a2a3/TColMax.hpp"` finds include/pto/common/pto/npu/a2a3/
    TColMax.hpp first (its own directory before -I): a checkout adding it changes TCOLMAX."""
    stale = _stale_after(tmp_path, {"include/pto/common/pto/npu/a2a3/TColMax.hpp":
                                    "template <typename T> void TCOLMAX_IMPL(T t) {\n}\n"})
    assert "TCOLMAX" in stale, stale


# Each adds to TSort32.hpp (TSORT32's header, TSORT32 goes stale) a declaration that TCOLMAX's call
# `ColReduce(t)` binds to at the kernel's instantiation, dropping the barrier TCOLMAX's facts were
# read with. op_sources' _DECLARED does not read it as declaring ColReduce: stale_ops makes every
# op stale when any header of the a2a3 build changes.
FACTS_HIDDEN = {
    # An explicit specialisation (valid after the template's use, before its instantiation).
    "an explicit specialisation": "template <> void ColReduce<float>(float x) {\n}\n",
    # An overload with a trailing return type (found by argument-dependent lookup on pto's tiles).
    "a trailing return type": "template <typename T> auto ColReduce(T *x) -> void {\n}\n",
    # An overload whose default argument holds braces.
    "a braced default argument": "template <typename T> void ColReduce(T *x, int y = {}) {\n}\n",
}


@pytest.mark.parametrize("case", sorted(FACTS_HIDDEN))
def test_facts_a_declaration_another_header_adds_for_an_op_s_helper(tmp_path, case):
    _facts_tree()
    from test_op_sources import TREE
    stale = _stale_after(tmp_path, {FACTS_A2A3 + "TSort32.hpp": TREE[FACTS_A2A3 + "TSort32.hpp"] + FACTS_HIDDEN[case]})
    assert "TCOLMAX" in stale, stale
