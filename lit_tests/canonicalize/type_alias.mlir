// A type alias names the type it stands for: the ops written with it are rewritten like any other.
// RUN: %ptofix canonicalize --target-ptoas v0.45 %s | grep -v '^ *//' | FileCheck %s --implicit-check-not='"pto.'
// RUN: %ptofix canonicalize --target-ptoas v0.45 %s | %ptofix canonicalize --target-ptoas v0.45 --check -
// RUN: sed 's/split = 0 : i8/split = 3 : i8/' %s | not %ptofix canonicalize --target-ptoas v0.45 - 2>&1 \
// RUN:   | FileCheck %s --check-prefix=SPLIT

// CHECK: !tv = !pto.tensor_view<16x16xf32>
!tv = !pto.tensor_view<16x16xf32>
module {
  func.func @cube_kernel(%gm: !pto.ptr<f32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %slots = pto.make_tensor_view %gm, shape = [%c16, %c16], strides = [%c16, %c1] : !tv
    // CHECK: pto.aic_initialize_pipe {id = 0, dir_mask = 1, slot_size = 1024}(gm_slot_tensor = %slots : !tv)
    "pto.aic_initialize_pipe"(%slots) <{dir_mask = 1 : i8, id = 0 : i32, operandSegmentSizes = array<i32: 0, 1, 0, 0>, slot_size = 1024 : i32}> : (!tv) -> ()
    // CHECK: %entry = pto.talloc_to_aiv {id = 0, split = 0} -> !tv
    %entry = "pto.talloc_to_aiv"() <{id = 0 : i32, split = 0 : i8}> : () -> !tv
    // CHECK: pto.tpush_to_aiv(%entry : !tv) {id = 0, split = 0}
    // SPLIT: <stdin>:[[#]]:{{[0-9]+}}: error: 'pto.talloc_to_aiv' has split = 3: ptoas v0.45 takes 0 to 2 (3 is accepted from ptoas newest)
    "pto.tpush_to_aiv"(%entry) <{id = 0 : i32, split = 0 : i8}> : (!tv) -> ()
    func.return
  }
}
