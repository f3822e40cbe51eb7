// ptofix check --trace: what a pto-isa __COSTMODEL build needs to record a kernel's vector stream.
// Included FIRST in the generated unit (before <pto/pto-inst.hpp>); perf's shim.hpp comes after.
// Verified against pto-isa f35e7f60 (https://github.com/hw-native-sys/pto-isa/tree/f35e7f60).
//
// 1. Element sizes. The cost model records each intrinsic's pointers as integers
//    (pto/costmodel/trace.hpp ToTraceValue), not their element type, which a mask or a count-mode
//    count is measured in. These overloads, more specialised than the cost model's (`auto dst, ...`),
//    record `ptofix_element(sizeof(T))` of the data pointer's type, then call the cost model's own
//    intrinsic. They must be declared before pto's a2a3 headers call them: the cost model's
//    intrinsics are included first, with pto-inst.hpp's guard held meanwhile (its cpu_stub.hpp
//    includes pto-inst.hpp from inside them).
// 2. ptofix_trace_at(id): the instrumented kernel copy calls it before each PTO call; it is
//    recorded in the same stream, so each intrinsic after it belongs to that call's source line.
// 3. ptofix_trace_ub(addr): the instrumented copy passes each TASSIGN's integer address through
//    it. Under __COSTMODEL a tile whose address is 0 gets a host buffer of its own
//    (pto/common/pto_tile.hpp data(): `if (!data_) internalBuffer...`), so two tiles placed at UB 0
//    would look disjoint; every integer address is moved up by PTOFIX_TRACE_UB_BIAS, which the
//    reader takes off again.
// 3b. The addresses pto-isa's own code gives a tile (item 7): a Tile-form TPOP of a Vec tile from a C2V
//    pipe TASSIGNs it a slot of the pipe's local ring, at run time, where the kernel's text has no
//    TASSIGN to instrument; moved up by the bias as item 3's.
#ifndef PTOFIX_TRACE_SHIM_HPP
#define PTOFIX_TRACE_SHIM_HPP
#include <cstdint>
#include <cstdio>
#include <type_traits>
#define PTO_INST_HPP
#include <pto/common/type.hpp>
#include <pto/common/kernel_meta.hpp>
#include <pto/costmodel/runtime_stub.hpp>
#undef PTO_INST_HPP

#define PTOFIX_TRACE_UB_BIAS (std::uint64_t{1} << 40)
// The integers a TASSIGN may give that are moved up (footprint.py TASSIGN_SPAN): a UB address is
// below it (a TPipe's consumer buffer is a uint32_t), a host pointer (PIE, 0x55... or 0x7f...) is not.
#define PTOFIX_TRACE_UB_SPAN (std::uint64_t{1} << 32)
#define PTOFIX_ELEMENT(T) ::pto::mocker::RecordCceCall("ptofix_element", 0, (std::uint64_t)sizeof(T))
#define PTOFIX_DST_TYPED(NAME, ...) \
    template <typename T> inline void NAME(__ubuf__ T *dst, __VA_ARGS__)
#define PTOFIX_P(...) __VA_ARGS__
// NAME(dst, a1..aN): the element type of dst.
#define PTOFIX_DST_4(NAME) template <typename T> inline void NAME(__ubuf__ T *d, auto a1, auto a2, auto a3) \
    { PTOFIX_ELEMENT(T); ::NAME(reinterpret_cast<std::uintptr_t>(d), a1, a2, a3); }
#define PTOFIX_DST_5(NAME) template <typename T> inline void NAME(__ubuf__ T *d, auto a1, auto a2, auto a3, auto a4) \
    { PTOFIX_ELEMENT(T); ::NAME(reinterpret_cast<std::uintptr_t>(d), a1, a2, a3, a4); }
#define PTOFIX_DST_6(NAME) template <typename T> inline void NAME(__ubuf__ T *d, auto a1, auto a2, auto a3, auto a4, auto a5) \
    { PTOFIX_ELEMENT(T); ::NAME(reinterpret_cast<std::uintptr_t>(d), a1, a2, a3, a4, a5); }
#define PTOFIX_DST_7(NAME) template <typename T> inline void NAME(__ubuf__ T *d, auto a1, auto a2, auto a3, auto a4, auto a5, auto a6) \
    { PTOFIX_ELEMENT(T); ::NAME(reinterpret_cast<std::uintptr_t>(d), a1, a2, a3, a4, a5, a6); }
#define PTOFIX_DST_8(NAME) template <typename T> inline void NAME(__ubuf__ T *d, auto a1, auto a2, auto a3, auto a4, auto a5, auto a6, auto a7) \
    { PTOFIX_ELEMENT(T); ::NAME(reinterpret_cast<std::uintptr_t>(d), a1, a2, a3, a4, a5, a6, a7); }
#define PTOFIX_DST_9(NAME) template <typename T> inline void NAME(__ubuf__ T *d, auto a1, auto a2, auto a3, auto a4, auto a5, auto a6, auto a7, auto a8) \
    { PTOFIX_ELEMENT(T); ::NAME(reinterpret_cast<std::uintptr_t>(d), a1, a2, a3, a4, a5, a6, a7, a8); }
