// TPUSH (V2C) copies its tile out on MTE3 (pto-isa a2a3 TPush.hpp pushVec2GMFiFo: a TSTORE): it is no
// PIPE_V op and drains nothing, and the V -> MTE3 flag pair before it orders the copy after TADD,
// not TADD before a later vector op. In k, TADDS rewrites the pushed tile t, which TADD wrote: the
// barrier stays. In k2 the same TADDS writes y, away from t and x: no pair across the barrier
// overlaps and it goes. (k's TADDS also rewrites t while TPUSH's MTE3 copy may still read it: a
// race across pipes only an MTE3 -> V flag orders, which `check --trace` shows with the barrier and
// without it alike; k2 traces clean both ways.)
// RUN: %ptofix run --pattern auto --report text %s 2>&1 >/dev/null | FileCheck %s
// CHECK: tpush_no_drain.cpp:24:3: kept (auto, TADD -> TADDS): WAW: TADD write t [0,8192) at 20:3 -> TADDS write t [0,8192) at 25:3
// CHECK: tpush_no_drain.cpp:41:3: removed (auto, TADD -> TADDS): proved: 1 op pair(s) across it have no RAW/WAR/WAW byte overlap{{$}}
#include <pto/pto-inst.hpp>
using namespace pto;
extern "C" __global__ AICORE void k(__gm__ float* g) {
  auto p = TPipe<4, Direction::DIR_V2C, 16384, 8, 8, false>(g, 0, 0);
  Tile<TileType::Vec, half, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> t;
  TASSIGN(t, 0);
  Tile<TileType::Vec, half, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> x;
  TASSIGN(x, 8192);
  pipe_barrier(PIPE_ALL);
  TADD(t, x, x);
  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  TPUSH<TPipe<4, Direction::DIR_V2C, 16384, 8, 8, false>, Tile<TileType::Vec, half, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>, TileSplitAxis::TILE_NO_SPLIT>(p, t);
  pipe_barrier(PIPE_V);
  TADDS(t, t, (half)1.0f);
  pipe_barrier(PIPE_ALL);
}
extern "C" __global__ AICORE void k2(__gm__ float* g) {
  auto p = TPipe<4, Direction::DIR_V2C, 16384, 8, 8, false>(g, 0, 0);
  Tile<TileType::Vec, half, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> t;
  TASSIGN(t, 0);
  Tile<TileType::Vec, half, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> x;
  TASSIGN(x, 8192);
  Tile<TileType::Vec, half, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> y;
  TASSIGN(y, 16384);
  pipe_barrier(PIPE_ALL);
  TADD(t, x, x);
  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  TPUSH<TPipe<4, Direction::DIR_V2C, 16384, 8, 8, false>, Tile<TileType::Vec, half, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>, TileSplitAxis::TILE_NO_SPLIT>(p, t);
  pipe_barrier(PIPE_V);
  TADDS(y, y, (half)1.0f);
  pipe_barrier(PIPE_ALL);
}
