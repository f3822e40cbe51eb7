// The kept-barrier note groups the causes the model gives: a helper with external linkage may be
// called with vector work in flight (its entry is no clean point), and a function the model
// cannot follow the control flow of (a goto to a label inside a nested block).
// RUN: %ptofix run --pattern auto %s -o %t.cpp 2>&1 | filecheck %s
void helper() {
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null> a;
  TASSIGN(a, 0);
  pipe_barrier(PIPE_V);
  TADD(a, a, a);
}
extern "C" __global__ AICORE void jumps(int32_t n) {
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null> b;
  TASSIGN(b, 0);
  {
  again:
    TADD(b, b, b);
  }
  pipe_barrier(PIPE_V);
  TADD(b, b, b);
  if (n > 0) goto again;
}
// CHECK: kept_note_boundary.cpp: note: kept 2 of 2 PIPE_V barriers: 1 for vector work outside their functions that may be in flight (helper); 1 for control flow ptofix does not model (jumps) (see --report text)
