// RUN: %ptofix canonicalize --target-ptoas newest --to generic %s | grep -v '^ *//' | FileCheck %s --check-prefix=NEW --implicit-check-not='{{^ *(%[a-z0-9]+ = )?pto[.]}}'
// RUN: %ptofix canonicalize --target-ptoas v0.31 --to generic %s | grep -v '^ *//' | FileCheck %s --check-prefix=V031 --implicit-check-not='{{^ *(%[a-z0-9]+ = )?pto[.]}}'

func.func @cube_kernel(%gm: !pto.ptr<f32>, %c: i32, %v: i32) {
  // NEW: "pto.aic_initialize_pipe"(%gm, %c, %v) <{dir_mask = 2 : i8, id = 1 : i32, operandSegmentSizes = array<i32: 1, 0, 1, 1>, slot_size = 512 : i32}> : (!pto.ptr<f32>, i32, i32) -> ()
  // V031: "pto.aic_initialize_pipe"(%gm, %c, %v) <{dir_mask = 2 : i8, id = 1 : i32, slot_size = 512 : i32}> : (!pto.ptr<f32>, i32, i32) -> ()
  pto.aic_initialize_pipe {id = 1, dir_mask = 2, slot_size = 512}(gm_slot_buffer = %gm : !pto.ptr<f32>, c2v_consumer_buf = %c : i32, v2c_consumer_buf = %v : i32)
  // NEW: %t = "pto.tpop_from_aiv"() <{id = 1 : i32, operandSegmentSizes = array<i32: 0, 0>, split = 0 : i8}> : () -> !pto.tile_buf<mat, 16x16xf32>
  %t = pto.tpop_from_aiv {id = 1, split = 0} -> !pto.tile_buf<mat, 16x16xf32>
  // NEW: "pto.tfree_from_aiv"() <{id = 1 : i32, split = 0 : i8}> : () -> ()
  pto.tfree_from_aiv {id = 1, split = 0}
  return
}
