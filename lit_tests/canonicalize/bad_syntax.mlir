// RUN: not %ptofix canonicalize --target-ptoas newest %S/Inputs/unterminated_string.mlir 2>&1 | filecheck %s --check-prefix=STR
// RUN: not %ptofix canonicalize --target-ptoas newest %S/Inputs/unbalanced_angle.mlir 2>&1 | filecheck %s --check-prefix=ANGLE
// RUN: not %ptofix canonicalize --target-ptoas v0.99x %s 2>&1 | filecheck %s --check-prefix=VER
// STR: unterminated_string.mlir:1:16: error: unterminated string
// ANGLE: unbalanced_angle.mlir:1:36: error: unbalanced '<': no matching '>'
// VER: error: unknown ptoas version 'v0.99x'
