// TSCATTER(dst, src, idx) stores src's elements with the scalar unit at the indices idx holds,
// anywhere in UB (pto-isa TScatter.hpp): its writes have unknown bytes, and the barrier after the
// unrelated TEXP stays. Its mask-pattern form TSCATTER<mask>(dst, src) is not modelled.
// RUN: %ptofix run --pattern auto --report text %s 2>%t.txt | filecheck %s
// RUN: filecheck %s --check-prefix=REPORT < %t.txt
extern "C" __global__ AICORE void k_indexed() {
  Tile<TileType::Vec, float, 8, 32, BLayout::RowMajor, 8, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v1;
  TASSIGN(v1, 0);
  Tile<TileType::Vec, float, 8, 32, BLayout::RowMajor, 8, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v2;
  TASSIGN(v2, 1024);
  Tile<TileType::Vec, int32_t, 8, 32, BLayout::RowMajor, 8, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v3;
  TASSIGN(v3, 2048);
  Tile<TileType::Vec, float, 8, 32, BLayout::RowMajor, 8, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v9;
  TASSIGN(v9, 8192);
  TEXP(v9, v9);
  pipe_barrier(PIPE_V);
  TSCATTER(v1, v2, v3);
}
extern "C" __global__ AICORE void k_mask_pattern() {
  Tile<TileType::Vec, float, 8, 32, BLayout::RowMajor, 8, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v1;
  TASSIGN(v1, 0);
  Tile<TileType::Vec, float, 8, 32, BLayout::RowMajor, 8, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v2;
  TASSIGN(v2, 1024);
  Tile<TileType::Vec, float, 8, 32, BLayout::RowMajor, 8, 32, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v9;
  TASSIGN(v9, 8192);
  TEXP(v9, v9);
  pipe_barrier(PIPE_V);
  TSCATTER<pto::MaskPattern::P0101>(v1, v2);
}
// CHECK-COUNT-2: pipe_barrier(PIPE_V);
// REPORT: tscatter.cpp:16:3: kept (auto, TEXP -> TSCATTER): WAW: TEXP write v9 [8192,9216) at 15:3 -> TSCATTER write <UB bytes TSCATTER writes outside its operands>
// REPORT: tscatter.cpp:27:3: kept (auto, TEXP -> [no op on straight-line code]): {{.*}}TSCATTER with 2 operands: a form whose effects ptofix does not model
