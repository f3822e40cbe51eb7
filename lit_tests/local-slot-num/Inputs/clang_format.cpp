// clang-formatted ptoas output: TPipe types broken over several lines.
#include "pto/pto-inst.hpp"
using namespace pto;

AICORE void fa_fused_aic(__gm__ float* v1, __gm__ float* v2) {
    int32_t v3 = 0;
    auto v4 = TPipe<0, Direction::DIR_BOTH, 8192, 4, 4, false>(v1, v3, v3);
    auto v5 = TPipe<4, Direction::DIR_C2V, 2048, 8, 8, true>(v2, v3, v3);
    Tile<TileType::Acc, float, 16, 128, BLayout::ColMajor, -1, -1, SLayout::RowMajor, 1024, PadValue::Null,
         CompactMode::Null>
        v6 = Tile<TileType::Acc, float, 16, 128, BLayout::ColMajor, -1, -1, SLayout::RowMajor, 1024,
                  PadValue::Null, CompactMode::Null>(v3, v3);
    for (int32_t v7 = 0; v7 < 4; v7 += 1) {
        TPUSH<
            TPipe<0, Direction::DIR_BOTH, 8192, 4, 4, false>,
            Tile<
                TileType::Acc, float, 16, 128, BLayout::ColMajor, -1, -1, SLayout::RowMajor, 1024, PadValue::Null,
                CompactMode::Null>,
            TileSplitAxis::TILE_UP_DOWN>(v4, v6);
        TPUSH<
            TPipe<
                4, Direction::DIR_C2V, 2048, 8,
                8, true>,
            Tile<
                TileType::Acc, float, 16, 128, BLayout::ColMajor, -1, -1, SLayout::RowMajor, 1024, PadValue::Null,
                CompactMode::Null>,
            TileSplitAxis::TILE_UP_DOWN>(v5, v6);
        TFREE<TPipe<0, Direction::DIR_BOTH, 8192, 4, 4, false>, TileSplitAxis::TILE_UP_DOWN>(v4);
    }
}
