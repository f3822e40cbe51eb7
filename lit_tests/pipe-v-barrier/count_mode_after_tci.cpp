// A kernel that starts in norm mode (`set_mask_norm();`) and calls pto's index op in its tmp form,
// which leaves the vector unit in count mode: the barrier before that call is removed, the one after it is
// kept, and the report says it may run in count mode after it. The simulator refuses such a file.
// (The op's name is never spelled in a comment here, where it would keep the whole file: {{T}}CI.)
// RUN: %ptofix run --pattern auto %s -o %t.cpp 2>&1 | filecheck %s --check-prefix=NOTE
// RUN: filecheck %s --input-file %t.cpp
// RUN: %ptofix run --pattern auto --report text %s -o %t.cpp 2>&1 | filecheck %s --check-prefix=REPORT
// RUN: not %ptofix simulate %s %t.cpp 2>&1 | filecheck %s --check-prefix=SIM
__global__ AICORE void k(__gm__ int32_t *x) {
  set_mask_norm();
  Tile<TileType::Vec, float, 8, 64, BLayout::RowMajor, 8, 64> a;
  TASSIGN(a, 0);
  Tile<TileType::Vec, float, 8, 64, BLayout::RowMajor, 8, 64> b;
  TASSIGN(b, 4096);
  Tile<TileType::Vec, int32_t, 1, 64, BLayout::RowMajor, 1, 64> ci;
  TASSIGN(ci, 16384);
  Tile<TileType::Vec, float, 1, 256, BLayout::RowMajor, 1, 256> citmp;
  TASSIGN(citmp, 20480);
  TADD(a, a, a);
  pipe_barrier(PIPE_V);
  TMUL(b, b, b);
  pipe_barrier(PIPE_ALL);
  TCI<Tile<TileType::Vec, int32_t, 1, 64, BLayout::RowMajor, 1, 64>,
      Tile<TileType::Vec, float, 1, 256, BLayout::RowMajor, 1, 256>, int32_t, 0>(ci, 0, citmp);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  pipe_barrier(PIPE_V);
  TMUL(b, b, b);
}
// CHECK: TADD(a, a, a);
// CHECK-NEXT: /* ptofix: removed pipe_barrier(PIPE_V)
// CHECK: {{T}}CI<
// CHECK: TADD(a, a, a);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// NOTE: count_mode_after_tci.cpp: note: kept 1 of 2 PIPE_V barriers
// REPORT: may run in count mode after the '{{T}}CI' at 23:3
// SIM: cannot simulate: the file names '{{T}}CI'
