//===- StepExecutor.h - what the training loop runs -------------*- C++ -*-===//
//
// The interface between the training loop and a backend (the CPU reference
// executor, the CUDA runtime). It speaks host tensors only, so the loop
// never links MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_TRAIN_STEPEXECUTOR_H
#define MPC_RUNTIME_TRAIN_STEPEXECUTOR_H

#include "runtime/driver/Tensor.h"
#include "runtime/train/NumericsReport.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mpc::train {

using driver::HostTensor;

/// Where a step's loss scaling stands (mpc-loss-scaling).
struct LossScaleStatus {
  /// The scale the next step seeds backward with.
  double scale = 1;
  /// The smallest scale dynamic scaling backs off to; none for a static
  /// scale.
  std::optional<double> floor;
  bool dynamic = false;
  /// Steps skipped because their gradients overflowed, over the whole run
  /// (a checkpoint keeps the count).
  int64_t skippedSteps = 0;
  /// Consecutive steps, ending with the last one run, that overflowed while
  /// the scale could not go lower (runtime/core/StuckLossScale.h): counted
  /// at every step, since the executor was created or its state last set.
  int64_t stuckSteps = 0;
};

/// A compiled training step and its evaluation function.
class StepExecutor {
public:
  virtual ~StepExecutor() = default;

  /// The graph's name, recorded in checkpoints.
  virtual std::string graphName() const = 0;
  /// The step's inputs (names, shapes, dtypes; no data), shared by training
  /// and evaluation.
  virtual std::vector<HostTensor> inputSpecs() const = 0;
  /// The step's outputs: the loss first, then the graph's outputs.
  virtual std::vector<HostTensor> outputSpecs() const = 0;
  /// The input holding the class labels of output 1 (the logits) in the
  /// loss, or -1 when the graph has no such pair; accuracy is reported
  /// against it.
  virtual int labelInput() const = 0;
  /// The calls of trainStep that make one optimizer step (gradient
  /// accumulation): each takes one micro-batch of the inputs' shape, and
  /// only the last updates the parameters. 1 without accumulation.
  virtual int64_t microBatches() const { return 1; }

  /// Draws every parameter from its initializer; optimizer state starts at
  /// zero. `seed` is the run's seed: the training steps after this call
  /// mix it into every dropout mask.
  virtual void initialize(uint64_t seed) = 0;
  /// Enqueues one training step (forward, backward, update); `step` counts
  /// from 0 and, with the run's seed, selects the dropout masks. A device
  /// backend may return before the step has run: its loss is read by
  /// takeLosses.
  virtual bool trainStep(const std::vector<HostTensor> &inputs, uint64_t step,
                         std::string &error) = 0;
  /// Appends to `losses` the loss of every step run since the last call, in
  /// step order. The loop calls it only at log points, so a device backend
  /// waits for the device no more often than that.
  virtual bool takeLosses(std::vector<double> &losses, std::string &error) = 0;
  /// The forward function without dropout and without updates.
  virtual bool evaluate(const std::vector<HostTensor> &inputs,
                        std::vector<HostTensor> &outputs,
                        std::string &error) = 0;

  /// Parameters and optimizer state, named by their symbols.
  virtual std::vector<HostTensor> state() const = 0;
  /// Replaces them; `values` match state() in names, shapes and dtypes.
  virtual void setState(std::vector<HostTensor> values) = 0;

  /// The loss scaler's state, or none when the step has no loss scaling.
  /// The loop reads it only at log points, so a device backend syncs no
  /// more often than for the loss.
  virtual std::optional<LossScaleStatus> lossScaleStatus() const {
    return std::nullopt;
  }

  /// The global norm of the last step's gradients, or none when the step
  /// does not record it (mpc-build-train-step: with clipping, or
  /// record-grad-norm). Read at log points only, like the loss scale.
  virtual std::optional<double> gradNorm() const { return std::nullopt; }
  /// The learning rate of the last update applied, at the step count
  /// (skipped steps do not advance it), before per-group multipliers; none
  /// when the step does not record its rate. Read at log points only.
  virtual std::optional<double> learningRate() const { return std::nullopt; }

  /// The first failure of a call that has no error to return (initialize,
  /// state, setState, lossScaleStatus on a device), or "" when there was
  /// none. The loop checks it after those calls.
  virtual std::string deferredError() const { return ""; }

  /// What --check-numerics measured over the training steps run so far, or
  /// null when the step is not instrumented (mpc-check-numerics).
  virtual const NumericsReport *numericsReport() const { return nullptr; }
};

} // namespace mpc::train

#endif // MPC_RUNTIME_TRAIN_STEPEXECUTOR_H
