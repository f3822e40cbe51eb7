// Minimal stand-in for pto-isa include/pto/npu/a2a3/TPush.hpp at c2d8efbe (2026-04-09): IsNoSplit before LocalSlotNum.
namespace pto {
template <uint8_t FlagID, uint8_t DirType, uint32_t SlotSize, uint32_t SlotNum, bool IsNoSplit = false,
          uint32_t LocalSlotNum = 2, bool EN_UNIT_FLAG = false>
struct TPipe {
    TPipe(__gm__ void *GM_SLOT_BUFFER, uint32_t C2V_CONSUMER_BUF, uint32_t V2C_CONSUMER_BUF);
};
}
