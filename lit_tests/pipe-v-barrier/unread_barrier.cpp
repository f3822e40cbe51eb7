// A pipe_barrier the model cannot read as PIPE_V's (here: in a lambda, which is one opaque
// statement) stays and is no candidate; the report still counts it, kept, with the reason, where
// it is spelled. The lambda's statement declares only `step`: the barrier after it is a
// candidate, kept for what the model cannot read before it.
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
// CHECK-NEXT: unread_barrier.cpp:16:3: kept (auto, TMULS -> TMULS): kept: not understood in its window: 10:3: braced construct
// CHECK: pipe-v-barrier: 0 of 2 PIPE_V barriers removed
