// Emitter that prints only TPipe<F, Dir, Size, Num> (LocalSlotNum and IsNoSplit take the header defaults).
#include <pto/pto-inst.hpp>
using namespace pto;

__aicore__ void scope_aic(__gm__ float* v1) {
  int32_t v2 = 0;
  auto v3 = TPipe<0, Direction::DIR_BOTH, 4096, 4>(v1, v2, v2);
  Tile<TileType::Mat, bfloat16_t, 16, 128, BLayout::ColMajor, 16, 128, SLayout::RowMajor, 512, PadValue::Null> v4;
  TPOP<TPipe<0, Direction::DIR_BOTH, 4096, 4>, Tile<TileType::Mat, bfloat16_t, 16, 128, BLayout::ColMajor, 16, 128, SLayout::RowMajor, 512, PadValue::Null>, TileSplitAxis::TILE_UP_DOWN>(v3, v4);
  TFREE<TPipe<0, Direction::DIR_BOTH, 4096, 4>, TileSplitAxis::TILE_UP_DOWN>(v3);
}
