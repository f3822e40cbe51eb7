"""Round 5 of adversarial kernels against the relaxations of issue 68 item 4 (`check` verifies
more real kernels) not covered by round 4: a header's accessor renamed or retyped by aliases and
macros, defined twice, reading UB; integer globals that are not plain or whose written value is
used afterwards; local unions; templates instantiated without a second spelling of their name;
calls isolated from an unclean caller boundary. Also the default race model (no same-access-chain
credit) and op facts checked against a pto-isa checkout, each guarded to skip where its module is
absent.

Kernels follow round 4's shape (tests/cpp/test_check_relaxations.py): b written, `// GUARD`
barrier, the construct, a written; the construct may write b (the barrier must stay and `check`
must not verify the kernel), or its control verifies.
"""
from __future__ import annotations

import pytest
from test_check_relaxations import (
    ACCESSOR,
    ENTRY,
    EVIL,
    FREE,
    GUARD,
    INCLUDE,
    PLAIN_ENTRY,
    WRITES_B,
    check_status,
    free_removed,
    guard_kept,
    kernel,
    runtime_header,
    with_header,
)
from test_file_scope_classes import (
    ALIAS,
    HEAD,
    host_include,  # noqa: F401  (a fixture)
)

from ptofix.cli import main

TILE = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128>"
EVIL_IDX = f"""struct Idx {{
  int32_t v;
  __aicore__ operator int() const {{ {TILE} w; TASSIGN(w, 65536); pto::TMUL(w, w, w); return v; }}
}};
"""
PRE = "#include <pto/pto-inst.hpp>\nusing namespace pto;\n"


def accessor_guard_kept(tmp_path, header: str, include, defs: str = "", includes: str = INCLUDE) -> str:
    include = with_header(tmp_path, header, include)
    report = guard_kept(tmp_path, kernel(GUARD, ACCESSOR, defs=defs, includes=includes), include)
    assert "get_block_idx" in report, report
    return report


# -- a header's accessor whose member, struct or cast type is renamed -----------------------------
NAMESPACED = PRE + f"""namespace rt {{
{EVIL_IDX}ALIAS_HERE
struct LocalContext {{ uint8_t block_idx; int32_t block_num; }};
static constexpr int32_t LOCAL_INDEX = 48;
static __aicore__ inline int32_t get_block_idx(__gm__ int64_t *args) {{
    __gm__ LocalContext *ctx = reinterpret_cast<__gm__ LocalContext *>(static_cast<uint64_t>(args[LOCAL_INDEX]));
    return ctx->block_idx;
}}
}}
using namespace rt;
"""

RENAMED_TYPES = {
    # `uint8_t` is an alias of a class in the accessor's namespace: the member is an Idx, and
    # returning it as int32_t runs Idx's conversion operator, which writes b.
    "a namespace alias of the member's type": NAMESPACED.replace("ALIAS_HERE", "using uint8_t = Idx;"),
    "a namespace typedef of the member's type": NAMESPACED.replace("ALIAS_HERE", "typedef Idx uint8_t;"),
    # The same alias as a member of the struct itself.
    "a struct member alias of the member's type": runtime_header(
        before=PRE + EVIL_IDX, member="using uint8_t = Idx;\n    uint8_t block_idx;"),
    "a struct member typedef of the member's type": runtime_header(
        before=PRE + EVIL_IDX, member="typedef Idx uint8_t;\n    uint8_t block_idx;"),
    # A header macro over the member's type.
    "a header macro over the member's type": runtime_header(
        before=PRE + EVIL_IDX + "#define uint8_t Idx\n", member="uint8_t block_idx;"),
    # The struct the accessor casts to is, in its namespace, an alias of another struct whose
    # member is an Idx (the global LocalContext is the plain one the proof read).
    "a namespace alias of the struct": PRE + f"""{EVIL_IDX}struct EvilCtx {{ Idx block_idx; }};
struct LocalContext {{ int32_t block_idx; int32_t block_num; }};
namespace rt {{
using LocalContext = EvilCtx;
static constexpr int32_t LOCAL_INDEX = 48;
static __aicore__ inline int32_t get_block_idx(__gm__ int64_t *args) {{
    __gm__ LocalContext *ctx = reinterpret_cast<__gm__ LocalContext *>(static_cast<uint64_t>(args[LOCAL_INDEX]));
    return ctx->block_idx;
}}
}}
using namespace rt;
""",
}


@pytest.mark.parametrize("case", sorted(RENAMED_TYPES))
def test_a_header_accessor_reading_a_renamed_type_keeps_the_guard(tmp_path, host_include, case):  # noqa: F811
    """Each was verified (its barrier removed, check exit 0) before the header's aliases of the
    types the proof reads were checked."""
    accessor_guard_kept(tmp_path, RENAMED_TYPES[case], host_include)


