//===- CpuStepExecutor.cpp - the training loop on the CPU executor --------===//

#include "compiler/reference/CpuStepExecutor.h"

#include "dialects/mpc/StepContract.h"

#include "mlir/IR/Diagnostics.h"

namespace mpc::cpu {

using step::kForward;
using step::kTrainStep;

std::unique_ptr<CpuStepExecutor>
CpuStepExecutor::create(mlir::OwningOpRef<mlir::ModuleOp> module,
                        std::string &error) {
  std::unique_ptr<Executor> executor = Executor::create(*module, error);
  if (!executor)
    return nullptr;
  for (const char *name : {kTrainStep, kForward})
    if (!executor->hasFunction(name)) {
      error = std::string("the module has no @") + name +
              " (run mpc-build-train-step first)";
      return nullptr;
    }
  std::string message;
  mlir::ScopedDiagnosticHandler handler(module->getContext(),
                                        [&](mlir::Diagnostic &diagnostic) {
                                          if (message.empty())
                                            message = diagnostic.str();
                                          return mlir::success();
                                        });
  mlir::FailureOr<StepContract> contract =
      describeStep(*module, /*requirePlan=*/false);
  if (failed(contract)) {
    error = message;
    return nullptr;
  }
  return std::unique_ptr<CpuStepExecutor>(new CpuStepExecutor(
      std::move(module), std::move(executor), std::move(*contract)));
}

CpuStepExecutor::CpuStepExecutor(mlir::OwningOpRef<mlir::ModuleOp> module,
                                 std::unique_ptr<Executor> executor,
                                 StepContract contract)
    : module(std::move(module)), executor(std::move(executor)),
      contract(std::move(contract)) {
  if (const std::optional<LossScalingSpec> &scaling =
          this->contract.lossScaling) {
    if (scaling->scale)
      scaleIndex = this->contract.stateIndex(*scaling->scale);
    if (scaling->skipped)
      skippedIndex = this->contract.stateIndex(*scaling->skipped);
  }
}

std::string CpuStepExecutor::graphName() const { return contract.graph; }

std::vector<HostTensor> CpuStepExecutor::inputSpecs() const {
  std::vector<HostTensor> specs = executor->argumentSpecs(kTrainStep);
  const std::vector<TensorSpec> &inputs = contract.function(kTrainStep)->inputs;
  for (size_t i = 0; i < specs.size() && i < inputs.size(); ++i)
    specs[i].valueBound = inputs[i].valueBound;
  return specs;
}

std::vector<HostTensor> CpuStepExecutor::outputSpecs() const {
  return executor->resultSpecs(kTrainStep);
}

int CpuStepExecutor::labelInput() const { return contract.labelInput; }

void CpuStepExecutor::initialize(uint64_t seed) {
  executor->initializeParams(seed);
}

bool CpuStepExecutor::trainStep(const std::vector<HostTensor> &inputs,
                                uint64_t step, std::vector<HostTensor> &outputs,
                                std::string &error) {
  return executor->run(kTrainStep, inputs, step, outputs, error);
}

bool CpuStepExecutor::trainStep(const std::vector<HostTensor> &inputs,
                                uint64_t step, std::string &error) {
  if (!trainStep(inputs, step, stepOutputs, error))
    return false;
  pendingLosses.push_back(stepOutputs[0].f32[0]);
  return true;
}

bool CpuStepExecutor::takeLosses(std::vector<double> &losses, std::string &) {
  losses.insert(losses.end(), pendingLosses.begin(), pendingLosses.end());
  pendingLosses.clear();
  return true;
}

bool CpuStepExecutor::evaluate(const std::vector<HostTensor> &inputs,
                               std::vector<HostTensor> &outputs,
                               std::string &error) {
  return executor->run(kForward, inputs, /*step=*/0, outputs, error);
}

std::vector<HostTensor> CpuStepExecutor::state() const {
  return executor->params();
}

void CpuStepExecutor::setState(std::vector<HostTensor> values) {
  executor->setParams(std::move(values));
}

std::optional<train::LossScaleStatus> CpuStepExecutor::lossScaleStatus() const {
  const std::optional<LossScalingSpec> &scaling = contract.lossScaling;
  if (!scaling)
    return std::nullopt;
  const std::vector<HostTensor> &params = executor->params();
  train::LossScaleStatus status;
  status.dynamic = scaling->dynamic;
  status.floor = scaling->floor;
  status.scale = scaleIndex ? params[*scaleIndex].f32[0]
                            : scaling->staticScale.value_or(1);
  if (skippedIndex)
    status.skippedSteps = static_cast<int64_t>(params[*skippedIndex].f32[0]);
  return status;
}

} // namespace mpc::cpu
