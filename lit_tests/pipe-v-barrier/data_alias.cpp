// TASSIGN(vB, reinterpret_cast<uint64_t>(vA.data() + off)) makes vB alias bytes of vA.
// RUN: %ptofix run --same-access-chains --pattern auto %s | grep -v '^//' | FileCheck %s --implicit-check-not=pipe_barrier
extern "C" __global__ AICORE void k() {
  const int64_t v2 = 0;
  const int64_t v3 = 65536;
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v5;
  TASSIGN(v5, v2);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, v3);
  __ubuf__ float* v7 = v5.data();
  __ubuf__ float* v8 = v7 + 2048;
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v9;
  uint64_t v10 = reinterpret_cast<uint64_t>(v8);
  TASSIGN(v9, v10);
  TADDS(v5, v6, 1.0f);
  pipe_barrier(PIPE_V);
  TMULS(v6, v9, 2.0f);
  pipe_barrier(PIPE_V);
  TMULS(v6, v6, 2.0f);
}
// The first barrier protects v9 = bytes [8192, 24576), which overlap v5: kept.
// CHECK: TADDS(v5, v6, 1.0f);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// The second one orders two in-place 64-repeat ops on v6: exact same-access chain, removed.
// CHECK: TMULS(v6, v9, 2.0f);
// CHECK-NEXT: /* ptofix: removed pipe_barrier(PIPE_V) (auto) */
// The removals here rest on PTOAS #674 same-access chains: credited under --same-access-chains only.
