// Flash attention forward (A3), as a DSL built on an older MLIR Python binding prints it. Written
// for ptofix (not taken from upstream). fa.cpp beside it is what the real ptoas v0.45
// (tonibohnlein/PTOAS 393929e9) prints for `ptofix canonicalize --target-ptoas v0.45` of this file,
// with `ptoas --pto-arch=a3 --enable-insert-sync`; regen.sh regenerates it.
// Shapes: S0 = 64 query rows (32 per vector subblock), S1 tile = 128, head = 128, f16 in, f32 acc;
// %n K/V tiles. Tile addresses are left to ptoas's memory planner.
//
// The binding knows the tile ops and prints them in custom form. It predates the GM-only pipe
// form (l2g2l without local_addr) and GlobalTensor pipe entries, so the module fails
// verification and the printer falls back to generic form for every op it cannot verify: the
// pipe/FIFO ops below come out as "pto.xxx"(...) {...} with i64 widths and `{}` dictionaries.
//
// Pipes, all GM-only, slot_num 8, in one GM FIFO block (offsets in f32 elements):
//   QK  cube -> vector  dir_mask 1  flag_base 0  slot 64x128xf32 = 32768 B  GlobalTensor entries (offset 0)
//   P   vector -> cube  dir_mask 2  flag_base 2  slot 64x128xf16 = 16384 B  tile entries, UP_DOWN (offset 65536)
//   PV  cube -> vector  dir_mask 1  flag_base 4  slot 64x128xf32 = 32768 B  GlobalTensor entries (offset 98304)
// The GlobalTensor pipes are built on a tensor_view of the slot shape (ptoas checks entry against
// slot). local_slot_num = 2 on each init is the author's intent (a 2-deep consumer ring, as the
// hand-written FA kernel). ptoas rejects local_slot_num on a GM-only pipe and would emit
// LocalSlotNum = SlotNum = 8; `ptofix build` moves the intent to fa.slots.json and the C++
// local-slot-num pass writes it into every TPipe<...> of fa.fixed.cpp. Without local_slot_num,
// `slot_num = 8, flag_base = F` has no custom form ptoas parses, so canonicalize prints these
// inits in exact generic form (i8/i32 widths, `<{...}>`, operandSegmentSizes).
//
// Software pipelining (as in the pto-dsl FA kernel): the cube pushes QK(j) before it pops P(j-1),
// and the vector side computes softmax(j) and pushes P(j) before it pops PV(j-1), so the cube's
// PV matmul of tile j-1 overlaps the vector's softmax of tile j. The rescale factor of tile j-1
// is kept in e_prev until its GU (O = O * e_prev + PV(j-1)).
module attributes {pto.target_arch = "a3"} {
  func.func @cube_kernel(%q: !pto.ptr<f16>, %k: !pto.ptr<f16>, %v: !pto.ptr<f16>, %fifo: !pto.ptr<f32>, %n: i32) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c64 = arith.constant 64 : index
    %c128 = arith.constant 128 : index
    %c65536 = arith.constant 65536 : index
    %c98304 = arith.constant 98304 : index
    %fifo_p = pto.addptr %fifo, %c65536 : !pto.ptr<f32> -> !pto.ptr<f32>
    %fifo_pv = pto.addptr %fifo, %c98304 : !pto.ptr<f32> -> !pto.ptr<f32>
    %qk_slots = pto.make_tensor_view %fifo, shape = [%c64, %c128], strides = [%c128, %c1] : !pto.tensor_view<64x128xf32>
    %pv_slots = pto.make_tensor_view %fifo_pv, shape = [%c64, %c128], strides = [%c128, %c1] : !pto.tensor_view<64x128xf32>
    %qk_pipe = "pto.initialize_l2g2l_pipe"(%qk_slots) {dir_mask = 1 : i64, flag_base = 0 : i64, local_slot_num = 2 : i64, slot_num = 8 : i64, slot_size = 32768 : i64} : (!pto.tensor_view<64x128xf32>) -> !pto.pipe
    %p_pipe = "pto.initialize_l2g2l_pipe"(%fifo_p) {dir_mask = 2 : i64, flag_base = 2 : i64, local_slot_num = 2 : i64, slot_num = 8 : i64, slot_size = 16384 : i64} : (!pto.ptr<f32>) -> !pto.pipe
    %pv_pipe = "pto.initialize_l2g2l_pipe"(%pv_slots) {dir_mask = 1 : i64, flag_base = 4 : i64, local_slot_num = 2 : i64, slot_num = 8 : i64, slot_size = 32768 : i64} : (!pto.tensor_view<64x128xf32>) -> !pto.pipe
    %q_mat = pto.alloc_tile : !pto.tile_buf<mat, 64x128xf16, blayout=col_major, slayout=row_major>
    %k_mat = pto.alloc_tile : !pto.tile_buf<mat, 128x128xf16, slayout=col_major>
    %p_mat = pto.alloc_tile : !pto.tile_buf<mat, 64x128xf16, blayout=col_major, slayout=row_major>
    %v_mat = pto.alloc_tile : !pto.tile_buf<mat, 128x128xf16, blayout=col_major, slayout=row_major>
    %left = pto.alloc_tile : !pto.tile_buf<left, 64x128xf16, slayout=row_major>
    %right = pto.alloc_tile : !pto.tile_buf<right, 128x128xf16, slayout=col_major>
    %p_left = pto.alloc_tile : !pto.tile_buf<left, 64x128xf16, slayout=row_major>
    %v_right = pto.alloc_tile : !pto.tile_buf<right, 128x128xf16, slayout=col_major>
    %qk_acc = pto.alloc_tile : !pto.tile_buf<acc, 64x128xf32, blayout=col_major, slayout=row_major, fractal=1024>
    %pv_acc = pto.alloc_tile : !pto.tile_buf<acc, 64x128xf32, blayout=col_major, slayout=row_major, fractal=1024>
    %n_idx = arith.index_cast %n : i32 to index
    %kv_rows = arith.muli %n_idx, %c128 : index
    %q_view = pto.make_tensor_view %q, shape = [%c64, %c128], strides = [%c128, %c1] : !pto.tensor_view<64x128xf16>
    %k_view = pto.make_tensor_view %k, shape = [%c128, %kv_rows], strides = [%c1, %c128] : !pto.tensor_view<128x?xf16>
    %v_view = pto.make_tensor_view %v, shape = [%kv_rows, %c128], strides = [%c128, %c1] : !pto.tensor_view<?x128xf16>
    %q_part = pto.partition_view %q_view, offsets = [%c0, %c0], sizes = [%c64, %c128] : !pto.tensor_view<64x128xf16> -> !pto.partition_tensor_view<64x128xf16>
    pto.tload ins(%q_part : !pto.partition_tensor_view<64x128xf16>) outs(%q_mat : !pto.tile_buf<mat, 64x128xf16, blayout=col_major, slayout=row_major>)
    // software pipelining: QK of tile j+1 is pushed before P of tile j is popped, so the vector
    // side computes softmax(j+1) while the cube computes PV(j)
    %k_off0 = arith.muli %c0, %c128 : index
    %k_part0 = pto.partition_view %k_view, offsets = [%c0, %k_off0], sizes = [%c128, %c128] : !pto.tensor_view<128x?xf16> -> !pto.partition_tensor_view<128x128xf16>
    pto.tload ins(%k_part0 : !pto.partition_tensor_view<128x128xf16>) outs(%k_mat : !pto.tile_buf<mat, 128x128xf16, slayout=col_major>)
    pto.tmov ins(%q_mat : !pto.tile_buf<mat, 64x128xf16, blayout=col_major, slayout=row_major>) outs(%left : !pto.tile_buf<left, 64x128xf16, slayout=row_major>)
    pto.tmov ins(%k_mat : !pto.tile_buf<mat, 128x128xf16, slayout=col_major>) outs(%right : !pto.tile_buf<right, 128x128xf16, slayout=col_major>)
    pto.tmatmul ins(%left, %right : !pto.tile_buf<left, 64x128xf16, slayout=row_major>, !pto.tile_buf<right, 128x128xf16, slayout=col_major>) outs(%qk_acc : !pto.tile_buf<acc, 64x128xf32, blayout=col_major, slayout=row_major, fractal=1024>)
    %qk_entry0 = "pto.declare_global"() : () -> !pto.tensor_view<64x128xf32>
    "pto.talloc"(%qk_entry0, %qk_pipe) {split = 0 : i64} : (!pto.tensor_view<64x128xf32>, !pto.pipe) -> ()
    %qk_slot0 = pto.partition_view %qk_entry0, offsets = [%c0, %c0], sizes = [%c64, %c128] : !pto.tensor_view<64x128xf32> -> !pto.partition_tensor_view<64x128xf32>
    pto.tstore ins(%qk_acc : !pto.tile_buf<acc, 64x128xf32, blayout=col_major, slayout=row_major, fractal=1024>) outs(%qk_slot0 : !pto.partition_tensor_view<64x128xf32>)
    "pto.tpush"(%qk_entry0, %qk_pipe) {split = 0 : i64} : (!pto.tensor_view<64x128xf32>, !pto.pipe) -> ()
    scf.for %j = %c1 to %n_idx step %c1 {
      %jp = arith.subi %j, %c1 : index
      %k_off = arith.muli %j, %c128 : index
      %k_part = pto.partition_view %k_view, offsets = [%c0, %k_off], sizes = [%c128, %c128] : !pto.tensor_view<128x?xf16> -> !pto.partition_tensor_view<128x128xf16>
      pto.tload ins(%k_part : !pto.partition_tensor_view<128x128xf16>) outs(%k_mat : !pto.tile_buf<mat, 128x128xf16, slayout=col_major>)
      pto.tmov ins(%q_mat : !pto.tile_buf<mat, 64x128xf16, blayout=col_major, slayout=row_major>) outs(%left : !pto.tile_buf<left, 64x128xf16, slayout=row_major>)
      pto.tmov ins(%k_mat : !pto.tile_buf<mat, 128x128xf16, slayout=col_major>) outs(%right : !pto.tile_buf<right, 128x128xf16, slayout=col_major>)
      pto.tmatmul ins(%left, %right : !pto.tile_buf<left, 64x128xf16, slayout=row_major>, !pto.tile_buf<right, 128x128xf16, slayout=col_major>) outs(%qk_acc : !pto.tile_buf<acc, 64x128xf32, blayout=col_major, slayout=row_major, fractal=1024>)
      %qk_entry = "pto.declare_global"() : () -> !pto.tensor_view<64x128xf32>
      "pto.talloc"(%qk_entry, %qk_pipe) {split = 0 : i64} : (!pto.tensor_view<64x128xf32>, !pto.pipe) -> ()
      %qk_slot = pto.partition_view %qk_entry, offsets = [%c0, %c0], sizes = [%c64, %c128] : !pto.tensor_view<64x128xf32> -> !pto.partition_tensor_view<64x128xf32>
      pto.tstore ins(%qk_acc : !pto.tile_buf<acc, 64x128xf32, blayout=col_major, slayout=row_major, fractal=1024>) outs(%qk_slot : !pto.partition_tensor_view<64x128xf32>)
      "pto.tpush"(%qk_entry, %qk_pipe) {split = 0 : i64} : (!pto.tensor_view<64x128xf32>, !pto.pipe) -> ()
      "pto.tpop"(%p_mat, %p_pipe) {split = 1 : i64} : (!pto.tile_buf<mat, 64x128xf16, blayout=col_major, slayout=row_major>, !pto.pipe) -> ()
      pto.tmov ins(%p_mat : !pto.tile_buf<mat, 64x128xf16, blayout=col_major, slayout=row_major>) outs(%p_left : !pto.tile_buf<left, 64x128xf16, slayout=row_major>)
      "pto.tfree"(%p_pipe) {split = 1 : i64} : (!pto.pipe) -> ()
      %v_off = arith.muli %jp, %c128 : index
      %v_part = pto.partition_view %v_view, offsets = [%v_off, %c0], sizes = [%c128, %c128] : !pto.tensor_view<?x128xf16> -> !pto.partition_tensor_view<128x128xf16>
      pto.tload ins(%v_part : !pto.partition_tensor_view<128x128xf16>) outs(%v_mat : !pto.tile_buf<mat, 128x128xf16, blayout=col_major, slayout=row_major>)
      pto.tmov ins(%v_mat : !pto.tile_buf<mat, 128x128xf16, blayout=col_major, slayout=row_major>) outs(%v_right : !pto.tile_buf<right, 128x128xf16, slayout=col_major>)
      pto.tmatmul ins(%p_left, %v_right : !pto.tile_buf<left, 64x128xf16, slayout=row_major>, !pto.tile_buf<right, 128x128xf16, slayout=col_major>) outs(%pv_acc : !pto.tile_buf<acc, 64x128xf32, blayout=col_major, slayout=row_major, fractal=1024>)
      %pv_entry = "pto.declare_global"() : () -> !pto.tensor_view<64x128xf32>
      "pto.talloc"(%pv_entry, %pv_pipe) {split = 0 : i64} : (!pto.tensor_view<64x128xf32>, !pto.pipe) -> ()
      %pv_slot = pto.partition_view %pv_entry, offsets = [%c0, %c0], sizes = [%c64, %c128] : !pto.tensor_view<64x128xf32> -> !pto.partition_tensor_view<64x128xf32>
      pto.tstore ins(%pv_acc : !pto.tile_buf<acc, 64x128xf32, blayout=col_major, slayout=row_major, fractal=1024>) outs(%pv_slot : !pto.partition_tensor_view<64x128xf32>)
      "pto.tpush"(%pv_entry, %pv_pipe) {split = 0 : i64} : (!pto.tensor_view<64x128xf32>, !pto.pipe) -> ()
    }
    %last = arith.subi %n_idx, %c1 : index
    "pto.tpop"(%p_mat, %p_pipe) {split = 1 : i64} : (!pto.tile_buf<mat, 64x128xf16, blayout=col_major, slayout=row_major>, !pto.pipe) -> ()
    pto.tmov ins(%p_mat : !pto.tile_buf<mat, 64x128xf16, blayout=col_major, slayout=row_major>) outs(%p_left : !pto.tile_buf<left, 64x128xf16, slayout=row_major>)
    "pto.tfree"(%p_pipe) {split = 1 : i64} : (!pto.pipe) -> ()
    %v_off_last = arith.muli %last, %c128 : index
    %v_part_last = pto.partition_view %v_view, offsets = [%v_off_last, %c0], sizes = [%c128, %c128] : !pto.tensor_view<?x128xf16> -> !pto.partition_tensor_view<128x128xf16>
    pto.tload ins(%v_part_last : !pto.partition_tensor_view<128x128xf16>) outs(%v_mat : !pto.tile_buf<mat, 128x128xf16, blayout=col_major, slayout=row_major>)
    pto.tmov ins(%v_mat : !pto.tile_buf<mat, 128x128xf16, blayout=col_major, slayout=row_major>) outs(%v_right : !pto.tile_buf<right, 128x128xf16, slayout=col_major>)
    pto.tmatmul ins(%p_left, %v_right : !pto.tile_buf<left, 64x128xf16, slayout=row_major>, !pto.tile_buf<right, 128x128xf16, slayout=col_major>) outs(%pv_acc : !pto.tile_buf<acc, 64x128xf32, blayout=col_major, slayout=row_major, fractal=1024>)
    %pv_entry_last = "pto.declare_global"() : () -> !pto.tensor_view<64x128xf32>
    "pto.talloc"(%pv_entry_last, %pv_pipe) {split = 0 : i64} : (!pto.tensor_view<64x128xf32>, !pto.pipe) -> ()
    %pv_slot_last = pto.partition_view %pv_entry_last, offsets = [%c0, %c0], sizes = [%c64, %c128] : !pto.tensor_view<64x128xf32> -> !pto.partition_tensor_view<64x128xf32>
    pto.tstore ins(%pv_acc : !pto.tile_buf<acc, 64x128xf32, blayout=col_major, slayout=row_major, fractal=1024>) outs(%pv_slot_last : !pto.partition_tensor_view<64x128xf32>)
    "pto.tpush"(%pv_entry_last, %pv_pipe) {split = 0 : i64} : (!pto.tensor_view<64x128xf32>, !pto.pipe) -> ()
    return
  }
  func.func @vector_kernel(%o: !pto.ptr<f32>, %fifo: !pto.ptr<f32>, %n: i32) attributes {pto.kernel_kind = #pto.kernel_kind<vector>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c32 = arith.constant 32 : index
    %c64 = arith.constant 64 : index
    %c128 = arith.constant 128 : index
    %c65536 = arith.constant 65536 : index
    %c98304 = arith.constant 98304 : index
    %scale = arith.constant 0.0883883461 : f32
    %zero = arith.constant 0.0 : f32
    %fifo_p = pto.addptr %fifo, %c65536 : !pto.ptr<f32> -> !pto.ptr<f32>
    %fifo_pv = pto.addptr %fifo, %c98304 : !pto.ptr<f32> -> !pto.ptr<f32>
    %qk_slots = pto.make_tensor_view %fifo, shape = [%c64, %c128], strides = [%c128, %c1] : !pto.tensor_view<64x128xf32>
    %pv_slots = pto.make_tensor_view %fifo_pv, shape = [%c64, %c128], strides = [%c128, %c1] : !pto.tensor_view<64x128xf32>
    %qk_pipe = "pto.initialize_l2g2l_pipe"(%qk_slots) {dir_mask = 1 : i64, flag_base = 0 : i64, local_slot_num = 2 : i64, slot_num = 8 : i64, slot_size = 32768 : i64} : (!pto.tensor_view<64x128xf32>) -> !pto.pipe
    %p_pipe = "pto.initialize_l2g2l_pipe"(%fifo_p) {dir_mask = 2 : i64, flag_base = 2 : i64, local_slot_num = 2 : i64, slot_num = 8 : i64, slot_size = 16384 : i64} : (!pto.ptr<f32>) -> !pto.pipe
    %pv_pipe = "pto.initialize_l2g2l_pipe"(%pv_slots) {dir_mask = 1 : i64, flag_base = 4 : i64, local_slot_num = 2 : i64, slot_num = 8 : i64, slot_size = 32768 : i64} : (!pto.tensor_view<64x128xf32>) -> !pto.pipe
    %sb = pto.get_subblock_idx
    %sb_idx = arith.index_cast %sb : i64 to index
    %row = arith.muli %sb_idx, %c32 : index
    %x = pto.alloc_tile : !pto.tile_buf<vec, 32x128xf32>
    %tmp = pto.alloc_tile : !pto.tile_buf<vec, 32x128xf32>
    %p = pto.alloc_tile : !pto.tile_buf<vec, 32x128xf32>
    %p16 = pto.alloc_tile : !pto.tile_buf<vec, 32x128xf16>
    %pv = pto.alloc_tile : !pto.tile_buf<vec, 32x128xf32>
    %acc_o = pto.alloc_tile : !pto.tile_buf<vec, 32x128xf32>
    %m = pto.alloc_tile : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>
    %l = pto.alloc_tile : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>
    %m_tile = pto.alloc_tile : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>
    %e = pto.alloc_tile : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>
    %e_prev = pto.alloc_tile : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>
    // per-row statistics as 1x32 row-major views for the elementwise ops (A2/A3 needs row-major there)
    %m_r = pto.treshape %m : !pto.tile_buf<vec, 32x1xf32, blayout=col_major> -> !pto.tile_buf<vec, 1x32xf32>
    %l_r = pto.treshape %l : !pto.tile_buf<vec, 32x1xf32, blayout=col_major> -> !pto.tile_buf<vec, 1x32xf32>
    %mt_r = pto.treshape %m_tile : !pto.tile_buf<vec, 32x1xf32, blayout=col_major> -> !pto.tile_buf<vec, 1x32xf32>
    %e_r = pto.treshape %e : !pto.tile_buf<vec, 32x1xf32, blayout=col_major> -> !pto.tile_buf<vec, 1x32xf32>
    %ep_r = pto.treshape %e_prev : !pto.tile_buf<vec, 32x1xf32, blayout=col_major> -> !pto.tile_buf<vec, 1x32xf32>
    %n_idx = arith.index_cast %n : i32 to index
    pto.texpands ins(%zero : f32) outs(%acc_o : !pto.tile_buf<vec, 32x128xf32>)
    // tile 0: softmax only (its PV is consumed in the next iteration)
    %qk_entry0 = "pto.declare_global"() : () -> !pto.tensor_view<64x128xf32>
    "pto.tpop"(%qk_entry0, %qk_pipe) {split = 0 : i64} : (!pto.tensor_view<64x128xf32>, !pto.pipe) -> ()
    %qk_rows0 = pto.partition_view %qk_entry0, offsets = [%row, %c0], sizes = [%c32, %c128] : !pto.tensor_view<64x128xf32> -> !pto.partition_tensor_view<32x128xf32>
    pto.tload ins(%qk_rows0 : !pto.partition_tensor_view<32x128xf32>) outs(%x : !pto.tile_buf<vec, 32x128xf32>)
    pto.trowmax ins(%x, %tmp : !pto.tile_buf<vec, 32x128xf32>, !pto.tile_buf<vec, 32x128xf32>) outs(%m : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>)
    pto.trowexpandsub ins(%x, %m : !pto.tile_buf<vec, 32x128xf32>, !pto.tile_buf<vec, 32x1xf32, blayout=col_major>) outs(%p : !pto.tile_buf<vec, 32x128xf32>)
    pto.tmuls ins(%p, %scale : !pto.tile_buf<vec, 32x128xf32>, f32) outs(%p : !pto.tile_buf<vec, 32x128xf32>)
    pto.texp ins(%p : !pto.tile_buf<vec, 32x128xf32>) outs(%p : !pto.tile_buf<vec, 32x128xf32>)
    pto.trowsum ins(%p, %tmp : !pto.tile_buf<vec, 32x128xf32>, !pto.tile_buf<vec, 32x128xf32>) outs(%l : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>)
    pto.tcvt ins(%p : !pto.tile_buf<vec, 32x128xf32>) outs(%p16 : !pto.tile_buf<vec, 32x128xf16>)
    "pto.tpush"(%p16, %p_pipe) {split = 1 : i64} : (!pto.tile_buf<vec, 32x128xf16>, !pto.pipe) -> ()
    "pto.tfree"(%qk_entry0, %qk_pipe) {split = 0 : i64} : (!pto.tensor_view<64x128xf32>, !pto.pipe) -> ()
    pto.tsub ins(%m_r, %m_r : !pto.tile_buf<vec, 1x32xf32>, !pto.tile_buf<vec, 1x32xf32>) outs(%ep_r : !pto.tile_buf<vec, 1x32xf32>)
    scf.for %j = %c1 to %n_idx step %c1 {
      // online softmax of QK tile j, then GU with PV of tile j-1: O = O * exp(m_old - m_new) + PV
      %qk_entry = "pto.declare_global"() : () -> !pto.tensor_view<64x128xf32>
      "pto.tpop"(%qk_entry, %qk_pipe) {split = 0 : i64} : (!pto.tensor_view<64x128xf32>, !pto.pipe) -> ()
      %qk_rows = pto.partition_view %qk_entry, offsets = [%row, %c0], sizes = [%c32, %c128] : !pto.tensor_view<64x128xf32> -> !pto.partition_tensor_view<32x128xf32>
      pto.tload ins(%qk_rows : !pto.partition_tensor_view<32x128xf32>) outs(%x : !pto.tile_buf<vec, 32x128xf32>)
      pto.trowmax ins(%x, %tmp : !pto.tile_buf<vec, 32x128xf32>, !pto.tile_buf<vec, 32x128xf32>) outs(%m_tile : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>)
      pto.tmax ins(%mt_r, %m_r : !pto.tile_buf<vec, 1x32xf32>, !pto.tile_buf<vec, 1x32xf32>) outs(%mt_r : !pto.tile_buf<vec, 1x32xf32>)
      pto.tsub ins(%m_r, %mt_r : !pto.tile_buf<vec, 1x32xf32>, !pto.tile_buf<vec, 1x32xf32>) outs(%e_r : !pto.tile_buf<vec, 1x32xf32>)
      pto.tmov ins(%mt_r : !pto.tile_buf<vec, 1x32xf32>) outs(%m_r : !pto.tile_buf<vec, 1x32xf32>)
      pto.trowexpandsub ins(%x, %m_tile : !pto.tile_buf<vec, 32x128xf32>, !pto.tile_buf<vec, 32x1xf32, blayout=col_major>) outs(%p : !pto.tile_buf<vec, 32x128xf32>)
      pto.tmuls ins(%e_r, %scale : !pto.tile_buf<vec, 1x32xf32>, f32) outs(%e_r : !pto.tile_buf<vec, 1x32xf32>)
      pto.tmuls ins(%p, %scale : !pto.tile_buf<vec, 32x128xf32>, f32) outs(%p : !pto.tile_buf<vec, 32x128xf32>)
      pto.texp ins(%e_r : !pto.tile_buf<vec, 1x32xf32>) outs(%e_r : !pto.tile_buf<vec, 1x32xf32>)
      pto.texp ins(%p : !pto.tile_buf<vec, 32x128xf32>) outs(%p : !pto.tile_buf<vec, 32x128xf32>)
      pto.tmul ins(%l_r, %e_r : !pto.tile_buf<vec, 1x32xf32>, !pto.tile_buf<vec, 1x32xf32>) outs(%l_r : !pto.tile_buf<vec, 1x32xf32>)
      pto.trowsum ins(%p, %tmp : !pto.tile_buf<vec, 32x128xf32>, !pto.tile_buf<vec, 32x128xf32>) outs(%m_tile : !pto.tile_buf<vec, 32x1xf32, blayout=col_major>)
      pto.tadd ins(%l_r, %mt_r : !pto.tile_buf<vec, 1x32xf32>, !pto.tile_buf<vec, 1x32xf32>) outs(%l_r : !pto.tile_buf<vec, 1x32xf32>)
      pto.tcvt ins(%p : !pto.tile_buf<vec, 32x128xf32>) outs(%p16 : !pto.tile_buf<vec, 32x128xf16>)
      "pto.tpush"(%p16, %p_pipe) {split = 1 : i64} : (!pto.tile_buf<vec, 32x128xf16>, !pto.pipe) -> ()
      "pto.tfree"(%qk_entry, %qk_pipe) {split = 0 : i64} : (!pto.tensor_view<64x128xf32>, !pto.pipe) -> ()
      %pv_entry = "pto.declare_global"() : () -> !pto.tensor_view<64x128xf32>
      "pto.tpop"(%pv_entry, %pv_pipe) {split = 0 : i64} : (!pto.tensor_view<64x128xf32>, !pto.pipe) -> ()
      %pv_rows = pto.partition_view %pv_entry, offsets = [%row, %c0], sizes = [%c32, %c128] : !pto.tensor_view<64x128xf32> -> !pto.partition_tensor_view<32x128xf32>
      pto.tload ins(%pv_rows : !pto.partition_tensor_view<32x128xf32>) outs(%pv : !pto.tile_buf<vec, 32x128xf32>)
      "pto.tfree"(%pv_entry, %pv_pipe) {split = 0 : i64} : (!pto.tensor_view<64x128xf32>, !pto.pipe) -> ()
      pto.trowexpandmul ins(%acc_o, %e_prev : !pto.tile_buf<vec, 32x128xf32>, !pto.tile_buf<vec, 32x1xf32, blayout=col_major>) outs(%acc_o : !pto.tile_buf<vec, 32x128xf32>)
      pto.tadd ins(%acc_o, %pv : !pto.tile_buf<vec, 32x128xf32>, !pto.tile_buf<vec, 32x128xf32>) outs(%acc_o : !pto.tile_buf<vec, 32x128xf32>)
      pto.tmov ins(%e_r : !pto.tile_buf<vec, 1x32xf32>) outs(%ep_r : !pto.tile_buf<vec, 1x32xf32>)
    }
    %pv_entry_last = "pto.declare_global"() : () -> !pto.tensor_view<64x128xf32>
    "pto.tpop"(%pv_entry_last, %pv_pipe) {split = 0 : i64} : (!pto.tensor_view<64x128xf32>, !pto.pipe) -> ()
    %pv_rows_last = pto.partition_view %pv_entry_last, offsets = [%row, %c0], sizes = [%c32, %c128] : !pto.tensor_view<64x128xf32> -> !pto.partition_tensor_view<32x128xf32>
    pto.tload ins(%pv_rows_last : !pto.partition_tensor_view<32x128xf32>) outs(%pv : !pto.tile_buf<vec, 32x128xf32>)
    "pto.tfree"(%pv_entry_last, %pv_pipe) {split = 0 : i64} : (!pto.tensor_view<64x128xf32>, !pto.pipe) -> ()
    pto.trowexpandmul ins(%acc_o, %e_prev : !pto.tile_buf<vec, 32x128xf32>, !pto.tile_buf<vec, 32x1xf32, blayout=col_major>) outs(%acc_o : !pto.tile_buf<vec, 32x128xf32>)
    pto.tadd ins(%acc_o, %pv : !pto.tile_buf<vec, 32x128xf32>, !pto.tile_buf<vec, 32x128xf32>) outs(%acc_o : !pto.tile_buf<vec, 32x128xf32>)
    pto.trowexpanddiv ins(%acc_o, %l : !pto.tile_buf<vec, 32x128xf32>, !pto.tile_buf<vec, 32x1xf32, blayout=col_major>) outs(%acc_o : !pto.tile_buf<vec, 32x128xf32>)
    %o_view = pto.make_tensor_view %o, shape = [%c64, %c128], strides = [%c128, %c1] : !pto.tensor_view<64x128xf32>
    %o_part = pto.partition_view %o_view, offsets = [%row, %c0], sizes = [%c32, %c128] : !pto.tensor_view<64x128xf32> -> !pto.partition_tensor_view<32x128xf32>
    pto.tstore ins(%acc_o : !pto.tile_buf<vec, 32x128xf32>) outs(%o_part : !pto.partition_tensor_view<32x128xf32>)
    return
  }
  func.func @fa_kernel(%ffts: memref<256xi64>, %q: !pto.ptr<f16>, %k: !pto.ptr<f16>, %v: !pto.ptr<f16>, %o: !pto.ptr<f32>, %fifo: !pto.ptr<f32>, %n: i32) attributes {pto.entry} {
    pto.set_ffts %ffts : memref<256xi64>
    func.call @cube_kernel(%q, %k, %v, %fifo, %n) : (!pto.ptr<f16>, !pto.ptr<f16>, !pto.ptr<f16>, !pto.ptr<f32>, i32) -> ()
    func.call @vector_kernel(%o, %fifo, %n) : (!pto.ptr<f32>, !pto.ptr<f32>, i32) -> ()
    return
  }
}
