"""Causes that left whole kernels unmodelled, fixed at their roots, each with adversaries built to
break the fix: a kernel whose read of the construct is too generous would lose a barrier it needs.

Kernels: `TADD(x, x, x)` then a barrier then `TADD(z, y, y)` on disjoint tiles (the barrier goes
when the file is modelled); the adversaries keep the construct but make it really change code.
"""
from __future__ import annotations

import pytest

from ptofix.compile_env import CompileEnvironment
from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.headers import _read_header
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText

KERNEL = """#include "kdefs.h"
#include <pto/pto-inst.hpp>
using namespace pto;
__global__ AICORE void k(__gm__ float* a) {
  using T = Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64>;
  T x; T y; T z;
  TASSIGN(x, 0x0); TASSIGN(y, 0x1000); TASSIGN(z, 0x2000);
  TADD(x, x, x);
  pipe_barrier(PIPE_V);
  TADD(z, y, y);
}
"""


def removed_with_header(tmp_path, header: str) -> list[bool]:
    (tmp_path / "kdefs.h").write_text(header, encoding="utf-8")
    path = tmp_path / "k.cpp"
    model = parse_cpp(SourceText(KERNEL, str(path)))
    return [d.removed for d in BarrierAnalysis(model).run({"auto"}) if not d.unread]


# -- a pp-number's suffix is no name -----------------------------------------------------------------
def test_a_macro_bodys_integer_suffix_is_no_name():
    facts = _read_header("#define BLK 4096u\n#define BLK2 (BLK * 2UL + 0x1Fu + 1e5f)\n#define W u\n", "x.h")
    assert facts.expansion_words == {"BLK": set(), "BLK2": {"BLK"}, "W": {"u"}}


@pytest.mark.parametrize("body, goes", [
    ("4096u", True),                 # the control: a literal names nothing
    ("(0x1000UL * 2ull)", True),
    ("u", False),                    # a real name `u`, which pto's code writes
    ("4096u + u", False),
    ("(u)", False),
])
def test_a_header_macro_used_at_namespace_scope(tmp_path, body, goes):
    header = f"#pragma once\n#define KTILE_BYTES {body}\nstatic constexpr unsigned kBytes = KTILE_BYTES;\n"
    assert removed_with_header(tmp_path, header) == [goes], body


# -- a kernel's own get_subblockid() bridged to a constant ------------------------------------------
LANE_KERNEL = """{before}#include <pto/pto-inst.hpp>
using namespace pto;
__global__ AICORE void k(__gm__ float* a) {{
  using T = Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64>;
  T x; T y; T z;
  TASSIGN(x, 0x0); TASSIGN(y, 0x1000); TASSIGN(z, 0x2000);
  TADD(x, x, x);
  pipe_barrier(PIPE_V);
  TADD(z, y, y);
}}
"""


@pytest.mark.parametrize("before, bridged", [
    # PyPTO's split-specialized AIV wrapper: the controls.
    ("#define PYPTO_FIXED_SUBBLOCK_ID 1\n#define get_subblockid() PYPTO_FIXED_SUBBLOCK_ID\n", True),
    ("#if !defined(__CPU_SIM)\n#define PYPTO_FIXED_SUBBLOCK_ID 0\n#define get_subblockid() PYPTO_FIXED_SUBBLOCK_ID\n"
     "#endif\n", True),
    ("#define get_subblockid() 1u\n", True),
    ("#define get_subblockid() KLANE\n#define KLANE 1\n", True),         # defined after it, before pto's
    # Adversaries: anything but one integer constant stays unknown.
    ("#define get_subblockid() 1.0\n", False),                               # no integer
    ("#define KLANE read_lane()\n#define get_subblockid() KLANE\n", False),       # a call behind the macro
    ("#define KLANE(x) 1\n#define get_subblockid() KLANE\n", False),              # function-like
    ("#define KLANE 1\n#undef KLANE\n#define get_subblockid() KLANE\n", False),      # undefined again
    ("#ifdef A\n#define KLANE 0\n#else\n#define KLANE 1\n#endif\n#define get_subblockid() KLANE\n", False),   # two definitions
    ("#define KLANE (1)\n#define get_subblockid() KLANE\n", False),               # more than one token
    ("#define KLANE OTHER\n#define OTHER 1\n#define get_subblockid() KLANE\n", False),   # a chain of two
    ("#define KLANE 1\n#define get_subblockid() KLANE\n#undef get_subblockid\n#define get_subblockid() 0\n", False),
    ("#define subblockId 1\n#define get_subblockid() subblockId\n", False),   # a name pto writes
    ("#define KLANE 1\n#define get_subblockid(x) KLANE\n", False),                # a parameter
    ("static int32_t KLANE;\n#define get_subblockid() KLANE\n#include <pto/pto-inst.hpp>\n#define KLANE 1\n",
     False),                                                                       # a variable there
])
def test_the_lane_id_bridged_to_a_constant_before_pto(tmp_path, before, bridged):
    path = tmp_path / "k.cpp"
    model = parse_cpp(SourceText(LANE_KERNEL.format(before=before), str(path)))
    decisions = [d for d in BarrierAnalysis(model).run({"auto"}) if not d.unread]
    assert [d.removed for d in decisions] == [bridged], [d.reason for d in decisions]