def test_a_kernel_alias_in_the_accessor_s_namespace_keeps_the_guard(tmp_path, host_include):  # noqa: F811
    """The kernel opens the header's namespace first and makes `uint8_t` an alias of a class there;
    the header's text alone looks plain."""
    header = NAMESPACED.replace(PRE, "").replace(EVIL_IDX, "").replace("ALIAS_HERE", "")
    defs_before = PRE + f"namespace rt {{\n{EVIL_IDX}using uint8_t = Idx;\n}}\n"
    accessor_guard_kept(tmp_path, header, host_include, includes=defs_before + INCLUDE)


@pytest.mark.parametrize("case", ["comma", "compound", "ub read", "if arms", "macro over the constant"])
def test_a_header_accessor_that_does_more_than_read_keeps_the_guard(tmp_path, host_include, case):  # noqa: F811
    header = {
        "comma": runtime_header().replace("return ctx->block_idx;", "return (args[0] = 5, ctx->block_idx);"),
        "compound": runtime_header(body="    int64_t junk = args[1] += 3;\n"),
        # A scalar read of b's bytes while the TADD writing them may be in flight.
        "ub read": runtime_header(
            body="    __ubuf__ int32_t *u = reinterpret_cast<__ubuf__ int32_t *>(65536);\n    int32_t peek = u[0];\n"
        ).replace("return ctx->block_idx;", "return ctx->block_idx + peek;"),
        # Two definitions under #if arms, the one compiled writes b.
        "if arms": runtime_header(
            before=f"#ifdef RT_EVIL\nusing T16h = {TILE};\nstatic __aicore__ inline int32_t get_block_idx(__gm__ "
                   "int64_t *args) { T16h w; TASSIGN(w, 65536); pto::TMUL(w, w, w); return 0; }\n#else",
            more="#endif").replace("#include <stdint.h>", f"#include <stdint.h>\n{PRE}#define RT_EVIL 1"),
        # The constant the subscript reads is redefined as a call after its declaration.
        "macro over the constant": runtime_header(
            before=f"{PRE}using T16h = {TILE};\n__aicore__ inline int64_t slot() {{ T16h w; TASSIGN(w, 65536); "
                   "pto::TMUL(w, w, w); return 48; }"
        ).replace("static constexpr int32_t LOCAL_INDEX = 48;",
                  "static constexpr int32_t LOCAL_INDEX = 48;\n#define LOCAL_INDEX slot()"),
    }[case]
    accessor_guard_kept(tmp_path, header, host_include)


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


# -- templates instantiated without their name spelled twice --------------------------------------
RACY = "T16 r; TASSIGN(r, 0x0); T16 s; TASSIGN(s, 4096); pto::TADD(r, r, r); pto::TMUL(s, s, s);"
TEMPLATE_CASES = {
    # `lane_hel\<newline>per(e)`: one spelling in the text, a call after the line splice.
    "a call through a line splice": ("  Evil e{1};\n  lane_hel\\\nper(e);\n", EVIL + "template <typename P>\n"
                                     "AICORE inline void lane_helper(P p) {\n  if (p) { pipe_barrier(PIPE_ALL); }\n}\n"),
    # A literal operator template, instantiated by `12_w`, which does not spell its name.
    "a user-defined literal": ("  int v = 12_w;\n  (void)v;\n",
                               f"template <char... C>\nAICORE inline int operator\"\"_w() {{ {RACY} return 0; }}\n"),
    # An operator template, instantiated by `1 + g`.
    "an operator template": ("  Tag g;\n  int v = 1 + g;\n  (void)v;\n",
                             f"struct Tag {{}};\ntemplate <typename P>\nAICORE inline int operator+(P p, Tag) {{ {RACY} "
                             "return 0; }\n"),
}


@pytest.mark.parametrize("case", sorted(TEMPLATE_CASES))
def test_a_template_instantiated_without_its_name_is_not_verified(tmp_path, host_include, case):  # noqa: F811
    stmt, defs = TEMPLATE_CASES[case]
    guard_kept(tmp_path, kernel(GUARD, stmt, defs), host_include)


