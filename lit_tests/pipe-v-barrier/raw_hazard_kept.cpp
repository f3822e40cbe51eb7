// A plain RAW between different-shaped accesses must keep its barrier; --force removes it with a
// warning naming the hazard.
// RUN: %ptofix run --pattern auto %s | grep -v '^//' | FileCheck %s --implicit-check-not=pipe_barrier
// RUN: %ptofix run --pattern auto --force %s 2>&1 | filecheck %s --check-prefix=FORCE
extern "C" __global__ AICORE void k() {
  const int64_t v2 = 0;
  const int64_t v3 = 16384;
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v5;
  TASSIGN(v5, v2);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, v3);
  TEXP(v5, v5);
  pipe_barrier(PIPE_V);
  TROWSUM(v6, v5, v5);
}
// CHECK: TEXP(v5, v5);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// FORCE: warning: --force removed an unproven PIPE_V barrier: RAW: TEXP write v5 [0,16384)
// FORCE: /* ptofix: removed pipe_barrier(PIPE_V) (auto, FORCED) */
