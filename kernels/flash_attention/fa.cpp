// Flash-attention forward (S0=64 query rows split into two 32-row vector slices, S1 tile 256,
// head 128), written for ptofix in the shape ptoas --pto-arch=a3 --enable-insert-sync prints:
// a cube kernel (QK^T, PV matmuls), a vector kernel (online softmax + GU update) and the
// three cross-core pipes QK (C2V, flag 0), P (V2C, flag 2), PV (C2V, flag 4).
// This is a ptofix fixture (not compiled output): it exercises every construct the tool models.
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
  const int32_t v6 = 0;
  const int32_t v7 = 1;
  const int64_t v8 = 0;
  const int64_t v9 = 16384;
  const int64_t v10 = 81920;
  using T = float;

  #if defined(__DAV_CUBE__)
  __gm__ float* v11 = v4;
  __gm__ float* v12 = v4 + 131072;
  __gm__ float* v13 = v4 + 196608;
  auto v14 = TPipe<0, Direction::DIR_C2V, 65536, 8, 8, false>(v11, v6, v6);
  auto v15 = TPipe<2, Direction::DIR_V2C, 32768, 8, 8, false>(v12, v6, v6);
  auto v16 = TPipe<4, Direction::DIR_C2V, 32768, 8, 8, false>(v13, v6, v6);
  Tile<TileType::Mat, half, 64, 128, BLayout::ColMajor, 64, 128, SLayout::RowMajor, 512, PadValue::Null, CompactMode::Null> v17;
  TASSIGN(v17, v8);
  Tile<TileType::Mat, half, 128, 256, BLayout::RowMajor, 128, 256, SLayout::ColMajor, 512, PadValue::Null, CompactMode::Null> v18;
  TASSIGN(v18, v9);
  Tile<TileType::Mat, half, 64, 256, BLayout::ColMajor, 64, 256, SLayout::RowMajor, 512, PadValue::Null, CompactMode::Null> v23;
  TASSIGN(v23, v10);
  Tile<TileType::Mat, half, 256, 128, BLayout::ColMajor, 256, 128, SLayout::RowMajor, 512, PadValue::Null, CompactMode::Null> v24;
  TASSIGN(v24, v9);
  Tile<TileType::Left, half, 64, 128, BLayout::RowMajor, 64, 128, SLayout::RowMajor, 512, PadValue::Null, CompactMode::Null> v19;
  TASSIGN(v19, v8);
  Tile<TileType::Right, half, 128, 256, BLayout::RowMajor, 128, 256, SLayout::ColMajor, 512, PadValue::Null, CompactMode::Null> v20;
  TASSIGN(v20, v8);
  Tile<TileType::Acc, float, 64, 256, BLayout::ColMajor, 64, 256, SLayout::RowMajor, 1024, PadValue::Null, CompactMode::Null> v21;
  TASSIGN(v21, v8);
  Tile<TileType::Acc, float, 64, 128, BLayout::ColMajor, 64, 128, SLayout::RowMajor, 1024, PadValue::Null, CompactMode::Null> v22;
  TASSIGN(v22, v9);
  set_flag(PIPE_M, PIPE_MTE1, EVENT_ID0);
  set_flag(PIPE_FIX, PIPE_M, EVENT_ID0);
  for (int32_t v25 = v6; v25 < v5; v25 += v7) {
    GlobalTensor<half, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND> v26 = GlobalTensor<half, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>(v1);
    TLOAD(v17, v26);
    GlobalTensor<half, pto::Shape<1, 1, 1, 128, 256>, pto::Stride<32768, 32768, 32768, 256, 1>, pto::Layout::ND> v27 = GlobalTensor<half, pto::Shape<1, 1, 1, 128, 256>, pto::Stride<32768, 32768, 32768, 256, 1>, pto::Layout::ND>(v2 + (unsigned) v25 * 32768u);
    TLOAD(v18, v27);
    set_flag(PIPE_MTE2, PIPE_MTE1, EVENT_ID0);
    wait_flag(PIPE_MTE2, PIPE_MTE1, EVENT_ID0);
    wait_flag(PIPE_M, PIPE_MTE1, EVENT_ID0);
    TMOV(v19, v17);
    TMOV(v20, v18);
    set_flag(PIPE_MTE1, PIPE_M, EVENT_ID0);
    wait_flag(PIPE_MTE1, PIPE_M, EVENT_ID0);
    wait_flag(PIPE_FIX, PIPE_M, EVENT_ID0);
    TMATMUL(v21, v19, v20);
    set_flag(PIPE_M, PIPE_MTE1, EVENT_ID0);
    set_flag(PIPE_M, PIPE_FIX, EVENT_ID0);
    GlobalTensor<float, pto::Shape<1, 1, 1, 64, 256>, pto::Stride<16384, 16384, 16384, 256, 1>, pto::Layout::ND> v28(nullptr);
    TALLOC<TPipe<0, Direction::DIR_C2V, 65536, 8, 8, false>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 256>, pto::Stride<16384, 16384, 16384, 256, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v14, v28);
    wait_flag(PIPE_M, PIPE_FIX, EVENT_ID0);
    TSTORE(v28, v21);
    set_flag(PIPE_FIX, PIPE_M, EVENT_ID0);
    TPUSH<TPipe<0, Direction::DIR_C2V, 65536, 8, 8, false>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 256>, pto::Stride<16384, 16384, 16384, 256, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v14, v28);
    TPOP<TPipe<2, Direction::DIR_V2C, 32768, 8, 8, false>, Tile<TileType::Mat, half, 64, 256, BLayout::ColMajor, 64, 256, SLayout::RowMajor, 512, PadValue::Null, CompactMode::Null>, TileSplitAxis::TILE_UP_DOWN>(v15, v23);
    TMOV(v19, v23);
    GlobalTensor<half, pto::Shape<1, 1, 1, 256, 128>, pto::Stride<32768, 32768, 32768, 128, 1>, pto::Layout::ND> v29 = GlobalTensor<half, pto::Shape<1, 1, 1, 256, 128>, pto::Stride<32768, 32768, 32768, 128, 1>, pto::Layout::ND>(v3 + (unsigned) v25 * 32768u);
    TLOAD(v24, v29);
    TMOV(v20, v24);
    TMATMUL(v22, v19, v20);
    TFREE<TPipe<2, Direction::DIR_V2C, 32768, 8, 8, false>, TileSplitAxis::TILE_UP_DOWN>(v15);
    GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND> v30(nullptr);
    TALLOC<TPipe<4, Direction::DIR_C2V, 32768, 8, 8, false>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v16, v30);
    TSTORE(v30, v22);
    TPUSH<TPipe<4, Direction::DIR_C2V, 32768, 8, 8, false>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v16, v30);
  }
  wait_flag(PIPE_M, PIPE_MTE1, EVENT_ID0);
  wait_flag(PIPE_FIX, PIPE_M, EVENT_ID0);
  #endif // __DAV_CUBE__

  ptoas_auto_sync_tail(PTOAutoSyncTailMode::kBarrierAll);
  return;
}

