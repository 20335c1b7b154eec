//===- MpcTrainingOps.cpp - verifiers of gradient and optimizer ops -------===//
//
// The ops a training step adds to a forward graph: the gradient ops of
// MpcGradientOps.td and the optimizer updates of MpcOptimizerOps.td.
//
//===----------------------------------------------------------------------===//

#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/ShapeFunctions.h"

#include <cmath>

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
  return verifyLayerNormOperands(tensorType(getInput()),
                                 tensorType(getGamma()), emit);
}

LogicalResult EmbeddingGradOp::verify() {
  return verifyEmbeddingGrad(tensorType(getResultGrad()), tensorType(getIds()),
                             getType(), [&] { return emitOpError(); });
}

LogicalResult SoftmaxCrossEntropyGradOp::verify() {
  return failure(failed(inferCrossEntropyType(tensorType(getLogits()),
                                              tensorType(getLabels()),
                                              [&] { return emitOpError(); })));
}

//===----------------------------------------------------------------------===//
// Optimizer ops
//===----------------------------------------------------------------------===//

namespace {
/// The admissible range of a hyperparameter: [low, high) or (low, high).
struct HyperparameterRange {
  double low;
  bool lowInclusive;
  double high;
};

constexpr double kInfinity = HUGE_VAL;
constexpr HyperparameterRange kPositive{0, false, kInfinity};
constexpr HyperparameterRange kNonNegative{0, true, kInfinity};
constexpr HyperparameterRange kUnitInterval{0, true, 1};

/// Checks that the named hyperparameter is finite and within `range`.
LogicalResult verifyHyperparameter(Operation *op, StringRef name,
                                   APFloat attribute,
                                   HyperparameterRange range) {
  double value = attribute.convertToDouble();
  bool aboveLow = range.lowInclusive ? value >= range.low : value > range.low;
  if (std::isfinite(value) && aboveLow && value < range.high)
    return success();
  InFlightDiagnostic diag = op->emitOpError(name) << " must be in "
                                                  << (range.lowInclusive ? "[" : "(")
                                                  << range.low << ", ";
  if (range.high == kInfinity)
    diag << "inf)";
  else
    diag << range.high << ")";
  return diag << ", got " << value;
}
} // namespace

LogicalResult SgdUpdateOp::verify() {
  return failure(
      failed(verifyHyperparameter(*this, "learning_rate", getLearningRate(),
                                  kPositive)) ||
      failed(verifyHyperparameter(*this, "weight_decay", getWeightDecay(),
                                  kNonNegative)));
}

LogicalResult MomentumUpdateOp::verify() {
  return failure(
      failed(verifyHyperparameter(*this, "learning_rate", getLearningRate(),
                                  kPositive)) ||
      failed(verifyHyperparameter(*this, "momentum", getMomentum(),
                                  kUnitInterval)) ||
      failed(verifyHyperparameter(*this, "weight_decay", getWeightDecay(),
                                  kNonNegative)));
}

LogicalResult AdamWUpdateOp::verify() {
  return failure(
      failed(verifyHyperparameter(*this, "learning_rate", getLearningRate(),
                                  kPositive)) ||
      failed(verifyHyperparameter(*this, "beta1", getBeta1(), kUnitInterval)) ||
      failed(verifyHyperparameter(*this, "beta2", getBeta2(), kUnitInterval)) ||
      failed(verifyHyperparameter(*this, "epsilon", getEpsilon(), kPositive)) ||
      failed(verifyHyperparameter(*this, "weight_decay", getWeightDecay(),
                                  kNonNegative)));
}

LogicalResult ClipByGlobalNormOp::verify() {
  if (failed(verifyHyperparameter(*this, "max_norm", getMaxNorm(), kPositive)))
    return failure();
  if (getGrads().getTypes() != getClipped().getTypes())
    return emitOpError("clipped types must match the gradient types");
  return success();
}
