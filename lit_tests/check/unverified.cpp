// A statement ptofix does not understand makes the function unverified (one note naming the first
// such statement), not a race: vendor_hook may drain or touch anything, and as a header's macro
// it may even jump. No race is shown, and none is ruled out: exit 4, not 0.
// RUN: %expect-exit 4 %ptofix check %s 2>&1 | FileCheck %s --implicit-check-not=warning: --implicit-check-not=note:
__global__ AICORE void k() {
  Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null> a;
  TASSIGN(a, 0);
  TADD(a, a, a);
  vendor_hook(a);
  TMUL(a, a, a);
  other_hook(a);
  TEXP(a, a);
}
// CHECK: unverified.cpp:5:1: note: 'k' is unverified: control flow is not modelled ({{.*}}unverified.cpp:9:3: 'vendor_hook(...)' may be a macro that hides a jump)
