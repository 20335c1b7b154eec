//===- CpuStepExecutor.h - the loop on the CPU executor ---------*- C++ -*-===//

#ifndef MPC_COMPILER_REFERENCE_CPUSTEPEXECUTOR_H
#define MPC_COMPILER_REFERENCE_CPUSTEPEXECUTOR_H

#include "compiler/reference/Executor.h"
#include "runtime/core/StepContract.h"
#include "runtime/core/StuckLossScale.h"
#include "runtime/train/StepExecutor.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace mpc::cpu {

using driver::HostTensor;

/// Runs a module's @train_step and @forward on the reference executor.
class CpuStepExecutor : public train::StepExecutor {
public:
  /// `module` must hold @train_step and @forward (mpc-build-train-step's
  /// output); fails with a one-line message otherwise.
  static std::unique_ptr<CpuStepExecutor>
  create(mlir::OwningOpRef<mlir::ModuleOp> module, std::string &error);

  std::string graphName() const override;
  std::vector<HostTensor> inputSpecs() const override;
  std::vector<HostTensor> outputSpecs() const override;
  int labelInput() const override;
  int64_t microBatches() const override { return contract.accumulate; }
  void initialize(uint64_t seed) override;
  bool trainStep(const std::vector<HostTensor> &inputs, uint64_t step,
                 std::string &error) override;
  bool takeLosses(std::vector<double> &losses, std::string &error) override;
  /// One training step that also returns every output of @train_step (the
  /// loss first); its loss is not kept for takeLosses.
  bool trainStep(const std::vector<HostTensor> &inputs, uint64_t step,
                 std::vector<HostTensor> &outputs, std::string &error);
  bool evaluate(const std::vector<HostTensor> &inputs,
                std::vector<HostTensor> &outputs, std::string &error) override;
  std::vector<HostTensor> state() const override;
  void setState(std::vector<HostTensor> values) override;
  std::optional<train::LossScaleStatus> lossScaleStatus() const override;
  std::optional<double> gradNorm() const override;
  const train::NumericsReport *numericsReport() const override {
    return numerics.get();
  }
  std::optional<double> learningRate() const override;

private:
  CpuStepExecutor(mlir::OwningOpRef<mlir::ModuleOp> module,
                  std::unique_ptr<Executor> executor, StepContract contract);

  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::unique_ptr<Executor> executor;
  /// The step as describeStep found it: names, label input, loss scaler.
  StepContract contract;
  /// The positions in the executor's params() (the contract's state order)
  /// of the loss scaler's scale and skipped-step counter, when it has them.
  std::optional<size_t> scaleIndex, skippedIndex;
  /// The position of the recorded gradient norm, when the step has one.
  std::optional<size_t> gradNormIndex;
  /// The position of the accumulation phase, when the step accumulates.
  std::optional<size_t> phaseIndex;
  /// The scale the step's scale cannot go below, when it scales its loss
  /// and counts skipped steps.
  std::optional<float> lowestScale() const;
  /// Counts the last step into stuckRun.
  void countStuckStep();

  /// The steps that overflowed at the lowest scale, up to the last one.
  StuckLossScaleRun stuckRun = startStuckLossScaleRun(0);
  /// The losses of the steps since the last takeLosses.
  std::vector<double> pendingLosses;
  std::vector<HostTensor> stepOutputs;
  /// The statistics of the probed ops over the steps run, when the module
  /// was instrumented by mpc-check-numerics.
  std::unique_ptr<train::NumericsReport> numerics;
};

} // namespace mpc::cpu

#endif // MPC_COMPILER_REFERENCE_CPUSTEPEXECUTOR_H
