// Small ptoas-style kernel (new TPipe argument order <F, Dir, Size, Num, Local, NoSplit>).
#include "pto/pto-inst.hpp"
using namespace pto;

AICORE void cube_kernel(__gm__ float* v1, __gm__ float* v2, __gm__ float* v3) {
  int32_t v4 = 0;
  auto v5 = TPipe<0, Direction::DIR_C2V, 1024, 8, 8, true>(v1, v4, v4);
  auto v6 = TPipe<2, Direction::DIR_V2C, 512, 8, 8, false>(v2, v4, v4);
  auto v7 = TPipe<4, Direction::DIR_C2V, 2048, 8, 8, true>(v3, v4, v4);
  GlobalTensor<float, pto::Shape<1, 1, 1, 16, 16>, pto::Stride<256, 256, 256, 16, 1>, pto::Layout::ND> v8(nullptr);
  for (size_t v9 = 0; v9 < 4; v9 += 1) {
    TALLOC<TPipe<0, Direction::DIR_C2V, 1024, 8, 8, true>, GlobalTensor<float, pto::Shape<1, 1, 1, 16, 16>, pto::Stride<256, 256, 256, 16, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v5, v8);
    TPUSH<TPipe<0, Direction::DIR_C2V, 1024, 8, 8, true>, GlobalTensor<float, pto::Shape<1, 1, 1, 16, 16>, pto::Stride<256, 256, 256, 16, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v5, v8);
    Tile<TileType::Mat, half, 16, 16, BLayout::ColMajor, 16, 16, SLayout::RowMajor, 512, PadValue::Null, CompactMode::Null> v10;
    TPOP<TPipe<2, Direction::DIR_V2C, 512, 8, 8, false>, Tile<TileType::Mat, half, 16, 16, BLayout::ColMajor, 16, 16, SLayout::RowMajor, 512, PadValue::Null, CompactMode::Null>, TileSplitAxis::TILE_UP_DOWN>(v6, v10);
    TFREE<TPipe<2, Direction::DIR_V2C, 512, 8, 8, false>, TileSplitAxis::TILE_UP_DOWN>(v6);
    TALLOC<TPipe<4, Direction::DIR_C2V, 2048, 8, 8, true>, GlobalTensor<float, pto::Shape<1, 1, 1, 16, 16>, pto::Stride<256, 256, 256, 16, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v7, v8);
    TPUSH<TPipe<4, Direction::DIR_C2V, 2048, 8, 8, true>, GlobalTensor<float, pto::Shape<1, 1, 1, 16, 16>, pto::Stride<256, 256, 256, 16, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v7, v8);
  }
  return;
}

AICORE void vector_kernel(__gm__ float* v1, __gm__ float* v2, __gm__ float* v3) {
  int32_t v4 = 0;
  int32_t v5 = 4096;
  auto v6 = TPipe<0, Direction::DIR_C2V, 1024, 8, 8, true>(v1, v4, v4);
  auto v7 = TPipe<2, Direction::DIR_V2C, 512, 8, 8, false>(v2, v4, v5);
  auto v8 = TPipe<4, Direction::DIR_C2V, 2048, 8, 8, true>(v3, v4, v4);
  GlobalTensor<float, pto::Shape<1, 1, 1, 16, 16>, pto::Stride<256, 256, 256, 16, 1>, pto::Layout::ND> v9(nullptr);
  Tile<TileType::Vec, half, 8, 16, BLayout::RowMajor, 8, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v10;
  TPOP<TPipe<0, Direction::DIR_C2V, 1024, 8, 8, true>, GlobalTensor<float, pto::Shape<1, 1, 1, 16, 16>, pto::Stride<256, 256, 256, 16, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v6, v9);
  TFREE<TPipe<0, Direction::DIR_C2V, 1024, 8, 8, true>, GlobalTensor<float, pto::Shape<1, 1, 1, 16, 16>, pto::Stride<256, 256, 256, 16, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v6, v9);
  TPUSH<TPipe<2, Direction::DIR_V2C, 512, 8, 8, false>, Tile<TileType::Vec, half, 8, 16, BLayout::RowMajor, 8, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>, TileSplitAxis::TILE_UP_DOWN>(v7, v10);
  TPOP<TPipe<4, Direction::DIR_C2V, 2048, 8, 8, true>, GlobalTensor<float, pto::Shape<1, 1, 1, 16, 16>, pto::Stride<256, 256, 256, 16, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v8, v9);
  TFREE<TPipe<4, Direction::DIR_C2V, 2048, 8, 8, true>, GlobalTensor<float, pto::Shape<1, 1, 1, 16, 16>, pto::Stride<256, 256, 256, 16, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v8, v9);
  return;
}