#define PTOFIX_DST_10(NAME) template <typename T> inline void NAME(__ubuf__ T *d, auto a1, auto a2, auto a3, auto a4, auto a5, auto a6, auto a7, auto a8, auto a9) \
    { PTOFIX_ELEMENT(T); ::NAME(reinterpret_cast<std::uintptr_t>(d), a1, a2, a3, a4, a5, a6, a7, a8, a9); }
#define PTOFIX_DST_11(NAME) template <typename T> inline void NAME(__ubuf__ T *d, auto a1, auto a2, auto a3, auto a4, auto a5, auto a6, auto a7, auto a8, auto a9, auto a10) \
    { PTOFIX_ELEMENT(T); ::NAME(reinterpret_cast<std::uintptr_t>(d), a1, a2, a3, a4, a5, a6, a7, a8, a9, a10); }
// NAME(dst, src, ...): the element type of src (a compare's destination is a bit mask).
#define PTOFIX_SRC_8(NAME) template <typename T> inline void NAME(auto d, __ubuf__ T *s, auto a2, auto a3, auto a4, auto a5, auto a6, auto a7) \
    { PTOFIX_ELEMENT(T); ::NAME(d, reinterpret_cast<std::uintptr_t>(s), a2, a3, a4, a5, a6, a7); }
#define PTOFIX_SRC_10(NAME) template <typename T> inline void NAME(auto d, __ubuf__ T *s, auto a2, auto a3, auto a4, auto a5, auto a6, auto a7, auto a8, auto a9) \
    { PTOFIX_ELEMENT(T); ::NAME(d, reinterpret_cast<std::uintptr_t>(s), a2, a3, a4, a5, a6, a7, a8, a9); }

PTOFIX_DST_7(vabs) PTOFIX_DST_7(vexp) PTOFIX_DST_7(vln) PTOFIX_DST_7(vsqrt) PTOFIX_DST_7(vrsqrt)
PTOFIX_DST_7(vrelu) PTOFIX_DST_7(vnot) PTOFIX_DST_7(vcopy) PTOFIX_DST_7(vector_dup)
PTOFIX_DST_7(vcadd) PTOFIX_DST_7(vcmax) PTOFIX_DST_7(vcmin)
PTOFIX_DST_10(vadd) PTOFIX_DST_10(vsub) PTOFIX_DST_10(vmul) PTOFIX_DST_10(vdiv) PTOFIX_DST_10(vmax)
PTOFIX_DST_10(vmin) PTOFIX_DST_10(vand) PTOFIX_DST_10(vor) PTOFIX_DST_11(vsel)
PTOFIX_DST_8(vadds) PTOFIX_DST_8(vmuls) PTOFIX_DST_8(vmaxs) PTOFIX_DST_8(vmins) PTOFIX_DST_8(vlrelu)
PTOFIX_DST_8(vshl) PTOFIX_DST_8(vshr) PTOFIX_DST_9(vshr) PTOFIX_DST_8(vaxpy)
PTOFIX_DST_4(vbitsort) PTOFIX_DST_5(vbrcb) PTOFIX_DST_6(vcgadd) PTOFIX_DST_6(vcgmax) PTOFIX_DST_6(vcgmin)
PTOFIX_DST_8(vreducev2) PTOFIX_DST_5(vgather) PTOFIX_DST_6(vgatherb)
PTOFIX_SRC_10(vcmpv_eq) PTOFIX_SRC_10(vcmpv_ne) PTOFIX_SRC_10(vcmpv_gt) PTOFIX_SRC_10(vcmpv_ge)
PTOFIX_SRC_10(vcmpv_lt) PTOFIX_SRC_10(vcmpv_le)
PTOFIX_SRC_8(vcmpvs_eq) PTOFIX_SRC_8(vcmpvs_ne) PTOFIX_SRC_8(vcmpvs_gt) PTOFIX_SRC_8(vcmpvs_ge)
PTOFIX_SRC_8(vcmpvs_lt) PTOFIX_SRC_8(vcmpvs_le)

// 1b. vmrgsort4(dst, lists, count, config): its lists are an array of UB pointers (a2a3 TMrgSort.hpp
//    TMrgsort: `__ubuf__ T *addrArray[N]`, N = 2, 3 or 4), which the cost model records as the array's
//    host address. Recorded before it, `ptofix_lists L0 L1 L2 L3`: the address of each list config's
//    mask (Xt[11:8]) names, 0 for the others (whose entries the array may not have).
template <typename T> inline void vmrgsort4(__ubuf__ T *d, __ubuf__ T **lists, auto count, auto config)
{
    std::uint64_t at[4] = {0, 0, 0, 0};
    for (int list = 0; list < 4; ++list)
        if (((std::uint64_t)config >> (8 + list)) & 1)
            at[list] = reinterpret_cast<std::uintptr_t>(lists[list]);
    ::pto::mocker::RecordCceCall("ptofix_lists", 0, at[0], at[1], at[2], at[3]);
    ::vmrgsort4(reinterpret_cast<std::uintptr_t>(d), lists, count, config);
}

