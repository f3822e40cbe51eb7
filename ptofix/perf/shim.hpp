// ptofix perf: what a pto-isa __COSTMODEL build lacks to run ptoas C++ in Perf-Sim. Included after
// <pto/pto-inst.hpp> and before the kernel; every item is listed in docs/commands/perf.md.
// Verified against pto-isa f35e7f60 (https://github.com/hw-native-sys/pto-isa/tree/f35e7f60).
#ifndef PTOFIX_PERF_SHIM_HPP
#define PTOFIX_PERF_SHIM_HPP

// 1. Event ids 4..7. pto/common/cpu_stub.hpp names EVENT_ID0..EVENT_ID3 only; the A2/A3 flag
//    instructions take ids 0..7 and ptoas uses them (fa.cpp's cube side: EVENT_ID4..6).
#ifndef EVENT_ID4
#define EVENT_ID4 4
#endif
#ifndef EVENT_ID5
#define EVENT_ID5 5
#endif
#ifndef EVENT_ID6
#define EVENT_ID6 6
#endif
#ifndef EVENT_ID7
#define EVENT_ID7 7
#endif

// 2. The a2a3 op headers pto/common/pto_instr_impl.hpp's __COSTMODEL list leaves out (its
//    real-kernel #else list has them), so that pto/costmodel/pto_instr.hpp's TEXPANDS, TXOR(S),
//    TSHRS..., TFMOD(S), TCONCAT, TROWPROD, TCOLPROD, TROWARGMAX/MIN, TROWEXPANDMAX/MIN/EXPDIF and
//    the TCOLEXPAND family find their *_IMPL. Each issues vector intrinsics the cost model records
//    (TXOR_IMPL: TOR, TAND, TNOT with pipe_barrier(PIPE_V) between). tests/trace/
//    test_op_footprint_probes.py traces every one of these ops; headers that do not compile here
//    (TPow.hpp, TRem.hpp's newer callers) are left out.
#if __has_include(<pto/npu/a2a3/TExpandS.hpp>)
#include <pto/npu/a2a3/TExpandS.hpp>
#endif
#if __has_include(<pto/npu/a2a3/TXor.hpp>)
#include <pto/npu/a2a3/TXor.hpp>
#endif
#if __has_include(<pto/npu/a2a3/TFmod.hpp>)
#include <pto/npu/a2a3/TFmod.hpp>
#endif
#if __has_include(<pto/npu/a2a3/TFmodS.hpp>)
#include <pto/npu/a2a3/TFmodS.hpp>
#endif
#if __has_include(<pto/npu/a2a3/TConcat.hpp>)
#include <pto/npu/a2a3/TConcat.hpp>
#endif
#if __has_include(<pto/npu/a2a3/TRowProd.hpp>)
#include <pto/npu/a2a3/TRowProd.hpp>
#endif
#if __has_include(<pto/npu/a2a3/TRowReduceIdxOps.hpp>)
#include <pto/npu/a2a3/TRowReduceIdxOps.hpp>
#endif
#if __has_include(<pto/npu/a2a3/TRowExpandMax.hpp>)
#include <pto/npu/a2a3/TRowExpandMax.hpp>
#endif
#if __has_include(<pto/npu/a2a3/TRowExpandMin.hpp>)
#include <pto/npu/a2a3/TRowExpandMin.hpp>
#endif
#if __has_include(<pto/npu/a2a3/TRowExpandExpdif.hpp>)
#include <pto/npu/a2a3/TRowExpandExpdif.hpp>
#endif
#if __has_include(<pto/npu/a2a3/TColProd.hpp>)
#include <pto/npu/a2a3/TColProd.hpp>
#endif
#if __has_include(<pto/npu/a2a3/TBitwiseSOp.hpp>)
#include <pto/npu/a2a3/TBitwiseSOp.hpp>
#endif
#if __has_include(<pto/npu/a2a3/TColExpand.hpp>)
#include <pto/npu/a2a3/TColExpand.hpp>
#endif
#if __has_include(<pto/npu/a2a3/TColExpandAdd.hpp>)
#include <pto/npu/a2a3/TColExpandAdd.hpp>
#endif
#if __has_include(<pto/npu/a2a3/TColExpandMax.hpp>)
#include <pto/npu/a2a3/TColExpandMax.hpp>
#endif
#if __has_include(<pto/npu/a2a3/TColExpandMin.hpp>)
#include <pto/npu/a2a3/TColExpandMin.hpp>
#endif
#if __has_include(<pto/npu/a2a3/TColExpandSub.hpp>)
#include <pto/npu/a2a3/TColExpandSub.hpp>
#endif
#if __has_include(<pto/npu/a2a3/TColExpandMul.hpp>)
#include <pto/npu/a2a3/TColExpandMul.hpp>
#endif
#if __has_include(<pto/npu/a2a3/TColExpandDiv.hpp>)
#include <pto/npu/a2a3/TColExpandDiv.hpp>
#endif
#if __has_include(<pto/npu/a2a3/TColExpandExpdif.hpp>)
#include <pto/npu/a2a3/TColExpandExpdif.hpp>
#endif

