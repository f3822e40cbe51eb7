// A function template is decided once per instantiation its file makes: b sits right after a,
// which the 16-row instantiation keeps clear of and the 32-row one overlaps, so the first barrier
// stays (its reason naming that instantiation); the second pair is a same-access chain of 16+
// repeats in both and goes. (The template's name is spelled in no comment: a mention the model
// cannot read as a call would leave its instantiations unknown.)
// RUN: %ptofix run --same-access-chains --pattern auto --report text %s 2>&1 >/dev/null | FileCheck %s --check-prefix=REPORT
// RUN: %ptofix run --same-access-chains --pattern auto %s | grep -v '^ *//' | FileCheck %s
// REPORT: template_instances.cpp:{{[0-9]+}}:3: kept (auto, TADD -> TMUL): in {{b[o]dy}}<32>: WAW: TADD write a [0,16384)
// REPORT: template_instances.cpp:{{[0-9]+}}:3: removed (auto, TMUL -> TMUL)
#include <pto/pto-inst.hpp>
using namespace pto;
template <int R>
static AICORE void body(__gm__ float* x) {
  constexpr int kRowBytes = 128 * sizeof(float);
  Tile<TileType::Vec, float, R, 128, BLayout::RowMajor, R, 128> a;
  Tile<TileType::Vec, float, R, 128, BLayout::RowMajor, R, 128> b;
  TASSIGN(a, 0);
  TASSIGN(b, 16 * kRowBytes);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  // CHECK: TADD(a, a, a);
  pipe_barrier(PIPE_V);
  TMUL(b, b, b);
  // CHECK-NEXT: pipe_barrier(PIPE_V);
  // CHECK-NEXT: TMUL(b, b, b);
  pipe_barrier(PIPE_V);
  // CHECK-NEXT: /* ptofix: removed
  TMUL(b, b, b);
  pipe_barrier(PIPE_ALL);
}
__global__ AICORE void k(__gm__ float* x, int64_t n) {
  if (n) {
    body<16>(x);
  } else {
    body<32>(x);
  }
}
// The removals here rest on PTOAS #674 same-access chains: credited under --same-access-chains only.
