// A stand-in for a pto-isa checkout's header, written for ptofix's tests: only the shape of the
// row reduction's entry point that ptofix reads (new versions).
namespace pto {
template <typename TileDataOut, typename TileDataIn, typename TileDataTmp>
void TROWMIN_IMPL(TileDataOut &dst, TileDataIn &src, TileDataTmp &tmp)
{
    RowReduceMin(dst, src, tmp);
}
}  // namespace pto
