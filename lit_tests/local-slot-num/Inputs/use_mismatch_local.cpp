// A half-applied textual fix: one TPOP already says LocalSlotNum 2, the init and the TFREE still say 8.
#include "pto/pto-inst.hpp"
using namespace pto;

AICORE void vector_kernel(__gm__ float* v1) {
  int32_t v2 = 0;
  auto v3 = TPipe<0, Direction::DIR_C2V, 1024, 8, 8, false>(v1, v2, v2);
  Tile<TileType::Vec, float, 8, 16, BLayout::RowMajor, 8, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v4;
  TPOP<TPipe<0, Direction::DIR_C2V, 1024, 8, 2, false>, Tile<TileType::Vec, float, 8, 16, BLayout::RowMajor, 8, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>, TileSplitAxis::TILE_UP_DOWN>(v3, v4);
  TFREE<TPipe<0, Direction::DIR_C2V, 1024, 8, 8, false>, TileSplitAxis::TILE_UP_DOWN>(v3);
}
