// A mixed-task runtime header like PyPTO's intrinsic.h: overloads of intrinsics pto's code calls
// with no argument (get_block_idx(), get_block_num()) that require one, and a lane-id helper.
#pragma once
#include <stdint.h>
static __aicore__ inline int32_t get_block_idx(__gm__ int64_t* args) { return (int32_t) args[48]; }
static __aicore__ inline int32_t get_block_num(__gm__ int64_t* args) { return (int32_t) args[49]; }
static __aicore__ inline int32_t rt_lane(__gm__ int64_t* args) { return (int32_t) args[50]; }
