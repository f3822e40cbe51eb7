// The hazard is two statements before the barrier: TMUL writes v6, TROWMAX in between does not
// end the window before it (it is after TMUL)... but TROWMAX ends with its own barrier, so the
// first barrier (after TMUL, before TROWMAX) is what matters. Here TMUL -> TEXP -> barrier -> TADD:
// TADD reads v6 written two ops earlier by TMUL, with TEXP (unrelated) in between.
// RUN: %ptofix run --pattern auto --report json --report-file %t.json %s | filecheck %s
// RUN: filecheck %s --check-prefix=JSON < %t.json
extern "C" __global__ AICORE void k() {
  const int64_t v2 = 0;
  const int64_t v3 = 256;
  const int64_t v4 = 16384;
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v5;
  TASSIGN(v5, v2);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, v3);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v7;
  TASSIGN(v7, v4);
  TMUL(v6, v5, v5);
  TEXP(v7, v7);
  pipe_barrier(PIPE_V);
  TADD(v5, v5, v6);
}
// CHECK: TEXP(v7, v7);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// JSON: "ops_before": [
// JSON-NEXT: "TMUL",
// JSON-NEXT: "TEXP"
// JSON: "op": "TMUL"
