// A static helper of a kernel file another file #includes (ptofix build --caller, the pass's
// translation-unit=false): the including file may call it right after its own vector work, so the
// helper's leading PIPE_V barrier is kept even though this file calls it only after a PIPE_ALL. Read
// as a translation unit of its own (the default), that one call proves the entry clean. (The CHECK
// lines do not spell the helper's name: a mention outside its calls is one more place it may be used.)
// RUN: %ptofix opt -p 'pipe-v-barrier{pattern=auto translation-unit=false}' %s | filecheck %s --check-prefix=INCLUDED
// RUN: %ptofix run --pattern auto %s | filecheck %s --check-prefix=ALONE
// INCLUDED-LABEL: {{^}}static AICORE void add_{{i}}nto(
// INCLUDED-NEXT: {{^}}  pipe_barrier(PIPE_V);
// ALONE-LABEL: {{^}}static AICORE void add_{{i}}nto(
// ALONE-NEXT: {{^}}  /* ptofix: removed pipe_barrier(PIPE_V) (auto) */
#include <pto/pto-inst.hpp>
using namespace pto;

using TF = Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>;

static AICORE void add_into(TF &x, TF &y) {
  pipe_barrier(PIPE_V);
  TADD(x, y, y);
  pipe_barrier(PIPE_ALL);
}

__global__ AICORE void k(__gm__ float* p) {
  TF x;
  TASSIGN(x, 65536);
  TF y;
  TASSIGN(y, 73728);
  pipe_barrier(PIPE_ALL);
  add_into(x, y);
}
