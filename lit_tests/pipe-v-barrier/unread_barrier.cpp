// A pipe_barrier the model cannot read as PIPE_V's (here: in a lambda, which is one opaque
// statement, and after it, where `pipe_barrier` may name something the lambda's statement
// declared) stays and is no candidate; the report still counts it, kept, with the reason, where
// it is spelled.
// RUN: %ptofix run --pattern auto --report text %s -o %t.out 2>&1 | filecheck %s
// RUN: cmp %s %t.out
extern "C" __global__ AICORE void k() {
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v5;
  TASSIGN(v5, 0);
  auto step = [&]() {
    TADDS(v5, v5, 1.0f);
    pipe_barrier(PIPE_V);
  };
  step();
  TMULS(v5, v5, 2.0f);
  pipe_barrier(PIPE_V);
  TMULS(v5, v5, 2.0f);
}
// CHECK: unread_barrier.cpp:12:5: kept (a pipe_barrier the model does not read): inside a construct ptofix does not model (braced construct): not analysed
// CHECK-NEXT: unread_barrier.cpp:16:3: kept (a pipe_barrier the model does not read): not read as pipe_barrier(PIPE_V): call to 'pipe_barrier': 'pipe_barrier' may be declared by a statement or parameter ptofix cannot read
// CHECK: pipe-v-barrier: 0 of 2 PIPE_V barriers removed
