//===- LastBlock.cuh - the last block adds the partials --------*- CUDA -*-===//
//
// The device half of BlockPartials.h: every block writes its partials, then
// counts itself done on the context's counter; the block that counts last
// reads every block's partials and adds them in block order (llm.c's
// pattern). It resets the counter, so the next launch, and the next replay
// of a captured graph, starts from zero.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_LASTBLOCK_CUH
#define MPC_RUNTIME_CUDA_LASTBLOCK_CUH

#include "BlockPartials.h"

namespace mpc::cuda {

/// Whether this block is the last of the grid to finish. Every thread of
/// the block calls it after writing its share of the block's partials; in
/// the last block, every block's partials are then visible.
__device__ inline bool isLastBlock(unsigned int *counter) {
  __shared__ bool last;
  // Each thread's partials reach the device before its block counts itself.
  __threadfence();
  __syncthreads();
  if (threadIdx.x == 0 && threadIdx.y == 0) {
    unsigned int blocks = gridDim.x * gridDim.y * gridDim.z;
    last = atomicAdd(counter, 1u) == blocks - 1;
    // Every block has counted: nothing of this launch reads it again.
    if (last)
      *counter = 0;
  }
  __syncthreads();
  if (last)
    __threadfence();
  return last;
}

/// sumInOrder over partials[0], partials[stride], ... (`count` of them),
/// read through L2: other blocks wrote them during this launch.
__device__ inline float sumPartials(const float *partials, int64_t count,
                                    int64_t stride) {
  return sumInOrder(count,
                    [&](int64_t k) { return __ldcg(partials + k * stride); });
}

} // namespace mpc::cuda

#endif // MPC_RUNTIME_CUDA_LASTBLOCK_CUH
