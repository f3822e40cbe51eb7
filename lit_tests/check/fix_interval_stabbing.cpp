// --fix places the fewest barriers: of three races in one statement list (24->25 and 23->26
// overlap, 25->27 does not overlap 24->25) two are stabbed by one barrier before line 25, the
// third needs one more; the chains (a: 23->25, c: 24->26) are no races under --same-access-chains.
// The output checks clean, a second --fix changes nothing, `opt -p pipe-v-barrier-insert` is the
// same pass, and `run --pattern auto` removes none of the inserted barriers (only the original,
// redundant one).
// RUN: %ptofix check --same-access-chains --fix %s -o %t.cpp 2>/dev/null
// RUN: grep -v '^//' %t.cpp | FileCheck %s --implicit-check-not=pipe_barrier
// RUN: %ptofix check --same-access-chains %t.cpp
// RUN: %ptofix check --same-access-chains --fix --check %t.cpp
// RUN: %ptofix opt -p "pipe-v-barrier-insert{same-access-chains=1}" %s | diff - %t.cpp
// RUN: %ptofix run --same-access-chains --pattern auto %t.cpp | grep -v '^//' | FileCheck %s --check-prefix=KEPT
__global__ AICORE void k() {
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null> a;
  TASSIGN(a, 0);
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null> b;
  TASSIGN(b, 8192);
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null> c;
  TASSIGN(c, 16384);
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null> d;
  TASSIGN(d, 24576);
  pipe_barrier(PIPE_V);
  TABS(a, b);
  TABS(c, d);
  TMULS(d, a, 2.0f);
  TMULS(b, c, 2.0f);
  TADDS(a, a, 1.0f);
}
// CHECK: pipe_barrier(PIPE_V);
// CHECK-NEXT: TABS(a, b);
// CHECK-NEXT: TABS(c, d);
// CHECK-NEXT:   /* ptofix: WAR on d with input line 24 */ pipe_barrier(PIPE_V);
// CHECK-NEXT: TMULS(d, a, 2.0f);
// CHECK-NEXT: TMULS(b, c, 2.0f);
// CHECK-NEXT:   /* ptofix: WAR on a with input line 25 */ pipe_barrier(PIPE_V);
// CHECK-NEXT: TADDS(a, a, 1.0f);
// KEPT: ptofix: removed pipe_barrier(PIPE_V) (auto)
// KEPT-NOT: ptofix: removed
// KEPT: /* ptofix: WAR on d with input line 24 */ pipe_barrier(PIPE_V);
// KEPT: /* ptofix: WAR on a with input line 25 */ pipe_barrier(PIPE_V);
// Under msSanitizer's a2/a3 rule (the default) the chains are races: --fix separates them too.
// RUN: %ptofix check --fix %s -o %t.default.cpp 2>/dev/null
// RUN: grep -v '^//' %t.default.cpp | FileCheck %s --check-prefix=DEFAULT
// RUN: %ptofix opt -p pipe-v-barrier-insert %s | diff - %t.default.cpp
// RUN: %ptofix check %t.default.cpp
// DEFAULT: TABS(c, d);
// DEFAULT-NEXT: /* ptofix: RAW on a with input line 23 */ pipe_barrier(PIPE_V);
// DEFAULT-NEXT: TMULS(d, a, 2.0f);
// DEFAULT-NEXT: TMULS(b, c, 2.0f);
// DEFAULT-NEXT: /* ptofix: WAR on a with input line 25 */ pipe_barrier(PIPE_V);
// DEFAULT-NEXT: TADDS(a, a, 1.0f);
