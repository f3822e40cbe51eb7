// Same in-place chain but 15 valid rows of 64 floats = 15 repeats < 16: kept (PTOAS #646 test).
// RUN: %ptofix run --same-access-chains --pattern auto %s | grep -v '^//' | FileCheck %s --implicit-check-not=pipe_barrier
extern "C" __global__ AICORE void k() {
  const int64_t v2 = 0;
  Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 15, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v5;
  TASSIGN(v5, v2);
  Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, v2);
  TADD(v5, v5, v5);
  pipe_barrier(PIPE_V);
  TMULS(v5, v5, 2.0f);
  pipe_barrier(PIPE_V);
  TADD(v6, v6, v6);
  pipe_barrier(PIPE_V);
  TMULS(v6, v6, 2.0f);
}
// CHECK: TADD(v5, v5, v5);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// CHECK-NEXT: TMULS(v5, v5, 2.0f);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// CHECK: TADD(v6, v6, v6);
// CHECK-NEXT: /* ptofix: removed pipe_barrier(PIPE_V) (auto) */
// The removals here rest on PTOAS #674 same-access chains: credited under --same-access-chains only.
