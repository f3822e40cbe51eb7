// A same-access chain that only meets once another removal is made: TADD(a) and TMULS(a) are two
// barriers apart, with TADDS on other bytes between. By default the first barrier goes (no pair
// across it overlaps) and the second stays, needed once the first is removed, the chain not
// credited. Under --same-access-chains both go, and the removal that relies on the chain (the
// second: its window then holds the TADD -> TMULS pair) says so in its reason; the first does not.
// RUN: %ptofix run --pattern auto --report text %s 2>&1 >/dev/null | FileCheck %s --check-prefix=DEFAULT
// RUN: %ptofix run --same-access-chains --pattern auto --report text %s 2>&1 >/dev/null | FileCheck %s --check-prefix=OPTIN
// DEFAULT: chain_after_disjoint_removal.cpp:[[#L1:]]:3: removed (auto, TADD -> TADDS): proved: 1 op pair(s) across it have no RAW/WAR/WAW byte overlap{{$}}
// DEFAULT-NEXT: chain_after_disjoint_removal.cpp:[[#L1+2]]:3: kept (auto, TADDS -> TMULS): needed once the barrier at [[#L1]]:3 is removed: WAW: TADD write a [0,16384) {{.*}}; a PTOAS #674 same-access chain, not credited
// DEFAULT: 1 of 2 PIPE_V barriers removed
// OPTIN: chain_after_disjoint_removal.cpp:[[#L1:]]:3: removed (auto, TADD -> TADDS): proved: 1 op pair(s) across it have no RAW/WAR/WAW byte overlap{{$}}
// OPTIN-NEXT: chain_after_disjoint_removal.cpp:[[#L1+2]]:3: removed (auto, TADDS -> TMULS): proved: 2 op pair(s) across it have no RAW/WAR/WAW byte overlap except 1 pair(s) credited as a PTOAS #674 same-access chain
// OPTIN: 2 of 2 PIPE_V barriers removed
#include <pto/pto-inst.hpp>
using namespace pto;
extern "C" __global__ AICORE void k() {
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> a;
  TASSIGN(a, 0);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> b;
  TASSIGN(b, 16384);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  pipe_barrier(PIPE_V);
  TADDS(b, b, 1.0f);
  pipe_barrier(PIPE_V);
  TMULS(a, a, 2.0f);
  pipe_barrier(PIPE_ALL);
}
// The removals here rest on PTOAS #674 same-access chains: credited under --same-access-chains only.
