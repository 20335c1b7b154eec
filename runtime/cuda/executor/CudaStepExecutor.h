//===- CudaStepExecutor.h - the training loop on a GPU ----------*- C++ -*-===//
//
// Runs a compiled CUDA artifact (manifest.json and step.cu) for the training
// loop. Parameters, optimizer state, the loss scaler and the per-step losses
// stay on the device; the host waits for it only when it reads them (at log
// points, evaluations and checkpoints), and once per op in the checked calls
// that name a failing op (DebugMode.h). No CUDA header is needed to use it.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_EXECUTOR_CUDASTEPEXECUTOR_H
#define MPC_RUNTIME_CUDA_EXECUTOR_CUDASTEPEXECUTOR_H

#include "runtime/cuda/executor/DeviceProbe.h"
#include "runtime/cuda/executor/Manifest.h"
#include "runtime/train/StepExecutor.h"

#include <memory>

namespace mpc::cuda {

using driver::HostTensor;

/// The device memory a step needs: parameters and state, the arena, every
/// function's inputs and outputs, and the cuBLASLt workspace.
size_t requiredDeviceBytes(const Manifest &manifest);

class CudaStepExecutor : public train::StepExecutor {
public:
  /// Opens the artifact in `directory`, whose manifest.json is `manifest`,
  /// on `device` (as probeDevice found it; the current device): checks that
  /// the step fits in the device's free memory, loads its step library
  /// (stepLibraryFor: prebuilt in the artifact, or compiled with nvcc into
  /// the cache), and allocates the device buffers. In `debug` mode every
  /// step runs eagerly with each op checked (DebugMode.h). Fails with a
  /// one-line message.
  static std::unique_ptr<CudaStepExecutor>
  create(const std::string &directory, Manifest manifest,
         const DeviceInfo &device, bool debug, std::string &error);
  ~CudaStepExecutor() override;

  std::string graphName() const override;
  std::vector<HostTensor> inputSpecs() const override;
  std::vector<HostTensor> outputSpecs() const override;
  int labelInput() const override;
  int64_t microBatches() const override;
  void initialize(uint64_t seed) override;
  bool trainStep(const std::vector<HostTensor> &inputs, uint64_t step,
                 std::string &error) override;
  bool takeLosses(std::vector<double> &losses, std::string &error) override;
  bool evaluate(const std::vector<HostTensor> &inputs,
                std::vector<HostTensor> &outputs, std::string &error) override;
  std::vector<HostTensor> state() const override;
  void setState(std::vector<HostTensor> values) override;
  std::optional<train::LossScaleStatus> lossScaleStatus() const override;
  std::optional<double> gradNorm() const override;
  std::optional<double> learningRate() const override;
  std::string deferredError() const override;
  const train::NumericsReport *numericsReport() const override;

  struct Impl;

private:
  explicit CudaStepExecutor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl;
};

} // namespace mpc::cuda

#endif // MPC_RUNTIME_CUDA_EXECUTOR_CUDASTEPEXECUTOR_H
