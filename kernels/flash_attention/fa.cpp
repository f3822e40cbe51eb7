// Flash-attention forward (S0=64 query rows: 32 per vector subblock, processed as two 16-row
// slices; S1 tile 256, head 128), written for ptofix in the shape ptoas --pto-arch=a3 --enable-insert-sync prints:
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
    Tile<TileType::Left, half, 64, 256, BLayout::RowMajor, 64, 256, SLayout::RowMajor, 512, PadValue::Null, CompactMode::Null> v29;
    TASSIGN(v29, v8);
    TMOV(v29, v23);
    GlobalTensor<half, pto::Shape<1, 1, 1, 256, 128>, pto::Stride<32768, 32768, 32768, 128, 1>, pto::Layout::ND> v30 = GlobalTensor<half, pto::Shape<1, 1, 1, 256, 128>, pto::Stride<32768, 32768, 32768, 128, 1>, pto::Layout::ND>(v3 + (unsigned) v25 * 32768u);
    TLOAD(v24, v30);
    Tile<TileType::Right, half, 256, 128, BLayout::RowMajor, 256, 128, SLayout::ColMajor, 512, PadValue::Null, CompactMode::Null> v31;
    TASSIGN(v31, v8);
    TMOV(v31, v24);
    TMATMUL(v22, v29, v31);
    TFREE<TPipe<2, Direction::DIR_V2C, 32768, 8, 8, false>, TileSplitAxis::TILE_UP_DOWN>(v15);
    GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND> v32(nullptr);
    TALLOC<TPipe<4, Direction::DIR_C2V, 32768, 8, 8, false>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v16, v32);
    TSTORE(v32, v22);
    TPUSH<TPipe<4, Direction::DIR_C2V, 32768, 8, 8, false>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v16, v32);
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
  const int64_t v9 = 16384;
  const int64_t v10 = 32768;
  const int64_t v11 = 49152;
  const int64_t v12 = 65536;
  const int64_t v13 = 73728;
  const int64_t v14 = 81920;
  const int64_t v15 = 90112;
  const int64_t v16 = 98304;
  const int64_t v17 = 98368;
  const int64_t v18 = 98432;
  const int64_t v19 = 98496;
  const int64_t v20 = 98560;
  const int64_t v21 = 98624;
  const int64_t v22 = 98688;
  const int64_t v23 = 98816;
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
  int32_t v31 = (int32_t) ((uint32_t) ((int32_t) (int64_t) v30) * (uint32_t) 32);
  Tile<TileType::Vec, float, 16, 256, BLayout::RowMajor, 16, 256, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v32;
  TASSIGN(v32, v8);
  Tile<TileType::Vec, float, 16, 256, BLayout::RowMajor, 16, 256, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v33;
  TASSIGN(v33, v9);
  Tile<TileType::Vec, float, 16, 256, BLayout::RowMajor, 16, 256, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v34;
  TASSIGN(v34, v10);
  Tile<TileType::Vec, half, 32, 256, BLayout::RowMajor, 32, 256, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v35;
  TASSIGN(v35, v11);
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v36;
  TASSIGN(v36, v12);
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v37;
  TASSIGN(v37, v13);
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v38;
  TASSIGN(v38, v14);
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v39;
  TASSIGN(v39, v15);
  Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 16, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v40;
  TASSIGN(v40, v16);
  Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 16, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v41;
  TASSIGN(v41, v17);
  Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 16, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v42;
  TASSIGN(v42, v18);
  Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 16, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v43;
  TASSIGN(v43, v19);
  Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 16, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v44;
  TASSIGN(v44, v20);
  Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 16, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v45;
  TASSIGN(v45, v21);
  TEXPANDS(v38, 0.0f);
  TEXPANDS(v39, 0.0f);
  TEXPANDS(v40, -3.40282347e+38f);
  TEXPANDS(v41, -3.40282347e+38f);
  TEXPANDS(v42, 0.0f);
  TEXPANDS(v43, 0.0f);
  set_flag(PIPE_V, PIPE_MTE2, EVENT_ID0);
  set_flag(PIPE_V, PIPE_MTE2, EVENT_ID1);
  set_flag(PIPE_V, PIPE_MTE2, EVENT_ID2);
  set_flag(PIPE_MTE3, PIPE_V, EVENT_ID0);
  // tile 0: softmax only (software pipelined like the DSL kernel: GU of tile i-1 runs with softmax of tile i)
  GlobalTensor<float, pto::Shape<1, 1, 1, 64, 256>, pto::Stride<16384, 16384, 16384, 256, 1>, pto::Layout::ND> v46(nullptr);
  TPOP<TPipe<0, Direction::DIR_C2V, 65536, 8, 8, false>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 256>, pto::Stride<16384, 16384, 16384, 256, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v27, v46);
  __gm__ float* v47 = PTOAS__GLOBAL_TENSOR_DATA(v46);
  // softmax of row slice 0: running max/sum, P = exp((S - m) * scale) -> half
  int64_t v48;
  if (true) {
    v48 = v22;
  } else {
    v48 = v23;
  };
  Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 16, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v49;
  TASSIGN(v49, v48 + 0);
  GlobalTensor<float, pto::Shape<1, 1, 1, 16, 256>, pto::Stride<4096, 4096, 4096, 256, 1>, pto::Layout::ND> v50 = GlobalTensor<float, pto::Shape<1, 1, 1, 16, 256>, pto::Stride<4096, 4096, 4096, 256, 1>, pto::Layout::ND>(v47 + (unsigned) (v31 + 0) * 256u);
  wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID2);
  TLOAD(v32, v50);
  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID2);
  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID2);
  TROWMAX(v44, v32, v33);
  pipe_barrier(PIPE_V);
  Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v51;
  TRESHAPE(v51, v44);
  Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v52;
  TRESHAPE(v52, v40);
  Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v53;
  TRESHAPE(v53, v42);
  Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v54;
  TRESHAPE(v54, v45);
  Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v55;
  TRESHAPE(v55, v49);
  TMAX(v51, v51, v52);
  pipe_barrier(PIPE_V);
  TSUB(v55, v52, v51);
  pipe_barrier(PIPE_V);
  TMOV(v52, v51);
  TROWEXPANDSUB(v34, v32, v44);
  set_flag(PIPE_V, PIPE_MTE2, EVENT_ID2);
  TMULS(v55, v55, v7);
  pipe_barrier(PIPE_V);
  TMULS(v34, v34, v7);
  TEXP(v55, v55);
  pipe_barrier(PIPE_V);
  TEXP(v34, v34);
  TMUL(v53, v53, v55);
  pipe_barrier(PIPE_V);
  TROWSUM(v45, v34, v33);
  pipe_barrier(PIPE_V);
  TADD(v53, v53, v54);
  __ubuf__ half* v56 = v35.data();
  __ubuf__ half* v57 = v56 + 0;
  uint64_t v58 = reinterpret_cast<uint64_t>(v57);
  Tile<TileType::Vec, half, 16, 256, BLayout::RowMajor, 16, 256, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v59;
  TASSIGN(v59, v58);
  wait_flag(PIPE_MTE3, PIPE_V, EVENT_ID0);
  TCVT(v59, v34, v6);
  // softmax of row slice 1: running max/sum, P = exp((S - m) * scale) -> half
  int64_t v60;
  if (true) {
    v60 = v22;
  } else {
    v60 = v23;
  };
  Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 16, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v61;
  TASSIGN(v61, v60 + 64);
  GlobalTensor<float, pto::Shape<1, 1, 1, 16, 256>, pto::Stride<4096, 4096, 4096, 256, 1>, pto::Layout::ND> v62 = GlobalTensor<float, pto::Shape<1, 1, 1, 16, 256>, pto::Stride<4096, 4096, 4096, 256, 1>, pto::Layout::ND>(v47 + (unsigned) (v31 + 16) * 256u);
  wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID2);
  TLOAD(v32, v62);
  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID2);
  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID2);
  TROWMAX(v44, v32, v33);
  pipe_barrier(PIPE_V);
  Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v63;
  TRESHAPE(v63, v44);
  Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v64;
  TRESHAPE(v64, v41);
  Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v65;
  TRESHAPE(v65, v43);
  Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v66;
  TRESHAPE(v66, v45);
  Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v67;
  TRESHAPE(v67, v61);
  TMAX(v63, v63, v64);
  pipe_barrier(PIPE_V);
  TSUB(v67, v64, v63);
  pipe_barrier(PIPE_V);
  TMOV(v64, v63);
  TROWEXPANDSUB(v34, v32, v44);
  set_flag(PIPE_V, PIPE_MTE2, EVENT_ID2);
  TMULS(v67, v67, v7);
  pipe_barrier(PIPE_V);
  TMULS(v34, v34, v7);
  TEXP(v67, v67);
  pipe_barrier(PIPE_V);
  TEXP(v34, v34);
  TMUL(v65, v65, v67);
  pipe_barrier(PIPE_V);
  TROWSUM(v45, v34, v33);
  pipe_barrier(PIPE_V);
  TADD(v65, v65, v66);
  __ubuf__ half* v68 = v35.data();
  __ubuf__ half* v69 = v68 + 4096;
  uint64_t v70 = reinterpret_cast<uint64_t>(v69);
  Tile<TileType::Vec, half, 16, 256, BLayout::RowMajor, 16, 256, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v71;
  TASSIGN(v71, v70);
  TCVT(v71, v34, v6);
  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  TPUSH<TPipe<2, Direction::DIR_V2C, 32768, 8, 8, false>, Tile<TileType::Vec, half, 32, 256, BLayout::RowMajor, 32, 256, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>, TileSplitAxis::TILE_UP_DOWN>(v28, v35);
  set_flag(PIPE_MTE3, PIPE_V, EVENT_ID0);
  TFREE<TPipe<0, Direction::DIR_C2V, 65536, 8, 8, false>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 256>, pto::Stride<16384, 16384, 16384, 256, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v27, v46);
  for (int32_t v72 = v5; v72 < v3; v72 += v5) {
    bool v73 = (v72 & v5) == v4;
    bool v74 = !v73;
    GlobalTensor<float, pto::Shape<1, 1, 1, 64, 256>, pto::Stride<16384, 16384, 16384, 256, 1>, pto::Layout::ND> v75(nullptr);
    TPOP<TPipe<0, Direction::DIR_C2V, 65536, 8, 8, false>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 256>, pto::Stride<16384, 16384, 16384, 256, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v27, v75);
    __gm__ float* v76 = PTOAS__GLOBAL_TENSOR_DATA(v75);
    GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND> v77(nullptr);
    TPOP<TPipe<4, Direction::DIR_C2V, 32768, 8, 8, false>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v29, v77);
    __gm__ float* v78 = PTOAS__GLOBAL_TENSOR_DATA(v77);
    // GU of row slice 0: O = O * exp(m_old - m_new) + P V
    int64_t v79;
    if (v74) {
      v79 = v22;
    } else {
      v79 = v23;
    };
    Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 16, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v80;
    TASSIGN(v80, v79 + 0);
    GlobalTensor<float, pto::Shape<1, 1, 1, 16, 128>, pto::Stride<2048, 2048, 2048, 128, 1>, pto::Layout::ND> v81 = GlobalTensor<float, pto::Shape<1, 1, 1, 16, 128>, pto::Stride<2048, 2048, 2048, 128, 1>, pto::Layout::ND>(v78 + (unsigned) (v31 + 0) * 128u);
    wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID0);
    TLOAD(v36, v81);
    set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
    TROWEXPANDMUL(v38, v38, v80);
    pipe_barrier(PIPE_V);
    wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
    TADD(v38, v38, v36);
    set_flag(PIPE_V, PIPE_MTE2, EVENT_ID0);
    // softmax of row slice 0: running max/sum, P = exp((S - m) * scale) -> half
    int64_t v82;
    if (v73) {
      v82 = v22;
    } else {
      v82 = v23;
    };
    Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 16, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v83;
    TASSIGN(v83, v82 + 0);
    GlobalTensor<float, pto::Shape<1, 1, 1, 16, 256>, pto::Stride<4096, 4096, 4096, 256, 1>, pto::Layout::ND> v84 = GlobalTensor<float, pto::Shape<1, 1, 1, 16, 256>, pto::Stride<4096, 4096, 4096, 256, 1>, pto::Layout::ND>(v76 + (unsigned) (v31 + 0) * 256u);
    wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID2);
    TLOAD(v32, v84);
    set_flag(PIPE_MTE2, PIPE_V, EVENT_ID2);
    wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID2);
    TROWMAX(v44, v32, v33);
    pipe_barrier(PIPE_V);
    Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v85;
    TRESHAPE(v85, v44);
    Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v86;
    TRESHAPE(v86, v40);
    Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v87;
    TRESHAPE(v87, v42);
    Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v88;
    TRESHAPE(v88, v45);
    Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v89;
    TRESHAPE(v89, v83);
    TMAX(v85, v85, v86);
    pipe_barrier(PIPE_V);
    TSUB(v89, v86, v85);
    pipe_barrier(PIPE_V);
    TMOV(v86, v85);
    TROWEXPANDSUB(v34, v32, v44);
    set_flag(PIPE_V, PIPE_MTE2, EVENT_ID2);
    TMULS(v89, v89, v7);
    pipe_barrier(PIPE_V);
    TMULS(v34, v34, v7);
    TEXP(v89, v89);
    pipe_barrier(PIPE_V);
    TEXP(v34, v34);
    TMUL(v87, v87, v89);
    pipe_barrier(PIPE_V);
    TROWSUM(v45, v34, v33);
    pipe_barrier(PIPE_V);
    TADD(v87, v87, v88);
    __ubuf__ half* v90 = v35.data();
    __ubuf__ half* v91 = v90 + 0;
    uint64_t v92 = reinterpret_cast<uint64_t>(v91);
    Tile<TileType::Vec, half, 16, 256, BLayout::RowMajor, 16, 256, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v93;
    TASSIGN(v93, v92);
    wait_flag(PIPE_MTE3, PIPE_V, EVENT_ID0);
    TCVT(v93, v34, v6);
    // GU of row slice 1: O = O * exp(m_old - m_new) + P V
    int64_t v94;
    if (v74) {
      v94 = v22;
    } else {
      v94 = v23;
    };
    Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 16, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v95;
    TASSIGN(v95, v94 + 64);
    GlobalTensor<float, pto::Shape<1, 1, 1, 16, 128>, pto::Stride<2048, 2048, 2048, 128, 1>, pto::Layout::ND> v96 = GlobalTensor<float, pto::Shape<1, 1, 1, 16, 128>, pto::Stride<2048, 2048, 2048, 128, 1>, pto::Layout::ND>(v78 + (unsigned) (v31 + 16) * 128u);
    wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID1);
    TLOAD(v37, v96);
    set_flag(PIPE_MTE2, PIPE_V, EVENT_ID1);
    TROWEXPANDMUL(v39, v39, v95);
    pipe_barrier(PIPE_V);
    wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID1);
    TADD(v39, v39, v37);
    set_flag(PIPE_V, PIPE_MTE2, EVENT_ID1);
    // softmax of row slice 1: running max/sum, P = exp((S - m) * scale) -> half
    int64_t v97;
    if (v73) {
      v97 = v22;
    } else {
      v97 = v23;
    };
    Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 16, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v98;
    TASSIGN(v98, v97 + 64);
    GlobalTensor<float, pto::Shape<1, 1, 1, 16, 256>, pto::Stride<4096, 4096, 4096, 256, 1>, pto::Layout::ND> v99 = GlobalTensor<float, pto::Shape<1, 1, 1, 16, 256>, pto::Stride<4096, 4096, 4096, 256, 1>, pto::Layout::ND>(v76 + (unsigned) (v31 + 16) * 256u);
    wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID2);
    TLOAD(v32, v99);
    set_flag(PIPE_MTE2, PIPE_V, EVENT_ID2);
    wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID2);
    TROWMAX(v44, v32, v33);
    pipe_barrier(PIPE_V);
    Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v100;
    TRESHAPE(v100, v44);
    Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v101;
    TRESHAPE(v101, v41);
    Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v102;
    TRESHAPE(v102, v43);
    Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v103;
    TRESHAPE(v103, v45);
    Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v104;
    TRESHAPE(v104, v98);
    TMAX(v100, v100, v101);
    pipe_barrier(PIPE_V);
    TSUB(v104, v101, v100);
    pipe_barrier(PIPE_V);
    TMOV(v101, v100);
    TROWEXPANDSUB(v34, v32, v44);
    set_flag(PIPE_V, PIPE_MTE2, EVENT_ID2);
    TMULS(v104, v104, v7);
    pipe_barrier(PIPE_V);
    TMULS(v34, v34, v7);
    TEXP(v104, v104);
    pipe_barrier(PIPE_V);
    TEXP(v34, v34);
    TMUL(v102, v102, v104);
    pipe_barrier(PIPE_V);
    TROWSUM(v45, v34, v33);
    pipe_barrier(PIPE_V);
    TADD(v102, v102, v103);
    __ubuf__ half* v105 = v35.data();
    __ubuf__ half* v106 = v105 + 4096;
    uint64_t v107 = reinterpret_cast<uint64_t>(v106);
    Tile<TileType::Vec, half, 16, 256, BLayout::RowMajor, 16, 256, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v108;
    TASSIGN(v108, v107);
    TCVT(v108, v34, v6);
    set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
    wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
    TPUSH<TPipe<2, Direction::DIR_V2C, 32768, 8, 8, false>, Tile<TileType::Vec, half, 32, 256, BLayout::RowMajor, 32, 256, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>, TileSplitAxis::TILE_UP_DOWN>(v28, v35);
    set_flag(PIPE_MTE3, PIPE_V, EVENT_ID0);
    TFREE<TPipe<4, Direction::DIR_C2V, 32768, 8, 8, false>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v29, v77);
    TFREE<TPipe<0, Direction::DIR_C2V, 65536, 8, 8, false>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 256>, pto::Stride<16384, 16384, 16384, 256, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v27, v75);
  }
  // last tile: GU, then O / rowsum and store
  bool v109 = ((v3 - v5) & v5) == v4;
  GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND> v110(nullptr);
  TPOP<TPipe<4, Direction::DIR_C2V, 32768, 8, 8, false>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v29, v110);
  __gm__ float* v111 = PTOAS__GLOBAL_TENSOR_DATA(v110);
  // GU of row slice 0: O = O * exp(m_old - m_new) + P V
  int64_t v112;
  if (v109) {
    v112 = v22;
  } else {
    v112 = v23;
  };
  Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 16, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v113;
  TASSIGN(v113, v112 + 0);
  GlobalTensor<float, pto::Shape<1, 1, 1, 16, 128>, pto::Stride<2048, 2048, 2048, 128, 1>, pto::Layout::ND> v114 = GlobalTensor<float, pto::Shape<1, 1, 1, 16, 128>, pto::Stride<2048, 2048, 2048, 128, 1>, pto::Layout::ND>(v111 + (unsigned) (v31 + 0) * 128u);
  wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID0);
  TLOAD(v36, v114);
  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  TROWEXPANDMUL(v38, v38, v113);
  pipe_barrier(PIPE_V);
  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  TADD(v38, v38, v36);
  set_flag(PIPE_V, PIPE_MTE2, EVENT_ID0);
  pipe_barrier(PIPE_V);
  TROWEXPANDDIV(v38, v38, v42);
  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID1);
  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID1);
  GlobalTensor<float, pto::Shape<1, 1, 1, 16, 128>, pto::Stride<2048, 2048, 2048, 128, 1>, pto::Layout::ND> v115 = GlobalTensor<float, pto::Shape<1, 1, 1, 16, 128>, pto::Stride<2048, 2048, 2048, 128, 1>, pto::Layout::ND>(v1 + (unsigned) (v31 + 0) * 128u);
  TSTORE(v115, v38);
  pipe_barrier(PIPE_V);
  // GU of row slice 1: O = O * exp(m_old - m_new) + P V
  int64_t v116;
  if (v109) {
    v116 = v22;
  } else {
    v116 = v23;
  };
  Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 16, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v117;
  TASSIGN(v117, v116 + 64);
  GlobalTensor<float, pto::Shape<1, 1, 1, 16, 128>, pto::Stride<2048, 2048, 2048, 128, 1>, pto::Layout::ND> v118 = GlobalTensor<float, pto::Shape<1, 1, 1, 16, 128>, pto::Stride<2048, 2048, 2048, 128, 1>, pto::Layout::ND>(v111 + (unsigned) (v31 + 16) * 128u);
  wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID1);
  TLOAD(v37, v118);
  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID1);
  TROWEXPANDMUL(v39, v39, v117);
  pipe_barrier(PIPE_V);
  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID1);
  TADD(v39, v39, v37);
  set_flag(PIPE_V, PIPE_MTE2, EVENT_ID1);
  pipe_barrier(PIPE_V);
  TROWEXPANDDIV(v39, v39, v43);
  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID2);
  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID2);
  GlobalTensor<float, pto::Shape<1, 1, 1, 16, 128>, pto::Stride<2048, 2048, 2048, 128, 1>, pto::Layout::ND> v119 = GlobalTensor<float, pto::Shape<1, 1, 1, 16, 128>, pto::Stride<2048, 2048, 2048, 128, 1>, pto::Layout::ND>(v1 + (unsigned) (v31 + 16) * 128u);
  TSTORE(v119, v39);
  TFREE<TPipe<4, Direction::DIR_C2V, 32768, 8, 8, false>, GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v29, v110);
  wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID0);
  wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID1);
  wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID2);
  wait_flag(PIPE_MTE3, PIPE_V, EVENT_ID0);
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
