// The ping-pong address is chosen in if/else: the tile may sit at either address, so a write
// to the other buffer still conflicts.
// RUN: %ptofix run --pattern auto %s | grep -v '^//' | FileCheck %s --implicit-check-not=pipe_barrier
extern "C" __global__ AICORE void k(int32_t v1) {
  const int64_t v2 = 0;
  const int64_t v3 = 16384;
  const int64_t v4 = 32768;
  int64_t v5;
  if (v1) {
    v5 = v2;
  } else {
    v5 = v3;
  };
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, v5);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v7;
  TASSIGN(v7, v3);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v8;
  TASSIGN(v8, v4);
  TADDS(v7, v8, 1.0f);
  pipe_barrier(PIPE_V);
  TMULS(v8, v6, 2.0f);
}
// CHECK: TADDS(v7, v8, 1.0f);
// CHECK-NEXT: pipe_barrier(PIPE_V);
