// A `//` line inside an op (after `%x =`, or before its operand list) neither ends it nor starts
// another: the op is rewritten, its comments kept. An op after a custom-form op on the same line,
// or a CR line ending, would hide an op from the scanner: both are errors where they are, and the
// input is never rewritten.
// RUN: %ptofix canonicalize --target-ptoas v0.45 %s -o - | filecheck %s
// RUN: not %ptofix canonicalize --target-ptoas v0.45 %S/Inputs/second_op_on_a_line.mlir 2>&1 | filecheck %s --check-prefix=SECOND
// RUN: printf 'func.func @k() {\r  return\r}\r' > %t.cr.mlir
// RUN: not %ptofix canonicalize --target-ptoas v0.45 %t.cr.mlir 2>&1 | filecheck %s --check-prefix=CR
func.func @k(%t: !pto.tile_buf<acc, 16x16xf32>) {
  %r = // the popped tile
    "pto.tpop_from_aiv"() {id = 0 : i64, split = 0 : i64} : () -> !pto.tile_buf<mat, 16x16xf32>
  "pto.tpush_to_aiv"(%t)
    // the pushed tile
    {id = 0 : i64, split = 0 : i64} : (!pto.tile_buf<acc, 16x16xf32>) -> ()
  return
}
// CHECK: %r = // the popped tile
// CHECK-NEXT: pto.tpop_from_aiv {id = 0, split = 0} -> !pto.tile_buf<mat, 16x16xf32>
// CHECK-NEXT: pto.tpush_to_aiv(%t : !pto.tile_buf<acc, 16x16xf32>) {id = 0, split = 0}  // the pushed tile
// SECOND: second_op_on_a_line.mlir:2:33: error: an operation after 'arith.constant' in the same statement
// CR: .cr.mlir:1:17: error: a carriage return that does not end a CRLF line ending
