// A runtime header like the ones generated kernels include: a struct, a helper, a macro, none of
// which the kernel below names.
#pragma once
#include <stdint.h>
struct RtBuffer { uint64_t addr; uint64_t size; };
static inline int32_t rt_block(__gm__ int64_t* args) { return (int32_t) args[3]; }
#define RT_ALIGN(x) (((x) + 63) & ~63)
