//===- LossHistory.h - the device ring of per-step losses -------*- C++ -*-===//
//
// Each replay of the training-step graph appends its loss to a ring on the
// device, so the host reads losses only when it logs them.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_EXECUTOR_LOSSHISTORY_H
#define MPC_RUNTIME_CUDA_EXECUTOR_LOSSHISTORY_H

#include <cuda_runtime.h>

#include <cstdint>

namespace mpc::cuda {

/// Enqueues ring[*count % capacity] = *loss, then ++*count.
cudaError_t appendLoss(const float *loss, float *ring,
                       unsigned long long *count, uint32_t capacity,
                       cudaStream_t stream);

} // namespace mpc::cuda

#endif // MPC_RUNTIME_CUDA_EXECUTOR_LOSSHISTORY_H
