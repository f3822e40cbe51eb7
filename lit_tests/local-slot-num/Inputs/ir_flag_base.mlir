// Author's PTO IR for new_order.cpp: GM-only l2g2l FIFOs with explicit flag_base. local_slot_num on
// a GM-only init is the author's intent; no ptoas version accepts it there (pto_ir_syntax.md §3).
module {
  func.func @cube_kernel(%arg0: !pto.ptr<f32>, %arg1: !pto.ptr<f32>, %arg2: !pto.ptr<f32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %0 = pto.initialize_l2g2l_pipe{dir_mask = 1, slot_size = 1024, slot_num = 8, local_slot_num = 2, flag_base = 0} (%arg0 : !pto.ptr<f32>) -> !pto.pipe
    %1 = pto.initialize_l2g2l_pipe{dir_mask = 2, slot_size = 512, slot_num = 8, flag_base = 2} (%arg1 : !pto.ptr<f32>) -> !pto.pipe
    %2 = pto.initialize_l2g2l_pipe{dir_mask = 1, slot_size = 2048, slot_num = 8, local_slot_num = 4, flag_base = 4} (%arg2 : !pto.ptr<f32>) -> !pto.pipe
    return
  }
  func.func @vector_kernel(%arg0: !pto.ptr<f32>, %arg1: !pto.ptr<f32>, %arg2: !pto.ptr<f32>) attributes {pto.kernel_kind = #pto.kernel_kind<vector>} {
    %0 = pto.initialize_l2g2l_pipe{dir_mask = 1, slot_size = 1024, slot_num = 8, local_slot_num = 2, flag_base = 0} (%arg0 : !pto.ptr<f32>) -> !pto.pipe
    %1 = pto.initialize_l2g2l_pipe{dir_mask = 2, slot_size = 512, slot_num = 8, flag_base = 2} (%arg1 : !pto.ptr<f32>) -> !pto.pipe
    %2 = pto.initialize_l2g2l_pipe{dir_mask = 1, slot_size = 2048, slot_num = 8, local_slot_num = 4, flag_base = 4} (%arg2 : !pto.ptr<f32>) -> !pto.pipe
    return
  }
}
