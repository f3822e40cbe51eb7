"""Names ptoas declares inside a kernel, read for what they are.

Each kernel has `TADD(a, a, a)` on `a` at UB [0, 8192) and `TMUL(b, b, b)` on `b` at 65536 around
one `pipe_barrier(PIPE_V)`, with the statements under test between the first op and the barrier:
read as what they are (no UB access, no code), the barrier goes; read as unknown, it stays. Each
near miss differs in the one thing that makes the statement something else.
"""
from __future__ import annotations

import pytest

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText

TILE = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"


def _kernel(between: str, file_scope: str = "") -> str:
    return (f"#include \"pto/pto-inst.hpp\"\nusing namespace pto;\n{file_scope}"
            f"__global__ AICORE void k(__gm__ float* x) {{\n  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} b;\n"
            f"  TASSIGN(b, 65536);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n{between}"
            "  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n}\n")


def _decisions(src: str) -> list:
    return [d for d in BarrierAnalysis(parse_cpp(SourceText(src, "names.cpp"))).run({"auto"}) if not d.unread]


# ptoas's GlobalTensor set-up: local aliases of pto's Shape, Stride and GlobalTensor, each value
# constructed through its alias.
GLOBAL_TENSOR = """  using GTShape_94786351825408 = pto::Shape<1, 1, 1, 16, 128>;
  using GTStride_94786351825408 = pto::Stride<2048, 2048, 2048, 128, 1>;
  constexpr pto::Layout GT_94786351825408_layout = pto::Layout::ND;
  GTShape_94786351825408 v12 = GTShape_94786351825408();
  GTStride_94786351825408 v13 = GTStride_94786351825408();
  using GT_94786351825408 = GlobalTensor<float, GTShape_94786351825408, GTStride_94786351825408, GT_94786351825408_layout>;
  GT_94786351825408 v14 = GT_94786351825408(x, v12, v13);
"""


def test_values_constructed_through_local_aliases_of_pto_types_are_read():
    decisions = _decisions(_kernel(GLOBAL_TENSOR))
    assert [d.removed for d in decisions] == [True], decisions[0].reason


@pytest.mark.parametrize(("between", "why"), [
    # A pto type the model does not know as plain data (its constructor is not looked at).
    ("  using Q_1 = pto::comm::ParallelGroup<int>;\n  Q_1 q = Q_1();\n", "'Q_1' is a local type here"),
    # A pointer alias: nothing of pto's is constructed.
    ("  using P_1 = float*;\n  P_1 p = P_1();\n", "'P_1' is a local type here"),
])
def test_near_misses_of_local_aliases_stay_unknown(between, why):
    decisions = _decisions(_kernel(between))
    assert decisions and not any(d.removed for d in decisions)
    assert why in decisions[0].reason, decisions[0].reason


# A PyPTO kernel's namespace: ptoas's tail helper takes the file's scoped enumeration. The call's
# argument-dependent lookup adds the built-in functions of that name, of which there are none.
NAMESPACED = """#include "pto/pto-inst.hpp"
namespace app {{
using namespace pto;
enum class TailMode : int {{ kBarrierAll = 0, kPipeV = 1 }};
static AICORE inline void {helper}(TailMode mode) {{
}}
__global__ AICORE void k() {{
  {tile} a;
  TASSIGN(a, 0);
  {tile} b;
  TASSIGN(b, 65536);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  {helper}({argument});
  pipe_barrier(PIPE_V);
  TMUL(b, b, b);
}}
}}
"""


def test_a_namespaced_helper_no_toolchain_declares_is_the_file_s_own():
    src = NAMESPACED.format(helper="ptoas_auto_sync_tail", argument="TailMode::kBarrierAll", tile=TILE)
    decisions = [d for d in _decisions(src) if d.fn.name == "k"]
    assert [d.removed for d in decisions] == [True], decisions[0].reason


@pytest.mark.parametrize("helper", ["vrec", "copy_ubuf_to_gm"])
def test_a_namespaced_helper_named_like_a_builtin_may_be_the_builtin(helper):
    # A global enumeration's value (CCE's pipe_t) brings the built-in of that name into the call.
    src = NAMESPACED.format(helper=helper, argument="PIPE_V", tile=TILE)
    decisions = [d for d in _decisions(src) if d.fn.name == "k"]
    assert decisions and not any(d.removed for d in decisions)
    assert "argument-dependent lookup" in decisions[0].reason, decisions[0].reason


def test_a_parameter_of_pto_s_executed_count_list_runs_no_code():
    src = _kernel("").replace("void k(__gm__ float* x)", "void k(pto::MrgSortExecutedNumList x)")
    assert [d.removed for d in _decisions(src)] == [True]
    # A class of the file passed by value: its destructor runs as the function returns.
    other = ("struct Guard { ~Guard(); };\n" + _kernel("")).replace("void k(__gm__ float* x)", "void k(Guard x)")
    assert not any(d.removed for d in _decisions(other))


# Statements the grammar does not read declare only their declarators: ptoas's braced aggregate
# initialisation names `pto::` in its type and initializer without declaring `pto`.
@pytest.mark.parametrize(("statement", "declares"), [
    ("pto::MrgSortExecutedNumList v4 = pto::MrgSortExecutedNumList{128, 64, 0, 0};", {"v4"}),
    ("GlobalTensor<float, pto::Shape<1, 1, 1, 1, 128>, pto::Stride<128, 128, 128, 128, 1>, pto::Layout::ND> "
     "v30[3] = {};", {"v30"}),
    ("T x{1}, *pto{2};", {"x", "pto"}),
    ("A<1, pto> q = {};", {"q", "pto"}),        # (a comma inside template arguments: conservatively)
    ("int a = 1, (pto) = 2;", {"a", "pto"}),
    ('T x = "a\\"(", pto = 1;', {"x", "pto"}),     # (a bracket inside a string is no structure)
    ("char c = '{', pto = 1;", {"c", "pto"}),
    ("int a = 1, *[[maybe_unused]] pto;", None),
    ("struct pto {} x{};", None),
    ("auto [pto, b] = arr;", None),
    ("int (pto) = 1;", None),
    ("[[block_local]] int x{};", None),
])
def test_what_an_unread_statement_may_declare(statement, declares):
    from ptofix.cpp.statement_forms import maybe_declared_names
    assert maybe_declared_names(statement) == declares


def test_an_unread_braced_declaration_leaves_pto_s_names_pto_s():
    between = "  pto::MrgSortExecutedNumList v4 = pto::MrgSortExecutedNumList{128, 64, 0, 0};\n"
    decisions = _decisions(_kernel(between))
    # ptoas's aggregate initializer is read as the same initialization with parentheses
    # (cpp/aggregate_init.py): it declares v4 only, so the disjoint TADD/TMUL pair lets B go.
    assert decisions and decisions[0].removed, decisions[0].reason if decisions else None
    assert "'pto' may be declared" not in decisions[0].reason
    shadowing = _decisions(_kernel("  float x{1}, *pto{nullptr};\n"))
    assert "'pto' may be declared" in shadowing[0].reason, shadowing[0].reason
