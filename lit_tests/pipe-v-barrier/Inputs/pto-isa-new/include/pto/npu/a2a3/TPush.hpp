// A stand-in for a pto-isa checkout's header, written for ptofix's tests: the TPipe template in
// the parameter order of pto-isa 2dee72c3 and later, and its ring stride of ab903c91 on.
namespace pto {
template <uint8_t FlagID, uint8_t DirType, uint32_t SlotSize, uint32_t SlotNum, uint32_t LocalSlotNum = 2,
          bool IsNoSplit = false, bool EN_UNIT_FLAG = false>
struct TPipe {};

// How its pop places a Vec tile in the local ring (the later versions: SlotSize apart).
template <typename Fifo>
uint64_t LocalSlot(Fifo &fifo, uint32_t tileIndex)
{
    return fifo.C2V_CONSUMER_BUF + (tileIndex % RingFiFo::LOCAL_SLOT_NUM) * RingFiFo::SLOT_SIZE;
}
}  // namespace pto
