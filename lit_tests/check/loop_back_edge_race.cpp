// The last op of a loop body and the first op of the next iteration may overlap: a race across the
// loop back-edge; --fix puts the barrier where every path to the later op passes.
// RUN: not %ptofix check %s 2>&1 | FileCheck %s --implicit-check-not=warning:
// RUN: %ptofix check --fix %s 2>/dev/null > %t.cpp
// RUN: grep -v '^//' %t.cpp | FileCheck %s --check-prefix=FIX --implicit-check-not=pipe_barrier
// RUN: %ptofix check %t.cpp
__global__ AICORE void k() {
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null> a;
  TASSIGN(a, 0);
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null> b;
  TASSIGN(b, 4096);
  for (int32_t i = 0; i < 4; i += 1) {
    TEXP(a, a);
    pipe_barrier(PIPE_V);
    TMULS(b, b, 0.5f);
  }
}
// CHECK: loop_back_edge_race.cpp:13:5: warning: WAW race: TEXP writes a [4096, 8192), which TMULS (line 15) may still write
// CHECK-NEXT: 13 | TEXP(a, a);
// CHECK-NEXT: | ^~~~
// CHECK-NEXT: loop_back_edge_race.cpp:15:5: note: TMULS writes b [4096, 12288) here; no PIPE_V drain between them across the loop back-edge
// CHECK-NEXT: 15 | TMULS(b, b, 0.5f);
// CHECK-NEXT: | ^~~~~
// FIX: for (int32_t i = 0; i < 4; i += 1) {
// FIX-NEXT:     /* ptofix: WAW on a with input line 15 */ pipe_barrier(PIPE_V);
// FIX-NEXT: TEXP(a, a);
// FIX-NEXT: pipe_barrier(PIPE_V);
// FIX-NEXT: TMULS(b, b, 0.5f);
