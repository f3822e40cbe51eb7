// A `//` line inside an op (after `%x =`, or before its properties) neither ends it nor starts
// another: the op is rewritten, its comments kept. An op after a custom-form op on the same line,
// or a CR line ending, would hide an op from the scanner: both are errors where they are, and the
// input is never rewritten.
// RUN: %ptofix canonicalize --target-ptoas v0.45 %s -o - | filecheck %s
// RUN: not %ptofix canonicalize --target-ptoas v0.45 %S/Inputs/second_op_on_a_line.mlir 2>&1 | filecheck %s --check-prefix=SECOND
// RUN: printf 'func.func @k() {\r  return\r}\r' > %t.cr.mlir
// RUN: not %ptofix canonicalize --target-ptoas v0.45 %t.cr.mlir 2>&1 | filecheck %s --check-prefix=CR
module {
  func.func @cube_kernel(%gm: !pto.ptr<f32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %slots = pto.make_tensor_view %gm, shape = [%c16, %c16], strides = [%c16, %c1] : !pto.tensor_view<16x16xf32>
    "pto.aic_initialize_pipe"(%slots) <{dir_mask = 1 : i8, id = 0 : i32, operandSegmentSizes = array<i32: 0, 1, 0, 0>, slot_size = 1024 : i32}> : (!pto.tensor_view<16x16xf32>) -> ()
    %entry = // the slot to fill
      "pto.talloc_to_aiv"() <{id = 0 : i32, split = 0 : i8}> : () -> !pto.tensor_view<16x16xf32>
    "pto.tpush_to_aiv"(%entry)
      // pushed to the vector side
      <{id = 0 : i32, split = 0 : i8}> : (!pto.tensor_view<16x16xf32>) -> ()
    func.return
  }
}
// CHECK: %entry = // the slot to fill
// CHECK-NEXT: pto.talloc_to_aiv {id = 0, split = 0} -> !pto.tensor_view<16x16xf32>
// CHECK-NEXT: pto.tpush_to_aiv(%entry : !pto.tensor_view<16x16xf32>) {id = 0, split = 0}  // pushed to the vector side
// SECOND: second_op_on_a_line.mlir:2:33: error: an operation after 'arith.constant' in the same statement
// CR: .cr.mlir:1:17: error: a carriage return that does not end a CRLF line ending
