// Two no-tmp TROWEXPANDMULs with ColMajor per-row operands (different tiles) and no barrier between
// them share the hidden UB scratch: check reports it at the second op, --fix inserts one barrier,
// and the fixed file checks clean; `run --pattern auto` keeps the inserted barrier.
// RUN: not %ptofix check %s 2>&1 | FileCheck %s --implicit-check-not=warning:
// RUN: %ptofix check --fix %s -o %t.cpp
// RUN: grep -v '^//' %t.cpp | FileCheck %s --check-prefix=FIX --implicit-check-not=pipe_barrier
// RUN: grep -c "^  /\* ptofix" %t.cpp | filecheck %s --check-prefix=COUNT
// RUN: %ptofix check %t.cpp
// RUN: %ptofix check --fix %t.cpp --check
// RUN: %ptofix run --pattern auto %t.cpp | grep -v '^//' | FileCheck %s --check-prefix=KEPT --implicit-check-not=pipe_barrier
__global__ AICORE void k() {
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null> v5;
  TASSIGN(v5, 0);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null> v6;
  TASSIGN(v6, 16384);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null> v7;
  TASSIGN(v7, 32768);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null> v8;
  TASSIGN(v8, 33024);
  TROWEXPANDMUL(v5, v5, v7);
  TROWEXPANDMUL(v6, v6, v8);
}
// CHECK: hidden_scratch_race.cpp:21:3: warning: WAR race: TROWEXPANDMUL.vbrcb writes <hidden TMP_UB scratch> [188416, 196608), which TROWEXPANDMUL (line 20) may still read
// CHECK-NEXT: 21 | TROWEXPANDMUL(v6, v6, v8);
// CHECK-NEXT: | ^~~~~~~~~~~~~
// CHECK-NEXT: hidden_scratch_race.cpp:20:3: note: TROWEXPANDMUL reads <hidden TMP_UB scratch> [188416, 196608) here; no PIPE_V drain between them in straight-line code
// CHECK-NEXT: 20 | TROWEXPANDMUL(v5, v5, v7);
// CHECK-NEXT: | ^~~~~~~~~~~~~
// FIX: TROWEXPANDMUL(v5, v5, v7);
// FIX-NEXT: /* ptofix: WAR on <hidden TMP_UB scratch> with input line 20 */ pipe_barrier(PIPE_V);
// FIX-NEXT: TROWEXPANDMUL(v6, v6, v8);
// KEPT:   /* ptofix: WAR on <hidden TMP_UB scratch> with input line 20 */ pipe_barrier(PIPE_V);
// COUNT: 1
