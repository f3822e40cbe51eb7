// A stand-in for a pto-isa checkout's header, written for ptofix's tests: the TPipe template in
// the parameter order of pto-isa 2dee72c3 and later.
namespace pto {
template <uint8_t FlagID, uint8_t DirType, uint32_t SlotSize, uint32_t SlotNum, uint32_t LocalSlotNum = 2,
          bool IsNoSplit = false, bool EN_UNIT_FLAG = false>
struct TPipe {};
}  // namespace pto
