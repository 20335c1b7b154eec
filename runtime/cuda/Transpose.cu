//===- Transpose.cu - permuting dimensions --------------------------------===//
//
// One thread per output element: its coordinates in the output are mapped
// through the permutation to an input offset. The element is moved as an
// opaque 1, 2, 4 or 8 byte word, so the op is exact for every dtype.
//
//===----------------------------------------------------------------------===//

#include "Context.h"

namespace mpc::cuda {
namespace {

constexpr int kMaxRank = 8;

/// The output shape and, per output dimension, the stride of the input
/// dimension it comes from (passed by value in the kernel parameters).
struct Permutation {
  int rank;
  int64_t outShape[kMaxRank];
  int64_t inStride[kMaxRank];
  int64_t total;
};

template <typename Word>
__global__ void transposeKernel(const Word *in, Word *out, Permutation p) {
  for (int64_t o = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; o < p.total;
       o += int64_t(gridDim.x) * blockDim.x) {
    int64_t rest = o, offset = 0;
    for (int d = p.rank - 1; d >= 0; --d) {
      offset += (rest % p.outShape[d]) * p.inStride[d];
      rest /= p.outShape[d];
    }
    out[o] = in[offset];
  }
}

} // namespace
} // namespace mpc::cuda

using namespace mpc::cuda;

extern "C" int mpc_rt_transpose(mpc_rt *rt, const void *in, void *out,
                                int elem_size, int rank,
                                const int64_t *in_shape, const int64_t *perm) {
  const char *what = "mpc_rt_transpose";
  if (rank < 0 || rank > kMaxRank)
    return mpc_rt_fail(rt, "%s: rank %d outside [0, %d]", what, rank, kMaxRank);
  Permutation p{};
  p.rank = rank;
  int64_t inStrides[kMaxRank];
  int64_t stride = 1;
  for (int d = rank - 1; d >= 0; --d) {
    if (in_shape[d] < 0)
      return mpc_rt_fail(rt, "%s: negative dimension %lld", what,
                         static_cast<long long>(in_shape[d]));
    inStrides[d] = stride;
    stride *= in_shape[d];
  }
  p.total = stride;
  bool seen[kMaxRank] = {};
  for (int d = 0; d < rank; ++d) {
    int64_t from = perm[d];
    if (from < 0 || from >= rank || seen[from])
      return mpc_rt_fail(rt, "%s: the permutation is invalid at %d", what, d);
    seen[from] = true;
    p.outShape[d] = in_shape[from];
    p.inStride[d] = inStrides[from];
  }
  if (p.total == 0)
    return 0;
  unsigned grid = gridFor(p.total, 256);
  switch (elem_size) {
  case 1:
    transposeKernel<<<grid, 256, 0, rt->stream>>>(
        static_cast<const uint8_t *>(in), static_cast<uint8_t *>(out), p);
    break;
  case 2:
    transposeKernel<<<grid, 256, 0, rt->stream>>>(
        static_cast<const uint16_t *>(in), static_cast<uint16_t *>(out), p);
    break;
  case 4:
    transposeKernel<<<grid, 256, 0, rt->stream>>>(
        static_cast<const uint32_t *>(in), static_cast<uint32_t *>(out), p);
    break;
  case 8:
    transposeKernel<<<grid, 256, 0, rt->stream>>>(
        static_cast<const uint64_t *>(in), static_cast<uint64_t *>(out), p);
    break;
  default:
    return mpc_rt_fail(rt, "%s: element size %d is not 1, 2, 4 or 8", what,
                       elem_size);
  }
  return mpc_rt_check_launch(rt, what);
}
