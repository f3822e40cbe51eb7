// RUN: not %ptofix canonicalize --target-ptoas v0.31 %s 2>&1 | filecheck %s --check-prefix=OLD
// RUN: not %ptofix canonicalize --target-ptoas newest %s 2>&1 | filecheck %s --check-prefix=PIPE

// OLD: errors.mlir:6:3: error: 'pto.talloc_to_aiv' is not available in ptoas v0.31 (first version that has it: v0.35)
// PIPE: errors.mlir:6:28: error: 'pto.talloc_to_aiv' takes no operands in any ptoas version: the pipe is selected by the 'id' attribute
  %e = "pto.talloc_to_aiv"(%pipe) {split = 1 : i64} : (!pto.pipe) -> !pto.tensor_view<16x16xf32>
