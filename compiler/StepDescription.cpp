//===- StepDescription.cpp - label input and loss-scaling discovery -------===//

#include "compiler/StepDescription.h"

#include "dialects/mpc/MpcOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;

namespace mpc {

namespace {
/// The skipped-step counter mpc-loss-scaling adds.
constexpr llvm::StringLiteral kSkippedSteps = "loss_scale.skipped_steps";
} // namespace

int findLabelInput(ModuleOp module) {
  auto forward = module.lookupSymbol<func::FuncOp>("forward");
  if (!forward || forward.isExternal())
    return -1;
  Operation *terminator = forward.getBody().front().getTerminator();
  if (terminator->getNumOperands() < 2)
    return -1;
  Value logits = terminator->getOperand(1);
  int index = -1;
  forward.walk([&](SoftmaxCrossEntropyOp op) {
    if (op.getLogits() == logits)
      if (auto argument = dyn_cast<BlockArgument>(op.getLabels()))
        index = static_cast<int>(argument.getArgNumber());
  });
  return index;
}

std::optional<LossScalingDescription> describeLossScaling(ModuleOp module) {
  auto trainStep = module.lookupSymbol<func::FuncOp>("train_step");
  if (!trainStep)
    return std::nullopt;
  UnscaleAndCheckOp unscale;
  UpdateLossScaleOp update;
  trainStep.walk([&](Operation *op) {
    if (auto found = dyn_cast<UnscaleAndCheckOp>(op))
      unscale = found;
    if (auto found = dyn_cast<UpdateLossScaleOp>(op))
      update = found;
  });
  if (!unscale)
    return std::nullopt;
  LossScalingDescription scaling;
  if (module.lookupSymbol<ParamOp>(kSkippedSteps))
    scaling.skippedSymbol = kSkippedSteps.str();
  if (update) {
    scaling.dynamic = true;
    scaling.floor = update.getMinScale().convertToDouble();
    if (auto load = update.getScale().getDefiningOp<LoadOp>())
      scaling.scaleSymbol = load.getParam().str();
  } else if (auto constant = unscale.getScale().getDefiningOp<ConstantOp>()) {
    if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue()))
      scaling.staticScale =
          (*dense.getValues<APFloat>().begin()).convertToDouble();
  }
  return scaling;
}

} // namespace mpc