def test_the_lane_id_constant_with_a_command_line_macro(tmp_path):
    before = "#define get_subblockid() KLANE\n#define KLANE 1\n"
    path = tmp_path / "k.cpp"
    model = parse_cpp(SourceText(LANE_KERNEL.format(before=before), str(path)), CompileEnvironment(macro_flags=("-UKLANE",)))
    assert [d.removed for d in BarrierAnalysis(model).run({"auto"}) if not d.unread] == [False]
    model = parse_cpp(SourceText(LANE_KERNEL.format(before=before), str(path)))
    assert [d.removed for d in BarrierAnalysis(model).run({"auto"}) if not d.unread] == [True]


def test_a_header_not_found_is_named_once_with_how_to_supply_it(tmp_path, capsys):
    from ptofix.cli import main
    two = LANE_KERNEL.format(before='#include "acl/acl.h"\n')
    two += LANE_KERNEL.format(before="").split("using namespace pto;\n", 1)[1].replace("void k(", "void k2(", 1)
    path = tmp_path / "k.cpp"
    path.write_text(two, encoding="utf-8")
    assert main(["run", "--pattern", "auto", str(path), "-o", str(tmp_path / "out.cpp")]) == 0
    err = capsys.readouterr().err
    assert err.count("header 'acl/acl.h' not found") == 1, err
    assert "2 barrier(s) are kept: give its directory with -I DIR" in err
    # Supplied, it is read (an empty header here): the barriers go.
    (tmp_path / "inc" / "acl").mkdir(parents=True)
    (tmp_path / "inc" / "acl" / "acl.h").write_text("#pragma once\n", encoding="utf-8")
    assert main(["run", "--pattern", "auto", "-I", str(tmp_path / "inc"), str(path), "-o", str(tmp_path / "o.cpp")]) == 0
    assert "not found" not in capsys.readouterr().err
    assert (tmp_path / "o.cpp").read_text(encoding="utf-8").count("removed pipe_barrier") == 2


# -- a function template's type parameter named like pto's type is that template's -----------------
HELPER_AND_KERNEL = """#include <pto/pto-inst.hpp>
using namespace pto;
{helper}
__global__ AICORE void k(__gm__ float* a) {{
  using T = Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64>;
  T x; T y; T z;
  TASSIGN(x, 0x0); TASSIGN(y, 0x1000); TASSIGN(z, 0x2000);
  TADD(x, x, x);
  pipe_barrier(PIPE_V);
  TADD(z, y, y);
}}
"""
TEMPLATE_HELPER = """template <typename Global, typename Tile>
AICORE void store_after(Global& g, Tile& t) {
  TADD(t, t, t);
  pipe_barrier(PIPE_V);
  TSTORE(g, t);
}"""


def decisions_by_function(text: str) -> dict[str, list[bool]]:
    model = parse_cpp(SourceText(text, "k.cpp"))
    out: dict[str, list[bool]] = {}
    for d in BarrierAnalysis(model).run({"auto"}):
        if not d.unread:
            out.setdefault(d.fn.name, []).append(d.removed)
    return out


