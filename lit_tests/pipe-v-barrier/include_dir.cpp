// A header the kernel includes is read where -I finds it: without it the header is unknown (every
// barrier kept, the reason names the header and -I); with it, the header defines nothing the kernel
// names, and the GU barrier (an exact same-access chain) goes.
// RUN: %ptofix run --same-access-chains --pattern auto %s | diff - %s
// RUN: %ptofix run --same-access-chains --pattern auto --report text %s -o %t.cpp 2>&1 | filecheck %s --check-prefix=MISSING
// RUN: %ptofix run --same-access-chains -I %S/Inputs/runtime --pattern auto %s | grep -v '^//' | FileCheck %s --implicit-check-not=pipe_barrier
// RUN: %expect-exit 2 %ptofix run --same-access-chains -I %S/Inputs/nowhere --pattern auto %s 2>&1 | filecheck %s --check-prefix=BAD
#include "pto/pto-inst.hpp"
#include "rt_tensor.h"
extern "C" __global__ AICORE void k(__gm__ float* v1) {
  const int64_t v2 = 0;
  const int64_t v3 = 16384;
  const int64_t v4 = 32768;
  Tile<TileType::Vec, float, 64, 64, BLayout::RowMajor, 64, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v5;
  TASSIGN(v5, v2);
  Tile<TileType::Vec, float, 64, 64, BLayout::RowMajor, 64, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, v3);
  Tile<TileType::Vec, float, 64, 1, BLayout::ColMajor, 64, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v7;
  TASSIGN(v7, v4);
  TROWEXPANDMUL(v5, v5, v7);
  pipe_barrier(PIPE_V);
  TADD(v5, v5, v6);
}
// CHECK: TROWEXPANDMUL(v5, v5, v7);
// CHECK-NEXT: /* ptofix: removed pipe_barrier(PIPE_V) (auto) */
// CHECK-NEXT: TADD(v5, v5, v6);
// MISSING: header 'rt_tensor.h' not found beside the including file or in an include directory: give its directory with -I DIR
// BAD: -I {{.*}}nowhere: not a directory
// The removals here rest on PTOAS #674 same-access chains: credited under --same-access-chains only.
