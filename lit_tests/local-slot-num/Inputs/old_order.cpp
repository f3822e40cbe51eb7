// ptoas before 2026-04-14 (PTOAS 0af11f61): TPipe<F, Dir, Size, Num, <nosplit bool>[, Local]>.
#include "pto/pto-inst.hpp"
using namespace pto;

AICORE void cube_kernel(__gm__ float* v1, __gm__ float* v2) {
  int32_t v3 = 0;
  auto v4 = TPipe<0, Direction::DIR_C2V, 1024, 8, true, 8>(v1, v3, v3);
  auto v5 = TPipe<2, Direction::DIR_V2C, 512, 8, false>(v2, v3, v3);
  Tile<TileType::Acc, float, 16, 16, BLayout::ColMajor, 16, 16, SLayout::RowMajor, 1024, PadValue::Null, CompactMode::Null> v6;
  TPUSH<TPipe<0, Direction::DIR_C2V, 1024, 8, true, 8>, Tile<TileType::Acc, float, 16, 16, BLayout::ColMajor, 16, 16, SLayout::RowMajor, 1024, PadValue::Null, CompactMode::Null>, TileSplitAxis::TILE_NO_SPLIT>(v4, v6);
  Tile<TileType::Mat, half, 16, 16, BLayout::ColMajor, 16, 16, SLayout::RowMajor, 512, PadValue::Null, CompactMode::Null> v7;
  TPOP<TPipe<2, Direction::DIR_V2C, 512, 8, false>, Tile<TileType::Mat, half, 16, 16, BLayout::ColMajor, 16, 16, SLayout::RowMajor, 512, PadValue::Null, CompactMode::Null>, TileSplitAxis::TILE_UP_DOWN>(v5, v7);
  TFREE<TPipe<2, Direction::DIR_V2C, 512, 8, false>, TileSplitAxis::TILE_UP_DOWN>(v5);
  return;
}

AICORE void vector_kernel(__gm__ float* v1, __gm__ float* v2) {
  int32_t v3 = 0;
  auto v4 = TPipe<0, Direction::DIR_C2V, 1024, 8, false, 8>(v1, v3, v3);
  auto v5 = TPipe<2, Direction::DIR_V2C, 512, 8, false>(v2, v3, v3);
  Tile<TileType::Vec, float, 8, 16, BLayout::RowMajor, 8, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TPOP<TPipe<0, Direction::DIR_C2V, 1024, 8, false, 8>, Tile<TileType::Vec, float, 8, 16, BLayout::RowMajor, 8, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>, TileSplitAxis::TILE_UP_DOWN>(v4, v6);
  TFREE<TPipe<0, Direction::DIR_C2V, 1024, 8, false, 8>, TileSplitAxis::TILE_UP_DOWN>(v4);
  TPUSH<TPipe<2, Direction::DIR_V2C, 512, 8, false>, Tile<TileType::Vec, float, 8, 16, BLayout::RowMajor, 8, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>, TileSplitAxis::TILE_UP_DOWN>(v5, v6);
  return;
}
