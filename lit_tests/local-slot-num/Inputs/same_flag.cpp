// Two different pipes share FlagID 0 in one function (a flag collision): FlagID intent is ambiguous.
#include "pto/pto-inst.hpp"
using namespace pto;

AICORE void cube_kernel(__gm__ float* v1, __gm__ float* v2) {
  int32_t v3 = 0;
  auto v4 = TPipe<0, Direction::DIR_C2V, 1024, 8, 8, true>(v1, v3, v3);
  auto v5 = TPipe<0, Direction::DIR_C2V, 2048, 8, 8, true>(v2, v3, v3);
  auto v6 = TPipe<4, Direction::DIR_V2C, 512, 8, 8, false>(v2, v3, v3);
  Tile<TileType::Acc, float, 16, 16, BLayout::ColMajor, 16, 16, SLayout::RowMajor, 1024, PadValue::Null, CompactMode::Null> v7;
  TPUSH<TPipe<0, Direction::DIR_C2V, 1024, 8, 8, true>, Tile<TileType::Acc, float, 16, 16, BLayout::ColMajor, 16, 16, SLayout::RowMajor, 1024, PadValue::Null, CompactMode::Null>, TileSplitAxis::TILE_NO_SPLIT>(v4, v7);
  TPUSH<TPipe<0, Direction::DIR_C2V, 2048, 8, 8, true>, Tile<TileType::Acc, float, 16, 16, BLayout::ColMajor, 16, 16, SLayout::RowMajor, 1024, PadValue::Null, CompactMode::Null>, TileSplitAxis::TILE_NO_SPLIT>(v5, v7);
  TFREE<TPipe<4, Direction::DIR_V2C, 512, 8, 8, false>, TileSplitAxis::TILE_UP_DOWN>(v6);
}
