//===- LossHistory.cu - the device ring of per-step losses ----------------===//

#include "runtime/cuda/executor/LossHistory.h"

namespace mpc::cuda {
namespace {

__global__ void appendLossKernel(const float *loss, float *ring,
                                 unsigned long long *count, uint32_t capacity) {
  unsigned long long n = *count;
  ring[n % capacity] = *loss;
  *count = n + 1;
}

__global__ void countStuckStepKernel(StuckLossScaleRun *run,
                                     const float *skippedSteps,
                                     const float *scale, float lowest,
                                     const float *phase) {
  countStuckLossScaleStep(*run, *skippedSteps, scale ? *scale : lowest, lowest,
                          phase ? *phase : 0.0f);
}

} // namespace

cudaError_t countStuckStep(StuckLossScaleRun *run, const float *skippedSteps,
                           const float *scale, float lowest, const float *phase,
                           cudaStream_t stream) {
  countStuckStepKernel<<<1, 1, 0, stream>>>(run, skippedSteps, scale, lowest,
                                            phase);
  return cudaGetLastError();
}

cudaError_t appendLoss(const float *loss, float *ring,
                       unsigned long long *count, uint32_t capacity,
                       cudaStream_t stream) {
  appendLossKernel<<<1, 1, 0, stream>>>(loss, ring, count, capacity);
  return cudaGetLastError();
}

} // namespace mpc::cuda
