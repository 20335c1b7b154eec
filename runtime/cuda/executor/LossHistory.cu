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

} // namespace

cudaError_t appendLoss(const float *loss, float *ring,
                       unsigned long long *count, uint32_t capacity,
                       cudaStream_t stream) {
  appendLossKernel<<<1, 1, 0, stream>>>(loss, ring, count, capacity);
  return cudaGetLastError();
}

} // namespace mpc::cuda