AICORE void vector_kernel(__gm__ float* v1, __gm__ float* v2, int32_t v3) {
  const int32_t v4 = 0;
  const int32_t v5 = 1;
  RoundMode v6 = RoundMode::CAST_RINT;
  const float v7 = 0.0883883461f;
  const int64_t v8 = 0;
  const int64_t v9 = 32768;
  const int64_t v10 = 65536;
  const int64_t v11 = 98304;
  const int64_t v12 = 114688;
  const int64_t v13 = 131072;
  const int64_t v14 = 147456;
  const int64_t v15 = 163840;
  const int64_t v16 = 180224;
  const int64_t v17 = 180352;
  const int64_t v18 = 180480;
  const int64_t v19 = 180608;
  const int64_t v20 = 180736;
  const int64_t v21 = 180864;
  const int64_t v22 = 180992;
  const int64_t v23 = 181120;
  using T = float;

  #if defined(__DAV_VEC__)
  set_mask_norm();
  set_vector_mask(-1, -1);
  __gm__ float* v24 = v2;
  __gm__ float* v25 = v2 + 131072;
  __gm__ float* v26 = v2 + 196608;
  auto v27 = TPipe<0, Direction::DIR_C2V, 65536, 8, 8, false>(v24, v4, v4);
  auto v28 = TPipe<2, Direction::DIR_V2C, 32768, 8, 8, false>(v25, v4, v4);
  auto v29 = TPipe<4, Direction::DIR_C2V, 32768, 8, 8, false>(v26, v4, v4);
  int64_t v30 = get_subblockid();
  Tile<TileType::Vec, float, 32, 256, BLayout::RowMajor, 32, 256, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v31;
  TASSIGN(v31, v8);
  Tile<TileType::Vec, float, 32, 256, BLayout::RowMajor, 32, 256, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v32;
  TASSIGN(v32, v9);
  Tile<TileType::Vec, float, 32, 256, BLayout::RowMajor, 32, 256, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v33;
  TASSIGN(v33, v10);
  Tile<TileType::Vec, half, 32, 256, BLayout::RowMajor, 32, 256, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v34;
  TASSIGN(v34, v11);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v35;
  TASSIGN(v35, v12);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v36;
  TASSIGN(v36, v13);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v37;
  TASSIGN(v37, v14);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v38;
  TASSIGN(v38, v15);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v39;
  TASSIGN(v39, v16);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v40;
  TASSIGN(v40, v17);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v41;
  TASSIGN(v41, v18);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v42;
  TASSIGN(v42, v19);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v43;
  TASSIGN(v43, v20);
  Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v44;
  TASSIGN(v44, v21);
  TEXPANDS(v37, 0.0f);
  TEXPANDS(v38, 0.0f);
  TEXPANDS(v39, -3.40282347e+38f);
  TEXPANDS(v40, -3.40282347e+38f);
  TEXPANDS(v41, 0.0f);
  TEXPANDS(v42, 0.0f);
  set_flag(PIPE_V, PIPE_MTE2, EVENT_ID0);
  set_flag(PIPE_V, PIPE_MTE2, EVENT_ID1);
  set_flag(PIPE_MTE3, PIPE_V, EVENT_ID0);
  for (int32_t v45 = v4; v45 < v3; v45 += v5) {
    bool v46 = (v45 & v5) == v4;
    int64_t v47;
    if (v46) {
      v47 = v22;
    } else {
      v47 = v23;
    };
    GlobalTensor<float, pto::Shape<1, 1, 1, 64, 256>, pto::Stride<16384, 16384, 16384, 256, 1>, pto::Layout::ND> v48(nullptr);
    TPOP<TPipe<0, Direction::DIR_C2V, 65536, 8, 8, false>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 256>, pto::Stride<16384, 16384, 16384, 256, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v27, v48);
    __gm__ float* v49 = PTOAS__GLOBAL_TENSOR_DATA(v48);
    GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND> v50(nullptr);
    TPOP<TPipe<4, Direction::DIR_C2V, 32768, 8, 8, false>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v29, v50);
    __gm__ float* v51 = PTOAS__GLOBAL_TENSOR_DATA(v50);
    // row slice 0: GU update of O with the previous tile's PV, then softmax of this tile
    Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v52;
    TASSIGN(v52, v47 + 0);
    GlobalTensor<float, pto::Shape<1, 1, 1, 32, 128>, pto::Stride<4096, 4096, 4096, 128, 1>, pto::Layout::ND> v53 = GlobalTensor<float, pto::Shape<1, 1, 1, 32, 128>, pto::Stride<4096, 4096, 4096, 128, 1>, pto::Layout::ND>(v51 + 0);
    wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID0);
    TLOAD(v35, v53);
    set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
    TROWEXPANDMUL(v37, v37, v52);
    pipe_barrier(PIPE_V);
    wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
    TADD(v37, v37, v35);
    set_flag(PIPE_V, PIPE_MTE2, EVENT_ID0);
    GlobalTensor<float, pto::Shape<1, 1, 1, 32, 256>, pto::Stride<8192, 8192, 8192, 256, 1>, pto::Layout::ND> v54 = GlobalTensor<float, pto::Shape<1, 1, 1, 32, 256>, pto::Stride<8192, 8192, 8192, 256, 1>, pto::Layout::ND>(v49 + 0);
    TLOAD(v31, v54);
    set_flag(PIPE_MTE2, PIPE_V, EVENT_ID2);
    wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID2);
    TROWMAX(v43, v31, v32);
    pipe_barrier(PIPE_V);
      Tile<TileType::Vec, float, 1, 32, BLayout::RowMajor, 1, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v55;
      TRESHAPE(v55, v43);
      Tile<TileType::Vec, float, 1, 32, BLayout::RowMajor, 1, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v56;
      TRESHAPE(v56, v39);
      Tile<TileType::Vec, float, 1, 32, BLayout::RowMajor, 1, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v57;
      TRESHAPE(v57, v41);
      Tile<TileType::Vec, float, 1, 32, BLayout::RowMajor, 1, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v58;
      TRESHAPE(v58, v44);
      Tile<TileType::Vec, float, 1, 32, BLayout::RowMajor, 1, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v59;
      TRESHAPE(v59, v52);
    TMAX(v55, v55, v56);
    pipe_barrier(PIPE_V);
    TSUB(v59, v56, v55);
    pipe_barrier(PIPE_V);
    TMOV(v56, v55);
    TROWEXPANDSUB(v33, v31, v43);
    TMULS(v59, v59, v7);
    pipe_barrier(PIPE_V);
    TMULS(v33, v33, v7);
    TEXP(v59, v59);
    pipe_barrier(PIPE_V);
    TEXP(v33, v33);
    TMUL(v57, v57, v59);
    pipe_barrier(PIPE_V);
    TROWSUM(v44, v33, v32);
    pipe_barrier(PIPE_V);
    TADD(v57, v57, v58);
    wait_flag(PIPE_MTE3, PIPE_V, EVENT_ID0);
    TCVT(v34, v33, v6);
    set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
    wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
    TPUSH<TPipe<2, Direction::DIR_V2C, 32768, 8, 8, false>, Tile<TileType::Vec, half, 32, 256, BLayout::RowMajor, 32, 256, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>, TileSplitAxis::TILE_UP_DOWN>(v28, v34);
    set_flag(PIPE_MTE3, PIPE_V, EVENT_ID0);
    // row slice 1: GU update of O with the previous tile's PV, then softmax of this tile
    Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v60;
    TASSIGN(v60, v47 + 128);
    GlobalTensor<float, pto::Shape<1, 1, 1, 32, 128>, pto::Stride<4096, 4096, 4096, 128, 1>, pto::Layout::ND> v61 = GlobalTensor<float, pto::Shape<1, 1, 1, 32, 128>, pto::Stride<4096, 4096, 4096, 128, 1>, pto::Layout::ND>(v51 + 4096);
    wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID1);
    TLOAD(v36, v61);
    set_flag(PIPE_MTE2, PIPE_V, EVENT_ID1);
    TROWEXPANDMUL(v38, v38, v60);
    pipe_barrier(PIPE_V);
    wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID1);
    TADD(v38, v38, v36);
    set_flag(PIPE_V, PIPE_MTE2, EVENT_ID1);
    GlobalTensor<float, pto::Shape<1, 1, 1, 32, 256>, pto::Stride<8192, 8192, 8192, 256, 1>, pto::Layout::ND> v62 = GlobalTensor<float, pto::Shape<1, 1, 1, 32, 256>, pto::Stride<8192, 8192, 8192, 256, 1>, pto::Layout::ND>(v49 + 8192);
    TLOAD(v31, v62);
    set_flag(PIPE_MTE2, PIPE_V, EVENT_ID2);
    wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID2);
    TROWMAX(v43, v31, v32);
    pipe_barrier(PIPE_V);
      Tile<TileType::Vec, float, 1, 32, BLayout::RowMajor, 1, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v63;
      TRESHAPE(v63, v43);
      Tile<TileType::Vec, float, 1, 32, BLayout::RowMajor, 1, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v64;
      TRESHAPE(v64, v40);
      Tile<TileType::Vec, float, 1, 32, BLayout::RowMajor, 1, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v65;
      TRESHAPE(v65, v42);
      Tile<TileType::Vec, float, 1, 32, BLayout::RowMajor, 1, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v66;
      TRESHAPE(v66, v44);
      Tile<TileType::Vec, float, 1, 32, BLayout::RowMajor, 1, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v67;
      TRESHAPE(v67, v60);
    TMAX(v63, v63, v64);
    pipe_barrier(PIPE_V);
    TSUB(v67, v64, v63);
    pipe_barrier(PIPE_V);
    TMOV(v64, v63);
    TROWEXPANDSUB(v33, v31, v43);
    TMULS(v67, v67, v7);
    pipe_barrier(PIPE_V);
    TMULS(v33, v33, v7);
    TEXP(v67, v67);
    pipe_barrier(PIPE_V);
    TEXP(v33, v33);
    TMUL(v65, v65, v67);
    pipe_barrier(PIPE_V);
    TROWSUM(v44, v33, v32);
    pipe_barrier(PIPE_V);
    TADD(v65, v65, v66);
    wait_flag(PIPE_MTE3, PIPE_V, EVENT_ID0);
    TCVT(v34, v33, v6);
    set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
    wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
    TPUSH<TPipe<2, Direction::DIR_V2C, 32768, 8, 8, false>, Tile<TileType::Vec, half, 32, 256, BLayout::RowMajor, 32, 256, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>, TileSplitAxis::TILE_UP_DOWN>(v28, v34);
    set_flag(PIPE_MTE3, PIPE_V, EVENT_ID0);
    TFREE<TPipe<4, Direction::DIR_C2V, 32768, 8, 8, false>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v29, v50);
    TFREE<TPipe<0, Direction::DIR_C2V, 65536, 8, 8, false>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 256>, pto::Stride<16384, 16384, 16384, 256, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v27, v48);
  }
  wait_flag(PIPE_MTE3, PIPE_V, EVENT_ID0);
  pipe_barrier(PIPE_V);
  TROWEXPANDDIV(v37, v37, v41);
  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID1);
  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID1);
  GlobalTensor<float, pto::Shape<1, 1, 1, 32, 128>, pto::Stride<4096, 4096, 4096, 128, 1>, pto::Layout::ND> v68 = GlobalTensor<float, pto::Shape<1, 1, 1, 32, 128>, pto::Stride<4096, 4096, 4096, 128, 1>, pto::Layout::ND>(v1 + (unsigned) v30 * 8192u + 0u);
  TSTORE(v68, v37);
  pipe_barrier(PIPE_V);
  TROWEXPANDDIV(v38, v38, v42);
  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID2);
  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID2);
  GlobalTensor<float, pto::Shape<1, 1, 1, 32, 128>, pto::Stride<4096, 4096, 4096, 128, 1>, pto::Layout::ND> v69 = GlobalTensor<float, pto::Shape<1, 1, 1, 32, 128>, pto::Stride<4096, 4096, 4096, 128, 1>, pto::Layout::ND>(v1 + (unsigned) v30 * 8192u + 4096u);
  TSTORE(v69, v38);
  wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID0);
  wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID1);
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
