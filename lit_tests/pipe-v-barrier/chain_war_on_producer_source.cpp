// Under --same-access-chains a chain runs from the producer's result to the consumer's source only
// (PTOAS #674 CanPrunePipeVBarrier: every dependent pair is that exact access). In k the consumer
// also overwrites x, which the producer reads: a WAR of another access, no chain, the barrier stays.
// k2 is the same pair with the consumer writing y: the RAW on a is the only overlap, credited.
// RUN: %ptofix run --same-access-chains --pattern auto --report text %s 2>&1 >/dev/null | FileCheck %s
// CHECK: chain_war_on_producer_source.cpp:18:3: kept (auto, TADD -> TMULS): WAR: TADD read x [16384,32768) at {{[0-9]+}}:3 -> TMULS write x [16384,32768)
// CHECK: chain_war_on_producer_source.cpp:31:3: removed (auto, TADD -> TMULS): proved: 1 op pair(s) across it have no RAW/WAR/WAW byte overlap except 1 pair(s) credited as a PTOAS #674 same-access chain
// CHECK: 1 of 2 PIPE_V barriers removed
#include <pto/pto-inst.hpp>
using namespace pto;
extern "C" __global__ AICORE void k() {
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> a;
  TASSIGN(a, 0);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> x;
  TASSIGN(x, 16384);
  pipe_barrier(PIPE_ALL);
  TADD(a, x, x);
  pipe_barrier(PIPE_V);
  TMULS(x, a, 2.0f);
  pipe_barrier(PIPE_ALL);
}
extern "C" __global__ AICORE void k2() {
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> a;
  TASSIGN(a, 0);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> x;
  TASSIGN(x, 16384);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> y;
  TASSIGN(y, 32768);
  pipe_barrier(PIPE_ALL);
  TADD(a, x, x);
  pipe_barrier(PIPE_V);
  TMULS(y, a, 2.0f);
  pipe_barrier(PIPE_ALL);
}
// The removals here rest on PTOAS #674 same-access chains: credited under --same-access-chains only.
