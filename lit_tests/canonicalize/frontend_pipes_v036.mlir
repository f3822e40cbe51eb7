// Comment lines are dropped before checking: each CHECK line would otherwise match itself.
// RUN: %ptofix canonicalize --target-ptoas v0.36 %s | grep -v '^ *//' | FileCheck %s --implicit-check-not='"pto.'
// RUN: %ptofix canonicalize --target-ptoas v0.36 %s | %ptofix canonicalize --target-ptoas v0.36 --check -

// Mixed form as an old binding prints it: known ops custom, unknown ops generic with i64 widths.
module {
  func.func @cube_kernel(%gm: !pto.ptr<f32>, %tv: !pto.tensor_view<16x16xf32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    // CHECK: %c0 = arith.constant 0 : index
    %c0 = arith.constant 0 : index
    // CHECK: pto.aic_initialize_pipe {id = 7, dir_mask = 1, slot_size = 1024, nosplit = false}(gm_slot_tensor = %tv : !pto.tensor_view<16x16xf32>)
    "pto.aic_initialize_pipe"(%tv) {dir_mask = 1 : i64, id = 7 : i64, nosplit = false, operandSegmentSizes = array<i32: 1>, slot_size = 1024 : i64} : (!pto.tensor_view<16x16xf32>) -> ()
    // CHECK: %entry = pto.talloc_to_aiv {id = 7, split = 0} -> !pto.tensor_view<16x16xf32>
    %entry = "pto.talloc_to_aiv"() {id = 7 : i64, split = 0 : i64} : () -> !pto.tensor_view<16x16xf32>
    // CHECK: pto.tpush_to_aiv(%entry : !pto.tensor_view<16x16xf32>) {id = 7, split = 0}
    "pto.tpush_to_aiv"(%entry) <{id = 7 : i32, split = 0 : i8}> : (!pto.tensor_view<16x16xf32>) -> ()
    // CHECK: return
    return
  }
}
