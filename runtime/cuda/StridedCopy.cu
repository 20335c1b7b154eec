//===- StridedCopy.cu - slice, its gradient and concat --------------------===//
//
// One thread per element of the copied shape: runtime/core/Slicing.h maps
// its row-major index to an offset on each side, through strides that may
// be negative (a slice with a negative step). The element moves as an
// opaque 1, 2, 4 or 8 byte word, so the copy is exact for every dtype.
//
//===----------------------------------------------------------------------===//

#include "Context.h"

#include "runtime/core/Slicing.h"

namespace mpc::cuda {
namespace {

constexpr int kMaxRank = 8;

/// The copied shape and both sides' first element and strides (passed by
/// value in the kernel parameters).
struct StridedViews {
  int rank;
  int64_t shape[kMaxRank];
  int64_t inStrides[kMaxRank];
  int64_t outStrides[kMaxRank];
  int64_t inOffset, outOffset, total;
};

template <typename Word>
__global__ void stridedCopyKernel(const Word *in, Word *out, StridedViews v) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < v.total;
       i += int64_t(gridDim.x) * blockDim.x)
    out[slicing::stridedOffset(i, v.rank, v.shape, v.outStrides, v.outOffset)] =
        in[slicing::stridedOffset(i, v.rank, v.shape, v.inStrides, v.inOffset)];
}

} // namespace
} // namespace mpc::cuda

using namespace mpc::cuda;

extern "C" int mpc_rt_strided_copy(mpc_rt *rt, const void *in, void *out,
                                   int elem_size, int rank,
                                   const int64_t *shape, int64_t in_offset,
                                   const int64_t *in_strides,
                                   int64_t out_offset,
                                   const int64_t *out_strides) {
  const char *what = "mpc_rt_strided_copy";
  if (rank < 0 || rank > kMaxRank)
    return mpc_rt_fail(rt, "%s: rank %d outside [0, %d]", what, rank, kMaxRank);
  StridedViews v{};
  v.rank = rank;
  v.inOffset = in_offset;
  v.outOffset = out_offset;
  v.total = 1;
  for (int d = 0; d < rank; ++d) {
    if (shape[d] < 0)
      return mpc_rt_fail(rt, "%s: negative dimension %lld", what,
                         static_cast<long long>(shape[d]));
    v.shape[d] = shape[d];
    v.inStrides[d] = in_strides[d];
    v.outStrides[d] = out_strides[d];
    v.total *= shape[d];
  }
  if (v.total == 0)
    return 0;
  unsigned grid = gridFor(v.total, 256);
  switch (elem_size) {
  case 1:
    stridedCopyKernel<<<grid, 256, 0, rt->stream>>>(
        static_cast<const uint8_t *>(in), static_cast<uint8_t *>(out), v);
    break;
  case 2:
    stridedCopyKernel<<<grid, 256, 0, rt->stream>>>(
        static_cast<const uint16_t *>(in), static_cast<uint16_t *>(out), v);
    break;
  case 4:
    stridedCopyKernel<<<grid, 256, 0, rt->stream>>>(
        static_cast<const uint32_t *>(in), static_cast<uint32_t *>(out), v);
    break;
  case 8:
    stridedCopyKernel<<<grid, 256, 0, rt->stream>>>(
        static_cast<const uint64_t *>(in), static_cast<uint64_t *>(out), v);
    break;
  default:
    return mpc_rt_fail(rt, "%s: element size %d is not 1, 2, 4 or 8", what,
                       elem_size);
  }
  return mpc_rt_check_launch(rt, what);
}
