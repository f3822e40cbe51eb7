// Rule (b): v5 and v7 share UB bytes (address reuse). TMULS reads v5; TLOAD rewrites
// the bytes as v7 between the two ops, ordered by V->MTE2 and MTE2->V flag pairs, so TADDS(v7)
// observes the load. Without the V->MTE2 pair (rewritten_by_tload_unordered.cpp), or when the
// load does not cover the bytes (rewritten_by_tload_partial.cpp), the barrier stays. (One kernel
// a file: another kernel of the file that sets a flag may run just before and leave it pending.)
// RUN: %ptofix run --pattern auto --report json --report-file %t.json %s | filecheck %s
// RUN: filecheck %s --check-prefix=JSON < %t.json
extern "C" __global__ AICORE void k(__gm__ float* v1) {
  const int64_t v2 = 0;
  const int64_t v3 = 16384;
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v5;
  TASSIGN(v5, v2);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v6;
  TASSIGN(v6, v3);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v7;
  TASSIGN(v7, v2);
  GlobalTensor<float, pto::Shape<1, 1, 1, 32, 128>, pto::Stride<4096, 4096, 4096, 128, 1>, pto::Layout::ND> v8 = GlobalTensor<float, pto::Shape<1, 1, 1, 32, 128>, pto::Stride<4096, 4096, 4096, 128, 1>, pto::Layout::ND>(v1);
  TMULS(v6, v5, 2.0f);
  set_flag(PIPE_V, PIPE_MTE2, EVENT_ID0);
  wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID0);
  TLOAD(v7, v8);
  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  pipe_barrier(PIPE_V);
  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  TADDS(v7, v7, 1.0f);
}
// CHECK-LABEL: void k(
// CHECK: /* ptofix: removed pipe_barrier(PIPE_V) (auto) */
// JSON: "reason": "proved: 1 op pair(s) across it have no RAW/WAR/WAW byte overlap except 1 overlap(s) rewritten in between by another pipe, ordered by set/wait flags"
