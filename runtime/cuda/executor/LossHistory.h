//===- LossHistory.h - the device ring of per-step losses -------*- C++ -*-===//
//
// Each replay of the training-step graph appends its loss to a ring on the
// device, so the host reads losses only when it logs them; with loss
// scaling it also counts, on the device, the steps that overflowed at the
// lowest scale (runtime/core/StuckLossScale.h).
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_EXECUTOR_LOSSHISTORY_H
#define MPC_RUNTIME_CUDA_EXECUTOR_LOSSHISTORY_H

#include "runtime/core/StuckLossScale.h"

#include <cuda_runtime.h>

#include <cstdint>

namespace mpc::cuda {

/// Enqueues ring[*count % capacity] = *loss, then ++*count.
cudaError_t appendLoss(const float *loss, float *ring,
                       unsigned long long *count, uint32_t capacity,
                       cudaStream_t stream);

/// Enqueues countStuckLossScaleStep(*run, *skippedSteps, scale, lowest,
/// phase), with the scale read from `scale`, or `lowest` itself when it is
/// null (a static scale), and the accumulation phase from `phase`, or 0
/// when it is null (no accumulation).
cudaError_t countStuckStep(StuckLossScaleRun *run, const float *skippedSteps,
                           const float *scale, float lowest, const float *phase,
                           cudaStream_t stream);

} // namespace mpc::cuda

#endif // MPC_RUNTIME_CUDA_EXECUTOR_LOSSHISTORY_H
