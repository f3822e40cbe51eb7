// No local_slot_num anywhere; flag_base 6 matches nothing in new_order.cpp, which is fine without intent.
module {
  func.func @cube_kernel(%arg0: !pto.ptr<f32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %0 = pto.initialize_l2g2l_pipe{dir_mask = 1, slot_size = 1024, slot_num = 8, flag_base = 6} (%arg0 : !pto.ptr<f32>) -> !pto.pipe
    return
  }
}
