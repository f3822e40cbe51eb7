// Broken tile placements are reported at their TASSIGN with the bytes: a Vec tile past the UB of
// every architecture is an error; one past A2/A3's 192 KiB but inside A5's 256 KiB is a warning
// unless --arch says A2/A3; a Vec tile inside the hidden scratch [184 KiB, 192 KiB) that a
// row-expand of the function broadcasts into (ColMajor per-row operand) is an A2/A3 error. A tile
// in the scratch of a function with no such op, and an address the model cannot compute, are no
// finding. Exit 1 (findings), also after --fix, which cannot mend a placement.
// RUN: %expect-exit 1 %ptofix check %s 2>&1 | FileCheck %s --implicit-check-not=error: --implicit-check-not=warning:
// RUN: %expect-exit 1 %ptofix check --arch a3 %s 2>&1 | FileCheck %s --check-prefix=ONA3 --implicit-check-not=error: --implicit-check-not=warning:
// RUN: %expect-exit 1 %ptofix check --arch a5 %s 2>&1 | FileCheck %s --check-prefix=ONA5 --implicit-check-not=error: --implicit-check-not=warning:
// RUN: %expect-exit 1 %ptofix check --arch a3 --fix %s -o %t.cpp 2>&1 | FileCheck %s --check-prefix=ONA3 --implicit-check-not=warning:
// RUN: %expect-exit 1 %ptofix check --arch a3 --report json %s 2>&1 | filecheck %s --check-prefix=JSON
extern "C" __global__ AICORE void k(int64_t dynamic) {
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null> far;
  TASSIGN(far, 262144);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null> near;
  TASSIGN(near, 196608);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null> rows;
  TASSIGN(rows, 188416);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null> a;
  TASSIGN(a, 0);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null> b;
  TASSIGN(b, dynamic);
  TROWEXPANDMUL(a, a, rows);
  TADD(far, near, b);
}
__global__ AICORE void plain() {
  Tile<TileType::Vec, float, 32, 8, BLayout::RowMajor, 32, 8, SLayout::NoneBox, 512, PadValue::Null> c;
  TASSIGN(c, 188416);
  TADD(c, c, c);
}
// CHECK: tile_placement.cpp:14:3: error: Vec tile 'far' (16384 bytes) is placed past the UB (192 KiB on A2/A3, 256 KiB on A5): bytes [262144, 278528); the NPU faults or touches other memory there
// CHECK: tile_placement.cpp:16:3: warning: Vec tile 'near' (16384 bytes) is placed past the 192 KiB UB of A2/A3: bytes [196608, 212992); the NPU faults or touches other memory there (not on A5; --arch says which)
// CHECK: tile_placement.cpp:18:3: warning: Vec tile 'rows' (128 bytes) is placed inside the hidden UB scratch [188416, 196608) of A2/A3: bytes [188416, 188544); the row-expand op at {{.*}}tile_placement.cpp:23:3 broadcasts into that scratch and overwrites it (not on A5; --arch says which)
// ONA3: tile_placement.cpp:14:3: error: Vec tile 'far' (16384 bytes) is placed past the 192 KiB UB of A3: bytes [262144, 278528)
// ONA3: tile_placement.cpp:16:3: error: Vec tile 'near' (16384 bytes) is placed past the 192 KiB UB of A3: bytes [196608, 212992)
// ONA3: tile_placement.cpp:18:3: error: Vec tile 'rows' (128 bytes) is placed inside the hidden UB scratch [188416, 196608) of A3: bytes [188416, 188544)
// ONA5: tile_placement.cpp:14:3: error: Vec tile 'far' (16384 bytes) is placed past the 256 KiB UB of A5: bytes [262144, 278528)
// JSON: "placements": [
// JSON: "tile": "far"
// JSON: "kind": "past-ub"
// JSON: "severity": "error"
// JSON: "bytes": [
// JSON-NEXT: [
// JSON-NEXT: 262144,
// JSON-NEXT: 278528
// JSON: "tile": "rows"
// JSON: "kind": "hidden-scratch"