def test_a_template_parameter_named_tile_unmodels_its_template_only():
    found = decisions_by_function(HELPER_AND_KERNEL.format(helper=TEMPLATE_HELPER))
    assert found == {"store_after": [False], "k": [True]}
    # The kernel calling it across its barrier: the call is unknown work, the barrier stays.
    calling = HELPER_AND_KERNEL.format(helper=TEMPLATE_HELPER).replace(
        "  TADD(z, y, y);\n", "  store_after(a, y);\n  TADD(z, y, y);\n")
    assert decisions_by_function(calling)["k"] == [False]


@pytest.mark.parametrize("helper", [
    # Not a function template's head: the name may be the file's (a class template's member, a
    # prototype whose definition the model does not read, a dependent name in a body).
    "template <typename Tile> struct Holder { Tile t; };",
    "template <typename Tile> AICORE void later(Tile& t);",
    "AICORE void f() {\n  typename Tile::X* p = nullptr;\n}",
    # A second head (a member template) and a head the model does not split are not read.
    "template <typename A> template <typename Tile> AICORE void Outer<A>::g(Tile& t) {\n}",
    "template <typename Tile, int N = (1 > 0)> AICORE void h(Tile& t) {\n}",
    "template <template <typename> class Tile> AICORE void tt() {\n}",
    # `using Tile = ...` and `typedef ... Tile;` anywhere.
    "AICORE void f() {\n  using Tile = int;\n}",
])
def test_a_tile_declared_elsewhere_keeps_the_file_unmodelled(helper):
    found = decisions_by_function(HELPER_AND_KERNEL.format(helper=helper))
    assert found.get("k") != [True] and not any(r for v in found.values() for r in v), (helper, found)
    # The control: the same file without the declaration.
    control = decisions_by_function(HELPER_AND_KERNEL.format(helper=""))
    assert control.get("k") == [True]


# -- a header that includes pto-inst.hpp again after the kernel did ------------------------------------
GUARDED_HEADER = "#ifndef MY_KERNEL_HPP\n#define MY_KERNEL_HPP\n{extra}#include <pto/pto-inst.hpp>\n#endif\n"
AGAIN_KERNEL = """{first}
{second}
using namespace pto;
__global__ AICORE void k(__gm__ float* a) {{
  using T = Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64>;
  T x; T y; T z;
  TASSIGN(x, 0x0); TASSIGN(y, 0x1000); TASSIGN(z, 0x2000);
  TADD(x, x, x);
  pipe_barrier(PIPE_V);
  TADD(z, y, y);
}}
"""
PTO = "#include <pto/pto-inst.hpp>"
MINE = '#include "my_kernel.hpp"'


@pytest.mark.parametrize("first, second, extra, goes", [
    (PTO, MINE, "", True),                      # the control: its include of pto compiles nothing
    # The header first: its guard comes before pto's code, but the header's only pto header is
    # pto-inst.hpp, whose words do not include MY_KERNEL_HPP (issue 57: judged by name, as a
    # kernel's own #define before pto-inst.hpp is); a name pto reads keeps it (the __PTO_AUTO__ row).
    (MINE, PTO, "", True),
    (PTO, MINE, "#define __PTO_AUTO__\n", True),   # after pto's code, a macro pto reads changes nothing there
    (MINE + "\n" + PTO, "", "#define __PTO_AUTO__\n", False),
    (PTO, MINE, "#include <pto/common/constants.hpp>\n", False),   # another pto header
    (PTO, MINE, "#undef PTO_INST_HPP\n", False),                   # the guard undone
    (f"#ifdef FOO\n{PTO}\n#endif", MINE, "", True),    # the first include may be skipped: the guard as above
    (f"#ifdef FOO\n{PTO}\n#endif", MINE, "#define __PTO_AUTO__\n", False),   # ... and a name pto reads
    (f"#ifndef K_CPP\n#define K_CPP\n{PTO}", MINE + "\n#endif", "", True),   # both inside one guard
])
def test_a_header_including_pto_again(tmp_path, first, second, extra, goes):
    (tmp_path / "my_kernel.hpp").write_text(GUARDED_HEADER.format(extra=extra), encoding="utf-8")
    path = tmp_path / "k.cpp"
    model = parse_cpp(SourceText(AGAIN_KERNEL.format(first=first, second=second), str(path)))
    decisions = [d for d in BarrierAnalysis(model).run({"auto"}) if not d.unread]
    assert [d.removed for d in decisions] == [goes], [d.reason for d in decisions]


