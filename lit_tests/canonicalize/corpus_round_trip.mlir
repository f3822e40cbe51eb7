// REQUIRES: corpus
// The real FA module is already in custom form: canonicalize changes nothing for targets that have
// every op it uses (exit 0 from --check means byte-identical output).
// RUN: %ptofix canonicalize --target-ptoas newest --check %shared/corpus/real/02_fa_call_both.pto
// RUN: %ptofix canonicalize --target-ptoas v0.36 --check %shared/corpus/real/03_fa_splitpipe_call_both.pto.mlir
// RUN: %ptofix canonicalize --target-ptoas newest --to generic %shared/corpus/real/02_fa_call_both.pto | filecheck %s
// CHECK: "pto.aic_initialize_pipe"(%qk_slot_desc) <{dir_mask = 1 : i8, id = 25 : i32, operandSegmentSizes = array<i32: 0, 1, 0, 0>, slot_size = 131072 : i32}> : (!pto.tensor_view<128x256xf32>) -> ()
