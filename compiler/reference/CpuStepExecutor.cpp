//===- CpuStepExecutor.cpp - the training loop on the CPU executor --------===//

#include "compiler/reference/CpuStepExecutor.h"

#include "compiler/StepDescription.h"

namespace mpc::cpu {

namespace {
constexpr const char *kTrainStep = "train_step";
constexpr const char *kForward = "forward";

/// The position of the param named `name` in `params`.
std::optional<size_t> findParam(const std::vector<HostTensor> &params,
                                llvm::StringRef name) {
  for (size_t i = 0; i < params.size(); ++i)
    if (params[i].name == name)
      return i;
  return std::nullopt;
}
} // namespace

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
  return std::unique_ptr<CpuStepExecutor>(
      new CpuStepExecutor(std::move(module), std::move(executor)));
}

CpuStepExecutor::CpuStepExecutor(mlir::OwningOpRef<mlir::ModuleOp> module,
                                 std::unique_ptr<Executor> executor)
    : module(std::move(module)), executor(std::move(executor)) {
  std::optional<LossScalingDescription> description =
      describeLossScaling(*this->module);
  if (!description)
    return;
  const std::vector<HostTensor> &params = this->executor->params();
  LossScaling scaling;
  scaling.dynamic = description->dynamic;
  scaling.floor = description->floor;
  scaling.staticScale = description->staticScale;
  if (description->scaleSymbol)
    scaling.scaleIndex = findParam(params, *description->scaleSymbol);
  if (description->skippedSymbol)
    scaling.skippedIndex = findParam(params, *description->skippedSymbol);
  lossScaling = scaling;
}

std::string CpuStepExecutor::graphName() const {
  auto name = (*module).getSymName();
  return name ? name->str() : "graph";
}

std::vector<HostTensor> CpuStepExecutor::inputSpecs() const {
  return executor->argumentSpecs(kTrainStep);
}

std::vector<HostTensor> CpuStepExecutor::outputSpecs() const {
  return executor->resultSpecs(kTrainStep);
}

int CpuStepExecutor::labelInput() const { return findLabelInput(*module); }

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
  if (!lossScaling)
    return std::nullopt;
  const std::vector<HostTensor> &params = executor->params();
  train::LossScaleStatus status;
  status.dynamic = lossScaling->dynamic;
  status.floor = lossScaling->floor;
  status.scale = lossScaling->scaleIndex
                     ? params[*lossScaling->scaleIndex].f32[0]
                     : lossScaling->staticScale;
  if (lossScaling->skippedIndex)
    status.skippedSteps =
        static_cast<int64_t>(params[*lossScaling->skippedIndex].f32[0]);
  return status;
}

} // namespace mpc::cpu
