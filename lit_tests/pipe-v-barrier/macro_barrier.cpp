// A pipe_barrier inside a macro's expansion: the model reads each use as the macro's name, an
// unknown statement, not as a barrier. It stays, drains nothing in the proof, and each use
// (directly or through another macro) is counted as kept with the macro's name. A #define is
// no use, and a macro of another pipe's barrier is no PIPE_V barrier.
// RUN: %ptofix run --pattern auto --report text %s -o %t.out 2>&1 | filecheck %s
// RUN: cmp %s %t.out
#define SYNC_V() pipe_barrier(PIPE_V)
#define STAGE_END SYNC_V()
#define SYNC_MTE2() pipe_barrier(PIPE_MTE2)
extern "C" __global__ AICORE void k(int64_t n) {
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v5;
  TASSIGN(v5, 0);
  TADDS(v5, v5, 1.0f);
  SYNC_V();
  TMULS(v5, v5, 2.0f);
  SYNC_MTE2();
  if (n > 0) {
    STAGE_END;
  }
  TMULS(v5, v5, 2.0f);
}
// CHECK: macro_barrier.cpp:14:3: kept (a pipe_barrier the model does not read): uses the macro 'SYNC_V', whose expansion may hold a pipe_barrier(PIPE_V): not analysed
// CHECK-NEXT: macro_barrier.cpp:18:5: kept (a pipe_barrier the model does not read): uses the macro 'STAGE_END', whose expansion may hold a pipe_barrier(PIPE_V): not analysed
// CHECK-NOT: SYNC_MTE2
// CHECK: pipe-v-barrier: 0 of 2 PIPE_V barriers removed
