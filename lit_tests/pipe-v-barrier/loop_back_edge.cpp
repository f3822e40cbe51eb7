// Across the loop back-edge the same-access exception does not apply: the in-place TMULS at the
// end of iteration i and the TADDS at the start of iteration i+1 keep their barrier. Inside one
// iteration the same chain is removable.
// RUN: %ptofix run --same-access-chains --pattern auto %s | grep -v '^//' | FileCheck %s --implicit-check-not=pipe_barrier
extern "C" __global__ AICORE void k(int32_t v1) {
  const int64_t v2 = 0;
  const int32_t v3 = 0;
  const int32_t v4 = 1;
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v5;
  TASSIGN(v5, v2);
  for (int32_t v6 = v3; v6 < v1; v6 += v4) {
    pipe_barrier(PIPE_V);
    TADDS(v5, v5, 1.0f);
    pipe_barrier(PIPE_V);
    TMULS(v5, v5, 2.0f);
  }
}
// CHECK: for (
// CHECK-NEXT: pipe_barrier(PIPE_V);
// CHECK-NEXT: TADDS(v5, v5, 1.0f);
// CHECK-NEXT: /* ptofix: removed pipe_barrier(PIPE_V) (auto) */
// The removals here rest on PTOAS #674 same-access chains: credited under --same-access-chains only.
