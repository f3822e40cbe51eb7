// Removing B1 or B2 alone is provable, removing both is not (TROWEXPANDMUL's multiply still reads
// the hidden scratch that TROWEXPANDDIV's broadcast rewrites). B2 runs 8 times a call, B1 once:
// the removal that saves more is made and the cheaper barrier stays; `--weight` overrides it.
// RUN: %ptofix run --pattern auto --report text %s 2>%t.txt | grep -v '^//' | FileCheck %s --implicit-check-not=pipe_barrier
// RUN: filecheck %s --check-prefix=REPORT < %t.txt
// RUN: %ptofix run --pattern auto --weight 20=100 %s | grep -v '^//' | FileCheck %s --check-prefix=OVERRIDE --implicit-check-not=pipe_barrier
__global__ AICORE void k() {
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null> a;
  TASSIGN(a, 0);
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null> b;
  TASSIGN(b, 8192);
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null> c;
  TASSIGN(c, 16384);
  Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 16, 1, SLayout::NoneBox, 512, PadValue::Null> r;
  TASSIGN(r, 32768);
  Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 16, 1, SLayout::NoneBox, 512, PadValue::Null> s;
  TASSIGN(s, 32832);
  pipe_barrier(PIPE_ALL);
  TROWEXPANDMUL(a, a, r);
  pipe_barrier(PIPE_V);
  for (int32_t i = 0; i < 8; i += 1) {
    TADDS(b, b, 1.0f);
    pipe_barrier(PIPE_V);
    TROWEXPANDDIV(c, c, s);
    pipe_barrier(PIPE_V);
  }
}
// CHECK: pipe_barrier(PIPE_ALL);
// CHECK-NEXT: TROWEXPANDMUL(a, a, r);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// CHECK: TADDS(b, b, 1.0f);
// CHECK-NEXT: /* ptofix: removed pipe_barrier(PIPE_V) (auto) */
// CHECK-NEXT: TROWEXPANDDIV(c, c, s);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// REPORT: cost_choice.cpp:20:3: kept
// REPORT: cost_choice.cpp:23:5: removed
// REPORT: pipe-v-barrier: k: estimated 17 -> {{[0-9]+}} barrier executions per call
// OVERRIDE: pipe_barrier(PIPE_ALL);
// OVERRIDE-NEXT: TROWEXPANDMUL(a, a, r);
// OVERRIDE-NEXT: /* ptofix: removed pipe_barrier(PIPE_V) (auto) */
// OVERRIDE: TADDS(b, b, 1.0f);
// OVERRIDE-NEXT: pipe_barrier(PIPE_V);
// OVERRIDE-NEXT: TROWEXPANDDIV(c, c, s);
// OVERRIDE-NEXT: /* ptofix: removed pipe_barrier(PIPE_V) (auto) */
