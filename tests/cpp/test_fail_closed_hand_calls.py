"""Fail closed on calls of the file's own functions in hand-written kernels: a call is modelled by
everything its callee may do (in the file or in a header the compiler finds), and a helper's drain and
the caller's barrier are not both removed.

Helpers, geometry and controls: tests/cpp/test_fail_closed_hand.py.
"""
from __future__ import annotations

import pytest
from test_fail_closed_hand import (
    ENTRY,
    GUARD,
    HEAD,
    T16,
    TILES,
    assert_check_does_not_certify,
    assert_guards_kept,
    guard_lines,
    one_file,
    run_auto,
    write,
)

from ptofix.cli import main

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
