// TCONCAT(dst, src0, src1) copies src0's valid columns and then src1's into each of dst's valid
// rows by whole 32-byte blocks (pto-isa TConcat.hpp). In k_disjoint nothing in flight touches its
// operands: the barrier goes. In k_narrow_src1 src1 has fewer columns than src0, and pto-isa
// before 4be01306 copies src0's block count (256 bytes a row) from src1 to dst's column 64: past
// dst's 72-column rows and past the 8 x 8 src1, into v4, which TEXP writes: the barrier stays.
// RUN: %ptofix run --pattern auto --report text %s 2>%t.txt | filecheck %s
// RUN: filecheck %s --check-prefix=REPORT < %t.txt
extern "C" __global__ AICORE void k_disjoint() {
  Tile<TileType::Vec, float, 8, 128, BLayout::RowMajor, 8, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v1;
  TASSIGN(v1, 0);
  Tile<TileType::Vec, float, 8, 64, BLayout::RowMajor, 8, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v2;
  TASSIGN(v2, 4096);
  Tile<TileType::Vec, float, 8, 64, BLayout::RowMajor, 8, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v3;
  TASSIGN(v3, 6144);
  Tile<TileType::Vec, float, 8, 64, BLayout::RowMajor, 8, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v4;
  TASSIGN(v4, 8192);
  TEXP(v4, v4);
  pipe_barrier(PIPE_V);
  TCONCAT(v1, v2, v3);
}
extern "C" __global__ AICORE void k_narrow_src1() {
  Tile<TileType::Vec, float, 8, 72, BLayout::RowMajor, 8, 72, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v1;
  TASSIGN(v1, 0);
  Tile<TileType::Vec, float, 8, 64, BLayout::RowMajor, 8, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v2;
  TASSIGN(v2, 4096);
  Tile<TileType::Vec, float, 8, 8, BLayout::RowMajor, 8, 8, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v3;
  TASSIGN(v3, 6144);
  Tile<TileType::Vec, float, 8, 64, BLayout::RowMajor, 8, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v4;
  TASSIGN(v4, 6400);
  TEXP(v4, v4);
  pipe_barrier(PIPE_V);
  TCONCAT(v1, v2, v3);
}
// CHECK: TEXP(v4, v4);
// CHECK-NEXT: /* ptofix: removed pipe_barrier(PIPE_V)
// CHECK: TEXP(v4, v4);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// REPORT: tconcat.cpp:18:3: removed (auto, TEXP -> TCONCAT)
// REPORT: tconcat.cpp:31:3: kept (auto, TEXP -> TCONCAT): WAW: {{.*}}TCONCAT walks 8 rows of 512 bytes over 'v1', a 8 x 72 tile: past its end
