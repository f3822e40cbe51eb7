// softmax-sum-add: TROWSUM ends with pipe_barrier(PIPE_V), which drains the TMUL two lines up
// and TROWSUM itself, so the explicit barrier before TADD is redundant even though TADD reads
// an alias of TROWSUM's dst and what TMUL wrote.
// RUN: %ptofix run --pattern softmax-sum-add %s | grep -v '^//' | FileCheck %s --implicit-check-not=pipe_barrier
// RUN: %ptofix run --pattern softmax-exp-sum %s | grep -v '^//' | FileCheck %s --check-prefix=EXPSUM --implicit-check-not=pipe_barrier
extern "C" __global__ AICORE void k() {
  const int64_t v2 = 0;
  const int64_t v3 = 256;
  const int64_t v4 = 16384;
  const int64_t v9 = 32768;
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v5;
  TASSIGN(v5, v2);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, v3);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v7;
  TASSIGN(v7, v4);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v10;
  TASSIGN(v10, v9);
  Tile<TileType::Vec, float, 1, 32, BLayout::RowMajor, 1, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v11;
  TRESHAPE(v11, v5);
  Tile<TileType::Vec, float, 1, 32, BLayout::RowMajor, 1, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v12;
  TRESHAPE(v12, v6);
  TEXP(v7, v7);
  TMUL(v11, v11, v11);
  pipe_barrier(PIPE_V);
  TROWSUM(v6, v7, v10);
  pipe_barrier(PIPE_V);
  TADD(v11, v11, v12);
}
// CHECK: TMUL(v11, v11, v11);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// CHECK-NEXT: TROWSUM(v6, v7, v10);
// CHECK-NEXT: /* ptofix: removed pipe_barrier(PIPE_V) (softmax-sum-add) */
// CHECK-NEXT: TADD(v11, v11, v12);
// TEXP -> TROWSUM is a true RAW on v7 read with a reduction pattern: the barrier stays.
// EXPSUM: TMUL(v11, v11, v11);
// EXPSUM-NEXT: pipe_barrier(PIPE_V);
// EXPSUM-NEXT: TROWSUM
// EXPSUM-NEXT: pipe_barrier(PIPE_V);
