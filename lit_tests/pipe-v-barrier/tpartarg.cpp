// TPARTARGMAX/TPARTARGMIN(dst, src0, src1, dstIdx, src0Idx, src1Idx) walk each operand at its own
// row pitch, no further than the largest valid shape among them (pto-isa TPartArgOp.hpp). In
// k_disjoint TEXP's tile is none of them: the barrier goes. In k_short_src1 src1 and its indices
// are 8-row tiles under a 16-row dst: the compare and the copy of the larger source's rows walk
// 16 rows, past them. Their bytes are unknown, TEXP's write may be among them: the barrier stays.
// RUN: %ptofix run --pattern auto --report text %s 2>%t.txt | filecheck %s
// RUN: filecheck %s --check-prefix=REPORT < %t.txt
extern "C" __global__ AICORE void k_disjoint() {
  Tile<TileType::Vec, float, 16, 32, BLayout::RowMajor, 16, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v1;
  TASSIGN(v1, 0);
  Tile<TileType::Vec, float, 16, 32, BLayout::RowMajor, 16, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v2;
  TASSIGN(v2, 2048);
  Tile<TileType::Vec, float, 16, 32, BLayout::RowMajor, 16, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v3;
  TASSIGN(v3, 4096);
  Tile<TileType::Vec, uint32_t, 16, 32, BLayout::RowMajor, 16, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v4;
  TASSIGN(v4, 6144);
  Tile<TileType::Vec, uint32_t, 16, 32, BLayout::RowMajor, 16, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v5;
  TASSIGN(v5, 8192);
  Tile<TileType::Vec, uint32_t, 16, 32, BLayout::RowMajor, 16, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, 10240);
  Tile<TileType::Vec, float, 16, 32, BLayout::RowMajor, 16, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v9;
  TASSIGN(v9, 12288);
  TEXP(v9, v9);
  pipe_barrier(PIPE_V);
  TPARTARGMAX(v1, v2, v3, v4, v5, v6);
}
extern "C" __global__ AICORE void k_short_src1() {
  Tile<TileType::Vec, float, 16, 32, BLayout::RowMajor, 16, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v1;
  TASSIGN(v1, 0);
  Tile<TileType::Vec, float, 16, 32, BLayout::RowMajor, 16, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v2;
  TASSIGN(v2, 2048);
  Tile<TileType::Vec, float, 8, 32, BLayout::RowMajor, 8, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v3;
  TASSIGN(v3, 4096);
  Tile<TileType::Vec, uint32_t, 16, 32, BLayout::RowMajor, 16, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v4;
  TASSIGN(v4, 6144);
  Tile<TileType::Vec, uint32_t, 16, 32, BLayout::RowMajor, 16, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v5;
  TASSIGN(v5, 8192);
  Tile<TileType::Vec, uint32_t, 8, 32, BLayout::RowMajor, 8, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, 10240);
  Tile<TileType::Vec, float, 16, 32, BLayout::RowMajor, 16, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v9;
  TASSIGN(v9, 12288);
  TEXP(v9, v9);
  pipe_barrier(PIPE_V);
  TPARTARGMIN(v1, v2, v3, v4, v5, v6);
}
// CHECK: TEXP(v9, v9);
// CHECK-NEXT: /* ptofix: removed pipe_barrier(PIPE_V)
// CHECK: TEXP(v9, v9);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// REPORT: tpartarg.cpp:24:3: removed (auto, TEXP -> TPARTARGMAX)
// REPORT: tpartarg.cpp:43:3: kept (auto, TEXP -> TPARTARGMIN): {{.*}}TPARTARGMIN walks 16 x 32 elements over 'v3', a 8 x 32 tile: past its end
