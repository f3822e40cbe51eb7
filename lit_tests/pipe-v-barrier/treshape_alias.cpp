// Names differ, bytes do not: v7 is a TRESHAPE alias of v6, so TADD reads what TMUL wrote.
// (The reshaped [1,32] tile is 1 repeat: the same-access exception cannot apply.)
// RUN: %ptofix run --pattern auto --report json --report-file %t.json %s | filecheck %s
// RUN: filecheck %s --check-prefix=JSON < %t.json
extern "C" __global__ AICORE void k() {
  const int64_t v2 = 0;
  const int64_t v3 = 256;
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v5;
  TASSIGN(v5, v2);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, v3);
  Tile<TileType::Vec, float, 1, 32, BLayout::RowMajor, 1, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v7;
  TRESHAPE(v7, v6);
  Tile<TileType::Vec, float, 1, 32, BLayout::RowMajor, 1, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v8;
  TRESHAPE(v8, v5);
  TMUL(v6, v5, v5);
  pipe_barrier(PIPE_V);
  TADD(v8, v8, v7);
}
// CHECK: TMUL(v6, v5, v5);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// JSON: "kind": "RAW"
// JSON: "operand": "v6"
// JSON: "bytes": [
// JSON-NEXT: [
// JSON-NEXT: 256,
// JSON-NEXT: 384
// JSON: "operand": "v7"