inline void ptofix_trace_at(unsigned id)
{
    ::pto::mocker::RecordCceCall("ptofix_at", 0, (std::uint64_t)id);
}

// 2b. ptofix_trace_then(id, arg): the instrumented copy wraps each argument of a tile's GetValue and
//    SetValue in it; the scalar accesses the call makes are recorded at that line (record.py).
template <typename A> inline A &&ptofix_trace_then(unsigned id, A &&arg)
{
    ::pto::mocker::RecordCceCall("ptofix_scalar_at", 0, (std::uint64_t)id);
    return static_cast<A &&>(arg);
}

template <typename A> inline auto ptofix_trace_ub(A addr)
{
    if constexpr (std::is_integral_v<A>) {
        // (An address made from a tile's data() is biased already.)
        const std::uint64_t value = (std::uint64_t)addr;
        return value >= PTOFIX_TRACE_UB_BIAS ? value : value + PTOFIX_TRACE_UB_BIAS;
    } else {
        return addr;
    }
}

// 4. GM pointers. perf passes nullptr for every pointer parameter (the cost model reads no GM); a
//    kernel that reads a scalar from GM with the scalar unit (`v2[i]`, an args array) would fault on
//    the host. The trace passes the start of a zero-filled host buffer instead: such a read gives 0.
//    Its bounds are kept for the run's fault report (record.py MAIN: a fault past its end is a GM
//    offset the scalar arguments made).
#include <vector>
inline std::uintptr_t ptofix_trace_gm_bounds[2] = {0, 0};
struct ptofix_trace_gm_pointer {
    template <typename T> operator T *() const
    {
        static std::vector<unsigned char> zeros(std::size_t{64} << 20);
        ptofix_trace_gm_bounds[0] = reinterpret_cast<std::uintptr_t>(zeros.data());
        ptofix_trace_gm_bounds[1] = ptofix_trace_gm_bounds[0] + zeros.size();
        return reinterpret_cast<T *>(zeros.data());
    }
};
inline ptofix_trace_gm_pointer ptofix_trace_gm()
{
    return {};
}

// 6. __aicore__. A kernel that defines it itself unless __CPU_SIM (`#define __aicore__ [aicore]`,
//    bisheng's attribute) would not compile on the host: defined empty, as for __CPU_SIM.
#ifndef __aicore__
#define __aicore__
#endif

// 5. TFILLPAD, TCI. As perf's shim.hpp item 2 (TEXPANDS): pto/common/pto_instr_impl.hpp's
//    __COSTMODEL list of a2a3 op headers leaves out TFillPad.hpp and TCI.hpp, so the cost model's
//    TFILLPAD and TCI find no _IMPL. Included here, after the whole of pto-inst.hpp.
#include <pto/pto-inst.hpp>
#if __has_include(<pto/npu/a2a3/TFillPad.hpp>)
#include <pto/npu/a2a3/TFillPad.hpp>
#endif
#if __has_include(<pto/npu/a2a3/TCI.hpp>)
#include <pto/npu/a2a3/TCI.hpp>
#endif

// 7. The tile addresses pto-isa computes itself. A Tile-form TPOP of a Vec tile (a2a3 TPush.hpp
//    Consumer::popVecTileFromGMFiFo, f35e7f60 lines 446-450) places the tile at run time:
//        localTileBase = fifo.C2V_CONSUMER_BUF + (tileIndex % LOCAL_SLOT_NUM) * ConsM * ConsN * sizeof(T);
//        TASSIGN_IMPL(tile, localTileBase);
//    (C2V_CONSUMER_BUF: the pipe constructor's second argument, common/fifo.hpp RingFIFO; tileIndex:
//    the pipe's count of pops). That integer is a UB address the kernel's text never shows, so item 3
//    never biased it: a consumer buffer at UB 0 made the slot-0 tile's data_ null, and its data() a
//    host buffer of its own (pto_tile.hpp, `if (!data_) internalBuffer...`), "no UB address" to the
//    reader. This overload, more constrained than a2a3 TAssign.hpp's (same parameters) and so chosen
//    for every tile's TASSIGN_IMPL with an integer (found at the instantiation by argument-dependent
//    lookup: the tile is pto's), moves a UB address up by the bias, as item 3, and passes the rest
//    (an address made from a biased or host data()) as they are; then calls a2a3's with a const
//    address type, which this one's constraint turns away. The address is pto-isa's own: the trace
//    does not compute a slot, it records the one the run uses.
namespace pto {
template <typename T, typename AddrType>
    requires(std::is_integral_v<AddrType> && !std::is_const_v<AddrType> && (is_tile_data_v<T> || is_conv_tile_v<T>))
PTO_INTERNAL void TASSIGN_IMPL(T &obj, AddrType addr)
{
    const std::uint64_t value = static_cast<std::uint64_t>(addr);
    const std::uint64_t placed = value < PTOFIX_TRACE_UB_SPAN ? value + PTOFIX_TRACE_UB_BIAS : value;
    TASSIGN_IMPL<T, const std::uint64_t>(obj, placed);
}
} // namespace pto

#endif
