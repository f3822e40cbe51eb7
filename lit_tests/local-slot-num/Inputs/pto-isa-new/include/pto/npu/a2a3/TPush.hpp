// Minimal stand-in for pto-isa include/pto/npu/a2a3/TPush.hpp after 2dee72c3 (2026-04-10).
namespace pto {
template <typename Pipe, typename T> struct PipeTraits;

template <uint8_t FlagID, uint8_t DirType, uint32_t SlotSize, uint32_t SlotNum,
          uint32_t LocalSlotNum = 2, bool IsNoSplit = false, bool EN_UNIT_FLAG = false>
struct TPipe {
    TPipe(__gm__ void *GM_SLOT_BUFFER, uint32_t C2V_CONSUMER_BUF, uint32_t V2C_CONSUMER_BUF);
};
}
