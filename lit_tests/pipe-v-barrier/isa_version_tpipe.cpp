// pto-isa version facts of a Tile-form TPOP's ring (a 32x64 float tile, 8192 bytes, in a pipe of
// 16384-byte slots at 0) next to a GU tile at 8192.
// k2: which LocalSlotNum `TPipe<2, Direction::DIR_C2V, 16384, 8, 1>` binds depends on the header's
// TPipe order: pto-isa 2dee72c3 and later take the 1 as LocalSlotNum (one slot, at 0: the gu
// barrier goes); c2d8efbe's takes it as IsNoSplit, LocalSlotNum keeps its default 2 and, strided
// by the tile's bytes there, the second slot is the GU tile's bytes.
// k3: a ring of 2 slots: SlotSize apart since pto-isa ab903c91 ({0, 16384}: the gu barrier goes),
// the tile's bytes apart before ({0, 8192}: kept). Without --pto-isa every reading counts: kept.
// The stand-in checkouts hold only the headers these facts are read from, not the code of the
// ops the facts of TROWEXPANDMUL and TADD were recorded from (pto-isa f35e7f60): those ops are
// Unknown and every barrier stays, with a warning naming the op (tests/pto/test_op_sources.py runs
// a real copy of f35e7f60, where the gu barriers go).
// RUN: %ptofix run --pattern gu %s 2>/dev/null | grep -v '^//' | FileCheck %s --check-prefix=KEPT --implicit-check-not=pipe_barrier
// RUN: %ptofix run --pattern gu --pto-isa %S/Inputs/pto-isa-new %s 2>%t.err | grep -v '^//' | FileCheck %s --check-prefix=KEPT --implicit-check-not=pipe_barrier
// RUN: FileCheck %s --check-prefix=STALE --input-file %t.err
// RUN: %ptofix run --pattern gu --pto-isa %S/Inputs/pto-isa-old %s 2>/dev/null | grep -v '^//' | FileCheck %s --check-prefix=KEPT --implicit-check-not=pipe_barrier
extern "C" __global__ AICORE void k2(__gm__ float* v1) {
  const int64_t v2 = 0;
  const int64_t v3 = 8192;
  const int32_t v4 = 0;
  const int32_t v9 = 0;
  auto v5 = TPipe<2, Direction::DIR_C2V, 16384, 8, 1>(v1, v4, v9);
  Tile<TileType::Vec, float, 32, 64, BLayout::RowMajor, 32, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, v3);
  Tile<TileType::Vec, float, 64, 1, BLayout::ColMajor, 64, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v7;
  TASSIGN(v7, v2);
  Tile<TileType::Vec, float, 32, 64, BLayout::RowMajor, 32, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v8;
  TPOP<TPipe<2, Direction::DIR_C2V, 16384, 8, 1>, Tile<TileType::Vec, float, 32, 64, BLayout::RowMajor, 32, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>, TileSplitAxis::TILE_UP_DOWN>(v5, v8);
  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  TROWEXPANDMUL(v6, v6, v7);
  pipe_barrier(PIPE_V);
  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  TADD(v6, v6, v8);
}
extern "C" __global__ AICORE void k3(__gm__ float* v1) {
  const int64_t v2 = 0;
  const int64_t v3 = 8192;
  const int32_t v4 = 0;
  const int32_t v9 = 0;
  auto v5 = TPipe<2, Direction::DIR_C2V, 16384, 8, 2, false>(v1, v4, v9);
  Tile<TileType::Vec, float, 32, 64, BLayout::RowMajor, 32, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, v3);
  Tile<TileType::Vec, float, 64, 1, BLayout::ColMajor, 64, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v7;
  TASSIGN(v7, v2);
  Tile<TileType::Vec, float, 32, 64, BLayout::RowMajor, 32, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v8;
  TPOP<TPipe<2, Direction::DIR_C2V, 16384, 8, 2, false>, Tile<TileType::Vec, float, 32, 64, BLayout::RowMajor, 32, 64, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>, TileSplitAxis::TILE_UP_DOWN>(v5, v8);
  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  TROWEXPANDMUL(v6, v6, v7);
  pipe_barrier(PIPE_V);
  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  TADD(v6, v6, v8);
}
// KEPT: TROWEXPANDMUL(v6, v6, v7);
// KEPT-NEXT: pipe_barrier(PIPE_V);
// KEPT: TROWEXPANDMUL(v6, v6, v7);
// KEPT-NEXT: pipe_barrier(PIPE_V);
// STALE: warning: pto-isa {{.*}}pto-isa-new: TADD is read as unknown, its barriers kept: its facts were read from other pto-isa code ({{.*}}TAdd.hpp: not reached in the checkout (pto-isa f35e7f60 has it))
