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
