// RAW, WAR and WAW byte overlaps between ops with no drain between them (names differ, bytes
// overlap: b aliases the upper half of a); an exact same-access chain (same tile, contiguous,
// >= 16 repeats) is not a race under --same-access-chains, nor is a pair a barrier separates.
// RUN: not %ptofix check --same-access-chains %s 2>&1 | FileCheck %s --implicit-check-not=warning:
__global__ AICORE void k() {
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null> a;
  TASSIGN(a, 0);
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null> b;
  TASSIGN(b, 4096);
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null> c;
  TASSIGN(c, 65536);
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null> d;
  TASSIGN(d, 98304);
  TADD(a, a, a);
  TMUL(a, a, a);
  TADD(c, b, b);
  pipe_barrier(PIPE_V);
  TEXP(c, c);
  pipe_barrier(PIPE_V);
  TADD(d, c, c);
  TMULS(c, a, 2.0f);
  pipe_barrier(PIPE_V);
  TEXP(b, c);
  TMULS(a, c, 2.0f);
}
// CHECK: byte_overlap_races.cpp:16:3: warning: RAW race: TADD reads b [4096, 8192), which TADD (line 14) may still write
// CHECK-NEXT: 16 | TADD(c, b, b);
// CHECK-NEXT: | ^~~~
// CHECK-NEXT: byte_overlap_races.cpp:14:3: note: TADD writes a [0, 8192) here; no PIPE_V drain between them in straight-line code
// CHECK-NEXT: 14 | TADD(a, a, a);
// CHECK-NEXT: | ^~~~
// CHECK-NEXT: byte_overlap_races.cpp:16:3: warning: RAW race: TADD reads b [4096, 8192), which TMUL (line 15) may still write
// CHECK-NEXT: 16 | TADD(c, b, b);
// CHECK-NEXT: | ^~~~
// CHECK-NEXT: byte_overlap_races.cpp:15:3: note: TMUL writes a [0, 8192) here; no PIPE_V drain between them in straight-line code
// CHECK-NEXT: 15 | TMUL(a, a, a);
// CHECK-NEXT: | ^~~~
// CHECK-NEXT: byte_overlap_races.cpp:21:3: warning: WAR race: TMULS writes c [65536, 73728), which TADD (line 20) may still read
// CHECK-NEXT: 21 | TMULS(c, a, 2.0f);
// CHECK-NEXT: | ^~~~~
// CHECK-NEXT: byte_overlap_races.cpp:20:3: note: TADD reads c [65536, 73728) here; no PIPE_V drain between them in straight-line code
// CHECK-NEXT: 20 | TADD(d, c, c);
// CHECK-NEXT: | ^~~~
// CHECK-NEXT: byte_overlap_races.cpp:24:3: warning: WAW race: TMULS writes a [4096, 8192), which TEXP (line 23) may still write
// CHECK-NEXT: 24 | TMULS(a, c, 2.0f);
// CHECK-NEXT: | ^~~~~
// CHECK-NEXT: byte_overlap_races.cpp:23:3: note: TEXP writes b [4096, 12288) here; no PIPE_V drain between them in straight-line code
// CHECK-NEXT: 23 | TEXP(b, c);
// CHECK-NEXT: | ^~~~
// Under msSanitizer's a2/a3 rule (the default) the chain TADD(a) -> TMUL(a) is a race of its own category.
// RUN: not %ptofix check %s 2>&1 | FileCheck %s --check-prefix=DEFAULT
// DEFAULT: byte_overlap_races.cpp:15:3: warning: WAW race (PTOAS #674 same-access chain): TMUL writes a [0, 8192), which TADD (line 14) may still write
// DEFAULT: byte_overlap_races.cpp:14:3: note: TADD writes a [0, 8192) here; no PIPE_V drain between them in straight-line code; ptoas prunes this barrier under PTOAS #674; Ascend's msSanitizer flags it
// DEFAULT: 5 races (4 overlap, 1 PTOAS #674 same-access chain), 0 broken placements, 0 unverified functions in 1 file
