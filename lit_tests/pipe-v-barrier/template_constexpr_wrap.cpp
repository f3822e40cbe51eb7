// A tile shape computed in a function template at its instantiation: a constexpr local of a narrow
// type wraps to its width ([conv.integral]): uint8_t(136 * 2) is 16, so a is 16 x 64 floats,
// [0, 4096), clear of b at 8192, and the barrier goes. The second template differs only in the
// local's type: int keeps 272 rows, [0, 69632), over b, and its barrier stays. (The templates' names
// are spelled nowhere but in their definitions and calls: a mention the model cannot read as a call
// would leave their instantiations unknown.)
// RUN: %ptofix run --pattern auto --report text %s 2>&1 >/dev/null | FileCheck %s
// CHECK: template_constexpr_wrap.cpp:21:3: removed (auto, TADD -> TMUL): proved: 1 op pair(s) across it have no RAW/WAR/WAW byte overlap{{$}}
// CHECK: template_constexpr_wrap.cpp:34:3: kept (auto, TADD -> TMUL): in {{r[o]ws_i32}}<136>: WAW: TADD write a [0,69632) at 33:3 -> TMUL write b [8192,16384) at 35:3
#include <pto/pto-inst.hpp>
using namespace pto;
template <int N>
static AICORE void rows_u8() {
  constexpr uint8_t R = N * 2;
  Tile<TileType::Vec, float, R, 64, BLayout::RowMajor, R, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> a;
  TASSIGN(a, 0);
  Tile<TileType::Vec, float, 32, 64, BLayout::RowMajor, 32, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> b;
  TASSIGN(b, 8192);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  pipe_barrier(PIPE_V);
  TMUL(b, b, b);
  pipe_barrier(PIPE_ALL);
}
template <int N>
static AICORE void rows_i32() {
  constexpr int R = N * 2;
  Tile<TileType::Vec, float, R, 64, BLayout::RowMajor, R, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> a;
  TASSIGN(a, 0);
  Tile<TileType::Vec, float, 32, 64, BLayout::RowMajor, 32, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> b;
  TASSIGN(b, 8192);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  pipe_barrier(PIPE_V);
  TMUL(b, b, b);
  pipe_barrier(PIPE_ALL);
}
extern "C" __global__ AICORE void k() {
  rows_u8<136>();
  rows_i32<136>();
}
