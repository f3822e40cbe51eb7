// GU: TROWEXPANDMUL(o,o,e) -> barrier -> TADD(o,o,pv) is an exact same-access chain (64x64 f32 =
// 64 repeats >= 16; rows of 256 bytes, so TROWEXPANDMUL's column chunks are TADD's linear repeats:
// pto/walks.py) and TROWEXPANDMUL's own leading barrier drained everything older.
// RUN: %ptofix run --same-access-chains --pattern gu %s | grep -v '^//' | FileCheck %s --implicit-check-not=pipe_barrier
// RUN: %ptofix run --same-access-chains --pattern trowexpandmul-tadd %s | grep -v '^//' | FileCheck %s --implicit-check-not=pipe_barrier
// RUN: %ptofix run --same-access-chains --pattern gu %s > %t.cpp && %ptofix run --same-access-chains --pattern gu %t.cpp | diff - %t.cpp
// RUN: %ptofix run --same-access-chains %s | diff - %s
// RUN: %ptofix run --same-access-chains --pattern none %s | diff - %s
// RUN: %ptofix run --same-access-chains --pattern gu --report json -o /dev/null %s | filecheck %s --check-prefix=JSON
// A JSON report goes to stdout or --report-file, never to stderr: with the rewritten file on stdout
// too it is refused before anything is read or written.
// RUN: %expect-exit 2 %ptofix run --same-access-chains --pattern gu --report json %s 2>%t.both.err >%t.both.out
// RUN: filecheck %s --check-prefix=BOTH --input-file %t.both.err
// RUN: test ! -s %t.both.out
// RUN: %expect-exit 2 %ptofix run --same-access-chains --pattern gu --report json --diff %s 2>&1 | filecheck %s --check-prefix=DIFF
// BOTH: ptofix: error: --report json and the rewritten file both want stdout: give -o FILE, -i, or --report-file FILE
// DIFF: ptofix: error: --report json and the diffs both want stdout: give --report-file FILE
#include "pto/pto-inst.hpp"
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
  GlobalTensor<float, pto::Shape<1, 1, 1, 64, 64>, pto::Stride<4096, 4096, 4096, 64, 1>, pto::Layout::ND> v8 = GlobalTensor<float, pto::Shape<1, 1, 1, 64, 64>, pto::Stride<4096, 4096, 4096, 64, 1>, pto::Layout::ND>(v1);
  TLOAD(v6, v8);
  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  TROWEXPANDMUL(v5, v5, v7);
  pipe_barrier(PIPE_V);
  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  TADD(v5, v5, v6);
  pipe_barrier(PIPE_V);
  TMULS(v6, v5, 2.0f);
}
// CHECK: TROWEXPANDMUL(v5, v5, v7);
// CHECK-NEXT: /* ptofix: removed pipe_barrier(PIPE_V) (gu) */
// CHECK-NEXT: wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
// CHECK-NEXT: TADD(v5, v5, v6);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// JSON: "removed": 1
// JSON: "decision": "removed"
// JSON: "reason": "proved: {{.*}}same-access chain
// JSON: "pattern": null
// JSON-NEXT: "decision": "kept"
// The removals here rest on PTOAS #674 same-access chains: credited under --same-access-chains only.
// msSanitizer's a2/a3 rule (the default race model) credits no chain: the barrier stays, the output is
// the input, and the report says why.
// RUN: %ptofix run --pattern gu %s 2>/dev/null | diff - %s
// RUN: %ptofix run --pattern gu --report text %s -o /dev/null 2>&1 | filecheck %s --check-prefix=DEFAULT
// RUN: %ptofix run --same-access-chains --pattern gu --report text %s -o /dev/null 2>&1 | filecheck %s --check-prefix=OPTIN
// DEFAULT: gu_inplace.cpp:33:3: kept (gu, TROWEXPANDMUL -> TADD): WAW: {{.*}}; a PTOAS #674 same-access chain, not credited: msSanitizer's race check flags this pair (--same-access-chains credits it)
// OPTIN: gu_inplace.cpp:33:3: removed (gu, TROWEXPANDMUL -> TADD): proved: {{.*}}PTOAS #674 same-access chain; msSanitizer's race check flags this pair
