// Records what pto-isa's a2a3 implementation of one PTO op issues, on the host.
//
// Built by scripts/trace_facts/record.py with pto-isa's cost model (-D__COSTMODEL, see
// ../shared/pto-isa/README.md): every CCE intrinsic a PTO op calls is appended, with its integer
// arguments (UB addresses, repeat, block and repeat strides, masks), to
// pto::mocker::GetTrace().executed_pto instead of being executed. Each case of a generated
// translation unit places its tiles at known UB addresses (TASSIGN), resets the trace, calls one
// op, and prints the trace as one JSON line on stdout: {"case": id, "pto": [[name, [[intrinsic,
// [args...]], ...]], ...]}. The Python side (scripts/derive_facts.py) decodes the intrinsics.
#ifndef PTOFIX_TRACE_HARNESS_HPP
#define PTOFIX_TRACE_HARNESS_HPP
#include <cstdint>
#include <cstdio>
// The cost model's intrinsics first: the overloads below must be declared before pto's a2a3
// headers call them (a call through a pointer to a fundamental type finds no overload by ADL).
// pto-inst.hpp includes these three first itself; its guard is held defined meanwhile because
// the cost model's cpu_stub.hpp includes pto-inst.hpp from inside them.
#define PTO_INST_HPP
#include <pto/common/type.hpp>
#include <pto/common/kernel_meta.hpp>
#include <pto/costmodel/runtime_stub.hpp>
#undef PTO_INST_HPP

// The recorded arguments say where a vector instruction reads and writes, but not its element
// type, which the mask counts in: pto-isa views 32-bit data as 16-bit for some ops (TAND, TOR,
// TNOT). These overloads, more specialised than the cost model's (`auto dst, ...`), record
// `ptofix_element(sizeof(T))` for the data pointer's type, then call the cost model's own
// intrinsic with the pointer as an integer (the value it records anyway).
#define PTOFIX_ELEMENT(T) ::pto::mocker::RecordCceCall("ptofix_element", 0, (std::uint64_t)sizeof(T))
#define PTOFIX_DST_TYPED_5(NAME) \
    template <typename T> inline void NAME(__ubuf__ T *dst, auto a1, auto a2, auto a3, auto a4) \
    { PTOFIX_ELEMENT(T); ::NAME(reinterpret_cast<std::uintptr_t>(dst), a1, a2, a3, a4); }
#define PTOFIX_DST_TYPED_6(NAME) \
    template <typename T> inline void NAME(__ubuf__ T *dst, auto a1, auto a2, auto a3, auto a4, auto a5) \
    { PTOFIX_ELEMENT(T); ::NAME(reinterpret_cast<std::uintptr_t>(dst), a1, a2, a3, a4, a5); }
#define PTOFIX_DST_TYPED_7(NAME) \
    template <typename T> inline void NAME(__ubuf__ T *dst, auto a1, auto a2, auto a3, auto a4, auto a5, auto a6) \
    { PTOFIX_ELEMENT(T); ::NAME(reinterpret_cast<std::uintptr_t>(dst), a1, a2, a3, a4, a5, a6); }
#define PTOFIX_DST_TYPED_8(NAME) \
    template <typename T> inline void NAME(__ubuf__ T *dst, auto a1, auto a2, auto a3, auto a4, auto a5, auto a6, auto a7) \
    { PTOFIX_ELEMENT(T); ::NAME(reinterpret_cast<std::uintptr_t>(dst), a1, a2, a3, a4, a5, a6, a7); }
#define PTOFIX_DST_TYPED_9(NAME) \
    template <typename T> inline void NAME(__ubuf__ T *dst, auto a1, auto a2, auto a3, auto a4, auto a5, auto a6, auto a7, auto a8) \
    { PTOFIX_ELEMENT(T); ::NAME(reinterpret_cast<std::uintptr_t>(dst), a1, a2, a3, a4, a5, a6, a7, a8); }
#define PTOFIX_DST_TYPED_10(NAME) \
    template <typename T> inline void NAME(__ubuf__ T *dst, auto a1, auto a2, auto a3, auto a4, auto a5, auto a6, auto a7, auto a8, auto a9) \
    { PTOFIX_ELEMENT(T); ::NAME(reinterpret_cast<std::uintptr_t>(dst), a1, a2, a3, a4, a5, a6, a7, a8, a9); }
#define PTOFIX_DST_TYPED_11(NAME) \
    template <typename T> inline void NAME(__ubuf__ T *dst, auto a1, auto a2, auto a3, auto a4, auto a5, auto a6, auto a7, auto a8, auto a9, auto a10) \
    { PTOFIX_ELEMENT(T); ::NAME(reinterpret_cast<std::uintptr_t>(dst), a1, a2, a3, a4, a5, a6, a7, a8, a9, a10); }
#define PTOFIX_SRC_TYPED_8(NAME) \
    template <typename T> inline void NAME(auto dst, __ubuf__ T *a1, auto a2, auto a3, auto a4, auto a5, auto a6, auto a7) \
    { PTOFIX_ELEMENT(T); ::NAME(dst, reinterpret_cast<std::uintptr_t>(a1), a2, a3, a4, a5, a6, a7); }
#define PTOFIX_SRC_TYPED_10(NAME) \
    template <typename T> inline void NAME(auto dst, __ubuf__ T *a1, auto a2, auto a3, auto a4, auto a5, auto a6, auto a7, auto a8, auto a9) \
    { PTOFIX_ELEMENT(T); ::NAME(dst, reinterpret_cast<std::uintptr_t>(a1), a2, a3, a4, a5, a6, a7, a8, a9); }
