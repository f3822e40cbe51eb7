// A TRESHAPE alias re-made in one branch only: v7 aliases v5 (4096) or, when v1 > 3, v6 (0), so
// TADDS's read of v7 may meet the write of v6 and the barrier stays, the reason naming both
// addresses (rule18 red team; passes on main). The second RUN drops the branch: v7 is v5's bytes
// alone, disjoint from v6's, and the barrier goes.
// RUN: %ptofix run --pattern auto --report text %s 2>&1 >/dev/null | filecheck %s
// RUN: sed '/^  if (v1/d' %s > %t.cpp
// RUN: %ptofix run --pattern auto --report text %t.cpp 2>&1 >/dev/null | filecheck %s --check-prefix=FIXED
extern "C" __global__ AICORE void k(int32_t v1) {
  Tile<TileType::Vec, float, 8, 64, BLayout::RowMajor, 8, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v5;
  TASSIGN(v5, 4096);
  Tile<TileType::Vec, float, 8, 64, BLayout::RowMajor, 8, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, 0);
  Tile<TileType::Vec, float, 1, 512, BLayout::RowMajor, 1, 512, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v7;
  TRESHAPE(v7, v5);
  if (v1 > 3) { TRESHAPE(v7, v6); }
  Tile<TileType::Vec, float, 8, 64, BLayout::RowMajor, 8, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v8;
  TASSIGN(v8, 16384);
  Tile<TileType::Vec, float, 1, 512, BLayout::RowMajor, 1, 512, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v9;
  TASSIGN(v9, 32768);
  TADDS(v6, v8, 1.0f);
  pipe_barrier(PIPE_V);
  TADDS(v9, v7, 2.0f);
}
// CHECK: :21:3: kept (auto, TADDS -> TADDS
// CHECK-SAME: RAW: TADDS write v6 [0,2048) at 20:3 -> TADDS read v7 [0,2048),[4096,6144) at 22:3
// FIXED: :20:3: removed (auto,
// FIXED-SAME: proved: 1 op pair(s) across it have no RAW/WAR/WAW byte overlap
