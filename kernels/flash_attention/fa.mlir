// Flash attention (A3), as a DSL built on an older MLIR Python binding prints it (written for
// ptofix, not taken from upstream). The binding knows the tile ops and prints them in custom
// form; it predates the GM-only pipe form, so the module fails verification and every pipe op
// comes out generic: `{}` dictionaries, i64 integer widths.
//
// Pipes (pto_isa_facts.md §4.4, S1_TILE = 256, Cube_S0 = 128, HEAD = 128):
//   QK  cube -> vector  dir_mask 1  flag_base 0  slot 128x256xf32 = 131072 B
//   P   vector -> cube  dir_mask 2  flag_base 2  slot 128x256xf16 =  65536 B
//   PV  cube -> vector  dir_mask 1  flag_base 4  slot 128x128xf32 =  65536 B
// All three are GM-only (no local_addr), slot_num 8. The author's intent is a consumer-local
// ring of 2 slots (local_slot_num = 2, as the hand-written FA kernel). ptoas rejects
// local_slot_num on a GM-only pipe, so `ptofix canonicalize` strips it into the .slots.json
// sidecar and the C++ `local-slot-num` pass puts it into the TPipe<...> types.
module attributes {pto.target_arch = "a3"} {
  func.func @fa_cube(%q: !pto.ptr<f16>, %k: !pto.ptr<f16>, %v: !pto.ptr<f16>, %qk_fifo: !pto.ptr<f32>, %p_fifo: !pto.ptr<f16>, %pv_fifo: !pto.ptr<f32>, %s1: index) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c128 = arith.constant 128 : index
    %c256 = arith.constant 256 : index
    %c0_i64 = arith.constant 0 : i64
    %c32768_i64 = arith.constant 32768 : i64
    %c98304_i64 = arith.constant 98304 : i64
    %c163840_i64 = arith.constant 163840 : i64
    %c131072_i64 = arith.constant 131072 : i64
    %qk_gm = pto.make_tensor_view %qk_fifo, shape = [%c128, %c256], strides = [%c256, %c1] : !pto.tensor_view<128x256xf32>
    %p_gm = pto.make_tensor_view %p_fifo, shape = [%c128, %c256], strides = [%c256, %c1] : !pto.tensor_view<128x256xf16>
    %pv_gm = pto.make_tensor_view %pv_fifo, shape = [%c128, %c128], strides = [%c128, %c1] : !pto.tensor_view<128x128xf32>
    %qk_pipe = "pto.initialize_l2g2l_pipe"(%qk_gm) {dir_mask = 1 : i64, flag_base = 0 : i64, local_slot_num = 2 : i64, operandSegmentSizes = array<i32: 1, 0, 0>, slot_num = 8 : i64, slot_size = 131072 : i64} : (!pto.tensor_view<128x256xf32>) -> !pto.pipe
    %p_pipe = "pto.initialize_l2g2l_pipe"(%p_gm) {dir_mask = 2 : i64, flag_base = 2 : i64, local_slot_num = 2 : i64, operandSegmentSizes = array<i32: 1, 0, 0>, slot_num = 8 : i64, slot_size = 65536 : i64} : (!pto.tensor_view<128x256xf16>) -> !pto.pipe
    %pv_pipe = "pto.initialize_l2g2l_pipe"(%pv_gm) {dir_mask = 1 : i64, flag_base = 4 : i64, local_slot_num = 2 : i64, operandSegmentSizes = array<i32: 1, 0, 0>, slot_num = 8 : i64, slot_size = 65536 : i64} : (!pto.tensor_view<128x128xf32>) -> !pto.pipe
    %q_view = pto.make_tensor_view %q, shape = [%c128, %c128], strides = [%c128, %c1] : !pto.tensor_view<128x128xf16>
    %k_view = pto.make_tensor_view %k, shape = [%s1, %c128], strides = [%c128, %c1] : !pto.tensor_view<?x128xf16>
    %v_view = pto.make_tensor_view %v, shape = [%s1, %c128], strides = [%c128, %c1] : !pto.tensor_view<?x128xf16>
    %q_mat = pto.alloc_tile addr = %c0_i64 : !pto.tile_buf<mat, 128x128xf16, blayout=col_major, slayout=row_major>
    %q_left = pto.alloc_tile addr = %c0_i64 : !pto.tile_buf<left, 128x128xf16, slayout=row_major>
    %k_mat = pto.alloc_tile addr = %c32768_i64 : !pto.tile_buf<mat, 128x256xf16, slayout=col_major>
    %k_right = pto.alloc_tile addr = %c0_i64 : !pto.tile_buf<right, 128x256xf16, slayout=col_major>
    %v_mat = pto.alloc_tile addr = %c98304_i64 : !pto.tile_buf<mat, 256x128xf16, blayout=col_major, slayout=row_major>
    %v_right = pto.alloc_tile addr = %c0_i64 : !pto.tile_buf<right, 256x128xf16, slayout=col_major>
    %p_left = pto.alloc_tile addr = %c32768_i64 : !pto.tile_buf<left, 128x256xf16, slayout=row_major>
    %qk_acc = pto.alloc_tile addr = %c0_i64 : !pto.tile_buf<acc, 128x256xf32, blayout=col_major, slayout=row_major, fractal=1024>
    %pv_acc = pto.alloc_tile addr = %c131072_i64 : !pto.tile_buf<acc, 128x128xf32, blayout=col_major, slayout=row_major, fractal=1024>
    %q_part = pto.partition_view %q_view, offsets = [%c0, %c0], sizes = [%c128, %c128] : !pto.tensor_view<128x128xf16> -> !pto.partition_tensor_view<128x128xf16>
    pto.tload ins(%q_part : !pto.partition_tensor_view<128x128xf16>) outs(%q_mat : !pto.tile_buf<mat, 128x128xf16, blayout=col_major, slayout=row_major>)
    pto.tmov ins(%q_mat : !pto.tile_buf<mat, 128x128xf16, blayout=col_major, slayout=row_major>) outs(%q_left : !pto.tile_buf<left, 128x128xf16, slayout=row_major>)
    scf.for %j = %c0 to %s1 step %c256 {
      %k_part = pto.partition_view %k_view, offsets = [%j, %c0], sizes = [%c256, %c128] : !pto.tensor_view<?x128xf16> -> !pto.partition_tensor_view<256x128xf16>
      pto.tload ins(%k_part : !pto.partition_tensor_view<256x128xf16>) outs(%k_mat : !pto.tile_buf<mat, 128x256xf16, slayout=col_major>)
      pto.tmov ins(%k_mat : !pto.tile_buf<mat, 128x256xf16, slayout=col_major>) outs(%k_right : !pto.tile_buf<right, 128x256xf16, slayout=col_major>)
      pto.tmatmul ins(%q_left, %k_right : !pto.tile_buf<left, 128x128xf16, slayout=row_major>, !pto.tile_buf<right, 128x256xf16, slayout=col_major>) outs(%qk_acc : !pto.tile_buf<acc, 128x256xf32, blayout=col_major, slayout=row_major, fractal=1024>)
      "pto.tpush"(%qk_acc, %qk_pipe) {split = 1 : i64} : (!pto.tile_buf<acc, 128x256xf32, blayout=col_major, slayout=row_major, fractal=1024>, !pto.pipe) -> ()
      %p_mat = "pto.declare_tile"() : () -> !pto.tile_buf<mat, 128x256xf16, blayout=col_major, slayout=row_major>
      "pto.tpop"(%p_mat, %p_pipe) {split = 1 : i64} : (!pto.tile_buf<mat, 128x256xf16, blayout=col_major, slayout=row_major>, !pto.pipe) -> ()
      pto.tmov ins(%p_mat : !pto.tile_buf<mat, 128x256xf16, blayout=col_major, slayout=row_major>) outs(%p_left : !pto.tile_buf<left, 128x256xf16, slayout=row_major>)
      "pto.tfree"(%p_pipe) {split = 1 : i64} : (!pto.pipe) -> ()
      %v_part = pto.partition_view %v_view, offsets = [%j, %c0], sizes = [%c256, %c128] : !pto.tensor_view<?x128xf16> -> !pto.partition_tensor_view<256x128xf16>
      pto.tload ins(%v_part : !pto.partition_tensor_view<256x128xf16>) outs(%v_mat : !pto.tile_buf<mat, 256x128xf16, blayout=col_major, slayout=row_major>)
      pto.tmov ins(%v_mat : !pto.tile_buf<mat, 256x128xf16, blayout=col_major, slayout=row_major>) outs(%v_right : !pto.tile_buf<right, 256x128xf16, slayout=col_major>)
      pto.tmatmul ins(%p_left, %v_right : !pto.tile_buf<left, 128x256xf16, slayout=row_major>, !pto.tile_buf<right, 256x128xf16, slayout=col_major>) outs(%pv_acc : !pto.tile_buf<acc, 128x128xf32, blayout=col_major, slayout=row_major, fractal=1024>)
      "pto.tpush"(%pv_acc, %pv_pipe) {split = 1 : i64} : (!pto.tile_buf<acc, 128x128xf32, blayout=col_major, slayout=row_major, fractal=1024>, !pto.pipe) -> ()
    }
    return
  }
  func.func @fa_vector(%o: !pto.ptr<f32>, %qk_fifo: !pto.ptr<f32>, %p_fifo: !pto.ptr<f16>, %pv_fifo: !pto.ptr<f32>, %s1: index, %scale: f32) attributes {pto.kernel_kind = #pto.kernel_kind<vector>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c64 = arith.constant 64 : index
    %c128 = arith.constant 128 : index
    %c256 = arith.constant 256 : index
    %c0_i64 = arith.constant 0 : i64
    %c65536_i64 = arith.constant 65536 : i64
    %c98304_i64 = arith.constant 98304 : i64
    %c131072_i64 = arith.constant 131072 : i64
    %c131328_i64 = arith.constant 131328 : i64
    %c131584_i64 = arith.constant 131584 : i64
    %c131840_i64 = arith.constant 131840 : i64
    %c132096_i64 = arith.constant 132096 : i64
    %qk_gm = pto.make_tensor_view %qk_fifo, shape = [%c128, %c256], strides = [%c256, %c1] : !pto.tensor_view<128x256xf32>
    %p_gm = pto.make_tensor_view %p_fifo, shape = [%c128, %c256], strides = [%c256, %c1] : !pto.tensor_view<128x256xf16>
    %pv_gm = pto.make_tensor_view %pv_fifo, shape = [%c128, %c128], strides = [%c128, %c1] : !pto.tensor_view<128x128xf32>
    %qk_pipe = "pto.initialize_l2g2l_pipe"(%qk_gm) {dir_mask = 1 : i64, flag_base = 0 : i64, local_slot_num = 2 : i64, operandSegmentSizes = array<i32: 1, 0, 0>, slot_num = 8 : i64, slot_size = 131072 : i64} : (!pto.tensor_view<128x256xf32>) -> !pto.pipe
    %p_pipe = "pto.initialize_l2g2l_pipe"(%p_gm) {dir_mask = 2 : i64, flag_base = 2 : i64, local_slot_num = 2 : i64, operandSegmentSizes = array<i32: 1, 0, 0>, slot_num = 8 : i64, slot_size = 65536 : i64} : (!pto.tensor_view<128x256xf16>) -> !pto.pipe
    %pv_pipe = "pto.initialize_l2g2l_pipe"(%pv_gm) {dir_mask = 1 : i64, flag_base = 4 : i64, local_slot_num = 2 : i64, operandSegmentSizes = array<i32: 1, 0, 0>, slot_num = 8 : i64, slot_size = 65536 : i64} : (!pto.tensor_view<128x128xf32>) -> !pto.pipe
    %o_view = pto.make_tensor_view %o, shape = [%c64, %c128], strides = [%c128, %c1] : !pto.tensor_view<64x128xf32>
    %x = pto.alloc_tile addr = %c0_i64 : !pto.tile_buf<vec, 64x256xf32>
    %p16 = pto.alloc_tile addr = %c65536_i64 : !pto.tile_buf<vec, 64x256xf16>
    %acc_o = pto.alloc_tile addr = %c98304_i64 : !pto.tile_buf<vec, 64x128xf32>
    %m_new = pto.alloc_tile addr = %c131072_i64 : !pto.tile_buf<vec, 64x1xf32, blayout=col_major>
    %m_old = pto.alloc_tile addr = %c131328_i64 : !pto.tile_buf<vec, 64x1xf32, blayout=col_major>
    %l_sum = pto.alloc_tile addr = %c131584_i64 : !pto.tile_buf<vec, 64x1xf32, blayout=col_major>
    %e_max = pto.alloc_tile addr = %c131840_i64 : !pto.tile_buf<vec, 64x1xf32, blayout=col_major>
    %r_sum = pto.alloc_tile addr = %c132096_i64 : !pto.tile_buf<vec, 64x1xf32, blayout=col_major>
    scf.for %j = %c0 to %s1 step %c256 {
      %qk = "pto.declare_tile"() : () -> !pto.tile_buf<vec, 64x256xf32>
      "pto.tpop"(%qk, %qk_pipe) {split = 1 : i64} : (!pto.tile_buf<vec, 64x256xf32>, !pto.pipe) -> ()
      pto.tmov ins(%qk : !pto.tile_buf<vec, 64x256xf32>) outs(%x : !pto.tile_buf<vec, 64x256xf32>)
      "pto.tfree"(%qk_pipe) {split = 1 : i64} : (!pto.pipe) -> ()
      pto.trowmax ins(%x, %x : !pto.tile_buf<vec, 64x256xf32>, !pto.tile_buf<vec, 64x256xf32>) outs(%m_new : !pto.tile_buf<vec, 64x1xf32, blayout=col_major>)
      pto.tmax ins(%m_new, %m_old : !pto.tile_buf<vec, 64x1xf32, blayout=col_major>, !pto.tile_buf<vec, 64x1xf32, blayout=col_major>) outs(%m_new : !pto.tile_buf<vec, 64x1xf32, blayout=col_major>)
      pto.tsub ins(%m_old, %m_new : !pto.tile_buf<vec, 64x1xf32, blayout=col_major>, !pto.tile_buf<vec, 64x1xf32, blayout=col_major>) outs(%e_max : !pto.tile_buf<vec, 64x1xf32, blayout=col_major>)
      pto.texp ins(%e_max : !pto.tile_buf<vec, 64x1xf32, blayout=col_major>) outs(%e_max : !pto.tile_buf<vec, 64x1xf32, blayout=col_major>)
      pto.trowexpandsub ins(%x, %m_new : !pto.tile_buf<vec, 64x256xf32>, !pto.tile_buf<vec, 64x1xf32, blayout=col_major>) outs(%x : !pto.tile_buf<vec, 64x256xf32>)
      pto.tmuls ins(%x, %scale : !pto.tile_buf<vec, 64x256xf32>, f32) outs(%x : !pto.tile_buf<vec, 64x256xf32>)
      pto.texp ins(%x : !pto.tile_buf<vec, 64x256xf32>) outs(%x : !pto.tile_buf<vec, 64x256xf32>)
      pto.trowsum ins(%x, %x : !pto.tile_buf<vec, 64x256xf32>, !pto.tile_buf<vec, 64x256xf32>) outs(%r_sum : !pto.tile_buf<vec, 64x1xf32, blayout=col_major>)
      pto.tmul ins(%l_sum, %e_max : !pto.tile_buf<vec, 64x1xf32, blayout=col_major>, !pto.tile_buf<vec, 64x1xf32, blayout=col_major>) outs(%l_sum : !pto.tile_buf<vec, 64x1xf32, blayout=col_major>)
      pto.tadd ins(%l_sum, %r_sum : !pto.tile_buf<vec, 64x1xf32, blayout=col_major>, !pto.tile_buf<vec, 64x1xf32, blayout=col_major>) outs(%l_sum : !pto.tile_buf<vec, 64x1xf32, blayout=col_major>)
      pto.tmov ins(%m_new : !pto.tile_buf<vec, 64x1xf32, blayout=col_major>) outs(%m_old : !pto.tile_buf<vec, 64x1xf32, blayout=col_major>)
      pto.tcvt ins(%x : !pto.tile_buf<vec, 64x256xf32>) outs(%p16 : !pto.tile_buf<vec, 64x256xf16>)
      "pto.tpush"(%p16, %p_pipe) {split = 1 : i64} : (!pto.tile_buf<vec, 64x256xf16>, !pto.pipe) -> ()
      %pv = "pto.declare_tile"() : () -> !pto.tile_buf<vec, 64x128xf32>
      "pto.tpop"(%pv, %pv_pipe) {split = 1 : i64} : (!pto.tile_buf<vec, 64x128xf32>, !pto.pipe) -> ()
      pto.trowexpandmul ins(%acc_o, %e_max : !pto.tile_buf<vec, 64x128xf32>, !pto.tile_buf<vec, 64x1xf32, blayout=col_major>) outs(%acc_o : !pto.tile_buf<vec, 64x128xf32>)
      pto.tadd ins(%acc_o, %pv : !pto.tile_buf<vec, 64x128xf32>, !pto.tile_buf<vec, 64x128xf32>) outs(%acc_o : !pto.tile_buf<vec, 64x128xf32>)
      "pto.tfree"(%pv_pipe) {split = 1 : i64} : (!pto.pipe) -> ()
    }
    pto.trowexpanddiv ins(%acc_o, %l_sum : !pto.tile_buf<vec, 64x128xf32>, !pto.tile_buf<vec, 64x1xf32, blayout=col_major>) outs(%acc_o : !pto.tile_buf<vec, 64x128xf32>)
    %o_part = pto.partition_view %o_view, offsets = [%c0, %c0], sizes = [%c64, %c128] : !pto.tensor_view<64x128xf32> -> !pto.partition_tensor_view<64x128xf32>
    pto.tstore ins(%acc_o : !pto.tile_buf<vec, 64x128xf32>) outs(%o_part : !pto.partition_tensor_view<64x128xf32>)
    return
  }
}
