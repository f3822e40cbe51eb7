"""A header's block-id accessor proven a scalar read (ptofix/cpp/header_scalar_functions.py, issue 68):
simpler's `get_block_idx(args)` read as the scalar load it is, and adversaries that hide a write of b
behind it (vector work in its body, class-typed members and constants, overload templates, macros over
its words, renaming aliases and namespaces, a second definition, a read of UB).

Kernels as tests/cpp/test_check_relaxations.py builds them: b written, `// GUARD` barrier, the
construct, a written; the guard must stay and `check` must not verify the kernel, or the control
verifies and its barrier (// FREE) goes.
"""
from __future__ import annotations

import pytest
from test_check_relaxations import (
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


def test_an_accessor_argument_converted_by_a_class_keeps_the_guard(tmp_path, host_include):  # noqa: F811
    """The proven accessor called with a class object whose conversion to the pointer writes b."""
    conv = f"struct Args {{\n  __gm__ int64_t *p;\n  AICORE operator __gm__ int64_t *() const {{ {WRITES_B} return p; }}\n}};\n"
    include = with_header(tmp_path, runtime_header(), host_include)
    stmt = "  Args x{args};\n  int32_t idx = get_block_idx(x);\n  (void)idx;\n"
    guard_kept(tmp_path, kernel(GUARD, stmt, conv, INCLUDE), include)
