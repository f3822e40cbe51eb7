// SYNCALL() touches no UB and does no vector work, but is no drain: under __PTO_AUTO__ its body
// is empty (pto-isa SyncAll.hpp). k_disjoint's barrier goes; in k_same_tile TEXP's work on v1 (8
// repeats: too few for a same-access chain) may still be in flight across SYNCALL, and the barrier stays.
// RUN: %ptofix run --pattern auto --report text %s 2>%t.txt | filecheck %s
// RUN: filecheck %s --check-prefix=REPORT < %t.txt
extern "C" __global__ AICORE void k_disjoint() {
  Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v1;
  TASSIGN(v1, 0);
  Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v2;
  TASSIGN(v2, 4096);
  TEXP(v1, v1);
  SYNCALL<SyncCoreType::AIVOnly>();
  pipe_barrier(PIPE_V);
  TEXP(v2, v2);
}
extern "C" __global__ AICORE void k_same_tile() {
  Tile<TileType::Vec, float, 8, 64, BLayout::RowMajor, 8, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v1;
  TASSIGN(v1, 0);
  TEXP(v1, v1);
  SYNCALL<SyncCoreType::AIVOnly>();
  pipe_barrier(PIPE_V);
  TEXP(v1, v1);
}
// CHECK: SYNCALL<SyncCoreType::AIVOnly>();
// CHECK-NEXT: /* ptofix: removed pipe_barrier(PIPE_V)
// CHECK: SYNCALL<SyncCoreType::AIVOnly>();
// CHECK-NEXT: pipe_barrier(PIPE_V);
// REPORT: syncall.cpp:13:3: removed (auto, TEXP -> TEXP)
// REPORT: syncall.cpp:21:3: kept (auto, TEXP -> TEXP): WAW: TEXP write v1 [0,2048) at 19:3 -> TEXP write v1