# -- a call isolated from an unclean caller boundary ----------------------------------------------
WORK = "static AICORE inline void work()\n{\n  T16 a;\n  TASSIGN(a, 0x0);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_ALL);\n}\n"
MID = "AICORE void mid()\n{\n  work();\n}\n"
ISOLATED_CASES = {
    # `mid` (no __global__) has an unclean entry, but it is the file's: the kernel's TMUL of a may
    # still run when work's TADD writes a.
    "before, through a plain caller of the file": WORK + MID + f"{ENTRY}\n{{\n  T16 a;\n  TASSIGN(a, 0x0);\n"
                                                  "  TMUL(a, a, a);\n  mid();\n}\n",
    "after, through a plain caller of the file": (
        "static AICORE inline void work()\n{\n  pipe_barrier(PIPE_ALL);\n  T16 a;\n  TASSIGN(a, 0x0);\n"
        "  TADD(a, a, a);\n}\n" + MID + f"{ENTRY}\n{{\n  mid();\n  T16 a;\n  TASSIGN(a, 0x0);\n  TMUL(a, a, a);\n"
        "  pipe_barrier(PIPE_ALL);\n}\n"),
    # The plain entry's own TMUL, at bytes it cannot tell (the address a parameter), or under a
    # condition, or reached through a pointer to the function.
    "before, at an unknown address": (WORK + f"{PLAIN_ENTRY}\n{{\n  T16 u;\n  TASSIGN(u, n);\n  TMUL(u, u, u);\n"
                                      "  work();\n}\n"),
    "before, under a condition": (WORK + f"{PLAIN_ENTRY}\n{{\n  if (n) {{\n    T16 u;\n    TASSIGN(u, 0x0);\n"
                                  "    TMUL(u, u, u);\n  }\n  work();\n}\n"),
    "through a function pointer": (WORK + f"{PLAIN_ENTRY}\n{{\n  T16 u;\n  TASSIGN(u, 0x0);\n  TMUL(u, u, u);\n"
                                   "  void (*f)() = work;\n  f();\n}\n"),
    # Two calls in a plain entry: the second's TADD may meet the first's.
    "twice from a plain entry": ("static AICORE inline void work()\n{\n  T16 a;\n  TASSIGN(a, 0x0);\n  TADD(a, a, a);\n}\n"
                                 f"{PLAIN_ENTRY}\n{{\n  work();\n  work();\n  pipe_barrier(PIPE_ALL);\n}}\n"),
}


@pytest.mark.parametrize("case", sorted(ISOLATED_CASES))
def test_a_call_not_isolated_is_not_verified(tmp_path, case):
    status, report = check_status(tmp_path, HEAD + ALIAS + ISOLATED_CASES[case])
    assert status in (1, 4), report


# -- the default race model (branch race, issue #66): no same-access-chain credit -----------------
def _race_model():
    return pytest.importorskip("ptofix.pto.race_model")


RTILE = TILE
RACE_HEAD = f"{PRE}using T = {RTILE};\nusing Th = Tile<TileType::Vec, half, 16, 128, BLayout::RowMajor, 16, 128>;\n"
RACE_DECL = ("  T x; TASSIGN(x, 0);\n  T y; TASSIGN(y, 16384);\n  T z; TASSIGN(z, 32768);\n  T x2; TASSIGN(x2, 0);\n"
             "  pipe_barrier(PIPE_ALL);\n")
CHAIN_CASES = {
    # The chain's tile written and read under two names TASSIGNed to the same bytes.
    "aliases by two TASSIGNs": "  TADD(x, y, y);\n  pipe_barrier(PIPE_V);\n  TADD(z, x2, x2);\n",
    "in place through an alias": "  TMULS(x, x, 2.0f);\n  pipe_barrier(PIPE_V);\n  TEXP(x2, x2);\n",
    "a scalar producer into a TCVT": "  Th h; TASSIGN(h, 49152);\n  TSUBS(x, y, 1.0f);\n  pipe_barrier(PIPE_V);\n"
                                     "  TCVT(h, x, RoundMode::CAST_RINT);\n",
}


def _race_kernel(body: str, defs: str = "") -> str:
    return RACE_HEAD + defs + '__global__ AICORE void k(int32_t n) {\n' + RACE_DECL + body + "}\n"


@pytest.mark.parametrize("case", sorted(CHAIN_CASES))
def test_the_default_race_model_keeps_an_aliased_chain(tmp_path, case):
    """The opt-in (--same-access-chains) removes the barrier: the kernel reaches the chain rule.
    The default `run --pattern auto` keeps it, and default `check` of the kernel without it reports a
    race of the same-access-chain category."""
    _race_model()
    from ptofix import api
    text = _race_kernel(CHAIN_CASES[case])
    kernel_file, out = tmp_path / "k.cpp", tmp_path / "out.cpp"
    kernel_file.write_text(text)
    for extra, kept in (([], True), (["--same-access-chains"], False)):
        assert main(["run", "--pattern", "auto", "-q", *extra, str(kernel_file), "-o", str(out)]) == 0
        assert ("  pipe_barrier(PIPE_V);\n" in out.read_text()) is kept, (extra, out.read_text())
    races = api.check(text.replace("  pipe_barrier(PIPE_V);\n", ""))
    assert races and {r.category for r in races} == {"same-access-chain"}, races


