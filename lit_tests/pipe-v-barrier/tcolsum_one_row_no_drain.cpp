// TCOLSUM without a tmp ends with a pipe_barrier(PIPE_V) only when src has at least two static
// valid rows (barrier-proof.md, Windows and drains): with one row it drains nothing, so TADDS's
// write of v5 is still in flight at the barrier and the later read of v5 keeps it (rule18 red
// team; passes on main). The second RUN gives src two rows: TCOLSUM drains and the barrier goes.
// RUN: %ptofix run --pattern auto --report text %s 2>&1 >/dev/null | filecheck %s
// RUN: sed 's/float, 1, 64, BLayout::RowMajor, 1, 64,\(.*\) v6;/float, 2, 64, BLayout::RowMajor, 2, 64,\1 v6;/' %s > %t.cpp
// RUN: %ptofix run --pattern auto --report text %t.cpp 2>&1 >/dev/null | filecheck %s --check-prefix=FIXED
extern "C" __global__ AICORE void k() {
  Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v5;
  TASSIGN(v5, 65536);
  Tile<TileType::Vec, float, 1, 64, BLayout::RowMajor, 1, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, 0);
  Tile<TileType::Vec, float, 1, 64, BLayout::RowMajor, 1, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v7;
  TASSIGN(v7, 8192);
  Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v8;
  TASSIGN(v8, 32768);
  Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v9;
  TASSIGN(v9, 98304);
  TADDS(v5, v8, 1.0f);
  TCOLSUM(v7, v6);
  pipe_barrier(PIPE_V);
  TADD(v9, v5, v8);
}
// CHECK: :21:3: kept (auto, TCOLSUM -> TADD
// CHECK-SAME: RAW: TADDS write v5 [65536,69632) at 19:3 -> TADD read v5 [65536,69632) at 22:3
// FIXED: :21:3: removed (auto,
// FIXED-SAME: redundant: no PIPE_V op can be in flight across it
