// Host-side launcher for the FA kernel: bisheng compiles this file with
// -DKERNEL_CPP="<path of the fixed ptoas C++>" (ptofix build adds it), so the kernel body is the
// fixed C++ and this file only provides an extern "C" entry point for the runtime/ctypes caller.
#ifndef KERNEL_CPP
#error "compile with -DKERNEL_CPP=\"path/to/fa.fixed.cpp\" (ptofix build does this)"
#endif
#include KERNEL_CPP

extern "C" void call_fa_kernel(uint32_t blockDim, void *stream, uint8_t *ffts, uint8_t *q, uint8_t *k,
                               uint8_t *v, uint8_t *o, uint8_t *fifo, int32_t s1Tiles)
{
    fa_kernel<<<blockDim, nullptr, stream>>>((__gm__ int64_t *)ffts, (__gm__ half *)q, (__gm__ half *)k,
                                             (__gm__ half *)v, (__gm__ float *)o, (__gm__ float *)fifo, s1Tiles);
}
