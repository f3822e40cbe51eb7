// pto's index op with two operands (dst, start) is a scalar loop on PIPE_S that fills row 0 of dst
// and leaves the mask mode alone: the barriers after it are proved as anywhere else, the kernel
// needs no set_mask_norm() first, and the simulator runs it (the rewrite computes the same bytes,
// the fill included, which the S -> V flag orders before the TCVT that reads it); `check` verifies
// the kernel (the fill is no vector work it cannot read).
// RUN: %ptofix run --pattern auto %s -o %t.cpp 2>&1 | filecheck %s --check-prefix=NOTE
// RUN: filecheck %s --input-file %t.cpp
// RUN: %ptofix simulate %s %t.cpp
// RUN: %ptofix check %s
__global__ AICORE void k(__gm__ float *y) {
  Tile<TileType::Vec, float, 8, 64, BLayout::RowMajor, 8, 64> a;
  TASSIGN(a, 0);
  Tile<TileType::Vec, float, 8, 64, BLayout::RowMajor, 8, 64> b;
  TASSIGN(b, 4096);
  Tile<TileType::Vec, int32_t, 1, 64, BLayout::RowMajor, 1, 64> ci;
  TASSIGN(ci, 16384);
  Tile<TileType::Vec, float, 1, 64, BLayout::RowMajor, 1, 64> cf;
  TASSIGN(cf, 16640);
  GlobalTensor<float, pto::Shape<1, 1, 1, 1, 64>, pto::Stride<64, 64, 64, 64, 1>, pto::Layout::ND> gy =
      GlobalTensor<float, pto::Shape<1, 1, 1, 1, 64>, pto::Stride<64, 64, 64, 64, 1>, pto::Layout::ND>(y);
  TEXPANDS(a, 1.0f);
  pipe_barrier(PIPE_V);
  TMUL(b, a, a);
  set_flag(PIPE_V, PIPE_S, EVENT_ID0);
  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);
  TCI<Tile<TileType::Vec, int32_t, 1, 64, BLayout::RowMajor, 1, 64>, int32_t, 1>(ci, 100);
  set_flag(PIPE_S, PIPE_V, EVENT_ID0);
  wait_flag(PIPE_S, PIPE_V, EVENT_ID0);
  TADD(a, a, a);
  pipe_barrier(PIPE_V);
  TMUL(b, b, b);
  TCVT(cf, ci, RoundMode::CAST_RINT);
  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  TSTORE(gy, cf);
  pipe_barrier(PIPE_ALL);
}
// CHECK: TEXPANDS(a, 1.0f);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// CHECK: {{T}}CI<
// CHECK: TADD(a, a, a);
// CHECK-NEXT: /* ptofix: removed pipe_barrier(PIPE_V)
// NOTE: scalar_tci.cpp: note: kept 1 of 2 PIPE_V barriers
// NOTE-NOT: count mode
