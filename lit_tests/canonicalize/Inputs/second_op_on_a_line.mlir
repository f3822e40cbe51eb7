func.func @k(%t: !pto.tile_buf<acc, 16x16xf32>) {
  %z = arith.constant 0 : index "pto.tpush_to_aiv"(%t) {id = 0 : i64, split = 0 : i64} : (!pto.tile_buf<acc, 16x16xf32>) -> ()
  return
}
