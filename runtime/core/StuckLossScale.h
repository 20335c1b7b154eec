//===- StuckLossScale.h - overflowing steps at the lowest scale -*- C++ -*-===//
//
// A loss-scaled run is stuck when its steps keep overflowing while the
// scale cannot go lower (at its floor, or static): every update is skipped
// and nothing trains. The executors count such steps as they run them, the
// CPU one on the host and the CUDA one on the device after each step (no
// host synchronisation), with this one rule; the training loop reads the
// count with the loss scale at its log points and at the end.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CORE_STUCKLOSSSCALE_H
#define MPC_RUNTIME_CORE_STUCKLOSSSCALE_H

#include "runtime/core/HostDevice.h"

#include <cstdint>

namespace mpc {

/// The run of steps that overflowed at the lowest scale, up to the last
/// step counted.
struct StuckLossScaleRun {
  /// The skipped-step counter (the state @loss_scale.skipped_steps) after
  /// the last step counted: a step overflowed when it grew.
  float skippedSteps;
  /// Consecutive steps, ending with the last one, that overflowed at the
  /// lowest scale.
  int64_t steps;
};

/// A run that starts after state holding `skippedSteps` (a fresh step's 0,
/// or a checkpoint's count).
MPC_HD StuckLossScaleRun startStuckLossScaleRun(float skippedSteps) {
  return StuckLossScaleRun{skippedSteps, 0};
}

/// Counts one step: `skippedSteps` and `scale` are the state after it, and
/// `lowest` the scale it cannot go below (a dynamic scale's floor, or the
/// static scale itself). The scale is f32 state, so it is compared as one.
/// With gradient accumulation a call is one micro-batch, and only the last
/// of an optimizer step, which leaves `phase` (the state
/// @accumulate.phase after it) at 0, may skip: the others are not counted.
MPC_HD void countStuckLossScaleStep(StuckLossScaleRun &run, float skippedSteps,
                                    float scale, float lowest,
                                    float phase = 0) {
  if (phase != 0)
    return;
  bool overflowed = skippedSteps > run.skippedSteps;
  run.skippedSteps = skippedSteps;
  run.steps = overflowed && scale <= lowest ? run.steps + 1 : 0;
}

} // namespace mpc

#endif // MPC_RUNTIME_CORE_STUCKLOSSSCALE_H
