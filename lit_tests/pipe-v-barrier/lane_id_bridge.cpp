// PyPTO's mixed A2/A3 kernels include their runtime header before pto's, and bridge the runtime's
// lane id into pto's get_subblockid() through an attributed file-scope variable. The header's
// overloads require an argument pto's calls never pass, the macro reads a plain integer variable
// the kernel only stores to, and block_local is a storage attribute: the file is modelled, and the
// GU barrier (an exact same-access chain) goes. Without -I the header is unknown.
// RUN: %ptofix run --same-access-chains -I %S/Inputs/runtime --pattern auto %s | grep -v '^//' | FileCheck %s --implicit-check-not=pipe_barrier
// RUN: %ptofix run --same-access-chains --pattern auto --report text %s -o %t.cpp 2>&1 | filecheck %s --check-prefix=MISSING
// RUN: sed 's/\[\[block_local\]\]/[[gnu::section]]/' %s > %t.attr.cpp
// RUN: %ptofix run --same-access-chains -I %S/Inputs/runtime --pattern auto --report text %t.attr.cpp -o %t.out.cpp 2>&1 | filecheck %s --check-prefix=ATTR
#include "rt_lane.h"
[[block_local]] static int32_t pypto_lane;
#define get_subblockid() pypto_lane
#include "pto/pto-inst.hpp"
extern "C" __global__ AICORE void k(__gm__ float* v1, __gm__ int64_t* args) {
  pypto_lane = rt_lane(args);
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
// MISSING: header 'rt_lane.h' not found beside the including file or in an include directory
// ATTR: the attributes '{{\[\[}}gnu::section]]' of a file-scope declaration
// The removals here rest on PTOAS #674 same-access chains: credited under --same-access-chains only.
