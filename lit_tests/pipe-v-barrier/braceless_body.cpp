// A barrier that is the whole body of a braceless `if`, `else` or `for`, or the statement right
// after a case label (comments between them included), stays a statement when removed (`/* ... */;`):
// as a bare comment, the next statement would become the body, or a label would end the switch
// (ill-formed before C++23). In a block it becomes a plain comment.
// RUN: %ptofix run --same-access-chains --pattern auto %s | grep -v '^//' | FileCheck %s
// RUN: %ptofix run --same-access-chains --pattern auto %s | %ptofix run --same-access-chains --pattern auto - | grep -v '^//' | FileCheck %s
__global__ AICORE void k(int32_t flag) {
  Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64> a;
  TASSIGN(a, 0);
  Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64> c;
  TASSIGN(c, 8192);
  TABS(a, a);
  if (flag) pipe_barrier(PIPE_V);
  else pipe_barrier(PIPE_V);
  TABS(c, c);
  switch (flag) {
  case 1:
    pipe_barrier(PIPE_V);
  default: /* sync */
    pipe_barrier(PIPE_V);
  }
  TABS(a, a);
  pipe_barrier(PIPE_V);
  TABS(c, c);
}
__global__ AICORE void loop() {
  Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64> a;
  TASSIGN(a, 0);
  Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64> c;
  TASSIGN(c, 8192);
  TABS(a, a);
  for (int32_t i = 0; i < 4; i = i + 1)
    pipe_barrier(PIPE_V);
  TABS(c, c);
}
// CHECK: if (flag) /* ptofix: removed pipe_barrier(PIPE_V) (auto) */;
// CHECK-NEXT: else /* ptofix: removed pipe_barrier(PIPE_V) (auto) */;
// CHECK-NEXT: TABS(c, c);
// CHECK-NEXT: switch (flag) {
// CHECK-NEXT: case 1:
// CHECK-NEXT: /* ptofix: removed pipe_barrier(PIPE_V) (auto) */;
// CHECK-NEXT: default: /* sync */
// CHECK-NEXT: /* ptofix: removed pipe_barrier(PIPE_V) (auto) */;
// CHECK-NEXT: }
// CHECK-NEXT: TABS(a, a);
// CHECK-NEXT: /* ptofix: removed pipe_barrier(PIPE_V) (auto) */{{$}}
// CHECK-NEXT: TABS(c, c);
// CHECK: for (int32_t i = 0; i < 4; i = i + 1)
// CHECK-NEXT: /* ptofix: removed pipe_barrier(PIPE_V) (auto) */;
// CHECK-NEXT: TABS(c, c);
// The removals here rest on PTOAS #674 same-access chains: credited under --same-access-chains only.
