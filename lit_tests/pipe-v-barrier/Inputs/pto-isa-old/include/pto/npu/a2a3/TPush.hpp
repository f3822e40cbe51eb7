// A stand-in for a pto-isa checkout's header, written for ptofix's tests: the TPipe template in
// the parameter order of pto-isa c2d8efbe (IsNoSplit before LocalSlotNum), and its ring stride.
namespace pto {
template <uint8_t FlagID, uint8_t DirType, uint32_t SlotSize, uint32_t SlotNum, bool IsNoSplit = false,
          uint32_t LocalSlotNum = 2, bool EN_UNIT_FLAG = false>
struct TPipe {};

// How its pop places a Vec tile in the local ring (the earlier versions: the tile's bytes apart).
template <typename Fifo, typename TileCons, typename T>
uint64_t LocalSlot(Fifo &fifo, uint32_t tileIndex)
{
    return fifo.C2V_CONSUMER_BUF + (tileIndex % RingFiFo::LOCAL_SLOT_NUM) * TileCons::Rows * TileCons::Cols * sizeof(T);
}
}  // namespace pto
