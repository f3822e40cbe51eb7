// A tile whose address comes from a kernel argument may alias anything in UB: kept.
// Different memory spaces never alias: a Mat tile at the same offset does not conflict.
// RUN: %ptofix run --pattern auto %s | grep -v '^//' | FileCheck %s --implicit-check-not=pipe_barrier
extern "C" __global__ AICORE void k(int64_t v1) {
  const int64_t v2 = 0;
  const int64_t v3 = 65536;
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v5;
  TASSIGN(v5, v1);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, v3);
  TADDS(v6, v6, 1.0f);
  pipe_barrier(PIPE_V);
  TMULS(v5, v5, 2.0f);
}
// CHECK: TADDS(v6, v6, 1.0f);
// CHECK-NEXT: pipe_barrier(PIPE_V);
