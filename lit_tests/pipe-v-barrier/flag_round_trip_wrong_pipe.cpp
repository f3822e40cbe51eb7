// A V -> S -> V round trip drains PIPE_V only when each wait consumes its own set: here the V -> S
// set is waited on PIPE_MTE2 (a wait of another flag), so nothing orders TADDS's write of v5
// before TADD's read and the barrier stays (rule18 red team; passes on main). The second RUN puts
// the wait on PIPE_S: then the round trip drains and the barrier goes. The third also moves the
// V -> S set before TADDS: the round trip then orders nothing TADDS does, and the barrier stays.
// RUN: %ptofix run --pattern auto --report text %s 2>&1 >/dev/null | filecheck %s
// RUN: sed 's/wait_flag(PIPE_V, PIPE_MTE2/wait_flag(PIPE_V, PIPE_S/' %s > %t.cpp
// RUN: %ptofix run --pattern auto --report text %t.cpp 2>&1 >/dev/null | filecheck %s --check-prefix=FIXED
// RUN: sed -e '/^  set_flag(PIPE_V, PIPE_S, EVENT_ID0);/d' -e 's/^  TADDS(v5, v6, 1.0f);/  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n&/' %t.cpp > %t2.cpp
// RUN: %ptofix run --pattern auto --report text %t2.cpp 2>&1 >/dev/null | filecheck %s --check-prefix=EARLY
extern "C" __global__ AICORE void k() {
  Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v5;
  TASSIGN(v5, 0);
  Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, 16384);
  Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v7;
  TASSIGN(v7, 32768);
  TADDS(v5, v6, 1.0f);
  set_flag(PIPE_V, PIPE_S, EVENT_ID0);
  wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID0);
  set_flag(PIPE_S, PIPE_V, EVENT_ID1);
  wait_flag(PIPE_S, PIPE_V, EVENT_ID1);
  pipe_barrier(PIPE_V);
  TADD(v7, v5, v6);
}
// CHECK: :23:3: kept (auto, TADDS -> TADD
// CHECK-SAME: RAW: TADDS write v5 [0,4096) at 18:3 -> TADD read v5 [0,4096) at 24:3
// CHECK: 0 of 1 PIPE_V barriers removed
// FIXED: :23:3: removed (auto,
// FIXED-SAME: redundant: no PIPE_V op can be in flight across it
// EARLY: :23:3: kept (auto, TADDS -> TADD
// EARLY-SAME: RAW: TADDS write v5 [0,4096) at 19:3 -> TADD read v5 [0,4096) at 24:3