PTOFIX_DST_TYPED_7(vabs)
PTOFIX_DST_TYPED_7(vexp)
PTOFIX_DST_TYPED_7(vln)
PTOFIX_DST_TYPED_7(vsqrt)
PTOFIX_DST_TYPED_7(vrsqrt)
PTOFIX_DST_TYPED_7(vrelu)
PTOFIX_DST_TYPED_7(vnot)
PTOFIX_DST_TYPED_7(vcopy)

PTOFIX_DST_TYPED_7(vector_dup)
PTOFIX_DST_TYPED_7(vcadd)
PTOFIX_DST_TYPED_7(vcmax)
PTOFIX_DST_TYPED_7(vcmin)
PTOFIX_DST_TYPED_10(vadd)
PTOFIX_DST_TYPED_10(vsub)
PTOFIX_DST_TYPED_10(vmul)
PTOFIX_DST_TYPED_10(vdiv)
PTOFIX_DST_TYPED_10(vmax)
PTOFIX_DST_TYPED_10(vmin)
PTOFIX_DST_TYPED_10(vand)
PTOFIX_DST_TYPED_10(vor)
PTOFIX_DST_TYPED_11(vsel)
PTOFIX_DST_TYPED_8(vadds)
PTOFIX_DST_TYPED_8(vmuls)
PTOFIX_DST_TYPED_8(vmaxs)
PTOFIX_DST_TYPED_8(vmins)
PTOFIX_DST_TYPED_8(vlrelu)
PTOFIX_DST_TYPED_8(vshl)
PTOFIX_DST_TYPED_8(vshr)
PTOFIX_DST_TYPED_8(vaxpy)
PTOFIX_DST_TYPED_9(vshr)
PTOFIX_DST_TYPED_5(vbrcb)
PTOFIX_DST_TYPED_6(vcgadd)
PTOFIX_DST_TYPED_6(vcgmax)
PTOFIX_DST_TYPED_6(vcgmin)
PTOFIX_SRC_TYPED_10(vcmpv_eq)
PTOFIX_SRC_TYPED_10(vcmpv_ne)
PTOFIX_SRC_TYPED_10(vcmpv_gt)
PTOFIX_SRC_TYPED_10(vcmpv_ge)
PTOFIX_SRC_TYPED_10(vcmpv_lt)
PTOFIX_SRC_TYPED_10(vcmpv_le)
PTOFIX_SRC_TYPED_8(vcmpvs_eq)
PTOFIX_SRC_TYPED_8(vcmpvs_ne)
PTOFIX_SRC_TYPED_8(vcmpvs_gt)
PTOFIX_SRC_TYPED_8(vcmpvs_ge)
PTOFIX_SRC_TYPED_8(vcmpvs_lt)
PTOFIX_SRC_TYPED_8(vcmpvs_le)

#include <pto/pto-inst.hpp>

namespace ptofix_trace {

// The pipe numbers the trace prints for pipe_barrier / set_flag / wait_flag arguments.
inline void dump_constants()
{
    std::printf("{\"constants\": {\"PIPE_S\": %d, \"PIPE_V\": %d, \"PIPE_M\": %d, \"PIPE_MTE1\": %d, "
                "\"PIPE_MTE2\": %d, \"PIPE_MTE3\": %d, \"PIPE_ALL\": %d, \"PIPE_FIX\": %d}}\n",
                (int)PIPE_S, (int)PIPE_V, (int)PIPE_M, (int)PIPE_MTE1, (int)PIPE_MTE2, (int)PIPE_MTE3,
                (int)PIPE_ALL, (int)PIPE_FIX);
}

inline void dump(const char *case_id)
{
    const auto &trace = pto::mocker::GetTrace();
    std::printf("{\"case\": \"%s\", \"pto\": [", case_id);
    bool first_record = true;
    for (const auto &record : trace.executed_pto) {
        std::printf("%s[\"%s\", [", first_record ? "" : ", ", record.name.c_str());
        first_record = false;
        bool first_call = true;
        for (const auto &call : record.cce_calls) {
            std::printf("%s[\"%s\", [", first_call ? "" : ", ", call.name.c_str());
            first_call = false;
            for (std::size_t i = 0; i < call.args.size(); ++i) {
                std::printf("%s%llu", i ? ", " : "", (unsigned long long)call.args[i]);
            }
            std::printf("]]");
        }
        std::printf("]]");
    }
    std::printf("]}\n");
    std::fflush(stdout);
}

// A tile of type T with the valid shape (vr, vc) where its type leaves it dynamic, at UB address addr.
template <typename T>
T make_tile(unsigned vr, unsigned vc, std::uint64_t addr)
{
    if constexpr (T::ValidRow < 0 && T::ValidCol < 0) {
        T tile(vr, vc);
        TASSIGN(tile, addr);
        return tile;
    } else if constexpr (T::ValidRow < 0) {
        T tile(vr);
        TASSIGN(tile, addr);
        return tile;
    } else if constexpr (T::ValidCol < 0) {
        T tile(vc);
        TASSIGN(tile, addr);
        return tile;
    } else {
        T tile;
        TASSIGN(tile, addr);
        return tile;
    }
}

}  // namespace ptofix_trace

#endif
