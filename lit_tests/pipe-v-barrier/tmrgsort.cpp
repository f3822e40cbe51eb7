// TMRGSORT (pto-isa TMrgSort.hpp): the two-list form merges a and b into tmp, drains PIPE_V, then
// copies dst's valid columns from tmp into dst; only that copy is in flight after the call. In
// k_two_lists the TEXP before it touches none of its bytes and the TEXP after it rewrites a
// source the drained merge has read: both barriers go; the TADD rewrites dst, which the copy
// writes: kept. In k_single_list TMRGSORT(d, s, 64) merges s's four 64-float blocks straight into
// d, with no barrier: the TEXP of s after it keeps its barrier. In k_run_time_block_len the model
// cannot tell how far the merge reaches: the barrier before it stays.
// RUN: %ptofix run --pattern auto --report text %s 2>%t.txt | filecheck %s
// RUN: filecheck %s --check-prefix=REPORT < %t.txt
extern "C" __global__ AICORE void k_two_lists(pto::MrgSortExecutedNumList v1) {
  Tile<TileType::Vec, float, 1, 128, BLayout::RowMajor, 1, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v2;
  TASSIGN(v2, 0);
  Tile<TileType::Vec, float, 1, 128, BLayout::RowMajor, 1, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v3;
  TASSIGN(v3, 512);
  Tile<TileType::Vec, float, 1, 256, BLayout::RowMajor, 1, 256, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v4;
  TASSIGN(v4, 1024);
  Tile<TileType::Vec, float, 1, 256, BLayout::RowMajor, 1, 256, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v5;
  TASSIGN(v5, 2048);
  Tile<TileType::Vec, float, 1, 64, BLayout::RowMajor, 1, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, 4096);
  TEXP(v6, v6);
  pipe_barrier(PIPE_V);
  TMRGSORT<Tile<TileType::Vec, float, 1, 256, BLayout::RowMajor, 1, 256, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>, Tile<TileType::Vec, float, 1, 256, BLayout::RowMajor, 1, 256, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>, Tile<TileType::Vec, float, 1, 128, BLayout::RowMajor, 1, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>, Tile<TileType::Vec, float, 1, 128, BLayout::RowMajor, 1, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>, true>(v4, v1, v5, v2, v3);
  pipe_barrier(PIPE_V);
  TEXP(v2, v2);
  pipe_barrier(PIPE_V);
  TADD(v4, v4, v4);
}
extern "C" __global__ AICORE void k_single_list() {
  Tile<TileType::Vec, float, 1, 256, BLayout::RowMajor, 1, 256, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v2;
  TASSIGN(v2, 0);
  Tile<TileType::Vec, float, 1, 256, BLayout::RowMajor, 1, 256, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v3;
  TASSIGN(v3, 1024);
  Tile<TileType::Vec, float, 1, 64, BLayout::RowMajor, 1, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, 4096);
  TEXP(v6, v6);
  pipe_barrier(PIPE_V);
  TMRGSORT(v2, v3, 64);
  pipe_barrier(PIPE_V);
  TEXP(v3, v3);
}
extern "C" __global__ AICORE void k_run_time_block_len(uint32_t v1) {
  Tile<TileType::Vec, float, 1, 256, BLayout::RowMajor, 1, 256, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v2;
  TASSIGN(v2, 0);
  Tile<TileType::Vec, float, 1, 256, BLayout::RowMajor, 1, 256, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v3;
  TASSIGN(v3, 1024);
  Tile<TileType::Vec, float, 1, 64, BLayout::RowMajor, 1, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, 4096);
  TEXP(v6, v6);
  pipe_barrier(PIPE_V);
  TMRGSORT(v2, v3, v1);
}
// CHECK: TEXP(v6, v6);
// CHECK-NEXT: /* ptofix: removed pipe_barrier(PIPE_V)
// CHECK: (v4, v1, v5, v2, v3);
// CHECK-NEXT: /* ptofix: removed pipe_barrier(PIPE_V)
// CHECK: TEXP(v2, v2);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// CHECK: TEXP(v6, v6);
// CHECK-NEXT: /* ptofix: removed pipe_barrier(PIPE_V)
// CHECK: TMRGSORT(v2, v3, 64);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// CHECK: TEXP(v6, v6);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// REPORT: tmrgsort.cpp:22:3: removed (auto, TEXP -> TMRGSORT)
// REPORT: tmrgsort.cpp:24:3: removed (auto, TMRGSORT -> TEXP)
// REPORT: tmrgsort.cpp:26:3: kept (auto, TEXP -> TADD): needed once the barrier at 24:3 is removed: WAW: TMRGSORT write v4 [1024,2048)
// REPORT: tmrgsort.cpp:37:3: removed (auto, TEXP -> TMRGSORT)
// REPORT: tmrgsort.cpp:39:3: kept (auto, TMRGSORT -> TEXP): WAR: TMRGSORT read v3 [1024,2048)
// REPORT: tmrgsort.cpp:50:3: kept (auto, TEXP -> TMRGSORT): {{.*}}how far it merges
