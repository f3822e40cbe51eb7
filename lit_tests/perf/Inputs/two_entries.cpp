#include "pto/pto-inst.hpp"
using namespace pto;

extern "C" __global__ AICORE void first_kernel(__gm__ float* v1, int32_t v2) {
  return;
}

extern "C" __global__ AICORE void second_kernel(__gm__ float* v1, int32_t v2) {
  return;
}
