// Two no-tmp row-expands that broadcast the same per-row tile into the hidden scratch: the second
// vbrcb rewrites the bytes the first op reads with identical values (k1: nothing writes v7 in
// between; docs/reference/pto-facts.md §2.4), yet msSanitizer flags the pair: a race of its own
// category (same per-row broadcast), with a note saying both, and --fix inserts its barrier. The
// same pair is a plain overlap race when the per-row
// bytes may change between the two broadcasts (k2: a vector op writes v7; k3: a TLOAD rewrites
// it, ordered before the second op by a flag), when the second op broadcasts a different tile at
// the same address (k4: another dtype), when the ops take more than one 240-row chunk (k5: the
// first op's last chunk reads rows 240.. while the second op's first chunk writes rows 0..),
// when a write of v7 may still be in flight at the first broadcast (k6), a scalar SetValue
// writes v7 in between (k7). When dst has more rows than the per-row tile (k8), the broadcast reads
// rows 32.. from bytes after v7, which nothing bounds: k8 is unverified, neither race nor clean.
// RUN: not %ptofix check %s 2>&1 | filecheck %s
// RUN: not %ptofix check %s 2>&1 | grep -c "warning:" | filecheck %s --check-prefix=COUNT
// RUN: %expect-exit 4 %ptofix check --fix %s -o %t.cpp
// RUN: grep -v '^//' %t.cpp | FileCheck %s --check-prefix=FIX
__global__ AICORE void k1() {
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null> v5;
  TASSIGN(v5, 0);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null> v6;
  TASSIGN(v6, 16384);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null> v7;
  TASSIGN(v7, 32768);
  TROWEXPANDMUL(v5, v5, v7);
  TMULS(v6, v6, 2.0f);
  TROWEXPANDDIV(v6, v6, v7);
}
__global__ AICORE void k2() {
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null> v5;
  TASSIGN(v5, 0);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null> v6;
  TASSIGN(v6, 16384);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null> v7;
  TASSIGN(v7, 32768);
  TROWEXPANDMUL(v5, v5, v7);
  TMULS(v7, v7, 2.0f);
  TROWEXPANDMUL(v6, v6, v7);
}
__global__ AICORE void k3(__gm__ float *x) {
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null> v5;
  TASSIGN(v5, 0);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null> v6;
  TASSIGN(v6, 16384);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null> v7;
  TASSIGN(v7, 32768);
  GlobalTensor<float, pto::Shape<1, 1, 1, 32, 1>, pto::Stride<32, 32, 32, 1, 1>, pto::Layout::DN> g =
      GlobalTensor<float, pto::Shape<1, 1, 1, 32, 1>, pto::Stride<32, 32, 32, 1, 1>, pto::Layout::DN>(x);
  TROWEXPANDMUL(v5, v5, v7);
  TLOAD(v7, g);
  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  TROWEXPANDMUL(v6, v6, v7);
}
__global__ AICORE void k4() {
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null> v5;
  TASSIGN(v5, 0);
  Tile<TileType::Vec, half, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null> v6;
  TASSIGN(v6, 16384);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null> v7;
  TASSIGN(v7, 32768);
  Tile<TileType::Vec, half, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null> v8;
  TASSIGN(v8, 32768);
  TROWEXPANDMUL(v5, v5, v7);
  TROWEXPANDMUL(v6, v6, v8);
}
__global__ AICORE void k5() {
  Tile<TileType::Vec, float, 256, 8, BLayout::RowMajor, 256, 8, SLayout::NoneBox, 512, PadValue::Null> v5;
  TASSIGN(v5, 0);
  Tile<TileType::Vec, float, 256, 8, BLayout::RowMajor, 256, 8, SLayout::NoneBox, 512, PadValue::Null> v6;
  TASSIGN(v6, 16384);
  Tile<TileType::Vec, float, 256, 1, BLayout::ColMajor, 256, 1, SLayout::NoneBox, 512, PadValue::Null> v7;
  TASSIGN(v7, 32768);
  TROWEXPANDMUL(v5, v5, v7);
  TROWEXPANDMUL(v6, v6, v7);
}
__global__ AICORE void k6() {
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null> v5;
  TASSIGN(v5, 0);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null> v6;
  TASSIGN(v6, 16384);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null> v7;
  TASSIGN(v7, 32768);
  TMULS(v7, v7, 2.0f);
  TROWEXPANDMUL(v5, v5, v7);
  TROWEXPANDMUL(v6, v6, v7);
}
__global__ AICORE void k7() {
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null> v5;
  TASSIGN(v5, 0);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null> v6;
  TASSIGN(v6, 16384);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null> v7;
  TASSIGN(v7, 32768);
  TROWEXPANDMUL(v5, v5, v7);
  v7.SetValue(0, 3.0f);
  TROWEXPANDMUL(v6, v6, v7);
}
__global__ AICORE void k8() {
  Tile<TileType::Vec, float, 64, 64, BLayout::RowMajor, 64, 64, SLayout::NoneBox, 512, PadValue::Null> v5;
  TASSIGN(v5, 0);
  Tile<TileType::Vec, float, 64, 64, BLayout::RowMajor, 64, 64, SLayout::NoneBox, 512, PadValue::Null> v6;
  TASSIGN(v6, 16384);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null> v7;
  TASSIGN(v7, 32768);
  TROWEXPANDMUL(v5, v5, v7);
  TMULS(v6, v6, 2.0f);
  TROWEXPANDMUL(v6, v6, v7);
}
// CHECK: hidden_scratch_same_broadcast.cpp:26:3: warning: WAR race (same per-row broadcast): TROWEXPANDDIV.vbrcb writes <hidden TMP_UB scratch> [188416, 196608), which TROWEXPANDMUL (line 24) may still read
// CHECK-NEXT: 26 |
// CHECK-NEXT: ^~~~~
// CHECK-NEXT: hidden_scratch_same_broadcast.cpp:24:3: note: TROWEXPANDMUL reads <hidden TMP_UB scratch> [188416, 196608) here; no PIPE_V drain between them in straight-line code; Ascend's msSanitizer flags this pair; the hidden scratch holds the same bytes whichever broadcast the earlier op reads (pto-facts §2.4)
// CHECK: hidden_scratch_same_broadcast.cpp:37:3: warning: WAR race: TROWEXPANDMUL.vbrcb writes <hidden TMP_UB scratch> [188416, 196608), which TROWEXPANDMUL (line 35) may still read
// CHECK: hidden_scratch_same_broadcast.cpp:37:3: warning: RAW race: TROWEXPANDMUL.vbrcb reads v7 [32768, 32896), which TMULS (line 36) may still write
// CHECK: hidden_scratch_same_broadcast.cpp:52:3: warning: WAR race: TROWEXPANDMUL.vbrcb writes <hidden TMP_UB scratch> [188416, 196608), which TROWEXPANDMUL (line 48) may still read
// CHECK: hidden_scratch_same_broadcast.cpp:64:3: warning: WAR race: TROWEXPANDMUL.vbrcb writes <hidden TMP_UB scratch> [188416, 196608), which TROWEXPANDMUL (line 63) may still read
// CHECK: hidden_scratch_same_broadcast.cpp:74:3: warning: WAR race: TROWEXPANDMUL.vbrcb writes <hidden TMP_UB scratch> [188416, 196608), which TROWEXPANDMUL (line 73) may still read
// CHECK: hidden_scratch_same_broadcast.cpp:84:3: warning: RAW race: TROWEXPANDMUL.vbrcb reads v7 [32768, 32896), which TMULS (line 83) may still write
// CHECK: hidden_scratch_same_broadcast.cpp:85:3: warning: WAR race: TROWEXPANDMUL.vbrcb writes <hidden TMP_UB scratch> [188416, 196608), which TROWEXPANDMUL (line 84) may still read
// CHECK: hidden_scratch_same_broadcast.cpp:96:3: warning: WAR race: TROWEXPANDMUL.vbrcb writes <hidden TMP_UB scratch> [188416, 196608), which TROWEXPANDMUL (line 94) may still read
// CHECK: hidden_scratch_same_broadcast.cpp:105:3: note: 'k8' is unverified: TROWEXPANDMUL: 'v5' may share UB bytes with 'v7', which it also reads, for the model does not know where they lie (TROWEXPANDMUL walks 64 x 64 elements over 'v7', a 32 x 1 tile: past its end)
// CHECK-NOT: warning:
// CHECK: 9 races (8 overlap, 1 same per-row broadcast), 0 broken placements, 1 unverified function in 1 file
// FIX: void k1()
// FIX: ptofix: WAR on <hidden TMP_UB scratch> with input line 24 */ pipe_barrier(PIPE_V);
// FIX-NEXT: TROWEXPANDDIV(v6, v6, v7);
// FIX: void k2()
// FIX: ptofix: WAR on <hidden TMP_UB scratch> with input line 35 */ pipe_barrier(PIPE_V);
// COUNT: 9
