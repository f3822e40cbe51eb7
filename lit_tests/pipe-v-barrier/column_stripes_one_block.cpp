// Column stripes of a 16 x 64 float buffer (rows of 256 bytes, 16 x 32 valid): v5 at 0 covers
// bytes [r*256, r*256+128) of each row, v6 at 96 starts one 32-byte block inside it, so TADDS's
// read of v6 meets the earlier write of v5 in every row and the barrier stays (rule18 red team;
// passes on main). The model reads each stripe as its whole tile, [a, a + 16 * 256),
// so even v6 at 128 (the next stripe) keeps it; the second RUN starts v6 at 4096, past v5's span.
// RUN: %ptofix run --pattern auto --report text %s 2>&1 >/dev/null | filecheck %s
// RUN: sed 's/TASSIGN(v6, 96)/TASSIGN(v6, 4096)/' %s > %t.cpp
// RUN: %ptofix run --pattern auto --report text %t.cpp 2>&1 >/dev/null | filecheck %s --check-prefix=FIXED
extern "C" __global__ AICORE void k() {
  Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v5;
  TASSIGN(v5, 0);
  Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, 96);
  Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v7;
  TASSIGN(v7, 32768);
  Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v8;
  TASSIGN(v8, 49152);
  TADDS(v5, v7, 1.0f);
  pipe_barrier(PIPE_V);
  TADDS(v8, v6, 2.0f);
}
// CHECK: :19:3: kept (auto, TADDS -> TADDS
// CHECK-SAME: RAW: TADDS write v5 [0,4096) at 18:3 -> TADDS read v6 [96,4192) at 20:3
// FIXED: :19:3: removed (auto,
// FIXED-SAME: proved: 1 op pair(s) across it have no RAW/WAR/WAW byte overlap