# -- pto's function specifiers on the kernel's and its headers' helpers ----------------------------
SPECIFIED = """#include <pto/pto-inst.hpp>
{before}using namespace pto;
using T = Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64>;
{spec} void helper(T& a) {{
  TADD(a, a, a);
}}
__global__ AICORE void k(__gm__ float* g) {{
  T x; T y; T z;
  TASSIGN(x, 0x0); TASSIGN(y, 0x1000); TASSIGN(z, 0x2000);
  TADD(x, x, x);
  pipe_barrier(PIPE_V);
  TADD(z, y, y);
}}
"""


@pytest.mark.parametrize("spec, before, goes", [
    ("PTO_INTERNAL", "", True),
    ("PTO_INST", "", True),
    ("AICORE PTO_INLINE", "", True),
    ("static PTO_INTERNAL", "", True),
    # Adversaries: the kernel's own definition of the name is no longer pto's.
    ("PTO_INTERNAL", "#undef PTO_INTERNAL\n#define PTO_INTERNAL } void TADD(T&, T&, T&) {\n", False),
    # (The kernel's own inert definition: the helper's head holds a kernel macro, the helper is not
    # modelled; k, which does not call it, is.)
    ("PTO_INTERNAL", "#undef PTO_INTERNAL\n#define PTO_INTERNAL static\n", True),
    ("PTO_DETAIL_CONCAT(v, 9)", "", False),          # another pto macro: its expansion is not read
])
def test_pto_function_specifiers_on_a_helper(spec, before, goes):
    model = parse_cpp(SourceText(SPECIFIED.format(spec=spec, before=before), "k.cpp"))
    decisions = [d for d in BarrierAnalysis(model).run({"auto"}) if not d.unread and d.fn.name == "k"]
    assert [d.removed for d in decisions] == [goes], [d.reason for d in decisions]


@pytest.mark.parametrize("header, goes", [
    ("#pragma once\n#include <pto/pto-inst.hpp>\nPTO_INTERNAL void h1() {}\nAICORE inline void h2() {}\n", True),
    ("#pragma once\n#include <pto/pto-inst.hpp>\n#undef PTO_INTERNAL\n#define PTO_INTERNAL namespace pto {\n"
     "PTO_INTERNAL void TADD_IMPL() {}\n}\n", False),
    ("#pragma once\n#include <pto/pto-inst.hpp>\nPTO_DETAIL_CONCAT(v, 9)\n", False),
    ("#pragma once\n#include <pto/pto-inst.hpp>\nPTO_INTERNAL void h3(int __in__ x, int __out__ y);\n", True),
    ("#pragma once\n#include <pto/pto-inst.hpp>\nAICORE void h4(__ubuf__ float* p, __gm__ float* q);\n", True),
    # The kernel's own definition of the qualifier: no longer pto's (a macro the kernel defines).
    ("#pragma once\n#include <pto/pto-inst.hpp>\nPTO_INTERNAL void h3(int __in__ x);\n", "#define __in__ const\n"),
])
def test_pto_function_specifiers_in_a_header(tmp_path, header, goes):
    (tmp_path / "helpers.hpp").write_text(header, encoding="utf-8")
    kernel_macro = goes if isinstance(goes, str) else ""
    goes = goes is True
    text = SPECIFIED.format(spec="PTO_INTERNAL", before="").replace(
        "using namespace pto;", kernel_macro + '#include "helpers.hpp"\nusing namespace pto;', 1)
    model = parse_cpp(SourceText(text, str(tmp_path / "k.cpp")))
    decisions = [d for d in BarrierAnalysis(model).run({"auto"}) if not d.unread and d.fn.name == "k"]
    assert [d.removed for d in decisions] == [goes], [d.reason for d in decisions]


