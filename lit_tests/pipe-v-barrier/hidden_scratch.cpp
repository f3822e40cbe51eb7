// Two no-tmp TROWEXPANDMULs with ColMajor src1 both use the hidden UB scratch [184K, 192K):
// the second one's vbrcb overwrites what the first one's multiply still reads.
// RUN: %ptofix run --pattern auto --report json --report-file %t.json %s | filecheck %s
// RUN: filecheck %s --check-prefix=JSON < %t.json
extern "C" __global__ AICORE void k() {
  const int64_t v2 = 0;
  const int64_t v3 = 16384;
  const int64_t v4 = 32768;
  const int64_t v8 = 33024;
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v5;
  TASSIGN(v5, v2);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, v3);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v7;
  TASSIGN(v7, v4);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v9;
  TASSIGN(v9, v8);
  TROWEXPANDMUL(v5, v5, v7);
  pipe_barrier(PIPE_V);
  TROWEXPANDMUL(v6, v6, v9);
}
// CHECK: TROWEXPANDMUL(v5, v5, v7);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// JSON: "kind": "WAR"
// JSON: "operand": "<hidden TMP_UB scratch>"
// JSON: 188416,
// JSON-NEXT: 196608
