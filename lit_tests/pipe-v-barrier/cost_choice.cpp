// Removing B1 or B2 alone is provable, removing both is not (TROWEXPANDMUL's multiply still reads
// the hidden scratch that TROWEXPANDDIV's broadcast rewrites); neither can go together with B3
// either. B2 and B3 run 8 times a call, B1 once: the greedy pass, heaviest first (B2 before B3 in
// file order), removes B2 alone (8 executions saved); giving B2 back lets B1 and B3 go (9 saved),
// so that is the set made, and B2 says which removals made it needed. `--weight` overrides the
// estimate: at 100 executions B2 alone saves the most.
// RUN: %ptofix run --pattern auto --report text %s 2>%t.txt | grep -v '^//' | FileCheck %s --implicit-check-not=pipe_barrier
// RUN: filecheck %s --check-prefix=REPORT < %t.txt
// RUN: %ptofix run --pattern auto --weight 26=100 %s | grep -v '^//' | FileCheck %s --check-prefix=OVERRIDE --implicit-check-not=pipe_barrier
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
// CHECK-NEXT: /* ptofix: removed pipe_barrier(PIPE_V) (auto) */
// CHECK: TADDS(b, b, 1.0f);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// CHECK-NEXT: TROWEXPANDDIV(c, c, s);
// CHECK-NEXT: /* ptofix: removed pipe_barrier(PIPE_V) (auto) */
// REPORT: cost_choice.cpp:23:3: removed
// REPORT: cost_choice.cpp:26:5: kept (auto, TADDS -> TROWEXPANDDIV): needed once the barriers at 23:3, 28:5 are removed: WAR: TROWEXPANDMUL read <hidden TMP_UB scratch>
// REPORT: cost_choice.cpp:28:5: removed
// REPORT: pipe-v-barrier: k: estimated 17 -> 8 barrier executions per call
// OVERRIDE: pipe_barrier(PIPE_ALL);
// OVERRIDE-NEXT: TROWEXPANDMUL(a, a, r);
// OVERRIDE-NEXT: pipe_barrier(PIPE_V);
// OVERRIDE: TADDS(b, b, 1.0f);
// OVERRIDE-NEXT: /* ptofix: removed pipe_barrier(PIPE_V) (auto) */
// OVERRIDE-NEXT: TROWEXPANDDIV(c, c, s);
// OVERRIDE-NEXT: pipe_barrier(PIPE_V);
