// A stand-in for a pto-isa checkout's header, written for ptofix's tests: only the shape of the
// row reduction's entry point that ptofix reads (old versions).
namespace pto {
template <typename TileDataOut, typename TileDataIn, typename TileDataTmp>
void TROWSUM_IMPL(TileDataOut &dst, TileDataIn &src, TileDataTmp &tmp)
{
    if (src.GetValidCol() == 0 || src.GetValidRow() == 0) {
        return;  // the early exit of the versions before 5a2e8553
    }
    RowReduceSum(dst, src, tmp);
}
}  // namespace pto
