%0 = pto.alloc_tile : !pto.tile_buf<loc=vec
