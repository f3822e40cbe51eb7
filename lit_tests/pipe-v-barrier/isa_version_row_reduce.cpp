// pto-isa version facts: before pto-isa 5a2e8553 TROWSUM returned at once, with no trailing
// barrier, when a valid dimension was 0, so without --pto-isa a reduction whose valid shape is
// set at run time (it may be 0) drains nothing and the barrier after it stays. With --pto-isa
// naming a checkout whose TROWSUM_IMPL has no early return (here a stand-in of our own), every
// path ends with the barrier (tmp and src hold a whole repeat per row): removed. A checkout with
// the early return, or one whose headers cannot be read, changes nothing (the latter says so).
// The stand-in holds only the headers the version fact is read from, not the code the facts of
// TROWSUM and TADD were recorded from (pto-isa f35e7f60): those ops are Unknown and the barrier
// stays, with a warning naming each (tests/pto/test_op_sources.py runs a real copy of f35e7f60, with
// which the barrier goes).
// RUN: %ptofix run --pattern softmax-sum-add %s | grep -v '^//' | FileCheck %s --check-prefix=KEPT --implicit-check-not=pipe_barrier
// RUN: %ptofix run --pattern softmax-sum-add --pto-isa %S/Inputs/pto-isa-new %s 2>%t.err | grep -v '^//' | FileCheck %s --check-prefix=KEPT --implicit-check-not=pipe_barrier
// RUN: FileCheck %s --check-prefix=STALE --input-file %t.err
// RUN: %ptofix run --pattern softmax-sum-add --pto-isa %S/Inputs/pto-isa-old %s 2>/dev/null | grep -v '^//' | FileCheck %s --check-prefix=KEPT --implicit-check-not=pipe_barrier
// RUN: not %ptofix run --pattern softmax-sum-add --pto-isa %S/Inputs %s -o %t.bad.cpp 2>&1 | filecheck %s --check-prefix=BAD
// RUN: %ptofix run --pattern softmax-sum-add --pto-isa %S/Inputs/pto-isa-new --report json -o /dev/null %s | filecheck %s --check-prefix=JSON
extern "C" __global__ AICORE void k(int32_t rows, int32_t cols) {
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, 0);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, -1, -1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v7 = Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, -1, -1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>(rows, cols);
  TASSIGN(v7, 16384);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v10;
  TASSIGN(v10, 32768);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v12;
  TASSIGN(v12, 256);
  TROWSUM(v6, v7, v10);
  pipe_barrier(PIPE_V);
  TADD(v12, v12, v6);
}
// KEPT: TROWSUM(v6, v7, v10);
// KEPT-NEXT: pipe_barrier(PIPE_V);
// STALE: TROWSUM is read as unknown, its barriers kept: its facts were read from other pto-isa code ({{.*}}.hpp{{.*}})
// BAD: error: --pto-isa {{.*}}Inputs: not a pto-isa checkout (no include/pto directory)
// JSON: "pto_isa": {
// JSON-NEXT: "facts": "pto-isa {{.*}}pto-isa-new, not a git checkout, op facts of pto-isa f35e7f60: 0 of 92 ops' headers the same, row reductions drain on an empty valid shape (5a2e8553 on), TPipe order new, TPOP ring stride slot",
// JSON-NEXT: "notes": []
