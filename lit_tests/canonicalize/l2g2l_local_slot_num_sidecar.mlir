// RUN: %ptofix canonicalize --target-ptoas v0.45 %s -o %t.mlir --report json --report-file %t.report.json 2>%t.err
// RUN: grep -v '^ *//' %t.mlir | FileCheck %s --implicit-check-not=local_slot_num
// RUN: filecheck %s --check-prefix=SIDECAR --input-file %t.mlir.slots.json
// RUN: filecheck %s --check-prefix=WARN --input-file %t.err
// RUN: filecheck %s --check-prefix=REPORT --input-file %t.report.json

module {
  func.func @vector_kernel(%gm: !pto.ptr<f32>) attributes {pto.kernel_kind = #pto.kernel_kind<vector>} {
    // GM-only pipe: local_slot_num is rejected by v0.35+ ("only allowed when 'local_addr' is present").
    // v0.45 cannot print this op's optional clauses in custom form, so it stays in the exact generic form
    // (properties typed as v0.45 declares them), without local_slot_num.
    // CHECK: %p = "pto.initialize_l2g2l_pipe"(%gm) <{dir_mask = 2 : i8, flag_base = 2 : i32, operandSegmentSizes = array<i32: 1, 0, 0>, slot_num = 8 : i32, slot_size = 65536 : i32}> : (!pto.ptr<f32>) -> !pto.pipe
    %p = "pto.initialize_l2g2l_pipe"(%gm) {dir_mask = 2 : i64, flag_base = 2 : i64, local_slot_num = 1 : i64, slot_num = 8 : i64, slot_size = 65536 : i64} : (!pto.ptr<f32>) -> !pto.pipe
    return
  }
}
// SIDECAR: "version": 1,
// SIDECAR: "target_ptoas": "v0.45",
// SIDECAR: "func": "vector_kernel",
// SIDECAR-NEXT: "kernel_kind": "vector",
// SIDECAR-NEXT: "op": "pto.initialize_l2g2l_pipe",
// SIDECAR-NEXT: "id": null,
// SIDECAR-NEXT: "flag_base": 2,
// SIDECAR: "dir_mask": 2,
// SIDECAR-NEXT: "slot_size": 65536,
// SIDECAR-NEXT: "slot_num": 8,
// SIDECAR-NEXT: "local_slot_num": 1,
// SIDECAR-NEXT: "line": 13,
// WARN: l2g2l_local_slot_num_sidecar.mlir:13:{{[0-9]+}}: warning: removed local_slot_num = 1 from 'pto.initialize_l2g2l_pipe'
// REPORT: "pass": "canonicalize"
// REPORT: "rewritten"

// The JSON report on stdout, the warnings on stderr; with the output on stdout too it is refused.
// RUN: %ptofix canonicalize --target-ptoas v0.45 %s -o %t.2.mlir --report json 2>%t.2.err | filecheck %s --check-prefix=REPORT
// RUN: FileCheck %s --check-prefix=WARN --implicit-check-not='"version"' --input-file %t.2.err
// RUN: %expect-exit 2 %ptofix canonicalize --target-ptoas v0.45 %s --report json 2>&1 | filecheck %s --check-prefix=BOTH
// BOTH: ptofix: error: --report json and the rewritten file both want stdout: give -o FILE, -i, or --report-file FILE
