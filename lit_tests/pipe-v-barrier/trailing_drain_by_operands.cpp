// Ops whose own last barrier depends on their operands (pto-isa a2a3 TColSum.hpp,
// TRowReduceIdxOps.hpp, TColReduceIdx.hpp): a barrier right after a call that ends with one is
// redundant, after one that does not it stays.
// RUN: %ptofix run --pattern auto %s | filecheck %s
extern "C" __global__ AICORE void k_colsum(__gm__ float* v0) {
  Tile<TileType::Vec, float, 1, 64, BLayout::RowMajor, 1, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v1;
  TASSIGN(v1, 0);
  Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v2;
  TASSIGN(v2, 1024);
  Tile<TileType::Vec, float, 1, 64, BLayout::RowMajor, 1, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v3;
  TASSIGN(v3, 8192);
  // 16 valid rows without a tmp: the sequential sum ends with a barrier.
  TCOLSUM(v1, v2);
  pipe_barrier(PIPE_V);
  TADD(v1, v1, v1);
  // One valid row: a copy and no barrier.
  TCOLSUM(v1, v3);
  pipe_barrier(PIPE_V);
  TADD(v1, v1, v1);
}
// CHECK-LABEL: k_colsum
// CHECK: TCOLSUM(v1, v2);
// CHECK-NEXT: /* ptofix: removed pipe_barrier(PIPE_V)
// CHECK: TCOLSUM(v1, v3);
// CHECK-NEXT: {{^  }}pipe_barrier(PIPE_V);
extern "C" __global__ AICORE void k_argmax(__gm__ float* v0) {
  Tile<TileType::Vec, int32_t, 16, 8, BLayout::RowMajor, 16, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v1;
  TASSIGN(v1, 0);
  Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v2;
  TASSIGN(v2, 1024);
  Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v3;
  TASSIGN(v3, 8192);
  Tile<TileType::Vec, int32_t, 1, 64, BLayout::RowMajor, 1, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v4;
  TASSIGN(v4, 16384);
  Tile<TileType::Vec, half, 16, 64, BLayout::RowMajor, 16, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v5;
  TASSIGN(v5, 20480);
  Tile<TileType::Vec, half, 16, 64, BLayout::RowMajor, 16, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, 24576);
  // A valid row: every path ends with a barrier.
  TROWARGMAX(v1, v2, v3);
  pipe_barrier(PIPE_V);
  TADD(v1, v1, v1);
  // 4-byte data and a valid column: each column block ends with a barrier.
  TCOLARGMIN(v4, v2, v3);
  pipe_barrier(PIPE_V);
  TADD(v4, v4, v4);
  // 2-byte data: a pto-isa of March 2026 ends with a conversion into dst and no barrier.
  TCOLARGMAX(v4, v5, v6);
  pipe_barrier(PIPE_V);
  TADD(v4, v4, v4);
}
// CHECK-LABEL: k_argmax
// CHECK: TROWARGMAX(v1, v2, v3);
// CHECK-NEXT: /* ptofix: removed pipe_barrier(PIPE_V)
// CHECK: TCOLARGMIN(v4, v2, v3);
// CHECK-NEXT: /* ptofix: removed pipe_barrier(PIPE_V)
// CHECK: TCOLARGMAX(v4, v5, v6);
// CHECK-NEXT: {{^  }}pipe_barrier(PIPE_V);
