//===- CpuStepExecutor.cpp - the training loop on the CPU executor --------===//

#include "compiler/reference/CpuStepExecutor.h"

#include "dialects/mpc/MpcDialect.h"
#include "dialects/mpc/StepContract.h"
#include "runtime/driver/MemoryBudget.h"
#include "runtime/driver/Text.h"
#include "runtime/train/StateCopies.h"

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
  error = stepProblem(*contract);
  if (!error.empty())
    return nullptr;
  // What a step allocates besides the params, which are allocated already.
  uint64_t live = 0;
  for (const char *name : {kTrainStep, kForward}) {
    std::optional<uint64_t> bytes = executor->peakLiveBytes(name);
    if (!bytes) {
      error = std::string("@") + name +
              ": its values need more bytes than 64 bits count";
      return nullptr;
    }
    live = std::max(live, *bytes);
  }
  uint64_t params = 0;
  for (const HostTensor &param : executor->params())
    params += param.numStoredElements() * (param.dtype == HostTensor::DType::F32
                                               ? sizeof(float)
                                               : sizeof(int64_t));
  std::string what = "a step (parameters and state " +
                     driver::formatBytes(params) + ", values live at once " +
                     driver::formatBytes(live) + ")";
  std::optional<uint64_t> total = driver::addBytes(params, live);
  if (!total) {
    error = what + ": more bytes than 64 bits count";
    return nullptr;
  }
  if (!driver::checkHostMemory(*total, what, error))
    return nullptr;
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
  gradNormIndex = this->contract.gradNormIndex();
  phaseIndex = this->contract.accumulatePhaseIndex();
  if ((*this->module)->hasAttr(MpcDialect::kNumericsProbesAttrName))
    numerics = std::make_unique<train::NumericsReport>(
        this->executor->numericsProbes());
}

std::string CpuStepExecutor::graphName() const { return contract.graph; }

std::vector<HostTensor> CpuStepExecutor::inputSpecs() const {
  std::vector<HostTensor> specs = executor->argumentSpecs(kTrainStep);
  const std::vector<TensorSpec> &inputs = contract.function(kTrainStep)->inputs;
  for (size_t i = 0; i < specs.size() && i < inputs.size(); ++i) {
    specs[i].valueBound = inputs[i].valueBound;
    specs[i].ignoredValue = inputs[i].ignoredValue;
  }
  return specs;
}

std::vector<HostTensor> CpuStepExecutor::outputSpecs() const {
  return executor->resultSpecs(kTrainStep);
}

int CpuStepExecutor::labelInput() const { return contract.labelInput; }

void CpuStepExecutor::initialize(uint64_t seed) {
  executor->initializeParams(seed);
  stuckRun = startStuckLossScaleRun(0);
}

bool CpuStepExecutor::trainStep(const std::vector<HostTensor> &inputs,
                                uint64_t step, std::vector<HostTensor> &outputs,
                                std::string &error) {
  if (!executor->run(kTrainStep, inputs, step, outputs, error))
    return false;
  if (numerics)
    numerics->record(step, executor->numericsCounts());
  countStuckStep();
  return true;
}

bool CpuStepExecutor::trainStep(const std::vector<HostTensor> &inputs,
                                uint64_t step, std::string &error) {
  if (!trainStep(inputs, step, stepOutputs, error))
    return false;
  pendingLosses.push_back(stepOutputs[0].f32[0]);
  return true;
}

std::optional<float> CpuStepExecutor::lowestScale() const {
  const std::optional<LossScalingSpec> &scaling = contract.lossScaling;
  if (!scaling || !skippedIndex)
    return std::nullopt;
  if (scaling->dynamic && scaling->floor)
    return static_cast<float>(*scaling->floor);
  if (!scaling->dynamic)
    return static_cast<float>(scaling->staticScale.value_or(1));
  return std::nullopt;
}

void CpuStepExecutor::countStuckStep() {
  std::optional<float> lowest = lowestScale();
  if (!lowest)
    return;
  const std::vector<HostTensor> &params = executor->params();
  float scale = scaleIndex ? params[*scaleIndex].f32[0] : *lowest;
  float phase = phaseIndex ? params[*phaseIndex].f32[0] : 0.0f;
  countStuckLossScaleStep(stuckRun, params[*skippedIndex].f32[0], scale,
                          *lowest, phase);
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
  return train::withoutCopies(contract.state, executor->params());
}

void CpuStepExecutor::setState(std::vector<HostTensor> values) {
  executor->setParams(train::withCopies(contract.state, std::move(values)));
  // Steps count from here: a checkpoint's skipped steps are not new.
  if (skippedIndex)
    stuckRun = startStuckLossScaleRun(executor->params()[*skippedIndex].f32[0]);
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
  status.stuckSteps = stuckRun.steps;
  return status;
}

std::optional<double> CpuStepExecutor::gradNorm() const {
  if (!gradNormIndex)
    return std::nullopt;
  return executor->params()[*gradNormIndex].f32[0];
}

std::optional<double> CpuStepExecutor::learningRate() const {
  std::optional<size_t> step = contract.stateIndex(step::kStepCount);
  if (!contract.learningRate || !step)
    return std::nullopt;
  return contract.learningRate->at(executor->params()[*step].f32[0]);
}

} // namespace mpc::cpu