namespace pto {
// 3. A column-major GM view spelled Layout::ND loaded into a ZN Mat tile. ptoas v0.45 spells the
//    transposed K view of a matmul `Layout::ND` with strides (..., 1, rows); TLOAD's static_assert
//    (pto/common/arch/memory/tload_common.hpp) accepts such a view into a ZN tile only as
//    Layout::DN. These are the same bytes: the view is read as DN. Chosen over the generic
//    TLOAD_IMPL by partial ordering (a more specialised second parameter).
template <typename TileData, typename Element, typename ShapeT, typename StrideT>
    requires(TileData::Loc == TileType::Mat && GetTileLayoutCustom<TileData>() == TileLayoutCustom::ZN &&
             StrideT::staticStride[GlobalTensorDim::DIM_3] == 1)
PTO_INTERNAL void TLOAD_IMPL(TileData &dst, GlobalTensor<Element, ShapeT, StrideT, Layout::ND> &src)
{
    GlobalTensor<Element, ShapeT, StrideT, Layout::DN> column_major(src.data());
    TLOAD_IMPL(dst, column_major);
}
} // namespace pto

// 4. Every pipe_barrier the kernel writes (pto-isa's own op bodies were read above and keep theirs)
//    goes through ptofix_perf_pipe_barrier with its kernel line: it is recorded as the checkout
//    records it (pto_costmodel_pipe_barrier, cce_costmodel_sync.hpp: a SyncRecorder::Barrier entry
//    with the next sequence number), and one line "core sub-block seq pipe line" (core: the physical one) is appended to
//    ./ptofix_perf_barriers.txt, so that perf's HTML page places each barrier between the vector
//    instructions recorded before and after it (their sequence numbers end their swimlane names).
//    With --barrier-model restart, a pipe_barrier(PIPE_V|PIPE_ALL) also restarts the vector
//    stream, so the next vector op pays its start-up latency again, as pto-isa's stream model
//    describes (pto/costmodel/a2a3/cce_costmodel/cce_costmodel_core.hpp, EstimateLinearCycles:
//    "Paid at stream start (pipe queue empty == first vec op since the last sync ...)"). Unchanged,
//    the checkout's pipe_barrier flushes the stream only inside a PTO instruction (FlushPendingTail
//    returns early outside one), so a barrier between instructions costs nothing.
#include <cstdio>
inline void ptofix_perf_note_barrier(int pipe, int line)
{
    static std::FILE *const out = std::fopen("ptofix_perf_barriers.txt", "w");
    const auto &records = ::pto::perf_sim::SyncRecorder::Get();
    if (out == nullptr || records.empty()) {
        return;
    }
    // (The recorders' core is the logical one, core x VEC_CORES_PER_AIC + sub-block: launch.hpp.)
    std::fprintf(out, "%u %u %llu %d %d\n",
                 static_cast<unsigned>(::pto::perf_sim::SyncRecorder::ActiveCore() / ::pto::perf_sim::VEC_CORES_PER_AIC),
                 static_cast<unsigned>(::pto::perf_sim::current_subblock_id),
                 static_cast<unsigned long long>(records.back().seq), pipe, line);
}
inline void ptofix_perf_pipe_barrier(auto pipe, int line)
{
    pto_costmodel_pipe_barrier(pipe);
#if defined(PTOFIX_PERF_BARRIER_RESTARTS_VECTOR_STREAM)
    if (pipe == PIPE_V || pipe == PIPE_ALL) {
        ::pto::mocker::ResetVectorStream();
    }
#endif
    ptofix_perf_note_barrier(static_cast<int>(pipe), line);
}
#undef pipe_barrier
#define pipe_barrier(...) ptofix_perf_pipe_barrier(__VA_ARGS__, __LINE__)

// 5. cache_line_t. ptoas 2026-08 writes a helper PTOAS__DCCI_SINGLE_CACHE_LINE(ptr) that calls
//    `dcci((__gm__ void*)ptr, cache_line_t::SINGLE_CACHE_LINE)` (and `cache_line_t::ENTIRE_DATA_CACHE`):
//    a CCE builtin scoped enum the checkout does not declare. pto/common/cpu_stub.hpp defines
//    SINGLE_CACHE_LINE and ENTIRE_DATA_CACHE as macros (0), which would turn the kernel's spelling
//    into `cache_line_t::0`; pto's headers are read by now, so the macros go, and the enum comes
//    with a dcci taking it that does what the checkout's stub (pto/costmodel/common/
//    runtime_util.hpp, `dcci(const volatile void *, int)`) does: nothing (a GM cache line, no UB
//    byte).
#undef SINGLE_CACHE_LINE
#undef ENTIRE_DATA_CACHE
enum class cache_line_t : int { SINGLE_CACHE_LINE = 0, ENTIRE_DATA_CACHE = 1 };
inline void dcci(const volatile void *, cache_line_t)
{}
// (ptoas v0.45 writes a bare name, `dcci(p, ENTIRE_DATA_CACHE, CACHELINE_OUT)`: it stays the 0 that
// cpu_stub.hpp's macro gave it. The bare SINGLE_CACHE_LINE is runtime_util.hpp's int constant.)
inline constexpr int ENTIRE_DATA_CACHE = 0;

#endif