# -- while loops: read as `for (; c; )` ---------------------------------------------------------------
WHILE_KERNEL = """#include <pto/pto-inst.hpp>
using namespace pto;
using T = Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128>;
__global__ AICORE void k(__gm__ float* g, int n) {{
  T a; T b; T c;
  TASSIGN(a, 0); TASSIGN(b, {b}); TASSIGN(c, 65536);
{body}
}}
"""


@pytest.mark.parametrize("body, removed", [
    # The controls: b elsewhere.
    ("  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  while (n > 0) {\n    TMUL(b, b, b);\n    n = n - 1;\n  }\n",
     [True]),
    # A barrier at the top of the body: the previous iteration's TMUL(b) is in flight there.
    ("  while (n > 0) {\n    pipe_barrier(PIPE_V);\n    TADD(a, a, a);\n    pipe_barrier(PIPE_V);\n"
     "    TMUL(c, c, c);\n    TMUL(b, b, b);\n    n = n - 1;\n  }\n", [True, False]),   # (the second: the last
    # iteration's TMUL(c) and the next one's, once the first is gone)
])
def test_a_while_loop_is_read(body, removed):
    model = parse_cpp(SourceText(WHILE_KERNEL.format(b=98304, body=body), "k.cpp"))
    assert [d.removed for d in BarrierAnalysis(model).run({"auto"}) if not d.unread] == removed


@pytest.mark.parametrize("body", [
    # b at 4096 overlaps a: every barrier here orders TADD(a) and TMUL(b) on some path.
    "  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  while (n > 0) {\n    TMUL(b, b, b);\n    n = n - 1;\n  }\n",
    # Across the back-edge: TMUL(b) ends one iteration, TADD(a) starts the next.
    "  while (n > 0) {\n    pipe_barrier(PIPE_V);\n    TADD(a, a, a);\n    pipe_barrier(PIPE_V);\n"
    "    TMUL(c, c, c);\n    TMUL(b, b, b);\n    n = n - 1;\n  }\n",
    # `continue` goes to the condition, then the body again.
    "  while (n > 0) {\n    pipe_barrier(PIPE_V);\n    TADD(a, a, a);\n    n = n - 1;\n    if (n == 3) {\n"
    "      pipe_barrier(PIPE_V);\n      TMUL(b, b, b);\n      continue;\n    }\n    pipe_barrier(PIPE_V);\n  }\n",
    # `break` leaves to what follows the loop.
    "  while (true) {\n    TADD(a, a, a);\n    if (n > 0) {\n      break;\n    }\n    pipe_barrier(PIPE_V);\n"
    "    n = n + 1;\n  }\n  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n",
    # The condition itself calls work the model cannot see.
    "  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  while (step(b) > 0) {\n    n = n - 1;\n  }\n",
    # do-while is not read: its barriers and those its body may reach stay.
    "  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  do {\n    TMUL(b, b, b);\n  } while (n-- > 0);\n",
    # A condition that declares a variable shadowing a tile.
    "  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  while (int32_t c = n) {\n    TMUL(b, b, b);\n    n = c - 1;\n  }\n",
])
def test_a_while_loop_keeps_what_its_paths_need(body):
    model = parse_cpp(SourceText(WHILE_KERNEL.format(b=4096, body=body), "k.cpp"))
    decisions = [d for d in BarrierAnalysis(model).run({"auto"}) if not d.unread]
    # Every barrier that separates TADD(a) from TMUL(b) on some path is kept: at least one kept,
    # and the file's output has no race check finds.
    assert decisions and not all(d.removed for d in decisions), body
    from ptofix.cpp.races import find_races
    from ptofix.pass_manager import build_pass
    text = WHILE_KERNEL.format(b=4096, body=body)
    result = build_pass("pipe-v-barrier", {"pattern": "auto"}).apply(parse_cpp(SourceText(text, "k.cpp")),
                                                                      SourceText(text, "k.cpp"))
    from ptofix.source import apply_edits
    out = apply_edits(text, result.edits)
    out_model = parse_cpp(SourceText(out, "k.cpp"))
    races, _ = find_races(out_model, BarrierAnalysis(out_model, lenient_flags=True))
    original = parse_cpp(SourceText(text, "k.cpp"))
    before, _ = find_races(original, BarrierAnalysis(original, lenient_flags=True))
    assert len(races) <= len(before), (body, out)
