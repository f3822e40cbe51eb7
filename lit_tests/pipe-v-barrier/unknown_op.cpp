// An op ptofix does not model reads and writes everything: the barrier next to it stays, and the
// report says why.
// RUN: %ptofix run --pattern auto --report json --report-file %t.json %s | filecheck %s
// RUN: filecheck %s --check-prefix=JSON < %t.json
extern "C" __global__ AICORE void k() {
  const int64_t v2 = 0;
  const int64_t v3 = 16384;
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v5;
  TASSIGN(v5, v2);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, v3);
  TFANCYNEWOP(v5, v6);
  pipe_barrier(PIPE_V);
  TMULS(v6, v6, 2.0f);
}
// CHECK: TFANCYNEWOP(v5, v6);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// A name that is not pto's and not the file's may also be a header's function-like macro, which
// may expand to a jump: the function's control flow is not modelled.
// JSON: "statements_not_parsed": 0
// JSON: "reason": "control flow of k() is not modelled ({{.*}}unknown_op.cpp:12:3: 'TFANCYNEWOP(...)' may be a macro that hides a jump)"
