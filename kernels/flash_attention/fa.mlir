// Flash attention forward (A3), as a DSL built on an older MLIR Python binding prints it. Written
// for ptofix (not taken from upstream); fa.cpp next to it is the matching ptoas-style C++.
// Shapes: S0 = 64 query rows (32 per vector subblock), S1 tile = 256, head = 128, f16 in, f32 acc.
// fa.cpp beside it is the C++ the tests' stand-in ptoas emits for this IR; it is more detailed than
// this sketch (software-pipelined GU/softmax, two 16-row slices per subblock), the pipes are the same.
//
// The binding knows the tile ops and prints them in custom form. It predates the GM-only pipe
// form (l2g2l without local_addr) and GlobalTensor pipe entries, so the module fails
// verification and the printer falls back to generic form for every op it cannot verify: the
// pipe/FIFO ops below come out as "pto.xxx"(...) {...} with i64 widths and `{}` dictionaries.
//
// Pipes (pto_isa_facts.md §4.4), all GM-only, slot_num 8, in one GM FIFO block (f32 offsets):
//   QK  cube -> vector  dir_mask 1  flag_base 0  slot 64x256xf32 = 65536 B   GlobalTensor entries
//   P   vector -> cube  dir_mask 2  flag_base 2  slot 64x256xf16 = 32768 B   tile entries, UP_DOWN
//   PV  cube -> vector  dir_mask 1  flag_base 4  slot 64x128xf32 = 32768 B   GlobalTensor entries
// local_slot_num = 2 on each init is the author's intent (a 2-deep consumer ring, as the
// hand-written FA kernel). ptoas rejects local_slot_num on a GM-only pipe and would emit
// LocalSlotNum = SlotNum = 8; `ptofix build` moves the intent to fa.slots.json and the C++
// local-slot-num pass writes it into every TPipe<...> of fa.fixed.cpp.
module attributes {pto.target_arch = "a3"} {
  func.func @cube_kernel(%q: !pto.ptr<f16>, %k: !pto.ptr<f16>, %v: !pto.ptr<f16>, %fifo: !pto.ptr<f32>, %n: i32) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c64 = arith.constant 64 : index
    %c128 = arith.constant 128 : index
    %c256 = arith.constant 256 : index
    %c131072 = arith.constant 131072 : index
    %c196608 = arith.constant 196608 : index
    %c0_i64 = arith.constant 0 : i64
    %c16384_i64 = arith.constant 16384 : i64
    %c81920_i64 = arith.constant 81920 : i64
    %fifo_p = pto.addptr %fifo, %c131072 : !pto.ptr<f32> -> !pto.ptr<f32>
    %fifo_pv = pto.addptr %fifo, %c196608 : !pto.ptr<f32> -> !pto.ptr<f32>
    %qk_pipe = "pto.initialize_l2g2l_pipe"(%fifo) {dir_mask = 1 : i64, flag_base = 0 : i64, local_slot_num = 2 : i64, slot_num = 8 : i64, slot_size = 65536 : i64} : (!pto.ptr<f32>) -> !pto.pipe
    %p_pipe = "pto.initialize_l2g2l_pipe"(%fifo_p) {dir_mask = 2 : i64, flag_base = 2 : i64, local_slot_num = 2 : i64, slot_num = 8 : i64, slot_size = 32768 : i64} : (!pto.ptr<f32>) -> !pto.pipe
    %pv_pipe = "pto.initialize_l2g2l_pipe"(%fifo_pv) {dir_mask = 1 : i64, flag_base = 4 : i64, local_slot_num = 2 : i64, slot_num = 8 : i64, slot_size = 32768 : i64} : (!pto.ptr<f32>) -> !pto.pipe
    %q_mat = pto.alloc_tile addr = %c0_i64 : !pto.tile_buf<mat, 64x128xf16, blayout=col_major, slayout=row_major>
    %k_mat = pto.alloc_tile addr = %c16384_i64 : !pto.tile_buf<mat, 128x256xf16, slayout=col_major>
    %p_mat = pto.alloc_tile addr = %c81920_i64 : !pto.tile_buf<mat, 64x256xf16, blayout=col_major, slayout=row_major>
    %v_mat = pto.alloc_tile addr = %c16384_i64 : !pto.tile_buf<mat, 256x128xf16, blayout=col_major, slayout=row_major>
    %left = pto.alloc_tile addr = %c0_i64 : !pto.tile_buf<left, 64x128xf16, slayout=row_major>
    %right = pto.alloc_tile addr = %c0_i64 : !pto.tile_buf<right, 128x256xf16, slayout=col_major>
    %p_left = pto.alloc_tile addr = %c0_i64 : !pto.tile_buf<left, 64x256xf16, slayout=row_major>
    %v_right = pto.alloc_tile addr = %c0_i64 : !pto.tile_buf<right, 256x128xf16, slayout=col_major>
    %qk_acc = pto.alloc_tile addr = %c0_i64 : !pto.tile_buf<acc, 64x256xf32, blayout=col_major, slayout=row_major, fractal=1024>
    %pv_acc = pto.alloc_tile addr = %c16384_i64 : !pto.tile_buf<acc, 64x128xf32, blayout=col_major, slayout=row_major, fractal=1024>
    %n_idx = arith.index_cast %n : i32 to index
    %q_view = pto.make_tensor_view %q, shape = [%c64, %c128], strides = [%c128, %c1] : !pto.tensor_view<64x128xf16>
    %k_view = pto.make_tensor_view %k, shape = [%c128, %c256], strides = [%c256, %c1] : !pto.tensor_view<128x256xf16>
    %v_view = pto.make_tensor_view %v, shape = [%c256, %c128], strides = [%c128, %c1] : !pto.tensor_view<256x128xf16>
    scf.for %j = %c0 to %n_idx step %c1 {
      %q_part = pto.partition_view %q_view, offsets = [%c0, %c0], sizes = [%c64, %c128] : !pto.tensor_view<64x128xf16> -> !pto.partition_tensor_view<64x128xf16>
      pto.tload ins(%q_part : !pto.partition_tensor_view<64x128xf16>) outs(%q_mat : !pto.tile_buf<mat, 64x128xf16, blayout=col_major, slayout=row_major>)
      %k_off = arith.muli %j, %c256 : index
      %k_part = pto.partition_view %k_view, offsets = [%c0, %k_off], sizes = [%c128, %c256] : !pto.tensor_view<128x256xf16> -> !pto.partition_tensor_view<128x256xf16>
      pto.tload ins(%k_part : !pto.partition_tensor_view<128x256xf16>) outs(%k_mat : !pto.tile_buf<mat, 128x256xf16, slayout=col_major>)
      pto.tmov ins(%q_mat : !pto.tile_buf<mat, 64x128xf16, blayout=col_major, slayout=row_major>) outs(%left : !pto.tile_buf<left, 64x128xf16, slayout=row_major>)
      pto.tmov ins(%k_mat : !pto.tile_buf<mat, 128x256xf16, slayout=col_major>) outs(%right : !pto.tile_buf<right, 128x256xf16, slayout=col_major>)
      pto.tmatmul ins(%left, %right : !pto.tile_buf<left, 64x128xf16, slayout=row_major>, !pto.tile_buf<right, 128x256xf16, slayout=col_major>) outs(%qk_acc : !pto.tile_buf<acc, 64x256xf32, blayout=col_major, slayout=row_major, fractal=1024>)
      %qk_entry = "pto.declare_global"() : () -> !pto.tensor_view<64x256xf32>
      "pto.talloc"(%qk_entry, %qk_pipe) {split = 0 : i64} : (!pto.tensor_view<64x256xf32>, !pto.pipe) -> ()
      %qk_slot = pto.partition_view %qk_entry, offsets = [%c0, %c0], sizes = [%c64, %c256] : !pto.tensor_view<64x256xf32> -> !pto.partition_tensor_view<64x256xf32>
      pto.tstore ins(%qk_acc : !pto.tile_buf<acc, 64x256xf32, blayout=col_major, slayout=row_major, fractal=1024>) outs(%qk_slot : !pto.partition_tensor_view<64x256xf32>)
      "pto.tpush"(%qk_entry, %qk_pipe) {split = 0 : i64} : (!pto.tensor_view<64x256xf32>, !pto.pipe) -> ()
      "pto.tpop"(%p_mat, %p_pipe) {split = 1 : i64} : (!pto.tile_buf<mat, 64x256xf16, blayout=col_major, slayout=row_major>, !pto.pipe) -> ()
      pto.tmov ins(%p_mat : !pto.tile_buf<mat, 64x256xf16, blayout=col_major, slayout=row_major>) outs(%p_left : !pto.tile_buf<left, 64x256xf16, slayout=row_major>)
      %v_part = pto.partition_view %v_view, offsets = [%k_off, %c0], sizes = [%c256, %c128] : !pto.tensor_view<256x128xf16> -> !pto.partition_tensor_view<256x128xf16>
      pto.tload ins(%v_part : !pto.partition_tensor_view<256x128xf16>) outs(%v_mat : !pto.tile_buf<mat, 256x128xf16, blayout=col_major, slayout=row_major>)
      pto.tmov ins(%v_mat : !pto.tile_buf<mat, 256x128xf16, blayout=col_major, slayout=row_major>) outs(%v_right : !pto.tile_buf<right, 256x128xf16, slayout=col_major>)
      pto.tmatmul ins(%p_left, %v_right : !pto.tile_buf<left, 64x256xf16, slayout=row_major>, !pto.tile_buf<right, 256x128xf16, slayout=col_major>) outs(%pv_acc : !pto.tile_buf<acc, 64x128xf32, blayout=col_major, slayout=row_major, fractal=1024>)
      "pto.tfree"(%p_pipe) {split = 1 : i64} : (!pto.pipe) -> ()
      %pv_entry = "pto.declare_global"() : () -> !pto.tensor_view<64x128xf32>
      "pto.talloc"(%pv_entry, %pv_pipe) {split = 0 : i64} : (!pto.tensor_view<64x128xf32>, !pto.pipe) -> ()
      %pv_slot = pto.partition_view %pv_entry, offsets = [%c0, %c0], sizes = [%c64, %c128] : !pto.tensor_view<64x128xf32> -> !pto.partition_tensor_view<64x128xf32>
      pto.tstore ins(%pv_acc : !pto.tile_buf<acc, 64x128xf32, blayout=col_major, slayout=row_major, fractal=1024>) outs(%pv_slot : !pto.partition_tensor_view<64x128xf32>)
      "pto.tpush"(%pv_entry, %pv_pipe) {split = 0 : i64} : (!pto.tensor_view<64x128xf32>, !pto.pipe) -> ()
    }
    return
  }
  func.func @vector_kernel(%o: !pto.ptr<f32>, %fifo: !pto.ptr<f32>, %n: i32) attributes {pto.kernel_kind = #pto.kernel_kind<vector>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c32 = arith.constant 32 : index
    %c128 = arith.constant 128 : index
    %c256 = arith.constant 256 : index
    %c131072 = arith.constant 131072 : index
    %c196608 = arith.constant 196608 : index
    %scale = arith.constant 0.0883883461 : f32
    %c0_i64 = arith.constant 0 : i64
    %c32768_i64 = arith.constant 32768 : i64
    %c65536_i64 = arith.constant 65536 : i64
    %c98304_i64 = arith.constant 98304 : i64
    %c114688_i64 = arith.constant 114688 : i64
    %c131072_i64 = arith.constant 131072 : i64
    %c180224_i64 = arith.constant 180224 : i64
    %c180352_i64 = arith.constant 180352 : i64
    %c180480_i64 = arith.constant 180480 : i64
    %c180608_i64 = arith.constant 180608 : i64
    %fifo_p = pto.addptr %fifo, %c131072 : !pto.ptr<f32> -> !pto.ptr<f32>
    %fifo_pv = pto.addptr %fifo, %c196608 : !pto.ptr<f32> -> !pto.ptr<f32>
    %qk_pipe = "pto.initialize_l2g2l_pipe"(%fifo) {dir_mask = 1 : i64, flag_base = 0 : i64, local_slot_num = 2 : i64, slot_num = 8 : i64, slot_size = 65536 : i64} : (!pto.ptr<f32>) -> !pto.pipe
    %p_pipe = "pto.initialize_l2g2l_pipe"(%fifo_p) {dir_mask = 2 : i64, flag_base = 2 : i64, local_slot_num = 2 : i64, slot_num = 8 : i64, slot_size = 32768 : i64} : (!pto.ptr<f32>) -> !pto.pipe
    %pv_pipe = "pto.initialize_l2g2l_pipe"(%fifo_pv) {dir_mask = 1 : i64, flag_base = 4 : i64, local_slot_num = 2 : i64, slot_num = 8 : i64, slot_size = 32768 : i64} : (!pto.ptr<f32>) -> !pto.pipe
    %sb = pto.get_subblock_idx
    %x = pto.alloc_tile addr = %c0_i64 : !pto.tile_buf<vec, 32x256xf32>
    %tmp = pto.alloc_tile addr = %c32768_i64 : !pto.tile_buf<vec, 32x256xf32>
    %p = pto.alloc_tile addr = %c65536_i64 : !pto.tile_buf<vec, 32x256xf32>
    %p16 = pto.alloc_tile addr = %c98304_i64 : !pto.tile_buf<vec, 32x256xf16>
    %pv = pto.alloc_tile addr = %c114688_i64 : !pto.tile_buf<vec, 32x128xf32>
    %acc_o = pto.alloc_tile addr = %c131072_i64 : !pto.tile_buf<vec, 32x128xf32>
    %m = pto.alloc_tile addr = %c180224_i64 : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>
    %l = pto.alloc_tile addr = %c180352_i64 : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>
    %m_tile = pto.alloc_tile addr = %c180480_i64 : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>
    %e = pto.alloc_tile addr = %c180608_i64 : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>
    %n_idx = arith.index_cast %n : i32 to index
    scf.for %j = %c0 to %n_idx step %c1 {
      %qk_entry = "pto.declare_global"() : () -> !pto.tensor_view<64x256xf32>
      "pto.tpop"(%qk_entry, %qk_pipe) {split = 0 : i64} : (!pto.tensor_view<64x256xf32>, !pto.pipe) -> ()
      %pv_entry = "pto.declare_global"() : () -> !pto.tensor_view<64x128xf32>
      "pto.tpop"(%pv_entry, %pv_pipe) {split = 0 : i64} : (!pto.tensor_view<64x128xf32>, !pto.pipe) -> ()
      // GU: O = O * exp(m_old - m_new) + PV
      %pv_part = pto.partition_view %pv_entry, offsets = [%c0, %c0], sizes = [%c32, %c128] : !pto.tensor_view<64x128xf32> -> !pto.partition_tensor_view<32x128xf32>
      pto.tload ins(%pv_part : !pto.partition_tensor_view<32x128xf32>) outs(%pv : !pto.tile_buf<vec, 32x128xf32>)
      pto.trowexpandmul ins(%acc_o, %e : !pto.tile_buf<vec, 32x128xf32>, !pto.tile_buf<vec, 32x1xf32, blayout=col_major>) outs(%acc_o : !pto.tile_buf<vec, 32x128xf32>)
      pto.tadd ins(%acc_o, %pv : !pto.tile_buf<vec, 32x128xf32>, !pto.tile_buf<vec, 32x128xf32>) outs(%acc_o : !pto.tile_buf<vec, 32x128xf32>)
      // online softmax of this QK tile
      %qk_part = pto.partition_view %qk_entry, offsets = [%c0, %c0], sizes = [%c32, %c256] : !pto.tensor_view<64x256xf32> -> !pto.partition_tensor_view<32x256xf32>
      pto.tload ins(%qk_part : !pto.partition_tensor_view<32x256xf32>) outs(%x : !pto.tile_buf<vec, 32x256xf32>)
      pto.trowmax ins(%x, %tmp : !pto.tile_buf<vec, 32x256xf32>, !pto.tile_buf<vec, 32x256xf32>) outs(%m_tile : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>)
      pto.tmax ins(%m_tile, %m : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>, !pto.tile_buf<vec, 32x1xf32, blayout=col_major>) outs(%m_tile : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>)
      pto.tsub ins(%m, %m_tile : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>, !pto.tile_buf<vec, 32x1xf32, blayout=col_major>) outs(%e : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>)
      pto.tmov ins(%m_tile : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>) outs(%m : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>)
      pto.trowexpandsub ins(%x, %m_tile : !pto.tile_buf<vec, 32x256xf32>, !pto.tile_buf<vec, 32x1xf32, blayout=col_major>) outs(%p : !pto.tile_buf<vec, 32x256xf32>)
      pto.tmuls ins(%e, %scale : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>, f32) outs(%e : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>)
      pto.tmuls ins(%p, %scale : !pto.tile_buf<vec, 32x256xf32>, f32) outs(%p : !pto.tile_buf<vec, 32x256xf32>)
      pto.texp ins(%e : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>) outs(%e : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>)
      pto.texp ins(%p : !pto.tile_buf<vec, 32x256xf32>) outs(%p : !pto.tile_buf<vec, 32x256xf32>)
      pto.tmul ins(%l, %e : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>, !pto.tile_buf<vec, 32x1xf32, blayout=col_major>) outs(%l : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>)
      pto.trowsum ins(%p, %tmp : !pto.tile_buf<vec, 32x256xf32>, !pto.tile_buf<vec, 32x256xf32>) outs(%m_tile : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>)
      pto.tadd ins(%l, %m_tile : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>, !pto.tile_buf<vec, 32x1xf32, blayout=col_major>) outs(%l : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>)
      pto.tcvt ins(%p : !pto.tile_buf<vec, 32x256xf32>) outs(%p16 : !pto.tile_buf<vec, 32x256xf16>)
      "pto.tpush"(%p16, %p_pipe) {split = 1 : i64} : (!pto.tile_buf<vec, 32x256xf16>, !pto.pipe) -> ()
      "pto.tfree"(%pv_entry, %pv_pipe) {split = 0 : i64} : (!pto.tensor_view<64x128xf32>, !pto.pipe) -> ()
      "pto.tfree"(%qk_entry, %qk_pipe) {split = 0 : i64} : (!pto.tensor_view<64x256xf32>, !pto.pipe) -> ()
    }
    pto.trowexpanddiv ins(%acc_o, %l : !pto.tile_buf<vec, 32x128xf32>, !pto.tile_buf<vec, 32x1xf32, blayout=col_major>) outs(%acc_o : !pto.tile_buf<vec, 32x128xf32>)
    %o_view = pto.make_tensor_view %o, shape = [%c32, %c128], strides = [%c128, %c1] : !pto.tensor_view<32x128xf32>
    %o_part = pto.partition_view %o_view, offsets = [%c0, %c0], sizes = [%c32, %c128] : !pto.tensor_view<32x128xf32> -> !pto.partition_tensor_view<32x128xf32>
    pto.tstore ins(%acc_o : !pto.tile_buf<vec, 32x128xf32>) outs(%o_part : !pto.partition_tensor_view<32x128xf32>)
    return
  }
  func.func @fa_kernel(%ffts: !pto.ptr<i64>, %q: !pto.ptr<f16>, %k: !pto.ptr<f16>, %v: !pto.ptr<f16>, %o: !pto.ptr<f32>, %fifo: !pto.ptr<f32>, %n: i32) attributes {pto.entry} {
    pto.set_ffts %ffts : !pto.ptr<i64>
    func.call @cube_kernel(%q, %k, %v, %fifo, %n) : (!pto.ptr<f16>, !pto.ptr<f16>, !pto.ptr<f16>, !pto.ptr<f32>, i32) -> ()
    func.call @vector_kernel(%o, %fifo, %n) : (!pto.ptr<f32>, !pto.ptr<f32>, i32) -> ()
    return
  }
}