def test_the_default_race_model_reports_a_chain_in_a_template_instantiated_twice(tmp_path, capsys):
    _race_model()
    defs = ("template <int K> AICORE inline void my_step() { T a; TASSIGN(a, K); T b; TASSIGN(b, 16384); "
            "T c; TASSIGN(c, 32768); TADD(a, b, b);\n  TADD(c, a, a); }\n")
    kernel_file = tmp_path / "k.cpp"
    kernel_file.write_text(_race_kernel("  my_step<0>();\n  my_step<4096>();\n", defs))
    assert main(["check", "--color", "never", str(kernel_file)]) == 1
    assert "same access chain" in capsys.readouterr().err.replace("-", " ")


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


def test_a_global_integer_renamed_by_a_namespace_alias_keeps_the_guard(tmp_path, host_include):  # noqa: F811
    include = with_header(tmp_path, EVIL_HEADER, host_include)
    text = in_namespace(kernel(GUARD, "  lane = 1;\n", includes=INCLUDE), "using int32_t = Evil;\nstatic int32_t lane;")
    guard_kept(tmp_path, text, include)


def test_a_struct_another_header_aliases_in_the_accessor_s_namespace_keeps_the_guard(tmp_path, host_include):  # noqa: F811
    """rt0.h makes `rt::LocalContext` an alias of a struct whose member is an Idx; rt.h (which
    includes it) defines the plain global LocalContext and, in namespace rt, the accessor casting
    to `LocalContext *`: rt.h's text alone is plain."""
    (tmp_path / "rt0.h").write_text("#pragma once\n" + PRE + EVIL_IDX + "struct EvilCtx { Idx block_idx; };\n"
                                    "namespace rt {\nusing LocalContext = EvilCtx;\n}\n")
    header = """#pragma once
#include "rt0.h"
struct LocalContext { int32_t block_idx; int32_t block_num; };
namespace rt {
static constexpr int32_t LOCAL_INDEX = 48;
static __aicore__ inline int32_t get_block_idx(__gm__ int64_t *args) {
    __gm__ LocalContext *ctx = reinterpret_cast<__gm__ LocalContext *>(static_cast<uint64_t>(args[LOCAL_INDEX]));
    return ctx->block_idx;
}
}
using namespace rt;
"""
    accessor_guard_kept(tmp_path, header, host_include)


SLOT = (f"struct Slot {{\n  __aicore__ constexpr Slot() {{}}\n  __aicore__ operator int64_t() const {{ {TILE} w; "
        "TASSIGN(w, 65536); pto::TMUL(w, w, w); return 48; }\n};\n")


def test_a_constant_another_header_declares_in_the_accessor_s_namespace_keeps_the_guard(tmp_path, host_include):  # noqa: F811,E501
    """rt0.h declares `rt::LOCAL_INDEX`, a class object whose conversion to an integer writes b; the
    accessor, in namespace rt, subscripts with LOCAL_INDEX: that one, not rt.h's constexpr int."""
    (tmp_path / "rt0.h").write_text("#pragma once\n" + PRE + SLOT + "namespace rt {\nconstexpr Slot LOCAL_INDEX{};\n}\n")
    header = """#pragma once
#include "rt0.h"
static constexpr int32_t LOCAL_INDEX = 48;
struct LocalContext { int32_t block_idx; int32_t block_num; };
namespace rt {
static __aicore__ inline int32_t get_block_idx(__gm__ int64_t *args) {
    __gm__ LocalContext *ctx = reinterpret_cast<__gm__ LocalContext *>(static_cast<uint64_t>(args[LOCAL_INDEX]));
    return ctx->block_idx;
}
}
using namespace rt;
"""
    accessor_guard_kept(tmp_path, header, host_include)


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


def test_an_accessor_argument_converted_by_a_class_keeps_the_guard(tmp_path, host_include):  # noqa: F811
    """The proven accessor called with a class object whose conversion to the pointer writes b."""
    conv = f"struct Args {{\n  __gm__ int64_t *p;\n  AICORE operator __gm__ int64_t *() const {{ {WRITES_B} return p; }}\n}};\n"
    include = with_header(tmp_path, runtime_header(), host_include)
    stmt = "  Args x{args};\n  int32_t idx = get_block_idx(x);\n  (void)idx;\n"
    guard_kept(tmp_path, kernel(GUARD, stmt, conv, INCLUDE), include)
