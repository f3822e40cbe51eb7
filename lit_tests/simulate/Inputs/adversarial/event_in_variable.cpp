// The event ids are variables: the wait's (1) is not the set's (0), so it orders nothing after TADD.
// The line marked `under test` is the barrier tests/sim/test_sim_adversarial.py and adversarial.test remove.
#include "pto/pto-inst.hpp"
using namespace pto;
extern "C" __global__ AICORE void k(__gm__ float* x, __gm__ float* y) {
  #if defined(__DAV_VEC__)
  Tile<TileType::Vec, float, 8, 64, BLayout::RowMajor, 8, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> a;
  TASSIGN(a, 0);
  Tile<TileType::Vec, float, 8, 64, BLayout::RowMajor, 8, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> b;
  TASSIGN(b, 2048);
  Tile<TileType::Vec, float, 8, 64, BLayout::RowMajor, 8, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> c;
  TASSIGN(c, 4096);
  GlobalTensor<float, pto::Shape<1, 1, 1, 8, 64>, pto::Stride<512, 512, 512, 64, 1>, pto::Layout::ND> gx = GlobalTensor<float, pto::Shape<1, 1, 1, 8, 64>, pto::Stride<512, 512, 512, 64, 1>, pto::Layout::ND>(x);
  GlobalTensor<float, pto::Shape<1, 1, 1, 8, 64>, pto::Stride<512, 512, 512, 64, 1>, pto::Layout::ND> gy = GlobalTensor<float, pto::Shape<1, 1, 1, 8, 64>, pto::Stride<512, 512, 512, 64, 1>, pto::Layout::ND>(y);
  TLOAD(a, gx);
  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  int32_t set_event = 0;
  int32_t wait_event = set_event + 1;
  set_flag(PIPE_V, PIPE_S, (event_t)wait_event);
  TADD(b, a, a);
  pipe_barrier(PIPE_V);  // under test
  set_flag(PIPE_V, PIPE_S, (event_t)set_event);
  wait_flag(PIPE_V, PIPE_S, (event_t)wait_event);
  TMUL(c, b, b);
  wait_flag(PIPE_V, PIPE_S, (event_t)set_event);
  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  TSTORE(gy, c);
  #endif
  pipe_barrier(PIPE_ALL);
  return;
}
