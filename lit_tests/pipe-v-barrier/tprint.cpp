// TPRINT(tile) starts with pipe_barrier(PIPE_ALL) and then reads the tile with the scalar unit
// (pto-isa TPrint.hpp): the PIPE_V barrier before it is redundant. Its two-operand form (a tmp
// in GM) is not modelled: the barrier before it stays.
// RUN: %ptofix run --pattern auto --report text %s 2>%t.txt | filecheck %s
// RUN: filecheck %s --check-prefix=REPORT < %t.txt
extern "C" __global__ AICORE void k_print(__gm__ float* v0) {
  Tile<TileType::Vec, float, 16, 16, BLayout::RowMajor, 16, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v1;
  TASSIGN(v1, 0);
  Tile<TileType::Vec, float, 16, 16, BLayout::RowMajor, 16, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v2;
  TASSIGN(v2, 1024);
  TMOV(v1, v2);
  pipe_barrier(PIPE_V);
  TPRINT(v1);
  TMOV(v2, v1);
}
extern "C" __global__ AICORE void k_print_tmp(__gm__ float* v0) {
  Tile<TileType::Vec, float, 16, 16, BLayout::RowMajor, 16, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v1;
  TASSIGN(v1, 0);
  Tile<TileType::Vec, float, 16, 16, BLayout::RowMajor, 16, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v2;
  TASSIGN(v2, 1024);
  TMOV(v1, v2);
  pipe_barrier(PIPE_V);
  TPRINT(v1, v0);
  TMOV(v2, v1);
}
// CHECK: TMOV(v1, v2);
// CHECK-NEXT: /* ptofix: removed pipe_barrier(PIPE_V)
// CHECK: TMOV(v1, v2);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// REPORT: tprint.cpp:12:3: removed (auto, TMOV -> [no op on straight-line code])
// REPORT: tprint.cpp:22:3: kept (auto, TMOV -> [no op on straight-line code]): {{.*}}TPRINT with 2 operands: a form whose effects ptofix does not model
