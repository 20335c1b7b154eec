//===- Elementwise.cuh - one pass over n elements, 8 at a time ---*- CUDA
//-*-===//
//
// The loop shared by the elementwise kernels (fill, dropout, unscale, clip):
// each thread takes groups of 8 consecutive elements, moving them as 16-byte
// vectors when the caller found both bases aligned, and the last partial
// group element by element.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_ELEMENTWISE_CUH
#define MPC_RUNTIME_CUDA_ELEMENTWISE_CUH

#include "DeviceMath.cuh"

namespace mpc::cuda {

/// out[i] = f(i, in[i]) for i in [begin, end) with the group index space
/// [0, groups) split by (thread, stride). `in` may be null (f sees 0). In
/// and Out are storage types (float, __half, __nv_bfloat16).
template <typename In, typename Out, typename F>
__device__ void mapGroups(const In *in, Out *out, int64_t begin, int64_t end,
                          bool vectorized, int64_t thread, int64_t stride,
                          F &&f) {
  for (int64_t i = begin + thread * 8; i < end; i += stride * 8) {
    if (vectorized && i + 8 <= end) {
      float v[8] = {};
      if (in)
        load8(in, i, v);
#pragma unroll
      for (int k = 0; k < 8; ++k)
        v[k] = f(i + k, v[k]);
      store8(out, i, v);
      continue;
    }
    for (int64_t j = i; j < end && j < i + 8; ++j)
      store(out, j, f(j, in ? load(in, j) : 0.0f));
  }
}

/// mapGroups over [0, n) with a grid-stride loop.
template <typename In, typename Out, typename F>
__device__ void mapElements(const In *in, Out *out, int64_t n, bool vectorized,
                            F &&f) {
  mapGroups(in, out, 0, n, vectorized,
            blockIdx.x * int64_t(blockDim.x) + threadIdx.x,
            int64_t(gridDim.x) * blockDim.x, f);
}

/// Blocks of 256 threads for n elements in groups of 8.
inline unsigned elementwiseGrid(int64_t n) {
  int64_t blocks = (n + 8 * 256 - 1) / (8 * 256);
  if (blocks < 1)
    blocks = 1;
  return static_cast<unsigned>(blocks < 65536 ? blocks : 65536);
}

} // namespace mpc::cuda

#endif // MPC_RUNTIME_CUDA_ELEMENTWISE_CUH
