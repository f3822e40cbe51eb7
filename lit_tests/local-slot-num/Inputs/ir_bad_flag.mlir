// flag_base 2 names the C++ pipe TPipe<2, DIR_V2C, 512, 8, ...>, but this init is a C2V pipe.
module {
  func.func @cube_kernel(%arg0: !pto.ptr<f32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %0 = pto.initialize_l2g2l_pipe{dir_mask = 1, slot_size = 512, slot_num = 8, local_slot_num = 2, flag_base = 2} (%arg0 : !pto.ptr<f32>) -> !pto.pipe
    return
  }
}
