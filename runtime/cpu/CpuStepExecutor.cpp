//===- CpuStepExecutor.cpp - the training loop on the CPU executor --------===//

#include "runtime/cpu/CpuStepExecutor.h"

#include "dialects/mpc/MpcOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mpc::cpu {

namespace {
constexpr const char *kTrainStep = "train_step";
constexpr const char *kForward = "forward";
/// The skipped-step counter mpc-loss-scaling adds.
constexpr const char *kSkippedSteps = "loss_scale.skipped_steps";

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
  auto trainStep = (*this->module).lookupSymbol<mlir::func::FuncOp>(kTrainStep);
  UnscaleAndCheckOp unscale;
  UpdateLossScaleOp update;
  trainStep.walk([&](mlir::Operation *op) {
    if (auto found = llvm::dyn_cast<UnscaleAndCheckOp>(op))
      unscale = found;
    if (auto found = llvm::dyn_cast<UpdateLossScaleOp>(op))
      update = found;
  });
  if (!unscale)
    return;
  const std::vector<HostTensor> &params = this->executor->params();
  LossScaling scaling;
  scaling.skippedIndex = findParam(params, kSkippedSteps);
  if (update) {
    scaling.dynamic = true;
    scaling.floor = update.getMinScale().convertToDouble();
    if (auto load = update.getScale().getDefiningOp<LoadOp>())
      scaling.scaleIndex = findParam(params, load.getParam());
  } else if (auto constant = unscale.getScale().getDefiningOp<ConstantOp>()) {
    if (auto dense =
            llvm::dyn_cast<mlir::DenseElementsAttr>(constant.getValue()))
      scaling.staticScale =
          (*dense.getValues<llvm::APFloat>().begin()).convertToDouble();
  }
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

int CpuStepExecutor::labelInput() const {
  auto forward = (*module).lookupSymbol<mlir::func::FuncOp>(kForward);
  mlir::Operation *terminator = forward.getBody().front().getTerminator();
  if (terminator->getNumOperands() < 2)
    return -1;
  mlir::Value logits = terminator->getOperand(1);
  int index = -1;
  forward.walk([&](SoftmaxCrossEntropyOp op) {
    if (op.getLogits() == logits)
      if (auto argument = llvm::dyn_cast<mlir::BlockArgument>(op.getLabels()))
        index = static_cast<int>(argument.getArgNumber());
  });
  return index;
}

void CpuStepExecutor::initialize(uint64_t seed) {
  executor->initializeParams(seed);
}

bool CpuStepExecutor::trainStep(const std::vector<HostTensor> &inputs,
                                uint64_t step, std::vector<HostTensor> &outputs,
                                std::string &error) {
  return executor->run(kTrainStep, inputs, step, outputs, error);
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
