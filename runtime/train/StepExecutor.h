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

#include <cstdint>
#include <string>
#include <vector>

namespace mpc::train {

using driver::HostTensor;

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

  /// Draws every parameter from its initializer; optimizer state starts at
  /// zero.
  virtual void initialize(uint64_t seed) = 0;
  /// One training step (forward, backward, update); `step` counts from 0
  /// and selects the dropout masks.
  virtual bool trainStep(const std::vector<HostTensor> &inputs, uint64_t step,
                         std::vector<HostTensor> &outputs,
                         std::string &error) = 0;
  /// The forward function without dropout and without updates.
  virtual bool evaluate(const std::vector<HostTensor> &inputs,
                        std::vector<HostTensor> &outputs,
                        std::string &error) = 0;

  /// Parameters and optimizer state, named by their symbols.
  virtual std::vector<HostTensor> state() const = 0;
  /// Replaces them; `values` match state() in names, shapes and dtypes.
  virtual void setState(std::vector<HostTensor> values) = 0;
};

} // namespace mpc::train

#endif // MPC_RUNTIME_TRAIN_STEPEXECUTOR_H
