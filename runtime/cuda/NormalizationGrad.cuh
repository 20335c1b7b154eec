//===- NormalizationGrad.cuh - norm backward in one launch -----*- CUDA -*-===//
//
// The part layer norm and RMS norm backward share (BlockPartials.h,
// NormalizationPlan): each block walks the rows of its slice, computing a
// row's input gradient and adding the row's parameter-gradient terms into
// its per-column accumulator while the row's dy and x are at hand; it then
// writes its partials, and the last block adds every block's partials in
// block order into the parameter gradients.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_NORMALIZATIONGRAD_CUH
#define MPC_RUNTIME_CUDA_NORMALIZATIONGRAD_CUH

#include "BlockPartials.h"
#include "Context.h"
#include "DeviceMath.cuh"
#include "LastBlock.cuh"

namespace mpc::cuda {

/// Adds `term` to parameter `param`'s accumulator of column `c`.
__device__ inline void addTerm(float *acc, int64_t cols, int param, int64_t c,
                               float term) {
  acc[param * cols + c] = math::add(acc[param * cols + c], term);
}

/// The block's part of the launch: rowGrad(row, acc) for each row of its
/// slice, in order, where acc is the block's zeroed [Params][cols]
/// accumulator and thread t owns columns t, t + blockDim.x, ... (the
/// columns it handles in a row). The last block writes the sums of
/// parameter p to grads[p], as gradType.
template <int Params, typename RowGrad>
__device__ void normalizationGradBlock(const NormalizationPartials &partials,
                                       void *const *grads, mpc_dtype gradType,
                                       RowGrad rowGrad) {
  extern __shared__ float sharedPartials[];
  const NormalizationPlan &plan = partials.plan;
  int64_t cols = plan.cols, stride = Params * cols;
  float *block = partials.scratch + blockIdx.x * stride;
  float *acc = plan.inShared ? sharedPartials : block;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x)
    for (int p = 0; p < Params; ++p)
      acc[p * cols + c] = 0.0f;
  for (int64_t row = plan.rows.begin(blockIdx.x),
               end = plan.rows.end(blockIdx.x);
       row < end; ++row)
    rowGrad(row, acc);
  if (plan.inShared)
    for (int64_t c = threadIdx.x; c < cols; c += blockDim.x)
      for (int p = 0; p < Params; ++p)
        block[p * cols + c] = acc[p * cols + c];
  if (!isLastBlock(partials.counter))
    return;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x)
    for (int p = 0; p < Params; ++p)
      storeAs(grads[p], gradType, c,
              sumPartials(partials.scratch + p * cols + c, gridDim.x, stride));
}

/// Launches `kernel` over the plan's blocks, one row's width of threads
/// each, with the shared memory of the plan's accumulators.
template <typename Kernel, typename Args>
int launchNormalizationGrad(mpc_rt *rt, const char *what, Kernel kernel,
                            const NormalizationPartials &partials,
                            const Args &args) {
  kernel<<<static_cast<unsigned>(partials.plan.rows.slices),
           rowThreads(partials.plan.cols), partials.plan.sharedBytes(),
           rt->stream>>>(args);
  return mpc_rt_check_launch(rt, what);
}

} // namespace mpc::cuda

#endif // MPC_RUNTIME_CUDA_NORMALIZATIONGRAD_CUH
