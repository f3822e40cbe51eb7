// A Tile-form TPOP rebinds its tile into the pipe's consumer ring at run time:
// CONSUMER_BUF + (i % LocalSlotNum) * stride, stride = tile bytes or SlotSize (pto_isa_facts.md §4.1).
// k: ring at 65536, LocalSlotNum 2 -> {65536, 73728, 81920}: disjoint from the GU tile at 0, the gu
//    barrier is removed. k2: ring at 0; its second slot (SlotSize stride) is the GU tile's bytes: kept.
// k3: the consumer buffer comes from a kernel argument: unknown, kept.
// RUN: %ptofix run --same-access-chains --pattern gu --report text %s 2>&1 >/dev/null | filecheck %s
extern "C" __global__ AICORE void k(__gm__ float* v1) {
  const int64_t v2 = 0;
  const int64_t v3 = 4096;
  const int32_t v4 = 65536;
  const int32_t v9 = 0;
  auto v5 = TPipe<2, Direction::DIR_C2V, 16384, 8, 2, false>(v1, v4, v9);
  Tile<TileType::Vec, float, 32, 64, BLayout::RowMajor, 32, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, v2);
  Tile<TileType::Vec, float, 64, 1, BLayout::ColMajor, 64, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v7;
  TASSIGN(v7, v3);
  Tile<TileType::Vec, float, 32, 64, BLayout::RowMajor, 32, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v8;
  TPOP<TPipe<2, Direction::DIR_C2V, 16384, 8, 2, false>, Tile<TileType::Vec, float, 32, 64, BLayout::RowMajor, 32, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>, TileSplitAxis::TILE_UP_DOWN>(v5, v8);
  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  TROWEXPANDMUL(v6, v6, v7);
  pipe_barrier(PIPE_V);
  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  TADD(v6, v6, v8);
}
extern "C" __global__ AICORE void k2(__gm__ float* v1) {
  const int64_t v2 = 0;
  const int64_t v3 = 16384;
  const int32_t v4 = 0;
  const int32_t v9 = 0;
  auto v5 = TPipe<2, Direction::DIR_C2V, 16384, 8, 2, false>(v1, v4, v9);
  Tile<TileType::Vec, float, 32, 64, BLayout::RowMajor, 32, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, v3);
  Tile<TileType::Vec, float, 64, 1, BLayout::ColMajor, 64, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v7;
  TASSIGN(v7, v2);
  Tile<TileType::Vec, float, 32, 64, BLayout::RowMajor, 32, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v8;
  TPOP<TPipe<2, Direction::DIR_C2V, 16384, 8, 2, false>, Tile<TileType::Vec, float, 32, 64, BLayout::RowMajor, 32, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>, TileSplitAxis::TILE_UP_DOWN>(v5, v8);
  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  TROWEXPANDMUL(v6, v6, v7);
  pipe_barrier(PIPE_V);
  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  TADD(v6, v6, v8);
}
extern "C" __global__ AICORE void k3(__gm__ float* v1, int32_t v4) {
  const int64_t v2 = 0;
  const int64_t v3 = 4096;
  const int32_t v9 = 0;
  auto v5 = TPipe<2, Direction::DIR_C2V, 16384, 8, 2, false>(v1, v4, v9);
  Tile<TileType::Vec, float, 32, 64, BLayout::RowMajor, 32, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, v2);
  Tile<TileType::Vec, float, 64, 1, BLayout::ColMajor, 64, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v7;
  TASSIGN(v7, v3);
  Tile<TileType::Vec, float, 32, 64, BLayout::RowMajor, 32, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v8;
  TPOP<TPipe<2, Direction::DIR_C2V, 16384, 8, 2, false>, Tile<TileType::Vec, float, 32, 64, BLayout::RowMajor, 32, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>, TileSplitAxis::TILE_UP_DOWN>(v5, v8);
  TROWEXPANDMUL(v6, v6, v7);
  pipe_barrier(PIPE_V);
  TADD(v6, v6, v8);
}
// CHECK: tpop_tile_form.cpp:21:3: removed (gu, TROWEXPANDMUL -> TADD): proved:
// CHECK: tpop_tile_form.cpp:39:3: kept (gu, TROWEXPANDMUL -> TADD): RAW: TROWEXPANDMUL write v6 [16384,24576) {{.*}} -> TADD read v8 [0,8192),[8192,16384),[16384,24576)
// CHECK: tpop_tile_form.cpp:55:3: kept (gu, TROWEXPANDMUL -> TADD): RAW: TROWEXPANDMUL write v6 [0,8192) {{.*}} -> TADD read v8 (no address of 'v8' is known: 53:3: TPOP of 'v8' into a ring whose addresses the model does not know) at 56:3
// The removals here rest on PTOAS #674 same-access chains: credited under --same-access-chains only.
