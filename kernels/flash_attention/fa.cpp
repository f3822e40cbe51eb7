#include "pto/pto-inst.hpp"
using namespace pto;

template <typename Tensor>
static AICORE inline auto PTOAS__GLOBAL_TENSOR_DATA(Tensor &tensor)
    -> decltype(tensor.data()) {
  return tensor.data();
}


enum class PTOAutoSyncTailMode : int {
  kBarrierAll = 0,
  kSetWaitMte3ToSEvent0 = 1,
};

static AICORE inline void ptoas_auto_sync_tail(
    PTOAutoSyncTailMode mode = PTOAutoSyncTailMode::kBarrierAll) {
  switch (mode) {
  case PTOAutoSyncTailMode::kSetWaitMte3ToSEvent0:
    set_flag(PIPE_MTE3, PIPE_S, EVENT_ID0);
    wait_flag(PIPE_MTE3, PIPE_S, EVENT_ID0);
    break;
  case PTOAutoSyncTailMode::kBarrierAll:
  default:
    pipe_barrier(PIPE_ALL);
    break;
  }
}

AICORE void cube_kernel(__gm__ half* v1, __gm__ half* v2, __gm__ half* v3, __gm__ float* v4, int32_t v5) {
  unsigned v6 = 0;
  const int32_t v7 = 0;
  const int32_t v8 = 98304;
  const int32_t v9 = 65536;
  const int32_t v10 = 128;
  const int32_t v11 = 1;
  const int64_t v12 = 0;
  const int64_t v13 = 16384;
  const int64_t v14 = 81920;
  const int64_t v15 = 49152;
  const int64_t v16 = 32768;
  using T = float;

  #if defined(__DAV_CUBE__)
  size_t v17 = (size_t) v11;
  __gm__ float* v18 = v4 + v9;
  
  __gm__ float* v19 = v4 + v8;
  
  auto v20 = TPipe<0, Direction::DIR_C2V, 32768, 8, 8, true>(v4, v7, v7);
  auto v21 = TPipe<2, Direction::DIR_V2C, 16384, 8, 8, false>(v18, v7, v7);
  auto v22 = TPipe<4, Direction::DIR_C2V, 32768, 8, 8, true>(v19, v7, v7);
  Tile<TileType::Mat, half, 64, 128, BLayout::ColMajor, 64, 128, SLayout::RowMajor, 512, PadValue::Null, CompactMode::Null> v23;
  uint64_t v24 = (uint64_t) v12;
  TASSIGN(v23, v24);
  Tile<TileType::Mat, half, 128, 128, BLayout::RowMajor, 128, 128, SLayout::ColMajor, 512, PadValue::Null, CompactMode::Null> v25;
  uint64_t v26 = (uint64_t) v13;
  TASSIGN(v25, v26);
  Tile<TileType::Mat, half, 64, 128, BLayout::ColMajor, 64, 128, SLayout::RowMajor, 512, PadValue::Null, CompactMode::Null> v27;
  uint64_t v28 = (uint64_t) v14;
  TASSIGN(v27, v28);
  Tile<TileType::Mat, half, 128, 128, BLayout::ColMajor, 128, 128, SLayout::RowMajor, 512, PadValue::Null, CompactMode::Null> v29;
  uint64_t v30 = (uint64_t) v15;
  TASSIGN(v29, v30);
  Tile<TileType::Left, half, 64, 128, BLayout::RowMajor, 64, 128, SLayout::RowMajor, 512, PadValue::Null, CompactMode::Null> v31;
  uint64_t v32 = (uint64_t) v12;
  TASSIGN(v31, v32);
  Tile<TileType::Right, half, 128, 128, BLayout::RowMajor, 128, 128, SLayout::ColMajor, 512, PadValue::Null, CompactMode::Null> v33;
  uint64_t v34 = (uint64_t) v12;
  TASSIGN(v33, v34);
  Tile<TileType::Left, half, 64, 128, BLayout::RowMajor, 64, 128, SLayout::RowMajor, 512, PadValue::Null, CompactMode::Null> v35;
  uint64_t v36 = (uint64_t) v13;
  TASSIGN(v35, v36);
  Tile<TileType::Right, half, 128, 128, BLayout::RowMajor, 128, 128, SLayout::ColMajor, 512, PadValue::Null, CompactMode::Null> v37;
  uint64_t v38 = (uint64_t) v16;
  TASSIGN(v37, v38);
  Tile<TileType::Acc, float, 64, 128, BLayout::ColMajor, 64, 128, SLayout::RowMajor, 1024, PadValue::Null, CompactMode::Null> v39;
  uint64_t v40 = (uint64_t) v12;
  TASSIGN(v39, v40);
  Tile<TileType::Acc, float, 64, 128, BLayout::ColMajor, 64, 128, SLayout::RowMajor, 1024, PadValue::Null, CompactMode::Null> v41;
  uint64_t v42 = (uint64_t) v16;
  TASSIGN(v41, v42);
  int32_t v43 = (int32_t) ((uint32_t) v5 * (uint32_t) v10);
  pto::Shape<1, 1, 1, 64, 128> v44 = pto::Shape<1, 1, 1, 64, 128>();
  pto::Stride<8192, 8192, 8192, 128, 1> v45 = pto::Stride<8192, 8192, 8192, 128, 1>();
  GlobalTensor<half, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND> v46 = GlobalTensor<half, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>(v1 + (v6 + v6 * (unsigned) v10 + v6 * (unsigned) v11), v44, v45);
  set_flag(PIPE_MTE1, PIPE_MTE2, EVENT_ID1);
  set_flag(PIPE_M, PIPE_MTE1, EVENT_ID1);
  set_flag(PIPE_FIX, PIPE_M, EVENT_ID1);
  set_flag(PIPE_MTE1, PIPE_MTE2, EVENT_ID2);
  set_flag(PIPE_M, PIPE_MTE1, EVENT_ID2);
  set_flag(PIPE_MTE1, PIPE_MTE2, EVENT_ID3);
  set_flag(PIPE_FIX, PIPE_M, EVENT_ID2);
  TLOAD(v23, v46);
  set_flag(PIPE_MTE2, PIPE_MTE1, EVENT_ID0);
  pto::Shape<1, 1, 1, 128, 128> v47 = pto::Shape<1, 1, 1, 128, 128>();
  pto::Stride<128, 128, 128, 1, 128> v48 = pto::Stride<128, 128, 128, 1, 128>();
  GlobalTensor<half, pto::Shape<1, 1, 1, 128, 128>, pto::Stride<128, 128, 128, 1, 128>, pto::Layout::ND> v49 = GlobalTensor<half, pto::Shape<1, 1, 1, 128, 128>, pto::Stride<128, 128, 128, 1, 128>, pto::Layout::ND>(v2 + (v6 + v6 * (unsigned) v11 + v6 * (unsigned) v10), v47, v48);
  TLOAD(v25, v49);
  set_flag(PIPE_MTE2, PIPE_MTE1, EVENT_ID1);
  wait_flag(PIPE_MTE2, PIPE_MTE1, EVENT_ID0);
  TMOV(v31, v23);
  wait_flag(PIPE_MTE2, PIPE_MTE1, EVENT_ID1);
  TMOV(v33, v25);
  set_flag(PIPE_MTE1, PIPE_M, EVENT_ID0);
  set_flag(PIPE_MTE1, PIPE_MTE2, EVENT_ID0);
  wait_flag(PIPE_MTE1, PIPE_M, EVENT_ID0);
  TMATMUL(v39, v31, v33);
  set_flag(PIPE_M, PIPE_FIX, EVENT_ID0);
  set_flag(PIPE_M, PIPE_MTE1, EVENT_ID0);
  GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND> v50(nullptr);
  TALLOC<TPipe<0, Direction::DIR_C2V, 32768, 8, 8, true>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v20, v50);
  __gm__ float* v51 = PTOAS__GLOBAL_TENSOR_DATA(v50);
  pto::Shape<1, 1, 1, 64, 128> v52 = pto::Shape<1, 1, 1, 64, 128>();
  pto::Stride<8192, 8192, 8192, 128, 1> v53 = pto::Stride<8192, 8192, 8192, 128, 1>();
  GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND> v54 = GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>(v51, v52, v53);
  wait_flag(PIPE_M, PIPE_FIX, EVENT_ID0);
  TSTORE(v54, v39);
  set_flag(PIPE_FIX, PIPE_M, EVENT_ID0);
  TPUSH<TPipe<0, Direction::DIR_C2V, 32768, 8, 8, true>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v20, v50);
  wait_flag(PIPE_MTE1, PIPE_MTE2, EVENT_ID0);
  wait_flag(PIPE_M, PIPE_MTE1, EVENT_ID0);
  wait_flag(PIPE_FIX, PIPE_M, EVENT_ID0);
  for (size_t v55 = v17; v55 < ((size_t) v5); v55 += v17) {
    int32_t v56 = (int32_t) v55;
    pto::Shape<1, 1, 1, 128, 128> v57 = pto::Shape<1, 1, 1, 128, 128>();
    pto::Stride<128, 128, 128, 1, 128> v58 = pto::Stride<128, 128, 128, 1, 128>();
    GlobalTensor<half, pto::Shape<1, 1, 1, 128, 128>, pto::Stride<128, 128, 128, 1, 128>, pto::Layout::ND> v59 = GlobalTensor<half, pto::Shape<1, 1, 1, 128, 128>, pto::Stride<128, 128, 128, 1, 128>, pto::Layout::ND>(v2 + (v6 + v6 * (unsigned) v11 + (unsigned) ((int32_t) (uint32_t) v56 * (uint32_t) v10) * (unsigned) v10), v57, v58);
    wait_flag(PIPE_MTE1, PIPE_MTE2, EVENT_ID1);
    TLOAD(v25, v59);
    set_flag(PIPE_MTE2, PIPE_MTE1, EVENT_ID2);
    wait_flag(PIPE_M, PIPE_MTE1, EVENT_ID1);
    TMOV(v31, v23);
    wait_flag(PIPE_MTE2, PIPE_MTE1, EVENT_ID2);
    TMOV(v33, v25);
    set_flag(PIPE_MTE1, PIPE_MTE2, EVENT_ID1);
    set_flag(PIPE_MTE1, PIPE_M, EVENT_ID1);
    wait_flag(PIPE_MTE1, PIPE_M, EVENT_ID1);
    wait_flag(PIPE_FIX, PIPE_M, EVENT_ID1);
    TMATMUL(v39, v31, v33);
    set_flag(PIPE_M, PIPE_MTE1, EVENT_ID1);
    set_flag(PIPE_M, PIPE_FIX, EVENT_ID1);
    GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND> v60(nullptr);
    TALLOC<TPipe<0, Direction::DIR_C2V, 32768, 8, 8, true>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v20, v60);
    __gm__ float* v61 = PTOAS__GLOBAL_TENSOR_DATA(v60);
    pto::Shape<1, 1, 1, 64, 128> v62 = pto::Shape<1, 1, 1, 64, 128>();
    pto::Stride<8192, 8192, 8192, 128, 1> v63 = pto::Stride<8192, 8192, 8192, 128, 1>();
    GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND> v64 = GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>(v61, v62, v63);
    wait_flag(PIPE_M, PIPE_FIX, EVENT_ID1);
    TSTORE(v64, v39);
    set_flag(PIPE_FIX, PIPE_M, EVENT_ID1);
    TPUSH<TPipe<0, Direction::DIR_C2V, 32768, 8, 8, true>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v20, v60);
    wait_flag(PIPE_MTE1, PIPE_MTE2, EVENT_ID2);
    TPOP<TPipe<2, Direction::DIR_V2C, 16384, 8, 8, false>, Tile<TileType::Mat, half, 64, 128, BLayout::ColMajor, 64, 128, SLayout::RowMajor, 512, PadValue::Null, CompactMode::Null>, TileSplitAxis::TILE_UP_DOWN>(v21, v27);
    set_flag(PIPE_MTE2, PIPE_MTE1, EVENT_ID3);
    wait_flag(PIPE_MTE2, PIPE_MTE1, EVENT_ID3);
    wait_flag(PIPE_M, PIPE_MTE1, EVENT_ID2);
    TMOV(v35, v27);
    set_flag(PIPE_MTE1, PIPE_MTE2, EVENT_ID2);
    TFREE<TPipe<2, Direction::DIR_V2C, 16384, 8, 8, false>, TileSplitAxis::TILE_UP_DOWN>(v21);
    pto::Shape<1, 1, 1, 128, 128> v65 = pto::Shape<1, 1, 1, 128, 128>();
    pto::Stride<16384, 16384, 16384, 128, 1> v66 = pto::Stride<16384, 16384, 16384, 128, 1>();
    GlobalTensor<half, pto::Shape<1, 1, 1, 128, 128>, pto::Stride<16384, 16384, 16384, 128, 1>, pto::Layout::ND> v67 = GlobalTensor<half, pto::Shape<1, 1, 1, 128, 128>, pto::Stride<16384, 16384, 16384, 128, 1>, pto::Layout::ND>(v3 + (v6 + (unsigned) ((int32_t) (uint32_t) ((int32_t) (uint32_t) v56 - (uint32_t) v11) * (uint32_t) v10) * (unsigned) v10 + v6 * (unsigned) v11), v65, v66);
    wait_flag(PIPE_MTE1, PIPE_MTE2, EVENT_ID3);
    TLOAD(v29, v67);
    set_flag(PIPE_MTE2, PIPE_MTE1, EVENT_ID4);
    wait_flag(PIPE_MTE2, PIPE_MTE1, EVENT_ID4);
    TMOV(v37, v29);
    set_flag(PIPE_MTE1, PIPE_MTE2, EVENT_ID3);
    set_flag(PIPE_MTE1, PIPE_M, EVENT_ID2);
    wait_flag(PIPE_MTE1, PIPE_M, EVENT_ID2);
    wait_flag(PIPE_FIX, PIPE_M, EVENT_ID2);
    TMATMUL(v41, v35, v37);
    set_flag(PIPE_M, PIPE_MTE1, EVENT_ID2);
    set_flag(PIPE_M, PIPE_FIX, EVENT_ID2);
    GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND> v68(nullptr);
    TALLOC<TPipe<4, Direction::DIR_C2V, 32768, 8, 8, true>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v22, v68);
    __gm__ float* v69 = PTOAS__GLOBAL_TENSOR_DATA(v68);
    pto::Shape<1, 1, 1, 64, 128> v70 = pto::Shape<1, 1, 1, 64, 128>();
    pto::Stride<8192, 8192, 8192, 128, 1> v71 = pto::Stride<8192, 8192, 8192, 128, 1>();
    GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND> v72 = GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>(v69, v70, v71);
    wait_flag(PIPE_M, PIPE_FIX, EVENT_ID2);
    TSTORE(v72, v41);
    set_flag(PIPE_FIX, PIPE_M, EVENT_ID2);
    TPUSH<TPipe<4, Direction::DIR_C2V, 32768, 8, 8, true>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v22, v68);
  }
  set_flag(PIPE_FIX, PIPE_M, EVENT_ID3);
  set_flag(PIPE_M, PIPE_MTE1, EVENT_ID3);
  set_flag(PIPE_MTE1, PIPE_MTE2, EVENT_ID4);
  wait_flag(PIPE_MTE1, PIPE_MTE2, EVENT_ID4);
  TPOP<TPipe<2, Direction::DIR_V2C, 16384, 8, 8, false>, Tile<TileType::Mat, half, 64, 128, BLayout::ColMajor, 64, 128, SLayout::RowMajor, 512, PadValue::Null, CompactMode::Null>, TileSplitAxis::TILE_UP_DOWN>(v21, v27);
  set_flag(PIPE_MTE2, PIPE_MTE1, EVENT_ID5);
  wait_flag(PIPE_MTE2, PIPE_MTE1, EVENT_ID5);
  wait_flag(PIPE_M, PIPE_MTE1, EVENT_ID3);
  TMOV(v35, v27);
  TFREE<TPipe<2, Direction::DIR_V2C, 16384, 8, 8, false>, TileSplitAxis::TILE_UP_DOWN>(v21);
  pto::Shape<1, 1, 1, 128, 128> v73 = pto::Shape<1, 1, 1, 128, 128>();
  pto::Stride<16384, 16384, 16384, 128, 1> v74 = pto::Stride<16384, 16384, 16384, 128, 1>();
  GlobalTensor<half, pto::Shape<1, 1, 1, 128, 128>, pto::Stride<16384, 16384, 16384, 128, 1>, pto::Layout::ND> v75 = GlobalTensor<half, pto::Shape<1, 1, 1, 128, 128>, pto::Stride<16384, 16384, 16384, 128, 1>, pto::Layout::ND>(v3 + (v6 + (unsigned) ((int32_t) (uint32_t) ((int32_t) (uint32_t) v5 - (uint32_t) v11) * (uint32_t) v10) * (unsigned) v10 + v6 * (unsigned) v11), v73, v74);
  TLOAD(v29, v75);
  set_flag(PIPE_MTE2, PIPE_MTE1, EVENT_ID6);
  wait_flag(PIPE_MTE2, PIPE_MTE1, EVENT_ID6);
  TMOV(v37, v29);
  set_flag(PIPE_MTE1, PIPE_M, EVENT_ID3);
  wait_flag(PIPE_MTE1, PIPE_M, EVENT_ID3);
  wait_flag(PIPE_FIX, PIPE_M, EVENT_ID3);
  TMATMUL(v41, v35, v37);
  set_flag(PIPE_M, PIPE_FIX, EVENT_ID3);
  GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND> v76(nullptr);
  TALLOC<TPipe<4, Direction::DIR_C2V, 32768, 8, 8, true>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v22, v76);
  __gm__ float* v77 = PTOAS__GLOBAL_TENSOR_DATA(v76);
  pto::Shape<1, 1, 1, 64, 128> v78 = pto::Shape<1, 1, 1, 64, 128>();
  pto::Stride<8192, 8192, 8192, 128, 1> v79 = pto::Stride<8192, 8192, 8192, 128, 1>();
  GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND> v80 = GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>(v77, v78, v79);
  wait_flag(PIPE_M, PIPE_FIX, EVENT_ID3);
  TSTORE(v80, v41);
  wait_flag(PIPE_MTE1, PIPE_MTE2, EVENT_ID1);
  wait_flag(PIPE_M, PIPE_MTE1, EVENT_ID1);
  wait_flag(PIPE_FIX, PIPE_M, EVENT_ID1);
  wait_flag(PIPE_MTE1, PIPE_MTE2, EVENT_ID2);
  wait_flag(PIPE_M, PIPE_MTE1, EVENT_ID2);
  wait_flag(PIPE_MTE1, PIPE_MTE2, EVENT_ID3);
  wait_flag(PIPE_FIX, PIPE_M, EVENT_ID2);
  TPUSH<TPipe<4, Direction::DIR_C2V, 32768, 8, 8, true>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v22, v76);
  #endif // __DAV_CUBE__

  ptoas_auto_sync_tail(PTOAutoSyncTailMode::kBarrierAll);
  return;
}

