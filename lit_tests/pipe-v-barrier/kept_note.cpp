// A run that keeps barriers its --pattern selected says so on stderr, one note per file, with the
// causes grouped: here two barriers are removed (no overlap; TROWSUM's trailing drain), one is
// needed (RAW), and one touches a tile placed past the 192 KiB UB. -q silences the note; a
// pattern that selects nothing prints none.
// RUN: %ptofix run --pattern auto %s -o %t.cpp 2>&1 | filecheck %s
// RUN: %ptofix run --pattern auto -q %s -o %t.cpp 2>&1 | FileCheck %s --allow-empty --check-prefix=QUIET
// RUN: %ptofix run --pattern softmax-sum-add %s -o %t.cpp 2>&1 | FileCheck %s --allow-empty --check-prefix=QUIET
// RUN: %ptofix run --pattern gu %s -o %t.cpp 2>&1 | filecheck %s --check-prefix=GU
// A report on stderr lists every kept barrier with its reason: no note in that stream; a report
// written to a file leaves stderr to the note.
// RUN: %ptofix run --pattern auto --report text %s -o %t.cpp 2>&1 | FileCheck %s --check-prefix=REPORT
// RUN: %ptofix run --pattern auto --report json --report-file %t.json %s -o %t.cpp 2>&1 | filecheck %s --check-prefix=GU2
// `opt` with the pass and its pattern says the same as `run`:
// RUN: %ptofix opt -p 'pipe-v-barrier{pattern=auto}' %s -o %t.cpp 2>&1 | filecheck %s
// RUN: %ptofix opt -p 'pipe-v-barrier{pattern=gu}' %s -o %t.cpp 2>&1 | filecheck %s --check-prefix=GU
// RUN: %ptofix opt -p 'pipe-v-barrier{pattern=auto}' -q %s -o %t.cpp 2>&1 | FileCheck %s --allow-empty --check-prefix=QUIET
// RUN: %ptofix opt -p 'pipe-v-barrier{pattern=auto}' --report text %s -o %t.cpp 2>&1 | FileCheck %s --check-prefix=REPORT
extern "C" __global__ AICORE void k() {
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v5;
  TASSIGN(v5, 0);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, 16384);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v7;
  TASSIGN(v7, 32768);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v9;
  TASSIGN(v9, 196608);
  TEXP(v5, v5);
  pipe_barrier(PIPE_V);
  TEXP(v6, v6);
  pipe_barrier(PIPE_V);
  TROWSUM(v7, v5, v6);
  pipe_barrier(PIPE_V);
  TROWEXPANDMUL(v9, v9, v7);
  pipe_barrier(PIPE_V);
  TADD(v9, v9, v6);
}
// CHECK: kept_note.cpp: note: kept 2 of 4 PIPE_V barriers: 1 for tiles placed past the 192 KiB UB (v9); 1 for a RAW/WAR/WAW byte overlap (needed) (see --report text)
// CHECK-NOT: note:
// GU: kept_note.cpp: note: kept 1 of 1 gu barriers: 1 for tiles placed past the 192 KiB UB (v9) (see --report text)
// QUIET-NOT: {{.}}
// REPORT: kept (auto, TEXP -> TROWSUM): RAW
// REPORT-NOT: note: kept
// GU2: kept_note.cpp: note: kept 2 of 4 PIPE_V barriers
