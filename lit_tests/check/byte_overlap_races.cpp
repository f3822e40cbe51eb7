// RAW, WAR and WAW byte overlaps between ops with no drain between them; an exact same-access chain
// (same tile, contiguous, >= 16 repeats) is not a race, and neither is a pair a barrier separates.
// RUN: not %ptofix check %s 2>&1 | filecheck %s
__global__ AICORE void k() {
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null> a;
  TASSIGN(a, 0);
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null> b;
  TASSIGN(b, 4096);
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null> c;
  TASSIGN(c, 65536);
  TADD(a, a, a);
  TMUL(a, a, a);
  TADD(c, b, b);
  pipe_barrier(PIPE_V);
  TEXP(c, c);
}
// CHECK: byte_overlap_races.cpp:13:3: warning: RAW race: TADD reads b [4096, 12288) while TADD may still run (no PIPE_V drain between them)
// CHECK-NEXT: byte_overlap_races.cpp:11:3: note: TADD writes a [0, 8192) here
// CHECK-NEXT: byte_overlap_races.cpp:13:3: warning: RAW race: TADD reads b [4096, 12288) while TMUL may still run (no PIPE_V drain between them)
// CHECK-NEXT: byte_overlap_races.cpp:12:3: note: TMUL writes a [0, 8192) here
// CHECK-NOT: warning:
