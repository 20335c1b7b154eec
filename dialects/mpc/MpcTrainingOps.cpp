//===- MpcTrainingOps.cpp - verifiers of gradient and optimizer ops -------===//
//
// The ops a training step adds to a forward graph: the gradient ops of
// MpcGradientOps.td and the optimizer updates of MpcOptimizerOps.td.
//
//===----------------------------------------------------------------------===//

#include "dialects/mpc/ElementTypes.h"
#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/ShapeFunctions.h"

#include "llvm/ADT/DenseSet.h"

using namespace mlir;
using namespace mpc;

//===----------------------------------------------------------------------===//
// Gradient ops
//===----------------------------------------------------------------------===//

LogicalResult BroadcastOp::verify() {
  return verifyBroadcastsTo(tensorType(getInput()).getShape(),
                            getType().getShape(), "input", "result",
                            [&] { return emitOpError(); });
}

LogicalResult SliceGradOp::verify() {
  // result_grad is the gradient of the slice the forward op took of a
  // tensor of the result's type.
  auto sliced = inferSliceType(getType(), getAxes(), getStarts(), getEnds(),
                               getSteps(), [&] { return emitOpError(); });
  if (failed(sliced))
    return failure();
  if (*sliced != getResultGrad().getType())
    return emitOpError("result_grad type ")
           << getResultGrad().getType() << " does not match the slice of "
           << getType() << ", " << *sliced;
  return success();
}

LogicalResult SoftmaxGradOp::verify() {
  return verifyAxis(getAxis(), getType().getRank(),
                    [&] { return emitOpError(); });
}

LogicalResult LogSoftmaxGradOp::verify() {
  return verifyAxis(getAxis(), getType().getRank(),
                    [&] { return emitOpError(); });
}

LogicalResult LayerNormGradOp::verify() {
  auto emit = [&] { return emitOpError(); };
  if (failed(verifyEpsilon(getEpsilon().convertToDouble(), emit)))
    return failure();
  if (failed(verifyNarrowableInput(tensorType(getInput()).getElementType(),
                                   tensorType(getGamma()).getElementType(),
                                   emit)))
    return failure();
  return verifyLayerNormOperands(tensorType(getInput()), tensorType(getGamma()),
                                 emit);
}

LogicalResult RmsNormGradOp::verify() {
  auto emit = [&] { return emitOpError(); };
  if (failed(verifyEpsilon(getEpsilon().convertToDouble(), emit)))
    return failure();
  if (failed(verifyNarrowableInput(tensorType(getInput()).getElementType(),
                                   tensorType(getWeight()).getElementType(),
                                   emit)))
    return failure();
  return verifyRmsNormOperands(tensorType(getInput()), tensorType(getWeight()),
                               emit);
}

LogicalResult EmbeddingGradOp::verify() {
  return verifyEmbeddingGrad(tensorType(getResultGrad()), tensorType(getIds()),
                             getType(), [&] { return emitOpError(); });
}

LogicalResult CausalAttentionGradOp::verify() {
  return verifyAttentionStats(
      tensorType(getQuery()), getSequenceMajor(), getScale().convertToDouble(),
      tensorType(getLogSumExp()), [&] { return emitOpError(); });
}

attention::Layout CausalAttentionGradOp::getLayout() {
  return attentionLayout(tensorType(getQuery()), getSequenceMajor());
}

bool CausalAttentionGradOp::keepsF32(Value value) {
  return value == getLogSumExp();
}

LogicalResult CausalAttentionQkvGradOp::verify() {
  return verifyPackedAttention(
      tensorType(getQkv()), tensorType(getResultGrad()),
      getScale().convertToDouble(), tensorType(getLogSumExp()),
      [&] { return emitOpError(); });
}

attention::Layout CausalAttentionQkvGradOp::getLayout() {
  return packedAttentionLayout(tensorType(getQkv()));
}

attention::Layout CausalAttentionQkvGradOp::getResultLayout() {
  return attentionLayout(tensorType(getResultGrad()), /*sequenceMajor=*/true);
}

bool CausalAttentionQkvGradOp::keepsF32(Value value) {
  return value == getLogSumExp();
}

LogicalResult SoftmaxCrossEntropyGradOp::verify() {
  return verifyCrossEntropyGrad(
      getIgnoreIndex(), tensorType(getLogits()), tensorType(getLabels()),
      tensorType(getLossGrad()).getElementType(),
      tensorType(getResult()).getElementType(), [&] { return emitOpError(); });
}

OpOperand *SoftmaxCrossEntropyGradOp::overwritableOperand(OpResult result) {
  (void)result; // the only result
  return &getLogitsMutable();
}

//===----------------------------------------------------------------------===//
// Optimizer ops
//===----------------------------------------------------------------------===//