AICORE void vector_kernel(__gm__ float* v1, __gm__ float* v2, int32_t v3) {
  SaturationMode v4 = SaturationMode::OFF;
  RoundMode v5 = RoundMode::CAST_RINT;
  unsigned v6 = 128;
  unsigned v7 = 0;
  const int32_t v8 = 0;
  const float v9 = 0.0f;
  const float v10 = 0.0883883461f;
  const int32_t v11 = 98304;
  const int32_t v12 = 65536;
  const int32_t v13 = 128;
  const int32_t v14 = 32;
  const int32_t v15 = 1;
  const int64_t v16 = 16384;
  const int64_t v17 = 32896;
  const int64_t v18 = 49280;
  const int64_t v19 = 65792;
  const int64_t v20 = 74112;
  const int64_t v21 = 0;
  const int64_t v22 = 32768;
  const int64_t v23 = 65664;
  const int64_t v24 = 90496;
  const int64_t v25 = 90624;
  const int64_t v26 = 73984;
  using T = float;

  #if defined(__DAV_VEC__)
  set_mask_norm();
  set_vector_mask(-1, -1);
  size_t v27 = (size_t) v15;
  __gm__ float* v28 = v2 + v12;
  
  __gm__ float* v29 = v2 + v11;
  
  auto v30 = TPipe<0, Direction::DIR_C2V, 32768, 8, 8, true>(v2, v8, v8);
  auto v31 = TPipe<2, Direction::DIR_V2C, 16384, 8, 8, false>(v28, v8, v8);
  auto v32 = TPipe<4, Direction::DIR_C2V, 32768, 8, 8, true>(v29, v8, v8);
  int64_t v33 = get_subblockid();
  int32_t v34 = (int32_t) ((uint32_t) ((int32_t) (int64_t) v33) * (uint32_t) v14);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v35;
  uint64_t v36 = (uint64_t) v16;
  TASSIGN(v35, v36);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v37;
  uint64_t v38 = (uint64_t) v17;
  TASSIGN(v37, v38);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v39;
  uint64_t v40 = (uint64_t) v18;
  TASSIGN(v39, v40);
  Tile<TileType::Vec, half, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v41;
  uint64_t v42 = (uint64_t) v19;
  TASSIGN(v41, v42);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v43;
  uint64_t v44 = (uint64_t) v20;
  TASSIGN(v43, v44);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v45;
  uint64_t v46 = (uint64_t) v21;
  TASSIGN(v45, v46);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v47;
  uint64_t v48 = (uint64_t) v22;
  TASSIGN(v47, v48);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v49;
  uint64_t v50 = (uint64_t) v23;
  TASSIGN(v49, v50);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v51;
  uint64_t v52 = (uint64_t) v24;
  TASSIGN(v51, v52);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v53;
  uint64_t v54 = (uint64_t) v25;
  TASSIGN(v53, v54);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v55;
  uint64_t v56 = (uint64_t) v26;
  TASSIGN(v55, v56);
  Tile<TileType::Vec, float, 1, 32, BLayout::RowMajor, 1, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v57;
  TRESHAPE(v57, v47);
  Tile<TileType::Vec, float, 1, 32, BLayout::RowMajor, 1, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v58;
  TRESHAPE(v58, v49);
  Tile<TileType::Vec, float, 1, 32, BLayout::RowMajor, 1, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v59;
  TRESHAPE(v59, v51);
  Tile<TileType::Vec, float, 1, 32, BLayout::RowMajor, 1, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v60;
  TRESHAPE(v60, v53);
  Tile<TileType::Vec, float, 1, 32, BLayout::RowMajor, 1, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v61;
  TRESHAPE(v61, v55);
  set_flag(PIPE_V, PIPE_MTE2, EVENT_ID1);
  set_flag(PIPE_MTE3, PIPE_V, EVENT_ID1);
  set_flag(PIPE_V, PIPE_MTE2, EVENT_ID2);
  TEXPANDS(v45, v9);
  GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND> v62(nullptr);
  TPOP<TPipe<0, Direction::DIR_C2V, 32768, 8, 8, true>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v30, v62);
  __gm__ float* v63 = PTOAS__GLOBAL_TENSOR_DATA(v62);
  pto::Shape<1, 1, 1, 32, 128> v64 = pto::Shape<1, 1, 1, 32, 128>();
  pto::Stride<4096, 4096, 4096, 128, 1> v65 = pto::Stride<4096, 4096, 4096, 128, 1>();
  GlobalTensor<float, pto::Shape<1, 1, 1, 32, 128>, pto::Stride<4096, 4096, 4096, 128, 1>, pto::Layout::ND> v66 = GlobalTensor<float, pto::Shape<1, 1, 1, 32, 128>, pto::Stride<4096, 4096, 4096, 128, 1>, pto::Layout::ND>(v63 + (v7 + (unsigned) v34 * v6), v64, v65);
  TLOAD(v35, v66);
  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  TROWMAX(v47, v35, v37);
  pipe_barrier(PIPE_V);
  TROWEXPANDSUB(v39, v35, v47);
  set_flag(PIPE_V, PIPE_MTE2, EVENT_ID0);
  TMULS(v39, v39, v10);
  TEXP(v39, v39);
  TROWSUM(v49, v39, v37);
  TCVT(v41, v39, v5, v4);
  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  TPUSH<TPipe<2, Direction::DIR_V2C, 16384, 8, 8, false>, Tile<TileType::Vec, half, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>, TileSplitAxis::TILE_UP_DOWN>(v31, v41);
  set_flag(PIPE_MTE3, PIPE_V, EVENT_ID0);
  TFREE<TPipe<0, Direction::DIR_C2V, 32768, 8, 8, true>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v30, v62);
  TSUB(v61, v57, v57);
  wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID0);
  wait_flag(PIPE_MTE3, PIPE_V, EVENT_ID0);
  for (size_t v67 = v27; v67 < ((size_t) v3); v67 += v27) {
    GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND> v68(nullptr);
    TPOP<TPipe<0, Direction::DIR_C2V, 32768, 8, 8, true>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v30, v68);
    __gm__ float* v69 = PTOAS__GLOBAL_TENSOR_DATA(v68);
    pto::Shape<1, 1, 1, 32, 128> v70 = pto::Shape<1, 1, 1, 32, 128>();
    pto::Stride<4096, 4096, 4096, 128, 1> v71 = pto::Stride<4096, 4096, 4096, 128, 1>();
    GlobalTensor<float, pto::Shape<1, 1, 1, 32, 128>, pto::Stride<4096, 4096, 4096, 128, 1>, pto::Layout::ND> v72 = GlobalTensor<float, pto::Shape<1, 1, 1, 32, 128>, pto::Stride<4096, 4096, 4096, 128, 1>, pto::Layout::ND>(v69 + (v7 + (unsigned) v34 * v6), v70, v71);
    wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID1);
    TLOAD(v35, v72);
    set_flag(PIPE_MTE2, PIPE_V, EVENT_ID1);
    wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID1);
    pipe_barrier(PIPE_V);
    TROWMAX(v51, v35, v37);
    pipe_barrier(PIPE_V);
    TMAX(v59, v59, v57);
    pipe_barrier(PIPE_V);
    TSUB(v60, v57, v59);
    pipe_barrier(PIPE_V);
    TMOV(v57, v59);
    TROWEXPANDSUB(v39, v35, v51);
    set_flag(PIPE_V, PIPE_MTE2, EVENT_ID1);
    TMULS(v60, v60, v10);
    pipe_barrier(PIPE_V);
    TMULS(v39, v39, v10);
    pipe_barrier(PIPE_V);
    TEXP(v60, v60);
    TEXP(v39, v39);
    pipe_barrier(PIPE_V);
    TMUL(v58, v58, v60);
    TROWSUM(v51, v39, v37);
    pipe_barrier(PIPE_V);
    TADD(v58, v58, v59);
    wait_flag(PIPE_MTE3, PIPE_V, EVENT_ID1);
    TCVT(v41, v39, v5, v4);
    set_flag(PIPE_V, PIPE_MTE3, EVENT_ID1);
    wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID1);
    TPUSH<TPipe<2, Direction::DIR_V2C, 16384, 8, 8, false>, Tile<TileType::Vec, half, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>, TileSplitAxis::TILE_UP_DOWN>(v31, v41);
    set_flag(PIPE_MTE3, PIPE_V, EVENT_ID1);
    TFREE<TPipe<0, Direction::DIR_C2V, 32768, 8, 8, true>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v30, v68);
    GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND> v73(nullptr);
    TPOP<TPipe<4, Direction::DIR_C2V, 32768, 8, 8, true>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v32, v73);
    __gm__ float* v74 = PTOAS__GLOBAL_TENSOR_DATA(v73);
    pto::Shape<1, 1, 1, 32, 128> v75 = pto::Shape<1, 1, 1, 32, 128>();
    pto::Stride<4096, 4096, 4096, 128, 1> v76 = pto::Stride<4096, 4096, 4096, 128, 1>();
    GlobalTensor<float, pto::Shape<1, 1, 1, 32, 128>, pto::Stride<4096, 4096, 4096, 128, 1>, pto::Layout::ND> v77 = GlobalTensor<float, pto::Shape<1, 1, 1, 32, 128>, pto::Stride<4096, 4096, 4096, 128, 1>, pto::Layout::ND>(v74 + (v7 + (unsigned) v34 * v6), v75, v76);
    wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID2);
    TLOAD(v43, v77);
    set_flag(PIPE_MTE2, PIPE_V, EVENT_ID2);
    TFREE<TPipe<4, Direction::DIR_C2V, 32768, 8, 8, true>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v32, v73);
    TROWEXPANDMUL(v45, v45, v55);
    wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID2);
    pipe_barrier(PIPE_V);
    TADD(v45, v45, v43);
    set_flag(PIPE_V, PIPE_MTE2, EVENT_ID2);
    pipe_barrier(PIPE_V);
    TMOV(v61, v60);
  }
  set_flag(PIPE_V, PIPE_MTE2, EVENT_ID3);
  GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND> v78(nullptr);
  TPOP<TPipe<4, Direction::DIR_C2V, 32768, 8, 8, true>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v32, v78);
  __gm__ float* v79 = PTOAS__GLOBAL_TENSOR_DATA(v78);
  pto::Shape<1, 1, 1, 32, 128> v80 = pto::Shape<1, 1, 1, 32, 128>();
  pto::Stride<4096, 4096, 4096, 128, 1> v81 = pto::Stride<4096, 4096, 4096, 128, 1>();
  GlobalTensor<float, pto::Shape<1, 1, 1, 32, 128>, pto::Stride<4096, 4096, 4096, 128, 1>, pto::Layout::ND> v82 = GlobalTensor<float, pto::Shape<1, 1, 1, 32, 128>, pto::Stride<4096, 4096, 4096, 128, 1>, pto::Layout::ND>(v79 + (v7 + (unsigned) v34 * v6), v80, v81);
  wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID3);
  TLOAD(v43, v82);
  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID3);
  TFREE<TPipe<4, Direction::DIR_C2V, 32768, 8, 8, true>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v32, v78);
  pipe_barrier(PIPE_V);
  TROWEXPANDMUL(v45, v45, v55);
  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID3);
  TADD(v45, v45, v43);
  TROWEXPANDDIV(v45, v45, v49);
  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID2);
  pto::Shape<1, 1, 1, 32, 128> v83 = pto::Shape<1, 1, 1, 32, 128>();
  pto::Stride<4096, 4096, 4096, 128, 1> v84 = pto::Stride<4096, 4096, 4096, 128, 1>();
  GlobalTensor<float, pto::Shape<1, 1, 1, 32, 128>, pto::Stride<4096, 4096, 4096, 128, 1>, pto::Layout::ND> v85 = GlobalTensor<float, pto::Shape<1, 1, 1, 32, 128>, pto::Stride<4096, 4096, 4096, 128, 1>, pto::Layout::ND>(v1 + (v7 + (unsigned) v34 * (unsigned) v13 + v7 * (unsigned) v15), v83, v84);
  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID2);
  TSTORE(v85, v45);
  wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID1);
  wait_flag(PIPE_MTE3, PIPE_V, EVENT_ID1);
  wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID2);
  #endif // __DAV_VEC__

  ptoas_auto_sync_tail(PTOAutoSyncTailMode::kBarrierAll);
  return;
}

extern "C" __global__ AICORE void fa_kernel(__gm__ int64_t* v1, __gm__ half* v2, __gm__ half* v3, __gm__ half* v4, __gm__ float* v5, __gm__ float* v6, int32_t v7) {
  using T = float;
  uint64_t v8 = (uint64_t) v1;
  set_ffts_base_addr(v8);
  cube_kernel(v2, v3, v4, v6, v7);
  vector_kernel(v5, v6, v7);
  return;
}