"""Fail closed on declarations, macros, class types and file scope in hand-written kernels: each keeps
what it may hide, and `check` does not certify the kernel with the guard stripped.

Helpers, geometry and controls: tests/cpp/test_fail_closed_hand.py.
"""
from __future__ import annotations

import pytest
from test_fail_closed_hand import ENTRY, GUARD, T16, TILES, assert_check_does_not_certify, assert_guards_kept, one_file

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