/// Checks the named hyperparameter attribute of `op` against `range`.
static LogicalResult verifyHyperparameterAttr(Operation *op, StringRef name,
                                              APFloat attribute,
                                              HyperparameterRange range) {
  return mpc::verifyHyperparameter(name, attribute.convertToDouble(), range,
                                   [&] { return op->emitOpError(); });
}

/// A schedule computes the rate from the step count, which an SGD or
/// momentum update reads only when it has one.
static LogicalResult
verifyScheduleHasStep(Operation *op, LrScheduleAttr schedule, Value step) {
  if (schedule && !step)
    return op->emitOpError("has a schedule but no step operand to read it at");
  return success();
}

LogicalResult SgdUpdateOp::verify() {
  return failure(
      failed(verifyScheduleHasStep(*this, getScheduleAttr(), getStep())) ||
      failed(verifyHyperparameterAttr(*this, "learning_rate", getLearningRate(),
                                      kPositive)) ||
      failed(verifyHyperparameterAttr(*this, "weight_decay", getWeightDecay(),
                                      kNonNegative)));
}

LogicalResult MomentumUpdateOp::verify() {
  return failure(
      failed(verifyScheduleHasStep(*this, getScheduleAttr(), getStep())) ||
      failed(verifyHyperparameterAttr(*this, "learning_rate", getLearningRate(),
                                      kPositive)) ||
      failed(verifyHyperparameterAttr(*this, "momentum", getMomentum(),
                                      kUnitInterval)) ||
      failed(verifyHyperparameterAttr(*this, "weight_decay", getWeightDecay(),
                                      kNonNegative)));
}

LogicalResult AdamWUpdateOp::verify() {
  return failure(failed(verifyHyperparameterAttr(
                     *this, "learning_rate", getLearningRate(), kPositive)) ||
                 failed(verifyHyperparameterAttr(*this, "beta1", getBeta1(),
                                                 kUnitInterval)) ||
                 failed(verifyHyperparameterAttr(*this, "beta2", getBeta2(),
                                                 kUnitInterval)) ||
                 failed(verifyHyperparameterAttr(*this, "epsilon", getEpsilon(),
                                                 kPositive)) ||
                 failed(verifyHyperparameterAttr(
                     *this, "weight_decay", getWeightDecay(), kNonNegative)));
}

LogicalResult AdamWMultiUpdateOp::verify() {
  if (getParams().empty())
    return emitOpError("needs at least one parameter");
  if (getWeightDecays().size() != getParams().size())
    return emitOpError("has ")
           << getWeightDecays().size() << " weight decays for "
           << getParams().size() << " parameters";
  if (failed(verifyHyperparameterAttr(*this, "learning_rate", getLearningRate(),
                                      kPositive)) ||
      failed(verifyHyperparameterAttr(*this, "beta1", getBeta1(),
                                      kUnitInterval)) ||
      failed(verifyHyperparameterAttr(*this, "beta2", getBeta2(),
                                      kUnitInterval)) ||
      failed(
          verifyHyperparameterAttr(*this, "epsilon", getEpsilon(), kPositive)))
    return failure();
  for (double decay : getWeightDecays())
    if (failed(mpc::verifyHyperparameter("weight_decays", decay, kNonNegative,
                                         [&] { return emitOpError(); })))
      return failure();
  if (getResultTypes() !=
      TypeRange(resultTypes(getParams().getTypes(), getCopies().getTypes())))
    return emitOpError("results must be the new params, m, v and copies");
  return verifyCopies();
}

LogicalResult AdamWMultiUpdateOp::verifyCopies() {
  ArrayRef<int64_t> sources;
  if (auto attr = getCopyParamsAttr())
    sources = attr.asArrayRef();
  if (sources.size() != getCopies().size())
    return emitOpError("has ") << sources.size() << " copy_params for "
                               << getCopies().size() << " copies";
  llvm::SmallDenseSet<int64_t> seen;
  for (auto [copy, source] : llvm::zip(getCopies(), sources)) {
    if (source < 0 || source >= static_cast<int64_t>(getParams().size()))
      return emitOpError("copy_params index ")
             << source << " is not a parameter";
    if (!seen.insert(source).second)
      return emitOpError("parameter ") << source << " has two copies";
    auto param = cast<RankedTensorType>(getParams()[source].getType());
    auto type = cast<RankedTensorType>(copy.getType());
    if (type.getShape() != param.getShape() ||
        !isSixteenBitFloat(type.getElementType()))
      return emitOpError("copy of parameter ")
             << source << " must be f16 or bf16 of its shape, not " << type;
  }
  return success();
}

LogicalResult ClipByGlobalNormOp::verify() {
  if (failed(
          verifyHyperparameterAttr(*this, "max_norm", getMaxNorm(), kPositive)))
    return failure();
  if (getGrads().getTypes() != getClipped().getTypes())
    return emitOpError("clipped types must match the gradient types");
  return success();
}
