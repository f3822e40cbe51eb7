// ptoas lowers an scf.while with a break to top-level labels and gotos. The graph reads them: the
// barrier between the in-place TADDS of one pass and the TMULS after it (one same-access chain)
// goes; the one at the loop head stays, as the TMULS of the pass before reaches it around the
// backward goto (no chain across a back-edge), and so does the one after the loop, which the
// forward goto out of the body reaches.
// RUN: %ptofix run --same-access-chains --pattern auto --report text %s -o %t.cpp 2>&1 | FileCheck %s
extern "C" __global__ AICORE void k(int32_t n) {
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v5;
  int32_t i;
  bool go;
  TASSIGN(v5, 0);
  i = 0;
  goto label1;
label1:
  go = i < n;
  if (go) {
    goto label2;
  } else {
    goto label3;
  }
label2:
  pipe_barrier(PIPE_V);
  TADDS(v5, v5, 1.0f);
  pipe_barrier(PIPE_V);
  TMULS(v5, v5, 2.0f);
  if (i == 3) {
    goto label3;
  }
  i = i + 1;
  goto label1;
label3:
  pipe_barrier(PIPE_V);
  TADDS(v5, v5, 1.0f);
}
// CHECK: goto_while_break.cpp:22:3: kept (auto, [no op on straight-line code] -> TADDS): WAW: TMULS write v5 [0,16384) at 25:3 -> TADDS write v5 [0,16384) at 23:3 (across loop back-edge)
// CHECK: goto_while_break.cpp:24:3: removed (auto, TADDS -> TMULS): proved
// CHECK: goto_while_break.cpp:32:3: kept (auto, [no op on straight-line code] -> TADDS): WAW
// CHECK: pipe-v-barrier: 1 of 3 PIPE_V barriers removed
// The removals here rest on PTOAS #674 same-access chains: credited under --same-access-chains only.
