// Under --same-access-chains a PTOAS #674 same-access chain is credited only on ONE tile variable:
// ptoas's exact same access is BaseMemInfo::operator== (PTOAS SyncCommon.h), the same baseBuffer and
// rootBuffer, not only the same bytes. k: TADD writes v5, TMULS reads v5: removed. k2: v7 is
// another tile TASSIGNed to v5's bytes, k3: a same-shape TRESHAPE alias of v5, k4: a TPOP'd tile
// at the ring slot TADD has just written: all three kept, as ptoas keeps them.
// RUN: %ptofix run --same-access-chains --pattern auto --report text %s 2>&1 >/dev/null | FileCheck %s
// RUN: %ptofix run --pattern auto --report text %s 2>&1 >/dev/null | FileCheck %s --check-prefix=DEFAULT
// Without the barriers, check --same-access-chains reports the three two-variable pairs as races:
// RUN: sed 's/pipe_barrier(PIPE_V);//' %s > %t.cpp
// RUN: not %ptofix check --same-access-chains --color never %t.cpp 2>&1 | FileCheck %s --check-prefix=RACES
using T = Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>;
extern "C" __global__ AICORE void k() {
  T v5; TASSIGN(v5, 0); T v6; TASSIGN(v6, 16384); T v8; TASSIGN(v8, 32768);
  TADD(v5, v6, v6);
  pipe_barrier(PIPE_V);
  TMULS(v8, v5, 2.0f);
}
extern "C" __global__ AICORE void k2() {
  T v5; TASSIGN(v5, 0); T v6; TASSIGN(v6, 16384); T v8; TASSIGN(v8, 32768);
  T v7; TASSIGN(v7, 0);
  TADD(v5, v6, v6);
  pipe_barrier(PIPE_V);
  TMULS(v8, v7, 2.0f);
}
extern "C" __global__ AICORE void k3() {
  T v5; TASSIGN(v5, 0); T v6; TASSIGN(v6, 16384); T v8; TASSIGN(v8, 32768);
  T v7; TRESHAPE(v7, v5);
  TADD(v5, v6, v6);
  pipe_barrier(PIPE_V);
  TMULS(v8, v7, 2.0f);
}
extern "C" __global__ AICORE void k4(__gm__ float* v1) {
  auto v2 = TPipe<2, Direction::DIR_C2V, 16384, 8, 1, false>(v1, 0, 0);
  T v5; TASSIGN(v5, 0); T v6; TASSIGN(v6, 16384); T v8; TASSIGN(v8, 32768);
  T v7; TPOP<TPipe<2, Direction::DIR_C2V, 16384, 8, 1, false>, T, TileSplitAxis::TILE_UP_DOWN>(v2, v7);
  pipe_barrier(PIPE_ALL);
  TADD(v5, v6, v6);
  pipe_barrier(PIPE_V);
  TMULS(v8, v7, 2.0f);
}
// CHECK: chain_one_variable.cpp:[[#K:]]:3: removed (auto, TADD -> TMULS): proved: 1 op pair(s) across it have no RAW/WAR/WAW byte overlap except 1 pair(s) credited as a PTOAS #674 same-access chain
// CHECK-NEXT: chain_one_variable.cpp:[[#K+7]]:3: kept (auto, TADD -> TMULS): RAW: TADD write v5 [0,16384) at [[#K+6]]:3 -> TMULS read v7 [0,16384) at [[#K+8]]:3{{$}}
// CHECK-NEXT: chain_one_variable.cpp:[[#K+14]]:3: kept (auto, TADD -> TMULS): RAW: TADD write v5 [0,16384) at [[#K+13]]:3 -> TMULS read v7 [0,16384) at [[#K+15]]:3{{$}}
// CHECK-NEXT: chain_one_variable.cpp:[[#K+23]]:3: kept (auto, TADD -> TMULS): RAW: TADD write v5 [0,16384) at [[#K+22]]:3 -> TMULS read v7 [0,16384) at [[#K+24]]:3{{$}}
// CHECK: 1 of 4 PIPE_V barriers removed
// DEFAULT: chain_one_variable.cpp:[[#K:]]:3: kept (auto, TADD -> TMULS): RAW: TADD write v5 [0,16384) {{.*}} -> TMULS read v5 [0,16384) {{.*}}; a PTOAS #674 same-access chain, not credited
// DEFAULT-NEXT: chain_one_variable.cpp:[[#K+7]]:3: kept (auto, TADD -> TMULS): RAW: TADD write v5 {{.*}} -> TMULS read v7 [0,16384) at [[#K+8]]:3{{$}}
// DEFAULT: 0 of 4 PIPE_V barriers removed
// RACES-NOT: :[[#]]:3: warning: {{.*}}reads v5
// RACES: .cpp:[[#L:]]:3: warning: RAW race: TMULS reads v7 [0, 16384), which TADD (line {{[0-9]+}}) may still write
// RACES: .cpp:[[#L+7]]:3: warning: RAW race: TMULS reads v7 [0, 16384), which TADD (line [[#L+5]]) may still write
// RACES: .cpp:[[#L+16]]:3: warning: RAW race: TMULS reads v7 [0, 16384), which TADD (line [[#L+14]]) may still write
// RACES-NOT: same-access chain
// RACES: 3 races, 0 broken placements, 0 unverified functions in 1 file
// The removal here rests on a PTOAS #674 same-access chain: credited under --same-access-chains only.
